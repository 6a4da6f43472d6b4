/* Sequence numbers and shard ids. A sequence number is 56 decimal digits,
 * as AWS's are: "49", the shard's creation time (10 digits of epoch
 * seconds), the stream's tag (5), the shard (6), the record's index in the
 * shard (20) and its arrival time (13 digits of epoch ms). Everything before
 * the index is fixed per shard, so numbers increase strictly per shard, and
 * an iterator request can tell which stream and shard one came from. */
#include <stdio.h>
#include <string.h>

#include "stream/stream_impl.h"

#define SEQ_LEN 56
#define PREFIX_LEN 23

static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Fixed-width decimal, two digits per division. */
static char *put_digits(char *p, uint64_t v, int width) {
  int i = width;
  while (i >= 2) {
    const char *d = pairs + 2 * (v % 100);
    v /= 100;
    p[--i] = d[1];
    p[--i] = d[0];
  }
  if (i) p[0] = (char)('0' + v % 10);
  return p + width;
}

static int get_digits(const char *p, int width, uint64_t *v) {
  uint64_t r = 0;
  for (int i = 0; i < width; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    r = r * 10 + (uint64_t)(p[i] - '0');
  }
  *v = r;
  return 0;
}

void aev__seq_prefix(const aev_stream *s, aev__shard *sh) {
  char *p = sh->seq_prefix;
  *p++ = '4';
  *p++ = '9';
  p = put_digits(p, (uint64_t)sh->created_s, 10);
  p = put_digits(p, s->tag % 100000, 5);
  p = put_digits(p, sh->id, 6);
  *p = '\0';
}

void aev__seq_encode(const aev_stream *s, const aev__shard *sh,
                     uint64_t index, int64_t arrival_ms, char *out) {
  /* Puts run this per record: the shard's fixed digits are copied. */
  memcpy(out, sh->seq_prefix, PREFIX_LEN);
  char *p = put_digits(out + PREFIX_LEN, index, 20);
  p = put_digits(p, (uint64_t)arrival_ms, 13);
  *p = '\0';
}

void aev__seq_step(char *seq, int64_t prev_ms, int64_t arrival_ms) {
  /* The index field has room for any uint64_t's successor, so the carry
   * always stops inside it. */
  char *d = seq + PREFIX_LEN + 19;
  while (*d == '9') *d-- = '0';
  (*d)++;
  if (arrival_ms != prev_ms)
    put_digits(seq + PREFIX_LEN + 20, (uint64_t)arrival_ms, 13);
}

void aev__seq_appended(const aev_stream *s, aev__shard *sh, uint64_t index,
                       int64_t arrival_ms, char *out) {
  if (sh->last_seq[0] && sh->last_seq_index + 1 == index)
    aev__seq_step(sh->last_seq, sh->last_seq_ms, arrival_ms);
  else
    aev__seq_encode(s, sh, index, arrival_ms, sh->last_seq);
  sh->last_seq_index = index;
  sh->last_seq_ms = arrival_ms;
  memcpy(out, sh->last_seq, SEQ_LEN + 1);
}

int aev__seq_decode(const aev_stream *s, const aev__shard *sh,
                    const char *text, uint64_t *index) {
  uint64_t created, tag, shard, idx, at;
  if (!text || strlen(text) != SEQ_LEN || text[0] != '4' || text[1] != '9')
    return -1;
  if (get_digits(text + 2, 10, &created) || get_digits(text + 12, 5, &tag) ||
      get_digits(text + 17, 6, &shard) || get_digits(text + 23, 20, &idx) ||
      get_digits(text + 43, 13, &at))
    return -1;
  if (shard != sh->id) {
    *index = shard;
    return -2;
  }
  if (tag != s->tag % 100000 || created != (uint64_t)sh->created_s) return -3;
  *index = idx;
  return 0;
}

void aev__shard_id_format(uint32_t id, char *out) {
  memcpy(out, "shardId-", 8);
  put_digits(out + 8, id, 12);
  out[20] = '\0';
}

aev__shard *aev__shard_find(aev_stream *s, const char *text) {
  uint64_t id;
  if (!text || strlen(text) != 20 || strncmp(text, "shardId-", 8) ||
      get_digits(text + 8, 12, &id))
    return NULL;
  return id < s->nshards ? &s->shards[id] : NULL;
}
