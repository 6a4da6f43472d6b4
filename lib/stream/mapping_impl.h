/* Internal to lib/stream: an event-source mapping's settings and its
 * per-shard, per-partition reading state. All state below `strand` is
 * touched only by tasks on the mapping's strand (taps, timers and
 * function completions post there), so it needs no lock. */
#ifndef AEV_STREAM_MAPPING_IMPL_H
#define AEV_STREAM_MAPPING_IMPL_H

#include "awsevents/pattern.h"
#include "core/ids.h"
#include "stream/mapping.h"
#include "stream/stream.h"

typedef struct aev__mrec {
  uint64_t index;
  int64_t arrival_ms;
  char seq[AEV_STREAM_SEQUENCE_SIZE];
  char *key;
  unsigned char *data;
  size_t len;
} aev__mrec;

/* A batch in flight: records copied out of the shard. */
typedef struct aev__mbatch {
  uint32_t shard;
  int part;
  aev__mrec *r;
  size_t n;
  uint64_t end; /* position after the batch */
  /* Tumbling windows: the window the batch belongs to, the state handed
   * to the function (a reference), and whether this is the window's final
   * invocation (no records) and the window ended early. */
  int64_t win_start;
  json_t *state;
  int final, early;
} aev__mbatch;

typedef struct aev__mpart {
  uint64_t pos; /* checkpoint: the next record to process */
  int in_flight;
  int attempts; /* failed invocations of the batch at pos */
  size_t limit; /* a bisected batch's size; 0 = BatchSize */
  int64_t retry_at; /* deadline timeline; 0 = now */
  /* Tumbling window in progress: its start (epoch ms), the state the
   * function returned last, and a final invocation owed before the next
   * batch because the state outgrew 1 MB. */
  int win_open, early;
  int64_t win_start;
  json_t *state;
} aev__mpart;

typedef struct aev__mshard {
  uint32_t id;
  int state; /* 0 waiting for parents, 1 reading, 2 done */
  aev__mpart *parts;
  int nparts; /* the ParallelizationFactor its records are split by */
  /* After a change of ParallelizationFactor (mapping_run.c's
   * repartition()): the old partitions' checkpoints, by old partition, up
   * to seen_end; a record below its old partition's is not read again. */
  uint64_t *seen;
  int nseen;
  uint64_t seen_end;
} aev__mshard;

typedef struct aev__mapping {
  struct aev__mapping *next; /* on the stream's list (stream mu) */
  _Atomic long refs;
  _Atomic int pump_posted;
  _Atomic int deleted;
  /* Enabled false (Create or Update): the mapping keeps its checkpoints
   * and starts no batch; enabled again, it reads on from them. */
  _Atomic int disabled;
  char uuid[AEV_UUID_LEN + 1];
  aev_broker *b;
  aev_stream *s; /* a counted handle */
  /* EventSourceArn as given when it names one of s's enhanced fan-out
   * consumers (the mapping reads s through it), else NULL. */
  char *consumer_arn;
  char *function_arn, *on_failure;
  char *starting;  /* StartingPosition */
  int64_t start_ts_ms;
  /* factor: ParallelizationFactor; a shard takes a new one when it has
   * no batch in flight (mapping_run.c) */
  int batch_size, window_s, factor, bisect, max_retries, max_age_s;
  int tumbling_s; /* TumblingWindowInSeconds, 0 = none */
  int report_failures;
  json_t *filters; /* FilterCriteria as given, or NULL */
  aev_pattern *patterns[5];
  int npatterns;
  int64_t modified_ms;
  aev__tap *tap;
  aev__strand *strand;
  aev__timer timer;
  aev__mshard *shards;
  size_t nshards;
  char last_result[64];
  /* A pipe's poller (aev__stream_mapping_sink_new): no function; batches
   * go to sink, which completes them as an invocation would. */
  aev__stream_sink sink;
} aev__mapping;

void aev__mapping_unref(aev__mapping *m);
/* The mapping's EventSourceArn: its consumer's ARN, or its stream's. */
const char *aev__mapping_source_arn(const aev__mapping *m);
/* Posts a pump to the mapping's strand unless one is pending; AEV_OK, or
 * out of memory (no pump posted). */
int aev__mapping_wake(aev__mapping *m);

/* mapping_event.c */
char *aev__mapping_event(const aev__mapping *m, const aev__mbatch *bt);
/* 1 when the record passes the mapping's filters (or it has none), 0 when
 * it does not, -1 when out of memory. */
int aev__mapping_passes(const aev__mapping *m, const aev__mrec *r);
/* Lambda's failure record for a batch sent to the OnFailure destination;
 * invokes 0 (records that aged out unread) leaves out responseContext. */
char *aev__mapping_failure(const aev__mapping *m, const aev__mbatch *bt,
                           const char *condition, int invokes,
                           const char *function_error);

/* mapping.c: ResourceNotFoundException for a mapping that does not exist. */
int aev__mapping_not_found(const char *uuid);
/* mapping.c: AEV_OK when dest may be a stream mapping's OnFailure
 * destination (a queue, a topic or a function), else
 * InvalidParameterValueException. */
int aev__mapping_check_destination(const char *dest);
/* mapping.c: the integer member name of a Create / UpdateEventSourceMapping
 * request into *out, left as it is when absent or null: not an integer is
 * InvalidParameterValueException, outside min..max the ValidationException
 * of Lambda's request model (member: its name in the message). */
int aev__mapping_range(json_t *req, const char *name, const char *member,
                       long long min, long long max, int *out);
/* mapping.c: InvalidParameterValueException unless a
 * MaximumRecordAgeInSeconds is -1 or 60..604,800 (the caller checked
 * -1..604,800). */
int aev__mapping_record_age_check(int age_s);
/* mapping.c: the boolean member name of a Create / UpdateEventSourceMapping
 * request into *out, left as it is when absent or null; a value of
 * another type is InvalidParameterValueException. */
int aev__mapping_flag(json_t *req, const char *name, int *out);
/* mapping.c: a request's FunctionResponseTypes into *report_failures (left
 * as it is when absent): a list holding only ReportBatchItemFailures, or
 * null / [] for none; anything else is InvalidParameterValueException. */
int aev__mapping_response_types(json_t *req, int *report_failures);
/* mapping.c: FunctionResponseTypes and DestinationConfig as a mapping's
 * description shows them; NULL when out of memory. */
json_t *aev__mapping_response_types_json(int report_failures);
json_t *aev__mapping_destination_json(const char *on_failure);

/* mapping_window.c: tumbling windows. The start of the window holding
 * arrival_ms, and a window's end (epoch ms). */
int64_t aev__window_of(const aev__mapping *m, int64_t arrival_ms);
int64_t aev__window_end(const aev__mapping *m, int64_t start_ms);
/* The "state" object of a function's response (a new reference), or NULL
 * when it has none: a failed invocation. */
json_t *aev__window_state(const char *payload);
/* A batch of the window starting at win_start succeeded: keeps its state
 * (the reference is taken); over 1 MB, a final invocation is owed. */
void aev__window_keep(aev__mpart *part, int64_t win_start, json_t *state);
/* The final invocation returned: clears the window, or (failed) holds
 * the partition and retries with backoff from mnow (deadline timeline). */
void aev__window_final_done(aev__mpart *part, int ok, int64_t mnow);

/* mapping_run.c: the strand task that reads and dispatches batches, and
 * the shard bookkeeping it starts with (stream mu held; at creation it
 * fixes where LATEST begins). -1 when out of memory: shards not taken in
 * yet are taken in by the next sync. */
int aev__mapping_sync(aev__mapping *m, aev_stream *s, int64_t now);
void aev__mapping_pump(void *arg, int cancelled);

#endif
