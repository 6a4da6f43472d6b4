/* $formatNumber: XPath F&O 4.7 decimal-format pictures (grouping, optional
 * and mandatory digits, percent/per-mille, exponents, two sub-pictures,
 * options overriding the decimal format properties), with the validation
 * errors D3080-D3093, following jsonata-js's implementation. Pictures are
 * handled as arrays of code points. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/number.h"
#include "fn.h"

typedef struct cps {
  uint32_t *v;
  size_t n;
} cps;

typedef struct props {
  uint32_t dec, group, expo, minus, percent, permille, zero, digit, patsep;
  const char *inf, *nan;
} props;

static cps to_cps(jn_ctx *c, const char *s, size_t n) {
  cps r;
  r.v = jn_alloc(c->arena, (n + 1) * sizeof(uint32_t));
  r.n = 0;
  size_t i = 0;
  while (i < n) r.v[r.n++] = jn_utf8_next(s, n, &i);
  return r;
}

static cps sub(cps a, size_t from, size_t to) {
  cps r = {a.v + from, to > from ? to - from : 0};
  return r;
}

static long idx_of(cps a, uint32_t ch, size_t from) {
  for (size_t i = from; i < a.n; i++)
    if (a.v[i] == ch) return (long)i;
  return -1;
}

static long last_idx(cps a, uint32_t ch) {
  for (size_t i = a.n; i > 0; i--)
    if (a.v[i - 1] == ch) return (long)(i - 1);
  return -1;
}

static int is_digit_family(const props *p, uint32_t ch) { return ch >= p->zero && ch < p->zero + 10; }

static int is_active(const props *p, uint32_t ch) {
  return is_digit_family(p, ch) || ch == p->dec || ch == p->expo || ch == p->group || ch == p->digit || ch == p->patsep;
}

typedef struct parts {
  cps prefix, suffix, active, mantissa, exponent, integer, fraction, pic;
  int has_exponent;
} parts;

static parts split_parts(const props *p, cps pic) {
  parts r;
  memset(&r, 0, sizeof r);
  r.pic = pic;
  size_t pre = pic.n, suf_start = pic.n;
  for (size_t i = 0; i < pic.n; i++)
    if (is_active(p, pic.v[i]) && pic.v[i] != p->expo) {
      pre = i;
      break;
    }
  for (size_t i = pic.n; i > 0; i--)
    if (is_active(p, pic.v[i - 1]) && pic.v[i - 1] != p->expo) {
      suf_start = i;
      break;
    }
  if (pre == pic.n) suf_start = pic.n;
  r.prefix = sub(pic, 0, pre);
  r.suffix = sub(pic, suf_start, pic.n);
  r.active = sub(pic, pre, suf_start);
  long ep = idx_of(pic, p->expo, pre);
  if (ep == -1 || (size_t)ep > suf_start) {
    r.mantissa = r.active;
  } else {
    r.mantissa = sub(r.active, 0, (size_t)ep);
    r.exponent = sub(r.active, (size_t)ep + 1, r.active.n);
    r.has_exponent = 1;
  }
  long dp = idx_of(r.mantissa, p->dec, 0);
  if (dp == -1) {
    r.integer = r.mantissa;
    r.fraction = r.suffix;
  } else {
    r.integer = sub(r.mantissa, 0, (size_t)dp);
    r.fraction = sub(r.mantissa, (size_t)dp + 1, r.mantissa.n);
  }
  return r;
}

static void validate(jn_ctx *c, const props *p, const parts *pt) {
  const char *err = NULL;
  cps s = pt->pic;
  long dp = idx_of(s, p->dec, 0);
  if (dp != last_idx(s, p->dec)) err = "D3081";
  if (idx_of(s, p->percent, 0) != last_idx(s, p->percent)) err = "D3082";
  if (idx_of(s, p->permille, 0) != last_idx(s, p->permille)) err = "D3083";
  if (idx_of(s, p->percent, 0) != -1 && idx_of(s, p->permille, 0) != -1) err = "D3084";
  int valid = 0;
  for (size_t i = 0; i < pt->mantissa.n; i++)
    if (is_digit_family(p, pt->mantissa.v[i]) || pt->mantissa.v[i] == p->digit) valid = 1;
  if (!valid) err = "D3085";
  for (size_t i = 0; i < pt->active.n; i++)
    if (!is_active(p, pt->active.v[i])) err = "D3086";
  if (dp != -1) {
    if ((dp > 0 && s.v[dp - 1] == p->group) || ((size_t)dp + 1 < s.n && s.v[dp + 1] == p->group)) err = "D3087";
  } else if (pt->integer.n && pt->integer.v[pt->integer.n - 1] == p->group) {
    err = "D3088";
  }
  for (size_t i = 0; i + 1 < s.n; i++)
    if (s.v[i] == p->group && s.v[i + 1] == p->group) err = "D3089";
  long od = idx_of(pt->integer, p->digit, 0);
  if (od != -1)
    for (long i = 0; i < od; i++)
      if (is_digit_family(p, pt->integer.v[i])) err = "D3090";
  od = last_idx(pt->fraction, p->digit);
  if (od != -1)
    for (size_t i = (size_t)od; i < pt->fraction.n; i++)
      if (is_digit_family(p, pt->fraction.v[i])) err = "D3091";
  if (pt->has_exponent && pt->exponent.n > 0 && (idx_of(s, p->percent, 0) != -1 || idx_of(s, p->permille, 0) != -1))
    err = "D3092";
  if (pt->has_exponent) {
    int bad = pt->exponent.n == 0;
    for (size_t i = 0; i < pt->exponent.n; i++)
      if (!is_digit_family(p, pt->exponent.v[i])) bad = 1;
    if (bad) err = "D3093";
  }
  if (err) jn_throw(c, err, -1, "Invalid picture string for $formatNumber (%s)", err);
}

typedef struct vars {
  int int_groups[32], nint_groups;
  int regular;
  int min_int, scaling;
  int frac_groups[32], nfrac_groups;
  int min_frac, max_frac, min_exp;
  cps prefix, suffix, pic;
} vars;

static int count_digits(const props *p, cps s, int with_optional) {
  int k = 0;
  for (size_t i = 0; i < s.n; i++)
    if (is_digit_family(p, s.v[i]) || (with_optional && s.v[i] == p->digit)) k++;
  return k;
}

static vars analyse(const props *p, const parts *pt) {
  vars v;
  memset(&v, 0, sizeof v);
  /* grouping positions: digits to the right of each separator in the
   * integer part (the search continues in the integer part, as the
   * reference does, also for the fractional part) */
  long gp = idx_of(pt->integer, p->group, 0);
  while (gp != -1 && v.nint_groups < 32) {
    v.int_groups[v.nint_groups++] = count_digits(p, sub(pt->integer, (size_t)gp, pt->integer.n), 1);
    gp = idx_of(pt->integer, p->group, (size_t)gp + 1);
  }
  if (v.nint_groups) {
    int g = v.int_groups[0];
    for (int i = 1; i < v.nint_groups; i++) {
      int a = g, b = v.int_groups[i];
      while (b) {
        int t = a % b;
        a = b;
        b = t;
      }
      g = a;
    }
    int ok = 1;
    for (int i = 1; i <= v.nint_groups && ok; i++) {
      int found = 0;
      for (int k = 0; k < v.nint_groups; k++)
        if (v.int_groups[k] == i * g) found = 1;
      ok = found;
    }
    v.regular = ok ? g : 0;
  }
  gp = idx_of(pt->fraction, p->group, 0);
  while (gp != -1 && v.nfrac_groups < 32) {
    v.frac_groups[v.nfrac_groups++] = count_digits(p, sub(pt->fraction, 0, (size_t)gp), 1);
    gp = idx_of(pt->integer, p->group, (size_t)gp + 1);
  }
  v.min_int = count_digits(p, pt->integer, 0);
  v.scaling = v.min_int;
  v.min_frac = count_digits(p, pt->fraction, 0);
  v.max_frac = count_digits(p, pt->fraction, 1);
  if (v.min_int == 0 && v.max_frac == 0) {
    if (pt->has_exponent) {
      v.min_frac = 1;
      v.max_frac = 1;
    } else {
      v.min_int = 1;
    }
  }
  if (pt->has_exponent && v.min_int == 0 && idx_of(pt->integer, p->digit, 0) != -1) v.min_int = 1;
  if (v.min_int == 0 && v.min_frac == 0) v.min_frac = 1;
  if (pt->has_exponent) v.min_exp = count_digits(p, pt->exponent, 0);
  v.prefix = pt->prefix;
  v.suffix = pt->suffix;
  v.pic = pt->pic;
  return v;
}

jn_val *fn_round(jn_ctx *c, jn_val **a, int n, jn_val *in);

static uint32_t prop_char(jn_ctx *c, jn_val *opts, const char *key, uint32_t dflt) {
  jn_val *v = opts ? jn_get(opts, key, strlen(key)) : NULL;
  if (!v || v->type != JN_STR || v->u.str.len == 0) return dflt;
  size_t i = 0;
  (void)c;
  return jn_utf8_next(v->u.str.s, v->u.str.len, &i);
}

typedef struct obuf {
  uint32_t v[1200];
  size_t n;
} obuf;

static void ins(obuf *o, size_t at, uint32_t ch) {
  if (o->n >= 1199 || at > o->n) return;
  memmove(o->v + at + 1, o->v + at, (o->n - at) * sizeof(uint32_t));
  o->v[at] = ch;
  o->n++;
}

/* [s.slice(0, at), ch, s.slice(at)].join(''), as jsonata-js inserts a
 * grouping separator: a negative at counts from the end, and one past the
 * end appends. Where the picture groups digits the number does not have,
 * this is where jsonata-js (and so Step Functions) puts the separator:
 * 702 with #,##,##0.00 is "7,02.,00" there. */
static void js_insert(obuf *o, long at, uint32_t ch) {
  if (at < 0) at += (long)o->n;
  if (at < 0) at = 0;
  if (at > (long)o->n) at = (long)o->n;
  ins(o, (size_t)at, ch);
}

static long oidx(const obuf *o, uint32_t ch) {
  for (size_t i = 0; i < o->n; i++)
    if (o->v[i] == ch) return (long)i;
  return -1;
}

jn_val *fn_format_number(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  if (!a[0]) return NULL;
  double value = a[0]->u.num;
  jn_val *opts = a[2];
  props p = {'.', ',', 'e', '-', '%', 0x2030, '0', '#', ';', "Infinity", "NaN"};
  p.dec = prop_char(c, opts, "decimal-separator", p.dec);
  p.group = prop_char(c, opts, "grouping-separator", p.group);
  p.expo = prop_char(c, opts, "exponent-separator", p.expo);
  p.minus = prop_char(c, opts, "minus-sign", p.minus);
  p.percent = prop_char(c, opts, "percent", p.percent);
  p.permille = prop_char(c, opts, "per-mille", p.permille);
  p.zero = prop_char(c, opts, "zero-digit", p.zero);
  p.digit = prop_char(c, opts, "digit", p.digit);
  p.patsep = prop_char(c, opts, "pattern-separator", p.patsep);
  cps pic = to_cps(c, a[1]->u.str.s, a[1]->u.str.len);
  cps subs[3];
  int nsubs = 0;
  size_t st = 0;
  for (size_t i = 0; i <= pic.n; i++)
    if (i == pic.n || pic.v[i] == p.patsep) {
      if (nsubs < 3) subs[nsubs] = sub(pic, st, i);
      nsubs++;
      st = i + 1;
    }
  if (nsubs > 2) jn_throw(c, "D3080", -1, "The format picture string must not contain more than one instance of the pattern-separator character");
  parts pts[2];
  vars vs[2];
  for (int i = 0; i < nsubs; i++) {
    pts[i] = split_parts(&p, subs[i]);
    validate(c, &p, &pts[i]);
  }
  for (int i = 0; i < nsubs; i++) vs[i] = analyse(&p, &pts[i]);
  if (nsubs == 1) {
    vs[1] = vs[0];
    cps pre;
    pre.v = jn_alloc(c->arena, (vs[0].prefix.n + 2) * sizeof(uint32_t));
    pre.v[0] = p.minus;
    memcpy(pre.v + 1, vs[0].prefix.v, vs[0].prefix.n * sizeof(uint32_t));
    pre.n = vs[0].prefix.n + 1;
    vs[1].prefix = pre;
  }
  vars *v = value >= 0 ? &vs[0] : &vs[1];
  double adj = value;
  if (idx_of(v->pic, p.percent, 0) != -1) adj = value * 100;
  else if (idx_of(v->pic, p.permille, 0) != -1) adj = value * 1000;
  double mant = adj;
  int has_exp = v->min_exp != 0;
  int exponent = 0;
  /* By magnitude, and zero left as it is (XPath F&O 4.7.5 rule 5: "if N
   * is zero, set M to zero and E to zero"): comparing the signed mantissa,
   * as jsonata-js 2.0.6 does, never ends for a negative number or zero
   * (jsonata-js issue 785, fixed so since); nor does it for an infinity,
   * in jsonata-js still, so that one keeps its exponent 0. */
  if (has_exp && mant != 0 && isfinite(mant)) {
    double maxm = pow(10, v->scaling), minm = pow(10, v->scaling - 1);
    while (fabs(mant) < minm) {
      mant *= 10;
      exponent--;
    }
    while (fabs(mant) > maxm) {
      mant /= 10;
      exponent++;
    }
  }
  jn_val *ra[2] = {jn_num(c, mant), jn_num(c, v->max_frac)};
  double rounded = fn_round(c, ra, 2, NULL)->u.num;
  char tmp[420];
  /* toFixed(): from 1e21 up (and for NaN and Infinity) it is the number's
   * ordinary text, exponent and all, which the steps below then group as
   * if it were digits: 1e21 with #,##0.00 is "1e,+21.00" in jsonata-js. */
  if (fabs(rounded) < 1e21) aev__snprintf_c(tmp, sizeof tmp, "%.*f", v->max_frac, fabs(rounded));
  else jn_fmt_number(fabs(rounded), tmp, sizeof tmp);
  obuf o;
  o.n = 0;
  for (size_t i = 0; tmp[i] && o.n < 1000; i++) {
    uint32_t ch = (uint32_t)tmp[i];
    if (ch >= '0' && ch <= '9') ch = ch - '0' + p.zero;
    else if (ch == '.') ch = p.dec;
    o.v[o.n++] = ch;
  }
  if (oidx(&o, p.dec) == -1) o.v[o.n++] = p.dec;
  while (o.n && o.v[0] == p.zero) {
    memmove(o.v, o.v + 1, (o.n - 1) * sizeof(uint32_t));
    o.n--;
  }
  while (o.n && o.v[o.n - 1] == p.zero) o.n--;
  long dpos = oidx(&o, p.dec);
  long padl = v->min_int - dpos, padr = v->min_frac - ((long)o.n - dpos - 1);
  for (long i = 0; i < padl; i++) ins(&o, 0, p.zero);
  for (long i = 0; i < padr; i++) ins(&o, o.n, p.zero);
  dpos = oidx(&o, p.dec);
  if (v->regular > 0) {
    long gc = (dpos - 1) / v->regular;
    for (long g = 1; g <= gc; g++) ins(&o, (size_t)(dpos - g * v->regular), p.group);
  } else {
    for (int i = 0; i < v->nint_groups; i++) js_insert(&o, dpos++ - v->int_groups[i], p.group);
  }
  dpos = oidx(&o, p.dec);
  for (int i = 0; i < v->nfrac_groups; i++) js_insert(&o, v->frac_groups[i] + dpos + 1, p.group);
  /* The last character goes when the picture has no decimal separator
   * (taken to be the one the number was written with) or ends in it. */
  dpos = oidx(&o, p.dec);
  if (idx_of(v->pic, p.dec, 0) == -1 || dpos == (long)o.n - 1) o.n--;
  jn_buf b;
  jn_buf_init(&b, c);
  for (size_t i = 0; i < v->prefix.n; i++) jn_buf_utf8(&b, v->prefix.v[i]);
  for (size_t i = 0; i < o.n; i++) jn_buf_utf8(&b, o.v[i]);
  if (has_exp) {
    char e[32];
    snprintf(e, sizeof e, "%d", exponent < 0 ? -exponent : exponent);
    long pad = v->min_exp - (long)strlen(e);
    jn_buf_utf8(&b, p.expo);
    if (exponent < 0) jn_buf_utf8(&b, p.minus);
    for (long i = 0; i < pad; i++) jn_buf_utf8(&b, p.zero);
    for (size_t i = 0; e[i]; i++) jn_buf_utf8(&b, (uint32_t)(e[i] - '0') + p.zero);
  }
  for (size_t i = 0; i < v->suffix.n; i++) jn_buf_utf8(&b, v->suffix.v[i]);
  return jn_buf_val(&b);
}
