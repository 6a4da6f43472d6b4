/* Internal: what other primitives use of a function (topic subscriptions,
 * bus targets, state-machine Task states, stream and queue event-source
 * mappings): lookup, a non-blocking RequestResponse call with a completion
 * callback, and Event (asynchronous) invocation through the function's
 * internal queue with Lambda's retries and destinations. */
#ifndef AEV_FUNCTION_FUNCTION_H
#define AEV_FUNCTION_FUNCTION_H

#include <jansson.h>
#include <stddef.h>

#include "awsevents/function.h"

/* The outcome of one invocation, borrowed for the duration of the callback.
 * payload is the handler's result, or Lambda's error object
 * {"errorType", "errorMessage", ...} when function_error is not NULL
 * ("Unhandled": the handler failed or timed out). nomem: the error object
 * could not be built (out of memory), so the error is unknown; payload is
 * then "{}". */
typedef struct aev__invoke_result {
  const char *payload;
  size_t len;
  const char *function_error;
  int nomem;
  const char *request_id;
  const char *executed_version; /* "$LATEST" */
  /* What the handler streamed before the outcome: n_chunks chunks of
   * stream, chunk i ending at chunk_ends[i] (0 chunks: it streamed
   * nothing). A streamed success's payload is the whole stream. */
  const char *stream;
  const size_t *chunk_ends;
  size_t n_chunks;
  int64_t duration_ms; /* broker clock, handler start to outcome */
  int memory_mb;
} aev__invoke_result;

/* Called exactly once per accepted call, from the thread that completed
 * the invocation (a handler thread, or the scheduler's on a timeout), with
 * no library lock held. It must not block. */
typedef void (*aev__invoke_done_fn)(void *user, const aev__invoke_result *r);

/* By name or ARN (unqualified or :$LATEST). ResourceNotFoundException
 * (AEV_ERR_NOT_FOUND) otherwise. *out is a new reference: release it with
 * aev_function_release. */
int aev__function_find(aev_broker *b, const char *name_or_arn,
                       aev_function **out);

/* FunctionName in any of the forms Lambda's API reference lists: a name,
 * a partial "name:qualifier" or "ACCOUNT:function:name[:qualifier]", or an
 * ARN with or without a qualifier. buf (size bytes) receives the name or
 * ARN without its qualifier; *qualifier is the qualifier as written (a
 * pointer into buf) or NULL. An ARN of another region is
 * ResourceNotFoundException, as Lambda answers it. */
int aev__function_parse_qualified(aev_broker *b, const char *name,
                                  const char **qualifier, char *buf,
                                  size_t size);

/* aev__function_parse_qualified(), then the function: *out is a new
 * reference; *qualifier is NULL for none or $LATEST.
 * ResourceNotFoundException when there is no such function; the qualifier
 * is not checked here. */
int aev__function_find_qualified(aev_broker *b, const char *name,
                                 aev_function **out, const char **qualifier,
                                 char *buf, size_t size);
/* FunctionName of a CreateEventSourceMapping or an Update as the ARN the
 * mapping keeps and resolves for each batch (*arn, malloc'd): a
 * function's, or a version's or an alias's, which must exist
 * (ResourceNotFoundException); :$LATEST names the unqualified function. */
int aev__function_target_arn(aev_broker *b, const char *name, char **arn);
/* The same ARN whether or not such a function, version or alias exists
 * (ListEventSourceMappings' filter: Lambda keeps a deleted function's
 * mappings, listed under its name). */
int aev__function_arn_of(aev_broker *b, const char *name, char **arn);

/* AEV_OK when qualifier (NULL: the unqualified function) names one of f's
 * versions or aliases, else ResourceNotFoundException "Function not found:
 * ARN:QUALIFIER", as Invoke answers. Draws nothing from an alias's
 * routing. */
int aev__function_check_qualifier(aev_function *f, const char *qualifier);
/* The ARN a qualifier names (NULL: the unqualified function's), as
 * FunctionArn shows it, freed with free(); NULL when out of memory. */
char *aev__function_qualified_arn(const aev_function *f,
                                  const char *qualifier);

/* RequestResponse without blocking the caller, of qualifier (NULL: the
 * unqualified function; else a version or an alias, routed as Invoke
 * routes it): the handler runs on the handler pool; done(user, result)
 * follows, in no chain of requests (function/lineage.h). Called where a
 * chain is current, the invocation continues it. Fails at once, and done
 * is then never called, with ResourceNotFoundException (the function or
 * the qualifier is gone), TooManyRequestsException (AEV_ERR_THROTTLED:
 * reserved concurrency reached), RecursiveInvocationException
 * (AEV_ERR_LIMIT: a recursive loop stopped), RequestEntityTooLargeException
 * or InvalidRequestContentException. */
int aev__function_call(aev_function *f, const char *qualifier,
                       const void *payload, size_t len,
                       aev__invoke_done_fn done, void *user);
/* As aev__function_call, for an event-source mapping's batch. A durable
 * function invoked synchronously (by either) runs as a durable execution
 * whose close is the outcome; a mapping's is bounded by the synchronous
 * limit of 15 minutes where any other caller's is refused past it. */
int aev__function_call_mapped(aev_function *f, const char *qualifier, const void *payload,
                              size_t len, aev__invoke_done_fn done, void *user);

/* What a synchronous invocation answered (aev__function_invoke_sync),
 * owned by the caller until aev__sync_result_free. */
typedef struct aev__sync_result {
  char *payload; /* the result, or Lambda's error object */
  size_t len;
  const char *function_error; /* NULL, or "Unhandled" */
  /* The chunks streamed before the outcome (see aev__invoke_result):
   * stream is NULL where they are the payload itself (a success). */
  char *stream;
  size_t *chunk_ends;
  size_t n_chunks;
  char request_id[37];
  char executed_version[16];
  int64_t duration_ms;
  int memory_mb;
  char *durable_arn; /* a durable function's: the execution's ARN */
} aev__sync_result;

/* RequestResponse on the calling thread, as aev_function_invoke_qualified
 * (a durable function's: its durable execution, named durable_name, NULL
 * for a generated name, answered with its durable_arn);
 * streaming: the caller takes the handler's stream as it was written
 * (InvokeWithResponseStream), up to AEV__FN_STREAM_RESPONSE_MAX bytes,
 * instead of a buffered result of up to 6 MB. */
int aev__function_invoke_sync(aev_function *f, const char *qualifier, const char *durable_name,
                              const char *payload, size_t len, int streaming,
                              aev__sync_result *out);
void aev__sync_result_free(aev__sync_result *r);

/* Invoke's DryRun of qualifier (NULL: $LATEST): AEV_OK when it exists and
 * the payload is one Invoke takes; nothing runs. */
int aev__function_dry_run(aev_function *f, const char *qualifier,
                          const char *payload, size_t len);

/* The execution role (CreateFunction's Role) of the function, version or
 * alias name_or_arn names, as a malloc'd string; NULL when it has none, is
 * not found, or out of memory. */
char *aev__function_role(aev_broker *b, const char *name_or_arn);

/* Event invocation of the function name_or_arn names, in any of the forms
 * aev__function_parse_qualified takes: a version's or an alias's ARN runs
 * that version or alias (routed as Invoke routes it), as SNS subscriptions,
 * EventBridge targets and destinations invoke the function they name.
 * The event continues the current chain of requests, if any
 * (function/lineage.h). ResourceNotFoundException when the function or its
 * qualifier does not exist. */
int aev__function_event_to(aev_broker *b, const char *name_or_arn,
                           const void *payload, size_t len);

/* An event-source mapping's EventSourceMappingArn, which Lambda answers
 * beside its UUID: arn:PARTITION:lambda:REGION:ACCOUNT:event-source-mapping:
 * UUID, the mapped function's ARN giving everything before the resource.
 * NULL when out of memory. */
json_t *aev__esm_arn_json(const char *function_arn, const char *uuid);

/* ValidationException unless min <= v <= max (member as AWS names it in
 * the message: "timeout", "memorySize"); errors.c. Lambda's model checks, which
 * the stream's mappings apply too. */
int aev__fn_range(const char *member, long long v, long long min,
                  long long max);

/* esm_params.c: refuses (InvalidParameterValueException, as Lambda
 * words it) a CreateEventSourceMapping (update 0) or
 * UpdateEventSourceMapping (update 1) request member that the mapping's
 * kind of source does not take: the stream-only members on a queue
 * mapping, ScalingConfig and an OnSuccess destination on a stream mapping.
 * Absent and null members pass. */
enum { AEV__ESM_QUEUE = 1, AEV__ESM_STREAM = 2 };
int aev__esm_params_check(json_t *req, int kind, int update);

/* esm_tags.c: forgets the tags of an event-source mapping that is gone
 * (deleted, or deleted with its stream). */
void aev__esm_tags_drop(aev_broker *b, const char *uuid);

/* esm_run.c: a queue poller that hands its batches to another primitive
 * instead of a function (EventBridge Pipes reads SQS sources as Lambda's
 * mappings do: queue watch, batching window, filters deleting what they
 * reject). deliver gets the event ({"Records": [...]} in Lambda's SQS shape,
 * a malloc'd buffer it takes over when it answers AEV_OK) and then calls
 * done(done_user, r) exactly once, with no lock held: r->function_error
 * NULL deletes the batch's messages; otherwise they stay on the queue and
 * reappear after their visibility timeout (and follow its redrive policy).
 * A refusal (not AEV_OK) leaves them there too. On success the poller takes
 * patterns[0..npatterns) and q's reference is its own; release(user) runs
 * once when the poller is gone. */
struct aev__esm;
struct aev_queue;
typedef int (*aev__esm_sink_fn)(void *user, char *event, size_t len,
                                aev__invoke_done_fn done, void *done_user);
typedef struct aev__esm_sink {
  int batch_size, window_s;
  /* the response's batchItemFailures name the messages that failed */
  int report_failures;
  struct aev_pattern **patterns;
  int npatterns;
  aev__esm_sink_fn deliver;
  void *user;
  void (*release)(void *user);
} aev__esm_sink;
int aev__esm_sink_new(aev_broker *b, const char *queue_arn,
                      const aev__esm_sink *cfg, struct aev__esm **out);
/* Stops the poller (batches in flight still complete) and drops it. */
void aev__esm_sink_free(struct aev__esm *m);

/* filters.c: an event-source mapping's FilterCriteria checked as Lambda
 * checks it (an object with at most 5 Filters, each {"Pattern": text});
 * the patterns compiled so far are in patterns[0..*n) (freed by the
 * caller, on failure too). InvalidParameterValueException otherwise. */
struct aev_pattern;
int aev__fn_filter_criteria(json_t *fc, struct aev_pattern *patterns[5],
                            int *n);

#endif
