/* CHAINED_INVOKE operations: the service invokes the function the
 * operation names with its Payload and records the outcome (Lambda API
 * reference: ChainedInvokeOptions, ChainedInvokeDetails and the
 * ChainedInvoke* history events). A durable function runs as a child
 * durable execution whose close completes the operation; any other
 * function is invoked as a RequestResponse would be. */
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "function/durable.h"

/* Completes op_id of e with status (SUCCEEDED, FAILED, TIMED_OUT or
 * STOPPED) and wakes e to replay it. result (a string) and error are
 * borrowed. */
static void record(aev__dexec *e, const char *op_id, const char *status, json_t *result,
                   json_t *error) {
  static const char *const events[][2] = {{"SUCCEEDED", "ChainedInvokeSucceeded"},
                                          {"FAILED", "ChainedInvokeFailed"},
                                          {"TIMED_OUT", "ChainedInvokeTimedOut"},
                                          {"STOPPED", "ChainedInvokeStopped"}};
  const char *event = events[1][1];
  for (size_t i = 0; i < 4; i++)
    if (!strcmp(status, events[i][0])) event = events[i][1];
  int wake = 0;
  pthread_mutex_lock(&e->mu);
  aev__dop *op = aev__dexec_op_locked(e, op_id);
  if (op && e->status == AEV__DX_RUNNING &&
      !strcmp(json_string_value(json_object_get(op->o, "Status")), "STARTED")) {
    json_t *d = json_object_get(op->o, "ChainedInvokeDetails");
    if (!d && !json_object_set_new(op->o, "ChainedInvokeDetails", json_object()))
      d = json_object_get(op->o, "ChainedInvokeDetails");
    int ok = result && !error;
    json_t *v = ok ? result : error ? error : json_object();
    json_object_set(d, ok ? "Result" : "Error", v);
    json_object_set_new(op->o, "Status", json_string(status));
    json_object_set_new(op->o, "EndTimestamp", aev__dx_time(aev__dexec_now_ms(e)));
    aev__dexec_event_locked(e, event, op->o,
                            json_pack("{s{sO}}", ok ? "Result" : "Error", "Payload", v));
    if (!ok && !error) json_decref(v);
    json_array_append_new(e->news, json_string(op_id));
    wake = 1;
  }
  pthread_mutex_unlock(&e->mu);
  if (wake) aev__dexec_invoke(e);
}

typedef struct call {
  aev__dexec *e; /* counted */
  char op_id[];
} call;

static void invoked(void *user, const aev__invoke_result *r) {
  call *c = user;
  json_t *result = NULL, *error = NULL;
  if (r->function_error) {
    json_t *err = NULL;
    aev__json_parse(r->payload, r->len, 0, &err, NULL);
    const char *type = json_string_value(json_object_get(err, "errorType")),
               *msg = json_string_value(json_object_get(err, "errorMessage"));
    error = json_pack("{ssss}", "ErrorType", type ? type : r->function_error, "ErrorMessage",
                      msg ? msg : "");
    json_decref(err);
  } else {
    result = json_stringn(r->payload, r->len);
  }
  record(c->e, c->op_id, r->function_error ? "FAILED" : "SUCCEEDED", result, error);
  json_decref(result);
  json_decref(error);
  aev__dexec_unref(c->e);
  free(c);
}

/* ChainedInvokeStartedDetails names the child execution and the version
 * it runs. */
static void started_child(aev__dexec *e, const char *op_id, aev__dexec *child) {
  pthread_mutex_lock(&e->mu);
  for (size_t i = json_array_size(e->events); i-- > 0;) {
    json_t *ev = json_array_get(e->events, i);
    if (strcmp(json_string_value(json_object_get(ev, "Id")), op_id)) continue;
    json_t *d = json_object_get(ev, "ChainedInvokeStartedDetails");
    json_object_set_new(d, "DurableExecutionArn", json_string(child->arn));
    json_object_set_new(d, "ExecutedVersion", json_string(child->version));
    break;
  }
  pthread_mutex_unlock(&e->mu);
}

void aev__durable_chain(aev__dexec *e, const char *op_id, const char *function,
                        const char *payload) {
  aev_function *f = NULL;
  const char *q;
  char buf[512];
  int rc = aev__function_find_qualified(e->b, function, &f, &q, buf, sizeof buf);
  int durable = rc == AEV_OK && aev__fn_durable(f);
  size_t len = strlen(payload);
  if (rc == AEV_OK && durable) {
    aev__dexec *child;
    rc = aev__durable_start_child(f, q, payload, len, e, op_id, &child);
    if (rc == AEV_OK) {
      started_child(e, op_id, child);
      aev__dexec_unref(child);
    }
  } else if (rc == AEV_OK) {
    call *c = malloc(sizeof *c + strlen(op_id) + 1);
    char *copy = len ? strndup(payload, len) : NULL;
    rc = c && (copy || !len) ? aev__fn_check_payload(payload, len, AEV__FN_SYNC_PAYLOAD_MAX)
                             : aev__nomem();
    if (rc == AEV_OK) {
      aev__dexec_ref(e);
      c->e = e;
      strcpy(c->op_id, op_id);
      rc = aev__fn_call_built(f, q, NULL, len ? copy : "", len, len ? AEV__CALL_OWN : 0, invoked, c);
      if (rc != AEV_OK) aev__dexec_unref(e);
    }
    if (rc != AEV_OK) {
      free(c);
      free(copy);
    }
  }
  aev_function_release(f);
  if (rc == AEV_OK) return;
  /* It could not be invoked (no such function, throttled, a bad payload):
   * the operation fails with the reason. */
  json_t *error = json_pack("{ssss}", "ErrorType", aev_errcode(), "ErrorMessage", aev_errmsg());
  record(e, op_id, "FAILED", NULL, error);
  json_decref(error);
}

void aev__durable_child_closed(void *arg, int cancelled) {
  aev__dexec *child = arg;
  if (!cancelled) {
    pthread_mutex_lock(&child->mu);
    const char *status = aev__dx_status_name(child->status);
    json_t *result = child->status == AEV__DX_SUCCEEDED
                         ? (child->result ? json_incref(child->result) : json_string(""))
                         : NULL;
    json_t *error = result ? NULL : child->error ? json_incref(child->error) : json_object();
    pthread_mutex_unlock(&child->mu);
    record(child->parent, child->parent_op, status, result, error);
    json_decref(result);
    json_decref(error);
  }
  aev__dexec_unref(child);
}
