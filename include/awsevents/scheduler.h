/*
 * libawsevents — Amazon EventBridge Scheduler: schedule groups and the
 * schedules they hold, fired on the broker's clock.
 *
 * Every function takes and answers AWS's JSON shapes (the members of the
 * EventBridge Scheduler API Reference) as UTF-8 text, as aev_call(b,
 * "scheduler", ACTION, ...) does; timestamps are epoch seconds (numbers).
 * Errors carry Scheduler's error names (ValidationException,
 * ConflictException, ResourceNotFoundException) and messages; a refused
 * call changes nothing.
 *
 * The "default" group always exists and cannot be deleted; deleting a group
 * deletes its schedules. Schedules: at(yyyy-mm-ddThh:mm:ss) fires once,
 * rate(N minutes|hours|days) every N units from StartDate (else at once
 * from its creation or last update), cron(min hour dom month dow year),
 * never at the instant it is made, in ScheduleExpressionTimezone
 * (an IANA zone read from the system's tz database, default UTC), where a
 * time skipped by a daylight-saving change is skipped and a time repeated
 * fires once, as AWS documents. StartDate / EndDate bound the firings;
 * DISABLED schedules do not fire; FlexibleTimeWindow FLEXIBLE delays each
 * firing by a random number of minutes below MaximumWindowInMinutes, drawn
 * from the broker's seeded generator; ActionAfterCompletion DELETE deletes
 * a schedule after its last invocation.
 *
 * Targets (Target.Arn): templated targets of this broker's services — SQS
 * queues (SqsParameters.MessageGroupId for FIFO queues), SNS topics, Lambda
 * functions (invoked asynchronously), Step Functions state machines
 * (StartExecution), event buses (PutEvents with
 * EventBridgeParameters.DetailType / Source), Kinesis streams
 * (KinesisParameters.PartitionKey) and Firehose delivery streams — and
 * universal targets arn:aws:scheduler:::aws-sdk:SERVICE:apiAction, whose
 * Input is the request of that action of a service the broker runs
 * (aev_call). Input is sent with the context attributes
 * <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
 * <aws.scheduler.execution-id> and <aws.scheduler.attempt-number> replaced.
 * Failed invocations are retried under RetryPolicy
 * (MaximumEventAgeInSeconds, MaximumRetryAttempts; defaults 86400 and 185)
 * on the broker clock, then sent to DeadLetterConfig's SQS queue. Invalid
 * requests (AWS's validation errors from the target) are not retried.
 */
#ifndef AWSEVENTS_SCHEDULER_H
#define AWSEVENTS_SCHEDULER_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CreateSchedule: request_json is CreateSchedule's request (Name,
 * GroupName, ScheduleExpression, ScheduleExpressionTimezone, StartDate,
 * EndDate, State, FlexibleTimeWindow, Target, ActionAfterCompletion,
 * Description, KmsKeyArn, ClientToken). *response_json (may be NULL)
 * receives {"ScheduleArn": ...}; free it with aev_free(). An existing name
 * in the group fails with ConflictException, a missing group with
 * ResourceNotFoundException. */
AEV_API int aev_scheduler_create_schedule(aev_broker *b, const char *request_json,
                                          char **response_json);

/* UpdateSchedule: the request replaces the schedule's whole configuration
 * (members left out take their defaults), as AWS's does. */
AEV_API int aev_scheduler_update_schedule(aev_broker *b, const char *request_json,
                                          char **response_json);

/* GetSchedule's response object for name in group (NULL: "default"). */
AEV_API int aev_scheduler_get_schedule(aev_broker *b, const char *name,
                                       const char *group, char **json_out);

/* DeleteSchedule. */
AEV_API int aev_scheduler_delete_schedule(aev_broker *b, const char *name,
                                          const char *group);

/* ListSchedules: request_json (may be NULL) holds GroupName, NamePrefix,
 * State, MaxResults (1-100) and NextToken; *json_out receives
 * {"Schedules": [...], "NextToken"?} in name order within each group. */
AEV_API int aev_scheduler_list_schedules(aev_broker *b, const char *request_json,
                                         char **json_out);

/* CreateScheduleGroup: tags_json (may be NULL) is its Tags list
 * ([{"Key":..,"Value":..}]); *arn_out (may be NULL) the group's ARN. */
AEV_API int aev_scheduler_create_group(aev_broker *b, const char *name,
                                       const char *tags_json, char **arn_out);

/* GetScheduleGroup's response object. */
AEV_API int aev_scheduler_get_group(aev_broker *b, const char *name, char **json_out);

/* DeleteScheduleGroup: the group and its schedules go. */
AEV_API int aev_scheduler_delete_group(aev_broker *b, const char *name);

/* ListScheduleGroups: request_json (may be NULL) holds NamePrefix,
 * MaxResults and NextToken. */
AEV_API int aev_scheduler_list_groups(aev_broker *b, const char *request_json,
                                      char **json_out);

#ifdef __cplusplus
}
#endif

#endif
