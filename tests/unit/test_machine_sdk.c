/* Step Functions' AWS SDK integrations (arn:aws:states:::aws-sdk:SERVICE:
 * action) over this broker's own services, on a manual clock with
 * workers = 0: a call per service and its errors named as AWS's Java SDK
 * v2 names them, caught and retried by name; the history's events; the
 * definition's validation; JSONata Arguments; .waitForTaskToken. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/function.h"
#include "awsevents/machine.h"
#include "awsevents/queue.h"
#include "machine_support.h"

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(11); }

static void teardown(void) { aev_broker_destroy(b); }

static const char *out_str(result *r, const char *key) {
  ck_assert_msg(r->status == AEV_EXECUTION_SUCCEEDED, "status %d: %s %s", r->status, error_of(r), cause_of(r));
  return json_string_value(json_object_get(r->output, key));
}

/* The cause, less its request id, is message followed by the Java SDK
 * v2's " (Service: NAME, Status Code: N, Request ID: <uuid>)". */
static void v2_cause_is(const char *cause, const char *message, const char *service, int status) {
  char want[1024];
  snprintf(want, sizeof want, "%s (Service: %s, Status Code: %d, Request ID: ", message, service, status);
  ck_assert_ptr_nonnull(cause);
  ck_assert_msg(!strncmp(cause, want, strlen(want)), "cause: %s", cause);
  ck_assert_uint_eq(strlen(cause), strlen(want) + 36 + 1);
  ck_assert_str_eq(cause + strlen(want) + 36, ")");
}

static json_t *event_of(result *r, const char *type, int n) {
  for (size_t i = 0; i < json_array_size(r->history); i++) {
    json_t *ev = json_array_get(r->history, i);
    if (!strcmp(json_string_value(json_object_get(ev, "type")), type) && n-- == 0) return ev;
  }
  return NULL;
}

static int count_events(result *r, const char *type) {
  int n = 0;
  while (event_of(r, type, n)) n++;
  return n;
}

/* A task at the state machine's start that catches every error into
 * $.err and ends. */
#define CAUGHT(resource, params)                                                                        \
  "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:" resource "',"    \
  "'Parameters':" params ",'Catch':[{'ErrorEquals':['States.ALL'],'ResultPath':'$.err','Next':'C'}]," \
  "'End':true},'C':{'Type':'Pass','OutputPath':'$.err','End':true}}}"

/* The error caught by CAUGHT (succeeded run), checked by name and cause. */
static void caught(result *r, const char *error, const char *message, const char *service, int status) {
  ck_assert_msg(r->status == AEV_EXECUTION_SUCCEEDED, "status %d: %s", r->status, error_of(r));
  ck_assert_str_eq(out_str(r, "Error"), error);
  v2_cause_is(out_str(r, "Cause"), message, service, status);
}

START_TEST(sqs_calls_and_errors) {
  result r = run_def(b, "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:createQueue',"
                 "'Parameters':{'QueueName':'q'},'ResultPath':'$.q','Next':'S'},"
                 "'S':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:sendMessage',"
                 "'Parameters':{'QueueUrl.$':'$.q.QueueUrl','MessageBody':'hello','MessageAttributes':{'bin':"
                 "{'DataType':'Binary','BinaryValue':'raw bytes'}}},'ResultPath':'$.sent','Next':'R'},"
                 "'R':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:receiveMessage',"
                 "'Parameters':{'QueueUrl.$':'$.q.QueueUrl','MessageAttributeNames':['All']},'End':true}}}",
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  json_t *msg = json_array_get(json_object_get(r.output, "Messages"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(msg, "Body")), "hello");
  json_t *attr = json_object_get(json_object_get(msg, "MessageAttributes"), "bin");
  ck_assert_str_eq(json_string_value(json_object_get(attr, "BinaryValue")), "raw bytes");
  /* the API's answer as it is: no SDK metadata beside it */
  ck_assert_ptr_null(json_object_get(r.output, "SdkHttpMetadata"));
  result_free(&r);
  /* a modeled error: Sqs.<code>Exception */
  r = run_def(b, CAUGHT("sqs:sendMessage", "{'QueueUrl':'https://sqs.us-east-1.amazonaws.com/000000000000/nope',"
                                    "'MessageBody':'x'}"),
          "{}");
  caught(&r, "Sqs.QueueDoesNotExistException", "The specified queue does not exist.", "Sqs", 400);
  result_free(&r);
  /* one of SQS's common errors, in no action's model: Sqs.SqsException */
  r = run_def(b, CAUGHT("sqs:sendMessage", "{'MessageBody':'x'}"), "{}");
  ck_assert_str_eq(out_str(&r, "Error"), "Sqs.SqsException");
  result_free(&r);
}
END_TEST

/* Retry and Catch match the SDK error by its name, and States.TaskFailed
 * takes it too; uncaught, it fails the execution with the same error. */
START_TEST(errors_retried_and_caught_by_name) {
  result r = run_def(b, "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:getQueueUrl',"
                 "'Parameters':{'QueueName':'nope'},'Retry':[{'ErrorEquals':['Sqs.QueueDoesNotExistException'],"
                 "'MaxAttempts':2,'IntervalSeconds':1}],'Catch':[{'ErrorEquals':['States.TaskFailed'],"
                 "'Next':'C'}],'End':true},'C':{'Type':'Pass','Result':'caught','End':true}}}",
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(r.output), "caught");
  ck_assert_int_eq(count_events(&r, "TaskFailed"), 3);
  result_free(&r);
  r = run_def(b, "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:getQueueUrl',"
          "'Parameters':{'QueueName':'nope'},'End':true}}}",
          "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "Sqs.QueueDoesNotExistException");
  v2_cause_is(cause_of(&r), "The specified queue does not exist.", "Sqs", 400);
  result_free(&r);
  /* States.TaskFailed takes no States.Timeout */
  r = run_def(b, "{'StartAt':'Q','States':{'Q':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:createQueue',"
          "'Parameters':{'QueueName':'cb'},'Next':'T'},'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:"
          "sendMessage.waitForTaskToken','TimeoutSeconds':1,'Parameters':{'QueueUrl.$':'$.QueueUrl',"
          "'MessageBody.$':'$$.Task.Token'},'Catch':[{'ErrorEquals':['States.TaskFailed'],'Next':'C'}],'End':true},"
          "'C':{'Type':'Pass','End':true}}}",
          "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "States.Timeout");
  result_free(&r);
}
END_TEST

START_TEST(sns_calls_and_errors) {
  result r = run_def(b, "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sns:createTopic',"
                 "'Parameters':{'Name':'t'},'Next':'P'},"
                 "'P':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sns:publish',"
                 "'Parameters':{'TopicArn.$':'$.TopicArn','Message':'m'},'End':true}}}",
                 "{}");
  ck_assert_ptr_nonnull(out_str(&r, "MessageId"));
  result_free(&r);
  /* NotFound answers 404 */
  r = run_def(b, CAUGHT("sns:publish", "{'TopicArn':'arn:aws:sns:us-east-1:000000000000:nope','Message':'m'}"), "{}");
  caught(&r, "Sns.NotFoundException", "Topic does not exist", "Sns", 404);
  result_free(&r);
}
END_TEST

START_TEST(eventbridge_calls_and_errors) {
  result r = run_def(b, CAUGHT("eventbridge:putEvents", "{'Entries':[{'Source':'s','DetailType':'d','Detail':'{}'}]}"),
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_int_eq((int)json_integer_value(json_object_get(r.output, "FailedEntryCount")), 0);
  result_free(&r);
  r = run_def(b, CAUGHT("eventbridge:describeEventBus", "{'Name':'nope'}"), "{}");
  ck_assert_str_eq(out_str(&r, "Error"), "EventBridge.ResourceNotFoundException");
  ck_assert_ptr_nonnull(strstr(out_str(&r, "Cause"), " (Service: EventBridge, Status Code: 400, Request ID: "));
  result_free(&r);
}
END_TEST

/* A workflow that schedules its own follow-up (aws-sdk:scheduler:
 * createSchedule, a common pattern): the schedule fires on the broker
 * clock; Scheduler's and Pipes' errors carry their REST statuses. */
START_TEST(scheduler_and_pipes_calls_and_errors) {
  aev_queue *q = NULL;
  ck_assert_int_eq(aev_queue_create(b, "later", NULL, &q), AEV_OK);
  result r = run_def(b, CAUGHT("scheduler:createSchedule",
                               "{'Name':'follow-up','ScheduleExpression':'rate(1 minute)',"
                               "'FlexibleTimeWindow':{'Mode':'OFF'},'Target':{'Arn.$':'$.queue',"
                               "'RoleArn':'arn:aws:iam::000000000000:role/r','Input':'wake up'}}"),
                     "{\"queue\":\"arn:aws:sqs:us-east-1:000000000000:later\"}");
  ck_assert_str_eq(out_str(&r, "ScheduleArn"), "arn:aws:scheduler:us-east-1:000000000000:schedule/default/follow-up");
  result_free(&r);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  aev_message *m[1];
  size_t n = 0, len;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(aev_message_body(m[0], &len), "wake up");
  aev_message_free(m[0]);
  aev_queue_release(q);
  r = run_def(b, CAUGHT("scheduler:getSchedule", "{'Name':'nope'}"), "{}");
  ck_assert_str_eq(out_str(&r, "Error"), "Scheduler.ResourceNotFoundException");
  ck_assert_ptr_nonnull(strstr(out_str(&r, "Cause"), " (Service: Scheduler, Status Code: 404, Request ID: "));
  result_free(&r);
  r = run_def(b, CAUGHT("pipes:describePipe", "{'Name':'nope'}"), "{}");
  ck_assert_str_eq(out_str(&r, "Error"), "Pipes.NotFoundException");
  ck_assert_ptr_nonnull(strstr(out_str(&r, "Cause"), " (Service: Pipes, Status Code: 404, Request ID: "));
  result_free(&r);
  r = run_def(b, CAUGHT("pipes:listPipes", "{}"), "{}");
  ck_assert_int_eq((int)json_array_size(json_object_get(r.output, "Pipes")), 0);
  result_free(&r);
}
END_TEST

static void echo(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  aev_invocation_succeed(ctx, event, len);
}

static void fails(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  (void)event;
  (void)len;
  aev_invocation_fail(ctx, "Oops", "it failed");
}

START_TEST(lambda_calls_and_errors) {
  aev_function *f = NULL;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, echo, NULL, NULL, &f), AEV_OK);
  aev_function_release(f);
  /* an object as Payload is sent as its JSON text; Invoke's answer keeps
   * Payload as text (no lambda:invoke parsing) */
  result r = run_def(b, CAUGHT("lambda:invoke", "{'FunctionName':'fn','Payload':{'a':1}}"), "{}");
  ck_assert_str_eq(out_str(&r, "Payload"), "{\"a\":1}");
  ck_assert_int_eq((int)json_integer_value(json_object_get(r.output, "StatusCode")), 200);
  result_free(&r);
  /* a function error is Invoke's answer, not the SDK's exception: the
   * task succeeds with FunctionError and the error object as Payload */
  ck_assert_int_eq(aev_function_create(b, "bad", NULL, fails, NULL, NULL, &f), AEV_OK);
  aev_function_release(f);
  r = run_def(b, CAUGHT("lambda:invoke", "{'FunctionName':'bad'}"), "{}");
  ck_assert_str_eq(out_str(&r, "FunctionError"), "Unhandled");
  json_t *payload = json_loads(out_str(&r, "Payload"), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(payload, "errorType")), "Oops");
  json_decref(payload);
  result_free(&r);
  r = run_def(b, CAUGHT("lambda:getFunction", "{'FunctionName':'nope'}"), "{}");
  ck_assert_str_eq(out_str(&r, "Error"), "Lambda.ResourceNotFoundException");
  ck_assert_ptr_nonnull(strstr(out_str(&r, "Cause"), " (Service: Lambda, Status Code: 404, Request ID: "));
  result_free(&r);
}
END_TEST

/* A blob is text to a task, any JSON given serialized, as Step Functions
 * reads and writes S3's Body (recorded test_s3_put_object,
 * test_s3_get_object); aev_call carries it as base64. */
START_TEST(kinesis_and_firehose_calls_and_errors) {
  result r = run_def(b, "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:kinesis:"
                 "createStream','Parameters':{'StreamName':'s','ShardCount':1},'Next':'P'},"
                 "'P':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:kinesis:putRecord',"
                 "'Parameters':{'StreamName':'s','Data':'hello','PartitionKey':'k'},'ResultPath':'$.one','Next':'B'},"
                 "'B':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:kinesis:putRecords',"
                 "'Parameters':{'StreamName':'s','Records':[{'Data':{'n':1},'PartitionKey':'k'}]},"
                 "'ResultPath':'$.two','Next':'I'},"
                 "'I':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:kinesis:getShardIterator',"
                 "'Parameters':{'StreamName':'s','ShardId':'shardId-000000000000','ShardIteratorType':'TRIM_HORIZON'},"
                 "'ResultPath':'$.it','Next':'G'},"
                 "'G':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:kinesis:getRecords',"
                 "'Parameters':{'ShardIterator.$':'$.it.ShardIterator'},'ResultSelector':{'r.$':'$.Records'},"
                 "'ResultPath':'$.got','End':true}}}",
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.output, "one"), "ShardId")),
                   "shardId-000000000000");
  json_t *got = json_object_get(json_object_get(r.output, "got"), "r");
  ck_assert_uint_eq(json_array_size(got), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 0), "Data")), "hello");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 1), "Data")), "{\"n\":1}");
  result_free(&r);
  /* the bytes stored are the text's */
  char *it = NULL, *recs = NULL;
  ck_assert_int_eq(aev_call(b, "kinesis", "GetShardIterator",
                            "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                            "\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                            &it),
                   AEV_OK);
  json_t *itv = json_loads(it, 0, NULL);
  char req[1024];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}", json_string_value(json_object_get(itv, "ShardIterator")));
  ck_assert_int_eq(aev_call(b, "kinesis", "GetRecords", req, &recs), AEV_OK);
  json_t *rv = json_loads(recs, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(rv, "Records"), 0), "Data")),
                   "aGVsbG8=");
  json_decref(rv);
  json_decref(itv);
  aev_free(it);
  aev_free(recs);
  r = run_def(b, CAUGHT("kinesis:describeStream", "{'StreamName':'nope'}"), "{}");
  caught(&r, "Kinesis.ResourceNotFoundException", "Stream nope under account 000000000000 not found.", "Kinesis",
         400);
  result_free(&r);
  r = run_def(b, CAUGHT("firehose:listDeliveryStreams", "{}"), "{}");
  ck_assert_ptr_nonnull(json_object_get(r.output, "DeliveryStreamNames"));
  result_free(&r);
  r = run_def(b, CAUGHT("firehose:describeDeliveryStream", "{'DeliveryStreamName':'nope'}"), "{}");
  ck_assert_str_eq(out_str(&r, "Error"), "Firehose.ResourceNotFoundException");
  result_free(&r);
}
END_TEST

/* sfn: members in PascalCase both ways, though Step Functions' own API
 * names them in camelCase; an object as Input is sent as its JSON text
 * (LocalStack's recorded test_sfn_start_execution_implicit_json_
 * serialisation); a bad token is Sfn.InvalidTokenException with AWS's
 * message, even when the output is not JSON (recorded
 * test_sfn_send_task_outcome_with_no_such_token). */
START_TEST(sfn_calls_and_errors) {
  char *child = dq("{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}");
  aev_machine *cm = NULL;
  ck_assert_int_eq(aev_machine_create(b, "child", child, strlen(child), AEV_MACHINE_STANDARD, &cm), AEV_OK);
  free(child);
  char def[2048];
  snprintf(def, sizeof def,
           "{'StartAt':'S','States':{'S':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sfn:startExecution',"
           "'Parameters':{'StateMachineArn':'%s','Input':{'k':'v'}},'Next':'W'},"
           "'W':{'Type':'Wait','Seconds':1,'Next':'D'},"
           "'D':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sfn:describeExecution',"
           "'Parameters':{'ExecutionArn.$':'$.ExecutionArn'},'End':true}}}",
           aev_machine_arn(cm));
  result r = run_def(b, def, "{}");
  ck_assert_str_eq(out_str(&r, "Status"), "SUCCEEDED");
  ck_assert_str_eq(out_str(&r, "Output"), "{\"k\":\"v\"}");
  ck_assert_ptr_nonnull(json_object_get(json_object_get(r.output, "InputDetails"), "Included"));
  ck_assert_ptr_null(json_object_get(r.output, "status"));
  json_t *started = json_object_get(event_of(&r, "TaskSucceeded", 0), "taskSucceededEventDetails");
  json_t *answer = json_loads(json_string_value(json_object_get(started, "output")), 0, NULL);
  ck_assert_ptr_nonnull(json_object_get(answer, "ExecutionArn"));
  ck_assert_ptr_nonnull(json_object_get(answer, "StartDate"));
  json_decref(answer);
  result_free(&r);
  aev_machine_release(cm);
  cm = NULL;
  /* StartSyncExecution: the task ends with the express execution's */
  child = dq("{'StartAt':'P','States':{'P':{'Type':'Pass','Result':{'done':true},'End':true}}}");
  ck_assert_int_eq(aev_machine_create(b, "express", child, strlen(child), AEV_MACHINE_EXPRESS, &cm), AEV_OK);
  free(child);
  snprintf(def, sizeof def, CAUGHT("sfn:startSyncExecution", "{'StateMachineArn':'%s','Input':{'k':1}}"),
           aev_machine_arn(cm));
  r = run_def(b, def, "{}");
  ck_assert_str_eq(out_str(&r, "Status"), "SUCCEEDED");
  ck_assert_str_eq(out_str(&r, "Output"), "{\"done\":true}");
  ck_assert_str_eq(out_str(&r, "Input"), "{\"k\":1}");
  ck_assert_ptr_nonnull(json_object_get(r.output, "BillingDetails"));
  result_free(&r);
  aev_machine_release(cm);
  /* of a STANDARD machine: Step Functions' own refusal */
  snprintf(def, sizeof def, CAUGHT("sfn:startSyncExecution", "{'StateMachineArn':'%s'}"),
           "arn:aws:states:us-east-1:000000000000:stateMachine:child");
  r = run_def(b, def, "{}");
  caught(&r, "Sfn.StateMachineTypeNotSupportedException", "This operation is not supported by this type of state machine",
         "Sfn", 400);
  result_free(&r);
  r = run_def(b, CAUGHT("sfn:sendTaskSuccess", "{'Output':'ParameterOutput','TaskToken':'NoSuchTaskToken'}"), "{}");
  caught(&r, "Sfn.InvalidTokenException", "Invalid Token: 'Invalid token'", "Sfn", 400);
  result_free(&r);
  r = run_def(b, CAUGHT("sfn:sendTaskFailure", "{'TaskToken':'NoSuchTaskToken'}"), "{}");
  caught(&r, "Sfn.InvalidTokenException", "Invalid Token: 'Invalid token'", "Sfn", 400);
  result_free(&r);
}
END_TEST

/* The events as recorded (test_aws_sdk_task_service, error_handling/
 * test_aws_sdk): resourceType "aws-sdk:SERVICE", resource the action, the
 * parameters and region when scheduled; TaskStarted names them too. */
START_TEST(history_shapes) {
  result r = run_def(b, CAUGHT("sqs:getQueueUrl", "{'QueueName':'nope'}"), "{}");
  json_t *d = json_object_get(event_of(&r, "TaskScheduled", 0), "taskScheduledEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resourceType")), "aws-sdk:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "getQueueUrl");
  ck_assert_str_eq(json_string_value(json_object_get(d, "region")), "us-east-1");
  ck_assert_str_eq(json_string_value(json_object_get(d, "parameters")), "{\"QueueName\":\"nope\"}");
  d = json_object_get(event_of(&r, "TaskStarted", 0), "taskStartedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resourceType")), "aws-sdk:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "getQueueUrl");
  d = json_object_get(event_of(&r, "TaskFailed", 0), "taskFailedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resourceType")), "aws-sdk:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "getQueueUrl");
  ck_assert_str_eq(json_string_value(json_object_get(d, "error")), "Sqs.QueueDoesNotExistException");
  ck_assert_ptr_nonnull(json_object_get(d, "cause"));
  result_free(&r);
  r = run_def(b, CAUGHT("sqs:listQueues", "{}"), "{}");
  d = json_object_get(event_of(&r, "TaskSucceeded", 0), "taskSucceededEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resourceType")), "aws-sdk:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "listQueues");
  ck_assert_str_eq(json_string_value(json_object_get(d, "output")), "{}");
  ck_assert_int_eq(json_is_false(json_object_get(json_object_get(d, "outputDetails"), "truncated")), 1);
  result_free(&r);
}
END_TEST

static void refused(const char *resource, const char *location) {
  char q[1024];
  snprintf(q, sizeof q, "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'%s','End':true}}}", resource);
  char *def = dq(q);
  char *t = NULL;
  ck_assert_int_eq(aev_machine_validate(def, strlen(def), AEV_MACHINE_STANDARD, &t), AEV_OK);
  json_t *v = json_loads(t, 0, NULL);
  json_t *d = json_array_get(json_object_get(v, "diagnostics"), 0);
  ck_assert_msg(!strcmp(json_string_value(json_object_get(v, "result")), "FAIL"), "%s", t);
  ck_assert_str_eq(json_string_value(json_object_get(d, "code")), "SCHEMA_VALIDATION_FAILED");
  ck_assert_str_eq(json_string_value(json_object_get(d, "location")), location);
  char want[1024];
  snprintf(want, sizeof want,
           "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is "
           "not available in this region.",
           resource);
  ck_assert_str_eq(json_string_value(json_object_get(d, "message")), want);
  json_decref(v);
  aev_free(t);
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "bad", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidDefinition");
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "SCHEMA_VALIDATION_FAILED: The resource provided"));
  ck_assert_ptr_null(m);
  free(def);
}

/* A resource AWS does not recognize fails the definition; one of a
 * service this broker does not run passes and fails when it runs. */
START_TEST(resource_validation) {
  refused("arn:aws:states:::aws-sdk:sqs:sendMessage.sync", "/States/T/Resource");
  refused("arn:aws:states:::aws-sdk:sfn:startExecution.sync:2", "/States/T/Resource");
  refused("arn:aws:states:::aws-sdk:sqs:noSuchAction", "/States/T/Resource");
  refused("arn:aws:states:::aws-sdk:sqs:SendMessage", "/States/T/Resource");
  refused("arn:aws:states:::aws-sdk:SQS:sendMessage", "/States/T/Resource");
  refused("arn:aws:states:::aws-sdk:sqs", "/States/T/Resource");
  /* nothing stored by the refusals */
  char *list = NULL;
  ck_assert_int_eq(aev_call(b, "states", "ListStateMachines", "{}", &list), AEV_OK);
  ck_assert_str_eq(list, "{\"stateMachines\":[]}");
  aev_free(list);
  result r = run_def(b, "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:dynamodb:"
                 "getItem','Parameters':{'TableName':'t'},'End':true}}}",
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "States.Runtime");
  result_free(&r);
}
END_TEST

/* JSONata: Arguments are the request, and Output reads $states.result. */
START_TEST(jsonata_arguments) {
  result r = run_def(b, "{'QueryLanguage':'JSONata','StartAt':'C','States':{'C':{'Type':'Task',"
                 "'Resource':'arn:aws:states:::aws-sdk:sqs:createQueue','Arguments':{'QueueName':'{% $states.input.n "
                 "%}'},'Output':{'url':'{% $states.result.QueueUrl %}'},'End':true}}}",
                 "{\"n\":\"jq\"}");
  ck_assert_str_eq(out_str(&r, "url"), "https://sqs.us-east-1.amazonaws.com/000000000000/jq");
  result_free(&r);
}
END_TEST

/* .waitForTaskToken: the call's answer is submitted (TaskSubmitted) and
 * the token's output ends the task. */
START_TEST(wait_for_task_token) {
  aev_queue *q = NULL;
  ck_assert_int_eq(aev_queue_create(b, "cb", NULL, &q), AEV_OK);
  char def[1024];
  snprintf(def, sizeof def,
           "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:sendMessage."
           "waitForTaskToken','Parameters':{'QueueUrl':'%s','MessageBody.$':'$$.Task.Token'},'End':true}}}",
           aev_queue_url(q));
  char *d = dq(def);
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "w", d, strlen(d), AEV_MACHINE_STANDARD, &m), AEV_OK);
  free(d);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  aev_message *msgs[1];
  size_t n = 0;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, msgs, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  /* an output that is not JSON, with a good token: refused, the task waits on */
  ck_assert_int_eq(aev_machine_send_task_success(b, aev_message_body(msgs[0], NULL), "nope", 4), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidOutput");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_machine_send_task_success(b, aev_message_body(msgs[0], NULL), "{\"done\":1}", 10), AEV_OK);
  aev_message_free(msgs[0]);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  char *h = NULL;
  ck_assert_int_eq(aev_execution_history(e, &h), AEV_OK);
  ck_assert_ptr_nonnull(strstr(h, "\"TaskSubmitted\""));
  ck_assert_ptr_nonnull(strstr(h, "\"resource\":\"sendMessage.waitForTaskToken\""));
  aev_free(h);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_queue_release(q);
}
END_TEST

/* With a real clock and worker threads, the call runs on the handler pool
 * and its answer comes back to the execution's strand: a chain of calls
 * ends, and the one that waits for an execution's end does too. */
START_TEST(real_clock_workers) {
  aev_broker *rb = aev_test_real_broker(2);
  char *express = dq("{'StartAt':'P','States':{'P':{'Type':'Pass','Result':'x','End':true}}}");
  aev_machine *em = NULL;
  ck_assert_int_eq(aev_machine_create(rb, "x", express, strlen(express), AEV_MACHINE_EXPRESS, &em), AEV_OK);
  free(express);
  char q[2048];
  snprintf(q, sizeof q,
           "{'StartAt':'C','States':{'C':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sqs:createQueue',"
           "'Parameters':{'QueueName':'rq'},'Next':'S'},'S':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:"
           "sqs:sendMessage','Parameters':{'QueueUrl.$':'$.QueueUrl','MessageBody':'m'},'Next':'X'},"
           "'X':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:sfn:startSyncExecution',"
           "'Parameters':{'StateMachineArn':'%s'},'End':true}}}",
           aev_machine_arn(em));
  char *def = dq(q);
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(rb, "chain", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_OK);
  free(def);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  char *d = NULL;
  ck_assert_int_eq(aev_execution_describe(e, &d), AEV_OK);
  json_t *desc = json_loads(d, 0, NULL);
  json_t *out = json_loads(json_string_value(json_object_get(desc, "output")), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(out, "Output")), "\"x\"");
  ck_assert_str_eq(json_string_value(json_object_get(out, "Status")), "SUCCEEDED");
  json_decref(out);
  json_decref(desc);
  aev_free(d);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_machine_release(em);
  aev_broker_destroy(rb);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_sdk");
  TCase *tc = tcase_create("sdk");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, sqs_calls_and_errors);
  tcase_add_test(tc, errors_retried_and_caught_by_name);
  tcase_add_test(tc, sns_calls_and_errors);
  tcase_add_test(tc, eventbridge_calls_and_errors);
  tcase_add_test(tc, scheduler_and_pipes_calls_and_errors);
  tcase_add_test(tc, lambda_calls_and_errors);
  tcase_add_test(tc, kinesis_and_firehose_calls_and_errors);
  tcase_add_test(tc, sfn_calls_and_errors);
  tcase_add_test(tc, history_shapes);
  tcase_add_test(tc, resource_validation);
  tcase_add_test(tc, jsonata_arguments);
  tcase_add_test(tc, wait_for_task_token);
  tcase_add_test(tc, real_clock_workers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
