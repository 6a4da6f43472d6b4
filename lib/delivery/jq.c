/* The jq 1.6 subset of dynamic partitioning's inline parsing (jq.h): a
 * recursive-descent parser into a small tree, and its evaluation over
 * jansson values with jq's semantics (a missing member or index is null,
 * indexing null is null, indexing anything else the wrong way is an
 * error). */
#include "delivery/jq.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUPPORTED                                                              \
  "this library's jq 1.6 subset supports {key: expression, ...} objects of "   \
  "paths (., .a.b, .\"a\", .[\"a\"], .[0]), pipes (|), parentheses, string "   \
  "and number literals, strftime(format), tostring, tonumber, "                \
  "ascii_downcase and ascii_upcase"

enum { J_IDENTITY, J_INDEX, J_PIPE, J_CALL, J_LITERAL, J_OBJECT };
enum { F_STRFTIME, F_TOSTRING, F_TONUMBER, F_DOWNCASE, F_UPCASE };

typedef struct node {
  int kind;
  struct node *a, *b; /* INDEX: a the source; PIPE: a | b; CALL: a the argument */
  json_t *value;      /* INDEX: the key (string or integer); LITERAL: the value */
  int fn;             /* CALL: F_* */
  size_t n;           /* OBJECT: n keys and values */
  char **keys;
  struct node **vals;
} node;

struct aev__jq {
  node *root;
};

/* Parentheses, objects and arguments nest at most this deep, so neither
 * parsing nor evaluation recurses without bound. */
#define MAX_DEPTH 64

typedef struct parser {
  const char *s, *p;
  char *err;
  size_t errn;
  int nomem;
  int depth;
} parser;

static const struct {
  const char *name;
  int fn, args;
} functions[] = {{"strftime", F_STRFTIME, 1},   {"tostring", F_TOSTRING, 0},
                 {"tonumber", F_TONUMBER, 0},   {"ascii_downcase", F_DOWNCASE, 0},
                 {"ascii_upcase", F_UPCASE, 0}};

static void node_free(node *n) {
  if (!n) return;
  node_free(n->a);
  node_free(n->b);
  json_decref(n->value);
  for (size_t i = 0; i < n->n; i++) {
    free(n->keys[i]);
    node_free(n->vals[i]);
  }
  free(n->keys);
  free(n->vals);
  free(n);
}

static node *new_node(parser *ps, int kind) {
  node *n = calloc(1, sizeof *n);
  if (!n) ps->nomem = 1;
  else n->kind = kind;
  return n;
}

static node *fail(parser *ps, const char *what) {
  if (!ps->nomem && !*ps->err) {
    if (*ps->p)
      snprintf(ps->err, ps->errn, "%s at \"%.20s\" (position %d): %s.", what, ps->p,
               (int)(ps->p - ps->s), SUPPORTED);
    else
      snprintf(ps->err, ps->errn, "%s at the end of the query: %s.", what, SUPPORTED);
  }
  return NULL;
}

static void skip(parser *ps) {
  while (isspace((unsigned char)*ps->p)) ps->p++;
}

static int ident_len(const char *p) {
  if (!isalpha((unsigned char)*p) && *p != '_') return 0;
  int n = 1;
  while (isalnum((unsigned char)p[n]) || p[n] == '_') n++;
  return n;
}

/* A JSON string or number literal at ps->p, as jansson reads it. */
static json_t *literal(parser *ps) {
  const char *start = ps->p, *q = ps->p;
  if (*q == '"') {
    for (q++; *q && *q != '"'; q++)
      if (*q == '\\' && q[1]) q++;
    if (*q != '"') return (json_t *)fail(ps, "An unterminated string");
    q++;
  } else {
    while (*q && (isdigit((unsigned char)*q) || strchr("+-.eE", *q))) q++;
  }
  json_error_t e;
  json_t *v = json_loadb(start, (size_t)(q - start), JSON_DECODE_ANY, &e);
  if (!v) return (json_t *)fail(ps, *start == '"' ? "A string this subset cannot read (no \\( interpolation)"
                                                  : "A malformed number");
  ps->p = q;
  return v;
}

static node *pipe_expr(parser *ps);

/* An index of src: key a string (member) or an integer (element). */
static node *index_of(parser *ps, node *src, json_t *key) {
  node *n = key ? new_node(ps, J_INDEX) : NULL;
  if (!n) {
    json_decref(key);
    node_free(src);
    return NULL;
  }
  n->a = src;
  n->value = key;
  return n;
}

/* After a '.': a name, a string, or nothing (the identity's own). */
static node *dot_suffix(parser *ps, node *src) {
  int len = ident_len(ps->p);
  if (len) {
    json_t *key = json_stringn(ps->p, (size_t)len);
    ps->p += len;
    if (!key) ps->nomem = 1;
    return index_of(ps, src, key);
  }
  if (*ps->p == '"') {
    json_t *key = literal(ps);
    if (!key) {
      node_free(src);
      return NULL;
    }
    return index_of(ps, src, key);
  }
  return src;
}

/* '[' key ']' after src. */
static node *bracket(parser *ps, node *src) {
  ps->p++;
  skip(ps);
  json_t *key = *ps->p == '"' || *ps->p == '-' || isdigit((unsigned char)*ps->p) ? literal(ps) : NULL;
  if (!key) {
    node_free(src);
    return fail(ps, "An index that is not a string or a number");
  }
  double at = json_number_value(key);
  if (!json_is_string(key) && !(json_is_number(key) && at == floor(at) && fabs(at) < 1e15)) {
    json_decref(key);
    node_free(src);
    return fail(ps, "An index that is not a string or an integer");
  }
  if (json_is_real(key)) {
    json_t *i = json_integer((json_int_t)json_real_value(key));
    json_decref(key);
    key = i;
  }
  skip(ps);
  if (*ps->p != ']') {
    json_decref(key);
    node_free(src);
    return fail(ps, "A slice, an iterator or a missing ]");
  }
  ps->p++;
  return index_of(ps, src, key);
}

static node *postfix(parser *ps, node *n) {
  for (;;) {
    if (!n) return NULL;
    if (*ps->p == '[') {
      n = bracket(ps, n);
    } else if (*ps->p == '.' && (ident_len(ps->p + 1) || ps->p[1] == '"')) {
      ps->p++;
      n = dot_suffix(ps, n);
    } else {
      return n;
    }
  }
}

static node *object(parser *ps) {
  node *o = new_node(ps, J_OBJECT);
  if (!o) return NULL;
  ps->p++;
  skip(ps);
  while (*ps->p != '}') {
    char *key = NULL;
    int len = ident_len(ps->p);
    if (len) {
      key = strndup(ps->p, (size_t)len);
      ps->p += len;
    } else if (*ps->p == '"') {
      json_t *k = literal(ps);
      if (!k) {
        node_free(o);
        return NULL;
      }
      key = strdup(json_string_value(k));
      json_decref(k);
    } else {
      node_free(o);
      return fail(ps, "An object key that is not a name or a string");
    }
    char **keys = key ? realloc(o->keys, (o->n + 1) * sizeof *keys) : NULL;
    node **vals = keys ? realloc(o->vals, (o->n + 1) * sizeof *vals) : NULL;
    if (keys) o->keys = keys;
    if (vals) o->vals = vals;
    if (!vals) {
      free(key);
      node_free(o);
      ps->nomem = 1;
      return NULL;
    }
    o->keys[o->n] = key;
    o->vals[o->n++] = NULL;
    skip(ps);
    if (*ps->p == ',' || *ps->p == '}') { /* {a} is {a: .a} */
      json_t *k = json_string(key);
      node *self = k ? new_node(ps, J_IDENTITY) : NULL;
      if (!self) json_decref(k);
      if (!self || !(o->vals[o->n - 1] = index_of(ps, self, k))) {
        node_free(o);
        return NULL;
      }
    } else if (*ps->p != ':') {
      node_free(o);
      return fail(ps, "An object entry without ': value'");
    } else {
      ps->p++;
      if (!(o->vals[o->n - 1] = pipe_expr(ps))) {
        node_free(o);
        return NULL;
      }
    }
    skip(ps);
    if (*ps->p == ',') {
      ps->p++;
      skip(ps);
    } else if (*ps->p != '}') {
      node_free(o);
      return fail(ps, "An object entry not followed by , or }");
    }
  }
  ps->p++;
  return o;
}

static node *call(parser *ps, int len) {
  size_t i = 0, nf = sizeof functions / sizeof *functions;
  while (i < nf && (strlen(functions[i].name) != (size_t)len || strncmp(functions[i].name, ps->p, (size_t)len))) i++;
  if (i == nf) return fail(ps, "A function this subset does not have");
  ps->p += len;
  skip(ps);
  node *n = new_node(ps, J_CALL);
  if (!n) return NULL;
  n->fn = functions[i].fn;
  if (functions[i].args) {
    if (*ps->p != '(') {
      node_free(n);
      return fail(ps, "strftime without its format argument");
    }
    ps->p++;
    if (!(n->a = pipe_expr(ps))) {
      node_free(n);
      return NULL;
    }
    skip(ps);
    if (*ps->p != ')') {
      node_free(n);
      return fail(ps, "A function argument not closed by )");
    }
    ps->p++;
  } else if (*ps->p == '(') {
    node_free(n);
    return fail(ps, "An argument to a function that takes none");
  }
  return n;
}

static node *term(parser *ps) {
  skip(ps);
  char c = *ps->p;
  node *n;
  if (c == '.') {
    ps->p++;
    n = new_node(ps, J_IDENTITY);
    n = n && *ps->p == '[' ? bracket(ps, n) : n ? dot_suffix(ps, n) : NULL;
  } else if (c == '"' || c == '-' || isdigit((unsigned char)c)) {
    json_t *v = literal(ps);
    n = v ? new_node(ps, J_LITERAL) : NULL;
    if (n) n->value = v;
    else json_decref(v);
  } else if (c == '{') {
    n = object(ps);
  } else if (c == '(') {
    ps->p++;
    n = pipe_expr(ps);
    skip(ps);
    if (n && *ps->p != ')') {
      node_free(n);
      return fail(ps, "A parenthesis not closed");
    }
    if (n) ps->p++;
  } else if (ident_len(ps->p)) {
    n = call(ps, ident_len(ps->p));
  } else {
    return fail(ps, "An expression this subset does not support");
  }
  n = postfix(ps, n);
  skip(ps);
  return n;
}

static node *pipe_expr(parser *ps) {
  if (++ps->depth > MAX_DEPTH) return fail(ps, "Nesting deeper than 64 levels");
  node *left = term(ps);
  while (left && *ps->p == '|') {
    ps->p++;
    node *right = term(ps), *p = right ? new_node(ps, J_PIPE) : NULL;
    if (!p) {
      node_free(left);
      node_free(right);
      return NULL;
    }
    p->a = left;
    p->b = right;
    left = p;
  }
  ps->depth--;
  return left;
}

int aev__jq_compile(const char *text, aev__jq **out, char *err, size_t errn) {
  parser ps = {.s = text, .p = text, .err = err, .errn = errn};
  err[0] = '\0';
  node *root = pipe_expr(&ps);
  if (root && *ps.p) {
    node_free(root);
    root = fail(&ps, "An operator this subset does not support");
  }
  aev__jq *q = root ? malloc(sizeof *q) : NULL;
  if (!q) {
    node_free(root);
    return ps.nomem || root ? -2 : -1;
  }
  q->root = root;
  *out = q;
  return 0;
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER:
  case JSON_REAL: return "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  default: return "null";
  }
}

static json_t *eval(const node *n, json_t *in, char *err, size_t errn);

static json_t *index_value(const node *n, json_t *in, char *err, size_t errn) {
  json_t *src = eval(n->a, in, err, errn), *out = NULL;
  if (!src) return NULL;
  if (json_is_null(src)) {
    out = json_null();
  } else if (json_is_string(n->value) && json_is_object(src)) {
    out = json_object_get(src, json_string_value(n->value));
    out = out ? json_incref(out) : json_null();
  } else if (json_is_integer(n->value) && json_is_array(src)) {
    json_int_t i = json_integer_value(n->value), len = (json_int_t)json_array_size(src);
    if (i < 0) i += len;
    out = i >= 0 && i < len ? json_incref(json_array_get(src, (size_t)i)) : json_null();
  } else if (json_is_string(n->value)) {
    snprintf(err, errn, "Cannot index %s with \"%s\"", type_name(src), json_string_value(n->value));
  } else {
    snprintf(err, errn, "Cannot index %s with number", type_name(src));
  }
  json_decref(src);
  return out;
}

static json_t *apply(int fn, json_t *v, json_t *arg, char *err, size_t errn) {
  if (fn == F_STRFTIME) {
    if (!json_is_string(arg)) {
      snprintf(err, errn, "strftime/1 requires a string format");
      return NULL;
    }
    /* Seconds since the epoch, within what time_t and gmtime hold. */
    double secs = json_number_value(v);
    if (!json_is_number(v) || !(fabs(secs) < 1e15)) {
      snprintf(err, errn, "strftime/1 requires parsed datetime inputs");
      return NULL;
    }
    time_t t = (time_t)floor(secs);
    struct tm tm;
    char buf[512];
    if (!gmtime_r(&t, &tm)) {
      snprintf(err, errn, "strftime/1 requires parsed datetime inputs");
      return NULL;
    }
    size_t len = strftime(buf, sizeof buf, json_string_value(arg), &tm);
    return json_stringn(buf, len);
  }
  if (fn == F_TOSTRING) {
    if (json_is_string(v)) return json_incref(v);
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    json_t *s = text ? json_string(text) : NULL;
    free(text);
    return s;
  }
  if (fn == F_TONUMBER) {
    if (json_is_number(v)) return json_incref(v);
    const char *s = json_string_value(v);
    json_t *num = s && *s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    if (json_is_number(num)) return num;
    json_decref(num);
    snprintf(err, errn, s ? "Cannot parse '%s' as JSON" : "%s cannot be parsed as a number",
             s ? s : type_name(v));
    return NULL;
  }
  const char *s = json_string_value(v);
  if (!s) {
    snprintf(err, errn, "%s input must be a string", fn == F_DOWNCASE ? "ascii_downcase" : "ascii_upcase");
    return NULL;
  }
  size_t len = json_string_length(v);
  char *copy = malloc(len + 1);
  if (!copy) return NULL;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    copy[i] = (char)(c >= 0x80 ? c : fn == F_DOWNCASE ? tolower(c) : toupper(c));
  }
  json_t *out = json_stringn(copy, len);
  free(copy);
  return out;
}

/* A new reference, or NULL with err set (or empty: out of memory). */
static json_t *eval(const node *n, json_t *in, char *err, size_t errn) {
  switch (n->kind) {
  case J_IDENTITY: return json_incref(in);
  case J_LITERAL: return json_incref(n->value);
  case J_INDEX: return index_value(n, in, err, errn);
  case J_PIPE: {
    json_t *mid = eval(n->a, in, err, errn);
    json_t *out = mid ? eval(n->b, mid, err, errn) : NULL;
    json_decref(mid);
    return out;
  }
  case J_CALL: {
    json_t *arg = n->a ? eval(n->a, in, err, errn) : NULL;
    json_t *out = !n->a || arg ? apply(n->fn, in, arg, err, errn) : NULL;
    json_decref(arg);
    return out;
  }
  default: {
    json_t *o = json_object();
    for (size_t i = 0; o && i < n->n; i++) {
      json_t *v = eval(n->vals[i], in, err, errn);
      if (!v || json_object_set_new(o, n->keys[i], v)) {
        json_decref(o);
        o = NULL;
      }
    }
    return o;
  }
  }
}

int aev__jq_eval(const aev__jq *q, json_t *in, json_t **out, char *err, size_t errn) {
  err[0] = '\0';
  *out = eval(q->root, in, err, errn);
  if (*out) return 0;
  if (!*err) snprintf(err, errn, "Out of memory evaluating the query");
  return -1;
}

int aev__jq_object_keys(const aev__jq *q, const char *const **keys, size_t *n) {
  if (q->root->kind != J_OBJECT) return 0;
  *keys = (const char *const *)q->root->keys;
  *n = q->root->n;
  return 1;
}

void aev__jq_free(aev__jq *q) {
  if (!q) return;
  node_free(q->root);
  free(q);
}
