/* JSONata string functions: $string $substring $substringBefore
 * $substringAfter $lowercase $uppercase $length $trim $pad $contains $split
 * $join $replace $match, plus the regex matcher value. Strings are UTF-8;
 * lengths and offsets count code points as jsonata-js does (Array.from),
 * but for the regex functions' indexes and the search for a string
 * ($contains, $split, $replace, $substringBefore/After), which work on
 * UTF-16 code units there (JavaScript's indexOf and split). */
#include <math.h>
#include <string.h>

#include "casemap.h"
#include "core/text.h"
#include "fn.h"

jn_val *fn_string(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return jn_to_string(c, a[0], a[1] && jn_truthy(c, a[1]));
}

/* code-point slice [start, end) of s, with JS slice semantics */
static jn_val *cp_slice(jn_ctx *c, const jn_val *s, double start, double end, int has_end) {
  double len = (double)aev__utf8_chars(s->u.str.s, s->u.str.len);
  start = trunc(start);
  if (start < 0) start = fmax(0, len + start);
  if (start > len) start = len;
  if (!has_end) end = len;
  else {
    end = trunc(end);
    if (end < 0) end = fmax(0, len + end);
    if (end > len) end = len;
  }
  if (end <= start) return jn_str(c, "", 0);
  size_t b0 = jn_utf8_offset(s->u.str.s, s->u.str.len, (size_t)start);
  size_t b1 = jn_utf8_offset(s->u.str.s, s->u.str.len, (size_t)end);
  return jn_str(c, s->u.str.s + b0, b1 - b0);
}

jn_val *fn_substring(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  /* An undefined start is NaN to jsonata-js: slice() from 0 to the end,
   * or, with a length, to a NaN end, which is 0. */
  if (!a[1] || isnan(a[1]->u.num)) return a[2] ? jn_str(c, "", 0) : a[0];
  double len = (double)aev__utf8_chars(a[0]->u.str.s, a[0]->u.str.len);
  double start = a[1]->u.num;
  if (len + start < 0) start = 0;
  if (a[2]) {
    double l = a[2]->u.num;
    if (l <= 0) return jn_str(c, "", 0);
    double end = start >= 0 ? start + l : len + start + l;
    return cp_slice(c, a[0], start, end, 1);
  }
  return cp_slice(c, a[0], start, 0, 0);
}

/* The first position at or after `from` where needle comes in s; -1 when
 * none, else with the position after it in *end. Positions are
 * jn_regex_exec's, on UTF-16 units, so a lone surrogate finds half of a
 * character past U+FFFF. */
static long find_str(const jn_val *s, size_t from, const jn_val *needle, size_t *end) {
  return jn_units_find(s->u.str.s, s->u.str.len, from, needle->u.str.s, needle->u.str.len, end);
}

/* An argument passed as undefined where jsonata-js searches for it or
 * adds it to a string: JavaScript writes it as the text "undefined". */
static jn_val *as_js_text(jn_ctx *c, jn_val *v) {
  return v ? v : jn_str(c, "undefined", 9);
}

/* The subject's text between two positions. */
static jn_val *text(jn_ctx *c, const jn_val *s, size_t from, size_t to) {
  return jn_regex_text(c, s->u.str.s, s->u.str.len, from, to);
}

static void add_text(jn_buf *b, const jn_val *s, size_t from, size_t to) {
  jn_regex_add(b, s->u.str.s, s->u.str.len, from, to);
}

static size_t end_of(const jn_val *s) { return 2 * s->u.str.len; }

jn_val *fn_substring_before(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  size_t end;
  long i = find_str(a[0], 0, as_js_text(c, a[1]), &end);
  if (i < 0) return a[0];
  return text(c, a[0], 0, (size_t)i);
}

jn_val *fn_substring_after(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  size_t end;
  if (find_str(a[0], 0, as_js_text(c, a[1]), &end) < 0) return a[0];
  return text(c, a[0], end, end_of(a[0]));
}

/* Whether cp is a letter with case, as Unicode's Final_Sigma rule asks:
 * here, one with an upper or a lower case mapping. */
static int cased(uint32_t cp) {
  uint32_t o[3];
  return jn_case_full(cp, 1, o) > 1 || o[0] != cp || jn_case_full(cp, 0, o) > 1 || o[0] != cp;
}

/* The case-ignorable characters a Greek word may hold: apostrophes, '.',
 * ':', the middle dot and combining diacritics. */
static int case_ignorable(uint32_t cp) {
  return cp == '\'' || cp == '.' || cp == ':' || cp == 0xB7 || cp == 0x2019 || (cp >= 0x300 && cp <= 0x36F);
}

/* Unicode's Final_Sigma: the capital sigma at s[at..after) ends a word (a
 * cased letter before it, none after it), so it lowers to final sigma. */
static int final_sigma(const char *s, size_t n, size_t at, size_t after) {
  uint32_t cp;
  size_t i = at;
  do {
    if (i == 0) return 0;
    do i--;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
    size_t k = i;
    cp = jn_utf8_next(s, n, &k);
  } while (case_ignorable(cp));
  if (!cased(cp)) return 0;
  for (i = after; i < n;) {
    cp = jn_utf8_next(s, n, &i);
    if (!case_ignorable(cp)) return !cased(cp);
  }
  return 1;
}

/* JavaScript's toUpperCase / toLowerCase, as jsonata-js: full mappings
 * ("ß" uppers to "SS"), and a word's last capital sigma lowers to "ς". */
static jn_val *change_case(jn_ctx *c, jn_val *s, int upper) {
  if (!s) return NULL;
  jn_buf b;
  jn_buf_init(&b, c);
  const char *t = s->u.str.s;
  size_t n = s->u.str.len;
  for (size_t i = 0; i < n;) {
    size_t at = i;
    uint32_t cp = jn_utf8_next(t, n, &i), out[3];
    if (!upper && cp == 0x3A3 && final_sigma(t, n, at, i)) {
      jn_buf_utf8(&b, 0x3C2);
      continue;
    }
    for (int k = 0, m = jn_case_full(cp, upper, out); k < m; k++) jn_buf_utf8(&b, out[k]);
  }
  return jn_buf_val(&b);
}

jn_val *fn_lowercase(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return change_case(c, a[0], 0);
}

jn_val *fn_uppercase(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return change_case(c, a[0], 1);
}

jn_val *fn_length(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  return jn_num(c, (double)aev__utf8_chars(a[0]->u.str.s, a[0]->u.str.len));
}

jn_val *fn_trim(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_buf b;
  jn_buf_init(&b, c);
  const char *s = a[0]->u.str.s;
  size_t len = a[0]->u.str.len;
  int pending = 0;
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      pending = 1;
      continue;
    }
    if (pending && b.n) jn_buf_addc(&b, ' ');
    pending = 0;
    jn_buf_addc(&b, ch);
  }
  return jn_buf_val(&b);
}

jn_val *fn_pad(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (!a[1]) return a[0]; /* jsonata-js: a NaN width pads nothing */
  const char *pc = " ";
  size_t pl = 1;
  if (a[2] && a[2]->u.str.len) {
    pc = a[2]->u.str.s;
    pl = a[2]->u.str.len;
  }
  double width = a[1]->u.num;
  double padlen = fabs(trunc(width)) - (double)aev__utf8_chars(a[0]->u.str.s, a[0]->u.str.len);
  if (padlen <= 0) return a[0];
  if (padlen > (double)c->max_string) jn_too_long(c); /* before a char-by-char loop that long */
  jn_buf pad;
  jn_buf_init(&pad, c);
  size_t want = (size_t)padlen, cps = 0;
  while (cps < want) {
    size_t i = 0;
    while (i < pl && cps < want) {
      size_t st = i;
      jn_utf8_next(pc, pl, &i);
      jn_buf_add(&pad, pc + st, i - st);
      cps++;
    }
  }
  jn_buf b;
  jn_buf_init(&b, c);
  if (width > 0) {
    jn_buf_add(&b, a[0]->u.str.s, a[0]->u.str.len);
    jn_buf_add(&b, pad.p, pad.n);
  } else {
    jn_buf_add(&b, pad.p, pad.n);
    jn_buf_add(&b, a[0]->u.str.s, a[0]->u.str.len);
  }
  return jn_buf_val(&b);
}

/* ---- regex matching shared by $contains/$split/$replace/$match ---- */
typedef struct match {
  size_t start, end; /* positions, as jn_regex_exec gives them */
  int caps[40];
  int ngroups;
  jn_val *custom;    /* a custom matcher's last result object */
} match;

/* A matcher is a regex, or a function returning {match, start, end,
 * groups, next} objects (jsonata-js's custom matchers). */
typedef struct matcher {
  const jn_regex *re;
  jn_val *fn;
} matcher;

static int custom_match(jn_ctx *c, const matcher *mt, const jn_val *s, match *m, int first) {
  jn_val *r;
  if (first) {
    jn_val *arg = (jn_val *)s;
    r = jn_apply(c, mt->fn, &arg, 1, NULL, c->cur_pos);
  } else {
    jn_val *next = jn_get(m->custom, "next", 4);
    if (!next || next->type != JN_FUNC) return 0;
    r = jn_apply(c, next, NULL, 0, NULL, c->cur_pos);
  }
  if (!r) return 0;
  jn_val *st = jn_get(r, "start", 5), *en = jn_get(r, "end", 3), *gr = jn_get(r, "groups", 6), *nx = jn_get(r, "next", 4);
  if (!((st && st->type == JN_NUM) || (gr && gr->type == JN_ARR) || (nx && nx->type == JN_FUNC)))
    jn_throw(c, "T1010", -1, "The matcher function argument passed to function does not return the correct object structure");
  m->custom = r;
  m->start = jn_regex_pos(s->u.str.s, s->u.str.len, st && st->type == JN_NUM ? (size_t)st->u.num : 0);
  m->end = jn_regex_pos(s->u.str.s, s->u.str.len, en && en->type == JN_NUM ? (size_t)en->u.num : 0);
  if (m->end < m->start) m->end = m->start;
  m->ngroups = 0;
  return 1;
}

/* Next match at or after `from`; returns 0 when none. A zero-length match
 * that is not the first one raises D1004 as jsonata-js does.
 * NEXT_EAGERLY: $split, $replace and $match ask for the next match as soon
 * as they have used one, before they look at their limit, as jsonata-js
 * does: a regex whose next match is empty is D1004 even when the limit
 * would have stopped before it. */
static int next_match(jn_ctx *c, const matcher *mt, const jn_val *s, size_t from, match *m, int first) {
  if (mt->fn) return custom_match(c, mt, s, m, first);
  const jn_regex *re = mt->re;
  m->custom = NULL;
  if (!first && from >= end_of(s)) return 0;
  int found = jn_regex_exec(re, s->u.str.s, s->u.str.len, from, m->caps);
  if (found < 0) /* V8 would go on, and the state time out: an error, not a wrong "no match" */
    jn_throw(c, "U1001", -1, "The regular expression took more than %d steps at one search of the string",
             JN_REGEX_STEPS);
  if (!found) return 0;
  m->start = (size_t)m->caps[0];
  m->end = (size_t)m->caps[1];
  m->ngroups = jn_regex_ngroups(re);
  if (!first && m->start == m->end)
    jn_throw(c, "D1004", -1, "Regular expression matches zero length string");
  return 1;
}

/* A match's index as jsonata-js gives it: in UTF-16 code units. */
static size_t unit_index(const jn_val *s, size_t pos) { return jn_regex_units(s->u.str.s, pos); }

static jn_val *match_object(jn_ctx *c, const jn_val *s, const match *m) {
  jn_val *o = jn_objv(c);
  if (m->custom) {
    jn_val *mv = jn_get(m->custom, "match", 5), *gv = jn_get(m->custom, "groups", 6);
    jn_set(c, o, "match", 5, mv ? mv : jn_str(c, "", 0));
    jn_set(c, o, "index", 5, jn_num(c, (double)unit_index(s, m->start)));
    jn_set(c, o, "start", 5, jn_num(c, (double)unit_index(s, m->start)));
    jn_set(c, o, "end", 3, jn_num(c, (double)unit_index(s, m->end)));
    jn_set(c, o, "groups", 6, gv ? gv : jn_arr(c, 0));
    return o;
  }
  jn_set(c, o, "match", 5, text(c, s, m->start, m->end));
  jn_set(c, o, "index", 5, jn_num(c, (double)unit_index(s, m->start)));
  jn_set(c, o, "start", 5, jn_num(c, (double)unit_index(s, m->start)));
  jn_set(c, o, "end", 3, jn_num(c, (double)unit_index(s, m->end)));
  jn_val *groups = jn_arr(c, (size_t)m->ngroups);
  for (int g = 1; g <= m->ngroups && g < 20; g++) {
    int b0 = m->caps[2 * g], b1 = m->caps[2 * g + 1];
    jn_push(c, groups, b0 < 0 ? JN_HOLE : text(c, s, (size_t)b0, (size_t)b1));
  }
  jn_set(c, o, "groups", 6, groups);
  return o;
}

/* What jsonata-js's regex function answers, {match, start, end, groups,
 * next} ($replace hands it to a replacement function): no index. */
static jn_val *regex_result(jn_ctx *c, const jn_val *s, const match *m) {
  jn_val *o = match_object(c, s, m);
  jn_del(c, o, "index", 5);
  return o;
}

jn_val *jn_regex_call(jn_ctx *c, jn_func *f, jn_val *str) {
  if (!str || str->type != JN_STR) return NULL;
  match m;
  matcher mt = {f->re, NULL};
  if (!next_match(c, &mt, str, 0, &m, 1)) return NULL;
  return regex_result(c, str, &m);
}

static matcher matcher_of(jn_val *v) {
  matcher mt = {NULL, NULL};
  if (v->u.fn->kind == F_REGEX) mt.re = v->u.fn->re;
  else mt.fn = v;
  return mt;
}

jn_val *fn_contains(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  if (!a[0]) return NULL;
  size_t end;
  if (a[1]->type == JN_STR) return JN_BOOLV(find_str(a[0], 0, a[1], &end) >= 0);
  match m;
  matcher mt = matcher_of(a[1]);
  return JN_BOOLV(next_match(c, &mt, a[0], 0, &m, 1));
}

jn_val *fn_split(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  if (!a[0]) return NULL;
  if (a[2] && a[2]->u.num < 0) jn_throw(c, "D3020", -1, "Third argument of split function must evaluate to a positive number");
  jn_val *res = jn_arr(c, 4);
  double limit = a[2] ? floor(a[2]->u.num) : INFINITY;
  if (limit == 0) return res;
  const jn_val *s = a[0];
  if (a[1]->type == JN_STR && !a[1]->u.str.len) {
    /* JavaScript's split by "": UTF-16 units, so a character past U+FFFF
     * gives its two surrogates */
    for (size_t pos = 0, next; (double)res->u.arr.n < limit; pos = next) {
      next = jn_units_next(s->u.str.s, s->u.str.len, pos);
      if (next == pos) break;
      jn_push(c, res, text(c, s, pos, next));
    }
    return res;
  }
  if (a[1]->type == JN_STR) {
    size_t pos = 0, end;
    while ((double)res->u.arr.n < limit) {
      long k = find_str(s, pos, a[1], &end);
      if (k < 0) {
        jn_push(c, res, text(c, s, pos, end_of(s)));
        break;
      }
      jn_push(c, res, text(c, s, pos, (size_t)k));
      pos = end;
    }
    return res;
  }
  matcher mt = matcher_of(a[1]);
  const matcher *re = &mt;
  match m;
  size_t start = 0;
  double count = 0;
  int have = next_match(c, re, s, 0, &m, 1);
  while (have && count < limit) {
    jn_push(c, res, text(c, s, start, m.start));
    start = m.end;
    count++;
    have = next_match(c, re, s, m.end, &m, 0); /* eagerly: see NEXT_EAGERLY */
  }
  if (count < limit) jn_push(c, res, text(c, s, start, end_of(s)));
  return res;
}

jn_val *fn_join(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_buf b;
  jn_buf_init(&b, c);
  for (size_t i = 0; i < a[0]->u.arr.n; i++) {
    if (i && a[1]) jn_buf_add(&b, a[1]->u.str.s, a[1]->u.str.len);
    jn_buf_add(&b, a[0]->u.arr.items[i]->u.str.s, a[0]->u.arr.items[i]->u.str.len);
  }
  return jn_buf_val(&b);
}

static void substitute(jn_buf *b, const jn_val *rep, const jn_val *s, const match *m) {
  const char *r = rep->u.str.s;
  size_t rl = rep->u.str.len, pos = 0;
  int ng = m->ngroups;
  while (pos < rl) {
    const char *d = memchr(r + pos, '$', rl - pos);
    if (!d) break;
    size_t idx = (size_t)(d - r);
    jn_buf_add(b, r + pos, idx - pos);
    pos = idx + 1;
    char dv = pos < rl ? r[pos] : 0;
    if (dv == '$') {
      jn_buf_addc(b, '$');
      pos++;
    } else if (dv == '0') {
      add_text(b, s, m->start, m->end);
      pos++;
    } else {
      int maxd = ng == 0 ? 1 : (int)floor(log10((double)ng)) + 1;
      int val = 0, nd = 0;
      while (nd < maxd && pos + (size_t)nd < rl && r[pos + (size_t)nd] >= '0' && r[pos + (size_t)nd] <= '9') {
        val = val * 10 + (r[pos + (size_t)nd] - '0');
        nd++;
      }
      if (maxd > 1 && val > ng && nd > 1) {
        val /= 10;
        nd--;
      }
      if (nd == 0) {
        jn_buf_addc(b, '$');
      } else {
        if (ng > 0 && val >= 1 && val <= ng && m->caps[2 * val] >= 0)
          add_text(b, s, (size_t)m->caps[2 * val], (size_t)m->caps[2 * val + 1]);
        char t[16];
        int tl = snprintf(t, sizeof t, "%d", val);
        pos += (size_t)tl;
      }
    }
  }
  jn_buf_add(b, r + pos, rl - pos);
}

jn_val *fn_replace(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  if (!a[0]) return NULL;
  const jn_val *s = a[0];
  jn_val *with = as_js_text(c, a[2]);
  if (a[1]->type == JN_STR && a[1]->u.str.len == 0)
    jn_throw(c, "D3010", -1, "Second argument of replace function cannot be an empty string");
  if (a[3] && a[3]->u.num < 0) jn_throw(c, "D3011", -1, "Fourth argument of replace function must evaluate to a positive number");
  double limit = a[3] ? a[3]->u.num : INFINITY;
  if (limit <= 0) return a[0];
  jn_buf b;
  jn_buf_init(&b, c);
  size_t pos = 0;
  double count = 0;
  if (a[1]->type == JN_STR) {
    long k;
    size_t end;
    while (count < limit && (k = find_str(s, pos, a[1], &end)) >= 0) {
      add_text(&b, s, pos, (size_t)k);
      if (with->type == JN_STR) jn_buf_add(&b, with->u.str.s, with->u.str.len);
      pos = end;
      count++;
    }
    add_text(&b, s, pos, end_of(s));
    return jn_buf_val(&b);
  }
  matcher mt = matcher_of(a[1]);
  const matcher *re = &mt;
  match m;
  int have = next_match(c, re, s, 0, &m, 1);
  while (have && count < limit) {
    add_text(&b, s, pos, m.start);
    if (with->type == JN_STR) {
      substitute(&b, with, s, &m);
    } else {
      jn_val *mo = regex_result(c, s, &m);
      jn_val *r = jn_apply(c, with, &mo, 1, NULL, c->cur_pos);
      if (!r || r->type != JN_STR)
        jn_throw(c, "D3012", -1, "Attempted to replace a matched string with a non-string value");
      jn_buf_add(&b, r->u.str.s, r->u.str.len);
    }
    pos = m.end;
    count++;
    have = next_match(c, re, s, m.end, &m, 0); /* eagerly: see NEXT_EAGERLY */
  }
  add_text(&b, s, pos, end_of(s));
  return jn_buf_val(&b);
}

jn_val *fn_match(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (a[2] && a[2]->u.num < 0) jn_throw(c, "D3040", -1, "Third argument of match function must evaluate to a positive number");
  jn_val *res = jn_seq(c);
  double limit = a[2] ? a[2]->u.num : INFINITY;
  matcher mt = matcher_of(a[1]);
  const matcher *re = &mt;
  match m;
  double count = 0;
  int have = next_match(c, re, a[0], 0, &m, 1);
  while (have && count < limit) {
    jn_val *o = match_object(c, a[0], &m);
    jn_del(c, o, "start", 5);
    jn_del(c, o, "end", 3);
    jn_push(c, res, o);
    count++;
    have = next_match(c, re, a[0], m.end, &m, 0); /* eagerly: see NEXT_EAGERLY */
  }
  return res;
}
