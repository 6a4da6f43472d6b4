/* The numeric ranges of a value machine as an interval tree: a treap keyed
 * by lower bound, whose nodes also keep the highest upper bound beneath
 * them. Finding the ranges that hold x visits only subtrees that can hold
 * it: O(log n) a range found, against the n tests of a list. Nodes live in
 * one array and name each other by index, which growing the array keeps. */
#include "pattern/ranges.h"

#include <math.h>
#include <stdlib.h>

#include "awsevents/common.h"

static pm_range_node *at(pm_range_node *t, uint32_t i) { return &t[i - 1]; }

/* Recomputes node i's subtree maximum from its own bound and its children's. */
static void fix(pm_range_node *t, uint32_t i) {
  pm_range_node *x = at(t, i);
  x->max = x->hi;
  for (int side = 0; side < 2; side++)
    if (x->child[side] && at(t, x->child[side])->max > x->max)
      x->max = at(t, x->child[side])->max;
}

/* Lifts node i's child on side above it; returns the child. */
static uint32_t lift(pm_range_node *t, uint32_t i, int side) {
  uint32_t c = at(t, i)->child[side];
  at(t, i)->child[side] = at(t, c)->child[!side];
  at(t, c)->child[!side] = i;
  fix(t, i);
  fix(t, c);
  return c;
}

/* Inserts node i into the subtree at root; returns the subtree's new root.
 * Priorities are random to an author of patterns (they mix in the
 * matcher's address), so the depth stays logarithmic whatever order the
 * ranges come in: the recursions here and in find() stay shallow. */
static uint32_t insert(pm_range_node *t, uint32_t root, uint32_t i) {
  if (!root) return i;
  pm_range_node *x = at(t, root);
  const int side = !(at(t, i)->lo < x->lo);
  x->child[side] = insert(t, x->child[side], i);
  if (at(t, x->child[side])->prio > x->prio) return lift(t, root, side);
  fix(t, root);
  return root;
}

static uint32_t priority(const pm_matcher *m, size_t index) {
  uint64_t x = ((uint64_t)(uintptr_t)m ^ index * 0x9e3779b97f4a7c15ULL) * 0xd6e8feb86659fd93ULL;
  return (uint32_t)(x >> 32);
}

int aev__pm_ranges_add(pm_ranges *r, const pm_matcher *m, uint32_t next) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 4;
    pm_range_node *node = realloc(r->node, cap * sizeof *node);
    if (!node) return AEV_ERR_NOMEM;
    r->node = node;
    r->cap = cap;
  }
  double lo = m->has_lo ? m->lo : -INFINITY, hi = m->has_hi ? m->hi : INFINITY;
  r->node[r->n] = (pm_range_node){lo, hi, hi, next, priority(m, r->n), {0, 0}, m->lo_open,
                                  m->hi_open};
  r->n++;
  r->root = insert(r->node, r->root, (uint32_t)r->n);
  return AEV_OK;
}

/* Whether node n's range holds x: a missing bound is an infinite closed
 * one, which holds any number (as no bound does). */
static int holds(const pm_range_node *n, double x) {
  return (n->lo_open ? x > n->lo : x >= n->lo) && (n->hi_open ? x < n->hi : x <= n->hi);
}

/* The ranges under node i that hold x: none where the subtree's highest
 * upper bound is below x, none to the right of a node whose lower bound
 * is above it. Returns nonzero once hit asked to stop. */
static int find(const pm_range_node *t, uint32_t i, double x, int (*hit)(void *, uint32_t),
                void *ctx) {
  while (i) {
    const pm_range_node *n = &t[i - 1];
    if (n->max < x) return 0;
    if (find(t, n->child[0], x, hit, ctx)) return 1;
    if (n->lo > x) return 0;
    if (holds(n, x) && hit(ctx, n->next)) return 1;
    i = n->child[1];
  }
  return 0;
}

void aev__pm_ranges_find(const pm_ranges *r, double x, int (*hit)(void *ctx, uint32_t next),
                         void *ctx) {
  find(r->node, r->root, x, hit, ctx);
}

void aev__pm_ranges_free(pm_ranges *r) {
  free(r->node);
  *r = (pm_ranges){0};
}

size_t aev__pm_ranges_memory(const pm_ranges *r) { return r->cap * sizeof *r->node; }
