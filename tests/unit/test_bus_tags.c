/* EventBridge tags and bus permissions through aev_call: TagResource,
 * UntagResource, ListTagsForResource on buses and rules, the Tags of
 * CreateEventBus and PutRule, PutPermission / RemovePermission and the
 * Policy that DescribeEventBus and ListEventBuses answer. Every failure is
 * checked to leave what was stored as it was. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

#define ACCOUNT "000000000000"
#define ARN "arn:aws:events:us-east-1:" ACCOUNT ":"
#define BUS_ARN ARN "event-bus/orders"
#define RULE_ARN ARN "rule/orders/r"
#define PATTERN "\"EventPattern\":\"{\\\"source\\\":[\\\"a\\\"]}\""

static aev_broker *b;

static void setup(void) { b = bt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* Calls action and compares the answer (JSON) with want (NULL: the status
 * alone). */
static void call_eq(const char *action, const char *req, int want_rc, const char *want) {
  char *out = NULL;
  int rc = aev_call(b, "events", action, req, &out);
  ck_assert_msg(rc == want_rc, "%s: rc %d (%s)", action, rc, out ? out : "");
  if (want) bt_json_eq(out, want);
  aev_free(out);
}

/* ListTagsForResource of arn answers {"Tags": want_list}. */
static void tags_eq(const char *arn, const char *want_list) {
  char req[512], want[4096];
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", arn);
  snprintf(want, sizeof want, "{\"Tags\":%s}", want_list);
  call_eq("ListTagsForResource", req, AEV_OK, want);
}

static void tag(const char *arn, const char *tags, int want_rc, const char *want) {
  char *req = malloc(strlen(arn) + strlen(tags) + 64);
  ck_assert_ptr_nonnull(req);
  sprintf(req, "{\"ResourceARN\":\"%s\",\"Tags\":%s}", arn, tags);
  call_eq("TagResource", req, want_rc, want);
  free(req);
}

/* A Tags list of n tags k<from>..k<from+n-1>, each valued v. */
static char *tag_list(int from, int n) {
  char *s = malloc(64 + (size_t)n * 40), *p = s;
  ck_assert_ptr_nonnull(s);
  p += sprintf(p, "[");
  for (int i = 0; i < n; i++)
    p += sprintf(p, "%s{\"Key\":\"k%d\",\"Value\":\"v\"}", i ? "," : "", from + i);
  sprintf(p, "]");
  return s;
}

static void orders_bus_and_rule(void) {
  call_eq("CreateEventBus", "{\"Name\":\"orders\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"shop\"}]}",
          AEV_OK, NULL);
  call_eq("PutRule",
          "{\"Name\":\"r\",\"EventBusName\":\"orders\"," PATTERN ","
          "\"Tags\":[{\"Key\":\"env\",\"Value\":\"test\"}]}",
          AEV_OK, "{\"RuleArn\":\"" RULE_ARN "\"}");
}

START_TEST(tags_from_create_and_put_rule) {
  orders_bus_and_rule();
  tags_eq(BUS_ARN, "[{\"Key\":\"team\",\"Value\":\"shop\"}]");
  tags_eq(RULE_ARN, "[{\"Key\":\"env\",\"Value\":\"test\"}]");
  /* PutRule again merges its Tags into the rule's, as TagResource does. */
  call_eq("PutRule",
          "{\"Name\":\"r\",\"EventBusName\":\"orders\"," PATTERN ","
          "\"Tags\":[{\"Key\":\"env\",\"Value\":\"prod\"},{\"Key\":\"cost\",\"Value\":\"\"}]}",
          AEV_OK, NULL);
  tags_eq(RULE_ARN, "[{\"Key\":\"env\",\"Value\":\"prod\"},{\"Key\":\"cost\",\"Value\":\"\"}]");
  /* A rule of the default bus: rule/NAME. */
  call_eq("PutRule", "{\"Name\":\"d\"," PATTERN ",\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"}]}",
          AEV_OK, NULL);
  tags_eq(ARN "rule/d", "[{\"Key\":\"a\",\"Value\":\"1\"}]");
  tags_eq(ARN "event-bus/default", "[]");
}
END_TEST

START_TEST(tag_overwrite_list_untag) {
  orders_bus_and_rule();
  tag(BUS_ARN, "[{\"Key\":\"team\",\"Value\":\"ops\"},{\"Key\":\"tier\",\"Value\":\"1\"}]", AEV_OK,
      "{}");
  tags_eq(BUS_ARN, "[{\"Key\":\"team\",\"Value\":\"ops\"},{\"Key\":\"tier\",\"Value\":\"1\"}]");
  tags_eq(RULE_ARN, "[{\"Key\":\"env\",\"Value\":\"test\"}]");
  call_eq("UntagResource", "{\"ResourceARN\":\"" BUS_ARN "\",\"TagKeys\":[\"team\",\"absent\"]}",
          AEV_OK, "{}");
  tags_eq(BUS_ARN, "[{\"Key\":\"tier\",\"Value\":\"1\"}]");
  call_eq("UntagResource", "{\"ResourceARN\":\"" RULE_ARN "\",\"TagKeys\":[\"env\"]}", AEV_OK,
          "{}");
  tags_eq(RULE_ARN, "[]");
  call_eq("TagResource", "{\"ResourceARN\":\"" BUS_ARN "\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
          "Value null at 'tags' failed to satisfy constraint: Member must not be null\"}");
}
END_TEST

START_TEST(tags_go_with_their_resource) {
  orders_bus_and_rule();
  call_eq("DeleteRule", "{\"Name\":\"r\",\"EventBusName\":\"orders\"}", AEV_OK, NULL);
  call_eq("ListTagsForResource", "{\"ResourceARN\":\"" RULE_ARN "\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Rule r does not exist on "
          "EventBus orders.\"}");
  call_eq("PutRule", "{\"Name\":\"r\",\"EventBusName\":\"orders\"," PATTERN "}", AEV_OK, NULL);
  tags_eq(RULE_ARN, "[]");
  call_eq("DeleteRule", "{\"Name\":\"r\",\"EventBusName\":\"orders\"}", AEV_OK, NULL);
  call_eq("DeleteEventBus", "{\"Name\":\"orders\"}", AEV_OK, NULL);
  call_eq("ListTagsForResource", "{\"ResourceARN\":\"" BUS_ARN "\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus orders does not "
          "exist.\"}");
  call_eq("CreateEventBus", "{\"Name\":\"orders\"}", AEV_OK, NULL);
  tags_eq(BUS_ARN, "[]");
}
END_TEST

static const char *const too_many =
    "{\"__type\":\"LimitExceededException\",\"message\":\"A resource can have at most 50 "
    "tags.\"}";

START_TEST(at_most_50_tags) {
  orders_bus_and_rule();
  char *first = tag_list(0, 49);
  tag(BUS_ARN, first, AEV_OK, NULL); /* 50 with team */
  /* One more, with an overwrite of a tag it holds: nothing changes. */
  tag(BUS_ARN, "[{\"Key\":\"team\",\"Value\":\"ops\"},{\"Key\":\"k99\",\"Value\":\"v\"}]",
      AEV_ERR_LIMIT, too_many);
  char *req = malloc(strlen(first) + 128);
  ck_assert_ptr_nonnull(req);
  sprintf(req, "{\"ResourceARN\":\"%s\"}", BUS_ARN);
  char *out = NULL;
  bt_ok(aev_call(b, "events", "ListTagsForResource", req, &out));
  json_t *got = json_loads(out, 0, NULL);
  json_t *list = json_object_get(got, "Tags");
  ck_assert_uint_eq(json_array_size(list), 50);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "Value")), "shop");
  json_decref(got);
  aev_free(out);
  /* Overwriting at 50 is fine. */
  tag(BUS_ARN, "[{\"Key\":\"k0\",\"Value\":\"w\"}]", AEV_OK, NULL);
  free(req);

  /* 51 in one request: no bus made, no rule put or changed. */
  char *fifty_one = tag_list(0, 51);
  req = malloc(strlen(fifty_one) + 256);
  ck_assert_ptr_nonnull(req);
  sprintf(req, "{\"Name\":\"big\",\"Tags\":%s}", fifty_one);
  call_eq("CreateEventBus", req, AEV_ERR_LIMIT, too_many);
  call_eq("DescribeEventBus", "{\"Name\":\"big\"}", AEV_ERR_NOT_FOUND, NULL);
  sprintf(req, "{\"Name\":\"r2\"," PATTERN ",\"Tags\":%s}", fifty_one);
  call_eq("PutRule", req, AEV_ERR_LIMIT, too_many);
  call_eq("DescribeRule", "{\"Name\":\"r2\"}", AEV_ERR_NOT_FOUND, NULL);
  /* PutRule whose tags with the rule's make 51: the rule keeps its pattern
   * and its tags. */
  char *fifty = tag_list(0, 50);
  free(req);
  req = malloc(strlen(fifty) + 256);
  ck_assert_ptr_nonnull(req);
  sprintf(req,
          "{\"Name\":\"r\",\"EventBusName\":\"orders\",\"EventPattern\":"
          "\"{\\\"source\\\":[\\\"b\\\"]}\",\"Tags\":%s}",
          fifty);
  call_eq("PutRule", req, AEV_ERR_LIMIT, too_many);
  call_eq("DescribeRule", "{\"Name\":\"r\",\"EventBusName\":\"orders\"}", AEV_OK,
          "{\"Name\":\"r\",\"Arn\":\"" RULE_ARN "\",\"State\":\"ENABLED\",\"EventBusName\":"
          "\"orders\",\"CreatedBy\":\"" ACCOUNT "\",\"EventPattern\":"
          "\"{\\\"source\\\":[\\\"a\\\"]}\"}");
  tags_eq(RULE_ARN, "[{\"Key\":\"env\",\"Value\":\"test\"}]");
  free(req);
  free(fifty);
  free(fifty_one);
  free(first);
}
END_TEST

START_TEST(lengths_count_characters) {
  orders_bus_and_rule();
  /* 128 and 256 two-byte characters are at the limits, one more is not. */
  char *key = aev_test_repeat_between("[{\"Key\":\"", "\xc3\xa9", 128, "\",\"Value\":\"v\"}]");
  tag(BUS_ARN, key, AEV_OK, "{}");
  free(key);
  key = aev_test_repeat_between("[{\"Key\":\"ok\",\"Value\":\"v\"},{\"Key\":\"", "\xc3\xa9", 129,
                                "\",\"Value\":\"v\"}]");
  tag(BUS_ARN, key, AEV_ERR_INVALID,
      "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value at "
      "'tags.2.member.key' failed to satisfy constraint: Member must have length less than or "
      "equal to 128\"}");
  free(key);
  char *value = aev_test_repeat_between("[{\"Key\":\"v\",\"Value\":\"", "\xc3\xa9", 256, "\"}]");
  tag(RULE_ARN, value, AEV_OK, "{}");
  free(value);
  value = aev_test_repeat_between("[{\"Key\":\"env\",\"Value\":\"", "\xc3\xa9", 257, "\"}]");
  tag(RULE_ARN, value, AEV_ERR_INVALID,
      "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value at "
      "'tags.1.member.value' failed to satisfy constraint: Member must have length less than "
      "or equal to 256\"}");
  free(value);
  tag(RULE_ARN, "[{\"Key\":\"\",\"Value\":\"v\"}]", AEV_ERR_INVALID,
      "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value '' "
      "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater "
      "than or equal to 1\"}");
  key = aev_test_repeat_between("{\"ResourceARN\":\"" RULE_ARN "\",\"TagKeys\":[\"", "k", 129,
                                "\"]}");
  call_eq("UntagResource", key, AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value "
          "at 'tagKeys.1.member' failed to satisfy constraint: Member must have length less "
          "than or equal to 128\"}");
  free(key);
  /* Nothing of the failed requests was kept; the rule's tags are whole. */
  char *want = aev_test_repeat_between("[{\"Key\":\"env\",\"Value\":\"test\"},{\"Key\":\"v\","
                                       "\"Value\":\"",
                                       "\xc3\xa9", 256, "\"}]");
  tags_eq(RULE_ARN, want);
  free(want);
  call_eq("UntagResource", "{\"ResourceARN\":\"" BUS_ARN "\",\"TagKeys\":[\"team\"]}", AEV_OK,
          NULL);
  key = aev_test_repeat_between("[{\"Key\":\"", "\xc3\xa9", 128, "\",\"Value\":\"v\"}]");
  tags_eq(BUS_ARN, key);
  free(key);
}
END_TEST

START_TEST(aws_prefix_reserved) {
  orders_bus_and_rule();
  const char *reserved =
      "{\"__type\":\"ValidationException\",\"message\":\"Invalid tag key aws:x: the prefix aws: "
      "is reserved for AWS use.\"}";
  tag(BUS_ARN, "[{\"Key\":\"new\",\"Value\":\"1\"},{\"Key\":\"aws:x\",\"Value\":\"1\"}]",
      AEV_ERR_INVALID, reserved);
  tag(RULE_ARN, "[{\"Key\":\"AWS:Y\",\"Value\":\"1\"}]", AEV_ERR_INVALID, NULL);
  call_eq("CreateEventBus", "{\"Name\":\"b2\",\"Tags\":[{\"Key\":\"aws:x\",\"Value\":\"1\"}]}",
          AEV_ERR_INVALID, reserved);
  call_eq("DescribeEventBus", "{\"Name\":\"b2\"}", AEV_ERR_NOT_FOUND, NULL);
  tags_eq(BUS_ARN, "[{\"Key\":\"team\",\"Value\":\"shop\"}]");
  tags_eq(RULE_ARN, "[{\"Key\":\"env\",\"Value\":\"test\"}]");
  /* A key that merely contains aws: is the user's. */
  tag(BUS_ARN, "[{\"Key\":\"my-aws:x\",\"Value\":\"1\"}]", AEV_OK, NULL);
}
END_TEST

START_TEST(unknown_and_malformed_arns) {
  orders_bus_and_rule();
  const char *missing[][2] = {
      {ARN "event-bus/nope", "Event bus nope does not exist."},
      {ARN "rule/orders/nope", "Rule nope does not exist on EventBus orders."},
      {ARN "rule/nope", "Rule nope does not exist on EventBus default."},
      {ARN "rule/nobus/r", "Event bus nobus does not exist."},
      {"arn:aws:events:eu-west-1:" ACCOUNT ":event-bus/orders", "Event bus orders does not exist."},
      {"arn:aws:events:us-east-1:111122223333:rule/orders/r",
       "Rule r does not exist on EventBus orders."},
  };
  char req[512], want[512];
  for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
    snprintf(want, sizeof want, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"%s\"}",
             missing[i][1]);
    tag(missing[i][0], "[{\"Key\":\"a\",\"Value\":\"1\"}]", AEV_ERR_NOT_FOUND, want);
    snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\",\"TagKeys\":[\"team\"]}", missing[i][0]);
    call_eq("UntagResource", req, AEV_ERR_NOT_FOUND, want);
    snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", missing[i][0]);
    call_eq("ListTagsForResource", req, AEV_ERR_NOT_FOUND, want);
  }
  const char *malformed[] = {
      "orders",
      "arn:aws:events:us-east-1:" ACCOUNT ":archive/a",
      "arn:aws:sqs:us-east-1:" ACCOUNT ":event-bus/orders",
      "arn:aws:events:us-east-1:123:event-bus/orders",
      ARN "event-bus/",
      ARN "rule/orders/",
      ARN "rule/orders/bad name",
  };
  for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
    snprintf(want, sizeof want,
             "{\"__type\":\"ValidationException\",\"message\":\"Parameter ResourceARN is not "
             "valid. Reason: %s is not the ARN of an event bus or a rule.\"}",
             malformed[i]);
    tag(malformed[i], "[{\"Key\":\"a\",\"Value\":\"1\"}]", AEV_ERR_INVALID, want);
    snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\",\"TagKeys\":[\"team\"]}", malformed[i]);
    call_eq("UntagResource", req, AEV_ERR_INVALID, want);
  }
  call_eq("ListTagsForResource", "{\"ResourceARN\":\"\"}", AEV_ERR_INVALID, NULL);
  tags_eq(BUS_ARN, "[{\"Key\":\"team\",\"Value\":\"shop\"}]");
  tags_eq(RULE_ARN, "[{\"Key\":\"env\",\"Value\":\"test\"}]");
}
END_TEST

/* The Policy text of DescribeEventBus for bus, compared with want (NULL:
 * none), and the same in the bus's ListEventBuses entry. */
static void policy_eq(const char *bus, const char *want) {
  char req[128], *out = NULL;
  snprintf(req, sizeof req, "{\"Name\":\"%s\"}", bus);
  bt_ok(aev_call(b, "events", "DescribeEventBus", req, &out));
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  const char *policy = json_string_value(json_object_get(d, "Policy"));
  ck_assert_msg(!want == !policy, "policy %s", policy ? policy : "none");
  if (want) bt_json_eq(policy, want);
  snprintf(req, sizeof req, "{\"NamePrefix\":\"%s\"}", bus);
  bt_ok(aev_call(b, "events", "ListEventBuses", req, &out));
  json_t *l = json_loads(out, 0, NULL);
  aev_free(out);
  json_t *entry = json_array_get(json_object_get(l, "EventBuses"), 0);
  ck_assert(json_equal(json_object_get(entry, "Policy"), json_object_get(d, "Policy")) ||
            (!want && !json_object_get(entry, "Policy")));
  json_decref(l);
  json_decref(d);
}

#define ST_ACCOUNT(sid, who)                                                               \
  "{\"Sid\":\"" sid "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" who \
  ":root\"},\"Action\":\"events:PutEvents\",\"Resource\":\"" BUS_ARN "\"}"
#define ST_ORG                                                                             \
  "{\"Sid\":\"org\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"events:PutEvents\"," \
  "\"Resource\":\"" BUS_ARN "\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":"     \
  "\"o-123\"}}}"
#define POLICY(statements) "{\"Version\":\"2012-10-17\",\"Statement\":[" statements "]}"
#define GRANT(sid, who)                                                                    \
  "{\"EventBusName\":\"orders\",\"Action\":\"events:PutEvents\",\"Principal\":\"" who      \
  "\",\"StatementId\":\"" sid "\"}"

START_TEST(permissions_make_the_policy) {
  orders_bus_and_rule();
  policy_eq("orders", NULL);
  call_eq("PutPermission", GRANT("one", "111122223333"), AEV_OK, "{}");
  call_eq("PutPermission",
          "{\"EventBusName\":\"orders\",\"Action\":\"events:PutEvents\",\"Principal\":\"*\","
          "\"StatementId\":\"org\",\"Condition\":{\"Type\":\"StringEquals\",\"Key\":"
          "\"aws:PrincipalOrgID\",\"Value\":\"o-123\"}}",
          AEV_OK, "{}");
  policy_eq("orders", POLICY(ST_ACCOUNT("one", "111122223333") "," ST_ORG));
  /* The same StatementId again replaces its statement in place. */
  call_eq("PutPermission", GRANT("one", "444455556666"), AEV_OK, "{}");
  policy_eq("orders", POLICY(ST_ACCOUNT("one", "444455556666") "," ST_ORG));
  call_eq("RemovePermission", "{\"EventBusName\":\"orders\",\"StatementId\":\"one\"}", AEV_OK,
          "{}");
  policy_eq("orders", POLICY(ST_ORG));
  call_eq("RemovePermission", "{\"EventBusName\":\"orders\",\"StatementId\":\"org\"}", AEV_OK,
          "{}");
  policy_eq("orders", NULL);
  /* The default bus when EventBusName is absent; RemoveAllPermissions. */
  call_eq("PutPermission",
          "{\"Action\":\"events:PutEvents\",\"Principal\":\"111122223333\",\"StatementId\":\"d\"}",
          AEV_OK, "{}");
  call_eq("RemovePermission", "{\"RemoveAllPermissions\":true}", AEV_OK, "{}");
  policy_eq("default", NULL);
  call_eq("RemovePermission", "{\"RemoveAllPermissions\":true}", AEV_OK, "{}");
}
END_TEST

START_TEST(policy_document_replaces_all) {
  orders_bus_and_rule();
  call_eq("PutPermission", GRANT("one", "111122223333"), AEV_OK, NULL);
  call_eq("PutPermission",
          "{\"EventBusName\":\"orders\",\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
          "\\\"Statement\\\":{\\\"Sid\\\":\\\"mine\\\",\\\"Effect\\\":\\\"Allow\\\"}}\"}",
          AEV_OK, "{}");
  policy_eq("orders", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"mine\",\"Effect\":"
                      "\"Allow\"}}");
  /* A statement added to a document with one statement makes a list. */
  call_eq("PutPermission", GRANT("two", "111122223333"), AEV_OK, NULL);
  policy_eq("orders", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"mine\",\"Effect\":"
                      "\"Allow\"}," ST_ACCOUNT("two", "111122223333") "]}");
  call_eq("RemovePermission", "{\"EventBusName\":\"orders\",\"StatementId\":\"mine\"}", AEV_OK,
          NULL);
  policy_eq("orders", POLICY(ST_ACCOUNT("two", "111122223333")));
}
END_TEST

START_TEST(permission_errors_change_nothing) {
  orders_bus_and_rule();
  /* No policy yet: AWS answers as for a Sid the policy lacks (its
   * remove-permission-non-existing-sid-error snapshot). */
  call_eq("RemovePermission", "{\"EventBusName\":\"orders\",\"StatementId\":\"one\"}",
          AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Statement with the "
          "provided id does not exist.\"}");
  call_eq("PutPermission", GRANT("one", "111122223333"), AEV_OK, NULL);
  const char *const policy = POLICY(ST_ACCOUNT("one", "111122223333"));
  const char *errors[][3] = {
      {"RemovePermission", "{\"EventBusName\":\"orders\",\"StatementId\":\"two\"}",
       "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Statement with the provided id "
       "does not exist.\"}"},
      {"RemovePermission", "{\"EventBusName\":\"orders\",\"StatementId\":\"o n e\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value "
       "'o n e' at 'statementId' failed to satisfy constraint: Member must satisfy regular "
       "expression pattern: [a-zA-Z0-9-_]+\"}"},
      {"RemovePermission", "{\"EventBusName\":\"orders\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"Parameter StatementId must be "
       "specified.\"}"},
      {"PutPermission", GRANT("one!", "111122223333"),
       "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value "
       "'one!' at 'statementId' failed to satisfy constraint: Member must satisfy regular "
       "expression pattern: [a-zA-Z0-9-_]+\"}"},
      {"PutPermission",
       "{\"EventBusName\":\"orders\",\"Action\":\"events:PutEvents\",\"Principal\":"
       "\"111122223333\",\"StatementId\":"
       "\"a123456789a123456789a123456789a123456789a123456789a123456789abcde\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value at "
       "'statementId' failed to satisfy constraint: Member must have length less than or equal "
       "to 64\"}"},
      {"PutPermission", GRANT("one", "12345"),
       "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value "
       "'12345' at 'principal' failed to satisfy constraint: Member must satisfy regular "
       "expression pattern: (\\\\d{12}|\\\\*)\"}"},
      {"PutPermission",
       "{\"EventBusName\":\"orders\",\"Action\":\"events:PutRule\",\"Principal\":\"*\","
       "\"StatementId\":\"one\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"Provided value in parameter 'action' "
       "is not supported.\"}"},
      {"PutPermission", "{\"EventBusName\":\"orders\",\"Action\":\"events:PutEvents\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"Parameter Principal must be "
       "specified.\"}"},
      {"PutPermission",
       "{\"EventBusName\":\"orders\",\"Action\":\"events:PutEvents\",\"Principal\":"
       "\"111122223333\",\"StatementId\":\"one\",\"Condition\":{\"Type\":\"StringEquals\","
       "\"Key\":\"aws:PrincipalOrgID\",\"Value\":\"o-1\"}}",
       "{\"__type\":\"ValidationException\",\"message\":\"Value of the parameter 'principal' "
       "must be '*' when the parameter 'condition' is set.\"}"},
      {"PutPermission",
       "{\"EventBusName\":\"orders\",\"Action\":\"events:PutEvents\",\"Principal\":\"*\","
       "\"StatementId\":\"one\",\"Condition\":{\"Type\":\"StringLike\",\"Key\":"
       "\"aws:PrincipalOrgID\",\"Value\":\"o-1\"}}",
       "{\"__type\":\"ValidationException\",\"message\":\"Provided value in parameter "
       "'condition.type' is not supported.\"}"},
      {"PutPermission", "{\"EventBusName\":\"orders\",\"Policy\":\"{not json\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"This policy contains invalid "
       "Json\"}"},
      {"PutPermission", "{\"EventBusName\":\"orders\",\"Policy\":\"{}\",\"StatementId\":\"x\"}",
       "{\"__type\":\"ValidationException\",\"message\":\"Policy cannot be combined with "
       "Action, Principal, StatementId or Condition.\"}"},
  };
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
    int not_found = strstr(errors[i][2], "ResourceNotFoundException") != NULL;
    call_eq(errors[i][0], errors[i][1], not_found ? AEV_ERR_NOT_FOUND : AEV_ERR_INVALID,
            errors[i][2]);
    policy_eq("orders", policy);
  }
  call_eq("PutPermission",
          "{\"EventBusName\":\"nope\",\"Action\":\"events:PutEvents\",\"Principal\":\"*\","
          "\"StatementId\":\"x\"}",
          AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus nope does not "
          "exist.\"}");
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_tags");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, tags_from_create_and_put_rule);
  tcase_add_test(tc, tag_overwrite_list_untag);
  tcase_add_test(tc, tags_go_with_their_resource);
  tcase_add_test(tc, at_most_50_tags);
  tcase_add_test(tc, lengths_count_characters);
  tcase_add_test(tc, aws_prefix_reserved);
  tcase_add_test(tc, unknown_and_malformed_arns);
  tcase_add_test(tc, permissions_make_the_policy);
  tcase_add_test(tc, policy_document_replaces_all);
  tcase_add_test(tc, permission_errors_change_nothing);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
