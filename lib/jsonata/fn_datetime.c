/* JSONata date/time functions: $now $millis $fromMillis $toMillis. The
 * evaluation's start time is fixed, so every $now()/$millis() in one
 * evaluation agrees, as the reference guarantees. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "fn.h"
#include "datetime.h"

/* jsonata-js writes it with the picture
 * [Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t], where [Y0001]
 * keeps a year's last four digits: 33658 is 3658, -1 is -0001. */
jn_val *jn_iso_string(jn_ctx *c, double ms) {
  int64_t t = jn_time_ms(ms);
  int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
  int64_t rem = t - days * 86400000;
  int64_t y;
  int mo, d;
  aev__civil_from_days(days, &y, &mo, &d);
  char buf[64];
  snprintf(buf, sizeof buf, "%s%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", y < 0 ? "-" : "", (long long)(y < 0 ? -y : y) % 10000, mo, d, (int)(rem / 3600000),
           (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
  return jn_strz(c, buf);
}

static int digits(const char *s, size_t n, size_t *i, int count, int *out) {
  int v = 0;
  for (int k = 0; k < count; k++) {
    if (*i >= n || s[*i] < '0' || s[*i] > '9') return 0;
    v = v * 10 + (s[(*i)++] - '0');
  }
  *out = v;
  return 1;
}

/* Whether s[*i] and on are the characters in ranges (pairs of a lowest
 * and a highest character), one each; then *i moves past them. */
static int chars_in(const char *s, size_t n, size_t *i, const char *ranges) {
  size_t k = *i;
  for (; *ranges; ranges += 2, k++)
    if (k >= n || s[k] < ranges[0] || s[k] > ranges[1]) return 0;
  *i = k;
  return 1;
}

/* The test jsonata-js makes before Date.parse; a timestamp that fails it
 * is D3110, one that passes it but not Date.parse is NaN:
 * ^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$
 * (the first two groups together are any number of -[0-3]\d). */
static int iso8601_shaped(const char *s, size_t n) {
  size_t i = 0;
  if (!chars_in(s, n, &i, "09090909")) return 0;
  while (chars_in(s, n, &i, "--0309")) continue;
  while (chars_in(s, n, &i, "TT0209::0509::0509")) continue;
  if (chars_in(s, n, &i, "..09"))
    while (chars_in(s, n, &i, "09")) continue;
  if (!chars_in(s, n, &i, "ZZ") && (chars_in(s, n, &i, "++") || chars_in(s, n, &i, "--"))) {
    if (!chars_in(s, n, &i, "0209")) return 0;
    chars_in(s, n, &i, "::");
    if (!chars_in(s, n, &i, "0509")) return 0;
  }
  return i == n;
}

/* ISO 8601 as V8's Date.parse reads what iso8601_shaped() lets through;
 * -1 when it has no date for it */
int jn_parse_iso(const char *s, size_t n, double *out) {
  size_t i = 0;
  int y, mo = 1, d = 1, h = 0, mi = 0, se = 0;
  double frac = 0;
  int tz = 0;
  if (!digits(s, n, &i, 4, &y)) return -1;
  if (i < n && s[i] == '-') {
    i++;
    if (!digits(s, n, &i, 2, &mo)) return -1;
    if (i < n && s[i] == '-') {
      i++;
      if (!digits(s, n, &i, 2, &d)) return -1;
    }
  }
  int timed = i < n && s[i] == 'T';
  if (timed) {
    i++;
    if (!digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' || !digits(s, n, &i, 2, &mi) || i >= n || s[i++] != ':' ||
        !digits(s, n, &i, 2, &se))
      return -1;
  }
  if (i < n && s[i] == '.') {
    i++;
    double scale = 0.1;
    if (i >= n || s[i] < '0' || s[i] > '9') return -1;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      frac += (s[i++] - '0') * scale;
      scale /= 10;
    }
  }
  if (i < n && s[i] == 'Z') i++;
  else if (timed && i < n && (s[i] == '+' || s[i] == '-')) { /* V8: no offset without a time */
    int sign = s[i++] == '-' ? -1 : 1, th, tm;
    if (!digits(s, n, &i, 2, &th)) return -1;
    if (i < n && s[i] == ':') i++;
    if (!digits(s, n, &i, 2, &tm) || th > 23) return -1;
    tz = sign * (th * 60 + tm);
  }
  if (i != n) return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || se > 59) return -1;
  if (h == 24 && (mi || se || frac > 0)) return -1; /* 24:00:00 only */
  double days = (double)aev__civil_days(y, mo, d);
  *out = days * 86400000.0 + h * 3600000.0 + mi * 60000.0 + se * 1000.0 + floor(frac * 1000 + 1e-9) - tz * 60000.0;
  return 0;
}

jn_val *fn_millis(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)a;
  (void)n;
  (void)in;
  return jn_num(c, (double)jn_ctx_now_ms(c));
}

jn_val *fn_now(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (a[0] || a[1]) return jn_format_datetime(c, (double)jn_ctx_now_ms(c), a[0], a[1]);
  return jn_iso_string(c, (double)jn_ctx_now_ms(c));
}

jn_val *fn_from_millis(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (a[1] || a[2]) return jn_format_datetime(c, a[0]->u.num, a[1], a[2]);
  return jn_iso_string(c, a[0]->u.num);
}

jn_val *fn_to_millis(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (a[1]) return jn_parse_datetime(c, a[0], a[1]);
  double ms;
  const char *s = a[0]->u.str.s;
  size_t len = a[0]->u.str.len;
  if (!iso8601_shaped(s, len))
    jn_throw(c, "D3110", -1, "The timestamp \"%.*s\" cannot be parsed", (int)len, s);
  return jn_num(c, jn_parse_iso(s, len, &ms) < 0 ? NAN : ms);
}
