/* Internal: the account's Kinesis quotas (limits.c), checked by the
 * requests that would pass them. Both take every stream's lock in turn:
 * call them with the broker's quota lock held (aev__broker_quota_lock())
 * until the request's change counts in the usage, and no stream lock. */
#ifndef AEV_STREAM_QUOTAS_H
#define AEV_STREAM_QUOTAS_H

#include "awsevents/stream.h"

/* LimitExceededException when adding more open shards would take the
 * account's open shards, all streams' (with their pending changes run),
 * past its shard quota. */
int aev__stream_shard_quota_check(aev_broker *b, int adding);
/* LimitExceededException when the account already has its quota of
 * on-demand streams, s (a stream switching to ON_DEMAND; NULL for a new
 * stream) not counted. */
int aev__stream_on_demand_quota_check(aev_broker *b, const aev_stream *s);

#endif
