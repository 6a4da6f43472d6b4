/* Internal: Lambda event-source mappings from Kinesis streams, for the
 * functions primitive's CreateEventSourceMapping to hand kinesis
 * EventSourceArns to (request and response in Lambda's shapes). */
#ifndef AEV_STREAM_MAPPING_H
#define AEV_STREAM_MAPPING_H

#include <jansson.h>

#include "awsevents/broker.h"

/* CreateEventSourceMapping with a stream's ARN as EventSourceArn: checks
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

#endif
