/* Functions on a real-clock broker with worker threads: a queue mapping
 * wakes the moment a message is sent (no polling), handlers completing
 * later from another thread, and DESIGN §7's idle test: with a mapping
 * waiting on its queue, a message invisible for 12 hours and an async
 * retry a minute away, the process uses < 1% CPU over a second. */
#include <pthread.h>
#include <time.h>

#include "aevtest.h"
#include "function_support.h"

START_TEST(mapping_wakes_on_send_and_idles) {
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  signal_state s = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "rt", NULL, signalling_handler, &s, NULL, &f), AEV_OK);
  aev_queue *q = qt_queue(b, "rt-q", "{\"VisibilityTimeout\":\"43200\"}");
  char req[256];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"rt\"}", aev_queue_arn(q));
  ck_assert_int_eq(aev_event_source_mapping_create(b, req, NULL), AEV_OK);
  qt_send(q, "one");
  ck_assert_int_eq(wait_calls(&s, 1), 1);
  /* A failing batch: its message comes back in 12 hours. */
  s.fail = 1;
  qt_send(q, "two");
  ck_assert_int_eq(wait_calls(&s, 2), 2);
  /* An Event invocation whose retry is a minute away. */
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(wait_calls(&s, 3), 3);

  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "idle functions used %.4f s of CPU in a 1 s sleep", used);
  ck_assert_int_eq(wait_calls(&s, 3), 3);
  aev_queue_release(q);
  aev_function_release(f);
  aev_broker_destroy(b);
}
END_TEST

static void *complete_later(void *arg) {
  struct timespec ms = {0, 20000000};
  nanosleep(&ms, NULL);
  aev_invocation_succeed(arg, "\"later\"", 7);
  return NULL;
}

static void later_handler(void *user, aev_invocation *ctx, const char *event,
                          size_t len) {
  (void)event;
  (void)len;
  pthread_create(user, NULL, complete_later, ctx);
}

START_TEST(sync_invoke_waits_for_a_completion_from_another_thread) {
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  pthread_t t;
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "later", NULL, later_handler, &t, NULL, &f), AEV_OK);
  char *out;
  const char *ferr;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, &ferr), AEV_OK);
  ck_assert_str_eq(out, "\"later\"");
  ck_assert_ptr_null(ferr);
  aev_free(out);
  pthread_join(t, NULL);
  aev_function_release(f);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *su = suite_create("function_idle");
  TCase *tc = tcase_create("real");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, mapping_wakes_on_send_and_idles);
  tcase_add_test(tc, sync_invoke_waits_for_a_completion_from_another_thread);
  suite_add_tcase(su, tc);
  return aev_test_run(su);
}
