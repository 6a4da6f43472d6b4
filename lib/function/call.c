/* Invoke's RequestResponse and DryRun types for the typed API (the handler
 * runs on the calling thread, which then waits for the outcome) and the
 * non-blocking call other primitives use (the handler runs on the handler
 * pool). */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "function/lineage.h"

typedef struct waiter {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
  char *payload;
  size_t len;
  const char *function_error;
} waiter;

static void sync_done(void *user, const aev__invoke_result *r) {
  waiter *w = user;
  char *p = r->nomem ? NULL : malloc(r->len + 1); /* NULL: out of memory */
  if (p) {
    memcpy(p, r->payload, r->len);
    p[r->len] = '\0';
  }
  pthread_mutex_lock(&w->mu);
  w->payload = p;
  w->len = r->len;
  w->function_error = r->function_error;
  w->done = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
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
  int rc = aev__fn_check(f);
  if (rc == AEV_OK && !result) rc = aev__fn_invalid("Missing argument.");
  if (rc == AEV_OK)
    rc = aev__fn_check_payload(payload, len, AEV__FN_SYNC_PAYLOAD_MAX);
  if (rc != AEV_OK) return rc;
  waiter w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
  aev_invocation *c;
  /* Called from a handler, the invocation continues its chain. */
  rc = aev__inv_start(f, qualifier, aev__lineage_current(), payload, len, 0, sync_done, &w,
                      &c);
  if (rc != AEV_OK) return rc;
  if (executed_version) memcpy(executed_version, c->version, 16);
  aev__inv_run(c);
  pthread_mutex_lock(&w.mu);
  while (!w.done) pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  if (!w.payload) return aev__nomem();
  *result = w.payload;
  if (result_len) *result_len = w.len;
  if (function_error) *function_error = w.function_error;
  return AEV_OK;
}

int aev_function_invoke_dry_run(aev_function *f, const char *payload,
                                size_t len) {
  int rc = aev__fn_check(f);
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
                       const void *payload, size_t len, int own,
                       aev__invoke_done_fn done, void *user) {
  aev_invocation *c;
  int rc = aev__inv_start(f, qualifier, lineage, payload, len, own, done, user, &c);
  if (rc != AEV_OK) return rc;
  rc = aev__sched_post_handler(aev__broker_sched(f->res.broker), run_task, c);
  if (rc != AEV_OK) { /* out of memory, or the broker closed */
    if (own) c->payload = c->inline_payload; /* still the caller's */
    aev__inv_cancel(c);
  }
  return rc;
}

int aev__function_call(aev_function *f, const char *qualifier,
                       const void *payload, size_t len,
                       aev__invoke_done_fn done, void *user) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK)
    rc = aev__fn_check_payload(payload, len, AEV__FN_SYNC_PAYLOAD_MAX);
  return rc != AEV_OK ? rc
                     : aev__fn_call_built(f, qualifier, aev__lineage_current(), payload,
                                         len, 0, done, user);
}
