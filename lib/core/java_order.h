/* Internal: the order in which a java.util.HashMap iterates its keys.
 * Step Functions, a Java service, builds some objects through one, and its
 * answers show that order: the ".$" fields of a payload template and the
 * result of States.JsonMerge (recorded against AWS: ItemSelector
 * {"original_input.$", "iteration_input_value.$", "iteration_index.$",
 * "from_input_constant.$", "constant_value"} gives constant_value,
 * iteration_input_value, from_input_constant, iteration_index,
 * original_input). Users who compare output texts see it. */
#ifndef AEV_CORE_JAVA_ORDER_H
#define AEV_CORE_JAVA_ORDER_H

#include <jansson.h>
#include <stddef.h>

/* Fills order[0..n) with the indices of keys (distinct UTF-8 strings, put
 * in index order into a default-constructed HashMap<String, ?>) in the
 * order the map iterates them. Returns AEV_OK or AEV_ERR_NOMEM. */
int aev__java_order(const char *const *keys, size_t n, size_t *order);

/* A new object with o's members (a new reference each) in the order a
 * HashMap iterates them when they are put in o's order; NULL when out of
 * memory. */
json_t *aev__json_java_order(json_t *o);

#endif
