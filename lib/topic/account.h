/* Internal to lib/topic: SNS's account-wide state, kept once per broker (SMS
 * settings and opt-outs, the SMS sandbox, platform applications and their
 * endpoints), and the outbox where the deliveries that would leave AWS
 * (SMS, email, mobile push) are recorded for the test to read. */
#ifndef AEV_TOPIC_ACCOUNT_H
#define AEV_TOPIC_ACCOUNT_H

#include <jansson.h>
#include <pthread.h>

#include "api/api.h"
#include "topic/publish.h"
#include "topic/topic_impl.h"

/* The outbox's bound: past either, the oldest deliveries are dropped (and
 * counted) as new ones come. Bytes count each delivery's message, subject
 * and a fixed share for its other members. */
#define AEV__OUTBOX_MAX_ENTRIES 10000
#define AEV__OUTBOX_MAX_BYTES (64 * 1024 * 1024)

typedef struct aev__sns_account {
  aev__resource res; /* first: the registry's view */
  pthread_mutex_t mu;
  /* guarded by mu */
  json_t *sms_attrs; /* SetSMSAttributes: name -> value */
  json_t *opted_out; /* phone number -> true */
  json_t *sandbox;   /* phone number -> {"Status", "Code"} */
  json_t *apps;      /* application ARN -> {"Platform", "Attributes"} */
  json_t *endpoints; /* endpoint ARN -> {"App", "Attributes"} */
  json_t *outbox;    /* the recorded deliveries, oldest first */
  size_t outbox_bytes;
  json_int_t dropped;
} aev__sns_account;

/* Sets in dst a copy of every member of src (dst guarded by the account's
 * mu): the account's values are never shared with a request or an answer,
 * whose reference counts other threads change without that lock. */
int aev__sns_merge(json_t *dst, json_t *src);

/* One page of a List* action over obj (guarded by the account's mu): up to
 * 100 members in key order after the one token names (NULL: from the
 * first), each made by item (NULL: left out), into *resp as
 * {list_member: [...], token_member: NEXT} with NEXT when more remain. A
 * token is a key in base64, opaque as AWS's are; one that is not answers
 * "Invalid parameter: NextToken". */
int aev__sns_page(json_t *obj, const char *token, json_t *(*item)(const char *k, json_t *v, void *ctx),
                  void *ctx, const char *list_member, const char *token_member, json_t **resp);

/* The broker's account state, made on first use: a new reference, dropped
 * with aev__sns_account_put. */
int aev__sns_account_get(aev_broker *b, aev__sns_account **out);
void aev__sns_account_put(aev__sns_account *a);
/* The account, locked, for an action: aev__sns_account_unlock unlocks and
 * puts it. */
int aev__sns_account_lock(aev_broker *b, aev__sns_account **out);
void aev__sns_account_unlock(aev__sns_account *a);
/* An action's empty answer, {}. */
int aev__sns_empty(json_t **resp);
/* api_sns.c: a typed call's JSON text (taken over) as the response, or as
 * its member key (NULL: the whole response). */
int aev__sns_answer(json_t **resp, const char *key, char *text);

/* outbox.c */
/* One delivery made ready to record (NULL when memory is short; it takes
 * entry over either way), then sent (recorded on the scheduler; posting
 * allocates nothing) or discarded: a subscription makes its confirmation
 * before it is stored, so that a stored one never goes without. */
typedef struct aev__outbox_task aev__outbox_task;
aev__outbox_task *aev__outbox_new(aev_broker *b, json_t *entry);
int aev__outbox_send(aev__outbox_task *r);
void aev__outbox_discard(aev__outbox_task *r);
/* aev__outbox_new and aev__outbox_send at once. Records entry (taken over: Protocol, Destination, Message, ...) on the
 * broker's scheduler, stamped with the clock's time then. An sms entry to
 * a number opted out by then, or an application entry to an endpoint
 * disabled or deleted by then, is dropped: AWS sends neither. */
int aev__outbox_post(aev_broker *b, json_t *entry);
/* A topic's delivery to its sms, email, email-json or application
 * subscription s: the message as the protocol gets it, posted. */
int aev__outbox_deliver(aev_topic *t, const aev__sub *s, aev__note *n);
/* The SubscriptionConfirmation an email or email-json subscription gets,
 * made ready (NULL when memory is short): doc is the confirmation
 * document (Token, SubscribeURL, ...), taken over (NULL: none made). */
aev__outbox_task *aev__outbox_confirmation(aev_topic *t, const aev__sub *s, char *doc);
/* Publish's checks for a message r that goes to one destination (a phone
 * number, an endpoint): Message, Subject, MessageStructure=json (the entry
 * takes the message of key, else "default") and MessageAttributes.
 * *entry: a new Notification to protocol's dest with Message,
 * MessageAttributes and MessageId. */
int aev__outbox_direct(aev_broker *b, const aev__pub_req *r, const char *protocol,
                       const char *dest, const char *key, json_t **entry);

/* sms.c */
/* E.164: a '+' (which AWS lets go), a digit 1-9, at most 15 digits. */
int aev__sms_number_ok(const char *number);
/* Publish's check of its PhoneNumber, before its other members. */
int aev__sms_publish_check(const char *number);
/* Publish of r to a phone number that passed aev__sms_publish_check
 * (aev_sns_publish_sms): the MessageId into id_out
 * (AEV_TOPIC_MESSAGE_ID_SIZE bytes) unless NULL. */
int aev__sms_publish(aev_broker *b, const char *number, const aev__pub_req *r, char *id_out);
/* The SMS type, sender id and maximum price an SMS goes with: the
 * message's AWS.SNS.SMS.* attributes, else the account's defaults. */
int aev__sms_settings(aev_broker *b, json_t *entry);
int aev__sms_set_attributes(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_get_attributes(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_check_opted_out(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_list_opted_out(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_opt_in(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_sandbox_create(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_sandbox_verify(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_sandbox_delete(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_sandbox_list(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_sandbox_status(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__sms_list_origination(aev_broker *, const aev__api_service *, json_t *, json_t **);

/* platform.c */
/* Whether arn names a platform endpoint (arn:...:endpoint/PLATFORM/...). */
int aev__push_is_endpoint(const char *arn);
/* An application subscription's endpoint: an endpoint that exists. */
int aev__push_endpoint_check(aev_broker *b, const char *arn);
/* The platform of an endpoint ARN (GCM, APNS, ...) into out. */
void aev__push_platform(const char *arn, char *out, size_t n);
/* Publish of r to an endpoint (aev_sns_publish_to_endpoint): the
 * MessageId into id_out (AEV_TOPIC_MESSAGE_ID_SIZE bytes) unless NULL. */
int aev__push_publish(aev_broker *b, const char *arn, const aev__pub_req *r, char *id_out);
/* api_push.c: the sns actions on applications and endpoints. */
int aev__push_create_app(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_get_app(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_set_app(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_delete_app(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_list_apps(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_create_endpoint(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_get_endpoint(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_set_endpoint(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_delete_endpoint(aev_broker *, const aev__api_service *, json_t *, json_t **);
int aev__push_list_endpoints(aev_broker *, const aev__api_service *, json_t *, json_t **);

#endif
