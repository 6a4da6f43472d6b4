/* Fan-out into queues: envelopes field by field against AWS's documented
 * notification, raw delivery with attributes mapped to SQS attributes,
 * MessageStructure=json, filter policies on attributes and on the body,
 * FIFO topics into FIFO and standard queues (order, deduplication), topic
 * counters, and Publish's validation errors. Raw fan-out shares one body
 * and one MD5; enveloped fan-out hashes each envelope (continuing from the
 * shared prefix), so every MD5OfBody is checked against its body. */
#include "aevtest.h"
#include "core/digest.h"
#include "topic_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static const char *str(json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

/* sns-sqs-as-subscriber.html / sns-message-and-json-formats.html: a
 * notification's fields, in AWS's order. */
START_TEST(envelope_matches_aws_example) {
  aev_topic *t = tt_topic(b, "MyTopic", NULL);
  aev_queue *q = qt_queue(b, "MyQueue", NULL);
  char *sub = tt_sub(t, q, NULL);
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_subject(o, "Testing publish to subscribed queues");
  aev_publish_options_set_attributes(o, "{\"store\":{\"DataType\":\"String\",\"StringValue\":\"example_corp\"},"
                                        "\"price\":{\"DataType\":\"Number\",\"StringValue\":\"100\"},"
                                        "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"SGk=\"},"
                                        "\"list\":{\"DataType\":\"String.Array\",\"StringValue\":\"[\\\"a\\\",1]\"}}");
  char id[AEV_TOPIC_MESSAGE_ID_SIZE], seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE];
  ck_assert_int_eq(aev_topic_publish(t, "Hello world!", 12, o, id, seq), AEV_OK);
  aev_publish_options_free(o);
  ck_assert_str_eq(seq, "");
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  /* Enveloped deliveries carry no SQS message attributes. */
  ck_assert_ptr_null(aev_message_md5_of_attributes(m));
  const char *body = qt_body(m);
  json_t *j = json_loads(body, JSON_PRESERVE_ORDER, NULL);
  static const char *const order[] = {"Type", "MessageId", "TopicArn", "Subject", "Message",
                                      "Timestamp", "SignatureVersion", "Signature",
                                      "SigningCertURL", "UnsubscribeURL", "MessageAttributes"};
  ck_assert_int_eq(json_object_size(j), 11);
  void *it = json_object_iter(j);
  for (size_t i = 0; i < 11; i++, it = json_object_iter_next(j, it))
    ck_assert_str_eq(json_object_iter_key(it), order[i]);
  ck_assert_str_eq(str(j, "Type"), "Notification");
  ck_assert_str_eq(str(j, "MessageId"), id);
  ck_assert_str_eq(str(j, "TopicArn"), "arn:aws:sns:us-east-1:000000000000:MyTopic");
  ck_assert_str_eq(str(j, "Subject"), "Testing publish to subscribed queues");
  ck_assert_str_eq(str(j, "Message"), "Hello world!");
  ck_assert_str_eq(str(j, "Timestamp"), "2024-01-01T00:00:00.000Z");
  ck_assert_str_eq(str(j, "SignatureVersion"), "1");
  ck_assert_ptr_nonnull(strstr(str(j, "SigningCertURL"),
                               "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"));
  char url[512];
  snprintf(url, sizeof url, "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=%s", sub);
  ck_assert_str_eq(str(j, "UnsubscribeURL"), url);
  json_t *ma = json_object_get(j, "MessageAttributes");
  ck_assert_str_eq(str(json_object_get(ma, "store"), "Type"), "String");
  ck_assert_str_eq(str(json_object_get(ma, "store"), "Value"), "example_corp");
  ck_assert_str_eq(str(json_object_get(ma, "price"), "Type"), "Number");
  ck_assert_str_eq(str(json_object_get(ma, "blob"), "Type"), "Binary");
  ck_assert_str_eq(str(json_object_get(ma, "blob"), "Value"), "SGk=");
  ck_assert_str_eq(str(json_object_get(ma, "list"), "Type"), "String.Array");
  ck_assert_str_eq(str(json_object_get(ma, "list"), "Value"), "[\"a\",1]");
  json_decref(j);
  aev_message_free(m);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

/* Messages, subjects and attribute values are escaped into the envelope's
 * JSON and come back unchanged. */
START_TEST(envelope_escapes_text) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *sub = tt_sub(t, q, NULL);
  const char *msg = "quote \" backslash \\ newline \n tab \t bell \a caf\xc3\xa9 {\"k\":1}";
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_subject(o, "say \"hi\"");
  aev_publish_options_set_attributes(o, "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"x\\\"y\\\\z\"}}");
  ck_assert_int_eq(aev_topic_publish(t, msg, strlen(msg), o, NULL, NULL), AEV_OK);
  aev_publish_options_free(o);
  json_t *e = tt_envelope(q);
  ck_assert_str_eq(str(e, "Message"), msg);
  ck_assert_str_eq(str(e, "Subject"), "say \"hi\"");
  ck_assert_str_eq(str(json_object_get(json_object_get(e, "MessageAttributes"), "a"), "Value"),
                   "x\"y\\z");
  json_decref(e);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

/* A subject of count copies of the character c (its UTF-8 bytes), or
 * count - 1 of them and then tail. */
static char *subject_of(const char *c, size_t count, const char *tail) {
  size_t cl = strlen(c);
  char *s = malloc(count * cl + strlen(tail) + 1), *w = s;
  ck_assert_ptr_nonnull(s);
  for (size_t i = 0; i + (*tail != '\0') < count; i++, w += cl) memcpy(w, c, cl);
  strcpy(w, tail);
  return s;
}

/* Subjects are UTF-8 text under 100 characters, not bytes, without line
 * breaks or control characters (SNS API reference, Publish); they reach
 * the envelope unchanged, and a refused one delivers nothing. */
START_TEST(subject_is_utf8_under_100_characters) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *sub = tt_sub(t, q, NULL);
  aev_publish_options *o;
  aev_publish_options_new(&o);
  char *longest = subject_of("\xc3\xa9", 99, "\xf0\x9f\x98\x80"); /* 200 bytes */
  const char *accepted[] = {"caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80", longest};
  for (size_t i = 0; i < 2; i++) {
    aev_publish_options_set_subject(o, accepted[i]);
    ck_assert_int_eq(aev_topic_publish(t, "m", 1, o, NULL, NULL), AEV_OK);
    json_t *e = tt_envelope(q);
    ck_assert_str_eq(str(e, "Subject"), accepted[i]);
    json_decref(e);
  }
  free(longest);
  char *too_long = subject_of("\xc3\xa9", 100, "");
  const char *refused[] = {too_long, "tab\there", "next\xc2\x85line", "del\x7f", "bad \xc3"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    aev_publish_options_set_subject(o, refused[i]);
    tt_assert_error(aev_topic_publish(t, "m", 1, o, NULL, NULL), AEV_ERR_INVALID,
                    "InvalidParameter", "Invalid parameter: Subject");
  }
  free(too_long);
  ck_assert_int_eq(tt_depth(q), 0);
  aev_publish_options_free(o);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

/* Messages are UTF-8 text: malformed bytes (only the C API can pass them)
 * are refused at the publish, which then delivers nothing, rather than
 * failing every delivery later; 2-, 3- and 4-byte characters reach raw
 * and enveloped subscribers unchanged. */
START_TEST(message_must_be_utf8) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *raw = qt_queue(b, "raw", NULL), *env = qt_queue(b, "env", NULL);
  char *s1 = tt_sub(t, raw, "{\"RawMessageDelivery\":\"true\"}"), *s2 = tt_sub(t, env, NULL);
  static const char *const bad[] = {"bad \xff", "cut \xe6\xbc", "surrogate \xed\xa0\x80",
                                    "overlong \xc0\xaf"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    tt_assert_error(aev_topic_publish(t, bad[i], strlen(bad[i]), NULL, NULL, NULL),
                    AEV_ERR_INVALID, "InvalidParameter",
                    "Invalid parameter: Message Reason: Message must be UTF-8 encoded text.");
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 0);
  ck_assert_int_eq(tt_depth(raw) + tt_depth(env), 0);
  const char *text = "caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x98\x80";
  ck_assert_int_eq(aev_topic_publish(t, text, strlen(text), NULL, NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(raw);
  ck_assert_str_eq(qt_body(m), text);
  aev_message_free(m);
  json_t *e = tt_envelope(env);
  ck_assert_str_eq(str(e, "Message"), text);
  json_decref(e);
  aev_free(s1);
  aev_free(s2);
  aev_queue_release(raw);
  aev_queue_release(env);
  aev_topic_release(t);
}
END_TEST

START_TEST(raw_delivery_maps_attributes) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *sub = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  tt_publish(t, "Hello world!", "{\"store\":{\"DataType\":\"String\",\"StringValue\":\"example_corp\"},"
                                "\"blob\":{\"DataType\":\"Binary\",\"BinaryValue\":\"SGk=\"}}");
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "Hello world!");
  char *a = aev_message_attributes_json(m);
  json_t *j = json_loads(a, 0, NULL);
  ck_assert_str_eq(str(json_object_get(j, "store"), "DataType"), "String");
  ck_assert_str_eq(str(json_object_get(j, "store"), "StringValue"), "example_corp");
  ck_assert_str_eq(str(json_object_get(j, "blob"), "DataType"), "Binary");
  ck_assert_str_eq(str(json_object_get(j, "blob"), "BinaryValue"), "SGk=");
  json_decref(j);
  aev_free(a);
  ck_assert_ptr_nonnull(aev_message_md5_of_attributes(m));
  aev_message_free(m);
  /* The same notification switched back to the envelope. */
  ck_assert_int_eq(aev_subscription_set_attribute(b, sub, "RawMessageDelivery", "false"), AEV_OK);
  tt_publish(t, "again", NULL);
  json_t *e = tt_envelope(q);
  ck_assert_str_eq(str(e, "Message"), "again");
  json_decref(e);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

/* Publish options check and pack their attributes once, when set: every
 * publish that reuses them delivers the same attributes, with the MD5 that
 * SendMessage gives the same attributes. */
START_TEST(reused_options_deliver_the_same_attributes) {
  static const char attrs[] = "{\"store\":{\"DataType\":\"String\",\"StringValue\":\"corp\"},"
                              "\"n\":{\"DataType\":\"Number\",\"StringValue\":\"12\"}}";
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL), *direct = qt_queue(b, "direct", NULL);
  char *sub = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  aev_send_options *so;
  ck_assert_int_eq(aev_send_options_new(&so), AEV_OK);
  ck_assert_int_eq(aev_send_options_set_attributes(so, attrs), AEV_OK);
  ck_assert_int_eq(aev_queue_send(direct, "x", 1, so, NULL, NULL), AEV_OK);
  aev_send_options_free(so);
  aev_message *d = qt_recv1(direct);
  aev_publish_options *o;
  ck_assert_int_eq(aev_publish_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_publish_options_set_attributes(o, attrs), AEV_OK);
  for (int i = 0; i < 2; i++) {
    ck_assert_int_eq(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_OK);
    aev_message *m = qt_recv1(q);
    ck_assert_str_eq(aev_message_md5_of_attributes(m), aev_message_md5_of_attributes(d));
    char *a = aev_message_attributes_json(m);
    json_t *j = json_loads(a, 0, NULL);
    ck_assert_str_eq(str(json_object_get(j, "n"), "StringValue"), "12");
    ck_assert_str_eq(str(json_object_get(j, "store"), "StringValue"), "corp");
    json_decref(j);
    aev_free(a);
    aev_message_free(m);
  }
  /* Attributes set again replace the packed ones. */
  ck_assert_int_eq(aev_publish_options_set_attributes(o, "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}"), AEV_OK);
  ck_assert_int_eq(aev_topic_publish(t, "y", 1, o, NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(q);
  char *a = aev_message_attributes_json(m);
  json_t *j = json_loads(a, 0, NULL);
  ck_assert_int_eq((int)json_object_size(j), 1);
  ck_assert_str_eq(str(json_object_get(j, "k"), "StringValue"), "v");
  ck_assert_str_ne(aev_message_md5_of_attributes(m), aev_message_md5_of_attributes(d));
  json_decref(j);
  aev_free(a);
  aev_message_free(m);
  aev_message_free(d);
  aev_publish_options_free(o);
  aev_free(sub);
  aev_queue_release(direct);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

START_TEST(message_structure_json) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *sub = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_structure_json(o, 1);
  const char *msg = "{\"default\":\"dflt\",\"sqs\":\"for queues\",\"http\":\"for web\"}";
  ck_assert_int_eq(aev_topic_publish(t, msg, strlen(msg), o, NULL, NULL), AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "for queues");
  aev_message_free(m);
  tt_assert_error(aev_topic_publish(t, "{\"sqs\":\"x\"}", 11, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: Message Structure - No default entry in JSON message body");
  tt_assert_error(aev_topic_publish(t, "not json", 8, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: Message Structure - JSON message body failed to parse");
  aev_publish_options_free(o);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

/* Receives one message from q, checks its MD5OfBody against its body and
 * returns the body (free it). */
static char *recv_checked(aev_queue *q) {
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  size_t len;
  const char *body = aev_message_body(m, &len);
  char md5[33];
  aev__md5_hex(body, len, md5);
  ck_assert_str_eq(aev_message_md5_of_body(m), md5);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  char *copy = strdup(body);
  aev_message_free(m);
  return copy;
}

/* The body of the next message received from q (it stays in flight). */
static char *recv_body(aev_queue *q) {
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  char *body = strdup(qt_body(m));
  aev_message_free(m);
  return body;
}

static void assert_recv(aev_queue *q, const char *want) {
  char *body = recv_body(q);
  ck_assert_str_eq(body, want);
  free(body);
}

/* A raw fan-out's messages wait in a standard queue in a compact form until
 * their first receive; they behave as sent ones: counted, oldest first
 * beside direct sends, expired, purged, delayed by the queue. */
START_TEST(fan_out_messages_behave_as_sent_ones) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", "{\"MessageRetentionPeriod\":\"3600\"}");
  aev_queue *d = qt_queue(b, "delayed", "{\"DelaySeconds\":\"5\"}");
  char *sq = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  char *sd = tt_sub(t, d, "{\"RawMessageDelivery\":\"true\"}");
  tt_publish(t, "a", NULL);
  tt_publish(t, "b", NULL);
  qt_send(q, "c");
  tt_publish(t, "d", NULL);
  ck_assert_int_eq(tt_depth(q), 4);
  assert_recv(q, "a");
  assert_recv(q, "b");
  assert_recv(q, "c");
  assert_recv(q, "d");
  ck_assert_int_eq(tt_depth(q), 0);
  qt_assert_attr(q, "ApproximateNumberOfMessagesNotVisible", "4");
  ck_assert_int_eq(aev_queue_purge(q), AEV_OK);
  /* The queue's delay holds fan-out messages back too. */
  qt_assert_attr(d, "ApproximateNumberOfMessagesDelayed", "3");
  ck_assert_ptr_null(qt_recv1(d));
  ck_assert_int_eq(aev_broker_advance(b, 5000), AEV_OK);
  assert_recv(d, "a");
  /* Retention ends for them as for any message, also when it was shortened
   * after they arrived. */
  tt_publish(t, "long", NULL);
  ck_assert_int_eq(aev_queue_set_attributes(q, "{\"MessageRetentionPeriod\":\"60\"}"), AEV_OK);
  tt_publish(t, "short", NULL);
  ck_assert_int_eq(tt_depth(q), 2);
  ck_assert_int_eq(aev_broker_advance(b, 61000), AEV_OK);
  ck_assert_int_eq(tt_depth(q), 1);
  assert_recv(q, "long");
  tt_publish(t, "gone", NULL);
  ck_assert_int_eq(aev_broker_advance(b, 61000), AEV_OK);
  /* "long" is back from flight; "gone" has expired. */
  ck_assert_int_eq(tt_depth(q), 1);
  assert_recv(q, "long");
  ck_assert_ptr_null(qt_recv1(q));
  aev_free(sq);
  aev_free(sd);
  aev_queue_release(q);
  aev_queue_release(d);
  aev_topic_release(t);
}
END_TEST

START_TEST(fan_out_bodies_and_md5s) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q[4];
  char *subs[4];
  for (int k = 0; k < 4; k++) {
    char name[8];
    snprintf(name, sizeof name, "q%d", k);
    q[k] = qt_queue(b, name, NULL);
    subs[k] = tt_sub(t, q[k], k < 2 ? "{\"RawMessageDelivery\":\"true\"}" : NULL);
  }
  /* Every message length from 1 to 150 moves the envelope's end across
   * MD5's 64-byte blocks. */
  char msg[151];
  for (size_t len = 1; len <= 150; len++) {
    for (size_t i = 0; i < len; i++) msg[i] = (char)('a' + (i + len) % 26);
    msg[len] = '\0';
    tt_publish(t, msg, NULL);
    for (int k = 0; k < 4; k++) {
      char *body = recv_checked(q[k]);
      if (k < 2) {
        ck_assert_str_eq(body, msg);
      } else {
        json_t *e = json_loads(body, 0, NULL);
        ck_assert_str_eq(str(e, "Message"), msg);
        ck_assert_ptr_nonnull(strstr(str(e, "UnsubscribeURL"), subs[k]));
        json_decref(e);
      }
      free(body);
    }
  }
  /* MessageStructure=json: the sqs entry, enveloped and raw. */
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_structure_json(o, 1);
  const char *js = "{\"default\":\"dflt\",\"sqs\":\"for queues, long enough to fill a block of its own\"}";
  ck_assert_int_eq(aev_topic_publish(t, js, strlen(js), o, NULL, NULL), AEV_OK);
  aev_publish_options_free(o);
  for (int k = 0; k < 4; k++) {
    char *body = recv_checked(q[k]);
    ck_assert_ptr_nonnull(strstr(body, "for queues, long enough"));
    free(body);
  }
  /* U+FFFE is no character SQS accepts: every delivery fails, raw or
   * enveloped, and no queue gets anything. */
  int64_t failed = tt_counter(t, "NumberOfNotificationsFailed");
  tt_publish(t, "bad \xef\xbf\xbe", NULL);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), failed + 4);
  for (int k = 0; k < 4; k++) ck_assert_int_eq(tt_depth(q[k]), 0);
  /* The same character in an attribute lands in the envelope's tail, after
   * the shared prefix: the enveloped deliveries fail too. */
  failed = tt_counter(t, "NumberOfNotificationsFailed");
  tt_publish(t, "fine", "{\"a\":{\"DataType\":\"String\",\"StringValue\":\"bad \xef\xbf\xbe\"}}");
  ck_assert_int_ge(tt_counter(t, "NumberOfNotificationsFailed"), failed + 2);
  ck_assert_int_eq(tt_depth(q[2]), 0);
  ck_assert_int_eq(tt_depth(q[3]), 0);
  for (int k = 0; k < 4; k++) {
    aev_free(subs[k]);
    aev_queue_release(q[k]);
  }
  aev_topic_release(t);
}
END_TEST

START_TEST(filter_policies_fan_out) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *all = qt_queue(b, "all", NULL), *red = qt_queue(b, "red", NULL),
            *big = qt_queue(b, "big", NULL), *body = qt_queue(b, "body", NULL);
  char *s1 = tt_sub(t, all, "{\"RawMessageDelivery\":\"true\"}");
  char *s2 = tt_sub(t, red, "{\"RawMessageDelivery\":\"true\",\"FilterPolicy\":\"{\\\"color\\\":[\\\"red\\\"]}\"}");
  char *s3 = tt_sub(t, big, "{\"RawMessageDelivery\":\"true\",\"FilterPolicy\":\"{\\\"size\\\":[{\\\"numeric\\\":[\\\">\\\",10]}]}\"}");
  char *s4 = tt_sub(t, body, "{\"RawMessageDelivery\":\"true\",\"FilterPolicyScope\":\"MessageBody\","
                             "\"FilterPolicy\":\"{\\\"order\\\":{\\\"kind\\\":[{\\\"prefix\\\":\\\"pri\\\"}]}}\"}");
  tt_publish(t, "{\"order\":{\"kind\":\"priority\"}}",
             "{\"color\":{\"DataType\":\"String\",\"StringValue\":\"red\"},"
             "\"size\":{\"DataType\":\"Number\",\"StringValue\":\"5\"}}");
  tt_publish(t, "{\"order\":{\"kind\":\"bulk\"}}",
             "{\"color\":{\"DataType\":\"String.Array\",\"StringValue\":\"[\\\"blue\\\",\\\"red\\\"]\"},"
             "\"size\":{\"DataType\":\"Number\",\"StringValue\":\"50\"}}");
  tt_publish(t, "plain text", NULL);
  ck_assert_int_eq(tt_depth(all), 3);
  ck_assert_int_eq(tt_depth(red), 2);
  ck_assert_int_eq(tt_depth(big), 1);
  ck_assert_int_eq(tt_depth(body), 1);
  aev_message *m = qt_recv1(body);
  ck_assert_str_eq(qt_body(m), "{\"order\":{\"kind\":\"priority\"}}");
  aev_message_free(m);
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 3);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 7);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFilteredOut"), 5);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFilteredOut-NoMessageAttributes"), 2);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFilteredOut-MessageAttributes"), 1);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFilteredOut-MessageBody"), 2);
  /* Removing the policy lets everything through again. */
  ck_assert_int_eq(aev_subscription_set_attribute(b, s3, "FilterPolicy", ""), AEV_OK);
  tt_publish(t, "x", NULL);
  ck_assert_int_eq(tt_depth(big), 2);
  char *a;
  ck_assert_int_eq(aev_subscription_get_attributes(b, s3, &a), AEV_OK);
  ck_assert_ptr_null(strstr(a, "FilterPolicy"));
  aev_free(a);
  ck_assert_int_eq(aev_subscription_get_attributes(b, s4, &a), AEV_OK);
  ck_assert_ptr_nonnull(strstr(a, "\"FilterPolicyScope\":\"MessageBody\""));
  aev_free(a);
  aev_free(s1);
  aev_free(s2);
  aev_free(s3);
  aev_free(s4);
  aev_queue_release(all);
  aev_queue_release(red);
  aev_queue_release(big);
  aev_queue_release(body);
  aev_topic_release(t);
}
END_TEST

static void fifo_publish(aev_topic *t, const char *msg, const char *group,
                         const char *dedup, char *id, char *seq) {
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_group_id(o, group);
  if (dedup) aev_publish_options_set_deduplication_id(o, dedup);
  int rc = aev_topic_publish(t, msg, strlen(msg), o, id, seq);
  ck_assert_msg(rc == AEV_OK, "%s %s", aev_errcode(), aev_errmsg());
  aev_publish_options_free(o);
}

START_TEST(fifo_topic_orders_and_deduplicates) {
  aev_topic *t = tt_topic(b, "t.fifo", "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  aev_queue *q1 = qt_queue(b, "a.fifo", "{\"FifoQueue\":\"true\"}");
  aev_queue *q2 = qt_queue(b, "b.fifo", "{\"FifoQueue\":\"true\"}");
  aev_queue *std = qt_queue(b, "std", NULL);
  char *s1 = tt_sub(t, q1, "{\"RawMessageDelivery\":\"true\"}");
  char *s2 = tt_sub(t, q2, NULL);
  char *s3 = tt_sub(t, std, "{\"RawMessageDelivery\":\"true\"}");
  char last_seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE] = "";
  char first_id[AEV_TOPIC_MESSAGE_ID_SIZE];
  for (int i = 0; i < 20; i++) {
    char msg[32], id[AEV_TOPIC_MESSAGE_ID_SIZE], seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE];
    snprintf(msg, sizeof msg, "m%02d", i);
    fifo_publish(t, msg, i % 2 ? "odd" : "even", NULL, id, seq);
    ck_assert_int_eq((int)strlen(seq), 20);
    ck_assert_int_gt(strcmp(seq, last_seq), 0);
    strcpy(last_seq, seq);
    if (i == 0) strcpy(first_id, id);
  }
  /* Content-based duplicate within 5 minutes: the first id, no delivery. */
  char id[AEV_TOPIC_MESSAGE_ID_SIZE], seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE];
  fifo_publish(t, "m00", "even", NULL, id, seq);
  ck_assert_str_eq(id, first_id);
  /* FIFO topics fan out on their lane: nothing before the drain. */
  ck_assert_int_eq(tt_depth(q1), 0);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(tt_depth(q1), 20);
  ck_assert_int_eq(tt_depth(std), 20);
  int next[2] = {0, 1};
  for (int k = 0; k < 20; k++) {
    aev_message *m = qt_recv1(q1);
    ck_assert_ptr_nonnull(m);
    int n = atoi(qt_body(m) + 1);
    const char *g = aev_message_system_attribute(m, "MessageGroupId");
    ck_assert_str_eq(g, n % 2 ? "odd" : "even");
    ck_assert_int_eq(n, next[n % 2]);
    next[n % 2] += 2;
    char sha[65];
    ck_assert_ptr_nonnull(aev_message_system_attribute(m, "MessageDeduplicationId"));
    strcpy(sha, aev_message_system_attribute(m, "MessageDeduplicationId"));
    ck_assert_int_eq((int)strlen(sha), 64);
    ck_assert_int_eq(aev_queue_delete_message(q1, aev_message_receipt_handle(m)), AEV_OK);
    aev_message_free(m);
  }
  /* The FIFO envelope: SequenceNumber, no Signature fields. */
  json_t *e = tt_envelope(q2);
  ck_assert_str_eq(str(e, "Message"), "m00");
  ck_assert_int_eq((int)strlen(str(e, "SequenceNumber")), 20);
  ck_assert_ptr_null(json_object_get(e, "Signature"));
  ck_assert_ptr_null(json_object_get(e, "SigningCertURL"));
  ck_assert_ptr_null(json_object_get(e, "SignatureVersion"));
  json_decref(e);
  /* A standard queue behind a FIFO topic gets no group. */
  aev_message *m = qt_recv1(std);
  ck_assert_ptr_null(aev_message_system_attribute(m, "MessageGroupId"));
  aev_message_free(m);
  /* After the window the same content is new again. */
  ck_assert_int_eq(aev_broker_advance(b, 5 * 60 * 1000 + 1), AEV_OK);
  fifo_publish(t, "m00", "even", NULL, id, seq);
  ck_assert_str_ne(id, first_id);
  aev_free(s1);
  aev_free(s2);
  aev_free(s3);
  aev_queue_release(q1);
  aev_queue_release(q2);
  aev_queue_release(std);
  aev_topic_release(t);
}
END_TEST

/* A standard topic takes a MessageGroupId, checked as a FIFO topic's, and
 * hands it to its SQS standard subscriptions' fair queues (AWS's Publish
 * reference; recorded against AWS: test_publish_message_group_id). */
START_TEST(standard_topic_groups_feed_fair_queues) {
  aev_topic *t = tt_topic(b, "t", NULL);
  /* Enveloped and raw: a raw one also takes the group (not the plain
   * shared-body sends, which carry none). */
  aev_queue *q = qt_queue(b, "fair", NULL), *raw = qt_queue(b, "fair-raw", NULL);
  char *s = tt_sub(t, q, NULL), *sr = tt_sub(t, raw, "{\"RawMessageDelivery\":\"true\"}");
  aev_publish_options *o;
  ck_assert_int_eq(aev_publish_options_new(&o), AEV_OK);
  aev_publish_options_set_group_id(o, "tenant-1");
  ck_assert_int_eq(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  aev_queue *both[] = {q, raw};
  for (int i = 0; i < 2; i++) {
    aev_message *m = qt_recv1(both[i]);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(aev_message_system_attribute(m, "MessageGroupId"), "tenant-1");
    ck_assert_ptr_null(aev_message_system_attribute(m, "MessageDeduplicationId"));
    aev_message_free(m);
  }
  aev_publish_options_set_group_id(o, "no spaces");
  tt_assert_error(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: MessageGroupId Reason: MessageGroupId can only include alphanumeric "
                  "and punctuation characters. 1 to 128 in length.");
  aev_publish_options_free(o);
  aev_free(s);
  aev_free(sr);
  aev_queue_release(raw);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

START_TEST(publish_validation) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_topic *f = tt_topic(b, "f.fifo", "{\"FifoTopic\":\"true\"}");
  tt_assert_error(aev_topic_publish(t, "", 0, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Empty message");
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_subject(o, "line\nbreak");
  tt_assert_error(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Subject");
  aev_publish_options_set_subject(o, NULL);
  size_t big = 262145;
  char *msg = malloc(big);
  ck_assert_ptr_nonnull(msg);
  memset(msg, 'a', big);
  tt_assert_error(aev_topic_publish(t, msg, big, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Message too long");
  ck_assert_int_eq(aev_topic_publish(t, msg, big - 1, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_topic_set_attribute(t, "MaximumMessageSize", "1048576"), AEV_OK);
  ck_assert_int_eq(aev_topic_publish(t, msg, big, NULL, NULL, NULL), AEV_OK);
  free(msg);
  tt_assert_error(aev_topic_publish(f, "x", 1, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  aev_publish_options_set_group_id(o, "g");
  tt_assert_error(aev_topic_publish(f, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: The topic should either have ContentBasedDeduplication "
                  "enabled or MessageDeduplicationId provided explicitly");
  aev_publish_options_set_group_id(o, NULL);
  aev_publish_options_set_deduplication_id(o, "d");
  tt_assert_error(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                  "MessageDeduplicationId parameter that is not valid for this topic type");
  aev_publish_options_set_deduplication_id(o, NULL);
  static const char *const bad[][2] = {
      {"{\"a\":{\"DataType\":\"String\",\"StringValue\":\"\"}}",
       "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."},
      {"{\"a\":{\"DataType\":\"String\",\"BinaryValue\":\"MTIz\"}}",
       "The message attribute 'a' with type 'String' must use field 'String'."},
      {"{\"a\":{\"DataType\":\"Binary\",\"StringValue\":\"1\"}}",
       "The message attribute 'a' with type 'Binary' must use field 'Binary'."},
      {"{\"a\":{\"DataType\":\"Bogus\",\"StringValue\":\"1\"}}",
       "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
      /* A dot with no custom suffix (recorded: test_message_attributes_prefixes). */
      {"{\"a\":{\"DataType\":\"String.\",\"StringValue\":\"1\"}}",
       "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
      {"{\"a^\":{\"DataType\":\"String\",\"StringValue\":\"1\"}}",
       "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."},
      {"{\".a\":{\"DataType\":\"String\",\"StringValue\":\"1\"}}",
       "Invalid message attribute name starting with character '.' was found."},
      {"{\"a.\":{\"DataType\":\"String\",\"StringValue\":\"1\"}}",
       "Invalid message attribute name ending with character '.' was found."},
      {"{\"a..b\":{\"DataType\":\"String\",\"StringValue\":\"1\"}}",
       "Message attribute name can not have successive '.' character."},
      {"{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"abc\"}}",
       "An invalid or out-of-range value 'abc' was supplied for the message attribute 'n' of type 'Number'."},
      /* Only decimal text: not what strtod also reads (spaces, inf, nan, hex). */
      {"{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"nan\"}}",
       "An invalid or out-of-range value 'nan' was supplied for the message attribute 'n' of type 'Number'."},
      {"{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"-inf\"}}",
       "An invalid or out-of-range value '-inf' was supplied for the message attribute 'n' of type 'Number'."},
      {"{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"0x1A\"}}",
       "An invalid or out-of-range value '0x1A' was supplied for the message attribute 'n' of type 'Number'."},
      {"{\"n\":{\"DataType\":\"Number\",\"StringValue\":\" 5\"}}",
       "An invalid or out-of-range value ' 5' was supplied for the message attribute 'n' of type 'Number'."},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    aev_publish_options_set_attributes(o, bad[i][0]);
    tt_assert_error(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                    "ParameterValueInvalid", bad[i][1]);
  }
  aev_publish_options_set_attributes(o, "{\"a\":{\"StringValue\":\"v\"}}");
  tt_assert_error(aev_topic_publish(t, "x", 1, o, NULL, NULL), AEV_ERR_INVALID,
                  "ValidationError",
                  "1 validation error detected: Value null at 'messageAttributes.a.member.dataType' "
                  "failed to satisfy constraint: Member must not be null");
  aev_publish_options_free(o);
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 2);
  aev_topic_release(f);
  aev_topic_release(t);
}
END_TEST

/* Publishes len bytes of 'a' with attrs; the status. */
static int publish_sized(aev_topic *t, size_t len, const char *attrs) {
  char *msg = malloc(len);
  ck_assert_ptr_nonnull(msg);
  memset(msg, 'a', len);
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_attributes(o, attrs);
  int rc = aev_topic_publish(t, msg, len, o, NULL, NULL);
  aev_publish_options_free(o);
  free(msg);
  return rc;
}

/* Attribute names hold up to 256 characters (AWS refuses 257); a character
 * outside [A-Za-z0-9_.-] is named by its code point, not its first UTF-8
 * byte; values count toward the 262,144 bytes as the bytes they stand for:
 * a Binary value's decoded bytes, a String's UTF-8 bytes. */
START_TEST(attribute_names_and_sizes_at_the_limit) {
  aev_topic *t = tt_topic(b, "t", NULL);
  char attrs[400] = "{\"";
  memset(attrs + 2, 'n', 256);
  strcpy(attrs + 258, "\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  ck_assert_int_eq(publish_sized(t, 1, attrs), AEV_OK);
  memset(attrs + 2, 'n', 257);
  strcpy(attrs + 259, "\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  tt_assert_error(publish_sized(t, 1, attrs), AEV_ERR_INVALID, "ParameterValueInvalid",
                  "Length of message attribute name must be less than 256 bytes.");
  static const char *const bad[][2] = {
      {"caf\xc3\xa9", "E9"}, {"\xe6\xbc\xa2", "6F22"}, {"a\xf0\x9f\x98\x80", "1F600"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char want[256];
    const char *msg = want;
    snprintf(attrs, sizeof attrs, "{\"%s\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}", bad[i][0]);
    snprintf(want, sizeof want, "Invalid non-alphanumeric character '#x%s' was found in the message "
             "attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
             bad[i][1]);
    tt_assert_error(publish_sized(t, 1, attrs), AEV_ERR_INVALID, "ParameterValueInvalid", msg);
  }
  /* "QQ==" is one byte: 262,136 + name 1 + type 6 + 1 = 262,144. */
  const char *binary = "{\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"QQ==\"}}";
  ck_assert_int_eq(publish_sized(t, 262136, binary), AEV_OK);
  tt_assert_error(publish_sized(t, 262137, binary), AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Message too long");
  /* A 3-byte character: 262,134 + 1 + 6 + 3. */
  const char *text = "{\"s\":{\"DataType\":\"String\",\"StringValue\":\"\xe6\xbc\xa2\"}}";
  ck_assert_int_eq(publish_sized(t, 262134, text), AEV_OK);
  tt_assert_error(publish_sized(t, 262135, text), AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Message too long");
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 3);
  aev_topic_release(t);
}
END_TEST

/* PublishBatch entries [{"Id":"a","Message":len1 x 'a',<attrs>},
 * {"Id":"b","Message":len2 x 'b'}] as JSON (malloc'd). */
static char *two_entries(size_t len1, const char *attrs, size_t len2) {
  char *s = malloc(len1 + len2 + strlen(attrs) + 128), *w = s;
  ck_assert_ptr_nonnull(s);
  w += sprintf(w, "[{\"Id\":\"a\",\"Message\":\"");
  memset(w, 'a', len1), w += len1;
  w += sprintf(w, "\"%s},{\"Id\":\"b\",\"Message\":\"", attrs);
  memset(w, 'b', len2), w += len2;
  strcpy(w, "\"}]");
  return s;
}

static int publish_two(aev_topic *t, size_t len1, const char *attrs, size_t len2) {
  char *entries = two_entries(len1, attrs, len2), *resp = NULL;
  int rc = aev_topic_publish_batch(t, entries, &resp);
  aev_free(resp);
  free(entries);
  return rc;
}

/* A batch's total counts every message's body and attributes, up to the
 * topic's MaximumMessageSize (PublishBatch API reference). */
START_TEST(batch_total_counts_attributes_and_topic_limit) {
  aev_topic *t = tt_topic(b, "t", NULL);
  /* 131,072 + attribute 1 + 6 + 2 bytes ("\xc3\xa9") + 131,063 = 262,144. */
  const char *attrs = ",\"MessageAttributes\":{\"n\":{\"DataType\":\"String\",\"StringValue\":\"\xc3\xa9\"}}";
  ck_assert_int_eq(publish_two(t, 131072, attrs, 131063), AEV_OK);
  tt_assert_error(publish_two(t, 131072, attrs, 131064), AEV_ERR_INVALID, "BatchRequestTooLong",
                  "The length of all the messages put together is more than the limit.");
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 2);
  aev_topic *big = tt_topic(b, "big", "{\"MaximumMessageSize\":\"1048576\"}");
  ck_assert_int_eq(publish_two(big, 200000, "", 200000), AEV_OK);
  ck_assert_int_eq(tt_counter(big, "NumberOfMessagesPublished"), 2);
  aev_topic_release(big);
  aev_topic_release(t);
}
END_TEST

START_TEST(publish_batch) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *sub = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  char *resp;
  ck_assert_int_eq(aev_topic_publish_batch(t, "[{\"Id\":\"1\",\"Message\":\"one\"},{\"Id\":\"2\",\"Message\":\"two\"}]", &resp), AEV_OK);
  json_t *j = json_loads(resp, 0, NULL);
  aev_free(resp);
  ck_assert_int_eq(json_array_size(json_object_get(j, "Successful")), 2);
  ck_assert_int_eq(json_array_size(json_object_get(j, "Failed")), 0);
  json_decref(j);
  ck_assert_int_eq(tt_depth(q), 2);
  tt_assert_error(aev_topic_publish_batch(t, "[]", &resp), AEV_ERR_INVALID,
                  "EmptyBatchRequest", "The batch request doesn't contain any entries.");
  tt_assert_error(aev_topic_publish_batch(t, "[{\"Id\":\"1\",\"Message\":\"a\"},{\"Id\":\"1\",\"Message\":\"b\"}]", &resp),
                  AEV_ERR_INVALID, "BatchEntryIdsNotDistinct",
                  "Two or more batch entries in the request have the same Id.");
  char many[2048] = "[";
  for (int i = 0; i < 11; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many), "%s{\"Id\":\"i%d\",\"Message\":\"m\"}", i ? "," : "", i);
  strcat(many, "]");
  tt_assert_error(aev_topic_publish_batch(t, many, &resp), AEV_ERR_INVALID,
                  "TooManyEntriesInBatchRequest",
                  "The batch request contains more entries than permissible.");
  tt_assert_error(aev_topic_publish_batch(t, "[{\"Id\":\"a b\",\"Message\":\"a\"}]", &resp),
                  AEV_ERR_INVALID, "InvalidBatchEntryId", NULL);
  /* One bad entry refuses the whole request: nothing is published. */
  tt_assert_error(aev_topic_publish_batch(t, "[{\"Id\":\"1\",\"Message\":\"ok\"},"
                                             "{\"Id\":\"2\",\"Message\":\"x\",\"MessageAttributes\":{\"a\":{\"StringValue\":\"v\"}}}]", &resp),
                  AEV_ERR_INVALID, "ValidationError",
                  "1 validation error detected: Value null at "
                  "'publishBatchRequestEntries.2.member.messageAttributes.a.member.dataType' "
                  "failed to satisfy constraint: Member must not be null");
  ck_assert_int_eq(tt_depth(q), 2);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

START_TEST(subscriptions_and_their_errors) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_topic *f = tt_topic(b, "f.fifo", "{\"FifoTopic\":\"true\"}");
  aev_queue *q = qt_queue(b, "q", NULL);
  aev_queue *fq = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  char *arn, *again;
  tt_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(fq), NULL, &arn), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
                  "subscribed to standard SNS topics");
  tt_assert_error(aev_topic_subscribe(t, "carrier-pigeon", "x", NULL, &arn), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
  tt_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"RawMessageDelivery\":\"wrongvalue\"}", &arn),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. "
                  "Must be true or false.");
  arn = tt_sub(t, q, "{\"RawMessageDelivery\":\"TrUe\"}");
  /* Again with the same values, the scope in effect, or attributes left
   * out: the same subscription (recorded: test_subscribe_idempotency). */
  static const char *const same[] = {"{\"RawMessageDelivery\":\"true\"}",
                                     "{\"RawMessageDelivery\":\"true\",\"FilterPolicyScope\":\"MessageAttributes\"}",
                                     "{\"FilterPolicyScope\":\"MessageAttributes\"}", "{}"};
  for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
    again = tt_sub(t, q, same[i]);
    ck_assert_str_eq(arn, again);
    aev_free(again);
  }
  tt_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"FilterPolicyScope\":\"MessageBody\"}", &again),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Attributes Reason: Subscription already exists with different attributes");
  tt_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"RawMessageDelivery\":\"false\"}", &again),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Attributes Reason: Subscription already exists with different attributes");
  char *a;
  ck_assert_int_eq(aev_subscription_get_attributes(b, arn, &a), AEV_OK);
  json_t *j = json_loads(a, 0, NULL);
  aev_free(a);
  ck_assert_str_eq(str(j, "RawMessageDelivery"), "true");
  ck_assert_str_eq(str(j, "PendingConfirmation"), "false");
  ck_assert_str_eq(str(j, "ConfirmationWasAuthenticated"), "true");
  ck_assert_str_eq(str(j, "Owner"), "000000000000");
  /* AWS always names who subscribed (recorded in every
   * GetSubscriptionAttributes of test_sns.py); here the account's root. */
  ck_assert_str_eq(str(j, "SubscriptionPrincipal"), "arn:aws:iam::000000000000:root");
  ck_assert_str_eq(str(j, "Endpoint"), aev_queue_arn(q));
  json_decref(j);
  tt_assert_error(aev_subscription_set_attribute(b, arn, "FakeAttribute", "x"), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: AttributeName");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "RawMessageDelivery", ""), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "FilterPolicyScope", "RandomValue"), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either "
                  "MessageBody or MessageAttributes");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "RedrivePolicy", "{\"deadLetterTargetArn\":\"fake-arn\"}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "RedrivePolicy", "{invalidjson}"), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' "
                  "(code 105)): was expecting double-quote to start field name");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "FilterPolicy", "{invalidjson}"), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' "
                  "(code 105)): was expecting double-quote to start field name");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "DeliveryPolicy", "{\"healthyRetryPolicy\":{}}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: DeliveryPolicy: Delivery protocol [sqs] does not support delivery policies");
  /* Failed changes changed nothing. */
  ck_assert_int_eq(aev_subscription_get_attributes(b, arn, &a), AEV_OK);
  ck_assert_ptr_nonnull(strstr(a, "\"RawMessageDelivery\":\"true\""));
  ck_assert_ptr_null(strstr(a, "RedrivePolicy"));
  aev_free(a);
  /* FIFO subscription to a FIFO topic needs a FIFO DLQ. */
  char *fs = tt_sub(f, fq, NULL);
  char policy[256];
  snprintf(policy, sizeof policy, "{\"deadLetterTargetArn\":\"%s\"}", aev_queue_arn(q));
  tt_assert_error(aev_subscription_set_attribute(b, fs, "RedrivePolicy", policy), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO "
                  "Subscription to a FIFO Topic.");
  ck_assert_int_eq(aev_subscription_unsubscribe(b, arn), AEV_OK);
  tt_assert_error(aev_subscription_get_attributes(b, arn, &a), AEV_ERR_NOT_FOUND, "NotFound",
                  "Subscription does not exist");
  /* AWS unsubscribes idempotently (recorded: test_unsubscribe_idempotency). */
  ck_assert_int_eq(aev_subscription_unsubscribe(b, arn), AEV_OK);
  tt_assert_error(aev_subscription_unsubscribe(b, NULL), AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: SubscriptionArn Reason: no value for required parameter");
  ck_assert_int_eq(aev_topic_get_attributes(t, &a), AEV_OK);
  ck_assert_ptr_nonnull(strstr(a, "\"SubscriptionsDeleted\":\"1\""));
  aev_free(a);
  aev_free(arn);
  aev_free(fs);
  aev_queue_release(q);
  aev_queue_release(fq);
  aev_topic_release(f);
  aev_topic_release(t);
}
END_TEST

START_TEST(list_subscriptions_pages) {
  aev_topic *t = tt_topic(b, "t", NULL), *u = tt_topic(b, "u", NULL);
  for (int i = 0; i < 130; i++) {
    char name[16];
    snprintf(name, sizeof name, "q%d", i);
    aev_queue *q = qt_queue(b, name, NULL);
    aev_free(tt_sub(i % 2 ? t : u, q, NULL));
    aev_queue_release(q);
  }
  int total = 0, pages = 0;
  char *token = NULL;
  do {
    char *resp;
    ck_assert_int_eq(aev_subscription_list(b, NULL, token, &resp), AEV_OK);
    json_t *j = json_loads(resp, 0, NULL);
    aev_free(resp);
    json_t *s = json_object_get(j, "Subscriptions");
    ck_assert_str_eq(str(json_array_get(s, 0), "Protocol"), "sqs");
    total += (int)json_array_size(s);
    pages++;
    free(token);
    token = str(j, "NextToken") ? strdup(str(j, "NextToken")) : NULL;
    /* Opaque base64 as AWS's, not the ARN it names (recorded:
     * test_list_subscriptions_by_topic_pagination). */
    if (token) ck_assert_int_ne(strncmp(token, "arn:", 4), 0);
    json_decref(j);
  } while (token);
  ck_assert_int_eq(total, 130);
  ck_assert_int_eq(pages, 2);
  char *resp;
  ck_assert_int_eq(aev_subscription_list(b, t, NULL, &resp), AEV_OK);
  json_t *j = json_loads(resp, 0, NULL);
  aev_free(resp);
  ck_assert_int_eq(json_array_size(json_object_get(j, "Subscriptions")), 65);
  ck_assert_ptr_null(json_object_get(j, "NextToken"));
  json_decref(j);
  aev_topic_release(t);
  aev_topic_release(u);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_fanout");
  TCase *tc = tcase_create("fanout");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, envelope_matches_aws_example);
  tcase_add_test(tc, envelope_escapes_text);
  tcase_add_test(tc, subject_is_utf8_under_100_characters);
  tcase_add_test(tc, message_must_be_utf8);
  tcase_add_test(tc, raw_delivery_maps_attributes);
  tcase_add_test(tc, reused_options_deliver_the_same_attributes);
  tcase_add_test(tc, message_structure_json);
  tcase_add_test(tc, fan_out_bodies_and_md5s);
  tcase_add_test(tc, fan_out_messages_behave_as_sent_ones);
  tcase_add_test(tc, filter_policies_fan_out);
  tcase_add_test(tc, fifo_topic_orders_and_deduplicates);
  tcase_add_test(tc, standard_topic_groups_feed_fair_queues);
  tcase_add_test(tc, publish_validation);
  tcase_add_test(tc, attribute_names_and_sizes_at_the_limit);
  tcase_add_test(tc, publish_batch);
  tcase_add_test(tc, batch_total_counts_attributes_and_topic_limit);
  tcase_add_test(tc, subscriptions_and_their_errors);
  tcase_add_test(tc, list_subscriptions_pages);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
