/* Internal: received messages (the caller-owned copies ReceiveMessage hands
 * out) and how receive.c fills them. */
#ifndef AEV_QUEUE_MESSAGE_H
#define AEV_QUEUE_MESSAGE_H

#include <stddef.h>

#include "queue/queue.h"
#include "queue/queue_impl.h"

/* An allocation holding one or more received messages (recv_block.c);
 * each message in it holds a reference. */
typedef struct aev__msg_block aev__msg_block;
void aev__msg_block_unref(aev__msg_block *b);
/* The SenderId of the block's messages. */
const char *aev__msg_block_sender(const aev__msg_block *b);

/* What only some received copies carry, kept after the body: message
 * attributes, FIFO fields, a trace header, a chain of requests, a DLQ
 * source. A plain message of a standard queue (most of them) has none, so
 * its copy stays small. */
typedef struct aev__rx_more {
  const char *group, *dedup, *trace, *lineage, *dlq_source;
  const uint8_t *attrs; /* the selected attributes, NULL when none */
  size_t attrs_len;
  uint64_t raw_seq;
  uint8_t fifo, attrs_md5_known;
  /* Raw bytes until aev__message_finish() formats it; "" without
   * selected attributes. */
  char md5_attrs[33];
  char seq[21]; /* FIFO: 20 digits */
} aev__rx_more;

/* The text of the numeric system attributes, made on first request. */
typedef struct aev__rx_nums {
  char sent[21], count[21], first[21];
} aev__rx_nums;

/* Kept small, as every receive writes fresh memory the caller keeps: a copy
 * of a 100-byte body takes 248 bytes (the sender id is its block's). */
struct aev_message {
  aev__msg_block *block; /* the allocation it is part of */
  aev__rx_nums *nums;    /* NULL until a numeric attribute is asked for */
  int64_t sent_ms, first_rx_ms;
  uint32_t len, rx_count;
  /* id, handle and md5_body first hold raw bytes, written under the
   * queue's lock; aev__message_finish() formats them in place. */
  char id[AEV_MESSAGE_ID_SIZE];
  char handle[AEV__HANDLE_LEN + 1];
  char md5_body[33];
  uint8_t has_more; /* an aev__rx_more follows the body */
  char data[];      /* the body, NUL-terminated, then any aev__rx_more */
};

/* Where a copy with a body of len bytes keeps its aev__rx_more. */
static inline size_t aev__rx_more_at(size_t len) {
  size_t at = offsetof(aev_message, data) + len + 1, a = _Alignof(aev__rx_more);
  return (at + a - 1) / a * a;
}

/* The message's aev__rx_more, or NULL when it has none. */
static inline aev__rx_more *aev__message_more(const aev_message *m) {
  return m->has_more ? (aev__rx_more *)(void *)((char *)m + aev__rx_more_at(m->len))
                     : NULL;
}

/* The bytes m's received copy takes, and that copy written to msg as m is
 * received now (mu held): body, selected attributes, system attributes and
 * the receipt handle. block: the allocation msg is part of. */
static inline int aev__message_has_more(const aev_queue *q, const aev__msg *m) {
  return m->ext || q->conf.fifo;
}
size_t aev__message_size_more(const aev_queue *q, const aev__msg *m);
/* Inline for the common copy: a standard queue's plain message. */
static inline size_t aev__message_size(const aev_queue *q, const aev__msg *m) {
  return aev__message_has_more(q, m) ? aev__message_size_more(q, m)
                                     : offsetof(aev_message, data) + m->len + 1;
}
void aev__message_fill(aev_message *msg, aev__msg_block *block,
                       const aev_queue *q, const aev__msg *m,
                       const aev__recv_req *r);

/* Formats ids, MD5s and sequence numbers (no lock needed). */
void aev__message_finish(aev_message *msg);

#endif
