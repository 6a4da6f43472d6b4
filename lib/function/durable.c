/* Durable executions: the broker's store (a hidden registry entry), their
 * start by any invocation, asynchronous or synchronous, the latter's
 * waiters told of the close (the invocations that replay them:
 * durable_invoke.c),
 * their end (the handler's output, StopDurableExecution, ExecutionTimeout)
 * and their retention, all on the broker clock: one timer for the earliest operation
 * due, one for the timeout and then the retention end. Lambda developer
 * guide: "Basic concepts", "Invoking durable Lambda functions",
 * "Idempotency", "Managing durable executions". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/durable.h"

#define STORE_NAME "#durable"

typedef struct store {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  aev__dexec *head, *tail; /* oldest first */
} store;

static void store_init(aev__resource *r) { pthread_mutex_init(&((store *)r)->mu, NULL); }

static void store_destroy(aev__resource *r) {
  store *s = (store *)r;
  while (s->head) {
    aev__dexec *e = s->head;
    s->head = e->next;
    aev__dexec_unref(e);
  }
  pthread_mutex_destroy(&s->mu);
  free(s);
}

static int store_of(aev_broker *b, int create, store **out) {
  aev__resource *r;
  int rc = aev__fn_hidden_entry(b, STORE_NAME, sizeof(store), create, store_init,
                                store_destroy, NULL, &r);
  *out = (store *)r;
  return rc;
}

void aev__dexec_ref(aev__dexec *e) { e->refs++; }

void aev__dexec_unref(aev__dexec *e) {
  if (!e || --e->refs > 0) return;
  for (size_t i = 0; i < e->nops; i++) json_decref(e->ops[i].o);
  free(e->ops);
  json_decref(e->events);
  json_decref(e->news);
  json_decref(e->result);
  json_decref(e->error);
  free(e->arn);
  free(e->name);
  free(e->function_arn);
  free(e->function_name);
  free(e->input);
  free(e->parent_op);
  free(e->client_token);
  json_decref(e->client_answer);
  aev__dexec_unref(e->parent);
  pthread_mutex_destroy(&e->mu);
  free(e);
}

int64_t aev__dexec_now_ms(aev__dexec *e) { return aev__clock_now_ms(aev__broker_clock(e->b)); }
int64_t aev__dexec_mono(aev__dexec *e) { return aev__clock_mono_ms(aev__broker_clock(e->b)); }

json_t *aev__dx_time(int64_t ms) { return json_real((double)ms / 1000.0); }

const char *aev__dx_status_name(int status) {
  static const char *const names[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
                                      "STOPPED"};
  return names[status];
}

/* Arms t (mu held) for deadline; an arming from idle holds a reference. */
static void arm(aev__dexec *e, aev__timer *t, int64_t deadline) {
  int was = t->armed;
  if (aev__timer_arm(aev__broker_sched(e->b), t, deadline) == AEV_OK && !was) e->refs++;
}

static void disarm(aev__dexec *e, aev__timer *t) {
  if (aev__timer_cancel(aev__broker_sched(e->b), t)) e->refs--; /* never the last */
}

aev__dop *aev__dexec_op_locked(aev__dexec *e, const char *id) {
  for (size_t i = 0; i < e->nops; i++)
    if (!strcmp(json_string_value(json_object_get(e->ops[i].o, "Id")), id)) return &e->ops[i];
  return NULL;
}

aev__dop *aev__dexec_add_op_locked(aev__dexec *e, json_t *o) {
  if (!o) return NULL;
  if (e->nops == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 8;
    aev__dop *ops = realloc(e->ops, cap * sizeof *ops);
    if (!ops) {
      json_decref(o);
      return NULL;
    }
    e->ops = ops;
    e->cap = cap;
  }
  e->ops[e->nops] = (aev__dop){.o = o, .due = -1, .hb_due = -1};
  return &e->ops[e->nops++];
}

void aev__dexec_event_locked(aev__dexec *e, const char *type, json_t *o, json_t *details) {
  json_t *ev = json_pack("{sssI}", "EventType", type, "EventId",
                         (json_int_t)json_array_size(e->events) + 1);
  static const char *const copied[] = {"SubType", "Id", "Name", "ParentId"};
  for (size_t i = 0; o && ev && i < sizeof copied / sizeof *copied; i++) {
    json_t *v = json_object_get(o, copied[i]);
    if (v) aev__fn_put(&ev, copied[i], json_incref(v));
  }
  aev__fn_put(&ev, "EventTimestamp", aev__dx_time(aev__dexec_now_ms(e)));
  if (details) {
    char key[64];
    snprintf(key, sizeof key, "%sDetails", type);
    aev__fn_put(&ev, key, details);
  }
  if (ev) json_array_append_new(e->events, ev);
}

void aev__dexec_rearm_locked(aev__dexec *e) {
  int64_t next = -1;
  for (size_t i = 0; e->status == AEV__DX_RUNNING && i < e->nops; i++) {
    const aev__dop *op = &e->ops[i];
    if (op->due >= 0 && (next < 0 || op->due < next)) next = op->due;
    if (op->hb_due >= 0 && (next < 0 || op->hb_due < next)) next = op->hb_due;
  }
  if (next >= 0) arm(e, &e->wake, next);
  else disarm(e, &e->wake);
}

/* The close told to the synchronous invokers waiting (posted by close; a
 * broker shutting down still tells them): what Invoke answers, the
 * execution's Result, or its error as Lambda's function error. */
static void report_close(void *arg, int cancelled) {
  (void)cancelled;
  aev__dexec *e = arg;
  pthread_mutex_lock(&e->mu);
  aev__dwaiter *w = e->waiters;
  e->waiters = NULL;
  const char *type = json_string_value(json_object_get(e->error, "ErrorType")),
             *msg = json_string_value(json_object_get(e->error, "ErrorMessage"));
  json_t *out = e->status == AEV__DX_SUCCEEDED
                    ? json_incref(e->result)
                    : json_pack("{ssss}", "errorType", type ? type : "", "errorMessage",
                                msg ? msg : "");
  int failed = e->status != AEV__DX_SUCCEEDED;
  aev__invoke_result r = {.request_id = e->request_id,
                          .executed_version = e->version,
                          .duration_ms = e->end_ms - e->start_ms,
                          .memory_mb = e->memory_mb,
                          .function_error = failed ? "Unhandled" : NULL};
  pthread_mutex_unlock(&e->mu);
  char *text = failed && out ? aev__json_dumps(out, JSON_COMPACT) : NULL;
  r.payload = failed ? text : out ? json_string_value(out) : "";
  r.nomem = failed && !text;
  if (r.nomem) r.payload = "{}";
  r.len = strlen(r.payload);
  while (w) {
    aev__dwaiter *next = w->next;
    w->done(w->user, &r);
    free(w);
    w = next;
  }
  free(text);
  json_decref(out);
  aev__dexec_unref(e);
}

/* {"Payload": error} as the history's EventError carries it. */
static json_t *event_error(json_t *error) {
  return error ? json_pack("{s{sO}}", "Error", "Payload", error)
               : json_pack("{s{s{}}}", "Error", "Payload");
}

void aev__dexec_close_locked(aev__dexec *e, int status, json_t *result, json_t *error) {
  if (e->status != AEV__DX_RUNNING) {
    json_decref(result);
    json_decref(error);
    return;
  }
  static const char *const events[] = {NULL, "ExecutionSucceeded", "ExecutionFailed",
                                       "ExecutionTimedOut", "ExecutionStopped"};
  e->status = status;
  e->end_ms = aev__dexec_now_ms(e);
  e->result = result;
  e->error = error;
  e->token[0] = '\0';
  json_t *exec = e->nops ? e->ops[0].o : NULL;
  if (exec) {
    aev__fn_put(&e->ops[0].o, "Status", json_string(aev__dx_status_name(status)));
    aev__fn_put(&e->ops[0].o, "EndTimestamp", aev__dx_time(e->end_ms));
  }
  json_t *details =
      status == AEV__DX_SUCCEEDED
          ? json_pack("{s{ss}}", "Result", "Payload", result ? json_string_value(result) : "")
          : event_error(error);
  aev__dexec_event_locked(e, events[status], exec, details);
  disarm(e, &e->wake);
  /* Lambda keeps a closed execution RetentionPeriodInDays, then it is gone. */
  arm(e, &e->end, aev__dexec_mono(e) + (int64_t)e->retention_days * 86400000);
  if (e->waiters) {
    e->refs++;
    if (aev__sched_post(aev__broker_sched(e->b), NULL, report_close, e) != AEV_OK) e->refs--;
  }
  /* A chained invoke's child tells its parent, from a task of its own: two
   * executions' locks are never held together. */
  if (e->parent) {
    e->refs++;
    if (aev__sched_post(aev__broker_sched(e->b), NULL, aev__durable_child_closed, e) != AEV_OK)
      e->refs--;
  }
}

static void drop(aev__dexec *e) {
  store *s;
  if (store_of(e->b, 0, &s) != AEV_OK || !s) return;
  pthread_mutex_lock(&s->mu);
  aev__dexec **p = &s->head, *prev = NULL;
  while (*p && *p != e) prev = *p, p = &(*p)->next;
  int found = *p == e;
  if (found) {
    *p = e->next;
    if (s->tail == e) s->tail = prev;
  }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  if (found) aev__dexec_unref(e);
}

static void end_fired(void *arg, int cancelled) {
  aev__dexec *e = arg;
  int expired = 0;
  pthread_mutex_lock(&e->mu);
  /* A broker shutting down stops what still runs, so no waiter is left. */
  if (cancelled && e->status == AEV__DX_RUNNING)
    aev__dexec_close_locked(e, AEV__DX_STOPPED, NULL, NULL);
  else if (e->status == AEV__DX_RUNNING)
    aev__dexec_close_locked(e, AEV__DX_TIMED_OUT, NULL,
                            json_pack("{ssss}", "ErrorType", "Lambda.ExecutionTimedOut",
                                      "ErrorMessage", "Durable execution timed out."));
  else if (!cancelled && !e->end.armed)
    expired = e->removed = 1;
  /* Shutting down, the close's report may not have been posted: its
   * waiters are told here. */
  int unreported = cancelled && e->waiters;
  if (unreported) e->refs++;
  pthread_mutex_unlock(&e->mu);
  if (unreported) report_close(e, 1);
  if (expired) drop(e);
  aev__dexec_unref(e); /* the timer's */
}

static void wake_fired(void *arg, int cancelled) {
  aev__dexec *e = arg;
  int changed = 0;
  pthread_mutex_lock(&e->mu);
  if (!cancelled && e->status == AEV__DX_RUNNING) {
    changed = aev__durable_due_locked(e);
    aev__dexec_rearm_locked(e);
  }
  pthread_mutex_unlock(&e->mu);
  if (changed) aev__dexec_invoke(e);
  aev__dexec_unref(e);
}

/* mu of the store held: a new execution of version with DurableConfig dc. */
static aev__dexec *new_exec(aev_function *f, const char *version, json_t *dc,
                            int64_t timeout_s, const char *name, const char *payload,
                            size_t len) {
  aev__dexec *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->refs = 1;
  e->b = f->res.broker;
  pthread_mutex_init(&e->mu, NULL);
  aev__timer_init(&e->wake, wake_fired, e, NULL);
  aev__timer_init(&e->end, end_fired, e, NULL);
  char id[AEV_UUID_LEN + 1], generated[AEV_UUID_LEN + 1];
  aev__broker_uuid(e->b, id);
  aev__broker_uuid(e->b, generated);
  snprintf(e->version, sizeof e->version, "%s", version);
  e->name = strdup(name ? name : generated);
  e->function_name = strdup(f->res.name);
  e->input = strndup(payload, len);
  e->events = json_array();
  e->news = json_array();
  e->timeout_s = timeout_s;
  e->retention_days = (int)json_integer_value(json_object_get(dc, "RetentionPeriodInDays"));
  e->start_ms = aev__dexec_now_ms(e);
  size_t n = strlen(f->res.arn) + strlen(version) + strlen(id) + 96;
  e->function_arn = malloc(n);
  e->arn = malloc(n + 64);
  if (e->function_arn && e->arn && e->name) {
    snprintf(e->function_arn, n, "%s:%s", f->res.arn, version);
    snprintf(e->arn, n + 64, "%s/durable-execution/%s/%s", e->function_arn, e->name, id);
  }
  aev__dop *op = e->name && e->input && e->events && e->news && e->arn && e->function_arn
                     ? aev__dexec_add_op_locked(
                           e, json_pack("{sssssosss{ss}}", "Id", id, "Type", "EXECUTION",
                                        "StartTimestamp", aev__dx_time(e->start_ms), "Status",
                                        "STARTED", "ExecutionDetails", "InputPayload", e->input))
                     : NULL;
  if (op)
    aev__dexec_event_locked(e, "ExecutionStarted", op->o,
                            json_pack("{s{ss}sI}", "Input", "Payload", e->input,
                                      "ExecutionTimeout", (json_int_t)e->timeout_s));
  if (!op || json_array_size(e->events) != 1) {
    aev__dexec_unref(e);
    return NULL;
  }
  arm(e, &e->end, aev__dexec_mono(e) + e->timeout_s * 1000);
  return e;
}

/* The execution named name of f (DurableExecutionName), or a new one,
 * listed. "Idempotency" (developer guide): the same name and payload while
 * it runs is the same start; otherwise the name is taken. */
static int start(aev_function *f, const char *version, json_t *dc, int64_t timeout_s,
                 const char *name, const char *payload, size_t len, aev__dexec **out) {
  store *s;
  int rc = store_of(f->res.broker, 1, &s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  aev__dexec *e = name ? s->head : NULL;
  while (e && (strcmp(e->name, name) || strcmp(e->function_name, f->res.name)))
    e = e->next;
  if (e) {
    pthread_mutex_lock(&e->mu);
    int same = e->status == AEV__DX_RUNNING && strlen(e->input) == len &&
               !memcmp(e->input, payload, len);
    pthread_mutex_unlock(&e->mu);
    if (same) aev__dexec_ref(e);
    else
      rc = aev__fail(AEV_ERR_EXISTS, "DurableExecutionAlreadyStartedException",
                     "A durable execution named %s has already been started.", name);
  } else {
    e = new_exec(f, version, dc, timeout_s, name, payload, len);
    if (!e) {
      rc = aev__nomem();
    } else {
      if (s->tail) s->tail->next = e;
      else s->head = e;
      s->tail = e;
      aev__dexec_ref(e); /* the caller's */
    }
  }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  if (rc == AEV_OK) *out = e;
  return rc;
}

/* start() of the version qualifier routes to, its payload and, for a
 * synchronous start (sync: flags of aev__durable_call), its ExecutionTimeout
 * checked against the synchronous limit: "Synchronous invocations are
 * limited to 15 minutes" (developer guide, "Invoking durable Lambda
 * functions"). Invoke refuses more; an event-source mapping's execution
 * "times out and fails" past it, or past 90 minutes on Lambda Managed
 * Instances ("Event source mappings with durable functions"), so it is
 * bounded there. */
static int resolved_start(aev_function *f, const char *qualifier, int sync, int flags,
                          const char *name, const char *payload, size_t len,
                          aev__dexec **out) {
  aev__fconf *c;
  char version[16];
  int rc = aev__fn_resolve(f, qualifier, &c, version);
  if (rc != AEV_OK) return rc;
  json_t *dc = json_incref(aev__durable_config_of(c));
  int memory = c->memory, managed = c->capacity;
  aev__fconf_unref(c);
  if (!dc) return aev__fn_invalid("The function is not a durable function.");
  rc = aev__fn_check_payload(payload, len,
                             sync ? AEV__FN_SYNC_PAYLOAD_MAX : AEV__FN_ASYNC_PAYLOAD_MAX);
  int64_t timeout_s = json_integer_value(json_object_get(dc, "ExecutionTimeout"));
  const int mapping = flags & AEV__CALL_MAPPING;
  const int64_t mapping_max_s =
      managed ? AEV__DURABLE_MAPPING_MANAGED_MAX_S : AEV__DURABLE_SYNC_MAX_S;
  if (rc == AEV_OK && mapping && timeout_s > mapping_max_s) {
    timeout_s = mapping_max_s;
  } else if (rc == AEV_OK && sync && !mapping && timeout_s > AEV__DURABLE_SYNC_MAX_S) {
    rc = aev__fn_invalid("You cannot synchronously invoke a durable function with an "
                         "executionTimeout greater than %d seconds. Use the Event "
                         "invocation type.",
                         AEV__DURABLE_SYNC_MAX_S);
  }
  if (rc == AEV_OK) rc = start(f, version, dc, timeout_s, name, payload, len, out);
  if (rc == AEV_OK) (*out)->memory_mb = memory;
  json_decref(dc);
  return rc;
}

int aev__durable_start_child(aev_function *f, const char *qualifier, const char *payload,
                             size_t len, aev__dexec *parent, const char *op_id,
                             aev__dexec **out) {
  int rc = resolved_start(f, qualifier, 0, 0, NULL, payload, len, out);
  if (rc != AEV_OK) return rc;
  aev__dexec *e = *out;
  char *id = strdup(op_id);
  pthread_mutex_lock(&e->mu);
  if (id) {
    aev__dexec_ref(parent);
    e->parent = parent;
    e->parent_op = id;
  }
  pthread_mutex_unlock(&e->mu);
  if (!id) {
    aev__dexec_unref(e);
    return aev__nomem();
  }
  aev__dexec_invoke(e);
  return AEV_OK;
}

int aev__durable_name_check(const char *name, int durable) {
  if (!name) return AEV_OK;
  if (!durable)
    return aev__fn_invalid("DurableExecutionName is only valid for a durable function.");
  size_t n = strlen(name);
  if (!n || n > 64 ||
      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                     "1 validation error detected: Value '%s' at 'durableExecutionName' failed "
                     "to satisfy constraint: Member must satisfy regular expression pattern: "
                     "[a-zA-Z0-9-_]+ with length from 1 to 64",
                     name);
  return AEV_OK;
}

int aev__durable_event(aev_function *f, const char *qualifier, const char *name,
                       const char *payload, size_t len, json_t **resp) {
  *resp = NULL;
  aev__dexec *e = NULL;
  int rc = resolved_start(f, qualifier, 0, 0, name, payload, len, &e);
  if (rc != AEV_OK) return rc;
  aev__dexec_invoke(e);
  *resp = json_pack("{sissss}", "StatusCode", 202, "DurableExecutionArn", e->arn, "Payload", "");
  aev__dexec_unref(e);
  return *resp ? AEV_OK : aev__nomem();
}

int aev__durable_call(aev_function *f, const char *qualifier, const char *name, int flags,
                      const char *payload, size_t len, aev__invoke_done_fn done, void *user,
                      aev__dexec **out) {
  aev__dwaiter *w = malloc(sizeof *w);
  if (!w) return aev__nomem();
  aev__dexec *e = NULL;
  int rc = resolved_start(f, qualifier, 1, flags, name, payload, len, &e);
  if (rc != AEV_OK) {
    free(w);
    return rc;
  }
  *w = (aev__dwaiter){.done = done, .user = user};
  pthread_mutex_lock(&e->mu);
  if (!e->request_id[0]) aev__broker_uuid(e->b, e->request_id);
  w->next = e->waiters;
  e->waiters = w;
  /* Joined by its name after it closed: told at once. */
  if (e->status != AEV__DX_RUNNING) {
    e->refs++;
    if (aev__sched_post(aev__broker_sched(e->b), NULL, report_close, e) != AEV_OK) e->refs--;
  }
  pthread_mutex_unlock(&e->mu);
  aev__dexec_invoke(e);
  if (out) *out = e;
  else aev__dexec_unref(e);
  return AEV_OK;
}

int aev__durable_detach(aev__dexec *e, void *user) {
  pthread_mutex_lock(&e->mu);
  aev__dwaiter **p = &e->waiters;
  while (*p && (*p)->user != user) p = &(*p)->next;
  aev__dwaiter *w = *p;
  if (w) *p = w->next;
  pthread_mutex_unlock(&e->mu);
  free(w);
  return w != NULL;
}

int aev__durable_find(aev_broker *b, const char *arn, aev__dexec **out) {
  store *s;
  int rc = store_of(b, 0, &s);
  aev__dexec *e = NULL;
  if (rc == AEV_OK && s) {
    pthread_mutex_lock(&s->mu);
    for (e = s->head; e && strcmp(e->arn, arn); e = e->next) continue;
    if (e) aev__dexec_ref(e);
    pthread_mutex_unlock(&s->mu);
    aev__resource_unref(&s->res);
  }
  if (rc != AEV_OK) return rc;
  if (!e)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Durable execution not found: %s", arn);
  *out = e;
  return AEV_OK;
}

int aev__durable_list(aev_broker *b, const char *function_name, const char *version,
                      aev__dexec ***out, size_t *n) {
  store *s;
  *out = NULL;
  *n = 0;
  int rc = store_of(b, 0, &s);
  if (rc != AEV_OK || !s) return rc;
  pthread_mutex_lock(&s->mu);
  size_t count = 0;
  for (aev__dexec *e = s->head; e; e = e->next) count++;
  aev__dexec **list = malloc((count ? count : 1) * sizeof *list);
  for (aev__dexec *e = s->head; list && e; e = e->next) {
    if (strcmp(e->function_name, function_name) || (version && strcmp(e->version, version)))
      continue;
    aev__dexec_ref(e);
    list[(*n)++] = e;
  }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  if (!list) return aev__nomem();
  *out = list;
  return AEV_OK;
}

int aev__durable_stop(aev__dexec *e, json_t *error, int64_t *stopped_ms) {
  pthread_mutex_lock(&e->mu);
  int rc = e->status == AEV__DX_RUNNING
               ? AEV_OK
               : aev__fn_invalid("The durable execution is not running: it is %s.",
                                 aev__dx_status_name(e->status));
  if (rc == AEV_OK) {
    aev__dexec_close_locked(e, AEV__DX_STOPPED, NULL, error ? json_incref(error) : NULL);
    *stopped_ms = e->end_ms;
  }
  pthread_mutex_unlock(&e->mu);
  return rc;
}
