/* Stream tags: AddTagsToStream (at most 50 per stream, keys 1..128 and
 * values 0..256 characters), RemoveTagsFromStream, ListTagsForStream. */
#include <string.h>

#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "stream/stream.h"

#define MAX_TAGS 50

int aev__stream_tag_json(aev_stream *s, json_t *tags) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (!json_is_object(tags) || json_object_size(tags) < 1 ||
      json_object_size(tags) > MAX_TAGS)
    return aev__kin_validation(NULL, "tags",
                               "Member must have length less than or equal "
                               "to 50 and greater than or equal to 1");
  const char *k;
  json_t *v;
  json_object_foreach(tags, k, v) {
    /* Lengths in characters, as AWS counts them (not UTF-8 bytes). */
    size_t kl = aev__utf8_chars(k, strlen(k));
    if (kl < 1 || kl > 128)
      return aev__kin_invalid("Tag key %s must be 1 to 128 characters.", k);
    if (!json_is_string(v) ||
        aev__utf8_chars(json_string_value(v), json_string_length(v)) > 256)
      return aev__kin_invalid("Tag value for key %s must be a string of at "
                              "most 256 characters.",
                              k);
  }
  pthread_mutex_lock(&s->mu);
  size_t added = 0;
  json_object_foreach(tags, k, v) added += !json_object_get(s->tags, k);
  if (json_object_size(s->tags) + added > MAX_TAGS) {
    pthread_mutex_unlock(&s->mu);
    return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                     "Failed to add tags to stream %s under account %s "
                     "because a given stream cannot have more than 50 tags.",
                     s->res.name, aev_broker_account(s->res.broker));
  }
  /* Merged into a copy, so that out of memory leaves the tags as they were. */
  json_t *merged = json_deep_copy(s->tags);
  if (!merged || json_object_update(merged, tags)) {
    pthread_mutex_unlock(&s->mu);
    json_decref(merged);
    return aev__nomem();
  }
  json_decref(s->tags);
  s->tags = merged;
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

int aev__stream_untag_json(aev_stream *s, json_t *keys) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  size_t i;
  json_t *k;
  if (!json_is_array(keys) || json_array_size(keys) < 1 ||
      json_array_size(keys) > MAX_TAGS)
    return aev__kin_validation(NULL, "tagKeys",
                               "Member must have length less than or equal "
                               "to 50 and greater than or equal to 1");
  json_array_foreach(keys, i, k) if (!json_is_string(k))
      return aev__kin_validation(NULL, "tagKeys", "Member must be a string");
  pthread_mutex_lock(&s->mu);
  json_array_foreach(keys, i, k) json_object_del(s->tags, json_string_value(k));
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

int aev__stream_tags_json(aev_stream *s, json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  int whole = list != NULL;
  const char *k;
  json_t *v;
  pthread_mutex_lock(&s->mu);
  json_object_foreach(s->tags, k, v) {
    whole = whole && !json_array_append_new(list, json_pack("{s:s, s:O}", "Key", k, "Value", v));
  }
  pthread_mutex_unlock(&s->mu);
  *out = json_pack("{s:o, s:b}", "Tags", aev__json_whole(list, whole), "HasMoreTags", 0);
  return *out ? AEV_OK : aev__nomem();
}

static int with_json(aev_stream *s, const char *text,
                     int (*fn)(aev_stream *, json_t *)) {
  json_t *j;
  int rc = aev__json_parse_str(text, 0, &j);
  if (rc == AEV_ERR_INVALID) return aev__kin_invalid("The tags argument must be valid JSON.");
  if (rc) return rc;
  rc = fn(s, j);
  json_decref(j);
  return rc;
}

int aev_stream_tag(aev_stream *s, const char *tags_json) {
  return with_json(s, tags_json, aev__stream_tag_json);
}

int aev_stream_untag(aev_stream *s, const char *keys_json) {
  return with_json(s, keys_json, aev__stream_untag_json);
}

int aev_stream_list_tags(aev_stream *s, char **response_json) {
  json_t *j;
  int rc = aev__stream_tags_json(s, &j);
  if (rc != AEV_OK) return rc;
  *response_json = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *response_json ? AEV_OK : aev__nomem();
}
