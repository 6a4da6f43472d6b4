/* Receipt handles as self-describing tokens: lower-case hex of 16 bytes, a
 * version byte, the queue's tag, the message slot, the receive's 48-bit
 * nonce (queue_impl.h) and a check byte. Validating one needs no table: the slot's
 * message must still carry that nonce. Hex of exactly 16 bytes, because
 * every receive writes one and every delete reads one, each in a few SSE2
 * instructions. Also formats message ids, MD5s and sequence numbers. */
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/digest.h"
#include "queue/queue_impl.h"

#define VERSION 4

/* The raw handle as two little-endian words: lo holds the version (byte 0),
 * the tag (1..4) and the slot's low 3 bytes (5..7); hi the slot's top byte
 * (8), the nonce (9..14) and the check byte (15). On little-endian hosts one
 * load or store each: byte by byte, GCC spills a vector-decoded handle to
 * the stack once per byte. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint64_t get64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
#else
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}
#endif

#define NONCE_MASK 0xFFFFFFFFFFFFull

/* The XOR of the slot and nonce bytes (5..14), so a garbled handle is told
 * apart from a stale one (ReceiptHandleIsInvalid rather than a silent
 * no-op). */
static uint8_t check_byte(uint64_t lo, uint64_t hi) {
  uint64_t x = lo >> 40 ^ (hi & 0x00FFFFFFFFFFFFFFull);
  x ^= x >> 32;
  x ^= x >> 16;
  return (uint8_t)(x ^ x >> 8 ^ 0x5a);
}

#ifdef __SSE2__
/* 16 hex digits' values as bytes; *bad gets a bit for any other
 * character. A range check is one add and one signed compare: c + 0x80 -
 * lo wraps exactly the bytes lo..lo+k-1 onto -128..-128+k-1. */
static inline __m128i nibbles16(const char *s, int *bad) {
  __m128i c = _mm_loadu_si128((const __m128i *)(const void *)s);
  __m128i is_d = _mm_cmplt_epi8(_mm_add_epi8(c, _mm_set1_epi8((char)(0x80 - '0'))),
                                _mm_set1_epi8(-128 + 10));
  __m128i is_a = _mm_cmplt_epi8(_mm_add_epi8(c, _mm_set1_epi8((char)(0x80 - 'a'))),
                                _mm_set1_epi8(-128 + 6));
  *bad |= _mm_movemask_epi8(_mm_or_si128(is_d, is_a)) ^ 0xFFFF;
  /* '0'..'9' and 'a'..'f' end in 0..9 and 1..6: letters add 9 */
  return _mm_add_epi8(_mm_and_si128(c, _mm_set1_epi8(0x0F)),
                      _mm_and_si128(is_a, _mm_set1_epi8(9)));
}

/* Each 16-bit lane holds a byte's high nibble (low half) and low nibble
 * (high half): joined, then packed to bytes. */
static __m128i join_pairs(__m128i v) {
  return _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0xFF)), 4),
                      _mm_srli_epi16(v, 8));
}

static int unhex16(const char *s, uint8_t out[16]) {
  int bad = 0;
  __m128i a = nibbles16(s, &bad), b = nibbles16(s + 16, &bad);
  _mm_storeu_si128((__m128i *)(void *)out, _mm_packus_epi16(join_pairs(a), join_pairs(b)));
  return !bad;
}
#else
/* The 2 bytes behind 4 lower-case hex digits, 0 when s holds anything
 * else: the 4 characters as one word, classified with byte-wise range
 * checks (a byte below 0x80 plus 0x80 - lo carries into its top bit exactly
 * when it is >= lo, and none carries into the next byte). */
static int unhex4(const char *s, uint8_t out[2]) {
  uint32_t w;
  memcpy(&w, s, 4);
  const uint32_t highs = 0x80808080u, ones = 0x01010101u;
  uint32_t digit = (w + ones * (0x80 - '0')) & ~(w + ones * (0x7F - '9'));
  uint32_t letter = (w + ones * (0x80 - 'a')) & ~(w + ones * (0x7F - 'f'));
  if ((w & highs) || ((digit | letter) & highs) != highs) return 0;
  uint32_t v = (w & 0x0F0F0F0Fu) + ((letter & highs) >> 7) * 9;
  uint8_t b[4];
  memcpy(b, &v, 4); /* in character order on any byte order */
  out[0] = (uint8_t)(b[0] << 4 | b[1]);
  out[1] = (uint8_t)(b[2] << 4 | b[3]);
  return 1;
}

static int unhex16(const char *s, uint8_t out[16]) {
  for (int i = 0; i < 16; i += 2)
    if (!unhex4(s + 2 * i, out + i)) return 0;
  return 1;
}
#endif

void aev__handle_pack(const aev_queue *q, const aev__msg *m,
                      uint8_t raw[AEV__HANDLE_RAW]) {
  uint64_t lo = VERSION | (uint64_t)q->tag << 8 | (uint64_t)m->slot << 40;
  uint64_t hi = m->slot >> 24 | (m->nonce & NONCE_MASK) << 8;
  put64(raw, lo);
  put64(raw + 8, hi | (uint64_t)check_byte(lo, hi) << 56);
}

void aev__handle_read(const aev_queue *q, const char *text, aev__handle *h) {
  uint8_t raw[AEV__HANDLE_RAW];
  *h = (aev__handle){.text = text};
  if (!text || strnlen(text, AEV__HANDLE_LEN + 1) != AEV__HANDLE_LEN ||
      !unhex16(text, raw))
    return;
  uint64_t lo = get64(raw), hi = get64(raw + 8);
  if ((uint8_t)lo != VERSION || (uint32_t)(lo >> 8) != q->tag ||
      hi >> 56 != check_byte(lo, hi))
    return;
  h->slot = (uint32_t)(lo >> 40) | (uint32_t)(hi & 0xFF) << 24;
  h->nonce = hi >> 8 & NONCE_MASK;
  h->valid = h->nonce != 0;
}

void aev__hex16(const uint8_t in[16], char out[33]) {
#ifdef __SSE2__
  /* Every byte's two nibbles side by side, each turned into '0'..'9' or
   * 'a'..'f' with one compare: 16 bytes in a few vector instructions, where
   * a table lookup per byte costs ~8 instructions (every received message
   * formats two of these). */
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)in);
  __m128i mask = _mm_set1_epi8(0x0f);
  __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), mask), lo = _mm_and_si128(v, mask);
  __m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo);
  __m128i nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0'),
          gap = _mm_set1_epi8('a' - '0' - 10);
  a = _mm_add_epi8(_mm_add_epi8(a, zero), _mm_and_si128(_mm_cmpgt_epi8(a, nine), gap));
  b = _mm_add_epi8(_mm_add_epi8(b, zero), _mm_and_si128(_mm_cmpgt_epi8(b, nine), gap));
  _mm_storeu_si128((__m128i *)(void *)out, a);
  _mm_storeu_si128((__m128i *)(void *)(out + 16), b);
  out[32] = '\0';
#else
  aev__hex(in, 16, out);
#endif
}

void aev__msg_id_format(const uint8_t id[16], char *out) {
  /* 8-4-4-4-12 hex digits */
  char hex[33];
  aev__hex16(id, hex);
  memcpy(out, hex, 8);
  out[8] = '-';
  memcpy(out + 9, hex + 8, 4);
  out[13] = '-';
  memcpy(out + 14, hex + 12, 4);
  out[18] = '-';
  memcpy(out + 19, hex + 16, 4);
  out[23] = '-';
  memcpy(out + 24, hex + 20, 12);
  out[36] = '\0';
}

void aev__seq_format(uint64_t seq, char *out) {
  snprintf(out, 21, "%020llu", (unsigned long long)seq);
}
