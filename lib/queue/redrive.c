/* Moves messages into another queue: dead-letter redrive (keeps the id,
 * receive count and, on standard queues, the original enqueue time for
 * retention) and move tasks. Source and destination locks are never held
 * together (DESIGN §3), so a queue may be its own DLQ's DLQ. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue.h"
#include "queue/redrive.h"

static void set_source(aev__msg *m, const char *arn) {
  if (!m->ext) m->ext = calloc(1, sizeof *m->ext);
  if (!m->ext) return;
  free(m->ext->dlq_source);
  m->ext->dlq_source = arn ? strdup(arn) : NULL;
}

/* Places one arriving message (dest->mu held). */
static int arrive(aev_queue *dest, aev__msg *m, int64_t now, int64_t now_ms) {
  m->nonce = 0;
  m->visible_at = now;
  m->seq = dest->next_seq++;
  /* SQS: a standard DLQ counts retention from the original enqueue time; a
   * FIFO DLQ restarts it. */
  int64_t base = dest->conf.fifo ? now : now - (now_ms - m->sent_ms);
  m->expire_at = base + (int64_t)dest->conf.retention * 1000;
  if (m->expire_at <= now) return -1;
  if (aev__store_add(dest, m) != AEV_OK) return -1;
  if (dest->conf.fifo) {
    if (!m->ext || !m->ext->group || aev__fifo_link(dest, m) != AEV_OK) {
      aev__store_unlink(dest, m);
      return -1;
    }
  } else {
    aev__store_place(dest, m, now);
  }
  return 0;
}

static size_t enqueue_into(aev_queue *dest, aev__msg *chain,
                           const char *source_arn, int keep_count) {
  size_t n = 0;
  aev__queue_lock(dest);
  int64_t now = aev__queue_now_mono(dest);
  int64_t now_ms = aev__queue_now_ms(dest);
  while (chain) {
    aev__msg *m = chain;
    chain = m->next;
    m->prev = m->next = NULL;
    if (source_arn) set_source(m, source_arn);
    else if (m->ext) set_source(m, NULL);
    if (!keep_count) {
      m->rx_count = 0;
      m->first_rx_ms = 0;
    }
    if (dest->res.deleted || arrive(dest, m, now, now_ms) != 0) {
      aev__msg_free(m);
      continue;
    }
    n++;
  }
  aev__queue_wake(dest);
  pthread_mutex_unlock(&dest->mu);
  return n;
}

size_t aev__redrive_enqueue(aev_broker *b, const char *dest_arn,
                            aev__msg *chain, const char *source_arn,
                            int keep_count, aev_queue *back_to) {
  if (!chain) return 0;
  aev__resource *r = aev__registry_find(b, AEV__KIND_QUEUE, dest_arn);
  if (!r) {
    if (back_to) {
      enqueue_into(back_to, chain, NULL, 1);
      return 0;
    }
    while (chain) {
      aev__msg *m = chain;
      chain = m->next;
      aev__msg_free(m);
    }
    return 0;
  }
  size_t n = enqueue_into((aev_queue *)r, chain, source_arn, keep_count);
  aev__resource_unref(r);
  return n;
}
