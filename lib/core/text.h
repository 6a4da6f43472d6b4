/* A growing text buffer and JSON string literals written straight into it,
 * for texts built without a jansson tree per message (SNS envelopes and
 * attribute maps, the SNS filter profile's attribute object), and the one
 * UTF-8 decoder that SQS body checks and error messages share; and the one
 * way options and attributes replace a string they own. */
#ifndef AEV_CORE_TEXT_H
#define AEV_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct aev__tbuf {
  char *p;
  size_t n, cap;
  int failed; /* out of memory: p is freed by aev__tbuf_take */
} aev__tbuf;

/* Room for cap bytes in all, so a text of about that size is written
 * without growing the buffer step by step. */
void aev__tbuf_reserve(aev__tbuf *b, size_t cap);
void aev__tbuf_put(aev__tbuf *b, const char *s, size_t n);
void aev__tbuf_puts(aev__tbuf *b, const char *s);
/* s as a JSON string literal, quotes included (UTF-8 kept as is). */
void aev__tbuf_json_string(aev__tbuf *b, const char *s);
/* The same without the quotes: s as the inside of a string literal. */
void aev__tbuf_json_escaped(aev__tbuf *b, const char *s);
/* s percent-encoded as RFC 3986 says: every byte but the unreserved
 * characters (letters, digits, "-._~") as %XX (URLs' query strings, form
 * bodies). */
void aev__tbuf_put_url_encoded(aev__tbuf *b, const char *s);
/* s[0..n) with each byte that does not begin a well-formed UTF-8 sequence
 * as U+FFFD, as Java decodes bytes into a String: for bodies from outside
 * (HTTP answers) that must become JSON strings. */
void aev__tbuf_put_utf8_lossy(aev__tbuf *b, const char *s, size_t n);
/* The text (NUL-terminated, *len bytes) or NULL after a failure. */
char *aev__tbuf_take(aev__tbuf *b, size_t *len);

/* Replaces the string *slot owns with a copy of v (NULL: none). Returns
 * AEV_OK, or AEV_ERR_NOMEM with *slot unchanged. */
int aev__replace_str(char **slot, const char *v);

/* The well-formed UTF-8 sequence starting s (n bytes left, n >= 1): its
 * length (1..4) with its code point in *cp, or 0 when it is malformed (an
 * unexpected byte, cut short, overlong, a surrogate or past U+10FFFF). */
static inline size_t aev__utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t need = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
  if (!need || need >= n) return 0;
  uint32_t v = c & (0x3Fu >> need);
  for (size_t k = 1; k <= need; k++) {
    if ((s[k] & 0xC0) != 0x80) return 0;
    v = v << 6 | (s[k] & 0x3F);
  }
  if ((need == 1 && v < 0x80) || (need == 2 && v < 0x800) ||
      (need == 3 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return need + 1;
}

/* 1 when s[0..n) is well-formed UTF-8 throughout, as jansson's strings
 * must be, else 0. */
static inline int aev__utf8_valid(const char *s, size_t n) {
  const uint64_t high = 0x8080808080808080ULL;
  uint64_t w[4];
  uint32_t cp;
  size_t i = 0;
  while (i < n) {
    /* Most text is ASCII (message bodies are checked on every send and
     * publish): 32 bytes at a time, then 8, then the last 8 read whole. */
    while (n - i >= 32 && (memcpy(w, s + i, 32), !((w[0] | w[1] | w[2] | w[3]) & high))) i += 32;
    while (n - i >= 8 && (memcpy(w, s + i, 8), !(w[0] & high))) i += 8;
    if (i == n || (n - i < 8 && n >= 8 && (memcpy(w, s + n - 8, 8), !(w[0] & high)))) break;
    size_t k = aev__utf8_next((const unsigned char *)s + i, n - i, &cp);
    if (!k) return 0;
    i += k;
  }
  return 1;
}

/* 1 when s is a decimal number written as AWS's Number attributes take
 * it: [+-]digits[.digits][(e|E)[+-]digits], with a digit before the
 * exponent; else 0. strtod alone would also take spaces, "inf", "nan" and
 * hexadecimal. */
static inline int aev__decimal_text(const char *s) {
  int digits = 0;
  if (*s == '+' || *s == '-') s++;
  for (; *s >= '0' && *s <= '9'; s++) digits++;
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++) digits++;
  if (!digits) return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') s++;
    if (!(*s >= '0' && *s <= '9')) return 0;
    while (*s >= '0' && *s <= '9') s++;
  }
  return *s == '\0';
}

/* ASCII's case, whatever locale the host program set: under tr_TR the C
 * library's tolower('I') is not 'i', so "FRI" would not be "fri". */
static inline int aev__ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* 1 when the first n bytes of a and b (or both up to a NUL) are equal but
 * for ASCII's case. */
static inline int aev__ascii_ncaseeq(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (aev__ascii_lower((unsigned char)a[i]) != aev__ascii_lower((unsigned char)b[i])) return 0;
    if (!a[i]) return 1;
  }
  return 1;
}

/* Replaces, in place, each of the n bytes of s that does not begin a
 * well-formed UTF-8 sequence with '?': for text that must go into a
 * jansson string, which refuses malformed UTF-8. */
static inline void aev__utf8_scrub_n(char *s, size_t n) {
  uint32_t cp;
  for (size_t i = 0, k; i < n; i += k)
    if (!(k = aev__utf8_next((const unsigned char *)s + i, n - i, &cp))) {
      s[i] = '?';
      k = 1;
    }
}

/* The same for the NUL-terminated s: messages that quote what a caller
 * sent (or were cut short by a fixed buffer). */
static inline void aev__utf8_scrub(char *s) { aev__utf8_scrub_n(s, strlen(s)); }

/* How many characters (code points) the UTF-8 text s[0..n) holds, as AWS
 * counts the length of a string member: continuation bytes do not count. */
static inline size_t aev__utf8_chars(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

/* The length of the longest start of s[0..n) that is at most max bytes and
 * ends between two characters: where a fixed buffer may cut a message that
 * quotes a caller's text without cutting a character in two. */
static inline size_t aev__utf8_fit(const char *s, size_t n, size_t max) {
  if (n <= max) return n;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
  return max;
}

#endif
