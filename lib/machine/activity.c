/* Activities: CreateActivity (with its encryptionConfiguration, kept as
 * DescribeActivity answers it) / DescribeActivity / DeleteActivity and
 * GetActivityTask. A Task state whose Resource is an activity ARN queues
 * its input and task token here (exec_task.c); a worker's GetActivityTask
 * takes the oldest one and answers with it, and the worker ends the task
 * with SendTaskSuccess / SendTaskFailure (and keeps it alive with
 * SendTaskHeartbeat). GetActivityTask is a long poll: on a real clock it
 * sleeps on a condition variable until a task is queued or its deadline
 * passes (AWS holds the call up to 60 s); on the manual clock it never
 * blocks and answers at once, with no task when none is queued. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_dump.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/exec_int.h"

typedef struct pending {
  struct pending *next;
  char *token, *input;
} pending;

struct aev_activity {
  aev__resource res;
  pthread_mutex_t mu;
  pthread_cond_t cv; /* CLOCK_MONOTONIC: a task was queued, or shutdown */
  pending *head, **tail;
  int closed;
  int64_t created_ms;
  json_t *tags; /* under mu (machine_tags.c) */
  json_t *encryption; /* as Describe answers it; never changed */
};

static void pending_free(pending *p) {
  free(p->token);
  free(p->input);
  free(p);
}

static void activity_destroy(aev__resource *r) {
  aev_activity *a = (aev_activity *)r;
  while (a->head) {
    pending *p = a->head;
    a->head = p->next;
    pending_free(p);
  }
  json_decref(a->tags);
  json_decref(a->encryption);
  pthread_cond_destroy(&a->cv);
  pthread_mutex_destroy(&a->mu);
  free(a);
}

/* Deletion or broker shutdown: pollers wake and answer with no task. The
 * broker's shutdown deletes it too: handles still held answer
 * AEV_ERR_CLOSED (broker.h). */
static void activity_shutdown(aev__resource *r) {
  aev_activity *a = (aev_activity *)r;
  pthread_mutex_lock(&a->mu);
  a->res.deleted = 1;
  a->closed = 1;
  pthread_cond_broadcast(&a->cv);
  pthread_mutex_unlock(&a->mu);
}

static int not_found(const char *what) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ActivityDoesNotExist", "Activity Does Not Exist: '%s'", what);
}

static int gone(const aev_activity *a) {
  int rc = aev__broker_check_open(a->res.broker);
  return rc ? rc : not_found(a->res.arn);
}

int aev__activity_create(aev_broker *b, const char *name, json_t *tags, json_t *encryption,
                         aev_activity **out) {
  if (!b || !out) return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker and an out pointer are required.");
  *out = NULL;
  int rc = aev__machine_check_name(name, "Name");
  if (rc) return rc;
  aev_activity *a = calloc(1, sizeof *a);
  if (!a || (rc = aev__machine_tags_merge(NULL, tags, name, &a->tags)) ||
      !(a->encryption = aev__encryption_json(encryption))) {
    if (a) json_decref(a->tags);
    free(a);
    return rc ? rc : aev__nomem();
  }
  pthread_mutex_init(&a->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&a->cv, &ca);
  pthread_condattr_destroy(&ca);
  a->tail = &a->head;
  a->created_ms = aev__clock_now_ms(aev__broker_clock(b));
  if ((rc = aev__resource_init(&a->res, b, AEV__KIND_ACTIVITY, name, activity_destroy, activity_shutdown))) {
    activity_destroy(&a->res);
    return rc;
  }
  aev__resource *existing = NULL;
  rc = aev__registry_add(b, &a->res, &existing);
  if (rc == AEV_ERR_EXISTS) { /* CreateActivity is idempotent on the name; the first tags and key stay */
    aev__resource_unref(&a->res);
    *out = (aev_activity *)existing;
    return AEV_OK;
  }
  if (rc) {
    aev__resource_unref(&a->res);
    return rc;
  }
  *out = a;
  return AEV_OK;
}

int aev_activity_create(aev_broker *b, const char *name, aev_activity **out) {
  return aev__activity_create(b, name, NULL, NULL, out);
}

void aev__activity_tags(aev_activity *a, pthread_mutex_t **mu, json_t ***tags) {
  *mu = &a->mu;
  *tags = &a->tags;
}

int aev_activity_get(aev_broker *b, const char *name_or_arn, aev_activity **out) {
  if (!b || !name_or_arn || !out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker, an ARN and an out pointer are required.");
  aev__resource *r = aev__registry_find(b, AEV__KIND_ACTIVITY, name_or_arn);
  if (!r) return not_found(name_or_arn);
  *out = (aev_activity *)r;
  return AEV_OK;
}

void aev_activity_release(aev_activity *a) {
  if (a) aev__resource_unref(&a->res);
}

int aev_activity_delete(aev_activity *a) {
  if (!a) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No activity given.");
  aev__registry_remove(a->res.broker, &a->res); /* deleting twice is not an error */
  return AEV_OK;
}

const char *aev_activity_arn(const aev_activity *a) { return a ? a->res.arn : NULL; }

json_t *aev__activity_json(const aev_activity *a) {
  return json_pack("{s:s,s:s,s:f}", "activityArn", a->res.arn, "name", a->res.name, "creationDate",
                   (double)a->created_ms / 1000.0);
}

int aev_activity_describe(aev_activity *a, char **json) {
  if (!a || !json) return aev__fail(AEV_ERR_INVALID, "ValidationException", "An activity and an out pointer are required.");
  if (a->res.deleted) return gone(a);
  json_t *v = aev__activity_json(a);
  if (v && json_object_set(v, "encryptionConfiguration", a->encryption)) {
    json_decref(v);
    v = NULL;
  }
  *json = v ? aev__json_dumps(v, JSON_COMPACT) : NULL;
  json_decref(v);
  return *json ? AEV_OK : aev__nomem();
}

int aev__activity_schedule(aev_broker *b, const char *arn, const char *token, const char *input) {
  aev_activity *a;
  int rc = aev_activity_get(b, arn, &a);
  if (rc) return rc;
  pending *p = calloc(1, sizeof *p);
  if (!p || !(p->token = strdup(token)) || !(p->input = strdup(input))) {
    if (p) pending_free(p);
    aev_activity_release(a);
    return aev__nomem();
  }
  pthread_mutex_lock(&a->mu);
  *a->tail = p;
  a->tail = &p->next;
  pthread_cond_signal(&a->cv);
  pthread_mutex_unlock(&a->mu);
  aev_activity_release(a);
  return AEV_OK;
}

void aev__activity_withdraw(aev_broker *b, const char *arn, const char *token) {
  aev__resource *r = aev__registry_find(b, AEV__KIND_ACTIVITY, arn);
  if (!r) return; /* deleted: its queue went with it */
  aev_activity *a = (aev_activity *)r;
  pending *gone = NULL;
  pthread_mutex_lock(&a->mu);
  for (pending **pp = &a->head; *pp; pp = &(*pp)->next) {
    if (strcmp((*pp)->token, token)) continue;
    gone = *pp;
    *pp = gone->next;
    if (a->tail == &gone->next) a->tail = pp;
    break;
  }
  pthread_mutex_unlock(&a->mu);
  if (gone) pending_free(gone);
  aev__resource_unref(r);
}

size_t aev__activity_queued(aev_activity *a) {
  size_t n = 0;
  pthread_mutex_lock(&a->mu);
  for (pending *p = a->head; p; p = p->next) n++;
  pthread_mutex_unlock(&a->mu);
  return n;
}

/* Takes the oldest queued task, waiting until deadline (a CLOCK_MONOTONIC
 * time; NULL: no wait). NULL when none came. */
static pending *take(aev_activity *a, const struct timespec *deadline) {
  pthread_mutex_lock(&a->mu);
  while (!a->head && !a->closed && deadline)
    if (pthread_cond_timedwait(&a->cv, &a->mu, deadline) == ETIMEDOUT) break;
  pending *p = a->head;
  if (p && !(a->head = p->next)) a->tail = &a->head;
  pthread_mutex_unlock(&a->mu);
  return p;
}

static void put_back(aev_activity *a, pending *p) {
  pthread_mutex_lock(&a->mu);
  if (!(p->next = a->head)) a->tail = &p->next;
  a->head = p;
  pthread_mutex_unlock(&a->mu);
}

int aev_activity_get_task(aev_activity *a, const char *worker_name, int64_t wait_ms, char **token,
                          char **input) {
  if (!a || !token || !input || wait_ms < 0)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "An activity, out pointers and a wait of 0 or more milliseconds are required.");
  *token = *input = NULL;
  if (a->res.deleted) return gone(a);
  /* 80 characters, not bytes */
  if (worker_name && aev__utf8_chars(worker_name, strlen(worker_name)) > 80)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at 'workerName' failed to satisfy constraint: "
                     "Member must have length less than or equal to 80");
  aev_broker *b = a->res.broker;
  struct timespec until, *deadline = NULL;
  if (wait_ms > 0 && aev_broker_clock_mode(b) == AEV_CLOCK_REAL) {
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    deadline = &until;
  }
  pending *p;
  /* A task whose state has ended meanwhile (timed out, execution stopped)
   * is skipped: its token no longer completes anything. */
  while ((p = take(a, deadline))) {
    int rc = aev__task_started(b, p->token, worker_name);
    if (rc == AEV_OK) {
      *token = p->token;
      *input = p->input;
      free(p);
      return AEV_OK;
    }
    if (rc == AEV_ERR_NOMEM) { /* not handed out: first for the next poll */
      put_back(a, p);
      return rc;
    }
    pending_free(p);
  }
  return AEV_OK;
}
