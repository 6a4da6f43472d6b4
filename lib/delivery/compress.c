/* An S3 destination's CompressionFormat, applied to each object's body as
 * Firehose delivers it, with the file extension it appends to the object
 * name (the S3 object name page of Firehose's guide; HADOOP_SNAPPY objects
 * come out of the service as ".snappy", not the ".hsnappy" that page
 * tables):
 *  - GZIP: one gzip member;
 *  - ZIP: an archive of one deflated entry, named by a uuid;
 *  - Snappy: snappy-java's stream format (magic "\x82SNAPPY\0", version 1,
 *    compatible version 1, then length-prefixed compressed blocks), which
 *    is what the service writes, not Snappy's own framing format;
 *  - HADOOP_SNAPPY: Hadoop's block framing (each block's uncompressed
 *    length, then its compressed chunk's length and bytes).
 * Lengths in both Snappy framings are big-endian 32-bit words. */
#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "delivery/delivery_impl.h"

/* The wire names, in AEV__FH_COMPRESS_* order. */
static const char *const names[] = {"UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"};
static const char *const extensions[] = {"", ".gz", ".zip", ".snappy", ".snappy"};

int aev__fh_compression_of(const char *name) {
  for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
    if (!strcmp(name, names[i])) return i;
  return -1;
}

const char *aev__fh_compression_extension(int format) { return extensions[format]; }

/* Both Snappy framings cut the body into blocks of this many bytes. */
#define SNAPPY_BLOCK 32768

static void be32(char b[4], uint32_t v) {
  for (int i = 0; i < 4; i++) b[i] = (char)(v >> (24 - 8 * i));
}

static void put_be32(aev__tbuf *out, uint32_t v) {
  char b[4];
  be32(b, v);
  aev__tbuf_put(out, b, 4);
}

static void put_le(aev__tbuf *out, uint32_t v, int bytes) {
  char b[4];
  for (int i = 0; i < bytes; i++) b[i] = (char)(v >> (8 * i));
  aev__tbuf_put(out, b, (size_t)bytes);
}

/* Room for n more bytes at the buffer's end, or NULL. */
static char *room(aev__tbuf *out, size_t n) {
  aev__tbuf_reserve(out, out->n + n + 1);
  return out->failed ? NULL : out->p + out->n;
}

/* in deflated onto out: raw (for a ZIP entry) or as a gzip member. */
static int deflate_into(const void *in, size_t n, int gzip, aev__tbuf *out) {
  z_stream z = {0};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip ? 15 + 16 : -15, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  const size_t bound = deflateBound(&z, (uLong)n);
  char *dst = room(out, bound);
  int rc = -1;
  if (dst) {
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)dst;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
      out->n += bound - z.avail_out;
      rc = 0;
    }
  }
  deflateEnd(&z);
  return rc;
}

/* One Snappy-compressed block, its compressed length first. */
static int snappy_block(const char *in, size_t n, aev__tbuf *out) {
  size_t len = snappy_max_compressed_length(n);
  put_be32(out, 0); /* its compressed length, written below */
  const size_t at = out->n - 4;
  char *dst = room(out, len);
  if (!dst || snappy_compress(in, n, dst, &len) != SNAPPY_OK) return -1;
  out->n += len;
  be32(out->p + at, (uint32_t)len);
  return 0;
}

static int snappy_framed(const char *in, size_t n, int hadoop, aev__tbuf *out) {
  if (!hadoop) {
    aev__tbuf_put(out, "\x82SNAPPY", 8); /* the magic's NUL is the literal's own */
    put_be32(out, 1);
    put_be32(out, 1);
  }
  for (size_t at = 0; at < n; at += SNAPPY_BLOCK) {
    const size_t len = n - at < SNAPPY_BLOCK ? n - at : SNAPPY_BLOCK;
    if (hadoop) put_be32(out, (uint32_t)len);
    if (snappy_block(in + at, len, out)) return -1;
  }
  return 0;
}

/* MS-DOS time and date words of t (UTC), as ZIP headers keep them. */
static void dos_time(int64_t ms, uint32_t *time_word, uint32_t *date_word) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  *time_word = (uint32_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
  *date_word = (uint32_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

/* The fields a ZIP local header and its central directory entry share,
 * from "version needed" to the name's length. */
static void zip_common(aev__tbuf *out, uint32_t tw, uint32_t dw, uint32_t crc, size_t csize,
                       size_t size, size_t name_len) {
  put_le(out, 20, 2); /* version needed: 2.0, deflate */
  put_le(out, 0, 2);  /* flags */
  put_le(out, 8, 2);  /* method: deflate */
  put_le(out, tw, 2);
  put_le(out, dw, 2);
  put_le(out, crc, 4);
  put_le(out, (uint32_t)csize, 4);
  put_le(out, (uint32_t)size, 4);
  put_le(out, (uint32_t)name_len, 2);
  put_le(out, 0, 2); /* extra field length */
}

/* A body of at most SizeInMBs (128 MiB) needs no ZIP64 record. */
static int zip_archive(const void *in, size_t n, const char *entry, int64_t ms,
                       aev__tbuf *out) {
  const size_t name_len = strlen(entry);
  const uint32_t crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), in, (uInt)n);
  uint32_t tw, dw;
  dos_time(ms, &tw, &dw);
  put_le(out, 0x04034b50, 4);
  const size_t fields_at = out->n;
  zip_common(out, tw, dw, crc, 0, n, name_len);
  aev__tbuf_put(out, entry, name_len);
  const size_t data_at = out->n;
  if (deflate_into(in, n, 0, out)) return -1;
  const size_t csize = out->n - data_at;
  /* The compressed size, known now, into the local header. */
  for (int i = 0; i < 4; i++) out->p[fields_at + 14 + i] = (char)(csize >> (8 * i));
  const size_t dir_at = out->n;
  put_le(out, 0x02014b50, 4);
  put_le(out, 20, 2); /* version made by */
  zip_common(out, tw, dw, crc, csize, n, name_len);
  put_le(out, 0, 2); /* comment length */
  put_le(out, 0, 2); /* disk number */
  put_le(out, 0, 2); /* internal attributes */
  put_le(out, 0, 4); /* external attributes */
  put_le(out, 0, 4); /* the local header's offset */
  aev__tbuf_put(out, entry, name_len);
  const size_t dir_len = out->n - dir_at;
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 4); /* this disk, the directory's disk */
  put_le(out, 1, 2); /* entries on this disk */
  put_le(out, 1, 2); /* entries */
  put_le(out, (uint32_t)dir_len, 4);
  put_le(out, (uint32_t)dir_at, 4);
  put_le(out, 0, 2); /* comment length */
  return 0;
}

int aev__fh_compress(int format, const void *in, size_t n, const char *entry, int64_t ms,
                     aev__tbuf *out) {
  int rc;
  switch (format) {
  case AEV__FH_COMPRESS_GZIP: rc = deflate_into(in, n, 1, out); break;
  case AEV__FH_COMPRESS_ZIP: rc = zip_archive(in, n, entry, ms, out); break;
  case AEV__FH_COMPRESS_SNAPPY: rc = snappy_framed(in, n, 0, out); break;
  case AEV__FH_COMPRESS_HADOOP_SNAPPY: rc = snappy_framed(in, n, 1, out); break;
  default: aev__tbuf_put(out, in, n); rc = 0;
  }
  return rc || out->failed ? -1 : 0;
}
