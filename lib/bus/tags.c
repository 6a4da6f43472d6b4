/* Tags of event buses and rules: AWS's limits on one tag and on a
 * resource's set (at most 50), merging TagResource's tags into a
 * resource's, and the Tags list ListTagsForResource answers. A tag set is
 * a {key: value} object, kept under its bus's lock. */
#include <stdio.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "core/json_build.h"
#include "core/status.h"
#include "core/tags.h"
#include "core/text.h"

int aev__bus_tag_key_check(const char *member, const char *key) {
  if (!*key)
    return aev__fail_validation(key, member, "Member must have length greater than or equal to 1");
  return aev__bus_check_length(member, key, AEV__TAG_KEY_MAX);
}

int aev__bus_tag_check(const char *key, const char *value, size_t pos) {
  char member[64];
  snprintf(member, sizeof member, "tags.%zu.member.key", pos);
  int rc = aev__bus_tag_key_check(member, key);
  if (rc) return rc;
  /* AWS keeps keys starting with aws: (in any case) for its own tags. */
  if (aev__ascii_ncaseeq(key, "aws:", 4))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Invalid tag key %s: the prefix aws: is reserved for AWS use.", key);
  snprintf(member, sizeof member, "tags.%zu.member.value", pos);
  return aev__bus_check_length(member, value, AEV__TAG_VALUE_MAX);
}

int aev__bus_tags_too_many(void) {
  return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "A resource can have at most %d tags.", AEV__TAGS_MAX);
}

int aev__bus_tags_merge(json_t *have, json_t *add, json_t **out) {
  int rc = aev__tags_merged(have, add, AEV__TAGS_MAX, out);
  if (rc == AEV_ERR_LIMIT) return aev__bus_tags_too_many();
  return rc ? aev__nomem() : AEV_OK;
}

json_t *aev__bus_tags_list(json_t *tags) {
  json_t *list = json_array();
  int whole = list != NULL;
  const char *k;
  json_t *v;
  json_object_foreach(tags, k, v) {
    whole = whole && !json_array_append_new(list, json_pack("{s:s,s:O}", "Key", k, "Value", v));
  }
  return aev__json_whole(list, whole);
}
