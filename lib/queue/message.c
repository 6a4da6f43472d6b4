/* Received messages: one allocation holding the body, the selected message
 * attributes and the system attributes; the accessors of the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/status.h"
#include "queue/message.h"

static size_t slen(const char *s) { return s ? strlen(s) + 1 : 0; }

static const char *put_str(char **w, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  memcpy(*w, s, n);
  const char *at = *w;
  *w += n;
  return at;
}

size_t aev__message_size(const aev__msg *m) {
  const aev__msg_ext *e = m->ext;
  size_t extra = m->len + 1;
  if (e)
    extra += e->attrs_len + slen(e->group) + slen(e->dedup) + slen(e->trace) +
             slen(e->dlq_source);
  return sizeof(aev_message) + extra;
}

void aev__message_fill(aev_message *msg, aev__msg_block *block,
                       const aev_queue *q, const aev__msg *m,
                       const aev__recv_req *r) {
  const aev__msg_ext *e = m->ext;
  msg->block = block;
  msg->body = msg->data;
  memcpy(msg->body, aev__msg_body(m), m->len + 1);
  msg->len = m->len;
  memcpy(msg->id, m->id, 16);
  memcpy(msg->md5_body, aev__msg_md5(m), 16);
  msg->raw_seq = m->seq;
  msg->sent_ms = m->sent_ms;
  msg->first_rx_ms = m->first_rx_ms;
  msg->rx_count = m->rx_count;
  msg->fifo = q->conf.fifo;
  msg->attrs = NULL;
  msg->attrs_len = 0;
  msg->attrs_md5_known = 0;
  msg->group = msg->dedup = msg->trace = msg->dlq_source = NULL;
  msg->nums[0][0] = msg->nums[1][0] = msg->nums[2][0] = '\0';
  aev__handle_pack(q, m, (uint8_t *)msg->handle);
  if (e) {
    char *w = msg->data + m->len + 1;
    if (e->attrs) {
      uint8_t *a = (uint8_t *)w;
      if (r->all_names) {
        memcpy(a, e->attrs, e->attrs_len);
        msg->attrs_len = e->attrs_len;
        memcpy(msg->md5_attrs, e->attrs_md5, 16);
        msg->attrs_md5_known = 1;
      } else {
        msg->attrs_len =
            aev__attrs_filter(e->attrs, e->attrs_len, r->names, r->n_names, a);
      }
      msg->attrs = msg->attrs_len ? a : NULL;
      w += msg->attrs_len;
    }
    msg->group = put_str(&w, e->group);
    msg->dedup = put_str(&w, e->dedup);
    msg->trace = put_str(&w, e->trace);
    msg->dlq_source = put_str(&w, e->dlq_source);
  }
  /* The account id: 12 digits. */
  const char *account = aev_broker_account(q->res.broker);
  size_t al = strnlen(account, sizeof msg->sender - 1);
  memcpy(msg->sender, account, al);
  msg->sender[al] = '\0';
}

void aev__message_finish(aev_message *msg) {
  uint8_t handle[AEV__HANDLE_RAW];
  memcpy(handle, msg->handle, sizeof handle);
  aev__handle_text(handle, msg->handle);
  uint8_t raw[16];
  memcpy(raw, msg->id, 16);
  aev__msg_id_format(raw, msg->id);
  memcpy(raw, msg->md5_body, 16);
  aev__hex16(raw, msg->md5_body);
  if (msg->attrs) {
    if (msg->attrs_md5_known) memcpy(raw, msg->md5_attrs, 16);
    else aev__attrs_md5(msg->attrs, msg->attrs_len, raw);
    aev__hex16(raw, msg->md5_attrs);
  } else {
    msg->md5_attrs[0] = '\0';
  }
  msg->seq[0] = '\0';
  if (msg->fifo) aev__seq_format(msg->raw_seq, msg->seq);
}

void aev_message_free(aev_message *m) {
  if (m && m->block) aev__msg_block_unref(m->block);
  else free(m);
}

const char *aev_message_id(const aev_message *m) { return m->id; }

const char *aev_message_receipt_handle(const aev_message *m) {
  return m->handle;
}

const void *aev_message_body(const aev_message *m, size_t *len) {
  if (len) *len = m->len;
  return m->body;
}

const char *aev_message_md5_of_body(const aev_message *m) {
  return m->md5_body;
}

const char *aev_message_md5_of_attributes(const aev_message *m) {
  return m->md5_attrs[0] ? m->md5_attrs : NULL;
}

json_t *aev__message_attributes(const aev_message *m) {
  return aev__attrs_to_json(m->attrs, m->attrs_len);
}

char *aev_message_attributes_json(const aev_message *m) {
  json_t *j = aev__message_attributes(m);
  if (!j) return NULL;
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return s;
}

static const char *fmt_num(char *buf, long long v) {
  snprintf(buf, 21, "%lld", v);
  return buf;
}

const char *aev_message_system_attribute(aev_message *m, const char *name) {
  if (!m || !name) return NULL;
  if (!strcmp(name, "SentTimestamp")) return fmt_num(m->nums[0], m->sent_ms);
  if (!strcmp(name, "ApproximateReceiveCount"))
    return fmt_num(m->nums[1], m->rx_count);
  if (!strcmp(name, "ApproximateFirstReceiveTimestamp"))
    return fmt_num(m->nums[2], m->first_rx_ms);
  if (!strcmp(name, "SenderId")) return m->sender;
  if (!strcmp(name, "MessageGroupId")) return m->group;
  if (!strcmp(name, "MessageDeduplicationId")) return m->dedup;
  if (!strcmp(name, "SequenceNumber")) return m->fifo ? m->seq : NULL;
  if (!strcmp(name, "AWSTraceHeader")) return m->trace;
  if (!strcmp(name, "DeadLetterQueueSourceArn")) return m->dlq_source;
  return NULL;
}
