/* CreateSchedule's and UpdateSchedule's members checked against the
 * EventBridge Scheduler API Reference (lengths, enums, ranges) into an
 * immutable configuration, with the defaults AWS fills in (State ENABLED,
 * ScheduleExpressionTimezone UTC, ActionAfterCompletion NONE, RetryPolicy
 * 86400 s / 185 attempts) and the target resolved to the action that
 * invokes it. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "scheduler/scheduler_impl.h"

void aev__sconf_unref(aev__sconf *c) {
  if (!c || --c->refs > 0) return;
  json_decref(c->view);
  aev__schedule_free(c->expr);
  aev__tz_free(c->tz);
  free(c->service);
  free(c->action);
  free(c);
}

/* A string member of obj within min..max characters (bytes for ASCII
 * members), at path for the message. */
static int text(json_t *obj, const char *name, const char *path, size_t min,
                size_t max, int required, const char **out) {
  int rc = required ? aev__api_req_string(&aev__api_scheduler, obj, name, out)
                    : aev__api_opt_string(&aev__api_scheduler, obj, name, out);
  if (rc || !*out) return rc;
  size_t n = strlen(*out);
  return n < min || n > max ? aev__fail_length(*out, path, n, min, max) : AEV_OK;
}

static int integer(json_t *obj, const char *name, const char *path, int64_t min,
                   int64_t max, int64_t *out) {
  json_t *v = json_object_get(obj, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_integer(v))
    return aev__fail_validation(NULL, path, "Member must be an integer");
  int64_t n = json_integer_value(v);
  if (n < min || n > max) return aev__fail_range(n, path, min, max);
  *out = n;
  return AEV_OK;
}

/* StartDate / EndDate: epoch seconds (the JSON protocol's timestamps). */
static int date(json_t *req, const char *name, int64_t *ms) {
  json_t *v = json_object_get(req, name);
  *ms = -1;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_number(v))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "%s must be a timestamp (epoch seconds).", name);
  *ms = (int64_t)(json_number_value(v) * 1000);
  return AEV_OK;
}

/* Names and group names: 1 to 64 of [0-9a-zA-Z-_.]. */
int aev__scheduler_check_name(const char *name, const char *path) {
  size_t n = strlen(name);
  if (n < 1 || n > 64) return aev__fail_length(name, path, n, 1, 64);
  if (strspn(name, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") != n)
    return aev__fail_validation(name, path,
                                "Member must satisfy regular expression pattern: "
                                "^[0-9a-zA-Z-_.]+$");
  return AEV_OK;
}

/* Target.RoleArn's pattern (Scheduler API Reference, Target):
 * arn:aws(-[a-z]+)?:iam::\d{12}:role/[\w+=,.@/-]+ */
static int is_role_arn(const char *s) {
  if (strncmp(s, "arn:aws", 7)) return 0;
  s += 7;
  if (*s == '-') {
    size_t n = strspn(++s, "abcdefghijklmnopqrstuvwxyz");
    if (!n) return 0;
    s += n;
  }
  if (strncmp(s, ":iam::", 6) || strspn(s + 6, "0123456789") != 12 || strncmp(s + 18, ":role/", 6))
    return 0;
  s += 24;
  size_t n = strlen(s);
  return n && strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_+=,.@/-") == n;
}

/* arn:aws:scheduler:::aws-sdk:SERVICE:apiAction, SERVICE as the AWS SDKs
 * name it, mapped to this broker's service names. */
static int universal(aev__sconf *c, const char *arn) {
  const char *rest = strstr(arn, ":::aws-sdk:") + 11;
  const char *colon = strchr(rest, ':');
  static const char *const sdk[][2] = {{"sqs", "sqs"}, {"sns", "sns"},
      {"lambda", "lambda"}, {"sfn", "states"}, {"eventbridge", "events"},
      {"kinesis", "kinesis"}, {"firehose", "firehose"}};
  for (size_t i = 0; colon && colon[1] && i < sizeof sdk / sizeof *sdk; i++)
    if (strlen(sdk[i][0]) == (size_t)(colon - rest) && !strncmp(rest, sdk[i][0], colon - rest)) {
      c->service = strdup(sdk[i][1]);
      c->action = strdup(colon + 1);
      if (!c->service || !c->action) return aev__nomem();
      c->action[0] = (char)(c->action[0] >= 'a' && c->action[0] <= 'z' ? c->action[0] - 32 : c->action[0]);
      return AEV_OK;
    }
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Universal target %s names a service this broker does not run "
                   "(sqs, sns, lambda, sfn, eventbridge, kinesis, firehose).", arn);
}

/* The action a templated target's ARN calls, with the parameters it needs. */
static int templated(aev__sconf *c, const char *arn, json_t *target) {
  static const struct { const char *service, *resource, *action; } kinds[] = {
      {"sqs", "", "SendMessage"}, {"sns", "", "Publish"},
      {"lambda", "function:", "Invoke"}, {"states", "stateMachine:", "StartExecution"},
      {"events", "event-bus/", "PutEvents"}, {"kinesis", "stream/", "PutRecord"},
      {"firehose", "deliverystream/", "PutRecord"}};
  const char *p = strchr(arn + 4, ':'); /* after the partition */
  for (size_t i = 0; p && i < sizeof kinds / sizeof *kinds; i++) {
    size_t n = strlen(kinds[i].service);
    if (strncmp(p + 1, kinds[i].service, n) || p[1 + n] != ':') continue;
    const char *res = strchr(strchr(p + 2 + n, ':') ? strchr(p + 2 + n, ':') + 1 : "", ':');
    if (!res || strncmp(res + 1, kinds[i].resource, strlen(kinds[i].resource))) break;
    if (!strcmp(kinds[i].service, "events") && !json_object_get(target, "EventBridgeParameters"))
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "EventBridgeParameters are required for an event bus target.");
    if (!strcmp(kinds[i].service, "kinesis") && !json_object_get(target, "KinesisParameters"))
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "KinesisParameters are required for a Kinesis stream target.");
    c->service = strdup(kinds[i].service);
    c->action = strdup(kinds[i].action);
    return c->service && c->action ? AEV_OK : aev__nomem();
  }
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Target %s is not a target this broker runs: SQS queues, SNS topics, "
                   "Lambda functions, Step Functions state machines, event buses, Kinesis "
                   "streams, Firehose delivery streams, or arn:aws:scheduler:::aws-sdk:"
                   "SERVICE:apiAction.", arn);
}

static int target_of(aev__sconf *c, json_t *target) {
  const char *arn, *role, *input = NULL, *s = NULL;
  json_t *retry = NULL, *dlc = NULL, *sqs = NULL, *kin = NULL, *eb = NULL;
  int64_t age = 86400, attempts = 185;
  int rc = text(target, "Arn", "target.arn", 1, 1600, 1, &arn);
  if (!rc) rc = text(target, "RoleArn", "target.roleArn", 1, 1600, 1, &role);
  if (!rc && !is_role_arn(role))
    rc = aev__fail_validation(role, "target.roleArn",
                              "Member must satisfy regular expression pattern: "
                              "^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$");
  if (!rc) rc = text(target, "Input", "target.input", 1, 8192, 0, &input);
  if (!rc) rc = aev__api_opt_object(&aev__api_scheduler, target, "RetryPolicy", &retry);
  if (!rc && retry)
    rc = integer(retry, "MaximumEventAgeInSeconds", "target.retryPolicy.maximumEventAgeInSeconds",
                 60, 86400, &age);
  if (!rc && retry)
    rc = integer(retry, "MaximumRetryAttempts", "target.retryPolicy.maximumRetryAttempts", 0,
                 185, &attempts);
  if (!rc) rc = aev__api_opt_object(&aev__api_scheduler, target, "DeadLetterConfig", &dlc);
  if (!rc && dlc) rc = text(dlc, "Arn", "target.deadLetterConfig.arn", 1, 1600, 0, &s);
  if (!rc && dlc && s && !strstr(s, ":sqs:"))
    rc = aev__fail_validation(s, "target.deadLetterConfig.arn",
                              "Member must satisfy regular expression pattern: "
                              "^arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+$");
  if (!rc) rc = aev__api_opt_object(&aev__api_scheduler, target, "SqsParameters", &sqs);
  if (!rc && sqs) rc = text(sqs, "MessageGroupId", "target.sqsParameters.messageGroupId", 1, 128, 0, &s);
  if (!rc) rc = aev__api_opt_object(&aev__api_scheduler, target, "KinesisParameters", &kin);
  if (!rc && kin) rc = text(kin, "PartitionKey", "target.kinesisParameters.partitionKey", 1, 256, 1, &s);
  if (!rc) rc = aev__api_opt_object(&aev__api_scheduler, target, "EventBridgeParameters", &eb);
  if (!rc && eb) rc = text(eb, "DetailType", "target.eventBridgeParameters.detailType", 1, 128, 1, &s);
  if (!rc && eb) rc = text(eb, "Source", "target.eventBridgeParameters.source", 1, 256, 1, &s);
  if (rc) return rc;
  rc = strncmp(arn, "arn:aws:scheduler:::aws-sdk:", 28) ? templated(c, arn, target)
                                                       : universal(c, arn);
  if (rc) return rc;
  c->max_retries = (int)attempts;
  c->max_age_ms = age * 1000;
  /* The view keeps the target as given, with the RetryPolicy AWS fills. */
  json_t *t = json_deep_copy(target);
  json_t *policy = json_pack("{s:I,s:I}", "MaximumEventAgeInSeconds", (json_int_t)age,
                             "MaximumRetryAttempts", (json_int_t)attempts);
  if (!t || !policy || json_object_set_new(t, "RetryPolicy", policy) ||
      json_object_set_new(c->view, "Target", t)) {
    json_decref(t);
    return aev__nomem();
  }
  c->arn = json_string_value(json_object_get(t, "Arn"));
  c->input = json_string_value(json_object_get(t, "Input"));
  json_t *d = json_object_get(t, "DeadLetterConfig");
  c->dlq_arn = d ? json_string_value(json_object_get(d, "Arn")) : NULL;
  return AEV_OK;
}

static int flexible(aev__sconf *c, json_t *req) {
  json_t *ftw;
  const char *mode;
  int64_t window = 0;
  static const char *const modes[] = {"OFF", "FLEXIBLE", NULL};
  int rc = aev__api_req_object(&aev__api_scheduler, req, "FlexibleTimeWindow", &ftw);
  if (!rc) rc = aev__api_req_string(&aev__api_scheduler, ftw, "Mode", &mode);
  if (!rc) rc = aev__api_opt_enum(&aev__api_scheduler, ftw, "Mode", "flexibleTimeWindow.mode",
                                  modes, &mode);
  if (!rc) rc = integer(ftw, "MaximumWindowInMinutes",
                        "flexibleTimeWindow.maximumWindowInMinutes", 1, 1440, &window);
  if (rc) return rc;
  if (!strcmp(mode, "FLEXIBLE") && !window)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "MaximumWindowInMinutes must be provided when the FlexibleTimeWindow "
                     "Mode is FLEXIBLE.");
  if (!strcmp(mode, "OFF") && window)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "MaximumWindowInMinutes must not be provided when the FlexibleTimeWindow "
                     "Mode is OFF.");
  c->flex_minutes = (int)window;
  json_t *v = window ? json_pack("{s:s,s:I}", "Mode", mode, "MaximumWindowInMinutes",
                                 (json_int_t)window)
                     : json_pack("{s:s}", "Mode", mode);
  return v && !json_object_set_new(c->view, "FlexibleTimeWindow", v) ? AEV_OK : aev__nomem();
}

static int set_str(json_t *view, const char *key, const char *v) {
  return v && json_object_set_new(view, key, json_string(v)) ? aev__nomem() : AEV_OK;
}

int aev__sconf_new(json_t *req, aev__sconf **out) {
  const char *expr, *zone = "UTC", *state = "ENABLED", *after = "NONE", *desc = NULL,
             *kms = NULL, *token = NULL;
  static const char *const states[] = {"ENABLED", "DISABLED", NULL};
  static const char *const actions[] = {"NONE", "DELETE", NULL};
  aev__sconf *c = calloc(1, sizeof *c);
  if (!c || !(c->view = json_object())) {
    free(c);
    return aev__nomem();
  }
  c->refs = 1;
  int rc = text(req, "ScheduleExpression", "scheduleExpression", 1, 256, 1, &expr);
  if (!rc) rc = text(req, "ScheduleExpressionTimezone", "scheduleExpressionTimezone", 1, 50, 0, &zone);
  if (!rc) rc = aev__api_opt_enum(&aev__api_scheduler, req, "State", "state", states, &state);
  if (!rc) rc = aev__api_opt_enum(&aev__api_scheduler, req, "ActionAfterCompletion",
                                  "actionAfterCompletion", actions, &after);
  if (!rc) rc = text(req, "Description", "description", 0, 512, 0, &desc);
  if (!rc) rc = text(req, "KmsKeyArn", "kmsKeyArn", 1, 2048, 0, &kms);
  if (!rc) rc = text(req, "ClientToken", "clientToken", 1, 64, 0, &token);
  if (!rc) rc = date(req, "StartDate", &c->start_ms);
  if (!rc) rc = date(req, "EndDate", &c->end_ms);
  if (!rc) rc = flexible(c, req);
  json_t *target = NULL;
  if (!rc) rc = aev__api_req_object(&aev__api_scheduler, req, "Target", &target);
  if (!rc) rc = target_of(c, target);
  if (!rc) rc = aev__sconf_expression(c, expr);
  if (!rc) {
    int trc = aev__tz_load(AEV__TZ_DIR, zone, &c->tz);
    if (trc == AEV_ERR_NOT_FOUND)
      rc = aev__fail(AEV_ERR_INVALID, "ValidationException", "Invalid time zone %s.", zone);
    else if (trc)
      rc = aev__nomem();
  }
  if (!rc && c->start_ms >= 0 && c->end_ms >= 0 && c->end_ms <= c->start_ms)
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "The EndDate must be after the StartDate.");
  if (!rc) {
    c->enabled = !strcmp(state, "ENABLED");
    c->delete_after = !strcmp(after, "DELETE");
    rc = set_str(c->view, "ScheduleExpression", expr);
    if (!rc) rc = set_str(c->view, "ScheduleExpressionTimezone", zone);
    if (!rc) rc = set_str(c->view, "State", state);
    if (!rc) rc = set_str(c->view, "ActionAfterCompletion", after);
    if (!rc) rc = set_str(c->view, "Description", desc);
    if (!rc) rc = set_str(c->view, "KmsKeyArn", kms);
    if (!rc && c->start_ms >= 0)
      rc = json_object_set_new(c->view, "StartDate", aev__sch_time(c->start_ms)) ? aev__nomem() : 0;
    if (!rc && c->end_ms >= 0)
      rc = json_object_set_new(c->view, "EndDate", aev__sch_time(c->end_ms)) ? aev__nomem() : 0;
  }
  if (rc) {
    aev__sconf_unref(c);
    return rc;
  }
  *out = c;
  return AEV_OK;
}
