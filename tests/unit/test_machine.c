/* Step Functions executions on a manual clock with workers = 0: every state
 * type, Choice operators, Wait timers, Retry timing with BackoffRate and
 * MaxDelaySeconds, Catch routing, Parallel and Map (concurrency, tolerated
 * failures), execution timeouts, StopExecution, history numbering,
 * variables, validation diagnostics, the states service and an SQS task. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/machine.h"
#include "awsevents/function.h"
#include "awsevents/queue.h"

#define T0 1704067200000LL /* the manual clock's default start */

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(7); }

static void teardown(void) { aev_broker_destroy(b); }

typedef struct result {
  int status;
  json_t *desc;    /* DescribeExecution */
  json_t *output;  /* parsed output or NULL */
  json_t *history; /* events */
} result;

static void result_free(result *r) {
  json_decref(r->desc);
  json_decref(r->output);
  json_decref(r->history);
}

static const char *error_of(result *r) { return json_string_value(json_object_get(r->desc, "error")); }
static const char *cause_of(result *r) { return json_string_value(json_object_get(r->desc, "cause")); }

static aev_machine *machine(const char *def) {
  aev_machine *m = NULL;
  int rc = aev_machine_create(b, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m);
  ck_assert_msg(rc == AEV_OK, "create: %s %s", aev_errcode(), aev_errmsg());
  return m;
}

static void collect(aev_execution *e, result *r) {
  char *t = NULL;
  r->status = aev_execution_status(e);
  ck_assert_int_eq(aev_execution_describe(e, &t), AEV_OK);
  r->desc = json_loads(t, 0, NULL);
  aev_free(t);
  const char *out = json_string_value(json_object_get(r->desc, "output"));
  r->output = out ? json_loads(out, JSON_DECODE_ANY, NULL) : NULL;
  ck_assert_int_eq(aev_execution_history(e, &t), AEV_OK);
  json_t *h = json_loads(t, 0, NULL);
  r->history = json_incref(json_object_get(h, "events"));
  json_decref(h);
  aev_free(t);
}

/* Creates a machine, runs one execution to its end (jumping the clock over
 * timers) and collects what it did. */
static result run(const char *def, const char *input) {
  aev_machine *m = machine(def);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, input, strlen(input), &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  result r;
  collect(e, &r);
  aev_execution_release(e);
  aev_machine_delete(m);
  aev_machine_release(m);
  return r;
}

static void output_is(result *r, const char *want) {
  json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
  char *got = r->output ? json_dumps(r->output, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  ck_assert_msg(r->status == AEV_EXECUTION_SUCCEEDED, "status %d: %s %s", r->status, error_of(r),
                cause_of(r));
  ck_assert_msg(json_equal(r->output, w), "output %s, want %s", got, want);
  free(got);
  json_decref(w);
}

static void fails_with(result *r, const char *error, const char *cause) {
  ck_assert_int_eq(r->status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(r), error);
  if (cause) ck_assert_str_eq(cause_of(r), cause);
}

/* def's execution on input, which must fail with error and cause. */
static void run_fails(const char *def, const char *input, const char *error, const char *cause) {
  result r = run(def, input);
  fails_with(&r, error, cause);
  result_free(&r);
}

/* Seconds after the execution's start at which the n-th event of type
 * happened (-1: none). */
static double event_time(result *r, const char *type, int n) {
  double t0 = json_number_value(json_object_get(json_array_get(r->history, 0), "timestamp"));
  for (size_t i = 0; i < json_array_size(r->history); i++) {
    json_t *ev = json_array_get(r->history, i);
    if (strcmp(json_string_value(json_object_get(ev, "type")), type)) continue;
    if (n-- == 0) return json_number_value(json_object_get(ev, "timestamp")) - t0;
  }
  return -1;
}

static int count_events(result *r, const char *type) {
  int n = 0;
  for (size_t i = 0; i < json_array_size(r->history); i++)
    n += !strcmp(json_string_value(json_object_get(json_array_get(r->history, i), "type")), type);
  return n;
}

#define ONE(state) "{\"StartAt\":\"S\",\"States\":{\"S\":" state "}}"

START_TEST(pass_data_flow) {
  result r = run(ONE("{\"Type\":\"Pass\",\"InputPath\":\"$.in\",\"Parameters\":{\"v.$\":\"$.x\",\"c\":1},"
                     "\"ResultPath\":\"$.in.res\",\"OutputPath\":\"$.in\",\"End\":true}"),
                 "{\"in\":{\"x\":5},\"other\":true}");
  output_is(&r, "{\"x\":5,\"res\":{\"v\":5,\"c\":1}}");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Pass\",\"Result\":{\"a.$\":\"$.x\"},\"ResultPath\":null,\"End\":true}"), "{\"x\":1}");
  output_is(&r, "{\"x\":1}");
  result_free(&r);
  /* Result is literal: ".$" keys are not evaluated. */
  r = run(ONE("{\"Type\":\"Pass\",\"Result\":{\"a.$\":\"$.x\"},\"End\":true}"), "{\"x\":1}");
  output_is(&r, "{\"a.$\":\"$.x\"}");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Pass\",\"InputPath\":null,\"OutputPath\":null,\"End\":true}"), "{\"x\":1}");
  output_is(&r, "{}");
  result_free(&r);
}
END_TEST

START_TEST(missing_input_path_is_runtime_error) {
  result r = run("{\"StartAt\":\"pass\",\"States\":{\"pass\":{\"Type\":\"Pass\",\"InputPath\":"
                 "\"$.NoSuchInputPath\",\"End\":true}}}",
                 "{}");
  fails_with(&r, "States.Runtime",
             "An error occurred while executing the state 'pass' (entered at the event id #2). "
             "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
  result_free(&r);
}
END_TEST

START_TEST(history_shape) {
  /* AWS's event sequence and numbering for Pass -> Wait -> Succeed: each
   * event follows the one before, but the first state's Entered follows
   * none (LocalStack's snapshots, recorded against AWS). */
  result r = run("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Next\":\"W\"},"
                 "\"W\":{\"Type\":\"Wait\",\"Seconds\":3,\"Next\":\"S\"},\"S\":{\"Type\":\"Succeed\"}}}",
                 "{\"a\":1}");
  static const char *const types[] = {"ExecutionStarted", "PassStateEntered", "PassStateExited",
                                      "WaitStateEntered", "WaitStateExited", "SucceedStateEntered",
                                      "SucceedStateExited", "ExecutionSucceeded"};
  ck_assert_uint_eq(json_array_size(r.history), 8);
  for (size_t i = 0; i < 8; i++) {
    json_t *ev = json_array_get(r.history, i);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), types[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(ev, "id")), (json_int_t)i + 1);
    ck_assert_int_eq(json_integer_value(json_object_get(ev, "previousEventId")), i == 1 ? 0 : (json_int_t)i);
  }
  json_t *entered = json_object_get(json_array_get(r.history, 1), "stateEnteredEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(entered, "name")), "P");
  ck_assert_str_eq(json_string_value(json_object_get(entered, "input")), "{\"a\":1}");
  json_t *started = json_object_get(json_array_get(r.history, 0), "executionStartedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(started, "input")), "{\"a\":1}");
  ck_assert(event_time(&r, "WaitStateExited", 0) == 3.0);
  ck_assert(json_number_value(json_object_get(r.desc, "stopDate")) * 1000 == T0 + 3000);
  result_free(&r);
}
END_TEST

/* The history stores each state's input and output by reference and writes
 * their text when read: a value taken from "$$" must keep the context as it
 * was (State.Name "A"), in the output and in A's recorded output, although
 * B changes $$.State afterwards. */
START_TEST(context_values_are_snapshots) {
  result r = run("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Parameters\":"
                 "{\"c.$\":\"$$\"},\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\",\"End\":true}}}",
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  json_t *state = json_object_get(json_object_get(r.output, "c"), "State");
  ck_assert_str_eq(json_string_value(json_object_get(state, "Name")), "A");
  json_t *exited = json_object_get(json_array_get(r.history, 2), "stateExitedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(exited, "name")), "A");
  json_t *out = json_loads(json_string_value(json_object_get(exited, "output")), 0, NULL);
  ck_assert(json_equal(out, r.output));
  json_decref(out);
  result_free(&r);
}
END_TEST

/* A history read while the execution runs lists the events so far; read
 * again at the end, the same events come first, byte for byte. */
START_TEST(history_read_while_running) {
  aev_machine *m = machine("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":"
                           "{\"r\":1},\"ResultPath\":\"$.p\",\"Next\":\"W\"},\"W\":{\"Type\":"
                           "\"Wait\",\"Seconds\":5,\"End\":true}}}");
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{\"a\":1}", 7, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *early = NULL, *late = NULL;
  ck_assert_int_eq(aev_execution_history(e, &early), AEV_OK);
  json_t *h = json_loads(early, 0, NULL);
  json_t *events = json_object_get(h, "events");
  ck_assert_uint_eq(json_array_size(events), 4); /* Started, P in/out, W entered */
  json_t *w = json_object_get(json_array_get(events, 3), "stateEnteredEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(w, "input")), "{\"a\":1,\"p\":{\"r\":1}}");
  json_decref(h);
  ck_assert_int_eq(aev_broker_advance(b, 5000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  ck_assert_int_eq(aev_execution_history(e, &late), AEV_OK);
  /* Everything before the closing "]}" of the early read is a prefix. */
  ck_assert(!strncmp(early, late, strlen(early) - 2));
  ck_assert_uint_gt(strlen(late), strlen(early));
  aev_free(early);
  aev_free(late);
  aev_execution_release(e);
  aev_machine_release(m);
}
END_TEST

/* One Choice rule on input: "yes" or "no". */
static int choose(const char *rule, const char *input) {
  char def[2048];
  snprintf(def, sizeof def,
           "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[%s],"
           "\"Default\":\"N\"},\"Y\":{\"Type\":\"Pass\",\"Result\":\"yes\",\"End\":true},"
           "\"N\":{\"Type\":\"Pass\",\"Result\":\"no\",\"End\":true}}}",
           rule);
  result r = run(def, input);
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s: %s", rule, cause_of(&r));
  int yes = !strcmp(json_string_value(r.output), "yes");
  result_free(&r);
  return yes;
}

#define RULE(op, operand) "{\"Variable\":\"$.v\",\"" op "\":" operand ",\"Next\":\"Y\"}"

START_TEST(choice_comparisons) {
  const char *num = "{\"v\":5,\"w\":5,\"s\":\"b\",\"t\":\"2024-01-01T00:00:00Z\",\"f\":true}";
  ck_assert(choose(RULE("NumericEquals", "5"), num));
  ck_assert(!choose(RULE("NumericEquals", "6"), num));
  ck_assert(choose(RULE("NumericLessThan", "6"), num));
  ck_assert(choose(RULE("NumericGreaterThan", "4.5"), num));
  ck_assert(choose(RULE("NumericLessThanEquals", "5"), num));
  ck_assert(choose(RULE("NumericGreaterThanEquals", "5"), num));
  ck_assert(choose(RULE("NumericEqualsPath", "\"$.w\""), num));
  ck_assert(!choose(RULE("NumericLessThanPath", "\"$.w\""), num));
  /* a type mismatch is false, not an error */
  ck_assert(!choose(RULE("StringEquals", "\"5\""), num));
  const char *str = "{\"v\":\"b\",\"w\":\"c\"}";
  ck_assert(choose(RULE("StringEquals", "\"b\""), str));
  ck_assert(choose(RULE("StringLessThan", "\"c\""), str));
  ck_assert(choose(RULE("StringGreaterThan", "\"a\""), str));
  ck_assert(choose(RULE("StringLessThanEquals", "\"b\""), str));
  ck_assert(choose(RULE("StringGreaterThanEqualsPath", "\"$.v\""), str));
  ck_assert(choose(RULE("StringLessThanPath", "\"$.w\""), str));
  const char *ts = "{\"v\":\"2024-01-01T00:00:00Z\",\"w\":\"2024-01-01T01:00:00+01:00\"}";
  ck_assert(choose(RULE("TimestampEquals", "\"2024-01-01T00:00:00.000Z\""), ts));
  ck_assert(choose(RULE("TimestampEqualsPath", "\"$.w\""), ts));
  ck_assert(choose(RULE("TimestampLessThan", "\"2024-01-01T00:00:01Z\""), ts));
  ck_assert(choose(RULE("TimestampGreaterThan", "\"2023-12-31T23:59:59Z\""), ts));
  ck_assert(choose(RULE("TimestampLessThanEquals", "\"2024-01-01T00:00:00Z\""), ts));
  ck_assert(choose(RULE("TimestampGreaterThanEquals", "\"2024-01-01T00:00:00Z\""), ts));
  /* Nine fraction digits count: these two differ inside one millisecond. */
  const char *ns = "{\"v\":\"2024-01-01T00:00:00.1231Z\"}";
  ck_assert(!choose(RULE("TimestampEquals", "\"2024-01-01T00:00:00.1239Z\""), ns));
  ck_assert(choose(RULE("TimestampLessThan", "\"2024-01-01T00:00:00.123100001Z\""), ns));
  ck_assert(choose(RULE("TimestampEquals", "\"2024-01-01T00:00:00.123100000Z\""), ns));
  ck_assert(choose(RULE("BooleanEquals", "true"), "{\"v\":true}"));
  ck_assert(choose(RULE("BooleanEqualsPath", "\"$.w\""), "{\"v\":false,\"w\":false}"));
}
END_TEST

START_TEST(choice_tests_and_logic) {
  ck_assert(choose(RULE("IsNull", "true"), "{\"v\":null}"));
  /* false means "is not" */
  ck_assert(choose(RULE("IsNull", "false"), "{\"v\":1}"));
  ck_assert(!choose(RULE("IsNull", "false"), "{\"v\":null}"));
  ck_assert(choose(RULE("IsPresent", "false"), "{}"));
  ck_assert(choose(RULE("IsNumeric", "true"), "{\"v\":1.5}"));
  ck_assert(choose(RULE("IsString", "true"), "{\"v\":\"x\"}"));
  ck_assert(choose(RULE("IsBoolean", "true"), "{\"v\":false}"));
  ck_assert(choose(RULE("IsTimestamp", "true"), "{\"v\":\"2016-03-14T01:59:00Z\"}"));
  ck_assert(!choose(RULE("IsTimestamp", "true"), "{\"v\":\"2016-03-14 01:59:00Z\"}"));
  /* February 29 exists in leap years only (2000 is one, 1900 is not). */
  ck_assert(choose(RULE("IsTimestamp", "true"), "{\"v\":\"2016-02-29T00:00:00Z\"}"));
  ck_assert(choose(RULE("IsTimestamp", "true"), "{\"v\":\"2000-02-29T00:00:00Z\"}"));
  ck_assert(!choose(RULE("IsTimestamp", "true"), "{\"v\":\"2015-02-29T00:00:00Z\"}"));
  ck_assert(!choose(RULE("IsTimestamp", "true"), "{\"v\":\"1900-02-29T00:00:00Z\"}"));
  ck_assert(!choose(RULE("TimestampEquals", "\"2015-03-01T00:00:00Z\""),
                    "{\"v\":\"2015-02-29T00:00:00Z\"}"));
  ck_assert(choose(RULE("StringMatches", "\"log-*.txt\""), "{\"v\":\"log-2024.txt\"}"));
  ck_assert(!choose(RULE("StringMatches", "\"log-*.txt\""), "{\"v\":\"log-2024.csv\"}"));
  ck_assert(choose(RULE("StringMatches", "\"a\\\\*b\""), "{\"v\":\"a*b\"}"));
  ck_assert(!choose(RULE("StringMatches", "\"a\\\\*b\""), "{\"v\":\"axxb\"}"));
  ck_assert(choose("{\"And\":[" RULE("NumericGreaterThan", "1") "," RULE("NumericLessThan", "9") "],\"Next\":\"Y\"}",
                   "{\"v\":5}"));
  ck_assert(!choose("{\"And\":[" RULE("NumericGreaterThan", "1") "," RULE("NumericLessThan", "3") "],\"Next\":\"Y\"}",
                    "{\"v\":5}"));
  ck_assert(choose("{\"Or\":[" RULE("NumericEquals", "1") "," RULE("NumericEquals", "5") "],\"Next\":\"Y\"}",
                   "{\"v\":5}"));
  ck_assert(choose("{\"Not\":" RULE("StringEquals", "\"x\"") ",\"Next\":\"Y\"}", "{\"v\":\"y\"}"));
}
END_TEST

START_TEST(choice_no_match) {
  result r = run("{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":"
                 "\"$.v\",\"NumericEquals\":1,\"Next\":\"Done\"}]},\"Done\":{\"Type\":\"Succeed\"}}}",
                 "{\"v\":2}");
  fails_with(&r, "States.NoChoiceMatched", NULL);
  result_free(&r);
}
END_TEST

/* A Choice looping forever ends as AWS ends it (measured): FAILED with
 * States.Runtime, ExecutionFailed being event 25,000 and the loop's last
 * exit 24,999. */
START_TEST(history_event_limit) {
  result r = run("{\"StartAt\":\"Loop\",\"States\":{\"Loop\":{\"Type\":\"Choice\",\"Choices\":[{"
                 "\"Variable\":\"$.spin\",\"BooleanEquals\":true,\"Next\":\"Loop\"}],\"Default\":\"Done\"},"
                 "\"Done\":{\"Type\":\"Succeed\"}}}",
                 "{\"spin\":true}");
  fails_with(&r, "States.Runtime", "The execution reached the maximum number of history events (25000).");
  ck_assert_uint_eq(json_array_size(r.history), 25000);
  json_t *last = json_array_get(r.history, 24999), *before = json_array_get(r.history, 24998);
  ck_assert_str_eq(json_string_value(json_object_get(last, "type")), "ExecutionFailed");
  ck_assert_int_eq(json_integer_value(json_object_get(last, "id")), 25000);
  ck_assert_int_eq(json_integer_value(json_object_get(last, "previousEventId")), 24999);
  ck_assert_str_eq(json_string_value(json_object_get(before, "type")), "ChoiceStateExited");
  result_free(&r);
}
END_TEST

START_TEST(wait_is_a_timer) {
  /* A year-long Wait: nothing runs until the clock reaches it. */
  aev_machine *m = machine(ONE("{\"Type\":\"Wait\",\"Seconds\":31536000,\"End\":true}"));
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "year", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  int64_t at;
  ck_assert_int_eq(aev_broker_next_deadline(b, &at), AEV_OK);
  ck_assert_int_eq(at, T0 + 31536000000LL);
  ck_assert_int_eq(aev_broker_advance(b, 31536000000LL - 1), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  aev_execution_release(e);
  aev_machine_release(m);
}
END_TEST

START_TEST(wait_variants) {
  result r = run(ONE("{\"Type\":\"Wait\",\"Timestamp\":\"2024-01-01T00:01:00Z\",\"End\":true}"), "{}");
  ck_assert(event_time(&r, "WaitStateExited", 0) == 60.0);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Wait\",\"SecondsPath\":\"$.s\",\"End\":true}"), "{\"s\":7}");
  ck_assert(event_time(&r, "WaitStateExited", 0) == 7.0);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Wait\",\"TimestampPath\":\"$.t\",\"End\":true}"),
          "{\"t\":\"2024-01-01T00:02:00.123456789Z\"}");
  ck_assert(json_number_value(json_object_get(r.desc, "stopDate")) * 1000 == T0 + 120123);
  result_free(&r);
  r = run("{\"StartAt\":\"WaitState\",\"States\":{\"WaitState\":{\"Type\":\"Wait\",\"SecondsPath\":"
          "\"$.s\",\"End\":true}}}",
          "{\"s\":-1}");
  fails_with(&r, "States.Runtime",
             "An error occurred while executing the state 'WaitState' (entered at the event id #2). "
             "The SecondsPath parameter references a negative value: $.s == -1");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Wait\",\"TimestampPath\":\"$.t\",\"End\":true}"), "{\"t\":\"2016-12-05 21:29:29Z\"}");
  fails_with(&r, "States.Runtime", NULL);
  result_free(&r);
}
END_TEST

START_TEST(fail_state) {
  result r = run(ONE("{\"Type\":\"Fail\",\"Error\":\"E\",\"Cause\":\"C\"}"), "{}");
  fails_with(&r, "E", "C");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r.history, 2), "type")),
                   "ExecutionFailed");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Fail\",\"ErrorPath\":\"$.e\",\"CausePath\":\"States.Format('because {}', $.c)\"}"),
          "{\"e\":\"Err\",\"c\":\"reasons\"}");
  fails_with(&r, "Err", "because reasons");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Fail\",\"Error\":\"E\"}"), "{}");
  /* a member AWS has no value for is absent, never null */
  json_t *d = json_object_get(json_array_get(r.history, 2), "executionFailedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "error")), "E");
  ck_assert_ptr_null(json_object_get(d, "cause"));
  result_free(&r);
  r = run(ONE("{\"Type\":\"Fail\"}"), "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_ptr_null(error_of(&r));
  ck_assert_uint_eq(json_object_size(json_object_get(json_array_get(r.history, 2), "executionFailedEventDetails")), 0);
  result_free(&r);
}
END_TEST

/* A Parallel whose branch always fails with E: a retriable state. */
#define FAILING(extra)                                                                        \
  "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":[{\"StartAt\":\"F\"," \
  "\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"E\",\"Cause\":\"boom\"}}}]" extra          \
  ",\"Next\":\"Caught\"},\"Caught\":{\"Type\":\"Pass\",\"End\":true}}}"

START_TEST(retry_timing) {
  /* Delays 2, 6, 18 capped at 10 by MaxDelaySeconds. */
  result r = run(FAILING(",\"Retry\":[{\"ErrorEquals\":[\"E\"],\"IntervalSeconds\":2,\"BackoffRate\":3,"
                         "\"MaxAttempts\":3,\"MaxDelaySeconds\":10}]"),
                 "{}");
  fails_with(&r, "E", "boom");
  ck_assert_int_eq(count_events(&r, "ParallelStateStarted"), 4);
  ck_assert(event_time(&r, "ParallelStateStarted", 0) == 0);
  ck_assert(event_time(&r, "ParallelStateStarted", 1) == 2);
  ck_assert(event_time(&r, "ParallelStateStarted", 2) == 8);
  ck_assert(event_time(&r, "ParallelStateStarted", 3) == 18);
  result_free(&r);
  /* Defaults: 1 s, backoff 2, 3 attempts. MaxAttempts 0 never retries. */
  r = run(FAILING(",\"Retry\":[{\"ErrorEquals\":[\"States.ALL\"]}]"), "{}");
  ck_assert(event_time(&r, "ParallelStateStarted", 3) == 7);
  result_free(&r);
  r = run(FAILING(",\"Retry\":[{\"ErrorEquals\":[\"E\"],\"MaxAttempts\":0}]"), "{}");
  ck_assert_int_eq(count_events(&r, "ParallelStateStarted"), 1);
  result_free(&r);
  /* FULL jitter: each delay within [0, the computed delay]. */
  r = run(FAILING(",\"Retry\":[{\"ErrorEquals\":[\"E\"],\"IntervalSeconds\":4,\"MaxAttempts\":1,"
                  "\"JitterStrategy\":\"FULL\"}]"),
          "{}");
  double t = event_time(&r, "ParallelStateStarted", 1);
  ck_assert(t >= 0 && t <= 4);
  result_free(&r);
}
END_TEST

START_TEST(catch_routing) {
  result r = run(FAILING(",\"Catch\":[{\"ErrorEquals\":[\"Other\"],\"Next\":\"Caught\"},{\"ErrorEquals\":"
                         "[\"States.ALL\"],\"ResultPath\":\"$.err\",\"Next\":\"Caught\"}]"),
                 "{\"keep\":1}");
  output_is(&r, "{\"keep\":1,\"err\":{\"Error\":\"E\",\"Cause\":\"boom\"}}");
  result_free(&r);
  /* States.ALL does not catch States.Runtime. */
  r = run("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"InputPath\":\"$.nope\","
          "\"Branches\":[{\"StartAt\":\"X\",\"States\":{\"X\":{\"Type\":\"Pass\",\"End\":true}}}],"
          "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"C\"}],\"End\":true},"
          "\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
          "{}");
  fails_with(&r, "States.Runtime", NULL);
  result_free(&r);
}
END_TEST

START_TEST(parallel_results_and_failure) {
  result r = run("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
                 "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Wait\",\"Seconds\":5,\"Next\":\"A2\"},"
                 "\"A2\":{\"Type\":\"Pass\",\"Result\":\"a\",\"End\":true}}},"
                 "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Result\":\"b\",\"End\":true}}}],"
                 "\"ResultSelector\":{\"first.$\":\"$[0]\",\"all.$\":\"$\"},\"End\":true}}}",
                 "{}");
  output_is(&r, "{\"first\":\"a\",\"all\":[\"a\",\"b\"]}");
  ck_assert_int_eq(count_events(&r, "ParallelStateSucceeded"), 1);
  result_free(&r);
  r = run(FAILING(""), "{}");
  fails_with(&r, "E", "boom");
  ck_assert_int_eq(count_events(&r, "ParallelStateFailed"), 1);
  result_free(&r);
}
END_TEST

#define MAP(fields, inner)                                                                      \
  "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\"," fields ",\"ItemProcessor\":{\"StartAt\":" \
  "\"I\",\"States\":" inner "},\"End\":true}}}"

START_TEST(map_concurrency) {
  result r = run(MAP("\"ItemsPath\":\"$.items\",\"MaxConcurrency\":2,\"ItemSelector\":{\"i.$\":"
                     "\"$$.Map.Item.Index\",\"v.$\":\"$$.Map.Item.Value\",\"k.$\":\"$.k\"}",
                     "{\"I\":{\"Type\":\"Wait\",\"Seconds\":10,\"End\":true}}"),
                 "{\"items\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"k\":0}");
  output_is(&r, "[{\"i\":0,\"v\":\"a\",\"k\":0},{\"i\":1,\"v\":\"b\",\"k\":0},{\"i\":2,\"v\":\"c\",\"k\":0},"
                "{\"i\":3,\"v\":\"d\",\"k\":0},{\"i\":4,\"v\":\"e\",\"k\":0}]");
  ck_assert(event_time(&r, "MapIterationStarted", 1) == 0);
  ck_assert(event_time(&r, "MapIterationStarted", 2) == 10);
  ck_assert(event_time(&r, "MapIterationStarted", 3) == 10);
  ck_assert(event_time(&r, "MapIterationStarted", 4) == 20);
  ck_assert(event_time(&r, "MapStateSucceeded", 0) == 30);
  result_free(&r);
  /* MaxConcurrency 0: all at once. */
  r = run(MAP("\"MaxConcurrency\":0", "{\"I\":{\"Type\":\"Wait\",\"Seconds\":10,\"End\":true}}"), "[1,2,3]");
  ck_assert(event_time(&r, "MapStateSucceeded", 0) == 10);
  result_free(&r);
}
END_TEST

#define ODD_FAILS                                                                            \
  "{\"I\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$\",\"NumericEquals\":1,\"Next\":"    \
  "\"F\"}],\"Default\":\"OK\"},\"F\":{\"Type\":\"Fail\",\"Error\":\"Odd\"},\"OK\":{\"Type\":" \
  "\"Pass\",\"End\":true}}"

START_TEST(map_tolerated_failures) {
  result r = run(MAP("\"ToleratedFailureCount\":2", ODD_FAILS), "[1,0,1,0]");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_int_eq(count_events(&r, "MapIterationFailed"), 2);
  result_free(&r);
  r = run(MAP("\"ToleratedFailureCount\":1", ODD_FAILS), "[1,0,1,0]");
  fails_with(&r, "States.ExceedToleratedFailureThreshold", NULL);
  result_free(&r);
  r = run(MAP("\"ToleratedFailurePercentage\":50", ODD_FAILS), "[1,0,1,0]");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  result_free(&r);
  r = run(MAP("\"ToleratedFailurePercentagePath\":\"$$.Execution.Input.p\",\"ItemsPath\":\"$.i\"", ODD_FAILS),
          "{\"i\":[1,1,0],\"p\":50}");
  fails_with(&r, "States.ExceedToleratedFailureThreshold", NULL);
  result_free(&r);
  /* Without a tolerance the item's own error fails the Map. */
  r = run(MAP("\"MaxConcurrency\":1", ODD_FAILS), "[0,1]");
  fails_with(&r, "Odd", NULL);
  result_free(&r);
  r = run(MAP("\"ItemBatcher\":{\"MaxItemsPerBatch\":2,\"BatchInput\":{\"b\":1}}",
              "{\"I\":{\"Type\":\"Pass\",\"End\":true}}"),
          "[1,2,3]");
  output_is(&r, "[{\"BatchInput\":{\"b\":1},\"Items\":[1,2]},{\"BatchInput\":{\"b\":1},\"Items\":[3]}]");
  result_free(&r);
}
END_TEST

START_TEST(variables_and_scope) {
  result r = run("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Assign\":{\"x\":1,\"y.$\":\"$.in\"},"
                 "\"Next\":\"M\"},\"M\":{\"Type\":\"Map\",\"ItemsPath\":\"$.list\",\"ItemProcessor\":"
                 "{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"Assign\":{\"inner.$\":\"$x\"},"
                 "\"Parameters\":{\"x.$\":\"$x\",\"item.$\":\"$\"},\"End\":true}}},\"ResultPath\":\"$.out\","
                 "\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\",\"Parameters\":{\"y.$\":\"$y\",\"out.$\":\"$.out\"},"
                 "\"End\":true}}}",
                 "{\"in\":\"v\",\"list\":[7,8]}");
  output_is(&r, "{\"y\":\"v\",\"out\":[{\"x\":1,\"item\":7},{\"x\":1,\"item\":8}]}");
  result_free(&r);
  /* a variable assigned inside a Map iteration is not visible outside */
  r = run("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemProcessor\":{\"StartAt\":\"I\","
          "\"States\":{\"I\":{\"Type\":\"Pass\",\"Assign\":{\"inner\":1},\"End\":true}}},\"Next\":\"B\"},"
          "\"B\":{\"Type\":\"Pass\",\"Parameters\":{\"v.$\":\"$inner\"},\"End\":true}}}",
          "[1]");
  fails_with(&r, "States.Runtime", NULL);
  result_free(&r);
}
END_TEST

START_TEST(execution_timeout_and_stop) {
  result r = run("{\"TimeoutSeconds\":5,\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":60,"
                 "\"End\":true}}}",
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_TIMED_OUT);
  ck_assert(event_time(&r, "ExecutionTimedOut", 0) == 5);
  /* As AWS answers (measured): States.Timeout in the history alone, in an
   * event that follows from none, and no error or cause described. */
  ck_assert_ptr_null(json_object_get(r.desc, "error"));
  ck_assert_ptr_null(json_object_get(r.desc, "cause"));
  json_t *last = json_array_get(r.history, json_array_size(r.history) - 1);
  ck_assert_int_eq(json_integer_value(json_object_get(last, "previousEventId")), 0);
  json_t *d = json_object_get(last, "executionTimedOutEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "error")), "States.Timeout");
  ck_assert_ptr_null(json_object_get(d, "cause"));
  result_free(&r);
  aev_machine *m = machine(ONE("{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}"));
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "stopme", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  ck_assert_int_eq(aev_execution_stop(e, "Why", "Because"), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_ABORTED);
  /* the Wait's timer went with it */
  int64_t at;
  ck_assert_int_eq(aev_broker_next_deadline(b, &at), AEV_ERR_NOT_FOUND);
  ck_assert_int_eq(aev_execution_stop(e, NULL, NULL), AEV_OK);
  result rr;
  collect(e, &rr);
  ck_assert_str_eq(error_of(&rr), "Why");
  ck_assert_int_eq(count_events(&rr, "ExecutionAborted"), 1);
  /* Like the timeout, it follows from no event (LocalStack's recorded
   * test_stop_execution: previousEventId 0 after WaitStateEntered). */
  json_t *aborted = json_array_get(rr.history, json_array_size(rr.history) - 1);
  ck_assert_str_eq(json_string_value(json_object_get(aborted, "type")), "ExecutionAborted");
  ck_assert_int_eq(json_integer_value(json_object_get(aborted, "previousEventId")), 0);
  result_free(&rr);
  aev_execution_release(e);
  aev_machine_release(m);
}
END_TEST

START_TEST(names_and_idempotency) {
  aev_machine *m = machine(ONE("{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}"));
  aev_execution *e1, *e2, *e3 = NULL;
  ck_assert_int_eq(aev_machine_start(m, "run1", "{\"a\":1}", 7, &e1), AEV_OK);
  ck_assert_int_eq(aev_machine_start(m, "run1", "{\"a\":1}", 7, &e2), AEV_OK);
  ck_assert_ptr_eq(e1, e2);
  ck_assert_int_eq(aev_machine_start(m, "run1", "{\"a\":2}", 7, &e3), AEV_ERR_EXISTS);
  ck_assert_str_eq(aev_errcode(), "ExecutionAlreadyExists");
  ck_assert_int_eq(aev_machine_start(m, "bad name", "{}", 2, &e3), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidName");
  ck_assert_int_eq(aev_machine_start(m, "x", "{nope", 5, &e3), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidExecutionInput");
  ck_assert_ptr_null(e3);
  ck_assert_str_eq(aev_execution_arn(e1), "arn:aws:states:us-east-1:000000000000:execution:m:run1");
  aev_execution_release(e1);
  aev_execution_release(e2);
  aev_machine_release(m);
}
END_TEST

static void invalid(const char *def, const char *code, const char *location);

/* n copies of the character c (UTF-8) in buf. */
static const char *repeat(char *buf, const char *c, int n) {
  buf[0] = 0;
  for (int i = 0; i < n; i++) strcat(buf, c);
  return buf;
}

/* AWS counts a name's 1-80 in characters (past them: ValidationException),
 * and refuses the control characters U+007F-009F and U+FFFE-FFFF and
 * U+10FFFF besides ASCII's (InvalidName). */
START_TEST(names_count_characters) {
  char name[400];
  const char *def = ONE("{\"Type\":\"Pass\",\"End\":true}");
  aev_machine *m = NULL, *m2 = NULL;
  ck_assert_int_eq(aev_machine_create(b, repeat(name, "\xe6\xbc\xa2", 80), def, strlen(def), AEV_MACHINE_STANDARD, &m),
                   AEV_OK);
  ck_assert_int_eq(aev_machine_create(b, repeat(name, "\xe6\xbc\xa2", 81), def, strlen(def), AEV_MACHINE_STANDARD, &m2),
                   AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_ptr_null(m2);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, repeat(name, "\xc3\xa9", 80), "{}", 2, &e), AEV_OK);
  aev_execution_release(e);
  e = NULL;
  ck_assert_int_eq(aev_machine_start(m, repeat(name, "\xc3\xa9", 81), "{}", 2, &e), AEV_ERR_INVALID);
  /* the length is the API model's constraint, answered as AWS does */
  char want[600];
  snprintf(want, sizeof want, "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: "
           "Member must have length less than or equal to 80", name);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), want);
  ck_assert_int_eq(aev_machine_start(m, "", "{}", 2, &e), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  static const char *const refused[] = {"a\xc2\x85", "a\xc2\x9f", "a\xef\xbf\xbe", "a\xef\xbf\xbf",
                                        "a\xf4\x8f\xbf\xbf", "a\xed\xa0\x80", "a\xc3"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    ck_assert_msg(aev_machine_start(m, refused[i], "{}", 2, &e) == AEV_ERR_INVALID, "%zu", i);
    ck_assert_str_eq(aev_errcode(), "InvalidName");
  }
  ck_assert_int_eq(aev_machine_start(m, "\xc2\xa1\xef\xbf\xbd\xf0\x9f\x98\x80", "{}", 2, &e), AEV_OK);
  aev_execution_release(e);
  aev_machine_release(m);
}
END_TEST

/* The ASL spec: a state name has at most 80 Unicode characters. */
START_TEST(state_names_count_characters) {
  char name[400], def[600];
  snprintf(def, sizeof def, "{\"StartAt\":\"%s\",\"States\":{\"%s\":{\"Type\":\"Pass\",\"End\":true}}}",
           repeat(name, "\xc3\xa9", 80), name);
  aev_machine_release(machine(def));
  snprintf(def, sizeof def, "{\"StartAt\":\"%s\",\"States\":{\"%s\":{\"Type\":\"Pass\",\"End\":true}}}",
           repeat(name, "\xc3\xa9", 81), name);
  char loc[200];
  snprintf(loc, sizeof loc, "/States/%s", name);
  invalid(def, "SCHEMA_VALIDATION_FAILED", loc);
}
END_TEST

static void invalid(const char *def, const char *code, const char *location) {
  char *t = NULL;
  ck_assert_int_eq(aev_machine_validate(def, strlen(def), AEV_MACHINE_STANDARD, &t), AEV_OK);
  json_t *v = json_loads(t, 0, NULL);
  ck_assert_msg(!strcmp(json_string_value(json_object_get(v, "result")), "FAIL"), "%s", t);
  json_t *d = json_array_get(json_object_get(v, "diagnostics"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(d, "severity")), "ERROR");
  ck_assert_msg(!strcmp(json_string_value(json_object_get(d, "code")), code), "%s", t);
  ck_assert_msg(!strcmp(json_string_value(json_object_get(d, "location")), location), "%s", t);
  json_decref(v);
  aev_free(t);
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "bad", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidDefinition");
  ck_assert_ptr_null(m);
}

/* machine.h: validate takes type "as for create" and "fails only on bad
 * arguments": an unknown type is refused as create and aev_call's
 * ValidateStateMachineDefinition refuse it (it answered OK). */
START_TEST(validate_refuses_an_unknown_type) {
  const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  char *t = NULL;
  ck_assert_int_eq(aev_machine_validate(def, strlen(def), 9, &t), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value at 'type' failed to satisfy "
                                 "constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]");
  ck_assert_ptr_null(t);
  ck_assert_int_eq(aev_machine_validate(def, strlen(def), AEV_MACHINE_EXPRESS, &t), AEV_OK);
  aev_free(t);
}
END_TEST

/* Text that is not JSON, described in Jackson's words as AWS answers it
 * (LocalStack's recorded test_invalid_start_execution_input and
 * test_validate_state_machine_definition_not_a_definition[NOT_A_DEF]). */
START_TEST(json_errors_in_jacksons_words) {
  char *t = NULL;
  ck_assert_int_eq(aev_machine_validate("not a definition", 16, AEV_MACHINE_STANDARD, &t), AEV_OK);
  ck_assert_str_eq(t, "{\"result\":\"FAIL\",\"diagnostics\":[{\"severity\":\"ERROR\",\"code\":"
                      "\"INVALID_JSON_DESCRIPTION\",\"message\":\"Unrecognized token 'not': was expecting (JSON "
                      "String, Number, Array, Object or token 'null', 'true' or 'false')\\n at [Source: (String)"
                      "\\\"not a definition\\\"; line: 1, column: 4]\",\"location\":\"[Source: (String)\\\"not a "
                      "definition\\\"; line: 1, column: 4]\"}],\"truncated\":false}");
  aev_free(t);
  aev_machine *m = machine(ONE("{\"Type\":\"Pass\",\"End\":true}"));
  static const struct {
    const char *input, *why;
  } cases[] = {
      {"not some json", "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token "
                        "'null', 'true' or 'false')"},
      {"{'not': 'json'", "Unexpected character (''' (code 39)): was expecting double-quote to start field name"},
      {"", "Invalid execution input."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    aev_execution *e = NULL;
    char want[256];
    snprintf(want, sizeof want, "Invalid State Machine Execution Input: '%s'", cases[i].why);
    ck_assert_int_eq(aev_machine_start(m, NULL, cases[i].input, strlen(cases[i].input), &e), AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "InvalidExecutionInput");
    ck_assert_str_eq(aev_errmsg(), want);
    ck_assert_ptr_null(e);
  }
  aev_machine_release(m);
}
END_TEST

START_TEST(validation) {
  char *t = NULL;
  const char *ok = ONE("{\"Type\":\"Pass\",\"End\":true}");
  ck_assert_int_eq(aev_machine_validate(ok, strlen(ok), AEV_MACHINE_STANDARD, &t), AEV_OK);
  ck_assert_str_eq(t, "{\"result\":\"OK\",\"diagnostics\":[],\"truncated\":false}");
  aev_free(t);
  invalid("{\"States\":{}}", "SCHEMA_VALIDATION_FAILED", "/");
  invalid("not json", "INVALID_JSON_DESCRIPTION", "[Source: (String)\"not json\"; line: 1, column: 4]");
  /* jansson's error quotes the first byte of a two-byte character. */
  invalid("\"\\\xc4\xae", "INVALID_JSON_DESCRIPTION", "/");
  invalid(ONE("{\"Type\":\"Pass\",\"Next\":\"Nowhere\"}"), "MISSING_TRANSITION_TARGET", "/States/S/Next");
  invalid(ONE("{\"Type\":\"Pass\",\"End\":true,\"Bogus\":1}"), "SCHEMA_VALIDATION_FAILED", "/States/S");
  invalid(ONE("{\"Type\":\"Wait\",\"Timestamp\":\"2016-12-05 21:29:29\",\"End\":true}"),
          "SCHEMA_VALIDATION_FAILED", "/States/S/Timestamp");
  invalid(ONE("{\"Type\":\"Pass\",\"InputPath\":\"nope\",\"End\":true}"), "SCHEMA_VALIDATION_FAILED",
          "/States/S/InputPath");
  invalid(ONE("{\"Type\":\"Pass\",\"Parameters\":{\"x.$\":\"States.Nope()\"},\"End\":true}"),
          "SCHEMA_VALIDATION_FAILED", "/States/S/Parameters");
  /* JSONPath fields are not JSONata's; a JSONata machine's state cannot go
   * back to JSONPath; expressions must compile. */
  invalid("{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Pass\","
          "\"InputPath\":\"$.a\",\"End\":true}}}",
          "SCHEMA_VALIDATION_FAILED", "/States/S");
  invalid("{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Pass\","
          "\"QueryLanguage\":\"JSONPath\",\"End\":true}}}",
          "SCHEMA_VALIDATION_FAILED", "/States/S");
  invalid(ONE("{\"Type\":\"Pass\",\"QueryLanguage\":\"JSONata\",\"Output\":\"{% $$x + %}\",\"End\":true}"),
          "INVALID_JSONATA_EXPRESSION", "/States/S/Output");
  /* Step Functions runs JSONata 2.0.6, which has no ?? or ?: */
  invalid(ONE("{\"Type\":\"Pass\",\"QueryLanguage\":\"JSONata\",\"Output\":{\"a\":\"{% $states.input.x ?? 1 %}\"},"
              "\"End\":true}"),
          "INVALID_JSONATA_EXPRESSION", "/States/S/Output");
  /* A bad expression inside an array is refused and what was compiled
   * before it is freed (ASan's leak check failed on it; found by fuzz_asl). */
  invalid(ONE("{\"Type\":\"Pass\",\"QueryLanguage\":\"JSONata\",\"Output\":[\"{% 1 %}\",[\"{% $x + %}\"]],"
              "\"End\":true}"),
          "INVALID_JSONATA_EXPRESSION", "/States/S/Output");
  invalid(ONE("{\"Type\":\"Pass\",\"Output\":{},\"End\":true}"), "SCHEMA_VALIDATION_FAILED",
          "/States/S");
  const char *sync = ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync\",\"End\":true}");
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "x", sync, strlen(sync), AEV_MACHINE_EXPRESS, &m), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidDefinition");
}
END_TEST

/* A Distributed Map's Label, as AWS's Distributed Map reference states it:
 * at most 40 characters (not bytes), no whitespace, no control characters
 * (U+0000-001F, U+007F-009F) and none of ? * < > { } [ ] : ; , \ | ^ ~ $ # % & ` ";
 * and not empty, since it names the Map Run. */
static const char *labelled_map(char *def, size_t cap, const char *label_json) {
  snprintf(def, cap,
           ONE("{\"Type\":\"Map\",\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\","
               "\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
               "\"End\":true}}},\"Label\":%s,\"End\":true}"),
           label_json);
  return def;
}

static void valid(const char *def) {
  char *t = NULL;
  ck_assert_int_eq(aev_machine_validate(def, strlen(def), AEV_MACHINE_STANDARD, &t), AEV_OK);
  ck_assert_msg(!strcmp(t, "{\"result\":\"OK\",\"diagnostics\":[],\"truncated\":false}"), "%s", t);
  aev_free(t);
}

START_TEST(map_label_rules) {
  char def[1024], label[200], json[220];
  snprintf(json, sizeof json, "\"%s\"", repeat(label, "\xc3\xa9", 40));
  valid(labelled_map(def, sizeof def, json));
  valid(labelled_map(def, sizeof def, "\"my-map_1.0/x+y=z@\""));
  snprintf(json, sizeof json, "\"%s\"", repeat(label, "a", 41));
  invalid(labelled_map(def, sizeof def, json), "SCHEMA_VALIDATION_FAILED", "/States/S/Label");
  invalid(labelled_map(def, sizeof def, "\"\""), "SCHEMA_VALIDATION_FAILED", "/States/S/Label");
  invalid(labelled_map(def, sizeof def, "7"), "SCHEMA_VALIDATION_FAILED", "/States/S/Label");
  static const char *const refused[] = {
      "a b", "a\\tb", "a\\u0001", "a\\u007f", "a\\u0085", "a\\u009f", "a\\u00a0", "a\\u2028", "a\\u3000",
      "a?", "a*", "a<", "a>", "a{", "a}", "a[", "a]", "a:", "a;", "a,", "a\\\\", "a|", "a^", "a~",
      "a$", "a#", "a%", "a&", "a`", "a\\\""};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    snprintf(json, sizeof json, "\"%s\"", refused[i]);
    invalid(labelled_map(def, sizeof def, json), "SCHEMA_VALIDATION_FAILED", "/States/S/Label");
  }
}
END_TEST

static json_t *call(const char *action, const char *req, int want_rc) {
  char *out = NULL;
  int rc = aev_call(b, "states", action, req, &out);
  ck_assert_msg(rc == want_rc, "%s: %d %s", action, rc, out);
  json_t *v = json_loads(out, 0, NULL);
  aev_free(out);
  return v;
}

START_TEST(states_service) {
  json_t *v = call("CreateStateMachine",
                   "{\"name\":\"svc\",\"definition\":\"{\\\"StartAt\\\":\\\"W\\\",\\\"States\\\":{\\\"W\\\":"
                   "{\\\"Type\\\":\\\"Wait\\\",\\\"Seconds\\\":1,\\\"End\\\":true}}}\",\"roleArn\":\"arn:aws:iam::000000000000:role/r\"}",
                   AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "stateMachineArn")),
                   "arn:aws:states:us-east-1:000000000000:stateMachine:svc");
  json_decref(v);
  const char *arn = "\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:svc\"";
  char req[512];
  snprintf(req, sizeof req, "{%s,\"name\":\"e1\",\"input\":\"{\\\"k\\\":1}\"}", arn);
  v = call("StartExecution", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "executionArn")),
                   "arn:aws:states:us-east-1:000000000000:execution:svc:e1");
  json_decref(v);
  const char *ex = "{\"executionArn\":\"arn:aws:states:us-east-1:000000000000:execution:svc:e1\"}";
  v = call("DescribeExecution", ex, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "status")), "RUNNING");
  json_decref(v);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  v = call("DescribeExecution", ex, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "status")), "SUCCEEDED");
  ck_assert_str_eq(json_string_value(json_object_get(v, "output")), "{\"k\":1}");
  json_decref(v);
  v = call("GetExecutionHistory", "{\"executionArn\":\"arn:aws:states:us-east-1:000000000000:execution:svc:e1\","
                                  "\"reverseOrder\":true}",
           AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(v, "events"), 0), "type")),
                   "ExecutionSucceeded");
  json_decref(v);
  snprintf(req, sizeof req, "{%s}", arn);
  v = call("ListExecutions", req, AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(v, "executions")), 1);
  json_decref(v);
  v = call("StartSyncExecution", req, AEV_ERR_INVALID);
  ck_assert_str_eq(json_string_value(json_object_get(v, "__type")), "StateMachineTypeNotSupported");
  json_decref(v);
  v = call("DescribeExecution", "{\"executionArn\":\"arn:aws:states:us-east-1:000000000000:execution:svc:nope\"}",
           AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(json_string_value(json_object_get(v, "__type")), "ExecutionDoesNotExist");
  json_decref(v);
  v = call("DescribeStateMachine", "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:no\"}",
           AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(json_string_value(json_object_get(v, "__type")), "StateMachineDoesNotExist");
  json_decref(v);
  /* Deleting a machine that does not exist succeeds (LocalStack's recorded
   * test_delete_nonexistent_sm); a version ARN is still refused. */
  v = call("DeleteStateMachine", "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:no\"}",
           AEV_OK);
  ck_assert_uint_eq(json_object_size(v), 0);
  json_decref(v);
  v = call("DeleteStateMachine", "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:no:1\"}",
           AEV_ERR_NOT_FOUND);
  json_decref(v);
  v = call("CreateStateMachine", "{\"name\":\"ex\",\"type\":\"EXPRESS\",\"definition\":\"{\\\"StartAt\\\":\\\"P\\\","
                                 "\\\"States\\\":{\\\"P\\\":{\\\"Type\\\":\\\"Pass\\\",\\\"End\\\":true}}}\","
                                 "\"roleArn\":\"arn:aws:iam::000000000000:role/r\"}",
           AEV_OK);
  json_decref(v);
  v = call("StartSyncExecution", "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:ex\","
                                 "\"input\":\"[1]\"}",
           AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "status")), "SUCCEEDED");
  ck_assert_str_eq(json_string_value(json_object_get(v, "output")), "[1]");
  /* The least AWS bills (LocalStack's recorded test_start_sync_execution). */
  json_t *bill = json_object_get(v, "billingDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(bill, "billedDurationInMilliseconds")), 100);
  ck_assert_int_eq(json_integer_value(json_object_get(bill, "billedMemoryUsedInMB")), 64);
  ck_assert_int_eq(strncmp(json_string_value(json_object_get(v, "executionArn")),
                           "arn:aws:states:us-east-1:000000000000:express:ex:", 49),
                   0);
  /* No action on one execution takes an EXPRESS execution's ARN (LocalStack's
   * recorded test_start_async_describe_history_execution). */
  static const char *const by_arn[] = {"DescribeExecution", "StopExecution", "GetExecutionHistory"};
  for (size_t i = 0; i < 3; i++) {
    char ereq[300];
    snprintf(ereq, sizeof ereq, "{\"executionArn\":\"%s\"}", json_string_value(json_object_get(v, "executionArn")));
    json_t *refused = call(by_arn[i], ereq, AEV_ERR_INVALID);
    ck_assert_str_eq(json_string_value(json_object_get(refused, "__type")), "InvalidArn");
    ck_assert_str_eq(json_string_value(json_object_get(refused, "message")),
                     "Invalid Arn: 'Resource type not valid in this context: express'");
    json_decref(refused);
  }
  json_decref(v);
  v = call("ValidateStateMachineDefinition", "{\"definition\":\"{}\"}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "result")), "FAIL");
  json_decref(v);
  /* "" is diagnosed, not refused (LocalStack's recorded
   * test_validate_state_machine_definition_not_a_definition[EMPTY_STRING]). */
  v = call("ValidateStateMachineDefinition", "{\"definition\":\"\"}", AEV_OK);
  json_t *want = json_pack("{s:s,s:[{s:s,s:s,s:s}],s:b}", "result", "FAIL", "diagnostics", "code",
                           "SCHEMA_VALIDATION_FAILED", "message", "Definition must be a valid JSON object", "severity",
                           "ERROR", "truncated", 0);
  ck_assert(json_equal(v, want));
  json_decref(want);
  json_decref(v);
  v = call("ListStateMachines", "{}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(v, "stateMachines")), 2);
  json_decref(v);
}
END_TEST

START_TEST(sqs_task) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "orders", NULL, &q), AEV_OK);
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"Parameters\":"
                     "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/orders\","
                     "\"MessageBody.$\":\"$\"},\"ResultSelector\":{\"md5.$\":\"$.MD5OfMessageBody\"},"
                     "\"End\":true}"),
                 "{\"order\":1}");
  /* MD5 of the body text {"order":1} */
  output_is(&r, "{\"md5\":\"190ad5fd0596a0629a0aa256937135a3\"}");
  ck_assert_int_eq(count_events(&r, "TaskSucceeded"), 1);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"Parameters\":"
              "{\"QueueUrl\":\"nope\",\"MessageBody\":\"x\"},\"End\":true}"),
          "{}");
  fails_with(&r, "SQS.QueueDoesNotExistException", NULL);
  result_free(&r);
  /* MessageAttributes go with the message, and the answer holds their
   * MD5 (LocalStack's test_send_message_attributes, recorded against
   * AWS); bad ones fail the task as SQS answers and send nothing */
  aev_message *msgs[1];
  size_t n = 0;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, msgs, &n), AEV_OK); /* the first run's */
  ck_assert_uint_eq(n, 1);
  aev_message_free(msgs[0]);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"Parameters\":"
              "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/orders\",\"MessageBody\":\"b\","
              "\"MessageAttributes\":{\"k\":{\"DataType\":\"String\",\"StringValue.$\":\"$.v\"}}},\"End\":true}"),
          "{\"v\":\"Hello\"}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  aev_receive_options *all;
  ck_assert_int_eq(aev_receive_options_new(&all), AEV_OK);
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, all, msgs, &n), AEV_OK);
  aev_receive_options_free(all);
  ck_assert_uint_eq(n, 1);
  char *attrs = aev_message_attributes_json(msgs[0]);
  ck_assert_str_eq(attrs, "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"Hello\"}}");
  aev_free(attrs);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "MD5OfMessageAttributes")),
                   aev_message_md5_of_attributes(msgs[0]));
  aev_message_free(msgs[0]);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"Parameters\":"
              "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/orders\",\"MessageBody\":\"b\","
              "\"MessageAttributes\":{\"k\":{\"StringValue\":\"no type\"}}},\"End\":true}"),
          "{}");
  fails_with(&r, "SQS.AmazonSQSException", NULL);
  result_free(&r);
  n = 9;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, msgs, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  aev_queue_release(q);
}
END_TEST

/* cause, less its request id, is want followed by the Java SDK's
 * "(Service: ...; Request ID: <uuid>; Proxy: null)" ending. */
static void sdk_cause_is(result *r, const char *want) {
  const char *cause = cause_of(r), *id = strstr(cause, "; Request ID: ");
  ck_assert_ptr_nonnull(id);
  ck_assert_int_eq((int)(id - cause), (int)strlen(want));
  ck_assert(!strncmp(cause, want, strlen(want)));
  ck_assert_uint_eq(strlen(id), strlen("; Request ID: ") + 36 + strlen("; Proxy: null)"));
  ck_assert_str_eq(id + strlen("; Request ID: ") + 36, "; Proxy: null)");
}

/* A service integration's error reads as AWS's Java SDK reports it, as
 * recorded against AWS (LocalStack's test_sns_task_service
 * test_publish_base_error_topic_arn, test_task_service_sqs
 * test_send_message_empty_body, test_task_service_sfn
 * test_start_execution_no_such_arn, test_task_service_lambda
 * test_no_such_function). */
START_TEST(service_errors_read_as_the_sdk_reports_them) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "orders", NULL, &q), AEV_OK);
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sns:publish\",\"Parameters\":"
                     "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:none\",\"Message\":{\"m\":1}},\"End\":true}"),
                 "{}");
  fails_with(&r, "SNS.NotFoundException", NULL);
  sdk_cause_is(&r, "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound");
  result_free(&r);
  /* a null MessageBody is none; nothing is sent */
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"Parameters\":"
              "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/orders\",\"MessageBody.$\":\"$.b\"},"
              "\"End\":true}"),
          "{\"b\":null}");
  fails_with(&r, "SQS.AmazonSQSException", NULL);
  sdk_cause_is(&r, "The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; "
                   "Error Code: MissingParameter");
  result_free(&r);
  aev_message *msgs[1];
  size_t n = 9;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, msgs, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:none\"},\"End\":true}"),
          "{}");
  fails_with(&r, "StepFunctions.StateMachineDoesNotExistException", NULL);
  sdk_cause_is(&r, "State Machine Does Not Exist: 'arn:aws:states:us-east-1:000000000000:stateMachine:none' "
                   "(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist");
  result_free(&r);
  /* the function by its ARN (test_task_service_lambda test_no_such_function) */
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Parameters\":"
              "{\"FunctionName\":\"no_such\"},\"End\":true}"),
          "{}");
  fails_with(&r, "Lambda.ResourceNotFoundException", NULL);
  sdk_cause_is(&r, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no_such (Service: AWSLambda; "
                   "Status Code: 404; Error Code: ResourceNotFoundException");
  result_free(&r);
  aev_queue_release(q);
}
END_TEST

START_TEST(data_limit) {
  result r = run(ONE("{\"Type\":\"Pass\",\"Parameters\":{\"a.$\":\"States.ArrayRange(1, 1000, 1)\","
                     "\"b.$\":\"States.ArrayPartition(States.ArrayRange(1, 1000, 1), 1)\"},\"End\":true}"),
                 "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  result_free(&r);
  char *big = malloc(300000);
  ck_assert_ptr_nonnull(big);
  memset(big, 'a', 299990);
  memcpy(big, "[\"", 2);
  strcpy(big + 299990, "\"]");
  aev_machine *m = machine(ONE("{\"Type\":\"Pass\",\"End\":true}"));
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, big, strlen(big), &e), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidExecutionInput");
  free(big);
  aev_machine_release(m);
}
END_TEST


/* A handler: {"fail": "Type"} fails with that errorType, {"hang": true}
 * completes only when the test says so (through hung), anything else is
 * echoed with "seen": true. */
static aev_invocation *hung;

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  json_t *ev = json_loadb(event, len, 0, NULL);
  const char *fail = json_string_value(json_object_get(ev, "fail"));
  if (fail) {
    aev_invocation_fail(ctx, fail, "it failed");
  } else if (json_is_true(json_object_get(ev, "hang"))) {
    hung = ctx;
  } else {
    json_object_set_new(ev, "seen", json_true());
    char *t = json_dumps(ev, JSON_COMPACT);
    aev_invocation_succeed(ctx, t, strlen(t));
    free(t);
  }
  json_decref(ev);
}

static void make_function(void) {
  ck_assert_int_eq(aev_function_create(b, "fn", "{\"Timeout\":900}", handler, NULL, NULL, NULL), AEV_OK);
}

/* {"a":"<n times c>"}: a document of 8 + n * strlen(c) bytes. */
static char *big_doc(const char *c, size_t n) {
  size_t k = strlen(c);
  char *d = malloc(8 + n * k + 1);
  memcpy(d, "{\"a\":\"", 6);
  for (size_t i = 0; i < n; i++) memcpy(d + 6 + i * k, c, k);
  strcpy(d + 6 + n * k, "\"}");
  return d;
}

/* AWS's 256 KiB counts UTF-8 bytes, at each state's output and each
 * task's result, not only at the execution's end: a state over it fails
 * with States.DataLimitExceeded (which States.ALL does not catch), even
 * when a later state, a ResultSelector or an OutputPath would shrink it. */
START_TEST(data_limit_per_state) {
  make_function();
  char *at_limit = big_doc("\xc3\xa9", (262144 - 8) / 2);
  ck_assert_uint_eq(strlen(at_limit), 262144);
  result r = run(ONE("{\"Type\":\"Pass\",\"End\":true}"), at_limit);
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  result_free(&r);
  r = run("{\"StartAt\":\"P1\",\"States\":{\"P1\":{\"Type\":\"Pass\",\"Parameters\":{\"a.$\":\"$.a\",\"b.$\":\"$.a\"},"
          "\"Next\":\"P2\"},\"P2\":{\"Type\":\"Pass\",\"OutputPath\":\"$.a\",\"End\":true}}}",
          at_limit);
  fails_with(&r, "States.DataLimitExceeded",
             "The state/task 'P1' returned a result with a size exceeding the maximum number of bytes service limit.");
  ck_assert_int_eq(count_events(&r, "PassStateExited"), 0);
  result_free(&r);
  free(at_limit);
  /* the function echoes its event with "seen": true, past the limit: a
   * task's result over the limit fails the task (TaskFailed), names the
   * integration's type, and States.ALL catches it (LocalStack's test_states_errors, validated
   * against AWS: ..._data_limit_exceeded_on_large_utf8_response) */
  char *near = big_doc("x", 262144 - 8 - 6);
  static const char *const too_large =
      "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.";
  r = run("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
          "\"Parameters\":{\"FunctionName\":\"fn\",\"Payload.$\":\"$\"},\"ResultSelector\":{\"c.$\":\"$.StatusCode\"},"
          "\"End\":true}}}",
          near);
  fails_with(&r, "States.DataLimitExceeded", too_large);
  ck_assert_int_eq(count_events(&r, "TaskFailed"), 1);
  result_free(&r);
  r = run("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
          "\"Parameters\":{\"FunctionName\":\"fn\",\"Payload.$\":\"$\"},"
          "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"C\"}],\"End\":true},"
          "\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
          near);
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "Error")), "States.DataLimitExceeded");
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "Cause")), too_large);
  result_free(&r);
  /* a Lambda ARN resource is named by its ARN */
  r = run("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
          "\"arn:aws:lambda:us-east-1:000000000000:function:fn\",\"End\":true}}}",
          near);
  fails_with(&r, "States.DataLimitExceeded",
             "The state/task 'arn:aws:lambda:us-east-1:000000000000:function:fn' returned a result with a size "
             "exceeding the maximum number of bytes service limit.");
  ck_assert_int_eq(count_events(&r, "LambdaFunctionFailed"), 1);
  result_free(&r);
  free(near);
}
END_TEST

/* String comparisons take the strings whole: "a\u0000b" (decoded from
 * base64) is neither equal to "a" nor less than it. */
START_TEST(string_compare_whole) {
  result r = run("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":{\"v.$\":"
                 "\"States.Base64Decode('YQBi')\"},\"Next\":\"C\"},\"C\":{\"Type\":\"Choice\",\"Choices\":["
                 "{\"Variable\":\"$.v\",\"StringEquals\":\"a\",\"Next\":\"Eq\"},"
                 "{\"Variable\":\"$.v\",\"StringLessThanEquals\":\"a\",\"Next\":\"Eq\"},"
                 "{\"Variable\":\"$.v\",\"StringGreaterThan\":\"a\",\"Next\":\"Gt\"}],\"Default\":\"Eq\"},"
                 "\"Eq\":{\"Type\":\"Pass\",\"Result\":\"wrong\",\"End\":true},"
                 "\"Gt\":{\"Type\":\"Pass\",\"Result\":\"greater\",\"End\":true}}}",
                 "{}");
  output_is(&r, "\"greater\"");
  result_free(&r);
}
END_TEST

/* StringMatches: a U+0000 is part of the text, and a pattern of many *s
 * against a long text that it misses answers at once (a backtracking
 * search took exponential time: this test would run into its timeout). */
START_TEST(string_matches_whole_and_fast) {
  /* The value (through an intrinsic when it holds U+0000), the pattern
   * (JSON text: \\\\* is a literal *), and the branch taken. */
  static const char *const cases[][4] = {
      {"v.$", "States.Base64Decode('YQBi')", "a", "no"},
      {"v.$", "States.Base64Decode('YQBi')", "a*", "yes"},
      {"v.$", "States.Base64Decode('YQBi')", "*b", "yes"},
      {"v", "x*y", "x\\\\**y", "yes"},
      {"v", "xzy", "x\\\\*y", "no"},
      {"v", "aab", "*a*b", "yes"},
      {"v", "", "*", "yes"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char def[1024];
    snprintf(def, sizeof def,
             "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":{\"%s\":"
             "\"%s\"},\"Next\":\"C\"},\"C\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.v\","
             "\"StringMatches\":\"%s\",\"Next\":\"Y\"}],\"Default\":\"N\"},"
             "\"Y\":{\"Type\":\"Pass\",\"Result\":\"yes\",\"End\":true},"
             "\"N\":{\"Type\":\"Pass\",\"Result\":\"no\",\"End\":true}}}",
             cases[i][0], cases[i][1], cases[i][2]);
    char want[16];
    snprintf(want, sizeof want, "\"%s\"", cases[i][3]);
    result r = run(def, "{}");
    char *got = r.output ? json_dumps(r.output, JSON_ENCODE_ANY) : NULL;
    ck_assert_msg(got && !strcmp(got, want), "case %zu: %s", i, got ? got : "(failed)");
    free(got);
    result_free(&r);
  }
  char input[20100] = "{\"v\":\"";
  memset(input + 6, 'a', 20000);
  strcpy(input + 20006, "\"}");
  result r = run("{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[{"
                 "\"Variable\":\"$.v\",\"StringMatches\":\"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\","
                 "\"Next\":\"Y\"}],\"Default\":\"N\"},\"Y\":{\"Type\":\"Pass\",\"Result\":\"yes\","
                 "\"End\":true},\"N\":{\"Type\":\"Pass\",\"Result\":\"no\",\"End\":true}}}",
                 input);
  output_is(&r, "\"no\"");
  result_free(&r);
}
END_TEST

START_TEST(lambda_tasks) {
  make_function();
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Parameters\":"
                     "{\"FunctionName\":\"fn\",\"Payload.$\":\"$\"},\"ResultSelector\":{\"p.$\":\"$.Payload\","
                     "\"code.$\":\"$.StatusCode\"},\"End\":true}"),
                 "{\"a\":1}");
  output_is(&r, "{\"p\":{\"a\":1,\"seen\":true},\"code\":200}");
  ck_assert_int_eq(count_events(&r, "TaskScheduled"), 1);
  ck_assert_int_eq(count_events(&r, "TaskSucceeded"), 1);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:fn\",\"End\":true}"),
          "{\"b\":2}");
  output_is(&r, "{\"b\":2,\"seen\":true}");
  ck_assert_int_eq(count_events(&r, "LambdaFunctionSucceeded"), 1);
  result_free(&r);
  /* a function error: the error is its errorType, retried and caught by name */
  r = run("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
          "\"Parameters\":{\"FunctionName\":\"fn\",\"Payload\":{\"fail\":\"CustomError\"}},\"Retry\":[{\"ErrorEquals\":"
          "[\"CustomError\"],\"MaxAttempts\":1}],\"Catch\":[{\"ErrorEquals\":[\"CustomError\"],\"Next\":\"C\"}],"
          "\"End\":true},\"C\":{\"Type\":\"Pass\",\"Parameters\":{\"e.$\":\"$.Error\"},\"End\":true}}}",
          "{}");
  output_is(&r, "{\"e\":\"CustomError\"}");
  ck_assert_int_eq(count_events(&r, "TaskFailed"), 2);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:nope\",\"End\":true}"),
          "{}");
  fails_with(&r, "Lambda.ResourceNotFoundException", NULL);
  result_free(&r);
}
END_TEST

START_TEST(task_timeouts) {
  make_function();
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\",\"TimeoutSeconds\":30,"
                     "\"Parameters\":{\"FunctionName\":\"fn\",\"Payload\":{\"hang\":true}},\"End\":true}"),
                 "{}");
  fails_with(&r, "States.Timeout", NULL);
  ck_assert(event_time(&r, "TaskTimedOut", 0) == 30);
  result_free(&r);
  /* the late result is dropped */
  ck_assert_ptr_nonnull(hung);
  ck_assert_int_eq(aev_invocation_succeed(hung, "{}", 2), AEV_OK);
  hung = NULL;
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  r = run("{\"StartAt\":\"task\",\"States\":{\"task\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
          "\"TimeoutSecondsPath\":\"$.NoSuchTimeoutSecondsPath\",\"Parameters\":{\"FunctionName\":\"fn\"},\"End\":true}}}",
          "{}");
  fails_with(&r, "States.Runtime",
             "An error occurred while executing the state 'task' (entered at the event id #2). Invalid path "
             "'$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']");
  ck_assert_int_eq(count_events(&r, "TaskScheduled"), 0);
  result_free(&r);
}
END_TEST

/* Starts a waitForTaskToken task that sends its token to a queue and
 * returns the token read back from the queue. */
static char *token_from_queue(aev_queue *q) {
  aev_message *msgs[1];
  size_t n = 0, len = 0;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, msgs, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  const char *text = aev_message_body(msgs[0], &len);
  json_t *body = json_loadb(text, len, 0, NULL);
  char *token = strdup(json_string_value(json_object_get(body, "token")));
  json_decref(body);
  aev_message_free(msgs[0]);
  return token;
}

#define WAIT_TASK(extra)                                                                              \
  ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\","         \
      "\"Parameters\":{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/tokens\","      \
      "\"MessageBody\":{\"token.$\":\"$$.Task.Token\"}}" extra ",\"End\":true}")

/* SendTaskFailure and StopExecution: an error of 0-256 and a cause of
 * 0-32768 characters (not bytes); past either the call is refused and the
 * execution goes on as it was. */
START_TEST(failure_reasons_count_characters) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "tokens", NULL, &q), AEV_OK);
  aev_machine *m = machine(WAIT_TASK(""));
  aev_execution *e1, *e2;
  ck_assert_int_eq(aev_machine_start(m, "f1", "{}", 2, &e1), AEV_OK);
  ck_assert_int_eq(aev_machine_start(m, "f2", "{}", 2, &e2), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *token = token_from_queue(q), *cause = malloc(2 * 32769 + 1), error[2 * 257 + 1];
  repeat(cause, "\xc3\xa9", 32769);
  repeat(error, "\xc3\xa9", 257);
  ck_assert_int_eq(aev_machine_send_task_failure(b, token, error, NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value at 'error' failed to satisfy constraint: "
                                 "Member must have length less than or equal to 256");
  ck_assert_int_eq(aev_machine_send_task_failure(b, token, "E", cause), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_int_eq(aev_execution_stop(e2, error, cause), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "2 validation errors detected: Value at 'error' failed to satisfy constraint: "
                                 "Member must have length less than or equal to 256; Value at 'cause' failed "
                                 "to satisfy constraint: Member must have length less than or equal to 32768");
  /* through the API, refused before the execution is looked up */
  char req[2 * 257 + 128];
  snprintf(req, sizeof req, "{\"executionArn\":\"arn:aws:states:us-east-1:000000000000:execution:m:none\","
           "\"error\":\"%s\"}", error);
  json_t *v = call("StopExecution", req, AEV_ERR_INVALID);
  ck_assert_str_eq(json_string_value(json_object_get(v, "__type")), "ValidationException");
  json_decref(v);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e1), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_execution_status(e2), AEV_EXECUTION_RUNNING);
  /* at the limits, in two-byte characters */
  error[2 * 256] = 0;
  cause[2 * 32768] = 0;
  ck_assert_int_eq(aev_machine_send_task_failure(b, token, error, cause), AEV_OK);
  ck_assert_int_eq(aev_execution_stop(e2, error, cause), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  result r;
  collect(e1, &r);
  fails_with(&r, error, cause);
  result_free(&r);
  ck_assert_int_eq(aev_execution_status(e2), AEV_EXECUTION_ABORTED);
  free(cause);
  free(token);
  aev_execution_release(e1);
  aev_execution_release(e2);
  aev_machine_release(m);
  aev_queue_release(q);
}
END_TEST

/* A token is answered once: after its task succeeded, while the execution
 * still runs (a Wait follows), another answer or a heartbeat for it is
 * TaskTimedOut, as AWS answers a token whose task is gone; the second
 * answer changes nothing. */
START_TEST(a_token_is_answered_once) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "tokens", NULL, &q), AEV_OK);
  aev_machine *m = machine(
      "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
      "\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\",\"Parameters\":"
      "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/tokens\",\"MessageBody\":"
      "{\"token.$\":\"$$.Task.Token\"}},\"Next\":\"W\"},"
      "\"W\":{\"Type\":\"Wait\",\"Seconds\":100,\"End\":true}}}");
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "once", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *token = token_from_queue(q);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{\"first\":1}", 11), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{\"second\":1}", 12), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "TaskTimedOut");
  ck_assert_str_eq(aev_errmsg(), "Task Timed Out: 'Provided task does not exist anymore'");
  ck_assert_int_eq(aev_machine_send_task_failure(b, token, "E", "c"), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "TaskTimedOut");
  ck_assert_int_eq(aev_machine_send_task_heartbeat(b, token), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "TaskTimedOut");
  ck_assert_int_eq(aev_broker_advance(b, 100000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  char *out = NULL;
  aev_execution_output(e, &out);
  ck_assert_str_eq(out, "{\"first\":1}");
  aev_free(out);
  free(token);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_queue_release(q);
}
END_TEST

/* A branch stopped because its sibling failed takes its token with it: the
 * execution goes on (the Parallel's failure is caught), and the token is
 * TaskTimedOut. */
START_TEST(a_stopped_branch_token_is_gone) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "tokens", NULL, &q), AEV_OK);
  aev_machine *m = machine(
      "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
      "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
      "\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\",\"Parameters\":"
      "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/tokens\",\"MessageBody\":"
      "{\"token.$\":\"$$.Task.Token\"}},\"End\":true}}},"
      "{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Wait\",\"Seconds\":1,\"Next\":\"F\"},"
      "\"F\":{\"Type\":\"Fail\",\"Error\":\"Boom\"}}}],"
      "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"W\"}],\"End\":true},"
      "\"W\":{\"Type\":\"Wait\",\"Seconds\":100,\"End\":true}}}");
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "stopped", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *token = token_from_queue(q);
  ck_assert_int_eq(aev_broker_advance(b, 2000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{}", 2), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "TaskTimedOut");
  ck_assert_int_eq(aev_broker_advance(b, 100000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  free(token);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_queue_release(q);
}
END_TEST

START_TEST(wait_for_task_token) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "tokens", NULL, &q), AEV_OK);
  aev_machine *m = machine(WAIT_TASK(",\"HeartbeatSeconds\":10"));
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "w1", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *token = token_from_queue(q);
  ck_assert_int_eq(aev_broker_advance(b, 8000), AEV_OK);
  ck_assert_int_eq(aev_machine_send_task_heartbeat(b, token), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 8000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{\"done\":1}", 10), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  char *out = NULL;
  aev_execution_output(e, &out);
  ck_assert_str_eq(out, "{\"done\":1}");
  aev_free(out);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{}", 2), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "TaskTimedOut");
  ck_assert_int_eq(aev_machine_send_task_success(b, "garbage", "{}", 2), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidToken");
  free(token);
  aev_execution_release(e);
  /* failure through the token, and a heartbeat that never comes */
  ck_assert_int_eq(aev_machine_start(m, "w2", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  token = token_from_queue(q);
  ck_assert_int_eq(aev_machine_send_task_failure(b, token, "Nope", "declined"), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  result r;
  collect(e, &r);
  fails_with(&r, "Nope", "declined");
  result_free(&r);
  free(token);
  aev_execution_release(e);
  /* a missed heartbeat reads States.Timeout (LocalStack's test_heartbeats
   * snapshots, recorded against AWS) */
  ck_assert_int_eq(aev_machine_start(m, "w3", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  collect(e, &r);
  fails_with(&r, "States.Timeout", NULL);
  ck_assert(event_time(&r, "TaskTimedOut", 0) == 10);
  json_t *d = json_object_get(json_array_get(r.history, json_array_size(r.history) - 2), "taskTimedOutEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "error")), "States.Timeout");
  result_free(&r);
  free(token_from_queue(q));
  aev_execution_release(e);
  aev_machine_delete(m);
  aev_machine_release(m);
  /* which a catcher of States.HeartbeatTimeout takes, as one of
   * States.Timeout does; a task's own timeout is not a missed heartbeat */
  static const char *const catchers[] = {"States.HeartbeatTimeout", "States.Timeout"};
  for (size_t i = 0; i < 2; i++) {
    char def[1024];
    snprintf(def, sizeof def,
             "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Task\",\"Resource\":"
             "\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\",\"HeartbeatSeconds\":10,\"Parameters\":"
             "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/tokens\",\"MessageBody.$\":"
             "\"$$.Task.Token\"},\"Catch\":[{\"ErrorEquals\":[\"%s\"],\"Next\":\"C\"}],\"End\":true},"
             "\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
             catchers[i]);
    r = run(def, "{}");
    ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
    ck_assert_str_eq(json_string_value(json_object_get(r.output, "Error")), "States.Timeout");
    result_free(&r);
    free(token_from_queue(q));
  }
  r = run("{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Task\",\"Resource\":"
          "\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\",\"TimeoutSeconds\":10,\"Parameters\":"
          "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/tokens\",\"MessageBody.$\":"
          "\"$$.Task.Token\"},\"Catch\":[{\"ErrorEquals\":[\"States.HeartbeatTimeout\"],\"Next\":\"C\"}],"
          "\"End\":true},\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
          "{}");
  fails_with(&r, "States.Timeout", NULL);
  result_free(&r);
  free(token_from_queue(q));
  aev_queue_release(q);
}
END_TEST


#define JSONATA(states) "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"A\",\"States\":{" states "}}"

START_TEST(jsonata_data_flow) {
  result r = run(JSONATA("\"A\":{\"Type\":\"Pass\",\"Assign\":{\"x.$\":1,\"y\":\"{% $states.input.n * 2 %}\"},"
                         "\"Output\":{\"sum\":\"{% $states.input.n + 1 %}\",\"lit\":\"text\"},\"Next\":\"C\"},"
                         "\"C\":{\"Type\":\"Choice\",\"Choices\":[{\"Condition\":\"{% $y > 5 %}\",\"Next\":\"B\","
                         "\"Output\":{\"y\":\"{% $y %}\",\"sum\":\"{% $states.input.sum %}\"}}],\"Default\":\"F\"},"
                         "\"B\":{\"Type\":\"Pass\",\"End\":true},\"F\":{\"Type\":\"Fail\",\"Error\":\"Low\"}"),
                 "{\"n\":3}");
  output_is(&r, "{\"y\":6,\"sum\":4}");
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Pass\",\"Output\":{\"result\":\"{% $doesNotExist %}\"},\"End\":true}"), "{}");
  fails_with(&r, "States.QueryEvaluationError",
             "An error occurred while executing the state 'A' (entered at the event id #2). The JSONata "
             "expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).");
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Wait\",\"Seconds\":\"{% $states.input.s %}\",\"End\":true}"), "{\"s\":9}");
  ck_assert(event_time(&r, "WaitStateExited", 0) == 9);
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Fail\",\"Error\":\"{% 'E' & $states.input.k %}\",\"Cause\":\"c\"}"), "{\"k\":7}");
  fails_with(&r, "E7", "c");
  result_free(&r);
}
END_TEST

START_TEST(jsonata_map_parallel_catch_task) {
  make_function();
  result r = run(JSONATA("\"A\":{\"Type\":\"Map\",\"Items\":\"{% $states.input.list %}\",\"ItemSelector\":"
                         "{\"v\":\"{% $states.context.Map.Item.Value %}\",\"i\":\"{% $states.context.Map.Item.Index %}\"},"
                         "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},"
                         "\"Output\":\"{% $states.result %}\",\"End\":true}"),
                 "{\"list\":[\"a\",\"b\"]}");
  output_is(&r, "[{\"v\":\"a\",\"i\":0},{\"v\":\"b\",\"i\":1}]");
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Parallel\",\"Arguments\":{\"k\":\"{% $states.input.k %}\"},\"Branches\":["
                  "{\"StartAt\":\"X\",\"States\":{\"X\":{\"Type\":\"Fail\",\"Error\":\"Bad\",\"Cause\":\"why\"}}}],"
                  "\"Catch\":[{\"ErrorEquals\":[\"Bad\"],\"Output\":{\"e\":\"{% $states.errorOutput.Error %}\"},"
                  "\"Assign\":{\"seen\":true},\"Next\":\"D\"}],\"End\":true},"
                  "\"D\":{\"Type\":\"Pass\",\"Output\":{\"e\":\"{% $states.input.e %}\",\"seen\":\"{% $seen %}\"},\"End\":true}"),
          "{\"k\":1}");
  output_is(&r, "{\"e\":\"Bad\",\"seen\":true}");
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Arguments\":"
                  "{\"FunctionName\":\"fn\",\"Payload\":{\"x\":\"{% $states.input.x %}\"}},"
                  "\"Output\":\"{% $states.result.Payload %}\",\"End\":true}"),
          "{\"x\":5}");
  output_is(&r, "{\"x\":5,\"seen\":true}");
  result_free(&r);
}
END_TEST


/* r's events as one string: their types, "A B C", and with links set,
 * each type's previousEventId after it, "A(0) B(1)". */
static void history_is(result *r, int links, const char *want) {
  char got[1024] = "";
  for (size_t i = 0; i < json_array_size(r->history); i++) {
    json_t *ev = json_array_get(r->history, i);
    size_t n = strlen(got);
    snprintf(got + n, sizeof got - n, links ? "%s%s(%lld)" : "%s%s", i ? " " : "",
             json_string_value(json_object_get(ev, "type")),
             (long long)json_integer_value(json_object_get(ev, "previousEventId")));
  }
  ck_assert_str_eq(got, want);
}

static json_int_t previous_of(result *r, size_t i) {
  return json_integer_value(json_object_get(json_array_get(r->history, i), "previousEventId"));
}

/* The details of r's event i of type type (NULL: none). */
static json_t *details_of(result *r, size_t i, const char *key, const char *type) {
  json_t *ev = json_array_get(r->history, i);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), type);
  return json_object_get(ev, key);
}

/* A task that waits records its call's answer in a TaskSubmitted event
 * between TaskStarted and the task's end: SendMessage's for
 * sqs:sendMessage.waitForTaskToken, StartExecution's for
 * states:startExecution.sync:2 (LocalStack's test_callback snapshots,
 * recorded against AWS). */
START_TEST(task_submitted_event) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "tokens", NULL, &q), AEV_OK);
  aev_machine *m = machine(WAIT_TASK(""));
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "s1", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *token = token_from_queue(q);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "\"done\"", 6), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  result r;
  collect(e, &r);
  history_is(&r, 1, "ExecutionStarted(0) TaskStateEntered(0) TaskScheduled(2) TaskStarted(3) TaskSubmitted(4) "
                    "TaskSucceeded(5) TaskStateExited(6) ExecutionSucceeded(7)");
  json_t *d = details_of(&r, 4, "taskSubmittedEventDetails", "TaskSubmitted");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resourceType")), "sqs");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "sendMessage.waitForTaskToken");
  ck_assert(json_is_false(json_object_get(json_object_get(d, "outputDetails"), "truncated")));
  json_t *out = json_loads(json_string_value(json_object_get(d, "output")), 0, NULL);
  ck_assert_uint_eq(json_string_length(json_object_get(out, "MD5OfMessageBody")), 32);
  ck_assert_ptr_nonnull(json_object_get(out, "MessageId"));
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(out, "SdkHttpMetadata"), "HttpStatusCode")), 200);
  json_decref(out);
  output_is(&r, "\"done\"");
  result_free(&r);
  free(token);
  aev_execution_release(e);
  aev_machine_delete(m);
  aev_machine_release(m);
  aev_queue_release(q);
  aev_machine *child;
  const char *cd = ONE("{\"Type\":\"Pass\",\"End\":true}");
  ck_assert_int_eq(aev_machine_create(b, "child", cd, strlen(cd), AEV_MACHINE_STANDARD, &child), AEV_OK);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync:2\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child\",\"Name\":\"c1\"},"
              "\"End\":true}"),
          "{}");
  history_is(&r, 0, "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskSucceeded "
                    "TaskStateExited ExecutionSucceeded");
  d = details_of(&r, 4, "taskSubmittedEventDetails", "TaskSubmitted");
  ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "startExecution.sync:2");
  out = json_loads(json_string_value(json_object_get(d, "output")), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(out, "ExecutionArn")),
                   "arn:aws:states:us-east-1:000000000000:execution:child:c1");
  ck_assert(json_is_number(json_object_get(out, "StartDate")));
  ck_assert_ptr_nonnull(json_object_get(out, "SdkResponseMetadata"));
  json_decref(out);
  result_free(&r);
  aev_machine_release(child);
}
END_TEST

/* A .sync task's output is the child's description under the Java SDK's
 * member names, Input and Output parsed for .sync:2; a failed child fails
 * the task with States.TaskFailed and that description, Error and Cause
 * in it, as the cause (LocalStack's test_callback snapshots, recorded
 * against AWS: test_start_execution_sync2, ..._sync_delegate_failure). */
START_TEST(sync_task_output) {
  aev_machine *ok, *bad;
  const char *okd = ONE("{\"Type\":\"Pass\",\"Result\":{\"Arg1\":\"argument1\"},\"End\":true}");
  const char *badd = ONE("{\"Type\":\"Fail\",\"Error\":\"SomeFailure\",\"Cause\":\"why\"}");
  ck_assert_int_eq(aev_machine_create(b, "ok", okd, strlen(okd), AEV_MACHINE_STANDARD, &ok), AEV_OK);
  ck_assert_int_eq(aev_machine_create(b, "bad", badd, strlen(badd), AEV_MACHINE_STANDARD, &bad), AEV_OK);
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync:2\",\"Parameters\":"
                     "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:ok\",\"Name\":\"T\"},"
                     "\"End\":true}"),
                 "{}");
  json_t *want = json_pack("{s:s,s:{},s:{s:b},s:s,s:{s:s},s:{s:b},s:s,s:s}", "ExecutionArn",
                           "arn:aws:states:us-east-1:000000000000:execution:ok:T", "Input", "InputDetails", "Included", 1,
                           "Name", "T", "Output", "Arg1", "argument1", "OutputDetails", "Included", 1, "StateMachineArn",
                           "arn:aws:states:us-east-1:000000000000:stateMachine:ok", "Status", "SUCCEEDED");
  ck_assert(json_is_integer(json_object_get(r.output, "StartDate")));
  ck_assert(json_is_integer(json_object_get(r.output, "StopDate")));
  json_object_del(r.output, "StartDate");
  json_object_del(r.output, "StopDate");
  ck_assert(json_equal(r.output, want));
  json_decref(want);
  result_free(&r);
  /* a null Input is none: the child's input is {} */
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:bad\",\"Name\":\"F\","
              "\"Input\":null},\"End\":true}"),
          "{}");
  const char *cause = json_string_value(json_object_get(r.desc, "cause"));
  ck_assert_str_eq(json_string_value(json_object_get(r.desc, "error")), "States.TaskFailed");
  json_t *c = json_loads(cause, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(c, "Error")), "SomeFailure");
  ck_assert_str_eq(json_string_value(json_object_get(c, "Cause")), "why");
  ck_assert_str_eq(json_string_value(json_object_get(c, "Status")), "FAILED");
  ck_assert_str_eq(json_string_value(json_object_get(c, "Input")), "{}");
  ck_assert_ptr_null(json_object_get(c, "Output"));
  ck_assert_ptr_null(json_object_get(c, "redriveCount"));
  json_decref(c);
  result_free(&r);
  aev_machine_release(ok);
  aev_machine_release(bad);
}
END_TEST

#define PASS_PROCESSOR "{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}}"
#define FAIL_PROCESSOR "{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Fail\",\"Error\":\"E\"}}}"

/* A JSONata expression that fails: an EvaluationFailed event with the
 * error, the cause, the field and the state, following the event that the
 * state's Entered follows; the execution's end follows it. The state
 * records no Exited (LocalStack's test_undefined_reference snapshots,
 * recorded against AWS). */
START_TEST(evaluation_failed_event) {
  result r = run(JSONATA("\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\","
                         "\"Output\":{\"result\":\"{% $doesNotExist %}\"},\"End\":true}"),
                 "{}");
  const char *cause = "An error occurred while executing the state 'B' (entered at the event id #4). The JSONata "
                      "expression '$doesNotExist' specified for the field 'Output/result' returned nothing "
                      "(undefined).";
  fails_with(&r, "States.QueryEvaluationError", cause);
  history_is(&r, 0, "ExecutionStarted PassStateEntered PassStateExited PassStateEntered EvaluationFailed "
                      "ExecutionFailed");
  json_t *d = json_object_get(json_array_get(r.history, 4), "evaluationFailedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "error")), "States.QueryEvaluationError");
  ck_assert_str_eq(json_string_value(json_object_get(d, "cause")), cause);
  ck_assert_str_eq(json_string_value(json_object_get(d, "location")), "Output/result");
  ck_assert_str_eq(json_string_value(json_object_get(d, "state")), "B");
  ck_assert_int_eq(previous_of(&r, 4), 3); /* B's Entered follows A's Exited, #3 */
  ck_assert_int_eq(previous_of(&r, 5), 5);
  result_free(&r);
  /* A Task whose Arguments fail is never scheduled. */
  r = run(JSONATA("\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
                  "\"Arguments\":{\"FunctionName\":\"{% $doesNotExist %}\"},\"End\":true}"),
          "{}");
  history_is(&r, 0, "ExecutionStarted TaskStateEntered EvaluationFailed ExecutionFailed");
  d = json_object_get(json_array_get(r.history, 2), "evaluationFailedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "location")), "Arguments/FunctionName");
  ck_assert_int_eq(previous_of(&r, 2), 0);
  result_free(&r);
  /* A Wait's follows its Entered event; a Map's is followed by
   * MapStateFailed, with no location when the Map's input is no array. */
  r = run(JSONATA("\"A\":{\"Type\":\"Wait\",\"Timestamp\":\"{% 'soon' %}\",\"End\":true}"), "{}");
  history_is(&r, 1, "ExecutionStarted(0) WaitStateEntered(0) EvaluationFailed(2) ExecutionFailed(3)");
  d = json_object_get(json_array_get(r.history, 2), "evaluationFailedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "location")), "Timestamp");
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Pass\",\"Next\":\"M\"},\"M\":{\"Type\":\"Map\",\"ItemProcessor\":"
                  "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}"),
          "1");
  history_is(&r, 1,
             "ExecutionStarted(0) PassStateEntered(0) PassStateExited(2) MapStateEntered(3) EvaluationFailed(3) "
             "MapStateFailed(5) ExecutionFailed(6)");
  ck_assert_ptr_null(json_object_get(json_object_get(json_array_get(r.history, 4), "evaluationFailedEventDetails"),
                                     "location"));
  result_free(&r);
  /* JSONPath's failures record none; a Map reads its tolerances after
   * MapStateStarted (recorded: test_map_state_tolerated_failure_count_path). */
  r = run(ONE("{\"Type\":\"Pass\",\"InputPath\":\"$.missing\",\"End\":true}"), "{}");
  history_is(&r, 0, "ExecutionStarted PassStateEntered ExecutionFailed");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Map\",\"ItemsPath\":\"$.items\",\"ToleratedFailureCountPath\":\"$.n\",\"ItemProcessor\":"
              PASS_PROCESSOR ",\"End\":true}"),
          "{\"items\":[1],\"n\":\"x\"}");
  history_is(&r, 1, "ExecutionStarted(0) MapStateEntered(0) MapStateStarted(2) ExecutionFailed(3)");
  result_free(&r);
}
END_TEST

/* The assignedVariables of r's event i, as one JSON text. */
static char *assigned_of(result *r, size_t i) {
  json_t *d = json_object_get(json_array_get(r->history, i), "stateExitedEventDetails");
  json_t *details = json_object_get(d, "assignedVariablesDetails");
  if (details) ck_assert(json_is_false(json_object_get(details, "truncated")));
  return json_dumps(json_object_get(d, "assignedVariables"), JSON_COMPACT | JSON_ENCODE_ANY);
}

/* A state that assigns variables names them in its Exited event, each
 * value as its JSON text (LocalStack's test_assign_base snapshots,
 * recorded against AWS); a Choice rule's Assign wins over the state's. */
START_TEST(assigned_variables_in_exited_events) {
  result r = run("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Assign\":{\"x\":42,\"s\":\"text\","
                 "\"items.$\":\"$.items\"},\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\",\"Assign\":{},\"End\":true}}}",
                 "{\"items\":[1,2,3]}");
  char *t = assigned_of(&r, 2);
  ck_assert_str_eq(t, "{\"x\":\"42\",\"s\":\"\\\"text\\\"\",\"items\":\"[1,2,3]\"}");
  free(t);
  t = assigned_of(&r, 4); /* B's empty Assign: no member (recorded: BASE_EMPTY) */
  ck_assert_ptr_null(t);
  result_free(&r);
  r = run(JSONATA("\"A\":{\"Type\":\"Choice\",\"Choices\":[{\"Condition\":\"{% $states.input.c %}\",\"Next\":\"B\","
                  "\"Assign\":{\"v\":\"rule\"}}],\"Default\":\"B\",\"Assign\":{\"v\":\"state\",\"w\":1}},"
                  "\"B\":{\"Type\":\"Pass\",\"Output\":{\"v\":\"{% $v %}\",\"w\":\"{% $w %}\"},\"End\":true}"),
          "{\"c\":true}");
  output_is(&r, "{\"v\":\"rule\",\"w\":1}");
  t = assigned_of(&r, 2);
  ck_assert_str_eq(t, "{\"v\":\"\\\"rule\\\"\",\"w\":\"1\"}");
  free(t);
  result_free(&r);
}
END_TEST

/* How AWS links the events of Map and Parallel states (LocalStack's
 * test_base_scenarios snapshots, recorded against AWS): an iteration's end
 * and the next iteration's start follow its last event; the state's
 * Succeeded and Exited both follow the last iteration's end (the last
 * branch event, for a Parallel); its failure follows the failing event,
 * and is recorded only when no retrier runs the state again. */
START_TEST(map_and_parallel_event_links) {
  result r = run(ONE("{\"Type\":\"Map\",\"MaxConcurrency\":1,\"ItemProcessor\":" PASS_PROCESSOR ",\"End\":true}"),
                 "[1,2]");
  history_is(&r, 1,
             "ExecutionStarted(0) MapStateEntered(0) MapStateStarted(2) MapIterationStarted(3) PassStateEntered(4) "
             "PassStateExited(5) MapIterationSucceeded(6) MapIterationStarted(6) PassStateEntered(8) "
             "PassStateExited(9) MapIterationSucceeded(10) MapStateSucceeded(11) MapStateExited(11) "
             "ExecutionSucceeded(13)");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Map\",\"ItemProcessor\":" FAIL_PROCESSOR ",\"Retry\":[{\"ErrorEquals\":[\"E\"],"
              "\"MaxAttempts\":1}],\"End\":true}"),
          "[1]");
  history_is(&r, 1,
             "ExecutionStarted(0) MapStateEntered(0) MapStateStarted(2) MapIterationStarted(3) FailStateEntered(4) "
             "MapIterationFailed(5) MapStateStarted(5) MapIterationStarted(7) FailStateEntered(8) "
             "MapIterationFailed(9) MapStateFailed(9) ExecutionFailed(11)");
  result_free(&r);
  r = run("{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Map\",\"ItemProcessor\":" FAIL_PROCESSOR
          ",\"Catch\":[{\"ErrorEquals\":[\"E\"],\"Next\":\"D\"}],\"End\":true},\"D\":{\"Type\":\"Pass\",\"End\":true}}}",
          "[1]");
  history_is(&r, 1,
             "ExecutionStarted(0) MapStateEntered(0) MapStateStarted(2) MapIterationStarted(3) FailStateEntered(4) "
             "MapIterationFailed(5) MapStateFailed(5) MapStateExited(7) PassStateEntered(8) PassStateExited(9) "
             "ExecutionSucceeded(10)");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Parallel\",\"Branches\":[" PASS_PROCESSOR "," PASS_PROCESSOR "],\"End\":true}"), "{}");
  history_is(&r, 1,
             "ExecutionStarted(0) ParallelStateEntered(0) ParallelStateStarted(2) PassStateEntered(3) "
             "PassStateExited(4) PassStateEntered(3) PassStateExited(6) ParallelStateSucceeded(7) "
             "ParallelStateExited(7) ExecutionSucceeded(9)");
  result_free(&r);
}
END_TEST

/* A JSONata Map over the input's items whose processor fails on an item
 * of 2 and waits 5 s on the others, with the fields given. */
#define JSONATA_MAP(fields)                                                                          \
  JSONATA("\"A\":{\"Type\":\"Map\",\"Items\":\"{% $states.input.items %}\"," fields                  \
          "\"ItemProcessor\":{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[" \
          "{\"Condition\":\"{% $states.input = 2 %}\",\"Next\":\"F\"}],\"Default\":\"W\"},"        \
          "\"F\":{\"Type\":\"Fail\",\"Error\":\"Two\"},\"W\":{\"Type\":\"Wait\",\"Seconds\":5,"     \
          "\"End\":true}}},\"End\":true}")

#define QEE "States.QueryEvaluationError"
#define AT_A "An error occurred while executing the state 'A' (entered at the event id #2). "

/* Under JSONata a Map's MaxConcurrency and tolerances, and a Task's
 * TimeoutSeconds and HeartbeatSeconds, may be "{% %}" expressions (AWS
 * accepts them: LocalStack's recorded test_base_evaluate_expressions),
 * evaluated when the state runs and checked then. */
START_TEST(jsonata_numeric_fields) {
  const char *conc = JSONATA_MAP("\"MaxConcurrency\":\"{% $states.input.c %}\",");
  result r = run(conc, "{\"items\":[1,3],\"c\":1}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert(event_time(&r, "ExecutionSucceeded", 0) == 10); /* one at a time */
  result_free(&r);
  r = run(conc, "{\"items\":[1,3],\"c\":0}");
  ck_assert(event_time(&r, "ExecutionSucceeded", 0) == 5); /* 0: no limit */
  result_free(&r);
  run_fails(conc, "{\"items\":[1,3],\"c\":\"two\"}", QEE,
            AT_A "The JSONata expression '$states.input.c' specified for the field 'MaxConcurrency' returned an "
                 "unexpected result type. Expected 'integer', but was 'string' for value: \"two\"");
  run_fails(conc, "{\"items\":[1,3],\"c\":1.5}", QEE,
            AT_A "The JSONata expression '$states.input.c' specified for the field 'MaxConcurrency' returned an "
                 "unexpected result type. Expected 'integer', but was 'number' for value: 1.5");
  run_fails(conc, "{\"items\":[1,3],\"c\":-1}", QEE,
            AT_A "The JSONata expression '$states.input.c' specified for the field 'MaxConcurrency' returned -1, "
                 "which is out of range: the field takes 0 to 2147483647.");
  run_fails(conc, "{\"items\":{\"a\":1},\"c\":1}", QEE,
            AT_A "The JSONata expression '$states.input.items' specified for the field 'Items' returned an "
                 "unexpected result type. Expected 'array', but was 'object' for value: {\"a\":1}");

  /* One item of three fails: a count of 1 or 33.4 % tolerates it. */
  const char *count = JSONATA_MAP("\"ToleratedFailureCount\":\"{% $states.input.n %}\",");
  r = run(count, "{\"items\":[1,2,3],\"n\":1}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  result_free(&r);
  run_fails(count, "{\"items\":[1,2,3],\"n\":0}", "States.ExceedToleratedFailureThreshold", NULL);
  const char *pct = JSONATA_MAP("\"ToleratedFailurePercentage\":\"{% $states.input.p %}\",");
  r = run(pct, "{\"items\":[1,2,3],\"p\":33.4}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  result_free(&r);
  run_fails(pct, "{\"items\":[1,2,3],\"p\":33.3}", "States.ExceedToleratedFailureThreshold", NULL);
  run_fails(pct, "{\"items\":[1,2,3],\"p\":101}", QEE,
            AT_A "The JSONata expression '$states.input.p' specified for the field 'ToleratedFailurePercentage' "
                 "returned 101, which is out of range: the field takes 0 to 100.");

  /* A Task's timeouts, named in its TaskScheduled event as AWS records. */
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "tokens", NULL, &q), AEV_OK);
  const char *task = JSONATA(
      "\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\","
      "\"Arguments\":{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/tokens\","
      "\"MessageBody\":\"{% $states.context.Task.Token %}\"},\"TimeoutSeconds\":\"{% $states.input.t %}\","
      "\"HeartbeatSeconds\":\"{% $states.input.t * 2 %}\",\"End\":true}");
  r = run(task, "{\"t\":7}");
  fails_with(&r, "States.Timeout", NULL);
  ck_assert(event_time(&r, "TaskTimedOut", 0) == 7);
  json_t *scheduled = json_object_get(json_array_get(r.history, 2), "taskScheduledEventDetails");
  ck_assert_int_eq(json_integer_value(json_object_get(scheduled, "timeoutInSeconds")), 7);
  ck_assert_int_eq(json_integer_value(json_object_get(scheduled, "heartbeatInSeconds")), 14);
  result_free(&r);
  r = run(task, "{\"t\":0}");
  fails_with(&r, QEE,
             AT_A "The JSONata expression '$states.input.t' specified for the field 'TimeoutSeconds' returned 0, "
                  "which is out of range: the field takes 1 to 99999999.");
  ck_assert_int_eq(count_events(&r, "TaskScheduled"), 0);
  result_free(&r);
  aev_queue_release(q);

  /* A string that is no expression is refused as before, and JSONPath
   * takes none. */
  invalid(JSONATA("\"A\":{\"Type\":\"Map\",\"MaxConcurrency\":\"fast\",\"ItemProcessor\":{\"StartAt\":\"P\","
                  "\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}"),
          "SCHEMA_VALIDATION_FAILED", "/States/A/MaxConcurrency");
  invalid("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\","
          "\"TimeoutSeconds\":\"{% 1 %}\",\"End\":true}}}",
          "SCHEMA_VALIDATION_FAILED", "/States/A/TimeoutSeconds");
}
END_TEST

/* Sets up over aev_call (the shapes users know); returns the response. */
static json_t *api(const char *service, const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, service, action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s %s: %s", service, action, out);
  json_t *v = json_loads(out, 0, NULL);
  aev_free(out);
  return v;
}

/* Bodies of the messages waiting in q (up to 10), as a JSON array. */
static json_t *drain_queue(aev_queue *q) {
  json_t *all = json_array();
  aev_message *msgs[10];
  size_t n = 0, len = 0;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, msgs, &n), AEV_OK);
  for (size_t i = 0; i < n; i++) {
    const char *body = aev_message_body(msgs[i], &len);
    json_array_append_new(all, json_loadb(body, len, 0, NULL));
    aev_message_free(msgs[i]);
  }
  return all;
}

/* The response metadata AWS's Java SDK leaves on sqs:sendMessage,
 * sns:publish and states:startExecution outputs (LocalStack's snapshots
 * recorded against AWS) and on lambda:invoke's (one seen from AWS): the
 * status 200, the headers (request id, the length of the service's own
 * response, 106 bytes of JSON and 294 of XML here, the date, the content
 * type, keep-alive (SNS's too, as recorded in 2024)), each also in
 * AllHttpHeaders as a list, and the
 * request id in SdkResponseMetadata too. */
static void has_sdk_metadata(json_t *out, const char *type, const char *length, const char *connection) {
  json_t *m = json_object_get(out, "SdkHttpMetadata"), *h = json_object_get(m, "HttpHeaders");
  json_t *all = json_object_get(m, "AllHttpHeaders");
  ck_assert_int_eq(json_integer_value(json_object_get(m, "HttpStatusCode")), 200);
  ck_assert_str_eq(json_string_value(json_object_get(h, "Content-Type")), type);
  ck_assert_str_eq(json_string_value(json_object_get(h, "Content-Length")), length);
  ck_assert_str_eq(json_string_value(json_object_get(h, "Date")), "Mon, 01 Jan 2024 00:00:00 GMT");
  const char *id = json_string_value(json_object_get(h, "x-amzn-RequestId"));
  ck_assert_uint_eq(strlen(id), 36);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(out, "SdkResponseMetadata"), "RequestId")), id);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(all, "Content-Length"), 0)), length);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(all, "x-amzn-RequestId"), 0)), id);
  ck_assert_str_eq(json_string_value(json_object_get(h, connection)), "keep-alive");
  ck_assert_int_eq(json_object_size(h), json_object_size(all));
}

START_TEST(sdk_metadata_on_task_outputs) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "orders", NULL, &q), AEV_OK);
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sqs:sendMessage\",\"Parameters\":"
                     "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/orders\","
                     "\"MessageBody.$\":\"$\"},\"End\":true}"),
                 "{\"order\":1}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  has_sdk_metadata(r.output, "application/x-amz-json-1.0", "106", "connection");
  result_free(&r);
  aev_queue_release(q);
  json_t *t = api("sns", "CreateTopic", "{\"Name\":\"news\"}");
  char def[512];
  snprintf(def, sizeof def,
           ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sns:publish\",\"Parameters\":"
               "{\"TopicArn\":\"%s\",\"Message\":\"hi\"},\"End\":true}"),
           json_string_value(json_object_get(t, "TopicArn")));
  json_decref(t);
  r = run(def, "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  has_sdk_metadata(r.output, "text/xml", "294", "connection");
  result_free(&r);
  /* StartExecution's answer: {"executionArn":"...","startDate":1.704067200123E9} */
  ck_assert_int_eq(aev_broker_advance(b, 123), AEV_OK);
  aev_machine *child;
  const char *cd = ONE("{\"Type\":\"Pass\",\"End\":true}");
  ck_assert_int_eq(aev_machine_create(b, "child", cd, strlen(cd), AEV_MACHINE_STANDARD, &child), AEV_OK);
  aev_machine_release(child);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child\",\"Name\":\"c1\"},"
              "\"End\":true}"),
          "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  char length[16];
  snprintf(length, sizeof length, "%zu",
           strlen("{\"executionArn\":\"arn:aws:states:us-east-1:000000000000:execution:child:c1\","
                  "\"startDate\":1.704067200123E9}"));
  has_sdk_metadata(r.output, "application/x-amz-json-1.0", length, "connection");
  result_free(&r);
  /* Invoke's answer is the function's payload: {"a":1,"seen":true} */
  make_function();
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Parameters\":"
              "{\"FunctionName\":\"fn\",\"Payload\":{\"a\":1}},\"End\":true}"),
          "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  has_sdk_metadata(r.output, "application/json", "19", "Connection");
  json_t *h = json_object_get(json_object_get(r.output, "SdkHttpMetadata"), "HttpHeaders");
  ck_assert_str_eq(json_string_value(json_object_get(h, "X-Amz-Executed-Version")), "$LATEST");
  ck_assert_str_eq(json_string_value(json_object_get(h, "x-amzn-Remapped-Content-Length")), "0");
  ck_assert_uint_eq(strlen(json_string_value(json_object_get(h, "X-Amzn-Trace-Id"))),
                    strlen("Root=1-6951d70a-3f43124672de60387a603d5d;Parent=4891daa21b62b07d;Sampled=0;Lineage=1:ddf3d3e0:0"));
  ck_assert_int_eq(json_integer_value(json_object_get(r.output, "StatusCode")), 200);
  result_free(&r);
}
END_TEST

START_TEST(service_integrations) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "sink", NULL, &q), AEV_OK);
  json_t *t = api("sns", "CreateTopic", "{\"Name\":\"news\"}");
  char req[512];
  snprintf(req, sizeof req, "{\"TopicArn\":\"%s\",\"Protocol\":\"sqs\",\"Endpoint\":\"%s\","
                            "\"Attributes\":{\"RawMessageDelivery\":\"true\"}}",
           json_string_value(json_object_get(t, "TopicArn")), aev_queue_arn(q));
  json_decref(api("sns", "Subscribe", req));
  char def[1024];
  snprintf(def, sizeof def,
           ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::sns:publish\",\"Parameters\":"
               "{\"TopicArn\":\"%s\",\"Message.$\":\"$\"},\"End\":true}"),
           json_string_value(json_object_get(t, "TopicArn")));
  json_decref(t);
  result r = run(def, "{\"hello\":1}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_uint_eq(strlen(json_string_value(json_object_get(r.output, "MessageId"))), 36);
  result_free(&r);
  json_t *got = drain_queue(q);
  ck_assert_uint_eq(json_array_size(got), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(got, 0), "hello")), 1);
  json_decref(got);
  /* events:putEvents to a rule that targets the queue: each event's
   * resources end with the state machine's and the execution's ARNs
   * (LocalStack's recorded test_put_events_base) */
  snprintf(req, sizeof req, "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"app\\\"]}\"}");
  json_decref(api("events", "PutRule", req));
  snprintf(req, sizeof req, "{\"Rule\":\"r\",\"Targets\":[{\"Id\":\"q\",\"Arn\":\"%s\"}]}", aev_queue_arn(q));
  json_decref(api("events", "PutTargets", req));
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::events:putEvents\",\"Parameters\":"
              "{\"Entries\":[{\"Source\":\"app\",\"DetailType\":\"order\",\"Detail\":{\"id.$\":\"$.id\"},"
              "\"Resources\":[\"urn:given\"]}]},\"End\":true}"),
          "{\"id\":42}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_int_eq(json_integer_value(json_object_get(r.output, "FailedEntryCount")), 0);
  const char *exec_arn = json_string_value(json_object_get(r.desc, "executionArn"));
  got = drain_queue(q);
  ck_assert_uint_eq(json_array_size(got), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(got, 0), "detail"), "id")), 42);
  json_t *res = json_object_get(json_array_get(got, 0), "resources");
  ck_assert_uint_eq(json_array_size(res), 3);
  ck_assert_str_eq(json_string_value(json_array_get(res, 0)), "urn:given");
  ck_assert_str_eq(json_string_value(json_array_get(res, 1)), "arn:aws:states:us-east-1:000000000000:stateMachine:m");
  ck_assert_str_eq(json_string_value(json_array_get(res, 2)), exec_arn);
  result_free(&r);
  json_decref(got);
  aev_queue_release(q);
}
END_TEST

START_TEST(status_change_events) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "changes", NULL, &q), AEV_OK);
  json_decref(api("events", "PutRule", "{\"Name\":\"sfn\",\"EventPattern\":\"{\\\"source\\\":[\\\"aws.states\\\"]}\"}"));
  char req[512];
  snprintf(req, sizeof req, "{\"Rule\":\"sfn\",\"Targets\":[{\"Id\":\"q\",\"Arn\":\"%s\"}]}", aev_queue_arn(q));
  json_decref(api("events", "PutTargets", req));
  result r = run(ONE("{\"Type\":\"Pass\",\"End\":true}"), "{\"v\":1}");
  result_free(&r);
  json_t *got = drain_queue(q);
  ck_assert_uint_eq(json_array_size(got), 2);
  json_t *first = json_array_get(got, 0), *last = json_array_get(got, 1);
  ck_assert_str_eq(json_string_value(json_object_get(first, "detail-type")), "Step Functions Execution Status Change");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(first, "detail"), "status")), "RUNNING");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(last, "detail"), "status")), "SUCCEEDED");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(last, "detail"), "output")), "{\"v\":1}");
  json_decref(got);
  aev_queue_release(q);
}
END_TEST

/* The status-change events are built only when something on the default
 * bus could see them: with no rule, an archive of the bus still records
 * both (RUNNING and SUCCEEDED). */
START_TEST(status_change_events_reach_an_archive) {
  json_decref(api("events", "CreateArchive",
                  "{\"ArchiveName\":\"all\",\"EventSourceArn\":"
                  "\"arn:aws:events:us-east-1:000000000000:event-bus/default\"}"));
  result r = run(ONE("{\"Type\":\"Pass\",\"End\":true}"), "{\"v\":1}");
  result_free(&r);
  json_t *d = api("events", "DescribeArchive", "{\"ArchiveName\":\"all\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "EventCount")), 2);
  json_decref(d);
}
END_TEST

START_TEST(nested_executions) {
  aev_machine *child;
  const char *cd = ONE("{\"Type\":\"Wait\",\"Seconds\":5,\"Next\":\"D\"},\"D\":{\"Type\":\"Pass\",\"Parameters\":{\"doubled.$\":\"States.MathAdd($.n, $.n)\"},\"End\":true}");
  ck_assert_int_eq(aev_machine_create(b, "child", cd, strlen(cd), AEV_MACHINE_STANDARD, &child), AEV_OK);
  result r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync:2\",\"Parameters\":"
                     "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child\",\"Input\":{\"n.$\":\"$.n\"}},"
                     "\"OutputPath\":\"$.Output\",\"End\":true}"),
                 "{\"n\":4}");
  output_is(&r, "{\"doubled\":8}");
  ck_assert(event_time(&r, "TaskSucceeded", 0) == 5);
  result_free(&r);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution.sync\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child\",\"Input\":\"{\\\"n\\\":1}\"},"
              "\"OutputPath\":\"$.Output\",\"End\":true}"),
          "{}");
  output_is(&r, "\"{\\\"doubled\\\":2}\"");
  result_free(&r);
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child\"},\"End\":true}"),
          "{}");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_ptr_nonnull(json_object_get(r.output, "ExecutionArn"));
  result_free(&r);
  /* A version's and an alias's ARN start that version, as StartExecution's do. */
  json_decref(api("states", "PublishStateMachineVersion",
                  "{\"stateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child\"}"));
  json_decref(api("states", "CreateStateMachineAlias",
                  "{\"name\":\"live\",\"routingConfiguration\":[{\"stateMachineVersionArn\":"
                  "\"arn:aws:states:us-east-1:000000000000:stateMachine:child:1\",\"weight\":100}]}"));
  static const char *const targets[] = {"child:1", "child:live"};
  for (size_t i = 0; i < 2; i++) {
    char def[600];
    snprintf(def, sizeof def,
             ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution\","
                 "\"Parameters\":{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:%s\","
                 "\"Input\":{\"n\":3}},\"End\":true}"),
             targets[i]);
    r = run(def, "{}");
    ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
    char req[400];
    snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}",
             json_string_value(json_object_get(r.output, "ExecutionArn")));
    json_t *d = api("states", "DescribeExecution", req);
    ck_assert_str_eq(json_string_value(json_object_get(d, "stateMachineVersionArn")),
                     "arn:aws:states:us-east-1:000000000000:stateMachine:child:1");
    ck_assert_int_eq(i == 1, json_object_get(d, "stateMachineAliasArn") != NULL);
    json_decref(d);
    result_free(&r);
  }
  r = run(ONE("{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::states:startExecution\",\"Parameters\":"
              "{\"StateMachineArn\":\"arn:aws:states:us-east-1:000000000000:stateMachine:child:nope\"},\"End\":true}"),
          "{}");
  fails_with(&r, "StepFunctions.ResourceNotFoundException", NULL);
  result_free(&r);
  aev_machine_release(child);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, pass_data_flow);
  tcase_add_test(tc, missing_input_path_is_runtime_error);
  tcase_add_test(tc, history_shape);
  tcase_add_test(tc, context_values_are_snapshots);
  tcase_add_test(tc, history_read_while_running);
  tcase_add_test(tc, choice_comparisons);
  tcase_add_test(tc, choice_tests_and_logic);
  tcase_add_test(tc, choice_no_match);
  tcase_add_test(tc, history_event_limit);
  tcase_add_test(tc, wait_is_a_timer);
  tcase_add_test(tc, wait_variants);
  tcase_add_test(tc, fail_state);
  tcase_add_test(tc, retry_timing);
  tcase_add_test(tc, catch_routing);
  tcase_add_test(tc, parallel_results_and_failure);
  tcase_add_test(tc, map_concurrency);
  tcase_add_test(tc, map_tolerated_failures);
  tcase_add_test(tc, variables_and_scope);
  tcase_add_test(tc, execution_timeout_and_stop);
  tcase_add_test(tc, names_and_idempotency);
  tcase_add_test(tc, validation);
  tcase_add_test(tc, json_errors_in_jacksons_words);
  tcase_add_test(tc, validate_refuses_an_unknown_type);
  tcase_add_test(tc, map_label_rules);
  tcase_add_test(tc, states_service);
  tcase_add_test(tc, sqs_task);
  tcase_add_test(tc, service_errors_read_as_the_sdk_reports_them);
  tcase_add_test(tc, sdk_metadata_on_task_outputs);
  tcase_add_test(tc, data_limit);
  tcase_add_test(tc, lambda_tasks);
  tcase_add_test(tc, task_timeouts);
  tcase_add_test(tc, wait_for_task_token);
  tcase_add_test(tc, a_token_is_answered_once);
  tcase_add_test(tc, a_stopped_branch_token_is_gone);
  tcase_add_test(tc, task_submitted_event);
  tcase_add_test(tc, sync_task_output);
  tcase_add_test(tc, jsonata_data_flow);
  tcase_add_test(tc, service_integrations);
  tcase_add_test(tc, status_change_events);
  tcase_add_test(tc, status_change_events_reach_an_archive);
  tcase_add_test(tc, nested_executions);
  tcase_add_test(tc, jsonata_map_parallel_catch_task);
  tcase_add_test(tc, jsonata_numeric_fields);
  tcase_add_test(tc, evaluation_failed_event);
  tcase_add_test(tc, map_and_parallel_event_links);
  tcase_add_test(tc, assigned_variables_in_exited_events);
  tcase_add_test(tc, names_count_characters);
  tcase_add_test(tc, state_names_count_characters);
  tcase_add_test(tc, failure_reasons_count_characters);
  tcase_add_test(tc, data_limit_per_state);
  tcase_add_test(tc, string_compare_whole);
  tcase_add_test(tc, string_matches_whole_and_fast);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
