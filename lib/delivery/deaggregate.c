/* Multi-record deaggregation (RecordDeAggregation processor, Firehose's
 * guide "Apply dynamic partitioning to aggregated data"): a record made of
 * consecutive JSON objects ({"a":1}{"a":2}, or one a line) or of pieces
 * between a custom delimiter becomes one record per object or piece. It
 * is "capped at 500 per record": a record that would give more, or whose
 * JSON does not parse as objects, stays whole (what partitioning then
 * makes of it decides where it goes). */
#include <stdlib.h>
#include <string.h>

#include "delivery/delivery_impl.h"

#define MAX_SUB_RECORDS 500

typedef struct piece {
  size_t off, len;
} piece;

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The objects of data into pieces: their count, or 0 when data is not a
 * run of JSON objects or has more than MAX_SUB_RECORDS. */
static size_t json_pieces(const unsigned char *data, size_t len, piece *out) {
  size_t n = 0, at = 0;
  for (;;) {
    while (at < len && is_space(data[at])) at++;
    if (at == len) return n;
    if (data[at] != '{' || n == MAX_SUB_RECORDS) return 0;
    json_error_t e;
    json_t *v = json_loadb((const char *)data + at, len - at, JSON_DISABLE_EOF_CHECK, &e);
    if (!v) return 0;
    json_decref(v);
    out[n++] = (piece){at, (size_t)e.position};
    at += (size_t)e.position;
  }
}

/* The non-empty pieces of data between delimiters, or 0 past the cap. */
static size_t delimited_pieces(const unsigned char *data, size_t len, const unsigned char *delim,
                               size_t dlen, piece *out) {
  size_t n = 0, at = 0;
  while (at <= len) {
    const unsigned char *hit = memmem(data + at, len - at, delim, dlen);
    size_t end = hit ? (size_t)(hit - data) : len;
    if (end > at) {
      if (n == MAX_SUB_RECORDS) return 0;
      out[n++] = (piece){at, end - at};
    }
    if (!hit) break;
    at = end + dlen;
  }
  return n;
}

int aev__fh_deaggregate(const aev__fh_settings *s, aev__frec *r, aev__frec **first) {
  *first = r;
  r->next = NULL;
  if (s->deaggregate == AEV__FH_DEAGG_NONE || !r->len || r->result != AEV__FH_OK) return 0;
  piece *pieces = malloc(MAX_SUB_RECORDS * sizeof *pieces);
  if (!pieces) return -1;
  size_t n = s->deaggregate == AEV__FH_DEAGG_JSON
                 ? json_pieces(r->data, r->len, pieces)
                 : delimited_pieces(r->data, r->len, s->delimiter, s->delimiter_len, pieces);
  aev__frec *head = NULL, **tail = &head;
  for (size_t i = 0; i < n; i++) {
    aev__frec *sub = aev__fh_rec_new(r->data + pieces[i].off, pieces[i].len, 0);
    if (!sub) {
      *tail = NULL;
      while (head) {
        aev__frec *next = head->next;
        aev__fh_rec_free(head);
        head = next;
      }
      free(pieces);
      return -1;
    }
    sub->arrival_ms = r->arrival_ms;
    *tail = sub;
    tail = &sub->next;
  }
  *tail = NULL;
  free(pieces);
  if (!head) return 0; /* stays whole */
  aev__fh_rec_free(r);
  *first = head;
  return 0;
}
