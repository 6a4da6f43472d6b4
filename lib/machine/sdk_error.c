/* A service integration's failure as a Task state sees it: AWS runs the
 * integrations through its Java SDK, whose exceptions name the error
 * ("SQS.AmazonSQSException" for an error code the SDK does not model) and
 * whose messages end with the service, the HTTP status, the error code and
 * the request id. Recorded against AWS (LocalStack's error_handling and
 * services snapshots): "Topic does not exist (Service: AmazonSNS; Status
 * Code: 404; Error Code: NotFound; Request ID: <request_id>; Proxy: null)",
 * "The request must contain the parameter MessageBody. (Service: AmazonSQS;
 * Status Code: 400; Error Code: MissingParameter; ...)" as
 * SQS.AmazonSQSException, "State Machine Does Not Exist: '...' (Service:
 * AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist;
 * ...)". */
#include "machine/sdk_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/ids.h"

/* An error code answered with another HTTP status than 400. */
typedef struct sdk_status {
  const char *code;
  int status;
} sdk_status;

typedef struct sdk_service {
  const char *prefix; /* the Task error's prefix */
  const char *name;   /* the SDK's service name in its messages */
  const char *generic; /* the exception of codes the SDK does not model; NULL: it models all */
  const char *const *modeled;
  const sdk_status *statuses; /* ends with a NULL code */
} sdk_service;

/* The SQS error codes with their own exception in the Java SDK's model. */
static const char *const sqs_modeled[] = {"QueueDoesNotExist", "InvalidMessageContents", "UnsupportedOperation",
                                          "QueueDeletedRecently", "QueueNameExists", "OverLimit",
                                          "RequestThrottled", NULL};
static const char *const none[] = {NULL};
static const sdk_status all_400[] = {{NULL, 0}};
static const sdk_status sns_statuses[] = {{"NotFound", 404}, {"AuthorizationError", 403}, {NULL, 0}};
static const sdk_status lambda_statuses[] = {
    {"ResourceNotFoundException", 404}, {"TooManyRequestsException", 429}, {NULL, 0}};

static const sdk_service services[] = {
    {"SQS", "AmazonSQS", "AmazonSQSException", sqs_modeled, all_400},
    {"SNS", "AmazonSNS", NULL, none, sns_statuses},
    {"StepFunctions", "AWSStepFunctions", NULL, none, all_400},
    {"Lambda", "AWSLambda", NULL, none, lambda_statuses},
    {"EventBridge", "AmazonEventBridge", NULL, none, all_400},
};

static int listed(const char *const *list, const char *code) {
  for (; *list; list++)
    if (!strcmp(*list, code)) return 1;
  return 0;
}

void aev__sdk_error(aev_broker *b, const char *service, const char *code, const char *message, char *error,
                    size_t n, char **cause) {
  const sdk_service *s = &services[0];
  for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
    if (!strcmp(services[i].prefix, service)) s = &services[i];
  size_t len = strlen(code);
  int has_suffix = len >= 9 && !strcmp(code + len - 9, "Exception");
  if (s->generic && !listed(s->modeled, code)) snprintf(error, n, "%s.%s", s->prefix, s->generic);
  else snprintf(error, n, "%s.%s%s", s->prefix, code, has_suffix ? "" : "Exception");
  char id[AEV_UUID_LEN + 1];
  aev__broker_uuid(b, id);
  const char *fmt = "%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)";
  int status = 400;
  for (const sdk_status *st = s->statuses; st->code; st++)
    if (!strcmp(st->code, code)) status = st->status;
  int need = snprintf(NULL, 0, fmt, message, s->name, status, code, id);
  *cause = need < 0 ? NULL : malloc((size_t)need + 1);
  if (*cause) snprintf(*cause, (size_t)need + 1, fmt, message, s->name, status, code, id);
}
