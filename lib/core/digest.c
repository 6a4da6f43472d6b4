/* MD5 (RFC 1321) and SHA-256 (FIPS 180-4, on the x86-64 SHA extensions when
 * present), written from the specifications: SQS's MD5OfMessageBody and FIFO
 * content-based deduplication need them on every message, and they beat
 * OpenSSL's EVP on 100-byte bodies here. */
#include <stdint.h>
#include <string.h>

#include "core/digest.h"

typedef void (*blocks_fn)(uint32_t *h, const uint8_t *p, size_t nblocks);

static inline uint32_t rotr32(uint32_t x, int s) {
  return (x >> s) | (x << (32 - s));
}

static inline uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline uint32_t load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* Both algorithms buffer input into 64-byte blocks the same way; inlined into
 * each caller so the block function is a direct call. */
static inline void absorb(uint32_t *h, uint64_t *len, uint8_t buf[64],
                          const uint8_t *p, size_t n, blocks_fn blocks) {
  if (n == 0) /* data may then be NULL, which memcpy must not see */
    return;
  size_t used = (size_t)(*len % 64);
  *len += n;
  if (used) {
    size_t take = 64 - used < n ? 64 - used : n;
    memcpy(buf + used, p, take);
    p += take;
    n -= take;
    if (used + take < 64) return;
    blocks(h, buf, 1);
  }
  if (n >= 64) {
    blocks(h, p, n / 64);
    p += n - n % 64;
    n %= 64;
  }
  memcpy(buf, p, n);
}

/* Appends the 0x80 byte, zeros up to 56 mod 64, and the message length in
 * bits: little-endian for MD5 (RFC 1321 §3.2), big-endian for SHA-256
 * (FIPS 180-4 §5.1.1). */
static inline void finish(uint32_t *h, uint64_t len, uint8_t buf[64],
                          blocks_fn blocks, int big_endian) {
  size_t used = (size_t)(len % 64);
  uint64_t bits = len * 8;
  buf[used++] = 0x80;
  if (used > 56) {
    memset(buf + used, 0, 64 - used);
    blocks(h, buf, 1);
    used = 0;
  }
  memset(buf + used, 0, 56 - used);
  for (int i = 0; i < 8; i++)
    buf[56 + i] = (uint8_t)(bits >> (big_endian ? 56 - 8 * i : 8 * i));
  blocks(h, buf, 1);
}

/* --- MD5 ---------------------------------------------------------------- */

/* T[i] = floor(2^32 * |sin(i + 1)|), RFC 1321 §3.4; X makes each entry. */
#define MD5_T(X) \
    X(0xd76aa478), X(0xe8c7b756), X(0x242070db), X(0xc1bdceee), \
    X(0xf57c0faf), X(0x4787c62a), X(0xa8304613), X(0xfd469501), \
    X(0x698098d8), X(0x8b44f7af), X(0xffff5bb1), X(0x895cd7be), \
    X(0x6b901122), X(0xfd987193), X(0xa679438e), X(0x49b40821), \
    X(0xf61e2562), X(0xc040b340), X(0x265e5a51), X(0xe9b6c7aa), \
    X(0xd62f105d), X(0x02441453), X(0xd8a1e681), X(0xe7d3fbc8), \
    X(0x21e1cde6), X(0xc33707d6), X(0xf4d50d87), X(0x455a14ed), \
    X(0xa9e3e905), X(0xfcefa3f8), X(0x676f02d9), X(0x8d2a4c8a), \
    X(0xfffa3942), X(0x8771f681), X(0x6d9d6122), X(0xfde5380c), \
    X(0xa4beea44), X(0x4bdecfa9), X(0xf6bb4b60), X(0xbebfbc70), \
    X(0x289b7ec6), X(0xeaa127fa), X(0xd4ef3085), X(0x04881d05), \
    X(0xd9d4d039), X(0xe6db99e5), X(0x1fa27cf8), X(0xc4ac5665), \
    X(0xf4292244), X(0x432aff97), X(0xab9423a7), X(0xfc93a039), \
    X(0x655b59c3), X(0x8f0ccc92), X(0xffeff47d), X(0x85845dd1), \
    X(0x6fa87e4f), X(0xfe2ce6e0), X(0xa3014314), X(0x4e0811a1), \
    X(0xf7537e82), X(0xbd3af235), X(0x2ad7d2bb), X(0xeb86d391),
#define MD5_WORD(c) c
static const uint32_t md5_t[64] = {MD5_T(MD5_WORD)};

/* The message word each step reads: k, 1+5k, 5+3k, 7k (mod 16) by round. */
static const uint8_t md5_x[64] = {
    0, 1, 2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
    1, 6, 11, 0,  5,  10, 15, 4,  9,  14, 3,  8,  13, 2,  7,  12,
    5, 8, 11, 14, 1,  4,  7,  10, 13, 0,  3,  6,  9,  12, 15, 2,
    0, 7, 14, 5,  12, 3,  10, 1,  8,  15, 6,  13, 4,  11, 2,  9,
};

#define MD5_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MD5_G(x, y, z) ((y) ^ ((z) & ((x) ^ (y))))
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))
/* A macro, not a function, so the steps also run on vectors of lanes. */
#define MD5_ROTL(v, s) ((v) << (s) | (v) >> (32 - (s)))
#define MD5_STEP(f, a, b, c, d, i, s) \
  (a) = (b) + MD5_ROTL((a) + f((b), (c), (d)) + x[md5_x[i]] + k[i], (s))
/* Four steps starting at step i, rotating the roles of a, b, c, d. Written
 * out rather than looped so every index and shift is a constant. */
#define MD5_QUAD(f, i, s0, s1, s2, s3) \
  MD5_STEP(f, a, b, c, d, i, s0);      \
  MD5_STEP(f, d, a, b, c, i + 1, s1);  \
  MD5_STEP(f, c, d, a, b, i + 2, s2);  \
  MD5_STEP(f, b, c, d, a, i + 3, s3)
#define MD5_ROUND(f, i, s0, s1, s2, s3) \
  MD5_QUAD(f, i, s0, s1, s2, s3);       \
  MD5_QUAD(f, i + 4, s0, s1, s2, s3);   \
  MD5_QUAD(f, i + 8, s0, s1, s2, s3);   \
  MD5_QUAD(f, i + 12, s0, s1, s2, s3)

static void md5_blocks(uint32_t *h, const uint8_t *p, size_t nblocks) {
  const uint32_t *k = md5_t;
  for (; nblocks--; p += 64) {
    uint32_t x[16];
    for (int i = 0; i < 16; i++) x[i] = load_le32(p + 4 * i);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    MD5_ROUND(MD5_F, 0, 7, 12, 17, 22);
    MD5_ROUND(MD5_G, 16, 5, 9, 14, 20);
    MD5_ROUND(MD5_H, 32, 4, 11, 16, 23);
    MD5_ROUND(MD5_I, 48, 6, 10, 15, 21);
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
  }
}

void aev__md5_init(aev__md5 *c) {
  c->h[0] = 0x67452301;
  c->h[1] = 0xefcdab89;
  c->h[2] = 0x98badcfe;
  c->h[3] = 0x10325476;
  c->len = 0;
}

void aev__md5_update(aev__md5 *c, const void *data, size_t n) {
  absorb(c->h, &c->len, c->buf, data, n, md5_blocks);
}

void aev__md5_final(aev__md5 *c, uint8_t out[16]) {
  finish(c->h, c->len, c->buf, md5_blocks, 0);
  for (int i = 0; i < 16; i++) out[i] = (uint8_t)(c->h[i / 4] >> (8 * (i % 4)));
}

/* Copies r < 64 bytes as two overlapping fixed-size moves: a memcpy of a
 * variable size is a call or a byte loop, dearer than the short messages'
 * one-block MD5 in lanes. */
static inline void copy_short(uint8_t *d, const uint8_t *s, size_t r) {
  if (r >= 32) {
    memcpy(d, s, 32);
    memcpy(d + r - 32, s + r - 32, 32);
  } else if (r >= 16) {
    memcpy(d, s, 16);
    memcpy(d + r - 16, s + r - 16, 16);
  } else if (r >= 8) {
    memcpy(d, s, 8);
    memcpy(d + r - 8, s + r - 8, 8);
  } else if (r >= 4) {
    memcpy(d, s, 4);
    memcpy(d + r - 4, s + r - 4, 4);
  } else {
    for (size_t i = 0; i < r; i++) d[i] = s[i];
  }
}

/* The end of an n-byte message as MD5 reads it: its last n % 64 bytes, the
 * 0x80 byte, zeros and the bit length (RFC 1321 §3.1-3.2) in tail; returns
 * how many blocks that makes (1, or 2 when 56 or more bytes are left over). */
static inline size_t md5_tail(const uint8_t *msg, size_t n,
                              uint8_t tail[128]) {
  size_t r = n % 64, end = r < 56 ? 64 : 128;
  /* Fixed-size clears (a few vector stores) under the copy: a clear of
   * the variable gap costs more than the block's zeros. */
  memset(tail, 0, 64);
  if (end == 128) memset(tail + 64, 0, 64);
  if (r) copy_short(tail, msg + (n - r), r);
  tail[r] = 0x80;
  uint64_t bits = (uint64_t)n << 3;
  uint8_t *at = tail + end - 8;
  /* Written out so the compiler merges them into one store. */
  at[0] = (uint8_t)bits, at[1] = (uint8_t)(bits >> 8);
  at[2] = (uint8_t)(bits >> 16), at[3] = (uint8_t)(bits >> 24);
  at[4] = (uint8_t)(bits >> 32), at[5] = (uint8_t)(bits >> 40);
  at[6] = (uint8_t)(bits >> 48), at[7] = (uint8_t)(bits >> 56);
  return end / 64;
}

static inline void md5_store(const uint32_t h[4], uint8_t out[16]) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(out, h, 16); /* the digest is the state's words, little-endian */
#else
  for (int i = 0; i < 4; i++) {
    out[4 * i] = (uint8_t)h[i];
    out[4 * i + 1] = (uint8_t)(h[i] >> 8);
    out[4 * i + 2] = (uint8_t)(h[i] >> 16);
    out[4 * i + 3] = (uint8_t)(h[i] >> 24);
  }
#endif
}

/* Whole blocks read in place, the padded end built once: the incremental
 * path's buffering and byte loops cost half as much as a block. */
void aev__md5_once(const void *data, size_t n, uint8_t out[16]) {
  const uint8_t *p = data;
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  uint8_t tail[128];
  size_t tail_blocks = md5_tail(p, n, tail);
  if (n >= 64) md5_blocks(h, p, n / 64);
  md5_blocks(h, tail, tail_blocks);
  md5_store(h, out);
}

/* One block of MD5 is a chain of 64 dependent steps, so hashing messages
 * one at a time leaves most of the CPU idle. Eight side by side, one per
 * 32-bit lane of a vector (GCC and clang vector extensions; pairs of SSE2
 * registers on plain x86-64), keep it busy: PutRecords hashes up to 500
 * partition keys a call, SendMessageBatch up to 10 bodies. */
#define MD5_LANES 8
typedef uint32_t md5_lanes __attribute__((vector_size(4 * MD5_LANES)));
/* The constants already in every lane: each step adds one from memory
 * rather than building it from an immediate (three instructions). */
#define MD5_SPLAT(c) {c, c, c, c, c, c, c, c}
static const md5_lanes md5_tv[64] = {MD5_T(MD5_SPLAT)};

/* GCC 12+ and clang have __builtin_shufflevector. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MD5_TRANSPOSE 1
#endif
#endif

#ifdef MD5_TRANSPOSE
#define MD5_SHUF(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
/* Words off/4 .. off/4 + 7 of eight blocks (one per lane) into x[0..7]:
 * eight vector loads and an 8x8 transpose in the shapes of the x86 unpack
 * instructions (within 128-bit halves, then across them), where loading
 * each word into its lane costs 128 loads and stores. */
static inline __attribute__((always_inline)) void md5_words(
    const uint8_t *const *p, size_t off, md5_lanes *x) {
  md5_lanes r[8], t[8], u[8];
  for (int l = 0; l < 8; l++) memcpy(&r[l], p[l] + off, sizeof r[l]);
  for (int i = 0; i < 8; i += 2) {
    t[i] = MD5_SHUF(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = MD5_SHUF(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4)
    for (int j = 0; j < 2; j++) {
      u[i + j] = MD5_SHUF(t[i + j], t[i + j + 2], 0, 1, 8, 9, 4, 5, 12, 13);
      u[i + j + 2] =
          MD5_SHUF(t[i + j], t[i + j + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  /* u[i] (lanes 0-3) and u[4 + i] (lanes 4-7) hold word order[i] in their
   * low halves and word order[i] + 4 in their high ones. */
  static const int order[4] = {0, 2, 1, 3};
  for (int w = 0; w < 4; w++) {
    x[w] = MD5_SHUF(u[order[w]], u[4 + order[w]], 0, 1, 2, 3, 8, 9, 10, 11);
    x[w + 4] =
        MD5_SHUF(u[order[w]], u[4 + order[w]], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}
#else
static inline void md5_words(const uint8_t *const *p, size_t off,
                             md5_lanes *x) {
  for (size_t l = 0; l < MD5_LANES; l++)
    for (int w = 0; w < 8; w++) x[w][l] = load_le32(p[l] + off + 4 * w);
}
#endif

/* Up to eight messages (used of them), block by block: lane l reads its
 * message's whole blocks in place, then its padded end. A lane whose
 * message has no block left runs a stand-in block and keeps its state (its
 * mask is 0), so similar lengths together waste least. Inlined into
 * one function per instruction set. */
static inline __attribute__((always_inline)) void md5_lanes_body(
    const uint8_t *const *msg, const size_t *len, size_t used,
    uint8_t *const *out) {
  uint8_t tail[MD5_LANES][128];
  size_t whole[MD5_LANES], most = 0;
  md5_lanes blocks = {0};
  for (size_t l = 0; l < used; l++) {
    whole[l] = len[l] / 64;
    blocks[l] = (uint32_t)(whole[l] + md5_tail(msg[l], len[l], tail[l]));
    if (blocks[l] > most) most = blocks[l];
  }
  const md5_lanes zero = {0};
  md5_lanes h0 = zero + 0x67452301, h1 = zero + 0xefcdab89,
            h2 = zero + 0x98badcfe, h3 = zero + 0x10325476;
  for (size_t blk = 0; blk < most; blk++) {
    /* Unused lanes read lane 0's block. */
    const uint8_t *p[MD5_LANES];
    for (size_t l = 0; l < MD5_LANES; l++) {
      size_t m = l < used ? l : 0;
      p[l] = blk < whole[m]    ? msg[m] + 64 * blk
             : blk < blocks[m] ? tail[m] + 64 * (blk - whole[m])
                               : tail[m];
    }
    md5_lanes x[16];
    md5_words(p, 0, x);
    md5_words(p, 32, x + 8);
    const md5_lanes *k = md5_tv;
    /* Hides the table's contents, which the compiler would otherwise fold
     * back into immediates. */
    __asm__("" : "+r"(k));
    md5_lanes a = h0, b = h1, c = h2, d = h3;
    MD5_ROUND(MD5_F, 0, 7, 12, 17, 22);
    MD5_ROUND(MD5_G, 16, 5, 9, 14, 20);
    MD5_ROUND(MD5_H, 32, 4, 11, 16, 23);
    MD5_ROUND(MD5_I, 48, 6, 10, 15, 21);
    md5_lanes live = (md5_lanes)(zero + (uint32_t)blk < blocks);
    h0 += a & live;
    h1 += b & live;
    h2 += c & live;
    h3 += d & live;
  }
  for (size_t l = 0; l < used; l++) {
    uint32_t h[4] = {h0[l], h1[l], h2[l], h3[l]};
    md5_store(h, out[l]);
  }
}
static void md5_lanes_base(const uint8_t *const *msg, const size_t *len,
                           size_t used, uint8_t *const *out) {
  md5_lanes_body(msg, len, used, out);
}

/* AVX2 holds all eight lanes in one register, with three-operand forms:
 * about half the instructions of the SSE2 pairs. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(AEV_DIGEST_PORTABLE)
#define HAVE_MD5_AVX2 1
__attribute__((target("avx2"))) static void md5_lanes_avx2(
    const uint8_t *const *msg, const size_t *len, size_t used,
    uint8_t *const *out) {
  md5_lanes_body(msg, len, used, out);
}
#endif

static void md5_lanes_run(const uint8_t *const *msg, const size_t *len,
                          size_t used, uint8_t *const *out) {
#ifdef HAVE_MD5_AVX2
  if (__builtin_cpu_supports("avx2")) {
    md5_lanes_avx2(msg, len, used, out);
    return;
  }
#endif
  md5_lanes_base(msg, len, used, out);
}

/* Longer messages run alone: the lanes beside one would idle while it ran. */
#define MD5_LANE_BLOCKS 16

/* Sorted by block count (a counting sort per chunk of up to 64), eight
 * lanes at a time, so that lanes of one run finish together. */
void aev__md5_many(size_t n, const void *const *data, const size_t *lens,
                   uint8_t (*out)[16]) {
  enum { CHUNK = 64 };
  if (n == 1) { /* nothing to sort: a SendMessage */
    aev__md5_once(data[0], lens[0], out[0]);
    return;
  }
  for (size_t from = 0; from < n; from += CHUNK) {
    size_t to = n - from < CHUNK ? n : from + CHUNK, k = 0;
    size_t first[MD5_LANE_BLOCKS + 1] = {0}, least = SIZE_MAX, most = 0;
    uint8_t order[CHUNK];
    for (size_t i = from; i < to; i++) {
      size_t blocks = (lens[i] + 8) / 64 + 1;
      if (blocks > MD5_LANE_BLOCKS) {
        aev__md5_once(data[i], lens[i], out[i]);
        continue;
      }
      first[blocks]++;
      order[k++] = (uint8_t)(i - from);
      if (blocks < least) least = blocks;
      if (blocks > most) most = blocks;
    }
    /* Mixed block counts: sorted (already in order when all are alike, as
     * a batch's usually are). */
    if (least < most) {
      for (size_t b = 0, at = 0; b <= MD5_LANE_BLOCKS; b++) {
        size_t count = first[b];
        first[b] = at;
        at += count;
      }
      for (size_t i = from; i < to; i++) {
        size_t blocks = (lens[i] + 8) / 64 + 1;
        if (blocks <= MD5_LANE_BLOCKS)
          order[first[blocks]++] = (uint8_t)(i - from);
      }
    }
    for (size_t s = 0; s < k; s += MD5_LANES) {
      size_t used = k - s < MD5_LANES ? k - s : MD5_LANES;
      const uint8_t *msg[MD5_LANES];
      size_t len[MD5_LANES];
      uint8_t *dst[MD5_LANES];
      for (size_t l = 0; l < used; l++) {
        size_t i = from + order[s + l];
        msg[l] = data[i];
        len[l] = lens[i];
        dst[l] = out[i];
      }
      if (used == 1) aev__md5_once(msg[0], len[0], dst[0]);
      else md5_lanes_run(msg, len, used, dst);
    }
  }
}

/* --- SHA-256 ------------------------------------------------------------ */

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes, FIPS 180-4 §4.2.2. */
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_blocks_c(uint32_t *h, const uint8_t *p, size_t nblocks) {
  for (; nblocks--; p += 64) {
    uint32_t w[64];
    for (int t = 0; t < 16; t++) w[t] = load_be32(p + 4 * t);
    for (int t = 16; t < 64; t++) {
      uint32_t s0 =
          rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
      uint32_t s1 =
          rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
      uint32_t big_s1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = hh + big_s1 + ch + sha256_k[t] + w[t];
      uint32_t big_s0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + big_s0 + maj;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
}

/* x86-64 SHA extensions (Intel SHA-NI, AMD Zen), about 3x the C rounds: FIFO
 * content-based deduplication hashes every message body. GCC only: clang 14
 * cannot test the "sha" feature with __builtin_cpu_supports, which reads
 * libgcc's CPU model (so this file keeps no state of its own). Built with
 * AEV_DIGEST_PORTABLE, only the C rounds exist (their own test suite, which
 * also covers the MD5 lanes without AVX2). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(AEV_DIGEST_PORTABLE)
#include <immintrin.h>
#define HAVE_SHA_NI 1

__attribute__((target("sha,sse4.1"))) static void sha256_blocks_ni(
    uint32_t *h, const uint8_t *p, size_t nblocks) {
  /* Byte-swaps each 32-bit word: the message is big-endian. */
  const __m128i bswap =
      _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
  /* The instructions keep the state as ABEF and CDGH (A in the top lane). */
  __m128i dcba = _mm_loadu_si128((const __m128i *)h);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)(h + 4));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (; nblocks--; p += 64) {
    __m128i abef0 = abef, cdgh0 = cdgh;
    __m128i w[4]; /* the last 16 schedule words, 4 per vector */
    for (int g = 0; g < 16; g++) {
      __m128i *cur = &w[g % 4];
      if (g < 4) {
        *cur = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)),
                                bswap);
      } else {
        /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], FIPS 180-4
         * 6.2.2, for t = 4g..4g+3; *cur still holds group g-4. */
        __m128i x = _mm_sha256msg1_epu32(*cur, w[(g + 1) % 4]);
        x = _mm_add_epi32(x,
                          _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4));
        *cur = _mm_sha256msg2_epu32(x, w[(g + 3) % 4]);
      }
      __m128i wk = _mm_add_epi32(
          *cur, _mm_loadu_si128((const __m128i *)(sha256_k + 4 * g)));
      /* Two rounds each; after two rounds the old ABEF is the new CDGH, so
       * the two registers trade roles and are back in place after four. */
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
    }
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
  }
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i hgdc = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)h, _mm_blend_epi16(feba, hgdc, 0xF0));
  _mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(hgdc, feba, 8));
}
#endif

static void sha256_blocks(uint32_t *h, const uint8_t *p, size_t nblocks) {
#ifdef HAVE_SHA_NI
  if (__builtin_cpu_supports("sha")) {
    sha256_blocks_ni(h, p, nblocks);
    return;
  }
#endif
  sha256_blocks_c(h, p, nblocks);
}

void aev__sha256_init(aev__sha256 *c) {
  /* The fractional parts of the square roots of the first 8 primes. */
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                 0xa54ff53a, 0x510e527f, 0x9b05688c,
                                 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, iv, sizeof iv);
  c->len = 0;
}

void aev__sha256_update(aev__sha256 *c, const void *data, size_t n) {
  absorb(c->h, &c->len, c->buf, data, n, sha256_blocks);
}

void aev__sha256_final(aev__sha256 *c, uint8_t out[32]) {
  finish(c->h, c->len, c->buf, sha256_blocks, 1);
  for (int i = 0; i < 32; i++)
    out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* --- hex ---------------------------------------------------------------- */

/* Two hex digits per byte from one table load: queue sends and receives
 * format an MD5 and ids on every message. */
#define HEX_ROW(h) h "0", h "1", h "2", h "3", h "4", h "5", h "6", h "7", \
                   h "8", h "9", h "a", h "b", h "c", h "d", h "e", h "f"
static const char hex_pairs[256][3] = {
    HEX_ROW("0"), HEX_ROW("1"), HEX_ROW("2"), HEX_ROW("3"),
    HEX_ROW("4"), HEX_ROW("5"), HEX_ROW("6"), HEX_ROW("7"),
    HEX_ROW("8"), HEX_ROW("9"), HEX_ROW("a"), HEX_ROW("b"),
    HEX_ROW("c"), HEX_ROW("d"), HEX_ROW("e"), HEX_ROW("f")};

void aev__hex(const uint8_t *bytes, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) memcpy(out + 2 * i, hex_pairs[bytes[i]], 2);
  out[2 * n] = 0;
}

void aev__md5_hex(const void *data, size_t n, char out[33]) {
  uint8_t d[16];
  aev__md5_once(data, n, d);
  aev__hex(d, sizeof d, out);
}

void aev__sha256_hex(const void *data, size_t n, char out[65]) {
  aev__sha256 c;
  uint8_t d[32];
  aev__sha256_init(&c);
  aev__sha256_update(&c, data, n);
  aev__sha256_final(&c, d);
  aev__hex(d, sizeof d, out);
}
