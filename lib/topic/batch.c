/* PublishBatch: the whole-request checks (entry count, ids, total size),
 * every entry checked like a Publish before any is published (SNS refuses
 * the request when one entry is invalid), then the publishes, with
 * per-entry failures beside the successes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "topic/publish.h"

#define MAX_ENTRIES 10
#define CODE_SIZE 64   /* aev_errcode()'s room */
#define MSG_SIZE 1024  /* aev_errmsg()'s room */

/* What publishing one entry came to. */
typedef struct outcome {
  int status;
  char id[AEV_TOPIC_MESSAGE_ID_SIZE], seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE];
  char code[CODE_SIZE], msg[MSG_SIZE]; /* a failure's */
} outcome;

static const char *entry_id(json_t *entries, size_t i) {
  return json_string_value(json_object_get(json_array_get(entries, i), "Id"));
}

static int id_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 80) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

static int entry_req(json_t *e, size_t i, aev__pub_req *r, char *where,
                     size_t where_len) {
  memset(r, 0, sizeof *r);
  json_t *m = json_object_get(e, "Message");
  if (!json_is_string(m)) return aev__sns_missing("Message");
  r->message = json_string_value(m);
  r->len = json_string_length(m);
  r->subject = json_string_value(json_object_get(e, "Subject"));
  r->group = json_string_value(json_object_get(e, "MessageGroupId"));
  r->dedup = json_string_value(json_object_get(e, "MessageDeduplicationId"));
  const char *st = json_string_value(json_object_get(e, "MessageStructure"));
  if (st && strcmp(st, "json"))
    return aev__sns_invalid("Invalid parameter: MessageStructure");
  r->structure_json = st != NULL;
  r->attrs = json_object_get(e, "MessageAttributes");
  snprintf(where, where_len, "publishBatchRequestEntries.%zu.member.messageAttributes",
           i + 1);
  r->where = where;
  return AEV_OK;
}

/* What an entry counts toward the batch's total: its message and its
 * attributes' names, types and values (PublishBatch API reference). Invalid
 * attributes count nothing here: the entry's own check reports them. */
static size_t entry_size(json_t *e) {
  size_t n = json_string_length(json_object_get(e, "Message"));
  aev__sns_attrs a;
  if (aev__sns_attrs_parse(json_object_get(e, "MessageAttributes"), "", &a) == AEV_OK) {
    n += a.size;
    aev__sns_attrs_free(&a);
  }
  return n;
}

/* The topic's MaximumMessageSize, which bounds a batch's total too. */
static size_t max_size(aev_topic *t) {
  pthread_mutex_lock(&t->mu);
  int max = t->conf.max_size ? t->conf.max_size : AEV__SNS_DEFAULT_MAX_SIZE;
  pthread_mutex_unlock(&t->mu);
  return (size_t)max;
}

/* The whole-request checks, then every entry checked like a Publish:
 * nothing is published unless all pass. */
static int check_batch(aev_topic *t, json_t *entries) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  size_t n = json_array_size(entries);
  if (!json_is_array(entries) || n == 0)
    return aev__fail(AEV_ERR_INVALID, "EmptyBatchRequest",
                     "The batch request doesn't contain any entries.");
  if (n > MAX_ENTRIES)
    return aev__fail(AEV_ERR_INVALID, "TooManyEntriesInBatchRequest",
                     "The batch request contains more entries than permissible.");
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(entries, i);
    const char *id = json_string_value(json_object_get(e, "Id"));
    if (!json_is_object(e) || !id) return aev__sns_missing("Id");
    if (!id_ok(id))
      return aev__fail(AEV_ERR_INVALID, "InvalidBatchEntryId",
                       "The Id of a batch entry in a batch request doesn't "
                       "abide by the specification.");
    for (size_t k = 0; k < i; k++)
      if (!strcmp(id, entry_id(entries, k)))
        return aev__fail(AEV_ERR_INVALID, "BatchEntryIdsNotDistinct",
                         "Two or more batch entries in the request have the "
                         "same Id.");
    total += entry_size(e);
  }
  if (total > max_size(t))
    return aev__fail(AEV_ERR_INVALID, "BatchRequestTooLong",
                     "The length of all the messages put together is more "
                     "than the limit.");
  char where[96];
  aev__pub_req r;
  for (size_t i = 0; i < n; i++) {
    if ((rc = entry_req(json_array_get(entries, i), i, &r, where, sizeof where)) != AEV_OK)
      return rc;
    r.dry = 1;
    if ((rc = aev__topic_publish_req(t, &r, NULL, NULL)) != AEV_OK) return rc;
  }
  return AEV_OK;
}

/* Publishes every entry of a checked batch; each outcome is kept in
 * memory of its own, so that nothing can fail once one is published. */
static void publish_entries(aev_topic *t, json_t *entries, outcome *out) {
  char where[96];
  aev__pub_req r;
  for (size_t i = 0; i < json_array_size(entries); i++) {
    outcome *o = &out[i];
    o->status = entry_req(json_array_get(entries, i), i, &r, where, sizeof where);
    if (o->status == AEV_OK) o->status = aev__topic_publish_req(t, &r, o->id, o->seq);
    if (o->status == AEV_OK) continue;
    snprintf(o->code, sizeof o->code, "%s", aev_errcode());
    snprintf(o->msg, sizeof o->msg, "%s", aev_errmsg());
  }
}

/* ---- the response ---- */

/* The most bytes the response text can take, with its NUL: every entry a
 * failure whose code and message escape every byte (\u00XX). */
static size_t reply_bound(json_t *entries) {
  size_t bound = 64;
  for (size_t i = 0; i < json_array_size(entries); i++)
    bound += 96 + 6 * (CODE_SIZE + MSG_SIZE) + strlen(entry_id(entries, i));
  return bound;
}

/* Writes the response text; b holds reply_bound()'s room, so this never
 * grows it (and cannot fail). */
static void reply_text(json_t *entries, const outcome *out, aev__tbuf *b) {
  size_t n = json_array_size(entries);
  const char *sep = "";
  aev__tbuf_puts(b, "{\"Successful\":[");
  for (size_t i = 0; i < n; i++) {
    if (out[i].status != AEV_OK) continue;
    aev__tbuf_puts(b, sep);
    aev__tbuf_puts(b, "{\"Id\":");
    aev__tbuf_json_string(b, entry_id(entries, i));
    aev__tbuf_puts(b, ",\"MessageId\":");
    aev__tbuf_json_string(b, out[i].id);
    if (out[i].seq[0]) {
      aev__tbuf_puts(b, ",\"SequenceNumber\":");
      aev__tbuf_json_string(b, out[i].seq);
    }
    aev__tbuf_puts(b, "}");
    sep = ",";
  }
  aev__tbuf_puts(b, "],\"Failed\":[");
  sep = "";
  for (size_t i = 0; i < n; i++) {
    if (out[i].status == AEV_OK) continue;
    aev__tbuf_puts(b, sep);
    aev__tbuf_puts(b, "{\"Id\":");
    aev__tbuf_json_string(b, entry_id(entries, i));
    aev__tbuf_puts(b, ",\"Code\":");
    aev__tbuf_json_string(b, out[i].code);
    aev__tbuf_puts(b, ",\"Message\":");
    aev__tbuf_json_string(b, out[i].msg);
    aev__tbuf_puts(b, out[i].status == AEV_ERR_INVALID ? ",\"SenderFault\":true}"
                                                        : ",\"SenderFault\":false}");
    sep = ",";
  }
  aev__tbuf_puts(b, "]}");
}

/* One entry of the response object (NULL: out of memory). */
static json_t *entry_json(const char *id, const outcome *o) {
  if (o->status != AEV_OK)
    return json_pack("{s:s,s:s,s:s,s:b}", "Id", id, "Code", o->code, "Message", o->msg,
                     "SenderFault", o->status == AEV_ERR_INVALID);
  if (o->seq[0])
    return json_pack("{s:s,s:s,s:s}", "Id", id, "MessageId", o->id, "SequenceNumber", o->seq);
  return json_pack("{s:s,s:s}", "Id", id, "MessageId", o->id);
}

/* The response as an object, whole or NULL (out of memory). */
static json_t *reply_json(json_t *entries, const outcome *out) {
  json_t *ok = json_array(), *failed = json_array();
  int whole = ok && failed;
  for (size_t i = 0; whole && i < json_array_size(entries); i++)
    whole = !json_array_append_new(out[i].status == AEV_OK ? ok : failed,
                                   entry_json(entry_id(entries, i), &out[i]));
  if (whole) return json_pack("{s:o,s:o}", "Successful", ok, "Failed", failed);
  json_decref(ok);
  json_decref(failed);
  return NULL;
}

/* aev_call's PublishBatch: it serializes the object after the publishes,
 * as it does every answer, so out of memory there answers AEV_ERR_NOMEM
 * with the entries published (aev_topic_publish_batch has no such gap). */
int aev__topic_publish_batch(aev_topic *t, json_t *entries, json_t **resp) {
  int rc = check_batch(t, entries);
  if (rc != AEV_OK) return rc;
  outcome out[MAX_ENTRIES];
  publish_entries(t, entries, out);
  *resp = reply_json(entries, out);
  return *resp ? AEV_OK : aev__nomem();
}

int aev_topic_publish_batch(aev_topic *t, const char *entries_json,
                            char **response_json) {
  if (!response_json) return aev__sns_invalid("Invalid parameter: missing argument");
  json_t *entries;
  if (aev__json_parse_str(entries_json, 0, &entries) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int rc = check_batch(t, entries);
  /* The response's room before anything is published. */
  aev__tbuf b = {0};
  if (rc == AEV_OK) {
    aev__tbuf_reserve(&b, reply_bound(entries));
    if (b.failed) rc = aev__nomem();
  }
  if (rc == AEV_OK) {
    outcome out[MAX_ENTRIES];
    publish_entries(t, entries, out);
    reply_text(entries, out, &b);
    *response_json = aev__tbuf_take(&b, NULL);
  }
  json_decref(entries);
  return rc;
}
