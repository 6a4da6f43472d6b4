/* The pattern automaton's hash map: open addressing with linear probing at
 * most half full, keys of up to 8 bytes kept in the entry (one cache line
 * touched per probe) and longer ones interned in one growing byte arena:
 * entries with equal key bytes (one value under many states, as a big
 * pattern set has) share one copy, so the arena stays small enough to stay
 * cached and comparing a long key rarely misses. Entries are never deleted:
 * a set rebuilds its automaton instead (see set.c). */
#include "pattern/pmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "awsevents/common.h"

uint32_t *aev__pmap_get(const pmap *m, uint32_t a, uint32_t b, const void *p,
                        size_t n) {
  return m->cap ? aev__pmap_get_h(m, aev__pmap_hash(a, b, p, n), a, b, p, n) : NULL;
}


/* Tables of 2 MiB and more (hash tables here, the automaton's states in
 * machine.c) ask for transparent huge pages: a lookup in a big automaton is
 * a random access, and TLB misses would otherwise cost as much as the cache
 * misses. */
#define HUGE_PAGE ((size_t)2 << 20)

void *aev__pm_zalloc(size_t bytes) {
  size_t align = bytes < HUGE_PAGE ? 64 : HUGE_PAGE;
  void *e = aligned_alloc(align, (bytes + align - 1) & ~(align - 1));
  if (!e) return NULL;
  if (align == HUGE_PAGE) madvise(e, bytes, MADV_HUGEPAGE);
  memset(e, 0, bytes);
  return e;
}

static pmap_entry *table(size_t cap) { return aev__pm_zalloc(cap * sizeof(pmap_entry)); }

static int grow(pmap *m) {
  size_t cap = m->cap ? m->cap * 2 : 16;
  pmap_entry *e = table(cap);
  if (!e) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->e[i].h) continue;
    size_t j = m->e[i].h & (cap - 1);
    while (e[j].h) j = (j + 1) & (cap - 1);
    e[j] = m->e[i];
  }
  free(m->e);
  m->e = e;
  m->cap = cap;
  return AEV_OK;
}

static int grow_keys(pmap *m) {
  size_t cap = m->kucap ? m->kucap * 2 : 16;
  pmap_key *k = calloc(cap, sizeof *k);
  if (!k) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < m->kucap; i++) {
    if (!m->ku[i].h) continue;
    size_t j = m->ku[i].h & (cap - 1);
    while (k[j].h) j = (j + 1) & (cap - 1);
    k[j] = m->ku[i];
  }
  free(m->ku);
  m->ku = k;
  m->kucap = cap;
  return AEV_OK;
}

/* The arena offset of a long key's bytes, stored once. */
static int intern(pmap *m, const void *p, size_t n, uint64_t *off) {
  uint32_t h = aev__pmap_hash(0, 0, p, n);
  size_t mask = m->kucap - 1, i = h & mask;
  for (; m->kucap && m->ku[i].h; i = (i + 1) & mask) {
    const pmap_key *k = &m->ku[i];
    if (k->h == h && k->len == n && memcmp(m->keys + k->off, p, n) == 0) {
      *off = k->off;
      return AEV_OK;
    }
  }
  if ((m->kun + 1) * 2 > m->kucap) {
    if (grow_keys(m)) return AEV_ERR_NOMEM;
    mask = m->kucap - 1;
    for (i = h & mask; m->ku[i].h; i = (i + 1) & mask) continue;
  }
  if (m->klen + n > m->kcap) {
    size_t kcap = m->kcap ? m->kcap : 256;
    while (kcap < m->klen + n) kcap *= 2;
    char *k = realloc(m->keys, kcap);
    if (!k) return AEV_ERR_NOMEM;
    m->keys = k;
    m->kcap = kcap;
  }
  memcpy(m->keys + m->klen, p, n);
  m->ku[i] = (pmap_key){h, (uint32_t)m->klen, (uint32_t)n};
  m->kun++;
  *off = m->klen;
  m->klen += n;
  return AEV_OK;
}

int aev__pmap_put(pmap *m, uint32_t a, uint32_t b, const void *p, size_t n,
                  uint32_t val, uint32_t **slot, int *added) {
  uint32_t *found = aev__pmap_get(m, a, b, p, n);
  if (found) {
    *slot = found;
    *added = 0;
    return AEV_OK;
  }
  if ((m->n + 1) * 4 > m->cap * (m->dense ? 3 : 2) && grow(m)) return AEV_ERR_NOMEM;
  uint64_t key = n <= 8 ? aev__pmap_word(p, n) : 0;
  if (n > 8 && intern(m, p, n, &key)) return AEV_ERR_NOMEM;
  uint32_t h = aev__pmap_hash(a, b, p, n);
  size_t mask = m->cap - 1, i = h & mask;
  while (m->e[i].h) i = (i + 1) & mask;
  m->e[i] = (pmap_entry){h, a, b, (uint32_t)n, {val, 0}, key};
  m->n++;
  *slot = m->e[i].val;
  *added = 1;
  return AEV_OK;
}

void aev__pmap_free(pmap *m) {
  free(m->e);
  free(m->keys);
  free(m->ku);
  memset(m, 0, sizeof *m);
}

size_t aev__pmap_memory(const pmap *m) {
  return m->cap * sizeof(pmap_entry) + m->kcap + m->kucap * sizeof(pmap_key);
}

static int imap_grow(pm_imap *m) {
  size_t cap = m->cap ? m->cap * 2 : 16;
  pm_imap_entry *e = aev__pm_zalloc(cap * sizeof *e);
  if (!e) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->e[i].v[0]) continue;
    size_t j = aev__pm_imap_hash(m->e[i].key) & (cap - 1);
    while (e[j].v[0]) j = (j + 1) & (cap - 1);
    e[j] = m->e[i];
  }
  free(m->e);
  m->e = e;
  m->cap = cap;
  return AEV_OK;
}

int aev__pm_imap_put(pm_imap *m, uint64_t key, uint32_t v0, uint32_t **slot, int *added) {
  uint32_t *found = aev__pm_imap_get(m, key);
  if (found) {
    *slot = found;
    *added = 0;
    return AEV_OK;
  }
  if ((m->n + 1) * 4 > m->cap * 3 && imap_grow(m)) return AEV_ERR_NOMEM;
  size_t mask = m->cap - 1, i = aev__pm_imap_hash(key) & mask;
  while (m->e[i].v[0]) i = (i + 1) & mask;
  m->e[i] = (pm_imap_entry){key, {v0, 0}};
  m->n++;
  *slot = m->e[i].v;
  *added = 1;
  return AEV_OK;
}

void aev__pm_imap_free(pm_imap *m) {
  free(m->e);
  memset(m, 0, sizeof *m);
}

size_t aev__pm_imap_memory(const pm_imap *m) { return m->cap * sizeof(pm_imap_entry); }
