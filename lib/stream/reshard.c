/* Resharding: SplitShard, MergeShards and UpdateShardCount (UNIFORM_SCALING)
 * with AWS's checks, and the splits on-demand streams make themselves. The stream turns UPDATING at once; the change itself
 * runs as a broker task (drain, or a worker), which closes the parents
 * (readable until drained, EndingSequenceNumber set) and opens children
 * that name them in ParentShardId / AdjacentParentShardId. Settings
 * changed at once (mode, encryption) borrow the same UPDATING spell. */
#include <stdio.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "stream/quotas.h"
#include "stream/stream.h"

/* SETTLE changes no shards: a setting changed at once (capacity mode,
 * encryption) keeps the stream UPDATING until the broker runs it. WARM
 * scales to a shard count as UPDATE does, for warm throughput. */
enum { SPLIT, MERGE, UPDATE, SETTLE, WARM };

static int split_at(aev_stream *s, uint32_t id, aev__u128 key,
                        int64_t now) {
  s->shards[id].closed = 1;
  s->shards[id].closed_ms = now;
  aev__u128 start = s->shards[id].start, end = s->shards[id].end;
  /* shard_add may move the array: only ids cross it */
  if (!aev__shard_add(s, start, key - 1, id, -1, now) ||
      !aev__shard_add(s, key, end, id, -1, now))
    return -1;
  return 0;
}

static int merge(aev_stream *s, uint32_t a, uint32_t b, int64_t now) {
  aev__u128 lo = s->shards[a].start < s->shards[b].start ? s->shards[a].start
                                                         : s->shards[b].start;
  aev__u128 hi = s->shards[a].end > s->shards[b].end ? s->shards[a].end
                                                     : s->shards[b].end;
  s->shards[a].closed = s->shards[b].closed = 1;
  s->shards[a].closed_ms = s->shards[b].closed_ms = now;
  return aev__shard_add(s, lo, hi, a, b, now) ? 0 : -1;
}

/* UNIFORM_SCALING as pairwise steps, so every child has true parents:
 * scaling up splits the widest open shard at its midpoint (from uniform
 * shards, doubling gives uniform shards again); scaling down merges the
 * adjacent pair with the smallest combined range. */
static int update_count(aev_stream *s, int target, int64_t now) {
  while ((int)s->nopen != target) {
    if ((int)s->nopen < target) {
      uint32_t w = s->open[0];
      for (size_t i = 1; i < s->nopen; i++) {
        aev__shard *c = &s->shards[s->open[i]];
        if (c->end - c->start > s->shards[w].end - s->shards[w].start)
          w = s->open[i];
      }
      aev__shard *sh = &s->shards[w];
      aev__u128 mid = sh->start + (sh->end - sh->start) / 2 + 1;
      if (split_at(s, w, mid, now)) return -1;
    } else {
      size_t best = 0;
      for (size_t i = 1; i + 1 < s->nopen; i++) {
        aev__shard *a = &s->shards[s->open[i]], *b = &s->shards[s->open[i + 1]];
        aev__shard *x = &s->shards[s->open[best]],
                   *y = &s->shards[s->open[best + 1]];
        if (b->end - a->start < y->end - x->start) best = i;
      }
      if (merge(s, s->open[best], s->open[best + 1], now)) return -1;
    }
    if (aev__stream_index_open(s) != AEV_OK) return -1;
  }
  return 0;
}

/* Reserves what the pending change needs (mu held), so that running it
 * cannot fail halfway: the children it adds and the open-shard index at
 * its largest. Splits add two shards and open one more; merges add one. */
static int reserve(aev_stream *s, const aev__reshard *p) {
  size_t open = s->nopen, added = 0, most = s->nopen;
  if (p->kind == SPLIT) {
    added = 2;
    most = open + 1;
  } else if (p->kind == MERGE) {
    added = 1;
  } else if ((size_t)p->target > open) {
    added = 2 * ((size_t)p->target - open);
    most = (size_t)p->target;
  } else {
    added = open - (size_t)p->target;
  }
  int rc = aev__shards_reserve(s, added);
  return rc == AEV_OK ? aev__stream_index_reserve(s, most) : rc;
}

size_t aev__reshard_open_after(const aev_stream *s) {
  if (s->status != AEV__STATUS_UPDATING || s->res.deleted) return s->nopen;
  const aev__reshard *p = &s->pending;
  if (p->kind == SPLIT) return s->nopen + 1;
  if ((p->kind == UPDATE || p->kind == WARM) && (size_t)p->target > s->nopen)
    return (size_t)p->target;
  return s->nopen;
}

void aev__reshard_apply(aev_stream *s) {
  if (s->status != AEV__STATUS_UPDATING || s->res.deleted) return;
  s->encrypting = s->kms_key != NULL;
  int64_t now = aev__stream_now_ms(s);
  size_t before = s->nshards;
  aev__reshard *p = &s->pending;
  if (p->kind == SETTLE) {
    s->status = AEV__STATUS_ACTIVE;
    return;
  }
  /* Out of memory, the change does not happen: the stream is ACTIVE with
   * its shards as they were (nothing else would run it later). */
  if (reserve(s, p) != AEV_OK) {
    s->status = AEV__STATUS_ACTIVE;
    return;
  }
  /* An UpdateShardCount is counted once it ran, in the oldest slot. */
  if (p->kind == UPDATE)
    aev__day_note(s->reshards, AEV__RESHARDS_PER_DAY, p->asked_ms);
  if (p->kind == SPLIT)
    split_at(s, p->a, p->key, now);
  else if (p->kind == MERGE)
    merge(s, p->a, p->b, now);
  else
    update_count(s, p->target, now);
  aev__stream_index_open(s);
  s->status = AEV__STATUS_ACTIVE;
  /* Subscribers of the closed parents get their final event. */
  for (size_t i = 0; i < before; i++)
    if (s->shards[i].closed && s->shards[i].subs)
      aev__fanout_notify(s, &s->shards[i]);
}

static void apply_task(void *arg, int cancelled) {
  aev_stream *s = arg;
  if (!cancelled) {
    pthread_mutex_lock(&s->mu);
    aev__reshard_apply(s);
    pthread_mutex_unlock(&s->mu);
  }
  aev__resource_unref(&s->res);
}

/* Queues the change (mu held): UPDATING until the broker runs it. */
static int post(aev_stream *s, const aev__reshard *change) {
  aev__resource_ref(&s->res);
  s->pending = *change;
  s->status = AEV__STATUS_UPDATING;
  int rc = aev__sched_post(aev__broker_sched(s->res.broker), NULL, apply_task, s);
  if (rc != AEV_OK) {
    s->status = AEV__STATUS_ACTIVE;
    aev__resource_unref(&s->res);
  }
  return rc;
}

/* After the common checks, queues the change (releases mu). */
static int begin(aev_stream *s, const aev__reshard *change) {
  int rc = post(s, change);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

int aev__stream_updating(aev_stream *s) {
  return post(s, &(aev__reshard){.kind = SETTLE});
}

void aev__reshard_auto_split(aev_stream *s, uint32_t id) {
  if (s->status != AEV__STATUS_ACTIVE || s->res.deleted) return;
  aev__shard *sh = &s->shards[id];
  if (sh->end - sh->start < 2) return;
  post(s, &(aev__reshard){.kind = SPLIT, .a = id,
                          .key = sh->start + (sh->end - sh->start) / 2 + 1});
}

int aev__reshard_warm(aev_stream *s, int target) {
  return post(s, &(aev__reshard){.kind = WARM, .target = target});
}

static int lock_provisioned(aev_stream *s) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  if (s->status != AEV__STATUS_ACTIVE) {
    rc = aev__kin_in_use(s);
  } else if (s->on_demand) {
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Resharding is not supported for streams in ON_DEMAND "
                   "mode. Use the PROVISIONED capacity mode to reshard "
                   "stream %s.",
                   s->res.name);
  }
  if (rc != AEV_OK) pthread_mutex_unlock(&s->mu);
  return rc;
}

static aev__shard *open_shard(aev_stream *s, const char *id, int *rc) {
  aev__shard *sh = aev__shard_find(s, id);
  if (!sh || aev__shard_expired(s, sh, aev__stream_now_ms(s))) {
    *rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                    "Could not find shard %s in stream %s under account %s.", id ? id : "",
                    s->res.name, aev_broker_account(s->res.broker));
    return NULL;
  }
  if (sh->closed) {
    *rc = aev__fail(AEV_ERR_STATE, "ResourceInUseException",
                    "Shard %s in stream %s under account %s has already "
                    "been merged or split, and thus is not eligible for "
                    "merging or splitting.",
                    id, s->res.name, aev_broker_account(s->res.broker));
    return NULL;
  }
  return sh;
}

static int shard_limit(aev_stream *s, size_t open_after) {
  if (open_after <= AEV__MAX_SHARDS) return AEV_OK;
  return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "This request would exceed the shard limit for stream %s "
                   "under account %s: at most %d open shards.",
                   s->res.name, aev_broker_account(s->res.broker),
                   AEV__MAX_SHARDS);
}

static int split_shard(aev_stream *s, const char *shard_id,
                       const char *new_starting_hash_key) {
  aev__u128 key;
  /* A key of 2^128 or more passes the pattern, and then lies beyond the
   * shard's EndingHashKey, as the largest key does. */
  if (!new_starting_hash_key || aev__u128_parse(new_starting_hash_key, &key) < 0)
    return aev__kin_validation(new_starting_hash_key, "newStartingHashKey",
                               "Member must satisfy regular expression "
                               "pattern: 0|([1-9]\\d{0,38})");
  /* A split leaves one more shard open. */
  int rc = aev__stream_shard_quota_check(s->res.broker, 1);
  if (rc == AEV_OK) rc = lock_provisioned(s);
  if (rc != AEV_OK) return rc;
  aev__shard *sh = open_shard(s, shard_id, &rc);
  /* AWS's rule is its message's: each child keeps at least two keys. */
  if (sh && (key <= sh->start || key - sh->start <= 1 || key >= sh->end)) {
    char lo[40], hi[40];
    aev__u128_format(sh->start, lo);
    aev__u128_format(sh->end, hi);
    rc = aev__kin_invalid("NewStartingHashKey %s used in SplitShard() on "
                          "shard %s in stream %s under account %s is not "
                          "both greater than one plus the shard's "
                          "StartingHashKey %s and less than the shard's "
                          "EndingHashKey %s.",
                          new_starting_hash_key, shard_id, s->res.name,
                          aev_broker_account(s->res.broker), lo, hi);
    sh = NULL;
  }
  if (sh && (rc = shard_limit(s, s->nopen + 1)) != AEV_OK) sh = NULL;
  if (!sh) {
    pthread_mutex_unlock(&s->mu);
    return rc;
  }
  aev__reshard c = {.kind = SPLIT, .a = sh->id, .key = key};
  return begin(s, &c);
}

/* A request that may open more shards: its quota check and its change,
 * queued, under the broker's quota lock (see aev__reshard_open_after()). */
int aev_stream_split_shard(aev_stream *s, const char *shard_id,
                           const char *new_starting_hash_key) {
  if (!s) return aev__stream_check(s);
  aev__broker_quota_lock(s->res.broker);
  int rc = split_shard(s, shard_id, new_starting_hash_key);
  aev__broker_quota_unlock(s->res.broker);
  return rc;
}

/* Contiguous ranges, either way round (no wrap past 2^128 - 1). */
static int adjacent(const aev__shard *a, const aev__shard *b) {
  if (a->start > b->start) {
    const aev__shard *t = a;
    a = b;
    b = t;
  }
  return a != b && a->end != AEV__U128_MAX && a->end + 1 == b->start;
}

int aev_stream_merge_shards(aev_stream *s, const char *shard_id,
                            const char *adjacent_shard_id) {
  int rc = lock_provisioned(s);
  if (rc != AEV_OK) return rc;
  aev__shard *a = open_shard(s, shard_id, &rc);
  aev__shard *b = a ? open_shard(s, adjacent_shard_id, &rc) : NULL;
  if (a && b && !adjacent(a, b)) {
    rc = aev__kin_invalid("Shards %s and %s in stream %s under account %s "
                          "are not an adjacent pair of shards eligible for "
                          "merging",
                          shard_id, adjacent_shard_id, s->res.name,
                          aev_broker_account(s->res.broker));
    b = NULL;
  }
  if (!a || !b) {
    pthread_mutex_unlock(&s->mu);
    return rc;
  }
  aev__reshard c = {.kind = MERGE, .a = a->id, .b = b->id};
  return begin(s, &c);
}

/* The open shards as the quota counts them (a pending change run), read
 * apart from the request's own lock, for the quota check, which takes
 * every stream's lock in turn. */
int aev__reshard_open_count(aev_stream *s) {
  pthread_mutex_lock(&s->mu);
  int open = (int)aev__reshard_open_after(s);
  pthread_mutex_unlock(&s->mu);
  return open;
}

static int update_shard_count(aev_stream *s, int target) {
  if (target < 1 || target > AEV__MAX_SHARDS)
    return aev__fail_range(target, "targetShardCount", 1, AEV__MAX_SHARDS);
  int rc = aev__stream_shard_quota_check(s->res.broker, target - aev__reshard_open_count(s));
  if (rc == AEV_OK) rc = lock_provisioned(s);
  if (rc != AEV_OK) return rc;
  int open = (int)s->nopen;
  int64_t now = aev__stream_now_ms(s);
  int recent = aev__day_count(s->reshards, AEV__RESHARDS_PER_DAY, now);
  if (target > 2 * open || 2 * target < open)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "UpdateShardCount cannot scale stream %s from %d to %d "
                   "shards: the target must be at most double and at least "
                   "half the current open shard count.",
                   s->res.name, open, target);
  else if (recent >= AEV__RESHARDS_PER_DAY)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Stream %s under account %s has already been scaled %d "
                   "times in the last 24 hours.",
                   s->res.name, aev_broker_account(s->res.broker),
                   AEV__RESHARDS_PER_DAY);
  if (rc != AEV_OK) {
    pthread_mutex_unlock(&s->mu);
    return rc;
  }
  /* Counted when it runs: one that memory stops never happened. */
  aev__reshard c = {.kind = UPDATE, .target = target, .asked_ms = now};
  return begin(s, &c);
}

int aev_stream_update_shard_count(aev_stream *s, int target) {
  if (!s) return aev__stream_check(s);
  aev__broker_quota_lock(s->res.broker);
  int rc = update_shard_count(s, target);
  aev__broker_quota_unlock(s->res.broker);
  return rc;
}
