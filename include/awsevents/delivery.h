/*
 * libawsevents — delivery streams: Amazon Data Firehose.
 *
 * A delivery stream buffers records (from PutRecord/PutRecordBatch, or from
 * a stream of this broker) and delivers them in batches when its buffering
 * hints are reached — SizeInMBs (1..128, default 5) or IntervalInSeconds
 * (0..900, default 300) on the broker clock, whichever comes first —
 * optionally through a transform function of this broker (Lambda's
 * Firehose data-transformation contract: records with recordId, result
 * Ok / Dropped / ProcessingFailed and base64 data; a failed invocation is
 * retried NumberOfRetries times; an AppendDelimiterToRecord processor puts
 * a new line between an S3 object's records), to one destination:
 *
 *  - a directory laid out like S3 (ExtendedS3DestinationConfiguration):
 *    objects under Prefix with !{timestamp:...} and !{firehose:...}
 *    expressions, the default "YYYY/MM/dd/HH/" prefix, and object names
 *    "Stream-VERSION-YYYY-MM-dd-HH-MM-SS-<uuid><extension>" (VERSION: the
 *    stream's VersionId). CompressionFormat is applied as the service
 *    applies it: GZIP (".gz"), ZIP (one deflated entry, ".zip"), Snappy
 *    (snappy-java's stream format, ".snappy") and HADOOP_SNAPPY (Hadoop's
 *    Snappy blocks, also ".snappy"); FileExtension replaces the extension.
 *    Records that fail the transform or decompression go under
 *    ErrorOutputPrefix as AWS's JSON error records (not compressed), one
 *    object for each error output type. The bucket "arn:aws:s3:::NAME"
 *    is the directory "./NAME" unless this library's member
 *    "LocalDirectory" names another;
 *  - an application callback (aev_delivery_create_with_sink);
 *  - a queue of this broker, one message per record (this library's
 *    "SqsDestinationConfiguration": {"QueueARN": ..., "BufferingHints"});
 *  - a topic of this broker, one Publish per record (this library's
 *    "SnsDestinationConfiguration": {"TopicARN": ..., "BufferingHints"});
 *    a FIFO topic gets the delivery stream's name as MessageGroupId, so
 *    records keep their order, and a deduplication id per record that a
 *    retried batch repeats, so a retry does not publish a record twice.
 *
 * CloudWatch Logs records (a gzip of {"messageType": "DATA_MESSAGE" |
 * "CONTROL_MESSAGE", "owner", "logGroup", "logStream",
 * "subscriptionFilters", "logEvents": [{"id", "timestamp", "message"}]}):
 * a Decompression processor (CompressionFormat "GZIP", the only format
 * and the default) decompresses each record first, ahead of
 * RecordDeAggregation, the Lambda transform and partitioning, which all
 * see the decompressed data. A CloudWatchLogProcessing processor (which
 * needs the Decompression one, and DataMessageExtraction "true" or
 * "false" in any case) with DataMessageExtraction "true" delivers
 * only each DATA_MESSAGE's log event messages, a new line between two
 * (no new line after the last: AppendDelimiterToRecord puts one between
 * records); a CONTROL_MESSAGE is dropped. A record that is not GZIP goes,
 * as it came, under ErrorOutputPrefix with error output type
 * decompression-failed (error code "Decompression.Failed"), one whose
 * messages cannot be extracted under processing-failed
 * ("CloudWatchLogProcessing.MessageExtractionFailed"); the other records
 * go on.
 *
 * Dynamic partitioning (an S3 destination's DynamicPartitioningConfiguration
 * {"Enabled": true, "RetryOptions"}, only at creation, never disabled):
 * each record, split first by a RecordDeAggregation processor (JSON
 * objects back to back or one a line, or pieces between a base64-given
 * Delimiter; 500 at most per record, else it stays whole), then through
 * the Lambda processor when there is one (buffered on that processor's
 * BufferSizeInMBs / BufferIntervalInSeconds, 1 MB / 60 s by default),
 * gets its partition keys from a MetadataExtraction processor's jq query
 * (JsonParsingEngine "JQ-1.6"; this library runs a subset of jq: {key:
 * expression, ...} objects of paths .a.b, ."a", .["a"], .[0], pipes,
 * parentheses, literals, strftime(f), tostring, tonumber, ascii_downcase,
 * ascii_upcase; anything else is refused at creation) and from the
 * function's "metadata": {"partitionKeys": {...}}. Prefix names them as
 * !{partitionKeyFromQuery:k} / !{partitionKeyFromLambda:k}; records with
 * the same evaluated prefix form a partition that buffers on its own
 * (SizeInMBs at least 64, IntervalInSeconds not 0) and is delivered as one
 * object under that prefix (no default time part). Records whose keys
 * cannot be evaluated go under ErrorOutputPrefix (required) as AWS's
 * error records with error output type metadata-extraction-failed; past
 * 500 active partitions, activePartitionExceeded.
 *
 * A failed delivery is retried with backoff (at-least-once) for the
 * destination's RetryOptions.DurationInSeconds (S3: 24 hours; with
 * dynamic partitioning, its own RetryOptions, 300 s by default).
 *
 * UpdateDestination (through aev_call) changes the destination of a
 * delivery stream made with a destination configuration: merged into the
 * configuration for the same type, replacing it for another; the next
 * records buffered and the next delivery attempts use the new settings.
 *
 * Handles are counted like streams'; after DeleteDeliveryStream every call
 * fails with AEV_ERR_NOT_FOUND (ResourceNotFoundException). Thread-safe.
 */
#ifndef AWSEVENTS_DELIVERY_H
#define AWSEVENTS_DELIVERY_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_delivery aev_delivery;

/* Buffer size of a RecordId, NUL included. */
#define AEV_RECORD_ID_SIZE 97

/* CreateDeliveryStream. config_json is AWS's request without
 * DeliveryStreamName: DeliveryStreamType ("DirectPut" default, or
 * "KinesisStreamAsSource" with KinesisStreamSourceConfiguration
 * {"KinesisStreamARN"}) and one destination configuration (see above).
 * *out is a new handle. */
AEV_API int aev_delivery_create(aev_broker *b, const char *name,
                                const char *config_json, aev_delivery **out);

/* A delivered batch: key is the object key it would have in S3, data the
 * records concatenated. Return 0 when delivered; anything else fails the
 * attempt, which is retried with backoff. Runs on the handler pool, one
 * batch at a time per delivery stream, in order. */
typedef int (*aev_delivery_sink_fn)(void *user, const char *key,
                                    const void *data, size_t len);

/* CreateDeliveryStream delivering to fn instead of (config_json without) a
 * destination; BufferingHints, ProcessingConfiguration and RetryOptions may
 * sit at the top level of config_json. release(user) runs once after the
 * last call, never if creation fails. */
AEV_API int aev_delivery_create_with_sink(aev_broker *b, const char *name,
                                          const char *config_json,
                                          aev_delivery_sink_fn fn, void *user,
                                          aev_release_fn release,
                                          aev_delivery **out);

AEV_API int aev_delivery_get(aev_broker *b, const char *name_or_arn,
                             aev_delivery **out);
AEV_API void aev_delivery_release(aev_delivery *d);
/* DeleteDeliveryStream: buffered records not yet delivered are dropped. */
AEV_API int aev_delivery_delete(aev_delivery *d);
AEV_API const char *aev_delivery_name(const aev_delivery *d);
AEV_API const char *aev_delivery_arn(const aev_delivery *d);

/* DescribeDeliveryStream's DeliveryStreamDescription (aev_free()). */
AEV_API int aev_delivery_describe(aev_delivery *d, char **json);

/* StartDeliveryStreamEncryption: key_type "AWS_OWNED_CMK" (or NULL) with
 * no key_arn, or "CUSTOMER_MANAGED_CMK" with a KMS key ARN; DirectPut
 * streams only. DeliveryStreamEncryptionConfiguration's Status is
 * ENABLING until the broker runs the change, then ENABLED, and puts
 * answer Encrypted true. StopDeliveryStreamEncryption: DISABLING, then
 * DISABLED. Not while a change is pending (ResourceInUseException); 25
 * calls of both together in a rolling 24 hours (LimitExceededException).
 * Nothing is encrypted in-process and no KMS key is checked or used. */
AEV_API int aev_delivery_start_encryption(aev_delivery *d,
                                          const char *key_type,
                                          const char *key_arn);
AEV_API int aev_delivery_stop_encryption(aev_delivery *d);

/* PutRecord: data of 0..1,000 KiB. record_id (AEV_RECORD_ID_SIZE, may be
 * NULL) receives the RecordId. A delivery stream fed by a stream refuses
 * direct puts (InvalidArgumentException). */
AEV_API int aev_delivery_put(aev_delivery *d, const void *data, size_t len,
                             char *record_id);

/* PutRecordBatch: n (1..500) records, 4 MiB in total. record_ids may be
 * NULL or an array of n buffers of AEV_RECORD_ID_SIZE. */
AEV_API int aev_delivery_put_batch(aev_delivery *d, size_t n,
                                   const void *const *data,
                                   const size_t *lens, char **record_ids);

/* Delivers what is buffered now, as if a buffering hint had been reached
 * (what a user would wait for; the unit tests and examples use it). */
AEV_API int aev_delivery_flush(aev_delivery *d);

/* Counters as JSON: {"IncomingRecords", "DeliveredRecords",
 * "DeliveredObjects", "DroppedRecords", "FailedRecords",
 * "DeliveryAttempts", "BufferedRecords"}. */
AEV_API int aev_delivery_metrics(aev_delivery *d, char **json);

#ifdef __cplusplus
}
#endif
#endif
