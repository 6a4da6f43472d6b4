/* Deliveries: the fan-out of one notification (filter policies, raw or
 * enveloped bodies), sends into queues through the queue's internal
 * interface, http/https endpoints (a subscription's own callback, else the
 * broker's endpoint callbacks) on the handler pool,
 * retries on the broker's timers by the delivery policy, and the
 * subscription's dead-letter queue when a delivery fails for good. No
 * topic lock is held while a queue is written or a callback runs. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "topic/account.h"
#include "topic/dpp.h"
#include "topic/topic_impl.h"

/* How an attempt ended: delivered, a client-side error (not retried) or a
 * server-side error (retried by the policy). */
enum { OK_, CLIENT, SERVER };

/* A missing endpoint or a message it refuses will not get better by
 * retrying: SNS treats them as client-side errors. */
static int kind_of(int rc) {
  if (rc == AEV_OK) return OK_;
  return rc == AEV_ERR_NOT_FOUND || rc == AEV_ERR_INVALID ? CLIENT : SERVER;
}

/* One delivery's subject: the first attempt borrows these from the
 * fan-out; a job holds counted references. */
typedef struct target {
  aev_topic *t;
  aev__sub *s;
  aev__note *n;    /* NULL for control messages */
  aev__subconf *c;
  uint32_t recs;   /* aev__note_sqs_body's recs: first attempts only */
} target;

typedef struct aev__job {
  aev__timer timer;
  target d;
  aev__retry_policy policy;
  long retries;     /* retries made so far */
  const char *type; /* control messages: the message type */
  char id[AEV_UUID_LEN + 1]; /* control messages: their MessageId */
  char *body;       /* control messages: the POST body */
  size_t len;
} job;

static int is_fifo_arn(const char *arn) {
  size_t n = strlen(arn);
  return n > 5 && strcmp(arn + n - 5, ".fifo") == 0;
}

static aev__fanview *view_new(aev_topic *t) {
  size_t n = t->subs->n;
  aev__fanview *v = malloc(sizeof *v + n * (sizeof *v->conf + 1));
  if (!v) return NULL;
  atomic_init(&v->refs, 0);
  v->taken = 0;
  v->gen = t->gen;
  v->set = t->subs;
  v->set->refs++;
  v->conf = (aev__subconf **)(v + 1);
  v->how = (unsigned char *)(v->conf + n);
  v->plain_raw = 0;
  v->need_id = 0;
  v->all_plain = 1;
  v->filtered[0] = v->filtered[1] = 0;
  aev__dpp *dpp = t->conf.dpp;
  v->dpp = dpp && dpp->outbound ? aev__dpp_ref(dpp) : NULL;
  for (size_t i = 0; i < n; i++) {
    aev__sub *s = v->set->s[i];
    v->conf[i] = s->conf;
    s->conf->refs++;
    v->how[i] = s->pending || s->deleted || s->paused ? AEV__HOW_SKIP
                : s->proto == AEV__PROTO_SQS && s->conf->raw && !s->conf->filter &&
                        !is_fifo_arn(s->endpoint) && !v->dpp
                    ? AEV__HOW_PLAIN
                    : AEV__HOW_FULL;
    v->plain_raw += v->how[i] == AEV__HOW_PLAIN;
    v->all_plain &= v->how[i] != AEV__HOW_FULL;
    v->need_id |= v->how[i] == AEV__HOW_FULL && !(s->proto == AEV__PROTO_SQS && s->conf->raw);
    if (s->conf->filter) v->filtered[s->conf->scope_body != 0] = 1;
  }
  v->http_retry = t->conf.http_retry;
  v->disable_overrides = t->conf.disable_overrides;
  return v;
}

void aev__fanview_free(aev__fanview *v) {
  for (size_t i = 0; i < v->set->n; i++) aev__subconf_unref(v->conf[i]);
  aev__subset_unref(v->set);
  aev__dpp_unref(v->dpp);
  free(v);
}

/* No publish takes v any more (it is no longer the topic's view): taken is
 * final and was written under the lock the caller held to detach v. */
void aev__fanview_retire(aev__fanview *v) {
  if (!v) return;
  /* Read before the add: once it is done, the last drop may free v. */
  long taken = v->taken;
  if (atomic_fetch_add(&v->refs, taken) + taken == 0) aev__fanview_free(v);
}

aev__fanview *aev__topic_take_view(aev_topic *t) {
  aev__fanview *v = t->view;
  t->view = NULL;
  return v;
}

int aev__fan_build(aev_topic *t, aev__fan *f) {
  memset(f, 0, sizeof *f);
  if (!t->subs || !t->subs->n) return AEV_OK;
  if (!t->view || t->view->gen != t->gen) {
    aev__fanview *v = view_new(t);
    if (!v) return aev__nomem();
    f->replaced = t->view;
    t->view = v;
  }
  f->v = t->view;
  f->v->taken++;
  return AEV_OK;
}

static void job_free(job *j) {
  if (j->d.n) aev__note_unref(j->d.n);
  aev__subconf_unref(j->d.c);
  aev__sub_unref(j->d.s);
  aev_topic_release(j->d.t);
  free(j->body);
  free(j);
}

static job *job_new(aev_topic *t, aev__sub *s, aev__subconf *c, aev__note *n) {
  job *j = calloc(1, sizeof *j);
  if (!j) return NULL;
  aev__resource_ref(&t->res);
  j->d.t = t;
  aev__sub_ref(s);
  j->d.s = s;
  if (c) c->refs++;
  j->d.c = c;
  if (n && !(j->d.n = aev__note_hold(n))) {
    job_free(j);
    return NULL;
  }
  return j;
}

/* The body a subscription receives (raw: the bare message). */
static char *body_for(aev__note *n, const aev__sub *s, int raw, size_t *len,
                      const char **bare) {
  *bare = NULL;
  if (raw) {
    *bare = aev__note_message(n, s->protocol);
    *len = strlen(*bare);
    return NULL;
  }
  return aev__note_envelope(n, s->protocol, s->arn, len);
}

/* The first delivery's lookup of the subscription's queue handle. */
static aev_queue *endpoint_lookup(aev_topic *t, aev__sub *s) {
  aev_queue *q, *none = NULL;
  if (aev__queue_find(t->res.broker, s->endpoint, &q) != AEV_OK) return NULL;
  if (!atomic_compare_exchange_strong(&s->queue, &none, q)) {
    aev_queue_release(q);
    q = none;
  }
  return q;
}

/* The subscription's queue handle, looked up once: every plain send reads
 * it, so this part is inline. */
static inline aev_queue *endpoint_queue(aev_topic *t, aev__sub *s) {
  aev_queue *q = atomic_load(&s->queue);
  return q ? q : endpoint_lookup(t, s);
}

/* One send of body into the queue arn (through cached when not NULL),
 * which takes over the caller's reference to body; err says why it
 * failed. */
static int send_to_queue(aev_topic *t, const char *arn, aev_queue *cached,
                         aev__note *n, aev__qbody *body, const aev__attrs *attrs,
                         const aev__qtime *now, char *err, size_t errlen) {
  aev__send_req r = {.body = body->data, .len = body->len, .shared = body,
                     .attrs = attrs, .delay = -1, .lineage = n->lineage};
  if (n->group && is_fifo_arn(arn)) {
    /* A FIFO topic hands its group and deduplication id to FIFO queues;
     * standard queues get neither. */
    r.group = n->group;
    r.dedup = n->dedup;
  } else if (n->group && !t->conf.fifo) {
    /* A standard topic hands its group to standard queues, whose fair
     * queues it feeds (AWS's Publish reference). */
    r.group = n->group;
  }
  /* A deleted queue's cached handle answers QueueDoesNotExist: look the ARN
   * up afresh, in case a queue of that name came back. */
  aev_queue *found = NULL;
  int rc = AEV_OK;
  if (!cached || aev__queue_check(cached) != AEV_OK)
    rc = aev__queue_find(t->res.broker, arn, &found);
  /* The send takes over the body's reference; no id or MD5 text wanted
   * back: the queue formats nothing. */
  if (rc == AEV_OK) rc = aev__queue_send_shared(found ? found : cached, &r, now);
  else aev__qbody_unref(body);
  aev_queue_release(found);
  if (rc == AEV_OK) return OK_;
  snprintf(err, errlen, "%s: %s", aev_errcode(), aev_errmsg());
  return kind_of(rc);
}

/* What the queue arn gets for d's subscription: the raw message (shared by
 * every queue) or the subscription's envelope, with the attributes as SQS
 * message attributes when raw. Attributes SQS refuses fail the delivery,
 * while a dead-letter queue (dlq) takes the message without them. */
static int send_note(const target *d, const char *arn, aev_queue *cached, int dlq,
                     const aev__qtime *now, char *err, size_t errlen) {
  aev__note *n = d->n;
  int raw = d->c->raw;
  if (raw && n->raw_attrs_bad && !dlq) {
    snprintf(err, errlen, "InvalidParameterValue: the message attributes do not fit SQS");
    return CLIENT;
  }
  aev__qbody *body = NULL;
  int rc = aev__note_sqs_body(n, raw, d->s->arn, dlq ? 0 : d->recs, &body);
  if (rc != AEV_OK) {
    snprintf(err, errlen, "%s: %s", aev_errcode(), aev_errmsg());
    return kind_of(rc);
  }
  return send_to_queue(d->t, arn, cached, n, body,
                       raw && !n->raw_attrs_bad ? &n->raw_attrs : NULL, now, err, errlen);
}

/* sqs, lambda and firehose endpoints: one attempt at now, run by the
 * scheduler (or inline on a standard topic's first attempt). */
static int attempt_managed(const target *d, const aev__qtime *now) {
  if (d->s->proto == AEV__PROTO_LAMBDA) return kind_of(aev__lambda_send(d->t, d->s, d->n));
  if (d->s->proto == AEV__PROTO_FIREHOSE)
    return kind_of(aev__firehose_send(d->n, d->s, d->c->raw, d->t->res.broker));
  char err[256];
  return send_note(d, d->s->endpoint, endpoint_queue(d->t, d->s), 0, now, err, sizeof err);
}

/* The delivery failed for good: the subscription's DLQ gets what the
 * endpoint would have received (raw or enveloped, as the subscription
 * says), else the message is dropped. */
static void dead_letter(job *j) {
  aev_topic *t = j->d.t;
  aev__topic_count(t, AEV__C_FAILED, 1);
  if (!j->d.n || !j->d.c->dlq_arn) return;
  char err[256];
  aev__qtime now;
  aev__qtime_now(t->res.broker, &now);
  int r = send_note(&j->d, j->d.c->dlq_arn, NULL, 1, &now, err, sizeof err);
  aev__topic_count(t, r == OK_ ? AEV__C_DLQ : AEV__C_DLQ_FAILED, 1);
  if (r != OK_)
    aev__log(t->res.broker, AEV_LOG_WARN,
             "sns: dead-letter queue %s refused a message of %s: %s",
             j->d.c->dlq_arn, j->d.s->arn, err);
}

static void run_attempt(void *arg, int cancelled);

static int sub_gone(const job *j) {
  aev_topic *t = j->d.t;
  pthread_mutex_lock(&t->mu);
  int gone = j->d.s->deleted || t->res.deleted;
  pthread_mutex_unlock(&t->mu);
  return gone;
}

/* After a failed attempt: the next retry on the policy's schedule, or the
 * dead-letter queue once the policy is spent or the error is the
 * client's. */
static void after_failure(job *j, int kind) {
  if (kind == SERVER && j->retries < j->policy.num_retries) {
    j->retries++;
    aev__clock *clk = aev__broker_clock(j->d.t->res.broker);
    int64_t at = aev__clock_mono_ms(clk) + aev__retry_delay(&j->policy, j->retries);
    aev__timer_init(&j->timer, run_attempt, j, NULL);
    if (aev__timer_arm(aev__broker_sched(j->d.t->res.broker), &j->timer, at) == AEV_OK)
      return;
  }
  if (!j->type) dead_letter(j);
  job_free(j);
}

static int status_kind(int status) {
  if (status >= 200 && status <= 299) return OK_;
  if (status >= 400 && status <= 499 && status != 429) return CLIENT;
  return SERVER;
}

/* An http/https delivery: the callback runs on the handler pool. */
static void run_callback(void *arg, int cancelled) {
  job *j = arg;
  if (cancelled || (!j->type && sub_gone(j))) {
    job_free(j);
    return;
  }
  size_t len = j->len;
  const char *bare = j->body;
  char *env = NULL;
  if (!j->type) env = body_for(j->d.n, j->d.s, j->d.c->raw, &len, &bare);
  const char *body = bare ? bare : env;
  int kind = SERVER;
  if (body) {
    aev__sub *s = j->d.s;
    const char *type = j->type ? j->type : "Notification";
    int status = s->fn ? s->fn(s->user, type, body, len)
                       : aev__sns_http_post(j->d.t, s, type, j->type ? j->id : j->d.n->id,
                                            !j->type && bare, body, len);
    kind = status_kind(status);
  }
  free(env);
  if (kind == OK_) {
    if (!j->type) aev__topic_count(j->d.t, AEV__C_DELIVERED, 1);
    job_free(j);
    return;
  }
  after_failure(j, kind);
}

/* Hands j to the handler pool. A post that runs out of memory counts as
 * a failed attempt, retried by the policy; one refused by a broker
 * shutting down drops j. */
static void post_callback(job *j) {
  int rc = aev__sched_post_handler(aev__broker_sched(j->d.t->res.broker), run_callback, j);
  if (rc == AEV_ERR_NOMEM) after_failure(j, SERVER);
  else if (rc != AEV_OK) job_free(j);
}

/* A retry's timer fired (a scheduler task): sqs attempts run here, callbacks
 * go back to the handler pool. */
static void run_attempt(void *arg, int cancelled) {
  job *j = arg;
  if (cancelled || (!j->type && sub_gone(j))) {
    job_free(j);
    return;
  }
  if (j->d.s->proto == AEV__PROTO_HTTP || j->d.s->proto == AEV__PROTO_HTTPS) {
    post_callback(j);
    return;
  }
  aev__qtime now;
  aev__qtime_now(j->d.t->res.broker, &now);
  int kind = attempt_managed(&j->d, &now);
  if (kind == OK_) {
    aev__topic_count(j->d.t, AEV__C_DELIVERED, 1);
    job_free(j);
    return;
  }
  after_failure(j, kind);
}

static int has_id(const uint64_t *ids, size_t n, uint64_t id) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ids[mid] == id) return 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/* A fan-out's filter work, only where the view has filter policies (so a
 * publish without any sets up none of it). */
typedef struct sieve {
  uint64_t *match[2]; /* ids whose policy matched, by scope */
  size_t nmatch[2];
  /* The set's match ran out of memory: each filter is tried alone. */
  int alone[2];
  /* What the filters dropped, by counter from AEV__C_FILTERED on (FILTERED,
   * _ATTRS, _BODY, _NO_ATTRS): one atomic add each per fan-out. */
  int64_t filtered[4];
} sieve;

/* Matches the notification against the topic's filter sets once. */
static void match_filters(aev_topic *t, const aev__fan *f, sieve *sv, aev__note *n) {
  *sv = (sieve){0};
  if (n->attrs.publish_text && f->v->filtered[0] &&
      aev_pattern_set_match(t->filters[0], n->attrs.publish_text, n->attrs.publish_len,
                            &sv->match[0], &sv->nmatch[0]) != AEV_OK) {
    sv->nmatch[0] = 0;
    sv->alone[0] = 1;
  }
  if (!n->per_protocol && f->v->filtered[1] &&
      aev_pattern_set_match(t->filters[1], n->message, strlen(n->message), &sv->match[1],
                            &sv->nmatch[1]) != AEV_OK) {
    sv->nmatch[1] = 0;
    sv->alone[1] = 1;
  }
}

/* Whether the subscription's filter alone matches text. */
static int matches_alone(const aev__subconf *c, const char *text, size_t len) {
  int match = 0;
  if (aev_pattern_matches(c->filter, text, len, &match) != AEV_OK) match = 0;
  return match;
}

/* Adds what the filters dropped to the topic's counters and frees the
 * matches. */
static void sieve_end(aev_topic *t, sieve *sv) {
  /* filtered[0] counts every message a filter dropped, whatever the kind. */
  for (int k = 0; sv->filtered[0] && k < (int)(sizeof sv->filtered / sizeof sv->filtered[0]); k++)
    if (sv->filtered[k]) aev__topic_count(t, AEV__C_FILTERED + k, sv->filtered[k]);
  aev_free(sv->match[0]);
  aev_free(sv->match[1]);
}

/* Filter policy check; tallies what it filters out in sv (added to the
 * topic's counters once per fan-out). A MessageStructure=json message has
 * a body per protocol, matched on its own. sv is NULL only for a view
 * without filter policies. */
static int passes(sieve *sv, const aev__sub *s, const aev__subconf *c, aev__note *n) {
  if (!c->filter) return 1;
  int match = 0;
  if (!c->scope_body) {
    if (!n->attrs.publish_text) {
      sv->filtered[AEV__C_FILTERED_NO_ATTRS - AEV__C_FILTERED]++;
      sv->filtered[0]++;
      return 0;
    }
    match = has_id(sv->match[0], sv->nmatch[0], s->id) ||
            (sv->alone[0] && matches_alone(c, n->attrs.publish_text, n->attrs.publish_len));
    if (!match) sv->filtered[AEV__C_FILTERED_ATTRS - AEV__C_FILTERED]++;
  } else {
    if (n->per_protocol) {
      const char *m = aev__note_message(n, s->protocol);
      match = matches_alone(c, m, strlen(m));
    } else {
      match = has_id(sv->match[1], sv->nmatch[1], s->id) ||
              (sv->alone[1] && matches_alone(c, n->message, strlen(n->message)));
    }
    if (!match) sv->filtered[AEV__C_FILTERED_BODY - AEV__C_FILTERED]++;
  }
  if (!match) sv->filtered[0]++;
  return match;
}

/* Delivers n to s with its settings c: sqs, lambda and firehose endpoints
 * are attempted here and now (1 when delivered: retries and callbacks
 * count for themselves), http/https ones go to the handler pool, retried
 * by http; sms, email and application ones to the outbox. recs as
 * aev__note_sqs_body's. */
static int deliver_to(aev_topic *t, aev__sub *s, aev__subconf *c, aev__note *n, uint32_t recs,
                      const aev__retry_policy *http, const aev__qtime *now) {
  if (s->proto >= AEV__PROTO_SMS) return aev__outbox_deliver(t, s, n) == AEV_OK;
  int managed = s->proto == AEV__PROTO_SQS || s->proto == AEV__PROTO_LAMBDA ||
                s->proto == AEV__PROTO_FIREHOSE;
  int kind = OK_;
  if (managed) {
    target d = {.t = t, .s = s, .n = n, .c = c, .recs = recs};
    if ((kind = attempt_managed(&d, now)) == OK_) return 1;
  }
  job *j = job_new(t, s, c, n);
  if (!j) {
    aev__topic_count(t, AEV__C_FAILED, 1);
    return 0;
  }
  if (!managed) {
    j->policy = *http;
    post_callback(j);
    return 0;
  }
  j->policy = aev__retry_aws_managed;
  after_failure(j, kind);
  return 0;
}

/* aev__note_sqs_body's recs for a first attempt: raw messages with
 * attributes take SendMessage's path, which makes its own records. */
static uint32_t first_recs(const aev__sub *s, const aev__subconf *c, const aev__note *n,
                           uint32_t plain_raw) {
  return c->raw ? (n->raw_attrs.count ? 0 : plain_raw) : !is_fifo_arn(s->endpoint);
}

/* 1 when the notification was delivered here and now (sqs, lambda and
 * firehose first attempts); retries and callbacks count for themselves. */
static int deliver_one(aev_topic *t, aev__fan *f, sieve *sv, size_t i, aev__note *n,
                       const aev__qtime *now) {
  aev__sub *s = f->v->set->s[i];
  aev__subconf *c = f->v->conf[i];
  if (f->v->how[i] == AEV__HOW_SKIP || !passes(sv, s, c, n)) return 0;
  if (f->v->dpp && aev__dpp_outbound_denied(t, f->v->dpp, s, n)) return 0;
  const aev__retry_policy *http = c->retry_set && !f->v->disable_overrides ? &c->retry
                                                                          : &f->v->http_retry;
  return deliver_to(t, s, c, n, first_recs(s, c, n, f->v->plain_raw), http, now);
}

/* "To replay only specific messages, apply a filter policy to your
 * subscription" (developer guide): the subscription's filter, as it is
 * when the replay runs, decides, each message matched on its own. */
void aev__deliver_replayed(aev_topic *t, aev__sub *s, aev__subconf *c, aev__note *n) {
  if (c->filter) {
    const char *text = c->scope_body ? aev__note_message(n, s->protocol) : n->attrs.publish_text;
    size_t len = c->scope_body ? strlen(text) : n->attrs.publish_len;
    if (!text || !matches_alone(c, text, len)) return;
  }
  aev__note *r = aev__note_replayed(n);
  if (!r) {
    aev__topic_count(t, AEV__C_FAILED, 1);
    return;
  }
  pthread_mutex_lock(&t->mu);
  aev__retry_policy http = c->retry_set && !t->conf.disable_overrides ? c->retry
                                                                      : t->conf.http_retry;
  aev__dpp *dpp = aev__dpp_ref(t->conf.dpp);
  pthread_mutex_unlock(&t->mu);
  aev__qtime now;
  aev__qtime_now(t->res.broker, &now);
  /* A replayed message is delivered again: the Outbound statements the
   * topic has now apply to it. */
  if (!(dpp && aev__dpp_outbound_denied(t, dpp, s, r)) &&
      deliver_to(t, s, c, r, first_recs(s, c, r, 1), &http, &now))
    aev__topic_count(t, AEV__C_DELIVERED, 1);
  aev__dpp_unref(dpp);
  aev__note_unref(r);
}

/* Plain raw sqs subscriptions (no filter policy, standard queues) of a
 * notification without attributes, group or chain all receive the one shared
 * body as it is: their sends are one batch (aev__qput) that takes the body's
 * references and records at once. 0 when the notification needs the full
 * path. */
static int plain_begin(aev__fan *f, aev__note *n, const aev__qtime *now, aev__qput *put) {
  if (!f->v->plain_raw || n->attrs.publish_text || n->group || n->lineage ||
      atomic_load_explicit(&n->sqs_body, memory_order_relaxed))
    return 0;
  /* The raw body is made here, the fan-out's first step, so no delivery
   * has made it yet and no other thread can see it before it is
   * published. A heap note keeps a reference to it (sqs_body); a local
   * note, which lives only as long as its fan-out, none: its plain sends
   * may take every reference, and a send that fails makes its own on the
   * full path (aev__note_sqs_body). */
  const char *m = n->per_protocol ? aev__note_message(n, "sqs") : n->message;
  aev__qbody *b;
  if (aev__qput_new(put, m, aev__note_message_len(n, m), f->v->plain_raw, !n->local, now,
                    &b) != AEV_OK)
    return 0;
  if (!n->local) atomic_store_explicit(&n->sqs_body, b, memory_order_release);
  return 1;
}

/* The most queues one aev__qput_run call takes (a stack array's). */
#define PLAIN_RUN 16

void aev__fanout(aev_topic *t, aev__fan *f, aev__note *n, const aev__qtime *at) {
  if (!f->v) {
    aev__fan_free(f);
    return;
  }
  /* Every queue gets the message as sent at one instant: the clock is read
   * once, and one atomic add counts the whole fan-out. */
  aev__qtime now;
  sieve filters, *sv = f->v->filtered[0] || f->v->filtered[1] ? &filters : NULL;
  if (sv) match_filters(t, f, sv, n);
  if (at) now = *at;
  else aev__qtime_now(t->res.broker, &now);
  aev__qput put;
  int plain = plain_begin(f, n, &now, &put);
  int64_t delivered = 0, missed = 0;
  const aev__fanview *v = f->v;
  for (size_t i = 0; i < v->set->n;) {
    /* Consecutive plain sends go to the queues in one call a run. */
    if (plain && v->how[i] == AEV__HOW_PLAIN) {
      aev_queue *qs[PLAIN_RUN];
      size_t k = 0;
      do qs[k] = endpoint_queue(t, v->set->s[i + k]);
      while (++k < PLAIN_RUN && i + k < v->set->n && v->how[i + k] == AEV__HOW_PLAIN);
      size_t sent = aev__qput_run(&put, qs, k);
      if (!f->counted) delivered += (int64_t)sent;
      i += sent;
      if (sent == k) continue;
    }
    /* A plain send that fails takes the full path, which words the error
     * and retries by the policy. */
    int p = v->how[i] == AEV__HOW_PLAIN, d = deliver_one(t, f, sv, i, n, &now);
    if (p && f->counted) missed += !d;
    else delivered += d;
    i++;
  }
  if (delivered) aev__topic_count(t, AEV__C_DELIVERED, delivered);
  if (missed) {
    pthread_mutex_lock(&t->mu);
    aev__topic_count_locked(&t->plain_delivered, -missed);
    pthread_mutex_unlock(&t->mu);
  }
  if (sv) sieve_end(t, sv);
  aev__fan_free(f);
}

typedef struct fan_task {
  aev_topic *t;
  aev__fan f;
  aev__note *n;
} fan_task;

static void run_fanout(void *arg, int cancelled) {
  fan_task *ft = arg;
  if (cancelled) aev__fan_free(&ft->f);
  else aev__fanout(ft->t, &ft->f, ft->n, NULL);
  aev__note_unref(ft->n);
  aev_topic_release(ft->t);
  free(ft);
}

int aev__fanout_post(aev_topic *t, aev__fan *f, aev__note *n) {
  fan_task *ft = malloc(sizeof *ft);
  if (!ft) return aev__nomem();
  aev__resource_ref(&t->res);
  aev__note_ref(n);
  *ft = (fan_task){.t = t, .f = *f, .n = n};
  int rc = aev__sched_post(aev__broker_sched(t->res.broker), t->strand, run_fanout, ft);
  if (rc != AEV_OK) {
    /* The caller still holds the topic and the note, and frees the
     * snapshot once it has unlocked. */
    aev__note_unref(n);
    aev__resource_unref(&t->res);
    free(ft);
    return rc;
  }
  memset(f, 0, sizeof *f);
  return AEV_OK;
}

job *aev__control_new(aev__sub *s, const char *type, const char *id, char *body, size_t len) {
  aev_topic *t = s->topic;
  job *j = job_new(t, s, NULL, NULL);
  if (!j) {
    free(body);
    return NULL;
  }
  j->type = type;
  snprintf(j->id, sizeof j->id, "%s", id);
  j->body = body;
  j->len = len;
  j->policy = t->conf.http_retry;
  return j;
}

void aev__control_post(job *j) { post_callback(j); }

void aev__control_free(job *j) { job_free(j); }

void aev__deliver_control(aev__sub *s, const char *type, const char *id, char *body,
                          size_t len) {
  job *j = aev__control_new(s, type, id, body, len);
  if (j) post_callback(j);
}
