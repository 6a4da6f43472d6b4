/*
 * libawsevents — topics: Amazon SNS standard and FIFO topics.
 *
 * A topic lives in a broker and fans each published message out to its
 * subscriptions, as SNS does: queues of the same broker (protocol "sqs",
 * endpoint a queue ARN) and application callbacks that stand for http/https
 * endpoints and follow their rules (confirmation, retries with the
 * DeliveryPolicy's healthyRetryPolicy): a subscription's own callback
 * (aev_topic_subscribe_callback), else the broker's endpoint callbacks
 * (aev_endpoint_register in broker.h), which receive SNS's POSTs with its
 * x-amz-sns-* headers and the requestPolicy's Content-Type. Deliveries carry SNS's JSON envelope
 * or, with RawMessageDelivery, the bare message with its attributes.
 * Subscriptions filter with FilterPolicy (FilterPolicyScope MessageAttributes
 * or MessageBody); deliveries that keep failing go to the subscription's
 * RedrivePolicy dead-letter queue.
 *
 * Configuration takes AWS's shapes as JSON text: CreateTopic's Attributes
 * map ({"FifoTopic": "true", ...}), subscription attributes
 * ({"RawMessageDelivery": "true", "FilterPolicy": "{...}"}) and Publish's
 * MessageAttributes ({"n": {"DataType": "String", "StringValue": "v"}},
 * BinaryValue in base64). Errors carry SNS's codes (aev_errcode():
 * InvalidParameter, NotFound, ParameterValueInvalid, ...) and messages.
 *
 * Handles: aev_topic_create()/aev_topic_get() return a counted handle that
 * aev_topic_release() drops; after DeleteTopic it stays valid and calls on
 * it fail with AEV_ERR_NOT_FOUND (NotFound). Subscriptions are named by
 * their ARN. All functions are safe from any thread.
 */
#ifndef AWSEVENTS_TOPIC_H
#define AWSEVENTS_TOPIC_H

#include <stdint.h>

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_topic aev_topic;
typedef struct aev_publish_options aev_publish_options;

/* Buffer sizes, NUL included: a MessageId and a FIFO SequenceNumber. */
#define AEV_TOPIC_MESSAGE_ID_SIZE 37
#define AEV_TOPIC_SEQUENCE_NUMBER_SIZE 41

/* ---- Topics ------------------------------------------------------------ */

/* CreateTopic. attributes_json is AWS's Attributes map or NULL (DisplayName,
 * DeliveryPolicy, Policy, FifoTopic, ContentBasedDeduplication,
 * FifoThroughputScope, MaximumMessageSize up to 1048576, SignatureVersion,
 * KmsMasterKeyId, TracingConfig, and on FIFO topics ArchivePolicy
 * {"MessageRetentionPeriod": "1".."365"}: every message published while it
 * is set is archived for that many days of the broker's clock, at most
 * 64 MiB a topic, oldest dropped first; "" or "{}" turns archiving off and
 * deletes the archive). A FIFO topic needs a name ending in
 * ".fifo" and "FifoTopic": "true". Creating an existing topic returns it
 * when the given attributes agree, else fails with InvalidParameter.
 * *out is a new handle. */
AEV_API int aev_topic_create(aev_broker *b, const char *name,
                             const char *attributes_json, aev_topic **out);

/* Finds a topic by name or ARN; *out is a new handle. NotFound otherwise. */
AEV_API int aev_topic_get(aev_broker *b, const char *name_or_arn,
                          aev_topic **out);

/* Drops a handle. NULL is a no-op. */
AEV_API void aev_topic_release(aev_topic *t);

/* DeleteTopic: the topic and its subscriptions go. A topic with an
 * ArchivePolicy is not deleted (AEV_ERR_STATE, InvalidState) until the
 * policy is removed, as on AWS. */
AEV_API int aev_topic_delete(aev_topic *t);

/* Name and ARN, valid while the handle is held. */
AEV_API const char *aev_topic_name(const aev_topic *t);
AEV_API const char *aev_topic_arn(const aev_topic *t);

/* GetTopicAttributes: *attributes_json is the Attributes map (free with
 * aev_free()). An archiving topic also answers BeginningArchiveTime, the
 * earliest StartingPoint a ReplayPolicy may name. */
AEV_API int aev_topic_get_attributes(aev_topic *t, char **attributes_json);

/* SetTopicAttributes: one attribute by AWS name. */
AEV_API int aev_topic_set_attribute(aev_topic *t, const char *name,
                                    const char *value);

/* TagResource ({"key": "value"}), UntagResource (["key"]) and
 * ListTagsForResource (*tags_json a map; free with aev_free()). */
AEV_API int aev_topic_tag(aev_topic *t, const char *tags_json);
AEV_API int aev_topic_untag(aev_topic *t, const char *keys_json);
AEV_API int aev_topic_list_tags(aev_topic *t, char **tags_json);

/* ListTopics: 100 topics a page. next_token NULL or a previous NextToken;
 * *response_json is {"Topics": [{"TopicArn": ...}], "NextToken": ...}. */
AEV_API int aev_topic_list(aev_broker *b, const char *next_token,
                           char **response_json);

/* A counter of the topic by its CloudWatch metric name:
 * NumberOfMessagesPublished, PublishSize (bytes),
 * NumberOfNotificationsDelivered, NumberOfNotificationsFailed,
 * NumberOfNotificationsFilteredOut and its -MessageAttributes,
 * -MessageBody, -NoMessageAttributes and -InvalidAttributes parts,
 * NumberOfNotificationsRedrivenToDlq, NumberOfNotificationsFailedToRedriveToDlq. */
AEV_API int aev_topic_counter(aev_topic *t, const char *name, int64_t *value);

/* ---- Subscriptions -------------------------------------------------- */

/* Subscribe. protocol "sqs" with a queue ARN of this broker as endpoint
 * (delivered at once, no confirmation). An http/https endpoint is posted to
 * through the broker's endpoint callbacks (aev_endpoint_register), a URL no
 * callback stands for being unreachable; aev_topic_subscribe_callback
 * gives a subscription a callback of its own instead. attributes_json: RawMessageDelivery,
 * FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy, ReplayPolicy, or NULL.
 * Subscribing the same endpoint again returns the same subscription.
 * *subscription_arn (free with aev_free()) is the ARN. */
AEV_API int aev_topic_subscribe(aev_topic *t, const char *protocol,
                                const char *endpoint,
                                const char *attributes_json,
                                char **subscription_arn);

/* An application callback standing for an http/https endpoint: called on
 * the broker's handler pool with no library lock held, once per POST SNS
 * would make. message_type is the x-amz-sns-message-type header
 * ("SubscriptionConfirmation", "Notification", "UnsubscribeConfirmation");
 * body is the POST body (len bytes, NUL-terminated), valid during the call.
 * It returns the HTTP status the endpoint answers: 200..299 is delivered,
 * 400..499 (but 429) is a client error (no retry: the message goes to the
 * dead-letter queue), anything else is retried by the delivery policy. */
typedef int (*aev_topic_callback_fn)(void *user, const char *message_type,
                                     const char *body, size_t len);

/* Subscribe with protocol "http" or "https" and endpoint a URL the callback
 * stands for. The subscription starts PendingConfirmation and the callback
 * receives a SubscriptionConfirmation whose Token confirms it through
 * aev_topic_confirm_subscription() (tokens last 2 days). *subscription_arn
 * is the ARN (not "pending confirmation", as ReturnSubscriptionArn would
 * answer). release(user) runs once after the last call. */
AEV_API int aev_topic_subscribe_callback(aev_topic *t, const char *protocol,
                                         const char *endpoint,
                                         aev_topic_callback_fn fn, void *user,
                                         aev_release_fn release,
                                         const char *attributes_json,
                                         char **subscription_arn);

/* ConfirmSubscription with a token from a SubscriptionConfirmation. */
AEV_API int aev_topic_confirm_subscription(aev_topic *t, const char *token,
                                           char **subscription_arn);

/* Unsubscribe by subscription ARN. As AWS, AEV_OK also when no such
 * subscription exists (any more); AEV_ERR_INVALID when subscription_arn is
 * NULL. */
AEV_API int aev_subscription_unsubscribe(aev_broker *b,
                                         const char *subscription_arn);

/* GetSubscriptionAttributes (*attributes_json, free with aev_free()) and
 * SetSubscriptionAttributes (one attribute; "" removes FilterPolicy,
 * RedrivePolicy, DeliveryPolicy and ReplayPolicy).
 *
 * ReplayPolicy {"PointType": "Timestamp", "StartingPoint": ISO-8601,
 * "EndingPoint": ISO-8601 (optional)} on a subscription to an archiving
 * FIFO topic redelivers the archived messages published from the start
 * (not before the topic's BeginningArchiveTime) to the end, in order, on
 * the broker's scheduler (aev_broker_drain() under workers = 0), each with
 * its original MessageId, Timestamp and content and "Replayed": true in its
 * envelope, through the subscription's filter policy; messages published
 * after the policy was set arrive live after them. ReplayStatus reads
 * "Pending", "In progress", "Completed" or "Failed"; a new policy replaces
 * a replay in progress. With an EndingPoint the subscription receives no
 * new messages once set (AWS: the replay "effectively pauses the
 * subscription") until a policy without one, or "", is set. */
AEV_API int aev_subscription_get_attributes(aev_broker *b,
                                            const char *subscription_arn,
                                            char **attributes_json);
AEV_API int aev_subscription_set_attribute(aev_broker *b,
                                           const char *subscription_arn,
                                           const char *name,
                                           const char *value);

/* ListSubscriptions (t NULL) or ListSubscriptionsByTopic: 100 a page;
 * *response_json is {"Subscriptions": [...], "NextToken": ...}. */
AEV_API int aev_subscription_list(aev_broker *b, aev_topic *t,
                                  const char *next_token,
                                  char **response_json);

/* ---- Publishing ------------------------------------------------------- */

/* Options for one message, all optional. Setters copy their arguments. */
AEV_API int aev_publish_options_new(aev_publish_options **out);
AEV_API void aev_publish_options_free(aev_publish_options *o);
/* Subject: UTF-8 text under 100 characters, no line breaks or control
 * characters. */
AEV_API int aev_publish_options_set_subject(aev_publish_options *o,
                                            const char *subject);
/* MessageAttributes in Publish's shape (String, String.Array, Number,
 * Binary). */
AEV_API int aev_publish_options_set_attributes(aev_publish_options *o,
                                               const char *attributes_json);
/* MessageStructure=json: the message is a JSON object of per-protocol
 * messages with a "default" entry. */
AEV_API int aev_publish_options_set_structure_json(aev_publish_options *o,
                                                   int on);
/* MessageGroupId: required by FIFO topics; on a standard topic optional,
 * and handed only to its SQS standard queues (fair queues). */
AEV_API int aev_publish_options_set_group_id(aev_publish_options *o,
                                             const char *group_id);
AEV_API int aev_publish_options_set_deduplication_id(aev_publish_options *o,
                                                     const char *dedup_id);

/* Publish: message is len bytes of UTF-8 text (other bytes fail with
 * AEV_ERR_INVALID, InvalidParameter). opts may be NULL. message_id
 * (AEV_TOPIC_MESSAGE_ID_SIZE bytes) and sequence_number
 * (AEV_TOPIC_SEQUENCE_NUMBER_SIZE, "" on standard topics) may be NULL.
 * Deliveries to queues happen before it returns on standard topics; FIFO
 * topics and callbacks deliver on the scheduler (run aev_broker_drain()
 * under workers = 0). A FIFO duplicate within 5 minutes succeeds with the
 * first message's id and is not delivered again. */
AEV_API int aev_topic_publish(aev_topic *t, const char *message, size_t len,
                              const aev_publish_options *opts,
                              char *message_id, char *sequence_number);

/* PublishBatch with AWS's PublishBatchRequestEntries array as JSON; per-entry
 * failures come back in *response_json ({"Successful": [...], "Failed":
 * [...]}, free with aev_free()). */
AEV_API int aev_topic_publish_batch(aev_topic *t, const char *entries_json,
                                    char **response_json);

/* The outbox: what SNS would have sent out of AWS, recorded instead, in
 * the order it was sent: SMS (Publish with PhoneNumber, sms
 * subscriptions), email and email-json (their SubscriptionConfirmation
 * and notifications) and mobile push (Publish to an endpoint, application
 * subscriptions). Deliveries run on the broker's scheduler, as the other
 * protocols' do: under workers = 0 they are recorded by aev_broker_drain()
 * or aev_broker_advance().
 *
 * *deliveries_json (free with aev_free()) is {"Deliveries": [...],
 * "Dropped": N}, each delivery an object with Protocol ("sms", "email",
 * "email-json", "application"), Destination (the phone number, address or
 * endpoint ARN), Type ("Notification", "SubscriptionConfirmation", or
 * "SandboxVerification" for an SMS sandbox code), Message (as delivered:
 * email the text, email-json SNS's JSON envelope, application the
 * platform's payload), MessageId, Timestamp (ISO-8601, the broker's
 * clock), and where they apply Subject, MessageAttributes, TopicArn,
 * SubscriptionArn, Token (confirmations), SMSType, SenderID, MaxPrice
 * (SMS) and Platform (push). keep = 0 empties the outbox (and Dropped);
 * keep = 1 leaves it as it is.
 *
 * Memory is bounded: past 10,000 deliveries or 64 MiB of messages the
 * oldest are dropped, and Dropped counts them. */
AEV_API int aev_sns_outbox_read(aev_broker *b, int keep, char **deliveries_json);

/* What a recipient's STOP reply does: phone_number (E.164) opts out of the
 * account's SMS. Until OptInPhoneNumber, CheckIfPhoneNumberIsOptedOut
 * answers true, ListPhoneNumbersOptedOut lists it, and SMS to it are not
 * sent (Publish still answers a MessageId, as AWS does). AEV_ERR_INVALID
 * (InvalidParameter) for a number that is not E.164. */
AEV_API int aev_sns_phone_opt_out(aev_broker *b, const char *phone_number);

/* ---- SMS and mobile push ------------------------------------------------
 *
 * Publish to one phone number or one platform endpoint, and the platform
 * applications and endpoints themselves, as the sns actions of the same
 * names do (aev_call maps them onto these). Their deliveries go to the
 * outbox (aev_sns_outbox_read). Errors are SNS's: InvalidParameter
 * (AEV_ERR_INVALID; also for a NULL argument, the message naming it),
 * NotFound (AEV_ERR_NOT_FOUND), EndpointDisabled and
 * PlatformApplicationDisabled (AEV_ERR_INVALID). */

/* Publish with PhoneNumber: message (len bytes of UTF-8 text) as an SMS
 * to phone_number (E.164: an optional '+', then 2 to 15 digits, the first
 * not 0). opts as aev_topic_publish's, or NULL: its MessageAttributes
 * carry the message's SMS settings as AWS takes them, AWS.SNS.SMS.SMSType
 * ("Promotional" or "Transactional"), AWS.SNS.SMS.SenderID and
 * AWS.SNS.SMS.MaxPrice (String attributes), over SetSMSAttributes'
 * DefaultSMSType (else Promotional) and DefaultSenderID; with
 * structure_json the "sms" entry is sent, else "default"; a Subject is
 * checked and not sent; group and deduplication ids are not used.
 * message_id (AEV_TOPIC_MESSAGE_ID_SIZE bytes) may be NULL. The text
 * reaches the outbox with SMSType, SenderID and MaxPrice when the
 * scheduler runs, unless the number has opted out by then. */
AEV_API int aev_sns_publish_sms(aev_broker *b, const char *phone_number,
                                const char *message, size_t len,
                                const aev_publish_options *opts,
                                char *message_id);

/* Publish with the TargetArn of a platform endpoint: opts and message_id
 * as aev_sns_publish_sms's. With structure_json the entry of the
 * endpoint's platform ("GCM", "APNS", ...) is its payload, else
 * "default". An ARN no endpoint has is InvalidParameter ("No endpoint
 * found for the target arn specified"); a disabled endpoint is
 * EndpointDisabled, an endpoint of a disabled application
 * PlatformApplicationDisabled. */
AEV_API int aev_sns_publish_to_endpoint(aev_broker *b, const char *endpoint_arn,
                                        const char *message, size_t len,
                                        const aev_publish_options *opts,
                                        char *message_id);

/* CreatePlatformApplication: name (1 to 256 letters, digits, '-', '_',
 * '.'), platform (ADM, APNS, APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX,
 * BAIDU, GCM, MACOS, MACOS_SANDBOX, MPNS, WNS) and attributes_json, AWS's
 * Attributes map of strings ("{}" for none; PlatformCredential and
 * PlatformPrincipal are kept and never shown back; Enabled "true" unless
 * given). Creating one again updates the attributes of the one of that
 * name. *application_arn (free with aev_free()) is
 * arn:aws:sns:REGION:ACCOUNT:app/PLATFORM/NAME. */
AEV_API int aev_sns_platform_application_create(aev_broker *b,
                                                const char *name,
                                                const char *platform,
                                                const char *attributes_json,
                                                char **application_arn);

/* Get/SetPlatformApplicationAttributes: *attributes_json (free with
 * aev_free()) is the Attributes map; set merges the given map of strings
 * into it ("Enabled": "true" or "false"). NotFound for an ARN no
 * application has. */
AEV_API int aev_sns_platform_application_get_attributes(aev_broker *b,
                                                        const char *application_arn,
                                                        char **attributes_json);
AEV_API int aev_sns_platform_application_set_attributes(aev_broker *b,
                                                        const char *application_arn,
                                                        const char *attributes_json);

/* DeletePlatformApplication: the application and its endpoints go. AEV_OK
 * also for one that does not exist (any more), as AWS answers. */
AEV_API int aev_sns_platform_application_delete(aev_broker *b,
                                                const char *application_arn);

/* ListPlatformApplications: 100 a page. next_token NULL or a previous
 * NextToken; *response_json (free with aev_free()) is
 * {"PlatformApplications": [{"PlatformApplicationArn", "Attributes"}],
 * "NextToken": ...}. */
AEV_API int aev_sns_platform_application_list(aev_broker *b,
                                              const char *next_token,
                                              char **response_json);

/* CreatePlatformEndpoint: a device token (not empty) of the application;
 * custom_user_data (under 2 KB) and attributes_json (a map of strings,
 * e.g. {"Enabled": "false"}) may be NULL. Idempotent as AWS's: the same
 * token with the same (or no) attributes answers the endpoint that has
 * it; with others, InvalidParameter "Endpoint ARN already exists with the
 * same Token, but different attributes.". NotFound for an application
 * that does not exist. *endpoint_arn (free with aev_free()) is
 * arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/NAME/ID. */
AEV_API int aev_sns_platform_endpoint_create(aev_broker *b,
                                             const char *application_arn,
                                             const char *token,
                                             const char *custom_user_data,
                                             const char *attributes_json,
                                             char **endpoint_arn);

/* Get/SetEndpointAttributes (Token, CustomUserData, Enabled), as the
 * application's; set_enabled sets Enabled alone: a disabled endpoint gets
 * no publishes (EndpointDisabled) and its subscriptions' deliveries are
 * dropped, until it is enabled again. */
AEV_API int aev_sns_platform_endpoint_get_attributes(aev_broker *b,
                                                     const char *endpoint_arn,
                                                     char **attributes_json);
AEV_API int aev_sns_platform_endpoint_set_attributes(aev_broker *b,
                                                     const char *endpoint_arn,
                                                     const char *attributes_json);
AEV_API int aev_sns_platform_endpoint_set_enabled(aev_broker *b,
                                                  const char *endpoint_arn,
                                                  int enabled);

/* DeleteEndpoint: AEV_OK also for one that does not exist (any more). */
AEV_API int aev_sns_platform_endpoint_delete(aev_broker *b,
                                             const char *endpoint_arn);

/* ListEndpointsByPlatformApplication: 100 a page; *response_json (free
 * with aev_free()) is {"Endpoints": [{"EndpointArn", "Attributes"}],
 * "NextToken": ...}. NotFound for an application that does not exist. */
AEV_API int aev_sns_platform_endpoint_list(aev_broker *b,
                                           const char *application_arn,
                                           const char *next_token,
                                           char **response_json);

#ifdef __cplusplus
}
#endif
#endif
