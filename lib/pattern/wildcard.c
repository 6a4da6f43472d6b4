/* The wildcard operator: validation (escapes, consecutive stars, and
 * event-ruler's complexity limit) and glob matching with \* and \\ escapes. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "pattern/pattern_int.h"

#define STAR 256
/* event-ruler measures a wildcard by the largest number of its prefixes one
 * input can match at once ("*a*a*a*" scores 7 on "aaa"). EventBridge refuses
 * five stars separated by colons before "event-bus/" (10) and accepts
 * "/Users/", a star, then "/dir" five times (6): the limit here is 9. */
#define MAX_COMPLEXITY 9
/* Exploring more distinct prefix sets than this also counts as too complex. */
#define MAX_EXPLORED 20000

static const char TOO_COMPLEX[] =
    "Rule is too complex - try using fewer wildcard characters or fewer "
    "repeating character sequences after a wildcard character";

static int reject(const char *fmt, size_t pos) {
  return aev__fail(AEV_ERR_INVALID, "InvalidEventPatternException", fmt, (int)pos);
}

/* The pattern as tokens: bytes, or STAR. */
static int tokens(const char *s, size_t len, int *tok, size_t *n) {
  *n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\') {
      if (i + 1 >= len || (s[i + 1] != '*' && s[i + 1] != '\\'))
        return reject("Invalid escape character at pos %d", i);
      tok[(*n)++] = (unsigned char)s[++i];
    } else if (s[i] == '*') {
      if (*n > 0 && tok[*n - 1] == STAR)
        return reject("Consecutive wildcard characters at pos %d", i);
      tok[(*n)++] = STAR;
    } else {
      tok[(*n)++] = (unsigned char)s[i];
    }
  }
  return AEV_OK;
}

/* Adds state i and, through stars matching nothing, the states after it. */
static void add(const int *tok, size_t n, unsigned char *set, size_t i) {
  for (;;) {
    set[i] = 1;
    if (i >= n || tok[i] != STAR) return;
    i++;
  }
}

static size_t count(const unsigned char *set, size_t n) {
  size_t c = 0;
  for (size_t i = 1; i <= n; i++) c += set[i];
  return c;
}

/* Breadth-first over the sets of NFA states inputs can reach: AEV_OK, or
 * AEV_ERR_INVALID when too complex, or AEV_ERR_NOMEM (not the pattern's
 * fault, so not reported as its complexity). */
static int complexity(const int *tok, size_t n) {
  int alphabet[258];
  size_t na = 0;
  for (size_t i = 0; i < n; i++) {
    int seen = tok[i] == STAR;
    for (size_t j = 0; j < na && !seen; j++) seen = alphabet[j] == tok[i];
    if (!seen) alphabet[na++] = tok[i];
  }
  alphabet[na++] = -1; /* any byte the pattern does not name */
  pmap seen = {0};
  unsigned char **queue = NULL;
  size_t qn = 0, qcap = 0, head = 0;
  int rc = AEV_OK;
  unsigned char *start = calloc(n + 1, 1);
  if (!start) return AEV_ERR_NOMEM;
  add(tok, n, start, 0);
  queue = malloc(sizeof *queue);
  if (!queue) {
    free(start);
    return AEV_ERR_NOMEM;
  }
  queue[qn++] = start, qcap = 1;
  uint32_t *slot;
  int added;
  while (!rc && head < qn) {
    unsigned char *cur = queue[head++];
    for (size_t a = 0; a < na && !rc; a++) {
      unsigned char *next = calloc(n + 1, 1);
      if (!next) {
        rc = AEV_ERR_NOMEM;
        break;
      }
      int any = 0;
      for (size_t i = 0; i < n; i++) {
        if (!cur[i]) continue;
        if (tok[i] == STAR) add(tok, n, next, i), any = 1;
        else if (tok[i] == alphabet[a]) add(tok, n, next, i + 1), any = 1;
      }
      if (any && count(next, n) > MAX_COMPLEXITY) rc = AEV_ERR_INVALID;
      else if (any && aev__pmap_put(&seen, 0, 0, next, n + 1, 0, &slot, &added))
        rc = AEV_ERR_NOMEM;
      if (rc || !any || !added) {
        free(next);
        continue;
      }
      if (qn == MAX_EXPLORED) {
        rc = AEV_ERR_INVALID;
        free(next);
        break;
      }
      if (qn == qcap) {
        qcap *= 2;
        unsigned char **q = realloc(queue, qcap * sizeof *q);
        if (!q) {
          rc = AEV_ERR_NOMEM;
          free(next);
          break;
        }
        queue = q;
      }
      queue[qn++] = next;
    }
  }
  for (size_t i = 0; i < qn; i++) free(queue[i]);
  free(queue);
  aev__pmap_free(&seen);
  return rc;
}

int aev__pm_wildcard_check(const char *s, size_t len) {
  int *tok = malloc((len + 1) * sizeof *tok);
  if (!tok) return aev__nomem();
  size_t n;
  int rc = tokens(s, len, tok, &n);
  if (!rc && memchr(s, '*', len)) {
    rc = complexity(tok, n);
    if (rc == AEV_ERR_NOMEM) rc = aev__nomem();
    else if (rc) rc = aev__fail(AEV_ERR_INVALID, "InvalidEventPatternException", "%s", TOO_COMPLEX);
  }
  free(tok);
  return rc;
}

/* Glob matching that backtracks only to the last star: linear in practice.
 * For patterns with escapes. */
static int match_escaped(const char *pat, size_t plen, const char *s, size_t len) {
  size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
  while (i < len) {
    if (p < plen && pat[p] == '*') {
      star_p = ++p;
      star_i = i;
      continue;
    }
    if (p < plen) {
      size_t q = p;
      char c = pat[q];
      if (c == '\\' && q + 1 < plen) c = pat[++q];
      if (c == s[i]) {
        p = q + 1;
        i++;
        continue;
      }
    }
    if (star_p == (size_t)-1) return 0;
    p = star_p;
    i = ++star_i;
  }
  while (p < plen && pat[p] == '*') p++;
  return p == plen;
}

/* Without escapes a pattern is literal pieces between stars: the first
 * must begin the value and the last end it, and each one between is
 * found at its leftmost place after the one before (a later place never
 * leaves more room for the rest). Whole pieces are compared at once. */
int aev__pm_wildcard_match(const char *pat, size_t plen, const char *s, size_t len) {
  if (memchr(pat, '\\', plen)) return match_escaped(pat, plen, s, len);
  const char *first = memchr(pat, '*', plen);
  if (!first) return plen == len && memcmp(pat, s, len) == 0;
  const char *last = memrchr(pat, '*', plen);
  size_t head = (size_t)(first - pat), tail = plen - (size_t)(last - pat) - 1;
  if (head + tail > len || memcmp(pat, s, head) != 0 ||
      memcmp(last + 1, s + len - tail, tail) != 0)
    return 0;
  const char *at = s + head, *end = s + len - tail;
  for (const char *p = first + 1; p < last;) {
    const char *star = memchr(p, '*', (size_t)(last - p) + 1);
    size_t n = (size_t)(star - p);
    const char *found = memmem(at, (size_t)(end - at), p, n);
    if (!found) return 0;
    at = found + n;
    p = star + 1;
  }
  return 1;
}
