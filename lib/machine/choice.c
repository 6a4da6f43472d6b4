/* Choice rules: parsing every comparison operator and its Path twin, the
 * Is* tests (where false means "is not"), StringMatches with * and \
 * escapes, And / Or / Not; evaluating them as AWS does (a type mismatch is
 * false, not an error); and the strict ISO-8601 timestamps that Wait and
 * the Timestamp* operators accept. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "machine/machine_int.h"

/* operand kinds */
enum { K_STR, K_NUM, K_TS, K_BOOL };

static const struct {
  const char *name;
  m_op op;
  int kind;
} ops[] = {
    {"StringEquals", OP_STR_EQ, K_STR},
    {"StringLessThan", OP_STR_LT, K_STR},
    {"StringGreaterThan", OP_STR_GT, K_STR},
    {"StringLessThanEquals", OP_STR_LE, K_STR},
    {"StringGreaterThanEquals", OP_STR_GE, K_STR},
    {"NumericEquals", OP_NUM_EQ, K_NUM},
    {"NumericLessThan", OP_NUM_LT, K_NUM},
    {"NumericGreaterThan", OP_NUM_GT, K_NUM},
    {"NumericLessThanEquals", OP_NUM_LE, K_NUM},
    {"NumericGreaterThanEquals", OP_NUM_GE, K_NUM},
    {"TimestampEquals", OP_TS_EQ, K_TS},
    {"TimestampLessThan", OP_TS_LT, K_TS},
    {"TimestampGreaterThan", OP_TS_GT, K_TS},
    {"TimestampLessThanEquals", OP_TS_LE, K_TS},
    {"TimestampGreaterThanEquals", OP_TS_GE, K_TS},
    {"BooleanEquals", OP_BOOL_EQ, K_BOOL},
    {"StringMatches", OP_STR_MATCH, K_STR},
    {"IsNull", OP_IS_NULL, K_BOOL},
    {"IsPresent", OP_IS_PRESENT, K_BOOL},
    {"IsNumeric", OP_IS_NUMERIC, K_BOOL},
    {"IsString", OP_IS_STRING, K_BOOL},
    {"IsBoolean", OP_IS_BOOLEAN, K_BOOL},
    {"IsTimestamp", OP_IS_TIMESTAMP, K_BOOL},
};
#define N_OPS (sizeof ops / sizeof ops[0])

static int is_test(m_op op) { return op >= OP_IS_NULL; }

void aev__choice_free(m_rule *r) {
  if (!r) return;
  aev__jpath_free(r->var);
  aev__jpath_free(r->value_path);
  aev__tmpl_free(r->assign);
  aev__jt_free(r->j_condition);
  aev__jt_free(r->j_output);
  aev__jt_free(r->j_assign);
  for (size_t i = 0; i < r->nkids; i++) aev__choice_free(r->kids[i]);
  free(r->kids);
  free(r);
}

static int literal_ok(int kind, json_t *v) {
  switch (kind) {
  case K_STR: return json_is_string(v);
  case K_NUM: return json_is_number(v);
  case K_BOOL: return json_is_boolean(v);
  case K_TS: {
    int64_t ms;
    return json_is_string(v) && !aev__iso8601_parse(json_string_value(v), &ms);
  }
  }
  return 0;
}

/* A rule that does not compile: its message in err; AEV_ERR_INVALID. */
static int bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return AEV_ERR_INVALID;
}

int aev__choice_parse(json_t *rule, int top, m_rule **out, char *err, size_t errlen, char *where,
                      size_t wherelen) {
  m_rule *r = calloc(1, sizeof *r);
  *out = r;
  if (!r) return AEV_ERR_NOMEM;
  r->next = -1;
  if (!json_is_object(rule)) return bad(err, errlen, "A Choice Rule must be an object");
  json_t *v;
  static const char *const logic[] = {"And", "Or", "Not"};
  for (int k = 0; k < 3; k++) {
    if (!(v = json_object_get(rule, logic[k]))) continue;
    r->op = k == 0 ? OP_AND : k == 1 ? OP_OR : OP_NOT;
    if (k < 2 && (!json_is_array(v) || json_array_size(v) == 0)) {
      snprintf(where, wherelen, "/%s", logic[k]);
      return bad(err, errlen, "%s must be a non-empty array of Choice Rules", logic[k]);
    }
    if (k == 2 && !json_is_object(v)) {
      snprintf(where, wherelen, "/Not");
      return bad(err, errlen, "Not must be a Choice Rule");
    }
    size_t n = k < 2 ? json_array_size(v) : 1;
    r->kids = calloc(n, sizeof *r->kids);
    if (!r->kids) return AEV_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
      r->nkids++;
      int rc = aev__choice_parse(k < 2 ? json_array_get(v, i) : v, 0, &r->kids[i], err, errlen,
                                 where, wherelen);
      if (rc) return rc;
    }
    return AEV_OK;
  }
  json_t *var = json_object_get(rule, "Variable");
  if (!var) return bad(err, errlen, "These fields are required: [Variable]");
  int rc = json_is_string(var) ? aev__jpath_compile(json_string_value(var), &r->var, err, errlen)
                               : AEV_ERR_INVALID;
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc) {
    snprintf(where, wherelen, "/Variable");
    return bad(err, errlen, "The value for the field 'Variable' must be a valid JSONPath");
  }
  int found = 0;
  const char *key;
  json_object_foreach(rule, key, v) {
    if (!strcmp(key, "Variable") || !strcmp(key, "Next") || !strcmp(key, "Comment") ||
        !strcmp(key, "Assign"))
      continue;
    size_t i = 0, kl = strlen(key);
    int path = kl > 4 && !strcmp(key + kl - 4, "Path");
    for (; i < N_OPS; i++)
      if (strlen(ops[i].name) == (path ? kl - 4 : kl) && !strncmp(ops[i].name, key, path ? kl - 4 : kl))
        break;
    if (i == N_OPS || (path && (is_test(ops[i].op) || ops[i].op == OP_STR_MATCH))) {
      snprintf(where, wherelen, "/%s", key);
      return bad(err, errlen, "Field '%s' is not supported.", key);
    }
    if (found++) return bad(err, errlen, "A Choice Rule must have exactly one comparison operator");
    r->op = ops[i].op;
    if (path) {
      rc = json_is_string(v) ? aev__jpath_compile(json_string_value(v), &r->value_path, err, errlen)
                             : AEV_ERR_INVALID;
      if (rc == AEV_ERR_NOMEM) return rc;
      if (rc) {
        snprintf(where, wherelen, "/%s", key);
        return bad(err, errlen, "The value for the field '%s' must be a valid JSONPath", key);
      }
    } else {
      if (!literal_ok(ops[i].kind, v)) {
        snprintf(where, wherelen, "/%s", key);
        return bad(err, errlen, "The value for the field '%s' must be a %s", key,
                        ops[i].kind == K_STR   ? "STRING"
                        : ops[i].kind == K_NUM ? "NUMBER"
                        : ops[i].kind == K_TS  ? "RFC3339 timestamp STRING"
                                               : "BOOLEAN");
      }
      r->value = v;
    }
  }
  if (!found) return bad(err, errlen, "A Choice Rule must have a comparison operator");
  (void)top;
  return AEV_OK;
}

/* ---- timestamps ---- */

void aev__iso8601_format(int64_t ms, char out[32]) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  size_t n = strlen(out);
  out[n++] = '.';
  int frac = (int)(ms % 1000);
  out[n++] = (char)('0' + frac / 100);
  out[n++] = (char)('0' + frac / 10 % 10);
  out[n++] = (char)('0' + frac % 10);
  out[n++] = 'Z';
  out[n] = 0;
}

/* ---- evaluating ---- */

/* StringMatches: s[0..n) against pattern p[0..m), where * matches any
 * run and \* and \\ are a literal * and \. Greedy with one way back (to
 * just after the last *), so a pattern of many *s costs n times m at most,
 * not a backtracking search's exponential time; lengths, not NULs, end
 * the text (U+0000 is a character like any other). */
static int matches(const char *s, size_t n, const char *p, size_t m) {
  size_t i = 0, j = 0, star = SIZE_MAX, mark = 0;
  while (i < n) {
    if (j < m && p[j] == '*') {
      star = ++j;
      mark = i;
      continue;
    }
    size_t step = j + 1 < m && p[j] == '\\' && (p[j + 1] == '*' || p[j + 1] == '\\') ? 2 : 1;
    if (j < m && p[j + step - 1] == s[i]) {
      i++;
      j += step;
      continue;
    }
    if (star == SIZE_MAX) return 0;
    j = star;
    i = ++mark;
  }
  while (j < m && p[j] == '*') j++;
  return j == m;
}

static int cmp3(double a, double b) { return a < b ? -1 : a > b; }

static int decide(m_op op, int c) {
  switch (op) {
  case OP_STR_EQ: case OP_NUM_EQ: case OP_TS_EQ: return c == 0;
  case OP_STR_LT: case OP_NUM_LT: case OP_TS_LT: return c < 0;
  case OP_STR_GT: case OP_NUM_GT: case OP_TS_GT: return c > 0;
  case OP_STR_LE: case OP_NUM_LE: case OP_TS_LE: return c <= 0;
  case OP_STR_GE: case OP_NUM_GE: case OP_TS_GE: return c >= 0;
  default: return 0;
  }
}

/* Two strings whole, by their bytes (so by code point): they may hold
 * U+0000 (States.Base64Decode can make one), where strcmp would stop. */
static int str_cmp(json_t *a, json_t *b) {
  size_t na = json_string_length(a), nb = json_string_length(b);
  int c = memcmp(json_string_value(a), json_string_value(b), na < nb ? na : nb);
  return c ? (c < 0 ? -1 : 1) : (na < nb ? -1 : na > nb);
}

static int compare(m_op op, json_t *a, json_t *b) {
  if (op >= OP_STR_EQ && op <= OP_STR_GE) {
    if (!json_is_string(a) || !json_is_string(b)) return 0;
    return decide(op, str_cmp(a, b));
  }
  if (op >= OP_NUM_EQ && op <= OP_NUM_GE) {
    if (!json_is_number(a) || !json_is_number(b)) return 0;
    return decide(op, cmp3(json_number_value(a), json_number_value(b)));
  }
  if (op >= OP_TS_EQ && op <= OP_TS_GE) {
    int64_t x, y;
    int32_t xn, yn;
    if (!json_is_string(a) || !json_is_string(b) ||
        aev__iso8601_parse_ns(json_string_value(a), &x, &xn) ||
        aev__iso8601_parse_ns(json_string_value(b), &y, &yn))
      return 0;
    return decide(op, x != y ? (x < y ? -1 : 1) : (xn > yn) - (xn < yn));
  }
  if (op == OP_BOOL_EQ) return json_is_boolean(a) && json_is_boolean(b) && json_equal(a, b);
  if (op == OP_STR_MATCH)
    return json_is_string(a) && json_is_string(b) &&
           matches(json_string_value(a), json_string_length(a), json_string_value(b),
                   json_string_length(b));
  return 0;
}

static json_t *lookup(const aev__jpath *p, aev__jenv *env) {
  json_t *doc = aev__jpath_root(p) == AEV_JPATH_CONTEXT ? env->context
                : aev__jpath_root(p) == AEV_JPATH_VAR  ? NULL
                                                       : env->input;
  if (aev__jpath_root(p) == AEV_JPATH_VAR) return aev__jpath_eval(p, env);
  return aev__jpath_get(p, doc);
}

int aev__choice_eval(const m_rule *r, aev__jenv *env) {
  switch (r->op) {
  case OP_AND:
    for (size_t i = 0; i < r->nkids; i++) {
      int m = aev__choice_eval(r->kids[i], env);
      if (m != 1) return m;
    }
    return 1;
  case OP_OR:
    for (size_t i = 0; i < r->nkids; i++) {
      int m = aev__choice_eval(r->kids[i], env);
      if (m != 0) return m;
    }
    return 0;
  case OP_NOT: {
    int m = aev__choice_eval(r->kids[0], env);
    return m < 0 ? m : !m;
  }
  default: break;
  }
  json_t *v = lookup(r->var, env);
  if (is_test(r->op)) {
    int t = 0;
    int64_t ms;
    switch (r->op) {
    case OP_IS_PRESENT: t = v != NULL; break;
    case OP_IS_NULL: t = json_is_null(v); break;
    case OP_IS_NUMERIC: t = json_is_number(v); break;
    case OP_IS_STRING: t = json_is_string(v); break;
    case OP_IS_BOOLEAN: t = json_is_boolean(v); break;
    case OP_IS_TIMESTAMP: t = json_is_string(v) && !aev__iso8601_parse(json_string_value(v), &ms); break;
    default: break;
    }
    json_decref(v);
    return t == json_is_true(r->value);
  }
  if (!v) {
    aev__jenv_fail(env, "States.Runtime", "Invalid path '%s': The choice state's condition path references an invalid value.",
                   aev__jpath_text(r->var));
    return -1;
  }
  /* The literal belongs to the definition, which executions on other
   * threads share: borrowed, never reference-counted here. */
  json_t *other = r->value ? r->value : lookup(r->value_path, env);
  if (!other) {
    json_decref(v);
    aev__jenv_fail(env, "States.Runtime", "Invalid path '%s': The choice state's condition path references an invalid value.",
                   aev__jpath_text(r->value_path));
    return -1;
  }
  int m = compare(r->op, v, other);
  json_decref(v);
  if (!r->value) json_decref(other);
  return m;
}
