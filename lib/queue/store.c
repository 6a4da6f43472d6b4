/* A queue's message storage: message memory (inline or shared bodies),
 * the slot table that receipt handles index, the retention list, and for
 * standard queues the fresh list of fan-out messages not received yet
 * (aev__fresh, carried in their bodies' blocks), the available list, the
 * ready heap (by seq), and for what is not visible yet the wait list
 * (appends in visible_at order) and the pending heap (by visible_at, seq,
 * for the rest), so delivery is oldest-first like SQS's best effort. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue_impl.h"

/* Field by field rather than memset: a malloc followed by a memset of the
 * same size becomes a calloc, which bypasses malloc's per-thread cache. */
static void msg_init(aev__msg *m, aev__qbody *shared, size_t len) {
  m->all_prev = m->all_next = m->prev = m->next = NULL;
  m->heap_index = 0;
  m->visible_at = m->expire_at = m->sent_ms = m->first_rx_ms = 0;
  m->nonce = m->seq = 0;
  m->slot = m->rx_count = 0;
  m->ext = NULL;
  m->shared = shared;
  m->len = (uint32_t)len;
  m->in_ready = 0;
  m->waiting = 0;
  m->packed = 0;
}

aev__msg *aev__msg_init_inline(void *mem, const void *body, size_t len) {
  aev__msg *m = mem;
  msg_init(m, NULL, len);
  if (len) memcpy(m->tail + 16, body, len); /* a missing body is NULL */
  m->tail[16 + len] = '\0';
  return m;
}

aev__msg *aev__msg_new(const void *body, size_t len) {
  void *mem = malloc(aev__msg_inline_size(len));
  return mem ? aev__msg_init_inline(mem, body, len) : NULL;
}

/* Takes n of the body's carried records at once (fewer when it has fewer
 * left): the index of the first, and *got how many. */
uint32_t aev__qbody_take(aev__qbody *b, uint32_t n, uint32_t *got) {
  *got = 0;
  if (atomic_load_explicit(&b->taken, memory_order_relaxed) >= b->nrec) return 0;
  uint32_t i = atomic_fetch_add_explicit(&b->taken, n, memory_order_relaxed);
  if (i < b->nrec) *got = b->nrec - i < n ? b->nrec - i : n;
  return i;
}

aev__msg *aev__msg_new_shared(aev__qbody *body) {
  aev__msg *m = malloc(sizeof *m);
  if (!m) {
    aev__qbody_unref(body);
    return NULL;
  }
  msg_init(m, body, body->len);
  return m;
}

void aev__msg_free(aev__msg *m) { aev__msg_free_in(NULL, m); }

void aev__msg_free_in(aev_queue *q, aev__msg *m) {
  if (!m) return;
  if (m->ext) {
    free(m->ext->attrs);
    free(m->ext->group);
    free(m->ext->dedup);
    free(m->ext->trace);
    free(m->ext->lineage);
    free(m->ext->dlq_source);
    free(m->ext);
  }
  aev__qbody *b = m->shared;
  if (m->packed) aev__msg_pack_drop(m, q);
  else free(m);
  aev__qbody_unref(b);
}

void aev__qbody_ref(aev__qbody *b) { b->refs++; }

void aev__qbody_unref(aev__qbody *b) {
  if (b && --b->refs == 0) free(b);
}

/* ---- heaps (standard queues) ---- */

static int before(const aev__mheap *h, const aev__msg *a, const aev__msg *b) {
  if (!h->by_seq && a->visible_at != b->visible_at)
    return a->visible_at < b->visible_at;
  return a->seq < b->seq;
}

static void heap_set(aev__mheap *h, size_t i, aev__msg *m) {
  h->a[i] = m;
  m->heap_index = (uint32_t)i + 1;
}

static void sift_up(aev__mheap *h, size_t i) {
  aev__msg *m = h->a[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(h, m, h->a[p])) break;
    heap_set(h, i, h->a[p]);
    i = p;
  }
  heap_set(h, i, m);
}

static void sift_down(aev__mheap *h, size_t i) {
  aev__msg *m = h->a[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && before(h, h->a[c + 1], h->a[c])) c++;
    if (!before(h, h->a[c], m)) break;
    heap_set(h, i, h->a[c]);
    i = c;
  }
  heap_set(h, i, m);
}

static int heap_push(aev_queue *q, aev__mheap *h, aev__msg *m) {
  if (h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 64;
    aev__msg **a = realloc(h->a, cap * sizeof *a);
    if (!a) return AEV_ERR_NOMEM;
    h->a = a;
    h->cap = cap;
  }
  heap_set(h, h->n++, m);
  sift_up(h, h->n - 1);
  m->in_ready = h->by_seq;
  if (!h->by_seq && m->rx_count) q->heap_inflight++;
  return AEV_OK;
}

static void heap_remove(aev_queue *q, aev__msg *m) {
  aev__mheap *h = m->in_ready ? &q->ready : &q->pending;
  size_t i = m->heap_index - 1;
  m->heap_index = 0;
  if (!h->by_seq && m->rx_count) q->heap_inflight--;
  aev__msg *last = h->a[--h->n];
  if (i == h->n) return;
  heap_set(h, i, last);
  sift_up(h, i);
  sift_down(h, last->heap_index - 1);
}

/* ---- the available and wait lists (standard queues): doubly linked ---- */

static void av_append(aev_queue *q, aev__msg *m) {
  aev__mlist_link_after(&q->av_head, &q->av_tail, q->av_tail, m);
}

static void av_unlink(aev_queue *q, aev__msg *m) {
  aev__mlist_unlink(&q->av_head, &q->av_tail, m);
}

static void wait_append(aev_queue *q, aev__msg *m) {
  aev__mlist_link_after(&q->wait_head, &q->wait_tail, q->wait_tail, m);
  m->waiting = 1;
  if (m->rx_count) q->heap_inflight++;
}

/* Out of memory for the pending heap: m goes into the wait list at its
 * place in visible_at order (a walk from the tail, but no allocation), so
 * it still shows no earlier than its visible_at. Out of line, so that its
 * callers stay small enough to inline. */
static __attribute__((noinline, cold)) void wait_insert(aev_queue *q, aev__msg *m) {
  aev__msg *after = q->wait_tail;
  while (after && after->visible_at > m->visible_at) after = after->prev;
  aev__mlist_link_after(&q->wait_head, &q->wait_tail, after, m);
  m->waiting = 1;
  if (m->rx_count) q->heap_inflight++;
}

static void wait_unlink(aev_queue *q, aev__msg *m) {
  aev__mlist_unlink(&q->wait_head, &q->wait_tail, m);
  m->waiting = 0;
  if (m->rx_count) q->heap_inflight--;
}

/* Where a standard message is: a heap, the wait list or the available
 * list. */
static void std_unlink(aev_queue *q, aev__msg *m) {
  if (m->heap_index) heap_remove(q, m);
  else if (m->waiting) wait_unlink(q, m);
  else av_unlink(q, m);
}

/* ---- slots and the retention list ---- */

/* m into its slot and onto the retention list, in expire_at order: sends
 * append; a message moved in from a source queue may keep an older
 * enqueue time (SQS standard DLQs), and one put back its own. */
static inline void occupy(aev_queue *q, aev__msg *m) {
  q->slots[m->slot] = m;
  aev__msg *after = q->all_tail;
  while (after && after->expire_at > m->expire_at) after = after->all_prev;
  m->all_prev = after;
  m->all_next = after ? after->all_next : q->all_head;
  if (m->all_next) m->all_next->all_prev = m;
  else q->all_tail = m;
  if (after) after->all_next = m;
  else q->all_head = m;
  q->count++;
}

static inline int store_add(aev_queue *q, aev__msg *m) {
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
      if (q->conf.fifo) {
        uint64_t *d = realloc(q->deleted_nonce, cap * sizeof *d);
        if (!d) return aev__nomem();
        memset(d + q->slots_cap, 0, (cap - q->slots_cap) * sizeof *d);
        q->deleted_nonce = d;
      }
      q->slots_cap = cap;
    }
    m->slot = q->nslots++;
  }
  occupy(q, m);
  return AEV_OK;
}

/* Detaches m from every list and its slot; the slot's number is the
 * caller's to free or to hold. */
static void vacate(aev_queue *q, aev__msg *m) {
  if (q->conf.fifo) aev__fifo_unlink(q, m);
  else std_unlink(q, m);
  if (m->all_prev) m->all_prev->all_next = m->all_next;
  else q->all_head = m->all_next;
  if (m->all_next) m->all_next->all_prev = m->all_prev;
  else q->all_tail = m->all_prev;
  m->all_prev = m->all_next = NULL;
  q->slots[m->slot] = NULL;
  q->count--;
}

void aev__store_unlink(aev_queue *q, aev__msg *m) {
  vacate(q, m);
  q->free_slots[q->nfree++] = m->slot;
}

void aev__store_take(aev_queue *q, aev__msg *m) {
  if (q->conf.fifo) m->ext->away_from = aev__fifo_hold(m);
  vacate(q, m);
}

void aev__store_hold_of(aev__msg *m, aev__hold *h) {
  h->slot = m->slot;
  h->grp = m->ext ? m->ext->away_from : NULL;
  if (m->ext) m->ext->away_from = NULL;
}

void aev__store_give_back(aev_queue *q, aev__msg *m, const aev__hold *h, int64_t now) {
  m->slot = h->slot;
  occupy(q, m);
  if (h->grp) aev__fifo_give_back(m, h->grp);
  else aev__store_place(q, m, now);
}

void aev__store_let_go(aev_queue *q, const aev__hold *h) {
  q->free_slots[q->nfree++] = h->slot;
  if (h->grp) aev__fifo_let_go(q, h->grp);
}

void aev__store_remove(aev_queue *q, aev__msg *m) {
  aev__store_unlink(q, m);
  aev__msg_free(m);
}

/* New sends append to the available list; anything older than its tail
 * (a returning or matured message) goes to the ready heap. */
static void make_ready(aev_queue *q, aev__msg *m) {
  if (!q->av_tail || q->av_tail->seq < m->seq) {
    av_append(q, m);
  } else if (heap_push(q, &q->ready, m) != AEV_OK) {
    av_append(q, m);
  }
}

/* ---- fresh fan-out messages (standard queues) ---- */

static void fresh_pop(aev_queue *q) {
  q->fresh_head = q->fresh_head->next;
  if (!q->fresh_head) q->fresh_tail = NULL;
  q->nfresh--;
  q->count--;
}

/* Pops before the unref: the entry may live in the block it frees. */
static void fresh_drop(aev_queue *q) {
  aev__qbody *b = q->fresh_head->body;
  fresh_pop(q);
  aev__qbody_unref(b);
}

/* The fresh head as a record, which takes over its body reference, made
 * available; NULL when memory ran out (the fresh message stays). Its
 * visible_at stays 0: it has been visible since its send. */
static aev__msg *ripen(aev_queue *q) {
  aev__fresh *f = q->fresh_head;
  aev__msg *m = malloc(sizeof *m);
  if (!m) return NULL;
  msg_init(m, f->body, f->body->len);
  memcpy(m->id, f->id, sizeof m->id);
  m->seq = f->seq;
  m->sent_ms = f->sent_ms;
  m->expire_at = f->expire_at;
  if (store_add(q, m) != AEV_OK) {
    free(m);
    return NULL;
  }
  fresh_pop(q);
  make_ready(q, m);
  return m;
}

void aev__store_ripen(aev_queue *q) {
  while (q->fresh_head && ripen(q)) {
  }
}

/* Fresh messages become records before any other record is added, so
 * records stay older than them (see aev_queue). */
int aev__store_add(aev_queue *q, aev__msg *m) {
  if (q->fresh_head) aev__store_ripen(q);
  return store_add(q, m);
}

void aev__store_place(aev_queue *q, aev__msg *m, int64_t now) {
  if (m->visible_at <= now) {
    make_ready(q, m);
  } else if (!q->wait_tail || q->wait_tail->visible_at <= m->visible_at) {
    /* Receives with the queue's timeout arrive in this order: no heap. */
    wait_append(q, m);
  } else if (heap_push(q, &q->pending, m) != AEV_OK) {
    wait_insert(q, m);
  }
}

int aev__store_put(aev_queue *q, aev__msg *m, int64_t now) {
  int rc = aev__store_add(q, m);
  if (rc != AEV_OK) return rc;
  /* A new send with no delay is newer than everything: the common case
   * skips the heap check. */
  if (m->visible_at <= now && (!q->av_tail || q->av_tail->seq < m->seq)) av_append(q, m);
  else aev__store_place(q, m, now);
  return AEV_OK;
}

void aev__store_mature(aev_queue *q, int64_t now) {
  while (q->pending.n && q->pending.a[0]->visible_at <= now) {
    aev__msg *m = q->pending.a[0];
    heap_remove(q, m);
    make_ready(q, m);
  }
  while (q->wait_head && q->wait_head->visible_at <= now) {
    aev__msg *m = q->wait_head;
    wait_unlink(q, m);
    make_ready(q, m);
  }
}

aev__msg *aev__store_oldest(aev_queue *q) {
  aev__msg *l = q->av_head, *h = q->ready.n ? q->ready.a[0] : NULL;
  aev__msg *o = !l ? h : !h || l->seq < h->seq ? l : h;
  if (q->fresh_head && (!o || q->fresh_head->seq < o->seq)) {
    aev__msg *m = ripen(q);
    if (m) return m;
  }
  return o;
}

void aev__store_reschedule(aev_queue *q, aev__msg *m, int64_t now) {
  std_unlink(q, m);
  aev__store_place(q, m, now);
}

void aev__store_prune(aev_queue *q, int64_t now) {
  while (q->all_head && q->all_head->expire_at <= now)
    aev__store_remove(q, q->all_head);
  while (q->fresh_head && q->fresh_head->expire_at <= now) fresh_drop(q);
}

void aev__store_clear(aev_queue *q) {
  q->clears++;
  while (q->all_head) aev__store_remove(q, q->all_head);
  while (q->fresh_head) fresh_drop(q);
}

void aev__store_free(aev_queue *q) {
  aev__store_clear(q);
  free(q->slots);
  free(q->free_slots);
  free(q->deleted_nonce);
  free(q->pending.a);
  free(q->ready.a);
  q->slots = NULL;
  q->free_slots = NULL;
  q->deleted_nonce = NULL;
  q->pending.a = q->ready.a = NULL;
}

int64_t aev__store_next_change(aev_queue *q, int64_t now) {
  if (!q->conf.fifo) {
    aev__store_mature(q, now);
    int64_t next = q->pending.n ? q->pending.a[0]->visible_at : INT64_MAX;
    return q->wait_head && q->wait_head->visible_at < next ? q->wait_head->visible_at : next;
  }
  /* FIFO: only a group's head can become deliverable by time passing (what
   * follows it waits for its delete, and a held group for its move to
   * settle, which wake receivers themselves). */
  int64_t next = INT64_MAX;
  aev__group *g = q->ring;
  for (size_t i = 0; g && i < q->groups.count; i++, g = g->next)
    if (g->head && !g->away && g->head->visible_at > now && g->head->visible_at < next)
      next = g->head->visible_at;
  return next;
}
