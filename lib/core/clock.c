/* The broker clock: wall-clock or manual epoch milliseconds for timestamps,
 * and a monotonic (or virtual) timeline for deadlines; and the calendar and
 * ISO-8601 timestamps every service writes. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "awsevents/broker.h"
#include "core/clock.h"

static int64_t read_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t aev__mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void aev__clock_init(aev__clock *c, int mode, int64_t start_ms) {
  c->mode = mode;
  c->manual_ms = start_ms;
  c->wall_step_ms = 0;
}

static int64_t wall_ms(const aev__clock *c) { return read_ms(CLOCK_REALTIME) + c->wall_step_ms; }

int64_t aev__clock_now_ms(const aev__clock *c) {
  return c->mode == AEV_CLOCK_MANUAL ? c->manual_ms : wall_ms(c);
}

int64_t aev__clock_mono_ms(const aev__clock *c) {
  return c->mode == AEV_CLOCK_MANUAL ? c->manual_ms : read_ms(CLOCK_MONOTONIC);
}

int64_t aev__clock_mono_to_epoch(const aev__clock *c, int64_t mono_ms) {
  if (c->mode == AEV_CLOCK_MANUAL) return mono_ms;
  return mono_ms - read_ms(CLOCK_MONOTONIC) + wall_ms(c);
}

int64_t aev__clock_epoch_to_mono(const aev__clock *c, int64_t epoch_ms) {
  if (c->mode == AEV_CLOCK_MANUAL) return epoch_ms;
  /* Both clocks are read truncated to the millisecond, so the plain
   * difference can land up to 1 ms early: the timer would then find the
   * wall clock still short of epoch_ms. One more millisecond, with the wall
   * clock read first, puts the deadline at or after it. */
  int64_t wall = wall_ms(c);
  int64_t mono = read_ms(CLOCK_MONOTONIC);
  return mono + (epoch_ms - wall) + 1;
}

void aev__clock_step_wall(aev__clock *c, int64_t delta_ms) { c->wall_step_ms += delta_ms; }

void aev__clock_set_manual(aev__clock *c, int64_t ms) {
  if (ms > c->manual_ms) c->manual_ms = ms;
}

int aev__days_in_month(int64_t y, int mo) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return mdays[mo - 1] + (mo == 2 && leap);
}

int aev__civil_date_ok(int64_t y, int mo, int d) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= aev__days_in_month(y, mo);
}

/* Howard Hinnant's days-from-civil and civil-from-days algorithms. */
int64_t aev__civil_days(int64_t y, int mo, int d) {
  y -= mo <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void aev__civil_from_days(int64_t days, int64_t *y, int *mo, int *d) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*mo <= 2);
}

static char *digits(char *p, unsigned v, int n) {
  for (int i = n - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
  return p + n;
}

/* Every SNS envelope writes one: years 1970..9999 by arithmetic rather
 * than gmtime and strftime. */
void aev__iso_ms(int64_t ms, char out[32]) {
  if (ms < 0 || ms >= 253402300800000LL) { /* outside 1970..9999 */
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 32 - k, ".%03dZ", (int)(ms % 1000));
    return;
  }
  int64_t s = ms / 1000, sod = s % 86400, y;
  int m, d;
  aev__civil_from_days(s / 86400, &y, &m, &d);
  char *p = digits(out, (unsigned)y, 4);
  *p++ = '-';
  p = digits(p, (unsigned)m, 2);
  *p++ = '-';
  p = digits(p, (unsigned)d, 2);
  *p++ = 'T';
  p = digits(p, (unsigned)(sod / 3600), 2);
  *p++ = ':';
  p = digits(p, (unsigned)(sod / 60 % 60), 2);
  *p++ = ':';
  p = digits(p, (unsigned)(sod % 60), 2);
  *p++ = '.';
  p = digits(p, (unsigned)(ms % 1000), 3);
  *p++ = 'Z';
  *p = '\0';
}

static int read_digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* The instant's nanoseconds within its millisecond go to *sub_ns: AWS's
 * timestamps keep nine fraction digits, so "...00.1231Z" is before
 * "...00.1239Z". February 29 exists in leap years only. */
int aev__iso8601_parse_ns(const char *s, int64_t *out_ms, int32_t *sub_ns) {
  int y, mo, d, h, mi, sec;
  if (strlen(s) < 20 || read_digits(s, 4, &y) || s[4] != '-' || read_digits(s + 5, 2, &mo) || s[7] != '-' ||
      read_digits(s + 8, 2, &d) || s[10] != 'T' || read_digits(s + 11, 2, &h) || s[13] != ':' ||
      read_digits(s + 14, 2, &mi) || s[16] != ':' || read_digits(s + 17, 2, &sec))
    return -1;
  if (!aev__civil_date_ok(y, mo, d) || h > 23 || mi > 59 || sec > 59) return -1;
  const char *p = s + 19;
  int64_t frac_ns = 0;
  if (*p == '.') {
    p++;
    int n = 0, scale = 100000000;
    while (isdigit((unsigned char)*p)) {
      if (n < 9) frac_ns += (*p - '0') * scale, scale /= 10;
      n++, p++;
    }
    if (n == 0 || n > 9) return -1;
  }
  const int64_t frac_ms = frac_ns / 1000000;
  *sub_ns = (int32_t)(frac_ns % 1000000);
  int64_t off = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    if (read_digits(p + 1, 2, &oh) || p[3] != ':' || read_digits(p + 4, 2, &om) || oh > 23 || om > 59)
      return -1;
    off = (oh * 60 + om) * 60000LL * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return -1;
  }
  if (*p) return -1;
  int64_t days = aev__civil_days(y, mo, d);
  *out_ms = ((days * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + frac_ms - off;
  return 0;
}

int aev__iso8601_parse(const char *s, int64_t *out_ms) {
  int32_t sub_ns;
  return aev__iso8601_parse_ns(s, out_ms, &sub_ns);
}
