/* Received messages' memory, made before the queue's lock is taken and
 * sized from the largest copy the queue's previous receive made, so that
 * the lock is not held across allocations: a receive of one message
 * allocates that message; a receive of several allocates one block and
 * carves its messages out of it under the lock (a batch of 10 costs one
 * malloc). Each message in a block holds a reference and aev_message_free()
 * drops it, from any thread; the receive drops its own when done, which
 * frees a block no message landed in. A message kept long keeps its whole
 * batch's block. */
#include <stdatomic.h>
#include <stdlib.h>

#include "queue/recv_block.h"

/* Past this, memory made ahead saves nothing worth its unused tail. */
#define AHEAD_MAX (64 * 1024)

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

static aev__msg_block *block_new(size_t n, size_t size) {
  size_t cap = n * round_up(size);
  if (cap > AHEAD_MAX) return NULL;
  aev__msg_block *b = malloc(sizeof *b + cap);
  if (!b) return NULL;
  atomic_init(&b->refs, 1);
  b->used = 0;
  b->cap = cap;
  return b;
}

static aev_message *block_take(aev__msg_block *b, size_t size) {
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

void aev__recv_mem_init(aev__recv_mem *mem, aev_queue *q, int max) {
  size_t guess = atomic_load_explicit(&q->recv_size, memory_order_relaxed);
  *mem = (aev__recv_mem){.guess = guess};
  if (!guess) guess = sizeof(aev_message) + 256;
  if (max > 1) mem->block = block_new((size_t)max, guess);
  else if (guess <= AHEAD_MAX && (mem->lone = malloc(guess)))
    mem->lone_size = guess;
}

aev_message *aev__recv_mem_take(aev__recv_mem *mem, size_t size,
                                aev__msg_block **block) {
  if (size > mem->largest) mem->largest = size;
  *block = NULL;
  /* At most half of a lone message's memory may go unused: it lives as
   * long as the caller keeps the message. */
  if (mem->lone && size <= mem->lone_size && mem->lone_size - size <= size) {
    aev_message *m = mem->lone;
    mem->lone = NULL;
    return m;
  }
  aev_message *m = mem->block ? block_take(mem->block, size) : NULL;
  if (m) *block = mem->block;
  else m = malloc(size);
  return m;
}

void aev__recv_mem_done(aev__recv_mem *mem, aev_queue *q) {
  free(mem->lone);
  aev__msg_block_unref(mem->block);
  if (mem->largest && mem->largest != mem->guess)
    atomic_store_explicit(&q->recv_size, mem->largest, memory_order_relaxed);
}
