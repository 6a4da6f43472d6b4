/* A JSON syntax check without building a document. Invoke only needs to
 * know that a payload is JSON (InvalidRequestContentException otherwise),
 * and on the hot path a parse into jansson values cost more than the whole
 * invocation. aev__json_parse asks the stricter question of what jansson
 * accepts, to tell a text jansson rejected from one it had no memory for.
 * RFC 8259 grammar; nesting is bounded so input cannot exhaust the stack. */
#include <jansson.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/text.h"

#define MAX_DEPTH 512

typedef struct cur {
  const unsigned char *p, *end;
  int as_jansson; /* well-formed UTF-8 and paired surrogate escapes too */
  int max_depth;
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
  return ch >= '0' && ch <= '9' ? ch - '0'
         : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* The four hex digits after \u, or -1. */
static long hex4(cur *c) {
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int d = c->p < c->end ? hex(*c->p++) : -1;
    if (d < 0) return -1;
    v = v << 4 | d;
  }
  return v;
}

/* After \u: its digits, and as jansson takes them, a surrogate only as a
 * high one followed by \u and a low one. */
static int unicode_escape(cur *c) {
  long v = hex4(c);
  if (v < 0) return 0;
  if (!c->as_jansson || v < 0xD800 || v > 0xDFFF) return 1;
  if (v >= 0xDC00 || c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u') return 0;
  c->p += 2;
  long low = hex4(c);
  return low >= 0xDC00 && low <= 0xDFFF;
}

static int string(cur *c) {
  c->p++; /* the opening quote */
  while (c->p < c->end) {
    unsigned char ch = *c->p;
    uint32_t cp;
    size_t n = ch >= 0x80 && c->as_jansson ? aev__utf8_next(c->p, (size_t)(c->end - c->p), &cp) : 1;
    if (!n) return 0;
    c->p += n;
    if (ch == '"') return 1;
    if (ch < 0x20) return 0;
    if (ch != '\\') continue;
    if (c->p >= c->end) return 0;
    ch = *c->p++;
    if (ch == 'u') {
      if (!unicode_escape(c)) return 0;
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
  if (c->p >= c->end || depth > c->max_depth) return 0;
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

static int check(cur *c) {
  if (!value(c, 0)) return 0;
  ws(c);
  return c->p == c->end;
}

int aev__json_valid(const void *text, size_t len) {
  cur c = {text, (const unsigned char *)text + len, 0, MAX_DEPTH};
  return check(&c);
}

int aev__json_valid_as_jansson(const void *text, size_t len) {
  cur c = {text, (const unsigned char *)text + len, 1, JSON_PARSER_MAX_DEPTH - 1};
  return check(&c);
}
