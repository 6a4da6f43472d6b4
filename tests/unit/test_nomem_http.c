/* Connections, API destinations and their invocations when memory runs
 * out (nomem.h): each allocation of the call fails in turn; the call then
 * answers AEV_ERR_NOMEM and stores nothing, or succeeds whole; an event
 * for an API destination is delivered once or dead-lettered, never lost;
 * an SNS notification to an https endpoint arrives once; a global
 * endpoint is made, changed or deleted whole, or left as it was. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "bus_support.h"
#include "nomem.h"

typedef struct world {
  char req[512]; /* CreateApiDestination's request */
  aev_broker *b;
  aev_bus *def;
  aev_queue *dlq;
  int delivered;
} world;

static void endpoint(void *user, aev_http_request *r) {
  ((world *)user)->delivered++;
  aev_http_request_respond(r, 200, NULL, 0);
}

static void world_new(void *ctx) {
  world *w = ctx;
  w->b = bt_broker();
  w->delivered = 0;
  bt_ok(aev_bus_get(w->b, "default", &w->def));
  w->dlq = bt_queue(w->b, "dlq", NULL);
}

static void world_free(void *ctx) {
  world *w = ctx;
  aev_queue_release(w->dlq);
  aev_bus_release(w->def);
  aev_broker_destroy(w->b);
}

static const char CONNECTION[] =
    "{\"Name\":\"c\",\"AuthorizationType\":\"BASIC\",\"Description\":\"d\",\"AuthParameters\":{"
    "\"BasicAuthParameters\":{\"Username\":\"u\",\"Password\":\"p\"},"
    "\"InvocationHttpParameters\":{\"HeaderParameters\":[{\"Key\":\"k\",\"Value\":\"v\"}]}}}";

/* What ListConnections and ListApiDestinations show. */
static json_t *stored(void *ctx) {
  world *w = ctx;
  char *c = NULL, *d = NULL;
  bt_ok(aev_bus_list_connections(w->b, NULL, &c));
  bt_ok(aev_bus_list_api_destinations(w->b, NULL, &d));
  json_t *o = json_pack("{s:s,s:s}", "c", c, "d", d);
  aev_free(c);
  aev_free(d);
  return o;
}

static int create_connection(void *ctx) {
  return aev_bus_create_connection(((world *)ctx)->b, CONNECTION, NULL);
}

static void connection_there(void *ctx, const nomem_attempt *a) {
  char *out = NULL;
  int rc = aev_bus_describe_connection(((world *)ctx)->b, "c", &out);
  ck_assert_msg(rc == AEV_OK, "allocation %ld: connection missing", a->k);
  ck_assert_ptr_nonnull(strstr(out, "\"AUTHORIZED\""));
  aev_free(out);
}

START_TEST(create_connection_whole_or_not_at_all) {
  static const nomem_case c = {.what = "CreateConnection", .fresh = world_new, .state = stored,
                               .call = create_connection, .succeeded = connection_there,
                               .end = world_free, .expect = NOMEM_ALLOCATES};
  world w;
  nomem_sweep(&c, &w);
}
END_TEST

/* A connection and an API destination on it, and a rule whose target it
 * is, with a dead-letter queue. */
static void with_destination(void *ctx) {
  world *w = ctx;
  char *out = NULL;
  bt_ok(aev_bus_create_connection(w->b, CONNECTION, &out));
  json_t *c = json_loads(out, 0, NULL);
  aev_free(out);
  char req[512];
  snprintf(req, sizeof req,
           "{\"Name\":\"d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"POST\","
           "\"InvocationEndpoint\":\"https://api.example/*\"}",
           json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
  bt_ok(aev_endpoint_register(w->b, "https://api.example/", endpoint, w, NULL));
  bt_ok(aev_bus_create_api_destination(w->b, req, NULL));
}

static int create_destination(void *ctx) {
  world *w = ctx;
  return aev_bus_create_api_destination(w->b, w->req, NULL);
}

/* The connection, and the request for an API destination on it. */
static void connection_only(void *ctx) {
  world *w = ctx;
  char *out = NULL;
  bt_ok(aev_bus_create_connection(w->b, CONNECTION, &out));
  json_t *c = json_loads(out, 0, NULL);
  aev_free(out);
  snprintf(w->req, sizeof w->req,
           "{\"Name\":\"d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"POST\","
           "\"InvocationEndpoint\":\"https://api.example/x\",\"Description\":\"y\"}",
           json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
}

START_TEST(create_api_destination_whole_or_not_at_all) {
  static const nomem_case c = {.what = "CreateApiDestination", .fresh = world_new,
                               .setup = connection_only, .state = stored,
                               .call = create_destination, .end = world_free,
                               .expect = NOMEM_ALLOCATES};
  world w;
  nomem_sweep(&c, &w);
}
END_TEST

static void target(world *w) {
  char *out = NULL;
  bt_ok(aev_bus_describe_api_destination(w->b, "d", &out));
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  char spec[1024];
  snprintf(spec, sizeof spec,
           "[{\"Id\":\"t\",\"Arn\":\"%s\",\"HttpParameters\":{\"PathParameterValues\":"
           "[\"$.detail.id\"],\"HeaderParameters\":{\"h\":\"$.source\"}},"
           "\"DeadLetterConfig\":{\"Arn\":\"%s\"}}]",
           json_string_value(json_object_get(d, "ApiDestinationArn")), aev_queue_arn(w->dlq));
  json_decref(d);
  bt_ok(aev_bus_put_rule(w->def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_targets(w->def, "r", spec, NULL));
}

static void destination_and_target(void *ctx) {
  with_destination(ctx);
  target(ctx);
}

static int put_and_drain(void *ctx) {
  world *w = ctx;
  int rc = aev_bus_put_event(w->def, "a", "t", "{\"id\":\"x\"}", 10, NULL);
  return rc ? rc : aev_broker_drain(w->b);
}

static void delivered_or_dead_lettered(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  bt_delivered_or_dead_lettered(w->b, w->dlq, &w->delivered, a->rc != 0, a->k);
}

START_TEST(invocation_never_drops_the_event) {
  static const nomem_case c = {
      .what = "PutEvents to an API destination", .fresh = world_new,
      .setup = destination_and_target, .call = put_and_drain,
      .succeeded = delivered_or_dead_lettered, .failed = delivered_or_dead_lettered,
      .end = world_free, .expect = NOMEM_ANY};
  world w;
  ck_assert_int_gt(nomem_sweep(&c, &w).injected, 0);
}
END_TEST

/* An https subscription made through the API, confirmed: the endpoint
 * counts its notifications (w->delivered) and keeps the confirmation's
 * Token. */
static char token[128];

static void sns_endpoint(void *user, aev_http_request *r) {
  json_t *h = json_loads(aev_http_request_headers(r), 0, NULL);
  if (!strcmp(json_string_value(json_object_get(h, "x-amz-sns-message-type")), "Notification")) {
    ((world *)user)->delivered++;
  } else {
    json_t *c = json_loads(aev_http_request_body(r, NULL), 0, NULL);
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(c, "Token")));
    json_decref(c);
  }
  json_decref(h);
  aev_http_request_respond(r, 200, NULL, 0);
}

static void confirmed_subscription(void *ctx) {
  world *w = ctx;
  bt_ok(aev_endpoint_register(w->b, "https://hooks.example.com/", sns_endpoint, w, NULL));
  json_decref(aev_test_call(w->b, "sns", "CreateTopic", "{\"Name\":\"t\"}", AEV_OK));
  json_decref(aev_test_call(w->b, "sns", "Subscribe",
                            "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\","
                            "\"Protocol\":\"https\",\"Endpoint\":\"https://hooks.example.com/\"}",
                            AEV_OK));
  bt_ok(aev_broker_drain(w->b));
  char req[256];
  snprintf(req, sizeof req,
           "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\",\"Token\":\"%s\"}", token);
  json_decref(aev_test_call(w->b, "sns", "ConfirmSubscription", req, AEV_OK));
}

static int publish_and_drain(void *ctx) {
  world *w = ctx;
  char *out = NULL;
  int rc = aev_call(w->b, "sns", "Publish",
                    "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\",\"Message\":\"m\"}",
                    &out);
  aev_free(out);
  return rc ? rc : aev_broker_drain(w->b);
}

/* A POST that could not be made is retried by the delivery policy: the
 * endpoint gets the notification once, or never when Publish failed. A
 * delivery that could not even be set up is counted as failed, the one way
 * it may go missing. */
static void notified_once(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  bt_ok(aev_broker_advance(w->b, 120000));
  aev_topic *t;
  int64_t failed = 0;
  bt_ok(aev_topic_get(w->b, "t", &t));
  bt_ok(aev_topic_counter(t, "NumberOfNotificationsFailed", &failed));
  aev_topic_release(t);
  ck_assert_msg(w->delivered + failed == !a->rc, "allocation %ld (rc %d): %d notifications, %lld failed",
                a->k, a->rc, w->delivered, (long long)failed);
}

START_TEST(sns_endpoint_posts_never_lost) {
  static const nomem_case c = {.what = "Publish to an https subscription", .fresh = world_new,
                               .setup = confirmed_subscription, .call = publish_and_drain,
                               .succeeded = notified_once, .failed = notified_once,
                               .end = world_free, .expect = NOMEM_ANY};
  world w;
  ck_assert_int_gt(nomem_sweep(&c, &w).injected, 0);
}
END_TEST

static const char ENDPOINT[] =
    "{\"Name\":\"ep\",\"RoutingConfig\":{\"FailoverConfig\":{\"Primary\":{\"HealthCheck\":"
    "\"arn:aws:route53:::healthcheck/abc\"},\"Secondary\":{\"Route\":\"us-east-2\"}}},"
    "\"EventBuses\":[{\"EventBusArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/prod\"},"
    "{\"EventBusArn\":\"arn:aws:events:us-east-2:000000000000:event-bus/prod\"}],"
    "\"ReplicationConfig\":{\"State\":\"DISABLED\"}}";

static int events_call(void *ctx, const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(((world *)ctx)->b, "events", action, req, &out);
  aev_free(out);
  return rc;
}

/* What ListEndpoints shows. */
static json_t *endpoints(void *ctx) {
  char *out = NULL;
  bt_ok(aev_call(((world *)ctx)->b, "events", "ListEndpoints", "{}", &out));
  json_t *o = json_loads(out, 0, NULL);
  aev_free(out);
  return o;
}

static void endpoint_state_is(void *ctx, const nomem_attempt *a, const char *state) {
  json_t *l = endpoints(ctx);
  const char *got =
      json_string_value(json_object_get(json_array_get(json_object_get(l, "Endpoints"), 0), "State"));
  ck_assert_msg(got && !strcmp(got, state), "allocation %ld: endpoint %s, not %s", a->k,
                got ? got : "missing", state);
  json_decref(l);
}

static void bus_only(void *ctx) {
  bt_ok(events_call(ctx, "CreateEventBus", "{\"Name\":\"prod\"}"));
}

static void active_endpoint(void *ctx) {
  bus_only(ctx);
  bt_ok(events_call(ctx, "CreateEndpoint", ENDPOINT));
  bt_ok(aev_broker_advance(((world *)ctx)->b, 2000));
}

static int create_endpoint(void *ctx) {
  return events_call(ctx, "CreateEndpoint", ENDPOINT);
}

static void endpoint_creating(void *ctx, const nomem_attempt *a) {
  endpoint_state_is(ctx, a, "CREATING");
}

static int update_endpoint(void *ctx) {
  return events_call(ctx, "UpdateEndpoint",
                     "{\"Name\":\"ep\",\"Description\":\"d\",\"RoleArn\":"
                     "\"arn:aws:iam::000000000000:role/r\"}");
}

static void endpoint_updating(void *ctx, const nomem_attempt *a) {
  endpoint_state_is(ctx, a, "UPDATING");
}

static int delete_endpoint(void *ctx) {
  return events_call(ctx, "DeleteEndpoint", "{\"Name\":\"ep\"}");
}

static void endpoint_deleting(void *ctx, const nomem_attempt *a) {
  endpoint_state_is(ctx, a, "DELETING");
}

START_TEST(endpoints_whole_or_not_at_all) {
  static const nomem_case cases[] = {
      {.what = "CreateEndpoint", .fresh = world_new, .setup = bus_only, .state = endpoints,
       .call = create_endpoint, .succeeded = endpoint_creating, .end = world_free,
       .expect = NOMEM_FAILS_SOME},
      {.what = "UpdateEndpoint", .fresh = world_new, .setup = active_endpoint,
       .state = endpoints, .call = update_endpoint, .succeeded = endpoint_updating,
       .end = world_free, .expect = NOMEM_FAILS_SOME},
      {.what = "DeleteEndpoint", .fresh = world_new, .setup = active_endpoint,
       .state = endpoints, .call = delete_endpoint, .succeeded = endpoint_deleting,
       .end = world_free, .expect = NOMEM_NEVER_FAILS},
  };
  world w;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) nomem_sweep(&cases[i], &w);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_http");
  TCase *tc = tcase_create("nomem");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, create_connection_whole_or_not_at_all);
  tcase_add_test(tc, create_api_destination_whole_or_not_at_all);
  tcase_add_test(tc, invocation_never_drops_the_event);
  tcase_add_test(tc, sns_endpoint_posts_never_lost);
  tcase_add_test(tc, endpoints_whole_or_not_at_all);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
