/* A JSON syntax check without building a document: Invoke only needs to
 * know that a payload is JSON (InvalidRequestContentException otherwise),
 * and on the hot path a parse into jansson values cost more than the whole
 * invocation. RFC 8259 grammar; nesting is bounded so input cannot exhaust
 * the stack. */
#include <string.h>

#include "function/function_impl.h"

#define MAX_DEPTH 512

typedef struct cur {
  const unsigned char *p, *end;
} cur;

static void ws(cur *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static int lit(cur *c, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n)) return 0;
  c->p += n;
  return 1;
}

static int hex(unsigned char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
         (ch >= 'A' && ch <= 'F');
}

static int string(cur *c) {
  c->p++; /* the opening quote */
  while (c->p < c->end) {
    unsigned char ch = *c->p++;
    if (ch == '"') return 1;
    if (ch < 0x20) return 0;
    if (ch != '\\') continue;
    if (c->p >= c->end) return 0;
    ch = *c->p++;
    if (ch == 'u') {
      for (int i = 0; i < 4; i++)
        if (c->p >= c->end || !hex(*c->p++)) return 0;
    } else if (!strchr("\"\\/bfnrt", ch) || !ch) {
      return 0;
    }
  }
  return 0;
}

static int digits(cur *c) {
  const unsigned char *start = c->p;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
  return c->p > start;
}

static int number(cur *c) {
  if (*c->p == '-') c->p++;
  if (c->p < c->end && *c->p == '0') c->p++;
  else if (!digits(c)) return 0;
  if (c->p < c->end && *c->p == '.') {
    c->p++;
    if (!digits(c)) return 0;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    c->p++;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
    if (!digits(c)) return 0;
  }
  return 1;
}

static int value(cur *c, int depth);

static int members(cur *c, int depth, int object) {
  c->p++; /* [ or { */
  ws(c);
  unsigned char close = object ? '}' : ']';
  if (c->p < c->end && *c->p == close) {
    c->p++;
    return 1;
  }
  for (;;) {
    if (object) {
      if (c->p >= c->end || *c->p != '"' || !string(c)) return 0;
      ws(c);
      if (c->p >= c->end || *c->p++ != ':') return 0;
    }
    if (!value(c, depth + 1)) return 0;
    ws(c);
    if (c->p >= c->end) return 0;
    unsigned char ch = *c->p++;
    if (ch == close) return 1;
    if (ch != ',') return 0;
    ws(c);
  }
}

static int value(cur *c, int depth) {
  ws(c);
  if (c->p >= c->end || depth > MAX_DEPTH) return 0;
  switch (*c->p) {
  case '{': return members(c, depth, 1);
  case '[': return members(c, depth, 0);
  case '"': return string(c);
  case 't': return lit(c, "true");
  case 'f': return lit(c, "false");
  case 'n': return lit(c, "null");
  default: return number(c);
  }
}

int aev__json_valid(const void *text, size_t len) {
  cur c = {text, (const unsigned char *)text + len};
  if (!value(&c, 0)) return 0;
  ws(&c);
  return c.p == c.end;
}
