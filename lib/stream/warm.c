/* Warm throughput of on-demand streams (On-demand Advantage):
 * UpdateStreamWarmThroughput, CreateStream's and UpdateStreamMode's
 * WarmThroughputMiBps, and DescribeStreamSummary's WarmThroughput. AWS
 * takes it only for ON_DEMAND streams of an account whose minimum
 * throughput billing commitment is enabled, up to 10 GiB/s a stream, and
 * scales the stream while it is UPDATING; a lower value releases the
 * capacity above it. Here the stream's capacity is its open shards, 1 MiB/s
 * of writes each: warming scales them to the MiB/s asked for, never below
 * the 4 an on-demand stream starts with, as a change the broker runs. */
#include "core/broker.h"
#include "core/status.h"
#include "stream/account.h"
#include "stream/quotas.h"
#include "stream/warm.h"

/* AWS's default limit: "Scale to more than 10 GiBps for an on-demand
 * stream" is refused. */
#define WARM_MAX_MIBPS 10240

static int shards_for(int mibps) {
  return mibps > AEV__ON_DEMAND_SHARDS ? mibps : AEV__ON_DEMAND_SHARDS;
}

int aev__warm_allowed(aev_broker *b, const char *stream, int mibps, int64_t *commitment) {
  if (mibps < 0) return aev__fail_range(mibps, "warmThroughputMiBps", 0, WARM_MAX_MIBPS);
  if (mibps > WARM_MAX_MIBPS)
    return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                     "Warm throughput %d MiBps for stream %s under account %s exceeds the "
                     "limit of %d MiBps (10 GiBps) for an on-demand stream.",
                     mibps, stream, aev_broker_account(b), WARM_MAX_MIBPS);
  int rc = aev__kin_commitment(b, commitment);
  if (rc == AEV_OK && !*commitment)
    rc = aev__kin_invalid("Warm throughput requires the MinimumThroughputBillingCommitment of "
                          "account %s to be ENABLED (UpdateAccountSettings); it is DISABLED.",
                          aev_broker_account(b));
  return rc;
}

int aev__warm_check(aev_stream *s, int mibps, int64_t *commitment) {
  aev_broker *b = s->res.broker;
  int rc = aev__warm_allowed(b, s->res.name, mibps, commitment);
  /* More shards count against the account's shard quota. */
  if (rc == AEV_OK)
    rc = aev__stream_shard_quota_check(b, shards_for(mibps) - aev__reshard_open_count(s));
  return rc;
}

int aev__warm_begin(aev_stream *s, int mibps, int64_t commitment) {
  int rc = aev__reshard_warm(s, shards_for(mibps));
  if (rc == AEV_OK) {
    s->warm_mibps = mibps;
    s->warm_commitment = commitment;
  }
  return rc;
}

int aev__warm_not_on_demand(const aev_stream *s) {
  return aev__kin_invalid("Warm throughput is not supported for stream %s under account %s in "
                          "PROVISIONED mode: only ON_DEMAND streams take it.",
                          s->res.name, aev_broker_account(s->res.broker));
}

static int update(aev_stream *s, int mibps) {
  int64_t commitment;
  pthread_mutex_lock(&s->mu);
  int on_demand = s->on_demand;
  pthread_mutex_unlock(&s->mu);
  /* A value no stream takes is refused first, as the model refuses it. */
  int rc = on_demand || mibps < 0 ? aev__warm_check(s, mibps, &commitment)
                                  : aev__warm_not_on_demand(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  if (s->status != AEV__STATUS_ACTIVE)
    rc = aev__kin_in_use(s);
  else if (!s->on_demand)
    rc = aev__warm_not_on_demand(s);
  else
    rc = aev__warm_begin(s, mibps, commitment);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

/* The check and the change under the broker's quota lock, as the other
 * requests that may open shards. */
int aev_stream_update_warm_throughput(aev_stream *s, int mibps) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  aev__broker_quota_lock(s->res.broker);
  rc = update(s, mibps);
  aev__broker_quota_unlock(s->res.broker);
  return rc;
}

json_t *aev__warm_json(const aev_stream *s, int64_t commitment) {
  json_t *w = json_pack("{s:I}", "CurrentMiBps", (json_int_t)s->nopen);
  if (w && s->warm_commitment == commitment &&
      json_object_set_new(w, "TargetMiBps", json_integer(s->warm_mibps))) {
    json_decref(w);
    return NULL;
  }
  return w;
}
