/* Batch actions: SQS's whole-request checks (entry count, ids, size), and
 * SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch with
 * per-entry outcomes in an aev_batch_result. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

#define MAX_ENTRIES 10
#define MAX_BATCH_BYTES 1048576

typedef struct entry {
  char id[81]; /* checked by aev__batch_check: at most 80 characters */
  int status;
  char *code, *message;
  aev__sent sent;
} entry;

struct aev_batch_result {
  size_t n;
  entry e[];
};

/* The id's length when it is valid (1..80 of [A-Za-z0-9_-]), else 0. */
static size_t id_len(const char *id) {
  size_t n = 0;
  for (; id && id[n]; n++) {
    char c = id[n];
    if (n == 80 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return n;
}

int aev__batch_check(size_t n, const char *const *ids, size_t total_bytes,
                     const char *entry_kind) {
  if (n == 0)
    return aev__fail(AEV_ERR_INVALID, "EmptyBatchRequest",
                     "There should be at least one %s in the request.",
                     entry_kind);
  if (n > MAX_ENTRIES)
    return aev__fail(AEV_ERR_INVALID, "TooManyEntriesInBatchRequest",
                     "Maximum number of entries per request are %d. You have "
                     "sent %zu.",
                     MAX_ENTRIES, n);
  size_t lens[MAX_ENTRIES];
  for (size_t i = 0; i < n; i++)
    if (!(lens[i] = id_len(ids[i])))
      return aev__fail(AEV_ERR_INVALID, "InvalidBatchEntryId",
                       "A batch entry id can only contain alphanumeric "
                       "characters, hyphens and underscores. It can be at "
                       "most 80 letters long.");
  /* Length and first character settle most pairs without a strcmp. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (lens[i] == lens[j] && ids[i][0] == ids[j][0] &&
          !memcmp(ids[i], ids[j], lens[i]))
        return aev__fail(AEV_ERR_INVALID, "BatchEntryIdsNotDistinct",
                         "Id %s repeated.", ids[i]);
  if (total_bytes > MAX_BATCH_BYTES)
    return aev__fail(AEV_ERR_INVALID, "BatchRequestTooLong",
                     "Batch requests cannot be longer than %d bytes. You have "
                     "sent %zu bytes.",
                     MAX_BATCH_BYTES, total_bytes);
  return AEV_OK;
}

/* One allocation for the whole result (ids already checked); only what is
 * read before an entry is filled gets initialised. */
static aev_batch_result *result_new(size_t n, const char *const *ids) {
  aev_batch_result *r = malloc(sizeof *r + n * sizeof(entry));
  if (!r) return NULL;
  r->n = n;
  for (size_t i = 0; i < n; i++) {
    entry *e = &r->e[i];
    size_t len = strnlen(ids[i], sizeof e->id - 1);
    memcpy(e->id, ids[i], len);
    e->id[len] = '\0';
    e->status = 0;
    e->code = e->message = NULL;
    e->sent.id[0] = '\0';
  }
  return r;
}

/* Records the thread's last error as entry i's failure. */
static void entry_fail(aev_batch_result *r, size_t i, int status) {
  r->e[i].status = status;
  r->e[i].code = strdup(aev_errcode());
  r->e[i].message = strdup(aev_errmsg());
}

static void send_failed(void *ctx, size_t i, int status) {
  entry_fail(ctx, i, status);
}

void aev_batch_result_free(aev_batch_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++) {
    free(r->e[i].code);
    free(r->e[i].message);
  }
  free(r);
}

size_t aev_batch_result_count(const aev_batch_result *r) { return r ? r->n : 0; }

#define ENTRY(r, i) ((r) && (i) < (r)->n ? &(r)->e[i] : NULL)

const char *aev_batch_result_id(const aev_batch_result *r, size_t i) {
  const entry *e = ENTRY(r, i);
  return e ? e->id : NULL;
}

int aev_batch_result_status(const aev_batch_result *r, size_t i) {
  const entry *e = ENTRY(r, i);
  return e ? e->status : AEV_ERR_INVALID;
}

const char *aev_batch_result_code(const aev_batch_result *r, size_t i) {
  const entry *e = ENTRY(r, i);
  return e && e->status ? e->code : NULL;
}

const char *aev_batch_result_message(const aev_batch_result *r, size_t i) {
  const entry *e = ENTRY(r, i);
  return e && e->status ? e->message : NULL;
}

static const char *sent_field(const aev_batch_result *r, size_t i, size_t off) {
  const entry *e = ENTRY(r, i);
  if (!e || e->status || !e->sent.id[0]) return NULL;
  const char *s = (const char *)&e->sent + off;
  return *s ? s : NULL;
}

const char *aev_batch_result_message_id(const aev_batch_result *r, size_t i) {
  return sent_field(r, i, offsetof(aev__sent, id));
}

const char *aev_batch_result_md5_of_body(const aev_batch_result *r, size_t i) {
  return sent_field(r, i, offsetof(aev__sent, md5_body));
}

const char *aev_batch_result_md5_of_attributes(const aev_batch_result *r,
                                               size_t i) {
  return sent_field(r, i, offsetof(aev__sent, md5_attrs));
}

const char *aev_batch_result_sequence_number(const aev_batch_result *r,
                                             size_t i) {
  return sent_field(r, i, offsetof(aev__sent, seq));
}

/* ---- sends ---- */

/* SQS rejects the whole batch when a FIFO entry lacks its group or
 * deduplication id. */
int aev__batch_fifo_check(const aev_queue *q, const aev__send_req *reqs,
                          size_t n) {
  for (size_t i = 0; q->conf.fifo && i < n; i++) {
    if (!reqs[i].dedup && !q->conf.content_dedup)
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "The queue should either have ContentBasedDeduplication "
                       "enabled or MessageDeduplicationId provided explicitly");
    if (!reqs[i].group) return aev__sqs_missing("MessageGroupId");
  }
  return AEV_OK;
}

int aev__queue_send_batch(aev_queue *q, size_t n, const char *const *ids,
                          const aev__send_req *reqs, aev_batch_result **out) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  size_t total = 0;
  for (size_t i = 0; i < n && i <= MAX_ENTRIES; i++)
    total += reqs[i].len + (reqs[i].attrs ? reqs[i].attrs->size : 0);
  if ((rc = aev__batch_check(n, ids, total, "SendMessageBatchRequestEntry")))
    return rc;
  if ((rc = aev__batch_fifo_check(q, reqs, n)) != AEV_OK) return rc;
  aev_batch_result *r = result_new(n, ids);
  if (!r) return aev__nomem();
  aev__sent sent[MAX_ENTRIES];
  rc = aev__queue_send_many(q, n, reqs, sent, send_failed, r);
  if (rc != AEV_OK) {
    aev_batch_result_free(r);
    return rc;
  }
  for (size_t i = 0; i < n; i++)
    if (!r->e[i].status) r->e[i].sent = sent[i];
  *out = r;
  return AEV_OK;
}

int aev_queue_send_batch(aev_queue *q, size_t n, const char *const *ids,
                         const void *const *bodies, const size_t *lens,
                         const aev_send_options *const *opts,
                         aev_batch_result **out) {
  if (n > MAX_ENTRIES || n == 0)
    return aev__batch_check(n, ids, 0, "SendMessageBatchRequestEntry");
  aev__send_req reqs[MAX_ENTRIES];
  aev__attrs attrs[MAX_ENTRIES];
  int rc = AEV_OK;
  size_t parsed = 0;
  for (; parsed < n && rc == AEV_OK; parsed++)
    rc = aev__send_options_request(opts ? opts[parsed] : NULL, bodies[parsed],
                                   lens[parsed], &attrs[parsed],
                                   &reqs[parsed]);
  if (rc == AEV_OK) rc = aev__queue_send_batch(q, n, ids, reqs, out);
  for (size_t i = 0; i < parsed; i++) aev__attrs_free(&attrs[i]);
  return rc;
}

/* ---- deletes and visibility changes: one lock for the whole batch ---- */

static int settle_batch(aev_queue *q, size_t n, const char *const *ids,
                        const char *const *handles, const int *seconds,
                        aev_batch_result **out) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  const char *kind = seconds ? "ChangeMessageVisibilityBatchRequestEntry"
                             : "DeleteMessageBatchRequestEntry";
  if ((rc = aev__batch_check(n, ids, 0, kind)) != AEV_OK) return rc;
  aev_batch_result *r = result_new(n, ids);
  if (!r) return aev__nomem();
  aev__handle h[MAX_ENTRIES];
  for (size_t i = 0; i < n; i++) aev__handle_read(q, handles[i], &h[i]);
  pthread_mutex_lock(&q->mu);
  int64_t now = aev__queue_now_mono(q);
  for (size_t i = 0; i < n && !q->res.deleted; i++) {
    int s = !handles[i] || !*handles[i]
                ? aev__sqs_missing("ReceiptHandle")
            : seconds ? aev__queue_change_visibility_locked(q, &h[i],
                                                            seconds[i], now)
                      : aev__queue_delete_locked(q, &h[i], now);
    if (s != AEV_OK) entry_fail(r, i, s);
  }
  int gone = q->res.deleted;
  pthread_mutex_unlock(&q->mu);
  if (gone) {
    aev_batch_result_free(r);
    return aev__sqs_no_queue();
  }
  *out = r;
  return AEV_OK;
}

int aev_queue_delete_message_batch(aev_queue *q, size_t n,
                                   const char *const *ids,
                                   const char *const *handles,
                                   aev_batch_result **out) {
  return settle_batch(q, n, ids, handles, NULL, out);
}

int aev_queue_change_visibility_batch(aev_queue *q, size_t n,
                                      const char *const *ids,
                                      const char *const *handles,
                                      const int *seconds,
                                      aev_batch_result **out) {
  if (!seconds)
    return aev__fail(AEV_ERR_INVALID, "MissingParameter",
                     "The request must contain the parameter "
                     "VisibilityTimeout.");
  return settle_batch(q, n, ids, handles, seconds, out);
}
