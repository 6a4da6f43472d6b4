/* The pattern automaton's path table (see paths.h): open addressing with
 * linear probing, at most half full; paths are never removed (a set
 * rebuilds its automaton instead). */
#include "pattern/paths.h"

#include <stdlib.h>

static pm_path_entry *table(size_t cap) {
  pm_path_entry *e = malloc(cap * sizeof *e);
  if (e)
    for (size_t i = 0; i < cap; i++) e[i].len = UINT32_MAX;
  return e;
}

static int grow(pm_paths *t) {
  size_t cap = t->cap ? t->cap * 2 : 16;
  pm_path_entry *e = table(cap);
  if (!e) return -1;
  for (size_t i = 0; i < t->cap; i++) {
    const pm_path_entry *x = &t->e[i];
    if (x->len == UINT32_MAX) continue;
    size_t j = aev__pm_path_slot(x->head, x->tail, x->len) & (cap - 1);
    while (e[j].len != UINT32_MAX) j = (j + 1) & (cap - 1);
    e[j] = *x;
  }
  free(t->e);
  t->e = e;
  t->cap = cap;
  return 0;
}

static int keep_key(pm_paths *t, const char *p, size_t n) {
  if (t->klen + n > t->kcap) {
    size_t kcap = t->kcap ? t->kcap : 256;
    while (kcap < t->klen + n) kcap *= 2;
    char *k = realloc(t->keys, kcap);
    if (!k) return -1;
    t->keys = k;
    t->kcap = kcap;
  }
  memcpy(t->keys + t->klen, p, n);
  t->klen += n;
  return 0;
}

uint32_t aev__pm_paths_find(const pm_paths *t, const char *p, size_t n) {
  uint64_t head, tail;
  aev__pm_path_words(p, n, &head, &tail);
  size_t mask = t->cap - 1;
  for (size_t i = aev__pm_path_slot(head, tail, n) & mask;; i = (i + 1) & mask) {
    const pm_path_entry *e = &t->e[i];
    if (e->len == UINT32_MAX) return 0;
    if (e->len == n && e->head == head && e->tail == tail &&
        (n <= 16 || memcmp(t->keys + e->off + 8, p + 8, n - 16) == 0))
      return e->val;
  }
}

uint32_t *aev__pm_paths_put(pm_paths *t, const char *p, size_t n) {
  uint64_t head, tail;
  aev__pm_path_words(p, n, &head, &tail);
  if ((t->n + 1) * 2 > t->cap && grow(t)) return NULL;
  size_t mask = t->cap - 1, i = aev__pm_path_slot(head, tail, n) & mask;
  for (;; i = (i + 1) & mask) {
    pm_path_entry *e = &t->e[i];
    if (e->len == UINT32_MAX) break;
    if (e->len == n && e->head == head && e->tail == tail &&
        (n <= 16 || memcmp(t->keys + e->off + 8, p + 8, n - 16) == 0))
      return &e->val;
  }
  size_t off = t->klen;
  if (n > 16 && keep_key(t, p, n)) return NULL;
  t->e[i] = (pm_path_entry){head, tail, (uint32_t)n, 0, (uint32_t)off, 0};
  t->n++;
  unsigned bit = aev__pm_path_bit(p, n);
  t->bits[bit >> 6] |= 1ull << (bit & 63);
  return &t->e[i].val;
}

void aev__pm_paths_free(pm_paths *t) {
  free(t->e);
  free(t->keys);
  memset(t, 0, sizeof *t);
}

size_t aev__pm_paths_memory(const pm_paths *t) {
  return t->cap * sizeof(pm_path_entry) + t->kcap;
}
