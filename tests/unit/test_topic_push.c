/* Mobile push through SNS, recorded in the outbox: platform applications,
 * their endpoints (Enabled, token idempotency), Publish to an endpoint
 * with per-platform payloads, and application subscriptions. */
#include "aevtest.h"
#include "outbox_support.h"

/* CreatePlatformApplication: its ARN into arn. */
static void app(const char *name, const char *platform, char arn[256]) {
  json_t *r = sns("CreatePlatformApplication",
                  json_pack("{s:s,s:s,s:{s:s}}", "Name", name, "Platform", platform, "Attributes",
                            "PlatformCredential", "secret"));
  str_of(r, "PlatformApplicationArn", arn, 256);
  json_decref(r);
}

static void endpoint(const char *app_arn, const char *token, char arn[256]) {
  json_t *r = sns("CreatePlatformEndpoint",
                  json_pack("{s:s,s:s}", "PlatformApplicationArn", app_arn, "Token", token));
  str_of(r, "EndpointArn", arn, 256);
  json_decref(r);
}

START_TEST(platform_applications) {
  char a[256];
  app("shop", "GCM", a);
  ck_assert_str_eq(a, "arn:aws:sns:us-east-1:000000000000:app/GCM/shop");
  json_t *g = sns("GetPlatformApplicationAttributes", json_pack("{s:s}", "PlatformApplicationArn", a));
  json_t *attrs = json_object_get(g, "Attributes");
  /* The credential is not shown back. */
  ck_assert_ptr_null(json_object_get(attrs, "PlatformCredential"));
  ck_assert_str_eq(json_string_value(json_object_get(attrs, "Enabled")), "true");
  json_decref(g);
  json_decref(sns("SetPlatformApplicationAttributes",
                  json_pack("{s:s,s:{s:s}}", "PlatformApplicationArn", a, "Attributes",
                            "EventEndpointCreated", "arn:aws:sns:us-east-1:000000000000:ev")));
  g = sns("ListPlatformApplications", json_object());
  json_t *list = json_object_get(g, "PlatformApplications");
  ck_assert_int_eq(json_array_size(list), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(list, 0),
                   "Attributes"), "EventEndpointCreated")), "arn:aws:sns:us-east-1:000000000000:ev");
  json_decref(g);
  sns_fails("CreatePlatformApplication",
            json_pack("{s:s,s:s,s:{}}", "Name", "x", "Platform", "SMOKE", "Attributes"),
            "InvalidParameter", NULL);
  sns_fails("CreatePlatformApplication",
            json_pack("{s:s,s:s,s:{}}", "Name", "bad name", "Platform", "GCM", "Attributes"),
            "InvalidParameter", NULL);
  sns_fails("SetPlatformApplicationAttributes",
            json_pack("{s:s,s:{s:s}}", "PlatformApplicationArn", a, "Attributes", "Enabled", "maybe"),
            "InvalidParameter", NULL);
  char e[256];
  endpoint(a, "tok", e);
  json_decref(sns("DeletePlatformApplication", json_pack("{s:s}", "PlatformApplicationArn", a)));
  /* Its endpoints went with it; deleting again succeeds. */
  sns_fails("GetEndpointAttributes", json_pack("{s:s}", "EndpointArn", e), "NotFound",
            "Endpoint does not exist");
  json_decref(sns("DeletePlatformApplication", json_pack("{s:s}", "PlatformApplicationArn", a)));
  sns_fails("GetPlatformApplicationAttributes", json_pack("{s:s}", "PlatformApplicationArn", a),
            "NotFound", "PlatformApplication does not exist");
  sns_fails("ListEndpointsByPlatformApplication", json_pack("{s:s}", "PlatformApplicationArn", a),
            "NotFound", NULL);
}
END_TEST

START_TEST(endpoints_and_token_idempotency) {
  char a[256], e[256], again[256];
  app("shop", "APNS", a);
  endpoint(a, "device-1", e);
  ck_assert(!strncmp(e, "arn:aws:sns:us-east-1:000000000000:endpoint/APNS/shop/", 54));
  /* The same token and attributes: the same endpoint. */
  endpoint(a, "device-1", again);
  ck_assert_str_eq(again, e);
  char msg[512];
  snprintf(msg, sizeof msg, "Invalid parameter: Token Reason: Endpoint %s already exists with "
           "the same Token, but different attributes.", e);
  sns_fails("CreatePlatformEndpoint",
            json_pack("{s:s,s:s,s:s}", "PlatformApplicationArn", a, "Token", "device-1",
                      "CustomUserData", "someone"),
            "InvalidParameter", msg);
  sns_fails("CreatePlatformEndpoint",
            json_pack("{s:s,s:s}", "PlatformApplicationArn", "arn:aws:sns:us-east-1:000000000000:app/GCM/none",
                      "Token", "t"),
            "NotFound", "PlatformApplication does not exist");
  json_t *g = sns("GetEndpointAttributes", json_pack("{s:s}", "EndpointArn", e));
  json_t *attrs = json_object_get(g, "Attributes");
  ck_assert_str_eq(json_string_value(json_object_get(attrs, "Token")), "device-1");
  ck_assert_str_eq(json_string_value(json_object_get(attrs, "Enabled")), "true");
  json_decref(g);
  json_decref(sns("SetEndpointAttributes", json_pack("{s:s,s:{s:s,s:s}}", "EndpointArn", e,
                                                     "Attributes", "Enabled", "false",
                                                     "CustomUserData", "u1")));
  sns_fails("SetEndpointAttributes",
            json_pack("{s:s,s:{s:s}}", "EndpointArn", e, "Attributes", "Enabled", "no"),
            "InvalidParameter", NULL);
  g = sns("ListEndpointsByPlatformApplication", json_pack("{s:s}", "PlatformApplicationArn", a));
  json_t *list = json_object_get(g, "Endpoints");
  ck_assert_int_eq(json_array_size(list), 1);
  attrs = json_object_get(json_array_get(list, 0), "Attributes");
  ck_assert_str_eq(json_string_value(json_object_get(attrs, "Enabled")), "false");
  ck_assert_str_eq(json_string_value(json_object_get(attrs, "CustomUserData")), "u1");
  json_decref(g);
  json_decref(sns("DeleteEndpoint", json_pack("{s:s}", "EndpointArn", e)));
  json_decref(sns("DeleteEndpoint", json_pack("{s:s}", "EndpointArn", e)));
  sns_fails("GetEndpointAttributes", json_pack("{s:s}", "EndpointArn", e), "NotFound", NULL);
}
END_TEST

START_TEST(publish_to_an_endpoint) {
  char gcm[256], apns[256], e1[256], e2[256];
  app("shop", "GCM", gcm);
  app("shop", "APNS_SANDBOX", apns);
  endpoint(gcm, "android-1", e1);
  endpoint(apns, "iphone-1", e2);
  const char *payload = "{\"default\":\"plain\",\"GCM\":\"{\\\"notification\\\":{\\\"title\\\":\\\"hi\\\"}}\"}";
  json_t *r = sns("Publish", json_pack("{s:s,s:s,s:s}", "TargetArn", e1, "Message", payload,
                                       "MessageStructure", "json"));
  char id[64];
  str_of(r, "MessageId", id, sizeof id);
  json_decref(r);
  json_decref(sns("Publish", json_pack("{s:s,s:s,s:s}", "TargetArn", e2, "Message", payload,
                                       "MessageStructure", "json")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 2);
  ck_assert_str_eq(field(d, 0, "Protocol"), "application");
  ck_assert_str_eq(field(d, 0, "Destination"), e1);
  ck_assert_str_eq(field(d, 0, "Platform"), "GCM");
  ck_assert_str_eq(field(d, 0, "Token"), "android-1");
  ck_assert_str_eq(field(d, 0, "Message"), "{\"notification\":{\"title\":\"hi\"}}");
  ck_assert_str_eq(field(d, 0, "MessageId"), id);
  /* No APNS_SANDBOX entry: the default. */
  ck_assert_str_eq(field(d, 1, "Platform"), "APNS_SANDBOX");
  ck_assert_str_eq(field(d, 1, "Message"), "plain");
  json_decref(d);
  /* A disabled endpoint is refused and gets nothing. */
  json_decref(sns("SetEndpointAttributes", json_pack("{s:s,s:{s:s}}", "EndpointArn", e1,
                                                     "Attributes", "Enabled", "false")));
  sns_fails("Publish", json_pack("{s:s,s:s}", "TargetArn", e1, "Message", "m"), "EndpointDisabled",
            "Endpoint is disabled");
  /* So is one of a disabled application. */
  json_decref(sns("SetPlatformApplicationAttributes",
                  json_pack("{s:s,s:{s:s}}", "PlatformApplicationArn", apns, "Attributes",
                            "Enabled", "false")));
  sns_fails("Publish", json_pack("{s:s,s:s}", "TargetArn", e2, "Message", "m"),
            "PlatformApplicationDisabled", NULL);
  sns_fails("Publish", json_pack("{s:s,s:s}", "TargetArn",
                                 "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/shop/none", "Message", "m"),
            "InvalidParameter",
            "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified");
  sns_fails("Publish", json_pack("{s:s,s:s}", "TargetArn", e1, "Message", ""), "InvalidParameter",
            "Invalid parameter: Empty message");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
}
END_TEST

START_TEST(application_subscriptions) {
  char t[256], a[256], e[256], arn[256];
  topic("promos", t);
  app("shop", "GCM", a);
  endpoint(a, "android-1", e);
  json_t *s = sns("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "application",
                                         "Endpoint", e));
  str_of(s, "SubscriptionArn", arn, sizeof arn);
  ck_assert(!strncmp(arn, t, strlen(t)));
  json_decref(s);
  sns_fails("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "application",
                                   "Endpoint", "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/shop/none"),
            "InvalidParameter", NULL);
  json_decref(sns("Publish", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Message",
                                       "{\"default\":\"d\",\"GCM\":\"g\"}", "MessageStructure", "json")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  ck_assert_str_eq(field(d, 0, "Message"), "g");
  ck_assert_str_eq(field(d, 0, "Destination"), e);
  ck_assert_str_eq(field(d, 0, "SubscriptionArn"), arn);
  json_decref(d);
  /* Disabled by the time the delivery runs: nothing is sent. */
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "TopicArn", t, "Message", "x")));
  json_decref(sns("SetEndpointAttributes", json_pack("{s:s,s:{s:s}}", "EndpointArn", e,
                                                     "Attributes", "Enabled", "false")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
}
END_TEST

START_TEST(endpoints_come_100_a_page) {
  char a[256], other[256], e[256];
  app("shop", "GCM", a);
  app("other", "GCM", other);
  endpoint(other, "elsewhere", e);
  for (int i = 0; i < 101; i++) {
    char tok[32];
    snprintf(tok, sizeof tok, "device-%d", i);
    endpoint(a, tok, e);
  }
  json_t *r = sns("ListEndpointsByPlatformApplication", json_pack("{s:s}", "PlatformApplicationArn", a));
  ck_assert_int_eq(json_array_size(json_object_get(r, "Endpoints")), 100);
  char token[512];
  str_of(r, "NextToken", token, sizeof token);
  json_decref(r);
  r = sns("ListEndpointsByPlatformApplication",
          json_pack("{s:s,s:s}", "PlatformApplicationArn", a, "NextToken", token));
  /* The other application's endpoint is never listed. */
  ck_assert_int_eq(json_array_size(json_object_get(r, "Endpoints")), 1);
  ck_assert_ptr_null(json_object_get(r, "NextToken"));
  json_decref(r);
  r = sns("ListPlatformApplications", json_object());
  ck_assert_int_eq(json_array_size(json_object_get(r, "PlatformApplications")), 2);
  ck_assert_ptr_null(json_object_get(r, "NextToken"));
  json_decref(r);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_push");
  TCase *tc = tcase_create("push");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, platform_applications);
  tcase_add_test(tc, endpoints_and_token_idempotency);
  tcase_add_test(tc, publish_to_an_endpoint);
  tcase_add_test(tc, application_subscriptions);
  tcase_add_test(tc, endpoints_come_100_a_page);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
