/* Distributed Map states and their Map Runs, as AWS recorded them
 * (LocalStack's scenarios/test_base_scenarios and test_sfn_api_map_run
 * snapshots) and as the API reference documents ListMapRuns, DescribeMapRun,
 * UpdateMapRun and ListExecutions of a mapRunArn: each child is an
 * execution of the run's labelled machine (<machine>/<label>) with a
 * history of its own; the parent's holds MapRunStarted and MapRunSucceeded
 * / Failed / Aborted / Redriven but none of its children's events; the run
 * counts what became of its children and items; a child that fails fails
 * the run unless a tolerance allows it, and the others are stopped;
 * UpdateMapRun changes a running run's concurrency and tolerance. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "machine_support.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::123456789012:role/sfn"
#define SM "arn:aws:states:us-east-1:000000000000:stateMachine:m"
#define THRESHOLD "States.ExceedToleratedFailureThreshold"
#define THRESHOLD_CAUSE "The specified tolerated failure threshold was exceeded"

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(11); }
static void teardown(void) { aev_broker_destroy(b); }

static json_t *call(const char *action, json_t *req, int want) {
  return aev_test_call_req(b, "states", action, req, want);
}

static void refused(const char *action, json_t *req, int want, const char *code, const char *msg) {
  aev_test_call_req_fails(b, "states", action, req, want, code, msg);
}

static const char *member(json_t *v, const char *key) { return json_string_value(json_object_get(v, key)); }
static json_int_t count(json_t *v, const char *counts, const char *key) {
  return json_integer_value(json_object_get(json_object_get(v, counts), key));
}

/* The machine m of definition def (JSON, ' for "). */
static void create_machine(const char *def) {
  char *d = strdup(def);
  for (char *p = d; *p; p++)
    if (*p == '\'') *p = '"';
  json_decref(call("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", d, "roleArn", ROLE),
                   AEV_OK));
  free(d);
}

/* A machine m whose Map state M runs distributed, with the members extra
 * (JSON, ' for ") and children that wait 5 s, or fail when the item is
 * "bad". */
static void create(const char *extra) {
  char def[2048];
  snprintf(def, sizeof def,
           "{'StartAt':'M','States':{'M':{'Type':'Map',%s'ItemProcessor':{'ProcessorConfig':"
           "{'Mode':'DISTRIBUTED','ExecutionType':'STANDARD'},'StartAt':'C','States':{"
           "'C':{'Type':'Choice','Choices':[{'Variable':'$','StringEquals':'bad','Next':'F'}],'Default':'W'},"
           "'F':{'Type':'Fail','Error':'Bad','Cause':'a bad item'},"
           "'W':{'Type':'Wait','Seconds':5,'End':true}}},'End':true}}}",
           extra);
  create_machine(def);
}

static char exec_arn[200], run_arn[300];

/* Starts m on input; exec_arn is its ARN. */
static void start(const char *input) {
  json_t *v = call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM, "input", input), AEV_OK);
  snprintf(exec_arn, sizeof exec_arn, "%s", member(v, "executionArn"));
  json_decref(v);
}

/* The execution's Map Runs; run_arn is the last one's ARN. */
static json_t *map_runs(void) {
  json_t *v = call("ListMapRuns", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
  json_t *runs = json_incref(json_object_get(v, "mapRuns"));
  json_decref(v);
  size_t n = json_array_size(runs);
  if (n) snprintf(run_arn, sizeof run_arn, "%s", member(json_array_get(runs, n - 1), "mapRunArn"));
  return runs;
}

static json_t *describe_run(void) { return call("DescribeMapRun", json_pack("{s:s}", "mapRunArn", run_arn), AEV_OK); }

/* Event id's details object (its only *EventDetails member), or NULL. */
static json_t *event(int64_t id, int64_t *prev) {
  json_t *v = call("GetExecutionHistory", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
  json_t *ev = json_array_get(json_object_get(v, "events"), (size_t)id - 1), *d = NULL, *x;
  const char *k;
  *prev = json_integer_value(json_object_get(ev, "previousEventId"));
  json_object_foreach(ev, k, x) if (strstr(k, "EventDetails")) d = json_incref(x);
  json_decref(v);
  return d;
}

/* The run's children as ListExecutions lists them (newest first), those of
 * status only when not NULL. */
static json_t *children(const char *status) {
  json_t *req = json_pack("{s:s}", "mapRunArn", run_arn);
  if (status) json_object_set_new(req, "statusFilter", json_string(status));
  json_t *v = call("ListExecutions", req, AEV_OK);
  json_t *list = json_incref(json_object_get(v, "executions"));
  json_decref(v);
  return list;
}

static json_t *describe_arn(const char *arn) {
  return call("DescribeExecution", json_pack("{s:s}", "executionArn", arn), AEV_OK);
}

static json_t *describe(void) { return describe_arn(exec_arn); }

/* The statuses of the run's children, oldest first: "SUCCEEDED FAILED ...". */
static void check_children(const char *want) {
  json_t *list = children(NULL);
  char got[512] = "";
  for (size_t i = json_array_size(list); i-- > 0;) {
    if (*got) strcat(got, " ");
    strcat(got, member(json_array_get(list, i), "status"));
  }
  ck_assert_str_eq(got, want);
  json_decref(list);
}

static void run_counts(json_t *d, const char *counts, int pending, int running, int succeeded, int failed,
                       int aborted, int total) {
  ck_assert_int_eq(count(d, counts, "pending"), pending);
  ck_assert_int_eq(count(d, counts, "running"), running);
  ck_assert_int_eq(count(d, counts, "succeeded"), succeeded);
  ck_assert_int_eq(count(d, counts, "failed"), failed);
  ck_assert_int_eq(count(d, counts, "aborted"), aborted);
  ck_assert_int_eq(count(d, counts, "total"), total);
  ck_assert_int_eq(count(d, counts, "timedOut"), 0);
}

/* The recorded success: MapStateStarted, MapRunStarted {mapRunArn},
 * MapRunSucceeded, then MapStateSucceeded and MapStateExited both after
 * MapRunSucceeded; no child's events; the output in item order. */
START_TEST(success_as_recorded) {
  create("'Label':'lbl','MaxConcurrency':1,'ItemSelector':{'v.$':'$$.Map.Item.Value','i.$':'$$.Map.Item.Index'},");
  start("[\"a\",\"b\"]");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  json_t *d = describe();
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  ck_assert_str_eq(member(d, "output"), "[{\"v\":\"a\",\"i\":0},{\"v\":\"b\",\"i\":1}]");
  json_decref(d);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded "
                "MapStateSucceeded MapStateExited ExecutionSucceeded");
  json_t *runs = map_runs();
  ck_assert_int_eq(json_array_size(runs), 1);
  json_t *item = json_array_get(runs, 0);
  /* ...:mapRun:<machine>/<label>:<id>, and the labelled machine ARN. */
  ck_assert_int_eq(strncmp(run_arn, "arn:aws:states:us-east-1:000000000000:mapRun:m/lbl:", 51), 0);
  ck_assert_uint_eq(strlen(run_arn), 51 + 36);
  ck_assert_str_eq(member(item, "stateMachineArn"), SM "/lbl");
  ck_assert_str_eq(member(item, "executionArn"), exec_arn);
  ck_assert_ptr_nonnull(json_object_get(item, "stopDate"));
  json_decref(runs);
  int64_t prev;
  json_t *started = event(4, &prev);
  ck_assert_str_eq(member(started, "mapRunArn"), run_arn);
  ck_assert_int_eq(prev, 3);
  json_decref(started);
  json_decref(event(6, &prev));
  ck_assert_int_eq(prev, 5);
  json_decref(event(7, &prev));
  ck_assert_int_eq(prev, 5);
  /* Each child is an execution of the labelled machine, with its own
   * history, listed newest first with its Map Run and item count. */
  json_t *kids = children(NULL);
  ck_assert_int_eq(json_array_size(kids), 2);
  json_t *first = json_array_get(kids, 1);
  const char *kid = member(first, "executionArn");
  ck_assert_int_eq(strncmp(kid, "arn:aws:states:us-east-1:000000000000:execution:m/lbl:", 54), 0);
  ck_assert_str_eq(member(first, "name"), kid + 54);
  ck_assert_str_eq(member(first, "stateMachineArn"), SM "/lbl");
  ck_assert_str_eq(member(first, "mapRunArn"), run_arn);
  ck_assert_int_eq(json_integer_value(json_object_get(first, "itemCount")), 1);
  ck_assert_str_eq(member(first, "status"), "SUCCEEDED");
  d = describe_arn(kid);
  ck_assert_str_eq(member(d, "input"), "{\"v\":\"a\",\"i\":0}");
  ck_assert_str_eq(member(d, "output"), "{\"v\":\"a\",\"i\":0}");
  ck_assert_str_eq(member(d, "mapRunArn"), run_arn);
  ck_assert_str_eq(member(d, "stateMachineArn"), SM "/lbl");
  json_decref(d);
  char parent[sizeof exec_arn];
  memcpy(parent, exec_arn, sizeof parent);
  snprintf(exec_arn, sizeof exec_arn, "%s", kid);
  assert_history(b, exec_arn, "ExecutionStarted ChoiceStateEntered ChoiceStateExited WaitStateEntered WaitStateExited "
                "ExecutionSucceeded");
  json_decref(kids);
  /* The labelled machine is described with its label, and as a child's. */
  d = call("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", SM "/lbl"), AEV_OK);
  ck_assert_str_eq(member(d, "label"), "lbl");
  ck_assert_str_eq(member(d, "name"), "m/lbl");
  json_decref(d);
  d = call("DescribeStateMachineForExecution", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
  ck_assert_str_eq(member(d, "label"), "lbl");
  ck_assert_str_eq(member(d, "mapRunArn"), run_arn);
  json_decref(d);
  memcpy(exec_arn, parent, sizeof parent);
  /* ListStateMachines lists no labelled machine. */
  d = call("ListStateMachines", json_pack("{}"), AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(d, "stateMachines")), 1);
  json_decref(d);
  d = describe_run();
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  ck_assert_str_eq(member(d, "executionArn"), exec_arn);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "maxConcurrency")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "toleratedFailureCount")), 0);
  ck_assert(json_real_value(json_object_get(d, "toleratedFailurePercentage")) == 0.0);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "redriveCount")), 0);
  run_counts(d, "itemCounts", 0, 0, 2, 0, 0, 2);
  run_counts(d, "executionCounts", 0, 0, 2, 0, 0, 2);
  ck_assert_int_eq(count(d, "itemCounts", "resultsWritten"), 2);
  ck_assert(json_real_value(json_object_get(d, "stopDate")) == 1704067210.0);
  json_decref(d);
}
END_TEST

/* Without a Label the run is labelled with a UUID. */
START_TEST(unlabelled_run_gets_a_uuid) {
  create("");
  start("[]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_decref(map_runs());
  const char *label = run_arn + strlen("arn:aws:states:us-east-1:000000000000:mapRun:m/");
  ck_assert_int_eq(strncmp(run_arn, "arn:aws:states:us-east-1:000000000000:mapRun:m/", 47), 0);
  ck_assert_int_eq(label[36], ':');
  ck_assert_uint_eq(strlen(label), 36 + 1 + 36);
  json_t *d = describe_run();
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  run_counts(d, "itemCounts", 0, 0, 0, 0, 0, 0);
  json_decref(d);
}
END_TEST

/* While children wait, the run is RUNNING with its counts, no stopDate and
 * nothing written. */
START_TEST(running_run_counts_its_children) {
  create("'MaxConcurrency':2,");
  start("[\"a\",\"b\",\"c\"]");
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  json_decref(map_runs());
  json_t *d = describe_run();
  ck_assert_str_eq(member(d, "status"), "RUNNING");
  ck_assert_ptr_null(json_object_get(d, "stopDate"));
  run_counts(d, "itemCounts", 1, 2, 0, 0, 0, 3);
  ck_assert_int_eq(count(d, "itemCounts", "resultsWritten"), 0);
  json_decref(d);
  json_t *runs = map_runs();
  ck_assert_ptr_null(json_object_get(json_array_get(runs, 0), "stopDate"));
  json_decref(runs);
}
END_TEST

/* A failed child fails the run when nothing tolerates it: MapRunFailed
 * with AWS's threshold error, the children still running aborted. */
START_TEST(failed_child_fails_the_run) {
  create("");
  start("[\"a\",\"bad\",\"c\"]");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  json_t *d = describe();
  ck_assert_str_eq(member(d, "status"), "FAILED");
  ck_assert_str_eq(member(d, "error"), THRESHOLD);
  ck_assert_str_eq(member(d, "cause"), THRESHOLD_CAUSE);
  json_decref(d);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed "
                "MapStateFailed ExecutionFailed");
  int64_t prev;
  json_t *failed = event(5, &prev);
  ck_assert_str_eq(member(failed, "error"), THRESHOLD);
  ck_assert_str_eq(member(failed, "cause"), THRESHOLD_CAUSE);
  json_decref(failed);
  json_decref(map_runs());
  d = describe_run();
  ck_assert_str_eq(member(d, "status"), "FAILED");
  run_counts(d, "itemCounts", 0, 0, 0, 1, 2, 3);
  ck_assert_int_eq(count(d, "itemCounts", "pendingRedrive"), 3);
  ck_assert_ptr_nonnull(json_object_get(d, "stopDate"));
  json_decref(d);
  /* The failed child ended with its own error, and only its Map Run may
   * redrive it; the ones still waiting were stopped with the run. */
  check_children("ABORTED FAILED ABORTED");
  json_t *failed_kids = children("FAILED");
  ck_assert_int_eq(json_array_size(failed_kids), 1);
  const char *kid = member(json_array_get(failed_kids, 0), "executionArn");
  d = describe_arn(kid);
  ck_assert_str_eq(member(d, "error"), "Bad");
  ck_assert_str_eq(member(d, "cause"), "a bad item");
  ck_assert_str_eq(member(d, "redriveStatus"), "REDRIVABLE_BY_MAP_RUN");
  json_decref(d);
  refused("RedriveExecution", json_pack("{s:s}", "executionArn", kid), AEV_ERR_STATE, "ExecutionNotRedrivable",
          NULL);
  json_decref(failed_kids);
}
END_TEST

/* ToleratedFailureCount lets one failure through: the run succeeds, the
 * failed item's result is its error. */
START_TEST(tolerated_failure_succeeds) {
  create("'ToleratedFailureCount':1,");
  start("[\"a\",\"bad\"]");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  json_t *d = describe();
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  ck_assert_str_eq(member(d, "output"), "[\"a\",{\"Error\":\"Bad\",\"Cause\":\"a bad item\"}]");
  json_decref(d);
  json_decref(map_runs());
  d = describe_run();
  ck_assert_int_eq(json_integer_value(json_object_get(d, "toleratedFailureCount")), 1);
  run_counts(d, "itemCounts", 0, 0, 1, 1, 0, 2);
  json_decref(d);
}
END_TEST

/* With an ItemBatcher, executions count batches and items count items. */
START_TEST(batches_count_items_and_executions) {
  create("'ItemBatcher':{'MaxItemsPerBatch':2},");
  start("[1,2,3]");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  json_decref(map_runs());
  json_t *d = describe_run();
  run_counts(d, "itemCounts", 0, 0, 3, 0, 0, 3);
  run_counts(d, "executionCounts", 0, 0, 2, 0, 0, 2);
  json_decref(d);
  json_t *kids = children(NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(kids, 1), "itemCount")), 2);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(kids, 0), "itemCount")), 1);
  d = describe_arn(member(json_array_get(kids, 1), "executionArn"));
  ck_assert_str_eq(member(d, "input"), "{\"Items\":[1,2]}");
  json_decref(d);
  json_decref(kids);
}
END_TEST

/* StopExecution aborts the run: MapRunAborted, the running child
 * aborted, the pending ones left pending. */
START_TEST(stopped_execution_aborts_the_run) {
  create("'MaxConcurrency':1,");
  start("[\"a\",\"b\",\"c\"]");
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  json_decref(call("StopExecution", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunAborted ExecutionAborted");
  json_decref(map_runs());
  json_t *d = describe_run();
  ck_assert_str_eq(member(d, "status"), "ABORTED");
  run_counts(d, "itemCounts", 2, 0, 0, 0, 1, 3);
  json_decref(d);
  check_children("ABORTED");
}
END_TEST

/* UpdateMapRun: a higher MaxConcurrency starts the pending children at
 * once; a tolerance given while running lets a later failure through. */
START_TEST(update_changes_a_running_run) {
  create("'MaxConcurrency':1,");
  start("[\"a\",\"b\",\"bad\"]");
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  json_decref(map_runs());
  json_decref(call("UpdateMapRun", json_pack("{s:s,s:i,s:i}", "mapRunArn", run_arn, "maxConcurrency", 3,
                                             "toleratedFailureCount", 1),
                   AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = describe_run();
  ck_assert_int_eq(json_integer_value(json_object_get(d, "maxConcurrency")), 3);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "toleratedFailureCount")), 1);
  run_counts(d, "itemCounts", 0, 2, 0, 1, 0, 3);
  json_decref(d);
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  d = describe();
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  json_decref(d);
  /* A run that ended takes no more updates. */
  refused("UpdateMapRun", json_pack("{s:s,s:i}", "mapRunArn", run_arn, "maxConcurrency", 1), AEV_ERR_INVALID,
          "ValidationException", NULL);
}
END_TEST

/* A redrive runs the children that did not succeed again: MapRunRedriven
 * with the run's ARN and redriveCount, which DescribeMapRun answers. */
START_TEST(redrive_runs_the_failed_children_again) {
  create("'MaxConcurrency':1,");
  start("[\"a\",\"bad\",\"c\"]");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  json_decref(map_runs());
  json_t *d = describe_run();
  run_counts(d, "itemCounts", 1, 0, 1, 1, 0, 3);
  ck_assert_int_eq(count(d, "itemCounts", "pendingRedrive"), 2);
  json_decref(d);
  json_decref(call("RedriveExecution", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK));
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed "
                "ExecutionFailed ExecutionRedriven MapRunRedriven MapRunFailed MapStateFailed ExecutionFailed");
  int64_t prev;
  json_t *redriven = event(9, &prev);
  ck_assert_str_eq(member(redriven, "mapRunArn"), run_arn);
  ck_assert_int_eq(json_integer_value(json_object_get(redriven, "redriveCount")), 1);
  json_decref(redriven);
  json_t *runs = map_runs();
  ck_assert_int_eq(json_array_size(runs), 1); /* the same run, redriven */
  json_decref(runs);
  d = describe_run();
  ck_assert_str_eq(member(d, "status"), "FAILED");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "redriveCount")), 1);
  ck_assert_ptr_nonnull(json_object_get(d, "redriveDate"));
  run_counts(d, "itemCounts", 1, 0, 1, 1, 0, 3);
  json_decref(d);
  /* The failed child was redriven (the same execution), not started anew. */
  json_t *kids = children(NULL);
  ck_assert_int_eq(json_array_size(kids), 2);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(kids, 0), "redriveCount")), 1);
  json_decref(kids);
}
END_TEST

/* A machine m of one Distributed Map M with the members extra (JSON, '
 * for "), its children a Pass (their output is their input); ql: the
 * machine's QueryLanguage, or NULL. */
static void create_map(const char *extra, const char *ql) {
  char def[2048];
  snprintf(def, sizeof def,
           "{%s%s%s'StartAt':'M','States':{'M':{'Type':'Map',%s'ItemProcessor':{'ProcessorConfig':"
           "{'Mode':'DISTRIBUTED','ExecutionType':'STANDARD'},'StartAt':'P','States':{'P':{'Type':'Pass',"
           "'End':true}}},'End':true}}}",
           ql ? "'QueryLanguage':'" : "", ql ? ql : "", ql ? "'," : "", extra);
  create_machine(def);
}

/* The output of m's execution on input, which must succeed. */
static void check_output(const char *input, const char *want) {
  start(input);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = describe();
  ck_assert_msg(!strcmp(member(d, "status"), "SUCCEEDED"), "%s: %s", input, member(d, "cause"));
  ck_assert_str_eq(member(d, "output"), want);
  json_decref(d);
}

/* m's execution on input, which must fail with error and cause. */
static void check_failure(const char *input, const char *error, const char *cause) {
  start(input);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = describe();
  ck_assert_str_eq(member(d, "error"), error);
  ck_assert_str_eq(member(d, "cause"), cause);
  json_decref(d);
}

/* ItemSelector runs on each item before batching (the ASL specification:
 * "then uses the ItemBatcher field to specify how to batch the selected
 * items"), with $$.Map.Item the item's own. */
START_TEST(batches_of_selected_items) {
  create_map("'ItemSelector':{'v.$':'$$.Map.Item.Value','i.$':'$$.Map.Item.Index'},"
             "'ItemBatcher':{'MaxItemsPerBatch':2},",
             NULL);
  check_output("[10,20,30]", "[{\"Items\":[{\"v\":10,\"i\":0},{\"v\":20,\"i\":1}]},"
                             "{\"Items\":[{\"v\":30,\"i\":2}]}]");
}
END_TEST

/* MaxInputBytesPerBatch counts the child's whole input text: a batch of
 * 46 bytes fits a limit of 46 and not of 45; an item over the limit on
 * its own goes alone. */
START_TEST(batches_by_bytes) {
  create_map("'ItemBatcher':{'MaxInputBytesPerBatch':46,'BatchInput':{'a':1}},", NULL);
  check_output("[\"aaaa\",\"bbbb\",\"cccc\"]",
               "[{\"BatchInput\":{\"a\":1},\"Items\":[\"aaaa\",\"bbbb\"]},"
               "{\"BatchInput\":{\"a\":1},\"Items\":[\"cccc\"]}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create_map("'ItemBatcher':{'MaxInputBytesPerBatch':45,'BatchInput':{'a':1}},", NULL);
  check_output("[\"aaaa\",\"bbbb\",\"a very long item over the limit on its own\"]",
               "[{\"BatchInput\":{\"a\":1},\"Items\":[\"aaaa\"]},{\"BatchInput\":{\"a\":1},"
               "\"Items\":[\"bbbb\"]},{\"BatchInput\":{\"a\":1},\"Items\":[\"a very long item over "
               "the limit on its own\"]}]");
}
END_TEST

/* The Path forms and BatchInput's paths read the Map state's input; a
 * path to no integer fails the state as AWS's ...Path fields do. */
START_TEST(batcher_paths) {
  create_map("'ItemsPath':'$.items','ItemBatcher':{'MaxItemsPerBatchPath':'$.n','BatchInput':{'k.$':'$.k'}},",
             NULL);
  check_output("{\"k\":1,\"n\":2,\"items\":[1,2,3]}",
               "[{\"BatchInput\":{\"k\":1},\"Items\":[1,2]},{\"BatchInput\":{\"k\":1},\"Items\":[3]}]");
  check_failure("{\"n\":\"x\",\"items\":[1]}", "States.Runtime",
                "An error occurred while executing the state 'M' (entered at the event id #2). The "
                "MaxItemsPerBatchPath field refers to value \"x\" which is not a valid integer: $.n");
}
END_TEST

/* JSONata: BatchInput's expressions, and the limits' (AWS's ASL schema
 * takes "integer or JSONata expression" for each), on the Map state's
 * input. */
START_TEST(batcher_jsonata) {
  create_map("'Items':'{% $states.input.items %}','ItemBatcher':{'MaxItemsPerBatch':'{% $states.input.per %}',"
             "'MaxInputBytesPerBatch':'{% $states.input.bytes %}','BatchInput':{'k':'{% $states.input.k %}'}},",
             "JSONata");
  check_output("{\"k\":5,\"items\":[1,2,3],\"per\":2,\"bytes\":36}",
               "[{\"BatchInput\":{\"k\":5},\"Items\":[1,2]},{\"BatchInput\":{\"k\":5},\"Items\":[3]}]");
  /* 35 bytes hold {"BatchInput":{"k":5},"Items":[1]} (34) but not two items */
  check_output("{\"k\":5,\"items\":[1,2],\"per\":2,\"bytes\":35}",
               "[{\"BatchInput\":{\"k\":5},\"Items\":[1]},{\"BatchInput\":{\"k\":5},\"Items\":[2]}]");
  check_failure("{\"k\":5,\"items\":[1],\"per\":2,\"bytes\":262145}", "States.QueryEvaluationError",
                "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata "
                "expression '$states.input.bytes' specified for the field 'MaxInputBytesPerBatch' returned 262145, "
                "which is out of range: the field takes 1 to 262144.");
}
END_TEST

/* ItemBatcher definitions AWS refuses, in its schema's words. */
START_TEST(batcher_refused) {
  static const struct {
    const char *batcher, *ql, *message;
  } cases[] = {
      {"{\"Foo\":1}", NULL, "Field 'Foo' is not supported at /States/M/ItemBatcher"},
      {"{\"MaxItemsPerBatch\":0}", NULL, "Minimum value is 1 at /States/M/ItemBatcher/MaxItemsPerBatch"},
      {"{\"MaxInputBytesPerBatch\":262145}", NULL,
       "Maximum value is 262144 at /States/M/ItemBatcher/MaxInputBytesPerBatch"},
      {"{\"MaxItemsPerBatch\":2,\"MaxItemsPerBatchPath\":\"$.n\"}", NULL,
       "There should only be one of the following fields: [MaxItemsPerBatch, MaxItemsPerBatchPath] at "
       "/States/M/ItemBatcher"},
      {"{\"MaxInputBytesPerBatchPath\":\"$.n\"}", "JSONata",
       "The QueryLanguage is set to 'JSONata', but field 'MaxInputBytesPerBatchPath' is only supported for the "
       "'JSONPath' QueryLanguage at /States/M/ItemBatcher"},
      {"7", NULL, "Expected value of type: Object at /States/M/ItemBatcher at /States/M/ItemBatcher"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char def[1024], want[600];
    snprintf(def, sizeof def,
             "{%s\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemBatcher\":%s,"
             "\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":"
             "\"STANDARD\"},\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},"
             "\"End\":true}}}",
             cases[i].ql ? "\"QueryLanguage\":\"JSONata\"," : "", cases[i].batcher);
    snprintf(want, sizeof want, "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: %s'",
             cases[i].message);
    refused("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", def, "roleArn", ROLE),
            AEV_ERR_INVALID, "InvalidDefinition", want);
  }
}
END_TEST

/* A child does not see the parent's variables (AWS: "Distributed Map
 * states cannot currently reference variables in outer scopes"); the Map
 * state's own ItemSelector, evaluated in the parent, does. */
START_TEST(children_cannot_read_parent_variables) {
  const char *def =
      "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Assign\":{\"outer\":7},\"Next\":\"M\"},"
      "\"M\":{\"Type\":\"Map\",\"ItemSelector\":{\"outer.$\":\"$outer\"},\"ToleratedFailureCount\":1,"
      "\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},"
      "\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":{\"seen.$\":\"$outer\"},"
      "\"End\":true}}},\"End\":true}}}";
  create_machine(def);
  start("[1]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_decref(map_runs());
  json_t *kids = children(NULL);
  json_t *d = describe_arn(member(json_array_get(kids, 0), "executionArn"));
  ck_assert_str_eq(member(d, "input"), "{\"outer\":7}");
  ck_assert_str_eq(member(d, "status"), "FAILED");
  ck_assert_str_eq(member(d, "error"), "States.Runtime");
  ck_assert_ptr_nonnull(strstr(member(d, "cause"), "The variable 'outer' is not defined."));
  json_decref(d);
  json_decref(kids);
}
END_TEST

/* EXPRESS children are listed and described (AWS: DescribeExecution does
 * not take EXPRESS executions "unless a Map Run dispatched them"), with no
 * history of their own. */
START_TEST(express_children) {
  const char *def =
      "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemProcessor\":{\"ProcessorConfig\":"
      "{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"EXPRESS\"},\"StartAt\":\"P\",\"States\":{\"P\":"
      "{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";
  create_machine(def);
  start("[1,2]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = describe();
  ck_assert_str_eq(member(d, "output"), "[1,2]");
  json_decref(d);
  json_decref(map_runs());
  check_children("SUCCEEDED SUCCEEDED");
  json_t *kids = children(NULL);
  const char *kid = member(json_array_get(kids, 0), "executionArn");
  ck_assert_ptr_nonnull(strstr(kid, ":execution:m/"));
  d = describe_arn(kid);
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  json_decref(d);
  refused("GetExecutionHistory", json_pack("{s:s}", "executionArn", kid), AEV_ERR_UNSUPPORTED, "InvalidArn", NULL);
  json_decref(kids);
}
END_TEST

/* A Distributed Map inside a child: its run, labelled under the child's
 * machine (m/out/in), is found and listed like any other. */
START_TEST(nested_map_runs) {
  const char *def =
      "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"Label\":\"out\",\"ItemProcessor\":"
      "{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"N\","
      "\"States\":{\"N\":{\"Type\":\"Map\",\"Label\":\"in\",\"ItemProcessor\":{\"ProcessorConfig\":"
      "{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"P\",\"States\":{\"P\":"
      "{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}},\"End\":true}}}";
  create_machine(def);
  start("[[1,2],[3]]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = describe();
  ck_assert_str_eq(member(d, "output"), "[[1,2],[3]]");
  json_decref(d);
  json_decref(map_runs());
  json_t *kids = children(NULL);
  snprintf(exec_arn, sizeof exec_arn, "%s", member(json_array_get(kids, 1), "executionArn"));
  json_decref(kids);
  json_t *runs = map_runs();
  ck_assert_str_eq(member(json_array_get(runs, 0), "stateMachineArn"), SM "/out/in");
  ck_assert_int_eq(strncmp(run_arn, "arn:aws:states:us-east-1:000000000000:mapRun:m/out/in:", 54), 0);
  json_decref(runs);
  d = describe_run();
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  run_counts(d, "itemCounts", 0, 0, 2, 0, 0, 2);
  json_decref(d);
  check_children("SUCCEEDED SUCCEEDED");
}
END_TEST

/* A redrive starts an EXPRESS child that failed anew (AWS redrives only
 * STANDARD ones): a second child, the first left as it ended. */
START_TEST(express_child_started_anew_on_redrive) {
  const char *def =
      "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemProcessor\":{\"ProcessorConfig\":"
      "{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"EXPRESS\"},\"StartAt\":\"F\",\"States\":{\"F\":"
      "{\"Type\":\"Fail\",\"Error\":\"Bad\"}}},\"End\":true}}}";
  create_machine(def);
  start("[1]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_decref(map_runs());
  check_children("FAILED");
  json_decref(call("RedriveExecution", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  check_children("FAILED FAILED");
  json_t *d = describe_run();
  ck_assert_int_eq(json_integer_value(json_object_get(d, "redriveCount")), 1);
  run_counts(d, "executionCounts", 0, 0, 0, 1, 0, 1);
  json_decref(d);
}
END_TEST

/* An inline Map keeps its MapIteration events and has no Map Run. */
START_TEST(inline_map_has_no_run) {
  const char *def = "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemProcessor\":{\"StartAt\":\"P\","
                    "\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";
  create_machine(def);
  start("[1]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapIterationStarted PassStateEntered "
                "PassStateExited MapIterationSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded");
  json_t *runs = map_runs();
  ck_assert_int_eq(json_array_size(runs), 0);
  json_decref(runs);
}
END_TEST

/* Requests checked as AWS's API model checks them. */
START_TEST(bad_requests) {
  const char *missing = "arn:aws:states:us-east-1:000000000000:mapRun:m/l:00000000-0000-0000-0000-000000000000";
  refused("DescribeMapRun", json_pack("{}"), AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value null at 'mapRunArn' failed to satisfy constraint: "
          "Member must not be null");
  refused("DescribeMapRun", json_pack("{s:s}", "mapRunArn", "arn:aws:states:us-east-1:000000000000:execution:m:x"),
          AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: 'arn:aws:states:us-east-1:000000000000:execution:m:x'");
  refused("DescribeMapRun", json_pack("{s:s}", "mapRunArn", missing), AEV_ERR_NOT_FOUND, "ResourceNotFound", NULL);
  refused("ListMapRuns", json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:x"),
          AEV_ERR_NOT_FOUND, "ExecutionDoesNotExist", NULL);
  refused("UpdateMapRun", json_pack("{s:s}", "mapRunArn", missing), AEV_ERR_INVALID, "ValidationException",
          "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified");
  refused("UpdateMapRun", json_pack("{s:s,s:f}", "mapRunArn", missing, "toleratedFailurePercentage", 100.5),
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value '100.5' at 'toleratedFailurePercentage' failed to satisfy "
          "constraint: Member must have value less than or equal to 100");
  refused("UpdateMapRun", json_pack("{s:s,s:s}", "mapRunArn", missing, "toleratedFailurePercentage", "half"),
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value at 'toleratedFailurePercentage' failed to satisfy constraint: "
          "Member must be a number");
  refused("UpdateMapRun", json_pack("{s:s,s:i}", "mapRunArn", missing, "maxConcurrency", -1), AEV_ERR_INVALID,
          "ValidationException",
          "1 validation error detected: Value '-1' at 'maxConcurrency' failed to satisfy constraint: "
          "Member must have value greater than or equal to 0");
  refused("UpdateMapRun", json_pack("{s:s,s:i}", "mapRunArn", missing, "toleratedFailureCount", 1),
          AEV_ERR_NOT_FOUND, "ResourceNotFound", NULL);
  refused("ListExecutions", json_pack("{s:s}", "mapRunArn", missing), AEV_ERR_NOT_FOUND, "ResourceNotFound", NULL);
  refused("ListExecutions", json_pack("{s:s,s:s}", "mapRunArn", missing, "stateMachineArn", SM), AEV_ERR_INVALID,
          "ValidationException", "You can specify either a mapRunArn or a stateMachineArn, but not both.");
}
END_TEST

/* A run without a Label has a machine of its own, gone when its execution
 * leaves its retention; a Label's machine, shared by the machine's runs,
 * goes when the machine is deleted. Neither outlives what it belongs to. */
START_TEST(labelled_machines_go_with_their_owner) {
  create("");
  start("[1]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 6000), AEV_OK);
  json_t *runs = map_runs();
  char own[300];
  snprintf(own, sizeof own, "%s", member(json_array_get(runs, 0), "stateMachineArn"));
  json_decref(runs);
  json_decref(call("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", own), AEV_OK));
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_get(b, SM, &m), AEV_OK);
  ck_assert_int_eq(aev_machine_set_retention(m, 0), AEV_OK);
  aev_machine_release(m);
  refused("DescribeExecution", json_pack("{s:s}", "executionArn", exec_arn), AEV_ERR_NOT_FOUND,
          "ExecutionDoesNotExist", NULL);
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", own), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));

  create("'Label':'orders',");
  start("[1]");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  const char *shared = SM "/orders";
  json_decref(call("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", shared), AEV_OK));
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", shared), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_map_run");
  TCase *t = tcase_create("map_run");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, success_as_recorded);
  tcase_add_test(t, unlabelled_run_gets_a_uuid);
  tcase_add_test(t, running_run_counts_its_children);
  tcase_add_test(t, failed_child_fails_the_run);
  tcase_add_test(t, tolerated_failure_succeeds);
  tcase_add_test(t, batches_count_items_and_executions);
  tcase_add_test(t, stopped_execution_aborts_the_run);
  tcase_add_test(t, update_changes_a_running_run);
  tcase_add_test(t, redrive_runs_the_failed_children_again);
  tcase_add_test(t, batches_of_selected_items);
  tcase_add_test(t, batches_by_bytes);
  tcase_add_test(t, batcher_paths);
  tcase_add_test(t, batcher_jsonata);
  tcase_add_test(t, batcher_refused);
  tcase_add_test(t, children_cannot_read_parent_variables);
  tcase_add_test(t, express_children);
  tcase_add_test(t, express_child_started_anew_on_redrive);
  tcase_add_test(t, nested_map_runs);
  tcase_add_test(t, inline_map_has_no_run);
  tcase_add_test(t, bad_requests);
  tcase_add_test(t, labelled_machines_go_with_their_owner);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
