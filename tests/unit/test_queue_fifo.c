/* FIFO queues on the manual clock: group and deduplication id rules, order
 * within a group, group blocking by in-flight messages, the 5-minute
 * deduplication window (also after delete), scopes, sequence numbers, queue
 * delay, and expired receipt handles. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "queue_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static int fsend(aev_queue *q, const char *body, const char *group,
                 const char *dedup, char *id, char *seq) {
  aev_send_options *o;
  aev_send_options_new(&o);
  if (group) aev_send_options_set_group_id(o, group);
  if (dedup) aev_send_options_set_deduplication_id(o, dedup);
  int rc = aev_queue_send(q, body, strlen(body), o, id, seq);
  aev_send_options_free(o);
  return rc;
}

static size_t recv_n(aev_queue *q, int max, aev_message **m) {
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, max, 0, NULL, m, &n), AEV_OK);
  return n;
}

static void free_all(aev_message **m, size_t n) {
  for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
}

START_TEST(group_and_dedup_ids_required) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  qt_assert_error(fsend(q, "x", "g", NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "The queue should either have ContentBasedDeduplication "
                  "enabled or MessageDeduplicationId provided explicitly");
  qt_assert_error(fsend(q, "x", NULL, "d", NULL, NULL), AEV_ERR_INVALID,
                  "MissingParameter",
                  "The request must contain the parameter MessageGroupId.");
  qt_assert_error(fsend(q, "x", "g", "", NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value  for parameter MessageDeduplicationId is invalid. "
                  "Reason: MessageDeduplicationId can only include "
                  "alphanumeric and punctuation characters. 1 to 128 in "
                  "length.");
  qt_assert_error(fsend(q, "x", "group 1", "d", NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  char longid[130];
  memset(longid, 'a', 129);
  longid[129] = '\0';
  qt_assert_error(fsend(q, "x", "g", longid, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_group_id(o, "g");
  aev_send_options_set_deduplication_id(o, "d");
  aev_send_options_set_delay(o, 2);
  qt_assert_error(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value 2 for parameter DelaySeconds is invalid. Reason: The "
                  "request include parameter that is not valid for this queue "
                  "type.");
  aev_send_options_free(o);
  /* A standard queue takes a group id (fair queues) but no dedup id. */
  aev_queue *s = qt_queue(b, "std", NULL);
  ck_assert_int_eq(fsend(s, "x", "g", NULL, NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(s);
  ck_assert_str_eq(aev_message_system_attribute(m, "MessageGroupId"), "g");
  ck_assert_ptr_null(aev_message_system_attribute(m, "SequenceNumber"));
  aev_message_free(m);
  qt_assert_error(fsend(s, "x", NULL, "d", NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  aev_queue_release(s);
  aev_queue_release(q);
}
END_TEST

START_TEST(order_and_group_blocking) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\",\"VisibilityTimeout\":\"10\"}");
  char seq[3][AEV_SEQUENCE_NUMBER_SIZE];
  ck_assert_int_eq(fsend(q, "a1", "A", NULL, NULL, seq[0]), AEV_OK);
  ck_assert_int_eq(fsend(q, "b1", "B", NULL, NULL, seq[1]), AEV_OK);
  ck_assert_int_eq(fsend(q, "a2", "A", NULL, NULL, seq[2]), AEV_OK);
  ck_assert_int_eq(strlen(seq[0]), 20);
  ck_assert_int_lt(strcmp(seq[0], seq[1]), 0);
  ck_assert_int_lt(strcmp(seq[1], seq[2]), 0);
  aev_message *m[10];
  /* One receive takes a whole group first, then the next group. */
  size_t n = recv_n(q, 10, m);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(qt_body(m[0]), "a1");
  ck_assert_str_eq(qt_body(m[1]), "a2");
  ck_assert_str_eq(qt_body(m[2]), "b1");
  ck_assert_str_eq(aev_message_system_attribute(m[0], "SequenceNumber"), seq[0]);
  ck_assert_str_eq(aev_message_system_attribute(m[0], "MessageGroupId"), "A");
  ck_assert_ptr_nonnull(aev_message_system_attribute(m[0], "MessageDeduplicationId"));
  /* In flight: group A and B deliver nothing newer. */
  ck_assert_int_eq(fsend(q, "a3", "A", NULL, NULL, NULL), AEV_OK);
  aev_message *more[10];
  ck_assert_uint_eq(recv_n(q, 10, more), 0);
  /* Deleting a1 only still leaves a2 in flight: A stays blocked. */
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m[0])), AEV_OK);
  ck_assert_uint_eq(recv_n(q, 10, more), 0);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m[1])), AEV_OK);
  n = recv_n(q, 10, more);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(qt_body(more[0]), "a3");
  free_all(more, n);
  /* b1's visibility ends: it comes back (groups are served in turn). */
  aev_broker_advance(b, 10000);
  n = recv_n(q, 10, more);
  ck_assert_uint_eq(n, 2);
  aev_message *b1 = strcmp(qt_body(more[0]), "b1") ? more[1] : more[0];
  ck_assert_str_eq(qt_body(b1), "b1");
  ck_assert_str_eq(aev_message_system_attribute(b1, "ApproximateReceiveCount"), "2");
  free_all(more, n);
  free_all(m, 3);
  aev_queue_release(q);
}
END_TEST

/* AWS: after extending message k of a received group, the messages before
 * it come back once the original timeout ends; it and later ones do not. */
static void extend_variant(int k, size_t expect) {
  char name[32];
  snprintf(name, sizeof name, "v%d.fifo", k);
  aev_queue *q = qt_queue(b, name, "{\"FifoQueue\":\"true\",\"VisibilityTimeout\":\"1\"}");
  const char *bodies[] = {"foo", "bar", "baz"};
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(fsend(q, bodies[i], "1", bodies[i], NULL, NULL), AEV_OK);
  aev_message *m[5], *r[5];
  ck_assert_uint_eq(recv_n(q, 5, m), 3);
  ck_assert_int_eq(aev_queue_change_visibility(q, aev_message_receipt_handle(m[k]), 4), AEV_OK);
  aev_broker_advance(b, 2500);
  size_t n = recv_n(q, 5, r);
  ck_assert_uint_eq(n, expect);
  for (size_t i = 0; i < n; i++) ck_assert_str_eq(qt_body(r[i]), bodies[i]);
  free_all(r, n);
  free_all(m, 3);
  aev_queue_release(q);
}

START_TEST(visibility_extension_blocks_the_rest_of_the_group) {
  extend_variant(0, 0);
  extend_variant(1, 1);
  extend_variant(2, 2);
}
END_TEST

START_TEST(dedup_window_survives_delete) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  char id1[AEV_MESSAGE_ID_SIZE], id2[AEV_MESSAGE_ID_SIZE];
  char s1[AEV_SEQUENCE_NUMBER_SIZE], s2[AEV_SEQUENCE_NUMBER_SIZE];
  ck_assert_int_eq(fsend(q, "first", "g", "d1", id1, s1), AEV_OK);
  aev_broker_advance(b, 3000);
  /* The duplicate is accepted, answered with the original's id, dropped. */
  ck_assert_int_eq(fsend(q, "dup", "g", "d1", id2, s2), AEV_OK);
  ck_assert_str_eq(id1, id2);
  ck_assert_str_eq(s1, s2);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "first");
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  aev_message_free(m);
  ck_assert_ptr_null(qt_recv1(q));
  /* Still a duplicate after the delete, within 5 minutes of the first. */
  aev_broker_advance(b, 296999);
  ck_assert_int_eq(fsend(q, "dup2", "g", "d1", id2, NULL), AEV_OK);
  ck_assert_str_eq(id1, id2);
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 1);
  ck_assert_int_eq(fsend(q, "again", "g", "d1", id2, NULL), AEV_OK);
  ck_assert_str_ne(id1, id2);
  m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "again");
  aev_message_free(m);
  aev_queue_release(q);
}
END_TEST

START_TEST(content_dedup_and_scopes) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  ck_assert_int_eq(fsend(q, "Test", "g1", NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(fsend(q, "Test", "g2", NULL, NULL, NULL), AEV_OK);
  aev_message *m[10];
  size_t n = recv_n(q, 10, m);
  ck_assert_uint_eq(n, 1);
  /* Content-based ids are the SHA-256 hex of the body. */
  ck_assert_str_eq(aev_message_system_attribute(m[0], "MessageDeduplicationId"),
                   "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25");
  free_all(m, n);
  aev_queue *g = qt_queue(b, "g.fifo", "{\"FifoQueue\":\"true\",\"DeduplicationScope\":\"messageGroup\",\"FifoThroughputLimit\":\"perMessageGroupId\"}");
  ck_assert_int_eq(fsend(g, "Test1", "group1", "same", NULL, NULL), AEV_OK);
  ck_assert_int_eq(fsend(g, "Test2", "group2", "same", NULL, NULL), AEV_OK);
  ck_assert_int_eq(fsend(g, "Test3", "group2", "same", NULL, NULL), AEV_OK);
  n = recv_n(g, 10, m);
  ck_assert_uint_eq(n, 2);
  free_all(m, n);
  qt_assert_attr(g, "DeduplicationScope", "messageGroup");
  qt_assert_attr(g, "FifoThroughputLimit", "perMessageGroupId");
  qt_assert_attr(q, "FifoQueue", "true");
  qt_assert_attr(q, "ContentBasedDeduplication", "true");
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"ContentBasedDeduplication\":\"false\"}"), AEV_OK);
  qt_assert_attr(q, "ContentBasedDeduplication", "false");
  qt_assert_error(aev_queue_set_attributes(q, "{\"FifoQueue\":\"false\"}"), AEV_ERR_INVALID,
                  "InvalidAttributeValue",
                  "Invalid value for the parameter FifoQueue. Reason: "
                  "Modifying queue type is not supported.");
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"FifoQueue\":\"true\"}"), AEV_OK);
  aev_queue_release(g);
  aev_queue_release(q);
}
END_TEST

START_TEST(purge_clears_dedup_history) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  ck_assert_int_eq(fsend(q, "a", "g", "d", NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_queue_purge(q), AEV_OK);
  ck_assert_int_eq(fsend(q, "b", "g", "d", NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "b");
  aev_message_free(m);
  aev_queue_release(q);
}
END_TEST

START_TEST(expired_handle_and_queue_delay) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\",\"VisibilityTimeout\":\"1\",\"DelaySeconds\":\"2\"}");
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_group_id(o, "1");
  aev_send_options_set_delay(o, 0);
  ck_assert_int_eq(aev_queue_send(q, "foobar", 6, o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
  qt_assert_attr(q, "ApproximateNumberOfMessagesDelayed", "1");
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 2000);
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  aev_broker_advance(b, 1000);
  char want[160];
  snprintf(want, sizeof want,
           "Value %s for parameter ReceiptHandle is invalid. Reason: The "
           "receipt handle has expired.",
           aev_message_receipt_handle(m));
  qt_assert_error(aev_queue_delete_message(q, aev_message_receipt_handle(m)),
                  AEV_ERR_INVALID, "InvalidParameterValue", want);
  qt_assert_error(aev_queue_change_visibility(q, aev_message_receipt_handle(m), 5),
                  AEV_ERR_INVALID, "InvalidParameterValue", want);
  aev_message *again = qt_recv1(q);
  ck_assert_ptr_nonnull(again);
  /* The first handle is stale now: still expired. */
  qt_assert_error(aev_queue_delete_message(q, aev_message_receipt_handle(m)),
                  AEV_ERR_INVALID, "InvalidParameterValue", want);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(again)), AEV_OK);
  /* Deleted through the newest handle: the first is still expired (two
   * consumers must not both count the message as theirs), while the newest
   * deletes again without error. */
  qt_assert_error(aev_queue_delete_message(q, aev_message_receipt_handle(m)),
                  AEV_ERR_INVALID, "InvalidParameterValue", want);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(again)), AEV_OK);
  aev_message_free(again);
  aev_message_free(m);
  aev_queue_release(q);
}
END_TEST

static int recv_attempt(aev_queue *q, const char *attempt, aev_message **m,
                        size_t *n) {
  aev_receive_options *o;
  aev_receive_options_new(&o);
  aev_receive_options_set_attempt_id(o, attempt);
  int rc = aev_queue_receive(q, 10, 0, o, m, n);
  aev_receive_options_free(o);
  return rc;
}

/* A retried receive with the same ReceiveRequestAttemptId returns the same
 * messages and receipt handles and resets their visibility timeout, for 5
 * minutes and while none of them was deleted or changed. */
START_TEST(receive_request_attempt_id) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\",\"VisibilityTimeout\":\"100\"}");
  ck_assert_int_eq(fsend(q, "a1", "g1", NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(fsend(q, "a2", "g1", NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(fsend(q, "b1", "g2", NULL, NULL, NULL), AEV_OK);
  aev_message *first[10], *again[10];
  size_t n, k;
  ck_assert_int_eq(recv_attempt(q, "try-1", first, &n), AEV_OK);
  ck_assert_uint_eq(n, 3);
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(recv_attempt(q, "try-1", again, &k), AEV_OK);
  ck_assert_uint_eq(k, 3);
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(aev_message_id(again[i]), aev_message_id(first[i]));
    ck_assert_str_eq(aev_message_receipt_handle(again[i]),
                     aev_message_receipt_handle(first[i]));
    ck_assert_str_eq(aev_message_system_attribute(again[i], "ApproximateReceiveCount"), "1");
  }
  free_all(again, k);
  /* Another attempt id finds every group in flight. */
  ck_assert_int_eq(recv_attempt(q, "try-2", again, &k), AEV_OK);
  ck_assert_uint_eq(k, 0);
  /* The retry restarted the 100 s timeout at t=60 s: still hidden at 150 s. */
  aev_broker_advance(b, 90000);
  ck_assert_uint_eq(recv_n(q, 10, again), 0);
  /* Deleting one of them ends the replay: the retry receives afresh. */
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(first[2])), AEV_OK);
  ck_assert_int_eq(recv_attempt(q, "try-1", again, &k), AEV_OK);
  ck_assert_uint_eq(k, 0);
  free_all(first, n);
  /* Group g1 is visible again at 160 s. */
  aev_broker_advance(b, 20000);
  ck_assert_int_eq(recv_attempt(q, "try-3", first, &n), AEV_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(aev_queue_change_visibility(q, aev_message_receipt_handle(first[0]), 43200), AEV_OK);
  ck_assert_int_eq(recv_attempt(q, "try-3", again, &k), AEV_OK);
  ck_assert_uint_eq(k, 0); /* changed visibility: no replay either */
  free_all(first, n);
  qt_assert_error(recv_attempt(q, "", again, &k), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value  for parameter ReceiveRequestAttemptId is invalid. "
                  "Reason: ReceiveRequestAttemptId can only include "
                  "alphanumeric and punctuation characters. 1 to 128 in "
                  "length.");
  qt_assert_error(recv_attempt(q, "with space", again, &k), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  aev_queue_release(q);
}
END_TEST

START_TEST(attempt_id_record_expires) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\",\"VisibilityTimeout\":\"900\"}");
  ck_assert_int_eq(fsend(q, "a1", "g1", NULL, NULL, NULL), AEV_OK);
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(recv_attempt(q, "t", m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  free_all(m, n);
  aev_broker_advance(b, 299999);
  ck_assert_int_eq(recv_attempt(q, "t", m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  free_all(m, n);
  aev_broker_advance(b, 1);
  ck_assert_int_eq(recv_attempt(q, "t", m, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  aev_queue_release(q);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("queue_fifo");
  TCase *t = tcase_create("fifo");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, group_and_dedup_ids_required);
  tcase_add_test(t, order_and_group_blocking);
  tcase_add_test(t, visibility_extension_blocks_the_rest_of_the_group);
  tcase_add_test(t, dedup_window_survives_delete);
  tcase_add_test(t, content_dedup_and_scopes);
  tcase_add_test(t, purge_clears_dedup_history);
  tcase_add_test(t, expired_handle_and_queue_delay);
  tcase_add_test(t, receive_request_attempt_id);
  tcase_add_test(t, attempt_id_record_expires);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
