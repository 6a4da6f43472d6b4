/* Schedule expressions: rate(N unit) and cron(min hour dom month dow year)
 * with AWS's grammar (one-minute resolution, ? L W # in the day fields,
 * JAN-DEC / SUN-SAT names, years 1970-2199) and the next fire time after a
 * given instant, for EventBridge rules and EventBridge Scheduler alike. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/schedule.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/text.h"

#define MINUTE_MS 60000LL
#define DAY_MS (24 * 60 * MINUTE_MS)
#define YEAR_MIN 1970
#define YEAR_MAX 2199

/* What a day field holds besides a plain set of values. */
enum { DAY_SET, DAY_ANY /* ? */, DAY_LAST /* L */, DAY_WEEKDAY /* nW */,
       DAY_LAST_WEEKDAY /* LW */, DOW_LAST /* nL */, DOW_NTH /* n#k */ };

struct aev__schedule {
  int64_t rate_ms; /* > 0 for rate() */
  uint64_t min;
  uint32_t hour;
  uint32_t dom;    /* bits 1..31 */
  uint16_t mon;    /* bits 1..12 */
  uint8_t dow;     /* bits 1..7, 1 = SUN */
  int dom_kind, dom_arg;
  int dow_kind, dow_arg, dow_nth;
  uint8_t years[(YEAR_MAX - YEAR_MIN) / 8 + 1];
};

void aev__schedule_free(aev__schedule *s) { free(s); }

static int invalid(void) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Parameter ScheduleExpression is not valid.");
}

static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const days[] = {"SUN", "MON", "TUE", "WED",
                                   "THU", "FRI", "SAT"};

/* A number, or (names != NULL) a three-letter name mapping to 1.. */
static int value(const char **p, const char *const *names, int n_names,
                 int *out) {
  if (isdigit((unsigned char)**p)) {
    long v = 0;
    while (isdigit((unsigned char)**p) && v < 100000) v = v * 10 + (*(*p)++ - '0');
    *out = (int)v;
    return 1;
  }
  for (int i = 0; names && i < n_names; i++)
    if (aev__ascii_ncaseeq(*p, names[i], 3)) {
      *p += 3;
      *out = i + 1;
      return 1;
    }
  return 0;
}

/* A list of *, v, a-b, and x/step items (x: *, v or a-b) into bits lo..hi. */
static int set_field(const char *f, int lo, int hi, const char *const *names,
                     int n_names, uint8_t *bits) {
  const char *p = f;
  for (;;) {
    int a = lo, b = hi, step = 1, single = 0;
    if (*p == '*') {
      p++;
    } else {
      if (!value(&p, names, n_names, &a)) return 0;
      b = a;
      single = 1;
      if (*p == '-') {
        p++;
        single = 0;
        if (!value(&p, names, n_names, &b)) return 0;
      }
    }
    if (*p == '/') {
      p++;
      if (!value(&p, NULL, 0, &step) || step < 1) return 0;
      if (single) b = hi; /* "5/15": from 5 to the end of the range */
    }
    if (a < lo || b > hi || a > b) return 0;
    for (int v = a; v <= b; v += step) bits[(v - lo) / 8] |= (uint8_t)(1u << ((v - lo) % 8));
    if (*p == 0) return 1;
    if (*p++ != ',') return 0;
  }
}

static uint64_t bits64(const uint8_t *b, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v |= (uint64_t)b[i] << (8 * i);
  return v;
}

/* Fills a plain field; the bitset is shifted so bit v means value v. */
static int plain(const char *f, int lo, int hi, const char *const *names,
                 int n_names, uint64_t *out) {
  uint8_t b[8] = {0};
  if (!set_field(f, lo, hi, names, n_names, b)) return 0;
  *out = bits64(b, 8) << lo;
  return 1;
}

static int dom_field(const char *f, aev__schedule *s) {
  size_t n = strlen(f);
  uint64_t bits;
  if (!strcmp(f, "?")) s->dom_kind = DAY_ANY;
  else if (!strcmp(f, "L")) s->dom_kind = DAY_LAST;
  else if (!strcmp(f, "LW")) s->dom_kind = DAY_LAST_WEEKDAY;
  else if (n > 1 && f[n - 1] == 'W') {
    char *end;
    long d = strtol(f, &end, 10);
    if (end != f + n - 1 || d < 1 || d > 31) return 0;
    s->dom_kind = DAY_WEEKDAY;
    s->dom_arg = (int)d;
  } else if (plain(f, 1, 31, NULL, 0, &bits)) {
    s->dom_kind = DAY_SET;
    s->dom = (uint32_t)bits;
  } else {
    return 0;
  }
  return 1;
}

static int dow_field(const char *f, aev__schedule *s) {
  const char *hash = strchr(f, '#');
  size_t n = strlen(f);
  uint64_t bits;
  if (!strcmp(f, "?")) {
    s->dow_kind = DAY_ANY;
  } else if (hash) {
    const char *p = f;
    int d, k;
    if (!value(&p, days, 7, &d) || p != hash || d < 1 || d > 7) return 0;
    p++;
    if (!value(&p, NULL, 0, &k) || *p || k < 1 || k > 5) return 0;
    s->dow_kind = DOW_NTH;
    s->dow_arg = d;
    s->dow_nth = k;
  } else if (n >= 1 && f[n - 1] == 'L') {
    const char *p = f;
    int d = 7; /* "L" alone: the last day of the week, Saturday */
    if (n > 1 && (!value(&p, days, 7, &d) || p != f + n - 1 || d < 1 || d > 7))
      return 0;
    s->dow_kind = DOW_LAST;
    s->dow_arg = d;
  } else if (plain(f, 1, 7, days, 7, &bits)) {
    s->dow_kind = DAY_SET;
    s->dow = (uint8_t)bits;
  } else {
    return 0;
  }
  return 1;
}

static int parse_cron(char *body, aev__schedule *s) {
  char *f[7];
  int n = 0;
  for (char *tok = strtok(body, " "); tok; tok = strtok(NULL, " "))
    if (n < 7) f[n++] = tok;
    else return 0;
  if (n != 6) return 0;
  uint64_t v;
  if (!plain(f[0], 0, 59, NULL, 0, &s->min)) return 0;
  if (!plain(f[1], 0, 23, NULL, 0, &v)) return 0;
  s->hour = (uint32_t)v;
  if (!dom_field(f[2], s)) return 0;
  if (!plain(f[3], 1, 12, months, 12, &v)) return 0;
  s->mon = (uint16_t)v;
  if (!dow_field(f[4], s)) return 0;
  if (!set_field(f[5], YEAR_MIN, YEAR_MAX, NULL, 0, s->years)) return 0;
  /* Exactly one of day-of-month and day-of-week is "?". */
  if ((s->dom_kind == DAY_ANY) == (s->dow_kind == DAY_ANY)) return 0;
  return 1;
}

static int parse_rate(const char *body, int flags, aev__schedule *s) {
  char *end;
  if (!isdigit((unsigned char)*body)) return 0;
  long n = strtol(body, &end, 10);
  if (n < 1 || *end != ' ') return 0;
  const char *unit = end + 1;
  int64_t ms;
  /* Rules: singular when N is 1, plural otherwise. Scheduler takes either
   * form with any N (AWS accepts rate(2 minute) there). */
  const char *units[] = {"minute", "hour", "day"};
  const int64_t unit_ms[] = {MINUTE_MS, 60 * MINUTE_MS, DAY_MS};
  size_t i = 0;
  for (; i < 3; i++) {
    size_t len = strlen(units[i]);
    if (!strncmp(unit, units[i], len) &&
        (!strcmp(unit + len, n == 1 ? "" : "s") ||
         ((flags & AEV__SCHEDULE_EITHER_NUMBER) &&
          (!strcmp(unit + len, "") || !strcmp(unit + len, "s")))))
      break;
  }
  if (i == 3 || n > 100000000L) return 0;
  ms = unit_ms[i] * n;
  s->rate_ms = ms;
  return 1;
}

int aev__schedule_parse(const char *text, aev__schedule **out) {
  return aev__schedule_parse_flags(text, 0, out);
}

int aev__schedule_parse_flags(const char *text, int flags, aev__schedule **out) {
  size_t n = text ? strlen(text) : 0;
  if (n < 7 || n > 256 || text[n - 1] != ')') return invalid();
  aev__schedule *s = calloc(1, sizeof *s);
  char body[257];
  int ok = s != NULL;
  if (ok && !strncmp(text, "rate(", 5)) {
    memcpy(body, text + 5, n - 6);
    body[n - 6] = 0;
    ok = parse_rate(body, flags, s);
  } else if (ok && !strncmp(text, "cron(", 5)) {
    memcpy(body, text + 5, n - 6);
    body[n - 6] = 0;
    ok = parse_cron(body, s);
  } else {
    ok = 0;
  }
  if (!ok) {
    int none = s == NULL;
    free(s);
    return none ? aev__nomem() : invalid();
  }
  *out = s;
  return AEV_OK;
}

/* 1 = SUN .. 7 = SAT, for y-m-d (Sakamoto's method). */
static int weekday(int y, int m, int d) {
  static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  if (m < 3) y--;
  return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7 + 1;
}

/* The weekday (Mon-Fri) nearest to day d of the month, not leaving it. */
static int nearest_weekday(int y, int m, int d) {
  int dim = aev__days_in_month(y, m);
  if (d > dim) return -1;
  int w = weekday(y, m, d);
  if (w == 7) return d == 1 ? 3 : d - 1;   /* Saturday */
  if (w == 1) return d == dim ? d - 2 : d + 1; /* Sunday */
  return d;
}

static int day_matches(const aev__schedule *s, int y, int m, int d) {
  int dim = aev__days_in_month(y, m);
  switch (s->dom_kind) {
    case DAY_SET:
      return (s->dom >> d) & 1;
    case DAY_LAST:
      return d == dim;
    case DAY_WEEKDAY:
      return d == nearest_weekday(y, m, s->dom_arg);
    case DAY_LAST_WEEKDAY: {
      int last = dim, w = weekday(y, m, dim);
      if (w == 7) last -= 1;
      if (w == 1) last -= 2;
      return d == last;
    }
    default:
      break;
  }
  int w = weekday(y, m, d);
  switch (s->dow_kind) {
    case DAY_SET:
      return (s->dow >> w) & 1;
    case DOW_LAST:
      return w == s->dow_arg && d + 7 > dim;
    default: /* DOW_NTH */
      return w == s->dow_arg && (d - 1) / 7 + 1 == s->dow_nth;
  }
}

static int64_t epoch_ms(int y, int m, int d, int hh, int mm) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
                  .tm_hour = hh, .tm_min = mm};
  return (int64_t)timegm(&tm) * 1000;
}

int64_t aev__schedule_rate_ms(const aev__schedule *s) { return s->rate_ms; }

static int64_t cron_next(const aev__schedule *s, int64_t after_ms) {
  int64_t t = (after_ms / MINUTE_MS + 1) * MINUTE_MS;
  time_t secs = (time_t)(t / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
  int hh = tm.tm_hour, mm = tm.tm_min;
  if (y < YEAR_MIN) y = YEAR_MIN, m = 1, d = 1, hh = mm = 0;
  for (; y <= YEAR_MAX; y++, m = 1, d = 1, hh = mm = 0) {
    if (!((s->years[(y - YEAR_MIN) / 8] >> ((y - YEAR_MIN) % 8)) & 1)) continue;
    for (; m <= 12; m++, d = 1, hh = mm = 0) {
      if (!((s->mon >> m) & 1)) continue;
      for (; d <= aev__days_in_month(y, m); d++, hh = mm = 0) {
        if (!day_matches(s, y, m, d)) continue;
        for (; hh < 24; hh++, mm = 0) {
          if (!((s->hour >> hh) & 1)) continue;
          for (; mm < 60; mm++)
            if ((s->min >> mm) & 1) return epoch_ms(y, m, d, hh, mm);
        }
      }
    }
  }
  return -1;
}

int64_t aev__schedule_next(const aev__schedule *s, int64_t after_ms,
                           int64_t start_ms) {
  if (s->rate_ms) {
    /* rate(): every period counted from when the rule started. */
    if (after_ms < start_ms) return start_ms + s->rate_ms;
    return start_ms + ((after_ms - start_ms) / s->rate_ms + 1) * s->rate_ms;
  }
  return cron_next(s, after_ms);
}
