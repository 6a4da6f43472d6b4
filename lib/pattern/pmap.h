/* Internal: an open-addressing hash map from (a, b, bytes) to a uint32_t, the
 * one table shape the pattern automaton needs (paths, transitions, values). */
#ifndef AEV_PATTERN_PMAP_H
#define AEV_PATTERN_PMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pmap_entry {
  uint32_t h; /* 0 = empty */
  uint32_t a, b, klen;
  uint32_t val[2]; /* the value, then a word its owner may keep beside it (0 at first) */
  uint64_t key;    /* keys of up to 8 bytes in place, else an arena offset */
} pmap_entry;

/* A distinct long key in the arena, for interning. */
typedef struct pmap_key {
  uint32_t h; /* 0 = empty */
  uint32_t off, len;
} pmap_key;

typedef struct pmap {
  pmap_entry *e;
  size_t cap, n; /* cap is a power of two */
  char *keys;
  size_t klen, kcap;
  pmap_key *ku; /* the arena's distinct keys, open addressing, cap a power of two */
  size_t kun, kucap;
  /* Set by an owner whose lookups mostly find their key, or are few: the
   * map may fill to three quarters (half its memory) instead of half
   * (shorter probes, above all for keys it does not hold). */
  int dense;
} pmap;

/* The last (or only) 8 bytes of a key, read whole (overlapping, or each
 * byte at a fixed place when it is shorter than 8), without a call to
 * memcpy of a variable length: together with the length it tells keys of
 * up to 8 bytes apart, so it is also how they are kept in an entry. */
static inline uint64_t aev__pmap_word(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t w = 0;
  uint32_t x, y;
  if (n >= 8) {
    memcpy(&w, s + n - 8, 8);
  } else if (n >= 4) {
    memcpy(&x, s, 4);
    memcpy(&y, s + n - 4, 4);
    w = x | (uint64_t)y << 32;
  } else if (n) {
    w = (uint64_t)s[0] | (uint64_t)s[n >> 1] << 8 | (uint64_t)s[n - 1] << 16;
  }
  return w;
}

/* A key's bytes and b hashed, before its a is added (aev__pmap_mix()): a
 * match looks up each field's value from several states, so it digests
 * the value once. Keys are mostly short (field paths, values), so the
 * last (or only) word (last, from aev__pmap_word()) is read whole,
 * overlapping the one before it, rather than byte by byte. */
static inline uint64_t aev__pmap_digest(uint32_t b, const void *p, size_t n, uint64_t last) {
  const unsigned char *s = p;
  const uint64_t k = 0x9e3779b97f4a7c15ULL;
  uint64_t h = (uint64_t)b * 0xd6e8feb86659fd93ULL ^ n;
  for (size_t i = 0; i + 8 < n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
  }
  h = (h ^ last) * k;
  h ^= h >> 32;
  return h;
}

/* The hash of (a, digest): the high half of one product, which every bit
 * of both reaches. Never 0. */
static inline uint32_t aev__pmap_mix(uint32_t a, uint64_t digest) {
  uint64_t x = (digest ^ (uint64_t)a * 0x9e3779b97f4a7c15ULL) * 0xd6e8feb86659fd93ULL;
  uint32_t h = (uint32_t)(x >> 32);
  return h ? h : 1;
}

static inline uint32_t aev__pmap_hash(uint32_t a, uint32_t b, const void *p, size_t n) {
  return aev__pmap_mix(a, aev__pmap_digest(b, p, n, aev__pmap_word(p, n)));
}

/* A key as a lookup compares it: its word when it is at most 8 bytes
 * long (see aev__pmap_word()), else its address. */
static inline uint64_t aev__pmap_key(const void *p, size_t n, uint64_t last) {
  return n <= 8 ? last : (uint64_t)(uintptr_t)p;
}

/* aev__pmap_get_k() in a map's table t (capacity mask + 1) and key arena,
 * which a walk keeps at hand. */
static inline uint32_t *aev__pmap_probe(pmap_entry *t, size_t mask, const char *keys,
                                        uint32_t h, uint32_t a, uint32_t b, uint64_t key,
                                        size_t n) {
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    pmap_entry *e = &t[i];
    if (!e->h) return NULL;
    if (e->h == h && e->a == a && e->b == b && e->klen == n &&
        (n <= 8 ? e->key == key : memcmp(keys + e->key, (const void *)(uintptr_t)key, n) == 0))
      return e->val;
  }
}

/* Returns a pointer to the value (the owner's word follows it), or NULL
 * when absent; key is aev__pmap_key()'s. Inline: matching calls it for
 * every field it looks up. */
static inline uint32_t *aev__pmap_get_k(const pmap *m, uint32_t h, uint32_t a, uint32_t b,
                                        uint64_t key, size_t n) {
  return m->cap ? aev__pmap_probe(m->e, m->cap - 1, m->keys, h, a, b, key, n) : NULL;
}

static inline uint32_t *aev__pmap_get_h(const pmap *m, uint32_t h, uint32_t a, uint32_t b,
                                        const void *p, size_t n) {
  return aev__pmap_get_k(m, h, a, b, aev__pmap_key(p, n, aev__pmap_word(p, n)), n);
}

/* For lookups done in batches, so their cache misses overlap: starts
 * loading the bucket of hash h. Long keys are interned, so the few distinct
 * ones stay cached and need no prefetch of their own. The lookup itself is
 * aev__pmap_get_h(). */
static inline void aev__pmap_prefetch(const pmap *m, uint32_t h) {
  if (m->cap) __builtin_prefetch(&m->e[h & (m->cap - 1)]);
}

/* Returns a pointer to the value (the owner's word follows it), or NULL
 * when absent. */
uint32_t *aev__pmap_get(const pmap *m, uint32_t a, uint32_t b, const void *p,
                        size_t n);

/* Inserts (a, b, bytes) with value val if absent; *slot points at the stored
 * value either way and *added says which. Returns AEV_OK or AEV_ERR_NOMEM. */
int aev__pmap_put(pmap *m, uint32_t a, uint32_t b, const void *p, size_t n,
                  uint32_t val, uint32_t **slot, int *added);

void aev__pmap_free(pmap *m);

/* A map from 64-bit keys to two words, for the tables that a match or an
 * add reaches at random and that need no key bytes: an entry is 16 bytes,
 * four to a cache line, and the table is at most three quarters full. An
 * entry whose first word is 0 is empty, so an owner never stores 0 there.
 * Entries are never deleted. */
typedef struct pm_imap_entry {
  uint64_t key;
  uint32_t v[2];
} pm_imap_entry;

typedef struct pm_imap {
  pm_imap_entry *e;
  size_t cap, n; /* cap is a power of two */
} pm_imap;

/* Keys are often two small numbers side by side: both reach the low bits. */
static inline uint32_t aev__pm_imap_hash(uint64_t key) {
  uint64_t x = key * 0x9e3779b97f4a7c15ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  return (uint32_t)(x >> 32);
}

/* The two words under key, or NULL when it is absent. */
static inline uint32_t *aev__pm_imap_get(const pm_imap *m, uint64_t key) {
  if (!m->cap) return NULL;
  uint32_t h = aev__pm_imap_hash(key);
  size_t mask = m->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    pm_imap_entry *e = &m->e[i];
    if (!e->v[0]) return NULL;
    if (e->key == key) return e->v;
  }
}

/* Inserts key with first word v0 (not 0) and second word 0 if absent;
 * *slot points at the stored words either way and *added says which.
 * Returns AEV_OK or AEV_ERR_NOMEM. */
int aev__pm_imap_put(pm_imap *m, uint64_t key, uint32_t v0, uint32_t **slot, int *added);
void aev__pm_imap_free(pm_imap *m);
size_t aev__pm_imap_memory(const pm_imap *m);

/* Zeroed memory for a table that lookups reach at random: aligned on
 * cache lines, and from 2 MiB on, aligned on and advised into transparent
 * huge pages. Freed with free(). */
void *aev__pm_zalloc(size_t bytes);
size_t aev__pmap_memory(const pmap *m);

#endif
