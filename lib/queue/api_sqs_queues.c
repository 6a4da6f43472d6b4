/* SQS API actions on queues: create, lookup, delete, purge, attributes,
 * listing, tags and message move tasks. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "queue/api_sqs.h"

/* Parses a JSON text the library wrote, and frees it. */
static int text_to_json(char *text, json_t **out) {
  int rc = aev__json_parse_str(text, 0, out);
  aev_free(text);
  return rc;
}

/* The answer {key: v}, without key when v is empty (SQS omits it); v's
 * reference is dropped. Out of memory: no answer. */
static int answer_with(json_t **resp, const char *key, json_t *v) {
  *resp = json_object();
  if (*resp && json_object_size(v) && json_object_set(*resp, key, v)) {
    json_decref(*resp);
    *resp = NULL;
  }
  json_decref(v);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__SQS_ACTION(create_queue) {
  const char *name = NULL;
  json_t *attrs = NULL, *tags = NULL;
  int rc = aev__api_req_string(svc, req, "QueueName", &name);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Attributes", &attrs);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "tags", &tags);
  /* Checked before the queue exists: a refused CreateQueue creates nothing. */
  if (rc == AEV_OK && tags) rc = aev__queue_tags_check(tags, name);
  aev_queue *q;
  if (rc == AEV_OK)
    rc = aev__queue_create(b, name, attrs, json_object_size(tags) ? tags : NULL, &q);
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{s:s}", "QueueUrl", aev_queue_url(q));
  aev_queue_release(q);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__SQS_ACTION(get_queue_url) {
  const char *name, *owner = NULL;
  int rc = aev__api_req_string(svc, req, "QueueName", &name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "QueueOwnerAWSAccountId", &owner);
  aev_queue *q;
  if (rc == AEV_OK && strchr(name, '/')) rc = aev__sqs_no_queue();
  /* The broker is one account: another account owns no queue here. */
  if (rc == AEV_OK && owner && strcmp(owner, aev_broker_account(b)))
    rc = aev__sqs_no_queue();
  if (rc == AEV_OK) rc = aev__queue_find(b, name, &q);
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{s:s}", "QueueUrl", aev_queue_url(q));
  aev_queue_release(q);
  return AEV_OK;
}

static int simple(aev_broker *b, const aev__api_service *svc, json_t *req,
                  json_t **resp, int (*fn)(aev_queue *)) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  rc = fn(q);
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__SQS_ACTION(delete_queue) { return simple(b, svc, req, resp, aev_queue_delete); }

AEV__SQS_ACTION(purge_queue) { return simple(b, svc, req, resp, aev_queue_purge); }

AEV__SQS_ACTION(get_queue_attributes) {
  json_t *names = NULL, *map;
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  rc = aev__api_opt_array(svc, req, "AttributeNames", &names);
  /* No AttributeNames asks for nothing (SQS answers without Attributes). */
  json_t *none = names ? NULL : json_array();
  if (rc == AEV_OK) rc = aev__queue_get_attributes(q, names ? names : none, &map);
  json_decref(none);
  aev_queue_release(q);
  if (rc != AEV_OK) return rc;
  return answer_with(resp, "Attributes", map);
}

AEV__SQS_ACTION(set_queue_attributes) {
  json_t *attrs;
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  rc = aev__api_req_object(svc, req, "Attributes", &attrs);
  if (rc == AEV_OK) rc = aev__queue_set_attributes(q, attrs);
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__SQS_ACTION(list_queues) {
  const char *prefix = NULL, *token = NULL;
  int64_t max = 0;
  int rc = aev__api_opt_string(svc, req, "QueueNamePrefix", &prefix);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "MaxResults", 1, 1000, &max);
  char *out;
  if (rc == AEV_OK) rc = aev_queue_list(b, prefix, (int)max, token, &out);
  if (rc == AEV_OK) rc = text_to_json(out, resp);
  return rc;
}

AEV__SQS_ACTION(list_dead_letter_source_queues) {
  const char *token = NULL;
  int64_t max = 0;
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "MaxResults", 1, 1000, &max);
  char *out;
  if (rc == AEV_OK) rc = aev_queue_list_dead_letter_sources(q, (int)max, token, &out);
  aev_queue_release(q);
  if (rc == AEV_OK) rc = text_to_json(out, resp);
  return rc;
}

static int with_json_member(aev_broker *b, const aev__api_service *svc,
                            json_t *req, json_t **resp, const char *member,
                            int object, int (*fn)(aev_queue *, const char *)) {
  json_t *v;
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  rc = object ? aev__api_req_object(svc, req, member, &v)
              : aev__api_req_array(svc, req, member, &v);
  char *text = rc == AEV_OK ? aev__json_dumps(v, JSON_COMPACT) : NULL;
  if (rc == AEV_OK) rc = text ? fn(q, text) : aev__nomem();
  free(text);
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__SQS_ACTION(tag_queue) {
  return with_json_member(b, svc, req, resp, "Tags", 1, aev_queue_tag);
}

AEV__SQS_ACTION(untag_queue) {
  return with_json_member(b, svc, req, resp, "TagKeys", 0, aev_queue_untag);
}

AEV__SQS_ACTION(list_queue_tags) {
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  char *out;
  rc = aev_queue_list_tags(q, &out);
  aev_queue_release(q);
  if (rc != AEV_OK) return rc;
  json_t *tags;
  rc = text_to_json(out, &tags);
  if (rc != AEV_OK) return rc;
  return answer_with(resp, "Tags", tags);
}

AEV__SQS_ACTION(start_message_move_task) {
  const char *src, *dst = NULL;
  int64_t rate = 0;
  int rc = aev__api_req_string(svc, req, "SourceArn", &src);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "DestinationArn", &dst);
  if (rc == AEV_OK) rc = aev__sqs_opt_int(svc, req, "MaxNumberOfMessagesPerSecond", &rate);
  if (rc == AEV_OK && aev__api_has(req, "MaxNumberOfMessagesPerSecond") && rate < 1)
    rc = aev__sqs_invalid_int("MaxNumberOfMessagesPerSecond", rate,
                              "Must be between 1 and 500.");
  char *handle;
  if (rc == AEV_OK) rc = aev_queue_start_move_task(b, src, dst, (int)rate, &handle);
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{s:s}", "TaskHandle", handle);
  aev_free(handle);
  return AEV_OK;
}

AEV__SQS_ACTION(cancel_message_move_task) {
  const char *handle;
  int64_t moved = 0;
  int rc = aev__api_req_string(svc, req, "TaskHandle", &handle);
  if (rc == AEV_OK) rc = aev_queue_cancel_move_task(b, handle, &moved);
  if (rc == AEV_OK)
    *resp = json_pack("{s:I}", "ApproximateNumberOfMessagesMoved", (json_int_t)moved);
  return rc;
}

AEV__SQS_ACTION(list_message_move_tasks) {
  const char *src;
  int64_t max = 0;
  int rc = aev__api_req_string(svc, req, "SourceArn", &src);
  if (rc == AEV_OK) rc = aev__sqs_opt_int(svc, req, "MaxResults", &max);
  if (rc == AEV_OK && aev__api_has(req, "MaxResults") && max < 1)
    rc = aev__sqs_invalid_int("MaxResults", max, "Must be between 1 and 10, if provided.");
  if (rc == AEV_OK) rc = aev__queue_list_move_tasks(b, src, (int)max, resp);
  return rc;
}
