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
  aev_send_options_set_deduplication_id(o2, "d2");
  ck_assert_int_eq(aev_queue_send_batch(q, 2, ids, bodies, lens, opts, &r), AEV_OK);
  ck_assert_int_eq(strlen(aev_batch_result_sequence_number(r, 1)), 20);
  ck_assert_int_lt(strcmp(aev_batch_result_sequence_number(r, 0),
                          aev_batch_result_sequence_number(r, 1)), 0);
  aev_batch_result_free(r);
  aev_send_options_free(o1);
  aev_send_options_free(o2);
  aev_queue_release(q);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("queue_batch");
  TCase *t = tcase_create("batch");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, send_batch_partial_failure);
  tcase_add_test(t, whole_request_checks);
  tcase_add_test(t, fifo_batch_needs_ids_for_every_entry);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
