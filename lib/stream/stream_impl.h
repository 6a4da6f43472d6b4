/* Internal to lib/stream: the stream object, its shards, their stored
 * records, throughput buckets and enhanced fan-out consumers. Every field
 * below `mu` is guarded by mu. */
#ifndef AEV_STREAM_IMPL_H
#define AEV_STREAM_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "awsevents/stream.h"
#include "core/registry.h"
#include "core/sched.h"
#include "core/window.h"

__extension__ typedef unsigned __int128 aev__u128;

#define AEV__U128_MAX (~(aev__u128)0)
#define AEV__ITERATOR_TTL_MS (5 * 60 * 1000)
#define AEV__GET_LIMIT 10000
#define AEV__GET_MAX_BYTES (10u << 20)
#define AEV__PUT_MAX_RECORDS 500
/* PutRecords' whole request, keys included: 10 MiB since AWS took records
 * of up to 10 MiB (it was 5 MiB before), whatever a stream's largest. */
#define AEV__PUT_MAX_BYTES (10u << 20)
/* UpdateMaxRecordSize's range, in KiB (1 to 10 MiB). */
#define AEV__MIN_RECORD_KIB 1024
#define AEV__MAX_RECORD_KIB 10240
#define AEV__MAX_SHARDS 10000
#define AEV__MAX_CONSUMERS 20
#define AEV__ON_DEMAND_SHARDS 4
#define AEV__ON_DEMAND_MAX_SHARDS 200
#define AEV__RESHARDS_PER_DAY 10
#define AEV__MODE_CHANGES_PER_DAY 2
#define AEV__KEY_CHANGES_PER_DAY 25

/* A stored record, packed in a chunk: the partition key then the data. */
typedef struct aev__krec {
  int64_t arrival_ms;
  uint32_t len;
  uint16_t key_len;
  uint8_t encrypted; /* written while the stream had a KMS key */
  char bytes[];
} aev__krec;

/* Records live in append-only chunks, so trimming frees whole chunks. */
typedef struct aev__kchunk {
  struct aev__kchunk *next;
  uint64_t last; /* index of its last record */
  size_t used, cap;
  _Alignas(8) unsigned char mem[];
} aev__kchunk;

/* A token bucket on the broker clock: `level` units, refilled at `rate`
 * per second up to `rate` (one second's worth), may go negative (a
 * GetRecords answering 10 MiB throttles reads for the next seconds). */
typedef struct aev__bucket {
  double level;
  int64_t at_ms;
} aev__bucket;

typedef struct aev_subscription aev__sub;

typedef struct aev__shard {
  uint32_t id; /* the number in shardId-%012u */
  aev__u128 start, end;
  int64_t parent, adjacent; /* shard ids, -1 for none */
  int64_t created_s;        /* epoch s: sequence numbers carry it */
  char seq_prefix[24]; /* "49", created_s, tag, id: the fixed digits */
  char id_text[AEV_SHARD_ID_SIZE]; /* "shardId-%012u" */
  int closed;
  int64_t closed_ms; /* epoch ms when closed */
  /* storage: recs[head + i] is record first + i; next == first + n */
  aev__krec **recs;
  size_t head, n, cap;
  uint64_t first, next;
  aev__kchunk *chunks, *chunk_tail;
  int64_t last_arrival;
  int64_t trimmed_to; /* the horizon of the last trim */
  /* The last appended record's sequence number, its index and arrival:
   * the next one's is this one's counted up. */
  char last_seq[AEV_STREAM_SEQUENCE_SIZE];
  uint64_t last_seq_index;
  int64_t last_seq_ms;
  /* The PutRecords call that last stored here, and the shard's slot in
   * that call's result. */
  uint64_t put_call;
  uint16_t put_slot;
  aev__bucket w_bytes, w_recs, r_bytes, r_calls, iter_calls;
  aev__sub *subs; /* enhanced fan-out subscriptions on this shard */
  /* On-demand streams: write demand in broker-clock second demand_s, and
   * the last second it exceeded the shard's capacity. */
  int64_t demand_s, hot_s;
  uint32_t demand_recs;
  size_t demand_bytes;
} aev__shard;

typedef struct aev__consumer {
  struct aev__consumer *next;
  char *name, *arn;
  int64_t created_s;
  int active; /* CREATING until the broker runs the change */
  json_t *tags; /* TagResource's; NULL until first tagged */
  char *policy; /* PutResourcePolicy's text; NULL: none */
} aev__consumer;

/* A resharding change waiting for the broker to run it. */
typedef struct aev__reshard {
  int kind; /* 0 split, 1 merge, 2 update count, 3 a setting, 4 warm */
  uint32_t a, b;
  aev__u128 key;
  int target;
  int64_t asked_ms; /* update count: when it was asked (counted once it ran) */
} aev__reshard;

struct aev_stream {
  aev__resource res; /* first: the registry's view */
  uint32_t tag;      /* sequence numbers and iterators carry it */
  uint64_t secret;   /* keys the iterators' check value */
  atomic_uint_least64_t iterators; /* iterators issued: each one differs */
  pthread_mutex_t mu;
  int on_demand;
  int status; /* AEV__STATUS_* */
  int throttling;
  _Atomic size_t max_record; /* read by the put checks without mu */
  int retention_h;
  int64_t created_ms;
  json_t *tags;
  char *policy; /* PutResourcePolicy's text; NULL: none */
  aev__shard *shards; /* every shard ever, by id */
  size_t nshards, shards_cap;
  uint32_t *open; /* ids of the open shards, by hash range */
  aev__u128 *open_start; /* their StartingHashKeys, in the same order */
  uint64_t put_calls; /* PutRecords calls so far */
  size_t nopen, open_cap;
  aev__reshard pending;
  int64_t reshards[AEV__RESHARDS_PER_DAY]; /* UpdateShardCount times */
  int64_t mode_changes[AEV__MODE_CHANGES_PER_DAY]; /* UpdateStreamMode */
  int64_t key_changes[AEV__KEY_CHANGES_PER_DAY]; /* StartStreamEncryption */
  /* Warm throughput (UpdateStreamWarmThroughput): the MiB/s asked for,
   * and when the billing commitment it was asked under started (0: none
   * asked). It lasts as long as that commitment and the ON_DEMAND mode. */
  int warm_mibps;
  int64_t warm_commitment;
  char *kms_key;    /* StartStreamEncryption's KeyId; NULL: NONE */
  /* Records are written encrypted: kms_key is set and the change that set
   * it has run (AWS encrypts new records once the stream is ACTIVE again,
   * and keeps encrypting until a stop has run). */
  uint8_t encrypting;
  unsigned metrics; /* enhanced monitoring: bit i is aev__metric_names[i] */
  aev__consumer *consumers;
  int nconsumers;
  struct aev__tap *taps;
  struct aev__mapping *mappings; /* event-source mappings reading it */
};

enum { AEV__STATUS_ACTIVE, AEV__STATUS_UPDATING };

/* hashkey.c */
aev__u128 aev__hash_of_key(const char *key, size_t len);
/* The hash keys of keys[i] (lens[i] bytes) into out[i], for every i whose
 * explicit_keys[i] is NULL (explicit_keys may be NULL), several at once. */
void aev__hash_of_keys(size_t n, const char *const *keys, const size_t *lens,
                       const char *const *explicit_keys, aev__u128 *out);
/* Parses a decimal 0..2^128-1: 0 on success, -1 when the text does not
 * match the API model's pattern "0|([1-9]\d{0,38})", 1 when it does but
 * is 2^128 or more (*out is then the largest key). */
int aev__u128_parse(const char *text, aev__u128 *out);
/* Writes the decimal and a NUL into out[40]. */
void aev__u128_format(aev__u128 v, char *out);
/* Shard i of n dividing 2^128 evenly, as AWS does. */
void aev__hash_range(int i, int n, aev__u128 *start, aev__u128 *end);

/* seqno.c: 56-digit sequence numbers, increasing per shard. The shard's
 * fixed leading digits, computed once when it is added. */
void aev__seq_prefix(const aev_stream *s, aev__shard *sh);
void aev__seq_encode(const aev_stream *s, const aev__shard *sh,
                     uint64_t index, int64_t arrival_ms, char *out);
/* Turns seq, a sequence number whose record arrived at prev_ms, into the
 * next index's in the same shard arriving at arrival_ms, in place. */
void aev__seq_step(char *seq, int64_t prev_ms, int64_t arrival_ms);
/* The sequence number of the record just appended at index (mu held),
 * stepped from the previous one's when that was index - 1. */
void aev__seq_appended(const aev_stream *s, aev__shard *sh, uint64_t index,
                       int64_t arrival_ms, char *out);
/* 0 with *index when text is a sequence number of this stream and shard;
 * -1 when it is not a sequence number at all; -2 when it encodes another
 * shard (*index is then that shard's id); -3 when it is of this shard's
 * number but of another stream. */
int aev__seq_decode(const aev_stream *s, const aev__shard *sh,
                    const char *text, uint64_t *index);
/* "shardId-%012u" into out[AEV_SHARD_ID_SIZE]. */
void aev__shard_id_format(uint32_t id, char *out);
/* The shard named by text (mu held), or NULL. */
aev__shard *aev__shard_find(aev_stream *s, const char *text);

/* shard.c (mu held) */
int aev__shard_append(aev__shard *sh, const char *key, size_t key_len,
                      const void *data, size_t len, int64_t now_ms,
                      int encrypted, uint64_t *index);
aev__krec *aev__shard_at(const aev__shard *sh, uint64_t index);
/* Drops records older than the retention (lazily, on reads and writes). */
void aev__shard_trim(aev__shard *sh, int64_t horizon_ms);
/* First index whose arrival is >= ms. */
uint64_t aev__shard_seek_time(const aev__shard *sh, int64_t ms);
void aev__shard_free(aev__shard *sh);
/* Closed and past retention: left out of listings (EXPIRED). */
int aev__shard_expired(const aev_stream *s, const aev__shard *sh,
                       int64_t now_ms);
/* The shard's StartingSequenceNumber / EndingSequenceNumber. */
void aev__shard_start_seq(const aev_stream *s, const aev__shard *sh,
                          char *out);
void aev__shard_end_seq(const aev_stream *s, const aev__shard *sh,
                        char *out);
/* Room for n more shards (mu held): the next n aev__shard_add() cannot
 * fail. AEV_OK or out of memory. */
int aev__shards_reserve(aev_stream *s, size_t n);
/* Adds a shard (mu held); returns it or NULL on memory exhaustion. */
aev__shard *aev__shard_add(aev_stream *s, aev__u128 start, aev__u128 end,
                           int64_t parent, int64_t adjacent, int64_t now_ms);

/* Room for n open shards in the open-shard index (mu held): rebuilding it
 * for at most n cannot fail. AEV_OK or out of memory. */
int aev__stream_index_reserve(aev_stream *s, size_t n);
/* Rebuilds the open-shard index after shards open or close (mu held). */
int aev__stream_index_open(aev_stream *s);
/* The open shard whose range holds hash (mu held). */
aev__shard *aev__stream_route(aev_stream *s, aev__u128 hash);

/* throttle.c: takes amount from the bucket if its level is positive
 * (refilled at rate per second); 0 when taken, -1 when throttled. */
int aev__bucket_take(aev__bucket *bk, double rate, double amount,
                     int64_t now_ms);
/* Takes amount only when the bucket holds all of it (call counts). */
int aev__bucket_take_whole(aev__bucket *bk, double rate, double amount,
                           int64_t now_ms);
/* Checks a write of n records and bytes against both write buckets. */
int aev__shard_write_ok(aev__shard *sh, size_t bytes, int64_t now_ms);

/* stream.c */
int64_t aev__stream_now_ms(const aev_stream *s);
/* AEV_OK, or ResourceNotFoundException after DeleteStream. */
int aev__stream_check(const aev_stream *s);
/* Retention horizon in epoch ms. */
int64_t aev__stream_horizon(const aev_stream *s, int64_t now_ms);

/* describe.c (mu held): a shard in AWS's Shard shape; ChildShards. NULL
 * when out of memory. */
json_t *aev__shard_json(const aev_stream *s, const aev__shard *sh);
json_t *aev__child_shards_json(const aev_stream *s, const aev__shard *sh);

/* iterator.c */
int aev__iterator_position(aev_stream *s, aev__shard *sh, const char *type,
                           const char *seq, int64_t ts_ms, uint64_t *pos);
char *aev__iterator_encode(aev_stream *s, uint32_t shard,
                           uint64_t pos, int64_t issued_ms);
/* Decodes and checks an iterator: *s is a new handle. */
int aev__iterator_decode(aev_broker *b, const char *text, aev_stream **s,
                         uint32_t *shard, uint64_t *pos);

/* records.c: a batch from sh starting at *pos (mu held); moves *pos. */
int aev__records_read(aev_stream *s, aev__shard *sh, uint64_t *pos,
                      int limit, size_t max_bytes, aev_records **out);
/* Finishes a batch: next iterator or continuation, child shards. */
int aev__records_finish(aev_stream *s, aev__shard *sh, aev_records *r,
                        uint64_t pos, int subscription);

/* fanout.c */
/* New records on sh: wakes its subscriptions (mu held; they run later). */
void aev__fanout_notify(aev_stream *s, aev__shard *sh);
/* Stream deleted or consumer deregistered (name NULL = all): ends subs. */
void aev__fanout_end(aev_stream *s, const char *consumer);
/* SubscribeToShard for a caller that cannot take pushes (aev_call): the
 * same checks and takeover as aev_stream_subscribe(), then the events it
 * would push at once, from the starting position to the tip (at least
 * one), in *events (n batches; free each, then the array). The
 * subscription ends there, as if the client closed the stream. */
int aev__fanout_snapshot(aev_broker *b, const char *consumer_arn,
                         const char *shard_id, const char *type,
                         const char *sequence_number, int64_t timestamp_ms,
                         aev_records ***events, size_t *n);

/* consumers.c: the consumer named, or with that ARN (mu held), or NULL. */
aev__consumer *aev__consumer_find(aev_stream *s, const char *name);
aev__consumer *aev__consumer_by_arn(aev_stream *s, const char *arn);
void aev__consumer_free(aev__consumer *c);

/* mapping.c: stream deleted or broker shut down: stops its mappings. */
void aev__stream_mappings_stop(aev_stream *s);

/* reshard.c: runs the pending change (mu held). */
void aev__reshard_apply(aev_stream *s);
/* The shards open once the pending change has run, if it opens more
 * (mu held): what the account's shard quota counts from the request on,
 * as two requests that each fit it must not pass it together. */
size_t aev__reshard_open_after(const aev_stream *s);
/* A setting changed at once (mu held, stream ACTIVE): the stream is
 * UPDATING until the broker runs the change, as AWS's are for a while.
 * AEV_OK, or out of memory with the stream still ACTIVE. */
int aev__stream_updating(aev_stream *s);

/* On-demand scaling (mu held): splits shard id at its midpoint unless a
 * change is pending. */
void aev__reshard_auto_split(aev_stream *s, uint32_t id);
/* Warm throughput (mu held, stream ACTIVE): the open shards become target
 * (1 MiB/s of writes each) as a change the broker runs, the stream
 * UPDATING until then. Not one of UpdateShardCount's daily scalings.
 * AEV_OK, or out of memory with the stream still ACTIVE. */
int aev__reshard_warm(aev_stream *s, int target);
/* The open shards as the account's shard quota counts them (a pending
 * change run); takes mu. */
int aev__reshard_open_count(aev_stream *s);

/* ondemand.c: counts a write of bytes offered to sh of an on-demand
 * stream and scales the stream when the demand is sustained (mu held). */
void aev__ondemand_note(aev_stream *s, aev__shard *sh, size_t bytes,
                        int64_t now_ms);
/* Forgets the demand counted so far (mu held), when a stream switches to
 * ON_DEMAND: what was counted before it was provisioned is not a sustained
 * demand now. */
void aev__ondemand_reset(aev_stream *s);

/* errors.c: Kinesis's wording. */
int aev__kin_no_stream(const aev_broker *b, const char *name);
int aev__kin_no_shard(const aev_stream *s, const char *shard);
/* The same, for a stream that is not there: GetShardIterator and
 * GetRecords name the shard asked for even then, as AWS does. */
int aev__kin_no_shard_in(const aev_broker *b, const char *stream, const char *shard);
int aev__kin_no_consumer(const aev_stream *s, const char *name_or_arn);
/* The stream (consumer_arn NULL) or its consumer, not found. */
int aev__kin_no_resource(const aev_stream *s, const char *consumer_arn);
int aev__kin_invalid(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
int aev__kin_validation(const char *value, const char *member,
                        const char *constraint);
/* A string member against its API model shape: pattern (matches(), NULL
 * for none, worded as pattern), then length min..max characters (max 0:
 * none). AWS's ValidationException names each failed constraint in a
 * clause of its own ("2 validation errors detected: ...; ..."). */
int aev__kin_check_string(const char *member, const char *value, int (*matches)(const char *),
                          const char *pattern, size_t min, size_t max);
/* The API model's patterns, matched whole: SequenceNumber
 * 0|([1-9]\d{0,128}); StreamARN arn:aws.*:kinesis:.*:\d{12}:stream/\S+
 * (some ":" + 12 digits + ":stream/" after ":kinesis:", then at least one
 * character and no white space to the end). */
int aev__kin_sequence_number_ok(const char *s);
int aev__kin_stream_arn_ok(const char *arn);
int aev__kin_in_use(const aev_stream *s);
int aev__kin_throttled(const aev_stream *s, const aev__shard *sh);

#endif
