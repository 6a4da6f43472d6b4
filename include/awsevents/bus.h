/*
 * libawsevents — EventBridge event buses: the default bus and custom buses,
 * rules (event patterns and schedules), targets with Input / InputPath /
 * InputTransformer, retries with a RetryPolicy, dead-letter queues.
 *
 * A bus routes every event it receives through all its enabled rules at
 * once: the rules' patterns live in one pattern set (awsevents/pattern.h),
 * so routing costs about the same with 10 rules as with 10,000. Each
 * matching rule's targets receive the event (or what its input options make
 * of it; the event's detail without the whitespace between its tokens, as
 * AWS sends it), never under the bus's lock: queue targets during the PutEvents
 * call itself (as SNS sends to its queue subscribers), every other target
 * on the broker's scheduler (with workers = 0, during aev_broker_drain() /
 * aev_broker_advance()); retries always run on timers.
 *
 * Configuration takes AWS's own shapes as JSON text: an EventPattern, a
 * ScheduleExpression, PutTargets' Targets list. Errors carry EventBridge's
 * error names (ResourceNotFoundException, ValidationException,
 * LimitExceededException, InvalidEventPatternException, ...) and messages.
 *
 * Target ARNs: SQS queues (arn:aws:sqs:REGION:ACCOUNT:NAME; FIFO queues need
 * SqsParameters.MessageGroupId), SNS topics (arn:aws:sns:...:NAME; FIFO
 * topics likewise), Lambda functions (arn:aws:lambda:...:function:NAME,
 * invoked asynchronously), Kinesis streams (arn:aws:kinesis:...:stream/
 * NAME; KinesisParameters.PartitionKeyPath, else the event id, is the
 * partition key), Firehose delivery streams (arn:aws:firehose:...:
 * deliverystream/NAME), Step Functions state machines (arn:aws:states:...:
 * stateMachine:NAME, StartExecution with the input, the execution named
 * after the event: its id, '_', a uuid) and event buses
 * (arn:aws:events:...:event-bus/NAME) of the same broker, and application
 * callbacks (aev_bus_put_callback_target). Targets of services this library
 * does not have (ECS, Batch, API destinations, ...) are refused by
 * PutTargets with a ValidationException that says so.
 */
#ifndef AWSEVENTS_BUS_H
#define AWSEVENTS_BUS_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_bus aev_bus;

/* AWS's default quota of rules per bus, and the most targets a rule has. */
#define AEV_BUS_DEFAULT_RULE_QUOTA 300
#define AEV_BUS_MAX_TARGETS 5

/* Creates a custom bus (CreateEventBus). Names: 1-256 of [/\.\-_A-Za-z0-9];
 * "default" and existing names fail with ResourceAlreadyExistsException. */
AEV_API int aev_bus_create(aev_broker *b, const char *name, aev_bus **out);

/* CreateEventBus with its optional members, each NULL or "" for none:
 * - description: at most 512 characters;
 * - kms_key_identifier: at most 2048 of [a-zA-Z0-9_\-/:], stored and
 *   answered only: nothing is encrypted in-process;
 * - dead_letter_arn (DeadLetterConfig's Arn): a standard SQS queue's ARN,
 *   stored and answered only: AWS sends there the events it cannot decrypt
 *   with the bus's KMS key, which cannot happen here (rules' targets have
 *   DeadLetterConfigs of their own for failed deliveries).
 * A member that breaks AWS's constraints fails with ValidationException and
 * creates nothing. LogConfig (IncludeDetail NONE|FULL, Level
 * OFF|ERROR|INFO|TRACE) is kept and answered through aev_call(b, "events",
 * "CreateEventBus" / "UpdateEventBus", ...) only: the broker writes no logs.
 * Tags (CreateEventBus's and PutRule's Tags, TagResource,
 * UntagResource, ListTagsForResource) are reached through aev_call(b,
 * "events", ...), by ResourceARN, for buses and rules alike; see below. */
AEV_API int aev_bus_create_with(aev_broker *b, const char *name,
                                const char *description,
                                const char *kms_key_identifier,
                                const char *dead_letter_arn, aev_bus **out);

/* UpdateEventBus, the default bus included: each member that is not NULL
 * replaces the bus's ("" clears it), NULL leaves it as it was; the rules
 * are aev_bus_create_with's. It sets LastModifiedTime. A deleted bus fails
 * with ResourceNotFoundException; a failure changes nothing. *json_out
 * (may be NULL) receives UpdateEventBus's response object; free it with
 * aev_free(). */
AEV_API int aev_bus_update(aev_bus *bus, const char *description,
                           const char *kms_key_identifier,
                           const char *dead_letter_arn, char **json_out);

/* DescribeEventBus's response object: Name, Arn, CreationTime,
 * LastModifiedTime (epoch seconds) and the members that are set
 * (Description, KmsKeyIdentifier, DeadLetterConfig, LogConfig, and Policy
 * once PutPermission made one). Free with aev_free(). */
AEV_API int aev_bus_describe(aev_bus *bus, char **json_out);

/* Tags and permissions, through aev_call(b, "events", ACTION, ...) only:
 * - TagResource / UntagResource / ListTagsForResource by ResourceARN, an
 *   event bus's (arn:aws:events:REGION:ACCOUNT:event-bus/NAME) or a rule's
 *   (...:rule/NAME on the default bus, ...:rule/BUS/NAME on another): the
 *   two kinds EventBridge's API tags; any other ARN is a
 *   ValidationException, one of a bus or rule that does not exist a
 *   ResourceNotFoundException. Keys 1-128 characters, not starting with
 *   aws:, values 0-256 characters, at most 50 tags a resource
 *   (LimitExceededException). CreateEventBus's and PutRule's Tags are kept
 *   the same way (PutRule on an existing rule merges them into its tags).
 *   A failed call changes nothing; tags go with their bus or rule.
 * - PutPermission (Action events:PutEvents, Principal an account id or "*",
 *   StatementId, an optional Condition on aws:PrincipalOrgID, or a whole
 *   Policy document) and RemovePermission (StatementId, or
 *   RemoveAllPermissions) make the bus's resource policy, answered as the
 *   Policy text of DescribeEventBus and ListEventBuses. It is stored and
 *   answered only: a broker is one account, so nothing is enforced. */

/* A handle to a bus by name or ARN. "default" always exists. */
AEV_API int aev_bus_get(aev_broker *b, const char *name_or_arn, aev_bus **out);

/* Drops the handle (the bus itself lives until deleted). NULL is a no-op. */
AEV_API void aev_bus_release(aev_bus *bus);

/* DeleteEventBus: the bus and its rules and targets go. The default bus
 * cannot be deleted (ValidationException). */
AEV_API int aev_bus_delete(aev_bus *bus);

AEV_API const char *aev_bus_name(const aev_bus *bus);
AEV_API const char *aev_bus_arn(const aev_bus *bus);

/* Raises (or lowers) the broker's quota of rules per event bus, as a user
 * asks AWS for a quota increase for the account and region (DESIGN §2):
 * every bus, the default and custom ones, existing and future, may then
 * hold max_rules rules. Brokers start at AEV_BUS_DEFAULT_RULE_QUOTA. A
 * quota below the rules some bus already holds fails with AEV_ERR_LIMIT
 * (LimitExceededException) and changes nothing. */
AEV_API int aev_bus_set_rule_quota(aev_broker *b, int max_rules);

/* PutRule's State values. */
enum {
  AEV_RULE_DISABLED = 0,
  AEV_RULE_ENABLED = 1,
  AEV_RULE_ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS = 2
};

/* PutRule: creates or updates rule name with an EventPattern (JSON text),
 * a ScheduleExpression ("rate(5 minutes)", "cron(0 12 * * ? *)"), or both
 * (either may be NULL, not both); enabled is an AEV_RULE_* state (any
 * other non-zero value is AEV_RULE_ENABLED), which DescribeRule and
 * ListRules report.
 * Schedules run only on the default bus, on the broker clock: the first
 * rate() event comes one period after the rule is created or enabled.
 * *arn_out (may be NULL) receives the rule's ARN; free it with aev_free(). */
AEV_API int aev_bus_put_rule(aev_bus *bus, const char *name,
                             const char *event_pattern,
                             const char *schedule_expression, int enabled,
                             char **arn_out);

/* DescribeRule's response object as JSON text (free with aev_free()). */
AEV_API int aev_bus_describe_rule(aev_bus *bus, const char *name,
                                  char **json_out);

/* DeleteRule. A rule that still has targets fails (ValidationException) as
 * on AWS, unless force is 1. A missing rule is not an error. */
AEV_API int aev_bus_delete_rule(aev_bus *bus, const char *name, int force);

/* EnableRule (enabled = 1) / DisableRule (0). */
AEV_API int aev_bus_enable_rule(aev_bus *bus, const char *name, int enabled);

/* ListRules' response ({"Rules": [...]}) for rules whose name starts with
 * prefix (NULL: all), sorted by name. Free with aev_free(). */
AEV_API int aev_bus_list_rules(aev_bus *bus, const char *prefix,
                               char **json_out);

/* The same one page at a time, as ListRules pages with Limit and NextToken:
 * at most limit rules (1-100; 0: all), from the page next_token names (NULL:
 * the first). When rules remain the response has a "NextToken" to pass to
 * the next call with the same prefix. A token that is not one this call
 * gave fails with ValidationException. Free with aev_free(). */
AEV_API int aev_bus_list_rules_page(aev_bus *bus, const char *prefix,
                                    int limit, const char *next_token,
                                    char **json_out);

/* PutTargets with AWS's Targets list (JSON text). Bad input fails the whole
 * call; *failed_json (may be NULL) receives PutTargets' response object
 * ({"FailedEntryCount": 0, "FailedEntries": []}). Free with aev_free(). */
AEV_API int aev_bus_put_targets(aev_bus *bus, const char *rule,
                                const char *targets_json, char **result_json);

/* RemoveTargets by a JSON list of ids; *result_json as PutTargets'. */
AEV_API int aev_bus_remove_targets(aev_bus *bus, const char *rule,
                                   const char *ids_json, char **result_json);

/* ListTargetsByRule's response ({"Targets": [...]}). */
AEV_API int aev_bus_list_targets(aev_bus *bus, const char *rule,
                                 char **json_out);
/* ListTargetsByRule one page at a time, as aev_bus_list_rules_page. */
AEV_API int aev_bus_list_targets_page(aev_bus *bus, const char *rule,
                                      int limit, const char *next_token,
                                      char **json_out);

/* An application callback target. It receives the target's input (the
 * event, or what Input / InputPath / InputTransformer make of it) and
 * returns 0 when it handled it, anything else to fail the attempt, which is
 * then retried under the target's RetryPolicy and finally sent to its
 * DeadLetterConfig queue. It runs on the handler pool, with no library lock
 * held; input is valid during the call only. */
typedef int (*aev_bus_target_fn)(void *user, const char *input, size_t len);

/* Adds or replaces target target_json (one element of PutTargets' Targets:
 * "Id" plus optional Input, InputPath, InputTransformer, RetryPolicy,
 * DeadLetterConfig; "Arn" is set to
 * arn:aws:events:REGION:ACCOUNT:callback/ID) on rule, calling fn. release
 * (may be NULL) runs once after the last call of fn, when the target is
 * removed or replaced or the bus goes; never when this call fails. */
AEV_API int aev_bus_put_callback_target(aev_bus *bus, const char *rule,
                                        const char *target_json,
                                        aev_bus_target_fn fn, void *user,
                                        aev_release_fn release);

/* PutEvents with AWS's Entries list (JSON text); each entry names its bus
 * in EventBusName (default: "default"). *result_json receives PutEvents'
 * response: {"FailedEntryCount": N, "Entries": [{"EventId": ...} or
 * {"ErrorCode": ..., "ErrorMessage": ...}, ...]} in request order. A
 * request-level problem (no entries, more than 10, over 256 KB) fails the
 * whole call with ValidationException. */
AEV_API int aev_bus_put_events(aev_broker *b, const char *entries_json,
                               char **result_json);

/* The fast path for one event on bus: source, detail_type and detail (a
 * JSON object of detail_len bytes) as in a PutEvents entry, with no
 * resources and the time now. On success id_out (37 bytes, may be NULL)
 * holds the event id. A failure that PutEvents reports per entry
 * (InvalidArgument, MalformedDetail, NotAuthorizedForSourceException) is
 * returned as AEV_ERR_INVALID with that code; so are text that is not
 * UTF-8 (Source, DetailType: InvalidArgument; detail: MalformedDetail) and
 * an entry of 256 KB or more as PutEvents counts it (ValidationException). */
AEV_API int aev_bus_put_event(aev_bus *bus, const char *source,
                              const char *detail_type, const char *detail,
                              size_t detail_len, char *id_out);

/* CreateArchive: bus's events matching event_pattern (NULL: all) are kept
 * for retention_days (0: indefinitely). Archive names are unique per
 * broker. Events a replay brings back are not archived again. *arn_out
 * (may be NULL) receives the archive's ARN. */
AEV_API int aev_bus_create_archive(aev_bus *bus, const char *name,
                                   const char *event_pattern,
                                   int retention_days,
                                   const char *description, char **arn_out);

/* DescribeArchive's / ListArchives' response objects; DeleteArchive. */
AEV_API int aev_bus_describe_archive(aev_broker *b, const char *name,
                                     char **json_out);
AEV_API int aev_bus_list_archives(aev_broker *b, const char *prefix,
                                  char **json_out);
/* ListArchives one page at a time, as aev_bus_list_rules_page. */
AEV_API int aev_bus_list_archives_page(aev_broker *b, const char *prefix,
                                       int limit, const char *next_token,
                                       char **json_out);
AEV_API int aev_bus_delete_archive(aev_broker *b, const char *name);
/* UpdateArchive: replaces what is given of the archive's event_pattern,
 * retention_days and description (NULL, -1 and NULL keep theirs). A
 * shorter retention drops the events now older than it. Errors as
 * CreateArchive's; ResourceNotFoundException for an unknown archive. */
AEV_API int aev_bus_update_archive(aev_broker *b, const char *name,
                                   const char *event_pattern,
                                   int retention_days,
                                   const char *description);

/* StartReplay with AWS's request (ReplayName, EventSourceArn = an archive
 * ARN, EventStartTime / EventEndTime in epoch seconds, Destination {Arn =
 * the archive's bus, optional FilterArns = rule ARNs}); *result_json gets
 * its response. The replay runs on the broker clock: STARTING for a
 * minute, then RUNNING, replaying one minute of event time a second
 * (minutes without events take no time), each event carrying
 * "replay-name" (after "region", as AWS places it); then COMPLETED. At most 10 replays of a broker are active
 * (not yet ended) at once: another fails with LimitExceededException. */
AEV_API int aev_bus_start_replay(aev_broker *b, const char *request_json,
                                 char **result_json);

/* DescribeReplay's / ListReplays' responses (ListReplays: every bus's
 * replays, oldest first); CancelReplay (a replay that is not STARTING or
 * RUNNING fails with IllegalStatusException): it answers CANCELLING, and
 * the replay is CANCELLED at its next step, a second later at the most. */
AEV_API int aev_bus_describe_replay(aev_broker *b, const char *name,
                                    char **json_out);
AEV_API int aev_bus_list_replays(aev_broker *b, const char *prefix,
                                 char **json_out);
/* ListReplays one page at a time, as aev_bus_list_rules_page. */
AEV_API int aev_bus_list_replays_page(aev_broker *b, const char *prefix,
                                      int limit, const char *next_token,
                                      char **json_out);
AEV_API int aev_bus_cancel_replay(aev_broker *b, const char *name,
                                  char **result_json);

/* EventBridge connections and API destinations (an API destination is a
 * rule target: PutTargets with its ARN and HttpParameters). Requests and
 * responses are AWS's shapes for the action of the same name
 * (CreateConnection's {"Name", "AuthorizationType", "AuthParameters", ...});
 * request_json NULL means {}. Failures carry AWS's error names
 * (ValidationException, ResourceNotFoundException,
 * ResourceAlreadyExistsException, LimitExceededException: 3,000 connections
 * and 3,000 API destinations, AWS's default quotas). Free responses with
 * aev_free(); a response pointer may be NULL when not wanted.
 *
 * A BASIC or API_KEY connection is AUTHORIZED at once. An
 * OAUTH_CLIENT_CREDENTIALS one is AUTHORIZING until the broker has asked
 * its AuthorizationEndpoint for a token through the endpoint callbacks
 * (broker.h: a handler-pool task, so it runs at the next drain or advance
 * with workers = 0); a 2xx answer holding a JSON object with an
 * "access_token" makes it AUTHORIZED, anything else DEAUTHORIZED.
 * Secrets (passwords, API key values, client secrets, secret parameter
 * values) are never shown back. */
AEV_API int aev_bus_create_connection(aev_broker *b, const char *request_json,
                                      char **response_json);
AEV_API int aev_bus_update_connection(aev_broker *b, const char *request_json,
                                      char **response_json);
AEV_API int aev_bus_describe_connection(aev_broker *b, const char *name,
                                        char **json_out);
AEV_API int aev_bus_delete_connection(aev_broker *b, const char *name,
                                      char **response_json);
/* Drops the connection's authorization (DEAUTHORIZED): its API
 * destinations' invocations fail until UpdateConnection authorizes it
 * again. */
AEV_API int aev_bus_deauthorize_connection(aev_broker *b, const char *name,
                                           char **response_json);
/* request_json: ListConnections' {NamePrefix, ConnectionState, Limit,
 * NextToken}. */
AEV_API int aev_bus_list_connections(aev_broker *b, const char *request_json,
                                     char **json_out);
AEV_API int aev_bus_create_api_destination(aev_broker *b, const char *request_json,
                                           char **response_json);
AEV_API int aev_bus_update_api_destination(aev_broker *b, const char *request_json,
                                           char **response_json);
AEV_API int aev_bus_describe_api_destination(aev_broker *b, const char *name,
                                             char **json_out);
AEV_API int aev_bus_delete_api_destination(aev_broker *b, const char *name);
/* request_json: ListApiDestinations' {NamePrefix, ConnectionArn, Limit,
 * NextToken}. */
AEV_API int aev_bus_list_api_destinations(aev_broker *b, const char *request_json,
                                          char **json_out);

#ifdef __cplusplus
}
#endif
#endif
