/* The seeded id generator: xoshiro256** (Blackman & Vigna) expanded from a
 * 64-bit seed by splitmix64, unbiased bounded draws, and the UUIDv4 and
 * token strings AWS uses for message ids, receipt handles and names. */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "core/ids.h"

static inline uint64_t rotl64(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

void aev__rng_seed(aev__rng *r, uint64_t seed) {
  /* splitmix64 never yields four zero words, the one state xoshiro must not
   * start from. */
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

uint64_t aev__rng_os_seed(void) {
  uint64_t seed;
  ssize_t n;
  do n = getrandom(&seed, sizeof seed, 0);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)sizeof seed) return seed;
  /* No getrandom (old kernel, seccomp): mix the time with stack and code
   * addresses, which ASLR varies between runs. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t mix = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  mix ^= (uint64_t)(uintptr_t)&ts;
  mix ^= rotl64((uint64_t)(uintptr_t)&aev__rng_os_seed, 32);
  return splitmix64(&mix);
}

uint64_t aev__rng_next(aev__rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl64(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl64(s[3], 45);
  return result;
}

uint64_t aev__rng_below(aev__rng *r, uint64_t bound) {
  /* Rejects the 2^64 mod bound lowest values so that every residue has the
   * same number of preimages; at most one draw in two is rejected. */
  uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    uint64_t x = aev__rng_next(r);
    if (x >= threshold) return x % bound;
  }
}

/* Writes the low `nibbles` hex digits of v, most significant first. Faster
 * here than going through bytes and aev__hex (~30 vs ~40 ns a UUID). */
static void put_hex(char *out, uint64_t v, int nibbles) {
  static const char digits[] = "0123456789abcdef";
  for (int i = nibbles - 1; i >= 0; i--, v >>= 4) out[i] = digits[v & 15];
}

void aev__uuid4(aev__rng *r, char out[AEV_UUID_LEN + 1]) {
  uint64_t hi = aev__rng_next(r), lo = aev__rng_next(r);
  aev__uuid4_text(hi, lo, out);
}

void aev__uuid4_text(uint64_t hi, uint64_t lo, char out[AEV_UUID_LEN + 1]) {
  /* RFC 4122 §4.4: 122 random bits, version 4 in the high nibble of
   * time_hi_and_version, variant 10 in the top bits of clock_seq_hi. */
  hi = (hi & ~0xf000ull) | 0x4000u;
  lo = (lo & ~(3ull << 62)) | (2ull << 62);
  /* 8-4-4-4-12 */
  put_hex(out, hi >> 32, 8);
  out[8] = '-';
  put_hex(out + 9, hi >> 16, 4);
  out[13] = '-';
  put_hex(out + 14, hi, 4);
  out[18] = '-';
  put_hex(out + 19, lo >> 48, 4);
  out[23] = '-';
  put_hex(out + 24, lo, 12);
  out[AEV_UUID_LEN] = 0;
}

void aev__token_hex(aev__rng *r, char *out, size_t len) {
  for (size_t i = 0; i < len; i += 16) put_hex(out + i, aev__rng_next(r), len - i < 16 ? (int)(len - i) : 16);
  out[len] = 0;
}

void aev__token(aev__rng *r, char *out, size_t len) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
      "abcdefghijklmnopqrstuvwxyz"
      "0123456789+/";
  /* 64 symbols: each 6-bit slice of a draw picks one without bias, ten per
   * draw. */
  size_t i = 0;
  while (i < len) {
    uint64_t x = aev__rng_next(r);
    for (int k = 0; k < 10 && i < len; k++, x >>= 6)
      out[i++] = alphabet[x & 63];
  }
  out[len] = 0;
}
