/* SQS AddPermission / RemovePermission: each grant one statement of the
 * queue's Policy, its Sid the label; the first makes the policy (Id
 * ARN/SQSDefaultPolicy), removing the last takes it away; refused calls
 * change nothing. */
#include "aevtest.h"

#define ARN "arn:aws:sqs:us-east-1:000000000000:perm"

static aev_broker *b;

static void setup(void) {
  b = aev_test_manual_broker(1);
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"perm\"}", AEV_OK));
}

static void teardown(void) { aev_broker_destroy(b); }

/* The queue's Policy as JSON (NULL when it has none). */
static json_t *policy(void) {
  json_t *r = aev_test_call(b, "sqs", "GetQueueAttributes",
                            "{\"QueueUrl\":\"perm\",\"AttributeNames\":[\"Policy\"]}", AEV_OK);
  const char *text = json_string_value(json_object_get(json_object_get(r, "Attributes"), "Policy"));
  json_t *p = text ? json_loads(text, 0, NULL) : NULL;
  ck_assert(!text || p);
  json_decref(r);
  return p;
}

static void grant(const char *label, const char *accounts, const char *actions) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"QueueUrl\":\"perm\",\"Label\":\"%s\",\"AWSAccountIds\":%s,\"Actions\":%s}", label,
           accounts, actions);
  json_decref(aev_test_call(b, "sqs", "AddPermission", req, AEV_OK));
}

static void expect_policy(const char *want_text) {
  json_t *got = policy(), *want = want_text ? json_loads(want_text, 0, NULL) : NULL;
  ck_assert_msg(want_text ? json_equal(got, want) : got == NULL, "policy differs from %s",
                want_text ? want_text : "none");
  json_decref(got);
  json_decref(want);
}

START_TEST(grants_make_and_unmake_the_policy) {
  expect_policy(NULL);
  grant("one", "[\"111122223333\"]", "[\"SendMessage\"]");
  grant("two", "[\"111122223333\",\"444455556666\"]", "[\"ReceiveMessage\",\"DeleteMessage\"]");
  expect_policy("{\"Version\":\"2008-10-17\",\"Id\":\"" ARN "/SQSDefaultPolicy\",\"Statement\":["
                "{\"Sid\":\"one\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                "\"arn:aws:iam::111122223333:root\"},\"Action\":\"SQS:SendMessage\",\"Resource\":"
                "\"" ARN "\"},"
                "{\"Sid\":\"two\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
                "\"arn:aws:iam::111122223333:root\",\"arn:aws:iam::444455556666:root\"]},"
                "\"Action\":[\"SQS:ReceiveMessage\",\"SQS:DeleteMessage\"],\"Resource\":\"" ARN
                "\"}]}");
  json_decref(aev_test_call(b, "sqs", "RemovePermission",
                            "{\"QueueUrl\":\"perm\",\"Label\":\"one\"}", AEV_OK));
  json_t *p = policy();
  ck_assert_int_eq(json_array_size(json_object_get(p, "Statement")), 1);
  json_decref(p);
  json_decref(aev_test_call(b, "sqs", "RemovePermission",
                            "{\"QueueUrl\":\"perm\",\"Label\":\"two\"}", AEV_OK));
  expect_policy(NULL);
  /* Removed again, from a queue with no policy left (recorded against AWS). */
  aev_test_call_fails(b, "sqs", "RemovePermission", "{\"QueueUrl\":\"perm\",\"Label\":\"two\"}",
                      AEV_ERR_INVALID, "InvalidParameterValue",
                      "Value two for parameter Label is invalid. Reason: can't find label.");
  expect_policy(NULL);
}
END_TEST

/* A policy set with SetQueueAttributes is the one grants join. */
START_TEST(grants_join_a_set_policy) {
  json_decref(aev_test_call(
      b, "sqs", "SetQueueAttributes",
      "{\"QueueUrl\":\"perm\",\"Attributes\":{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\","
      "\\\"Statement\\\":{\\\"Sid\\\":\\\"mine\\\",\\\"Effect\\\":\\\"Deny\\\",\\\"Principal\\\":"
      "\\\"*\\\",\\\"Action\\\":\\\"SQS:*\\\",\\\"Resource\\\":\\\"" ARN "\\\"}}\"}}",
      AEV_OK));
  grant("one", "[\"111122223333\"]", "[\"*\"]");
  json_t *p = policy(), *list = json_object_get(p, "Statement");
  ck_assert_str_eq(json_string_value(json_object_get(p, "Version")), "2012-10-17");
  ck_assert_int_eq(json_array_size(list), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "Sid")), "mine");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "Action")), "SQS:*");
  json_decref(p);
  aev_test_call_fails(b, "sqs", "AddPermission",
                      "{\"QueueUrl\":\"perm\",\"Label\":\"mine\",\"AWSAccountIds\":[\"1\"],"
                      "\"Actions\":[\"SendMessage\"]}",
                      AEV_ERR_INVALID, "InvalidParameterValue",
                      "Value mine for parameter Label is invalid. Reason: Already exists.");
}
END_TEST

START_TEST(refused_grants_change_nothing) {
  grant("one", "[\"111122223333\"]", "[\"SendMessage\"]");
  json_t *before = policy();
  static const struct {
    const char *req, *code, *message;
  } bad[] = {
      {"\"Label\":\"one\",\"AWSAccountIds\":[\"1\"],\"Actions\":[\"GetQueueUrl\"]",
       "InvalidParameterValue", "Value one for parameter Label is invalid. Reason: Already exists."},
      {"\"Label\":\"two\",\"AWSAccountIds\":[\"1\"],\"Actions\":[\"SendMessage\",\"CreateQueue\"]",
       "InvalidParameterValue",
       "Value SQS:CreateQueue for parameter ActionName is invalid. Reason: Only the queue owner "
       "is allowed to invoke this action."},
      {"\"Label\":\"two\",\"AWSAccountIds\":[],\"Actions\":[\"SendMessage\"]",
       "InvalidParameterValue",
       "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify."},
      {"\"Label\":\"two\",\"AWSAccountIds\":[\"1\"],\"Actions\":[]", "MissingParameter",
       "The request must contain the parameter Actions."},
      {"\"Label\":\"two\",\"AWSAccountIds\":[\"1\"],\"Actions\":[\"SendMessage\",\"SendMessage\","
       "\"SendMessage\",\"SendMessage\",\"SendMessage\",\"SendMessage\",\"SendMessage\","
       "\"SendMessage\"]",
       "OverLimit", "8 Actions were found, maximum allowed is 7."},
      {"\"Label\":\"a b\",\"AWSAccountIds\":[\"1\"],\"Actions\":[\"SendMessage\"]",
       "InvalidParameterValue",
       "Value a b for parameter Label is invalid. Reason: Must be 1 to 80 alphanumeric "
       "characters, hyphens (-) or underscores (_)."},
      {"\"Label\":\"two\",\"AWSAccountIds\":[1],\"Actions\":[\"SendMessage\"]",
       "InvalidParameterValue", NULL},
      {"\"AWSAccountIds\":[\"1\"],\"Actions\":[\"SendMessage\"]", "MissingParameter",
       "The request must contain the parameter Label."},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char req[512];
    snprintf(req, sizeof req, "{\"QueueUrl\":\"perm\",%s}", bad[i].req);
    json_t *e = aev_test_call(b, "sqs", "AddPermission", req,
                              strcmp(bad[i].code, "OverLimit") ? AEV_ERR_INVALID : AEV_ERR_LIMIT);
    ck_assert_str_eq(json_string_value(json_object_get(e, "__type")), bad[i].code);
    if (bad[i].message)
      ck_assert_str_eq(json_string_value(json_object_get(e, "message")), bad[i].message);
    json_decref(e);
  }
  /* Recorded against AWS. */
  aev_test_call_fails(b, "sqs", "RemovePermission", "{\"QueueUrl\":\"perm\",\"Label\":\"test\"}",
                      AEV_ERR_INVALID, "InvalidParameterValue",
                      "Value test for parameter Label is invalid. Reason: can't find label on "
                      "existing policy.");
  aev_test_call_fails(b, "sqs", "AddPermission",
                      "{\"QueueUrl\":\"none\",\"Label\":\"x\",\"AWSAccountIds\":[\"1\"],"
                      "\"Actions\":[\"SendMessage\"]}",
                      AEV_ERR_NOT_FOUND, "QueueDoesNotExist", NULL);
  json_t *after = policy();
  ck_assert(json_equal(before, after));
  json_decref(before);
  json_decref(after);
}
END_TEST

int main(void) {
  Suite *s = suite_create("queue_permission");
  TCase *tc = tcase_create("permission");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, grants_make_and_unmake_the_policy);
  tcase_add_test(tc, grants_join_a_set_policy);
  tcase_add_test(tc, refused_grants_change_nothing);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
