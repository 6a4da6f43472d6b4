/* Internal: the numeric ranges of one value machine, indexed so that the
 * ranges holding a number are found without testing each: an interval
 * tree (a treap ordered by lower bound, each node knowing the highest upper
 * bound below it). A set with thousands of rules on one field, such as
 * price bands under one source, otherwise tests every range per event. */
#ifndef AEV_PATTERN_RANGES_H
#define AEV_PATTERN_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "pattern/pattern_int.h"

typedef struct pm_range_node {
  double lo, hi; /* -inf / +inf where the range has no bound */
  double max;    /* the highest hi in the subtree */
  uint32_t next; /* the state the range leads to */
  uint32_t prio;
  uint32_t child[2]; /* lower lo, then the rest: node index + 1; 0: none */
  unsigned char lo_open, hi_open;
} pm_range_node;

typedef struct pm_ranges {
  pm_range_node *node;
  size_t n, cap;
  uint32_t root; /* node index + 1; 0: empty */
} pm_ranges;

/* Adds the range of numeric matcher m (PM_NUMERIC), leading to next.
 * Returns AEV_OK or AEV_ERR_NOMEM (the index unchanged). */
int aev__pm_ranges_add(pm_ranges *r, const pm_matcher *m, uint32_t next);

/* Calls hit(ctx, next) for every range holding x, in no set order. Stops
 * early when hit returns nonzero. */
void aev__pm_ranges_find(const pm_ranges *r, double x, int (*hit)(void *ctx, uint32_t next),
                         void *ctx);

void aev__pm_ranges_free(pm_ranges *r);
size_t aev__pm_ranges_memory(const pm_ranges *r);

#endif
