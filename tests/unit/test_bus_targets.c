/* Targets and routing: queue targets (standard and FIFO), bus and callback
 * targets, Input / InputPath / InputTransformer against AWS's documented
 * examples, PutTargets validation, and PutEvents' request and entry
 * checks with per-entry results. */
#include <check.h>

#include "aevtest.h"
#include "bus/bus.h"
#include "bus_support.h"

static aev_broker *b;
static aev_bus *def;
static aev_queue *q;

static void setup(void) {
  b = bt_broker();
  bt_ok(aev_bus_get(b, "default", &def));
  q = bt_queue(b, "q", NULL);
}

static void teardown(void) {
  aev_queue_release(q);
  aev_bus_release(def);
  aev_broker_destroy(b);
}

/* AWS's example EC2 event detail (eb-transform-target-input). */
#define EC2_DETAIL "{\"instance-id\":\"i-0123456789\",\"state\":\"RUNNING\"}"
#define EC2_PATHS \
  "\"InputPathsMap\":{\"instance\":\"$.detail.instance-id\",\"state\":\"$.detail.state\"}"

/* Routes the EC2 detail through a transformer target; returns the body. */
static char *transform(const char *template_json) {
  char extra[1024];
  snprintf(extra, sizeof extra,
           "\"InputTransformer\":{" EC2_PATHS ",\"InputTemplate\":%s}",
           template_json);
  bt_rule(def, "r", "ec2.like", bt_queue_target(q, "t", extra));
  bt_put(def, "ec2.like", EC2_DETAIL);
  aev_broker_drain(b);
  return bt_take(q);
}

START_TEST(queue_target_gets_the_envelope) {
  bt_rule(def, "r", "orders", bt_queue_target(q, "t", NULL));
  char id[37];
  bt_ok(aev_bus_put_event(def, "orders", "Order Placed", "{\"n\": 1}", 8, id));
  /* Queue targets are sent during the call, other targets on the
   * scheduler. */
  char *body = bt_take(q);
  char want[512];
  snprintf(want, sizeof want,
           "{\"version\":\"0\",\"id\":\"%s\",\"detail-type\":\"Order Placed\","
           "\"source\":\"orders\",\"account\":\"000000000000\",\"time\":"
           "\"2024-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],"
           "\"detail\":{\"n\":1}}",
           id);
  bt_json_eq(body, want);
  free(body);
  /* Another source: no rule matches. */
  bt_put(def, "other", "{}");
  aev_broker_drain(b);
  ck_assert_ptr_null(bt_take(q));
}
END_TEST

/* The event a target receives holds the detail without the whitespace
 * between its tokens, as AWS re-serializes it (the recorded SNS message of
 * test_put_events_with_target_sns); strings keep theirs. */
START_TEST(delivered_detail_is_compact) {
  bt_rule(def, "r", "orders", bt_queue_target(q, "t", NULL));
  const char *detail = " {\n  \"command\": \"update account\",\t\"payload\": "
                       "{\"id\": \"0a\\\" b\\\\\", \"n\": [1, -2.5e3, true, null]}\r\n} ";
  bt_ok(aev_bus_put_event(def, "orders", "Order Placed", detail, strlen(detail), NULL));
  char *body = bt_take(q);
  const char *want = "\"detail\":{\"command\":\"update account\",\"payload\":"
                     "{\"id\":\"0a\\\" b\\\\\",\"n\":[1,-2.5e3,true,null]}}}";
  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body + strlen(body) - strlen(want), want);
  free(body);
}
END_TEST

START_TEST(fifo_queue_target_uses_group) {
  aev_queue *f = bt_queue(b, "f.fifo", "{\"FifoQueue\":\"true\"}");
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  char targets[512];
  snprintf(targets, sizeof targets, "[{\"Id\":\"t\",\"Arn\":\"%s\"}]", aev_queue_arn(f));
  bt_fails(aev_bus_put_targets(def, "r", targets, NULL), AEV_ERR_INVALID,
           "ValidationException",
           "Parameter(s) SqsParameters must be specified for target: t.");
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"t\",\"Arn\":\"%s\",\"SqsParameters\":{\"MessageGroupId\":\"g1\"}}]",
           aev_queue_arn(f));
  bt_ok(aev_bus_put_targets(def, "r", targets, NULL));
  bt_put(def, "a", "{\"n\":1}");
  bt_put(def, "a", "{\"n\":2}");
  aev_broker_drain(b);
  aev_message *m[2];
  size_t n;
  bt_ok(aev_queue_receive(f, 2, 0, NULL, m, &n));
  ck_assert_int_eq(n, 2);
  ck_assert_str_eq(aev_message_system_attribute(m[0], "MessageGroupId"), "g1");
  ck_assert_ptr_nonnull(strstr(aev_message_body(m[0], NULL), "{\"n\":1}"));
  ck_assert_ptr_nonnull(strstr(aev_message_body(m[1], NULL), "{\"n\":2}"));
  aev_message_free(m[0]);
  aev_message_free(m[1]);
  aev_queue_release(f);
}
END_TEST

/* A standard queue or topic target takes SqsParameters' group alone, for
 * the queue's fair queue (SqsParameters reference: "an Amazon SQS fair or
 * FIFO queue"); a deduplication id would fail every delivery. */
START_TEST(standard_targets_take_the_group_alone) {
  aev_queue *fair = bt_queue(b, "fair", NULL), *via = bt_queue(b, "via-topic", NULL);
  aev_topic *t;
  bt_ok(aev_topic_create(b, "std", NULL, &t));
  char *sub;
  bt_ok(aev_topic_subscribe(t, "sqs", aev_queue_arn(via), "{\"RawMessageDelivery\":\"true\"}", &sub));
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"q\",\"Arn\":\"%s\",\"SqsParameters\":{\"MessageGroupId\":\"tenant-1\"}},"
           "{\"Id\":\"t\",\"Arn\":\"%s\",\"SqsParameters\":{\"MessageGroupId\":\"tenant-2\"}}]",
           aev_queue_arn(fair), aev_topic_arn(t));
  bt_ok(aev_bus_put_targets(def, "r", targets, NULL));
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  aev_queue *queues[] = {fair, via};
  const char *groups[] = {"tenant-1", "tenant-2"};
  for (int i = 0; i < 2; i++) {
    aev_message *m;
    size_t n;
    bt_ok(aev_queue_receive(queues[i], 1, 0, NULL, &m, &n));
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(aev_message_system_attribute(m, "MessageGroupId"), groups[i]);
    aev_message_free(m);
  }
  aev_free(sub);
  aev_topic_release(t);
  aev_queue_release(via);
  aev_queue_release(fair);
}
END_TEST

START_TEST(input_and_input_path) {
  aev_queue *q2 = bt_queue(b, "q2", NULL);
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  char targets[1024];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"c\",\"Arn\":\"%s\",\"Input\":\"{\\\"fixed\\\": true}\"},"
           "{\"Id\":\"p\",\"Arn\":\"%s\",\"InputPath\":\"$.detail.payload.id\"}]",
           aev_queue_arn(q), aev_queue_arn(q2));
  bt_ok(aev_bus_put_targets(def, "r", targets, NULL));
  bt_put(def, "a", "{\"payload\":{\"id\":\"baz\"}}");
  aev_broker_drain(b);
  char *c = bt_take(q), *p = bt_take(q2);
  ck_assert_str_eq(c, "{\"fixed\": true}");
  ck_assert_str_eq(p, "\"baz\"");
  free(c);
  free(p);
  aev_queue_release(q2);
}
END_TEST

START_TEST(transformer_string_template) {
  char *body = transform("\"\\\"<instance> is in state <state>\\\"\"");
  ck_assert_str_eq(body, "\"i-0123456789 is in state RUNNING\"");
  free(body);
}
END_TEST

START_TEST(transformer_text_template) {
  /* Not JSON: values go in as text. */
  char *body = transform("\"<instance> is in state <state>\"");
  ck_assert_str_eq(body, "i-0123456789 is in state RUNNING");
  free(body);
}
END_TEST

START_TEST(transformer_json_template) {
  char *body = transform(
      "\"{\\\"myInstance\\\": <instance>,\\\"myStatus\\\": \\\"<instance> is in "
      "state \\\\\\\"<state>\\\\\\\"\\\"}\"");
  ck_assert_str_eq(body, "{\"myInstance\": \"i-0123456789\",\"myStatus\": "
                         "\"i-0123456789 is in state \\\"RUNNING\\\"\"}");
  free(body);
}
END_TEST

START_TEST(transformer_values_by_type) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_targets(
      def, "r",
      bt_queue_target(q, "t",
                      "\"InputTransformer\":{\"InputPathsMap\":{\"o\":\"$.detail.o\","
                      "\"l\":\"$.detail.l\",\"n\":\"$.detail.n\",\"m\":\"$.detail.missing\"},"
                      "\"InputTemplate\":\"{\\\"o\\\": <o>, \\\"l\\\": <l>, \\\"n\\\": <n>, "
                      "\\\"m\\\": <m>, \\\"s\\\": \\\"<o> <l> <n> [<m>]\\\"}\"}"),
      NULL));
  bt_put(def, "a", "{\"o\":{\"k\":\"v\",\"x\":1},\"l\":[\"A\",\"B\"],\"n\":true}");
  aev_broker_drain(b);
  char *body = bt_take(q);
  bt_json_eq(body, "{\"o\":{\"k\":\"v\",\"x\":1},\"l\":[\"A\",\"B\"],\"n\":true,"
                   "\"m\":\"\",\"s\":\"{k:v,x:1} [A,B] true []\"}");
  free(body);
}
END_TEST

START_TEST(transformer_reserved_variables) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_targets(
      def, "r",
      bt_queue_target(q, "t",
                      "\"InputTransformer\":{\"InputTemplate\":\"{\\\"arn\\\": "
                      "<aws.events.rule-arn>, \\\"name\\\": \\\"<aws.events.rule-name>\\\", "
                      "\\\"at\\\": <aws.events.event.ingestion-time>, \\\"e\\\": "
                      "<aws.events.event>, \\\"j\\\": <aws.events.event.json>}\"}"),
      NULL));
  aev_broker_advance(b, 1234);
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "T", "{\"k\":1}", 7, id));
  aev_broker_drain(b);
  char *body = bt_take(q);
  json_t *j = json_loads(body, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(j, "arn")),
                   "arn:aws:events:us-east-1:000000000000:rule/r");
  ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "r");
  ck_assert_str_eq(json_string_value(json_object_get(j, "at")),
                   "2024-01-01T00:00:01.234Z");
  json_t *e = json_object_get(j, "e");
  ck_assert_str_eq(json_string_value(json_object_get(e, "detailType")), "T");
  ck_assert_ptr_null(json_object_get(e, "detail"));
  ck_assert_str_eq(json_string_value(json_object_get(e, "id")), id);
  ck_assert_int_eq(json_integer_value(json_object_get(
                       json_object_get(json_object_get(j, "j"), "detail"), "k")),
                   1);
  json_decref(j);
  free(body);
}
END_TEST

static int calls;
static char last[512];
static int releases;

static int record(void *user, const char *input, size_t len) {
  (void)user;
  calls++;
  snprintf(last, sizeof last, "%.*s", (int)len, input);
  return 0;
}

static void released(void *user) {
  (void)user;
  releases++;
}

START_TEST(callback_and_bus_targets) {
  aev_bus *other;
  bt_ok(aev_bus_create(b, "other", &other));
  bt_ok(aev_bus_put_rule(other, "cb", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  calls = releases = 0;
  bt_ok(aev_bus_put_callback_target(other, "cb",
                                    "{\"Id\":\"app\",\"InputPath\":\"$.detail\"}",
                                    record, NULL, released));
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"fwd\",\"Arn\":\"%s\"}]",
           aev_bus_arn(other));
  bt_rule(def, "forward", "a", targets);
  bt_put(def, "a", "{\"via\":\"default\"}");
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(last, "{\"via\":\"default\"}");
  char *json;
  bt_ok(aev_bus_list_targets(other, "cb", &json));
  ck_assert_ptr_nonnull(strstr(json, "arn:aws:events:us-east-1:000000000000:callback/app"));
  aev_free(json);
  ck_assert_int_eq(releases, 0);
  bt_ok(aev_bus_remove_targets(other, "cb", "[\"app\"]", NULL));
  ck_assert_int_eq(releases, 1);
  /* A failed registration never releases. */
  bt_fails(aev_bus_put_callback_target(other, "nope", "{\"Id\":\"x\"}", record,
                                       NULL, released),
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
           "Rule nope does not exist on EventBus other.");
  ck_assert_int_eq(releases, 1);
  aev_bus_release(other);
}
END_TEST

/* bus.h: a callback target's release runs "when the target is removed or
 * replaced or the bus goes", also while the caller still holds the bus's
 * handle (it waited for the last handle): at DeleteEventBus, and at
 * aev_broker_destroy() for the default bus. */
START_TEST(callback_release_when_the_bus_goes) {
  aev_bus *other;
  bt_ok(aev_bus_create(b, "other", &other));
  bt_ok(aev_bus_put_rule(other, "cb", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  releases = 0;
  bt_ok(aev_bus_put_callback_target(other, "cb", "{\"Id\":\"app\"}", record, NULL, released));
  bt_ok(aev_bus_delete(other));
  ck_assert_int_eq(releases, 1);
  aev_bus_release(other);
  ck_assert_int_eq(releases, 1);

  aev_broker *own = bt_broker();
  aev_bus *own_def;
  bt_ok(aev_bus_get(own, "default", &own_def));
  bt_ok(aev_bus_put_rule(own_def, "cb", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_callback_target(own_def, "cb", "{\"Id\":\"app\"}", record, NULL, released));
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  ck_assert_int_eq(releases, 2);
  aev_bus_release(own_def);
  ck_assert_int_eq(releases, 2);
}
END_TEST

static char fn_event[512];

static void handler(void *user, aev_invocation *ctx, const char *event,
                    size_t len) {
  (void)user;
  snprintf(fn_event, sizeof fn_event, "%.*s", (int)len, event);
  aev_invocation_succeed(ctx, "null", 4);
}

/* jansson's allocations, the k-th of which fails once armed (-1: none). */
static long jansson_fail_in = -1;

static void *jansson_malloc(size_t n) {
  if (jansson_fail_in >= 0 && jansson_fail_in-- == 0) return NULL;
  return malloc(n);
}

/* Arms allocation k; after a call, whether it was reached (and disarms). */
static void jansson_arm(long k) {
  jansson_fail_in = k;
  json_set_alloc_funcs(jansson_malloc, free);
}

static int jansson_disarm(void) {
  int reached = jansson_fail_in < 0;
  jansson_fail_in = -1;
  json_set_alloc_funcs(malloc, free);
  return reached;
}

/* Each of jansson's allocations while <aws.events.event> is rendered fails
 * in turn: the target gets the whole envelope, detailType included, on the
 * attempt or on its retry. */
START_TEST(event_variable_renders_whole) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_callback_target(
      def, "r", "{\"Id\":\"app\",\"InputTransformer\":{\"InputTemplate\":\"{\\\"e\\\": <aws.events.event>}\"}}",
      record, NULL, NULL));
  int reached = 1;
  for (long k = 0; reached; k++) {
    calls = 0;
    bt_ok(aev_bus_put_event(def, "a", "T", "{\"k\":1}", 7, NULL));
    jansson_arm(k);
    aev_broker_drain(b);
    reached = jansson_disarm();
    aev_broker_advance(b, 60000);
    json_t *in = json_loads(last, 0, NULL);
    const char *dt = json_string_value(json_object_get(json_object_get(in, "e"), "detailType"));
    ck_assert_msg(calls == 1 && dt && !strcmp(dt, "T"), "allocation %ld: %d calls, last %s", k,
                  calls, last);
    json_decref(in);
  }
}
END_TEST

/* Each of jansson's allocations in aev_bus_put_callback_target fails in
 * turn: out of memory, no target is installed and release never runs. */
START_TEST(callback_target_whole_or_nothing) {
  bt_ok(aev_bus_put_rule(def, "cb", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  int reached = 1;
  for (long k = 0; reached; k++) {
    releases = 0;
    jansson_arm(k);
    int rc = aev_bus_put_callback_target(def, "cb", "{\"Id\":\"app\"}", record, NULL, released);
    reached = jansson_disarm();
    ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOMEM, "allocation %ld: %d", k, rc);
    char *json;
    bt_ok(aev_bus_list_targets(def, "cb", &json));
    ck_assert_msg(!strstr(json, "callback/app") == (rc != AEV_OK), "allocation %ld: %s", k, json);
    aev_free(json);
    if (rc == AEV_OK) bt_ok(aev_bus_remove_targets(def, "cb", "[\"app\"]", NULL));
    ck_assert_int_eq(releases, rc == AEV_OK);
  }
}
END_TEST

START_TEST(function_target_invoked_async) {
  aev_function *f;
  bt_ok(aev_function_create(b, "fn", NULL, handler, NULL, NULL, &f));
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"f\",\"Arn\":\"%s\",\"InputPath\":\"$.detail\"}]",
           aev_function_arn(f));
  bt_rule(def, "r", "a", targets);
  fn_event[0] = 0;
  bt_put(def, "a", "{\"order\":7}");
  aev_broker_advance(b, 1000);
  ck_assert_str_eq(fn_event, "{\"order\":7}");
  aev_function_release(f);
}
END_TEST

START_TEST(service_events_for_other_primitives) {
  bt_rule(def, "r", "lambda", bt_queue_target(q, "t", NULL));
  char id[37];
  bt_ok(aev__bus_put_service_event(
      b, "default", "lambda", "Lambda Function Invocation Result - Success",
      "{\"requestContext\":{}}", 21, "[\"arn:aws:lambda:us-east-1:000000000000:function:f\"]",
      id));
  aev_broker_drain(b);
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(strstr(body, id));
  ck_assert_ptr_nonnull(strstr(body, "\"resources\":[\"arn:aws:lambda:us-east-1:000000000000:function:f\"]"));
  free(body);
  bt_fails(aev__bus_put_service_event(b, "nope", "lambda", "x", "{}", 2, NULL, NULL),
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Event bus nope does not exist.");
  ck_assert_int_eq(aev__bus_put_service_event(b, NULL, "lambda", "x", "[]", 2, NULL, NULL),
                   AEV_ERR_INVALID);
}
END_TEST

START_TEST(topic_target_fans_out) {
  aev_topic *t;
  bt_ok(aev_topic_create(b, "orders", NULL, &t));
  char *sub;
  bt_ok(aev_topic_subscribe(t, "sqs", aev_queue_arn(q),
                            "{\"RawMessageDelivery\":\"true\"}", &sub));
  aev_free(sub);
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"t\",\"Arn\":\"%s\",\"InputPath\":\"$.detail\"}]",
           aev_topic_arn(t));
  bt_rule(def, "r", "a", targets);
  bt_put(def, "a", "{\"via\":\"sns\"}");
  aev_broker_drain(b);
  char *body = bt_take(q);
  ck_assert_str_eq(body, "{\"via\":\"sns\"}");
  free(body);
  aev_topic_release(t);
}
END_TEST

START_TEST(stream_target_with_partition_key) {
  aev_stream *st;
  bt_ok(aev_stream_create(b, "clicks", 1, &st));
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"k\",\"Arn\":\"%s\",\"InputPath\":\"$.detail\","
           "\"KinesisParameters\":{\"PartitionKeyPath\":\"$.detail.user\"}}]",
           aev_stream_arn(st));
  bt_rule(def, "r", "a", targets);
  bt_put(def, "a", "{\"user\":\"u-42\"}");
  aev_broker_drain(b);
  char *it;
  bt_ok(aev_stream_iterator(st, "shardId-000000000000", "TRIM_HORIZON", NULL, 0, &it));
  aev_records *recs;
  bt_ok(aev_stream_get_records(b, it, 10, &recs));
  ck_assert_int_eq(aev_records_count(recs), 1);
  size_t len;
  const char *data = aev_records_data(recs, 0, &len);
  ck_assert_int_eq(len, strlen("{\"user\":\"u-42\"}"));
  ck_assert_int_eq(memcmp(data, "{\"user\":\"u-42\"}", len), 0);
  ck_assert_str_eq(aev_records_partition_key(recs, 0), "u-42");
  aev_records_free(recs);
  aev_free(it);
  aev_stream_release(st);
}
END_TEST

/* The delivery stream outlives the test (the broker's teardown ends it). */
static aev_test_sunk sunk;

START_TEST(firehose_target) {
  aev_delivery *f;
  sunk = (aev_test_sunk){0};
  bt_ok(aev_delivery_create_with_sink(
      b, "firehose", "{\"BufferingHints\":{\"IntervalInSeconds\":60,\"SizeInMBs\":1}}",
      aev_test_sink, &sunk, NULL, &f));
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"f\",\"Arn\":\"%s\",\"Input\":\"{\\\"fixed\\\":1}\"}]",
           aev_delivery_arn(f));
  bt_rule(def, "r", "a", targets);
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 61000);
  ck_assert_int_eq(sunk.n, 1);
  ck_assert_str_eq(sunk.last, "{\"fixed\":1}");
  aev_delivery_release(f);
}
END_TEST

START_TEST(state_machine_target) {
  aev_machine *m;
  const char *def_json = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  bt_ok(aev_machine_create(b, "flow", def_json, strlen(def_json), AEV_MACHINE_STANDARD, &m));
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"m\",\"Arn\":\"%s\",\"InputPath\":\"$.detail\"}]",
           aev_machine_arn(m));
  bt_rule(def, "r", "a", targets);
  char id[37];
  const char *detail = "{\"step\":1}";
  bt_ok(aev_bus_put_event(def, "a", "test", detail, strlen(detail), id));
  aev_broker_advance(b, 1000);
  char req[512], *out;
  snprintf(req, sizeof req, "{\"stateMachineArn\":\"%s\"}", aev_machine_arn(m));
  bt_ok(aev_call(b, "states", "ListExecutions", req, &out));
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  json_t *ex = json_array_get(json_object_get(j, "executions"), 0);
  ck_assert_ptr_nonnull(ex);
  ck_assert_str_eq(json_string_value(json_object_get(ex, "status")), "SUCCEEDED");
  /* AWS names the execution after the event: its EventId, then a suffix
   * (test_put_events_with_target_statefunction_machine). */
  const char *name = json_string_value(json_object_get(ex, "name"));
  ck_assert_int_eq(strlen(name), 73);
  ck_assert_int_eq(strncmp(name, id, 36), 0);
  ck_assert_int_eq(name[36], '_');
  snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}",
           json_string_value(json_object_get(ex, "executionArn")));
  bt_ok(aev_call(b, "states", "DescribeExecution", req, &out));
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  bt_json_eq(json_string_value(json_object_get(d, "input")), "{\"step\":1}");
  json_decref(d);
  json_decref(j);
  aev_machine_release(m);
}
END_TEST

START_TEST(target_errors) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_fails(aev_bus_put_targets(def, "r",
                               bt_queue_target(q, "t", "\"Input\":\"{}\",\"InputPath\":\"$.detail\""),
                               NULL),
           AEV_ERR_INVALID, "ValidationException",
           "Only one of Input, InputPath, or InputTransformer must be provided "
           "for target t.");
  bt_fails(aev_bus_put_targets(def, "r",
                               bt_queue_target(q, "t",
                                               "\"InputTransformer\":{\"InputPathsMap\":{\"a\":\"$.detail\"},"
                                               "\"InputTemplate\":\"\\\"<a> <b>\\\"\"}"),
                               NULL),
           AEV_ERR_INVALID, "ValidationException",
           "InputTemplate for target t contains invalid placeholder b.");
  ck_assert_int_eq(aev_bus_put_targets(def, "r",
                                       bt_queue_target(q, "t",
                                                       "\"InputTransformer\":{\"InputPathsMap\":{\"AWS.x\":\"$.detail\"},"
                                                       "\"InputTemplate\":\"1\"}"),
                                       NULL),
                   AEV_ERR_INVALID);
  ck_assert_int_eq(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", "\"InputPath\":\"detail\""), NULL),
                   AEV_ERR_INVALID);
  ck_assert_int_eq(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", "\"Input\":\"{not json\""), NULL),
                   AEV_ERR_INVALID);
  bt_fails(aev_bus_put_targets(def, "r",
                               "[{\"Id\":\"s\",\"Arn\":\"arn:aws:ecs:us-east-1:000000000000:cluster/c\"}]",
                               NULL),
           AEV_ERR_INVALID, "ValidationException",
           "Target s: targets of service ecs are not supported by "
           "libawsevents yet (supported: SQS queues, SNS topics, Lambda "
           "functions, Kinesis streams, Firehose delivery streams, Step "
           "Functions state machines, event buses, API destinations and "
           "application callbacks).");
  ck_assert_int_eq(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", "\"RetryPolicy\":{\"MaximumRetryAttempts\":186}"), NULL),
                   AEV_ERR_INVALID);
  ck_assert_int_eq(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", "\"RetryPolicy\":{\"MaximumEventAgeInSeconds\":59}"), NULL),
                   AEV_ERR_INVALID);
  ck_assert_int_eq(aev_bus_put_targets(def, "r",
                                       bt_queue_target(q, "t",
                                                       "\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:d.fifo\"}"),
                                       NULL),
                   AEV_ERR_INVALID);
  bt_fails(aev_bus_put_targets(def, "nope", bt_queue_target(q, "t", NULL), NULL),
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
           "Rule nope does not exist on EventBus default.");
  /* Five targets at most. */
  char ts[2048] = "[";
  for (int i = 0; i < 6; i++) {
    char one[256];
    snprintf(one, sizeof one, "%s{\"Id\":\"t%d\",\"Arn\":\"%s\"}", i ? "," : "", i,
             aev_queue_arn(q));
    strcat(ts, one);
  }
  strcat(ts, "]");
  bt_fails(aev_bus_put_targets(def, "r", ts, NULL), AEV_ERR_LIMIT,
           "LimitExceededException",
           "The requested resource exceeds the maximum number allowed.");
  char *json;
  bt_ok(aev_bus_list_targets(def, "r", &json));
  bt_json_eq(json, "{\"Targets\":[]}");
  aev_free(json);
  /* Re-putting an id replaces it. */
  bt_ok(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", NULL), NULL));
  bt_ok(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", "\"Input\":\"1\""), NULL));
  bt_ok(aev_bus_list_targets(def, "r", &json));
  json_t *j = json_loads(json, 0, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(j, "Targets")), 1);
  json_decref(j);
  aev_free(json);
}
END_TEST

START_TEST(put_events_entries) {
  bt_rule(def, "r", "a", bt_queue_target(q, "t", NULL));
  char *out;
  bt_ok(aev_bus_put_events(
      b,
      "[{\"Source\":\"a\",\"DetailType\":\"x\",\"Detail\":\"{}\","
      "\"Resources\":[\"arn:r1\"],\"Time\":1700000000},"
      "{\"DetailType\":\"x\",\"Detail\":\"{}\"},"
      "{\"Source\":\"a\",\"Detail\":\"{}\"},"
      "{\"Source\":\"a\",\"DetailType\":\"x\"},"
      "{\"Source\":\"a\",\"DetailType\":\"x\",\"Detail\":\"[1]\"},"
      "{\"Source\":\"aws.ec2\",\"DetailType\":\"x\",\"Detail\":\"{}\"},"
      "{\"Source\":\"a\",\"DetailType\":\"x\",\"Detail\":\"{\\\"a\\\":}\"}]",
      &out));
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "FailedEntryCount")), 6);
  json_t *e = json_object_get(j, "Entries");
  ck_assert_ptr_nonnull(json_object_get(json_array_get(e, 0), "EventId"));
  const char *codes[] = {NULL, "InvalidArgument", "InvalidArgument", "InvalidArgument",
                         "MalformedDetail", "NotAuthorizedForSourceException",
                         "MalformedDetail"};
  const char *msgs[] = {NULL,
                        "Parameter Source is not valid. Reason: Source is a required argument.",
                        "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
                        "Parameter Detail is not valid. Reason: Detail is a required argument.",
                        "Detail is malformed.", "Not authorized for the source.",
                        "Detail is malformed."};
  for (size_t i = 1; i < 7; i++) {
    json_t *x = json_array_get(e, i);
    ck_assert_str_eq(json_string_value(json_object_get(x, "ErrorCode")), codes[i]);
    ck_assert_str_eq(json_string_value(json_object_get(x, "ErrorMessage")), msgs[i]);
    ck_assert_ptr_null(json_object_get(x, "EventId"));
  }
  json_decref(j);
  aev_broker_drain(b);
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(strstr(body, "\"time\":\"2023-11-14T22:13:20Z\""));
  ck_assert_ptr_nonnull(strstr(body, "\"resources\":[\"arn:r1\"]"));
  free(body);
  ck_assert_ptr_null(bt_take(q));
}
END_TEST

START_TEST(put_events_request_limits) {
  char *out;
  bt_fails(aev_bus_put_events(b, "[]", &out), AEV_ERR_INVALID, "ValidationException",
           "1 validation error detected: Value '[]' at 'entries' failed to "
           "satisfy constraint: Member must have length greater than or equal "
           "to 1");
  char many[4096] = "[";
  for (int i = 0; i < 11; i++)
    strcat(many, i ? ",{\"Source\":\"a\",\"DetailType\":\"x\",\"Detail\":\"{}\"}"
                   : "{\"Source\":\"a\",\"DetailType\":\"x\",\"Detail\":\"{}\"}");
  strcat(many, "]");
  ck_assert_int_eq(aev_bus_put_events(b, many, &out), AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "Member must have length less than or equal to 10"));
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "PutEventsRequestEntry(time=null, source=a"));
  /* Each resource is at most 2048 characters: 2048 three-byte ones pass,
   * one more fails the whole request. */
  char *res = aev_test_repeat_between("", "\xe6\xbc\xa2", 2048, "");
  json_t *with_res = json_pack("[{s:s,s:s,s:s,s:[s]},{s:s,s:s,s:s,s:[s,s]}]", "Source", "a",
                               "DetailType", "x", "Detail", "{}", "Resources", res, "Source", "a",
                               "DetailType", "x", "Detail", "{}", "Resources", "r", res);
  char *res_text = json_dumps(with_res, JSON_COMPACT);
  bt_ok(aev_bus_put_events(b, res_text, &out));
  ck_assert_ptr_nonnull(strstr(out, "\"FailedEntryCount\":0"));
  aev_free(out);
  free(res_text);
  free(res);
  res = aev_test_repeat_between("", "\xe6\xbc\xa2", 2049, "");
  json_array_set_new(json_object_get(json_array_get(with_res, 1), "Resources"), 1,
                     json_string(res));
  res_text = json_dumps(with_res, JSON_COMPACT);
  bt_fails(aev_bus_put_events(b, res_text, &out), AEV_ERR_INVALID, "ValidationException",
           "1 validation error detected: Value at 'entries.2.member.resources' failed to satisfy "
           "constraint: Member must satisfy constraint: [Member must have length less than or "
           "equal to 2048]");
  json_decref(with_res);
  free(res_text);
  free(res);
  /* A detail quoted in that message is cut between characters: the 64th
   * byte here is the middle of an é. */
  json_t *wide = json_array();
  for (int i = 0; i < 11; i++)
    json_array_append_new(wide, json_pack("{s:s,s:s,s:s}", "Source", "a", "DetailType", "x",
                                          "Detail", "{\"k\":\"a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}"));
  char *wide_text = json_dumps(wide, JSON_COMPACT);
  json_decref(wide);
  ck_assert_int_eq(aev_bus_put_events(b, wide_text, &out), AEV_ERR_INVALID);
  free(wide_text);
  ck_assert_ptr_null(strchr(aev_errmsg(), '?'));
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "\xc3\xa9\xc3\xa9, eventBusName=null"));
  /* Entries must total less than 256 KB, counted as AWS does: Source "a" +
   * DetailType "xx" + the detail is one byte under; one byte more fails. */
  size_t big = 256 * 1024 - 1 - 2 - 1;
  char *detail = malloc(big + 1);
  memset(detail, 'p', big);
  memcpy(detail, "{\"p\":\"", 6);
  memcpy(detail + big - 2, "\"}", 2);
  detail[big] = 0;
  json_t *req = json_pack("[{s:s,s:s,s:s}]", "Source", "a", "DetailType", "xx",
                          "Detail", detail);
  char *text = json_dumps(req, JSON_COMPACT);
  bt_ok(aev_bus_put_events(b, text, &out));
  aev_free(out);
  free(text);
  json_object_set_new(json_array_get(req, 0), "DetailType", json_string("xxx"));
  text = json_dumps(req, JSON_COMPACT);
  bt_fails(aev_bus_put_events(b, text, &out), AEV_ERR_INVALID, "ValidationException",
           "Total size of the entries in the request is over the limit.");
  free(text);
  json_decref(req);
  free(detail);
}
END_TEST

/* Puts target t (taken: Id "t", the queue's Arn added) on rule r. */
static int put_target(json_t *t) {
  json_object_set_new(t, "Id", json_string("t"));
  json_object_set_new(t, "Arn", json_string(aev_queue_arn(q)));
  json_t *list = json_pack("[o]", t);
  char *text = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  int rc = aev_bus_put_targets(def, "r", text, NULL);
  free(text);
  return rc;
}

static void too_long(json_t *t, const char *member, const char *constraint) {
  char want[512];
  snprintf(want, sizeof want, "1 validation error detected: Value at '%s' failed to satisfy "
           "constraint: %s", member, constraint);
  ck_assert_int_eq(put_target(t), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), want);
}

/* The target's member of ListTargetsByRule (the one target t). */
static const char *listed(json_t **keep, const char *member) {
  char *text;
  bt_ok(aev_bus_list_targets(def, "r", &text));
  json_decref(*keep);
  *keep = json_loads(text, 0, NULL);
  aev_free(text);
  json_t *t = json_array_get(json_object_get(*keep, "Targets"), 0);
  return json_string_value(json_object_get(t, member));
}

/* PutTargets' string limits, in characters as AWS counts them: Input 8192,
 * InputPath 256, InputTemplate 1 to 8192, InputPathsMap keys 1 to 256 of
 * [A-Za-z0-9_-] and values 256, PartitionKeyPath 256, MessageGroupId 100.
 * At the limit a target is put unchanged; one more refuses it and leaves
 * the target that was there. */
START_TEST(target_strings_count_characters) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  json_t *keep = NULL;
  char *input = aev_test_repeat_between("\"", "\xc3\xa9", 8190, "\"");
  bt_ok(put_target(json_pack("{s:s}", "Input", input)));
  ck_assert_str_eq(listed(&keep, "Input"), input);
  char *longer = aev_test_repeat_between("\"", "\xc3\xa9", 8191, "\"");
  too_long(json_pack("{s:s}", "Input", longer), "targets.1.member.input",
           "Member must have length less than or equal to 8192");
  ck_assert_str_eq(listed(&keep, "Input"), input);
  free(longer);
  free(input);

  char *path = aev_test_repeat_between("$.", "\xe6\xbc\xa2", 254, "");
  bt_ok(put_target(json_pack("{s:s}", "InputPath", path)));
  free(path);
  path = aev_test_repeat_between("$.", "\xe6\xbc\xa2", 255, "");
  too_long(json_pack("{s:s}", "InputPath", path), "targets.1.member.inputPath",
           "Member must have length less than or equal to 256");
  too_long(json_pack("{s:{s:s}}", "KinesisParameters", "PartitionKeyPath", path),
           "targets.1.member.kinesisParameters.partitionKeyPath",
           "Member must have length less than or equal to 256");
  too_long(json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap", "v", path,
                     "InputTemplate", "<v>"),
           "targets.1.member.inputTransformer.inputPathsMap",
           "Map value must satisfy constraint: [Member must have length less than or equal to 256]");
  free(path);

  char *tmpl = aev_test_repeat_between("\"<v>", "\xf0\x9f\x98\x80", 8187, "\"");
  bt_ok(put_target(json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap", "v",
                             "$.detail", "InputTemplate", tmpl)));
  free(tmpl);
  tmpl = aev_test_repeat_between("\"<v>", "\xf0\x9f\x98\x80", 8188, "\"");
  too_long(json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap", "v", "$.detail",
                     "InputTemplate", tmpl),
           "targets.1.member.inputTransformer.inputTemplate",
           "Member must have length less than or equal to 8192");
  free(tmpl);
  bt_fails(put_target(json_pack("{s:{s:s}}", "InputTransformer", "InputTemplate", "")),
           AEV_ERR_INVALID, "ValidationException",
           "1 validation error detected: Value '' at 'targets.1.member.inputTransformer."
           "inputTemplate' failed to satisfy constraint: Member must have length greater than "
           "or equal to 1");
  const char *keys[] = {"\xc3\xa9", "a.b", ""};
  for (int i = 0; i < 3; i++)
    too_long(json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap", keys[i],
                       "$.detail", "InputTemplate", "\"x\""),
             "targets.1.member.inputTransformer.inputPathsMap",
             "Map keys must satisfy constraint: [Member must have length less than or equal to "
             "256, Member must have length greater than or equal to 1, Member must satisfy "
             "regular expression pattern: [A-Za-z0-9\\_\\-]+]");

  char *group = aev_test_repeat_between("", "\xc3\xa9", 100, "");
  bt_ok(put_target(json_pack("{s:{s:s}}", "SqsParameters", "MessageGroupId", group)));
  free(group);
  group = aev_test_repeat_between("", "g", 101, "");
  too_long(json_pack("{s:{s:s}}", "SqsParameters", "MessageGroupId", group),
           "targets.1.member.sqsParameters.messageGroupId",
           "Member must have length less than or equal to 100");
  free(group);
  json_decref(keep);
}
END_TEST

/* AWS's messages name the member of the target at fault by its place in
 * the request: targets.2.member... for the second. The request is refused
 * whole: the first, valid target is not put either. */
START_TEST(target_errors_name_their_place) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  static const struct {
    const char *second, *member;
  } cases[] = {
      {"{\"Arn\":\"%s\"}", "'targets.2.member.id'"},
      {"{\"Id\":\"b\"}", "'targets.2.member.arn'"},
      {"{\"Id\":\"b c\",\"Arn\":\"%s\"}", "'targets.2.member.id'"},
      {"{\"Id\":\"b\",\"Arn\":\"%s\",\"RetryPolicy\":{\"MaximumRetryAttempts\":200}}",
       "'targets.2.member.retryPolicy.maximumRetryAttempts'"},
      {"{\"Id\":\"b\",\"Arn\":\"%s\",\"RetryPolicy\":{\"MaximumEventAgeInSeconds\":1}}",
       "'targets.2.member.retryPolicy.maximumEventAgeInSeconds'"},
      {"{\"Id\":\"b\",\"Arn\":\"%s\",\"InputTransformer\":{}}",
       "'targets.2.member.inputTransformer.inputTemplate'"},
      {"{\"Id\":\"b\",\"Arn\":\"%s\",\"InputTransformer\":{\"InputTemplate\":\"\"}}",
       "'targets.2.member.inputTransformer.inputTemplate'"},
      {"{\"Id\":\"b\",\"Arn\":\"%s\",\"InputTransformer\":{\"InputPathsMap\":{\"a.b\":"
       "\"$.x\"},\"InputTemplate\":\"\\\"x\\\"\"}}",
       "'targets.2.member.inputTransformer.inputPathsMap'"},
      {"{\"Id\":\"b\",\"Arn\":\"%s\",\"SqsParameters\":{\"MessageGroupId\":"
       "\"ggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
       "gggggggggggg\"}}",
       "'targets.2.member.sqsParameters.messageGroupId'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char second[512], req[1024];
    snprintf(second, sizeof second, cases[i].second, aev_queue_arn(q));
    snprintf(req, sizeof req, "[{\"Id\":\"a\",\"Arn\":\"%s\"},%s]", aev_queue_arn(q), second);
    ck_assert_int_eq(aev_bus_put_targets(def, "r", req, NULL), AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "ValidationException");
    ck_assert_msg(strstr(aev_errmsg(), cases[i].member), "case %zu: %s", i, aev_errmsg());
    char *text;
    bt_ok(aev_bus_list_targets(def, "r", &text));
    ck_assert_msg(!strstr(text, "\"a\""), "case %zu put the first target: %s", i, text);
    aev_free(text);
  }
}
END_TEST

/* A refused RetryPolicy member is named with the value refused and the
 * bound it breaks, as AWS's validation messages do. */
START_TEST(retry_policy_errors_quote_value_and_bound) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  static const struct {
    const char *policy, *message;
  } cases[] = {
      {"\"MaximumRetryAttempts\":200",
       "1 validation error detected: Value '200' at "
       "'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy "
       "constraint: Member must have value less than or equal to 185"},
      {"\"MaximumRetryAttempts\":-1",
       "1 validation error detected: Value '-1' at "
       "'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy "
       "constraint: Member must have value greater than or equal to 0"},
      {"\"MaximumEventAgeInSeconds\":10",
       "1 validation error detected: Value '10' at "
       "'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy "
       "constraint: Member must have value greater than or equal to 60"},
      {"\"MaximumEventAgeInSeconds\":86401",
       "1 validation error detected: Value '86401' at "
       "'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy "
       "constraint: Member must have value less than or equal to 86400"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char extra[128];
    snprintf(extra, sizeof extra, "\"RetryPolicy\":{%s}", cases[i].policy);
    ck_assert_int_eq(aev_bus_put_targets(def, "r", bt_queue_target(q, "t", extra), NULL),
                     AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "ValidationException");
    ck_assert_str_eq(aev_errmsg(), cases[i].message);
  }
  char *text;
  bt_ok(aev_bus_list_targets(def, "r", &text));
  ck_assert_str_eq(text, "{\"Targets\":[]}");
  aev_free(text);
}
END_TEST

/* Paths find names of any length AWS allows: 200 four-byte characters
 * (800 bytes) after "$.detail." or in ['...'], in InputPath and in an
 * InputPathsMap value alike. */
START_TEST(paths_find_long_non_ascii_names) {
  char *name = aev_test_repeat_between("", "\xf0\x9f\x98\x80", 200, "");
  char *dotted = aev_test_repeat_between("$.detail.", "\xf0\x9f\x98\x80", 200, "");
  char *bracketed = aev_test_repeat_between("$.detail['", "\xf0\x9f\x98\x80", 200, "']");
  json_t *d = json_pack("{s:s}", name, "found");
  char *detail = json_dumps(d, JSON_COMPACT);
  json_decref(d);
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  json_t *targets[] = {
      json_pack("{s:s}", "InputPath", dotted),
      json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap", "v", bracketed,
                "InputTemplate", "{\"v\": <v>}")};
  const char *want[] = {"\"found\"", "{\"v\": \"found\"}"};
  for (int i = 0; i < 2; i++) {
    bt_ok(put_target(targets[i]));
    bt_put(def, "a", detail);
    aev_broker_drain(b);
    char *body = bt_take(q);
    ck_assert_ptr_nonnull(body);
    ck_assert_str_eq(body, want[i]);
    free(body);
  }
  free(detail);
  free(bracketed);
  free(dotted);
  free(name);
}
END_TEST

/* An InputPathsMap key of 256 characters, AWS's most, works as a
 * placeholder; a placeholder one longer is not that key. */
START_TEST(placeholders_as_long_as_keys) {
  char *key = aev_test_repeat_between("", "k", 256, "");
  char *tmpl = aev_test_repeat_between("{\"v\": <", "k", 256, ">}");
  char *longer = aev_test_repeat_between("{\"v\": <", "k", 257, ">}");
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  ck_assert_int_eq(put_target(json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap",
                                        key, "$.detail.x", "InputTemplate", longer)),
                   AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "contains invalid placeholder kkk"));
  bt_ok(put_target(json_pack("{s:{s:{s:s},s:s}}", "InputTransformer", "InputPathsMap", key,
                             "$.detail.x", "InputTemplate", tmpl)));
  bt_put(def, "a", "{\"x\":\"\xc3\xa9\"}");
  aev_broker_drain(b);
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "{\"v\": \"\xc3\xa9\"}");
  free(body);
  free(longer);
  free(tmpl);
  free(key);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_targets");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, queue_target_gets_the_envelope);
  tcase_add_test(tc, delivered_detail_is_compact);
  tcase_add_test(tc, fifo_queue_target_uses_group);
  tcase_add_test(tc, standard_targets_take_the_group_alone);
  tcase_add_test(tc, input_and_input_path);
  tcase_add_test(tc, callback_release_when_the_bus_goes);
  tcase_add_test(tc, transformer_string_template);
  tcase_add_test(tc, transformer_text_template);
  tcase_add_test(tc, transformer_json_template);
  tcase_add_test(tc, transformer_values_by_type);
  tcase_add_test(tc, transformer_reserved_variables);
  tcase_add_test(tc, callback_and_bus_targets);
  tcase_add_test(tc, event_variable_renders_whole);
  tcase_add_test(tc, callback_target_whole_or_nothing);
  tcase_add_test(tc, function_target_invoked_async);
  tcase_add_test(tc, service_events_for_other_primitives);
  tcase_add_test(tc, topic_target_fans_out);
  tcase_add_test(tc, stream_target_with_partition_key);
  tcase_add_test(tc, firehose_target);
  tcase_add_test(tc, state_machine_target);
  tcase_add_test(tc, target_errors);
  tcase_add_test(tc, put_events_entries);
  tcase_add_test(tc, put_events_request_limits);
  tcase_add_test(tc, target_strings_count_characters);
  tcase_add_test(tc, target_errors_name_their_place);
  tcase_add_test(tc, retry_policy_errors_quote_value_and_bound);
  tcase_add_test(tc, paths_find_long_non_ascii_names);
  tcase_add_test(tc, placeholders_as_long_as_keys);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
