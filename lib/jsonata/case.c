/* Lookups in the generated case tables (casemap.c): binary searches over
 * runs sorted by their first code point and specials sorted by theirs. */
#include "casemap.h"

static const jn_case_special *find_special(const jn_case_special *t, size_t n, uint32_t cp) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid].cp == cp) return &t[mid];
    if (t[mid].cp < cp) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

uint32_t jn_case_simple(uint32_t cp, int upper) {
  const jn_case_run *t = upper ? jn_upper_runs : jn_lower_runs;
  size_t lo = 0, hi = upper ? jn_upper_nruns : jn_lower_nruns;
  while (lo < hi) { /* the last run starting at or before cp */
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid].lo <= cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return cp;
  const jn_case_run *r = &t[lo - 1];
  if (cp > r->hi || (cp - r->lo) % r->step) return cp;
  return (uint32_t)((int32_t)cp + r->delta);
}

int jn_case_full(uint32_t cp, int upper, uint32_t out[3]) {
  const jn_case_special *s = upper ? find_special(jn_upper_special, jn_upper_nspecial, cp)
                                   : find_special(jn_lower_special, jn_lower_nspecial, cp);
  if (!s) {
    out[0] = jn_case_simple(cp, upper);
    return 1;
  }
  out[0] = s->out[0];
  out[1] = s->out[1];
  out[2] = s->out[2];
  return s->out[2] ? 3 : 2;
}
