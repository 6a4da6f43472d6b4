/* Where an Event invocation's outcome goes: Lambda's destination record
 * ({version, timestamp, requestContext, requestPayload, responseContext,
 * responsePayload}) to the OnSuccess / OnFailure destination (a queue or a
 * topic gets it as the message, a function as an Event payload, an event
 * bus as the detail of an event from source "lambda" with detail-type
 * "Lambda Function Invocation Result - Success" or "- Failure"), or, on
 * failure without an OnFailure destination, the raw event to the DLQ (a
 * queue or a topic) with the RequestID / ErrorCode / ErrorMessage
 * attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "awsevents/topic.h"
#include "bus/bus.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "function/lineage.h"
#include "queue/queue.h"

/* JSON text as a value; text that does not parse stays a string. NULL when
 * out of memory. */
static json_t *as_json(const char *text, size_t len) {
  json_t *v;
  int rc = aev__json_parse(text, len, JSON_DECODE_ANY, &v, NULL);
  return rc == AEV_ERR_INVALID ? json_stringn(text, len) : v;
}

/* What an event that never ran reports, as Invoke would have answered:
 * its status and (message, may be NULL) its message: a throttle's 429, or
 * a stopped recursive loop's 400 RecursiveInvocationException. */
static int never_ran(const char *condition, const char **message) {
  int recursive = strcmp(condition, "RecursiveInvocationException") == 0;
  if (message) *message = recursive ? AEV__FN_RECURSIVE_MSG : "Rate Exceeded.";
  return recursive ? 400 : 429;
}

static json_t *record(aev__event *ev, const char *condition,
                      const aev__invoke_result *r) {
  if (r && r->nomem) return NULL; /* the function's error is unknown */
  aev_function *f = ev->f;
  char when[40], arn[400];
  aev__fn_iso_time(aev__fn_now_ms(f), when, sizeof when, 1);
  snprintf(arn, sizeof arn, "%s:%s", f->res.arn,
           ev->qualifier[0] ? ev->qualifier : "$LATEST");
  json_t *resp = json_pack("{siss}", "statusCode", r ? 200 : never_ran(condition, NULL),
                           "executedVersion",
                           r ? r->executed_version : "$LATEST");
  if (r && r->function_error)
    aev__fn_put(&resp, "functionError", json_string(r->function_error));
  json_t *o = json_pack(
      "{sssss{sssssssi}sosO}", "version", "1.0", "timestamp", when,
      "requestContext", "requestId", ev->request_id, "functionArn", arn,
      "condition", condition, "approximateInvokeCount", ev->attempts,
      "requestPayload", as_json(ev->payload, ev->len), "responseContext",
      resp);
  json_decref(resp);
  if (o && r && json_object_set_new(o, "responsePayload", as_json(r->payload, r->len))) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

static int send_queue(aev_broker *b, const char *arn, const char *body,
                      const char *attrs_json) {
  aev_queue *q;
  int rc = aev__queue_find(b, arn, &q);
  if (rc != AEV_OK) return rc;
  aev_send_options *o = NULL;
  if (attrs_json) {
    rc = aev_send_options_new(&o);
    if (rc == AEV_OK) rc = aev_send_options_set_attributes(o, attrs_json);
  }
  if (rc == AEV_OK) rc = aev_queue_send(q, body, strlen(body), o, NULL, NULL);
  aev_send_options_free(o);
  aev_queue_release(q);
  return rc;
}

static int publish_topic(aev_broker *b, const char *arn, const char *body,
                         const char *attrs_json) {
  aev_topic *t;
  int rc = aev_topic_get(b, arn, &t);
  if (rc != AEV_OK) return rc;
  aev_publish_options *o = NULL;
  if (attrs_json) {
    rc = aev_publish_options_new(&o);
    if (rc == AEV_OK) rc = aev_publish_options_set_attributes(o, attrs_json);
  }
  if (rc == AEV_OK) rc = aev_topic_publish(t, body, strlen(body), o, NULL, NULL);
  aev_publish_options_free(o);
  aev_topic_release(t);
  return rc;
}

/* The record as the detail of Lambda's event; its resources name the bus
 * and the function version that ran. */
static int put_bus(aev__event *ev, const char *arn, const char *body,
                   int success) {
  char fn[400];
  snprintf(fn, sizeof fn, "%s:%s", ev->f->res.arn,
           ev->qualifier[0] ? ev->qualifier : "$LATEST");
  json_t *res = json_pack("[ss]", arn, fn);
  char *resources = res ? aev__json_dumps(res, JSON_COMPACT) : NULL;
  json_decref(res);
  if (!resources) return aev__nomem();
  int rc = aev__bus_put_service_event(
      ev->f->res.broker, arn, "lambda",
      success ? "Lambda Function Invocation Result - Success"
              : "Lambda Function Invocation Result - Failure",
      body, strlen(body), resources, NULL);
  free(resources);
  return rc;
}

/* success: which record this is (names the event bus's detail-type). The
 * send carries the event's chain with this function's run counted:
 * "If you send events to the same resource that invokes your function,
 * then you can create another recursive loop and this loop will also be
 * terminated" (developer guide). */
static void deliver_to(aev__event *ev, const char *arn, const char *body,
                       const char *attrs_json, int success) {
  aev_broker *b = ev->f->res.broker;
  char *lineage = malloc(aev__lineage_bumped_size(ev->lineage, ev->f->res.name));
  if (lineage) aev__lineage_bump(ev->lineage, ev->f->res.name, lineage);
  const char *prev = aev__lineage_swap(lineage);
  int rc;
  if (!lineage) {
    rc = aev__nomem();
  } else if (strstr(arn, ":sns:")) {
    rc = publish_topic(b, arn, body, attrs_json);
  } else if (strstr(arn, ":events:")) {
    rc = put_bus(ev, arn, body, success);
  } else if (strstr(arn, ":lambda:")) {
    rc = aev__function_event_to(b, arn, body, strlen(body));
  } else {
    rc = send_queue(b, arn, body, attrs_json);
  }
  aev__lineage_swap(prev);
  free(lineage);
  if (rc != AEV_OK) {
    pthread_mutex_lock(&ev->f->mu);
    ev->f->m.dest_failures++;
    pthread_mutex_unlock(&ev->f->mu);
    aev__log(b, AEV_LOG_WARN, "lambda %s: delivery to %s failed: %s: %s",
             ev->f->res.name, arn, aev_errcode(), aev_errmsg());
  }
}

/* Copies the destination ARN out from under the lock. */
static char *dest_of(aev__event *ev, int success, int *dlq) {
  aev_function *f = ev->f;
  pthread_mutex_lock(&f->mu);
  const aev__econf *e = aev__econf_for_locked(f, ev->qualifier);
  const char *d = success ? e->on_success : e->on_failure;
  *dlq = 0;
  if (!d && !success && f->econf.dlq) {
    d = f->econf.dlq;
    *dlq = 1;
  }
  char *copy = d ? strdup(d) : NULL;
  pthread_mutex_unlock(&f->mu);
  return copy;
}

static void send_record(aev__event *ev, const char *arn, const char *condition,
                        const aev__invoke_result *r) {
  json_t *rec = record(ev, condition, r);
  char *body = rec ? aev__json_dumps(rec, JSON_COMPACT) : NULL;
  json_decref(rec);
  if (body) deliver_to(ev, arn, body, NULL, strcmp(condition, "Success") == 0);
  free(body);
}

void aev__dest_success(aev__event *ev, const aev__invoke_result *r) {
  int dlq;
  char *arn = dest_of(ev, 1, &dlq);
  if (arn) send_record(ev, arn, "Success", r);
  free(arn);
}

/* The DLQ message: the event as sent, plus what went wrong (ErrorMessage
 * cut to its first 1 KB). */
static void send_dlq(aev__event *ev, const char *arn, const char *condition,
                     const aev__invoke_result *r) {
  json_t *err = NULL;
  if (r && (r->nomem || aev__json_parse(r->payload, r->len, 0, &err, NULL) == AEV_ERR_NOMEM)) {
    deliver_to(ev, arn, ev->payload, NULL, 0); /* as when its attributes cannot be built */
    return;
  }
  const char *msg = json_string_value(json_object_get(err, "errorMessage")), *why;
  char cut[1025], code[8];
  snprintf(code, sizeof code, "%d", r ? 200 : never_ran(condition, &why));
  snprintf(cut, sizeof cut, "%s", msg ? msg : r ? "Unhandled" : why);
  json_t *attrs = json_pack(
      "{s{ssss}s{ssss}}", "RequestID", "DataType", "String", "StringValue",
      ev->request_id, "ErrorCode", "DataType", "Number", "StringValue", code);
  /* SQS and SNS refuse an attribute with an empty value: an error without
   * a message (a process that exited without a word) leaves ErrorMessage
   * out, and the event still reaches the dead-letter queue. */
  if (attrs && *cut &&
      json_object_set_new(attrs, "ErrorMessage",
                          json_pack("{ssss}", "DataType", "String", "StringValue", cut))) {
    json_decref(attrs);
    attrs = NULL;
  }
  char *a = attrs ? aev__json_dumps(attrs, JSON_COMPACT) : NULL;
  json_decref(attrs);
  json_decref(err);
  deliver_to(ev, arn, ev->payload, a, 0);
  free(a);
}

void aev__dest_failure(aev__event *ev, const char *condition,
                       const aev__invoke_result *r) {
  int dlq;
  char *arn = dest_of(ev, 0, &dlq);
  if (!arn) {
    pthread_mutex_lock(&ev->f->mu);
    ev->f->m.dropped++;
    pthread_mutex_unlock(&ev->f->mu);
  } else if (dlq) {
    send_dlq(ev, arn, condition, r);
  } else {
    send_record(ev, arn, condition, r);
  }
  free(arn);
}
