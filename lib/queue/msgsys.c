/* A received message's system attributes as plain values, for consumers
 * that write them out themselves (Lambda's SQS event records) rather than
 * asking for each by name and getting formatted text back. */
#include "queue/message.h"

void aev__message_system(const aev_message *m, aev__msg_system *out) {
  out->sent_ms = m->sent_ms;
  out->first_rx_ms = m->first_rx_ms;
  out->rx_count = m->rx_count;
  out->sender = aev__msg_block_sender(m->block);
  const aev__rx_more *x = aev__message_more(m);
  out->group = x ? x->group : NULL;
  out->dedup = x ? x->dedup : NULL;
  out->seq = x && x->fifo ? x->seq : NULL;
  out->trace = x ? x->trace : NULL;
}

const char *aev__message_lineage(const aev_message *m) {
  const aev__rx_more *x = aev__message_more(m);
  return x ? x->lineage : NULL;
}
