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
/* AWS's ValidationException for member unless name is 1 to 128 of
 * [a-zA-Z0-9_.-] (the API model's StreamName, ConsumerName and ShardId). */
int aev__stream_name_check(const char *member, const char *name);
/* The stream name that a name or a stream ARN gives (NULL for NULL). */
const char *aev__stream_name_of(const char *name_or_arn);
/* By name or ARN; ResourceNotFoundException otherwise. */
int aev__stream_find(aev_broker *b, const char *name_or_arn,
                     aev_stream **out);

/* DescribeStream's StreamDescription (summary = 0): up to limit shards
 * (0: all), those after the shard id after (NULL: from the first), with
 * HasMoreShards; or DescribeStreamSummary's StreamDescriptionSummary
 * (summary = 1, limit and after unused). */
int aev__stream_describe_json(aev_stream *s, int summary, size_t limit, const char *after,
                              json_t **out);
/* ListShards' response for AWS's request object (stream members ignored). */
int aev__stream_list_shards_json(aev_stream *s, json_t *req, json_t **out);
int aev__stream_list_json(aev_broker *b, int limit, const char *exclusive,
                          const char *next_token, json_t **out);
/* DescribeLimits' response for the broker's streams. */
int aev__stream_limits_json(aev_broker *b, json_t **out);
/* Tags of the stream (consumer_arn NULL) or of its consumer with that ARN
 * (ResourceNotFoundException when there is none): {"Tags": [{"Key",
 * "Value"}]} as ListTagsForResource answers; AddTagsToStream's and
 * TagResource's {"k": "v"}; RemoveTagsFromStream's and UntagResource's
 * ["k"]. */
int aev__stream_tags_json(aev_stream *s, const char *consumer_arn,
                          json_t **out);
int aev__stream_tag_json(aev_stream *s, const char *consumer_arn,
                         json_t *tags);
int aev__stream_untag_json(aev_stream *s, const char *consumer_arn,
                           json_t *keys);
/* The resource policy of the stream (consumer_arn NULL) or of its consumer
 * with that ARN (ResourceNotFoundException when there is none): put (a
 * JSON object's text, kept as given), GetResourcePolicy's {"Policy"}
 * ("{}" when none is set), and delete (none set is no error). */
int aev__stream_put_policy(aev_stream *s, const char *consumer_arn, const char *policy);
int aev__stream_policy_json(aev_stream *s, const char *consumer_arn, json_t **out);
int aev__stream_delete_policy(aev_stream *s, const char *consumer_arn);
/* ListTagsForStream's response: the stream's tags and HasMoreTags. */
/* ListTagsForStream: a page of at most limit tags in key order after the
 * key exclusive (NULL: from the first), with HasMoreTags. */
int aev__stream_list_tags_json(aev_stream *s, const char *exclusive, int limit,
                               json_t **out);
int aev__stream_consumers_json(aev_stream *s, json_t **out);
/* The shard-level metrics in a set (AWS's names, in AWS's order); NULL
 * when out of memory. */
json_t *aev__metrics_json(unsigned metrics);
/* Enable (enable = 1) or DisableEnhancedMonitoring with AWS's
 * ShardLevelMetrics array: EnhancedMonitoringOutput in *out. */
/* "KMS" while the stream has a key (StartStreamEncryption), else "NONE". */
const char *aev__stream_encryption_type(aev_stream *s);
int aev__stream_monitoring_json(aev_stream *s, json_t *metrics, int enable,
                                json_t **out);
/* DescribeStreamConsumer's ConsumerDescription by name or ARN. */
int aev__stream_consumer_json(aev_stream *s, const char *name,
                              const char *arn, json_t **out);

#endif

/* Taps: what a Firehose source (or another in-process reader) sees of a
 * stream. fn runs for every record stored, on the putting thread after
 * the stream's lock is released, in each shard's order; it must not
 * block. prep (may be NULL) runs first, before the record is stored, for
 * what fn will need that can fail (a copy of the record): it returns that
 * (malloc'd; fn takes it as prepared, or it is freed when the record is
 * not stored) or NULL when out of memory, and then the put fails with
 * nothing stored, so a record stored always reaches fn. drop(arg) runs
 * once after the tap is removed and its last call returned. */
typedef void *(*aev__stream_tap_prep_fn)(void *arg, const void *data,
                                         size_t len);
typedef void (*aev__stream_tap_fn)(void *arg, const char *shard_id,
                                   const char *sequence_number,
                                   const char *partition_key,
                                   const void *data, size_t len,
                                   int64_t arrival_ms, void *prepared);
typedef struct aev__tap aev__tap;
int aev__stream_tap_add(aev_stream *s, aev__stream_tap_fn fn,
                        aev__stream_tap_prep_fn prep, void *arg,
                        void (*drop)(void *arg), aev__tap **out);
void aev__stream_tap_remove(aev_stream *s, aev__tap *t);

/* For the put paths: the taps to call for n records (a counted snapshot
 * taken with mu held; NULL when there are none, and also when out of
 * memory while s->taps is set), preparing record i (0 or -1 when out of
 * memory; mu need not be held), calling the taps with stored record i,
 * and letting go (what was prepared and not called is freed). */
typedef struct aev__tap_set aev__tap_set;
aev__tap_set *aev__taps_acquire(aev_stream *s, size_t n);
int aev__taps_prepare(aev__tap_set *set, size_t i, const void *data,
                      size_t len);
void aev__taps_call(aev__tap_set *set, size_t i, const char *shard_id,
                    const char *seq, const char *key, const void *data,
                    size_t len, int64_t arrival_ms);
void aev__taps_release(aev_stream *s, aev__tap_set *set);
