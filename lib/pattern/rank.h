/* Internal: sorting the few tags a match finds (set.c), by rank. */
#ifndef AEV_PATTERN_RANK_H
#define AEV_PATTERN_RANK_H

#include <stddef.h>
#include <stdint.h>

/* The most tags aev__pm_rank_tags() sorts. */
#define PM_RANK_MAX 64

/* Puts in r[0..16) how many of t[0..n) are below each of the 16 tags at
 * blk (all of them at most INT32_MAX). */
typedef void pm_count_below(const uint32_t *blk, const uint32_t *t, size_t n, int32_t *r);

/* The counter any machine runs, four tags to a compare. */
void aev__pm_count_below_16(const uint32_t *blk, const uint32_t *t, size_t n, int32_t *r);

/* The fastest counter this machine runs: eight tags to a compare where it
 * has AVX2, else aev__pm_count_below_16. */
pm_count_below *aev__pm_count_below_best(void);

/* Sorts the n (at most PM_RANK_MAX) tags of t, none above INT32_MAX, and
 * drops their repeats, into out; returns how many remain. t has room for
 * n rounded up to a multiple of 16: the tags past n are read, whatever
 * they hold, and never change the answer. */
size_t aev__pm_rank_tags(const uint32_t *t, size_t n, pm_count_below *count, uint64_t *out);

#endif
