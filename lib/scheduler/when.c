/* When a schedule fires: at() once, rate() every period from StartDate (or
 * creation), cron() on the wall clock of ScheduleExpressionTimezone. As the
 * Scheduler guide says for daylight saving time: a cron time the clocks
 * skip is skipped, a time they repeat fires once, and rate() counts fixed
 * durations (a day is 24 hours). Then StartDate and EndDate bound it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/status.h"
#include "scheduler/scheduler_impl.h"

#define MINUTE_MS 60000LL

json_t *aev__sch_time(int64_t ms) {
  return ms % 1000 ? json_real((double)ms / 1000.0) : json_integer(ms / 1000);
}

static int invalid(const char *text) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "Invalid Schedule Expression %s.",
                   text);
}

/* at(yyyy-mm-ddThh:mm:ss), exactly. */
static int parse_at(const char *text, int64_t *local_s) {
  int y, mo, d, h, mi, s, n = 0;
  size_t len = strlen(text);
  if (len != 23 || sscanf(text, "at(%4d-%2d-%2dT%2d:%2d:%2d)%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
      n != 23)
    return 0;
  for (size_t i = 3; i < 22; i++)
    if (!strchr("-T:", text[i]) && (text[i] < '0' || text[i] > '9')) return 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return 0;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                  .tm_min = mi, .tm_sec = s};
  time_t t = timegm(&tm);
  struct tm back;
  gmtime_r(&t, &back);
  if (back.tm_mday != d) return 0; /* 2025-02-30 */
  *local_s = (int64_t)t;
  return 1;
}

int aev__sconf_expression(aev__sconf *c, const char *text) {
  if (!strncmp(text, "at(", 3)) {
    c->expr = NULL;
    return parse_at(text, &c->at_local_s) ? AEV_OK : invalid(text);
  }
  int rc = aev__schedule_parse_flags(text, AEV__SCHEDULE_EITHER_NUMBER, &c->expr);
  return rc == AEV_ERR_INVALID ? invalid(text) : rc;
}

/* The first cron() time after after_ms on the zone's wall clock. */
static int64_t cron_next(const aev__sconf *c, int64_t after_ms) {
  int64_t local = after_ms + 1000LL * aev__tz_offset(c->tz, after_ms / 1000);
  for (int guard = 0; guard < 100000; guard++) {
    int64_t cand = aev__schedule_next(c->expr, local, 0);
    if (cand < 0) return -1;
    int64_t utc_s;
    /* Skipped by the clocks, or the repeat of a time that fired already. */
    if (aev__tz_to_utc(c->tz, cand / 1000, &utc_s) && utc_s * 1000 > after_ms)
      return utc_s * 1000;
    local = cand;
  }
  return -1;
}

int64_t aev__sconf_next(const aev__sconf *c, int64_t after_ms, int64_t anchor_ms) {
  int64_t t;
  if (!c->expr) {
    int64_t utc_s;
    aev__tz_to_utc(c->tz, c->at_local_s, &utc_s);
    t = utc_s * 1000 > after_ms ? utc_s * 1000 : -1;
  } else if (aev__schedule_rate_ms(c->expr)) {
    /* Without a StartDate the first invocation comes at once (the guide's
     * "starts invoking its target immediately"), from its creation or last
     * update; each later one a period on. */
    int64_t start = c->start_ms >= 0 ? c->start_ms : anchor_ms;
    int64_t p = aev__schedule_rate_ms(c->expr);
    t = after_ms < start ? start : start + ((after_ms - start) / p + 1) * p;
  } else {
    /* after_ms + 1: a cron() time is never the instant it was created at
     * (callers pass one before it, for rate() and at()). */
    int64_t from = after_ms + 1;
    if (c->start_ms >= 0 && from < c->start_ms - 1) from = c->start_ms - 1;
    t = cron_next(c, from);
  }
  if (t >= 0 && c->start_ms >= 0 && t < c->start_ms) return -1; /* at() before StartDate */
  if (t >= 0 && c->end_ms >= 0 && t > c->end_ms) return -1;
  return t;
}
