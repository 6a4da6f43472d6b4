/* The scheduler's timers as a pairing heap (Fredman, Sedgewick, Sleator and
 * Tarjan): O(1) insert, O(log n) amortized removal of the earliest timer or
 * of any other. Each timer's child is its first child; next is its next
 * sibling; prev is its previous sibling, or its parent when it is a first
 * child (NULL at the root). */
#include <stddef.h>

#include "core/timer_heap.h"

static int before(const aev__timer *a, const aev__timer *b) {
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->seq < b->seq);
}

/* The root of two heaps made one (both roots have no siblings). */
static aev__timer *meld(aev__timer *a, aev__timer *b) {
  if (before(b, a)) {
    aev__timer *x = a;
    a = b;
    b = x;
  }
  b->prev = a;
  b->next = a->child;
  if (a->child) a->child->prev = b;
  a->child = b;
  return a;
}

/* The sibling list starting at first made one heap: melded in pairs left
 * to right, then the pairs melded right to left (the two passes that give
 * the pairing heap its amortized bound). */
static aev__timer *merge_pairs(aev__timer *first) {
  aev__timer *pairs = NULL; /* the melded pairs, last first, through next */
  while (first) {
    aev__timer *a = first, *b = a->next;
    first = b ? b->next : NULL;
    a->prev = a->next = NULL;
    if (b) {
      b->prev = b->next = NULL;
      a = meld(a, b);
    }
    a->next = pairs;
    pairs = a;
  }
  aev__timer *root = NULL;
  while (pairs) {
    aev__timer *rest = pairs->next;
    pairs->next = NULL;
    root = root ? meld(pairs, root) : pairs;
    pairs = rest;
  }
  return root;
}

void aev__timer_heap_push(aev__timer_heap *h, aev__timer *t) {
  t->child = t->next = t->prev = NULL;
  t->armed = 1;
  h->root = h->root ? meld(h->root, t) : t;
}

void aev__timer_heap_remove(aev__timer_heap *h, aev__timer *t) {
  t->armed = 0;
  aev__timer *rest = merge_pairs(t->child);
  t->child = NULL;
  if (t == h->root) {
    h->root = rest;
    return;
  }
  if (t->prev->child == t) t->prev->child = t->next;
  else t->prev->next = t->next;
  if (t->next) t->next->prev = t->prev;
  t->next = t->prev = NULL;
  if (rest) h->root = meld(h->root, rest);
}

aev__timer *aev__timer_heap_top(const aev__timer_heap *h) { return h->root; }

aev__timer *aev__timer_heap_list(const aev__timer_heap *h) {
  aev__timer *tail = h->root;
  if (tail) tail->scan = NULL;
  /* Every timer but the root is one timer's first child or next sibling:
   * appending both of each listed timer lists each once. */
  for (aev__timer *t = h->root; t; t = t->scan) {
    aev__timer *const more[2] = {t->child, t->next};
    for (int i = 0; i < 2; i++)
      if (more[i]) {
        more[i]->scan = NULL;
        tail->scan = more[i];
        tail = more[i];
      }
  }
  return h->root;
}
