/* Dynamic partitioning's buffering (Firehose's guide, "Buffer data for
 * dynamic partitioning"): each record, deaggregated first, then through
 * the Lambda transform when there is one ("deaggregation → data
 * transformation via Lambda → partitioning keys"), goes to the partition
 * of its evaluated prefix: keys from the jq query over its JSON and from
 * the transform's metadata.partitionKeys. Each partition buffers on its
 * own and is sealed by the stream's SizeInMBs or by its own
 * IntervalInSeconds timer, then delivered as one object under its prefix.
 * Records whose keys cannot be evaluated, and those past the 500 active
 * partitions, go to the error output as AWS's error records, grouped by
 * error output type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "delivery/delivery_impl.h"

/* The default quota of active partitions per delivery stream (Buffer
 * data for dynamic partitioning: "the limit of 500 per Firehose stream"). */
#define MAX_ACTIVE_PARTITIONS 500

#define EXTRACTION_FAILED "DynamicPartitioning.MetadataExtractionFailed"

/* The error output type of an error code: what !{firehose:error-output-type}
 * becomes. AWS's guide names activePartitionExceeded; users of the
 * service record metadata-extraction-failed for keys that could not be
 * extracted. */
static const char *error_type_of(const char *code) {
  if (!strncmp(code, "Lambda.", 7)) return "processing-failed";
  if (!strcmp(code, "DynamicPartitioning.ActivePartitionsLimitExceeded"))
    return "activePartitionExceeded";
  return "metadata-extraction-failed";
}

static void interval_task(void *arg, int cancelled);

static aev__fpart *find(aev_delivery *d, const char *prefix, const char *error_type) {
  for (aev__fpart *p = d->parts; p; p = p->next)
    if (p->error_type == error_type && !strcmp(p->prefix, prefix)) return p;
  return NULL;
}

/* A new partition for prefix (taken), or NULL when out of memory. */
static aev__fpart *create(aev_delivery *d, char *prefix, const char *error_type) {
  aev__fpart *p = calloc(1, sizeof *p);
  if (!p) {
    free(prefix);
    return NULL;
  }
  p->d = d;
  p->prefix = prefix;
  p->error_type = error_type;
  aev__timer_init(&p->interval, interval_task, p, NULL);
  p->next = d->parts;
  d->parts = p;
  if (!error_type) d->active_parts++;
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

/* Buffers r in p: 1 when p reached SizeInMBs and was sealed. */
static int push(aev_delivery *d, aev__fpart *p, aev__frec *r) {
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

/* r to the error output, as a failed record with code and message
 * (copied): 1 when its buffer was sealed, -1 when out of memory. */
static int to_error(aev_delivery *d, aev__frec *r, const char *code, const char *msg) {
  if (r->error_code != code) {
    free(r->error_code);
    r->error_code = strdup(code);
  }
  if (r->error_msg != msg) {
    free(r->error_msg);
    r->error_msg = strdup(msg);
  }
  r->result = AEV__FH_FAILED;
  if (!r->attempts) r->attempts = 1;
  const char *type = error_type_of(code);
  char *prefix = NULL;
  if (!r->error_code || !r->error_msg ||
      aev__fh_prefix_eval(d->set.error_prefix, r->arrival_ms, type, 1, NULL, NULL, &prefix, NULL, 0))
    return -1;
  aev__fpart *p = find(d, prefix, type);
  if (p)
    free(prefix);
  else if (!(p = create(d, prefix, type)))
    return -1;
  return push(d, p, r);
}

/* The query's keys for r's data into *keys (NULL: no query); else the
 * reason in err. */
static int query_keys(aev_delivery *d, const aev__frec *r, json_t **keys, char *err, size_t errn) {
  *keys = NULL;
  if (!d->set.query) return 0;
  json_t *in = json_loadb((const char *)r->data, r->len, 0, NULL);
  if (!in) {
    snprintf(err, errn, "Non JSON record provided");
    return -1;
  }
  int rc = aev__jq_eval(d->set.query, in, keys, err, errn);
  json_decref(in);
  return rc;
}

int aev__fh_route(aev_delivery *d, aev__frec *r) {
  if (r->result == AEV__FH_DROPPED) {
    d->m_dropped++;
    aev__fh_rec_free(r);
    return 0;
  }
  if (r->result == AEV__FH_FAILED)
    return to_error(d, r, r->error_code ? r->error_code : "Lambda.ProcessingFailed",
                    r->error_msg ? r->error_msg : "");
  char err[512], missing[256];
  json_t *keys;
  if (query_keys(d, r, &keys, err, sizeof err)) return to_error(d, r, EXTRACTION_FAILED, err);
  char *prefix = NULL;
  int rc = aev__fh_prefix_eval(d->set.prefix, r->arrival_ms, NULL, 0, keys, r->keys, &prefix,
                               missing, sizeof missing);
  json_decref(keys);
  if (rc == -2) return -1;
  if (rc) {
    snprintf(err, sizeof err, "The partition key %s has no string, number or boolean value for "
             "this record.", missing);
    return to_error(d, r, EXTRACTION_FAILED, err);
  }
  aev__fpart *p = find(d, prefix, NULL);
  if (p) {
    free(prefix);
  } else if (d->active_parts >= MAX_ACTIVE_PARTITIONS) {
    free(prefix);
    return to_error(d, r, "DynamicPartitioning.ActivePartitionsLimitExceeded",
                    "The delivery stream has reached its limit of 500 active partitions.");
  } else if (!(p = create(d, prefix, NULL))) {
    return -1;
  }
  return push(d, p, r);
}

int aev__fh_partition_add(aev_delivery *d, aev__frec *r, int64_t now_ms) {
  r->arrival_ms = now_ms;
  aev__frec *sub;
  if (aev__fh_deaggregate(&d->set, r, &sub)) {
    aev__fh_rec_free(r);
    return -1;
  }
  int sealed = 0;
  while (sub) {
    aev__frec *next = sub->next;
    int rc;
    if (d->set.lambda_arn) { /* transformed first, then partitioned */
      rc = aev__fh_buffer_push(d, sub, now_ms, NULL);
    } else {
      d->m_in++;
      rc = aev__fh_route(d, sub);
    }
    if (rc < 0) { /* out of memory: this record and the rest are lost */
      while (sub) {
        next = sub->next;
        aev__fh_rec_free(sub);
        sub = next;
      }
      return -1;
    }
    sealed |= rc;
    sub = next;
  }
  return sealed;
}

void aev__fh_route_batch(aev_delivery *d, aev__batch *bt) {
  pthread_mutex_lock(&d->mu);
  while (bt->head) {
    aev__frec *r = bt->head;
    bt->head = r->next;
    if (r->result == AEV__FH_FAILED && !r->attempts) r->attempts = bt->transform_tries;
    if (aev__fh_route(d, r) < 0) {
      d->m_failed++;
      aev__fh_rec_free(r);
    }
  }
  bt->n = bt->bytes = 0;
  pthread_mutex_unlock(&d->mu);
  aev__fh_batch_done(d);
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
