/* Tags of state machines and activities: AWS's TagList checks (keys 1-128
 * characters, values 0-256, 50 tags a resource) and TagResource /
 * UntagResource / ListTagsForResource, each all or nothing. */
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "machine/machine_int.h"

static int too_many(const char *arn) {
  if (!arn)
    return aev__fail(AEV_ERR_LIMIT, "TooManyTags", "Too many tags: a resource can have at most %d tags.", M_MAX_TAGS);
  return aev__fail(AEV_ERR_LIMIT, "TooManyTags", "Too many tags: '%s' can have at most %d tags.", arn, M_MAX_TAGS);
}

int aev__machine_tags_check(json_t *tags, const char *arn) {
  if (!json_is_array(tags)) return aev__fail_validation(NULL, "tags", "Member must be a list");
  char path[48];
  for (size_t i = 0; i < json_array_size(tags); i++) {
    json_t *t = json_array_get(tags, i), *value = json_object_get(t, "value");
    snprintf(path, sizeof path, "tags.%zu.member", i + 1);
    if (!json_is_object(t)) return aev__fail_validation(NULL, path, "Member must be an object");
    snprintf(path, sizeof path, "tags.%zu.member.key", i + 1);
    int rc = aev__check_text(json_object_get(t, "key"), path, 1, 128);
    snprintf(path, sizeof path, "tags.%zu.member.value", i + 1);
    if (!rc && value) rc = aev__check_text(value, path, 0, 256);
    if (rc) return rc;
  }
  return json_array_size(tags) > M_MAX_TAGS ? too_many(arn) : AEV_OK;
}

static json_t *tag_new(json_t *t) {
  json_t *value = json_object_get(t, "value");
  return json_pack("{s:O,s:s}", "key", json_object_get(t, "key"), "value", value ? json_string_value(value) : "");
}

/* The position of key in list, or -1. */
static long find_key(json_t *list, const char *key) {
  for (size_t i = 0; i < json_array_size(list); i++)
    if (!strcmp(json_string_value(json_object_get(json_array_get(list, i), "key")), key)) return (long)i;
  return -1;
}

int aev__machine_tags_merge(json_t *have, json_t *add, const char *arn, json_t **out) {
  json_t *list = have ? json_deep_copy(have) : json_array();
  int failed = !list;
  for (size_t i = 0; !failed && i < json_array_size(add); i++) {
    json_t *t = json_array_get(add, i);
    long at = find_key(list, json_string_value(json_object_get(t, "key")));
    failed = at < 0 ? json_array_append_new(list, tag_new(t)) : json_array_set_new(list, (size_t)at, tag_new(t));
  }
  if (failed) {
    json_decref(list);
    return aev__nomem();
  }
  if (json_array_size(list) > M_MAX_TAGS) {
    json_decref(list);
    return too_many(arn);
  }
  *out = list;
  return AEV_OK;
}

json_t *aev__machine_tags_without(json_t *have, json_t *keys) {
  json_t *list = json_array();
  for (size_t i = 0; list && i < json_array_size(have); i++) {
    json_t *t = json_array_get(have, i);
    int drop = 0;
    for (size_t k = 0; !drop && k < json_array_size(keys); k++)
      drop = json_equal(json_object_get(t, "key"), json_array_get(keys, k));
    if (!drop && json_array_append(list, t)) {
      json_decref(list);
      return NULL;
    }
  }
  return list;
}

static int check_keys(json_t *keys) {
  if (!json_is_array(keys)) return aev__fail_validation(NULL, "tagKeys", "Member must be a list");
  char path[40];
  for (size_t i = 0; i < json_array_size(keys); i++) {
    snprintf(path, sizeof path, "tagKeys.%zu.member", i + 1);
    int rc = aev__check_text(json_array_get(keys, i), path, 1, 128);
    if (rc) return rc;
  }
  return AEV_OK;
}

/* ---- the resource an ARN names ---- */

typedef struct tagged {
  aev__resource *r; /* a new reference */
  pthread_mutex_t *mu;
  json_t **tags;
} tagged;

static int tagged_find(aev_broker *b, const char *arn, tagged *t) {
  int rc = aev__states_arn_check(arn);
  if (rc != AEV_OK) return rc;
  int activity = strstr(arn, ":activity:") != NULL;
  t->r = strstr(arn, ":stateMachine:") || activity
             ? aev__registry_find(b, activity ? AEV__KIND_ACTIVITY : AEV__KIND_MACHINE, arn)
             : NULL;
  if (!t->r) return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFound", "Resource not found: '%s'", arn);
  if (activity) {
    aev__activity_tags((aev_activity *)t->r, &t->mu, &t->tags);
  } else {
    aev_machine *m = (aev_machine *)t->r;
    t->mu = &m->mu;
    t->tags = &m->tags;
  }
  return AEV_OK;
}

/* Replaces t's tags with what change makes of them, or leaves them. */
static int tagged_change(tagged *t, const char *arn, json_t *arg,
                         int (*change)(json_t *have, json_t *arg, const char *arn, json_t **out)) {
  pthread_mutex_lock(t->mu);
  json_t *next = NULL;
  int rc = change(*t->tags, arg, arn, &next);
  if (!rc) {
    json_decref(*t->tags);
    *t->tags = next;
  }
  pthread_mutex_unlock(t->mu);
  aev__resource_unref(t->r);
  return rc;
}

static int remove_keys(json_t *have, json_t *keys, const char *arn, json_t **out) {
  (void)arn;
  *out = aev__machine_tags_without(have, keys);
  return *out ? AEV_OK : aev__nomem();
}

int aev__machine_tag_resource(aev_broker *b, const char *arn, json_t *tags) {
  tagged t;
  int rc = aev__machine_tags_check(tags, arn);
  if (!rc) rc = tagged_find(b, arn, &t);
  return rc ? rc : tagged_change(&t, arn, tags, aev__machine_tags_merge);
}

int aev__machine_untag_resource(aev_broker *b, const char *arn, json_t *keys) {
  tagged t;
  int rc = check_keys(keys);
  if (!rc) rc = tagged_find(b, arn, &t);
  return rc ? rc : tagged_change(&t, arn, keys, remove_keys);
}

int aev__machine_list_tags(aev_broker *b, const char *arn, json_t **tags) {
  tagged t;
  int rc = tagged_find(b, arn, &t);
  if (rc) return rc;
  pthread_mutex_lock(t.mu);
  *tags = *t.tags ? json_deep_copy(*t.tags) : json_array();
  pthread_mutex_unlock(t.mu);
  aev__resource_unref(t.r);
  return *tags ? AEV_OK : aev__nomem();
}
