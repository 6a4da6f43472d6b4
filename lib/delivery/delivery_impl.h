/* Internal to lib/delivery: the delivery stream object, its buffer, the
 * batches waiting for delivery, and the helpers its files share. Every
 * field below `mu` is guarded by mu. */
#ifndef AEV_DELIVERY_IMPL_H
#define AEV_DELIVERY_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "awsevents/delivery.h"
#include "awsevents/stream.h"
#include "core/ids.h"
#include "core/registry.h"
#include "core/sched.h"
#include "core/text.h"
#include "delivery/jq.h"

#define AEV__FH_MAX_RECORD (1000 * 1024)
#define AEV__FH_MAX_BATCH 500
#define AEV__FH_MAX_BATCH_BYTES (4u << 20)
#define AEV__FH_ID_LEN 96
/* Start/StopDeliveryStreamEncryption calls per rolling 24 hours. */
#define AEV__FH_SSE_CALLS_PER_DAY 25

/* A buffered record. */
typedef struct aev__frec {
  struct aev__frec *next;
  int64_t arrival_ms;
  char *id;    /* RecordId, NULL until drawn (in raw's tail or owned) */
  int id_owned;
  int result; /* AEV__FH_OK / DROPPED / FAILED after the transform */
  char *error_code, *error_msg; /* why it failed */
  int attempts;   /* for its error record: transform attempts, or 1 */
  json_t *keys;   /* the transform's metadata.partitionKeys, or NULL */
  json_t *kinesis; /* kinesisRecordMetadata of a source stream's record, or NULL */
  size_t len;
  unsigned char *data; /* points into raw, or a decompressed or transformed copy */
  size_t raw_len;      /* the record as it arrived (its error record's rawData) */
  unsigned char raw[];
} aev__frec;

enum { AEV__FH_OK, AEV__FH_DROPPED, AEV__FH_FAILED };
enum { AEV__DEST_S3, AEV__DEST_SINK, AEV__DEST_SQS, AEV__DEST_SNS };
/* DeliveryStreamEncryptionConfiguration's Status. */
enum { AEV__SSE_DISABLED, AEV__SSE_ENABLING, AEV__SSE_ENABLED,
       AEV__SSE_DISABLING };

/* Records cut from the buffer, delivered as one object. */
typedef struct aev__batch {
  struct aev__batch *next;
  aev__frec *head;
  size_t n, bytes;
  int64_t oldest_ms;  /* arrival of its oldest record (S3 keys) */
  int64_t first_try;  /* deadline timeline ms of the first attempt */
  int attempts;       /* delivery attempts so far */
  int transform_tries;
  int transformed;
  char *key;          /* object key (or, to a FIFO topic, the batch's
                       * deduplication stem), fixed at the first attempt */
  struct aev__fpart *part; /* the partition it was sealed from, or NULL */
} aev__batch;

/* The destination's settings: what CreateDeliveryStream configures and
 * UpdateDestination replaces as a whole. */
typedef struct aev__fh_settings {
  int dest;                          /* AEV__DEST_* */
  char *dir, *prefix, *error_prefix; /* S3 */
  int compression;                   /* S3: AEV__FH_COMPRESS_* */
  char *file_extension;              /* S3: FileExtension, NULL: the format's */
  char *queue_arn;                   /* SQS */
  char *topic_arn;                   /* SNS */
  size_t size_bytes;
  int64_t interval_ms;
  char *lambda_arn; /* transform, NULL when none */
  int append_delimiter; /* an AppendDelimiterToRecord processor */
  int decompress;       /* a Decompression processor (GZIP) */
  int extract_messages; /* CloudWatchLogProcessing's DataMessageExtraction */
  int retries;      /* NumberOfRetries */
  int64_t retry_ms; /* RetryOptions.DurationInSeconds */
  /* Dynamic partitioning (partition_config.c). A copy for a delivery
   * attempt has no query and no delimiter: records are partitioned under
   * mu, with the stream's own settings. */
  int partitioning;       /* DynamicPartitioningConfiguration.Enabled */
  aev__jq *query;         /* MetadataExtractionQuery, NULL: none */
  int deaggregate;        /* AEV__FH_DEAGG_* (RecordDeAggregation) */
  unsigned char *delimiter; /* its DELIMITED Delimiter, decoded */
  size_t delimiter_len;
  size_t lambda_size_bytes;   /* the Lambda processor's BufferSizeInMBs */
  int64_t lambda_interval_ms; /* and BufferIntervalInSeconds */
} aev__fh_settings;

enum { AEV__FH_DEAGG_NONE, AEV__FH_DEAGG_JSON, AEV__FH_DEAGG_DELIMITED };

/* A partition of a partitioning stream: the records whose evaluated
 * prefix is the same, buffered and sealed on their own hints (Firehose's
 * guide, "Buffer data for dynamic partitioning"). It lives while it
 * buffers records, its timer is armed or batches of it are undelivered:
 * that is what AWS counts as an active partition. Guarded by the
 * stream's mu. */
typedef struct aev__fpart {
  struct aev__fpart *next;
  aev_delivery *d;
  char *prefix; /* evaluated; !{firehose:random-string} stays for each object */
  const char *error_type; /* error output: its type; NULL for data */
  aev__frec *head, *tail;
  size_t n, bytes;
  int64_t oldest_ms;
  aev__timer interval;
  int armed;    /* interval armed, or fired and not yet run */
  int inflight; /* sealed batches not yet done */
} aev__fpart;

struct aev_delivery {
  aev__resource res;
  pthread_mutex_t mu;
  int from_stream;
  int partitioned; /* set.partitioning, which never changes: read without mu */
  aev_stream *source; /* KinesisStreamAsSource */
  void *tap;
  aev_delivery_sink_fn sink;
  void *sink_user;
  aev_release_fn sink_release;
  int64_t created_ms;
  json_t *config; /* the create request as updated, for DescribeDeliveryStream */
  int version;    /* VersionId: 1, then one more for each UpdateDestination */
  aev__fh_settings set; /* a worker reads a copy (aev__fh_settings_copy) */
  aev__rng rng;
  aev__frec *head, *tail; /* the buffer */
  size_t n, bytes;
  int64_t oldest_ms;
  aev__timer interval; /* the buffer's IntervalInSeconds */
  aev__batch *pending, *pending_tail; /* sealed, in order */
  int busy; /* the head batch is being transformed or delivered */
  aev__timer retry;
  aev__fpart *parts;    /* dynamic partitioning's partitions */
  size_t active_parts;  /* those of data (error output is not counted) */
  int64_t m_in, m_records, m_objects, m_dropped, m_failed, m_attempts;
  json_t *tags; /* {"key": "value"} */
  int sse;      /* AEV__SSE_* */
  int sse_customer; /* KeyType CUSTOMER_MANAGED_CMK (else AWS_OWNED_CMK) */
  char *sse_key;    /* its KeyARN */
  int64_t sse_calls[AEV__FH_SSE_CALLS_PER_DAY];
};

/* buffer.c */
/* A record holding a copy of data, with room for a RecordId when with_id;
 * not buffered yet (no lock needed). NULL when out of memory. */
aev__frec *aev__fh_rec_new(const void *data, size_t len, int with_id);
/* Buffers r (mu held), drawing its RecordId into id (if not NULL, r has
 * room for it); returns 1 when the buffer reached SizeInMBs and was sealed
 * into a batch, else 0. */
int aev__fh_buffer_push(aev_delivery *d, aev__frec *r, int64_t now_ms,
                        char *id);
/* A record arriving at a stream that does not partition (mu held):
 * decompressed as the processors say, then aev__fh_buffer_push(). */
int aev__fh_buffer_in(aev_delivery *d, aev__frec *r, int64_t now_ms, char *id);
/* aev__fh_rec_new() then aev__fh_buffer_push(), or for a partitioning
 * stream aev__fh_partition_add() (mu held); -1 when out of memory. */
int aev__fh_buffer_add(aev_delivery *d, const void *data, size_t len,
                       int64_t now_ms, char *id);
/* PutRecordBatch's n records (ids: NULL or n RecordId buffers), all
 * copied before any is buffered (mu not held; takes it): 1 when a batch
 * was sealed, 0, or -1 when out of memory with none buffered. */
int aev__fh_buffer_add_all(aev_delivery *d, size_t n, const void *const *data,
                           const size_t *lens, char **ids);
/* Seals the buffer into a pending batch (mu held). */
void aev__fh_seal(aev_delivery *d);
/* Starts the next pending batch unless one is in flight (mu not held). */
void aev__fh_kick(aev_delivery *d);
/* The head batch is done: frees it and starts the next (mu not held). */
void aev__fh_batch_done(aev_delivery *d);
void aev__fh_batch_free(aev__batch *bt);
void aev__fh_buffer_free(aev_delivery *d);

/* Frees a record (not buffered) with what it owns. */
void aev__fh_rec_free(aev__frec *r);
/* The head batch after its transform (mu not held): its records to their
 * partitions when the stream partitions, else delivered. */
void aev__fh_forward(aev_delivery *d, aev__batch *bt);

/* deaggregate.c: r (arrival set, not buffered) as the list of its
 * sub-records into *first (r itself when it stays whole, or has failed or
 * been dropped already; else r is freed). 0, or -1 when out of memory (r
 * unchanged). */
int aev__fh_deaggregate(const aev__fh_settings *s, aev__frec *r, aev__frec **first);

/* decompress.c: the Decompression and CloudWatchLogProcessing processors
 * of s on r (not buffered yet): r's data becomes the decompressed record,
 * or its log events' messages; a CONTROL_MESSAGE is Dropped under message
 * extraction; a record that cannot be decompressed (out of memory too)
 * fails, to go as it came to the error output. Nothing to do without a
 * Decompression processor. */
void aev__fh_decompress(const aev__fh_settings *s, aev__frec *r);

/* route.c (mu held unless said) */
/* The error output type of an error code: what
 * !{firehose:error-output-type} becomes and where an S3 destination's
 * error records of that code go. */
const char *aev__fh_error_type(const char *code);
/* Records of a partitioning stream (a list linked by next, taken), all
 * arriving at now_ms: deaggregated, then buffered for the transform when
 * there is one, else each to its partition or to the error output. 1 when
 * a buffer was sealed, 0, or -1 when out of memory: then none is taken
 * and the stream is unchanged (the records are freed). */
int aev__fh_partition_add(aev_delivery *d, aev__frec *list, int64_t now_ms);
/* The head batch's records to their partitions, then the batch is done
 * (mu not held). */
void aev__fh_route_batch(aev_delivery *d, aev__batch *bt);

/* partition.c (mu held unless said) */
/* A new partition for prefix (taken), not yet the stream's; NULL when out
 * of memory. */
aev__fpart *aev__fh_part_new(aev_delivery *d, char *prefix, const char *error_type);
/* Buffers r in p: 1 when p reached SizeInMBs and was sealed. Allocates
 * nothing. */
int aev__fh_part_push(aev_delivery *d, aev__fpart *p, aev__frec *r);
void aev__fh_part_seal(aev_delivery *d, aev__fpart *p);
void aev__fh_parts_seal(aev_delivery *d);
/* A batch of p is done. */
void aev__fh_part_done(aev_delivery *d, aev__fpart *p);
size_t aev__fh_parts_buffered(const aev_delivery *d);
/* Shutdown: the partitions' timers stop (mu not held). */
void aev__fh_parts_stop(aev_delivery *d);
/* Destroy: partitions and their records go. */
void aev__fh_parts_free(aev_delivery *d);

/* transform.c: runs the transform on the head batch, then forwards it. */
void aev__fh_transform(aev_delivery *d, aev__batch *bt);

/* deliver.c: delivers the head batch to the destination on the handler
 * pool, retrying with backoff. */
void aev__fh_deliver(aev_delivery *d, aev__batch *bt);

/* s3.c */
/* Evaluates an S3 prefix (expressions, the default timestamp part) for a
 * batch whose oldest record arrived at ms; error_type for error output. */
char *aev__fh_prefix(aev_delivery *d, const char *prefix, int64_t ms,
                     const char *error_type);
/* Evaluates prefix for a record that arrived at ms into *out: timestamp
 * expressions, the error output type (error_type: error output, whose
 * empty prefix is "<type>/"), partition keys from query's and lambda's
 * objects (a key missing, or not a string, number or boolean: -1, with
 * its name in missing), the default "yyyy/MM/dd/HH/" part when
 * default_time and no timestamp expression; !{firehose:random-string}
 * stays (aev__fh_fill_random). 0, -1, or -2 when out of memory. */
int aev__fh_prefix_eval(const char *prefix, int64_t ms, const char *error_type, int default_time,
                        json_t *query, json_t *lambda, char **out, char *missing, size_t missing_n);
/* text with each !{firehose:random-string} drawn (takes mu); NULL when
 * out of memory. */
char *aev__fh_fill_random(aev_delivery *d, const char *text);
/* The next !{partitionKeyFromQuery:k} or !{partitionKeyFromLambda:k} of p
 * (NULL: none): the key (len bytes) and its namespace; returns where the
 * expression ends, NULL when there is none. */
const char *aev__fh_next_key(const char *p, int *from_lambda, const char **key, size_t *len);
/* Checks Prefix / ErrorOutputPrefix as AWS does at creation. */
int aev__fh_check_prefixes(const char *prefix, const char *error_prefix);
/* The object name: NAME-VERSION-YYYY-MM-dd-HH-MM-SS-<uuid>. */
char *aev__fh_object_name(aev_delivery *d, int64_t ms);
/* A uuid from d's generator (takes mu). */
void aev__fh_uuid(aev_delivery *d, char out[AEV_UUID_LEN + 1]);

/* compress.c: CompressionFormat. */
enum { AEV__FH_COMPRESS_NONE, AEV__FH_COMPRESS_GZIP, AEV__FH_COMPRESS_ZIP,
       AEV__FH_COMPRESS_SNAPPY, AEV__FH_COMPRESS_HADOOP_SNAPPY };
/* The AEV__FH_COMPRESS_* a wire name names (case matters), or -1. */
int aev__fh_compression_of(const char *name);
/* The extension the format appends to object names ("" for none). */
const char *aev__fh_compression_extension(int format);
/* in (n bytes) in the format, appended to out: a ZIP archive's one entry
 * is named entry and dated ms. 0, or -1 when out of memory. */
int aev__fh_compress(int format, const void *in, size_t n, const char *entry, int64_t ms,
                     aev__tbuf *out);

/* destination.c */
/* The settings of cfg's one destination configuration (sink: the
 * application's callback, whose settings sit at cfg's top level), with
 * CreateDeliveryStream's checks, into *s (zeroed by the caller; freed with
 * aev__fh_settings_free even when this fails). shape, "Configuration" or
 * "Update", names the request members the error messages name. */
int aev__fh_settings_read(aev__fh_settings *s, json_t *cfg, int sink, const char *shape);
/* An integer member name of o (absent: *out unchanged) between min and
 * max, else AWS's ValidationException naming path. */
int aev__fh_int_member(json_t *o, const char *name, const char *path,
                       int64_t min, int64_t max, int64_t *out);
/* Whether the boolean member name of o is true (absent: false) into
 * *out, else AWS's ValidationException naming path. */
int aev__fh_bool_member(json_t *o, const char *name, const char *path, int *out);
/* processors.c: ProcessingConfiguration of destination configuration dc
 * into *s. */
int aev__fh_read_processors(aev__fh_settings *s, json_t *dc);
/* partition_config.c: DynamicPartitioningConfiguration of the S3
 * destination configuration dc (NULL: another destination), checked with
 * the prefixes, processors and buffering hints already in *s. */
int aev__fh_read_partitioning(aev__fh_settings *s, json_t *dc);
/* A copy of *from into *to for a worker to read without mu; -1 when out
 * of memory (*to then needs no freeing). */
int aev__fh_settings_copy(const aev__fh_settings *from, aev__fh_settings *to);
void aev__fh_settings_free(aev__fh_settings *s);
/* The configuration members of the destinations this library delivers
 * to, and DescribeDeliveryStream's one DestinationId. */
extern const char *const aev__fh_dest_members[4];
#define AEV__FH_DESTINATION_ID "destinationId-000000000001"

/* delivery.c */
int64_t aev__fh_now_ms(const aev_delivery *d);
int64_t aev__fh_mono(const aev_delivery *d);
int aev__fh_check(const aev_delivery *d);

/* encryption.c */
/* CreateDeliveryStream's DeliveryStreamEncryptionConfigurationInput (NULL:
 * none) into d, not yet shared: ENABLED at once. */
int aev__fh_encryption_init(aev_delivery *d, json_t *input);
/* DeliveryStreamEncryptionConfiguration (mu held); NULL when out of
 * memory. */
json_t *aev__fh_encryption_json(const aev_delivery *d);
/* Whether puts answer Encrypted true (takes mu). */
int aev__fh_encrypted(aev_delivery *d);

/* tags.c: a new tags object from CreateDeliveryStream's Tags (NULL: none)
 * with TagDeliveryStream's checks. */
int aev__fh_tags_new(json_t *list, json_t **out);

/* errors.c: Firehose's wording. */
int aev__fh_not_found(const aev_broker *b, const char *name);
int aev__fh_invalid(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int aev__fh_validation(const char *value, const char *member,
                       const char *constraint);

#endif
