/* The clock: manual start and moves, real timestamps near the wall clock,
 * and the deadline timeline. */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "awsevents/broker.h"
#include "core/clock.h"
#include "aevtest.h"

START_TEST(manual_clock_starts_where_told_and_never_goes_back) {
  aev__clock c;
  aev__clock_init(&c, AEV_CLOCK_MANUAL, AEV_MANUAL_CLOCK_DEFAULT_START_MS);
  ck_assert_int_eq(aev__clock_now_ms(&c), 1704067200000LL);
  ck_assert_int_eq(aev__clock_mono_ms(&c), 1704067200000LL);
  aev__clock_set_manual(&c, 1704067201000LL);
  ck_assert_int_eq(aev__clock_now_ms(&c), 1704067201000LL);
  aev__clock_set_manual(&c, 5);
  ck_assert_int_eq(aev__clock_now_ms(&c), 1704067201000LL);
  ck_assert_int_eq(aev__clock_mono_to_epoch(&c, 1704067209000LL),
                   1704067209000LL);
}
END_TEST

START_TEST(real_clock_reads_the_wall_clock) {
  aev__clock c;
  aev__clock_init(&c, AEV_CLOCK_REAL, 0);
  int64_t wall = (int64_t)time(NULL) * 1000;
  int64_t now = aev__clock_now_ms(&c);
  ck_assert_int_ge(now, wall - 1000);
  ck_assert_int_le(now, wall + 2000);
  int64_t m1 = aev__clock_mono_ms(&c);
  int64_t m2 = aev__clock_mono_ms(&c);
  ck_assert_int_ge(m2, m1);
  /* A deadline 10 s ahead converts to about now + 10 s on the wall clock. */
  int64_t epoch = aev__clock_mono_to_epoch(&c, m2 + 10000);
  ck_assert_int_ge(epoch, now + 9000);
  ck_assert_int_le(epoch, now + 12000);
  ck_assert_int_gt(aev__mono_ns(), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("clock");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, manual_clock_starts_where_told_and_never_goes_back);
  tcase_add_test(tc, real_clock_reads_the_wall_clock);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
