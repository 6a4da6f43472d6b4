/* Internal: the table of field paths a pattern set names, which the
 * flattener consults for every key of every event. */
#ifndef AEV_PATTERN_PATHS_H
#define AEV_PATTERN_PATHS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Paths of up to 16 bytes (nearly all) are told apart by their first and
 * last 8 bytes and their length, all kept in the entry: a lookup compares
 * two words instead of calling memcmp, and hashes them with one multiply. */
typedef struct pm_path_entry {
  uint64_t head, tail;
  uint32_t len; /* UINT32_MAX = empty */
  uint32_t val;
  uint32_t off; /* the whole key in keys[], read only beyond 16 bytes */
  uint32_t pad;
} pm_path_entry;

typedef struct pm_paths {
  pm_path_entry *e;
  size_t cap, n; /* cap is a power of two */
  char *keys;
  size_t klen, kcap;
  /* One bit per hash of (length, last two bytes) of the paths held, so
   * most keys no pattern names are turned away before a lookup (keys
   * often differ only in their last digits). */
  uint64_t bits[64];
} pm_paths;

static inline unsigned aev__pm_path_bit(const char *p, size_t n) {
  uint32_t last = n ? (unsigned char)p[n - 1] : 0, prev = n > 1 ? (unsigned char)p[n - 2] : 0;
  return ((uint32_t)n << 16 | prev << 8 | last) * 0x9e3779b1u >> 20;
}

/* The first and last 8 bytes (a key under 8 bytes in head alone, as
 * aev__pmap_word() packs it, and tail 0). */
static inline void aev__pm_path_words(const char *p, size_t n, uint64_t *head,
                                      uint64_t *tail) {
  if (n >= 8) {
    memcpy(head, p, 8);
    memcpy(tail, p + n - 8, 8);
    return;
  }
  uint64_t w = 0;
  uint32_t x, y;
  if (n >= 4) {
    memcpy(&x, p, 4);
    memcpy(&y, p + n - 4, 4);
    w = x | (uint64_t)y << 32;
  } else if (n) {
    const unsigned char *s = (const unsigned char *)p;
    w = (uint64_t)s[0] | (uint64_t)s[n >> 1] << 8 | (uint64_t)s[n - 1] << 16;
  }
  *head = w;
  *tail = 0;
}

/* Two multiplies, each followed by a fold of the high half onto the low
 * one, so the bytes that differ between paths (often the last ones, the
 * high bits of tail) reach the low bits that pick the slot. */
static inline size_t aev__pm_path_slot(uint64_t head, uint64_t tail, size_t n) {
  uint64_t x = (head ^ n) * 0x9e3779b97f4a7c15ULL ^ tail;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  return (size_t)(x ^ x >> 29);
}

/* The lookup behind the filter, kept out of line so that the filter's
 * rejection, the common case, is a leaf that saves no registers. */
uint32_t aev__pm_paths_find(const pm_paths *t, const char *p, size_t n);

/* The value stored for a path, or 0 when it is absent. */
static inline uint32_t aev__pm_paths_get(const pm_paths *t, const char *p, size_t n) {
  unsigned bit = aev__pm_path_bit(p, n);
  if (!(t->bits[bit >> 6] >> (bit & 63) & 1)) return 0;
  return aev__pm_paths_find(t, p, n);
}

/* The stored value of a path (0 when just added), or NULL on NOMEM. */
uint32_t *aev__pm_paths_put(pm_paths *t, const char *p, size_t n);
void aev__pm_paths_free(pm_paths *t);
size_t aev__pm_paths_memory(const pm_paths *t);

#endif
