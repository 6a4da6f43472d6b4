/* On-demand capacity. AWS starts an on-demand stream with 4 shards and
 * adds shards as write traffic grows, accommodating up to double the
 * previous peak. Here each shard of an on-demand stream counts its write
 * demand (records and bytes offered, throttled or not) per broker-clock
 * second; when that demand exceeds the shard's write capacity (1,000
 * records or 1 MiB) in two consecutive seconds (sustained, not one
 * burst), the stream splits the shard at the middle of its hash range,
 * doubling the capacity of that key range, as a resharding change the
 * broker runs (the stream is UPDATING until then; one change at a time).
 * Repeated, a range keeps splitting until its capacity covers the demand.
 * At most AEV__ON_DEMAND_MAX_SHARDS open shards (on-demand's default
 * 200 MiB/s write quota). Only while throttling is on: with it off there
 * is no capacity to outgrow. Deterministic on the manual clock. */
#include "stream/stream_impl.h"

#define CAP_RECORDS 1000u
#define CAP_BYTES (1u << 20)

void aev__ondemand_reset(aev_stream *s) {
  for (size_t i = 0; i < s->nshards; i++) {
    aev__shard *sh = &s->shards[i];
    sh->demand_recs = 0;
    sh->demand_bytes = 0;
    /* No broker-clock second follows these (the clock starts in 2024). */
    sh->demand_s = sh->hot_s = -2;
  }
}

void aev__ondemand_note(aev_stream *s, aev__shard *sh, size_t bytes,
                        int64_t now_ms) {
  int64_t sec = now_ms / 1000;
  if (sec != sh->demand_s) {
    sh->demand_s = sec;
    sh->demand_recs = 0;
    sh->demand_bytes = 0;
  }
  int was_over = sh->demand_recs > CAP_RECORDS || sh->demand_bytes > CAP_BYTES;
  sh->demand_recs++;
  sh->demand_bytes += bytes;
  int over = sh->demand_recs > CAP_RECORDS || sh->demand_bytes > CAP_BYTES;
  /* Act once per second, on the write that crosses the capacity. */
  if (was_over || !over) return;
  int sustained = sh->hot_s == sec - 1;
  sh->hot_s = sec;
  if (sustained && !sh->closed && s->nopen < AEV__ON_DEMAND_MAX_SHARDS)
    aev__reshard_auto_split(s, sh->id);
}
