/* Stress (run under ThreadSanitizer in CI): a real-clock broker with two
 * workers; 4 threads publish 1,000 texts each, half to a phone number and
 * half through a topic with an sms and an email-json subscription, while
 * a reader thread takes the outbox as it fills and a churn thread opts a
 * number out and in that no message goes to. At the end the reader has
 * taken every delivery exactly once, with no MessageId twice. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define PUBLISHERS 4
/* 6,000 deliveries in all, under the outbox's 10,000: the reader may fall
 * behind on a busy machine (it did, at 12,000), and none may be dropped. */
#define EACH 1000

static aev_broker *b;
static char topic[256];
static atomic_int stop;
static json_t *seen; /* MessageId + Destination -> true, the reader's */
static long taken;

static void call_ok(const char *action, json_t *req, json_t **out) {
  char *text = json_dumps(req, JSON_COMPACT), *resp = NULL;
  json_decref(req);
  int rc = aev_call(b, "sns", action, text, &resp);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, resp ? resp : "");
  if (out) *out = json_loads(resp, 0, NULL);
  aev_free(resp);
  free(text);
}

static void *publisher(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; i < EACH; i++) {
    char m[32];
    snprintf(m, sizeof m, "p%d-%d", id, i);
    if (i % 2)
      call_ok("Publish", json_pack("{s:s,s:s}", "PhoneNumber", "+15551230000", "Message", m), NULL);
    else
      call_ok("Publish", json_pack("{s:s,s:s}", "TopicArn", topic, "Message", m), NULL);
  }
  return NULL;
}

/* Takes what the outbox holds; counts and checks each delivery once. */
static void take(void) {
  char *text = NULL;
  ck_assert_int_eq(aev_sns_outbox_read(b, 0, &text), AEV_OK);
  json_t *o = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Dropped")), 0);
  json_t *d;
  size_t i;
  json_array_foreach(json_object_get(o, "Deliveries"), i, d) {
    char key[512];
    snprintf(key, sizeof key, "%s %s", json_string_value(json_object_get(d, "MessageId")),
             json_string_value(json_object_get(d, "Destination")));
    ck_assert_msg(!json_object_get(seen, key), "delivered twice: %s", key);
    json_object_set_new(seen, key, json_true());
    taken++;
  }
  json_decref(o);
}

static void *reader(void *arg) {
  (void)arg;
  while (!atomic_load(&stop)) take();
  return NULL;
}

static void *churn(void *arg) {
  (void)arg;
  while (!atomic_load(&stop)) {
    ck_assert_int_eq(aev_sns_phone_opt_out(b, "+15559990000"), AEV_OK);
    call_ok("OptInPhoneNumber", json_pack("{s:s}", "phoneNumber", "+15559990000"), NULL);
  }
  return NULL;
}

START_TEST(outbox_under_load) {
  b = aev_test_real_broker(2);
  seen = json_object();
  json_t *t;
  call_ok("CreateTopic", json_pack("{s:s}", "Name", "t"), &t);
  snprintf(topic, sizeof topic, "%s", json_string_value(json_object_get(t, "TopicArn")));
  json_decref(t);
  call_ok("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", topic, "Protocol", "sms",
                                 "Endpoint", "+15557654321"), NULL);
  call_ok("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", topic, "Protocol", "email-json",
                                 "Endpoint", "bot@example.com"), NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *text = NULL;
  ck_assert_int_eq(aev_sns_outbox_read(b, 0, &text), AEV_OK);
  json_t *o = json_loads(text, 0, NULL);
  aev_free(text);
  const char *token = json_string_value(
      json_object_get(json_array_get(json_object_get(o, "Deliveries"), 0), "Token"));
  call_ok("ConfirmSubscription", json_pack("{s:s,s:s}", "TopicArn", topic, "Token", token), NULL);
  json_decref(o);

  pthread_t pubs[PUBLISHERS], rd, ch;
  pthread_create(&rd, NULL, reader, NULL);
  pthread_create(&ch, NULL, churn, NULL);
  for (int i = 0; i < PUBLISHERS; i++)
    pthread_create(&pubs[i], NULL, publisher, (void *)(intptr_t)i);
  for (int i = 0; i < PUBLISHERS; i++) pthread_join(pubs[i], NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  atomic_store(&stop, 1);
  pthread_join(rd, NULL);
  pthread_join(ch, NULL);
  take();
  /* Half direct (one each), half through the topic (sms and email-json). */
  ck_assert_int_eq(taken, PUBLISHERS * EACH / 2 + PUBLISHERS * EACH / 2 * 2);
  json_decref(seen);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_sns_outbox");
  TCase *tc = tcase_create("outbox");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, outbox_under_load);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
