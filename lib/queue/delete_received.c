/* Deleting messages a consumer received itself (a Lambda event-source
 * mapping after its batch succeeded): one lock for any number of them,
 * with no batch entry ids to check and no per-entry results to build. A
 * handle gone stale meanwhile is skipped, as DeleteMessageBatch would
 * report it per entry. */
#include "queue/message.h"

void aev__queue_delete_received(aev_queue *q, aev_message *const *msgs,
                                size_t n) {
  aev__handle h[16];
  for (size_t i = 0; i < n; i += 16) {
    size_t k = n - i < 16 ? n - i : 16;
    for (size_t j = 0; j < k; j++)
      aev__handle_read(q, msgs[i + j]->handle, &h[j]);
    aev__msg *deleted = NULL;
    aev__queue_lock(q);
    int64_t now = aev__queue_delete_now(q);
    for (size_t j = 0; j < k && !q->res.deleted; j++)
      aev__queue_delete_locked(q, &h[j], now, &deleted);
    pthread_mutex_unlock(&q->mu);
    aev__queue_free_deleted(q, deleted);
  }
}
