/* Stream, delivery-stream, function and state-machine calls that fail for
 * want of memory (nomem.h): each allocation of the call fails in turn, and
 * the call must then answer AEV_ERR_NOMEM with what was stored as it was
 * and no output set, or succeed whole. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "aevtest.h"
#include "bus_support.h"
#include "nomem.h"

/* ---- The sweep (nomem.h) ------------------------------------------- */

/* The sweep, then again with fresh(ctx) making new objects before each
 * attempt's own setup: an attempt that fails may leave capacity grown (an
 * array, a table), so that the next attempt makes one allocation fewer
 * and skips one. */
static void sweep_twice(const nomem_case *c, void *ctx, void (*fresh)(void *ctx)) {
  nomem_sweep(c, ctx);
  char what[128];
  snprintf(what, sizeof what, "%s (fresh)", c->what);
  nomem_case again = *c;
  again.what = what;
  again.fresh = fresh;
  nomem_sweep(&again, ctx);
}

/* A new broker for each attempt of a create (its registry starts empty
 * every time). Every context below starts with its broker and holds
 * nothing else between the attempts of a create. */
static void new_broker(void *ctx) {
  aev_broker **b = ctx;
  aev_broker_destroy(*b);
  *b = bt_broker();
}

/* A library JSON output parsed (and freed); NULL text gives JSON null. */
static json_t *parsed(char *text) {
  json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : json_null();
  ck_assert_ptr_nonnull(j);
  aev_free(text);
  return j;
}

static json_t *at(json_t *j, const char *key) { return json_object_get(j, key); }

/* ---- Streams ---------------------------------------------------------- */

typedef struct stream_ctx {
  aev_broker *b;
  const char *name;
  aev_stream *s; /* the stream under test, or the one created */
  int shards, throttling;
  /* outputs */
  char shard_id[AEV_SHARD_ID_SIZE], seq[AEV_STREAM_SEQUENCE_SIZE];
  char *text;
  aev_put_result *put;
  aev_records *recs;
} stream_ctx;

/* The records of every shard (TRIM_HORIZON to the tip) as [seq, key,
 * data, arrival], read with throttling off so that reading takes nothing
 * from the shards' buckets. */
static json_t *stream_records(stream_ctx *c, aev_stream *s, json_t *desc) {
  json_t *out = json_object(), *sh;
  size_t i;
  bt_ok(aev_stream_set_throttling(s, 0));
  json_array_foreach(at(desc, "Shards"), i, sh) {
    const char *id = json_string_value(at(sh, "ShardId"));
    char *it;
    bt_ok(aev_stream_iterator(s, id, "TRIM_HORIZON", NULL, 0, &it));
    aev_records *r;
    bt_ok(aev_stream_get_records(c->b, it, 0, &r));
    aev_free(it);
    json_t *list = json_array();
    for (size_t j = 0; j < aev_records_count(r); j++) {
      size_t len;
      const char *data = aev_records_data(r, j, &len);
      json_array_append_new(list, json_pack("[s s s% I]", aev_records_sequence_number(r, j),
                                            aev_records_partition_key(r, j), data, len,
                                            (json_int_t)aev_records_arrival_ms(r, j)));
    }
    aev_records_free(r);
    json_object_set_new(out, id, list);
  }
  bt_ok(aev_stream_set_throttling(s, c->throttling));
  return out;
}

/* Stream c->name as DescribeStream, its tags, consumers and records; JSON
 * null when there is no such stream. */
static json_t *stream_state(void *ctx) {
  stream_ctx *c = ctx;
  aev_stream *s;
  int rc = aev_stream_get(c->b, c->name, &s);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "get: %d %s", rc, aev_errmsg());
  if (rc) return json_null();
  char *text;
  bt_ok(aev_stream_describe(s, &text));
  json_t *desc = parsed(text);
  bt_ok(aev_stream_list_tags(s, &text));
  json_t *tags = parsed(text);
  bt_ok(aev_stream_list_consumers(s, &text));
  json_t *consumers = parsed(text);
  json_t *st = json_pack("{s:o s:o s:o s:o}", "records", stream_records(c, s, desc), "desc", desc,
                         "tags", tags, "consumers", consumers);
  aev_stream_release(s);
  return st;
}

static size_t record_count(json_t *st) {
  size_t n = 0;
  const char *k;
  json_t *v;
  json_object_foreach(at(st, "records"), k, v) n += json_array_size(v);
  return n;
}

/* A fresh stream c->name of c->shards shards (the old one deleted). */
static void fresh_stream(void *ctx) {
  stream_ctx *c = ctx;
  if (c->s) {
    bt_ok(aev_stream_delete(c->s, 1));
    aev_stream_release(c->s);
  }
  bt_ok(aev_stream_create(c->b, c->name, c->shards, &c->s));
  bt_ok(aev_stream_set_throttling(c->s, c->throttling));
}

static void stream_ctx_init(stream_ctx *c, const char *name, int shards) {
  memset(c, 0, sizeof *c);
  c->b = bt_broker();
  c->name = name;
  c->shards = shards;
}

static void stream_ctx_end(stream_ctx *c) {
  aev_stream_release(c->s);
  aev_broker_destroy(c->b);
}

/* CreateStream */

static int create_stream(void *ctx) {
  stream_ctx *c = ctx;
  c->s = NULL;
  return aev_stream_create(c->b, c->name, c->shards, &c->s);
}

static void stream_created(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert(json_is_null(a->was));
  ck_assert_ptr_nonnull(c->s);
  json_t *desc = at(a->now, "desc");
  ck_assert_str_eq(json_string_value(at(desc, "StreamStatus")), "ACTIVE");
  ck_assert_uint_eq(json_array_size(at(desc, "Shards")), c->shards ? (size_t)c->shards : 4);
  ck_assert_str_eq(json_string_value(at(at(desc, "StreamModeDetails"), "StreamMode")),
                   c->shards ? "PROVISIONED" : "ON_DEMAND");
  bt_ok(aev_stream_delete(c->s, 1));
  aev_stream_release(c->s);
  c->s = NULL;
}

static void stream_not_created(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((stream_ctx *)ctx)->s);
}

START_TEST(stream_create) {
  static const nomem_case sc = {.what = "CreateStream", .state = stream_state,
                                .call = create_stream, .succeeded = stream_created,
                                .failed = stream_not_created};
  for (int shards = 0; shards <= 3; shards += 3) {
    stream_ctx c;
    stream_ctx_init(&c, "created", shards);
    sweep_twice(&sc, &c, new_broker);
    stream_ctx_end(&c);
  }
}
END_TEST

/* PutRecord */

static int put_record(void *ctx) {
  stream_ctx *c = ctx;
  memset(c->shard_id, 0, sizeof c->shard_id);
  memset(c->seq, 0, sizeof c->seq);
  return aev_stream_put(c->s, "payload", 7, "key", NULL, NULL, c->shard_id, c->seq);
}

static void record_put(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_uint_eq(record_count(a->now), record_count(a->was) + 1);
  json_t *list = at(at(a->now, "records"), c->shard_id), *last;
  ck_assert_uint_gt(json_array_size(list), 0);
  last = json_array_get(list, json_array_size(list) - 1);
  ck_assert_str_eq(json_string_value(json_array_get(last, 0)), c->seq);
  ck_assert_str_eq(json_string_value(json_array_get(last, 2)), "payload");
}

static void record_not_put(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_str_eq(c->shard_id, "");
  ck_assert_str_eq(c->seq, "");
}

START_TEST(stream_put_record) {
  static const nomem_case sc = {.what = "PutRecord", .state = stream_state, .call = put_record,
                                .succeeded = record_put, .failed = record_not_put};
  stream_ctx c;
  stream_ctx_init(&c, "put", 2);
  fresh_stream(&c);
  sweep_twice(&sc, &c, fresh_stream);
  stream_ctx_end(&c);
}
END_TEST

/* PutRecords: 6 records over 3 shards; with throttling on, a shard whose
 * write bucket is empty fails its records one by one. */

static const char *const keys6[] = {"a", "b", "c", "d", "e", "f"};
static const char *const data6[] = {"r0", "r1", "r2", "r3", "r4", "r5"};
static const size_t lens6[] = {2, 2, 2, 2, 2, 2};

static int put_records(void *ctx) {
  stream_ctx *c = ctx;
  c->put = NULL;
  return aev_stream_put_records(c->s, 6, (const void *const *)data6, lens6, keys6, NULL,
                                &c->put);
}

/* Each entry of the result either names a stored record or carries an
 * error code and message; the stored ones are exactly the new records. */
static void records_put(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_ptr_nonnull(c->put);
  ck_assert_uint_eq(aev_put_result_count(c->put), 6);
  size_t stored = 0;
  for (size_t i = 0; i < 6; i++) {
    const char *sh = aev_put_result_shard_id(c->put, i), *seq = aev_put_result_sequence_number(c->put, i);
    if (!sh) {
      ck_assert_ptr_null(seq);
      ck_assert_ptr_nonnull(aev_put_result_error_code(c->put, i));
      ck_assert_ptr_nonnull(aev_put_result_error_message(c->put, i));
      continue;
    }
    stored++;
    json_t *list = at(at(a->now, "records"), sh), *r;
    size_t j, found = 0;
    json_array_foreach(list, j, r) found += !strcmp(json_string_value(json_array_get(r, 0)), seq) &&
                                           !strcmp(json_string_value(json_array_get(r, 2)), data6[i]);
    ck_assert_msg(found == 1, "record %zu (%s %s) not stored", i, sh, seq);
  }
  ck_assert_uint_eq(stored, 6 - aev_put_result_failed_count(c->put));
  ck_assert_uint_eq(record_count(a->now), record_count(a->was) + stored);
  aev_put_result_free(c->put);
}

static void records_not_put(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((stream_ctx *)ctx)->put);
}

START_TEST(stream_put_records) {
  static const nomem_case sc = {.what = "PutRecords", .state = stream_state, .call = put_records,
                                .succeeded = records_put, .failed = records_not_put};
  stream_ctx c;
  stream_ctx_init(&c, "puts", 3);
  fresh_stream(&c);
  sweep_twice(&sc, &c, fresh_stream);
  stream_ctx_end(&c);
}
END_TEST

/* A shard's write bucket emptied (1,000 records in one instant of the
 * manual clock): its records of the call are throttled. */
static void throttled_stream(void *ctx) {
  stream_ctx *c = ctx;
  fresh_stream(c);
  static const void *one[500];
  static size_t lens[500];
  static const char *keys[500];
  for (int i = 0; i < 500; i++) {
    one[i] = "x";
    lens[i] = 1;
    keys[i] = "a"; /* the same shard as keys6[0] */
  }
  for (int round = 0; round < 2; round++) {
    aev_put_result *r;
    bt_ok(aev_stream_put_records(c->s, 500, one, lens, keys, NULL, &r));
    aev_put_result_free(r);
  }
}

START_TEST(stream_put_records_throttled) {
  static const nomem_case sc = {.what = "PutRecords (throttled)", .setup = throttled_stream,
                                .state = stream_state, .call = put_records,
                                .succeeded = records_put, .failed = records_not_put};
  stream_ctx c;
  stream_ctx_init(&c, "throttled", 3);
  c.throttling = 1;
  nomem_sweep(&sc, &c);
  stream_ctx_end(&c);
}
END_TEST

/* GetShardIterator then GetRecords */

static int iterate(void *ctx) {
  stream_ctx *c = ctx;
  c->text = NULL;
  c->recs = NULL;
  int rc = aev_stream_iterator(c->s, "shardId-000000000000", "TRIM_HORIZON", NULL, 0, &c->text);
  if (rc == AEV_OK) {
    rc = aev_stream_get_records(c->b, c->text, 0, &c->recs);
    aev_free(c->text);
    c->text = NULL;
  }
  return rc;
}

static void iterated(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert(json_equal(a->was, a->now));
  ck_assert_uint_eq(aev_records_count(c->recs), 3);
  size_t len;
  ck_assert_str_eq(aev_records_data(c->recs, 2, &len), "three");
  ck_assert_ptr_nonnull(aev_records_next_iterator(c->recs));
  aev_records_free(c->recs);
}

static void not_iterated(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_ptr_null(c->text);
  ck_assert_ptr_null(c->recs);
}

/* A new stream with three records. */
static void fresh_records(void *ctx) {
  stream_ctx *c = ctx;
  fresh_stream(c);
  const char *texts[] = {"one", "two", "three"};
  for (int i = 0; i < 3; i++)
    bt_ok(aev_stream_put(c->s, texts[i], strlen(texts[i]), "k", NULL, NULL, NULL, NULL));
}

START_TEST(stream_iterator_and_records) {
  static const nomem_case sc = {.what = "GetShardIterator+GetRecords", .state = stream_state,
                                .call = iterate, .succeeded = iterated, .failed = not_iterated};
  stream_ctx c;
  stream_ctx_init(&c, "read", 1);
  fresh_records(&c);
  sweep_twice(&sc, &c, fresh_records);
  stream_ctx_end(&c);
}
END_TEST

/* SplitShard and MergeShards: the stream turns UPDATING; the change runs
 * at the next drain. */

static int split(void *ctx) {
  stream_ctx *c = ctx;
  return aev_stream_split_shard(c->s, "shardId-000000000000", "100");
}

static int merge(void *ctx) {
  stream_ctx *c = ctx;
  return aev_stream_merge_shards(c->s, "shardId-000000000000", "shardId-000000000001");
}

/* After the change: open shards (no EndingSequenceNumber) as expected. */
static void resharded(void *ctx, json_t *was, json_t *now, size_t open_after) {
  stream_ctx *c = ctx;
  ck_assert_str_eq(json_string_value(at(at(was, "desc"), "StreamStatus")), "ACTIVE");
  ck_assert_str_eq(json_string_value(at(at(now, "desc"), "StreamStatus")), "UPDATING");
  aev_broker_drain(c->b);
  json_t *st = stream_state(c), *sh;
  ck_assert_str_eq(json_string_value(at(at(st, "desc"), "StreamStatus")), "ACTIVE");
  size_t i, open = 0;
  json_array_foreach(at(at(st, "desc"), "Shards"), i, sh) open +=
      !at(at(sh, "SequenceNumberRange"), "EndingSequenceNumber");
  ck_assert_uint_eq(open, open_after);
  json_decref(st);
}

static void split_done(void *ctx, const nomem_attempt *a) { resharded(ctx, a->was, a->now, 3); }
static void merge_done(void *ctx, const nomem_attempt *a) { resharded(ctx, a->was, a->now, 1); }

START_TEST(stream_split_and_merge) {
  static const nomem_case split_case = {.what = "SplitShard", .setup = fresh_stream,
                                        .state = stream_state, .call = split,
                                        .succeeded = split_done};
  static const nomem_case merge_case = {.what = "MergeShards", .setup = fresh_stream,
                                        .state = stream_state, .call = merge,
                                        .succeeded = merge_done};
  stream_ctx c;
  stream_ctx_init(&c, "reshard", 2);
  nomem_sweep(&split_case, &c);
  nomem_sweep(&merge_case, &c);
  stream_ctx_end(&c);
}
END_TEST

/* The change itself, run by the broker (no caller to answer): out of
 * memory it happens whole or not at all, and the stream is ACTIVE again
 * either way, its open shards covering every hash key. */

static void split_posted(void *ctx) {
  fresh_stream(ctx);
  bt_ok(split(ctx));
}

static void update_posted(void *ctx) {
  fresh_stream(ctx);
  bt_ok(aev_stream_update_shard_count(((stream_ctx *)ctx)->s, 4));
}

static int drain(void *ctx) { return aev_broker_drain(((stream_ctx *)ctx)->b); }

static size_t open_shards(json_t *st) {
  json_t *sh;
  size_t i, open = 0;
  json_array_foreach(at(at(st, "desc"), "Shards"), i, sh) open +=
      !at(at(sh, "SequenceNumberRange"), "EndingSequenceNumber");
  return open;
}

static int changes_undone;

static void change_run(void *ctx, json_t *was, json_t *now, size_t open_after) {
  stream_ctx *c = ctx;
  ck_assert_str_eq(json_string_value(at(at(now, "desc"), "StreamStatus")), "ACTIVE");
  size_t open = open_shards(now);
  if (open != open_after) {
    ck_assert_uint_eq(open, open_shards(was));
    json_object_set_new(at(was, "desc"), "StreamStatus", json_string("ACTIVE"));
    ck_assert(json_equal(was, now));
    changes_undone++;
  }
  const char *ends[] = {"0", "170141183460469231731687303715884105728",
                        "340282366920938463463374607431768211455"};
  for (int i = 0; i < 3; i++) {
    char shard[AEV_SHARD_ID_SIZE];
    bt_ok(aev_stream_put(c->s, "x", 1, "k", ends[i], NULL, shard, NULL));
    json_t *sh;
    size_t j;
    json_array_foreach(at(at(now, "desc"), "Shards"), j, sh) if (!strcmp(
        json_string_value(at(sh, "ShardId")), shard)) ck_assert_msg(!at(at(sh, "SequenceNumberRange"),
                                                                         "EndingSequenceNumber"),
                                                                      "a record went to closed %s", shard);
  }
}

static void split_run(void *ctx, const nomem_attempt *a) { change_run(ctx, a->was, a->now, 3); }
static void update_run(void *ctx, const nomem_attempt *a) { change_run(ctx, a->was, a->now, 4); }

START_TEST(stream_reshard_runs_whole) {
  static const nomem_case split_case = {.what = "SplitShard (run)", .setup = split_posted,
                                        .state = stream_state, .call = drain,
                                        .succeeded = split_run, .expect = NOMEM_NEVER_FAILS};
  static const nomem_case update_case = {.what = "UpdateShardCount (run)", .setup = update_posted,
                                         .state = stream_state, .call = drain,
                                         .succeeded = update_run, .expect = NOMEM_NEVER_FAILS};
  stream_ctx c;
  stream_ctx_init(&c, "reshard", 2);
  changes_undone = 0;
  nomem_sweep(&split_case, &c);
  ck_assert_int_gt(changes_undone, 0);
  changes_undone = 0;
  nomem_sweep(&update_case, &c);
  ck_assert_int_gt(changes_undone, 0);
  stream_ctx_end(&c);
}
END_TEST

/* UpdateStreamWarmThroughput on an on-demand stream of a committed
 * account: posted whole or not at all (the stream's summary, its
 * WarmThroughput and status, as they were), then run whole or not at
 * all. */

static void warm_setup(void *ctx) {
  fresh_stream(ctx);
  bt_ok(aev_stream_update_account_settings(((stream_ctx *)ctx)->b, 1, NULL));
}

static json_t *warm_state(void *ctx) {
  stream_ctx *c = ctx;
  json_t *st = stream_state(ctx);
  char *text;
  bt_ok(aev_stream_describe_summary(c->s, &text));
  json_object_set_new(st, "summary", parsed(text));
  return st;
}

static int warm_stream(void *ctx) {
  return aev_stream_update_warm_throughput(((stream_ctx *)ctx)->s, 8);
}

static void stream_warmed(void *ctx, const nomem_attempt *a) {
  json_t *summary = at(a->now, "summary");
  ck_assert_str_eq(json_string_value(at(summary, "StreamStatus")), "UPDATING");
  ck_assert_int_eq(json_integer_value(at(at(summary, "WarmThroughput"), "TargetMiBps")), 8);
}

static void warm_posted(void *ctx) {
  warm_setup(ctx);
  bt_ok(warm_stream(ctx));
}

static void warm_run(void *ctx, const nomem_attempt *a) {
  json_object_del(a->was, "summary");
  json_object_del(a->now, "summary");
  change_run(ctx, a->was, a->now, 8);
}

START_TEST(stream_warm_throughput) {
  static const nomem_case post_case = {.what = "UpdateStreamWarmThroughput", .setup = warm_setup,
                                       .state = warm_state, .call = warm_stream,
                                       .succeeded = stream_warmed};
  static const nomem_case run_case = {.what = "UpdateStreamWarmThroughput (run)",
                                      .setup = warm_posted, .state = warm_state, .call = drain,
                                      .succeeded = warm_run, .expect = NOMEM_NEVER_FAILS};
  stream_ctx c;
  stream_ctx_init(&c, "warm", AEV_STREAM_ON_DEMAND);
  nomem_sweep(&post_case, &c);
  changes_undone = 0;
  nomem_sweep(&run_case, &c);
  ck_assert_int_gt(changes_undone, 0);
  stream_ctx_end(&c);
}
END_TEST

/* UpdateAccountSettings: the commitment changes with its answer or not at
 * all. Its answer is JSON (jansson allocates unwrapped), so the sweep may
 * find nothing to fail; what it finds must hold. */

static json_t *account_state(void *ctx) {
  char *text;
  bt_ok(aev_stream_describe_account_settings(((stream_ctx *)ctx)->b, &text));
  return parsed(text);
}

static int enable_commitment(void *ctx) {
  stream_ctx *c = ctx;
  c->text = NULL;
  return aev_stream_update_account_settings(c->b, 1, &c->text);
}

static void commitment_enabled(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_str_eq(json_string_value(at(at(a->now, "MinimumThroughputBillingCommitment"),
                                        "Status")),
                   "ENABLED");
  json_t *answer = parsed(c->text);
  ck_assert(json_equal(answer, a->now));
  json_decref(answer);
}

static void commitment_not_enabled(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((stream_ctx *)ctx)->text);
}

START_TEST(stream_account_settings) {
  static const nomem_case sc = {.what = "UpdateAccountSettings", .fresh = new_broker,
                                .state = account_state, .call = enable_commitment,
                                .succeeded = commitment_enabled,
                                .failed = commitment_not_enabled, .expect = NOMEM_ANY};
  stream_ctx c;
  stream_ctx_init(&c, "account", 1);
  nomem_sweep(&sc, &c);
  stream_ctx_end(&c);
}
END_TEST

/* RegisterStreamConsumer */

static int register_consumer(void *ctx) {
  stream_ctx *c = ctx;
  c->text = NULL;
  return aev_stream_register_consumer(c->s, "reader", &c->text);
}

static void consumer_registered(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_uint_eq(json_array_size(at(at(a->was, "consumers"), "Consumers")), 0);
  json_t *list = at(at(a->now, "consumers"), "Consumers");
  ck_assert_uint_eq(json_array_size(list), 1);
  ck_assert_ptr_nonnull(c->text);
  ck_assert_str_eq(json_string_value(at(json_array_get(list, 0), "ConsumerARN")), c->text);
  aev_free(c->text);
  bt_ok(aev_stream_deregister_consumer(c->s, "reader"));
  aev_broker_drain(c->b);
}

static void consumer_not_registered(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((stream_ctx *)ctx)->text);
}

START_TEST(stream_register_consumer) {
  static const nomem_case sc = {.what = "RegisterStreamConsumer", .state = stream_state,
                                .call = register_consumer, .succeeded = consumer_registered,
                                .failed = consumer_not_registered};
  stream_ctx c;
  stream_ctx_init(&c, "fanout", 1);
  fresh_stream(&c);
  sweep_twice(&sc, &c, fresh_stream);
  stream_ctx_end(&c);
}
END_TEST

/* AddTagsToStream: the tags live in JSON (jansson allocates unwrapped),
 * so the sweep may find nothing to fail; what it finds must hold. */

static int tag_stream(void *ctx) {
  return aev_stream_tag(((stream_ctx *)ctx)->s, "{\"team\":\"a\",\"env\":\"b\"}");
}

static void stream_tagged(void *ctx, const nomem_attempt *a) {
  stream_ctx *c = ctx;
  ck_assert_uint_eq(json_array_size(at(at(a->was, "tags"), "Tags")), 0);
  ck_assert_uint_eq(json_array_size(at(at(a->now, "tags"), "Tags")), 2);
  bt_ok(aev_stream_untag(c->s, "[\"team\",\"env\"]"));
}

START_TEST(stream_tags) {
  static const nomem_case sc = {.what = "AddTagsToStream", .state = stream_state,
                                .call = tag_stream, .succeeded = stream_tagged,
                                .expect = NOMEM_ANY};
  stream_ctx c;
  stream_ctx_init(&c, "tagged", 1);
  fresh_stream(&c);
  nomem_sweep(&sc, &c);
  stream_ctx_end(&c);
}
END_TEST

/* ---- Delivery streams (Firehose) --------------------------------------- */

typedef struct fh_ctx {
  aev_broker *b;
  aev_delivery *d;
  const char *config;
  char delivered[4096], expected[4096]; /* what the sink got, what it should */
  char ids[3][AEV_RECORD_ID_SIZE];
} fh_ctx;

static int fh_sink(void *user, const char *key, const void *data, size_t len) {
  (void)key;
  fh_ctx *c = user;
  strncat(c->delivered, data, len);
  return 0;
}

static json_t *fh_state(void *ctx) {
  fh_ctx *c = ctx;
  aev_delivery *d;
  int rc = aev_delivery_get(c->b, "fh", &d);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "get: %d %s", rc, aev_errmsg());
  if (rc) return json_null();
  char *text;
  bt_ok(aev_delivery_describe(d, &text));
  json_t *desc = parsed(text);
  bt_ok(aev_delivery_metrics(d, &text));
  aev_delivery_release(d);
  return json_pack("{s:o s:o}", "desc", desc, "metrics", parsed(text));
}

static json_int_t metric(json_t *st, const char *name) {
  return json_integer_value(at(at(st, "metrics"), name));
}

static void fh_ctx_init(fh_ctx *c, const char *config) {
  memset(c, 0, sizeof *c);
  c->b = bt_broker();
  c->config = config;
}

/* Everything buffered is delivered, and it is what the successful puts
 * put, once each. */
static void fh_ctx_end(fh_ctx *c) {
  if (c->d) {
    bt_ok(aev_delivery_flush(c->d));
    aev_broker_drain(c->b);
    ck_assert_str_eq(c->delivered, c->expected);
    aev_delivery_release(c->d);
  }
  aev_broker_destroy(c->b);
}

static const char *const fh_hints = "{\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}";

/* CreateDeliveryStream (with a sink; and reading a stream) */

static int fh_create(void *ctx) {
  fh_ctx *c = ctx;
  c->d = NULL;
  return aev_delivery_create_with_sink(c->b, "fh", c->config, fh_sink, c, NULL, &c->d);
}

static void fh_created(void *ctx, const nomem_attempt *a) {
  fh_ctx *c = ctx;
  ck_assert(json_is_null(a->was));
  ck_assert_ptr_nonnull(c->d);
  ck_assert_str_eq(json_string_value(at(at(a->now, "desc"), "DeliveryStreamStatus")), "ACTIVE");
  bt_ok(aev_delivery_delete(c->d));
  aev_delivery_release(c->d);
  c->d = NULL;
}

static void fh_not_created(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((fh_ctx *)ctx)->d);
}

START_TEST(delivery_create) {
  static const nomem_case sc = {.what = "CreateDeliveryStream", .state = fh_state,
                                .call = fh_create, .succeeded = fh_created,
                                .failed = fh_not_created};
  fh_ctx c;
  fh_ctx_init(&c, fh_hints);
  sweep_twice(&sc, &c, new_broker);
  fh_ctx_end(&c);
  /* From a stream: a delivery stream not created leaves no tap on it. */
  aev_stream *s;
  fh_ctx_init(&c, NULL);
  bt_ok(aev_stream_create(c.b, "src", 1, &s));
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"DeliveryStreamType\":\"KinesisStreamAsSource\",\"KinesisStreamSourceConfiguration\":"
           "{\"KinesisStreamARN\":\"%s\"},\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}",
           aev_stream_arn(s));
  c.config = cfg;
  nomem_sweep(&sc, &c);
  bt_ok(aev_stream_put(s, "x", 1, "k", NULL, NULL, NULL, NULL));
  aev_stream_release(s);
  fh_ctx_end(&c);
}
END_TEST

/* PutRecord and PutRecordBatch */

static int fh_put(void *ctx) {
  fh_ctx *c = ctx;
  memset(c->ids, 0, sizeof c->ids);
  return aev_delivery_put(c->d, "p|", 2, c->ids[0]);
}

static const char *const fh_batch[] = {"b0|", "b1|", "b2|"};
static const size_t fh_lens[] = {3, 3, 3};

static int fh_put_batch(void *ctx) {
  fh_ctx *c = ctx;
  memset(c->ids, 0, sizeof c->ids);
  char *ids[] = {c->ids[0], c->ids[1], c->ids[2]};
  return aev_delivery_put_batch(c->d, 3, (const void *const *)fh_batch, fh_lens, ids);
}

static void fh_put_done(fh_ctx *c, json_t *was, json_t *now, size_t n) {
  ck_assert_int_eq(metric(now, "IncomingRecords"), metric(was, "IncomingRecords") + (json_int_t)n);
  ck_assert_int_eq(metric(now, "BufferedRecords"), metric(was, "BufferedRecords") + (json_int_t)n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_eq(strlen(c->ids[i]), AEV_RECORD_ID_SIZE - 1);
    strcat(c->expected, n == 1 ? "p|" : fh_batch[i]);
  }
}

static void fh_put_one(void *ctx, const nomem_attempt *a) { fh_put_done(ctx, a->was, a->now, 1); }
static void fh_put_three(void *ctx, const nomem_attempt *a) { fh_put_done(ctx, a->was, a->now, 3); }

static void fh_not_put(void *ctx, const nomem_attempt *a) {
  fh_ctx *c = ctx;
  for (int i = 0; i < 3; i++) ck_assert_str_eq(c->ids[i], "");
}

/* Delivers what the delivery stream holds, then makes it anew. */
static void fh_fresh(void *ctx) {
  fh_ctx *c = ctx;
  bt_ok(aev_delivery_flush(c->d));
  aev_broker_drain(c->b);
  bt_ok(aev_delivery_delete(c->d));
  aev_delivery_release(c->d);
  bt_ok(aev_delivery_create_with_sink(c->b, "fh", fh_hints, fh_sink, c, NULL, &c->d));
}

START_TEST(delivery_put) {
  static const nomem_case one = {.what = "Firehose PutRecord", .state = fh_state, .call = fh_put,
                                 .succeeded = fh_put_one, .failed = fh_not_put};
  static const nomem_case batch = {.what = "Firehose PutRecordBatch", .state = fh_state,
                                   .call = fh_put_batch, .succeeded = fh_put_three,
                                   .failed = fh_not_put};
  fh_ctx c;
  fh_ctx_init(&c, fh_hints);
  bt_ok(aev_delivery_create_with_sink(c.b, "fh", fh_hints, fh_sink, &c, NULL, &c.d));
  sweep_twice(&one, &c, fh_fresh);
  sweep_twice(&batch, &c, fh_fresh);
  /* Into an empty buffer (its first record arms the interval timer). */
  bt_ok(aev_delivery_flush(c.d));
  aev_broker_drain(c.b);
  nomem_sweep(&batch, &c);
  fh_ctx_end(&c);
}
END_TEST

/* A PutRecord that fills the buffer (SizeInMBs 1) seals it into a batch
 * delivered at once; if sealing fails for memory the records wait, and
 * are delivered when the interval ends. Each attempt starts with a new
 * delivery stream holding one record of 1,000 KiB. */

static size_t fh_big_bytes; /* delivered to fh_count */

static int fh_count(void *user, const char *key, const void *data, size_t len) {
  (void)user;
  (void)key;
  (void)data;
  fh_big_bytes += len;
  return 0;
}

static void fh_big_fresh(void *ctx) {
  fh_ctx *c = ctx;
  if (c->d) {
    bt_ok(aev_delivery_delete(c->d));
    aev_delivery_release(c->d);
  }
  bt_ok(aev_delivery_create_with_sink(c->b, "fh", fh_hints, fh_count, c, NULL, &c->d));
  static char big[1000 * 1024];
  bt_ok(aev_delivery_put(c->d, big, sizeof big, NULL));
  fh_big_bytes = 0;
}

static int fh_put_filling(void *ctx) {
  static char more[100 * 1024];
  return aev_delivery_put(((fh_ctx *)ctx)->d, more, sizeof more, NULL);
}

static void fh_filled(void *ctx, const nomem_attempt *a) {
  fh_ctx *c = ctx;
  bt_ok(aev_broker_advance(c->b, 60000));
  ck_assert_uint_eq(fh_big_bytes, 1100 * 1024);
}

START_TEST(delivery_put_seals) {
  static const nomem_case sc = {.what = "Firehose PutRecord (sealing)", .setup = fh_big_fresh,
                                .state = fh_state, .call = fh_put_filling, .succeeded = fh_filled};
  fh_ctx c;
  fh_ctx_init(&c, fh_hints);
  nomem_sweep(&sc, &c);
  aev_delivery_release(c.d);
  c.d = NULL;
  fh_ctx_end(&c);
}
END_TEST

/* Dynamic partitioning: a partitioned stream's creation (processors, the
 * jq query compiled) and its puts (deaggregated, each record routed to a
 * partition or to the error output, partitions made) either happen whole
 * or change nothing. Its bucket is a directory that cannot be made:
 * nothing is written. */

static const char *const fh_partitioned =
    "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\","
    "\"LocalDirectory\":\"/proc/aev-none\",\"BufferingHints\":{\"SizeInMBs\":64,"
    "\"IntervalInSeconds\":60},\"DynamicPartitioningConfiguration\":{\"Enabled\":true},"
    "\"Prefix\":\"k=!{partitionKeyFromQuery:k}/\",\"ErrorOutputPrefix\":"
    "\"e/!{firehose:error-output-type}/!{firehose:random-string}/\",\"ProcessingConfiguration\":"
    "{\"Enabled\":true,\"Processors\":[{\"Type\":\"RecordDeAggregation\",\"Parameters\":"
    "[{\"ParameterName\":\"SubRecordType\",\"ParameterValue\":\"JSON\"}]},"
    "{\"Type\":\"MetadataExtraction\",\"Parameters\":[{\"ParameterName\":"
    "\"MetadataExtractionQuery\",\"ParameterValue\":\"{k: .k | ascii_upcase}\"},"
    "{\"ParameterName\":\"JsonParsingEngine\",\"ParameterValue\":\"JQ-1.6\"}]},"
    "{\"Type\":\"AppendDelimiterToRecord\"}]}}}";

static int fh_create_partitioned(void *ctx) {
  fh_ctx *c = ctx;
  c->d = NULL;
  return aev_delivery_create(c->b, "fh", c->config, &c->d);
}

/* A new partitioned stream holding one record, for each attempt. */
static void fh_partitioned_fresh(void *ctx) {
  fh_ctx *c = ctx;
  if (c->d) {
    bt_ok(aev_delivery_delete(c->d));
    aev_delivery_release(c->d);
  }
  bt_ok(aev_delivery_create(c->b, "fh", fh_partitioned, &c->d));
  bt_ok(aev_delivery_put(c->d, "{\"k\":\"a\"}", 9, NULL));
}

/* Two objects in one record (split), one not JSON, one of an existing
 * partition: four records in all. */
static const char *const fh_part_batch[] = {"{\"k\":\"b\"}{\"k\":\"c\"}", "not json", "{\"k\":\"a\"}"};
static const size_t fh_part_lens[] = {18, 8, 9};

static int fh_put_partitioned(void *ctx) {
  fh_ctx *c = ctx;
  memset(c->ids, 0, sizeof c->ids);
  char *ids[] = {c->ids[0], c->ids[1], c->ids[2]};
  return aev_delivery_put_batch(c->d, 3, (const void *const *)fh_part_batch, fh_part_lens, ids);
}

static void fh_put_partitioned_done(void *ctx, const nomem_attempt *a) {
  fh_ctx *c = ctx;
  ck_assert_int_eq(metric(a->now, "IncomingRecords"), metric(a->was, "IncomingRecords") + 4);
  ck_assert_int_eq(metric(a->now, "BufferedRecords"), metric(a->was, "BufferedRecords") + 4);
  for (int i = 0; i < 3; i++) ck_assert_uint_eq(strlen(c->ids[i]), AEV_RECORD_ID_SIZE - 1);
}

START_TEST(delivery_partitioning) {
  static const nomem_case create = {.what = "CreateDeliveryStream (dynamic partitioning)",
                                    .state = fh_state, .call = fh_create_partitioned,
                                    .succeeded = fh_created, .failed = fh_not_created};
  static const nomem_case put = {.what = "Firehose PutRecordBatch (dynamic partitioning)",
                                 .setup = fh_partitioned_fresh, .state = fh_state,
                                 .call = fh_put_partitioned, .succeeded = fh_put_partitioned_done,
                                 .failed = fh_not_put};
  fh_ctx c;
  fh_ctx_init(&c, fh_partitioned);
  sweep_twice(&create, &c, new_broker);
  nomem_sweep(&put, &c);
  fh_ctx_end(&c);
}
END_TEST

/* A batch whose delivery failed waits for a retry timer, which posts the
 * next attempt to the handler pool; out of memory for that post, the
 * timer tries again a second later: the batch is delivered all the same,
 * and the delivery stream goes on with later records. */

static int fh_fails_once(void *user, const char *key, const void *data, size_t len) {
  fh_ctx *c = user;
  if (!c->ids[0][0]) { /* marks the first attempt made */
    c->ids[0][0] = 'x';
    return -1;
  }
  return fh_sink(user, key, data, len);
}

/* A delivery stream whose first attempt has failed: a retry in 1 s. */
static void fh_retry_waiting(void *ctx) {
  fh_ctx *c = ctx;
  fh_ctx_init(c, fh_hints);
  bt_ok(aev_delivery_create_with_sink(c->b, "fh", fh_hints, fh_fails_once, c, NULL, &c->d));
  bt_ok(aev_delivery_put(c->d, "a|", 2, NULL));
  bt_ok(aev_delivery_flush(c->d));
  aev_broker_drain(c->b);
  ck_assert_str_eq(c->delivered, "");
}

static int fh_retry_second(void *ctx) { return aev_broker_advance(((fh_ctx *)ctx)->b, 1000); }

static void fh_retried(void *ctx, const nomem_attempt *a) {
  fh_ctx *c = ctx;
  bt_ok(aev_broker_advance(c->b, 60000));
  ck_assert_msg(!strcmp(c->delivered, "a|"), "allocation %ld failed: delivered \"%s\"", a->k,
                c->delivered);
  bt_ok(aev_delivery_put(c->d, "b|", 2, NULL));
  strcpy(c->expected, "a|b|");
}

static void fh_end(void *ctx) { fh_ctx_end(ctx); }

START_TEST(delivery_retry_post) {
  static const nomem_case sc = {.what = "Firehose retry post", .fresh = fh_retry_waiting,
                                .call = fh_retry_second, .succeeded = fh_retried, .end = fh_end,
                                .expect = NOMEM_NEVER_FAILS};
  fh_ctx c;
  ck_assert_int_gt(nomem_sweep(&sc, &c).injected, 0);
}
END_TEST

/* PutRecord into a stream that a delivery stream reads: a record stored
 * is delivered, once. */

typedef struct tap_ctx {
  stream_ctx sc;
  fh_ctx fc;
} tap_ctx;

static json_t *tap_state(void *ctx) { return stream_state(&((tap_ctx *)ctx)->sc); }

static int tap_put(void *ctx) { return put_record(&((tap_ctx *)ctx)->sc); }

static void tap_put_done(void *ctx, const nomem_attempt *a) {
  tap_ctx *c = ctx;
  record_put(&c->sc, a);
  strcat(c->fc.expected, "payload");
}

static void tap_not_put(void *ctx, const nomem_attempt *a) {
  record_not_put(&((tap_ctx *)ctx)->sc, a);
}

/* A new source stream, and a new delivery stream reading it (what the old
 * one held delivered first). */
static void tap_fresh(void *ctx) {
  tap_ctx *c = ctx;
  if (c->fc.d) {
    bt_ok(aev_delivery_flush(c->fc.d));
    aev_broker_drain(c->sc.b);
    bt_ok(aev_delivery_delete(c->fc.d));
    aev_delivery_release(c->fc.d);
  }
  fresh_stream(&c->sc);
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"DeliveryStreamType\":\"KinesisStreamAsSource\",\"KinesisStreamSourceConfiguration\":"
           "{\"KinesisStreamARN\":\"%s\"},\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}",
           aev_stream_arn(c->sc.s));
  bt_ok(aev_delivery_create_with_sink(c->sc.b, "fh", cfg, fh_sink, &c->fc, NULL, &c->fc.d));
}

START_TEST(delivery_from_stream) {
  static const nomem_case sc = {.what = "PutRecord (a delivery stream's source)",
                                .state = tap_state, .call = tap_put, .succeeded = tap_put_done,
                                .failed = tap_not_put};
  tap_ctx c;
  stream_ctx_init(&c.sc, "src", 1);
  memset(&c.fc, 0, sizeof c.fc);
  c.fc.b = c.sc.b;
  tap_fresh(&c);
  sweep_twice(&sc, &c, tap_fresh);
  bt_ok(aev_delivery_flush(c.fc.d));
  aev_broker_drain(c.sc.b);
  ck_assert_str_eq(c.fc.delivered, c.fc.expected);
  aev_delivery_release(c.fc.d);
  stream_ctx_end(&c.sc);
}
END_TEST

/* ---- Functions ---------------------------------------------------------- */

typedef struct fn_ctx {
  aev_broker *b;
  const char *name; /* of the function observed; NULL: "fn" */
  aev_function *f;
  aev_queue *q;
  int calls, calls_before; /* handler invocations */
  int code_updates;         /* UpdateFunctionCode successes */
  char *text;
  size_t len;
  const char *error;
  char request_id[37];
} fn_ctx;

static void fn_echo(void *user, aev_invocation *ctx, const char *event, size_t len) {
  ((fn_ctx *)user)->calls++;
  aev_invocation_succeed(ctx, event, len);
}

static json_t *fn_state(void *ctx) {
  fn_ctx *c = ctx;
  aev_function *f;
  int rc = aev_function_get(c->b, c->name ? c->name : "fn", &f);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "get: %d %s", rc, aev_errmsg());
  if (rc) return json_null();
  char *text;
  bt_ok(aev_function_configuration(f, &text));
  json_t *st = json_pack("{s:o}", "config", parsed(text));
  bt_ok(aev_function_list_versions(f, &text));
  json_object_set_new(st, "versions", parsed(text));
  bt_ok(aev_function_list_aliases(f, &text));
  json_object_set_new(st, "aliases", parsed(text));
  text = NULL;
  rc = aev_function_event_invoke_config(f, &text);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "econf: %d %s", rc, aev_errmsg());
  json_object_set_new(st, "econf", parsed(text));
  bt_ok(aev_event_source_mapping_list(c->b, NULL, NULL, &text));
  json_object_set_new(st, "mappings", parsed(text));
  bt_ok(aev_function_metrics(f, &text));
  json_object_set_new(st, "metrics", parsed(text));
  json_object_set_new(st, "calls", json_integer(c->calls));
  aev_function_release(f);
  return st;
}

static void fn_ctx_init(fn_ctx *c, int create) {
  memset(c, 0, sizeof *c);
  c->b = bt_broker();
  if (create) bt_ok(aev_function_create(c->b, "fn", "{\"Timeout\":30}", fn_echo, c, NULL, &c->f));
}

/* Function "fn" made anew (its mappings go with the old one). */
static void fn_fresh(void *ctx) {
  fn_ctx *c = ctx;
  bt_ok(aev_function_delete(c->f));
  aev_function_release(c->f);
  aev_broker_drain(c->b);
  bt_ok(aev_function_create(c->b, "fn", "{\"Timeout\":30}", fn_echo, c, NULL, &c->f));
}

/* The same, with a reservation of 1 (see fn_state_but_effects). */
static void fn_fresh_reserved(void *ctx) {
  fn_fresh(ctx);
  bt_ok(aev_function_set_reserved_concurrency(((fn_ctx *)ctx)->f, 1));
}

static void fn_ctx_end(fn_ctx *c) {
  aev_function_release(c->f);
  aev_queue_release(c->q);
  aev_broker_destroy(c->b);
}

static void fn_text_unset(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((fn_ctx *)ctx)->text);
}

/* CreateFunction */

static int fn_create(void *ctx) {
  fn_ctx *c = ctx;
  c->f = NULL;
  return aev_function_create(c->b, "fn", "{\"Timeout\":30,\"Environment\":{\"Variables\":{\"A\":\"1\"}}}",
                             fn_echo, c, NULL, &c->f);
}

static void fn_created(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert(json_is_null(a->was));
  ck_assert_ptr_nonnull(c->f);
  ck_assert_int_eq(json_integer_value(at(at(a->now, "config"), "Timeout")), 30);
  bt_ok(aev_function_delete(c->f));
  aev_function_release(c->f);
  c->f = NULL;
}

static void fn_not_created(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((fn_ctx *)ctx)->f);
}

START_TEST(function_create) {
  static const nomem_case sc = {.what = "CreateFunction", .state = fn_state, .call = fn_create,
                                .succeeded = fn_created, .failed = fn_not_created};
  fn_ctx c;
  fn_ctx_init(&c, 0);
  sweep_twice(&sc, &c, new_broker);
  fn_ctx_end(&c);
}
END_TEST

/* UpdateFunctionConfiguration, PublishVersion, CreateAlias, UpdateAlias */

static int fn_update(void *ctx) {
  return aev_function_update_configuration(((fn_ctx *)ctx)->f,
                                           "{\"Timeout\":45,\"Description\":\"d\",\"Environment\":{\"Variables\":{\"B\":\"2\"}}}");
}

static void fn_updated(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_int_eq(json_integer_value(at(at(a->was, "config"), "Timeout")), 30);
  ck_assert_int_eq(json_integer_value(at(at(a->now, "config"), "Timeout")), 45);
  ck_assert_str_eq(
      json_string_value(at(at(at(at(a->now, "config"), "Environment"), "Variables"), "B")), "2");
  bt_ok(aev_function_update_configuration(c->f, "{\"Timeout\":30}"));
}

static int fn_publish(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  return aev_function_publish_version(c->f, "v", &c->text);
}

static void fn_published(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  size_t n = json_array_size(at(at(a->now, "versions"), "Versions"));
  ck_assert_uint_eq(n, json_array_size(at(at(a->was, "versions"), "Versions")) + 1);
  json_t *v = parsed(c->text);
  ck_assert_str_eq(json_string_value(at(v, "Version")),
                   json_string_value(at(
                       json_array_get(at(at(a->now, "versions"), "Versions"), n - 1), "Version")));
  json_decref(v);
  /* A change, so that the next publish makes a version again. */
  bt_ok(aev_function_update_configuration(c->f, n % 2 ? "{\"Timeout\":31}" : "{\"Timeout\":30}"));
}

static void fn_with_versions(void *ctx) {
  fn_ctx *c = ctx;
  json_t *st = fn_state(c);
  size_t n = json_array_size(at(at(st, "versions"), "Versions")); /* $LATEST too */
  json_decref(st);
  if (n > 2) return;
  bt_ok(aev_function_publish_version(c->f, NULL, NULL));
  bt_ok(aev_function_update_configuration(c->f, "{\"Timeout\":31}"));
  bt_ok(aev_function_publish_version(c->f, NULL, NULL));
}

static int fn_create_alias(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  return aev_function_create_alias(c->f, "live", "1", "the live one",
                                   "{\"AdditionalVersionWeights\":{\"2\":0.25}}", &c->text);
}

static void fn_alias_created(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_uint_eq(json_array_size(at(at(a->was, "aliases"), "Aliases")), 0);
  json_t *list = at(at(a->now, "aliases"), "Aliases");
  ck_assert_uint_eq(json_array_size(list), 1);
  json_t *alias = parsed(c->text);
  ck_assert(json_equal(alias, json_array_get(list, 0)));
  json_decref(alias);
  bt_ok(aev_function_delete_alias(c->f, "live"));
}

static void fn_with_alias(void *ctx) {
  fn_ctx *c = ctx;
  fn_with_versions(c);
  char *j = NULL;
  if (aev_function_get_alias(c->f, "live", &j) == AEV_OK) {
    aev_free(j);
    return;
  }
  bt_ok(aev_function_create_alias(c->f, "live", "1", NULL, NULL, NULL));
}

static int fn_update_alias(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  return aev_function_update_alias(c->f, "live", "2", "{\"AdditionalVersionWeights\":{\"1\":0.5}}",
                                   &c->text);
}

static void fn_alias_updated(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  json_t *alias = json_array_get(at(at(a->now, "aliases"), "Aliases"), 0), *out = parsed(c->text);
  ck_assert_str_eq(json_string_value(at(alias, "FunctionVersion")), "2");
  ck_assert(json_equal(alias, out));
  json_decref(out);
  bt_ok(aev_function_update_alias(c->f, "live", "1", "{}", NULL));
}

START_TEST(function_versions_and_aliases) {
  static const nomem_case update = {.what = "UpdateFunctionConfiguration", .state = fn_state,
                                    .call = fn_update, .succeeded = fn_updated};
  static const nomem_case publish = {.what = "PublishVersion", .state = fn_state,
                                     .call = fn_publish, .succeeded = fn_published,
                                     .failed = fn_text_unset};
  static const nomem_case create_alias = {.what = "CreateAlias", .setup = fn_with_versions,
                                          .state = fn_state, .call = fn_create_alias,
                                          .succeeded = fn_alias_created, .failed = fn_text_unset};
  static const nomem_case update_alias = {.what = "UpdateAlias", .setup = fn_with_alias,
                                          .state = fn_state, .call = fn_update_alias,
                                          .succeeded = fn_alias_updated, .failed = fn_text_unset,
                                          .expect = NOMEM_ANY};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  sweep_twice(&update, &c, fn_fresh);
  sweep_twice(&publish, &c, fn_fresh);
  sweep_twice(&create_alias, &c, fn_fresh);
  /* UpdateAlias changes the alias in place: nothing of it may fail. */
  nomem_sweep(&update_alias, &c);
  fn_ctx_end(&c);
}
END_TEST

/* UpdateFunctionCode with Publish: a new package and a version, or
 * nothing (the update taken back when its version or answer could not be
 * made). Each success swaps the package between two one-entry archives. */

static const char *const code_update_requests[] = {
    "{\"Publish\":true,\"ZipFile\":\"UEsDBBQAAAAAAAAAIVhcI7WJAwAAAAMAAAAIAAAAaW5kZXgucHl2MQpQSwECFAMU"
    "AAAAAAAAACFYXCO1iQMAAAADAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXgucHlQSwUGAAAAAAEAAQA2AAAAKQAAAAAA\"}",
    "{\"Publish\":true,\"ZipFile\":\"UEsDBBQAAAAAAAAAIVifcJiiAwAAAAMAAAAIAAAAaW5kZXgucHl2MgpQSwECFAMU"
    "AAAAAAAAACFYn3CYogMAAAADAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXgucHlQSwUGAAAAAAEAAQA2AAAAKQAAAAAA\"}"};

static int fn_update_code(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  return aev_function_update_code(c->f, code_update_requests[c->code_updates % 2], &c->text);
}

static void fn_code_updated(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_str_ne(json_string_value(at(at(a->was, "config"), "CodeSha256")),
                   json_string_value(at(at(a->now, "config"), "CodeSha256")));
  size_t n = json_array_size(at(at(a->now, "versions"), "Versions"));
  ck_assert_uint_eq(n, json_array_size(at(at(a->was, "versions"), "Versions")) + 1);
  json_t *v = parsed(c->text);
  ck_assert_str_eq(json_string_value(at(v, "CodeSha256")),
                   json_string_value(at(at(a->now, "config"), "CodeSha256")));
  json_decref(v);
  c->code_updates++;
}

START_TEST(function_update_code) {
  static const nomem_case sc = {.what = "UpdateFunctionCode", .state = fn_state,
                                .call = fn_update_code, .succeeded = fn_code_updated,
                                .failed = fn_text_unset};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  sweep_twice(&sc, &c, fn_fresh);
  fn_ctx_end(&c);
}
END_TEST

/* PutFunctionEventInvokeConfig */

static int fn_put_econf(void *ctx) {
  return aev_function_put_event_invoke_config(
      ((fn_ctx *)ctx)->f,
      "{\"MaximumRetryAttempts\":1,\"MaximumEventAgeInSeconds\":120,\"DestinationConfig\":"
      "{\"OnFailure\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}}");
}

static void fn_econf_put(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert(json_is_null(at(a->was, "econf")));
  ck_assert_int_eq(json_integer_value(at(at(a->now, "econf"), "MaximumRetryAttempts")), 1);
  ck_assert_str_eq(
      json_string_value(
          at(at(at(at(a->now, "econf"), "DestinationConfig"), "OnFailure"), "Destination")),
      "arn:aws:sqs:us-east-1:000000000000:dlq");
  char *out;
  bt_ok(aev_call(c->b, "lambda", "DeleteFunctionEventInvokeConfig", "{\"FunctionName\":\"fn\"}", &out));
  aev_free(out);
}

START_TEST(function_event_invoke_config) {
  static const nomem_case sc = {.what = "PutFunctionEventInvokeConfig", .state = fn_state,
                                .call = fn_put_econf, .succeeded = fn_econf_put};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  aev_queue_release(bt_queue(c.b, "dlq", NULL));
  sweep_twice(&sc, &c, fn_fresh);
  fn_ctx_end(&c);
}
END_TEST

/* CreateEventSourceMapping from a queue, with filter criteria */

static int fn_map(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  char req[512];
  snprintf(req, sizeof req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"BatchSize\":5,\"FilterCriteria\":"
           "{\"Filters\":[{\"Pattern\":\"{\\\"body\\\":{\\\"kind\\\":[\\\"a\\\"]}}\"}]}}",
           aev_queue_arn(c->q));
  return aev_event_source_mapping_create(c->b, req, &c->text);
}

static void fn_mapped(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_uint_eq(json_array_size(at(at(a->was, "mappings"), "EventSourceMappings")), 0);
  json_t *list = at(at(a->now, "mappings"), "EventSourceMappings");
  ck_assert_uint_eq(json_array_size(list), 1);
  json_t *m = parsed(c->text);
  const char *uuid = json_string_value(at(m, "UUID"));
  ck_assert_str_eq(uuid, json_string_value(at(json_array_get(list, 0), "UUID")));
  ck_assert_ptr_nonnull(at(at(m, "FilterCriteria"), "Filters"));
  char *out;
  bt_ok(aev_event_source_mapping_delete(c->b, uuid, &out));
  aev_free(out);
  json_decref(m);
  aev_broker_drain(c->b);
}

START_TEST(function_event_source_mapping) {
  static const nomem_case sc = {.what = "CreateEventSourceMapping", .state = fn_state,
                                .call = fn_map, .succeeded = fn_mapped, .failed = fn_text_unset};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  c.q = bt_queue(c.b, "jobs", NULL);
  sweep_twice(&sc, &c, fn_fresh);
  fn_ctx_end(&c);
}
END_TEST

/* Invoke: RequestResponse, and Event (queued whole or not at all) */

/* What RequestResponse must keep as it was: not the handler's effects
 * (calls, metrics), for once the handler ran, a result that cannot be
 * copied back fails the call after the fact (function.h says so). The
 * concurrency slot must be given back all the same: the function has a
 * reservation of 1, and invoking works after the sweep. */
static json_t *fn_state_but_effects(void *ctx) {
  json_t *st = fn_state(ctx);
  json_object_del(st, "calls");
  json_object_del(st, "metrics");
  return st;
}

static int fn_invoke(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  c->error = NULL;
  return aev_function_invoke(c->f, "{\"n\":1}", 7, &c->text, &c->len, &c->error);
}

static void fn_invoked(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_ptr_null(c->error);
  ck_assert_str_eq(c->text, "{\"n\":1}");
  ck_assert_uint_eq(c->len, 7);
  aev_free(c->text);
}

static void fn_before(void *ctx) {
  fn_ctx *c = ctx;
  c->calls_before = c->calls;
}

static int fn_invoke_event(void *ctx) {
  fn_ctx *c = ctx;
  memset(c->request_id, 0, sizeof c->request_id);
  return aev_function_invoke_event(c->f, "{\"n\":2}", 7, c->request_id);
}

/* The event runs once at the next drain. */
static void fn_event_queued(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_uint_eq(strlen(c->request_id), 36);
  aev_broker_drain(c->b);
  ck_assert_int_eq(c->calls, c->calls_before + 1);
}

static void fn_event_not_queued(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_str_eq(c->request_id, "");
  aev_broker_drain(c->b);
  ck_assert_int_eq(c->calls, c->calls_before);
}

START_TEST(function_invoke) {
  static const nomem_case sync = {.what = "Invoke (RequestResponse)", .state = fn_state_but_effects,
                                  .call = fn_invoke, .succeeded = fn_invoked,
                                  .failed = fn_text_unset};
  static const nomem_case async = {.what = "Invoke (Event)", .setup = fn_before, .state = fn_state,
                                   .call = fn_invoke_event, .succeeded = fn_event_queued,
                                   .failed = fn_event_not_queued};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  bt_ok(aev_function_set_reserved_concurrency(c.f, 1));
  sweep_twice(&sync, &c, fn_fresh_reserved);
  bt_ok(fn_invoke(&c));
  aev_free(c.text);
  sweep_twice(&async, &c, fn_fresh_reserved);
  bt_ok(fn_invoke(&c));
  aev_free(c.text);
  fn_ctx_end(&c);
}
END_TEST

/* The queued event's attempt, run by the broker: out of memory it is
 * tried again later, never lost, and runs once. */

static void fn_event_waiting(void *ctx) {
  fn_ctx *c = ctx;
  fn_fresh(c);
  bt_ok(aev_function_invoke_event(c->f, "{\"n\":3}", 7, NULL));
  c->calls_before = c->calls;
}

static int fn_drain(void *ctx) { return aev_broker_drain(((fn_ctx *)ctx)->b); }

static void fn_event_ran(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  bt_ok(aev_broker_advance(c->b, 10 * 60 * 1000));
  ck_assert_int_eq(c->calls, c->calls_before + 1);
}

START_TEST(function_event_attempt) {
  static const nomem_case sc = {.what = "Invoke (Event) attempt", .setup = fn_event_waiting,
                                .state = fn_state, .call = fn_drain, .succeeded = fn_event_ran,
                                .expect = NOMEM_NEVER_FAILS};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  nomem_sweep(&sc, &c);
  fn_ctx_end(&c);
}
END_TEST

/* CreateEventSourceMapping from a stream, with filter criteria and an
 * OnFailure destination: once created it delivers the records that match,
 * from every shard. */

static int fn_map_stream(void *ctx) {
  fn_ctx *c = ctx;
  c->text = NULL;
  return aev_event_source_mapping_create(
      c->b,
      "{\"EventSourceArn\":\"arn:aws:kinesis:us-east-1:000000000000:stream/src\",\"FunctionName\":"
      "\"fn\",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":10,\"DestinationConfig\":"
      "{\"OnFailure\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"}},"
      "\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"partitionKey\\\":[{\\\"prefix\\\":"
      "\\\"k\\\"}]}\"}]}}",
      &c->text);
}

static void fn_stream_mapped(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  json_t *m = parsed(c->text);
  ck_assert_str_eq(json_string_value(at(at(at(m, "DestinationConfig"), "OnFailure"), "Destination")),
                   "arn:aws:sqs:us-east-1:000000000000:dlq");
  ck_assert_ptr_nonnull(at(at(m, "FilterCriteria"), "Filters"));
  /* The 2 records of the 4 that match (one on each shard) reach the
   * function, once each (BatchSize 10, one batch per shard). */
  int before = c->calls;
  aev_broker_drain(c->b);
  ck_assert_int_eq(c->calls, before + 2);
  char *out;
  bt_ok(aev_event_source_mapping_delete(c->b, json_string_value(at(m, "UUID")), &out));
  aev_free(out);
  json_decref(m);
  aev_broker_drain(c->b);
}

static void fn_stream_not_mapped(void *ctx, const nomem_attempt *a) {
  fn_ctx *c = ctx;
  ck_assert_ptr_null(c->text);
  int before = c->calls;
  aev_broker_drain(c->b);
  ck_assert_int_eq(c->calls, before);
}

START_TEST(function_stream_mapping) {
  static const nomem_case sc = {.what = "CreateEventSourceMapping (stream)", .state = fn_state,
                                .call = fn_map_stream, .succeeded = fn_stream_mapped,
                                .failed = fn_stream_not_mapped};
  fn_ctx c;
  fn_ctx_init(&c, 1);
  c.q = bt_queue(c.b, "dlq", NULL);
  aev_stream *s;
  bt_ok(aev_stream_create(c.b, "src", 2, &s));
  /* Keys landing on both shards, two of them matching the filter. */
  const char *keys[] = {"k1", "x1", "x2", "k2"};
  char shard[AEV_SHARD_ID_SIZE], seen[2] = {0};
  for (int i = 0; i < 4; i++) {
    bt_ok(aev_stream_put(s, "{}", 2, keys[i], i % 2 ? "0" : "340282366920938463463374607431768211455",
                         NULL, shard, NULL));
    seen[shard[strlen(shard) - 1] - '0'] = 1;
  }
  ck_assert(seen[0] && seen[1]);
  sweep_twice(&sc, &c, fn_fresh);
  aev_stream_release(s);
  fn_ctx_end(&c);
}
END_TEST

/* ---- State machines ------------------------------------------------------ */

#define ACTIVITY_ARN "arn:aws:states:us-east-1:000000000000:activity:work"

typedef struct sm_ctx {
  aev_broker *b;
  aev_machine *m;
  aev_activity *a;
  aev_execution *e;
  int type, started; /* started: executions that succeeded, naming the next */
  const char *definition;
  char name[32];
  char *text, *token, *input;
} sm_ctx;

static const char *const pass_def =
    "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":{\"ok\":1},\"End\":true}}}";
static const char *const activity_def =
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"" ACTIVITY_ARN
    "\",\"End\":true}}}";

/* The machine "sm" as described, its executions as listed (with their
 * histories), and the activity "work" if any. */
static json_t *sm_state(void *ctx) {
  sm_ctx *c = ctx;
  json_t *st = json_object();
  aev_machine *m;
  int rc = aev_machine_get(c->b, "sm", &m);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "get: %d %s", rc, aev_errmsg());
  if (rc == AEV_OK) {
    char *text;
    bt_ok(aev_machine_describe(m, &text));
    json_object_set_new(st, "machine", parsed(text));
    if (c->type == AEV_MACHINE_STANDARD) {
      char req[512];
      snprintf(req, sizeof req, "{\"stateMachineArn\":\"%s\"}", aev_machine_arn(m));
      bt_ok(aev_call(c->b, "states", "ListExecutions", req, &text));
      json_t *list = parsed(text), *ex;
      size_t i;
      json_array_foreach(at(list, "executions"), i, ex) {
        snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}",
                 json_string_value(at(ex, "executionArn")));
        bt_ok(aev_call(c->b, "states", "GetExecutionHistory", req, &text));
        json_object_set_new(ex, "history", parsed(text));
      }
      json_object_set_new(st, "executions", list);
    }
    aev_machine_release(m);
  }
  aev_activity *a;
  rc = aev_activity_get(c->b, ACTIVITY_ARN, &a);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "activity: %d %s", rc, aev_errmsg());
  if (rc == AEV_OK) {
    char *text;
    bt_ok(aev_activity_describe(a, &text));
    json_object_set_new(st, "activity", parsed(text));
    aev_activity_release(a);
  }
  return st;
}

static void sm_ctx_init(sm_ctx *c, int type, const char *definition, int create) {
  memset(c, 0, sizeof *c);
  c->b = bt_broker();
  c->type = type;
  c->definition = definition;
  if (create)
    bt_ok(aev_machine_create(c->b, "sm", definition, strlen(definition), type, &c->m));
}

static void sm_ctx_end(sm_ctx *c) {
  aev_execution_release(c->e);
  aev_machine_release(c->m);
  aev_activity_release(c->a);
  aev_broker_destroy(c->b);
}

/* CreateStateMachine */

static int sm_create(void *ctx) {
  sm_ctx *c = ctx;
  c->m = NULL;
  return aev_machine_create(c->b, "sm", c->definition, strlen(c->definition), c->type, &c->m);
}

static void sm_created(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_ptr_null(at(a->was, "machine"));
  ck_assert_ptr_nonnull(c->m);
  ck_assert_str_eq(json_string_value(at(at(a->now, "machine"), "type")),
                   c->type == AEV_MACHINE_STANDARD ? "STANDARD" : "EXPRESS");
  bt_ok(aev_machine_delete(c->m));
  aev_machine_release(c->m);
  c->m = NULL;
}

static void sm_not_created(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((sm_ctx *)ctx)->m);
}

START_TEST(machine_create) {
  static const nomem_case sc = {.what = "CreateStateMachine", .state = sm_state, .call = sm_create,
                                .succeeded = sm_created, .failed = sm_not_created};
  for (int type = AEV_MACHINE_STANDARD; type <= AEV_MACHINE_EXPRESS; type++) {
    sm_ctx c;
    sm_ctx_init(&c, type, pass_def, 0);
    sweep_twice(&sc, &c, new_broker);
    sm_ctx_end(&c);
  }
}
END_TEST

/* StartExecution: a name that failed to start is free for the next
 * attempt; a started one runs to its end. */

static int sm_start(void *ctx) {
  sm_ctx *c = ctx;
  snprintf(c->name, sizeof c->name, "run-%d", c->started);
  c->e = NULL;
  return aev_machine_start(c->m, c->name, "{\"x\":1}", 7, &c->e);
}

static void sm_started(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_uint_eq(json_array_size(at(at(a->now, "executions"), "executions")),
                    json_array_size(at(at(a->was, "executions"), "executions")) + 1);
  ck_assert_ptr_nonnull(c->e);
  ck_assert_ptr_nonnull(strstr(aev_execution_arn(c->e), c->name));
  bt_ok(aev_execution_wait(c->e));
  ck_assert_int_eq(aev_execution_status(c->e), AEV_EXECUTION_SUCCEEDED);
  char *text;
  bt_ok(aev_execution_history(c->e, &text));
  json_t *h = parsed(text), *ev;
  size_t i;
  const char *want[] = {"ExecutionStarted", "PassStateEntered", "PassStateExited",
                        "ExecutionSucceeded"};
  ck_assert_uint_eq(json_array_size(at(h, "events")), 4);
  json_array_foreach(at(h, "events"), i, ev) ck_assert_str_eq(json_string_value(at(ev, "type")), want[i]);
  json_decref(h);
  aev_execution_release(c->e);
  c->e = NULL;
  c->started++;
}

static void sm_not_started(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_ptr_null(c->e);
  aev_broker_drain(c->b);
}

/* A new machine "sm" for each attempt. */
static void sm_fresh(void *ctx) {
  sm_ctx *c = ctx;
  if (c->m) {
    bt_ok(aev_machine_delete(c->m));
    aev_machine_release(c->m);
  }
  bt_ok(aev_machine_create(c->b, "sm", c->definition, strlen(c->definition), c->type, &c->m));
}

START_TEST(machine_start) {
  static const nomem_case sc = {.what = "StartExecution", .state = sm_state, .call = sm_start,
                                .succeeded = sm_started, .failed = sm_not_started};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, pass_def, 1);
  sweep_twice(&sc, &c, sm_fresh);
  sm_ctx_end(&c);
}
END_TEST

/* The execution's run, by the broker: out of memory it may fail, but it
 * ends (no execution stays RUNNING with nothing to run it). */

static void sm_started_waiting(void *ctx) {
  sm_ctx *c = ctx;
  sm_fresh(c);
  aev_execution_release(c->e);
  bt_ok(aev_machine_start(c->m, "run", "{}", 2, &c->e));
}

static int sm_drain(void *ctx) { return aev_broker_drain(((sm_ctx *)ctx)->b); }

static void sm_run_ended(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(aev_broker_advance(c->b, 60 * 60 * 1000));
  ck_assert_msg(aev_execution_status(c->e) != AEV_EXECUTION_RUNNING, "the execution never ends");
}

START_TEST(machine_run) {
  static const nomem_case sc = {.what = "StartExecution's run", .setup = sm_started_waiting,
                                .state = sm_state, .call = sm_drain, .succeeded = sm_run_ended,
                                .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, pass_def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* AWS SDK integrations: a call that answers and one that fails, caught;
 * whichever allocation fails, the execution ends. */
static const char *const sdk_def =
    "{\"StartAt\":\"L\",\"States\":{\"L\":{\"Type\":\"Task\",\"Resource\":"
    "\"arn:aws:states:::aws-sdk:sqs:listQueues\",\"Parameters\":{},\"Next\":\"G\"},"
    "\"G\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:sqs:getQueueUrl\","
    "\"Parameters\":{\"QueueName\":\"nope\"},\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],"
    "\"Next\":\"P\"}],\"End\":true},\"P\":{\"Type\":\"Pass\",\"End\":true}}}";

START_TEST(machine_run_sdk) {
  static const nomem_case sc = {.what = "an aws-sdk task's run", .setup = sm_started_waiting,
                                .state = sm_state, .call = sm_drain, .succeeded = sm_run_ended,
                                .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, sdk_def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* A run that ends FAILED, or a stop: whichever allocation fails, the
 * execution ends with an error name, the one its history's terminal event
 * gives (copying the error used to fail unchecked, leaving none). */

static const char *const fail_def =
    "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"Custom.Error\","
    "\"Cause\":\"the cause\"}}}";
static const char *const wait_def =
    "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":100,\"End\":true}}}";

/* The execution ended with status and error (States.Runtime when out of
 * memory took the place of want), as described and as its last event. */
static void sm_ended_with(sm_ctx *c, long k, int status, const char *want) {
  ck_assert_int_eq(aev_execution_status(c->e), status);
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  json_t *d = parsed(text);
  const char *error = json_string_value(at(d, "error"));
  ck_assert_msg(error && (!strcmp(error, want) || !strcmp(error, "States.Runtime")),
                "allocation %ld: error %s", k, error ? error : "(none)");
  bt_ok(aev_execution_history(c->e, &text));
  json_t *h = parsed(text), *events = at(h, "events");
  json_t *last = json_array_get(events, json_array_size(events) - 1);
  const char *dkey = status == AEV_EXECUTION_FAILED ? "executionFailedEventDetails"
                                                    : "executionAbortedEventDetails";
  ck_assert_msg(json_equal(at(at(last, dkey), "error"), at(d, "error")) &&
                    json_equal(at(at(last, dkey), "cause"), at(d, "cause")),
                "allocation %ld: the history and the execution disagree", k);
  json_decref(h);
  json_decref(d);
}

static void sm_run_failed(void *ctx, const nomem_attempt *a) {
  sm_ended_with(ctx, a->k, AEV_EXECUTION_FAILED, "Custom.Error");
}

START_TEST(machine_run_fails) {
  static const nomem_case sc = {.what = "a run that fails", .setup = sm_started_waiting,
                                .call = sm_drain, .succeeded = sm_run_failed,
                                .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, fail_def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* A Distributed Map's run, in batches: whichever allocation fails, the
 * execution ends (SUCCEEDED with every child's output, or FAILED: States.Runtime,
 * or the threshold error of a child that failed), and its Map Run, if it
 * got one, has ended too. */

static const char *const distributed_def =
    "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":\"$.items\","
    "\"ItemBatcher\":{\"MaxItemsPerBatch\":2,\"BatchInput\":{\"k.$\":\"$.k\"}},"
    "\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},"
    "\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";

static void sm_started_map(void *ctx) {
  sm_ctx *c = ctx;
  sm_fresh(c);
  aev_execution_release(c->e);
  const char *input = "{\"k\":0,\"items\":[1,2,3]}";
  bt_ok(aev_machine_start(c->m, "run", input, strlen(input), &c->e));
}

static void sm_map_ended_runs(sm_ctx *c, const nomem_attempt *a);

static void sm_map_ended(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  const int status = aev_execution_status(c->e);
  char *text;
  if (status == AEV_EXECUTION_SUCCEEDED) {
    bt_ok(aev_execution_describe(c->e, &text));
    json_t *d = parsed(text);
    ck_assert_str_eq(json_string_value(at(d, "output")),
                     "[{\"BatchInput\":{\"k\":0},\"Items\":[1,2]},{\"BatchInput\":{\"k\":0},\"Items\":[3]}]");
    json_decref(d);
  } else { /* a child that failed fails the Map Run */
    sm_ended_with(c, a->k, AEV_EXECUTION_FAILED, "States.ExceedToleratedFailureThreshold");
  }
  sm_map_ended_runs(c, a);
}

/* The execution's Map Runs have all ended. */
static void sm_map_ended_runs(sm_ctx *c, const nomem_attempt *a) {
  char *text, req[512];
  snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}", aev_execution_arn(c->e));
  bt_ok(aev_call(c->b, "states", "ListMapRuns", req, &text));
  json_t *runs = parsed(text), *r;
  size_t i;
  json_array_foreach(at(runs, "mapRuns"), i, r) {
    snprintf(req, sizeof req, "{\"mapRunArn\":\"%s\"}", json_string_value(at(r, "mapRunArn")));
    bt_ok(aev_call(c->b, "states", "DescribeMapRun", req, &text));
    json_t *d = parsed(text);
    ck_assert_msg(strcmp(json_string_value(at(d, "status")), "RUNNING"), "allocation %ld: a Map Run never ends",
                  a->k);
    json_decref(d);
  }
  json_decref(runs);
}

START_TEST(machine_map_run) {
  static const nomem_case sc = {.what = "a Distributed Map's run", .setup = sm_started_map,
                                .call = sm_drain, .succeeded = sm_map_ended, .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, distributed_def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* A Distributed Map that reads its items from an object of the broker's S3
 * stand-in (./BUCKET/KEY) and writes its results there: whichever
 * allocation fails, the execution ends, SUCCEEDED with the manifest's
 * place or FAILED as States.Runtime (or the threshold error of a child
 * that failed), and its Map Run has ended too. */
static void sm_reader_ended(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  json_t *d = parsed(text);
  if (aev_execution_status(c->e) == AEV_EXECUTION_SUCCEEDED) {
    json_t *out = json_loads(json_string_value(at(d, "output")), 0, NULL);
    ck_assert_ptr_nonnull(strstr(json_string_value(at(at(out, "ResultWriterDetails"), "Key")), "/manifest.json"));
    json_decref(out);
  } else {
    const char *error = json_string_value(at(d, "error"));
    ck_assert_msg(!strcmp(error, "States.Runtime") || !strcmp(error, "States.ExceedToleratedFailureThreshold"),
                  "allocation %ld: %s", a->k, error);
  }
  json_decref(d);
  sm_map_ended_runs(c, a);
}

START_TEST(machine_item_reader) {
  char bucket[] = "nomem-bucket-XXXXXX", path[64], def[1024];
  ck_assert_ptr_nonnull(mkdtemp(bucket));
  snprintf(path, sizeof path, "%s/rows.csv", bucket);
  FILE *fp = fopen(path, "w");
  fputs("a,b\n1,2\n3,4\n5,6\n", fp);
  fclose(fp);
  snprintf(def, sizeof def,
           "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemReader\":{\"Resource\":"
           "\"arn:aws:states:::s3:getObject\",\"ReaderConfig\":{\"InputType\":\"CSV\",\"CSVHeaderLocation\":"
           "\"FIRST_ROW\",\"MaxItems\":2},\"Parameters\":{\"Bucket\":\"%s\",\"Key\":\"rows.csv\"}},"
           "\"ResultWriter\":{\"Resource\":\"arn:aws:states:::s3:putObject\",\"Parameters\":{\"Bucket\":"
           "\"%s\",\"Prefix\":\"out\"}},\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\","
           "\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
           "\"End\":true}}},\"End\":true}}}",
           bucket, bucket);
  static const nomem_case sc = {.what = "a Distributed Map's ItemReader and ResultWriter", .setup = sm_started_map,
                                .call = sm_drain, .succeeded = sm_reader_ended, .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", bucket);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The same over an S3 inventory (InputType MANIFEST): the manifest, its
 * gzipped CSV inventory file inflated and read as rows. */
START_TEST(machine_item_reader_manifest) {
  char bucket[] = "nomem-bucket-XXXXXX", path[64], def[1024];
  ck_assert_ptr_nonnull(mkdtemp(bucket));
  snprintf(path, sizeof path, "%s/inv.csv.gz", bucket);
  gzFile gz = gzopen(path, "wb");
  ck_assert_ptr_nonnull(gz);
  gzputs(gz, "\"src\",\"a.txt\",\"1\"\n\"src\",\"b.txt\",\"2\"\n");
  ck_assert_int_eq(gzclose(gz), Z_OK);
  snprintf(path, sizeof path, "%s/manifest.json", bucket);
  FILE *fp = fopen(path, "w");
  fprintf(fp, "{\"destinationBucket\":\"arn:aws:s3:::%s\",\"fileFormat\":\"CSV\",\"fileSchema\":"
              "\"Bucket, Key, Size\",\"files\":[{\"key\":\"inv.csv.gz\"}]}",
          bucket);
  fclose(fp);
  snprintf(def, sizeof def,
           "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemReader\":{\"Resource\":"
           "\"arn:aws:states:::s3:getObject\",\"ReaderConfig\":{\"InputType\":\"MANIFEST\"},"
           "\"Parameters\":{\"Bucket\":\"%s\",\"Key\":\"manifest.json\"}},"
           "\"ResultWriter\":{\"Resource\":\"arn:aws:states:::s3:putObject\",\"Parameters\":{\"Bucket\":"
           "\"%s\",\"Prefix\":\"out\"}},\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\","
           "\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
           "\"End\":true}}},\"End\":true}}}",
           bucket, bucket);
  static const nomem_case sc = {.what = "a Distributed Map's S3 inventory ItemReader", .setup = sm_started_map,
                                .call = sm_drain, .succeeded = sm_reader_ended, .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", bucket);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static int sm_stop(void *ctx) {
  return aev_execution_stop(((sm_ctx *)ctx)->e, "Manual.Stop", "stopped by hand");
}

static void sm_stopped(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(aev_broker_drain(c->b));
  sm_ended_with(c, a->k, AEV_EXECUTION_ABORTED, "Manual.Stop");
}

/* Not stopping: a later stop still works. */
static void sm_not_stopped(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(aev_broker_drain(c->b));
  ck_assert_int_eq(aev_execution_status(c->e), AEV_EXECUTION_RUNNING);
  bt_ok(sm_stop(c));
  sm_stopped(c, a);
}

/* A running execution, waiting; and one whose stop is posted. */
static void sm_waiting(void *ctx) {
  sm_started_waiting(ctx);
  bt_ok(aev_broker_drain(((sm_ctx *)ctx)->b));
}

static void sm_stopping(void *ctx) {
  sm_waiting(ctx);
  bt_ok(sm_stop(ctx));
}

static void sm_aborted(void *ctx, const nomem_attempt *a) {
  sm_ended_with(ctx, a->k, AEV_EXECUTION_ABORTED, "Manual.Stop");
}

START_TEST(machine_stop) {
  static const nomem_case stop = {.what = "StopExecution", .setup = sm_waiting, .state = sm_state,
                                  .call = sm_stop, .succeeded = sm_stopped,
                                  .failed = sm_not_stopped};
  static const nomem_case run = {.what = "StopExecution's run", .setup = sm_stopping,
                                 .call = sm_drain, .succeeded = sm_aborted,
                                 .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, wait_def, 1);
  nomem_sweep(&stop, &c);
  nomem_sweep(&run, &c);
  sm_ctx_end(&c);
}
END_TEST

/* RedriveExecution of a run that failed: refused out of memory, it leaves
 * the execution as it was and a later redrive works; accepted, the run
 * ends again (a Fail state fails again), whichever allocation of the
 * resumed run fails. */

static void sm_failed(void *ctx) {
  sm_started_waiting(ctx);
  bt_ok(aev_broker_drain(((sm_ctx *)ctx)->b));
}

static int sm_redrive(void *ctx) { return aev_execution_redrive(((sm_ctx *)ctx)->e, "tok", NULL); }

static void sm_redriven(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(aev_broker_drain(c->b));
  sm_ended_with(c, a->k, AEV_EXECUTION_FAILED, "Custom.Error");
}

static void sm_not_redriven(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_int_eq(aev_execution_status(c->e), AEV_EXECUTION_FAILED);
  bt_ok(sm_redrive(c));
  sm_redriven(c, a);
}

static void sm_redriving(void *ctx) {
  sm_failed(ctx);
  bt_ok(sm_redrive(ctx));
}

START_TEST(machine_redrive) {
  static const nomem_case redrive = {.what = "RedriveExecution", .setup = sm_failed, .state = sm_state,
                                     .call = sm_redrive, .succeeded = sm_redriven,
                                     .failed = sm_not_redriven};
  static const nomem_case run = {.what = "RedriveExecution's run", .setup = sm_redriving,
                                 .call = sm_drain, .succeeded = sm_run_failed,
                                 .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, fail_def, 1);
  nomem_sweep(&redrive, &c);
  nomem_sweep(&run, &c);
  sm_ctx_end(&c);
}
END_TEST

/* TestState of a mocked Task whose error a Catch takes, at DEBUG:
 * refused out of memory, or answered whole (or, for an allocation of the
 * run itself, FAILED with States.Runtime, as an execution ends); the
 * broker lists no machine either way. */

static const char test_state_req[] =
    "{\"definition\":\"{\\\"Type\\\":\\\"Task\\\",\\\"Resource\\\":\\\"arn:aws:states:::lambda:invoke\\\","
    "\\\"Catch\\\":[{\\\"ErrorEquals\\\":[\\\"States.ALL\\\"],\\\"ResultPath\\\":\\\"$.err\\\","
    "\\\"Next\\\":\\\"Recover\\\"}],\\\"End\\\":true}\",\"input\":\"{\\\"k\\\":1}\","
    "\"inspectionLevel\":\"DEBUG\",\"mock\":{\"errorOutput\":{\"error\":\"Boom\"}}}";

static int sm_test_state(void *ctx) {
  sm_ctx *c = ctx;
  aev_free(c->text);
  c->text = NULL;
  return aev_machine_test_state(c->b, test_state_req, &c->text);
}

static void sm_tested(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  json_t *r = json_loads(c->text, 0, NULL);
  ck_assert_ptr_nonnull(r);
  const char *status = json_string_value(at(r, "status"));
  if (!strcmp(status, "FAILED")) {
    ck_assert_str_eq(json_string_value(at(r, "error")), "States.Runtime");
  } else {
    ck_assert_msg(!strcmp(status, "CAUGHT_ERROR"), "allocation %ld: %s", a->k, c->text);
    ck_assert_str_eq(json_string_value(at(r, "nextState")), "Recover");
    ck_assert_str_eq(json_string_value(at(r, "output")), "{\"k\":1,\"err\":{\"Error\":\"Boom\",\"Cause\":\"\"}}");
    ck_assert_int_eq(json_integer_value(at(at(at(r, "inspectionData"), "errorDetails"), "catchIndex")), 0);
  }
  ck_assert(json_equal(a->was, a->now));
  json_decref(r);
  aev_free(c->text);
  c->text = NULL;
}

static void sm_not_tested(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_ptr_null(c->text);
  ck_assert(json_equal(a->was, a->now));
  bt_ok(sm_test_state(c));
  sm_tested(c, a);
}

START_TEST(machine_test_state) {
  static const nomem_case tc = {.what = "TestState", .state = sm_state, .call = sm_test_state,
                                .succeeded = sm_tested, .failed = sm_not_tested};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, pass_def, 0);
  nomem_sweep(&tc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* A run of 42 events, past the history's first room: whichever
 * allocation fails, the history has every event the run made, numbered
 * without a gap and ending with the execution's end (an event that could
 * not be stored used to be dropped). */

/* Pass states P0 .. P19, in a chain. */
static const char *chain_def(void) {
  static char def[2048];
  size_t n = (size_t)snprintf(def, sizeof def, "{\"StartAt\":\"P0\",\"States\":{");
  for (int i = 0; i < 20; i++) {
    char next[32];
    if (i < 19) snprintf(next, sizeof next, "\"Next\":\"P%d\"", i + 1);
    else snprintf(next, sizeof next, "\"End\":true");
    n += (size_t)snprintf(def + n, sizeof def - n, "%s\"P%d\":{\"Type\":\"Pass\",%s}",
                          i ? "," : "", i, next);
  }
  snprintf(def + n, sizeof def - n, "}}");
  return def;
}

static void sm_history_whole(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  int status = aev_execution_status(c->e);
  ck_assert_msg(status == AEV_EXECUTION_SUCCEEDED || status == AEV_EXECUTION_FAILED,
                "allocation %ld: status %d", a->k, status);
  char *text;
  bt_ok(aev_execution_history(c->e, &text));
  json_t *h = parsed(text), *events = at(h, "events"), *ev;
  size_t i;
  json_array_foreach(events, i, ev) {
    ck_assert_msg(json_integer_value(at(ev, "id")) == (json_int_t)i + 1,
                  "allocation %ld: event %zu has id %lld", a->k, i,
                  (long long)json_integer_value(at(ev, "id")));
    ck_assert_int_lt(json_integer_value(at(ev, "previousEventId")), (json_int_t)i + 1);
  }
  const char *last = json_string_value(at(json_array_get(events, i - 1), "type"));
  ck_assert_str_eq(last, status == AEV_EXECUTION_SUCCEEDED ? "ExecutionSucceeded" : "ExecutionFailed");
  if (status == AEV_EXECUTION_SUCCEEDED) ck_assert_uint_eq(i, 42);
  json_decref(h);
}

START_TEST(machine_run_history) {
  static const nomem_case sc = {.what = "a run of 42 events", .setup = sm_started_waiting,
                                .call = sm_drain, .succeeded = sm_history_whole,
                                .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, chain_def(), 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* A run through Parallel (with Retry), Map and Wait: whichever
 * allocation fails, the execution ends, SUCCEEDED whole or FAILED as
 * States.Runtime (a child that could not be started, a Wait that could
 * not be timed left it RUNNING for ever; retry counters that could not be
 * allocated crashed it). */

static const char *const flows_def =
    "{\"StartAt\":\"Par\",\"States\":{"
    "\"Par\":{\"Type\":\"Parallel\",\"Branches\":["
    "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":1,\"End\":true}}},"
    "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Result\":2,\"End\":true}}}],"
    "\"Retry\":[{\"ErrorEquals\":[\"States.ALL\"]}],\"ResultPath\":\"$.par\",\"Next\":\"Each\"},"
    "\"Each\":{\"Type\":\"Map\",\"ItemsPath\":\"$.par\",\"ItemProcessor\":{\"StartAt\":\"I\","
    "\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},\"ResultPath\":\"$.each\","
    "\"Next\":\"Nap\"},"
    "\"Nap\":{\"Type\":\"Wait\",\"Seconds\":1,\"Next\":\"Try\"},"
    "\"Try\":{\"Type\":\"Pass\",\"OutputPath\":\"$.each\",\"End\":true}}}";

static int sm_advance(void *ctx) { return aev_broker_advance(((sm_ctx *)ctx)->b, 5000); }

static void sm_flows_ended(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(aev_broker_advance(c->b, 60 * 60 * 1000));
  int status = aev_execution_status(c->e);
  ck_assert_msg(status != AEV_EXECUTION_RUNNING, "allocation %ld: the execution never ends", a->k);
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  json_t *d = parsed(text);
  if (status == AEV_EXECUTION_SUCCEEDED)
    ck_assert_str_eq(json_string_value(at(d, "output")), "[1,2]");
  else
    ck_assert_msg(!strcmp(json_string_value(at(d, "error")), "States.Runtime"),
                  "allocation %ld: status %d, error %s", a->k, status,
                  json_string_value(at(d, "error")));
  json_decref(d);
}

START_TEST(machine_run_flows) {
  static const nomem_case sc = {.what = "a run of every flow", .setup = sm_started_waiting,
                                .call = sm_advance, .succeeded = sm_flows_ended,
                                .expect = NOMEM_NEVER_FAILS};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, flows_def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* A Task calling a Lambda function (one that echoes, one that fails):
 * whichever allocation fails, the execution ends with the function's
 * outcome or as States.Runtime (an outcome that could not be copied used
 * to succeed with a null result, or fail with no error name; a failed
 * invoke was named Lambda.InternalFailure, as if the function's). No
 * TimeoutSeconds: an outcome whose post to the execution's strand could not
 * be allocated used to be lost, and the execution waited for ever. */

static const char *const lambda_def =
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
    "\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:%s\",\"End\":true}}}";

static void fn_echoes(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  aev_invocation_succeed(ctx, event, len);
}

static void fn_refuses(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user, (void)event, (void)len;
  aev_invocation_fail(ctx, "Custom.Refused", "not today");
}

static void sm_lambda_ended(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(aev_broker_advance(c->b, 60 * 60 * 1000));
  int status = aev_execution_status(c->e);
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  json_t *d = parsed(text);
  const char *error = json_string_value(at(d, "error"));
  if (status == AEV_EXECUTION_SUCCEEDED) {
    ck_assert_msg(strstr(c->definition, ":echo") != NULL, "allocation %ld: a refusal succeeded", a->k);
    ck_assert_str_eq(json_string_value(at(d, "output")), "{}");
  } else {
    ck_assert_msg(status == AEV_EXECUTION_FAILED && error &&
                      (!strcmp(error, "States.Runtime") ||
                       (strstr(c->definition, ":refuses") && !strcmp(error, "Custom.Refused"))),
                  "allocation %ld: status %d, error %s", a->k, status, error ? error : "(none)");
  }
  json_decref(d);
}

START_TEST(machine_run_lambda) {
  static const nomem_case sc = {.what = "a run calling Lambda", .setup = sm_started_waiting,
                                .call = sm_drain, .succeeded = sm_lambda_ended,
                                .expect = NOMEM_NEVER_FAILS};
  static const char *const names[] = {"echo", "refuses"};
  for (int i = 0; i < 2; i++) {
    char def[512];
    snprintf(def, sizeof def, lambda_def, names[i]);
    sm_ctx c;
    sm_ctx_init(&c, AEV_MACHINE_STANDARD, def, 1);
    bt_ok(aev_function_create(c.b, names[i], "{\"Timeout\":30}", i ? fn_refuses : fn_echoes,
                              NULL, NULL, NULL));
    nomem_sweep(&sc, &c);
    sm_ctx_end(&c);
  }
}
END_TEST

/* StartSyncExecution (EXPRESS) */

static int sm_start_sync(void *ctx) {
  sm_ctx *c = ctx;
  c->text = NULL;
  return aev_machine_start_sync(c->m, "sync", "{\"x\":1}", 7, &c->text);
}

/* SUCCEEDED with its output, or FAILED as States.Runtime for want of
 * memory: the execution ran, and out of memory failed it (its output
 * could not be serialised). */
static void sm_sync_done(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert(json_equal(a->was, a->now));
  json_t *r = parsed(c->text);
  const char *status = json_string_value(at(r, "status"));
  if (!strcmp(status, "SUCCEEDED")) {
    ck_assert_str_eq(json_string_value(at(r, "output")), "{\"ok\":1}");
  } else {
    ck_assert_msg(!strcmp(status, "FAILED") &&
                      !strcmp(json_string_value(at(r, "error")), "States.Runtime") &&
                      strstr(json_string_value(at(r, "cause")), "Out of memory"),
                  "allocation %ld: %s", a->k, c->text);
  }
  json_decref(r);
}

static void sm_text_unset(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((sm_ctx *)ctx)->text);
}

START_TEST(machine_start_sync) {
  static const nomem_case sc = {.what = "StartSyncExecution", .state = sm_state,
                                .call = sm_start_sync, .succeeded = sm_sync_done,
                                .failed = sm_text_unset};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_EXPRESS, pass_def, 1);
  sweep_twice(&sc, &c, sm_fresh);
  sm_ctx_end(&c);
}
END_TEST

/* A definition whose every compiler allocates: JSONPath paths with a
 * filter, Parameters calling intrinsics, a Choice state's rules, a Map,
 * Retry and Catch, a Fail state's ErrorPath / CausePath and a JSONata
 * state. Out of memory in any of them used to answer InvalidDefinition. */
static const char *const compiled_def =
    "{\"StartAt\":\"Shape\",\"States\":{"
    "\"Shape\":{\"Type\":\"Pass\",\"InputPath\":\"$.order\",\"Parameters\":{"
    "\"id.$\":\"$.id\",\"label.$\":\"States.Format('order {} of {}', $.id, $$.Execution.Name)\","
    "\"tags.$\":\"States.Array($.tags[0], 'x', 3)\","
    "\"cheap.$\":\"$.items[?(@.price < 10 && @.kind == 'book')].name\"},"
    "\"ResultPath\":\"$.shaped\",\"OutputPath\":\"$.shaped\",\"Next\":\"Route\"},"
    "\"Route\":{\"Type\":\"Choice\",\"Choices\":["
    "{\"And\":[{\"Variable\":\"$.id\",\"IsPresent\":true},"
    "{\"Variable\":\"$.tags[0]\",\"StringEquals\":\"rush\"}],\"Next\":\"Done\"},"
    "{\"Not\":{\"Variable\":\"$.id\",\"NumericGreaterThanPath\":\"$$.Execution.Input.limit\"},"
    "\"Next\":\"Oops\"}],\"Default\":\"Each\"},"
    "\"Each\":{\"Type\":\"Map\",\"ItemsPath\":\"$.tags\","
    "\"ItemSelector\":{\"tag.$\":\"$$.Map.Item.Value\"},"
    "\"ItemProcessor\":{\"StartAt\":\"Echo\",\"States\":{\"Echo\":{\"Type\":\"Pass\",\"End\":true}}},"
    "\"ResultSelector\":{\"n.$\":\"States.ArrayLength($)\"},"
    "\"Retry\":[{\"ErrorEquals\":[\"States.ALL\"]}],"
    "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Oops\"}],"
    "\"Next\":\"Late\"},"
    "\"Late\":{\"Type\":\"Pass\",\"QueryLanguage\":\"JSONata\","
    "\"Output\":{\"n\":\"{% $states.input.n + 1 %}\"},\"Next\":\"Done\"},"
    "\"Oops\":{\"Type\":\"Fail\",\"ErrorPath\":\"$.error.Error\","
    "\"CausePath\":\"States.Format('failed: {}', $.error.Cause)\"},"
    "\"Done\":{\"Type\":\"Succeed\"}}}";

START_TEST(machine_create_compiles) {
  static const nomem_case sc = {.what = "CreateStateMachine (compiled)", .state = sm_state,
                                .call = sm_create, .succeeded = sm_created,
                                .failed = sm_not_created};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, compiled_def, 0);
  sweep_twice(&sc, &c, new_broker);
  sm_ctx_end(&c);
}
END_TEST

/* UpdateStateMachine to that definition: out of memory keeps the old one. */

static int sm_update(void *ctx) {
  sm_ctx *c = ctx;
  return aev_machine_update(c->m, compiled_def, strlen(compiled_def));
}

static void sm_updated(void *ctx, const nomem_attempt *a) {
  const char *was = json_string_value(at(at(a->was, "machine"), "definition"));
  const char *now = json_string_value(at(at(a->now, "machine"), "definition"));
  ck_assert_str_eq(was, pass_def);
  ck_assert_str_eq(now, compiled_def);
}

START_TEST(machine_update_compiles) {
  static const nomem_case sc = {.what = "UpdateStateMachine", .setup = sm_fresh,
                                .state = sm_state, .call = sm_update, .succeeded = sm_updated};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, pass_def, 0);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* ValidateStateMachineDefinition: OK, or out of memory, never FAIL. */

static int sm_validate(void *ctx) {
  sm_ctx *c = ctx;
  c->text = NULL;
  return aev_machine_validate(compiled_def, strlen(compiled_def), AEV_MACHINE_STANDARD, &c->text);
}

static void sm_validated(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  json_t *r = parsed(c->text);
  ck_assert_msg(!strcmp(json_string_value(at(r, "result")), "OK"), "allocation %ld: %s", a->k,
                json_string_value(at(json_array_get(at(r, "diagnostics"), 0), "message")));
  json_decref(r);
}

START_TEST(machine_validate_compiles) {
  static const nomem_case sc = {.what = "ValidateStateMachineDefinition", .call = sm_validate,
                                .succeeded = sm_validated, .failed = sm_text_unset};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, compiled_def, 0);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* An ended execution's output: the output, or out of memory, never none. */

static void sm_ended(void *ctx) {
  sm_started_waiting(ctx);
  bt_ok(aev_broker_drain(((sm_ctx *)ctx)->b));
}

static int sm_output(void *ctx) {
  sm_ctx *c = ctx;
  c->text = NULL;
  return aev_execution_output(c->e, &c->text);
}

static void sm_output_given(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_msg(c->text && !strcmp(c->text, "{\"ok\":1}"), "allocation %ld: output %s", a->k,
                c->text ? c->text : "(none)");
  aev_free(c->text);
}

START_TEST(machine_output) {
  static const nomem_case sc = {.what = "aev_execution_output", .setup = sm_ended,
                                .call = sm_output, .succeeded = sm_output_given,
                                .failed = sm_text_unset};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, pass_def, 1);
  nomem_sweep(&sc, &c);
  sm_ctx_end(&c);
}
END_TEST

/* CreateActivity */

static int sm_create_activity(void *ctx) {
  sm_ctx *c = ctx;
  c->a = NULL;
  return aev_activity_create(c->b, "work", &c->a);
}

static void sm_activity_created(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_ptr_null(at(a->was, "activity"));
  ck_assert_str_eq(json_string_value(at(at(a->now, "activity"), "activityArn")), ACTIVITY_ARN);
  bt_ok(aev_activity_delete(c->a));
  aev_activity_release(c->a);
  c->a = NULL;
}

static void sm_activity_not_created(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((sm_ctx *)ctx)->a);
}

START_TEST(activity_create) {
  static const nomem_case sc = {.what = "CreateActivity", .state = sm_state,
                                .call = sm_create_activity, .succeeded = sm_activity_created,
                                .failed = sm_activity_not_created};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, pass_def, 0);
  sweep_twice(&sc, &c, new_broker);
  sm_ctx_end(&c);
}
END_TEST

/* GetActivityTask, then SendTaskSuccess: an execution waits on the
 * activity (one new execution per attempt). */

static void sm_task_scheduled(void *ctx) {
  sm_ctx *c = ctx;
  aev_execution_release(c->e);
  snprintf(c->name, sizeof c->name, "task-%d", c->started++);
  bt_ok(aev_machine_start(c->m, c->name, "{\"job\":7}", 9, &c->e));
  bt_ok(aev_broker_drain(c->b));
}

static int sm_get_task(void *ctx) {
  sm_ctx *c = ctx;
  c->token = c->input = NULL;
  return aev_activity_get_task(c->a, "worker", 0, &c->token, &c->input);
}

static void sm_task_got(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_ptr_nonnull(c->token);
  ck_assert_str_eq(c->input, "{\"job\":7}");
  bt_ok(aev_machine_send_task_success(c->b, c->token, "{\"done\":1}", 10));
  aev_free(c->token);
  aev_free(c->input);
  bt_ok(aev_execution_wait(c->e));
  ck_assert_int_eq(aev_execution_status(c->e), AEV_EXECUTION_SUCCEEDED);
}

/* A task not taken stays for the next poll. */
static void sm_task_not_got(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  ck_assert_ptr_null(c->token);
  ck_assert_ptr_null(c->input);
  bt_ok(sm_get_task(c));
  sm_task_got(c, a);
}

static void sm_task_taken(void *ctx) {
  sm_ctx *c = ctx;
  sm_task_scheduled(c);
  bt_ok(sm_get_task(c));
  aev_free(c->input);
}

static int sm_send_success(void *ctx) {
  sm_ctx *c = ctx;
  return aev_machine_send_task_success(c->b, c->token, "{\"done\":1}", 10);
}

static void sm_success_sent(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  aev_free(c->token);
  bt_ok(aev_execution_wait(c->e));
  ck_assert_int_eq(aev_execution_status(c->e), AEV_EXECUTION_SUCCEEDED);
  char *out;
  bt_ok(aev_execution_output(c->e, &out));
  ck_assert_str_eq(out, "{\"done\":1}");
  aev_free(out);
}

/* The token still completes the task. */
static void sm_success_not_sent(void *ctx, const nomem_attempt *a) {
  sm_ctx *c = ctx;
  bt_ok(sm_send_success(c));
  sm_success_sent(c, a);
}

/* A new activity and machine for each attempt. */
static void sm_fresh_activity(void *ctx) {
  sm_ctx *c = ctx;
  bt_ok(aev_activity_delete(c->a));
  aev_activity_release(c->a);
  bt_ok(aev_activity_create(c->b, "work", &c->a));
  sm_fresh(c);
}

START_TEST(activity_tasks) {
  static const nomem_case get = {.what = "GetActivityTask", .setup = sm_task_scheduled,
                                 .state = sm_state, .call = sm_get_task, .succeeded = sm_task_got,
                                 .failed = sm_task_not_got};
  static const nomem_case send = {.what = "SendTaskSuccess", .setup = sm_task_taken,
                                  .state = sm_state, .call = sm_send_success,
                                  .succeeded = sm_success_sent, .failed = sm_success_not_sent};
  sm_ctx c;
  sm_ctx_init(&c, AEV_MACHINE_STANDARD, activity_def, 0);
  bt_ok(aev_activity_create(c.b, "work", &c.a));
  bt_ok(aev_machine_create(c.b, "sm", activity_def, strlen(activity_def), AEV_MACHINE_STANDARD,
                           &c.m));
  sweep_twice(&get, &c, sm_fresh_activity);
  sweep_twice(&send, &c, sm_fresh_activity);
  sm_ctx_end(&c);
}
END_TEST

/* ---- The API layer: aev_call ---------------------------------------------- */

/* One action over aev_call, observed through a primitive's state. On
 * failure the response is the error shape; on success it has member want
 * (NULL: any), and then (may be NULL) checks the state and takes the
 * effect back. */
typedef struct api_ctx {
  aev_broker *b;
  const char *service, *action, *request, *want;
  json_t *(*state)(void *domain);
  void *domain;
  void (*then)(struct api_ctx *c, json_t *response, json_t *now);
  char *response;
} api_ctx;

static json_t *api_state(void *ctx) {
  api_ctx *c = ctx;
  return c->state(c->domain);
}

static int api_call(void *ctx) {
  api_ctx *c = ctx;
  c->response = NULL;
  return aev_call(c->b, c->service, c->action, c->request, &c->response);
}

static void api_succeeded(void *ctx, const nomem_attempt *a) {
  api_ctx *c = ctx;
  json_t *r = parsed(c->response);
  ck_assert_msg(!at(r, "__type"), "%s answered an error", c->action);
  ck_assert_msg(!c->want || at(r, c->want), "%s: no %s in the response", c->action, c->want);
  if (c->then) c->then(c, r, a->now);
  json_decref(r);
}

static void api_failed(void *ctx, const nomem_attempt *a) {
  api_ctx *c = ctx;
  json_t *r = parsed(c->response);
  ck_assert_ptr_nonnull(json_string_value(at(r, "__type")));
  ck_assert_ptr_nonnull(json_string_value(at(r, "message")));
  json_decref(r);
}

static void api_sweep(api_ctx *c, const char *action, const char *request, const char *want,
                      void (*then)(api_ctx *, json_t *, json_t *)) {
  c->action = action;
  c->request = request;
  c->want = want;
  c->then = then;
  nomem_case sc = {.what = action, .state = api_state, .call = api_call, .succeeded = api_succeeded,
                   .failed = api_failed};
  nomem_sweep(&sc, c);
}

static void api_run(api_ctx *c, const char *action, const char *request) {
  char *out = NULL;
  int rc = aev_call(c->b, c->service, action, request, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, out);
  aev_free(out);
}

static void stream_api_created(api_ctx *c, json_t *r, json_t *now) {
  (void)r;
  ck_assert_uint_eq(json_array_size(at(at(now, "desc"), "Shards")), 2);
  ck_assert_uint_eq(json_array_size(at(at(now, "tags"), "Tags")), 1);
  api_run(c, "DeleteStream", "{\"StreamName\":\"api\"}");
}

START_TEST(api_kinesis) {
  stream_ctx sc;
  stream_ctx_init(&sc, "api", 2);
  api_ctx c = {.b = sc.b, .service = "kinesis", .state = stream_state, .domain = &sc};
  api_sweep(&c, "CreateStream", "{\"StreamName\":\"api\",\"ShardCount\":2,\"Tags\":{\"team\":\"a\"}}",
            NULL, stream_api_created);
  fresh_stream(&sc);
  api_sweep(&c, "PutRecords",
            "{\"StreamName\":\"api\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"a\"},"
            "{\"Data\":\"Yg==\",\"PartitionKey\":\"b\"}]}",
            "Records", NULL);
  api_sweep(&c, "GetShardIterator",
            "{\"StreamName\":\"api\",\"ShardId\":\"shardId-000000000001\",\"ShardIteratorType\":"
            "\"TRIM_HORIZON\"}",
            "ShardIterator", NULL);
  stream_ctx_end(&sc);
}
END_TEST

static void alias_api_created(api_ctx *c, json_t *r, json_t *now) {
  (void)r;
  ck_assert_uint_eq(json_array_size(at(at(now, "aliases"), "Aliases")), 1);
  api_run(c, "DeleteAlias", "{\"FunctionName\":\"fn\",\"Name\":\"live\"}");
}

static void econf_api_put(api_ctx *c, json_t *r, json_t *now) {
  (void)r;
  ck_assert_int_eq(json_integer_value(at(at(now, "econf"), "MaximumRetryAttempts")), 0);
  api_run(c, "DeleteFunctionEventInvokeConfig", "{\"FunctionName\":\"fn\"}");
}

static void event_api_queued(api_ctx *c, json_t *r, json_t *now) {
  (void)r;
  (void)now;
  fn_ctx *f = c->domain;
  int before = f->calls;
  aev_broker_drain(c->b);
  ck_assert_int_eq(f->calls, before + 1);
}

static void function_api_created(api_ctx *c, json_t *r, json_t *now) {
  (void)r;
  ck_assert_str_eq(json_string_value(at(at(at(now, "config"), "DeadLetterConfig"), "TargetArn")),
                   "arn:aws:sqs:us-east-1:000000000000:dlq");
  api_run(c, "DeleteFunction", "{\"FunctionName\":\"fn2\"}");
}

/* Streams its event and "!" as two chunks. */
static void fn_streams(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  if (aev_invocation_stream_write(ctx, event, len) || aev_invocation_stream_write(ctx, "!", 1))
    aev_invocation_fail(ctx, "Stream.Failed", "a write failed");
  else
    aev_invocation_succeed(ctx, NULL, 0);
}

START_TEST(api_lambda) {
  fn_ctx fc;
  fn_ctx_init(&fc, 1);
  bt_ok(aev_function_publish_version(fc.f, NULL, NULL));
  fc.q = bt_queue(fc.b, "dlq", NULL);
  api_ctx c = {.b = fc.b, .service = "lambda", .state = fn_state, .domain = &fc};
  api_sweep(&c, "CreateAlias", "{\"FunctionName\":\"fn\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}",
            "AliasArn", alias_api_created);
  api_sweep(&c, "PutFunctionEventInvokeConfig",
            "{\"FunctionName\":\"fn\",\"MaximumRetryAttempts\":0,\"DestinationConfig\":{\"OnSuccess\":"
            "{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}}",
            "MaximumRetryAttempts",
            econf_api_put);
  api_sweep(&c, "Invoke", "{\"FunctionName\":\"fn\",\"InvocationType\":\"Event\",\"Payload\":\"{}\"}",
            "StatusCode", event_api_queued);
  /* InvokeWithResponseStream of a handler that does not stream and of one
   * that does: the run itself is an effect, as Invoke's. */
  c.state = fn_state_but_effects;
  api_sweep(&c, "InvokeWithResponseStream",
            "{\"FunctionName\":\"fn\",\"Payload\":\"{}\",\"LogType\":\"Tail\"}", "EventStream",
            NULL);
  aev_function *st;
  bt_ok(aev_function_create(fc.b, "st", NULL, fn_streams, NULL, NULL, &st));
  fn_ctx streamed = fc;
  streamed.name = "st";
  c.domain = &streamed;
  api_sweep(&c, "InvokeWithResponseStream", "{\"FunctionName\":\"st\",\"Payload\":\"[1]\"}",
            "EventStream", NULL);
  aev_function_release(st);
  c.domain = &fc;
  c.state = fn_state;
  /* CreateFunction of a registered handler, with a dead-letter queue. */
  bt_ok(aev_handler_register(c.b, "echo", fn_echo, &fc, NULL));
  fn_ctx other = fc;
  other.name = "fn2";
  c.domain = &other;
  api_sweep(&c, "CreateFunction",
            "{\"FunctionName\":\"fn2\",\"Handler\":\"echo\",\"Runtime\":\"provided\",\"DeadLetterConfig\":"
            "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}",
            "FunctionArn", function_api_created);
  fn_ctx_end(&fc);
}
END_TEST

static void machine_api_created(api_ctx *c, json_t *r, json_t *now) {
  (void)now;
  char req[512];
  snprintf(req, sizeof req, "{\"stateMachineArn\":\"%s\"}",
           json_string_value(at(r, "stateMachineArn")));
  api_run(c, "DeleteStateMachine", req);
}

static void execution_api_started(api_ctx *c, json_t *r, json_t *now) {
  (void)now;
  aev_broker_drain(c->b);
  char req[512], *out;
  snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}", json_string_value(at(r, "executionArn")));
  bt_ok(aev_call(c->b, "states", "DescribeExecution", req, &out));
  json_t *d = parsed(out);
  ck_assert_str_eq(json_string_value(at(d, "status")), "SUCCEEDED");
  json_decref(d);
}

static void activity_api_created(api_ctx *c, json_t *r, json_t *now) {
  (void)now;
  char req[512];
  snprintf(req, sizeof req, "{\"activityArn\":\"%s\"}", json_string_value(at(r, "activityArn")));
  api_run(c, "DeleteActivity", req);
}

START_TEST(api_states) {
  sm_ctx mc;
  sm_ctx_init(&mc, AEV_MACHINE_STANDARD, pass_def, 0);
  api_ctx c = {.b = mc.b, .service = "states", .state = sm_state, .domain = &mc};
  char req[512];
  snprintf(req, sizeof req,
           "{\"name\":\"sm\",\"definition\":\"%s\",\"roleArn\":\"arn:aws:iam::000000000000:role/r\"}",
           "{\\\"StartAt\\\":\\\"P\\\",\\\"States\\\":{\\\"P\\\":{\\\"Type\\\":\\\"Pass\\\","
           "\\\"Result\\\":{\\\"ok\\\":1},\\\"End\\\":true}}}");
  api_sweep(&c, "CreateStateMachine", req, "stateMachineArn", machine_api_created);
  api_run(&c, "CreateStateMachine", req);
  api_sweep(&c, "StartExecution",
            "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:sm\","
            "\"input\":\"{}\"}",
            "executionArn", execution_api_started);
  api_sweep(&c, "CreateActivity", "{\"name\":\"work\"}", "activityArn", activity_api_created);
  sm_ctx_end(&mc);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_stream_function_machine");
  TCase *tc = tcase_create("streams");
  tcase_add_test(tc, stream_create);
  tcase_add_test(tc, stream_put_record);
  tcase_add_test(tc, stream_put_records);
  tcase_add_test(tc, stream_put_records_throttled);
  tcase_add_test(tc, stream_iterator_and_records);
  tcase_add_test(tc, stream_split_and_merge);
  tcase_add_test(tc, stream_reshard_runs_whole);
  tcase_add_test(tc, stream_warm_throughput);
  tcase_add_test(tc, stream_account_settings);
  tcase_add_test(tc, stream_register_consumer);
  tcase_add_test(tc, stream_tags);
  suite_add_tcase(s, tc);
  tc = tcase_create("delivery");
  tcase_add_test(tc, delivery_create);
  tcase_add_test(tc, delivery_put);
  tcase_add_test(tc, delivery_from_stream);
  tcase_add_test(tc, delivery_put_seals);
  tcase_add_test(tc, delivery_retry_post);
  tcase_add_test(tc, delivery_partitioning);
  suite_add_tcase(s, tc);
  tc = tcase_create("functions");
  tcase_add_test(tc, function_create);
  tcase_add_test(tc, function_versions_and_aliases);
  tcase_add_test(tc, function_update_code);
  tcase_add_test(tc, function_event_invoke_config);
  tcase_add_test(tc, function_event_source_mapping);
  tcase_add_test(tc, function_stream_mapping);
  tcase_add_test(tc, function_invoke);
  tcase_add_test(tc, function_event_attempt);
  suite_add_tcase(s, tc);
  tc = tcase_create("machines");
  tcase_add_test(tc, machine_create);
  tcase_add_test(tc, machine_create_compiles);
  tcase_add_test(tc, machine_update_compiles);
  tcase_add_test(tc, machine_validate_compiles);
  tcase_add_test(tc, machine_start);
  tcase_add_test(tc, machine_run);
  tcase_add_test(tc, machine_run_sdk);
  tcase_add_test(tc, machine_run_fails);
  tcase_add_test(tc, machine_run_history);
  tcase_add_test(tc, machine_run_flows);
  tcase_add_test(tc, machine_run_lambda);
  tcase_add_test(tc, machine_output);
  tcase_add_test(tc, machine_stop);
  tcase_add_test(tc, machine_redrive);
  tcase_add_test(tc, machine_test_state);
  tcase_add_test(tc, machine_map_run);
  tcase_add_test(tc, machine_item_reader);
  tcase_add_test(tc, machine_item_reader_manifest);
  tcase_add_test(tc, machine_start_sync);
  tcase_add_test(tc, activity_create);
  tcase_add_test(tc, activity_tasks);
  suite_add_tcase(s, tc);
  tc = tcase_create("api");
  tcase_add_test(tc, api_kinesis);
  tcase_add_test(tc, api_lambda);
  tcase_add_test(tc, api_states);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
