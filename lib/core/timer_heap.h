/* Internal: a pairing heap of intrusive timers ordered by (deadline, seq),
 * the order in which the scheduler fires them. Its links live in the
 * timers, so arming never allocates and cannot fail for want of memory: a
 * timer that was armed stays armed. Not locked: the scheduler holds its
 * mutex around every call. */
#ifndef AEV_CORE_TIMER_HEAP_H
#define AEV_CORE_TIMER_HEAP_H

#include "core/sched.h"

typedef struct aev__timer_heap {
  aev__timer *root;
} aev__timer_heap;

/* Inserts t (t->armed must be 0) and sets t->armed. */
void aev__timer_heap_push(aev__timer_heap *h, aev__timer *t);

/* Removes t wherever it is (t->armed != 0) and clears t->armed. */
void aev__timer_heap_remove(aev__timer_heap *h, aev__timer *t);

/* The earliest timer, or NULL. */
aev__timer *aev__timer_heap_top(const aev__timer_heap *h);

/* Every timer in h, linked through their scan fields from the one
 * returned (NULL when h is empty), so that the caller may remove and push
 * them again while it goes through the list. */
aev__timer *aev__timer_heap_list(const aev__timer_heap *h);

#endif
