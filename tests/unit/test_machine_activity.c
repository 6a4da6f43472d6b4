/* Activities: Create / Describe / List / Delete (typed API and the states
 * service), Task states with an activity ARN completed through
 * GetActivityTask and SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat,
 * HeartbeatSeconds and TimeoutSeconds, the Activity* history events, a
 * manual clock that never blocks a poller, and on a real clock a long poll
 * that sleeps (no CPU) and wakes as soon as a task is scheduled. */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "awsevents/machine.h"
#include "machine/machine_int.h"

#define ACT "arn:aws:states:us-east-1:000000000000:activity:"

static aev_broker *b;

static aev_broker *broker(int clock, int workers) {
  aev_broker_options *o;
  aev_broker *x;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, clock);
  aev_broker_options_set_workers(o, workers);
  aev_broker_options_set_seed(o, 11);
  ck_assert_int_eq(aev_broker_new(o, &x), AEV_OK);
  aev_broker_options_free(o);
  return x;
}

static void setup(void) { b = broker(AEV_CLOCK_MANUAL, 0); }
static void teardown(void) { aev_broker_destroy(b); }

static aev_activity *activity(const char *name) {
  aev_activity *a = NULL;
  ck_assert_int_eq(aev_activity_create(b, name, &a), AEV_OK);
  return a;
}

/* A machine whose one Task state runs activity "work", caught into a Pass
 * that keeps the error. */
static aev_execution *start(const char *task_fields) {
  char def[1024];
  snprintf(def, sizeof def,
           "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"" ACT "work\",%s"
           "\"Catch\":[{\"ErrorEquals\":[\"Rejected\"],\"ResultPath\":\"$.err\",\"Next\":\"C\"}],\"End\":true},"
           "\"C\":{\"Type\":\"Pass\",\"End\":true}}}",
           task_fields);
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{\"order\":7}", 11, &e), AEV_OK);
  aev_machine_release(m);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  return e;
}

static json_t *events_of(aev_execution *e) {
  char *t = NULL;
  ck_assert_int_eq(aev_execution_history(e, &t), AEV_OK);
  json_t *v = json_loads(t, 0, NULL);
  aev_free(t);
  json_t *ev = json_incref(json_object_get(v, "events"));
  json_decref(v);
  return ev;
}

/* The first event of type, or NULL. */
static json_t *find_event(json_t *events, const char *type) {
  size_t i;
  json_t *ev;
  json_array_foreach(events, i, ev) if (!strcmp(json_string_value(json_object_get(ev, "type")), type)) return ev;
  return NULL;
}

START_TEST(admin) {
  aev_activity *a = activity("work"), *again = activity("work");
  ck_assert_ptr_eq(a, again); /* CreateActivity is idempotent */
  aev_activity_release(again);
  ck_assert_str_eq(aev_activity_arn(a), ACT "work");
  char *t = NULL;
  ck_assert_int_eq(aev_activity_describe(a, &t), AEV_OK);
  ck_assert_str_eq(t, "{\"activityArn\":\"" ACT "work\",\"name\":\"work\",\"creationDate\":1704067200.0,"
                     "\"encryptionConfiguration\":{\"type\":\"AWS_OWNED_KEY\"}}");
  aev_free(t);
  aev_activity *got = NULL;
  ck_assert_int_eq(aev_activity_get(b, ACT "work", &got), AEV_OK);
  ck_assert_ptr_eq(got, a);
  aev_activity_release(got);
  ck_assert_int_eq(aev_activity_create(b, "bad name", &got), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidName");
  /* LocalStack's recorded test_create_activity_invalid_name. */
  ck_assert_str_eq(aev_errmsg(), "Invalid Name: 'bad name'");
  ck_assert_int_eq(aev_activity_get(b, ACT "none", &got), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "ActivityDoesNotExist");
  ck_assert_int_eq(aev_activity_delete(a), AEV_OK);
  ck_assert_int_eq(aev_activity_get(b, "work", &got), AEV_ERR_NOT_FOUND);
  char *token = NULL, *input = NULL;
  ck_assert_int_eq(aev_activity_get_task(a, "w", 0, &token, &input), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "ActivityDoesNotExist");
  aev_activity_release(a);
}
END_TEST

/* An activity's name and a worker's name are 1-80 characters, not bytes. */
START_TEST(names_count_characters) {
  char name[81 * 3 + 1] = "";
  for (int i = 0; i < 80; i++) strcat(name, "\xe6\xbc\xa2");
  aev_activity *a = activity(name), *bad = NULL;
  strcat(name, "\xe6\xbc\xa2");
  ck_assert_int_eq(aev_activity_create(b, name, &bad), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  char *token = NULL, *input = NULL;
  name[80 * 3] = 0;
  ck_assert_int_eq(aev_activity_get_task(a, name, 0, &token, &input), AEV_OK);
  strcat(name, "\xe6\xbc\xa2");
  ck_assert_int_eq(aev_activity_get_task(a, name, 0, &token, &input), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  aev_activity_release(a);
}
END_TEST

START_TEST(task_completed_by_a_worker) {
  aev_activity *a = activity("work");
  char *token = NULL, *input = NULL;
  /* The manual clock never blocks a poller: nothing queued, answer now. */
  ck_assert_int_eq(aev_activity_get_task(a, "w1", 60000, &token, &input), AEV_OK);
  ck_assert_ptr_null(token);
  ck_assert_ptr_null(input);
  aev_execution *e = start("\"Parameters\":{\"id.$\":\"$.order\"},\"HeartbeatSeconds\":10,\"TimeoutSeconds\":100,");
  json_t *ev = events_of(e);
  json_t *sched = json_object_get(find_event(ev, "ActivityScheduled"), "activityScheduledEventDetails");
  ck_assert_ptr_nonnull(sched);
  ck_assert_str_eq(json_string_value(json_object_get(sched, "resource")), ACT "work");
  ck_assert_str_eq(json_string_value(json_object_get(sched, "input")), "{\"id\":7}");
  ck_assert_int_eq(json_integer_value(json_object_get(sched, "heartbeatInSeconds")), 10);
  ck_assert_int_eq(json_integer_value(json_object_get(sched, "timeoutInSeconds")), 100);
  ck_assert_ptr_null(find_event(ev, "ActivityStarted"));
  json_decref(ev);
  ck_assert_int_eq(aev_activity_get_task(a, "w1", 0, &token, &input), AEV_OK);
  ck_assert_ptr_nonnull(token);
  ck_assert_str_eq(input, "{\"id\":7}");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ev = events_of(e);
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(find_event(ev, "ActivityStarted"), "activityStartedEventDetails"),
                       "workerName")),
                   "w1");
  json_decref(ev);
  /* Heartbeats keep it alive past HeartbeatSeconds. */
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(aev_broker_advance(b, 8000), AEV_OK);
    ck_assert_int_eq(aev_machine_send_task_heartbeat(b, token), AEV_OK);
    ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  }
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{\"shipped\":true}", 16), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  char *out = NULL;
  ck_assert_int_eq(aev_execution_output(e, &out), AEV_OK);
  ck_assert_str_eq(out, "{\"shipped\":true}");
  aev_free(out);
  ev = events_of(e);
  ck_assert_ptr_nonnull(find_event(ev, "ActivitySucceeded"));
  json_decref(ev);
  /* The queue is empty again, and the spent token is refused. */
  aev_free(token);
  aev_free(input);
  ck_assert_int_eq(aev_activity_get_task(a, "w1", 0, &token, &input), AEV_OK);
  ck_assert_ptr_null(token);
  aev_execution_release(e);
  aev_activity_release(a);
}
END_TEST

START_TEST(failure_is_caught) {
  aev_activity *a = activity("work");
  aev_execution *e = start("");
  char *token = NULL, *input = NULL;
  ck_assert_int_eq(aev_activity_get_task(a, NULL, 0, &token, &input), AEV_OK);
  ck_assert_ptr_nonnull(token);
  ck_assert_int_eq(aev_machine_send_task_failure(b, token, "Rejected", "out of stock"), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  char *out = NULL;
  ck_assert_int_eq(aev_execution_output(e, &out), AEV_OK);
  ck_assert_str_eq(out, "{\"order\":7,\"err\":{\"Error\":\"Rejected\",\"Cause\":\"out of stock\"}}");
  aev_free(out);
  json_t *ev = events_of(e);
  ck_assert_ptr_nonnull(find_event(ev, "ActivityFailed"));
  json_decref(ev);
  aev_free(token);
  aev_free(input);
  aev_execution_release(e);
  aev_activity_release(a);
}
END_TEST

START_TEST(heartbeat_and_timeout) {
  aev_activity *a = activity("work");
  aev_execution *e = start("\"HeartbeatSeconds\":10,");
  char *token = NULL, *input = NULL;
  ck_assert_int_eq(aev_activity_get_task(a, "w", 0, &token, &input), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_FAILED);
  /* a missed heartbeat reads States.Timeout, as AWS records it for a
   * callback task (LocalStack's test_heartbeats snapshots) */
  json_t *ev = events_of(e);
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(find_event(ev, "ActivityTimedOut"), "activityTimedOutEventDetails"),
                       "error")),
                   "States.Timeout");
  json_decref(ev);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{}", 2), AEV_ERR_STATE);
  ck_assert_str_eq(aev_errcode(), "TaskTimedOut");
  aev_free(token);
  aev_free(input);
  aev_execution_release(e);
  /* A task that timed out before any worker took it is not handed out. */
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_get(b, "m", &m), AEV_OK);
  const char *def = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"" ACT
                    "work\",\"TimeoutSeconds\":5,\"End\":true}}}";
  ck_assert_int_eq(aev_machine_update(m, def, strlen(def)), AEV_OK);
  ck_assert_int_eq(aev_machine_start(m, NULL, NULL, 0, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 5000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_FAILED);
  ck_assert_int_eq(aev_activity_get_task(a, "w", 0, &token, &input), AEV_OK);
  ck_assert_ptr_null(token);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_activity_release(a);
}
END_TEST

/* A task that no worker took leaves the activity's queue as soon as its
 * execution ends (stopped, or failed by a timeout) or its attempt times out
 * and the execution goes on, not at a worker's next poll. */
START_TEST(untaken_tasks_leave_the_queue) {
  aev_activity *a = activity("work");
  aev_execution *e1 = start(""), *e2 = start("");
  ck_assert_uint_eq(aev__activity_queued(a), 2);
  ck_assert_int_eq(aev_execution_stop(e1, "Cancelled", NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e1), AEV_EXECUTION_ABORTED);
  ck_assert_uint_eq(aev__activity_queued(a), 1);
  /* The other execution's task is still the one a worker gets. */
  char *token = NULL, *input = NULL;
  ck_assert_int_eq(aev_activity_get_task(a, "w", 0, &token, &input), AEV_OK);
  ck_assert_ptr_nonnull(token);
  ck_assert_int_eq(aev_machine_send_task_success(b, token, "{}", 2), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e2), AEV_EXECUTION_SUCCEEDED);
  aev_free(token);
  aev_free(input);
  aev_execution_release(e1);
  aev_execution_release(e2);
  /* Timed out and caught: the execution waits on, its task is gone. */
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_get(b, "m", &m), AEV_OK);
  const char *def = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"" ACT
                    "work\",\"TimeoutSeconds\":5,\"Catch\":[{\"ErrorEquals\":[\"States.Timeout\"],"
                    "\"Next\":\"W\"}],\"End\":true},\"W\":{\"Type\":\"Wait\",\"Seconds\":3600,"
                    "\"End\":true}}}";
  ck_assert_int_eq(aev_machine_update(m, def, strlen(def)), AEV_OK);
  aev_execution *e3 = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, NULL, 0, &e3), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_uint_eq(aev__activity_queued(a), 1);
  ck_assert_int_eq(aev_broker_advance(b, 5000), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e3), AEV_EXECUTION_RUNNING);
  ck_assert_uint_eq(aev__activity_queued(a), 0);
  ck_assert_int_eq(aev_activity_get_task(a, "w", 0, &token, &input), AEV_OK);
  ck_assert_ptr_null(token);
  aev_execution_release(e3);
  aev_machine_release(m);
  aev_activity_release(a);
}
END_TEST

START_TEST(missing_activity_fails_the_task) {
  aev_execution *e = start("");
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_FAILED);
  char *d = NULL;
  ck_assert_int_eq(aev_execution_describe(e, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"error\":\"States.Runtime\""));
  ck_assert_ptr_nonnull(strstr(d, "(entered at the event id #2). The activity " ACT "work does not exist."));
  aev_free(d);
  aev_execution_release(e);
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
  json_t *v = call("CreateActivity", "{\"name\":\"work\"}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "activityArn")), ACT "work");
  ck_assert_ptr_nonnull(json_object_get(v, "creationDate"));
  json_decref(v);
  json_decref(call("CreateActivity", "{\"name\":\"other\"}", AEV_OK));
  v = call("ListActivities", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(v, "activities")), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(v, "activities"), 1), "name")),
                   "work");
  json_decref(v);
  v = call("DescribeActivity", "{\"activityArn\":\"" ACT "work\"}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "name")), "work");
  json_decref(v);
  v = call("GetActivityTask", "{\"activityArn\":\"" ACT "work\",\"workerName\":\"w\"}", AEV_OK);
  ck_assert_int_eq(json_object_size(v), 0);
  json_decref(v);
  aev_execution *e = start("");
  v = call("GetActivityTask", "{\"activityArn\":\"" ACT "work\",\"workerName\":\"w\"}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "input")), "{\"order\":7}");
  char req[2048];
  snprintf(req, sizeof req, "{\"taskToken\":\"%s\",\"output\":\"[1]\"}",
           json_string_value(json_object_get(v, "taskToken")));
  json_decref(v);
  json_decref(call("SendTaskSuccess", req, AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  aev_execution_release(e);
  v = call("DescribeActivity", "{\"activityArn\":\"" ACT "none\"}", AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(json_string_value(json_object_get(v, "__type")), "ActivityDoesNotExist");
  json_decref(v);
  json_decref(call("DeleteActivity", "{\"activityArn\":\"" ACT "work\"}", AEV_OK));
  json_decref(call("DeleteActivity", "{\"activityArn\":\"" ACT "work\"}", AEV_OK));
  v = call("ListActivities", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(v, "activities")), 1);
  json_decref(v);
}
END_TEST

/* ---- a real clock ---- */

static double seconds(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct poller {
  aev_activity *a;
  char *token, *input;
  double waited;
} poller;

static void *poll_task(void *arg) {
  poller *p = arg;
  double t0 = seconds(CLOCK_MONOTONIC);
  ck_assert_int_eq(aev_activity_get_task(p->a, "real", 20000, &p->token, &p->input), AEV_OK);
  p->waited = seconds(CLOCK_MONOTONIC) - t0;
  return NULL;
}

/* A real clock and no workers: nothing runs by itself, so waiting for an
 * execution drains on the caller's thread and sleeps until each timer
 * (it used to sleep forever). */
START_TEST(wait_on_a_real_clock_without_workers) {
  aev_broker_destroy(b);
  b = broker(AEV_CLOCK_REAL, 0);
  const char *def = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":1,"
                    "\"Next\":\"P\"},\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  aev_machine *m = NULL, *x = NULL;
  ck_assert_int_eq(aev_machine_create(b, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_execution *e = NULL;
  double t0 = seconds(CLOCK_MONOTONIC);
  ck_assert_int_eq(aev_machine_start(m, NULL, "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  double waited = seconds(CLOCK_MONOTONIC) - t0;
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  ck_assert_double_ge(waited, 0.99);
  ck_assert_double_lt(waited, 10.0);
  aev_execution_release(e);
  const char *pass = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  ck_assert_int_eq(aev_machine_create(b, "x", pass, strlen(pass), AEV_MACHINE_EXPRESS, &x), AEV_OK);
  char *result = NULL;
  ck_assert_int_eq(aev_machine_start_sync(x, NULL, "{\"k\":1}", 7, &result), AEV_OK);
  ck_assert_ptr_nonnull(strstr(result, "\"status\":\"SUCCEEDED\""));
  aev_free(result);
  aev_machine_release(x);
  aev_machine_release(m);
}
END_TEST

START_TEST(long_poll_on_a_real_clock) {
  aev_broker_destroy(b);
  b = broker(AEV_CLOCK_REAL, 1);
  aev_activity *a = activity("work");
  /* An empty poll waits out its deadline. */
  char *token = NULL, *input = NULL;
  double t0 = seconds(CLOCK_MONOTONIC);
  ck_assert_int_eq(aev_activity_get_task(a, "real", 100, &token, &input), AEV_OK);
  ck_assert_ptr_null(token);
  ck_assert_double_ge(seconds(CLOCK_MONOTONIC) - t0, 0.099);
  /* A blocked poller uses no CPU, and wakes when a task is scheduled. */
  poller p = {.a = a};
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, poll_task, &p), 0);
  double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  struct timespec nap = {0, 300 * 1000000L};
  nanosleep(&nap, NULL);
  double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  ck_assert_msg(cpu < 0.05, "a blocked poller used %.3f s of CPU", cpu);
  const char *def = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"" ACT
                    "work\",\"End\":true}}}";
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, "{\"x\":1}", 7, &e), AEV_OK);
  pthread_join(th, NULL);
  ck_assert_ptr_nonnull(p.token);
  ck_assert_str_eq(p.input, "{\"x\":1}");
  ck_assert_double_lt(p.waited, 10.0);
  ck_assert_int_eq(aev_machine_send_task_success(b, p.token, "\"done\"", 6), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_SUCCEEDED);
  aev_free(p.token);
  aev_free(p.input);
  aev_execution_release(e);
  aev_machine_release(m);
  /* Deleting the activity wakes a blocked poller with no task. */
  p.token = NULL;
  ck_assert_int_eq(pthread_create(&th, NULL, poll_task, &p), 0);
  nanosleep(&nap, NULL);
  ck_assert_int_eq(aev_activity_delete(a), AEV_OK);
  pthread_join(th, NULL);
  ck_assert_ptr_null(p.token);
  ck_assert_double_lt(p.waited, 10.0);
  aev_activity_release(a);
}
END_TEST

/* A task whose activity does not exist (any more) fails the execution
 * with States.Runtime before anything is scheduled: ExecutionFailed right
 * after TaskStateEntered, caught by no States.ALL (LocalStack's
 * test_activity_task_on_deleted, recorded against AWS). */
START_TEST(activity_deleted_before_its_task) {
  aev_activity *a = activity("work");
  ck_assert_int_eq(aev_activity_delete(a), AEV_OK);
  aev_activity_release(a);
  aev_execution *e = start("");
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_FAILED);
  json_t *ev = events_of(e);
  ck_assert_uint_eq(json_array_size(ev), 3);
  ck_assert_ptr_null(find_event(ev, "ActivityScheduled"));
  json_t *d = json_object_get(find_event(ev, "ExecutionFailed"), "executionFailedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(d, "error")), "States.Runtime");
  ck_assert_str_eq(json_string_value(json_object_get(d, "cause")),
                   "An error occurred while executing the state 'T' (entered at the event id #2). The activity " ACT
                   "work does not exist.");
  ck_assert_int_eq(json_integer_value(json_object_get(find_event(ev, "ExecutionFailed"), "previousEventId")), 2);
  json_decref(ev);
  aev_execution_release(e);
}
END_TEST

/* broker.h: handles held past aev_broker_destroy() answer AEV_ERR_CLOSED;
 * a machine's still described and took a new definition, an activity's
 * still described itself. */
START_TEST(handles_held_past_destroy_answer_closed) {
  aev_broker *own = broker(AEV_CLOCK_MANUAL, 0);
  const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(own, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_activity *a = NULL;
  ck_assert_int_eq(aev_activity_create(own, "a", &a), AEV_OK);
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  char *json = NULL, *token = NULL, *input = NULL;
  ck_assert_int_eq(aev_machine_describe(m, &json), AEV_ERR_CLOSED);
  ck_assert_str_eq(aev_errcode(), "ServiceUnavailable");
  ck_assert_int_eq(aev_machine_update(m, def, strlen(def)), AEV_ERR_CLOSED);
  ck_assert_int_eq(aev_machine_delete(m), AEV_ERR_CLOSED);
  ck_assert_int_eq(aev_activity_describe(a, &json), AEV_ERR_CLOSED);
  ck_assert_int_eq(aev_activity_get_task(a, NULL, 0, &token, &input), AEV_ERR_CLOSED);
  ck_assert_str_eq(aev_errcode(), "ServiceUnavailable");
  ck_assert_ptr_null(json);
  aev_machine_release(m);
  aev_activity_release(a);
}
END_TEST

/* An execution abandoned by aev_broker_destroy() still described itself as
 * RUNNING, gave its history and took a stop with AEV_OK. */
START_TEST(executions_held_past_destroy_answer_closed) {
  aev_broker *own = broker(AEV_CLOCK_MANUAL, 0);
  const char *def = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\","
                    "\"Seconds\":60,\"End\":true}}}";
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(own, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, "e", "{}", 2, &e), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(own), AEV_OK);
  char *json = NULL;
  ck_assert_int_eq(aev_execution_describe(e, &json), AEV_OK);
  aev_free(json);
  json = NULL;
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  ck_assert_int_eq(aev_execution_describe(e, &json), AEV_ERR_CLOSED);
  ck_assert_str_eq(aev_errcode(), "ServiceUnavailable");
  ck_assert_int_eq(aev_execution_history(e, &json), AEV_ERR_CLOSED);
  ck_assert_str_eq(aev_errcode(), "ServiceUnavailable");
  ck_assert_int_eq(aev_execution_output(e, &json), AEV_ERR_CLOSED);
  ck_assert_ptr_null(json);
  ck_assert_int_eq(aev_execution_stop(e, "E", "abandoned"), AEV_ERR_CLOSED);
  ck_assert_str_eq(aev_errcode(), "ServiceUnavailable");
  aev_execution_release(e);
  aev_machine_release(m);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_activity");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, admin);
  tcase_add_test(tc, handles_held_past_destroy_answer_closed);
  tcase_add_test(tc, executions_held_past_destroy_answer_closed);
  tcase_add_test(tc, activity_deleted_before_its_task);
  tcase_add_test(tc, names_count_characters);
  tcase_add_test(tc, task_completed_by_a_worker);
  tcase_add_test(tc, failure_is_caught);
  tcase_add_test(tc, heartbeat_and_timeout);
  tcase_add_test(tc, untaken_tasks_leave_the_queue);
  tcase_add_test(tc, missing_activity_fails_the_task);
  tcase_add_test(tc, states_service);
  tcase_add_test(tc, long_poll_on_a_real_clock);
  tcase_add_test(tc, wait_on_a_real_clock_without_workers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
