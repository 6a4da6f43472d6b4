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

/* Moves the chain into dest; what memory refused goes on *refused (NULL:
 * it is dropped), as it was. Returns how many arrived. */
static size_t enqueue_into(aev_queue *dest, aev__msg *chain,
                           const char *source_arn, int keep_count,
                           aev__msg **refused) {
  size_t n = 0;
  aev__queue_lock(dest);
  int64_t now = aev__queue_now_mono(dest);
  int64_t now_ms = aev__queue_now_ms(dest);
  while (chain) {
    aev__msg *m = chain;
    chain = m->next;
    m->prev = m->next = NULL;
    source s = {0};
    int r = dest->res.deleted ? 0
            : source_new(m, source_arn, &s) ? -1
                                            : arrive(dest, m, keep_count, now, now_ms);
    if (r == 1) {
      source_set(m, &s);
      n++;
      continue;
    }
    source_free(&s);
    if (r < 0 && refused) {
      m->next = *refused;
      *refused = m;
    } else {
      aev__msg_free(m);
    }
  }
  aev__queue_wake(dest);
  pthread_mutex_unlock(&dest->mu);
  return n;
}

/* Puts messages a destination refused back into their source as they were
 * (a message that cannot be put back either is dropped). */
static void put_back(aev_queue *q, aev__msg *chain) {
  aev__queue_lock(q);
  int64_t now = aev__queue_now_mono(q);
  while (chain) {
    aev__msg *m = chain;
    chain = m->next;
    m->prev = m->next = NULL;
    int placed = !q->res.deleted && aev__store_add(q, m) == AEV_OK;
    if (placed && q->conf.fifo && aev__fifo_link(q, m) != AEV_OK) {
      aev__store_unlink(q, m);
      placed = 0;
    }
    if (!placed) aev__msg_free(m);
    else if (!q->conf.fifo) aev__store_place(q, m, now);
  }
  aev__queue_wake(q);
  pthread_mutex_unlock(&q->mu);
}

size_t aev__redrive_enqueue(aev_broker *b, const char *dest_arn,
                            aev__msg *chain, const char *source_arn,
                            int keep_count, aev_queue *back_to,
                            size_t *refused) {
  if (refused) *refused = 0;
  if (!chain) return 0;
  aev__resource *r = aev__registry_find(b, AEV__KIND_QUEUE, dest_arn);
  if (!r) {
    /* Back as they were: a FIFO message keeps its place in its group (and
     * every message its retention), as when memory refused the move. */
    if (back_to) {
      put_back(back_to, chain);
      return 0;
    }
    while (chain) {
      aev__msg *m = chain;
      chain = m->next;
      aev__msg_free(m);
    }
    return 0;
  }
  aev__msg *back = NULL;
  size_t n = enqueue_into((aev_queue *)r, chain, source_arn, keep_count,
                          back_to ? &back : NULL);
  aev__resource_unref(r);
  for (aev__msg *m = back; m && refused; m = m->next) (*refused)++;
  if (back) put_back(back_to, back);
  return n;
}
