/* Stress (run under ThreadSanitizer in CI): a real-clock broker with 2
 * workers; 2 threads send messages to a pipe's SQS source while a third
 * stops, starts and updates the pipe (a new poller each time, 60 times at
 * least) and the target function completes on the handler pool. At the
 * end every message reached the function at least once. 2,000 messages
 * per sender (500 with CI set). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define SENDERS 2
#define MAX_PER 2000

static int per_sender;
static aev_broker *b;
static _Atomic int seen[SENDERS * MAX_PER];
static _Atomic int sending;

/* The pipe's target: marks each record's body (a number) as seen. */
static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  json_t *batch = json_loadb(event, len, 0, NULL);
  size_t i;
  json_t *r;
  json_array_foreach(batch, i, r) {
    int n = atoi(json_string_value(json_object_get(r, "body")));
    if (n >= 0 && n < SENDERS * MAX_PER) seen[n] = 1;
  }
  json_decref(batch);
  aev_invocation_succeed(ctx, "{}", 2);
}

static void *sender(void *arg) {
  int base = (int)(intptr_t)arg * per_sender;
  aev_queue *q;
  ck_assert_int_eq(aev_queue_get(b, "src", &q), AEV_OK);
  for (int i = 0; i < per_sender; i++) {
    char body[16];
    int n = snprintf(body, sizeof body, "%d", base + i);
    ck_assert_int_eq(aev_queue_send(q, body, (size_t)n, NULL, NULL, NULL), AEV_OK);
  }
  aev_queue_release(q);
  sending--;
  return NULL;
}

/* Stops, starts and updates the pipe while the senders run. */
static void *churn(void *arg) {
  (void)arg;
  for (int k = 0; k < 60 || sending > 0; k++) {
    char req[256];
    switch (k % 3) {
    case 0:
      ck_assert_int_eq(aev_pipe_stop(b, "p", NULL), AEV_OK);
      break;
    case 1:
      ck_assert_int_eq(aev_pipe_start(b, "p", NULL), AEV_OK);
      break;
    default:
      snprintf(req, sizeof req,
               "{\"Name\":\"p\",\"RoleArn\":\"arn:aws:iam::000000000000:role/r\","
               "\"SourceParameters\":{\"SqsQueueParameters\":{\"BatchSize\":%d}}}",
               1 + k % 10);
      ck_assert_int_eq(aev_pipe_update(b, req, NULL), AEV_OK);
    }
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
  }
  ck_assert_int_eq(aev_pipe_start(b, "p", NULL), AEV_OK);
  return NULL;
}

static int all_seen(void) {
  for (int i = 0; i < SENDERS * per_sender; i++)
    if (!seen[i]) return 0;
  return 1;
}

START_TEST(senders_and_churn) {
  per_sender = getenv("CI") ? 500 : MAX_PER;
  b = aev_test_real_broker(2);
  aev_queue *src;
  /* A short visibility timeout: what a stopped poller held reappears soon. */
  ck_assert_int_eq(aev_queue_create(b, "src", "{\"VisibilityTimeout\":\"1\"}", &src), AEV_OK);
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, &f), AEV_OK);
  ck_assert_int_eq(aev_pipe_create(b,
                                   "{\"Name\":\"p\",\"RoleArn\":\"arn:aws:iam::000000000000:role/r\","
                                   "\"Source\":\"arn:aws:sqs:us-east-1:000000000000:src\","
                                   "\"Target\":\"arn:aws:lambda:us-east-1:000000000000:function:fn\"}",
                                   NULL),
                   AEV_OK);
  sending = SENDERS;
  pthread_t t[SENDERS + 1];
  for (intptr_t i = 0; i < SENDERS; i++) pthread_create(&t[i], NULL, sender, (void *)i);
  pthread_create(&t[SENDERS], NULL, churn, NULL);
  for (int i = 0; i <= SENDERS; i++) pthread_join(t[i], NULL);
  for (int waited = 0; !all_seen() && waited < 600; waited++) {
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  ck_assert_msg(all_seen(), "a message never reached the target");
  ck_assert_int_eq(aev_pipe_delete(b, "p", NULL), AEV_OK);
  aev_function_release(f);
  aev_queue_release(src);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_pipe");
  TCase *tc = tcase_create("pipe");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, senders_and_churn);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
