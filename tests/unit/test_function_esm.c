/* Queue event-source mappings on the manual clock: batches in Lambda's SQS
 * event shape, deletes after success, partial batch failures reappearing
 * after their visibility timeout and reaching the DLQ after
 * maxReceiveCount, filter criteria, the batching window, MaximumConcurrency,
 * enable/disable, FIFO order, AWS's validation, no polling while idle,
 * mappings outliving their function as Lambda's do, and List/Update
 * reaching stream (Kinesis) mappings. */
#include <jansson.h>

#include "aevtest.h"
#include "function/function_impl.h"
#include "function_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* A batch handler: records each event's records' bodies; fails messages
 * whose body is "bad" (ReportBatchItemFailures) or the whole batch when a
 * body is "crash"; holds the context when hold is set. */
typedef struct bt_state {
  int calls;
  int sizes[64];
  char bodies[4096];
  char last[8192];
  int hold;
  aev_invocation *held[16];
  int nheld;
} bt_state;

static void batch_handler(void *user, aev_invocation *ctx, const char *event,
                          size_t len) {
  bt_state *s = user;
  snprintf(s->last, sizeof s->last, "%.*s", (int)len, event);
  json_t *e = json_loads(event, 0, NULL);
  json_t *recs = json_object_get(e, "Records");
  if (s->calls < 64) s->sizes[s->calls] = (int)json_array_size(recs);
  s->calls++;
  json_t *fails = json_array();
  int crash = 0;
  size_t i;
  json_t *r;
  json_array_foreach(recs, i, r) {
    const char *body = json_string_value(json_object_get(r, "body"));
    size_t n = strlen(s->bodies);
    snprintf(s->bodies + n, sizeof s->bodies - n, "%s;", body);
    if (strcmp(body, "bad") == 0)
      json_array_append_new(fails, json_pack("{sO}", "itemIdentifier",
                                             json_object_get(r, "messageId")));
    if (strcmp(body, "crash") == 0) crash = 1;
  }
  json_t *resp = json_pack("{so}", "batchItemFailures", fails);
  char *text = json_dumps(resp, JSON_COMPACT);
  if (s->hold) s->held[s->nheld++] = ctx;
  else if (crash) aev_invocation_fail(ctx, "Crash", "crashed");
  else aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(resp);
  json_decref(e);
}

static aev_function *bt_function(const char *name, bt_state *s) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, name, "{\"Timeout\":30}", batch_handler, s, NULL, &f), AEV_OK);
  return f;
}

static char *map(const char *fmt, const char *arn, const char *fn) {
  char req[1024], *out = NULL;
  snprintf(req, sizeof req, fmt, arn, fn);
  int rc = aev_event_source_mapping_create(b, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s %s", req, aev_errcode(), aev_errmsg());
  return out;
}

static void uuid_of(const char *desc, char uuid[37]) {
  const char *p = strstr(desc, "\"UUID\":\"");
  ck_assert_ptr_nonnull(p);
  memcpy(uuid, p + 8, 36);
  uuid[36] = '\0';
}

START_TEST(batch_is_delivered_and_deleted) {
  bt_state s = {0};
  aev_function *f = bt_function("consumer", &s);
  aev_queue *q = qt_queue(b, "jobs", NULL);
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "consumer");
  ck_assert_ptr_nonnull(strstr(d, "\"BatchSize\":10"));
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Creating\""));
  ck_assert_ptr_nonnull(strstr(d, "\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:jobs\""));
  aev_free(d);
  qt_send(q, "a");
  qt_send(q, "b");
  qt_send(q, "c");
  ck_assert_int_eq(s.calls, 0);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(s.sizes[0], 3);
  ck_assert_str_eq(s.bodies, "a;b;c;");
  /* Deleted: nothing comes back after the visibility timeout. */
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_ptr_null(qt_recv1(q));
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(event_shape_matches_aws) {
  bt_state s = {0};
  aev_function *f = bt_function("shape", &s);
  aev_queue *q = qt_queue(b, "shape-q", NULL);
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "shape"));
  aev_send_options *o;
  ck_assert_int_eq(aev_send_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_send_options_set_attributes(o,
      "{\"Author\":{\"DataType\":\"String\",\"StringValue\":\"Ann\"}}"), AEV_OK);
  char id[AEV_MESSAGE_ID_SIZE];
  ck_assert_int_eq(aev_queue_send(q, "Test message.", 13, o, id, NULL), AEV_OK);
  aev_send_options_free(o);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  /* AWS's documented example (with-sqs.md): same body, same md5OfBody. */
  json_t *e = json_loads(s.last, 0, NULL);
  json_t *r = json_array_get(json_object_get(e, "Records"), 0);
  const char *keys[] = {"messageId", "receiptHandle", "body", "attributes",
                        "messageAttributes", "md5OfMessageAttributes", "md5OfBody",
                        "eventSource", "eventSourceARN", "awsRegion"};
  ck_assert_uint_eq(json_object_size(r), 10);
  for (size_t i = 0; i < 10; i++) ck_assert_ptr_nonnull(json_object_get(r, keys[i]));
  ck_assert_str_eq(json_string_value(json_object_get(r, "messageId")), id);
  ck_assert_str_eq(json_string_value(json_object_get(r, "body")), "Test message.");
  ck_assert_str_eq(json_string_value(json_object_get(r, "md5OfBody")), "e4e68fb7bd0e697a0ae8f1bb342846b3");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSource")), "aws:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSourceARN")), "arn:aws:sqs:us-east-1:000000000000:shape-q");
  ck_assert_str_eq(json_string_value(json_object_get(r, "awsRegion")), "us-east-1");
  json_t *a = json_object_get(r, "attributes");
  ck_assert_str_eq(json_string_value(json_object_get(a, "ApproximateReceiveCount")), "1");
  ck_assert_str_eq(json_string_value(json_object_get(a, "SentTimestamp")), "1704067200000");
  ck_assert_str_eq(json_string_value(json_object_get(a, "ApproximateFirstReceiveTimestamp")), "1704067200000");
  ck_assert_ptr_nonnull(json_object_get(a, "SenderId"));
  json_t *ma = json_object_get(json_object_get(r, "messageAttributes"), "Author");
  char *mat = json_dumps(ma, JSON_COMPACT | JSON_PRESERVE_ORDER);
  ck_assert_str_eq(mat, "{\"stringValue\":\"Ann\",\"stringListValues\":[],\"binaryListValues\":[],\"dataType\":\"String\"}");
  free(mat);
  ck_assert(json_is_string(json_object_get(r, "md5OfMessageAttributes")));
  json_decref(e);
  /* Without attributes: {} and null, as AWS sends them. */
  qt_send(q, "plain");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_ptr_nonnull(strstr(s.last, "\"messageAttributes\":{},\"md5OfMessageAttributes\":null"));
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* Bodies with every byte JSON escapes that SQS accepts, at every offset of the 8-byte words
 * the event writer scans, come out of the event text unchanged. */
START_TEST(bodies_escape_exactly) {
  bt_state s = {0};
  aev_function *f = bt_function("escapes", &s);
  aev_queue *q = qt_queue(b, "escapes-q", NULL);
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "escapes"));
  const char specials[] = "\"\\\n\t\r"; /* SQS refuses other controls */
  char body[64];
  for (size_t k = 0; k < sizeof specials - 1; k++)
    for (size_t at = 0; at < 20; at++) {
      memset(body, 'x', sizeof body);
      memcpy(body + 20, "caf\xc3\xa9 \xe2\x82\xac", 9);
      body[at] = specials[k];
      body[40] = '\0';
      ck_assert_int_eq(aev_queue_send(q, body, 40, NULL, NULL, NULL), AEV_OK);
      ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
      json_t *e = json_loads(s.last, 0, NULL);
      ck_assert_msg(e != NULL, "event is not JSON: %s", s.last);
      json_t *r = json_array_get(json_object_get(e, "Records"), 0);
      ck_assert_str_eq(json_string_value(json_object_get(r, "body")), body);
      json_decref(e);
    }
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* A FIFO record's attributes in Lambda's order, group and deduplication
 * ids escaped. */
START_TEST(fifo_record_attributes) {
  bt_state s = {0};
  aev_function *f = bt_function("fifo-attrs", &s);
  aev_queue *q = qt_queue(b, "fa.fifo", "{\"FifoQueue\":\"true\"}");
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "fifo-attrs"));
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_group_id(o, "g\"1");
  aev_send_options_set_deduplication_id(o, "d\\1");
  char seq[AEV_SEQUENCE_NUMBER_SIZE];
  ck_assert_int_eq(aev_queue_send(q, "m", 1, o, NULL, seq), AEV_OK);
  aev_send_options_free(o);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  char want[512];
  snprintf(want, sizeof want,
           "\"attributes\":{\"ApproximateReceiveCount\":\"1\","
           "\"SentTimestamp\":\"1704067200000\",\"SenderId\":\"000000000000\","
           "\"ApproximateFirstReceiveTimestamp\":\"1704067200000\","
           "\"SequenceNumber\":\"%s\",\"MessageGroupId\":\"g\\\"1\","
           "\"MessageDeduplicationId\":\"d\\\\1\"}",
           seq);
  ck_assert_msg(strstr(s.last, want) != NULL, "%s", s.last);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(partial_failures_reappear_then_dead_letter) {
  bt_state s = {0};
  aev_function *f = bt_function("partial", &s);
  aev_queue *dlq = qt_queue(b, "partial-dlq", NULL);
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\":\"30\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":\\\"2\\\"}\"}",
           aev_queue_arn(dlq));
  aev_queue *q = qt_queue(b, "partial-q", attrs);
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\","
               "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"]}", aev_queue_arn(q), "partial"));
  qt_send(q, "good");
  qt_send(q, "bad");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(s.sizes[0], 2);
  /* Only "bad" comes back, after its visibility timeout: woken by the
   * queue watch's timer, not by polling. */
  ck_assert_int_eq(aev_broker_advance(b, 29999), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  ck_assert_int_eq(s.sizes[1], 1);
  ck_assert_str_eq(s.bodies, "good;bad;bad;");
  /* Third receive would exceed maxReceiveCount 2: to the DLQ. */
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "bad");
  aev_message_free(m);
  ck_assert_int_eq(aev_broker_advance(b, 300000), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  aev_queue_release(q);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

/* "Queue visibility timeout: 10 seconds is less than Function timeout: 30
 * seconds": refused on Create, and on an Update that retargets the mapping
 * to such a function, version or alias; a refusal changes nothing. */
START_TEST(visibility_must_cover_the_function_timeout) {
  bt_state s = {0};
  aev_function *f = bt_function("slow", &s); /* Timeout 30 */
  aev_function *g;
  ck_assert_int_eq(aev_function_create(b, "quick", "{\"Timeout\":10}", batch_handler, &s, NULL, &g),
                   AEV_OK);
  aev_queue *q = qt_queue(b, "short-q", "{\"VisibilityTimeout\":\"10\"}");
  char req[512], *out = NULL;
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"slow\"}",
           aev_queue_arn(q));
  ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "Queue visibility timeout: 10 seconds is less than Function timeout: 30 seconds");
  ck_assert_int_eq(aev_event_source_mapping_list(b, NULL, aev_queue_arn(q), &out), AEV_OK);
  ck_assert_str_eq(out, "{\"EventSourceMappings\":[]}");
  aev_free(out);
  /* Equal is enough. */
  char uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "quick");
  uuid_of(d, uuid);
  aev_free(d);
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"FunctionName\":\"slow\"}", uuid);
  ft_assert_error(aev_event_source_mapping_update(b, req, &out), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "Queue visibility timeout: 10 seconds is less than Function timeout: 30 seconds");
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, ":function:quick\""));
  aev_free(out);
  aev_queue_release(q);
  aev_function_release(g);
  aev_function_release(f);
}
END_TEST

START_TEST(function_error_fails_the_whole_batch) {
  bt_state s = {0};
  aev_function *f = bt_function("crashy", &s);
  aev_queue *q = qt_queue(b, "crash-q", "{\"VisibilityTimeout\":\"30\"}");
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\","
               "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"]}", aev_queue_arn(q), "crashy"));
  qt_send(q, "ok");
  qt_send(q, "crash");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  ck_assert_int_eq(s.sizes[1], 2);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(filters_drop_and_delete_non_matching) {
  bt_state s = {0};
  aev_function *f = bt_function("filtered", &s);
  aev_queue *q = qt_queue(b, "filter-q", NULL);
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"FilterCriteria\":{\"Filters\":["
                "{\"Pattern\":\"{\\\"body\\\":{\\\"kind\\\":[\\\"keep\\\"]}}\"}]}}",
                aev_queue_arn(q), "filtered");
  ck_assert_ptr_nonnull(strstr(d, "\"FilterCriteria\":{\"Filters\":[{\"Pattern\":"));
  aev_free(d);
  qt_send(q, "{\"kind\":\"keep\",\"n\":1}");
  qt_send(q, "{\"kind\":\"drop\"}");
  qt_send(q, "not json");
  qt_send(q, "{\"kind\":\"keep\",\"n\":2}");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_str_eq(s.bodies, "{\"kind\":\"keep\",\"n\":1};{\"kind\":\"keep\",\"n\":2};");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_ptr_null(qt_recv1(q)); /* the others were deleted */
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(batching_window_waits_for_more) {
  bt_state s = {0};
  aev_function *f = bt_function("windowed", &s);
  aev_queue *q = qt_queue(b, "window-q", "{\"VisibilityTimeout\":\"60\"}");
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"BatchSize\":25,"
               "\"MaximumBatchingWindowInSeconds\":5}", aev_queue_arn(q), "windowed"));
  qt_send(q, "1");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 2000), AEV_OK);
  qt_send(q, "2");
  ck_assert_int_eq(aev_broker_advance(b, 2999), AEV_OK);
  ck_assert_int_eq(s.calls, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(s.sizes[0], 2);
  /* A full batch goes at once, before the window ends. */
  for (int i = 0; i < 25; i++) qt_send(q, "x");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  ck_assert_int_eq(s.sizes[1], 25);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(maximum_concurrency_and_enable) {
  bt_state s = {.hold = 1};
  aev_function *f = bt_function("limited", &s);
  aev_queue *q = qt_queue(b, "limit-q", NULL);
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"BatchSize\":1,"
                "\"ScalingConfig\":{\"MaximumConcurrency\":2}}", aev_queue_arn(q), "limited");
  char uuid[37];
  uuid_of(d, uuid);
  aev_free(d);
  for (int i = 0; i < 5; i++) qt_send(q, "m");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  aev_invocation_succeed(s.held[0], "{}", 2);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  char req[200];
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"Enabled\":false}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Disabling\""));
  aev_free(d);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Disabled\""));
  aev_free(d);
  aev_invocation_succeed(s.held[1], "{}", 2);
  aev_invocation_succeed(s.held[2], "{}", 2);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  /* Lambda answers an update with the transition it starts. */
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":1}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Updating\""));
  aev_free(d);
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"Enabled\":true}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Enabling\""));
  aev_free(d);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 5);
  aev_invocation_succeed(s.held[3], "{}", 2);
  aev_invocation_succeed(s.held[4], "{}", 2);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, uuid, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Deleting\""));
  aev_free(d);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &d), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "ResourceNotFoundException");
  qt_send(q, "after");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 5);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* Lambda answers a mapping created with Enabled false as "Disabled", and
 * delivers nothing until it is enabled. */
START_TEST(created_disabled) {
  bt_state s = {0};
  aev_function *f = bt_function("off", &s);
  aev_queue *q = qt_queue(b, "off-q", NULL);
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"Enabled\":false}",
                aev_queue_arn(q), "off");
  ck_assert_ptr_nonnull(strstr(d, "\"State\":\"Disabled\""));
  aev_free(d);
  qt_send(q, "m");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 0);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(scaling_starts_at_five_batches) {
  bt_state s = {.hold = 1};
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "scaled", "{\"Timeout\":900}", batch_handler, &s, NULL, &f), AEV_OK);
  aev_queue *q = qt_queue(b, "scale-q", "{\"VisibilityTimeout\":\"900\"}");
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"BatchSize\":1}",
               aev_queue_arn(q), "scaled"));
  for (int i = 0; i < 12; i++) qt_send(q, "m");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 5); /* Lambda starts with five batches */
  ck_assert_int_eq(aev_broker_advance(b, 59000), AEV_OK);
  aev_invocation_succeed(s.held[0], "{}", 2);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 6); /* still five at a time */
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  aev_invocation_succeed(s.held[1], "{}", 2);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 12); /* a minute of backlog: up to 305 */
  for (int i = 2; i < 12; i++) aev_invocation_succeed(s.held[i], "{}", 2);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(fifo_keeps_group_order) {
  bt_state s = {0};
  aev_function *f = bt_function("ordered", &s);
  aev_queue *q = qt_queue(b, "ord.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"BatchSize\":2}", aev_queue_arn(q), "ordered"));
  const char *bodies[] = {"1", "2", "3", "4", "5"};
  for (int i = 0; i < 5; i++) {
    aev_send_options *o;
    aev_send_options_new(&o);
    aev_send_options_set_group_id(o, "g");
    ck_assert_int_eq(aev_queue_send(q, bodies[i], 1, o, NULL, NULL), AEV_OK);
    aev_send_options_free(o);
  }
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(s.bodies, "1;2;3;4;5;");
  ck_assert_int_eq(s.calls, 3);
  ck_assert_ptr_nonnull(strstr(s.last, "\"MessageGroupId\":\"g\""));
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(validation_as_aws) {
  bt_state s = {0};
  aev_function *f = bt_function("v", &s);
  aev_queue *q = qt_queue(b, "v-q", NULL);
  aev_queue *fq = qt_queue(b, "v.fifo", "{\"FifoQueue\":\"true\"}");
  char req[1024], *out;
  struct { const char *fmt; const char *arn; const char *code; const char *msg; } cases[] = {
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"BatchSize\":11}", aev_queue_arn(fq),
       "InvalidParameterValueException", "Maximum batch size must be between 1 and 10 inclusive"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"MaximumBatchingWindowInSeconds\":1}", aev_queue_arn(fq),
       "InvalidParameterValueException", "Batching window is not supported for FIFO queues"},
      /* The window is refused first (aws/aws-lambda-dotnet#1758's answer). */
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"BatchSize\":100,\"MaximumBatchingWindowInSeconds\":5}", aev_queue_arn(fq),
       "InvalidParameterValueException", "Batching window is not supported for FIFO queues"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"BatchSize\":11}", aev_queue_arn(q),
       "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"BatchSize\":10001,\"MaximumBatchingWindowInSeconds\":1}", aev_queue_arn(q),
       "ValidationException", "Member must have value less than or equal to 10000"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{}\"},{\"Pattern\":\"{}\"},{\"Pattern\":\"{}\"},{\"Pattern\":\"{}\"},{\"Pattern\":\"{}\"},{\"Pattern\":\"{}\"}]}}", aev_queue_arn(q),
       "InvalidParameterValueException", "exceeds the maximum (5)"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"a\\\":1}\"}]}}", aev_queue_arn(q),
       "InvalidParameterValueException", "Invalid filter pattern definition."},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"nope\"}", aev_queue_arn(q),
       "ResourceNotFoundException", "Function not found"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"StartingPosition\":\"LATEST\"}", aev_queue_arn(q),
       "InvalidParameterValueException", "StartingPosition is not valid for SQS event sources."},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"nope\",\"StartingPosition\":\"0\"}", aev_queue_arn(q),
       "ValidationException", "Value '0' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\"}", "arn:aws:sqs:us-east-1:000000000000:missing",
       "InvalidParameterValueException", "NonExistentQueue"},
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"ScalingConfig\":{\"MaximumConcurrency\":1}}", aev_queue_arn(q),
       "ValidationException", "greater than or equal to 2"},
      /* A list member given as a bare string is refused, not read as []. */
      {"{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\",\"FunctionResponseTypes\":\"ReportBatchItemFailures\"}", aev_queue_arn(q),
       "InvalidParameterValueException", "FunctionResponseTypes must be a list"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    snprintf(req, sizeof req, cases[i].fmt, cases[i].arn);
    int rc = aev_event_source_mapping_create(b, req, &out);
    ck_assert_msg(rc != AEV_OK, "case %zu succeeded", i);
    ck_assert_msg(strcmp(aev_errcode(), cases[i].code) == 0 && strstr(aev_errmsg(), cases[i].msg),
                  "case %zu: %s %s", i, aev_errcode(), aev_errmsg());
  }
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "v");
  aev_free(d);
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"v\"}", aev_queue_arn(q));
  ck_assert_int_eq(aev_event_source_mapping_create(b, req, &out), AEV_ERR_EXISTS);
  ck_assert_str_eq(aev_errcode(), "ResourceConflictException");
  ck_assert_int_eq(aev_event_source_mapping_list(b, "v", NULL, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "{\"EventSourceMappings\":[{"));
  aev_free(out);
  ck_assert_int_eq(aev_event_source_mapping_list(b, NULL, "arn:aws:sqs:us-east-1:000000000000:other", &out), AEV_OK);
  ck_assert_str_eq(out, "{\"EventSourceMappings\":[]}");
  aev_free(out);
  aev_queue_release(fq);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* The members Lambda scopes to streams are refused on a queue mapping,
 * on Create and on Update, worded as Lambda words a member its source type
 * does not take; a refused create makes no mapping and a refused update
 * leaves the mapping exactly as it was. */
static const char *const stream_only[][2] = {
    {"\"BisectBatchOnFunctionError\":true", "Unsupported 'bisectBatchOnFunctionError' parameter for given event source mapping type."},
    {"\"BisectBatchOnFunctionError\":false", "Unsupported 'bisectBatchOnFunctionError' parameter for given event source mapping type."},
    {"\"ParallelizationFactor\":2", "Unsupported 'parallelizationFactor' parameter for given event source mapping type."},
    {"\"TumblingWindowInSeconds\":60", "Unsupported 'tumblingWindowInSeconds' parameter for given event source mapping type."},
    {"\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}", "Unsupported 'destinationConfig' parameter for given event source mapping type."},
    {"\"MaximumRecordAgeInSeconds\":60", "Unsupported 'maximumRecordAgeInSeconds' parameter for given event source mapping type."},
    {"\"MaximumRetryAttempts\":-1", "Unsupported 'maximumRetryAttempts' parameter for given event source mapping type."},
};

START_TEST(queue_mapping_refuses_stream_members) {
  bt_state s = {0};
  aev_function *f = bt_function("qk", &s);
  aev_queue *q = qt_queue(b, "qk-q", NULL);
  char req[1024], *out = NULL, *before, *after;
  for (size_t i = 0; i < sizeof stream_only / sizeof *stream_only; i++) {
    snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"qk\",%s}",
             aev_queue_arn(q), stream_only[i][0]);
    ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_INVALID,
                    "InvalidParameterValueException", stream_only[i][1]);
    ck_assert_str_eq(aev_errmsg(), stream_only[i][1]);
    ck_assert_ptr_null(out);
  }
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"qk\","
           "\"StartingPositionTimestamp\":1704067200}", aev_queue_arn(q));
  ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Unsupported 'startingPositionTimestamp' parameter");
  /* Lambda's recorded answer for a starting position, with or without its
   * timestamp (test_create_starting_position_validation_exceptions[sqs]). */
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"qk\","
           "\"StartingPosition\":\"LATEST\",\"StartingPositionTimestamp\":1704067200}", aev_queue_arn(q));
  ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "StartingPosition is not valid for SQS event sources.");
  ck_assert_str_eq(aev_errmsg(), "StartingPosition is not valid for SQS event sources.");
  ck_assert_int_eq(aev_event_source_mapping_list(b, "qk", NULL, &out), AEV_OK);
  ck_assert_str_eq(out, "{\"EventSourceMappings\":[]}");
  aev_free(out);
  out = NULL;
  /* The members a queue takes are still accepted. */
  char uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"BatchSize\":20,"
                "\"MaximumBatchingWindowInSeconds\":2,\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"],"
                "\"ScalingConfig\":{\"MaximumConcurrency\":5},\"Enabled\":true,"
                "\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"body\\\":[\\\"x\\\"]}\"}]}}",
                aev_queue_arn(q), "qk");
  uuid_of(d, uuid);
  ck_assert_ptr_nonnull(strstr(d, "\"ScalingConfig\":{\"MaximumConcurrency\":5}"));
  aev_free(d);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &before), AEV_OK);
  for (size_t i = 0; i < sizeof stream_only / sizeof *stream_only; i++) {
    snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":30,%s}", uuid, stream_only[i][0]);
    ft_assert_error(aev_event_source_mapping_update(b, req, &out), AEV_ERR_INVALID,
                    "InvalidParameterValueException", stream_only[i][1]);
    ck_assert_str_eq(aev_errmsg(), stream_only[i][1]);
    ck_assert_ptr_null(out);
  }
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &after), AEV_OK);
  ck_assert_str_eq(after, before);
  aev_free(after);
  aev_free(before);
  /* StartingPosition is no member of an update's request: not read. */
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":30,\"MaximumBatchingWindowInSeconds\":1,"
           "\"ScalingConfig\":{\"MaximumConcurrency\":7},\"FunctionResponseTypes\":[],"
           "\"StartingPosition\":\"LATEST\"}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"BatchSize\":30"));
  ck_assert_ptr_nonnull(strstr(out, "\"MaximumConcurrency\":7"));
  aev_free(out);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* Lambda words every pattern it cannot read the same way, with no reason
 * (test_sqs_invalid_event_filter's recorded answers). */
START_TEST(invalid_patterns_answer_one_message) {
  bt_state s = {0};
  aev_function *f = bt_function("pat", &s);
  aev_queue *q = qt_queue(b, "pat-q", NULL);
  const char *patterns[] = {"null", "simple string", "{\\\"eventSource\\\":\\\"aws:sqs\\\"}",
                            "{\\\"eventSource\\\":[]}"};
  char req[512], *out;
  for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
    snprintf(req, sizeof req,
             "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"pat\",\"FilterCriteria\":"
             "{\"Filters\":[{\"Pattern\":\"%s\"}]}}", aev_queue_arn(q), patterns[i]);
    ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_INVALID,
                    "InvalidParameterValueException", "Invalid filter pattern definition.");
    ck_assert_str_eq(aev_errmsg(), "Invalid filter pattern definition.");
  }
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

START_TEST(through_aev_call) {
  bt_state s = {0};
  ck_assert_int_eq(aev_handler_register(b, "batch", batch_handler, &s, NULL), AEV_OK);
  char *r;
  ck_assert_int_eq(aev_call(b, "lambda", "CreateFunction", "{\"FunctionName\":\"w\",\"Handler\":\"batch\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"wq\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "CreateEventSourceMapping",
                            "{\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:wq\",\"FunctionName\":\"w\"}", &r), AEV_OK);
  char uuid[37], req[128];
  uuid_of(r, uuid);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "sqs", "SendMessage", "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/wq\",\"MessageBody\":\"hi\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(s.bodies, "hi;");
  snprintf(req, sizeof req, "{\"UUID\":\"%s\"}", uuid);
  ck_assert_int_eq(aev_call(b, "lambda", "GetEventSourceMapping", req, &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "\"State\":\"Enabled\""));
  char arn[128];
  snprintf(arn, sizeof arn,
           "\"EventSourceMappingArn\":\"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:%s\"",
           uuid);
  ck_assert_ptr_nonnull(strstr(r, arn));
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "ListEventSourceMappings", "{\"FunctionName\":\"w\"}", &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, uuid));
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteEventSourceMapping", req, &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteEventSourceMapping", req, &r), AEV_ERR_NOT_FOUND);
  ck_assert_ptr_nonnull(strstr(r, "ResourceNotFoundException"));
  aev_free(r);
}
END_TEST

/* ListTags on a mapping's ARN: the answer, or NULL after checking that
 * the call failed with want_code. */
static json_t *mapping_tags(const char *uuid, int want, const char *want_code) {
  char req[160];
  snprintf(req, sizeof req,
           "{\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:%s\"}",
           uuid);
  json_t *j = aev_test_call(b, "lambda", "ListTags", req, want);
  if (want == AEV_OK) return j;
  ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), want_code);
  json_decref(j);
  return NULL;
}

static void tag_mapping(const char *uuid) {
  char req[192];
  snprintf(req, sizeof req,
           "{\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:%s\","
           "\"Tags\":{\"k\":\"v\"}}",
           uuid);
  json_decref(aev_test_call(b, "lambda", "TagResource", req, AEV_OK));
}

static void assert_tagged(const char *uuid) {
  json_t *j = mapping_tags(uuid, AEV_OK, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "Tags"), "k")), "v");
  json_decref(j);
}

/* A mapping's tags live exactly as long as the mapping: queue and stream
 * mappings outlive their function (Lambda keeps them, reporting "Function
 * not found"), and so do their tags, until the mapping is deleted (with
 * its stream, for a stream mapping). */
START_TEST(mapping_tags_live_as_long_as_the_mapping) {
  bt_state s = {0};
  aev_function *f = bt_function("tagged", &s);
  aev_queue *q = qt_queue(b, "tagged-q", NULL);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "tagged-s", 1, &st), AEV_OK);
  char queue_uuid[37], stream_uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "tagged");
  uuid_of(d, queue_uuid);
  aev_free(d);
  d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"StartingPosition\":\"LATEST\"}",
          aev_stream_arn(st), "tagged");
  uuid_of(d, stream_uuid);
  aev_free(d);
  tag_mapping(queue_uuid);
  tag_mapping(stream_uuid);
  assert_tagged(queue_uuid);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  assert_tagged(queue_uuid);
  assert_tagged(stream_uuid);
  char *out = NULL;
  ck_assert_int_eq(aev_event_source_mapping_delete(b, queue_uuid, &out), AEV_OK);
  aev_free(out);
  mapping_tags(queue_uuid, AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  json_t *left = aev__esm_tags_get(b, queue_uuid);
  ck_assert_uint_eq(json_object_size(left), 0);
  json_decref(left);
  /* Deleting the stream deletes its mappings here, and their tags. */
  ck_assert_int_eq(aev_stream_delete(st, 0), AEV_OK);
  mapping_tags(stream_uuid, AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  left = aev__esm_tags_get(b, stream_uuid);
  ck_assert_uint_eq(json_object_size(left), 0);
  json_decref(left);
  aev_stream_release(st);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* Kinesis records per invocation, by function (user: an int[2] slot). */
static void kin_handler(void *user, aev_invocation *ctx, const char *event,
                        size_t len) {
  int *slot = user;
  json_t *e = json_loadb(event, len, 0, NULL);
  slot[0]++;
  slot[1] += (int)json_array_size(json_object_get(e, "Records"));
  json_decref(e);
  aev_invocation_succeed(ctx, "{}", 2);
}

static int mapping_count(const char *fn, const char *arn) {
  char *out;
  ck_assert_int_eq(aev_event_source_mapping_list(b, fn, arn, &out), AEV_OK);
  json_t *j = json_loads(out, 0, NULL);
  int n = (int)json_array_size(json_object_get(j, "EventSourceMappings"));
  json_decref(j);
  aev_free(out);
  return n;
}

#define FN_ARN "arn:aws:lambda:us-east-1:000000000000:function:"

/* GetEventSourceMapping's answer, parsed. */
static json_t *get_mapping(const char *uuid) {
  char *out = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &out), AEV_OK);
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_ptr_nonnull(j);
  return j;
}

static const char *str_of(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* DeleteFunction leaves the function's queue mappings in place, as Lambda
 * does ("To delete Lambda event source mappings that invoke a function,
 * use DeleteEventSourceMapping"): listed, also under the function's name
 * and ARN, and answered with their State. Each batch then fails with
 * LastProcessingResult "PROBLEM: Function not found.": its messages stay
 * on the queue, come back after their visibility timeout and reach the
 * DLQ by maxReceiveCount. */
START_TEST(a_mapping_outlives_its_function) {
  bt_state s = {0};
  aev_function *f = bt_function("gone", &s);
  aev_queue *dlq = qt_queue(b, "gone-dlq", NULL);
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\":\"30\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":\\\"2\\\"}\"}",
           aev_queue_arn(dlq));
  aev_queue *q = qt_queue(b, "gone-q", attrs);
  char uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "gone");
  uuid_of(d, uuid);
  aev_free(d);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  ck_assert_int_eq(mapping_count(NULL, NULL), 1);
  ck_assert_int_eq(mapping_count("gone", NULL), 1);
  ck_assert_int_eq(mapping_count(FN_ARN "gone", aev_queue_arn(q)), 1);
  ck_assert_int_eq(mapping_count("other", NULL), 0);
  /* FunctionName is only a filter, but still a FunctionName. */
  json_t *bad = aev_test_call(b, "lambda", "ListEventSourceMappings",
                              "{\"FunctionName\":\"no such name!\"}", AEV_ERR_INVALID);
  ck_assert_str_eq(str_of(bad, "__type"), "ValidationException");
  ck_assert_ptr_nonnull(strstr(str_of(bad, "message"), "'functionName' failed to satisfy"));
  json_decref(bad);
  json_t *j = get_mapping(uuid);
  ck_assert_str_eq(str_of(j, "State"), "Enabled");
  ck_assert_str_eq(str_of(j, "FunctionArn"), FN_ARN "gone");
  ck_assert_ptr_null(json_object_get(j, "LastProcessingResult"));
  json_decref(j);
  qt_send(q, "x");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 0);
  j = get_mapping(uuid);
  ck_assert_str_eq(str_of(j, "LastProcessingResult"), "PROBLEM: Function not found.");
  ck_assert_str_eq(str_of(j, "State"), "Enabled");
  json_decref(j);
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "1");
  /* Received again when its visibility timeout ends, then moved to the
   * DLQ instead of a third receive. */
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  ck_assert_ptr_null(qt_recv1(dlq));
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "x");
  aev_message_free(m);
  ck_assert_int_eq(s.calls, 0);
  aev_queue_release(q);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

/* A function created again under the deleted one's name is invoked by the
 * mapping that outlived it: the batch that failed meanwhile comes back
 * after its visibility timeout, and the problem is no longer reported. */
START_TEST(a_function_created_again_takes_the_mapping) {
  bt_state s1 = {0}, s2 = {0};
  aev_function *f = bt_function("phoenix", &s1);
  aev_queue *q = qt_queue(b, "phoenix-q", "{\"VisibilityTimeout\":\"30\"}");
  char uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "phoenix");
  uuid_of(d, uuid);
  aev_free(d);
  qt_send(q, "before");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  aev_function_release(f);
  qt_send(q, "meanwhile");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(s1.bodies, "before;");
  f = bt_function("phoenix", &s2);
  ck_assert_int_eq(aev_broker_advance(b, 29999), AEV_OK);
  ck_assert_int_eq(s2.calls, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_str_eq(s2.bodies, "meanwhile;");
  qt_send(q, "after");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(s2.bodies, "meanwhile;after;");
  ck_assert_str_eq(s1.bodies, "before;");
  json_t *j = get_mapping(uuid);
  ck_assert_ptr_null(json_object_get(j, "LastProcessingResult"));
  json_decref(j);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_ptr_null(qt_recv1(q));
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* A mapping whose function is gone is still updated (a FunctionName must
 * exist, and a refused update changes nothing; an existing one takes the
 * batches) and deleted; deleted, it reads nothing more. */
START_TEST(an_orphaned_mapping_is_updated_and_deleted) {
  bt_state s = {0}, t = {0};
  aev_function *f = bt_function("orphan", &s);
  aev_function *g = bt_function("heir", &t);
  aev_queue *q = qt_queue(b, "orphan-q", NULL);
  char uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "orphan");
  uuid_of(d, uuid);
  aev_free(d);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  char req[256], *out = NULL;
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":5}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"BatchSize\":5"));
  ck_assert_ptr_nonnull(strstr(out, "\"State\":\"Updating\""));
  aev_free(out);
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"FunctionName\":\"nobody\",\"BatchSize\":7}", uuid);
  ft_assert_error(aev_event_source_mapping_update(b, req, &out), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "Function not found");
  json_t *j = get_mapping(uuid);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "BatchSize")), 5);
  ck_assert_str_eq(str_of(j, "FunctionArn"), FN_ARN "orphan");
  json_decref(j);
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"FunctionName\":\"heir\"}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  aev_free(out);
  qt_send(q, "x");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(t.bodies, "x;");
  ck_assert_int_eq(aev_function_delete(g), AEV_OK);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, uuid, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"State\":\"Deleting\""));
  ck_assert_ptr_nonnull(strstr(out, "\"FunctionArn\":\"" FN_ARN "heir\""));
  aev_free(out);
  ft_assert_error(aev_event_source_mapping_get(b, uuid, &out), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "does not exist");
  ft_assert_error(aev_event_source_mapping_delete(b, uuid, &out), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "does not exist");
  ck_assert_int_eq(mapping_count(NULL, NULL), 0);
  qt_send(q, "y");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "y");
  aev_message_free(m);
  ck_assert_int_eq(s.calls + t.calls, 1);
  aev_queue_release(q);
  aev_function_release(f);
  aev_function_release(g);
}
END_TEST

/* A batch in flight when its mapping is deleted, or its function, still
 * completes: the invocation's success deletes its message, and nothing
 * more is read. */
START_TEST(a_batch_in_flight_completes_after_deletion) {
  bt_state s = {.hold = 1};
  aev_function *f = bt_function("busy", &s);
  aev_queue *q = qt_queue(b, "busy-q", NULL);
  char uuid[37];
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "busy");
  uuid_of(d, uuid);
  aev_free(d);
  qt_send(q, "a");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, uuid, &d), AEV_OK);
  aev_free(d);
  qt_send(q, "b");
  aev_invocation_succeed(s.held[0], "{}", 2);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "1");
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "0");
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "b");
  aev_message_free(m);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* ListEventSourceMappings and UpdateEventSourceMapping reach the stream
 * primitive's Kinesis mappings: listed beside queue mappings and by their
 * filters; an update is checked, answered with State Updating, then takes
 * effect (new function, new batch size) for the next batches. */
START_TEST(stream_mappings_listed_and_updated) {
  int a[2] = {0}, bb[2] = {0};
  bt_state s = {0};
  aev_function *fa, *fb, *fq;
  ck_assert_int_eq(aev_function_create(b, "kin-a", NULL, kin_handler, a, NULL, &fa), AEV_OK);
  ck_assert_int_eq(aev_function_create(b, "kin-b", NULL, kin_handler, bb, NULL, &fb), AEV_OK);
  fq = bt_function("q-fn", &s);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "ks", 1, &st), AEV_OK);
  aev_queue *q = qt_queue(b, "lq", NULL);
  char req[512], *out = NULL;
  aev_free(map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}", aev_queue_arn(q), "q-fn"));
  char *d = map("{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\",\"BatchSize\":2,"
                "\"StartingPosition\":\"TRIM_HORIZON\"}", aev_stream_arn(st), "kin-a");
  char uuid[37], arn[128];
  uuid_of(d, uuid);
  snprintf(arn, sizeof arn,
           "\"EventSourceMappingArn\":\"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:%s\"",
           uuid);
  ck_assert_ptr_nonnull(strstr(d, arn));
  aev_free(d);
  /* A creation is checked as an update is: wrong types are refused, not
   * read as false or []. */
  const char *bad_create[][2] = {
      {"\"FunctionResponseTypes\":\"ReportBatchItemFailures\"", "FunctionResponseTypes must be a list"},
      {"\"Enabled\":\"false\"", "Enabled must be a boolean."},
      {"\"BisectBatchOnFunctionError\":\"true\"", "BisectBatchOnFunctionError must be a boolean."},
  };
  for (size_t i = 0; i < sizeof bad_create / sizeof *bad_create; i++) {
    snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"kin-b\","
             "\"StartingPosition\":\"LATEST\",%s}", aev_stream_arn(st), bad_create[i][0]);
    ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_INVALID,
                    "InvalidParameterValueException", bad_create[i][1]);
  }
  ck_assert_int_eq(mapping_count(NULL, NULL), 2);
  ck_assert_int_eq(mapping_count("kin-a", NULL), 1);
  ck_assert_int_eq(mapping_count("q-fn", NULL), 1);
  ck_assert_int_eq(mapping_count("kin-b", NULL), 0);
  ck_assert_int_eq(mapping_count(NULL, aev_stream_arn(st)), 1);
  ck_assert_int_eq(mapping_count(NULL, aev_queue_arn(q)), 1);
  /* Refused updates change nothing. */
  const char *bad[][3] = {
      {"\"BatchSize\":0", "ValidationException", "Member must have value greater than or equal to 1"},
      {"\"MaximumRecordAgeInSeconds\":30", "InvalidParameterValueException", "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"},
      {"\"ParallelizationFactor\":11", "ValidationException", "Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10"},
      {"\"FunctionName\":\"nope\"", "ResourceNotFoundException", "Function not found"},
      {"\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"a\\\":1}\"}]}", "InvalidParameterValueException", "Invalid filter pattern"},
      {"\"FunctionResponseTypes\":\"ReportBatchItemFailures\"", "InvalidParameterValueException", "FunctionResponseTypes must be a list"},
      {"\"Enabled\":\"false\"", "InvalidParameterValueException", "Enabled must be a boolean."},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(req, sizeof req, "{\"UUID\":\"%s\",%s}", uuid, bad[i][0]);
    int rc = aev_event_source_mapping_update(b, req, &out);
    ck_assert_msg(rc != AEV_OK, "%s accepted", bad[i][0]);
    ck_assert_str_eq(aev_errcode(), bad[i][1]);
    ck_assert_msg(strstr(aev_errmsg(), bad[i][2]), "%s: %s", bad[i][0], aev_errmsg());
  }
  ft_assert_error(aev_event_source_mapping_update(b, "{\"UUID\":\"00000000-0000-4000-8000-000000000000\",\"BatchSize\":3}", &out),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "does not exist");
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":3,\"FunctionName\":\"kin-b\"}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_str_eq(json_string_value(json_object_get(j, "State")), "Updating");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "BatchSize")), 3);
  ck_assert_str_eq(json_string_value(json_object_get(j, "FunctionArn")), aev_function_arn(fb));
  ck_assert_str_eq(json_string_value(json_object_get(j, "StartingPosition")), "TRIM_HORIZON");
  json_decref(j);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &out), AEV_OK);
  j = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_str_eq(json_string_value(json_object_get(j, "State")), "Enabled");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "BatchSize")), 3);
  ck_assert_str_eq(json_string_value(json_object_get(j, "FunctionArn")), aev_function_arn(fb));
  json_decref(j);
  ck_assert_int_eq(mapping_count("kin-b", NULL), 1);
  ck_assert_int_eq(mapping_count("kin-a", NULL), 0);
  /* The next records go to kin-b, three at a time. */
  for (int i = 0; i < 6; i++)
    ck_assert_int_eq(aev_stream_put(st, "eA==", 4, "k", NULL, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(a[0], 0);
  ck_assert_int_eq(bb[0], 2);
  ck_assert_int_eq(bb[1], 6);
  /* Through the API as well. */
  ck_assert_int_eq(aev_call(b, "lambda", "ListEventSourceMappings", "{\"FunctionName\":\"kin-b\"}", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, uuid));
  aev_free(out);
  aev_stream_release(st);
  aev_queue_release(q);
  aev_function_release(fa);
  aev_function_release(fb);
  aev_function_release(fq);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_esm");
  TCase *tc = tcase_create("esm");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, batch_is_delivered_and_deleted);
  tcase_add_test(tc, event_shape_matches_aws);
  tcase_add_test(tc, bodies_escape_exactly);
  tcase_add_test(tc, fifo_record_attributes);
  tcase_add_test(tc, partial_failures_reappear_then_dead_letter);
  tcase_add_test(tc, function_error_fails_the_whole_batch);
  tcase_add_test(tc, visibility_must_cover_the_function_timeout);
  tcase_add_test(tc, filters_drop_and_delete_non_matching);
  tcase_add_test(tc, batching_window_waits_for_more);
  tcase_add_test(tc, maximum_concurrency_and_enable);
  tcase_add_test(tc, created_disabled);
  tcase_add_test(tc, scaling_starts_at_five_batches);
  tcase_add_test(tc, fifo_keeps_group_order);
  tcase_add_test(tc, validation_as_aws);
  tcase_add_test(tc, queue_mapping_refuses_stream_members);
  tcase_add_test(tc, invalid_patterns_answer_one_message);
  tcase_add_test(tc, through_aev_call);
  tcase_add_test(tc, a_mapping_outlives_its_function);
  tcase_add_test(tc, a_function_created_again_takes_the_mapping);
  tcase_add_test(tc, an_orphaned_mapping_is_updated_and_deleted);
  tcase_add_test(tc, a_batch_in_flight_completes_after_deletion);
  tcase_add_test(tc, mapping_tags_live_as_long_as_the_mapping);
  tcase_add_test(tc, stream_mappings_listed_and_updated);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
