/* Tag sets (tags.h). */
#include "core/tags.h"

#include <stdlib.h>
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

static int by_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *aev__tags_page(const json_t *tags, const char *exclusive, size_t limit) {
  size_t n = json_object_size(tags), i = 0, from = 0;
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  if (!keys) return NULL;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)tags, k, v) keys[i++] = k;
  qsort(keys, n, sizeof *keys, by_key);
  while (exclusive && from < n && strcmp(keys[from], exclusive) <= 0) from++;
  json_t *list = json_array();
  int whole = list != NULL;
  for (i = from; whole && i < n && i < from + limit; i++)
    whole = !json_array_append_new(list, json_pack("{s:s, s:O}", "Key", keys[i], "Value",
                                                   json_object_get(tags, keys[i])));
  free(keys);
  return whole ? json_pack("{s:o, s:b}", "Tags", list, "HasMoreTags", i < n)
               : (json_decref(list), NULL);
}
