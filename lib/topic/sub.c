/* Subscriptions: Subscribe (protocol and endpoint rules, idempotency, the
 * http/https confirmation flow), ConfirmSubscription, Unsubscribe, lookup
 * by ARN, Get/SetSubscriptionAttributes, and the copy-on-write snapshot of
 * subscribers a publish fans out to. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/clock.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "queue/queue.h"
#include "topic/account.h"
#include "topic/topic_impl.h"

void aev__sub_ref(aev__sub *s) { s->refs++; }

/* The last reference: called with no lock held, so release may run. */
void aev__sub_unref(aev__sub *s) {
  if (!s || --s->refs > 0) return;
  if (s->release) s->release(s->user);
  aev__subconf_unref(s->conf);
  aev_queue_release(s->queue);
  free(s->arn);
  free(s->protocol);
  free(s->endpoint);
  free(s);
}

void aev__subset_unref(aev__subset *set) {
  if (!set || --set->refs > 0) return;
  for (size_t i = 0; i < set->n; i++) aev__sub_unref(set->s[i]);
  free(set);
}

int aev__subset_with(aev__subset *old, aev__sub *add, aev__sub *drop,
                     aev__subset **out) {
  size_t n = old ? old->n : 0;
  aev__subset *set = malloc(sizeof *set + (n + 1) * sizeof set->s[0]);
  if (!set) return aev__nomem();
  set->refs = 1;
  set->n = 0;
  for (size_t i = 0; i < n; i++) {
    if (old->s[i] == drop) continue;
    aev__sub_ref(old->s[i]);
    set->s[set->n++] = old->s[i];
  }
  if (add) {
    aev__sub_ref(add);
    set->s[set->n++] = add;
  }
  *out = set;
  return AEV_OK;
}

aev__subset *aev__topic_swap_subs(aev_topic *t, aev__subset *set) {
  aev__subset *old = t->subs;
  t->subs = set;
  t->gen++;
  return old;
}

static int proto_of(const char *p) {
  if (!strcmp(p, "sqs")) return AEV__PROTO_SQS;
  if (!strcmp(p, "http")) return AEV__PROTO_HTTP;
  if (!strcmp(p, "https")) return AEV__PROTO_HTTPS;
  if (!strcmp(p, "lambda")) return AEV__PROTO_LAMBDA;
  if (!strcmp(p, "firehose")) return AEV__PROTO_FIREHOSE;
  if (!strcmp(p, "sms")) return AEV__PROTO_SMS;
  if (!strcmp(p, "email")) return AEV__PROTO_EMAIL;
  if (!strcmp(p, "email-json")) return AEV__PROTO_EMAIL_JSON;
  if (!strcmp(p, "application")) return AEV__PROTO_APPLICATION;
  return -1;
}

static int check_endpoint(aev_topic *t, int proto, const char *protocol,
                          const char *endpoint) {
  if (!endpoint || !*endpoint)
    return aev__sns_invalid("Invalid parameter: Endpoint");
  size_t n = strlen(endpoint);
  switch (proto) {
  case AEV__PROTO_SQS:
    if (strncmp(endpoint, "arn:aws", 7) || !strstr(endpoint, ":sqs:"))
      return aev__sns_invalid("Invalid parameter: SQS endpoint ARN");
    if (!t->conf.fifo && n > 5 && !strcmp(endpoint + n - 5, ".fifo"))
      return aev__sns_invalid("Invalid parameter: Invalid parameter: Endpoint "
                              "Reason: FIFO SQS Queues can not be subscribed "
                              "to standard SNS topics");
    return AEV_OK;
  case AEV__PROTO_HTTP:
  case AEV__PROTO_HTTPS: {
    const char *scheme = proto == AEV__PROTO_HTTP ? "http://" : "https://";
    if (strncmp(endpoint, scheme, strlen(scheme)))
      return aev__sns_invalid("Invalid parameter: Endpoint must match the "
                              "specified protocol");
    if (t->conf.fifo)
      return aev__sns_invalid("Invalid parameter: Invalid protocol type: %s",
                              protocol);
    return AEV_OK;
  }
  case AEV__PROTO_FIREHOSE:
    if (strncmp(endpoint, "arn:aws", 7) || !strstr(endpoint, ":firehose:") ||
        !strstr(endpoint, ":deliverystream/"))
      return aev__sns_invalid("Invalid parameter: Firehose endpoint ARN");
    return AEV_OK;
  case AEV__PROTO_LAMBDA:
    if (strncmp(endpoint, "arn:aws", 7) || !strstr(endpoint, ":lambda:") ||
        !strstr(endpoint, ":function:"))
      return aev__sns_invalid("Invalid parameter: Lambda endpoint ARN");
    if (t->conf.fifo)
      return aev__sns_invalid("Invalid parameter: Invalid protocol type: %s",
                              protocol);
    return AEV_OK;
  default:
    /* sms, email, email-json and application: their deliveries go to the
     * outbox (outbox.c); FIFO topics take none of them. */
    if (t->conf.fifo)
      return aev__sns_invalid("Invalid parameter: Invalid protocol type: %s", protocol);
    if (proto == AEV__PROTO_SMS && !aev__sms_number_ok(endpoint))
      return aev__sns_invalid("Invalid parameter: Endpoint Reason: %s is not a valid phone "
                              "number (E.164: + and up to 15 digits)", endpoint);
    if (proto == AEV__PROTO_EMAIL || proto == AEV__PROTO_EMAIL_JSON) {
      const char *at = strchr(endpoint, '@');
      if (!at || at == endpoint || !at[1] || strchr(at + 1, '@') || strpbrk(endpoint, " ;,"))
        return aev__sns_invalid("Invalid parameter: Email address");
    }
    if (proto == AEV__PROTO_APPLICATION)
      return aev__push_endpoint_check(t->res.broker, endpoint);
    return AEV_OK;
  }
}

static const char *const known_protocols[] = {
    "http", "https", "email", "email-json", "sms", "sqs", "application",
    "lambda", "firehose"};

static int known(const char *p) {
  for (size_t i = 0; i < sizeof known_protocols / sizeof known_protocols[0]; i++)
    if (!strcmp(p, known_protocols[i])) return 1;
  return 0;
}

/* The SubscriptionConfirmation or UnsubscribeConfirmation body an
 * http/https endpoint receives, with token in its Token and SubscribeURL
 * and its MessageId written to id. */
static char *confirmation(aev_topic *t, const aev__sub *s, const char *type,
                          const char *token, char id[AEV_UUID_LEN + 1], size_t *len) {
  char ts[32];
  aev__broker_uuid(t->res.broker, id);
  aev__iso_ms(aev__topic_now_ms(t), ts);
  const char *region = aev_broker_region(t->res.broker);
  int unsub = !strcmp(type, "UnsubscribeConfirmation");
  char msg[512];
  if (unsub)
    snprintf(msg, sizeof msg, "You have chosen to deactivate subscription %s.\n"
             "To cancel this operation and restore the subscription, visit the "
             "SubscribeURL included in this message.", s->arn);
  else
    snprintf(msg, sizeof msg, "You have chosen to subscribe to the topic %s.\n"
             "To confirm the subscription, visit the SubscribeURL included in "
             "this message.", t->res.arn);
  char url[1024];
  snprintf(url, sizeof url,
           "https://sns.%s.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
           "%s&Token=%s", region, t->res.arn, token);
  json_t *o = json_object();
  int failed = json_object_set_new(o, "Type", json_string(type));
  failed |= json_object_set_new(o, "MessageId", json_string(id));
  failed |= json_object_set_new(o, "Token", json_string(token));
  failed |= json_object_set_new(o, "TopicArn", json_string(t->res.arn));
  failed |= json_object_set_new(o, "Message", json_string(msg));
  failed |= json_object_set_new(o, "SubscribeURL", json_string(url));
  failed |= json_object_set_new(o, "Timestamp", json_string(ts));
  failed |= json_object_set_new(o, "SignatureVersion", json_string("1"));
  failed |= json_object_set_new(o, "Signature",
                                json_string("TG9jYWwgcGxhY2Vob2xkZXI6IG5vdCBzaWduZWQ="));
  snprintf(url, sizeof url, "https://sns.%s.amazonaws.com/SimpleNotificationService-"
           "00000000000000000000000000000000.pem", region);
  failed |= json_object_set_new(o, "SigningCertURL", json_string(url));
  char *text = failed ? NULL : aev__json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (text) *len = strlen(text);
  return text;
}

static aev__sub *find_locked(aev_topic *t, const char *protocol,
                             const char *endpoint) {
  for (size_t i = 0; t->subs && i < t->subs->n; i++) {
    aev__sub *s = t->subs->s[i];
    if (!strcmp(s->protocol, protocol) && !strcmp(s->endpoint, endpoint)) return s;
  }
  return NULL;
}

static int subscribe(aev_topic *t, const char *protocol, const char *endpoint,
                     aev_topic_callback_fn fn, void *user, aev_release_fn release,
                     json_t *attrs, char **arn_out) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  if (!protocol) return aev__sns_missing("Protocol");
  if (!known(protocol))
    return aev__sns_invalid("Invalid parameter: Amazon SNS does not support "
                            "this protocol string: %s", protocol);
  int proto = proto_of(protocol);
  if ((rc = check_endpoint(t, proto, protocol, endpoint)) != AEV_OK)
    return rc;
  aev__sub *s = calloc(1, sizeof *s);
  if (!s) return aev__nomem();
  s->refs = 1;
  s->topic = t;
  s->proto = proto;
  s->protocol = strdup(protocol);
  s->endpoint = strdup(endpoint);
  char id[AEV_UUID_LEN + 1];
  aev__broker_uuid(t->res.broker, id);
  if (asprintf(&s->arn, "%s:%s", t->res.arn, id) < 0) s->arn = NULL;
  if (!s->protocol || !s->endpoint || !s->arn) {
    aev__sub_unref(s);
    return aev__nomem();
  }
  int http = proto == AEV__PROTO_HTTP || proto == AEV__PROTO_HTTPS;
  /* email and email-json wait for confirmation as http/https do, their
   * confirmation going to the outbox (SNS developer guide, email
   * subscriptions); sms and application are confirmed at once. */
  int email = proto == AEV__PROTO_EMAIL || proto == AEV__PROTO_EMAIL_JSON;
  s->pending = http || email;
  s->authenticated = !http && !email;
  /* The confirmation is made before the subscription is stored, so that
   * a stored one never goes without. */
  struct aev__job *confirm = NULL;
  aev__outbox_task *mail = NULL;
  if (http || email) {
    aev__broker_token(t->res.broker, s->token, AEV__SNS_TOKEN_LEN);
    s->token_expires = aev__topic_now_ms(t) + AEV__SNS_TOKEN_TTL_MS;
    size_t len = 0;
    char *body = confirmation(t, s, "SubscriptionConfirmation", s->token, id, &len);
    if (email ? !(mail = aev__outbox_confirmation(t, s, body))
              : !body || !(confirm = aev__control_new(s, "SubscriptionConfirmation", id, body, len))) {
      aev__sub_unref(s);
      return aev__nomem();
    }
  }
  pthread_mutex_lock(&t->mu);
  rc = aev__subconf_build(t, s, NULL, attrs, "Attributes Reason: ", &s->conf);
  aev__sub *same = rc == AEV_OK ? find_locked(t, protocol, endpoint) : NULL;
  aev__subset *old = NULL;
  if (same) {
    /* Subscribing an endpoint again answers the existing subscription
     * when the attributes it names have the values the existing one has:
     * those it leaves out do not count, and a FilterPolicyScope counts as
     * the scope in effect, shown or not (recorded against AWS:
     * test_subscribe_idempotency). */
    json_t *a = aev__sub_attributes_locked(same), *b = aev__sub_attributes_locked(s);
    int differ = 0;
    const char *k;
    json_t *v;
    json_object_foreach(attrs, k, v)
      differ |= !strcmp(k, "FilterPolicyScope")
                    ? same->conf->scope_body != s->conf->scope_body
                    : !json_equal(json_object_get(a, k), json_object_get(b, k));
    int whole = a && b;
    json_decref(a);
    json_decref(b);
    if (!whole)
      rc = aev__nomem();
    else if (differ)
      rc = aev__sns_invalid("Invalid parameter: Attributes Reason: Subscription "
                            "already exists with different attributes");
    else if (!(*arn_out = strdup(same->arn)))
      rc = aev__nomem();
  } else if (rc == AEV_OK) {
    if (t->res.deleted) rc = aev__sns_not_found("Topic");
    aev__subset *set = NULL;
    char *arn = NULL;
    struct aev__replay *replay = NULL;
    /* The filter is indexed last: nothing after it can fail. */
    if (rc == AEV_OK) rc = aev__replay_prepare(s->conf, &replay);
    if (rc == AEV_OK) rc = aev__subset_with(t->subs, s, NULL, &set);
    if (rc == AEV_OK && !(arn = strdup(s->arn))) rc = aev__nomem();
    if (rc == AEV_OK) {
      s->id = ++t->next_sub;
      rc = aev__sub_index_filter(t, s, s->conf);
    }
    if (rc == AEV_OK) {
      s->fn = fn;
      s->user = user;
      s->release = release;
      old = aev__topic_swap_subs(t, set);
      *arn_out = arn;
      /* "Messages can be replayed immediately after the subscription is
       * created" (developer guide): Subscribe may carry a ReplayPolicy. */
      if (s->conf->replay_given) aev__replay_start(t, s, s->conf, replay);
    } else {
      old = set; /* dropped after unlocking */
      free(arn);
      free(replay);
    }
  }
  pthread_mutex_unlock(&t->mu);
  aev__subset_unref(old);
  if (confirm && rc == AEV_OK && !same) aev__control_post(confirm);
  else if (confirm) aev__control_free(confirm);
  if (mail && rc == AEV_OK && !same) aev__outbox_send(mail);
  else aev__outbox_discard(mail);
  aev__sub_unref(s);
  /* A repeated subscription keeps its first callback: this one is done. */
  if (rc == AEV_OK && same && release) release(user);
  return rc;
}

static int parse_attrs(const char *attributes_json, json_t **out) {
  *out = NULL;
  if (!attributes_json || !*attributes_json) return AEV_OK;
  if (aev__json_parse_str(attributes_json, 0, out) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (json_is_object(*out)) return AEV_OK;
  json_decref(*out);
  *out = NULL;
  return aev__sns_invalid("Invalid parameter: Attributes must be a JSON object");
}

int aev_topic_subscribe(aev_topic *t, const char *protocol, const char *endpoint,
                        const char *attributes_json, char **subscription_arn) {
  if (!subscription_arn) return aev__sns_invalid("Invalid parameter: missing argument");
  json_t *attrs;
  int rc = parse_attrs(attributes_json, &attrs);
  if (rc == AEV_OK)
    rc = subscribe(t, protocol, endpoint, NULL, NULL, NULL, attrs, subscription_arn);
  json_decref(attrs);
  return rc;
}

int aev_topic_subscribe_callback(aev_topic *t, const char *protocol,
                                 const char *endpoint, aev_topic_callback_fn fn,
                                 void *user, aev_release_fn release,
                                 const char *attributes_json,
                                 char **subscription_arn) {
  if (!fn || !subscription_arn || !protocol ||
      (strcmp(protocol, "http") && strcmp(protocol, "https")))
    return aev__sns_invalid("Invalid parameter: a callback subscription needs "
                            "protocol http or https, a function and an out "
                            "pointer");
  json_t *attrs;
  int rc = parse_attrs(attributes_json, &attrs);
  if (rc == AEV_OK)
    rc = subscribe(t, protocol, endpoint, fn, user, release, attrs, subscription_arn);
  json_decref(attrs);
  return rc;
}

/* SNS's tokens are hex digits: a token that is not is refused as
 * malformed before anything is looked up; one that is, but that no
 * pending subscription holds (or whose topic does not exist), as an
 * invalid parameter (recorded against AWS:
 * test_sns_confirm_subscription_wrong_token). */
int aev__sns_token_check(const char *token) {
  if (!token || !*token) return aev__sns_missing("Token");
  for (const char *p = token; *p; p++)
    if (!isxdigit((unsigned char)*p)) return aev__sns_invalid("Invalid token");
  return AEV_OK;
}

int aev_topic_confirm_subscription(aev_topic *t, const char *token,
                                   char **subscription_arn) {
  int rc = aev__topic_check(t);
  if (rc == AEV_OK) rc = aev__sns_token_check(token);
  if (rc != AEV_OK) return rc;
  int64_t now = aev__topic_now_ms(t);
  rc = AEV_ERR_NOT_FOUND;
  pthread_mutex_lock(&t->mu);
  for (size_t i = 0; t->subs && i < t->subs->n; i++) {
    aev__sub *s = t->subs->s[i];
    if (!s->token[0] || strcmp(s->token, token)) continue;
    if (s->pending && now > s->token_expires) break;
    char *arn = strdup(s->arn);
    if (!arn) {
      rc = aev__nomem();
      break;
    }
    s->pending = 0;
    t->gen++;
    *subscription_arn = arn;
    rc = AEV_OK;
    break;
  }
  pthread_mutex_unlock(&t->mu);
  return rc == AEV_ERR_NOT_FOUND ? aev__sns_invalid("Invalid parameter: Token") : rc;
}

int aev__sub_find(aev_broker *b, const char *arn, aev__sub **out) {
  if (!arn) return aev__sns_missing("SubscriptionArn");
  int rc = aev__sns_arn_check("SubscriptionArn", arn);
  if (rc != AEV_OK) return rc;
  /* A subscription's ARN is its topic's and one element more (recorded:
   * "arn:aws:sns:us-east-1:111111111111:random"). */
  if (aev__sns_arn_elements(arn) == 6) return aev__sns_invalid("Invalid parameter: SubscriptionId");
  const char *colon = strrchr(arn, ':');
  char *topic_arn = strndup(arn, (size_t)(colon - arn));
  if (!topic_arn) return aev__nomem();
  aev_topic *t;
  rc = aev__topic_find(b, topic_arn, &t);
  free(topic_arn);
  if (rc != AEV_OK) return aev__sns_not_found("Subscription");
  aev__sub *found = NULL;
  pthread_mutex_lock(&t->mu);
  for (size_t i = 0; t->subs && i < t->subs->n && !found; i++)
    if (!strcmp(t->subs->s[i]->arn, arn)) {
      found = t->subs->s[i];
      aev__sub_ref(found);
    }
  pthread_mutex_unlock(&t->mu);
  if (!found) {
    aev_topic_release(t);
    return aev__sns_not_found("Subscription");
  }
  *out = found;
  return AEV_OK;
}

void aev__sub_put(aev__sub *s) {
  aev_topic *t = s->topic;
  aev__sub_unref(s);
  aev_topic_release(t);
}

int aev_subscription_unsubscribe(aev_broker *b, const char *subscription_arn) {
  if (!b) return aev__sns_missing("broker");
  /* Recorded against AWS (test_unsubscribe_wrong_arn_format): Unsubscribe
   * without a SubscriptionArn. */
  if (!subscription_arn)
    return aev__sns_invalid("Invalid parameter: SubscriptionArn Reason: no value for required parameter");
  aev__sub *s;
  int rc = aev__sub_find(b, subscription_arn, &s);
  /* AWS unsubscribes idempotently: a subscription that is not there
   * (never was, or already gone) answers as an unsubscribed one does. */
  if (rc == AEV_ERR_NOT_FOUND) return AEV_OK;
  if (rc != AEV_OK) return rc;
  aev_topic *t = s->topic;
  aev__subset *set = NULL, *old = NULL;
  aev__fanview *view = NULL;
  pthread_mutex_lock(&t->mu);
  if (!s->deleted) rc = aev__subset_with(t->subs, NULL, s, &set);
  if (rc == AEV_OK && !s->deleted) {
    aev__sub_index_filter(t, s, NULL);
    s->deleted = 1;
    t->n_deleted_subs++;
    old = aev__topic_swap_subs(t, set);
    view = aev__topic_take_view(t);
  }
  int http = s->proto == AEV__PROTO_HTTP || s->proto == AEV__PROTO_HTTPS;
  pthread_mutex_unlock(&t->mu);
  aev__fanview_retire(view);
  aev__subset_unref(old);
  if (rc == AEV_OK && http && old) {
    /* A token of its own, not the subscription's (recorded against AWS:
     * test_subscribe_external_http_endpoint, unsubscribe-request). */
    char token[AEV__SNS_TOKEN_LEN + 1];
    aev__broker_token(t->res.broker, token, AEV__SNS_TOKEN_LEN);
    size_t len;
    char id[AEV_UUID_LEN + 1];
    char *body = confirmation(t, s, "UnsubscribeConfirmation", token, id, &len);
    if (body) aev__deliver_control(s, "UnsubscribeConfirmation", id, body, len);
  }
  aev__sub_put(s);
  return rc;
}

int aev_subscription_get_attributes(aev_broker *b, const char *subscription_arn,
                                    char **attributes_json) {
  if (!b || !attributes_json) return aev__sns_invalid("Invalid parameter: missing argument");
  aev__sub *s;
  int rc = aev__sub_find(b, subscription_arn, &s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->topic->mu);
  json_t *o = aev__sub_attributes_locked(s);
  pthread_mutex_unlock(&s->topic->mu);
  char *text = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  aev__sub_put(s);
  if (!text) return aev__nomem();
  *attributes_json = text;
  return AEV_OK;
}

int aev_subscription_set_attribute(aev_broker *b, const char *subscription_arn,
                                   const char *name, const char *value) {
  if (!b) return aev__sns_invalid("Invalid parameter: missing argument");
  if (!name) return aev__sns_missing("AttributeName");
  aev__sub *s;
  int rc = aev__sub_find(b, subscription_arn, &s);
  if (rc != AEV_OK) return rc;
  json_t *one = json_pack("{s:s}", name, value ? value : "");
  aev__subconf *c = NULL, *old = NULL;
  aev_topic *t = s->topic;
  pthread_mutex_lock(&t->mu);
  /* SetSubscriptionAttributes names one attribute; an unknown one is
   * reported without the Attributes prefix of Subscribe. */
  rc = one ? aev__subconf_build(t, s, s->conf, one, "", &c) : aev__nomem();
  struct aev__replay *replay = NULL;
  if (rc == AEV_OK && (aev__replay_prepare(c, &replay) != AEV_OK ||
                       aev__sub_index_filter(t, s, c) != AEV_OK)) {
    aev__subconf_unref(c);
    free(replay);
    rc = aev__nomem();
  }
  if (rc == AEV_OK) {
    old = s->conf;
    s->conf = c;
    t->gen++;
    /* Setting a ReplayPolicy starts a replay, replacing any in progress
     * ("Starting a replay will replace the existing replay", developer
     * guide). */
    if (c->replay_given) aev__replay_start(t, s, c, replay);
  }
  pthread_mutex_unlock(&t->mu);
  aev__subconf_unref(old);
  json_decref(one);
  aev__sub_put(s);
  return rc;
}
