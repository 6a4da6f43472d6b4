/* Internal: the AWS API layer. aev_call() parses the request, finds the
 * service's action in the dispatch table and calls it; each primitive
 * defines one aev__api_service listing its actions (lib/api/services.c
 * names them all). Helpers read request members and fail with the service's
 * own error names (SQS MissingParameter / InvalidParameterValue, Kinesis
 * InvalidArgumentException, Lambda InvalidParameterValueException, ...). */
#ifndef AEV_API_API_H
#define AEV_API_API_H

#include <jansson.h>
#include <stdint.h>

#include "awsevents/broker.h"

struct aev__api_service;

/* An action: reads req (borrowed), on success stores a new reference in
 * *resp; on failure returns the status from aev__fail(). */
typedef int (*aev__api_fn)(aev_broker *b, const struct aev__api_service *svc,
                           json_t *req, json_t **resp);

typedef struct aev__api_action {
  const char *name;
  aev__api_fn fn;
} aev__api_action;

typedef struct aev__api_service {
  const char *name;         /* "sqs" */
  const char *missing_code; /* error name for a missing required member */
  const char *invalid_code; /* error name for a member of the wrong type */
  const aev__api_action *actions;
  size_t n_actions;
} aev__api_service;

#endif
