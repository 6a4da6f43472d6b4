/* A pipe's synchronous Step Functions calls: an EXPRESS state machine as
 * its enrichment (the Pipes User Guide: "EventBridge Pipes only supports
 * Express workflows as enrichments") or as a REQUEST_RESPONSE target (the
 * API reference: "REQUEST_RESPONSE is not supported for STANDARD state
 * machine workflows"), started as StartSyncExecution starts one but never
 * waited for: the batch goes on from the execution's end, so a Wait state
 * holds the batch, never a thread. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "machine/machine.h"
#include "pipe/pipe_impl.h"

typedef struct call {
  aev__pipe_finish_fn done;
  void *arg;
} call;

/* A FAILED, TIMED_OUT or ABORTED execution (or one the closing broker
 * dropped) fails the batch; a SUCCEEDED one hands on its output. */
static void ended(aev_execution *e, void *user) {
  call *c = user;
  char *out = NULL;
  int ok = e && aev_execution_status(e) == AEV_EXECUTION_SUCCEEDED &&
           aev_execution_output(e, &out) == AEV_OK && out;
  c->done(c->arg, ok, out, out ? strlen(out) : 0);
  aev_free(out);
  free(c);
}

int aev__pipe_states_call(aev_broker *b, const char *arn, const char *input,
                          aev__pipe_finish_fn done, void *arg) {
  call *c = malloc(sizeof *c);
  json_t *req = c ? json_pack("{ssss}", "stateMachineArn", arn, "input", input) : NULL;
  int rc = req ? AEV_OK : aev__nomem();
  if (!rc) {
    *c = (call){done, arg};
    rc = aev__states_start_sync_watched(b, req, ended, c);
  }
  json_decref(req);
  if (rc) free(c);
  return rc;
}

int aev__pipe_states_check(aev_broker *b, const char *member, const char *arn) {
  int type = 0;
  int rc = aev__machine_type_of(b, arn, &type);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc == AEV_ERR_NOT_FOUND)
    return aev__fail(AEV_ERR_NOT_FOUND, "NotFoundException",
                     "The state machine %s does not exist.", arn);
  if (rc)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "%s %s is not a valid state machine ARN.",
                     member, arn);
  if (type == AEV_MACHINE_EXPRESS) return AEV_OK;
  return strcmp(member, "Enrichment")
             ? aev__fail(AEV_ERR_INVALID, "ValidationException",
                         "InvocationType REQUEST_RESPONSE is not supported for STANDARD state "
                         "machine workflows (%s); use FIRE_AND_FORGET.", arn)
             : aev__fail(AEV_ERR_INVALID, "ValidationException",
                         "EventBridge Pipes only supports Express workflows as enrichments; %s "
                         "is a STANDARD state machine.", arn);
}
