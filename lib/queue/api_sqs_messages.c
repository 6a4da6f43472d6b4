/* SQS API actions on messages: SendMessage(Batch), ReceiveMessage,
 * DeleteMessage(Batch) and ChangeMessageVisibility(Batch), mapped onto the
 * typed queue API with AWS's JSON-protocol shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/status.h"
#include "queue/api_sqs.h"

#define MAX_BATCH 10

/* One parsed SendMessage(BatchRequestEntry). */
typedef struct send_in {
  aev__send_req req;
  aev__attrs attrs;
  aev__attrs sys; /* MessageSystemAttributes */
} send_in;

static int parse_send(const aev__api_service *svc, json_t *req, send_in *in) {
  memset(in, 0, sizeof *in);
  in->req.delay = -1;
  in->req.attrs = &in->attrs;
  const char *body = NULL;
  size_t len = 0;
  json_t *attrs = NULL, *sys = NULL;
  int64_t delay = -1;
  int rc = aev__api_opt_text(svc, req, "MessageBody", &body, &len);
  if (rc == AEV_OK && !body) rc = aev__sqs_missing("MessageBody");
  if (rc == AEV_OK) rc = aev__sqs_opt_int(svc, req, "DelaySeconds", &delay);
  if (rc == AEV_OK && aev__api_has(req, "DelaySeconds") && (delay < 0 || delay > 900))
    rc = aev__sqs_invalid_int("DelaySeconds", delay, "Must be >= 0 and <= 900, if provided.");
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "MessageGroupId", &in->req.group);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "MessageDeduplicationId", &in->req.dedup);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "MessageAttributes", &attrs);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "MessageSystemAttributes", &sys);
  if (rc == AEV_OK) rc = aev__attrs_parse(attrs, &in->attrs);
  if (rc == AEV_OK && sys) {
    const char *k;
    json_t *v;
    json_object_foreach(sys, k, v) {
      if (strcmp(k, "AWSTraceHeader"))
        rc = aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "Message system attribute name '%s' is invalid.", k);
    }
    in->req.trace = json_string_value(
        json_object_get(json_object_get(sys, "AWSTraceHeader"), "StringValue"));
    if (rc == AEV_OK) rc = aev__attrs_parse(sys, &in->sys);
  }
  in->req.body = body;
  in->req.len = len;
  in->req.delay = (int)delay;
  return rc;
}

static void free_send(send_in *in) {
  aev__attrs_free(&in->attrs);
  aev__attrs_free(&in->sys);
}

/* Returns AEV_OK, or AEV_ERR_NOMEM when a member could not be set. */
static int put_sent(json_t *o, const aev__sent *s, const send_in *in) {
  int failed = json_object_set_new(o, "MessageId", json_string(s->id));
  failed |= json_object_set_new(o, "MD5OfMessageBody", json_string(s->md5_body));
  if (in->attrs.count) {
    /* A deduplicated send answers the MD5 of what it carried. */
    uint8_t md5[16];
    char hex[33];
    aev__attrs_md5(in->attrs.data, in->attrs.len, md5);
    aev__hex16(md5, hex);
    failed |= json_object_set_new(o, "MD5OfMessageAttributes", json_string(hex));
  }
  if (in->sys.count) {
    uint8_t md5[16];
    char hex[33];
    aev__attrs_md5(in->sys.data, in->sys.len, md5);
    aev__hex16(md5, hex);
    failed |= json_object_set_new(o, "MD5OfMessageSystemAttributes", json_string(hex));
  }
  if (s->seq[0]) failed |= json_object_set_new(o, "SequenceNumber", json_string(s->seq));
  return failed ? aev__nomem() : AEV_OK;
}

AEV__SQS_ACTION(send_message) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  send_in in;
  aev__sent sent;
  rc = parse_send(svc, req, &in);
  if (rc == AEV_OK) rc = aev__queue_send(q, &in.req, &sent);
  if (rc == AEV_OK) {
    aev__hex((const uint8_t *)"", 0, sent.md5_attrs);
    *resp = json_object();
    rc = put_sent(*resp, &sent, &in);
    if (rc != AEV_OK) {
      json_decref(*resp);
      *resp = NULL;
    }
  }
  free_send(&in);
  aev_queue_release(q);
  return rc;
}

static int entries_of(const aev__api_service *svc, json_t *req, const char *kind,
                      json_t **entries, const char **ids, size_t *n) {
  int rc = aev__api_req_array(svc, req, "Entries", entries);
  if (rc != AEV_OK) return rc;
  *n = json_array_size(*entries);
  if (*n == 0 || *n > MAX_BATCH) return aev__batch_check(*n, NULL, 0, kind);
  for (size_t i = 0; i < *n; i++) {
    json_t *id = json_object_get(json_array_get(*entries, i), "Id");
    ids[i] = json_string_value(id);
    /* An id holding U+0000 is handed on as "", which the batch check
     * refuses as it refuses every id outside its characters. */
    if (!ids[i] || strlen(ids[i]) != json_string_length(id)) ids[i] = "";
  }
  return AEV_OK;
}

/* What one SendMessageBatch entry came to: sent, or its error. */
typedef struct send_out {
  int status;
  aev__sent sent;
  char code[64], msg[AEV__MSG_MAX]; /* aev_errcode()'s and aev_errmsg()'s room */
} send_out;

/* Sets o's status, and keeps the thread's error when it is one. */
static void keep_error(send_out *o, int status) {
  o->status = status;
  if (status == AEV_OK) return;
  snprintf(o->code, sizeof o->code, "%s", aev_errcode());
  snprintf(o->msg, sizeof o->msg, "%s", aev_errmsg());
}

/* The answer, every entry in it, or NULL when out of memory (the sends
 * are done by then: answered as aev_call answers when it cannot serialize
 * what an action did). */
static json_t *send_batch_json(size_t n, const char *const *ids, const send_in *in,
                               const send_out *out) {
  json_t *ok = json_array(), *failed = json_array();
  int rc = ok && failed ? AEV_OK : AEV_ERR_NOMEM;
  for (size_t i = 0; rc == AEV_OK && i < n; i++) {
    if (out[i].status != AEV_OK) {
      rc = aev__sqs_failed_entry(failed, ids[i], out[i].code, out[i].msg);
      continue;
    }
    json_t *e = json_pack("{s:s}", "Id", ids[i]);
    rc = e ? put_sent(e, &out[i].sent, &in[i]) : AEV_ERR_NOMEM;
    if (json_array_append_new(ok, e)) rc = AEV_ERR_NOMEM;
  }
  if (rc == AEV_OK) return aev__sqs_batch_response(ok, failed);
  json_decref(ok);
  json_decref(failed);
  return NULL;
}

AEV__SQS_ACTION(send_message_batch) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  json_t *entries;
  const char *ids[MAX_BATCH];
  size_t n = 0;
  rc = entries_of(svc, req, "SendMessageBatchRequestEntry", &entries, ids, &n);
  send_in in[MAX_BATCH];
  send_out out[MAX_BATCH];
  size_t parsed = 0, total = 0;
  for (; rc == AEV_OK && parsed < n; parsed++) {
    int s = parse_send(svc, json_array_get(entries, parsed), &in[parsed]);
    keep_error(&out[parsed], s);
    total += in[parsed].req.len + in[parsed].attrs.size;
  }
  if (rc == AEV_OK)
    rc = aev__batch_check(n, ids, total, "SendMessageBatchRequestEntry");
  if (rc == AEV_OK) {
    aev__send_req reqs[MAX_BATCH];
    for (size_t i = 0; i < n; i++) reqs[i] = in[i].req;
    rc = aev__batch_fifo_check(q, reqs, n);
  }
  for (size_t i = 0; rc == AEV_OK && i < n; i++) {
    if (out[i].status != AEV_OK) continue;
    int s = aev__queue_send(q, &in[i].req, &out[i].sent);
    if (s == AEV_ERR_NOT_FOUND) rc = s;
    else if (s != AEV_OK) keep_error(&out[i], s);
  }
  if (rc == AEV_OK && !(*resp = send_batch_json(n, ids, in, out))) rc = aev__nomem();
  for (size_t i = 0; i < parsed; i++) free_send(&in[i]);
  aev_queue_release(q);
  return rc;
}

/* ---- ReceiveMessage ---- */

static const char *const system_names[] = {
    "SenderId", "SentTimestamp", "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp", "SequenceNumber",
    "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
    "DeadLetterQueueSourceArn"};
#define N_SYSTEM (sizeof system_names / sizeof system_names[0])

/* Marks the system attributes a name list selects. */
static int select_system(const aev__api_service *svc, json_t *req,
                         const char *member, int *want) {
  json_t *names = NULL;
  int rc = aev__api_opt_array(svc, req, member, &names);
  size_t i;
  json_t *v;
  json_array_foreach(names, i, v) {
    const char *s = json_string_value(v);
    if (!s) continue;
    for (size_t k = 0; k < N_SYSTEM; k++)
      if (!strcmp(s, "All") || !strcmp(s, system_names[k])) want[k] = 1;
  }
  return rc;
}

/* A system attribute's text. The numbers are formatted into buf here:
 * aev_message_system_attribute() would allocate their buffers, and a
 * receive whose messages are taken cannot fail on that any more. */
static const char *system_value(aev_message *m, const char *name, char buf[24]) {
  aev__msg_system sys;
  aev__message_system(m, &sys);
  long long v;
  if (!strcmp(name, "SentTimestamp")) v = sys.sent_ms;
  else if (!strcmp(name, "ApproximateReceiveCount")) v = sys.rx_count;
  else if (!strcmp(name, "ApproximateFirstReceiveTimestamp")) v = sys.first_rx_ms;
  else return aev_message_system_attribute(m, name);
  snprintf(buf, 24, "%lld", v);
  return buf;
}

/* Sets key to v (taken); 1 when it could not (v is then freed). */
static int set_failed(json_t *o, const char *key, json_t *v) {
  return json_object_set_new(o, key, v) != 0;
}

/* A received message's JSON, whole, or NULL when out of memory. */
static json_t *message_json(aev_message *m, const int *want) {
  json_t *o = json_object(), *attrs = json_object();
  size_t len;
  const char *body = aev_message_body(m, &len);
  int failed = !o || !attrs;
  failed = failed || set_failed(o, "MessageId", json_string(aev_message_id(m)));
  failed = failed || set_failed(o, "ReceiptHandle", json_string(aev_message_receipt_handle(m)));
  failed = failed || set_failed(o, "MD5OfBody", json_string(aev_message_md5_of_body(m)));
  failed = failed || set_failed(o, "Body", json_stringn(body, len));
  for (size_t k = 0; !failed && k < N_SYSTEM; k++) {
    char buf[24];
    const char *v = want[k] ? system_value(m, system_names[k], buf) : NULL;
    if (v) failed = set_failed(attrs, system_names[k], json_string(v));
  }
  if (!failed && json_object_size(attrs)) failed = json_object_set(o, "Attributes", attrs) != 0;
  json_decref(attrs);
  json_t *ma = NULL;
  if (!failed) failed = aev__message_attributes(m, &ma) != AEV_OK;
  if (ma) {
    failed = set_failed(o, "MD5OfMessageAttributes",
                        json_string(aev_message_md5_of_attributes(m)));
    if (failed) json_decref(ma);
    else failed = set_failed(o, "MessageAttributes", ma);
  }
  if (!failed) return o;
  json_decref(o);
  return NULL;
}

/* The answer for the received messages (freed here), whole, or NULL when
 * out of memory: the messages were received by then (they come back when
 * their visibility ends, as after an answer lost on its way). */
static json_t *received_json(aev_message **msgs, size_t n, const int *want) {
  json_t *resp = json_object(), *list = n ? json_array() : NULL;
  int whole = resp && (!n || list);
  for (size_t i = 0; i < n; i++) {
    if (whole) whole = !json_array_append_new(list, message_json(msgs[i], want));
    aev_message_free(msgs[i]);
  }
  if (whole && n) whole = !json_object_set(resp, "Messages", list);
  json_decref(list);
  if (whole) return resp;
  json_decref(resp);
  return NULL;
}

AEV__SQS_ACTION(receive_message) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  int64_t max = 1, wait = -1, vis = -1;
  int want[N_SYSTEM] = {0};
  json_t *names = NULL;
  rc = aev__sqs_opt_int(svc, req, "MaxNumberOfMessages", &max);
  if (rc == AEV_OK) rc = aev__sqs_opt_int(svc, req, "WaitTimeSeconds", &wait);
  if (rc == AEV_OK && aev__api_has(req, "WaitTimeSeconds") && (wait < 0 || wait > 20))
    rc = aev__sqs_invalid_int("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.");
  if (rc == AEV_OK) rc = aev__sqs_opt_int(svc, req, "VisibilityTimeout", &vis);
  if (rc == AEV_OK && aev__api_has(req, "VisibilityTimeout") && (vis < 0 || vis > 43200))
    rc = aev__sqs_invalid_int("VisibilityTimeout", vis,
                              "Must be >= 0 and <= 43200, if provided.");
  if (rc == AEV_OK) rc = select_system(svc, req, "AttributeNames", want);
  if (rc == AEV_OK) rc = select_system(svc, req, "MessageSystemAttributeNames", want);
  if (rc == AEV_OK) rc = aev__api_opt_array(svc, req, "MessageAttributeNames", &names);
  const char *filter[64];
  size_t nf = 0;
  for (size_t i = 0; i < json_array_size(names) && nf < 64; i++) {
    const char *s = json_string_value(json_array_get(names, i));
    if (s) filter[nf++] = s;
  }
  aev__recv_req r = {.max = (int)max, .wait_ms = wait < 0 ? -1 : wait * 1000,
                     .visibility = (int)vis, .names = filter, .n_names = nf};
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "ReceiveRequestAttemptId", &r.attempt_id);
  aev_message *msgs[10];
  size_t n = 0;
  if (rc == AEV_OK) rc = aev__queue_receive(q, &r, msgs, &n);
  aev_queue_release(q);
  if (rc != AEV_OK) return rc;
  *resp = received_json(msgs, n, want);
  return *resp ? AEV_OK : aev__nomem();
}

/* ---- settling ---- */

AEV__SQS_ACTION(delete_message) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  const char *h;
  rc = aev__api_req_string(svc, req, "ReceiptHandle", &h);
  if (rc == AEV_OK) rc = aev_queue_delete_message(q, h);
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__SQS_ACTION(change_message_visibility) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  const char *h;
  int64_t vis = 0;
  rc = aev__api_req_string(svc, req, "ReceiptHandle", &h);
  if (rc == AEV_OK && !aev__api_has(req, "VisibilityTimeout"))
    rc = aev__sqs_missing("VisibilityTimeout");
  if (rc == AEV_OK) rc = aev__sqs_opt_int(svc, req, "VisibilityTimeout", &vis);
  if (rc == AEV_OK) rc = aev_queue_change_visibility(q, h, (int)vis);
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int settle_batch(aev_broker *b, const aev__api_service *svc, json_t *req,
                        json_t **resp, int visibility) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  json_t *entries;
  const char *ids[MAX_BATCH], *handles[MAX_BATCH];
  int secs[MAX_BATCH];
  size_t n = 0;
  rc = entries_of(svc, req,
                  visibility ? "ChangeMessageVisibilityBatchRequestEntry"
                             : "DeleteMessageBatchRequestEntry",
                  &entries, ids, &n);
  for (size_t i = 0; rc == AEV_OK && i < n; i++) {
    json_t *e = json_array_get(entries, i);
    handles[i] = json_string_value(json_object_get(e, "ReceiptHandle"));
    json_t *v = json_object_get(e, "VisibilityTimeout");
    secs[i] = json_is_integer(v) ? (int)json_integer_value(v) : 0;
  }
  aev_batch_result *r = NULL;
  if (rc == AEV_OK)
    rc = visibility ? aev_queue_change_visibility_batch(q, n, ids, handles, secs, &r)
                    : aev_queue_delete_message_batch(q, n, ids, handles, &r);
  aev_queue_release(q);
  /* Out of memory after the deletes: answered as aev_call answers when it
   * cannot serialize what an action did. */
  if (rc == AEV_OK && !(*resp = aev__sqs_batch_json(r))) rc = aev__nomem();
  aev_batch_result_free(r);
  return rc;
}

AEV__SQS_ACTION(delete_message_batch) { return settle_batch(b, svc, req, resp, 0); }

AEV__SQS_ACTION(change_message_visibility_batch) {
  return settle_batch(b, svc, req, resp, 1);
}
