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

#include "core/clock.h"
#include "core/digest.h"
#include "core/ids.h"
#include "core/status.h"
#include "queue/queue.h"
#include "core/text.h"
#include "topic/topic_impl.h"

void aev__note_id_text(aev__note *n) { aev__uuid4_text(n->id_bits[0], n->id_bits[1], n->id); }

void aev__note_ref(aev__note *n) { n->refs++; }

/* The last holder frees without a read-modify-write: with one reference
 * left nobody else can take another. */
void aev__note_unref(aev__note *n) {
  if (!n) return;
  if (n->local) {
    /* All a local note owns (see note_local in publish.c): no texts,
     * attributes or envelope, only the shared body and the heap copy. */
    if (n->sqs_body) aev__qbody_unref(n->sqs_body);
    if (n->heap) aev__note_unref(n->heap);
    return;
  }
  if (atomic_load_explicit(&n->refs, memory_order_acquire) != 1 && --n->refs > 0) return;
  free(n->group);
  free(n->dedup);
  free(n->subject);
  free(n->lineage);
  json_decref(n->per_protocol);
  aev__sns_attrs_free(&n->attrs);
  aev__attrs_free(&n->raw_attrs);
  free(n->env);
  aev__qbody_unref(n->sqs_body);
  free(n);
}

/* Only the publisher's thread makes the copy: the fan-out, before any job
 * it posts can read it. A local note has no envelope, subject, attributes,
 * per-protocol messages, FIFO ids or chain to copy. */
aev__note *aev__note_hold(aev__note *n) {
  if (!n->local) {
    aev__note_ref(n);
    return n;
  }
  if (!n->heap) {
    aev__note *h = malloc(sizeof *h + n->message_len + 1);
    if (!h) return NULL;
    memcpy(h, n, sizeof *h);
    atomic_store_explicit(&h->refs, 1, memory_order_relaxed);
    h->local = 0;
    h->heap = NULL;
    memcpy(h->text, n->message, n->message_len);
    h->text[n->message_len] = '\0';
    h->message = h->text;
    atomic_store_explicit(&h->env, NULL, memory_order_relaxed);
    aev__qbody *b = atomic_load_explicit(&n->sqs_body, memory_order_relaxed);
    if (b) aev__qbody_ref(b);
    n->heap = h;
  }
  aev__note_ref(n->heap);
  return n->heap;
}

aev__note *aev__note_replayed(const aev__note *n) {
  aev__note *r = malloc(sizeof *r + n->message_len + 1);
  if (!r) return NULL;
  memcpy(r, n, sizeof *r);
  atomic_store_explicit(&r->refs, 1, memory_order_relaxed);
  memcpy(r->text, n->message, n->message_len + 1);
  r->message = r->text;
  atomic_store_explicit(&r->env, NULL, memory_order_relaxed);
  atomic_store_explicit(&r->sqs_body, NULL, memory_order_relaxed);
  r->replayed = 1;
  /* A replay is the subscriber's request, not the publisher's chain. */
  r->lineage = NULL;
  r->group = r->dedup = r->subject = NULL;
  r->attrs = (aev__sns_attrs){0};
  r->raw_attrs = (aev__attrs){0};
  if (r->per_protocol) json_incref(r->per_protocol);
  int failed = (n->group && !(r->group = strdup(n->group))) ||
               (n->dedup && !(r->dedup = strdup(n->dedup))) ||
               (n->subject && !(r->subject = strdup(n->subject))) ||
               aev__sns_attrs_copy(&n->attrs, &r->attrs) != AEV_OK ||
               (n->raw_attrs.count && aev__attrs_copy(&n->raw_attrs, &r->raw_attrs) != AEV_OK);
  if (!failed) return r;
  aev__note_unref(r);
  return NULL;
}

const char *aev__note_message(const aev__note *n, const char *protocol) {
  if (!n->per_protocol) return n->message;
  const char *m = json_string_value(json_object_get(n->per_protocol, protocol));
  return m ? m : n->message;
}

struct aev__env_prefix {
  aev__md5 md5; /* the MD5 state after the text */
  int valid;    /* the text passes SQS's character check */
  size_t len;
  char text[];
};

/* AWS field order: Type, MessageId, [SequenceNumber], TopicArn, [Subject],
 * Message, Timestamp, then SignatureVersion, Signature, SigningCertURL on
 * standard topics (FIFO envelopes carry none of them), UnsubscribeURL. */
static char *prefix(const aev__note *n, const char *message, size_t *len) {
  aev__tbuf b = {0};
  /* The fixed members take under 512 bytes; escapes may still grow it. */
  aev__tbuf_reserve(&b, 512 + strlen(message) + strlen(n->topic_arn) +
                            (n->subject ? strlen(n->subject) : 0));
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
  /* A replayed message keeps the original's MessageId and Timestamp and
   * says it is replayed (SNS developer guide,
   * message-archiving-and-replay-subscriber). */
  if (n->replayed) aev__tbuf_puts(&b, "\"Replayed\":true,");
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
    aev__md5_init(&p->md5);
    aev__md5_update(&p->md5, p->text, len);
    p->valid = aev__qbody_check(p->text, len) == AEV_OK;
  }
  free(text);
  if (!p) return NULL;
  if (atomic_compare_exchange_strong(&n->env, &none, p)) return p;
  free(p);
  return none;
}

/* The prefix for a protocol's message: the shared one, or (*own) one of
 * its own for a MessageStructure=json entry. */
static const struct aev__env_prefix *prefix_for(aev__note *n, const char *message,
                                                struct aev__env_prefix **own) {
  *own = NULL;
  if (message == n->message) return shared_prefix(n);
  size_t len;
  char *text = prefix(n, message, &len);
  struct aev__env_prefix *p = text ? malloc(sizeof *p + len + 1) : NULL;
  if (p) {
    p->len = len;
    memcpy(p->text, text, len + 1);
  }
  free(text);
  return *own = p;
}

/* Writes the envelope's tail after the prefix: the subscription ARN, the
 * attributes and the closing brace. Returns the bytes written. */
static size_t put_tail(const aev__note *n, const char *sub_arn, char *out) {
  size_t sl = strlen(sub_arn), al = n->attrs.envelope ? strlen(n->attrs.envelope) : 0;
  memcpy(out, sub_arn, sl);
  out[sl] = '"';
  if (al) memcpy(out + sl + 1, n->attrs.envelope, al);
  out[sl + 1 + al] = '}';
  out[sl + 2 + al] = '\0';
  return sl + 2 + al;
}

static size_t tail_len(const aev__note *n, const char *sub_arn) {
  return strlen(sub_arn) + (n->attrs.envelope ? strlen(n->attrs.envelope) : 0) + 2;
}

char *aev__note_envelope(aev__note *n, const char *protocol,
                         const char *sub_arn, size_t *len) {
  struct aev__env_prefix *own;
  const struct aev__env_prefix *p = prefix_for(n, aev__note_message(n, protocol), &own);
  if (!p) return NULL;
  char *out = malloc(p->len + tail_len(n, sub_arn) + 1);
  if (out) {
    memcpy(out, p->text, p->len);
    *len = p->len + put_tail(n, sub_arn, out + p->len);
  }
  free(own);
  return out;
}

/* The raw sqs body, made once per notification. */
static int shared_sqs_body(aev__note *n, uint32_t recs, aev__qbody **out) {
  aev__qbody *b = atomic_load(&n->sqs_body), *none = NULL;
  if (!b) {
    const char *m = aev__note_message(n, "sqs");
    int rc = aev__qbody_new(m, aev__note_message_len(n, m), recs, &b);
    if (rc != AEV_OK) return rc;
    if (!atomic_compare_exchange_strong(&n->sqs_body, &none, b)) {
      aev__qbody_unref(b);
      b = none;
    }
  }
  aev__qbody_ref(b);
  *out = b;
  return AEV_OK;
}

int aev__note_sqs_body(aev__note *n, int raw, const char *sub_arn, uint32_t recs,
                       aev__qbody **out) {
  if (raw) return shared_sqs_body(n, recs, out);
  struct aev__env_prefix *own;
  const struct aev__env_prefix *p = prefix_for(n, aev__note_message(n, "sqs"), &own);
  if (!p) return aev__nomem();
  aev__qbody *b = NULL;
  int rc = aev__qbody_alloc(p->len + tail_len(n, sub_arn), recs ? 1 : 0, &b);
  if (rc == AEV_OK) {
    memcpy(b->data, p->text, p->len);
    put_tail(n, sub_arn, (char *)b->data + p->len);
    /* Only the shared prefix's check and MD5 state are reused; a prefix
     * of its own is checked and hashed with the rest. */
    rc = own ? aev__qbody_seal(b, 0, NULL)
             : aev__qbody_seal(b, p->valid ? p->len : 0, &p->md5);
    if (rc == AEV_OK) *out = b;
    else aev__qbody_unref(b);
  }
  free(own);
  return rc;
}
