/* The text buffer: appends, JSON string escaping (RFC 8259: quote,
 * backslash and control characters), and handing the text over; and
 * replacing an owned string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/text.h"

void aev__tbuf_reserve(aev__tbuf *b, size_t cap) {
  if (b->failed || cap <= b->cap) return;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->failed = 1;
    return;
  }
  b->p = p;
  b->cap = cap;
}

void aev__tbuf_put(aev__tbuf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) aev__tbuf_reserve(b, (b->n + n + 1) * 2);
  if (b->failed) return;
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

void aev__tbuf_puts(aev__tbuf *b, const char *s) { aev__tbuf_put(b, s, strlen(s)); }

void aev__tbuf_put_url_encoded(aev__tbuf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~", c)) {
      aev__tbuf_put(b, (const char *)&c, 1);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      aev__tbuf_put(b, e, 3);
    }
  }
}

void aev__tbuf_json_string(aev__tbuf *b, const char *s) {
  aev__tbuf_put(b, "\"", 1);
  aev__tbuf_json_escaped(b, s);
  aev__tbuf_put(b, "\"", 1);
}

void aev__tbuf_json_escaped(aev__tbuf *b, const char *s) {
  const char *run = s;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    aev__tbuf_put(b, run, (size_t)(s - run));
    char esc[8];
    switch (c) {
    case '"': aev__tbuf_put(b, "\\\"", 2); break;
    case '\\': aev__tbuf_put(b, "\\\\", 2); break;
    case '\n': aev__tbuf_put(b, "\\n", 2); break;
    case '\r': aev__tbuf_put(b, "\\r", 2); break;
    case '\t': aev__tbuf_put(b, "\\t", 2); break;
    default:
      snprintf(esc, sizeof esc, "\\u%04x", c);
      aev__tbuf_put(b, esc, 6);
    }
    run = s + 1;
  }
  aev__tbuf_put(b, run, (size_t)(s - run));
}

char *aev__tbuf_take(aev__tbuf *b, size_t *len) {
  if (b->failed || !b->p) {
    free(b->p);
    b->p = NULL;
    return NULL;
  }
  if (len) *len = b->n;
  char *p = b->p;
  b->p = NULL;
  return p;
}

void aev__tbuf_put_utf8_lossy(aev__tbuf *b, const char *s, size_t n) {
  uint32_t cp;
  size_t run = 0; /* where the well-formed bytes not yet put begin */
  for (size_t i = 0, k; i < n; i += k) {
    if ((k = aev__utf8_next((const unsigned char *)s + i, n - i, &cp))) continue;
    aev__tbuf_put(b, s + run, i - run);
    aev__tbuf_put(b, "\xef\xbf\xbd", 3);
    k = 1;
    run = i + 1;
  }
  aev__tbuf_put(b, s + run, n - run);
}

int aev__replace_str(char **slot, const char *v) {
  char *copy = v ? strdup(v) : NULL;
  if (v && !copy) return aev__nomem();
  free(*slot);
  *slot = copy;
  return AEV_OK;
}
