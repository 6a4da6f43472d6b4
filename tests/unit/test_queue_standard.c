/* Standard queues on the manual clock: create/get/delete and name rules,
 * send/receive/delete, visibility, delay, retention, MD5s, receipt-handle
 * outcomes, attributes, purge, and every validation error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "queue_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

START_TEST(create_get_and_names) {
  aev_queue *q = qt_queue(b, "orders", NULL), *g;
  ck_assert_str_eq(aev_queue_name(q), "orders");
  ck_assert_str_eq(aev_queue_arn(q), "arn:aws:sqs:us-east-1:000000000000:orders");
  ck_assert_str_eq(aev_queue_url(q),
                   "https://sqs.us-east-1.amazonaws.com/000000000000/orders");
  ck_assert_int_eq(aev_queue_get(b, "orders", &g), AEV_OK);
  ck_assert_ptr_eq(g, q);
  aev_queue_release(g);
  ck_assert_int_eq(aev_queue_get(b, aev_queue_arn(q), &g), AEV_OK);
  aev_queue_release(g);
  ck_assert_int_eq(aev_queue_get(b, aev_queue_url(q), &g), AEV_OK);
  aev_queue_release(g);
  qt_assert_error(aev_queue_get(b, "nope", &g), AEV_ERR_NOT_FOUND,
                  "QueueDoesNotExist", "The specified queue does not exist.");
  aev_queue_release(q);
}
END_TEST

START_TEST(create_is_idempotent_unless_values_differ) {
  aev_queue *q = qt_queue(b, "q1", "{\"DelaySeconds\":\"1\",\"ReceiveMessageWaitTimeSeconds\":\"1\"}");
  aev_queue *same = qt_queue(b, "q1", NULL);
  ck_assert_ptr_eq(same, q);
  aev_queue_release(same);
  same = qt_queue(b, "q1", "{\"DelaySeconds\":\"1\"}");
  aev_queue_release(same);
  aev_queue *other;
  qt_assert_error(aev_queue_create(b, "q1", "{\"DelaySeconds\":\"2\"}", &other),
                  AEV_ERR_EXISTS, "QueueNameExists",
                  "A queue already exists with the same name and a different "
                  "value for attribute DelaySeconds");
  aev_queue_release(q);
}
END_TEST

START_TEST(name_rules) {
  aev_queue *q;
  const char *msg = "Can only include alphanumeric characters, hyphens, or "
                    "underscores. 1 to 80 in length";
  qt_assert_error(aev_queue_create(b, "bad name", NULL, &q), AEV_ERR_INVALID,
                  "InvalidParameterValue", msg);
  char longname[82];
  memset(longname, 'a', 81);
  longname[81] = '\0';
  qt_assert_error(aev_queue_create(b, longname, NULL, &q), AEV_ERR_INVALID,
                  "InvalidParameterValue", msg);
  longname[80] = '\0';
  q = qt_queue(b, longname, NULL);
  aev_queue_release(q);
  const char *fifo_msg =
      "The name of a FIFO queue can only include alphanumeric characters, "
      "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
      "length.";
  qt_assert_error(aev_queue_create(b, "x.fifo", NULL, &q), AEV_ERR_INVALID,
                  "InvalidParameterValue", fifo_msg);
  qt_assert_error(aev_queue_create(b, "x", "{\"FifoQueue\":\"true\"}", &q),
                  AEV_ERR_INVALID, "InvalidParameterValue", fifo_msg);
  qt_assert_error(aev_queue_create(b, "x", "{\"FifoQueue\":\"false\"}", &q),
                  AEV_ERR_INVALID, "InvalidAttributeName",
                  "Unknown Attribute FifoQueue.");
  qt_assert_error(aev_queue_create(b, "x", "{\"ContentBasedDeduplication\":\"false\"}", &q),
                  AEV_ERR_INVALID, "InvalidAttributeName",
                  "Unknown Attribute ContentBasedDeduplication.");
  qt_assert_error(aev_queue_create(b, "x", "{\"DeduplicationScope\":\"queue\"}", &q),
                  AEV_ERR_INVALID, "InvalidAttributeName",
                  "You can specify the DeduplicationScope only when FifoQueue "
                  "is set to true.");
  qt_assert_error(aev_queue_create(b, "x", "{\"VisibilityTimeout\":\"43201\"}", &q),
                  AEV_ERR_INVALID, "InvalidAttributeValue",
                  "Invalid value for the parameter VisibilityTimeout.");
  qt_assert_error(aev_queue_create(b, "x", "{\"Bogus\":\"1\"}", &q),
                  AEV_ERR_INVALID, "InvalidAttributeName",
                  "Unknown Attribute Bogus.");
}
END_TEST

START_TEST(send_receive_delete_round_trip) {
  aev_queue *q = qt_queue(b, "q", NULL);
  char id[AEV_MESSAGE_ID_SIZE], seq[AEV_SEQUENCE_NUMBER_SIZE];
  ck_assert_int_eq(aev_queue_send(q, "foobar", 6, NULL, id, seq), AEV_OK);
  ck_assert_int_eq(strlen(id), 36);
  ck_assert_int_eq(id[14], '4');
  ck_assert_str_eq(seq, "");
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  size_t len;
  ck_assert_mem_eq(aev_message_body(m, &len), "foobar", 6);
  ck_assert_uint_eq(len, 6);
  ck_assert_str_eq(aev_message_id(m), id);
  ck_assert_str_eq(aev_message_md5_of_body(m), "3858f62230ac3c915f300c664312c63f");
  ck_assert_ptr_null(aev_message_md5_of_attributes(m));
  char *attrs = aev_message_attributes_json(m);
  ck_assert_str_eq(attrs, "{}");
  aev_free(attrs);
  ck_assert_str_eq(aev_message_system_attribute(m, "ApproximateReceiveCount"), "1");
  ck_assert_str_eq(aev_message_system_attribute(m, "SentTimestamp"), "1704067200000");
  ck_assert_str_eq(aev_message_system_attribute(m, "SenderId"), "000000000000");
  ck_assert_ptr_null(aev_message_system_attribute(m, "SequenceNumber"));
  ck_assert_ptr_null(qt_recv1(q));
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  /* A repeated delete of a standard queue's handle succeeds. */
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  aev_message_free(m);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_ptr_null(qt_recv1(q));
  aev_queue_release(q);
}
END_TEST

START_TEST(oldest_first_and_max) {
  aev_queue *q = qt_queue(b, "q", NULL);
  char body[16];
  for (int i = 0; i < 15; i++) {
    snprintf(body, sizeof body, "m%d", i);
    qt_send(q, body);
  }
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 10);
  for (size_t i = 0; i < n; i++) {
    snprintf(body, sizeof body, "m%d", (int)i);
    ck_assert_str_eq(qt_body(m[i]), body);
    aev_message_free(m[i]);
  }
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 5);
  for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
  aev_queue_release(q);
}
END_TEST

START_TEST(visibility_expiry_and_extension) {
  aev_queue *q = qt_queue(b, "q", "{\"VisibilityTimeout\":\"10\"}");
  qt_send(q, "a");
  aev_message *m = qt_recv1(q);
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "1");
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_broker_advance(b, 9999);
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 1);
  aev_message *again = qt_recv1(q);
  ck_assert_ptr_nonnull(again);
  ck_assert_str_eq(aev_message_system_attribute(again, "ApproximateReceiveCount"), "2");
  ck_assert_str_eq(aev_message_system_attribute(again, "ApproximateFirstReceiveTimestamp"),
                   "1704067200000");
  ck_assert_str_ne(aev_message_receipt_handle(again), aev_message_receipt_handle(m));
  /* Extend the newest handle: invisible for 100 s from now. */
  ck_assert_int_eq(aev_queue_change_visibility(q, aev_message_receipt_handle(again), 100), AEV_OK);
  aev_broker_advance(b, 99000);
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 1000);
  aev_message *third = qt_recv1(q);
  ck_assert_ptr_nonnull(third);
  /* Visibility 0 makes it visible at once. */
  ck_assert_int_eq(aev_queue_change_visibility(q, aev_message_receipt_handle(third), 0), AEV_OK);
  aev_message *fourth = qt_recv1(q);
  ck_assert_ptr_nonnull(fourth);
  /* The stale handle of the first receive neither fails nor deletes. */
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "1");
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(fourth)), AEV_OK);
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "0");
  qt_assert_error(aev_queue_change_visibility(q, aev_message_receipt_handle(fourth), 5),
                  AEV_ERR_INVALID, "InvalidParameterValue", NULL);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "Message does not exist or is not available for visibility timeout change."));
  aev_message_free(m);
  aev_message_free(again);
  aev_message_free(third);
  aev_message_free(fourth);
  aev_queue_release(q);
}
END_TEST

/* Receives one message with the given visibility timeout. */
static aev_message *recv_vis(aev_queue *q, int seconds) {
  aev_receive_options *o;
  aev_receive_options_new(&o);
  ck_assert_int_eq(aev_receive_options_set_visibility(o, seconds), AEV_OK);
  aev_message *m[1];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, o, m, &n), AEV_OK);
  aev_receive_options_free(o);
  ck_assert_uint_eq(n, 1);
  return m[0];
}

/* m's handle changes no visibility: the queue still has nothing to give. */
static void handle_refused(aev_queue *q, const aev_message *m) {
  qt_assert_error(aev_queue_change_visibility(q, aev_message_receipt_handle(m), 0),
                  AEV_ERR_INVALID, "InvalidParameterValue", NULL);
  ck_assert_ptr_null(qt_recv1(q));
}

/* On a standard queue an earlier receive's handle changes the visibility
 * of a message received again since (LocalStack's
 * test_terminate_visibility_timeout_after_receive, validated on AWS); a
 * handle of a message deleted since, whose slot another message took,
 * does not. */
START_TEST(earlier_handle_changes_visibility) {
  aev_queue *q = qt_queue(b, "q", NULL);
  qt_send(q, "test");
  aev_message *first = recv_vis(q, 0), *second = recv_vis(q, 3);
  ck_assert_str_ne(aev_message_receipt_handle(first), aev_message_receipt_handle(second));
  ck_assert_ptr_null(qt_recv1(q));
  ck_assert_int_eq(aev_queue_change_visibility(q, aev_message_receipt_handle(first), 0), AEV_OK);
  aev_message *third = qt_recv1(q);
  ck_assert_ptr_nonnull(third);
  ck_assert_str_eq(qt_body(third), "test");
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(third)), AEV_OK);
  char want[200];
  snprintf(want, sizeof want,
           "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
           "is not available for visibility timeout change.",
           aev_message_receipt_handle(first));
  qt_assert_error(aev_queue_change_visibility(q, aev_message_receipt_handle(first), 0),
                  AEV_ERR_INVALID, "InvalidParameterValue", want);
  qt_send(q, "next");
  aev_message *next = qt_recv1(q);
  handle_refused(q, second);
  aev_message_free(first);
  aev_message_free(second);
  aev_message_free(third);
  aev_message_free(next);
  /* A FIFO queue's earlier handle stays refused. */
  aev_queue *f = qt_queue(b, "f.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  aev_send_options *so;
  aev_send_options_new(&so);
  aev_send_options_set_group_id(so, "g");
  ck_assert_int_eq(aev_queue_send(f, "x", 1, so, NULL, NULL), AEV_OK);
  aev_send_options_free(so);
  first = recv_vis(f, 0);
  second = recv_vis(f, 30);
  handle_refused(f, first);
  aev_message_free(first);
  aev_message_free(second);
  aev_queue_release(f);
  aev_queue_release(q);
}
END_TEST

START_TEST(receive_visibility_override) {
  aev_queue *q = qt_queue(b, "q", NULL);
  qt_send(q, "a");
  aev_receive_options *o;
  aev_receive_options_new(&o);
  ck_assert_int_eq(aev_receive_options_set_visibility(o, 5), AEV_OK);
  aev_message *m[1];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, o, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  aev_message_free(m[0]);
  aev_broker_advance(b, 5000);
  aev_message *again = qt_recv1(q);
  ck_assert_ptr_nonnull(again);
  aev_message_free(again);
  qt_assert_error(aev_receive_options_set_visibility(o, 43201), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  aev_receive_options_free(o);
  aev_queue_release(q);
}
END_TEST

/* In-flight messages reappear when their own timeout ends, whatever order
 * the timeouts were given in: receives with the queue's timeout are kept in
 * arrival order, a shorter one overtakes them, and ApproximateNumberOf-
 * MessagesNotVisible counts them all. */
static void recv_with(aev_queue *q, int vis, const char *want) {
  aev_message *m = recv_vis(q, vis);
  ck_assert_str_eq(qt_body(m), want);
  aev_message_free(m);
}

START_TEST(visibility_timeouts_in_any_order) {
  aev_queue *q = qt_queue(b, "q", NULL);
  qt_send(q, "a");
  qt_send(q, "b");
  qt_send(q, "c");
  recv_with(q, 30, "a");
  aev_broker_advance(b, 1000);
  recv_with(q, 30, "b");
  recv_with(q, 5, "c");
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "3");
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 5000);
  recv_with(q, 60, "c");
  aev_broker_advance(b, 24000);
  recv_with(q, 60, "a");
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 1000);
  recv_with(q, 60, "b");
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "3");
  aev_queue_release(q);
}
END_TEST

/* VisibilityTimeout 0 makes a message visible again at once, but one
 * ReceiveMessage still returns it at most once; the next receive gets it
 * again with a receive count one higher. */
START_TEST(zero_visibility_returns_a_message_once_per_receive) {
  aev_queue *q = qt_queue(b, "q", NULL);
  qt_send(q, "a");
  aev_receive_options *o;
  aev_receive_options_new(&o);
  ck_assert_int_eq(aev_receive_options_set_visibility(o, 0), AEV_OK);
  aev_message *m[10];
  size_t n;
  for (int round = 1; round <= 2; round++) {
    ck_assert_int_eq(aev_queue_receive(q, 10, 0, o, m, &n), AEV_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(qt_body(m[0]), "a");
    ck_assert_int_eq(atoi(aev_message_system_attribute(m[0], "ApproximateReceiveCount")),
                     round);
    aev_message_free(m[0]);
  }
  aev_receive_options_free(o);
  aev_queue_release(q);
}
END_TEST

START_TEST(delay_queue_and_message) {
  aev_queue *q = qt_queue(b, "q", "{\"DelaySeconds\":\"5\"}");
  qt_send(q, "queue-delay");
  aev_send_options *o;
  aev_send_options_new(&o);
  ck_assert_int_eq(aev_send_options_set_delay(o, 0), AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, "now", 3, o, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_send_options_set_delay(o, 10), AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, "later", 5, o, NULL, NULL), AEV_OK);
  qt_assert_attr(q, "ApproximateNumberOfMessagesDelayed", "2");
  qt_assert_attr(q, "ApproximateNumberOfMessages", "1");
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "now");
  aev_message_free(m);
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 5000);
  m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "queue-delay");
  aev_message_free(m);
  ck_assert_ptr_null(qt_recv1(q));
  aev_broker_advance(b, 5000);
  m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "later");
  aev_message_free(m);
  qt_assert_error(aev_send_options_set_delay(o, 901), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value 901 for parameter DelaySeconds is invalid. Reason: "
                  "Must be >= 0 and <= 900, if provided.");
  aev_send_options_free(o);
  aev_queue_release(q);
}
END_TEST

START_TEST(retention_expiry) {
  aev_queue *q = qt_queue(b, "q", "{\"MessageRetentionPeriod\":\"60\"}");
  qt_send(q, "old");
  aev_broker_advance(b, 30000);
  qt_send(q, "young");
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "old");
  aev_message_free(m);
  aev_broker_advance(b, 30000);
  /* "old" (in flight) has expired; "young" is visible. */
  qt_assert_attr(q, "ApproximateNumberOfMessages", "1");
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "0");
  m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "young");
  aev_message_free(m);
  aev_broker_advance(b, 30000);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "0");
  aev_queue_release(q);
}
END_TEST

START_TEST(message_attributes_and_md5) {
  aev_queue *q = qt_queue(b, "q", NULL);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(
      o, "{\"attribName1\":{\"DataType\":\"String\",\"StringValue\":\"attribValue 1\"}}");
  ck_assert_int_eq(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_OK);
  aev_send_options_set_attributes(
      o, "{\"attr1\":{\"DataType\":\"Binary\",\"BinaryValue\":\"dHJhY2VwYXJlbnQeMDAtNzc0MDYyZDZjMzcwODFhNWEwYjliNWI4OGUzMDYyN2MtMmQyNDgyMjExZjY0ODlkYS0wMQ==\"}}");
  ck_assert_int_eq(aev_queue_send(q, "y", 1, o, NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(aev_message_md5_of_attributes(m), "19e27d4e946b072f3f58da80d94fd778");
  char *json = aev_message_attributes_json(m);
  ck_assert_str_eq(json, "{\"attribName1\":{\"DataType\":\"String\",\"StringValue\":\"attribValue 1\"}}");
  aev_free(json);
  aev_message_free(m);
  m = qt_recv1(q);
  ck_assert_str_eq(aev_message_md5_of_attributes(m), "8cbe4db156db8a94db8b801b7addb984");
  json = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(json, "\"BinaryValue\":\"dHJhY2VwYXJlbnQeMDAtNzc0MDYyZDZjMzcwODFhNWEwYjliNWI4OGUzMDYyN2MtMmQyNDgyMjExZjY0ODlkYS0wMQ==\""));
  aev_free(json);
  aev_message_free(m);
  aev_send_options_free(o);
  aev_queue_release(q);
}
END_TEST

START_TEST(attribute_name_filters) {
  aev_queue *q = qt_queue(b, "q", "{\"VisibilityTimeout\":\"0\"}");
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(
      o, "{\"Help.Me\":{\"DataType\":\"String\",\"StringValue\":\"Me\"},"
         "\"Hello\":{\"DataType\":\"String\",\"StringValue\":\"There\"},"
         "\"General\":{\"DataType\":\"String\",\"StringValue\":\"Kenobi\"}}");
  ck_assert_int_eq(aev_queue_send(q, "msg", 3, o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
  struct {
    const char *names, *md5;
  } cases[] = {
      {"[\"All\"]", "4c360f3fdafd970e05fae2f149d997f5"},
      {"[\"Hello\",\"General\"]", "fca026605781cb4126a1e9044df24232"},
      {"[\"Foo\",\"Hello\"]", "a311262e065454b75da111d535b8dacd"},
      {"[\"Hel.*\"]", "83fee93c1bcd8b9a5a923ffacdc636c7"},
      {"[\"Foo\"]", NULL},
      {"[]", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    aev_receive_options *ro;
    aev_receive_options_new(&ro);
    ck_assert_int_eq(aev_receive_options_set_attribute_names(ro, cases[i].names), AEV_OK);
    aev_message *m[1];
    size_t n;
    ck_assert_int_eq(aev_queue_receive(q, 1, 0, ro, m, &n), AEV_OK);
    ck_assert_uint_eq(n, 1);
    /* None selected: "{}", as NULL is kept for out of memory. */
    char *json = aev_message_attributes_json(m[0]);
    ck_assert_ptr_nonnull(json);
    if (cases[i].md5) {
      ck_assert_str_eq(aev_message_md5_of_attributes(m[0]), cases[i].md5);
      ck_assert_str_ne(json, "{}");
    } else {
      ck_assert_ptr_null(aev_message_md5_of_attributes(m[0]));
      ck_assert_str_eq(json, "{}");
    }
    aev_free(json);
    aev_message_free(m[0]);
    aev_receive_options_free(ro);
  }
  aev_queue_release(q);
}
END_TEST

static void send_attrs_fails(aev_queue *q, const char *attrs, const char *msg) {
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(o, attrs);
  qt_assert_error(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue", msg);
  aev_send_options_free(o);
}

START_TEST(message_attribute_validation) {
  aev_queue *q = qt_queue(b, "q", NULL);
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"string\",\"StringValue\":\"v\"}}",
                   "The type of message (user) attribute 'a' is invalid. You "
                   "must use only the following supported type prefixes: "
                   "Binary, Number, String.");
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"\"}}",
                   "Message (user) attribute 'a' must contain a non-empty "
                   "value of type 'String'.");
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"Number\",\"StringValue\":\"x1\"}}",
                   "Can't cast message (user) attribute 'a' value to number.");
  send_attrs_fails(q, "{\"AWS.a\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}", NULL);
  send_attrs_fails(q, "{\"a..b\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}", NULL);
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"Binary\",\"BinaryValue\":\"!!\"}}", NULL);
  const char *bad_name = "Message (user) attribute name '%s' is invalid. Names "
                         "can contain alphanumeric characters, hyphens, "
                         "underscores and periods, must not start or end with "
                         "a period, must not contain successive periods and "
                         "must not start with 'AWS.' or 'Amazon.'.";
  const char *names[] = {".a", "a.", "Amazon.x", "a b", "a/b"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char attrs[128], msg[512];
    snprintf(attrs, sizeof attrs, "{\"%s\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}", names[i]);
    snprintf(msg, sizeof msg, bad_name, names[i]);
    send_attrs_fails(q, attrs, msg);
  }
  char longname[400] = "{\"";
  memset(longname + 2, 'n', 257);
  strcpy(longname + 259, "\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  send_attrs_fails(q, longname, NULL);
  longname[258] = '\0'; /* 256 characters are allowed */
  strcat(longname, "\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  aev_send_options *ok;
  aev_send_options_new(&ok);
  aev_send_options_set_attributes(ok, longname);
  ck_assert_int_eq(aev_queue_send(q, "x", 1, ok, NULL, NULL), AEV_OK);
  aev_send_options_free(ok);
  send_attrs_fails(q, "{\"a\":{\"StringValue\":\"v\"}}",
                   "The message attribute 'a' must contain non-empty message "
                   "attribute type.");
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"String.\",\"StringValue\":\"v\"}}", NULL);
  /* Numbers: -10^128 .. 10^126. */
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"Number\",\"StringValue\":\"1e127\"}}",
                   "Can't cast message (user) attribute 'a' value to number.");
  send_attrs_fails(q, "{\"a\":{\"DataType\":\"Number\",\"StringValue\":\"-1e129\"}}", NULL);
  char many[1024] = "{";
  for (int i = 0; i < 11; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many),
             "%s\"a%d\":{\"DataType\":\"Number.int\",\"StringValue\":\"%d\"}",
             i ? "," : "", i, i);
  strcat(many, "}");
  send_attrs_fails(q, many, "Number of message attributes [11] exceeds the allowed maximum [10].");
  /* Custom type suffixes and numbers within AWS's range are fine. */
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(o, "{\"n\":{\"DataType\":\"Number.float\",\"StringValue\":\"-1.5e10\"}}");
  ck_assert_int_eq(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
  aev_queue_release(q);
}
END_TEST

static void send_with_attrs(aev_queue *q, const char *body, const char *attrs, int want) {
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(o, attrs);
  ck_assert_int_eq(aev_queue_send(q, body, strlen(body), o, NULL, NULL), want);
  aev_send_options_free(o);
}

/* Attribute names take Latin letters past ASCII as AWS does (it takes
 * "attr.1" + o-slash, sharp s, a-umlaut and refuses the section sign),
 * up to 256 characters, not bytes. A refused send stores nothing. */
START_TEST(non_ascii_attribute_names) {
  aev_queue *q = qt_queue(b, "q", NULL);
  send_with_attrs(q, "x", "{\"attr.1\xc3\xb8\xc3\x9f\xc3\xa4\":{\"DataType\":\"String\",\"StringValue\":\"Valida\"}}", AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(aev_message_md5_of_attributes(m), "e191658c20136060d5770e3c678ea594");
  char *json = aev_message_attributes_json(m);
  ck_assert_str_eq(json, "{\"attr.1\xc3\xb8\xc3\x9f\xc3\xa4\":{\"DataType\":\"String\",\"StringValue\":\"Valida\"}}");
  aev_free(json);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  aev_message_free(m);
  send_attrs_fails(q, "{\"a\xc2\xa7\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}", NULL);
  send_attrs_fails(q, "{\"a\xc3\x97\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}", NULL);
  char *name = aev_test_repeat_between("{\"", "\xc3\xa9", 257,
                                       "\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  send_attrs_fails(q, name, NULL);
  free(name);
  name = aev_test_repeat_between("{\"", "\xc3\xa9", 256,
                                 "\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  send_with_attrs(q, "x", name, AEV_OK);
  free(name);
  m = qt_recv1(q);
  json = aev_message_attributes_json(m);
  ck_assert_uint_eq(strlen(json), 512 + 44); /* the name, 256 two-byte characters, whole */
  aev_free(json);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  aev_message_free(m);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
}
END_TEST

/* String values take the body's characters (SQS API reference,
 * MessageAttributeValue) and count toward MaximumMessageSize in UTF-8
 * bytes, exactly at the limit too. */
/* String values have the body's characters, but AWS answers
 * InvalidParameterValue for them, not the body's InvalidMessageContents
 * (LocalStack's test_invalid_string_attributes_cause_invalid_parameter_value_error). */
START_TEST(string_values_take_body_characters) {
  aev_queue *q = qt_queue(b, "q", "{\"MaximumMessageSize\":\"1024\"}");
  static const char *const bad_values[] = {"Invalid-\\b,\\u000b", "\\u000b", "\xef\xbf\xbe"};
  for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
    char attrs[128];
    snprintf(attrs, sizeof attrs, "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"%s\"}}",
             bad_values[i]);
    aev_send_options *o;
    aev_send_options_new(&o);
    aev_send_options_set_attributes(o, attrs);
    qt_assert_error(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                    "InvalidParameterValue",
                    "Invalid characters found. Valid unicode characters are #x9 | #xA | "
                    "#xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    aev_send_options_free(o);
  }
  /* Body 1007 bytes + name 2 + type 6 + value 9 (3-, 4- and 2-byte
   * characters): 1024 bytes, the limit; one byte more is refused. */
  const char *attrs = "{\"ab\":{\"DataType\":\"String\",\"StringValue\":\"\xe6\xbc\xa2\xf0\x9f\x98\x80\xc3\xa9\"}}";
  char body[1008];
  memset(body, 'a', sizeof body);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(o, attrs);
  qt_assert_error(aev_queue_send(q, body, 1008, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "One or more parameters are invalid. Reason: Message must be "
                  "shorter than 1024 bytes.");
  ck_assert_int_eq(aev_queue_send(q, body, 1007, o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(aev_message_md5_of_attributes(m), "7e0c8b0559ed630451e77162b2fafcc3");
  char *json = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(json, "\"StringValue\":\"\xe6\xbc\xa2\xf0\x9f\x98\x80\xc3\xa9\""));
  aev_free(json);
  aev_message_free(m);
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "1");
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
}
END_TEST

/* U+0000 in attribute JSON answers what aev_call answers for it: never
 * "not a valid JSON object", nor a value cut at the character. */
START_TEST(attribute_values_with_nul) {
  aev_queue *q = qt_queue(b, "q", NULL);
  static const struct {
    const char *type, *value, *code, *msg;
  } cases[] = {
      {"String", "\"StringValue\":\"x\\u0000\"", "InvalidParameterValue",
       "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
       "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"},
      {"Number", "\"StringValue\":\"1\\u00002\"", "InvalidParameterValue",
       "Can't cast message (user) attribute 'a' value to number."},
      {"String\\u0000", "\"StringValue\":\"x\"", "InvalidParameterValue",
       "Value for parameter MessageAttributes.a.DataType is invalid. Reason: Must not "
       "contain the character U+0000."},
      {"Binary", "\"BinaryValue\":\"AAAA\\u0000AAAA\"", "InvalidParameterValue",
       "Message (user) attribute 'a' has an invalid binary value: it must be "
       "base64-encoded."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char attrs[128];
    snprintf(attrs, sizeof attrs, "{\"a\":{\"DataType\":\"%s\",%s}}", cases[i].type,
             cases[i].value);
    aev_send_options *o;
    aev_send_options_new(&o);
    aev_send_options_set_attributes(o, attrs);
    qt_assert_error(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_ERR_INVALID, cases[i].code,
                    cases[i].msg);
    aev_send_options_free(o);
  }
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
}
END_TEST

#define NUL_REFUSED(member)                                                     \
  "Value for parameter " member " is invalid. Reason: Must not contain the "     \
  "character U+0000."

/* U+0000 in the typed API's JSON arguments answers what aev_call answers for
 * the same member, never "not valid JSON", and changes nothing. */
START_TEST(queue_arguments_with_nul) {
  aev_queue *q = qt_queue(b, "q", "{\"Policy\":\"{}\"}");
  const char *policy_nul = "{\"Policy\":\"{\\u0000}\"}";
  const char *redrive_nul = "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
                            "\\\"arn:aws:sqs:us-east-1:000000000000:q\\u0000x\\\","
                            "\\\"maxReceiveCount\\\":1}\"}";
  aev_queue *made = NULL;
  qt_assert_error(aev_queue_create(b, "made", policy_nul, &made), AEV_ERR_INVALID,
                  "InvalidParameterValue", NUL_REFUSED("Attributes.Policy"));
  ck_assert_ptr_null(made);
  qt_assert_error(aev_queue_get(b, "made", &made), AEV_ERR_NOT_FOUND, "QueueDoesNotExist", NULL);
  qt_assert_error(aev_queue_set_attributes(q, policy_nul), AEV_ERR_INVALID,
                  "InvalidParameterValue", NUL_REFUSED("Attributes.Policy"));
  qt_assert_error(aev_queue_set_attributes(q, redrive_nul), AEV_ERR_INVALID,
                  "InvalidParameterValue", NUL_REFUSED("Attributes.RedrivePolicy"));
  qt_assert_attr(q, "Policy", "{}");
  ck_assert_ptr_null(qt_attr(q, "RedrivePolicy"));
  char *out = NULL;
  qt_assert_error(aev_queue_get_attributes(q, "[\"Policy\\u0000\"]", &out), AEV_ERR_INVALID,
                  "InvalidParameterValue", NUL_REFUSED("AttributeNames"));
  ck_assert_ptr_null(out);
  ck_assert_int_eq(aev_queue_tag(q, "{\"k\":\"v\"}"), AEV_OK);
  qt_assert_error(aev_queue_tag(q, "{\"k\":\"w\\u0000\"}"), AEV_ERR_INVALID,
                  "InvalidParameterValue", NUL_REFUSED("Tags.k"));
  qt_assert_error(aev_queue_untag(q, "[\"k\\u0000\"]"), AEV_ERR_INVALID,
                  "InvalidParameterValue", NUL_REFUSED("TagKeys"));
  ck_assert_int_eq(aev_queue_list_tags(q, &out), AEV_OK);
  ck_assert_str_eq(out, "{\"k\":\"v\"}");
  aev_free(out);
  aev_receive_options *o;
  ck_assert_int_eq(aev_receive_options_new(&o), AEV_OK);
  qt_assert_error(aev_receive_options_set_attribute_names(o, "[\"a\\u0000\"]"),
                  AEV_ERR_INVALID, "InvalidParameterValue", NUL_REFUSED("MessageAttributeNames"));
  aev_receive_options_free(o);
  /* aev_call's own answer for the same members */
  static const char *const requests[][2] = {
      {"CreateQueue", "{\"QueueName\":\"made\",\"Attributes\":{\"Policy\":\"{\\u0000}\"}}"},
      {"ReceiveMessage", "{\"QueueUrl\":\"q\",\"MessageAttributeNames\":[\"a\\u0000\"]}"},
  };
  const char *paths[] = {NUL_REFUSED("Attributes.Policy"), NUL_REFUSED("MessageAttributeNames")};
  for (size_t i = 0; i < 2; i++)
    aev_test_call_fails(b, "sqs", requests[i][0], requests[i][1], AEV_ERR_INVALID,
                        "InvalidParameterValue", paths[i]);
  aev_queue_release(q);
}
END_TEST

/* A type is up to 256 characters, not bytes, and its custom part has the
 * body's characters (SQS developer guide, message attribute components). */
START_TEST(custom_types_count_characters) {
  aev_queue *q = qt_queue(b, "q", NULL);
  /* "String." + 249 = 256 characters */
  char *attrs = aev_test_repeat_between("{\"a\":{\"DataType\":\"String.", "\xc3\xa9", 249,
                                        "\",\"StringValue\":\"v\"}}");
  send_with_attrs(q, "x", attrs, AEV_OK);
  free(attrs);
  attrs = aev_test_repeat_between("{\"a\":{\"DataType\":\"String.", "\xc3\xa9", 250,
                                  "\",\"StringValue\":\"v\"}}");
  send_attrs_fails(q, attrs,
                   "The type of message (user) attribute 'a' is invalid. You must use only "
                   "the following supported type prefixes: Binary, Number, String.");
  free(attrs);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_attributes(o, "{\"a\":{\"DataType\":\"String.\\u0001\",\"StringValue\":\"v\"}}");
  qt_assert_error(aev_queue_send(q, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  aev_send_options_free(o);
  aev_message *m = qt_recv1(q);
  char *json = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(json, "\"DataType\":\"String.\xc3\xa9")); /* the type whole: 7 + 498 bytes */
  ck_assert_uint_eq(strlen(json), 505 + 39);
  aev_free(json);
  aev_message_free(m);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  aev_queue_release(q);
}
END_TEST

START_TEST(body_and_size_validation) {
  aev_queue *q = qt_queue(b, "q", "{\"MaximumMessageSize\":\"1024\"}");
  qt_assert_error(aev_queue_send(q, "", 0, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "MissingParameter", "The request must contain the parameter MessageBody.");
  qt_assert_error(aev_queue_send(q, "a\x01", 2, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidMessageContents", NULL);
  qt_assert_error(aev_queue_send(q, "\xff", 1, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidMessageContents", NULL);
  ck_assert_int_eq(aev_queue_send(q, "h\xc3\xa9llo \xf0\x9f\x98\x80\t\n", 13, NULL, NULL, NULL), AEV_OK);
  /* Malformed UTF-8 and the code points SQS leaves out: an overlong form,
   * a surrogate, U+FFFE, past U+10FFFF, a sequence cut at the end. */
  static const char *const refused[] = {"\xc0\xaf", "\xed\xa0\x80", "\xef\xbf\xbe",
                                        "\xf4\x90\x80\x80", "ok \xe2\x82"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    qt_assert_error(aev_queue_send(q, refused[i], strlen(refused[i]), NULL, NULL, NULL),
                    AEV_ERR_INVALID, "InvalidMessageContents", NULL);
  ck_assert_int_eq(aev_queue_send(q, "\xf4\x8f\xbf\xbf \xee\x80\x80", 8, NULL, NULL, NULL), AEV_OK);
  /* Long bodies are scanned 16 and 8 bytes at a time: a bad byte at any
   * offset of a block, or past the last whole block, is still found. */
  char scan[40];
  for (size_t at = 0; at < sizeof scan; at++) {
    memset(scan, 'a', sizeof scan);
    scan[at] = '\x1f';
    qt_assert_error(aev_queue_send(q, scan, sizeof scan, NULL, NULL, NULL), AEV_ERR_INVALID,
                    "InvalidMessageContents", NULL);
    scan[at] = '\x7f'; /* DEL is allowed (#x20 to #xD7FF) */
    ck_assert_int_eq(aev_queue_send(q, scan, sizeof scan, NULL, NULL, NULL), AEV_OK);
  }
  memcpy(scan + 17, "\xe2\x82\xac", 3); /* a valid multi-byte character inside a block */
  ck_assert_int_eq(aev_queue_send(q, scan, sizeof scan, NULL, NULL, NULL), AEV_OK);
  scan[18] = 'a'; /* now a truncated sequence */
  qt_assert_error(aev_queue_send(q, scan, sizeof scan, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidMessageContents", NULL);
  char big[1025];
  memset(big, 'a', sizeof big);
  qt_assert_error(aev_queue_send(q, big, 1025, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "One or more parameters are invalid. Reason: Message must be "
                  "shorter than 1024 bytes.");
  ck_assert_int_eq(aev_queue_send(q, big, 1024, NULL, NULL, NULL), AEV_OK);
  aev_queue_release(q);
}
END_TEST

START_TEST(receive_validation) {
  aev_queue *q = qt_queue(b, "q", NULL);
  aev_message *m[10];
  size_t n;
  qt_assert_error(aev_queue_receive(q, 11, 0, NULL, m, &n), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value 11 for parameter MaxNumberOfMessages is invalid. "
                  "Reason: Must be between 1 and 10, if provided.");
  qt_assert_error(aev_queue_receive(q, 0, 0, NULL, m, &n), AEV_ERR_INVALID,
                  "InvalidParameterValue", NULL);
  qt_assert_error(aev_queue_receive(q, 1, 21000, NULL, m, &n), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value 21 for parameter WaitTimeSeconds is invalid. Reason: "
                  "Must be >= 0 and <= 20, if provided.");
  /* A wait just over 20 s is named as it was given, not cut to a valid 20. */
  qt_assert_error(aev_queue_receive(q, 1, 20001, NULL, m, &n), AEV_ERR_INVALID,
                  "InvalidParameterValue",
                  "Value 20.001 for parameter WaitTimeSeconds is invalid. Reason: "
                  "Must be >= 0 and <= 20, if provided.");
  /* Under the manual clock a long poll returns at once. */
  ck_assert_int_eq(aev_queue_receive(q, 1, 20000, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  aev_queue_release(q);
}
END_TEST

START_TEST(receipt_handles) {
  aev_queue *q = qt_queue(b, "q", NULL), *other = qt_queue(b, "other", NULL);
  qt_assert_error(aev_queue_delete_message(q, "garbage"), AEV_ERR_INVALID,
                  "ReceiptHandleIsInvalid",
                  "The input receipt handle \"garbage\" is not a valid receipt handle.");
  qt_assert_error(aev_queue_change_visibility(q, "garbage", 1), AEV_ERR_INVALID,
                  "ReceiptHandleIsInvalid", NULL);
  qt_assert_error(aev_queue_delete_message(q, ""), AEV_ERR_INVALID,
                  "MissingParameter", NULL);
  qt_send(q, "a");
  aev_message *m = qt_recv1(q);
  /* Another queue's handle is not a handle of this one. */
  qt_assert_error(aev_queue_delete_message(other, aev_message_receipt_handle(m)),
                  AEV_ERR_INVALID, "ReceiptHandleIsInvalid", NULL);
  qt_assert_error(aev_queue_change_visibility(q, aev_message_receipt_handle(m), 43201),
                  AEV_ERR_INVALID, "InvalidParameterValue", NULL);
  /* A handle with any one character changed is garbage, not a stale handle:
   * a character outside its alphabet, or another digit (its check byte no
   * longer matches). */
  const char *h = aev_message_receipt_handle(m);
  for (size_t i = 0; i < strlen(h); i++) {
    char bad[64];
    snprintf(bad, sizeof bad, "%s", h);
    bad[i] = 'G';
    qt_assert_error(aev_queue_delete_message(q, bad), AEV_ERR_INVALID,
                    "ReceiptHandleIsInvalid", NULL);
    bad[i] = h[i] == '0' ? '1' : '0';
    qt_assert_error(aev_queue_delete_message(q, bad), AEV_ERR_INVALID,
                    "ReceiptHandleIsInvalid", NULL);
  }
  /* An expired (but newest) handle still deletes on a standard queue. */
  aev_broker_advance(b, 31000);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  ck_assert_ptr_null(qt_recv1(q));
  aev_message_free(m);
  aev_queue_release(other);
  aev_queue_release(q);
}
END_TEST

START_TEST(attributes_get_set) {
  aev_queue *q = qt_queue(b, "q", NULL);
  char *all;
  ck_assert_int_eq(aev_queue_get_attributes(q, NULL, &all), AEV_OK);
  ck_assert_ptr_nonnull(strstr(all, "\"VisibilityTimeout\":\"30\""));
  ck_assert_ptr_nonnull(strstr(all, "\"MessageRetentionPeriod\":\"345600\""));
  ck_assert_ptr_nonnull(strstr(all, "\"MaximumMessageSize\":\"1048576\""));
  ck_assert_ptr_nonnull(strstr(all, "\"SqsManagedSseEnabled\":\"true\""));
  ck_assert_ptr_nonnull(strstr(all, "\"CreatedTimestamp\":\"1704067200\""));
  ck_assert_ptr_null(strstr(all, "FifoQueue"));
  ck_assert_ptr_null(strstr(all, "RedrivePolicy"));
  aev_free(all);
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"VisibilityTimeout\":\"69\",\"DelaySeconds\":\"420\"}"), AEV_OK);
  qt_assert_attr(q, "VisibilityTimeout", "69");
  qt_assert_attr(q, "DelaySeconds", "420");
  qt_assert_error(aev_queue_set_attributes(q, "{\"FifoQueue\":\"true\"}"), AEV_ERR_INVALID,
                  "InvalidAttributeName", "Unknown Attribute FifoQueue.");
  qt_assert_error(aev_queue_set_attributes(q, "{\"MessageRetentionPeriod\":\"59\"}"),
                  AEV_ERR_INVALID, "InvalidAttributeValue", NULL);
  char *out;
  qt_assert_error(aev_queue_get_attributes(q, "[\"Nope\"]", &out), AEV_ERR_INVALID,
                  "InvalidAttributeName", "Unknown Attribute Nope.");
  aev_broker_advance(b, 5000);
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"KmsMasterKeyId\":\"k\"}"), AEV_OK);
  qt_assert_attr(q, "LastModifiedTimestamp", "1704067205");
  qt_assert_attr(q, "SqsManagedSseEnabled", "false");
  qt_assert_attr(q, "KmsDataKeyReusePeriodSeconds", "300");
  /* Both kinds of encryption in one request: refused, nothing changed. */
  const char *both = "{\"KmsMasterKeyId\":\"testKeyId\",\"SqsManagedSseEnabled\":\"true\"}";
  const char *sse_msg = "You can use one type of server-side encryption (SSE) at one time. "
                        "You can either enable KMS SSE or SQS SSE.";
  qt_assert_error(aev_queue_set_attributes(q, both), AEV_ERR_INVALID, "InvalidAttributeName",
                  sse_msg);
  qt_assert_attr(q, "KmsMasterKeyId", "k");
  aev_queue *made = NULL;
  qt_assert_error(aev_queue_create(b, "both", both, &made), AEV_ERR_INVALID,
                  "InvalidAttributeName", sse_msg);
  ck_assert_ptr_null(made);
  /* One at a time is accepted, and replaces the other kind. */
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"SqsManagedSseEnabled\":\"true\"}"), AEV_OK);
  qt_assert_attr(q, "SqsManagedSseEnabled", "true");
  char *key = qt_attr(q, "KmsMasterKeyId"), *reuse = qt_attr(q, "KmsDataKeyReusePeriodSeconds");
  ck_assert_ptr_null(key);
  ck_assert_ptr_null(reuse);
  aev_queue_release(q);
}
END_TEST

START_TEST(purge_once_per_minute) {
  aev_queue *q = qt_queue(b, "test-queue-1", NULL);
  qt_send(q, "a");
  aev_message *m = qt_recv1(q);
  qt_send(q, "b");
  ck_assert_int_eq(aev_queue_purge(q), AEV_OK);
  qt_assert_attr(q, "ApproximateNumberOfMessages", "0");
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "0");
  qt_assert_error(aev_queue_purge(q), AEV_ERR_THROTTLED, "PurgeQueueInProgress",
                  "Only one PurgeQueue operation on test-queue-1 is allowed "
                  "every 60 seconds.");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(aev_queue_purge(q), AEV_OK);
  aev_message_free(m);
  aev_queue_release(q);
}
END_TEST

START_TEST(deleted_queue_handle) {
  aev_queue *q = qt_queue(b, "q", NULL);
  qt_send(q, "a");
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  qt_assert_error(aev_queue_send(q, "a", 1, NULL, NULL, NULL), AEV_ERR_NOT_FOUND,
                  "QueueDoesNotExist", "The specified queue does not exist.");
  aev_message *m[1];
  size_t n;
  qt_assert_error(aev_queue_receive(q, 1, 0, NULL, m, &n), AEV_ERR_NOT_FOUND,
                  "QueueDoesNotExist", NULL);
  qt_assert_error(aev_queue_delete(q), AEV_ERR_NOT_FOUND, "QueueDoesNotExist", NULL);
  aev_queue *g;
  qt_assert_error(aev_queue_get(b, "q", &g), AEV_ERR_NOT_FOUND, "QueueDoesNotExist", NULL);
  aev_queue_release(q);
  aev_queue_release(NULL);
}
END_TEST

START_TEST(name_reusable_60_s_after_delete) {
  aev_queue *q = qt_queue(b, "q", NULL), *again;
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  aev_queue_release(q);
  const char *msg = "You must wait 60 seconds after deleting a queue before "
                    "you can create another with the same name.";
  qt_assert_error(aev_queue_create(b, "q", NULL, &again), AEV_ERR_BUSY,
                  "QueueDeletedRecently", msg);
  aev_broker_advance(b, 59999);
  qt_assert_error(aev_queue_create(b, "q", NULL, &again), AEV_ERR_BUSY,
                  "QueueDeletedRecently", msg);
  /* Other names are free meanwhile. */
  again = qt_queue(b, "q2", NULL);
  aev_queue_release(again);
  aev_broker_advance(b, 1);
  again = qt_queue(b, "q", NULL);
  qt_assert_attr(again, "ApproximateNumberOfMessages", "0");
  aev_queue_release(again);
}
END_TEST

/* SQS refuses short polls once about 120,000 messages of a standard queue
 * are in flight; a long poll then simply returns nothing. */
START_TEST(over_limit_for_short_polls) {
  aev_queue *q = qt_queue(b, "q", NULL);
  aev_message *m[10];
  size_t n;
  for (int i = 0; i < 120001; i++) qt_send(q, "m");
  for (int i = 0; i < 12000; i++) {
    ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
    ck_assert_uint_eq(n, 10);
    for (size_t k = 0; k < n; k++) aev_message_free(m[k]);
  }
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "120000");
  qt_assert_error(aev_queue_receive(q, 1, 0, NULL, m, &n), AEV_ERR_LIMIT,
                  "OverLimit", NULL);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(aev_queue_receive(q, 1, 1000, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  /* Once visibility timeouts end, receives work again. */
  aev_broker_advance(b, 30000);
  ck_assert_int_eq(aev_queue_receive(q, 1, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  aev_message_free(m[0]);
  aev_queue_release(q);
}
END_TEST

START_TEST(tags_and_listing) {
  aev_queue *q[3] = {qt_queue(b, "a-1", NULL), qt_queue(b, "a-2", NULL),
                     qt_queue(b, "b-1", NULL)};
  ck_assert_int_eq(aev_queue_tag(q[0], "{\"team\":\"x\",\"env\":\"dev\"}"), AEV_OK);
  ck_assert_int_eq(aev_queue_untag(q[0], "[\"env\"]"), AEV_OK);
  char *s;
  ck_assert_int_eq(aev_queue_list_tags(q[0], &s), AEV_OK);
  ck_assert_str_eq(s, "{\"team\":\"x\"}");
  aev_free(s);
  ck_assert_int_eq(aev_queue_list(b, "a-", 0, NULL, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"QueueUrls\":[\"https://sqs.us-east-1.amazonaws.com/000000000000/a-1\",\"https://sqs.us-east-1.amazonaws.com/000000000000/a-2\"]}");
  aev_free(s);
  ck_assert_int_eq(aev_queue_list(b, NULL, 2, NULL, &s), AEV_OK);
  const char *tok = strstr(s, "\"NextToken\":\"");
  ck_assert_ptr_nonnull(tok);
  char token[64];
  sscanf(tok + 13, "%63[^\"]", token);
  aev_free(s);
  ck_assert_int_eq(aev_queue_list(b, NULL, 2, token, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"QueueUrls\":[\"https://sqs.us-east-1.amazonaws.com/000000000000/b-1\"]}");
  aev_free(s);
  ck_assert_int_eq(aev_queue_list(b, "zzz", 0, NULL, &s), AEV_OK);
  ck_assert_str_eq(s, "{}");
  aev_free(s);
  for (int i = 0; i < 3; i++) aev_queue_release(q[i]);
}
END_TEST

/* Tag keys hold 128 characters and values 256, counted in characters, not
 * UTF-8 bytes (SQS quotas related to queues); they come back unchanged. */
START_TEST(tag_lengths_count_characters) {
  aev_queue *q = qt_queue(b, "q", NULL);
  char key[129 * 3 + 1], value[257 * 4 + 1], tags[2048];
  aev_test_repeat(key, "\xe6\xbc\xa2", 128);
  aev_test_repeat(value, "\xf0\x9f\x98\x80", 256);
  snprintf(tags, sizeof tags, "{\"%s\":\"%s\"}", key, value);
  ck_assert_int_eq(aev_queue_tag(q, tags), AEV_OK);
  char *s;
  ck_assert_int_eq(aev_queue_list_tags(q, &s), AEV_OK);
  ck_assert_str_eq(s, tags);
  aev_free(s);
  const char *const limit = "Tag keys must be 1 to 128 characters and values at most 256 characters.";
  snprintf(tags, sizeof tags, "{\"%s\":\"v\"}", aev_test_repeat(key, "\xe6\xbc\xa2", 129));
  qt_assert_error(aev_queue_tag(q, tags), AEV_ERR_INVALID, "InvalidParameterValue", limit);
  snprintf(tags, sizeof tags, "{\"k\":\"%s\"}", aev_test_repeat(value, "\xf0\x9f\x98\x80", 257));
  qt_assert_error(aev_queue_tag(q, tags), AEV_ERR_INVALID, "InvalidParameterValue", limit);
  aev_queue_release(q);
}
END_TEST

/* Refused tags change nothing: not the queue's tags, and through
 * CreateQueue, not the set of queues. */
START_TEST(refused_tags_change_nothing) {
  aev_queue *q = qt_queue(b, "tagged", NULL);
  ck_assert_int_eq(aev_queue_tag(q, "{\"team\":\"x\"}"), AEV_OK);
  char key[200], many[2048] = "{";
  memset(key, 'k', 129);
  key[129] = 0;
  char bad[256];
  snprintf(bad, sizeof bad, "{\"ok\":\"1\",\"%s\":\"v\"}", key);
  const char *const refused[] = {bad, "{\"\":\"v\"}", "{\"n\":5}"};
  for (size_t i = 0; i < 3; i++)
    qt_assert_error(aev_queue_tag(q, refused[i]), AEV_ERR_INVALID, "InvalidParameterValue",
                    "Tag keys must be 1 to 128 characters and values at most 256 characters.");
  for (int i = 0; i < 50; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"t%d\":\"v\"", i ? "," : "", i);
  strcat(many, "}");
  qt_assert_error(aev_queue_tag(q, many), AEV_ERR_INVALID, "InvalidParameterValue",
                  "Too many tags added for queue tagged.");
  char *s;
  ck_assert_int_eq(aev_queue_list_tags(q, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"team\":\"x\"}");
  aev_free(s);
  aev_queue_release(q);

  char req[3072];
  snprintf(req, sizeof req, "{\"QueueName\":\"fresh\",\"tags\":%s}", bad);
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", req, &s), AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(s, "InvalidParameterValue"));
  aev_free(s);
  snprintf(req, sizeof req, "{\"QueueName\":\"fresh\",\"tags\":%.*s,\"t50\":\"v\"}}",
           (int)strlen(many) - 1, many);
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", req, &s), AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(s, "Too many tags added for queue fresh."));
  aev_free(s);
  qt_assert_error(aev_queue_get(b, "fresh", &q), AEV_ERR_NOT_FOUND, "QueueDoesNotExist", NULL);
  snprintf(req, sizeof req, "{\"QueueName\":\"fresh\",\"tags\":%s}", many);
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", req, &s), AEV_OK);
  aev_free(s);
  ck_assert_int_eq(aev_queue_get(b, "fresh", &q), AEV_OK);
  ck_assert_int_eq(aev_queue_list_tags(q, &s), AEV_OK);
  ck_assert_ptr_nonnull(strstr(s, "\"t49\":\"v\""));
  aev_free(s);
  aev_queue_release(q);
}
END_TEST

/* A NULL handle, array or out-pointer is refused as every typed call
 * refuses one, never dereferenced; optional NULLs stay optional. */
START_TEST(null_arguments_are_refused) {
  aev_queue *q = qt_queue(b, "nulls", NULL);
  qt_send(q, "kept");
  const char *ids[] = {"a"}, *handles[] = {"h"};
  const void *bodies[] = {"x"};
  size_t lens[] = {1}, n;
  int secs[] = {1};
  aev_message *m[1];
  aev_batch_result *r;
  char *json;
  const char *invalid = "InvalidParameterValue", *missing = "Missing argument.";
  qt_assert_error(aev_queue_send(NULL, "x", 1, NULL, NULL, NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_send(q, NULL, 5, NULL, NULL, NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_purge(NULL), AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_delete(NULL), AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_receive(q, 1, 0, NULL, NULL, &n), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_queue_receive(q, 1, 0, NULL, m, NULL), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_queue_send_batch(q, 1, NULL, bodies, lens, NULL, &r),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_send_batch(q, 1, ids, NULL, lens, NULL, &r),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_send_batch(q, 1, ids, bodies, NULL, NULL, &r),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_send_batch(q, 1, ids, bodies, lens, NULL, NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_delete_message_batch(q, 1, NULL, handles, &r),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_delete_message_batch(q, 1, ids, NULL, &r),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_change_visibility_batch(q, 1, ids, handles, secs,
                                                    NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_get_attributes(q, "[\"All\"]", NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_list_tags(q, NULL), AEV_ERR_INVALID, invalid,
                  missing);
  qt_assert_error(aev_queue_list(NULL, NULL, 0, NULL, &json), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_queue_list(b, NULL, 0, NULL, NULL), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_queue_start_move_task(NULL, "arn", NULL, 0, &json),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_start_move_task(b, aev_queue_arn(q), NULL, 0, NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_cancel_move_task(NULL, "h", NULL), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_queue_list_move_tasks(NULL, "arn", 0, &json),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_queue_list_move_tasks(b, aev_queue_arn(q), 0, NULL),
                  AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_send_options_new(NULL), AEV_ERR_INVALID, invalid, missing);
  qt_assert_error(aev_send_options_set_delay(NULL, 1), AEV_ERR_INVALID, invalid,
                  missing);
  qt_assert_error(aev_send_options_set_group_id(NULL, "g"), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_receive_options_new(NULL), AEV_ERR_INVALID, invalid,
                  missing);
  qt_assert_error(aev_receive_options_set_visibility(NULL, 1), AEV_ERR_INVALID,
                  invalid, missing);
  qt_assert_error(aev_receive_options_set_attempt_id(NULL, "a"),
                  AEV_ERR_INVALID, invalid, missing);
  /* NULL attribute names mean all of them, as the header says. */
  ck_assert_int_eq(aev_queue_get_attributes(q, NULL, &json), AEV_OK);
  aev_free(json);
  /* Nothing refused changed the queue: the one message is still there. */
  aev_message *got = qt_recv1(q);
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(qt_body(got), "kept");
  aev_message_free(got);
  aev_queue_release(q);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("queue_standard");
  TCase *t = tcase_create("standard");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, create_get_and_names);
  tcase_add_test(t, create_is_idempotent_unless_values_differ);
  tcase_add_test(t, name_rules);
  tcase_add_test(t, send_receive_delete_round_trip);
  tcase_add_test(t, oldest_first_and_max);
  tcase_add_test(t, visibility_expiry_and_extension);
  tcase_add_test(t, earlier_handle_changes_visibility);
  tcase_add_test(t, receive_visibility_override);
  tcase_add_test(t, visibility_timeouts_in_any_order);
  tcase_add_test(t, zero_visibility_returns_a_message_once_per_receive);
  tcase_add_test(t, delay_queue_and_message);
  tcase_add_test(t, retention_expiry);
  tcase_add_test(t, message_attributes_and_md5);
  tcase_add_test(t, attribute_name_filters);
  tcase_add_test(t, message_attribute_validation);
  tcase_add_test(t, non_ascii_attribute_names);
  tcase_add_test(t, string_values_take_body_characters);
  tcase_add_test(t, attribute_values_with_nul);
  tcase_add_test(t, queue_arguments_with_nul);
  tcase_add_test(t, custom_types_count_characters);
  tcase_add_test(t, body_and_size_validation);
  tcase_add_test(t, receive_validation);
  tcase_add_test(t, receipt_handles);
  tcase_add_test(t, attributes_get_set);
  tcase_add_test(t, purge_once_per_minute);
  tcase_add_test(t, deleted_queue_handle);
  tcase_add_test(t, null_arguments_are_refused);
  tcase_add_test(t, name_reusable_60_s_after_delete);
  tcase_add_test(t, over_limit_for_short_polls);
  tcase_add_test(t, tags_and_listing);
  tcase_add_test(t, refused_tags_change_nothing);
  tcase_add_test(t, tag_lengths_count_characters);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
