/* Tags of streams and of their consumers: AddTagsToStream and TagResource
 * (at most 50 per resource, keys 1..128 and values 0..256 characters),
 * RemoveTagsFromStream and UntagResource, ListTagsForStream and
 * ListTagsForResource. Both APIs see the same tags. */
#include <string.h>

#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/tags.h"
#include "core/text.h"
#include "stream/stream.h"

/* What the Tag type allows besides Unicode letters, digits and white
 * space (Kinesis API reference, Tag). */
#define TAG_SYMBOLS "_./=+-%@"

/* The tags of the stream (consumer_arn NULL) or of its consumer with that
 * ARN (mu held): NULL when there is no such consumer. A consumer's tags
 * are NULL until it is first tagged. */
static json_t **tags_of(aev_stream *s, const char *consumer_arn) {
  if (!consumer_arn) return &s->tags;
  aev__consumer *c = aev__consumer_by_arn(s, consumer_arn);
  return c ? &c->tags : NULL;
}

int aev__stream_tag_json(aev_stream *s, const char *consumer_arn,
                         json_t *tags) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (!json_is_object(tags) || json_object_size(tags) < 1 ||
      json_object_size(tags) > AEV__TAGS_MAX)
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
    int key_ok = aev__tag_chars_ok(k, strlen(k), TAG_SYMBOLS);
    if (!key_ok || !aev__tag_chars_ok(json_string_value(v), json_string_length(v),
                                      TAG_SYMBOLS))
      return aev__kin_invalid("Tag %s%s has a character that is not "
                              "allowed: tag keys and values may contain only "
                              "Unicode letters, digits, white space and "
                              "_ . / = + - %% @.",
                              key_ok ? "value for key " : "key ", k);
  }
  pthread_mutex_lock(&s->mu);
  json_t **slot = tags_of(s, consumer_arn);
  if (!slot) {
    pthread_mutex_unlock(&s->mu);
    return aev__kin_no_resource(s, consumer_arn);
  }
  json_t *merged = NULL;
  rc = aev__tags_merged(*slot, tags, AEV__TAGS_MAX, &merged);
  if (rc == AEV_OK) {
    json_decref(*slot);
    *slot = merged;
  }
  pthread_mutex_unlock(&s->mu);
  if (rc == AEV_ERR_LIMIT)
    return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                     "Failed to add tags to %s %s under account %s "
                     "because a given %s cannot have more than 50 tags.",
                     consumer_arn ? "consumer" : "stream",
                     consumer_arn ? consumer_arn : s->res.name,
                     aev_broker_account(s->res.broker),
                     consumer_arn ? "consumer" : "stream");
  return rc ? aev__nomem() : AEV_OK;
}

int aev__stream_untag_json(aev_stream *s, const char *consumer_arn,
                           json_t *keys) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  size_t i;
  json_t *k;
  if (!json_is_array(keys) || json_array_size(keys) < 1 ||
      json_array_size(keys) > AEV__TAGS_MAX)
    return aev__kin_validation(NULL, "tagKeys",
                               "Member must have length less than or equal "
                               "to 50 and greater than or equal to 1");
  json_array_foreach(keys, i, k) if (!json_is_string(k))
      return aev__kin_validation(NULL, "tagKeys", "Member must be a string");
  pthread_mutex_lock(&s->mu);
  json_t **slot = tags_of(s, consumer_arn);
  if (slot)
    json_array_foreach(keys, i, k) json_object_del(*slot, json_string_value(k));
  pthread_mutex_unlock(&s->mu);
  return slot ? AEV_OK : aev__kin_no_resource(s, consumer_arn);
}

int aev__stream_tags_json(aev_stream *s, const char *consumer_arn,
                          json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  int whole = list != NULL;
  const char *k;
  json_t *v;
  pthread_mutex_lock(&s->mu);
  json_t **slot = tags_of(s, consumer_arn);
  if (slot) json_object_foreach(*slot, k, v) {
      whole = whole && !json_array_append_new(list, json_pack("{s:s, s:O}", "Key", k, "Value", v));
    }
  pthread_mutex_unlock(&s->mu);
  if (!slot) {
    json_decref(list);
    return aev__kin_no_resource(s, consumer_arn);
  }
  *out = json_pack("{s:o}", "Tags", aev__json_whole(list, whole));
  return *out ? AEV_OK : aev__nomem();
}

static int tag_stream(aev_stream *s, json_t *tags) {
  return aev__stream_tag_json(s, NULL, tags);
}

static int untag_stream(aev_stream *s, json_t *keys) {
  return aev__stream_untag_json(s, NULL, keys);
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
  return with_json(s, tags_json, tag_stream);
}

int aev_stream_untag(aev_stream *s, const char *keys_json) {
  return with_json(s, keys_json, untag_stream);
}

int aev__stream_list_tags_json(aev_stream *s, const char *exclusive, int limit,
                               json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  *out = aev__tags_page(s->tags, exclusive, (size_t)limit);
  pthread_mutex_unlock(&s->mu);
  return *out ? AEV_OK : aev__nomem();
}

int aev_stream_list_tags(aev_stream *s, char **response_json) {
  if (!response_json) return aev__kin_invalid("Missing argument.");
  json_t *j;
  int rc = aev__stream_list_tags_json(s, NULL, AEV__TAGS_MAX, &j);
  if (rc != AEV_OK) return rc;
  *response_json = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *response_json ? AEV_OK : aev__nomem();
}
