/* Durable functions invoked synchronously by every invoker other than
 * Invoke (Lambda developer guide, "Invoking durable Lambda functions"):
 * the typed synchronous invoke, InvokeWithResponseStream, SQS and Kinesis
 * event-source mappings, Step Functions' lambda:invoke and function-ARN
 * Tasks, pipes' Lambda targets (REQUEST_RESPONSE) and enrichments. Each
 * starts a durable execution whose handler gets the durable input, and
 * receives the execution's result, or its error as a function error. */
#include <jansson.h>

#include "aevtest.h"
#include "machine_support.h"
#include "pipe_support.h"
#include "queue_support.h"
/* Last: its broker b is the file's. */
#include "durable_support.h"

/* The ExecutionDetails.InputPayload the last invocation saw, parsed. */
static json_t *last_input(void) {
  json_t *first = json_array_get(json_object_get(st.last_state, "Operations"), 0);
  json_t *in = json_loads(json_string_value(json_object_get(
                              json_object_get(first, "ExecutionDetails"), "InputPayload")),
                          JSON_DECODE_ANY, NULL);
  ck_assert_ptr_nonnull(in);
  return in;
}

/* The only execution of d is listed with status, and is the one the
 * handler was invoked for. */
static void only_execution(const char *status) {
  json_t *list = executions_of_d();
  ck_assert_uint_eq(json_array_size(list), 1);
  json_t *e = json_array_get(list, 0);
  ck_assert_str_eq(json_string_value(json_object_get(e, "Status")), status);
  ck_assert_str_eq(json_string_value(json_object_get(e, "DurableExecutionArn")), st.arn);
  json_decref(list);
}

START_TEST(typed_invoke_waits_for_the_execution) {
  aev_function *f;
  ck_assert_int_eq(aev_function_get(b, "d", &f), AEV_OK);
  st.mode = CLOSE_BY_CHECKPOINT;
  char *out = NULL, version[16];
  size_t len;
  const char *ferr = "unset";
  ck_assert_int_eq(aev_function_invoke_qualified(f, NULL, "{\"n\":1}", 7, &out, &len, &ferr,
                                                 version),
                   AEV_OK);
  ck_assert_str_eq(out, "\"big\"");
  ck_assert_ptr_null(ferr);
  ck_assert_str_eq(version, "$LATEST");
  aev_free(out);
  ck_assert_int_eq(st.calls, 1);
  only_execution("SUCCEEDED");
  json_t *in = last_input();
  ck_assert_int_eq(json_integer_value(json_object_get(in, "n")), 1);
  json_decref(in);
  /* A failed execution is a function error. */
  st.mode = THROW;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, &len, &ferr), AEV_OK);
  ck_assert_str_eq(ferr, "Unhandled");
  ck_assert_str_eq(out, "{\"errorType\":\"Boom\",\"errorMessage\":\"it broke\"}");
  aev_free(out);
  /* Under the manual clock an execution still waiting is answered empty,
   * and goes on. */
  st.mode = STEP_WAIT;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, &len, &ferr), AEV_OK);
  ck_assert_uint_eq(len, 0);
  ck_assert_ptr_null(ferr);
  aev_free(out);
  char *arn = strdup(st.arn);
  assert_status(arn, "RUNNING");
  advance_s(10);
  assert_status(arn, "SUCCEEDED");
  free(arn);
  aev_function_release(f);
  /* Synchronous invocations are limited to 15 minutes. */
  create("long", "{\"ExecutionTimeout\":901}");
  ck_assert_int_eq(aev_function_get(b, "long", &f), AEV_OK);
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, &len, &ferr), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "greater than 900 seconds"));
  aev_function_release(f);
}
END_TEST

/* A plain function beside a durable one still runs as one. */
START_TEST(plain_functions_run_their_handler) {
  ft_state s = {.b = b};
  aev_function *f = ft_function(b, "plain", NULL, &s);
  char *out = NULL;
  size_t len;
  const char *ferr;
  ck_assert_int_eq(aev_function_invoke(f, "{\"x\":1}", 7, &out, &len, &ferr), AEV_OK);
  ck_assert_str_eq(out, "{\"x\":1}");
  aev_free(out);
  aev_function_release(f);
  json_t *r = ft_call(b, "Invoke", "{\"FunctionName\":\"plain\",\"Payload\":\"{}\"}");
  ck_assert_ptr_null(json_object_get(r, "DurableExecutionArn"));
  json_decref(r);
  ck_assert_int_eq(st.calls, 0);
}
END_TEST

START_TEST(invoke_with_response_stream) {
  st.mode = CLOSE_BY_CHECKPOINT;
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"d\",\"Payload\":\"{}\"}");
  json_t *events = json_object_get(r, "EventStream");
  ck_assert_uint_eq(json_array_size(events), 2);
  /* "big" in quotes, base64. */
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(json_array_get(events, 0), "PayloadChunk"), "Payload")),
                   "ImJpZyI=");
  json_decref(r);
  only_execution("SUCCEEDED");
  st.mode = THROW;
  r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"d\",\"Payload\":\"{}\"}");
  json_t *done = json_object_get(json_array_get(json_object_get(r, "EventStream"), 0),
                                 "InvokeComplete");
  ck_assert_str_eq(json_string_value(json_object_get(done, "ErrorCode")), "Boom");
  json_decref(r);
}
END_TEST

/* The queue q of attrs, mapped to d. */
static aev_queue *mapped_queue(const char *attrs) {
  aev_queue *q = qt_queue(b, "q", attrs);
  char req[256];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"d\"}",
           aev_queue_arn(q));
  json_decref(ft_call(b, "CreateEventSourceMapping", req));
  return q;
}

/* A message sent through such a mapping to d in mode: its first batch run,
 * its execution's status then. */
static aev_queue *sent_through_mapping(const char *attrs, int mode, const char *status) {
  aev_queue *q = mapped_queue(attrs);
  st.mode = mode;
  qt_send(q, "hello");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  only_execution(status);
  return q;
}

static long long queue_count(aev_queue *q, const char *attr) {
  char *v = qt_attr(q, attr);
  long long n = atoll(v);
  free(v);
  return n;
}

/* "Event source mappings invoke durable functions synchronously, waiting
 * for the complete durable execution to finish before ... marking records
 * as processed" (developer guide, "Event source mappings with durable
 * functions"). */
START_TEST(sqs_mapping_waits_for_the_execution) {
  aev_queue *q = sent_through_mapping("{\"VisibilityTimeout\":\"30\"}", STEP_WAIT, "RUNNING");
  json_t *in = last_input();
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_array_get(json_object_get(in, "Records"), 0), "body")),
                   "hello");
  json_decref(in);
  /* Held while the execution waits. */
  advance_s(5);
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessagesNotVisible"), 1);
  advance_s(5);
  ck_assert_int_eq(st.calls, 2);
  only_execution("SUCCEEDED");
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessages"), 0);
  aev_queue_release(q);
}
END_TEST

/* A failed execution fails the batch: the message is received again once
 * its visibility timeout ends, by a new execution. */
START_TEST(sqs_mapping_batch_fails_with_the_execution) {
  aev_queue *q = sent_through_mapping("{\"VisibilityTimeout\":\"30\"}", THROW, "FAILED");
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessagesNotVisible"), 1);
  st.mode = CLOSE_BY_CHECKPOINT;
  advance_s(30);
  ck_assert_int_eq(st.calls, 2);
  json_t *list = executions_of_d();
  ck_assert_uint_eq(json_array_size(list), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "Status")),
                   "SUCCEEDED");
  json_decref(list);
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessages"), 0);
  aev_queue_release(q);
}
END_TEST

/* The only execution of d runs on until s seconds from now, then times
 * out, as Lambda.ExecutionTimedOut. */
static void execution_times_out_after(int s) {
  advance_s(s - 1);
  only_execution("RUNNING");
  advance_s(1);
  only_execution("TIMED_OUT");
  json_t *d = describe(st.arn);
  ck_assert_str_eq(error_type(d), "Lambda.ExecutionTimedOut");
  json_decref(d);
}

/* "If the total durable execution time exceeds 15 minutes, the execution
 * times out and fails. The event source mapping receives a timeout
 * exception and handles it according to its retry configuration." A
 * mapping is not refused an ExecutionTimeout that Invoke refuses. */
START_TEST(sqs_mapping_execution_times_out_at_15_minutes) {
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"d\"}"));
  create("d", "{\"ExecutionTimeout\":3600}");
  aev_queue *q = sent_through_mapping("{\"VisibilityTimeout\":\"1000\"}", FOREVER, "RUNNING");
  execution_times_out_after(900);
  /* The batch failed: the message comes back after its visibility. */
  ck_assert_int_eq(queue_count(q, "ApproximateNumberOfMessagesNotVisible"), 1);
  advance_s(100);
  ck_assert_int_eq(st.calls, 2);
  aev_queue_release(q);
}
END_TEST

/* "... or up to 90 minutes for functions running on Lambda Managed
 * Instances" (the same guide page): a version on a capacity provider. */
START_TEST(sqs_mapping_execution_times_out_at_90_minutes_on_managed_instances) {
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"d\"}"));
  json_decref(ft_call(b, "CreateCapacityProvider",
                      "{\"CapacityProviderName\":\"cp\",\"VpcConfig\":{\"SubnetIds\":"
                      "[\"subnet-1\"],\"SecurityGroupIds\":[\"sg-1\"]},\"PermissionsConfig\":"
                      "{\"CapacityProviderOperatorRoleArn\":"
                      "\"arn:aws:iam::000000000000:role/operator\"}}"));
  advance_s(60);
  /* create()'s DurableConfig text goes on with the members a function on
   * a provider needs. */
  create("d", "{\"ExecutionTimeout\":7200},\"Runtime\":\"python3.13\","
              "\"CapacityProviderConfig\":{\"LambdaManagedInstancesCapacityProviderConfig\":"
              "{\"CapacityProviderArn\":"
              "\"arn:aws:lambda:us-east-1:000000000000:capacity-provider:cp\"}}");
  advance_s(60);
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"d\"}"));
  aev_queue *q = qt_queue(b, "q", "{\"VisibilityTimeout\":\"6000\"}");
  char req[256];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"d:1\"}",
           aev_queue_arn(q));
  json_decref(ft_call(b, "CreateEventSourceMapping", req));
  st.mode = FOREVER;
  qt_send(q, "hello");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  execution_times_out_after(5400);
  aev_queue_release(q);
}
END_TEST

START_TEST(kinesis_mapping_runs_an_execution) {
  json_decref(aev_test_call(b, "kinesis", "CreateStream",
                            "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  json_decref(ft_call(b, "CreateEventSourceMapping",
                      "{\"EventSourceArn\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\","
                      "\"FunctionName\":\"d\",\"StartingPosition\":\"TRIM_HORIZON\"}"));
  st.mode = CLOSE_BY_CHECKPOINT;
  json_decref(aev_test_call(b, "kinesis", "PutRecord",
                            "{\"StreamName\":\"s\",\"Data\":\"aGk=\",\"PartitionKey\":\"k\"}",
                            AEV_OK));
  advance_s(1);
  ck_assert_int_eq(st.calls, 1);
  only_execution("SUCCEEDED");
  json_t *in = last_input();
  json_t *rec = json_array_get(json_object_get(in, "Records"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "kinesis"), "data")),
                   "aGk=");
  json_decref(in);
}
END_TEST

#define TASK(resource, params)                                                        \
  "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'" resource "'" params \
  ",'End':true}}}"

START_TEST(step_functions_tasks_run_executions) {
  st.mode = CLOSE_BY_CHECKPOINT;
  result r = run_def(b,
                     TASK("arn:aws:states:::lambda:invoke",
                          ",'Parameters':{'FunctionName':'d','Payload':{'n':2}}"),
                     "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "Payload")), "big");
  ck_assert_int_eq(json_integer_value(json_object_get(r.output, "StatusCode")), 200);
  result_free(&r);
  only_execution("SUCCEEDED");
  json_t *in = last_input();
  ck_assert_int_eq(json_integer_value(json_object_get(in, "n")), 2);
  json_decref(in);
  /* A plain function-ARN Task. */
  r = run_def(b, TASK("arn:aws:lambda:us-east-1:000000000000:function:d", ""), "{\"n\":3}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(r.output), "big");
  result_free(&r);
  ck_assert_int_eq(st.calls, 2);
  /* A failed execution fails the Task with the function's error. */
  st.mode = THROW;
  r = run_def(b,
              TASK("arn:aws:states:::lambda:invoke", ",'Parameters':{'FunctionName':'d'}"),
              "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "Boom");
  ck_assert_ptr_nonnull(strstr(cause_of(&r), "it broke"));
  result_free(&r);
}
END_TEST

START_TEST(pipe_target_and_enrichment_run_executions) {
  pipe_queues(b);
  st.mode = CLOSE_BY_CHECKPOINT;
  /* Enriched by d, whose result "big" goes on to the queue dst. */
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("lambda", "function:d") "\"}");
  send_body(b, URL("src"), "one");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  only_execution("SUCCEEDED");
  assert_only_body(b, URL("dst"), "big");
  json_decref(aev_test_call(b, "pipes", "DeletePipe", "{\"Name\":\"p1\"}", AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  /* A Lambda target, REQUEST_RESPONSE: the batch is the execution's input;
   * its failure leaves the message on the source. */
  st.mode = THROW;
  pipe_to(b, ARN("lambda", "function:d"),
          "{\"TargetParameters\":{\"LambdaFunctionParameters\":{\"InvocationType\":"
          "\"REQUEST_RESPONSE\"}}}");
  send_body(b, URL("src"), "two");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 2);
  json_t *in = last_input();
  ck_assert(json_is_array(in));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(in, 0), "body")), "two");
  json_decref(in);
  json_t *list = executions_of_d();
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "Status")),
                   "FAILED");
  json_decref(list);
  json_t *left = bodies(b, URL("src"));
  ck_assert_uint_eq(json_array_size(left), 0); /* in flight, not deleted */
  json_decref(left);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_durable_sync");
  TCase *tc = tcase_create("invokers");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, typed_invoke_waits_for_the_execution);
  tcase_add_test(tc, plain_functions_run_their_handler);
  tcase_add_test(tc, invoke_with_response_stream);
  tcase_add_test(tc, sqs_mapping_waits_for_the_execution);
  tcase_add_test(tc, sqs_mapping_batch_fails_with_the_execution);
  tcase_add_test(tc, sqs_mapping_execution_times_out_at_15_minutes);
  tcase_add_test(tc, sqs_mapping_execution_times_out_at_90_minutes_on_managed_instances);
  tcase_add_test(tc, kinesis_mapping_runs_an_execution);
  tcase_add_test(tc, step_functions_tasks_run_executions);
  tcase_add_test(tc, pipe_target_and_enrichment_run_executions);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
