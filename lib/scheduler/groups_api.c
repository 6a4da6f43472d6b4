/* CreateScheduleGroup, GetScheduleGroup, DeleteScheduleGroup and
 * ListScheduleGroups, and the tags of schedule groups (TagResource,
 * UntagResource, ListTagsForResource take a group's ARN). */
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "core/tags.h"
#include "scheduler/scheduler_impl.h"

/* Tags: [{"Key": 1-128, "Value": 1-256}], at most 200, into {key: value}.
 * Values are copied, never shared: jansson's reference counts are not
 * atomic, and a group's tags are read from any thread. */
static int tags_of(json_t *list, json_t **out) {
  *out = NULL;
  if (!list) return AEV_OK;
  if (!json_is_array(list))
    return aev__fail_validation(NULL, "tags", "Member must be a list");
  if (json_array_size(list) > 200)
    return aev__fail_length(NULL, "tags", json_array_size(list), 0, 200);
  json_t *tags = json_object();
  if (!tags) return aev__nomem();
  size_t i;
  json_t *t;
  json_array_foreach(list, i, t) {
    json_t *k = json_object_get(t, "Key"), *v = json_object_get(t, "Value");
    const char *ks = json_string_value(k), *vs = json_string_value(v);
    int rc = !ks ? aev__fail_validation(NULL, "tags.member.key", "Member must not be null")
             : !vs ? aev__fail_validation(NULL, "tags.member.value", "Member must not be null")
             : strlen(ks) < 1 || strlen(ks) > 128
                 ? aev__fail_length(ks, "tags.member.key", strlen(ks), 1, 128)
             : strlen(vs) < 1 || strlen(vs) > 256
                 ? aev__fail_length(vs, "tags.member.value", strlen(vs), 1, 256)
             : json_object_set_new(tags, ks, json_string(vs)) ? aev__nomem() : AEV_OK;
    if (rc) {
      json_decref(tags);
      return rc;
    }
  }
  *out = tags;
  return AEV_OK;
}

static json_t *tag_list(const json_t *tags) {
  json_t *list = json_array();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)tags, k, v)
    if (list && json_array_append_new(list, json_pack("{s:s,s:s}", "Key", k, "Value", json_string_value(v)))) {
      json_decref(list);
      return NULL;
    }
  return list;
}

int aev__scheduler_create_group(aev_broker *b, json_t *req, json_t **resp) {
  const char *name;
  json_t *tags = NULL;
  int rc = aev__api_req_string(&aev__api_scheduler, req, "Name", &name);
  if (!rc) rc = aev__scheduler_check_name(name, "name");
  if (!rc) rc = tags_of(json_object_get(req, "Tags"), &tags);
  if (rc) return rc;
  aev__sgroup *g = NULL, *dflt = NULL;
  /* "default" exists from the start. */
  if (!(rc = aev__sgroup_find(b, "default", &dflt))) rc = aev__sgroup_new(b, name, tags, &g);
  aev__sgroup_release(dflt);
  json_decref(tags);
  if (rc == AEV_ERR_EXISTS)
    rc = aev__fail(AEV_ERR_EXISTS, "ConflictException", "Schedule group %s already exists.",
                   name);
  if (!rc) {
    *resp = json_pack("{s:s}", "ScheduleGroupArn", g->res.arn);
    if (!*resp) rc = aev__nomem(), aev__registry_remove(b, &g->res);
  }
  aev__sgroup_release(g);
  return rc;
}

/* The group named by name, else ResourceNotFoundException. */
static int group_of(aev_broker *b, json_t *req, const char *member, aev__sgroup **out) {
  const char *name;
  int rc = aev__api_req_string(&aev__api_scheduler, req, member, &name);
  if (!rc && strcmp(member, "ResourceArn")) rc = aev__scheduler_check_name(name, "name");
  if (rc) return rc;
  if (!strcmp(member, "ResourceArn")) {
    aev__resource *r = aev__registry_find(b, AEV__KIND_SCHEDULE_GROUP, name);
    if (!r && strstr(name, ":schedule-group/default")) return aev__sgroup_find(b, NULL, out);
    if (!r)
      return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                       "Schedule group %s does not exist.", name);
    *out = (aev__sgroup *)r;
    return AEV_OK;
  }
  return aev__sgroup_find(b, name, out);
}

int aev__scheduler_get_group(aev_broker *b, json_t *req, json_t **resp) {
  aev__sgroup *g;
  int rc = group_of(b, req, "Name", &g);
  if (rc) return rc;
  *resp = aev__sgroup_json(g);
  aev__sgroup_release(g);
  return *resp ? AEV_OK : aev__nomem();
}

int aev__scheduler_delete_group(aev_broker *b, json_t *req, json_t **resp) {
  aev__sgroup *g;
  int rc = group_of(b, req, "Name", &g);
  if (rc) return rc;
  if (!strcmp(g->res.name, "default")) {
    aev__sgroup_release(g);
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The default schedule group cannot be deleted.");
  }
  if (!(*resp = json_object())) rc = aev__nomem();
  else aev__registry_remove(b, &g->res); /* its shutdown drops the schedules */
  aev__sgroup_release(g);
  return rc;
}

int aev__scheduler_list_groups(aev_broker *b, json_t *req, json_t **resp) {
  const char *prefix = NULL;
  int rc = aev__api_opt_string(&aev__api_scheduler, req, "NamePrefix", &prefix);
  if (!rc && prefix) rc = aev__scheduler_check_name(prefix, "namePrefix");
  aev__sgroup *dflt = NULL;
  if (!rc) rc = aev__sgroup_find(b, NULL, &dflt);
  aev__sgroup_release(dflt);
  if (rc) return rc;
  aev__resource **list = NULL;
  size_t n = 0;
  json_t *all = json_array();
  rc = all ? aev__registry_list(b, AEV__KIND_SCHEDULE_GROUP, prefix, &list, &n) : aev__nomem();
  for (size_t i = 0; !rc && i < n; i++)
    if (json_array_append_new(all, aev__sgroup_json((aev__sgroup *)list[i]))) rc = aev__nomem();
  if (list) aev__registry_list_free(list, n);
  if (!rc) rc = aev__scheduler_page(req, all, "ScheduleGroups", resp);
  json_decref(all);
  return rc;
}

int aev__scheduler_tag_resource(aev_broker *b, json_t *req, json_t **resp) {
  aev__sgroup *g;
  json_t *add = NULL, *merged = NULL, *list;
  int rc = aev__api_req_array(&aev__api_scheduler, req, "Tags", &list);
  if (!rc) rc = tags_of(list, &add);
  if (!rc) rc = group_of(b, req, "ResourceArn", &g);
  if (rc) {
    json_decref(add);
    return rc;
  }
  pthread_mutex_lock(&g->mu);
  rc = aev__tags_merged(g->tags, add, 200, &merged);
  if (rc == AEV_ERR_LIMIT)
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "A schedule group can have at most 200 tags.");
  else if (rc) rc = aev__nomem();
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  if (!rc) {
    json_decref(g->tags);
    g->tags = merged;
    merged = NULL;
  }
  pthread_mutex_unlock(&g->mu);
  json_decref(merged);
  json_decref(add);
  aev__sgroup_release(g);
  return rc;
}

int aev__scheduler_untag_resource(aev_broker *b, json_t *req, json_t **resp) {
  aev__sgroup *g;
  json_t *keys;
  int rc = aev__api_req_strings(&aev__api_scheduler, req, "TagKeys", &keys);
  if (!rc) rc = group_of(b, req, "ResourceArn", &g);
  if (rc) return rc;
  pthread_mutex_lock(&g->mu);
  json_t *kept = g->tags ? json_copy(g->tags) : json_object();
  if (!kept || !(*resp = json_object())) {
    json_decref(kept);
    rc = aev__nomem();
  } else {
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) json_object_del(kept, json_string_value(k));
    json_decref(g->tags);
    g->tags = kept;
  }
  pthread_mutex_unlock(&g->mu);
  aev__sgroup_release(g);
  return rc;
}

int aev__scheduler_list_tags(aev_broker *b, json_t *req, json_t **resp) {
  aev__sgroup *g;
  int rc = group_of(b, req, "ResourceArn", &g);
  if (rc) return rc;
  pthread_mutex_lock(&g->mu);
  json_t *empty = json_object();
  json_t *list = tag_list(g->tags ? g->tags : empty);
  pthread_mutex_unlock(&g->mu);
  json_decref(empty);
  aev__sgroup_release(g);
  *resp = list ? json_pack("{s:o}", "Tags", list) : NULL;
  return *resp ? AEV_OK : aev__nomem();
}
