/* Internal to lib/queue: the SQS actions of the API layer (JSON-protocol
 * shapes mapped onto the typed queue API) and their shared helpers. */
#ifndef AEV_QUEUE_API_SQS_H
#define AEV_QUEUE_API_SQS_H

#include "api/api.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

#define AEV__SQS_ACTION(name)                                              \
  int aev__sqs_##name(aev_broker *b, const aev__api_service *svc, json_t *req, \
                      json_t **resp)

/* The queue a request's QueueUrl names (a new handle). */
int aev__sqs_queue_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                      aev_queue **out);

/* An optional integer member read raw (so SQS's own range message applies);
 * *out keeps its preset when the member is absent. */
int aev__sqs_opt_int(const aev__api_service *svc, json_t *req,
                     const char *name, int64_t *out);

/* Appends a Failed entry (SenderFault true) to failed: AEV_OK, or
 * AEV_ERR_NOMEM with failed as it was. */
int aev__sqs_failed_entry(json_t *failed, const char *id, const char *code, const char *msg);

/* A batch response from its Successful and Failed lists (taken; empty ones
 * left out), or NULL when out of memory. */
json_t *aev__sqs_batch_response(json_t *ok, json_t *failed);

/* A settle batch's result in AWS's Successful / Failed shape, whole, or
 * NULL when out of memory. */
json_t *aev__sqs_batch_json(const aev_batch_result *r);

AEV__SQS_ACTION(create_queue);
AEV__SQS_ACTION(get_queue_url);
AEV__SQS_ACTION(delete_queue);
AEV__SQS_ACTION(purge_queue);
AEV__SQS_ACTION(get_queue_attributes);
AEV__SQS_ACTION(set_queue_attributes);
AEV__SQS_ACTION(list_queues);
AEV__SQS_ACTION(list_dead_letter_source_queues);
AEV__SQS_ACTION(tag_queue);
AEV__SQS_ACTION(untag_queue);
AEV__SQS_ACTION(list_queue_tags);
AEV__SQS_ACTION(add_permission);
AEV__SQS_ACTION(remove_permission);
AEV__SQS_ACTION(start_message_move_task);
AEV__SQS_ACTION(cancel_message_move_task);
AEV__SQS_ACTION(list_message_move_tasks);
AEV__SQS_ACTION(send_message);
AEV__SQS_ACTION(send_message_batch);
AEV__SQS_ACTION(receive_message);
AEV__SQS_ACTION(delete_message);
AEV__SQS_ACTION(delete_message_batch);
AEV__SQS_ACTION(change_message_visibility);
AEV__SQS_ACTION(change_message_visibility_batch);

#endif
