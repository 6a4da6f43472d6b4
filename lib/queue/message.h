/* Internal: received messages (the caller-owned copies ReceiveMessage hands
 * out) and how receive.c fills them. */
#ifndef AEV_QUEUE_MESSAGE_H
#define AEV_QUEUE_MESSAGE_H

#include "queue/queue.h"
#include "queue/queue_impl.h"

/* One allocation holding several received messages (recv_block.c); each
 * message in it holds a reference. */
typedef struct aev__msg_block aev__msg_block;
void aev__msg_block_unref(aev__msg_block *b);

struct aev_message {
  /* id, handle, md5_body and md5_attrs first hold raw bytes, written under
   * the queue's lock; aev__message_finish() formats them in place. */
  char id[AEV_MESSAGE_ID_SIZE];
  char handle[AEV__HANDLE_LEN + 1];
  char md5_body[33];
  char md5_attrs[33]; /* "" without selected attributes */
  char seq[21];       /* FIFO: 20 digits */
  char sender[13];    /* the account id */
  uint8_t attrs_md5_known, fifo;
  uint32_t rx_count;
  uint64_t raw_seq;
  int64_t sent_ms, first_rx_ms;
  char nums[3][21]; /* SentTimestamp, ApproximateReceiveCount, FirstReceive */
  const char *group, *dedup, *trace, *dlq_source;
  const uint8_t *attrs;
  size_t attrs_len;
  size_t len;
  char *body;
  aev__msg_block *block; /* the receive's shared allocation, or NULL */
  char data[];
};

/* The bytes m's received copy takes, and that copy written to msg as m is
 * received now (mu held): body, selected attributes, system attributes and
 * the receipt handle. block: the allocation msg is part of, or NULL when
 * msg was allocated on its own. */
size_t aev__message_size(const aev__msg *m);
void aev__message_fill(aev_message *msg, aev__msg_block *block,
                       const aev_queue *q, const aev__msg *m,
                       const aev__recv_req *r);

/* Formats ids, MD5s and sequence numbers (no lock needed). */
void aev__message_finish(aev_message *msg);

#endif
