/*
 * libawsevents — queues: Amazon SQS standard and FIFO queues.
 *
 * A queue lives in a broker and behaves like SQS: visibility timeouts,
 * delays, retention, message attributes and their MD5s, FIFO message groups
 * and deduplication, dead-letter queues (RedrivePolicy), long polling and
 * message move tasks, with SQS's limits, error names (aev_errcode()) and
 * messages (aev_errmsg()).
 *
 * Configuration uses AWS's own shapes as JSON text: CreateQueue's Attributes
 * map ({"VisibilityTimeout": "60", "FifoQueue": "true", ...}) and
 * SendMessage's MessageAttributes ({"Name": {"DataType": "String",
 * "StringValue": "v"}}, binary values in base64). Sending, receiving and
 * deleting take plain C values and never parse JSON unless attributes are
 * given.
 *
 * Handles: aev_queue_create()/aev_queue_get() return a counted handle that
 * aev_queue_release() drops. After DeleteQueue the handle stays valid and
 * every call on it fails with AEV_ERR_NOT_FOUND (QueueDoesNotExist).
 * A NULL handle, array or out-pointer fails with AEV_ERR_INVALID
 * (InvalidParameterValue, "Missing argument."); only the arguments said
 * here to be optional may be NULL.
 * All functions are safe from any thread.
 */
#ifndef AWSEVENTS_QUEUE_H
#define AWSEVENTS_QUEUE_H

#include "awsevents/broker.h"
#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_queue aev_queue;
typedef struct aev_message aev_message;
typedef struct aev_send_options aev_send_options;
typedef struct aev_receive_options aev_receive_options;
typedef struct aev_batch_result aev_batch_result;

/* Buffer sizes, NUL included: a MessageId (a UUID) and a FIFO
 * SequenceNumber. */
#define AEV_MESSAGE_ID_SIZE 37
#define AEV_SEQUENCE_NUMBER_SIZE 41

/* ---- Queues ---------------------------------------------------------- */

/* CreateQueue. attributes_json is AWS's Attributes map or NULL. A FIFO queue
 * needs a name ending in ".fifo" and "FifoQueue": "true". Creating a queue
 * that exists with the same attributes returns it (idempotent); different
 * values fail with AEV_ERR_EXISTS (QueueNameExists). A name deleted less
 * than 60 s ago fails with AEV_ERR_BUSY (QueueDeletedRecently). A
 * RedrivePolicy must name a queue of the same type whose RedriveAllowPolicy
 * admits this queue (InvalidParameterValue otherwise). *out is a new
 * handle. */
AEV_API int aev_queue_create(aev_broker *b, const char *name,
                             const char *attributes_json, aev_queue **out);

/* Finds a queue by name, queue URL or ARN; *out is a new handle.
 * AEV_ERR_NOT_FOUND (QueueDoesNotExist) otherwise. */
AEV_API int aev_queue_get(aev_broker *b, const char *name_url_or_arn,
                          aev_queue **out);

/* Drops a handle. NULL is a no-op. */
AEV_API void aev_queue_release(aev_queue *q);

/* DeleteQueue: the queue and its messages go; handles answer NOT_FOUND.
 * The name can be used again after 60 s. */
AEV_API int aev_queue_delete(aev_queue *q);

/* PurgeQueue: deletes every message (also in flight and delayed) and the
 * FIFO deduplication history. At most once per 60 s (AEV_ERR_THROTTLED,
 * PurgeQueueInProgress). */
AEV_API int aev_queue_purge(aev_queue *q);

/* Name, URL and ARN, valid while the handle is held. */
AEV_API const char *aev_queue_name(const aev_queue *q);
AEV_API const char *aev_queue_url(const aev_queue *q);
AEV_API const char *aev_queue_arn(const aev_queue *q);

/* GetQueueAttributes. names_json is a JSON array of attribute names (NULL
 * means ["All"]); *attributes_json is the Attributes map ({} when nothing
 * matched). Free it with aev_free(). */
AEV_API int aev_queue_get_attributes(aev_queue *q, const char *names_json,
                                     char **attributes_json);

/* SetQueueAttributes with AWS's Attributes map. */
AEV_API int aev_queue_set_attributes(aev_queue *q, const char *attributes_json);

/* TagQueue ({"key": "value"}), UntagQueue (["key"]) and ListQueueTags
 * (*tags_json a map, free with aev_free()). */
AEV_API int aev_queue_tag(aev_queue *q, const char *tags_json);
AEV_API int aev_queue_untag(aev_queue *q, const char *keys_json);
AEV_API int aev_queue_list_tags(aev_queue *q, char **tags_json);

/* ListQueues: prefix may be NULL; max_results 0 (all) or 1..1000;
 * next_token NULL or a previous NextToken. *response_json is
 * {"QueueUrls": [...], "NextToken": "..."} (members omitted when empty). */
AEV_API int aev_queue_list(aev_broker *b, const char *prefix, int max_results,
                           const char *next_token, char **response_json);

/* ListDeadLetterSourceQueues: the queues whose RedrivePolicy targets q,
 * paged as aev_queue_list(). *response_json (free with aev_free()) is
 * AWS's response {"queueUrls": [...], "NextToken": "..."}: queueUrls is
 * spelled so by AWS and always present, [] when no queue targets q. */
AEV_API int aev_queue_list_dead_letter_sources(aev_queue *q, int max_results,
                                               const char *next_token,
                                               char **response_json);

/* ---- Sending --------------------------------------------------------- */

/* Options for one message: all optional. Free with aev_send_options_free()
 * (NULL is a no-op). Setters copy their arguments. */
AEV_API int aev_send_options_new(aev_send_options **out);
AEV_API void aev_send_options_free(aev_send_options *o);
/* AWS's MessageAttributes map as JSON (validated when the message is sent). */
AEV_API int aev_send_options_set_attributes(aev_send_options *o,
                                            const char *attributes_json);
/* DelaySeconds 0..900 (standard queues; FIFO queues accept only 0). */
AEV_API int aev_send_options_set_delay(aev_send_options *o, int seconds);
AEV_API int aev_send_options_set_group_id(aev_send_options *o,
                                          const char *group_id);
AEV_API int aev_send_options_set_deduplication_id(aev_send_options *o,
                                                  const char *dedup_id);
/* The AWSTraceHeader system attribute. */
AEV_API int aev_send_options_set_trace_header(aev_send_options *o,
                                              const char *trace_header);

/* SendMessage. opts may be NULL. When message_id is not NULL the new
 * message's id is written there (AEV_MESSAGE_ID_SIZE bytes); when
 * sequence_number is not NULL a FIFO queue writes the SequenceNumber there
 * (AEV_SEQUENCE_NUMBER_SIZE bytes; "" on standard queues). A FIFO duplicate
 * within the 5-minute window succeeds with the first message's id and is
 * not delivered again. */
AEV_API int aev_queue_send(aev_queue *q, const void *body, size_t len,
                           const aev_send_options *opts, char *message_id,
                           char *sequence_number);

/* SendMessageBatch: n entries (1..10) with distinct ids (up to 80 of
 * [A-Za-z0-9_-]), 1 MiB in total. opts may be NULL, or an array whose
 * elements may be NULL. Errors of the whole request (EmptyBatchRequest,
 * TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct,
 * InvalidBatchEntryId, BatchRequestTooLong) fail the call; per-entry
 * failures come back in *out beside the successes. */
AEV_API int aev_queue_send_batch(aev_queue *q, size_t n,
                                 const char *const *ids,
                                 const void *const *bodies,
                                 const size_t *lens,
                                 const aev_send_options *const *opts,
                                 aev_batch_result **out);

/* ---- Receiving ------------------------------------------------------- */

/* Options for a receive: all optional. */
AEV_API int aev_receive_options_new(aev_receive_options **out);
AEV_API void aev_receive_options_free(aev_receive_options *o);
/* VisibilityTimeout for the received messages, 0..43200 s. */
AEV_API int aev_receive_options_set_visibility(aev_receive_options *o,
                                               int seconds);
/* Which message attributes come back (JSON array of names, "All", ".*" or
 * "prefix.*"); by default all of them. MD5OfMessageAttributes covers the
 * selected ones, as in SQS. */
AEV_API int aev_receive_options_set_attribute_names(aev_receive_options *o,
                                                    const char *names_json);
/* ReceiveRequestAttemptId (FIFO; standard queues ignore it): a retried
 * receive with the same id within 5 minutes returns the same messages and
 * receipt handles, and restarts their visibility timeout, while none of
 * them was deleted or had its visibility changed; otherwise it receives
 * afresh. 1..128 characters from ! to ~. */
AEV_API int aev_receive_options_set_attempt_id(aev_receive_options *o,
                                               const char *attempt_id);

/* ReceiveMessage: up to max (1..10) messages into out[0..*n). wait_ms < 0
 * uses the queue's ReceiveMessageWaitTimeSeconds; otherwise 0..20000.
 * A short poll (wait 0) of a standard queue with 120,000 messages in flight
 * fails with AEV_ERR_LIMIT (OverLimit); a long poll returns nothing.
 * With a real clock a receive that finds nothing waits until a message
 * becomes visible or the wait ends; with a manual clock it never blocks.
 * Each message is the caller's: free it with aev_message_free(). */
AEV_API int aev_queue_receive(aev_queue *q, int max, int64_t wait_ms,
                              const aev_receive_options *opts,
                              aev_message **out, size_t *n);

/* A received message. Strings stay valid until aev_message_free(). */
AEV_API void aev_message_free(aev_message *m);
AEV_API const char *aev_message_id(const aev_message *m);
AEV_API const char *aev_message_receipt_handle(const aev_message *m);
/* The body bytes (NUL-terminated for convenience) and their length. */
AEV_API const void *aev_message_body(const aev_message *m, size_t *len);
AEV_API const char *aev_message_md5_of_body(const aev_message *m);
/* NULL when the message carries no (selected) attributes. */
AEV_API const char *aev_message_md5_of_attributes(const aev_message *m);
/* The selected message attributes in AWS's shape, "{}" when the message
 * carries none. NULL only when memory ran out (AEV_ERR_NOMEM: aev_errcode()
 * is "InternalFailure"). Free with aev_free(). */
AEV_API char *aev_message_attributes_json(const aev_message *m);
/* A system attribute by AWS name (SentTimestamp, ApproximateReceiveCount,
 * ApproximateFirstReceiveTimestamp, SenderId, MessageGroupId,
 * MessageDeduplicationId, SequenceNumber, AWSTraceHeader,
 * DeadLetterQueueSourceArn), or NULL when the message has none. The string
 * is written into the message on first use: do not call this for one
 * message from two threads at once. */
AEV_API const char *aev_message_system_attribute(aev_message *m,
                                                 const char *name);

/* ---- Settling -------------------------------------------------------- */

/* DeleteMessage. A stale handle of a standard queue succeeds; a FIFO handle
 * whose visibility timeout ended fails (InvalidParameterValue); text that is
 * not a handle fails with ReceiptHandleIsInvalid. */
AEV_API int aev_queue_delete_message(aev_queue *q, const char *receipt_handle);

/* ChangeMessageVisibility: the message becomes visible `seconds` (0..43200)
 * from now. On a standard queue a handle of an earlier receive of a message
 * received again since works as its newest one does; on a FIFO queue only
 * the newest works. */
AEV_API int aev_queue_change_visibility(aev_queue *q,
                                        const char *receipt_handle,
                                        int seconds);

/* DeleteMessageBatch / ChangeMessageVisibilityBatch: n entries with
 * distinct ids; seconds is NULL for deletes. Per-entry failures come back
 * in *out. */
AEV_API int aev_queue_delete_message_batch(aev_queue *q, size_t n,
                                           const char *const *ids,
                                           const char *const *handles,
                                           aev_batch_result **out);
AEV_API int aev_queue_change_visibility_batch(aev_queue *q, size_t n,
                                              const char *const *ids,
                                              const char *const *handles,
                                              const int *seconds,
                                              aev_batch_result **out);

/* A batch's outcome, entry i in request order. status is AEV_OK or the
 * category; code/message are the entry's error (NULL on success); the
 * message id, MD5s and sequence number are set for sent entries. */
AEV_API void aev_batch_result_free(aev_batch_result *r);
AEV_API size_t aev_batch_result_count(const aev_batch_result *r);
AEV_API const char *aev_batch_result_id(const aev_batch_result *r, size_t i);
AEV_API int aev_batch_result_status(const aev_batch_result *r, size_t i);
AEV_API const char *aev_batch_result_code(const aev_batch_result *r, size_t i);
AEV_API const char *aev_batch_result_message(const aev_batch_result *r,
                                             size_t i);
AEV_API const char *aev_batch_result_message_id(const aev_batch_result *r,
                                                size_t i);
AEV_API const char *aev_batch_result_md5_of_body(const aev_batch_result *r,
                                                 size_t i);
AEV_API const char *aev_batch_result_md5_of_attributes(
    const aev_batch_result *r, size_t i);
AEV_API const char *aev_batch_result_sequence_number(
    const aev_batch_result *r, size_t i);

/* ---- Message move tasks ---------------------------------------------- */

/* StartMessageMoveTask: moves messages out of the dead-letter queue
 * source_arn into destination_arn (NULL: each message's original source) at
 * max_per_second (0 = 500, else 1..500) on the broker clock. *task_handle
 * is malloc'd (aev_free()). */
AEV_API int aev_queue_start_move_task(aev_broker *b, const char *source_arn,
                                      const char *destination_arn,
                                      int max_per_second, char **task_handle);
/* CancelMessageMoveTask; *moved (may be NULL) gets the number moved. */
AEV_API int aev_queue_cancel_move_task(aev_broker *b, const char *task_handle,
                                       int64_t *moved);
/* ListMessageMoveTasks: {"Results": [...]}, newest first, at most
 * max_results (0 = 1; 1..10). */
AEV_API int aev_queue_list_move_tasks(aev_broker *b, const char *source_arn,
                                      int max_results, char **response_json);

#ifdef __cplusplus
}
#endif
#endif
