/* The "sns" service of aev_call(): SNS's actions with the member names of
 * its API reference and the response shapes boto3 hands its users, each a
 * thin mapping onto the typed topic API. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "topic/account.h"
#include "topic/publish.h"

static int topic_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                    const char *member, aev_topic **out) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, member, &arn);
  if (rc == AEV_OK) rc = aev__sns_arn_check(member, arn);
  /* Only the topic members are recorded refusing another region. */
  if (rc == AEV_OK && strcmp(member, "ResourceArn")) rc = aev__sns_region_check(b, member, arn);
  return rc != AEV_OK ? rc : aev__topic_find(b, arn, out);
}

int aev__sns_answer(json_t **resp, const char *key, char *text) {
  json_t *v;
  int rc = aev__json_parse_str(text, 0, &v);
  free(text);
  if (rc != AEV_OK) return rc;
  *resp = key ? json_pack("{s:o}", key, v) : v;
  return *resp ? AEV_OK : aev__nomem();
}

/* [{"Key": k, "Value": v}] -> {"k": "v"} (a new reference in *out). */
static int tags_map(const aev__api_service *svc, json_t *req, json_t **out) {
  json_t *list;
  *out = NULL;
  int rc = aev__api_req_array(svc, req, "Tags", &list);
  if (rc != AEV_OK) return rc;
  json_t *m = json_object(), *e;
  int failed = !m;
  size_t i;
  json_array_foreach(list, i, e) {
    const char *k = json_string_value(json_object_get(e, "Key"));
    const char *v = json_string_value(json_object_get(e, "Value"));
    if (!k || !v || json_object_get(m, k)) {
      json_decref(m);
      /* A key twice (recorded against AWS: test_tags, duplicate-key-error). */
      return aev__sns_invalid(k && v ? "Invalid parameter: Duplicated keys are not allowed."
                                     : "Invalid parameter: Tags Reason: each tag needs a Key and a Value");
    }
    failed |= json_object_set_new(m, k, json_string(v));
  }
  if (failed) {
    json_decref(m);
    return aev__nomem();
  }
  *out = m;
  return AEV_OK;
}

/* tags (from tags_map()) put on t. */
static int tag(aev_topic *t, json_t *tags) {
  char *text = aev__json_dumps(tags, JSON_COMPACT);
  int rc = text ? aev_topic_tag(t, text) : aev__nomem();
  free(text);
  return rc;
}

static int create_topic(aev_broker *b, const aev__api_service *svc, json_t *req,
                        json_t **resp) {
  const char *name, *dpp = NULL;
  json_t *attrs = NULL;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Attributes", &attrs);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "DataProtectionPolicy", &dpp);
  if (rc != AEV_OK) return rc;
  /* CreateTopic's DataProtectionPolicy member is the topic attribute of
   * that name. */
  json_t *all = dpp ? attrs ? json_copy(attrs) : json_object() : json_incref(attrs);
  if (dpp && (!all || json_object_set_new(all, "DataProtectionPolicy", json_string(dpp)))) {
    json_decref(all);
    return aev__nomem();
  }
  char *text = all ? aev__json_dumps(all, JSON_COMPACT) : NULL;
  json_decref(all);
  json_t *tags = NULL;
  if (aev__api_has(req, "Tags")) rc = tags_map(svc, req, &tags);
  aev_topic *t = NULL;
  /* Creating a topic again answers it, unless the call names a tag the
   * topic does not have with that value (recorded against AWS:
   * test_create_duplicate_topic_with_more_tags). */
  if (rc == AEV_OK && tags && aev__topic_find(b, name, &t) == AEV_OK) {
    if (!aev__topic_has_tags(t, tags))
      rc = aev__sns_invalid("Invalid parameter: Tags Reason: Topic already exists with different tags");
    aev_topic_release(t);
    t = NULL;
  }
  if (rc == AEV_OK) rc = aev_topic_create(b, name, text, &t);
  if (rc == AEV_OK && tags) rc = tag(t, tags);
  if (rc == AEV_OK) *resp = json_pack("{s:s}", "TopicArn", aev_topic_arn(t));
  aev_topic_release(t);
  free(text);
  json_decref(tags);
  return rc;
}

static int delete_topic(aev_broker *b, const aev__api_service *svc, json_t *req,
                        json_t **resp) {
  aev_topic *t;
  int rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc == AEV_OK) {
    rc = aev_topic_delete(t);
    aev_topic_release(t);
  }
  /* AWS deletes idempotently: a topic that is not there (never was, or
   * already deleted) answers as a deleted one does. */
  if (rc == AEV_ERR_NOT_FOUND) rc = AEV_OK;
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int get_topic_attributes(aev_broker *b, const aev__api_service *svc,
                                json_t *req, json_t **resp) {
  aev_topic *t;
  int rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  char *text;
  rc = aev_topic_get_attributes(t, &text);
  aev_topic_release(t);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, "Attributes", text);
}

static int set_topic_attributes(aev_broker *b, const aev__api_service *svc,
                                json_t *req, json_t **resp) {
  const char *name, *value = "";
  aev_topic *t;
  int rc = aev__api_req_string(svc, req, "AttributeName", &name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "AttributeValue", &value);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  rc = aev_topic_set_attribute(t, name, value);
  aev_topic_release(t);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

/* PutDataProtectionPolicy and GetDataProtectionPolicy: the topic's
 * DataProtectionPolicy attribute by its ARN. */
static int put_data_protection_policy(aev_broker *b, const aev__api_service *svc, json_t *req,
                                      json_t **resp) {
  const char *policy;
  aev_topic *t;
  int rc = aev__api_req_string(svc, req, "DataProtectionPolicy", &policy);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "ResourceArn", &t);
  if (rc != AEV_OK) return rc;
  rc = aev_topic_set_attribute(t, "DataProtectionPolicy", policy);
  aev_topic_release(t);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int get_data_protection_policy(aev_broker *b, const aev__api_service *svc, json_t *req,
                                      json_t **resp) {
  aev_topic *t;
  int rc = topic_of(b, svc, req, "ResourceArn", &t);
  if (rc != AEV_OK) return rc;
  char *text;
  rc = aev_topic_get_attributes(t, &text);
  aev_topic_release(t);
  json_t *attrs;
  if (rc == AEV_OK) rc = aev__sns_answer(&attrs, NULL, text);
  if (rc != AEV_OK) return rc;
  /* A topic without a policy answers an empty one (our choice). */
  json_t *policy = json_object_get(attrs, "DataProtectionPolicy");
  *resp = json_pack("{s:s}", "DataProtectionPolicy", policy ? json_string_value(policy) : "");
  json_decref(attrs);
  return *resp ? AEV_OK : aev__nomem();
}

static int add_permission(aev_broker *b, const aev__api_service *svc, json_t *req,
                          json_t **resp) {
  const char *label;
  json_t *accounts, *actions;
  aev_topic *t;
  int rc = aev__api_req_string(svc, req, "Label", &label);
  if (rc == AEV_OK) rc = aev__api_req_strings(svc, req, "AWSAccountId", &accounts);
  if (rc == AEV_OK) rc = aev__api_req_strings(svc, req, "ActionName", &actions);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  rc = aev__topic_add_permission(t, label, accounts, actions);
  aev_topic_release(t);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int remove_permission(aev_broker *b, const aev__api_service *svc, json_t *req,
                             json_t **resp) {
  const char *label;
  aev_topic *t;
  int rc = aev__api_req_string(svc, req, "Label", &label);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  rc = aev__topic_remove_permission(t, label);
  aev_topic_release(t);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int list_topics(aev_broker *b, const aev__api_service *svc, json_t *req,
                       json_t **resp) {
  const char *token = NULL;
  int rc = aev__api_opt_string(svc, req, "NextToken", &token);
  char *text;
  if (rc == AEV_OK) rc = aev_topic_list(b, token, &text);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, NULL, text);
}

static int tag_resource(aev_broker *b, const aev__api_service *svc, json_t *req,
                        json_t **resp) {
  aev_topic *t;
  json_t *tags = NULL;
  int rc = tags_map(svc, req, &tags);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "ResourceArn", &t);
  if (rc == AEV_OK) {
    rc = tag(t, tags);
    aev_topic_release(t);
  }
  json_decref(tags);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int untag_resource(aev_broker *b, const aev__api_service *svc, json_t *req,
                          json_t **resp) {
  aev_topic *t;
  json_t *keys;
  int rc = aev__api_req_array(svc, req, "TagKeys", &keys);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "ResourceArn", &t);
  if (rc != AEV_OK) return rc;
  char *text = aev__json_dumps(keys, JSON_COMPACT);
  rc = text ? aev_topic_untag(t, text) : aev__nomem();
  free(text);
  aev_topic_release(t);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int list_tags(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp) {
  aev_topic *t;
  int rc = topic_of(b, svc, req, "ResourceArn", &t);
  if (rc != AEV_OK) return rc;
  char *text;
  rc = aev_topic_list_tags(t, &text);
  aev_topic_release(t);
  if (rc != AEV_OK) return rc;
  json_t *m;
  rc = aev__json_parse_str(text, 0, &m);
  free(text);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array(), *v;
  int failed = !list;
  const char *k;
  json_object_foreach(m, k, v) {
    if (failed) break;
    failed = json_array_append_new(list, json_pack("{s:s,s:O}", "Key", k, "Value", v)) != 0;
  }
  json_decref(m);
  if (failed) {
    json_decref(list);
    return aev__nomem();
  }
  *resp = json_pack("{s:o}", "Tags", list);
  return *resp ? AEV_OK : aev__nomem();
}

static int subscribe(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp) {
  const char *protocol, *endpoint = NULL;
  json_t *attrs = NULL;
  int return_arn = 0;
  aev_topic *t;
  int rc = aev__api_req_string(svc, req, "Protocol", &protocol);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Endpoint", &endpoint);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Attributes", &attrs);
  if (rc == AEV_OK) rc = aev__api_opt_bool(svc, req, "ReturnSubscriptionArn", &return_arn);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  char *text = attrs ? aev__json_dumps(attrs, JSON_COMPACT) : NULL, *arn = NULL;
  rc = aev_topic_subscribe(t, protocol, endpoint, text, &arn);
  free(text);
  aev_topic_release(t);
  if (rc != AEV_OK) return rc;
  /* Subscriptions that wait for confirmation answer "pending confirmation"
   * unless ReturnSubscriptionArn asks for the ARN. */
  int pending = !strcmp(protocol, "http") || !strcmp(protocol, "https") ||
                !strcmp(protocol, "email") || !strcmp(protocol, "email-json");
  *resp = json_pack("{s:s}", "SubscriptionArn",
                    pending && !return_arn ? "pending confirmation" : arn);
  aev_free(arn);
  return *resp ? AEV_OK : aev__nomem();
}

static int confirm_subscription(aev_broker *b, const aev__api_service *svc,
                                json_t *req, json_t **resp) {
  const char *token;
  aev_topic *t;
  int rc = aev__api_req_string(svc, req, "Token", &token);
  if (rc == AEV_OK) rc = aev__sns_token_check(token);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc == AEV_ERR_NOT_FOUND) rc = aev__sns_invalid("Invalid parameter: Token");
  if (rc != AEV_OK) return rc;
  char *arn;
  rc = aev_topic_confirm_subscription(t, token, &arn);
  aev_topic_release(t);
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{s:s}", "SubscriptionArn", arn);
  aev_free(arn);
  return AEV_OK;
}

static int unsubscribe(aev_broker *b, const aev__api_service *svc, json_t *req,
                       json_t **resp) {
  const char *arn = NULL;
  int rc = aev__api_opt_string(svc, req, "SubscriptionArn", &arn);
  if (rc == AEV_OK) rc = aev_subscription_unsubscribe(b, arn);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int get_subscription_attributes(aev_broker *b, const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  const char *arn;
  char *text;
  int rc = aev__api_req_string(svc, req, "SubscriptionArn", &arn);
  if (rc == AEV_OK) rc = aev_subscription_get_attributes(b, arn, &text);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, "Attributes", text);
}

static int set_subscription_attributes(aev_broker *b, const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  const char *arn, *name, *value = "";
  int rc = aev__api_req_string(svc, req, "SubscriptionArn", &arn);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "AttributeName", &name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "AttributeValue", &value);
  if (rc == AEV_OK) rc = aev_subscription_set_attribute(b, arn, name, value);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int list_subscriptions(aev_broker *b, const aev__api_service *svc,
                              json_t *req, json_t **resp) {
  const char *token = NULL;
  char *text;
  int rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev_subscription_list(b, NULL, token, &text);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, NULL, text);
}

static int list_subscriptions_by_topic(aev_broker *b, const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  const char *token = NULL;
  char *text;
  aev_topic *t;
  int rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  rc = aev_subscription_list(b, t, token, &text);
  aev_topic_release(t);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, NULL, text);
}

/* Whether Publish's TargetArn names a platform application endpoint
 * (arn:aws:sns:region:account:endpoint/...), which gets the message in
 * the outbox instead of a topic. */
static int is_endpoint(json_t *req) {
  const char *arn = json_string_value(json_object_get(req, "TargetArn"));
  return arn && aev__push_is_endpoint(arn);
}

static int publish(aev_broker *b, const aev__api_service *svc, json_t *req,
                   json_t **resp) {
  aev__pub_req r = {.where = "messageAttributes"};
  const char *structure = NULL, *number = NULL;
  aev_topic *t;
  const char *member = aev__api_has(req, "TopicArn") ? "TopicArn" : "TargetArn";
  /* A phone number or an endpoint gets the message in the outbox. */
  int to_number = aev__api_has(req, "PhoneNumber");
  int to_endpoint = !to_number && !aev__api_has(req, "TopicArn") && is_endpoint(req);
  int rc = to_number ? aev__api_req_string(svc, req, "PhoneNumber", &number) : AEV_OK;
  if (rc == AEV_OK && to_number) rc = aev__sms_publish_check(number);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Message", &r.message);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Subject", &r.subject);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "MessageStructure", &structure);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "MessageGroupId", &r.group);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "MessageDeduplicationId", &r.dedup);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "MessageAttributes", &r.attrs);
  if (rc == AEV_OK && structure && strcmp(structure, "json"))
    rc = aev__sns_invalid("Invalid parameter: MessageStructure");
  if (rc != AEV_OK) return rc;
  r.len = strlen(r.message);
  r.structure_json = structure != NULL;
  char id[AEV_TOPIC_MESSAGE_ID_SIZE], seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE] = "";
  if (to_number) rc = aev__sms_publish(b, number, &r, id);
  else if (to_endpoint)
    rc = aev__push_publish(b, json_string_value(json_object_get(req, "TargetArn")), &r, id);
  else {
    if (!aev__api_has(req, "TopicArn") && !aev__api_has(req, "TargetArn"))
      rc = aev__sns_invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
    if (rc == AEV_OK) rc = topic_of(b, svc, req, member, &t);
    if (rc != AEV_OK) return rc;
    rc = aev__topic_publish_req(t, &r, id, seq);
    aev_topic_release(t);
  }
  if (rc != AEV_OK) return rc;
  /* Whole or not at all: a FIFO publish answers its SequenceNumber. */
  *resp = seq[0] ? json_pack("{s:s,s:s}", "MessageId", id, "SequenceNumber", seq)
                 : json_pack("{s:s}", "MessageId", id);
  return *resp ? AEV_OK : aev__nomem();
}

static int publish_batch(aev_broker *b, const aev__api_service *svc, json_t *req,
                         json_t **resp) {
  json_t *entries;
  aev_topic *t;
  int rc = aev__api_req_array(svc, req, "PublishBatchRequestEntries", &entries);
  if (rc == AEV_OK) rc = topic_of(b, svc, req, "TopicArn", &t);
  if (rc != AEV_OK) return rc;
  rc = aev__topic_publish_batch(t, entries, resp);
  aev_topic_release(t);
  return rc;
}

static const aev__api_action actions[] = {
    {"AddPermission", add_permission},
    {"CheckIfPhoneNumberIsOptedOut", aev__sms_check_opted_out},
    {"ConfirmSubscription", confirm_subscription},
    {"CreatePlatformApplication", aev__push_create_app},
    {"CreatePlatformEndpoint", aev__push_create_endpoint},
    {"CreateSMSSandboxPhoneNumber", aev__sms_sandbox_create},
    {"CreateTopic", create_topic},
    {"DeleteEndpoint", aev__push_delete_endpoint},
    {"DeletePlatformApplication", aev__push_delete_app},
    {"DeleteSMSSandboxPhoneNumber", aev__sms_sandbox_delete},
    {"DeleteTopic", delete_topic},
    {"GetDataProtectionPolicy", get_data_protection_policy},
    {"GetEndpointAttributes", aev__push_get_endpoint},
    {"GetPlatformApplicationAttributes", aev__push_get_app},
    {"GetSMSAttributes", aev__sms_get_attributes},
    {"GetSMSSandboxAccountStatus", aev__sms_sandbox_status},
    {"GetSubscriptionAttributes", get_subscription_attributes},
    {"GetTopicAttributes", get_topic_attributes},
    {"ListEndpointsByPlatformApplication", aev__push_list_endpoints},
    {"ListOriginationNumbers", aev__sms_list_origination},
    {"ListPhoneNumbersOptedOut", aev__sms_list_opted_out},
    {"ListPlatformApplications", aev__push_list_apps},
    {"ListSMSSandboxPhoneNumbers", aev__sms_sandbox_list},
    {"ListSubscriptions", list_subscriptions},
    {"ListSubscriptionsByTopic", list_subscriptions_by_topic},
    {"ListTagsForResource", list_tags},
    {"ListTopics", list_topics},
    {"OptInPhoneNumber", aev__sms_opt_in},
    {"Publish", publish},
    {"PublishBatch", publish_batch},
    {"PutDataProtectionPolicy", put_data_protection_policy},
    {"RemovePermission", remove_permission},
    {"SetEndpointAttributes", aev__push_set_endpoint},
    {"SetPlatformApplicationAttributes", aev__push_set_app},
    {"SetSMSAttributes", aev__sms_set_attributes},
    {"SetSubscriptionAttributes", set_subscription_attributes},
    {"SetTopicAttributes", set_topic_attributes},
    {"Subscribe", subscribe},
    {"TagResource", tag_resource},
    {"Unsubscribe", unsubscribe},
    {"UntagResource", untag_resource},
    {"VerifySMSSandboxPhoneNumber", aev__sms_sandbox_verify},
};

const aev__api_service aev__api_sns = {
    .name = "sns",
    .missing_code = "InvalidParameter",
    .invalid_code = "InvalidParameter",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_QUERY,
};
