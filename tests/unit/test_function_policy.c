/* Lambda resource policies (AddPermission, RemovePermission, GetPolicy) and
 * tags (CreateFunction's Tags, TagResource, UntagResource, ListTags,
 * GetFunction) through aev_call: the shapes Lambda answers, per-qualifier
 * policies, limits, and that a refused call leaves everything as it was. */
#include <jansson.h>

#include "aevtest.h"
#include "function_support.h"
#include "nomem.h"

#define ARN "arn:aws:lambda:us-east-1:000000000000:function:f"

static aev_broker *b;
static ft_state st;

static char *call_ok(const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, r ? r : "");
  return r;
}

static void call_err(const char *action, const char *req, int status, const char *want) {
  char *r = NULL;
  ck_assert_int_eq(aev_call(b, "lambda", action, req, &r), status);
  ck_assert_msg(strstr(r, want), "%s: %s lacks %s", action, r, want);
  aev_free(r);
}

/* The string member `name` of the JSON object text r (caller frees). */
static char *member(const char *r, const char *name) {
  json_t *o = json_loads(r, 0, NULL);
  const char *v = json_string_value(json_object_get(o, name));
  ck_assert_msg(v, "%s has no %s", r, name);
  char *copy = strdup(v);
  json_decref(o);
  return copy;
}

/* AddPermission's Statement text. */
static char *add(const char *req) {
  char *r = call_ok("AddPermission", req);
  char *s = member(r, "Statement");
  aev_free(r);
  return s;
}

/* GetPolicy's whole answer: the policy text and its RevisionId. */
static char *policy(const char *req) { return call_ok("GetPolicy", req); }

static void no_policy(const char *req) {
  call_err("GetPolicy", req, AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The resource you "
           "requested does not exist.\"}");
}

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}"));
}
static void teardown(void) { aev_broker_destroy(b); }

START_TEST(statements_as_lambda_writes_them) {
  char *s = add("{\"FunctionName\":\"f\",\"StatementId\":\"sns\",\"Action\":\"lambda:InvokeFunction\","
                "\"Principal\":\"sns.amazonaws.com\",\"SourceArn\":\"arn:aws:sns:us-east-1:000000000000:t\"}");
  ck_assert_str_eq(s, "{\"Sid\":\"sns\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"sns.amazonaws.com\"},"
                      "\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"" ARN "\","
                      "\"Condition\":{\"ArnLike\":{\"AWS:SourceArn\":\"arn:aws:sns:us-east-1:000000000000:t\"}}}");
  free(s);
  s = add("{\"FunctionName\":\"" ARN "\",\"StatementId\":\"s3-bucket\",\"Action\":\"lambda:InvokeFunction\","
          "\"Principal\":\"123456789012\",\"SourceAccount\":\"123456789012\","
          "\"SourceArn\":\"arn:aws:s3:::bucket\"}");
  ck_assert_str_eq(s, "{\"Sid\":\"s3-bucket\",\"Effect\":\"Allow\","
                      "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
                      "\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"" ARN "\","
                      "\"Condition\":{\"StringEquals\":{\"AWS:SourceAccount\":\"123456789012\"},"
                      "\"ArnLike\":{\"AWS:SourceArn\":\"arn:aws:s3:::bucket\"}}}");
  free(s);
  s = add("{\"FunctionName\":\"000000000000:function:f\",\"StatementId\":\"org\",\"Action\":\"lambda:*\","
          "\"Principal\":\"*\",\"PrincipalOrgID\":\"o-abcdefghij\"}");
  ck_assert_str_eq(s, "{\"Sid\":\"org\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"lambda:*\","
                      "\"Resource\":\"" ARN "\",\"Condition\":{\"StringEquals\":"
                      "{\"aws:PrincipalOrgID\":\"o-abcdefghij\"}}}");
  free(s);
  s = add("{\"FunctionName\":\"f\",\"StatementId\":\"url\",\"Action\":\"lambda:InvokeFunctionUrl\","
          "\"Principal\":\"arn:aws:iam::111122223333:role/r\",\"FunctionUrlAuthType\":\"AWS_IAM\"}");
  ck_assert_str_eq(s, "{\"Sid\":\"url\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                      "\"arn:aws:iam::111122223333:role/r\"},\"Action\":\"lambda:InvokeFunctionUrl\","
                      "\"Resource\":\"" ARN "\",\"Condition\":{\"StringEquals\":"
                      "{\"lambda:FunctionUrlAuthType\":\"AWS_IAM\"}}}");
  free(s);
  s = add("{\"FunctionName\":\"f\",\"StatementId\":\"plain\",\"Action\":\"*\",\"Principal\":\"events.amazonaws.com\"}");
  ck_assert_ptr_null(strstr(s, "Condition"));
  free(s);
  char *r = policy("{\"FunctionName\":\"f\"}");
  char *text = member(r, "Policy"), *rev = member(r, "RevisionId");
  const char *head = "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[{\"Sid\":\"sns\"";
  ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s", text);
  const char *sids[] = {"\"Sid\":\"sns\"", "\"Sid\":\"s3-bucket\"", "\"Sid\":\"org\"", "\"Sid\":\"url\"",
                        "\"Sid\":\"plain\""};
  const char *at = text;
  for (size_t i = 0; i < 5; i++) {
    at = strstr(at, sids[i]);
    ck_assert_msg(at, "%s out of order in %s", sids[i], text);
  }
  ck_assert_uint_eq(strlen(rev), 36);
  free(text);
  free(rev);
  aev_free(r);
  /* Nothing is enforced: the function runs for any caller. */
  r = call_ok("Invoke", "{\"FunctionName\":\"f\",\"Payload\":\"{}\"}");
  aev_free(r);
  ck_assert_int_eq(st.calls, 1);
}
END_TEST

START_TEST(duplicate_and_unknown_statements) {
  const char *req = "{\"FunctionName\":\"f\",\"StatementId\":\"sns\",\"Action\":\"lambda:InvokeFunction\","
                    "\"Principal\":\"sns.amazonaws.com\"}";
  call_err("RemovePermission", "{\"FunctionName\":\"f\",\"StatementId\":\"sns\"}", AEV_ERR_NOT_FOUND,
           "\"message\":\"No policy is associated with the given resource.\"");
  no_policy("{\"FunctionName\":\"f\"}");
  free(add(req));
  char *before = policy("{\"FunctionName\":\"f\"}");
  call_err("AddPermission", req, AEV_ERR_EXISTS,
           "{\"__type\":\"ResourceConflictException\",\"message\":\"The statement id (sns) provided "
           "already exists. Please provide a new statement id, or remove the existing statement.\"}");
  call_err("RemovePermission", "{\"FunctionName\":\"f\",\"StatementId\":\"nope\"}", AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Statement nope is not found in "
           "resource policy.\"}");
  char *after = policy("{\"FunctionName\":\"f\"}");
  ck_assert_str_eq(before, after);
  aev_free(after);
  aev_free(before);
  char *r = call_ok("RemovePermission", "{\"FunctionName\":\"f\",\"StatementId\":\"sns\"}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  no_policy("{\"FunctionName\":\"f\"}");
  /* The statement id is free again. */
  free(add(req));
}
END_TEST

/* AddPermission refused: the error, and still no policy. */
static void refused(const char *req, int status, const char *want) {
  call_err("AddPermission", req, status, want);
  no_policy("{\"FunctionName\":\"f\"}");
}

#define ADD(members) "{\"FunctionName\":\"f\"," members "}"
#define OK_REST "\"Action\":\"lambda:InvokeFunction\",\"Principal\":\"sns.amazonaws.com\""

START_TEST(members_checked_before_anything_is_stored) {
  refused(ADD("\"StatementId\":\"a b\"," OK_REST), AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value 'a b' at "
          "'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: "
          "([a-zA-Z0-9-_]+)\"}");
  /* No '.' in AddPermission's (recorded: test_permission_exceptions). */
  refused(ADD("\"StatementId\":\"example.com\"," OK_REST), AEV_ERR_INVALID,
          "Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular "
          "expression pattern: ([a-zA-Z0-9-_]+)");
  refused(ADD("\"StatementId\":\"x\",\"Qualifier\":\"invalid-qualifier-with-?-char\"," OK_REST), AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value "
          "'invalid-qualifier-with-?-char' at 'qualifier' failed to satisfy constraint: Member must satisfy "
          "regular expression pattern: \\\\$(LATEST(\\\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+\"}");
  char *long_sid = aev_test_repeat_between(ADD("\"StatementId\":\""), "s", 101, "\"," OK_REST "}");
  refused(long_sid, AEV_ERR_INVALID, "Member must have length less than or equal to 100");
  free(long_sid);
  refused(ADD("\"StatementId\":\"\"," OK_REST), AEV_ERR_INVALID,
          "Member must have length greater than or equal to 1");
  refused(ADD("\"StatementId\":\"x\",\"Action\":\"s3:GetObject\",\"Principal\":\"sns.amazonaws.com\""),
          AEV_ERR_INVALID,
          "Value 's3:GetObject' at 'action' failed to satisfy constraint: Member must satisfy regular "
          "expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])");
  refused(ADD("\"StatementId\":\"x\",\"Action\":\"lambda:Invoke*\",\"Principal\":\"sns.amazonaws.com\""),
          AEV_ERR_INVALID, "at 'action' failed");
  refused(ADD("\"StatementId\":\"x\",\"Action\":\"lambda:InvokeFunction\",\"Principal\":\"a b\""),
          AEV_ERR_INVALID, "at 'principal' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [^\\\\s]+");
  refused(ADD("\"StatementId\":\"x\",\"Action\":\"lambda:InvokeFunction\",\"Principal\":\"someone\""),
          AEV_ERR_INVALID,
          "{\"__type\":\"InvalidParameterValueException\",\"message\":\"The provided principal was "
          "invalid. Please check the principal and try again.\"}");
  refused(ADD("\"StatementId\":\"x\"," OK_REST ",\"SourceAccount\":\"12345\""), AEV_ERR_INVALID,
          "at 'sourceAccount' failed");
  refused(ADD("\"StatementId\":\"x\"," OK_REST ",\"SourceArn\":\"topic\""), AEV_ERR_INVALID,
          "at 'sourceArn' failed");
  refused(ADD("\"StatementId\":\"x\"," OK_REST ",\"PrincipalOrgID\":\"o-short\""), AEV_ERR_INVALID,
          "at 'principalOrgID' failed");
  refused(ADD("\"StatementId\":\"x\"," OK_REST ",\"EventSourceToken\":\"a b\""), AEV_ERR_INVALID,
          "at 'eventSourceToken' failed");
  refused(ADD("\"StatementId\":\"x\"," OK_REST ",\"FunctionUrlAuthType\":\"BASIC\""), AEV_ERR_INVALID,
          "Member must satisfy enum value set: [NONE, AWS_IAM]");
  refused(ADD("\"StatementId\":\"x\",\"Principal\":\"sns.amazonaws.com\""), AEV_ERR_INVALID,
          "Value null at 'action' failed to satisfy constraint: Member must not be null");
  call_err("AddPermission", "{\"FunctionName\":\"ghost\",\"StatementId\":\"x\"," OK_REST "}",
           AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Function not found: "
           "arn:aws:lambda:us-east-1:000000000000:function:ghost\"}");
  /* Members are checked first, as Lambda's front end does. */
  call_err("AddPermission", "{\"FunctionName\":\"ghost\",\"StatementId\":\"a/b\"," OK_REST "}",
           AEV_ERR_INVALID, "Value 'a/b' at 'statementId' failed");
  call_err("GetPolicy", "{\"FunctionName\":\"ghost\"}", AEV_ERR_NOT_FOUND, "Function not found");
  call_err("RemovePermission", "{\"FunctionName\":\"ghost\",\"StatementId\":\"x\"}", AEV_ERR_NOT_FOUND,
           "No policy found for: arn:aws:lambda:us-east-1:000000000000:function:ghost");
}
END_TEST

START_TEST(policies_per_qualifier) {
  aev_free(call_ok("PublishVersion", "{\"FunctionName\":\"f\"}"));
  aev_free(call_ok("CreateAlias", "{\"FunctionName\":\"f\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  char *s = add("{\"FunctionName\":\"f\",\"Qualifier\":\"live\",\"StatementId\":\"a\"," OK_REST "}");
  ck_assert_ptr_nonnull(strstr(s, "\"Resource\":\"" ARN ":live\""));
  free(s);
  s = add("{\"FunctionName\":\"f:1\",\"StatementId\":\"a\"," OK_REST "}");
  ck_assert_ptr_nonnull(strstr(s, "\"Resource\":\"" ARN ":1\""));
  free(s);
  no_policy("{\"FunctionName\":\"f\"}");
  char *r = policy("{\"FunctionName\":\"" ARN ":live\"}");
  ck_assert_ptr_nonnull(strstr(r, ARN ":live"));
  ck_assert_ptr_null(strstr(r, ARN ":1"));
  aev_free(r);
  call_err("AddPermission", "{\"FunctionName\":\"f\",\"Qualifier\":\"$LATEST\",\"StatementId\":\"b\"," OK_REST "}",
           AEV_ERR_INVALID,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"We currently do not support "
           "adding policies for $LATEST.\"}");
  call_err("AddPermission", "{\"FunctionName\":\"f:$LATEST\",\"StatementId\":\"b\"," OK_REST "}",
           AEV_ERR_INVALID, "adding policies for $LATEST");
  call_err("AddPermission", "{\"FunctionName\":\"f\",\"Qualifier\":\"beta\",\"StatementId\":\"b\"," OK_REST "}",
           AEV_ERR_NOT_FOUND, "Cannot find alias arn: " ARN ":beta");
  /* Recorded (test_permission_exceptions): a qualifier no alias could have
   * is "Function not found"; RemovePermission names a missing alias as
   * AddPermission does, and a missing function by "No policy found for". */
  call_err("AddPermission", "{\"FunctionName\":\"f\",\"Qualifier\":\"valid-with-$-but-doesnotexist\","
           "\"StatementId\":\"b\"," OK_REST "}", AEV_ERR_NOT_FOUND,
           "Function not found: " ARN ":valid-with-$-but-doesnotexist");
  call_err("RemovePermission", "{\"FunctionName\":\"f\",\"Qualifier\":\"beta\",\"StatementId\":\"b\"}",
           AEV_ERR_NOT_FOUND, "Cannot find alias arn: " ARN ":beta");
  call_err("RemovePermission", "{\"FunctionName\":\"nope\",\"StatementId\":\"b\"}", AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"No policy found for: "
           "arn:aws:lambda:us-east-1:000000000000:function:nope\"}");
  call_err("AddPermission", "{\"FunctionName\":\"f:7\",\"StatementId\":\"b\"," OK_REST "}",
           AEV_ERR_NOT_FOUND, "Function not found: " ARN ":7");
  no_policy("{\"FunctionName\":\"f\",\"Qualifier\":\"beta\"}");
  no_policy("{\"FunctionName\":\"f\"}");
  r = call_ok("RemovePermission", "{\"FunctionName\":\"f\",\"Qualifier\":\"live\",\"StatementId\":\"a\"}");
  aev_free(r);
  no_policy("{\"FunctionName\":\"f:live\"}");
  aev_free(policy("{\"FunctionName\":\"f\",\"Qualifier\":\"1\"}"));
  /* An alias's policy goes with it: a new alias of that name has none. */
  free(add("{\"FunctionName\":\"f:live\",\"StatementId\":\"a\"," OK_REST "}"));
  aev_free(call_ok("DeleteAlias", "{\"FunctionName\":\"f\",\"Name\":\"live\"}"));
  aev_free(call_ok("CreateAlias", "{\"FunctionName\":\"f\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  no_policy("{\"FunctionName\":\"f:live\"}");
}
END_TEST

START_TEST(revision_ids) {
  const char *first = "{\"FunctionName\":\"f\",\"StatementId\":\"a\"," OK_REST "}";
  call_err("AddPermission",
           "{\"FunctionName\":\"f\",\"StatementId\":\"a\",\"RevisionId\":\"x\"," OK_REST "}",
           AEV_ERR_STATE, "{\"__type\":\"PreconditionFailedException\"");
  no_policy("{\"FunctionName\":\"f\"}");
  free(add(first));
  char *r = policy("{\"FunctionName\":\"f\"}");
  char *rev = member(r, "RevisionId");
  aev_free(r);
  call_err("AddPermission",
           "{\"FunctionName\":\"f\",\"StatementId\":\"b\",\"RevisionId\":\"stale\"," OK_REST "}",
           AEV_ERR_STATE, "The Revision Id provided does not match the latest Revision Id.");
  char req[512];
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"StatementId\":\"b\",\"RevisionId\":\"%s\"," OK_REST "}",
           rev);
  free(add(req));
  r = policy("{\"FunctionName\":\"f\"}");
  char *rev2 = member(r, "RevisionId");
  aev_free(r);
  ck_assert_str_ne(rev, rev2);
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"StatementId\":\"a\",\"RevisionId\":\"%s\"}", rev);
  call_err("RemovePermission", req, AEV_ERR_STATE, "PreconditionFailedException");
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"StatementId\":\"a\",\"RevisionId\":\"%s\"}", rev2);
  aev_free(call_ok("RemovePermission", req));
  r = policy("{\"FunctionName\":\"f\"}");
  ck_assert_ptr_null(strstr(r, "\\\"Sid\\\":\\\"a\\\""));
  aev_free(r);
  free(rev);
  free(rev2);
}
END_TEST

/* The function's policy shares $LATEST's RevisionId: AddPermission names
 * the function's, and adding or removing a statement gives both a new one;
 * a version's first statement names the version's RevisionId (recorded:
 * test_function_revisions_permissions, test_lambda_permission_fn_versioning). */
START_TEST(policy_revision_is_the_functions) {
  char *r = call_ok("GetFunction", "{\"FunctionName\":\"f\"}");
  json_t *o = json_loads(r, 0, NULL);
  char *rev2 = strdup(json_string_value(json_object_get(json_object_get(o, "Configuration"), "RevisionId")));
  json_decref(o);
  aev_free(r);
  char req[512];
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"StatementId\":\"s3\",\"RevisionId\":\"%s\"," OK_REST "}",
           rev2);
  free(add(req));
  r = policy("{\"FunctionName\":\"f\"}");
  char *rev3 = member(r, "RevisionId");
  aev_free(r);
  ck_assert_str_ne(rev3, rev2);
  r = call_ok("GetFunctionConfiguration", "{\"FunctionName\":\"f\"}");
  char *fn_rev3 = member(r, "RevisionId");
  aev_free(r);
  ck_assert_str_eq(fn_rev3, rev3);
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"StatementId\":\"s3\",\"RevisionId\":\"%s\"}", rev3);
  aev_free(call_ok("RemovePermission", req));
  r = call_ok("GetFunctionConfiguration", "{\"FunctionName\":\"f\"}");
  char *rev4 = member(r, "RevisionId");
  aev_free(r);
  ck_assert_str_ne(rev4, rev3);
  r = call_ok("PublishVersion", "{\"FunctionName\":\"f\"}");
  char *v1 = member(r, "RevisionId");
  aev_free(r);
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"Qualifier\":\"1\",\"StatementId\":\"v\","
           "\"RevisionId\":\"%s\"," OK_REST "}", v1);
  free(add(req));
  free(rev2);
  free(rev3);
  free(fn_rev3);
  free(rev4);
  free(v1);
}
END_TEST

START_TEST(policy_size_limit) {
  char *last = NULL, ts[901], req[1400];
  aev_test_repeat(ts, "t", 900);
  int n;
  for (n = 0; n < 100; n++) {
    snprintf(req, sizeof req,
             "{\"FunctionName\":\"f\"," OK_REST ",\"StatementId\":\"s%d\","
             "\"SourceArn\":\"arn:aws:sns:us-east-1:000000000000:%s\"}",
             n, ts);
    char *r = NULL;
    int rc = aev_call(b, "lambda", "AddPermission", req, &r);
    if (rc != AEV_OK) {
      ck_assert_int_eq(rc, AEV_ERR_LIMIT);
      ck_assert_msg(strstr(r, "{\"__type\":\"PolicyLengthExceededException\",\"message\":\"The final "
                              "policy size (") &&
                        strstr(r, ") is bigger than the limit (20480).\"}"),
                    "%s", r);
      aev_free(r);
      break;
    }
    aev_free(r);
    aev_free(last);
    last = policy("{\"FunctionName\":\"f\"}");
  }
  ck_assert_int_gt(n, 15);
  ck_assert_int_lt(n, 25);
  char *now = policy("{\"FunctionName\":\"f\"}");
  ck_assert_str_eq(now, last);
  char *text = member(now, "Policy");
  ck_assert_uint_le(strlen(text), 20480);
  free(text);
  aev_free(now);
  aev_free(last);
}
END_TEST

/* ---- tags ---- */

static void tags_are(const char *want) {
  char *r = call_ok("ListTags", "{\"Resource\":\"" ARN "\"}");
  ck_assert_str_eq(r, want);
  aev_free(r);
}

START_TEST(tags_roundtrip) {
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"t\",\"Handler\":\"app.handler\","
                                     "\"Tags\":{\"team\":\"a\"}}"));
  char *r = call_ok("GetFunction", "{\"FunctionName\":\"t\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"Tags\":{\"team\":\"a\"}"));
  ck_assert_ptr_null(strstr(r, "\"Configuration\":{\"Tags\""));
  aev_free(r);
  r = call_ok("GetFunctionConfiguration", "{\"FunctionName\":\"t\"}");
  ck_assert_ptr_null(strstr(r, "Tags"));
  aev_free(r);
  r = call_ok("GetFunction", "{\"FunctionName\":\"f\"}");
  ck_assert_ptr_null(strstr(r, "Tags"));
  aev_free(r);
  tags_are("{\"Tags\":{}}");
  r = call_ok("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"team\":\"a\",\"env\":\"dev\"}}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  aev_free(call_ok("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"env\":\"prod\",\"cost\":\"\"}}"));
  tags_are("{\"Tags\":{\"team\":\"a\",\"env\":\"prod\",\"cost\":\"\"}}");
  r = call_ok("UntagResource", "{\"Resource\":\"" ARN "\",\"TagKeys\":[\"team\",\"absent\"]}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  tags_are("{\"Tags\":{\"env\":\"prod\",\"cost\":\"\"}}");
  /* Recorded (test_tag_exceptions): no keys, or an empty list, is the front
   * end's null tagKeys; an empty map of tags is refused; nothing changes. */
  const char *null_keys = "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
                          "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null\"}";
  call_err("UntagResource", "{\"Resource\":\"" ARN "\",\"TagKeys\":[]}", AEV_ERR_INVALID, null_keys);
  call_err("UntagResource", "{\"Resource\":\"" ARN "\"}", AEV_ERR_INVALID, null_keys);
  call_err("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{}}", AEV_ERR_INVALID,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"An error occurred and the request "
           "cannot be processed.\"}");
  tags_are("{\"Tags\":{\"env\":\"prod\",\"cost\":\"\"}}");
}
END_TEST

static void tag_refused(const char *tags, int status, const char *want) {
  char *req = aev_test_repeat_between("{\"Resource\":\"" ARN "\",\"Tags\":", tags, 1, "}");
  call_err("TagResource", req, status, want);
  free(req);
  tags_are("{\"Tags\":{\"keep\":\"1\"}}");
}

START_TEST(tag_limits_in_characters) {
  aev_free(call_ok("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"keep\":\"1\"}}"));
  /* 128 and 256 two-byte characters fit; one more does not. */
  char *key = aev_test_repeat_between("{\"", "é", 128, "\":\"v\"}");
  char *req = aev_test_repeat_between("{\"Resource\":\"" ARN "\",\"Tags\":", key, 1, "}");
  aev_free(call_ok("TagResource", req));
  free(req);
  free(key);
  req = aev_test_repeat_between("{\"Resource\":\"" ARN "\",\"TagKeys\":[\"", "é", 128, "\"]}");
  aev_free(call_ok("UntagResource", req));
  free(req);
  key = aev_test_repeat_between("{\"", "é", 129, "\":\"v\"}");
  tag_refused(key, AEV_ERR_INVALID, "InvalidParameterValueException");
  free(key);
  char *value = aev_test_repeat_between("{\"v\":\"", "é", 256, "\"}");
  req = aev_test_repeat_between("{\"Resource\":\"" ARN "\",\"Tags\":", value, 1, "}");
  aev_free(call_ok("TagResource", req));
  free(req);
  free(value);
  aev_free(call_ok("UntagResource", "{\"Resource\":\"" ARN "\",\"TagKeys\":[\"v\"]}"));
  value = aev_test_repeat_between("{\"v\":\"", "é", 257, "\"}");
  tag_refused(value, AEV_ERR_INVALID, "InvalidParameterValueException");
  free(value);
  tag_refused("{\"\":\"v\"}", AEV_ERR_INVALID, "InvalidParameterValueException");
  tag_refused("{\"ok\":\"v\",\"aws:x\":\"v\"}", AEV_ERR_INVALID, "aws:x");
  tag_refused("{\"AWS:x\":\"v\"}", AEV_ERR_INVALID, "AWS:x");
  tag_refused("{\"n\":1}", AEV_ERR_INVALID, "InvalidParameterValueException");
}
END_TEST

START_TEST(fifty_tags_at_most) {
  char tags[2048] = "{";
  for (int i = 0; i < 49; i++)
    snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s\"k%d\":\"v\"", i ? "," : "", i);
  char req[2200];
  snprintf(req, sizeof req, "{\"Resource\":\"" ARN "\",\"Tags\":%s}}", tags);
  aev_free(call_ok("TagResource", req));
  char *before = call_ok("ListTags", "{\"Resource\":\"" ARN "\"}");
  call_err("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"x\":\"1\",\"y\":\"2\"}}", AEV_ERR_LIMIT,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"Number of tags exceeds "
           "resource tag limit.\"}");
  char *after = call_ok("ListTags", "{\"Resource\":\"" ARN "\"}");
  ck_assert_str_eq(before, after);
  aev_free(after);
  aev_free(before);
  /* Replacing a value adds no tag; the fiftieth fits. */
  aev_free(call_ok("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"k0\":\"w\",\"x\":\"1\"}}"));
  /* A create with 51 tags creates nothing. */
  snprintf(req, sizeof req, "{\"FunctionName\":\"many\",\"Handler\":\"app.handler\",\"Tags\":%s,"
                            "\"a\":\"1\",\"b\":\"2\"}}",
           tags);
  call_err("CreateFunction", req, AEV_ERR_LIMIT, "Number of tags exceeds resource tag limit.");
  call_err("GetFunction", "{\"FunctionName\":\"many\"}", AEV_ERR_NOT_FOUND, "Function not found");
  call_err("CreateFunction", "{\"FunctionName\":\"bad\",\"Handler\":\"app.handler\",\"Tags\":{\"aws:a\":\"1\"}}",
           AEV_ERR_INVALID, "aws:a");
  call_err("GetFunction", "{\"FunctionName\":\"bad\"}", AEV_ERR_NOT_FOUND, "Function not found");
}
END_TEST

START_TEST(tag_resources_named_by_unqualified_arn) {
  aev_free(call_ok("PublishVersion", "{\"FunctionName\":\"f\"}"));
  call_err("TagResource", "{\"Resource\":\"" ARN ":1\",\"Tags\":{\"a\":\"1\"}}", AEV_ERR_INVALID,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"Tags on function aliases and "
           "versions are not supported. Please specify a function ARN.\"}");
  call_err("ListTags", "{\"Resource\":\"" ARN ":$LATEST\"}", AEV_ERR_INVALID, "Tags on function aliases");
  call_err("ListTags", "{\"Resource\":\"f\"}", AEV_ERR_INVALID,
           "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value 'f' at "
           "'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: "
           "arn:(aws[a-zA-Z-]*):lambda:");
  call_err("UntagResource", "{\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:ghost\","
                            "\"TagKeys\":[\"a\"]}",
           AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Function not found: "
           "arn:aws:lambda:us-east-1:000000000000:function:ghost\"}");
  call_err("TagResource", "{\"Resource\":\"" ARN "\"}", AEV_ERR_INVALID, "Value null at 'tags'");
  tags_are("{\"Tags\":{}}");
}
END_TEST

/* Event-source mappings are tagged by their ARN, queue and stream ones
 * alike: CreateEventSourceMapping's Tags, TagResource, UntagResource,
 * ListTags; refused tags create no mapping, and a deleted mapping's tags
 * go with it. */
#define ESM_ARN "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"

/* Creates a mapping from source with the request's extra members; its
 * ARN in arn (room for 128). */
static void map(const char *source, const char *extra, char *arn) {
  char req[512];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"f\"%s}", source, extra);
  char *r = call_ok("CreateEventSourceMapping", req);
  char *uuid = member(r, "UUID");
  snprintf(arn, 128, ESM_ARN "%s", uuid);
  free(uuid);
  aev_free(r);
}

static void esm_tags_are(const char *arn, const char *want) {
  char req[256];
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", arn);
  char *r = call_ok("ListTags", req);
  ck_assert_str_eq(r, want);
  aev_free(r);
}

START_TEST(event_source_mappings_are_tagged) {
  char q[128], k[128], req[512], *r;
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"g\",\"Handler\":\"app.handler\"}"));
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "kinesis", "CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", &r),
                   AEV_OK);
  aev_free(r);
  map("arn:aws:sqs:us-east-1:000000000000:q", ",\"Tags\":{\"team\":\"a\"}", q);
  map("arn:aws:kinesis:us-east-1:000000000000:stream/s", ",\"StartingPosition\":\"LATEST\"", k);
  esm_tags_are(q, "{\"Tags\":{\"team\":\"a\"}}");
  esm_tags_are(k, "{\"Tags\":{}}");
  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"Tags\":{\"x\":\"1\",\"y\":\"2\"}}", k);
  aev_free(call_ok("TagResource", req));
  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"TagKeys\":[\"x\"]}", k);
  aev_free(call_ok("UntagResource", req));
  esm_tags_are(k, "{\"Tags\":{\"y\":\"2\"}}");
  esm_tags_are(q, "{\"Tags\":{\"team\":\"a\"}}");
  tags_are("{\"Tags\":{}}"); /* the function's own are apart */

  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"Tags\":{\"aws:x\":\"1\"}}", q);
  call_err("TagResource", req, AEV_ERR_INVALID, "aws:x");
  esm_tags_are(q, "{\"Tags\":{\"team\":\"a\"}}");
  call_err("ListTags", "{\"Resource\":\"" ESM_ARN "00000000-0000-0000-0000-000000000000\"}",
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  call_err("CreateEventSourceMapping",
           "{\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"FunctionName\":\"g\","
           "\"Tags\":{\"aws:x\":\"1\"}}",
           AEV_ERR_INVALID, "aws:x");
  r = call_ok("ListEventSourceMappings", "{\"FunctionName\":\"g\"}");
  ck_assert_str_eq(r, "{\"EventSourceMappings\":[]}");
  aev_free(r);

  snprintf(req, sizeof req, "{\"UUID\":\"%s\"}", q + strlen(ESM_ARN));
  aev_free(call_ok("DeleteEventSourceMapping", req));
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", q);
  call_err("ListTags", req, AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  snprintf(req, sizeof req, "{\"UUID\":\"%s\"}", k + strlen(ESM_ARN));
  aev_free(call_ok("DeleteEventSourceMapping", req));
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", k);
  call_err("ListTags", req, AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
}
END_TEST

START_TEST(delete_takes_policy_and_tags) {
  free(add("{\"FunctionName\":\"f\",\"StatementId\":\"a\"," OK_REST "}"));
  aev_free(call_ok("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"a\":\"1\"}}"));
  aev_free(call_ok("DeleteFunction", "{\"FunctionName\":\"f\"}"));
  call_err("ListTags", "{\"Resource\":\"" ARN "\"}", AEV_ERR_NOT_FOUND, "Function not found");
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}"));
  no_policy("{\"FunctionName\":\"f\"}");
  tags_are("{\"Tags\":{}}");
}
END_TEST

/* ---- out of memory (nomem.h): each call answers whole or changes nothing ---- */

static json_t *parsed(char *text) {
  json_t *j = json_loads(text, 0, NULL);
  ck_assert_ptr_nonnull(j);
  aev_free(text);
  return j;
}

/* f's policy, f's tags and g's GetFunction (or the errors they answer). */
static json_t *lambda_state(void *ctx) {
  (void)ctx;
  char *p = NULL, *t = NULL, *g = NULL;
  aev_call(b, "lambda", "GetPolicy", "{\"FunctionName\":\"f\"}", &p);
  aev_call(b, "lambda", "ListTags", "{\"Resource\":\"" ARN "\"}", &t);
  aev_call(b, "lambda", "GetFunction", "{\"FunctionName\":\"g\"}", &g);
  return json_pack("{sososo}", "policy", parsed(p), "tags", parsed(t), "g", parsed(g));
}

static int lambda_call(const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  aev_free(r);
  return rc;
}

static int add_permission(void *ctx) {
  (void)ctx;
  return lambda_call("AddPermission", "{\"FunctionName\":\"f\",\"StatementId\":\"n\"," OK_REST
                                      ",\"SourceArn\":\"arn:aws:sns:us-east-1:000000000000:t\"}");
}

static void permission_added(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(a->now, "policy"),
                                                                 "Policy")),
                               "\"Sid\":\"n\""));
  ck_assert_int_eq(lambda_call("RemovePermission", "{\"FunctionName\":\"f\",\"StatementId\":\"n\"}"),
                   AEV_OK);
}

static int tag_resource(void *ctx) {
  (void)ctx;
  return lambda_call("TagResource", "{\"Resource\":\"" ARN "\",\"Tags\":{\"a\":\"1\",\"b\":\"2\"}}");
}

static void resource_tagged(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  ck_assert_uint_eq(json_object_size(json_object_get(json_object_get(a->now, "tags"), "Tags")), 2);
  ck_assert_int_eq(lambda_call("UntagResource", "{\"Resource\":\"" ARN "\",\"TagKeys\":[\"a\",\"b\"]}"),
                   AEV_OK);
}

static int create_tagged(void *ctx) {
  (void)ctx;
  return lambda_call("CreateFunction",
                     "{\"FunctionName\":\"g\",\"Handler\":\"app.handler\",\"Tags\":{\"a\":\"1\"}}");
}

static void tagged_created(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(a->now, "g"), "Tags"),
                                                     "a")),
                   "1");
  ck_assert_int_eq(lambda_call("DeleteFunction", "{\"FunctionName\":\"g\"}"), AEV_OK);
}

/* A new broker each attempt, so that the first tags of a mapping are the
 * ones that create the broker's store of them. */
static void fresh_broker(void *ctx) {
  (void)ctx;
  aev_broker_destroy(b);
  setup();
}

static void esm_queue(void *ctx) {
  (void)ctx;
  char *r = NULL;
  aev_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"mq\"}", &r);
  aev_free(r);
}

static json_t *mappings_state(void *ctx) {
  (void)ctx;
  char *r = NULL;
  aev_call(b, "lambda", "ListEventSourceMappings", "{\"FunctionName\":\"f\"}", &r);
  return parsed(r);
}

static int map_tagged(void *ctx) {
  (void)ctx;
  return lambda_call("CreateEventSourceMapping",
                     "{\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:mq\","
                     "\"FunctionName\":\"f\",\"Tags\":{\"a\":\"1\"}}");
}

/* The mapping was made with its tag: deleted again for the next attempt. */
static void tagged_mapped(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  json_t *list = json_object_get(a->now, "EventSourceMappings");
  ck_assert_uint_eq(json_array_size(list), 1);
  const char *uuid = json_string_value(json_object_get(json_array_get(list, 0), "UUID"));
  char req[256], *r = NULL;
  snprintf(req, sizeof req, "{\"Resource\":\"" ESM_ARN "%s\"}", uuid);
  ck_assert_int_eq(aev_call(b, "lambda", "ListTags", req, &r), AEV_OK);
  ck_assert_str_eq(r, "{\"Tags\":{\"a\":\"1\"}}");
  aev_free(r);
  snprintf(req, sizeof req, "{\"UUID\":\"%s\"}", uuid);
  ck_assert_int_eq(lambda_call("DeleteEventSourceMapping", req), AEV_OK);
}

START_TEST(out_of_memory_changes_nothing) {
  static const nomem_case cases[] = {
      {.what = "AddPermission", .state = lambda_state, .call = add_permission,
       .succeeded = permission_added},
      {.what = "TagResource", .state = lambda_state, .call = tag_resource,
       .succeeded = resource_tagged, .expect = NOMEM_ANY},
      {.what = "CreateFunction with Tags", .state = lambda_state, .call = create_tagged,
       .succeeded = tagged_created},
      {.what = "CreateEventSourceMapping with Tags", .fresh = fresh_broker, .setup = esm_queue,
       .state = mappings_state,
       .call = map_tagged, .succeeded = tagged_mapped},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) nomem_sweep(&cases[i], NULL);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_policy");
  TCase *tc = tcase_create("policy");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, statements_as_lambda_writes_them);
  tcase_add_test(tc, duplicate_and_unknown_statements);
  tcase_add_test(tc, members_checked_before_anything_is_stored);
  tcase_add_test(tc, policies_per_qualifier);
  tcase_add_test(tc, revision_ids);
  tcase_add_test(tc, policy_revision_is_the_functions);
  tcase_add_test(tc, policy_size_limit);
  suite_add_tcase(su, tc);
  tc = tcase_create("tags");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, tags_roundtrip);
  tcase_add_test(tc, tag_limits_in_characters);
  tcase_add_test(tc, fifty_tags_at_most);
  tcase_add_test(tc, tag_resources_named_by_unqualified_arn);
  tcase_add_test(tc, delete_takes_policy_and_tags);
  tcase_add_test(tc, event_source_mappings_are_tagged);
  suite_add_tcase(su, tc);
  tc = tcase_create("nomem");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, out_of_memory_changes_nothing);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
