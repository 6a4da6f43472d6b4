/* Lambda durable functions through aev_call: DurableConfig, Invoke
 * starting a durable execution, a handler that plays the durable execution
 * SDK (reads InitialExecutionState, replays, checkpoints with
 * CheckpointDurableExecution), waits and step retries re-invoked on the
 * broker clock, callbacks completed from outside or timing out, stop,
 * execution timeout, retention, the reads and their paging, and the
 * refusals. */
#include <jansson.h>
#include <regex.h>

#include "aevtest.h"
#include "durable_support.h"

START_TEST(durable_config_in_configuration) {
  json_t *c = ft_call(b, "GetFunctionConfiguration", "{\"FunctionName\":\"d\"}");
  json_t *want = json_pack("{sisi}", "ExecutionTimeout", 600, "RetentionPeriodInDays", 1);
  ck_assert(json_equal(json_object_get(c, "DurableConfig"), want));
  json_decref(want);
  json_decref(c);
  create("dflt", "{\"ExecutionTimeout\":30}");
  c = ft_call(b, "GetFunction", "{\"FunctionName\":\"dflt\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
                       c, "Configuration"), "DurableConfig"), "RetentionPeriodInDays")),
                   14);
  json_decref(c);
  /* The retention alone may change; a version keeps what it was published with. */
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"d\"}"));
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"d\",\"DurableConfig\":{\"RetentionPeriodInDays\":30}}"));
  c = ft_call(b, "ListVersionsByFunction", "{\"FunctionName\":\"d\"}");
  json_t *v = json_object_get(c, "Versions");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(v, 0), "DurableConfig"), "RetentionPeriodInDays")), 30);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(v, 1), "DurableConfig"), "RetentionPeriodInDays")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(v, 0), "DurableConfig"), "ExecutionTimeout")), 600);
  json_decref(c);
  c = ft_call(b, "ListFunctions", "{}");
  size_t i, durable = 0;
  json_t *fn;
  json_array_foreach(json_object_get(c, "Functions"), i, fn) durable += json_object_get(fn, "DurableConfig") != NULL;
  ck_assert_uint_eq(durable, 2);
  json_decref(c);
}
END_TEST

START_TEST(durable_config_refusals) {
  ft_call_err(b, "CreateFunction",
              "{\"FunctionName\":\"x\",\"Handler\":\"sdk\",\"DurableConfig\":{\"RetentionPeriodInDays\":3}}",
              "InvalidParameterValueException",
              "You cannot create a function with a durable configuration without an executionTimeout");
  ft_call_err(b, "CreateFunction",
              "{\"FunctionName\":\"x\",\"Handler\":\"sdk\",\"DurableConfig\":{\"ExecutionTimeout\":31622401}}",
              "ValidationException", "Member must have value less than or equal to 31622400");
  ft_call_err(b, "CreateFunction",
              "{\"FunctionName\":\"x\",\"Handler\":\"sdk\",\"DurableConfig\":{\"ExecutionTimeout\":0}}",
              "ValidationException", "greater than or equal to 1");
  ft_call_err(b, "CreateFunction",
              "{\"FunctionName\":\"x\",\"Handler\":\"sdk\",\"DurableConfig\":{\"ExecutionTimeout\":5,\"RetentionPeriodInDays\":91}}",
              "ValidationException", "less than or equal to 90");
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"x\"}", "ResourceNotFoundException", "");
  create("plain", NULL);
  ft_call_err(b, "UpdateFunctionConfiguration",
              "{\"FunctionName\":\"plain\",\"DurableConfig\":{\"ExecutionTimeout\":5}}",
              "InvalidParameterValueException", "cannot enable durable execution on an existing");
  json_t *c = ft_call(b, "GetFunctionConfiguration", "{\"FunctionName\":\"plain\"}");
  ck_assert_ptr_null(json_object_get(c, "DurableConfig"));
  json_decref(c);
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"plain\",\"DurableExecutionName\":\"n\"}",
              "InvalidParameterValueException", "only valid for a durable function");
}
END_TEST

START_TEST(step_then_wait_replays) {
  char *arn = start_async(NULL);
  regex_t re;
  ck_assert_int_eq(regcomp(&re, EXEC_ARN_RE, REG_EXTENDED | REG_NOSUB), 0);
  ck_assert_msg(regexec(&re, arn, 0, NULL, 0) == 0, "%s", arn);
  regfree(&re);
  assert_status(arn, "RUNNING");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  ck_assert_str_eq(st.arn, arn);
  advance_s(9);
  ck_assert_int_eq(st.calls, 1);
  assert_status(arn, "RUNNING");
  advance_s(1);
  ck_assert_int_eq(st.calls, 2);
  /* The replay saw the step's result and the finished wait. */
  json_t *s1 = op_of(st.last_state, "s1");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s1, "StepDetails"), "Result")), "\"one\"");
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), "SUCCEEDED");
  ck_assert_str_eq(json_string_value(json_object_get(d, "Result")), "\"done\"");
  ck_assert_str_eq(json_string_value(json_object_get(d, "InputPayload")), "{\"n\":1}");
  ck_assert_str_eq(json_string_value(json_object_get(d, "Version")), "$LATEST");
  ck_assert(json_real_value(json_object_get(d, "EndTimestamp")) -
                json_real_value(json_object_get(d, "StartTimestamp")) == 10.0);
  json_decref(d);
  json_t *h = call("GetDurableExecutionHistory", json_pack("{ss}", "DurableExecutionArn", arn));
  static const char *const want[] = {"ExecutionStarted", "StepStarted", "StepSucceeded",
                                     "WaitStarted", "InvocationCompleted", "WaitSucceeded",
                                     "InvocationCompleted", "ExecutionSucceeded"};
  json_t *events = json_object_get(h, "Events");
  ck_assert_uint_eq(json_array_size(events), 8);
  for (size_t i = 0; i < 8; i++) {
    json_t *ev = json_array_get(events, i);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "EventType")), want[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(ev, "EventId")), (json_int_t)i + 1);
  }
  json_t *ws = json_object_get(json_array_get(events, 3), "WaitStartedDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(ws, "Duration")), 10);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(events, 2), "StepSucceededDetails"), "Result"), "Payload")), "\"one\"");
  json_decref(h);
  free(arn);
}
END_TEST

START_TEST(sync_invoke_answers_the_result) {
  st.mode = CLOSE_BY_CHECKPOINT;
  json_t *r = ft_call(b, "Invoke", "{\"FunctionName\":\"d\",\"Payload\":\"{}\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 200);
  ck_assert_str_eq(json_string_value(json_object_get(r, "Payload")), "\"big\"");
  assert_status(json_string_value(json_object_get(r, "DurableExecutionArn")), "SUCCEEDED");
  json_decref(r);
  /* A failed execution answers a function error. */
  st.mode = THROW;
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"d\",\"Payload\":\"{}\"}");
  ck_assert_str_eq(json_string_value(json_object_get(r, "FunctionError")), "Unhandled");
  ck_assert_str_eq(json_string_value(json_object_get(r, "Payload")),
                   "{\"errorType\":\"Boom\",\"errorMessage\":\"it broke\"}");
  json_decref(r);
  /* Under the manual clock a waiting execution is answered running. */
  st.mode = STEP_WAIT;
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"d\",\"Payload\":\"{}\"}");
  ck_assert_str_eq(json_string_value(json_object_get(r, "Payload")), "");
  assert_status(json_string_value(json_object_get(r, "DurableExecutionArn")), "RUNNING");
  json_decref(r);
  /* Synchronous invocations are limited to 15 minutes. */
  create("long", "{\"ExecutionTimeout\":901}");
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"long\"}", "InvalidParameterValueException",
              "greater than 900 seconds");
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"long\",\"InvocationType\":\"Event\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 202);
  json_decref(r);
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"d\",\"InvocationType\":\"Event\",\"Payload\":\"{\"}",
              "InvalidRequestContentException", "Could not parse");
}
END_TEST

START_TEST(retried_step_runs_again_after_its_delay) {
  char *arn = started(RETRY, NULL);
  ck_assert_int_eq(st.calls, 1);
  advance_s(4);
  ck_assert_int_eq(st.calls, 1);
  advance_s(1);
  ck_assert_int_eq(st.calls, 2);
  assert_status(arn, "SUCCEEDED");
  json_t *h = call("GetDurableExecutionHistory", json_pack("{ss}", "DurableExecutionArn", arn));
  json_t *failed = json_array_get(json_object_get(h, "Events"), 2);
  ck_assert_str_eq(json_string_value(json_object_get(failed, "EventType")), "StepFailed");
  json_t *retry = json_object_get(json_object_get(failed, "StepFailedDetails"), "RetryDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(retry, "NextAttemptDelaySeconds")), 5);
  ck_assert_int_eq(json_integer_value(json_object_get(retry, "CurrentAttempt")), 1);
  json_decref(h);
  free(arn);
}
END_TEST

START_TEST(callback_completed_from_outside) {
  st.mode = CALLBACK;
  st.heartbeat = 20;
  char *arn = start_async(NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  /* Heartbeats keep it alive past its heartbeat timeout. */
  advance_s(15);
  json_decref(call("SendDurableExecutionCallbackHeartbeat", json_pack("{ss}", "CallbackId", st.callback_id)));
  advance_s(15);
  assert_status(arn, "RUNNING");
  json_decref(call("SendDurableExecutionCallbackSuccess",
                   json_pack("{ssss}", "CallbackId", st.callback_id, "Result", "\"approved\"")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 2);
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Result")), "\"approved\"");
  json_decref(d);
  call_err("SendDurableExecutionCallbackSuccess", json_pack("{ss}", "CallbackId", st.callback_id),
           "InvalidParameterValueException", "has already completed");
  call_err("SendDurableExecutionCallbackSuccess", json_pack("{ss}", "CallbackId", "bm9wZQ=="),
           "InvalidParameterValueException", "does not exist");
  call_err("SendDurableExecutionCallbackSuccess", json_pack("{ss}", "CallbackId", "not base64!"),
           "InvalidParameterValueException", "callbackId");
  free(arn);
}
END_TEST

START_TEST(callback_failure_fails_the_execution) {
  char *arn = started(CALLBACK, NULL);
  json_decref(call("SendDurableExecutionCallbackFailure",
                   json_pack("{sss{ssss}}", "CallbackId", st.callback_id, "Error", "ErrorType",
                             "Rejected", "ErrorMessage", "no")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), "FAILED");
  ck_assert_str_eq(error_type(d), "Rejected");
  json_decref(d);
  free(arn);
}
END_TEST

START_TEST(callback_times_out) {
  char *arn = started(CALLBACK, NULL);
  advance_s(59);
  ck_assert_int_eq(st.calls, 1);
  advance_s(1);
  ck_assert_int_eq(st.calls, 2);
  json_t *cb = op_of(st.last_state, "cb");
  ck_assert_str_eq(status_of(cb), "TIMED_OUT");
  assert_status(arn, "FAILED");
  call_err("SendDurableExecutionCallbackSuccess", json_pack("{ss}", "CallbackId", st.callback_id),
           "CallbackTimeoutException", "timed out");
  /* A heartbeat timeout ends it sooner. */
  st.heartbeat = 5;
  free(arn);
  arn = start_async(",\"DurableExecutionName\":\"hb\"");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  advance_s(5);
  json_t *h = call("GetDurableExecutionHistory",
                   json_pack("{sssb}", "DurableExecutionArn", arn, "ReverseOrder", 1));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(h, "Events"), 0), "EventType")),
                   "ExecutionFailed");
  json_decref(h);
  free(arn);
}
END_TEST

START_TEST(stop_ends_the_execution) {
  char *arn = started(FOREVER, NULL);
  advance_s(3);
  json_t *r = call("StopDurableExecution",
                   json_pack("{sss{ss}}", "DurableExecutionArn", arn, "Error", "ErrorMessage", "enough"));
  ck_assert(json_real_value(json_object_get(r, "StopTimestamp")) == 1704067203.0);
  json_decref(r);
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), "STOPPED");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "Error"), "ErrorMessage")), "enough");
  json_decref(d);
  call_err("StopDurableExecution", json_pack("{ss}", "DurableExecutionArn", arn),
           "InvalidParameterValueException", "not running");
  call_err("CheckpointDurableExecution",
           json_pack("{ssss}", "DurableExecutionArn", arn, "CheckpointToken", st.token),
           "InvalidParameterValueException", "no longer running");
  advance_s(200000);
  ck_assert_int_eq(st.calls, 1); /* its wait never replays */
  free(arn);
}
END_TEST

START_TEST(execution_timeout_then_retention) {
  st.mode = FOREVER;
  char *arn = start_async(NULL);
  advance_s(599);
  assert_status(arn, "RUNNING");
  advance_s(1);
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), "TIMED_OUT");
  json_decref(d);
  /* RetentionPeriodInDays 1: gone a day after it closed. */
  advance_s(86399);
  assert_status(arn, "TIMED_OUT");
  advance_s(1);
  call_err("GetDurableExecution", json_pack("{ss}", "DurableExecutionArn", arn),
           "ResourceNotFoundException", "Durable execution not found");
  free(arn);
}
END_TEST

START_TEST(invocation_outcomes) {
  char *arn = started(THROW, NULL);
  json_t *d = describe(arn);
  ck_assert_str_eq(error_type(d), "Boom");
  json_decref(d);
  free(arn);
  arn = started(BAD_OUTPUT, ",\"DurableExecutionName\":\"bad\"");
  assert_status(arn, "FAILED");
  free(arn);
  arn = started(NOTHING_PENDING, ",\"DurableExecutionName\":\"idle\"");
  d = describe(arn);
  ck_assert_str_eq(error_type(d),
                   "InvalidDurableExecutionOutput");
  json_decref(d);
  free(arn);
  /* A deleted function cannot be invoked again: its execution fails. */
  arn = started(STEP_WAIT, ",\"DurableExecutionName\":\"orphan\"");
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"d\"}"));
  advance_s(10);
  d = describe(arn);
  ck_assert_str_eq(error_type(d),
                   "ResourceNotFoundException");
  json_decref(d);
  free(arn);
}
END_TEST

START_TEST(idempotent_start_by_name) {
  st.mode = FOREVER;
  char *a = start_async(",\"DurableExecutionName\":\"order-1\"");
  char *again = start_async(",\"DurableExecutionName\":\"order-1\"");
  ck_assert_str_eq(a, again);
  ck_assert_msg(strstr(a, "/durable-execution/order-1/"), "%s", a);
  ft_call_err(b, "Invoke",
              "{\"FunctionName\":\"d\",\"InvocationType\":\"Event\",\"DurableExecutionName\":\"order-1\",\"Payload\":\"{}\"}",
              "DurableExecutionAlreadyStartedException", "order-1");
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"d\",\"DurableExecutionName\":\"no spaces\"}",
              "InvalidParameterValueException", "durableExecutionName");
  json_decref(call("StopDurableExecution", json_pack("{ss}", "DurableExecutionArn", a)));
  ft_call_err(b, "Invoke",
              "{\"FunctionName\":\"d\",\"InvocationType\":\"Event\",\"DurableExecutionName\":\"order-1\",\"Payload\":\"{\\\"n\\\":1}\"}",
              "DurableExecutionAlreadyStartedException", "order-1");
  /* InvokeAsync is an Event Invoke: it starts one too. */
  json_decref(ft_call(b, "InvokeAsync", "{\"FunctionName\":\"d\",\"InvokeArgs\":\"{}\"}"));
  json_t *l = call("ListDurableExecutionsByFunction", json_pack("{ss}", "FunctionName", "d"));
  ck_assert_uint_eq(json_array_size(json_object_get(l, "DurableExecutions")), 2);
  json_decref(l);
  free(a);
  free(again);
}
END_TEST

START_TEST(list_filters_and_pages) {
  st.mode = FOREVER;
  char *a = start_async(",\"DurableExecutionName\":\"a\"");
  advance_s(10);
  char *b2 = start_async(",\"DurableExecutionName\":\"b\"");
  advance_s(10);
  char *c = start_async(",\"DurableExecutionName\":\"c\"");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_decref(call("StopDurableExecution", json_pack("{ss}", "DurableExecutionArn", b2)));
  json_t *r = call("ListDurableExecutionsByFunction", json_pack("{sssi}", "FunctionName", "d", "MaxItems", 2));
  json_t *items = json_object_get(r, "DurableExecutions");
  ck_assert_uint_eq(json_array_size(items), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "DurableExecutionArn")), a);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "DurableExecutionName")), "b");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "Status")), "STOPPED");
  ck_assert_ptr_nonnull(json_object_get(json_array_get(items, 1), "EndTimestamp"));
  json_t *next = json_incref(json_object_get(r, "NextMarker"));
  json_decref(r);
  r = call("ListDurableExecutionsByFunction",
           json_pack("{ssso}", "FunctionName", "d", "Marker", next));
  items = json_object_get(r, "DurableExecutions");
  ck_assert_uint_eq(json_array_size(items), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "DurableExecutionArn")), c);
  ck_assert_ptr_null(json_object_get(r, "NextMarker"));
  json_decref(r);
  r = call("ListDurableExecutionsByFunction",
           json_pack("{sss[s]sb}", "FunctionName", "d", "Statuses", "RUNNING", "ReverseOrder", 1));
  items = json_object_get(r, "DurableExecutions");
  ck_assert_uint_eq(json_array_size(items), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "DurableExecutionName")), "c");
  json_decref(r);
  r = call("ListDurableExecutionsByFunction",
           json_pack("{sssf}", "FunctionName", "d", "StartedAfter", 1704067205.0));
  ck_assert_uint_eq(json_array_size(json_object_get(r, "DurableExecutions")), 2);
  json_decref(r);
  r = call("ListDurableExecutionsByFunction",
           json_pack("{ssss}", "FunctionName", "d:$LATEST", "DurableExecutionName", "a"));
  ck_assert_uint_eq(json_array_size(json_object_get(r, "DurableExecutions")), 1);
  json_decref(r);
  /* A version's executions only: none ran version 1. */
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"d\"}"));
  r = call("ListDurableExecutionsByFunction", json_pack("{ssss}", "FunctionName", "d", "Qualifier", "1"));
  ck_assert_uint_eq(json_array_size(json_object_get(r, "DurableExecutions")), 0);
  json_decref(r);
  call_err("ListDurableExecutionsByFunction", json_pack("{sss[s]}", "FunctionName", "d", "Statuses", "DONE"),
           "InvalidParameterValueException", "enum value set");
  call_err("ListDurableExecutionsByFunction", json_pack("{ss}", "FunctionName", "nope"),
           "ResourceNotFoundException", "");
  call_err("ListDurableExecutionsByFunction", json_pack("{sssi}", "FunctionName", "d", "MaxItems", 1001),
           "ValidationException", "1000");
  call_err("ListDurableExecutionsByFunction", json_pack("{ssss}", "FunctionName", "d", "Marker", "x"),
           "InvalidParameterValueException", "Invalid marker");
  free(a);
  free(b2);
  free(c);
}
END_TEST

START_TEST(state_and_history_pages) {
  char *arn = started(STEP_WAIT, NULL);
  /* The token the handler last received stays current until the next invocation. */
  json_t *r = call("GetDurableExecutionState",
                   json_pack("{sssssi}", "DurableExecutionArn", arn, "CheckpointToken", st.token,
                             "MaxItems", 2));
  json_t *ops = json_object_get(r, "Operations");
  ck_assert_uint_eq(json_array_size(ops), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ops, 0), "Type")), "EXECUTION");
  ck_assert_str_eq(json_string_value(json_object_get(r, "NextMarker")), "2");
  json_decref(r);
  r = call("GetDurableExecutionState",
           json_pack("{ssssss}", "DurableExecutionArn", arn, "CheckpointToken", st.token, "Marker", "2"));
  ops = json_object_get(r, "Operations");
  ck_assert_uint_eq(json_array_size(ops), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ops, 0), "Id")), "w1");
  ck_assert_str_eq(status_of(json_array_get(ops, 0)), "STARTED");
  ck_assert_ptr_null(json_object_get(r, "NextMarker"));
  json_decref(r);
  call_err("GetDurableExecutionState",
           json_pack("{ssss}", "DurableExecutionArn", arn, "CheckpointToken", "c3RhbGU="),
           "InvalidParameterValueException", "Invalid checkpoint token");
  r = call("GetDurableExecutionHistory",
           json_pack("{sssisb}", "DurableExecutionArn", arn, "MaxItems", 3, "IncludeExecutionData", 0));
  json_t *events = json_object_get(r, "Events");
  ck_assert_uint_eq(json_array_size(events), 3);
  ck_assert_ptr_null(json_object_get(json_object_get(json_array_get(events, 0), "ExecutionStartedDetails"), "Input"));
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(events, 0), "ExecutionStartedDetails"), "ExecutionTimeout")), 600);
  ck_assert_ptr_null(json_object_get(json_object_get(json_array_get(events, 2), "StepSucceededDetails"), "Result"));
  ck_assert_str_eq(json_string_value(json_object_get(r, "NextMarker")), "3");
  json_decref(r);
  r = call("GetDurableExecutionHistory", json_pack("{ssss}", "DurableExecutionArn", arn, "Marker", "3"));
  events = json_object_get(r, "Events");
  ck_assert_uint_eq(json_array_size(events), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(events, 1), "EventType")), "InvocationCompleted");
  ck_assert_ptr_null(json_object_get(r, "NextMarker"));
  json_decref(r);
  free(arn);
}
END_TEST

/* A handler that starts a wait "w" and stays pending; once it waited, it
 * succeeds. */
static void refusing_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  json_t *in = json_loadb(event, len, 0, NULL);
  snprintf(st.arn, sizeof st.arn, "%s", json_string_value(json_object_get(in, "DurableExecutionArn")));
  snprintf(st.token, sizeof st.token, "%s", json_string_value(json_object_get(in, "CheckpointToken")));
  int waited = op_of(json_object_get(in, "InitialExecutionState"), "w") != NULL;
  json_decref(in);
  if (waited) {
    finish(ctx, "{\"Status\":\"SUCCEEDED\"}");
    return;
  }
  json_t *w = update("w", "WAIT", "START");
  json_object_set_new(w, "WaitOptions", json_pack("{si}", "WaitSeconds", 1000));
  json_decref(checkpoint(json_pack("[o]", w)));
  finish(ctx, "{\"Status\":\"PENDING\"}");
}

/* A durable function fn (ExecutionTimeout timeout) running refusing_handler,
 * started and waiting. */
static void start_waiting(const char *fn, int timeout) {
  char req[256];
  ck_assert_int_eq(aev_handler_register(b, fn, refusing_handler, NULL, NULL), AEV_OK);
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"%s\",\"Handler\":\"%s\",\"DurableConfig\":{\"ExecutionTimeout\":%d}}",
           fn, fn, timeout);
  json_decref(ft_call(b, "CreateFunction", req));
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\",\"InvocationType\":\"Event\"}", fn);
  json_decref(ft_call(b, "Invoke", req));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
}

static void refused(json_t *updates, const char *msg) {
  char stale[128];
  snprintf(stale, sizeof stale, "%s", st.token);
  call_err("CheckpointDurableExecution",
           json_pack("{ssssso}", "DurableExecutionArn", st.arn, "CheckpointToken", st.token,
                     "Updates", updates),
           "InvalidParameterValueException", msg);
  ck_assert_str_eq(st.token, stale);
}

START_TEST(checkpoint_refusals_change_nothing) {
  start_waiting("r", 600);
  refused(json_pack("[o]", update("w", "WAIT", "START")), "cannot be started again");
  refused(json_pack("[o]", update("w", "WAIT", "SUCCEED")), "the service completes it");
  refused(json_pack("[o]", update("x", "EXECUTION", "START")), "is started by Lambda");
  refused(json_pack("[o]", update("x", "CHAINED_INVOKE", "START")),
          "needs ChainedInvokeOptions.FunctionName");
  refused(json_pack("[o]", update("x", "TIMER", "START")), "enum value set");
  refused(json_pack("[o]", update("x", "STEP", "JUMP")), "enum value set");
  refused(json_pack("[o]", update("bad id", "STEP", "START")), "updates.1.member.id");
  refused(json_pack("[o]", update("w2", "WAIT", "START")), "needs WaitOptions.WaitSeconds");
  refused(json_pack("[o]", update("w", "STEP", "SUCCEED")), "is not of type STEP");
  refused(json_pack("[o]", update("x", "STEP", "CANCEL")), "cannot be cancelled");
  json_t *child = update("c", "STEP", "START");
  json_object_set_new(child, "ParentId", json_string("ghost"));
  refused(json_pack("[o]", child), "names no operation");
  json_t *err = update("s", "STEP", "FAIL");
  json_object_set_new(err, "Error", json_pack("{si}", "ErrorType", 3));
  refused(json_pack("[o]", err), "must be a string");
  /* All or nothing: the good first update is not kept. */
  refused(json_pack("[oo]", update("s", "STEP", "START"), update("s", "STEP", "CANCEL")),
          "cannot be cancelled");
  json_t *r = call("GetDurableExecutionState",
                   json_pack("{ssss}", "DurableExecutionArn", st.arn, "CheckpointToken", st.token));
  ck_assert_uint_eq(json_array_size(json_object_get(r, "Operations")), 2);
  json_decref(r);
  r = call("GetDurableExecutionHistory", json_pack("{ss}", "DurableExecutionArn", st.arn));
  ck_assert_uint_eq(json_array_size(json_object_get(r, "Events")), 3);
  json_decref(r);
  /* A token is consumed by its checkpoint. */
  char old[128];
  snprintf(old, sizeof old, "%s", st.token);
  json_decref(checkpoint(json_pack("[o]", update("s", "STEP", "START"))));
  ck_assert_str_ne(old, st.token);
  call_err("CheckpointDurableExecution",
           json_pack("{ssss}", "DurableExecutionArn", st.arn, "CheckpointToken", old),
           "InvalidParameterValueException", "not the execution's current token");
  /* A cancelled wait never fires. */
  r = checkpoint(json_pack("[o]", update("w", "WAIT", "CANCEL")));
  ck_assert_str_eq(status_of(op_of(json_object_get(r, "NewExecutionState"), "w")), "CANCELLED");
  json_decref(r);
  call_err("CheckpointDurableExecution",
           json_pack("{ssss}", "DurableExecutionArn", "arn:aws:lambda:us-east-1:000000000000:function:r", "CheckpointToken", st.token),
           "InvalidParameterValueException", "durableExecutionArn");
  call_err("GetDurableExecution",
           json_pack("{ss}", "DurableExecutionArn",
                     "arn:aws:lambda:us-east-1:000000000000:function:r:$LATEST/durable-execution/n/x"),
           "ResourceNotFoundException", "not found");
  call_err("CheckpointDurableExecution",
           json_pack("{ssss}", "DurableExecutionArn", st.arn, "CheckpointToken", "***"),
           "InvalidParameterValueException", "checkpointToken");
}
END_TEST


/* An update of operation id, a child of parent. */
static json_t *child(const char *id, const char *type, const char *action, const char *parent) {
  json_t *u = update(id, type, action);
  json_object_set_new(u, "ParentId", json_string(parent));
  return u;
}

/* The children of a completed context are left out of the state a replay
 * reads, unless it asked for them with ContextOptions.ReplayChildren;
 * those of a running one are there. */
START_TEST(completed_contexts_hide_their_children) {
  start_waiting("ctx", 600);
  json_t *c2 = update("c2", "CONTEXT", "SUCCEED");
  json_object_set_new(c2, "ContextOptions", json_pack("{sb}", "ReplayChildren", 1));
  json_decref(checkpoint(json_pack(
      "[oooooooooo]", update("c1", "CONTEXT", "START"), child("s1", "STEP", "START", "c1"),
      child("s1", "STEP", "SUCCEED", "c1"), child("i1", "STEP", "SUCCEED", "s1"),
      update("c1", "CONTEXT", "SUCCEED"), update("c2", "CONTEXT", "START"),
      child("s2", "STEP", "SUCCEED", "c2"), c2, update("c3", "CONTEXT", "START"),
      child("s3", "STEP", "START", "c3"))));
  json_t *r = call("GetDurableExecutionState",
                   json_pack("{ssss}", "DurableExecutionArn", st.arn, "CheckpointToken", st.token));
  static const char *const listed[] = {"w", "c1", "c2", "s2", "c3", "s3"};
  json_t *ops = json_object_get(r, "Operations");
  ck_assert_uint_eq(json_array_size(ops), 7);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ops, 0), "Type")), "EXECUTION");
  for (size_t i = 0; i < 6; i++)
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ops, i + 1), "Id")), listed[i]);
  ck_assert(json_is_true(json_object_get(json_object_get(op_of(r, "c2"), "ContextDetails"),
                                         "ReplayChildren")));
  json_decref(r);
  /* Paged, the hidden ones take no place in a page. */
  r = call("GetDurableExecutionState",
           json_pack("{sssssi}", "DurableExecutionArn", st.arn, "CheckpointToken", st.token,
                     "MaxItems", 3));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r, "Operations"), 2), "Id")), "c1");
  const char *marker = json_string_value(json_object_get(r, "NextMarker"));
  json_t *next = call("GetDurableExecutionState",
                      json_pack("{sssssssi}", "DurableExecutionArn", st.arn, "CheckpointToken",
                                st.token, "Marker", marker, "MaxItems", 1));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(next, "Operations"), 0), "Id")), "c2");
  json_decref(next);
  json_decref(r);
  json_t *bad = update("c4", "CONTEXT", "START");
  json_object_set_new(bad, "ContextOptions", json_pack("{ss}", "ReplayChildren", "yes"));
  refused(json_pack("[o]", bad), "ContextOptions.ReplayChildren of operation c4 must be a boolean.");
}
END_TEST

/* Asynchronous invocations by other means than Invoke start durable
 * executions too: the typed API, and an EventBridge rule's target. */
START_TEST(other_async_invokers_start_executions) {
  st.mode = STEP_WAIT;
  aev_function *f;
  ck_assert_int_eq(aev_function_get(b, "d", &f), AEV_OK);
  char request_id[64] = "";
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"n\":1}", 7, request_id), AEV_OK);
  aev_function_release(f);
  ck_assert_uint_eq(strlen(request_id), 36);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  json_t *list = executions_of_d();
  ck_assert_uint_eq(json_array_size(list), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "Status")), "RUNNING");
  json_decref(list);
  char req[512];
  json_decref(aev_test_call(b, "events", "PutRule",
                            "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"app\\\"]}\"}",
                            AEV_OK));
  snprintf(req, sizeof req,
           "{\"Rule\":\"r\",\"Targets\":[{\"Id\":\"d\",\"Arn\":"
           "\"arn:aws:lambda:us-east-1:000000000000:function:d\"}]}");
  json_decref(aev_test_call(b, "events", "PutTargets", req, AEV_OK));
  json_decref(aev_test_call(b, "events", "PutEvents",
                            "{\"Entries\":[{\"Source\":\"app\",\"DetailType\":\"t\","
                            "\"Detail\":\"{}\"}]}", AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 2);
  list = executions_of_d();
  ck_assert_uint_eq(json_array_size(list), 2);
  json_decref(list);
  /* The rule's event is the execution's input. */
  json_t *first = json_array_get(json_object_get(st.last_state, "Operations"), 0);
  json_t *input = json_loads(json_string_value(json_object_get(
                                 json_object_get(first, "ExecutionDetails"), "InputPayload")), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(input, "source")), "app");
  json_decref(input);
}
END_TEST

START_TEST(sync_invoke_waits_on_a_real_clock) {
  aev_broker_destroy(b);
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK); /* real clock, workers */
  ck_assert_int_eq(aev_handler_register(b, "sdk", handler, NULL, NULL), AEV_OK);
  create("d", "{\"ExecutionTimeout\":60}");
  st.mode = CLOSE_BY_CHECKPOINT;
  json_t *r = ft_call(b, "Invoke", "{\"FunctionName\":\"d\",\"Payload\":\"{}\"}");
  ck_assert_str_eq(json_string_value(json_object_get(r, "Payload")), "\"big\"");
  ck_assert_int_eq(st.calls, 1);
  json_decref(r);
}
END_TEST

START_TEST(versions_and_aliases_run_their_version) {
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"d\"}"));
  json_decref(ft_call(b, "CreateAlias", "{\"FunctionName\":\"d\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  st.mode = FOREVER;
  json_t *r = ft_call(b, "Invoke", "{\"FunctionName\":\"d:live\",\"InvocationType\":\"Event\"}");
  const char *arn = json_string_value(json_object_get(r, "DurableExecutionArn"));
  ck_assert_msg(strstr(arn, ":function:d:1/durable-execution/"), "%s", arn);
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Version")), "1");
  ck_assert_str_eq(json_string_value(json_object_get(d, "FunctionArn")),
                   "arn:aws:lambda:us-east-1:000000000000:function:d:1");
  json_decref(d);
  json_t *l = call("ListDurableExecutionsByFunction", json_pack("{ssss}", "FunctionName", "d", "Qualifier", "live"));
  ck_assert_uint_eq(json_array_size(json_object_get(l, "DurableExecutions")), 1);
  json_decref(l);
  json_decref(r);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
}
END_TEST

START_TEST(size_limits) {
  char *arn = started(CALLBACK, NULL);
  char *big = malloc(262146);
  memset(big, 'x', 262145);
  big[262145] = '\0';
  call_err("SendDurableExecutionCallbackSuccess", json_pack("{ssss}", "CallbackId", st.callback_id, "Result", big),
           "InvalidParameterValueException", "less than or equal to 262144");
  call_err("SendDurableExecutionCallbackFailure",
           json_pack("{sss{ss}}", "CallbackId", st.callback_id, "Error", "ErrorMessage", big),
           "InvalidParameterValueException", "combined size");
  call_err("StopDurableExecution", json_pack("{sss{ss}}", "DurableExecutionArn", arn, "Error", "ErrorData", big),
           "InvalidParameterValueException", "combined size");
  free(big);
  assert_status(arn, "RUNNING");
  /* The payload limits of Invoke: 1 MB for an Event, 6 MB in sync. */
  big = malloc(1048580);
  memset(big, ' ', 1048579);
  big[0] = '1';
  big[1048579] = '\0';
  json_t *req = json_pack("{ssssss}", "FunctionName", "d", "InvocationType", "Event", "Payload", big);
  call_err("Invoke", req, "RequestEntityTooLargeException", "Request must be smaller than");
  free(big);
  free(arn);
}
END_TEST

START_TEST(execution_fails_through_its_checkpoint) {
  start_waiting("x", 60);
  json_t *fail = update("any", "EXECUTION", "FAIL");
  json_object_set_new(fail, "Error", json_pack("{ssss}", "ErrorType", "Gave up", "ErrorMessage", "why"));
  json_t *r = checkpoint(json_pack("[o]", fail));
  ck_assert_ptr_null(json_object_get(r, "CheckpointToken"));
  json_decref(r);
  json_t *d = describe(st.arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), "FAILED");
  ck_assert_str_eq(error_type(d), "Gave up");
  json_decref(d);
  /* Its pending wait never fires. */
  advance_s(100);
  r = call("GetDurableExecutionHistory", json_pack("{sssb}", "DurableExecutionArn", st.arn, "ReverseOrder", 1));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r, "Events"), 0), "EventType")),
                   "ExecutionFailed");
  json_decref(r);
}
END_TEST

/* The targets of chained invokes: a plain function echoing its event, and
 * a durable one that succeeds at once. */
static void echo(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  aev_invocation_succeed(ctx, event, len);
}

static void durable_child(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  json_t *in = json_loadb(event, len, 0, NULL);
  json_t *exec = json_array_get(json_object_get(json_object_get(in, "InitialExecutionState"), "Operations"), 0);
  json_t *out = json_pack("{sssO}", "Status", "SUCCEEDED", "Result",
                          json_object_get(json_object_get(exec, "ExecutionDetails"), "InputPayload"));
  char *text = json_dumps(out, JSON_COMPACT);
  finish(ctx, text);
  free(text);
  json_decref(out);
  json_decref(in);
}

START_TEST(chained_invokes) {
  ck_assert_int_eq(aev_handler_register(b, "echo", echo, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_handler_register(b, "child", durable_child, NULL, NULL), AEV_OK);
  json_decref(ft_call(b, "CreateFunction", "{\"FunctionName\":\"plain\",\"Handler\":\"echo\"}"));
  json_decref(ft_call(b, "CreateFunction",
                      "{\"FunctionName\":\"kid\",\"Handler\":\"child\",\"DurableConfig\":{\"ExecutionTimeout\":60}}"));
  st.target = "plain";
  char *arn = started(CHAINED, ",\"DurableExecutionName\":\"p\"");
  ck_assert_int_eq(st.calls, 2);
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Result")), "{\"x\":1}");
  json_decref(d);
  json_t *h = call("GetDurableExecutionHistory", json_pack("{ss}", "DurableExecutionArn", arn));
  json_t *ev = json_array_get(json_object_get(h, "Events"), 1);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "EventType")), "ChainedInvokeStarted");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "ChainedInvokeStartedDetails"), "FunctionName")), "plain");
  ev = json_array_get(json_object_get(h, "Events"), 3);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "EventType")), "ChainedInvokeSucceeded");
  json_decref(h);
  free(arn);
  /* A durable function runs as a child execution. */
  st.target = "kid";
  arn = started(CHAINED, ",\"DurableExecutionName\":\"k\"");
  d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), "SUCCEEDED");
  ck_assert_str_eq(json_string_value(json_object_get(d, "Result")), "{\"x\":1}");
  json_decref(d);
  json_t *l = call("ListDurableExecutionsByFunction", json_pack("{ss}", "FunctionName", "kid"));
  ck_assert_uint_eq(json_array_size(json_object_get(l, "DurableExecutions")), 1);
  const char *kid = json_string_value(json_object_get(json_array_get(json_object_get(l, "DurableExecutions"), 0), "DurableExecutionArn"));
  h = call("GetDurableExecutionHistory", json_pack("{ss}", "DurableExecutionArn", arn));
  json_t *sd = json_object_get(json_array_get(json_object_get(h, "Events"), 1), "ChainedInvokeStartedDetails");
  ck_assert_str_eq(json_string_value(json_object_get(sd, "DurableExecutionArn")), kid);
  ck_assert_str_eq(json_string_value(json_object_get(sd, "ExecutedVersion")), "$LATEST");
  json_decref(h);
  json_decref(l);
  free(arn);
  /* A function that does not exist fails the operation. */
  st.target = "ghost";
  arn = started(CHAINED, ",\"DurableExecutionName\":\"g\"");
  d = describe(arn);
  ck_assert_str_eq(error_type(d), "ResourceNotFoundException");
  json_decref(d);
  free(arn);
}
END_TEST

START_TEST(client_token_retries_answer_again) {
  start_waiting("r", 6000);
  json_t *req = json_pack("{sssssss[o]}", "DurableExecutionArn", st.arn, "CheckpointToken", st.token,
                          "ClientToken", "retry-1", "Updates", update("s", "STEP", "START"));
  json_t *first = call("CheckpointDurableExecution", json_deep_copy(req));
  json_t *again = call("CheckpointDurableExecution", json_deep_copy(req));
  ck_assert(json_equal(first, again));
  json_t *h = call("GetDurableExecutionHistory", json_pack("{ss}", "DurableExecutionArn", st.arn));
  ck_assert_uint_eq(json_array_size(json_object_get(h, "Events")), 4); /* one StepStarted */
  json_decref(h);
  json_object_set_new(req, "ClientToken", json_string("other"));
  call_err("CheckpointDurableExecution", json_deep_copy(req), "InvalidParameterValueException",
           "not the execution's current token");
  /* The window is 15 minutes. */
  json_object_set_new(req, "ClientToken", json_string("retry-1"));
  advance_s(901);
  call_err("CheckpointDurableExecution", json_deep_copy(req), "InvalidParameterValueException",
           "not the execution's current token");
  json_object_set_new(req, "ClientToken", json_string("has space"));
  call_err("CheckpointDurableExecution", req, "InvalidParameterValueException", "clientToken");
  json_decref(first);
  json_decref(again);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_durable");
  TCase *tc = tcase_create("config");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, durable_config_in_configuration);
  tcase_add_test(tc, durable_config_refusals);
  suite_add_tcase(su, tc);
  tc = tcase_create("executions");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, step_then_wait_replays);
  tcase_add_test(tc, sync_invoke_answers_the_result);
  tcase_add_test(tc, retried_step_runs_again_after_its_delay);
  tcase_add_test(tc, callback_completed_from_outside);
  tcase_add_test(tc, callback_failure_fails_the_execution);
  tcase_add_test(tc, callback_times_out);
  tcase_add_test(tc, stop_ends_the_execution);
  tcase_add_test(tc, execution_timeout_then_retention);
  tcase_add_test(tc, invocation_outcomes);
  tcase_add_test(tc, idempotent_start_by_name);
  tcase_add_test(tc, completed_contexts_hide_their_children);
  tcase_add_test(tc, other_async_invokers_start_executions);
  tcase_add_test(tc, sync_invoke_waits_on_a_real_clock);
  tcase_add_test(tc, versions_and_aliases_run_their_version);
  tcase_add_test(tc, size_limits);
  tcase_add_test(tc, chained_invokes);
  suite_add_tcase(su, tc);
  tc = tcase_create("reads");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, list_filters_and_pages);
  tcase_add_test(tc, state_and_history_pages);
  tcase_add_test(tc, checkpoint_refusals_change_nothing);
  tcase_add_test(tc, execution_fails_through_its_checkpoint);
  tcase_add_test(tc, client_token_retries_answer_again);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
