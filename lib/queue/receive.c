/* ReceiveMessage: parameter checks, delivery from the available list
 * (standard) or group heads (FIFO), the dead-letter move at the moment a
 * receive would exceed maxReceiveCount, and long polling on a CLOCK_MONOTONIC
 * condition variable whose deadline is the earlier of the wait's end and the
 * queue's next delay/visibility change, so no timer or polling is needed. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "queue/message.h"
#include "queue/queue.h"
#include "queue/recv_block.h"
#include "queue/redrive.h"

struct aev_receive_options {
  int visibility;
  char **names;
  size_t n_names;
  int names_set;
  char *attempt_id;
};

typedef struct collect {
  const aev__recv_req *r;
  int64_t now, now_ms;
  int vis;
  int redrive;
  aev_message **out;
  size_t *n;
  aev__msg *moved;
  aev__msg **got; /* what was delivered, for ReceiveRequestAttemptId */
  aev__recv_mem mem; /* where copies go (recv_block.c) */
  char *dlq; /* the dead-letter queue's ARN, copied by the first move */
  int nomem;
} collect;

/* A receipt handle carries 48 bits of it (handle.c); never 0, which means
 * "not received". The message's part is drawn at its first receive and
 * kept; the receive's part counts its receives (queue_impl.h). */
static uint64_t next_nonce(aev_queue *q, const aev__msg *m) {
  uint64_t mine = m->nonce >> AEV__NONCE_RX_BITS;
  while (!mine) mine = aev__rng_next(&q->rng) >> (16 + AEV__NONCE_RX_BITS);
  return mine << AEV__NONCE_RX_BITS | (m->rx_count & AEV__NONCE_RX_MASK);
}

/* 1 when m must go to the dead-letter queue instead of being delivered
 * (out of memory for the queue's ARN, it stays and the receive stops). */
static int must_move(aev_queue *q, collect *c, aev__msg *m) {
  if (!c->redrive || m->rx_count < (uint32_t)q->conf.max_receive) return 0;
  if (!c->dlq && !(c->dlq = strdup(q->conf.dlq_arn))) {
    c->nomem = 1;
    return 1;
  }
  aev__store_take(q, m);
  m->next = c->moved;
  c->moved = m;
  return 1;
}

static void deliver(aev_queue *q, collect *c, aev__msg *m) {
  /* The copy's memory first: without it the message stays as it was,
   * visible and its receive not counted. */
  aev__msg_block *b;
  aev_message *msg = aev__recv_mem_take(&c->mem, q, aev__message_size(q, m), &b);
  if (!msg) {
    c->nomem = 1;
    return;
  }
  m->rx_count++;
  m->nonce = next_nonce(q, m);
  if (!m->first_rx_ms) m->first_rx_ms = c->now_ms;
  m->visible_at = c->now + (int64_t)c->vis * 1000;
  /* As "now - 1" so that even a visibility of 0 parks the message in the
   * pending heap: SQS returns a message at most once per ReceiveMessage,
   * and the next receive's aev__store_mature makes it available again. */
  if (!q->conf.fifo) aev__store_reschedule(q, m, c->now - 1);
  aev__message_fill(msg, b, q, m, c->r);
  c->got[*c->n] = m;
  c->out[(*c->n)++] = msg;
}

/* A retried FIFO receive with a known ReceiveRequestAttemptId: the same
 * messages and receipt handles again, all of them (their visibility
 * restarted) or, out of memory for their copies, none (nothing changed).
 * 0 when there is nothing to replay. */
static int replay(aev_queue *q, collect *c) {
  aev__msg *ms[10];
  aev_message *msg[10];
  aev__msg_block *b[10];
  size_t k = aev__attempt_replay(q, c->r->attempt_id, c->now, (size_t)c->r->max, ms);
  for (size_t i = 0; i < k; i++)
    if (!(msg[i] = aev__recv_mem_take(&c->mem, q, aev__message_size(q, ms[i]), &b[i]))) {
      while (i--) aev__msg_block_unref(b[i]);
      c->nomem = 1;
      return 1;
    }
  aev__attempt_restart(q, c->r->attempt_id, ms, k, c->now + (int64_t)c->vis * 1000);
  for (size_t i = 0; i < k; i++) {
    aev__message_fill(msg[i], b[i], q, ms[i], c->r);
    c->out[(*c->n)++] = msg[i];
  }
  return k > 0;
}

static void collect_standard(aev_queue *q, collect *c) {
  aev__store_mature(q, c->now);
  aev__msg *m;
  while (*c->n < (size_t)c->r->max && !c->nomem && (m = aev__store_oldest(q)))
    if (!must_move(q, c, m)) deliver(q, c, m);
}

/* Serves groups in ring order; within a group, messages in order up to the
 * first one that is not visible (in flight or delayed), which blocks the
 * rest of its group. A message on its way to the dead-letter queue blocks
 * the rest too, until its move settles (this receive's or another's, see
 * aev__hold): should the move fail, it is put back ahead of them, and
 * none of them may have been delivered before it. */
static void collect_fifo(aev_queue *q, collect *c) {
  aev__group *g = q->ring;
  size_t ngroups = q->groups.count;
  for (size_t i = 0; i < ngroups && g && *c->n < (size_t)c->r->max; i++) {
    aev__group *next = g->next == g ? NULL : g->next;
    aev__msg *m = g->away ? NULL : g->head;
    while (m && m->visible_at <= c->now && *c->n < (size_t)c->r->max &&
           !c->nomem && !must_move(q, c, m)) {
      aev__msg *after = m->next;
      deliver(q, c, m);
      m = after;
    }
    g = next ? next : q->ring;
  }
  if (g && q->ring) q->ring = g;
}

static void collect_fifo_with_attempt(aev_queue *q, collect *c) {
  aev__attempts_prune(q, c->now);
  if (c->r->attempt_id && replay(q, c)) return;
  collect_fifo(q, c);
  if (c->r->attempt_id && *c->n)
    aev__attempt_record(q, c->r->attempt_id, c->now, c->got, *c->n);
}

static int check(const aev_queue *q, const aev__recv_req *r) {
  if (r->max < 1 || r->max > 10)
    return aev__sqs_invalid_int("MaxNumberOfMessages", r->max,
                                "Must be between 1 and 10, if provided.");
  /* The typed call's wait is in milliseconds: the message keeps a part of
   * a second, which cut off would name a valid 20. */
  if (r->wait_ms > 20000 || r->wait_ms < -1)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %.15g for parameter WaitTimeSeconds is invalid. "
                     "Reason: Must be >= 0 and <= 20, if provided.",
                     (double)r->wait_ms / 1000);
  if (r->visibility > AEV__VISIBILITY_MAX || r->visibility < -1)
    return aev__sqs_invalid_int("VisibilityTimeout", r->visibility,
                                "Must be >= 0 and <= 43200, if provided.");
  /* The attempt id applies to FIFO queues only; standard queues ignore it. */
  if (r->attempt_id && q->conf.fifo) {
    int rc = aev__attempt_check(r->attempt_id);
    if (rc != AEV_OK) return rc;
  }
  return aev__queue_check(q);
}

/* How long a long poll watches for a send before its first sleep, and
 * how many long polls then sleep at once after a spin saw none (an idle
 * queue, or a producer that cannot run meanwhile: one core). */
#define SPIN_NS 5000
#define SPIN_BACKOFF 16

static int64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Before a long poll's first sleep, watches q->sends for up to SPIN_NS
 * with the lock released (mu held on entry and on return). A receiver
 * that sleeps costs its sender a futex wake-up and itself a trip through
 * the scheduler, and an idle core's wake from a low-power state; a
 * consumer that keeps up with a producer finds the queue empty between
 * batches that are a few microseconds apart, and would pay that on
 * nearly every batch. Once per receive and bounded, so an idle receiver
 * still sleeps; skipped by the SPIN_BACKOFF long polls after one that saw
 * no send. 1 when it spun, 0 when skipped (the lock was kept). */
static int spin_for_send(aev_queue *q) {
  if (q->spin_skip) {
    q->spin_skip--;
    return 0;
  }
  uint64_t seen = atomic_load_explicit(&q->sends, memory_order_relaxed);
  pthread_mutex_unlock(&q->mu);
  int64_t until = mono_ns() + SPIN_NS;
  int sent = 0;
  do {
    for (int i = 0; i < 32 && !sent; i++) {
      sent = atomic_load_explicit(&q->sends, memory_order_relaxed) != seen;
      aev__cpu_relax();
    }
  } while (!sent && mono_ns() < until);
  aev__queue_lock(q);
  if (!sent) q->spin_skip = SPIN_BACKOFF;
  return 1;
}

static void wait_until(aev_queue *q, int64_t deadline_ms) {
  struct timespec ts = {.tv_sec = deadline_ms / 1000,
                        .tv_nsec = (deadline_ms % 1000) * 1000000};
  q->waiters++;
  pthread_cond_timedwait(&q->cv, &q->mu, &ts);
  q->waiters--;
}

int aev__queue_receive(aev_queue *q, const aev__recv_req *r,
                       aev_message **out, size_t *n) {
  *n = 0;
  int rc = check(q, r);
  if (rc != AEV_OK) return rc;
  aev__msg *got[10]; /* written before it is read */
  collect c = {.r = r, .out = out, .n = n, .got = got};
  aev__recv_mem_init(&c.mem, q, r->max);

  aev__queue_lock(q);
  int64_t wait = r->wait_ms >= 0 ? r->wait_ms : (int64_t)q->conf.wait * 1000;
  c.now = aev__queue_now_mono(q);
  int64_t deadline = c.now + wait;
  int spun = 0;
  for (;;) {
    c.now_ms = aev__queue_now_ms(q);
    c.vis = r->visibility >= 0 ? r->visibility : q->conf.visibility;
    c.redrive = q->conf.dlq_arn != NULL;
    if (q->res.deleted) { /* deleted, or its broker shut down */
      rc = aev__queue_check(q);
      break;
    }
    aev__store_prune(q, c.now);
    /* SQS refuses short polls past ~120,000 in-flight messages on standard
     * queues; long polls just return nothing. */
    if (!q->conf.fifo && q->heap_inflight >= AEV__INFLIGHT_LIMIT) {
      aev__store_mature(q, c.now);
      if (q->heap_inflight >= AEV__INFLIGHT_LIMIT) {
        if (wait == 0)
          rc = aev__fail(AEV_ERR_LIMIT, "OverLimit",
                         "Too many messages in flight: the queue has %d "
                         "in-flight messages.",
                         AEV__INFLIGHT_LIMIT);
        break;
      }
    }
    if (q->conf.fifo) collect_fifo_with_attempt(q, &c);
    else collect_standard(q, &c);
    /* Under the manual clock a receive never blocks (DESIGN §3). */
    if (*n || c.moved || c.nomem || c.now >= deadline ||
        aev_broker_clock_mode(q->res.broker) == AEV_CLOCK_MANUAL)
      break;
    /* After a spin (the lock was released), look again before sleeping. */
    if (spun++ || !spin_for_send(q)) {
      int64_t next = aev__store_next_change(q, c.now);
      wait_until(q, next < deadline ? next : deadline);
    }
    c.now = aev__queue_now_mono(q);
  }
  /* Passes a send's single wake-up on (aev__queue_wake_send). */
  int pass = !q->conf.fifo && q->waiters && !q->res.deleted &&
             aev__store_oldest(q);
  uint64_t clears = q->clears; /* as when c.moved was taken */
  pthread_mutex_unlock(&q->mu);
  if (pass) aev__queue_signal(q);

  aev__recv_mem_done(&c.mem, q);
  for (size_t i = 0; i < *n; i++) aev__message_finish(out[i]);
  if (c.moved) {
    /* What the dead-letter queue had no memory for is back as it was. */
    size_t refused;
    aev__redrive_enqueue(q->res.broker, c.dlq, c.moved, q->res.arn, 1, q, clears,
                         &refused);
    if (refused) c.nomem = 1;
    free(c.dlq); /* copied by the first move */
  }
  if (rc == AEV_OK && c.nomem && *n == 0) rc = aev__nomem();
  return rc;
}

int aev__queue_waiters(aev_queue *q) {
  aev__queue_lock(q);
  int n = q->waiters;
  pthread_mutex_unlock(&q->mu);
  return n;
}

/* ---- public API ---- */

int aev_receive_options_new(aev_receive_options **out) {
  if (!out) return aev__sqs_no_argument();
  aev_receive_options *o = calloc(1, sizeof *o);
  if (!o) return aev__nomem();
  o->visibility = -1;
  *out = o;
  return AEV_OK;
}

static void free_names(aev_receive_options *o) {
  for (size_t i = 0; i < o->n_names; i++) free(o->names[i]);
  free(o->names);
  o->names = NULL;
  o->n_names = 0;
  o->names_set = 0;
}

void aev_receive_options_free(aev_receive_options *o) {
  if (!o) return;
  free_names(o);
  free(o->attempt_id);
  free(o);
}

int aev_receive_options_set_visibility(aev_receive_options *o, int seconds) {
  if (!o) return aev__sqs_no_argument();
  if (seconds < 0 || seconds > AEV__VISIBILITY_MAX)
    return aev__sqs_invalid_int("VisibilityTimeout", seconds,
                                "Must be >= 0 and <= 43200, if provided.");
  o->visibility = seconds;
  return AEV_OK;
}

int aev_receive_options_set_attribute_names(aev_receive_options *o,
                                            const char *names_json) {
  if (!o) return aev__sqs_no_argument();
  json_t *a;
  if (aev__json_parse_str(names_json, JSON_ALLOW_NUL, &a) == AEV_ERR_NOMEM)
    return AEV_ERR_NOMEM;
  if (!json_is_array(a)) {
    json_decref(a);
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "MessageAttributeNames must be a JSON array of "
                     "strings.");
  }
  int refused = aev__sqs_refuse_nul("MessageAttributeNames", a);
  if (refused != AEV_OK) {
    json_decref(a);
    return refused;
  }
  free_names(o);
  size_t n = json_array_size(a);
  o->names = calloc(n ? n : 1, sizeof *o->names);
  int rc = o->names ? AEV_OK : aev__nomem();
  for (size_t i = 0; rc == AEV_OK && i < n; i++) {
    const char *s = json_string_value(json_array_get(a, i));
    if (!s)
      rc = aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "MessageAttributeNames must be a JSON array of "
                     "strings.");
    else if (!(o->names[o->n_names++] = strdup(s)))
      rc = aev__nomem();
  }
  json_decref(a);
  if (rc != AEV_OK) free_names(o);
  else o->names_set = 1;
  return rc;
}

int aev_receive_options_set_attempt_id(aev_receive_options *o,
                                       const char *attempt_id) {
  if (!o) return aev__sqs_no_argument();
  char *d = attempt_id ? strdup(attempt_id) : NULL;
  if (attempt_id && !d) return aev__nomem();
  free(o->attempt_id);
  o->attempt_id = d;
  return AEV_OK;
}

int aev_queue_receive(aev_queue *q, int max, int64_t wait_ms,
                      const aev_receive_options *opts, aev_message **out,
                      size_t *n) {
  if (!q || !out || !n) return aev__sqs_no_argument();
  aev__recv_req r = {.max = max, .wait_ms = wait_ms < 0 ? -1 : wait_ms,
                     .visibility = -1, .all_names = 1};
  if (opts) {
    r.visibility = opts->visibility;
    r.attempt_id = opts->attempt_id;
    if (opts->names_set) {
      r.names = (const char *const *)opts->names;
      r.n_names = opts->n_names;
      r.all_names = 0;
    }
  }
  return aev__queue_receive(q, &r, out, n);
}
