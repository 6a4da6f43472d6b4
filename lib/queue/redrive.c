/* Moves messages into another queue: dead-letter redrive (keeps the id,
 * receive count and, on standard queues, the original enqueue time for
 * retention) and move tasks. Source and destination locks are never held
 * together (DESIGN §3), so a queue may be its own DLQ's DLQ. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue.h"
#include "queue/redrive.h"

/* An arriving message's DeadLetterQueueSourceArn (NULL: none), made before
 * it arrives so that nothing can fail once it has. */
typedef struct source {
  char *arn;
  aev__msg_ext *ext; /* for a message that has none */
} source;

static int source_new(const aev__msg *m, const char *arn, source *s) {
  *s = (source){0};
  if (!arn) return 0;
  s->arn = strdup(arn);
  if (!m->ext) s->ext = calloc(1, sizeof *s->ext);
  if (s->arn && (m->ext || s->ext)) return 0;
  free(s->arn);
  free(s->ext);
  *s = (source){0};
  return -1;
}

static void source_set(aev__msg *m, source *s) {
  if (s->ext) m->ext = s->ext;
  if (!m->ext) return;
  free(m->ext->dlq_source);
  m->ext->dlq_source = s->arn;
}

static void source_free(source *s) {
  free(s->arn);
  free(s->ext);
}

/* Places one arriving message (dest->mu held): 1 when it arrived; 0 when
 * it cannot live in dest (its retention there has ended, or dest is FIFO
 * and it has no group), to be dropped; -1 when memory ran out, m as it
 * was. */
static int arrive(aev_queue *dest, aev__msg *m, int keep_count, int64_t now,
                  int64_t now_ms) {
  uint64_t nonce = m->nonce, seq = m->seq;
  int64_t visible_at = m->visible_at, expire_at = m->expire_at;
  m->nonce = 0;
  m->visible_at = now;
  m->seq = dest->next_seq++;
  /* SQS: a standard DLQ counts retention from the original enqueue time; a
   * FIFO DLQ restarts it. */
  int64_t base = dest->conf.fifo ? now : now - (now_ms - m->sent_ms);
  m->expire_at = base + (int64_t)dest->conf.retention * 1000;
  if (m->expire_at <= now || (dest->conf.fifo && (!m->ext || !m->ext->group))) return 0;
  int placed = aev__store_add(dest, m) == AEV_OK;
  if (placed && dest->conf.fifo && aev__fifo_link(dest, m) != AEV_OK) {
    aev__store_unlink(dest, m);
    placed = 0;
  }
  if (!placed) {
    m->nonce = nonce;
    m->seq = seq;
    m->visible_at = visible_at;
    m->expire_at = expire_at;
    return -1;
  }
  if (!dest->conf.fifo) aev__store_place(dest, m, now);
  if (!keep_count) {
    m->rx_count = 0;
    m->first_rx_ms = 0;
  }
  return 1;
}

/* Where one message of a move ended up. */
typedef enum outcome {
  ARRIVED, /* in dest */
  DROPPED, /* dest cannot keep it (retention ended there, or no group) */
  REFUSED, /* dest had no memory for it */
  NO_DEST  /* dest does not exist (any more) */
} outcome;

static outcome enqueue_one(aev_queue *dest, aev__msg *m, const char *source_arn,
                           int keep_count) {
  aev__queue_lock(dest);
  source s = {0};
  outcome o;
  if (dest->res.deleted) {
    o = NO_DEST;
  } else if (source_new(m, source_arn, &s) < 0) {
    o = REFUSED;
  } else {
    int r = arrive(dest, m, keep_count, aev__queue_now_mono(dest), aev__queue_now_ms(dest));
    o = r > 0 ? ARRIVED : r == 0 ? DROPPED : REFUSED;
  }
  if (o == ARRIVED) {
    source_set(m, &s);
    aev__queue_wake(dest);
  } else {
    source_free(&s);
  }
  pthread_mutex_unlock(&dest->mu);
  return o;
}

/* Settles one moved message's place in its source q: a message that did
 * not arrive goes back where it was (dropped if q was purged or deleted
 * since it was taken, when q->clears was `clears`), else the place is let
 * go. m is not touched once it arrived. */
static void settle(aev_queue *q, uint64_t clears, aev__msg *m, const aev__hold *h, outcome o) {
  int back = o == REFUSED || o == NO_DEST;
  aev__queue_lock(q);
  if (back && !q->res.deleted && q->clears == clears) {
    aev__store_give_back(q, m, h, aev__queue_now_mono(q));
  } else {
    aev__store_let_go(q, h);
    back = 0;
  }
  aev__queue_wake(q);
  pthread_mutex_unlock(&q->mu);
  if (!back && o != ARRIVED) aev__msg_free(m);
}

/* One message at a time, so that each settles in its source as soon as
 * its fate is known, with no list of places to allocate. */
size_t aev__redrive_enqueue(aev_broker *b, const char *dest_arn,
                            aev__msg *chain, const char *source_arn,
                            int keep_count, aev_queue *from, uint64_t clears,
                            size_t *refused) {
  if (refused) *refused = 0;
  if (!chain) return 0;
  aev__resource *r = aev__registry_find(b, AEV__KIND_QUEUE, dest_arn);
  size_t n = 0;
  while (chain) {
    aev__msg *m = chain;
    chain = m->next;
    m->prev = m->next = NULL;
    aev__hold h;
    aev__store_hold_of(m, &h);
    outcome o = r ? enqueue_one((aev_queue *)r, m, source_arn, keep_count) : NO_DEST;
    n += o == ARRIVED;
    if (o == REFUSED && refused) (*refused)++;
    settle(from, clears, m, &h, o);
  }
  if (r) aev__resource_unref(r);
  return n;
}
