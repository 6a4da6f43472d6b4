/* Routing a hash key to its open shard: the open shards' ids sorted by
 * range start, searched by bisection, rebuilt when resharding opens or
 * closes shards. */
#include <stdlib.h>

#include "core/status.h"
#include "stream/stream_impl.h"

int aev__stream_index_open(aev_stream *s) {
  size_t n = 0;
  for (size_t i = 0; i < s->nshards; i++) n += !s->shards[i].closed;
  uint32_t *a = malloc((n ? n : 1) * sizeof *a);
  if (!a) return aev__nomem();
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
  free(s->open);
  s->open = a;
  s->nopen = n;
  return AEV_OK;
}

aev__shard *aev__stream_route(aev_stream *s, aev__u128 hash) {
  size_t lo = 0, hi = s->nopen;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->shards[s->open[mid]].start <= hash)
      lo = mid;
    else
      hi = mid;
  }
  return s->nopen ? &s->shards[s->open[lo]] : NULL;
}
