/* JSONata numeric and aggregation functions: $number $abs $floor $ceil
 * $round (half to even) $sqrt $power $random $sum $count $max $min $average
 * $formatBase. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "fn.h"

static int parse_js_number(const char *s, size_t n, double *out) {
  char buf[128];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  size_t i = 0;
  if (buf[i] == '-') i++;
  if (!(buf[i] >= '0' && buf[i] <= '9')) {
    return 0;
  }
  while (buf[i] >= '0' && buf[i] <= '9') i++;
  if (buf[i] == '.') {
    i++;
    if (!(buf[i] >= '0' && buf[i] <= '9')) return 0;
    while (buf[i] >= '0' && buf[i] <= '9') i++;
  }
  if (buf[i] == 'e' || buf[i] == 'E') {
    i++;
    if (buf[i] == '+' || buf[i] == '-') i++;
    if (!(buf[i] >= '0' && buf[i] <= '9')) return 0;
    while (buf[i] >= '0' && buf[i] <= '9') i++;
  }
  if (buf[i]) return 0;
  *out = aev__strtod(buf, NULL);
  return isfinite(*out);
}

static int parse_radix_literal(const char *s, size_t n, double *out) {
  if (n < 3 || s[0] != '0') return 0;
  int base = s[1] == 'x' || s[1] == 'X' ? 16 : s[1] == 'o' || s[1] == 'O' ? 8 : s[1] == 'b' || s[1] == 'B' ? 2 : 0;
  if (!base) return 0;
  double v = 0;
  for (size_t i = 2; i < n; i++) {
    int d;
    char ch = s[i];
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    else return 0;
    if (d >= base) return 0;
    v = v * base + d;
  }
  *out = v;
  return 1;
}


jn_val *fn_number(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  jn_val *v = a[0];
  if (!v) return NULL;
  double d;
  if (v->type == JN_NUM) return v;
  if (v->type == JN_STR && (parse_js_number(v->u.str.s, v->u.str.len, &d) || parse_radix_literal(v->u.str.s, v->u.str.len, &d)))
    return jn_num(c, d);
  if (v->type == JN_BOOL) return jn_num(c, v->u.b ? 1 : 0);
  jn_throw(c, "D3030", -1, "Unable to cast value to a number");
}

jn_val *fn_abs(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return a[0] ? jn_num(c, fabs(a[0]->u.num)) : NULL;
}

jn_val *fn_floor(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return a[0] ? jn_num(c, floor(a[0]->u.num)) : NULL;
}

jn_val *fn_ceil(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return a[0] ? jn_num(c, ceil(a[0]->u.num)) : NULL;
}

/* x * 10^p done in decimal text, as jsonata-js shifts through toString */
static double shift10(double x, int p) {
  if (!isfinite(x)) return NAN; /* Number("Infinitye2") is NaN */
  char t[64];
  jn_fmt_number(x, t, sizeof t);
  char *e = strchr(t, 'e');
  int exp10 = p;
  if (e) {
    exp10 += atoi(e + 1);
    *e = 0;
  }
  char u[96];
  snprintf(u, sizeof u, "%se%d", t, exp10);
  return aev__strtod(u, NULL);
}

jn_val *fn_round(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  double x = a[0]->u.num, p = a[1] ? a[1]->u.num : 0;
  /* jsonata-js shifts by writing "<digits>e<exponent + precision>": a
   * precision that is not a whole number, or that JavaScript writes with
   * an exponent (1e21 up), makes no number; past a million the shift is
   * to Infinity or 0 either way. NaN is no precision at all. */
  if (isnan(p)) p = 0;
  if (p != trunc(p) || fabs(p) >= 1e21) return jn_num(c, NAN);
  int prec = (int)fmax(-1e6, fmin(1e6, p));
  if (prec) x = shift10(x, prec);
  /* Math.round: x + 0.5 is not exact past 2^52 (4503599627370497 + 0.5
   * rounds to ...498), x - floor(x) is */
  double r = floor(x);
  if (x - r >= 0.5) r += 1;
  if (fabs(r - x) == 0.5 && fabs(fmod(r, 2)) == 1) r -= 1;
  if (prec) r = shift10(r, -prec);
  if (r == 0) r = 0;
  return jn_num(c, r);
}

jn_val *fn_sqrt(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (a[0]->u.num < 0) {
    char num[40];
    jn_fmt_number(a[0]->u.num, num, sizeof num); /* as JavaScript prints it */
    jn_throw(c, "D3060", -1, "The sqrt function cannot be applied to a negative number: %s", num);
  }
  return jn_num(c, sqrt(a[0]->u.num));
}

jn_val *fn_power(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  /* An undefined exponent is NaN to JavaScript's Math.pow, so D3061; so
   * are 1 to a NaN power and ±1 to an infinite one, which C makes 1. */
  double r = a[1] ? pow(a[0]->u.num, a[1]->u.num) : NAN;
  if (a[1] && fabs(a[0]->u.num) == 1 && !isfinite(a[1]->u.num)) r = NAN;
  if (!isfinite(r)) {
    char base[40], exponent[40];
    jn_fmt_number(a[0]->u.num, base, sizeof base);
    if (a[1]) jn_fmt_number(a[1]->u.num, exponent, sizeof exponent);
    else snprintf(exponent, sizeof exponent, "undefined");
    jn_throw(c, "D3061", -1,
             "The power function has resulted in a value that cannot be represented as a JSON "
             "number: base=%s, exponent=%s", base, exponent);
  }
  return jn_num(c, r);
}

jn_val *fn_random(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)a;
  (void)n;
  (void)in;
  /* xorshift64* on the per-evaluation state */
  uint64_t *state = jn_ctx_rng(c), x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return jn_num(c, (double)((x * 2685821657736338717ull) >> 11) / 9007199254740992.0);
}

jn_val *fn_sum(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  double s = 0;
  for (size_t i = 0; i < a[0]->u.arr.n; i++) s += a[0]->u.arr.items[i]->u.num;
  return jn_num(c, s);
}

jn_val *fn_count(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return jn_num(c, a[0] ? (double)a[0]->u.arr.n : 0);
}

static jn_val *extreme(jn_ctx *c, jn_val *arr, int max) {
  if (!arr || arr->u.arr.n == 0) return NULL;
  double m = arr->u.arr.items[0]->u.num;
  for (size_t i = 1; i < arr->u.arr.n; i++) {
    double x = arr->u.arr.items[i]->u.num;
    if (isnan(x)) return jn_num(c, x); /* as Math.max and Math.min answer */
    if (max ? x > m : x < m) m = x;
  }
  return jn_num(c, m);
}

jn_val *fn_max(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return extreme(c, a[0], 1);
}

jn_val *fn_min(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return extreme(c, a[0], 0);
}

jn_val *fn_average(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0] || a[0]->u.arr.n == 0) return NULL;
  double s = 0;
  for (size_t i = 0; i < a[0]->u.arr.n; i++) s += a[0]->u.arr.items[i]->u.num;
  return jn_num(c, s / (double)a[0]->u.arr.n);
}

jn_val *fn_format_base(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  /* jsonata-js rounds both, as $round does: a radix of 1.5 is 2 */
  jn_val *args[2] = {a[0], NULL};
  double v = fn_round(c, args, 2, NULL)->u.num;
  args[0] = a[1];
  double r = a[1] ? fn_round(c, args, 2, NULL)->u.num : 10;
  char buf[1100]; /* the largest double has 1024 binary digits */
  if (!(r >= 2 && r <= 36)) { /* NaN too: toString(NaN) is a RangeError */
    jn_fmt_number(r, buf, sizeof buf);
    jn_throw(c, "D3100", -1, "The radix of the formatBase function must be between 2 and 36.  It was given %s", buf);
  }
  int radix = (int)r;
  if (!isfinite(v) || radix == 10) {
    /* toString(10) is JavaScript's own number text: shortest digits, and
     * 1e+21 from there up; so are NaN and Infinity in any radix. */
    jn_fmt_number(v, buf, sizeof buf);
    return jn_strz(c, buf);
  }
  int neg = v < 0;
  double x = fabs(v);
  size_t k = 0;
  /* As V8 writes a double's integer digits: the ones below its precision
   * (while x / radix is still 2^53 or more) are zeros, the rest exact. */
  while (x / radix >= 9007199254740992.0) {
    x /= radix;
    buf[k++] = '0';
  }
  do {
    double rem = fmod(x, radix);
    int d = (int)rem;
    buf[k++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    x = (x - rem) / radix;
  } while (x > 0);
  jn_buf b;
  jn_buf_init(&b, c);
  if (neg) jn_buf_addc(&b, '-');
  while (k) jn_buf_addc(&b, buf[--k]);
  return jn_buf_val(&b);
}
