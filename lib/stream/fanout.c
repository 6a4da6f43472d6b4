/* Enhanced fan-out: SubscribeToShard pushing SubscribeToShardEvent batches
 * to a callback as records arrive. A put marks the shard's subscriptions;
 * each subscription has at most one delivery in flight on the handler pool
 * and posts the next when it returns, so events arrive in order, one at a
 * time, with no polling. A timer ends it after 5 minutes on the broker
 * clock; the end of a closed shard, deregistration, deletion or cancel end
 * it too, and then its release runs once. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "stream/stream.h"

#define LIFETIME_MS (5 * 60 * 1000)
#define TAKEOVER_MS 5000
#define EVENT_RECORDS 10000

struct aev_subscription {
  aev__sub *next;    /* on its shard's list (stream mu) */
  aev__sub *release_next;
  _Atomic long refs; /* the user's handle, the live subscription, timer */
  aev_stream *s;
  uint32_t shard;
  char *consumer;
  uint64_t pos;
  int64_t started; /* deadline timeline */
  aev_subscribe_fn fn;
  void *user;
  aev_release_fn release;
  int scheduled, ended, finalized; /* stream mu */
  aev__timer timer;
};

static void sub_unref(aev__sub *sub) {
  if (--sub->refs) return;
  aev__resource_unref(&sub->s->res);
  free(sub->consumer);
  free(sub);
}

/* mu held: ends sub and, when no delivery is in flight, unlinks it and
 * queues it on *list for finish() once the lock is dropped. */
static void end_locked(aev__sub *sub, aev__sub **list) {
  sub->ended = 1;
  if (sub->scheduled || sub->finalized) return;
  sub->finalized = 1;
  aev__sub **pp = &sub->s->shards[sub->shard].subs;
  while (*pp && *pp != sub) pp = &(*pp)->next;
  if (*pp) *pp = sub->next;
  sub->release_next = *list;
  *list = sub;
}

static void release_task(void *arg, int cancelled) {
  aev__sub *sub = arg;
  if (sub->release) sub->release(sub->user);
  sub_unref(sub);
}

/* No lock held: cancels the lifetime timer and runs release on the
 * handler pool (the user's code never runs on the caller's lock). */
static void finish(aev__sub *list) {
  while (list) {
    aev__sub *sub = list;
    list = sub->release_next;
    aev__sched *sched = aev__broker_sched(sub->s->res.broker);
    if (aev__timer_cancel(sched, &sub->timer)) sub_unref(sub);
    if (aev__sched_post_handler(sched, release_task, sub) != AEV_OK)
      release_task(sub, 1);
  }
}

static void deliver_task(void *arg, int cancelled);

/* mu held: posts a delivery unless one is in flight. */
static void schedule(aev__sub *sub) {
  if (sub->scheduled || sub->ended) return;
  sub->scheduled = 1;
  sub->refs++;
  if (aev__sched_post_handler(aev__broker_sched(sub->s->res.broker),
                              deliver_task, sub) != AEV_OK) {
    sub->scheduled = 0;
    sub->refs--;
  }
}

static void deliver_task(void *arg, int cancelled) {
  aev__sub *sub = arg;
  aev_stream *s = sub->s;
  aev_records *batch = NULL;
  int at_end = 0;
  pthread_mutex_lock(&s->mu);
  aev__shard *sh = &s->shards[sub->shard];
  if (!cancelled && !sub->ended && !s->res.deleted) {
    aev__shard_trim(sh, aev__stream_horizon(s, aev__stream_now_ms(s)));
    uint64_t pos = sub->pos;
    if (aev__records_read(s, sh, &pos, EVENT_RECORDS, AEV__GET_MAX_BYTES,
                          &batch) == AEV_OK &&
        aev__records_finish(s, sh, batch, pos, 1) == AEV_OK) {
      sub->pos = pos;
      at_end = sh->closed && pos >= sh->next;
    } else {
      aev_records_free(batch);
      batch = NULL;
    }
  }
  pthread_mutex_unlock(&s->mu);
  if (batch && (aev_records_count(batch) || at_end)) sub->fn(sub->user, batch);
  aev_records_free(batch);
  aev__sub *list = NULL;
  pthread_mutex_lock(&s->mu);
  sub->scheduled = 0;
  if (at_end || cancelled || s->res.deleted) sub->ended = 1;
  if (sub->ended)
    end_locked(sub, &list);
  else if (sub->pos < s->shards[sub->shard].next)
    schedule(sub);
  pthread_mutex_unlock(&s->mu);
  finish(list);
  sub_unref(sub);
}

static void expire_task(void *arg, int cancelled) {
  aev__sub *sub = arg;
  aev__sub *list = NULL;
  pthread_mutex_lock(&sub->s->mu);
  end_locked(sub, &list);
  pthread_mutex_unlock(&sub->s->mu);
  finish(list);
  sub_unref(sub);
}

void aev__fanout_notify(aev_stream *s, aev__shard *sh) {
  for (aev__sub *sub = sh->subs; sub; sub = sub->next) schedule(sub);
}

void aev__fanout_end(aev_stream *s, const char *consumer) {
  aev__sub *list = NULL;
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < s->nshards; i++) {
    aev__sub *sub = s->shards[i].subs;
    while (sub) {
      aev__sub *next = sub->next;
      if (!consumer || !strcmp(sub->consumer, consumer))
        end_locked(sub, &list);
      sub = next;
    }
  }
  pthread_mutex_unlock(&s->mu);
  finish(list);
}

/* The stream and consumer names in a consumer ARN
 * (arn:...:stream/NAME/consumer/CONSUMER:TIMESTAMP). */
static int parse_consumer_arn(const char *arn, char **stream, char **name) {
  const char *st = arn ? strstr(arn, ":stream/") : NULL;
  const char *co = st ? strstr(st, "/consumer/") : NULL;
  const char *colon = co ? strrchr(co, ':') : NULL;
  if (!colon) return -1;
  *stream = strndup(st + 8, (size_t)(co - st - 8));
  *name = strndup(co + 10, (size_t)(colon - co - 10));
  return *stream && *name ? 0 : -1;
}

/* mu held: checks the consumer and the 5-second rule, ending an older
 * subscription of the same consumer and shard that it takes over. */
static int claim(aev_stream *s, aev__shard *sh, const char *arn,
                 const char *consumer, int64_t now, aev__sub **list) {
  aev__consumer *c = aev__consumer_find(s, consumer);
  if (!c || strcmp(c->arn, arn))
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Consumer %s under account %s not found.", arn,
                     aev_broker_account(s->res.broker));
  if (!c->active)
    return aev__fail(AEV_ERR_STATE, "ResourceInUseException",
                     "Consumer %s under account %s is not ACTIVE.", arn,
                     aev_broker_account(s->res.broker));
  for (aev__sub *o = sh->subs; o; o = o->next) {
    if (o->ended || strcmp(o->consumer, consumer)) continue;
    if (now - o->started < TAKEOVER_MS)
      return aev__fail(AEV_ERR_STATE, "ResourceInUseException",
                       "Another active subscription exists for consumer %s "
                       "on this shard; a new one may take it over 5 "
                       "seconds after it began.",
                       arn);
    end_locked(o, list);
  }
  return AEV_OK;
}

/* The consumer's stream (a new handle) and its name (malloc'd). */
static int locate(aev_broker *b, const char *consumer_arn, aev_stream **s,
                  char **cname) {
  char *sname = NULL;
  *cname = NULL;
  if (parse_consumer_arn(consumer_arn, &sname, cname)) {
    free(sname);
    free(*cname);
    return aev__kin_validation(consumer_arn, "consumerARN",
                               "Member must satisfy regular expression "
                               "pattern: ^(arn):aws.*:kinesis:.*:\\d{12}:"
                               ".*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
                               "[a-zA-Z0-9_.-]+:[0-9]+");
  }
  int rc = aev__stream_find(b, sname, s);
  free(sname);
  if (rc != AEV_OK) free(*cname);
  return rc;
}

/* mu held: the shard, the consumer's claim on it (started on the deadline
 * timeline) and the starting position. */
static int start_locked(aev_stream *s, const char *shard_id,
                        const char *consumer_arn, const char *cname,
                        const char *type, const char *sequence_number,
                        int64_t timestamp_ms, int64_t started,
                        aev__shard **shp, uint64_t *pos, aev__sub **list) {
  int64_t now = aev__stream_now_ms(s);
  aev__shard *sh = aev__shard_find(s, shard_id);
  if (!sh || aev__shard_expired(s, sh, now))
    return aev__kin_no_shard(s, shard_id);
  int rc = claim(s, sh, consumer_arn, cname, started, list);
  if (rc != AEV_OK) return rc;
  aev__shard_trim(sh, aev__stream_horizon(s, now));
  *shp = sh;
  return aev__iterator_position(s, sh, type, sequence_number, timestamp_ms,
                                pos);
}

int aev_stream_subscribe(aev_broker *b, const char *consumer_arn,
                         const char *shard_id, const char *type,
                         const char *sequence_number, int64_t timestamp_ms,
                         aev_subscribe_fn fn, void *user,
                         aev_release_fn release, aev_subscription **out) {
  if (!b || !fn) return aev__kin_invalid("Missing argument.");
  aev_stream *s;
  char *cname;
  int rc = locate(b, consumer_arn, &s, &cname);
  if (rc != AEV_OK) return rc;
  aev__sub *sub = calloc(1, sizeof *sub);
  if (!sub) {
    free(cname);
    aev_stream_release(s);
    return aev__nomem();
  }
  sub->s = s;
  sub->consumer = cname;
  sub->fn = fn;
  sub->user = user;
  sub->release = release;
  sub->refs = out ? 2 : 1;
  aev__sched *sched = aev__broker_sched(b);
  aev__timer_init(&sub->timer, expire_task, sub, NULL);
  aev__sub *list = NULL;
  pthread_mutex_lock(&s->mu);
  aev__shard *sh = NULL;
  sub->started = aev__clock_mono_ms(aev__broker_clock(b));
  rc = start_locked(s, shard_id, consumer_arn, cname, type, sequence_number,
                    timestamp_ms, sub->started, &sh, &sub->pos, &list);
  if (rc == AEV_OK) {
    sub->refs++; /* the timer's */
    rc = aev__timer_arm(sched, &sub->timer, sub->started + LIFETIME_MS);
    if (rc != AEV_OK) sub->refs--;
  }
  if (rc == AEV_OK) {
    sub->shard = sh->id;
    sub->next = sh->subs;
    sh->subs = sub;
    /* A backlog, or a closed shard's end, is delivered at once. */
    if (sub->pos < sh->next || sh->closed) schedule(sub);
  }
  pthread_mutex_unlock(&s->mu);
  finish(list);
  if (rc != AEV_OK) {
    free(sub->consumer);
    free(sub);
    aev_stream_release(s);
    return rc;
  }
  if (out) *out = sub;
  return AEV_OK;
}

void aev_subscription_cancel(aev_subscription *sub) {
  if (!sub) return;
  aev__sub *list = NULL;
  pthread_mutex_lock(&sub->s->mu);
  end_locked(sub, &list);
  pthread_mutex_unlock(&sub->s->mu);
  finish(list);
}

void aev_subscription_free(aev_subscription *sub) {
  if (sub) sub_unref(sub);
}

int aev__fanout_snapshot(aev_broker *b, const char *consumer_arn,
                         const char *shard_id, const char *type,
                         const char *sequence_number, int64_t timestamp_ms,
                         aev_records ***events, size_t *n) {
  aev_stream *s;
  char *cname;
  int rc = locate(b, consumer_arn, &s, &cname);
  if (rc != AEV_OK) return rc;
  aev__sub *list = NULL;
  aev_records **ev = NULL;
  size_t count = 0;
  pthread_mutex_lock(&s->mu);
  aev__shard *sh = NULL;
  uint64_t pos = 0;
  rc = start_locked(s, shard_id, consumer_arn, cname, type, sequence_number,
                    timestamp_ms, aev__clock_mono_ms(aev__broker_clock(b)),
                    &sh, &pos, &list);
  /* Every event up to the tip, and at least one (an empty event carries
   * the ContinuationSequenceNumber to resume from). */
  while (rc == AEV_OK && (count == 0 || pos < sh->next)) {
    aev_records **grown = realloc(ev, (count + 1) * sizeof *ev);
    if (!grown) {
      rc = aev__nomem();
      break;
    }
    ev = grown;
    rc = aev__records_read(s, sh, &pos, EVENT_RECORDS, AEV__GET_MAX_BYTES,
                           &ev[count]);
    if (rc != AEV_OK) break;
    count++;
    rc = aev__records_finish(s, sh, ev[count - 1], pos, 1);
  }
  pthread_mutex_unlock(&s->mu);
  finish(list);
  free(cname);
  aev_stream_release(s);
  if (rc != AEV_OK) {
    for (size_t i = 0; i < count; i++) aev_records_free(ev[i]);
    free(ev);
    return rc;
  }
  *events = ev;
  *n = count;
  return AEV_OK;
}
