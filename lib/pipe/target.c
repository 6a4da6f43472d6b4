/* A pipe's target, through each primitive's public interface as a user
 * would call it: Lambda functions and Step Functions state machines get the
 * batch as one JSON array (the Pipes User Guide: "Lambda and Step Functions
 * do not have a batch API ... the batch is converted to a JSON array");
 * queues, topics, event buses, Kinesis and Firehose streams and API
 * destinations (http.c) get each event on its own.
 * TargetParameters.InputTemplate reshapes each event first; the target's
 * own parameters (MessageGroupId, PartitionKey, HttpParameters, ...) may
 * be JSON paths ("$.x") into the event. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/bus.h"
#include "awsevents/delivery.h"
#include "awsevents/machine.h"
#include "awsevents/queue.h"
#include "awsevents/stream.h"
#include "awsevents/topic.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "function/function.h"
#include "pipe/pipe_impl.h"

typedef struct pending {
  aev__pipe_finish_fn finish;
  void *arg;
} pending;

static void lambda_done(void *user, const aev__invoke_result *r) {
  pending *pd = user;
  pd->finish(pd->arg, !r->function_error, r->payload, r->len);
  free(pd);
}

/* TargetParameters.group.member, or the group itself (member NULL). */
static json_t *target_param(const aev__pipe_conf *c, const char *group, const char *member) {
  json_t *g = json_object_get(json_object_get(c->spec, "TargetParameters"), group);
  return member ? json_object_get(g, member) : g;
}

/* A parameter's value for event: a JSON path into it, or the text as is;
 * *keep holds a reference while the value is used. NULL when absent. */
static const char *dynamic(json_t *param, json_t *event, json_t **keep) {
  const char *s = json_string_value(param);
  *keep = NULL;
  if (!s || strncmp(s, "$.", 2)) return s;
  *keep = aev__pipe_path(event, s);
  return json_string_value(*keep);
}

/* What a queue, topic or stream receives for one event: a string as its
 * text, anything else as JSON text (malloc'd). */
static char *payload_text(json_t *x) {
  return json_is_string(x) ? strdup(json_string_value(x)) : aev__json_dumps(x, JSON_ENCODE_ANY);
}

static int to_queue(aev_broker *b, const aev__pipe_conf *c, json_t *event, const char *text) {
  aev_queue *q = NULL;
  aev_send_options *o = NULL;
  json_t *k1, *k2;
  const char *group = dynamic(target_param(c, "SqsQueueParameters", "MessageGroupId"), event, &k1);
  const char *dedup =
      dynamic(target_param(c, "SqsQueueParameters", "MessageDeduplicationId"), event, &k2);
  int rc = aev_queue_get(b, c->target, &q);
  if (!rc) rc = aev_send_options_new(&o);
  if (!rc && group) rc = aev_send_options_set_group_id(o, group);
  if (!rc && dedup) rc = aev_send_options_set_deduplication_id(o, dedup);
  if (!rc) rc = aev_queue_send(q, text, strlen(text), o, NULL, NULL);
  aev_send_options_free(o);
  aev_queue_release(q);
  json_decref(k1);
  json_decref(k2);
  return rc;
}

static int to_topic(aev_broker *b, const aev__pipe_conf *c, const char *text) {
  aev_topic *t = NULL;
  int rc = aev_topic_get(b, c->target, &t);
  if (!rc) rc = aev_topic_publish(t, text, strlen(text), NULL, NULL, NULL);
  aev_topic_release(t);
  return rc;
}

/* An event-bus target: the event as the entry's Detail (a JSON object),
 * Source and DetailType from EventBridgeEventBusParameters, else what
 * Pipes puts: "Pipe NAME" and "Event from aws:sqs". */
static int to_bus(aev_broker *b, const aev__pipe_conf *c, const aev__pipe_vars *v,
                  json_t *event, json_t *x) {
  if (!json_is_object(x)) return aev__fail(AEV_ERR_INVALID, "ValidationException",
                                           "An event-bus target takes JSON objects.");
  json_t *k1, *k2;
  const char *source = dynamic(target_param(c, "EventBridgeEventBusParameters", "Source"), event, &k1);
  const char *type =
      dynamic(target_param(c, "EventBridgeEventBusParameters", "DetailType"), event, &k2);
  json_t *resources = target_param(c, "EventBridgeEventBusParameters", "Resources");
  char *detail = aev__json_dumps(x, 0);
  json_t *entry = !detail ? NULL : json_pack(
      "[{sssossssso}]", "EventBusName", c->target, "Source",
      source ? json_string(source) : json_sprintf("Pipe %s", v->pipe_name), "DetailType",
      type ? type : "Event from aws:sqs", "Detail", detail, "Resources",
      json_is_array(resources) ? json_incref(resources) : json_array());
  free(detail);
  char *entries = entry ? aev__json_dumps(entry, 0) : NULL, *result = NULL;
  int rc = entries ? aev_bus_put_events(b, entries, &result) : aev__nomem();
  json_t *res = NULL;
  if (!rc && aev__json_parse_str(result, 0, &res) == AEV_OK &&
      json_integer_value(json_object_get(res, "FailedEntryCount")))
    rc = AEV_ERR_INVALID;
  json_decref(res);
  aev_free(result);
  free(entries);
  json_decref(entry);
  json_decref(k1);
  json_decref(k2);
  return rc;
}

static int to_stream(aev_broker *b, const aev__pipe_conf *c, json_t *event, const char *text) {
  aev_stream *s = NULL;
  json_t *keep;
  const char *key = dynamic(target_param(c, "KinesisStreamParameters", "PartitionKey"), event, &keep);
  int rc = key ? aev_stream_get(b, c->target, &s) : AEV_ERR_INVALID;
  if (!rc) rc = aev_stream_put(s, text, strlen(text), key, NULL, NULL, NULL, NULL);
  aev_stream_release(s);
  json_decref(keep);
  return rc;
}

static int to_delivery(aev_broker *b, const aev__pipe_conf *c, const char *text) {
  aev_delivery *d = NULL;
  int rc = aev_delivery_get(b, c->target, &d);
  if (!rc) rc = aev_delivery_put(d, text, strlen(text), NULL);
  aev_delivery_release(d);
  return rc;
}

/* One event to a target that takes events one by one. */
static int one(aev_broker *b, const aev__pipe_conf *c, const aev__pipe_vars *v, json_t *event,
               json_t *x) {
  if (c->kind == PIPE_EVENTS) return to_bus(b, c, v, event, x);
  char *text = payload_text(x);
  if (!text) return AEV_ERR_NOMEM;
  int rc = c->kind == PIPE_SQS       ? to_queue(b, c, event, text)
           : c->kind == PIPE_SNS     ? to_topic(b, c, text)
           : c->kind == PIPE_KINESIS ? to_stream(b, c, event, text)
                                     : to_delivery(b, c, text);
  free(text);
  return rc;
}

/* The batch as one array to a function or a state machine. */
static void whole(aev_broker *b, const aev__pipe_conf *c, json_t *out,
                  aev__pipe_finish_fn finish, void *arg) {
  char *payload = aev__json_dumps(out, 0);
  int rc = payload ? AEV_OK : AEV_ERR_NOMEM;
  /* REQUEST_RESPONSE: the batch ends with the execution, whose output may
   * name the records that failed (batchItemFailures), as a Lambda
   * target's may (the Pipes User Guide's partial batch failures). */
  if (!rc && c->kind == PIPE_STATES && c->states_sync) {
    rc = aev__pipe_states_call(b, c->target, payload, finish, arg);
    free(payload);
    if (rc) finish(arg, 0, NULL, 0);
    return;
  }
  if (!rc && c->kind == PIPE_STATES) {
    aev_execution *e = NULL;
    rc = aev_machine_start_arn(b, c->target, NULL, payload, strlen(payload), &e);
    aev_execution_release(e);
    free(payload);
    finish(arg, !rc, NULL, 0);
    return;
  }
  const char *type = json_string_value(target_param(c, "LambdaFunctionParameters", "InvocationType"));
  aev_function *f = NULL;
  const char *qualifier = NULL;
  char buf[512];
  if (!rc) rc = aev__function_find_qualified(b, c->target, &f, &qualifier, buf, sizeof buf);
  if (!rc && type && !strcmp(type, "FIRE_AND_FORGET")) {
    rc = aev_function_invoke_event_qualified(f, qualifier, payload, strlen(payload), NULL);
    aev_function_release(f);
    free(payload);
    finish(arg, !rc, NULL, 0);
    return;
  }
  pending *pd = rc ? NULL : malloc(sizeof *pd);
  if (pd) {
    *pd = (pending){finish, arg};
    rc = aev__function_call(f, qualifier, payload, strlen(payload), lambda_done, pd);
    if (rc) free(pd);
  } else if (!rc) {
    rc = AEV_ERR_NOMEM;
  }
  aev_function_release(f);
  free(payload);
  if (rc) finish(arg, 0, NULL, 0);
}

void aev__pipe_deliver(aev_broker *b, const aev__pipe_conf *c, const aev__pipe_vars *v,
                       json_t *events, aev__pipe_finish_fn finish, void *arg) {
  json_t *out = aev__pipe_reshape(events, json_string_value(c->target_template), v);
  if (!out) {
    finish(arg, 0, NULL, 0);
    return;
  }
  if (c->kind == PIPE_LAMBDA || c->kind == PIPE_STATES) {
    whole(b, c, out, finish, arg);
    json_decref(out);
    return;
  }
  if (c->kind == PIPE_API) {
    json_t *http = target_param(c, "HttpParameters", NULL);
    int rc = aev__pipe_http_call(b, c->target, http, v->pipe_name, events, out, 0, finish, arg);
    json_decref(out);
    if (rc) finish(arg, 0, NULL, 0);
    return;
  }
  int rc = AEV_OK;
  for (size_t i = 0; !rc && i < json_array_size(out); i++)
    rc = one(b, c, v, json_array_get(events, i), json_array_get(out, i));
  json_decref(out);
  finish(arg, !rc, NULL, 0);
}
