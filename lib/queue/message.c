/* Received messages: one allocation holding the body and, for messages that
 * have them, the selected message attributes and the other rarely present
 * fields; numeric system attributes are formatted on request. The accessors
 * of the public API. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/json_dump.h"
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

size_t aev__message_size_more(const aev_queue *q, const aev__msg *m) {
  const aev__msg_ext *e = m->ext;
  size_t extra = sizeof(aev__rx_more);
  if (e)
    extra += e->attrs_len + slen(e->group) + slen(e->dedup) + slen(e->trace) +
             slen(e->lineage) + slen(e->dlq_source);
  return aev__rx_more_at(m->len) + extra;
}

static void fill_more(aev_message *msg, const aev_queue *q, const aev__msg *m,
                      const aev__recv_req *r) {
  const aev__msg_ext *e = m->ext;
  aev__rx_more *x = aev__message_more(msg);
  char *w = (char *)(x + 1);
  x->raw_seq = m->seq;
  x->fifo = q->conf.fifo;
  x->attrs = NULL;
  x->attrs_len = 0;
  x->attrs_md5_known = 0;
  x->group = x->dedup = x->trace = x->lineage = x->dlq_source = NULL;
  if (!e) return;
  if (e->attrs) {
    uint8_t *a = (uint8_t *)w;
    if (r->all_names) {
      memcpy(a, e->attrs, e->attrs_len);
      x->attrs_len = e->attrs_len;
      memcpy(x->md5_attrs, e->attrs_md5, 16);
      x->attrs_md5_known = 1;
    } else {
      x->attrs_len =
          aev__attrs_filter(e->attrs, e->attrs_len, r->names, r->n_names, a);
    }
    x->attrs = x->attrs_len ? a : NULL;
    w += x->attrs_len;
  }
  x->group = put_str(&w, e->group);
  x->dedup = put_str(&w, e->dedup);
  x->trace = put_str(&w, e->trace);
  x->lineage = put_str(&w, e->lineage);
  x->dlq_source = put_str(&w, e->dlq_source);
}

void aev__message_fill(aev_message *msg, aev__msg_block *block,
                       const aev_queue *q, const aev__msg *m,
                       const aev__recv_req *r) {
  msg->block = block;
  msg->nums = NULL;
  msg->len = m->len;
  memcpy(msg->data, aev__msg_body(m), m->len + 1);
  memcpy(msg->id, m->id, 16);
  memcpy(msg->md5_body, aev__msg_md5(m), 16);
  msg->sent_ms = m->sent_ms;
  msg->first_rx_ms = m->first_rx_ms;
  msg->rx_count = m->rx_count;
  aev__handle_pack(q, m, (uint8_t *)msg->handle);
  msg->has_more = (uint8_t)aev__message_has_more(q, m);
  if (msg->has_more) fill_more(msg, q, m, r);
}

static void finish_more(aev__rx_more *x) {
  if (x->attrs) {
    uint8_t raw[16];
    if (x->attrs_md5_known) memcpy(raw, x->md5_attrs, 16);
    else aev__attrs_md5(x->attrs, x->attrs_len, raw);
    aev__hex16(raw, x->md5_attrs);
  } else {
    x->md5_attrs[0] = '\0';
  }
  x->seq[0] = '\0';
  if (x->fifo) aev__seq_format(x->raw_seq, x->seq);
}

void aev__message_finish(aev_message *msg) {
  uint8_t handle[AEV__HANDLE_RAW];
  memcpy(handle, msg->handle, sizeof handle);
  aev__hex16(handle, msg->handle);
  uint8_t raw[16];
  memcpy(raw, msg->id, 16);
  aev__msg_id_format(raw, msg->id);
  memcpy(raw, msg->md5_body, 16);
  aev__hex16(raw, msg->md5_body);
  if (msg->has_more) finish_more(aev__message_more(msg));
}

void aev_message_free(aev_message *m) {
  if (!m) return;
  free(m->nums);
  aev__msg_block_unref(m->block);
}

const char *aev_message_id(const aev_message *m) { return m ? m->id : NULL; }

const char *aev_message_receipt_handle(const aev_message *m) {
  return m ? m->handle : NULL;
}

const void *aev_message_body(const aev_message *m, size_t *len) {
  if (len) *len = m ? m->len : 0;
  return m ? m->data : NULL;
}

const char *aev_message_md5_of_body(const aev_message *m) {
  return m ? m->md5_body : NULL;
}

const char *aev_message_md5_of_attributes(const aev_message *m) {
  if (!m) return NULL;
  const aev__rx_more *x = aev__message_more(m);
  return x && x->md5_attrs[0] ? x->md5_attrs : NULL;
}

int aev__message_attributes(const aev_message *m, json_t **out) {
  const aev__rx_more *x = aev__message_more(m);
  int some = x && x->attrs && x->attrs_len;
  *out = some ? aev__attrs_to_json(x->attrs, x->attrs_len) : NULL;
  return some && !*out ? aev__nomem() : AEV_OK;
}

/* "{}" when there are none, so that NULL means out of memory only. */
char *aev_message_attributes_json(const aev_message *m) {
  if (!m) {
    aev__sqs_no_argument();
    return NULL;
  }
  json_t *j;
  if (aev__message_attributes(m, &j) != AEV_OK) return NULL;
  char *s = j ? aev__json_dumps(j, JSON_COMPACT) : strdup("{}");
  json_decref(j);
  if (!s) aev__nomem();
  return s;
}

static const char *fmt_num(char *buf, long long v) {
  snprintf(buf, 21, "%lld", v);
  return buf;
}

/* The message's number buffers, made on first use (the header asks callers
 * not to race here); NULL when memory is short. */
static aev__rx_nums *nums(aev_message *m) {
  if (!m->nums && !(m->nums = malloc(sizeof *m->nums))) aev__nomem();
  return m->nums;
}

const char *aev_message_system_attribute(aev_message *m, const char *name) {
  if (!m || !name) return NULL;
  const aev__rx_more *x = aev__message_more(m);
  aev__rx_nums *t;
  if (!strcmp(name, "SentTimestamp"))
    return (t = nums(m)) ? fmt_num(t->sent, m->sent_ms) : NULL;
  if (!strcmp(name, "ApproximateReceiveCount"))
    return (t = nums(m)) ? fmt_num(t->count, m->rx_count) : NULL;
  if (!strcmp(name, "ApproximateFirstReceiveTimestamp"))
    return (t = nums(m)) ? fmt_num(t->first, m->first_rx_ms) : NULL;
  if (!strcmp(name, "SenderId")) return aev__msg_block_sender(m->block);
  if (!x) return NULL;
  if (!strcmp(name, "MessageGroupId")) return x->group;
  if (!strcmp(name, "MessageDeduplicationId")) return x->dedup;
  if (!strcmp(name, "SequenceNumber")) return x->fifo ? x->seq : NULL;
  if (!strcmp(name, "AWSTraceHeader")) return x->trace;
  if (!strcmp(name, "DeadLetterQueueSourceArn")) return x->dlq_source;
  return NULL;
}
