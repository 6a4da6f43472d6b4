/* Publish: SNS's checks (message, Subject, MessageStructure=json,
 * attributes, size, FIFO group and deduplication rules), the shared
 * notification, topic-level FIFO deduplication and sequence numbers, then
 * the fan-out outside the topic's lock (DESIGN §3). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/digest.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "function/lineage.h"
#include "topic/dpp.h"
#include "topic/publish.h"

/* The attributes are parsed when set, not on every publish that reuses the
 * options; publishes only read them. */
/* Where validation errors place the options' attributes. */
#define OPTIONS_WHERE "messageAttributes"

struct aev_publish_options {
  char *subject, *group, *dedup;
  json_t *attrs;  /* NULL when unset or empty */
  int attrs_bad;  /* set to something other than a JSON object */
  /* attrs as every publish checks and writes them, when they pass (else
   * each publish fails on them with SNS's error) */
  aev__sns_attrs parsed;
  int parsed_ok;
  aev__attrs raw; /* with parsed: packed for SQS, its MD5 computed */
  int raw_ok;
  int structure_json;
};

static int fifo_id_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '!' || s[i] > '~') return 0;
  return 1;
}

/* UTF-8 text with no line breaks or control characters (C0, DEL, C1),
 * under 100 characters, not bytes (SNS API reference, Publish). */
int aev__sns_subject_ok(const char *s) {
  size_t n = strlen(s), chars = 0;
  uint32_t cp;
  for (size_t i = 0, k; i < n; i += k, chars++) {
    k = aev__utf8_next((const unsigned char *)s + i, n - i, &cp);
    if (!k || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 0;
  }
  return chars > 0 && chars < 100;
}

int aev__sns_message_check(const char *message, size_t len, const char *subject,
                           int structure_json, json_t **structure) {
  *structure = NULL;
  if (!message) return aev__sns_missing("Message");
  if (len == 0) return aev__sns_invalid("Invalid parameter: Empty message");
  if (subject && !aev__sns_subject_ok(subject))
    return aev__sns_invalid("Invalid parameter: Subject");
  if (structure_json) {
    json_t *j;
    if (aev__json_parse(message, len, 0, &j, NULL) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
    if (!json_is_object(j)) {
      json_decref(j);
      return aev__sns_invalid("Invalid parameter: Message Structure - JSON "
                              "message body failed to parse");
    }
    if (!json_is_string(json_object_get(j, "default"))) {
      json_decref(j);
      return aev__sns_invalid("Invalid parameter: Message Structure - No "
                              "default entry in JSON message body");
    }
    *structure = j;
  }
  return AEV_OK;
}

static int check(const aev_topic *t, const aev__pub_req *r, json_t **structure) {
  int rc = aev__sns_message_check(r->message, r->len, r->subject, r->structure_json, structure);
  if (rc != AEV_OK) return rc;
  /* A standard topic takes a MessageGroupId too, checked as a FIFO topic
   * checks it, for its SQS standard subscriptions' fair queues (AWS's
   * Publish reference; recorded: test_publish_message_group_id). */
  if (r->group && !fifo_id_ok(r->group))
    rc = aev__sns_invalid("Invalid parameter: MessageGroupId Reason: "
                          "MessageGroupId can only include alphanumeric and "
                          "punctuation characters. 1 to 128 in length.");
  else if (t->conf.fifo) {
    if (!r->group)
      rc = aev__sns_invalid("Invalid parameter: The MessageGroupId parameter "
                            "is required for FIFO topics");
    else if (!r->dedup && !t->conf.content_dedup)
      rc = aev__sns_invalid("Invalid parameter: The topic should either have "
                            "ContentBasedDeduplication enabled or "
                            "MessageDeduplicationId provided explicitly");
    else if (r->dedup && !fifo_id_ok(r->dedup))
      rc = aev__sns_invalid("Invalid parameter: MessageDeduplicationId Reason: "
                            "MessageDeduplicationId can only include "
                            "alphanumeric and punctuation characters. 1 to 128 "
                            "in length.");
  } else if (r->dedup) {
    rc = aev__sns_invalid("Invalid parameter: MessageDeduplicationId Reason: "
                          "The request includes MessageDeduplicationId "
                          "parameter that is not valid for this topic type");
  }
  if (rc != AEV_OK) {
    json_decref(*structure);
    *structure = NULL;
  }
  return rc;
}

static char *dup_or_null(const char *s, int *failed) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) *failed = 1;
  return d;
}

/* What every note carries, local or not. */
static void note_fill(aev__note *n, aev_topic *t, const uint64_t id_bits[2],
                      int64_t published_ms) {
  n->id_bits[0] = id_bits[0];
  n->id_bits[1] = id_bits[1];
  n->published_ms = published_ms;
  n->fifo = t->conf.fifo;
  n->sigver = t->conf.signature_version;
  n->topic_arn = t->res.arn;
  n->region = t->region;
}

/* A publish whose deliveries are all plain raw sends reads only the
 * message, borrowed from the request: no allocation, no copy. Its fields
 * are set one by one rather than with a memset of the whole note, which
 * compiles to a slow-starting rep stos on every such publish; a field
 * added to aev__note needs its line here. id is written before it is read
 * (aev__note_id_text). */
static inline aev__note *note_local(aev__note *n, aev_topic *t, const aev__pub_req *r,
                             const uint64_t id_bits[2], int64_t published_ms) {
  atomic_init(&n->refs, 1);
  memset(n->seq, 0, sizeof n->seq); /* the caller may copy it all out */
  n->group = n->dedup = n->subject = NULL;
  n->message = r->message;
  n->message_len = r->len;
  n->per_protocol = NULL;
  n->attrs = (aev__sns_attrs){0}; /* local notes have no attributes */
  n->raw_attrs = (aev__attrs){0};
  n->raw_attrs_bad = 0;
  atomic_init(&n->env, NULL);
  atomic_init(&n->sqs_body, NULL);
  n->local = 1;
  n->heap = NULL;
  n->replayed = 0;
  n->lineage = NULL;
  note_fill(n, t, id_bits, published_ms);
  return n;
}

/* One allocation for the note and its default message; lineage: the
 * chain it continues, or NULL. */
static aev__note *note_new(aev_topic *t, const aev__pub_req *r, json_t *structure,
                           aev__sns_attrs *attrs, const char *lineage,
                           const uint64_t id_bits[2], int64_t published_ms) {
  const char *def = structure ? json_string_value(json_object_get(structure, "default")) : NULL;
  size_t len = def ? strlen(def) : r->len;
  aev__note *n = malloc(sizeof *n + len + 1);
  if (!n) return NULL;
  memset(n, 0, sizeof *n);
  atomic_init(&n->refs, 1); /* not an xchg: nobody else sees n yet */
  n->attrs = *attrs;
  memset(attrs, 0, sizeof *attrs);
  n->per_protocol = structure;
  int failed = 0;
  n->message = n->text;
  n->message_len = len;
  memcpy(n->text, def ? def : r->message, len);
  n->text[len] = '\0';
  n->subject = dup_or_null(r->subject, &failed);
  n->group = dup_or_null(r->group, &failed);
  n->lineage = dup_or_null(lineage, &failed);
  if (t->conf.fifo) {
    char sha[65];
    if (!r->dedup) aev__sha256_hex(r->message, r->len, sha);
    n->dedup = dup_or_null(r->dedup ? r->dedup : sha, &failed);
  }
  /* Raw deliveries carry the attributes as SQS message attributes, packed
   * once from Publish's object (publish options: when they were set), which
   * has SQS's shape; ones SQS refuses fail those deliveries, not the
   * publish. */
  if (n->attrs.publish_text) {
    int rc = r->raw      ? aev__attrs_copy(r->raw, &n->raw_attrs)
             : r->parsed ? AEV_ERR_INVALID
                         : aev__attrs_parse(r->attrs, &n->raw_attrs);
    failed |= rc == AEV_ERR_NOMEM;
    n->raw_attrs_bad = rc != AEV_OK;
  }
  note_fill(n, t, id_bits, published_ms);
  if (failed) {
    n->per_protocol = NULL; /* still the caller's to drop */
    aev__note_unref(n);
    return NULL;
  }
  return n;
}

/* FIFO deduplication at the topic, 5 minutes: a duplicate answers the first
 * message's id and sequence number and is not delivered again. */
static aev__tdedup *dedup_find(aev_topic *t, const char *key, int64_t now) {
  while (t->dd_head && t->dd_head->expire_at <= now) {
    aev__tdedup *d = t->dd_head;
    t->dd_head = d->next;
    if (!t->dd_head) t->dd_tail = NULL;
    json_object_del(t->dd_index, d->key);
    free(d);
  }
  json_t *v = json_object_get(t->dd_index, key);
  return v ? (aev__tdedup *)(intptr_t)json_integer_value(v) : NULL;
}

/* A deduplication record for n, indexed but not yet on the expiry list
 * (dedup_keep puts it there, dedup_undo takes it back); NULL when memory
 * is short. */
static aev__tdedup *dedup_add(aev_topic *t, const char *key, const aev__note *n,
                              int64_t now) {
  size_t kl = strlen(key);
  aev__tdedup *d = calloc(1, sizeof *d + kl + 1);
  if (!d) return NULL;
  memcpy(d->key, key, kl + 1);
  memcpy(d->id, n->id, sizeof d->id);
  memcpy(d->seq, n->seq, sizeof d->seq);
  d->expire_at = now + AEV__SNS_DEDUP_WINDOW_MS;
  if (json_object_set_new(t->dd_index, key, json_integer((json_int_t)(intptr_t)d))) {
    free(d);
    return NULL;
  }
  return d;
}

static void dedup_keep(aev_topic *t, aev__tdedup *d) {
  if (t->dd_tail) t->dd_tail->next = d;
  else t->dd_head = d;
  t->dd_tail = d;
}

static void dedup_undo(aev_topic *t, aev__tdedup *d) {
  json_object_del(t->dd_index, d->key);
  free(d);
}

/* Counts a publish (mu held: only lock holders write these two). */
static void count_published(aev_topic *t, const aev__pub_req *r, int64_t sign) {
  aev__topic_count_locked(&t->counters[AEV__C_PUBLISHED], sign);
  aev__topic_count_locked(&t->counters[AEV__C_PUBLISH_SIZE], sign * (int64_t)r->len);
}

/* FIFO topics: deduplication, the sequence number and the post to the
 * topic's lane, under one lock hold so lanes see publishes in sequence
 * order, counted there. A duplicate takes the original's id and sequence
 * number, and nothing is posted or counted. A publish that fails leaves
 * no deduplication record, so that its retry is delivered. */
static int fifo_publish(aev_topic *t, aev__note *n, const aev__pub_req *r, int64_t now) {
  aev__fan f = {0};
  char *key = NULL;
  pthread_mutex_lock(&t->mu);
  int rc = t->res.deleted ? aev__sns_not_found("Topic") : AEV_OK;
  /* FifoThroughputScope=MessageGroup keeps deduplication per group. */
  if (rc == AEV_OK && asprintf(&key, "%s%s%s", t->conf.throughput_group ? n->group : "",
                               t->conf.throughput_group ? "\x1f" : "", n->dedup) < 0) {
    key = NULL;
    rc = aev__nomem();
  }
  aev__tdedup *d = key ? dedup_find(t, key, now) : NULL;
  if (d) {
    memcpy(n->id, d->id, sizeof d->id);
    memcpy(n->seq, d->seq, sizeof d->seq);
  } else if (rc == AEV_OK) {
    snprintf(n->seq, sizeof n->seq, "%llu", (unsigned long long)t->next_seq++);
    aev__tdedup *added = dedup_add(t, key, n, now);
    rc = added ? AEV_OK : aev__nomem();
    /* Archived before the fan-out is posted, so a replay that starts after
     * this publish finds it (developer guide: the archive keeps every
     * message published while the ArchivePolicy is set). */
    int kept = rc == AEV_OK && t->conf.archive_days;
    if (kept && (rc = aev__archive_keep(t, n, t->next_seq - 1)) != AEV_OK) kept = 0;
    if (rc == AEV_OK) rc = aev__fan_take(t, &f);
    if (rc == AEV_OK) rc = aev__fanout_post(t, &f, n);
    if (rc == AEV_OK) {
      dedup_keep(t, added);
      count_published(t, r, 1);
    } else {
      if (added) dedup_undo(t, added);
      if (kept) aev__archive_undo(t);
    }
  }
  pthread_mutex_unlock(&t->mu);
  aev__fan_free(&f);
  free(key);
  return rc;
}

/* Whether a request is the common publish, taken by publish_plain (mu
 * held): a message alone, within the size limit, to a live standard topic
 * without a data protection policy whose subscribers, as its current view has them, all take plain raw
 * sends (or none). Anything else takes the full path. */
static int plain(const aev_topic *t, const aev__pub_req *r, const aev__sns_attrs *attrs) {
  const aev__fanview *v = t->view;
  int max = t->conf.max_size ? t->conf.max_size : AEV__SNS_DEFAULT_MAX_SIZE;
  return r->message && r->len && r->len <= (size_t)max && !r->subject && !r->structure_json &&
         !r->group && !r->dedup && !r->dry && !attrs->publish_text && !t->conf.fifo && !t->conf.dpp &&
         !t->res.deleted && v && v->gen == t->gen && v->all_plain;
}

/* Takes back the counts of a publish that then failed (r as counted). */
static void uncount(aev_topic *t, const aev__pub_req *r, const aev__fan *f) {
  pthread_mutex_lock(&t->mu);
  count_published(t, r, -1);
  aev__topic_count_locked(&t->plain_delivered, -(int64_t)f->counted);
  pthread_mutex_unlock(&t->mu);
}

/* The common publish (see plain), entered with mu held: the lock hold
 * takes the view and counts the publish, and the note stays local. */
static int publish_plain(aev_topic *t, const aev__pub_req *r, char *id_out, char *seq_out) {
  aev__fanview *v = t->view;
  v->taken++;
  aev__fan f = {.v = v, .counted = v->plain_raw};
  count_published(t, r, 1);
  aev__topic_count_locked(&t->plain_delivered, f.counted);
  uint64_t id_bits[2] = {0};
  if (id_out) {
    id_bits[0] = aev__rng_next(&t->rng);
    id_bits[1] = aev__rng_next(&t->rng);
  }
  pthread_mutex_unlock(&t->mu);
  aev__qtime now;
  aev__qtime_now(t->res.broker, &now);
  aev__note n;
  note_local(&n, t, r, id_bits, now.epoch);
  if (id_out) {
    aev__note_id_text(&n);
    memcpy(id_out, n.id, AEV_TOPIC_MESSAGE_ID_SIZE);
  }
  if (seq_out) memcpy(seq_out, n.seq, AEV_TOPIC_SEQUENCE_NUMBER_SIZE);
  aev__fanout(t, &f, &n, &now);
  aev__note_unref(&n);
  return AEV_OK;
}

int aev__topic_publish_req(aev_topic *t, const aev__pub_req *r, char *id_out,
                           char *seq_out) {
  /* A live topic costs no call. */
  int rc = t && !t->res.deleted ? AEV_OK : aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  /* Messages are UTF-8 text (Publish API reference). Other bytes, which
   * only the C API can pass, would fail every delivery after the publish
   * had succeeded. */
  if (r->message && !aev__utf8_valid(r->message, r->len))
    return aev__sns_invalid("Invalid parameter: Message Reason: Message must "
                            "be UTF-8 encoded text.");
  /* Parsed before the lock, though the request's own errors come first. */
  aev__sns_attrs attrs = {0};
  int attrs_rc = r->parsed  ? aev__sns_attrs_copy(r->parsed, &attrs)
                 : r->attrs ? aev__sns_attrs_parse(r->attrs, r->where, &attrs)
                            : AEV_OK;
  json_t *structure;
  aev__fan f = {0};
  uint64_t id_bits[2] = {0};
  /* Published from a function's handler, the notification continues its
   * chain of requests: Lambda's recursive loop detection follows SNS. Such
   * a note is never local, so that its deliveries can read the chain. */
  const char *lineage = aev__lineage_current();
  /* One lock hold checks the request against the topic's settings, on
   * standard topics takes the subscribers this publish goes to and counts
   * it, and draws the id. */
  pthread_mutex_lock(&t->mu);
  if (attrs_rc == AEV_OK && !lineage && plain(t, r, &attrs))
    return publish_plain(t, r, id_out, seq_out);
  rc = check(t, r, &structure);
  int fifo = t->conf.fifo, go = rc == AEV_OK && !r->dry && !fifo;
  if (go && t->res.deleted) rc = aev__sns_not_found("Topic");
  if (rc == AEV_OK) rc = attrs_rc;
  int max = t->conf.max_size ? t->conf.max_size : AEV__SNS_DEFAULT_MAX_SIZE;
  if (rc == AEV_OK && r->len + attrs.size > (size_t)max)
    rc = aev__sns_invalid("Invalid parameter: Message too long");
  if (rc == AEV_OK && go) rc = aev__fan_take(t, &f);
  if (rc == AEV_OK && go) {
    count_published(t, r, 1);
    /* The fan-out's plain raw sends (no attributes) count as delivered
     * here, within this lock hold; it takes back any that fails. */
    if (f.v && !attrs.publish_text) {
      f.counted = f.v->plain_raw;
      aev__topic_count_locked(&t->plain_delivered, f.counted);
    }
  }
  /* The id only where something reads it: the caller, FIFO deduplication,
   * and deliveries other than raw sqs bodies (which carry no SNS message
   * id). Nothing else can observe an id, so none is drawn otherwise. */
  /* The topic's data protection policy as this publish found it. */
  aev__dpp *dpp = rc == AEV_OK && !r->dry ? aev__dpp_ref(t->conf.dpp) : NULL;
  int want_id = id_out || fifo || (f.v && f.v->need_id) || (dpp && dpp->audit);
  if (rc == AEV_OK && !r->dry && want_id) {
    id_bits[0] = aev__rng_next(&t->rng);
    id_bits[1] = aev__rng_next(&t->rng);
  }
  pthread_mutex_unlock(&t->mu);
  /* Inbound data protection: Deny refuses the publish, Deidentify
   * rewrites what every subscriber gets (the rewritten message is r's from
   * here on), Audit keeps its finding for the message id. */
  const aev__pub_req *given = r;
  aev__pub_req cleaned;
  char *clean = NULL;
  json_t *audit = NULL;
  if (rc == AEV_OK && dpp) {
    size_t clean_len = 0;
    rc = aev__dpp_inbound(t->res.broker, dpp, r->message, r->len, structure, &clean, &clean_len,
                          &audit);
    if (clean) {
      cleaned = *r;
      cleaned.message = clean;
      cleaned.len = clean_len;
      r = &cleaned;
    }
    if (rc != AEV_OK && go) uncount(t, given, &f);
  }
  /* Without attributes, Subject, MessageStructure or group, plain raw
   * sends read nothing but the message. */
  int local = rc == AEV_OK && go && (!f.v || f.v->all_plain) && !attrs.publish_text &&
              !structure && !r->subject && !r->group && !lineage;
  /* One clock read: the notification's Timestamp is when its queue
   * messages are sent. */
  aev__qtime now = {0};
  if (rc == AEV_OK && !r->dry) aev__qtime_now(t->res.broker, &now);
  aev__note on_stack, *n = NULL;
  if (local) n = note_local(&on_stack, t, r, id_bits, now.epoch);
  else if (rc == AEV_OK && !r->dry &&
           !(n = note_new(t, r, structure, &attrs, lineage, id_bits, now.epoch))) {
    rc = aev__nomem();
    if (go) uncount(t, given, &f);
  }
  if (!n) {
    if (attrs_rc == AEV_OK) aev__sns_attrs_free(&attrs);
    json_decref(structure);
    aev__fan_free(&f);
    aev__dpp_unref(dpp);
    free(clean);
    json_decref(audit);
    return rc;
  }
  if (want_id) aev__note_id_text(n);
  if (fifo) rc = fifo_publish(t, n, r, n->published_ms);
  else aev__fanout(t, &f, n, &now);
  if (rc == AEV_OK) {
    if (id_out) memcpy(id_out, n->id, AEV_TOPIC_MESSAGE_ID_SIZE);
    if (seq_out) memcpy(seq_out, n->seq, AEV_TOPIC_SEQUENCE_NUMBER_SIZE);
    if (audit) aev__dpp_audit_emit(t, dpp, audit, n->id);
  }
  aev__note_unref(n);
  aev__dpp_unref(dpp);
  free(clean);
  json_decref(audit);
  return rc;
}

/* ---- public API ---- */

int aev_publish_options_new(aev_publish_options **out) {
  if (!out) return aev__sns_missing("options");
  *out = calloc(1, sizeof **out);
  return *out ? AEV_OK : aev__nomem();
}

void aev_publish_options_free(aev_publish_options *o) {
  if (!o) return;
  free(o->subject);
  json_decref(o->attrs);
  aev__sns_attrs_free(&o->parsed);
  aev__attrs_free(&o->raw);
  free(o->group);
  free(o->dedup);
  free(o);
}

int aev_publish_options_set_subject(aev_publish_options *o, const char *s) {
  return o ? aev__replace_str(&o->subject, s) : aev__sns_missing("options");
}
int aev_publish_options_set_attributes(aev_publish_options *o, const char *j) {
  if (!o) return aev__sns_missing("options");
  json_t *attrs = NULL;
  if (j && *j && aev__json_parse_str(j, 0, &attrs) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int bad = j && *j && !json_is_object(attrs);
  aev__sns_attrs parsed = {0};
  aev__attrs raw = {0};
  int parsed_rc = bad ? AEV_ERR_INVALID : aev__sns_attrs_parse(attrs, OPTIONS_WHERE, &parsed);
  int raw_rc = parsed_rc == AEV_OK && parsed.publish_text ? aev__attrs_parse(attrs, &raw)
                                                          : AEV_ERR_INVALID;
  /* Invalid attributes fail each publish with SNS's error; out of memory
   * fails here, and the options stay as they were. */
  if (parsed_rc == AEV_ERR_NOMEM || raw_rc == AEV_ERR_NOMEM) {
    json_decref(attrs);
    aev__sns_attrs_free(&parsed);
    aev__attrs_free(&raw);
    return aev__nomem();
  }
  json_decref(o->attrs);
  aev__sns_attrs_free(&o->parsed);
  aev__attrs_free(&o->raw);
  o->attrs = attrs;
  o->attrs_bad = bad;
  o->parsed = parsed;
  o->parsed_ok = parsed_rc == AEV_OK;
  o->raw = raw;
  o->raw_ok = raw_rc == AEV_OK;
  if (o->raw_ok) aev__attrs_seal(&o->raw);
  return AEV_OK;
}
int aev_publish_options_set_structure_json(aev_publish_options *o, int on) {
  if (!o) return aev__sns_missing("options");
  o->structure_json = on != 0;
  return AEV_OK;
}
int aev_publish_options_set_group_id(aev_publish_options *o, const char *g) {
  return o ? aev__replace_str(&o->group, g) : aev__sns_missing("options");
}
int aev_publish_options_set_deduplication_id(aev_publish_options *o,
                                             const char *d) {
  return o ? aev__replace_str(&o->dedup, d) : aev__sns_missing("options");
}

int aev__pub_req_of(const char *message, size_t len, const aev_publish_options *o,
                    aev__pub_req *r) {
  *r = (aev__pub_req){.message = message, .len = len, .where = OPTIONS_WHERE};
  if (!o) return AEV_OK;
  if (o->attrs_bad)
    return aev__sns_invalid("Invalid parameter: MessageAttributes must be "
                            "a JSON object");
  r->subject = o->subject;
  r->group = o->group;
  r->dedup = o->dedup;
  r->structure_json = o->structure_json;
  r->attrs = o->attrs;
  r->parsed = o->parsed_ok ? &o->parsed : NULL;
  r->raw = o->raw_ok ? &o->raw : NULL;
  return AEV_OK;
}

int aev_topic_publish(aev_topic *t, const char *message, size_t len,
                      const aev_publish_options *o, char *message_id,
                      char *sequence_number) {
  aev__pub_req r;
  int rc = aev__pub_req_of(message, len, o, &r);
  return rc != AEV_OK ? rc : aev__topic_publish_req(t, &r, message_id, sequence_number);
}
