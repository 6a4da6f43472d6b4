/* Internal: a binary min-heap of intrusive timers ordered by (deadline, seq),
 * the order in which the scheduler fires them. Not locked: the scheduler
 * holds its mutex around every call. */
#ifndef AEV_CORE_TIMER_HEAP_H
#define AEV_CORE_TIMER_HEAP_H

#include <stddef.h>

#include "core/sched.h"

typedef struct aev__timer_heap {
  aev__timer **items;
  size_t len, cap;
} aev__timer_heap;

/* Inserts t (t->slot must be 0). AEV_ERR_NOMEM if the array cannot grow. */
int aev__timer_heap_push(aev__timer_heap *h, aev__timer *t);

/* Removes t wherever it is (t->slot != 0) and clears its slot. */
void aev__timer_heap_remove(aev__timer_heap *h, aev__timer *t);

/* The earliest timer, or NULL. */
aev__timer *aev__timer_heap_top(const aev__timer_heap *h);

void aev__timer_heap_free(aev__timer_heap *h);

#endif
