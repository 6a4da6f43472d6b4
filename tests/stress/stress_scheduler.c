/* Stress (run under ThreadSanitizer in CI): a real-clock broker with
 * workers; 3 threads keep updating their own schedules (each update
 * invokes a rate() schedule at once, so firings run on the workers while
 * updates re-arm the same timers; an update made before the last one's
 * invocation replaces it), while another creates and deletes a group full
 * of schedules and lists everything. Every call succeeds, and each
 * schedule's last update is invoked with the input it set. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"

#define UPDATERS 3
#define ROUNDS 300
#define QURL "https://sqs.us-east-1.amazonaws.com/000000000000/q"

static aev_broker *b;

static const char *request(char *buf, size_t cap, const char *name, const char *group, int round) {
  snprintf(buf, cap,
           "{\"Name\":\"%s\",\"GroupName\":\"%s\",\"ScheduleExpression\":\"rate(1 day)\","
           "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"RoleArn\":\"arn:aws:iam::000000000000:role/r\",\"Arn\":"
           "\"arn:aws:sqs:us-east-1:000000000000:q\",\"Input\":\"%s %d\"}}",
           name, group, name, round);
  return buf;
}

static void *updater(void *arg) {
  char name[16], req[512];
  snprintf(name, sizeof name, "u%ld", (long)arg);
  for (int i = 1; i <= ROUNDS; i++) {
    char *out = NULL;
    int rc = aev_call(b, "scheduler", "UpdateSchedule", request(req, sizeof req, name, "default", i),
                      &out);
    aev_free(out);
    if (rc) return (void *)1;
  }
  return NULL;
}

static void *churner(void *arg) {
  (void)arg;
  char req[512], name[16];
  for (int i = 0; i < ROUNDS / 10; i++) {
    char *out = NULL;
    int bad = aev_call(b, "scheduler", "CreateScheduleGroup", "{\"Name\":\"churn\"}", &out);
    aev_free(out);
    for (int j = 0; !bad && j < 10; j++) {
      snprintf(name, sizeof name, "c%d", j);
      bad = aev_call(b, "scheduler", "CreateSchedule", request(req, sizeof req, name, "churn", i), &out);
      aev_free(out);
    }
    if (!bad) bad = aev_call(b, "scheduler", "ListSchedules", "{}", &out);
    aev_free(out);
    if (!bad) bad = aev_call(b, "scheduler", "DeleteScheduleGroup", "{\"Name\":\"churn\"}", &out);
    aev_free(out);
    if (bad) return (void *)1;
  }
  return NULL;
}

/* How many of the updaters' last inputs ("u0 300", ...) the queue has
 * given so far (received messages are deleted). */
static int last_inputs_seen;

static void receive_some(void) {
  char *out = NULL;
  ck_assert_int_eq(aev_call(b, "sqs", "ReceiveMessage",
                            "{\"QueueUrl\":\"" QURL "\",\"MaxNumberOfMessages\":10}", &out), AEV_OK);
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(j, "Messages"), i, m) {
    char last[32];
    const char *body = json_string_value(json_object_get(m, "Body"));
    for (int u = 0; u < UPDATERS; u++) {
      snprintf(last, sizeof last, "u%d %d", u, ROUNDS);
      if (!strcmp(body, last)) last_inputs_seen++;
    }
    char req[1024];
    snprintf(req, sizeof req, "{\"QueueUrl\":\"" QURL "\",\"ReceiptHandle\":\"%s\"}",
             json_string_value(json_object_get(m, "ReceiptHandle")));
    ck_assert_int_eq(aev_call(b, "sqs", "DeleteMessage", req, &out), AEV_OK);
    aev_free(out);
  }
  json_decref(j);
}

START_TEST(updates_race_firings) {
  b = aev_test_real_broker(2);
  char *out = NULL, req[512], name[16];
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}", &out), AEV_OK);
  aev_free(out);
  for (long i = 0; i < UPDATERS; i++) {
    snprintf(name, sizeof name, "u%ld", i);
    ck_assert_int_eq(aev_call(b, "scheduler", "CreateSchedule",
                              request(req, sizeof req, name, "default", 0), &out), AEV_OK);
    aev_free(out);
  }
  pthread_t th[UPDATERS + 1];
  for (long i = 0; i < UPDATERS; i++) pthread_create(&th[i], NULL, updater, (void *)i);
  pthread_create(&th[UPDATERS], NULL, churner, NULL);
  for (int i = 0; i <= UPDATERS; i++) {
    void *rc;
    pthread_join(th[i], &rc);
    ck_assert_ptr_null(rc);
  }
  /* The last updates' invocations run on the workers: wait for them. */
  for (int i = 0; i < 500 && last_inputs_seen < UPDATERS; i++) {
    receive_some();
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
  ck_assert_int_eq(last_inputs_seen, UPDATERS);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_scheduler");
  TCase *tc = tcase_create("stress");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, updates_race_firings);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
