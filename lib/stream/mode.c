/* Capacity mode switches: UpdateStreamMode between PROVISIONED and
 * ON_DEMAND, twice at most in a rolling 24 hours. The open shards stay as
 * they are, as AWS keeps the shard count across a switch; the stream is
 * UPDATING until the broker runs the change. Asking for the mode the
 * stream already has changes nothing and is not counted: Terraform's AWS
 * provider calls UpdateStreamMode on every apply of a stream. A switch to
 * ON_DEMAND counts against the account's on-demand streams, and may warm
 * the stream (WarmThroughputMiBps, "only valid when the stream mode is
 * being updated to on-demand", warm.c); a switch to PROVISIONED drops
 * its warm throughput, which provisioned streams do not have. */
#include "core/broker.h"
#include "core/status.h"
#include "stream/quotas.h"
#include "stream/stream.h"
#include "stream/warm.h"

/* The switch, its quotas checked (the caller holds the quota lock); warm
 * -1 for none. With warm, a stream already ON_DEMAND is warmed as
 * UpdateStreamWarmThroughput would, without counting a switch. */
static int switch_mode(aev_stream *s, int on_demand, int warm) {
  int rc;
  int64_t commitment = 0;
  if (warm >= 0 && !on_demand)
    return aev__kin_invalid("WarmThroughputMiBps is only valid when the stream mode of stream %s "
                            "is updated to ON_DEMAND.",
                            s->res.name);
  if (on_demand && (rc = aev__stream_on_demand_quota_check(s->res.broker, s)) != AEV_OK)
    return rc;
  if (warm >= 0 && (rc = aev__warm_check(s, warm, &commitment)) != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  int same = s->on_demand == on_demand;
  if (s->status != AEV__STATUS_ACTIVE) {
    rc = aev__kin_in_use(s);
  } else if (same && warm < 0) {
    pthread_mutex_unlock(&s->mu);
    return AEV_OK;
  } else if (!same && aev__day_count(s->mode_changes, AEV__MODE_CHANGES_PER_DAY, now) >=
                          AEV__MODE_CHANGES_PER_DAY) {
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Stream %s under account %s has already switched its "
                   "capacity mode %d times in the last 24 hours.",
                   s->res.name, aev_broker_account(s->res.broker),
                   AEV__MODE_CHANGES_PER_DAY);
  } else {
    rc = warm >= 0 ? aev__warm_begin(s, warm, commitment) : aev__stream_updating(s);
  }
  if (rc == AEV_OK && !same) {
    s->on_demand = on_demand;
    aev__day_note(s->mode_changes, AEV__MODE_CHANGES_PER_DAY, now);
    /* Demand counted before an earlier switch is not this mode's. */
    if (on_demand) aev__ondemand_reset(s);
    else s->warm_commitment = 0;
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

/* A switch to ON_DEMAND counts in the account's on-demand streams from
 * the request on: its check and the switch happen under the broker's
 * quota lock, so that two switches at once never both pass the quota. */
int aev__stream_update_mode(aev_stream *s, int on_demand, int warm_mibps) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  aev__broker_quota_lock(s->res.broker);
  rc = switch_mode(s, on_demand != 0, warm_mibps);
  aev__broker_quota_unlock(s->res.broker);
  return rc;
}

int aev_stream_update_mode(aev_stream *s, int on_demand) {
  return aev__stream_update_mode(s, on_demand, -1);
}
