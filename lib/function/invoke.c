/* One invocation from start to outcome: the concurrency slot (reserved
 * concurrency or the account's unreserved pool throttles; provisioned
 * environments run on concurrency set aside for them), execution
 * environments (cold starts run the init hook, warm ones reuse an idle
 * environment, idle ones are reclaimed lazily), running the handler, completion through the context, and the
 * timeout that reports Lambda's "Task timed out" while the late result is
 * discarded. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "core/text.h"
#include "function/capacity.h"
#include "function/function_impl.h"
#include "function/lineage.h"

int aev__fn_durable(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  int durable = f->conf->durable;
  pthread_mutex_unlock(&f->mu);
  return durable;
}

int aev__fn_check_payload(const void *payload, size_t len, size_t max) {
  if (len > max)
    return aev__fail(AEV_ERR_LIMIT, "RequestEntityTooLargeException",
                     "Request must be smaller than %zu bytes for the "
                     "InvokeFunction operation",
                     max);
  if (len == 0 || aev__json_valid(payload, len)) return AEV_OK;
  /* The slow path only words the error, as Lambda does. */
  json_error_t err;
  json_t *j;
  int rc = aev__json_parse(payload, len, JSON_DECODE_ANY, &j, &err);
  json_decref(j);
  if (rc == AEV_ERR_NOMEM) return rc;
  return aev__fail(AEV_ERR_INVALID, "InvalidRequestContentException",
                   "Could not parse request body into json: Could not "
                   "parse payload into json: %s",
                   rc == AEV_OK ? "unexpected input" : err.text);
}

static aev__env *idle_unlink(aev_function *f, aev__env *e) {
  if (e->prev) e->prev->next = e->next;
  else f->idle = e->next;
  if (e->next) e->next->prev = e->prev;
  else f->idle_tail = e->prev;
  f->n_idle--;
  return e;
}

/* The idle list is in recency order, so the stale ones are at its tail. */
void aev__fn_reclaim_locked(aev_function *f, int64_t now) {
  while (f->idle_tail && now - f->idle_tail->idle_since >= f->reclaim_ms)
    free(idle_unlink(f, f->idle_tail));
}

aev__env *aev__fn_new_env(aev_function *f) {
  aev__env *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  char day[16];
  time_t s = (time_t)(aev__fn_now_ms(f) / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  strftime(day, sizeof day, "%Y/%m/%d", &tm);
  uint64_t r1 = aev__broker_random(f->res.broker);
  uint64_t r2 = aev__broker_random(f->res.broker);
  snprintf(e->log_stream, sizeof e->log_stream, "%s/[$LATEST]%016llx%016llx",
           day, (unsigned long long)r1, (unsigned long long)r2);
  return e;
}

/* An invocation aev__inv_start() refuses with f->mu held: the lock and
 * what it took are given back (its error is set after, unlocked). */
static void refuse(aev_function *f, aev_invocation *c, char *invoked, aev__fconf *conf) {
  pthread_mutex_unlock(&f->mu);
  free(c);
  free(invoked);
  aev__fconf_unref(conf);
}

int aev__inv_start(aev_function *f, const char *qualifier, const char *lineage,
                   const void *payload, size_t len, int flags, aev__invoke_done_fn done,
                   void *user, aev_invocation **out) {
  int own = flags & AEV__CALL_OWN;
  if (len == 0) { /* own needs len > 0: never take over a literal */
    payload = "{}";
    len = 2;
    own = 0;
  }
  aev__fconf *conf = NULL;
  char version[16] = "$LATEST";
  /* Lambda's context names the ARN the function was invoked by, with the
   * version or alias the invoker gave. */
  char *invoked = NULL;
  if (qualifier && *qualifier) {
    int rc = aev__fn_resolve(f, qualifier, &conf, version);
    if (rc != AEV_OK) return rc;
    if (!(invoked = aev__function_qualified_arn(f, qualifier))) {
      aev__fconf_unref(conf);
      return aev__nomem();
    }
  }
  /* The chain's lineage with this run counted, after the payload. */
  size_t at = own ? 0 : len + 1;
  aev_invocation *c = malloc(sizeof *c + at + aev__lineage_bumped_size(lineage, f->res.name));
  if (!c) {
    free(invoked);
    aev__fconf_unref(conf);
    return aev__nomem();
  }
  int64_t now = aev__fn_now(f);
  pthread_mutex_lock(&f->mu);
  if (!conf) {
    conf = f->conf;
    conf->refs++;
  }
  if (conf->capacity) {
    /* Rare, so kept off the common path: a function on a capacity
     * provider, checked unlocked (the provider's store has its own lock). */
    pthread_mutex_unlock(&f->mu);
    int ready = aev__cap_invocable(f, conf, version);
    if (ready != AEV_OK) {
      free(c);
      free(invoked);
      aev__fconf_unref(conf);
      return ready;
    }
    pthread_mutex_lock(&f->mu);
  }
  if (f->res.deleted) {
    refuse(f, c, invoked, conf);
    return aev__fn_check(f);
  }
  if (conf->durable && !(flags & AEV__CALL_HANDLER)) {
    /* A durable function runs as a durable execution (durable.h): its
     * handler is invoked by the execution, with the durable input. */
    refuse(f, c, invoked, conf);
    return AEV__INV_DURABLE;
  }
  /* Lambda stops the invocation after the chain has invoked the function
   * about 16 times, unless its RecursiveLoop is Allow; the stopped one
   * counts in RecursiveInvocationsDropped, not as an invocation (Lambda
   * developer guide, "Use Lambda recursive loop detection"). */
  if (aev__lineage_count(lineage, f->res.name) >= AEV__LOOP_LIMIT &&
      !aev__fn_loop_allowed_locked(f)) {
    f->m.recursive_dropped++;
    refuse(f, c, invoked, conf);
    return aev__fn_recursive();
  }
  /* A reservation is the function's own pool, its provisioned concurrency
   * included: invocations on a provisioned environment use that part, the
   * others share what is left (recorded, test_lambda_concurrency_block: a
   * reservation of 1 provisioned on version 1 throttles $LATEST). Without
   * one the function shares the account's unreserved pool with every other
   * such function, except on a provisioned environment, whose concurrency
   * the account set aside for it. A provisioned environment comes first:
   * initialised ahead, never cold. */
  int reserved = f->reserved >= 0;
  aev__env *e = f->prov ? aev__fn_take_pinned_locked(f, version) : NULL;
  int pinned = e != NULL;
  int pooled = !reserved && !pinned;
  if (reserved ? !pinned && f->running - f->running_pinned >= f->reserved - f->provisioned
               : pooled && !aev__account_take(f->account)) {
    f->m.throttles++;
    refuse(f, c, invoked, conf);
    return aev__fn_throttled();
  }
  aev__fn_reclaim_locked(f, now);
  if (!e && f->idle) e = idle_unlink(f, f->idle);
  int cold = e == NULL;
  f->running++;
  f->running_pinned += pinned;
  f->calls++;
  f->busy_envs++;
  f->m.invocations++;
  if (cold) f->m.cold_starts++;
  c->conf = conf;
  pthread_mutex_unlock(&f->mu);
  if (cold && !(e = aev__fn_new_env(f))) {
    pthread_mutex_lock(&f->mu);
    f->running--;
    f->calls--;
    f->busy_envs--;
    f->m.invocations--;
    f->m.cold_starts--;
    aev_release_fn release = aev__fn_take_release_locked(f);
    pthread_mutex_unlock(&f->mu);
    if (release) release(f->user);
    if (pooled) aev__account_give(f->account);
    aev__fconf_unref(c->conf);
    free(c);
    free(invoked);
    return aev__nomem();
  }
  aev__resource_ref(&f->res);
  c->refs = 2; /* the handler call and the pending completion */
  pthread_mutex_init(&c->smu, NULL);
  c->stream = NULL;
  c->stream_len = c->stream_cap = c->n_chunks = c->chunks_cap = 0;
  c->chunk_ends = NULL;
  c->streaming = 0;
  c->state = AEV__INV_RUNNING;
  c->armed = 0;
  c->f = f;
  c->env = e;
  c->cold = cold;
  c->pooled = pooled;
  c->pinned = pinned;
  c->done = done;
  c->user = user;
  c->start = c->deadline = now;
  /* Neither a queued event, a durable execution's own call (HANDLER) nor
   * a mapping's batch: a synchronous invocation, stopped at 900 s. */
  const int sync = !(flags & (AEV__CALL_HANDLER | AEV__CALL_MAPPING));
  c->timeout = sync && conf->timeout > AEV__FN_TIMEOUT_MAX ? AEV__FN_TIMEOUT_MAX : conf->timeout;
  aev__broker_uuid(f->res.broker, c->request_id);
  memcpy(c->version, version, sizeof c->version);
  c->invoked_arn = invoked;
  c->lineage = c->inline_payload + at;
  aev__lineage_bump(lineage, f->res.name, c->lineage);
  c->len = len;
  if (own) {
    c->payload = (char *)payload;
  } else {
    c->payload = c->inline_payload;
    memcpy(c->payload, payload, len);
    c->payload[len] = '\0';
  }
  *out = c;
  return AEV_OK;
}

static void inv_unref(aev_invocation *c) {
  if (--c->refs > 0) return;
  aev__fconf_unref(c->conf);
  aev__resource_unref(&c->f->res);
  if (c->payload != c->inline_payload) free(c->payload);
  free(c->invoked_arn);
  free(c->stream);
  free(c->chunk_ends);
  pthread_mutex_destroy(&c->smu);
  free(c);
}

/* The state has left RUNNING: a write still under way ends first, and
 * none follows (aev_invocation_stream_write). */
static void settle(aev_invocation *c) {
  pthread_mutex_lock(&c->smu);
  pthread_mutex_unlock(&c->smu);
}

/* The outcome, once per invocation: frees the concurrency slot, counts,
 * and tells the caller. A NULL payload is an error object that could not
 * be built: the caller learns it was out of memory. */
static void deliver(aev_invocation *c, const char *payload, size_t len,
                    const char *function_error) {
  aev_function *f = c->f;
  int64_t duration = aev__fn_now(f) - c->start;
  pthread_mutex_lock(&f->mu);
  f->running--;
  f->running_pinned -= c->pinned;
  if (function_error) f->m.errors++;
  f->m.duration_ms += duration;
  pthread_mutex_unlock(&f->mu);
  if (c->pooled) aev__account_give(f->account);
  aev__invoke_result r = {.payload = payload ? payload : "{}",
                          .len = payload ? len : 2,
                          .function_error = function_error,
                          .nomem = payload == NULL,
                          .request_id = c->request_id,
                          .executed_version = c->version,
                          .stream = c->stream,
                          .chunk_ends = c->chunk_ends,
                          .n_chunks = c->n_chunks,
                          .duration_ms = duration,
                          .memory_mb = c->conf->memory};
  /* The caller goes on in its own right, in no chain of the handler's. */
  const char *lineage = aev__lineage_swap(NULL);
  c->done(c->user, &r);
  aev__lineage_swap(lineage);
}

/* The environment goes back to the idle list, unless the invocation timed
 * out: Lambda then resets the environment, so the next one starts cold. */
static void env_return(aev_invocation *c, int reset) {
  aev_function *f = c->f;
  pthread_mutex_lock(&f->mu);
  f->busy_envs--;
  aev__env *pin = c->env->pinned ? c->env : NULL;
  if (pin && !reset && !f->res.deleted &&
      aev__fn_provisioned_locked(f, pin->version)) {
    pin->next = f->prov;
    f->prov = pin;
  } else if (reset || f->res.deleted || pin) {
    free(c->env);
  } else {
    aev__env *e = c->env;
    e->idle_since = aev__fn_now(f);
    e->prev = NULL;
    e->next = f->idle;
    if (f->idle) f->idle->prev = e;
    else f->idle_tail = e;
    f->idle = e;
    f->n_idle++;
  }
  pthread_mutex_unlock(&f->mu);
  c->env = NULL;
}

/* Lambda's error object as text; NULL when out of memory. Steals o. */
static char *error_text(json_t *o) {
  char *s = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return s;
}

static void deliver_error(aev_invocation *c, const char *type,
                          const char *message) {
  settle(c);
  char *s = error_text(json_pack("{ssss}", "errorType", type, "errorMessage", message));
  deliver(c, s, s ? strlen(s) : 0, "Unhandled");
  free(s);
}

static void on_timeout(void *arg, int cancelled) {
  aev_invocation *c = arg;
  int expected = AEV__INV_RUNNING;
  if (atomic_compare_exchange_strong(&c->state, &expected,
                                     AEV__INV_TIMED_OUT)) {
    char msg[128];
    if (cancelled)
      snprintf(msg, sizeof msg, "RequestId: %s Error: the broker shut down",
               c->request_id);
    else
      snprintf(msg, sizeof msg,
               "RequestId: %s Error: Task timed out after %d.00 seconds",
               c->request_id, c->timeout);
    deliver_error(c, "Sandbox.Timedout", msg);
  }
  inv_unref(c);
}

/* A handler call returned, or will never be made: the last one of a
 * function that is gone runs the release. */
static void call_ended(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  f->calls--;
  aev_release_fn release = aev__fn_take_release_locked(f);
  pthread_mutex_unlock(&f->mu);
  if (release) release(f->user);
}

void aev__inv_run(aev_invocation *c) {
  aev_function *f = c->f;
  aev_init_fn init = f->init;
  /* What the handler sends, publishes and invokes on this thread during
   * its call belongs to its chain, as the AWS SDKs in a function pass
   * the invocation's trace header on. */
  const char *lineage = aev__lineage_swap(c->lineage);
  if (c->cold && init) init(f->user, c);
  c->start = aev__fn_now(f);
  c->deadline = c->start + (int64_t)c->timeout * 1000;
  f->fn(f->user, c, c->payload, c->len);
  aev__lineage_swap(lineage);
  call_ended(f);
  if (c->state == AEV__INV_RUNNING) {
    aev__sched *s = aev__broker_sched(f->res.broker);
    c->refs++;
    aev__timer_init(&c->timer, on_timeout, c, NULL);
    if (aev__timer_arm(s, &c->timer, c->deadline) == AEV_OK) c->armed = 1;
    else on_timeout(c, 1);
  }
  inv_unref(c);
}

/* What a response may hold: a streamed one, to a caller that takes the
 * stream, up to 200 MB; else Lambda's buffered 6 MB (+ 100 bytes). */
static size_t response_max(const aev_invocation *c, int streamed) {
  return streamed && c->streaming ? AEV__FN_STREAM_RESPONSE_MAX : AEV__FN_RESPONSE_MAX;
}

/* Recorded (test_lambda_too_large_response): a result over the limit
 * reaches the invoker as this function error instead; NULL when out of
 * memory. */
static char *too_large(size_t max) {
  char msg[128];
  snprintf(msg, sizeof msg,
           "Response payload size exceeded maximum allowed payload size (%zu bytes).", max);
  return error_text(json_pack("{ssss}", "errorMessage", msg, "errorType",
                              "Function.ResponseSizeTooLarge"));
}

/* Appends len bytes of p to the stream as one chunk (len > 0). */
static int stream_append(aev_invocation *c, const void *p, size_t len) {
  if (c->n_chunks == c->chunks_cap) {
    size_t cap = c->chunks_cap ? 2 * c->chunks_cap : 8;
    size_t *e = realloc(c->chunk_ends, cap * sizeof *e);
    if (!e) return AEV_ERR_NOMEM;
    c->chunk_ends = e;
    c->chunks_cap = cap;
  }
  if (c->stream_len + len > c->stream_cap) {
    size_t cap = c->stream_cap ? c->stream_cap : 256;
    while (cap < c->stream_len + len) cap *= 2;
    char *s = realloc(c->stream, cap);
    if (!s) return AEV_ERR_NOMEM;
    c->stream = s;
    c->stream_cap = cap;
  }
  memcpy(c->stream + c->stream_len, p, len);
  c->stream_len += len;
  c->chunk_ends[c->n_chunks++] = c->stream_len;
  return AEV_OK;
}

/* The outcome, once the state has left RUNNING for COMPLETED. A handler
 * that streamed succeeds with its stream, payload (may be NULL) its last
 * chunk; one that did not, with payload (NULL: "null"). */
static void outcome(aev_invocation *c, const char *payload, size_t len,
                    const char *function_error) {
  settle(c);
  int streamed = c->n_chunks > 0 && !function_error;
  size_t total = streamed ? c->stream_len + (payload ? len : 0) : len;
  size_t max = response_max(c, streamed);
  if (!function_error && total > max) {
    char *s = too_large(max);
    deliver(c, s, s ? strlen(s) : 0, "Unhandled");
    free(s);
    return;
  }
  if (streamed) {
    int rc = payload && len ? stream_append(c, payload, len) : AEV_OK;
    deliver(c, rc == AEV_OK ? c->stream : NULL, c->stream_len, NULL);
    return;
  }
  if (!payload && !function_error) {
    payload = "null";
    len = 4;
  }
  deliver(c, payload, len, function_error);
}

static int complete(aev_invocation *c, const char *payload, size_t len,
                    const char *function_error) {
  int expected = AEV__INV_RUNNING;
  if (atomic_compare_exchange_strong(&c->state, &expected,
                                     AEV__INV_COMPLETED)) {
    env_return(c, 0);
    if (c->armed &&
        aev__timer_cancel(aev__broker_sched(c->f->res.broker), &c->timer))
      inv_unref(c);
    outcome(c, payload, len, function_error);
    inv_unref(c);
    return AEV_OK;
  }
  if (expected == AEV__INV_TIMED_OUT &&
      atomic_compare_exchange_strong(&c->state, &expected,
                                     AEV__INV_COMPLETED)) {
    env_return(c, 1);
    inv_unref(c);
  }
  return aev__fail(AEV_ERR_STATE, "InvalidStateException",
                   "The invocation already completed or timed out; this "
                   "result is discarded.");
}

int aev_invocation_stream_write(aev_invocation *ctx, const void *data, size_t len) {
  if (!ctx || (!data && len)) return aev__fn_invalid("Missing argument.");
  pthread_mutex_lock(&ctx->smu);
  int running = ctx->state == AEV__INV_RUNNING;
  size_t max = response_max(ctx, 1);
  int over = running && ctx->stream_len + len > max;
  int rc = running && !over && len ? stream_append(ctx, data, len) : AEV_OK;
  pthread_mutex_unlock(&ctx->smu);
  if (!running)
    return aev__fail(AEV_ERR_STATE, "InvalidStateException",
                     "The invocation already completed or timed out; this "
                     "chunk is discarded.");
  if (rc != AEV_OK) return aev__nomem();
  if (!over) return AEV_OK;
  /* Lambda ends an invocation whose response outgrows the limit with
   * this error, the chunks already sent kept. */
  char *s = too_large(max);
  complete(ctx, s, s ? strlen(s) : 0, "Unhandled");
  free(s);
  return aev__fail(AEV_ERR_LIMIT, "Function.ResponseSizeTooLarge",
                   "Response payload size exceeded maximum allowed payload size (%zu bytes).",
                   max);
}

int aev_invocation_succeed(aev_invocation *ctx, const char *json, size_t len) {
  if (!ctx) return aev__fn_invalid("Missing argument.");
  return complete(ctx, json, json ? len : 0, NULL);
}

/* A copy of the handler's text s (n bytes, up to a NUL) that jansson
 * accepts: each byte that begins no well-formed UTF-8 sequence becomes
 * '?', so a Latin-1 message still reaches the caller instead of reading
 * as out of memory. NULL only when out of memory. */
static char *text_copy(const char *s, size_t n) {
  char *t = strndup(s, n);
  if (t) aev__utf8_scrub(t);
  return t;
}

int aev_invocation_fail_json(aev_invocation *ctx, const char *json,
                             size_t len) {
  if (!ctx) return aev__fn_invalid("Missing argument.");
  json_t *o = NULL;
  if (json && aev__json_parse(json, len, 0, &o, NULL) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_object(o)) {
    json_decref(o);
    char *msg = text_copy(json ? json : "", json ? len : 0);
    o = msg ? json_pack("{ssss}", "errorMessage", msg, "errorType", "Unhandled") : NULL;
    free(msg);
  }
  char *s = error_text(o);
  int rc = complete(ctx, s, s ? strlen(s) : 0, "Unhandled");
  free(s);
  return rc;
}

int aev_invocation_fail(aev_invocation *ctx, const char *error_type,
                        const char *message) {
  if (!ctx) return aev__fn_invalid("Missing argument.");
  if (!message) message = "";
  if (!error_type) error_type = "Error";
  char *msg = text_copy(message, strlen(message)), *type = text_copy(error_type, strlen(error_type));
  char *s = msg && type ? error_text(json_pack("{ssss}", "errorMessage", msg, "errorType", type)) : NULL;
  free(msg);
  free(type);
  int rc = complete(ctx, s, s ? strlen(s) : 0, "Unhandled");
  free(s);
  return rc;
}

void aev__inv_abandon(aev_invocation *c) {
  call_ended(c->f);
  c->state = AEV__INV_COMPLETED;
  env_return(c, 1);
  char msg[128];
  snprintf(msg, sizeof msg, "RequestId: %s Error: the broker shut down",
           c->request_id);
  deliver_error(c, "Sandbox.Timedout", msg);
  inv_unref(c);
  inv_unref(c);
}

void aev__inv_cancel(aev_invocation *c) {
  aev_function *f = c->f;
  pthread_mutex_lock(&f->mu);
  f->running--;
  f->running_pinned -= c->pinned;
  f->m.invocations--;
  pthread_mutex_unlock(&f->mu);
  call_ended(f);
  if (c->pooled) aev__account_give(f->account);
  env_return(c, 1);
  inv_unref(c);
  inv_unref(c);
}
