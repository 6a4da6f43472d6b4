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

json_t *aev__sqs_batch_json(const aev_batch_result *r,
                            void (*fill)(json_t *entry,
                                         const aev_batch_result *r, size_t i)) {
  json_t *ok = json_array(), *failed = json_array(), *resp = json_object();
  for (size_t i = 0; i < aev_batch_result_count(r); i++) {
    json_t *e = json_object();
    json_object_set_new(e, "Id", json_string(aev_batch_result_id(r, i)));
    if (aev_batch_result_status(r, i) == AEV_OK) {
      if (fill) fill(e, r, i);
      json_array_append_new(ok, e);
    } else {
      json_object_set_new(e, "SenderFault", json_true());
      json_object_set_new(e, "Code", json_string(aev_batch_result_code(r, i)));
      json_object_set_new(e, "Message", json_string(aev_batch_result_message(r, i)));
      json_array_append_new(failed, e);
    }
  }
  if (json_array_size(ok)) json_object_set(resp, "Successful", ok);
  if (json_array_size(failed)) json_object_set(resp, "Failed", failed);
  json_decref(ok);
  json_decref(failed);
  return resp;
}

static const aev__api_action actions[] = {
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
    {"SendMessage", aev__sqs_send_message},
    {"SendMessageBatch", aev__sqs_send_message_batch},
    {"SetQueueAttributes", aev__sqs_set_queue_attributes},
    {"StartMessageMoveTask", aev__sqs_start_message_move_task},
    {"TagQueue", aev__sqs_tag_queue},
    {"UntagQueue", aev__sqs_untag_queue},
};

const aev__api_service aev__api_sqs = {
    .name = "sqs",
    .missing_code = "MissingParameter",
    .invalid_code = "InvalidParameterValue",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_QUERY,
};
