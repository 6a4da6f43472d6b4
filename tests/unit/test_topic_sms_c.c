/* The typed C calls for SMS and mobile push (topic.h): aev_sns_publish_sms,
 * aev_sns_publish_to_endpoint and aev_sns_platform_*. The same steps
 * through them and through aev_call on two brokers of one seed record
 * byte-identical outboxes; their errors are the JSON path's, and a NULL
 * argument is InvalidParameter naming it. */
#include "aevtest.h"
#include "outbox_support.h"

#define APP_ARN "arn:aws:sns:us-east-1:000000000000:app/GCM/shop"

/* The outbox's text, kept (aev_free it). */
static char *outbox_text(aev_broker *on) {
  char *text = NULL;
  ck_assert_int_eq(aev_sns_outbox_read(on, 1, &text), AEV_OK);
  return text;
}

/* Publish options with MessageAttributes attrs (NULL: none) and
 * structure_json on or off. */
static aev_publish_options *options(const char *attrs, int structure) {
  aev_publish_options *o;
  ck_assert_int_eq(aev_publish_options_new(&o), AEV_OK);
  if (attrs) ck_assert_int_eq(aev_publish_options_set_attributes(o, attrs), AEV_OK);
  ck_assert_int_eq(aev_publish_options_set_structure_json(o, structure), AEV_OK);
  return o;
}

/* The call failed with AEV_ERR_INVALID, InvalidParameter and message. */
static void invalid(int rc, const char *message) {
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameter");
  ck_assert_str_eq(aev_errmsg(), message);
}

#define SMS_ATTRS                                                                              \
  "{\"AWS.SNS.SMS.SMSType\":{\"DataType\":\"String\",\"StringValue\":\"Transactional\"},"      \
  "\"AWS.SNS.SMS.SenderID\":{\"DataType\":\"String\",\"StringValue\":\"MyShop\"},"             \
  "\"AWS.SNS.SMS.MaxPrice\":{\"DataType\":\"Number\",\"StringValue\":\"0.50\"}}"

START_TEST(sms_typed_and_json_record_the_same) {
  aev_broker *c = qt_broker();
  /* JSON on b. */
  json_t *r = sns("Publish", json_pack("{s:s,s:s,s:o}", "PhoneNumber", "+15551234567", "Message",
                                       "code 1234", "MessageAttributes",
                                       json_loads(SMS_ATTRS, 0, NULL)));
  char json_id[64];
  str_of(r, "MessageId", json_id, sizeof json_id);
  json_decref(r);
  json_decref(sns("Publish", json_pack("{s:s,s:s,s:s}", "PhoneNumber", "15550001", "Message",
                                       "{\"default\":\"d\",\"sms\":\"for texts\"}",
                                       "MessageStructure", "json")));
  /* Typed on c. */
  char id[AEV_TOPIC_MESSAGE_ID_SIZE];
  aev_publish_options *o = options(SMS_ATTRS, 0);
  ck_assert_int_eq(aev_sns_publish_sms(c, "+15551234567", "code 1234", 9, o, id), AEV_OK);
  aev_publish_options_free(o);
  ck_assert_str_eq(id, json_id);
  o = options(NULL, 1);
  const char *structured = "{\"default\":\"d\",\"sms\":\"for texts\"}";
  ck_assert_int_eq(aev_sns_publish_sms(c, "15550001", structured, strlen(structured), o, NULL),
                   AEV_OK);
  aev_publish_options_free(o);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(c), AEV_OK);
  char *want = outbox_text(b), *got = outbox_text(c);
  ck_assert_str_eq(got, want);
  json_t *d = outbox(1);
  ck_assert_int_eq(json_array_size(d), 2);
  ck_assert_str_eq(field(d, 0, "SMSType"), "Transactional");
  ck_assert_str_eq(field(d, 0, "SenderID"), "MyShop");
  ck_assert_str_eq(field(d, 0, "MaxPrice"), "0.50");
  ck_assert_str_eq(field(d, 1, "Message"), "for texts");
  ck_assert_str_eq(field(d, 1, "SMSType"), "Promotional");
  json_decref(d);
  aev_free(want);
  aev_free(got);
  aev_broker_destroy(c);
}
END_TEST

/* The typed call fails as Publish with PhoneNumber does, and records
 * nothing. */
static void sms_fails_alike(const char *number, const char *message, int structure) {
  aev_publish_options *o = options(NULL, structure);
  ck_assert_int_ne(aev_sns_publish_sms(b, number, message, strlen(message), o, NULL), AEV_OK);
  aev_publish_options_free(o);
  char code[64], text[512];
  snprintf(code, sizeof code, "%s", aev_errcode());
  snprintf(text, sizeof text, "%s", aev_errmsg());
  json_t *req = json_pack("{s:s,s:s}", "PhoneNumber", number, "Message", message);
  if (structure) json_object_set_new(req, "MessageStructure", json_string("json"));
  sns_fails("Publish", req, code, text);
}

START_TEST(sms_errors) {
  invalid(aev_sns_publish_sms(NULL, "+15551234567", "m", 1, NULL, NULL),
          "Invalid parameter: broker");
  invalid(aev_sns_publish_sms(b, NULL, "m", 1, NULL, NULL), "Invalid parameter: PhoneNumber");
  invalid(aev_sns_publish_sms(b, "+15551234567", NULL, 0, NULL, NULL),
          "Invalid parameter: Message");
  invalid(aev_sns_publish_sms(b, "+15551234567", "\xff", 1, NULL, NULL),
          "Invalid parameter: Message Reason: Message must be UTF-8 encoded text.");
  invalid(aev_sns_publish_sms(b, "+0123", "m", 1, NULL, NULL),
          "Invalid parameter: PhoneNumber Reason: +0123 is not valid to publish to");
  /* The number is checked before the message, on both paths. */
  invalid(aev_sns_publish_sms(b, "+0123", NULL, 0, NULL, NULL),
          "Invalid parameter: PhoneNumber Reason: +0123 is not valid to publish to");
  sns_fails("Publish", json_pack("{s:s}", "PhoneNumber", "+0123"), "InvalidParameter",
            "Invalid parameter: PhoneNumber Reason: +0123 is not valid to publish to");
  aev_publish_options *o;
  ck_assert_int_eq(aev_publish_options_new(&o), AEV_OK);
  aev_publish_options_set_attributes(o, "[1]");
  ck_assert_int_eq(aev_sns_publish_sms(b, "+15551234567", "m", 1, o, NULL), AEV_ERR_INVALID);
  aev_publish_options_free(o);
  sms_fails_alike("+0123", "m", 0);
  sms_fails_alike("+15551234567", "", 0);
  sms_fails_alike("+15551234567", "not json", 1);
  sms_fails_alike("+15551234567", "{\"sms\":\"no default\"}", 1);
  aev_broker_drain(b);
  json_t *d = outbox(1);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
}
END_TEST

/* Applications, endpoints and publishes to them, the same steps on b
 * through aev_call and on c through the typed calls. */
static void push_json(void) {
  json_decref(sns("CreatePlatformApplication",
                  json_pack("{s:s,s:s,s:{s:s}}", "Name", "shop", "Platform", "GCM", "Attributes",
                            "PlatformCredential", "secret")));
  json_t *r = sns("CreatePlatformEndpoint", json_pack("{s:s,s:s,s:s}", "PlatformApplicationArn",
                                                      APP_ARN, "Token", "android-1",
                                                      "CustomUserData", "alice"));
  char e[256];
  str_of(r, "EndpointArn", e, sizeof e);
  json_decref(r);
  json_decref(sns("SetEndpointAttributes", json_pack("{s:s,s:{s:s}}", "EndpointArn", e,
                                                     "Attributes", "Enabled", "false")));
  sns_fails("Publish", json_pack("{s:s,s:s}", "TargetArn", e, "Message", "m"), "EndpointDisabled",
            "Endpoint is disabled");
  json_decref(sns("SetEndpointAttributes", json_pack("{s:s,s:{s:s}}", "EndpointArn", e,
                                                     "Attributes", "Enabled", "true")));
  json_decref(sns("Publish", json_pack("{s:s,s:s,s:s}", "TargetArn", e, "Message",
                                       "{\"default\":\"d\",\"GCM\":\"{\\\"data\\\":1}\"}",
                                       "MessageStructure", "json")));
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "TargetArn", e, "Message", "plain")));
}

static void push_typed(aev_broker *c) {
  char *app = NULL, *e = NULL;
  ck_assert_int_eq(aev_sns_platform_application_create(c, "shop", "GCM",
                                                       "{\"PlatformCredential\":\"secret\"}", &app),
                   AEV_OK);
  ck_assert_str_eq(app, APP_ARN);
  ck_assert_int_eq(aev_sns_platform_endpoint_create(c, app, "android-1", "alice", NULL, &e), AEV_OK);
  ck_assert_int_eq(aev_sns_platform_endpoint_set_enabled(c, e, 0), AEV_OK);
  ck_assert_int_eq(aev_sns_publish_to_endpoint(c, e, "m", 1, NULL, NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "EndpointDisabled");
  ck_assert_int_eq(aev_sns_platform_endpoint_set_enabled(c, e, 1), AEV_OK);
  aev_publish_options *o = options(NULL, 1);
  const char *m = "{\"default\":\"d\",\"GCM\":\"{\\\"data\\\":1}\"}";
  char id[AEV_TOPIC_MESSAGE_ID_SIZE];
  ck_assert_int_eq(aev_sns_publish_to_endpoint(c, e, m, strlen(m), o, id), AEV_OK);
  aev_publish_options_free(o);
  ck_assert_int_eq(strlen(id), 36);
  ck_assert_int_eq(aev_sns_publish_to_endpoint(c, e, "plain", 5, NULL, NULL), AEV_OK);
  aev_free(app);
  aev_free(e);
}

START_TEST(push_typed_and_json_record_the_same) {
  aev_broker *c = qt_broker();
  push_json();
  push_typed(c);
  aev_broker_drain(b);
  aev_broker_drain(c);
  char *want = outbox_text(b), *got = outbox_text(c);
  ck_assert_str_eq(got, want);
  json_t *d = outbox(1);
  ck_assert_int_eq(json_array_size(d), 2);
  ck_assert_str_eq(field(d, 0, "Message"), "{\"data\":1}");
  ck_assert_str_eq(field(d, 0, "Platform"), "GCM");
  ck_assert_str_eq(field(d, 0, "Token"), "android-1");
  ck_assert_str_eq(field(d, 1, "Message"), "plain");
  json_decref(d);
  aev_free(want);
  aev_free(got);
  /* What the typed reads answer is what the actions answer. */
  char *text = NULL;
  ck_assert_int_eq(aev_sns_platform_application_get_attributes(c, APP_ARN, &text), AEV_OK);
  json_t *g = sns("GetPlatformApplicationAttributes",
                  json_pack("{s:s}", "PlatformApplicationArn", APP_ARN));
  json_t *typed = json_loads(text, 0, NULL);
  ck_assert(json_equal(typed, json_object_get(g, "Attributes")));
  ck_assert_ptr_null(json_object_get(typed, "PlatformCredential"));
  json_decref(typed);
  json_decref(g);
  aev_free(text);
  ck_assert_int_eq(aev_sns_platform_endpoint_list(c, APP_ARN, NULL, &text), AEV_OK);
  g = sns("ListEndpointsByPlatformApplication", json_pack("{s:s}", "PlatformApplicationArn", APP_ARN));
  typed = json_loads(text, 0, NULL);
  ck_assert(json_equal(typed, g));
  json_t *ep = json_array_get(json_object_get(typed, "Endpoints"), 0);
  const char *arn = json_string_value(json_object_get(ep, "EndpointArn"));
  aev_free(text);
  ck_assert_int_eq(aev_sns_platform_endpoint_get_attributes(c, arn, &text), AEV_OK);
  ck_assert_str_eq(text, "{\"Token\":\"android-1\",\"CustomUserData\":\"alice\",\"Enabled\":\"true\"}");
  aev_free(text);
  ck_assert_int_eq(aev_sns_platform_application_list(c, NULL, &text), AEV_OK);
  json_decref(g);
  g = sns("ListPlatformApplications", json_object());
  json_t *apps = json_loads(text, 0, NULL);
  ck_assert(json_equal(apps, g));
  json_decref(apps);
  json_decref(g);
  aev_free(text);
  /* Deleted, the endpoint gets nothing; deleting again succeeds. */
  ck_assert_int_eq(aev_sns_platform_endpoint_delete(c, arn), AEV_OK);
  ck_assert_int_eq(aev_sns_platform_endpoint_delete(c, arn), AEV_OK);
  invalid(aev_sns_publish_to_endpoint(c, arn, "m", 1, NULL, NULL),
          "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified");
  /* A topic is no endpoint. */
  char t[256];
  topic("news", t);
  invalid(aev_sns_publish_to_endpoint(b, t, "m", 1, NULL, NULL),
          "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified");
  ck_assert_int_eq(aev_sns_platform_endpoint_get_attributes(c, arn, &text), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errmsg(), "Endpoint does not exist");
  json_decref(typed);
  ck_assert_int_eq(aev_sns_platform_application_delete(c, APP_ARN), AEV_OK);
  ck_assert_int_eq(aev_sns_platform_application_delete(c, APP_ARN), AEV_OK);
  ck_assert_int_eq(aev_sns_platform_application_get_attributes(c, APP_ARN, &text),
                   AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "NotFound");
  aev_broker_destroy(c);
}
END_TEST

START_TEST(endpoint_idempotency_and_attributes) {
  char *app = NULL, *e = NULL, *again = NULL, *text = NULL;
  ck_assert_int_eq(aev_sns_platform_application_create(b, "shop", "GCM", "{}", &app), AEV_OK);
  ck_assert_int_eq(aev_sns_platform_endpoint_create(b, app, "t", NULL, "{\"Enabled\":\"false\"}", &e),
                   AEV_OK);
  /* The same token and attributes: the same endpoint. */
  ck_assert_int_eq(aev_sns_platform_endpoint_create(b, app, "t", NULL, "{\"Enabled\":\"false\"}",
                                                    &again), AEV_OK);
  ck_assert_str_eq(again, e);
  aev_free(again);
  char msg[512];
  snprintf(msg, sizeof msg, "Invalid parameter: Token Reason: Endpoint %s already exists with "
           "the same Token, but different attributes.", e);
  invalid(aev_sns_platform_endpoint_create(b, app, "t", "someone", NULL, &again), msg);
  ck_assert_int_eq(aev_sns_platform_endpoint_set_attributes(b, e, "{\"CustomUserData\":\"u\"}"),
                   AEV_OK);
  ck_assert_int_eq(aev_sns_platform_endpoint_get_attributes(b, e, &text), AEV_OK);
  ck_assert_str_eq(text, "{\"Enabled\":\"false\",\"Token\":\"t\",\"CustomUserData\":\"u\"}");
  aev_free(text);
  ck_assert_int_eq(aev_sns_platform_application_set_attributes(b, app, "{\"Enabled\":\"false\"}"),
                   AEV_OK);
  ck_assert_int_eq(aev_sns_platform_endpoint_set_enabled(b, e, 1), AEV_OK);
  ck_assert_int_eq(aev_sns_publish_to_endpoint(b, e, "m", 1, NULL, NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "PlatformApplicationDisabled");
  ck_assert_str_eq(aev_errmsg(), "Platform application is disabled");
  /* Creating the application again updates its attributes. */
  char *same = NULL;
  ck_assert_int_eq(aev_sns_platform_application_create(b, "shop", "GCM", "{\"Enabled\":\"true\"}",
                                                       &same), AEV_OK);
  ck_assert_str_eq(same, app);
  aev_free(same);
  ck_assert_int_eq(aev_sns_publish_to_endpoint(b, e, "m", 1, NULL, NULL), AEV_OK);
  aev_free(app);
  aev_free(e);
}
END_TEST

/* The typed call fails as the action does: same code and message. */
static void alike(int rc, const char *action, json_t *req) {
  ck_assert_int_ne(rc, AEV_OK);
  char code[64], text[512];
  snprintf(code, sizeof code, "%s", aev_errcode());
  snprintf(text, sizeof text, "%s", aev_errmsg());
  sns_fails(action, req, code, text);
}

START_TEST(platform_errors_as_the_actions_give_them) {
  char *out = NULL;
  alike(aev_sns_platform_application_create(b, "x", "SMOKE", "{}", &out),
        "CreatePlatformApplication",
        json_pack("{s:s,s:s,s:{}}", "Name", "x", "Platform", "SMOKE", "Attributes"));
  alike(aev_sns_platform_application_create(b, "bad name", "GCM", "{}", &out),
        "CreatePlatformApplication",
        json_pack("{s:s,s:s,s:{}}", "Name", "bad name", "Platform", "GCM", "Attributes"));
  alike(aev_sns_platform_application_create(b, "x", "GCM", "{\"Enabled\":\"maybe\"}", &out),
        "CreatePlatformApplication",
        json_pack("{s:s,s:s,s:{s:s}}", "Name", "x", "Platform", "GCM", "Attributes", "Enabled",
                  "maybe"));
  alike(aev_sns_platform_application_create(b, "x", "GCM", "{\"n\":1}", &out),
        "CreatePlatformApplication",
        json_pack("{s:s,s:s,s:{s:i}}", "Name", "x", "Platform", "GCM", "Attributes", "n", 1));
  alike(aev_sns_platform_endpoint_create(b, APP_ARN, "t", NULL, NULL, &out),
        "CreatePlatformEndpoint", json_pack("{s:s,s:s}", "PlatformApplicationArn", APP_ARN, "Token", "t"));
  alike(aev_sns_platform_endpoint_list(b, APP_ARN, NULL, &out), "ListEndpointsByPlatformApplication",
        json_pack("{s:s}", "PlatformApplicationArn", APP_ARN));
  alike(aev_sns_platform_application_set_attributes(b, APP_ARN, "{}"),
        "SetPlatformApplicationAttributes",
        json_pack("{s:s,s:{}}", "PlatformApplicationArn", APP_ARN, "Attributes"));
  alike(aev_sns_platform_application_list(b, "not-a-token", &out), "ListPlatformApplications",
        json_pack("{s:s}", "NextToken", "not-a-token"));
  ck_assert_int_eq(aev_sns_platform_application_create(b, "shop", "GCM", "{}", &out), AEV_OK);
  aev_free(out);
  alike(aev_sns_platform_endpoint_create(b, APP_ARN, "", NULL, NULL, &out), "CreatePlatformEndpoint",
        json_pack("{s:s,s:s}", "PlatformApplicationArn", APP_ARN, "Token", ""));
  const char *e = "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/shop/none";
  alike(aev_sns_platform_endpoint_set_enabled(b, e, 0), "SetEndpointAttributes",
        json_pack("{s:s,s:{s:s}}", "EndpointArn", e, "Attributes", "Enabled", "false"));
  alike(aev_sns_publish_to_endpoint(b, e, "m", 1, NULL, NULL), "Publish",
        json_pack("{s:s,s:s}", "TargetArn", e, "Message", "m"));
  /* Nothing was stored by the failures. */
  ck_assert_int_eq(aev_sns_platform_application_list(b, NULL, &out), AEV_OK);
  json_t *list = json_loads(out, 0, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(list, "PlatformApplications")), 1);
  json_decref(list);
  aev_free(out);
  ck_assert_int_eq(aev_sns_platform_endpoint_list(b, APP_ARN, NULL, &out), AEV_OK);
  ck_assert_str_eq(out, "{\"Endpoints\":[]}");
  aev_free(out);
}
END_TEST

START_TEST(null_arguments_name_what_is_missing) {
  char *out = NULL;
  invalid(aev_sns_platform_application_create(NULL, "a", "GCM", "{}", &out), "Invalid parameter: broker");
  invalid(aev_sns_platform_application_create(b, NULL, "GCM", "{}", &out), "Invalid parameter: Name");
  invalid(aev_sns_platform_application_create(b, "a", NULL, "{}", &out), "Invalid parameter: Platform");
  invalid(aev_sns_platform_application_create(b, "a", "GCM", NULL, &out),
          "Invalid parameter: Attributes");
  invalid(aev_sns_platform_application_create(b, "a", "GCM", "{}", NULL),
          "Invalid parameter: application_arn");
  invalid(aev_sns_platform_application_create(b, "a", "GCM", "[]", &out),
          "Invalid parameter: Attributes Reason: must be a JSON object of attribute names to strings");
  invalid(aev_sns_platform_application_get_attributes(b, NULL, &out),
          "Invalid parameter: PlatformApplicationArn");
  invalid(aev_sns_platform_application_get_attributes(b, APP_ARN, NULL),
          "Invalid parameter: attributes_json");
  invalid(aev_sns_platform_application_set_attributes(b, APP_ARN, NULL),
          "Invalid parameter: Attributes");
  invalid(aev_sns_platform_application_delete(b, NULL), "Invalid parameter: PlatformApplicationArn");
  invalid(aev_sns_platform_application_list(b, NULL, NULL), "Invalid parameter: response_json");
  invalid(aev_sns_platform_endpoint_create(b, NULL, "t", NULL, NULL, &out),
          "Invalid parameter: PlatformApplicationArn");
  invalid(aev_sns_platform_endpoint_create(b, APP_ARN, NULL, NULL, NULL, &out),
          "Invalid parameter: Token");
  invalid(aev_sns_platform_endpoint_create(b, APP_ARN, "t", NULL, NULL, NULL),
          "Invalid parameter: endpoint_arn");
  invalid(aev_sns_platform_endpoint_get_attributes(b, NULL, &out), "Invalid parameter: EndpointArn");
  invalid(aev_sns_platform_endpoint_set_attributes(b, NULL, "{}"), "Invalid parameter: EndpointArn");
  invalid(aev_sns_platform_endpoint_set_enabled(NULL, "e", 1), "Invalid parameter: broker");
  invalid(aev_sns_platform_endpoint_delete(b, NULL), "Invalid parameter: EndpointArn");
  invalid(aev_sns_platform_endpoint_list(b, NULL, NULL, &out),
          "Invalid parameter: PlatformApplicationArn");
  invalid(aev_sns_publish_to_endpoint(b, NULL, "m", 1, NULL, NULL), "Invalid parameter: TargetArn");
  invalid(aev_sns_publish_to_endpoint(NULL, "e", "m", 1, NULL, NULL), "Invalid parameter: broker");
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_sms_c");
  TCase *tc = tcase_create("typed");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, sms_typed_and_json_record_the_same);
  tcase_add_test(tc, sms_errors);
  tcase_add_test(tc, push_typed_and_json_record_the_same);
  tcase_add_test(tc, endpoint_idempotency_and_attributes);
  tcase_add_test(tc, platform_errors_as_the_actions_give_them);
  tcase_add_test(tc, null_arguments_name_what_is_missing);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
