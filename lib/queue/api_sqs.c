/* The "sqs" service of aev_call(): its action table and the helpers its
 * actions share (QueueUrl lookup, raw integers, batch result shapes). */
#include <string.h>

#include "core/status.h"
#include "queue/api_sqs.h"

int aev__sqs_queue_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                      aev_queue **out) {
  const char *url;
  int rc = aev__api_req_string(svc, req, "QueueUrl", &url);
  return rc != AEV_OK ? rc : aev__queue_find(b, url, out);
}

int aev__sqs_opt_int(const aev__api_service *svc, json_t *req,
                     const char *name, int64_t *out) {
  return aev__api_opt_int(svc, req, name, INT32_MIN, INT32_MAX, out);
}

int aev__sqs_failed_entry(json_t *failed, const char *id, const char *code, const char *msg) {
  json_t *e = json_pack("{s:s,s:b,s:s,s:s}", "Id", id, "SenderFault", 1, "Code", code,
                        "Message", msg);
  return e && !json_array_append_new(failed, e) ? AEV_OK : aev__nomem();
}

json_t *aev__sqs_batch_response(json_t *ok, json_t *failed) {
  json_t *resp = ok && failed ? json_object() : NULL;
  int whole = resp != NULL;
  if (whole && json_array_size(ok)) whole = !json_object_set(resp, "Successful", ok);
  if (whole && json_array_size(failed)) whole = !json_object_set(resp, "Failed", failed);
  json_decref(ok);
  json_decref(failed);
  if (whole) return resp;
  json_decref(resp);
  return NULL;
}

json_t *aev__sqs_batch_json(const aev_batch_result *r) {
  json_t *ok = json_array(), *failed = json_array();
  int rc = ok && failed ? AEV_OK : AEV_ERR_NOMEM;
  for (size_t i = 0; rc == AEV_OK && i < aev_batch_result_count(r); i++) {
    const char *id = aev_batch_result_id(r, i);
    if (aev_batch_result_status(r, i) != AEV_OK)
      rc = aev__sqs_failed_entry(failed, id, aev_batch_result_code(r, i),
                                 aev_batch_result_message(r, i));
    else if (json_array_append_new(ok, json_pack("{s:s}", "Id", id)))
      rc = AEV_ERR_NOMEM;
  }
  if (rc == AEV_OK) return aev__sqs_batch_response(ok, failed);
  json_decref(ok);
  json_decref(failed);
  return NULL;
}

static const aev__api_action actions[] = {
    {"AddPermission", aev__sqs_add_permission},
    {"CancelMessageMoveTask", aev__sqs_cancel_message_move_task},
    {"ChangeMessageVisibility", aev__sqs_change_message_visibility},
    {"ChangeMessageVisibilityBatch", aev__sqs_change_message_visibility_batch},
    {"CreateQueue", aev__sqs_create_queue},
    {"DeleteMessage", aev__sqs_delete_message},
    {"DeleteMessageBatch", aev__sqs_delete_message_batch},
    {"DeleteQueue", aev__sqs_delete_queue},
    {"GetQueueAttributes", aev__sqs_get_queue_attributes},
    {"GetQueueUrl", aev__sqs_get_queue_url},
    {"ListDeadLetterSourceQueues", aev__sqs_list_dead_letter_source_queues},
    {"ListMessageMoveTasks", aev__sqs_list_message_move_tasks},
    {"ListQueueTags", aev__sqs_list_queue_tags},
    {"ListQueues", aev__sqs_list_queues},
    {"PurgeQueue", aev__sqs_purge_queue},
    {"ReceiveMessage", aev__sqs_receive_message},
    {"RemovePermission", aev__sqs_remove_permission},
    {"SendMessage", aev__sqs_send_message},
    {"SendMessageBatch", aev__sqs_send_message_batch},
    {"SetQueueAttributes", aev__sqs_set_queue_attributes},
    {"StartMessageMoveTask", aev__sqs_start_message_move_task},
    {"TagQueue", aev__sqs_tag_queue},
    {"UntagQueue", aev__sqs_untag_queue},
};

/* Message text whose characters SendMessage checks itself, answering for
 * U+0000 as for other characters out of its ranges (SQS API reference,
 * SendMessage): InvalidMessageContents for a body, InvalidParameterValue
 * for an attribute's value; and batch entry ids, answered
 * InvalidBatchEntryId as for their other invalid characters. */
static const char *const nul_members[] = {
    "Entries.Id",
    "MessageBody",
    "Entries.MessageBody",
    "MessageAttributes.*.StringValue",
    "Entries.MessageAttributes.*.StringValue",
    "MessageSystemAttributes.*.StringValue",
    "Entries.MessageSystemAttributes.*.StringValue",
    NULL};

const aev__api_service aev__api_sqs = {
    .name = "sqs",
    .missing_code = "MissingParameter",
    .invalid_code = "InvalidParameterValue",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_QUERY,
    .nul_members = nul_members,
};
