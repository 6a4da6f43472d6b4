/* DescribeLimits: the account's shard quota and on-demand stream quota
 * at AWS's defaults, and how much of them the broker's streams use. The
 * quotas are reported, not enforced: the broker keeps no account-wide
 * shard count (a stream's own limit, AEV__MAX_SHARDS, is enforced). */
#include <string.h>

#include "core/registry.h"
#include "core/status.h"
#include "stream/stream.h"

/* AWS's default shard quota: 20,000 in US East (N. Virginia), US West
 * (Oregon) and Europe (Ireland), 1,000 elsewhere (KDS quotas page). */
static int shard_quota(const char *region) {
  static const char *const large[] = {"us-east-1", "us-west-2", "eu-west-1"};
  for (size_t i = 0; i < sizeof large / sizeof large[0]; i++)
    if (!strcmp(region, large[i])) return 20000;
  return 1000;
}

/* Data streams in on-demand mode: 50 by default. */
#define ON_DEMAND_STREAMS 50

int aev__stream_limits_json(aev_broker *b, json_t **out) {
  aev__resource **all;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_STREAM, NULL, &all, &n);
  if (rc != AEV_OK) return rc;
  size_t open = 0;
  int on_demand = 0;
  for (size_t i = 0; i < n; i++) {
    aev_stream *s = (aev_stream *)all[i];
    pthread_mutex_lock(&s->mu);
    open += s->nopen;
    on_demand += s->on_demand;
    pthread_mutex_unlock(&s->mu);
  }
  aev__registry_list_free(all, n);
  *out = json_pack("{s:i, s:I, s:i, s:i}", "ShardLimit",
                   shard_quota(aev_broker_region(b)), "OpenShardCount",
                   (json_int_t)open, "OnDemandStreamCount", on_demand,
                   "OnDemandStreamCountLimit", ON_DEMAND_STREAMS);
  return *out ? AEV_OK : aev__nomem();
}
