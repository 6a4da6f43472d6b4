/* The matchers the automaton cannot answer with a hash lookup (numeric,
 * cidr, wildcard, exists and the anything-but family), and case folding for
 * equals-ignore-case. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/common.h"
#include "pattern/pattern_int.h"

/* Lower-cases ASCII, Latin-1, Greek and Cyrillic capitals (the two-byte
 * UTF-8 ranges with a fixed offset); other bytes are copied unchanged. The
 * length never changes. */
void aev__pm_fold_to(const char *s, size_t len, char *out) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = u[i];
    if (c >= 'A' && c <= 'Z') c += 32;
    if ((c == 0xc3 || c == 0xce || c == 0xd0) && i + 1 < len) {
      unsigned cp = ((unsigned)(c & 0x1f) << 6) | (u[i + 1] & 0x3f);
      if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
          (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) || (cp >= 0x410 && cp <= 0x42f))
        cp += 0x20;
      else if (cp >= 0x400 && cp <= 0x40f)
        cp += 0x50;
      out[i] = (char)(0xc0 | (cp >> 6));
      out[++i] = (char)(0x80 | (cp & 0x3f));
      continue;
    }
    out[i] = (char)c;
  }
}

int aev__pm_fold(const char *s, size_t len, pm_str *out) {
  out->s = malloc(len + 1);
  if (!out->s) return AEV_ERR_NOMEM;
  aev__pm_fold_to(s, len, out->s);
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

/* anything-but: true unless the string value hits one of the list. Values of
 * other types always pass (AWS: anything-but matches null and numbers). */
static int ab_strings(const pm_matcher *m, const pm_value *v) {
  if (v->type != PV_STR) return 1;
  pm_str folded = {0};
  const char *s = v->s;
  if (m->kind == PM_AB_EIC) {
    if (aev__pm_fold(v->s, v->len, &folded)) return 0;
    s = folded.s;
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
  free(folded.s);
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
