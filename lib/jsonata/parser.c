/* JSONata parser: tokenizer, Pratt (top-down operator precedence) parser
 * with JSONata's binding powers, and the AST post-processing pass that
 * turns `.` chains into path steps with predicates, stages, group-by,
 * sort, focus (@) and index (#) bindings, as jsonata-js 2.0.6 does. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "jn.h"

enum { T_END, T_NAME, T_VAR, T_OP, T_STR, T_NUM, T_VALUE, T_REGEX };

typedef struct tok {
  int kind;
  const char *val; /* op id, name, string contents (NUL-terminated, arena) */
  size_t len;
  double num;
  jn_val *lit;
  int pos;
  jn_regex *re;
} tok;

typedef struct parser {
  jn_node **ancestry; /* every % node, by slot index */
  size_t nanc, capanc;
  jn_arena *a;
  const char *src;
  size_t len, pos;
  jn_error *err;
  jmp_buf jmp;
  tok t; /* current token */
  int nest; /* recursion depth of expression() / process() */
} parser;

/* Parsing and post-processing recurse once per nesting level, so a deeply
 * nested expression (a thousand unary minuses, a long chain of binary
 * operators) would overflow the thread's stack: it is refused instead, with
 * the code jsonata-js's own stack overflow maps to. */
enum { MAX_NEST = 500 };

static void fail(parser *p, const char *code, int pos, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));
static void fail(parser *p, const char *code, int pos, const char *fmt, ...) {
  snprintf(p->err->code, sizeof p->err->code, "%s", code);
  p->err->position = pos;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
  va_end(ap);
  longjmp(p->jmp, 1);
}

static char *adup(parser *p, const char *s, size_t n) {
  char *d = jn_alloc(p->a, n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

static const char single_ops[] = ".[]{}(),@#;:?+-*/%|=<>^&!~";

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

static void scan_regex(parser *p, tok *t) {
  size_t start = p->pos;
  int depth = 0;
  while (p->pos < p->len) {
    char ch = p->src[p->pos];
    if (ch == '/' && depth == 0) {
      size_t bs = 0;
      while (p->pos >= bs + 1 && p->src[p->pos - bs - 1] == '\\') bs++;
      if (bs % 2 == 0) {
        size_t plen = p->pos - start;
        if (plen == 0) fail(p, "S0301", (int)p->pos, "Empty regular expressions are not allowed");
        p->pos++;
        size_t fstart = p->pos;
        while (p->pos < p->len && (p->src[p->pos] == 'i' || p->src[p->pos] == 'm')) p->pos++;
        char flags[8] = {0};
        size_t nf = p->pos - fstart;
        if (nf > 6) nf = 6;
        memcpy(flags, p->src + fstart, nf);
        char eb[200];
        t->re = jn_regex_compile(p->a, p->src + start, plen, flags, eb, sizeof eb);
        if (!t->re) fail(p, "S0302", (int)start, "Invalid regular expression: %s", eb);
        t->kind = T_REGEX;
        t->val = adup(p, p->src + start, plen);
        t->len = plen;
        t->pos = (int)p->pos;
        return;
      }
    }
    if ((ch == '(' || ch == '[' || ch == '{') && (p->pos == 0 || p->src[p->pos - 1] != '\\')) depth++;
    if ((ch == ')' || ch == ']' || ch == '}') && (p->pos == 0 || p->src[p->pos - 1] != '\\')) depth--;
    p->pos++;
  }
  fail(p, "S0302", (int)p->pos, "No terminating / in regular expression");
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void put_utf8(char *o, size_t *n, uint32_t cp) {
  if (cp < 0x80) o[(*n)++] = (char)cp;
  else if (cp < 0x800) {
    o[(*n)++] = (char)(0xC0 | (cp >> 6));
    o[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    o[(*n)++] = (char)(0xE0 | (cp >> 12));
    o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    o[(*n)++] = (char)(0xF0 | (cp >> 18));
    o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[(*n)++] = (char)(0x80 | (cp & 0x3F));
  }
}

/* Reads the next token; `prefix` true means a '/' is division, not a regex. */
static void lex(parser *p, tok *t, int prefix) {
  memset(t, 0, sizeof *t);
  for (;;) {
    while (p->pos < p->len && is_ws(p->src[p->pos])) p->pos++;
    if (p->pos + 1 < p->len && p->src[p->pos] == '/' && p->src[p->pos + 1] == '*') {
      size_t cstart = p->pos;
      p->pos += 2;
      while (!(p->pos + 1 < p->len && p->src[p->pos] == '*' && p->src[p->pos + 1] == '/')) {
        p->pos++;
        if (p->pos >= p->len) fail(p, "S0106", (int)cstart, "Comment has no closing tag");
      }
      p->pos += 2;
      continue;
    }
    break;
  }
  if (p->pos >= p->len) {
    t->kind = T_END;
    t->val = "(end)";
    t->pos = (int)p->len;
    return;
  }
  const char *s = p->src;
  char ch = s[p->pos];
  if (!prefix && ch == '/') {
    p->pos++;
    scan_regex(p, t);
    return;
  }
  static const char *const doubles[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"};
  if (p->pos + 1 < p->len)
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++)
      if (ch == doubles[i][0] && s[p->pos + 1] == doubles[i][1]) {
        p->pos += 2;
        t->kind = T_OP;
        t->val = doubles[i];
        t->pos = (int)p->pos;
        return;
      }
  const char *op = strchr(single_ops, ch);
  if (op && ch) {
    static const char *const one[] = {".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?",
                                      "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~"};
    p->pos++;
    t->kind = T_OP;
    t->val = one[op - single_ops];
    t->pos = (int)p->pos;
    return;
  }
  if (ch == '"' || ch == '\'') {
    char q = ch;
    size_t start = ++p->pos;
    char *out = jn_alloc(p->a, p->len - start + 1);
    size_t n = 0;
    while (p->pos < p->len) {
      ch = s[p->pos];
      if (ch == '\\') {
        p->pos++;
        ch = p->pos < p->len ? s[p->pos] : 0;
        switch (ch) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          for (int k = 1; k <= 4; k++) {
            int h = p->pos + (size_t)k < p->len ? hexval(s[p->pos + (size_t)k]) : -1;
            if (h < 0) fail(p, "S0104", (int)p->pos, "The escape sequence \\u must be followed by 4 hex digits");
            cp = cp * 16 + (uint32_t)h;
          }
          p->pos += 4;
          /* a surrogate pair written as two escapes */
          if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 < p->len && s[p->pos + 1] == '\\' && s[p->pos + 2] == 'u') {
            uint32_t lo = 0;
            int ok = 1;
            for (int k = 3; k <= 6; k++) {
              int h = hexval(s[p->pos + (size_t)k]);
              if (h < 0) ok = 0;
              else lo = lo * 16 + (uint32_t)h;
            }
            if (ok && lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              p->pos += 6;
            }
          }
          put_utf8(out, &n, cp);
          break;
        }
        default:
          fail(p, "S0103", (int)p->pos, "Unsupported escape sequence: \\%c", ch);
        }
      } else if (ch == q) {
        p->pos++;
        out[n] = 0;
        t->kind = T_STR;
        t->val = out;
        t->len = n;
        t->pos = (int)p->pos;
        return;
      } else {
        out[n++] = ch;
      }
      p->pos++;
    }
    fail(p, "S0101", (int)p->pos, "String literal must be terminated by a matching quote");
  }
  if (ch >= '0' && ch <= '9') {
    size_t i = p->pos;
    if (s[i] == '0') i++;
    else
      while (i < p->len && s[i] >= '0' && s[i] <= '9') i++;
    if (i + 1 < p->len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
      i++;
      while (i < p->len && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
      size_t j = i + 1;
      if (j < p->len && (s[j] == '+' || s[j] == '-')) j++;
      if (j < p->len && s[j] >= '0' && s[j] <= '9') {
        while (j < p->len && s[j] >= '0' && s[j] <= '9') j++;
        i = j;
      }
    }
    char *txt = adup(p, s + p->pos, i - p->pos);
    double d = aev__strtod(txt, NULL);
    if (!isfinite(d)) fail(p, "S0102", (int)p->pos, "Number out of range: %s", txt);
    p->pos = i;
    t->kind = T_NUM;
    t->num = d;
    t->pos = (int)p->pos;
    return;
  }
  if (ch == '`') {
    size_t start = ++p->pos;
    const char *end = memchr(s + start, '`', p->len - start);
    if (!end) {
      p->pos = p->len;
      fail(p, "S0105", (int)p->len, "Quoted property name must be terminated with a backquote (`)");
    }
    t->kind = T_NAME;
    t->len = (size_t)(end - (s + start));
    t->val = adup(p, s + start, t->len);
    p->pos = (size_t)(end - s) + 1;
    t->pos = (int)p->pos;
    return;
  }
  size_t i = p->pos;
  /* A NUL byte is part of a name (strchr would match the terminator and
   * stop the scan without consuming it, looping forever). */
  while (i < p->len && !is_ws(s[i]) && (!s[i] || !strchr(single_ops, s[i]))) i++;
  if (s[p->pos] == '$') {
    t->kind = T_VAR;
    t->len = i - p->pos - 1;
    t->val = adup(p, s + p->pos + 1, t->len);
    p->pos = i;
    t->pos = (int)i;
    return;
  }
  t->len = i - p->pos;
  t->val = adup(p, s + p->pos, t->len);
  p->pos = i;
  t->pos = (int)i;
  if (!strcmp(t->val, "or") || !strcmp(t->val, "in") || !strcmp(t->val, "and")) {
    t->kind = T_OP;
  } else if (!strcmp(t->val, "true") || !strcmp(t->val, "false")) {
    t->kind = T_VALUE;
    t->lit = JN_BOOLV(t->val[0] == 't');
  } else if (!strcmp(t->val, "null")) {
    t->kind = T_VALUE;
    t->lit = JN_NULLV;
  } else {
    t->kind = T_NAME;
  }
}

/* ---- Pratt parser ---- */
static int lbp_of(const tok *t) {
  if (t->kind != T_OP) return 0;
  static const struct {
    const char *op;
    int bp;
  } bps[] = {{".", 75}, {"[", 80}, {"{", 70}, {"(", 80}, {"@", 80}, {"#", 80}, {"?", 20},
             {"+", 50}, {"-", 50}, {"*", 60}, {"/", 60}, {"%", 60}, {"=", 40}, {"<", 40},
             {">", 40}, {"^", 40}, {"**", 60}, {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
             {"?:", 40}, {"??", 40}, {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50}, {":=", 10}};
  for (size_t i = 0; i < sizeof bps / sizeof bps[0]; i++)
    if (!strcmp(bps[i].op, t->val)) return bps[i].bp;
  return 0;
}

static int is_op(const tok *t, const char *id) { return t->kind == T_OP && !strcmp(t->val, id); }

static jn_node *mk(parser *p, int type, int pos) {
  jn_node *n = jn_alloc(p->a, sizeof *n);
  memset(n, 0, sizeof *n);
  n->type = type;
  n->position = pos;
  return n;
}

static void add_item(jn_arena *a, jn_node *n, jn_node *item) {
  if (n->nitems == n->capitems) {
    size_t cap = n->capitems ? n->capitems * 2 : 4;
    jn_node **items = jn_alloc(a, cap * sizeof *items);
    if (n->nitems) memcpy(items, n->items, n->nitems * sizeof *items);
    n->items = items;
    n->capitems = cap;
  }
  n->items[n->nitems++] = item;
}

static void advance(parser *p, const char *id, int infix) {
  if (id && !is_op(&p->t, id)) {
    if (p->t.kind == T_END)
      fail(p, "S0203", p->t.pos, "Expected \"%s\" before end of expression", id);
    fail(p, "S0202", p->t.pos, "Expected \"%s\", got \"%s\"", id, p->t.val ? p->t.val : "");
  }
  lex(p, &p->t, infix);
  if (p->t.kind == T_OP) {
    static const char *const known[] = {".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?",
                                        "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "**", "..",
                                        ":=", "!=", "<=", ">=", "~>", "?:", "??", "and", "or", "in", "&"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      if (!strcmp(known[i], p->t.val)) ok = 1;
    if (!ok) fail(p, "S0204", p->t.pos, "Unknown operator: \"%s\"", p->t.val);
  }
}

static jn_node *expression(parser *p, int rbp);

static jn_node *object_body(parser *p, jn_node *n) {
  size_t cap = 4;
  n->pairs = jn_alloc(p->a, cap * sizeof *n->pairs);
  if (!is_op(&p->t, "}")) {
    for (;;) {
      jn_node *k = expression(p, 0);
      advance(p, ":", 0);
      jn_node *v = expression(p, 0);
      if (n->npairs == cap) {
        cap *= 2;
        jn_pair *np = jn_alloc(p->a, cap * sizeof *np);
        memcpy(np, n->pairs, n->npairs * sizeof *np);
        n->pairs = np;
      }
      n->pairs[n->npairs].k = k;
      n->pairs[n->npairs].v = v;
      n->npairs++;
      if (!is_op(&p->t, ",")) break;
      advance(p, ",", 0);
    }
  }
  advance(p, "}", 1);
  return n;
}

static jn_node *nud(parser *p, tok t) {
  jn_node *n;
  switch (t.kind) {
  case T_NAME:
    n = mk(p, N_NAME, t.pos);
    n->op = t.val;
    n->slen = t.len;
    return n;
  case T_VAR:
    n = mk(p, N_VARIABLE, t.pos);
    n->op = t.val;
    return n;
  case T_STR:
    n = mk(p, N_STRING, t.pos);
    n->op = t.val;
    n->slen = t.len;
    return n;
  case T_NUM:
    n = mk(p, N_NUMBER, t.pos);
    n->num = t.num;
    return n;
  case T_VALUE:
    n = mk(p, N_VALUE, t.pos);
    n->value = t.lit;
    return n;
  case T_REGEX:
    n = mk(p, N_REGEX, t.pos);
    n->re = t.re;
    n->op = t.val;
    return n;
  case T_END:
    fail(p, "S0207", t.pos, "Unexpected end of expression");
  default: break;
  }
  const char *id = t.val;
  if (!strcmp(id, "and") || !strcmp(id, "or") || !strcmp(id, "in")) {
    n = mk(p, N_NAME, t.pos);
    n->op = id;
    n->slen = strlen(id);
    return n;
  }
  if (!strcmp(id, "-")) {
    n = mk(p, N_UNARY_MINUS, t.pos);
    n->lhs = expression(p, 70);
    return n;
  }
  if (!strcmp(id, "*")) return mk(p, N_WILDCARD, t.pos);
  if (!strcmp(id, "**")) return mk(p, N_DESCENDANT, t.pos);
  if (!strcmp(id, "%")) return mk(p, N_PARENT, t.pos);
  if (!strcmp(id, "(")) {
    n = mk(p, N_BLOCK, t.pos);
    while (!is_op(&p->t, ")")) {
      add_item(p->a, n, expression(p, 0));
      if (!is_op(&p->t, ";")) break;
      advance(p, ";", 0);
    }
    advance(p, ")", 1);
    return n;
  }
  if (!strcmp(id, "[")) {
    n = mk(p, N_ARRAY, t.pos);
    if (!is_op(&p->t, "]")) {
      for (;;) {
        jn_node *item = expression(p, 0);
        if (is_op(&p->t, "..")) {
          jn_node *r = mk(p, N_BINARY, p->t.pos);
          r->op = "..";
          r->lhs = item;
          advance(p, "..", 0);
          r->rhs = expression(p, 0);
          item = r;
        }
        add_item(p->a, n, item);
        if (!is_op(&p->t, ",")) break;
        advance(p, ",", 0);
      }
    }
    advance(p, "]", 1);
    return n;
  }
  if (!strcmp(id, "{")) return object_body(p, mk(p, N_OBJECT, t.pos));
  if (!strcmp(id, "|")) {
    n = mk(p, N_TRANSFORM, t.pos);
    n->lhs = expression(p, 0);
    advance(p, "|", 0);
    n->rhs = expression(p, 0);
    if (is_op(&p->t, ",")) {
      advance(p, ",", 0);
      n->els = expression(p, 0);
    }
    advance(p, "|", 0);
    return n;
  }
  if (!strcmp(id, "?")) {
    n = mk(p, N_OPERATOR, t.pos);
    n->op = "?";
    return n;
  }
  fail(p, "S0211", t.pos, "The symbol \"%s\" cannot be used as a unary operator", id);
}

static jn_node *led(parser *p, tok t, jn_node *left) {
  const char *id = t.val;
  jn_node *n;
  if (!strcmp(id, "(")) {
    n = mk(p, N_FUNCTION, t.pos);
    n->lhs = left;
    if (!is_op(&p->t, ")")) {
      for (;;) {
        if (is_op(&p->t, "?")) {
          n->type = N_PARTIAL;
          jn_node *ph = mk(p, N_PLACEHOLDER, p->t.pos);
          add_item(p->a, n, ph);
          advance(p, "?", 0);
        } else {
          add_item(p->a, n, expression(p, 0));
        }
        if (!is_op(&p->t, ",")) break;
        advance(p, ",", 0);
      }
    }
    advance(p, ")", 1);
    if (left->type == N_NAME && (!strcmp(left->op, "function") || !strcmp(left->op, "\xce\xbb"))) {
      for (size_t i = 0; i < n->nitems; i++)
        if (n->items[i]->type != N_VARIABLE)
          fail(p, "S0208", n->items[i]->position, "Parameter %zu of function definition must be a variable name (start with $)", i + 1);
      n->type = N_LAMBDA;
      if (is_op(&p->t, "<")) {
        int sigpos = p->t.pos;
        int depth = 1;
        char sig[256] = "<";
        size_t sl = 1;
        while (depth > 0 && !is_op(&p->t, "{") && p->t.kind != T_END) {
          advance(p, NULL, 0);
          if (is_op(&p->t, ">")) depth--;
          else if (is_op(&p->t, "<")) depth++;
          const char *v = p->t.val ? p->t.val : "";
          size_t vl = strlen(v);
          if (sl + vl < sizeof sig - 1) {
            memcpy(sig + sl, v, vl);
            sl += vl;
            sig[sl] = 0;
          }
        }
        advance(p, ">", 0);
        int bad = 0;
        n->sig = jn_sig_parse(p->a, sig, &bad);
        if (!n->sig && bad < 0)
          fail(p, "S0402", sigpos - bad - 1, "Choice groups containing parameterized types are not supported");
        if (!n->sig) fail(p, "S0401", sigpos + bad, "Type parameters can only be applied to functions and arrays");
      }
      advance(p, "{", 0);
      n->rhs = expression(p, 0);
      advance(p, "}", 0);
    }
    return n;
  }
  if (!strcmp(id, "[")) {
    if (is_op(&p->t, "]")) {
      jn_node *step = left;
      while (step && step->type == N_BINARY && !strcmp(step->op, "[")) step = step->lhs;
      step->keep_array = 1;
      advance(p, "]", 0);
      return left;
    }
    n = mk(p, N_BINARY, t.pos);
    n->op = "[";
    n->lhs = left;
    n->rhs = expression(p, 0);
    advance(p, "]", 1);
    return n;
  }
  if (!strcmp(id, "^")) {
    n = mk(p, N_SORT_RAW, t.pos);
    n->lhs = left;
    advance(p, "(", 0);
    size_t cap = 4;
    n->terms = jn_alloc(p->a, cap * sizeof *n->terms);
    for (;;) {
      int desc = 0;
      if (is_op(&p->t, "<")) advance(p, "<", 0);
      else if (is_op(&p->t, ">")) {
        desc = 1;
        advance(p, ">", 0);
      }
      if (n->nterms == cap) {
        cap *= 2;
        jn_sortterm *nt = jn_alloc(p->a, cap * sizeof *nt);
        memcpy(nt, n->terms, n->nterms * sizeof *nt);
        n->terms = nt;
      }
      n->terms[n->nterms].descending = desc;
      n->terms[n->nterms].expr = expression(p, 0);
      n->nterms++;
      if (!is_op(&p->t, ",")) break;
      advance(p, ",", 0);
    }
    advance(p, ")", 0);
    return n;
  }
  if (!strcmp(id, "{")) {
    n = mk(p, N_GROUPBY_RAW, t.pos);
    n->lhs = left;
    return object_body(p, n);
  }
  if (!strcmp(id, ":=")) {
    if (left->type != N_VARIABLE) fail(p, "S0212", left->position, "The left side of := must be a variable name (start with $)");
    n = mk(p, N_BINARY, t.pos);
    n->op = ":=";
    n->lhs = left;
    n->rhs = expression(p, 10 - 1);
    return n;
  }
  if (!strcmp(id, "@") || !strcmp(id, "#")) {
    n = mk(p, N_BINARY, t.pos);
    n->op = id;
    n->lhs = left;
    n->rhs = expression(p, 80);
    if (n->rhs->type != N_VARIABLE)
      fail(p, "S0214", n->rhs->position, "The right side of %s must be a variable name (start with $)", id);
    return n;
  }
  if (!strcmp(id, "?")) {
    n = mk(p, N_CONDITION, t.pos);
    n->lhs = left;
    n->rhs = expression(p, 0);
    if (is_op(&p->t, ":")) {
      advance(p, ":", 0);
      n->els = expression(p, 0);
    }
    return n;
  }
  if (!strcmp(id, "?:") || !strcmp(id, "??")) {
    n = mk(p, id[1] == ':' ? N_ELVIS : N_COALESCE, t.pos);
    n->lhs = left;
    n->rhs = expression(p, 0);
    return n;
  }
  int bp = lbp_of(&t);
  if (bp == 0) fail(p, "S0201", t.pos, "Syntax error: \"%s\"", id);
  n = mk(p, N_BINARY, t.pos);
  n->op = id;
  n->lhs = left;
  n->rhs = expression(p, bp);
  return n;
}

static void nest_in(parser *p, int position) {
  if (++p->nest > MAX_NEST)
    fail(p, "U1001", position, "Stack overflow error: the expression is nested more than %d levels deep", MAX_NEST);
}

static jn_node *expression(parser *p, int rbp) {
  tok t = p->t;
  nest_in(p, t.pos);
  advance(p, NULL, 1);
  jn_node *left = nud(p, t);
  while (rbp < lbp_of(&p->t)) {
    t = p->t;
    advance(p, NULL, 0);
    left = led(p, t, left);
  }
  p->nest--;
  return left;
}

/* ---- post-processing (jsonata-js processAST) ---- */
static jn_node *process(parser *p, jn_node *e);

/* ---- parent operator: ancestry resolution as jsonata-js does it ---- */
static void seek_add(parser *p, jn_node *n, jn_slot *s) {
  if (n->nseek == n->capseek) {
    size_t cap = n->capseek ? n->capseek * 2 : 2;
    jn_slot **ns = jn_alloc(p->a, cap * sizeof *ns);
    if (n->nseek) memcpy(ns, n->seek, n->nseek * sizeof *ns);
    n->seek = ns;
    n->capseek = cap;
  }
  n->seek[n->nseek++] = s;
}

static void push_ancestry(parser *p, jn_node *result, jn_node *value) {
  if (!value) return;
  for (size_t i = 0; i < value->nseek; i++) seek_add(p, result, value->seek[i]);
  if (value->type == N_PARENT) seek_add(p, result, value->slot);
}

static jn_slot *seek_parent(parser *p, jn_node *node, jn_slot *slot) {
  switch (node->type) {
  case N_NAME:
  case N_WILDCARD:
    slot->level--;
    if (slot->level == 0) {
      if (node->anc) p->ancestry[slot->index]->slot->label = node->anc->label;
      node->anc = slot;
      node->tuple = 1;
    }
    break;
  case N_PARENT: slot->level++; break;
  case N_BLOCK:
    if (node->nitems) {
      node->tuple = 1;
      slot = seek_parent(p, node->items[node->nitems - 1], slot);
    }
    break;
  case N_PATH: {
    node->tuple = 1;
    long idx = (long)node->nitems - 1;
    slot = seek_parent(p, node->items[idx--], slot);
    while (slot->level > 0 && idx >= 0) slot = seek_parent(p, node->items[idx--], slot);
    break;
  }
  default:
    fail(p, "S0217", node->position, "The object representing the 'parent' cannot be derived from this expression");
  }
  return slot;
}

static void resolve_ancestry(parser *p, jn_node *path) {
  jn_node *last = path->items[path->nitems - 1];
  size_t ns = last->nseek + (last->type == N_PARENT);
  jn_slot **slots = jn_alloc(p->a, (ns + 1) * sizeof *slots);
  for (size_t i = 0; i < last->nseek; i++) slots[i] = last->seek[i];
  if (last->type == N_PARENT) slots[ns - 1] = last->slot;
  for (size_t is = 0; is < ns; is++) {
    jn_slot *slot = slots[is];
    long idx = (long)path->nitems - 2;
    while (slot->level > 0) {
      if (idx < 0) {
        seek_add(p, path, slot);
        break;
      }
      jn_node *step = path->items[idx--];
      while (idx >= 0 && step->focus && path->items[idx]->focus) step = path->items[idx--];
      slot = seek_parent(p, step, slot);
    }
  }
}

static void add_stage(jn_arena *a, jn_node *step, jn_stage st) {
  if (step->nstages == step->capstages) {
    size_t cap = step->capstages ? step->capstages * 2 : 2;
    jn_stage *ns = jn_alloc(a, cap * sizeof *ns);
    if (step->nstages) memcpy(ns, step->stages, step->nstages * sizeof *ns);
    step->stages = ns;
    step->capstages = cap;
  }
  step->stages[step->nstages++] = st;
}

static jn_node *as_path(parser *p, jn_node *n) {
  if (n->type == N_PATH) return n;
  jn_node *path = mk(p, N_PATH, n->position);
  add_item(p->a, path, n);
  return path;
}

static jn_node *tail_call(parser *p, jn_node *body) {
  if (body->type == N_FUNCTION && body->nstages == 0) {
    jn_node *th = mk(p, N_LAMBDA, body->position);
    th->thunk = 1;
    th->rhs = body;
    return th;
  }
  if (body->type == N_CONDITION) {
    body->rhs = tail_call(p, body->rhs);
    if (body->els) body->els = tail_call(p, body->els);
    return body;
  }
  if (body->type == N_BLOCK && body->nitems > 0) {
    body->items[body->nitems - 1] = tail_call(p, body->items[body->nitems - 1]);
  }
  return body;
}

static jn_node *process_node(parser *p, jn_node *e);

/* processes e, counting the nesting (a chain of binary operators is parsed
 * in a loop but nests in the tree) */
static jn_node *process(parser *p, jn_node *e) {
  nest_in(p, e->position);
  jn_node *r = process_node(p, e);
  p->nest--;
  return r;
}

static jn_node *process_node(parser *p, jn_node *e) {
  jn_node *r = e;
  switch (e->type) {
  case N_BINARY: {
    const char *op = e->op;
    if (!strcmp(op, ".")) {
      jn_node *l = process(p, e->lhs);
      r = as_path(p, l);
      if (l->type == N_PARENT) seek_add(p, r, l->slot);
      jn_node *rest = process(p, e->rhs);
      if (rest->type == N_PATH) {
        for (size_t i = 0; i < rest->nitems; i++) add_item(p->a, r, rest->items[i]);
      } else {
        if (rest->nstages && rest->stages_are_predicates) rest->stages_are_predicates = 0;
        add_item(p->a, r, rest);
      }
      for (size_t i = 0; i < r->nitems; i++) {
        jn_node *st = r->items[i];
        if (st->type == N_NUMBER || st->type == N_VALUE)
          fail(p, "S0213", st->position, "The literal value %s cannot be used as a step within a path expression",
               st->type == N_NUMBER ? "number" : "true/false/null");
        if (st->type == N_STRING) st->type = N_NAME;
        if (st->keep_array) r->keep_singleton = 1;
      }
      if (r->items[0]->type == N_ARRAY) r->items[0]->consarray = 1;
      if (r->items[r->nitems - 1]->type == N_ARRAY) r->items[r->nitems - 1]->consarray = 1;
      resolve_ancestry(p, r);
      break;
    }
    if (!strcmp(op, "[")) {
      r = process(p, e->lhs);
      jn_node *step = r;
      int as_stage = 0;
      if (r->type == N_PATH) {
        step = r->items[r->nitems - 1];
        as_stage = 1;
      }
      if (step->group) fail(p, "S0209", e->position, "A predicate cannot follow a grouping expression in a step");
      jn_node *pred = process(p, e->rhs);
      if (pred->nseek) {
        for (size_t i = 0; i < pred->nseek; i++) {
          if (pred->seek[i]->level == 1) seek_parent(p, step, pred->seek[i]);
          else pred->seek[i]->level--;
        }
        push_ancestry(p, step, pred);
      }
      if (step->nstages == 0) step->stages_are_predicates = !as_stage;
      jn_stage st = {0, pred, NULL, e->position};
      add_stage(p->a, step, st);
      break;
    }
    if (!strcmp(op, ":=")) {
      r = mk(p, N_BIND, e->position);
      r->lhs = process(p, e->lhs);
      r->rhs = process(p, e->rhs);
      push_ancestry(p, r, r->rhs);
      break;
    }
    if (!strcmp(op, "@")) {
      r = process(p, e->lhs);
      jn_node *step = r;
      if (r->type == N_PATH) step = r->items[r->nitems - 1];
      if (step->nstages) fail(p, "S0215", e->position, "A context variable binding must precede any predicates on a step");
      if (step->type == N_SORT) fail(p, "S0216", e->position, "A context variable binding must precede the 'order-by' clause on a step");
      if (e->keep_array) step->keep_array = 1;
      step->focus = e->rhs->op;
      step->tuple = 1;
      break;
    }
    if (!strcmp(op, "#")) {
      r = process(p, e->lhs);
      jn_node *step = r;
      if (r->type == N_PATH) {
        step = r->items[r->nitems - 1];
      } else {
        r = as_path(p, r);
        if (step->nstages) step->stages_are_predicates = 0;
      }
      if (step->nstages == 0) {
        step->index = e->rhs->op;
      } else {
        jn_stage st = {1, NULL, e->rhs->op, e->position};
        add_stage(p->a, step, st);
      }
      step->tuple = 1;
      break;
    }
    if (!strcmp(op, "~>")) {
      r = mk(p, N_APPLY, e->position);
      r->lhs = process(p, e->lhs);
      r->rhs = process(p, e->rhs);
      r->keep_array = r->lhs->keep_array || r->rhs->keep_array;
      break;
    }
    r = mk(p, N_BINARY, e->position);
    r->op = op;
    r->lhs = process(p, e->lhs);
    r->rhs = process(p, e->rhs);
    push_ancestry(p, r, r->lhs);
    push_ancestry(p, r, r->rhs);
    break;
  }
  case N_GROUPBY_RAW: {
    r = process(p, e->lhs);
    if (r->group) fail(p, "S0210", e->position, "Each step can only have one grouping expression");
    jn_group *g = jn_alloc(p->a, sizeof *g);
    g->n = e->npairs;
    g->pairs = jn_alloc(p->a, (e->npairs + 1) * sizeof *g->pairs);
    for (size_t i = 0; i < e->npairs; i++) {
      g->pairs[i].k = process(p, e->pairs[i].k);
      g->pairs[i].v = process(p, e->pairs[i].v);
    }
    g->position = e->position;
    r->group = g;
    break;
  }
  case N_SORT_RAW: {
    r = as_path(p, process(p, e->lhs));
    jn_node *s = mk(p, N_SORT, e->position);
    s->terms = e->terms;
    s->nterms = e->nterms;
    for (size_t i = 0; i < s->nterms; i++) {
      s->terms[i].expr = process(p, s->terms[i].expr);
      push_ancestry(p, s, s->terms[i].expr);
    }
    add_item(p->a, r, s);
    resolve_ancestry(p, r);
    break;
  }
  case N_UNARY_MINUS:
    r = e;
    r->lhs = process(p, e->lhs);
    if (r->lhs->type == N_NUMBER) {
      r = r->lhs;
      r->num = -r->num;
    } else {
      push_ancestry(p, r, r->lhs);
    }
    break;
  case N_ARRAY:
    for (size_t i = 0; i < e->nitems; i++) {
      e->items[i] = process(p, e->items[i]);
      push_ancestry(p, e, e->items[i]);
    }
    break;
  case N_OBJECT:
    for (size_t i = 0; i < e->npairs; i++) {
      e->pairs[i].k = process(p, e->pairs[i].k);
      push_ancestry(p, e, e->pairs[i].k);
      e->pairs[i].v = process(p, e->pairs[i].v);
      push_ancestry(p, e, e->pairs[i].v);
    }
    break;
  case N_FUNCTION:
  case N_PARTIAL:
    for (size_t i = 0; i < e->nitems; i++) {
      e->items[i] = process(p, e->items[i]);
      push_ancestry(p, e, e->items[i]);
    }
    e->lhs = process(p, e->lhs);
    break;
  case N_LAMBDA:
    e->rhs = tail_call(p, process(p, e->rhs));
    break;
  case N_CONDITION:
  case N_TRANSFORM:
  case N_ELVIS:
  case N_COALESCE:
    e->lhs = process(p, e->lhs);
    e->rhs = process(p, e->rhs);
    if (e->els) e->els = process(p, e->els);
    if (e->type == N_CONDITION) {
      push_ancestry(p, e, e->lhs);
      push_ancestry(p, e, e->rhs);
      push_ancestry(p, e, e->els);
    }
    break;
  case N_BLOCK:
    for (size_t i = 0; i < e->nitems; i++) {
      e->items[i] = process(p, e->items[i]);
      push_ancestry(p, e, e->items[i]);
      jn_node *part = e->items[i];
      if (part->consarray || (part->type == N_PATH && part->items[0]->consarray)) e->consarray = 1;
    }
    break;
  case N_NAME:
    r = as_path(p, e);
    if (e->keep_array) r->keep_singleton = 1;
    break;
  case N_PARENT: {
    jn_slot *slot = jn_alloc(p->a, sizeof *slot);
    char label[24];
    snprintf(label, sizeof label, "!%zu", p->nanc);
    slot->label = adup(p, label, strlen(label));
    slot->level = 1;
    slot->index = (int)p->nanc;
    e->slot = slot;
    if (p->nanc == p->capanc) {
      size_t cap = p->capanc ? p->capanc * 2 : 4;
      jn_node **na = jn_alloc(p->a, cap * sizeof *na);
      if (p->nanc) memcpy(na, p->ancestry, p->nanc * sizeof *na);
      p->ancestry = na;
      p->capanc = cap;
    }
    p->ancestry[p->nanc++] = e;
    r = e;
    break;
  }
  case N_NUMBER: {
    r = e;
    break;
  }
  default:
    break;
  }
  if (e->keep_array) r->keep_array = 1;
  return r;
}

static void each_node(jn_node *n, void (*fn)(jn_node *, void *), void *ctx);
static void finish_literal(jn_node *n, void *arena);

static void parse_oom(void *p) { fail(p, JN_OUT_OF_MEMORY, -1, "Out of memory."); }

/* The parser raises the arena's out of memory while it runs (it may run
 * inside an evaluation: $eval), as a failed parse with JN_OUT_OF_MEMORY. */
static jn_node *parse(parser *p) {
  if (setjmp(p->jmp)) return NULL;
  advance(p, NULL, 0);
  jn_node *e = expression(p, 0);
  if (p->t.kind != T_END) fail(p, "S0201", p->t.pos, "Syntax error: \"%s\"", p->t.val ? p->t.val : "");
  e = process(p, e);
  if (e->type == N_PARENT || e->nseek)
    fail(p, "S0217", e->position, "The object representing the 'parent' cannot be derived from this expression");
  each_node(e, finish_literal, p->a);
  return e;
}

jn_node *jn_parse(jn_arena *a, const char *src, size_t len, jn_error *err) {
  parser p = {.a = a, .src = src, .len = len, .err = err};
  void (*outer)(void *) = a->oom;
  void *outer_ctx = a->oom_ctx;
  a->oom = parse_oom;
  a->oom_ctx = &p;
  jn_node *e = parse(&p);
  a->oom = outer;
  a->oom_ctx = outer_ctx;
  return e;
}

static int plain_step(const jn_node *s) {
  return !s->nstages && !s->group && !s->tuple && !s->keep_array && !s->focus && !s->index && !s->consarray && !s->anc;
}

/* Calls fn on n and on every node under it. */
static void each_node(jn_node *n, void (*fn)(jn_node *, void *), void *ctx) {
  if (!n) return;
  fn(n, ctx);
  each_node(n->lhs, fn, ctx);
  each_node(n->rhs, fn, ctx);
  each_node(n->els, fn, ctx);
  for (size_t i = 0; i < n->nitems; i++) each_node(n->items[i], fn, ctx);
  for (size_t i = 0; i < n->npairs; i++) {
    each_node(n->pairs[i].k, fn, ctx);
    each_node(n->pairs[i].v, fn, ctx);
  }
  for (size_t i = 0; i < n->nterms; i++) each_node(n->terms[i].expr, fn, ctx);
  for (size_t i = 0; i < n->nstages; i++) each_node(n->stages[i].expr, fn, ctx);
  if (n->group)
    for (size_t i = 0; i < n->group->n; i++) {
      each_node(n->group->pairs[i].k, fn, ctx);
      each_node(n->group->pairs[i].v, fn, ctx);
    }
}

/* Literal nodes carry a ready value so evaluation allocates nothing; paths
 * of plain names are marked for the evaluator's direct walk. */
static void finish_literal(jn_node *n, void *arena) {
  jn_arena *a = arena;
  if (n->type == N_PATH && !n->keep_singleton && !n->group && !n->nstages && !n->keep_array && !n->tuple) {
    int ok = 1;
    for (size_t i = 0; i < n->nitems && ok; i++) {
      const jn_node *s = n->items[i];
      ok = plain_step(s) && (s->type == N_NAME || (i == 0 && s->type == N_VARIABLE && n->nitems > 1));
    }
    n->simple_path = ok;
  }
  if (n->type == N_VARIABLE && n->op[0])
    for (int prof = 0; prof < 2; prof++) {
      n->builtin[prof] = jn_builtin_lookup_profile(prof, n->op);
      int bad = 0;
      if (n->builtin[prof]) n->builtin_sig[prof] = jn_sig_parse(a, n->builtin[prof]->signature, &bad);
    }
  if (n->type == N_NUMBER && !n->value) {
    n->value = jn_alloc(a, sizeof(jn_val));
    memset(n->value, 0, sizeof(jn_val));
    n->value->type = JN_NUM;
    n->value->u.num = n->num;
  }
  if (n->type == N_STRING && !n->value) {
    n->value = jn_alloc(a, sizeof(jn_val));
    memset(n->value, 0, sizeof(jn_val));
    n->value->type = JN_STR;
    n->value->u.str.s = n->op;
    n->value->u.str.len = n->slen;
  }
}

static void note_newer_operator(jn_node *n, void *first) {
  int *at = first;
  if ((n->type == N_ELVIS || n->type == N_COALESCE) && *at < 0) *at = n->position;
}

int jn_newer_operator_at(jn_node *root) {
  int at = -1;
  each_node(root, note_newer_operator, &at);
  return at;
}

typedef struct read_of {
  const char *var, *field;
  int at;
} read_of;

static void note_read(jn_node *n, void *ctx) {
  read_of *r = ctx;
  if (r->at >= 0) return;
  if (!r->field) {
    if (n->type == N_VARIABLE && !strcmp(n->op, r->var)) r->at = n->position;
    return;
  }
  if (n->type != N_PATH || n->nitems < 2) return;
  const jn_node *v = n->items[0], *f = n->items[1];
  if (v->type == N_VARIABLE && !strcmp(v->op, r->var) && f->type == N_NAME &&
      f->slen == strlen(r->field) && !memcmp(f->op, r->field, f->slen))
    r->at = v->position;
}

int jn_reads_at(jn_node *root, const char *var, const char *field) {
  read_of r = {var, field, -1};
  each_node(root, note_read, &r);
  return r.at;
}
