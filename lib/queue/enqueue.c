/* The enqueue side every send ends in: stamping a message (id, sequence,
 * times) and storing it, and the fan-out fast path (SNS to SQS) that puts a
 * shared body, checked and hashed once by its publisher, into a standard
 * queue with only the per-message work SQS semantics need: a fresh entry
 * the body carries (aev__fresh; else one allocation), 16 random id bytes
 * (formatted when a receive returns them), one short lock hold. */
#include <stdatomic.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

void aev__qtime_now(aev_broker *b, aev__qtime *out) {
  aev__clock *c = aev__broker_clock(b);
  out->mono = aev__clock_mono_ms(c);
  out->epoch = aev__clock_now_ms(c);
}

int aev__sqs_too_long(int max_size) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "One or more parameters are invalid. Reason: Message "
                   "must be shorter than %d bytes.",
                   max_size);
}

static void new_id(aev_queue *q, uint8_t id[16]) {
  uint64_t a = aev__rng_next(&q->rng), b = aev__rng_next(&q->rng);
  memcpy(id, &a, 8);
  memcpy(id + 8, &b, 8);
  id[6] = (uint8_t)((id[6] & 0x0F) | 0x40); /* UUID version 4 */
  id[8] = (uint8_t)((id[8] & 0x3F) | 0x80); /* RFC 4122 variant */
}

static void stamp(aev_queue *q, aev__msg *m, int delay, int64_t now, int64_t now_ms) {
  new_id(q, m->id);
  m->seq = q->next_seq++;
  m->sent_ms = now_ms;
  m->visible_at = now + (int64_t)delay * 1000;
  m->expire_at = now + (int64_t)q->conf.retention * 1000;
}

int aev__queue_stamp(aev_queue *q, aev__msg *m, int delay, int64_t now,
                     int64_t now_ms) {
  stamp(q, m, delay, now, now_ms);
  return aev__store_add(q, m);
}

/* What the fast path stores: no attributes, FIFO ids, trace, chain or
 * delay of its own. */
static int plain(const aev_queue *q, const aev__send_req *r) {
  return r->shared && !q->conf.fifo && !(r->attrs && r->attrs->count) &&
         !r->group && !r->dedup && !r->trace && !r->lineage && r->delay == -1;
}

/* The message as the fresh entry f (mu held); 0 when it must be a record:
 * the queue delays messages, or f cannot join the fresh list. */
static inline __attribute__((always_inline)) int put_fresh(aev_queue *q, aev__fresh *f,
                                                            aev__qbody *body,
                                                            const aev__qtime *now) {
  if (q->conf.delay) return 0;
  f->body = body;
  f->expire_at = now->mono + (int64_t)q->conf.retention * 1000;
  if (!aev__store_put_fresh(q, f)) return 0;
  new_id(q, f->id);
  f->seq = q->next_seq++;
  f->sent_ms = now->epoch;
  return 1;
}

/* Stores a message of body, whose reference it takes over, in the
 * standard queue q under one short lock hold (inline in its callers, as a
 * fan-out makes one per queue): as the fresh entry f, or as
 * a record when there is none (made before the lock) or f cannot be used.
 * On failure the status carries no error text (*max: the queue's
 * MaximumMessageSize as the check saw it). */
static inline __attribute__((always_inline)) int put(aev_queue *q, aev__qbody *body,
                                                      aev__fresh *f, const aev__qtime *now,
                                                      int *max) {
  aev__msg *m = NULL;
  if (!f && !(m = aev__msg_new_shared(body))) return AEV_ERR_NOMEM;
  aev__queue_lock(q);
  int rc = AEV_OK, signal = 0;
  if (q->res.deleted) rc = AEV_ERR_NOT_FOUND;
  else if (body->len > (uint32_t)q->conf.max_size) rc = AEV_ERR_INVALID;
  else if (aev__store_expiring(q, now->mono)) aev__store_prune(q, now->mono);
  if (rc == AEV_OK && f && !put_fresh(q, f, body, now) && !(m = aev__msg_new_shared(body))) {
    body = NULL; /* dropped by the failed record */
    rc = AEV_ERR_NOMEM;
  }
  if (rc == AEV_OK && m) {
    stamp(q, m, q->conf.delay, now->mono, now->epoch);
    rc = aev__store_put(q, m, now->mono);
  }
  if (rc == AEV_OK) signal = aev__queue_wake_send(q);
  *max = q->conf.max_size;
  pthread_mutex_unlock(&q->mu);
  if (signal) aev__queue_signal(q);
  if (rc != AEV_OK) {
    if (m) aev__msg_free(m);
    else aev__qbody_unref(body);
  }
  return rc;
}

int aev__queue_send_shared(aev_queue *q, const aev__send_req *r,
                           const aev__qtime *now) {
  /* conf.fifo never changes after CreateQueue. */
  if (!plain(q, r)) return aev__queue_send(q, r, NULL);
  uint32_t got, i = aev__qbody_take(r->shared, 1, &got);
  int max, rc = put(q, r->shared, got ? aev__qbody_rec(r->shared, i) : NULL, now, &max);
  /* Errors are worded outside the lock. */
  if (rc == AEV_ERR_NOT_FOUND) return aev__queue_check(q);
  if (rc == AEV_ERR_INVALID) return aev__sqs_too_long(max);
  return rc == AEV_OK ? AEV_OK : aev__nomem();
}

/* One send of the batch into q (NULL: no queue). */
static inline int qput_one(aev__qput *p, aev_queue *q) {
  if (!q || q->conf.fifo) {
    aev__qbody_unref(p->body);
    return q ? AEV_ERR_UNSUPPORTED : AEV_ERR_NOT_FOUND;
  }
  /* put inlines into both calls, each for what it is given: a fan-out's
   * sends nearly all use a carried record. */
  int max;
  if (p->rec < p->end) return put(q, p->body, p->rec++, &p->now, &max);
  return put(q, p->body, NULL, &p->now, &max);
}

size_t aev__qput_run(aev__qput *p, aev_queue *const *qs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (qput_one(p, qs[i]) != AEV_OK) return i;
  return n;
}
