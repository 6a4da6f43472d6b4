/* Which CreateEventSourceMapping / UpdateEventSourceMapping members a kind
 * of source takes. Lambda's API reference scopes each member: the error
 * handling ones (BisectBatchOnFunctionError, DestinationConfig,
 * MaximumRecordAgeInSeconds, MaximumRetryAttempts, ParallelizationFactor)
 * and TumblingWindowInSeconds, StartingPosition and
 * StartingPositionTimestamp to streams, ScalingConfig to SQS; and Lambda
 * refuses a member its source does not take rather than ignoring it
 * ("Unsupported 'maximumBatchingWindowInSeconds' parameter for given event
 * source mapping type." to an MSK mapping, pulumi/pulumi-aws#1418;
 * "Unsupported 'destinationConfig' parameter ..." to a self-managed Kafka
 * one, aws/aws-cdk#19917). A stream's DestinationConfig takes an OnFailure
 * destination only: Lambda refuses OnSuccess with "Unsupported
 * DestinationConfig parameter for given event source mapping type."
 * (localstack/localstack#11989, a parity test against AWS). No answer to a
 * queue mapping given these members is recorded: they are worded as those
 * are. */
#include <string.h>

#include "core/status.h"
#include "function/function.h"

static const struct {
  const char *name, *member;
  int kinds;       /* the kinds that take it */
  int create_only; /* not a member of UpdateEventSourceMapping's request */
} members[] = {
    {"StartingPosition", "startingPosition", AEV__ESM_STREAM, 1},
    {"StartingPositionTimestamp", "startingPositionTimestamp", AEV__ESM_STREAM, 1},
    {"BisectBatchOnFunctionError", "bisectBatchOnFunctionError", AEV__ESM_STREAM, 0},
    {"DestinationConfig", "destinationConfig", AEV__ESM_STREAM, 0},
    {"MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", AEV__ESM_STREAM, 0},
    {"MaximumRetryAttempts", "maximumRetryAttempts", AEV__ESM_STREAM, 0},
    {"ParallelizationFactor", "parallelizationFactor", AEV__ESM_STREAM, 0},
    {"TumblingWindowInSeconds", "tumblingWindowInSeconds", AEV__ESM_STREAM, 0},
    {"ScalingConfig", "scalingConfig", AEV__ESM_QUEUE, 0},
};

static int given(json_t *req, const char *name) {
  json_t *v = json_object_get(req, name);
  return v && !json_is_null(v);
}

int aev__esm_params_check(json_t *req, int kind, int update) {
  for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
    /* An update's request has no starting position to refuse: like any
     * member its model lacks, it is not read. */
    if ((members[i].kinds & kind) || (update && members[i].create_only) ||
        !given(req, members[i].name))
      continue;
    /* Lambda's own answer to a queue mapping given a starting position,
     * with or without its timestamp (LocalStack's recorded
     * test_create_starting_position_validation_exceptions[sqs]). */
    if (kind == AEV__ESM_QUEUE && !strcmp(members[i].name, "StartingPosition"))
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                       "StartingPosition is not valid for SQS event sources.");
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                     "Unsupported '%s' parameter for given event source "
                     "mapping type.",
                     members[i].member);
  }
  if (kind == AEV__ESM_STREAM &&
      given(json_object_get(req, "DestinationConfig"), "OnSuccess"))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                     "Unsupported DestinationConfig parameter for given event "
                     "source mapping type.");
  return AEV_OK;
}
