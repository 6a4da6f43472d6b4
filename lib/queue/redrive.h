/* Internal: moving messages between queues (dead-letter redrive and message
 * move tasks) without ever holding two queues' locks. */
#ifndef AEV_QUEUE_REDRIVE_H
#define AEV_QUEUE_REDRIVE_H

#include "queue/queue_impl.h"

/* Enqueues a chain of messages (linked through ->next, taken from their
 * source `from` with aev__store_take under its lock, which is no longer
 * held) into the queue dest_arn. source_arn, when not NULL, becomes
 * DeadLetterQueueSourceArn. keep_count: keep ApproximateReceiveCount (DLQ
 * moves) or reset it (move tasks). A message whose destination does not
 * exist, or had no memory for it, goes back to its place in `from`, as it
 * was, unless `from` was purged since it was taken (clears: from->clears
 * then); one the destination cannot keep (its retention there has ended, a
 * FIFO destination and no group) is dropped. *refused (may be NULL)
 * counts those memory refused. Returns how many arrived. */
size_t aev__redrive_enqueue(aev_broker *b, const char *dest_arn,
                            aev__msg *chain, const char *source_arn,
                            int keep_count, aev_queue *from, uint64_t clears,
                            size_t *refused);

#endif
