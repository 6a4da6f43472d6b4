/* Schedules: CreateSchedule, UpdateSchedule, GetSchedule, DeleteSchedule
 * and ListSchedules over the groups that hold them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "scheduler/scheduler_impl.h"

void aev__sch_ref(aev__sch *s) { s->refs++; }

void aev__sch_unref(aev__sch *s) {
  if (!s || --s->refs > 0) return;
  aev__sconf_unref(s->conf);
  aev__sgroup_release(s->group);
  free(s->name);
  free(s->arn);
  free(s);
}

int aev__sch_unlink(aev__sch *s) {
  aev__sgroup *g = s->group;
  for (size_t i = 0; i < g->n; i++)
    if (g->list[i] == s) {
      memmove(g->list + i, g->list + i + 1, (g->n - i - 1) * sizeof *g->list);
      g->n--;
      s->dead = 1;
      aev__sch_disarm(s);
      return 1;
    }
  return 0;
}

json_t *aev__sch_json(aev__sch *s) {
  json_t *v = json_deep_copy(s->conf->view);
  if (v && (json_object_set_new(v, "Arn", json_string(s->arn)) ||
            json_object_set_new(v, "Name", json_string(s->name)) ||
            json_object_set_new(v, "GroupName", json_string(s->group->res.name)) ||
            json_object_set_new(v, "CreationDate", aev__sch_time(s->created_s * 1000)) ||
            json_object_set_new(v, "LastModificationDate", aev__sch_time(s->modified_s * 1000)))) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* Name and GroupName of a request, checked. */
static int names(json_t *req, const char **name, const char **group) {
  *group = NULL;
  int rc = aev__api_req_string(&aev__api_scheduler, req, "Name", name);
  if (!rc) rc = aev__scheduler_check_name(*name, "name");
  if (!rc) rc = aev__api_opt_string(&aev__api_scheduler, req, "GroupName", group);
  if (!rc && *group) rc = aev__scheduler_check_name(*group, "groupName");
  return rc;
}

static int not_found(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Schedule %s does not exist.",
                   name);
}

static int answer_arn(const char *arn, json_t **resp) {
  *resp = json_pack("{s:s}", "ScheduleArn", arn);
  return *resp ? AEV_OK : aev__nomem();
}

/* arn:aws:scheduler:R:A:schedule/GROUP/NAME, from the group's ARN. */
static char *schedule_arn(aev__sgroup *g, const char *name) {
  const char *arn = g->res.arn, *cut = strstr(arn, ":schedule-group/");
  size_t n = (size_t)(cut - arn) + 1, len = n + strlen("schedule/") + strlen(g->res.name) + 1 +
                                         strlen(name) + 1;
  char *out = malloc(len);
  if (out) snprintf(out, len, "%.*sschedule/%s/%s", (int)n, arn, g->res.name, name);
  return out;
}

int aev__scheduler_create(aev_broker *b, json_t *req, json_t **resp) {
  const char *name, *group;
  aev__sconf *c = NULL;
  aev__sgroup *g = NULL;
  int rc = names(req, &name, &group);
  if (!rc) rc = aev__sconf_new(req, &c);
  if (!rc) rc = aev__sgroup_find(b, group, &g);
  aev__sch *s = NULL;
  if (!rc && !(s = calloc(1, sizeof *s))) rc = aev__nomem();
  if (!rc) {
    s->refs = 1;
    s->name = strdup(name);
    s->arn = schedule_arn(g, name);
    s->due_ms = s->last_ms = -1;
    if (!s->name || !s->arn) rc = aev__nomem();
  }
  if (rc) {
    if (s) free(s->name), free(s->arn), free(s);
    aev__sconf_unref(c);
    aev__sgroup_release(g);
    return rc;
  }
  s->group = g; /* the reference find gave */
  s->conf = c;
  pthread_mutex_lock(&g->mu);
  aev__sch *old = aev__sgroup_lookup(g, name);
  size_t at = 0;
  while (at < g->n && strcmp(g->list[at]->name, name) < 0) at++;
  if (old || g->res.deleted) {
    rc = old ? aev__fail(AEV_ERR_EXISTS, "ConflictException", "Schedule %s already exists.", name)
             : aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                         "Schedule group %s does not exist.", g->res.name);
  } else if (g->n == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 8;
    aev__sch **list = realloc(g->list, cap * sizeof *list);
    if (!list) rc = aev__nomem();
    else g->list = list, g->cap = cap;
  }
  if (!rc) {
    memmove(g->list + at + 1, g->list + at, (g->n - at) * sizeof *g->list);
    g->list[at] = s;
    g->n++;
    int64_t now = aev_broker_now_ms(b);
    s->created_s = s->modified_s = now / 1000;
    s->anchor_ms = now;
    aev__sch_arm(s, now - 1);
    rc = answer_arn(s->arn, resp);
    if (!rc) aev__sch_ref(s); /* the list's */
    else aev__sch_unlink(s);
  }
  pthread_mutex_unlock(&g->mu);
  aev__sch_unref(old);
  aev__sch_unref(s);
  return rc;
}

/* The schedule a request's Name and GroupName name: a new reference, with
 * its group's lock held on success. */
static int locked(aev_broker *b, const char *name, const char *group, aev__sch **out) {
  aev__sgroup *g;
  int rc = aev__sgroup_find(b, group, &g);
  if (rc) return rc;
  pthread_mutex_lock(&g->mu);
  *out = aev__sgroup_lookup(g, name);
  if (!*out) {
    pthread_mutex_unlock(&g->mu);
    aev__sgroup_release(g);
    return not_found(name);
  }
  aev__sgroup_release(g); /* the schedule holds its group */
  return AEV_OK;
}

static void unlock(aev__sch *s) {
  pthread_mutex_unlock(&s->group->mu);
  aev__sch_unref(s);
}

int aev__scheduler_update(aev_broker *b, json_t *req, json_t **resp) {
  const char *name, *group;
  aev__sconf *c = NULL;
  aev__sch *s;
  int rc = names(req, &name, &group);
  if (!rc) rc = aev__sconf_new(req, &c);
  if (!rc) rc = locked(b, name, group, &s);
  if (!rc && (rc = answer_arn(s->arn, resp))) unlock(s);
  if (rc) {
    aev__sconf_unref(c);
    return rc;
  }
  aev__sconf *old = s->conf;
  s->conf = c;
  int64_t now = aev_broker_now_ms(b);
  s->modified_s = now / 1000;
  s->anchor_ms = now;
  aev__sch_arm(s, now - 1);
  unlock(s);
  aev__sconf_unref(old);
  return AEV_OK;
}

int aev__scheduler_get(aev_broker *b, json_t *req, json_t **resp) {
  const char *name, *group;
  aev__sch *s;
  int rc = names(req, &name, &group);
  if (!rc) rc = locked(b, name, group, &s);
  if (rc) return rc;
  *resp = aev__sch_json(s);
  unlock(s);
  return *resp ? AEV_OK : aev__nomem();
}

int aev__scheduler_delete(aev_broker *b, json_t *req, json_t **resp) {
  const char *name, *group;
  aev__sch *s;
  int rc = names(req, &name, &group);
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  if (!rc && (rc = locked(b, name, group, &s))) {
    json_decref(*resp);
    *resp = NULL; /* the caller frees what it finds here */
  }
  if (rc) return rc;
  int was = aev__sch_unlink(s);
  unlock(s);
  if (was) aev__sch_unref(s); /* the list's */
  return AEV_OK;
}

/* ListSchedules' entry, sharing no value with the configuration (whose
 * reference counts other threads touch). */
static json_t *summary(aev__sch *s) {
  json_t *view = s->conf->view;
  return json_pack("{s:s,s:o,s:s,s:o,s:s,s:s,s:{s:s}}", "Arn", s->arn, "CreationDate",
                   aev__sch_time(s->created_s * 1000), "GroupName", s->group->res.name,
                   "LastModificationDate", aev__sch_time(s->modified_s * 1000), "Name", s->name,
                   "State", json_string_value(json_object_get(view, "State")), "Target", "Arn",
                   s->conf->arn);
}

static int collect(aev__sgroup *g, const char *prefix, const char *state, json_t *all) {
  int rc = AEV_OK;
  pthread_mutex_lock(&g->mu);
  for (size_t i = 0; !rc && i < g->n; i++) {
    aev__sch *s = g->list[i];
    if (prefix && strncmp(s->name, prefix, strlen(prefix))) continue;
    if (state && strcmp(json_string_value(json_object_get(s->conf->view, "State")), state))
      continue;
    if (json_array_append_new(all, summary(s))) rc = aev__nomem();
  }
  pthread_mutex_unlock(&g->mu);
  return rc;
}

/* One page of items from offset NextToken (a number), at most max. */
int aev__scheduler_page(json_t *req, json_t *all, const char *key, json_t **resp) {
  int64_t max = 100;
  const char *token = NULL;
  int rc = aev__api_opt_int(&aev__api_scheduler, req, "MaxResults", 1, 100, &max);
  if (!rc) rc = aev__api_opt_string(&aev__api_scheduler, req, "NextToken", &token);
  if (rc) return rc;
  char *end = NULL;
  long long from = token ? strtoll(token, &end, 10) : 0;
  if (token && (*end || from < 0 || (size_t)from > json_array_size(all)))
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "Invalid NextToken %s.", token);
  size_t n = json_array_size(all), to = (size_t)from + (size_t)max < n ? (size_t)from + (size_t)max : n;
  json_t *page = json_array();
  *resp = json_object();
  for (size_t i = (size_t)from; page && i < to; i++)
    if (json_array_append(page, json_array_get(all, i))) break;
  int ok = page && *resp && json_array_size(page) == to - (size_t)from &&
           !json_object_set_new(*resp, key, page);
  if (ok && to < n) {
    char next[24];
    snprintf(next, sizeof next, "%zu", to);
    ok = !json_object_set_new(*resp, "NextToken", json_string(next));
  }
  if (!ok) {
    if (!*resp || json_object_get(*resp, key) != page) json_decref(page);
    json_decref(*resp);
    *resp = NULL;
    return aev__nomem();
  }
  return AEV_OK;
}

int aev__scheduler_list(aev_broker *b, json_t *req, json_t **resp) {
  const char *group = NULL, *prefix = NULL, *state = NULL;
  static const char *const states[] = {"ENABLED", "DISABLED", NULL};
  int rc = aev__api_opt_string(&aev__api_scheduler, req, "GroupName", &group);
  if (!rc && group) rc = aev__scheduler_check_name(group, "groupName");
  if (!rc) rc = aev__api_opt_string(&aev__api_scheduler, req, "NamePrefix", &prefix);
  if (!rc && prefix) rc = aev__scheduler_check_name(prefix, "namePrefix");
  if (!rc) rc = aev__api_opt_enum(&aev__api_scheduler, req, "State", "state", states, &state);
  if (rc) return rc;
  aev__sgroup *only = NULL;
  if ((rc = aev__sgroup_find(b, group ? group : "default", &only))) return rc;
  json_t *all = json_array();
  if (!all) rc = aev__nomem();
  if (!rc && group) {
    rc = collect(only, prefix, state, all);
  } else if (!rc) {
    aev__resource **list = NULL;
    size_t n = 0;
    rc = aev__registry_list(b, AEV__KIND_SCHEDULE_GROUP, NULL, &list, &n);
    for (size_t i = 0; !rc && i < n; i++) rc = collect((aev__sgroup *)list[i], prefix, state, all);
    if (list) aev__registry_list_free(list, n);
  }
  aev__sgroup_release(only);
  if (!rc) rc = aev__scheduler_page(req, all, "Schedules", resp);
  json_decref(all);
  return rc;
}
