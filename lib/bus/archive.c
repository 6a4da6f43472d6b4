/* Archives: CreateArchive / DescribeArchive / ListArchives / UpdateArchive /
 * DeleteArchive.
 * An archive keeps the events its bus receives (those matching its
 * optional pattern, which lives in the bus's pattern set beside the rules'
 * so archiving adds no per-event scan), pruned by retention on writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "bus/replay.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"

#define DAY_MS (24LL * 3600 * 1000)

struct aev__archive {
  aev__archive *next;
  uint64_t id; /* AEV__ARCHIVE_ID | n in the bus's pattern set */
  char *name, *arn, *pattern, *description;
  int retention_days; /* 0: indefinitely */
  int64_t created_s;
  aev__event **events; /* in arrival order */
  size_t n, cap, bytes;
};

const char *aev__archive_arn(const aev__archive *a) { return a->arn; }

static void archive_free(aev__archive *a) {
  for (size_t i = 0; i < a->n; i++) aev__event_unref(a->events[i]);
  free(a->events);
  free(a->name);
  free(a->arn);
  free(a->pattern);
  free(a->description);
  free(a);
}

void aev__archives_free(aev_bus *bus) {
  while (bus->archives) {
    aev__archive *a = bus->archives;
    bus->archives = a->next;
    archive_free(a);
  }
}

/* Retention: events older than the retention period go (on writes). */
static void prune(aev__archive *a, int64_t now_ms) {
  if (!a->retention_days) return;
  int64_t oldest = now_ms - a->retention_days * DAY_MS;
  size_t k = 0;
  while (k < a->n && a->events[k]->ingest_ms < oldest) {
    a->bytes -= a->events[k]->len;
    aev__event_unref(a->events[k++]);
  }
  if (k) {
    memmove(a->events, a->events + k, (a->n - k) * sizeof *a->events);
    a->n -= k;
  }
}

/* Keeps ev in a: 0 when out of memory (the event is not archived). */
static int append(aev__archive *a, aev__event *ev) {
  prune(a, ev->ingest_ms);
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 16;
    aev__event **v = realloc(a->events, cap * sizeof *v);
    if (!v) return 0;
    a->events = v;
    a->cap = cap;
  }
  ev->refs++;
  a->events[a->n++] = ev;
  a->bytes += ev->len;
  return 1;
}

void aev__archive_store(aev_bus *bus, const uint64_t *ids, size_t n,
                        aev__event *ev) {
  if (!bus->archives) return;
  pthread_mutex_lock(&bus->amu);
  for (aev__archive *a = bus->archives; a; a = a->next) {
    int hit = !a->pattern;
    for (size_t i = 0; !hit && i < n; i++) hit = ids[i] == a->id;
    if (!hit || !append(a, ev)) continue;
    for (aev__replay *r = bus->replays; r; r = r->next)
      if (!strcmp(r->archive, a->name)) aev__replay_archived(r, ev);
  }
  pthread_mutex_unlock(&bus->amu);
}

static int by_time(const void *x, const void *y) {
  const aev__event *a = *(aev__event *const *)x, *b = *(aev__event *const *)y;
  return (a->time_ms > b->time_ms) - (a->time_ms < b->time_ms);
}

int aev__archive_events(aev__archive *a, int64_t from, int64_t to,
                        aev__event ***out, size_t *n) {
  aev__event **v = malloc((a->n + 1) * sizeof *v);
  if (!v) return aev__nomem();
  size_t k = 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->events[i]->time_ms >= from && a->events[i]->time_ms < to) {
      a->events[i]->refs++;
      v[k++] = a->events[i];
    }
  qsort(v, k, sizeof *v, by_time);
  *out = v;
  *n = k;
  return AEV_OK;
}

static int no_archive(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Archive %s does not exist.", name);
}

/* The link to the archive named name on bus (amu held); *link is NULL
 * when there is none. */
static aev__archive **archive_link(aev_bus *bus, const char *name) {
  aev__archive **p = &bus->archives;
  while (*p && strcmp((*p)->name, name)) p = &(*p)->next;
  return p;
}

aev__archive *aev__archive_named(aev_bus *bus, const char *name) {
  return *archive_link(bus, name);
}

int aev__archive_find(aev_broker *b, const char *name, aev_bus **bus_out,
                      aev__archive **out) {
  aev__resource **list;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n);
  if (rc) return rc;
  rc = no_archive(name);
  for (size_t i = 0; i < n && rc; i++) {
    aev_bus *bus = (aev_bus *)list[i];
    pthread_mutex_lock(&bus->amu);
    aev__archive *a = aev__archive_named(bus, name);
    if (a) {
      aev__resource_ref(&bus->res);
      *bus_out = bus;
      *out = a;
      rc = AEV_OK; /* amu stays held for the caller */
    } else {
      pthread_mutex_unlock(&bus->amu);
    }
  }
  aev__registry_list_free(list, n);
  return rc;
}

static int name_check(const char *name) {
  size_t len = name ? strlen(name) : 0;
  int ok = len >= 1 && len <= 48;
  for (size_t i = 0; ok && i < len; i++) {
    char c = name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }
  return ok ? AEV_OK
            : aev__fail(AEV_ERR_INVALID, "ValidationException",
                        "1 validation error detected: Value '%s' at "
                        "'archiveName' failed to satisfy constraint: Member "
                        "must satisfy regular expression pattern: "
                        "[\\.\\-_A-Za-z0-9]+ and have length between 1 and 48",
                        name ? name : "null");
}

static int retention_check(int retention_days) {
  if (retention_days >= 0) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%d' at "
                   "'retentionDays' failed to satisfy constraint: Member "
                   "must have value greater than or equal to 0",
                   retention_days);
}

int aev_bus_create_archive(aev_bus *bus, const char *name,
                           const char *event_pattern, int retention_days,
                           const char *description, char **arn_out) {
  if (!bus)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "bus is NULL.");
  aev_broker *b = bus->res.broker;
  int rc = name_check(name);
  if (!rc) rc = aev__bus_check_length("description", description, AEV__MAX_DESCRIPTION);
  if (rc || (rc = retention_check(retention_days))) return rc;
  aev_bus *other;
  aev__archive *found;
  if (aev__archive_find(b, name, &other, &found) == AEV_OK) {
    pthread_mutex_unlock(&other->amu);
    aev_bus_release(other);
    return aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                     "Archive %s already exists.", name);
  }
  aev__archive *a = calloc(1, sizeof *a);
  size_t arn_len = strlen(name) + 96;
  /* The caller's copy of the ARN is made before the archive is stored: once
   * stored, it is not taken back for want of memory, and another thread
   * may delete it as soon as the bus is unlocked. */
  char *arn_copy = NULL;
  if (!a || !(a->name = strdup(name)) || !(a->arn = malloc(arn_len)) ||
      (event_pattern && !(a->pattern = strdup(event_pattern))) ||
      (description && !(a->description = strdup(description))) ||
      (arn_out && !(arn_copy = malloc(arn_len)))) {
    if (a) archive_free(a);
    return aev__nomem();
  }
  snprintf(a->arn, arn_len, "arn:aws:events:%s:%s:archive/%s",
           aev_broker_region(b), aev_broker_account(b), name);
  if (arn_copy) memcpy(arn_copy, a->arn, arn_len);
  a->retention_days = retention_days;
  a->created_s = aev_broker_now_ms(b) / 1000;
  pthread_rwlock_wrlock(&bus->lock);
  pthread_mutex_lock(&bus->amu);
  a->id = AEV__ARCHIVE_ID | bus->next_archive++;
  rc = bus->res.deleted ? aev__bus_gone(bus)
       : a->pattern     ? aev_pattern_set_add(bus->set, a->id, a->pattern,
                                              strlen(a->pattern))
                        : AEV_OK;
  if (!rc) {
    a->next = bus->archives;
    bus->archives = a;
  }
  pthread_mutex_unlock(&bus->amu);
  pthread_rwlock_unlock(&bus->lock);
  if (rc) {
    archive_free(a);
    free(arn_copy);
    return rc;
  }
  if (arn_out) *arn_out = arn_copy;
  return AEV_OK;
}

static json_t *archive_json(const aev_bus *bus, const aev__archive *a, int full) {
  json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I}", "ArchiveName", a->name,
                        "EventSourceArn", bus->res.arn, "State", "ENABLED",
                        "RetentionDays", (json_int_t)a->retention_days,
                        "SizeBytes", (json_int_t)a->bytes, "EventCount",
                        (json_int_t)a->n, "CreationTime",
                        (json_int_t)a->created_s);
  int whole = o != NULL;
  if (full) {
    whole &= !json_object_set_new(o, "ArchiveArn", json_string(a->arn));
    if (a->pattern) whole &= !json_object_set_new(o, "EventPattern", json_string(a->pattern));
    if (a->description)
      whole &= !json_object_set_new(o, "Description", json_string(a->description));
  }
  return aev__json_whole(o, whole);
}

int aev_bus_describe_archive(aev_broker *b, const char *name, char **json_out) {
  if (!b || !name || !json_out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b, name and json_out are required.");
  aev_bus *bus;
  aev__archive *a;
  int rc = aev__archive_find(b, name, &bus, &a);
  if (rc) return rc;
  prune(a, aev_broker_now_ms(b));
  json_t *o = archive_json(bus, a, 1);
  pthread_mutex_unlock(&bus->amu);
  aev_bus_release(bus);
  return aev__bus_dump(o, json_out);
}

/* Appends one bus's archives whose name starts with the prefix (amu held). */
static int add_archives(aev_bus *bus, const char *prefix, size_t plen, json_t *arr) {
  int whole = 1;
  for (aev__archive *x = bus->archives; whole && x; x = x->next)
    if (!plen || !strncmp(x->name, prefix, plen))
      whole = !json_array_append_new(arr, archive_json(bus, x, 0));
  return whole;
}

int aev_bus_list_archives(aev_broker *b, const char *prefix, char **json_out) {
  if (!b || !json_out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b and json_out are required.");
  return aev__bus_list_named(b, prefix, "Archives", add_archives, json_out);
}

int aev_bus_delete_archive(aev_broker *b, const char *name) {
  if (!b || !name)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b and name are required.");
  aev_bus *bus;
  aev__archive *a;
  int rc = aev__archive_find(b, name, &bus, &a);
  if (rc) return rc;
  pthread_mutex_unlock(&bus->amu);
  /* The lock order is lock before amu: look it up again under both. */
  pthread_rwlock_wrlock(&bus->lock);
  pthread_mutex_lock(&bus->amu);
  aev__archive **p = archive_link(bus, name);
  a = *p;
  if (a) {
    *p = a->next;
    if (a->pattern) aev_pattern_set_remove(bus->set, a->id);
  }
  pthread_mutex_unlock(&bus->amu);
  pthread_rwlock_unlock(&bus->lock);
  aev_bus_release(bus);
  if (!a) return no_archive(name);
  archive_free(a);
  return AEV_OK;
}

int aev_bus_update_archive(aev_broker *b, const char *name,
                           const char *event_pattern, int retention_days,
                           const char *description) {
  if (!b || !name)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b and name are required.");
  int rc = name_check(name);
  if (!rc) rc = aev__bus_check_length("description", description, AEV__MAX_DESCRIPTION);
  if (rc || (retention_days != -1 && (rc = retention_check(retention_days))))
    return rc;
  /* Everything that can fail for want of memory comes first, so a failed
   * update changes nothing. */
  char *pattern = event_pattern ? strdup(event_pattern) : NULL;
  char *desc = description ? strdup(description) : NULL;
  if ((event_pattern && !pattern) || (description && !desc)) {
    free(pattern);
    free(desc);
    return aev__nomem();
  }
  aev_bus *bus;
  aev__archive *a;
  if ((rc = aev__archive_find(b, name, &bus, &a))) {
    free(pattern);
    free(desc);
    return rc;
  }
  pthread_mutex_unlock(&bus->amu);
  /* The lock order is lock before amu: look it up again under both. */
  pthread_rwlock_wrlock(&bus->lock);
  pthread_mutex_lock(&bus->amu);
  a = aev__archive_named(bus, name);
  rc = !a        ? no_archive(name)
       : pattern ? aev_pattern_set_add(bus->set, a->id, pattern, strlen(pattern))
                 : AEV_OK;
  if (!rc && pattern) {
    free(a->pattern);
    a->pattern = pattern;
    pattern = NULL;
  }
  if (!rc && desc) {
    free(a->description);
    a->description = desc;
    desc = NULL;
  }
  if (!rc && retention_days != -1) {
    a->retention_days = retention_days;
    prune(a, aev_broker_now_ms(b));
  }
  pthread_mutex_unlock(&bus->amu);
  pthread_rwlock_unlock(&bus->lock);
  aev_bus_release(bus);
  free(pattern);
  free(desc);
  return rc;
}
