/* The matchers the automaton cannot answer with a hash lookup (numeric,
 * cidr, wildcard, exists and the anything-but family), and case folding for
 * equals-ignore-case. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/common.h"
#include "pattern/fold_ranges.h"
#include "pattern/pattern_int.h"

/* The lower case of code point cp (fold_ranges.h), or cp. */
static uint32_t lower_of(uint32_t cp) {
  const size_t n = sizeof fold_ranges / sizeof *fold_ranges;
  size_t lo = 0, hi = n;
  while (lo < hi) { /* the first range not wholly below cp */
    size_t mid = (lo + hi) / 2;
    if (fold_ranges[mid].last < cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo == n) return cp;
  const pm_fold_range *r = &fold_ranges[lo];
  if (cp < r->first || (cp - r->first) % r->stride) return cp;
  return (uint32_t)((int32_t)cp + r->delta);
}

/* How many bytes the UTF-8 character at u (n bytes left) takes, its code
 * point in *cp; 0 for a byte that does not begin one, or whose
 * continuation bytes are missing. (An overlong form, a surrogate or a
 * code point past U+10FFFF is in no range of fold_ranges, or comes out
 * as malformed as it went in: no valid pattern can equal it.) */
static size_t utf8_char(const unsigned char *u, size_t n, uint32_t *cp) {
  const size_t len = u[0] >= 0xf8 ? 0 : u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
  if (!len || len > n) return 0;
  uint32_t c = u[0] & (0x7f >> len);
  for (size_t k = 1; k < len; k++) {
    if ((u[k] & 0xc0) != 0x80) return 0;
    c = c << 6 | (u[k] & 0x3f);
  }
  *cp = c;
  return len;
}

/* Lower-cases every character whose Unicode lower case is one character
 * of the same UTF-8 length: EventBridge's engine (aws/event-ruler) lets
 * each character of a pattern match its Unicode lower and upper case, in
 * any script, not only ASCII's. Other characters and malformed bytes are
 * copied unchanged, so the length never changes. */
static void fold_to(const char *s, size_t len, char *out) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    unsigned char c = u[i];
    uint32_t cp;
    size_t n;
    if (c < 0x80 || !(n = utf8_char(u + i, len - i, &cp))) {
      out[i++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
      continue;
    }
    cp = lower_of(cp);
    for (size_t k = n - 1; k > 0; k--, cp >>= 6) out[i + k] = (char)(0x80 | (cp & 0x3f));
    out[i] = (char)((0xf00u >> n & 0xff) | cp); /* n's lead bits, the rest of cp */
    i += n;
  }
}

char *aev__pm_fold_into(const char *s, size_t len, char *local, size_t cap) {
  char *out = len <= cap ? local : malloc(len);
  if (out) fold_to(s, len, out);
  return out;
}

int aev__pm_fold(const char *s, size_t len, pm_str *out) {
  out->s = malloc(len + 1);
  if (!out->s) return AEV_ERR_NOMEM;
  fold_to(s, len, out->s);
  out->s[len] = 0;
  out->len = len;
  return AEV_OK;
}

static int in_range(const pm_matcher *m, double x) {
  if (m->has_lo && (m->lo_open ? !(x > m->lo) : !(x >= m->lo))) return 0;
  if (m->has_hi && (m->hi_open ? !(x < m->hi) : !(x <= m->hi))) return 0;
  return 1;
}

static int has_prefix(const char *s, size_t n, const pm_str *p) {
  return p->len <= n && memcmp(s, p->s, p->len) == 0;
}

static int has_suffix(const char *s, size_t n, const pm_str *p) {
  return p->len <= n && memcmp(s + n - p->len, p->s, p->len) == 0;
}

/* anything-but: 1 unless the string value hits one of the list, -1 when
 * out of memory. Values of other types always pass (AWS: anything-but
 * matches null and numbers). */
static int ab_strings(const pm_matcher *m, const pm_value *v) {
  if (v->type != PV_STR) return 1;
  char local[256], *folded = NULL;
  const char *s = v->s;
  if (m->kind == PM_AB_EIC) {
    if (!(folded = aev__pm_fold_into(v->s, v->len, local, sizeof local))) return -1;
    s = folded;
  }
  int hit = 0;
  for (size_t i = 0; i < m->n && !hit; i++) {
    const pm_str *x = &m->strs[i];
    switch (m->kind) {
      case PM_AB_PREFIX:
        hit = has_prefix(s, v->len, x);
        break;
      case PM_AB_SUFFIX:
        hit = has_suffix(s, v->len, x);
        break;
      case PM_AB_WILDCARD:
        hit = aev__pm_wildcard_match(x->s, x->len, s, v->len);
        break;
      default: /* PM_AB_STR, PM_AB_EIC */
        hit = x->len == v->len && memcmp(x->s, s, v->len) == 0;
    }
  }
  if (folded != local) free(folded);
  return !hit;
}

int aev__pm_matcher_test(const pm_matcher *m, const pm_value *v) {
  switch (m->kind) {
    case PM_EXISTS:
      return 1;
    case PM_NUMERIC:
      return v->type == PV_NUM && in_range(m, v->num);
    case PM_CIDR:
      return v->type == PV_STR && aev__pm_cidr_test(m, v->s, v->len);
    case PM_WILDCARD:
      return v->type == PV_STR && aev__pm_wildcard_match(m->s.s, m->s.len, v->s, v->len);
    case PM_AB_NUM:
      if (v->type != PV_NUM) return 1;
      for (size_t i = 0; i < m->n; i++)
        if (m->nums[i] == v->num) return 0;
      return 1;
    case PM_AB_STR:
    case PM_AB_EIC:
    case PM_AB_PREFIX:
    case PM_AB_SUFFIX:
    case PM_AB_WILDCARD:
      return ab_strings(m, v);
    default:
      return 0;
  }
}
