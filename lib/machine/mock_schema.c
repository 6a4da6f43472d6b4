/* TestState's mock.fieldValidationMode: a mocked result of an optimized
 * integration checked against the output shape of the API it calls, as
 * AWS checks it (recorded by LocalStack against AWS,
 * test_field_validation_mode.snapshot.json). STRICT: required members
 * must be there; PRESENT: only the members given are checked; NONE:
 * nothing. Members are named as Step Functions names them (PascalCase);
 * others are allowed. Only the integrations this broker runs have shapes
 * here: a callback's result (.waitForTaskToken), an activity's and a
 * Lambda function's own output are whatever their worker sent. An AWS SDK
 * integration's result is checked against its API's response as AWS
 * documents (MockInput: "validating mocked results against their
 * respective API models") where that response is one of these shapes;
 * other actions' are left unchecked. */
#include <string.h>

#include "core/status.h"
#include "machine/mock_schema.h"

typedef enum kind { K_STRING, K_NUMBER, K_LIST, K_TIMESTAMP, K_ENUM } kind;

typedef struct member {
  const char *name;
  kind k;
  int required;
  size_t min_len;                  /* strings */
  const struct member *elem;       /* K_LIST of structures: their members */
  const char *const *values;       /* K_ENUM */
} member;

#define END {NULL, K_STRING, 0, 0, NULL, NULL}

/* Lambda's Invoke (its Payload, any JSON in Step Functions, unchecked). */
static const member lambda_invoke[] = {
    {"StatusCode", K_NUMBER, 0, 0, NULL, NULL},   {"FunctionError", K_STRING, 0, 0, NULL, NULL},
    {"LogResult", K_STRING, 0, 0, NULL, NULL},    {"ExecutedVersion", K_STRING, 0, 1, NULL, NULL},
    END};
static const member sqs_send[] = {
    {"MD5OfMessageBody", K_STRING, 0, 0, NULL, NULL},
    {"MD5OfMessageAttributes", K_STRING, 0, 0, NULL, NULL},
    {"MD5OfMessageSystemAttributes", K_STRING, 0, 0, NULL, NULL},
    {"MessageId", K_STRING, 0, 0, NULL, NULL},
    {"SequenceNumber", K_STRING, 0, 0, NULL, NULL},
    END};
static const member sns_publish[] = {
    {"MessageId", K_STRING, 0, 0, NULL, NULL}, {"SequenceNumber", K_STRING, 0, 0, NULL, NULL}, END};
static const member put_events_entry[] = {{"EventId", K_STRING, 0, 0, NULL, NULL},
                                          {"ErrorCode", K_STRING, 0, 0, NULL, NULL},
                                          {"ErrorMessage", K_STRING, 0, 0, NULL, NULL},
                                          END};
static const member events_put[] = {
    {"FailedEntryCount", K_NUMBER, 0, 0, NULL, NULL}, {"Entries", K_LIST, 0, 0, put_events_entry, NULL}, END};
static const member start_execution[] = {
    {"ExecutionArn", K_STRING, 1, 1, NULL, NULL}, {"StartDate", K_TIMESTAMP, 1, 0, NULL, NULL}, END};
static const char *const statuses[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED",
                                       "PENDING_REDRIVE", NULL};
static const char *const redrive_statuses[] = {"REDRIVABLE", "NOT_REDRIVABLE", "REDRIVABLE_BY_MAP_RUN", NULL};
/* DescribeExecution's, which .sync and .sync:2 answer (Output unchecked:
 * parsed JSON with .sync:2). */
static const member describe_execution[] = {
    {"ExecutionArn", K_STRING, 1, 1, NULL, NULL},
    {"StateMachineArn", K_STRING, 1, 1, NULL, NULL},
    {"Name", K_STRING, 0, 1, NULL, NULL},
    {"Status", K_ENUM, 1, 0, NULL, statuses},
    {"StartDate", K_TIMESTAMP, 1, 0, NULL, NULL},
    {"StopDate", K_TIMESTAMP, 0, 0, NULL, NULL},
    {"Input", K_STRING, 0, 0, NULL, NULL},
    {"Error", K_STRING, 0, 0, NULL, NULL},
    {"Cause", K_STRING, 0, 0, NULL, NULL},
    {"RedriveCount", K_NUMBER, 0, 0, NULL, NULL},
    {"RedriveDate", K_TIMESTAMP, 0, 0, NULL, NULL},
    {"RedriveStatus", K_ENUM, 0, 0, NULL, redrive_statuses},
    END};

/* The integrations, by what their resource ends with after ":::". */
static const struct {
  const char *resource;
  const member *shape;
} shapes[] = {
    {"lambda:invoke", lambda_invoke},
    {"sqs:sendMessage", sqs_send},
    {"sns:publish", sns_publish},
    {"events:putEvents", events_put},
    {"states:startExecution", start_execution},
    {"states:startExecution.sync", describe_execution},
    {"states:startExecution.sync:2", describe_execution},
    {"aws-sdk:lambda:invoke", lambda_invoke},
    {"aws-sdk:sqs:sendMessage", sqs_send},
    {"aws-sdk:sns:publish", sns_publish},
    {"aws-sdk:eventbridge:putEvents", events_put},
    {"aws-sdk:sfn:startExecution", start_execution},
    {"aws-sdk:sfn:describeExecution", describe_execution},
};

static int field_error(const char *name, const char *what) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "Mock result schema validation error: Field '%s' %s",
                   name, what);
}

static int check_object(json_t *o, const member *shape, int strict);

static int check_value(const member *m, json_t *v, int strict) {
  switch (m->k) {
  case K_NUMBER:
    return json_is_number(v) ? AEV_OK : field_error(m->name, "must be a number");
  case K_LIST:
    if (!json_is_array(v)) return field_error(m->name, "must be an array");
    for (size_t i = 0; i < json_array_size(v); i++) {
      json_t *x = json_array_get(v, i);
      if (!json_is_object(x)) return field_error(m->name, "must be an array of objects");
      int rc = check_object(x, m->elem, strict);
      if (rc) return rc;
    }
    return AEV_OK;
  case K_ENUM:
    if (!json_is_string(v)) return field_error(m->name, "must be a string");
    for (size_t i = 0; m->values[i]; i++)
      if (!strcmp(json_string_value(v), m->values[i])) return AEV_OK;
    return field_error(m->name, "is not an expected value");
  case K_STRING:
  case K_TIMESTAMP:
    if (!json_is_string(v)) return field_error(m->name, "must be a string");
    return json_string_length(v) >= m->min_len ? AEV_OK : field_error(m->name, "is smaller than the minimum length");
  }
  return AEV_OK;
}

static int check_object(json_t *o, const member *shape, int strict) {
  for (const member *m = shape; m->name; m++) {
    json_t *v = json_object_get(o, m->name);
    if (!v) {
      if (strict && m->required)
        return aev__fail(AEV_ERR_INVALID, "ValidationException",
                         "Mock result schema validation error: Required field '%s' is missing", m->name);
      continue;
    }
    int rc = check_value(m, v, strict);
    if (rc) return rc;
  }
  return AEV_OK;
}

int aev__mock_check(const char *resource, json_t *result, const char *mode) {
  if (!strcmp(mode, "NONE") || !resource || !json_is_object(result)) return AEV_OK;
  const char *tail = strstr(resource, ":::");
  if (!tail || strncmp(resource, "arn:", 4)) return AEV_OK;
  tail += 3;
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
    if (!strcmp(tail, shapes[i].resource)) return check_object(result, shapes[i].shape, !strcmp(mode, "STRICT"));
  return AEV_OK;
}
