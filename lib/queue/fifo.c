/* FIFO queue structures: message groups (each an ordered list, kept on a
 * ring while it holds messages) and the 5-minute deduplication history,
 * pruned from its oldest end on every write. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue_impl.h"

static aev__group *group_get(aev_queue *q, const char *name) {
  uint64_t h = aev__qmap_hash(name);
  aev__qnode *n = aev__qmap_get(&q->groups, name, h);
  if (n) return (aev__group *)n;
  size_t len = strlen(name);
  aev__group *g = calloc(1, sizeof *g + len + 1);
  if (!g) return NULL;
  memcpy(g->name, name, len + 1);
  g->node.key = g->name;
  g->node.hash = h;
  if (aev__qmap_put(&q->groups, &g->node) != AEV_OK) {
    free(g);
    return NULL;
  }
  if (q->ring) {
    g->next = q->ring;
    g->prev = q->ring->prev;
    g->prev->next = g;
    q->ring->prev = g;
  } else {
    g->next = g->prev = g;
    q->ring = g;
  }
  return g;
}

static void group_drop(aev_queue *q, aev__group *g) {
  aev__qmap_remove(&q->groups, &g->node);
  if (g->next == g) {
    q->ring = NULL;
  } else {
    g->prev->next = g->next;
    g->next->prev = g->prev;
    if (q->ring == g) q->ring = g->next;
  }
  free(g);
}

/* Messages moved back in from elsewhere keep sequence order. */
static void link_in_order(aev__group *g, aev__msg *m) {
  aev__msg *after = g->tail;
  while (after && after->seq > m->seq) after = after->prev;
  aev__mlist_link_after(&g->head, &g->tail, after, m);
  m->ext->grp = g;
}

int aev__fifo_link(aev_queue *q, aev__msg *m) {
  aev__group *g = group_get(q, m->ext->group);
  if (!g) return aev__nomem();
  link_in_order(g, m);
  return AEV_OK;
}

void aev__fifo_unlink(aev_queue *q, aev__msg *m) {
  aev__group *g = m->ext->grp;
  if (!g) return;
  aev__mlist_unlink(&g->head, &g->tail, m);
  m->ext->grp = NULL;
  if (!g->head && !g->away) group_drop(q, g);
}

aev__group *aev__fifo_hold(aev__msg *m) {
  aev__group *g = m->ext->grp;
  g->away++;
  return g;
}

void aev__fifo_give_back(aev__msg *m, aev__group *g) {
  link_in_order(g, m);
  g->away--;
}

void aev__fifo_let_go(aev_queue *q, aev__group *g) {
  if (!--g->away && !g->head) group_drop(q, g);
}

static void dedup_prune(aev_queue *q, int64_t now) {
  while (q->dd_head && q->dd_head->expire_at <= now) {
    aev__dedup *d = q->dd_head;
    q->dd_head = d->next;
    if (!q->dd_head) q->dd_tail = NULL;
    aev__qmap_remove(&q->dedup, &d->node);
    free(d);
  }
}

aev__dedup *aev__dedup_find(aev_queue *q, const char *key, int64_t now) {
  dedup_prune(q, now);
  return (aev__dedup *)aev__qmap_get(&q->dedup, key, aev__qmap_hash(key));
}

int aev__dedup_add(aev_queue *q, const char *key, const uint8_t id[16],
                   uint64_t seq, int64_t now) {
  size_t len = strlen(key);
  aev__dedup *d = malloc(sizeof *d + len + 1);
  if (!d) return aev__nomem();
  memcpy(d->key, key, len + 1);
  d->node.key = d->key;
  d->node.hash = aev__qmap_hash(key);
  d->next = NULL;
  d->expire_at = now + AEV__DEDUP_WINDOW_MS;
  memcpy(d->id, id, 16);
  d->seq = seq;
  if (aev__qmap_put(&q->dedup, &d->node) != AEV_OK) {
    free(d);
    return aev__nomem();
  }
  if (q->dd_tail) q->dd_tail->next = d;
  else q->dd_head = d;
  q->dd_tail = d;
  return AEV_OK;
}

void aev__dedup_clear(aev_queue *q) { dedup_prune(q, INT64_MAX); }

void aev__fifo_free(aev_queue *q) {
  aev__dedup_clear(q);
  aev__qmap_free(&q->dedup);
  while (q->ring) group_drop(q, q->ring);
  aev__qmap_free(&q->groups);
}
