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
  const char *id; /* in the result's own memory */
  const char *code, *message; /* one allocation from code, or OOM_CODE's */
  int status;
} entry;

/* A failed entry whose code and message found no memory fails as out of
 * memory, with these (never freed). */
static const char OOM_CODE[] = "InternalFailure", OOM_MESSAGE[] = "Out of memory.";

/* One allocation: the entries, then for sends their formatted outcomes,
 * then the ids' text. Small enough for a delete's result to come from
 * malloc's per-thread cache. */
struct aev_batch_result {
  size_t n;
  size_t failed; /* entries with a code and message to free */
  aev__sent *sent; /* sends only; NULL otherwise */
  entry e[];
};

/* Bit c set for the characters a batch entry id may hold, [A-Za-z0-9_-]. */
static const uint64_t ID_CHARS[2] = {
    1ull << '-' | 0x3FFull << '0',
    0x3FFFFFFull << ('A' - 64) | 1ull << ('_' - 64) | 0x3FFFFFFull << ('a' - 64)};

/* The id's length when it is valid (1..80 of [A-Za-z0-9_-]), else 0. */
static size_t id_len(const char *id) {
  size_t n = 0;
  for (unsigned char c; id && (c = (unsigned char)id[n]); n++)
    if (n == 80 || c >= 128 || !(ID_CHARS[c >> 6] >> (c & 63) & 1)) return 0;
  return n;
}

/* 1 when ids[i] repeats an earlier id. A 64-bit filter on length and end
 * characters settles nearly every batch without comparing pairs. */
static int repeated(const char *const *ids, const size_t *lens, size_t i,
                    uint64_t *seen) {
  const unsigned char *s = (const unsigned char *)ids[i];
  unsigned bit = (unsigned)(lens[i] * 7 + s[0] + 3u * s[lens[i] - 1]) & 63;
  uint64_t mask = 1ull << bit;
  int maybe = (*seen & mask) != 0;
  *seen |= mask;
  for (size_t j = 0; maybe && j < i; j++)
    if (lens[j] == lens[i] && !memcmp(ids[j], s, lens[i])) return 1;
  return 0;
}

/* aev__batch_check, keeping the ids' lengths for the result. */
static int check_entries(size_t n, const char *const *ids, size_t total_bytes,
                         const char *entry_kind, size_t *lens) {
  if (n == 0)
    return aev__fail(AEV_ERR_INVALID, "EmptyBatchRequest",
                     "There should be at least one %s in the request.",
                     entry_kind);
  if (n > MAX_ENTRIES)
    return aev__fail(AEV_ERR_INVALID, "TooManyEntriesInBatchRequest",
                     "Maximum number of entries per request are %d. You have "
                     "sent %zu.",
                     MAX_ENTRIES, n);
  for (size_t i = 0; i < n; i++)
    if (!(lens[i] = id_len(ids[i])))
      return aev__fail(AEV_ERR_INVALID, "InvalidBatchEntryId",
                       "A batch entry id can only contain alphanumeric "
                       "characters, hyphens and underscores. It can be at "
                       "most 80 letters long.");
  uint64_t seen = 0;
  for (size_t i = 0; i < n; i++)
    if (repeated(ids, lens, i, &seen))
      return aev__fail(AEV_ERR_INVALID, "BatchEntryIdsNotDistinct",
                       "Id %s repeated.", ids[i]);
  if (total_bytes > MAX_BATCH_BYTES)
    return aev__fail(AEV_ERR_INVALID, "BatchRequestTooLong",
                     "Batch requests cannot be longer than %d bytes. You have "
                     "sent %zu bytes.",
                     MAX_BATCH_BYTES, total_bytes);
  return AEV_OK;
}

int aev__batch_check(size_t n, const char *const *ids, size_t total_bytes,
                     const char *entry_kind) {
  size_t lens[MAX_ENTRIES];
  return check_entries(n, ids, total_bytes, entry_kind, lens);
}

/* One allocation for the whole result (ids checked, lens[i] their
 * lengths); only what is read before an entry is filled gets
 * initialised. */
static aev_batch_result *result_new(size_t n, const char *const *ids,
                                    const size_t *lens, int sends) {
  size_t text = 0;
  for (size_t i = 0; i < n; i++) text += lens[i] + 1;
  size_t sent_bytes = sends ? n * sizeof(aev__sent) : 0;
  aev_batch_result *r = malloc(sizeof *r + n * sizeof(entry) + sent_bytes + text);
  if (!r) return NULL;
  r->n = n;
  r->failed = 0;
  r->sent = sends ? (aev__sent *)(void *)&r->e[n] : NULL;
  char *w = (char *)&r->e[n] + sent_bytes;
  for (size_t i = 0; i < n; i++) {
    entry *e = &r->e[i];
    memcpy(w, ids[i], lens[i]);
    w[lens[i]] = '\0';
    e->id = w;
    w += lens[i] + 1;
    e->status = 0;
    e->code = e->message = NULL;
    if (sends) r->sent[i].id[0] = '\0';
  }
  return r;
}

/* Records the thread's last error as entry i's failure (an entry that
 * fails has no effect, so out of memory for its text it may fail as out
 * of memory instead; never without a code). */
static void entry_fail(aev_batch_result *r, size_t i, int status) {
  entry *e = &r->e[i];
  size_t code_len = strlen(aev_errcode()) + 1, msg_len = strlen(aev_errmsg()) + 1;
  char *text = malloc(code_len + msg_len);
  r->failed++;
  if (!text) {
    e->status = aev__nomem();
    e->code = OOM_CODE;
    e->message = OOM_MESSAGE;
    return;
  }
  memcpy(text, aev_errcode(), code_len);
  memcpy(text + code_len, aev_errmsg(), msg_len);
  e->status = status;
  e->code = text;
  e->message = text + code_len;
}

static void send_failed(void *ctx, size_t i, int status) {
  entry_fail(ctx, i, status);
}

void aev_batch_result_free(aev_batch_result *r) {
  if (!r) return;
  for (size_t i = 0; r->failed && i < r->n; i++)
    if (r->e[i].code != OOM_CODE) free((char *)r->e[i].code);
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
  if (!e || e->status || !r->sent || !r->sent[i].id[0]) return NULL;
  const char *s = (const char *)&r->sent[i] + off;
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
 * deduplication id. A batch entry without a group is InvalidParameterValue,
 * not SendMessage's MissingParameter, with the same text (recorded:
 * test_missing_message_group_id_for_fifo_queue). */
int aev__batch_fifo_check(const aev_queue *q, const aev__send_req *reqs,
                          size_t n) {
  for (size_t i = 0; q->conf.fifo && i < n; i++) {
    if (!reqs[i].dedup && !q->conf.content_dedup)
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "The queue should either have ContentBasedDeduplication "
                       "enabled or MessageDeduplicationId provided explicitly");
    if (!reqs[i].group)
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "The request must contain the parameter "
                       "MessageGroupId.");
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
  size_t lens[MAX_ENTRIES];
  if ((rc = check_entries(n, ids, total, "SendMessageBatchRequestEntry", lens)))
    return rc;
  if ((rc = aev__batch_fifo_check(q, reqs, n)) != AEV_OK) return rc;
  aev_batch_result *r = result_new(n, ids, lens, 1);
  if (!r) return aev__nomem();
  rc = aev__queue_send_many(q, n, reqs, r->sent, send_failed, r);
  if (rc != AEV_OK) {
    aev_batch_result_free(r);
    return rc;
  }
  *out = r;
  return AEV_OK;
}

int aev_queue_send_batch(aev_queue *q, size_t n, const char *const *ids,
                         const void *const *bodies, const size_t *lens,
                         const aev_send_options *const *opts,
                         aev_batch_result **out) {
  if (!q || !out || (n && (!ids || !bodies || !lens)))
    return aev__sqs_no_argument();
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
  if (!out || (n && (!ids || !handles))) return aev__sqs_no_argument();
  const char *kind = seconds ? "ChangeMessageVisibilityBatchRequestEntry"
                             : "DeleteMessageBatchRequestEntry";
  size_t lens[MAX_ENTRIES];
  if ((rc = check_entries(n, ids, 0, kind, lens)) != AEV_OK) return rc;
  aev_batch_result *r = result_new(n, ids, lens, 0);
  if (!r) return aev__nomem();
  aev__handle h[MAX_ENTRIES];
  for (size_t i = 0; i < n; i++) aev__handle_read(q, handles[i], &h[i]);
  aev__msg *deleted = NULL;
  aev__queue_lock(q);
  int64_t now = seconds ? aev__queue_now_mono(q) : aev__queue_delete_now(q);
  for (size_t i = 0; i < n && !q->res.deleted; i++) {
    int s = !handles[i] || !*handles[i]
                ? aev__sqs_missing("ReceiptHandle")
            : seconds ? aev__queue_change_visibility_locked(q, &h[i],
                                                            seconds[i], now)
                      : aev__queue_delete_locked(q, &h[i], now, &deleted);
    if (s != AEV_OK) entry_fail(r, i, s);
  }
  int gone = q->res.deleted;
  pthread_mutex_unlock(&q->mu);
  aev__queue_free_deleted(q, deleted);
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
