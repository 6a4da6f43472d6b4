/* ReceiveRequestAttemptId on FIFO queues: a receive remembers which messages
 * it returned under its attempt id for 5 minutes, so a retried receive (say
 * after a network error) gets the same messages and receipt handles back,
 * with their visibility timeout reset, while none of them was deleted or had
 * its visibility changed (SQS ReceiveMessage reference). Records are pruned
 * from their oldest end on every FIFO receive. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "queue/queue_impl.h"

struct aev__attempt {
  aev__qnode node; /* key = the attempt id */
  struct aev__attempt *prev, *next; /* creation (= expiry) order */
  int64_t expire_at;
  size_t n;
  struct {
    uint32_t slot;
    uint64_t nonce;
    int64_t visible_at; /* as this attempt left it */
  } msgs[10];
  char key[];
};

int aev__attempt_check(const char *id) {
  size_t n = strlen(id);
  int ok = n >= 1 && n <= 128;
  for (size_t i = 0; ok && i < n; i++) ok = id[i] >= '!' && id[i] <= '~';
  if (ok) return AEV_OK;
  return aev__sqs_invalid_value("ReceiveRequestAttemptId", id,
                                "ReceiveRequestAttemptId can only include "
                                "alphanumeric and punctuation characters. 1 "
                                "to 128 in length.");
}

static void drop(aev_queue *q, aev__attempt *a) {
  aev__qmap_remove(&q->attempts, &a->node);
  if (a->prev) a->prev->next = a->next;
  else q->at_head = a->next;
  if (a->next) a->next->prev = a->prev;
  else q->at_tail = a->prev;
  free(a);
}

void aev__attempts_prune(aev_queue *q, int64_t now) {
  while (q->at_head && q->at_head->expire_at <= now) drop(q, q->at_head);
}

static aev__attempt *find(aev_queue *q, const char *id) {
  return (aev__attempt *)aev__qmap_get(&q->attempts, id, aev__qmap_hash(id));
}

/* The message of entry i if it is still in flight exactly as the attempt
 * left it, else NULL. */
static aev__msg *unchanged(aev_queue *q, const aev__attempt *a, size_t i,
                           int64_t now) {
  uint32_t slot = a->msgs[i].slot;
  aev__msg *m = slot < q->nslots ? q->slots[slot] : NULL;
  if (!m || m->nonce != a->msgs[i].nonce ||
      m->visible_at != a->msgs[i].visible_at || m->visible_at <= now)
    return NULL;
  return m;
}

size_t aev__attempt_replay(aev_queue *q, const char *id, int64_t now, size_t max,
                           aev__msg **out) {
  aev__attempt *a = find(q, id);
  if (!a) return 0;
  if (a->n > max) {
    drop(q, a);
    return 0;
  }
  for (size_t i = 0; i < a->n; i++)
    if (!(out[i] = unchanged(q, a, i, now))) {
      drop(q, a); /* a fresh receive replaces it */
      return 0;
    }
  return a->n;
}

void aev__attempt_restart(aev_queue *q, const char *id, aev__msg *const *msgs, size_t n,
                          int64_t visible_at) {
  aev__attempt *a = find(q, id);
  for (size_t i = 0; i < n; i++) msgs[i]->visible_at = a->msgs[i].visible_at = visible_at;
}

void aev__attempt_record(aev_queue *q, const char *id, int64_t now,
                         aev__msg *const *msgs, size_t n) {
  aev__attempt *old = find(q, id);
  if (old) drop(q, old);
  size_t len = strlen(id);
  aev__attempt *a = malloc(sizeof *a + len + 1);
  if (!a) return; /* a retry then simply receives afresh */
  memcpy(a->key, id, len + 1);
  a->node.key = a->key;
  a->node.hash = aev__qmap_hash(id);
  a->expire_at = now + AEV__DEDUP_WINDOW_MS;
  a->n = n;
  for (size_t i = 0; i < n; i++) {
    a->msgs[i].slot = msgs[i]->slot;
    a->msgs[i].nonce = msgs[i]->nonce;
    a->msgs[i].visible_at = msgs[i]->visible_at;
  }
  if (aev__qmap_put(&q->attempts, &a->node) != AEV_OK) {
    free(a);
    return;
  }
  a->next = NULL;
  a->prev = q->at_tail;
  if (q->at_tail) q->at_tail->next = a;
  else q->at_head = a;
  q->at_tail = a;
}

void aev__attempts_free(aev_queue *q) {
  aev__attempts_prune(q, INT64_MAX);
  aev__qmap_free(&q->attempts);
}
