/* Internal: the memory a receive makes before taking the queue's lock for
 * the messages it may return (see recv_block.c). */
#ifndef AEV_QUEUE_RECV_BLOCK_H
#define AEV_QUEUE_RECV_BLOCK_H

#include <stddef.h>

#include "queue/message.h"

typedef struct aev__recv_mem {
  int carve;               /* copies come from the queue's receive block */
  aev__msg_block *fresh;   /* a block to replace the queue's, or NULL */
  aev__msg_block *retired; /* the queue's block it replaced, or NULL */
  size_t retired_refs;     /* the references the queue held on it */
  size_t guess;   /* the size each copy was expected to take */
  size_t largest; /* the largest copy taken */
} aev__recv_mem;

/* Prepares memory for up to max messages, sized from the queue's previous
 * receive (no lock needed): a fresh block when the queue's may lack room;
 * nothing when the copies would be large, as a malloc each costs little
 * next to copying big bodies. */
void aev__recv_mem_init(aev__recv_mem *mem, aev_queue *q, int max);

/* size bytes for one message (q's mu held): from the queue's receive block
 * (or the fresh one init made) when it fits, else a block of its own; NULL
 * when memory is short. *block is the block the message is part of (it
 * holds a reference). */
aev_message *aev__recv_mem_take(aev__recv_mem *mem, aev_queue *q, size_t size,
                                aev__msg_block **block);

/* Releases what was not taken and remembers the size for the next receive
 * (no lock needed). */
void aev__recv_mem_done(aev__recv_mem *mem, aev_queue *q);

#endif
