/* Queue (SQS) and topic (SNS) calls that fail for want of memory
 * (nomem.h): each allocation of the call fails in turn, and the call must
 * then answer AEV_ERR_NOMEM and leave what was stored as it was, or
 * succeed whole. Every round starts from a fresh manual-clock broker with
 * no workers, so nothing allocates behind the call's back. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nomem.h"
#include "topic_support.h"

#define ok(expr)                                                              \
  do {                                                                        \
    int rc_ = (expr);                                                         \
    ck_assert_msg(rc_ == AEV_OK, "%s: %s %s", #expr, aev_errcode(), aev_errmsg()); \
  } while (0)

/* A sweep's tally: rounds whose armed allocation was reached (and failed),
 * and calls that answered out-of-memory. */
typedef struct tally {
  int injected, failures;
} tally;

/* Ends an armed call: 1 while the sweep must go on. An out-of-memory
 * answer must be worded as one. */
static int settle(tally *t, long k, int rc) {
  int reached = nomem_disarm();
  t->injected += reached;
  if (rc != AEV_OK) {
    ck_assert_msg(rc == AEV_ERR_NOMEM, "allocation %ld: %d %s %s", k, rc, aev_errcode(),
                  aev_errmsg());
    ck_assert_msg(!strcmp(aev_errcode(), "InternalFailure"), "allocation %ld: %s %s", k,
                  aev_errcode(), aev_errmsg());
    t->failures++;
  }
  return reached;
}

/* A sweep whose call can answer out-of-memory: some round must have. */
static void real_sweep(const tally *t) {
  ck_assert_int_gt(t->injected, 0);
  ck_assert_int_gt(t->failures, 0);
}

/* Compares JSON texts structurally. */
static void json_eq(const char *got, const char *want) {
  json_t *g = json_loads(got, 0, NULL), *w = json_loads(want, 0, NULL);
  ck_assert_msg(g && w && json_equal(g, w), "got %s, want %s", got, want);
  json_decref(g);
  json_decref(w);
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

/* The queue's whole GetQueueAttributes answer. */
static char *all_attrs(aev_queue *q) {
  char *a;
  ok(aev_queue_get_attributes(q, NULL, &a));
  return a;
}

/* ---- CreateQueue -------------------------------------------------------- */

static void create_queue_sweep(const char *name, const char *attrs, const char *check_name,
                               const char *check_value) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = NULL, *found = NULL;
    nomem_arm(k);
    int rc = aev_queue_create(b, name, attrs, &q);
    more = settle(&t, k, rc);
    if (rc) {
      ck_assert_ptr_null(q);
      ck_assert_int_eq(aev_queue_get(b, name, &found), AEV_ERR_NOT_FOUND);
      /* Nothing remembers the name either: it can be created at once. */
      ok(aev_queue_create(b, name, attrs, &q));
    }
    ok(aev_queue_get(b, name, &found));
    ck_assert_ptr_eq(found, q);
    qt_assert_attr(q, check_name, check_value);
    aev_queue_release(found);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}

START_TEST(create_queue) {
  create_queue_sweep("std",
                     "{\"VisibilityTimeout\":\"45\",\"DelaySeconds\":\"2\","
                     "\"Policy\":\"{}\",\"RedriveAllowPolicy\":"
                     "\"{\\\"redrivePermission\\\":\\\"denyAll\\\"}\"}",
                     "VisibilityTimeout", "45");
  create_queue_sweep("q.fifo",
                     "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\","
                     "\"KmsMasterKeyId\":\"alias/k\",\"DeduplicationScope\":\"messageGroup\"}",
                     "KmsMasterKeyId", "alias/k");
}
END_TEST

/* ---- SendMessage -------------------------------------------------------- */

static const char *const ATTRS =
    "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"x\"},"
    "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"}}";

/* A standard queue holding "old", delayed 20 s; the armed send of "new"
 * (attributes, a trace header, 10 s of delay) goes before it in the
 * delayed order. Out of memory nothing is stored; else "new" shows 10 s
 * later, with what it was sent with. */
START_TEST(send_standard) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, "q", NULL);
    aev_send_options *o;
    ok(aev_send_options_new(&o));
    ok(aev_send_options_set_delay(o, 20));
    ok(aev_queue_send(q, "old", 3, o, NULL, NULL));
    ok(aev_send_options_set_delay(o, 10));
    ok(aev_send_options_set_attributes(o, ATTRS));
    ok(aev_send_options_set_trace_header(o, "Root=1"));
    char id[AEV_MESSAGE_ID_SIZE] = "", seq[AEV_SEQUENCE_NUMBER_SIZE] = "-";
    nomem_arm(k);
    int rc = aev_queue_send(q, "new", 3, o, id, seq);
    more = settle(&t, k, rc);
    if (rc) {
      ck_assert_str_eq(id, "");
      ck_assert_str_eq(seq, "-");
      assert_counts(q, "0/0/1", k);
    } else {
      ck_assert_int_eq(strlen(id), 36);
      ck_assert_str_eq(seq, "");
      assert_counts(q, "0/0/2", k);
      assert_bodies(q, "", k); /* both still delayed */
      ok(aev_broker_advance(b, 10000));
      aev_message *m = qt_recv1(q);
      ck_assert_msg(m != NULL, "allocation %ld: nothing after 10 s", k);
      ck_assert_str_eq(qt_body(m), "new");
      ck_assert_str_eq(aev_message_id(m), id);
      ck_assert_str_eq(aev_message_system_attribute(m, "AWSTraceHeader"), "Root=1");
      char *a = aev_message_attributes_json(m);
      json_eq(a, ATTRS);
      aev_free(a);
      aev_message_free(m);
    }
    ok(aev_broker_advance(b, 30000));
    assert_bodies(q, rc ? "old:1" : "old:1,new:2", k);
    aev_send_options_free(o);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* FIFO: a send that failed leaves no deduplication record behind, so the
 * same send again is stored; one that succeeded deduplicates it. */
START_TEST(send_fifo) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
    aev_send_options *o;
    ok(aev_send_options_new(&o));
    ok(aev_send_options_set_group_id(o, "g"));
    ok(aev_send_options_set_deduplication_id(o, "d"));
    ok(aev_send_options_set_attributes(o, ATTRS));
    char id[AEV_MESSAGE_ID_SIZE] = "", seq[AEV_SEQUENCE_NUMBER_SIZE] = "";
    nomem_arm(k);
    int rc = aev_queue_send(q, "m", 1, o, id, seq);
    more = settle(&t, k, rc);
    if (rc) {
      ck_assert_str_eq(id, "");
      ck_assert_str_eq(seq, "");
      assert_counts(q, "0/0/0", k);
    } else {
      ck_assert_int_eq(strlen(id), 36);
      ck_assert_int_eq(strlen(seq), 20);
    }
    ok(aev_queue_send(q, "m", 1, o, NULL, NULL));
    assert_bodies(q, "m:1", k);
    aev_send_options_free(o);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* SendMessageBatch: entries that answer out-of-memory are not stored, the
 * others are; a batch that fails whole stores nothing. */
START_TEST(send_batch) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, "q", NULL);
    aev_send_options *o;
    ok(aev_send_options_new(&o));
    ok(aev_send_options_set_attributes(o, ATTRS));
    const char *ids[3] = {"a", "b", "c"};
    const void *bodies[3] = {"A", "B", "C"};
    size_t lens[3] = {1, 1, 1};
    const aev_send_options *opts[3] = {NULL, o, NULL};
    aev_batch_result *r = NULL;
    nomem_arm(k);
    int rc = aev_queue_send_batch(q, 3, ids, bodies, lens, opts, &r);
    more = settle(&t, k, rc);
    char want[64] = "";
    if (rc) {
      ck_assert_ptr_null(r);
    } else {
      ck_assert_uint_eq(aev_batch_result_count(r), 3);
      for (size_t i = 0; i < 3; i++) {
        int s = aev_batch_result_status(r, i);
        if (s != AEV_OK) {
          ck_assert_int_eq(s, AEV_ERR_NOMEM);
          ck_assert_str_eq(aev_batch_result_code(r, i), "InternalFailure");
          ck_assert_ptr_null(aev_batch_result_message_id(r, i));
          t.failures++;
          continue;
        }
        ck_assert_int_eq(strlen(aev_batch_result_message_id(r, i)), 36);
        ck_assert((aev_batch_result_md5_of_attributes(r, i) != NULL) == (i == 1));
        size_t at = strlen(want);
        snprintf(want + at, sizeof want - at, "%s%s:1", at ? "," : "", (const char *)bodies[i]);
      }
      aev_batch_result_free(r);
    }
    assert_bodies(q, want, k);
    aev_send_options_free(o);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* ---- ReceiveMessage ----------------------------------------------------- */

/* A receive that answers out-of-memory took nothing: no message became
 * invisible or counted a receive. One that succeeds may return fewer
 * messages than there are; those it did not return are untouched. (One
 * failed allocation never fails a receive: a copy that does not get the
 * queue's receive block gets a block of its own.) */
static void receive_sweep(const char *name, const char *attrs) {
  tally t = {0};
  int fifo = strstr(name, ".fifo") != NULL;
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, name, attrs);
    aev_send_options *o;
    ok(aev_send_options_new(&o));
    if (fifo) ok(aev_send_options_set_group_id(o, "g"));
    for (int i = 0; i < 3; i++) {
      char body[2] = {(char)('A' + i), 0};
      ok(aev_send_options_set_attributes(o, i == 1 ? ATTRS : NULL));
      ok(aev_queue_send(q, body, 1, o, NULL, NULL));
    }
    aev_message *m[10];
    size_t n = 0;
    nomem_arm(k);
    int rc = aev_queue_receive(q, 10, 0, NULL, m, &n);
    more = settle(&t, k, rc);
    if (rc) ck_assert_uint_eq(n, 0);
    char want[64] = "", now[64];
    ck_assert_uint_le(n, 3);
    for (size_t i = 0; i < n; i++) {
      char body[2] = {(char)('A' + i), 0};
      ck_assert_str_eq(qt_body(m[i]), body);
      ck_assert_str_eq(aev_message_system_attribute(m[i], "ApproximateReceiveCount"), "1");
      ck_assert_int_eq(strlen(aev_message_receipt_handle(m[i])), 32);
      aev_message_free(m[i]);
    }
    snprintf(now, sizeof now, "%zu/%zu/0", 3 - n, n);
    assert_counts(q, now, k);
    /* FIFO: what is in flight blocks the rest of its group. */
    for (size_t i = n; i < 3 && !(fifo && n); i++) {
      size_t at = strlen(want);
      snprintf(want + at, sizeof want - at, "%s%c:1", at ? "," : "", (char)('A' + i));
    }
    assert_bodies(q, want, k);
    aev_send_options_free(o);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  ck_assert_int_gt(t.injected, 0);
}

START_TEST(receive_standard) { receive_sweep("q", NULL); }
END_TEST

START_TEST(receive_fifo) {
  receive_sweep("q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
}
END_TEST

/* A FIFO receive retried with its ReceiveRequestAttemptId: the same
 * messages and receipt handles, all or (out of memory) none. */
START_TEST(receive_fifo_replay) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q =
        qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
    aev_send_options *so;
    ok(aev_send_options_new(&so));
    ok(aev_send_options_set_group_id(so, "g"));
    ok(aev_queue_send(q, "A", 1, so, NULL, NULL));
    ok(aev_queue_send(q, "B", 1, so, NULL, NULL));
    aev_send_options_free(so);
    aev_receive_options *o;
    ok(aev_receive_options_new(&o));
    ok(aev_receive_options_set_attempt_id(o, "try"));
    aev_message *m[10];
    size_t n = 0;
    ok(aev_queue_receive(q, 10, 0, o, m, &n));
    ck_assert_uint_eq(n, 2);
    char handles[2][64];
    for (size_t i = 0; i < 2; i++) {
      snprintf(handles[i], sizeof handles[i], "%s", aev_message_receipt_handle(m[i]));
      aev_message_free(m[i]);
    }
    ok(aev_broker_advance(b, 10000));
    nomem_arm(k);
    int rc = aev_queue_receive(q, 10, 0, o, m, &n);
    more = settle(&t, k, rc);
    ck_assert_uint_eq(n, rc ? 0 : 2);
    for (size_t i = 0; i < n; i++) {
      ck_assert_str_eq(aev_message_receipt_handle(m[i]), handles[i]);
      aev_message_free(m[i]);
    }
    /* Restarted (or not) at 10 s: visible again at 40 s (or 30 s). */
    ok(aev_broker_advance(b, 25000));
    assert_counts(q, rc ? "2/0/0" : "0/2/0", k);
    aev_receive_options_free(o);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  /* The copies fit in the queue's receive block: nothing to allocate. */
  ck_assert_int_eq(t.failures, 0);
}
END_TEST

/* The dead-letter move at maxReceiveCount: a receive that answers
 * out-of-memory moved nothing (the message is still the source's, as it
 * was); one that succeeds moved it whole, with its source ARN. */
START_TEST(receive_moves_to_dlq) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *dlq = qt_queue(b, "dlq", NULL);
    char attrs[512];
    snprintf(attrs, sizeof attrs,
             "{\"VisibilityTimeout\":\"5\",\"RedrivePolicy\":"
             "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
             aev_queue_arn(dlq));
    aev_queue *q = qt_queue(b, "src", attrs);
    qt_send(q, "m");
    aev_message_free(qt_recv1(q));
    ok(aev_broker_advance(b, 5000));
    aev_message *m[10];
    size_t n = 0;
    nomem_arm(k);
    int rc = aev_queue_receive(q, 10, 0, NULL, m, &n);
    more = settle(&t, k, rc);
    ck_assert_uint_eq(n, 0);
    if (rc) {
      assert_counts(q, "1/0/0", k);
      assert_counts(dlq, "0/0/0", k);
    } else {
      assert_counts(q, "0/0/0", k);
      aev_message *d = qt_recv1(dlq);
      ck_assert_msg(d != NULL, "allocation %ld: the message is in neither queue", k);
      ck_assert_str_eq(qt_body(d), "m");
      ck_assert_str_eq(aev_message_system_attribute(d, "DeadLetterQueueSourceArn"),
                       aev_queue_arn(q));
      ck_assert_str_eq(aev_message_system_attribute(d, "ApproximateReceiveCount"), "2");
      aev_message_free(d);
    }
    aev_queue_release(q);
    aev_queue_release(dlq);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* ---- DeleteMessage, ChangeMessageVisibility, PurgeQueue --------------- */

/* Two messages received with 60 s of visibility; the call under test acts
 * on the second one's handle (at = its index). */
typedef struct settled {
  aev_broker *b;
  aev_queue *q;
  char handle[2][64];
} settled;

static void settled_new(settled *s) {
  s->b = qt_broker();
  s->q = qt_queue(s->b, "q", NULL);
  qt_send(s->q, "A");
  qt_send(s->q, "B");
  aev_receive_options *o;
  ok(aev_receive_options_new(&o));
  ok(aev_receive_options_set_visibility(o, 60));
  for (int i = 0; i < 2; i++) {
    aev_message *m[1];
    size_t n = 0;
    ok(aev_queue_receive(s->q, 1, 0, o, m, &n));
    ck_assert_uint_eq(n, 1);
    snprintf(s->handle[i], sizeof s->handle[i], "%s", aev_message_receipt_handle(m[0]));
    aev_message_free(m[0]);
  }
  aev_receive_options_free(o);
}

static void settled_free(settled *s) {
  aev_queue_release(s->q);
  aev_broker_destroy(s->b);
}

START_TEST(delete_message) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    settled s;
    settled_new(&s);
    nomem_arm(k);
    int rc = aev_queue_delete_message(s.q, s.handle[1]);
    more = settle(&t, k, rc);
    assert_counts(s.q, rc ? "0/2/0" : "0/1/0", k);
    ok(aev_broker_advance(s.b, 60000));
    assert_bodies(s.q, rc ? "A:2,B:2" : "A:2", k);
    settled_free(&s);
  }
  ck_assert_int_eq(t.failures, 0); /* a delete allocates nothing */
}
END_TEST

/* The second message's visibility shortened to 10 s, before the first's
 * end: out of memory or not, it shows after 10 s and not before. */
START_TEST(change_visibility) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    settled s;
    settled_new(&s);
    nomem_arm(k);
    int rc = aev_queue_change_visibility(s.q, s.handle[1], 10);
    more = settle(&t, k, rc);
    if (rc) {
      assert_counts(s.q, "0/2/0", k);
      ok(aev_broker_advance(s.b, 60000));
      assert_bodies(s.q, "A:2,B:2", k);
    } else {
      assert_bodies(s.q, "", k);
      ok(aev_broker_advance(s.b, 10000));
      assert_bodies(s.q, "B:2", k);
    }
    settled_free(&s);
  }
  ck_assert_int_gt(t.injected, 0);
}
END_TEST

START_TEST(purge) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    settled s;
    settled_new(&s);
    qt_send(s.q, "C");
    nomem_arm(k);
    int rc = aev_queue_purge(s.q);
    more = settle(&t, k, rc);
    assert_counts(s.q, rc ? "1/2/0" : "0/0/0", k);
    settled_free(&s);
  }
  ck_assert_int_eq(t.failures, 0); /* a purge allocates nothing */
}
END_TEST

/* DeleteQueue: gone whatever fails (out of memory only forgets the name
 * early), its messages with it. */
START_TEST(delete_queue) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    settled s;
    settled_new(&s);
    nomem_arm(k);
    int rc = aev_queue_delete(s.q);
    more = settle(&t, k, rc);
    aev_queue *found = NULL;
    ck_assert_int_eq(aev_queue_get(s.b, "q", &found), rc ? AEV_OK : AEV_ERR_NOT_FOUND);
    aev_queue_release(found);
    settled_free(&s);
  }
  ck_assert_int_eq(t.failures, 0);
}
END_TEST

/* ---- SetQueueAttributes, tags ---------------------------------------- */

START_TEST(set_attributes) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *dlq = qt_queue(b, "dlq", NULL);
    aev_queue *q = qt_queue(b, "q", "{\"Policy\":\"{}\",\"KmsMasterKeyId\":\"alias/k\"}");
    char attrs[512];
    snprintf(attrs, sizeof attrs,
             "{\"VisibilityTimeout\":\"50\",\"RedriveAllowPolicy\":"
             "\"{\\\"redrivePermission\\\":\\\"denyAll\\\"}\",\"RedrivePolicy\":"
             "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":3}\"}",
             aev_queue_arn(dlq));
    char *was = all_attrs(q);
    nomem_arm(k);
    int rc = aev_queue_set_attributes(q, attrs);
    more = settle(&t, k, rc);
    char *now = all_attrs(q);
    if (rc) {
      ck_assert_msg(!strcmp(now, was), "allocation %ld: %s became %s", k, was, now);
    } else {
      json_t *j = json_loads(now, 0, NULL);
      ck_assert_str_eq(json_string_value(json_object_get(j, "VisibilityTimeout")), "50");
      ck_assert_str_eq(json_string_value(json_object_get(j, "Policy")), "{}");
      ck_assert_str_eq(json_string_value(json_object_get(j, "KmsMasterKeyId")), "alias/k");
      ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "RedrivePolicy")),
                                   aev_queue_arn(dlq)));
      ck_assert_ptr_nonnull(json_object_get(j, "RedriveAllowPolicy"));
      json_decref(j);
    }
    aev_free(was);
    aev_free(now);
    aev_queue_release(q);
    aev_queue_release(dlq);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

START_TEST(tag_untag) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, "q", NULL);
    ok(aev_queue_tag(q, "{\"a\":\"1\"}"));
    nomem_arm(k);
    int rc = aev_queue_tag(q, "{\"b\":\"2\"}");
    more = settle(&t, k, rc);
    char *tags;
    ok(aev_queue_list_tags(q, &tags));
    json_eq(tags, rc ? "{\"a\":\"1\"}" : "{\"a\":\"1\",\"b\":\"2\"}");
    aev_free(tags);
    nomem_arm(0);
    rc = aev_queue_untag(q, "[\"a\"]");
    settle(&t, k, rc);
    ok(aev_queue_list_tags(q, &tags));
    json_eq(tags, "{\"b\":\"2\"}");
    aev_free(tags);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  /* Tags live in jansson objects: the library's allocator is not used. */
  ck_assert_int_eq(t.failures, 0);
}
END_TEST

/* ---- the sqs API layer -------------------------------------------------- */

/* One aev_call: out of memory the answer is InternalFailure's error shape. */
static int call(tally *t, long k, aev_broker *b, const char *action, const char *req,
                json_t **resp) {
  char *out = NULL;
  nomem_arm(k);
  int rc = aev_call(b, "sqs", action, req, &out);
  int more = settle(t, k, rc);
  ck_assert_ptr_nonnull(out);
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_ptr_nonnull(j);
  if (rc)
    ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), "InternalFailure");
  *resp = j;
  return more;
}

START_TEST(api_create_send_receive) {
  tally t[3] = {{0}};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    json_t *r;
    more = call(&t[0], k, b, "CreateQueue",
                "{\"QueueName\":\"q\",\"Attributes\":{\"DelaySeconds\":\"0\"},"
                "\"tags\":{\"team\":\"x\"}}",
                &r);
    aev_queue *q = NULL;
    int found = aev_queue_get(b, "q", &q);
    if (json_object_get(r, "__type")) {
      ck_assert_int_eq(found, AEV_ERR_NOT_FOUND);
    } else {
      ok(found);
      ck_assert_str_eq(json_string_value(json_object_get(r, "QueueUrl")), aev_queue_url(q));
      char *tags;
      ok(aev_queue_list_tags(q, &tags));
      json_eq(tags, "{\"team\":\"x\"}");
      aev_free(tags);
    }
    json_decref(r);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, "q", NULL);
    char req[512];
    snprintf(req, sizeof req,
             "{\"QueueUrl\":\"%s\",\"MessageBody\":\"m\",\"MessageAttributes\":%s}",
             aev_queue_url(q), ATTRS);
    json_t *r;
    more = call(&t[1], k, b, "SendMessage", req, &r);
    if (json_object_get(r, "__type")) {
      assert_counts(q, "0/0/0", k);
    } else {
      ck_assert_int_eq(strlen(json_string_value(json_object_get(r, "MessageId"))), 36);
      ck_assert_ptr_nonnull(json_object_get(r, "MD5OfMessageAttributes"));
      assert_bodies(q, "m:1", k);
    }
    json_decref(r);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_queue *q = qt_queue(b, "q", NULL);
    aev_send_options *o;
    ok(aev_send_options_new(&o));
    ok(aev_send_options_set_attributes(o, ATTRS));
    ok(aev_queue_send(q, "m", 1, o, NULL, NULL));
    aev_send_options_free(o);
    char req[512];
    snprintf(req, sizeof req,
             "{\"QueueUrl\":\"%s\",\"MaxNumberOfMessages\":10,\"AttributeNames\":[\"All\"],"
             "\"MessageAttributeNames\":[\"All\"]}",
             aev_queue_url(q));
    json_t *r;
    more = call(&t[2], k, b, "ReceiveMessage", req, &r);
    json_t *msgs = json_object_get(r, "Messages");
    if (json_object_get(r, "__type") || !msgs) {
      assert_counts(q, "1/0/0", k);
      assert_bodies(q, "m:1", k);
    } else {
      json_t *m = json_array_get(msgs, 0), *sys = json_object_get(m, "Attributes");
      ck_assert_str_eq(json_string_value(json_object_get(m, "Body")), "m");
      ck_assert_msg(json_object_get(sys, "SentTimestamp") &&
                        json_object_get(sys, "ApproximateFirstReceiveTimestamp"),
                    "allocation %ld: system attributes missing", k);
      ck_assert_str_eq(json_string_value(json_object_get(sys, "ApproximateReceiveCount")), "1");
      json_t *want = json_loads(ATTRS, 0, NULL);
      ck_assert_msg(json_equal(json_object_get(m, "MessageAttributes"), want),
                    "allocation %ld: message attributes differ", k);
      json_decref(want);
      assert_counts(q, "0/1/0", k);
    }
    json_decref(r);
    aev_queue_release(q);
    aev_broker_destroy(b);
  }
  real_sweep(&t[0]);
  real_sweep(&t[1]);
  /* A receive tolerates one failed allocation (receive_standard). */
  ck_assert_int_gt(t[2].injected, 0);
}
END_TEST

/* ---- topics -------------------------------------------------------------- */

static void create_topic_sweep(const char *name, const char *attrs, const char *check_name,
                               const char *check_value) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = NULL, *found = NULL;
    nomem_arm(k);
    int rc = aev_topic_create(b, name, attrs, &tp);
    more = settle(&t, k, rc);
    if (rc) {
      ck_assert_ptr_null(tp);
      ck_assert_int_eq(aev_topic_get(b, name, &found), AEV_ERR_NOT_FOUND);
      ok(aev_topic_create(b, name, attrs, &tp));
    }
    ok(aev_topic_get(b, name, &found));
    ck_assert_ptr_eq(found, tp);
    char *a;
    ok(aev_topic_get_attributes(tp, &a));
    json_t *j = json_loads(a, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, check_name)), check_value);
    json_decref(j);
    aev_free(a);
    aev_topic_release(found);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}

START_TEST(create_topic) {
  create_topic_sweep("t", "{\"DisplayName\":\"d\",\"Policy\":\"{}\"}", "DisplayName", "d");
  create_topic_sweep("t.fifo", "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}",
                     "ContentBasedDeduplication", "true");
}
END_TEST

/* SetTopicAttributes of one attribute keeps the others. */
START_TEST(set_topic_attribute) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", "{\"DisplayName\":\"d\",\"Policy\":\"{}\"}");
    char *was;
    ok(aev_topic_get_attributes(tp, &was));
    nomem_arm(k);
    int rc = aev_topic_set_attribute(tp, "KmsMasterKeyId", "alias/k");
    more = settle(&t, k, rc);
    char *now;
    ok(aev_topic_get_attributes(tp, &now));
    if (rc) {
      ck_assert_msg(!strcmp(was, now), "allocation %ld: %s became %s", k, was, now);
    } else {
      json_t *j = json_loads(now, 0, NULL);
      ck_assert_str_eq(json_string_value(json_object_get(j, "KmsMasterKeyId")), "alias/k");
      ck_assert_str_eq(json_string_value(json_object_get(j, "DisplayName")), "d");
      ck_assert_str_eq(json_string_value(json_object_get(j, "Policy")), "{}");
      json_decref(j);
    }
    aev_free(was);
    aev_free(now);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* What a callback subscriber saw: confirmations, notifications, and
 * whether its release ran. */
typedef struct endpoint {
  int confirmations, notifications, released;
  char token[128];
} endpoint;

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

/* The topic's subscriptions as "protocol endpoint" lines. */
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

/* Subscribe (a queue, raw with a filter policy): out of memory there is no
 * subscription; else there is one, and a matching publish reaches the
 * queue. */
START_TEST(subscribe_queue) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", NULL);
    aev_queue *q = qt_queue(b, "q", NULL);
    char *arn = NULL;
    nomem_arm(k);
    int rc = aev_topic_subscribe(tp, "sqs", aev_queue_arn(q),
                                 "{\"RawMessageDelivery\":\"true\","
                                 "\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\"}",
                                 &arn);
    more = settle(&t, k, rc);
    ck_assert_int_eq(sub_count(b, tp), !rc);
    if (rc) {
      ck_assert_ptr_null(arn);
    } else {
      char *a;
      ok(aev_subscription_get_attributes(b, arn, &a));
      ck_assert_ptr_nonnull(strstr(a, "\"RawMessageDelivery\":\"true\""));
      ck_assert_ptr_nonnull(strstr(a, "FilterPolicy"));
      aev_free(a);
      aev_free(arn);
    }
    tt_publish(tp, "yes", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
    tt_publish(tp, "no", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"w\"}}");
    assert_bodies(q, rc ? "" : "yes:1", k);
    aev_queue_release(q);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* Subscribe (an http callback): out of memory no callback ever runs, its
 * release included; else the endpoint gets its SubscriptionConfirmation. */
START_TEST(subscribe_callback) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", NULL);
    endpoint e = {0};
    char *arn = NULL;
    nomem_arm(k);
    int rc = aev_topic_subscribe_callback(tp, "http", "http://h/", endpoint_fn, &e,
                                          endpoint_release, FILTER, &arn);
    more = settle(&t, k, rc);
    ok(aev_broker_advance(b, 60000));
    ck_assert_int_eq(sub_count(b, tp), !rc);
    if (rc) {
      ck_assert_ptr_null(arn);
      ck_assert_int_eq(e.confirmations + e.released, 0);
    } else {
      ck_assert_msg(e.confirmations == 1, "allocation %ld: %d confirmations", k,
                    e.confirmations);
      aev_free(arn);
    }
    aev_topic_release(tp);
    aev_broker_destroy(b);
    ck_assert_int_eq(e.released, !rc);
  }
  real_sweep(&t);
}
END_TEST

/* A raw queue subscription with a FilterPolicy and a RedrivePolicy. */
typedef struct subbed {
  aev_broker *b;
  aev_topic *tp;
  aev_queue *q, *dlq;
  char *arn;
} subbed;

static void subbed_new(subbed *s) {
  s->b = qt_broker();
  s->tp = tt_topic(s->b, "t", NULL);
  s->q = qt_queue(s->b, "q", NULL);
  s->dlq = qt_queue(s->b, "dlq", NULL);
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"RawMessageDelivery\":\"true\",\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\","
           "\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\"}\"}",
           aev_queue_arn(s->dlq));
  s->arn = tt_sub(s->tp, s->q, attrs);
}

static void subbed_free(subbed *s) {
  aev_free(s->arn);
  aev_queue_release(s->q);
  aev_queue_release(s->dlq);
  aev_topic_release(s->tp);
  aev_broker_destroy(s->b);
}

static char *sub_attrs(subbed *s) {
  char *a;
  ok(aev_subscription_get_attributes(s->b, s->arn, &a));
  return a;
}

/* SetSubscriptionAttributes: a new FilterPolicy, then RawMessageDelivery
 * (which must keep the filter and redrive policies). */
START_TEST(set_subscription_attribute) {
  static const char *const names[2] = {"FilterPolicy", "RawMessageDelivery"};
  static const char *const values[2] = {"{\"k\":[\"w\"]}", "false"};
  for (int which = 0; which < 2; which++) {
    tally t = {0};
    for (long k = 0, more = 1; more; k++) {
      subbed s;
      subbed_new(&s);
      char *was = sub_attrs(&s);
      nomem_arm(k);
      int rc = aev_subscription_set_attribute(s.b, s.arn, names[which], values[which]);
      more = settle(&t, k, rc);
      char *now = sub_attrs(&s);
      json_t *j = json_loads(now, 0, NULL);
      const char *filter = json_string_value(json_object_get(j, "FilterPolicy"));
      if (rc) {
        ck_assert_msg(!strcmp(was, now), "allocation %ld: %s became %s", k, was, now);
      } else {
        ck_assert_msg(filter && json_object_get(j, "RedrivePolicy"),
                      "allocation %ld: %s lost a policy", k, now);
        ck_assert_str_eq(json_string_value(json_object_get(j, names[which])), values[which]);
      }
      /* The filter in force is the one the attributes show. */
      tt_publish(s.tp, "v", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
      tt_publish(s.tp, "w", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"w\"}}");
      ck_assert_int_eq(tt_depth(s.q), 1);
      aev_message *m = qt_recv1(s.q);
      int raw = !strcmp(qt_body(m), "v") || !strcmp(qt_body(m), "w");
      const char *got = raw ? qt_body(m) : strstr(qt_body(m), "\"Message\":\"v\"") ? "v" : "w";
      ck_assert_msg(!strcmp(got, strstr(filter, "\"w\"") ? "w" : "v"),
                    "allocation %ld: filter %s let %s through", k, filter, qt_body(m));
      ck_assert_int_eq(raw, !(which == 1 && !rc));
      aev_message_free(m);
      json_decref(j);
      aev_free(was);
      aev_free(now);
      subbed_free(&s);
    }
    real_sweep(&t);
  }
}
END_TEST

/* Publish (with attributes) to a topic with three queue subscriptions: raw,
 * enveloped, and raw with a filter that matches. SNS accepts a publish and
 * then delivers, retrying what fails: a publish that answers
 * out-of-memory delivered nothing, one that succeeds reaches every queue
 * once the retries have run. */
static void publish_sweep(const char *attrs) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", NULL);
    aev_queue *q[3] = {qt_queue(b, "q0", NULL), qt_queue(b, "q1", NULL), qt_queue(b, "q2", NULL)};
    aev_free(tt_sub(tp, q[0], "{\"RawMessageDelivery\":\"true\"}"));
    aev_free(tt_sub(tp, q[1], NULL));
    aev_free(tt_sub(tp, q[2], attrs ? "{\"RawMessageDelivery\":\"true\","
                                      "\"FilterPolicy\":\"{\\\"k\\\":[\\\"v\\\"]}\"}"
                                    : "{\"RawMessageDelivery\":\"true\"}"));
    tt_publish(tp, "warm", attrs); /* builds the topic's view */
    for (int i = 0; i < 3; i++) {
      aev_message *m = qt_recv1(q[i]);
      ok(aev_queue_delete_message(q[i], aev_message_receipt_handle(m)));
      aev_message_free(m);
    }
    aev_publish_options *o;
    ok(aev_publish_options_new(&o));
    if (attrs) ok(aev_publish_options_set_attributes(o, attrs));
    char id[AEV_TOPIC_MESSAGE_ID_SIZE] = "";
    nomem_arm(k);
    int rc = aev_topic_publish(tp, "m", 1, o, id, NULL);
    more = settle(&t, k, rc);
    if (rc) {
      ck_assert_str_eq(id, "");
      ck_assert_int_eq(tt_counter(tp, "NumberOfMessagesPublished"), 1);
    } else {
      ck_assert_int_eq(strlen(id), 36);
      ck_assert_int_eq(tt_counter(tp, "NumberOfMessagesPublished"), 2);
    }
    ok(aev_broker_advance(b, 60000));
    for (int i = 0; i < 3; i++) {
      ck_assert_msg(tt_depth(q[i]) == !rc, "allocation %ld (rc %d): queue %d holds %d", k, rc, i,
                    tt_depth(q[i]));
      aev_queue_release(q[i]);
    }
    if (!rc) {
      ck_assert_int_eq(tt_counter(tp, "NumberOfNotificationsDelivered"), 6);
      ck_assert_int_eq(tt_counter(tp, "NumberOfNotificationsFailed"), 0);
    }
    aev_publish_options_free(o);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}

START_TEST(publish_with_attributes) {
  publish_sweep("{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"},"
                "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"}}");
}
END_TEST

START_TEST(publish_plain) { publish_sweep(NULL); }
END_TEST

/* Setting publish options' attributes: out of memory it says so. */
START_TEST(publish_options_attributes) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", NULL);
    aev_queue *q = qt_queue(b, "q", NULL);
    aev_free(tt_sub(tp, q, "{\"RawMessageDelivery\":\"true\"}"));
    aev_publish_options *o;
    ok(aev_publish_options_new(&o));
    nomem_arm(k);
    int rc = aev_publish_options_set_attributes(o, ATTRS);
    more = settle(&t, k, rc);
    if (rc) ok(aev_publish_options_set_attributes(o, ATTRS));
    ok(aev_topic_publish(tp, "m", 1, o, NULL, NULL));
    ok(aev_broker_advance(b, 60000));
    aev_message *m = qt_recv1(q);
    ck_assert_msg(m != NULL, "allocation %ld: not delivered", k);
    char *a = aev_message_attributes_json(m);
    ck_assert_msg(a != NULL, "allocation %ld: delivered without attributes", k);
    json_eq(a, ATTRS);
    aev_free(a);
    aev_message_free(m);
    aev_publish_options_free(o);
    aev_queue_release(q);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* FIFO topic to a FIFO queue: a publish that failed delivers nothing and
 * leaves no deduplication record (the same publish again is delivered);
 * one that succeeded deduplicates it. */
START_TEST(publish_fifo) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t.fifo", "{\"FifoTopic\":\"true\"}");
    aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
    aev_free(tt_sub(tp, q, "{\"RawMessageDelivery\":\"true\"}"));
    aev_publish_options *o;
    ok(aev_publish_options_new(&o));
    ok(aev_publish_options_set_group_id(o, "g"));
    ok(aev_publish_options_set_deduplication_id(o, "d"));
    char id[AEV_TOPIC_MESSAGE_ID_SIZE] = "", seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE] = "";
    nomem_arm(k);
    int rc = aev_topic_publish(tp, "m", 1, o, id, seq);
    more = settle(&t, k, rc);
    ok(aev_broker_advance(b, 60000));
    if (rc) {
      ck_assert_str_eq(id, "");
      ck_assert_str_eq(seq, "");
      ck_assert_int_eq(tt_depth(q), 0);
    } else {
      ck_assert_int_eq(strlen(seq), 20);
    }
    ok(aev_topic_publish(tp, "m", 1, o, NULL, NULL));
    ok(aev_broker_advance(b, 60000));
    ck_assert_msg(tt_depth(q) == 1, "allocation %ld: queue holds %d", k, tt_depth(q));
    aev_publish_options_free(o);
    aev_queue_release(q);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* PublishBatch: entries that failed were not delivered, those listed as
 * Successful were (once the retries have run). */
START_TEST(publish_batch) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", NULL);
    aev_queue *q = qt_queue(b, "q", NULL);
    aev_free(tt_sub(tp, q, "{\"RawMessageDelivery\":\"true\"}"));
    char *resp = NULL;
    nomem_arm(k);
    int rc = aev_topic_publish_batch(
        tp,
        "[{\"Id\":\"a\",\"Message\":\"A\"},{\"Id\":\"b\",\"Message\":\"B\","
        "\"MessageAttributes\":{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}},"
        "{\"Id\":\"c\",\"Message\":\"C\",\"Subject\":\"s\"}]",
        &resp);
    more = settle(&t, k, rc);
    ok(aev_broker_advance(b, 60000));
    char want[4] = "", have[64];
    if (rc) {
      ck_assert_ptr_null(resp);
    } else {
      json_t *j = json_loads(resp, 0, NULL);
      json_t *good = json_object_get(j, "Successful"), *bad = json_object_get(j, "Failed");
      ck_assert_uint_eq(json_array_size(good) + json_array_size(bad), 3);
      size_t i;
      json_t *e;
      json_array_foreach(bad, i, e) {
        ck_assert_str_eq(json_string_value(json_object_get(e, "Code")), "InternalFailure");
        t.failures++;
      }
      json_array_foreach(good, i, e) want[i] = json_string_value(json_object_get(e, "Id"))[0];
      json_decref(j);
      aev_free(resp);
    }
    /* A delivery that was retried arrives after the others. */
    drain_bodies(q, have, sizeof have);
    ck_assert_msg(strlen(have) == 4 * strlen(want) - (*want != 0), "allocation %ld: %s for %s",
                  k, have, want);
    for (const char *c = want; *c; c++) {
      char body[4] = {(char)(*c - 'a' + 'A'), ':', '1', 0};
      ck_assert_msg(strstr(have, body) != NULL, "allocation %ld: %s lacks %s", k, have, body);
    }
    aev_queue_release(q);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* ConfirmSubscription: out of memory the subscription is still pending
 * (and nothing is delivered to it); else it is confirmed and the caller has
 * its ARN. */
START_TEST(confirm_subscription) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    aev_broker *b = qt_broker();
    aev_topic *tp = tt_topic(b, "t", NULL);
    endpoint e = {0};
    char *arn, *confirmed = NULL;
    ok(aev_topic_subscribe_callback(tp, "http", "http://h/", endpoint_fn, &e, NULL, NULL,
                                    &arn));
    ok(aev_broker_drain(b));
    ck_assert_int_eq(e.confirmations, 1);
    nomem_arm(k);
    int rc = aev_topic_confirm_subscription(tp, e.token, &confirmed);
    more = settle(&t, k, rc);
    char *a;
    ok(aev_subscription_get_attributes(b, arn, &a));
    ck_assert_ptr_nonnull(strstr(a, rc ? "\"PendingConfirmation\":\"true\""
                                       : "\"PendingConfirmation\":\"false\""));
    aev_free(a);
    if (rc) {
      ck_assert_ptr_null(confirmed);
    } else {
      ck_assert_str_eq(confirmed, arn);
      aev_free(confirmed);
    }
    tt_publish(tp, "m", NULL);
    ok(aev_broker_drain(b));
    ck_assert_int_eq(e.notifications, !rc);
    aev_free(arn);
    aev_topic_release(tp);
    aev_broker_destroy(b);
  }
  real_sweep(&t);
}
END_TEST

/* Unsubscribe: out of memory the subscription stays (and still receives);
 * else it is gone, and a callback's release runs once. */
START_TEST(unsubscribe) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    subbed s;
    subbed_new(&s);
    nomem_arm(k);
    int rc = aev_subscription_unsubscribe(s.b, s.arn);
    more = settle(&t, k, rc);
    ck_assert_int_eq(sub_count(s.b, s.tp), rc ? 1 : 0);
    tt_publish(s.tp, "v", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
    ck_assert_int_eq(tt_depth(s.q), rc ? 1 : 0);
    subbed_free(&s);
  }
  real_sweep(&t);
}
END_TEST

/* DeleteTopic: gone whatever fails (forgetting the name early is all
 * memory can cost it). */
START_TEST(delete_topic) {
  tally t = {0};
  for (long k = 0, more = 1; more; k++) {
    subbed s;
    subbed_new(&s);
    nomem_arm(k);
    int rc = aev_topic_delete(s.tp);
    more = settle(&t, k, rc);
    aev_topic *found = NULL;
    ck_assert_int_eq(aev_topic_get(s.b, "t", &found), rc ? AEV_OK : AEV_ERR_NOT_FOUND);
    aev_topic_release(found);
    subbed_free(&s);
  }
  ck_assert_int_eq(t.failures, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_queue_topic");
  TCase *q = tcase_create("queue");
  tcase_add_test(q, create_queue);
  tcase_add_test(q, send_standard);
  tcase_add_test(q, send_fifo);
  tcase_add_test(q, send_batch);
  tcase_add_test(q, receive_standard);
  tcase_add_test(q, receive_fifo);
  tcase_add_test(q, receive_fifo_replay);
  tcase_add_test(q, receive_moves_to_dlq);
  tcase_add_test(q, delete_message);
  tcase_add_test(q, change_visibility);
  tcase_add_test(q, purge);
  tcase_add_test(q, delete_queue);
  tcase_add_test(q, set_attributes);
  tcase_add_test(q, tag_untag);
  tcase_add_test(q, api_create_send_receive);
  suite_add_tcase(s, q);
  TCase *t = tcase_create("topic");
  tcase_add_test(t, create_topic);
  tcase_add_test(t, set_topic_attribute);
  tcase_add_test(t, subscribe_queue);
  tcase_add_test(t, subscribe_callback);
  tcase_add_test(t, set_subscription_attribute);
  tcase_add_test(t, publish_with_attributes);
  tcase_add_test(t, publish_plain);
  tcase_add_test(t, publish_options_attributes);
  tcase_add_test(t, publish_fifo);
  tcase_add_test(t, publish_batch);
  tcase_add_test(t, confirm_subscription);
  tcase_add_test(t, unsubscribe);
  tcase_add_test(t, delete_topic);
  suite_add_tcase(s, t);
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
