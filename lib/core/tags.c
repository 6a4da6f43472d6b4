/* Tag sets (tags.h). */
#include "core/tags.h"

#include <string.h>

#include "awsevents/common.h"
#include "core/text.h"

int aev__tag_fits(const char *key, const json_t *value) {
  size_t k = aev__utf8_chars(key, strlen(key));
  return k >= 1 && k <= AEV__TAG_KEY_MAX && json_is_string(value) &&
         aev__utf8_chars(json_string_value(value), json_string_length(value)) <=
             AEV__TAG_VALUE_MAX;
}

int aev__tags_merged(const json_t *have, const json_t *add, size_t max, json_t **out) {
  json_t *merged = have ? json_copy((json_t *)have) : json_object();
  if (!merged || json_object_update(merged, (json_t *)add)) {
    json_decref(merged);
    return AEV_ERR_NOMEM;
  }
  if (json_object_size(merged) > max) {
    json_decref(merged);
    return AEV_ERR_LIMIT;
  }
  *out = merged;
  return AEV_OK;
}
