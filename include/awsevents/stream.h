/*
 * libawsevents — streams: Amazon Kinesis Data Streams.
 *
 * A stream lives in a broker and behaves like Kinesis: shards dividing the
 * 128-bit hash-key space as AWS does, partition keys hashed with MD5 to a
 * shard, per-shard sequence numbers formatted as AWS's 56-digit decimals,
 * shard iterators (self-describing tokens that expire after 5 minutes on
 * the broker clock), retention trimmed lazily, resharding with parent/child
 * lineage, per-shard throughput limits, enhanced fan-out consumers pushed
 * to a callback, and Kinesis's error names (aev_errcode()) and messages.
 *
 * Handles: aev_stream_create()/aev_stream_get() return a counted handle
 * that aev_stream_release() drops. After DeleteStream the handle stays
 * valid and every call on it fails with AEV_ERR_NOT_FOUND
 * (ResourceNotFoundException). All functions are safe from any thread.
 * A NULL handle or out-pointer fails with AEV_ERR_INVALID
 * (InvalidArgumentException) unless a call's comment says it may be NULL.
 */
#ifndef AWSEVENTS_STREAM_H
#define AWSEVENTS_STREAM_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_stream aev_stream;
typedef struct aev_put_result aev_put_result;
typedef struct aev_records aev_records;
typedef struct aev_subscription aev_subscription;

/* Buffer sizes, NUL included: a shard id ("shardId-000000000000") and a
 * sequence number (AWS's 56 decimal digits). */
#define AEV_SHARD_ID_SIZE 21
#define AEV_STREAM_SEQUENCE_SIZE 57

/* aev_stream_create()'s shard_count for an on-demand stream. AWS starts
 * one with 4 shards and adds capacity as writes grow: here a shard whose
 * write demand (records and bytes offered, throttled or not) exceeds its
 * capacity (1,000 records/s or 1 MiB/s) in two consecutive seconds of the
 * broker clock is split at the middle of its hash range, as a resharding
 * change the broker runs (the stream is UPDATING until then), up to 200
 * open shards; with throttling switched off it keeps its shards. */
#define AEV_STREAM_ON_DEMAND 0

/* ---- Streams --------------------------------------------------------- */

/* CreateStream. shard_count 1..10000 for a provisioned stream, or
 * AEV_STREAM_ON_DEMAND. The stream is ACTIVE at once, with shards
 * shardId-000000000000... dividing the hash-key space evenly. A name in use
 * fails with AEV_ERR_EXISTS (ResourceInUseException). *out is a new
 * handle. */
AEV_API int aev_stream_create(aev_broker *b, const char *name,
                              int shard_count, aev_stream **out);

/* Finds a stream by name or ARN; *out is a new handle.
 * AEV_ERR_NOT_FOUND (ResourceNotFoundException) otherwise. */
AEV_API int aev_stream_get(aev_broker *b, const char *name_or_arn,
                           aev_stream **out);

/* Drops a handle. NULL is a no-op. */
AEV_API void aev_stream_release(aev_stream *s);

/* DeleteStream. A stream with registered consumers fails with
 * ResourceInUseException unless enforce_consumer_deletion is non-zero. */
AEV_API int aev_stream_delete(aev_stream *s, int enforce_consumer_deletion);

/* Name and ARN, valid while the handle is held. */
AEV_API const char *aev_stream_name(const aev_stream *s);
AEV_API const char *aev_stream_arn(const aev_stream *s);

/* DescribeStream's StreamDescription, DescribeStreamSummary's
 * StreamDescriptionSummary, as JSON (free with aev_free()). */
AEV_API int aev_stream_describe(aev_stream *s, char **json);
AEV_API int aev_stream_describe_summary(aev_stream *s, char **json);

/* ListStreams: {"StreamNames": [...], "StreamSummaries": [...],
 * "HasMoreStreams": bool, "NextToken"?}. limit 0 (100) or 1..10000;
 * exclusive_start and next_token may be NULL. */
AEV_API int aev_stream_list(aev_broker *b, int limit,
                            const char *exclusive_start_stream_name,
                            const char *next_token, char **response_json);

/* ListShards on AWS's request shape without the stream members
 * ({"ShardFilter": {...}, "MaxResults": n, "NextToken": ...}; NULL = all
 * open and closed shards): {"Shards": [...], "NextToken"?}. */
AEV_API int aev_stream_list_shards(aev_stream *s, const char *request_json,
                                   char **response_json);

/* Increase/DecreaseStreamRetentionPeriod: hours 24..8760, and more (less)
 * than the current period, as AWS requires. Records older than the period
 * are trimmed lazily: the trim horizon moves, no timer per record. */
AEV_API int aev_stream_increase_retention(aev_stream *s, int hours);
AEV_API int aev_stream_decrease_retention(aev_stream *s, int hours);

/* Per-shard throughput limits (writes 1 MiB/s and 1,000 records/s, reads
 * 2 MiB/s and 5 GetRecords/s, 5 GetShardIterator calls/s, token buckets on
 * the broker clock) are on by
 * default as in AWS; 0 switches them off for this stream. */
AEV_API int aev_stream_set_throttling(aev_stream *s, int on);

/* UpdateMaxRecordSize: the largest record (data plus partition key)
 * accepted, 1 MiB by default; whole KiB from 1024 to 10240 KiB (AWS raised
 * its per-record limit to 10 MiB in 2025), else AWS's ValidationException
 * (InvalidArgumentException for a size that is not whole KiB). */
AEV_API int aev_stream_set_max_record_size(aev_stream *s, size_t bytes);

/* StartStreamEncryption / StopStreamEncryption: encryption_type "KMS" and
 * a KeyId of 1 to 2048 characters (a key ARN, alias or id; not checked
 * against any KMS). The stream must be ACTIVE; it is UPDATING until the
 * broker runs the change. At most 25 new keys in a rolling 24 hours
 * (LimitExceededException). Records written while a key is set answer
 * EncryptionType KMS and DescribeStream answers the KeyId, but nothing is
 * encrypted in-process: records are kept as they were put. */
AEV_API int aev_stream_start_encryption(aev_stream *s,
                                        const char *encryption_type,
                                        const char *key_id);
AEV_API int aev_stream_stop_encryption(aev_stream *s,
                                       const char *encryption_type,
                                       const char *key_id);

/* UpdateStreamMode: on_demand 1 for ON_DEMAND, 0 for PROVISIONED. The
 * open shards stay as they are (AWS keeps the shard count); from then on
 * an on-demand stream scales itself and a provisioned one is resharded
 * by the caller. The stream must be ACTIVE and is UPDATING until the
 * broker runs the change; at most two switches in a rolling 24 hours
 * (LimitExceededException). The mode the stream has already is AEV_OK
 * with nothing changed or counted. A switch to PROVISIONED drops the
 * stream's warm throughput (aev_stream_update_warm_throughput); the API's
 * UpdateStreamMode also takes WarmThroughputMiBps with a switch to
 * ON_DEMAND. */
AEV_API int aev_stream_update_mode(aev_stream *s, int on_demand);

/* UpdateStreamWarmThroughput: warms an ON_DEMAND stream's write capacity
 * to mibps MiB/s (0..10240; AWS's default limit is 10 GiB/s a stream), in
 * an account whose minimum throughput billing commitment is enabled
 * (aev_stream_update_account_settings). The stream's capacity here is its
 * open shards, 1 MiB/s each: the stream must be ACTIVE and is UPDATING
 * until the broker runs the change, which scales its open shards to mibps
 * (never below the 4 an on-demand stream starts with), so a lower value
 * releases the capacity above it, as on AWS. DescribeStreamSummary then
 * shows WarmThroughput {"TargetMiBps": mibps, "CurrentMiBps": open
 * shards}. Errors: a PROVISIONED stream or no commitment enabled,
 * InvalidArgumentException; above 10240 or past the account's shard
 * quota, LimitExceededException; a negative mibps, ValidationException;
 * not ACTIVE, ResourceInUseException. The warm throughput lasts while the
 * stream stays ON_DEMAND and the commitment it was set under lasts. */
AEV_API int aev_stream_update_warm_throughput(aev_stream *s, int mibps);

/* DescribeAccountSettings and UpdateAccountSettings: the account's
 * MinimumThroughputBillingCommitment (On-demand Advantage), as
 * {"MinimumThroughputBillingCommitment": {"Status", "StartedAt"?,
 * "EarliestAllowedEndAt"?, "EndedAt"?}} (epoch seconds), in
 * *response_json (aev_free(); may be NULL for the update). enabled 1
 * enables the commitment: it starts now and may end 24 hours later at the
 * earliest. enabled 0 disables it: at once once those 24 hours have
 * passed, else at EarliestAllowedEndAt, the status meanwhile
 * ENABLED_UNTIL_EARLIEST_ALLOWED_END; enabling again before then cancels
 * the pending disable. Asking for the state in force changes nothing. All
 * times are the broker clock's. */
AEV_API int aev_stream_describe_account_settings(aev_broker *b, char **response_json);
AEV_API int aev_stream_update_account_settings(aev_broker *b, int enabled,
                                               char **response_json);

/* AddTagsToStream ({"k": "v"}, ≤ 50 tags), RemoveTagsFromStream (["k"]),
 * ListTagsForStream ({"Tags": [{"Key","Value"}], "HasMoreTags": false}). */
AEV_API int aev_stream_tag(aev_stream *s, const char *tags_json);
AEV_API int aev_stream_untag(aev_stream *s, const char *keys_json);
AEV_API int aev_stream_list_tags(aev_stream *s, char **response_json);

/* ---- Writing --------------------------------------------------------- */

/* PutRecord. partition_key has 1..256 characters; explicit_hash_key (a
 * decimal 0..2^128-1) overrides its MD5 when not NULL;
 * sequence_number_for_ordering (NULL or a sequence number) is accepted as
 * AWS accepts it: this library's sequence numbers already increase
 * strictly per shard. shard_id (AEV_SHARD_ID_SIZE) and sequence_number
 * (AEV_STREAM_SEQUENCE_SIZE) receive where the record went; either may be
 * NULL. Throttled: AEV_ERR_THROTTLED (ProvisionedThroughputExceeded-
 * Exception). */
AEV_API int aev_stream_put(aev_stream *s, const void *data, size_t len,
                           const char *partition_key,
                           const char *explicit_hash_key,
                           const char *sequence_number_for_ordering,
                           char *shard_id, char *sequence_number);

/* PutRecords: n (1..500) records, 10 MiB in total. hash_keys may be NULL or
 * hold NULLs. Checks of the whole request fail the call; throttled records
 * fail one by one (the others are stored) and come back in *out in request
 * order. Out of memory before the first record is stored, the call fails
 * (AEV_ERR_NOMEM) with nothing stored; after, a record that cannot be
 * stored fails alone with AWS's InternalFailure. */
AEV_API int aev_stream_put_records(aev_stream *s, size_t n,
                                   const void *const *data,
                                   const size_t *lens,
                                   const char *const *partition_keys,
                                   const char *const *hash_keys,
                                   aev_put_result **out);

AEV_API void aev_put_result_free(aev_put_result *r);
AEV_API size_t aev_put_result_count(const aev_put_result *r);
AEV_API size_t aev_put_result_failed_count(const aev_put_result *r);
/* Entry i: the shard id and sequence number of a stored record, or the
 * error code and message of a failed one (the others are NULL). Valid
 * until aev_put_result_free(). */
AEV_API const char *aev_put_result_shard_id(const aev_put_result *r,
                                            size_t i);
AEV_API const char *aev_put_result_sequence_number(const aev_put_result *r,
                                                   size_t i);
AEV_API const char *aev_put_result_error_code(const aev_put_result *r,
                                              size_t i);
AEV_API const char *aev_put_result_error_message(const aev_put_result *r,
                                                 size_t i);

/* ---- Reading --------------------------------------------------------- */

/* GetShardIterator. type is AWS's ShardIteratorType: "TRIM_HORIZON",
 * "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER" (these two take
 * sequence_number; the others refuse one) or "AT_TIMESTAMP" (takes
 * timestamp_ms; a time before the trim horizon acts as TRIM_HORIZON, one
 * after the broker clock's now is refused). *iterator is malloc'd
 * (aev_free()); it expires 5 minutes after it was issued
 * (ExpiredIteratorException). */
AEV_API int aev_stream_iterator(aev_stream *s, const char *shard_id,
                                const char *type,
                                const char *sequence_number,
                                int64_t timestamp_ms, char **iterator);

/* GetRecords: up to limit (0 = 10,000; 1..10,000) records and 10 MiB from
 * the iterator's position. The broker finds the stream from the iterator.
 * Free *out with aev_records_free(). */
AEV_API int aev_stream_get_records(aev_broker *b, const char *iterator,
                                   int limit, aev_records **out);

/* A batch of records (GetRecords or a SubscribeToShardEvent). Pointers
 * stay valid until aev_records_free(). */
AEV_API void aev_records_free(aev_records *r);
AEV_API size_t aev_records_count(const aev_records *r);
AEV_API const void *aev_records_data(const aev_records *r, size_t i,
                                     size_t *len);
AEV_API const char *aev_records_partition_key(const aev_records *r,
                                              size_t i);
AEV_API const char *aev_records_sequence_number(const aev_records *r,
                                                size_t i);
/* ApproximateArrivalTimestamp, epoch milliseconds. */
AEV_API int64_t aev_records_arrival_ms(const aev_records *r, size_t i);
/* "KMS" for a record written while the stream had a key
 * (aev_stream_start_encryption), else "NONE": AWS's EncryptionType. */
AEV_API const char *aev_records_encryption_type(const aev_records *r,
                                                size_t i);
/* NextShardIterator; NULL once a closed shard is drained (GetRecords). */
AEV_API const char *aev_records_next_iterator(const aev_records *r);
/* ContinuationSequenceNumber (subscriptions); NULL for GetRecords. */
AEV_API const char *aev_records_continuation(const aev_records *r);
AEV_API int64_t aev_records_millis_behind(const aev_records *r);
/* ChildShards as AWS's JSON list, present only at the end of a closed
 * shard; NULL otherwise. */
AEV_API const char *aev_records_child_shards(const aev_records *r);

/* ---- Resharding ------------------------------------------------------ */

/* SplitShard at new_starting_hash_key (a decimal strictly inside the
 * shard's range); MergeShards of two adjacent open shards; UpdateShardCount
 * with UNIFORM_SCALING (target 1..10,000, at most double and at least half
 * the open shards, 10 times per rolling 24 h). The stream is UPDATING until
 * the broker runs the change (drain, or at once with workers): then the
 * parents close (readable until drained) and the children open. Provisioned
 * streams only. */
AEV_API int aev_stream_split_shard(aev_stream *s, const char *shard_id,
                                   const char *new_starting_hash_key);
AEV_API int aev_stream_merge_shards(aev_stream *s, const char *shard_id,
                                    const char *adjacent_shard_id);
AEV_API int aev_stream_update_shard_count(aev_stream *s, int target);

/* ---- Enhanced fan-out ------------------------------------------------ */

/* RegisterStreamConsumer (≤ 20 per stream): *consumer_arn is malloc'd.
 * The consumer is CREATING until the broker runs the change, then ACTIVE.
 * DeregisterStreamConsumer ends its subscriptions. ListStreamConsumers:
 * {"Consumers": [...]}. */
AEV_API int aev_stream_register_consumer(aev_stream *s, const char *name,
                                         char **consumer_arn);
AEV_API int aev_stream_deregister_consumer(aev_stream *s, const char *name);
AEV_API int aev_stream_list_consumers(aev_stream *s, char **response_json);

/* One SubscribeToShardEvent: records (possibly none at the end of a closed
 * shard), ContinuationSequenceNumber, MillisBehindLatest, ChildShards. The
 * batch is the callback's to read; the library frees it on return. */
typedef void (*aev_subscribe_fn)(void *user, const aev_records *event);

/* SubscribeToShard: pushes events to fn as records arrive (no polling),
 * in order, one at a time, for 5 minutes on the broker clock, or until the
 * shard ends, the consumer is deregistered or aev_subscription_cancel().
 * Then release(user) runs once and the subscription is over; resubscribe
 * from the last ContinuationSequenceNumber with AFTER_SEQUENCE_NUMBER.
 * Subscribing again to the same shard within 5 s fails with
 * ResourceInUseException; later it takes the subscription over. type and
 * its arguments are as for aev_stream_iterator(). *out (may be NULL) is a
 * handle for aev_subscription_cancel() and aev_subscription_free().
 * aev_call(b, "kinesis", "SubscribeToShard", ...) cannot push: it answers
 * {"EventStream": [{"SubscribeToShardEvent": {...}}, ...]} with the events
 * available at the call (StartingPosition to the tip, at least one) and
 * the subscription ends there; resume after its last
 * ContinuationSequenceNumber. */
AEV_API int aev_stream_subscribe(aev_broker *b, const char *consumer_arn,
                                 const char *shard_id, const char *type,
                                 const char *sequence_number,
                                 int64_t timestamp_ms, aev_subscribe_fn fn,
                                 void *user, aev_release_fn release,
                                 aev_subscription **out);
AEV_API void aev_subscription_cancel(aev_subscription *sub);
AEV_API void aev_subscription_free(aev_subscription *sub);

#ifdef __cplusplus
}
#endif
#endif
