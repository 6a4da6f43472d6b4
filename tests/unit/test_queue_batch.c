/* Batch actions: whole-request checks (count, ids, distinct ids, total
 * size, FIFO ids) and per-entry failures beside successes for sends,
 * deletes and visibility changes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "queue_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }

/* A batch every entry of which is accepted. */
static void send_batch_ok(aev_queue *q, size_t n, const char *const *ids,
                          const void *const *bodies, const size_t *lens) {
  aev_batch_result *r;
  ck_assert_int_eq(aev_queue_send_batch(q, n, ids, bodies, lens, NULL, &r), AEV_OK);
  for (size_t i = 0; i < n; i++) ck_assert_int_eq(aev_batch_result_status(r, i), AEV_OK);
  aev_batch_result_free(r);
}
static void teardown(void) { aev_broker_destroy(b); }

START_TEST(send_batch_partial_failure) {
  aev_queue *q = qt_queue(b, "q", "{\"MaximumMessageSize\":\"1024\"}");
  static char big[1100];
  memset(big, 'a', sizeof big);
  const char *ids[] = {"ok-1", "too_big", "ok-2"};
  const void *bodies[] = {"one", big, "two"};
  size_t lens[] = {3, sizeof big, 3};
  aev_batch_result *r;
  ck_assert_int_eq(aev_queue_send_batch(q, 3, ids, bodies, lens, NULL, &r), AEV_OK);
  ck_assert_uint_eq(aev_batch_result_count(r), 3);
  ck_assert_int_eq(aev_batch_result_status(r, 0), AEV_OK);
  ck_assert_str_eq(aev_batch_result_id(r, 0), "ok-1");
  ck_assert_str_eq(aev_batch_result_md5_of_body(r, 0), "f97c5d29941bfb1b2fdab0874906ab82");
  ck_assert_int_eq(strlen(aev_batch_result_message_id(r, 0)), 36);
  ck_assert_ptr_null(aev_batch_result_md5_of_attributes(r, 0));
  ck_assert_ptr_null(aev_batch_result_sequence_number(r, 0));
  ck_assert_int_eq(aev_batch_result_status(r, 1), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_batch_result_code(r, 1), "InvalidParameterValue");
  ck_assert_str_eq(aev_batch_result_message(r, 1),
                   "One or more parameters are invalid. Reason: Message must "
                   "be shorter than 1024 bytes.");
  ck_assert_ptr_null(aev_batch_result_message_id(r, 1));
  ck_assert_int_eq(aev_batch_result_status(r, 2), AEV_OK);
  ck_assert_ptr_null(aev_batch_result_code(r, 2));
  aev_batch_result_free(r);
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_str_eq(qt_body(m[0]), "one");
  ck_assert_str_eq(qt_body(m[1]), "two");
  /* Delete batch: one good handle, one garbage, one repeated-stale. */
  const char *dids[] = {"a", "b"};
  const char *handles[] = {aev_message_receipt_handle(m[0]), "garbage"};
  ck_assert_int_eq(aev_queue_delete_message_batch(q, 2, dids, handles, &r), AEV_OK);
  ck_assert_int_eq(aev_batch_result_status(r, 0), AEV_OK);
  ck_assert_str_eq(aev_batch_result_code(r, 1), "ReceiptHandleIsInvalid");
  aev_batch_result_free(r);
  /* Visibility batch: make the second visible again, one garbage. */
  const char *vh[] = {aev_message_receipt_handle(m[1]), "garbage"};
  int secs[] = {0, 10};
  ck_assert_int_eq(aev_queue_change_visibility_batch(q, 2, dids, vh, secs, &r), AEV_OK);
  ck_assert_int_eq(aev_batch_result_status(r, 0), AEV_OK);
  ck_assert_int_eq(aev_batch_result_status(r, 1), AEV_ERR_INVALID);
  aev_batch_result_free(r);
  aev_message *again = qt_recv1(q);
  ck_assert_str_eq(qt_body(again), "two");
  aev_message_free(again);
  aev_message_free(m[0]);
  aev_message_free(m[1]);
  aev_queue_release(q);
}
END_TEST

START_TEST(whole_request_checks) {
  aev_queue *q = qt_queue(b, "q", NULL);
  aev_batch_result *r;
  const void *bodies[11];
  size_t lens[11];
  const char *ids[11];
  char idbuf[11][8];
  for (int i = 0; i < 11; i++) {
    snprintf(idbuf[i], sizeof idbuf[i], "m%d", i);
    ids[i] = idbuf[i];
    bodies[i] = "x";
    lens[i] = 1;
  }
  qt_assert_error(aev_queue_send_batch(q, 11, ids, bodies, lens, NULL, &r), AEV_ERR_INVALID,
                  "TooManyEntriesInBatchRequest",
                  "Maximum number of entries per request are 10. You have sent 11.");
  qt_assert_error(aev_queue_send_batch(q, 0, ids, bodies, lens, NULL, &r), AEV_ERR_INVALID,
                  "EmptyBatchRequest",
                  "There should be at least one SendMessageBatchRequestEntry in the request.");
  const char *bad[] = {"invalid:id"};
  const char *idmsg = "A batch entry id can only contain alphanumeric characters, "
                      "hyphens and underscores. It can be at most 80 letters long.";
  qt_assert_error(aev_queue_send_batch(q, 1, bad, bodies, lens, NULL, &r), AEV_ERR_INVALID,
                  "InvalidBatchEntryId", idmsg);
  const char *empty[] = {""};
  qt_assert_error(aev_queue_delete_message_batch(q, 1, empty, bad, &r), AEV_ERR_INVALID,
                  "InvalidBatchEntryId", idmsg);
  const char *dup[] = {"a", "a"};
  qt_assert_error(aev_queue_send_batch(q, 2, dup, bodies, lens, NULL, &r), AEV_ERR_INVALID,
                  "BatchEntryIdsNotDistinct", "Id a repeated.");
  static char half[600000];
  memset(half, 'a', sizeof half);
  const void *hb[] = {half, half};
  size_t hl[] = {sizeof half, sizeof half};
  const char *two[] = {"a", "b"};
  qt_assert_error(aev_queue_send_batch(q, 2, two, hb, hl, NULL, &r), AEV_ERR_INVALID,
                  "BatchRequestTooLong",
                  "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.");
  int secs[] = {1};
  qt_assert_error(aev_queue_change_visibility_batch(q, 1, ids, bad, NULL, &r), AEV_ERR_INVALID,
                  "MissingParameter", NULL);
  ck_assert_int_eq(aev_queue_change_visibility_batch(q, 1, ids, bad, secs, &r), AEV_OK);
  aev_batch_result_free(r);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
}
END_TEST

START_TEST(fifo_batch_needs_ids_for_every_entry) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  aev_send_options *o1, *o2;
  aev_send_options_new(&o1);
  aev_send_options_new(&o2);
  aev_send_options_set_group_id(o1, "g");
  aev_send_options_set_deduplication_id(o1, "d1");
  aev_send_options_set_group_id(o2, "g");
  const aev_send_options *opts[] = {o1, o2};
  const char *ids[] = {"a", "b"};
  const void *bodies[] = {"x", "y"};
  size_t lens[] = {1, 1};
  aev_batch_result *r;
  qt_assert_error(aev_queue_send_batch(q, 2, ids, bodies, lens, opts, &r), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "The queue should either have ContentBasedDeduplication enabled "
                  "or MessageDeduplicationId provided explicitly");
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  /* A batch entry without its group: InvalidParameterValue, unlike a lone
   * SendMessage's MissingParameter. */
  aev_send_options *nogroup;
  aev_send_options_new(&nogroup);
  aev_send_options_set_deduplication_id(nogroup, "d2");
  const aev_send_options *opts2[] = {o1, nogroup};
  qt_assert_error(aev_queue_send_batch(q, 2, ids, bodies, lens, opts2, &r), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "The request must contain the parameter MessageGroupId.");
  aev_send_options_free(nogroup);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_send_options_set_deduplication_id(o2, "d2");
  ck_assert_int_eq(aev_queue_send_batch(q, 2, ids, bodies, lens, opts, &r), AEV_OK);
  ck_assert_int_eq(strlen(aev_batch_result_sequence_number(r, 1)), 20);
  ck_assert_int_lt(strcmp(aev_batch_result_sequence_number(r, 0),
                          aev_batch_result_sequence_number(r, 1)), 0);
  /* The same batch again: both duplicates, answered like the originals
   * (their messages, made together, are dropped together). */
  aev_batch_result *again;
  ck_assert_int_eq(aev_queue_send_batch(q, 2, ids, bodies, lens, opts, &again), AEV_OK);
  for (size_t i = 0; i < 2; i++)
    ck_assert_str_eq(aev_batch_result_message_id(again, i), aev_batch_result_message_id(r, i));
  aev_batch_result_free(again);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "2");
  aev_batch_result_free(r);
  aev_send_options_free(o1);
  aev_send_options_free(o2);
  aev_queue_release(q);
}
END_TEST

/* A batch's messages share one allocation: each goes its own way (deleted
 * in any order, received again) and the queue's next batches reuse it. */
START_TEST(batch_messages_share_memory_but_not_fate) {
  aev_queue *q = qt_queue(b, "q", NULL), *one = qt_queue(b, "one", NULL);
  const char *ids[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  char text[10][40];
  const void *bodies[10];
  size_t lens[10];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 10; i++) {
      lens[i] = (size_t)snprintf(text[i], sizeof text[i], "round %d body %d%.*s",
                                 round, i, i * 2, "xxxxxxxxxxxxxxxxxxxx");
      bodies[i] = text[i];
    }
    send_batch_ok(q, 10, ids, bodies, lens);
    aev_message *m[10];
    size_t n;
    ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
    ck_assert_uint_eq(n, 10);
    for (size_t i = 0; i < n; i++) {
      ck_assert_str_eq(qt_body(m[i]), text[i]);
      /* The MD5 a lone send (hashed on its own) gives the same body. */
      qt_send(one, text[i]);
      aev_message *o = qt_recv1(one);
      ck_assert_str_eq(aev_message_md5_of_body(m[i]), aev_message_md5_of_body(o));
      ck_assert_int_eq(aev_queue_delete_message(one, aev_message_receipt_handle(o)), AEV_OK);
      aev_message_free(o);
    }
    /* Odd ones first, then the even ones but the last. */
    for (size_t i = 1; i < n; i += 2)
      ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m[i])), AEV_OK);
    for (size_t i = 0; i + 2 < n; i += 2)
      ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m[i])), AEV_OK);
    qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "1");
    /* The survivor comes back after its visibility timeout, whole. */
    aev_broker_advance(b, 31000);
    aev_message *again = qt_recv1(q);
    ck_assert_ptr_nonnull(again);
    ck_assert_str_eq(qt_body(again), text[8]);
    ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(again)), AEV_OK);
    aev_message_free(again);
    for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
  }
  /* An entry without a body fails alone; its packed copy is dropped. */
  const void *partial[] = {"kept", NULL, "also kept"};
  size_t plens[] = {4, 0, 9};
  aev_batch_result *pr;
  ck_assert_int_eq(aev_queue_send_batch(q, 3, ids, partial, plens, NULL, &pr), AEV_OK);
  ck_assert_int_eq(aev_batch_result_status(pr, 0), AEV_OK);
  ck_assert_str_eq(aev_batch_result_code(pr, 1), "MissingParameter");
  ck_assert_int_eq(aev_batch_result_status(pr, 2), AEV_OK);
  aev_batch_result_free(pr);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "2");
  /* A batch left in the queue goes with it. */
  send_batch_ok(q, 10, ids, bodies, lens);
  aev_queue_release(one);
  aev_queue_release(q);
}
END_TEST

/* Batch messages moved to a dead-letter queue outlive their source. */
START_TEST(batch_messages_outlive_their_queue_in_a_dlq) {
  aev_queue *dlq = qt_queue(b, "dlq", NULL);
  char attrs[256];
  snprintf(attrs, sizeof attrs,
           "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(dlq));
  aev_queue *q = qt_queue(b, "src", attrs);
  const char *ids[] = {"a", "b", "c"};
  const void *bodies[] = {"first", "second", "third"};
  size_t lens[] = {5, 6, 5};
  send_batch_ok(q, 3, ids, bodies, lens);
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
  aev_broker_advance(b, 31000);
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 0); /* all three moved */
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  aev_queue_release(q);
  ck_assert_int_eq(aev_queue_receive(dlq, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 3);
  int seen = 0; /* in any order: one bit per body */
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < 3; k++)
      if (!strcmp(qt_body(m[i]), bodies[k])) seen |= 1 << k;
    ck_assert_int_eq(aev_queue_delete_message(dlq, aev_message_receipt_handle(m[i])), AEV_OK);
    aev_message_free(m[i]);
  }
  ck_assert_int_eq(seen, 7);
  aev_queue_release(dlq);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("queue_batch");
  TCase *t = tcase_create("batch");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, send_batch_partial_failure);
  tcase_add_test(t, whole_request_checks);
  tcase_add_test(t, fifo_batch_needs_ids_for_every_entry);
  tcase_add_test(t, batch_messages_share_memory_but_not_fate);
  tcase_add_test(t, batch_messages_outlive_their_queue_in_a_dlq);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
