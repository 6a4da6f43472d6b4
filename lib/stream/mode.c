/* Capacity mode switches: UpdateStreamMode between PROVISIONED and
 * ON_DEMAND, twice at most in a rolling 24 hours. The open shards stay as
 * they are, as AWS keeps the shard count across a switch; the stream is
 * UPDATING until the broker runs the change. */
#include "core/status.h"
#include "stream/stream.h"

static const char *mode_name(int on_demand) {
  return on_demand ? "ON_DEMAND" : "PROVISIONED";
}

int aev_stream_update_mode(aev_stream *s, int on_demand) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  on_demand = on_demand != 0;
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  if (s->status != AEV__STATUS_ACTIVE)
    rc = aev__kin_in_use(s);
  else if (s->on_demand == on_demand)
    rc = aev__kin_invalid("Stream %s under account %s is already in %s "
                          "mode.",
                          s->res.name, aev_broker_account(s->res.broker),
                          mode_name(on_demand));
  else if (aev__day_count(s->mode_changes, AEV__MODE_CHANGES_PER_DAY, now) >=
           AEV__MODE_CHANGES_PER_DAY)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Stream %s under account %s has already switched its "
                   "capacity mode %d times in the last 24 hours.",
                   s->res.name, aev_broker_account(s->res.broker),
                   AEV__MODE_CHANGES_PER_DAY);
  else
    rc = aev__stream_updating(s);
  if (rc == AEV_OK) {
    s->on_demand = on_demand;
    aev__day_note(s->mode_changes, AEV__MODE_CHANGES_PER_DAY, now);
    /* Demand counted before an earlier switch is not this mode's. */
    if (on_demand) aev__ondemand_reset(s);
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}
