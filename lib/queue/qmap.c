/* The intrusive string hash map behind FIFO groups and deduplication ids:
 * chained buckets, FNV-1a hashes, doubling when the load passes 1. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/common.h"
#include "queue/qmap.h"

uint64_t aev__qmap_hash(const char *key) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    h ^= *p;
    h *= 1099511628211ULL;
  }
  return h;
}

aev__qnode *aev__qmap_get(const aev__qmap *m, const char *key, uint64_t hash) {
  if (!m->nbuckets) return NULL;
  for (aev__qnode *n = m->buckets[hash & (m->nbuckets - 1)]; n; n = n->next)
    if (n->hash == hash && strcmp(n->key, key) == 0) return n;
  return NULL;
}

static int grow(aev__qmap *m) {
  size_t nb = m->nbuckets ? m->nbuckets * 2 : 16;
  aev__qnode **b = calloc(nb, sizeof *b);
  if (!b) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < m->nbuckets; i++) {
    aev__qnode *n = m->buckets[i];
    while (n) {
      aev__qnode *next = n->next;
      n->next = b[n->hash & (nb - 1)];
      b[n->hash & (nb - 1)] = n;
      n = next;
    }
  }
  free(m->buckets);
  m->buckets = b;
  m->nbuckets = nb;
  return AEV_OK;
}

int aev__qmap_put(aev__qmap *m, aev__qnode *n) {
  if (m->count >= m->nbuckets && grow(m) != AEV_OK) return AEV_ERR_NOMEM;
  aev__qnode **b = &m->buckets[n->hash & (m->nbuckets - 1)];
  n->next = *b;
  *b = n;
  m->count++;
  return AEV_OK;
}

void aev__qmap_remove(aev__qmap *m, aev__qnode *n) {
  aev__qnode **p = &m->buckets[n->hash & (m->nbuckets - 1)];
  while (*p && *p != n) p = &(*p)->next;
  if (*p) {
    *p = n->next;
    m->count--;
  }
}

void aev__qmap_free(aev__qmap *m) {
  free(m->buckets);
  m->buckets = NULL;
  m->nbuckets = m->count = 0;
}
