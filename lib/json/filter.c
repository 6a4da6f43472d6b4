/* JSONPath filter expressions [?(...)]: comparisons of @ / $ paths and
 * literals (== != < <= > >=), existence tests, ! && || and parentheses, as
 * Jayway JsonPath evaluates them for Step Functions. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "core/text.h"
#include "json/jpath_int.h"

typedef enum { F_OR, F_AND, F_NOT, F_CMP, F_EXISTS } fkind;
typedef enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } fop;

typedef struct operand {
  int is_path;
  int at; /* @ (1) or $ (0) */
  aev__jpath path;
  json_t *literal;
} operand;

/* a || b || c is one F_OR node over its terms, not a tree of pairs: a
 * long chain then costs no recursion to test or free. */
struct jp_filter {
  fkind kind;
  jp_filter *a;      /* F_NOT's operand */
  jp_filter **terms; /* F_OR's and F_AND's */
  size_t n, cap;
  fop op;
  operand l, r;
};

static int ferr(parser_ctx *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ferr(parser_ctx *pc, const char *fmt, ...) {
  if (*pc->failed) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pc->err, pc->errlen, fmt, ap);
  va_end(ap);
  *pc->failed = AEV_ERR_INVALID;
  return -1;
}

/* Out of memory: no message, the path answers AEV_ERR_NOMEM. */
static int foom(parser_ctx *pc) {
  if (!*pc->failed) *pc->failed = AEV_ERR_NOMEM;
  return -1;
}


static void ws(parser_ctx *pc) {
  while (pc->s[*pc->i] == ' ') (*pc->i)++;
}

static int operand_parse(parser_ctx *pc, operand *o) {
  ws(pc);
  const char *s = pc->s + *pc->i;
  if (*s == '@' || *s == '$') {
    o->is_path = 1;
    o->at = *s == '@';
    (*pc->i)++;
    return aev__jp_parse_segments(pc, &o->path);
  }
  if (*s == '\'' || *s == '"') {
    char q = *s;
    size_t n = 1;
    while (s[n] && s[n] != q) n += s[n] == '\\' && s[n + 1] ? 2 : 1;
    if (!s[n]) return ferr(pc, "Unterminated string in filter");
    if (!aev__utf8_valid(s + 1, n - 1)) return ferr(pc, "Invalid string in filter");
    o->literal = json_stringn_nocheck(s + 1, n - 1);
    *pc->i += n + 1;
    return o->literal ? 0 : foom(pc);
  }
  static const char *const words[] = {"true", "false", "null"};
  for (int k = 0; k < 3; k++)
    if (!strncmp(s, words[k], strlen(words[k]))) {
      o->literal = k == 0 ? json_true() : k == 1 ? json_false() : json_null();
      *pc->i += strlen(words[k]);
      return 0;
    }
  char *end;
  double d = aev__strtod(s, &end);
  if (end == s) return ferr(pc, "Could not parse filter expression");
  o->literal = (d == floor(d) && fabs(d) < 9e15 && !memchr(s, '.', (size_t)(end - s)))
                   ? json_integer((json_int_t)d)
                   : json_real(d);
  *pc->i += (size_t)(end - s);
  /* jansson has no infinity: such a literal stays NULL and equals nothing. */
  return o->literal || !isfinite(d) ? 0 : foom(pc);
}

static int or_parse(parser_ctx *pc, jp_filter **out);
static int unary_parse(parser_ctx *pc, jp_filter **out);

/* How deep parentheses, ! and filters inside filters' paths may nest:
 * each level is a few stack frames of this recursive parser, and a path
 * comes from a state machine's definition, of up to 1 MB. Jayway names no
 * limit; real filters nest a few levels. */
#define FILTER_MAX_DEPTH 64

static jp_filter *node(fkind k) {
  jp_filter *f = calloc(1, sizeof *f);
  if (f) f->kind = k;
  return f;
}

static int unary_body(parser_ctx *pc, jp_filter **out) {
  ws(pc);
  const char *s = pc->s + *pc->i;
  if (*s == '!' && s[1] != '=') {
    (*pc->i)++;
    jp_filter *f = node(F_NOT);
    if (!f) return foom(pc);
    *out = f;
    return unary_parse(pc, &f->a);
  }
  if (*s == '(') {
    (*pc->i)++;
    if (or_parse(pc, out)) return -1;
    ws(pc);
    if (pc->s[*pc->i] != ')') return ferr(pc, "Unbalanced parentheses in filter");
    (*pc->i)++;
    return 0;
  }
  jp_filter *f = node(F_EXISTS);
  if (!f) return foom(pc);
  *out = f;
  if (operand_parse(pc, &f->l)) return -1;
  ws(pc);
  static const struct {
    const char *t;
    fop op;
  } ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT}};
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
    if (!strncmp(pc->s + *pc->i, ops[k].t, strlen(ops[k].t))) {
      *pc->i += strlen(ops[k].t);
      f->kind = F_CMP;
      f->op = ops[k].op;
      return operand_parse(pc, &f->r);
    }
  if (!f->l.is_path) return ferr(pc, "Could not parse filter expression");
  return 0;
}

static int unary_parse(parser_ctx *pc, jp_filter **out) {
  if (pc->depth == FILTER_MAX_DEPTH)
    return ferr(pc, "Filter nests too deeply: at most %d levels of parentheses, ! and filters",
                FILTER_MAX_DEPTH);
  pc->depth++;
  int rc = unary_body(pc, out);
  pc->depth--;
  return rc;
}

static int add_term(jp_filter *f, jp_filter *t) {
  if (f->n == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 4;
    jp_filter **terms = realloc(f->terms, cap * sizeof *terms);
    if (!terms) return -1;
    f->terms = terms;
    f->cap = cap;
  }
  f->terms[f->n++] = t;
  return 0;
}

/* Terms joined by tok. On failure *out still holds every node made, for
 * the caller to free. */
static int chain(parser_ctx *pc, jp_filter **out, const char *tok, fkind k,
                 int (*sub)(parser_ctx *, jp_filter **)) {
  if (sub(pc, out)) return -1;
  jp_filter *f = NULL;
  for (;;) {
    ws(pc);
    if (strncmp(pc->s + *pc->i, tok, 2)) return 0;
    *pc->i += 2;
    if (!f) {
      f = node(k);
      if (!f || add_term(f, *out)) {
        free(f);
        return foom(pc);
      }
      *out = f;
    }
    jp_filter *t = NULL;
    int rc = sub(pc, &t);
    if (t && add_term(f, t)) {
      aev__jp_filter_free(t);
      return foom(pc);
    }
    if (rc) return -1;
  }
}

static int and_parse(parser_ctx *pc, jp_filter **out) {
  return chain(pc, out, "&&", F_AND, unary_parse);
}

static int or_parse(parser_ctx *pc, jp_filter **out) {
  return chain(pc, out, "||", F_OR, and_parse);
}

int aev__jp_filter_parse(parser_ctx *pc, jp_filter **out) {
  *out = NULL;
  return or_parse(pc, out);
}

static void operand_free(operand *o) {
  aev__jp_segs_free(&o->path);
  json_decref(o->literal);
}

void aev__jp_filter_free(jp_filter *f) {
  if (!f) return;
  aev__jp_filter_free(f->a);
  for (size_t i = 0; i < f->n; i++) aev__jp_filter_free(f->terms[i]);
  free(f->terms);
  operand_free(&f->l);
  operand_free(&f->r);
  free(f);
}

/* A new reference or NULL when the path finds nothing. */
static json_t *value(const operand *o, json_t *item, json_t *root) {
  if (!o->is_path) return json_deep_copy(o->literal); /* paths are shared across threads */
  json_t *node = o->at ? item : root;
  for (size_t i = 0; node && i < o->path.n; i++) {
    const jp_seg *g = &o->path.segs[i];
    if (g->kind == JP_NAMES && g->nnames == 1 && !g->deep) {
      node = json_object_get(node, g->names[0]);
    } else if (g->kind == JP_INDEXES && g->nidx == 1 && json_is_array(node)) {
      long at = g->idx[0] < 0 ? (long)json_array_size(node) + g->idx[0] : g->idx[0];
      node = at >= 0 ? json_array_get(node, (size_t)at) : NULL;
    } else if (g->kind == JP_LENGTH && json_is_array(node)) {
      return json_integer((json_int_t)json_array_size(node));
    } else {
      return NULL;
    }
  }
  return json_incref(node);
}

static int compare(fop op, json_t *l, json_t *r) {
  if (json_is_number(l) && json_is_number(r)) {
    double a = json_number_value(l), b = json_number_value(r);
    switch (op) {
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    }
  }
  if (json_is_string(l) && json_is_string(r)) {
    int c = strcmp(json_string_value(l), json_string_value(r));
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    }
  }
  if (op == OP_EQ) return json_equal(l, r);
  if (op == OP_NE) return !json_equal(l, r);
  return 0;
}

int aev__jp_filter_test(const jp_filter *f, json_t *item, json_t *root) {
  switch (f->kind) {
  case F_OR:
    for (size_t i = 0; i < f->n; i++)
      if (aev__jp_filter_test(f->terms[i], item, root)) return 1;
    return 0;
  case F_AND:
    for (size_t i = 0; i < f->n; i++)
      if (!aev__jp_filter_test(f->terms[i], item, root)) return 0;
    return 1;
  case F_NOT: return !aev__jp_filter_test(f->a, item, root);
  case F_EXISTS: {
    json_t *v = value(&f->l, item, root);
    json_decref(v);
    return v != NULL;
  }
  case F_CMP: {
    json_t *l = value(&f->l, item, root), *r = value(&f->r, item, root);
    int ok = l && r ? compare(f->op, l, r) : (f->op == OP_NE && (l || r));
    json_decref(l);
    json_decref(r);
    return ok;
  }
  }
  return 0;
}
