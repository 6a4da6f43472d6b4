/* Internal: the table of field paths a pattern set names, which the
 * flattener consults for every key of every event. */
#ifndef AEV_PATTERN_PATHS_H
#define AEV_PATTERN_PATHS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A path is kept as a tree of its dot-separated segments: each entry is
 * one segment under its parent's node (the root is node 0), so the
 * flattener looks an event's key up under the node of the object holding
 * it, without joining the path. A segment's first 16 bytes (nearly all of
 * it) sit in the entry, zero-padded, so a lookup compares three words. */
typedef struct pm_path_entry {
  uint64_t lo, hi;
  uint64_t pl;   /* parent node << 32 | segment length; PM_PATH_FREE: unused */
  uint32_t val;  /* PM_PATH_PREFIX and/or path id + 1; 0 while only on the way */
  uint32_t node; /* this path's node */
} pm_path_entry;

#define PM_PATH_FREE UINT64_MAX

typedef struct pm_paths {
  pm_path_entry *e;
  size_t cap, n; /* cap is a power of two; n entries, nodes 1..n */
  unsigned shift; /* 64 - log2(cap): a hash's top bits pick the slot */
  uint32_t *off; /* by node: a segment over 16 bytes whole in keys[] */
  size_t coff;
  char *keys;
  size_t klen, kcap;
} pm_paths;

/* The first 16 bytes of a segment of up to 16, zero-padded. */
static inline void aev__pm_path_words(const char *p, size_t n, uint64_t *lo, uint64_t *hi) {
  char b[16] = {0};
  memcpy(b, p, n < 16 ? n : 16);
  memcpy(lo, b, 8);
  memcpy(hi, b + 8, 8);
}

/* One multiply, whose top bits (every bit of the key and of pl reaches
 * them) pick the slot. Segments over 16 bytes pass their last 8 bytes in
 * hi, folded. */
static inline size_t aev__pm_path_slot(uint64_t lo, uint64_t hi, uint64_t pl, unsigned shift) {
  return (size_t)(((lo ^ pl) + (hi << 7 ^ hi >> 57)) * 0x9e3779b97f4a7c15ULL >> shift);
}

/* The entry of a segment of up to 16 bytes, without dots, given as its
 * words, under node; NULL when absent. Inline: the flattener calls it for
 * nearly every key. */
static inline const pm_path_entry *aev__pm_paths_child(const pm_paths *t, uint32_t node,
                                                       uint64_t lo, uint64_t hi, size_t n) {
  if (!t->cap) return NULL;
  const uint64_t pl = (uint64_t)node << 32 | n;
  const size_t mask = t->cap - 1;
  for (size_t i = aev__pm_path_slot(lo, hi, pl, t->shift);; i = (i + 1) & mask) {
    const pm_path_entry *e = &t->e[i];
    if (e->lo == lo && e->hi == hi && e->pl == pl) return e;
    if (e->pl == PM_PATH_FREE) return NULL;
  }
}

/* The entry of the path p (n bytes, any length, dots splitting it into
 * segments) under node, or NULL when absent. */
const pm_path_entry *aev__pm_paths_walk(const pm_paths *t, uint32_t node, const char *p,
                                        size_t n);

/* The value stored for a whole path, or 0 when it is absent. */
static inline uint32_t aev__pm_paths_get(const pm_paths *t, const char *p, size_t n) {
  const pm_path_entry *e = aev__pm_paths_walk(t, 0, p, n);
  return e ? e->val : 0;
}

/* The stored value of a path (0 when just added), valid until the next
 * put, or NULL on NOMEM. */
uint32_t *aev__pm_paths_put(pm_paths *t, const char *p, size_t n);
void aev__pm_paths_free(pm_paths *t);
size_t aev__pm_paths_memory(const pm_paths *t);

#endif
