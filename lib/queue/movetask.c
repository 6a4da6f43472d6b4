/* Message move tasks (StartMessageMoveTask, CancelMessageMoveTask,
 * ListMessageMoveTasks): a task lives on its source dead-letter queue and
 * moves up to MaxNumberOfMessagesPerSecond messages each second of the
 * broker clock from a timer, never holding two queues' locks at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "queue/b64.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"
#include "queue/redrive.h"

#define DEFAULT_RATE 500
#define KEPT_TASKS 10

enum { RUNNING, COMPLETED, CANCELLED, FAILED };
static const char *const status_names[] = {"RUNNING", "COMPLETED", "CANCELLED",
                                           "FAILED"};

typedef struct aev__move_task {
  struct aev__move_task *next;
  aev_queue *q; /* the source; referenced while the timer is armed/posted */
  aev__timer timer;
  int timer_ref; /* the timer holds a reference to q */
  char id[AEV_UUID_LEN + 1];
  char *handle;
  char *dest; /* NULL: each message's DeadLetterQueueSourceArn */
  int rate, rate_given;
  int status;
  const char *failure; /* FailureReason once FAILED */
  int64_t started_ms, moved, to_move;
} aev__move_task;

/* AWS names the error that stopped the task, as the query protocol's code
 * (recorded: test_move_task_delete_destination_queue_while_running). */
static const char NO_DESTINATION[] = "AWS.SimpleQueueService.NonExistentQueue";

static void task_free(aev__move_task *t) {
  free(t->handle);
  free(t->dest);
  free(t);
}

/* Unlinks up to t->rate visible messages, oldest first (mu held). */
static aev__msg *take(aev_queue *q, int rate, int64_t now) {
  aev__msg *chain = NULL, **tail = &chain;
  aev__store_ripen(q);
  aev__msg *m = q->all_head;
  for (int n = 0; m && n < rate;) {
    aev__msg *next = m->all_next;
    if (m->visible_at <= now) {
      aev__store_take(q, m);
      m->next = NULL;
      *tail = m;
      tail = &m->next;
      n++;
    }
    m = next;
  }
  return chain;
}

/* Moves the chain (taken when q->clears was `clears`) to dest, or each
 * message to its DeadLetterQueueSourceArn; what cannot arrive goes back
 * into q, and *refused counts what memory refused (the rest found no
 * destination). */
static size_t deliver(aev_queue *q, uint64_t clears, const char *dest, aev__msg *chain,
                      size_t *refused) {
  aev_broker *b = q->res.broker;
  if (dest) return aev__redrive_enqueue(b, dest, chain, NULL, 0, q, clears, refused);
  size_t n = 0;
  *refused = 0;
  while (chain) {
    aev__msg *m = chain;
    chain = m->next;
    m->next = NULL;
    const char *src = m->ext ? m->ext->dlq_source : NULL;
    char *to = src ? strdup(src) : NULL;
    size_t r;
    n += aev__redrive_enqueue(b, to ? to : "", m, NULL, 0, q, clears, &r);
    *refused += r + (src && !to);
    free(to);
  }
  return n;
}

static void tick(void *arg, int cancelled) {
  aev__move_task *t = arg;
  aev_queue *q = t->q;
  int rearm = 0;
  aev__queue_lock(q);
  if (!cancelled && t->status == RUNNING && !q->res.deleted) {
    int64_t now = aev__queue_now_mono(q);
    /* Out of memory for the destination's copy, or for its arrivals, this
     * second moves nothing, and the next one tries again. */
    char *dest = NULL;
    int copied = !t->dest || (dest = strdup(t->dest));
    aev__msg *chain = copied ? take(q, t->rate, now) : NULL;
    int took = chain != NULL;
    uint64_t clears = q->clears;
    pthread_mutex_unlock(&q->mu);
    size_t refused = 0;
    size_t moved = took ? deliver(q, clears, dest, chain, &refused) : 0;
    free(dest);
    aev__queue_lock(q);
    t->moved += (int64_t)moved;
    /* Done when nothing visible is left to take or the count is reached;
     * failed when none of what it took had a destination (it is back in
     * q, and taking it again would not move it either). */
    if (t->status == RUNNING && took && !moved && !refused) {
      t->status = FAILED;
      t->failure = NO_DESTINATION;
    } else if (t->status == RUNNING && copied && (!took || t->moved >= t->to_move)) {
      t->status = COMPLETED;
    }
    rearm = t->status == RUNNING &&
            aev__timer_arm(aev__broker_sched(q->res.broker), &t->timer,
                           aev__queue_now_mono(q) + 1000) == AEV_OK;
  }
  if (!rearm) t->timer_ref = 0;
  pthread_mutex_unlock(&q->mu);
  if (!rearm) aev__resource_unref(&q->res);
}

static int find_source(aev_broker *b, const char *arn, aev_queue **out) {
  aev__resource *r = arn ? aev__registry_find(b, AEV__KIND_QUEUE, arn) : NULL;
  if (!r || strncmp(arn, "arn:", 4) != 0) {
    if (r) aev__resource_unref(r);
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "The resource that you specified for the SourceArn "
                     "parameter doesn't exist.");
  }
  *out = (aev_queue *)r;
  return AEV_OK;
}

static int is_dead_letter_queue(aev_broker *b, const char *arn) {
  aev__resource **all;
  size_t n;
  if (aev__registry_list(b, AEV__KIND_QUEUE, NULL, &all, &n) != AEV_OK) return 0;
  int yes = 0;
  for (size_t i = 0; i < n && !yes; i++)
    yes = aev__queue_targets_dlq((aev_queue *)all[i], arn);
  aev__registry_list_free(all, n);
  return yes;
}

int aev_queue_start_move_task(aev_broker *b, const char *source_arn,
                              const char *destination_arn, int max_per_second,
                              char **task_handle) {
  if (!b || !task_handle) return aev__sqs_no_argument();
  if (!source_arn) return aev__sqs_missing("SourceArn");
  if (max_per_second < 0 || max_per_second > DEFAULT_RATE)
    return aev__sqs_invalid_int("MaxNumberOfMessagesPerSecond", max_per_second,
                                "Must be between 1 and 500.");
  aev_queue *q;
  int rc = find_source(b, source_arn, &q);
  if (rc != AEV_OK) return rc;
  aev_queue *dest = NULL;
  if (destination_arn) {
    if (aev__queue_find(b, destination_arn, &dest) != AEV_OK) {
      aev_queue_release(q);
      return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                       "The resource that you specified for the "
                       "DestinationArn parameter doesn't exist.");
    }
    aev_queue_release(dest);
  }
  if (!is_dead_letter_queue(b, source_arn)) {
    aev_queue_release(q);
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Source queue must be configured as a Dead Letter "
                     "Queue.");
  }
  aev__move_task *t = calloc(1, sizeof *t);
  if (!t) {
    aev_queue_release(q);
    return aev__nomem();
  }
  t->q = q;
  t->rate = max_per_second ? max_per_second : DEFAULT_RATE;
  t->rate_given = max_per_second != 0;
  t->status = RUNNING;
  t->started_ms = aev_broker_now_ms(b);
  aev__broker_uuid(b, t->id);
  aev__timer_init(&t->timer, tick, t, NULL);
  char raw[512];
  snprintf(raw, sizeof raw, "{\"taskId\":\"%s\",\"sourceArn\":\"%s\"}", t->id,
           source_arn);
  t->handle = malloc(aev__qb64_len(strlen(raw)) + 1);
  if (t->handle) aev__qb64_encode((const uint8_t *)raw, strlen(raw), t->handle);
  if (destination_arn) t->dest = strdup(destination_arn);
  char *copy = t->handle ? strdup(t->handle) : NULL;
  if (!copy || (destination_arn && !t->dest)) {
    free(copy);
    task_free(t);
    aev_queue_release(q);
    return aev__nomem();
  }
  aev__queue_lock(q);
  for (aev__move_task *o = q->tasks; o; o = o->next)
    if (o->status == RUNNING) rc = AEV_ERR_INVALID;
  if (rc != AEV_OK) {
    pthread_mutex_unlock(&q->mu);
    free(copy);
    task_free(t);
    aev_queue_release(q);
    /* recorded: test_start_multiple_move_tasks */
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "There is already a task running. Only one active task "
                     "is allowed for a source queue arn at a given time.");
  }
  t->to_move = (int64_t)q->count;
  t->next = q->tasks;
  q->tasks = t;
  /* Keep the newest few finished tasks for ListMessageMoveTasks. */
  aev__move_task **p = &q->tasks;
  for (int kept = 0; *p; kept++) {
    if (kept >= KEPT_TASKS && (*p)->status != RUNNING && !(*p)->timer_ref) {
      aev__move_task *old = *p;
      *p = old->next;
      task_free(old);
    } else {
      p = &(*p)->next;
    }
  }
  /* The timer holds the handle's reference to q from now on. */
  t->timer_ref = 1;
  rc = aev__timer_arm(aev__broker_sched(b), &t->timer, aev__queue_now_mono(q));
  if (rc != AEV_OK) {
    t->timer_ref = 0;
    t->status = FAILED;
  }
  pthread_mutex_unlock(&q->mu);
  if (rc != AEV_OK) {
    free(copy);
    aev_queue_release(q);
    return rc;
  }
  *task_handle = copy;
  return AEV_OK;
}

/* Reads {"taskId", "sourceArn"} out of a handle into *id and *arn, which
 * *doc holds (the caller frees it). A handle that is not such a document
 * is invalid, not a task that does not exist (recorded:
 * test_cancel_with_invalid_task_handle). */
static int parse_handle(const char *handle, json_t **doc, const char **id,
                        const char **arn) {
  size_t len = handle ? strlen(handle) : 0;
  uint8_t *raw = malloc(len * 3 / 4 + 4);
  if (!raw) return aev__nomem();
  long n = len ? aev__qb64_decode(handle, len, raw) : -1;
  json_t *j = NULL;
  int rc = n > 0 ? aev__json_parse((const char *)raw, (size_t)n, 0, &j, NULL) : AEV_ERR_INVALID;
  free(raw);
  if (rc == AEV_ERR_NOMEM) return rc;
  *id = json_string_value(json_object_get(j, "taskId"));
  *arn = json_string_value(json_object_get(j, "sourceArn"));
  if (!*id || !*arn) {
    json_decref(j);
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value for parameter TaskHandle is invalid.");
  }
  *doc = j;
  return AEV_OK;
}

int aev_queue_cancel_move_task(aev_broker *b, const char *task_handle,
                               int64_t *moved) {
  if (!b) return aev__sqs_no_argument();
  json_t *doc = NULL;
  const char *id = NULL, *arn = NULL;
  int rc = parse_handle(task_handle, &doc, &id, &arn);
  if (rc != AEV_OK) return rc;
  /* A handle whose source queue does not exist says so (recorded:
   * test_cancel_with_invalid_source_arn_in_task_handle). */
  aev_queue *q;
  rc = find_source(b, arn, &q);
  if (rc != AEV_OK) {
    json_decref(doc);
    return rc;
  }
  aev__queue_lock(q);
  aev__move_task *t = q->tasks;
  while (t && strcmp(t->id, id)) t = t->next;
  int drop = 0;
  if (!t) {
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Task does not exist.");
  } else if (t->status != RUNNING) {
    rc = aev__fail(AEV_ERR_INVALID, "UnsupportedOperation",
                   "Only active tasks can be cancelled.");
  } else {
    t->status = CANCELLED;
    if (moved) *moved = t->moved;
    if (aev__timer_cancel(aev__broker_sched(b), &t->timer)) {
      t->timer_ref = 0;
      drop = 1;
    }
  }
  pthread_mutex_unlock(&q->mu);
  json_decref(doc);
  if (drop) aev__resource_unref(&q->res);
  aev_queue_release(q);
  return rc;
}

/* A task as ListMessageMoveTasks shows it, whole, or NULL when out of
 * memory. */
static json_t *task_json(const aev__move_task *t, const aev_queue *q) {
  json_t *o = json_object();
  int failed = !o;
  if (t->status == RUNNING) failed |= json_object_set_new(o, "TaskHandle", json_string(t->handle));
  failed |= json_object_set_new(o, "Status", json_string(status_names[t->status]));
  failed |= json_object_set_new(o, "SourceArn", json_string(q->res.arn));
  if (t->dest) failed |= json_object_set_new(o, "DestinationArn", json_string(t->dest));
  if (t->rate_given)
    failed |= json_object_set_new(o, "MaxNumberOfMessagesPerSecond", json_integer(t->rate));
  failed |= json_object_set_new(o, "ApproximateNumberOfMessagesMoved", json_integer(t->moved));
  failed |= json_object_set_new(o, "ApproximateNumberOfMessagesToMove", json_integer(t->to_move));
  failed |= json_object_set_new(o, "StartedTimestamp", json_integer(t->started_ms));
  if (t->failure) failed |= json_object_set_new(o, "FailureReason", json_string(t->failure));
  if (!failed) return o;
  json_decref(o);
  return NULL;
}

int aev__queue_list_move_tasks(aev_broker *b, const char *source_arn,
                               int max_results, json_t **out) {
  if (max_results < 0 || max_results > 10)
    return aev__sqs_invalid_int("MaxResults", max_results,
                                "Must be between 1 and 10, if provided.");
  aev_queue *q;
  int rc = find_source(b, source_arn, &q);
  if (rc != AEV_OK) return rc;
  json_t *results = json_array();
  int failed = !results;
  int limit = max_results ? max_results : 1;
  aev__queue_lock(q);
  int n = 0;
  for (aev__move_task *t = q->tasks; t && n < limit && !failed; t = t->next, n++)
    failed = json_array_append_new(results, task_json(t, q)) != 0;
  pthread_mutex_unlock(&q->mu);
  aev_queue_release(q);
  if (failed) {
    json_decref(results);
    return aev__nomem();
  }
  *out = json_pack("{s:o}", "Results", results);
  return *out ? AEV_OK : aev__nomem();
}

int aev_queue_list_move_tasks(aev_broker *b, const char *source_arn,
                              int max_results, char **response_json) {
  if (!b || !response_json) return aev__sqs_no_argument();
  json_t *j;
  int rc = aev__queue_list_move_tasks(b, source_arn, max_results, &j);
  if (rc != AEV_OK) return rc;
  *response_json = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *response_json ? AEV_OK : aev__nomem();
}

void aev__move_tasks_shutdown(aev_queue *q) {
  int drops = 0;
  aev__queue_lock(q);
  for (aev__move_task *t = q->tasks; t; t = t->next) {
    if (t->status == RUNNING) t->status = CANCELLED;
    if (t->timer_ref &&
        aev__timer_cancel(aev__broker_sched(q->res.broker), &t->timer)) {
      t->timer_ref = 0;
      drops++;
    }
  }
  pthread_mutex_unlock(&q->mu);
  while (drops--) aev__resource_unref(&q->res);
}

void aev__move_tasks_free(aev_queue *q) {
  while (q->tasks) {
    aev__move_task *t = q->tasks;
    q->tasks = t->next;
    task_free(t);
  }
}
