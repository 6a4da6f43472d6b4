/*
 * libawsevents — Amazon EventBridge Pipes: point-to-point integrations
 * from a source through optional filtering, enrichment and input
 * transformation to a target.
 *
 * A pipe reads its source with the same pollers Lambda's event-source
 * mappings use. An SQS queue (SqsQueueParameters): a queue watch, never a
 * polling timer; up to BatchSize messages, waiting up to
 * MaximumBatchingWindowInSeconds for a batch to fill; records that no
 * FilterCriteria pattern matches are deleted from the queue, and a batch
 * that fails (the enrichment or the target fails) is left on the queue:
 * its messages reappear after their visibility timeout and follow the
 * queue's redrive policy. A Kinesis stream (KinesisStreamParameters:
 * StartingPosition, BatchSize, MaximumBatchingWindowInSeconds,
 * ParallelizationFactor, MaximumRetryAttempts, MaximumRecordAgeInSeconds,
 * OnPartialBatchItemFailure AUTOMATIC_BISECT, DeadLetterConfig): records
 * that do not match are skipped, a failed batch is retried with backoff,
 * then sent to the DeadLetterConfig queue or topic (as Lambda's OnFailure
 * record) and passed; a stopped pipe keeps its place in each shard.
 *
 * The records that pass (SQS: Lambda's record shape; Kinesis: Lambda's
 * record with its "kinesis" members brought up, as the Pipes User Guide
 * shows them) go, as a JSON array, to the Enrichment, invoked
 * synchronously: a Lambda function, or an EXPRESS state machine (or a
 * version or alias of one; a STANDARD one is refused at CreatePipe /
 * UpdatePipe), whose answer (an array, or one value; a SUCCEEDED
 * execution's output) becomes the events for the target; a failed
 * invocation or a FAILED / TIMED_OUT / ABORTED execution fails the batch;
 * an empty answer ("", {}, [] or null) leaves nothing for the target. An
 * EventBridge API destination (events' CreateApiDestination) serves as
 * enrichment or target too: it takes no batch (BatchSize is 1, a larger
 * one refused), each event is one request built as a rule target's is
 * (aev_endpoint_register stands for the endpoint) with
 * EnrichmentParameters / TargetParameters HttpParameters (PathParameterValues,
 * HeaderParameters, QueryStringParameters, static or "$.path" into the
 * event) under the connection's authorization and parameters, which win;
 * a 2xx answer's body is the enrichment's answer, any other status (or
 * none) fails the batch; the destination's InvocationRateLimitPerSecond
 * paces the requests. A missing state machine or API destination is
 * NotFoundException at CreatePipe / UpdatePipe.
 * EnrichmentParameters.InputTemplate and TargetParameters.InputTemplate
 * reshape each event on its own. Lambda and Step Functions targets receive
 * the whole batch as one JSON array; SQS, SNS, EventBridge, Kinesis,
 * Firehose and API destination targets receive each event on its own. A Step Functions target
 * is invoked REQUEST_RESPONSE by default (StepFunctionStateMachineParameters
 * InvocationType; EXPRESS machines only, STANDARD ones take
 * FIRE_AND_FORGET): the batch ends with its execution. An execution is
 * never waited for by a thread: one held by a Wait state holds the batch
 * until the clock reaches its end. A Lambda or REQUEST_RESPONSE Step
 * Functions target may answer {"batchItemFailures": [{"itemIdentifier":
 * ID}]} (an SQS record's messageId, a Kinesis record's sequenceNumber):
 * only those records fail. Deliveries happen on the broker's scheduler
 * (with workers = 0, during aev_broker_drain() / aev_broker_advance()).
 *
 * Requests and responses take the EventBridge Pipes API Reference's
 * shapes as JSON text (CreatePipe's Name, RoleArn, Source, Target,
 * SourceParameters, ...); timestamps are epoch seconds. Errors carry Pipes'
 * error names: ValidationException (AEV_ERR_INVALID), NotFoundException
 * (AEV_ERR_NOT_FOUND), ConflictException (AEV_ERR_EXISTS). A refused call
 * changes nothing. Every returned string is freed with aev_free().
 */
#ifndef AWSEVENTS_PIPE_H
#define AWSEVENTS_PIPE_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CreatePipe: *response_json receives {Arn, Name, DesiredState,
 * CurrentState "CREATING", CreationTime, LastModifiedTime}; the pipe then
 * settles at once in RUNNING, or STOPPED when DesiredState is STOPPED.
 * ConflictException when a pipe of that name exists. response_json may be
 * NULL. This and every call below answer AEV_ERR_INVALID
 * (ValidationException, "Missing argument.") for a NULL broker. */
AEV_API int aev_pipe_create(aev_broker *b, const char *request_json,
                            char **response_json);

/* DescribePipe by name: the pipe's whole configuration, its states, tags
 * and times. NotFoundException when there is no such pipe. */
AEV_API int aev_pipe_describe(aev_broker *b, const char *name, char **json);

/* UpdatePipe: request as the API reference's (Name and RoleArn required;
 * Source cannot change). Members left out keep their values; answers as
 * CreatePipe with CurrentState "UPDATING". */
AEV_API int aev_pipe_update(aev_broker *b, const char *request_json,
                            char **response_json);

/* DeletePipe: stops reading the source and removes the pipe; answers
 * CurrentState "DELETING". Batches in flight still finish. */
AEV_API int aev_pipe_delete(aev_broker *b, const char *name,
                            char **response_json);

/* StartPipe / StopPipe: DesiredState RUNNING / STOPPED; answer
 * CurrentState "STARTING" / "STOPPING". A stopped pipe leaves its source's
 * messages where they are. */
AEV_API int aev_pipe_start(aev_broker *b, const char *name,
                           char **response_json);
AEV_API int aev_pipe_stop(aev_broker *b, const char *name,
                          char **response_json);

/* ListPipes with its request members (NamePrefix, SourcePrefix,
 * TargetPrefix, DesiredState, CurrentState, Limit, NextToken; request_json
 * may be NULL): {"Pipes": [...], "NextToken"?}, pipes in name order. */
AEV_API int aev_pipe_list(aev_broker *b, const char *request_json,
                          char **json);

#ifdef __cplusplus
}
#endif

#endif
