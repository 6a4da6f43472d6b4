/* Stress (run under ThreadSanitizer in CI): a real-clock broker with two
 * workers; 4 publisher threads publish 20,000 messages (4,000 when CI is
 * set) to a standard topic fanned out to 3 raw queue subscriptions, one
 * filtered queue subscription and a callback endpoint, while another
 * thread subscribes, re-filters and unsubscribes a churn queue; and 4
 * threads publish to a FIFO topic, one group each, into a FIFO queue.
 * At the end every queue holds exactly what it should, the callback saw
 * every notification once, and each FIFO group arrived in order. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define PUBLISHERS 4

static int total;
static aev_broker *b;
static aev_topic *std_topic, *fifo_topic;
static atomic_int callback_calls, churn_stop;

static int on_post(void *user, const char *type, const char *body, size_t len) {
  (void)len;
  if (!strcmp(type, "SubscriptionConfirmation")) {
    const char *tok = strstr(body, "\"Token\":\"");
    char token[128] = {0};
    if (tok) sscanf(tok + 9, "%127[^\"]", token);
    char *arn;
    if (aev_topic_confirm_subscription(user, token, &arn) == AEV_OK) aev_free(arn);
    return 200;
  }
  atomic_fetch_add(&callback_calls, 1);
  return 200;
}

static void *publisher(void *arg) {
  int id = (int)(intptr_t)arg;
  aev_publish_options *even, *odd;
  aev_publish_options_new(&even);
  aev_publish_options_new(&odd);
  aev_publish_options_set_attributes(even, "{\"parity\":{\"DataType\":\"String\",\"StringValue\":\"even\"}}");
  aev_publish_options_set_attributes(odd, "{\"parity\":{\"DataType\":\"String\",\"StringValue\":\"odd\"}}");
  for (int i = id; i < total; i += PUBLISHERS) {
    char msg[32];
    snprintf(msg, sizeof msg, "m%d", i);
    ck_assert_int_eq(aev_topic_publish(std_topic, msg, strlen(msg), i % 2 ? odd : even, NULL, NULL), AEV_OK);
  }
  aev_publish_options_free(even);
  aev_publish_options_free(odd);
  return NULL;
}

static void *fifo_publisher(void *arg) {
  int id = (int)(intptr_t)arg;
  aev_publish_options *o;
  aev_publish_options_new(&o);
  char group[8];
  snprintf(group, sizeof group, "g%d", id);
  aev_publish_options_set_group_id(o, group);
  for (int i = 0; i < total / PUBLISHERS / 4; i++) {
    char msg[32];
    snprintf(msg, sizeof msg, "%d:%d", id, i);
    ck_assert_int_eq(aev_topic_publish(fifo_topic, msg, strlen(msg), o, NULL, NULL), AEV_OK);
  }
  aev_publish_options_free(o);
  return NULL;
}

static void *churn(void *arg) {
  aev_queue *q = arg;
  while (!atomic_load(&churn_stop)) {
    char *arn;
    ck_assert_int_eq(aev_topic_subscribe(std_topic, "sqs", aev_queue_arn(q), NULL, &arn), AEV_OK);
    ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "FilterPolicy", "{\"parity\":[\"odd\"]}"), AEV_OK);
    ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "RawMessageDelivery", "true"), AEV_OK);
    ck_assert_int_eq(aev_subscription_unsubscribe(b, arn), AEV_OK);
    aev_free(arn);
  }
  return NULL;
}

static int drain_count(aev_queue *q, int fifo, int *order_ok) {
  int n = 0, next[PUBLISHERS] = {0};
  for (;;) {
    aev_message *m[10];
    size_t got = 0;
    ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &got), AEV_OK);
    if (!got) return n;
    for (size_t i = 0; i < got; i++) {
      if (fifo) {
        int g, k;
        sscanf(aev_message_body(m[i], NULL), "%d:%d", &g, &k);
        if (k != next[g]) *order_ok = 0;
        next[g] = k + 1;
      }
      ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m[i])), AEV_OK);
      aev_message_free(m[i]);
    }
    n += (int)got;
  }
}

/* The shared broker b, with two workers, and the round count (fewer on CI). */
static void start_broker(void) {
  total = getenv("CI") ? 4000 : 20000;
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
}

START_TEST(fan_out_under_threads) {
  start_broker();
  ck_assert_int_eq(aev_topic_create(b, "t", NULL, &std_topic), AEV_OK);
  ck_assert_int_eq(aev_topic_create(b, "f.fifo", "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}",
                                    &fifo_topic), AEV_OK);
  aev_queue *q[5], *churn_q, *fq;
  for (int k = 0; k < 4; k++) {
    char name[8], *arn;
    snprintf(name, sizeof name, "q%d", k);
    ck_assert_int_eq(aev_queue_create(b, name, "{\"VisibilityTimeout\":\"600\"}", &q[k]), AEV_OK);
    ck_assert_int_eq(aev_topic_subscribe(std_topic, "sqs", aev_queue_arn(q[k]),
                                         k == 3 ? "{\"RawMessageDelivery\":\"true\",\"FilterPolicy\":\"{\\\"parity\\\":[\\\"even\\\"]}\"}"
                                                : "{\"RawMessageDelivery\":\"true\"}",
                                         &arn), AEV_OK);
    aev_free(arn);
  }
  ck_assert_int_eq(aev_queue_create(b, "churn", NULL, &churn_q), AEV_OK);
  ck_assert_int_eq(aev_queue_create(b, "f.fifo", "{\"FifoQueue\":\"true\",\"VisibilityTimeout\":\"600\"}", &fq), AEV_OK);
  char *arn;
  ck_assert_int_eq(aev_topic_subscribe(fifo_topic, "sqs", aev_queue_arn(fq), "{\"RawMessageDelivery\":\"true\"}", &arn), AEV_OK);
  aev_free(arn);
  ck_assert_int_eq(aev_topic_subscribe_callback(std_topic, "https", "https://example.com/x", on_post,
                                                std_topic, NULL, NULL, &arn), AEV_OK);
  aev_free(arn);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK); /* the confirmation */
  pthread_t th[2 * PUBLISHERS + 1];
  pthread_create(&th[2 * PUBLISHERS], NULL, churn, churn_q);
  for (int i = 0; i < PUBLISHERS; i++) {
    pthread_create(&th[i], NULL, publisher, (void *)(intptr_t)i);
    pthread_create(&th[PUBLISHERS + i], NULL, fifo_publisher, (void *)(intptr_t)i);
  }
  for (int i = 0; i < 2 * PUBLISHERS; i++) pthread_join(th[i], NULL);
  atomic_store(&churn_stop, 1);
  pthread_join(th[2 * PUBLISHERS], NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  int order_ok = 1;
  for (int k = 0; k < 3; k++) ck_assert_int_eq(drain_count(q[k], 0, &order_ok), total);
  ck_assert_int_eq(drain_count(q[3], 0, &order_ok), total / 2);
  ck_assert_int_eq(drain_count(fq, 1, &order_ok), total / 4);
  ck_assert(order_ok);
  ck_assert_int_eq(atomic_load(&callback_calls), total);
  int64_t published;
  ck_assert_int_eq(aev_topic_counter(std_topic, "NumberOfMessagesPublished", &published), AEV_OK);
  ck_assert_int_eq(published, total);
  /* Every raw, filtered and callback delivery counted (the churn queue's
   * add an unknown number more). */
  int64_t delivered;
  ck_assert_int_eq(aev_topic_counter(std_topic, "NumberOfNotificationsDelivered", &delivered),
                   AEV_OK);
  ck_assert_int_ge(delivered, 3 * total + total / 2 + total);
  for (int k = 0; k < 4; k++) aev_queue_release(q[k]);
  aev_queue_release(churn_q);
  aev_queue_release(fq);
  aev_topic_release(std_topic);
  aev_topic_release(fifo_topic);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
}
END_TEST

/* Plain raw publishes keep their notes on the publisher's stack and give
 * their sends every reference to the body. Here each publish's second send
 * fails (the body is over that queue's MaximumMessageSize) while consumers
 * delete what the first stored, so the body may already be gone when the
 * failed send takes the full path, which must make its own. */
static aev_topic *plain_topic;
static aev_queue *plain_ok;
static atomic_int plain_consumed;

static void *plain_publisher(void *arg) {
  int id = (int)(intptr_t)arg;
  char msg[1500];
  memset(msg, 'a', sizeof msg);
  for (int i = id; i < total; i += 2) {
    int n = snprintf(msg, sizeof msg, "%d:", i);
    msg[n] = 'a';
    ck_assert_int_eq(aev_topic_publish(plain_topic, msg, sizeof msg, NULL, NULL, NULL), AEV_OK);
  }
  return NULL;
}

static void *plain_consumer(void *arg) {
  (void)arg;
  while (atomic_load(&plain_consumed) < total) {
    aev_message *m[10];
    size_t got = 0;
    ck_assert_int_eq(aev_queue_receive(plain_ok, 10, 100, NULL, m, &got), AEV_OK);
    for (size_t i = 0; i < got; i++) {
      size_t len;
      aev_message_body(m[i], &len);
      ck_assert_uint_eq(len, 1500);
      ck_assert_int_eq(aev_queue_delete_message(plain_ok, aev_message_receipt_handle(m[i])), AEV_OK);
      aev_message_free(m[i]);
    }
    atomic_fetch_add(&plain_consumed, (int)got);
  }
  return NULL;
}

START_TEST(plain_publishes_whose_last_send_fails) {
  start_broker();
  ck_assert_int_eq(aev_topic_create(b, "plain", NULL, &plain_topic), AEV_OK);
  aev_queue *small;
  ck_assert_int_eq(aev_queue_create(b, "ok", NULL, &plain_ok), AEV_OK);
  ck_assert_int_eq(aev_queue_create(b, "small", "{\"MaximumMessageSize\":\"1024\"}", &small), AEV_OK);
  char *arn;
  ck_assert_int_eq(aev_topic_subscribe(plain_topic, "sqs", aev_queue_arn(plain_ok),
                                       "{\"RawMessageDelivery\":\"true\"}", &arn), AEV_OK);
  aev_free(arn);
  ck_assert_int_eq(aev_topic_subscribe(plain_topic, "sqs", aev_queue_arn(small),
                                       "{\"RawMessageDelivery\":\"true\"}", &arn), AEV_OK);
  aev_free(arn);
  pthread_t th[4];
  for (int i = 0; i < 2; i++) {
    pthread_create(&th[i], NULL, plain_consumer, NULL);
    pthread_create(&th[2 + i], NULL, plain_publisher, (void *)(intptr_t)i);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(atomic_load(&plain_consumed), total);
  int64_t delivered, failed;
  ck_assert_int_eq(aev_topic_counter(plain_topic, "NumberOfNotificationsDelivered", &delivered), AEV_OK);
  ck_assert_int_eq(aev_topic_counter(plain_topic, "NumberOfNotificationsFailed", &failed), AEV_OK);
  ck_assert_int_eq(delivered, total);
  ck_assert_int_eq(failed, total);
  aev_queue_release(plain_ok);
  aev_queue_release(small);
  aev_topic_release(plain_topic);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_topic");
  TCase *tc = tcase_create("topic");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, fan_out_under_threads);
  tcase_add_test(tc, plain_publishes_whose_last_send_fails);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
