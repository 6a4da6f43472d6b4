/* Invoke's RequestResponse and DryRun types for the typed API and
 * InvokeWithResponseStream (the handler runs on the calling thread, which
 * then waits for the outcome) and the non-blocking call other primitives
 * use (the handler runs on the handler pool); a durable function's, of
 * either, is its durable execution's (durable.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/durable.h"
#include "function/function_impl.h"
#include "function/lineage.h"

typedef struct waiter {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done, nomem;
  aev__sync_result *out;
} waiter;

static char *copy_of(const void *p, size_t len) {
  char *c = malloc(len + 1);
  if (c) {
    memcpy(c, p, len);
    c[len] = '\0';
  }
  return c;
}

/* Copies the outcome into w->out; w->nomem when a copy failed. */
static void sync_done(void *user, const aev__invoke_result *r) {
  waiter *w = user;
  aev__sync_result *o = w->out;
  int nomem = r->nomem || !(o->payload = copy_of(r->payload, r->len));
  o->len = r->len;
  o->function_error = r->function_error;
  if (!nomem && r->n_chunks) {
    o->chunk_ends = malloc(r->n_chunks * sizeof *o->chunk_ends);
    nomem = !o->chunk_ends;
    if (!nomem) {
      memcpy(o->chunk_ends, r->chunk_ends, r->n_chunks * sizeof *o->chunk_ends);
      o->n_chunks = r->n_chunks;
    }
    /* A failure's chunks are not its payload (the error object). */
    if (!nomem && r->function_error)
      nomem = !(o->stream = copy_of(r->stream, r->chunk_ends[r->n_chunks - 1]));
  }
  memcpy(o->request_id, r->request_id, sizeof o->request_id);
  snprintf(o->executed_version, sizeof o->executed_version, "%s", r->executed_version);
  o->duration_ms = r->duration_ms;
  o->memory_mb = r->memory_mb;
  pthread_mutex_lock(&w->mu);
  w->nomem = nomem;
  w->done = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

void aev__sync_result_free(aev__sync_result *r) {
  free(r->payload);
  free(r->durable_arn);
  free(r->stream);
  free(r->chunk_ends);
  *r = (aev__sync_result){0};
}

static void await_outcome(waiter *w) {
  pthread_mutex_lock(&w->mu);
  while (!w->done) pthread_cond_wait(&w->cv, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

/* A durable function's synchronous invocation: its durable execution's
 * outcome (Lambda developer guide, "Invoking durable Lambda functions":
 * "the invocation waits for the entire durable execution to complete").
 * On a real clock with workers the caller waits for the close (the
 * ExecutionTimeout, within the synchronous limit, bounds it); otherwise
 * the ready work runs now, and an execution still waiting for time is
 * answered as running, an empty Payload (our choice: under a manual clock
 * a call never blocks, DESIGN §3). */
static int durable_sync(aev_function *f, const char *qualifier, const char *name,
                        const char *payload, size_t len, waiter *w) {
  aev__dexec *e;
  int rc = aev__durable_call(f, qualifier, name, 0, payload, len, sync_done, w, &e);
  if (rc != AEV_OK) return rc;
  aev__sched *sc = aev__broker_sched(f->res.broker);
  int running = 0;
  if (aev__broker_clock(f->res.broker)->mode == AEV_CLOCK_MANUAL || !aev__sched_workers(sc)) {
    if (!aev__sched_in_task(sc)) aev__sched_drain(sc);
    pthread_mutex_lock(&w->mu);
    int done = w->done;
    pthread_mutex_unlock(&w->mu);
    running = !done && aev__durable_detach(e, w);
  }
  if (running) {
    w->out->payload = copy_of("", 0);
    snprintf(w->out->executed_version, sizeof w->out->executed_version, "%s", e->version);
    w->nomem = !w->out->payload;
  } else {
    await_outcome(w);
  }
  w->out->durable_arn = strdup(e->arn);
  w->nomem |= !w->out->durable_arn;
  aev__dexec_unref(e);
  return AEV_OK;
}

int aev__function_invoke_sync(aev_function *f, const char *qualifier, const char *durable_name,
                              const char *payload, size_t len, int streaming,
                              aev__sync_result *out) {
  *out = (aev__sync_result){0};
  int rc = aev__fn_check(f);
  if (rc == AEV_OK)
    rc = aev__fn_check_payload(payload, len, AEV__FN_SYNC_PAYLOAD_MAX);
  if (rc != AEV_OK) return rc;
  waiter w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .out = out};
  aev_invocation *c;
  /* Called from a handler, the invocation continues its chain. */
  rc = aev__inv_start(f, qualifier, aev__lineage_current(), payload, len, 0, sync_done, &w,
                      &c);
  if (rc == AEV__INV_DURABLE) {
    rc = durable_sync(f, qualifier, durable_name, payload, len, &w);
  } else if (rc == AEV_OK) {
    c->streaming = streaming;
    aev__inv_run(c);
    await_outcome(&w);
  }
  if (rc != AEV_OK) return rc;
  if (!w.nomem) return AEV_OK;
  aev__sync_result_free(out);
  return aev__nomem();
}

int aev_function_invoke(aev_function *f, const char *payload, size_t len,
                        char **result, size_t *result_len,
                        const char **function_error) {
  return aev_function_invoke_qualified(f, NULL, payload, len, result,
                                       result_len, function_error, NULL);
}

int aev_function_invoke_qualified(aev_function *f, const char *qualifier,
                                  const char *payload, size_t len,
                                  char **result, size_t *result_len,
                                  const char **function_error,
                                  char *executed_version) {
  if (!result) {
    int rc = aev__fn_check(f);
    return rc != AEV_OK ? rc : aev__fn_invalid("Missing argument.");
  }
  aev__sync_result r;
  int rc = aev__function_invoke_sync(f, qualifier, NULL, payload, len, 0, &r);
  if (rc != AEV_OK) return rc;
  if (executed_version) memcpy(executed_version, r.executed_version, 16);
  *result = r.payload;
  r.payload = NULL;
  if (result_len) *result_len = r.len;
  if (function_error) *function_error = r.function_error;
  aev__sync_result_free(&r);
  return AEV_OK;
}

int aev_function_invoke_dry_run(aev_function *f, const char *payload,
                                size_t len) {
  return aev__function_dry_run(f, NULL, payload, len);
}

int aev__function_dry_run(aev_function *f, const char *qualifier,
                          const char *payload, size_t len) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK && qualifier) {
    aev__fconf *conf;
    char ver[16];
    rc = aev__fn_resolve(f, qualifier, &conf, ver);
    if (rc == AEV_OK) aev__fconf_unref(conf);
  }
  return rc != AEV_OK
             ? rc
             : aev__fn_check_payload(payload, len, AEV__FN_SYNC_PAYLOAD_MAX);
}

static void run_task(void *arg, int cancelled) {
  aev_invocation *c = arg;
  if (!cancelled) {
    aev__inv_run(c);
    return;
  }
  aev__inv_abandon(c);
}

int aev__fn_call_built(aev_function *f, const char *qualifier, const char *lineage,
                       const void *payload, size_t len, int flags,
                       aev__invoke_done_fn done, void *user) {
  aev_invocation *c;
  int rc = aev__inv_start(f, qualifier, lineage, payload, len, flags, done, user, &c);
  if (rc == AEV__INV_DURABLE) {
    rc = aev__durable_call(f, qualifier, NULL, flags, payload, len, done, user, NULL);
    /* The execution keeps its own copy of the input. */
    if (rc == AEV_OK && (flags & AEV__CALL_OWN)) free((void *)payload);
    return rc;
  }
  if (rc != AEV_OK) return rc;
  rc = aev__sched_post_handler(aev__broker_sched(f->res.broker), run_task, c);
  if (rc != AEV_OK) { /* out of memory, or the broker closed */
    if (flags & AEV__CALL_OWN) c->payload = c->inline_payload; /* still the caller's */
    aev__inv_cancel(c);
  }
  return rc;
}

static int call_checked(aev_function *f, const char *qualifier, const void *payload,
                        size_t len, int flags, aev__invoke_done_fn done, void *user) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK)
    rc = aev__fn_check_payload(payload, len, AEV__FN_SYNC_PAYLOAD_MAX);
  return rc != AEV_OK ? rc
                     : aev__fn_call_built(f, qualifier, aev__lineage_current(), payload,
                                         len, flags, done, user);
}

int aev__function_call(aev_function *f, const char *qualifier,
                       const void *payload, size_t len,
                       aev__invoke_done_fn done, void *user) {
  return call_checked(f, qualifier, payload, len, 0, done, user);
}

int aev__function_call_mapped(aev_function *f, const char *qualifier, const void *payload,
                              size_t len, aev__invoke_done_fn done, void *user) {
  return call_checked(f, qualifier, payload, len, AEV__CALL_MAPPING, done, user);
}
