/* Received messages' memory: blocks, each holding one or more copies and,
 * once for all of them, the sender id they report (an account id).
 * Receives carve their copies, under the lock, from the queue's receive
 * block of up to SLAB bytes: one malloc per block of copies rather than one
 * per receive or message, and none under the lock. That matters most to a
 * consumer thread: the copies it keeps are fresh memory, and glibc grows a
 * thread's arena with one mprotect() per allocation that outruns it. A
 * receive that may not find room in the queue's block brings a fresh one,
 * made before the lock, which replaces the queue's when that is full.
 * Each message in a block holds a reference, and so does the queue for its
 * current block; the last one frees it, from any thread. The queue starts
 * a block with a reference for every copy it could ever hold and gives back
 * the ones it did not hand out when it lets the block go, so carving a copy
 * needs no atomic operation.
 * Bound: a kept message pins at most one block (SLAB bytes, or its own
 * when large), and a queue keeps at most one block between receives. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "queue/recv_block.h"

/* Large enough to make arena growth rare, small enough to stay below
 * glibc's mmap threshold (128 KiB). A queue's first block is SLAB_FIRST
 * bytes and each next one twice its predecessor up to SLAB, so a queue
 * that receives now and then keeps (and pre-faults) a few KiB, not 64. */
#define SLAB (64 * 1024)
#define SLAB_FIRST (4 * 1024)

struct aev__msg_block {
  atomic_size_t refs;
  size_t used, cap;
  size_t carved; /* copies handed out (mu of the queue that carves) */
  char sender[13]; /* the account id: 12 digits */
  max_align_t data[];
};

/* References a block starts with: the queue's, and one for each copy it
 * could hold (a copy takes at least a byte). */
#define START_REFS (SLAB + 1)

/* Keeps the next message aligned. */
static size_t round_up(size_t size) {
  size_t a = _Alignof(aev_message);
  return (size + a - 1) & ~(a - 1);
}

/* A block for cap bytes of copies starting with refs references. */
static aev__msg_block *block_new(const aev_queue *q, size_t cap, size_t refs) {
  cap = round_up(cap);
  aev__msg_block *b = malloc(sizeof *b + cap);
  if (!b) return NULL;
  atomic_init(&b->refs, refs);
  b->used = b->carved = 0;
  b->cap = cap;
  memcpy(b->sender, aev_broker_account(q->res.broker), sizeof b->sender);
  return b;
}

static aev_message *block_take(aev__msg_block *b, size_t size) {
  size = round_up(size);
  if (size > b->cap - b->used) return NULL;
  aev_message *m = (aev_message *)(void *)((unsigned char *)b->data + b->used);
  b->used += size;
  b->carved++;
  return m;
}

static void drop(aev__msg_block *b, size_t refs) {
  if (b && atomic_fetch_sub_explicit(&b->refs, refs, memory_order_acq_rel) == refs)
    free(b);
}

void aev__msg_block_unref(aev__msg_block *b) { drop(b, 1); }

const char *aev__msg_block_sender(const aev__msg_block *b) { return b->sender; }

/* The queue lets b go: its reference and the copies' it did not hand out
 * (b's queue's mu held, or the queue gone). */
static size_t unused_refs(const aev__msg_block *b) {
  return b ? START_REFS - b->carved : 0;
}

void aev__recv_slab_free(aev_queue *q) {
  drop(q->recv_slab, unused_refs(q->recv_slab));
}

/* Writes a byte in each page of b's copies so they are resident before
 * the lock is taken: a receive that faulted fresh pages in while carving
 * copies from b held the queue's lock through each fault, and a producer
 * blocked on it fell asleep in the kernel, paying a futex round trip per
 * batch (malloc hands back pages the kernel took when the arena shrank). */
static void touch_pages(aev__msg_block *b) {
  volatile unsigned char *p = (unsigned char *)b->data;
  for (size_t at = 0; at < b->cap; at += 4096) p[at] = 0;
}

void aev__recv_mem_init(aev__recv_mem *mem, aev_queue *q, int max) {
  size_t guess = atomic_load_explicit(&q->recv_size, memory_order_relaxed);
  *mem = (aev__recv_mem){.guess = guess};
  if (!guess) guess = sizeof(aev_message) + 256;
  /* Sized from the queue's previous receive: copies larger than expected
   * get a block of their own. */
  size_t need = (size_t)max * round_up(guess);
  if (need > SLAB) return;
  mem->carve = 1;
  if (atomic_load_explicit(&q->recv_room, memory_order_relaxed) >= need)
    return;
  size_t cap = atomic_load_explicit(&q->recv_cap, memory_order_relaxed);
  if (cap < SLAB_FIRST) cap = SLAB_FIRST;
  if ((mem->fresh = block_new(q, cap < need ? need : cap, START_REFS)))
    touch_pages(mem->fresh);
}

/* A copy of size bytes from the queue's block, replaced by the fresh one
 * when full (mu held); NULL when neither has room. */
static aev_message *slab_take(aev__recv_mem *mem, aev_queue *q, size_t size) {
  aev__msg_block *b = q->recv_slab;
  aev_message *m = b ? block_take(b, size) : NULL;
  if (!m && mem->fresh && round_up(size) <= mem->fresh->cap) {
    mem->retired = b; /* let go after the lock */
    mem->retired_refs = unused_refs(b);
    q->recv_slab = b = mem->fresh;
    mem->fresh = NULL;
    size_t grown = 2 * b->cap;
    atomic_store_explicit(&q->recv_cap, grown < SLAB ? grown : SLAB,
                          memory_order_relaxed);
    m = block_take(b, size);
  }
  if (m)
    atomic_store_explicit(&q->recv_room, b->cap - b->used, memory_order_relaxed);
  return m;
}

aev_message *aev__recv_mem_take(aev__recv_mem *mem, aev_queue *q, size_t size,
                                aev__msg_block **block) {
  if (size > mem->largest) mem->largest = size;
  aev_message *m = mem->carve ? slab_take(mem, q, size) : NULL;
  if (m) {
    *block = q->recv_slab;
    return m;
  }
  /* Large: a block of its own, which a malloc per message costs little
   * next to the copy. */
  aev__msg_block *b = block_new(q, size, 1);
  *block = b;
  return b ? block_take(b, size) : NULL;
}

void aev__recv_mem_done(aev__recv_mem *mem, aev_queue *q) {
  free(mem->fresh);
  drop(mem->retired, mem->retired_refs);
  if (mem->largest && mem->largest != mem->guess)
    atomic_store_explicit(&q->recv_size, mem->largest, memory_order_relaxed);
}
