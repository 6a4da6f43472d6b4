/* A Firehose S3 destination's CompressionFormat on the manual clock: each
 * format's object decoded back to the records it holds (gzip, a ZIP
 * archive of one deflated entry, snappy-java's stream format, Hadoop's
 * Snappy blocks), the extension each appends to the object name, a
 * FileExtension of one's own, and the validation errors that leave no
 * stream behind. */
#define _XOPEN_SOURCE 700
#include <snappy-c.h>
#include <unistd.h>
#include <zlib.h>

#include "aevtest.h"
#include "delivery_support.h"

static aev_broker *b;
static char dir[] = "/tmp/aev-fh-compress-XXXXXX";

static void setup(void) {
  b = aev_test_manual_broker(7);
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  aev_broker_destroy(b);
  aev_test_remove_tree(dir);
  strcpy(dir, "/tmp/aev-fh-compress-XXXXXX");
}

/* The one object under dir/sub (fh_found names it) and its bytes. */
static unsigned char *object_under(const char *sub, size_t *len) {
  ck_assert_msg(fh_last_file(dir, sub), "no object under %s", sub);
  return fh_read_file(fh_found, len);
}

static int create(const char *name, const char *members) {
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\","
           "\"LocalDirectory\":\"%s\",\"Prefix\":\"%s/\",\"BufferingHints\":{\"SizeInMBs\":1,"
           "\"IntervalInSeconds\":60}%s}}",
           dir, name, members);
  aev_delivery *d;
  int rc = aev_delivery_create(b, name, cfg, &d);
  if (rc == AEV_OK) aev_delivery_release(d);
  return rc;
}

/* Records of 40,000 bytes in all (two Snappy blocks and a part), text
 * that compresses; what the object must decode to. */
static char records[40001];

static void deliver(const char *name) {
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_get(b, name, &d), AEV_OK);
  for (size_t i = 0; i < sizeof records - 1; i++)
    records[i] = "record-"[i % 7] + (char)(i / 7 % 3);
  for (size_t at = 0; at < 40000; at += 10000)
    ck_assert_int_eq(aev_delivery_put(d, records + at, 10000, NULL), AEV_OK);
  aev_delivery_release(d);
  aev_broker_advance(b, 60000);
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le(const unsigned char *p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

#define refused(expr, message)                         \
  do {                                                 \
    ck_assert_int_eq((expr), AEV_ERR_INVALID);         \
    ck_assert_str_eq(aev_errcode(), "ValidationException"); \
    ck_assert_str_eq(aev_errmsg(), (message));         \
  } while (0)

static void ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  ck_assert_msg(n >= k && !strcmp(s + n - k, suffix), "%s does not end with %s", s, suffix);
}

/* in inflated: a gzip member (window bits 31) or raw deflate (-15). */
static char *inflated(const unsigned char *in, size_t n, int bits, size_t *out_len) {
  char *out = malloc(sizeof records);
  z_stream z = {0};
  ck_assert_int_eq(inflateInit2(&z, bits), Z_OK);
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)n;
  z.next_out = (Bytef *)out;
  z.avail_out = sizeof records;
  ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
  *out_len = sizeof records - z.avail_out;
  ck_assert_uint_eq(z.avail_in, 0);
  inflateEnd(&z);
  return out;
}

static void assert_records(const char *got, size_t len) {
  ck_assert_uint_eq(len, 40000);
  ck_assert(!memcmp(got, records, len));
}

START_TEST(gzip_object) {
  ck_assert_int_eq(create("gz", ",\"CompressionFormat\":\"GZIP\""), AEV_OK);
  deliver("gz");
  size_t n, len;
  unsigned char *obj = object_under("gz", &n);
  ends_with(fh_found, ".gz");
  ck_assert_uint_lt(n, 40000 / 4);
  char *body = inflated(obj, n, 31, &len);
  assert_records(body, len);
  free(body);
  free(obj);
}
END_TEST

/* An archive of one deflated entry named by a uuid, its local header and
 * central directory entry agreeing on sizes and CRC. */
START_TEST(zip_object) {
  ck_assert_int_eq(create("zip", ",\"CompressionFormat\":\"ZIP\""), AEV_OK);
  deliver("zip");
  size_t n, len;
  unsigned char *z = object_under("zip", &n);
  ends_with(fh_found, ".zip");
  ck_assert_uint_eq(le(z, 4), 0x04034b50);
  ck_assert_uint_eq(le(z + 8, 2), 8); /* deflate */
  const uint32_t crc = le(z + 14, 4), csize = le(z + 18, 4), size = le(z + 22, 4);
  const uint32_t name_len = le(z + 26, 2), extra = le(z + 28, 2);
  ck_assert_uint_eq(size, 40000);
  ck_assert_uint_eq(name_len, 36);
  char name[37];
  memcpy(name, z + 30, 36);
  name[36] = '\0';
  ck_assert_msg(name[8] == '-' && name[13] == '-' && name[14] == '4', "entry %s", name);
  const unsigned char *data = z + 30 + name_len + extra;
  char *body = inflated(data, csize, -15, &len);
  assert_records(body, len);
  ck_assert_uint_eq(crc32(crc32(0, Z_NULL, 0), (const Bytef *)body, (uInt)len), crc);
  free(body);
  /* The end record names the central directory, whose one entry repeats
   * the local header's sizes and CRC. */
  const unsigned char *end = z + n - 22;
  ck_assert_uint_eq(le(end, 4), 0x06054b50);
  ck_assert_uint_eq(le(end + 10, 2), 1);
  const unsigned char *cd = z + le(end + 16, 4);
  ck_assert_uint_eq(le(end + 16, 4), (uint32_t)(data + csize - z));
  ck_assert_uint_eq(le(cd, 4), 0x02014b50);
  ck_assert_uint_eq(le(cd + 16, 4), crc);
  ck_assert_uint_eq(le(cd + 20, 4), csize);
  ck_assert_uint_eq(le(cd + 24, 4), size);
  ck_assert(!memcmp(cd + 46, name, 36));
  free(z);
}
END_TEST

/* Appends the Snappy chunk at p (its compressed length first) to out. */
static const unsigned char *unsnappy(const unsigned char *p, char *out, size_t *len) {
  const uint32_t clen = be32(p);
  size_t room = sizeof records - *len;
  ck_assert_int_eq(snappy_uncompress((const char *)p + 4, clen, out + *len, &room), SNAPPY_OK);
  *len += room;
  return p + 4 + clen;
}

/* snappy-java's stream: its 16-byte header, then compressed blocks. */
START_TEST(snappy_object) {
  ck_assert_int_eq(create("sn", ",\"CompressionFormat\":\"Snappy\""), AEV_OK);
  deliver("sn");
  size_t n, len = 0;
  unsigned char *obj = object_under("sn", &n);
  ends_with(fh_found, ".snappy");
  ck_assert(!memcmp(obj, "\x82SNAPPY\0\0\0\0\1\0\0\0\1", 16));
  char *body = malloc(sizeof records);
  int blocks = 0;
  for (const unsigned char *p = obj + 16; p < obj + n; blocks++) p = unsnappy(p, body, &len);
  ck_assert_int_eq(blocks, 2);
  assert_records(body, len);
  free(body);
  free(obj);
}
END_TEST

/* Hadoop's blocks: each block's uncompressed length, then its chunk. The
 * service names these ".snappy" too. */
START_TEST(hadoop_snappy_object) {
  ck_assert_int_eq(create("hs", ",\"CompressionFormat\":\"HADOOP_SNAPPY\""), AEV_OK);
  deliver("hs");
  size_t n, len = 0;
  unsigned char *obj = object_under("hs", &n);
  ends_with(fh_found, ".snappy");
  char *body = malloc(sizeof records);
  for (const unsigned char *p = obj; p < obj + n;) {
    const size_t before = len, block = be32(p);
    p = unsnappy(p + 4, body, &len);
    ck_assert_uint_eq(len - before, block);
  }
  assert_records(body, len);
  free(body);
  free(obj);
}
END_TEST

/* FileExtension replaces the format's; an empty one keeps it; it applies
 * without compression too. */
START_TEST(file_extension) {
  ck_assert_int_eq(create("own", ",\"CompressionFormat\":\"GZIP\",\"FileExtension\":\".json.gz\""),
                   AEV_OK);
  ck_assert_int_eq(create("empty", ",\"CompressionFormat\":\"GZIP\",\"FileExtension\":\"\""),
                   AEV_OK);
  ck_assert_int_eq(create("txt", ",\"FileExtension\":\".txt\""), AEV_OK);
  const char *const names[] = {"own", "empty", "txt"};
  const char *const ends[] = {".json.gz", ".gz", ".txt"};
  for (int i = 0; i < 3; i++) {
    deliver(names[i]);
    size_t n;
    free(object_under(names[i], &n));
    ends_with(fh_found, ends[i]);
    char stem[64];
    snprintf(stem, sizeof stem, "/%s-1-2024-01-01-00-", names[i]);
    ck_assert_msg(strstr(fh_found, stem), "%s", fh_found);
  }
  ck_assert_int_eq(strlen(strstr(fh_found, "/txt-1-")), strlen("/txt-1-2024-01-01-00-01-00-") + 36 + 4);
}
END_TEST

/* AWS's enum is case-sensitive (Snappy, not SNAPPY); FileExtension must
 * begin with a period and use lower-case letters, digits and !-_.*'().
 * A refused create leaves no stream behind. */
START_TEST(invalid_settings) {
  refused(create("bad", ",\"CompressionFormat\":\"SNAPPY\""),
          "1 validation error detected: Value 'SNAPPY' at "
                        "'extendedS3DestinationConfiguration.compressionFormat' failed to satisfy "
                        "constraint: Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, "
                        "Snappy, HADOOP_SNAPPY]");
  const char *const bad[] = {"gz", ".GZ", ".", ".a b"};
  for (int i = 0; i < 4; i++) {
    char members[64], want[256];
    snprintf(members, sizeof members, ",\"FileExtension\":\"%s\"", bad[i]);
    snprintf(want, sizeof want,
             "1 validation error detected: Value '%s' at "
             "'extendedS3DestinationConfiguration.fileExtension' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: ^$|\\.[0-9a-z!\\-_.*'()]+",
             bad[i]);
    refused(create("bad", members), want);
  }
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_get(b, "bad", &d), AEV_ERR_NOT_FOUND);
}
END_TEST

int main(void) {
  Suite *s = suite_create("delivery_compress");
  TCase *t = tcase_create("compress");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, gzip_object);
  tcase_add_test(t, zip_object);
  tcase_add_test(t, snappy_object);
  tcase_add_test(t, hadoop_snappy_object);
  tcase_add_test(t, file_extension);
  tcase_add_test(t, invalid_settings);
  suite_add_tcase(s, t);
  return aev_test_run(s);
}
