/* Task states: TimeoutSeconds[Path] / HeartbeatSeconds[Path] checked before
 * anything is called, the Task* history events, and the integrations this
 * broker offers: arn:aws:states:::sqs:sendMessage through lib/queue's
 * internal interface. Lambda functions are resolved by name and fail as
 * AWS does for a function that does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/exec_int.h"
#include "queue/queue.h"

static int recording(const m_run *r) { return r->e->history != NULL; }

static int seconds_path(m_run *r, const aev__jpath *p, json_t *effective, const char *field) {
  if (!p) return 0;
  aev__jenv env;
  aev__run_env(r, &env, effective);
  json_t *v = aev__jpath_eval(p, &env);
  if (!v) {
    aev__run_fail(r, env.error, env.cause, 1);
    return -1;
  }
  int ok = json_is_integer(v) && json_integer_value(v) > 0;
  if (!ok) {
    char *t = aev__json_text(v);
    char msg[512];
    snprintf(msg, sizeof msg, "The %s field refers to value \"%s\" which is not a valid positive integer: %s",
             field, t ? t : "", aev__jpath_text(p));
    free(t);
    json_decref(v);
    aev__run_fail(r, "States.Runtime", msg, 1);
    return -1;
  }
  json_decref(v);
  return 0;
}

static void task_failed(m_run *r, const char *resource_type, const char *resource,
                        const char *error, const char *cause) {
  aev__run_event(r, "TaskFailed", "taskFailedEventDetails",
                 recording(r) ? json_pack("{s:s,s:s,s:s,s:s}", "resourceType", resource_type,
                                          "resource", resource, "error", error, "cause", cause)
                              : NULL);
  aev__run_fail(r, error, cause, 0);
}

static void task_succeeded(m_run *r, const char *resource_type, const char *resource, json_t *out) {
  char *t = recording(r) ? json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  aev__run_event(r, "TaskSucceeded", "taskSucceededEventDetails",
                 recording(r) ? json_pack("{s:s,s:s,s:s?,s:{s:b}}", "resourceType", resource_type,
                                          "resource", resource, "output", t, "outputDetails",
                                          "truncated", 0)
                              : NULL);
  free(t);
  aev__run_result(r, out);
}

/* sqs:sendMessage: QueueUrl, MessageBody (non-strings sent as JSON text),
 * MessageGroupId, MessageDeduplicationId, DelaySeconds. */
static void sqs_send(m_run *r, json_t *params) {
  const char *url = json_string_value(json_object_get(params, "QueueUrl"));
  json_t *body = json_object_get(params, "MessageBody");
  if (!url || !body) {
    task_failed(r, "sqs", "sendMessage", "SQS.MissingParameterException",
                "The request must contain the parameters QueueUrl and MessageBody.");
    return;
  }
  aev_queue *q = NULL;
  if (aev__queue_find(r->e->b, url, &q)) {
    task_failed(r, "sqs", "sendMessage", "SQS.QueueDoesNotExistException",
                "The specified queue does not exist.");
    return;
  }
  char *text = aev__json_text(body);
  aev__send_req req = {.body = text, .len = text ? strlen(text) : 0, .delay = -1};
  json_t *d = json_object_get(params, "DelaySeconds");
  if (json_is_integer(d)) req.delay = (int)json_integer_value(d);
  req.group = json_string_value(json_object_get(params, "MessageGroupId"));
  req.dedup = json_string_value(json_object_get(params, "MessageDeduplicationId"));
  aev__sent sent;
  int rc = aev__queue_send(q, &req, &sent);
  free(text);
  aev_queue_release(q);
  if (rc) {
    char err[128];
    snprintf(err, sizeof err, "SQS.%sException", aev_errcode());
    task_failed(r, "sqs", "sendMessage", err, aev_errmsg());
    return;
  }
  json_t *out = json_pack("{s:s,s:s}", "MD5OfMessageBody", sent.md5_body, "MessageId", sent.id);
  if (sent.seq[0]) json_object_set_new(out, "SequenceNumber", json_string(sent.seq));
  task_succeeded(r, "sqs", "sendMessage", out);
}

void aev__task_start(m_run *r, json_t *params) {
  const m_state *s = aev__run_state(r);
  json_t *effective = r->input;
  if (seconds_path(r, s->timeout_path, effective, "TimeoutSecondsPath") ||
      seconds_path(r, s->heartbeat_path, effective, "HeartbeatSecondsPath")) {
    json_decref(params);
    return;
  }
  const char *res = s->resource;
  if (!strcmp(res, "arn:aws:states:::sqs:sendMessage")) {
    char *t = recording(r) ? json_dumps(params, JSON_COMPACT) : NULL;
    aev__run_event(r, "TaskScheduled", "taskScheduledEventDetails",
                   recording(r) ? json_pack("{s:s,s:s,s:s,s:s?}", "resourceType", "sqs", "resource",
                                            "sendMessage", "region", aev_broker_region(r->e->b),
                                            "parameters", t)
                                : NULL);
    free(t);
    aev__run_event(r, "TaskStarted", "taskStartedEventDetails",
                   recording(r) ? json_pack("{s:s,s:s}", "resourceType", "sqs", "resource", "sendMessage") : NULL);
    sqs_send(r, params);
    json_decref(params);
    return;
  }
  json_decref(params);
  if (strstr(res, ":lambda:")) {
    char cause[512];
    snprintf(cause, sizeof cause, "Function not found: %s", res);
    aev__run_fail(r, "Lambda.ResourceNotFoundException", cause, 0);
    return;
  }
  char cause[512];
  snprintf(cause, sizeof cause, "The resource '%s' is not supported by this broker.", res);
  aev__run_fail(r, "States.TaskFailed", cause, 0);
}
