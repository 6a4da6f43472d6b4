/* The 128-bit hash-key space: a partition key's MD5 read as a big-endian
 * integer (a PutRecords request's keys hashed together), decimal parsing
 * and formatting, and the even division of the space into shards that AWS
 * uses (2^128 / n, the last shard ending at 2^128 - 1: a 2-shard stream's
 * first shard ends at 170141183460469231731687303715884105727). */
#include <string.h>

#include "core/digest.h"
#include "stream/stream_impl.h"

/* Written out so the compiler makes it one byte-swapped load. */
static inline uint64_t load_be64(const uint8_t *p) {
  return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
         (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
         (uint64_t)p[6] << 8 | p[7];
}

static aev__u128 hash_of_digest(const uint8_t d[16]) {
  return (aev__u128)load_be64(d) << 64 | load_be64(d + 8);
}

aev__u128 aev__hash_of_key(const char *key, size_t len) {
  uint8_t d[16];
  aev__md5_once(key, len, d);
  return hash_of_digest(d);
}

void aev__hash_of_keys(size_t n, const char *const *keys, const size_t *lens,
                       const char *const *explicit_keys, aev__u128 *out) {
  enum { BATCH = 64 };
  const void *msg[BATCH];
  size_t len[BATCH], at[BATCH], k = 0;
  uint8_t d[BATCH][16];
  for (size_t i = 0; i < n; i++) {
    if (!explicit_keys || !explicit_keys[i]) {
      msg[k] = keys[i];
      len[k] = lens[i];
      at[k++] = i;
    }
    if (k == BATCH || (k && i + 1 == n)) {
      aev__md5_many(k, msg, len, d);
      for (size_t j = 0; j < k; j++) out[at[j]] = hash_of_digest(d[j]);
      k = 0;
    }
  }
}

int aev__u128_parse(const char *text, aev__u128 *out) {
  size_t n = text ? strlen(text) : 0;
  if (n == 0 || n > 39 || (n > 1 && text[0] == '0')) return -1;
  aev__u128 v = 0;
  int over = 0;
  for (size_t i = 0; i < n; i++) {
    if (text[i] < '0' || text[i] > '9') return -1;
    unsigned d = (unsigned)(text[i] - '0');
    if (v > (AEV__U128_MAX - d) / 10) over = 1;
    else v = v * 10 + d;
  }
  *out = over ? AEV__U128_MAX : v;
  return over;
}

void aev__u128_format(aev__u128 v, char *out) {
  char tmp[40];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
}

void aev__hash_range(int i, int n, aev__u128 *start, aev__u128 *end) {
  /* floor(2^128 / n) without 2^128: (2^128 - 1) / n is one short exactly
   * when n divides 2^128. */
  aev__u128 step = AEV__U128_MAX / (aev__u128)n;
  if (AEV__U128_MAX % (aev__u128)n == (aev__u128)n - 1) step++;
  *start = step * (aev__u128)i;
  *end = i == n - 1 ? AEV__U128_MAX : step * (aev__u128)(i + 1) - 1;
}
