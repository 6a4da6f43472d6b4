/* Delivery stream tags: TagDeliveryStream and CreateDeliveryStream's Tags
 * (1 to 50 in a request, at most 50 per stream; keys of 1 to 128 and
 * values of 0 to 256 characters, of letters, digits, white space and
 * _ . : / = + - @ %; no key starts with "aws:"),
 * UntagDeliveryStream, and ListTagsForDeliveryStream's pages in key order
 * (ExclusiveStartTagKey, Limit, HasMoreTags). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_build.h"
#include "core/status.h"
#include "core/tags.h"
#include "core/text.h"
#include "delivery/delivery.h"

/* The Tag type's patterns (Firehose API reference, Tag): the value's
 * characters, and the key's, which may not start with aws:. */
#define TAG_SYMBOLS "_.:/=+-@%"
#define CHARS_PATTERN "[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$"

/* A tag key: 1 to 128 characters, not in the reserved aws: prefix. */
static int check_key(const char *key, const char *member) {
  size_t n = key ? aev__utf8_chars(key, strlen(key)) : 0;
  if (!key) return aev__fh_validation(NULL, member, "Member must not be null");
  if (n < 1 || n > 128) return aev__fail_length(NULL, member, n, 1, 128);
  if (!strncmp(key, "aws:", 4) || !aev__tag_chars_ok(key, strlen(key), TAG_SYMBOLS))
    return aev__fh_validation(key, member,
                              "Member must satisfy regular expression "
                              "pattern: ^(?!aws:)" CHARS_PATTERN);
  return AEV_OK;
}

/* A request's Tags ([{"Key", "Value"}], 1 to 50) as an object. */
static int tags_object(json_t *list, json_t **out) {
  size_t n = json_array_size(list);
  if (!json_is_array(list) || n < 1 || n > AEV__TAGS_MAX)
    return aev__fail_length(NULL, "tags", n, 1, AEV__TAGS_MAX);
  json_t *tags = json_object();
  if (!tags) return aev__nomem();
  size_t i;
  json_t *t;
  int rc = AEV_OK;
  json_array_foreach(list, i, t) {
    char member[48];
    snprintf(member, sizeof member, "tags.%zu.member.key", i + 1);
    const char *key = json_string_value(json_object_get(t, "Key"));
    json_t *value = json_object_get(t, "Value");
    rc = check_key(key, member);
    if (rc == AEV_OK && value && !json_is_string(value))
      rc = aev__fh_invalid("Tag value for key %s must be a string.", key);
    size_t vn = value ? aev__utf8_chars(json_string_value(value),
                                        json_string_length(value))
                      : 0;
    snprintf(member, sizeof member, "tags.%zu.member.value", i + 1);
    if (rc == AEV_OK && vn > 256) rc = aev__fail_length(NULL, member, vn, 0, 256);
    if (rc == AEV_OK && value &&
        !aev__tag_chars_ok(json_string_value(value), json_string_length(value),
                           TAG_SYMBOLS))
      rc = aev__fh_validation(json_string_value(value), member,
                              "Member must satisfy regular expression "
                              "pattern: ^" CHARS_PATTERN);
    if (rc == AEV_OK &&
        json_object_set_new(tags, key, value ? json_copy(value) : json_string("")))
      rc = aev__nomem();
    if (rc != AEV_OK) break;
  }
  if (rc != AEV_OK) {
    json_decref(tags);
    return rc;
  }
  *out = tags;
  return AEV_OK;
}

int aev__fh_tags_new(json_t *list, json_t **out) {
  return list ? tags_object(list, out)
              : (*out = json_object()) ? AEV_OK : aev__nomem();
}

int aev__delivery_tag_json(aev_delivery *d, json_t *list) {
  int rc = aev__fh_check(d);
  json_t *tags = NULL;
  if (rc == AEV_OK) rc = tags_object(list, &tags);
  if (rc != AEV_OK) return rc;
  json_t *merged = NULL;
  pthread_mutex_lock(&d->mu);
  rc = aev__tags_merged(d->tags, tags, AEV__TAGS_MAX, &merged);
  if (rc == AEV_OK) {
    json_decref(d->tags);
    d->tags = merged;
  }
  pthread_mutex_unlock(&d->mu);
  json_decref(tags);
  if (rc == AEV_ERR_LIMIT)
    return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                     "Firehose %s under account %s cannot have more than %d tags.",
                     d->res.name, aev_broker_account(d->res.broker), AEV__TAGS_MAX);
  return rc ? aev__nomem() : AEV_OK;
}

int aev__delivery_untag_json(aev_delivery *d, json_t *keys) {
  int rc = aev__fh_check(d);
  if (rc != AEV_OK) return rc;
  size_t n = json_array_size(keys), i;
  if (!json_is_array(keys) || n < 1 || n > AEV__TAGS_MAX)
    return aev__fail_length(NULL, "tagKeys", n, 1, AEV__TAGS_MAX);
  json_t *k;
  json_array_foreach(keys, i, k) {
    char member[48];
    snprintf(member, sizeof member, "tagKeys.%zu.member", i + 1);
    if ((rc = check_key(json_string_value(k), member))) return rc;
  }
  pthread_mutex_lock(&d->mu);
  json_array_foreach(keys, i, k) json_object_del(d->tags, json_string_value(k));
  pthread_mutex_unlock(&d->mu);
  return AEV_OK;
}

int aev__delivery_tags_json(aev_delivery *d, const char *exclusive, int limit,
                            json_t **out) {
  int rc = aev__fh_check(d);
  if (rc == AEV_OK && exclusive) rc = check_key(exclusive, "exclusiveStartTagKey");
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&d->mu);
  *out = aev__tags_page(d->tags, exclusive, (size_t)limit);
  pthread_mutex_unlock(&d->mu);
  return *out ? AEV_OK : aev__nomem();
}
