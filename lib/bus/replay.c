/* Replays: StartReplay / DescribeReplay / ListReplays / CancelReplay. A
 * replay sends an archive's events of an event-time window back to the
 * archive's own bus (all rules, or the rules in FilterArns), each with a
 * "replay-name" field; replay_run.c runs it on the broker clock, through
 * STARTING -> RUNNING -> COMPLETED, or CANCELLING -> CANCELLED. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/replay.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"

/* "You can have a maximum of 10 active concurrent replays per account per
 * AWS Region" (EventBridge User Guide, replaying archived events). */
#define MAX_ACTIVE 10

static const char *const state_names[] = {"STARTING",  "RUNNING",   "CANCELLING",
                                          "CANCELLED", "COMPLETED", "FAILED"};

static void replay_free(aev__replay *r) {
  aev__replay_drop_events(r);
  free(r->rules);
  json_decref(r->filter_arns);
  free(r->name);
  free(r->arn);
  free(r->description);
  free(r->archive_arn);
  free(r);
}

void aev__replays_free(aev_bus *bus) {
  while (bus->replays) {
    aev__replay *r = bus->replays;
    bus->replays = r->next;
    replay_free(r);
  }
}

static int invalid(const char *fmt, const char *a) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException", fmt, a);
}

static int no_replay(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Replay %s does not exist.", name);
}

/* The replay named name on any bus: its bus (new reference, amu held). */
static int replay_find(aev_broker *b, const char *name, aev_bus **bus_out,
                       aev__replay **out) {
  aev__resource **list;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n);
  if (rc) return rc;
  rc = no_replay(name);
  for (size_t i = 0; i < n && rc; i++) {
    aev_bus *bus = (aev_bus *)list[i];
    pthread_mutex_lock(&bus->amu);
    aev__replay *r = bus->replays;
    while (r && strcmp(r->name, name)) r = r->next;
    if (r) {
      aev__resource_ref(&bus->res);
      *bus_out = bus;
      *out = r;
      rc = AEV_OK;
    } else {
      pthread_mutex_unlock(&bus->amu);
    }
  }
  aev__registry_list_free(list, n);
  return rc;
}

static int64_t seconds_ms(json_t *v) {
  return (int64_t)(json_number_value(v) * 1000);
}

/* FilterArns: rules of the destination bus, by ARN, into rule ids. */
static int filters(aev_bus *bus, json_t *arns, aev__replay *r) {
  size_t n = json_array_size(arns);
  if (!n) return AEV_OK;
  if (!(r->rules = malloc(n * sizeof *r->rules))) return aev__nomem();
  pthread_rwlock_rdlock(&bus->lock);
  int rc = AEV_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const char *arn = json_string_value(json_array_get(arns, i));
    size_t j = 0;
    while (j < bus->n_ids &&
           (!bus->routes[j].rule || !arn || strcmp(bus->routes[j].rule->arn, arn)))
      j++;
    if (j == bus->n_ids)
      rc = invalid("Parameter FilterArns is not valid. Reason: Rule %s does "
                   "not exist on the destination event bus.",
                   arn ? arn : "null");
    else
      r->rules[r->n_rules++] = j;
  }
  pthread_rwlock_unlock(&bus->lock);
  return rc;
}

static int check_request(json_t *req, const char **name, const char **archive,
                         json_t **dest) {
  *name = json_string_value(json_object_get(req, "ReplayName"));
  *archive = json_string_value(json_object_get(req, "EventSourceArn"));
  *dest = json_object_get(req, "Destination");
  json_t *from = json_object_get(req, "EventStartTime");
  json_t *to = json_object_get(req, "EventEndTime");
  const char *missing = !*name ? "replayName" : !*archive ? "eventSourceArn"
                        : !json_is_number(from) ? "eventStartTime"
                        : !json_is_number(to)   ? "eventEndTime"
                        : !json_is_object(*dest) ? "destination"
                                                 : NULL;
  if (missing)
    return invalid("1 validation error detected: Value null at '%s' failed to "
                   "satisfy constraint: Member must not be null",
                   missing);
  int rc = aev__bus_check_name("replayName", *name, 64);
  if (!rc)
    rc = aev__bus_check_length("description",
                               json_string_value(json_object_get(req, "Description")),
                               AEV__MAX_DESCRIPTION);
  if (rc) return rc;
  /* AWS blames the end time for a window that is empty. */
  if (seconds_ms(from) >= seconds_ms(to))
    return invalid("Parameter EventEndTime is not valid. Reason: "
                   "EventStartTime must be before EventEndTime.%s",
                   "");
  /* An end in the future is taken (AWS took one a minute ahead in its
   * list-replays-with-prefix recording): the replay runs until then. */
  return AEV_OK;
}

/* Counts the bus's replays that have not ended (amu held). */
static int count_active(aev_bus *bus, void *ctx) {
  int *n = ctx;
  for (aev__replay *r = bus->replays; r; r = r->next) *n += r->state < AEV__REPLAY_CANCELLED;
  return AEV_OK;
}

/* StartReplay's checks of what the request names, in the order AWS makes
 * them (its quota lock held); *bus: the archive's (a new reference). */
static int check_names(aev_broker *b, const char *name, const char *archive_arn,
                       json_t *dest, aev_bus **bus) {
  int active = 0;
  /* Counted before any bus's amu is held: the quota lock keeps the count
   * true until the new replay is stored. */
  int rc = aev__bus_each(b, count_active, &active);
  aev_bus *other;
  aev__replay *found;
  aev__archive *a;
  if (!rc && replay_find(b, name, &other, &found) == AEV_OK) {
    pthread_mutex_unlock(&other->amu);
    aev_bus_release(other);
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                   "Replay %s already exists.", name);
  }
  const char *slash = !rc ? strstr(archive_arn, ":archive/") : NULL;
  if (!rc && !slash)
    rc = invalid("Parameter EventSourceArn is not valid. Reason: %s is not "
                 "an archive ARN.",
                 archive_arn);
  if (!rc && (rc = aev__archive_find(b, slash + 9, bus, &a)) == AEV_ERR_NOT_FOUND)
    rc = invalid("Parameter EventSourceArn is not valid. Reason: Archive %s "
                 "does not exist.",
                 slash + 9);
  if (rc) return rc;
  pthread_mutex_unlock(&(*bus)->amu);
  const char *dest_arn = json_string_value(json_object_get(dest, "Arn"));
  aev_bus *to = NULL;
  /* A destination bus that does not exist is named as such before the
   * check that replays go back to the archive's own bus only. */
  if (dest_arn) rc = aev__bus_find(b, dest_arn, 1, &to);
  if (!rc && to != *bus)
    rc = invalid("Parameter Destination.Arn is not valid. Reason: Cross "
                 "event bus replay is not permitted.%s",
                 "");
  aev_bus_release(to);
  if (!rc && active >= MAX_ACTIVE)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "The requested resource exceeds the maximum number "
                   "allowed.");
  if (rc) aev_bus_release(*bus);
  return rc;
}

/* The replay req asks for, on bus (its reference taken on success). */
static int replay_new(aev_broker *b, json_t *req, const char *name,
                      const char *archive_arn, aev_bus *bus, aev__replay **out) {
  aev__replay *r = calloc(1, sizeof *r);
  if (!r) return aev__nomem();
  json_t *dest = json_object_get(req, "Destination");
  int rc = filters(bus, json_object_get(dest, "FilterArns"), r);
  size_t arn_len = strlen(name) + 96;
  const char *desc = json_string_value(json_object_get(req, "Description"));
  if (!rc && (!(r->name = strdup(name)) || !(r->arn = malloc(arn_len)) ||
              !(r->archive_arn = strdup(archive_arn)) ||
              (desc && !(r->description = strdup(desc)))))
    rc = aev__nomem();
  aev_bus *def = NULL;
  if (!rc && !(rc = aev__bus_find(b, "default", 1, &def))) {
    r->seq = atomic_fetch_add(&def->replays_started, 1);
    aev_bus_release(def);
  }
  if (rc) {
    replay_free(r);
    return rc;
  }
  snprintf(r->arn, arn_len, "arn:aws:events:%s:%s:replay/%s", aev_broker_region(b),
           aev_broker_account(b), name);
  r->archive = strstr(r->archive_arn, ":archive/") + 9;
  r->filter_arns = json_incref(json_object_get(dest, "FilterArns"));
  r->from_ms = r->cursor_ms = seconds_ms(json_object_get(req, "EventStartTime"));
  r->to_ms = seconds_ms(json_object_get(req, "EventEndTime"));
  r->started_s = aev_broker_now_ms(b) / 1000;
  r->bus = bus;
  *out = r;
  return AEV_OK;
}

int aev_bus_start_replay(aev_broker *b, const char *request_json,
                         char **result_json) {
  if (!b || !request_json || !result_json)
    return invalid("b, request_json and result_json are required.%s", "");
  json_t *req = NULL, *dest = NULL;
  const char *name = NULL, *archive_arn = NULL;
  int rc = aev__json_parse_str(request_json, 0, &req);
  if (rc == AEV_ERR_INVALID) rc = invalid("The request is not a JSON object.%s", "");
  else if (!rc) rc = check_request(req, &name, &archive_arn, &dest);
  if (rc) {
    json_decref(req);
    return rc;
  }
  aev__broker_quota_lock(b);
  aev_bus *bus = NULL;
  aev__replay *r = NULL;
  rc = check_names(b, name, archive_arn, dest, &bus);
  if (!rc && (rc = replay_new(b, req, name, archive_arn, bus, &r))) aev_bus_release(bus);
  json_decref(req);
  /* The answer before the replay is stored: out of memory, there is then
   * no replay (rather than one behind an error). */
  char *answer = NULL;
  if (!rc) {
    json_t *o = json_pack("{s:s,s:s,s:I}", "ReplayArn", r->arn, "State", "STARTING",
                          "ReplayStartTime", (json_int_t)r->started_s);
    if (!(answer = o ? aev__json_dumps(o, JSON_COMPACT) : NULL)) rc = aev__nomem();
    json_decref(o);
  }
  if (r) {
    pthread_mutex_lock(&bus->amu);
    if (!rc) rc = aev__replay_begin(r);
    if (!rc) {
      r->next = bus->replays;
      bus->replays = r;
    }
    pthread_mutex_unlock(&bus->amu);
    if (rc) {
      replay_free(r);
      aev_bus_release(bus);
    }
  }
  aev__broker_quota_unlock(b);
  if (rc) {
    free(answer);
    return rc;
  }
  *result_json = answer;
  return AEV_OK;
}

static json_t *replay_json(const aev__replay *r, const aev_bus *bus, int full) {
  json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "ReplayName", r->name,
                        "EventSourceArn", r->archive_arn, "State",
                        state_names[r->state], "EventStartTime",
                        (json_int_t)(r->from_ms / 1000), "EventEndTime",
                        (json_int_t)(r->to_ms / 1000), "ReplayStartTime",
                        (json_int_t)r->started_s);
  int whole = o != NULL;
  if (r->last_ms)
    whole &= !json_object_set_new(o, "EventLastReplayedTime", json_integer(r->last_ms / 1000));
  if (r->ended_s) whole &= !json_object_set_new(o, "ReplayEndTime", json_integer(r->ended_s));
  if (full) {
    whole &= !json_object_set_new(o, "ReplayArn", json_string(r->arn));
    json_t *d = json_pack("{s:s}", "Arn", bus->res.arn);
    if (r->filter_arns) whole &= !json_object_set(d, "FilterArns", r->filter_arns);
    whole &= !json_object_set_new(o, "Destination", d);
    if (r->description)
      whole &= !json_object_set_new(o, "Description", json_string(r->description));
  }
  return aev__json_whole(o, whole);
}

int aev_bus_describe_replay(aev_broker *b, const char *name, char **json_out) {
  if (!b || !name || !json_out)
    return invalid("b, name and json_out are required.%s", "");
  aev_bus *bus;
  aev__replay *r;
  int rc = replay_find(b, name, &bus, &r);
  if (rc) return rc;
  json_t *o = replay_json(r, bus, 1);
  pthread_mutex_unlock(&bus->amu);
  aev_bus_release(bus);
  return aev__bus_dump(o, json_out);
}

/* ListReplays' entries from every bus, with their creation order. */
typedef struct listed {
  uint64_t seq;
  json_t *o;
} listed;

typedef struct listing {
  const char *prefix;
  size_t plen, n, cap;
  listed *v;
} listing;

/* Adds one bus's replays matching the prefix (amu held). */
static int add_replays(aev_bus *bus, void *ctx) {
  listing *l = ctx;
  for (aev__replay *x = bus->replays; x; x = x->next) {
    if (l->plen && strncmp(x->name, l->prefix, l->plen)) continue;
    if (l->n == l->cap) {
      size_t cap = l->cap ? 2 * l->cap : 16;
      listed *v = realloc(l->v, cap * sizeof *v);
      if (!v) return aev__nomem();
      l->v = v;
      l->cap = cap;
    }
    if (!(l->v[l->n].o = replay_json(x, bus, 0))) return aev__nomem();
    l->v[l->n++].seq = x->seq;
  }
  return AEV_OK;
}

static int by_seq(const void *x, const void *y) {
  uint64_t a = ((const listed *)x)->seq, b = ((const listed *)y)->seq;
  return (a > b) - (a < b);
}

/* AWS lists replays oldest first (its list-replays-with-limit snapshot),
 * across the broker's buses. */
int aev_bus_list_replays(aev_broker *b, const char *prefix, char **json_out) {
  if (!b || !json_out) return invalid("b and json_out are required.%s", "");
  listing l = {prefix, prefix ? strlen(prefix) : 0, 0, 0, NULL};
  int rc = aev__bus_each(b, add_replays, &l);
  if (l.n) qsort(l.v, l.n, sizeof *l.v, by_seq);
  json_t *arr = rc ? NULL : json_array();
  int whole = arr != NULL;
  for (size_t i = 0; i < l.n; i++)
    whole = whole && !json_array_append(arr, l.v[i].o);
  for (size_t i = 0; i < l.n; i++) json_decref(l.v[i].o);
  free(l.v);
  if (rc) return rc;
  arr = aev__json_whole(arr, whole);
  return aev__bus_dump(arr ? json_pack("{s:o}", "Replays", arr) : NULL, json_out);
}

int aev_bus_cancel_replay(aev_broker *b, const char *name, char **result_json) {
  if (!b || !name || !result_json)
    return invalid("b, name and result_json are required.%s", "");
  aev_bus *bus;
  aev__replay *r;
  int rc = replay_find(b, name, &bus, &r);
  if (rc) return rc;
  if (r->state >= AEV__REPLAY_CANCELLING)
    rc = aev__fail(AEV_ERR_STATE, "IllegalStatusException",
                   "Replay %s is not in a valid state for this operation.", name);
  else
    aev__replay_cancel(r);
  json_t *o = rc ? NULL : json_pack("{s:s,s:s}", "ReplayArn", r->arn, "State", "CANCELLING");
  pthread_mutex_unlock(&bus->amu);
  aev_bus_release(bus);
  return rc ? rc : aev__bus_dump(o, result_json);
}
