/* Rules: PutRule (pattern and/or schedule, state), DescribeRule, ListRules,
 * DeleteRule, EnableRule / DisableRule. An enabled rule with a pattern is
 * in the bus's pattern set under its id; a disabled one is not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "core/text.h"

void aev__rule_ref(aev__rule *r) { r->refs++; }

void aev__rule_unref(aev__rule *r) {
  if (!r || --r->refs) return;
  aev__schedule_free(r->expr);
  pthread_mutex_destroy(&r->mu);
  free(r->name);
  free(r->arn);
  free(r->pattern);
  free(r->schedule);
  free(r->description);
  json_decref(r->tags);
  free(r);
}

static void drop_targets(aev__target **ts, size_t n) {
  for (size_t i = 0; i < n; i++) aev__target_unref(ts[i]);
}

/* Takes rule r off the bus (lock held for writing): its targets go to ts
 * (*n of them) for the caller to drop, unlocked. */
static void unlink_rule_locked(aev_bus *bus, aev__rule *r, aev__target **ts,
                               size_t *n) {
  aev__route *rt = &bus->routes[r->id];
  aev_pattern_set_remove(bus->set, r->id);
  aev__rmap_del(&bus->rules, r->name);
  *n = rt->n_targets;
  memcpy(ts, rt->targets, *n * sizeof *ts);
  *rt = (aev__route){0};
}

/* DeleteEventBus, or the broker's shutdown: "the bus and its rules and
 * targets go" (bus.h) now, not with the last handle, so a callback
 * target's release runs then (once its deliveries in flight end) and a
 * handle still held answers that the bus does not exist (or the broker is
 * closed) instead of serving rules. One rule at a time, so no target's
 * release runs under the bus's lock. */
void aev__rules_shutdown(aev_bus *bus) {
  for (size_t i = 0;; i++) {
    aev__target *ts[AEV_BUS_MAX_TARGETS];
    size_t n = 0;
    pthread_rwlock_wrlock(&bus->lock);
    bus->res.deleted = 1; /* no rule is added after: put_rule checks it */
    aev__rule *r = NULL;
    for (; i < bus->n_ids && !r; i++) r = bus->routes[i].rule;
    if (r) unlink_rule_locked(bus, r, ts, &n);
    pthread_rwlock_unlock(&bus->lock);
    if (!r) return;
    i--;
    aev__rule_schedule_stop(r, 1);
    drop_targets(ts, n);
    aev__rule_unref(r);
  }
}

void aev__rules_free(aev_bus *bus) {
  for (size_t i = 0; i < bus->n_ids; i++) {
    aev__route *rt = &bus->routes[i];
    if (!rt->rule) continue;
    drop_targets(rt->targets, rt->n_targets);
    rt->n_targets = 0;
    aev__rule_unref(rt->rule);
  }
}

static char *rule_arn(const aev_bus *bus, const char *name) {
  aev_broker *b = bus->res.broker;
  const char *bus_part = !strcmp(bus->res.name, "default") ? "" : bus->res.name;
  size_t n = strlen(bus_part) + strlen(name) + 96;
  char *arn = malloc(n);
  if (arn)
    snprintf(arn, n, "arn:aws:events:%s:%s:rule/%s%s%s",
             aev_broker_region(b), aev_broker_account(b), bus_part,
             *bus_part ? "/" : "", name);
  return arn;
}

static int64_t now_ms(const aev_bus *bus) {
  return aev_broker_now_ms(bus->res.broker);
}

/* Puts r's pattern in or out of the set to match its state. Only a
 * pattern that is in is taken out: removing an absent one records an
 * error, which would replace the one a failed put answers with. */
static int sync_set(aev_bus *bus, aev__rule *r) {
  if (r->pattern && r->enabled) {
    int rc = aev_pattern_set_add(bus->set, r->id, r->pattern, strlen(r->pattern));
    r->in_set |= rc == AEV_OK;
    return rc;
  }
  if (r->in_set) aev_pattern_set_remove(bus->set, r->id);
  r->in_set = 0;
  return AEV_OK;
}

static int new_id(aev_bus *bus, uint64_t *id) {
  for (size_t i = 0; i < bus->n_ids; i++)
    if (!bus->routes[i].rule) {
      *id = i;
      return AEV_OK;
    }
  if (bus->n_ids == bus->cap_ids) {
    size_t cap = bus->cap_ids ? 2 * bus->cap_ids : 16;
    aev__route *v = realloc(bus->routes, cap * sizeof *v);
    if (!v) return aev__nomem();
    bus->routes = v;
    bus->cap_ids = cap;
  }
  bus->routes[bus->n_ids] = (aev__route){0};
  *id = bus->n_ids++;
  return AEV_OK;
}

static int validate(aev_bus *bus, const char *name, const char *pattern,
                    const char *schedule, aev__schedule **expr) {
  int rc = aev__bus_check_name("name", name, 64);
  if (rc) return rc;
  if (!pattern && !schedule)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Parameter(s) EventPattern or ScheduleExpression must be "
                     "specified.");
  if (schedule && strcmp(bus->res.name, "default"))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "ScheduleExpression is supported only on the default "
                     "event bus.");
  if (pattern) {
    aev_pattern *p;
    if ((rc = aev_pattern_compile(pattern, strlen(pattern), &p))) return rc;
    aev_pattern_free(p);
  }
  *expr = NULL;
  return schedule ? aev__schedule_parse(schedule, expr) : AEV_OK;
}

int aev_bus_put_rule(aev_bus *bus, const char *name, const char *event_pattern,
                     const char *schedule_expression, int enabled,
                     char **arn_out) {
  return aev__bus_put_rule(bus, name, event_pattern, schedule_expression, enabled, NULL,
                           arn_out);
}

int aev__bus_put_rule(aev_bus *bus, const char *name, const char *event_pattern,
                      const char *schedule_expression, int enabled, json_t *tags,
                      char **arn_out) {
  if (!bus)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "bus is NULL.");
  aev__schedule *expr;
  int quota;
  int rc = aev__bus_rule_quota(bus->res.broker, &quota);
  if (rc || (rc = validate(bus, name, event_pattern, schedule_expression, &expr)))
    return rc;
  pthread_rwlock_wrlock(&bus->lock);
  if (bus->res.deleted) {
    pthread_rwlock_unlock(&bus->lock);
    aev__schedule_free(expr);
    return aev__bus_gone(bus);
  }
  aev__rule *r = aev__rmap_get(&bus->rules, name);
  int created = !r;
  if (created && bus->rules.n >= (size_t)quota) {
    pthread_rwlock_unlock(&bus->lock);
    aev__schedule_free(expr);
    return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                     "The requested resource exceeds the maximum number "
                     "allowed.");
  }
  if (created) {
    r = calloc(1, sizeof *r);
    if (!r || (rc = new_id(bus, &r->id)) ||
        !(r->name = strdup(name)) || !(r->arn = rule_arn(bus, name))) {
      if (r) {
        free(r->name);
        free(r);
      }
      pthread_rwlock_unlock(&bus->lock);
      aev__schedule_free(expr);
      return rc ? rc : aev__nomem();
    }
    r->refs = 1;
    r->bus = bus;
    r->next_fire_ms = r->fired_ms = -1;
    pthread_mutex_init(&r->mu, NULL);
  }
  /* Old values kept until the set accepts the new pattern, so a failure
   * leaves the rule as it was; everything that may fail for want of memory
   * (the copies of the schedule and of the ARN for the caller, the merged
   * tags too) comes before the rule is stored. */
  char *old_pattern = r->pattern, *schedule = NULL, *arn = NULL;
  int old_enabled = r->enabled;
  json_t *merged = NULL;
  rc = tags ? aev__bus_tags_merge(r->tags, tags, &merged) : AEV_OK;
  r->pattern = event_pattern ? strdup(event_pattern) : NULL;
  r->enabled = enabled == AEV_RULE_ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
                   ? enabled
                   : enabled != 0;
  if (!rc)
    rc = (event_pattern && !r->pattern) ||
               (schedule_expression && !(schedule = strdup(schedule_expression))) ||
               (arn_out && !(arn = strdup(r->arn)))
           ? aev__nomem()
           : sync_set(bus, r);
  if (rc == AEV_OK && created && (rc = aev__rmap_put(&bus->rules, r)) && r->in_set)
    aev_pattern_set_remove(bus->set, r->id);
  if (rc) {
    json_decref(merged);
    free(schedule);
    free(arn);
    free(r->pattern);
    r->pattern = old_pattern;
    r->enabled = old_enabled;
    if (!created) sync_set(bus, r);
    pthread_rwlock_unlock(&bus->lock);
    aev__schedule_free(expr);
    if (created) aev__rule_unref(r);
    return rc;
  }
  free(old_pattern);
  free(r->schedule);
  r->schedule = schedule;
  if (tags) {
    json_decref(r->tags);
    r->tags = merged;
  }
  if (created) bus->routes[r->id] = (aev__route){.rule = r};
  aev__rule_ref(r);
  pthread_rwlock_unlock(&bus->lock);

  /* The schedule restarts from now whenever the rule is put. */
  aev__rule_schedule_stop(r, 0);
  pthread_mutex_lock(&r->mu);
  aev__schedule_free(r->expr);
  r->expr = expr;
  pthread_mutex_unlock(&r->mu);
  if (expr && enabled) aev__rule_schedule_start(r, now_ms(bus));
  aev__rule_unref(r);
  if (arn_out) *arn_out = arn;
  return AEV_OK;
}

static const char *state_name(int state) {
  return state == AEV_RULE_ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
             ? "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
             : state ? "ENABLED" : "DISABLED";
}

json_t *aev__rule_json(const aev_bus *bus, const aev__rule *r, int described) {
  json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "Name", r->name, "Arn", r->arn,
                        "State", state_name(r->enabled), "EventBusName",
                        bus->res.name);
  int whole = o != NULL;
  /* Only DescribeRule answers CreatedBy: ListRules' Rule shape has none. */
  if (described)
    whole &= !json_object_set_new(o, "CreatedBy",
                                  json_string(aev_broker_account(bus->res.broker)));
  if (r->pattern) whole &= !json_object_set_new(o, "EventPattern", json_string(r->pattern));
  if (r->schedule)
    whole &= !json_object_set_new(o, "ScheduleExpression", json_string(r->schedule));
  if (r->description)
    whole &= !json_object_set_new(o, "Description", json_string(r->description));
  return aev__json_whole(o, whole);
}

int aev_bus_describe_rule(aev_bus *bus, const char *name, char **json_out) {
  if (!bus || !name || !json_out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "bus, name and json_out are required.");
  pthread_rwlock_rdlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, name);
  json_t *o = r ? aev__rule_json(bus, r, 1) : NULL;
  pthread_rwlock_unlock(&bus->lock);
  if (!r) return aev__bus_no_rule(bus, name);
  *json_out = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *json_out ? AEV_OK : aev__nomem();
}

int aev_bus_delete_rule(aev_bus *bus, const char *name, int force) {
  if (!bus || !name)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "bus and name are required.");
  pthread_rwlock_wrlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, name);
  if (!r) {
    /* DeleteRule of a rule that does not exist succeeds on AWS; on a bus
     * that does not exist it does not. */
    int deleted = bus->res.deleted;
    pthread_rwlock_unlock(&bus->lock);
    return deleted ? aev__bus_gone(bus) : AEV_OK;
  }
  if (bus->routes[r->id].n_targets && !force) {
    pthread_rwlock_unlock(&bus->lock);
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Rule can't be deleted since it has targets.");
  }
  aev__target *ts[AEV_BUS_MAX_TARGETS];
  size_t n;
  unlink_rule_locked(bus, r, ts, &n);
  pthread_rwlock_unlock(&bus->lock);
  aev__rule_schedule_stop(r, 1);
  drop_targets(ts, n);
  aev__rule_unref(r);
  return AEV_OK;
}

int aev_bus_enable_rule(aev_bus *bus, const char *name, int enabled) {
  if (!bus || !name)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "bus and name are required.");
  pthread_rwlock_wrlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, name);
  if (!r) {
    pthread_rwlock_unlock(&bus->lock);
    return aev__bus_no_rule(bus, name);
  }
  int was = r->enabled;
  r->enabled = enabled != 0;
  int rc = sync_set(bus, r);
  if (rc) r->enabled = was;
  aev__rule_ref(r);
  pthread_rwlock_unlock(&bus->lock);
  if (rc == AEV_OK && !was != !enabled) {
    /* rate(): the first event one period after the rule is enabled. */
    if (r->enabled)
      aev__rule_schedule_start(r, now_ms(bus));
    else
      aev__rule_schedule_stop(r, 0);
  }
  aev__rule_unref(r);
  return rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp((*(aev__rule *const *)a)->name, (*(aev__rule *const *)b)->name);
}

static int name_has_prefix(const aev__route *rt, const void *prefix) {
  return !strncmp(rt->rule->name, prefix, strlen(prefix));
}

static int has_target_arn(const aev__route *rt, const void *arn) {
  for (size_t j = 0; j < rt->n_targets; j++) {
    const char *a = json_string_value(json_object_get(rt->targets[j]->spec, "Arn"));
    if (a && !strcmp(a, arn)) return 1;
  }
  return 0;
}

/* The bus's rules that keep(rule, arg) accepts, sorted by name as AWS lists
 * them (caller holds the bus lock; NULL when out of memory). */
static aev__rule **sorted_rules(const aev_bus *bus, int (*keep)(const aev__route *, const void *),
                                const void *arg, size_t *n) {
  aev__rule **v = malloc((bus->rules.n + 1) * sizeof *v);
  *n = 0;
  for (size_t i = 0; v && i < bus->n_ids; i++)
    if (bus->routes[i].rule && keep(&bus->routes[i], arg)) v[(*n)++] = bus->routes[i].rule;
  if (v) qsort(v, *n, sizeof *v, by_name);
  return v;
}

json_t *aev__rule_names_by_target(aev_bus *bus, const char *arn) {
  size_t n;
  pthread_rwlock_rdlock(&bus->lock);
  aev__rule **v = sorted_rules(bus, has_target_arn, arn, &n);
  json_t *names = v ? json_array() : NULL;
  int whole = names != NULL;
  for (size_t i = 0; whole && i < n; i++)
    whole = !json_array_append_new(names, json_string(v[i]->name));
  pthread_rwlock_unlock(&bus->lock);
  free(v);
  return aev__json_whole(names, whole);
}

int aev_bus_list_rules(aev_bus *bus, const char *prefix, char **json_out) {
  if (!bus || !json_out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "bus and json_out are required.");
  size_t n;
  pthread_rwlock_rdlock(&bus->lock);
  if (bus->res.deleted) {
    pthread_rwlock_unlock(&bus->lock);
    return aev__bus_gone(bus);
  }
  aev__rule **v = sorted_rules(bus, name_has_prefix, prefix ? prefix : "", &n);
  json_t *rules = v ? json_array() : NULL;
  int whole = rules != NULL;
  for (size_t i = 0; whole && i < n; i++)
    whole = !json_array_append_new(rules, aev__rule_json(bus, v[i], 0));
  pthread_rwlock_unlock(&bus->lock);
  free(v);
  rules = aev__json_whole(rules, whole);
  return aev__bus_dump(rules ? json_pack("{s:o}", "Rules", rules) : NULL, json_out);
}

int aev__rule_take_description(aev_bus *bus, const char *name, char *description) {
  pthread_rwlock_wrlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, name);
  int rc = r ? AEV_OK : aev__bus_no_rule(bus, name);
  if (r) {
    free(r->description);
    r->description = description;
  }
  pthread_rwlock_unlock(&bus->lock);
  if (!r) free(description);
  return rc;
}
