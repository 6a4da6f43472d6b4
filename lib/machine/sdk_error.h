/* Internal: a service integration's failure as AWS's Java SDK reports it
 * to a Task state (sdk_error.c). */
#ifndef AEV_MACHINE_SDK_ERROR_H
#define AEV_MACHINE_SDK_ERROR_H

#include <stddef.h>

#include "awsevents/broker.h"

/* The Task's error and cause when service ("SQS", "SNS", "StepFunctions",
 * "Lambda", "EventBridge") answered the AWS error code with message:
 * error is "<service>.<the SDK's exception>" (written to error, n bytes),
 * *cause a new string "<message> (Service: ...; Status Code: ...; Error
 * Code: <code>; Request ID: <uuid>; Proxy: null)", NULL when out of
 * memory. */
void aev__sdk_error(aev_broker *b, const char *service, const char *code, const char *message, char *error,
                    size_t n, char **cause);

/* The same for an AWS SDK integration (aws-sdk:SERVICE:action), which AWS
 * runs through its Java SDK v2: api is aev_call's service name ("sqs",
 * "states", ...); error is "<Service>.<code>Exception" ("Sfn.
 * InvalidTokenException"), or "<Service>.<Service>Exception" for a code the
 * service's model does not list; *cause "<message> (Service: <Service>,
 * Status Code: <status>, Request ID: <uuid>)", NULL when out of memory. */
void aev__sdk_v2_error(aev_broker *b, const char *api, const char *code, const char *message, char *error,
                       size_t n, char **cause);

#endif
