/* HTTP dates (RFC 9110 section 5.6.7), as a Retry-After header may carry
 * them: the IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and the two
 * obsolete forms recipients must still read, RFC 850's
 * "Sunday, 06-Nov-94 08:49:37 GMT" and asctime's "Sun Nov  6 08:49:37 1994". */
#include <string.h>
#include <time.h>

#include "bus/http_impl.h"
#include "core/clock.h"

static const char *const DAYS[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                   "Friday", "Saturday", "Sunday"};
static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Takes lit from *p; 0 when *p does not start with it. */
static int take(const char **p, const char *lit) {
  size_t n = strlen(lit);
  if (strncmp(*p, lit, n)) return 0;
  *p += n;
  return 1;
}

/* Takes n digits from *p as *v. */
static int number(const char **p, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9') return 0;
    *v = *v * 10 + (c - '0');
  }
  *p += n;
  return 1;
}

/* A day name: its three-letter form (IMF-fixdate, asctime) or, long, the
 * whole (RFC 850). */
static int day_name(const char **p, int whole) {
  for (size_t i = 0; i < 7; i++) {
    char abbr[4];
    memcpy(abbr, DAYS[i], 3);
    abbr[3] = '\0';
    if (take(p, whole ? DAYS[i] : abbr)) return 1;
  }
  return 0;
}

static int month(const char **p, int *mo) {
  for (int i = 0; i < 12; i++)
    if (take(p, MONTHS[i])) return *mo = i + 1;
  return 0;
}

/* hh:mm:ss */
static int time_of_day(const char **p, int *h, int *mi, int *s) {
  return number(p, 2, h) && take(p, ":") && number(p, 2, mi) && take(p, ":") && number(p, 2, s) &&
         *h <= 23 && *mi <= 59 && *s <= 60; /* RFC 9110 allows a leap second */
}

/* RFC 850's two-digit year: "more than 50 years in the future" means the
 * most recent past year with the same last two digits (RFC 9110). */
static int full_year(int yy, int64_t now_ms) {
  time_t now = (time_t)(now_ms / 1000);
  struct tm tm;
  gmtime_r(&now, &tm);
  int now_year = tm.tm_year + 1900;
  int y = now_year - now_year % 100 + yy;
  return y > now_year + 50 ? y - 100 : y;
}

int aev__http_date_parse(const char *s, int64_t now_ms, int64_t *out_ms) {
  int y = 0, mo = 0, d = 0, h, mi, sec;
  const char *p = s;
  if (day_name(&p, 0) && take(&p, ", ")) { /* IMF-fixdate */
    if (!(number(&p, 2, &d) && take(&p, " ") && month(&p, &mo) && take(&p, " ") &&
          number(&p, 4, &y) && take(&p, " ") && time_of_day(&p, &h, &mi, &sec) && take(&p, " GMT")))
      return AEV_ERR_INVALID;
  } else if ((p = s, day_name(&p, 1)) && take(&p, ", ")) { /* RFC 850 */
    if (!(number(&p, 2, &d) && take(&p, "-") && month(&p, &mo) && take(&p, "-") &&
          number(&p, 2, &y) && take(&p, " ") && time_of_day(&p, &h, &mi, &sec) && take(&p, " GMT")))
      return AEV_ERR_INVALID;
    y = full_year(y, now_ms);
  } else if ((p = s, day_name(&p, 0)) && take(&p, " ")) { /* asctime */
    if (!(month(&p, &mo) && take(&p, " ") &&
          (take(&p, " ") ? number(&p, 1, &d) : number(&p, 2, &d)) && take(&p, " ") &&
          time_of_day(&p, &h, &mi, &sec) && take(&p, " ") && number(&p, 4, &y)))
      return AEV_ERR_INVALID;
  } else {
    return AEV_ERR_INVALID;
  }
  if (*p || !aev__civil_date_ok(y, mo, d)) return AEV_ERR_INVALID;
  *out_ms = ((aev__civil_days(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL;
  return AEV_OK;
}
