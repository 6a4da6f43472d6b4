/* DeleteMessage and ChangeMessageVisibility: receipt-handle validation and
 * SQS's outcomes for stale, expired and garbage handles. Handles are decoded
 * before the queue's lock is taken. */
#include <stdio.h>

#include "core/status.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

static int expired(const char *handle) {
  return aev__sqs_invalid_value("ReceiptHandle", handle,
                                "The receipt handle has expired.");
}

/* Finds the message a handle names (mu held), the nonce compared in the
 * bits of mask. NULL: deleted, or with the whole nonce, received again
 * since (the handle is stale). */
static aev__msg *lookup(aev_queue *q, uint32_t slot, uint64_t nonce, uint64_t mask) {
  if (slot >= q->nslots) return NULL;
  aev__msg *m = q->slots[slot];
  return m && m->nonce && (m->nonce & mask) == (nonce & mask) ? m : NULL;
}

/* A FIFO handle of the message last deleted from its slot (deleted), from
 * an earlier receive than the delete's: a nonce keeps the message's own
 * bits above its receive count (receive.c). */
static int stale_of_deleted(uint64_t deleted, uint64_t nonce) {
  return deleted >> AEV__NONCE_RX_BITS == nonce >> AEV__NONCE_RX_BITS && deleted != nonce;
}

int aev__queue_delete_locked(aev_queue *q, const aev__handle *h, int64_t now,
                             aev__msg **deleted) {
  if (!h->valid) return aev__sqs_bad_handle(h->text);
  aev__msg *m = lookup(q, h->slot, h->nonce, ~0ull);
  if (!m) {
    /* Standard: a stale or repeated delete succeeds. FIFO: a handle whose
     * message was received again has expired, also once the newer receive
     * deleted it; the newest handle deletes again without error. */
    if (q->conf.fifo && h->slot < q->nslots &&
        (q->slots[h->slot] || stale_of_deleted(q->deleted_nonce[h->slot], h->nonce)))
      return expired(h->text);
    return AEV_OK;
  }
  /* SQS: on a standard queue the newest handle deletes even after its
   * visibility timeout; on FIFO it has expired by then. */
  if (q->conf.fifo && m->visible_at <= now) return expired(h->text);
  if (q->conf.fifo) q->deleted_nonce[m->slot] = m->nonce;
  aev__store_unlink(q, m);
  m->next = *deleted;
  *deleted = m;
  if (q->conf.fifo) aev__queue_wake(q); /* its group may be unblocked */
  return AEV_OK;
}

int64_t aev__queue_delete_now(const aev_queue *q) {
  return q->conf.fifo ? aev__queue_now_mono(q) : 0;
}

void aev__queue_free_deleted(aev_queue *q, aev__msg *deleted) {
  while (deleted) {
    aev__msg *next = deleted->next;
    aev__msg_free_in(q, deleted);
    deleted = next;
  }
}

int aev__queue_change_visibility_locked(aev_queue *q, const aev__handle *h,
                                        int seconds, int64_t now) {
  if (seconds < 0 || seconds > AEV__VISIBILITY_MAX)
    return aev__sqs_invalid_int("VisibilityTimeout", seconds,
                                "Must be between 0 and 43200.");
  if (!h->valid) return aev__sqs_bad_handle(h->text);
  /* On a standard queue an earlier receive's handle of a message received
   * again since changes its visibility as the newest does (LocalStack's
   * test_terminate_visibility_timeout_after_receive, validated on AWS). */
  aev__msg *m = lookup(q, h->slot, h->nonce,
                       q->conf.fifo ? ~0ull : ~(uint64_t)AEV__NONCE_RX_MASK);
  if (!m)
    return aev__sqs_invalid_value("ReceiptHandle", h->text,
                                  "Message does not exist or is not "
                                  "available for visibility timeout change.");
  if (q->conf.fifo && m->visible_at <= now) return expired(h->text);
  m->visible_at = now + (int64_t)seconds * 1000;
  if (!q->conf.fifo) aev__store_reschedule(q, m, now);
  aev__queue_wake(q);
  return AEV_OK;
}

int aev_queue_delete_message(aev_queue *q, const char *receipt_handle) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  if (!receipt_handle || !*receipt_handle) return aev__sqs_missing("ReceiptHandle");
  aev__handle h;
  aev__handle_read(q, receipt_handle, &h);
  aev__msg *deleted = NULL;
  aev__queue_lock(q);
  rc = q->res.deleted ? aev__sqs_no_queue()
                      : aev__queue_delete_locked(q, &h, aev__queue_delete_now(q),
                                                 &deleted);
  pthread_mutex_unlock(&q->mu);
  aev__queue_free_deleted(q, deleted);
  return rc;
}

int aev_queue_change_visibility(aev_queue *q, const char *receipt_handle,
                                int seconds) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  if (!receipt_handle || !*receipt_handle) return aev__sqs_missing("ReceiptHandle");
  aev__handle h;
  aev__handle_read(q, receipt_handle, &h);
  aev__queue_lock(q);
  rc = q->res.deleted ? aev__sqs_no_queue()
                      : aev__queue_change_visibility_locked(
                            q, &h, seconds, aev__queue_now_mono(q));
  pthread_mutex_unlock(&q->mu);
  return rc;
}
