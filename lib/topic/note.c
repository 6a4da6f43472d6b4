/* A published notification, shared by its deliveries (reference counted):
 * the message (and per-protocol messages of MessageStructure=json), its
 * attributes in every shape a delivery needs, and SNS's JSON envelope
 * filled from a prefix built once per notification, so a delivery only
 * appends its subscription ARN and the attributes. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue/queue.h"
#include "topic/text.h"
#include "topic/topic_impl.h"

void aev__note_ref(aev__note *n) { n->refs++; }

void aev__note_unref(aev__note *n) {
  if (!n || --n->refs > 0) return;
  free(n->group);
  free(n->dedup);
  free(n->subject);
  free(n->message);
  json_decref(n->per_protocol);
  aev__sns_attrs_free(&n->attrs);
  aev__attrs_free(&n->raw_attrs);
  free(n->env);
  free(n);
}

const char *aev__note_message(const aev__note *n, const char *protocol) {
  const char *m = json_string_value(json_object_get(n->per_protocol, protocol));
  return m ? m : n->message;
}

void aev__iso_ms(int64_t ms, char out[32]) {
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + k, 32 - k, ".%03dZ", (int)(ms % 1000));
}

struct aev__env_prefix {
  size_t len;
  char text[];
};

/* AWS field order: Type, MessageId, [SequenceNumber], TopicArn, [Subject],
 * Message, Timestamp, then SignatureVersion, Signature, SigningCertURL on
 * standard topics (FIFO envelopes carry none of them), UnsubscribeURL. */
static char *prefix(const aev__note *n, const char *message, size_t *len) {
  aev__tbuf b = {0};
  aev__tbuf_puts(&b, "{\"Type\":\"Notification\",\"MessageId\":\"");
  aev__tbuf_puts(&b, n->id);
  if (n->fifo) {
    aev__tbuf_puts(&b, "\",\"SequenceNumber\":\"");
    aev__tbuf_puts(&b, n->seq);
  }
  aev__tbuf_puts(&b, "\",\"TopicArn\":\"");
  aev__tbuf_puts(&b, n->topic_arn);
  aev__tbuf_puts(&b, "\",");
  if (n->subject) {
    aev__tbuf_puts(&b, "\"Subject\":");
    aev__tbuf_json_string(&b, n->subject);
    aev__tbuf_puts(&b, ",");
  }
  aev__tbuf_puts(&b, "\"Message\":");
  aev__tbuf_json_string(&b, message);
  char ts[32];
  aev__iso_ms(n->published_ms, ts);
  aev__tbuf_puts(&b, ",\"Timestamp\":\"");
  aev__tbuf_puts(&b, ts);
  aev__tbuf_puts(&b, "\",");
  if (!n->fifo) {
    /* Local placeholders: nothing here signs messages. */
    aev__tbuf_puts(&b, n->sigver == 2 ? "\"SignatureVersion\":\"2\"" : "\"SignatureVersion\":\"1\"");
    aev__tbuf_puts(&b, ",\"Signature\":\"TG9jYWwgcGxhY2Vob2xkZXI6IG5vdCBzaWduZWQ=\","
              "\"SigningCertURL\":\"https://sns.");
    aev__tbuf_puts(&b, n->region);
    aev__tbuf_puts(&b, ".amazonaws.com/SimpleNotificationService-"
              "00000000000000000000000000000000.pem\",");
  }
  aev__tbuf_puts(&b, "\"UnsubscribeURL\":\"https://sns.");
  aev__tbuf_puts(&b, n->region);
  aev__tbuf_puts(&b, ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=");
  return aev__tbuf_take(&b, len);
}

/* The default message's prefix, built once per notification. */
static const struct aev__env_prefix *shared_prefix(aev__note *n) {
  struct aev__env_prefix *p = atomic_load(&n->env), *none = NULL;
  if (p) return p;
  size_t len;
  char *text = prefix(n, n->message, &len);
  p = text ? malloc(sizeof *p + len + 1) : NULL;
  if (p) {
    p->len = len;
    memcpy(p->text, text, len + 1);
  }
  free(text);
  if (!p) return NULL;
  if (atomic_compare_exchange_strong(&n->env, &none, p)) return p;
  free(p);
  return none;
}

char *aev__note_envelope(aev__note *n, const char *protocol,
                         const char *sub_arn, size_t *len) {
  const char *message = aev__note_message(n, protocol);
  char *own = NULL;
  const char *pre = NULL;
  size_t plen = 0;
  if (message != n->message) {
    pre = own = prefix(n, message, &plen);
  } else {
    const struct aev__env_prefix *p = shared_prefix(n);
    if (p) {
      pre = p->text;
      plen = p->len;
    }
  }
  if (!pre) return NULL;
  size_t sl = strlen(sub_arn), al = strlen(n->attrs.envelope);
  char *out = malloc(plen + sl + al + 3);
  if (out) {
    memcpy(out, pre, plen);
    memcpy(out + plen, sub_arn, sl);
    out[plen + sl] = '"';
    memcpy(out + plen + sl + 1, n->attrs.envelope, al);
    out[plen + sl + 1 + al] = '}';
    out[plen + sl + 2 + al] = '\0';
    *len = plen + sl + 2 + al;
  }
  free(own);
  return out;
}
