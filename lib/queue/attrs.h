/* Internal: SQS queue attributes: validation of CreateQueue /
 * SetQueueAttributes maps, their effect on a queue's configuration, and the
 * values GetQueueAttributes reports. */
#ifndef AEV_QUEUE_ATTRS_H
#define AEV_QUEUE_ATTRS_H

#include <jansson.h>

#include "queue/queue_impl.h"

void aev__qconf_defaults(aev__qconf *c, int fifo);
int aev__qconf_copy(aev__qconf *dst, const aev__qconf *src);
void aev__qconf_free(aev__qconf *c);

/* Applies an Attributes map onto c, validating each member as SQS does.
 * creating: CreateQueue (FifoQueue may be given); self_arn: the queue's own
 * ARN (a queue may be its own DLQ). On failure c may be partly changed: work
 * on a copy. */
int aev__qconf_apply(aev_broker *b, aev__qconf *c, json_t *attrs, int creating,
                     const char *self_arn);

/* An attribute's value as GetQueueAttributes reports it, or NULL when the
 * queue has no such attribute. Allocates nothing, so that "none" and "out
 * of memory" cannot be confused: numbers are written into buf, the rest
 * points into q or c (valid while the caller holds q's lock, which counts
 * and timestamps need too). */
#define AEV__QATTR_NUM 24
const char *aev__qattr_text(aev_queue *q, const aev__qconf *c, const char *name,
                            char buf[AEV__QATTR_NUM]);

/* Every attribute name GetQueueAttributes knows, NULL-terminated. */
extern const char *const aev__qattr_names[];

#endif
