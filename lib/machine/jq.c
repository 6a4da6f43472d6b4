/* The JSONata query language of Step Functions, on lib/jsonata: templates
 * whose strings "{% expr %}" are expressions (Arguments, Output, Assign,
 * Items, ItemSelector, Condition, Seconds, Timestamp, Error, Cause, and
 * the numeric fields of Map, ItemBatcher and Task), the
 * $states binding (input, result, errorOutput, context) beside the
 * variables, and AWS's States.QueryEvaluationError causes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_build.h"
#include "core/json_dump.h"
#include "jsonata/jsonata.h"
#include "machine/jq.h"

typedef enum { J_LITERAL, J_EXPR, J_OBJECT, J_ARRAY } jkind;

struct m_jt {
  jkind kind;
  json_t *literal;
  aev_jsonata *expr;
  char *text;  /* the expression, trimmed, for causes */
  char *field; /* "Output/result" */
  char **keys;
  m_jt **kids;
  size_t n;
};

/* Whether s is "{% ... %}", and where its expression (trimmed) lies. */
static int expr_span(const char *s, const char **from, size_t *len) {
  size_t n = strlen(s);
  if (n < 4 || strncmp(s, "{%", 2) || strcmp(s + n - 2, "%}")) return 0;
  const char *a = s + 2, *b = s + n - 2;
  while (a < b && isspace((unsigned char)*a)) a++;
  while (b > a && isspace((unsigned char)b[-1])) b--;
  *from = a;
  *len = (size_t)(b - a);
  return 1;
}

int aev__jt_is_expr(json_t *v) {
  const char *from;
  size_t len;
  return json_is_string(v) && expr_span(json_string_value(v), &from, &len);
}

static int has_expr(json_t *v) {
  if (json_is_string(v)) return aev__jt_is_expr(v);
  size_t i;
  json_t *c;
  const char *k;
  if (json_is_array(v)) json_array_foreach(v, i, c) if (has_expr(c)) return 1;
  if (json_is_object(v)) json_object_foreach(v, k, c) if (has_expr(c)) return 1;
  return 0;
}

/* A "{% expr %}" string: its expression compiled for Step Functions. */
static int compile_expr(m_jt *t, const char *s, char *err, size_t errlen) {
  const char *from;
  size_t len;
  expr_span(s, &from, &len);
  t->kind = J_EXPR;
  if (!(t->text = strndup(from, len))) return AEV_ERR_NOMEM;
  int rc = aev_jsonata_compile(t->text, len, &t->expr);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (!rc) rc = aev__jsonata_use_states_profile(t->expr);
  if (rc) { /* AWS's INVALID_JSONATA_EXPRESSION carries the parser's own words */
    snprintf(err, errlen, "%s", aev_errmsg());
    return AEV_ERR_INVALID;
  }
  return AEV_OK;
}

int aev__jt_compile(json_t *v, const char *field, m_jt **out, char *err, size_t errlen) {
  m_jt *t = calloc(1, sizeof *t);
  *out = t;
  if (!t || !(t->field = strdup(field))) return AEV_ERR_NOMEM;
  if (!has_expr(v)) {
    t->kind = J_LITERAL;
    t->literal = json_incref(v);
    return AEV_OK;
  }
  if (json_is_string(v)) return compile_expr(t, json_string_value(v), err, errlen);
  size_t n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
  t->kind = json_is_object(v) ? J_OBJECT : J_ARRAY;
  t->kids = calloc(n + 1, sizeof *t->kids);
  t->keys = calloc(n + 1, sizeof *t->keys);
  if (!t->kids || !t->keys) return AEV_ERR_NOMEM;
  char sub[512];
  int rc;
  if (t->kind == J_ARRAY) {
    while (t->n < n) {
      size_t i = t->n++; /* counted before compiling, so a failed kid is freed too */
      snprintf(sub, sizeof sub, "%s[%zu]", field, i);
      if ((rc = aev__jt_compile(json_array_get(v, i), sub, &t->kids[i], err, errlen))) return rc;
    }
    return AEV_OK;
  }
  const char *k;
  json_t *c;
  json_object_foreach(v, k, c) {
    size_t i = t->n++;
    if (!(t->keys[i] = strdup(k))) return AEV_ERR_NOMEM;
    snprintf(sub, sizeof sub, "%s/%s", field, k);
    if ((rc = aev__jt_compile(c, sub, &t->kids[i], err, errlen))) return rc;
  }
  return AEV_OK;
}

int aev__jt_unsupported(const m_jt *t, int catcher, char *err, size_t errlen) {
  if (t->kind == J_EXPR && aev__jsonata_reads(t->expr, "$", NULL)) {
    snprintf(err, errlen, "Reference to '$$' is not supported.");
    return 1;
  }
  if (t->kind == J_EXPR && !catcher && aev__jsonata_reads(t->expr, "states", "errorOutput")) {
    snprintf(err, errlen, "Field '$states.errorOutput' does not exist.");
    return 1;
  }
  for (size_t i = 0; i < t->n; i++)
    if (aev__jt_unsupported(t->kids[i], catcher, err, errlen)) return 1;
  return 0;
}

void aev__jt_free(m_jt *t) {
  if (!t) return;
  json_decref(t->literal);
  aev_jsonata_free(t->expr);
  free(t->text);
  free(t->field);
  for (size_t i = 0; i < t->n; i++) {
    free(t->keys[i]);
    aev__jt_free(t->kids[i]);
  }
  free(t->keys);
  free(t->kids);
  free(t);
}

json_t *aev__jt_eval(const m_jt *t, json_t *input, json_t *bindings, aev__jenv *env) {
  switch (t->kind) {
  case J_LITERAL: return json_deep_copy(t->literal); /* shared definition: copy */
  case J_EXPR: {
    json_t *out = NULL;
    char code[8] = "", msg[512] = "";
    int pos = -1;
    int rc = aev__jsonata_eval_json(t->expr, input, bindings, &out, code, msg, sizeof msg, &pos);
    if (rc == AEV_ERR_NOMEM) return NULL; /* no error recorded: the run names States.Runtime */
    if (rc) {
      aev__jenv_fail(env, "States.QueryEvaluationError",
                     "The JSONata expression '%s' specified for the field '%s' threw an error "
                     "during evaluation. %s: %s",
                     t->text, t->field, code, msg);
      env->location = t->field;
      return NULL;
    }
    if (!out) {
      aev__jenv_fail(env, "States.QueryEvaluationError",
                     "The JSONata expression '%s' specified for the field '%s' returned nothing "
                     "(undefined).",
                     t->text, t->field);
      env->location = t->field;
    }
    return out;
  }
  case J_ARRAY:
  case J_OBJECT: {
    json_t *o = t->kind == J_ARRAY ? json_array() : json_object();
    for (size_t i = 0; o && i < t->n; i++) {
      json_t *v = aev__jt_eval(t->kids[i], input, bindings, env);
      /* a part that cannot be added (out of memory) fails the whole value */
      if (!v || (t->kind == J_ARRAY ? json_array_append_new(o, v)
                                    : json_object_set_new(o, t->keys[i], v))) {
        json_decref(o);
        return NULL;
      }
    }
    return o;
  }
  }
  return NULL;
}

static const char *type_name(json_t *v) {
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

/* AWS's cause for a result of the wrong JSON type (recorded for Items,
 * "Expected 'array', but was 'object'"; the value after it as LocalStack
 * gives it). */
static int wrong_type(const m_jt *t, json_t *v, const char *expected, aev__jenv *env) {
  char *text = aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  aev__jenv_fail(env, "States.QueryEvaluationError",
                 "The JSONata expression '%s' specified for the field '%s' returned an unexpected "
                 "result type. Expected '%s', but was '%s' for value: %s",
                 t->text, t->field, expected, type_name(v), text ? text : "");
  env->location = t->field;
  free(text);
  return -1;
}

int aev__jt_array(const m_jt *t, json_t *v, aev__jenv *env) {
  return json_is_array(v) ? 0 : wrong_type(t, v, "array", env);
}

int aev__jt_number(const m_jt *t, json_t *v, int integral, double min, double max, aev__jenv *env,
                   double *out) {
  if (integral ? !json_is_integer(v) : !json_is_number(v))
    return wrong_type(t, v, integral ? "integer" : "number", env);
  *out = json_number_value(v);
  if (*out >= min && *out <= max) return 0;
  /* AWS's words for a value out of range are not recorded: ours. */
  aev__jenv_fail(env, "States.QueryEvaluationError",
                 "The JSONata expression '%s' specified for the field '%s' returned %.17g, which is "
                 "out of range: the field takes %.17g to %.17g.",
                 t->text, t->field, *out, min, max);
  env->location = t->field;
  return -1;
}

json_t *aev__jq_bindings(json_t *vars, json_t *input, json_t *result, json_t *error_output,
                         json_t *context) {
  json_t *b = vars ? aev__json_copy(vars) : json_object();
  json_t *states = json_pack("{s:O}", "input", input);
  if (!b || !states || (result && json_object_set(states, "result", result)) ||
      (error_output && json_object_set(states, "errorOutput", error_output)) ||
      (context && json_object_set(states, "context", context))) {
    json_decref(b);
    json_decref(states);
    return NULL;
  }
  if (json_object_set_new(b, "states", states)) {
    json_decref(b);
    return NULL;
  }
  return b;
}
