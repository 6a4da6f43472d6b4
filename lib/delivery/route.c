/* Dynamic partitioning's routing: each record, deaggregated first, then
 * through the Lambda transform when there is one ("deaggregation → data
 * transformation via Lambda → partitioning keys", Firehose's guide), goes
 * to the partition of its evaluated prefix, with keys from the jq query
 * over its JSON and from the transform's metadata.partitionKeys. Records
 * whose keys cannot be evaluated, and those past the 500 active
 * partitions, go to the error output as AWS's error records, grouped by
 * error output type. Routing is planned (every allocation) before it is
 * carried out, so a put that runs out of memory changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/delivery_impl.h"

/* The default quota of active partitions per delivery stream (Buffer
 * data for dynamic partitioning: "the limit of 500 per Firehose stream"). */
#define MAX_ACTIVE_PARTITIONS 500

#define EXTRACTION_FAILED "DynamicPartitioning.MetadataExtractionFailed"

/* AWS's guide names activePartitionExceeded and decompression-failed
 * ("Troubleshoot decompression"); users of the service record
 * metadata-extraction-failed for keys that could not be extracted. */
const char *aev__fh_error_type(const char *code) {
  if (!strncmp(code, "Lambda.", 7) || !strncmp(code, "CloudWatchLogProcessing.", 24))
    return "processing-failed";
  if (!strncmp(code, "Decompression.", 14)) return "decompression-failed";
  if (!strcmp(code, "DynamicPartitioning.ActivePartitionsLimitExceeded"))
    return "activePartitionExceeded";
  return "metadata-extraction-failed";
}

/* Where a record goes, decided before anything changes: its partition
 * (one of the stream's, or one the plan makes) and, for the error output,
 * its error code and message (owned until committed). */
typedef struct dest {
  aev__frec *r;
  aev__fpart *part;
  char *code, *msg;
} dest;

/* The destinations of a list of records and the partitions they need
 * made: everything a put allocates, so that running out of memory leaves
 * the stream as it was. */
typedef struct plan {
  dest *dests;
  size_t n;
  aev__fpart *fresh; /* not linked to the stream yet */
  size_t fresh_data; /* of them, partitions of data */
} plan;

static aev__fpart *find_in(aev__fpart *p, const char *prefix, const char *error_type) {
  for (; p; p = p->next)
    if (p->error_type == error_type && !strcmp(p->prefix, prefix)) return p;
  return NULL;
}

/* The partition of prefix (taken): the stream's, the plan's, or a new one
 * in the plan; NULL when out of memory. */
static aev__fpart *partition_of(aev_delivery *d, plan *pl, char *prefix, const char *error_type) {
  aev__fpart *p = find_in(d->parts, prefix, error_type);
  if (!p) p = find_in(pl->fresh, prefix, error_type);
  if (p) {
    free(prefix);
    return p;
  }
  if (!(p = aev__fh_part_new(d, prefix, error_type))) return NULL;
  p->next = pl->fresh;
  pl->fresh = p;
  pl->fresh_data += !error_type;
  return p;
}

/* ds to the error output with code and message (copied): 0, or -1 when
 * out of memory. */
static int plan_error(aev_delivery *d, plan *pl, dest *ds, const char *code, const char *msg) {
  const char *type = aev__fh_error_type(code);
  char *prefix = NULL;
  if (!(ds->code = strdup(code)) || !(ds->msg = strdup(msg)) ||
      aev__fh_prefix_eval(d->set.error_prefix, ds->r->arrival_ms, type, 1, NULL, NULL, &prefix,
                          NULL, 0))
    return -1;
  return (ds->part = partition_of(d, pl, prefix, type)) ? 0 : -1;
}

/* The query's keys for r's data into *keys (NULL: no query): 0, -1 with
 * the reason in err, -2 when out of memory. */
static int query_keys(aev_delivery *d, const aev__frec *r, json_t **keys, char *err, size_t errn) {
  *keys = NULL;
  if (!d->set.query) return 0;
  json_error_t e;
  json_t *in = json_loadb((const char *)r->data, r->len, 0, &e);
  if (!in) {
    if (json_error_code(&e) == json_error_out_of_memory) return -2;
    snprintf(err, errn, "Non JSON record provided");
    return -1;
  }
  int rc = aev__jq_eval(d->set.query, in, keys, err, errn);
  json_decref(in);
  return rc;
}

/* Where ds->r goes: 0, or -1 when out of memory. */
static int plan_one(aev_delivery *d, plan *pl, dest *ds) {
  aev__frec *r = ds->r;
  if (r->result == AEV__FH_FAILED) /* by the transform */
    return plan_error(d, pl, ds, r->error_code ? r->error_code : "Lambda.ProcessingFailed",
                      r->error_msg ? r->error_msg : "");
  char err[512], missing[256];
  json_t *keys;
  int rc = query_keys(d, r, &keys, err, sizeof err);
  if (rc == -2) return -1;
  if (rc) return plan_error(d, pl, ds, EXTRACTION_FAILED, err);
  char *prefix = NULL;
  rc = aev__fh_prefix_eval(d->set.prefix, r->arrival_ms, NULL, 0, keys, r->keys, &prefix, missing,
                           sizeof missing);
  json_decref(keys);
  if (rc == -2) return -1;
  if (rc) {
    snprintf(err, sizeof err, "The partition key %s has no string, number or boolean value for "
             "this record.", missing);
    return plan_error(d, pl, ds, EXTRACTION_FAILED, err);
  }
  if (!find_in(d->parts, prefix, NULL) && !find_in(pl->fresh, prefix, NULL) &&
      d->active_parts + pl->fresh_data >= MAX_ACTIVE_PARTITIONS) {
    free(prefix);
    return plan_error(d, pl, ds, "DynamicPartitioning.ActivePartitionsLimitExceeded",
                      "The delivery stream has reached its limit of 500 active partitions.");
  }
  return (ds->part = partition_of(d, pl, prefix, NULL)) ? 0 : -1;
}

static void plan_free(plan *pl) {
  for (size_t i = 0; i < pl->n; i++) {
    free(pl->dests[i].code);
    free(pl->dests[i].msg);
  }
  free(pl->dests);
  while (pl->fresh) {
    aev__fpart *p = pl->fresh;
    pl->fresh = p->next;
    free(p->prefix);
    free(p);
  }
}

/* Plans the n records of list (Dropped ones excluded by the caller): 0,
 * or -1 when out of memory (pl freed, nothing changed). */
static int plan_all(aev_delivery *d, plan *pl, aev__frec *list, size_t n) {
  *pl = (plan){0};
  if (!(pl->dests = calloc(n ? n : 1, sizeof *pl->dests))) return -1;
  for (aev__frec *r = list; r; r = r->next) {
    dest *ds = &pl->dests[pl->n++];
    ds->r = r;
    if (plan_one(d, pl, ds)) {
      plan_free(pl);
      return -1;
    }
  }
  return 0;
}

/* Carries a plan out (nothing allocated): 1 when a buffer was sealed. */
static int commit(aev_delivery *d, plan *pl, int incoming) {
  while (pl->fresh) {
    aev__fpart *p = pl->fresh;
    pl->fresh = p->next;
    p->next = d->parts;
    d->parts = p;
  }
  d->active_parts += pl->fresh_data;
  int sealed = 0;
  for (size_t i = 0; i < pl->n; i++) {
    dest *ds = &pl->dests[i];
    aev__frec *r = ds->r;
    if (ds->code) {
      free(r->error_code);
      free(r->error_msg);
      r->error_code = ds->code;
      r->error_msg = ds->msg;
      r->result = AEV__FH_FAILED;
      if (!r->attempts) r->attempts = 1;
    }
    d->m_in += incoming;
    sealed |= aev__fh_part_push(d, ds->part, r);
  }
  free(pl->dests);
  return sealed;
}

static void free_list(aev__frec *r) {
  while (r) {
    aev__frec *next = r->next;
    aev__fh_rec_free(r);
    r = next;
  }
}

int aev__fh_partition_add(aev_delivery *d, aev__frec *list, int64_t now_ms) {
  /* Decompressed and deaggregated first, every record: out of memory, none
   * is taken. A dropped CONTROL_MESSAGE is counted once the rest is. */
  aev__frec *all = NULL, **tail = &all;
  size_t n = 0, dropped = 0;
  while (list) {
    aev__frec *r = list, *sub;
    list = r->next;
    r->arrival_ms = now_ms;
    aev__fh_decompress(&d->set, r);
    if (r->result == AEV__FH_DROPPED) {
      dropped++;
      aev__fh_rec_free(r);
      continue;
    }
    if (aev__fh_deaggregate(&d->set, r, &sub)) {
      r->next = list;
      *tail = r;
      free_list(all);
      return -1;
    }
    *tail = sub;
    for (; *tail; tail = &(*tail)->next) n++;
  }
  plan pl;
  if (!d->set.lambda_arn && plan_all(d, &pl, all, n)) {
    free_list(all);
    return -1;
  }
  d->m_in += (int64_t)dropped;
  d->m_dropped += (int64_t)dropped;
  if (!d->set.lambda_arn) return commit(d, &pl, 1);
  int sealed = 0; /* transformed first, then partitioned */
  while (all) {
    aev__frec *r = all;
    all = r->next;
    sealed |= aev__fh_buffer_push(d, r, now_ms, NULL);
  }
  return sealed;
}

void aev__fh_route_batch(aev_delivery *d, aev__batch *bt) {
  pthread_mutex_lock(&d->mu);
  while (bt->head) {
    aev__frec *r = bt->head;
    bt->head = r->next;
    r->next = NULL;
    if (r->result == AEV__FH_DROPPED) {
      d->m_dropped++;
      aev__fh_rec_free(r);
      continue;
    }
    if (r->result == AEV__FH_FAILED && !r->attempts) r->attempts = bt->transform_tries;
    plan pl;
    if (plan_all(d, &pl, r, 1)) { /* out of memory: the record is lost */
      d->m_failed++;
      aev__fh_rec_free(r);
      continue;
    }
    commit(d, &pl, 0);
  }
  bt->n = bt->bytes = 0;
  pthread_mutex_unlock(&d->mu);
  aev__fh_batch_done(d);
}

