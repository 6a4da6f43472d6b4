/*
 * libawsevents — Lambda-style functions.
 *
 * A function is a named handler that the application registers: a C
 * callback receiving the event as JSON text and an invocation context. The
 * handler finishes by calling aev_invocation_succeed() or
 * aev_invocation_fail() on the context, before it returns or later from any
 * thread, exactly once per invocation. Handlers run on the broker's handler
 * pool (asynchronous invocations, event-source mappings) or on the calling
 * thread (aev_function_invoke), never with a library lock held.
 *
 * Invocation types, as Lambda's Invoke:
 *  - RequestResponse (aev_function_invoke): waits for the result; a function
 *    error still succeeds (AEV_OK) and reports FunctionError "Unhandled"
 *    with Lambda's error object {"errorType", "errorMessage", ...} as the
 *    payload. A result over 6291556 bytes (6 MB + 100) is replaced by the
 *    function error "Function.ResponseSizeTooLarge", as Lambda does. Above
 *    the reserved concurrency: AEV_ERR_THROTTLED with
 *    TooManyRequestsException.
 *  - Event (aev_function_invoke_event): queued internally; function errors
 *    are retried MaximumRetryAttempts times (default 2) one minute, then two
 *    minutes apart; throttled events are retried with backoff (1 s doubling
 *    to 5 min) until MaximumEventAgeInSeconds (default 21600); the outcome
 *    goes to the OnSuccess / OnFailure destination or the DLQ.
 *  - DryRun (aev_function_invoke_dry_run): checks access only.
 *
 * Recursive loop detection, as Lambda's ("Use Lambda recursive loop
 * detection to prevent infinite loops"): what a handler sends to a queue,
 * publishes to a topic or invokes (either type) from its own thread during
 * its call — init hook included, not from other threads or after it
 * returns — belongs to its invocation's chain of requests, and so do the
 * invocations that follow from it through SQS (event-source mappings), SNS
 * (lambda subscriptions, and sqs ones feeding a mapping) and Lambda
 * (Invoke, destinations). Other services (EventBridge, Step Functions,
 * Kinesis, Pipes) start a new chain, as Lambda detects no loop through
 * them. Once a chain has invoked a function 16 times, its next invocation
 * of that function is stopped and handled as a failure: Invoke fails with
 * AEV_ERR_LIMIT (RecursiveInvocationException); an Event invocation goes
 * to the OnFailure destination (condition "RecursiveInvocationException",
 * statusCode 400) or the DLQ (ErrorCode 400), else is dropped; a mapping's
 * batch is left on its queue, received again after its visibility timeout
 * and stopped again until the redrive policy moves it to the dead-letter
 * queue. Each function has its own count; PutFunctionRecursionConfig with
 * RecursiveLoop "Allow" (through aev_call) turns stopping off for it. The
 * chain is kept with queue messages and notifications, never shown.
 *
 * Timeouts: an invocation that has not completed Timeout seconds (broker
 * clock) after it started is reported as Lambda reports a timeout
 * (errorType "Sandbox.Timedout"). The library cannot stop a thread, so the
 * handler keeps running; it must still complete the context, and its late
 * result is discarded.
 *
 * Configuration members use CreateFunction's names: Timeout (1..900,
 * default 3; 1..5400 on a capacity provider, where a synchronous
 * invocation still stops at 900 s), MemorySize (128..10240, default 128),
 * Description, Environment {"Variables": {...}}, Runtime, Handler
 * (recorded).
 *
 * The deployment package is metadata: the handler is the code that runs.
 * CreateFunction's Code and PackageType (Zip, the default, or Image) are
 * checked as aev_function_update_code checks UpdateFunctionCode's members
 * and reported as Lambda reports them: CodeSha256 and CodeSize in every
 * configuration, GetFunction's Code {RepositoryType "S3", Location} (a
 * URL that names the package but serves nothing: its bytes are not kept)
 * or, for an image, {RepositoryType "ECR", ImageUri, ResolvedImageUri}
 * (the tag resolved to a stand-in digest, the SHA-256 of the URI; no
 * registry is consulted). ImageConfig (EntryPoint, Command,
 * WorkingDirectory) is recorded and answered as ImageConfigResponse. Code.S3Bucket names the directory ./BUCKET, as
 * a Firehose bucket does, and S3Key a file in it, which must exist
 * (Lambda's GetObject errors otherwise). A function created without Code
 * has the empty package: CodeSize 0 and the SHA-256 of no bytes.
 *
 * A NULL broker, function, invocation context or required out-pointer
 * fails with AEV_ERR_INVALID (InvalidParameterValueException, "Missing
 * argument."); only arguments a call's comment calls optional may be NULL.
 */
#ifndef AWSEVENTS_FUNCTION_H
#define AWSEVENTS_FUNCTION_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_function aev_function;
typedef struct aev_invocation aev_invocation;

/* A handler: event is the payload's JSON text (len bytes, NUL-terminated),
 * valid until the invocation completes. Complete ctx exactly once. */
typedef void (*aev_handler_fn)(void *user, aev_invocation *ctx,
                               const char *event, size_t len);

/* Optional init hook: runs once per execution environment, before the
 * first invocation it serves (a cold start), on the same thread. */
typedef void (*aev_init_fn)(void *user, const aev_invocation *ctx);

/* Creates function name (1..64 of [A-Za-z0-9-_]) with config_json
 * (CreateFunction's members, may be NULL: its Code and Layers are checked
 * as CreateFunction checks them, the package and the layers within
 * 262144000 bytes unzipped together; CodeSigningConfigArn names an
 * existing code signing configuration the function then uses, whose
 * Enforce policy refuses a Code package or Layers, since nothing is signed
 * here: CodeVerificationFailedException) and handler fn. release(user) is
 * called once after the function is deleted or the broker destroyed and
 * its last invocation returned; never if creation fails.
 * ResourceConflictException when the name exists. *out: a handle (release
 * with aev_function_release), or pass NULL to keep none. */
AEV_API int aev_function_create(aev_broker *b, const char *name,
                                const char *config_json, aev_handler_fn fn,
                                void *user, aev_release_fn release,
                                aev_function **out);

/* Registers handler fn under name for CreateFunction requests made through
 * aev_call (its Handler member names the registration; for PackageType
 * Image, which Lambda creates without Handler, ImageConfig.Command[0]
 * does when Handler is absent). release(user) runs
 * once when the broker is destroyed. ResourceConflictException when the
 * name is registered already. */
AEV_API int aev_handler_register(aev_broker *b, const char *name,
                                 aev_handler_fn fn, void *user,
                                 aev_release_fn release);

/* Sets the init hook (NULL removes it). */
AEV_API int aev_function_set_init(aev_function *f, aev_init_fn init);

/* By name or (unqualified or $LATEST-qualified) ARN;
 * ResourceNotFoundException otherwise. */
AEV_API int aev_function_get(aev_broker *b, const char *name_or_arn,
                             aev_function **out);
AEV_API void aev_function_release(aev_function *f);
/* DeleteFunction: later calls answer ResourceNotFoundException; queued
 * async events are dropped. */
AEV_API int aev_function_delete(aev_function *f);

AEV_API const char *aev_function_name(const aev_function *f);
AEV_API const char *aev_function_arn(const aev_function *f);

/* GetFunctionConfiguration's shape (FunctionName, FunctionArn, Timeout,
 * MemorySize, Environment, LastModified, State, ...). Free with aev_free. */
AEV_API int aev_function_configuration(aev_function *f, char **json);

/* UpdateFunctionConfiguration: the members given replace the current
 * (Layers checked as CreateFunction's). With "RevisionId", only when it
 * names the current configuration's
 * (PreconditionFailedException otherwise, nothing changed); each
 * configuration gets a new RevisionId. */
AEV_API int aev_function_update_configuration(aev_function *f,
                                              const char *config_json);

/* UpdateFunctionCode with its members in JSON (request_json): exactly one
 * package source -- ZipFile (the .zip archive in base64), S3Bucket and
 * S3Key (S3ObjectVersion accepted and unused: the object is the file
 * ./S3Bucket/S3Key), or ImageUri for a function of PackageType Image --
 * and optionally Architectures (["x86_64"] or ["arm64"]), RevisionId
 * (PreconditionFailedException unless it is $LATEST's), DryRun (checks
 * everything, changes nothing, answers the configuration it would make)
 * and Publish (then publishes a version, see
 * aev_function_publish_version, and answers it). Packages are checked as
 * Lambda checks them, InvalidParameterValueException otherwise: "Could
 * not unzip uploaded file. ..." for bytes that are no .zip archive,
 * "Uploaded file must be a non-empty zip", "Unzipped size must be smaller
 * than 262144000 bytes"; a ZipFile over 50 MB is
 * RequestEntityTooLargeException (AEV_ERR_LIMIT: "Zipped size must be
 * smaller than 52428800 bytes", or "Request must be smaller than 70167211
 * bytes for the ... operation" when its base64 text is longer than
 * Lambda's request limit); a missing object is
 * "Error occurred while GetObject. S3 Error Code: NoSuchKey. ...". The
 * handler stays bound (it is the code that runs); the configuration gets
 * the package's CodeSha256 (base64 of its SHA-256) and CodeSize, a new
 * RevisionId and LastModified, and counts as a change for PublishVersion.
 * A refused update changes nothing. *json (may be NULL): the answer,
 * GetFunctionConfiguration's shape; free with aev_free. */
AEV_API int aev_function_update_code(aev_function *f, const char *request_json,
                                     char **json);

/* PutFunctionConcurrency (0 throttles every invocation) and
 * DeleteFunctionConcurrency (reserved = -1). A reservation is set aside
 * from the account's limit: InvalidParameterValueException when fewer than
 * 100 concurrent executions would stay unreserved. */
AEV_API int aev_function_set_reserved_concurrency(aev_function *f,
                                                  int reserved);
/* GetFunctionConcurrency: the reservation (0 or more), or -1 when the
 * function has none, which includes a deleted function (it gave its
 * reservation back) and a NULL handle. Not a status: this call does not
 * fail. */
AEV_API int aev_function_reserved_concurrency(aev_function *f);

/* PutProvisionedConcurrencyConfig on a published version or an alias
 * (qualifier; $LATEST is refused as Lambda refuses it): n environments are
 * initialised ahead (the init hook runs for each) so invocations of that
 * version within n start warm. Status IN_PROGRESS until allocated, 60 s
 * later on the broker clock, then READY. The function's provisioned
 * concurrency (all its versions and aliases) must fit in its reserved
 * concurrency when it has one, and is set aside there: invocations that
 * find no idle provisioned environment share only the rest of the
 * reservation (all of it provisioned throttles $LATEST); otherwise
 * Lambda takes it from the
 * account's unreserved pool, and InvalidParameterValueException refuses a
 * request that would leave fewer than 100 there. */
AEV_API int aev_function_put_provisioned_concurrency(aev_function *f,
                                                     const char *qualifier,
                                                     int n);
/* GetProvisionedConcurrencyConfig's shape; free with aev_free.
 * ProvisionedConcurrencyConfigNotFoundException when none exists.
 * Get and Delete refuse $LATEST (InvalidParameterValueException) and
 * answer ResourceNotFoundException for a version or alias that does not
 * exist; Delete of a version or alias without a configuration succeeds. */
AEV_API int aev_function_provisioned_concurrency(aev_function *f,
                                                 const char *qualifier,
                                                 char **json);
AEV_API int aev_function_delete_provisioned_concurrency(aev_function *f,
                                                        const char *qualifier);

/* The account's concurrency limit for every function of broker b (AWS's
 * default 1,000; raise it as AWS raises the quota per account). Functions
 * without reserved concurrency share the limit minus all reservations;
 * beyond it, invocations are throttled (TooManyRequestsException for sync
 * calls, retried for Event ones). InvalidParameterValueException when the
 * limit would leave fewer than 100 unreserved. */
AEV_API int aev_function_set_account_concurrency(aev_broker *b, int limit);
/* GetAccountSettings' answer: {"AccountLimit": {"TotalCodeSize",
 * "CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions",
 * "UnreservedConcurrentExecutions"}, "AccountUsage": {"TotalCodeSize",
 * "FunctionCount"}}, the usage counting every function's packages
 * ($LATEST and published versions) and every layer version's. Free with
 * aev_free. */
AEV_API int aev_function_account_settings(aev_broker *b, char **json);

/* PublishLayerVersion with its members in JSON (LayerName, Content as
 * CreateFunction's Code: ZipFile or S3Bucket + S3Key, Description,
 * CompatibleRuntimes, CompatibleArchitectures, LicenseInfo). *json (may be
 * NULL) receives the layer version: Content {CodeSha256, CodeSize,
 * Location}, LayerArn, LayerVersionArn, Version (1, 2, ... per layer,
 * never reused), CreatedDate. Functions name it in their Layers. Free with
 * aev_free. */
AEV_API int aev_function_publish_layer_version(aev_broker *b, const char *request_json,
                                               char **json);
/* ListLayerVersions of layer_name (a name or its ARN): {"LayerVersions":
 * [...]}, newest first; with layer_name NULL, ListLayers: {"Layers":
 * [{LayerName, LayerArn, LatestMatchingVersion}]}. At most 50 (the
 * default page; aev_call's ListLayers / ListLayerVersions page with
 * Marker and MaxItems and filter by CompatibleRuntime and
 * CompatibleArchitecture). Free with aev_free. */
AEV_API int aev_function_list_layer_versions(aev_broker *b, const char *layer_name,
                                             char **json);

/* PutFunctionEventInvokeConfig's members: MaximumRetryAttempts (0..2),
 * MaximumEventAgeInSeconds (60..21600), DestinationConfig {OnSuccess:
 * {Destination: ARN}, OnFailure: {...}} with queue, topic, event bus or
 * function ARNs of this broker (a bus gets Lambda's "Lambda Function
 * Invocation Result - Success" / "- Failure" event from source "lambda").
 * Replaces the whole configuration. */
AEV_API int aev_function_put_event_invoke_config(aev_function *f,
                                                 const char *config_json);
/* GetFunctionEventInvokeConfig's shape; ResourceNotFoundException when
 * none was put. */
AEV_API int aev_function_event_invoke_config(aev_function *f, char **json);

/* Sets (ARN of a queue or a topic) or clears (NULL)
 * DeadLetterConfig.TargetArn. */
AEV_API int aev_function_set_dead_letter_target(aev_function *f,
                                                const char *arn);

/* RequestResponse. On AEV_OK *result (free with aev_free; NUL-terminated,
 * *result_len bytes; result_len and function_error may be NULL, result may
 * not: AEV_ERR_INVALID before anything runs) is the handler's result or
 * Lambda's error object, and *function_error is NULL or a static string
 * ("Unhandled") when the function failed. Blocks until the handler
 * completes or times out; under a manual clock a timeout needs another
 * thread to advance the clock. AEV_ERR_NOMEM: out of memory before the
 * handler ran (nothing happened), or for the copy of its result (it ran,
 * as when Lambda's response is lost after the function ran). */
AEV_API int aev_function_invoke(aev_function *f, const char *payload,
                                size_t len, char **result, size_t *result_len,
                                const char **function_error);

/* RequestResponse of a version or an alias: qualifier is NULL or
 * "$LATEST", a published version number, or an alias name (whose weighted
 * routing may pick its additional version). executed_version (16 bytes, may
 * be NULL) receives the version that ran. ResourceNotFoundException for an
 * unknown qualifier. */
AEV_API int aev_function_invoke_qualified(aev_function *f,
                                          const char *qualifier,
                                          const char *payload, size_t len,
                                          char **result, size_t *result_len,
                                          const char **function_error,
                                          char *executed_version);

/* Event: queues the payload and returns; the request id is written to
 * request_id (37 bytes) when not NULL. */
AEV_API int aev_function_invoke_event(aev_function *f, const char *payload,
                                      size_t len, char *request_id);

/* Event of a version or an alias (see aev_function_invoke_qualified). */
AEV_API int aev_function_invoke_event_qualified(aev_function *f,
                                                const char *qualifier,
                                                const char *payload,
                                                size_t len, char *request_id);

/* ---- versions and aliases ---- */

/* PublishVersion: freezes the current configuration as the next version
 * number (nothing new when neither $LATEST's code nor its configuration
 * changed since the last one).
 * description NULL: the function's own Description. *json (may be NULL):
 * its configuration, Version "N". */
AEV_API int aev_function_publish_version(aev_function *f,
                                         const char *description, char **json);
/* ListVersionsByFunction's shape {"Versions": [...]}, $LATEST first (its
 * FunctionArn qualified with $LATEST; no State members, as AWS lists). */
AEV_API int aev_function_list_versions(aev_function *f, char **json);
/* DeleteFunction with a version number: deletes version n alone (its
 * number is not given out again), with its resource policy, event invoke
 * config and provisioned concurrency. AEV_ERR_EXISTS
 * (ResourceConflictException) while an alias points at it; a version that
 * does not exist counts as deleted; n < 1 ($LATEST) is AEV_ERR_INVALID. */
AEV_API int aev_function_delete_version(aev_function *f, int n);

/* CreateAlias: name (not all digits) points at version ("$LATEST" or a
 * published number); routing_json (may be NULL) is RoutingConfig,
 * {"AdditionalVersionWeights": {"N": 0.0..1.0}} with one published version.
 * Outputs are AWS's AliasConfiguration shape. */
AEV_API int aev_function_create_alias(aev_function *f, const char *name,
                                      const char *version,
                                      const char *description,
                                      const char *routing_json, char **json);
/* UpdateAlias: version and routing_json may be NULL (unchanged). */
AEV_API int aev_function_update_alias(aev_function *f, const char *name,
                                      const char *version,
                                      const char *routing_json, char **json);
AEV_API int aev_function_get_alias(aev_function *f, const char *name,
                                   char **json);
AEV_API int aev_function_delete_alias(aev_function *f, const char *name);
/* ListAliases' shape {"Aliases": [...]}, oldest first. */
AEV_API int aev_function_list_aliases(aev_function *f, char **json);

/* DryRun: AEV_OK when the function exists and the payload is valid. */
AEV_API int aev_function_invoke_dry_run(aev_function *f, const char *payload,
                                        size_t len);

/* Counters as a JSON object: Invocations, Errors, Throttles, ColdStarts,
 * ConcurrentExecutions (now), Duration (sum, ms), Environments (now),
 * AsyncEventsDropped, DestinationDeliveryFailures,
 * RecursiveInvocationsDropped (invocations stopped as a recursive loop),
 * SignatureValidationErrors (packages or layers deployed under a code
 * signing configuration's Warn policy: nothing is signed here).
 * Free with aev_free. */
AEV_API int aev_function_metrics(aev_function *f, char **json);

/* Execution environments idle longer than ms (broker clock) are reclaimed
 * (default 300000, i.e. 5 minutes). */
AEV_API int aev_function_set_idle_reclaim_ms(aev_function *f, int64_t ms);

/* ---- the invocation context (Lambda's context object) ---- */

/* Completes with a JSON result (len bytes, copied; NULL: "null", or after
 * aev_invocation_stream_write nothing more). A second completion, or one
 * after a timeout, is ignored (AEV_ERR_STATE). */
AEV_API int aev_invocation_succeed(aev_invocation *ctx, const char *json,
                                   size_t len);
/* Sends len bytes (copied) of the response as one chunk, before the
 * invocation completes: the response streaming of a Node.js handler
 * wrapped in awslambda.streamifyResponse(), whose responseStream.write()
 * this is (Lambda developer guide, "Writing response streaming-enabled
 * Lambda functions"). A caller of InvokeWithResponseStream receives each
 * chunk as one PayloadChunk event, in the order written; every other
 * caller (Invoke, asynchronous invocations, event sources, Step
 * Functions) receives the chunks joined into one buffered result, as
 * Lambda buffers a streaming function's response for them. End the stream
 * with aev_invocation_succeed (json NULL: nothing more; else one last
 * chunk) or fail it (aev_invocation_fail: the chunks sent stay sent).
 * Any thread may write while the invocation runs; len 0 sends nothing.
 * A response may reach 200 MB for a caller that takes the stream, 6 MB
 * (+ 100 bytes) for the others: the write that would pass it ends the
 * invocation with Lambda's Function.ResponseSizeTooLarge error and
 * returns AEV_ERR_LIMIT. After the outcome (completion or timeout) a write
 * is refused with AEV_ERR_STATE. */
AEV_API int aev_invocation_stream_write(aev_invocation *ctx, const void *data,
                                        size_t len);
/* Completes with a function error: errorType, errorMessage. */
AEV_API int aev_invocation_fail(aev_invocation *ctx, const char *error_type,
                                const char *message);
/* Completes with a function error given as Lambda's whole error object
 * (errorType, errorMessage, stackTrace, ...) in JSON; text that is not a
 * JSON object becomes errorMessage of an "Unhandled" error. */
AEV_API int aev_invocation_fail_json(aev_invocation *ctx, const char *json,
                                     size_t len);

/* Lambda's context fields; strings valid while the invocation runs. The
 * function ARN is the one the invoker used: with the version or alias it
 * named, else unqualified. */
AEV_API const char *aev_invocation_request_id(const aev_invocation *ctx);
AEV_API const char *aev_invocation_function_name(const aev_invocation *ctx);
AEV_API const char *aev_invocation_function_version(const aev_invocation *ctx);
AEV_API const char *aev_invocation_function_arn(const aev_invocation *ctx);
AEV_API int aev_invocation_memory_mb(const aev_invocation *ctx);
AEV_API const char *aev_invocation_log_group(const aev_invocation *ctx);
AEV_API const char *aev_invocation_log_stream(const aev_invocation *ctx);
/* Milliseconds left before the timeout, on the broker clock (>= 0). */
AEV_API int64_t aev_invocation_remaining_ms(const aev_invocation *ctx);
/* An environment variable of the function's configuration, or NULL. */
AEV_API const char *aev_invocation_env(const aev_invocation *ctx,
                                       const char *name);

/* ---- event-source mappings from queues ---- */

/* CreateEventSourceMapping with its members (EventSourceArn of a queue,
 * FunctionName, BatchSize, MaximumBatchingWindowInSeconds, Enabled,
 * FunctionResponseTypes, FilterCriteria, ScalingConfig) in JSON. *json
 * (may be NULL) receives the mapping's description; its UUID identifies it.
 * FunctionName may name a version or an alias (NAME:QUALIFIER or its ARN;
 * :$LATEST is the unqualified function), which must exist: the mapping
 * invokes it (an alias as Invoke routes it) and answers its ARN as
 * FunctionArn. EventSourceArn may also be a Kinesis stream's ARN, or the
 * ARN of one of its ACTIVE enhanced fan-out consumers
 * (stream/NAME/consumer/CONSUMER:TIMESTAMP), which maps the stream read
 * through that consumer and is answered as the mapping's EventSourceArn;
 * a missing or not yet ACTIVE consumer is InvalidParameterValueException. */
AEV_API int aev_event_source_mapping_create(aev_broker *b,
                                            const char *request_json,
                                            char **json);
/* GetEventSourceMapping / UpdateEventSourceMapping / DeleteEventSourceMapping
 * by UUID (an update's FunctionName moves the mapping to that function,
 * version or alias, which must exist); ListEventSourceMappings (filters
 * FunctionName, EventSourceArn may be NULL; a FunctionName lists the
 * mappings of that function and qualifier only, by its ARN, whether or not
 * it still exists). Outputs are AWS's response shapes, freed with
 * aev_free.
 *
 * A mapping outlives its function, as Lambda's do: deleting the function
 * leaves its mappings listed, readable, updatable and deletable. While no
 * function (or version, or alias) of the mapping's FunctionArn exists, each
 * batch fails and the mapping answers LastProcessingResult "PROBLEM:
 * Function not found."; the messages stay on the queue, reappear after
 * their visibility timeout and follow its redrive policy. A function
 * created again under that name is invoked from the next batch on. */
AEV_API int aev_event_source_mapping_get(aev_broker *b, const char *uuid,
                                         char **json);
AEV_API int aev_event_source_mapping_update(aev_broker *b,
                                            const char *request_json,
                                            char **json);
AEV_API int aev_event_source_mapping_delete(aev_broker *b, const char *uuid,
                                            char **json);
AEV_API int aev_event_source_mapping_list(aev_broker *b,
                                          const char *function_name,
                                          const char *event_source_arn,
                                          char **json);

#ifdef __cplusplus
}
#endif
#endif
