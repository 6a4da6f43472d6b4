/* Deep equality of two JSON values the way the JSONata test suite compares
 * results: numbers by value (an integer equals the same real), object
 * members in any order. Shared by the JSONata conformance test and the
 * JSONata fuzz target. */
#ifndef AEV_TEST_JSON_SAME_H
#define AEV_TEST_JSON_SAME_H

#include <jansson.h>

static inline int json_same(json_t *a, json_t *b) {
  if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
  if (json_typeof(a) != json_typeof(b)) return 0;
  if (json_is_array(a)) {
    if (json_array_size(a) != json_array_size(b)) return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!json_same(json_array_get(a, i), json_array_get(b, i))) return 0;
    return 1;
  }
  if (json_is_object(a)) {
    if (json_object_size(a) != json_object_size(b)) return 0;
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(a, k, klen, v) {
      json_t *o = json_object_getn(b, k, klen);
      if (!o || !json_same(v, o)) return 0;
    }
    return 1;
  }
  return json_equal(a, b);
}

#endif
