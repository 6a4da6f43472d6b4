/* Payload templates (Parameters, ResultSelector, ItemSelector, JSONPath
 * Assign): keys ending in ".$" take a path ($, $$ or $var) or an intrinsic
 * function and lose their ".$" suffix; everything else is copied as is,
 * nested objects and arrays included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/java_order.h"
#include "json/json.h"

typedef enum { T_LITERAL, T_PATH, T_CALL, T_OBJECT, T_ARRAY } tkind;

struct aev__tmpl {
  tkind kind;
  json_t *literal;
  aev__jpath *path;
  aev__intrinsic *call;
  char **keys;
  aev__tmpl **kids;
  size_t n;
};

static int has_dynamic(json_t *v) {
  if (json_is_object(v)) {
    const char *k;
    json_t *c;
    json_object_foreach(v, k, c) {
      size_t l = strlen(k);
      if ((l >= 2 && !strcmp(k + l - 2, ".$")) || has_dynamic(c)) return 1;
    }
  } else if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); i++)
      if (has_dynamic(json_array_get(v, i))) return 1;
  }
  return 0;
}

static int compile(json_t *v, aev__tmpl **out, char *err, size_t errlen);

static int is_dynamic(const aev__tmpl *t) { return t->kind == T_PATH || t->kind == T_CALL; }

/* Puts an object template's members in the order AWS's output has them:
 * the fields copied as they are first, in the template's order, then the
 * ".$" fields in the order of the java.util.HashMap that AWS keeps them in
 * (core/java_order.h). */
static int order_members(aev__tmpl *t) {
  const size_t n = t->n;
  const char **dyn = malloc(n * sizeof *dyn);
  size_t *at = malloc(n * sizeof *at), *order = malloc(n * sizeof *order);
  char **keys = malloc(n * sizeof *keys);
  aev__tmpl **kids = malloc(n * sizeof *kids);
  size_t nd = 0, k = 0;
  int rc = dyn && at && order && keys && kids ? AEV_OK : AEV_ERR_NOMEM;
  for (size_t i = 0; !rc && i < n; i++)
    if (is_dynamic(t->kids[i])) {
      at[nd] = i;
      dyn[nd++] = t->keys[i];
    } else {
      keys[k] = t->keys[i];
      kids[k++] = t->kids[i];
    }
  if (!rc) rc = aev__java_order(dyn, nd, order);
  if (!rc) {
    for (size_t i = 0; i < nd; i++) {
      keys[k] = t->keys[at[order[i]]];
      kids[k++] = t->kids[at[order[i]]];
    }
    memcpy(t->keys, keys, n * sizeof *keys);
    memcpy(t->kids, kids, n * sizeof *kids);
  }
  free(dyn);
  free(at);
  free(order);
  free(keys);
  free(kids);
  return rc;
}

static int compile_dynamic(const char *key, json_t *v, aev__tmpl *t, char *err, size_t errlen) {
  if (!json_is_string(v)) {
    snprintf(err, errlen,
             "The value for the field '%s' must be a STRING that contains a JSONPath but was a %s",
             key, json_is_object(v) ? "OBJECT" : json_is_array(v) ? "ARRAY" : "VALUE");
    return AEV_ERR_INVALID;
  }
  const char *s = json_string_value(v);
  if (aev__is_intrinsic(s)) {
    t->kind = T_CALL;
    return aev__intrinsic_compile(s, &t->call, err, errlen);
  }
  t->kind = T_PATH;
  int rc = aev__jpath_compile(s, &t->path, err, errlen);
  if (rc == AEV_ERR_INVALID)
    snprintf(err, errlen, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", key);
  return rc;
}

/* AEV_OK, AEV_ERR_INVALID or AEV_ERR_NOMEM (json.h); *out is left for
 * the caller to free, whole or in part. */
static int compile(json_t *v, aev__tmpl **out, char *err, size_t errlen) {
  aev__tmpl *t = calloc(1, sizeof *t);
  *out = t;
  if (!t) return AEV_ERR_NOMEM;
  if (!has_dynamic(v)) {
    t->kind = T_LITERAL;
    t->literal = json_incref(v);
    return AEV_OK;
  }
  size_t n = json_is_object(v) ? json_object_size(v) : json_array_size(v);
  t->kind = json_is_object(v) ? T_OBJECT : T_ARRAY;
  t->kids = calloc(n, sizeof *t->kids);
  t->keys = calloc(n, sizeof *t->keys);
  if (!t->kids || !t->keys) return AEV_ERR_NOMEM;
  if (t->kind == T_ARRAY) {
    /* Counted before it is compiled, so a failing element is freed too. */
    for (size_t i = 0; i < n; i++) {
      t->n = i + 1;
      int rc = compile(json_array_get(v, i), &t->kids[i], err, errlen);
      if (rc) return rc;
    }
    return AEV_OK;
  }
  const char *k;
  json_t *c;
  json_object_foreach(v, k, c) {
    size_t l = strlen(k);
    int dyn = l >= 2 && !strcmp(k + l - 2, ".$");
    t->keys[t->n] = strndup(k, dyn ? l - 2 : l);
    size_t i = t->n++;
    if (!t->keys[i]) return AEV_ERR_NOMEM;
    int rc;
    if (dyn) {
      t->kids[i] = calloc(1, sizeof **t->kids);
      rc = t->kids[i] ? compile_dynamic(k, c, t->kids[i], err, errlen) : AEV_ERR_NOMEM;
    } else {
      rc = compile(c, &t->kids[i], err, errlen);
    }
    if (rc) return rc;
  }
  return order_members(t);
}

int aev__tmpl_compile(json_t *tmpl, aev__tmpl **out, char *err, size_t errlen) {
  int rc = compile(tmpl, out, err, errlen);
  if (rc) {
    aev__tmpl_free(*out);
    *out = NULL;
  }
  return rc;
}

void aev__tmpl_free(aev__tmpl *t) {
  if (!t) return;
  json_decref(t->literal);
  aev__jpath_free(t->path);
  aev__intrinsic_free(t->call);
  for (size_t i = 0; i < t->n; i++) {
    free(t->keys[i]);
    aev__tmpl_free(t->kids[i]);
  }
  free(t->keys);
  free(t->kids);
  free(t);
}

json_t *aev__tmpl_eval(const aev__tmpl *t, aev__jenv *env) {
  switch (t->kind) {
  /* A copy: the template is shared by executions on other threads, and
   * jansson's reference counts are not safe to share that way. */
  case T_LITERAL: return json_deep_copy(t->literal);
  case T_PATH: return aev__jpath_eval(t->path, env);
  case T_CALL: return aev__intrinsic_eval(t->call, env);
  /* A member or element that cannot be added (out of memory) fails the
   * whole value, as one that cannot be evaluated does: never a value with
   * a part missing. */
  case T_ARRAY: {
    json_t *a = json_array();
    for (size_t i = 0; a && i < t->n; i++) {
      json_t *v = aev__tmpl_eval(t->kids[i], env);
      if (!v || json_array_append_new(a, v)) {
        json_decref(a);
        return NULL;
      }
    }
    return a;
  }
  case T_OBJECT: {
    json_t *o = json_object();
    for (size_t i = 0; o && i < t->n; i++) {
      json_t *v = aev__tmpl_eval(t->kids[i], env);
      if (!v || json_object_set_new(o, t->keys[i], v)) {
        json_decref(o);
        return NULL;
      }
    }
    return o;
  }
  }
  return NULL;
}
