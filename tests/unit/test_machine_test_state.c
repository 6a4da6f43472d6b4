/* TestState as AWS's API reference documents it and as LocalStack recorded
 * it against AWS (tests/aws/services/stepfunctions/v2/test_state/): one
 * state runs on its own; the answer holds its status (SUCCEEDED, FAILED,
 * RETRIABLE, CAUGHT_ERROR), output, error and cause, the state it would go
 * to, and above INFO the data at each step of its data flow; mocks stand
 * for a Task's, Map's or Parallel's outcome; nothing it runs is listed or
 * left behind. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::123456789012:role/sfn"
#define FN "arn:aws:lambda:us-east-1:000000000000:function:fn"

static aev_broker *b;
static int calls;

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  (void)event;
  (void)len;
  calls++;
  aev_invocation_succeed(ctx, "\"HelloWorld!\"", 13);
}

static void setup(void) {
  b = aev_test_manual_broker(7);
  calls = 0;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, NULL), AEV_OK);
}

static void teardown(void) { aev_broker_destroy(b); }

/* A request for definition def, written with ' for " (JSON text). */
static json_t *req_of(const char *def) {
  char *d = strdup(def);
  for (char *p = d; *p; p++)
    if (*p == '\'') *p = '"';
  json_t *r = json_pack("{s:s}", "definition", d);
  free(d);
  return r;
}

/* Adds member k: v (stolen) to r, which is returned. */
static json_t *with(json_t *r, const char *k, json_t *v) {
  json_object_set_new(r, k, v);
  return r;
}

static json_t *with_text(json_t *r, const char *k, const char *v) { return with(r, k, json_string(v)); }

static json_t *test_state(json_t *req) { return aev_test_call_req(b, "states", "TestState", req, AEV_OK); }

static void refused(json_t *req, const char *code, const char *msg) {
  aev_test_call_req_fails(b, "states", "TestState", req, AEV_ERR_INVALID, code, msg);
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Member k of the answer's inspectionData, parsed from its JSON text. */
static json_t *seen(json_t *answer, const char *k) {
  const char *t = str(json_object_get(answer, "inspectionData"), k);
  ck_assert_msg(t != NULL, "no inspectionData.%s", k);
  json_t *v = json_loads(t, JSON_DECODE_ANY, NULL);
  ck_assert_ptr_nonnull(v);
  return v;
}

static void seen_is(json_t *answer, const char *k, const char *want) {
  json_t *v = seen(answer, k), *w = json_loads(want, JSON_DECODE_ANY, NULL);
  ck_assert_msg(json_equal(v, w), "inspectionData.%s is %s", k, str(json_object_get(answer, "inspectionData"), k));
  json_decref(v);
  json_decref(w);
}

static void output_is(json_t *answer, const char *want) {
  json_t *v = json_loads(str(answer, "output"), JSON_DECODE_ANY, NULL), *w = json_loads(want, JSON_DECODE_ANY, NULL);
  ck_assert_msg(json_equal(v, w), "output is %s", str(answer, "output"));
  json_decref(v);
  json_decref(w);
}

/* The inspectionData members, sorted and joined by commas. */
static void members_are(json_t *answer, const char *want) {
  json_t *d = json_object_get(answer, "inspectionData");
  char got[512] = "";
  const char *keys[32];
  size_t n = 0;
  const char *k;
  json_t *v;
  json_object_foreach(d, k, v) keys[n++] = k;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (strcmp(keys[j], keys[i]) < 0) {
        const char *t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
      }
  for (size_t i = 0; i < n; i++) snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "", keys[i]);
  ck_assert_str_eq(got, want);
}

#define IO_PASS                                                                                   \
  "{'Type':'Pass','InputPath':'$.initialData','Parameters':{'staticValue':'some value',"         \
  "'inputValue.$':'$.fieldFromInput'},'ResultPath':'$.modifiedData','End':true}"
#define IO_INPUT                                                                                  \
  "{\"initialData\":{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"},"        \
  "\"unrelatedData\":{\"someOtherField\":1234}}"

START_TEST(pass_data_flow_at_debug) {
  json_t *a = test_state(with_text(with_text(with_text(req_of(IO_PASS), "input", IO_INPUT), "roleArn", ROLE),
                                   "inspectionLevel", "DEBUG"));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  ck_assert_ptr_null(json_object_get(a, "nextState"));
  seen_is(a, "input", IO_INPUT);
  seen_is(a, "afterInputPath", "{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"}");
  seen_is(a, "afterParameters", "{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}");
  seen_is(a, "afterResultSelector", "{\"staticValue\":\"some value\",\"inputValue\":\"value from input\"}");
  const char *combined =
      "{\"initialData\":{\"fieldFromInput\":\"value from input\",\"otherField\":\"other\"},"
      "\"unrelatedData\":{\"someOtherField\":1234},\"modifiedData\":{\"staticValue\":\"some value\","
      "\"inputValue\":\"value from input\"}}";
  seen_is(a, "afterResultPath", combined);
  members_are(a, "afterInputPath,afterParameters,afterResultPath,afterResultSelector,input");
  output_is(a, combined);
  json_decref(a);
  /* INFO, the default: the output and status alone. */
  a = test_state(with_text(req_of(IO_PASS), "input", IO_INPUT));
  ck_assert_ptr_null(json_object_get(a, "inspectionData"));
  output_is(a, combined);
  json_decref(a);
}
END_TEST

START_TEST(pass_result_shows_no_input_steps) {
  json_t *a = test_state(with_text(with_text(req_of("{'Type':'Pass','Result':{'resultKey':'result value'},'End':true}"),
                                             "input", "{\"Value\":\"HelloWorld\"}"),
                                   "inspectionLevel", "TRACE"));
  members_are(a, "afterResultPath,afterResultSelector,input,result");
  seen_is(a, "result", "{\"resultKey\":\"result value\"}");
  output_is(a, "{\"resultKey\":\"result value\"}");
  json_decref(a);
}
END_TEST

#define CHOICE                                                                                    \
  "{'Type':'Choice','Choices':[{'Not':{'Variable':'$.type','StringEquals':'Private'},'Next':'Public'}," \
  "{'Variable':'$.value','NumericEquals':0,'Next':'ValueIsZero'},{'And':[{'Variable':'$.value',"  \
  "'NumericGreaterThanEquals':20},{'Variable':'$.value','NumericLessThan':30}],"                  \
  "'Next':'ValueInTwenties'}]%s}"

START_TEST(choice_names_the_next_state) {
  char def[1024];
  snprintf(def, sizeof def, CHOICE, ",'Default':'DefaultState'");
  json_t *a = test_state(with_text(with_text(req_of(def), "input", "{\"type\":\"Private\",\"value\":22}"),
                                   "inspectionLevel", "DEBUG"));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  ck_assert_str_eq(str(a, "nextState"), "ValueInTwenties");
  output_is(a, "{\"type\":\"Private\",\"value\":22}");
  members_are(a, "afterInputPath,input");
  json_decref(a);
  a = test_state(with_text(req_of(def), "input", "{\"type\":\"Private\",\"value\":5}"));
  ck_assert_str_eq(str(a, "nextState"), "DefaultState");
  json_decref(a);
  snprintf(def, sizeof def, CHOICE, "");
  a = test_state(with_text(req_of(def), "input", "{\"type\":\"Private\",\"value\":5}"));
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "States.NoChoiceMatched");
  ck_assert_ptr_null(json_object_get(a, "nextState"));
  ck_assert_ptr_null(json_object_get(a, "output"));
  json_decref(a);
  /* JSONata: a Condition. */
  const char *ja = "{'QueryLanguage':'JSONata','Type':'Choice','Choices':[{'Condition':'{% $states.input.cost < 10 %}',"
                   "'Next':'Purchase Approved'}],'Default':'Ask for Approval'}";
  a = test_state(with_text(with_text(req_of(ja), "input", "{\"cost\":9}"), "inspectionLevel", "DEBUG"));
  ck_assert_str_eq(str(a, "nextState"), "Purchase Approved");
  members_are(a, "input");
  json_decref(a);
  a = test_state(with_text(req_of(ja), "input", "{\"cost\":10}"));
  ck_assert_str_eq(str(a, "nextState"), "Ask for Approval");
  json_decref(a);
}
END_TEST

START_TEST(succeed_and_fail) {
  json_t *a = test_state(with_text(with_text(req_of("{'Type':'Succeed'}"), "input", "{\"Value\":\"HelloWorld\"}"),
                                   "inspectionLevel", "DEBUG"));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  output_is(a, "{\"Value\":\"HelloWorld\"}");
  ck_assert_ptr_null(json_object_get(a, "nextState"));
  members_are(a, "afterInputPath,input");
  json_decref(a);
  a = test_state(req_of("{'Type':'Fail','Error':'SomeFailure','Cause':'This state machines raises a failure.'}"));
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "SomeFailure");
  ck_assert_str_eq(str(a, "cause"), "This state machines raises a failure.");
  ck_assert_ptr_null(json_object_get(a, "output"));
  ck_assert_ptr_null(json_object_get(a, "inspectionData"));
  json_decref(a);
}
END_TEST

START_TEST(wait_runs_on_the_broker_clock) {
  int64_t t0 = aev_broker_now_ms(b);
  json_t *a = test_state(with_text(req_of("{'Type':'Wait','Seconds':10,'Next':'After'}"), "input", "{\"a\":1}"));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  ck_assert_str_eq(str(a, "nextState"), "After");
  output_is(a, "{\"a\":1}");
  ck_assert_int_eq(aev_broker_now_ms(b) - t0, 10000);
  json_decref(a);
  /* AWS's TestState runs for five minutes at most. */
  a = test_state(req_of("{'Type':'Wait','Seconds':1000,'End':true}"));
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "States.Timeout");
  ck_assert_int_eq(aev_broker_now_ms(b) - t0, 10000 + 300000);
  json_decref(a);
}
END_TEST

START_TEST(task_calls_its_resource) {
  json_t *a = test_state(with_text(with_text(with_text(req_of("{'Type':'Task','Resource':'" FN "','End':true}"), "input",
                                                       "{\"inputData\":\"HelloWorld\"}"),
                                             "roleArn", ROLE),
                                   "inspectionLevel", "TRACE"));
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  ck_assert_str_eq(str(a, "output"), "\"HelloWorld!\"");
  members_are(a, "afterInputPath,afterParameters,afterResultPath,afterResultSelector,input,result");
  seen_is(a, "afterParameters", "{\"inputData\":\"HelloWorld\"}");
  seen_is(a, "result", "\"HelloWorld!\"");
  json_decref(a);
  /* Without a mock, a Task needs the role it would run as. */
  refused(req_of("{'Type':'Task','Resource':'" FN "','End':true}"), "ValidationException",
          "RoleArn must be specified when testing a Task state");
  refused(with_text(req_of("{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage.waitForTaskToken','End':true}"),
                    "roleArn", ROLE),
          "InvalidDefinition", NULL);
  ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(mocks_stand_for_the_call) {
  /* A mocked result goes through ResultSelector, which reads the context
   * object given (as is: no State added). */
  json_t *r = req_of("{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','Parameters':{'FunctionName.$':"
                     "'$.FunctionName','Payload':{'Input.$':'$'}},'ResultSelector':{'LambdaOutput.$':'$',"
                     "'ContextObjectValue.$':'$$'},'End':true}");
  r = with(r, "mock", json_pack("{s:s}", "result", "{\"Payload\":1}"));
  r = with_text(with_text(r, "context", "{\"Execution\":{\"Id\":\"x\"}}"), "input", "{\"FunctionName\":\"fn\"}");
  json_t *a = test_state(with_text(r, "inspectionLevel", "DEBUG"));
  ck_assert_int_eq(calls, 0);
  output_is(a, "{\"LambdaOutput\":{\"Payload\":1},\"ContextObjectValue\":{\"Execution\":{\"Id\":\"x\"}}}");
  seen_is(a, "result", "{\"Payload\":1}");
  seen_is(a, "afterParameters", "{\"FunctionName\":\"fn\",\"Payload\":{\"Input\":{\"FunctionName\":\"fn\"}}}");
  json_decref(a);
  /* A callback Task runs with a mock, which is its callback's result. */
  r = req_of("{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage.waitForTaskToken','Parameters':"
             "{'QueueUrl':'q','MessageBody.$':'$$.Task.Token'},'ResultPath':'$.SQS','Next':'NEXT_STATE'}");
  a = test_state(with(r, "mock", json_pack("{s:s}", "result", "{\"ok\":true}")));
  ck_assert_str_eq(str(a, "nextState"), "NEXT_STATE");
  output_is(a, "{\"SQS\":{\"ok\":true}}");
  json_decref(a);
  /* A mocked error fails the state. */
  r = with(req_of("{'Type':'Task','Resource':'" FN "','End':true}"), "mock",
           json_pack("{s:{s:s,s:s}}", "errorOutput", "error", "MockException", "cause", "Mock the cause"));
  a = test_state(r);
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "MockException");
  ck_assert_str_eq(str(a, "cause"), "Mock the cause");
  ck_assert_int_eq(calls, 0);
  json_decref(a);
}
END_TEST

#define RETRY_TASK                                                                                \
  "{'QueryLanguage':'JSONata','Type':'Task','Resource':'arn:aws:states:::lambda:invoke','Arguments':" \
  "{'FunctionName':'foo','Payload':'bar'},'Retry':[{'ErrorEquals':['Other']},{'ErrorEquals':"      \
  "['MockException'],'IntervalSeconds':1,'MaxAttempts':5,'BackoffRate':2.0%s}],'End':true}"

static json_t *retry_req(const char *extra, int count) {
  char def[1024];
  snprintf(def, sizeof def, RETRY_TASK, extra);
  json_t *r = with(req_of(def), "mock",
                   json_pack("{s:{s:s,s:s}}", "errorOutput", "error", "MockException", "cause", "Mock the cause of the error."));
  r = with(r, "stateConfiguration", json_pack("{s:i}", "retrierRetryCount", count));
  return with_text(with_text(r, "inspectionLevel", "DEBUG"), "input", "{\"Values\":[\"first\"]}");
}

START_TEST(retry_answers_retriable) {
  json_t *a = test_state(retry_req("", 4));
  ck_assert_str_eq(str(a, "status"), "RETRIABLE");
  ck_assert_str_eq(str(a, "error"), "MockException");
  ck_assert_str_eq(str(a, "cause"), "Mock the cause of the error.");
  ck_assert_ptr_null(json_object_get(a, "output"));
  json_t *d = json_object_get(json_object_get(a, "inspectionData"), "errorDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "retryIndex")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "retryBackoffIntervalSeconds")), 16);
  members_are(a, "afterArguments,errorDetails,input");
  seen_is(a, "afterArguments", "{\"FunctionName\":\"foo\",\"Payload\":\"bar\"}");
  json_decref(a);
  /* MaxDelaySeconds caps the backoff. */
  a = test_state(retry_req(",'MaxDelaySeconds':3", 4));
  d = json_object_get(json_object_get(a, "inspectionData"), "errorDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "retryBackoffIntervalSeconds")), 3);
  json_decref(a);
  /* Attempts used up: the error goes on (here, to fail the state). */
  a = test_state(retry_req("", 5));
  ck_assert_str_eq(str(a, "status"), "FAILED");
  d = json_object_get(json_object_get(a, "inspectionData"), "errorDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "retryIndex")), 1);
  ck_assert_ptr_null(json_object_get(d, "retryBackoffIntervalSeconds"));
  json_decref(a);
}
END_TEST

START_TEST(catch_answers_caught_error) {
  const char *ja = "{'QueryLanguage':'JSONata','Type':'Task','Resource':'arn:aws:states:::lambda:invoke','Arguments':"
                   "{'FunctionName':'foo','Payload':'bar'},'Catch':[{'ErrorEquals':['MockException'],'Output':"
                   "'{% $states %}','Next':'HandleMockError'},{'ErrorEquals':['States.TaskFailed'],'Output':"
                   "'{% $states.errorOutput %}','Next':'HandleThreshold'}],'End':true}";
  json_t *r = with(req_of(ja), "mock",
                   json_pack("{s:{s:s,s:s}}", "errorOutput", "error", "States.TaskFailed", "cause", "Mock the cause."));
  json_t *a = test_state(with_text(with_text(r, "inspectionLevel", "DEBUG"), "input", "{\"Value\":\"HelloWorld\"}"));
  ck_assert_str_eq(str(a, "status"), "CAUGHT_ERROR");
  ck_assert_str_eq(str(a, "error"), "States.TaskFailed");
  ck_assert_str_eq(str(a, "cause"), "Mock the cause.");
  ck_assert_str_eq(str(a, "nextState"), "HandleThreshold");
  output_is(a, "{\"Error\":\"States.TaskFailed\",\"Cause\":\"Mock the cause.\"}");
  json_t *d = json_object_get(json_object_get(a, "inspectionData"), "errorDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "catchIndex")), 0 + 1);
  json_decref(a);
  /* JSONPath: the catcher's ResultPath puts the error into the input. */
  r = with(req_of("{'Type':'Task','Resource':'" FN "','Catch':[{'ErrorEquals':['States.ALL'],"
                  "'ResultPath':'$.err','Next':'Recover'}],'End':true}"),
           "mock", json_pack("{s:{s:s}}", "errorOutput", "error", "Boom"));
  a = test_state(with_text(r, "input", "{\"k\":1}"));
  ck_assert_str_eq(str(a, "status"), "CAUGHT_ERROR");
  ck_assert_str_eq(str(a, "nextState"), "Recover");
  output_is(a, "{\"k\":1,\"err\":{\"Error\":\"Boom\",\"Cause\":\"\"}}");
  json_decref(a);
}
END_TEST

#define MAP "{'Type':'Map','ItemsPath':'$.items','ItemProcessor':{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}%s,'End':true}"

static json_t *map_req(const char *extra, const char *mock, int failures) {
  char def[1024];
  snprintf(def, sizeof def, MAP, extra);
  json_t *r = with(req_of(def), "mock", json_pack("{s:s}", "result", mock));
  if (failures >= 0) r = with(r, "stateConfiguration", json_pack("{s:i}", "mapIterationFailureCount", failures));
  return with_text(with_text(r, "input", "{\"items\":[1,2,3]}"), "inspectionLevel", "DEBUG");
}

/* A Distributed Map's ItemReader reads no S3 under TestState: the
 * stateConfiguration's mapItemReaderData is the object's text, read as its
 * ReaderConfig says; unreadable, the state fails as the reader would. */
START_TEST(map_item_reader_data) {
  const char *def = "{'Type':'Map','ItemReader':{'Resource':'arn:aws:states:::s3:getObject','ReaderConfig':"
                    "{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW','MaxItems':2},'Parameters':{'Bucket':'b',"
                    "'Key':'k.csv'}},'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':"
                    "'STANDARD'},'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},'End':true}";
  json_t *r = with(req_of(def), "mock", json_pack("{s:s}", "result", "[1,2]"));
  r = with(r, "stateConfiguration", json_pack("{s:s}", "mapItemReaderData", "a,b\n1,2\n3,4\n5,6\n"));
  json_t *a = test_state(with_text(r, "inspectionLevel", "DEBUG"));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  output_is(a, "[1,2]");
  seen_is(a, "afterItemsPath", "[{\"a\":\"1\",\"b\":\"2\"},{\"a\":\"3\",\"b\":\"4\"}]");
  json_decref(a);
  r = with(req_of(def), "mock", json_pack("{s:s}", "result", "[1,2]"));
  r = with(r, "stateConfiguration", json_pack("{s:s}", "mapItemReaderData", "a,a\n1,2\n"));
  a = test_state(r);
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "States.ItemReaderFailed");
  ck_assert_str_eq(str(a, "cause"), "CSV headers cannot contain duplicates.");
  json_decref(a);
}
END_TEST

START_TEST(map_and_parallel_run_on_a_mock) {
  json_t *a = test_state(map_req("", "[0,0,1]", -1));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  output_is(a, "[0,0,1]");
  seen_is(a, "afterItemsPath", "[1,2,3]");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "inspectionData"), "maxConcurrency")), 0);
  ck_assert_ptr_null(json_object_get(json_object_get(a, "inspectionData"), "toleratedFailureCount"));
  json_decref(a);
  /* Failed iterations past the tolerance fail the Map; without one they
   * do not (as recorded). */
  a = test_state(map_req(",'ToleratedFailureCount':1", "[0,0,1]", 2));
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "States.ExceedToleratedFailureThreshold");
  ck_assert_str_eq(str(a, "cause"), "The specified tolerated failure threshold was exceeded");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "inspectionData"), "toleratedFailureCount")), 1);
  json_decref(a);
  a = test_state(map_req(",'ToleratedFailureCount':1", "[0,0,1]", 1));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  json_decref(a);
  a = test_state(map_req("", "[0,0,1]", 2));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  json_decref(a);
  /* JSONata, as recorded (base_map_state_retry): the threshold error
   * meets the second retrier. */
  json_t *r = req_of("{'QueryLanguage':'JSONata','Type':'Map','Items':'{% $states.input.Values %}','ItemProcessor':"
                     "{'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'STANDARD'},'StartAt':'P','States':"
                     "{'P':{'Type':'Pass','End':true}}},'ToleratedFailureCount':1,'Retry':[{'ErrorEquals':"
                     "['MockException'],'MaxAttempts':3},{'ErrorEquals':['States.ExceedToleratedFailureThreshold'],"
                     "'MaxAttempts':2}],'End':true}");
  r = with(with(r, "mock", json_pack("{s:s}", "result", "[0, 0, 1]")), "stateConfiguration",
           json_pack("{s:i}", "mapIterationFailureCount", 2));
  a = test_state(with_text(with_text(r, "input", "{\"Values\":[1,2,3]}"), "inspectionLevel", "DEBUG"));
  ck_assert_str_eq(str(a, "status"), "RETRIABLE");
  ck_assert_str_eq(str(a, "error"), "States.ExceedToleratedFailureThreshold");
  members_are(a, "errorDetails,input,maxConcurrency,toleratedFailureCount");
  json_t *d = json_object_get(json_object_get(a, "inspectionData"), "errorDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "retryIndex")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "retryBackoffIntervalSeconds")), 1);
  json_decref(a);
  refused(map_req("", "{\"a\":1}", -1), "ValidationException", "Mocked result must be an array.");
  char def[1024];
  snprintf(def, sizeof def, MAP, "");
  refused(req_of(def), "InvalidDefinition",
          "TestState API does not support Map or Parallel states. Supported state types include: [Task, "
          "Wait, Pass, Succeed, Fail, Choice]");
  /* Parallel: a mocked error, caught. */
  r = req_of("{'Type':'Parallel','Branches':[{'StartAt':'A','States':{'A':{'Type':'Pass','End':true}}}],"
                     "'Catch':[{'ErrorEquals':['States.BranchFailed'],'Next':'Handle'}],'End':true}");
  a = test_state(with(r, "mock", json_pack("{s:{s:s,s:s}}", "errorOutput", "error", "States.BranchFailed", "cause", "c")));
  ck_assert_str_eq(str(a, "status"), "CAUGHT_ERROR");
  ck_assert_str_eq(str(a, "nextState"), "Handle");
  json_decref(a);
  r = req_of("{'Type':'Parallel','Branches':[{'StartAt':'A','States':{'A':{'Type':'Pass','End':true}}}],'Next':'N'}");
  a = test_state(with(r, "mock", json_pack("{s:s}", "result", "[{\"x\":1}]")));
  output_is(a, "[{\"x\":1}]");
  ck_assert_str_eq(str(a, "nextState"), "N");
  json_decref(a);
}
END_TEST

START_TEST(variables_and_state_name) {
  const char *m = "{'QueryLanguage':'JSONata','StartAt':'State0','States':{'State0':{'Type':'Pass','Assign':{'x':"
                  "'{% $var_constant_1 + 1 %}'},'Output':{'ja_var_access':'{% $var_input_value %}','ja_expr':"
                  "'{% $sum($states.input.input_values) + $var_constant_1 %}','ctx':'{% $states.context %}'},"
                  "'Next':'State1'},'State1':{'Type':'Succeed'}}}";
  json_t *r = with_text(with_text(req_of(m), "stateName", "State0"), "input", "{\"input_values\":[1,2,3]}");
  r = with_text(r, "variables", "{\"var_input_value\":\"test_value\",\"var_constant_1\":10}");
  json_t *a = test_state(with_text(r, "inspectionLevel", "TRACE"));
  ck_assert_str_eq(str(a, "nextState"), "State1");
  seen_is(a, "variables", "{\"var_input_value\":\"test_value\",\"var_constant_1\":10,\"x\":11}");
  json_t *out = json_loads(str(a, "output"), 0, NULL), *ctx = json_object_get(out, "ctx");
  ck_assert_str_eq(json_string_value(json_object_get(out, "ja_var_access")), "test_value");
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ja_expr")), 16);
  /* The default context object, as AWS's was recorded. */
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ctx, "State"), "Name")), "StateName");
  ck_assert(json_is_null(json_object_get(json_object_get(ctx, "Execution"), "RoleArn")));
  ck_assert(strstr(json_string_value(json_object_get(json_object_get(ctx, "Execution"), "Id")), ":express:"));
  json_decref(out);
  json_decref(a);
  /* A state inside a Map's processor. */
  const char *nested = "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{'StartAt':'HandleItem','States':"
                       "{'HandleItem':{'Type':'Pass','Parameters':{'v.$':'$'},'Next':'Done'},'Done':{'Type':'Succeed'}}},"
                       "'End':true}}}";
  a = test_state(with_text(with_text(req_of(nested), "stateName", "HandleItem"), "input", "7"));
  output_is(a, "{\"v\":7}");
  ck_assert_str_eq(str(a, "nextState"), "Done");
  json_decref(a);
  refused(with_text(req_of(nested), "stateName", "invalid"), "ValidationException", "State not found in definition");
  refused(with_text(req_of("{'StartAt':'S','States':{'S':{'Type':'TypeThatDoesNotExist','End':true}}}"), "stateName", "S"),
          "InvalidDefinition",
          "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these "
          "values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/S/Type'");
}
END_TEST

static json_t *mock_of(const char *resource, const char *result, const char *mode) {
  char def[256];
  snprintf(def, sizeof def, "{'Type':'Task','Resource':'arn:aws:states:::%s','End':true}", resource);
  json_t *m = json_pack("{s:s}", "result", result);
  if (mode) json_object_set_new(m, "fieldValidationMode", json_string(mode));
  return with(req_of(def), "mock", m);
}

static void schema_refuses(const char *resource, const char *result, const char *mode, const char *msg) {
  char full[256];
  snprintf(full, sizeof full, "Mock result schema validation error: %s", msg);
  refused(mock_of(resource, result, mode), "ValidationException", full);
}

static void schema_passes(const char *resource, const char *result, const char *mode) {
  json_t *a = test_state(mock_of(resource, result, mode));
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  output_is(a, result);
  json_decref(a);
}

/* fieldValidationMode, AWS's answers as recorded
 * (test_field_validation_mode.snapshot.json). */
START_TEST(mock_results_fit_the_api) {
  schema_refuses("events:putEvents", "{\"Entries\":\"a list\"}", NULL, "Field 'Entries' must be an array");
  schema_refuses("events:putEvents", "{\"Entries\":[{\"EventId\":\"ok\"},{\"EventId\":[\"x\"]}]}", "STRICT",
                 "Field 'EventId' must be a string");
  schema_refuses("states:startExecution", "{}", NULL, "Required field 'ExecutionArn' is missing");
  schema_refuses("states:startExecution", "{\"executionArn\":\"a\",\"startDate\":\"b\"}", NULL,
                 "Required field 'ExecutionArn' is missing");
  schema_refuses("states:startExecution", "{\"ExecutionArn\":\"a\",\"StartDate\":1764103483}", NULL,
                 "Field 'StartDate' must be a string");
  schema_refuses("lambda:invoke", "{\"StatusCode\":\"200\"}", NULL, "Field 'StatusCode' must be a number");
  schema_refuses("states:startExecution.sync:2",
                 "{\"ExecutionArn\":\"a\",\"StateMachineArn\":\"m\",\"Status\":\"DONE\",\"StartDate\":\"d\"}",
                 NULL, "Field 'Status' is not an expected value");
  schema_refuses("states:startExecution", "{\"ExecutionArn\":\"\",\"StartDate\":\"d\"}", "PRESENT",
                 "Field 'ExecutionArn' is smaller than the minimum length");
  /* Members outside the API's shape pass; PRESENT checks only what is
   * there; NONE checks nothing; a callback's result has no shape. */
  schema_passes("events:putEvents", "{\"random\":\"json\"}", NULL);
  schema_passes("events:putEvents", "{}", NULL);
  schema_passes("states:startExecution", "{\"executionArn\":\"a\"}", "PRESENT");
  schema_passes("states:startExecution", "{\"StartDate\":true}", "NONE");
  schema_passes("sqs:sendMessage.waitForTaskToken", "{\"StatusCode\":\"x\"}", NULL);
  /* AWS SDK integrations: the same API responses */
  schema_refuses("aws-sdk:sfn:startExecution", "{}", NULL, "Required field 'ExecutionArn' is missing");
  schema_refuses("aws-sdk:sqs:sendMessage", "{\"MessageId\":1}", NULL, "Field 'MessageId' must be a string");
  schema_refuses("aws-sdk:sfn:describeExecution", "{\"ExecutionArn\":\"a\"}", "STRICT",
                 "Required field 'StateMachineArn' is missing");
  schema_passes("aws-sdk:sqs:sendMessage.waitForTaskToken", "{\"MessageId\":1}", NULL);
  schema_passes("aws-sdk:sqs:listQueues", "{\"QueueUrls\":1}", NULL);
}
END_TEST

START_TEST(bad_requests_are_refused) {
  const char *pass = "{'Type':'Pass','End':true}", *task = "{'Type':'Task','Resource':'" FN "','End':true}";
  refused(with_text(req_of(pass), "inspectionLevel", "LOUD"), "ValidationException",
          "1 validation error detected: Value 'LOUD' at 'inspectionLevel' failed to satisfy constraint: Member must "
          "satisfy enum value set: [INFO, DEBUG, TRACE]");
  refused(with_text(req_of(pass), "roleArn", "nope"), "InvalidArn", "Invalid Role Arn: 'nope'");
  refused(with_text(req_of(pass), "input", "{nope"), "InvalidExecutionInput", NULL);
  refused(req_of("{nope"), "InvalidDefinition", NULL);
  refused(with_text(req_of(pass), "variables", "[1]"), "ValidationException", "The variables must be a JSON object.");
  refused(with(req_of(pass), "mock", json_pack("{s:s}", "result", "1")), "ValidationException",
          "State type 'Pass' is not supported when a mock is specified");
  refused(with(req_of(task), "mock", json_pack("{s:s,s:{s:s}}", "result", "1", "errorOutput", "error", "E")),
          "ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].");
  refused(with(with(req_of(task), "mock", json_pack("{s:s}", "result", "1")), "revealSecrets", json_true()),
          "ValidationException", "TestState does not support RevealSecrets when a mock is specified.");
  refused(with(req_of(task), "mock", json_pack("{s:s}", "result", "{not json")), "ValidationException",
          "Mocked result must be valid JSON");
  refused(with(req_of(task), "mock", json_pack("{s:s,s:s}", "result", "1", "fieldValidationMode", "LAX")),
          "ValidationException", NULL);
  json_t *r = with(req_of(task), "mock", json_pack("{s:s}", "result", "1"));
  refused(with_text(r, "context", "{\"Map\":{}}"), "ValidationException",
          "Invalid Context object provided: 'Map' field is not supported when mocking a Context object");
  r = with(req_of(task), "mock", json_pack("{s:s}", "result", "1"));
  refused(with_text(r, "context", "{\"Execution\":{\"pokemon\":1}}"), "ValidationException",
          "Invalid Context object provided: Field 'pokemon' is not allowed");
  r = with(req_of(task), "mock", json_pack("{s:s}", "result", "1"));
  refused(with_text(r, "context", "{\"Execution\":{\"Id\":1}}"), "ValidationException",
          "Invalid Context object provided: Execution.Id must be a string");
  r = with(req_of(task), "mock", json_pack("{s:s}", "result", "1"));
  refused(with_text(r, "context", "{\"Task\":{\"Token\":\"t\"}}"), "ValidationException", NULL);
  refused(with_text(with_text(req_of(task), "roleArn", ROLE), "context", "{}"), "ValidationException", NULL);
  ck_assert_int_eq(calls, 0);
  /* The C call: no request, or one that is no JSON object. */
  char *out = NULL;
  ck_assert_int_eq(aev_machine_test_state(b, "[1]", &out), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_machine_test_state(NULL, "{}", &out), AEV_ERR_INVALID);
  ck_assert_ptr_null(out);
}
END_TEST

START_TEST(nothing_is_left_behind) {
  json_t *a = test_state(with_text(req_of("{'Type':'Task','Resource':'" FN "','End':true}"), "roleArn", ROLE));
  json_decref(a);
  a = test_state(req_of("{'Type':'Pass','Next':'X'}"));
  json_decref(a);
  a = aev_test_call(b, "states", "ListStateMachines", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(a, "stateMachines")), 0);
  json_decref(a);
  char *out = NULL;
  ck_assert_int_eq(aev_machine_test_state(b, "{\"definition\":\"{\\\"Type\\\":\\\"Pass\\\",\\\"End\\\":true}\"}", &out),
                   AEV_OK);
  ck_assert_str_eq(out, "{\"status\":\"SUCCEEDED\",\"output\":\"{}\"}");
  aev_free(out);
}
END_TEST

int main(void) {
  Suite *s = suite_create("machine_test_state");
  TCase *t = tcase_create("core");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, pass_data_flow_at_debug);
  tcase_add_test(t, pass_result_shows_no_input_steps);
  tcase_add_test(t, choice_names_the_next_state);
  tcase_add_test(t, succeed_and_fail);
  tcase_add_test(t, wait_runs_on_the_broker_clock);
  tcase_add_test(t, task_calls_its_resource);
  tcase_add_test(t, mocks_stand_for_the_call);
  tcase_add_test(t, retry_answers_retriable);
  tcase_add_test(t, catch_answers_caught_error);
  tcase_add_test(t, map_and_parallel_run_on_a_mock);
  tcase_add_test(t, map_item_reader_data);
  tcase_add_test(t, variables_and_state_name);
  tcase_add_test(t, mock_results_fit_the_api);
  tcase_add_test(t, bad_requests_are_refused);
  tcase_add_test(t, nothing_is_left_behind);
  suite_add_tcase(s, t);
  return aev_test_run(s);
}
