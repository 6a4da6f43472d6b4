/* Dead-letter queues on the manual clock: the move at the receive that
 * passes maxReceiveCount, what the moved message keeps, FIFO DLQs, queues
 * that are each other's DLQ, RedrivePolicy / RedriveAllowPolicy validation
 * and ListDeadLetterSourceQueues. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "queue_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static aev_queue *with_dlq(const char *name, const char *extra,
                           const char *dlq_arn, int max_receive) {
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{%s\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":%d}\"}",
           extra, dlq_arn, max_receive);
  return qt_queue(b, name, attrs);
}

static aev_message *recv_vis0(aev_queue *q) {
  aev_receive_options *o;
  aev_receive_options_new(&o);
  aev_receive_options_set_visibility(o, 0);
  aev_message *m[1];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, o, m, &n), AEV_OK);
  aev_receive_options_free(o);
  return n ? m[0] : NULL;
}

START_TEST(moves_when_receive_count_passes_max) {
  aev_queue *dlq = qt_queue(b, "dlq", NULL);
  aev_queue *q = with_dlq("src", "", aev_queue_arn(dlq), 3);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_trace_header(o, "Root=1-5759e988-bd862e3fe1be46a994272793");
  aev_send_options_set_attributes(o, "{\"MyAttribute\":{\"DataType\":\"String\",\"StringValue\":\"foobar\"}}");
  char id[AEV_MESSAGE_ID_SIZE];
  ck_assert_int_eq(aev_queue_send(q, "message-1", 9, o, id, NULL), AEV_OK);
  aev_send_options_free(o);
  for (int i = 1; i <= 3; i++) {
    aev_message *m = recv_vis0(q);
    ck_assert_ptr_nonnull(m);
    aev_message_free(m);
    qt_assert_attr(dlq, "ApproximateNumberOfMessages", "0");
  }
  /* The fourth receive would pass maxReceiveCount 3: the message moves. */
  ck_assert_ptr_null(recv_vis0(q));
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "1");
  aev_message *d = qt_recv1(dlq);
  ck_assert_str_eq(aev_message_id(d), id);
  ck_assert_str_eq(qt_body(d), "message-1");
  ck_assert_str_eq(aev_message_system_attribute(d, "ApproximateReceiveCount"), "4");
  ck_assert_str_eq(aev_message_system_attribute(d, "DeadLetterQueueSourceArn"),
                   "arn:aws:sqs:us-east-1:000000000000:src");
  ck_assert_str_eq(aev_message_system_attribute(d, "AWSTraceHeader"),
                   "Root=1-5759e988-bd862e3fe1be46a994272793");
  ck_assert_str_eq(aev_message_md5_of_attributes(d), "adb59cd4678ea5a855436b949cd07ab6");
  ck_assert_int_eq(aev_queue_delete_message(dlq, aev_message_receipt_handle(d)), AEV_OK);
  aev_message_free(d);
  aev_queue_release(q);
  aev_queue_release(dlq);
}
END_TEST

START_TEST(other_messages_still_delivered_by_the_moving_receive) {
  aev_queue *dlq = qt_queue(b, "dlq", NULL);
  aev_queue *q = with_dlq("src", "", aev_queue_arn(dlq), 1);
  qt_send(q, "message-1");
  qt_send(q, "message-2");
  aev_message *m = recv_vis0(q);
  ck_assert_str_eq(qt_body(m), "message-1");
  aev_message_free(m);
  m = recv_vis0(q);
  ck_assert_str_eq(qt_body(m), "message-2");
  aev_message_free(m);
  ck_assert_ptr_null(recv_vis0(q));
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "2");
  aev_queue_release(q);
  aev_queue_release(dlq);
}
END_TEST

START_TEST(standard_dlq_keeps_original_enqueue_time) {
  aev_queue *dlq = qt_queue(b, "dlq", "{\"MessageRetentionPeriod\":\"120\"}");
  aev_queue *q = with_dlq("src", "", aev_queue_arn(dlq), 1);
  qt_send(q, "a");
  aev_broker_advance(b, 100000);
  aev_message *m = recv_vis0(q);
  aev_message_free(m);
  ck_assert_ptr_null(recv_vis0(q));
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "1");
  aev_broker_advance(b, 20000);
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
  aev_queue_release(dlq);
}
END_TEST

START_TEST(fifo_dlq_frees_the_group) {
  aev_queue *dlq = qt_queue(b, "dlq.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  aev_queue *q = with_dlq("src.fifo", "\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\",",
                          aev_queue_arn(dlq), 2);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_group_id(o, "1");
  ck_assert_int_eq(aev_queue_send(q, "foobar", 6, o, NULL, NULL), AEV_OK);
  for (int i = 0; i < 2; i++) aev_message_free(recv_vis0(q));
  ck_assert_ptr_null(recv_vis0(q));
  aev_message *d = qt_recv1(dlq);
  ck_assert_str_eq(qt_body(d), "foobar");
  ck_assert_str_eq(aev_message_system_attribute(d, "MessageGroupId"), "1");
  aev_message_free(d);
  ck_assert_int_eq(aev_queue_send(q, "foobar2", 7, o, NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "foobar2");
  aev_message_free(m);
  aev_send_options_free(o);
  aev_queue_release(q);
  aev_queue_release(dlq);
}
END_TEST

#define FIFO_ATTRS "\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\","

/* A FIFO message whose dead-letter queue is gone stays where it was: ahead
 * of the later messages of its group (which wait for it), with its
 * retention counted from its send. */
START_TEST(fifo_message_whose_dlq_is_gone_keeps_its_place) {
  aev_queue *dlq = qt_queue(b, "dlq.fifo", "{" FIFO_ATTRS "\"DelaySeconds\":\"0\"}");
  aev_queue *q = with_dlq("src.fifo", FIFO_ATTRS "\"MessageRetentionPeriod\":\"60\",",
                          aev_queue_arn(dlq), 1);
  aev_send_options *o;
  ck_assert_int_eq(aev_send_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_send_options_set_group_id(o, "g"), AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, "m1", 2, o, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, "m2", 2, o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
  aev_message *m = recv_vis0(q);
  ck_assert_str_eq(qt_body(m), "m1");
  aev_message_free(m);
  ck_assert_int_eq(aev_queue_delete(dlq), AEV_OK);
  aev_queue_release(dlq);
  aev_broker_advance(b, 30000);
  for (int i = 0; i < 3; i++) {
    m = recv_vis0(q);
    ck_assert_msg(m == NULL, "%s was delivered ahead of m1", m ? qt_body(m) : "");
  }
  qt_assert_attr(q, "ApproximateNumberOfMessages", "2");
  aev_broker_advance(b, 30000);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
}
END_TEST

START_TEST(queues_that_are_each_others_dlq) {
  aev_queue *a = qt_queue(b, "a", NULL);
  aev_queue *bq = with_dlq("b", "", aev_queue_arn(a), 1);
  char attrs[256];
  snprintf(attrs, sizeof attrs,
           "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(bq));
  ck_assert_int_eq(aev_queue_set_attributes(a, attrs), AEV_OK);
  qt_send(a, "ping");
  aev_message_free(recv_vis0(a));
  ck_assert_ptr_null(recv_vis0(a)); /* a -> b */
  aev_message *m = recv_vis0(bq);   /* count 2 > 1 already: b -> a */
  ck_assert_ptr_null(m);
  qt_assert_attr(a, "ApproximateNumberOfMessages", "1");
  /* A queue can also be its own dead-letter queue. */
  aev_queue *self = qt_queue(b, "self", NULL);
  snprintf(attrs, sizeof attrs,
           "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(self));
  ck_assert_int_eq(aev_queue_set_attributes(self, attrs), AEV_OK);
  qt_send(self, "x");
  aev_message_free(recv_vis0(self));
  ck_assert_ptr_null(recv_vis0(self));
  qt_assert_attr(self, "ApproximateNumberOfMessages", "1");
  aev_queue_release(self);
  aev_queue_release(bq);
  aev_queue_release(a);
}
END_TEST

static void policy_fails(aev_queue *q, const char *attrs, const char *code,
                         const char *fragment) {
  ck_assert_int_eq(aev_queue_set_attributes(q, attrs), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), code);
  ck_assert_msg(strstr(aev_errmsg(), fragment), "%s", aev_errmsg());
}

START_TEST(policy_validation) {
  aev_queue *q = qt_queue(b, "q", NULL), *dlq = qt_queue(b, "dlq", NULL);
  aev_queue *f = qt_queue(b, "f.fifo", "{\"FifoQueue\":\"true\"}");
  policy_fails(q, "{\"RedrivePolicy\":\"nope\"}", "InvalidParameterValue",
               "Redrive policy is not a valid JSON map.");
  policy_fails(q, "{\"RedrivePolicy\":\"{\\\"maxReceiveCount\\\":1}\"}", "InvalidParameterValue",
               "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  policy_fails(q, "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:000000000000:dlq\\\",\\\"maxReceiveCount\\\":1001}\"}",
               "InvalidParameterValue",
               "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.");
  policy_fails(q, "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:000000000000:none\\\",\\\"maxReceiveCount\\\":1}\"}",
               "InvalidParameterValue", "Dead letter target does not exist.");
  /* Not an ARN at all: refused before any lookup, for a name of a queue
   * that exists too (recorded against AWS for "dummy"). */
  static const char *const not_arns[] = {"dummy", "dlq", "arn:aws:sqs:us-east-1:000000000000:",
                                         "arn:aws:sqs:us-east-1:dlq"};
  for (size_t i = 0; i < sizeof not_arns / sizeof *not_arns; i++) {
    char attrs[256], want[256];
    snprintf(attrs, sizeof attrs,
             "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\": \\\"%s\\\", "
             "\\\"maxReceiveCount\\\": 42}\"}",
             not_arns[i]);
    snprintf(want, sizeof want,
             "Value {\"deadLetterTargetArn\": \"%s\", \"maxReceiveCount\": 42} for parameter "
             "RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.",
             not_arns[i]);
    qt_assert_error(aev_queue_set_attributes(q, attrs), AEV_ERR_INVALID, "InvalidParameterValue",
                    want);
    aev_queue *made = NULL;
    qt_assert_error(aev_queue_create(b, "made", attrs, &made), AEV_ERR_INVALID,
                    "InvalidParameterValue", want);
    ck_assert_ptr_null(made);
  }
  policy_fails(q, "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:000000000000:f.fifo\\\",\\\"maxReceiveCount\\\":1}\"}",
               "InvalidParameterValue", "Dead-letter queue must be same type of queue as the source.");
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:000000000000:dlq\\\",\\\"maxReceiveCount\\\":\\\"5\\\"}\"}"), AEV_OK);
  qt_assert_attr(q, "RedrivePolicy", "{\\");
  char *s;
  ck_assert_int_eq(aev_queue_list_dead_letter_sources(dlq, 0, NULL, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"queueUrls\":[\"https://sqs.us-east-1.amazonaws.com/000000000000/q\"]}");
  aev_free(s);
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"RedrivePolicy\":\"\"}"), AEV_OK);
  ck_assert_ptr_null(qt_attr(q, "RedrivePolicy"));
  /* AWS's queueUrls is required: present, empty, when no queue is left. */
  ck_assert_int_eq(aev_queue_list_dead_letter_sources(dlq, 0, NULL, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"queueUrls\":[]}");
  aev_free(s);
  policy_fails(dlq, "{\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"sometimes\\\"}\"}",
               "InvalidParameterValue", "redrivePermission");
  policy_fails(dlq, "{\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"byQueue\\\"}\"}",
               "InvalidParameterValue", "sourceQueueArns");
  ck_assert_int_eq(aev_queue_set_attributes(dlq, "{\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"denyAll\\\"}\"}"), AEV_OK);
  /* The DLQ's RedriveAllowPolicy decides which sources may name it. */
  const char *to_dlq = "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:us-east-1:000000000000:dlq\\\",\\\"maxReceiveCount\\\":3}\"}";
  policy_fails(q, to_dlq, "InvalidParameterValue",
               "The dead-letter queue's RedriveAllowPolicy does not allow this queue as a source.");
  ck_assert_ptr_null(qt_attr(q, "RedrivePolicy"));
  ck_assert_int_eq(aev_queue_set_attributes(dlq, "{\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"byQueue\\\",\\\"sourceQueueArns\\\":[\\\"arn:aws:sqs:us-east-1:000000000000:q\\\"]}\"}"), AEV_OK);
  ck_assert_int_eq(aev_queue_set_attributes(q, to_dlq), AEV_OK);
  aev_queue *other;
  ck_assert_int_eq(aev_queue_create(b, "other", to_dlq, &other), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_int_eq(aev_queue_get(b, "other", &other), AEV_ERR_NOT_FOUND);
  ck_assert_int_eq(aev_queue_set_attributes(dlq, "{\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"allowAll\\\"}\"}"), AEV_OK);
  other = qt_queue(b, "other", to_dlq);
  aev_queue_release(other);
  aev_queue_release(f);
  aev_queue_release(dlq);
  aev_queue_release(q);
}
END_TEST

START_TEST(move_tasks) {
  aev_queue *dlq = qt_queue(b, "dlq", NULL), *dst = qt_queue(b, "dst", NULL);
  aev_queue *q = with_dlq("src", "", aev_queue_arn(dlq), 1);
  char *h;
  qt_assert_error(aev_queue_start_move_task(b, aev_queue_arn(q), NULL, 0, &h),
                  AEV_ERR_INVALID, "InvalidParameterValue",
                  "Source queue must be configured as a Dead Letter Queue.");
  qt_assert_error(aev_queue_start_move_task(b, "arn:aws:sqs:us-east-1:000000000000:none", NULL, 0, &h),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  qt_assert_error(aev_queue_start_move_task(b, aev_queue_arn(dlq), NULL, 501, &h),
                  AEV_ERR_INVALID, "InvalidParameterValue", NULL);
  for (int i = 0; i < 5; i++) qt_send(q, "m");
  for (int i = 0; i < 5; i++) aev_message_free(recv_vis0(q));
  for (int i = 0; i < 5; i++) ck_assert_ptr_null(recv_vis0(q));
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "5");
  /* Two a second to the explicit destination. */
  ck_assert_int_eq(aev_queue_start_move_task(b, aev_queue_arn(dlq), aev_queue_arn(dst), 2, &h), AEV_OK);
  char *again;
  qt_assert_error(aev_queue_start_move_task(b, aev_queue_arn(dlq), NULL, 0, &again),
                  AEV_ERR_INVALID, "InvalidParameterValue",
                  "There is already a task running. Only one active task is allowed for a "
                  "source queue arn at a given time.");
  aev_broker_drain(b);
  qt_assert_attr(dst, "ApproximateNumberOfMessages", "2");
  aev_broker_advance(b, 1000);
  qt_assert_attr(dst, "ApproximateNumberOfMessages", "4");
  char *list;
  ck_assert_int_eq(aev_queue_list_move_tasks(b, aev_queue_arn(dlq), 10, &list), AEV_OK);
  ck_assert_ptr_nonnull(strstr(list, "\"Status\":\"RUNNING\""));
  ck_assert_ptr_nonnull(strstr(list, "\"ApproximateNumberOfMessagesMoved\":4"));
  ck_assert_ptr_nonnull(strstr(list, "\"MaxNumberOfMessagesPerSecond\":2"));
  aev_free(list);
  int64_t moved = 0;
  ck_assert_int_eq(aev_queue_cancel_move_task(b, h, &moved), AEV_OK);
  ck_assert_int_eq(moved, 4);
  qt_assert_error(aev_queue_cancel_move_task(b, h, &moved), AEV_ERR_INVALID,
                  "UnsupportedOperation", "Only active tasks can be cancelled.");
  /* A handle that is not base64 of {"taskId", "sourceArn"} is invalid; one
   * that is, of no task of its existing source, names no task. */
  static const char *const bad_handles[] = {"foobared", "eyJ0YXNrSWQiOiJ4In0=", "WzFd", ""};
  for (size_t i = 0; i < sizeof bad_handles / sizeof *bad_handles; i++)
    qt_assert_error(aev_queue_cancel_move_task(b, bad_handles[i], &moved), AEV_ERR_INVALID,
                    "InvalidParameterValue", "Value for parameter TaskHandle is invalid.");
  qt_assert_error(aev_queue_cancel_move_task(b, "eyJ0YXNrSWQiOiJhYmMiLCJzb3VyY2VBcm4iOiJhcm46YXdz"
                                                "OnNxczp1cy1lYXN0LTE6MDAwMDAwMDAwMDAwOmRscSJ9",
                                             &moved),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Task does not exist.");
  /* The same of a source queue that does not exist ("test-queue-doesnt-exist-123456" of
   * another account, recorded against AWS). */
  qt_assert_error(aev_queue_cancel_move_task(
                      b,
                      "eyJ0YXNrSWQiOiAiMTBmNTcxNTctZmMzOC00ZGE5LWExMTMtNGRlN2UxMmQwNWRkIiwgInNvdXJj"
                      "ZUFybiI6ICJhcm46YXdzOnNxczp1cy1lYXN0LTE6ODc4OTY2MDY1Nzg1OnRlc3QtcXVldWUtZG9l"
                      "c250LWV4aXN0LTEyMzQ1NiJ9",
                      &moved),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                  "The resource that you specified for the SourceArn parameter doesn't exist.");
  aev_free(h);
  aev_broker_advance(b, 5000);
  qt_assert_attr(dst, "ApproximateNumberOfMessages", "4");
  /* Without a destination, messages go back to their source queue. */
  ck_assert_int_eq(aev_queue_start_move_task(b, aev_queue_arn(dlq), NULL, 0, &h), AEV_OK);
  aev_free(h);
  aev_broker_advance(b, 1000);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "1");
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(aev_message_system_attribute(m, "ApproximateReceiveCount"), "1");
  ck_assert_ptr_null(aev_message_system_attribute(m, "DeadLetterQueueSourceArn"));
  aev_message_free(m);
  ck_assert_int_eq(aev_queue_list_move_tasks(b, aev_queue_arn(dlq), 10, &list), AEV_OK);
  ck_assert_ptr_nonnull(strstr(list, "\"Status\":\"COMPLETED\""));
  ck_assert_ptr_nonnull(strstr(list, "\"Status\":\"CANCELLED\""));
  aev_free(list);
  aev_queue_release(q);
  aev_queue_release(dst);
  aev_queue_release(dlq);
}
END_TEST

/* A move task never loses a message: one whose destination is gone stays
 * in the dead-letter queue, and a task that can move none of what it
 * takes ends FAILED with a FailureReason. */
START_TEST(move_task_whose_destination_is_gone) {
  aev_queue *dlq = qt_queue(b, "dlq", NULL), *dst = qt_queue(b, "dst", NULL);
  aev_queue *q = with_dlq("src", "", aev_queue_arn(dlq), 1);
  for (int i = 0; i < 3; i++) qt_send(q, "m");
  for (int i = 0; i < 3; i++) aev_message_free(recv_vis0(q));
  for (int i = 0; i < 3; i++) ck_assert_ptr_null(recv_vis0(q));
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "3");
  /* To the messages' own source, deleted since (another source keeps dlq
   * a dead-letter queue). */
  aev_queue *other = with_dlq("other", "", aev_queue_arn(dlq), 1);
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  aev_queue_release(q);
  char *h, *list;
  ck_assert_int_eq(aev_queue_start_move_task(b, aev_queue_arn(dlq), NULL, 0, &h), AEV_OK);
  aev_free(h);
  aev_broker_advance(b, 3000);
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "3");
  ck_assert_int_eq(aev_queue_list_move_tasks(b, aev_queue_arn(dlq), 1, &list), AEV_OK);
  ck_assert_ptr_nonnull(strstr(list, "\"Status\":\"FAILED\""));
  ck_assert_ptr_nonnull(strstr(list, "\"ApproximateNumberOfMessagesMoved\":0"));
  ck_assert_ptr_nonnull(
      strstr(list, "\"FailureReason\":\"AWS.SimpleQueueService.NonExistentQueue\""));
  aev_free(list);
  /* To a destination deleted once the task has started. */
  ck_assert_int_eq(aev_queue_start_move_task(b, aev_queue_arn(dlq), aev_queue_arn(dst), 0, &h),
                   AEV_OK);
  aev_free(h);
  ck_assert_int_eq(aev_queue_delete(dst), AEV_OK);
  aev_broker_advance(b, 3000);
  qt_assert_attr(dlq, "ApproximateNumberOfMessages", "3");
  ck_assert_int_eq(aev_queue_list_move_tasks(b, aev_queue_arn(dlq), 1, &list), AEV_OK);
  ck_assert_ptr_nonnull(strstr(list, "\"Status\":\"FAILED\""));
  ck_assert_ptr_nonnull(
      strstr(list, "\"FailureReason\":\"AWS.SimpleQueueService.NonExistentQueue\""));
  aev_free(list);
  aev_message *m = qt_recv1(dlq);
  size_t len;
  ck_assert_int_eq(memcmp(aev_message_body(m, &len), "m", 1), 0);
  ck_assert_uint_eq(len, 1);
  aev_message_free(m);
  aev_queue_release(other);
  aev_queue_release(dst);
  aev_queue_release(dlq);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("queue_redrive");
  TCase *t = tcase_create("redrive");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, moves_when_receive_count_passes_max);
  tcase_add_test(t, other_messages_still_delivered_by_the_moving_receive);
  tcase_add_test(t, standard_dlq_keeps_original_enqueue_time);
  tcase_add_test(t, fifo_dlq_frees_the_group);
  tcase_add_test(t, fifo_message_whose_dlq_is_gone_keeps_its_place);
  tcase_add_test(t, queues_that_are_each_others_dlq);
  tcase_add_test(t, policy_validation);
  tcase_add_test(t, move_tasks);
  tcase_add_test(t, move_task_whose_destination_is_gone);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
