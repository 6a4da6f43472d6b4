/* Internal to lib/queue: the queue object, its stored messages, FIFO groups
 * and deduplication entries. Every field below `mu` is guarded by mu. */
#ifndef AEV_QUEUE_IMPL_H
#define AEV_QUEUE_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "awsevents/queue.h"
#include "core/ids.h"
#include "core/registry.h"
#include "core/threads.h"
#include "queue/qmap.h"
#include "queue/queue.h"

#define AEV__VISIBILITY_MAX 43200
#define AEV__DEDUP_WINDOW_MS (5 * 60 * 1000)
#define AEV__PURGE_INTERVAL_MS (60 * 1000)
#define AEV__INFLIGHT_LIMIT 120000
#define AEV__SPARE_PACKS 4

typedef struct aev__group aev__group;
typedef struct aev__attempt aev__attempt;

/* What few messages carry: attributes, FIFO ids, trace header, a chain of
 * requests, DLQ source. */
typedef struct aev__msg_ext {
  uint8_t *attrs; /* packed, sorted (msgattr.h); NULL when none */
  size_t attrs_len;
  uint8_t attrs_md5[16];
  char *group;      /* MessageGroupId */
  char *dedup;      /* MessageDeduplicationId (FIFO) */
  char *trace;      /* AWSTraceHeader */
  char *lineage;    /* its chain of requests (function/lineage.h) */
  char *dlq_source; /* DeadLetterQueueSourceArn */
  aev__group *grp;  /* FIFO: the group list the message is on */
  aev__group *away_from; /* FIFO: the group holding its place while a move
                          * has it out (aev__store_take), else NULL */
} aev__msg_ext;

/* A stored message, body inline or shared (an SNS fan-out's body, see
 * aev__qbody in queue.h). Standard queues keep it on the available list
 * (link) or in the ready or pending heap (heap_index); FIFO queues keep it on
 * its group's list (link). Everything keeps it on the retention list (all),
 * ordered by expire_at. Two cache lines, so the body's MD5 is not copied in
 * (a shared body holds it; an inline body's sits before it in tail). */
typedef struct aev__msg {
  struct aev__msg *all_prev, *all_next;
  struct aev__msg *prev, *next;
  int64_t visible_at;  /* deadline timeline ms: delay end / visibility end */
  int64_t expire_at;   /* deadline timeline ms: retention end */
  int64_t sent_ms;     /* epoch ms (SentTimestamp) */
  int64_t first_rx_ms; /* epoch ms (ApproximateFirstReceiveTimestamp), 0 */
  uint64_t nonce;      /* of the newest receipt handle; 0 = never received */
  uint64_t seq;        /* arrival order; the FIFO SequenceNumber */
  uint32_t slot;
  uint32_t rx_count;
  uint32_t heap_index; /* index + 1 while in a heap */
  uint32_t len : 29;   /* ≤ 1 MiB (MaximumMessageSize) */
  uint32_t in_ready : 1; /* which heap: ready (1) or pending (0) */
  uint32_t waiting : 1;  /* on the queue's wait list (link), not a heap */
  uint32_t packed : 1;   /* one of a send batch's block (pack.c) */
  uint8_t id[16];
  aev__msg_ext *ext;
  aev__qbody *shared; /* the body when shared, else NULL and tail[] */
  unsigned char tail[]; /* inline: the body's MD5, then the body and a NUL */
} aev__msg;

/* A fan-out's message in a standard queue until its first receive (store.c
 * calls it fresh): only what a message nobody has seen yet needs, as it is
 * visible, unreceived and has no slot. It lives in its shared body's block
 * (a carried record), so a fan-out to ten queues writes ten of these 56
 * bytes instead of ten 128-byte aev__msg; the receive that first takes it
 * makes the aev__msg, which then holds the body's reference. */
typedef struct aev__fresh {
  struct aev__fresh *next; /* the queue's fresh list, in seq order */
  aev__qbody *body;        /* a reference */
  uint64_t seq;
  int64_t sent_ms;   /* epoch ms (SentTimestamp) */
  int64_t expire_at; /* deadline timeline ms: retention end */
  uint8_t id[16];
} aev__fresh;

/* Where a shared body's carried records start: after its data and NUL. */
static inline size_t aev__qbody_recs_at(size_t len) {
  size_t at = offsetof(aev__qbody, data) + len + 1, a = _Alignof(aev__fresh);
  return (at + a - 1) / a * a;
}

/* A shared body's carried record i (aev__qbody_take). */
static inline aev__fresh *aev__qbody_rec(aev__qbody *b, uint32_t i) {
  return (aev__fresh *)(void *)((unsigned char *)b + aev__qbody_recs_at(b->len)) + i;
}

/* The message's body bytes (NUL-terminated) and their MD5. */
static inline const unsigned char *aev__msg_body(const aev__msg *m) {
  return m->shared ? m->shared->data : m->tail + 16;
}
static inline const uint8_t *aev__msg_md5(const aev__msg *m) {
  return m->shared ? m->shared->md5 : m->tail;
}

/* A binary min-heap of messages (their heap_index tracks the position). */
typedef struct aev__mheap {
  aev__msg **a;
  size_t n, cap;
  int by_seq; /* 0: (visible_at, seq), 1: seq */
} aev__mheap;

struct aev__group {
  aev__qnode node; /* key = name */
  aev__group *prev, *next; /* the queue's ring of groups with messages */
  aev__msg *head, *tail;   /* messages in sequence order */
  uint32_t away; /* its messages a move has out (aev__store_take): while
                  * any, the group stays and delivers nothing */
  char name[];
};

typedef struct aev__dedup {
  aev__qnode node; /* key = scope key (group \x1f id, or id) */
  struct aev__dedup *next; /* insertion (= expiry) order */
  int64_t expire_at;
  uint8_t id[16]; /* MessageId of the accepted message */
  uint64_t seq;
  char key[];
} aev__dedup;

/* Parsed queue attributes. */
typedef struct aev__qconf {
  int visibility, delay, retention, max_size, wait;
  int fifo, content_dedup;
  int dedup_scope_group;    /* DeduplicationScope=messageGroup */
  int throughput_per_group; /* FifoThroughputLimit=perMessageGroupId */
  int sse;                  /* SqsManagedSseEnabled */
  char *kms_key;            /* KmsMasterKeyId, NULL if unset */
  int kms_reuse;            /* KmsDataKeyReusePeriodSeconds, 0 if unset */
  char *policy;             /* Policy text */
  char *redrive;            /* RedrivePolicy text (normalised) */
  char *dlq_arn;            /* its deadLetterTargetArn */
  int max_receive;          /* its maxReceiveCount */
  char *redrive_allow;      /* RedriveAllowPolicy text */
} aev__qconf;

struct aev_queue {
  aev__resource res; /* first: the registry's view */
  char *url;
  uint32_t tag; /* receipt handles carry it: another queue's are invalid */
  pthread_mutex_t mu;
  pthread_cond_t cv; /* long-poll receivers (CLOCK_MONOTONIC) */
  int waiters;
  aev__qconf conf;
  json_t *tags;
  int64_t created_s, modified_s;
  int64_t purged_at; /* deadline timeline ms of the last purge, or INT64_MIN */
  aev__rng rng;
  uint64_t next_seq;
  /* storage */
  aev__msg **slots;
  uint32_t nslots, slots_cap;
  uint32_t *free_slots;
  uint32_t nfree;
  /* FIFO only: per slot, the nonce of the handle its last message was
   * deleted with (settle.c tells a repeated delete from a stale one). */
  uint64_t *deleted_nonce;
  size_t count;
  /* aev__store_clear calls so far (purges, DeleteQueue): a message a move
   * took out before one does not come back (redrive.c). */
  uint64_t clears;
  aev__msg *all_head, *all_tail;
  /* standard: fresh sends on the available list (in seq order), matured
   * delays and ended visibility timeouts in the ready heap (by seq), so
   * delivery stays oldest-first; the rest in the pending heap */
  aev__msg *av_head, *av_tail;
  aev__mheap pending; /* by (visible_at, seq) */
  /* Not visible yet either, in visible_at order: what arrives no earlier
   * than its tail (a receive's visibility timeout, a queue's delay) is
   * appended here instead of pushed on the pending heap. */
  aev__msg *wait_head, *wait_tail;
  aev__mheap ready;   /* by seq */
  size_t heap_inflight; /* pending and waiting entries with rx_count > 0 */
  /* Fan-out messages not received yet, in seq and expire_at order; count
   * includes them. While there are any, every aev__msg is older (store.c
   * turns them into records before it adds another), so turning the head
   * into one appends it to the retention list. */
  aev__fresh *fresh_head, *fresh_tail;
  size_t nfresh;
  /* FIFO */
  aev__qmap groups;
  aev__group *ring; /* next group to serve */
  aev__qmap dedup;
  aev__dedup *dd_head, *dd_tail;
  aev__qmap attempts; /* ReceiveRequestAttemptId records (attempt.c) */
  aev__attempt *at_head, *at_tail;
  /* message move tasks out of this queue, newest first */
  struct aev__move_task *tasks;
  struct aev__queue_watch *watches; /* watch.c: event-source mappings */
  /* receive.c: the largest message copy the last receive made, which sizes
   * the next one's block before the lock is taken (so atomic, not mu) */
  _Atomic size_t recv_size;
  /* recv_block.c: the block receives carve their copies from (mu), and its
   * free bytes, read without the lock to decide whether a receive should
   * bring a fresh block */
  struct aev__msg_block *recv_slab;
  _Atomic size_t recv_room;
  /* recv_block.c: the size of the next block (0: the first, smallest) */
  _Atomic size_t recv_cap;
  /* Bumped by every send that stores a message (mu held); read without
   * the lock by a receiver spinning before it sleeps (receive.c). */
  _Atomic uint64_t sends;
  /* receive.c: long polls that will sleep without spinning first, after a
   * spin that saw no send */
  unsigned spin_skip;
  /* pack.c: emptied send-batch blocks kept for the next batch (no lock:
   * taken and put back with atomic exchanges) */
  void *_Atomic spare_packs[AEV__SPARE_PACKS];
};

/* pack.c: a send batch's messages (body copies) in one allocation that
 * goes with the last of them, or back to q for its next batch. Fills
 * out[0..n) and returns 1; 0 (nothing made) when that would not pay (fewer
 * than two, or large bodies) or memory is short. */
int aev__msg_pack(aev_queue *q, size_t n, const void *const *bodies,
                  const size_t *lens, aev__msg **out);
/* Drops a packed message's hold on its block (aev__msg_free_in): the last
 * keeps the block for q's next batch when q made it and has room (q may be
 * NULL), else frees it. */
void aev__msg_pack_drop(aev__msg *m, aev_queue *q);
/* Frees the blocks q keeps (queue destroy). */
void aev__msg_packs_free(aev_queue *q);
/* recv_block.c: drops the queue's receive block (queue destruction). */
void aev__recv_slab_free(aev_queue *q);

/* store.c: message memory, slots, lists and heap (callers hold mu). A
 * message either copies its body or takes over the caller's reference to a
 * shared one (dropped if the message cannot be made). */
aev__msg *aev__msg_new(const void *body, size_t len);
/* aev__msg_new's message in memory the caller made, of
 * aev__msg_inline_size(len) bytes. */
static inline size_t aev__msg_inline_size(size_t len) {
  return sizeof(aev__msg) + 16 + len + 1;
}
aev__msg *aev__msg_init_inline(void *mem, const void *body, size_t len);
aev__msg *aev__msg_new_shared(aev__qbody *body);
void aev__msg_free(aev__msg *m);
/* The same on q's behalf (q may be NULL): q may then keep the block of
 * a packed message for its next batch. */
void aev__msg_free_in(aev_queue *q, aev__msg *m);
int aev__store_add(aev_queue *q, aev__msg *m); /* slot + retention list */
/* Standard queues, for a message with no delay: appends f (expire_at set,
 * holding a body reference) to the fresh list, 1; 0 when it would expire
 * before the list's tail (retention was shortened), and the caller stores
 * a record instead. */
static inline int aev__store_put_fresh(aev_queue *q, aev__fresh *f) {
  if (q->fresh_tail && q->fresh_tail->expire_at > f->expire_at) return 0;
  f->next = NULL;
  if (q->fresh_tail) q->fresh_tail->next = f;
  else q->fresh_head = f;
  q->fresh_tail = f;
  q->nfresh++;
  q->count++;
  return 1;
}
/* Turns every fresh message into a record (callers that walk all_head). */
void aev__store_ripen(aev_queue *q);
/* A message's place in its queue while a move (redrive.c) has it out:
 * its slot stays reserved and, on a FIFO queue, its group stays and
 * delivers nothing, as while one of its messages is in flight. A move
 * that fails then puts the message back where it was, allocating nothing,
 * before any later message of its group could have been received; one
 * that succeeds lets the place go. */
typedef struct aev__hold {
  uint32_t slot;
  aev__group *grp; /* FIFO; NULL on standard queues */
} aev__hold;
/* Detaches m for a move, holding its place (aev__store_hold_of). */
void aev__store_take(aev_queue *q, aev__msg *m);
/* The place a taken message holds, read before the move hands it on (no
 * lock needed: the move owns it). */
void aev__store_hold_of(aev__msg *m, aev__hold *h);
/* Puts a taken message back into the place it held. */
void aev__store_give_back(aev_queue *q, aev__msg *m, const aev__hold *h, int64_t now);
/* Frees the place a taken message held (it moved, or is gone). */
void aev__store_let_go(aev_queue *q, const aev__hold *h);
/* Removes m from every structure and frees it. */
void aev__store_remove(aev_queue *q, aev__msg *m);
/* Detaches m from every structure without freeing it (DLQ moves). */
void aev__store_unlink(aev_queue *q, aev__msg *m);
/* Standard queues: places m where it belongs for its visible_at (FIFO
 * callers link groups instead). */
void aev__store_place(aev_queue *q, aev__msg *m, int64_t now);
/* Standard: moves pending entries whose time has come to the ready heap. */
void aev__store_mature(aev_queue *q, int64_t now);
/* Standard: the oldest visible message (after mature), or NULL. */
aev__msg *aev__store_oldest(aev_queue *q);
/* Standard: m's visible_at changed while in the heap or available list. */
void aev__store_reschedule(aev_queue *q, aev__msg *m, int64_t now);
/* aev__store_add then aev__store_place (standard queues). */
int aev__store_put(aev_queue *q, aev__msg *m, int64_t now);
/* Frees messages whose retention ended. */
void aev__store_prune(aev_queue *q, int64_t now);
/* Frees every message (purge, destroy), and bumps q->clears. */
void aev__store_clear(aev_queue *q);
void aev__store_free(aev_queue *q);
/* Whether the oldest stored message's retention has ended. */
static inline int aev__store_expiring(const aev_queue *q, int64_t now) {
  return (q->all_head && q->all_head->expire_at <= now) ||
         (q->fresh_head && q->fresh_head->expire_at <= now);
}
/* Earliest visible_at among messages that are not visible yet, or
 * INT64_MAX. */
int64_t aev__store_next_change(aev_queue *q, int64_t now);

/* enqueue.c: gives m its id, sequence number and times (a delay in
 * seconds) and adds it to the store (mu held); the caller then places it
 * (aev__store_place or aev__fifo_link). */
int aev__queue_stamp(aev_queue *q, aev__msg *m, int delay, int64_t now,
                     int64_t now_ms);
/* SendMessage's error for a message over MaximumMessageSize. */
int aev__sqs_too_long(int max_size);

/* fifo.c (callers hold mu). */
int aev__fifo_link(aev_queue *q, aev__msg *m);  /* onto its group's tail */
void aev__fifo_unlink(aev_queue *q, aev__msg *m);
/* A taken message's group (aev__hold): held before m is unlinked, m put
 * back into it in sequence order, or let go (dropped once empty). */
aev__group *aev__fifo_hold(aev__msg *m);
void aev__fifo_give_back(aev__msg *m, aev__group *g);
void aev__fifo_let_go(aev_queue *q, aev__group *g);
/* Looks a dedup key up, pruning expired ones; NULL when not a duplicate. */
aev__dedup *aev__dedup_find(aev_queue *q, const char *key, int64_t now);
int aev__dedup_add(aev_queue *q, const char *key, const uint8_t id[16],
                   uint64_t seq, int64_t now);
void aev__dedup_clear(aev_queue *q);
void aev__fifo_free(aev_queue *q);

/* attempt.c: ReceiveRequestAttemptId (FIFO; callers hold mu). */
int aev__attempt_check(const char *id); /* format, with SQS's error */
void aev__attempts_prune(aev_queue *q, int64_t now);
/* The messages a previous receive with this id returned, when every one is
 * still in flight as that receive left it and they are at most max: written
 * to out and the count returned; else 0. */
size_t aev__attempt_replay(aev_queue *q, const char *id, int64_t now, size_t max,
                           aev__msg **out);
/* Moves the visibility of the n messages aev__attempt_replay() found for
 * id (and its record of them) to visible_at. */
void aev__attempt_restart(aev_queue *q, const char *id, aev__msg *const *msgs, size_t n,
                          int64_t visible_at);
/* Remembers what a receive with this id returned, for 5 minutes. */
void aev__attempt_record(aev_queue *q, const char *id, int64_t now,
                         aev__msg *const *msgs, size_t n);
void aev__attempts_free(aev_queue *q);

/* handle.c: receipt handles. */
/* A receipt handle's 48-bit nonce: the high 40 bits name the message
 * (drawn at its first receive), the low 8 count its receives, so that an
 * earlier receive's handle of a message is told from one of a message that
 * has left its slot since (settle.c). */
#define AEV__NONCE_RX_BITS 8
#define AEV__NONCE_RX_MASK ((1u << AEV__NONCE_RX_BITS) - 1)
#define AEV__HANDLE_LEN 32
#define AEV__HANDLE_RAW 16 /* bytes behind the hex text */
/* The handle's bytes (under mu); aev__hex16() makes their text (no lock
 * needed). */
void aev__handle_pack(const aev_queue *q, const aev__msg *m,
                      uint8_t raw[AEV__HANDLE_RAW]);
/* A receipt handle as a delete or visibility change reads it: decoded
 * before the lock is taken (q->tag never changes). */
typedef struct aev__handle {
  const char *text;
  uint32_t slot;
  uint64_t nonce;
  int valid; /* 0 when the text is not a handle of q */
} aev__handle;
void aev__handle_read(const aev_queue *q, const char *text, aev__handle *h);

/* Lower-case hex of 16 bytes (an MD5) and a NUL. */
void aev__hex16(const uint8_t in[16], char out[33]);
/* Formats a 16-byte id as a UUID string (37 bytes). */
void aev__msg_id_format(const uint8_t id[16], char *out);
/* Formats a FIFO sequence number (decimal, 20 digits) into out[21]. */
void aev__seq_format(uint64_t seq, char *out);

/* watch.c: posts every watch's notification (mu held). */
void aev__queue_watch_notify_locked(aev_queue *q);

/* Lists of messages through prev/next (a standard queue's available and
 * wait lists, a FIFO group's messages), given as their head and tail. */
static inline void aev__mlist_unlink(aev__msg **head, aev__msg **tail, aev__msg *m) {
  if (m->prev) m->prev->next = m->next;
  else *head = m->next;
  if (m->next) m->next->prev = m->prev;
  else *tail = m->prev;
  m->prev = m->next = NULL;
}

/* Links m after `after` (NULL: first). */
static inline void aev__mlist_link_after(aev__msg **head, aev__msg **tail, aev__msg *after,
                                         aev__msg *m) {
  m->prev = after;
  m->next = after ? after->next : *head;
  if (m->next) m->next->prev = m;
  else *tail = m;
  if (after) after->next = m;
  else *head = m;
}

/* A spinning thread's pause. */
static inline void aev__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* queue.c: the queue's lock (mu, a default mutex). In a process with one
 * thread nobody can contend for it, and glibc's lock of a default mutex is
 * then a plain store, as a floor's would be; an adaptive mutex's always
 * takes a locked compare-and-swap, and a fan-out takes ten queue locks per
 * publish. With threads, a lock found taken is spun for briefly, as
 * glibc's adaptive mutexes do, before the thread sleeps: a producer's and
 * a consumer's critical sections are short, so the spin usually wins and
 * the holder's unlock makes no futex wake-up call. */
void aev__queue_lock_contended(aev_queue *q);
static inline void aev__queue_lock(aev_queue *q) {
  if (aev__single_threaded()) pthread_mutex_lock(&q->mu);
  else if (pthread_mutex_trylock(&q->mu) != 0) aev__queue_lock_contended(q);
}
int64_t aev__queue_now_mono(const aev_queue *q);
int64_t aev__queue_now_ms(const aev_queue *q);
/* Wakes long-poll receivers (mu held). */
void aev__queue_wake(aev_queue *q);
/* After a send (mu held): bumps q->sends for a receiver spinning before
 * its sleep (receive.c). Standard queues wake one long-poll receiver,
 * which passes the wake-up on when it leaves visible messages behind
 * (receive.c), so a batch does not wake every idle consumer for one of
 * them to take it; FIFO queues wake all, as group blocking decides who can
 * take what. Returns 1 when that one receiver is owed a signal: the caller
 * gives it with aev__queue_signal() once mu is released, so the sender
 * does not hold the lock across the futex call and the woken receiver
 * finds the lock free instead of going back to sleep on it. */
static inline int aev__queue_wake_send(aev_queue *q) {
  atomic_store_explicit(&q->sends,
                        atomic_load_explicit(&q->sends, memory_order_relaxed) + 1,
                        memory_order_release);
  if (q->conf.fifo) {
    aev__queue_wake(q);
    return 0;
  }
  if (q->watches) aev__queue_watch_notify_locked(q);
  return q->waiters > 0;
}
/* Signals one long-poll receiver (mu not held; q alive). A receiver that
 * left meanwhile costs nothing: the next one re-checks the queue. */
void aev__queue_signal(aev_queue *q);

/* settle.c (mu held). A delete detaches its message and pushes it on
 * *deleted (linked through next), for aev__queue_free_deleted() to free
 * once mu is released: free() stays out of the critical section. */
int aev__queue_delete_locked(aev_queue *q, const aev__handle *h, int64_t now,
                             aev__msg **deleted);
void aev__queue_free_deleted(aev_queue *q, aev__msg *deleted);
/* The now aev__queue_delete_locked() needs: the clock is read for FIFO
 * queues only, as only their deletes compare a deadline with it. */
int64_t aev__queue_delete_now(const aev_queue *q);
int aev__queue_change_visibility_locked(aev_queue *q, const aev__handle *h,
                                        int seconds, int64_t now);

/* movetask.c: cancels the queue's task timers (mu not held) and frees the
 * task records (destroy). */
void aev__move_tasks_shutdown(aev_queue *q);
void aev__move_tasks_free(aev_queue *q);

/* errors.c: SQS's wording. */
int aev__sqs_no_queue(void);
int aev__sqs_no_argument(void);
int aev__sqs_invalid_value(const char *param, const char *value,
                           const char *reason);
int aev__sqs_invalid_int(const char *param, long long value,
                         const char *reason);
int aev__sqs_missing(const char *param);
int aev__sqs_bad_handle(const char *handle);
/* The typed API parses its JSON arguments with JSON_ALLOW_NUL, as aev_call
 * parses requests, and refuses a string holding U+0000 as aev_call does:
 * v stands for the request member named member ("Attributes"), so the
 * error names the same path ("Attributes.Policy"). */
int aev__sqs_refuse_nul(const char *member, json_t *v);

#endif
