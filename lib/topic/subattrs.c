/* Subscription attributes: RawMessageDelivery, FilterPolicy and
 * FilterPolicyScope (compiled with the pattern engine's SNS profiles),
 * RedrivePolicy, DeliveryPolicy and SubscriptionRoleArn, checked with SNS's
 * messages, and the GetSubscriptionAttributes map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/policy_doc.h"
#include "core/status.h"
#include "topic/topic_impl.h"

void aev__subconf_unref(aev__subconf *c) {
  if (!c || --c->refs > 0) return;
  aev_pattern_free(c->filter);
  free(c->filter_text);
  free(c->redrive);
  free(c->dlq_arn);
  free(c->delivery);
  free(c->role_arn);
  free(c->replay);
  free(c);
}

/* SNS reports JSON syntax errors in its parser's (Jackson's) words; the
 * common case of an unquoted field name is reproduced, others are
 * summarised. */
static int json_error(const char *prefix, const char *attr, const char *text) {
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  if (*p == '{') {
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p && *p != '"' && *p != '}')
      return aev__sns_invalid("Invalid parameter: %s%s: failed to parse JSON. "
                              "Unexpected character ('%c' (code %d)): was "
                              "expecting double-quote to start field name",
                              prefix, attr, *p, (int)(unsigned char)*p);
  }
  return aev__sns_invalid("Invalid parameter: %s%s: failed to parse JSON.",
                          prefix, attr);
}

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

static aev__subconf *copy(const aev__subconf *old) {
  aev__subconf *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->refs = 1;
  c->replay_end = INT64_MAX;
  if (!old) return c;
  c->raw = old->raw;
  c->scope_body = old->scope_body;
  c->scope_set = old->scope_set;
  c->filter_text = dup0(old->filter_text);
  c->redrive = dup0(old->redrive);
  c->dlq_arn = dup0(old->dlq_arn);
  c->delivery = dup0(old->delivery);
  c->role_arn = dup0(old->role_arn);
  c->retry = old->retry;
  c->retry_set = old->retry_set;
  /* The policy stays; only a build given one starts a replay. */
  c->replay = dup0(old->replay);
  c->replay_start = old->replay_start;
  c->replay_end = old->replay_end;
  if ((old->filter_text && !c->filter_text) || (old->redrive && !c->redrive) ||
      (old->dlq_arn && !c->dlq_arn) || (old->delivery && !c->delivery) ||
      (old->role_arn && !c->role_arn) || (old->replay && !c->replay)) {
    aev__subconf_unref(c);
    return NULL;
  }
  return c;
}

/* Compiles the filter text for the scope; a pattern error is reworded with
 * the caller's prefix ("Attributes Reason: " for Subscribe). */
static int compile(aev__subconf *c, const char *prefix) {
  aev_pattern_free(c->filter);
  c->filter = NULL;
  if (!c->filter_text) return AEV_OK;
  json_t *j;
  if (aev__json_parse_str(c->filter_text, 0, &j) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int ok = json_is_object(j);
  json_decref(j);
  if (!ok) return json_error(prefix, "FilterPolicy", c->filter_text);
  int rc = aev_pattern_compile_profile(
      c->filter_text, strlen(c->filter_text),
      c->scope_body ? AEV_PATTERN_SNS_BODY : AEV_PATTERN_SNS_ATTRIBUTES,
      &c->filter);
  if (rc == AEV_ERR_INVALID && *prefix) {
    const char *m = aev_errmsg();
    const char *tail = strncmp(m, "Invalid parameter: ", 19) == 0 ? m + 19 : m;
    char *copy_ = strdup(tail);
    rc = aev__sns_invalid("Invalid parameter: %s%s", prefix, copy_ ? copy_ : "");
    free(copy_);
  }
  return rc;
}

static int is_sqs_arn(const char *s) {
  int colons = 0;
  for (const char *p = s; *p; p++) colons += *p == ':';
  return strncmp(s, "arn:aws", 7) == 0 && strstr(s, ":sqs:") && colons == 5 &&
         s[strlen(s) - 1] != ':';
}

static int ends_fifo(const char *s) {
  size_t n = strlen(s);
  return n > 5 && strcmp(s + n - 5, ".fifo") == 0;
}

static int set_redrive(aev_topic *t, const aev__sub *s, aev__subconf *c,
                       const char *prefix, const char *v) {
  free(c->redrive);
  free(c->dlq_arn);
  c->redrive = c->dlq_arn = NULL;
  if (!*v) return AEV_OK;
  json_t *j;
  if (aev__json_parse_str(v, 0, &j) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_object(j)) {
    json_decref(j);
    return json_error(prefix, "RedrivePolicy", v);
  }
  const char *arn = json_string_value(json_object_get(j, "deadLetterTargetArn"));
  int rc = AEV_OK;
  if (!arn)
    rc = aev__sns_invalid("Invalid parameter: %sRedrivePolicy: "
                          "deadLetterTargetArn is missing", prefix);
  else if (!is_sqs_arn(arn))
    rc = aev__sns_invalid("Invalid parameter: %sRedrivePolicy: "
                          "deadLetterTargetArn is an invalid arn", prefix);
  else if (t->conf.fifo && ends_fifo(s->endpoint) && !ends_fifo(arn))
    rc = aev__sns_invalid("Invalid parameter: %sRedrivePolicy: must use a FIFO "
                          "queue as DLQ for a FIFO Subscription to a FIFO "
                          "Topic.", prefix);
  else if (!t->conf.fifo && ends_fifo(arn))
    rc = aev__sns_invalid("Invalid parameter: %sRedrivePolicy: must use a "
                          "standard queue as DLQ for a subscription to a "
                          "standard topic.", prefix);
  if (rc == AEV_OK) {
    c->redrive = strdup(v);
    c->dlq_arn = strdup(arn);
    if (!c->redrive || !c->dlq_arn) rc = aev__nomem();
  }
  json_decref(j);
  return rc;
}

static int apply(aev_topic *t, const aev__sub *s, aev__subconf *c,
                 const char *prefix, const char *name, const char *v) {
  if (strcmp(name, "RawMessageDelivery") == 0) {
    if (strcasecmp(v, "true") && strcasecmp(v, "false"))
      return aev__sns_invalid("Invalid parameter: %sRawMessageDelivery: "
                              "Invalid value [%s]. Must be true or false.",
                              prefix, v);
    if (s->proto == AEV__PROTO_LAMBDA)
      return aev__sns_invalid("Invalid parameter: %sDelivery protocol [lambda] "
                              "does not support raw message delivery.", prefix);
    c->raw = strcasecmp(v, "true") == 0;
    return AEV_OK;
  }
  if (strcmp(name, "FilterPolicyScope") == 0) {
    if (strcmp(v, "MessageAttributes") && strcmp(v, "MessageBody"))
      return aev__sns_invalid("Invalid parameter: %sFilterPolicyScope: Invalid "
                              "value [%s]. Please use either MessageBody or "
                              "MessageAttributes", prefix, v);
    c->scope_body = strcmp(v, "MessageBody") == 0;
    c->scope_set = 1;
    return compile(c, prefix);
  }
  if (strcmp(name, "FilterPolicy") == 0) {
    free(c->filter_text);
    c->filter_text = *v ? strdup(v) : NULL;
    if (*v && !c->filter_text) return aev__nomem();
    return compile(c, prefix);
  }
  if (strcmp(name, "RedrivePolicy") == 0) return set_redrive(t, s, c, prefix, v);
  if (strcmp(name, "DeliveryPolicy") == 0) {
    free(c->delivery);
    c->delivery = NULL;
    c->retry_set = 0;
    if (!*v) return AEV_OK;
    if (s->proto != AEV__PROTO_HTTP && s->proto != AEV__PROTO_HTTPS)
      return aev__sns_invalid("Invalid parameter: %sDeliveryPolicy: Delivery "
                              "protocol [%s] does not support delivery "
                              "policies", prefix, s->protocol);
    int dis;
    return aev__delivery_policy_parse(v, 0, "DeliveryPolicy", &c->retry, &c->retry_set, &dis,
                                      &c->delivery);
  }
  if (strcmp(name, "SubscriptionRoleArn") == 0) {
    /* Firehose subscriptions name the IAM role SNS assumes to write to the
     * delivery stream. IAM is not modelled: the ARN is kept and shown. */
    if (s->proto != AEV__PROTO_FIREHOSE)
      return aev__sns_invalid("Invalid parameter: %sDelivery protocol [%s] does "
                              "not support SubscriptionRoleArn", prefix, s->protocol);
    free(c->role_arn);
    c->role_arn = *v ? strdup(v) : NULL;
    return *v && !c->role_arn ? aev__nomem() : AEV_OK;
  }
  if (strcmp(name, "ReplayPolicy") == 0) return aev__replay_policy_parse(t, c, prefix, v);
  if (*prefix)
    return aev__sns_invalid("Invalid parameter: %sUnknown attribute %s", prefix,
                            name);
  return aev__sns_invalid("Invalid parameter: AttributeName");
}

int aev__subconf_build(aev_topic *t, const aev__sub *s, const aev__subconf *old,
                       json_t *attrs, const char *prefix, aev__subconf **out) {
  aev__subconf *c = copy(old);
  if (!c) return aev__nomem();
  int rc = AEV_OK;
  /* The scope first: FilterPolicy compiles for it. */
  static const char *const order[] = {"FilterPolicyScope", NULL};
  json_t *scope = json_object_get(attrs, order[0]);
  if (scope) {
    rc = json_is_string(scope)
             ? apply(t, s, c, prefix, order[0], json_string_value(scope))
             : aev__sns_invalid("Invalid parameter: %sFilterPolicyScope", prefix);
  }
  const char *k;
  json_t *v;
  json_object_foreach(attrs, k, v) {
    if (rc != AEV_OK) break;
    if (strcmp(k, order[0]) == 0) continue;
    if (!json_is_string(v))
      rc = aev__sns_invalid("Invalid parameter: %s%s must be a string", prefix, k);
    else
      rc = apply(t, s, c, prefix, k, json_string_value(v));
  }
  if (rc == AEV_OK && old && !c->filter && c->filter_text) rc = compile(c, prefix);
  /* Subscribe's reference: "Specifying a valid ARN for this attribute is
   * required for Firehose delivery stream subscriptions." */
  if (rc == AEV_OK && s->proto == AEV__PROTO_FIREHOSE && !c->role_arn)
    rc = aev__sns_invalid("Invalid parameter: %sSubscriptionRoleArn is required for Firehose "
                          "delivery stream subscriptions", prefix);
  if (rc != AEV_OK) {
    aev__subconf_unref(c);
    return rc;
  }
  *out = c;
  return AEV_OK;
}

/* Sets k to the text v (NULL: out of memory); 1 when it could not. */
static int set_text(json_t *o, const char *k, const char *v) {
  return json_object_set_new(o, k, json_string(v)) != 0;
}

static int set_bool(json_t *o, const char *k, int v) {
  return set_text(o, k, v ? "true" : "false");
}

json_t *aev__sub_attributes_locked(const aev__sub *s) {
  aev_topic *t = s->topic;
  const aev__subconf *c = s->conf;
  json_t *o = json_object();
  if (!o) return NULL;
  int failed = set_text(o, "SubscriptionArn", s->arn);
  failed |= set_text(o, "TopicArn", t->res.arn);
  failed |= set_text(o, "Owner", aev_broker_account(t->res.broker));
  /* AWS names the identity that subscribed; in-process every call is the
   * account's own, so its root user. */
  char principal[256];
  aev__policy_doc_root(t->res.arn, aev_broker_account(t->res.broker), principal, sizeof principal);
  failed |= set_text(o, "SubscriptionPrincipal", principal);
  failed |= set_text(o, "Protocol", s->protocol);
  failed |= set_text(o, "Endpoint", s->endpoint);
  failed |= set_bool(o, "PendingConfirmation", s->pending);
  failed |= set_bool(o, "ConfirmationWasAuthenticated", s->authenticated);
  failed |= set_bool(o, "RawMessageDelivery", c->raw);
  if (c->filter_text) {
    failed |= set_text(o, "FilterPolicy", c->filter_text);
    failed |= set_text(o, "FilterPolicyScope", c->scope_body ? "MessageBody" : "MessageAttributes");
  }
  if (c->redrive) failed |= set_text(o, "RedrivePolicy", c->redrive);
  if (c->delivery) failed |= set_text(o, "DeliveryPolicy", c->delivery);
  if (c->role_arn) failed |= set_text(o, "SubscriptionRoleArn", c->role_arn);
  if (c->replay) failed |= set_text(o, "ReplayPolicy", c->replay);
  if (s->replay_status) failed |= set_text(o, "ReplayStatus", s->replay_status);
  if (s->proto == AEV__PROTO_HTTP || s->proto == AEV__PROTO_HTTPS) {
    const aev__retry_policy *p = c->retry_set && !t->conf.disable_overrides
                                     ? &c->retry : &t->conf.http_retry;
    char *e = aev__delivery_policy_effective(p, 0, t->conf.delivery_policy, c->delivery, 1);
    failed |= set_text(o, "EffectiveDeliveryPolicy", e);
    free(e);
  }
  if (!failed) return o;
  json_decref(o);
  return NULL;
}

int aev__sub_index_filter(aev_topic *t, const aev__sub *s, const aev__subconf *c) {
  /* An add replaces the id's pattern and changes nothing when it fails:
   * the old filter stays indexed until the new one is. */
  int scope = c && c->scope_body;
  if (c && c->filter_text) {
    int rc = aev_pattern_set_add(t->filters[scope], s->id, c->filter_text,
                                 strlen(c->filter_text));
    if (rc != AEV_OK) return rc;
  } else {
    aev_pattern_set_remove(t->filters[scope], s->id);
  }
  aev_pattern_set_remove(t->filters[!scope], s->id);
  return AEV_OK;
}
