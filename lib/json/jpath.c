/* JSONPath as Step Functions evaluates it (Jayway JsonPath): compiling a
 * path into segments, evaluating it, and AWS's "No results for path" cause,
 * which quotes the path in Jayway's normalized bracket form. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_build.h"
#include "core/json_dump.h"
#include "json/jpath_int.h"

int aev__jenv_fail(aev__jenv *env, const char *error, const char *fmt, ...) {
  env->error = error;
  env->location = NULL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(env->cause, sizeof env->cause, fmt, ap);
  va_end(ap);
  return -1;
}

char *aev__json_text(const json_t *v) {
  if (json_is_string(v)) return strdup(json_string_value(v));
  return aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* ---- compiling ---- */

typedef struct parser {
  const char *s;
  size_t i;
  char *err;
  size_t errlen;
  int failed; /* 0, or AEV_ERR_INVALID / AEV_ERR_NOMEM: the first failure */
  int depth;  /* as parser_ctx's: a path inside a filter carries it on */
} parser;

static int perr(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(parser *p, const char *fmt, ...) {
  if (p->failed) return -1;
  p->failed = AEV_ERR_INVALID;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err, p->errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* Out of memory: no message, the caller answers AEV_ERR_NOMEM. */
static int oom(parser *p) {
  if (!p->failed) p->failed = AEV_ERR_NOMEM;
  return -1;
}

static void skip_ws(parser *p) {
  while (p->s[p->i] == ' ') p->i++;
}

static jp_seg *add_seg(aev__jpath *jp) {
  if (jp->n == jp->cap) {
    size_t cap = jp->cap ? jp->cap * 2 : 4;
    jp_seg *segs = realloc(jp->segs, cap * sizeof *segs);
    if (!segs) return NULL;
    jp->segs = segs;
    jp->cap = cap;
  }
  jp_seg *g = &jp->segs[jp->n++];
  memset(g, 0, sizeof *g);
  return g;
}

static int is_name_char(char c) {
  return c && c != '.' && c != '[' && c != ' ' && c != ')' && c != ']' &&
         c != ',' && c != '=' && c != '!' && c != '<' && c != '>' && c != '&' &&
         c != '|' && c != '(';
}

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

/* A quoted name inside brackets: '...' or "...". A backslash escapes only
 * the quote character (AWS keeps other backslashes as written). */
static char *quoted(parser *p) {
  char q = p->s[p->i++];
  size_t cap = 16, n = 0;
  char *out = malloc(cap);
  if (!out) {
    oom(p);
    return NULL;
  }
  for (;;) {
    char c = p->s[p->i];
    if (!c) {
      free(out);
      perr(p, "Path must not end with a '.' or '..'");
      return NULL;
    }
    p->i++;
    if (c == q) break;
    if (c == '\\' && p->s[p->i] == q) c = p->s[p->i++];
    if (n + 2 > cap) {
      char *o = realloc(out, cap *= 2);
      if (!o) {
        free(out);
        oom(p);
        return NULL;
      }
      out = o;
    }
    out[n++] = c;
  }
  out[n] = 0;
  return out;
}

static int parse_int(parser *p, long *out) {
  const char *start = p->s + p->i;
  char *end;
  long v = strtol(start, &end, 10);
  if (end == start) return -1;
  p->i += (size_t)(end - start);
  *out = v;
  return 0;
}

int aev__jp_filter_parse(parser_ctx *pc, jp_filter **out);

/* After '[': names, indexes, a wildcard, a slice or a filter. */
static int bracket(parser *p, aev__jpath *jp, int deep) {
  skip_ws(p);
  jp_seg *g = add_seg(jp);
  if (!g) return oom(p);
  g->deep = deep;
  char c = p->s[p->i];
  if (c == '*') {
    p->i++;
    g->kind = JP_WILD;
  } else if (c == '\'' || c == '"') {
    g->kind = JP_NAMES;
    for (;;) {
      char *name = quoted(p);
      if (!name) return -1;
      char **names = realloc(g->names, (g->nnames + 1) * sizeof *names);
      if (!names) {
        free(name);
        return oom(p);
      }
      g->names = names;
      g->names[g->nnames++] = name;
      skip_ws(p);
      if (p->s[p->i] != ',') break;
      p->i++;
      skip_ws(p);
      if (p->s[p->i] != '\'' && p->s[p->i] != '"')
        return perr(p, "Could not parse token starting at position %zu.", p->i);
    }
  } else if (c == '?') {
    p->i++;
    skip_ws(p);
    if (p->s[p->i] != '(') return perr(p, "Filter must start with '[?(' and end with ')]'. %s", p->s);
    p->i++;
    g->kind = JP_FILTER;
    parser_ctx pc = {p->s, &p->i, p->err, p->errlen, &p->failed, p->depth};
    if (aev__jp_filter_parse(&pc, &g->filter)) return -1;
    skip_ws(p);
    if (p->s[p->i] != ')') return perr(p, "Filter must start with '[?(' and end with ')]'. %s", p->s);
    p->i++;
  } else {
    long a = 0, b = 0;
    int has_a = parse_int(p, &a) == 0;
    skip_ws(p);
    if (p->s[p->i] == ':') {
      p->i++;
      skip_ws(p);
      int has_b = parse_int(p, &b) == 0;
      g->kind = JP_SLICE;
      g->from = a;
      g->to = b;
      g->has_from = has_a;
      g->has_to = has_b;
    } else if (has_a) {
      g->kind = JP_INDEXES;
      for (;;) {
        long *idx = realloc(g->idx, (g->nidx + 1) * sizeof *idx);
        if (!idx) return oom(p);
        g->idx = idx;
        g->idx[g->nidx++] = a;
        skip_ws(p);
        if (p->s[p->i] != ',') break;
        p->i++;
        skip_ws(p);
        if (parse_int(p, &a)) return perr(p, "Could not parse token starting at position %zu.", p->i);
      }
    } else {
      return perr(p, "Could not parse token starting at position %zu. Expected ?, ', 0-9, * ", p->i);
    }
  }
  skip_ws(p);
  if (p->s[p->i] != ']')
    return perr(p, "Property must be separated by comma or Property must be terminated close square bracket at index %zu", p->i);
  p->i++;
  return 0;
}

/* Parses segments after the root until end or a character that ends a path
 * inside a filter. */
int aev__jp_parse_segments(parser_ctx *pc, aev__jpath *jp) {
  parser p = {pc->s, *pc->i, pc->err, pc->errlen, *pc->failed, pc->depth};
  int rc = 0;
  for (;;) {
    char c = p.s[p.i];
    if (c == '.') {
      int deep = p.s[p.i + 1] == '.';
      p.i += deep ? 2 : 1;
      if (p.s[p.i] == '[') {
        if (!deep) {
          rc = perr(&p, "Could not parse token starting at position %zu.", p.i);
          break;
        }
        p.i++;
        if ((rc = bracket(&p, jp, deep))) break;
        continue;
      }
      if (p.s[p.i] == '*') {
        p.i++;
        jp_seg *g = add_seg(jp);
        if (!g) {
          rc = oom(&p);
          break;
        }
        g->kind = JP_WILD;
        g->deep = deep;
        continue;
      }
      size_t start = p.i;
      while (is_name_char(p.s[p.i])) p.i++;
      if (p.i == start) {
        rc = perr(&p, "Path must not end with a '.' or '..'");
        break;
      }
      if (p.s[p.i] == '(' && p.s[p.i + 1] == ')' && p.i - start == 6 &&
          !strncmp(p.s + start, "length", 6) && !deep) {
        p.i += 2;
        jp_seg *g = add_seg(jp);
        if (!g) {
          rc = oom(&p);
          break;
        }
        g->kind = JP_LENGTH;
        continue;
      }
      jp_seg *g = add_seg(jp);
      char *name = dup_n(p.s + start, p.i - start);
      char **names = malloc(sizeof *names);
      if (!g || !name || !names) {
        free(name);
        free(names);
        rc = oom(&p);
        break;
      }
      names[0] = name;
      g->kind = JP_NAMES;
      g->names = names;
      g->nnames = 1;
      g->deep = deep;
    } else if (c == '[') {
      p.i++;
      if ((rc = bracket(&p, jp, 0))) break;
    } else {
      break;
    }
  }
  *pc->i = p.i;
  *pc->failed = rc && !p.failed ? AEV_ERR_INVALID : p.failed;
  return rc;
}

static void build_text(aev__jpath *jp) {
  const char *root = jp->root == AEV_JPATH_CONTEXT ? "$$" : "$",
             *var = jp->root == AEV_JPATH_VAR ? jp->var : "";
  /* Room for the root and a variable name of any length. */
  size_t cap = 64, n = strlen(root) + strlen(var);
  while (n + 1 > cap) cap *= 2;
  char *t = malloc(cap);
  if (!t) return;
  snprintf(t, cap, "%s%s", root, var);
  for (size_t i = 0; i < jp->n; i++) {
    const jp_seg *g = &jp->segs[i];
    char buf[64];
    const char *piece = buf;
    char *owned = NULL;
    switch (g->kind) {
    case JP_NAMES: {
      size_t len = 2 + (g->deep ? 2 : 0);
      for (size_t k = 0; k < g->nnames; k++) len += strlen(g->names[k]) + 3;
      owned = malloc(len + 1);
      if (!owned) {
        free(t);
        return;
      }
      size_t o = 0;
      if (g->deep) owned[o++] = '.', owned[o++] = '.';
      owned[o++] = '[';
      for (size_t k = 0; k < g->nnames; k++) {
        if (k) owned[o++] = ',';
        o += (size_t)sprintf(owned + o, "'%s'", g->names[k]);
      }
      owned[o++] = ']';
      owned[o] = 0;
      piece = owned;
      break;
    }
    case JP_INDEXES: {
      size_t o = (size_t)snprintf(buf, sizeof buf, "[");
      for (size_t k = 0; k < g->nidx && o < sizeof buf - 24; k++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%ld", k ? "," : "", g->idx[k]);
      snprintf(buf + o, sizeof buf - o, "]");
      break;
    }
    case JP_WILD: piece = g->deep ? "..[*]" : "[*]"; break;
    case JP_SLICE:
      if (g->has_from && g->has_to) snprintf(buf, sizeof buf, "[%ld:%ld]", g->from, g->to);
      else if (g->has_from) snprintf(buf, sizeof buf, "[%ld:]", g->from);
      else snprintf(buf, sizeof buf, "[:%ld]", g->to);
      break;
    case JP_FILTER: piece = "[?]"; break;
    case JP_LENGTH: piece = ".length()"; break;
    }
    size_t pl = strlen(piece);
    if (n + pl + 1 > cap) {
      while (n + pl + 1 > cap) cap *= 2;
      char *nt = realloc(t, cap);
      if (!nt) {
        free(owned);
        free(t);
        return;
      }
      t = nt;
    }
    memcpy(t + n, piece, pl + 1);
    n += pl;
    free(owned);
  }
  jp->normal = t;
}

int aev__jpath_compile(const char *text, aev__jpath **out, char *err, size_t errlen) {
  *out = NULL;
  if (!text || text[0] != '$') {
    snprintf(err, errlen, "The value for the field must be a valid JSONPath: '%s'", text ? text : "");
    return AEV_ERR_INVALID;
  }
  aev__jpath *jp = calloc(1, sizeof *jp);
  if (!jp || !(jp->text = strdup(text))) {
    free(jp);
    return AEV_ERR_NOMEM;
  }
  size_t i = 1;
  int failed = 0;
  if (text[1] == '$') {
    jp->root = AEV_JPATH_CONTEXT;
    i = 2;
  } else if (text[1] && is_name_char(text[1])) {
    jp->root = AEV_JPATH_VAR;
    size_t start = i;
    while (is_name_char(text[i])) i++;
    if (!(jp->var = dup_n(text + start, i - start))) failed = AEV_ERR_NOMEM;
  }
  parser_ctx pc = {text, &i, err, errlen, &failed, 0};
  if (!failed && !aev__jp_parse_segments(&pc, jp) && text[i]) {
    snprintf(err, errlen, "The value for the field must be a valid JSONPath: '%s'", text);
    failed = AEV_ERR_INVALID;
  }
  if (!failed) {
    build_text(jp);
    if (!jp->normal) failed = AEV_ERR_NOMEM;
  }
  if (failed) {
    aev__jpath_free(jp);
    return failed;
  }
  jp->definite = 1;
  for (size_t k = 0; k < jp->n; k++) {
    const jp_seg *g = &jp->segs[k];
    if (g->deep || g->kind == JP_WILD || g->kind == JP_SLICE || g->kind == JP_FILTER ||
        (g->kind == JP_NAMES && g->nnames > 1) || (g->kind == JP_INDEXES && g->nidx > 1))
      jp->definite = 0;
  }
  *out = jp;
  return AEV_OK;
}

void aev__jp_segs_free(aev__jpath *jp) {
  for (size_t i = 0; i < jp->n; i++) {
    jp_seg *g = &jp->segs[i];
    for (size_t k = 0; k < g->nnames; k++) free(g->names[k]);
    free(g->names);
    free(g->idx);
    aev__jp_filter_free(g->filter);
  }
  free(jp->segs);
}

void aev__jpath_free(aev__jpath *p) {
  if (!p) return;
  aev__jp_segs_free(p);
  free(p->var);
  free(p->text);
  free(p->normal);
  free(p);
}

const char *aev__jpath_text(const aev__jpath *p) { return p->text; }
int aev__jpath_root(const aev__jpath *p) { return p->root; }

int aev__jpath_is_reference(const aev__jpath *p) {
  if (!p->definite || p->root != AEV_JPATH_INPUT) return 0;
  for (size_t i = 0; i < p->n; i++)
    if (p->segs[i].kind == JP_LENGTH) return 0;
  return 1;
}

/* ---- evaluating ---- */

static int walk(const aev__jpath *jp, size_t i, json_t *node, json_t *root, json_t *acc);

static int visit(const aev__jpath *jp, size_t i, json_t *child, json_t *root, json_t *acc) {
  return child ? walk(jp, i + 1, child, root, acc) : 0;
}

static long norm_index(long k, size_t len) { return k < 0 ? (long)len + k : k; }

/* Applies segment i (not deep) to node. */
static int step(const aev__jpath *jp, size_t i, json_t *node, json_t *root, json_t *acc) {
  const jp_seg *g = &jp->segs[i];
  switch (g->kind) {
  case JP_NAMES:
    if (!json_is_object(node)) return 0;
    for (size_t k = 0; k < g->nnames; k++)
      if (visit(jp, i, json_object_get(node, g->names[k]), root, acc)) return -1;
    return 0;
  case JP_INDEXES:
    if (!json_is_array(node)) return 0;
    for (size_t k = 0; k < g->nidx; k++) {
      long at = norm_index(g->idx[k], json_array_size(node));
      if (at >= 0 && visit(jp, i, json_array_get(node, (size_t)at), root, acc)) return -1;
    }
    return 0;
  case JP_WILD:
    if (json_is_array(node)) {
      for (size_t k = 0; k < json_array_size(node); k++)
        if (visit(jp, i, json_array_get(node, k), root, acc)) return -1;
    } else if (json_is_object(node)) {
      const char *key;
      json_t *v;
      json_object_foreach(node, key, v) if (visit(jp, i, v, root, acc)) return -1;
    }
    return 0;
  case JP_SLICE: {
    if (!json_is_array(node)) return 0;
    long len = (long)json_array_size(node);
    long from = g->has_from ? norm_index(g->from, (size_t)len) : 0;
    long to = g->has_to ? norm_index(g->to, (size_t)len) : len;
    if (from < 0) from = 0;
    if (to > len) to = len;
    for (long k = from; k < to; k++)
      if (visit(jp, i, json_array_get(node, (size_t)k), root, acc)) return -1;
    return 0;
  }
  case JP_FILTER:
    if (json_is_array(node)) {
      for (size_t k = 0; k < json_array_size(node); k++) {
        json_t *item = json_array_get(node, k);
        if (aev__jp_filter_test(g->filter, item, root) && visit(jp, i, item, root, acc)) return -1;
      }
    } else if (json_is_object(node) && aev__jp_filter_test(g->filter, node, root)) {
      return visit(jp, i, node, root, acc);
    }
    return 0;
  case JP_LENGTH: {
    json_t *n = NULL;
    if (json_is_array(node)) n = json_integer((json_int_t)json_array_size(node));
    else if (json_is_object(node)) n = json_integer((json_int_t)json_object_size(node));
    else if (json_is_string(node)) n = json_integer((json_int_t)json_string_length(node));
    if (!n) return 0;
    int rc = walk(jp, i + 1, n, root, acc);
    json_decref(n);
    return rc;
  }
  }
  return 0;
}

/* Deep scan: the segment at this node and at every descendant. */
static int deep(const aev__jpath *jp, size_t i, json_t *node, json_t *root, json_t *acc) {
  if (step(jp, i, node, root, acc)) return -1;
  if (json_is_array(node)) {
    for (size_t k = 0; k < json_array_size(node); k++)
      if (deep(jp, i, json_array_get(node, k), root, acc)) return -1;
  } else if (json_is_object(node)) {
    const char *key;
    json_t *v;
    json_object_foreach(node, key, v) if (deep(jp, i, v, root, acc)) return -1;
  }
  return 0;
}

static int walk(const aev__jpath *jp, size_t i, json_t *node, json_t *root, json_t *acc) {
  if (i == jp->n) return json_array_append(acc, node);
  return jp->segs[i].deep ? deep(jp, i, node, root, acc) : step(jp, i, node, root, acc);
}

/* A definite path walks without collecting. */
static json_t *definite(const aev__jpath *jp, json_t *node) {
  for (size_t i = 0; node && i < jp->n; i++) {
    const jp_seg *g = &jp->segs[i];
    if (g->kind == JP_NAMES) {
      node = json_is_object(node) ? json_object_get(node, g->names[0]) : NULL;
    } else if (g->kind == JP_INDEXES) {
      if (!json_is_array(node)) return NULL;
      long at = norm_index(g->idx[0], json_array_size(node));
      node = at >= 0 ? json_array_get(node, (size_t)at) : NULL;
    } else {
      json_t *acc = json_array();
      if (!acc) return NULL;
      json_t *v = NULL;
      if (!step(jp, i, node, node, acc) && json_array_size(acc) == 1 && i + 1 == jp->n)
        v = json_incref(json_array_get(acc, 0));
      json_decref(acc);
      return v;
    }
  }
  return json_incref(node);
}

json_t *aev__jpath_get(const aev__jpath *p, json_t *doc) {
  if (!doc) return NULL;
  if (p->definite) return definite(p, doc);
  json_t *acc = json_array();
  if (acc && walk(p, 0, doc, doc, acc)) {
    json_decref(acc);
    return NULL;
  }
  return acc;
}

json_t *aev__jpath_eval(const aev__jpath *p, aev__jenv *env) {
  json_t *doc;
  if (p->root == AEV_JPATH_CONTEXT) {
    doc = env->context;
  } else if (p->root == AEV_JPATH_VAR) {
    doc = env->vars ? json_object_get(env->vars, p->var) : NULL;
    if (!doc) {
      aev__jenv_fail(env, "States.Runtime", "Invalid path '%s': The variable '%s' is not defined.",
                     p->text, p->var);
      return NULL;
    }
  } else {
    doc = env->input;
  }
  json_t *v = aev__jpath_get(p, doc);
  if (!v)
    aev__jenv_fail(env, "States.Runtime", "Invalid path '%s' : No results for path: %s", p->text,
                   p->normal);
  return v;
}

json_t *aev__jpath_eval_text(const char *text, aev__jenv *env) {
  aev__jpath *p;
  char err[256];
  int rc = aev__jpath_compile(text, &p, err, sizeof err);
  if (rc) {
    /* Out of memory records nothing, as a failed evaluation's does. */
    if (rc == AEV_ERR_INVALID) aev__jenv_fail(env, "States.Runtime", "%s", err);
    return NULL;
  }
  json_t *v = aev__jpath_eval(p, env);
  aev__jpath_free(p);
  return v;
}

/* ---- ResultPath ---- */

static json_t *put_at(const aev__jpath *p, size_t i, json_t *node, json_t *value, aev__jenv *env) {
  if (i == p->n) return value;
  const jp_seg *g = &p->segs[i];
  if (g->kind == JP_NAMES) {
    json_t *obj = json_is_object(node) ? aev__json_copy(node) : NULL;
    if (!obj && json_is_object(node)) { /* out of memory: no error recorded */
      json_decref(value);
      return NULL;
    }
    if (!obj && (node && !json_is_null(node))) {
      json_decref(value);
      aev__jenv_fail(env, "States.ResultPathMatchFailure",
                     "Unable to apply step \"%s\" to input %s", g->names[0], "");
      return NULL;
    }
    if (!obj) obj = json_object();
    json_t *child = put_at(p, i + 1, json_object_get(obj, g->names[0]), value, env);
    if (!child || json_object_set_new(obj, g->names[0], child)) {
      json_decref(obj);
      return NULL;
    }
    return obj;
  }
  long at = json_is_array(node) ? norm_index(g->idx[0], json_array_size(node)) : -1;
  if (at < 0 || (size_t)at >= json_array_size(node)) {
    json_decref(value);
    char *t = node ? aev__json_text(node) : strdup("null");
    aev__jenv_fail(env, "States.ResultPathMatchFailure",
                   "Unable to apply ResultPath \"%s\" to input %s", p->text, t ? t : "");
    free(t);
    return NULL;
  }
  json_t *arr = aev__json_copy(node);
  if (!arr) { /* out of memory: no error recorded */
    json_decref(value);
    return NULL;
  }
  json_t *child = put_at(p, i + 1, json_array_get(arr, (size_t)at), value, env);
  if (!child) {
    json_decref(arr);
    return NULL;
  }
  json_array_set_new(arr, (size_t)at, child);
  return arr;
}

json_t *aev__jpath_put(const aev__jpath *p, json_t *doc, json_t *value, aev__jenv *env) {
  if (p->n == 0) return value;
  if (p->segs[0].kind == JP_NAMES && !json_is_object(doc)) {
    char *t = aev__json_text(doc);
    json_decref(value);
    aev__jenv_fail(env, "States.ResultPathMatchFailure",
                   "Unable to apply ResultPath \"%s\" to input %s", p->text, t ? t : "");
    free(t);
    return NULL;
  }
  return put_at(p, 0, doc, value, env);
}
