/* Queue (SQS) and topic (SNS) calls that fail for want of memory
 * (nomem.h): each allocation of the call fails in turn, and the call must
 * then answer AEV_ERR_NOMEM (worded as InternalFailure) and leave what was
 * stored as it was, or succeed whole. Every attempt starts from a fresh
 * manual-clock broker with no workers, so nothing allocates behind the
 * call's back. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "nomem.h"
#include "topic_support.h"

#define ok(expr)                                                                   \
  do {                                                                             \
    int rc_ = (expr);                                                              \
    ck_assert_msg(rc_ == AEV_OK, "%s: %s %s", #expr, aev_errcode(), aev_errmsg()); \
  } while (0)

/* What an out-of-memory answer must say. */
#define NOMEM_CODE "InternalFailure"

/* Compares JSON texts structurally. */
static void json_eq(const char *got, const char *want) {
  json_t *g = json_loads(got, 0, NULL), *w = json_loads(want, 0, NULL);
  ck_assert_msg(g && w && json_equal(g, w), "got %s, want %s", got, want);
  json_decref(g);
  json_decref(w);
}

/* ---- the world of one attempt ------------------------------------------ */

/* What a callback subscriber saw: confirmations, notifications, and
 * whether its release ran. */
typedef struct endpoint {
  int confirmations, notifications, released;
  char token[128];
} endpoint;

/* What a sweep keeps from one attempt to the next: the variant swept. */
typedef struct world_args {
  const char *name, *attrs;             /* of the queue or topic */
  const char *check_name, *check_value; /* an attribute a create must show */
  int which;                            /* SetSubscriptionAttributes: which one */
} world_args;

/* The objects one attempt makes, and the call's outputs. world_free
 * releases whatever is set. */
typedef struct world {
  world_args args;
  aev_broker *b;
  aev_queue *q, *dlq, *qs[3];
  aev_topic *tp;
  aev_send_options *so;
  aev_receive_options *ro;
  aev_publish_options *po;
  endpoint e;
  char *arn; /* a subscription's */
  char *out; /* a call's text output */
  char req[512];
  char id[64], seq[64]; /* a message's (a queue's or a topic's) */
  char handle[2][64];
  aev_message *m[10];
  size_t n;
  aev_batch_result *r;
} world;

/* A fresh broker, nothing else (the args stay). */
static void world_begin(void *ctx) {
  world *w = ctx;
  world_args args = w->args;
  *w = (world){.args = args, .b = qt_broker()};
}

static void world_free(void *ctx) {
  world *w = ctx;
  aev_send_options_free(w->so);
  aev_receive_options_free(w->ro);
  aev_publish_options_free(w->po);
  aev_free(w->arn);
  aev_free(w->out);
  for (int i = 0; i < 3; i++) aev_queue_release(w->qs[i]);
  aev_queue_release(w->q);
  aev_queue_release(w->dlq);
  aev_topic_release(w->tp);
  aev_broker_destroy(w->b);
}

/* A fresh broker with standard queue "q". */
static void queue_world(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->q = qt_queue(w->b, "q", NULL);
}

/* ---- queue observations ------------------------------------------------ */

/* "visible/in flight/delayed" message counts. */
static void counts(aev_queue *q, char *out, size_t cap) {
  char *a;
  ok(aev_queue_get_attributes(q,
                              "[\"ApproximateNumberOfMessages\","
                              "\"ApproximateNumberOfMessagesNotVisible\","
                              "\"ApproximateNumberOfMessagesDelayed\"]",
                              &a));
  json_t *j = json_loads(a, 0, NULL);
  snprintf(out, cap, "%s/%s/%s",
           json_string_value(json_object_get(j, "ApproximateNumberOfMessages")),
           json_string_value(json_object_get(j, "ApproximateNumberOfMessagesNotVisible")),
           json_string_value(json_object_get(j, "ApproximateNumberOfMessagesDelayed")));
  json_decref(j);
  aev_free(a);
}

static void assert_counts(aev_queue *q, const char *want, long k) {
  char have[64];
  counts(q, have, sizeof have);
  ck_assert_msg(!strcmp(have, want), "allocation %ld: counts %s, want %s", k, have, want);
}

/* Receives every visible message (visibility 300 s) as "body:count" in
 * receive order, comma-separated; the messages are kept in flight. */
static void drain_bodies(aev_queue *q, char *out, size_t cap) {
  aev_receive_options *o;
  ok(aev_receive_options_new(&o));
  ok(aev_receive_options_set_visibility(o, 300));
  *out = 0;
  for (;;) {
    aev_message *m[10];
    size_t n = 0;
    ok(aev_queue_receive(q, 10, 0, o, m, &n));
    if (!n) break;
    for (size_t i = 0; i < n; i++) {
      size_t at = strlen(out);
      snprintf(out + at, cap - at, "%s%s:%s", at ? "," : "", qt_body(m[i]),
               aev_message_system_attribute(m[i], "ApproximateReceiveCount"));
      aev_message_free(m[i]);
    }
  }
  aev_receive_options_free(o);
}

static void assert_bodies(aev_queue *q, const char *want, long k) {
  char have[512];
  drain_bodies(q, have, sizeof have);
  ck_assert_msg(!strcmp(have, want), "allocation %ld: messages %s, want %s", k, have, want);
}

/* An answer (status rc, text) as a JSON string, for a state() hook:
 * the text must not change when a call fails. */
static json_t *answer_state(int rc, char *text) {
  ck_assert_msg(rc == AEV_OK, "%s %s", aev_errcode(), aev_errmsg());
  json_t *j = json_string(text);
  aev_free(text);
  return j;
}

/* The queue's whole GetQueueAttributes answer. */
static json_t *queue_attrs(void *ctx) {
  char *a;
  int rc = aev_queue_get_attributes(((world *)ctx)->q, NULL, &a);
  return answer_state(rc, a);
}

/* ---- CreateQueue -------------------------------------------------------- */

static int create_queue(void *ctx) {
  world *w = ctx;
  return aev_queue_create(w->b, w->args.name, w->args.attrs, &w->q);
}

/* Out of memory nothing remembers the name either: it can be created at
 * once. Either way the queue is then there, with its attributes. */
static void queue_created(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  aev_queue *found = NULL;
  if (a->rc) {
    ck_assert_ptr_null(w->q);
    ck_assert_int_eq(aev_queue_get(w->b, w->args.name, &found), AEV_ERR_NOT_FOUND);
    ok(aev_queue_create(w->b, w->args.name, w->args.attrs, &w->q));
  }
  ok(aev_queue_get(w->b, w->args.name, &found));
  ck_assert_ptr_eq(found, w->q);
  qt_assert_attr(w->q, w->args.check_name, w->args.check_value);
  aev_queue_release(found);
}

/* ---- SendMessage -------------------------------------------------------- */

static const char *const ATTRS =
    "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"x\"},"
    "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"}}";

/* A standard queue holding "old", delayed 20 s; the armed send of "new"
 * (attributes, a trace header, 10 s of delay) goes before it in the
 * delayed order. Out of memory nothing is stored; else "new" shows 10 s
 * later, with what it was sent with. */
static void old_delayed(void *ctx) {
  world *w = ctx;
  queue_world(w);
  ok(aev_send_options_new(&w->so));
  ok(aev_send_options_set_delay(w->so, 20));
  ok(aev_queue_send(w->q, "old", 3, w->so, NULL, NULL));
  ok(aev_send_options_set_delay(w->so, 10));
  ok(aev_send_options_set_attributes(w->so, ATTRS));
  ok(aev_send_options_set_trace_header(w->so, "Root=1"));
  strcpy(w->seq, "-");
}

static int send_new(void *ctx) {
  world *w = ctx;
  return aev_queue_send(w->q, "new", 3, w->so, w->id, w->seq);
}

static void new_sent(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  long k = a->k;
  if (a->rc) {
    ck_assert_str_eq(w->id, "");
    ck_assert_str_eq(w->seq, "-");
    assert_counts(w->q, "0/0/1", k);
  } else {
    ck_assert_int_eq(strlen(w->id), 36);
    ck_assert_str_eq(w->seq, "");
    assert_counts(w->q, "0/0/2", k);
    assert_bodies(w->q, "", k); /* both still delayed */
    ok(aev_broker_advance(w->b, 10000));
    aev_message *m = qt_recv1(w->q);
    ck_assert_msg(m != NULL, "allocation %ld: nothing after 10 s", k);
    ck_assert_str_eq(qt_body(m), "new");
    ck_assert_str_eq(aev_message_id(m), w->id);
    ck_assert_str_eq(aev_message_system_attribute(m, "AWSTraceHeader"), "Root=1");
    char *attrs = aev_message_attributes_json(m);
    json_eq(attrs, ATTRS);
    aev_free(attrs);
    aev_message_free(m);
  }
  ok(aev_broker_advance(w->b, 30000));
  assert_bodies(w->q, a->rc ? "old:1" : "old:1,new:2", k);
}

/* FIFO: a send that failed leaves no deduplication record behind, so the
 * same send again is stored; one that succeeded deduplicates it. */
static void fifo_to_send(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->q = qt_queue(w->b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  ok(aev_send_options_new(&w->so));
  ok(aev_send_options_set_group_id(w->so, "g"));
  ok(aev_send_options_set_deduplication_id(w->so, "d"));
  ok(aev_send_options_set_attributes(w->so, ATTRS));
}

static int send_m(void *ctx) {
  world *w = ctx;
  return aev_queue_send(w->q, "m", 1, w->so, w->id, w->seq);
}

static void m_sent_once(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  if (a->rc) {
    ck_assert_str_eq(w->id, "");
    ck_assert_str_eq(w->seq, "");
    assert_counts(w->q, "0/0/0", a->k);
  } else {
    ck_assert_int_eq(strlen(w->id), 36);
    ck_assert_int_eq(strlen(w->seq), 20);
  }
  ok(aev_queue_send(w->q, "m", 1, w->so, NULL, NULL));
  assert_bodies(w->q, "m:1", a->k);
}

/* SendMessageBatch: entries that answer out-of-memory are not stored, the
 * others are; a batch that fails whole stores nothing. */
static void queue_with_options(void *ctx) {
  world *w = ctx;
  queue_world(w);
  ok(aev_send_options_new(&w->so));
  ok(aev_send_options_set_attributes(w->so, ATTRS));
}

static const char *const BATCH_IDS[3] = {"a", "b", "c"};
static const void *const BATCH_BODIES[3] = {"A", "B", "C"};
static const size_t BATCH_LENS[3] = {1, 1, 1};

static int send_batch_call(void *ctx) {
  world *w = ctx;
  const aev_send_options *opts[3] = {NULL, w->so, NULL};
  return aev_queue_send_batch(w->q, 3, BATCH_IDS, BATCH_BODIES, BATCH_LENS, opts, &w->r);
}

static void batch_sent(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  char want[64] = "";
  if (a->rc) {
    ck_assert_ptr_null(w->r);
  } else {
    ck_assert_uint_eq(aev_batch_result_count(w->r), 3);
    for (size_t i = 0; i < 3; i++) {
      int s = aev_batch_result_status(w->r, i);
      if (s != AEV_OK) {
        ck_assert_int_eq(s, AEV_ERR_NOMEM);
        ck_assert_str_eq(aev_batch_result_code(w->r, i), NOMEM_CODE);
        ck_assert_ptr_null(aev_batch_result_message_id(w->r, i));
        a->tally->failures++;
        continue;
      }
      ck_assert_int_eq(strlen(aev_batch_result_message_id(w->r, i)), 36);
      ck_assert((aev_batch_result_md5_of_attributes(w->r, i) != NULL) == (i == 1));
      size_t at = strlen(want);
      snprintf(want + at, sizeof want - at, "%s%s:1", at ? "," : "", (const char *)BATCH_BODIES[i]);
    }
    aev_batch_result_free(w->r);
  }
  assert_bodies(w->q, want, a->k);
}

/* ---- ReceiveMessage ----------------------------------------------------- */

static int receive_ten(void *ctx) {
  world *w = ctx;
  return aev_queue_receive(w->q, 10, 0, w->ro, w->m, &w->n);
}

/* A receive that answers out-of-memory took nothing: no message became
 * invisible or counted a receive. One that succeeds may return fewer
 * messages than there are; those it did not return are untouched. (One
 * failed allocation never fails a receive: a copy that does not get the
 * queue's receive block gets a block of its own.) */
static void three_sent(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->q = qt_queue(w->b, w->args.name, w->args.attrs);
  ok(aev_send_options_new(&w->so));
  if (strstr(w->args.name, ".fifo")) ok(aev_send_options_set_group_id(w->so, "g"));
  for (int i = 0; i < 3; i++) {
    char body[2] = {(char)('A' + i), 0};
    ok(aev_send_options_set_attributes(w->so, i == 1 ? ATTRS : NULL));
    ok(aev_queue_send(w->q, body, 1, w->so, NULL, NULL));
  }
}

static void received_in_order(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  size_t n = w->n;
  int fifo = strstr(w->args.name, ".fifo") != NULL;
  if (a->rc) ck_assert_uint_eq(n, 0);
  char want[64] = "", now[64];
  ck_assert_uint_le(n, 3);
  for (size_t i = 0; i < n; i++) {
    char body[2] = {(char)('A' + i), 0};
    ck_assert_str_eq(qt_body(w->m[i]), body);
    ck_assert_str_eq(aev_message_system_attribute(w->m[i], "ApproximateReceiveCount"), "1");
    ck_assert_int_eq(strlen(aev_message_receipt_handle(w->m[i])), 32);
    aev_message_free(w->m[i]);
  }
  snprintf(now, sizeof now, "%zu/%zu/0", 3 - n, n);
  assert_counts(w->q, now, a->k);
  /* FIFO: what is in flight blocks the rest of its group. */
  for (size_t i = n; i < 3 && !(fifo && n); i++) {
    size_t at = strlen(want);
    snprintf(want + at, sizeof want - at, "%s%c:1", at ? "," : "", (char)('A' + i));
  }
  assert_bodies(w->q, want, a->k);
}

/* A FIFO receive retried with its ReceiveRequestAttemptId: the same
 * messages and receipt handles, all or (out of memory) none. */
static void fifo_received(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->q =
      qt_queue(w->b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  ok(aev_send_options_new(&w->so));
  ok(aev_send_options_set_group_id(w->so, "g"));
  ok(aev_queue_send(w->q, "A", 1, w->so, NULL, NULL));
  ok(aev_queue_send(w->q, "B", 1, w->so, NULL, NULL));
  ok(aev_receive_options_new(&w->ro));
  ok(aev_receive_options_set_attempt_id(w->ro, "try"));
  ok(receive_ten(w));
  ck_assert_uint_eq(w->n, 2);
  for (size_t i = 0; i < 2; i++) {
    snprintf(w->handle[i], sizeof w->handle[i], "%s", aev_message_receipt_handle(w->m[i]));
    aev_message_free(w->m[i]);
  }
  ok(aev_broker_advance(w->b, 10000));
  w->n = 0;
}

static void replayed(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ck_assert_uint_eq(w->n, a->rc ? 0 : 2);
  for (size_t i = 0; i < w->n; i++) {
    ck_assert_str_eq(aev_message_receipt_handle(w->m[i]), w->handle[i]);
    aev_message_free(w->m[i]);
  }
  /* Restarted (or not) at 10 s: visible again at 40 s (or 30 s). */
  ok(aev_broker_advance(w->b, 25000));
  assert_counts(w->q, a->rc ? "2/0/0" : "0/2/0", a->k);
}

/* The dead-letter move at maxReceiveCount: a receive that answers
 * out-of-memory moved nothing (the message is still the source's, as it
 * was); one that succeeds moved it whole, with its source ARN. */
static void received_once(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->dlq = qt_queue(w->b, "dlq", NULL);
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\":\"5\",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(w->dlq));
  w->q = qt_queue(w->b, "src", attrs);
  qt_send(w->q, "m");
  aev_message_free(qt_recv1(w->q));
  ok(aev_broker_advance(w->b, 5000));
}

static void moved_or_not(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ck_assert_uint_eq(w->n, 0);
  if (a->rc) {
    assert_counts(w->q, "1/0/0", a->k);
    assert_counts(w->dlq, "0/0/0", a->k);
    return;
  }
  assert_counts(w->q, "0/0/0", a->k);
  aev_message *d = qt_recv1(w->dlq);
  ck_assert_msg(d != NULL, "allocation %ld: the message is in neither queue", a->k);
  ck_assert_str_eq(qt_body(d), "m");
  ck_assert_str_eq(aev_message_system_attribute(d, "DeadLetterQueueSourceArn"),
                   aev_queue_arn(w->q));
  ck_assert_str_eq(aev_message_system_attribute(d, "ApproximateReceiveCount"), "2");
  aev_message_free(d);
}

/* The same on FIFO queues, with a later message in the group: a move
 * that memory refused puts m1 back ahead of m2, so m2 must not have been
 * delivered in the meantime (the receive stops serving a group once one
 * of its messages is on its way to the DLQ). */
/* FIFO queue "src.fifo" (visibility 5 s, maxReceiveCount 1 into
 * "dlq.fifo") with the given messages in group "g"; the first has been
 * received and is visible again. */
static void fifo_head_received(world *w, int count) {
  world_begin(w);
  w->dlq = qt_queue(w->b, "dlq.fifo",
                    "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\","
           "\"VisibilityTimeout\":\"5\",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(w->dlq));
  w->q = qt_queue(w->b, "src.fifo", attrs);
  ok(aev_send_options_new(&w->so));
  ok(aev_send_options_set_group_id(w->so, "g"));
  for (int i = 1; i <= count; i++) {
    char body[3] = {'m', (char)('0' + i), 0};
    ok(aev_queue_send(w->q, body, 2, w->so, NULL, NULL));
  }
  aev_message *m = qt_recv1(w->q);
  ck_assert_str_eq(qt_body(m), "m1");
  aev_message_free(m);
  ok(aev_broker_advance(w->b, 5000));
}

static void fifo_received_once(void *ctx) { fifo_head_received(ctx, 2); }

static void fifo_moved_or_not(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  char moved[8];
  counts(w->dlq, moved, sizeof moved);
  for (size_t i = 0; i < w->n; i++) {
    ck_assert_msg(!strcmp(moved, "1/0/0"), "allocation %ld: %s delivered, m1 not moved (%s)",
                  a->k, qt_body(w->m[i]), moved);
    aev_message_free(w->m[i]);
  }
  assert_counts(w->q, strcmp(moved, "1/0/0") ? "2/0/0" : w->n ? "0/1/0" : "1/0/0", a->k);
}

/* A FIFO message past maxReceiveCount whose DLQ was deleted stays where it
 * was, whatever allocation fails: the receive that would move it puts it
 * back into its group, which stayed while the message was away (had the
 * group been dropped, making it again could fail and lose the message). */
static void fifo_dlq_deleted(void *ctx) {
  world *w = ctx;
  fifo_head_received(w, 1);
  ok(aev_queue_delete(w->dlq));
}

static void still_in_place(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ck_assert_uint_eq(w->n, 0);
  assert_counts(w->q, "1/0/0", a->k);
}

/* aev_message_attributes_json of a message with no attributes: "{}", or
 * NULL for out of memory only, which it says (InternalFailure). */
static void plain_received(void *ctx) {
  world *w = ctx;
  queue_world(w);
  qt_send(w->q, "m");
  w->m[0] = qt_recv1(w->q);
}

/* Another failure first, so that a NULL that records none is seen. */
static void other_error(void *ctx) {
  world *w = ctx;
  ck_assert_int_eq(aev_queue_receive(w->q, 0, 0, NULL, w->m + 1, &w->n), AEV_ERR_INVALID);
}

static int attributes_json_call(void *ctx) {
  world *w = ctx;
  w->out = aev_message_attributes_json(w->m[0]);
  return w->out ? AEV_OK : AEV_ERR_NOMEM;
}

static void attributes_json_answered(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  if (!a->rc) ck_assert_str_eq(w->out, "{}");
  aev_message_free(w->m[0]);
}

/* A move task's run (StartMessageMoveTask from "dlq" to "other"): out of
 * memory, it moves nothing that second and tries again the next, so it
 * ends COMPLETED with both messages in "other", never FAILED nor with a
 * message sent back to its source "src". */
static void moving_task(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->dlq = qt_queue(w->b, "dlq", NULL);
  w->qs[0] = qt_queue(w->b, "other", NULL);
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\":\"0\",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(w->dlq));
  w->q = qt_queue(w->b, "src", attrs);
  qt_send(w->q, "m1");
  qt_send(w->q, "m2");
  for (int i = 0; i < 2; i++) ok(aev_queue_receive(w->q, 10, 0, NULL, w->m, &w->n));
  for (size_t i = 0; i < 2; i++) aev_message_free(w->m[i]);
  w->n = 0;
  ok(aev_queue_start_move_task(w->b, aev_queue_arn(w->dlq), aev_queue_arn(w->qs[0]), 0,
                               &w->out));
}

static int drain_call(void *ctx) { return aev_broker_drain(((world *)ctx)->b); }

static void task_runs_on(void *ctx) { ok(aev_broker_advance(((world *)ctx)->b, 5000)); }

static void task_completed(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  assert_counts(w->qs[0], "2/0/0", a->k);
  assert_counts(w->q, "0/0/0", a->k);
  assert_counts(w->dlq, "0/0/0", a->k);
  char *tasks;
  ok(aev_queue_list_move_tasks(w->b, aev_queue_arn(w->dlq), 1, &tasks));
  ck_assert_msg(strstr(tasks, "\"COMPLETED\"") != NULL, "allocation %ld: %s", a->k, tasks);
  aev_free(tasks);
}

/* ---- DeleteMessage, ChangeMessageVisibility, PurgeQueue --------------- */

/* Two messages received with 60 s of visibility; the call under test acts
 * on the second one's handle. */
static void two_in_flight(void *ctx) {
  world *w = ctx;
  queue_world(w);
  qt_send(w->q, "A");
  qt_send(w->q, "B");
  ok(aev_receive_options_new(&w->ro));
  ok(aev_receive_options_set_visibility(w->ro, 60));
  for (int i = 0; i < 2; i++) {
    aev_message *m[1];
    size_t n = 0;
    ok(aev_queue_receive(w->q, 1, 0, w->ro, m, &n));
    ck_assert_uint_eq(n, 1);
    snprintf(w->handle[i], sizeof w->handle[i], "%s", aev_message_receipt_handle(m[0]));
    aev_message_free(m[0]);
  }
}

static int delete_second(void *ctx) {
  world *w = ctx;
  return aev_queue_delete_message(w->q, w->handle[1]);
}

static void second_deleted(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  assert_counts(w->q, a->rc ? "0/2/0" : "0/1/0", a->k);
  ok(aev_broker_advance(w->b, 60000));
  assert_bodies(w->q, a->rc ? "A:2,B:2" : "A:2", a->k);
}

/* DeleteMessageBatch with a handle that is not valid: that entry fails
 * with its code (or, out of memory for it, as out of memory; never
 * without one), and the first message is deleted either way. */
static const char *const DELETE_IDS[2] = {"a", "b"};

static int delete_batch_call(void *ctx) {
  world *w = ctx;
  const char *handles[2] = {w->handle[0], "not-a-handle"};
  return aev_queue_delete_message_batch(w->q, 2, DELETE_IDS, handles, &w->r);
}

static void batch_deleted(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  if (a->rc) {
    ck_assert_ptr_null(w->r);
    assert_counts(w->q, "0/2/0", a->k);
    return;
  }
  ck_assert_int_eq(aev_batch_result_status(w->r, 0), AEV_OK);
  int s = aev_batch_result_status(w->r, 1);
  const char *code = aev_batch_result_code(w->r, 1), *msg = aev_batch_result_message(w->r, 1);
  ck_assert_msg(code && msg, "allocation %ld: entry b failed without a code", a->k);
  if (s == AEV_ERR_NOMEM) {
    ck_assert_str_eq(code, NOMEM_CODE);
    a->tally->failures++;
  } else {
    ck_assert_int_eq(s, AEV_ERR_INVALID);
    ck_assert_str_eq(code, "ReceiptHandleIsInvalid");
  }
  aev_batch_result_free(w->r);
  assert_counts(w->q, "0/1/0", a->k);
}

/* The second message's visibility shortened to 10 s, before the first's
 * end: out of memory or not, it shows after 10 s and not before. */
static int shorten_second(void *ctx) {
  world *w = ctx;
  return aev_queue_change_visibility(w->q, w->handle[1], 10);
}

static void second_shortened(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  if (a->rc) {
    assert_counts(w->q, "0/2/0", a->k);
    ok(aev_broker_advance(w->b, 60000));
    assert_bodies(w->q, "A:2,B:2", a->k);
  } else {
    assert_bodies(w->q, "", a->k);
    ok(aev_broker_advance(w->b, 10000));
    assert_bodies(w->q, "B:2", a->k);
  }
}

static void one_more_visible(void *ctx) { qt_send(((world *)ctx)->q, "C"); }

static int purge_call(void *ctx) { return aev_queue_purge(((world *)ctx)->q); }

static void purged(void *ctx, const nomem_attempt *a) {
  assert_counts(((world *)ctx)->q, a->rc ? "1/2/0" : "0/0/0", a->k);
}

/* DeleteQueue: gone whatever fails (out of memory only forgets the name
 * early), its messages with it. */
static int delete_queue_call(void *ctx) { return aev_queue_delete(((world *)ctx)->q); }

static void queue_deleted(void *ctx, const nomem_attempt *a) {
  aev_queue *found = NULL;
  ck_assert_int_eq(aev_queue_get(((world *)ctx)->b, "q", &found),
                   a->rc ? AEV_OK : AEV_ERR_NOT_FOUND);
  aev_queue_release(found);
}

/* ---- SetQueueAttributes, tags ---------------------------------------- */

static void queue_with_dlq(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->dlq = qt_queue(w->b, "dlq", NULL);
  w->q = qt_queue(w->b, "q", "{\"Policy\":\"{}\",\"KmsMasterKeyId\":\"alias/k\"}");
  snprintf(w->req, sizeof w->req,
           "{\"VisibilityTimeout\":\"50\",\"RedriveAllowPolicy\":"
           "\"{\\\"redrivePermission\\\":\\\"denyAll\\\"}\",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":3}\"}",
           aev_queue_arn(w->dlq));
}

static int set_attributes_call(void *ctx) {
  world *w = ctx;
  return aev_queue_set_attributes(w->q, w->req);
}

/* The new ones set, the others kept. */
static void attributes_set(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  json_t *j = json_loads(json_string_value(a->now), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(j, "VisibilityTimeout")), "50");
  ck_assert_str_eq(json_string_value(json_object_get(j, "Policy")), "{}");
  ck_assert_str_eq(json_string_value(json_object_get(j, "KmsMasterKeyId")), "alias/k");
  ck_assert_ptr_nonnull(
      strstr(json_string_value(json_object_get(j, "RedrivePolicy")), aev_queue_arn(w->dlq)));
  ck_assert_ptr_nonnull(json_object_get(j, "RedriveAllowPolicy"));
  json_decref(j);
}

static void tagged_a(void *ctx) {
  world *w = ctx;
  queue_world(w);
  ok(aev_queue_tag(w->q, "{\"a\":\"1\"}"));
}

static int tag_b(void *ctx) { return aev_queue_tag(((world *)ctx)->q, "{\"b\":\"2\"}"); }

/* Then untagging a, its first allocation failing, must work all the same. */
static void b_tagged(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  char *tags;
  ok(aev_queue_list_tags(w->q, &tags));
  json_eq(tags, a->rc ? "{\"a\":\"1\"}" : "{\"a\":\"1\",\"b\":\"2\"}");
  aev_free(tags);
  nomem_arm(0);
  int rc = aev_queue_untag(w->q, "[\"a\"]");
  nomem_disarm();
  ck_assert_msg(rc == AEV_OK, "untag, allocation 0: %d %s %s", rc, aev_errcode(), aev_errmsg());
  ok(aev_queue_list_tags(w->q, &tags));
  json_eq(tags, "{\"b\":\"2\"}");
  aev_free(tags);
}

/* ---- the sqs API layer -------------------------------------------------- */

/* One aev_call of action w->args.name with request w->req. */
static int sqs_call(void *ctx) {
  world *w = ctx;
  return aev_call(w->b, "sqs", w->args.name, w->req, &w->out);
}

/* The response; out of memory it is InternalFailure's error shape. */
static json_t *sqs_response(world *w, const nomem_attempt *a) {
  ck_assert_ptr_nonnull(w->out);
  json_t *j = json_loads(w->out, 0, NULL);
  ck_assert_ptr_nonnull(j);
  if (a->rc) ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), NOMEM_CODE);
  return j;
}

static void create_queue_request(void *ctx) {
  world *w = ctx;
  world_begin(w);
  snprintf(w->req, sizeof w->req, "%s",
           "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"0\"},"
           "\"tags\":{\"team\":\"x\"}}");
}

static void api_queue_created(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  json_t *r = sqs_response(w, a);
  int found = aev_queue_get(w->b, "q", &w->q);
  if (json_object_get(r, "__type")) {
    ck_assert_int_eq(found, AEV_ERR_NOT_FOUND);
  } else {
    ok(found);
    ck_assert_str_eq(json_string_value(json_object_get(r, "QueueUrl")), aev_queue_url(w->q));
    char *tags;
    ok(aev_queue_list_tags(w->q, &tags));
    json_eq(tags, "{\"team\":\"x\"}");
    aev_free(tags);
  }
  json_decref(r);
}

static void send_message_request(void *ctx) {
  world *w = ctx;
  queue_world(w);
  snprintf(w->req, sizeof w->req,
           "{\"QueueUrl\":\"%s\",\"MessageBody\":\"m\",\"MessageAttributes\":%s}",
           aev_queue_url(w->q), ATTRS);
}

static void api_message_sent(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  json_t *r = sqs_response(w, a);
  if (json_object_get(r, "__type")) {
    assert_counts(w->q, "0/0/0", a->k);
  } else {
    ck_assert_int_eq(strlen(json_string_value(json_object_get(r, "MessageId"))), 36);
    ck_assert_ptr_nonnull(json_object_get(r, "MD5OfMessageAttributes"));
    assert_bodies(w->q, "m:1", a->k);
  }
  json_decref(r);
}

static void receive_message_request(void *ctx) {
  world *w = ctx;
  queue_with_options(w);
  ok(aev_queue_send(w->q, "m", 1, w->so, NULL, NULL));
  snprintf(w->req, sizeof w->req,
           "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10,\"AttributeNames\":[\"All\"],"
           "\"MessageAttributeNames\":[\"All\"]}",
           aev_queue_url(w->q));
}

static void api_message_received(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  json_t *r = sqs_response(w, a);
  json_t *msgs = json_object_get(r, "Messages");
  if (json_object_get(r, "__type") || !msgs) {
    assert_counts(w->q, "1/0/0", a->k);
    assert_bodies(w->q, "m:1", a->k);
  } else {
    json_t *m = json_array_get(msgs, 0), *sys = json_object_get(m, "Attributes");
    ck_assert_str_eq(json_string_value(json_object_get(m, "Body")), "m");
    ck_assert_msg(json_object_get(sys, "SentTimestamp") &&
                      json_object_get(sys, "ApproximateFirstReceiveTimestamp"),
                  "allocation %ld: system attributes missing", a->k);
    ck_assert_str_eq(json_string_value(json_object_get(sys, "ApproximateReceiveCount")), "1");
    json_t *want = json_loads(ATTRS, 0, NULL);
    ck_assert_msg(json_equal(json_object_get(m, "MessageAttributes"), want),
                  "allocation %ld: message attributes differ", a->k);
    json_decref(want);
    assert_counts(w->q, "0/1/0", a->k);
  }
  json_decref(r);
}

/* ---- topics -------------------------------------------------------------- */

static int create_topic(void *ctx) {
  world *w = ctx;
  return aev_topic_create(w->b, w->args.name, w->args.attrs, &w->tp);
}

static void topic_created(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  aev_topic *found = NULL;
  if (a->rc) {
    ck_assert_ptr_null(w->tp);
    ck_assert_int_eq(aev_topic_get(w->b, w->args.name, &found), AEV_ERR_NOT_FOUND);
    ok(aev_topic_create(w->b, w->args.name, w->args.attrs, &w->tp));
  }
  ok(aev_topic_get(w->b, w->args.name, &found));
  ck_assert_ptr_eq(found, w->tp);
  char *attrs;
  ok(aev_topic_get_attributes(w->tp, &attrs));
  json_t *j = json_loads(attrs, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(j, w->args.check_name)), w->args.check_value);
  json_decref(j);
  aev_free(attrs);
  aev_topic_release(found);
}

/* SetTopicAttributes of one attribute keeps the others. */
static void topic_with_attrs(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->tp = tt_topic(w->b, "t", "{\"DisplayName\":\"d\",\"Policy\":\"{}\"}");
}

/* The topic's whole GetTopicAttributes answer. */
static json_t *topic_attrs(void *ctx) {
  char *a;
  int rc = aev_topic_get_attributes(((world *)ctx)->tp, &a);
  return answer_state(rc, a);
}

static int set_topic_attribute_call(void *ctx) {
  return aev_topic_set_attribute(((world *)ctx)->tp, "KmsMasterKeyId", "alias/k");
}

static void topic_attribute_set(void *ctx, const nomem_attempt *a) {
  json_t *j = json_loads(json_string_value(a->now), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(j, "KmsMasterKeyId")), "alias/k");
  ck_assert_str_eq(json_string_value(json_object_get(j, "DisplayName")), "d");
  ck_assert_str_eq(json_string_value(json_object_get(j, "Policy")), "{}");
  json_decref(j);
}

static int endpoint_fn(void *user, const char *type, const char *body, size_t len) {
  endpoint *e = user;
  (void)len;
  if (!strcmp(type, "SubscriptionConfirmation")) {
    e->confirmations++;
    json_t *j = json_loads(body, 0, NULL);
    snprintf(e->token, sizeof e->token, "%s", json_string_value(json_object_get(j, "Token")));
    json_decref(j);
  } else if (!strcmp(type, "Notification")) {
    e->notifications++;
  }
  return 200;
}

static void endpoint_release(void *user) { ((endpoint *)user)->released++; }

/* How many subscriptions the topic has. */
static int sub_count(aev_broker *b, aev_topic *tp) {
  char *l;
  ok(aev_subscription_list(b, tp, NULL, &l));
  json_t *j = json_loads(l, 0, NULL);
  int n = (int)json_array_size(json_object_get(j, "Subscriptions"));
  json_decref(j);
  aev_free(l);
  return n;
}

static const char *const FILTER = "{\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\"}";

/* A topic "t" and a queue "q". */
static void topic_and_queue(void *ctx) {
  world *w = ctx;
  queue_world(w);
  w->tp = tt_topic(w->b, "t", NULL);
}

/* Subscribe (a queue, raw with a filter policy): out of memory there is no
 * subscription; else there is one, and a matching publish reaches the
 * queue. */
static int subscribe_queue_call(void *ctx) {
  world *w = ctx;
  return aev_topic_subscribe(w->tp, "sqs", aev_queue_arn(w->q),
                             "{\"RawMessageDelivery\":\"true\","
                             "\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\"}",
                             &w->out);
}

static void queue_subscribed(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ck_assert_int_eq(sub_count(w->b, w->tp), !a->rc);
  if (a->rc) {
    ck_assert_ptr_null(w->out);
  } else {
    char *attrs;
    ok(aev_subscription_get_attributes(w->b, w->out, &attrs));
    ck_assert_ptr_nonnull(strstr(attrs, "\"RawMessageDelivery\":\"true\""));
    ck_assert_ptr_nonnull(strstr(attrs, "FilterPolicy"));
    aev_free(attrs);
  }
  tt_publish(w->tp, "yes", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  tt_publish(w->tp, "no", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"w\"}}");
  assert_bodies(w->q, a->rc ? "" : "yes:1", a->k);
}

/* Subscribe (an http callback): out of memory no callback ever runs, its
 * release included; else the endpoint gets its SubscriptionConfirmation. */
static void topic_only(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->tp = tt_topic(w->b, "t", NULL);
}

static int subscribe_callback_call(void *ctx) {
  world *w = ctx;
  return aev_topic_subscribe_callback(w->tp, "http", "http://h/", endpoint_fn, &w->e,
                                      endpoint_release, FILTER, &w->out);
}

/* The release runs once the broker is gone, only for a subscription. */
static void callback_subscribed(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ok(aev_broker_advance(w->b, 60000));
  ck_assert_int_eq(sub_count(w->b, w->tp), !a->rc);
  if (a->rc) {
    ck_assert_ptr_null(w->out);
    ck_assert_int_eq(w->e.confirmations + w->e.released, 0);
  } else {
    ck_assert_msg(w->e.confirmations == 1, "allocation %ld: %d confirmations", a->k,
                  w->e.confirmations);
  }
  aev_topic_release(w->tp);
  aev_broker_destroy(w->b);
  w->tp = NULL;
  w->b = NULL;
  ck_assert_int_eq(w->e.released, !a->rc);
}

/* A raw queue subscription with a FilterPolicy and a RedrivePolicy. */
static void subscribed(void *ctx) {
  world *w = ctx;
  topic_and_queue(w);
  w->dlq = qt_queue(w->b, "dlq", NULL);
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"RawMessageDelivery\":\"true\",\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\","
           "\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\"}\"}",
           aev_queue_arn(w->dlq));
  w->arn = tt_sub(w->tp, w->q, attrs);
}

/* The subscription's GetSubscriptionAttributes answer. */
static json_t *sub_attrs(void *ctx) {
  world *w = ctx;
  char *a;
  int rc = aev_subscription_get_attributes(w->b, w->arn, &a);
  return answer_state(rc, a);
}

/* SetSubscriptionAttributes: a new FilterPolicy, then RawMessageDelivery
 * (which must keep the filter and redrive policies). */
static const char *const SUB_NAMES[2] = {"FilterPolicy", "RawMessageDelivery"};
static const char *const SUB_VALUES[2] = {"{\"k\":[\"w\"]}", "false"};

static int set_sub_attribute(void *ctx) {
  world *w = ctx;
  return aev_subscription_set_attribute(w->b, w->arn, SUB_NAMES[w->args.which],
                                        SUB_VALUES[w->args.which]);
}

/* The filter in force is the one the attributes show. */
static void sub_attribute_set(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  const char *now = json_string_value(a->now);
  int which = w->args.which;
  json_t *j = json_loads(now, 0, NULL);
  const char *filter = json_string_value(json_object_get(j, "FilterPolicy"));
  if (!a->rc) {
    ck_assert_msg(filter && json_object_get(j, "RedrivePolicy"), "allocation %ld: %s lost a policy",
                  a->k, now);
    ck_assert_str_eq(json_string_value(json_object_get(j, SUB_NAMES[which])), SUB_VALUES[which]);
  }
  tt_publish(w->tp, "v", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  tt_publish(w->tp, "w", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"w\"}}");
  ck_assert_int_eq(tt_depth(w->q), 1);
  aev_message *m = qt_recv1(w->q);
  int raw = !strcmp(qt_body(m), "v") || !strcmp(qt_body(m), "w");
  const char *got = raw ? qt_body(m) : strstr(qt_body(m), "\"Message\":\"v\"") ? "v" : "w";
  ck_assert_msg(!strcmp(got, strstr(filter, "\"w\"") ? "w" : "v"),
                "allocation %ld: filter %s let %s through", a->k, filter, qt_body(m));
  ck_assert_int_eq(raw, !(which == 1 && !a->rc));
  aev_message_free(m);
  json_decref(j);
}

/* Publish (with attributes) to a topic with three queue subscriptions: raw,
 * enveloped, and raw with a filter that matches. SNS accepts a publish and
 * then delivers, retrying what fails: a publish that answers
 * out-of-memory delivered nothing, one that succeeds reaches every queue
 * once the retries have run. */
static void three_subscribers(void *ctx) {
  world *w = ctx;
  const char *attrs = w->args.attrs;
  world_begin(w);
  w->tp = tt_topic(w->b, "t", NULL);
  for (int i = 0; i < 3; i++) {
    char name[3] = {'q', (char)('0' + i), 0};
    w->qs[i] = qt_queue(w->b, name, NULL);
  }
  aev_free(tt_sub(w->tp, w->qs[0], "{\"RawMessageDelivery\":\"true\"}"));
  aev_free(tt_sub(w->tp, w->qs[1], NULL));
  aev_free(tt_sub(w->tp, w->qs[2],
                  attrs ? "{\"RawMessageDelivery\":\"true\","
                          "\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\"}"
                        : "{\"RawMessageDelivery\":\"true\"}"));
  tt_publish(w->tp, "warm", attrs); /* builds the topic's view */
  for (int i = 0; i < 3; i++) {
    aev_message *m = qt_recv1(w->qs[i]);
    ok(aev_queue_delete_message(w->qs[i], aev_message_receipt_handle(m)));
    aev_message_free(m);
  }
  ok(aev_publish_options_new(&w->po));
  if (attrs) ok(aev_publish_options_set_attributes(w->po, attrs));
}

static int publish_m(void *ctx) {
  world *w = ctx;
  return aev_topic_publish(w->tp, "m", 1, w->po, w->id, NULL);
}

static void published_to_three(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  int rc = a->rc;
  if (rc) {
    ck_assert_str_eq(w->id, "");
    ck_assert_int_eq(tt_counter(w->tp, "NumberOfMessagesPublished"), 1);
  } else {
    ck_assert_int_eq(strlen(w->id), 36);
    ck_assert_int_eq(tt_counter(w->tp, "NumberOfMessagesPublished"), 2);
  }
  ok(aev_broker_advance(w->b, 60000));
  for (int i = 0; i < 3; i++)
    ck_assert_msg(tt_depth(w->qs[i]) == !rc, "allocation %ld (rc %d): queue %d holds %d", a->k, rc,
                  i, tt_depth(w->qs[i]));
  if (!rc) {
    ck_assert_int_eq(tt_counter(w->tp, "NumberOfNotificationsDelivered"), 6);
    ck_assert_int_eq(tt_counter(w->tp, "NumberOfNotificationsFailed"), 0);
  }
}

/* Setting publish options' attributes: out of memory it says so. */
static void raw_subscriber(void *ctx) {
  world *w = ctx;
  topic_and_queue(w);
  aev_free(tt_sub(w->tp, w->q, "{\"RawMessageDelivery\":\"true\"}"));
}

static void raw_subscriber_and_options(void *ctx) {
  raw_subscriber(ctx);
  ok(aev_publish_options_new(&((world *)ctx)->po));
}

static int set_publish_attributes(void *ctx) {
  return aev_publish_options_set_attributes(((world *)ctx)->po, ATTRS);
}

static void published_with_attributes(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  if (a->rc) ok(aev_publish_options_set_attributes(w->po, ATTRS));
  ok(aev_topic_publish(w->tp, "m", 1, w->po, NULL, NULL));
  ok(aev_broker_advance(w->b, 60000));
  aev_message *m = qt_recv1(w->q);
  ck_assert_msg(m != NULL, "allocation %ld: not delivered", a->k);
  char *attrs = aev_message_attributes_json(m);
  ck_assert_msg(attrs != NULL, "allocation %ld: delivered without attributes", a->k);
  json_eq(attrs, ATTRS);
  aev_free(attrs);
  aev_message_free(m);
}

/* FIFO topic to a FIFO queue: a publish that failed delivers nothing and
 * leaves no deduplication record (the same publish again is delivered);
 * one that succeeded deduplicates it. */
static void fifo_subscriber(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->tp = tt_topic(w->b, "t.fifo", "{\"FifoTopic\":\"true\"}");
  w->q = qt_queue(w->b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  aev_free(tt_sub(w->tp, w->q, "{\"RawMessageDelivery\":\"true\"}"));
  ok(aev_publish_options_new(&w->po));
  ok(aev_publish_options_set_group_id(w->po, "g"));
  ok(aev_publish_options_set_deduplication_id(w->po, "d"));
}

static int publish_fifo_m(void *ctx) {
  world *w = ctx;
  return aev_topic_publish(w->tp, "m", 1, w->po, w->id, w->seq);
}

static void published_once(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ok(aev_broker_advance(w->b, 60000));
  if (a->rc) {
    ck_assert_str_eq(w->id, "");
    ck_assert_str_eq(w->seq, "");
    ck_assert_int_eq(tt_depth(w->q), 0);
  } else {
    ck_assert_int_eq(strlen(w->seq), 20);
  }
  ok(aev_topic_publish(w->tp, "m", 1, w->po, NULL, NULL));
  ok(aev_broker_advance(w->b, 60000));
  ck_assert_msg(tt_depth(w->q) == 1, "allocation %ld: queue holds %d", a->k, tt_depth(w->q));
}

/* An archiving FIFO topic (ArchivePolicy) to a standard queue, raw. */
static void archiving_subscriber(void *ctx) {
  world *w = ctx;
  world_begin(w);
  w->tp = tt_topic(w->b, "t.fifo",
                   "{\"FifoTopic\":\"true\",\"ArchivePolicy\":"
                   "\"{\\\"MessageRetentionPeriod\\\":\\\"1\\\"}\"}");
  w->q = qt_queue(w->b, "q", NULL);
  w->arn = tt_sub(w->tp, w->q, "{\"RawMessageDelivery\":\"true\"}");
  ok(aev_publish_options_new(&w->po));
  ok(aev_publish_options_set_group_id(w->po, "g"));
  ok(aev_publish_options_set_deduplication_id(w->po, "d"));
}

/* How many messages a replay of the whole archive delivers to w->q. */
static int replayed_count(world *w) {
  int before = tt_depth(w->q);
  ok(aev_subscription_set_attribute(w->b, w->arn, "ReplayPolicy",
                                    "{\"PointType\":\"Timestamp\","
                                    "\"StartingPoint\":\"2024-01-01T00:00:00Z\"}"));
  ok(aev_broker_drain(w->b));
  return tt_depth(w->q) - before;
}

/* A FIFO publish that failed is not in the archive either (its retry is,
 * once); one that succeeded is, once. */
static void archived_once(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ok(aev_broker_drain(w->b));
  ck_assert_int_eq(tt_depth(w->q), a->rc ? 0 : 1);
  if (a->rc) ok(aev_topic_publish(w->tp, "m", 1, w->po, NULL, NULL));
  ok(aev_broker_drain(w->b));
  ck_assert_msg(replayed_count(w) == 1, "allocation %ld: the archive is wrong", a->k);
}

/* One archived message, delivered live. */
static void archived_one(void *ctx) {
  world *w = ctx;
  archiving_subscriber(w);
  ok(aev_topic_publish(w->tp, "m", 1, w->po, NULL, NULL));
  ok(aev_broker_drain(w->b));
}

static int set_replay_policy(void *ctx) {
  world *w = ctx;
  return aev_subscription_set_attribute(w->b, w->arn, "ReplayPolicy",
                                        "{\"PointType\":\"Timestamp\","
                                        "\"StartingPoint\":\"2024-01-01T00:00:00.000Z\"}");
}

/* Out of memory the subscription has no ReplayPolicy and nothing is
 * replayed; else the archived message comes again. */
static void replay_set(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ok(aev_broker_drain(w->b));
  ck_assert_int_eq(tt_depth(w->q), a->rc ? 1 : 2);
  char *attrs;
  ok(aev_subscription_get_attributes(w->b, w->arn, &attrs));
  ck_assert_int_eq(strstr(attrs, "\"ReplayStatus\":\"Completed\"") != NULL, !a->rc);
  aev_free(attrs);
}

/* PublishBatch: entries that failed were not delivered, those listed as
 * Successful were (once the retries have run). */
static int publish_batch_call(void *ctx) {
  world *w = ctx;
  return aev_topic_publish_batch(
      w->tp,
      "[{\"Id\":\"a\",\"Message\":\"A\"},{\"Id\":\"b\",\"Message\":\"B\","
      "\"MessageAttributes\":{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}},"
      "{\"Id\":\"c\",\"Message\":\"C\",\"Subject\":\"s\"}]",
      &w->out);
}

static void batch_published(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ok(aev_broker_advance(w->b, 60000));
  char want[4] = "", have[64];
  if (a->rc) {
    ck_assert_ptr_null(w->out);
  } else {
    json_t *j = json_loads(w->out, 0, NULL);
    json_t *good = json_object_get(j, "Successful"), *bad = json_object_get(j, "Failed");
    ck_assert_uint_eq(json_array_size(good) + json_array_size(bad), 3);
    size_t i;
    json_t *e;
    json_array_foreach(bad, i, e) {
      ck_assert_str_eq(json_string_value(json_object_get(e, "Code")), NOMEM_CODE);
      a->tally->failures++;
    }
    json_array_foreach(good, i, e) want[i] = json_string_value(json_object_get(e, "Id"))[0];
    json_decref(j);
  }
  /* A delivery that was retried arrives after the others. */
  drain_bodies(w->q, have, sizeof have);
  ck_assert_msg(strlen(have) == 4 * strlen(want) - (*want != 0), "allocation %ld: %s for %s", a->k,
                have, want);
  for (const char *c = want; *c; c++) {
    char body[4] = {(char)(*c - 'a' + 'A'), ':', '1', 0};
    ck_assert_msg(strstr(have, body) != NULL, "allocation %ld: %s lacks %s", a->k, have, body);
  }
}

/* ConfirmSubscription: out of memory the subscription is still pending
 * (and nothing is delivered to it); else it is confirmed and the caller has
 * its ARN. */
static void pending_callback(void *ctx) {
  world *w = ctx;
  topic_only(w);
  ok(aev_topic_subscribe_callback(w->tp, "http", "http://h/", endpoint_fn, &w->e, NULL, NULL,
                                  &w->arn));
  ok(aev_broker_drain(w->b));
  ck_assert_int_eq(w->e.confirmations, 1);
}

static int confirm_call(void *ctx) {
  world *w = ctx;
  return aev_topic_confirm_subscription(w->tp, w->e.token, &w->out);
}

static void confirmed(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  char *attrs;
  ok(aev_subscription_get_attributes(w->b, w->arn, &attrs));
  ck_assert_ptr_nonnull(strstr(
      attrs, a->rc ? "\"PendingConfirmation\":\"true\"" : "\"PendingConfirmation\":\"false\""));
  aev_free(attrs);
  if (a->rc)
    ck_assert_ptr_null(w->out);
  else
    ck_assert_str_eq(w->out, w->arn);
  tt_publish(w->tp, "m", NULL);
  ok(aev_broker_drain(w->b));
  ck_assert_int_eq(w->e.notifications, !a->rc);
}

/* Unsubscribe: out of memory the subscription stays (and still receives);
 * else it is gone. */
static int unsubscribe_call(void *ctx) {
  world *w = ctx;
  return aev_subscription_unsubscribe(w->b, w->arn);
}

static void unsubscribed(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  ck_assert_int_eq(sub_count(w->b, w->tp), a->rc ? 1 : 0);
  tt_publish(w->tp, "v", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  ck_assert_int_eq(tt_depth(w->q), a->rc ? 1 : 0);
}

/* DeleteTopic: gone whatever fails (forgetting the name early is all
 * memory can cost it). */
static int delete_topic_call(void *ctx) { return aev_topic_delete(((world *)ctx)->tp); }

static void topic_deleted(void *ctx, const nomem_attempt *a) {
  aev_topic *found = NULL;
  ck_assert_int_eq(aev_topic_get(((world *)ctx)->b, "t", &found),
                   a->rc ? AEV_OK : AEV_ERR_NOT_FOUND);
  aev_topic_release(found);
}

/* ---- the sweeps ------------------------------------------------------- */

/* One sweep: the call, and the variant of its world. */
typedef struct qt_case {
  nomem_case c;
  world_args args;
} qt_case;

#define CREATE_STD_QUEUE                                                    \
  "{\"VisibilityTimeout\":\"45\",\"DelaySeconds\":\"2\",\"Policy\":\"{}\"," \
  "\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"denyAll\\\"}\"}"
#define CREATE_FIFO_QUEUE                                           \
  "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"," \
  "\"KmsMasterKeyId\":\"alias/k\",\"DeduplicationScope\":\"messageGroup\"}"
#define FIFO_QUEUE "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}"
#define PUBLISH_ATTRS                                        \
  "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}," \
  "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"}}"

static const qt_case QUEUE_CALLS[] = {
    {.c = {.what = "CreateQueue", .fresh = world_begin, .call = create_queue,
           .succeeded = queue_created, .failed = queue_created},
     .args = {.name = "std", .attrs = CREATE_STD_QUEUE, .check_name = "VisibilityTimeout",
              .check_value = "45"}},
    {.c = {.what = "CreateQueue (FIFO)", .fresh = world_begin, .call = create_queue,
           .succeeded = queue_created, .failed = queue_created},
     .args = {.name = "q.fifo", .attrs = CREATE_FIFO_QUEUE, .check_name = "KmsMasterKeyId",
              .check_value = "alias/k"}},
    {.c = {.what = "SendMessage", .fresh = old_delayed, .call = send_new, .succeeded = new_sent,
           .failed = new_sent}},
    {.c = {.what = "SendMessage (FIFO)", .fresh = fifo_to_send, .call = send_m,
           .succeeded = m_sent_once, .failed = m_sent_once}},
    {.c = {.what = "SendMessageBatch", .fresh = queue_with_options, .call = send_batch_call,
           .succeeded = batch_sent, .failed = batch_sent}},
    {.c = {.what = "ReceiveMessage", .fresh = three_sent, .call = receive_ten,
           .succeeded = received_in_order, .failed = received_in_order, .expect = NOMEM_ALLOCATES},
     .args = {.name = "q"}},
    {.c = {.what = "ReceiveMessage (FIFO)", .fresh = three_sent, .call = receive_ten,
           .succeeded = received_in_order, .failed = received_in_order, .expect = NOMEM_ALLOCATES},
     .args = {.name = "q.fifo", .attrs = FIFO_QUEUE}},
    /* The copies fit in the queue's receive block: nothing to allocate. */
    {.c = {.what = "ReceiveMessage (replayed)", .fresh = fifo_received, .call = receive_ten,
           .succeeded = replayed, .failed = replayed, .expect = NOMEM_NEVER_FAILS}},
    {.c = {.what = "ReceiveMessage (to the DLQ)", .fresh = received_once, .call = receive_ten,
           .succeeded = moved_or_not, .failed = moved_or_not}},
    {.c = {.what = "ReceiveMessage (to the FIFO DLQ)", .fresh = fifo_received_once,
           .call = receive_ten, .succeeded = fifo_moved_or_not, .failed = fifo_moved_or_not}},
    {.c = {.what = "ReceiveMessage (its FIFO DLQ deleted)", .fresh = fifo_dlq_deleted,
           .call = receive_ten, .succeeded = still_in_place, .failed = still_in_place}},
    {.c = {.what = "aev_message_attributes_json (none)", .fresh = plain_received,
           .setup = other_error, .call = attributes_json_call,
           .succeeded = attributes_json_answered, .failed = attributes_json_answered}},
    {.c = {.what = "StartMessageMoveTask (its run)", .fresh = moving_task, .call = drain_call,
           .after = task_runs_on, .succeeded = task_completed, .failed = task_completed,
           .expect = NOMEM_ALLOCATES}},
    /* A delete allocates nothing. */
    {.c = {.what = "DeleteMessage", .fresh = two_in_flight, .call = delete_second,
           .succeeded = second_deleted, .failed = second_deleted, .expect = NOMEM_NEVER_FAILS}},
    {.c = {.what = "DeleteMessageBatch (one handle not valid)", .fresh = two_in_flight,
           .call = delete_batch_call, .succeeded = batch_deleted, .failed = batch_deleted}},
    {.c = {.what = "ChangeMessageVisibility", .fresh = two_in_flight, .call = shorten_second,
           .succeeded = second_shortened, .failed = second_shortened, .expect = NOMEM_ALLOCATES}},
    /* A purge allocates nothing. */
    {.c = {.what = "PurgeQueue", .fresh = two_in_flight, .setup = one_more_visible,
           .call = purge_call, .succeeded = purged, .failed = purged, .expect = NOMEM_NEVER_FAILS}},
    {.c = {.what = "DeleteQueue", .fresh = two_in_flight, .call = delete_queue_call,
           .succeeded = queue_deleted, .failed = queue_deleted, .expect = NOMEM_NEVER_FAILS}},
    {.c = {.what = "SetQueueAttributes", .fresh = queue_with_dlq, .state = queue_attrs,
           .call = set_attributes_call, .succeeded = attributes_set}},
    /* Tags live in jansson objects: the library's allocator is not used. */
    {.c = {.what = "TagQueue", .fresh = tagged_a, .call = tag_b, .succeeded = b_tagged,
           .failed = b_tagged, .expect = NOMEM_NEVER_FAILS}},
    {.c = {.what = "sqs CreateQueue", .fresh = create_queue_request, .call = sqs_call,
           .succeeded = api_queue_created, .failed = api_queue_created},
     .args = {.name = "CreateQueue"}},
    {.c = {.what = "sqs SendMessage", .fresh = send_message_request, .call = sqs_call,
           .succeeded = api_message_sent, .failed = api_message_sent},
     .args = {.name = "SendMessage"}},
    /* A receive tolerates one failed allocation (ReceiveMessage above). */
    {.c = {.what = "sqs ReceiveMessage", .fresh = receive_message_request, .call = sqs_call,
           .succeeded = api_message_received, .failed = api_message_received,
           .expect = NOMEM_ALLOCATES},
     .args = {.name = "ReceiveMessage"}},
};

static const qt_case TOPIC_CALLS[] = {
    {.c = {.what = "CreateTopic", .fresh = world_begin, .call = create_topic,
           .succeeded = topic_created, .failed = topic_created},
     .args = {.name = "t", .attrs = "{\"DisplayName\":\"d\",\"Policy\":\"{}\"}",
              .check_name = "DisplayName", .check_value = "d"}},
    {.c = {.what = "CreateTopic (FIFO)", .fresh = world_begin, .call = create_topic,
           .succeeded = topic_created, .failed = topic_created},
     .args = {.name = "t.fifo",
              .attrs = "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}",
              .check_name = "ContentBasedDeduplication", .check_value = "true"}},
    {.c = {.what = "SetTopicAttributes", .fresh = topic_with_attrs, .state = topic_attrs,
           .call = set_topic_attribute_call, .succeeded = topic_attribute_set}},
    {.c = {.what = "Subscribe (sqs)", .fresh = topic_and_queue, .call = subscribe_queue_call,
           .succeeded = queue_subscribed, .failed = queue_subscribed}},
    {.c = {.what = "Subscribe (callback)", .fresh = topic_only, .call = subscribe_callback_call,
           .succeeded = callback_subscribed, .failed = callback_subscribed}},
    {.c = {.what = "SetSubscriptionAttributes (FilterPolicy)", .fresh = subscribed,
           .state = sub_attrs, .call = set_sub_attribute, .succeeded = sub_attribute_set,
           .failed = sub_attribute_set},
     .args = {.which = 0}},
    {.c = {.what = "SetSubscriptionAttributes (RawMessageDelivery)", .fresh = subscribed,
           .state = sub_attrs, .call = set_sub_attribute, .succeeded = sub_attribute_set,
           .failed = sub_attribute_set},
     .args = {.which = 1}},
    {.c = {.what = "Publish (attributes)", .fresh = three_subscribers, .call = publish_m,
           .succeeded = published_to_three, .failed = published_to_three},
     .args = {.attrs = PUBLISH_ATTRS}},
    {.c = {.what = "Publish", .fresh = three_subscribers, .call = publish_m,
           .succeeded = published_to_three, .failed = published_to_three}},
    {.c = {.what = "aev_publish_options_set_attributes", .fresh = raw_subscriber_and_options,
           .call = set_publish_attributes, .succeeded = published_with_attributes,
           .failed = published_with_attributes}},
    {.c = {.what = "Publish (FIFO)", .fresh = fifo_subscriber, .call = publish_fifo_m,
           .succeeded = published_once, .failed = published_once}},
    {.c = {.what = "Publish (FIFO, archived)", .fresh = archiving_subscriber,
           .call = publish_fifo_m, .succeeded = archived_once, .failed = archived_once}},
    {.c = {.what = "SetSubscriptionAttributes (ReplayPolicy)", .fresh = archived_one,
           .state = sub_attrs, .call = set_replay_policy, .succeeded = replay_set,
           .failed = replay_set}},
    {.c = {.what = "PublishBatch", .fresh = raw_subscriber, .call = publish_batch_call,
           .succeeded = batch_published, .failed = batch_published}},
    {.c = {.what = "ConfirmSubscription", .fresh = pending_callback, .call = confirm_call,
           .succeeded = confirmed, .failed = confirmed}},
    {.c = {.what = "Unsubscribe", .fresh = subscribed, .call = unsubscribe_call,
           .succeeded = unsubscribed, .failed = unsubscribed}},
    /* Forgetting the name early is all memory can cost it. */
    {.c = {.what = "DeleteTopic", .fresh = subscribed, .call = delete_topic_call,
           .succeeded = topic_deleted, .failed = topic_deleted, .expect = NOMEM_NEVER_FAILS}},
};

#define COUNT(a) (int)(sizeof a / sizeof *a)

/* Sweeps a case over a fresh world each attempt. */
static void sweep_case(const qt_case *row) {
  nomem_case c = row->c;
  c.end = world_free;
  c.errcode = NOMEM_CODE;
  world w = {.args = row->args};
  nomem_sweep(&c, &w);
}

START_TEST(queue_calls) { sweep_case(&QUEUE_CALLS[_i]); }
END_TEST

START_TEST(topic_calls) { sweep_case(&TOPIC_CALLS[_i]); }
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_queue_topic");
  TCase *q = tcase_create("queue");
  tcase_add_loop_test(q, queue_calls, 0, COUNT(QUEUE_CALLS));
  suite_add_tcase(s, q);
  TCase *t = tcase_create("topic");
  tcase_add_loop_test(t, topic_calls, 0, COUNT(TOPIC_CALLS));
  suite_add_tcase(s, t);
  return aev_test_run(s);
}
