/* Time zones for EventBridge Scheduler: the TZif parser against the
 * system's tz database (offsets either side of daylight-saving changes,
 * north and south, the footer's rule past the last transition, skipped and
 * repeated wall-clock times), broken files refused, and cron() schedules
 * in a zone skipping the spring-forward hour and firing once in the
 * fall-back one, as the Scheduler guide describes. */
#include <check.h>
#include <time.h>

#include "aevtest.h"
#include "scheduler/scheduler_impl.h"

static int64_t utc(int y, int mo, int d, int h, int mi) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
  return (int64_t)timegm(&tm);
}

static aev__tz *load(const char *name) {
  aev__tz *tz = NULL;
  ck_assert_msg(aev__tz_load(AEV__TZ_DIR, name, &tz) == AEV_OK, "%s", name);
  return tz;
}

START_TEST(offsets_around_changes) {
  aev__tz *ny = load("America/New_York");
  /* 2024-03-10 02:00 EST -> 03:00 EDT, at 07:00 UTC. */
  ck_assert_int_eq(aev__tz_offset(ny, utc(2024, 3, 10, 6, 59)), -5 * 3600);
  ck_assert_int_eq(aev__tz_offset(ny, utc(2024, 3, 10, 7, 0)), -4 * 3600);
  /* 2024-11-03 02:00 EDT -> 01:00 EST, at 06:00 UTC. */
  ck_assert_int_eq(aev__tz_offset(ny, utc(2024, 11, 3, 5, 59)), -4 * 3600);
  ck_assert_int_eq(aev__tz_offset(ny, utc(2024, 11, 3, 6, 0)), -5 * 3600);
  /* Past the file's transitions the footer's rule (EST5EDT,M3.2.0,M11.1.0)
   * goes on: 2100-03-14 is the second Sunday of March. */
  ck_assert_int_eq(aev__tz_offset(ny, utc(2100, 3, 14, 6, 59)), -5 * 3600);
  ck_assert_int_eq(aev__tz_offset(ny, utc(2100, 3, 14, 7, 0)), -4 * 3600);
  ck_assert_int_eq(aev__tz_offset(ny, utc(2100, 7, 1, 0, 0)), -4 * 3600);
  ck_assert_int_eq(aev__tz_offset(ny, utc(2100, 12, 1, 0, 0)), -5 * 3600);
  /* Before the first transition: local mean time, -4:56:02. */
  ck_assert_int_eq(aev__tz_offset(ny, utc(1800, 1, 1, 0, 0)), -(4 * 3600 + 56 * 60 + 2));
  aev__tz_free(ny);
  /* The south: Sydney's summer time spans the new year. */
  aev__tz *syd = load("Australia/Sydney");
  ck_assert_int_eq(aev__tz_offset(syd, utc(2024, 1, 15, 0, 0)), 11 * 3600);
  ck_assert_int_eq(aev__tz_offset(syd, utc(2024, 7, 15, 0, 0)), 10 * 3600);
  ck_assert_int_eq(aev__tz_offset(syd, utc(2150, 1, 15, 0, 0)), 11 * 3600);
  ck_assert_int_eq(aev__tz_offset(syd, utc(2150, 7, 15, 0, 0)), 10 * 3600);
  aev__tz_free(syd);
  aev__tz *u = load("UTC");
  ck_assert_int_eq(aev__tz_offset(u, utc(2024, 6, 1, 0, 0)), 0);
  aev__tz_free(u);
  aev__tz *kol = load("Asia/Kolkata");
  ck_assert_int_eq(aev__tz_offset(kol, utc(2060, 6, 1, 0, 0)), 5 * 3600 + 1800);
  aev__tz_free(kol);
}
END_TEST

START_TEST(wall_clock_to_instant) {
  aev__tz *ny = load("America/New_York");
  int64_t t;
  /* 02:30 on 2024-03-10 never happens; 01:30 on 2024-11-03 happens twice:
   * the first is 05:30 UTC (EDT). */
  ck_assert_int_eq(aev__tz_to_utc(ny, utc(2024, 3, 10, 2, 30), &t), 0);
  ck_assert_int_eq(aev__tz_to_utc(ny, utc(2024, 11, 3, 1, 30), &t), 1);
  ck_assert_int_eq(t, utc(2024, 11, 3, 5, 30));
  ck_assert_int_eq(aev__tz_to_utc(ny, utc(2024, 6, 1, 12, 0), &t), 1);
  ck_assert_int_eq(t, utc(2024, 6, 1, 16, 0));
  aev__tz_free(ny);
}
END_TEST

START_TEST(bad_names_and_files) {
  aev__tz *tz = NULL;
  const char *bad[] = {"", "Mars/Base", "../etc/passwd", "/etc/passwd", "America", "America/.",
                       "America/New York", "America/../UTC"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    ck_assert_msg(aev__tz_load(AEV__TZ_DIR, bad[i], &tz) == AEV_ERR_NOT_FOUND, "%s", bad[i]);
  /* Truncations of a real file are refused, never read past. */
  FILE *f = fopen(AEV__TZ_DIR "/Europe/Paris", "rb");
  ck_assert_ptr_nonnull(f);
  unsigned char buf[8192];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  ck_assert_int_eq(aev__tz_parse(buf, n, &tz), AEV_OK);
  aev__tz_free(tz);
  for (size_t cut = 0; cut < 200; cut++)
    if (aev__tz_parse(buf, cut, &tz) == AEV_OK) aev__tz_free(tz);
  ck_assert_int_eq(aev__tz_parse((const unsigned char *)"TZif2", 5, &tz), AEV_ERR_INVALID);
  /* A version-1 file of one local time type: at +3600 it reads; at
   * 0x7fffffff seconds (beyond RFC 8536's range, which fuzzing fed it) not. */
  unsigned char one[44 + 7] = {'T', 'Z', 'i', 'f'};
  one[39] = 1; /* typecnt */
  one[43] = 1; /* charcnt */
  one[46] = 0x0e, one[47] = 0x10;
  ck_assert_int_eq(aev__tz_parse(one, sizeof one, &tz), AEV_OK);
  ck_assert_int_eq(aev__tz_offset(tz, 0), 3600);
  aev__tz_free(tz);
  one[44] = 0x7f, one[45] = one[46] = one[47] = 0xff;
  ck_assert_int_eq(aev__tz_parse(one, sizeof one, &tz), AEV_ERR_INVALID);
  ck_assert_int_eq(aev__tz_parse((const unsigned char *)"not a zone file at all, not at all"
                                 "..........", 44, &tz), AEV_ERR_INVALID);
}
END_TEST

static aev__sconf *conf(const char *expr, const char *zone) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"ScheduleExpression\":\"%s\",\"ScheduleExpressionTimezone\":\"%s\","
           "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":"
           "\"arn:aws:sqs:us-east-1:000000000000:q\",\"RoleArn\":\"arn:aws:iam::000000000000:role/r\"}}", expr, zone);
  json_t *j = json_loads(req, 0, NULL);
  aev__sconf *c = NULL;
  ck_assert_msg(aev__sconf_new(j, &c) == AEV_OK, "%s", aev_errmsg());
  json_decref(j);
  return c;
}

START_TEST(cron_across_daylight_saving) {
  /* 02:30 every day in New York: 2024-03-10 has no 02:30, so that day is
   * skipped; on 2024-11-03 01:30 happens twice and fires once. */
  aev__sconf *c = conf("cron(30 2 * * ? *)", "America/New_York");
  int64_t t = aev__sconf_next(c, utc(2024, 3, 9, 8, 0) * 1000, 0);
  ck_assert_int_eq(t, utc(2024, 3, 11, 6, 30) * 1000);
  ck_assert_int_eq(aev__sconf_next(c, utc(2024, 3, 8, 8, 0) * 1000, 0), utc(2024, 3, 9, 7, 30) * 1000);
  aev__sconf_unref(c);
  c = conf("cron(30 1 * * ? *)", "America/New_York");
  t = aev__sconf_next(c, utc(2024, 11, 2, 12, 0) * 1000, 0);
  ck_assert_int_eq(t, utc(2024, 11, 3, 5, 30) * 1000); /* 01:30 EDT */
  t = aev__sconf_next(c, t, 0);
  ck_assert_int_eq(t, utc(2024, 11, 4, 6, 30) * 1000); /* not 01:30 EST again */
  aev__sconf_unref(c);
  /* Every 30 minutes through the fall-back night: 01:00 and 01:30 once. */
  c = conf("cron(0/30 * * * ? *)", "America/New_York");
  int64_t want[] = {utc(2024, 11, 3, 5, 0), utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 7, 0)};
  t = utc(2024, 11, 3, 4, 45) * 1000;
  for (int i = 0; i < 3; i++) {
    t = aev__sconf_next(c, t, 0);
    ck_assert_int_eq(t, want[i] * 1000);
  }
  aev__sconf_unref(c);
  /* at() is wall-clock time in the zone too. */
  c = conf("at(2024-07-01T09:00:00)", "Europe/Paris");
  ck_assert_int_eq(aev__sconf_next(c, 0, 0), utc(2024, 7, 1, 7, 0) * 1000);
  aev__sconf_unref(c);
  /* rate() counts fixed durations whatever the zone. */
  c = conf("rate(1 day)", "America/New_York");
  ck_assert_int_eq(aev__sconf_next(c, utc(2024, 3, 10, 0, 0) * 1000, utc(2024, 3, 9, 0, 0) * 1000),
                   utc(2024, 3, 11, 0, 0) * 1000);
  aev__sconf_unref(c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("scheduler_tz");
  TCase *tc = tcase_create("tz");
  tcase_add_test(tc, offsets_around_changes);
  tcase_add_test(tc, wall_clock_to_instant);
  tcase_add_test(tc, bad_names_and_files);
  tcase_add_test(tc, cron_across_daylight_saving);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
