/* Internal to lib/function: Lambda durable functions, service side. A
 * durable execution (durable.c) is started by any invocation of a function
 * whose configuration has a DurableConfig (asynchronous ones through
 * aev__durable_event, synchronous ones through aev__durable_call); the
 * service invokes the handler with the durable invocation input, applies
 * its checkpoints (durable_checkpoint.c), completes waits, step retries
 * and callbacks on the broker clock, and re-invokes the handler to replay.
 * Fields below `mu` are guarded by it. */
#ifndef AEV_FUNCTION_DURABLE_H
#define AEV_FUNCTION_DURABLE_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "core/sched.h"
#include "function/function_impl.h"

/* Lambda developer guide, "Configure Lambda durable functions": the
 * execution timeout bounds the whole execution; history is kept
 * RetentionPeriodInDays (14 by default, SAM's DurableConfig) after it
 * closes. */
#define AEV__DURABLE_RETENTION_DAYS 14
/* "Synchronous invocations are limited to 15 minutes" (developer guide,
 * "Invoking durable Lambda functions"). */
#define AEV__DURABLE_SYNC_MAX_S 900
/* An event-source mapping's execution: "15 minutes by default, or up to 90
 * minutes for functions running on Lambda Managed Instances" (developer
 * guide, "Event source mappings with durable functions"). */
#define AEV__DURABLE_MAPPING_MANAGED_MAX_S AEV__FN_MANAGED_TIMEOUT_MAX
/* API reference: an ErrorObject's fields together, and a callback's
 * Result, at most 256 KB; an operation's Payload at most 6 MB. */
#define AEV__DURABLE_ERROR_MAX 262144
#define AEV__DURABLE_PAYLOAD_MAX 6291456

enum { AEV__DX_RUNNING, AEV__DX_SUCCEEDED, AEV__DX_FAILED, AEV__DX_TIMED_OUT,
       AEV__DX_STOPPED };

/* An operation: its Operation shape as Lambda answers it, and when the
 * service changes it next (a wait's end, a step's next attempt, a
 * callback's timeout or heartbeat timeout; deadline timeline ms, -1:
 * never). */
typedef struct aev__dop {
  json_t *o;
  int64_t due, hb_due;
  int64_t hb_s; /* HeartbeatTimeoutSeconds, 0: none */
} aev__dop;

/* A synchronous invoker waiting for an execution to close. */
typedef struct aev__dwaiter {
  struct aev__dwaiter *next;
  aev__invoke_done_fn done;
  void *user;
} aev__dwaiter;

typedef struct aev__dexec {
  _Atomic long refs;
  struct aev__dexec *next; /* the store's list (its lock) */
  aev_broker *b;           /* borrowed: the store lives in b's registry */
  char *arn, *name, *function_arn, *function_name;
  char version[16];   /* "$LATEST" or a version number */
  char *input;        /* the input payload's text */
  char request_id[37]; /* the synchronous start's, told its waiters */
  int memory_mb;
  int64_t timeout_s;
  int retention_days;
  int64_t start_ms;   /* epoch ms */
  pthread_mutex_t mu;
  int status;
  int64_t end_ms;
  json_t *result;     /* a string, or NULL */
  json_t *error;      /* an ErrorObject, or NULL */
  aev__dop *ops;      /* in start order, EXECUTION first */
  size_t nops, cap;
  json_t *events;     /* the history, in order */
  json_t *news;       /* ids of operations the service changed since the
                       * handler last heard (an array) */
  char token[49];     /* the current CheckpointToken; "" when none */
  /* The last checkpoint that carried a ClientToken: that token, the
   * CheckpointToken it consumed, its answer and when (deadline ms). */
  char *client_token;
  char client_used[49];
  json_t *client_answer;
  int64_t client_at;
  int invoking;       /* an invocation is in flight */
  int64_t inv_start_ms;
  int removed;        /* expired or dropped from the store */
  /* A chained invoke's child: the parent (counted) and its operation,
   * told when this execution closes (durable_chained.c). */
  struct aev__dexec *parent;
  char *parent_op;
  aev__dwaiter *waiters; /* told of the close, from a task of its own */
  aev__timer wake;    /* the earliest operation due */
  aev__timer end;     /* the execution timeout, then the retention end */
} aev__dexec;

void aev__dexec_ref(aev__dexec *e);
void aev__dexec_unref(aev__dexec *e);

/* durable_config.c: checks the DurableConfig of a CreateFunction (base
 * NULL) or UpdateFunctionConfiguration request req and sets it in doc:
 * a function is made durable only at creation. */
int aev__durable_config_parse(json_t *req, const json_t *base_doc, json_t *doc);
/* The DurableConfig of a configuration snapshot (borrowed), or NULL. */
json_t *aev__durable_config_of(const aev__fconf *c);

/* durable.c: DurableExecutionName (NULL: none) of an Invoke of f, which
 * is durable or not: its pattern, and only for a durable function. */
int aev__durable_name_check(const char *name, int durable);
/* The asynchronous start: Invoke Event of a durable function (f,
 * qualifier as Invoke names them; name checked). *resp is Invoke's answer
 * with its DurableExecutionArn. */
int aev__durable_event(aev_function *f, const char *qualifier, const char *name,
                       const char *payload, size_t len, json_t **resp);
/* The one synchronous start, for every synchronous invoker (Invoke
 * RequestResponse, the typed invoke, InvokeWithResponseStream,
 * event-source mappings, Step Functions, pipes): starts (or, by its name,
 * joins) a durable execution of f and returns at once; done(user, r)
 * follows once it closes, from a task of its own, with what Invoke
 * answers: its Result, or its error as a function error. Past the
 * synchronous limit of 15 minutes an ExecutionTimeout is refused, or with
 * AEV__CALL_MAPPING in flags bounds the execution at that limit. *out
 * (NULL: not wanted) is a new reference, for aev__durable_detach. On
 * failure done is never called. */
int aev__durable_call(aev_function *f, const char *qualifier, const char *name, int flags,
                      const char *payload, size_t len, aev__invoke_done_fn done, void *user,
                      aev__dexec **out);
/* The waiter user gives up (a caller that must not block); 1 when it was
 * still waiting, 0 when its done has been or is being called. */
int aev__durable_detach(aev__dexec *e, void *user);
/* The execution arn names (new reference); ResourceNotFoundException. */
int aev__durable_find(aev_broker *b, const char *arn, aev__dexec **out);
/* The executions of the function named function_name whose version is
 * version (NULL: any), oldest first: new references in an array freed
 * with free(). */
int aev__durable_list(aev_broker *b, const char *function_name, const char *version,
                      aev__dexec ***out, size_t *n);
/* StopDurableExecution (error: an ErrorObject or NULL). */
int aev__durable_stop(aev__dexec *e, json_t *error, int64_t *stopped_ms);
/* A callback's completion: kind 0 success (result: a string), 1 failure
 * (error), 2 heartbeat. */
int aev__durable_callback(aev_broker *b, const char *callback_id, int kind,
                          json_t *result, json_t *error);

/* mu held: closes a running execution, records its event, starts its
 * retention; the caller unlocks. */
void aev__dexec_close_locked(aev__dexec *e, int status, json_t *result, json_t *error);
/* mu held: the operation id, or NULL. */
aev__dop *aev__dexec_op_locked(aev__dexec *e, const char *id);
/* mu held: adds an operation (o stolen); NULL when out of memory. */
aev__dop *aev__dexec_add_op_locked(aev__dexec *e, json_t *o);
/* mu held: appends a history event of type for operation o (NULL: the
 * execution's), with its details member (stolen, may be NULL). */
void aev__dexec_event_locked(aev__dexec *e, const char *type, json_t *o,
                             json_t *details);
/* mu held: re-arms the wake timer for the earliest due operation. */
void aev__dexec_rearm_locked(aev__dexec *e);
/* durable_invoke.c: starts an invocation unless one is in flight or the
 * execution closed (mu not held). */
void aev__dexec_invoke(aev__dexec *e);
/* Epoch seconds of epoch ms, as Lambda's timestamps are carried. */
json_t *aev__dx_time(int64_t ms);
int64_t aev__dexec_now_ms(aev__dexec *e);
int64_t aev__dexec_mono(aev__dexec *e);
const char *aev__dx_status_name(int status);

/* durable.c: starts a durable execution of f (qualifier as Invoke names
 * it) whose close is reported to parent's operation op_id; *out is a new
 * reference. */
int aev__durable_start_child(aev_function *f, const char *qualifier, const char *payload,
                             size_t len, aev__dexec *parent, const char *op_id,
                             aev__dexec **out);

/* durable_chained.c: runs the CHAINED_INVOKE operation op_id of e (mu not
 * held), invoking function with payload; its outcome completes the
 * operation and wakes e. A durable function runs as a child execution. */
void aev__durable_chain(aev__dexec *e, const char *op_id, const char *function,
                        const char *payload);
/* A child execution closed (posted by close): completes its parent's
 * operation. */
void aev__durable_child_closed(void *arg, int cancelled);

/* durable_checkpoint.c: CheckpointDurableExecution: token checked and
 * consumed, updates applied all or nothing; *resp is the answer. A retry
 * with the ClientToken (NULL: none) of the last checkpoint, within 15
 * minutes, answers that checkpoint's answer again. */
int aev__durable_checkpoint(aev__dexec *e, const char *token, const char *client_token,
                            json_t *updates, json_t **resp);
/* mu held: the service's own changes that are due (waits ended, steps
 * ready, callbacks timed out); 1 when one happened. */
int aev__durable_due_locked(aev__dexec *e);
/* An ErrorObject (o) checked: an object of strings (StackTrace an array
 * of strings) within AEV__DURABLE_ERROR_MAX bytes together. */
int aev__durable_error_check(json_t *o, const char *member);

/* durable_json.c: the answers. */
json_t *aev__durable_describe(aev__dexec *e);  /* GetDurableExecution */
json_t *aev__durable_summary(aev__dexec *e);   /* a ListDurableExecutions item */
/* mu held: a page of the operations a replay reads (GetDurableExecutionState
 * and the invocation input), from position from: the children of a
 * completed operation are left out unless its ContextDetails.ReplayChildren
 * is true. NULL when out of memory. */
json_t *aev__durable_ops_page_locked(aev__dexec *e, size_t from, size_t max);
/* GetDurableExecutionHistory's Events page. */
json_t *aev__durable_history(aev__dexec *e, int data, int reverse, size_t from,
                             size_t max, size_t *total);

#endif
