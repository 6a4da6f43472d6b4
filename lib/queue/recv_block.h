/* Internal: the one allocation a receive makes for all the messages it may
 * return (see recv_block.c). */
#ifndef AEV_QUEUE_RECV_BLOCK_H
#define AEV_QUEUE_RECV_BLOCK_H

#include <stddef.h>

#include "queue/message.h"

/* A block for n messages of up to size bytes each, holding the receive's
 * own reference. NULL when that would be large (a receive then allocates
 * its messages one by one, as big bodies make one malloc each cheap) or
 * memory is short. */
aev__msg_block *aev__msg_block_new(size_t n, size_t size);

/* size bytes of b for one message, with a reference for it; NULL when b
 * has no room left. Only the receive that made b calls this, before it
 * hands any message out. */
aev_message *aev__msg_block_take(aev__msg_block *b, size_t size);

#endif
