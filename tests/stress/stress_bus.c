/* Stress (run under ThreadSanitizer in CI): a real-clock broker with
 * workers; 4 threads put events on one bus while another thread keeps
 * putting, disabling and deleting rules and their targets, and a
 * callback target counts what it receives. Every event of the stable rule
 * reaches its queue exactly once and its callback exactly once; the
 * churning rules never make a put fail. 40,000 events (8,000 with CI). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define PUTTERS 4

static aev_broker *b;
static aev_bus *bus;
static aev_queue *q;
static int per_thread;
static atomic_int callbacks, stop;

static int on_event(void *user, const char *in, size_t len) {
  (void)user;
  (void)in;
  (void)len;
  atomic_fetch_add(&callbacks, 1);
  return 0;
}

static void *putter(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < per_thread; i++) {
    char detail[64];
    int n = snprintf(detail, sizeof detail, "{\"t\":%ld,\"i\":%d}", id, i);
    int rc = aev_bus_put_event(bus, i % 2 ? "stable" : "churn", "x", detail,
                               (size_t)n, NULL);
    ck_assert_int_eq(rc, AEV_OK);
  }
  return NULL;
}

static void *churner(void *arg) {
  (void)arg;
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"t\",\"Arn\":\"%s\"}]",
           aev_queue_arn(q));
  for (int round = 0; !atomic_load(&stop); round++) {
    char name[32];
    snprintf(name, sizeof name, "churn-%d", round % 20);
    ck_assert_int_eq(aev_bus_put_rule(bus, name, "{\"source\":[\"churn\"]}", NULL, 1, NULL), AEV_OK);
    ck_assert_int_eq(aev_bus_put_targets(bus, name, targets, NULL), AEV_OK);
    if (round % 3 == 0) ck_assert_int_eq(aev_bus_enable_rule(bus, name, 0), AEV_OK);
    if (round % 2 == 0) ck_assert_int_eq(aev_bus_delete_rule(bus, name, 1), AEV_OK);
  }
  return NULL;
}

START_TEST(concurrent_puts_and_rule_churn) {
  per_thread = getenv("CI") ? 2000 : 10000;
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  ck_assert_int_eq(aev_bus_create(b, "stress", &bus), AEV_OK);
  aev_queue *sink;
  ck_assert_int_eq(aev_queue_create(b, "stable", NULL, &sink), AEV_OK);
  ck_assert_int_eq(aev_queue_create(b, "churn", NULL, &q), AEV_OK);
  ck_assert_int_eq(aev_bus_put_rule(bus, "stable", "{\"source\":[\"stable\"]}", NULL, 1, NULL), AEV_OK);
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"q\",\"Arn\":\"%s\"}]", aev_queue_arn(sink));
  ck_assert_int_eq(aev_bus_put_targets(bus, "stable", targets, NULL), AEV_OK);
  ck_assert_int_eq(aev_bus_put_callback_target(bus, "stable", "{\"Id\":\"cb\"}", on_event,
                                               NULL, NULL),
                   AEV_OK);
  pthread_t t[PUTTERS], c;
  pthread_create(&c, NULL, churner, NULL);
  for (long i = 0; i < PUTTERS; i++) pthread_create(&t[i], NULL, putter, (void *)i);
  for (int i = 0; i < PUTTERS; i++) pthread_join(t[i], NULL);
  atomic_store(&stop, 1);
  pthread_join(c, NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);

  int want = PUTTERS * per_thread / 2;
  ck_assert_int_eq(atomic_load(&callbacks), want);
  int got = 0;
  for (;;) {
    aev_message *m[10];
    size_t n = 0;
    ck_assert_int_eq(aev_queue_receive(sink, 10, 0, NULL, m, &n), AEV_OK);
    if (!n) break;
    for (size_t i = 0; i < n; i++) {
      got++;
      aev_queue_delete_message(sink, aev_message_receipt_handle(m[i]));
      aev_message_free(m[i]);
    }
  }
  ck_assert_int_eq(got, want);
  aev_queue_release(sink);
  aev_queue_release(q);
  aev_bus_release(bus);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_bus");
  TCase *tc = tcase_create("stress");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, concurrent_puts_and_rule_churn);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
