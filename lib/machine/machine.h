/* The machine module's interface to other primitives (Pipes' enrichments
 * and targets): what a state machine ARN names, and StartSyncExecution
 * without a wait. A primitive includes this, never machine_int.h. */
#ifndef AEV_MACHINE_MACHINE_H
#define AEV_MACHINE_MACHINE_H

#include <jansson.h>

#include "awsevents/machine.h"

/* The type (AEV_MACHINE_STANDARD / AEV_MACHINE_EXPRESS) of the machine arn
 * names: a machine, one of its versions (ARN:N) or aliases (ARN:NAME).
 * StateMachineDoesNotExist (AEV_ERR_NOT_FOUND) for a machine or version
 * that does not exist, ResourceNotFound for a missing alias, InvalidArn
 * otherwise. */
int aev__machine_type_of(aev_broker *b, const char *arn, int *type);

/* StartSyncExecution's start without its wait, for a caller that cannot
 * wait (a task's aws-sdk:sfn:startSyncExecution, a pipe's batch): req is
 * StartSyncExecution's request, checked as aev_call checks it; fn(e, user)
 * runs once at the execution's end, with no lock held, where
 * aev_execution_status / aev_execution_output or aev__execution_sync_result
 * give the answer; fn(NULL, user) when the execution is freed unfinished
 * (the broker closed). AEV_OK, or the failure (aev_errcode / aev_errmsg),
 * and fn never runs. */
int aev__states_start_sync_watched(aev_broker *b, json_t *req, void (*fn)(aev_execution *e, void *user),
                                   void *user);

/* StartSyncExecution's response for an execution that ended. */
int aev__execution_sync_result(aev_execution *e, char **json);

#endif
