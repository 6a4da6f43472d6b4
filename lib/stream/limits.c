/* The account's shard quota and on-demand stream quota at AWS's defaults:
 * DescribeLimits reports them with how much of them the broker's streams
 * use, and the requests that would pass them fail (quotas.h). */
#include <string.h>

#include "core/registry.h"
#include "core/status.h"
#include "stream/quotas.h"
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

/* The open shards of every stream (with pending, as they will be once
 * their pending changes have run), and how many streams other than except
 * are on demand. */
static int usage(aev_broker *b, const aev_stream *except, int pending, size_t *open,
                 int *on_demand) {
  aev__resource **all;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_STREAM, NULL, &all, &n);
  if (rc != AEV_OK) return rc;
  *open = 0;
  *on_demand = 0;
  for (size_t i = 0; i < n; i++) {
    aev_stream *s = (aev_stream *)all[i];
    pthread_mutex_lock(&s->mu);
    *open += pending ? aev__reshard_open_after(s) : s->nopen;
    *on_demand += s->on_demand && s != except;
    pthread_mutex_unlock(&s->mu);
  }
  aev__registry_list_free(all, n);
  return AEV_OK;
}

int aev__stream_limits_json(aev_broker *b, json_t **out) {
  size_t open;
  int on_demand;
  int rc = usage(b, NULL, 0, &open, &on_demand);
  if (rc != AEV_OK) return rc;
  *out = json_pack("{s:i, s:I, s:i, s:i}", "ShardLimit",
                   shard_quota(aev_broker_region(b)), "OpenShardCount",
                   (json_int_t)open, "OnDemandStreamCount", on_demand,
                   "OnDemandStreamCountLimit", ON_DEMAND_STREAMS);
  return *out ? AEV_OK : aev__nomem();
}

/* Kinesis's wording (as kinesalite, which is checked against AWS, has it;
 * the API reference gives none). */
int aev__stream_shard_quota_check(aev_broker *b, int adding) {
  size_t open;
  int on_demand, quota = shard_quota(aev_broker_region(b));
  int rc = usage(b, NULL, 1, &open, &on_demand);
  if (rc != AEV_OK || adding <= 0 || open + (size_t)adding <= (size_t)quota) return rc;
  return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "This request would exceed the shard limit for the account "
                   "%s in %s. Current shard count for the account: %zu. "
                   "Limit: %d. Number of additional shards that would have "
                   "resulted from this request: %d. Refer to the AWS Service "
                   "Limits page "
                   "(http://docs.aws.amazon.com/general/latest/gr/"
                   "aws_service_limits.html) for current limits and how to "
                   "request higher limits.",
                   aev_broker_account(b), aev_broker_region(b), open, quota,
                   adding);
}

/* AWS documents the quota (50 by default) but not its message. */
int aev__stream_on_demand_quota_check(aev_broker *b, const aev_stream *s) {
  size_t open;
  int on_demand;
  int rc = usage(b, s, 1, &open, &on_demand);
  if (rc != AEV_OK || on_demand < ON_DEMAND_STREAMS) return rc;
  return aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "This request would exceed the limit of %d data streams "
                   "in the on-demand capacity mode for the account %s in %s.",
                   ON_DEMAND_STREAMS, aev_broker_account(b),
                   aev_broker_region(b));
}
