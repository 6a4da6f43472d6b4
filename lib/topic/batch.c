/* PublishBatch: the whole-request checks (entry count, ids, total size),
 * every entry checked like a Publish before any is published (SNS refuses
 * the request when one entry is invalid), then the publishes, with
 * per-entry failures beside the successes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "topic/publish.h"

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

int aev__topic_publish_batch(aev_topic *t, json_t *entries, json_t **resp) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  size_t n = json_array_size(entries);
  if (!json_is_array(entries) || n == 0)
    return aev__fail(AEV_ERR_INVALID, "EmptyBatchRequest",
                     "The batch request doesn't contain any entries.");
  if (n > 10)
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
      if (!strcmp(id, json_string_value(json_object_get(json_array_get(entries, k), "Id"))))
        return aev__fail(AEV_ERR_INVALID, "BatchEntryIdsNotDistinct",
                         "Two or more batch entries in the request have the "
                         "same Id.");
    total += json_string_length(json_object_get(e, "Message"));
  }
  if (total > AEV__SNS_DEFAULT_MAX_SIZE)
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
  json_t *ok = json_array(), *failed = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(entries, i);
    const char *id = json_string_value(json_object_get(e, "Id"));
    char mid[AEV_TOPIC_MESSAGE_ID_SIZE], seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE];
    rc = entry_req(e, i, &r, where, sizeof where);
    if (rc == AEV_OK) rc = aev__topic_publish_req(t, &r, mid, seq);
    if (rc == AEV_OK) {
      json_t *s = json_pack("{s:s,s:s}", "Id", id, "MessageId", mid);
      if (seq[0]) json_object_set_new(s, "SequenceNumber", json_string(seq));
      json_array_append_new(ok, s);
    } else {
      json_array_append_new(failed, json_pack("{s:s,s:s,s:s,s:b}", "Id", id,
                                              "Code", aev_errcode(), "Message",
                                              aev_errmsg(), "SenderFault",
                                              rc == AEV_ERR_INVALID));
    }
  }
  *resp = json_pack("{s:o,s:o}", "Successful", ok, "Failed", failed);
  return *resp ? AEV_OK : aev__nomem();
}

int aev_topic_publish_batch(aev_topic *t, const char *entries_json,
                            char **response_json) {
  if (!response_json) return aev__sns_missing("PublishBatchRequestEntries");
  json_t *entries;
  if (aev__json_parse_str(entries_json, 0, &entries) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  json_t *resp = NULL;
  int rc = aev__topic_publish_batch(t, entries, &resp);
  json_decref(entries);
  if (rc != AEV_OK) return rc;
  *response_json = json_dumps(resp, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(resp);
  return *response_json ? AEV_OK : aev__nomem();
}
