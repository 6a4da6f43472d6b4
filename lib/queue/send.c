/* SendMessage: body and parameter checks with SQS's errors, MD5s computed
 * before the lock, FIFO group/deduplication rules, then one short critical
 * section that stores the message and wakes long-poll receivers. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/digest.h"
#include "core/status.h"
#include "core/text.h"
#include "function/lineage.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

struct aev_send_options {
  char *attrs_json;
  int delay;
  char *group;
  char *dedup;
  char *trace;
};

/* SQS accepts #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF in
 * UTF-8. */
#ifdef __SSE2__
static inline __m128i load16(const unsigned char *s) {
  return _mm_loadu_si128((const __m128i *)(const void *)s);
}

/* 1 when the 16 bytes at s are printable ASCII: a signed compare catches
 * control characters and bytes >= 0x80 (negative) at once. */
static inline int ascii16(const unsigned char *s) {
  return !_mm_movemask_epi8(_mm_cmplt_epi8(load16(s), _mm_set1_epi8(0x20)));
}
#endif

/* The length of the printable ASCII run at the start of s (a multiple of
 * 16), or n when all of s is printable ASCII. */
static size_t ascii_prefix(const unsigned char *s, size_t n) {
#ifdef __SSE2__
  if (n < 16) return 0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    if (!ascii16(s + i)) return i;
  /* The last partial block, read as the last 16 bytes. */
  return ascii16(s + n - 16) ? n : i;
#else
  (void)s, (void)n;
  return 0;
#endif
}

/* Copies n bytes from src to dst and returns n when they are all
 * printable ASCII, else 0: the copy and ascii_prefix's scan in one pass
 * over the body (other bodies are then checked from their start). */
static inline size_t copy_ascii(unsigned char *dst, const unsigned char *src, size_t n) {
#ifdef __SSE2__
  if (n >= 16) {
    const __m128i space = _mm_set1_epi8(0x20);
    __m128i low = _mm_setzero_si128(), v;
    for (size_t i = 0; i + 16 <= n; i += 16) {
      v = load16(src + i);
      _mm_storeu_si128((__m128i *)(void *)(dst + i), v);
      low = _mm_or_si128(low, _mm_cmplt_epi8(v, space));
    }
    /* The last partial block, as the last 16 bytes. */
    v = load16(src + n - 16);
    _mm_storeu_si128((__m128i *)(void *)(dst + n - 16), v);
    low = _mm_or_si128(low, _mm_cmplt_epi8(v, space));
    return _mm_movemask_epi8(low) ? 0 : n;
  }
#endif
  if (n) memcpy(dst, src, n);
  return 0;
}

static int body_ok(const unsigned char *s, size_t n) {
  /* Nothing before i can start a multi-byte sequence that crosses it. */
  size_t i = ascii_prefix(s, n);
  while (i < n) {
    /* 8 printable ASCII bytes (0x20..0x7F) at a time. */
    if (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
      if (!((w | (w - ones * 0x20)) & highs)) {
        i += 8;
        continue;
      }
    }
    unsigned c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != 9 && c != 10 && c != 13) return 0;
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = aev__utf8_next(s + i, n - i, &cp);
    if (!k || cp == 0xFFFE || cp == 0xFFFF) return 0;
    i += k;
  }
  return 1;
}

/* MessageGroupId / MessageDeduplicationId: 1..128 of [!-~]. */
static int fifo_id_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '!' || s[i] > '~') return 0;
  return 1;
}

int aev__qtext_check(const void *text, size_t len, const char *code) {
  if (!body_ok(text, len))
    return aev__fail(AEV_ERR_INVALID, code,
                     "Invalid characters found. Valid unicode characters are "
                     "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
                     "#x10000 to #x10FFFF");
  return AEV_OK;
}

int aev__qbody_check(const void *body, size_t len) {
  return aev__qtext_check(body, len, "InvalidMessageContents");
}

static int check_body(const void *body, size_t len) {
  if (!body || len == 0) return aev__sqs_missing("MessageBody");
  return aev__qbody_check(body, len);
}

/* The bodies of aev__qbody_alloc, _seal and _new, inline in
 * aev__qput_new: a fan-out makes its body with no call but the MD5's. */
static inline int body_alloc(size_t len, uint32_t nrec, aev__qbody **out) {
  if (nrec > AEV__QBODY_MAX_RECS) nrec = AEV__QBODY_MAX_RECS;
  aev__qbody *b = malloc(aev__qbody_recs_at(len) + nrec * sizeof(aev__fresh));
  if (!b) return aev__nomem();
  /* Initialisation, not seq_cst stores (each an xchg): nobody else sees b
   * yet. */
  atomic_init(&b->refs, 1);
  b->len = (uint32_t)len;
  b->nrec = nrec;
  atomic_init(&b->taken, 0);
  b->data[len] = '\0';
  /* The records' lines are new to this block, and each send's lock hold
   * would wait for its own in turn (the unlock drains the stores): ask for
   * all of them now, so they arrive while the body is copied and hashed. */
  const char *recs = (const char *)aev__qbody_rec(b, 0);
  for (const char *c = recs; c < recs + nrec * sizeof(aev__fresh); c += 64) __builtin_prefetch(c, 1);
  *out = b;
  return AEV_OK;
}

static inline int body_seal(aev__qbody *b, size_t checked, const aev__md5 *md5) {
  int rc = b->len == 0         ? aev__sqs_missing("MessageBody")
           : checked == b->len ? AEV_OK
                               : aev__qbody_check(b->data + checked, b->len - checked);
  if (rc != AEV_OK) return rc;
  /* A whole body is hashed in one call, which reads its blocks in place
   * rather than through the incremental state's buffer. */
  if (!md5) {
    aev__md5_once(b->data, b->len, b->md5);
    return AEV_OK;
  }
  aev__md5 c = *md5;
  aev__md5_update(&c, b->data + c.len, b->len - c.len);
  aev__md5_final(&c, b->md5);
  return AEV_OK;
}

static inline int body_new(const void *body, size_t len, uint32_t nrec, aev__qbody **out) {
  aev__qbody *b = NULL;
  int rc = body_alloc(len, nrec, &b);
  if (rc != AEV_OK) return rc;
  /* The copy checks what it can as it goes; the seal checks the rest. */
  size_t checked = copy_ascii(b->data, body, len);
  if ((rc = body_seal(b, checked, NULL)) != AEV_OK) {
    aev__qbody_unref(b);
    return rc;
  }
  *out = b;
  return AEV_OK;
}

int aev__qbody_alloc(size_t len, uint32_t nrec, aev__qbody **out) {
  return body_alloc(len, nrec, out);
}

int aev__qbody_seal(aev__qbody *b, size_t checked, const aev__md5 *md5) {
  return body_seal(b, checked, md5);
}

int aev__qbody_new(const void *body, size_t len, uint32_t nrec, aev__qbody **out) {
  return body_new(body, len, nrec, out);
}

/* No other thread sees the new body before the caller publishes it:
 * relaxed stores, not read-modify-writes, count its references and
 * records. */
int aev__qput_new(aev__qput *p, const void *body, size_t len, uint32_t n, int keep,
                  const aev__qtime *now, aev__qbody **out) {
  aev__qbody *b;
  int rc = body_new(body, len, n, &b);
  if (rc != AEV_OK) return rc;
  uint32_t got = n < b->nrec ? n : b->nrec;
  atomic_store_explicit(&b->refs, (long)n + (keep != 0), memory_order_relaxed);
  atomic_store_explicit(&b->taken, got, memory_order_relaxed);
  p->body = b;
  p->rec = aev__qbody_rec(b, 0);
  p->end = p->rec + got;
  p->now = *now;
  *out = b;
  return AEV_OK;
}

static int check_request(const aev_queue *q, const aev__send_req *r) {
  /* A shared body was checked when it was made. */
  int rc = r->shared ? AEV_OK : check_body(r->body, r->len);
  if (rc != AEV_OK) return rc;
  if (r->delay > 900 || r->delay < -1)
    return aev__sqs_invalid_int("DelaySeconds", r->delay,
                                "Must be >= 0 and <= 900, if provided.");
  int fifo = q->conf.fifo;
  if (fifo && r->delay > 0)
    return aev__sqs_invalid_int("DelaySeconds", r->delay,
                                "The request include parameter that is not "
                                "valid for this queue type.");
  if (r->group && !fifo_id_ok(r->group))
    return aev__sqs_invalid_value("MessageGroupId", r->group,
                                  "MessageGroupId can only include "
                                  "alphanumeric and punctuation characters. 1 "
                                  "to 128 in length.");
  if (r->dedup && !fifo)
    return aev__sqs_invalid_value("MessageDeduplicationId", r->dedup,
                                  "The request include parameter that is not "
                                  "valid for this queue type.");
  if (r->dedup && !fifo_id_ok(r->dedup))
    return aev__sqs_invalid_value("MessageDeduplicationId", r->dedup,
                                  "MessageDeduplicationId can only include "
                                  "alphanumeric and punctuation characters. 1 "
                                  "to 128 in length.");
  if (fifo && !r->dedup && !q->conf.content_dedup)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "The queue should either have ContentBasedDeduplication "
                     "enabled or MessageDeduplicationId provided explicitly");
  if (fifo && !r->group) return aev__sqs_missing("MessageGroupId");
  return AEV_OK;
}

static char *dup_or_null(const char *s, int *failed) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) *failed = 1;
  return d;
}

/* What the batch made for a request before the lock: its body's copy
 * (NULL: build makes one) and MD5; neither for a shared body, which holds
 * its own. */
typedef struct made {
  aev__msg *m;
  const uint8_t *md5;
} made;

/* Builds the message (outside the lock): body, MD5s, extension. */
static aev__msg *build(const aev_queue *q, const aev__send_req *r,
                       made mk, const char *dedup, aev__sent *out) {
  aev__msg *m = mk.m;
  if (r->shared) {
    if (!(m = aev__msg_new_shared(r->shared))) return NULL;
  } else {
    if (!m && !(m = aev__msg_new(r->body, r->len))) return NULL;
    memcpy(m->tail, mk.md5, 16);
  }
  if (out) {
    aev__hex16(aev__msg_md5(m), out->md5_body);
    out->md5_attrs[0] = '\0';
  }
  int has_attrs = r->attrs && r->attrs->count;
  /* Sent from a function's handler (or on a chain's behalf), the message
   * continues its chain of requests: Lambda's recursive loop detection
   * follows SQS. */
  const char *lineage = r->lineage ? r->lineage : aev__lineage_current();
  if (!has_attrs && !r->group && !dedup && !r->trace && !lineage) return m;
  aev__msg_ext *e = calloc(1, sizeof *e);
  if (!e) {
    aev__msg_free(m);
    return NULL;
  }
  m->ext = e;
  int failed = 0;
  if (has_attrs) {
    e->attrs = malloc(r->attrs->len);
    if (e->attrs) {
      memcpy(e->attrs, r->attrs->data, r->attrs->len);
      e->attrs_len = r->attrs->len;
      if (r->attrs->has_md5) memcpy(e->attrs_md5, r->attrs->md5, 16);
      else aev__attrs_md5(e->attrs, e->attrs_len, e->attrs_md5);
      if (out) aev__hex16(e->attrs_md5, out->md5_attrs);
    } else {
      failed = 1;
    }
  }
  e->group = dup_or_null(r->group, &failed);
  e->dedup = q->conf.fifo ? dup_or_null(dedup, &failed) : NULL;
  e->trace = dup_or_null(r->trace, &failed);
  e->lineage = dup_or_null(lineage, &failed);
  if (failed) {
    aev__msg_free(m);
    return NULL;
  }
  return m;
}

/* A message built outside the lock, waiting to be stored. */
typedef struct prepared {
  aev__msg *m;
  char *key; /* FIFO deduplication key, or NULL */
  const char *dedup; /* FIFO: the deduplication id (or sha) */
  char sha[65];      /* content-based deduplication id */
  size_t size; /* body + attributes, against MaximumMessageSize */
} prepared;

static void release(prepared *p) {
  if (!p->m && !p->key) return;
  aev__msg_free(p->m);
  free(p->key);
  p->m = NULL;
  p->key = NULL;
}

/* FIFO: the deduplication key (DeduplicationScope=messageGroup: ids are per
 * group), from MessageDeduplicationId or the body's SHA-256. */
static int dedup_key(const aev_queue *q, const aev__send_req *r, prepared *p) {
  const char *dedup = r->dedup;
  if (!dedup) {
    aev__sha256_hex(r->body, r->len, p->sha);
    dedup = p->sha;
  }
  size_t gl = strlen(r->group), dl = strlen(dedup);
  p->key = malloc(gl + dl + 2);
  if (!p->key) return aev__nomem();
  if (q->conf.dedup_scope_group) {
    memcpy(p->key, r->group, gl);
    p->key[gl] = '\x1f';
    memcpy(p->key + gl + 1, dedup, dl + 1);
  } else {
    memcpy(p->key, dedup, dl + 1);
  }
  p->dedup = dedup;
  return AEV_OK;
}

/* Checks the request and builds the message with its MD5s (no lock). A
 * shared body's reference passes to the message, or is dropped on failure. */
static int prepare(const aev_queue *q, const aev__send_req *r, made mk,
                   aev__sent *out, prepared *p) {
  p->m = NULL;
  p->key = NULL;
  p->dedup = r->dedup;
  int rc = check_request(q, r);
  if (rc == AEV_OK && q->conf.fifo) rc = dedup_key(q, r, p);
  if (rc != AEV_OK) {
    aev__qbody_unref(r->shared);
    aev__msg_free(mk.m);
    return rc;
  }
  if (!(p->m = build(q, r, mk, p->dedup, out))) {
    release(p);
    return aev__nomem();
  }
  p->size = r->len + (r->attrs ? r->attrs->size : 0);
  return AEV_OK;
}

/* What a stored (or deduplicated) message answers with, captured under the
 * lock as raw bytes and formatted after it is released. */
typedef struct raw_sent {
  uint8_t id[16];
  uint64_t seq;
  int set, has_seq;
} raw_sent;

/* Stores a prepared message (mu held, retention pruned). On success the
 * queue owns it; a FIFO duplicate is answered like the original and
 * dropped. */
static int commit(aev_queue *q, const aev__send_req *r, prepared *p,
                  raw_sent *out, int64_t now, int64_t now_ms) {
  const aev__qconf *c = &q->conf;
  if (p->size > (size_t)c->max_size) return aev__sqs_too_long(c->max_size);
  aev__msg *m = p->m;
  if (p->key) {
    aev__dedup *d = aev__dedup_find(q, p->key, now);
    if (d) {
      /* A duplicate is accepted and answered like the original. */
      *out = (raw_sent){.seq = d->seq, .set = 1, .has_seq = 1};
      memcpy(out->id, d->id, 16);
      release(p);
      return AEV_OK;
    }
  }
  /* FIFO queues take no per-message delay: an explicit 0 means the queue's. */
  int delay = r->delay >= 0 && !c->fifo ? r->delay : c->delay;
  int rc = aev__queue_stamp(q, m, delay, now, now_ms);
  if (rc == AEV_OK && p->key) {
    rc = aev__fifo_link(q, m);
    if (rc == AEV_OK) rc = aev__dedup_add(q, p->key, m->id, m->seq, now);
    if (rc != AEV_OK) aev__store_unlink(q, m);
  } else if (rc == AEV_OK) {
    aev__store_place(q, m, now);
  }
  if (rc != AEV_OK) return rc;
  p->m = NULL; /* the queue's now */
  *out = (raw_sent){.seq = m->seq, .set = 1, .has_seq = p->key != NULL};
  memcpy(out->id, m->id, 16);
  return AEV_OK;
}

int aev__queue_send_many(aev_queue *q, size_t n, const aev__send_req *reqs,
                         aev__sent *outs, aev__send_failed failed,
                         void *ctx) {
  int rc = aev__queue_check(q);
  if (rc == AEV_OK && n > 10)
    rc = aev__fail(AEV_ERR_INVALID, "TooManyEntriesInBatchRequest",
                   "Maximum number of entries per request are 10. You "
                   "have sent %zu.",
                   n);
  if (rc != AEV_OK) {
    for (size_t i = 0; i < n; i++) aev__qbody_unref(reqs[i].shared);
    return rc;
  }
  prepared p[10];
  raw_sent raw[10];
  int ok[10];
  /* The bodies' MD5s side by side (aev__md5_many: most of a send's work
   * on short bodies when hashed one at a time) and their copies in one
   * allocation (aev__msg_pack). */
  const void *body[10];
  size_t len[10], at[10], k = 0;
  uint8_t md5[10][16];
  aev__msg *copies[10];
  for (size_t i = 0; i < n; i++)
    if (!reqs[i].shared) body[k] = reqs[i].body, len[k] = reqs[i].len, at[i] = k++;
  aev__md5_many(k, body, len, md5);
  int packed = aev__msg_pack(q, k, body, len, copies);
  for (size_t i = 0; i < n; i++) {
    made mk = {NULL, NULL};
    if (!reqs[i].shared) mk = (made){packed ? copies[at[i]] : NULL, md5[at[i]]};
    int s = prepare(q, &reqs[i], mk, outs ? &outs[i] : NULL, &p[i]);
    ok[i] = s == AEV_OK;
    raw[i].set = 0;
    if (!ok[i]) failed(ctx, i, s);
  }
  /* One critical section and one wake-up for the whole batch; ids are
   * formatted after it. */
  aev__queue_lock(q);
  int64_t now = aev__queue_now_mono(q), now_ms = aev__queue_now_ms(q);
  int gone = q->res.deleted, stored = 0, signal = 0;
  if (!gone) aev__store_prune(q, now);
  for (size_t i = 0; i < n && !gone; i++) {
    if (!ok[i]) continue;
    int s = commit(q, &reqs[i], &p[i], &raw[i], now, now_ms);
    if (s != AEV_OK) failed(ctx, i, s);
    else stored = 1;
  }
  if (stored) signal = aev__queue_wake_send(q);
  pthread_mutex_unlock(&q->mu);
  if (signal) aev__queue_signal(q);
  for (size_t i = 0; i < n; i++) {
    release(&p[i]);
    if (!outs || !raw[i].set) continue;
    aev__msg_id_format(raw[i].id, outs[i].id);
    if (raw[i].has_seq) aev__seq_format(raw[i].seq, outs[i].seq);
    else outs[i].seq[0] = '\0';
  }
  return gone ? aev__sqs_no_queue() : AEV_OK;
}

static void keep_status(void *ctx, size_t i, int status) {
  (void)i;
  *(int *)ctx = status;
}

int aev__queue_send(aev_queue *q, const aev__send_req *r, aev__sent *out) {
  int status = AEV_OK;
  int rc = aev__queue_send_many(q, 1, r, out, keep_status, &status);
  return rc != AEV_OK ? rc : status;
}

/* ---- public API ---- */

int aev_send_options_new(aev_send_options **out) {
  if (!out) return aev__sqs_no_argument();
  aev_send_options *o = calloc(1, sizeof *o);
  if (!o) return aev__nomem();
  o->delay = -1;
  *out = o;
  return AEV_OK;
}

void aev_send_options_free(aev_send_options *o) {
  if (!o) return;
  free(o->attrs_json);
  free(o->group);
  free(o->dedup);
  free(o->trace);
  free(o);
}

int aev_send_options_set_attributes(aev_send_options *o, const char *json) {
  if (!o) return aev__sqs_no_argument();
  return aev__replace_str(&o->attrs_json, json);
}

int aev_send_options_set_delay(aev_send_options *o, int seconds) {
  if (!o) return aev__sqs_no_argument();
  if (seconds < 0 || seconds > 900)
    return aev__sqs_invalid_int("DelaySeconds", seconds,
                                "Must be >= 0 and <= 900, if provided.");
  o->delay = seconds;
  return AEV_OK;
}

int aev_send_options_set_group_id(aev_send_options *o, const char *group_id) {
  if (!o) return aev__sqs_no_argument();
  return aev__replace_str(&o->group, group_id);
}

int aev_send_options_set_deduplication_id(aev_send_options *o,
                                          const char *dedup_id) {
  if (!o) return aev__sqs_no_argument();
  return aev__replace_str(&o->dedup, dedup_id);
}

int aev_send_options_set_trace_header(aev_send_options *o, const char *trace) {
  if (!o) return aev__sqs_no_argument();
  return aev__replace_str(&o->trace, trace);
}

/* Fills a request from options; attrs receives the parsed attributes. */
int aev__send_options_request(const aev_send_options *o, const void *body, size_t len,
                              aev__attrs *attrs, aev__send_req *r) {
  memset(attrs, 0, sizeof *attrs);
  *r = (aev__send_req){.body = body, .len = len, .delay = -1, .attrs = attrs};
  if (!o) return AEV_OK;
  r->delay = o->delay;
  r->group = o->group;
  r->dedup = o->dedup;
  r->trace = o->trace;
  return aev__attrs_parse_text(o->attrs_json, attrs);
}

int aev_queue_send(aev_queue *q, const void *body, size_t len,
                   const aev_send_options *opts, char *message_id,
                   char *sequence_number) {
  aev__attrs attrs;
  aev__send_req r;
  aev__sent sent;
  if (!q || (!body && len)) return aev__sqs_no_argument();
  int rc = aev__send_options_request(opts, body, len, &attrs, &r);
  /* Nothing formatted when the caller wants neither id nor sequence. */
  int want = message_id || sequence_number;
  if (rc == AEV_OK) rc = aev__queue_send(q, &r, want ? &sent : NULL);
  aev__attrs_free(&attrs);
  if (rc != AEV_OK) return rc;
  if (message_id) memcpy(message_id, sent.id, AEV_MESSAGE_ID_SIZE);
  if (sequence_number) memcpy(sequence_number, sent.seq, sizeof sent.seq);
  return AEV_OK;
}
