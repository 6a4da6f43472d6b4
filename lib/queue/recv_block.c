/* Received messages' shared memory: a receive sizes one block for every
 * message it may return (from the largest copy the queue's previous
 * receive made), allocates it before taking the queue's lock and carves its
 * messages out of it under the lock, so a batch of 10 costs one malloc and
 * the lock is not held across allocations. Each message holds a reference
 * and aev_message_free() drops it, from any thread; the receive drops its
 * own when done, which frees a block no message landed in. A message kept
 * long keeps its whole batch's block. */
#include <stdatomic.h>
#include <stdlib.h>

#include "queue/recv_block.h"

/* Past this a block saves nothing worth its unused tail. */
#define BLOCK_MAX (64 * 1024)

struct aev__msg_block {
  atomic_size_t refs;
  size_t used, cap;
  max_align_t data[];
};

/* Keeps the next message aligned. */
static size_t round_up(size_t size) {
  size_t a = _Alignof(aev_message);
  return (size + a - 1) & ~(a - 1);
}

aev__msg_block *aev__msg_block_new(size_t n, size_t size) {
  size_t cap = n * round_up(size);
  if (cap > BLOCK_MAX) return NULL;
  aev__msg_block *b = malloc(sizeof *b + cap);
  if (!b) return NULL;
  atomic_init(&b->refs, 1);
  b->used = 0;
  b->cap = cap;
  return b;
}

aev_message *aev__msg_block_take(aev__msg_block *b, size_t size) {
  size = round_up(size);
  if (size > b->cap - b->used) return NULL;
  aev_message *m = (aev_message *)(void *)((unsigned char *)b->data + b->used);
  b->used += size;
  atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
  return m;
}

void aev__msg_block_unref(aev__msg_block *b) {
  if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
    free(b);
}
