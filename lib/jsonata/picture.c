/* XPath F&O date/time picture strings ([Y0001]-[M01]-[D01] ...) for
 * $fromMillis/$now (formatting, with a +hhmm timezone) and $toMillis
 * (parsing through a regex built from the picture), following jsonata-js's
 * datetime module: defaults per component, names, ordinals, widths, ISO
 * week numbering (W, w, X, x), and its rules for filling in missing parts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "datetime.h"
#include "fmt.h"

static const char *const day_names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"};

typedef struct dpart {
  int literal;
  const char *text; /* literal text */
  size_t tlen;
  char component;
  char pres1[128];
  char pres2;
  int names; /* 0 none, 1 lower, 2 upper, 3 title */
  int wmin, wmax; /* -1 = unset */
  jn_intfmt ifmt;
  int has_ifmt;
  int n; /* a year's, month's or day's digits (XPath F&O §9.8.4.4), -1 */
} dpart;

typedef struct dspec {
  dpart *parts;
  int n;
} dspec;

static const char *default_pres(char comp) {
  switch (comp) {
  case 'Y': case 'M': case 'D': case 'd': case 'W': case 'w': case 'X': case 'x': case 'H': case 'h': case 'f':
    return "1";
  case 'F': case 'P': case 'C': case 'E': return "n";
  case 'm': case 's': return "01";
  case 'Z': case 'z': return "01:01";
  default: return NULL;
  }
}

static void add_literal(jn_ctx *c, dspec *s, const char *p, size_t len) {
  if (!len) return;
  char *t = jn_alloc(c->arena, len + 1);
  size_t k = 0;
  for (size_t i = 0; i < len; i++) {
    t[k++] = p[i];
    if (p[i] == ']' && i + 1 < len && p[i + 1] == ']') i++;
  }
  t[k] = 0;
  dpart *d = &s->parts[s->n++];
  memset(d, 0, sizeof *d);
  d->literal = 1;
  d->text = t;
  d->tlen = k;
}

static void analyse(jn_ctx *c, const char *pic, size_t len, dspec *s) {
  s->parts = jn_alloc(c->arena, (len + 2) * sizeof(dpart));
  s->n = 0;
  size_t start = 0, pos = 0;
  while (pos < len) {
    if (pic[pos] == '[') {
      if (pos + 1 < len && pic[pos + 1] == '[') {
        add_literal(c, s, pic + start, pos - start);
        add_literal(c, s, "[", 1);
        pos += 2;
        start = pos;
        continue;
      }
      add_literal(c, s, pic + start, pos - start);
      start = pos;
      const char *close = memchr(pic + start, ']', len - start);
      if (!close) jn_throw(c, "D3135", -1, "No matching closing bracket ']' in date/time picture string");
      pos = (size_t)(close - pic);
      char marker[128];
      size_t ml = 0;
      for (size_t i = start + 1; i < pos && ml < sizeof marker - 1; i++)
        if (pic[i] != ' ' && pic[i] != '\t' && pic[i] != '\n' && pic[i] != '\r') marker[ml++] = pic[i];
      marker[ml] = 0;
      dpart *d = &s->parts[s->n++];
      memset(d, 0, sizeof *d);
      d->component = marker[0];
      d->wmin = d->wmax = -1;
      d->n = -1;
      char *comma = strrchr(marker, ',');
      char pres[128];
      if (comma) {
        const char *wm = comma + 1;
        const char *dash = strchr(wm, '-');
        char minb[32] = {0}, maxb[32] = {0};
        if (dash) {
          snprintf(minb, sizeof minb, "%.*s", (int)(dash - wm), wm);
          snprintf(maxb, sizeof maxb, "%s", dash + 1);
        } else {
          snprintf(minb, sizeof minb, "%s", wm);
        }
        if (minb[0] && strcmp(minb, "*")) d->wmin = atoi(minb);
        if (maxb[0] && strcmp(maxb, "*")) d->wmax = atoi(maxb);
        snprintf(pres, sizeof pres, "%.*s", (int)(comma - marker - 1 >= 0 ? comma - marker - 1 : 0), marker + 1);
      } else {
        snprintf(pres, sizeof pres, "%s", ml ? marker + 1 : "");
      }
      size_t pl = strlen(pres);
      if (pl == 1) {
        snprintf(d->pres1, sizeof d->pres1, "%s", pres);
      } else if (pl > 1) {
        char last = pres[pl - 1];
        if (strchr("atco", last)) {
          d->pres2 = last;
          snprintf(d->pres1, sizeof d->pres1, "%.*s", (int)(pl - 1), pres);
        } else {
          snprintf(d->pres1, sizeof d->pres1, "%s", pres);
        }
      } else {
        const char *dp = default_pres(d->component);
        if (!dp) jn_throw(c, "D3132", -1, "Unknown component specifier %c in date/time picture string", d->component);
        snprintf(d->pres1, sizeof d->pres1, "%s", dp);
      }
      if (d->pres1[0] == 'n') d->names = 1;
      else if (d->pres1[0] == 'N') d->names = d->pres1[1] == 'n' ? 3 : 2;
      else if (strchr("YMDdFWwXxHhmsf", d->component) && d->component) {
        char ip[160];
        snprintf(ip, sizeof ip, "%s%s%c", d->pres1, d->pres2 ? ";" : "", d->pres2 ? d->pres2 : 0);
        jn_int_picture(c, ip, strlen(ip), &d->ifmt);
        d->has_ifmt = 1;
        if (d->wmin >= 0 && d->ifmt.mandatory < d->wmin) d->ifmt.mandatory = d->wmin;
        if (strchr("YMD", d->component)) {
          d->n = -1;
          if (d->wmax >= 0) {
            d->n = d->wmax;
            d->ifmt.mandatory = d->n;
          } else {
            int w = d->ifmt.mandatory + d->ifmt.optional;
            if (w >= 2) d->n = w;
          }
        }
      }
      if (d->component == 'Z' || d->component == 'z') {
        jn_int_picture(c, d->pres1, strlen(d->pres1), &d->ifmt);
        d->has_ifmt = 1;
      }
      start = pos + 1;
    }
    pos++;
  }
  add_literal(c, s, pic + start, pos - start);
}

/* ---- calendar helpers ---- */
/* v limited to ±lim (NaN to 0) and truncated, for integer arithmetic */
static double clamp_trunc(double v, double lim) {
  if (v != v) return 0;
  return trunc(v < -lim ? -lim : v > lim ? lim : v);
}

/* Date.UTC(year, month0, day), where jsonata-js calls it. */
static double utc(double year, double month0, double day) {
  /* components parsed from long digit runs lie far beyond any JS Date:
   * clamped so the calendar arithmetic stays defined */
  int64_t y = (int64_t)clamp_trunc(year, 1e7);
  if (y >= 0 && y <= 99) y += 1900; /* Date.UTC's two-digit years: 24 is 1924 */
  int m0 = (int)clamp_trunc(month0, 1e7);
  double d = clamp_trunc(day, 1e9);
  /* month may be out of 0..11, as Date.UTC allows */
  y += m0 >= 0 ? m0 / 12 : -((11 - m0) / 12);
  m0 = ((m0 % 12) + 12) % 12;
  return (double)aev__civil_days(y, m0 + 1, 1) * 86400000.0 + (d - 1) * 86400000.0;
}

static int weekday(double ms) { /* 0 = Sunday */
  int64_t days = (int64_t)floor((double)jn_time_ms(ms) / 86400000.0);
  return (int)(((days % 7) + 7 + 4) % 7);
}

static double start_of_first_week(int64_t y, int m0) {
  double jan1 = utc(y, m0, 1);
  int dow = weekday(jan1);
  if (dow == 0) dow = 7;
  return dow > 4 ? jan1 + (8 - dow) * 864e5 : jan1 - (dow - 1) * 864e5;
}

typedef struct tm_ {
  int64_t Y;
  int M, D, h, m, s, f;
  double ms;
} tm_;

static void breakdown(double ms, tm_ *t) {
  int64_t t0 = jn_time_ms(ms);
  int64_t days = t0 >= 0 ? t0 / 86400000 : -((-t0 + 86399999) / 86400000);
  int64_t rem = t0 - days * 86400000;
  aev__civil_from_days(days, &t->Y, &t->M, &t->D);
  t->h = (int)(rem / 3600000);
  t->m = (int)(rem / 60000 % 60);
  t->s = (int)(rem / 1000 % 60);
  t->f = (int)(rem % 1000);
  t->ms = ms;
}

static double fragment(const tm_ *t, char comp) {
  switch (comp) {
  case 'Y': return (double)t->Y;
  case 'M': return t->M;
  case 'D': return t->D;
  case 'd': return (utc(t->Y, t->M - 1, t->D) - utc(t->Y, 0, 1)) / 864e5 + 1;
  case 'F': {
    int w = weekday(t->ms);
    return w == 0 ? 7 : w;
  }
  case 'W': {
    double sw = start_of_first_week(t->Y, 0), today = utc(t->Y, t->M - 1, t->D);
    double week = (today - sw) / (864e5 * 7) + 1;
    if (week > 52) {
      if (today >= start_of_first_week(t->Y + 1, 0)) week = 1;
    } else if (week < 1) {
      week = (today - start_of_first_week(t->Y - 1, 0)) / (864e5 * 7) + 1;
    }
    return floor(week);
  }
  case 'w': {
    double sw = start_of_first_week(t->Y, t->M - 1), today = utc(t->Y, t->M - 1, t->D);
    double week = (today - sw) / (864e5 * 7) + 1;
    if (week > 4) {
      int64_t ny = t->M == 12 ? t->Y + 1 : t->Y;
      int nm = t->M == 12 ? 0 : t->M;
      if (today >= start_of_first_week(ny, nm)) week = 1;
    } else if (week < 1) {
      int64_t py = t->M == 1 ? t->Y - 1 : t->Y;
      int pm = t->M == 1 ? 11 : t->M - 2;
      week = (today - start_of_first_week(py, pm)) / (864e5 * 7) + 1;
    }
    return floor(week);
  }
  case 'X': {
    double s0 = start_of_first_week(t->Y, 0), e0 = start_of_first_week(t->Y + 1, 0);
    if (t->ms < s0) return (double)(t->Y - 1);
    if (t->ms >= e0) return (double)(t->Y + 1);
    return (double)t->Y;
  }
  case 'x': {
    double s0 = start_of_first_week(t->Y, t->M - 1);
    int64_t ny = t->M == 12 ? t->Y + 1 : t->Y;
    int nm = t->M == 12 ? 0 : t->M;
    double e0 = start_of_first_week(ny, nm);
    if (t->ms < s0) return t->M == 1 ? 12 : t->M - 1;
    if (t->ms >= e0) return nm + 1;
    return t->M;
  }
  case 'H': return t->h;
  case 'h': {
    int h = t->h % 12;
    return h == 0 ? 12 : h;
  }
  case 'm': return t->m;
  case 's': return t->s;
  case 'f': return t->f;
  default: return 0;
  }
}

static void append_val(jn_buf *b, const jn_val *v) { jn_buf_add(b, v->u.str.s, v->u.str.len); }

static void ascii_case(char *s, size_t n, int upper) {
  for (size_t i = 0; i < n; i++) {
    if (upper && s[i] >= 'a' && s[i] <= 'z') s[i] = (char)(s[i] - 32);
    if (!upper && s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
  }
}

static void format_component(jn_ctx *c, jn_buf *b, const tm_ *t, const dpart *d, int off_h, int off_m) {
  char comp = d->component;
  if (strchr("YMDdFWwXxHhmsf", comp) && comp) {
    double v = fragment(t, comp);
    if (comp == 'Y' && d->n != -1) v = fmod(v, pow(10, d->n));
    if (d->names) {
      const char *name;
      if (comp == 'M' || comp == 'x') name = month_names[(int)v - 1];
      else if (comp == 'F') name = day_names[(int)v];
      else jn_throw(c, "D3133", -1, "The 'name' modifier can only be applied to months and days in the date/time picture string, not %c", comp);
      char tmp[32];
      snprintf(tmp, sizeof tmp, "%s", name);
      size_t l = strlen(tmp);
      if (d->names == 2) ascii_case(tmp, l, 1);
      else if (d->names == 1) ascii_case(tmp, l, 0);
      if (d->wmax >= 0 && l > (size_t)d->wmax) l = (size_t)d->wmax;
      jn_buf_add(b, tmp, l);
    } else {
      append_val(b, jn_format_int(c, v, &d->ifmt));
    }
  } else if (comp == 'Z' || comp == 'z') {
    int offset = off_h * 100 + off_m;
    jn_buf tz;
    jn_buf_init(&tz, c);
    if (d->ifmt.regular) {
      append_val(&tz, jn_format_int(c, offset, &d->ifmt));
    } else {
      int nd = d->ifmt.mandatory;
      if (nd == 1 || nd == 2) {
        append_val(&tz, jn_format_int(c, off_h, &d->ifmt));
        if (off_m != 0) {
          char mm[8];
          snprintf(mm, sizeof mm, ":%02d", abs(off_m));
          jn_buf_addz(&tz, mm);
        }
      } else if (nd == 3 || nd == 4) {
        append_val(&tz, jn_format_int(c, offset, &d->ifmt));
      } else {
        jn_throw(c, "D3134", -1, "The timezone integer format specifier cannot have more than four digits");
      }
    }
    if (offset == 0 && d->pres2 == 't') {
      jn_buf_addc(b, 'Z');
      return;
    }
    if (comp == 'z') jn_buf_addz(b, "GMT");
    if (offset >= 0) jn_buf_addc(b, '+');
    jn_buf_add(b, tz.p ? tz.p : "", tz.n);
  } else if (comp == 'P') {
    jn_buf_addz(b, t->h >= 12 ? (d->names == 2 ? "PM" : "pm") : (d->names == 2 ? "AM" : "am"));
  } else if (comp == 'C' || comp == 'E') {
    jn_buf_addz(b, "ISO");
  }
}

jn_val *jn_format_datetime(jn_ctx *c, double ms, const jn_val *picture, const jn_val *timezone) {
  int off_h = 0, off_m = 0;
  if (timezone) {
    int offset = atoi(jn_strdup(c, timezone->u.str.s, timezone->u.str.len));
    off_h = (int)floor(offset / 100.0);
    off_m = offset % 100;
  }
  dspec s;
  if (picture) analyse(c, picture->u.str.s, picture->u.str.len, &s);
  else {
    static const char iso[] = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
    analyse(c, iso, sizeof iso - 1, &s);
  }
  tm_ t;
  breakdown(ms + (60.0 * off_h + off_m) * 60000.0, &t);
  jn_buf b;
  jn_buf_init(&b, c);
  for (int i = 0; i < s.n; i++) {
    if (s.parts[i].literal) jn_buf_add(&b, s.parts[i].text, s.parts[i].tlen);
    else format_component(c, &b, &t, &s.parts[i], off_h, off_m);
  }
  return jn_buf_val(&b);
}

/* ---- parsing ---- */
static void add_escaped(jn_buf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (strchr(".*+?^${}()|[]\\/", s[i]) && s[i]) jn_buf_addc(b, '\\');
    jn_buf_addc(b, s[i]);
  }
}

static const char *int_regex(const jn_intfmt *f) {
  switch (f->primary) {
  case IF_LETTERS: return "[a-zA-Z]+";
  case IF_ROMAN: return "[MDCLXVImdclxvi]+";
  case IF_WORDS: return "[a-zA-Z][a-zA-Z, \\-]*";
  case IF_DECIMAL: return f->ordinal ? "[0-9]+(?:th|st|nd|rd)" : "[0-9]+";
  default: return NULL;
  }
}

/* Whether component k was read and is true as JavaScript takes a number
 * (not 0, not NaN), as jsonata-js's $toMillis tests it. */
static int truthy(const int *have, const double *comp, unsigned char k) {
  return have[k] && comp[k] != 0 && !isnan(comp[k]);
}

static int name_lookup(const dpart *d, const char *s, size_t n, double *out) {
  if (d->component == 'P') {
    if (n == 2 && (!strncmp(s, "am", 2) || !strncmp(s, "AM", 2))) return *out = 0, 1;
    if (n == 2 && (!strncmp(s, "pm", 2) || !strncmp(s, "PM", 2))) return *out = 1, 1;
    return 0;
  }
  const char *const *names = d->component == 'F' ? day_names : month_names;
  int count = d->component == 'F' ? 8 : 12;
  for (int i = d->component == 'F' ? 1 : 0; i < count; i++) {
    size_t l = strlen(names[i]);
    if (d->wmax > 0 && (size_t)d->wmax < l) l = (size_t)d->wmax;
    if (l == n && !strncmp(names[i], s, n)) return *out = d->component == 'F' ? i : i + 1, 1;
  }
  return 0;
}

jn_val *jn_parse_datetime(jn_ctx *c, const jn_val *text, const jn_val *picture) {
  dspec s;
  analyse(c, picture->u.str.s, picture->u.str.len, &s);
  jn_buf rx;
  jn_buf_init(&rx, c);
  jn_buf_addc(&rx, '^');
  /* the capture group of each part (-1: none), for every part the picture
   * has: parts past the 19th group get none */
  int *groupof = jn_alloc(c->arena, (size_t)(s.n ? s.n : 1) * sizeof *groupof);
  for (int i = 0; i < s.n; i++) groupof[i] = -1;
  int ng = 0;
  for (int i = 0; i < s.n && ng < 19; i++) {
    dpart *d = &s.parts[i];
    groupof[i] = -1;
    if (d->literal) {
      add_escaped(&rx, d->text, d->tlen);
      continue;
    }
    if (d->component == 'Z' || d->component == 'z') {
      jn_buf_addc(&rx, '(');
      if (d->component == 'z') jn_buf_addz(&rx, "GMT");
      jn_buf_addz(&rx, "[-+][0-9]+");
      if (d->ifmt.nseps > 0) { /* the picture's separator must be there: [Z] takes +01:00, not +0100 */
        add_escaped(&rx, (const char[]){(char)d->ifmt.seps[0].cp, 0}, 1);
        jn_buf_addz(&rx, "[0-9]+");
      }
      jn_buf_addc(&rx, ')');
    } else if (d->has_ifmt) {
      const char *r = int_regex(&d->ifmt);
      if (!r) jn_throw(c, "D3130", -1, "Formatting or parsing an integer as a sequence is not supported by this implementation");
      jn_buf_addc(&rx, '(');
      if (d->ifmt.primary == IF_WORDS) {
        jn_words_regex(&rx);
      } else if (d->ifmt.primary == IF_DECIMAL && d->n > 0) {
        /* a year, month or day of a set width takes exactly its digits
         * ([M01] does not read "1"), all of them when mandatory, as
         * jsonata-js reads them; other components take any number */
        char w[48];
        const int opt = d->ifmt.optional;
        if (opt) snprintf(w, sizeof w, "[0-9]{%d,%d}", d->n - opt, d->n);
        else snprintf(w, sizeof w, "[0-9]{%d}", d->n);
        jn_buf_addz(&rx, w);
        if (d->ifmt.ordinal) jn_buf_addz(&rx, "(?:th|st|nd|rd)");
      } else {
        jn_buf_addz(&rx, r);
      }
      jn_buf_addc(&rx, ')');
    } else {
      if (!(d->component == 'M' || d->component == 'x' || d->component == 'F' || d->component == 'P'))
        jn_throw(c, "D3133", -1, "The 'name' modifier can only be applied to months and days in the date/time picture string, not %c", d->component);
      jn_buf_addz(&rx, "([a-zA-Z]+)");
    }
    groupof[i] = ++ng;
  }
  jn_buf_addc(&rx, '$');
  char eb[100];
  jn_regex *re = jn_regex_compile(c->arena, rx.p, rx.n, "i", eb, sizeof eb);
  if (!re) return NULL;
  int caps[40];
  const char *str = text->u.str.s;
  if (jn_regex_exec(re, str, text->u.str.len, 0, caps) <= 0) return NULL; /* pictures' patterns never backtrack far */
  double comp[128] = {0};
  int have[128] = {0};
  int any = 0;
  for (int i = 0; i < s.n; i++) {
    if (groupof[i] < 0) continue;
    dpart *d = &s.parts[i];
    int g = groupof[i];
    /* caps are positions (jn_regex_exec): twice the byte offsets, since a
     * component's digits or letters never cut a character in two */
    const char *v = str + caps[2 * g] / 2;
    size_t vl = (size_t)(caps[2 * g + 1] - caps[2 * g]) / 2;
    double val;
    unsigned char key = (unsigned char)d->component;
    if (d->component == 'Z' || d->component == 'z') {
      if (d->component == 'z') {
        v += 3;
        vl -= 3;
      }
      char *t = jn_strdup(c, v, vl);
      int oh = 0, om = 0;
      char *sp = d->ifmt.nseps > 0 ? strchr(t, (char)d->ifmt.seps[0].cp) : NULL;
      /* The minutes are added whatever the sign, as jsonata-js adds them:
       * -01:30 is 30 minutes behind UTC there, so it is here. */
      if (sp) {
        oh = atoi(t);
        om = atoi(sp + 1);
      } else if (vl - 1 <= 2) {
        oh = atoi(t);
      } else {
        char hh[4] = {t[0], t[1], t[2], 0};
        oh = atoi(hh);
        om = atoi(t + 3);
      }
      val = oh * 60 + om; /* kept apart from Z's: see the end */
    } else if (d->has_ifmt) {
      val = jn_parse_int(c, v, vl, &d->ifmt);
    } else if (!name_lookup(d, v, vl, &val)) {
      /* jsonata-js looks names up case-sensitively ("January", "am") and
       * stores what it finds: an unknown one leaves the component
       * undefined, even if an earlier part gave it, and still counts as a
       * part read (so the result is not undefined) */
      have[key] = 0;
      any = 1;
      continue;
    }
    comp[key] = val;
    have[key] = 1;
    any = 1;
  }
  if (!any) return NULL;
  /* Which date and time forms were given is judged by the components'
   * values as JavaScript truth, as jsonata-js does: a component read as 0
   * ("am", hour 0) counts as not given there, though it keeps its value */
  int mask = 0;
  const char *dm = "YXMxWwdD", *tmk = "PHhmsf";
  for (const char *p = dm; *p; p++) mask = (mask << 1) | truthy(have, comp, *p);
#define IS_TYPE(t) (!(~(t)&mask) && ((t)&mask))
  int dateA = IS_TYPE(161), dateB = !dateA && IS_TYPE(130), dateC = IS_TYPE(84), dateD = !dateC && IS_TYPE(72);
  mask = 0;
  for (const char *p = tmk; *p; p++) mask = (mask << 1) | truthy(have, comp, *p);
  int timeA = IS_TYPE(23), timeB = !timeA && IS_TYPE(47);
#undef IS_TYPE
  (void)timeA;
  /* jsonata-js steps through Y and D (not d) for a day-of-year date */
  const char *dcomps = dateB ? "YD" : dateC ? "XxwF" : dateD ? "XWF" : "YMD";
  const char *tcomps = timeB ? "Phmsf" : "Hmsf";
  char comps[16];
  snprintf(comps, sizeof comps, "%s%s", dcomps, tcomps);
  tm_ now;
  breakdown((double)jn_ctx_now_ms(c), &now);
  int start_specified = 0, end_specified = 0;
  for (const char *p = comps; *p; p++) {
    unsigned char k = (unsigned char)*p;
    if (!have[k]) {
      if (start_specified) {
        comp[k] = strchr("MDd", *p) ? 1 : 0;
        end_specified = 1;
      } else {
        /* jsonata-js takes "am" or "pm" from the clock, text that never
         * equals 1: a defaulted P never adds 12 hours */
        comp[k] = *p == 'P' ? 0 : fragment(&now, *p);
      }
      have[k] = 1;
    } else {
      start_specified = 1;
      if (end_specified)
        jn_throw(c, "D3136", -1, "The date/time picture string is missing specifiers required to parse the timestamp");
    }
  }
  double M = comp['M'] > 0 ? comp['M'] - 1 : 0, D = comp['D'];
  if (dateB) {
    double when = utc(comp['Y'], 0, 1) + (comp['d'] - 1) * 864e5;
    tm_ t;
    breakdown(when, &t);
    M = t.M - 1;
    D = t.D;
  }
  if (dateC || dateD)
    jn_throw(c, "D3136", -1, "The date/time picture string is missing specifiers required to parse the timestamp");
  double H = comp['H'];
  if (timeB) {
    H = comp['h'] == 12 ? 0 : comp['h'];
    if (comp['P'] == 1) H += 12;
  }
  double millis = utc(comp['Y'], M, D) + H * 3600000.0 + comp['m'] * 60000.0 + comp['s'] * 1000.0 + comp['f'];
  /* Date.UTC's NaN: a component that is not a number (words that do not
   * parse), or a time past its range of 8.64e15 ms either side; the
   * timezone is applied after it */
  if (isnan(comp['Y'] + M + D + H + comp['m'] + comp['s'] + comp['f']) || fabs(millis) > 8.64e15)
    millis = NAN;
  /* jsonata-js keeps [Z] and [z] apart and subtracts the first that is
   * true: a later [z] does not replace a [Z] */
  if (truthy(have, comp, 'Z')) millis -= comp['Z'] * 60000.0;
  else if (truthy(have, comp, 'z')) millis -= comp['z'] * 60000.0;
  return jn_num(c, millis);
}
