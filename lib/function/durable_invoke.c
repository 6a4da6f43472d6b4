/* The invocations of a durable execution: the durable invocation input
 * (DurableExecutionArn, a new CheckpointToken, InitialExecutionState with
 * the EXECUTION operation first), the handler's durable output (Status
 * SUCCEEDED, FAILED or PENDING with Result or Error, as the durable
 * execution SDKs return it) and the replay a PENDING output waits for.
 * Lambda developer guide, "Basic concepts": "Lambda invokes your function
 * again from the beginning and replays the checkpoint log". */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "function/durable.h"

#define INPUT_OPS_MAX 1000 /* operations in an invocation's initial state */

/* The handler's durable output: {Status, Result, Error}. */
static void apply_output(aev__dexec *e, const aev__invoke_result *r, int *again) {
  json_t *out = NULL;
  if (r->function_error) {
    /* Our choice: an invocation that fails (the handler's unhandled error
     * or a timeout) fails the execution with that error. */
    json_t *err = NULL;
    aev__json_parse(r->payload, r->len, 0, &err, NULL);
    const char *type = json_string_value(json_object_get(err, "errorType")),
               *msg = json_string_value(json_object_get(err, "errorMessage"));
    aev__dexec_close_locked(e, AEV__DX_FAILED, NULL,
                            json_pack("{ssss}", "ErrorType", type ? type : r->function_error,
                                      "ErrorMessage", msg ? msg : ""));
    json_decref(err);
    return;
  }
  aev__json_parse(r->payload, r->len, 0, &out, NULL);
  const char *status = json_string_value(json_object_get(out, "Status"));
  json_t *result = json_object_get(out, "Result"), *error = json_object_get(out, "Error");
  if (status && !strcmp(status, "SUCCEEDED")) {
    aev__dexec_close_locked(e, AEV__DX_SUCCEEDED,
                            json_is_string(result) ? json_incref(result) : NULL, NULL);
  } else if (status && !strcmp(status, "FAILED")) {
    aev__dexec_close_locked(e, AEV__DX_FAILED, NULL,
                            json_is_object(error) ? json_incref(error) : json_object());
  } else if (status && !strcmp(status, "PENDING")) {
    int waiting = 0;
    for (size_t i = 1; i < e->nops; i++) {
      /* Besides timers, a callback or a chained invoke that runs. */
      const char *st = json_string_value(json_object_get(e->ops[i].o, "Status"));
      const char *type = json_string_value(json_object_get(e->ops[i].o, "Type"));
      waiting |= e->ops[i].due >= 0 || e->ops[i].hb_due >= 0 ||
                 (!strcmp(st, "STARTED") &&
                  (!strcmp(type, "CALLBACK") || !strcmp(type, "CHAINED_INVOKE")));
    }
    *again = json_array_size(e->news) > 0;
    /* Our choice: PENDING while nothing can resume the execution ends it,
     * since nothing would ever invoke the function again. */
    if (!waiting && !*again)
      aev__dexec_close_locked(
          e, AEV__DX_FAILED, NULL,
          json_pack("{ssss}", "ErrorType", "InvalidDurableExecutionOutput", "ErrorMessage",
                    "The invocation returned PENDING with no pending operation."));
  } else {
    aev__dexec_close_locked(
        e, AEV__DX_FAILED, NULL,
        json_pack("{ssss}", "ErrorType", "InvalidDurableExecutionOutput", "ErrorMessage",
                  "The invocation output must be an object with Status SUCCEEDED, FAILED or "
                  "PENDING."));
  }
  json_decref(out);
}

static void invoked(void *user, const aev__invoke_result *r) {
  aev__dexec *e = user;
  int again = 0;
  pthread_mutex_lock(&e->mu);
  e->invoking = 0;
  if (e->status == AEV__DX_RUNNING) {
    aev__dexec_event_locked(
        e, "InvocationCompleted", NULL,
        json_pack("{sososs}", "StartTimestamp", aev__dx_time(e->inv_start_ms), "EndTimestamp",
                  aev__dx_time(aev__dexec_now_ms(e)), "RequestId", r->request_id));
    apply_output(e, r, &again);
  }
  pthread_mutex_unlock(&e->mu);
  if (again) aev__dexec_invoke(e);
  aev__dexec_unref(e);
}

/* mu held: the durable invocation input, with a new CheckpointToken. */
static char *input_locked(aev__dexec *e, size_t *len) {
  aev__broker_token(e->b, e->token, 48);
  json_array_clear(e->news);
  json_t *in = json_pack("{sssss{}}", "DurableExecutionArn", e->arn, "CheckpointToken",
                         e->token, "InitialExecutionState");
  json_t *page = aev__durable_ops_page_locked(e, 0, INPUT_OPS_MAX);
  if (in && page) json_object_update(json_object_get(in, "InitialExecutionState"), page);
  json_decref(page);
  char *text = in && page ? aev__json_dumps(in, JSON_COMPACT) : NULL;
  json_decref(in);
  *len = text ? strlen(text) : 0;
  return text;
}

void aev__dexec_invoke(aev__dexec *e) {
  pthread_mutex_lock(&e->mu);
  if (e->status != AEV__DX_RUNNING || e->invoking) {
    pthread_mutex_unlock(&e->mu);
    return;
  }
  size_t len;
  char *input = input_locked(e, &len);
  e->invoking = 1;
  e->inv_start_ms = aev__dexec_now_ms(e);
  e->refs++; /* the invocation's */
  pthread_mutex_unlock(&e->mu);
  aev_function *f = NULL;
  int rc = input ? aev__function_find(e->b, e->function_name, &f) : aev__nomem();
  const char *q = strcmp(e->version, "$LATEST") ? e->version : NULL;
  if (rc == AEV_OK) rc = aev__fn_call_built(f, q, NULL, input, len, AEV__CALL_OWN | AEV__CALL_HANDLER,
                                            invoked, e);
  aev_function_release(f);
  if (rc == AEV_OK) return;
  free(input);
  /* Our choice: an execution whose function cannot be invoked (deleted,
   * throttled, the broker closing) fails with the reason. */
  pthread_mutex_lock(&e->mu);
  e->invoking = 0;
  aev__dexec_close_locked(e, AEV__DX_FAILED, NULL,
                          json_pack("{ssss}", "ErrorType", aev_errcode(), "ErrorMessage",
                                    aev_errmsg()));
  pthread_mutex_unlock(&e->mu);
  aev__dexec_unref(e);
}
