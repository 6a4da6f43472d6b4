/* SNS message data protection: Put / GetDataProtectionPolicy and the
 * DataProtectionPolicy attribute, every validation error (a refused policy
 * changes nothing), Deny inbound and outbound, Deidentify by mask and
 * redaction as an SQS subscriber receives it, Audit sampling and its
 * Firehose findings, custom identifiers, and each detector on its own. */
#include "aevtest.h"
#include "topic/dpp.h"
#include "topic_support.h"

#define CARD "4539894458086459" /* Luhn-valid Visa, not a test number */
#define ID_ARN "arn:aws:dataprotection::aws:data-identifier/"

static aev_broker *b;
static aev_topic *t;
static aev_queue *q;

static void setup(void) {
  b = qt_broker();
  t = tt_topic(b, "pii", NULL);
  q = qt_queue(b, "inbox", NULL);
  char *arn = tt_sub(t, q, "{\"RawMessageDelivery\":\"true\"}");
  aev_free(arn);
}

static void teardown(void) {
  aev_queue_release(q);
  aev_topic_release(t);
  aev_broker_destroy(b);
}

/* A policy of one statement: direction, identifiers (a JSON array's
 * inside) and operation (a JSON object's inside). */
static char *policy1(const char *dir, const char *ids, const char *op) {
  char *p;
  ck_assert_int_ge(asprintf(&p,
                            "{\"Name\":\"p\",\"Description\":\"d\",\"Version\":\"2021-06-01\","
                            "\"Statement\":[{\"Sid\":\"s\",\"DataDirection\":\"%s\","
                            "\"Principal\":[\"*\"],\"DataIdentifier\":[%s],\"Operation\":{%s}}]}",
                            dir, ids, op),
                   0);
  return p;
}

static void put(const char *policy) {
  int rc = aev_topic_set_attribute(t, "DataProtectionPolicy", policy);
  ck_assert_msg(rc == AEV_OK, "put: %s %s", aev_errcode(), aev_errmsg());
}

static void put1(const char *dir, const char *ids, const char *op) {
  char *p = policy1(dir, ids, op);
  put(p);
  free(p);
}

static json_t *get_policy(void) {
  json_t *req = json_pack("{s:s}", "ResourceArn", aev_topic_arn(t));
  return aev_test_call_req(b, "sns", "GetDataProtectionPolicy", req, AEV_OK);
}

static void assert_policy(const char *want) {
  json_t *r = get_policy();
  ck_assert_str_eq(json_string_value(json_object_get(r, "DataProtectionPolicy")), want);
  json_decref(r);
}

static int publish(const char *msg) {
  return aev_topic_publish(t, msg, strlen(msg), NULL, NULL, NULL);
}

/* The one message the queue holds, as a new string. */
static char *received(void) {
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  char *s = strdup(qt_body(m));
  aev_message_free(m);
  return s;
}

static void assert_received(const char *want) {
  char *s = received();
  ck_assert_str_eq(s, want);
  free(s);
}

/* ---- Put / Get / attributes ---- */

START_TEST(put_get_round_trip) {
  assert_policy("");
  char *p = policy1("Inbound", "\"" ID_ARN "CreditCardNumber\"", "\"Deny\":{}");
  json_t *req = json_pack("{s:s,s:s}", "ResourceArn", aev_topic_arn(t), "DataProtectionPolicy", p);
  json_decref(aev_test_call_req(b, "sns", "PutDataProtectionPolicy", req, AEV_OK));
  assert_policy(p);
  /* The same policy is the topic's DataProtectionPolicy attribute. */
  char *a;
  ck_assert_int_eq(aev_topic_get_attributes(t, &a), AEV_OK);
  json_t *attrs = json_loads(a, 0, NULL);
  aev_free(a);
  ck_assert_str_eq(json_string_value(json_object_get(attrs, "DataProtectionPolicy")), p);
  json_decref(attrs);
  /* An empty value removes it. */
  put("");
  assert_policy("");
  ck_assert_int_eq(aev_topic_get_attributes(t, &a), AEV_OK);
  ck_assert_ptr_null(strstr(a, "DataProtectionPolicy"));
  aev_free(a);
  free(p);
}
END_TEST

START_TEST(create_topic_member_and_attribute) {
  char *p = policy1("Outbound", "\"" ID_ARN "EmailAddress\"", "\"Deny\":{}");
  json_t *req = json_pack("{s:s,s:s}", "Name", "created", "DataProtectionPolicy", p);
  json_t *r = aev_test_call_req(b, "sns", "CreateTopic", req, AEV_OK);
  req = json_pack("{s:O}", "ResourceArn", json_object_get(r, "TopicArn"));
  json_t *g = aev_test_call_req(b, "sns", "GetDataProtectionPolicy", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(g, "DataProtectionPolicy")), p);
  json_decref(g);
  /* SetTopicAttributes sets and removes it too. */
  req = json_pack("{s:O,s:s,s:s}", "TopicArn", json_object_get(r, "TopicArn"), "AttributeName",
                  "DataProtectionPolicy", "AttributeValue", "");
  json_decref(aev_test_call_req(b, "sns", "SetTopicAttributes", req, AEV_OK));
  req = json_pack("{s:O}", "ResourceArn", json_object_get(r, "TopicArn"));
  g = aev_test_call_req(b, "sns", "GetDataProtectionPolicy", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(g, "DataProtectionPolicy")), "");
  json_decref(g);
  /* Through CreateTopic's Attributes map as well. */
  req = json_pack("{s:s,s:{s:s}}", "Name", "attr", "Attributes", "DataProtectionPolicy", p);
  json_t *r2 = aev_test_call_req(b, "sns", "CreateTopic", req, AEV_OK);
  req = json_pack("{s:O}", "ResourceArn", json_object_get(r2, "TopicArn"));
  g = aev_test_call_req(b, "sns", "GetDataProtectionPolicy", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(g, "DataProtectionPolicy")), p);
  json_decref(g);
  json_decref(r2);
  /* A refused policy creates no topic. */
  req = json_pack("{s:s,s:s}", "Name", "refused", "DataProtectionPolicy", "{}");
  aev_test_call_req_fails(b, "sns", "CreateTopic", req, AEV_ERR_INVALID, "InvalidParameter", NULL);
  aev_topic *none;
  ck_assert_int_eq(aev_topic_get(b, "refused", &none), AEV_ERR_NOT_FOUND);
  json_decref(r);
  free(p);
}
END_TEST

START_TEST(missing_topic_is_not_found) {
  aev_test_call_fails(b, "sns", "GetDataProtectionPolicy",
                      "{\"ResourceArn\":\"arn:aws:sns:us-east-1:000000000000:nope\"}",
                      AEV_ERR_NOT_FOUND, "NotFound", NULL);
  aev_test_call_fails(b, "sns", "PutDataProtectionPolicy",
                      "{\"ResourceArn\":\"arn:aws:sns:us-east-1:000000000000:nope\","
                      "\"DataProtectionPolicy\":\"\"}",
                      AEV_ERR_NOT_FOUND, "NotFound", NULL);
  aev_test_call_fails(b, "sns", "PutDataProtectionPolicy", "{\"ResourceArn\":\"x\"}",
                      AEV_ERR_INVALID, "InvalidParameter", NULL);
}
END_TEST

/* ---- validation ---- */

#define STMT(dir, ids, op)                                                              \
  "{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":[{\"DataDirection\":\"" dir \
  "\",\"Principal\":[\"*\"],\"DataIdentifier\":[" ids "],\"Operation\":{" op "}}]}"
#define CC "\"" ID_ARN "CreditCardNumber\""
#define DEST "\"FindingsDestination\":{\"Firehose\":{\"DeliveryStream\":\"f\"}}"
#define CUSTOM(list, ids)                                                              \
  "{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Configuration\":{\"CustomDataIdentifier\":[" \
  list "]},\"Statement\":[{\"DataDirection\":\"Inbound\",\"Principal\":[\"*\"],"       \
  "\"DataIdentifier\":[" ids "],\"Operation\":{\"Deny\":{}}}]}"

static const struct {
  const char *policy, *reason;
} refused[] = {
    {"not json", "The policy is not valid JSON"},
    {"[]", "The policy must be a JSON object"},
    {"{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":[],\"Other\":1}",
     "The policy has an unknown member Other"},
    {"{\"Version\":\"2021-06-01\",\"Statement\":[]}", "The policy needs a Name (a non-empty string)"},
    {"{\"Name\":\"p\",\"Version\":\"2012-10-17\",\"Statement\":[]}",
     "Version must be 2021-06-01, the current policy language version"},
    {"{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":[]}",
     "The policy needs a Statement: a non-empty array of statements"},
    {STMT("Sideways", CC, "\"Deny\":{}"), "DataDirection must be Inbound or Outbound"},
    {"{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":[{\"DataDirection\":\"Inbound\","
     "\"DataIdentifier\":[" CC "],\"Operation\":{\"Deny\":{}}}]}",
     "Principal must be a non-empty array of strings"},
    {STMT("Inbound", "", "\"Deny\":{}"), "DataIdentifier must be a non-empty array of strings"},
    {STMT("Inbound", "\"" ID_ARN "Nope\"", "\"Deny\":{}"),
     ID_ARN "Nope is not a managed data identifier"},
    {STMT("Inbound", "\"EmployeeId\"", "\"Deny\":{}"),
     "DataIdentifier EmployeeId is neither a managed data identifier ARN nor the Name of a custom "
     "data identifier of Configuration"},
    {STMT("Inbound", CC, ""), "A statement's Operation needs exactly one of Audit, Deidentify and Deny"},
    {STMT("Inbound", CC, "\"Deny\":{},\"Deidentify\":{\"RedactConfig\":{}}"),
     "A statement's Operation needs exactly one of Audit, Deidentify and Deny"},
    {STMT("Inbound", CC, "\"Block\":{}"), "Operation has an unknown member Block"},
    {STMT("Inbound", CC, "\"Deny\":{\"x\":1}"), "Deny has an unknown member x"},
    {STMT("Outbound", CC, "\"Audit\":{\"SampleRate\":\"5\"," DEST "}"),
     "The Audit operation applies to Inbound statements only"},
    {STMT("Inbound", CC, "\"Audit\":{\"SampleRate\":\"100\"," DEST "}"),
     "Audit SampleRate must be an integer between 0 and 99"},
    {STMT("Inbound", CC, "\"Audit\":{\"SampleRate\":\"1x\"," DEST "}"),
     "Audit SampleRate must be an integer between 0 and 99"},
    {STMT("Inbound", CC, "\"Audit\":{\"SampleRate\":\"5\"}"),
     "Audit needs a FindingsDestination or a NoFindingsDestination"},
    {STMT("Inbound", CC,
          "\"Audit\":{\"SampleRate\":5,\"FindingsDestination\":{\"CloudWatchLogs\":{\"LogGroup\":\"g\"}}}"),
     "The LogGroup g of an audit destination must start with /aws/vendedlogs/"},
    {STMT("Inbound", CC, "\"Audit\":{\"SampleRate\":5,\"FindingsDestination\":{\"Kafka\":{}}}"),
     "FindingsDestination has an unknown member Kafka"},
    {"{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":["
     "{\"DataDirection\":\"Inbound\",\"Principal\":[\"*\"],\"DataIdentifier\":[" CC "],"
     "\"Operation\":{\"Audit\":{\"SampleRate\":5," DEST "}}},"
     "{\"DataDirection\":\"Inbound\",\"Principal\":[\"*\"],\"DataIdentifier\":[" CC "],"
     "\"Operation\":{\"Audit\":{\"SampleRate\":5," DEST "}}}]}",
     "A data protection policy can have only one Audit statement"},
    {STMT("Outbound", CC, "\"Deidentify\":{\"RedactConfig\":{}}"),
     "The Deidentify operation applies to Inbound statements only"},
    {STMT("Inbound", CC, "\"Deidentify\":{\"RedactConfig\":{},\"MaskConfig\":{}}"),
     "Deidentify needs exactly one of MaskConfig and RedactConfig"},
    {STMT("Inbound", CC, "\"Deidentify\":{}"), "Deidentify needs exactly one of MaskConfig and RedactConfig"},
    {STMT("Inbound", CC, "\"Deidentify\":{\"MaskConfig\":{\"MaskWithCharacter\":\"?\"}}"),
     "MaskWithCharacter ? is not one of the supported mask characters"},
    {STMT("Inbound", CC, "\"Deidentify\":{\"MaskConfig\":{\"MaskWithCharacter\":\"##\"}}"),
     "MaskWithCharacter ## is not one of the supported mask characters"},
    {CUSTOM("{\"Name\":\"a\",\"Regex\":\"x\"},{\"Name\":\"b\",\"Regex\":\"x\"},{\"Name\":\"c\",\"Regex\":\"x\"},"
            "{\"Name\":\"d\",\"Regex\":\"x\"},{\"Name\":\"e\",\"Regex\":\"x\"},{\"Name\":\"f\",\"Regex\":\"x\"},"
            "{\"Name\":\"g\",\"Regex\":\"x\"},{\"Name\":\"h\",\"Regex\":\"x\"},{\"Name\":\"i\",\"Regex\":\"x\"},"
            "{\"Name\":\"j\",\"Regex\":\"x\"},{\"Name\":\"k\",\"Regex\":\"x\"}",
            "\"a\""),
     "Configuration.CustomDataIdentifier has 11 entries; at most 10 custom data identifiers are allowed"},
    {CUSTOM("{\"Name\":\"bad name\",\"Regex\":\"x\"}", "\"a\""),
     "Custom data identifier name bad name must be 1 to 128 characters of a-z, A-Z, 0-9, _ and -"},
    {CUSTOM("{\"Name\":\"Ssn\",\"Regex\":\"x\"}", "\"Ssn\""),
     "Custom data identifier name Ssn is the name of a managed data identifier"},
    {CUSTOM("{\"Name\":\"EmailAddress\",\"Regex\":\"x\"}", "\"EmailAddress\""),
     "Custom data identifier name EmailAddress is the name of a managed data identifier"},
    {CUSTOM("{\"Name\":\"a\",\"Regex\":\"x\"},{\"Name\":\"a\",\"Regex\":\"y\"}", "\"a\""),
     "Custom data identifier name a is defined twice"},
    {CUSTOM("{\"Name\":\"a\",\"Regex\":\"(x)\"}", "\"a\""),
     "The Regex of custom data identifier a has a character that is not allowed (alphanumerics, _ # "
     "= @ / ; , - space and ^ $ ? [ ] { } | \\ * + .)"},
    {CUSTOM("{\"Name\":\"a\",\"Regex\":\"[a-\"}", "\"a\""),
     "The Regex of custom data identifier a is not a valid regular expression"},
    {CUSTOM("{\"Name\":\"a\"}", "\"a\""), "A custom data identifier needs a Name and a Regex (strings)"},
};

START_TEST(refused_policies_change_nothing) {
  char *kept = policy1("Inbound", CC, "\"Deny\":{}");
  put(kept);
  char *p = (char *)refused[_i].policy;
  tt_assert_error(aev_topic_set_attribute(t, "DataProtectionPolicy", p), AEV_ERR_INVALID,
                  "InvalidParameter", NULL);
  char want[1024];
  snprintf(want, sizeof want, "Invalid parameter: DataProtectionPolicy Reason: %s", refused[_i].reason);
  ck_assert_str_eq(aev_errmsg(), want);
  assert_policy(kept);
  free(kept);
}
END_TEST

START_TEST(size_limit) {
  /* 30,720 characters at most: padding in the Description. */
  const char *head = "{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Description\":\"";
  const char *tail = "\",\"Statement\":[{\"DataDirection\":\"Inbound\",\"Principal\":[\"*\"],"
                     "\"DataIdentifier\":[" CC "],\"Operation\":{\"Deny\":{}}}]}";
  size_t fixed = strlen(head) + strlen(tail);
  char *p = malloc(AEV__DPP_MAX_LEN + 2);
  memset(p, 'x', AEV__DPP_MAX_LEN + 1);
  memcpy(p, head, strlen(head));
  memcpy(p + AEV__DPP_MAX_LEN - strlen(tail), tail, strlen(tail) + 1);
  ck_assert_uint_eq(strlen(p), AEV__DPP_MAX_LEN);
  ck_assert_uint_gt(AEV__DPP_MAX_LEN, fixed);
  put(p);
  memmove(p + AEV__DPP_MAX_LEN + 1 - strlen(tail), p + AEV__DPP_MAX_LEN - strlen(tail), strlen(tail) + 1);
  p[AEV__DPP_MAX_LEN - strlen(tail)] = 'x';
  tt_assert_error(aev_topic_set_attribute(t, "DataProtectionPolicy", p), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: DataProtectionPolicy Reason: The policy is 30721 characters "
                  "long; at most 30720 are allowed");
  free(p);
}
END_TEST

START_TEST(every_listed_identifier_is_accepted) {
  for (int i = 0; aev__dpp_managed_name(i); i++) {
    char ids[128];
    snprintf(ids, sizeof ids, "\"%s%s\"", ID_ARN, aev__dpp_managed_name(i));
    put1("Outbound", ids, "\"Deny\":{}");
  }
  ck_assert_int_eq(aev__dpp_managed_index("Ssn-US") >= 0, 1);
  ck_assert_int_eq(aev__dpp_managed_index("PhoneNumber-US") >= 0, 1);
  ck_assert_int_eq(aev__dpp_managed_index("Nope"), -1);
}
END_TEST

/* ---- inbound ---- */

START_TEST(inbound_deny_refuses_and_stores_nothing) {
  put1("Inbound", CC, "\"Deny\":{}");
  tt_assert_error(publish("My credit card number is " CARD), AEV_ERR_INVALID, "AuthorizationError",
                  "The topic's data protection policy denies this message: it contains sensitive "
                  "data (CreditCardNumber)");
  ck_assert_int_eq(tt_depth(q), 0);
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 0);
  ck_assert_int_eq(tt_counter(t, "PublishSize"), 0);
  /* Through aev_call, as boto3 would show it. */
  json_t *req = json_pack("{s:s,s:s}", "TopicArn", aev_topic_arn(t), "Message", "card: " CARD);
  aev_test_call_req_fails(b, "sns", "Publish", req, AEV_ERR_INVALID, "AuthorizationError", NULL);
  /* Clean messages pass. */
  ck_assert_int_eq(publish("nothing to see"), AEV_OK);
  assert_received("nothing to see");
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 1);
}
END_TEST

START_TEST(inbound_deny_in_publish_batch) {
  put1("Inbound", CC, "\"Deny\":{}");
  json_t *req = json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "TopicArn", aev_topic_arn(t),
                          "PublishBatchRequestEntries", "Id", "ok", "Message", "hello", "Id", "card",
                          "Message", "visa " CARD);
  json_t *r = aev_test_call_req(b, "sns", "PublishBatch", req, AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(r, "Successful")), 1);
  json_t *f = json_array_get(json_object_get(r, "Failed"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(f, "Id")), "card");
  ck_assert_str_eq(json_string_value(json_object_get(f, "Code")), "AuthorizationError");
  ck_assert(json_is_true(json_object_get(f, "SenderFault")));
  json_decref(r);
  assert_received("hello");
  ck_assert_int_eq(tt_depth(q), 0);
}
END_TEST

START_TEST(inbound_principal_of_another_account_does_not_apply) {
  char *p = NULL;
  ck_assert_int_ge(asprintf(&p,
                            "{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":[{"
                            "\"DataDirection\":\"Inbound\",\"Principal\":[\"arn:aws:iam::"
                            "999999999999:user/Other\"],\"DataIdentifier\":[" CC "],"
                            "\"Operation\":{\"Deny\":{}}}]}"),
                   0);
  put(p);
  free(p);
  ck_assert_int_eq(publish("card " CARD), AEV_OK);
  assert_received("card " CARD);
  /* The broker's own account's principals apply. */
  ck_assert_int_ge(asprintf(&p,
                            "{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Statement\":[{"
                            "\"DataDirection\":\"Inbound\",\"Principal\":[\"arn:aws:iam::%s:user/Me\"],"
                            "\"DataIdentifier\":[" CC "],\"Operation\":{\"Deny\":{}}}]}",
                            aev_broker_account(b)),
                   0);
  put(p);
  free(p);
  tt_assert_error(publish("card " CARD), AEV_ERR_INVALID, "AuthorizationError", NULL);
}
END_TEST

START_TEST(inbound_mask) {
  put1("Inbound", CC, "\"Deidentify\":{\"MaskConfig\":{\"MaskWithCharacter\":\"#\"}}");
  ck_assert_int_eq(publish("My credit card number is " CARD), AEV_OK);
  assert_received("My credit card number is ################");
  /* The default character is *. */
  put1("Inbound", "\"" ID_ARN "EmailAddress\"", "\"Deidentify\":{\"MaskConfig\":{}}");
  ck_assert_int_eq(publish("write to ana@example.com today"), AEV_OK);
  assert_received("write to *************** today");
}
END_TEST

START_TEST(inbound_redact_enveloped) {
  put1("Inbound", CC, "\"Deidentify\":{\"RedactConfig\":{}}");
  aev_queue *env = qt_queue(b, "env", NULL);
  char *arn = tt_sub(t, env, NULL);
  ck_assert_int_eq(publish("My credit card number is " CARD), AEV_OK);
  assert_received("My credit card number is ");
  json_t *e = tt_envelope(env);
  ck_assert_str_eq(json_string_value(json_object_get(e, "Message")), "My credit card number is ");
  json_decref(e);
  aev_free(arn);
  aev_queue_release(env);
}
END_TEST

START_TEST(inbound_whole_message_sensitive) {
  put1("Inbound", "\"" ID_ARN "EmailAddress\"", "\"Deidentify\":{\"RedactConfig\":{}}");
  tt_assert_error(publish(" ana@example.com\n"), AEV_ERR_INVALID, "AuthorizationError",
                  "The topic's data protection policy denies this message: the whole message is "
                  "sensitive data (EmailAddress)");
  ck_assert_int_eq(tt_depth(q), 0);
}
END_TEST

START_TEST(inbound_message_structure) {
  put1("Inbound", "\"" ID_ARN "EmailAddress\"", "\"Deidentify\":{\"MaskConfig\":{}}");
  json_t *req = json_pack("{s:s,s:s,s:s}", "TopicArn", aev_topic_arn(t), "MessageStructure", "json",
                          "Message", "{\"default\":\"to a@b.co\",\"sqs\":\"sqs to c@d.io\"}");
  json_decref(aev_test_call_req(b, "sns", "Publish", req, AEV_OK));
  assert_received("sqs to ******");
}
END_TEST

START_TEST(custom_identifier) {
  put("{\"Name\":\"p\",\"Version\":\"2021-06-01\",\"Configuration\":{\"CustomDataIdentifier\":["
      "{\"Name\":\"EmployeeId\",\"Regex\":\"EID-\\\\d{9}-US\"}]},\"Statement\":[{\"DataDirection\":"
      "\"Inbound\",\"Principal\":[\"*\"],\"DataIdentifier\":[\"EmployeeId\"],\"Operation\":{"
      "\"Deidentify\":{\"MaskConfig\":{\"MaskWithCharacter\":\"#\"}}}}]}");
  ck_assert_int_eq(publish("staff EID-123456789-US and EID-12345678-US"), AEV_OK);
  assert_received("staff ################ and EID-12345678-US");
}
END_TEST

/* ---- outbound ---- */

START_TEST(outbound_deny_drops_the_delivery) {
  put1("Outbound", CC, "\"Deny\":{}");
  aev_queue *env = qt_queue(b, "env", NULL);
  char *arn = tt_sub(t, env, NULL);
  ck_assert_int_eq(publish("visa " CARD), AEV_OK);
  ck_assert_int_eq(tt_depth(q), 0);
  ck_assert_int_eq(tt_depth(env), 0);
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 1);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsFailed"), 2);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 0);
  ck_assert_int_eq(publish("fine"), AEV_OK);
  assert_received("fine");
  ck_assert_int_eq(tt_depth(env), 1);
  ck_assert_int_eq(tt_counter(t, "NumberOfNotificationsDelivered"), 2);
  aev_free(arn);
  aev_queue_release(env);
}
END_TEST

START_TEST(outbound_deny_fifo_replay) {
  aev_topic *ft = tt_topic(b, "pii.fifo",
                           "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\","
                           "\"ArchivePolicy\":\"{\\\"MessageRetentionPeriod\\\":\\\"1\\\"}\"}");
  aev_queue *fq = qt_queue(b, "out.fifo", "{\"FifoQueue\":\"true\"}");
  char *arn = tt_sub(ft, fq, "{\"RawMessageDelivery\":\"true\"}");
  aev_publish_options *o;
  aev_publish_options_new(&o);
  aev_publish_options_set_group_id(o, "g");
  const char *m = "visa " CARD;
  ck_assert_int_eq(aev_topic_publish(ft, m, strlen(m), o, NULL, NULL), AEV_OK);
  aev_broker_advance(b, 1);
  ck_assert_int_eq(tt_depth(fq), 1);
  /* The archive keeps the message; a replay after an Outbound Deny was
   * put delivers nothing. */
  char *p = policy1("Outbound", CC, "\"Deny\":{}");
  ck_assert_int_eq(aev_topic_set_attribute(ft, "DataProtectionPolicy", p), AEV_OK);
  free(p);
  ck_assert_int_eq(aev_subscription_set_attribute(
                       b, arn, "ReplayPolicy",
                       "{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2024-01-01T00:00:00.000Z\"}"),
                   AEV_OK);
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(tt_depth(fq), 1);
  ck_assert_int_eq(tt_counter(ft, "NumberOfNotificationsFailed"), 1);
  aev_publish_options_free(o);
  aev_free(arn);
  aev_queue_release(fq);
  aev_topic_set_attribute(ft, "ArchivePolicy", "");
  aev_topic_release(ft);
}
END_TEST

/* ---- audit ---- */

/* A delivery stream's sink keeping its last object whole. */
typedef struct sink {
  int n;
  char last[4096];
} sink;

static int on_object(void *user, const char *key, const void *data, size_t len) {
  sink *k = user;
  (void)key;
  k->n++;
  snprintf(k->last, sizeof k->last, "%.*s", (int)len, (const char *)data);
  return 0;
}

START_TEST(audit_counts_and_delivers_findings) {
  sink sunk = {0};
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_create_with_sink(b, "findings",
                                                 "{\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}",
                                                 on_object, &sunk, NULL, &d),
                   AEV_OK);
  put1("Inbound", CC,
       "\"Audit\":{\"SampleRate\":\"50\",\"FindingsDestination\":{\"Firehose\":{\"DeliveryStream\":"
       "\"findings\"},\"S3\":{\"Bucket\":\"b\"}},\"NoFindingsDestination\":{\"CloudWatchLogs\":{"
       "\"LogGroup\":\"/aws/vendedlogs/x\"}}}");
  char id[AEV_TOPIC_MESSAGE_ID_SIZE];
  const char *m = "card " CARD;
  /* 50%: the second of every two messages is sampled. */
  ck_assert_int_eq(aev_topic_publish(t, m, strlen(m), NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_topic_publish(t, m, strlen(m), NULL, id, NULL), AEV_OK);
  ck_assert_int_eq(publish("clean"), AEV_OK);
  ck_assert_int_eq(publish("clean"), AEV_OK);
  ck_assert_int_eq(tt_counter(t, "MessagesWithFindings"), 1);
  ck_assert_int_eq(tt_counter(t, "MessagesWithNoFindings"), 1);
  /* Audit interrupts nothing. */
  ck_assert_int_eq(tt_depth(q), 4);
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(sunk.n, 1);
  json_t *rec = json_loads(sunk.last, 0, NULL);
  ck_assert_ptr_nonnull(rec);
  ck_assert_str_eq(json_string_value(json_object_get(rec, "messageId")), id);
  ck_assert_str_eq(json_string_value(json_object_get(rec, "resourceArn")), aev_topic_arn(t));
  ck_assert_str_eq(json_string_value(json_object_get(rec, "auditTimestamp")), "2024-01-01T00:00:00.000Z");
  json_t *di = json_array_get(json_object_get(rec, "dataIdentifiers"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(di, "name")), "CreditCardNumber");
  ck_assert_int_eq(json_integer_value(json_object_get(di, "count")), 1);
  json_t *det = json_array_get(json_object_get(di, "detections"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(det, "start")), 5);
  ck_assert_int_eq(json_integer_value(json_object_get(det, "end")), 21);
  json_decref(rec);
  aev_delivery_release(d);
}
END_TEST

START_TEST(audit_rate_zero_samples_nothing) {
  put1("Inbound", CC, "\"Audit\":{\"SampleRate\":0," DEST "}");
  for (int i = 0; i < 10; i++) ck_assert_int_eq(publish("card " CARD), AEV_OK);
  ck_assert_int_eq(tt_counter(t, "MessagesWithFindings"), 0);
  ck_assert_int_eq(tt_counter(t, "MessagesWithNoFindings"), 0);
  put1("Inbound", CC, "\"Audit\":{\"SampleRate\":99," DEST "}");
  for (int i = 0; i < 100; i++) ck_assert_int_eq(publish("card " CARD), AEV_OK);
  ck_assert_int_eq(tt_counter(t, "MessagesWithFindings"), 99);
}
END_TEST

/* ---- detectors ---- */

/* Whether the managed identifier name finds something in text, and where. */
static int finds(const char *name, const char *text, size_t *start, size_t *end) {
  char *p = NULL, ids[128];
  snprintf(ids, sizeof ids, "\"%s%s\"", ID_ARN, name);
  p = policy1("Outbound", ids, "\"Deny\":{}");
  aev__dpp *dp;
  ck_assert_int_eq(aev__dpp_parse(p, &dp), AEV_OK);
  free(p);
  aev__dpp_span *sp = NULL;
  size_t n = 0, cap = 0;
  ck_assert_int_eq(aev__dpp_detect(dp, 0, text, strlen(text), &sp, &n, &cap), AEV_OK);
  if (n && start) *start = sp[0].start;
  if (n && end) *end = sp[0].end;
  free(sp);
  aev__dpp_unref(dp);
  return (int)n;
}

START_TEST(detect_email) {
  size_t a = 0, e = 0;
  ck_assert_int_eq(finds("EmailAddress", "mail ana.b+x@mail.example.org, now", &a, &e), 1);
  ck_assert_uint_eq(a, 5);
  ck_assert_uint_eq(e, 29);
  ck_assert_int_eq(finds("EmailAddress", "a@b.co and c@d.io", NULL, NULL), 2);
  ck_assert_int_eq(finds("EmailAddress", "user@localhost", NULL, NULL), 0);
  ck_assert_int_eq(finds("EmailAddress", "@example.com", NULL, NULL), 0);
  ck_assert_int_eq(finds("EmailAddress", "a@b.c", NULL, NULL), 0);
  ck_assert_int_eq(finds("EmailAddress", "a@-b.com", NULL, NULL), 0);
  ck_assert_int_eq(finds("EmailAddress", "a@b..com", NULL, NULL), 0);
}
END_TEST

START_TEST(detect_credit_card) {
  size_t a = 0, e = 0;
  ck_assert_int_eq(finds("CreditCardNumber", "card " CARD, &a, &e), 1);
  ck_assert_uint_eq(a, 5);
  ck_assert_uint_eq(e, 21);
  ck_assert_int_eq(finds("CreditCardNumber", "Visa: 4539 8944 5808 6459.", &a, &e), 1);
  ck_assert_uint_eq(e - a, 19);
  ck_assert_int_eq(finds("CreditCardNumber", "amex 3714-496353-98430", NULL, NULL), 0); /* Luhn */
  /* 16 digits failing the Luhn check are no card. */
  ck_assert_int_eq(finds("CreditCardNumber", "card 4539894458086458", NULL, NULL), 0);
  /* Test numbers the issuers reserved are not reported. */
  ck_assert_int_eq(finds("CreditCardNumber", "card 4111111111111111", NULL, NULL), 0);
  /* No keyword near it. */
  ck_assert_int_eq(finds("CreditCardNumber", "order " CARD, NULL, NULL), 0);
  ck_assert_int_eq(finds("CreditCardNumber",
                         "credit ...................................... " CARD, NULL, NULL),
                   0);
  /* A keyword is a word of its own; "debit-card" matches "debit card". */
  ck_assert_int_eq(finds("CreditCardNumber", "scorecard " CARD, NULL, NULL), 0);
  ck_assert_int_eq(finds("CreditCardNumber", "DEBIT-CARD " CARD, NULL, NULL), 1);
  /* A prefix no issuer uses; a digit run too long; letters against it. */
  ck_assert_int_eq(finds("CreditCardNumber", "card 9539894458086455", NULL, NULL), 0);
  ck_assert_int_eq(finds("CreditCardNumber", "card 45398944580864591234", NULL, NULL), 0);
  ck_assert_int_eq(finds("CreditCardNumber", "card " CARD "x", NULL, NULL), 0);
}
END_TEST

START_TEST(detect_aws_secret_key) {
  const char *key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  char text[128];
  snprintf(text, sizeof text, "aws_secret_access_key = %s", key);
  size_t a = 0, e = 0;
  ck_assert_int_eq(finds("AwsSecretKey", text, &a, &e), 1);
  ck_assert_uint_eq(e - a, 40);
  snprintf(text, sizeof text, "value = %s", key);
  ck_assert_int_eq(finds("AwsSecretKey", text, NULL, NULL), 0);
  ck_assert_int_eq(finds("AwsSecretKey", "secret key abcdefghijabcdefghijabcdefghijabcdefghij", NULL, NULL), 0);
  ck_assert_int_eq(finds("AwsSecretKey", "secret key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYS", NULL, NULL), 0);
}
END_TEST

START_TEST(detect_ip_address) {
  size_t a = 0, e = 0;
  ck_assert_int_eq(finds("IpAddress", "from 192.168.0.1, then", &a, &e), 1);
  ck_assert_uint_eq(a, 5);
  ck_assert_uint_eq(e, 16);
  ck_assert_int_eq(finds("IpAddress", "255.255.255.255", NULL, NULL), 1);
  ck_assert_int_eq(finds("IpAddress", "256.1.1.1", NULL, NULL), 0);
  ck_assert_int_eq(finds("IpAddress", "1.2.3", NULL, NULL), 0);
  ck_assert_int_eq(finds("IpAddress", "1.2.3.4.5", NULL, NULL), 0);
  ck_assert_int_eq(finds("IpAddress", "01.2.3.4", NULL, NULL), 0);
  ck_assert_int_eq(finds("IpAddress", "v1.2.3.4", NULL, NULL), 0);
}
END_TEST

START_TEST(undetected_identifiers_find_nothing) {
  ck_assert_int_eq(finds("Ssn-US", "ssn 123-45-6789", NULL, NULL), 0);
  ck_assert_int_eq(finds("Name", "John Smith", NULL, NULL), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_dpp");
  TCase *tc = tcase_create("dpp");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, put_get_round_trip);
  tcase_add_test(tc, create_topic_member_and_attribute);
  tcase_add_test(tc, missing_topic_is_not_found);
  tcase_add_loop_test(tc, refused_policies_change_nothing, 0, (int)(sizeof refused / sizeof refused[0]));
  tcase_add_test(tc, size_limit);
  tcase_add_test(tc, every_listed_identifier_is_accepted);
  tcase_add_test(tc, inbound_deny_refuses_and_stores_nothing);
  tcase_add_test(tc, inbound_deny_in_publish_batch);
  tcase_add_test(tc, inbound_principal_of_another_account_does_not_apply);
  tcase_add_test(tc, inbound_mask);
  tcase_add_test(tc, inbound_redact_enveloped);
  tcase_add_test(tc, inbound_whole_message_sensitive);
  tcase_add_test(tc, inbound_message_structure);
  tcase_add_test(tc, custom_identifier);
  tcase_add_test(tc, outbound_deny_drops_the_delivery);
  tcase_add_test(tc, outbound_deny_fifo_replay);
  tcase_add_test(tc, audit_counts_and_delivers_findings);
  tcase_add_test(tc, audit_rate_zero_samples_nothing);
  tcase_add_test(tc, detect_email);
  tcase_add_test(tc, detect_credit_card);
  tcase_add_test(tc, detect_aws_secret_key);
  tcase_add_test(tc, detect_ip_address);
  tcase_add_test(tc, undetected_identifiers_find_nothing);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
