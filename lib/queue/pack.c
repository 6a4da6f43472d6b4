/* A send batch's messages in one allocation. Made one by one, a batch's
 * messages cost ten mallocs on the producer's thread and ten frees on the
 * consumer's, all on the producer's malloc arena: with one producer and one
 * consumer thread its lock is contended on most of them, and the frees let
 * malloc hand the arena's top back to the kernel, which the producer's next
 * mallocs fault in again. Packed, a batch costs one malloc, or none: the
 * queue keeps a few emptied blocks for its next batches. Each message is
 * preceded by a pointer to its pack, whose count of live messages ends it
 * with the last; a message kept long keeps its batch's memory, which is why
 * large bodies are not packed. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue_impl.h"

/* Past this, one malloc per body is cheap next to copying it. */
#define PACK_MAX (16 * 1024)
/* Blocks up to this size are kept: AEV__SPARE_PACKS of them per queue at
 * most (ten 100-B messages take about 2.7 KiB). */
#define SPARE_MAX 4096

typedef struct pack {
  atomic_uint live;
  uint32_t cap;          /* bytes */
  const aev_queue *home; /* the queue whose batch made it */
} pack;

static size_t align_msg(size_t n) {
  size_t a = _Alignof(aev__msg);
  return (n + a - 1) / a * a;
}

#define HEAD align_msg(sizeof(pack))
#define BACK align_msg(sizeof(pack *))

static size_t entry_size(size_t len) {
  return BACK + align_msg(aev__msg_inline_size(len));
}

/* A kept block of at least size bytes, or a new one. A kept block too small
 * is freed: the batches' sizes have changed. */
static pack *pack_get(aev_queue *q, size_t size) {
  for (int i = 0; size <= SPARE_MAX && i < AEV__SPARE_PACKS; i++) {
    if (!atomic_load_explicit(&q->spare_packs[i], memory_order_relaxed))
      continue;
    pack *p = atomic_exchange_explicit(&q->spare_packs[i], NULL,
                                       memory_order_acquire);
    if (p && p->cap >= size) return p;
    free(p);
  }
  pack *p = malloc(size);
  if (p) p->cap = (uint32_t)size;
  return p;
}

int aev__msg_pack(aev_queue *q, size_t n, const void *const *bodies,
                  const size_t *lens, aev__msg **out) {
  if (n < 2) return 0;
  size_t total = HEAD;
  for (size_t i = 0; i < n && total <= PACK_MAX; i++)
    total += entry_size(lens[i]);
  pack *p = total <= PACK_MAX ? pack_get(q, total) : NULL;
  if (!p) return 0;
  atomic_init(&p->live, (unsigned)n);
  p->home = q;
  unsigned char *w = (unsigned char *)p + HEAD;
  for (size_t i = 0; i < n; i++) {
    memcpy(w + BACK - sizeof p, &p, sizeof p);
    out[i] = aev__msg_init_inline(w + BACK, bodies[i], lens[i]);
    out[i]->packed = 1;
    w += entry_size(lens[i]);
  }
  return 1;
}

void aev__msg_pack_drop(aev__msg *m, aev_queue *q) {
  pack *p;
  memcpy(&p, (unsigned char *)m - sizeof p, sizeof p);
  if (atomic_fetch_sub_explicit(&p->live, 1, memory_order_acq_rel) != 1)
    return;
  /* Only by its own queue (alive: the caller holds it); a block whose
   * messages went elsewhere (a dead-letter queue) is freed. */
  for (int i = 0; q == p->home && p->cap <= SPARE_MAX && i < AEV__SPARE_PACKS;
       i++) {
    void *empty = NULL;
    if (!atomic_load_explicit(&q->spare_packs[i], memory_order_relaxed) &&
        atomic_compare_exchange_strong_explicit(&q->spare_packs[i], &empty, p,
                                                memory_order_release,
                                                memory_order_relaxed))
      return;
  }
  free(p);
}

void aev__msg_packs_free(aev_queue *q) {
  for (int i = 0; i < AEV__SPARE_PACKS; i++)
    free(atomic_exchange_explicit(&q->spare_packs[i], NULL,
                                  memory_order_relaxed));
}
