/* Sorting by rank: a tag's place is the number of tags below it, counted
 * without branches for sixteen tags at once, one vector compare of them
 * with each tag. A big set's match finds about ten tags an event, in an
 * order no branch predictor learns (set.c sorts them into the ids it
 * returns). Each tag is stored straight to its place; the places add up
 * to 0 + 1 + ... + (n - 1) unless copies of a tag shared one, and only
 * then (rare: $or branches) are the repeats dropped. */
#include <string.h>

#include "pattern/rank.h"

typedef int32_t v4 __attribute__((vector_size(16)));
typedef int32_t v8 __attribute__((vector_size(32)));

/* The body of a pm_count_below with vectors of type V, whose counts stay
 * in registers while each tag is compared. Written once for two widths:
 * compilers split a vector wider than the machine's into slow code, and
 * AVX2, where it is there, compares eight tags at a time. */
#define COUNT_BELOW_16(V)                                         \
  {                                                               \
    enum { LANES = sizeof(V) / sizeof(int32_t), K = 16 / LANES }; \
    V tags[K], below[K];                                          \
    for (size_t b = 0; b < K; b++) {                              \
      memcpy(&tags[b], blk + LANES * b, sizeof tags[b]);          \
      below[b] = (V){0};                                          \
    }                                                             \
    for (size_t j = 0; j < n; j++) {                              \
      const V x = (V){0} + (int32_t)t[j];                         \
      _Pragma("GCC unroll 4")                                     \
      for (size_t b = 0; b < K; b++) below[b] -= tags[b] > x;     \
    }                                                             \
    for (size_t b = 0; b < K; b++)                                \
      memcpy(r + LANES * b, &below[b], sizeof below[b]);          \
  }

void aev__pm_count_below_16(const uint32_t *blk, const uint32_t *t, size_t n, int32_t *r)
    COUNT_BELOW_16(v4)

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void count_below_16_avx2(const uint32_t *blk,
                                                                const uint32_t *t, size_t n,
                                                                int32_t *r)
    COUNT_BELOW_16(v8)
#endif

pm_count_below *aev__pm_count_below_best(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2")) return count_below_16_avx2;
#endif
  return aev__pm_count_below_16;
}

/* The places r when copies of a tag shared one: the tags placed again,
 * the places left empty skipped. */
static __attribute__((noinline)) size_t drop_repeats(const uint32_t *t, const int32_t *r,
                                                     size_t n, uint64_t *out) {
  int32_t at[PM_RANK_MAX];
  for (size_t i = 0; i < n; i++) at[i] = -1;
  for (size_t i = 0; i < n; i++) at[r[i]] = (int32_t)t[i];
  size_t u = 0;
  for (size_t i = 0; i < n; i++) {
    out[u] = (uint64_t)at[i];
    u += at[i] >= 0;
  }
  return u;
}

size_t aev__pm_rank_tags(const uint32_t *t, size_t n, pm_count_below *count, uint64_t *out) {
  int32_t r[PM_RANK_MAX];
  for (size_t b = 0; b < n; b += 16) count(t + b, t, n, r + b);
  size_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    out[r[i]] = t[i];
    sum += (size_t)r[i];
  }
  return sum == n * (n - 1) / 2 ? n : drop_repeats(t, r, n, out);
}
