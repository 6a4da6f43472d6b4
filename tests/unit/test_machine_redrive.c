/* RedriveExecution as AWS documents it: a FAILED, ABORTED or TIMED_OUT
 * STANDARD execution runs again under its ARN from the states it did not
 * leave, each with the input it had, retries counted from 0; only the
 * Parallel branches and Map iterations that did not succeed run again; the
 * history goes on after an ExecutionRedriven event; the execution timeout
 * starts again; DescribeExecution and ListExecutions answer redriveCount,
 * redriveDate, redriveStatus and redriveStatusReason; a refused redrive
 * leaves the execution as it was. */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::123456789012:role/sfn"
#define SM "arn:aws:states:us-east-1:000000000000:stateMachine:m"
#define FN "arn:aws:lambda:us-east-1:000000000000:function:fn"
#define TASK(next) "{\"Type\":\"Task\",\"Resource\":\"" FN "\"," next "}"

static aev_broker *b;
/* The function fails (errorType "Down") while down is set, for events
 * holding "flaky": true or for all of them (down == 2), or, with down ==
 * 3, at an event's first invocations as chance (a seeded generator) has
 * it; calls counts its invocations, and succeeded how often each event
 * (its text) succeeded. */
static int down, calls;
static json_t *succeeded;
static uint64_t chance = 0x9e3779b97f4a7c15ULL;

static int unlucky(void) {
  chance ^= chance << 13;
  chance ^= chance >> 7;
  chance ^= chance << 17;
  return chance % 3 == 0;
}

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  calls++;
  json_t *ev = json_loadb(event, len, 0, NULL);
  if (down == 2 || (down == 1 && json_is_true(json_object_get(ev, "flaky"))) || (down == 3 && unlucky())) {
    aev_invocation_fail(ctx, "Down", "the service is down");
  } else {
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)len, event);
    json_object_set_new(succeeded, key, json_integer(json_integer_value(json_object_get(succeeded, key)) + 1));
    json_t *out = json_pack("{s:O}", "done", ev);
    char *t = json_dumps(out, JSON_COMPACT);
    aev_invocation_succeed(ctx, t, strlen(t));
    free(t);
    json_decref(out);
  }
  json_decref(ev);
}

static void setup(void) {
  b = aev_test_manual_broker(5);
  down = calls = 0;
  succeeded = json_object();
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, NULL), AEV_OK);
}

static void teardown(void) {
  aev_broker_destroy(b);
  json_decref(succeeded);
}

static json_t *call(const char *action, json_t *req, int want) {
  return aev_test_call_req(b, "states", action, req, want);
}

static void refused(const char *action, json_t *req, int want, const char *code, const char *msg) {
  aev_test_call_req_fails(b, "states", action, req, want, code, msg);
}

static void create_named(const char *name, const char *def) {
  json_decref(call("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", name, "definition", def, "roleArn", ROLE),
                   AEV_OK));
}

/* The machine m, which the tests start (SM). */
static void create(const char *def) { create_named("m", def); }

/* Starts an execution of the machine with input; its ARN (a static buffer). */
static const char *start(const char *name, const char *input) {
  static char arn[200];
  json_t *v = call("StartExecution", json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM, "name", name, "input", input),
                   AEV_OK);
  snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(v, "executionArn")));
  json_decref(v);
  return arn;
}

static json_t *describe(const char *arn) {
  return call("DescribeExecution", json_pack("{s:s}", "executionArn", arn), AEV_OK);
}

static const char *member(json_t *v, const char *key) { return json_string_value(json_object_get(v, key)); }

/* RedriveExecution's redriveDate, in ms. */
static int64_t redrive(const char *arn, const char *token) {
  json_t *req = json_pack("{s:s}", "executionArn", arn);
  if (token) json_object_set_new(req, "clientToken", json_string(token));
  json_t *v = call("RedriveExecution", req, AEV_OK);
  double at = json_number_value(json_object_get(v, "redriveDate"));
  json_decref(v);
  return (int64_t)(at * 1000 + 0.5);
}

static void run(void) { ck_assert_int_eq(aev_broker_drain(b), AEV_OK); }

/* The execution's status and its redrive members, as one line. */
static void check_state(const char *arn, const char *status, int count, const char *redrive_status,
                        const char *reason) {
  json_t *d = describe(arn);
  ck_assert_str_eq(member(d, "status"), status);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "redriveCount")), count);
  ck_assert_int_eq(json_object_get(d, "redriveDate") != NULL, count > 0);
  ck_assert_str_eq(member(d, "redriveStatus"), redrive_status);
  if (reason) ck_assert_str_eq(member(d, "redriveStatusReason"), reason);
  else ck_assert_ptr_null(json_object_get(d, "redriveStatusReason"));
  /* A running execution has no stopDate, error or cause of an ended one. */
  const int running = !strcmp(status, "RUNNING");
  ck_assert_int_eq(json_object_get(d, "stopDate") == NULL, running);
  if (running) ck_assert_ptr_null(json_object_get(d, "error"));
  json_decref(d);
}

/* The history's events, and how many have type (and, given, the state
 * name or Map index). */
static json_t *history(const char *arn) {
  json_t *all = json_array(), *v = NULL;
  do { /* pages of AWS's default 100 events */
    json_t *req = json_pack("{s:s}", "executionArn", arn);
    if (v) json_object_set(req, "nextToken", json_object_get(v, "nextToken"));
    json_decref(v);
    v = call("GetExecutionHistory", req, AEV_OK);
    ck_assert_uint_le(json_array_size(json_object_get(v, "events")), 100);
    json_array_extend(all, json_object_get(v, "events"));
  } while (json_object_get(v, "nextToken"));
  json_decref(v);
  return all;
}

static int count(json_t *events, const char *type, const char *name, int index) {
  int n = 0;
  json_t *ev;
  size_t i;
  json_array_foreach(events, i, ev) {
    if (strcmp(member(ev, "type"), type)) continue;
    json_t *entered = json_object_get(ev, "stateEnteredEventDetails");
    json_t *it = json_object_get(ev, "mapIterationStartedEventDetails");
    if (name && strcmp(member(entered, "name"), name)) continue;
    if (index >= 0 && json_integer_value(json_object_get(it, "index")) != index) continue;
    n++;
  }
  return n;
}

/* A Parallel whose second branch fails: the redrive runs that branch's
 * Task again and keeps the first branch's result; the history goes on
 * after ExecutionRedriven, which follows ExecutionFailed. */
START_TEST(only_what_failed_runs_again) {
  create("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":{\"flaky\":true},\"Next\":\"P\"},"
         "\"P\":{\"Type\":\"Parallel\",\"Next\":\"T\",\"Branches\":["
         "{\"StartAt\":\"B1\",\"States\":{\"B1\":{\"Type\":\"Pass\",\"Result\":1,\"End\":true}}},"
         "{\"StartAt\":\"B2\",\"States\":{\"B2\":" TASK("\"End\":true") "}}]},"
         "\"T\":{\"Type\":\"Pass\",\"End\":true}}}");
  down = 1;
  const char *arn = start("e", "{}");
  run();
  check_state(arn, "FAILED", 0, "REDRIVABLE", NULL);
  json_t *before = history(arn);
  const size_t failed_id = json_array_size(before);
  down = 0;
  aev_broker_advance(b, 5000);
  ck_assert_int_eq(redrive(arn, NULL), aev_broker_now_ms(b));
  check_state(arn, "RUNNING", 1, "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven");
  run();
  check_state(arn, "SUCCEEDED", 1, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");
  json_t *d = describe(arn);
  ck_assert_str_eq(member(d, "output"), "[1,{\"done\":{\"flaky\":true}}]");
  ck_assert_double_eq(json_number_value(json_object_get(d, "redriveDate")), aev_broker_now_ms(b) / 1000.0);
  json_decref(d);
  ck_assert_int_eq(calls, 2);
  json_t *events = history(arn);
  json_t *redriven = json_array_get(events, failed_id);
  ck_assert_str_eq(member(json_array_get(events, failed_id - 1), "type"), "ExecutionFailed");
  ck_assert_str_eq(member(redriven, "type"), "ExecutionRedriven");
  ck_assert_int_eq(json_integer_value(json_object_get(redriven, "previousEventId")), failed_id);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(redriven, "executionRedrivenEventDetails"),
                                                      "redriveCount")),
                   1);
  ck_assert_int_eq(count(events, "PassStateEntered", "A", -1), 1);
  ck_assert_int_eq(count(events, "PassStateEntered", "B1", -1), 1);
  ck_assert_int_eq(count(events, "TaskStateEntered", "B2", -1), 2);
  ck_assert_int_eq(count(events, "ParallelStateEntered", NULL, -1), 1);
  ck_assert_int_eq(count(events, "ExecutionSucceeded", NULL, -1), 1);
  /* the ended attempt's events are kept as they were */
  char *a = json_dumps(before, JSON_COMPACT);
  json_t *head = json_array();
  for (size_t i = 0; i < failed_id; i++) json_array_append(head, json_array_get(events, i));
  char *h = json_dumps(head, JSON_COMPACT);
  ck_assert_str_eq(h, a);
  free(a);
  free(h);
  json_decref(head);
  json_decref(before);
  json_decref(events);
}
END_TEST

/* A Map one item at a time: the item that failed runs again, the one
 * never started starts, the one that succeeded keeps its result. */
START_TEST(map_runs_the_iterations_that_did_not_succeed) {
  create("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":1,\"End\":true,"
         "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":" TASK("\"End\":true") "}}}}}");
  down = 1;
  const char *arn = start("e", "[{\"i\":0},{\"i\":1,\"flaky\":true},{\"i\":2}]");
  run();
  check_state(arn, "FAILED", 0, "REDRIVABLE", NULL);
  ck_assert_int_eq(calls, 2);
  down = 0;
  redrive(arn, NULL);
  run();
  check_state(arn, "SUCCEEDED", 1, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");
  ck_assert_int_eq(calls, 4);
  json_t *d = describe(arn);
  ck_assert_str_eq(member(d, "output"),
                   "[{\"done\":{\"i\":0}},{\"done\":{\"i\":1,\"flaky\":true}},{\"done\":{\"i\":2}}]");
  json_decref(d);
  json_t *events = history(arn);
  ck_assert_int_eq(count(events, "MapIterationStarted", NULL, 0), 1);
  ck_assert_int_eq(count(events, "MapIterationStarted", NULL, 1), 2);
  ck_assert_int_eq(count(events, "MapIterationStarted", NULL, 2), 1);
  ck_assert_int_eq(count(events, "MapStateSucceeded", NULL, -1), 1);
  json_decref(events);
}
END_TEST

/* A Task's retries count from 0 again (AWS: "the retry attempt count ...
 * is reset to 0"), a state a Catch moved on from is not run again, and
 * $$.Execution.RedriveCount and RedriveTime tell the states after it. */
START_TEST(retries_again_and_the_context_tells) {
  create("{\"StartAt\":\"T\",\"States\":{\"T\":" TASK("\"Retry\":[{\"ErrorEquals\":[\"Down\"],\"MaxAttempts\":1,"
                                                     "\"IntervalSeconds\":1}],\"Catch\":[{\"ErrorEquals\":[\"Down\"],"
                                                     "\"Next\":\"C\"}],\"Next\":\"X\"") ","
         "\"C\":" TASK("\"Retry\":[{\"ErrorEquals\":[\"Down\"],\"MaxAttempts\":1,\"IntervalSeconds\":1}],\"Next\":\"X\"") ","
         "\"X\":{\"Type\":\"Pass\",\"Parameters\":{\"n.$\":\"$$.Execution.RedriveCount\","
         "\"t.$\":\"$$.Execution.RedriveTime\"},\"End\":true}}}");
  down = 2;
  const char *arn = start("e", "{}");
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  check_state(arn, "FAILED", 0, "REDRIVABLE", NULL);
  ck_assert_int_eq(calls, 4); /* T twice, C twice */
  redrive(arn, NULL);
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  check_state(arn, "FAILED", 1, "REDRIVABLE", NULL);
  ck_assert_int_eq(calls, 6); /* C twice more */
  down = 0;
  redrive(arn, NULL);
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  check_state(arn, "SUCCEEDED", 2, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");
  json_t *d = describe(arn);
  /* "n.$" and "t.$" come out in java.util.HashMap's order, as AWS's do. */
  ck_assert_str_eq(member(d, "output"), "{\"t\":\"2024-01-01T00:00:20.000Z\",\"n\":2}");
  json_decref(d);
  json_t *events = history(arn);
  ck_assert_int_eq(count(events, "TaskStateEntered", "T", -1), 1);
  ck_assert_int_eq(count(events, "TaskStateEntered", "C", -1), 3);
  ck_assert_int_eq(count(events, "ExecutionRedriven", NULL, -1), 2);
  json_decref(events);
}
END_TEST

/* An execution stopped in a Wait runs the Wait again; one that timed out
 * gets its whole TimeoutSeconds again from the redrive. */
START_TEST(aborted_and_timed_out_resume) {
  create("{\"StartAt\":\"W\",\"TimeoutSeconds\":30,\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":20,\"Next\":\"D\"},"
         "\"D\":{\"Type\":\"Pass\",\"End\":true}}}");
  const char *arn = start("stopped", "{}");
  aev_broker_advance(b, 5000);
  json_decref(call("StopExecution", json_pack("{s:s,s:s}", "executionArn", arn, "error", "Halt"), AEV_OK));
  run();
  check_state(arn, "ABORTED", 0, "REDRIVABLE", NULL);
  redrive(arn, NULL);
  aev_broker_advance(b, 19000);
  check_state(arn, "RUNNING", 1, "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven");
  aev_broker_advance(b, 1000);
  check_state(arn, "SUCCEEDED", 1, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");

  json_decref(call("UpdateStateMachine",
                   json_pack("{s:s,s:s}", "stateMachineArn", SM, "definition",
                             "{\"StartAt\":\"W\",\"TimeoutSeconds\":5,\"States\":{\"W\":{\"Type\":\"Wait\","
                             "\"Seconds\":20,\"End\":true}}}"),
                   AEV_OK));
  char timed[200];
  snprintf(timed, sizeof timed, "%s", start("timed", "{}"));
  aev_broker_advance(b, 5000);
  check_state(timed, "TIMED_OUT", 0, "REDRIVABLE", NULL);
  aev_broker_advance(b, 60000);
  const int64_t at = redrive(timed, NULL);
  aev_broker_advance(b, 4999);
  check_state(timed, "RUNNING", 1, "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven");
  aev_broker_advance(b, 1);
  check_state(timed, "TIMED_OUT", 1, "REDRIVABLE", NULL);
  json_t *d = describe(timed);
  ck_assert_double_eq(json_number_value(json_object_get(d, "stopDate")), (at + 5000) / 1000.0);
  json_decref(d);
}
END_TEST

/* StopExecution between the redrive and the strand's resuming it aborts
 * the redriven execution, with the error it gives. */
START_TEST(stop_before_the_redrive_resumes) {
  create("{\"StartAt\":\"T\",\"States\":{\"T\":" TASK("\"End\":true") "}}");
  down = 2;
  const char *arn = start("e", "{}");
  run();
  redrive(arn, NULL);
  json_decref(call("StopExecution", json_pack("{s:s,s:s}", "executionArn", arn, "error", "Halt"), AEV_OK));
  run();
  json_t *d = describe(arn);
  ck_assert_str_eq(member(d, "status"), "ABORTED");
  ck_assert_str_eq(member(d, "error"), "Halt");
  json_decref(d);
}
END_TEST

/* What RedriveExecution refuses, in AWS's words (its redriveStatusReason
 * strings), each leaving the execution as it was. */
START_TEST(refused_redrives_change_nothing) {
  create("{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":10,\"Next\":\"T\"},"
         "\"T\":" TASK("\"End\":true") "}}");
  const char *arn = start("e", "{\"flaky\":true}");
  refused("RedriveExecution", json_pack("{s:s}", "executionArn", arn), AEV_ERR_STATE, "ExecutionNotRedrivable",
          "Execution is RUNNING and cannot be redriven");
  aev_broker_advance(b, 10000);
  check_state(arn, "SUCCEEDED", 0, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");
  refused("RedriveExecution", json_pack("{s:s}", "executionArn", arn), AEV_ERR_STATE, "ExecutionNotRedrivable",
          "Execution is SUCCEEDED and cannot be redriven");
  check_state(arn, "SUCCEEDED", 0, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven");

  down = 1;
  char failed[200];
  snprintf(failed, sizeof failed, "%s", start("f", "{\"flaky\":true}"));
  aev_broker_advance(b, 10000);
  json_t *events = history(failed);
  /* 14 days after its end it can still be redriven, not a millisecond later */
  aev_broker_advance(b, 14LL * 24 * 3600 * 1000);
  check_state(failed, "FAILED", 0, "REDRIVABLE", NULL);
  aev_broker_advance(b, 1);
  check_state(failed, "FAILED", 0, "NOT_REDRIVABLE", "Execution redrivable period exceeded");
  refused("RedriveExecution", json_pack("{s:s}", "executionArn", failed), AEV_ERR_STATE, "ExecutionNotRedrivable",
          "Execution redrivable period exceeded");
  json_t *after = history(failed);
  ck_assert(json_equal(events, after));
  json_decref(events);
  json_decref(after);

  /* the request is checked before the execution is looked up */
  refused("RedriveExecution",
          json_pack("{s:s,s:s}", "executionArn", SM "x", "clientToken", "has space"), AEV_ERR_INVALID,
          "ValidationException",
          "1 validation error detected: Value 'has space' at 'clientToken' failed to satisfy constraint: Member "
          "must satisfy regular expression pattern: [!-~]+");
  char long_token[80];
  refused("RedriveExecution",
          json_pack("{s:s,s:s}", "executionArn", failed, "clientToken", aev_test_repeat(long_token, "t", 65)),
          AEV_ERR_INVALID, "ValidationException", NULL);
  refused("RedriveExecution",
          json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:none"),
          AEV_ERR_NOT_FOUND, "ExecutionDoesNotExist", NULL);
  refused("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM, "redriveFilter", "SOME"), AEV_ERR_INVALID,
          "ValidationException",
          "1 validation error detected: Value 'SOME' at 'redriveFilter' failed to satisfy constraint: Member must "
          "satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]");
}
END_TEST

/* A history with no room for ExecutionRedriven and one more event (a
 * Choice looping until AWS's 25,000 events end it) cannot be redriven. */
START_TEST(full_history_cannot_be_redriven) {
  create("{\"StartAt\":\"L\",\"States\":{\"L\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.go\","
         "\"BooleanEquals\":true,\"Next\":\"L\"}],\"Default\":\"E\"},\"E\":{\"Type\":\"Succeed\"}}}");
  const char *arn = start("e", "{\"go\":true}");
  run();
  check_state(arn, "FAILED", 0, "NOT_REDRIVABLE", "Execution history event limit exceeded");
}
END_TEST

/* A repeat of one of the last redrives' client tokens within 15 minutes
 * answers that redrive again and redrives nothing; after that the token is
 * a new request. */
START_TEST(client_tokens_answer_again) {
  create("{\"StartAt\":\"T\",\"States\":{\"T\":" TASK("\"Next\":\"W\"") ",\"W\":{\"Type\":\"Wait\",\"Seconds\":600,"
         "\"Next\":\"U\"},\"U\":" TASK("\"End\":true") "}}");
  down = 2;
  const char *arn = start("e", "{}");
  run();
  down = 0;
  const int64_t first = redrive(arn, "tok-1");
  aev_broker_advance(b, 1000); /* T succeeded; W waits */
  ck_assert_int_eq(redrive(arn, "tok-1"), first);
  refused("RedriveExecution", json_pack("{s:s,s:s}", "executionArn", arn, "clientToken", "tok-2"), AEV_ERR_STATE,
          "ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven");
  down = 2;
  aev_broker_advance(b, 600000); /* U failed */
  check_state(arn, "FAILED", 1, "REDRIVABLE", NULL);
  ck_assert_int_eq(redrive(arn, "tok-1"), first);
  check_state(arn, "FAILED", 1, "REDRIVABLE", NULL);
  aev_broker_advance(b, 15 * 60 * 1000 - 601000 + 1);
  ck_assert_int_eq(redrive(arn, "tok-1"), aev_broker_now_ms(b));
  check_state(arn, "RUNNING", 2, "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven");
}
END_TEST

/* ListExecutions: redriveCount and redriveDate, and redriveFilter. */
START_TEST(listing_by_redrives) {
  create("{\"StartAt\":\"T\",\"States\":{\"T\":" TASK("\"End\":true") "}}");
  down = 2;
  char one[200];
  snprintf(one, sizeof one, "%s", start("one", "{}"));
  start("two", "{}");
  run();
  redrive(one, NULL);
  run();
  json_t *v = call("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM, "redriveFilter", "REDRIVEN"),
                   AEV_OK);
  json_t *list = json_object_get(v, "executions");
  ck_assert_uint_eq(json_array_size(list), 1);
  ck_assert_str_eq(member(json_array_get(list, 0), "name"), "one");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "redriveCount")), 1);
  ck_assert_ptr_nonnull(json_object_get(json_array_get(list, 0), "redriveDate"));
  json_decref(v);
  v = call("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM, "redriveFilter", "NOT_REDRIVEN"), AEV_OK);
  list = json_object_get(v, "executions");
  ck_assert_uint_eq(json_array_size(list), 1);
  ck_assert_str_eq(member(json_array_get(list, 0), "name"), "two");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "redriveCount")), 0);
  ck_assert_ptr_null(json_object_get(json_array_get(list, 0), "redriveDate"));
  json_decref(v);
}
END_TEST

/* The typed API: Express executions are not redriven; an execution of a
 * deleted machine cannot be. */
/* The default bus hears the redriven execution run again: FAILED, then
 * RUNNING (no stopDate), then SUCCEEDED. */
START_TEST(status_changes_on_the_default_bus) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "changes", NULL, &q), AEV_OK);
  json_decref(aev_test_call(b, "events", "PutRule",
                            "{\"Name\":\"sfn\",\"EventPattern\":\"{\\\"source\\\":[\\\"aws.states\\\"]}\"}", AEV_OK));
  char req[512];
  snprintf(req, sizeof req, "{\"Rule\":\"sfn\",\"Targets\":[{\"Id\":\"q\",\"Arn\":\"%s\"}]}", aev_queue_arn(q));
  json_decref(aev_test_call(b, "events", "PutTargets", req, AEV_OK));
  create("{\"StartAt\":\"T\",\"States\":{\"T\":" TASK("\"End\":true") "}}");
  down = 2;
  const char *arn = start("e", "{}");
  run();
  down = 0;
  redrive(arn, NULL);
  run();
  aev_message *msgs[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, msgs, &n), AEV_OK);
  const char *want[] = {"RUNNING", "FAILED", "RUNNING", "SUCCEEDED"};
  ck_assert_uint_eq(n, 4);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *body = aev_message_body(msgs[i], &len);
    json_t *ev = json_loadb(body, len, 0, NULL), *detail = json_object_get(ev, "detail");
    ck_assert_str_eq(member(detail, "status"), want[i]);
    ck_assert_int_eq(json_is_null(json_object_get(detail, "stopDate")), !strcmp(want[i], "RUNNING"));
    json_decref(ev);
    aev_message_free(msgs[i]);
  }
  aev_queue_release(q);
}
END_TEST

#define FAIL "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\"}}}"

START_TEST(typed_api_refusals) {
  aev_machine *m;
  ck_assert_int_eq(aev_machine_create(b, "x", FAIL, strlen(FAIL), AEV_MACHINE_EXPRESS, &m), AEV_OK);
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  ck_assert_int_eq(aev_execution_redrive(e, NULL, NULL), AEV_ERR_UNSUPPORTED);
  ck_assert_str_eq(aev_errcode(), "StateMachineTypeNotSupported");
  aev_execution_release(e);
  aev_machine_release(m);

  ck_assert_int_eq(aev_machine_create(b, "s", FAIL, strlen(FAIL), AEV_MACHINE_STANDARD, &m), AEV_OK);
  ck_assert_int_eq(aev_machine_start(m, NULL, "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  ck_assert_int_eq(aev_execution_redrive(e, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_FAILED); /* a Fail state fails again */
  ck_assert_int_eq(aev_machine_delete(m), AEV_OK);
  ck_assert_int_eq(aev_execution_redrive(e, NULL, NULL), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "ExecutionNotRedrivable");
  ck_assert_str_eq(aev_errmsg(), "State machine is in DELETING status");
  aev_execution_release(e);
  aev_machine_release(m);
}
END_TEST

/* Whatever fails where, redriving until the execution succeeds gives the
 * output a run without failures gives, and no Task that ended well runs
 * again. A
 * Parallel of Maps (one at a time, or all at once) of two Tasks each,
 * inside a Map, then a Task; each Task fails a third of its calls. */
START_TEST(redriven_until_done_equals_a_run_without_failures) {
  const char *def =
      "{\"StartAt\":\"Outer\",\"States\":{\"Outer\":{\"Type\":\"Map\",\"Next\":\"Last\",\"ItemProcessor\":"
      "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,\"Branches\":["
      "{\"StartAt\":\"M1\",\"States\":{\"M1\":{\"Type\":\"Map\",\"MaxConcurrency\":1,\"ItemsPath\":\"$.a\","
      "\"End\":true,\"ItemProcessor\":{\"StartAt\":\"T1\",\"States\":{\"T1\":" TASK("\"Next\":\"U1\"") ","
      "\"U1\":{\"Type\":\"Task\",\"Resource\":\"" FN "\",\"Parameters\":{\"again.$\":\"$\"},\"End\":true}}}}}},"
      "{\"StartAt\":\"M2\",\"States\":{\"M2\":{\"Type\":\"Map\",\"ItemsPath\":\"$.b\",\"End\":true,"
      "\"ItemProcessor\":{\"StartAt\":\"T2\",\"States\":{\"T2\":" TASK("\"Next\":\"U2\"") ","
      "\"U2\":{\"Type\":\"Task\",\"Resource\":\"" FN "\",\"Parameters\":{\"again.$\":\"$\"},\"End\":true}}}}}}"
      "]}}}},\"Last\":{\"Type\":\"Task\",\"Resource\":\"" FN "\",\"Parameters\":{\"all.$\":\"$\"},\"End\":true}}}";
  create_named("m", def);
  create_named("reference", def);
  const char *input = "[{\"a\":[{\"x\":1},{\"x\":2},{\"x\":3}],\"b\":[{\"y\":1},{\"y\":2}]},"
                      "{\"a\":[{\"x\":4}],\"b\":[{\"y\":3},{\"y\":4},{\"y\":5}]}]";
  json_t *v = call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn",
                                               "arn:aws:states:us-east-1:000000000000:stateMachine:reference",
                                               "input", input), AEV_OK);
  run();
  json_t *r = describe(member(v, "executionArn"));
  json_t *want = json_loads(member(r, "output"), 0, NULL);
  ck_assert_ptr_nonnull(want);
  json_decref(r);
  json_decref(v);
  for (int seed = 1; seed <= 12; seed++) {
    chance = 0x9e3779b97f4a7c15ULL * (uint64_t)seed;
    json_object_clear(succeeded);
    down = 3;
    char name[16];
    snprintf(name, sizeof name, "e%d", seed);
    char arn[200];
    snprintf(arn, sizeof arn, "%s", start(name, input));
    run();
    int redrives = 0;
    for (;;) {
      json_t *d = describe(arn);
      const int done = !strcmp(member(d, "status"), "SUCCEEDED");
      ck_assert_msg(done || !strcmp(member(d, "status"), "FAILED"), "seed %d: %s", seed, member(d, "status"));
      ck_assert_int_eq(json_integer_value(json_object_get(d, "redriveCount")), redrives);
      if (done) {
        json_t *got = json_loads(member(d, "output"), 0, NULL);
        ck_assert_msg(json_equal(got, want), "seed %d: the output differs", seed);
        json_decref(got);
        json_decref(d);
        break;
      }
      json_decref(d);
      ck_assert_int_lt(redrives, 40);
      redrive(arn, NULL);
      redrives++;
      run();
    }
    /* A Task is entered again only with an input it never left with its
     * result (its call may have succeeded meanwhile: the state was
     * abandoned when a sibling failed, and runs again, as AWS's does). */
    json_t *events = history(arn), *ev, *left = json_object();
    size_t i;
    json_array_foreach(events, i, ev) {
      json_t *in = json_object_get(json_object_get(ev, "stateEnteredEventDetails"), "input");
      json_t *out = json_object_get(json_object_get(ev, "stateExitedEventDetails"), "output");
      if (!strcmp(member(ev, "type"), "TaskStateExited")) json_object_set_new(left, json_string_value(out), json_true());
      if (strcmp(member(ev, "type"), "TaskStateEntered")) continue;
      json_t *done = json_pack("{s:o}", "done", json_loads(json_string_value(in), 0, NULL));
      char *key = json_dumps(done, JSON_COMPACT);
      ck_assert_msg(!json_object_get(left, key), "seed %d: a Task that ended with %s ran again", seed, key);
      free(key);
      json_decref(done);
    }
    /* 2 x (3 + 2) + 1 x (1 + 3) items, each through 2 Tasks, and Last */
    ck_assert_uint_eq(json_object_size(left), 19);
    ck_assert_uint_eq(json_object_size(succeeded), 19);
    json_decref(left);
    json_decref(events);
  }
  json_decref(want);
}
END_TEST

/* AWS redrives no execution started before RedriveExecution's launch
 * (2023-11-15), which a broker clock set earlier shows. */
START_TEST(started_before_the_launch) {
  aev_broker_options *o;
  aev_broker *old;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_start_time_ms(o, 1700006400000LL - 1);
  ck_assert_int_eq(aev_broker_new(o, &old), AEV_OK);
  aev_broker_options_free(o);
  aev_machine *m;
  ck_assert_int_eq(aev_machine_create(old, "s", FAIL, strlen(FAIL), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  char *text;
  ck_assert_int_eq(aev_execution_describe(e, &text), AEV_OK);
  json_t *d = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_str_eq(member(d, "redriveStatusReason"), "Execution was started before the launch of RedriveExecution");
  json_decref(d);
  ck_assert_int_eq(aev_execution_redrive(e, NULL, NULL), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errmsg(), "Execution was started before the launch of RedriveExecution");
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_FAILED);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_broker_destroy(old);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_redrive");
  TCase *tc = tcase_create("redrive");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, only_what_failed_runs_again);
  tcase_add_test(tc, map_runs_the_iterations_that_did_not_succeed);
  tcase_add_test(tc, retries_again_and_the_context_tells);
  tcase_add_test(tc, aborted_and_timed_out_resume);
  tcase_add_test(tc, stop_before_the_redrive_resumes);
  tcase_add_test(tc, refused_redrives_change_nothing);
  tcase_add_test(tc, full_history_cannot_be_redriven);
  tcase_add_test(tc, client_tokens_answer_again);
  tcase_add_test(tc, listing_by_redrives);
  tcase_add_test(tc, typed_api_refusals);
  tcase_add_test(tc, started_before_the_launch);
  tcase_add_test(tc, status_changes_on_the_default_bus);
  tcase_add_test(tc, redriven_until_done_equals_a_run_without_failures);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
