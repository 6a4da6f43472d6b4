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

/* A JSON string literal: quotes, escapes, control characters as \u00XX.
 * Room for the worst case is made once, then bytes are written directly. */
static void sb_str(sb *s, const char *t, size_t len) {
  sb_grow(s, len * 6 + 2);
  if (s->oom) return;
  static const char hexd[] = "0123456789abcdef";
  char *o = s->p + s->n;
  *o++ = '"';
  size_t i = 0;
  while (i < len) {
    size_t run = i;
    while (run < len && (unsigned char)t[run] >= 0x20 && t[run] != '"' &&
           t[run] != '\\')
      run++;
    memcpy(o, t + i, run - i);
    o += run - i;
    if (run == len) break;
    unsigned char c = (unsigned char)t[run];
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

static void sb_member(sb *s, const char *name, const char *value, int comma) {
  if (comma) sb_put(s, ",", 1);
  sb_str(s, name, strlen(name));
  sb_put(s, ":", 1);
  sb_str(s, value, strlen(value));
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

static const char *const system_names[] = {
    "ApproximateReceiveCount", "SentTimestamp", "SenderId",
    "ApproximateFirstReceiveTimestamp", "SequenceNumber", "MessageGroupId",
    "MessageDeduplicationId", "AWSTraceHeader"};

/* One record; raw_body embeds a body that is JSON as a value (filters). */
static void record(sb *s, const aev__esm *m, aev_message *msg, int raw_body) {
  size_t len;
  const char *body = aev_message_body(msg, &len);
  sb_lit(s, "{");
  sb_member(s, "messageId", aev_message_id(msg), 0);
  sb_member(s, "receiptHandle", aev_message_receipt_handle(msg), 1);
  sb_lit(s, ",\"body\":");
  json_t *parsed = raw_body ? json_loadb(body, len, JSON_DECODE_ANY, NULL) : NULL;
  if (parsed) sb_put(s, body, len);
  else sb_str(s, body, len);
  json_decref(parsed);
  sb_lit(s, ",\"attributes\":{");
  int first = 1;
  for (size_t i = 0; i < sizeof system_names / sizeof *system_names; i++) {
    const char *v = aev_message_system_attribute(msg, system_names[i]);
    if (!v) continue;
    sb_member(s, system_names[i], v, !first);
    first = 0;
  }
  sb_lit(s, "},\"messageAttributes\":");
  const char *md5a = aev_message_md5_of_attributes(msg);
  if (md5a) message_attributes(s, msg);
  else sb_lit(s, "{}");
  sb_lit(s, ",\"md5OfMessageAttributes\":");
  if (md5a) sb_str(s, md5a, strlen(md5a));
  else sb_lit(s, "null");
  sb_member(s, "md5OfBody", aev_message_md5_of_body(msg), 1);
  sb_member(s, "eventSource", "aws:sqs", 1);
  sb_member(s, "eventSourceARN", m->source_arn, 1);
  sb_member(s, "awsRegion", aev_broker_region(m->f->res.broker), 1);
  sb_lit(s, "}");
}

char *aev__esm_event(aev__esm *m, aev_message **msgs, size_t n, size_t *len) {
  sb s = {0};
  size_t guess = 64;
  for (size_t i = 0; i < n; i++) {
    size_t blen;
    aev_message_body(msgs[i], &blen);
    guess += blen + 640 + (size_t)(aev_message_md5_of_attributes(msgs[i]) ? 512 : 0);
  }
  sb_grow(&s, guess);
  sb_lit(&s, "{\"Records\":[");
  for (size_t i = 0; i < n; i++) {
    if (i) sb_put(&s, ",", 1);
    record(&s, m, msgs[i], 0);
  }
  sb_lit(&s, "]}");
  if (s.oom) {
    free(s.p);
    return NULL;
  }
  *len = s.n;
  return s.p;
}

int aev__esm_matches(aev__esm *m, aev_message *msg) {
  sb s = {0};
  record(&s, m, msg, 1);
  int any = 0;
  for (int i = 0; !s.oom && i < m->npatterns && !any; i++) {
    int match = 0;
    if (aev_pattern_matches(m->patterns[i], s.p, s.n, &match) == AEV_OK)
      any = match;
  }
  free(s.p);
  return any;
}
