/* One GZIP member inflated (gzip.h). */
#include "core/gzip.h"

#include <zlib.h>

const char *aev__gunzip(const void *in, size_t n, aev__tbuf *out) {
  z_stream z = {0};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "out of memory";
  z.next_in = (unsigned char *)in;
  z.avail_in = (uInt)n;
  aev__tbuf_reserve(out, n * 4 + 64);
  int rc = Z_OK;
  while (rc == Z_OK && !out->failed) {
    if (out->cap - out->n < 4096) aev__tbuf_reserve(out, out->cap * 2);
    if (out->failed) break;
    z.next_out = (unsigned char *)out->p + out->n;
    z.avail_out = (uInt)(out->cap - out->n - 1);
    rc = inflate(&z, Z_NO_FLUSH);
    out->n = out->cap - 1 - z.avail_out;
    if (rc == Z_BUF_ERROR && z.avail_in) rc = Z_OK; /* the output was full */
  }
  const char *why = out->failed ? "out of memory"
                    : rc == Z_STREAM_END && !z.avail_in ? NULL
                    : rc == Z_STREAM_END ? "data follows the GZIP stream"
                    : rc == Z_MEM_ERROR ? "out of memory"
                    : z.msg ? z.msg
                            : "the GZIP stream ends early";
  inflateEnd(&z);
  if (!why) out->p[out->n] = '\0';
  return why;
}
