/* Per-shard throughput limits as token buckets on the broker clock: writes
 * 1 MiB/s and 1,000 records/s, reads 2 MiB/s and 5 GetRecords calls/s,
 * GetShardIterator 5 calls/s (KDS service quotas). A bucket holds at most
 * one second's worth; a read may overdraw it (one GetRecords may return 10 MiB), which throttles the
 * following reads until the bucket refills, as AWS does for 5 s after a
 * 10 MiB answer. */
#include "stream/stream_impl.h"

#define W_BYTES (1024.0 * 1024.0)
#define W_RECS 1000.0

static void refill(aev__bucket *bk, double rate, int64_t now_ms) {
  if (now_ms > bk->at_ms) {
    bk->level += rate * (double)(now_ms - bk->at_ms) / 1000.0;
    if (bk->level > rate) bk->level = rate;
    bk->at_ms = now_ms;
  }
}

int aev__bucket_take(aev__bucket *bk, double rate, double amount,
                     int64_t now_ms) {
  refill(bk, rate, now_ms);
  if (bk->level <= 0) return -1;
  bk->level -= amount;
  return 0;
}

int aev__bucket_take_whole(aev__bucket *bk, double rate, double amount,
                           int64_t now_ms) {
  refill(bk, rate, now_ms);
  if (bk->level < amount) return -1;
  bk->level -= amount;
  return 0;
}

int aev__shard_write_ok(aev__shard *sh, size_t bytes, int64_t now_ms) {
  refill(&sh->w_bytes, W_BYTES, now_ms);
  refill(&sh->w_recs, W_RECS, now_ms);
  if (sh->w_recs.level < 1 || sh->w_bytes.level < (double)bytes) return -1;
  sh->w_recs.level -= 1;
  sh->w_bytes.level -= (double)bytes;
  return 0;
}
