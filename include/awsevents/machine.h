/*
 * libawsevents — state machines: AWS Step Functions and the Amazon States
 * Language (JSONPath query language).
 *
 * A state machine lives in a broker and runs executions the way Step
 * Functions does: every state type (Pass, Task, Choice, Wait, Succeed, Fail,
 * Parallel, Map), JSONPath data flow (InputPath, Parameters, ResultSelector,
 * ResultPath, OutputPath, the context object $$, variables with Assign),
 * the intrinsic functions States.*, Retry and Catch, and execution history
 * numbered as AWS numbers it. Definitions are AWS's ASL JSON text; they are
 * validated at create time with AWS's messages (InvalidDefinition).
 *
 * Executions are event-driven: each runs its states on a serial lane of the
 * broker's scheduler; a Wait is a timer, so a year-long Wait holds no thread.
 * On a manual clock nothing runs until aev_broker_drain()/advance().
 *
 * Handles: aev_machine_create()/aev_machine_get() and aev_machine_start()
 * return counted handles released with aev_machine_release() and
 * aev_execution_release(). All functions are safe from any thread.
 */
#ifndef AWSEVENTS_MACHINE_H
#define AWSEVENTS_MACHINE_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_machine aev_machine;
typedef struct aev_execution aev_execution;
typedef struct aev_activity aev_activity;

/* State machine types. */
#define AEV_MACHINE_STANDARD 0
#define AEV_MACHINE_EXPRESS 1

/* Execution status (DescribeExecution's status). */
#define AEV_EXECUTION_RUNNING 0
#define AEV_EXECUTION_SUCCEEDED 1
#define AEV_EXECUTION_FAILED 2
#define AEV_EXECUTION_TIMED_OUT 3
#define AEV_EXECUTION_ABORTED 4

/* ---- State machines -------------------------------------------------- */

/* CreateStateMachine. definition is ASL JSON text (len bytes); type is
 * AEV_MACHINE_STANDARD or AEV_MACHINE_EXPRESS. An invalid definition fails
 * with AEV_ERR_INVALID (InvalidDefinition, AWS's message); an existing name
 * with a different definition with AEV_ERR_EXISTS
 * (StateMachineAlreadyExists); an identical one returns the existing
 * machine. *out is a new handle. The machine runs as the role
 * arn:aws:iam::000000000000:role/awsevents (DescribeStateMachine's roleArn,
 * $$.Execution.RoleArn), with logging OFF, tracing off and an AWS owned
 * key; aev_machine_create_with() takes a role, and aev_call's
 * CreateStateMachine takes AWS's roleArn (required) and configurations. */
AEV_API int aev_machine_create(aev_broker *b, const char *name,
                               const char *definition, size_t len, int type,
                               aev_machine **out);

/* aev_machine_create with the role the machine runs as (NULL: the default
 * above): an IAM role's ARN, arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME,
 * checked as CreateStateMachine's roleArn is, before anything is stored:
 * InvalidArn ("Invalid Role Arn: '...'") for another form,
 * ValidationException outside 1-256 characters (AEV_ERR_INVALID both). As
 * in AWS, the role does not count for idempotency: an identical existing
 * machine is returned with the role it was created with. */
AEV_API int aev_machine_create_with(aev_broker *b, const char *name,
                                    const char *definition, size_t len,
                                    int type, const char *role_arn,
                                    aev_machine **out);

/* Finds a state machine by name or ARN; AEV_ERR_NOT_FOUND
 * (StateMachineDoesNotExist) otherwise. *out is a new handle. */
AEV_API int aev_machine_get(aev_broker *b, const char *name_or_arn,
                            aev_machine **out);

/* Drops a handle. NULL is a no-op. */
AEV_API void aev_machine_release(aev_machine *m);

/* DeleteStateMachine. Running executions go on to their end; the handle
 * answers AEV_ERR_NOT_FOUND afterwards. */
AEV_API int aev_machine_delete(aev_machine *m);

/* How long m keeps its finished STANDARD executions, in milliseconds of
 * the broker clock (default 90 days, as AWS). Afterwards they are gone:
 * DescribeExecution answers ExecutionDoesNotExist, ListExecutions leaves
 * them out, and their memory is freed at the next start, lookup or listing
 * (handles already held stay valid). 0 drops them as soon as they end.
 * AEV_ERR_INVALID (ValidationException) for ms < 0; a deleted machine
 * answers as its other calls do (StateMachineDoesNotExist, or
 * AEV_ERR_CLOSED once the broker is destroyed). */
AEV_API int aev_machine_set_retention(aev_machine *m, int64_t ms);

/* UpdateStateMachine: a new definition for later executions. */
AEV_API int aev_machine_update(aev_machine *m, const char *definition,
                               size_t len);

/* Name and ARN, valid while the handle is held. */
AEV_API const char *aev_machine_name(const aev_machine *m);
AEV_API const char *aev_machine_arn(const aev_machine *m);

/* DescribeStateMachine's response as JSON (free with aev_free()). */
AEV_API int aev_machine_describe(aev_machine *m, char **json);

/* ValidateStateMachineDefinition: *result_json is {"result": "OK"|"FAIL",
 * "diagnostics": [{"severity", "code", "message", "location"}],
 * "truncated": false}; as in AWS, a diagnostic of the whole workflow
 * (MISSING_END_STATE) or of text that is not a JSON object has no
 * "location". type as for create. Fails only on bad arguments. */
AEV_API int aev_machine_validate(const char *definition, size_t len, int type,
                                 char **result_json);

/* TestState: runs one state on its own, as AWS's TestState API does.
 * request_json is TestState's request: "definition" (one state, or with
 * "stateName" a whole machine and the state's name in it), optional
 * "input", "inspectionLevel" (INFO, DEBUG, TRACE), "variables", "roleArn"
 * (required for a Task without a mock), "mock" ({"result"} or
 * {"errorOutput": {"error", "cause"}}; required for Map, Parallel,
 * activities, .sync and .waitForTaskToken; with "fieldValidationMode"
 * STRICT, the default, PRESENT or NONE, a result is checked against the
 * output of the API its integration calls), "context" (with a mock) and
 * "stateConfiguration" ({"retrierRetryCount", "mapIterationFailureCount"}).
 * *result_json is its response: "status" SUCCEEDED, FAILED, RETRIABLE
 * (a retrier has attempts left; nothing is retried) or CAUGHT_ERROR,
 * "output", "error", "cause", "nextState" and, above INFO,
 * "inspectionData". An unmocked Task really calls its resource (a
 * function, a queue...). The state runs on the broker like a
 * StartSyncExecution: on a manual clock, waiting (a Wait state, a Task's
 * timeout) moves the clock. Errors: InvalidDefinition,
 * InvalidExecutionInput, InvalidArn, ValidationException. */
AEV_API int aev_machine_test_state(aev_broker *b, const char *request_json,
                                   char **result_json);

/* ---- Executions ------------------------------------------------------ */

/* StartExecution. name may be NULL (a UUID is drawn from the broker's
 * generator); input is JSON text (NULL means "{}"). Starting a name again
 * with the same input returns the same execution (AWS's idempotency);
 * with a different input it fails with AEV_ERR_EXISTS
 * (ExecutionAlreadyExists). *out is a new handle. */
AEV_API int aev_machine_start(aev_machine *m, const char *name,
                              const char *input, size_t len,
                              aev_execution **out);

/* StartExecution by ARN, as AWS's takes it: a state machine's (or its
 * name), a version's (":stateMachine:NAME:3") or an alias's
 * (":stateMachine:NAME:PROD", which draws one of its versions by weight);
 * the execution names the version and alias it ran. InvalidArn for a
 * version 0, StateMachineDoesNotExist for none; otherwise as
 * aev_machine_start(). */
AEV_API int aev_machine_start_arn(aev_broker *b, const char *arn, const char *name,
                                  const char *input, size_t len,
                                  aev_execution **out);

/* StartSyncExecution (EXPRESS machines): runs the execution to its end and
 * stores StartSyncExecution's response in *result_json (free with
 * aev_free()). It waits as aev_execution_wait() does: on a manual clock
 * with workers = 0 it drains and advances the broker's clock over Waits;
 * it must not be called from a callback (AEV_ERR_BUSY). */
AEV_API int aev_machine_start_sync(aev_machine *m, const char *name,
                                   const char *input, size_t len,
                                   char **result_json);

/* Waits until e ends. On a manual clock it drains the broker and advances
 * its clock to each next timer (a Wait of a year takes no time); on a real
 * clock it sleeps until the end, draining the broker between timers when it
 * has no workers (AEV_ERR_STATE, InvalidExecutionState, when e then waits
 * with no timer armed: nothing else would run it). Not from a callback
 * (AEV_ERR_BUSY). */
AEV_API int aev_execution_wait(aev_execution *e);

/* Drops an execution handle. NULL is a no-op. */
AEV_API void aev_execution_release(aev_execution *e);

/* AEV_EXECUTION_* */
AEV_API int aev_execution_status(aev_execution *e);
AEV_API const char *aev_execution_arn(const aev_execution *e);

/* The output JSON text of a SUCCEEDED execution (NULL otherwise); free with
 * aev_free(). This, aev_execution_describe() and aev_execution_history()
 * answer AEV_ERR_CLOSED (ServiceUnavailable) once the broker is destroyed:
 * an execution still running then was abandoned, not left RUNNING. */
AEV_API int aev_execution_output(aev_execution *e, char **json);

/* DescribeExecution's response as JSON (free with aev_free()). */
AEV_API int aev_execution_describe(aev_execution *e, char **json);

/* GetExecutionHistory's {"events": [...]} (free with aev_free()).
 * EXPRESS executions keep no history: AEV_ERR_UNSUPPORTED (InvalidArn, as
 * AWS answers for an Express execution ARN). */
AEV_API int aev_execution_history(aev_execution *e, char **json);

/* StopExecution with an optional error and cause (NULL: none): the
 * execution ends ABORTED when its strand next runs. Stopping a finished
 * execution succeeds and changes nothing, as AWS does. */
AEV_API int aev_execution_stop(aev_execution *e, const char *error,
                               const char *cause);

/* RedriveExecution: runs a FAILED, ABORTED or TIMED_OUT STANDARD execution
 * again, within 14 days of its end, from the states it did not leave, each
 * with the input it had (the Parallel branches and Map iterations that did
 * not succeed; those that did keep their results). Its status is RUNNING
 * at once; the strand resumes it. client_token (NULL: none; 1 to 64
 * characters of '!' to '~') makes a repeat of one of the last 10 redrives
 * within 15 minutes answer that redrive again. *redrive_ms (may be NULL):
 * the redrive's date. ExecutionNotRedrivable (AEV_ERR_STATE) with AWS's
 * reason ("Execution is SUCCEEDED and cannot be redriven", ...). */
AEV_API int aev_execution_redrive(aev_execution *e, const char *client_token,
                                  int64_t *redrive_ms);

/* ---- Task tokens (.waitForTaskToken) ---------------------------------- */

/* SendTaskSuccess: completes the task that handed out token ($$.Task.Token)
 * with output (JSON text, len bytes). InvalidToken (AEV_ERR_INVALID) for a
 * token this broker did not issue; TaskTimedOut (AEV_ERR_STATE) when its
 * execution has ended. A token of an attempt that already ended (timed
 * out, retried) is accepted and ignored, as AWS does. */
AEV_API int aev_machine_send_task_success(aev_broker *b, const char *token,
                                          const char *output, size_t len);

/* SendTaskFailure: the task fails with error and cause (either NULL). */
AEV_API int aev_machine_send_task_failure(aev_broker *b, const char *token,
                                          const char *error,
                                          const char *cause);

/* SendTaskHeartbeat: restarts the task's HeartbeatSeconds countdown. */
AEV_API int aev_machine_send_task_heartbeat(aev_broker *b, const char *token);

/* ---- Activities ------------------------------------------------------ */

/* CreateActivity: a name (AWS's naming rule, InvalidName) for work done by
 * workers outside the state machine. Idempotent: an existing name returns
 * that activity. *out is a new handle. A Task state whose Resource is the
 * activity's ARN queues its input for GetActivityTask and waits for
 * SendTaskSuccess / SendTaskFailure with the token (HeartbeatSeconds and
 * TimeoutSeconds apply from the moment it is scheduled). */
AEV_API int aev_activity_create(aev_broker *b, const char *name,
                                aev_activity **out);

/* Finds an activity by name or ARN; AEV_ERR_NOT_FOUND
 * (ActivityDoesNotExist) otherwise. *out is a new handle. */
AEV_API int aev_activity_get(aev_broker *b, const char *name_or_arn,
                             aev_activity **out);

/* Drops a handle. NULL is a no-op. */
AEV_API void aev_activity_release(aev_activity *a);

/* DeleteActivity: pollers wake with no task; tasks already handed out can
 * still be completed with their tokens. */
AEV_API int aev_activity_delete(aev_activity *a);

AEV_API const char *aev_activity_arn(const aev_activity *a);

/* DescribeActivity's response: {"activityArn", "name", "creationDate",
 * "encryptionConfiguration"}; the last is {"type": "AWS_OWNED_KEY"} unless
 * aev_call's CreateActivity gave another. */
AEV_API int aev_activity_describe(aev_activity *a, char **json);

/* GetActivityTask: takes the oldest scheduled task of a, recording
 * ActivityStarted with worker_name (may be NULL) in its execution's
 * history; *token and *input (JSON text) are new strings to aev_free, or
 * both NULL when no task came. On a real clock it waits up to wait_ms for a
 * task (AWS's long poll holds up to 60 s) and wakes as soon as one is
 * scheduled; on the manual clock it never waits. */
AEV_API int aev_activity_get_task(aev_activity *a, const char *worker_name,
                                  int64_t wait_ms, char **token,
                                  char **input);

#ifdef __cplusplus
}
#endif

#endif
