/* Base64 (RFC 4648 §4, padded) for the blobs of AWS's JSON protocol:
 * Kinesis Data, SQS BinaryValue, SNS Binary attributes. */
#include <stdlib.h>

#include "api/api.h"
#include "core/status.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int aev__base64_encode(const void *data, size_t len, char **out) {
  const unsigned char *in = data;
  size_t n = (len + 2) / 3 * 4;
  char *s = malloc(n + 1);
  if (!s)
    return aev__nomem();
  char *p = s;
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    *p++ = alphabet[v >> 18];
    *p++ = alphabet[v >> 12 & 63];
    *p++ = alphabet[v >> 6 & 63];
    *p++ = alphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)in[i + 1] << 8;
    *p++ = alphabet[v >> 18];
    *p++ = alphabet[v >> 12 & 63];
    *p++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
    *p++ = '=';
  }
  *p = 0;
  *out = s;
  return AEV_OK;
}

/* The 6-bit value of c, or -1 outside the alphabet. */
static int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

static int bad_input(void) {
  return aev__fail(AEV_ERR_INVALID, "SerializationException",
                   "Base64 encoded data is invalid.");
}

int aev__base64_decode(const char *text, size_t text_len, unsigned char **out,
                       size_t *out_len) {
  if (text_len % 4 != 0)
    return bad_input();
  size_t pad = 0;
  if (text_len && text[text_len - 1] == '=')
    pad = text_len >= 2 && text[text_len - 2] == '=' ? 2 : 1;
  size_t n = text_len / 4 * 3 - pad;
  unsigned char *buf = malloc(n + 1);
  if (!buf)
    return aev__nomem();
  size_t o = 0;
  for (size_t i = 0; i < text_len; i += 4) {
    int last = i + 4 == text_len;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
      int s = last && k >= 4 - pad ? 0 : sextet((unsigned char)text[i + k]);
      if (s < 0) {
        free(buf);
        return bad_input();
      }
      v = v << 6 | (uint32_t)s;
    }
    buf[o++] = (unsigned char)(v >> 16);
    if (o < n)
      buf[o++] = (unsigned char)(v >> 8);
    if (o < n)
      buf[o++] = (unsigned char)v;
  }
  buf[n] = 0;
  *out = buf;
  *out_len = n;
  return AEV_OK;
}
