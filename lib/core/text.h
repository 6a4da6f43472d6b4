/* A growing text buffer and JSON string literals written straight into it,
 * for texts built without a jansson tree per message (SNS envelopes and
 * attribute maps, the SNS filter profile's attribute object). */
#ifndef AEV_CORE_TEXT_H
#define AEV_CORE_TEXT_H

#include <stddef.h>

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
/* The text (NUL-terminated, *len bytes) or NULL after a failure. */
char *aev__tbuf_take(aev__tbuf *b, size_t *len);

#endif
