/* The broker: options and their validation, clocks, seeded determinism, the
 * log callback and its release, re-entrancy rules, shutdown with handles
 * released afterwards, and the idle property (no CPU while nothing is due). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aevtest.h"
#include "awsevents/broker.h"
#include "core/broker.h"
#include "core/registry.h"

static aev_broker *manual_broker(uint64_t seed, int workers) {
  aev_broker_options *o;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_workers(o, workers), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_seed(o, seed), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  return b;
}

/* A NULL broker or out pointer is refused (it crashed), as aev_call and
 * the services' typed calls refuse theirs. */
START_TEST(null_broker_or_out_is_refused) {
  ck_assert_int_eq(aev_broker_new(NULL, NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "aev_broker_new needs somewhere to store the broker.");
  ck_assert_int_eq(aev_broker_advance(NULL, 1), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "aev_broker_advance needs a broker.");
  ck_assert_int_eq(aev_broker_drain(NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  int64_t t;
  ck_assert_int_eq(aev_broker_next_deadline(NULL, &t), AEV_ERR_INVALID);
  aev_broker *b = manual_broker(1, 0);
  ck_assert_int_eq(aev_broker_next_deadline(b, NULL), AEV_ERR_INVALID);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(defaults) {
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  ck_assert_str_eq(aev_broker_region(b), "us-east-1");
  ck_assert_str_eq(aev_broker_account(b), "000000000000");
  ck_assert_int_eq(aev_broker_clock_mode(b), AEV_CLOCK_REAL);
  int64_t wall = (int64_t)time(NULL) * 1000;
  ck_assert_int_ge(aev_broker_now_ms(b), wall - 1000);
  ck_assert_int_le(aev_broker_now_ms(b), wall + 2000);
  /* The timer thread, the wall clock's watch and two workers. */
  ck_assert_int_eq(aev__sched_thread_count(aev__broker_sched(b)), 4);
  ck_assert_int_eq(aev_broker_advance(b, 10), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(aev_broker_destroy(NULL), AEV_OK);
}
END_TEST

START_TEST(options_are_validated_and_left_unchanged_on_error) {
  aev_broker_options *o;
  aev_broker *b;
  aev_broker_options_new(&o);
  ck_assert_int_eq(aev_broker_options_set_region(o, "EU_WEST"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_str_eq(aev_errmsg(),
                   "Value EU_WEST for parameter Region is invalid. Reason: Must "
                   "be 1 to 32 lower-case letters, digits and dashes.");
  ck_assert_int_eq(aev_broker_options_set_region(o, ""), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_region(o, NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_account(o, "12345"), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_account(o, "12345678901x"), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_clock(o, 7), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_workers(o, -1), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_workers(o, 65), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_start_time_ms(o, -5), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_start_time_ms(o, 253402300800000LL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_start_time_ms(o, 253402300799999LL), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_log(o, NULL, 9, NULL, NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_options_set_workers(o, 0), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  ck_assert_str_eq(aev_broker_region(b), "us-east-1");
  ck_assert_str_eq(aev_broker_account(b), "000000000000");
  aev_broker_destroy(b);
  ck_assert_int_eq(aev_broker_options_set_region(o, "eu-west-1"), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_account(o, "123456789012"), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  ck_assert_str_eq(aev_broker_region(b), "eu-west-1");
  ck_assert_str_eq(aev_broker_account(b), "123456789012");
  ck_assert_int_eq(aev__sched_thread_count(aev__broker_sched(b)), 0);
  aev_broker_destroy(b);
  aev_broker_options_free(o);
  aev_broker_options_free(NULL);
}
END_TEST

static int released;
static void count_release(void *user) {
  (void)user;
  released++;
}

START_TEST(options_calls_refuse_a_null_object) {
  ck_assert_int_eq(aev_broker_options_new(NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(aev_broker_options_set_region(NULL, "eu-west-1"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(aev_broker_options_set_account(NULL, "123456789012"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(aev_broker_options_set_clock(NULL, AEV_CLOCK_MANUAL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(aev_broker_options_set_start_time_ms(NULL, 0), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(aev_broker_options_set_workers(NULL, 0), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(aev_broker_options_set_seed(NULL, 1), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  released = 0;
  ck_assert_int_eq(aev_broker_options_set_log(NULL, NULL, AEV_LOG_INFO, NULL,
                                              count_release),
                   AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_int_eq(released, 0);
}
END_TEST

START_TEST(manual_clock_starts_at_2024_and_moves_only_by_advance) {
  aev_broker *b = manual_broker(1, 0);
  ck_assert_int_eq(aev_broker_now_ms(b), 1704067200000LL);
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_ERR_NOT_FOUND);
  ck_assert_int_eq(aev_broker_advance(b, 1500), AEV_OK);
  ck_assert_int_eq(aev_broker_now_ms(b), 1704067201500LL);
  ck_assert_int_eq(aev_broker_advance(b, -1), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_broker_now_ms(b), 1704067201500LL);
  aev_broker_destroy(b);

  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_start_time_ms(o, 1000);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  ck_assert_int_eq(aev_broker_now_ms(b), 1000);
  aev_broker_destroy(b);
  aev_broker_options_free(o);
}
END_TEST

/* A real clock shows the wall clock: a start time would be ignored there,
 * so it is refused rather than dropped unseen. */
START_TEST(start_time_refused_for_a_real_clock) {
  aev_broker_options *o;
  aev_broker *b = NULL;
  aev_broker_options_new(&o);
  aev_broker_options_set_start_time_ms(o, 1000);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_ERR_INVALID);
  ck_assert_ptr_null(b);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_str_eq(aev_errmsg(), "A start time is for a manual clock only: a real clock shows the "
                                 "wall clock. Choose AEV_CLOCK_MANUAL or leave the start time unset.");
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  ck_assert_int_eq(aev_broker_now_ms(b), 1000);
  aev_broker_destroy(b);
  aev_broker_options_free(o);
}
END_TEST

typedef struct ticker {
  aev_broker *b;
  aev__timer timer;
  int fired;
} ticker;

static void tick(void *arg, int cancelled) {
  ticker *t = arg;
  if (!cancelled) t->fired++;
}

START_TEST(next_deadline_reports_epoch_ms) {
  aev_broker *b = manual_broker(1, 0);
  ticker t = {b, {0}, 0};
  aev__timer_init(&t.timer, tick, &t, NULL);
  aev__timer_arm(aev__broker_sched(b), &t.timer, aev_broker_now_ms(b) + 2500);
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_OK);
  ck_assert_int_eq(next, 1704067202500LL);
  aev_broker_advance(b, next - aev_broker_now_ms(b));
  ck_assert_int_eq(t.fired, 1);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(same_seed_gives_the_same_ids) {
  aev_broker *a = manual_broker(42, 0), *b = manual_broker(42, 0),
             *c = manual_broker(43, 0);
  char ua[AEV_UUID_LEN + 1], ub[AEV_UUID_LEN + 1], uc[AEV_UUID_LEN + 1];
  int differ = 0;
  for (int i = 0; i < 100; i++) {
    aev__broker_uuid(a, ua);
    aev__broker_uuid(b, ub);
    aev__broker_uuid(c, uc);
    ck_assert_str_eq(ua, ub);
    differ += strcmp(ua, uc) != 0;
  }
  ck_assert_int_eq(differ, 100);
  char ta[33], tb[33];
  aev__broker_token(a, ta, 32);
  aev__broker_token(b, tb, 32);
  ck_assert_str_eq(ta, tb);
  ck_assert_uint_eq(aev__broker_random(a), aev__broker_random(b));
  aev_broker_destroy(a);
  aev_broker_destroy(b);
  aev_broker_destroy(c);
}
END_TEST

typedef struct log_capture {
  int lines;
  int released;
  int last_level;
  char last[256];
  aev_broker *broker;
  int destroy_rc;
} log_capture;

static void capture_log(void *user, int level, const char *message) {
  log_capture *c = user;
  c->lines++;
  c->last_level = level;
  snprintf(c->last, sizeof c->last, "%s", message);
  if (c->broker) c->destroy_rc = aev_broker_destroy(c->broker);
}

static void capture_release(void *user) { ((log_capture *)user)->released++; }

START_TEST(log_callback_levels_and_release) {
  log_capture first = {0}, cap = {0};
  aev_broker_options *o;
  aev_broker *b;
  aev_broker_options_new(&o);
  aev_broker_options_set_log(o, capture_log, AEV_LOG_INFO, &first, capture_release);
  /* Replacing a registration releases the previous one. */
  aev_broker_options_set_log(o, capture_log, AEV_LOG_WARN, &cap, capture_release);
  ck_assert_int_eq(first.released, 1);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o); /* the broker took the registration over */
  ck_assert_int_eq(cap.released, 0);
  aev__log(b, AEV_LOG_WARN, "queue %s is %d%% full", "orders", 90);
  aev__log(b, AEV_LOG_DEBUG, "not shown");
  ck_assert_int_eq(cap.lines, 1);
  ck_assert_int_eq(cap.last_level, AEV_LOG_WARN);
  ck_assert_str_eq(cap.last, "queue orders is 90% full");
  /* A log callback may not destroy its own broker. */
  cap.broker = b;
  aev__log(b, AEV_LOG_ERROR, "boom");
  ck_assert_int_eq(cap.destroy_rc, AEV_ERR_BUSY);
  cap.broker = NULL;
  aev_broker_destroy(b);
  ck_assert_int_eq(cap.released, 1);

  log_capture unused = {0};
  aev_broker_options_new(&o);
  aev_broker_options_set_log(o, capture_log, AEV_LOG_INFO, &unused, capture_release);
  aev_broker_options_free(o);
  ck_assert_int_eq(unused.released, 1);
}
END_TEST

static int destroy_in_task_rc = -1;

static void destroy_from_task(void *arg, int cancelled) {
  if (!cancelled) destroy_in_task_rc = aev_broker_destroy(arg);
}

START_TEST(destroy_inside_a_callback_is_busy) {
  aev_broker *b = manual_broker(1, 0);
  aev__sched_post(aev__broker_sched(b), NULL, destroy_from_task, b);
  aev_broker_drain(b);
  ck_assert_int_eq(destroy_in_task_rc, AEV_ERR_BUSY);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
}
END_TEST

typedef struct fake_resource {
  aev__resource base;
  int *shutdowns;
  int *destroys;
} fake_resource;

static void fake_shutdown(aev__resource *r) {
  (*((fake_resource *)r)->shutdowns)++;
}

static void fake_destroy(aev__resource *r) {
  fake_resource *f = (fake_resource *)r;
  (*f->destroys)++;
  free(f);
}

START_TEST(handles_released_after_the_broker_are_safe) {
  aev_broker *b = manual_broker(1, 0);
  int shutdowns = 0, destroys = 0;
  fake_resource *f = calloc(1, sizeof *f);
  f->shutdowns = &shutdowns;
  f->destroys = &destroys;
  ck_assert_int_eq(aev__resource_init(&f->base, b, AEV__KIND_QUEUE, "orders",
                                      fake_destroy, fake_shutdown),
                   AEV_OK);
  ck_assert_int_eq(aev__registry_add(b, &f->base, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(shutdowns, 1);
  ck_assert_int_eq(destroys, 0);
  /* The handle still works as an object; the broker says it is closed. */
  ck_assert_int_eq(aev__broker_check_open(f->base.broker), AEV_ERR_CLOSED);
  ck_assert_str_eq(f->base.arn, "arn:aws:sqs:us-east-1:000000000000:orders");
  aev__resource_unref(&f->base);
  ck_assert_int_eq(destroys, 1);
}
END_TEST

/* A property, not a speed: with timers hours away a real-mode broker's
 * threads sleep, so the process uses < 1% of a core over one second. */
START_TEST(idle_real_broker_uses_no_cpu) {
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  ticker t[3];
  for (int i = 0; i < 3; i++) {
    t[i] = (ticker){b, {0}, 0};
    aev__timer_init(&t[i].timer, tick, &t[i], NULL);
    aev__timer_arm(aev__broker_sched(b), &t[i].timer,
                   aev__clock_mono_ms(aev__broker_clock(b)) + (i + 2) * 3600000LL);
  }
  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "idle broker used %.4f s of CPU in a 1 s sleep", used);
  aev_broker_destroy(b);
  for (int i = 0; i < 3; i++) ck_assert_int_eq(t[i].fired, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("broker");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, defaults);
  tcase_add_test(tc, null_broker_or_out_is_refused);
  tcase_add_test(tc, options_are_validated_and_left_unchanged_on_error);
  tcase_add_test(tc, options_calls_refuse_a_null_object);
  tcase_add_test(tc, manual_clock_starts_at_2024_and_moves_only_by_advance);
  tcase_add_test(tc, start_time_refused_for_a_real_clock);
  tcase_add_test(tc, next_deadline_reports_epoch_ms);
  tcase_add_test(tc, same_seed_gives_the_same_ids);
  tcase_add_test(tc, log_callback_levels_and_release);
  tcase_add_test(tc, destroy_inside_a_callback_is_busy);
  tcase_add_test(tc, handles_released_after_the_broker_are_safe);
  tcase_add_test(tc, idle_real_broker_uses_no_cpu);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
