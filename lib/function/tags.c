/* A function's tags (CreateFunction's Tags, TagResource, UntagResource,
 * ListTags, GetFunction): keys of 1 to 128 characters, values of 0 to 256,
 * at most 50 tags, keys starting "aws:" kept for AWS. A change that breaks
 * a limit changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/tags.h"
#include "core/text.h"
#include "function/function_impl.h"

static size_t chars(const char *s) { return aev__utf8_chars(s, strlen(s)); }

static int check_tag(const char *key, json_t *value) {
  if (!json_is_string(value))
    return aev__fn_invalid("The value of tag %s must be a string.", key);
  size_t k = chars(key);
  if (k < 1 || k > AEV__TAG_KEY_MAX)
    return aev__fn_invalid("Tag keys must be between 1 and %d characters "
                           "long: %s",
                           AEV__TAG_KEY_MAX, key);
  if (aev__ascii_ncaseeq(key, "aws:", 4))
    return aev__fn_invalid("Tag keys starting with aws: are reserved for AWS "
                           "use: %s",
                           key);
  if (chars(json_string_value(value)) > AEV__TAG_VALUE_MAX)
    return aev__fn_invalid("Tag values must be at most %d characters long: "
                           "the value of %s is longer.",
                           AEV__TAG_VALUE_MAX, key);
  return AEV_OK;
}

static int too_many(void) {
  return aev__fail(AEV_ERR_LIMIT, "InvalidParameterValueException",
                   "Number of tags exceeds resource tag limit.");
}

int aev__fn_tags_check(json_t *tags) {
  if (!json_is_object(tags))
    return aev__fn_invalid("Tags must be a map of strings to strings.");
  const char *k;
  json_t *v;
  json_object_foreach(tags, k, v) {
    int rc = check_tag(k, v);
    if (rc != AEV_OK) return rc;
  }
  return json_object_size(tags) > AEV__TAGS_MAX ? too_many() : AEV_OK;
}

int aev__fn_tags_merge(json_t **slot, json_t *tags) {
  json_t *m = NULL;
  int rc = aev__tags_merged(*slot, tags, AEV__TAGS_MAX, &m);
  if (rc == AEV_ERR_LIMIT) return too_many();
  if (rc) return aev__nomem();
  json_decref(*slot);
  *slot = m;
  return AEV_OK;
}

int aev__fn_tags_merge_at(json_t **by_arn, const char *arn, json_t *tags) {
  if (!*by_arn && !(*by_arn = json_object())) return aev__nomem();
  json_t *have = json_incref(json_object_get(*by_arn, arn));
  int rc = aev__fn_tags_merge(&have, tags);
  if (rc == AEV_OK && json_object_set(*by_arn, arn, have)) rc = aev__nomem();
  json_decref(have);
  return rc;
}

json_t *aev__fn_tags_at(json_t *by_arn, const char *arn) {
  json_t *have = by_arn ? json_object_get(by_arn, arn) : NULL;
  return have ? json_copy(have) : json_object();
}

int aev__fn_tag_keys_check(json_t *keys) {
  size_t i;
  json_t *k;
  json_array_foreach(keys, i, k) {
    if (!json_is_string(k)) return aev__fn_invalid("TagKeys must be strings.");
  }
  return AEV_OK;
}

void aev__fn_tags_drop_keys(json_t *tags, json_t *keys) {
  size_t i;
  json_t *k;
  json_array_foreach(keys, i, k) json_object_del(tags, json_string_value(k));
}

int aev__fn_tags_put(aev_function *f, json_t *tags) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK) rc = aev__fn_tags_check(tags);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  rc = aev__fn_tags_merge(&f->tags, tags);
  pthread_mutex_unlock(&f->mu);
  return rc;
}

int aev__fn_tags_remove(aev_function *f, json_t *keys) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK) rc = aev__fn_tag_keys_check(keys);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  aev__fn_tags_drop_keys(f->tags, keys);
  pthread_mutex_unlock(&f->mu);
  return AEV_OK;
}

json_t *aev__fn_tags_json(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  json_t *t = f->tags ? json_copy(f->tags) : json_object();
  pthread_mutex_unlock(&f->mu);
  return t;
}
