/* Event-invocation destinations on topics and buses: the destination
 * record published to an SNS topic as the message, put on an EventBridge
 * bus as the detail of a "lambda" event with detail-type "Lambda Function
 * Invocation Result - Success" / "- Failure" and the bus and function
 * version as resources, a topic as DeadLetterConfig target carrying the
 * RequestID / ErrorCode / ErrorMessage attributes, and the ARNs accepted. */
#include <jansson.h>

#include "aevtest.h"
#include "function_support.h"

static aev_broker *b;
static aev_queue *q;

static void setup(void) {
  b = qt_broker();
  q = qt_queue(b, "sink", NULL);
}
static void teardown(void) {
  aev_queue_release(q);
  aev_broker_destroy(b);
}

static void call_ok(const char *service, const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, service, action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s %s", action, aev_errcode(), aev_errmsg());
  aev_free(out);
}

/* The sink queue's one message (body and attributes); NULLs when none. */
static char *take(char **attrs) {
  aev_message *m = qt_recv1(q);
  if (!m) return NULL;
  char *s = strdup(qt_body(m));
  if (attrs) *attrs = aev_message_attributes_json(m);
  aev_message_free(m);
  return s;
}

static aev_topic *raw_topic(const char *name) {
  aev_topic *t;
  ck_assert_int_eq(aev_topic_create(b, name, NULL, &t), AEV_OK);
  char *sub;
  ck_assert_int_eq(aev_topic_subscribe(t, "sqs", aev_queue_arn(q),
                                       "{\"RawMessageDelivery\":\"true\"}", &sub),
                   AEV_OK);
  aev_free(sub);
  return t;
}

START_TEST(topic_destination_gets_the_record_as_message) {
  aev_topic *t = raw_topic("results");
  ft_state s = {0};
  aev_function *f = ft_function(b, "pub", NULL, &s);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":"
      "\"arn:aws:sns:us-east-1:000000000000:results\"}}}"), AEV_OK);
  char rid[37];
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"n\":5}", 7, rid), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *body = take(NULL), want[1024];
  snprintf(want, sizeof want,
           "{\"version\":\"1.0\",\"timestamp\":\"2024-01-01T00:00:00.000Z\","
           "\"requestContext\":{\"requestId\":\"%s\",\"functionArn\":"
           "\"arn:aws:lambda:us-east-1:000000000000:function:pub:$LATEST\","
           "\"condition\":\"Success\",\"approximateInvokeCount\":1},"
           "\"requestPayload\":{\"n\":5},\"responseContext\":{\"statusCode\":200,"
           "\"executedVersion\":\"$LATEST\"},\"responsePayload\":{\"n\":5}}",
           rid);
  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, want);
  free(body);
  aev_function_release(f);
  aev_topic_release(t);
}
END_TEST

START_TEST(bus_destination_gets_a_lambda_event) {
  call_ok("events", "PutRule",
          "{\"Name\":\"results\",\"EventPattern\":\"{\\\"source\\\":[\\\"lambda\\\"]}\"}");
  call_ok("events", "PutTargets",
          "{\"Rule\":\"results\",\"Targets\":[{\"Id\":\"q\",\"Arn\":"
          "\"arn:aws:sqs:us-east-1:000000000000:sink\"}]}");
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "evt", NULL, &s);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"MaximumRetryAttempts\":0,\"DestinationConfig\":{"
      "\"OnFailure\":{\"Destination\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\"},"
      "\"OnSuccess\":{\"Destination\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\"}}}"),
      AEV_OK);
  char rid[37];
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"k\":1}", 7, rid), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *body = take(NULL);
  ck_assert_ptr_nonnull(body);
  json_t *e = json_loads(body, 0, NULL);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(json_string_value(json_object_get(e, "source")), "lambda");
  ck_assert_str_eq(json_string_value(json_object_get(e, "detail-type")),
                   "Lambda Function Invocation Result - Failure");
  char *res = json_dumps(json_object_get(e, "resources"), JSON_COMPACT);
  ck_assert_str_eq(res, "[\"arn:aws:events:us-east-1:000000000000:event-bus/default\","
                        "\"arn:aws:lambda:us-east-1:000000000000:function:evt:$LATEST\"]");
  free(res);
  char *detail = json_dumps(json_object_get(e, "detail"), JSON_COMPACT), want[1024];
  snprintf(want, sizeof want,
           "{\"version\":\"1.0\",\"timestamp\":\"2024-01-01T00:00:00.000Z\","
           "\"requestContext\":{\"requestId\":\"%s\",\"functionArn\":"
           "\"arn:aws:lambda:us-east-1:000000000000:function:evt:$LATEST\","
           "\"condition\":\"RetriesExhausted\",\"approximateInvokeCount\":1},"
           "\"requestPayload\":{\"k\":1},\"responseContext\":{\"statusCode\":200,"
           "\"executedVersion\":\"$LATEST\",\"functionError\":\"Unhandled\"},"
           "\"responsePayload\":{\"errorMessage\":\"it broke\",\"errorType\":\"Boom\"}}",
           rid);
  ck_assert_str_eq(detail, want);
  free(detail);
  json_decref(e);
  free(body);
  /* A success goes to the same bus with the Success detail-type. */
  s.mode = FT_ECHO;
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  body = take(NULL);
  ck_assert_ptr_nonnull(body);
  ck_assert_ptr_nonnull(strstr(body, "\"detail-type\":\"Lambda Function Invocation Result - Success\""));
  ck_assert_ptr_nonnull(strstr(body, "\"condition\":\"Success\""));
  free(body);
  aev_function_release(f);
}
END_TEST

START_TEST(topic_dead_letter_target_carries_attributes) {
  aev_topic *t = raw_topic("dead");
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "dl", NULL, &s);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f, "{\"MaximumRetryAttempts\":0}"),
                   AEV_OK);
  ck_assert_int_eq(aev_function_set_dead_letter_target(f, aev_topic_arn(t)), AEV_OK);
  char rid[37];
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"d\":1}", 7, rid), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *attrs = NULL, *body = take(&attrs);
  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "{\"d\":1}");
  ck_assert_ptr_nonnull(strstr(attrs, rid));
  ck_assert_ptr_nonnull(strstr(attrs, "\"ErrorCode\":{\"DataType\":\"Number\",\"StringValue\":\"200\"}"));
  ck_assert_ptr_nonnull(strstr(attrs, "\"ErrorMessage\":{\"DataType\":\"String\",\"StringValue\":\"it broke\"}"));
  aev_free(attrs);
  free(body);
  aev_function_release(f);
  aev_topic_release(t);
}
END_TEST

START_TEST(destination_arns_checked) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "chk", NULL, &s);
  ft_assert_error(aev_function_put_event_invoke_config(f,
                  "{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":"
                  "\"arn:aws:events:us-east-1:000000000000:rule/r\"}}}"),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "The provided destination config DestinationConfig(onSuccess=null, "
                  "onFailure=OnFailure(destination=arn:aws:events:us-east-1:000000000000:rule/r)) is invalid.");
  /* Recorded (test_lambda_eventinvokeconfig_exceptions): a function that
   * does not exist, the function itself, an ARN outside the pattern. */
  ft_assert_error(aev_function_put_event_invoke_config(f,
                  "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":"
                  "\"arn:aws:lambda:us-east-1:000000000000:function:doesnotexist\"}}}"),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "The destination ARN arn:aws:lambda:us-east-1:000000000000:function:doesnotexist is invalid.");
  ft_assert_error(aev_function_put_event_invoke_config(f,
                  "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":"
                  "\"arn:aws:lambda:us-east-1:000000000000:function:chk\"}}}"),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "You can't specify the function as a destination for itself.");
  ft_assert_error(aev_function_put_event_invoke_config(f,
                  "{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":"
                  "\"arn:aws:_-/!lambda:us-east-1:000000000000:function:chk\"}}}"),
                  AEV_ERR_INVALID, "ValidationException",
                  "1 validation error detected: Value 'arn:aws:_-/!lambda:us-east-1:000000000000:function:chk' at "
                  "'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy "
                  "regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:");
  char *none = NULL; /* none of them was stored */
  ck_assert_int_eq(aev_function_event_invoke_config(f, &none), AEV_ERR_NOT_FOUND);
  ft_assert_error(aev_function_set_dead_letter_target(f,
                  "arn:aws:lambda:us-east-1:000000000000:function:chk"),
                  AEV_ERR_INVALID, "InvalidParameterValueException", "an SQS queue or an SNS topic");
  /* A destination that does not exist is counted when delivery fails. */
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":"
      "\"arn:aws:sns:us-east-1:000000000000:missing\"}}}"), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "DestinationDeliveryFailures"), 1);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_dest");
  TCase *tc = tcase_create("dest");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, topic_destination_gets_the_record_as_message);
  tcase_add_test(tc, bus_destination_gets_a_lambda_event);
  tcase_add_test(tc, topic_dead_letter_target_carries_attributes);
  tcase_add_test(tc, destination_arns_checked);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
