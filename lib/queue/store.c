/* A queue's message storage: inline-body allocation, the slot table that
 * receipt handles index, the retention list, and for standard queues the
 * available list plus the pending heap ordered by (visible_at, seq). */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue_impl.h"

aev__msg *aev__msg_new(const void *body, size_t len) {
  aev__msg *m = malloc(sizeof *m + len + 1);
  if (!m) return NULL;
  memset(m, 0, sizeof *m);
  memcpy(m->body, body, len);
  m->body[len] = '\0';
  m->len = len;
  return m;
}

void aev__msg_free(aev__msg *m) {
  if (!m) return;
  if (m->ext) {
    free(m->ext->attrs);
    free(m->ext->group);
    free(m->ext->dedup);
    free(m->ext->trace);
    free(m->ext->dlq_source);
    free(m->ext);
  }
  free(m);
}

/* ---- pending heap (standard queues) ---- */

static int before(const aev__msg *a, const aev__msg *b) {
  return a->visible_at < b->visible_at ||
         (a->visible_at == b->visible_at && a->seq < b->seq);
}

static void heap_set(aev_queue *q, size_t i, aev__msg *m) {
  q->heap[i] = m;
  m->heap_index = i + 1;
}

static void sift_up(aev_queue *q, size_t i) {
  aev__msg *m = q->heap[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(m, q->heap[p])) break;
    heap_set(q, i, q->heap[p]);
    i = p;
  }
  heap_set(q, i, m);
}

static void sift_down(aev_queue *q, size_t i) {
  aev__msg *m = q->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= q->nheap) break;
    if (c + 1 < q->nheap && before(q->heap[c + 1], q->heap[c])) c++;
    if (!before(q->heap[c], m)) break;
    heap_set(q, i, q->heap[c]);
    i = c;
  }
  heap_set(q, i, m);
}

static int heap_push(aev_queue *q, aev__msg *m) {
  if (q->nheap == q->heap_cap) {
    size_t cap = q->heap_cap ? q->heap_cap * 2 : 64;
    aev__msg **h = realloc(q->heap, cap * sizeof *h);
    if (!h) return AEV_ERR_NOMEM;
    q->heap = h;
    q->heap_cap = cap;
  }
  heap_set(q, q->nheap++, m);
  sift_up(q, q->nheap - 1);
  if (m->rx_count) q->heap_inflight++;
  return AEV_OK;
}

static void heap_remove(aev_queue *q, aev__msg *m) {
  size_t i = m->heap_index - 1;
  m->heap_index = 0;
  if (m->rx_count) q->heap_inflight--;
  aev__msg *last = q->heap[--q->nheap];
  if (i == q->nheap) return;
  heap_set(q, i, last);
  sift_up(q, i);
  sift_down(q, last->heap_index - 1);
}

/* ---- available list (standard queues) ---- */

static void av_append(aev_queue *q, aev__msg *m) {
  m->next = NULL;
  m->prev = q->av_tail;
  if (q->av_tail) q->av_tail->next = m;
  else q->av_head = m;
  q->av_tail = m;
}

static void av_unlink(aev_queue *q, aev__msg *m) {
  if (m->prev) m->prev->next = m->next;
  else q->av_head = m->next;
  if (m->next) m->next->prev = m->prev;
  else q->av_tail = m->prev;
  m->prev = m->next = NULL;
}

/* ---- slots and the retention list ---- */

int aev__store_add(aev_queue *q, aev__msg *m) {
  if (q->nfree) {
    m->slot = q->free_slots[--q->nfree];
  } else {
    if (q->nslots == q->slots_cap) {
      uint32_t cap = q->slots_cap ? q->slots_cap * 2 : 64;
      aev__msg **s = realloc(q->slots, cap * sizeof *s);
      if (!s) return aev__nomem();
      q->slots = s;
      uint32_t *f = realloc(q->free_slots, cap * sizeof *f);
      if (!f) return aev__nomem();
      q->free_slots = f;
      q->slots_cap = cap;
    }
    m->slot = q->nslots++;
  }
  q->slots[m->slot] = m;
  /* Retention list in expire_at order: sends append; a message moved in from
   * a source queue may keep an older enqueue time (SQS standard DLQs). */
  aev__msg *after = q->all_tail;
  while (after && after->expire_at > m->expire_at) after = after->all_prev;
  m->all_prev = after;
  m->all_next = after ? after->all_next : q->all_head;
  if (m->all_next) m->all_next->all_prev = m;
  else q->all_tail = m;
  if (after) after->all_next = m;
  else q->all_head = m;
  q->count++;
  return AEV_OK;
}

void aev__store_unlink(aev_queue *q, aev__msg *m) {
  if (q->conf.fifo) {
    aev__fifo_unlink(q, m);
  } else if (m->heap_index) {
    heap_remove(q, m);
  } else {
    av_unlink(q, m);
  }
  if (m->all_prev) m->all_prev->all_next = m->all_next;
  else q->all_head = m->all_next;
  if (m->all_next) m->all_next->all_prev = m->all_prev;
  else q->all_tail = m->all_prev;
  m->all_prev = m->all_next = NULL;
  q->slots[m->slot] = NULL;
  q->free_slots[q->nfree++] = m->slot;
  q->count--;
}

void aev__store_remove(aev_queue *q, aev__msg *m) {
  aev__store_unlink(q, m);
  aev__msg_free(m);
}

void aev__store_place(aev_queue *q, aev__msg *m, int64_t now) {
  if (m->visible_at > now && heap_push(q, m) == AEV_OK) return;
  av_append(q, m);
}

void aev__store_mature(aev_queue *q, int64_t now) {
  while (q->nheap && q->heap[0]->visible_at <= now) {
    aev__msg *m = q->heap[0];
    heap_remove(q, m);
    av_append(q, m);
  }
}

void aev__store_reschedule(aev_queue *q, aev__msg *m, int64_t now) {
  if (m->heap_index) heap_remove(q, m);
  else av_unlink(q, m);
  aev__store_place(q, m, now);
}

void aev__store_prune(aev_queue *q, int64_t now) {
  while (q->all_head && q->all_head->expire_at <= now)
    aev__store_remove(q, q->all_head);
}

void aev__store_clear(aev_queue *q) {
  while (q->all_head) aev__store_remove(q, q->all_head);
}

void aev__store_free(aev_queue *q) {
  aev__store_clear(q);
  free(q->slots);
  free(q->free_slots);
  free(q->heap);
  q->slots = NULL;
  q->free_slots = NULL;
  q->heap = NULL;
}

int64_t aev__store_next_change(aev_queue *q, int64_t now) {
  if (!q->conf.fifo) {
    aev__store_mature(q, now);
    return q->nheap ? q->heap[0]->visible_at : INT64_MAX;
  }
  int64_t next = INT64_MAX;
  for (aev__msg *m = q->all_head; m; m = m->all_next)
    if (m->visible_at > now && m->visible_at < next) next = m->visible_at;
  return next;
}
