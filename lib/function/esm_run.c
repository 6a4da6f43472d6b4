/* A queue mapping at work: woken by its queue watch (never a polling
 * timer), it receives up to BatchSize messages, drops those its filters
 * reject (deleting them, as Lambda does), waits up to
 * MaximumBatchingWindowInSeconds for a batch to fill, and invokes the
 * function with at most MaximumConcurrency batches in flight. A batch that
 * succeeds is deleted; with ReportBatchItemFailures only the messages not
 * listed in batchItemFailures are; a failed batch is left to reappear after
 * its visibility timeout and to follow the queue's redrive policy. A
 * pipe's poller (aev__esm_sink_new) is the same machinery with a sink in
 * place of the function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/clock.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "function/lineage.h"
#include "queue/queue.h"

typedef struct batch {
  aev__esm *m; /* counted */
  size_t n;
  aev_message *msgs[];
} batch;

void aev__esm_ref(aev__esm *m) { m->refs++; }

void aev__esm_unref(aev__esm *m) {
  if (--m->refs > 0) return;
  for (size_t i = 0; i < m->nbuf; i++) aev_message_free(m->buf[i]);
  free(m->buf);
  for (int i = 0; i < m->npatterns; i++) aev_pattern_free(m->patterns[i]);
  json_decref(m->filters);
  free(m->function_arn);
  if (m->sink_release) m->sink_release(m->sink_user);
  aev_queue_release(m->q);
  free(m->source_arn);
  pthread_mutex_destroy(&m->mu);
  free(m);
}

/* ReportBatchItemFailures: marks failed[i] for each listed message. Returns
 * 0 when the response fails the whole batch (an identifier that is empty,
 * missing or not in the batch). */
static int item_failures(const batch *bt, const aev__invoke_result *r,
                         char *failed) {
  json_t *resp;
  /* Out of memory fails the batch: its messages are received again. */
  if (aev__json_parse(r->payload, r->len, JSON_DECODE_ANY, &resp, NULL) == AEV_ERR_NOMEM)
    return 0;
  json_t *list = json_object_get(resp, "batchItemFailures");
  int ok = 1;
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    const char *id = json_string_value(json_object_get(item, "itemIdentifier"));
    size_t j = 0;
    while (id && *id && j < bt->n && strcmp(aev_message_id(bt->msgs[j]), id))
      j++;
    if (!id || !*id || j == bt->n) {
      ok = 0;
      break;
    }
    failed[j] = 1;
  }
  json_decref(resp);
  return ok;
}

static void batch_free(batch *bt) {
  for (size_t i = 0; i < bt->n; i++) aev_message_free(bt->msgs[i]);
  free(bt);
}

static void batch_done(void *user, const aev__invoke_result *r) {
  batch *bt = user;
  aev__esm *m = bt->m;
  pthread_mutex_lock(&m->mu);
  int report = m->report_failures;
  pthread_mutex_unlock(&m->mu);
  if (!r->function_error) {
    char *failed = calloc(bt->n, 1);
    if (failed && (!report || item_failures(bt, r, failed))) {
      size_t k = 0;
      for (size_t i = 0; i < bt->n; i++)
        if (!failed[i]) bt->msgs[k++] = bt->msgs[i];
        else aev_message_free(bt->msgs[i]);
      aev__queue_delete_received(m->q, bt->msgs, k);
      bt->n = k;
    }
    free(failed);
  }
  batch_free(bt);
  pthread_mutex_lock(&m->mu);
  m->inflight--;
  pthread_mutex_unlock(&m->mu);
  aev__esm_pump(m);
  aev__esm_unref(m);
}

/* Takes the buffered messages as a batch (mu held; inflight counted). */
static batch *take_locked(aev__esm *m) {
  batch *bt = malloc(sizeof *bt + m->nbuf * sizeof bt->msgs[0]);
  if (!bt) return NULL;
  bt->m = m;
  bt->n = m->nbuf;
  memcpy(bt->msgs, m->buf, m->nbuf * sizeof m->buf[0]);
  m->nbuf = 0;
  m->inflight++;
  m->refs++;
  if (m->window_armed &&
      aev__timer_cancel(aev__broker_sched(m->b), &m->window)) {
    m->window_armed = 0;
    m->refs--; /* the timer's reference; the batch holds another */
  }
  return bt;
}

static void dispatch_refused(batch *bt);

/* The chain the batch continues (lineage.h): that of its message whose
 * chain invoked f most, so a loop among them is stopped. Lambda then
 * "returns a RecursiveInvocationException to the event source mapping":
 * the batch is refused, its messages are received again after their
 * visibility timeout, and the queue's redrive policy takes them to its
 * dead-letter queue once maxReceiveCount is exceeded (developer guide). */
static const char *batch_lineage(const batch *bt, const aev_function *f) {
  const char *most = NULL;
  int n = -1;
  for (size_t i = 0; i < bt->n; i++) {
    const char *l = aev__message_lineage(bt->msgs[i]);
    int k = l ? aev__lineage_count(l, f->res.name) : -1;
    if (k > n) {
      most = l;
      n = k;
    }
  }
  return most;
}

/* Invokes the function, or hands the batch to the sink (no lock held). A
 * refused call (throttled, function gone) leaves the messages in flight:
 * they reappear after their visibility timeout (and follow the queue's
 * redrive policy), and the watch wakes the mapping then. */
static void dispatch(batch *bt) {
  aev__esm *m = bt->m;
  size_t len;
  char *event = aev__esm_event(m, bt->msgs, bt->n, &len);
  if (m->sink) {
    int src = event ? m->sink(m->sink_user, event, len, batch_done, bt)
                    : AEV_ERR_NOMEM;
    if (src == AEV_OK) return;
    free(event);
    event = NULL;
    dispatch_refused(bt);
    return;
  }
  /* The mapping's function, version or alias, looked up by its ARN for
   * each batch (an update may change it meanwhile) and routed as Invoke
   * routes it: deleted, it fails the batch, and one created again under
   * that name takes the next. */
  char arn[512], buf[512];
  pthread_mutex_lock(&m->mu);
  snprintf(arn, sizeof arn, "%s", m->function_arn);
  pthread_mutex_unlock(&m->mu);
  aev_function *f = NULL;
  const char *qualifier;
  int rc = !event ? AEV_ERR_NOMEM
                  : aev__function_find_qualified(m->b, arn, &f, &qualifier, buf, sizeof buf);
  if (rc == AEV_OK)
    rc = aev__fn_call_built(f, qualifier, batch_lineage(bt, f), event, len,
                            AEV__CALL_OWN | AEV__CALL_MAPPING, batch_done, bt);
  aev_function_release(f);
  /* Lambda's LastProcessingResult for a function (or qualifier) it cannot
   * find; cleared once a batch reaches one again. */
  if (rc == AEV_OK || rc == AEV_ERR_NOT_FOUND) {
    pthread_mutex_lock(&m->mu);
    snprintf(m->last_result, sizeof m->last_result, "%s",
             rc == AEV_OK ? "" : "PROBLEM: Function not found.");
    pthread_mutex_unlock(&m->mu);
  }
  if (rc == AEV_OK) return;
  free(event);
  dispatch_refused(bt);
}

static void dispatch_refused(batch *bt) {
  aev__esm *m = bt->m;
  batch_free(bt);
  pthread_mutex_lock(&m->mu);
  m->inflight--;
  if (m->watch) aev__queue_watch_rearm(m->watch);
  pthread_mutex_unlock(&m->mu);
  aev__esm_unref(m);
}

static void window_task(void *arg, int cancelled) {
  aev__esm *m = arg;
  batch *bt = NULL;
  pthread_mutex_lock(&m->mu);
  m->window_armed = 0;
  if (!cancelled && m->nbuf && !m->deleted) bt = take_locked(m);
  pthread_mutex_unlock(&m->mu);
  if (bt) dispatch(bt);
  if (!cancelled) aev__esm_pump(m);
  aev__esm_unref(m);
}

/* Receives once (no lock held); filtered-out messages are deleted. */
static int receive(aev__esm *m, size_t want, aev_message **got, size_t *n) {
  aev__recv_req r = {.max = (int)want, .wait_ms = 0, .visibility = -1,
                     .all_names = 1};
  int rc = aev__queue_receive(m->q, &r, got, n);
  if (rc != AEV_OK || !m->npatterns) return rc;
  size_t k = 0;
  aev_message *drop[10];
  size_t ndrop = 0;
  for (size_t i = 0; i < *n; i++) {
    int match = aev__esm_matches(m, got[i]);
    if (match > 0) got[k++] = got[i];
    else if (match == 0) drop[ndrop++] = got[i];
    else aev_message_free(got[i]); /* unknown: it reappears after its visibility timeout */
  }
  aev__queue_delete_received(m->q, drop, ndrop);
  for (size_t i = 0; i < ndrop; i++) aev_message_free(drop[i]);
  *n = k;
  return AEV_OK;
}

/* Lambda's SQS scaling: five concurrent batches when messages appear, up
 * to 300 more each minute the backlog lasts, never above
 * MaximumConcurrency (mu held). */
#define SCALE_START 5
#define SCALE_PER_MINUTE 300

static int concurrency_locked(aev__esm *m) {
  int64_t now = aev__clock_mono_ms(aev__broker_clock(m->b));
  if (m->backlog_since < 0) m->backlog_since = now;
  int64_t n = SCALE_START + SCALE_PER_MINUTE * ((now - m->backlog_since) / 60000);
  return n < m->max_concurrency ? (int)n : m->max_concurrency;
}

void aev__esm_pump(aev__esm *m) {
  int rearm = 0;
  pthread_mutex_lock(&m->mu);
  if (m->pumping) {
    m->again = 1;
    pthread_mutex_unlock(&m->mu);
    return;
  }
  m->pumping = 1;
  do {
    m->again = 0;
    while (!m->deleted && m->enabled && m->inflight < concurrency_locked(m)) {
      size_t want = (size_t)m->batch_size - m->nbuf;
      if (want > 10) want = 10;
      pthread_mutex_unlock(&m->mu);
      aev_message *got[10];
      size_t n = 0;
      int rc = receive(m, want, got, &n);
      pthread_mutex_lock(&m->mu);
      if (rc != AEV_OK) break;
      for (size_t i = 0; i < n; i++) m->buf[m->nbuf++] = got[i];
      if (m->nbuf && (m->nbuf >= (size_t)m->batch_size || !m->window_s)) {
        batch *bt = take_locked(m);
        pthread_mutex_unlock(&m->mu);
        if (bt) dispatch(bt);
        pthread_mutex_lock(&m->mu);
        continue;
      }
      if (m->nbuf && !m->window_armed) {
        aev__sched *s = aev__broker_sched(m->b);
        int64_t at = aev__clock_mono_ms(aev__broker_clock(m->b)) + (int64_t)m->window_s * 1000;
        m->refs++;
        if (aev__timer_arm(s, &m->window, at) == AEV_OK) m->window_armed = 1;
        else m->refs--;
      }
      if (n == 0 && want > 0) {
        if (!m->nbuf && !m->inflight) m->backlog_since = -1; /* drained */
        rearm = 1;
        break;
      }
    }
  } while (m->again);
  m->pumping = 0;
  /* Lock order: a mapping's lock, then its queue's (never the reverse). */
  if (rearm && m->watch) aev__queue_watch_rearm(m->watch);
  pthread_mutex_unlock(&m->mu);
}

static void on_watch(void *user) { aev__esm_pump(user); }

static void on_watch_release(void *user) { aev__esm_unref(user); }

int aev__esm_start(aev__esm *m) {
  aev__timer_init(&m->window, window_task, m, NULL);
  m->refs++;
  struct aev__queue_watch *w;
  int rc = aev__queue_watch_new(m->q, on_watch, m, on_watch_release, &w);
  if (rc != AEV_OK) {
    m->refs--;
    return rc;
  }
  /* A pump may already run (the watch fires at once): it saw no watch to
   * rearm, so rearm here for messages whose delay is still running. A
   * mapping deleted meanwhile keeps no watch. */
  pthread_mutex_lock(&m->mu);
  int deleted = m->deleted;
  if (!deleted) {
    m->watch = w;
    aev__queue_watch_rearm(w);
  }
  pthread_mutex_unlock(&m->mu);
  if (deleted) aev__queue_watch_free(w);
  return AEV_OK;
}

void aev__esm_stop(aev__esm *m) {
  pthread_mutex_lock(&m->mu);
  m->deleted = 1;
  struct aev__queue_watch *w = m->watch;
  m->watch = NULL;
  int cancelled = m->window_armed &&
                  aev__timer_cancel(aev__broker_sched(m->b),
                                    &m->window);
  if (cancelled) m->window_armed = 0;
  pthread_mutex_unlock(&m->mu);
  if (cancelled) aev__esm_unref(m);
  aev__queue_watch_free(w);
}

int aev__esm_sink_new(aev_broker *b, const char *queue_arn,
                      const aev__esm_sink *cfg, aev__esm **out) {
  aev_queue *q = NULL;
  int rc = aev__queue_find(b, queue_arn, &q);
  if (rc != AEV_OK) return rc;
  aev__esm *m = calloc(1, sizeof *m);
  if (!m || !(m->buf = calloc((size_t)cfg->batch_size, sizeof *m->buf)) ||
      !(m->source_arn = strdup(aev_queue_arn(q)))) {
    if (m) free(m->buf);
    free(m);
    aev_queue_release(q);
    return aev__nomem();
  }
  m->refs = 1; /* the owner's */
  m->backlog_since = -1;
  m->b = b;
  m->q = q;
  size_t n = strlen(m->source_arn);
  m->fifo = n > 5 && strcmp(m->source_arn + n - 5, ".fifo") == 0;
  pthread_mutex_init(&m->mu, NULL);
  aev__broker_uuid(b, m->uuid);
  m->batch_size = cfg->batch_size;
  m->window_s = cfg->window_s;
  m->report_failures = cfg->report_failures;
  m->max_concurrency = AEV__FN_CONCURRENCY_MAX;
  m->enabled = 1;
  m->sink = cfg->deliver;
  m->sink_user = cfg->user;
  memcpy(m->patterns, cfg->patterns, (size_t)cfg->npatterns * sizeof m->patterns[0]);
  m->npatterns = cfg->npatterns;
  m->sink_release = cfg->release;
  if ((rc = aev__esm_start(m)) != AEV_OK) {
    /* Not started: the patterns and the user stay the caller's. */
    m->npatterns = 0;
    m->sink_release = NULL;
    aev__esm_unref(m);
    return rc;
  }
  *out = m;
  return AEV_OK;
}

void aev__esm_sink_free(aev__esm *m) {
  if (!m) return;
  aev__esm_stop(m);
  aev__esm_unref(m);
}
