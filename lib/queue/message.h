/* Internal: received messages (the caller-owned copies ReceiveMessage hands
 * out) and how receive.c fills them. */
#ifndef AEV_QUEUE_MESSAGE_H
#define AEV_QUEUE_MESSAGE_H

#include "queue/queue.h"
#include "queue/queue_impl.h"

struct aev_message {
  char id[AEV_MESSAGE_ID_SIZE];
  char handle[AEV__HANDLE_LEN + 1];
  char md5_body[33];
  char md5_attrs[33]; /* "" without selected attributes */
  char seq[AEV_SEQUENCE_NUMBER_SIZE];
  char sender[16];
  char nums[3][24]; /* SentTimestamp, ApproximateReceiveCount, FirstReceive */
  /* raw values, formatted by aev__message_finish() outside the lock */
  uint8_t raw_id[16];
  uint8_t raw_md5[16];
  uint8_t raw_attrs_md5[16];
  int attrs_md5_known;
  uint64_t raw_seq;
  int64_t sent_ms, first_rx_ms;
  uint32_t rx_count;
  int fifo;
  const char *group, *dedup, *trace, *dlq_source;
  const uint8_t *attrs;
  size_t attrs_len;
  size_t len;
  char *body;
  char data[];
};

/* Copies m as received now (mu held): body, selected attributes, system
 * attributes and the receipt handle. NULL when out of memory. */
aev_message *aev__message_copy(const aev_queue *q, const aev__msg *m,
                               const aev__recv_req *r);

/* Formats ids, MD5s and sequence numbers (no lock needed). */
void aev__message_finish(aev_message *msg);

#endif
