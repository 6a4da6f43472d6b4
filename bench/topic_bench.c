/* Topic fan-out benchmarks (issue 5, DESIGN §7): publishes per second of
 * 10,000 distinct seeded 100-byte messages to 1 and to 10 subscribed queues
 * with raw delivery, to 10 queues with SNS envelopes, and to 10 filtered
 * subscriptions of which one matches, each beside the floor measured in the
 * same run: a shared-body fan-out into mutex FIFOs (the body copied once
 * into a refcounted buffer, one MD5, one random id per FIFO). After the
 * clock stops every queue is drained as a user would (ReceiveMessage,
 * DeleteMessageBatch) and its bodies, MD5s and ids are checked. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"
#include "core/digest.h"
#include "core/ids.h"
#include "harness.h"
#include "support.h"

enum { NMSG = 10000, LEN = 100, MAXQ = 10 };

static char msgs[NMSG][LEN + 1];
static char attrs_json[MAXQ][96]; /* {"k": "v<i>"}: message i matches filter i % 10 */
static uint64_t want_sum; /* order-independent: sum of per-body FNV */

static void make_messages(void) {
  aev__rng r;
  aev__rng_seed(&r, 20240101);
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
  for (int i = 0; i < NMSG; i++) {
    int n = snprintf(msgs[i], LEN + 1, "%05d:", i);
    for (int k = n; k < LEN; k++) msgs[i][k] = alphabet[aev__rng_below(&r, sizeof alphabet - 1)];
    msgs[i][LEN] = '\0';
    want_sum += bench_fnv(BENCH_FNV_INIT, msgs[i], LEN);
  }
  for (int k = 0; k < MAXQ; k++)
    snprintf(attrs_json[k], sizeof attrs_json[k],
             "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v%d\"}}", k);
}

/* ---- floor: shared-body fan-out into mutex FIFOs ---- */

typedef struct fbody {
  _Atomic long refs;
  size_t len;
  char md5[33];
  char data[];
} fbody;

typedef struct fnode {
  struct fnode *next;
  fbody *body;
  uint8_t id[16];
} fnode;

typedef struct ffifo {
  pthread_mutex_t mu;
  fnode *head, *tail;
  size_t n;
  aev__rng rng;
} ffifo;

typedef struct floor_ctx {
  int nq;
  ffifo q[MAXQ];
  const char *note;
} floor_ctx;

static void floor_run(void *arg) {
  floor_ctx *f = arg;
  for (int i = 0; i < NMSG; i++) {
    fbody *b = malloc(sizeof *b + LEN + 1);
    memcpy(b->data, msgs[i], LEN + 1);
    b->len = LEN;
    b->refs = f->nq;
    aev__md5_hex(b->data, LEN, b->md5);
    for (int k = 0; k < f->nq; k++) {
      ffifo *q = &f->q[k];
      fnode *n = malloc(sizeof *n);
      n->next = NULL;
      n->body = b;
      pthread_mutex_lock(&q->mu);
      uint64_t a = aev__rng_next(&q->rng), c = aev__rng_next(&q->rng);
      memcpy(n->id, &a, 8);
      memcpy(n->id + 8, &c, 8);
      if (q->tail) q->tail->next = n;
      else q->head = n;
      q->tail = n;
      q->n++;
      pthread_mutex_unlock(&q->mu);
    }
  }
}

static int floor_check(void *arg, char *note, size_t cap) {
  floor_ctx *f = arg;
  int bad = 0;
  for (int k = 0; k < f->nq; k++) {
    ffifo *q = &f->q[k];
    uint64_t sum = 0;
    size_t n = 0;
    while (q->head) {
      fnode *x = q->head;
      q->head = x->next;
      char md5[33];
      aev__md5_hex(x->body->data, x->body->len, md5);
      bad |= strcmp(md5, x->body->md5) != 0;
      sum += bench_fnv(BENCH_FNV_INIT, x->body->data, x->body->len);
      if (--x->body->refs == 0) free(x->body);
      free(x);
      n++;
    }
    q->tail = NULL;
    q->n = 0;
    bad |= n != NMSG || sum != want_sum;
  }
  snprintf(note, cap, "%d x %d bodies, MD5s, checksum %s", f->nq, NMSG, bad ? "WRONG" : "ok");
  return bad;
}

/* ---- ours ---- */

typedef struct ours_ctx {
  aev_broker *b;
  aev_topic *t;
  aev_queue *q[MAXQ];
  int nq;
  int raw;
  int filtered; /* 10 filtered subscriptions, messages carry attributes */
  aev_publish_options *opts[MAXQ];
} ours_ctx;

static void ours_setup(ours_ctx *o, int nq, int raw, int filtered) {
  o->b = bench_broker(7);
  o->nq = nq;
  o->raw = raw;
  o->filtered = filtered;
  if (aev_topic_create(o->b, "bench", NULL, &o->t)) exit(1);
  for (int k = 0; k < nq; k++) {
    char name[16], attrs[256], *arn;
    snprintf(name, sizeof name, "q%d", k);
    if (aev_queue_create(o->b, name, NULL, &o->q[k])) exit(1);
    if (filtered)
      snprintf(attrs, sizeof attrs,
               "{\"RawMessageDelivery\":\"%s\",\"FilterPolicy\":\"{\\\"k\\\":[\\\"v%d\\\"]}\"}",
               raw ? "true" : "false", k);
    else
      snprintf(attrs, sizeof attrs, "{\"RawMessageDelivery\":\"%s\"}", raw ? "true" : "false");
    if (aev_topic_subscribe(o->t, "sqs", aev_queue_arn(o->q[k]), attrs, &arn)) {
      fprintf(stderr, "bench: subscribe: %s\n", aev_errmsg());
      exit(1);
    }
    aev_free(arn);
    aev_publish_options_new(&o->opts[k]);
    aev_publish_options_set_attributes(o->opts[k], attrs_json[k]);
  }
}

static void ours_run(void *arg) {
  ours_ctx *o = arg;
  for (int i = 0; i < NMSG; i++)
    if (aev_topic_publish(o->t, msgs[i], LEN, o->filtered ? o->opts[i % MAXQ] : NULL, NULL, NULL)) {
      fprintf(stderr, "bench: publish: %s\n", aev_errmsg());
      exit(1);
    }
}

/* The body a message carries: the message itself, or the envelope's
 * Message member. */
static int body_message(const ours_ctx *o, const char *body, size_t len, char *out) {
  if (o->raw) {
    if (len != LEN) return -1;
    memcpy(out, body, LEN);
    return 0;
  }
  json_t *j = json_loadb(body, len, 0, NULL);
  const char *m = json_string_value(json_object_get(j, "Message"));
  int bad = !m || strlen(m) != LEN ||
            strcmp(json_string_value(json_object_get(j, "Type")), "Notification") != 0;
  if (!bad) memcpy(out, m, LEN);
  json_decref(j);
  return bad ? -1 : 0;
}

static int ours_check(void *arg, char *note, size_t cap) {
  ours_ctx *o = arg;
  int bad = 0;
  size_t total = 0;
  for (int k = 0; k < o->nq; k++) {
    uint64_t sum = 0;
    size_t n = 0;
    for (;;) {
      aev_message *m[10];
      size_t got = 0;
      if (aev_queue_receive(o->q[k], 10, 0, NULL, m, &got) || got == 0) break;
      const char *ids[10], *handles[10];
      char idbuf[10][8];
      for (size_t i = 0; i < got; i++) {
        size_t len;
        const char *body = aev_message_body(m[i], &len);
        char md5[33], text[LEN + 1];
        aev__md5_hex(body, len, md5);
        bad |= strcmp(md5, aev_message_md5_of_body(m[i])) != 0;
        bad |= strlen(aev_message_id(m[i])) != 36;
        if (body_message(o, body, len, text) == 0) {
          sum += bench_fnv(BENCH_FNV_INIT, text, LEN);
          /* Filtered rows: queue k gets exactly the messages i with i % 10 == k. */
          if (o->filtered) bad |= atoi(text) % MAXQ != k;
        } else {
          bad = 1;
        }
        snprintf(idbuf[i], sizeof idbuf[i], "%zu", i);
        ids[i] = idbuf[i];
        handles[i] = aev_message_receipt_handle(m[i]);
      }
      aev_batch_result *r;
      if (aev_queue_delete_message_batch(o->q[k], got, ids, handles, &r)) bad = 1;
      else aev_batch_result_free(r);
      for (size_t i = 0; i < got; i++) aev_message_free(m[i]);
      n += got;
    }
    total += n;
    if (!o->filtered) bad |= n != NMSG || sum != want_sum;
    else bad |= n != NMSG / MAXQ;
  }
  snprintf(note, cap, "%zu messages received, MD5s and ids, checksum %s", total,
           bad ? "WRONG" : "ok");
  return bad;
}

static void ours_free(ours_ctx *o) {
  for (int k = 0; k < o->nq; k++) {
    aev_queue_release(o->q[k]);
    aev_publish_options_free(o->opts[k]);
  }
  aev_topic_release(o->t);
  aev_broker_destroy(o->b);
}

static void floor_init(floor_ctx *f, int nq) {
  memset(f, 0, sizeof *f);
  f->nq = nq;
  for (int k = 0; k < nq; k++) {
    pthread_mutex_init(&f->q[k].mu, NULL);
    aev__rng_seed(&f->q[k].rng, (uint64_t)k + 1);
  }
}

int main(void) {
  make_messages();
  int runs = bench_runs(), failed = 0;
  static const struct {
    const char *name, *what;
    int nq, raw, filtered, floor_q;
  } rows[] = {
      {"topic fan-out, 1 queue, raw", "aev_topic_publish to 1 raw sqs subscription", 1, 1, 0, 1},
      {"topic fan-out, 10 queues, raw", "aev_topic_publish to 10 raw sqs subscriptions", 10, 1, 0, 10},
      {"topic fan-out, 10 queues, enveloped",
       "aev_topic_publish to 10 sqs subscriptions, each its own SNS envelope", 10, 0, 0, 10},
      {"topic fan-out, 10 filtered, 1 matches",
       "aev_topic_publish with 1 attribute to 10 raw subscriptions with FilterPolicy, 1 matching",
       10, 1, 1, 1},
  };
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    floor_ctx f;
    floor_init(&f, rows[r].floor_q);
    ours_ctx o = {0};
    ours_setup(&o, rows[r].nq, rows[r].raw, rows[r].filtered);
    char fwhat[128];
    snprintf(fwhat, sizeof fwhat,
             "shared body (one copy, one MD5) into %d mutex FIFO%s, one id each",
             rows[r].floor_q, rows[r].floor_q > 1 ? "s" : "");
    bench_case cases[] = {
        {"floor: mutex FIFOs", fwhat, NULL, floor_run, floor_check, NULL, &f},
        {"ours: aev_topic_publish", rows[r].what, NULL, ours_run, ours_check, NULL, &o},
    };
    bench_group g = {rows[r].name, 1, "100 B", NMSG, 0, cases, 2};
    failed += bench_group_run(&g, runs);
    ours_free(&o);
  }
  return failed ? 1 : 0;
}
