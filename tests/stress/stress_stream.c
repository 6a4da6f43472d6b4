/* Stress (run under ThreadSanitizer in CI): a real-clock broker with
 * workers; 4 producer threads put 200,000 records (20,000 when CI is set)
 * into a 4-shard stream under 200 partition keys while, at once: the
 * stream splits a shard and its maximum record size changes; reader threads follow shards 1..3 with
 * GetRecords; an enhanced fan-out subscription per shard is pushed events;
 * an event-source mapping (ParallelizationFactor 2, changed to 5, 1 and 3
 * meanwhile) feeds a function; and a
 * delivery stream reading the stream hands batches to a callback sink.
 * At the end every consumer saw each key's records in order, the mapping
 * and the delivery stream saw every record, and nothing is left running. */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "stress_support.h"
#include "awsevents/awsevents.h"
#include "stream/mapping.h"

#define PRODUCERS 4
#define KEYS 200

static int total;
static aev_broker *b;
static aev_stream *s;
static atomic_int producers_done;

/* Data is "<key>:<n>" with n increasing per key; last[key] the last seen. */
typedef struct order {
  pthread_mutex_t mu;
  int last[KEYS];
  atomic_int seen;
} order;

static void order_init(order *o) {
  pthread_mutex_init(&o->mu, NULL);
  for (int k = 0; k < KEYS; k++) o->last[k] = -1;
}

static void order_see(order *o, const char *data, size_t len, int exact) {
  int k, n;
  char buf[32];
  snprintf(buf, sizeof buf, "%.*s", (int)len, data);
  if (sscanf(buf, "%d:%d", &k, &n) != 2 || k < 0 || k >= KEYS) {
    report("unknown record");
    return;
  }
  pthread_mutex_lock(&o->mu);
  /* exact: every record once, in order; else in order, gaps allowed. */
  if (exact ? n != o->last[k] + 1 : n <= o->last[k]) report("out of order");
  o->last[k] = n;
  pthread_mutex_unlock(&o->mu);
  atomic_fetch_add(&o->seen, 1);
}

static void *producer(void *arg) {
  int t = (int)(intptr_t)arg;
  for (int i = t; i < total; i += PRODUCERS) {
    /* key i % KEYS; its n-th record is i / KEYS: producers interleave, so
     * one key is always written by the same producer (i % KEYS fixes t). */
    char key[16], data[32];
    int k = i % KEYS;
    snprintf(key, sizeof key, "key-%d", k);
    snprintf(data, sizeof data, "%d:%d", k, i / KEYS);
    if (aev_stream_put(s, data, strlen(data), key, NULL, NULL, NULL, NULL)) report("%s", aev_errmsg());
  }
  atomic_fetch_add(&producers_done, 1);
  return NULL;
}

static order readers_order;

static void *reader(void *arg) {
  char id[AEV_SHARD_ID_SIZE], *it = NULL;
  snprintf(id, sizeof id, "shardId-%012d", (int)(intptr_t)arg);
  if (aev_stream_iterator(s, id, "TRIM_HORIZON", NULL, 0, &it)) report("%s", aev_errmsg());
  for (int idle = 0; it && idle < 3;) {
    aev_records *r;
    if (aev_stream_get_records(b, it, 1000, &r)) {
      report("%s", aev_errmsg());
      break;
    }
    size_t n = aev_records_count(r);
    for (size_t i = 0; i < n; i++) {
      size_t len;
      const char *d = aev_records_data(r, i, &len);
      order_see(&readers_order, d, len, 0);
    }
    idle = producers_done == PRODUCERS && !n ? idle + 1 : 0;
    aev_free(it);
    it = strdup(aev_records_next_iterator(r));
    aev_records_free(r);
    if (!n) pause_ms(1);
  }
  free(it);
  return NULL;
}

static order subs_order;
static atomic_int subs_released;

static void on_event(void *user, const aev_records *ev) {
  for (size_t i = 0; i < aev_records_count(ev); i++) {
    size_t len;
    const char *d = aev_records_data(ev, i, &len);
    order_see(&subs_order, d, len, 0);
  }
}

static void on_release(void *user) { atomic_fetch_add(&subs_released, 1); }

static order mapping_order;

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  json_t *ev = json_loads(event, 0, NULL);
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(ev, "Records"), i, r) {
    const char *b64 = json_string_value(json_object_get(json_object_get(r, "kinesis"), "data"));
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char d[32];
    size_t n = 0;
    unsigned v = 0;
    int bits = 0;
    for (const char *p = b64; *p && *p != '=' && n < sizeof d - 1; p++) {
      v = v << 6 | (unsigned)(strchr(tbl, *p) - tbl);
      if ((bits += 6) >= 8) d[n++] = (char)(v >> (bits -= 8));
    }
    order_see(&mapping_order, d, n, 1);
  }
  json_decref(ev);
  aev_invocation_succeed(ctx, "{}", 2);
}

static atomic_llong sink_bytes;

static int sink(void *user, const char *key, const void *data, size_t len) {
  atomic_fetch_add(&sink_bytes, (long long)len);
  return 0;
}

START_TEST(concurrent_producers_and_consumers) {
  total = getenv("CI") ? 20000 : 200000;
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  ck_assert_int_eq(aev_stream_create(b, "s", 4, &s), AEV_OK);
  aev_stream_set_throttling(s, 0);
  order_init(&readers_order);
  order_init(&subs_order);
  order_init(&mapping_order);

  char *arn;
  ck_assert_int_eq(aev_stream_register_consumer(s, "efo", &arn), AEV_OK);
  aev_broker_drain(b);
  aev_subscription *subs[4];
  for (int i = 0; i < 4; i++) {
    char id[AEV_SHARD_ID_SIZE];
    snprintf(id, sizeof id, "shardId-%012d", i);
    ck_assert_int_eq(aev_stream_subscribe(b, arn, id, "TRIM_HORIZON", NULL, 0, on_event, NULL, on_release, &subs[i]), AEV_OK);
  }
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, NULL), AEV_OK);
  json_t *req = json_pack("{s:s, s:s, s:s, s:i, s:i}", "EventSourceArn", aev_stream_arn(s),
                          "FunctionName", "fn", "StartingPosition", "TRIM_HORIZON",
                          "ParallelizationFactor", 2, "BatchSize", 500), *desc;
  ck_assert_int_eq(aev__stream_mapping_create(b, req, &desc), AEV_OK);
  char *uuid = strdup(json_string_value(json_object_get(desc, "UUID")));
  json_decref(req);
  json_decref(desc);
  char cfg[256];
  snprintf(cfg, sizeof cfg, "{\"DeliveryStreamType\":\"KinesisStreamAsSource\",\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\"%s\"},"
           "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":1}}", aev_stream_arn(s));
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_create_with_sink(b, "fh", cfg, sink, NULL, NULL, &d), AEV_OK);

  pthread_t prod[PRODUCERS], rd[3];
  for (int i = 0; i < PRODUCERS; i++) pthread_create(&prod[i], NULL, producer, (void *)(intptr_t)i);
  for (int i = 0; i < 3; i++) pthread_create(&rd[i], NULL, reader, (void *)(intptr_t)(i + 1));
  pause_ms(20);
  ck_assert_int_eq(aev_stream_split_shard(s, "shardId-000000000000", "42535295865117307932921825928971026432"), AEV_OK);
  /* The maximum record size changes while the producers' puts check it. */
  for (int i = 0; i < 100; i++)
    ck_assert_int_eq(aev_stream_set_max_record_size(s, (i % 2 + 1) << 20), AEV_OK);
  /* The mapping's partitions change while batches are in flight. */
  static const int factors[] = {5, 1, 3};
  for (size_t i = 0; i < sizeof factors / sizeof *factors; i++) {
    char update[128], *answer;
    pause_ms(10);
    snprintf(update, sizeof update, "{\"UUID\":\"%s\",\"ParallelizationFactor\":%d}", uuid, factors[i]);
    ck_assert_int_eq(aev_event_source_mapping_update(b, update, &answer), AEV_OK);
    aev_free(answer);
  }
  free(uuid);
  for (int i = 0; i < PRODUCERS; i++) pthread_join(prod[i], NULL);
  for (int i = 0; i < 3; i++) pthread_join(rd[i], NULL);

  long long want_bytes = 0;
  for (int i = 0; i < total; i++) {
    char data[32];
    want_bytes += snprintf(data, sizeof data, "%d:%d", i % KEYS, i / KEYS);
  }
  aev_delivery_flush(d);
  for (int waited = 0; waited < 60000 && (mapping_order.seen < total || sink_bytes < want_bytes); waited += 10)
    pause_ms(10);
  ck_assert_msg(errors == 0, "%d errors, first: %s", errors, first_error);
  ck_assert_int_eq(mapping_order.seen, total);
  ck_assert_int_eq(sink_bytes, want_bytes);
  ck_assert_int_gt(readers_order.seen, 0);
  ck_assert_int_gt(subs_order.seen, 0);
  for (int i = 0; i < 4; i++) aev_subscription_free(subs[i]);
  aev_free(arn);
  aev_delivery_release(d);
  aev_stream_release(s);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(subs_released, 4);
}
END_TEST

/* The account's shard quota (1,000 in eu-central-1) under concurrent
 * requests: 8 threads create 50-shard streams until the quota turns them
 * away, then ask to double and to split their first stream, while the
 * workers run the reshards. No interleaving of quota check and use may
 * let the account's open shards, pending reshards counted, past the
 * quota. */
#define QUOTA_THREADS 8

typedef struct quota_thread {
  pthread_t t;
  int id, created;
  aev_stream *first;
} quota_thread;

static aev_broker *qb;

static void *quota_requests(void *arg) {
  quota_thread *q = arg;
  for (int k = 0;; k++) {
    char name[32];
    aev_stream *st;
    snprintf(name, sizeof name, "q%d-%d", q->id, k);
    int rc = aev_stream_create(qb, name, 50, &st);
    if (rc == AEV_ERR_LIMIT) break;
    if (rc != AEV_OK) {
      report("create: %s", aev_errmsg());
      break;
    }
    q->created++;
    if (!q->first) q->first = st;
    else aev_stream_release(st);
  }
  if (q->first) {
    int rc = aev_stream_update_shard_count(q->first, 100);
    if (rc != AEV_OK && rc != AEV_ERR_LIMIT && strcmp(aev_errcode(), "ResourceInUseException"))
      report("update: %s", aev_errmsg());
    rc = aev_stream_split_shard(q->first, "shardId-000000000000", "1000");
    if (rc != AEV_OK && rc != AEV_ERR_LIMIT && strcmp(aev_errcode(), "ResourceInUseException"))
      report("split: %s", aev_errmsg());
  }
  return NULL;
}

START_TEST(shard_quota_under_concurrent_requests) {
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_options_set_region(o, "eu-central-1"), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &qb), AEV_OK);
  aev_broker_options_free(o);
  quota_thread q[QUOTA_THREADS] = {{0}};
  for (int i = 0; i < QUOTA_THREADS; i++) {
    q[i].id = i;
    ck_assert_int_eq(pthread_create(&q[i].t, NULL, quota_requests, &q[i]), 0);
  }
  int created = 0;
  for (int i = 0; i < QUOTA_THREADS; i++) {
    pthread_join(q[i].t, NULL);
    created += q[i].created;
  }
  ck_assert_int_eq(aev_broker_drain(qb), AEV_OK);
  /* Creates alone fill the quota to within one stream's shards. */
  ck_assert_int_le(created * 50, 1000);
  ck_assert_int_gt(created * 50, 1000 - 50);
  json_t *j = aev_test_call(qb, "kinesis", "DescribeLimits", "{}", AEV_OK);
  ck_assert_int_le(json_integer_value(json_object_get(j, "OpenShardCount")), 1000);
  json_decref(j);
  ck_assert_msg(errors == 0, "%d errors, first: %s", errors, first_error);
  for (int i = 0; i < QUOTA_THREADS; i++) aev_stream_release(q[i].first);
  ck_assert_int_eq(aev_broker_destroy(qb), AEV_OK);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("stress_stream");
  TCase *tc = tcase_create("stream");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, concurrent_producers_and_consumers);
  tcase_add_test(tc, shard_quota_under_concurrent_requests);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
