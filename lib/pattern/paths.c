/* The pattern automaton's path table (see paths.h): open addressing with
 * linear probing, at most a quarter full (few paths, and most keys an
 * event holds are absent: their probes end sooner); paths are never removed (a set
 * rebuilds its automaton instead). */
#include "pattern/paths.h"

#include <stdlib.h>

/* What a segment hashes in hi: its bytes 8-15, and beyond 16 bytes its
 * last 8 as well. */
static uint64_t hash_hi(const char *p, size_t n, uint64_t hi) {
  if (n <= 16) return hi;
  uint64_t last;
  memcpy(&last, p + n - 8, 8);
  return hi ^ last * 0xff51afd7ed558ccdULL;
}

static size_t slot_of(const pm_paths *t, const pm_path_entry *x, unsigned shift) {
  size_t n = (uint32_t)x->pl;
  const char *whole = n > 16 ? t->keys + t->off[x->node] : NULL;
  return aev__pm_path_slot(x->lo, whole ? hash_hi(whole, n, x->hi) : x->hi, x->pl, shift);
}

static int grow(pm_paths *t) {
  size_t cap = t->cap ? t->cap * 2 : 16;
  unsigned shift = t->cap ? t->shift - 1 : 60;
  pm_path_entry *e = malloc(cap * sizeof *e);
  if (!e) return -1;
  /* A lookup compares a free entry's words before its pl: all are set, so
   * programs run under valgrind see no read of uninitialised memory. */
  for (size_t i = 0; i < cap; i++) e[i] = (pm_path_entry){.pl = PM_PATH_FREE};
  for (size_t i = 0; i < t->cap; i++) {
    const pm_path_entry *x = &t->e[i];
    if (x->pl == PM_PATH_FREE) continue;
    size_t j = slot_of(t, x, shift);
    while (e[j].pl != PM_PATH_FREE) j = (j + 1) & (cap - 1);
    e[j] = *x;
  }
  free(t->e);
  t->e = e;
  t->cap = cap;
  t->shift = shift;
  return 0;
}

/* The slot of segment p (n bytes, no dots) under node, or the free slot
 * where it would go. The table must not be empty. */
static size_t seek(const pm_paths *t, uint32_t node, const char *p, size_t n) {
  uint64_t lo, hi;
  aev__pm_path_words(p, n, &lo, &hi);
  const uint64_t pl = (uint64_t)node << 32 | n;
  const size_t mask = t->cap - 1;
  for (size_t i = aev__pm_path_slot(lo, hash_hi(p, n, hi), pl, t->shift);; i = (i + 1) & mask) {
    const pm_path_entry *e = &t->e[i];
    if (e->pl == PM_PATH_FREE) return i;
    if (e->lo == lo && e->hi == hi && e->pl == pl &&
        (n <= 16 || memcmp(t->keys + t->off[e->node] + 16, p + 16, n - 16) == 0))
      return i;
  }
}

/* The length of the segment starting at p (up to the first dot). */
static size_t segment(const char *p, size_t n) {
  const char *dot = memchr(p, '.', n);
  return dot ? (size_t)(dot - p) : n;
}

const pm_path_entry *aev__pm_paths_walk(const pm_paths *t, uint32_t node, const char *p,
                                        size_t n) {
  if (!t->cap) return NULL;
  for (;;) {
    size_t s = segment(p, n);
    if (s > UINT32_MAX) return NULL;
    const pm_path_entry *e = &t->e[seek(t, node, p, s)];
    if (e->pl == PM_PATH_FREE || s == n) return e->pl == PM_PATH_FREE ? NULL : e;
    node = e->node;
    p += s + 1;
    n -= s + 1;
  }
}

/* Keeps a long segment whole, for its node. */
static int keep_key(pm_paths *t, uint32_t node, const char *p, size_t n) {
  if (node >= t->coff) {
    size_t c = t->coff ? t->coff : 16;
    while (c <= node) c *= 2;
    uint32_t *off = realloc(t->off, c * sizeof *off);
    if (!off) return -1;
    t->off = off;
    t->coff = c;
  }
  if (t->klen + n > t->kcap) {
    size_t kcap = t->kcap ? t->kcap : 256;
    while (kcap < t->klen + n) kcap *= 2;
    char *k = realloc(t->keys, kcap);
    if (!k) return -1;
    t->keys = k;
    t->kcap = kcap;
  }
  t->off[node] = (uint32_t)t->klen;
  memcpy(t->keys + t->klen, p, n);
  t->klen += n;
  return 0;
}

uint32_t *aev__pm_paths_put(pm_paths *t, const char *p, size_t n) {
  uint32_t node = 0;
  for (;;) {
    size_t s = segment(p, n);
    if (s > UINT32_MAX || t->n >= UINT32_MAX - 1) return NULL;
    if ((t->n + 1) * 4 > t->cap && grow(t)) return NULL;
    size_t i = seek(t, node, p, s);
    pm_path_entry *e = &t->e[i];
    if (e->pl == PM_PATH_FREE) {
      uint32_t id = (uint32_t)t->n + 1;
      if (s > 16 && keep_key(t, id, p, s)) return NULL;
      aev__pm_path_words(p, s, &e->lo, &e->hi);
      e->pl = (uint64_t)node << 32 | s;
      e->val = 0;
      e->node = id;
      t->n++;
    }
    if (s == n) return &e->val;
    node = e->node;
    p += s + 1;
    n -= s + 1;
  }
}

void aev__pm_paths_free(pm_paths *t) {
  free(t->e);
  free(t->off);
  free(t->keys);
  memset(t, 0, sizeof *t);
}

size_t aev__pm_paths_memory(const pm_paths *t) {
  return t->cap * sizeof(pm_path_entry) + t->coff * sizeof *t->off + t->kcap;
}
