/* Dynamic partitioning's partitions (Firehose's guide, "Buffer data for
 * dynamic partitioning"): a buffer per evaluated prefix, sealed by the
 * stream's SizeInMBs or by its own IntervalInSeconds timer into the
 * delivery queue, delivered as one object under its prefix; a partition
 * lives while it buffers, waits on its timer or has batches undelivered
 * (AWS's active partitions). Which records go where is route.c's. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "delivery/delivery_impl.h"

static void interval_task(void *arg, int cancelled);

aev__fpart *aev__fh_part_new(aev_delivery *d, char *prefix, const char *error_type) {
  aev__fpart *p = calloc(1, sizeof *p);
  if (!p) {
    free(prefix);
    return NULL;
  }
  p->d = d;
  p->prefix = prefix;
  p->error_type = error_type;
  aev__timer_init(&p->interval, interval_task, p, NULL);
  return p;
}

/* Frees p once nothing is left of it: it is no longer active. */
static void release(aev_delivery *d, aev__fpart *p) {
  if (p->n || p->armed || p->inflight) return;
  aev__fpart **at = &d->parts;
  while (*at != p) at = &(*at)->next;
  *at = p->next;
  if (!p->error_type) d->active_parts--;
  free(p->prefix);
  free(p);
}

void aev__fh_part_seal(aev_delivery *d, aev__fpart *p) {
  if (!p->n) return;
  /* Out of memory, the records stay and the armed timer tries again. */
  aev__batch *bt = calloc(1, sizeof *bt);
  if (!bt) return;
  if (p->armed && aev__timer_cancel(aev__broker_sched(d->res.broker), &p->interval)) {
    p->armed = 0;
    aev__resource_unref(&d->res); /* never the last: the caller holds one */
  }
  bt->head = p->head;
  bt->n = p->n;
  bt->bytes = p->bytes;
  bt->oldest_ms = p->oldest_ms;
  bt->transformed = 1; /* transformed, if at all, before it was partitioned */
  bt->part = p;
  p->inflight++;
  p->head = p->tail = NULL;
  p->n = p->bytes = 0;
  if (d->pending_tail)
    d->pending_tail->next = bt;
  else
    d->pending = bt;
  d->pending_tail = bt;
}

int aev__fh_part_push(aev_delivery *d, aev__fpart *p, aev__frec *r) {
  r->next = NULL;
  if (p->tail)
    p->tail->next = r;
  else
    p->head = r;
  p->tail = r;
  if (p->n++ == 0) {
    p->oldest_ms = r->arrival_ms;
    aev__resource_ref(&d->res);
    if (aev__timer_arm(aev__broker_sched(d->res.broker), &p->interval,
                       aev__fh_mono(d) + d->set.interval_ms) == AEV_OK)
      p->armed = 1;
    else
      aev__resource_unref(&d->res);
  }
  p->bytes += r->len;
  if (p->bytes < d->set.size_bytes) return 0;
  aev__fh_part_seal(d, p);
  return 1;
}

static void interval_task(void *arg, int cancelled) {
  aev__fpart *p = arg;
  aev_delivery *d = p->d;
  pthread_mutex_lock(&d->mu);
  p->armed = 0;
  if (!cancelled && !d->res.deleted) aev__fh_part_seal(d, p);
  release(d, p);
  pthread_mutex_unlock(&d->mu);
  if (!cancelled) aev__fh_kick(d);
  aev__resource_unref(&d->res);
}

void aev__fh_parts_seal(aev_delivery *d) {
  for (aev__fpart *p = d->parts; p; p = p->next) aev__fh_part_seal(d, p);
}

void aev__fh_parts_stop(aev_delivery *d) {
  aev__sched *sched = aev__broker_sched(d->res.broker);
  int stopped = 0;
  pthread_mutex_lock(&d->mu);
  for (aev__fpart *p = d->parts; p; p = p->next)
    if (p->armed && aev__timer_cancel(sched, &p->interval)) {
      p->armed = 0;
      stopped++;
    }
  pthread_mutex_unlock(&d->mu);
  while (stopped--) aev__resource_unref(&d->res);
}

void aev__fh_part_done(aev_delivery *d, aev__fpart *p) {
  p->inflight--;
  release(d, p);
}

size_t aev__fh_parts_buffered(const aev_delivery *d) {
  size_t n = 0;
  for (const aev__fpart *p = d->parts; p; p = p->next) n += p->n;
  return n;
}

void aev__fh_parts_free(aev_delivery *d) {
  while (d->parts) {
    aev__fpart *p = d->parts;
    d->parts = p->next;
    while (p->head) {
      aev__frec *r = p->head;
      p->head = r->next;
      aev__fh_rec_free(r);
    }
    free(p->prefix);
    free(p);
  }
}
