/* The AWS API layer: dispatch, request parsing, error shapes, member
 * helpers and base64. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "api/api.h"
#include "awsevents/broker.h"
#include "core/broker.h"
#include "core/status.h"

/* Echoes the request back, so tests see what the action received. */
static int echo(aev_broker *b, const aev__api_service *svc, json_t *req,
                json_t **resp) {
  *resp = json_incref(req);
  return AEV_OK;
}

static int refuse(aev_broker *b, const aev__api_service *svc, json_t *req,
                  json_t **resp) {
  return aev__fail(AEV_ERR_NOT_FOUND, "QueueDoesNotExist",
                   "The specified \"queue\" does not exist.");
}

static const aev__api_action test_actions[] = {{"Echo", echo},
                                               {"Refuse", refuse}};
static const aev__api_service query_svc = {
    .name = "testq", .missing_code = "MissingParameter",
    .invalid_code = "InvalidParameterValue", .actions = test_actions, .n_actions = 2,
    .style = AEV_API_STYLE_QUERY};
static const aev__api_service json_svc = {
    .name = "testj", .missing_code = "ValidationException",
    .invalid_code = "InvalidArgumentException", .style = AEV_API_STYLE_JSON};
static const aev__api_service *const table[] = {&query_svc, &json_svc};

static int call_test(const char *service, const char *action,
                     const char *request, char **out) {
  return aev__api_dispatch(table, 2, NULL, service, action, request, out);
}

START_TEST(dispatch_success_is_compact) {
  char *r = NULL;
  ck_assert_int_eq(call_test("testq", "Echo", "{ \"A\" : 1, \"B\": [ true ] }",
                             &r),
                   AEV_OK);
  ck_assert_str_eq(r, "{\"A\":1,\"B\":[true]}");
  aev_free(r);
}
END_TEST

START_TEST(null_and_empty_request_mean_empty_object) {
  char *r = NULL;
  ck_assert_int_eq(call_test("testq", "Echo", NULL, &r), AEV_OK);
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  ck_assert_int_eq(call_test("testq", "Echo", "", &r), AEV_OK);
  ck_assert_str_eq(r, "{}");
  aev_free(r);
}
END_TEST

START_TEST(action_failure_gives_error_shape) {
  char *r = NULL;
  ck_assert_int_eq(call_test("testq", "Refuse", "{}", &r), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(r, "{\"__type\":\"QueueDoesNotExist\",\"message\":\"The "
                      "specified \\\"queue\\\" does not exist.\"}");
  ck_assert_str_eq(aev_errcode(), "QueueDoesNotExist");
  aev_free(r);
}
END_TEST

static void assert_error(int rc, int want_rc, char *r, const char *code,
                         const char *msg) {
  ck_assert_int_eq(rc, want_rc);
  ck_assert_ptr_nonnull(r);
  json_t *j = json_loads(r, 0, NULL);
  ck_assert_ptr_nonnull(j);
  ck_assert_uint_eq(json_object_size(j), 2);
  ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), code);
  ck_assert_str_eq(json_string_value(json_object_get(j, "message")), msg);
  ck_assert_str_eq(aev_errcode(), code);
  ck_assert_str_eq(aev_errmsg(), msg);
  json_decref(j);
  aev_free(r);
}

static aev_broker *broker;

static void broker_setup(void) {
  aev_broker_options *o;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_new(o, &broker), AEV_OK);
  aev_broker_options_free(o);
}

static void broker_teardown(void) { aev_broker_destroy(broker); }

START_TEST(unknown_service) {
  char *r = NULL;
  int rc = aev_call(broker, "dynamodb", "PutItem", "{}", &r);
  assert_error(rc, AEV_ERR_UNSUPPORTED, r, "UnknownOperationException",
               "Unknown service dynamodb: the services are sqs, sns, "
               "kinesis, firehose, events, states (or stepfunctions), "
               "lambda, scheduler and pipes.");
  rc = aev_call(broker, NULL, "PutItem", "{}", &r);
  ck_assert_int_eq(rc, AEV_ERR_UNSUPPORTED);
  ck_assert_str_eq(aev_errcode(), "UnknownOperationException");
  aev_free(r);
}
END_TEST

/* boto3.client("stepfunctions") and `aws stepfunctions` name the service
 * states answers to; the call under either name is the same. */
START_TEST(stepfunctions_is_states) {
  const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  json_t *req = json_pack("{s:s, s:s, s:s}", "name", "m", "definition", def, "roleArn",
                          "arn:aws:iam::123456789012:role/r");
  char *text = json_dumps(req, JSON_COMPACT), *r = NULL;
  json_decref(req);
  ck_assert_int_eq(aev_call(broker, "stepfunctions", "CreateStateMachine", text, &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "stateMachine:m"));
  aev_free(r);
  ck_assert_int_eq(aev_call(broker, "states", "ListStateMachines", "{}", &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "stateMachine:m"));
  aev_free(r);
  ck_assert_int_eq(aev_call(broker, "stepfunctions", "NoSuchAction", "{}", &r),
                   AEV_ERR_UNSUPPORTED);
  ck_assert_str_eq(aev_errmsg(), "The operation NoSuchAction is not supported by the states "
                                 "service.");
  aev_free(r);
  free(text);
}
END_TEST

START_TEST(unknown_action_on_every_known_service) {
  const char *names[] = {"sqs",    "sns",    "kinesis",   "firehose", "events",
                         "states", "lambda", "scheduler", "pipes"};
  ck_assert_uint_eq(aev__api_n_services, 9);
  for (size_t i = 0; i < 9; i++) {
    char *r = NULL;
    char want[128];
    snprintf(want, sizeof want,
             "The operation NoSuchAction is not supported by the %s service.",
             names[i]);
    int rc = aev_call(broker, names[i], "NoSuchAction", "{}", &r);
    assert_error(rc, AEV_ERR_UNSUPPORTED, r, "UnknownOperationException",
                 want);
  }
  char *r = NULL;
  int rc = call_test("testq", "echo", "{}", &r); /* names are exact */
  assert_error(rc, AEV_ERR_UNSUPPORTED, r, "UnknownOperationException",
               "The operation echo is not supported by the testq service.");
}
END_TEST

START_TEST(malformed_json) {
  char *r = NULL;
  int rc = aev_call(broker, "sqs", "SendMessage", "{\"QueueUrl\": ", &r);
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "SerializationException");
  ck_assert_ptr_nonnull(strstr(aev_errmsg(),
                               "Could not parse request body into json: "));
  ck_assert_ptr_nonnull(strstr(r, "\"__type\":\"SerializationException\""));
  aev_free(r);
  /* Parsing comes first: even an unknown service reports the bad body. */
  rc = call_test("nosuch", "X", "{,}", &r);
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "SerializationException");
  aev_free(r);
}
END_TEST

START_TEST(non_object_request) {
  const char *bodies[] = {"[]", "\"x\"", "42", "null", "true"};
  for (size_t i = 0; i < 5; i++) {
    char *r = NULL;
    int rc = call_test("testq", "Echo", bodies[i], &r);
    assert_error(rc, AEV_ERR_INVALID, r, "SerializationException",
                 "Start of list or scalar found where a structure was "
                 "expected: the request must be a JSON object.");
  }
}
END_TEST

START_TEST(null_response_pointer) {
  ck_assert_int_eq(call_test("testq", "Echo", "{}", NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_int_eq(aev_call(broker, "sqs", "X", "{}", NULL), AEV_ERR_INVALID);
}
END_TEST

START_TEST(null_broker) {
  char *r = NULL;
  int rc = aev_call(NULL, "sqs", "ListQueues", "{}", &r);
  assert_error(rc, AEV_ERR_INVALID, r, "InvalidParameterValue",
               "aev_call needs a broker.");
}
END_TEST

START_TEST(destroyed_broker) {
  aev__broker_ref(broker); /* as a handle would, so the memory stays */
  ck_assert_int_eq(aev_broker_destroy(broker), AEV_OK);
  char *r = NULL;
  int rc = aev_call(broker, "sqs", "ListQueues", "{}", &r);
  assert_error(rc, AEV_ERR_CLOSED, r, "ServiceUnavailable",
               "The broker has been destroyed.");
  aev__broker_unref(broker);
  broker_setup(); /* for the teardown */
}
END_TEST

static json_t *req;

static void setup(void) {
  req = json_loads("{\"S\":\"text\",\"N\":901,\"R\":10.0,\"F\":1.5,"
                   "\"T\":true,\"O\":{\"k\":1},\"A\":[1],\"Z\":null,"
                   "\"B\":\"Zm9vYmFy\",\"Bad\":\"Zm9v!A==\"}",
                   0, NULL);
}

static void teardown(void) { json_decref(req); }

static void assert_failed(int rc, const char *code, const char *msg) {
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), code);
  ck_assert_str_eq(aev_errmsg(), msg);
}

START_TEST(strings) {
  const char *s = "preset";
  ck_assert(aev__api_has(req, "S"));
  ck_assert(!aev__api_has(req, "Z"));
  ck_assert(!aev__api_has(req, "Nope"));
  ck_assert_int_eq(aev__api_req_string(&query_svc, req, "S", &s), AEV_OK);
  ck_assert_str_eq(s, "text");
  s = "preset";
  ck_assert_int_eq(aev__api_opt_string(&query_svc, req, "Nope", &s), AEV_OK);
  ck_assert_int_eq(aev__api_opt_string(&query_svc, req, "Z", &s), AEV_OK);
  ck_assert_str_eq(s, "preset");
  assert_failed(aev__api_req_string(&query_svc, req, "QueueUrl", &s),
                "MissingParameter",
                "The request must contain the parameter QueueUrl.");
  assert_failed(aev__api_req_string(&query_svc, req, "Z", &s),
                "MissingParameter",
                "The request must contain the parameter Z.");
  assert_failed(aev__api_req_string(&json_svc, req, "StreamName", &s),
                "ValidationException",
                "1 validation error detected: Value null at 'streamName' "
                "failed to satisfy constraint: Member must not be null");
  assert_failed(aev__api_opt_string(&query_svc, req, "N", &s),
                "InvalidParameterValue",
                "Value for parameter N is invalid. Reason: Must be a "
                "string.");
  assert_failed(aev__api_req_string(&json_svc, req, "N", &s),
                "InvalidArgumentException",
                "1 validation error detected: Value at 'n' failed to "
                "satisfy constraint: Member must be a string");
  ck_assert_str_eq(s, "preset");
}
END_TEST

START_TEST(integers) {
  int64_t v = -7;
  ck_assert_int_eq(aev__api_req_int(&query_svc, req, "N", 0, 1000, &v),
                   AEV_OK);
  ck_assert_int_eq(v, 901);
  ck_assert_int_eq(aev__api_req_int(&query_svc, req, "R", 0, 10, &v), AEV_OK);
  ck_assert_int_eq(v, 10);
  v = -7;
  ck_assert_int_eq(aev__api_opt_int(&query_svc, req, "Nope", 0, 9, &v),
                   AEV_OK);
  ck_assert_int_eq(v, -7);
  assert_failed(aev__api_opt_int(&query_svc, req, "N", 0, 900, &v),
                "InvalidParameterValue",
                "Value 901 for parameter N is invalid. Reason: Must be "
                "between 0 and 900.");
  assert_failed(aev__api_opt_int(&json_svc, req, "N", 0, 900, &v),
                "InvalidArgumentException",
                "1 validation error detected: Value '901' at 'n' failed to "
                "satisfy constraint: Member must have value less than or "
                "equal to 900");
  assert_failed(aev__api_opt_int(&json_svc, req, "N", 1000, 2000, &v),
                "InvalidArgumentException",
                "1 validation error detected: Value '901' at 'n' failed to "
                "satisfy constraint: Member must have value greater than or "
                "equal to 1000");
  assert_failed(aev__api_opt_int(&query_svc, req, "F", 0, 9, &v),
                "InvalidParameterValue",
                "Value for parameter F is invalid. Reason: Must be an "
                "integer.");
  assert_failed(aev__api_opt_int(&query_svc, req, "S", 0, 9, &v),
                "InvalidParameterValue",
                "Value for parameter S is invalid. Reason: Must be an "
                "integer.");
  assert_failed(aev__api_req_int(&query_svc, req, "DelaySeconds", 0, 9, &v),
                "MissingParameter",
                "The request must contain the parameter DelaySeconds.");
  ck_assert_int_eq(v, -7);
}
END_TEST

START_TEST(booleans) {
  int v = 5;
  ck_assert_int_eq(aev__api_opt_bool(&query_svc, req, "Nope", &v), AEV_OK);
  ck_assert_int_eq(v, 5);
  ck_assert_int_eq(aev__api_opt_bool(&query_svc, req, "T", &v), AEV_OK);
  ck_assert_int_eq(v, 1);
  json_object_set_new(req, "T", json_false());
  ck_assert_int_eq(aev__api_opt_bool(&query_svc, req, "T", &v), AEV_OK);
  ck_assert_int_eq(v, 0);
  assert_failed(aev__api_opt_bool(&json_svc, req, "S", &v),
                "InvalidArgumentException",
                "1 validation error detected: Value at 's' failed to "
                "satisfy constraint: Member must be a boolean");
}
END_TEST

START_TEST(objects_and_arrays) {
  json_t *o = NULL;
  ck_assert_int_eq(aev__api_req_object(&query_svc, req, "O", &o), AEV_OK);
  ck_assert_ptr_eq(o, json_object_get(req, "O"));
  o = NULL;
  ck_assert_int_eq(aev__api_opt_object(&query_svc, req, "Nope", &o), AEV_OK);
  ck_assert_ptr_null(o);
  assert_failed(aev__api_req_object(&query_svc, req, "A", &o),
                "InvalidParameterValue",
                "Value for parameter A is invalid. Reason: Must be an "
                "object.");
  assert_failed(aev__api_req_object(&query_svc, req, "Attributes", &o),
                "MissingParameter",
                "The request must contain the parameter Attributes.");
  ck_assert_int_eq(aev__api_req_array(&json_svc, req, "A", &o), AEV_OK);
  ck_assert_ptr_eq(o, json_object_get(req, "A"));
  o = NULL;
  ck_assert_int_eq(aev__api_opt_array(&json_svc, req, "Z", &o), AEV_OK);
  ck_assert_ptr_null(o);
  assert_failed(aev__api_opt_array(&json_svc, req, "O", &o),
                "InvalidArgumentException",
                "1 validation error detected: Value at 'o' failed to "
                "satisfy constraint: Member must be an array");
  assert_failed(aev__api_req_array(&json_svc, req, "Entries", &o),
                "ValidationException",
                "1 validation error detected: Value null at 'entries' "
                "failed to satisfy constraint: Member must not be null");
}
END_TEST

START_TEST(blobs) {
  unsigned char *data = NULL;
  size_t len = 99;
  ck_assert_int_eq(aev__api_req_blob(&json_svc, req, "B", &data, &len),
                   AEV_OK);
  ck_assert_uint_eq(len, 6);
  ck_assert_mem_eq(data, "foobar", 6);
  free(data);
  ck_assert_int_eq(aev__api_opt_blob(&json_svc, req, "Nope", &data, &len),
                   AEV_OK);
  ck_assert_ptr_null(data);
  ck_assert_uint_eq(len, 0);
  assert_failed(aev__api_req_blob(&json_svc, req, "Data", &data, &len),
                "ValidationException",
                "1 validation error detected: Value null at 'data' failed "
                "to satisfy constraint: Member must not be null");
  assert_failed(aev__api_req_blob(&query_svc, req, "Bad", &data, &len),
                "InvalidParameterValue",
                "Value for parameter Bad is invalid. Reason: Must be a "
                "base64-encoded string.");
  assert_failed(aev__api_opt_blob(&json_svc, req, "N", &data, &len),
                "InvalidArgumentException",
                "1 validation error detected: Value at 'n' failed to "
                "satisfy constraint: Member must be a base64-encoded string");
  ck_assert_ptr_null(data);
}
END_TEST

START_TEST(base64_rfc4648_vectors) {
  const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                         "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (size_t i = 0; i < 7; i++) {
    char *s = NULL;
    ck_assert_int_eq(aev__base64_encode(plain[i], strlen(plain[i]), &s),
                     AEV_OK);
    ck_assert_str_eq(s, coded[i]);
    free(s);
    unsigned char *d = NULL;
    size_t n = 99;
    ck_assert_int_eq(aev__base64_decode(coded[i], strlen(coded[i]), &d, &n),
                     AEV_OK);
    ck_assert_uint_eq(n, strlen(plain[i]));
    ck_assert_str_eq((char *)d, plain[i]); /* NUL-terminated */
    free(d);
  }
}
END_TEST

START_TEST(base64_binary_round_trip) {
  unsigned char all[256 + 2];
  for (size_t i = 0; i < sizeof all; i++)
    all[i] = (unsigned char)(255 - i % 256);
  for (size_t len = 0; len <= sizeof all; len++) {
    char *s = NULL;
    ck_assert_int_eq(aev__base64_encode(all, len, &s), AEV_OK);
    ck_assert_uint_eq(strlen(s), (len + 2) / 3 * 4);
    unsigned char *d = NULL;
    size_t n = 0;
    ck_assert_int_eq(aev__base64_decode(s, strlen(s), &d, &n), AEV_OK);
    ck_assert_uint_eq(n, len);
    if (len)
      ck_assert_mem_eq(d, all, len);
    free(d);
    free(s);
  }
}
END_TEST

START_TEST(base64_bad_input) {
  const char *bad[] = {"Zg=",  "Zg",   "Z===", "====", "Zm9v!A==",
                       "Zm 9", "Zg=a", "=Zm9", "Zm9vYg=\n", "Zm9v\0AAA"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    unsigned char *d = (unsigned char *)"untouched";
    size_t n = 5;
    size_t len = i == 9 ? 8 : strlen(bad[i]);
    int rc = aev__base64_decode(bad[i], len, &d, &n);
    ck_assert_msg(rc == AEV_ERR_INVALID, "accepted %s", bad[i]);
    ck_assert_str_eq(aev_errcode(), "SerializationException");
    ck_assert_str_eq(aev_errmsg(), "Base64 encoded data is invalid.");
    ck_assert_str_eq((char *)d, "untouched");
    ck_assert_uint_eq(n, 5);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("api");
  TCase *tc = tcase_create("dispatch");
  tcase_add_test(tc, dispatch_success_is_compact);
  tcase_add_test(tc, null_and_empty_request_mean_empty_object);
  tcase_add_test(tc, action_failure_gives_error_shape);
  tcase_add_test(tc, unknown_service);
  tcase_add_test(tc, stepfunctions_is_states);
  tcase_add_test(tc, unknown_action_on_every_known_service);
  tcase_add_test(tc, malformed_json);
  tcase_add_test(tc, non_object_request);
  tcase_add_test(tc, null_response_pointer);
  tcase_add_test(tc, null_broker);
  tcase_add_test(tc, destroyed_broker);
  tcase_add_checked_fixture(tc, broker_setup, broker_teardown);
  suite_add_tcase(s, tc);
  tc = tcase_create("members");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, strings);
  tcase_add_test(tc, integers);
  tcase_add_test(tc, booleans);
  tcase_add_test(tc, objects_and_arrays);
  tcase_add_test(tc, blobs);
  suite_add_tcase(s, tc);
  tc = tcase_create("base64");
  tcase_add_test(tc, base64_rfc4648_vectors);
  tcase_add_test(tc, base64_binary_round_trip);
  tcase_add_test(tc, base64_bad_input);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
