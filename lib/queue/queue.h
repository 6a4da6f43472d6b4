/* Internal: what the API layer and other primitives (SNS and EventBridge
 * targets, Lambda event-source mappings) use of a queue, below the public
 * typed API: JSON-level attribute calls and the parsed send/receive forms. */
#ifndef AEV_QUEUE_QUEUE_H
#define AEV_QUEUE_QUEUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "awsevents/queue.h"
#include "core/digest.h"
#include "queue/msgattr.h"

/* CreateQueue. tags (may be NULL; checked with aev__queue_tags_check): a
 * new queue has them from its start, an existing one (same attributes)
 * gets them merged; on failure, no queue was made and no tag changed. */
int aev__queue_create(aev_broker *b, const char *name, json_t *attrs, json_t *tags,
                      aev_queue **out);
/* AEV_OK, or QueueDoesNotExist after DeleteQueue / broker shutdown. */
int aev__queue_check(const aev_queue *q);
/* By name, URL or ARN; QueueDoesNotExist otherwise. */
int aev__queue_find(aev_broker *b, const char *name_url_or_arn,
                    aev_queue **out);

/* names: a JSON array of attribute names or NULL (All). *out: the map. */
int aev__queue_get_attributes(aev_queue *q, json_t *names, json_t **out);
int aev__queue_set_attributes(aev_queue *q, json_t *attrs);
/* Tags ({key: value}) as TagQueue and CreateQueue take them: each key 1 to
 * 128 characters, each value a string of at most 256, and at most 50 in
 * all (queue names the queue in the message). InvalidParameterValue
 * otherwise. */
int aev__queue_tags_check(const json_t *tags, const char *queue);
/* TagQueue with tags as a JSON object: all of them are added, or none. */
int aev__queue_tag_json(aev_queue *q, json_t *tags);

/* A message body several sends share (SNS fan-out): copied once, checked
 * once against SQS's character rules and its MD5 computed once; every queue
 * message made from it holds a reference instead of a copy. It may carry
 * the records of up to AEV__QBODY_MAX_RECS of those messages (aev__fresh,
 * queue_impl.h) in its own allocation, so a fan-out's messages cost no
 * allocation each (the block lives until the last of them is deleted,
 * hence the small cap). */
#define AEV__QBODY_MAX_RECS 16
typedef struct aev__qbody {
  _Atomic long refs;
  uint32_t len;
  uint32_t nrec;            /* message records carried (store.c) */
  _Atomic uint32_t taken;   /* how many of them sends took */
  uint8_t md5[16];
  unsigned char data[]; /* len bytes and a NUL, then the records */
} aev__qbody;

/* Copies and checks body: MissingParameter or InvalidMessageContents as
 * SendMessage would answer, or AEV_ERR_NOMEM. nrec: how many records of
 * the messages expected from it to carry (capped). */
int aev__qbody_new(const void *body, size_t len, uint32_t nrec,
                   aev__qbody **out);
/* The same in two steps, for a body written in place: room for len bytes
 * (refs 1), then the check and the MD5. The check skips the first checked
 * bytes, which the caller found valid with aev__qbody_check (a valid prefix
 * keeps the whole valid when the rest is); the MD5 continues from md5 (the
 * state after the first md5->len bytes of data) or starts afresh when md5
 * is NULL. The caller drops the body when sealing fails. */
int aev__qbody_alloc(size_t len, uint32_t nrec, aev__qbody **out);
int aev__qbody_seal(aev__qbody *b, size_t checked, const aev__md5 *md5);
/* SendMessage's check of a body's characters (InvalidMessageContents). */
int aev__qbody_check(const void *body, size_t len);
/* The same check for other text with the body's characters, failing with
 * code and the body's message. */
int aev__qtext_check(const void *text, size_t len, const char *code);
void aev__qbody_ref(aev__qbody *b);
/* store.c: takes n of the body's carried records at once (fewer when it
 * has fewer left): the index of the first, and *got how many. */
uint32_t aev__qbody_take(aev__qbody *b, uint32_t n, uint32_t *got);
void aev__qbody_unref(aev__qbody *b); /* NULL does nothing */

/* One message to send. attrs may be NULL; delay -1 means the queue's. With
 * shared set, body and len must be its data and len, the body is neither
 * checked, copied nor hashed again, and aev__queue_send / send_many take
 * over one reference to it, whether they succeed or fail. */
typedef struct aev__send_req {
  const void *body;
  size_t len;
  aev__qbody *shared;
  const aev__attrs *attrs;
  int delay;
  const char *group;
  const char *dedup;
  const char *trace;
  /* The chain of requests the message belongs to (function/lineage.h),
   * kept with it and never shown; NULL: the sending thread's, if any. */
  const char *lineage;
} aev__send_req;

typedef struct aev__sent {
  char id[AEV_MESSAGE_ID_SIZE];
  char md5_body[33];
  char md5_attrs[33]; /* "" without attributes */
  char seq[AEV_SEQUENCE_NUMBER_SIZE]; /* "" on standard queues */
} aev__sent;

/* out may be NULL when the caller needs none of it (nothing is formatted). */
int aev__queue_send(aev_queue *q, const aev__send_req *r, aev__sent *out);

/* Sends n (≤ 10) messages under one lock with one wake-up. outs may be
 * NULL. failed(ctx, i, status) is called for each entry that fails, with
 * aev_errcode()/aev_errmsg() set (the queue's lock may be held). Returns
 * QueueDoesNotExist if the queue is gone, else AEV_OK. */
typedef void (*aev__send_failed)(void *ctx, size_t i, int status);
int aev__queue_send_many(aev_queue *q, size_t n, const aev__send_req *reqs,
                         aev__sent *outs, aev__send_failed failed, void *ctx);

/* enqueue.c: "now" read once for several sends (an SNS fan-out): the
 * deadline timeline and epoch ms (SentTimestamp). */
typedef struct aev__qtime {
  int64_t mono, epoch;
} aev__qtime;
void aev__qtime_now(aev_broker *b, aev__qtime *out);

/* aev__queue_send(q, r, NULL) for a request with a shared body, sent at
 * now: a plain one (no attributes, FIFO ids, trace or delay; a standard
 * queue) takes a short path that does per message only what SQS needs. */
int aev__queue_send_shared(aev_queue *q, const aev__send_req *r,
                           const aev__qtime *now);

/* One fan-out's plain sends of a shared body (what aev__queue_send_shared
 * takes its short path for) as a batch: begun with the number of sends
 * n >= 1 by making the body (*out, as aev__qbody_new would, with records
 * for them), whose reference the caller keeps when keep is set (else the
 * body is the sends' alone, and the caller must not touch it once the last
 * of them is made); the n sends' references and records are counted with
 * plain writes, as no other thread sees the body yet. Then exactly n sends
 * through aev__qput_run, each consuming one reference. */
typedef struct aev__qput {
  aev__qbody *body;
  struct aev__fresh *rec, *end; /* the carried records not used yet */
  aev__qtime now;
} aev__qput;
int aev__qput_new(aev__qput *p, const void *body, size_t len, uint32_t n, int keep,
                  const aev__qtime *now, aev__qbody **out);
/* Sends into qs[0..n) in order (an entry NULL: no queue), one call for a
 * run of a fan-out's queues; returns how many were stored before the first
 * that was not (n when all were). That one's send consumed its reference
 * but stored nothing, and set no error text (the queue is gone or FIFO,
 * the body is over its MaximumMessageSize, or memory ran out): the caller
 * takes aev__queue_send_shared's path for it, which words the error, and
 * goes on with the rest. */
size_t aev__qput_run(aev__qput *p, aev_queue *const *qs, size_t n);

/* SendMessageBatch on parsed entries (reqs[i] for ids[i]). */
int aev__queue_send_batch(aev_queue *q, size_t n, const char *const *ids,
                          const aev__send_req *reqs, aev_batch_result **out);

/* A request from public send options; attrs receives the parsed attributes
 * (free with aev__attrs_free() after the send). */
int aev__send_options_request(const aev_send_options *o, const void *body,
                              size_t len, aev__attrs *attrs, aev__send_req *r);

/* The checks SendMessageBatch applies to the whole request before any
 * entry: count, id format, distinct ids, total size. */
int aev__batch_check(size_t n, const char *const *ids, size_t total_bytes,
                     const char *entry_kind);

/* SendMessageBatch on a FIFO queue: every entry needs a group id and a
 * deduplication id (or content-based deduplication), or the whole request
 * fails. */
int aev__batch_fifo_check(const aev_queue *q, const aev__send_req *reqs,
                          size_t n);

/* One receive. names NULL with n_names 0 selects every message attribute
 * (the typed API's default); the API layer passes AWS's list. */
typedef struct aev__recv_req {
  int max;
  int64_t wait_ms; /* -1: the queue's ReceiveMessageWaitTimeSeconds */
  int visibility;  /* -1: the queue's VisibilityTimeout */
  const char *const *names;
  size_t n_names;
  int all_names;
  const char *attempt_id;
} aev__recv_req;

int aev__queue_receive(aev_queue *q, const aev__recv_req *r,
                       aev_message **out, size_t *n);

/* The received message's selected attributes as AWS's map (new
 * reference; NULL when it has none). AEV_ERR_NOMEM when it has some and
 * memory is short. */
int aev__message_attributes(const aev_message *m, json_t **out);

/* Dead-letter redrive policy of the queue, for the API layer's
 * ListDeadLetterSourceQueues: non-zero when q's DLQ is dlq_arn. */
int aev__queue_targets_dlq(aev_queue *q, const char *dlq_arn);

/* ListMessageMoveTasks' response object. */
int aev__queue_list_move_tasks(aev_broker *b, const char *source_arn,
                               int max_results, json_t **out);

/* Receivers blocked in a long poll right now (tests use it to know a
 * receiver is waiting before they send). */
int aev__queue_waiters(aev_queue *q);

/* watch.c: how a consumer (a Lambda event-source mapping) waits on a queue
 * without polling. fn(user) runs as a scheduler task with no lock held
 * after messages may have become available (coalesced: at most one call
 * pending); after a receive came back short the owner calls
 * aev__queue_watch_rearm, which also wakes it when the queue's next delay
 * or visibility timeout ends. The watch holds a reference to q.
 * release(user) runs once after the last fn call, after
 * aev__queue_watch_free. */
typedef struct aev__queue_watch aev__queue_watch;
typedef void (*aev__queue_watch_fn)(void *user);
int aev__queue_watch_new(aev_queue *q, aev__queue_watch_fn fn, void *user,
                         aev_release_fn release, aev__queue_watch **out);
void aev__queue_watch_rearm(aev__queue_watch *w);
void aev__queue_watch_free(aev__queue_watch *w);

/* msgsys.c: a received message's system attributes without formatting
 * (SequenceNumber is NULL on standard queues; group, dedup and trace are
 * NULL when the message has none). Pointers live as long as m. */
typedef struct aev__msg_system {
  int64_t sent_ms, first_rx_ms;
  uint32_t rx_count;
  const char *sender, *group, *dedup, *seq, *trace;
} aev__msg_system;
void aev__message_system(const aev_message *m, aev__msg_system *out);
/* The chain of requests the received message belongs to
 * (function/lineage.h), or NULL. It lives as long as m. */
const char *aev__message_lineage(const aev_message *m);

/* delete_received.c: deletes messages received from q (any number, one
 * lock per 16); stale handles are skipped. */
void aev__queue_delete_received(aev_queue *q, aev_message *const *msgs,
                                size_t n);

#endif
