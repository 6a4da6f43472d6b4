/* http/https subscriptions made through the API (no callback of their
 * own): SNS's POSTs reach the broker's endpoint callbacks
 * (aev_endpoint_register) with SNS's headers, the confirmation flow runs
 * through them, delivery policies pick the Content-Type, and statuses and
 * unreachable URLs are retried or dropped as SNS's delivery policy says. */
#include "aevtest.h"
#include "topic_support.h"

static aev_broker *b;

/* What the endpoint saw: every request's headers and body, in order. */
#define MAX_POSTS 16
typedef struct post {
  json_t *headers;
  char *url, *body;
  int64_t at;
} post;

static post posts[MAX_POSTS];
static int nposts, answer;

static void hook(void *user, aev_http_request *r) {
  (void)user;
  if (nposts < MAX_POSTS) {
    post *p = &posts[nposts];
    ck_assert_str_eq(aev_http_request_method(r), "POST");
    p->headers = json_loads(aev_http_request_headers(r), 0, NULL);
    p->url = strdup(aev_http_request_url(r));
    p->body = strdup(aev_http_request_body(r, NULL));
    p->at = aev_broker_now_ms(b);
  }
  nposts++;
  if (answer) aev_http_request_respond(r, answer, NULL, 0);
}

static void setup(void) {
  b = qt_broker();
  nposts = 0;
  answer = 200;
  ck_assert_int_eq(aev_endpoint_register(b, "https://hooks.example.com/", hook, NULL, NULL),
                   AEV_OK);
}

static void teardown(void) {
  aev_broker_destroy(b);
  for (int i = 0; i < nposts && i < MAX_POSTS; i++) {
    json_decref(posts[i].headers);
    free(posts[i].url);
    free(posts[i].body);
  }
}

static const char *header(int i, const char *name) {
  return json_string_value(json_object_get(posts[i].headers, name));
}

static const char *member(const char *body, const char *name, char *buf, size_t n) {
  json_t *j = json_loads(body, 0, NULL);
  ck_assert_ptr_nonnull(j);
  snprintf(buf, n, "%s", json_string_value(json_object_get(j, name)));
  json_decref(j);
  return buf;
}

/* A topic and an https subscription to url made through aev_call; the
 * topic's ARN into topic (static), the subscription's into sub. */
static void subscribe(const char *url, const char *attrs, char topic[256], char sub[256]) {
  json_t *t = aev_test_call(b, "sns", "CreateTopic", "{\"Name\":\"t\"}", AEV_OK);
  snprintf(topic, 256, "%s", json_string_value(json_object_get(t, "TopicArn")));
  json_decref(t);
  json_t *s = aev_test_call_req(
      b, "sns", "Subscribe",
      json_pack("{s:s,s:s,s:s,s:b,s:o}", "TopicArn", topic, "Protocol", "https", "Endpoint", url,
                "ReturnSubscriptionArn", 1, "Attributes",
                attrs ? json_loads(attrs, 0, NULL) : json_object()),
      AEV_OK);
  snprintf(sub, 256, "%s", json_string_value(json_object_get(s, "SubscriptionArn")));
  json_decref(s);
}

static void confirm(const char *topic, int i) {
  char token[128];
  member(posts[i].body, "Token", token, sizeof token);
  json_decref(aev_test_call_req(b, "sns", "ConfirmSubscription",
                                json_pack("{s:s,s:s}", "TopicArn", topic, "Token", token),
                                AEV_OK));
}

static char *publish(const char *topic, const char *message) {
  json_t *r = aev_test_call_req(b, "sns", "Publish",
                                json_pack("{s:s,s:s}", "TopicArn", topic, "Message", message),
                                AEV_OK);
  char *id = strdup(json_string_value(json_object_get(r, "MessageId")));
  json_decref(r);
  return id;
}

static void set_delivery_policy(const char *sub, const char *policy) {
  json_decref(aev_test_call_req(b, "sns", "SetSubscriptionAttributes",
                                json_pack("{s:s,s:s,s:s}", "SubscriptionArn", sub, "AttributeName",
                                          "DeliveryPolicy", "AttributeValue", policy),
                                AEV_OK));
}

START_TEST(confirmation_and_notifications_reach_the_endpoint) {
  char topic[256], sub[256], buf[256];
  subscribe("https://hooks.example.com/sns?x=1", NULL, topic, sub);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(nposts, 1);
  ck_assert_str_eq(posts[0].url, "https://hooks.example.com/sns?x=1");
  ck_assert_str_eq(header(0, "x-amz-sns-message-type"), "SubscriptionConfirmation");
  ck_assert_str_eq(header(0, "x-amz-sns-message-id"),
                   member(posts[0].body, "MessageId", buf, sizeof buf));
  ck_assert_str_eq(header(0, "x-amz-sns-topic-arn"), topic);
  /* Not confirmed yet: no subscription ARN (the guide's example). */
  ck_assert_ptr_null(header(0, "x-amz-sns-subscription-arn"));
  ck_assert_str_eq(header(0, "Content-Type"), "text/plain; charset=UTF-8");
  ck_assert_str_eq(header(0, "User-Agent"), "Amazon Simple Notification Service Agent");
  ck_assert_ptr_null(header(0, "x-amz-sns-rawdelivery"));
  ck_assert_str_eq(member(posts[0].body, "Type", buf, sizeof buf), "SubscriptionConfirmation");

  confirm(topic, 0);
  char *id = publish(topic, "hello");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(nposts, 2);
  ck_assert_str_eq(header(1, "x-amz-sns-message-type"), "Notification");
  ck_assert_str_eq(header(1, "x-amz-sns-message-id"), id);
  ck_assert_str_eq(header(1, "x-amz-sns-subscription-arn"), sub);
  ck_assert_str_eq(member(posts[1].body, "Message", buf, sizeof buf), "hello");
  ck_assert_str_eq(member(posts[1].body, "MessageId", buf, sizeof buf), id);
  free(id);

  json_decref(aev_test_call_req(b, "sns", "Unsubscribe",
                                json_pack("{s:s}", "SubscriptionArn", sub), AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(nposts, 3);
  ck_assert_str_eq(header(2, "x-amz-sns-message-type"), "UnsubscribeConfirmation");
  ck_assert_str_eq(header(2, "x-amz-sns-subscription-arn"), sub);
  ck_assert_str_eq(header(2, "x-amz-sns-message-id"),
                   member(posts[2].body, "MessageId", buf, sizeof buf));
}
END_TEST

/* Raw delivery posts the bare message with x-amz-sns-rawdelivery; a
 * requestPolicy's headerContentType replaces the Content-Type, the
 * subscription's over the topic's default. */
START_TEST(raw_delivery_and_content_type) {
  char topic[256], sub[256];
  subscribe("https://hooks.example.com/raw", "{\"RawMessageDelivery\":\"true\"}", topic, sub);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  confirm(topic, 0);
  json_decref(aev_test_call_req(
      b, "sns", "SetTopicAttributes",
      json_pack("{s:s,s:s,s:s}", "TopicArn", topic, "AttributeName", "DeliveryPolicy",
                "AttributeValue",
                "{\"http\":{\"defaultRequestPolicy\":{\"headerContentType\":\"application/xml\"}}}"),
      AEV_OK));
  free(publish(topic, "<a/>"));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(nposts, 2);
  ck_assert_str_eq(posts[1].body, "<a/>");
  ck_assert_str_eq(header(1, "x-amz-sns-rawdelivery"), "true");
  ck_assert_str_eq(header(1, "Content-Type"), "application/xml");

  set_delivery_policy(sub, "{\"requestPolicy\":{\"headerContentType\":\"application/json\"}}");
  free(publish(topic, "{}"));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(nposts, 3);
  ck_assert_str_eq(header(2, "Content-Type"), "application/json");
}
END_TEST

/* A 5xx, a callback that never answers and a URL no callback stands for
 * are retried by the delivery policy (here 2 retries, 1 s apart); a 4xx is
 * the endpoint's error and is not. */
START_TEST(failures_retried_by_the_policy) {
  char topic[256], sub[256];
  subscribe("https://hooks.example.com/flaky", NULL, topic, sub);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  confirm(topic, 0);
  set_delivery_policy(sub, "{\"healthyRetryPolicy\":{\"numRetries\":2,\"numNoDelayRetries\":0,"
                           "\"minDelayTarget\":1,\"maxDelayTarget\":1,\"numMinDelayRetries\":0,"
                           "\"numMaxDelayRetries\":0,\"backoffFunction\":\"linear\"}}");
  const int statuses[] = {500, 0, 404};
  for (int k = 0; k < 3; k++) {
    answer = statuses[k];
    int before = nposts;
    free(publish(topic, "m"));
    ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
    ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
    ck_assert_int_eq(nposts - before, statuses[k] == 404 ? 1 : 3);
    if (statuses[k] != 404) ck_assert_int_eq(posts[before + 2].at - posts[before].at, 2000);
  }
  /* No callback for the URL at all: retried the same way, then failed. */
  ck_assert_int_eq(aev_endpoint_remove(b, "https://hooks.example.com/"), AEV_OK);
  aev_topic *t;
  ck_assert_int_eq(aev_topic_get(b, topic, &t), AEV_OK);
  int64_t failed = tt_counter(t, "NumberOfNotificationsFailed");
  free(publish(topic, "m"));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), failed + 1);
  aev_topic_release(t);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_http");
  TCase *tc = tcase_create("endpoints");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, confirmation_and_notifications_reach_the_endpoint);
  tcase_add_test(tc, raw_delivery_and_content_type);
  tcase_add_test(tc, failures_retried_by_the_policy);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
