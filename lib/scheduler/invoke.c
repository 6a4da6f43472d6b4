/* Invoking a schedule's target: the Input with the context attributes the
 * Scheduler guide lists replaced, sent through aev_call as the action the
 * target stands for (SendMessage, Publish, Invoke, StartExecution,
 * PutEvents, PutRecord, or a universal target's own); a failure is retried
 * under the RetryPolicy on timers, then sent to the dead-letter queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "core/text.h"
#include "scheduler/scheduler_impl.h"

/* Backoff before retry n (1-based): 1 s doubling, at most 5 minutes. */
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS (5 * 60 * 1000)

typedef struct invocation {
  aev_broker *b; /* not counted: pending timers are cancelled at shutdown */
  aev__sconf *c;
  char *arn;
  int64_t scheduled_ms;
  int64_t first_ms; /* the first attempt: the event's age counts from it */
  int attempt; /* 1-based */
  char exec_id[17];
  aev__timer timer;
  int retryable;
  char code[64];
  char msg[512];
} invocation;

static void invocation_free(invocation *v) {
  aev__sconf_unref(v->c);
  free(v->arn);
  free(v);
}

static void fail(invocation *v, int retryable, const char *code, const char *msg) {
  v->retryable = retryable;
  snprintf(v->code, sizeof v->code, "%s", code);
  snprintf(v->msg, sizeof v->msg, "%.*s",
           (int)aev__utf8_fit(msg, strlen(msg), sizeof v->msg - 1), msg);
}

/* Input with <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>
 * (2022-03-22T18:59:43Z), <aws.scheduler.execution-id> and
 * <aws.scheduler.attempt-number> replaced; "{}" when there is no Input. */
static char *payload(const invocation *v) {
  const char *in = v->c->input ? v->c->input : "{}";
  char when[32], attempt[16];
  time_t t = (time_t)(v->scheduled_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(attempt, sizeof attempt, "%d", v->attempt);
  const char *keys[] = {"<aws.scheduler.schedule-arn>", "<aws.scheduler.scheduled-time>",
                        "<aws.scheduler.execution-id>", "<aws.scheduler.attempt-number>"};
  const char *vals[] = {v->arn, when, v->exec_id, attempt};
  aev__tbuf out = {0};
  while (*in) {
    size_t i = 0;
    for (; i < 4; i++)
      if (!strncmp(in, keys[i], strlen(keys[i]))) break;
    if (i < 4) {
      aev__tbuf_puts(&out, vals[i]);
      in += strlen(keys[i]);
    } else {
      aev__tbuf_put(&out, in++, 1);
    }
  }
  aev__tbuf_put(&out, "", 0);
  return aev__tbuf_take(&out, NULL);
}

/* The last ARN segment after sep ("/" or ":"). */
static const char *tail(const char *arn, char sep) {
  const char *p = strrchr(arn, sep);
  return p ? p + 1 : arn;
}

static char *b64(const char *text) {
  char *out = NULL;
  return aev__base64_encode(text, strlen(text), &out) ? NULL : out;
}

/* The request of the target's action carrying body. Members taken from
 * the configuration are copied: its values are shared by invocations on
 * other threads, and jansson's reference counts are not atomic. */
static json_t *request(const invocation *v, const char *body) {
  const aev__sconf *c = v->c;
  json_t *t = json_object_get(c->view, "Target");
  const char *s = c->service;
  if (!strncmp(c->arn, "arn:aws:scheduler:::aws-sdk:", 28)) {
    json_t *req = NULL;
    aev__json_parse_str(body, 0, &req);
    if (req && !json_is_object(req)) json_decref(req), req = NULL;
    return req;
  }
  if (!strcmp(s, "sqs")) {
    char *url = aev__queue_url(v->b, tail(c->arn, ':'));
    json_t *req = url ? json_pack("{s:s,s:s}", "QueueUrl", url, "MessageBody", body) : NULL;
    free(url);
    json_t *group = json_object_get(json_object_get(t, "SqsParameters"), "MessageGroupId");
    if (req && group) {
      json_object_set_new(req, "MessageGroupId", json_string(json_string_value(group)));
      const char *name = tail(c->arn, ':');
      size_t n = strlen(name);
      if (n > 5 && !strcmp(name + n - 5, ".fifo"))
        json_object_set_new(req, "MessageDeduplicationId", json_string(v->exec_id));
    }
    return req;
  }
  if (!strcmp(s, "sns")) return json_pack("{s:s,s:s}", "TopicArn", c->arn, "Message", body);
  if (!strcmp(s, "lambda"))
    return json_pack("{s:s,s:s,s:s}", "FunctionName", c->arn, "InvocationType", "Event",
                     "Payload", body);
  if (!strcmp(s, "states"))
    return json_pack("{s:s,s:s}", "stateMachineArn", c->arn, "input", body);
  if (!strcmp(s, "events")) {
    json_t *p = json_object_get(t, "EventBridgeParameters");
    return json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "Entries", "EventBusName", c->arn, "Source",
                     json_string_value(json_object_get(p, "Source")), "DetailType",
                     json_string_value(json_object_get(p, "DetailType")), "Detail", body);
  }
  char *data = b64(body);
  json_t *req = NULL;
  if (data && !strcmp(s, "kinesis"))
    req = json_pack("{s:s,s:s,s:s}", "StreamName", tail(c->arn, '/'), "Data", data,
                    "PartitionKey",
                    json_string_value(json_object_get(json_object_get(t, "KinesisParameters"),
                                                      "PartitionKey")));
  else if (data)
    req = json_pack("{s:s,s:{s:s}}", "DeliveryStreamName", tail(c->arn, '/'), "Record", "Data",
                    data);
  free(data);
  return req;
}

static void attempt_once(invocation *v) {
  v->code[0] = 0;
  aev__broker_token(v->b, v->exec_id, 16);
  char *body = payload(v);
  json_t *req = body ? request(v, body) : NULL;
  char *text = req ? aev__json_dumps(req, JSON_COMPACT) : NULL;
  int had_body = body != NULL, had_req = req != NULL;
  json_decref(req);
  free(body);
  if (!text) {
    /* A universal target's Input that is no JSON object is the caller's
     * mistake, not a passing failure. */
    if (had_body && !had_req && !strncmp(v->c->arn, "arn:aws:scheduler:::aws-sdk:", 28)) fail(v, 0, "ValidationException", "The target's Input is not a JSON object.");
    else fail(v, 1, "InternalFailure", "Out of memory building the target's request.");
    return;
  }
  char *resp = NULL;
  int rc = aev_call(v->b, v->c->service, v->c->action, text, &resp);
  free(text);
  if (rc) {
    fail(v, rc != AEV_ERR_INVALID, aev_errcode(), aev_errmsg());
  } else if (!strcmp(v->c->action, "PutEvents") && resp && strstr(resp, "\"FailedEntryCount\":") &&
             !strstr(resp, "\"FailedEntryCount\":0")) {
    fail(v, 1, "PutEventsFailed", resp);
  }
  aev_free(resp);
}

/* Dead-letter queue: the payload, with why it was not delivered. */
static void dead_letter(invocation *v, const char *condition) {
  if (!v->c->dlq_arn) {
    aev__log(v->b, AEV_LOG_WARN, "scheduler: schedule %s dropped an invocation: %s %s", v->arn,
             v->code, v->msg);
    return;
  }
  char retries[16];
  snprintf(retries, sizeof retries, "%d", v->attempt - 1);
  char *body = payload(v);
  char *url = aev__queue_url(v->b, tail(v->c->dlq_arn, ':'));
  json_t *attrs = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}",
                            "ERROR_CODE", "DataType", "String", "StringValue", v->code,
                            "ERROR_MESSAGE", "DataType", "String", "StringValue", v->msg,
                            "EXECUTION_ID", "DataType", "String", "StringValue", v->exec_id,
                            "RETRY_ATTEMPTS", "DataType", "Number", "StringValue", retries,
                            "SCHEDULE_ARN", "DataType", "String", "StringValue", v->arn,
                            "TARGET_ARN", "DataType", "String", "StringValue", v->c->arn);
  if (attrs && condition)
    json_object_set_new(attrs, "EXHAUSTED_RETRY_CONDITION",
                        json_pack("{s:s,s:s}", "DataType", "String", "StringValue", condition));
  json_t *req = body && url && attrs ? json_pack("{s:s,s:s,s:O}", "QueueUrl", url, "MessageBody",
                                                 body, "MessageAttributes", attrs)
                                     : NULL;
  char *text = req ? aev__json_dumps(req, JSON_COMPACT) : NULL;
  char *resp = NULL;
  if (!text || aev_call(v->b, "sqs", "SendMessage", text, &resp))
    aev__log(v->b, AEV_LOG_WARN, "scheduler: dead-letter queue %s refused an invocation of %s",
             v->c->dlq_arn, v->arn);
  aev_free(resp);
  free(text);
  json_decref(req);
  json_decref(attrs);
  free(url);
  free(body);
}

static void retry_task(void *arg, int cancelled);

static void after(invocation *v) {
  if (!v->code[0]) {
    invocation_free(v);
    return;
  }
  const char *condition = NULL;
  int64_t wait = BACKOFF_BASE_MS;
  for (int i = 1; i < v->attempt && wait < BACKOFF_CAP_MS; i++) wait *= 2;
  if (wait > BACKOFF_CAP_MS) wait = BACKOFF_CAP_MS;
  if (v->retryable && v->attempt > v->c->max_retries) condition = "MaximumRetryAttempts";
  else if (v->retryable && aev_broker_now_ms(v->b) + wait - v->first_ms > v->c->max_age_ms)
    condition = "MaximumEventAgeInSeconds";
  if (v->retryable && !condition) {
    aev__clock *clk = aev__broker_clock(v->b);
    aev__timer_init(&v->timer, retry_task, v, NULL);
    if (!aev__timer_arm(aev__broker_sched(v->b), &v->timer, aev__clock_mono_ms(clk) + wait))
      return;
  }
  dead_letter(v, condition);
  invocation_free(v);
}

static void retry_task(void *arg, int cancelled) {
  invocation *v = arg;
  if (cancelled) {
    invocation_free(v);
    return;
  }
  v->attempt++;
  attempt_once(v);
  after(v);
}

void aev__sch_invoke(aev_broker *b, const char *arn, aev__sconf *c, int64_t scheduled_ms) {
  invocation *v = calloc(1, sizeof *v);
  if (v) v->arn = strdup(arn);
  if (!v || !v->arn) {
    aev__log(b, AEV_LOG_WARN, "scheduler: schedule %s dropped an invocation: out of memory", arn);
    free(v);
    aev__sconf_unref(c);
    return;
  }
  v->b = b;
  v->c = c;
  v->scheduled_ms = scheduled_ms;
  v->first_ms = aev_broker_now_ms(b);
  v->attempt = 1;
  attempt_once(v);
  after(v);
}
