/* Stream lifecycle: CreateStream (name rules, provisioned or on-demand
 * shards), lookup, DeleteStream, retention periods, throttling and record
 * size switches, and the clock helpers the other files share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "stream/quotas.h"
#include "stream/stream.h"

int64_t aev__stream_now_ms(const aev_stream *s) {
  return aev__clock_now_ms(aev__broker_clock(s->res.broker));
}

int aev__stream_check(const aev_stream *s) {
  if (!s) return aev__kin_invalid("Missing argument.");
  if (!s->res.deleted) return AEV_OK;
  int rc = aev__broker_check_open(s->res.broker);
  return rc != AEV_OK ? rc : aev__kin_no_stream(s->res.broker, s->res.name);
}

int64_t aev__stream_horizon(const aev_stream *s, int64_t now_ms) {
  return now_ms - (int64_t)s->retention_h * 3600 * 1000;
}

static int name_chars_ok(const char *name) {
  for (const char *c = name; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '-' || *c == '_' || *c == '.'))
      return 0;
  return *name != 0;
}

int aev__stream_name_check(const char *member, const char *name) {
  return aev__kin_check_string(member, name, name_chars_ok, "[a-zA-Z0-9_.-]+", 1, 128);
}

static void stream_destroy(aev__resource *r) {
  aev_stream *s = (aev_stream *)r;
  for (size_t i = 0; i < s->nshards; i++) aev__shard_free(&s->shards[i]);
  free(s->shards);
  free(s->open);
  free(s->open_start);
  while (s->consumers) {
    aev__consumer *c = s->consumers;
    s->consumers = c->next;
    aev__consumer_free(c);
  }
  while (s->taps) aev__stream_tap_remove(s, s->taps);
  json_decref(s->tags);
  free(s->policy);
  free(s->kms_key);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* DeleteStream or broker shutdown: later calls fail; subscriptions end. */
static void stream_shutdown(aev__resource *r) {
  aev_stream *s = (aev_stream *)r;
  pthread_mutex_lock(&s->mu);
  s->res.deleted = 1;
  pthread_mutex_unlock(&s->mu);
  aev__fanout_end(s, NULL);
  aev__stream_mappings_stop(s);
}

static int in_use(aev_broker *b, const char *name) {
  return aev__fail(AEV_ERR_EXISTS, "ResourceInUseException",
                   "Stream %s under account %s already exists.", name, aev_broker_account(b));
}

/* The new stream, registered (its quota checked). */
static int make_stream(aev_broker *b, const char *name, int shard_count, aev_stream **out) {
  aev_stream *s = calloc(1, sizeof *s);
  if (!s) return aev__nomem();
  if (pthread_mutex_init(&s->mu, NULL)) {
    free(s);
    return aev__nomem();
  }
  int rc = aev__resource_init(&s->res, b, AEV__KIND_STREAM, name, stream_destroy,
                          stream_shutdown);
  if (rc != AEV_OK) {
    pthread_mutex_destroy(&s->mu);
    free(s);
    return rc;
  }
  uint64_t r = aev__broker_random(b);
  s->tag = (uint32_t)r;
  s->secret = aev__broker_random(b);
  s->on_demand = shard_count == AEV_STREAM_ON_DEMAND;
  s->throttling = 1;
  atomic_init(&s->max_record, (size_t)1 << 20);
  s->retention_h = 24;
  s->created_ms = aev_broker_now_ms(b);
  s->tags = json_object();
  int n = s->on_demand ? AEV__ON_DEMAND_SHARDS : shard_count;
  if (!s->tags) rc = aev__nomem();
  for (int i = 0; i < n && rc == AEV_OK; i++) {
    aev__u128 lo, hi;
    aev__hash_range(i, n, &lo, &hi);
    if (!aev__shard_add(s, lo, hi, -1, -1, s->created_ms)) rc = aev__nomem();
  }
  if (rc == AEV_OK) rc = aev__stream_index_open(s);
  if (rc == AEV_OK) {
    rc = aev__registry_add(b, &s->res, NULL);
    if (rc == AEV_ERR_EXISTS) rc = in_use(b, name);
  }
  if (rc != AEV_OK) {
    aev__resource_unref(&s->res);
    return rc;
  }
  *out = s;
  return AEV_OK;
}

int aev__stream_create(aev_broker *b, const char *name, int shard_count,
                       aev_stream **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  if (!name) return aev__kin_validation(NULL, "streamName", "Member must not be null");
  if ((rc = aev__stream_name_check("streamName", name))) return rc;
  if (shard_count < 0 || shard_count > AEV__MAX_SHARDS)
    return aev__fail_range(shard_count, "shardCount", 1, AEV__MAX_SHARDS);
  /* A name in use is answered before any quota (kinesalite, tested
   * against AWS, answers ResourceInUseException first). */
  aev__resource *taken = aev__registry_find(b, AEV__KIND_STREAM, name);
  if (taken) {
    aev__resource_unref(taken);
    return in_use(b, name);
  }
  /* An on-demand stream counts against the account's on-demand streams,
   * a provisioned one's shards against its shard quota, until it is
   * registered (and counts in their usage) under the quota lock. */
  aev__broker_quota_lock(b);
  rc = shard_count == AEV_STREAM_ON_DEMAND ? aev__stream_on_demand_quota_check(b, NULL)
                                           : aev__stream_shard_quota_check(b, shard_count);
  if (rc == AEV_OK) rc = make_stream(b, name, shard_count, out);
  aev__broker_quota_unlock(b);
  return rc;
}

const char *aev__stream_name_of(const char *name_or_arn) {
  const char *slash = name_or_arn ? strrchr(name_or_arn, '/') : NULL;
  return slash ? slash + 1 : name_or_arn;
}

int aev__stream_find(aev_broker *b, const char *name_or_arn,
                     aev_stream **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  aev__resource *r =
      name_or_arn ? aev__registry_find(b, AEV__KIND_STREAM, name_or_arn) : NULL;
  if (!r) return aev__kin_no_stream(b, aev__stream_name_of(name_or_arn));
  *out = (aev_stream *)r;
  return AEV_OK;
}

int aev_stream_create(aev_broker *b, const char *name, int shard_count,
                      aev_stream **out) {
  if (!b || !out)
    return aev__kin_invalid("Missing argument.");
  return aev__stream_create(b, name, shard_count, out);
}

int aev_stream_get(aev_broker *b, const char *name_or_arn, aev_stream **out) {
  if (!b || !out)
    return aev__kin_invalid("Missing argument.");
  return aev__stream_find(b, name_or_arn, out);
}

void aev_stream_release(aev_stream *s) {
  if (s) aev__resource_unref(&s->res);
}

const char *aev_stream_name(const aev_stream *s) { return s ? s->res.name : NULL; }
const char *aev_stream_arn(const aev_stream *s) { return s ? s->res.arn : NULL; }

int aev_stream_delete(aev_stream *s, int enforce_consumer_deletion) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  int consumers = s->nconsumers;
  pthread_mutex_unlock(&s->mu);
  if (consumers && !enforce_consumer_deletion)
    return aev__fail(AEV_ERR_STATE, "ResourceInUseException",
                     "Stream %s under account %s has registered consumers. "
                     "Set EnforceConsumerDeletion to delete it with them.",
                     s->res.name, aev_broker_account(s->res.broker));
  if (aev__registry_remove(s->res.broker, &s->res) != AEV_OK)
    return aev__kin_no_stream(s->res.broker, s->res.name);
  /* Records go now, not when the last handle is released. */
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < s->nshards; i++) aev__shard_free(&s->shards[i]);
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

/* Retention changes: AWS requires Increase to raise and Decrease to lower
 * the period, within 24..8760 hours. The API model puts no range on
 * RetentionPeriodHours, so the service refuses one outside it, in its own
 * words, as InvalidArgumentException. */
static int set_retention(aev_stream *s, int hours, int increase) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (hours < 24)
    return aev__kin_invalid("Minimum allowed retention period is 24 hours. Requested "
                            "retention period (%d hours) is too short.", hours);
  if (hours > 8760)
    return aev__kin_invalid("Maximum allowed retention period is 8760 hours. Requested "
                            "retention period (%d hours) is too long.", hours);
  pthread_mutex_lock(&s->mu);
  int cur = s->retention_h;
  if (increase ? hours < cur : hours > cur) {
    pthread_mutex_unlock(&s->mu);
    return aev__kin_invalid(
        "Requested retention period (%d hours) for stream %s can not be %s "
        "than existing retention period (%d hours). Use %sRetentionPeriod API.",
        hours, s->res.name, increase ? "shorter" : "longer", cur,
        increase ? "Decrease" : "Increase");
  }
  /* Records already past the old period stay gone: trim them before a
   * longer period would bring lazily kept ones back. */
  int64_t horizon = aev__stream_horizon(s, aev__stream_now_ms(s));
  for (size_t i = 0; i < s->nshards; i++)
    aev__shard_trim(&s->shards[i], horizon);
  s->retention_h = hours;
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

int aev_stream_increase_retention(aev_stream *s, int hours) {
  return set_retention(s, hours, 1);
}

int aev_stream_decrease_retention(aev_stream *s, int hours) {
  return set_retention(s, hours, 0);
}

int aev_stream_set_throttling(aev_stream *s, int on) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  s->throttling = on != 0;
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

int aev_stream_set_max_record_size(aev_stream *s, size_t bytes) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  /* AWS's UpdateMaxRecordSize takes whole KiB, 1024 to 10240. A size that
   * is not whole KiB is refused first, naming the bytes given: its KiB
   * would be a truncated value the caller never wrote. */
  if (bytes % 1024)
    return aev__kin_invalid("The maximum record size must be a whole number "
                            "of KiB; %zu bytes was given.",
                            bytes);
  size_t kib = bytes / 1024;
  if (kib < AEV__MIN_RECORD_KIB || kib > AEV__MAX_RECORD_KIB)
    return aev__fail_range((long long)kib, "maxRecordSizeInKiB", AEV__MIN_RECORD_KIB,
                           AEV__MAX_RECORD_KIB);
  atomic_store_explicit(&s->max_record, bytes, memory_order_relaxed);
  return AEV_OK;
}
