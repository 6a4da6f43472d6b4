/* SMS and email through SNS, recorded in the outbox: Publish to a phone
 * number, the SMS attributes, opt-outs, the SMS sandbox, sms
 * subscriptions, email / email-json subscriptions and their confirmation,
 * and the outbox's read, keep and bound. */
#include "aevtest.h"
#include "outbox_support.h"

START_TEST(publish_to_a_phone_number) {
  aev_broker_advance(b, 1500);
  json_t *r = sns("Publish", json_pack("{s:s,s:s,s:s,s:{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}}",
                                       "PhoneNumber", "+15551234567", "Message", "Your code is 1234",
                                       "Subject", "ignored", "MessageAttributes",
                                       "AWS.SNS.SMS.SMSType", "DataType", "String", "StringValue",
                                       "Transactional", "AWS.SNS.SMS.SenderID", "DataType", "String",
                                       "StringValue", "MyShop", "AWS.SNS.SMS.MaxPrice", "DataType",
                                       "Number", "StringValue", "0.50", "plain", "DataType", "String",
                                       "StringValue", "v"));
  char id[64];
  str_of(r, "MessageId", id, sizeof id);
  json_decref(r);
  /* Recorded on the scheduler, like any delivery. */
  json_t *d = outbox(1);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(1);
  ck_assert_int_eq(json_array_size(d), 1);
  ck_assert_str_eq(field(d, 0, "Protocol"), "sms");
  ck_assert_str_eq(field(d, 0, "Destination"), "+15551234567");
  ck_assert_str_eq(field(d, 0, "Type"), "Notification");
  ck_assert_str_eq(field(d, 0, "Message"), "Your code is 1234");
  ck_assert_str_eq(field(d, 0, "MessageId"), id);
  ck_assert_str_eq(field(d, 0, "SMSType"), "Transactional");
  ck_assert_str_eq(field(d, 0, "SenderID"), "MyShop");
  ck_assert_str_eq(field(d, 0, "MaxPrice"), "0.50");
  ck_assert_str_eq(field(d, 0, "Timestamp"), "2024-01-01T00:00:01.500Z");
  ck_assert_ptr_null(field(d, 0, "Subject"));
  json_t *attrs = json_object_get(json_array_get(d, 0), "MessageAttributes");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(attrs, "plain"), "Value")), "v");
  json_decref(d);
  /* Kept, then taken. */
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  json_decref(d);
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
}
END_TEST

START_TEST(bad_phone_numbers_and_messages) {
  const char *bad[] = {"abc", "+0155512345", "+1234567890123456", "+1", "+1555-123", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char msg[128];
    snprintf(msg, sizeof msg, "Invalid parameter: PhoneNumber Reason: %s is not valid to publish to",
             bad[i]);
    sns_fails("Publish", json_pack("{s:s,s:s}", "PhoneNumber", bad[i], "Message", "m"),
              "InvalidParameter", msg);
  }
  sns_fails("Publish", json_pack("{s:s}", "PhoneNumber", "+15551234567"), "InvalidParameter", NULL);
  sns_fails("Publish", json_pack("{s:s,s:s}", "PhoneNumber", "+15551234567", "Message", ""),
            "InvalidParameter", "Invalid parameter: Empty message");
  sns_fails("Publish", json_pack("{s:s,s:s,s:s}", "PhoneNumber", "+15551234567", "Message", "m",
                                 "Subject", "a\nb"),
            "InvalidParameter", "Invalid parameter: Subject");
  sns_fails("Publish", json_pack("{s:s,s:s,s:s}", "PhoneNumber", "+15551234567", "Message",
                                 "{\"sms\":\"x\"}", "MessageStructure", "json"),
            "InvalidParameter",
            "Invalid parameter: Message Structure - No default entry in JSON message body");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
  /* A number without its '+' is taken, as AWS takes it; with
   * MessageStructure=json the text message is the "sms" entry. */
  json_decref(sns("Publish", json_pack("{s:s,s:s,s:s}", "PhoneNumber", "15551234567", "Message",
                                       "{\"default\":\"d\",\"sms\":\"short\"}", "MessageStructure",
                                       "json")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_str_eq(field(d, 0, "Message"), "short");
  ck_assert_str_eq(field(d, 0, "SMSType"), "Promotional");
  json_decref(d);
}
END_TEST

START_TEST(sms_attributes) {
  json_decref(sns("SetSMSAttributes", json_pack("{s:{s:s,s:s,s:s}}", "attributes", "DefaultSMSType",
                                                "Transactional", "DefaultSenderID", "Shop",
                                                "MonthlySpendLimit", "10")));
  json_t *g = sns("GetSMSAttributes", json_object());
  json_t *a = json_object_get(g, "attributes");
  ck_assert_str_eq(json_string_value(json_object_get(a, "DefaultSMSType")), "Transactional");
  ck_assert_str_eq(json_string_value(json_object_get(a, "MonthlySpendLimit")), "10");
  json_decref(g);
  g = sns("GetSMSAttributes", json_pack("{s:[s,s]}", "attributes", "DefaultSenderID", "UsageReportS3Bucket"));
  a = json_object_get(g, "attributes");
  ck_assert_int_eq(json_object_size(a), 1);
  ck_assert_str_eq(json_string_value(json_object_get(a, "DefaultSenderID")), "Shop");
  json_decref(g);
  /* A bad value or name is refused and nothing of the call is stored. */
  sns_fails("SetSMSAttributes", json_pack("{s:{s:s,s:s}}", "attributes", "DefaultSenderID", "Other",
                                          "DefaultSMSType", "Urgent"),
            "InvalidParameter",
            "Invalid parameter: DefaultSMSType Reason: Urgent is not Promotional or Transactional");
  sns_fails("SetSMSAttributes", json_pack("{s:{s:s}}", "attributes", "Colour", "red"),
            "InvalidParameter", NULL);
  sns_fails("SetSMSAttributes", json_pack("{s:{s:s}}", "attributes",
                                          "DeliveryStatusSuccessSamplingRate", "101"),
            "InvalidParameter", NULL);
  sns_fails("SetSMSAttributes", json_object(), "InvalidParameter", NULL);
  /* The defaults apply to messages that do not say otherwise. */
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "PhoneNumber", "+447700900123", "Message", "m")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_str_eq(field(d, 0, "SMSType"), "Transactional");
  ck_assert_str_eq(field(d, 0, "SenderID"), "Shop");
  json_decref(d);
}
END_TEST

START_TEST(opted_out_numbers_get_nothing) {
  const char *n = "+15550001111";
  ck_assert_int_eq(aev_sns_phone_opt_out(b, n), AEV_OK);
  tt_assert_error(aev_sns_phone_opt_out(b, "x"), AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: PhoneNumber Reason: input incorrectly formatted");
  json_t *r = sns("CheckIfPhoneNumberIsOptedOut", json_pack("{s:s}", "phoneNumber", n));
  ck_assert(json_is_true(json_object_get(r, "isOptedOut")));
  json_decref(r);
  r = sns("CheckIfPhoneNumberIsOptedOut", json_pack("{s:s}", "phoneNumber", "+15550002222"));
  ck_assert(json_is_false(json_object_get(r, "isOptedOut")));
  json_decref(r);
  sns_fails("CheckIfPhoneNumberIsOptedOut", json_pack("{s:s}", "phoneNumber", "nope"),
            "InvalidParameter", "Invalid parameter: PhoneNumber Reason: input incorrectly formatted");
  r = sns("ListPhoneNumbersOptedOut", json_object());
  ck_assert_int_eq(json_array_size(json_object_get(r, "phoneNumbers")), 1);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "phoneNumbers"), 0)), n);
  json_decref(r);
  /* Publish answers as usual; nothing is sent. */
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "PhoneNumber", n, "Message", "m")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
  json_decref(sns("OptInPhoneNumber", json_pack("{s:s}", "phoneNumber", n)));
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "PhoneNumber", n, "Message", "m")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  json_decref(d);
  r = sns("ListPhoneNumbersOptedOut", json_object());
  ck_assert_int_eq(json_array_size(json_object_get(r, "phoneNumbers")), 0);
  json_decref(r);
}
END_TEST

START_TEST(sms_subscriptions) {
  char t[256], arn[256];
  topic("alerts", t);
  json_t *s = sns("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "sms",
                                         "Endpoint", "+15557654321"));
  /* Confirmed at once: the ARN, not "pending confirmation". */
  str_of(s, "SubscriptionArn", arn, sizeof arn);
  ck_assert(!strncmp(arn, t, strlen(t)));
  json_decref(s);
  json_t *a = sns("GetSubscriptionAttributes", json_pack("{s:s}", "SubscriptionArn", arn));
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "Attributes"),
                                                     "PendingConfirmation")), "false");
  json_decref(a);
  sns_fails("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "sms", "Endpoint",
                                   "call me"),
            "InvalidParameter", NULL);
  char f[256];
  json_t *ft = sns("CreateTopic", json_pack("{s:s,s:{s:s}}", "Name", "f.fifo", "Attributes",
                                            "FifoTopic", "true"));
  str_of(ft, "TopicArn", f, sizeof f);
  json_decref(ft);
  sns_fails("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", f, "Protocol", "sms", "Endpoint",
                                   "+15557654321"),
            "InvalidParameter", "Invalid parameter: Invalid protocol type: sms");
  json_t *r = sns("Publish", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Message", "storm", "Subject", "S"));
  char id[64];
  str_of(r, "MessageId", id, sizeof id);
  json_decref(r);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  ck_assert_str_eq(field(d, 0, "Destination"), "+15557654321");
  ck_assert_str_eq(field(d, 0, "Message"), "storm");
  ck_assert_str_eq(field(d, 0, "MessageId"), id);
  ck_assert_str_eq(field(d, 0, "TopicArn"), t);
  ck_assert_str_eq(field(d, 0, "SubscriptionArn"), arn);
  ck_assert_ptr_null(field(d, 0, "Subject"));
  json_decref(d);
  /* A topic's DisplayName goes before the text, in capitals. */
  json_decref(sns("SetTopicAttributes", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "AttributeName",
                                                  "DisplayName", "AttributeValue", "Alerts")));
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "TopicArn", t, "Message", "Hello World!")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_str_eq(field(d, 0, "Message"), "ALERTS> Hello World!");
  json_decref(d);
  /* An opted-out subscriber gets nothing either. */
  ck_assert_int_eq(aev_sns_phone_opt_out(b, "+15557654321"), AEV_OK);
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "TopicArn", t, "Message", "again")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
}
END_TEST

START_TEST(sms_sandbox) {
  json_t *r = sns("GetSMSSandboxAccountStatus", json_object());
  ck_assert(json_is_false(json_object_get(r, "IsInSandbox")));
  json_decref(r);
  const char *n = "+15550009999";
  json_decref(sns("CreateSMSSandboxPhoneNumber", json_pack("{s:s}", "PhoneNumber", n)));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  ck_assert_str_eq(field(d, 0, "Type"), "SandboxVerification");
  ck_assert_str_eq(field(d, 0, "Destination"), n);
  char otp[16];
  snprintf(otp, sizeof otp, "%s", field(d, 0, "OneTimePassword"));
  ck_assert_int_eq(strlen(otp), 6);
  json_decref(d);
  r = sns("ListSMSSandboxPhoneNumbers", json_object());
  json_t *e = json_array_get(json_object_get(r, "PhoneNumbers"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(e, "PhoneNumber")), n);
  ck_assert_str_eq(json_string_value(json_object_get(e, "Status")), "Pending");
  json_decref(r);
  sns_fails("VerifySMSSandboxPhoneNumber",
            json_pack("{s:s,s:s}", "PhoneNumber", n, "OneTimePassword", "wrong"),
            "VerificationException", NULL);
  sns_fails("VerifySMSSandboxPhoneNumber",
            json_pack("{s:s,s:s}", "PhoneNumber", "+15550008888", "OneTimePassword", otp),
            "ResourceNotFound", NULL);
  json_decref(sns("VerifySMSSandboxPhoneNumber",
                  json_pack("{s:s,s:s}", "PhoneNumber", n, "OneTimePassword", otp)));
  r = sns("ListSMSSandboxPhoneNumbers", json_object());
  e = json_array_get(json_object_get(r, "PhoneNumbers"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(e, "Status")), "Verified");
  json_decref(r);
  sns_fails("CreateSMSSandboxPhoneNumber", json_pack("{s:s}", "PhoneNumber", "15550009999"),
            "InvalidParameter", NULL);
  json_decref(sns("DeleteSMSSandboxPhoneNumber", json_pack("{s:s}", "PhoneNumber", n)));
  sns_fails("DeleteSMSSandboxPhoneNumber", json_pack("{s:s}", "PhoneNumber", n), "ResourceNotFound",
            NULL);
  r = sns("ListOriginationNumbers", json_object());
  ck_assert_int_eq(json_array_size(json_object_get(r, "PhoneNumbers")), 0);
  json_decref(r);
}
END_TEST

/* Subscribes an email (or email-json) address: the outbox's confirmation. */
static json_t *subscribe_email(const char *t, const char *protocol, const char *address) {
  json_t *s = sns("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", protocol,
                                         "Endpoint", address));
  ck_assert_str_eq(json_string_value(json_object_get(s, "SubscriptionArn")), "pending confirmation");
  json_decref(s);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  ck_assert_str_eq(field(d, 0, "Type"), "SubscriptionConfirmation");
  ck_assert_str_eq(field(d, 0, "Destination"), address);
  json_t *c = json_incref(json_array_get(d, 0));
  json_decref(d);
  return c;
}

START_TEST(email_waits_for_confirmation) {
  char t[256], token[128], arn[256];
  topic("news", t);
  json_t *c = subscribe_email(t, "email", "reader@example.com");
  str_of(c, "Token", token, sizeof token);
  ck_assert_str_eq(json_string_value(json_object_get(c, "Subject")),
                   "AWS Notification - Subscription Confirmation");
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(c, "Message")), token));
  json_decref(c);
  /* Pending: publishes reach nobody. */
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "TopicArn", t, "Message", "early")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
  json_t *r = sns("ConfirmSubscription", json_pack("{s:s,s:s}", "TopicArn", t, "Token", token));
  str_of(r, "SubscriptionArn", arn, sizeof arn);
  json_decref(r);
  json_decref(sns("Publish", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Message", "Issue 1",
                                       "Subject", "Weekly")));
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "TopicArn", t, "Message", "Issue 2")));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 2);
  ck_assert_str_eq(field(d, 0, "Protocol"), "email");
  ck_assert_str_eq(field(d, 0, "Message"), "Issue 1");
  ck_assert_str_eq(field(d, 0, "Subject"), "Weekly");
  ck_assert_str_eq(field(d, 0, "SubscriptionArn"), arn);
  ck_assert_str_eq(field(d, 1, "Subject"), "AWS Notification Message");
  json_decref(d);
  sns_fails("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "email", "Endpoint",
                                   "not-an-address"),
            "InvalidParameter", "Invalid parameter: Email address");
  sns_fails("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "email-json",
                                   "Endpoint", "a@b.c;d@e.f"),
            "InvalidParameter", "Invalid parameter: Email address");
}
END_TEST

START_TEST(email_json_gets_the_envelope) {
  char t[256], token[128];
  topic("feed", t);
  json_t *c = subscribe_email(t, "email-json", "bot@example.com");
  json_t *doc = json_loads(json_string_value(json_object_get(c, "Message")), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(doc, "Type")), "SubscriptionConfirmation");
  ck_assert_str_eq(json_string_value(json_object_get(doc, "Token")),
                   str_of(c, "Token", token, sizeof token));
  json_decref(doc);
  json_decref(c);
  json_decref(sns("ConfirmSubscription", json_pack("{s:s,s:s}", "TopicArn", t, "Token", token)));
  json_t *r = sns("Publish", json_pack("{s:s,s:s,s:s,s:{s:{s:s,s:s}}}", "TopicArn", t, "Message",
                                       "hello", "Subject", "Hi", "MessageAttributes", "k",
                                       "DataType", "String", "StringValue", "v"));
  char id[64];
  str_of(r, "MessageId", id, sizeof id);
  json_decref(r);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = outbox(0);
  ck_assert_int_eq(json_array_size(d), 1);
  json_t *env = json_loads(field(d, 0, "Message"), 0, NULL);
  ck_assert_ptr_nonnull(env);
  ck_assert_str_eq(json_string_value(json_object_get(env, "Type")), "Notification");
  ck_assert_str_eq(json_string_value(json_object_get(env, "Message")), "hello");
  ck_assert_str_eq(json_string_value(json_object_get(env, "Subject")), "Hi");
  ck_assert_str_eq(json_string_value(json_object_get(env, "MessageId")), id);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(env,
                   "MessageAttributes"), "k"), "Value")), "v");
  json_decref(env);
  json_decref(d);
}
END_TEST

START_TEST(the_outbox_is_bounded) {
  for (int i = 0; i <= AEV__TEST_OUTBOX_MAX; i++) {
    char m[32];
    snprintf(m, sizeof m, "m%d", i);
    json_decref(sns("Publish", json_pack("{s:s,s:s}", "PhoneNumber", "+15551230000", "Message", m)));
  }
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  char *text;
  ck_assert_int_eq(aev_sns_outbox_read(b, 0, &text), AEV_OK);
  json_t *o = json_loads(text, 0, NULL);
  aev_free(text);
  json_t *d = json_object_get(o, "Deliveries");
  ck_assert_int_eq(json_array_size(d), AEV__TEST_OUTBOX_MAX);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Dropped")), 1);
  ck_assert_str_eq(field(d, 0, "Message"), "m1");
  json_decref(o);
  ck_assert_int_eq(aev_sns_outbox_read(b, 1, &text), AEV_OK);
  ck_assert_str_eq(text, "{\"Deliveries\":[],\"Dropped\":0}");
  aev_free(text);
  tt_assert_error(aev_sns_outbox_read(b, 0, NULL), AEV_ERR_INVALID, "InvalidParameter", NULL);
}
END_TEST

START_TEST(opted_out_numbers_come_100_a_page) {
  for (int i = 0; i < 150; i++) {
    char n[32];
    snprintf(n, sizeof n, "+1555000%04d", i);
    ck_assert_int_eq(aev_sns_phone_opt_out(b, n), AEV_OK);
  }
  json_t *r = sns("ListPhoneNumbersOptedOut", json_object());
  json_t *page = json_object_get(r, "phoneNumbers");
  ck_assert_int_eq(json_array_size(page), 100);
  ck_assert_str_eq(json_string_value(json_array_get(page, 0)), "+15550000000");
  char token[256];
  str_of(r, "nextToken", token, sizeof token);
  json_decref(r);
  r = sns("ListPhoneNumbersOptedOut", json_pack("{s:s}", "nextToken", token));
  page = json_object_get(r, "phoneNumbers");
  ck_assert_int_eq(json_array_size(page), 50);
  ck_assert_str_eq(json_string_value(json_array_get(page, 0)), "+15550000100");
  ck_assert_ptr_null(json_object_get(r, "nextToken"));
  json_decref(r);
  sns_fails("ListPhoneNumbersOptedOut", json_pack("{s:s}", "nextToken", "not base64!"),
            "InvalidParameter", "Invalid parameter: NextToken");
}
END_TEST

/* Deliveries still queued when the broker goes are released with it (the
 * sanitizer runs check that nothing leaks). */
START_TEST(queued_deliveries_go_with_the_broker) {
  char t[256];
  topic("t", t);
  json_decref(sns("Subscribe", json_pack("{s:s,s:s,s:s}", "TopicArn", t, "Protocol", "email",
                                         "Endpoint", "a@example.com")));
  json_decref(sns("Publish", json_pack("{s:s,s:s}", "PhoneNumber", "+15551234567", "Message", "m")));
  json_t *d = outbox(1);
  ck_assert_int_eq(json_array_size(d), 0);
  json_decref(d);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_sms");
  TCase *tc = tcase_create("sms");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, publish_to_a_phone_number);
  tcase_add_test(tc, bad_phone_numbers_and_messages);
  tcase_add_test(tc, sms_attributes);
  tcase_add_test(tc, opted_out_numbers_get_nothing);
  tcase_add_test(tc, sms_subscriptions);
  tcase_add_test(tc, sms_sandbox);
  tcase_add_test(tc, email_waits_for_confirmation);
  tcase_add_test(tc, email_json_gets_the_envelope);
  tcase_add_test(tc, the_outbox_is_bounded);
  tcase_add_test(tc, queued_deliveries_go_with_the_broker);
  tcase_add_test(tc, opted_out_numbers_come_100_a_page);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
