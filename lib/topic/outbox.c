/* The outbox: SMS, email and mobile push deliveries recorded, in order, on
 * the broker's scheduler instead of leaving the process; what each
 * protocol receives (SNS developer guide); aev_sns_outbox_read. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/clock.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "topic/account.h"

/* What a delivery counts toward AEV__OUTBOX_MAX_BYTES. */
static size_t entry_bytes(json_t *e) {
  return 256 + json_string_length(json_object_get(e, "Message")) +
         json_string_length(json_object_get(e, "Subject"));
}

/* Whether AWS would not send e now (a's mu held): SMS to an opted-out number
 * ("you can't send SMS messages to phone numbers that opt out", SNS API
 * reference, OptedOutException), push to an endpoint that is disabled or
 * gone. */
static int undeliverable(aev__sns_account *a, json_t *e) {
  const char *proto = json_string_value(json_object_get(e, "Protocol"));
  const char *dest = json_string_value(json_object_get(e, "Destination"));
  const char *type = json_string_value(json_object_get(e, "Type"));
  if (!strcmp(proto, "sms") && !strcmp(type, "Notification"))
    return json_object_get(a->opted_out, dest) != NULL;
  if (!strcmp(proto, "application")) {
    json_t *ep = json_object_get(a->endpoints, dest);
    const char *on = json_string_value(json_object_get(json_object_get(ep, "Attributes"), "Enabled"));
    return !ep || (on && strcmp(on, "true"));
  }
  return 0;
}

struct aev__outbox_task {
  aev__task_node node; /* posting allocates nothing more */
  aev__sns_account *a;
  json_t *entry;
};

static void task_free(aev__outbox_task *r) {
  json_decref(r->entry);
  aev__sns_account_put(r->a);
  free(r);
}

static void record(void *arg, int cancelled) {
  aev__outbox_task *r = arg;
  aev__sns_account *a = r->a;
  char ts[32];
  aev__iso_ms(aev__clock_now_ms(aev__broker_clock(a->res.broker)), ts);
  int failed = cancelled || json_object_set_new(r->entry, "Timestamp", json_string(ts));
  pthread_mutex_lock(&a->mu);
  /* The outbox takes the entry over: from here only the lock guards it. */
  if (!failed && !undeliverable(a, r->entry)) {
    size_t bytes = entry_bytes(r->entry);
    failed = json_array_append_new(a->outbox, r->entry);
    r->entry = NULL;
    if (!failed) a->outbox_bytes += bytes;
    while (json_array_size(a->outbox) > AEV__OUTBOX_MAX_ENTRIES ||
           a->outbox_bytes > AEV__OUTBOX_MAX_BYTES) {
      a->outbox_bytes -= entry_bytes(json_array_get(a->outbox, 0));
      json_array_remove(a->outbox, 0);
      a->dropped++;
    }
  }
  pthread_mutex_unlock(&a->mu);
  task_free(r);
}

aev__outbox_task *aev__outbox_new(aev_broker *b, json_t *entry) {
  aev__outbox_task *r = entry ? calloc(1, sizeof *r) : NULL;
  if (!r || aev__sns_account_get(b, &r->a) != AEV_OK) {
    free(r);
    json_decref(entry);
    return NULL;
  }
  r->entry = entry;
  return r;
}

int aev__outbox_send(aev__outbox_task *r) {
  int rc = aev__sched_post_node(aev__broker_sched(r->a->res.broker), NULL, &r->node, record, r);
  if (rc != AEV_OK) task_free(r);
  return rc;
}

void aev__outbox_discard(aev__outbox_task *r) {
  if (r) task_free(r);
}

int aev__outbox_post(aev_broker *b, json_t *entry) {
  aev__outbox_task *r = aev__outbox_new(b, entry);
  return r ? aev__outbox_send(r) : aev__nomem();
}

/* The {"n": {"Type", "Value"}} map of a message's attributes, or NULL. */
static json_t *attrs_of(const aev__sns_attrs *at) {
  json_t *m = NULL;
  if (at->publish_text) aev__json_parse(at->publish_text, at->publish_len, 0, &m, NULL);
  return m;
}

static json_t *entry_new(const char *protocol, const char *dest, const char *type) {
  return json_pack("{s:s,s:s,s:s}", "Protocol", protocol, "Destination", dest, "Type", type);
}

/* An email's Subject when the publisher gave none (SNS's default email
 * subject line). */
#define EMAIL_SUBJECT "AWS Notification Message"

/* A topic's text message: its DisplayName, in capitals, then "> " and the
 * message ("MYTOPIC> Hello World!", SNS developer guide, publishing SMS
 * messages to a topic); the message alone without one. A new string, NULL
 * when memory is short. */
static char *sms_text(aev_topic *t, const char *message) {
  pthread_mutex_lock(&t->mu);
  char *name = t->conf.display_name && *t->conf.display_name ? strdup(t->conf.display_name) : NULL;
  int missing = t->conf.display_name && *t->conf.display_name && !name;
  pthread_mutex_unlock(&t->mu);
  char *out = NULL;
  if (missing) return NULL;
  if (!name) return strdup(message);
  for (char *p = name; *p; p++) *p = (char)toupper((unsigned char)*p);
  if (asprintf(&out, "%s> %s", name, message) < 0) out = NULL;
  free(name);
  return out;
}

int aev__outbox_deliver(aev_topic *t, const aev__sub *s, aev__note *n) {
  aev_broker *b = t->res.broker;
  json_t *e = entry_new(s->protocol, s->endpoint, "Notification");
  int failed = !e;
  char *env = NULL, platform[32];
  const char *message;
  if (s->proto == AEV__PROTO_EMAIL_JSON) {
    size_t len;
    message = env = aev__note_envelope(n, s->protocol, s->arn, &len);
  } else if (s->proto == AEV__PROTO_APPLICATION) {
    /* A MessageStructure=json message's entry for the endpoint's platform
     * (GCM, APNS, ...), else its default (SNS developer guide, sending
     * platform-specific payloads). */
    aev__push_platform(s->endpoint, platform, sizeof platform);
    message = aev__note_message(n, platform);
    failed |= json_object_set_new(e, "Platform", json_string(platform));
  } else {
    message = aev__note_message(n, s->protocol);
  }
  char *prefixed = NULL;
  if (s->proto == AEV__PROTO_SMS) message = prefixed = sms_text(t, message);
  failed |= !message || json_object_set_new(e, "Message", json_string(message));
  free(prefixed);
  failed |= json_object_set_new(e, "MessageId", json_string(n->id));
  failed |= json_object_set_new(e, "TopicArn", json_string(t->res.arn));
  failed |= json_object_set_new(e, "SubscriptionArn", json_string(s->arn));
  /* Email carries a subject line: the publisher's Subject or SNS's
   * default; the other protocols have none. */
  if (s->proto == AEV__PROTO_EMAIL)
    failed |= json_object_set_new(e, "Subject",
                                  json_string(n->subject ? n->subject : EMAIL_SUBJECT));
  json_t *attrs = attrs_of(&n->attrs);
  if (attrs && s->proto != AEV__PROTO_EMAIL_JSON)
    failed |= json_object_set_new(e, "MessageAttributes", attrs);
  else json_decref(attrs);
  if (!failed && s->proto == AEV__PROTO_SMS) failed = aev__sms_settings(b, e) != AEV_OK;
  free(env);
  if (failed) json_decref(e);
  int rc = failed ? aev__nomem() : aev__outbox_post(b, e);
  if (rc != AEV_OK) aev__topic_count(t, AEV__C_FAILED, 1);
  return rc;
}

aev__outbox_task *aev__outbox_confirmation(aev_topic *t, const aev__sub *s, char *doc) {
  json_t *d = NULL;
  if (doc) aev__json_parse_str(doc, 0, &d);
  json_t *e = d ? entry_new(s->protocol, s->endpoint, "SubscriptionConfirmation") : NULL;
  int failed = !e;
  const char *url = json_string_value(json_object_get(d, "SubscribeURL"));
  /* email-json gets the confirmation document as JSON; email a message
   * with the link to visit (SNS developer guide, email subscriptions). */
  char *text = NULL;
  if (s->proto == AEV__PROTO_EMAIL && url &&
      asprintf(&text, "You have chosen to subscribe to the topic:\n%s\n\nTo confirm this "
               "subscription, click or visit the link below (If this was in error no action "
               "is necessary):\n%s", t->res.arn, url) < 0)
    text = NULL;
  failed |= json_object_set_new(e, "Message", json_string(text ? text : doc));
  if (s->proto == AEV__PROTO_EMAIL)
    failed |= !text || json_object_set_new(e, "Subject",
                                           json_string("AWS Notification - Subscription Confirmation"));
  failed |= json_object_set(e, "MessageId", json_object_get(d, "MessageId"));
  failed |= json_object_set(e, "Token", json_object_get(d, "Token"));
  failed |= json_object_set_new(e, "TopicArn", json_string(t->res.arn));
  failed |= json_object_set_new(e, "SubscriptionArn", json_string(s->arn));
  free(text);
  free(doc);
  json_decref(d);
  if (failed) {
    json_decref(e);
    return NULL;
  }
  return aev__outbox_new(t->res.broker, e);
}

int aev__outbox_direct(aev_broker *b, const aev__pub_req *r, const char *protocol,
                       const char *dest, const char *key, json_t **entry) {
  json_t *per = NULL;
  /* Messages are UTF-8 text (Publish reference); only the C API can pass
   * other bytes. */
  if (r->message && !aev__utf8_valid(r->message, r->len))
    return aev__sns_invalid("Invalid parameter: Message Reason: Message must be UTF-8 encoded "
                            "text.");
  /* Publish's checks. A Subject is checked as Publish checks it, then left
   * out: it is for email and JSON messages (Publish reference), and a text
   * message or a push has neither. */
  int rc = aev__sns_message_check(r->message, r->len, r->subject, r->structure_json, &per);
  if (rc != AEV_OK) return rc;
  const char *message = r->message;
  size_t len = r->len;
  if (per) {
    json_t *mine = json_object_get(per, key);
    mine = json_is_string(mine) ? mine : json_object_get(per, "default");
    message = json_string_value(mine);
    len = json_string_length(mine);
  }
  /* Attributes the publish options parsed once are read as they are. */
  aev__sns_attrs parsed = {0};
  if (!r->parsed) rc = aev__sns_attrs_parse(r->attrs, r->where, &parsed);
  const aev__sns_attrs *at = r->parsed ? r->parsed : &parsed;
  if (rc == AEV_OK && len + at->size > AEV__SNS_DEFAULT_MAX_SIZE)
    rc = aev__sns_invalid("Invalid parameter: Message too long");
  json_t *e = NULL;
  if (rc == AEV_OK) {
    char id[AEV_UUID_LEN + 1];
    aev__broker_uuid(b, id);
    e = entry_new(protocol, dest, "Notification");
    json_t *m = attrs_of(at);
    int failed = json_object_set_new(e, "Message", json_stringn(message, len)) ||
                 json_object_set_new(e, "MessageId", json_string(id));
    if (m) failed |= json_object_set_new(e, "MessageAttributes", m);
    if (failed) {
      json_decref(e);
      rc = aev__nomem();
    }
  }
  aev__sns_attrs_free(&parsed);
  json_decref(per);
  if (rc == AEV_OK) *entry = e;
  return rc;
}

int aev_sns_outbox_read(aev_broker *b, int keep, char **deliveries_json) {
  if (!b || !deliveries_json) return aev__sns_missing("broker");
  aev__sns_account *a;
  int rc = aev__sns_account_get(b, &a);
  if (rc != AEV_OK) return rc;
  json_t *fresh = keep ? NULL : json_array();
  char *text = NULL;
  /* Made, written and dropped under the lock: o holds the outbox itself. */
  pthread_mutex_lock(&a->mu);
  json_t *o = keep || fresh ? json_pack("{s:O,s:I}", "Deliveries", a->outbox, "Dropped", a->dropped)
                            : NULL;
  if (o) text = aev__json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (text && !keep) {
    json_decref(a->outbox);
    a->outbox = fresh;
    fresh = NULL;
    a->outbox_bytes = 0;
    a->dropped = 0;
  }
  pthread_mutex_unlock(&a->mu);
  json_decref(fresh);
  aev__sns_account_put(a);
  if (!text) return aev__nomem();
  *deliveries_json = text;
  return AEV_OK;
}
