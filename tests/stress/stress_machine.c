/* Stress (run under ThreadSanitizer in CI): a real-clock broker with 2
 * workers; 4 threads each start EXPRESS executions of a machine with a Map,
 * a Parallel and a Lambda task (its handler on the handler pool, so
 * completions cross threads), wait for each and check its output (and
 * TestState the Lambda task on its own), while
 * another thread starts STANDARD executions that wait 60 s and stops them,
 * reading their history meanwhile, then redrives and stops them again
 * (that machine keeps finished executions for 0 ms, so each start prunes
 * while strands finish others), and a
 * producer runs executions of an activity task that a worker thread serves
 * through GetActivityTask's long poll, and a mapper runs Distributed Maps
 * while it lists, describes and updates their Map Runs and lists their
 * children. Then the idle test: a year-long Wait on
 * a real clock uses < 1% CPU over a second (DESIGN §7). 2,000 executions
 * (200 when CI is set in the environment). */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define THREADS 4

static aev_broker *b;
static aev_machine *work, *waiting, *served, *mapped;
static aev_activity *activity;
static int per_thread;
static atomic_int errors;

static const char WORK[] =
    "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":\"$.items\",\"MaxConcurrency\":2,"
    "\"ItemProcessor\":{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":"
    "\"$\",\"NumericGreaterThan\":1,\"Next\":\"Big\"}],\"Default\":\"Small\"},\"Big\":{\"Type\":\"Pass\","
    "\"Result\":\"big\",\"End\":true},\"Small\":{\"Type\":\"Pass\",\"Result\":\"small\",\"End\":true}}},"
    "\"ResultPath\":\"$.sizes\",\"Next\":\"P\"},\"P\":{\"Type\":\"Parallel\",\"Branches\":[{\"StartAt\":\"T\","
    "\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Parameters\":"
    "{\"FunctionName\":\"inc\",\"Payload.$\":\"$.n\"},\"OutputPath\":\"$.Payload\",\"End\":true}}},"
    "{\"StartAt\":\"Q\",\"States\":{\"Q\":{\"Type\":\"Pass\",\"InputPath\":\"$.sizes\",\"End\":true}}}],"
    "\"End\":true}}}";

/* The Parallel's Task alone, as TestState's definition (JSON in JSON). */
#define TEST_TASK                                                                                   \
  "{\\\"Type\\\":\\\"Task\\\",\\\"Resource\\\":\\\"arn:aws:states:::lambda:invoke\\\","              \
  "\\\"Parameters\\\":{\\\"FunctionName\\\":\\\"inc\\\",\\\"Payload.$\\\":\\\"$.n\\\"},\\\"End\\\":true}"
#define ROLE "arn:aws:iam::000000000000:role/stress"

static const char MAPPED[] =
    "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":1,\"ItemProcessor\":"
    "{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},\"StartAt\":\"P\","
    "\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";

static void inc(void *user, aev_invocation *ctx, const char *event, size_t len) {
  char out[32];
  snprintf(out, sizeof out, "%ld", strtol(event, NULL, 10) + 1);
  aev_invocation_succeed(ctx, out, strlen(out));
}

static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < per_thread; i++) {
    char in[64], want[96], *out = NULL;
    long n = id * 100000 + i;
    snprintf(in, sizeof in, "{\"items\":[1,2,3],\"n\":%ld}", n);
    snprintf(want, sizeof want, "[%ld,[\"small\",\"big\",\"big\"]]", n + 1);
    aev_execution *e = NULL;
    if (aev_machine_start(work, NULL, in, strlen(in), &e) || aev_execution_wait(e) ||
        aev_execution_output(e, &out) || !out || strcmp(out, want))
      errors++;
    aev_free(out);
    aev_execution_release(e);
    char req[512];
    snprintf(req, sizeof req, "{\"definition\":\"%s\",\"input\":\"{\\\"n\\\":%ld}\",\"roleArn\":\"%s\"}",
             TEST_TASK, n, ROLE);
    snprintf(want, sizeof want, "\\\"Payload\\\":%ld", n + 1);
    out = NULL;
    if (aev_machine_test_state(b, req, &out) || !strstr(out, "\"status\":\"SUCCEEDED\"") || !strstr(out, want))
      errors++;
    aev_free(out);
  }
  return NULL;
}

static void *stopper(void *arg) {
  for (int i = 0; i < per_thread; i++) {
    char name[32], *h = NULL;
    snprintf(name, sizeof name, "w%d", i);
    aev_execution *e = NULL;
    if (aev_machine_start(waiting, name, "{}", 2, &e)) {
      errors++;
      continue;
    }
    if (aev_execution_history(e, &h)) errors++;
    aev_free(h);
    if (aev_execution_stop(e, "Stop", NULL) || aev_execution_wait(e) ||
        aev_execution_status(e) != AEV_EXECUTION_ABORTED)
      errors++;
    /* Redriven, it waits again (RUNNING at once), until stopped again:
     * a stop that may come before its strand resumes it. */
    if (aev_execution_redrive(e, NULL, NULL) || aev_execution_status(e) != AEV_EXECUTION_RUNNING ||
        aev_execution_history(e, &h) || aev_execution_stop(e, "Again", NULL) || aev_execution_wait(e) ||
        aev_execution_status(e) != AEV_EXECUTION_ABORTED)
      errors++;
    aev_free(h);
    aev_execution_release(e);
  }
  return NULL;
}

/* Starts executions of the activity task one by one, each completed by
 * the worker thread below. */
static void *producer(void *arg) {
  (void)arg;
  for (int i = 0; i < per_thread; i++) {
    aev_execution *e = NULL;
    char *out = NULL;
    if (aev_machine_start(served, NULL, "{\"n\":1}", 7, &e) || aev_execution_wait(e) ||
        aev_execution_status(e) != AEV_EXECUTION_SUCCEEDED || aev_execution_output(e, &out) ||
        strcmp(out, "{\"n\":2}"))
      errors++;
    aev_free(out);
    aev_execution_release(e);
  }
  return NULL;
}

static void *activity_worker(void *arg) {
  (void)arg;
  for (int i = 0; i < per_thread; i++) {
    char *token = NULL, *input = NULL;
    if (aev_activity_get_task(activity, "stress", 10000, &token, &input) || !token ||
        strcmp(input, "{\"n\":1}") || aev_machine_send_task_success(b, token, "{\"n\":2}", 7))
      errors++;
    aev_free(token);
    aev_free(input);
  }
  return NULL;
}

/* One call through the states service; the answer parsed, or NULL. */
static json_t *states_call(const char *action, const char *req, int *rc) {
  char *out = NULL;
  *rc = aev_call(b, "states", action, req, &out);
  json_t *v = *rc ? NULL : json_loads(out, 0, NULL);
  aev_free(out);
  return v;
}

/* Distributed Maps whose Map Runs it reads and updates while they run. */
static void *mapper(void *arg) {
  (void)arg;
  for (int i = 0; i < per_thread; i++) {
    aev_execution *e = NULL;
    char *out = NULL, req[512];
    if (aev_machine_start(mapped, NULL, "[1,2,3,4]", 9, &e)) {
      errors++;
      continue;
    }
    snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}", aev_execution_arn(e));
    int rc;
    json_t *runs = states_call("ListMapRuns", req, &rc);
    json_t *run = json_array_get(json_object_get(runs, "mapRuns"), 0);
    if (rc) errors++;
    if (run) {
      snprintf(req, sizeof req, "{\"mapRunArn\":\"%s\",\"maxConcurrency\":4}",
               json_string_value(json_object_get(run, "mapRunArn")));
      json_decref(states_call("DescribeMapRun", req, &rc));
      if (rc) errors++;
      json_decref(states_call("UpdateMapRun", req, &rc));
      if (rc && rc != AEV_ERR_INVALID) errors++; /* it may have ended */
      snprintf(req, sizeof req, "{\"mapRunArn\":\"%s\"}", json_string_value(json_object_get(run, "mapRunArn")));
      json_decref(states_call("ListExecutions", req, &rc)); /* its children, as they start and end */
      if (rc) errors++;
    }
    json_decref(runs);
    if (aev_execution_wait(e) || aev_execution_output(e, &out) || !out || strcmp(out, "[1,2,3,4]")) errors++;
    aev_free(out);
    aev_execution_release(e);
  }
  return NULL;
}

static aev_broker *real_broker(int workers) {
  aev_broker_options *o;
  aev_broker *out;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_REAL);
  aev_broker_options_set_workers(o, workers);
  ck_assert_int_eq(aev_broker_new(o, &out), AEV_OK);
  aev_broker_options_free(o);
  return out;
}

START_TEST(concurrent_executions) {
  per_thread = getenv("CI") ? 50 : 500;
  b = real_broker(2);
  ck_assert_int_eq(aev_function_create(b, "inc", NULL, inc, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_machine_create(b, "work", WORK, strlen(WORK), AEV_MACHINE_EXPRESS, &work), AEV_OK);
  const char *w = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}}}";
  ck_assert_int_eq(aev_machine_create(b, "waiting", w, strlen(w), AEV_MACHINE_STANDARD, &waiting), AEV_OK);
  ck_assert_int_eq(aev_machine_set_retention(waiting, 0), AEV_OK);
  ck_assert_int_eq(aev_activity_create(b, "serve", &activity), AEV_OK);
  const char *a = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                  "\"arn:aws:states:us-east-1:000000000000:activity:serve\",\"End\":true}}}";
  ck_assert_int_eq(aev_machine_create(b, "served", a, strlen(a), AEV_MACHINE_STANDARD, &served), AEV_OK);
  ck_assert_int_eq(aev_machine_create(b, "mapped", MAPPED, strlen(MAPPED), AEV_MACHINE_STANDARD, &mapped), AEV_OK);
  pthread_t t[THREADS + 4];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  pthread_create(&t[THREADS], NULL, stopper, NULL);
  pthread_create(&t[THREADS + 1], NULL, producer, NULL);
  pthread_create(&t[THREADS + 2], NULL, activity_worker, NULL);
  pthread_create(&t[THREADS + 3], NULL, mapper, NULL);
  for (int i = 0; i < THREADS + 4; i++) pthread_join(t[i], NULL);
  ck_assert_int_eq(errors, 0);
  aev_machine_release(served);
  aev_machine_release(mapped);
  aev_activity_release(activity);
  aev_machine_release(work);
  aev_machine_release(waiting);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
}
END_TEST

START_TEST(idle_wait_uses_no_cpu) {
  b = real_broker(2);
  const char *y = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":31536000,\"End\":true}}}";
  aev_machine *m;
  ck_assert_int_eq(aev_machine_create(b, "year", y, strlen(y), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_execution *e;
  ck_assert_int_eq(aev_machine_start(m, "long", "{}", 2, &e), AEV_OK);
  struct timespec ms = {0, 100 * 1000000};
  nanosleep(&ms, NULL); /* let the execution reach its Wait */
  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "idle broker used %.4f s of CPU in a 1 s sleep", used);
  ck_assert_int_eq(aev_execution_status(e), AEV_EXECUTION_RUNNING);
  aev_execution_release(e);
  aev_machine_release(m);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stress_machine");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, concurrent_executions);
  tcase_add_test(tc, idle_wait_uses_no_cpu);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
