/* SendDurableExecutionCallbackSuccess / Failure / Heartbeat: a CALLBACK
 * operation's CallbackId is the base64 of its execution's ARN and its
 * operation id, so it names both without a table. A completed callback
 * wakes the execution, which replays it; a timed-out one answers
 * CallbackTimeoutException (Lambda API reference). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/status.h"
#include "function/durable.h"

static int unknown(const char *id) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   "The callback %s does not exist or has already completed.", id);
}

/* mu held: completes op as kind says. */
static void complete_locked(aev__dexec *e, aev__dop *op, int kind, json_t *result,
                            json_t *error) {
  json_t *d = json_object_get(op->o, "CallbackDetails");
  int64_t now = aev__dexec_mono(e);
  if (kind == 2) { /* a heartbeat pushes the heartbeat timeout back */
    if (op->hb_s) op->hb_due = now + op->hb_s * 1000;
    return;
  }
  op->due = op->hb_due = -1;
  json_object_set(d, kind ? "Error" : "Result", kind ? error : result);
  json_object_set_new(op->o, "Status", json_string(kind ? "FAILED" : "SUCCEEDED"));
  json_object_set_new(op->o, "EndTimestamp", aev__dx_time(aev__dexec_now_ms(e)));
  aev__dexec_event_locked(e, kind ? "CallbackFailed" : "CallbackSucceeded", op->o,
                          json_pack("{s{sO}}", kind ? "Error" : "Result", "Payload",
                                    kind ? error : result));
  json_array_append_new(e->news, json_incref(json_object_get(op->o, "Id")));
}

int aev__durable_callback(aev_broker *b, const char *callback_id, int kind, json_t *result,
                          json_t *error) {
  unsigned char *raw = NULL;
  size_t n;
  if (aev__base64_decode(callback_id, strlen(callback_id), &raw, &n) != AEV_OK)
    return unknown(callback_id);
  char *nl = memchr(raw, '\n', n);
  aev__dexec *e = NULL;
  int rc = nl ? (*nl = '\0', aev__durable_find(b, (char *)raw, &e)) : AEV_ERR_NOT_FOUND;
  if (rc == AEV_ERR_NOMEM) {
    free(raw);
    return rc;
  }
  if (rc != AEV_OK) {
    free(raw);
    return unknown(callback_id);
  }
  int wake = 0;
  pthread_mutex_lock(&e->mu);
  aev__dop *op = aev__dexec_op_locked(e, nl + 1);
  const char *status = op ? json_string_value(json_object_get(op->o, "Status")) : NULL;
  const char *type = op ? json_string_value(json_object_get(op->o, "Type")) : "";
  if (status && !strcmp(type, "CALLBACK") && !strcmp(status, "TIMED_OUT"))
    rc = aev__fail(AEV_ERR_INVALID, "CallbackTimeoutException",
                   "The callback %s has timed out.", callback_id);
  else if (!status || strcmp(type, "CALLBACK") || strcmp(status, "STARTED") ||
           e->status != AEV__DX_RUNNING)
    rc = unknown(callback_id);
  if (rc == AEV_OK) {
    complete_locked(e, op, kind, result, error);
    aev__dexec_rearm_locked(e);
    wake = kind != 2;
  }
  pthread_mutex_unlock(&e->mu);
  free(raw);
  if (wake) aev__dexec_invoke(e);
  aev__dexec_unref(e);
  return rc;
}
