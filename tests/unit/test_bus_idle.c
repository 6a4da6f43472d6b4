/* DESIGN §7's idle test for buses, on a real-clock broker with workers:
 * rules, targets, a daily rate() and a yearly cron() schedule and an
 * archive use no CPU while nothing happens; an event put meanwhile is
 * still delivered on the worker threads. */
#include <check.h>
#include <pthread.h>
#include <time.h>

#include "aevtest.h"
#include "bus_support.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int delivered;

static int on_event(void *user, const char *in, size_t len) {
  (void)user;
  (void)in;
  (void)len;
  pthread_mutex_lock(&mu);
  delivered++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  return 0;
}

START_TEST(idle_bus_uses_no_cpu) {
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  aev_bus *def;
  bt_ok(aev_bus_get(b, "default", &def));
  aev_queue *q = bt_queue(b, "q", NULL);
  for (int i = 0; i < 50; i++) {
    char name[16];
    snprintf(name, sizeof name, "r%d", i);
    bt_rule(def, name, name, bt_queue_target(q, "t", NULL));
  }
  bt_ok(aev_bus_put_rule(def, "daily", NULL, "rate(1 day)", 1, NULL));
  bt_ok(aev_bus_put_rule(def, "yearly", NULL, "cron(0 0 1 1 ? *)", 1, NULL));
  bt_ok(aev_bus_put_rule(def, "cb", "{\"source\":[\"app\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_callback_target(def, "cb", "{\"Id\":\"c\"}", on_event, NULL, NULL));
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));

  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "an idle bus used %.4f s of CPU in a 1 s sleep", used);

  bt_put(def, "app", "{}");
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 5;
  pthread_mutex_lock(&mu);
  while (!delivered && pthread_cond_timedwait(&cv, &mu, &until) == 0) {
  }
  pthread_mutex_unlock(&mu);
  ck_assert_int_eq(delivered, 1);
  aev_queue_release(q);
  aev_bus_release(def);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_idle");
  TCase *tc = tcase_create("idle");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, idle_bus_uses_no_cpu);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
