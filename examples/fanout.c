/* A topic fanning out to queues with different filter policies, and a
 * webhook (an application callback standing for an https endpoint) that
 * fails once and is retried on SNS's schedule. Runs on the manual clock, so
 * the retry happens when the program advances time, not after a real 20 s.
 *
 *   orders (topic)
 *     -> all-orders   every order, in SNS's JSON envelope
 *     -> big-orders   raw bodies, attribute policy {"amount": [{"numeric": [">=", 100]}]}
 *     -> eu-orders    raw bodies, body policy {"region": [{"prefix": "eu-"}]}
 *     -> https://example.com/hook (a C callback; first POST answers 503)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

static void check(int rc, const char *what) {
  if (rc != AEV_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, aev_errcode(), aev_errmsg());
    exit(1);
  }
}

typedef struct webhook {
  aev_topic *topic;
  int posts;
} webhook;

/* The endpoint: confirms its subscription with the token SNS sent, then
 * answers 503 to the first notification and 200 after. */
static int on_post(void *user, const char *type, const char *body, size_t len) {
  webhook *w = user;
  (void)len;
  if (!strcmp(type, "SubscriptionConfirmation")) {
    char token[128] = "";
    const char *at = strstr(body, "\"Token\":\"");
    if (at) sscanf(at + 9, "%127[^\"]", token);
    char *arn;
    check(aev_topic_confirm_subscription(w->topic, token, &arn), "confirm");
    aev_free(arn);
    return 200;
  }
  w->posts++;
  printf("webhook: %s #%d\n", type, w->posts);
  return w->posts == 1 ? 503 : 200;
}

/* A queue subscribed to the topic with attrs (Subscribe's Attributes). */
static aev_queue *subscribed_queue(aev_broker *b, aev_topic *t, const char *name,
                                   const char *attrs) {
  aev_queue *q;
  char *arn;
  check(aev_queue_create(b, name, NULL, &q), "CreateQueue");
  check(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), attrs, &arn), "Subscribe");
  aev_free(arn);
  return q;
}

static void publish(aev_topic *t, const char *order, int amount) {
  char attrs[128];
  snprintf(attrs, sizeof attrs, "{\"amount\":{\"DataType\":\"Number\",\"StringValue\":\"%d\"}}",
           amount);
  aev_publish_options *o;
  check(aev_publish_options_new(&o), "options");
  check(aev_publish_options_set_attributes(o, attrs), "attributes");
  check(aev_topic_publish(t, order, strlen(order), o, NULL, NULL), "Publish");
  aev_publish_options_free(o);
}

/* Receives and deletes everything in q; returns how many there were. */
static int show(aev_queue *q) {
  int n = 0;
  for (;;) {
    aev_message *m[10];
    size_t got;
    check(aev_queue_receive(q, 10, 0, NULL, m, &got), "ReceiveMessage");
    if (!got) return n;
    for (size_t i = 0; i < got; i++) {
      printf("  %s: %.70s\n", aev_queue_name(q), (const char *)aev_message_body(m[i], NULL));
      check(aev_queue_delete_message(q, aev_message_receipt_handle(m[i])), "DeleteMessage");
      aev_message_free(m[i]);
      n++;
    }
  }
}

int main(void) {
  aev_broker_options *o;
  aev_broker *b;
  check(aev_broker_options_new(&o), "options");
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  check(aev_broker_new(o, &b), "broker");
  aev_broker_options_free(o);

  aev_topic *t;
  check(aev_topic_create(b, "orders", NULL, &t), "CreateTopic");
  aev_queue *all = subscribed_queue(b, t, "all-orders", NULL);
  aev_queue *big = subscribed_queue(b, t, "big-orders",
      "{\"RawMessageDelivery\":\"true\","
      "\"FilterPolicy\":\"{\\\"amount\\\":[{\\\"numeric\\\":[\\\">=\\\",100]}]}\"}");
  aev_queue *eu = subscribed_queue(b, t, "eu-orders",
      "{\"RawMessageDelivery\":\"true\",\"FilterPolicyScope\":\"MessageBody\","
      "\"FilterPolicy\":\"{\\\"region\\\":[{\\\"prefix\\\":\\\"eu-\\\"}]}\"}");
  webhook w = {t, 0};
  char *arn;
  check(aev_topic_subscribe_callback(t, "https", "https://example.com/hook", on_post, &w, NULL,
                                     NULL, &arn),
        "Subscribe");
  aev_free(arn);
  check(aev_broker_drain(b), "drain"); /* the webhook confirms */

  publish(t, "{\"id\":1,\"region\":\"eu-west-1\"}", 250);
  publish(t, "{\"id\":2,\"region\":\"us-east-1\"}", 20);
  check(aev_broker_drain(b), "drain");   /* first POSTs: one fails */
  check(aev_broker_advance(b, 20000), "advance"); /* the retry, 20 s later */

  int n_all = show(all), n_big = show(big), n_eu = show(eu);
  int64_t delivered, filtered;
  check(aev_topic_counter(t, "NumberOfNotificationsDelivered", &delivered), "counter");
  check(aev_topic_counter(t, "NumberOfNotificationsFilteredOut", &filtered), "counter");
  printf("delivered %lld, filtered out %lld, webhook POSTs %d\n", (long long)delivered,
         (long long)filtered, w.posts);

  aev_queue_release(all);
  aev_queue_release(big);
  aev_queue_release(eu);
  aev_topic_release(t);
  aev_broker_destroy(b);
  /* 2 to all-orders, 1 each to big and eu, 2 to the webhook (after a retry). */
  return n_all == 2 && n_big == 1 && n_eu == 1 && w.posts == 3 && delivered == 6 &&
                 filtered == 2
             ? 0
             : 1;
}
