/* Topic attributes (CreateTopic's map, Get/SetTopicAttributes) and tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/broker.h"
#include "core/clock.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/tags.h"
#include "core/text.h"
#include "topic/dpp.h"
#include "topic/topic_impl.h"

void aev__tconf_free(aev__tconf *c) {
  free(c->display_name);
  free(c->delivery_policy);
  free(c->policy);
  free(c->kms_key);
  free(c->tracing);
  free(c->archive_policy);
  aev__dpp_unref(c->dpp);
  for (int i = 0; i < AEV__FEEDBACK_N; i++) free(c->feedback[i]);
  memset(c, 0, sizeof *c);
}

/* Delivery status logging: AWS keeps and shows these (recorded:
 * test_delivery_lambda, LambdaSuccessFeedbackRoleArn and
 * LambdaSuccessFeedbackSampleRate); the CloudWatch Logs it writes with
 * them have no counterpart in-process. */
static const char *const feedback_names[AEV__FEEDBACK_N] = {
    "HTTPSuccessFeedbackRoleArn",        "HTTPSuccessFeedbackSampleRate",
    "HTTPFailureFeedbackRoleArn",        "FirehoseSuccessFeedbackRoleArn",
    "FirehoseSuccessFeedbackSampleRate", "FirehoseFailureFeedbackRoleArn",
    "LambdaSuccessFeedbackRoleArn",      "LambdaSuccessFeedbackSampleRate",
    "LambdaFailureFeedbackRoleArn",      "ApplicationSuccessFeedbackRoleArn",
    "ApplicationSuccessFeedbackSampleRate", "ApplicationFailureFeedbackRoleArn",
    "SQSSuccessFeedbackRoleArn",         "SQSSuccessFeedbackSampleRate",
    "SQSFailureFeedbackRoleArn"};

static int feedback_slot(const char *name) {
  for (int i = 0; i < AEV__FEEDBACK_N; i++)
    if (strcmp(name, feedback_names[i]) == 0) return i;
  return -1;
}

static int bool_value(const char *name, const char *v, int *out) {
  if (strcasecmp(v, "true") == 0) *out = 1;
  else if (strcasecmp(v, "false") == 0) *out = 0;
  else
    return aev__sns_invalid("Invalid parameter: %s: Invalid value [%s]. Must "
                            "be true or false.", name, v);
  return AEV_OK;
}

/* An empty value clears the attribute. */
static int set_str(char **field, const char *v) {
  return aev__replace_str(field, v && *v ? v : NULL);
}

/* Applies one attribute to c. creating: CreateTopic (FifoTopic allowed). */
static int apply(aev__tconf *c, const char *name, const char *v, int creating) {
  if (strcmp(name, "DisplayName") == 0) {
    if (strlen(v) > 100)
      return aev__sns_invalid("Invalid parameter: DisplayName Reason: must be "
                              "at most 100 characters long");
    return set_str(&c->display_name, v);
  }
  if (strcmp(name, "DeliveryPolicy") == 0) {
    aev__retry_policy p = aev__retry_http_default;
    int healthy, dis = 0;
    char *stored = NULL;
    if (*v) {
      int rc = aev__delivery_policy_parse(v, 1, "DeliveryPolicy", &p, &healthy, &dis, &stored);
      if (rc != AEV_OK) return rc;
    }
    c->http_retry = p;
    c->disable_overrides = dis;
    free(c->delivery_policy);
    c->delivery_policy = stored;
    return AEV_OK;
  }
  if (strcmp(name, "Policy") == 0) {
    json_t *j = NULL;
    if (*v && aev__json_parse_str(v, 0, &j) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
    int ok = !*v || json_is_object(j);
    json_decref(j);
    if (!ok) return aev__sns_invalid("Invalid parameter: Policy Error: null");
    return set_str(&c->policy, v);
  }
  if (strcmp(name, "KmsMasterKeyId") == 0) return set_str(&c->kms_key, v);
  int slot = feedback_slot(name);
  if (slot >= 0) return set_str(&c->feedback[slot], v);
  if (strcmp(name, "TracingConfig") == 0) {
    if (strcmp(v, "PassThrough") && strcmp(v, "Active"))
      return aev__sns_invalid("Invalid parameter: Attributes Reason: "
                              "TracingConfig: Invalid value [%s]. Must be "
                              "PassThrough or Active.", v);
    return set_str(&c->tracing, v);
  }
  if (strcmp(name, "SignatureVersion") == 0) {
    if (strcmp(v, "1") && strcmp(v, "2"))
      return aev__sns_invalid("Invalid parameter: SignatureVersion: Invalid "
                              "value [%s]. Must be 1 or 2.", v);
    c->signature_version = v[0] - '0';
    return AEV_OK;
  }
  if (strcmp(name, "MaximumMessageSize") == 0) {
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 1024 || n > AEV__SNS_MAX_SIZE_LIMIT)
      return aev__sns_invalid("Invalid parameter: MaximumMessageSize: Invalid "
                              "value [%s]. Must be between 1024 and %d.", v,
                              AEV__SNS_MAX_SIZE_LIMIT);
    c->max_size = (int)n;
    return AEV_OK;
  }
  if (strcmp(name, "FifoTopic") == 0) {
    if (!creating) return aev__sns_invalid("Invalid parameter: AttributeName");
    return bool_value(name, v, &c->fifo);
  }
  if (strcmp(name, "ContentBasedDeduplication") == 0) {
    int on = 0;
    int rc = bool_value(name, v, &on);
    if (rc != AEV_OK) return rc;
    if (!c->fifo)
      return aev__sns_invalid("Invalid parameter: ContentBasedDeduplication "
                              "Reason: Content based deduplication can only "
                              "be set for FIFO topics");
    c->content_dedup = on;
    return AEV_OK;
  }
  if (strcmp(name, "DataProtectionPolicy") == 0) {
    /* SNS message data protection; "" removes the policy. */
    aev__dpp *p;
    int rc = aev__dpp_parse(v, &p);
    if (rc != AEV_OK) return rc;
    aev__dpp_unref(c->dpp);
    c->dpp = p;
    return AEV_OK;
  }
  if (strcmp(name, "ArchivePolicy") == 0) {
    int days;
    char *stored;
    int rc = aev__archive_policy_parse(v, c->fifo, &days, &stored);
    if (rc != AEV_OK) return rc;
    free(c->archive_policy);
    c->archive_policy = stored;
    c->archive_days = days;
    return AEV_OK;
  }
  if (strcmp(name, "FifoThroughputScope") == 0) {
    if (!c->fifo)
      return aev__sns_invalid("Invalid parameter: FifoThroughputScope Reason: "
                              "FifoThroughputScope can only be set for FIFO "
                              "topics");
    if (strcmp(v, "Topic") && strcmp(v, "MessageGroup"))
      return aev__sns_invalid("Invalid parameter: FifoThroughputScope: Invalid "
                              "value [%s]. Must be Topic or MessageGroup.", v);
    c->throughput_group = strcmp(v, "MessageGroup") == 0;
    c->throughput_set = 1;
    return AEV_OK;
  }
  return aev__sns_invalid("Invalid parameter: AttributeName");
}

int aev__tconf_parse(json_t *attrs, int creating, aev__tconf *out) {
  memset(out, 0, sizeof *out);
  out->http_retry = aev__retry_http_default;
  const char *k;
  json_t *v;
  /* FifoTopic first: the FIFO-only attributes depend on it. */
  json_t *fifo = json_object_get(attrs, "FifoTopic");
  int rc = AEV_OK;
  if (fifo) {
    if (!json_is_string(fifo)) rc = aev__sns_invalid("Invalid parameter: FifoTopic");
    else rc = apply(out, "FifoTopic", json_string_value(fifo), creating);
  }
  json_object_foreach(attrs, k, v) {
    if (rc != AEV_OK) break;
    if (strcmp(k, "FifoTopic") == 0) continue;
    if (!json_is_string(v))
      rc = aev__sns_invalid("Invalid parameter: Attributes Reason: %s must be "
                            "a string", k);
    else
      rc = apply(out, k, json_string_value(v), creating);
  }
  if (rc != AEV_OK) aev__tconf_free(out);
  return rc;
}

/* One attribute's value as GetTopicAttributes shows it (new string) or NULL
 * when it is not shown. */
/* An attribute's text as GetTopicAttributes shows it, or NULL when the
 * topic has none. Allocates nothing, so that "none" and "out of memory"
 * cannot be confused: numbers are written into buf, the rest points into
 * c. */
static const char *attr_text(const aev__tconf *c, const char *name, char buf[32]) {
  if (strcmp(name, "DisplayName") == 0) return c->display_name ? c->display_name : "";
  if (strcmp(name, "DeliveryPolicy") == 0) return c->delivery_policy;
  if (strcmp(name, "Policy") == 0) return c->policy;
  if (strcmp(name, "KmsMasterKeyId") == 0) return c->kms_key;
  if (strcmp(name, "TracingConfig") == 0) return c->tracing;
  if (strcmp(name, "ArchivePolicy") == 0) return c->archive_policy;
  if (strcmp(name, "DataProtectionPolicy") == 0) return c->dpp ? c->dpp->text : NULL;
  if (strcmp(name, "FifoTopic") == 0) return c->fifo ? "true" : NULL;
  if (strcmp(name, "ContentBasedDeduplication") == 0)
    return c->fifo ? c->content_dedup ? "true" : "false" : NULL;
  if (strcmp(name, "FifoThroughputScope") == 0)
    return c->fifo ? c->throughput_group ? "MessageGroup" : "Topic" : NULL;
  if (strcmp(name, "SignatureVersion") == 0 && c->signature_version) {
    snprintf(buf, 32, "%d", c->signature_version);
    return buf;
  }
  if (strcmp(name, "MaximumMessageSize") == 0 && c->max_size) {
    snprintf(buf, 32, "%d", c->max_size);
    return buf;
  }
  int slot = feedback_slot(name);
  return slot >= 0 ? c->feedback[slot] : NULL;
}

int aev__tconf_same(const aev__tconf *have, const aev__tconf *want, json_t *given) {
  int same = have->fifo == want->fifo;
  const char *k;
  json_t *v;
  json_object_foreach(given, k, v) {
    if (!same) break;
    char abuf[32], bbuf[32];
    const char *a = attr_text(have, k, abuf), *b = attr_text(want, k, bbuf);
    same = a && b ? strcmp(a, b) == 0 : a == b;
  }
  return same;
}

/* A copy of src with strings of its own, or AEV_ERR_NOMEM (nothing to
 * free then). */
static int tconf_copy(aev__tconf *out, const aev__tconf *src) {
  *out = *src;
  aev__dpp_ref(out->dpp);
  char **text[] = {&out->display_name, &out->delivery_policy, &out->policy, &out->kms_key,
                   &out->tracing, &out->archive_policy};
  int failed = 0;
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (*text[i] && !(*text[i] = strdup(*text[i]))) failed = 1;
  for (int i = 0; i < AEV__FEEDBACK_N; i++)
    if (out->feedback[i] && !(out->feedback[i] = strdup(out->feedback[i]))) failed = 1;
  if (!failed) return AEV_OK;
  aev__tconf_free(out);
  return aev__nomem();
}

static int set_attribute_locked(aev_topic *t, const char *name, const char *value,
                                struct aev__expiry **dropped) {
  /* Applied to a copy so a failure changes nothing. */
  aev__tconf c;
  int rc = tconf_copy(&c, &t->conf);
  if (rc == AEV_OK) rc = apply(&c, name, value, 0);
  if (rc != AEV_OK) {
    aev__tconf_free(&c);
    return rc;
  }
  int was_days = t->conf.archive_days;
  aev__tconf_free(&t->conf);
  t->conf = c;
  t->gen++; /* DeliveryPolicy: http retries; DataProtectionPolicy */
  if (c.archive_days != was_days) *dropped = aev__archive_changed(t, was_days);
  return AEV_OK;
}

char *aev__topic_default_policy(const aev_topic *t) {
  const char *acct = aev_broker_account(t->res.broker);
  char *s = NULL;
  if (asprintf(&s,
               "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\","
               "\"Statement\":[{\"Sid\":\"__default_statement_ID\",\"Effect\":"
               "\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":["
               "\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\","
               "\"SNS:AddPermission\",\"SNS:RemovePermission\","
               "\"SNS:DeleteTopic\",\"SNS:Subscribe\","
               "\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],"
               "\"Resource\":\"%s\",\"Condition\":{\"StringEquals\":{"
               "\"AWS:SourceOwner\":\"%s\"}}}]}",
               t->res.arn, acct) < 0)
    return NULL;
  return s;
}

/* Sets k to the text v when there is one; 1 when memory ran out. */
static int set_text(json_t *o, const char *k, const char *v) {
  return v && json_object_set_new(o, k, json_string(v)) != 0;
}

/* The same for a text the library made, which is always there (NULL: out
 * of memory) and is freed. */
static int set_made(json_t *o, const char *k, char *v) {
  int failed = !v || set_text(o, k, v);
  free(v);
  return failed;
}

static int set_count(json_t *o, const char *k, size_t n) {
  char buf[24];
  snprintf(buf, sizeof buf, "%zu", n);
  return set_text(o, k, buf);
}

/* GetTopicAttributes' map, whole, or NULL when out of memory. */
static json_t *attributes_locked(aev_topic *t) {
  static const char *const shown[] = {
      "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig",
      "FifoTopic", "ContentBasedDeduplication", "FifoThroughputScope",
      "SignatureVersion", "MaximumMessageSize", "ArchivePolicy", "DataProtectionPolicy"};
  json_t *o = json_object();
  if (!o) return NULL;
  const aev__tconf *c = &t->conf;
  int failed = set_text(o, "TopicArn", t->res.arn);
  failed |= set_text(o, "Owner", aev_broker_account(t->res.broker));
  failed |= c->policy ? set_text(o, "Policy", c->policy) : set_made(o, "Policy", aev__topic_default_policy(t));
  for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
    char buf[32];
    /* A FIFO topic's FifoThroughputScope is in effect (Topic) from the
     * start but shown only once set (recorded against AWS:
     * test_create_topic_with_attributes, test_publish_fifo_messages_to_dlq). */
    if (!strcmp(shown[i], "FifoThroughputScope") && !c->throughput_set) continue;
    failed |= set_text(o, shown[i], attr_text(c, shown[i], buf));
  }
  for (int i = 0; i < AEV__FEEDBACK_N; i++) failed |= set_text(o, feedback_names[i], c->feedback[i]);
  if (c->archive_days) {
    /* "The earliest starting point at which a message in the topic's
     * archive can be replayed from" (API reference, GetTopicAttributes). */
    char ts[32];
    aev__iso_ms(aev__archive_beginning(t), ts);
    failed |= set_text(o, "BeginningArchiveTime", ts);
  }
  failed |= set_made(o, "EffectiveDeliveryPolicy",
                     aev__delivery_policy_effective(&c->http_retry, c->disable_overrides,
                                                    c->delivery_policy, NULL, 0));
  size_t pending = 0, confirmed = 0;
  for (size_t i = 0; t->subs && i < t->subs->n; i++) {
    if (t->subs->s[i]->pending) pending++;
    else confirmed++;
  }
  failed |= set_count(o, "SubscriptionsConfirmed", confirmed);
  failed |= set_count(o, "SubscriptionsPending", pending);
  failed |= set_count(o, "SubscriptionsDeleted", t->n_deleted_subs);
  if (!failed) return o;
  json_decref(o);
  return NULL;
}

int aev_topic_get_attributes(aev_topic *t, char **attributes_json) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&t->mu);
  json_t *o = attributes_locked(t);
  pthread_mutex_unlock(&t->mu);
  char *s = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!s) return aev__nomem();
  *attributes_json = s;
  return AEV_OK;
}

int aev_topic_set_attribute(aev_topic *t, const char *name, const char *value) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  if (!name) return aev__sns_missing("AttributeName");
  struct aev__expiry *dropped = NULL;
  pthread_mutex_lock(&t->mu);
  rc = set_attribute_locked(t, name, value ? value : "", &dropped);
  pthread_mutex_unlock(&t->mu);
  aev__archive_done(dropped);
  return rc;
}

/* ---- tags: at most 50 a resource, keys 1..128, values 0..256 ---- */

int aev_topic_tag(aev_topic *t, const char *tags_json) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  json_t *tags;
  if (aev__json_parse_str(tags_json, 0, &tags) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_object(tags)) {
    json_decref(tags);
    return aev__sns_missing("Tags");
  }
  const char *k;
  json_t *v;
  json_object_foreach(tags, k, v) {
    /* The API's length constraints count characters, not UTF-8 bytes. */
    if (!aev__tag_fits(k, v)) {
      json_decref(tags);
      return aev__sns_invalid("Invalid parameter: Tags Reason: keys must be 1 "
                              "to 128 characters and values at most 256");
    }
  }
  json_t *merged = NULL;
  pthread_mutex_lock(&t->mu);
  rc = aev__tags_merged(t->tags, tags, AEV__TAGS_MAX, &merged);
  if (rc == AEV_OK) {
    json_decref(t->tags);
    t->tags = merged;
  }
  pthread_mutex_unlock(&t->mu);
  json_decref(tags);
  if (rc == AEV_ERR_LIMIT)
    return aev__fail(AEV_ERR_LIMIT, "TagLimitExceeded",
                     "Could not complete request: tag quota of per resource exceeded");
  return rc ? aev__nomem() : AEV_OK;
}

int aev__topic_has_tags(aev_topic *t, json_t *tags) {
  const char *k;
  json_t *v;
  int has = 1;
  pthread_mutex_lock(&t->mu);
  json_object_foreach(tags, k, v) has = has && json_equal(json_object_get(t->tags, k), v);
  pthread_mutex_unlock(&t->mu);
  return has;
}

int aev_topic_untag(aev_topic *t, const char *keys_json) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  json_t *keys;
  if (aev__json_parse_str(keys_json, 0, &keys) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_array(keys)) {
    json_decref(keys);
    return aev__sns_missing("TagKeys");
  }
  size_t i;
  json_t *k;
  pthread_mutex_lock(&t->mu);
  json_array_foreach(keys, i, k)
    if (json_is_string(k)) json_object_del(t->tags, json_string_value(k));
  pthread_mutex_unlock(&t->mu);
  json_decref(keys);
  return AEV_OK;
}

int aev_topic_list_tags(aev_topic *t, char **tags_json) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&t->mu);
  char *s = aev__json_dumps(t->tags, JSON_COMPACT | JSON_SORT_KEYS);
  pthread_mutex_unlock(&t->mu);
  if (!s) return aev__nomem();
  *tags_json = s;
  return AEV_OK;
}
