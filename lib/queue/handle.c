/* Receipt handles as self-describing tokens: base64 of a version byte, the
 * queue's tag, the message slot, the receive's random nonce and a check
 * byte. Validating one needs no table: the slot's message must still carry
 * that nonce. Also formats message ids, MD5s and sequence numbers. */
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/digest.h"
#include "queue/b64.h"
#include "queue/queue_impl.h"

#define VERSION 2

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* The XOR of the slot and nonce bytes, so a garbled handle is told apart
 * from a stale one (ReceiptHandleIsInvalid rather than a silent no-op). */
static uint8_t check_byte(const uint8_t *raw) {
  uint32_t x = get32(raw + 5) ^ get32(raw + 9) ^ get32(raw + 13) ^ 0x5a;
  x ^= x >> 16;
  return (uint8_t)(x ^ x >> 8);
}

void aev__handle_pack(const aev_queue *q, const aev__msg *m,
                      uint8_t raw[AEV__HANDLE_RAW]) {
  raw[0] = VERSION;
  put32(raw + 1, q->tag);
  put32(raw + 5, m->slot);
  put32(raw + 9, (uint32_t)m->nonce);
  put32(raw + 13, (uint32_t)(m->nonce >> 32));
  raw[17] = check_byte(raw);
}

void aev__handle_text(const uint8_t raw[AEV__HANDLE_RAW], char *out) {
  aev__qb64_encode(raw, AEV__HANDLE_RAW, out);
}

void aev__handle_read(const aev_queue *q, const char *text, aev__handle *h) {
  uint8_t raw[AEV__HANDLE_RAW + 3];
  *h = (aev__handle){.text = text};
  if (!text || strnlen(text, AEV__HANDLE_LEN + 1) != AEV__HANDLE_LEN ||
      aev__qb64_decode(text, AEV__HANDLE_LEN, raw) != AEV__HANDLE_RAW ||
      raw[0] != VERSION || get32(raw + 1) != q->tag ||
      raw[AEV__HANDLE_RAW - 1] != check_byte(raw))
    return;
  h->slot = get32(raw + 5);
  h->nonce = (uint64_t)get32(raw + 9) | (uint64_t)get32(raw + 13) << 32;
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
