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

#ifdef __cplusplus
}
#endif
#endif
