/* Receipt handles as self-describing tokens: base64 of a version byte, the
 * queue's tag, the message slot, the receive's random nonce and a check
 * byte. Validating one needs no table: the slot's message must still carry
 * that nonce. Also formats message ids and sequence numbers. */
#include <stdio.h>
#include <string.h>

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

void aev__msg_id_format(const uint8_t id[16], char *out) {
  /* 8-4-4-4-12 hex digits */
  aev__hex(id, 4, out);
  out[8] = '-';
  aev__hex(id + 4, 2, out + 9);
  out[13] = '-';
  aev__hex(id + 6, 2, out + 14);
  out[18] = '-';
  aev__hex(id + 8, 2, out + 19);
  out[23] = '-';
  aev__hex(id + 10, 6, out + 24);
}

void aev__seq_format(uint64_t seq, char *out) {
  snprintf(out, 21, "%020llu", (unsigned long long)seq);
}
