/* Standard base64 encoding and strict decoding for SQS binary attribute
 * values and receipt handles. */
#include "queue/b64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t aev__qb64_len(size_t n) { return (n + 2) / 3 * 4; }

void aev__qb64_encode(const uint8_t *in, size_t n, char *out) {
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    *out++ = alphabet[v >> 18];
    *out++ = alphabet[(v >> 12) & 63];
    *out++ = alphabet[(v >> 6) & 63];
    *out++ = alphabet[v & 63];
  }
  if (i < n) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
    *out++ = alphabet[v >> 18];
    *out++ = alphabet[(v >> 12) & 63];
    *out++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    *out++ = '=';
  }
  *out = '\0';
}

/* Each character's 6-bit value plus one; 0 marks a character outside the
 * alphabet. A table, because receipt handles are decoded on every delete. */
static const uint8_t values[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
    ['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
    ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
    ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

long aev__qb64_decode(const char *text, size_t len, uint8_t *out) {
  while (len > 0 && text[len - 1] == '=') len--;
  if (len % 4 == 1) return -1;
  const unsigned char *s = (const unsigned char *)text;
  long n = 0;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint32_t a = values[s[i]] - 1u, b = values[s[i + 1]] - 1u,
             c = values[s[i + 2]] - 1u, d = values[s[i + 3]] - 1u;
    /* An invalid character wrapped to 0xFFFFFFFF: one test for all four. */
    if ((a | b | c | d) > 63) return -1;
    uint32_t v = a << 18 | b << 12 | c << 6 | d;
    out[n++] = (uint8_t)(v >> 16);
    out[n++] = (uint8_t)(v >> 8);
    out[n++] = (uint8_t)v;
  }
  uint32_t acc = 0;
  int bits = 0;
  for (; i < len; i++) {
    uint32_t v = values[s[i]];
    if (!v) return -1;
    acc = acc << 6 | (v - 1);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  return n;
}
