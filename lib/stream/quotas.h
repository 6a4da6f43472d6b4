/* Internal: the account's Kinesis quotas (limits.c), checked by the
 * requests that would pass them. Both take every stream's lock in turn:
 * call them with no stream lock held. */
#ifndef AEV_STREAM_QUOTAS_H
#define AEV_STREAM_QUOTAS_H

#include "awsevents/stream.h"

/* LimitExceededException when adding more open shards would take the
 * account's open shards, all streams', past its shard quota. */
int aev__stream_shard_quota_check(aev_broker *b, int adding);
/* LimitExceededException when the account already has its quota of
 * on-demand streams, s (a stream switching to ON_DEMAND; NULL for a new
 * stream) not counted. */
int aev__stream_on_demand_quota_check(aev_broker *b, const aev_stream *s);

#endif
