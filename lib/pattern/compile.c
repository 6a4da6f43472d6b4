/* Pattern text -> pm_rule: validation with AWS's messages (event-ruler's,
 * as EventBridge reports them), $or expansion into branches, and the SNS
 * filter-policy profiles' extra limits. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "awsevents/pattern.h"
#include "core/number.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "pattern/pattern_int.h"

/* AWS: "$or" may expand to at most 1,000 combinations (EventBridge), a
 * filter policy to at most 150 and 5 keys (SNS). */
#define EB_MAX_COMBINATIONS 1000
#define SNS_MAX_COMBINATIONS 150
#define SNS_MAX_KEYS 5
#define SNS_MAX_NUMBER 1e9

typedef struct cctx {
  int profile;
  pm_rule *r;
  char err[512];
  int status;
  /* SNS words one message without its usual "FilterPolicy: " lead-in. */
  int bare;
  /* How deeply nested the object being parsed is (top level 1). */
  unsigned depth;
  /* A nested object was met under SNS's MessageAttributes scope, which
   * takes none: AWS says so only once the policy is otherwise valid
   * (recorded against AWS: test_validate_policy_string_operators). */
  int nested;
} cctx;

static int bad(cctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(cctx *c, const char *fmt, ...) {
  if (c->status) return c->status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, sizeof c->err, fmt, ap);
  va_end(ap);
  c->status = AEV_ERR_INVALID;
  return c->status;
}

static int nomem(cctx *c) {
  if (!c->status) c->status = AEV_ERR_NOMEM;
  return c->status;
}

static int dup_str(cctx *c, const char *s, size_t n, pm_str *out) {
  out->s = malloc(n + 1);
  if (!out->s) return nomem(c);
  memcpy(out->s, s, n);
  out->s[n] = 0;
  out->len = n;
  return AEV_OK;
}

/* What a matcher's kind keeps in its string, its list of strings, or its
 * list of numbers (see pm_matcher). */
enum { HOLDS_NOTHING, HOLDS_STR, HOLDS_STRS, HOLDS_NUMS };

static int holds(int kind) {
  switch (kind) {
    case PM_EXACT_NUM:
    case PM_EXISTS:
    case PM_ABSENT:
    case PM_NUMERIC:
    case PM_CIDR: return HOLDS_NOTHING;
    case PM_AB_NUM: return HOLDS_NUMS;
    case PM_AB_STR:
    case PM_AB_EIC:
    case PM_AB_PREFIX:
    case PM_AB_SUFFIX:
    case PM_AB_WILDCARD: return HOLDS_STRS;
    default: return HOLDS_STR;
  }
}

static void matcher_clear(pm_matcher *m) {
  switch (holds(m->kind)) {
    case HOLDS_STR: free(m->s.s); break;
    case HOLDS_STRS:
      for (size_t i = 0; m->strs && i < m->n; i++) free(m->strs[i].s);
      free(m->strs);
      break;
    case HOLDS_NUMS: free(m->nums); break;
    default: break;
  }
}

static void cond_free(pm_cond *k) {
  if (!k) return;
  for (size_t i = 0; i < k->nm; i++) matcher_clear(&k->m[i]);
  free(k->m);
  free(k->path.s);
  free(k);
}

void aev__pm_rule_free(pm_rule *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++) free(r->b[i].c);
  free(r->b);
  for (size_t i = 0; i < r->npool; i++) cond_free(r->pool[i]);
  free(r->pool);
  free(r);
}

size_t aev__pm_rule_memory(const pm_rule *r) {
  size_t total = sizeof *r + r->cap * sizeof *r->b + r->poolcap * sizeof(void *);
  for (size_t i = 0; i < r->n; i++) total += r->b[i].n * sizeof(void *);
  for (size_t i = 0; i < r->npool; i++) {
    const pm_cond *k = r->pool[i];
    total += sizeof *k + k->path.len + 1 + k->nm * sizeof *k->m;
    for (size_t j = 0; j < k->nm; j++) {
      const pm_matcher *m = &k->m[j];
      switch (holds(m->kind)) {
        case HOLDS_STR: total += m->s.s ? m->s.len + 1 : 0; break;
        case HOLDS_STRS:
          total += m->n * sizeof(pm_str);
          for (size_t x = 0; m->strs && x < m->n; x++) total += m->strs[x].len + 1;
          break;
        case HOLDS_NUMS: total += m->n * sizeof(double); break;
        default: break;
      }
    }
  }
  return total;
}

/* ---- leaf values ---- */

static int is_sns(const cctx *c) { return c->profile != AEV_PATTERN_EVENTBRIDGE; }

/* SNS: numbers within +-1e9 with at most five decimals. */
static int check_number(cctx *c, double v) {
  if (!is_sns(c)) return AEV_OK;
  if (!(fabs(v) <= SNS_MAX_NUMBER))
    return bad(c, "Numeric values must be between -1.0E9 and 1.0E9, inclusive");
  double scaled = v * 1e5;
  if (fabs(scaled - nearbyint(scaled)) > 1e-6 + fabs(scaled) * 1e-15)
    return bad(c, "Numeric values must have at most 5 digits after the decimal point");
  return AEV_OK;
}

static int str_matcher(cctx *c, int kind, json_t *v, pm_matcher *m) {
  m->kind = kind;
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  if (kind == PM_EIC || kind == PM_PREFIX_EIC || kind == PM_SUFFIX_EIC)
    return aev__pm_fold(s, n, &m->s) ? nomem(c) : AEV_OK;
  return dup_str(c, s, n, &m->s);
}

/* {"prefix": "x"} or {"prefix": {"equals-ignore-case": "x"}}. */
static int affix(cctx *c, const char *op, json_t *v, int plain, int folded,
                 pm_matcher *m) {
  if (json_is_string(v)) return str_matcher(c, plain, v, m);
  /* SNS has no case-folded prefix or suffix. */
  if (!is_sns(c) && json_is_object(v) && json_object_size(v) == 1) {
    json_t *eic = json_object_get(v, "equals-ignore-case");
    if (eic && json_is_string(eic)) return str_matcher(c, folded, eic, m);
  }
  return bad(c, "%s match pattern must be a string", op);
}

static int numeric_value(cctx *c, json_t *v, const char *op, double *out) {
  if (!json_is_number(v)) return bad(c, "Value of %s must be numeric", op);
  *out = json_number_value(v);
  return check_number(c, *out);
}

/* A JSON value as AWS quotes it in numeric-match errors: the token it
 * stopped at ("5", "true", "{"). Patterns are read with integers as reals,
 * so whole numbers are printed without a fraction, as they were written. */
static const char *token_text(json_t *v, char *buf, size_t cap) {
  if (json_is_number(v)) {
    double d = json_number_value(v);
    if (d == (double)(long long)d && fabs(d) < 1e15)
      snprintf(buf, cap, "%lld", (long long)d);
    else
      aev__snprintf_c(buf, cap, "%.17g", d);
    return buf;
  }
  if (json_is_true(v)) return "true";
  if (json_is_false(v)) return "false";
  if (json_is_null(v)) return "null";
  return json_is_array(v) ? "[" : "{";
}

static int numeric(cctx *c, json_t *v, pm_matcher *m) {
  m->kind = PM_NUMERIC;
  if (!json_is_array(v)) return bad(c, "Value of numeric must be an array.");
  size_t n = json_array_size(v);
  json_t *op0 = json_array_get(v, 0);
  char tok[32];
  if (!op0 || !json_is_string(op0))
    return bad(c, "Invalid member in numeric match: %s",
               op0 ? token_text(op0, tok, sizeof tok) : "]");
  const char *op = json_string_value(op0);
  double x = 0;
  if (!strcmp(op, "=")) {
    if (numeric_value(c, json_array_get(v, 1), "equals", &x)) return c->status;
    if (n > 2) return bad(c, "Too many elements in numeric expression");
    m->has_lo = m->has_hi = 1;
    m->lo = m->hi = x;
    return AEV_OK;
  }
  if (!strcmp(op, "<") || !strcmp(op, "<=")) {
    if (numeric_value(c, json_array_get(v, 1), op, &x)) return c->status;
    if (n > 2) return bad(c, "Too many elements in numeric expression");
    m->has_hi = 1;
    m->hi = x;
    m->hi_open = op[1] == 0;
    return AEV_OK;
  }
  if (strcmp(op, ">") && strcmp(op, ">="))
    return bad(c, "Unrecognized numeric range operator: %s", op);
  if (numeric_value(c, json_array_get(v, 1), op, &x)) return c->status;
  m->has_lo = 1;
  m->lo = x;
  m->lo_open = op[1] == 0;
  if (n == 2) return AEV_OK;
  json_t *op1 = json_array_get(v, 2);
  if (!json_is_string(op1))
    return bad(c, "Bad value in numeric range: %s", token_text(op1, tok, sizeof tok));
  const char *top = json_string_value(op1);
  if (strcmp(top, "<") && strcmp(top, "<="))
    return bad(c, "Bad numeric range operator: %s", top);
  if (numeric_value(c, json_array_get(v, 3), top, &x)) return c->status;
  if (n > 4) return bad(c, "Too many terms in numeric range expression");
  m->has_hi = 1;
  m->hi = x;
  m->hi_open = top[1] == 0;
  if (!(m->lo < m->hi)) return bad(c, "Bottom must be less than top");
  return AEV_OK;
}

/* wildcard.c's checks of a wildcard, as this compile's answer: running
 * out of memory is not a fault of the pattern. */
static int check_wildcard(cctx *c, const char *s, size_t len) {
  int rc = aev__pm_wildcard_check(s, len);
  if (rc == AEV_ERR_NOMEM) return nomem(c);
  return rc ? bad(c, "%s", aev_errmsg()) : AEV_OK;
}

/* A string or a list of strings, each checked, into m->strs. */
static int str_list(cctx *c, json_t *v, const char *type_msg, int nonempty,
                    int fold, int wildcard, pm_matcher *m) {
  size_t n = json_is_array(v) ? json_array_size(v) : 1;
  if (json_is_array(v) && n == 0) return bad(c, "Empty arrays are not allowed");
  m->strs = calloc(n, sizeof *m->strs);
  if (!m->strs) return nomem(c);
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
    if (!json_is_string(e)) return bad(c, "%s", type_msg);
    const char *s = json_string_value(e);
    size_t len = json_string_length(e);
    if (nonempty && len == 0) return bad(c, "Null prefix/suffix not allowed");
    if (wildcard && check_wildcard(c, s, len)) return c->status;
    int rc = fold ? aev__pm_fold(s, len, &m->strs[i]) : dup_str(c, s, len, &m->strs[i]);
    if (rc) return nomem(c);
    m->n = i + 1;
  }
  return AEV_OK;
}

static const char AB_VALUE_MSG[] =
    "Value of anything-but must be an array or single string/number value.";

static int anything_but_object(cctx *c, json_t *v, pm_matcher *m) {
  const char *op = json_object_iter_key(json_object_iter(v));
  json_t *arg = json_object_iter_value(json_object_iter(v));
  if (!op) return bad(c, "Anything-But expression name not found");
  if (json_object_size(v) > 1) return bad(c, "Only one key allowed in match expression");
  /* SNS's anything-but takes only the prefix form. */
  if (is_sns(c) && strcmp(op, "prefix"))
    return bad(c, "Unsupported anything-but pattern: %s", op);
  if (!strcmp(op, "prefix") || !strcmp(op, "suffix")) {
    m->kind = op[0] == 'p' ? PM_AB_PREFIX : PM_AB_SUFFIX;
    if (json_is_object(arg)) return bad(c, "%s", AB_VALUE_MSG);
    /* Both recorded against AWS: EventBridge names the two forms, SNS
     * (which has only prefix) the one. */
    return str_list(c, arg,
                    is_sns(c) ? "prefix match pattern must be a string"
                              : "prefix/suffix match pattern must be a string",
                    1, 0, 0, m);
  }
  if (!strcmp(op, "equals-ignore-case")) {
    m->kind = PM_AB_EIC;
    return str_list(c, arg,
                    "Inside anything-but/equals-ignore-case list, "
                    "number|start|null|boolean is not supported.",
                    0, 1, 0, m);
  }
  if (!strcmp(op, "wildcard")) {
    m->kind = PM_AB_WILDCARD;
    return str_list(c, arg, "wildcard match pattern must be a string", 0, 0, 1, m);
  }
  return bad(c, "Unsupported anything-but pattern: %s", op);
}

static int anything_but(cctx *c, json_t *v, pm_matcher *m) {
  if (json_is_object(v)) return anything_but_object(c, v, m);
  if (json_is_string(v)) {
    m->kind = PM_AB_STR;
    return str_list(c, v, "", 0, 0, 0, m);
  }
  if (json_is_number(v)) {
    m->kind = PM_AB_NUM;
    m->nums = malloc(sizeof *m->nums);
    if (!m->nums) return nomem(c);
    m->nums[0] = json_number_value(v);
    m->n = 1;
    return check_number(c, m->nums[0]);
  }
  if (!json_is_array(v)) return bad(c, "%s", AB_VALUE_MSG);
  size_t n = json_array_size(v), strings = 0, numbers = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(v, i);
    if (json_is_string(e))
      strings++;
    else if (json_is_number(e))
      numbers++;
    else
      return bad(c, "Inside anything but list, start|null|boolean is not supported.");
  }
  if ((strings && numbers) || n == 0)
    return bad(c, "Inside anything but list, either all values are number or "
                  "string, mixed type is not supported");
  if (strings) {
    m->kind = PM_AB_STR;
    return str_list(c, v, "", 0, 0, 0, m);
  }
  m->kind = PM_AB_NUM;
  m->nums = malloc(n * sizeof *m->nums);
  if (!m->nums) return nomem(c);
  for (m->n = 0; m->n < n; m->n++) {
    m->nums[m->n] = json_number_value(json_array_get(v, m->n));
    if (check_number(c, m->nums[m->n])) return c->status;
  }
  return AEV_OK;
}

static int match_expression(cctx *c, json_t *obj, pm_matcher *m) {
  if (json_object_size(obj) == 0) return bad(c, "Match expression name not found");
  if (json_object_size(obj) > 1) return bad(c, "Only one key allowed in match expression");
  void *it = json_object_iter(obj);
  const char *op = json_object_iter_key(it);
  json_t *v = json_object_iter_value(it);
  if (!strcmp(op, "exact")) {
    if (!json_is_string(v)) return bad(c, "exact match pattern must be a string");
    return str_matcher(c, PM_EXACT_STR, v, m);
  }
  if (!strcmp(op, "prefix")) return affix(c, "prefix", v, PM_PREFIX, PM_PREFIX_EIC, m);
  if (!strcmp(op, "suffix")) return affix(c, "suffix", v, PM_SUFFIX, PM_SUFFIX_EIC, m);
  if (!strcmp(op, "equals-ignore-case")) {
    if (!json_is_string(v))
      return bad(c, "equals-ignore-case match pattern must be a string");
    return str_matcher(c, PM_EIC, v, m);
  }
  /* SNS filter policies have no wildcard operator. */
  if (!strcmp(op, "wildcard") && !is_sns(c)) {
    if (!json_is_string(v)) return bad(c, "wildcard match pattern must be a string");
    if (check_wildcard(c, json_string_value(v), json_string_length(v))) return c->status;
    return str_matcher(c, PM_WILDCARD, v, m);
  }
  if (!strcmp(op, "numeric")) return numeric(c, v, m);
  if (!strcmp(op, "anything-but")) return anything_but(c, v, m);
  if (!strcmp(op, "exists")) {
    if (!json_is_boolean(v))
      return bad(c, "exists match pattern must be either true or false.");
    m->kind = json_is_true(v) ? PM_EXISTS : PM_ABSENT;
    return AEV_OK;
  }
  if (!strcmp(op, "cidr")) {
    /* AWS really says "prefix" here (event-ruler reuses the message). */
    if (!json_is_string(v)) return bad(c, "prefix match pattern must be a string");
    if (aev__pm_cidr_parse(json_string_value(v), json_string_length(v), m))
      return bad(c, "%s", aev_errmsg());
    return AEV_OK;
  }
  return bad(c, "Unrecognized match type %s", op);
}

static int leaf_value(cctx *c, json_t *v, pm_matcher *m) {
  switch (json_typeof(v)) {
    case JSON_STRING:
      return str_matcher(c, PM_EXACT_STR, v, m);
    case JSON_INTEGER:
    case JSON_REAL:
      m->kind = PM_EXACT_NUM;
      m->num = json_number_value(v);
      return check_number(c, m->num);
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
      m->kind = PM_LITERAL;
      return dup_str(c, json_is_null(v) ? "null" : json_is_true(v) ? "true" : "false",
                     json_is_null(v) ? 4 : json_is_true(v) ? 4 : 5, &m->s);
    case JSON_OBJECT:
      return match_expression(c, v, m);
    default:
      return bad(c, "Match value must be String, number, true, false, or null");
  }
}

/* ---- structure ---- */

static int pool_add(cctx *c, pm_cond *k) {
  pm_rule *r = c->r;
  if (r->npool == r->poolcap) {
    size_t cap = r->poolcap ? r->poolcap * 2 : 8;
    pm_cond **p = realloc(r->pool, cap * sizeof *p);
    if (!p) return nomem(c);
    r->pool = p;
    r->poolcap = cap;
  }
  r->pool[r->npool++] = k;
  return AEV_OK;
}

typedef struct blist {
  pm_branch *b;
  size_t n, cap;
} blist;

static void blist_clear(blist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->b[i].c);
  free(l->b);
  memset(l, 0, sizeof *l);
}

static int blist_push(cctx *c, blist *l, const pm_branch *src) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    pm_branch *b = realloc(l->b, cap * sizeof *b);
    if (!b) return nomem(c);
    l->b = b;
    l->cap = cap;
  }
  pm_branch *d = &l->b[l->n];
  d->n = src ? src->n : 0;
  d->c = malloc((d->n + 1) * sizeof *d->c);
  if (!d->c) return nomem(c);
  if (d->n) memcpy(d->c, src->c, d->n * sizeof *d->c);
  l->n++;
  return AEV_OK;
}

/* Adds k to a branch; like event-ruler's per-branch map, a later condition
 * on the same path (dot joining can spell one path twice) replaces it. */
static int branch_put(cctx *c, pm_branch *b, pm_cond *k) {
  for (size_t i = 0; i < b->n; i++) {
    if (b->c[i]->path.len == k->path.len &&
        !memcmp(b->c[i]->path.s, k->path.s, k->path.len)) {
      b->c[i] = k;
      return AEV_OK;
    }
  }
  pm_cond **p = realloc(b->c, (b->n + 1) * sizeof *p);
  if (!p) return nomem(c);
  b->c = p;
  b->c[b->n++] = k;
  return AEV_OK;
}

static int join(cctx *c, const char *prefix, size_t plen, const char *key,
                pm_str *out) {
  size_t klen = strlen(key), n = plen ? plen + 1 + klen : klen;
  out->s = malloc(n + 1);
  if (!out->s) return nomem(c);
  if (plen) {
    memcpy(out->s, prefix, plen);
    out->s[plen] = '.';
  }
  memcpy(out->s + (plen ? plen + 1 : 0), key, klen + 1);
  out->len = n;
  return AEV_OK;
}

static int parse_object(cctx *c, json_t *obj, const pm_str *path, blist *l);

static int parse_leaf(cctx *c, json_t *arr, const char *key, const pm_str *path,
                      blist *l) {
  size_t n = json_array_size(arr);
  if (n == 0) return bad(c, "Empty arrays are not allowed");
  pm_cond *k = calloc(1, sizeof *k);
  if (!k) return nomem(c);
  if (pool_add(c, k)) {
    free(k);
    return c->status;
  }
  if (join(c, path->s, path->len, key, &k->path)) return c->status;
  k->depth = c->depth;
  k->m = calloc(n, sizeof *k->m);
  if (!k->m) return nomem(c);
  for (size_t i = 0; i < n; i++) {
    k->nm = i + 1;
    if (leaf_value(c, json_array_get(arr, i), &k->m[i])) return c->status;
  }
  if (l->n == 0 && blist_push(c, l, NULL)) return c->status;
  for (size_t i = 0; i < l->n; i++)
    if (branch_put(c, &l->b[i], k)) return c->status;
  return AEV_OK;
}

static int parse_or(cctx *c, json_t *arr, const pm_str *path, blist *l) {
  if (!json_is_array(arr)) return bad(c, "It must be an Array followed with $or.");
  blist current = *l, out = {0};
  memset(l, 0, sizeof *l);
  size_t n = json_array_size(arr);
  for (size_t i = 0; i < n && !c->status; i++) {
    json_t *e = json_array_get(arr, i);
    if (!json_is_object(e)) {
      bad(c, "Only JSON object is allowed in array of $or relationship.");
      break;
    }
    blist copy = {0};
    for (size_t j = 0; j < current.n && !c->status; j++) blist_push(c, &copy, &current.b[j]);
    if (!c->status && current.n == 0) blist_push(c, &copy, NULL);
    if (!c->status) parse_object(c, e, path, &copy);
    for (size_t j = 0; j < copy.n && !c->status; j++) blist_push(c, &out, &copy.b[j]);
    blist_clear(&copy);
    if (!c->status && out.n > EB_MAX_COMBINATIONS)
      bad(c, "The event pattern has more than %d $or combinations",
          EB_MAX_COMBINATIONS);
  }
  if (!c->status && n < 2)
    bad(c, "There must have at least 2 Objects in $or relationship.");
  blist_clear(&current);
  *l = out;
  return c->status;
}

static int parse_object(cctx *c, json_t *obj, const pm_str *path, blist *l) {
  if (json_object_size(obj) == 0) return bad(c, "Empty objects are not allowed");
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (!strcmp(key, "$or")) {
      if (parse_or(c, v, path, l)) return c->status;
    } else if (json_is_array(v)) {
      if (parse_leaf(c, v, key, path, l)) return c->status;
    } else if (json_is_object(v)) {
      c->nested |= c->profile == AEV_PATTERN_SNS_ATTRIBUTES;
      pm_str sub;
      if (join(c, path->s, path->len, key, &sub)) return c->status;
      c->depth++;
      parse_object(c, v, &sub, l);
      c->depth--;
      free(sub.s);
      if (c->status) return c->status;
    } else {
      return bad(c, "\"%s\" must be an object or an array", key);
    }
  }
  return AEV_OK;
}

static int cmp_path(const pm_cond *x, const pm_cond *y) {
  size_t n = x->path.len < y->path.len ? x->path.len : y->path.len;
  int d = memcmp(x->path.s, y->path.s, n);
  return d ? d : (x->path.len > y->path.len) - (x->path.len < y->path.len);
}

/* How costly a condition is to test: 0 when each of its values is a single
 * hash lookup, 1 with prefixes or suffixes, 2 with matchers tested one by
 * one (numeric, anything-but, wildcard, cidr, exists). */
static int cost(const pm_cond *k) {
  int c = 0;
  for (size_t i = 0; i < k->nm; i++) {
    int kind = k->m[i].kind, ci = kind <= PM_EIC ? 0 : kind < PM_N_HASHED ? 1 : 2;
    if (ci > c) c = ci;
  }
  return c;
}

/* Where a path goes among conditions of equal cost: `source` first, then
 * the other top-level fields, then nested ones. Nearly every EventBridge
 * rule names its source (AWS's guide builds every example on it), so the
 * automaton's start state then has one field to look up, and that lookup
 * leaves only the patterns of the event's source; a top-level envelope
 * field is one value per event, where detail fields may be arrays and
 * an event has many of them. */
static int rank(const pm_cond *k) {
  if (k->path.len == 6 && !memcmp(k->path.s, "source", 6)) return 0;
  return k->depth > 1 ? 2 : 1;
}

/* A branch's conditions in a canonical order (so equal leading conditions
 * share automaton states): the cheap ones first, so a match only reaches
 * numeric ranges or anything-but lists once the exact values have narrowed
 * it down; then the selective fields (rank()); then by path. */
static int cmp_cond(const void *a, const void *b) {
  const pm_cond *x = *(pm_cond *const *)a, *y = *(pm_cond *const *)b;
  int cx = cost(x), cy = cost(y), rx = rank(x), ry = rank(y);
  return cx != cy ? cx - cy : rx != ry ? rx - ry : cmp_path(x, y);
}

/* SNS: at most 5 distinct keys (leaves: an object-valued key is not
 * counted) and 150 value combinations. A branch's combinations multiply,
 * per key, its number of values by its nesting depth (SNS's worked example:
 * 4 values three levels down and 3 values two levels down make
 * 3 x 4 x 2 x 3 = 72); $or branches add up. */
static int sns_limits(cctx *c) {
  pm_rule *r = c->r;
  size_t keys = 0;
  for (size_t i = 0; i < r->npool; i++) {
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++)
      seen = cmp_path(r->pool[i], r->pool[j]) == 0;
    keys += !seen;
  }
  if (keys > SNS_MAX_KEYS) return bad(c, "Filter policy can not have more than 5 keys");
  size_t total = 0;
  for (size_t i = 0; i < r->n; i++) {
    size_t product = 1;
    for (size_t j = 0; j < r->b[i].n && product <= SNS_MAX_COMBINATIONS; j++)
      product *= r->b[i].c[j]->nm * r->b[i].c[j]->depth;
    total += product;
  }
  if (total > SNS_MAX_COMBINATIONS) return bad(c, "Filter policy is too complex");
  return AEV_OK;
}

static int fail(cctx *c) {
  if (c->status == AEV_ERR_NOMEM) return aev__nomem();
  if (is_sns(c))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter", "Invalid parameter: %s%s",
                     c->bare ? "" : "FilterPolicy: ", c->err);
  return aev__fail(AEV_ERR_INVALID, "InvalidEventPatternException",
                   "Event pattern is not valid. Reason: %s", c->err);
}

/* Gives back the room the rule's branch and condition arrays grew into: a
 * set keeps every rule it holds (to remove and re-add it), and most have
 * one branch of a few conditions. A failed shrink keeps the bigger array. */
static void fit(pm_rule *r) {
  pm_branch *b = r->n && r->n < r->cap ? realloc(r->b, r->n * sizeof *b) : NULL;
  if (b) {
    r->b = b;
    r->cap = r->n;
  }
  pm_cond **p = r->npool && r->npool < r->poolcap ? realloc(r->pool, r->npool * sizeof *p) : NULL;
  if (p) {
    r->pool = p;
    r->poolcap = r->npool;
  }
}

int aev__pm_compile(const char *json, size_t len, int profile, pm_rule **out) {
  *out = NULL;
  if (profile < AEV_PATTERN_EVENTBRIDGE || profile > AEV_PATTERN_SNS_BODY)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Unknown pattern profile %d.", profile);
  if (!json) return aev__fail(AEV_ERR_INVALID, "ValidationException",
                              "EventPattern is required.");
  /* EventBridge's API model limits EventPattern to 4096 characters. */
  if (profile == AEV_PATTERN_EVENTBRIDGE && aev__utf8_chars(json, len) > AEV_PATTERN_MAX_LENGTH)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at 'eventPattern' failed "
                     "to satisfy constraint: Member must have length less than or "
                     "equal to %d",
                     AEV_PATTERN_MAX_LENGTH);
  cctx c = {.profile = profile, .depth = 1};
  json_error_t jerr;
  json_t *root;
  int rc = aev__json_parse(json, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &root, &jerr);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc) {
    bad(&c, "%s at line %d, column %d", jerr.text, jerr.line, jerr.column);
    return fail(&c);
  }
  c.r = calloc(1, sizeof *c.r);
  if (!c.r) {
    json_decref(root);
    return aev__nomem();
  }
  blist l = {0};
  pm_str top = {"", 0};
  if (!json_is_object(root))
    bad(&c, "Filter is not an object");
  else
    parse_object(&c, root, &top, &l);
  json_decref(root);
  if (!c.status && c.nested) {
    c.bare = 1;
    bad(&c, "Filter policy scope MessageAttributes does not support nested filter policy");
  }
  c.r->b = l.b;
  c.r->n = l.n;
  c.r->cap = l.cap;
  for (size_t i = 0; !c.status && i < l.n; i++)
    qsort(l.b[i].c, l.b[i].n, sizeof *l.b[i].c, cmp_cond);
  if (!c.status && is_sns(&c)) sns_limits(&c);
  if (c.status) {
    aev__pm_rule_free(c.r);
    return fail(&c);
  }
  fit(c.r);
  *out = c.r;
  return AEV_OK;
}
