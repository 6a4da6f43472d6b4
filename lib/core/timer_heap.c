/* The scheduler's timer min-heap: (deadline, seq) order, O(log n) insert and
 * removal from any position through the slot each timer keeps. */
#include <stdlib.h>

#include "awsevents/common.h"
#include "core/timer_heap.h"

static int before(const aev__timer *a, const aev__timer *b) {
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(aev__timer_heap *h, size_t i, aev__timer *t) {
  h->items[i] = t;
  t->slot = i + 1;
}

static void sift_up(aev__timer_heap *h, size_t i) {
  aev__timer *t = h->items[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(t, h->items[parent])) break;
    place(h, i, h->items[parent]);
    i = parent;
  }
  place(h, i, t);
}

static void sift_down(aev__timer_heap *h, size_t i) {
  aev__timer *t = h->items[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= h->len) break;
    if (child + 1 < h->len && before(h->items[child + 1], h->items[child]))
      child++;
    if (!before(h->items[child], t)) break;
    place(h, i, h->items[child]);
    i = child;
  }
  place(h, i, t);
}

int aev__timer_heap_push(aev__timer_heap *h, aev__timer *t) {
  if (h->len == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 64;
    aev__timer **items = realloc(h->items, cap * sizeof *items);
    if (!items) return AEV_ERR_NOMEM;
    h->items = items;
    h->cap = cap;
  }
  h->items[h->len] = t;
  sift_up(h, h->len++);
  return AEV_OK;
}

void aev__timer_heap_remove(aev__timer_heap *h, aev__timer *t) {
  size_t i = t->slot - 1;
  t->slot = 0;
  aev__timer *last = h->items[--h->len];
  if (i == h->len) return;
  h->items[i] = last;
  if (i > 0 && before(last, h->items[(i - 1) / 2]))
    sift_up(h, i);
  else
    sift_down(h, i);
}

aev__timer *aev__timer_heap_top(const aev__timer_heap *h) {
  return h->len ? h->items[0] : NULL;
}

void aev__timer_heap_free(aev__timer_heap *h) {
  free(h->items);
  h->items = NULL;
  h->len = h->cap = 0;
}
