/* Event-source mappings from streams, on the manual clock: Lambda's
 * Kinesis event shape, batches in shard order, a poisoned batch bisected
 * down to the bad record whose failure record (KinesisBatchInfo) reaches
 * the OnFailure queue or topic, ReportBatchItemFailures checkpoints, per-key order
 * with ParallelizationFactor, parents before children across a reshard,
 * filters on data, LATEST, MaximumRecordAgeInSeconds, and the checks. */
#include <jansson.h>

#include "aevtest.h"
#include "stream/mapping.h"
#include "stream_support.h"

static aev_broker *b;

/* What the function saw: each invocation's records' data joined by ','
 * and invocations separated by '|'; a record named "poison" fails the
 * invocation; "bad" is reported as an item failure the first time,
 * "doomed" every time. */
static char seen[8192];
static int calls, bad_reported;
static json_t *last_event;

/* jansson's allocations, the k-th of which fails once armed (-1: none);
 * the handler's own are not counted. */
static long jansson_fail_in = -1;

static void *jansson_malloc(size_t n) {
  if (jansson_fail_in >= 0 && jansson_fail_in-- == 0) return NULL;
  return malloc(n);
}

static void handle(aev_invocation *ctx, const char *event);

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  long armed = jansson_fail_in;
  jansson_fail_in = -1;
  handle(ctx, event);
  jansson_fail_in = armed;
}

static void handle(aev_invocation *ctx, const char *event) {
  calls++;
  json_t *ev = json_loads(event, 0, NULL);
  json_decref(last_event);
  last_event = json_incref(ev);
  size_t i;
  json_t *r;
  int poison = 0;
  const char *bad_seq = NULL;
  json_array_foreach(json_object_get(ev, "Records"), i, r) {
    json_t *k = json_object_get(r, "kinesis");
    unsigned char data[256] = {0};
    const char *b64 = json_string_value(json_object_get(k, "data"));
    /* the test data are short ASCII words: decode by hand */
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    unsigned v = 0;
    int bits = 0;
    for (const char *p = b64; *p && *p != '='; p++) {
      v = v << 6 | (unsigned)(strchr(tbl, *p) - tbl);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        data[n++] = (unsigned char)(v >> bits);
      }
    }
    poison |= !strcmp((char *)data, "poison");
    if (!strcmp((char *)data, "bad") && !bad_reported) {
      bad_seq = json_string_value(json_object_get(k, "sequenceNumber"));
      bad_reported = 1;
    }
    if (!strcmp((char *)data, "doomed"))
      bad_seq = json_string_value(json_object_get(k, "sequenceNumber"));
    strcat(seen, (char *)data);
    strcat(seen, ",");
  }
  strcat(seen, "|");
  if (poison) {
    aev_invocation_fail(ctx, "Poison", "a poisoned record");
  } else if (bad_seq) {
    char out[256];
    snprintf(out, sizeof out, "{\"batchItemFailures\":[{\"itemIdentifier\":\"%s\"}]}", bad_seq);
    aev_invocation_succeed(ctx, out, strlen(out));
  } else {
    aev_invocation_succeed(ctx, "{}", 2);
  }
  json_decref(ev);
}

static void setup(void) {
  b = st_broker();
  seen[0] = '\0';
  calls = bad_reported = 0;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, NULL), AEV_OK);
}

static void teardown(void) {
  aev_broker_destroy(b);
  json_decref(last_event);
  last_event = NULL;
}

/* Mappings are made the way users make them: the functions primitive's
 * CreateEventSourceMapping, which hands Kinesis sources to the stream. */
static int map_request(aev_stream *s, const char *extra, json_t **out) {
  char req[1024];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\"%s}",
           aev_stream_arn(s), extra);
  char *text = NULL;
  int rc = aev_event_source_mapping_create(b, req, &text);
  *out = text ? json_loads(text, 0, NULL) : NULL;
  aev_free(text);
  return rc;
}

static char *map(aev_stream *s, const char *extra) {
  json_t *out;
  int rc = map_request(s, extra, &out);
  ck_assert_msg(rc == AEV_OK, "mapping: %s %s", aev_errcode(), aev_errmsg());
  char *uuid = strdup(json_string_value(json_object_get(out, "UUID")));
  json_decref(out);
  return uuid;
}

static int map_error(aev_stream *s, const char *extra) {
  json_t *out;
  int rc = map_request(s, extra, &out);
  json_decref(out);
  return rc;
}

START_TEST(kinesis_event_shape_and_order) {
  aev_stream *s = st_stream(b, "s", 1);
  char seq[AEV_STREAM_SEQUENCE_SIZE];
  st_put(s, "k", "a", seq);
  st_put(s, "k", "b", NULL);
  free(map(s, ",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":10"));
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "a,b,|");
  json_t *r = json_array_get(json_object_get(last_event, "Records"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSource")), "aws:kinesis");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventName")), "aws:kinesis:record");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSourceARN")), aev_stream_arn(s));
  char id[128];
  snprintf(id, sizeof id, "shardId-000000000000:%s", seq);
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventID")), id);
  json_t *k = json_object_get(r, "kinesis");
  ck_assert_str_eq(json_string_value(json_object_get(k, "kinesisSchemaVersion")), "1.0");
  ck_assert_str_eq(json_string_value(json_object_get(k, "partitionKey")), "k");
  ck_assert_str_eq(json_string_value(json_object_get(k, "data")), "YQ==");
  ck_assert(json_real_value(json_object_get(k, "approximateArrivalTimestamp")) == 1704067200.0);
  /* New records are pushed to the function as they arrive. */
  st_put(s, "k", "c", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "a,b,|c,|");
  aev_stream_release(s);
}
END_TEST

/* invokeIdentityArn is the function's execution role (records captured
 * from Lambda show the role the function runs as, such as a console-made
 * "role/service-role/<function>-role-<id>"); it was a fixed
 * "role/lambda-role" whatever the function's Role. */
START_TEST(invoke_identity_is_the_functions_role) {
  ck_assert_int_eq(aev_function_create(b, "roled", "{\"Role\":\"arn:aws:iam::000000000000:role/reader\"}",
                                       handler, NULL, NULL, NULL),
                   AEV_OK);
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "a", NULL);
  char req[512], *out = NULL;
  snprintf(req, sizeof req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"roled\",\"StartingPosition\":\"TRIM_HORIZON\"}",
           aev_stream_arn(s));
  ck_assert_int_eq(aev_event_source_mapping_create(b, req, &out), AEV_OK);
  aev_free(out);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "a,|");
  json_t *r = json_array_get(json_object_get(last_event, "Records"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(r, "invokeIdentityArn")),
                   "arn:aws:iam::000000000000:role/reader");
  aev_stream_release(s);
}
END_TEST

START_TEST(poisoned_batch_is_bisected_to_the_destination) {
  aev_queue *dlq;
  ck_assert_int_eq(aev_queue_create(b, "failures", NULL, &dlq), AEV_OK);
  aev_stream *s = st_stream(b, "s", 1);
  const char *words[] = {"r0", "r1", "r2", "r3", "r4", "poison", "r6", "r7"};
  char poison_seq[AEV_STREAM_SEQUENCE_SIZE];
  for (int i = 0; i < 8; i++) st_put(s, "k", words[i], i == 5 ? poison_seq : NULL);
  char extra[512];
  snprintf(extra, sizeof extra,
           ",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":8,\"BisectBatchOnFunctionError\":true,"
           "\"MaximumRetryAttempts\":1,\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"%s\"}}",
           aev_queue_arn(dlq));
  free(map(s, extra));
  for (int i = 0; i < 10; i++) aev_broker_advance(b, 60000);
  /* 8 fail -> [r0..r3] ok -> [r4 poison r6 r7] fail -> [r4 poison] fail ->
   * [r4] ok -> [poison r6 r7] fail -> [poison] fails, is retried once, then
   * goes to the queue -> [r6 r7] ok. Bisecting is not a retry. */
  ck_assert_str_eq(seen, "r0,r1,r2,r3,r4,poison,r6,r7,|r0,r1,r2,r3,|r4,poison,r6,r7,|"
                         "r4,poison,|r4,|poison,r6,r7,|poison,|poison,|r6,r7,|");
  aev_message *m;
  size_t n;
  ck_assert_int_eq(aev_queue_receive(dlq, 10, 0, NULL, &m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  json_t *rec = json_loads(aev_message_body(m, NULL), 0, NULL);
  json_t *info = json_object_get(rec, "KinesisBatchInfo");
  ck_assert_str_eq(json_string_value(json_object_get(info, "shardId")), "shardId-000000000000");
  ck_assert_str_eq(json_string_value(json_object_get(info, "startSequenceNumber")), poison_seq);
  ck_assert_str_eq(json_string_value(json_object_get(info, "endSequenceNumber")), poison_seq);
  ck_assert_int_eq(json_integer_value(json_object_get(info, "batchSize")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(info, "streamArn")), aev_stream_arn(s));
  ck_assert_str_eq(json_string_value(json_object_get(info, "approximateArrivalOfFirstRecord")), "2024-01-01T00:00:00.000Z");
  json_t *ctx = json_object_get(rec, "requestContext");
  ck_assert_str_eq(json_string_value(json_object_get(ctx, "condition")), "RetryAttemptsExhausted");
  ck_assert_int_eq(json_integer_value(json_object_get(ctx, "approximateInvokeCount")), 2);
  ck_assert_str_eq(json_string_value(json_object_get(ctx, "functionArn")), "arn:aws:lambda:us-east-1:000000000000:function:fn");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "responseContext"), "functionError")), "Unhandled");
  json_decref(rec);
  aev_message_free(m);
  aev_queue_release(dlq);
  aev_stream_release(s);
}
END_TEST

START_TEST(report_batch_item_failures_checkpoints) {
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "a", NULL);
  st_put(s, "k", "bad", NULL);
  st_put(s, "k", "c", NULL);
  free(map(s, ",\"StartingPosition\":\"TRIM_HORIZON\",\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"]"));
  aev_broker_advance(b, 10000);
  ck_assert_str_eq(seen, "a,bad,c,|bad,c,|");
  aev_stream_release(s);
}
END_TEST

/* AWS (test_kinesis_report_batch_item_failures, recorded 2024-10): a
 * record reported failed on every try reaches the OnFailure destination
 * alone once its retries run out, its responseContext carrying
 * "functionError": null since the function itself returned; an SNS topic
 * is a destination as good as a queue. */
START_TEST(reported_failures_exhaust_to_a_topic) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "sink", NULL, &q), AEV_OK);
  aev_topic *t;
  ck_assert_int_eq(aev_topic_create(b, "discarded", NULL, &t), AEV_OK);
  char *sub;
  ck_assert_int_eq(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"RawMessageDelivery\":\"true\"}", &sub),
                   AEV_OK);
  aev_free(sub);
  aev_stream *s = st_stream(b, "s", 1);
  char doomed_seq[AEV_STREAM_SEQUENCE_SIZE];
  st_put(s, "k", "a", NULL);
  st_put(s, "k", "b", NULL);
  st_put(s, "k", "doomed", doomed_seq);
  char extra[512];
  snprintf(extra, sizeof extra,
           ",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":3,\"MaximumRetryAttempts\":3,"
           "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"],"
           "\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"%s\"}}",
           aev_topic_arn(t));
  free(map(s, extra));
  for (int i = 0; i < 10; i++) aev_broker_advance(b, 60000);
  ck_assert_str_eq(seen, "a,b,doomed,|doomed,|doomed,|doomed,|");
  aev_message *m;
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, &m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  json_t *rec = json_loads(aev_message_body(m, NULL), 0, NULL);
  json_t *info = json_object_get(rec, "KinesisBatchInfo");
  ck_assert_str_eq(json_string_value(json_object_get(info, "startSequenceNumber")), doomed_seq);
  ck_assert_str_eq(json_string_value(json_object_get(info, "endSequenceNumber")), doomed_seq);
  ck_assert_int_eq(json_integer_value(json_object_get(info, "batchSize")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rec, "requestContext"), "approximateInvokeCount")), 4);
  json_t *err = json_object_get(json_object_get(rec, "responseContext"), "functionError");
  ck_assert_ptr_nonnull(err);
  ck_assert(json_is_null(err));
  json_decref(rec);
  aev_message_free(m);
  aev_topic_release(t);
  aev_queue_release(q);
  aev_stream_release(s);
}
END_TEST

/* The State an update or a Get answers for the mapping uuid. */
static char *state_after(const char *uuid, const char *update_json) {
  char *out = NULL;
  if (update_json) {
    char req[256];
    snprintf(req, sizeof req, "{\"UUID\":\"%s\",%s}", uuid, update_json);
    ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  } else {
    ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &out), AEV_OK);
  }
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  char *state = strdup(json_string_value(json_object_get(d, "State")));
  json_decref(d);
  return state;
}

static void assert_state(char *state, const char *want) {
  ck_assert_str_eq(state, want);
  free(state);
}

/* AWS (test_disable_kinesis_event_source_mapping, recorded 2024-10):
 * UpdateEventSourceMapping with Enabled false answers "Disabling", the
 * mapping turns "Disabled" and records put meanwhile reach no function;
 * enabled again ("Enabling") it reads on from where it stopped. A mapping
 * created with Enabled false starts Disabled. */
START_TEST(disabled_mapping_reads_nothing_until_enabled) {
  aev_stream *s = st_stream(b, "s", 1);
  char *uuid = map(s, ",\"StartingPosition\":\"TRIM_HORIZON\"");
  st_put(s, "k", "a", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "a,|");
  assert_state(state_after(uuid, "\"Enabled\":false"), "Disabling");
  aev_broker_drain(b);
  assert_state(state_after(uuid, NULL), "Disabled");
  st_put(s, "k", "b", NULL);
  st_put(s, "k", "c", NULL);
  aev_broker_advance(b, 600000);
  ck_assert_str_eq(seen, "a,|");
  assert_state(state_after(uuid, "\"BatchSize\":5"), "Updating");
  aev_broker_drain(b);
  assert_state(state_after(uuid, NULL), "Disabled");
  assert_state(state_after(uuid, "\"Enabled\":true"), "Enabling");
  aev_broker_drain(b);
  assert_state(state_after(uuid, NULL), "Enabled");
  ck_assert_str_eq(seen, "a,|b,c,|");
  free(uuid);

  aev_stream *t = st_stream(b, "t", 1);
  st_put(t, "k", "d", NULL);
  json_t *out;
  ck_assert_int_eq(map_request(t, ",\"StartingPosition\":\"TRIM_HORIZON\",\"Enabled\":false", &out), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(out, "State")), "Disabled");
  json_decref(out);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(seen, "a,|b,c,|");
  aev_stream_release(t);
  aev_stream_release(s);
}
END_TEST

static char order_log[4096];
static const char *failing_key; /* a batch holding this key fails */

static void keyed(void *user, aev_invocation *ctx, const char *event, size_t len) {
  json_t *ev = json_loads(event, 0, NULL);
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(ev, "Records"), i, r) {
    const char *key = json_string_value(json_object_get(json_object_get(r, "kinesis"), "partitionKey"));
    if (failing_key && !strcmp(key, failing_key)) {
      json_decref(ev);
      aev_invocation_fail(ctx, "Failed", "a failing key");
      return;
    }
  }
  json_array_foreach(json_object_get(ev, "Records"), i, r) {
    strcat(order_log, json_string_value(json_object_get(json_object_get(r, "kinesis"), "partitionKey")));
    strcat(order_log, ":");
    strcat(order_log, json_string_value(json_object_get(json_object_get(r, "kinesis"), "data")));
    strcat(order_log, ",");
  }
  json_decref(ev);
  aev_invocation_succeed(ctx, "{}", 2);
}

/* order_log holds each of keys k0..k(nkeys - 1) with its values 1..nvals
 * (base64), each once and in order. */
static void assert_keys_in_order(int nkeys, int nvals) {
  for (int k = 0; k < nkeys; k++) {
    char key[8];
    const char *p = order_log;
    int next = 0;
    snprintf(key, sizeof key, "k%d:", k);
    while ((p = strstr(p, key))) {
      char want[8], b64[8];
      snprintf(want, sizeof want, "%d", next + 1);
      static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      const unsigned char c = (unsigned char)want[0]; /* one byte: "XY==" */
      snprintf(b64, sizeof b64, "%c%c==", digits[c >> 2], digits[(c & 3) << 4]);
      ck_assert_msg(next < nvals && !strncmp(p + 3, b64, 4), "key k%d out of order: %s", k, order_log);
      next++;
      p += 3;
    }
    ck_assert_msg(next == nvals, "key k%d: %d of %d values: %s", k, next, nvals, order_log);
  }
}

static void put_keyed(aev_stream *s, int nkeys, int from, int to) {
  for (int v = from; v <= to; v++)
    for (int k = 0; k < nkeys; k++) {
      char key[4], val[2];
      snprintf(key, sizeof key, "k%d", k);
      snprintf(val, sizeof val, "%d", v);
      st_put(s, key, val, NULL);
    }
}

START_TEST(parallelization_keeps_order_per_key) {
  ck_assert_int_eq(aev_function_create(b, "keyed", NULL, keyed, NULL, NULL, NULL), AEV_OK);
  aev_stream *s = st_stream(b, "s", 1);
  put_keyed(s, 6, 1, 4); /* keys k0..k5, values 1..4 per key */
  order_log[0] = '\0';
  json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:i}", "EventSourceArn", aev_stream_arn(s),
                        "FunctionName", "keyed", "StartingPosition", "TRIM_HORIZON",
                        "ParallelizationFactor", 3, "BatchSize", 2), *out;
  ck_assert_int_eq(aev__stream_mapping_create(b, j, &out), AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ParallelizationFactor")), 3);
  json_decref(out);
  json_decref(j);
  aev_broker_drain(b);
  assert_keys_in_order(6, 4);
  aev_stream_release(s);
}
END_TEST

/* UpdateEventSourceMapping may change ParallelizationFactor (1..10): each
 * shard takes it once no batch of it is in flight. Here k0's partition is
 * behind, retrying, while the others have read on: the new partitions
 * start from k0's checkpoint, and what the others had done is not handed
 * to the function again. */
START_TEST(parallelization_factor_changes) {
  ck_assert_int_eq(aev_function_create(b, "keyed", NULL, keyed, NULL, NULL, NULL), AEV_OK);
  aev_stream *s = st_stream(b, "s", 1);
  put_keyed(s, 6, 1, 3);
  order_log[0] = '\0';
  failing_key = "k0";
  json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:i}", "EventSourceArn", aev_stream_arn(s),
                        "FunctionName", "keyed", "StartingPosition", "TRIM_HORIZON",
                        "ParallelizationFactor", 3, "BatchSize", 2), *out;
  ck_assert_int_eq(aev__stream_mapping_create(b, j, &out), AEV_OK);
  char *uuid = strdup(json_string_value(json_object_get(out, "UUID")));
  json_decref(out);
  json_decref(j);
  aev_broker_drain(b);
  ck_assert_ptr_null(strstr(order_log, "k0:"));
  ck_assert_ptr_nonnull(strstr(order_log, "Mw==")); /* some partition got to value 3 */
  failing_key = NULL;
  char req[128], *text = NULL;
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"ParallelizationFactor\":2}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &text), AEV_OK);
  out = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ParallelizationFactor")), 2);
  json_decref(out);
  put_keyed(s, 6, 4, 5);
  aev_broker_drain(b);
  assert_keys_in_order(6, 5);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &text), AEV_OK);
  out = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ParallelizationFactor")), 2);
  json_decref(out);
  /* And back to one partition, reading on in order. */
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"ParallelizationFactor\":1}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &text), AEV_OK);
  aev_free(text);
  put_keyed(s, 6, 6, 7);
  aev_broker_drain(b);
  assert_keys_in_order(6, 7);
  free(uuid);
  aev_stream_release(s);
}
END_TEST

START_TEST(parents_before_children) {
  aev_stream *s = st_stream(b, "s", 1);
  aev_stream_set_throttling(s, 0);
  st_put(s, "k", "p1", NULL);
  st_put(s, "k", "p2", NULL);
  ck_assert_int_eq(aev_stream_split_shard(s, "shardId-000000000000", "170141183460469231731687303715884105728"), AEV_OK);
  aev_broker_drain(b);
  st_put(s, "k", "c1", NULL);
  st_put(s, "a", "x1", NULL);
  free(map(s, ",\"StartingPosition\":\"TRIM_HORIZON\""));
  aev_broker_drain(b);
  ck_assert_msg(!strncmp(seen, "p1,p2,|", 7), "%s", seen);
  ck_assert_ptr_nonnull(strstr(seen, "c1,|"));
  ck_assert_ptr_nonnull(strstr(seen, "x1,|"));
  aev_stream_release(s);
}
END_TEST

START_TEST(filters_latest_and_record_age) {
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "{\"kind\":\"old\"}", NULL);
  free(map(s, ",\"StartingPosition\":\"LATEST\",\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"data\\\":{\\\"kind\\\":[\\\"keep\\\"]}}\"}]}"));
  st_put(s, "k", "{\"kind\":\"keep\"}", NULL);
  st_put(s, "k", "{\"kind\":\"skip\"}", NULL);
  st_put(s, "k", "not json", NULL);
  st_put(s, "k", "{\"kind\":\"keep\",\"n\":2}", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "{\"kind\":\"keep\"},{\"kind\":\"keep\",\"n\":2},|");
  aev_stream_release(s);

  aev_queue *dlq;
  ck_assert_int_eq(aev_queue_create(b, "aged", NULL, &dlq), AEV_OK);
  aev_stream *t = st_stream(b, "t", 1);
  st_put(t, "k", "stale", NULL);
  aev_broker_advance(b, 120000);
  st_put(t, "k", "fresh", NULL);
  seen[0] = '\0';
  char extra[512];
  snprintf(extra, sizeof extra, ",\"StartingPosition\":\"TRIM_HORIZON\",\"MaximumRecordAgeInSeconds\":60,"
           "\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"%s\"}}", aev_queue_arn(dlq));
  free(map(t, extra));
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "fresh,|");
  aev_message *m;
  size_t n;
  ck_assert_int_eq(aev_queue_receive(dlq, 10, 0, NULL, &m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_ptr_nonnull(strstr(aev_message_body(m, NULL), "\"condition\":\"RecordAgeExceeded\""));
  /* Never handed to the function: no responseContext (AWS, as LocalStack's
   * test_kinesis_maximum_record_age_exceeded notes of its recording). */
  ck_assert_ptr_null(strstr(aev_message_body(m, NULL), "responseContext"));
  aev_message_free(m);
  aev_queue_release(dlq);
  aev_stream_release(t);
}
END_TEST

/* Each of jansson's allocations while a record is filtered and delivered
 * fails in turn: the record the filter keeps still reaches the function
 * (read again after the failure), never dropped as if filtered out. */
START_TEST(a_kept_record_outlives_a_failed_allocation) {
  aev_stream *s = st_stream(b, "s", 1);
  free(map(s, ",\"StartingPosition\":\"LATEST\",\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"data\\\":{\\\"kind\\\":[\\\"keep\\\"]}}\"}]}"));
  json_set_alloc_funcs(jansson_malloc, free);
  int reached = 1;
  for (long k = 0; reached; k++) {
    seen[0] = '\0';
    st_put(s, "k", "{\"kind\":\"keep\"}", NULL);
    jansson_fail_in = k;
    aev_broker_drain(b);
    reached = jansson_fail_in < 0;
    jansson_fail_in = -1;
    aev_broker_advance(b, 60000);
    ck_assert_msg(!strcmp(seen, "{\"kind\":\"keep\"},|"), "allocation %ld: the function saw %s", k,
                  seen);
  }
  json_set_alloc_funcs(malloc, free);
  aev_stream_release(s);
}
END_TEST

START_TEST(checks_get_and_delete) {
  aev_stream *s = st_stream(b, "s", 1);
  ck_assert_int_eq(map_error(s, ""), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
  /* A value outside Lambda's request model is its ValidationException, as
   * on a queue mapping. */
  ck_assert_int_eq(map_error(s, ",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":0"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1");
  ck_assert_int_eq(map_error(s, ",\"StartingPosition\":\"TRIM_HORIZON\",\"ParallelizationFactor\":11"), AEV_ERR_INVALID);
  ck_assert_int_eq(map_error(s, ",\"StartingPosition\":\"TRIM_HORIZON\",\"MaximumRecordAgeInSeconds\":30"), AEV_ERR_INVALID);
  /* StartingPosition and its timestamp as Lambda checks them
   * (test_create_starting_position_validation_exceptions[kinesis]). */
  ck_assert_int_eq(map_error(s, ",\"StartingPosition\":\"0\""), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value '0' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]");
  ck_assert_int_eq(map_error(s, ",\"StartingPosition\":\"LATEST\",\"StartingPositionTimestamp\":1704067200"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
  ck_assert_str_eq(aev_errmsg(), "Timestamp only valid with StartingPosition AT_TIMESTAMP");
  ck_assert_int_eq(map_error(s, ",\"StartingPosition\":\"AT_TIMESTAMP\",\"StartingPositionTimestamp\":-1704067200"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
  ck_assert_str_eq(aev_errmsg(), "Received Exception while reading from provided stream. class java.lang.Long can not be converted to a Timestamp");
  char req[256];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"nope\",\"StartingPosition\":\"LATEST\"}", aev_stream_arn(s));
  json_t *j = json_loads(req, 0, NULL), *out = NULL;
  ck_assert_int_eq(aev__stream_mapping_create(b, j, &out), AEV_ERR_NOT_FOUND);
  json_decref(j);
  /* Lambda answers a new mapping as "Creating"
   * (test_create_kinesis_event_source_mapping's recorded answer). */
  ck_assert_int_eq(map_request(s, ",\"StartingPosition\":\"LATEST\"", &out), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(out, "State")), "Creating");
  char *uuid = strdup(json_string_value(json_object_get(out, "UUID")));
  json_decref(out);
  char *text = NULL;
  /* A stream that is not there (test_esm_with_not_existing_kinesis_stream). */
  ck_assert_int_eq(aev_event_source_mapping_create(b, "{\"EventSourceArn\":\"arn:aws:kinesis:us-east-1:000000000000:stream/nope\","
                                                      "\"FunctionName\":\"fn\",\"StartingPosition\":\"LATEST\"}", &text), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
  ck_assert_str_eq(aev_errmsg(), "Stream not found: arn:aws:kinesis:us-east-1:000000000000:stream/nope");
  ck_assert_ptr_null(text);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &text), AEV_OK);
  out = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_str_eq(json_string_value(json_object_get(out, "State")), "Enabled");
  ck_assert_int_eq(json_integer_value(json_object_get(out, "BatchSize")), 100);
  json_decref(out);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, uuid, &text), AEV_OK);
  aev_free(text);
  st_put(s, "k", "after", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "");
  text = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &text), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "ResourceNotFoundException");
  ck_assert_ptr_null(text);
  free(uuid);
  aev_stream_release(s);
}
END_TEST

/* ScalingConfig is a queue mapping's, and a stream mapping takes an
 * OnFailure destination only: both are refused on Create and on Update
 * as Lambda words them; a refused create makes no mapping, a refused
 * update leaves the mapping as it was, and the stream members are still
 * taken. */
START_TEST(stream_mapping_refuses_queue_members) {
  aev_stream *s = st_stream(b, "qm", 1);
  const char *refused[][2] = {
      {",\"ScalingConfig\":{\"MaximumConcurrency\":2}",
       "Unsupported 'scalingConfig' parameter for given event source mapping type."},
      {",\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:ok\"}}",
       "Unsupported DestinationConfig parameter for given event source mapping type."},
      {",\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"},"
       "\"OnSuccess\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:ok\"}}",
       "Unsupported DestinationConfig parameter for given event source mapping type."},
  };
  char extra[512], req[1024], *text = NULL;
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    snprintf(extra, sizeof extra, ",\"StartingPosition\":\"LATEST\"%s", refused[i][0]);
    ck_assert_int_eq(map_error(s, extra), AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
    ck_assert_str_eq(aev_errmsg(), refused[i][1]);
  }
  ck_assert_int_eq(aev_event_source_mapping_list(b, NULL, aev_stream_arn(s), &text), AEV_OK);
  ck_assert_str_eq(text, "{\"EventSourceMappings\":[]}");
  aev_free(text);
  char *uuid = map(s, ",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":500,"
                      "\"MaximumBatchingWindowInSeconds\":1,\"ParallelizationFactor\":2,"
                      "\"BisectBatchOnFunctionError\":true,\"MaximumRetryAttempts\":3,"
                      "\"MaximumRecordAgeInSeconds\":60,\"TumblingWindowInSeconds\":30,"
                      "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"],"
                      "\"DestinationConfig\":{\"OnFailure\":{\"Destination\":"
                      "\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}");
  aev_broker_drain(b);
  char *before = NULL, *after = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &before), AEV_OK);
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":7%s}", uuid, refused[i][0]);
    text = NULL;
    ck_assert_int_eq(aev_event_source_mapping_update(b, req, &text), AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
    ck_assert_str_eq(aev_errmsg(), refused[i][1]);
    ck_assert_ptr_null(text);
  }
  aev_broker_drain(b);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &after), AEV_OK);
  ck_assert_str_eq(after, before);
  aev_free(after);
  aev_free(before);
  /* Lambda's words for an age under a minute. */
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"MaximumRecordAgeInSeconds\":59}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &text), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)");
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":10000,\"ParallelizationFactor\":10,"
           "\"BisectBatchOnFunctionError\":false,\"MaximumRetryAttempts\":-1,"
           "\"MaximumRecordAgeInSeconds\":604800,\"TumblingWindowInSeconds\":0,"
           "\"DestinationConfig\":{\"OnFailure\":{}}}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &text), AEV_OK);
  json_t *j = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "BatchSize")), 10000);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "ParallelizationFactor")), 10);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "MaximumRecordAgeInSeconds")), 604800);
  json_decref(j);
  free(uuid);
  aev_stream_release(s);
}
END_TEST

/* A second mapping of the same stream to the same function is refused
 * as AWS refuses it; another qualifier is another target, and once the
 * first is deleted the pair can be mapped again. */
START_TEST(one_mapping_per_stream_and_function) {
  aev_stream *s = st_stream(b, "dup", 1);
  char *uuid = map(s, ",\"StartingPosition\":\"LATEST\"");
  json_t *out = NULL;
  ck_assert_int_eq(map_request(s, ",\"StartingPosition\":\"TRIM_HORIZON\"", &out), AEV_ERR_EXISTS);
  ck_assert_ptr_null(out);
  ck_assert_str_eq(aev_errcode(), "ResourceConflictException");
  char want[512];
  snprintf(want, sizeof want,
           "The event source arn (\" %s \") and function (\" fn \") provided mapping already "
           "exists. Please update or delete the existing mapping with UUID %s",
           aev_stream_arn(s), uuid);
  ck_assert_str_eq(aev_errmsg(), want);
  aev_function *f;
  ck_assert_int_eq(aev_function_get(b, "fn", &f), AEV_OK);
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
  aev_function_release(f);
  char req[512], *text = NULL;
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn:1\","
           "\"StartingPosition\":\"LATEST\"}", aev_stream_arn(s));
  ck_assert_int_eq(aev_event_source_mapping_create(b, req, &text), AEV_OK);
  aev_free(text);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, uuid, &text), AEV_OK);
  aev_free(text);
  free(uuid);
  uuid = map(s, ",\"StartingPosition\":\"LATEST\"");
  free(uuid);
  aev_stream_release(s);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_mapping");
  TCase *tc = tcase_create("mapping");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, kinesis_event_shape_and_order);
  tcase_add_test(tc, invoke_identity_is_the_functions_role);
  tcase_add_test(tc, one_mapping_per_stream_and_function);
  tcase_add_test(tc, poisoned_batch_is_bisected_to_the_destination);
  tcase_add_test(tc, report_batch_item_failures_checkpoints);
  tcase_add_test(tc, reported_failures_exhaust_to_a_topic);
  tcase_add_test(tc, disabled_mapping_reads_nothing_until_enabled);
  tcase_add_test(tc, parallelization_keeps_order_per_key);
  tcase_add_test(tc, parallelization_factor_changes);
  tcase_add_test(tc, parents_before_children);
  tcase_add_test(tc, filters_latest_and_record_age);
  tcase_add_test(tc, checks_get_and_delete);
  tcase_add_test(tc, stream_mapping_refuses_queue_members);
  tcase_add_test(tc, a_kept_record_outlives_a_failed_allocation);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
