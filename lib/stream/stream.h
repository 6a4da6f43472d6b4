/* Internal: what the API layer and other primitives (Firehose sources,
 * event-source mappings) use of a stream, below the public typed API:
 * lookup, JSON-level describe/list calls and a tap on new records. */
#ifndef AEV_STREAM_STREAM_H
#define AEV_STREAM_STREAM_H

#include <jansson.h>

#include "awsevents/stream.h"
#include "stream/stream_impl.h"

int aev__stream_create(aev_broker *b, const char *name, int shard_count,
                       aev_stream **out);
/* By name or ARN; ResourceNotFoundException otherwise. */
int aev__stream_find(aev_broker *b, const char *name_or_arn,
                     aev_stream **out);

/* DescribeStream's StreamDescription (summary = 0) or
 * DescribeStreamSummary's StreamDescriptionSummary (summary = 1). */
int aev__stream_describe_json(aev_stream *s, int summary, json_t **out);
/* ListShards' response for AWS's request object (stream members ignored). */
int aev__stream_list_shards_json(aev_stream *s, json_t *req, json_t **out);
int aev__stream_list_json(aev_broker *b, int limit, const char *exclusive,
                          const char *next_token, json_t **out);
int aev__stream_tags_json(aev_stream *s, json_t **out);
int aev__stream_tag_json(aev_stream *s, json_t *tags);
int aev__stream_untag_json(aev_stream *s, json_t *keys);
int aev__stream_consumers_json(aev_stream *s, json_t **out);
/* DescribeStreamConsumer's ConsumerDescription by name or ARN. */
int aev__stream_consumer_json(aev_stream *s, const char *name,
                              const char *arn, json_t **out);

#endif
