/* U+0000 in aev_call requests: jansson hands it over (JSON_ALLOW_NUL), the
 * member getters never hand out a string it cuts short, and each service
 * answers its own error for it, storing nothing. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "api/api.h"
#include "awsevents/awsevents.h"
#include "core/status.h"

#define NUL_REASON "Reason: Must not contain the character U+0000."
#define NUL_CONSTRAINT "failed to satisfy constraint: Member must not contain the character U+0000"

/* ---- the getters and the request scan, on services of the test's own ---- */

static int echo(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  (void)b, (void)svc;
  *resp = json_incref(req);
  return AEV_OK;
}

static const aev__api_action echo_action[] = {{"Echo", echo}};
static const char *const test_nul_members[] = {"Body", "Entries.Body", "Map.*.Value", NULL};
static const aev__api_service query_svc = {
    .name = "testq", .missing_code = "MissingParameter",
    .invalid_code = "InvalidParameterValue", .actions = echo_action, .n_actions = 1,
    .style = AEV_API_STYLE_QUERY, .nul_members = test_nul_members};
static const aev__api_service json_svc = {
    .name = "testj", .missing_code = "ValidationException",
    .invalid_code = "InvalidArgumentException", .actions = echo_action, .n_actions = 1,
    .style = AEV_API_STYLE_JSON};
static const aev__api_service *const table[] = {&query_svc, &json_svc};

static json_t *load(const char *text) {
  json_t *j = json_loads(text, JSON_ALLOW_NUL, NULL);
  ck_assert_ptr_nonnull(j);
  return j;
}

static void assert_failed(int rc, const char *code, const char *msg) {
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), code);
  ck_assert_str_eq(aev_errmsg(), msg);
}

START_TEST(string_getters_refuse_nul) {
  json_t *req = load("{\"Name\": \"a\\u0000b\"}");
  const aev__api_service *svcs[] = {&query_svc, &json_svc};
  const char *msgs[] = {"Value for parameter Name is invalid. " NUL_REASON,
                        "1 validation error detected: Value at 'name' " NUL_CONSTRAINT};
  for (size_t i = 0; i < 2; i++) {
    const char *out = "kept";
    assert_failed(aev__api_opt_string(svcs[i], req, "Name", &out), svcs[i]->invalid_code,
                  msgs[i]);
    ck_assert_str_eq(out, "kept");
    assert_failed(aev__api_req_string(svcs[i], req, "Name", &out), svcs[i]->invalid_code,
                  msgs[i]);
    ck_assert_str_eq(out, "kept");
  }
  json_decref(req);
}
END_TEST

START_TEST(text_getters_hand_out_the_whole_string) {
  json_t *req = load("{\"Body\": \"a\\u0000b\", \"N\": 1}");
  const char *out = NULL;
  size_t len = 0;
  ck_assert_int_eq(aev__api_req_text(&query_svc, req, "Body", &out, &len), AEV_OK);
  ck_assert_uint_eq(len, 3);
  ck_assert_mem_eq(out, "a\0b", 3);
  const char *kept = "kept";
  size_t kept_len = 4;
  ck_assert_int_eq(aev__api_opt_text(&query_svc, req, "Absent", &kept, &kept_len), AEV_OK);
  ck_assert_str_eq(kept, "kept");
  ck_assert_uint_eq(kept_len, 4);
  assert_failed(aev__api_opt_text(&query_svc, req, "N", &out, &len), "InvalidParameterValue",
                "Value for parameter N is invalid. Reason: Must be a string.");
  assert_failed(aev__api_req_text(&query_svc, req, "Absent", &out, &len), "MissingParameter",
                "The request must contain the parameter Absent.");
  json_decref(req);
}
END_TEST

static char *answer;

static int dispatch(const char *service, const char *request) {
  aev_free(answer);
  answer = NULL;
  return aev__api_dispatch(table, 2, NULL, service, "Echo", request, &answer);
}

static void dispatch_teardown(void) {
  aev_free(answer);
  answer = NULL;
}

/* The members a service names reach its action whole, wherever they are. */
START_TEST(listed_members_reach_the_action) {
  const char *req = "{\"Body\":\"a\\u0000b\",\"Entries\":[{\"Body\":\"\\u0000\"}],"
                    "\"Map\":{\"k\":{\"Value\":\"x\\u0000\"}}}";
  ck_assert_int_eq(dispatch("testq", req), AEV_OK);
  ck_assert_str_eq(answer, req);
}
END_TEST

/* Any other string holding U+0000 fails before the action runs, named by
 * its path: a listed name elsewhere (a tag called Body) included. */
START_TEST(other_members_fail_by_path) {
  static const struct {
    const char *req, *path;
  } cases[] = {
      {"{\"Name\":\"\\u0000\"}", "Name"},
      {"{\"Entries\":[{\"Body\":\"ok\",\"Id\":\"a\\u0000\"}]}", "Entries.Id"},
      {"{\"Tags\":{\"Body\":\"\\u0000\"}}", "Tags.Body"},
      {"{\"Map\":{\"k\":{\"Value\":{\"Deeper\":\"\\u0000\"}}}}", "Map.k.Value.Deeper"},
      {"{\"Map\":{\"k\":\"\\u0000\"}}", "Map.k"},
      {"{\"List\":[\"ok\",\"\\u0000\"]}", "List"},
      {"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":\"\\u0000\"}}}}}}", "a.b.c.d.e"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char msg[160];
    snprintf(msg, sizeof msg, "Value for parameter %s is invalid. " NUL_REASON, cases[i].path);
    assert_failed(dispatch("testq", cases[i].req), "InvalidParameterValue", msg);
    ck_assert_ptr_nonnull(strstr(answer, "InvalidParameterValue"));
  }
  assert_failed(dispatch("testj", "{\"Entries\":[{\"Body\":\"\\u0000\"}]}"),
                "InvalidArgumentException",
                "1 validation error detected: Value at 'entries.Body' " NUL_CONSTRAINT);
}
END_TEST

/* jansson refuses U+0000 in a member's name whatever the flags. */
START_TEST(nul_in_a_name_is_not_json) {
  ck_assert_int_eq(dispatch("testq", "{\"A\\u0000\":\"x\"}"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "SerializationException");
}
END_TEST

/* ---- the services ---- */

static aev_broker *b;
static char *resp;

static void broker_setup(void) { b = aev_test_manual_broker(1); }

static void broker_teardown(void) {
  aev_free(resp);
  resp = NULL;
  aev_broker_destroy(b);
}

/* aev_call with a request made from fmt; resp keeps the answer. */
static int call(const char *service, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int call(const char *service, const char *action, const char *fmt, ...) {
  char request[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(request, sizeof request, fmt, ap);
  va_end(ap);
  aev_free(resp);
  resp = NULL;
  return aev_call(b, service, action, request, &resp);
}

#define CALL_OK(...)                                                          \
  ck_assert_msg(call(__VA_ARGS__) == AEV_OK, "%s: %s", aev_errcode(), aev_errmsg())

static json_t *resp_json(void) {
  json_t *j = json_loads(resp, 0, NULL);
  ck_assert_ptr_nonnull(j);
  return j;
}

/* A member of the last answer, copied into buf. */
static const char *resp_string(const char *key, char *buf, size_t cap) {
  json_t *j = resp_json();
  const char *s = json_string_value(json_object_get(j, key));
  ck_assert_msg(s != NULL, "no %s in %s", key, resp);
  snprintf(buf, cap, "%s", s);
  json_decref(j);
  return buf;
}

static const char *queue(const char *name, char url[256]) {
  CALL_OK("sqs", "CreateQueue", "{\"QueueName\":\"%s\"}", name);
  return resp_string("QueueUrl", url, 256);
}

/* The bodies a queue holds now, as ReceiveMessage answers them (up to 10). */
static size_t received(const char *url) {
  CALL_OK("sqs", "ReceiveMessage", "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10}", url);
  json_t *j = resp_json();
  size_t n = json_array_size(json_object_get(j, "Messages"));
  json_decref(j);
  return n;
}

static const char *const INVALID_CONTENTS =
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
    "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

START_TEST(sqs_body_with_nul_is_invalid_contents) {
  char url[256];
  queue("q", url);
  assert_failed(call("sqs", "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"a\\u0000b\"}",
                     url),
                "InvalidMessageContents", INVALID_CONTENTS);
  assert_failed(call("sqs", "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"\\u0000\"}",
                     url),
                "InvalidMessageContents", INVALID_CONTENTS);
  ck_assert_uint_eq(received(url), 0);
  CALL_OK("sqs", "SendMessage", "{\"QueueUrl\":\"%s\",\"MessageBody\":\"ab\"}", url);
  ck_assert_uint_eq(received(url), 1);
}
END_TEST

START_TEST(sqs_attribute_values_with_nul) {
  char url[256];
  queue("q", url);
  const char *send = "{\"QueueUrl\":\"%s\",\"MessageBody\":\"b\",\"MessageAttributes\":"
                     "{\"a\":{\"DataType\":\"%s\",\"StringValue\":\"%s\"}}}";
  assert_failed(call("sqs", "SendMessage", send, url, "String", "x\\u0000"),
                "InvalidParameterValue", INVALID_CONTENTS);
  assert_failed(call("sqs", "SendMessage", send, url, "Number", "1\\u00002"),
                "InvalidParameterValue",
                "Can't cast message (user) attribute 'a' value to number.");
  assert_failed(call("sqs", "SendMessage", send, url, "String\\u0000", "x"),
                "InvalidParameterValue",
                "Value for parameter MessageAttributes.a.DataType is invalid. " NUL_REASON);
  assert_failed(call("sqs", "SendMessage",
                     "{\"QueueUrl\":\"%s\",\"MessageBody\":\"b\",\"MessageSystemAttributes\":"
                     "{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"R\\u0000\"}}}",
                     url),
                "InvalidParameterValue", INVALID_CONTENTS);
  ck_assert_uint_eq(received(url), 0);
  CALL_OK("sqs", "SendMessage", send, url, "String", "x");
  CALL_OK("sqs", "SendMessage", send, url, "Number", "12");
  ck_assert_uint_eq(received(url), 2);
}
END_TEST

/* In a batch the entry fails, as for its other invalid characters. */
START_TEST(sqs_batch_entry_with_nul_fails_alone) {
  char url[256];
  queue("q", url);
  CALL_OK("sqs", "SendMessageBatch",
          "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"bad\",\"MessageBody\":\"a\\u0000\"},"
          "{\"Id\":\"good\",\"MessageBody\":\"a\"}]}",
          url);
  json_t *j = resp_json();
  json_t *failed = json_object_get(j, "Failed"), *ok = json_object_get(j, "Successful");
  ck_assert_uint_eq(json_array_size(failed), 1);
  ck_assert_uint_eq(json_array_size(ok), 1);
  json_t *f = json_array_get(failed, 0);
  ck_assert_str_eq(json_string_value(json_object_get(f, "Id")), "bad");
  ck_assert_str_eq(json_string_value(json_object_get(f, "Code")), "InvalidMessageContents");
  ck_assert_str_eq(json_string_value(json_object_get(f, "Message")), INVALID_CONTENTS);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ok, 0), "Id")), "good");
  json_decref(j);
  ck_assert_uint_eq(received(url), 1);
}
END_TEST

/* A batch entry id holding U+0000 fails the request as ids with other
 * invalid characters do: never cut to "a", which is a valid id. */
START_TEST(sqs_batch_id_with_nul_is_invalid_batch_entry_id) {
  char url[256];
  queue("q", url);
  static const char *const actions[][2] = {
      {"SendMessageBatch", "\"MessageBody\":\"m\""},
      {"DeleteMessageBatch", "\"ReceiptHandle\":\"h\""},
      {"ChangeMessageVisibilityBatch", "\"ReceiptHandle\":\"h\",\"VisibilityTimeout\":1"},
  };
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    assert_failed(call("sqs", actions[i][0],
                       "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\\u0000\",%s}]}", url,
                       actions[i][1]),
                  "InvalidBatchEntryId",
                  "A batch entry id can only contain alphanumeric characters, hyphens and "
                  "underscores. It can be at most 80 letters long.");
  ck_assert_uint_eq(received(url), 0);
}
END_TEST

/* Names follow their character rules, which U+0000 fails: never cut to
 * "a", which is a valid queue name. */
START_TEST(sqs_name_with_nul_creates_nothing) {
  assert_failed(call("sqs", "CreateQueue", "{\"QueueName\":\"a\\u0000b\"}"),
                "InvalidParameterValue", "Value for parameter QueueName is invalid. " NUL_REASON);
  CALL_OK("sqs", "ListQueues", "{}");
  ck_assert_str_eq(resp, "{}");
}
END_TEST

static const char *const SQS_ARN = "arn:aws:sqs:us-east-1:000000000000:q";

/* SNS's answer to U+0000 is not documented: its validation error names
 * the member, and nothing is published. */
START_TEST(sns_publish_with_nul_is_invalid_parameter) {
  char url[256], topic[256];
  queue("q", url);
  CALL_OK("sns", "CreateTopic", "{\"Name\":\"t\"}");
  resp_string("TopicArn", topic, sizeof topic);
  CALL_OK("sns", "Subscribe", "{\"TopicArn\":\"%s\",\"Protocol\":\"sqs\",\"Endpoint\":\"%s\"}",
          topic, SQS_ARN);
  static const struct {
    const char *extra, *path;
  } cases[] = {
      {"\"Message\":\"a\\u0000b\"", "Message"},
      {"\"Message\":\"m\",\"Subject\":\"s\\u0000\"", "Subject"},
      {"\"Message\":\"m\",\"MessageAttributes\":{\"a\":{\"DataType\":\"String\","
       "\"StringValue\":\"\\u0000\"}}",
       "MessageAttributes.a.StringValue"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char msg[160];
    snprintf(msg, sizeof msg, "Value for parameter %s is invalid. " NUL_REASON, cases[i].path);
    assert_failed(call("sns", "Publish", "{\"TopicArn\":\"%s\",%s}", topic, cases[i].extra),
                  "InvalidParameter", msg);
  }
  assert_failed(call("sns", "PublishBatch",
                     "{\"TopicArn\":\"%s\",\"PublishBatchRequestEntries\":"
                     "[{\"Id\":\"1\",\"Message\":\"\\u0000\"}]}",
                     topic),
                "InvalidParameter",
                "Value for parameter PublishBatchRequestEntries.Message is invalid. " NUL_REASON);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_uint_eq(received(url), 0);
  CALL_OK("sns", "Publish",
          "{\"TopicArn\":\"%s\",\"Message\":\"ab\",\"Subject\":\"s\",\"MessageAttributes\":"
          "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}}",
          topic);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_uint_eq(received(url), 1);
}
END_TEST

/* Source and DetailType holding U+0000 fail their entry; a Detail holding
 * it is malformed JSON text, while the escape \u0000 in Detail's text is
 * JSON like any other. */
START_TEST(events_entries_with_nul_fail_alone) {
  char url[256];
  queue("q", url);
  CALL_OK("events", "PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"s\\\"]}\"}");
  CALL_OK("events", "PutTargets", "{\"Rule\":\"r\",\"Targets\":[{\"Id\":\"t\",\"Arn\":\"%s\"}]}",
          SQS_ARN);
  CALL_OK("events", "PutEvents",
          "{\"Entries\":["
          "{\"Source\":\"s\\u0000x\",\"DetailType\":\"d\",\"Detail\":\"{}\"},"
          "{\"Source\":\"s\",\"DetailType\":\"d\\u0000\",\"Detail\":\"{}\"},"
          "{\"Source\":\"s\",\"DetailType\":\"d\",\"Detail\":\"{}\\u0000\"},"
          "{\"Source\":\"s\",\"DetailType\":\"d\",\"Detail\":\"{\\\"a\\\":\\\"\\\\u0000\\\"}\"}]}");
  json_t *j = resp_json(), *entries = json_object_get(j, "Entries");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "FailedEntryCount")), 3);
  static const char *const want[][2] = {
      {"InvalidArgument",
       "Parameter Source is not valid. Reason: Source must not contain the character U+0000."},
      {"InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType must not "
                          "contain the character U+0000."},
      {"MalformedDetail", "Detail is malformed."},
  };
  for (size_t i = 0; i < 3; i++) {
    json_t *e = json_array_get(entries, i);
    ck_assert_str_eq(json_string_value(json_object_get(e, "ErrorCode")), want[i][0]);
    ck_assert_str_eq(json_string_value(json_object_get(e, "ErrorMessage")), want[i][1]);
  }
  ck_assert_ptr_nonnull(json_object_get(json_array_get(entries, 3), "EventId"));
  json_decref(j);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  ck_assert_uint_eq(received(url), 1);
}
END_TEST

static const char *const PASS =
    "{\\\"StartAt\\\":\\\"P\\\",\\\"States\\\":{\\\"P\\\":{\\\"Type\\\":\\\"Pass\\\","
    "\\\"End\\\":true}}}";
static const char *const ROLE = "arn:aws:iam::000000000000:role/r";

/* JSON text holding the character U+0000 is invalid JSON text, answered as
 * other invalid JSON text is. */
START_TEST(states_json_text_with_nul_is_invalid_json) {
  assert_failed(call("states", "CreateStateMachine",
                     "{\"name\":\"m\",\"roleArn\":\"%s\",\"definition\":\"%s\\u0000\"}", ROLE,
                     PASS),
                "InvalidDefinition",
                "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: end of file "
                "expected near end of file at /'");
  assert_failed(call("states", "CreateStateMachine",
                     "{\"name\":\"m\\u0000\",\"roleArn\":\"%s\",\"definition\":\"%s\"}", ROLE,
                     PASS),
                "ValidationException", "1 validation error detected: Value at 'name' " NUL_CONSTRAINT);
  CALL_OK("states", "ListStateMachines", "{}");
  ck_assert_str_eq(resp, "{\"stateMachines\":[]}");
  char arn[256];
  CALL_OK("states", "CreateStateMachine", "{\"name\":\"m\",\"roleArn\":\"%s\",\"definition\":\"%s\"}",
          ROLE, PASS);
  resp_string("stateMachineArn", arn, sizeof arn);
  assert_failed(call("states", "StartExecution", "{\"stateMachineArn\":\"%s\",\"input\":\"{}\\u0000\"}",
                     arn),
                "InvalidExecutionInput", "Invalid State Machine Execution Input: 'end of file expected near end of file'");
  char express[256];
  CALL_OK("states", "CreateStateMachine",
          "{\"name\":\"e\",\"type\":\"EXPRESS\",\"roleArn\":\"%s\",\"definition\":\"%s\"}", ROLE,
          PASS);
  resp_string("stateMachineArn", express, sizeof express);
  assert_failed(call("states", "StartSyncExecution",
                     "{\"stateMachineArn\":\"%s\",\"input\":\"{}\\u0000\"}", express),
                "InvalidExecutionInput", "Invalid State Machine Execution Input: 'end of file expected near end of file'");
  /* the token is judged before the output (AWS answers InvalidToken for a
   * bad token with an output that is not JSON: LocalStack's recorded
   * test_sfn_send_task_outcome_with_no_such_token) */
  assert_failed(call("states", "SendTaskSuccess", "{\"taskToken\":\"t\",\"output\":\"{}\\u0000\"}"),
                "InvalidToken", "Invalid Token: 'Invalid token'");
  CALL_OK("states", "ListExecutions", "{\"stateMachineArn\":\"%s\"}", arn);
  ck_assert_str_eq(resp, "{\"executions\":[]}");
  CALL_OK("states", "StartExecution", "{\"stateMachineArn\":\"%s\",\"input\":\"{}\"}", arn);
  CALL_OK("states", "StartSyncExecution", "{\"stateMachineArn\":\"%s\",\"input\":\"{}\"}", express);
}
END_TEST

static int invocations;

static void count_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  invocations++;
  aev_invocation_succeed(ctx, event, len);
}

START_TEST(lambda_payload_with_nul_is_invalid_json) {
  invocations = 0;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", count_handler, NULL, NULL), AEV_OK);
  CALL_OK("lambda", "CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}");
  assert_failed(call("lambda", "Invoke", "{\"FunctionName\":\"f\",\"Payload\":\"{}\\u0000\"}"),
                "InvalidRequestContentException",
                "Could not parse request body into json: Could not parse payload into json: "
                "end of file expected near end of file");
  assert_failed(call("lambda", "Invoke", "{\"FunctionName\":\"f\\u0000\",\"Payload\":\"{}\"}"),
                "InvalidParameterValueException",
                "1 validation error detected: Value at 'functionName' " NUL_CONSTRAINT);
  ck_assert_int_eq(invocations, 0);
  CALL_OK("lambda", "Invoke", "{\"FunctionName\":\"f\",\"Payload\":\"{}\"}");
  ck_assert_int_eq(invocations, 1);
}
END_TEST

START_TEST(kinesis_name_with_nul_creates_nothing) {
  assert_failed(call("kinesis", "CreateStream", "{\"StreamName\":\"s\\u0000x\",\"ShardCount\":1}"),
                "ValidationException",
                "1 validation error detected: Value at 'streamName' " NUL_CONSTRAINT);
  CALL_OK("kinesis", "ListStreams", "{}");
  ck_assert_ptr_null(strstr(resp, "\"s\""));
}
END_TEST

int main(void) {
  Suite *s = suite_create("api_nul");
  TCase *t = tcase_create("getters");
  tcase_add_test(t, string_getters_refuse_nul);
  tcase_add_test(t, text_getters_hand_out_the_whole_string);
  suite_add_tcase(s, t);
  t = tcase_create("scan");
  tcase_add_checked_fixture(t, NULL, dispatch_teardown);
  tcase_add_test(t, listed_members_reach_the_action);
  tcase_add_test(t, other_members_fail_by_path);
  tcase_add_test(t, nul_in_a_name_is_not_json);
  suite_add_tcase(s, t);
  t = tcase_create("services");
  tcase_add_checked_fixture(t, broker_setup, broker_teardown);
  tcase_add_test(t, sqs_body_with_nul_is_invalid_contents);
  tcase_add_test(t, sqs_attribute_values_with_nul);
  tcase_add_test(t, sqs_batch_entry_with_nul_fails_alone);
  tcase_add_test(t, sqs_batch_id_with_nul_is_invalid_batch_entry_id);
  tcase_add_test(t, sqs_name_with_nul_creates_nothing);
  tcase_add_test(t, sns_publish_with_nul_is_invalid_parameter);
  tcase_add_test(t, events_entries_with_nul_fail_alone);
  tcase_add_test(t, states_json_text_with_nul_is_invalid_json);
  tcase_add_test(t, lambda_payload_with_nul_is_invalid_json);
  tcase_add_test(t, kinesis_name_with_nul_creates_nothing);
  suite_add_tcase(s, t);
  return aev_test_run(s);
}
