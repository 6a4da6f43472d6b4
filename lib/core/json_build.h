/* Internal: building jansson values so that running out of memory is always
 * seen: jansson's own copy and member adds can leave parts out silently. */
#ifndef AEV_CORE_JSON_BUILD_H
#define AEV_CORE_JSON_BUILD_H

#include <jansson.h>

/* o if whole, else NULL with o released. An answer builder ANDs each
 * json_object_set_new / json_array_append_new's success into whole
 * (jansson takes the value even when the step fails, or o is NULL) and
 * ends with this, so it answers whole or not at all. */
json_t *aev__json_whole(json_t *o, int whole);

/* A shallow copy of v (a new reference), whole or NULL when out of memory;
 * use it, not json_copy(), which adds members and items unchecked. */
json_t *aev__json_copy(json_t *v);

/* {k1: s1, k2: s2} without the members whose string is NULL (AWS leaves an
 * absent member out, never null; k2 may be NULL for one member), or NULL
 * when out of memory. jansson's "s*" would drop a member silently when its
 * string cannot be made. */
json_t *aev__json_present(const char *k1, const char *s1, const char *k2, const char *s2);

#endif
