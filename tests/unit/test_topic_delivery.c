/* Deliveries on the manual clock: the http/https confirmation flow through
 * an application callback, a failing callback retried on SNS's schedule
 * (attempt times asserted) and then dead-lettered, client errors that skip
 * the retries, sqs endpoints that are gone, and the retry schedules
 * themselves. */
#include <stdatomic.h>
#include <time.h>

#include "aevtest.h"
#include "topic/topic_impl.h"
#include "topic_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* An endpoint: records every POST and answers `status`. */
typedef struct endpoint {
  int status;
  int calls;
  int64_t at[64];
  char type[64][32];
  char *last_body;
  char token[128];
  int released;
  aev_topic *confirm_in_callback;
} endpoint;

static int on_post(void *user, const char *type, const char *body, size_t len) {
  endpoint *e = user;
  ck_assert_uint_eq(strlen(body), len);
  if (e->calls < 64) {
    e->at[e->calls] = aev_broker_now_ms(b);
    snprintf(e->type[e->calls], sizeof e->type[0], "%s", type);
  }
  e->calls++;
  free(e->last_body);
  e->last_body = strdup(body);
  if (!strcmp(type, "SubscriptionConfirmation")) {
    json_t *j = json_loads(body, 0, NULL);
    snprintf(e->token, sizeof e->token, "%s", json_string_value(json_object_get(j, "Token")));
    json_decref(j);
    if (e->confirm_in_callback) {
      char *arn;
      ck_assert_int_eq(aev_topic_confirm_subscription(e->confirm_in_callback, e->token, &arn), AEV_OK);
      aev_free(arn);
    }
    return 200;
  }
  return e->status;
}

static void on_release(void *user) { ((endpoint *)user)->released++; }

static char *sub_callback(aev_topic *t, endpoint *e, const char *attrs) {
  char *arn;
  int rc = aev_topic_subscribe_callback(t, "https", "https://example.com/hook", on_post, e,
                                        on_release, attrs, &arn);
  ck_assert_msg(rc == AEV_OK, "%s %s", aev_errcode(), aev_errmsg());
  return arn;
}

static const char *sub_attr(const char *arn, const char *name, char *buf, size_t n) {
  char *a;
  ck_assert_int_eq(aev_subscription_get_attributes(b, arn, &a), AEV_OK);
  json_t *j = json_loads(a, 0, NULL);
  snprintf(buf, n, "%s", json_string_value(json_object_get(j, name)));
  json_decref(j);
  aev_free(a);
  return buf;
}

START_TEST(confirmation_flow) {
  aev_topic *t = tt_topic(b, "t", NULL);
  endpoint e = {.status = 200};
  char *arn = sub_callback(t, &e, NULL);
  char buf[64];
  ck_assert_str_eq(sub_attr(arn, "PendingConfirmation", buf, sizeof buf), "true");
  /* Nothing runs before the scheduler does. */
  ck_assert_int_eq(e.calls, 0);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(e.calls, 1);
  ck_assert_str_eq(e.type[0], "SubscriptionConfirmation");
  json_t *c = json_loads(e.last_body, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(c, "Type")), "SubscriptionConfirmation");
  ck_assert_str_eq(json_string_value(json_object_get(c, "TopicArn")), aev_topic_arn(t));
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(c, "SubscribeURL")),
                               "?Action=ConfirmSubscription&TopicArn="));
  json_decref(c);
  /* Pending subscriptions get no notifications. */
  tt_publish(t, "early", NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(e.calls, 1);
  char *confirmed;
  /* AWS's tokens are hex: other text is malformed; hex that no pending
   * subscription holds is an invalid Token (recorded:
   * test_sns_confirm_subscription_wrong_token). */
  for (const char *p = e.token; *p; p++) ck_assert(strchr("0123456789abcdef", *p));
  tt_assert_error(aev_topic_confirm_subscription(t, "not-a-token", &confirmed), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid token");
  tt_assert_error(aev_topic_confirm_subscription(t, "51b2ff3edb475b7d", &confirmed), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Token");
  ck_assert_int_eq(aev_topic_confirm_subscription(t, e.token, &confirmed), AEV_OK);
  ck_assert_str_eq(confirmed, arn);
  aev_free(confirmed);
  ck_assert_str_eq(sub_attr(arn, "PendingConfirmation", buf, sizeof buf), "false");
  tt_publish(t, "hello", NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(e.calls, 2);
  ck_assert_str_eq(e.type[1], "Notification");
  json_t *n = json_loads(e.last_body, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(n, "Message")), "hello");
  json_decref(n);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 1);
  ck_assert_int_eq(aev_subscription_unsubscribe(b, arn), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(e.calls, 3);
  ck_assert_str_eq(e.type[2], "UnsubscribeConfirmation");
  /* A token of its own (recorded: test_subscribe_external_http_endpoint,
   * unsubscribe-request's Token is not the subscription-confirmation's). */
  json_t *u = json_loads(e.last_body, 0, NULL);
  const char *utoken = json_string_value(json_object_get(u, "Token"));
  ck_assert_str_ne(utoken, e.token);
  ck_assert_uint_eq(strlen(utoken), strlen(e.token));
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(u, "SubscribeURL")), utoken));
  json_decref(u);
  ck_assert_int_eq(e.released, 1);
  aev_free(arn);
  free(e.last_body);
  aev_topic_release(t);
}
END_TEST

START_TEST(tokens_expire_after_two_days) {
  aev_topic *t = tt_topic(b, "t", NULL);
  endpoint e = {.status = 200};
  char *arn = sub_callback(t, &e, NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 2LL * 24 * 3600 * 1000 + 1), AEV_OK);
  char *confirmed;
  tt_assert_error(aev_topic_confirm_subscription(t, e.token, &confirmed), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Token");
  aev_free(arn);
  free(e.last_body);
  aev_topic_release(t);
}
END_TEST

START_TEST(confirm_from_inside_the_callback) {
  aev_topic *t = tt_topic(b, "t", NULL);
  endpoint e = {.status = 200, .confirm_in_callback = t};
  char *arn = sub_callback(t, &e, NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char buf[64];
  ck_assert_str_eq(sub_attr(arn, "PendingConfirmation", buf, sizeof buf), "false");
  aev_free(arn);
  free(e.last_body);
  aev_topic_release(t);
}
END_TEST

/* The default http policy: the first attempt and 3 retries 20 s apart,
 * then the subscription's dead-letter queue. */
START_TEST(failing_callback_retried_then_dead_lettered) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *dlq = qt_queue(b, "dlq", NULL);
  endpoint e = {.status = 500, .confirm_in_callback = t};
  char policy[256];
  snprintf(policy, sizeof policy, "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\"}\"}",
           aev_queue_arn(dlq));
  char *arn = sub_callback(t, &e, policy);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  int64_t t0 = aev_broker_now_ms(b);
  tt_publish(t, "payload", NULL);
  ck_assert_int_eq(aev_broker_advance(b, 10 * 60 * 1000), AEV_OK);
  ck_assert_int_eq(e.calls, 1 + 4);
  for (int i = 0; i < 4; i++) {
    ck_assert_str_eq(e.type[1 + i], "Notification");
    ck_assert_int_eq(e.at[1 + i] - t0, i * 20000);
  }
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 1);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsRedrivenToDlq"), 1);
  /* The DLQ copy is what the endpoint would have received. */
  json_t *env = tt_envelope(dlq);
  ck_assert_str_eq(json_string_value(json_object_get(env, "Message")), "payload");
  ck_assert_str_eq(json_string_value(json_object_get(env, "Type")), "Notification");
  json_decref(env);
  aev_free(arn);
  free(e.last_body);
  aev_queue_release(dlq);
  aev_topic_release(t);
}
END_TEST

/* A subscription's healthyRetryPolicy: 1 immediate retry, 1 at the minimum
 * delay, 3 backing off linearly to the maximum, 1 at the maximum. */
START_TEST(custom_policy_schedule) {
  aev_topic *t = tt_topic(b, "t", NULL);
  endpoint e = {.status = 503, .confirm_in_callback = t};
  char *arn = sub_callback(t, &e,
      "{\"DeliveryPolicy\":\"{\\\"healthyRetryPolicy\\\":{\\\"numRetries\\\":6,"
      "\\\"numNoDelayRetries\\\":1,\\\"numMinDelayRetries\\\":1,\\\"numMaxDelayRetries\\\":1,"
      "\\\"minDelayTarget\\\":2,\\\"maxDelayTarget\\\":10,\\\"backoffFunction\\\":\\\"linear\\\"}}\"}");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  int64_t t0 = aev_broker_now_ms(b);
  tt_publish(t, "x", NULL);
  ck_assert_int_eq(aev_broker_advance(b, 3600 * 1000), AEV_OK);
  static const int64_t want[] = {0, 0, 2000, 4667, 7333, 10000, 10000};
  ck_assert_int_eq(e.calls, 1 + 7);
  int64_t at = 0;
  for (int i = 0; i < 7; i++) {
    at += want[i];
    ck_assert_int_eq(e.at[1 + i] - t0, at);
  }
  /* No DLQ: the message is dropped and counted as failed. */
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 1);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsRedrivenToDlq"), 0);
  char buf[512];
  ck_assert_ptr_nonnull(strstr(sub_attr(arn, "EffectiveDeliveryPolicy", buf, sizeof buf),
                               "\"numRetries\":6"));
  aev_free(arn);
  free(e.last_body);
  aev_topic_release(t);
}
END_TEST

/* A subscription's DeliveryPolicy as AWS shows it back and its effective
 * one (recorded: test_subscribe_external_http_endpoint_content_type): all
 * five members, null when not given; the request policy is the
 * subscription's, else the topic's defaultRequestPolicy; retries not given
 * are the topic's. */
START_TEST(subscription_delivery_policy_as_aws_keeps_it) {
  aev_topic *t = tt_topic(b, "t", "{\"DeliveryPolicy\":\"{\\\"http\\\":{\\\"defaultRequestPolicy\\\":"
                                  "{\\\"headerContentType\\\":\\\"application/json\\\"},"
                                  "\\\"defaultHealthyRetryPolicy\\\":{\\\"numRetries\\\":5}}}\"}");
  endpoint e = {.status = 200};
  char *arn = sub_callback(t, &e, NULL);
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "DeliveryPolicy",
                                                  "{\"requestPolicy\":{\"headerContentType\":\"text/csv\"}}"),
                   AEV_OK);
  char buf[1024];
  ck_assert_str_eq(sub_attr(arn, "DeliveryPolicy", buf, sizeof buf),
                   "{\"healthyRetryPolicy\":null,\"sicklyRetryPolicy\":null,\"throttlePolicy\":null,"
                   "\"requestPolicy\":{\"headerContentType\":\"text/csv\"},\"guaranteed\":false}");
  ck_assert_str_eq(sub_attr(arn, "EffectiveDeliveryPolicy", buf, sizeof buf),
                   "{\"healthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,\"numRetries\":5,"
                   "\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,"
                   "\"backoffFunction\":\"linear\"},\"sicklyRetryPolicy\":null,\"throttlePolicy\":null,"
                   "\"requestPolicy\":{\"headerContentType\":\"text/csv\"},\"guaranteed\":false}");
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "DeliveryPolicy",
                                                  "{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":1,"
                                                  "\"numRetries\":0},\"sicklyRetryPolicy\":null,"
                                                  "\"throttlePolicy\":{\"maxReceivesPerSecond\":1000}}"),
                   AEV_OK);
  ck_assert_str_eq(sub_attr(arn, "DeliveryPolicy", buf, sizeof buf),
                   "{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":1,\"numRetries\":0},"
                   "\"sicklyRetryPolicy\":null,\"throttlePolicy\":{\"maxReceivesPerSecond\":1000},"
                   "\"requestPolicy\":null,\"guaranteed\":false}");
  ck_assert_str_eq(sub_attr(arn, "EffectiveDeliveryPolicy", buf, sizeof buf),
                   "{\"healthyRetryPolicy\":{\"minDelayTarget\":1,\"maxDelayTarget\":1,\"numRetries\":0,"
                   "\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,"
                   "\"backoffFunction\":\"linear\"},\"sicklyRetryPolicy\":null,"
                   "\"throttlePolicy\":{\"maxReceivesPerSecond\":1000},"
                   "\"requestPolicy\":{\"headerContentType\":\"application/json\"},\"guaranteed\":false}");
  /* e lives on this stack: done with it before the test returns. */
  ck_assert_int_eq(aev_subscription_unsubscribe(b, arn), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(e.released, 1);
  aev_free(arn);
  free(e.last_body);
  aev_topic_release(t);
}
END_TEST

START_TEST(client_errors_skip_retries) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *dlq = qt_queue(b, "dlq", NULL);
  endpoint e = {.status = 404, .confirm_in_callback = t};
  char policy[256];
  snprintf(policy, sizeof policy, "{\"RawMessageDelivery\":\"true\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\"}\"}",
           aev_queue_arn(dlq));
  char *arn = sub_callback(t, &e, policy);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  tt_publish(t, "raw body", NULL);
  ck_assert_int_eq(aev_broker_advance(b, 600 * 1000), AEV_OK);
  ck_assert_int_eq(e.calls, 2);
  ck_assert_str_eq(e.last_body, "raw body");
  aev_message *m = qt_recv1(dlq);
  ck_assert_str_eq(qt_body(m), "raw body");
  aev_message_free(m);
  /* 429 is throttling: retried like a server error. */
  e.status = 429;
  tt_publish(t, "again", NULL);
  ck_assert_int_eq(aev_broker_advance(b, 600 * 1000), AEV_OK);
  ck_assert_int_eq(e.calls, 2 + 4);
  aev_free(arn);
  free(e.last_body);
  aev_queue_release(dlq);
  aev_topic_release(t);
}
END_TEST

START_TEST(deleted_queue_goes_to_dlq) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL), *dlq = qt_queue(b, "dlq", NULL);
  char *arn = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  char policy[256];
  snprintf(policy, sizeof policy, "{\"deadLetterTargetArn\":\"%s\"}", aev_queue_arn(dlq));
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "RedrivePolicy", policy), AEV_OK);
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  tt_publish(t, "lost?", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "lost?");
  char *a = aev_message_attributes_json(m);
  ck_assert_str_eq(a, "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}");
  aev_free(a);
  aev_message_free(m);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 1);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsRedrivenToDlq"), 1);
  /* A publish without attributes keeps its note on the publisher's stack;
   * the dead-letter job must hold a heap copy that outlives it. */
  char plain[] = "plain, lost too";
  ck_assert_int_eq(aev_topic_publish(t, plain, strlen(plain), NULL, NULL, NULL), AEV_OK);
  memset(plain, 'x', strlen(plain));
  aev_broker_drain(b);
  m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "plain, lost too");
  a = aev_message_attributes_json(m);
  ck_assert_str_eq(a, "{}");
  aev_free(a);
  aev_message_free(m);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 2);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsRedrivenToDlq"), 2);
  /* With no deliveries waiting, no timer is armed. */
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_ERR_NOT_FOUND);
  aev_free(arn);
  aev_queue_release(q);
  aev_queue_release(dlq);
  aev_topic_release(t);
}
END_TEST

/* A subscription keeps its queue's handle after the first delivery; once
 * that queue is deleted and one of the same name created, deliveries go to
 * the new queue. */
START_TEST(recreated_queue_gets_deliveries) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *arn = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  tt_publish(t, "first", NULL);
  aev_message *m = qt_recv1(q);
  ck_assert_str_eq(qt_body(m), "first");
  aev_message_free(m);
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  aev_queue_release(q);
  aev_broker_advance(b, 61000); /* past QueueDeletedRecently */
  q = qt_queue(b, "q", NULL);
  tt_publish(t, "second", NULL);
  m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "second");
  aev_message_free(m);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 2);
  aev_free(arn);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

/* Plain raw sends count as delivered when their publish takes the
 * subscribers; the ones that then fail (a deleted queue, a body SQS
 * refuses) are taken back. */
START_TEST(failed_plain_sends_not_counted_delivered) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q1 = qt_queue(b, "q1", NULL), *q2 = qt_queue(b, "q2", NULL);
  char *a1 = tt_sub(t, q1, "{\"RawMessageDelivery\":\"true\"}");
  char *a2 = tt_sub(t, q2, "{\"RawMessageDelivery\":\"true\"}");
  tt_publish(t, "both", NULL);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 2);
  ck_assert_int_eq(aev_queue_delete(q2), AEV_OK);
  tt_publish(t, "one", NULL);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 3);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 1);
  tt_publish(t, "bad \x01 char", NULL);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 3);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 3);
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 3);
  aev_free(a1);
  aev_free(a2);
  aev_queue_release(q1);
  aev_queue_release(q2);
  aev_topic_release(t);
}
END_TEST

/* A publish hands consecutive plain raw sends to their queues a run of up
 * to 16 at a time; a send that stores nothing (here a body over the queue's
 * MaximumMessageSize) ends its run, takes the full path, and the sends after
 * it, in that run and the next, still store. The MessageId the caller asks
 * for is drawn on that path too, one per publish. */
START_TEST(plain_sends_go_on_past_a_failed_one_across_runs) {
  enum { N = 20 };
  static const int small[] = {0, 7, 16, 19};
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q[N];
  char *arn[N];
  int is_small[N] = {0};
  for (size_t k = 0; k < sizeof small / sizeof small[0]; k++) is_small[small[k]] = 1;
  for (int i = 0; i < N; i++) {
    char name[8];
    snprintf(name, sizeof name, "q%02d", i);
    q[i] = qt_queue(b, name, is_small[i] ? "{\"MaximumMessageSize\":\"1024\"}" : NULL);
    arn[i] = tt_sub(t, q[i], "{\"RawMessageDelivery\":\"true\"}");
  }
  char msg[1500], id1[AEV_TOPIC_MESSAGE_ID_SIZE], id2[AEV_TOPIC_MESSAGE_ID_SIZE];
  memset(msg, 'a', sizeof msg);
  ck_assert_int_eq(aev_topic_publish(t, msg, sizeof msg, NULL, id1, NULL), AEV_OK);
  ck_assert_int_eq(aev_topic_publish(t, "short", 5, NULL, id2, NULL), AEV_OK);
  ck_assert_int_eq((int)strlen(id1), 36);
  ck_assert_int_eq((int)strlen(id2), 36);
  ck_assert_str_ne(id1, id2);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(tt_depth(q[i]), is_small[i] ? 1 : 2);
    aev_message *m = qt_recv1(q[i]);
    ck_assert_ptr_nonnull(m);
    size_t len;
    aev_message_body(m, &len);
    ck_assert_uint_eq(len, is_small[i] ? 5 : sizeof msg);
    aev_message_free(m);
    aev_free(arn[i]);
    aev_queue_release(q[i]);
  }
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 2 * N - 4);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 4);
  aev_topic_release(t);
}
END_TEST

/* A raw body is checked as it is copied, 16 bytes at a time, the last
 * block overlapping the one before: a character SQS refuses fails the
 * sends wherever it sits, and valid multi-byte text still goes through. */
START_TEST(raw_bodies_checked_in_every_block) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *arn = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  static const size_t at[] = {0, 15, 16, 31, 32, 35, 39};
  for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
    char msg[41];
    memset(msg, 'a', 40);
    msg[40] = '\0';
    msg[at[i]] = '\x01';
    tt_publish(t, msg, NULL);
  }
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 7);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 0);
  const char *utf8 = "0123456789abcdef caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 tail";
  tt_publish(t, utf8, NULL);
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), utf8);
  aev_message_free(m);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 1);
  aev_free(arn);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

static char *lambda_event;

static void on_invoke(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  free(lambda_event);
  lambda_event = strndup(event, len);
  aev_invocation_succeed(ctx, "null", 4);
}

/* Lambda's SNS record (reference §3): SigningCertUrl / UnsubscribeUrl,
 * Subject null when absent, MessageAttributes always present. */
START_TEST(lambda_subscription_gets_sns_record) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, on_invoke, NULL, NULL, &f), AEV_OK);
  char *arn;
  ck_assert_int_eq(aev_topic_subscribe(t, "lambda", aev_function_arn(f), NULL, &arn), AEV_OK);
  tt_assert_error(aev_topic_subscribe(t, "lambda", "fn", NULL, &arn), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Lambda endpoint ARN");
  tt_assert_error(aev_subscription_set_attribute(b, arn, "RawMessageDelivery", "true"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Delivery protocol [lambda] does not support raw message delivery.");
  tt_publish(t, "to lambda", NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_ptr_nonnull(lambda_event);
  json_t *ev = json_loads(lambda_event, 0, NULL);
  json_t *r = json_array_get(json_object_get(ev, "Records"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(r, "EventSource")), "aws:sns");
  ck_assert_str_eq(json_string_value(json_object_get(r, "EventVersion")), "1.0");
  ck_assert_str_eq(json_string_value(json_object_get(r, "EventSubscriptionArn")), arn);
  json_t *sns = json_object_get(r, "Sns");
  ck_assert_str_eq(json_string_value(json_object_get(sns, "Message")), "to lambda");
  ck_assert(json_is_null(json_object_get(sns, "Subject")));
  ck_assert(json_is_object(json_object_get(sns, "MessageAttributes")));
  ck_assert_ptr_nonnull(json_object_get(sns, "SigningCertUrl"));
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(sns, "UnsubscribeUrl")), arn));
  json_decref(ev);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 1);
  /* A deleted function is a client error: straight to the DLQ. */
  aev_queue *dlq = qt_queue(b, "dlq", NULL);
  char policy[256];
  snprintf(policy, sizeof policy, "{\"deadLetterTargetArn\":\"%s\"}", aev_queue_arn(dlq));
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "RedrivePolicy", policy), AEV_OK);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  tt_publish(t, "nobody home", NULL);
  json_t *env = tt_envelope(dlq);
  ck_assert_str_eq(json_string_value(json_object_get(env, "Message")), "nobody home");
  json_decref(env);
  free(lambda_event);
  lambda_event = NULL;
  aev_free(arn);
  aev_queue_release(dlq);
  aev_function_release(f);
  aev_topic_release(t);
}
END_TEST

/* Recorded against AWS (test_publish_lambda_verify_signature[2]): the
 * record a function gets says SignatureVersion "1" even when the topic
 * signs with version 2, while a queue's envelope says "2". */
START_TEST(lambda_record_says_signature_version_1) {
  aev_topic *t = tt_topic(b, "t", "{\"SignatureVersion\":\"2\"}");
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, on_invoke, NULL, NULL, &f), AEV_OK);
  char *arn;
  ck_assert_int_eq(aev_topic_subscribe(t, "lambda", aev_function_arn(f), NULL, &arn), AEV_OK);
  aev_queue *q = qt_queue(b, "q", NULL);
  char *qsub = tt_sub(t, q, NULL);
  tt_publish(t, "signed v2", NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_ptr_nonnull(lambda_event);
  json_t *ev = json_loads(lambda_event, 0, NULL);
  json_t *sns = json_object_get(json_array_get(json_object_get(ev, "Records"), 0), "Sns");
  ck_assert_str_eq(json_string_value(json_object_get(sns, "SignatureVersion")), "1");
  json_decref(ev);
  json_t *env = tt_envelope(q);
  ck_assert_str_eq(json_string_value(json_object_get(env, "SignatureVersion")), "2");
  json_decref(env);
  free(lambda_event);
  lambda_event = NULL;
  aev_free(qsub);
  aev_free(arn);
  aev_queue_release(q);
  aev_function_release(f);
  aev_topic_release(t);
}
END_TEST

/* sqs and lambda: 3 immediate, 2 x 1 s, 10 backing off 1 -> 20 s,
 * 100,000 x 20 s: 100,015 attempts. */
START_TEST(aws_managed_schedule) {
  const aev__retry_policy *p = &aev__retry_aws_managed;
  ck_assert_int_eq(p->num_retries + 1, 100015);
  for (long n = 1; n <= 3; n++) ck_assert_int_eq(aev__retry_delay(p, n), 0);
  ck_assert_int_eq(aev__retry_delay(p, 4), 1000);
  ck_assert_int_eq(aev__retry_delay(p, 5), 1000);
  int64_t prev = 1000;
  for (long n = 6; n <= 15; n++) {
    int64_t d = aev__retry_delay(p, n);
    ck_assert_int_ge(d, prev);
    ck_assert_int_le(d, 20000);
    prev = d;
  }
  ck_assert_int_eq(aev__retry_delay(p, 15), 20000);
  ck_assert_int_eq(aev__retry_delay(p, 16), 20000);
  ck_assert_int_eq(aev__retry_delay(p, 100014), 20000);
  int64_t total = 0;
  for (long n = 1; n <= p->num_retries; n++) total += aev__retry_delay(p, n);
  /* "100,015 times, over 23 days" */
  ck_assert_int_ge(total / (24 * 3600 * 1000), 23);
  ck_assert_int_lt(total / (24 * 3600 * 1000), 24);
}
END_TEST

START_TEST(backoff_functions) {
  aev__retry_policy p = {.num_retries = 4, .min_delay = 1000, .max_delay = 9000};
  int64_t lin[4], ar[4], geo[4], ex[4];
  for (long n = 1; n <= 4; n++) {
    p.backoff = AEV__BACKOFF_LINEAR;
    lin[n - 1] = aev__retry_delay(&p, n);
    p.backoff = AEV__BACKOFF_ARITHMETIC;
    ar[n - 1] = aev__retry_delay(&p, n);
    p.backoff = AEV__BACKOFF_GEOMETRIC;
    geo[n - 1] = aev__retry_delay(&p, n);
    p.backoff = AEV__BACKOFF_EXPONENTIAL;
    ex[n - 1] = aev__retry_delay(&p, n);
  }
  ck_assert_int_eq(lin[0], 3000);
  ck_assert_int_eq(lin[3], 9000);
  ck_assert_int_eq(ar[0], 1800);
  ck_assert_int_eq(geo[1], 3000);
  ck_assert_int_eq(ex[0], 1533);
  /* Every curve ends at the maximum; exponential starts slowest. */
  ck_assert_int_eq(ar[3], 9000);
  ck_assert_int_eq(geo[3], 9000);
  ck_assert_int_eq(ex[3], 9000);
  for (int i = 0; i < 3; i++) ck_assert_int_lt(ex[i], lin[i]);
}
END_TEST

/* Memory stays bounded: FIFO deduplication entries go once their 5-minute
 * window has passed, pruned by later publishes. */
START_TEST(dedup_entries_are_pruned) {
  aev_topic *t = tt_topic(b, "t.fifo", "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_group_id(o, "g");
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 1000; i++) {
      char msg[32];
      snprintf(msg, sizeof msg, "r%d-m%d", round, i);
      ck_assert_int_eq(aev_topic_publish(t, msg, strlen(msg), o, NULL, NULL), AEV_OK);
    }
    ck_assert_uint_eq(json_object_size(t->dd_index), 1000);
    ck_assert_int_eq(aev_broker_advance(b, 5 * 60 * 1000), AEV_OK);
  }
  ck_assert_int_eq(aev_topic_publish(t, "last", 4, o, NULL, NULL), AEV_OK);
  ck_assert_uint_eq(json_object_size(t->dd_index), 1);
  aev_publish_options_free(o);
  aev_topic_release(t);
}
END_TEST

static int refuse(void *user, const char *type, const char *body, size_t len) {
  (void)body;
  (void)len;
  atomic_int *calls = user;
  if (!strcmp(type, "Notification")) atomic_fetch_add(calls, 1);
  return 500;
}

/* DESIGN §7's idle test: a real-clock broker whose only pending work is a
 * retry 20 s away sleeps (a pending subscription gets no notifications). */
START_TEST(idle_with_a_retry_pending) {
  aev_broker *rb;
  ck_assert_int_eq(aev_broker_new(NULL, &rb), AEV_OK);
  aev_topic *t;
  ck_assert_int_eq(aev_topic_create(rb, "idle", NULL, &t), AEV_OK);
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(rb, "q", NULL, &q), AEV_OK);
  char *arn;
  ck_assert_int_eq(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), NULL, &arn), AEV_OK);
  aev_free(arn);
  atomic_int calls = 0;
  ck_assert_int_eq(aev_topic_subscribe_callback(t, "http", "http://example.com/", refuse, &calls,
                                                NULL, NULL, &arn), AEV_OK);
  /* The endpoint refused its SubscriptionConfirmation: the next try is
   * 20 s away, the only timer. */
  ck_assert_int_eq(aev_topic_publish(t, "x", 1, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(rb), AEV_OK);
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(rb, &next), AEV_OK);
  ck_assert_int_gt(next - aev_broker_now_ms(rb), 15000);
  ck_assert_int_eq(atomic_load(&calls), 0);
  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "an idle topic used %.4f s of CPU in a 1 s sleep", used);
  aev_free(arn);
  aev_queue_release(q);
  aev_topic_release(t);
  ck_assert_int_eq(aev_broker_destroy(rb), AEV_OK);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_delivery");
  TCase *tc = tcase_create("delivery");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, confirmation_flow);
  tcase_add_test(tc, tokens_expire_after_two_days);
  tcase_add_test(tc, confirm_from_inside_the_callback);
  tcase_add_test(tc, failing_callback_retried_then_dead_lettered);
  tcase_add_test(tc, custom_policy_schedule);
  tcase_add_test(tc, client_errors_skip_retries);
  tcase_add_test(tc, deleted_queue_goes_to_dlq);
  tcase_add_test(tc, recreated_queue_gets_deliveries);
  tcase_add_test(tc, failed_plain_sends_not_counted_delivered);
  tcase_add_test(tc, plain_sends_go_on_past_a_failed_one_across_runs);
  tcase_add_test(tc, raw_bodies_checked_in_every_block);
  tcase_add_test(tc, lambda_subscription_gets_sns_record);
  tcase_add_test(tc, lambda_record_says_signature_version_1);
  tcase_add_test(tc, subscription_delivery_policy_as_aws_keeps_it);
  tcase_add_test(tc, dedup_entries_are_pruned);
  tcase_add_test(tc, aws_managed_schedule);
  tcase_add_test(tc, backoff_functions);
  suite_add_tcase(s, tc);
  TCase *idle = tcase_create("idle");
  tcase_add_test(idle, idle_with_a_retry_pending);
  suite_add_tcase(s, idle);
  return aev_test_run(s);
}
