/* Internal to lib/stream: warm throughput (warm.c), shared by
 * UpdateStreamWarmThroughput, CreateStream and UpdateStreamMode. */
#ifndef AEV_STREAM_WARM_H
#define AEV_STREAM_WARM_H

#include <jansson.h>
#include <stdint.h>

#include "stream/stream_impl.h"

/* What a warm throughput of mibps for the stream named stream needs of
 * the request and the account: 0 to 10240 MiB/s (ValidationException
 * below, LimitExceededException above) and the account's commitment in
 * force (its start in *commitment; InvalidArgumentException without
 * one). */
int aev__warm_allowed(aev_broker *b, const char *stream, int mibps, int64_t *commitment);
/* The same for stream s, and room in the account's shard quota for the
 * shards it needs. The quota lock held, mu not. */
int aev__warm_check(aev_stream *s, int mibps, int64_t *commitment);
/* The change (mu held, the stream ACTIVE and ON_DEMAND), recorded as
 * asked under the commitment that started at commitment. */
int aev__warm_begin(aev_stream *s, int mibps, int64_t commitment);
/* UpdateStreamMode with WarmThroughputMiBps (warm_mibps; -1 for none),
 * mode.c. */
int aev__stream_update_mode(aev_stream *s, int on_demand, int warm_mibps);
/* InvalidArgumentException: s is PROVISIONED. */
int aev__warm_not_on_demand(const aev_stream *s);
/* DescribeStreamSummary's WarmThroughput (mu held) of an ON_DEMAND
 * stream while the account's commitment that started at commitment is in
 * force (AWS shows it for no other): {"CurrentMiBps": its open shards'
 * MiB/s, "TargetMiBps": what was asked, if it was under that commitment};
 * NULL when out of memory. */
json_t *aev__warm_json(const aev_stream *s, int64_t commitment);

#endif
