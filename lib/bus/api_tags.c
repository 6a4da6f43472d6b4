/* TagResource, UntagResource and ListTagsForResource of the "events"
 * service, and the Tags member CreateEventBus and PutRule share. As the
 * API reference has it, event buses and rules are what EventBridge tags: a
 * ResourceARN of anything else (an archive, a replay) is refused as not
 * valid. */
#include <stdio.h>
#include <string.h>

#include "bus/api_events.h"
#include "core/broker.h"
#include "core/status.h"

#define MAX_ARN 1600
#define DIGITS "0123456789"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"

int aev__events_tags_of(const aev__api_service *svc, json_t *req, json_t **out) {
  json_t *list = NULL, *tag;
  int rc = aev__api_opt_array(svc, req, "Tags", &list);
  *out = NULL;
  if (rc || !list) return rc;
  json_t *tags = json_object();
  if (!tags) return aev__nomem();
  size_t i;
  json_array_foreach(list, i, tag) {
    const char *key, *value;
    rc = aev__api_req_string(svc, tag, "Key", &key);
    if (!rc) rc = aev__api_req_string(svc, tag, "Value", &value);
    if (!rc) rc = aev__bus_tag_check(key, value, i + 1);
    if (!rc && json_object_set(tags, key, json_object_get(tag, "Value"))) rc = aev__nomem();
    if (rc) break;
  }
  if (!rc && json_object_size(tags) > AEV__TAGS_MAX) rc = aev__bus_tags_too_many();
  if (rc) json_decref(tags);
  else *out = tags;
  return rc;
}

/* What a ResourceARN names: a bus (rule NULL), or a rule of a bus. */
typedef struct tagged {
  aev_bus *bus;    /* a new reference */
  const char *rule; /* borrowed from the ARN */
} tagged;

static int not_valid(const char *arn) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Parameter ResourceARN is not valid. Reason: %s is not the ARN of "
                   "an event bus or a rule.",
                   arn);
}

/* 1 when s[0..n) is 1 to max characters, each of chars. */
static int all_of(const char *s, size_t n, size_t max, const char *chars) {
  size_t k = 0;
  while (k < n && s[k] && strchr(chars, s[k])) k++;
  return n >= 1 && n <= max && k == n;
}

/* The resource part of arn:aws...:events:REGION:ACCOUNT:RESOURCE when the
 * ARN has that form, else NULL; *ours: it is this broker's region and
 * account. */
static const char *resource_of(aev_broker *b, const char *arn, int *ours) {
  const char *f[5]; /* the starts of partition, service, region, account, resource */
  const char *p = arn;
  if (strncmp(p, "arn:", 4)) return NULL;
  p += 4;
  for (int i = 0; i < 5; i++) {
    f[i] = p;
    if (i < 4 && !(p = strchr(p, ':'))) return NULL;
    if (i < 4) p++;
  }
  size_t region_len = (size_t)(f[3] - f[2]) - 1;
  if (strncmp(f[0], "aws", 3) || strncmp(f[1], "events:", 7) ||
      !all_of(f[2], region_len, 64, "abcdefghijklmnopqrstuvwxyz" DIGITS "-") ||
      !all_of(f[3], 12, 12, DIGITS) || f[3][12] != ':')
    return NULL;
  const char *region = aev_broker_region(b);
  *ours = strlen(region) == region_len && !strncmp(f[2], region, region_len) &&
          !strncmp(f[3], aev_broker_account(b), 12);
  return f[4];
}

/* Finds the bus or rule arn names: ValidationException for an ARN that
 * names neither, ResourceNotFoundException for one that does not exist. */
static int find_tagged(aev_broker *b, const char *arn, tagged *t) {
  int rc = aev__bus_check_length("resourceARN", arn, MAX_ARN);
  if (rc) return rc;
  int ours = 0;
  const char *res = resource_of(b, arn, &ours);
  char bus[MAX_ARN + 1] = "default";
  t->rule = NULL;
  if (res && !strncmp(res, "event-bus/", 10) &&
      all_of(res + 10, strlen(res + 10), 256, NAME_CHARS "/")) {
    snprintf(bus, sizeof bus, "%s", res + 10);
  } else if (res && !strncmp(res, "rule/", 5)) {
    /* rule/NAME on the default bus, rule/BUS/NAME on another. */
    const char *path = res + 5, *slash = strrchr(path, '/');
    t->rule = slash ? slash + 1 : path;
    size_t bus_len = slash ? (size_t)(slash - path) : 0;
    if (!all_of(t->rule, strlen(t->rule), 64, NAME_CHARS) ||
        (slash && !all_of(path, bus_len, 256, NAME_CHARS "/")))
      return not_valid(arn);
    if (slash) snprintf(bus, sizeof bus, "%.*s", (int)bus_len, path);
  } else {
    return not_valid(arn);
  }
  if (!ours) return t->rule ? aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                                        "Rule %s does not exist on EventBus %s.", t->rule, bus)
                            : aev__bus_no_bus(bus);
  return aev__bus_find(b, bus, 1, &t->bus);
}

/* The tag set slot of t, with its bus locked (for writing when write);
 * NULL with the lock released when the bus or rule is gone. */
static json_t **lock_tags(const tagged *t, int write, int *rc) {
  aev_bus *bus = t->bus;
  if (write)
    pthread_rwlock_wrlock(&bus->lock);
  else
    pthread_rwlock_rdlock(&bus->lock);
  aev__rule *r = t->rule ? aev__rmap_get(&bus->rules, t->rule) : NULL;
  if (!bus->res.deleted && (r || !t->rule)) return r ? &r->tags : &bus->tags;
  pthread_rwlock_unlock(&bus->lock);
  *rc = bus->res.deleted ? aev__bus_gone(bus) : aev__bus_no_rule(bus, t->rule);
  return NULL;
}

AEV__EVENTS_ACTION(tag_resource) {
  const char *arn;
  json_t *list, *tags = NULL, *merged = NULL, **slot;
  tagged t;
  int rc = aev__api_req_string(svc, req, "ResourceARN", &arn);
  /* Tags is required here, optional in CreateEventBus and PutRule. */
  if (!rc) rc = aev__api_req_array(svc, req, "Tags", &list);
  if (!rc) rc = aev__events_tags_of(svc, req, &tags);
  if (!rc) rc = find_tagged(b, arn, &t);
  if (rc) {
    json_decref(tags);
    return rc;
  }
  if ((slot = lock_tags(&t, 1, &rc))) {
    if (!(rc = aev__bus_tags_merge(*slot, tags, &merged))) {
      json_decref(*slot);
      *slot = merged;
    }
    pthread_rwlock_unlock(&t.bus->lock);
  }
  aev_bus_release(t.bus);
  json_decref(tags);
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

/* ValidationException unless every key of TagKeys is a string of 1 to 128
 * characters. */
static int keys_check(json_t *keys) {
  size_t i;
  json_t *k;
  char member[48];
  json_array_foreach(keys, i, k) {
    snprintf(member, sizeof member, "tagKeys.%zu.member", i + 1);
    int rc = json_is_string(k) ? aev__bus_tag_key_check(member, json_string_value(k))
                               : aev__fail_validation(NULL, member, "Member must be a string");
    if (rc) return rc;
  }
  return AEV_OK;
}

AEV__EVENTS_ACTION(untag_resource) {
  const char *arn;
  json_t *keys, **slot, *k;
  tagged t;
  int rc = aev__api_req_string(svc, req, "ResourceARN", &arn);
  if (!rc) rc = aev__api_req_array(svc, req, "TagKeys", &keys);
  if (!rc) rc = keys_check(keys);
  if (rc || (rc = find_tagged(b, arn, &t))) return rc;
  if ((slot = lock_tags(&t, 1, &rc))) {
    size_t i;
    json_array_foreach(keys, i, k) json_object_del(*slot, json_string_value(k));
    pthread_rwlock_unlock(&t.bus->lock);
  }
  aev_bus_release(t.bus);
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

AEV__EVENTS_ACTION(list_tags_for_resource) {
  const char *arn;
  json_t *list = NULL, **slot;
  tagged t;
  int rc = aev__api_req_string(svc, req, "ResourceARN", &arn);
  if (rc || (rc = find_tagged(b, arn, &t))) return rc;
  if ((slot = lock_tags(&t, 0, &rc))) {
    list = aev__bus_tags_list(*slot);
    pthread_rwlock_unlock(&t.bus->lock);
  }
  aev_bus_release(t.bus);
  if (rc) return rc;
  *resp = list ? json_pack("{s:o}", "Tags", list) : NULL;
  return *resp ? AEV_OK : aev__nomem();
}
