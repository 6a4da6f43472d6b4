/* Internal: moving messages between queues (dead-letter redrive and message
 * move tasks) without ever holding two queues' locks. */
#ifndef AEV_QUEUE_REDRIVE_H
#define AEV_QUEUE_REDRIVE_H

#include "queue/queue_impl.h"

/* Enqueues a chain of messages (linked through ->next, already unlinked from
 * their source under its lock, which is no longer held) into the queue
 * dest_arn. source_arn, when not NULL, becomes DeadLetterQueueSourceArn.
 * keep_count: keep ApproximateReceiveCount (DLQ moves) or reset it (move
 * tasks). Messages whose destination vanished go back to back_to (if not
 * NULL) or are dropped. Messages the destination could not take for want
 * of memory go back to back_to as they were (or are dropped); *refused
 * (may be NULL) counts them. Returns how many arrived. */
size_t aev__redrive_enqueue(aev_broker *b, const char *dest_arn,
                            aev__msg *chain, const char *source_arn,
                            int keep_count, aev_queue *back_to,
                            size_t *refused);

#endif
