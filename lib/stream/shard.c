/* A shard's records: packed into append-only chunks with an index of
 * pointers, so a put costs one copy, a read by position is an array
 * lookup, a timestamp is a binary search, and retention frees whole
 * chunks once their last record has expired (the trim horizon moves; no
 * timer per record). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "stream/stream_impl.h"

/* Chunk sizes double from 64 KiB to 2 MiB; those of 2 MiB are aligned on
 * and advised as transparent huge pages, so a busy shard takes one page
 * fault per 2 MiB of records instead of 512, while a quiet one holds
 * little. */
#define CHUNK_MIN ((size_t)64 << 10)
#define HUGE_PAGE ((size_t)2 << 20)

static size_t rec_size(size_t key_len, size_t len) {
  return (sizeof(aev__krec) + key_len + len + 7) & ~(size_t)7;
}

static aev__kchunk *chunk_new(size_t size) {
  aev__kchunk *c;
  if (size >= HUGE_PAGE) {
    size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    c = aligned_alloc(HUGE_PAGE, size);
    if (c) madvise(c, size, MADV_HUGEPAGE);
  } else {
    c = malloc(size);
  }
  if (!c) return NULL;
  c->next = NULL;
  c->used = 0;
  c->cap = size - sizeof *c;
  return c;
}

static aev__krec *chunk_alloc(aev__shard *sh, size_t need) {
  aev__kchunk *c = sh->chunk_tail;
  if (!c || c->cap - c->used < need) {
    size_t size = c ? 2 * (sizeof *c + c->cap) : CHUNK_MIN;
    if (size > HUGE_PAGE) size = HUGE_PAGE;
    if (size < sizeof *c + need) size = sizeof *c + need;
    c = chunk_new(size);
    if (!c) return NULL;
    if (sh->chunk_tail)
      sh->chunk_tail->next = c;
    else
      sh->chunks = c;
    sh->chunk_tail = c;
  }
  aev__krec *r = (aev__krec *)(c->mem + c->used);
  c->used += need;
  return r;
}

int aev__shard_append(aev__shard *sh, const char *key, size_t key_len,
                      const void *data, size_t len, int64_t now_ms,
                      int encrypted, uint64_t *index) {
  if (sh->head + sh->n == sh->cap) {
    if (sh->head > 0 && sh->head >= sh->cap / 2) {
      /* Trimming left at least half the index free at the front: slide
       * the live part down (amortised O(1) per record). */
      memmove(sh->recs, sh->recs + sh->head, sh->n * sizeof *sh->recs);
      sh->head = 0;
    } else {
      size_t cap = sh->cap ? sh->cap * 2 : 1024;
      aev__krec **a = realloc(sh->recs, cap * sizeof *a);
      if (!a) return -1;
      sh->recs = a;
      sh->cap = cap;
    }
  }
  aev__krec *r = chunk_alloc(sh, rec_size(key_len, len));
  if (!r) return -1;
  /* ApproximateArrivalTimestamp never goes backwards within a shard, so
   * AT_TIMESTAMP can binary-search. */
  r->arrival_ms = now_ms > sh->last_arrival ? now_ms : sh->last_arrival;
  sh->last_arrival = r->arrival_ms;
  r->len = (uint32_t)len;
  r->key_len = (uint16_t)key_len;
  r->encrypted = encrypted != 0;
  memcpy(r->bytes, key, key_len);
  if (len) memcpy(r->bytes + key_len, data, len);
  sh->chunk_tail->last = sh->next;
  sh->recs[sh->head + sh->n++] = r;
  *index = sh->next++;
  return 0;
}

aev__krec *aev__shard_at(const aev__shard *sh, uint64_t index) {
  if (index < sh->first || index >= sh->next) return NULL;
  return sh->recs[sh->head + (index - sh->first)];
}

void aev__shard_trim(aev__shard *sh, int64_t horizon_ms) {
  /* Records arrive at or after now, past any horizon already trimmed to:
   * until the horizon moves on, there is nothing to drop. */
  if (horizon_ms <= sh->trimmed_to) return;
  sh->trimmed_to = horizon_ms;
  if (!sh->n || sh->recs[sh->head]->arrival_ms >= horizon_ms) return;
  uint64_t keep = aev__shard_seek_time(sh, horizon_ms);
  size_t drop = (size_t)(keep - sh->first);
  /* Free chunks holding only dropped records; a chunk shared with kept
   * records stays until they expire too. */
  while (sh->chunks && sh->chunks->last < keep) {
    aev__kchunk *c = sh->chunks;
    sh->chunks = c->next;
    if (!sh->chunks) sh->chunk_tail = NULL;
    free(c);
  }
  sh->head += drop;
  sh->n -= drop;
  sh->first = keep;
}

uint64_t aev__shard_seek_time(const aev__shard *sh, int64_t ms) {
  size_t lo = 0, hi = sh->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sh->recs[sh->head + mid]->arrival_ms < ms)
      lo = mid + 1;
    else
      hi = mid;
  }
  return sh->first + lo;
}

void aev__shard_free(aev__shard *sh) {
  while (sh->chunks) {
    aev__kchunk *c = sh->chunks;
    sh->chunks = c->next;
    free(c);
  }
  sh->chunk_tail = NULL;
  free(sh->recs);
  sh->recs = NULL;
  sh->n = sh->cap = sh->head = 0;
}

int aev__shard_expired(const aev_stream *s, const aev__shard *sh,
                       int64_t now_ms) {
  return sh->closed && sh->closed_ms < aev__stream_horizon(s, now_ms);
}

void aev__shard_start_seq(const aev_stream *s, const aev__shard *sh,
                          char *out) {
  aev__seq_encode(s, sh, 0, sh->created_s * 1000, out);
}

void aev__shard_end_seq(const aev_stream *s, const aev__shard *sh,
                        char *out) {
  if (sh->next == 0) {
    aev__shard_start_seq(s, sh, out);
    return;
  }
  aev__krec *r = aev__shard_at(sh, sh->next - 1);
  aev__seq_encode(s, sh, sh->next - 1, r ? r->arrival_ms : sh->last_arrival,
                  out);
}

int aev__shards_reserve(aev_stream *s, size_t n) {
  if (s->nshards + n <= s->shards_cap) return AEV_OK;
  size_t cap = s->shards_cap ? s->shards_cap * 2 : 8;
  while (cap < s->nshards + n) cap *= 2;
  aev__shard *a = realloc(s->shards, cap * sizeof *a);
  if (!a) return AEV_ERR_NOMEM;
  s->shards = a;
  s->shards_cap = cap;
  return AEV_OK;
}

aev__shard *aev__shard_add(aev_stream *s, aev__u128 start, aev__u128 end,
                           int64_t parent, int64_t adjacent, int64_t now_ms) {
  if (aev__shards_reserve(s, 1) != AEV_OK) return NULL;
  aev__shard *sh = &s->shards[s->nshards];
  memset(sh, 0, sizeof *sh);
  sh->id = (uint32_t)s->nshards++;
  sh->start = start;
  sh->end = end;
  sh->parent = parent;
  sh->adjacent = adjacent;
  sh->created_s = now_ms / 1000;
  sh->last_arrival = now_ms;
  /* Buckets start full: a new shard takes a second's worth at once. */
  sh->w_bytes.level = 1 << 20;
  sh->w_recs.level = 1000;
  sh->r_bytes.level = 2 << 20;
  sh->r_calls.level = sh->iter_calls.level = 5;
  sh->w_bytes.at_ms = sh->w_recs.at_ms = sh->r_bytes.at_ms =
      sh->r_calls.at_ms = sh->iter_calls.at_ms = now_ms;
  sh->trimmed_to = INT64_MIN;
  aev__shard_id_format(sh->id, sh->id_text);
  aev__seq_prefix(s, sh);
  return sh;
}
