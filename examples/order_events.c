/* Order events through a bus: a shop puts "Order Placed" events on a
 * custom bus; one rule sends big orders to a queue, reshaped by an input
 * transformer; another invokes a function that publishes a notification to
 * a topic, whose queue subscriber receives it. Everything runs on the
 * manual clock, so the output is the same every run. */
#include <stdio.h>
#include <string.h>

#include "awsevents/awsevents.h"

#define CHECK(expr)                                                        \
  do {                                                                     \
    if ((expr) != AEV_OK) {                                                \
      fprintf(stderr, "%s: %s: %s\n", #expr, aev_errcode(), aev_errmsg()); \
      return 1;                                                            \
    }                                                                      \
  } while (0)

/* The function: turns the order event into a notification on the topic. */
static void notify(void *user, aev_invocation *ctx, const char *event,
                   size_t len) {
  aev_topic *topic = user;
  char message[512];
  snprintf(message, sizeof message, "order event received: %.*s", (int)len, event);
  if (aev_topic_publish(topic, message, strlen(message), NULL, NULL, NULL) == AEV_OK)
    aev_invocation_succeed(ctx, "{\"notified\":true}", 17);
  else
    aev_invocation_fail(ctx, "PublishFailed", aev_errmsg());
}

/* Prints and deletes what q holds; the number of messages, -1 on error. */
static int print_all(aev_queue *q, const char *label) {
  int count = 0;
  for (;;) {
    aev_message *m[10];
    size_t n;
    if (aev_queue_receive(q, 10, 0, NULL, m, &n) != AEV_OK) return -1;
    if (!n) return count;
    count += (int)n;
    for (size_t i = 0; i < n; i++) {
      printf("%s: %s\n", label, (const char *)aev_message_body(m[i], NULL));
      aev_queue_delete_message(q, aev_message_receipt_handle(m[i]));
      aev_message_free(m[i]);
    }
  }
}

int main(void) {
  aev_broker_options *o;
  aev_broker *b;
  CHECK(aev_broker_options_new(&o));
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, 2024);
  CHECK(aev_broker_new(o, &b));
  aev_broker_options_free(o);

  aev_bus *bus;
  aev_queue *big, *emails;
  aev_topic *topic;
  aev_function *fn;
  CHECK(aev_bus_create(b, "shop", &bus));
  CHECK(aev_queue_create(b, "big-orders", NULL, &big));
  CHECK(aev_queue_create(b, "emails", NULL, &emails));
  CHECK(aev_topic_create(b, "order-notifications", NULL, &topic));
  char *sub;
  CHECK(aev_topic_subscribe(topic, "sqs", aev_queue_arn(emails),
                            "{\"RawMessageDelivery\":\"true\"}", &sub));
  aev_free(sub);
  CHECK(aev_function_create(b, "notify", NULL, notify, topic, NULL, &fn));

  /* Rule 1: orders over 100 go to a queue as {"order": ID, "total": N}. */
  CHECK(aev_bus_put_rule(bus, "big-orders",
                         "{\"source\":[\"shop\"],\"detail-type\":[\"Order Placed\"],"
                         "\"detail\":{\"total\":[{\"numeric\":[\">\",100]}]}}",
                         NULL, 1, NULL));
  char targets[1024];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"queue\",\"Arn\":\"%s\",\"InputTransformer\":{"
           "\"InputPathsMap\":{\"id\":\"$.detail.id\",\"total\":\"$.detail.total\"},"
           "\"InputTemplate\":\"{\\\"order\\\": <id>, \\\"total\\\": <total>}\"}}]",
           aev_queue_arn(big));
  CHECK(aev_bus_put_targets(bus, "big-orders", targets, NULL));

  /* Rule 2: every order invokes the function with its detail. */
  CHECK(aev_bus_put_rule(bus, "all-orders", "{\"source\":[\"shop\"]}", NULL, 1, NULL));
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"fn\",\"Arn\":\"%s\",\"InputPath\":\"$.detail\"}]",
           aev_function_arn(fn));
  CHECK(aev_bus_put_targets(bus, "all-orders", targets, NULL));

  char *result;
  CHECK(aev_bus_put_events(b,
                           "[{\"EventBusName\":\"shop\",\"Source\":\"shop\","
                           "\"DetailType\":\"Order Placed\",\"Detail\":"
                           "\"{\\\"id\\\":\\\"o-1\\\",\\\"total\\\":250}\"},"
                           "{\"EventBusName\":\"shop\",\"Source\":\"shop\","
                           "\"DetailType\":\"Order Placed\",\"Detail\":"
                           "\"{\\\"id\\\":\\\"o-2\\\",\\\"total\\\":20}\"}]",
                           &result));
  printf("PutEvents: %s\n", result);
  aev_free(result);
  CHECK(aev_broker_advance(b, 1000));

  /* One big order; two notifications. */
  if (print_all(big, "big-orders") != 1 || print_all(emails, "emails") != 2) return 1;

  aev_function_release(fn);
  aev_topic_release(topic);
  aev_queue_release(emails);
  aev_queue_release(big);
  aev_bus_release(bus);
  return aev_broker_destroy(b) == AEV_OK ? 0 : 1;
}
