/* Reading records: a batch copied out of a shard under the stream's lock
 * into one buffer (GetRecords and SubscribeToShardEvent share it), with
 * MillisBehindLatest, the next iterator or continuation sequence number,
 * and ChildShards at the end of a closed shard; the batch's accessors. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/status.h"
#include "stream/stream_impl.h"

typedef struct rec_view {
  const char *key;
  const unsigned char *data;
  size_t len;
  int64_t arrival_ms;
  int encrypted;
  char seq[AEV_STREAM_SEQUENCE_SIZE];
} rec_view;

struct aev_records {
  size_t n;
  rec_view *v;
  char *buf; /* keys (NUL-terminated) and data, back to back */
  char *next_iterator;
  char continuation[AEV_STREAM_SEQUENCE_SIZE];
  int has_continuation;
  int64_t millis_behind;
  char *child_shards;
};

int aev__records_read(aev_stream *s, aev__shard *sh, uint64_t *pos, int limit,
                      size_t max_bytes, aev_records **out) {
  uint64_t p = *pos < sh->first ? sh->first : *pos;
  size_t n = 0, bytes = 0, room = 0;
  /* Count what fits: at most limit records and max_bytes of data, but
   * always at least one record so an oversized one cannot stall a reader. */
  while (p + n < sh->next && n < (size_t)limit) {
    aev__krec *k = aev__shard_at(sh, p + n);
    if (n && bytes + k->len > max_bytes) break;
    bytes += k->len;
    room += k->len + k->key_len + 2;
    n++;
  }
  aev_records *r = calloc(1, sizeof *r);
  if (!r) return aev__nomem();
  r->v = calloc(n ? n : 1, sizeof *r->v);
  r->buf = malloc(room ? room : 1);
  if (!r->v || !r->buf) {
    aev_records_free(r);
    return aev__nomem();
  }
  char *w = r->buf;
  for (size_t i = 0; i < n; i++) {
    aev__krec *k = aev__shard_at(sh, p + i);
    rec_view *v = &r->v[i];
    memcpy(w, k->bytes, k->key_len);
    w[k->key_len] = '\0';
    v->key = w;
    w += k->key_len + 1;
    memcpy(w, k->bytes + k->key_len, k->len);
    w[k->len] = '\0';
    v->data = (const unsigned char *)w;
    v->len = k->len;
    w += k->len + 1;
    v->arrival_ms = k->arrival_ms;
    v->encrypted = k->encrypted;
    /* Consecutive records: each number is the one before counted up. */
    if (i) {
      memcpy(v->seq, v[-1].seq, sizeof v->seq);
      aev__seq_step(v->seq, v[-1].arrival_ms, k->arrival_ms);
    } else {
      aev__seq_encode(s, sh, p, k->arrival_ms, v->seq);
    }
  }
  r->n = n;
  *pos = p + n;
  /* How far the batch ends from the tip: the age of the oldest record
   * still unread, 0 when caught up. */
  aev__krec *behind = aev__shard_at(sh, *pos);
  int64_t now = aev__stream_now_ms(s);
  r->millis_behind = behind && now > behind->arrival_ms
                         ? now - behind->arrival_ms
                         : 0;
  *out = r;
  return AEV_OK;
}

int aev__records_finish(aev_stream *s, aev__shard *sh, aev_records *r,
                        uint64_t pos, int subscription) {
  int at_end = sh->closed && pos >= sh->next;
  if (at_end) {
    json_t *children = aev__child_shards_json(s, sh);
    r->child_shards = children ? aev__json_dumps(children, JSON_COMPACT) : NULL;
    json_decref(children);
    if (!r->child_shards) return aev__nomem();
  }
  if (subscription) {
    /* The number to resume after: the last record delivered, else the one
     * before the position. */
    if (pos > 0) {
      aev__krec *k = aev__shard_at(sh, pos - 1);
      aev__seq_encode(s, sh, pos - 1, k ? k->arrival_ms : sh->last_arrival,
                      r->continuation);
    } else {
      aev__shard_start_seq(s, sh, r->continuation);
    }
    r->has_continuation = !at_end;
    return AEV_OK;
  }
  if (!at_end) {
    r->next_iterator =
        aev__iterator_encode(s, sh->id, pos, aev__stream_now_ms(s));
    if (!r->next_iterator) return aev__nomem();
  }
  return AEV_OK;
}

void aev_records_free(aev_records *r) {
  if (!r) return;
  free(r->v);
  free(r->buf);
  free(r->next_iterator);
  free(r->child_shards);
  free(r);
}

size_t aev_records_count(const aev_records *r) { return r ? r->n : 0; }

const void *aev_records_data(const aev_records *r, size_t i, size_t *len) {
  if (!r || i >= r->n) {
    if (len) *len = 0;
    return NULL;
  }
  if (len) *len = r->v[i].len;
  return r->v[i].data;
}

const char *aev_records_partition_key(const aev_records *r, size_t i) {
  return r && i < r->n ? r->v[i].key : NULL;
}

const char *aev_records_sequence_number(const aev_records *r, size_t i) {
  return r && i < r->n ? r->v[i].seq : NULL;
}

int64_t aev_records_arrival_ms(const aev_records *r, size_t i) {
  return r && i < r->n ? r->v[i].arrival_ms : 0;
}

const char *aev_records_encryption_type(const aev_records *r, size_t i) {
  return r && i < r->n && r->v[i].encrypted ? "KMS" : "NONE";
}

const char *aev_records_next_iterator(const aev_records *r) {
  return r ? r->next_iterator : NULL;
}

const char *aev_records_continuation(const aev_records *r) {
  return r && r->has_continuation ? r->continuation : NULL;
}

int64_t aev_records_millis_behind(const aev_records *r) {
  return r ? r->millis_behind : 0;
}

const char *aev_records_child_shards(const aev_records *r) {
  return r ? r->child_shards : NULL;
}
