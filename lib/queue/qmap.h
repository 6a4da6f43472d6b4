/* Internal: an intrusive string-keyed hash map for a queue's FIFO groups and
 * deduplication ids. Not locked: the owning queue's mutex guards it. */
#ifndef AEV_QUEUE_QMAP_H
#define AEV_QUEUE_QMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct aev__qnode {
  struct aev__qnode *next;
  uint64_t hash;
  const char *key; /* owned by the entry that embeds the node */
} aev__qnode;

typedef struct aev__qmap {
  aev__qnode **buckets;
  size_t nbuckets; /* a power of two, or 0 before the first insert */
  size_t count;
} aev__qmap;

uint64_t aev__qmap_hash(const char *key);

/* The node with key, or NULL. */
aev__qnode *aev__qmap_get(const aev__qmap *m, const char *key, uint64_t hash);

/* Links n (key and hash already set). AEV_ERR_NOMEM if growing failed. */
int aev__qmap_put(aev__qmap *m, aev__qnode *n);

void aev__qmap_remove(aev__qmap *m, aev__qnode *n);

/* Frees the bucket array (not the entries). */
void aev__qmap_free(aev__qmap *m);

#endif
