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
#include "function/function_impl.h"
#include "queue/queue.h"

typedef struct sb {
  char *p;
  size_t n, cap;
  int oom;
} sb;

static void sb_grow(sb *s, size_t more) {
  if (s->oom || s->n + more + 1 <= s->cap) return;
  size_t cap = s->cap ? s->cap : 1024;
  while (cap < s->n + more + 1) cap *= 2;
  char *p = realloc(s->p, cap);
  if (!p) {
    s->oom = 1;
    return;
  }
  s->p = p;
  s->cap = cap;
}

static void sb_put(sb *s, const char *t, size_t len) {
  sb_grow(s, len);
  if (s->oom) return;
  memcpy(s->p + s->n, t, len);
  s->n += len;
  s->p[s->n] = '\0';
}

static void sb_lit(sb *s, const char *t) { sb_put(s, t, strlen(t)); }

/* A literal's text and length, counted at compile time. */
#define SB_LIT(s, t) sb_put((s), (t), sizeof(t) - 1)

/* A JSON string of text that never needs escaping (ids, receipt handles,
 * digests, digits): quoted and copied. */
static void sb_plain(sb *s, const char *t, size_t len) {
  sb_grow(s, len + 2);
  if (s->oom) return;
  char *o = s->p + s->n;
  *o = '"';
  memcpy(o + 1, t, len);
  o[len + 1] = '"';
  o[len + 2] = '\0';
  s->n += len + 2;
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

/* A JSON string literal: quotes, escapes, control characters as \u00XX.
 * Room for the worst case is made once, then bytes are written directly. */
static void sb_str(sb *s, const char *t, size_t len) {
  sb_grow(s, len * 6 + 2);
  if (s->oom) return;
  static const char hexd[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)t;
  char *o = s->p + s->n;
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
  *o = '\0';
  s->n = (size_t)(o - s->p);
}

/* A number as a JSON string ("1704067200000"), as SQS reports them. */
static void sb_num(sb *s, uint64_t v) {
  char buf[24], *e = buf + sizeof buf, *p = e;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  sb_plain(s, p, (size_t)(e - p));
}

/* Lambda's messageAttributes: {"n": {"stringValue", "stringListValues",
 * "binaryListValues", "dataType"}} (binaryValue for Binary types). */
static void message_attributes(sb *s, aev_message *msg) {
  char *text = aev_message_attributes_json(msg);
  json_t *in = text ? json_loads(text, 0, NULL) : NULL;
  free(text);
  json_t *out = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(in, k, v) {
    json_t *a = json_object();
    json_t *sv = json_object_get(v, "StringValue");
    json_t *bv = json_object_get(v, "BinaryValue");
    if (sv) json_object_set(a, "stringValue", sv);
    if (bv) json_object_set(a, "binaryValue", bv);
    json_object_set_new(a, "stringListValues", json_array());
    json_object_set_new(a, "binaryListValues", json_array());
    json_object_set(a, "dataType", json_object_get(v, "DataType"));
    json_object_set_new(out, k, a);
  }
  char *dumped = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
  sb_lit(s, dumped ? dumped : "{}");
  free(dumped);
  json_decref(out);
  json_decref(in);
}

/* An optional attribute the message may lack (FIFO and tracing ones). */
static void sb_opt(sb *s, const char *member, size_t mlen, const char *v) {
  if (!v) return;
  sb_put(s, member, mlen);
  sb_str(s, v, strlen(v));
}

#define SB_OPT(s, member, v) sb_opt((s), (member), sizeof(member) - 1, (v))

/* The members every record of a mapping ends with, written once per
 * event: eventSource, eventSourceARN and awsRegion. */
static void record_tail(sb *s, const aev__esm *m) {
  const char *region = aev_broker_region(m->f->res.broker);
  SB_LIT(s, ",\"eventSource\":\"aws:sqs\",\"eventSourceARN\":");
  sb_str(s, m->source_arn, strlen(m->source_arn));
  SB_LIT(s, ",\"awsRegion\":");
  sb_str(s, region, strlen(region));
  SB_LIT(s, "}");
}

/* One record, members in Lambda's order; raw_body embeds a body that is
 * JSON as a value (filters). Ids, receipt handles, digests and numbers are
 * the library's own text and need no escaping. */
static void record(sb *s, aev_message *msg, int raw_body, const char *tail,
                   size_t tail_len) {
  size_t len;
  const char *body = aev_message_body(msg, &len);
  const char *id = aev_message_id(msg), *handle = aev_message_receipt_handle(msg);
  aev__msg_system sys;
  aev__message_system(msg, &sys);
  SB_LIT(s, "{\"messageId\":");
  sb_plain(s, id, strlen(id));
  SB_LIT(s, ",\"receiptHandle\":");
  sb_plain(s, handle, strlen(handle));
  SB_LIT(s, ",\"body\":");
  if (raw_body && aev__json_valid(body, len)) sb_put(s, body, len);
  else sb_str(s, body, len);
  SB_LIT(s, ",\"attributes\":{\"ApproximateReceiveCount\":");
  sb_num(s, sys.rx_count);
  SB_LIT(s, ",\"SentTimestamp\":");
  sb_num(s, (uint64_t)sys.sent_ms);
  SB_LIT(s, ",\"SenderId\":");
  sb_str(s, sys.sender, strlen(sys.sender));
  SB_LIT(s, ",\"ApproximateFirstReceiveTimestamp\":");
  sb_num(s, (uint64_t)sys.first_rx_ms);
  if (sys.seq) {
    SB_LIT(s, ",\"SequenceNumber\":");
    sb_plain(s, sys.seq, strlen(sys.seq));
  }
  SB_OPT(s, ",\"MessageGroupId\":", sys.group);
  SB_OPT(s, ",\"MessageDeduplicationId\":", sys.dedup);
  SB_OPT(s, ",\"AWSTraceHeader\":", sys.trace);
  SB_LIT(s, "},\"messageAttributes\":");
  const char *md5a = aev_message_md5_of_attributes(msg);
  if (md5a) {
    message_attributes(s, msg);
    SB_LIT(s, ",\"md5OfMessageAttributes\":");
    sb_plain(s, md5a, strlen(md5a));
  } else {
    SB_LIT(s, "{},\"md5OfMessageAttributes\":null");
  }
  SB_LIT(s, ",\"md5OfBody\":");
  sb_plain(s, aev_message_md5_of_body(msg), 32);
  sb_put(s, tail, tail_len);
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
  sb_grow(&s, guess);
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
  int any = 0;
  for (int i = 0; !tail.oom && !s.oom && i < m->npatterns && !any; i++) {
    int match = 0;
    if (aev_pattern_matches(m->patterns[i], s.p, s.n, &match) == AEV_OK)
      any = match;
  }
  free(s.p);
  return any;
}
