/* Sorting a match's tags by rank (lib/pattern/rank.h): with the counter
 * any machine runs and with the fastest this one has, random tags (0 to
 * PM_RANK_MAX of them, repeats, values up to INT32_MAX, and whatever the
 * room past them holds) come out ascending, each once, as a plain sort
 * gives them. */
#include <stdlib.h>

#include "aevtest.h"
#include "pattern/rank.h"

static uint64_t rng;

static uint32_t next32(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Tags drawn from a pool of `spread` values (few: many repeats), some of
 * them near INT32_MAX, where a signed compare would go wrong first. */
static uint32_t tag(uint32_t spread) {
  uint32_t v = next32() % spread;
  return next32() % 4 ? v : (uint32_t)INT32_MAX - v;
}

/* n tags sorted with count, checked against qsort without repeats. */
static void check(pm_count_below *count, size_t n, uint32_t spread) {
  uint32_t t[PM_RANK_MAX], want[PM_RANK_MAX];
  uint64_t out[PM_RANK_MAX];
  for (size_t i = 0; i < PM_RANK_MAX; i++) t[i] = next32(); /* the room past n */
  for (size_t i = 0; i < n; i++) want[i] = t[i] = tag(spread);
  qsort(want, n, sizeof *want, cmp_u32);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (!u || want[u - 1] != want[i]) want[u++] = want[i];
  ck_assert_uint_eq(aev__pm_rank_tags(t, n, count, out), u);
  for (size_t i = 0; i < u; i++) ck_assert_uint_eq(out[i], want[i]);
}

static void sorts(pm_count_below *count) {
  rng = 0x5eed0001u;
  for (size_t n = 0; n <= PM_RANK_MAX; n++)
    for (int round = 0; round < 40; round++)
      check(count, n, round % 2 ? 1000000 : 2 * (uint32_t)n + 1);
}

START_TEST(baseline_counter_sorts) { sorts(aev__pm_count_below_16); }
END_TEST

/* Where the machine has AVX2, the best counter is another (else this
 * checks the baseline again, and says so). */
START_TEST(best_counter_sorts) {
  pm_count_below *best = aev__pm_count_below_best();
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2"))
    ck_assert(best != aev__pm_count_below_16);
  else
    fprintf(stderr, "pattern_rank: no AVX2 here: the best counter is the baseline\n");
#endif
  sorts(best);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pattern_rank");
  TCase *tc = tcase_create("rank");
  tcase_add_test(tc, baseline_counter_sorts);
  tcase_add_test(tc, best_counter_sorts);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
