/* A service integration's failure as a Task state sees it. AWS runs the
 * integrations through its Java SDKs, whose exceptions name the error and
 * whose messages end with the service, the HTTP status and the request id.
 *
 * Optimized integrations (sqs:sendMessage, ...) use SDK v1, recorded
 * against AWS (LocalStack's error_handling and services snapshots): "Topic
 * does not exist (Service: AmazonSNS; Status Code: 404; Error Code:
 * NotFound; Request ID: <request_id>; Proxy: null)", "The request must
 * contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400;
 * Error Code: MissingParameter; ...)" as SQS.AmazonSQSException, "State
 * Machine Does Not Exist: '...' (Service: AWSStepFunctions; Status Code:
 * 400; Error Code: StateMachineDoesNotExist; ...)".
 *
 * AWS SDK integrations (aws-sdk:SERVICE:action) use SDK v2, recorded the
 * same way (test_aws_sdk_task_service, error_handling/test_aws_sdk):
 * "Invalid Token: 'Invalid token' (Service: Sfn, Status Code: 400, Request
 * ID: <request_id>)" as Sfn.InvalidTokenException, "The specified bucket
 * does not exist (Service: S3, Status Code: 404, ...)" as
 * S3.NoSuchBucketException, and an error the service's model does not
 * list as DynamoDb.DynamoDbException. AWS's guide ("Learning to use AWS
 * service SDK integrations") adds the Exception suffix to every modeled
 * error name, "even if the suffix is not part of the error name". */
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
  const char *api;    /* aev_call's service name */
  const char *prefix; /* SDK v1: the Task error's prefix */
  const char *name;   /* SDK v1: the service's name in its messages */
  const char *generic; /* SDK v1: the exception of codes the SDK does not model; NULL: it models all */
  const char *const *modeled;   /* SDK v1: the codes it models, with generic */
  const char *v2;               /* SDK v2: the service's name, prefix and message alike */
  const char *const *unmodeled; /* SDK v2: codes its model lists for no action */
  const sdk_status *statuses;   /* ends with a NULL code */
} sdk_service;

/* The SQS error codes with their own exception in the Java SDK v1's model. */
static const char *const sqs_modeled[] = {"QueueDoesNotExist", "InvalidMessageContents", "UnsupportedOperation",
                                          "QueueDeletedRecently", "QueueNameExists", "OverLimit",
                                          "RequestThrottled", NULL};
/* SQS's common errors (API reference, "Common Errors"), which no action of
 * its model lists. */
static const char *const sqs_unmodeled[] = {"MissingParameter", "InvalidParameterValue", "InvalidAction",
                                            "InvalidQueryParameter", "ValidationError", NULL};
static const char *const none[] = {NULL};
static const sdk_status all_400[] = {{NULL, 0}};
static const sdk_status sns_statuses[] = {{"NotFound", 404}, {"AuthorizationError", 403}, {NULL, 0}};
static const sdk_status s3_statuses[] = {{"NoSuchBucket", 404}, {"NoSuchKey", 404}, {"InternalError", 500}, {NULL, 0}};
/* S3's errors that no action of its model lists (the API reference's
 * "List of error codes"), S3.S3Exception to the Java SDK v2. */
static const char *const s3_unmodeled[] = {"InvalidArgument", "MalformedXML", "InternalError", "EntityTooLarge",
                                           NULL};
static const sdk_status lambda_statuses[] = {{"ResourceNotFoundException", 404},
                                             {"TooManyRequestsException", 429},
                                             {"ResourceConflictException", 409},
                                             {"PreconditionFailedException", 412},
                                             {NULL, 0}};
/* Scheduler's and Pipes' REST APIs answer with their models' statuses. */
static const sdk_status scheduler_statuses[] = {{"ResourceNotFoundException", 404},
                                                {"ConflictException", 409},
                                                {"ServiceQuotaExceededException", 402},
                                                {"ThrottlingException", 429},
                                                {"InternalServerException", 500},
                                                {NULL, 0}};
static const sdk_status pipes_statuses[] = {{"NotFoundException", 404},
                                            {"ConflictException", 409},
                                            {"ServiceQuotaExceededException", 402},
                                            {"ThrottlingException", 429},
                                            {"InternalException", 500},
                                            {NULL, 0}};

static const sdk_service services[] = {
    {"sqs", "SQS", "AmazonSQS", "AmazonSQSException", sqs_modeled, "Sqs", sqs_unmodeled, all_400},
    {"sns", "SNS", "AmazonSNS", NULL, none, "Sns", none, sns_statuses},
    {"states", "StepFunctions", "AWSStepFunctions", NULL, none, "Sfn", none, all_400},
    {"lambda", "Lambda", "AWSLambda", NULL, none, "Lambda", none, lambda_statuses},
    {"events", "EventBridge", "AmazonEventBridge", NULL, none, "EventBridge", none, all_400},
    {"kinesis", "Kinesis", "AmazonKinesis", NULL, none, "Kinesis", none, all_400},
    {"firehose", "Firehose", "AmazonKinesisFirehose", NULL, none, "Firehose", none, all_400},
    {"s3", "S3", "AmazonS3", NULL, none, "S3", s3_unmodeled, s3_statuses},
    /* Reached only through aws-sdk: resources (SDK v2): no optimized
     * integration names them the SDK v1 way. */
    {"scheduler", "Scheduler", "Scheduler", NULL, none, "Scheduler", none, scheduler_statuses},
    {"pipes", "Pipes", "Pipes", NULL, none, "Pipes", none, pipes_statuses},
};

/* Errors of the JSON protocol's front end, in no service's model. */
static const char *const protocol_errors[] = {"SerializationException", "UnknownOperationException",
                                              "InternalFailure", NULL};

static int listed(const char *const *list, const char *code) {
  for (; *list; list++)
    if (!strcmp(*list, code)) return 1;
  return 0;
}

static int status_of(const sdk_service *s, const char *code) {
  for (const sdk_status *st = s->statuses; st->code; st++)
    if (!strcmp(st->code, code)) return st->status;
  return 400;
}

/* "<code>" with "Exception" appended unless it ends with it. */
static void exception_name(char *out, size_t n, const char *prefix, const char *code) {
  size_t len = strlen(code);
  int has_suffix = len >= 9 && !strcmp(code + len - 9, "Exception");
  snprintf(out, n, "%s.%s%s", prefix, code, has_suffix ? "" : "Exception");
}

/* *cause: fmt with message, the service's name, the status, then rest
 * (fmt's own order), and the request id last. */
static char *cause_of(aev_broker *b, const char *fmt, const char *message, const char *name, int status,
                      const char *code) {
  char id[AEV_UUID_LEN + 1];
  aev__broker_uuid(b, id);
  int need = code ? snprintf(NULL, 0, fmt, message, name, status, code, id)
                  : snprintf(NULL, 0, fmt, message, name, status, id);
  char *out = need < 0 ? NULL : malloc((size_t)need + 1);
  if (out && code) snprintf(out, (size_t)need + 1, fmt, message, name, status, code, id);
  else if (out) snprintf(out, (size_t)need + 1, fmt, message, name, status, id);
  return out;
}

void aev__sdk_error(aev_broker *b, const char *service, const char *code, const char *message, char *error,
                    size_t n, char **cause) {
  const sdk_service *s = &services[0];
  for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
    if (!strcmp(services[i].prefix, service)) s = &services[i];
  if (s->generic && !listed(s->modeled, code)) snprintf(error, n, "%s.%s", s->prefix, s->generic);
  else exception_name(error, n, s->prefix, code);
  *cause = cause_of(b, "%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)", message,
                    s->name, status_of(s, code), code);
}

void aev__sdk_v2_error(aev_broker *b, const char *api, const char *code, const char *message, char *error,
                       size_t n, char **cause) {
  const sdk_service *s = &services[0];
  for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
    if (!strcmp(services[i].api, api)) s = &services[i];
  if (listed(s->unmodeled, code) || listed(protocol_errors, code)) snprintf(error, n, "%s.%sException", s->v2, s->v2);
  else exception_name(error, n, s->v2, code);
  *cause = cause_of(b, "%s (Service: %s, Status Code: %d, Request ID: %s)", message, s->v2, status_of(s, code), NULL);
}
