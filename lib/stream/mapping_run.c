/* Running a stream mapping on its strand: shards are read in lineage order
 * (children only after every parent is drained), each shard split into
 * ParallelizationFactor partitions by partition key so a key's records
 * stay in order; a partition has at most one batch in flight. A batch is
 * BatchSize records (at most 4 MiB of data), held back by the batching
 * window; filtered-out records are checkpointed past, records older than
 * MaximumRecordAgeInSeconds go to the failure destination. A function
 * error bisects the batch (BisectBatchOnFunctionError; not a retry) or is
 * retried with backoff until MaximumRetryAttempts, then the batch goes to
 * the OnFailure destination and the shard moves on. ReportBatchItemFailures
 * checkpoints at the lowest failed sequence number. With tumbling windows
 * (mapping_window.c) a batch stays inside one window and carries its
 * state, and a window that ended gets its final invocation first. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/topic.h"
#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "function/function.h"
#include "queue/queue.h"
#include "stream/mapping_impl.h"

#define BATCH_BYTES (4u << 20)

static int64_t mono(const aev__mapping *m) {
  return aev__clock_mono_ms(aev__broker_clock(m->b));
}

static void batch_free(aev__mbatch *bt) {
  if (!bt) return;
  for (size_t i = 0; i < bt->n; i++) {
    free(bt->r[i].key);
    free(bt->r[i].data);
  }
  free(bt->r);
  json_decref(bt->state);
  free(bt);
}

/* The partition of a record among n, by its partition key. */
static int part_of(int n, const char *key, size_t len) {
  if (n == 1) return 0;
  return (int)(aev__hash_of_key(key, len) % (aev__u128)n);
}

/* stream mu held: adds shards that appeared and moves shard states on:
 * waiting -> reading when its parents are done, reading -> done at the
 * end of a closed shard. */
int aev__mapping_sync(aev__mapping *m, aev_stream *s, int64_t now) {
  int first = m->nshards == 0, rc = 0;
  if (s->nshards > m->nshards) {
    aev__mshard *a = realloc(m->shards, s->nshards * sizeof *a);
    if (!a) return -1;
    m->shards = a;
    size_t i;
    for (i = m->nshards; i < s->nshards; i++) {
      aev__shard *sh = &s->shards[i];
      aev__mshard *ms = &a[i];
      ms->id = (uint32_t)i;
      /* Out of memory, this shard and the later ones wait for the next
       * sync: a shard skipped would never be read. */
      if (!(ms->parts = calloc((size_t)m->factor, sizeof *ms->parts))) {
        rc = -1;
        break;
      }
      ms->nparts = m->factor;
      ms->seen = NULL;
      ms->state = 0;
      if (aev__shard_expired(s, sh, now)) ms->state = 2;
      if (ms->state == 0 && first && !strcmp(m->starting, "LATEST")) {
        ms->state = sh->closed ? 2 : 1;
        for (int p = 0; p < ms->nparts; p++) ms->parts[p].pos = sh->next;
      }
    }
    m->nshards = i;
  }
  for (int changed = 1; changed;) {
    changed = 0;
    for (size_t i = 0; i < m->nshards; i++) {
      aev__mshard *ms = &m->shards[i];
      aev__shard *sh = &s->shards[i];
      if (ms->state == 0) {
        int ready = 1;
        if (sh->parent >= 0) ready &= m->shards[sh->parent].state == 2;
        if (sh->adjacent >= 0) ready &= m->shards[sh->adjacent].state == 2;
        if (!ready) continue;
        uint64_t pos = !strcmp(m->starting, "AT_TIMESTAMP")
                           ? aev__shard_seek_time(sh, m->start_ts_ms)
                           : sh->first;
        for (int p = 0; p < ms->nparts; p++) ms->parts[p].pos = pos;
        ms->state = 1;
        changed = 1;
      } else if (ms->state == 1 && sh->closed) {
        int done = 1;
        for (int p = 0; p < ms->nparts; p++)
          done &= !ms->parts[p].in_flight && ms->parts[p].pos >= sh->next &&
                  !ms->parts[p].win_open;
        if (done) {
          ms->state = 2;
          changed = 1;
        }
      }
    }
  }
  return rc;
}

static aev__mrec copy_rec(const aev_stream *s, const aev__shard *sh,
                          uint64_t idx, const aev__krec *k) {
  aev__mrec r = {.index = idx, .arrival_ms = k->arrival_ms, .len = k->len};
  aev__seq_encode(s, sh, idx, k->arrival_ms, r.seq);
  r.key = strndup(k->bytes, k->key_len);
  r.data = malloc(k->len + 1);
  if (r.data) {
    memcpy(r.data, k->bytes + k->key_len, k->len);
    r.data[k->len] = '\0';
  }
  return r;
}

/* Adds r to bt (taking it); -1 when memory is short (r freed). */
static int push(aev__mbatch *bt, aev__mrec r, size_t *cap) {
  aev__mrec *a = bt->r;
  if (r.key && r.data && bt->n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    if ((a = realloc(bt->r, c * sizeof *a)) != NULL) {
      bt->r = a;
      *cap = c;
    }
  }
  if (!r.key || !r.data || !a) {
    free(r.key);
    free(r.data);
    return -1;
  }
  bt->r[bt->n++] = r;
  return 0;
}

/* Sends a failure record for bt to the OnFailure destination, if any: a
 * queue gets it as a message body, a topic as the message, a function as an
 * Event payload. */
static void to_destination(aev__mapping *m, const aev__mbatch *bt,
                           const char *condition, int invokes,
                           const char *function_error) {
  if (!m->on_failure || !bt->n) return;
  char *rec = aev__mapping_failure(m, bt, condition, invokes, function_error);
  if (!rec) return;
  if (!strncmp(m->on_failure, "arn:aws:sqs:", 12)) {
    aev_queue *q;
    if (aev__queue_find(m->b, m->on_failure, &q) == AEV_OK) {
      aev__send_req req = {.body = rec, .len = strlen(rec), .delay = -1};
      aev__sent sent;
      aev__queue_send(q, &req, &sent);
      aev_queue_release(q);
    }
  } else if (!strncmp(m->on_failure, "arn:aws:sns:", 12)) {
    aev_topic *t;
    if (aev_topic_get(m->b, m->on_failure, &t) == AEV_OK) {
      aev_topic_publish(t, rec, strlen(rec), NULL, NULL, NULL);
      aev_topic_release(t);
    }
  } else {
    aev__function_event_to(m->b, m->on_failure, rec, strlen(rec));
  }
  free(rec);
}

typedef struct completion {
  aev__mapping *m;
  aev__mbatch *bt;
  char *payload;
  int function_error;
  char error_type[64];
} completion;

static void complete_task(void *arg, int cancelled);

static void invoke_done(void *user, const aev__invoke_result *res) {
  completion *c = user;
  c->payload = strndup(res->payload ? res->payload : "", res->len);
  c->function_error = res->function_error != NULL;
  if (res->function_error)
    snprintf(c->error_type, sizeof c->error_type, "%s", res->function_error);
  if (aev__sched_post(aev__broker_sched(c->m->b), c->m->strand, complete_task,
                      c) != AEV_OK)
    complete_task(c, 1);
}

/* Out of memory with nothing else due to wake the partition: another
 * look in a second. */
static void look_again(aev__mpart *part, int64_t mnow, int64_t *deadline) {
  part->retry_at = mnow + 1000;
  if (part->retry_at < *deadline) *deadline = part->retry_at;
}

/* Reads the next batch of one partition and invokes the function.
 * *deadline gets the earliest time this partition wants another look. */
static void dispatch(aev__mapping *m, aev__mshard *ms, int p,
                     int64_t *deadline) {
  aev__mpart *part = &ms->parts[p];
  int64_t mnow = mono(m);
  if (part->in_flight) return;
  if (part->retry_at > mnow) {
    if (part->retry_at < *deadline) *deadline = part->retry_at;
    return;
  }
  aev_stream *s = m->s;
  aev__mbatch *bt = calloc(1, sizeof *bt), aged = {0};
  if (!bt) {
    look_again(part, mnow, deadline);
    return;
  }
  bt->shard = ms->id;
  bt->part = p;
  size_t cap = 0, aged_cap = 0, bytes = 0;
  size_t limit = part->limit ? part->limit : (size_t)m->batch_size;
  pthread_mutex_lock(&s->mu);
  aev__shard *sh = &s->shards[ms->id];
  int64_t now = aev__stream_now_ms(s);
  aev__shard_trim(sh, aev__stream_horizon(s, now));
  if (part->pos < sh->first) part->pos = sh->first;
  uint64_t idx = part->pos;
  int at_tip, boundary = 0, nomem = 0;
  for (; idx < sh->next && bt->n < limit; idx++) {
    aev__krec *k = aev__shard_at(sh, idx);
    if (bt->n && bytes + k->len > BATCH_BYTES) break;
    if (part_of(ms->nparts, k->bytes, k->key_len) != p) continue;
    if (ms->seen && idx < ms->seen[part_of(ms->nseen, k->bytes, k->key_len)])
      continue; /* done before the partitions changed */
    if (m->tumbling_s) {
      /* A batch stays inside one window; the open window comes first. */
      int64_t w = aev__window_of(m, k->arrival_ms);
      int64_t cur = bt->n ? bt->win_start : part->win_open ? part->win_start : w;
      if (w != cur) {
        boundary = 1;
        break;
      }
      bt->win_start = w;
    }
    aev__mrec r = copy_rec(s, sh, idx, k);
    if (m->max_age_s >= 0 && now - k->arrival_ms > (int64_t)m->max_age_s * 1000) {
      if (!bt->n) push(&aged, r, &aged_cap);
      else { free(r.key); free(r.data); break; }
      continue;
    }
    int pass = aev__mapping_passes(m, &r);
    if (pass <= 0) {
      free(r.key);
      free(r.data);
      if (pass < 0) { /* out of memory: the record is read again next time */
        nomem = 1;
        break;
      }
      continue;
    }
    bytes += k->len;
    if (push(bt, r, &cap)) {
      nomem = 1;
      break;
    }
  }
  at_tip = idx >= sh->next;
  pthread_mutex_unlock(&s->mu);
  bt->end = idx;
  if (aged.n) {
    aged.shard = ms->id;
    to_destination(m, &aged, "RecordAgeExceeded", 0, NULL);
    for (size_t i = 0; i < aged.n; i++) {
      free(aged.r[i].key);
      free(aged.r[i].data);
    }
    free(aged.r);
  }
  if (m->tumbling_s && part->win_open) {
    int64_t win_end = aev__window_end(m, part->win_start);
    if (!bt->n) part->pos = idx;
    if (part->early || (!bt->n && (boundary || now >= win_end))) {
      /* The window is over (or its state outgrew 1 MB): its final
       * invocation, with no records, before anything else. */
      for (size_t i = 0; i < bt->n; i++) {
        free(bt->r[i].key);
        free(bt->r[i].data);
      }
      bt->n = 0;
      bt->end = part->pos;
      bt->final = 1;
      bt->early = part->early;
      bt->win_start = part->win_start;
    } else if (!bt->n) {
      int64_t when = mnow + (win_end - now);
      if (when < *deadline) *deadline = when;
      batch_free(bt);
      return;
    }
  }
  if (!bt->n && !bt->final) {
    part->pos = idx;
    if (nomem) look_again(part, mnow, deadline);
    batch_free(bt);
    return;
  }
  if (m->tumbling_s && part->win_open && part->win_start == bt->win_start)
    bt->state = json_incref(part->state);
  /* Hold a short batch until its window closes (MaximumBatchingWindow). */
  int64_t window_end =
      bt->n ? bt->r[0].arrival_ms + (int64_t)m->window_s * 1000 : now;
  if (m->window_s && bt->n < limit && at_tip && window_end > now) {
    int64_t when = mnow + (window_end - now);
    if (when < *deadline) *deadline = when;
    batch_free(bt);
    return;
  }
  char *event = aev__mapping_event(m, bt);
  aev_function *f = NULL;
  completion *c = calloc(1, sizeof *c);
  /* The mapping's version or alias, as Invoke would route it. */
  const char *q;
  char buf[512];
  int rc = !event || !c         ? AEV_ERR_NOMEM
           : m->sink.deliver ? AEV_OK
                             : aev__function_find_qualified(m->b, m->function_arn, &f, &q,
                                                            buf, sizeof buf);
  if (rc == AEV_OK) {
    c->m = m;
    c->bt = bt;
    m->refs++;
    part->in_flight = 1;
    if (!m->sink.deliver) {
      rc = aev__function_call_mapped(f, q, event, strlen(event), invoke_done, c);
    } else if ((rc = m->sink.deliver(m->sink.user, event, strlen(event), invoke_done, c)) ==
               AEV_OK) {
      event = NULL; /* the sink's now */
    }
    if (rc != AEV_OK) {
      part->in_flight = 0;
      m->refs--;
    }
  }
  aev_function_release(f);
  free(event);
  if (rc != AEV_OK) {
    /* Throttled, or the function is gone: try again in a second (Lambda
     * does not count throttles as retries). */
    snprintf(m->last_result, sizeof m->last_result, "PROBLEM: %s",
             rc == AEV_ERR_THROTTLED ? "Function call throttled."
                                     : "Function not found.");
    part->retry_at = mnow + 1000;
    if (part->retry_at < *deadline) *deadline = part->retry_at;
    free(c);
    batch_free(bt);
  }
}

/* A shard takes a new ParallelizationFactor when none of its partitions
 * has a batch in flight (a completion finds its partition by index):
 * every new partition starts at the lowest checkpoint, and the old
 * checkpoints are kept until each new partition is past them all, so no
 * record is handed to the function twice. Retries and open tumbling
 * windows start afresh. A shard still skipping for a previous change
 * waits for it to end. Out of memory, the old partitions read on. */
static void repartition(aev__mapping *m, aev__mshard *ms) {
  uint64_t lo = UINT64_MAX, hi = 0;
  int idle = 1;
  for (int p = 0; p < ms->nparts; p++) {
    idle &= !ms->parts[p].in_flight;
    if (ms->parts[p].pos < lo) lo = ms->parts[p].pos;
    if (ms->parts[p].pos > hi) hi = ms->parts[p].pos;
  }
  if (ms->seen) {
    int past = 1;
    for (int p = 0; p < ms->nparts; p++) past &= ms->parts[p].pos >= ms->seen_end;
    if (!past) return;
    free(ms->seen);
    ms->seen = NULL;
    ms->seen_end = 0;
  }
  if (ms->nparts == m->factor || !idle) return;
  aev__mpart *parts = calloc((size_t)m->factor, sizeof *parts);
  uint64_t *seen = hi > lo ? malloc((size_t)ms->nparts * sizeof *seen) : NULL;
  if (!parts || (hi > lo && !seen)) {
    free(parts);
    free(seen);
    return;
  }
  for (int p = 0; p < ms->nparts; p++) {
    if (seen) seen[p] = ms->parts[p].pos;
    json_decref(ms->parts[p].state);
  }
  for (int p = 0; p < m->factor; p++) parts[p].pos = lo;
  free(ms->parts);
  ms->parts = parts;
  ms->seen = seen;
  ms->nseen = ms->nparts;
  ms->seen_end = hi;
  ms->nparts = m->factor;
}

void aev__mapping_pump(void *arg, int cancelled) {
  aev__mapping *m = arg;
  m->pump_posted = 0;
  if (!cancelled && !m->deleted) {
    pthread_mutex_lock(&m->s->mu);
    aev__mapping_sync(m, m->s, aev__stream_now_ms(m->s));
    /* Read through a consumer that was deregistered since: no batch
     * starts (the records wait at the checkpoints) and
     * LastProcessingResult says why; a record put to the stream looks
     * again. */
    int gone = m->consumer_arn && !aev__consumer_by_arn(m->s, m->consumer_arn);
    pthread_mutex_unlock(&m->s->mu);
    if (gone)
      snprintf(m->last_result, sizeof m->last_result,
               "PROBLEM: Stream consumer not found.");
    int64_t deadline = INT64_MAX;
    for (size_t i = 0; !m->disabled && !gone && i < m->nshards; i++)
      if (m->shards[i].state == 1) {
        repartition(m, &m->shards[i]);
        for (int p = 0; p < m->shards[i].nparts; p++)
          dispatch(m, &m->shards[i], p, &deadline);
      }
    /* Drained children may have opened their children: look again. */
    pthread_mutex_lock(&m->s->mu);
    size_t reading = 0;
    for (size_t i = 0; i < m->nshards; i++) reading += m->shards[i].state == 1;
    aev__mapping_sync(m, m->s, aev__stream_now_ms(m->s));
    size_t after = 0;
    for (size_t i = 0; i < m->nshards; i++) after += m->shards[i].state == 1;
    pthread_mutex_unlock(&m->s->mu);
    if (after != reading) aev__mapping_wake(m);
    if (deadline != INT64_MAX) {
      aev__sched *sched = aev__broker_sched(m->b);
      if (!aev__timer_cancel(sched, &m->timer)) m->refs++;
      if (aev__timer_arm(sched, &m->timer, deadline) != AEV_OK)
        aev__mapping_unref(m);
    }
  }
  aev__mapping_unref(m);
}

/* The lowest sequence number a ReportBatchItemFailures response names, as
 * an index into bt; -1 for success (no failures), -2 for an invalid
 * response (the whole batch failed). */
static long lowest_failure(const aev__mbatch *bt, const char *payload) {
  json_t *resp; /* out of memory fails the batch, to be retried */
  if (aev__json_parse_str(payload, 0, &resp) == AEV_ERR_NOMEM) return -2;
  json_t *list = json_object_get(resp, "batchItemFailures");
  long low = -1;
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    const char *id = json_string_value(json_object_get(item, "itemIdentifier"));
    long hit = -2;
    for (size_t k = 0; id && *id && k < bt->n; k++)
      if (!strcmp(bt->r[k].seq, id)) hit = (long)k;
    if (hit == -2) {
      low = -2;
      break;
    }
    if (low == -1 || hit < low) low = hit;
  }
  json_decref(resp);
  return low;
}

/* A batch's outcome: checkpoint, bisect, retry or give up. */
static void batch_outcome(aev__mapping *m, aev__mpart *part, completion *c,
                          long low) {
  aev__mbatch *bt = c->bt;
  if (low == -1) {
    part->pos = bt->end;
    part->attempts = 0;
    part->limit = 0;
    snprintf(m->last_result, sizeof m->last_result, "OK");
    return;
  }
  /* Checkpoint at the first failed record; what precedes it is done. */
  if (low > 0) {
    part->pos = bt->r[low].index;
    for (long k = 0; k < low; k++) {
      free(bt->r[k].key);
      free(bt->r[k].data);
    }
    memmove(bt->r, bt->r + low, (bt->n - (size_t)low) * sizeof *bt->r);
    bt->n -= (size_t)low;
  }
  snprintf(m->last_result, sizeof m->last_result, "PROBLEM: Function call failed");
  if (m->bisect && bt->n > 1) {
    part->limit = bt->n / 2;
  } else if (m->max_retries >= 0 && ++part->attempts > m->max_retries) {
    to_destination(m, bt, "RetryAttemptsExhausted", part->attempts,
                   c->function_error ? c->error_type : NULL);
    part->pos = bt->end;
    part->attempts = 0;
    part->limit = 0;
  } else {
    int64_t wait = 1000LL << (part->attempts < 7 ? part->attempts : 6);
    part->retry_at = mono(m) + (wait > 60000 ? 60000 : wait);
  }
}

static void complete_task(void *arg, int cancelled) {
  completion *c = arg;
  aev__mapping *m = c->m;
  aev__mbatch *bt = c->bt;
  if (!cancelled && !m->deleted && bt->shard < m->nshards) {
    aev__mpart *part = &m->shards[bt->shard].parts[bt->part];
    part->in_flight = 0;
    /* With tumbling windows a response must carry the state. */
    json_t *state = m->tumbling_s && !c->function_error
                        ? aev__window_state(c->payload)
                        : NULL;
    if (bt->final) {
      /* An update may have switched the windows off meanwhile. */
      if (m->tumbling_s) aev__window_final_done(part, state != NULL, mono(m));
      snprintf(m->last_result, sizeof m->last_result,
               state ? "OK" : "PROBLEM: Function call failed");
      json_decref(state);
    } else {
      long low = c->function_error ? -2
                 : m->report_failures ? lowest_failure(bt, c->payload)
                                      : -1;
      if (m->tumbling_s && !state) low = -2;
      /* Records before a reported failure are done: their state stays. */
      if (state && low != -2)
        aev__window_keep(part, bt->win_start, state);
      else
        json_decref(state);
      batch_outcome(m, part, c, low);
    }
    aev__mapping_wake(m);
  }
  batch_free(bt);
  free(c->payload);
  free(c);
  aev__mapping_unref(m);
}
