/* Routing a hash key to its open shard: the open shards' ids sorted by
 * range start, with their starts side by side for the bisection (a put
 * runs it per record), rebuilt when resharding opens or closes shards. */
#include <stdlib.h>

#include "core/status.h"
#include "stream/stream_impl.h"

int aev__stream_index_reserve(aev_stream *s, size_t n) {
  if (n <= s->open_cap && s->open) return AEV_OK;
  if (!n) n = 1;
  uint32_t *a = realloc(s->open, n * sizeof *a);
  if (!a) return aev__nomem();
  s->open = a;
  aev__u128 *start = realloc(s->open_start, n * sizeof *start);
  if (!start) return aev__nomem();
  s->open_start = start;
  s->open_cap = n;
  return AEV_OK;
}

int aev__stream_index_open(aev_stream *s) {
  size_t n = 0;
  for (size_t i = 0; i < s->nshards; i++) n += !s->shards[i].closed;
  int rc = aev__stream_index_reserve(s, n);
  if (rc != AEV_OK) return rc;
  /* Rebuilt in place: it is read from the shards, not from itself. */
  uint32_t *a = s->open;
  n = 0;
  /* Insertion by start key: open shards never overlap, and their count is
   * small next to the records they route. */
  for (size_t i = 0; i < s->nshards; i++) {
    if (s->shards[i].closed) continue;
    size_t j = n++;
    while (j > 0 && s->shards[a[j - 1]].start > s->shards[i].start) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = (uint32_t)i;
  }
  for (size_t i = 0; i < n; i++) s->open_start[i] = s->shards[a[i]].start;
  s->nopen = n;
  return AEV_OK;
}

aev__shard *aev__stream_route(aev_stream *s, aev__u128 hash) {
  /* The last start <= hash, in [lo, lo + n): halving n without a branch
   * on the comparison, which random hash keys would mispredict. */
  size_t lo = 0, n = s->nopen;
  while (n > 1) {
    size_t half = n / 2;
    lo = s->open_start[lo + half] <= hash ? lo + half : lo;
    n -= half;
  }
  return s->nopen ? &s->shards[s->open[lo]] : NULL;
}
