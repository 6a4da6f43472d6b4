/* Stress (run under ThreadSanitizer in CI): a real-clock broker with
 * workers; 4 threads put events for a rule whose target is an API
 * destination while another thread keeps registering, replacing and
 * removing the endpoint callback of a longer URL prefix than the one that
 * always answers. Every event is answered exactly once, by one callback or
 * the other, and after the broker's destroy every registration has been
 * released exactly once. 4,000 events (1,000 with CI). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define PUTTERS 4

static aev_broker *b;
static aev_bus *bus;
static int per_thread;
static atomic_int answered, registered, released, stop;

static void answer(void *user, aev_http_request *r) {
  (void)user;
  atomic_fetch_add(&answered, 1);
  aev_http_request_respond(r, 200, NULL, 0);
}

static void release(void *user) {
  (void)user;
  atomic_fetch_add(&released, 1);
}

static void *putter(void *arg) {
  (void)arg;
  for (int i = 0; i < per_thread; i++)
    ck_assert_int_eq(aev_bus_put_event(bus, "s", "x", "{}", 2, NULL), AEV_OK);
  return NULL;
}

static void *churner(void *arg) {
  (void)arg;
  for (int round = 0; !atomic_load(&stop); round++) {
    ck_assert_int_eq(aev_endpoint_register(b, "https://api.example/hook", answer, NULL, release),
                     AEV_OK);
    atomic_fetch_add(&registered, 1);
    if (round % 2) ck_assert_int_eq(aev_endpoint_remove(b, "https://api.example/hook"), AEV_OK);
  }
  return NULL;
}

static json_t *call(const char *action, const char *req) {
  char *out = NULL;
  ck_assert_int_eq(aev_call(b, "events", action, req, &out), AEV_OK);
  json_t *o = json_loads(out, 0, NULL);
  aev_free(out);
  return o;
}

START_TEST(endpoints_churn_while_events_flow) {
  per_thread = getenv("CI") ? 250 : 1000;
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  ck_assert_int_eq(aev_bus_get(b, "default", &bus), AEV_OK);
  ck_assert_int_eq(aev_endpoint_register(b, "https://api.example/", answer, NULL, release),
                   AEV_OK);
  atomic_fetch_add(&registered, 1);
  json_t *c = call("CreateConnection",
                   "{\"Name\":\"c\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{"
                   "\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\",\"ApiKeyValue\":\"v\"}}}");
  char req[512];
  /* A rate high enough that no event waits for its slot. */
  snprintf(req, sizeof req,
           "{\"Name\":\"d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"POST\","
           "\"InvocationEndpoint\":\"https://api.example/hook\","
           "\"InvocationRateLimitPerSecond\":2000000000}",
           json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
  json_t *d = call("CreateApiDestination", req);
  ck_assert_int_eq(aev_bus_put_rule(bus, "r", "{\"source\":[\"s\"]}", NULL, 1, NULL), AEV_OK);
  snprintf(req, sizeof req, "[{\"Id\":\"t\",\"Arn\":\"%s\"}]",
           json_string_value(json_object_get(d, "ApiDestinationArn")));
  json_decref(d);
  ck_assert_int_eq(aev_bus_put_targets(bus, "r", req, NULL), AEV_OK);
  pthread_t t[PUTTERS], ch;
  pthread_create(&ch, NULL, churner, NULL);
  for (int i = 0; i < PUTTERS; i++) pthread_create(&t[i], NULL, putter, NULL);
  for (int i = 0; i < PUTTERS; i++) pthread_join(t[i], NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  atomic_store(&stop, 1);
  pthread_join(ch, NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(atomic_load(&answered), PUTTERS * per_thread);
  aev_bus_release(bus);
  aev_broker_destroy(b);
  ck_assert_int_eq(atomic_load(&released), atomic_load(&registered));
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_endpoint");
  TCase *tc = tcase_create("stress");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, endpoints_churn_while_events_flow);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
