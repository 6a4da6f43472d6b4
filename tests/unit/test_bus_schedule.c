/* Schedules: rate() and cron() grammar and validation, next fire times for
 * hard cron expressions (L, W, #, ? in either day field, month and year
 * boundaries, leap years, the year field), and scheduled rules firing on
 * the manual clock with exactly one timer each. */
#include <check.h>
#include <time.h>

#include "aevtest.h"
#include "bus/bus_impl.h"
#include "core/broker.h"
#include "bus_support.h"

static int64_t at(int y, int mo, int d, int h, int mi) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                  .tm_hour = h, .tm_min = mi};
  return (int64_t)timegm(&tm) * 1000;
}

static int64_t next(const char *expr, int64_t after) {
  aev__schedule *s;
  int rc = aev__schedule_parse(expr, &s);
  ck_assert_msg(rc == AEV_OK, "%s: %s", expr, aev_errmsg());
  int64_t t = aev__schedule_next(s, after, after);
  aev__schedule_free(s);
  return t;
}

START_TEST(cron_next_fire_times) {
  ck_assert_int_eq(next("cron(0 12 * * ? *)", at(2024, 1, 1, 0, 0)), at(2024, 1, 1, 12, 0));
  /* Strictly after: at 12:00 the next one is tomorrow. */
  ck_assert_int_eq(next("cron(0 12 * * ? *)", at(2024, 1, 1, 12, 0)), at(2024, 1, 2, 12, 0));
  /* L: the last day of the month, leap years included. */
  ck_assert_int_eq(next("cron(0 0 L * ? *)", at(2024, 2, 1, 0, 0)), at(2024, 2, 29, 0, 0));
  ck_assert_int_eq(next("cron(0 0 L * ? *)", at(2023, 2, 1, 0, 0)), at(2023, 2, 28, 0, 0));
  /* W: the weekday nearest the day, not leaving the month. 2024-06-15 is
   * a Saturday, 2024-06-01 a Saturday too. */
  ck_assert_int_eq(next("cron(0 9 15W * ? *)", at(2024, 6, 1, 0, 0)), at(2024, 6, 14, 9, 0));
  ck_assert_int_eq(next("cron(0 9 1W * ? *)", at(2024, 5, 31, 0, 0)), at(2024, 6, 3, 9, 0));
  /* LW: the last weekday (2024-03-31 is a Sunday). */
  ck_assert_int_eq(next("cron(0 0 LW * ? *)", at(2024, 3, 1, 0, 0)), at(2024, 3, 29, 0, 0));
  /* #: the third Friday; L in day-of-week: the last Monday. */
  ck_assert_int_eq(next("cron(0 0 ? * 6#3 *)", at(2024, 1, 1, 0, 0)), at(2024, 1, 19, 0, 0));
  ck_assert_int_eq(next("cron(0 0 ? * FRI#3 *)", at(2024, 1, 20, 0, 0)), at(2024, 2, 16, 0, 0));
  ck_assert_int_eq(next("cron(0 0 ? * 2L *)", at(2024, 1, 1, 0, 0)), at(2024, 1, 29, 0, 0));
  /* Day names and ranges: from Saturday 2024-01-06 to Monday. */
  ck_assert_int_eq(next("cron(0 8 ? * MON-FRI *)", at(2024, 1, 6, 0, 0)), at(2024, 1, 8, 8, 0));
  /* Month boundary: April has no 31st. */
  ck_assert_int_eq(next("cron(30 23 31 * ? *)", at(2024, 4, 1, 0, 0)), at(2024, 5, 31, 23, 30));
  ck_assert_int_eq(next("cron(0 0 1 JAN,JUL ? *)", at(2024, 1, 2, 0, 0)), at(2024, 7, 1, 0, 0));
  /* Year boundary and Feb 29 only in leap years. */
  ck_assert_int_eq(next("cron(59 23 31 12 ? *)", at(2024, 12, 31, 23, 59)), at(2025, 12, 31, 23, 59));
  ck_assert_int_eq(next("cron(0 0 29 2 ? *)", at(2024, 3, 1, 0, 0)), at(2028, 2, 29, 0, 0));
  ck_assert_int_eq(next("cron(0 0 29 2 ? 2100-2104)", at(2024, 3, 1, 0, 0)), at(2104, 2, 29, 0, 0));
  /* Steps. */
  ck_assert_int_eq(next("cron(0/15 * * * ? *)", at(2024, 1, 1, 0, 7)), at(2024, 1, 1, 0, 15));
  ck_assert_int_eq(next("cron(5/20 */6 * * ? *)", at(2024, 1, 1, 0, 50)), at(2024, 1, 1, 6, 5));
  /* The year field: once, then never again. */
  ck_assert_int_eq(next("cron(0 0 1 1 ? 2030)", at(2024, 1, 1, 0, 0)), at(2030, 1, 1, 0, 0));
  ck_assert_int_eq(next("cron(0 0 1 1 ? 2030)", at(2030, 1, 1, 0, 0)), -1);
}
END_TEST

START_TEST(rate_next_fire_times) {
  aev__schedule *s;
  ck_assert_int_eq(aev__schedule_parse("rate(1 minute)", &s), AEV_OK);
  ck_assert_int_eq(aev__schedule_next(s, 1000, 1000), 61000);
  aev__schedule_free(s);
  ck_assert_int_eq(aev__schedule_parse("rate(2 hours)", &s), AEV_OK);
  ck_assert_int_eq(aev__schedule_next(s, 7200000 + 5, 0), 14400000);
  aev__schedule_free(s);
  ck_assert_int_eq(aev__schedule_parse("rate(1 day)", &s), AEV_OK);
  ck_assert_int_eq(aev__schedule_next(s, 0, 0), 86400000);
  aev__schedule_free(s);
}
END_TEST

START_TEST(invalid_expressions) {
  const char *bad[] = {
      "rate(0 minutes)", "rate(1 minutes)", "rate(2 minute)", "rate(5 seconds)",
      "rate(-1 days)", "rate(1day)", "rate()", "cron(0 0 ? * ? *)",
      "cron(0 0 1 * 1 *)", "cron(0 0 * * ?)", "cron(60 0 * * ? *)",
      "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 * 13 ? *)",
      "cron(0 0 ? * 8 *)", "cron(0 0 ? * 1#6 *)", "cron(0 0 ? * 1#1,2#2 *)",
      "cron(0 0 * * ? 2200)", "cron(0 0 * * ? 1969)", "cron(0 0 L-1 * ? *)",
      "cron(0 0 * * ? * *)", "every(5 minutes)", "cron(0 0 5-1 * ? *)",
      "cron(0/0 0 * * ? *)", "cron(0 0 ? FOO * *)", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    aev__schedule *s;
    int rc = aev__schedule_parse(bad[i], &s);
    ck_assert_msg(rc == AEV_ERR_INVALID, "%s was accepted", bad[i]);
    ck_assert_str_eq(aev_errcode(), "ValidationException");
    ck_assert_str_eq(aev_errmsg(), "Parameter ScheduleExpression is not valid.");
  }
}
END_TEST

static aev_broker *b;
static aev_bus *def;
static int fired;
static char last[1024];

static int count(void *user, const char *in, size_t len) {
  (void)user;
  fired++;
  snprintf(last, sizeof last, "%.*s", (int)len, in);
  return 0;
}

static void setup(void) {
  b = bt_broker();
  bt_ok(aev_bus_get(b, "default", &def));
  fired = 0;
}

static void teardown(void) {
  aev_bus_release(def);
  aev_broker_destroy(b);
}

static int64_t next_deadline(void) {
  int64_t t;
  bt_ok(aev_broker_next_deadline(b, &t));
  return t;
}

START_TEST(rate_fires_one_period_after_create_and_enable) {
  int64_t t0 = aev_broker_now_ms(b);
  bt_ok(aev_bus_put_rule(def, "every5", NULL, "rate(5 minutes)", 1, NULL));
  bt_ok(aev_bus_put_callback_target(def, "every5", "{\"Id\":\"c\"}", count, NULL, NULL));
  /* One timer, for the next fire time. */
  ck_assert_int_eq(next_deadline(), t0 + 5 * 60000);
  aev_broker_advance(b, 5 * 60000 - 1);
  ck_assert_int_eq(fired, 0);
  aev_broker_advance(b, 1);
  ck_assert_int_eq(fired, 1);
  json_t *ev = json_loads(last, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "source")), "aws.events");
  ck_assert_str_eq(json_string_value(json_object_get(ev, "detail-type")), "Scheduled Event");
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ev, "resources"), 0)),
                   "arn:aws:events:us-east-1:000000000000:rule/every5");
  ck_assert_str_eq(json_string_value(json_object_get(ev, "time")), "2024-01-01T00:05:00Z");
  json_decref(ev);
  aev_broker_advance(b, 10 * 60000);
  ck_assert_int_eq(fired, 3);
  /* Disabled: no timer. Enabled 2 minutes later: one period from then. */
  bt_ok(aev_bus_enable_rule(def, "every5", 0));
  int64_t t;
  ck_assert_int_eq(aev_broker_next_deadline(b, &t), AEV_ERR_NOT_FOUND);
  aev_broker_advance(b, 2 * 60000);
  bt_ok(aev_bus_enable_rule(def, "every5", 1));
  ck_assert_int_eq(next_deadline(), aev_broker_now_ms(b) + 5 * 60000);
  aev_broker_advance(b, 5 * 60000);
  ck_assert_int_eq(fired, 4);
  /* Deleting the rule removes its timer. */
  bt_ok(aev_bus_delete_rule(def, "every5", 1));
  ck_assert_int_eq(aev_broker_next_deadline(b, &t), AEV_ERR_NOT_FOUND);
}
END_TEST

START_TEST(a_year_of_cron_in_virtual_time) {
  /* Weekdays at 09:30: 2024 has 262 of them. */
  bt_ok(aev_bus_put_rule(def, "weekdays", NULL, "cron(30 9 ? * MON-FRI *)", 1, NULL));
  bt_ok(aev_bus_put_callback_target(def, "weekdays", "{\"Id\":\"c\"}", count, NULL, NULL));
  aev_broker_advance(b, at(2025, 1, 1, 0, 0) - aev_broker_now_ms(b));
  ck_assert_int_eq(fired, 262);
  ck_assert_int_eq(next_deadline(), at(2025, 1, 1, 9, 30));
}
END_TEST

START_TEST(pattern_and_schedule_together) {
  bt_ok(aev_bus_put_rule(def, "both", "{\"source\":[\"a\"]}", "rate(1 hour)", 1, NULL));
  bt_ok(aev_bus_put_callback_target(def, "both", "{\"Id\":\"c\"}", count, NULL, NULL));
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  ck_assert_int_eq(fired, 1);
  aev_broker_advance(b, 3600000);
  ck_assert_int_eq(fired, 2);
}
END_TEST

/* A queue q on r and a rule m of schedule expression, targeting it. */
static void rule_to_queue(aev_broker *r, const char *expression) {
  char rule[160];
  snprintf(rule, sizeof rule, "{\"Name\":\"m\",\"ScheduleExpression\":\"%s\"}", expression);
  json_decref(aev_test_call(r, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}", AEV_OK));
  json_decref(aev_test_call(r, "events", "PutRule", rule, AEV_OK));
  json_decref(aev_test_call(r, "events", "PutTargets",
                            "{\"Rule\":\"m\",\"Targets\":[{\"Id\":\"q\",\"Arn\":"
                            "\"arn:aws:sqs:us-east-1:000000000000:q\"}]}", AEV_OK));
}

/* What q receives within 10 s. */
static json_t *receive_q(aev_broker *r) {
  return aev_test_call(r, "sqs", "ReceiveMessage",
                       "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/q\","
                       "\"WaitTimeSeconds\":10}", AEV_OK);
}

/* A rule's timer runs on the monotonic clock toward a wall-clock time.
 * The wall clock stepped back after it was set (as NTP may), the timer
 * comes early: the rule must still fire once its time has come, not take
 * the timer for a stale one and stop for good. The wall clock is first
 * moved to 1.5 s before a minute, so that a cron() rule is due soon. */
START_TEST(real_clock_stepped_back) {
  aev_broker *r = aev_test_real_broker(2);
  aev__clock *c = aev__broker_clock(r);
  const int64_t now = aev_broker_now_ms(r), minute = (now / 60000 + 1) * 60000;
  aev__clock_step_wall(c, minute - 1500 - now);
  rule_to_queue(r, "cron(* * * * ? *)");
  aev__clock_step_wall(c, -2000);
  json_t *m = receive_q(r);
  json_t *msgs = json_object_get(m, "Messages");
  ck_assert_msg(json_array_size(msgs) == 1, "the cron() rule did not fire");
  json_t *ev = json_loads(json_string_value(json_object_get(json_array_get(msgs, 0), "Body")), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "detail-type")), "Scheduled Event");
  json_decref(ev);
  json_decref(m);
  aev_broker_destroy(r);
}
END_TEST

/* The wall clock set forward past a rate() rule's next time (an NTP step,
 * or a resume from suspend, which the monotonic clock does not count): the
 * rule fires at once, not when its timer's monotonic deadline, ten minutes
 * on, comes. A test cannot set the system's clock: it moves the broker's
 * and calls what the scheduler's clock watch calls on a set. */
START_TEST(real_clock_stepped_forward) {
  aev_broker *r = aev_test_real_broker(2);
  rule_to_queue(r, "rate(10 minutes)");
  aev__clock_step_wall(aev__broker_clock(r), 601 * 1000);
  aev__sched_wall_set(aev__broker_sched(r));
  json_t *m = receive_q(r);
  ck_assert_msg(json_array_size(json_object_get(m, "Messages")) == 1,
                "the rate() rule did not fire once its time came");
  json_decref(m);
  aev_broker_destroy(r);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_schedule");
  TCase *tc = tcase_create("expressions");
  tcase_add_test(tc, cron_next_fire_times);
  tcase_add_test(tc, rate_next_fire_times);
  tcase_add_test(tc, invalid_expressions);
  suite_add_tcase(s, tc);
  TCase *tr = tcase_create("rules");
  tcase_add_checked_fixture(tr, setup, teardown);
  tcase_add_test(tr, rate_fires_one_period_after_create_and_enable);
  tcase_add_test(tr, a_year_of_cron_in_virtual_time);
  tcase_add_test(tr, pattern_and_schedule_together);
  suite_add_tcase(s, tr);
  TCase *real = tcase_create("real");
  tcase_add_test(real, real_clock_stepped_back);
  tcase_add_test(real, real_clock_stepped_forward);
  suite_add_tcase(s, real);
  return aev_test_run(s);
}
