/* Internal: Lambda event-source mappings from Kinesis streams, for the
 * functions primitive's CreateEventSourceMapping to hand kinesis
 * EventSourceArns to (request and response in Lambda's shapes). */
#ifndef AEV_STREAM_MAPPING_H
#define AEV_STREAM_MAPPING_H

#include <jansson.h>

#include "awsevents/broker.h"
#include "function/function.h"

/* CreateEventSourceMapping with a stream's ARN, or the ARN of one of its
 * ACTIVE enhanced fan-out consumers, as EventSourceArn: checks
 * the request as Lambda does and starts the mapping; *out is the
 * mapping's description (EventSourceMappingConfiguration). */
int aev__stream_mapping_create(aev_broker *b, json_t *req, json_t **out);
/* GetEventSourceMapping / DeleteEventSourceMapping by UUID across the
 * broker's streams; ResourceNotFoundException when there is none. */
int aev__stream_mapping_get(aev_broker *b, const char *uuid, json_t **out);
int aev__stream_mapping_delete(aev_broker *b, const char *uuid, json_t **out);

/* mapping_update.c: ListEventSourceMappings appends the descriptions of
 * the stream mappings (of function_arn, of source_arn; NULL: any) to out;
 * UpdateEventSourceMapping by the request's UUID answers the updated
 * description (State "Updating", or "Enabling" / "Disabling" when Enabled
 * flips) and applies it on the mapping's strand;
 * ResourceNotFoundException when no stream mapping has that UUID. */
int aev__stream_mapping_list(aev_broker *b, const char *function_arn,
                             const char *source_arn, json_t *out);
int aev__stream_mapping_update(aev_broker *b, json_t *req, json_t **out);

/* A stream poller that hands its batches to another primitive instead of
 * a function (EventBridge Pipes reads Kinesis sources as Lambda's mappings
 * do: StartingPosition, BatchSize, MaximumBatchingWindowInSeconds,
 * ParallelizationFactor, MaximumRetryAttempts, MaximumRecordAgeInSeconds,
 * BisectBatchOnFunctionError, FilterCriteria and the OnFailure
 * destination, given in req with Lambda's member names and checked as
 * Lambda checks them). deliver takes the event ({"Records": [...]} in
 * Lambda's Kinesis shape, a malloc'd text it owns when it answers AEV_OK)
 * and calls done(done_user, r) once: r->function_error NULL checkpoints
 * the batch, otherwise it is retried as a failed invocation is. The
 * poller is not one of the stream's event-source mappings (Lambda's List
 * and Get do not see it). release(user) runs once when it is gone. */
typedef struct aev__stream_sink {
  int (*deliver)(void *user, char *event, size_t len, aev__invoke_done_fn done,
                 void *done_user);
  void *user;
  void (*release)(void *user);
} aev__stream_sink;
struct aev__mapping;
int aev__stream_mapping_sink_new(aev_broker *b, const char *stream_arn, json_t *req,
                                 const aev__stream_sink *sink, struct aev__mapping **out);
/* Stops the poller; a batch in flight still completes. */
void aev__stream_mapping_sink_free(struct aev__mapping *m);
/* Pauses (on 0) or resumes the poller, which keeps its checkpoints
 * meanwhile, as Enabled false does for a mapping. */
void aev__stream_mapping_sink_enable(struct aev__mapping *m, int on);

#endif
