/* Buffering on the broker clock: records gather until SizeInMBs is reached
 * or IntervalInSeconds has passed since the buffer's first record (one
 * timer per delivery stream, armed when the buffer starts), then move as a
 * sealed batch to the delivery queue, which delivers one batch at a time,
 * in order. A partitioning stream buffers here only ahead of its Lambda
 * transform; its partitions buffer in partition.c and seal into the same
 * queue. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "delivery/delivery_impl.h"

aev__frec *aev__fh_rec_new(const void *data, size_t len, int with_id) {
  aev__frec *r = malloc(sizeof *r + len + 1 + (with_id ? AEV__FH_ID_LEN + 1 : 0));
  if (!r) return NULL;
  /* A RecordId is drawn only when someone will see it: the caller asked
   * for it, or a transform needs one (transform.c). */
  r->id = with_id ? (char *)r->raw + len + 1 : NULL;
  r->next = NULL;
  r->id_owned = 0;
  r->result = AEV__FH_OK;
  r->error_code = r->error_msg = NULL;
  r->attempts = 0;
  r->keys = r->kinesis = NULL;
  r->len = r->raw_len = len;
  if (len) memcpy(r->raw, data, len);
  r->raw[len] = '\0';
  r->data = r->raw;
  return r;
}

void aev__fh_rec_free(aev__frec *r) {
  if (r->data != r->raw) free(r->data);
  if (r->id_owned) free(r->id);
  free(r->error_code);
  free(r->error_msg);
  json_decref(r->keys);
  json_decref(r->kinesis);
  free(r);
}

int aev__fh_buffer_push(aev_delivery *d, aev__frec *r, int64_t now_ms,
                        char *id) {
  /* A partitioning stream buffers here only for its Lambda processor, on
   * that processor's own hints. */
  size_t limit = d->partitioned ? d->set.lambda_size_bytes : d->set.size_bytes;
  int64_t interval = d->partitioned ? d->set.lambda_interval_ms : d->set.interval_ms;
  r->next = NULL;
  r->arrival_ms = now_ms;
  if (id) {
    aev__token(&d->rng, r->id, AEV__FH_ID_LEN);
    memcpy(id, r->id, AEV__FH_ID_LEN + 1);
  }
  if (d->tail)
    d->tail->next = r;
  else
    d->head = r;
  d->tail = r;
  d->m_in++;
  if (d->n++ == 0) {
    d->oldest_ms = now_ms;
    aev__resource_ref(&d->res);
    if (aev__timer_arm(aev__broker_sched(d->res.broker), &d->interval,
                       aev__fh_mono(d) + interval) != AEV_OK)
      aev__resource_unref(&d->res);
  }
  d->bytes += r->len;
  if (d->bytes < limit) return 0;
  aev__fh_seal(d);
  return 1;
}

int aev__fh_buffer_in(aev_delivery *d, aev__frec *r, int64_t now_ms, char *id) {
  aev__fh_decompress(&d->set, r);
  return aev__fh_buffer_push(d, r, now_ms, id);
}

int aev__fh_buffer_add(aev_delivery *d, const void *data, size_t len,
                       int64_t now_ms, char *id) {
  /* A partitioning stream's record may be split: its RecordId is drawn
   * apart, once it is taken. */
  aev__frec *r = aev__fh_rec_new(data, len, id && !d->partitioned);
  if (!r) return -1;
  if (!d->partitioned) return aev__fh_buffer_in(d, r, now_ms, id);
  int sealed = aev__fh_partition_add(d, r, now_ms);
  if (sealed >= 0 && id) aev__token(&d->rng, id, AEV__FH_ID_LEN);
  return sealed;
}

int aev__fh_buffer_add_all(aev_delivery *d, size_t n, const void *const *data,
                           const size_t *lens, char **ids) {
  /* Every record copied before any is buffered: out of memory, none is. */
  aev__frec *first = NULL, **tail = &first;
  for (size_t i = 0; i < n; i++) {
    aev__frec *r = aev__fh_rec_new(data[i], lens[i], ids && !d->partitioned);
    if (!r) {
      *tail = NULL;
      while (first) {
        r = first;
        first = r->next;
        free(r);
      }
      return -1;
    }
    *tail = r;
    tail = &r->next;
  }
  *tail = NULL;
  int sealed = 0;
  pthread_mutex_lock(&d->mu);
  int64_t now = aev__fh_now_ms(d);
  if (d->partitioned) {
    sealed = aev__fh_partition_add(d, first, now);
    for (size_t i = 0; sealed >= 0 && ids && i < n; i++) aev__token(&d->rng, ids[i], AEV__FH_ID_LEN);
  } else {
    for (size_t i = 0; i < n; i++) {
      aev__frec *r = first;
      first = r->next;
      sealed |= aev__fh_buffer_in(d, r, now, ids ? ids[i] : NULL);
    }
  }
  pthread_mutex_unlock(&d->mu);
  return sealed;
}

void aev__fh_seal(aev_delivery *d) {
  if (!d->n) return;
  /* Out of memory, the records stay buffered, and the interval timer
   * still armed seals them when it ends. */
  aev__batch *bt = calloc(1, sizeof *bt);
  if (!bt) return;
  if (aev__timer_cancel(aev__broker_sched(d->res.broker), &d->interval))
    aev__resource_unref(&d->res); /* never the last: the caller holds one */
  bt->head = d->head;
  bt->n = d->n;
  bt->bytes = d->bytes;
  bt->oldest_ms = d->oldest_ms;
  d->head = d->tail = NULL;
  d->n = d->bytes = 0;
  if (d->pending_tail)
    d->pending_tail->next = bt;
  else
    d->pending = bt;
  d->pending_tail = bt;
}

void aev__fh_kick(aev_delivery *d) {
  pthread_mutex_lock(&d->mu);
  aev__batch *bt = d->busy || d->res.deleted ? NULL : d->pending;
  if (bt) {
    d->busy = 1;
    if (!bt->first_try) bt->first_try = aev__fh_mono(d);
  }
  int transform = bt && d->set.lambda_arn && !bt->transformed;
  pthread_mutex_unlock(&d->mu);
  if (!bt) return;
  if (transform)
    aev__fh_transform(d, bt);
  else
    aev__fh_forward(d, bt);
}

void aev__fh_forward(aev_delivery *d, aev__batch *bt) {
  if (d->partitioned && !bt->part)
    aev__fh_route_batch(d, bt);
  else
    aev__fh_deliver(d, bt);
}

void aev__fh_batch_free(aev__batch *bt) {
  while (bt->head) {
    aev__frec *r = bt->head;
    bt->head = r->next;
    aev__fh_rec_free(r);
  }
  free(bt->key);
  free(bt);
}

void aev__fh_batch_done(aev_delivery *d) {
  pthread_mutex_lock(&d->mu);
  aev__batch *bt = d->pending;
  d->pending = bt->next;
  if (!d->pending) d->pending_tail = NULL;
  d->busy = 0;
  if (bt->part) aev__fh_part_done(d, bt->part);
  /* Deleted meanwhile: the shutdown left the sink's release to us. */
  aev_release_fn release = d->res.deleted ? d->sink_release : NULL;
  if (release) d->sink_release = NULL;
  pthread_mutex_unlock(&d->mu);
  aev__fh_batch_free(bt);
  if (release) release(d->sink_user);
  aev__fh_kick(d);
}

void aev__fh_buffer_free(aev_delivery *d) {
  aev__batch tmp = {.head = d->head};
  while (tmp.head) {
    aev__frec *r = tmp.head;
    tmp.head = r->next;
    aev__fh_rec_free(r);
  }
  d->head = d->tail = NULL;
  aev__fh_parts_free(d);
  while (d->pending) {
    aev__batch *bt = d->pending;
    d->pending = bt->next;
    aev__fh_batch_free(bt);
  }
}

int aev_delivery_flush(aev_delivery *d) {
  int rc = aev__fh_check(d);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&d->mu);
  aev__fh_seal(d);
  aev__fh_parts_seal(d);
  pthread_mutex_unlock(&d->mu);
  aev__fh_kick(d);
  return AEV_OK;
}
