/* The event a queue mapping hands its function: {"Records": [...]} in
 * Lambda's SQS shape (messageId, receiptHandle, body, attributes,
 * messageAttributes, md5OfMessageAttributes, md5OfBody, eventSource,
 * eventSourceARN, awsRegion), written directly as text since it is built
 * for every batch; and the same record with the body parsed, which is what
 * FilterCriteria patterns see. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "function/function_impl.h"
#include "queue/queue.h"

typedef struct sb {
  char *p;
  size_t n, cap;
  int oom;
} sb;

/* Room for more bytes and a NUL: the writers below then append through a
 * plain pointer without checks. NULL when out of memory. */
static char *sb_reserve(sb *s, size_t more) {
  if (s->oom) return NULL;
  if (s->n + more + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < s->n + more + 1) cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
      s->oom = 1;
      return NULL;
    }
    s->p = p;
    s->cap = cap;
  }
  return s->p + s->n;
}

/* Ends a run of unchecked writes at o. */
static void sb_end(sb *s, char *o) {
  *o = '\0';
  s->n = (size_t)(o - s->p);
}

static char *w_put(char *o, const char *t, size_t len) {
  memcpy(o, t, len);
  return o + len;
}

/* A literal's text and length, counted at compile time. */
#define W_LIT(o, t) w_put((o), (t), sizeof(t) - 1)

/* A JSON string of text that never needs escaping (ids, receipt handles,
 * digests, digits): quoted and copied. */
static char *w_plain(char *o, const char *t, size_t len) {
  *o++ = '"';
  memcpy(o, t, len);
  o[len] = '"';
  return o + len + 1;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Non-zero when one of the 8 bytes in w is a control character, '"' or
 * '\\' (the bytes JSON escapes); bytes >= 0x80 pass. */
static uint64_t needs_escape(uint64_t w) {
  uint64_t quote = w ^ (ONES * '"'), slash = w ^ (ONES * '\\');
  return (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) |
          ((slash - ONES) & ~slash)) &
         HIGHS;
}

/* How many leading bytes of t need no escaping: 8 at a time while none
 * does, then byte by byte. */
static size_t clean_run(const unsigned char *t, size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, t + i, 8);
    if (needs_escape(w)) break;
  }
  while (i < len && t[i] >= 0x20 && t[i] != '"' && t[i] != '\\') i++;
  return i;
}

/* The most a JSON string literal of len bytes takes (\u00XX each). */
#define STR_MAX(len) ((len) * 6 + 2)

/* A JSON string literal: quotes, escapes, control characters as \u00XX
 * (STR_MAX(len) bytes reserved). */
static char *w_str(char *o, const char *t, size_t len) {
  static const char hexd[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)t;
  *o++ = '"';
  size_t i = 0;
  while (i < len) {
    size_t run = i + clean_run(u + i, len - i);
    memcpy(o, t + i, run - i);
    o += run - i;
    if (run == len) break;
    unsigned char c = u[run];
    i = run + 1;
    *o++ = '\\';
    switch (c) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '\n': *o++ = 'n'; break;
    case '\t': *o++ = 't'; break;
    case '\r': *o++ = 'r'; break;
    default:
      memcpy(o, "u00", 3);
      o[3] = hexd[c >> 4];
      o[4] = hexd[c & 15];
      o += 5;
    }
  }
  *o++ = '"';
  return o;
}

/* A number as a JSON string ("1704067200000"), as SQS reports them (at
 * most 22 bytes). */
static char *w_num(char *o, uint64_t v) {
  char buf[24], *e = buf + sizeof buf, *p = e;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return w_plain(o, p, (size_t)(e - p));
}

static size_t opt_len(const char *v) { return v ? strlen(v) : 0; }

/* An optional attribute the message may lack (FIFO and tracing ones). */
static char *w_opt(char *o, const char *member, size_t mlen, const char *v) {
  if (!v) return o;
  o = w_put(o, member, mlen);
  return w_str(o, v, strlen(v));
}

#define W_OPT(o, member, v) w_opt((o), (member), sizeof(member) - 1, (v))

/* Appends text (the reservation is the append's own). */
static void sb_put(sb *s, const char *t, size_t len) {
  char *o = sb_reserve(s, len);
  if (o) sb_end(s, w_put(o, t, len));
}

#define SB_LIT(s, t) sb_put((s), (t), sizeof(t) - 1)

/* Lambda's messageAttributes: {"n": {"stringValue", "stringListValues",
 * "binaryListValues", "dataType"}} (binaryValue for Binary types). */
static void message_attributes(sb *s, aev_message *msg) {
  json_t *in = NULL;
  /* The stored map itself, not aev_message_attributes_json's text to be
   * parsed again. */
  if (aev__message_attributes(msg, &in) != AEV_OK) {
    s->oom = 1;
    return;
  }
  json_t *out = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(in, k, v) {
    json_t *a = json_object();
    json_t *sv = json_object_get(v, "StringValue");
    json_t *bv = json_object_get(v, "BinaryValue");
    if (sv) aev__fn_put(&a, "stringValue", json_incref(sv));
    if (bv) aev__fn_put(&a, "binaryValue", json_incref(bv));
    aev__fn_put(&a, "stringListValues", json_array());
    aev__fn_put(&a, "binaryListValues", json_array());
    aev__fn_put(&a, "dataType", json_incref(json_object_get(v, "DataType")));
    aev__fn_put(&out, k, a);
  }
  /* out NULL: an attribute could not be added, never an event without it */
  char *dumped = out ? aev__json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  if (dumped) sb_put(s, dumped, strlen(dumped));
  else s->oom = 1;
  free(dumped);
  json_decref(out);
  json_decref(in);
}

/* The members every record of a mapping ends with, written once per
 * event: eventSource, eventSourceARN and awsRegion. */
static void record_tail(sb *s, const aev__esm *m) {
  const char *region = aev_broker_region(m->b);
  size_t alen = strlen(m->source_arn), rlen = strlen(region);
  char *o = sb_reserve(s, 64 + STR_MAX(alen) + STR_MAX(rlen));
  if (!o) return;
  o = W_LIT(o, ",\"eventSource\":\"aws:sqs\",\"eventSourceARN\":");
  o = w_str(o, m->source_arn, alen);
  o = W_LIT(o, ",\"awsRegion\":");
  o = w_str(o, region, rlen);
  o = W_LIT(o, "}");
  sb_end(s, o);
}

/* The record's text up to its messageAttributes, and from its
 * md5OfMessageAttributes on, need no more than the literals (under 400
 * bytes), the escaped values and the tail. */
#define RECORD_FIXED 512

/* One record, members in Lambda's order; raw_body embeds a body that is
 * JSON as a value (filters). Ids, receipt handles, digests and numbers are
 * the library's own text and need no escaping. Room is reserved once for
 * all of it (then again for the rare messageAttributes). */
static void record(sb *s, aev_message *msg, int raw_body, const char *tail,
                   size_t tail_len) {
  size_t len;
  const char *body = aev_message_body(msg, &len);
  const char *id = aev_message_id(msg), *handle = aev_message_receipt_handle(msg);
  const char *md5a = aev_message_md5_of_attributes(msg);
  aev__msg_system sys;
  aev__message_system(msg, &sys);
  size_t idlen = strlen(id), hlen = strlen(handle), slen = strlen(sys.sender);
  size_t optional = opt_len(sys.seq) + opt_len(sys.group) +
                    opt_len(sys.dedup) + opt_len(sys.trace);
  char *o = sb_reserve(s, RECORD_FIXED + idlen + hlen + STR_MAX(len) +
                              STR_MAX(slen) + STR_MAX(optional) + tail_len);
  if (!o) return;
  o = W_LIT(o, "{\"messageId\":");
  o = w_plain(o, id, idlen);
  o = W_LIT(o, ",\"receiptHandle\":");
  o = w_plain(o, handle, hlen);
  o = W_LIT(o, ",\"body\":");
  if (raw_body && aev__json_valid(body, len)) o = w_put(o, body, len);
  else o = w_str(o, body, len);
  o = W_LIT(o, ",\"attributes\":{\"ApproximateReceiveCount\":");
  o = w_num(o, sys.rx_count);
  o = W_LIT(o, ",\"SentTimestamp\":");
  o = w_num(o, (uint64_t)sys.sent_ms);
  o = W_LIT(o, ",\"SenderId\":");
  o = w_str(o, sys.sender, slen);
  o = W_LIT(o, ",\"ApproximateFirstReceiveTimestamp\":");
  o = w_num(o, (uint64_t)sys.first_rx_ms);
  if (sys.seq) {
    o = W_LIT(o, ",\"SequenceNumber\":");
    o = w_plain(o, sys.seq, strlen(sys.seq));
  }
  o = W_OPT(o, ",\"MessageGroupId\":", sys.group);
  o = W_OPT(o, ",\"MessageDeduplicationId\":", sys.dedup);
  o = W_OPT(o, ",\"AWSTraceHeader\":", sys.trace);
  o = W_LIT(o, "},\"messageAttributes\":");
  if (md5a) {
    sb_end(s, o);
    message_attributes(s, msg);
    if (!(o = sb_reserve(s, RECORD_FIXED + tail_len))) return;
    o = W_LIT(o, ",\"md5OfMessageAttributes\":");
    o = w_plain(o, md5a, strlen(md5a));
  } else {
    o = W_LIT(o, "{},\"md5OfMessageAttributes\":null");
  }
  o = W_LIT(o, ",\"md5OfBody\":");
  o = w_plain(o, aev_message_md5_of_body(msg), 32);
  o = w_put(o, tail, tail_len);
  sb_end(s, o);
}

char *aev__esm_event(aev__esm *m, aev_message **msgs, size_t n, size_t *len) {
  sb tail = {0};
  record_tail(&tail, m);
  if (tail.oom) return NULL;
  sb s = {0};
  size_t guess = 64;
  for (size_t i = 0; i < n; i++) {
    size_t blen;
    aev_message_body(msgs[i], &blen);
    guess += blen + 512 + tail.n +
             (size_t)(aev_message_md5_of_attributes(msgs[i]) ? 512 : 0);
  }
  sb_reserve(&s, guess);
  SB_LIT(&s, "{\"Records\":[");
  for (size_t i = 0; i < n; i++) {
    if (i) SB_LIT(&s, ",");
    record(&s, msgs[i], 0, tail.p, tail.n);
  }
  SB_LIT(&s, "]}");
  free(tail.p);
  if (s.oom) {
    free(s.p);
    return NULL;
  }
  *len = s.n;
  return s.p;
}

int aev__esm_matches(aev__esm *m, aev_message *msg) {
  sb tail = {0}, s = {0};
  record_tail(&tail, m);
  if (!tail.oom) record(&s, msg, 1, tail.p, tail.n);
  free(tail.p);
  int any = tail.oom || s.oom ? -1 : 0;
  for (int i = 0; any == 0 && i < m->npatterns; i++) {
    int match = 0;
    int rc = aev_pattern_matches(m->patterns[i], s.p, s.n, &match);
    if (rc == AEV_ERR_NOMEM) any = -1;
    else if (rc == AEV_OK) any = match;
  }
  free(s.p);
  return any;
}
