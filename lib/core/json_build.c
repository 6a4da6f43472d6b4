/* Building jansson values whole or not at all. */
#include "core/json_build.h"

json_t *aev__json_whole(json_t *o, int whole) {
  if (whole) return o;
  json_decref(o);
  return NULL;
}

static json_t *object_copy(json_t *o) {
  json_t *c = json_object();
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    if (!c || json_object_set_nocheck(c, key, v)) {
      json_decref(c);
      return NULL;
    }
  }
  return c;
}

static json_t *array_copy(json_t *a) {
  json_t *c = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if (!c || json_array_append(c, v)) {
      json_decref(c);
      return NULL;
    }
  }
  return c;
}

json_t *aev__json_present(const char *k1, const char *s1, const char *k2, const char *s2) {
  json_t *o = json_object();
  int whole = o != NULL;
  if (whole && s1) whole = !json_object_set_new(o, k1, json_string(s1));
  if (whole && k2 && s2) whole = !json_object_set_new(o, k2, json_string(s2));
  return aev__json_whole(o, whole);
}

json_t *aev__json_copy(json_t *v) {
  if (json_is_object(v)) return object_copy(v);
  if (json_is_array(v)) return array_copy(v);
  return json_copy(v);
}
