/* The states service's control plane as boto3 users see it: the role a
 * machine runs as (Describe, ExecutionStarted, $$.Execution.RoleArn),
 * logging / tracing / encryption configurations and their defaults,
 * UpdateStateMachine of each, tags on machines and activities, paginated
 * List* calls and GetExecutionHistory, DescribeStateMachineForExecution. Every refused request
 * leaves what was stored as it was. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::123456789012:role/sfn"
#define SM "arn:aws:states:us-east-1:000000000000:stateMachine:"
#define PASS "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}"
#define WAIT "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":10,\"End\":true}}}"

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(5); }

static void teardown(void) { aev_broker_destroy(b); }

/* One call with a request built by json_pack (stolen); its answer, and the
 * error's __type when want_rc is not AEV_OK. */
static json_t *call(const char *action, json_t *req, int want_rc) {
  char *text = json_dumps(req, JSON_COMPACT), *out = NULL;
  json_decref(req);
  int rc = aev_call(b, "states", action, text, &out);
  ck_assert_msg(rc == want_rc, "%s %s: %d %s", action, text, rc, out);
  free(text);
  json_t *v = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_ptr_nonnull(v);
  return v;
}

/* A refused call: its __type must be code and its message msg (NULL: any). */
static void refused(const char *action, json_t *req, int want_rc, const char *code, const char *msg) {
  json_t *v = call(action, req, want_rc);
  ck_assert_str_eq(json_string_value(json_object_get(v, "__type")), code);
  if (msg) ck_assert_str_eq(json_string_value(json_object_get(v, "message")), msg);
  json_decref(v);
}

static void ok(const char *action, json_t *req) { json_decref(call(action, req, AEV_OK)); }

static void create_machine(const char *name, const char *def) {
  ok("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", name, "definition", def, "roleArn", ROLE));
}

static json_t *describe(const char *name) {
  char arn[128];
  snprintf(arn, sizeof arn, SM "%s", name);
  return call("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", arn), AEV_OK);
}

/* The member of DescribeStateMachine's answer as compact JSON text. */
static char *described(const char *name, const char *member) {
  json_t *v = describe(name);
  char *t = json_dumps(json_object_get(v, member), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  json_decref(v);
  return t;
}

static void described_is(const char *name, const char *member, const char *want) {
  char *t = described(name, member);
  ck_assert_str_eq(t, want);
  free(t);
}

static size_t machine_count(void) {
  json_t *v = call("ListStateMachines", json_object(), AEV_OK);
  size_t n = json_array_size(json_object_get(v, "stateMachines"));
  json_decref(v);
  return n;
}

/* ---- the role ---- */

START_TEST(role_arn_is_required_and_checked) {
  refused("CreateStateMachine", json_pack("{s:s,s:s}", "name", "m", "definition", PASS), AEV_ERR_INVALID,
          "ValidationException",
          "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  refused("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", PASS, "roleArn", "admin"),
          AEV_ERR_INVALID, "InvalidArn", "Invalid Role Arn: 'admin'");
  /* A policy's ARN is not a role's. */
  refused("CreateStateMachine",
          json_pack("{s:s,s:s,s:s}", "name", "m", "definition", PASS, "roleArn",
                    "arn:aws:iam::aws:policy/AWSBatchFullAccess"),
          AEV_ERR_INVALID, "InvalidArn", NULL);
  char *long_role = aev_test_repeat_between("arn:aws:iam::123456789012:role/", "r", 226, "");
  refused("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", PASS, "roleArn", long_role),
          AEV_ERR_INVALID, "ValidationException", NULL);
  free(long_role);
  ck_assert_uint_eq(machine_count(), 0);
  long_role = aev_test_repeat_between("arn:aws:iam::123456789012:role/", "r", 225, "");
  ok("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", PASS, "roleArn", long_role));
  free(long_role);
}
END_TEST

START_TEST(role_is_answered_where_aws_answers_it) {
  const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":{\"role.$\":"
                    "\"$$.Execution.RoleArn\"},\"End\":true}}}";
  create_machine("m", def);
  described_is("m", "roleArn", "\"" ROLE "\"");
  json_t *v = call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "name", "e"), AEV_OK);
  json_decref(v);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  const char *ex = "arn:aws:states:us-east-1:000000000000:execution:m:e";
  v = call("GetExecutionHistory", json_pack("{s:s}", "executionArn", ex), AEV_OK);
  json_t *started = json_object_get(json_array_get(json_object_get(v, "events"), 0), "executionStartedEventDetails");
  ck_assert_str_eq(json_string_value(json_object_get(started, "roleArn")), ROLE);
  json_decref(v);
  v = call("DescribeExecution", json_pack("{s:s}", "executionArn", ex), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "output")), "{\"role\":\"" ROLE "\"}");
  json_decref(v);
}
END_TEST

/* Given no role, typed machines run as the documented one. */
START_TEST(typed_create_has_a_default_role) {
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_create(b, "typed", PASS, strlen(PASS), AEV_MACHINE_STANDARD, &m), AEV_OK);
  aev_machine_release(m);
  described_is("typed", "roleArn", "\"arn:aws:iam::000000000000:role/awsevents\"");
  ck_assert_int_eq(aev_machine_create_with(b, "null", PASS, strlen(PASS), AEV_MACHINE_STANDARD, NULL, &m), AEV_OK);
  aev_machine_release(m);
  described_is("null", "roleArn", "\"arn:aws:iam::000000000000:role/awsevents\"");
}
END_TEST

static int typed_create(const char *name, const char *role) {
  aev_machine *m = NULL;
  int rc = aev_machine_create_with(b, name, PASS, strlen(PASS), AEV_MACHINE_STANDARD, role, &m);
  aev_machine_release(m);
  return rc;
}

/* The typed role is checked as roleArn is, and kept as AWS keeps it: the
 * first create's, since a create again with another role is idempotent. */
START_TEST(typed_create_takes_a_role) {
  ck_assert_int_eq(typed_create("typed", "admin"), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidArn");
  ck_assert_str_eq(aev_errmsg(), "Invalid Role Arn: 'admin'");
  ck_assert_int_eq(typed_create("typed", ""), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_uint_eq(machine_count(), 0);
  ck_assert_int_eq(typed_create("typed", ROLE), AEV_OK);
  described_is("typed", "roleArn", "\"" ROLE "\"");
  ck_assert_int_eq(typed_create("typed", "arn:aws:iam::123456789012:role/other"), AEV_OK);
  described_is("typed", "roleArn", "\"" ROLE "\"");
  ck_assert_uint_eq(machine_count(), 1);
}
END_TEST

/* ---- configurations ---- */

START_TEST(configurations_default_as_aws_answers_them) {
  create_machine("m", PASS);
  described_is("m", "loggingConfiguration", "{\"includeExecutionData\":false,\"level\":\"OFF\"}");
  described_is("m", "tracingConfiguration", "{\"enabled\":false}");
  described_is("m", "encryptionConfiguration", "{\"type\":\"AWS_OWNED_KEY\"}");
}
END_TEST

#define LOG_GROUP "{\"cloudWatchLogsLogGroup\":{\"logGroupArn\":\"arn:aws:logs:us-east-1:123456789012:log-group:g:*\"}}"

static json_t *with_logging(const char *name, const char *logging) {
  return json_pack("{s:s,s:s,s:s,s:o}", "name", name, "definition", PASS, "roleArn", ROLE, "loggingConfiguration",
                   json_loads(logging, 0, NULL));
}

START_TEST(configurations_are_kept) {
  json_t *req = with_logging("m", "{\"level\":\"ERROR\",\"includeExecutionData\":true,\"destinations\":[" LOG_GROUP "]}");
  json_object_set_new(req, "tracingConfiguration", json_pack("{s:b}", "enabled", 1));
  json_object_set_new(req, "encryptionConfiguration",
                      json_pack("{s:s,s:s}", "type", "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId", "alias/k"));
  ok("CreateStateMachine", req);
  described_is("m", "loggingConfiguration",
               "{\"destinations\":[" LOG_GROUP "],\"includeExecutionData\":true,\"level\":\"ERROR\"}");
  described_is("m", "tracingConfiguration", "{\"enabled\":true}");
  described_is("m", "encryptionConfiguration",
               "{\"kmsDataKeyReusePeriodSeconds\":300,\"kmsKeyId\":\"alias/k\",\"type\":\"CUSTOMER_MANAGED_KMS_KEY\"}");
  /* Only a level: AWS fills in includeExecutionData. */
  ok("CreateStateMachine", with_logging("n", "{\"level\":\"OFF\"}"));
  described_is("n", "loggingConfiguration", "{\"includeExecutionData\":false,\"level\":\"OFF\"}");
}
END_TEST

START_TEST(bad_configurations_are_refused) {
  refused("CreateStateMachine", with_logging("m", "{\"level\":\"DEBUG\"}"), AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value 'DEBUG' at 'loggingConfiguration.level' failed to satisfy constraint: "
          "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]");
  refused("CreateStateMachine", with_logging("m", "{\"level\":\"ALL\"}"), AEV_ERR_INVALID,
          "InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination.");
  refused("CreateStateMachine", with_logging("m", "{\"level\":\"OFF\",\"destinations\":[" LOG_GROUP "," LOG_GROUP "]}"),
          AEV_ERR_INVALID, "InvalidLoggingConfiguration",
          "Invalid Logging Configuration: Must specify exactly one Log Destination.");
  refused("CreateStateMachine", with_logging("m", "{\"includeExecutionData\":\"yes\"}"), AEV_ERR_INVALID,
          "ValidationException", NULL);
  json_t *req = json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "m", "definition", PASS, "roleArn", ROLE,
                          "tracingConfiguration", "enabled", "yes");
  refused("CreateStateMachine", req, AEV_ERR_INVALID, "InvalidTracingConfiguration", NULL);
  req = json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "m", "definition", PASS, "roleArn", ROLE,
                  "encryptionConfiguration", "type", "CUSTOMER_MANAGED_KMS_KEY");
  refused("CreateStateMachine", req, AEV_ERR_INVALID, "InvalidEncryptionConfiguration", NULL);
  req = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:i}}", "name", "m", "definition", PASS, "roleArn", ROLE,
                  "encryptionConfiguration", "type", "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId", "k",
                  "kmsDataKeyReusePeriodSeconds", 30);
  refused("CreateStateMachine", req, AEV_ERR_INVALID, "ValidationException", NULL);
  req = json_pack("{s:s,s:s,s:s,s:s}", "name", "m", "definition", PASS, "roleArn", ROLE, "versionDescription", "v");
  refused("CreateStateMachine", req, AEV_ERR_INVALID, "ValidationException", NULL);
  ck_assert_uint_eq(machine_count(), 0);
}
END_TEST

/* Idempotency counts the configurations, not the role or the tags. */
/* ---- activities' encryption ---- */

#define ACT "arn:aws:states:us-east-1:000000000000:activity:"
#define OWNED "{\"type\":\"AWS_OWNED_KEY\"}"

/* CreateActivity with an encryptionConfiguration given as JSON text. */
static json_t *activity_with(const char *name, const char *encryption) {
  return json_pack("{s:s,s:o}", "name", name, "encryptionConfiguration", json_loads(encryption, 0, NULL));
}

static void activity_key_is(const char *name, const char *want) {
  char arn[128];
  snprintf(arn, sizeof arn, ACT "%s", name);
  json_t *v = call("DescribeActivity", json_pack("{s:s}", "activityArn", arn), AEV_OK);
  char *t = json_dumps(json_object_get(v, "encryptionConfiguration"), JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(t, want);
  free(t);
  json_decref(v);
}

START_TEST(activities_keep_their_encryption) {
  ok("CreateActivity", json_pack("{s:s}", "name", "plain"));
  activity_key_is("plain", OWNED);
  ok("CreateActivity", activity_with("owned", OWNED));
  activity_key_is("owned", OWNED);
  ok("CreateActivity", activity_with("kms", "{\"type\":\"CUSTOMER_MANAGED_KMS_KEY\",\"kmsKeyId\":\"alias/k\"}"));
  activity_key_is("kms", "{\"kmsDataKeyReusePeriodSeconds\":300,\"kmsKeyId\":\"alias/k\",\"type\":\"CUSTOMER_MANAGED_KMS_KEY\"}");
  ok("CreateActivity", activity_with("slow", "{\"type\":\"CUSTOMER_MANAGED_KMS_KEY\",\"kmsKeyId\":\"k\","
                                             "\"kmsDataKeyReusePeriodSeconds\":900}"));
  activity_key_is("slow", "{\"kmsDataKeyReusePeriodSeconds\":900,\"kmsKeyId\":\"k\",\"type\":\"CUSTOMER_MANAGED_KMS_KEY\"}");
  ok("CreateActivity", activity_with("fast", "{\"type\":\"CUSTOMER_MANAGED_KMS_KEY\",\"kmsKeyId\":\"k\","
                                             "\"kmsDataKeyReusePeriodSeconds\":60}"));
  /* CreateActivity is idempotent on the name alone: the first key stays. */
  ok("CreateActivity", activity_with("kms", OWNED));
  activity_key_is("kms", "{\"kmsDataKeyReusePeriodSeconds\":300,\"kmsKeyId\":\"alias/k\",\"type\":\"CUSTOMER_MANAGED_KMS_KEY\"}");
  /* The typed Describe answers it too; ListActivities' items do not carry it. */
  aev_activity *a = NULL;
  char *t = NULL;
  ck_assert_int_eq(aev_activity_get(b, "plain", &a), AEV_OK);
  ck_assert_int_eq(aev_activity_describe(a, &t), AEV_OK);
  aev_activity_release(a);
  json_t *v = json_loads(t, 0, NULL);
  aev_free(t);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "encryptionConfiguration"), "type")),
                   "AWS_OWNED_KEY");
  json_decref(v);
  v = call("ListActivities", json_object(), AEV_OK);
  ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(v, "activities"), 0), "encryptionConfiguration"));
  json_decref(v);
}
END_TEST

START_TEST(activities_refuse_bad_encryption) {
  refused("CreateActivity", activity_with("a", "{\"type\":\"CUSTOMER_MANAGED_KMS_KEY\"}"), AEV_ERR_INVALID,
          "InvalidEncryptionConfiguration",
          "Invalid Encryption Configuration: kmsKeyId is required for a CUSTOMER_MANAGED_KMS_KEY.");
  refused("CreateActivity", activity_with("a", "{\"type\":\"AWS_OWNED_KEY\",\"kmsKeyId\":\"k\"}"), AEV_ERR_INVALID,
          "InvalidEncryptionConfiguration", NULL);
  refused("CreateActivity", activity_with("a", "{\"kmsKeyId\":\"k\"}"), AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value null at 'encryptionConfiguration.type' failed to satisfy constraint: "
          "Member must not be null");
  refused("CreateActivity", activity_with("a", "{\"type\":\"OWN_KEY\"}"), AEV_ERR_INVALID, "ValidationException",
          NULL);
  refused("CreateActivity",
          activity_with("a", "{\"type\":\"CUSTOMER_MANAGED_KMS_KEY\",\"kmsKeyId\":\"k\",\"kmsDataKeyReusePeriodSeconds\":59}"),
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value '59' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed "
          "to satisfy constraint: Member must have value greater than or equal to 60");
  refused("CreateActivity",
          activity_with("a", "{\"type\":\"CUSTOMER_MANAGED_KMS_KEY\",\"kmsKeyId\":\"k\",\"kmsDataKeyReusePeriodSeconds\":901}"),
          AEV_ERR_INVALID, "ValidationException", NULL);
  refused("CreateActivity", json_pack("{s:s,s:s}", "name", "a", "encryptionConfiguration", "AWS_OWNED_KEY"),
          AEV_ERR_INVALID, "ValidationException", NULL);
  json_t *v = call("ListActivities", json_object(), AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(v, "activities")), 0);
  json_decref(v);
}
END_TEST

START_TEST(create_again_compares_configurations) {
  ok("CreateStateMachine", with_logging("m", "{\"level\":\"OFF\"}"));
  json_t *again = with_logging("m", "{\"level\":\"OFF\"}");
  json_object_set_new(again, "roleArn", json_string("arn:aws:iam::123456789012:role/other"));
  ok("CreateStateMachine", again);
  described_is("m", "roleArn", "\"" ROLE "\"");
  refused("CreateStateMachine", with_logging("m", "{\"level\":\"ALL\",\"destinations\":[" LOG_GROUP "]}"),
          AEV_ERR_EXISTS, "StateMachineAlreadyExists", NULL);
}
END_TEST

/* ---- updates ---- */

START_TEST(update_changes_role_and_configurations) {
  create_machine("m", PASS);
  const char *other = "arn:aws:iam::123456789012:role/other";
  ok("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "roleArn", other));
  described_is("m", "roleArn", "\"arn:aws:iam::123456789012:role/other\"");
  described_is("m", "definition", "\"" "{\\\"StartAt\\\":\\\"P\\\",\\\"States\\\":{\\\"P\\\":{\\\"Type\\\":"
                                  "\\\"Pass\\\",\\\"End\\\":true}}}" "\"");
  ok("UpdateStateMachine", json_pack("{s:s,s:{s:b}}", "stateMachineArn", SM "m", "tracingConfiguration", "enabled", 1));
  described_is("m", "tracingConfiguration", "{\"enabled\":true}");
  described_is("m", "loggingConfiguration", "{\"includeExecutionData\":false,\"level\":\"OFF\"}");
  described_is("m", "roleArn", "\"arn:aws:iam::123456789012:role/other\"");
}
END_TEST

START_TEST(refused_updates_change_nothing) {
  create_machine("m", PASS);
  refused("UpdateStateMachine", json_pack("{s:s}", "stateMachineArn", SM "m"), AEV_ERR_INVALID,
          "MissingRequiredParameter",
          "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be "
          "specified");
  /* A good definition with a bad logging level: neither is kept. */
  json_t *req = json_pack("{s:s,s:s,s:s,s:{s:s}}", "stateMachineArn", SM "m", "definition", WAIT, "roleArn",
                          "arn:aws:iam::123456789012:role/other", "loggingConfiguration", "level", "LOUD");
  refused("UpdateStateMachine", req, AEV_ERR_INVALID, "ValidationException", NULL);
  req = json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM "m", "definition", WAIT, "roleArn", "nobody");
  refused("UpdateStateMachine", req, AEV_ERR_INVALID, "InvalidArn", "Invalid Role Arn: 'nobody'");
  described_is("m", "roleArn", "\"" ROLE "\"");
  described_is("m", "loggingConfiguration", "{\"includeExecutionData\":false,\"level\":\"OFF\"}");
  char *def = described("m", "definition");
  ck_assert_ptr_nonnull(strstr(def, "Pass"));
  free(def);
}
END_TEST

/* ---- DescribeStateMachineForExecution ---- */

START_TEST(describe_for_execution_answers_what_it_ran) {
  create_machine("m", WAIT);
  json_decref(call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "name", "old"), AEV_OK));
  ok("UpdateStateMachine", json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM "m", "definition", PASS, "roleArn",
                                     "arn:aws:iam::123456789012:role/new"));
  json_t *v = call("DescribeStateMachineForExecution",
                   json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:old"), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "definition")), WAIT);
  ck_assert_str_eq(json_string_value(json_object_get(v, "roleArn")), ROLE);
  ck_assert_str_eq(json_string_value(json_object_get(v, "stateMachineArn")), SM "m");
  ck_assert_str_eq(json_string_value(json_object_get(v, "name")), "m");
  ck_assert_ptr_nonnull(json_object_get(v, "updateDate"));
  ck_assert_ptr_nonnull(json_object_get(v, "loggingConfiguration"));
  ck_assert_ptr_nonnull(json_object_get(v, "tracingConfiguration"));
  json_decref(v);
  json_decref(call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "name", "new"), AEV_OK));
  v = call("DescribeStateMachineForExecution",
           json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:new"), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(v, "definition")), PASS);
  ck_assert_str_eq(json_string_value(json_object_get(v, "roleArn")), "arn:aws:iam::123456789012:role/new");
  json_decref(v);
  refused("DescribeStateMachineForExecution",
          json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:none"),
          AEV_ERR_NOT_FOUND, "ExecutionDoesNotExist", NULL);
}
END_TEST

/* A revision's id: none for the revision CreateStateMachine made, a new
 * one from each UpdateStateMachine, answered by it, by DescribeStateMachine
 * and by DescribeStateMachineForExecution for the executions it ran. */
static const char *revision_of(json_t *v) {
  return json_string_value(json_object_get(v, "revisionId"));
}

START_TEST(revision_ids) {
  create_machine("m", WAIT);
  json_decref(call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "name", "first"), AEV_OK));
  json_t *d = describe("m");
  ck_assert_ptr_null(json_object_get(d, "revisionId"));
  json_decref(d);
  json_t *u1 = call("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "definition", PASS),
                    AEV_OK);
  json_t *u2 = call("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "roleArn",
                                                    "arn:aws:iam::123456789012:role/new"),
                    AEV_OK);
  ck_assert_uint_eq(strlen(revision_of(u1)), 36);
  ck_assert_str_ne(revision_of(u1), revision_of(u2));
  d = describe("m");
  ck_assert_str_eq(revision_of(d), revision_of(u2));
  json_decref(d);
  json_decref(call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "name", "second"), AEV_OK));
  json_t *v = call("DescribeStateMachineForExecution",
                   json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:first"),
                   AEV_OK);
  ck_assert_ptr_null(json_object_get(v, "revisionId"));
  json_decref(v);
  v = call("DescribeStateMachineForExecution",
           json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:second"), AEV_OK);
  ck_assert_str_eq(revision_of(v), revision_of(u2));
  json_decref(v);
  /* A refused update makes no revision. */
  refused("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "definition", "{}"),
          AEV_ERR_INVALID, "InvalidDefinition", NULL);
  d = describe("m");
  ck_assert_str_eq(revision_of(d), revision_of(u2));
  json_decref(d);
  json_decref(u1);
  json_decref(u2);
}
END_TEST

/* ---- tags ---- */

static char *tags_of(const char *arn) {
  json_t *v = call("ListTagsForResource", json_pack("{s:s}", "resourceArn", arn), AEV_OK);
  char *t = json_dumps(json_object_get(v, "tags"), JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(v);
  return t;
}

static void tags_are(const char *arn, const char *want) {
  char *t = tags_of(arn);
  ck_assert_str_eq(t, want);
  free(t);
}

static json_t *tag_list(size_t n) {
  json_t *tags = json_array();
  char key[16];
  for (size_t i = 0; i < n; i++) {
    snprintf(key, sizeof key, "k%zu", i);
    json_array_append_new(tags, json_pack("{s:s,s:s}", "key", key, "value", "v"));
  }
  return tags;
}

START_TEST(tags_on_machines) {
  json_t *req = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s}]}", "name", "m", "definition", PASS, "roleArn", ROLE, "tags",
                          "key", "team", "value", "a");
  ok("CreateStateMachine", req);
  tags_are(SM "m", "[{\"key\":\"team\",\"value\":\"a\"}]");
  ok("TagResource", json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "team", "value",
                              "b", "key", "env", "value", ""));
  tags_are(SM "m", "[{\"key\":\"team\",\"value\":\"b\"},{\"key\":\"env\",\"value\":\"\"}]");
  ok("UntagResource", json_pack("{s:s,s:[s,s]}", "resourceArn", SM "m", "tagKeys", "team", "absent"));
  tags_are(SM "m", "[{\"key\":\"env\",\"value\":\"\"}]");
}
END_TEST

START_TEST(tags_on_activities) {
  const char *act = "arn:aws:states:us-east-1:000000000000:activity:work";
  ok("CreateActivity", json_pack("{s:s,s:[{s:s,s:s}]}", "name", "work", "tags", "key", "k", "value", "v"));
  tags_are(act, "[{\"key\":\"k\",\"value\":\"v\"}]");
  ok("TagResource", json_pack("{s:s,s:[{s:s,s:s}]}", "resourceArn", act, "tags", "key", "x", "value", "y"));
  tags_are(act, "[{\"key\":\"k\",\"value\":\"v\"},{\"key\":\"x\",\"value\":\"y\"}]");
  ok("UntagResource", json_pack("{s:s,s:[s]}", "resourceArn", act, "tagKeys", "k"));
  tags_are(act, "[{\"key\":\"x\",\"value\":\"y\"}]");
}
END_TEST

START_TEST(tag_limits_are_all_or_nothing) {
  create_machine("m", PASS);
  ok("TagResource", json_pack("{s:s,s:o}", "resourceArn", SM "m", "tags", tag_list(49)));
  /* One new key and one replaced: 50, allowed; then one more is too many. */
  ok("TagResource", json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "k0", "value",
                              "w", "key", "k49", "value", "v"));
  char *before = tags_of(SM "m");
  refused("TagResource", json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "k1",
                                   "value", "changed", "key", "k50", "value", "v"),
          AEV_ERR_LIMIT, "TooManyTags", NULL);
  /* Key 1-128 and value 0-256 characters, counted as characters. */
  char *key = aev_test_repeat_between("", "é", 129, "");
  refused("TagResource", json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "k2",
                                   "value", "changed", "key", key, "value", "v"),
          AEV_ERR_INVALID, "ValidationException", NULL);
  free(key);
  char *value = aev_test_repeat_between("", "é", 257, "");
  refused("TagResource", json_pack("{s:s,s:[{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "k3", "value", value),
          AEV_ERR_INVALID, "ValidationException",
          NULL);
  free(value);
  refused("TagResource", json_pack("{s:s,s:[{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "", "value", "v"),
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must "
          "have length greater than or equal to 1");
  char *after = tags_of(SM "m");
  ck_assert_str_eq(after, before);
  free(before);
  free(after);
  refused("CreateStateMachine",
          json_pack("{s:s,s:s,s:s,s:o}", "name", "n", "definition", PASS, "roleArn", ROLE, "tags", tag_list(51)),
          AEV_ERR_LIMIT, "TooManyTags", NULL);
  refused("CreateActivity", json_pack("{s:s,s:o}", "name", "a", "tags", tag_list(51)), AEV_ERR_LIMIT, "TooManyTags",
          NULL);
  ck_assert_uint_eq(machine_count(), 1);
  json_t *v = call("ListActivities", json_object(), AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(v, "activities")), 0);
  json_decref(v);
  /* With 128 and 256 characters exactly. */
  key = aev_test_repeat_between("", "é", 128, "");
  value = aev_test_repeat_between("", "é", 256, "");
  ok("TagResource", json_pack("{s:s,s:[{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", "k0", "value", value));
  ok("UntagResource", json_pack("{s:s,s:[s]}", "resourceArn", SM "m", "tagKeys", "k1"));
  ok("TagResource", json_pack("{s:s,s:[{s:s,s:s}]}", "resourceArn", SM "m", "tags", "key", key, "value", "v"));
  free(key);
  free(value);
}
END_TEST

START_TEST(tags_of_unknown_resources) {
  const char *gone = SM "gone";
  refused("TagResource", json_pack("{s:s,s:[{s:s,s:s}]}", "resourceArn", gone, "tags", "key", "k", "value", "v"),
          AEV_ERR_NOT_FOUND, "ResourceNotFound", "Resource not found: '" SM "gone'");
  refused("UntagResource", json_pack("{s:s,s:[s]}", "resourceArn", gone, "tagKeys", "k"), AEV_ERR_NOT_FOUND,
          "ResourceNotFound", NULL);
  refused("ListTagsForResource", json_pack("{s:s}", "resourceArn", gone), AEV_ERR_NOT_FOUND, "ResourceNotFound", NULL);
  refused("ListTagsForResource", json_pack("{s:s}", "resourceArn", "m"), AEV_ERR_INVALID, "InvalidArn",
          "Invalid Arn: 'Invalid ARN prefix: m'");
  create_machine("m", PASS);
  /* aev_call's ARN members take ARNs only, though the machine's name
   * would find it through the typed API. */
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", "m"), AEV_ERR_INVALID,
          "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: m'");
  refused("StartExecution", json_pack("{s:s}", "stateMachineArn", "m"), AEV_ERR_INVALID,
          "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: m'");
  refused("DescribeExecution", json_pack("{s:s}", "executionArn", "e"), AEV_ERR_INVALID,
          "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: e'");
  /* A version's ARN is not the machine's. */
  refused("ListTagsForResource", json_pack("{s:s}", "resourceArn", SM "m:1"), AEV_ERR_NOT_FOUND, "ResourceNotFound",
          NULL);
}
END_TEST

/* ---- pages ---- */

/* Every page of a listing by maxResults max: the names, in order, joined
 * by spaces; *pages counts the calls. */
static char *all_pages(const char *action, json_t *base, const char *key, const char *name_key, int max, int *pages) {
  char *names = calloc(1, 4096);
  const char *token = NULL;
  json_t *v = NULL;
  *pages = 0;
  do {
    json_t *req = json_deep_copy(base);
    json_object_set_new(req, "maxResults", json_integer(max));
    if (token) json_object_set_new(req, "nextToken", json_string(token));
    json_decref(v);
    v = call(action, req, AEV_OK);
    (*pages)++;
    json_t *items = json_object_get(v, key);
    ck_assert_uint_le(json_array_size(items), (max ? (size_t)max : 100));
    for (size_t i = 0; i < json_array_size(items); i++) {
      if (*names) strcat(names, " ");
      strcat(names, json_string_value(json_object_get(json_array_get(items, i), name_key)));
    }
    token = json_string_value(json_object_get(v, "nextToken"));
  } while (token);
  json_decref(v);
  json_decref(base);
  return names;
}

START_TEST(list_state_machines_pages) {
  const char *names[] = {"c", "a", "e", "b", "d"};
  for (size_t i = 0; i < 5; i++) create_machine(names[i], PASS);
  int pages;
  char *got = all_pages("ListStateMachines", json_object(), "stateMachines", "name", 2, &pages);
  ck_assert_str_eq(got, "a b c d e");
  ck_assert_int_eq(pages, 3);
  free(got);
  got = all_pages("ListStateMachines", json_object(), "stateMachines", "name", 0, &pages);
  ck_assert_str_eq(got, "a b c d e");
  ck_assert_int_eq(pages, 1);
  free(got);
  /* A page goes on after the last item handed out even when it is gone. */
  json_t *v = call("ListStateMachines", json_pack("{s:i}", "maxResults", 2), AEV_OK);
  char *token = strdup(json_string_value(json_object_get(v, "nextToken")));
  json_decref(v);
  ok("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM "b"));
  v = call("ListStateMachines", json_pack("{s:i,s:s}", "maxResults", 2, "nextToken", token), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(v, "stateMachines"), 0), "name")),
                   "c");
  json_decref(v);
  /* A token of another listing is not one of this. */
  refused("ListActivities", json_pack("{s:s}", "nextToken", token), AEV_ERR_INVALID, "InvalidToken", NULL);
  free(token);
}
END_TEST

START_TEST(bad_page_arguments) {
  refused("ListStateMachines", json_pack("{s:i}", "maxResults", 1001), AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have "
          "value less than or equal to 1000");
  refused("ListStateMachines", json_pack("{s:i}", "maxResults", -1), AEV_ERR_INVALID, "ValidationException", NULL);
  refused("ListStateMachines", json_pack("{s:s}", "nextToken", "not a token"), AEV_ERR_INVALID, "InvalidToken", NULL);
  refused("ListActivities", json_pack("{s:s}", "nextToken", "AAAA"), AEV_ERR_INVALID, "InvalidToken", NULL);
  char *token = aev_test_repeat_between("", "A", 1025, "");
  refused("ListStateMachines", json_pack("{s:s}", "nextToken", token), AEV_ERR_INVALID, "ValidationException", NULL);
  free(token);
  create_machine("m", PASS);
  token = aev_test_repeat_between("", "A", 3097, "");
  refused("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "nextToken", token), AEV_ERR_INVALID,
          "ValidationException", NULL);
  free(token);
  ok("CreateStateMachine",
     json_pack("{s:s,s:s,s:s,s:s}", "name", "x", "definition", PASS, "roleArn", ROLE, "type", "EXPRESS"));
  refused("ListExecutions", json_pack("{s:s}", "stateMachineArn", SM "x"), AEV_ERR_INVALID,
          "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
  refused("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "statusFilter", "succeeded"),
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must "
          "satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]");
}
END_TEST

START_TEST(list_executions_pages_newest_first) {
  create_machine("m", WAIT);
  char name[8];
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "e%d", i);
    json_decref(call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "name", name), AEV_OK));
    ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  }
  /* e0 ... e4 started a second apart, each waiting 10 s: at 11 s e0 and e1
   * have succeeded. */
  ck_assert_int_eq(aev_broker_advance(b, 6000), AEV_OK);
  int pages;
  char *got = all_pages("ListExecutions", json_pack("{s:s}", "stateMachineArn", SM "m"), "executions", "name", 2, &pages);
  ck_assert_str_eq(got, "e4 e3 e2 e1 e0");
  ck_assert_int_eq(pages, 3);
  free(got);
  got = all_pages("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "statusFilter", "RUNNING"),
                  "executions", "name", 1, &pages);
  ck_assert_str_eq(got, "e4 e3 e2");
  free(got);
  json_t *v = call("ListExecutions", json_pack("{s:s,s:s}", "stateMachineArn", SM "m", "statusFilter", "SUCCEEDED"),
                   AEV_OK);
  json_t *first = json_array_get(json_object_get(v, "executions"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(first, "name")), "e1");
  ck_assert_ptr_nonnull(json_object_get(first, "stopDate"));
  ck_assert_ptr_null(json_object_get(v, "nextToken"));
  json_decref(v);
}
END_TEST

/* A page goes on after the last execution handed out even when retention
 * has dropped that one since (it ended before the older ones), and
 * executions started in the same millisecond page in their order. */
START_TEST(list_executions_pages_past_dropped_executions) {
  create_machine("m", "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"SecondsPath\":\"$.s\",\"End\":true}}}");
  aev_machine *m = NULL;
  ck_assert_int_eq(aev_machine_get(b, "m", &m), AEV_OK);
  ck_assert_int_eq(aev_machine_set_retention(m, 10 * 1000), AEV_OK);
  aev_machine_release(m);
  char name[8];
  for (int i = 0; i < 6; i++) {
    /* e3 ends at once; the others wait 1000 s. e4 and e5 start together. */
    snprintf(name, sizeof name, "e%d", i);
    json_decref(call("StartExecution",
                     json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM "m", "name", name, "input",
                               i == 3 ? "{\"s\":0}" : "{\"s\":1000}"),
                     AEV_OK));
    if (i < 4) ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  }
  json_t *v = call("ListExecutions", json_pack("{s:s,s:i}", "stateMachineArn", SM "m", "maxResults", 1), AEV_OK);
  char *got = json_dumps(json_object_get(json_array_get(json_object_get(v, "executions"), 0), "name"), JSON_ENCODE_ANY);
  ck_assert_str_eq(got, "\"e5\"");
  free(got);
  json_t *req = json_pack("{s:s,s:i,s:O}", "stateMachineArn", SM "m", "maxResults", 2, "nextToken",
                          json_object_get(v, "nextToken"));
  json_decref(v);
  v = call("ListExecutions", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(v, "executions"), 1), "name")),
                   "e3");
  req = json_pack("{s:s,s:O}", "stateMachineArn", SM "m", "nextToken", json_object_get(v, "nextToken"));
  json_decref(v);
  /* e3 ended at 3 s: at 20 s its retention has passed. */
  ck_assert_int_eq(aev_broker_advance(b, 16 * 1000), AEV_OK);
  refused("DescribeExecution", json_pack("{s:s}", "executionArn", "arn:aws:states:us-east-1:000000000000:execution:m:e3"),
          AEV_ERR_NOT_FOUND, "ExecutionDoesNotExist", NULL);
  v = call("ListExecutions", req, AEV_OK);
  json_t *items = json_object_get(v, "executions");
  ck_assert_uint_eq(json_array_size(items), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "name")), "e2");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 2), "name")), "e0");
  ck_assert_ptr_null(json_object_get(v, "nextToken"));
  json_decref(v);
}
END_TEST

START_TEST(list_activities_pages) {
  ok("CreateActivity", json_pack("{s:s}", "name", "b"));
  ok("CreateActivity", json_pack("{s:s}", "name", "a"));
  ok("CreateActivity", json_pack("{s:s}", "name", "c"));
  int pages;
  char *got = all_pages("ListActivities", json_object(), "activities", "name", 1, &pages);
  ck_assert_str_eq(got, "a b c");
  ck_assert_int_eq(pages, 3);
  free(got);
}
END_TEST

/* The ids of a GetExecutionHistory page, "first-last", and its token
 * (NULL: none; a static copy). */
static const char *history_page(json_t *req, char *ids, size_t cap) {
  static char token[4096];
  json_t *v = call("GetExecutionHistory", req, AEV_OK), *ev = json_object_get(v, "events");
  snprintf(ids, cap, "%lld-%lld", (long long)json_integer_value(json_object_get(json_array_get(ev, 0), "id")),
           (long long)json_integer_value(json_object_get(json_array_get(ev, json_array_size(ev) - 1), "id")));
  const char *t = json_string_value(json_object_get(v, "nextToken"));
  if (t) snprintf(token, sizeof token, "%s", t);
  json_decref(v);
  return t ? token : NULL;
}

/* GetExecutionHistory pages as AWS's does: 100 events by default, up to
 * maxResults (0-1000), nextToken going on from the last, reverseOrder
 * newest first, a token only for the listing it came from; and
 * includeExecutionData false leaves out the events' input and output. */
START_TEST(execution_history_pages) {
  create_machine("m", "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"End\":true,"
                      "\"ItemProcessor\":{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}}}}");
  char input[512] = "[", ids[64];
  for (int i = 0; i < 50; i++) strcat(input, i ? ",1" : "1");
  strcat(input, "]");
  json_decref(call("StartExecution", json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM "m", "name", "e", "input", input),
                   AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  const char *ex = "arn:aws:states:us-east-1:000000000000:execution:m:e";
  /* 206 events: started, entered, map started, 4 per item, and 3 at the end */
  const char *t = history_page(json_pack("{s:s}", "executionArn", ex), ids, sizeof ids);
  ck_assert_str_eq(ids, "1-100");
  ck_assert_ptr_nonnull(t);
  t = history_page(json_pack("{s:s,s:s}", "executionArn", ex, "nextToken", t), ids, sizeof ids);
  ck_assert_str_eq(ids, "101-200");
  t = history_page(json_pack("{s:s,s:s}", "executionArn", ex, "nextToken", t), ids, sizeof ids);
  ck_assert_str_eq(ids, "201-206");
  ck_assert_ptr_null(t);
  ck_assert_ptr_null(history_page(json_pack("{s:s,s:i}", "executionArn", ex, "maxResults", 1000), ids, sizeof ids));
  ck_assert_str_eq(ids, "1-206");
  t = history_page(json_pack("{s:s,s:i,s:b}", "executionArn", ex, "maxResults", 10, "reverseOrder", 1), ids,
                   sizeof ids);
  ck_assert_str_eq(ids, "206-197");
  char reversed[4096];
  snprintf(reversed, sizeof reversed, "%s", t);
  t = history_page(json_pack("{s:s,s:i,s:b,s:s}", "executionArn", ex, "maxResults", 10, "reverseOrder", 1,
                             "nextToken", reversed), ids, sizeof ids);
  ck_assert_str_eq(ids, "196-187");
  refused("GetExecutionHistory", json_pack("{s:s,s:s}", "executionArn", ex, "nextToken", reversed), AEV_ERR_INVALID,
          "InvalidToken", "Invalid Token: 'Invalid token'");
  refused("GetExecutionHistory", json_pack("{s:s,s:i}", "executionArn", ex, "maxResults", 1001), AEV_ERR_INVALID,
          "ValidationException", NULL);
  json_t *v = call("GetExecutionHistory", json_pack("{s:s,s:i,s:b}", "executionArn", ex, "maxResults", 5,
                                                    "includeExecutionData", 0), AEV_OK);
  json_t *events = json_object_get(v, "events");
  json_t *started = json_object_get(json_array_get(events, 0), "executionStartedEventDetails");
  ck_assert_ptr_null(json_object_get(started, "input"));
  ck_assert_str_eq(json_string_value(json_object_get(started, "roleArn")), ROLE);
  json_t *entered = json_object_get(json_array_get(events, 1), "stateEnteredEventDetails");
  ck_assert_ptr_null(json_object_get(entered, "input"));
  ck_assert_str_eq(json_string_value(json_object_get(entered, "name")), "M");
  json_decref(v);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("states_control");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, role_arn_is_required_and_checked);
  tcase_add_test(tc, role_is_answered_where_aws_answers_it);
  tcase_add_test(tc, typed_create_has_a_default_role);
  tcase_add_test(tc, typed_create_takes_a_role);
  tcase_add_test(tc, configurations_default_as_aws_answers_them);
  tcase_add_test(tc, configurations_are_kept);
  tcase_add_test(tc, bad_configurations_are_refused);
  tcase_add_test(tc, activities_keep_their_encryption);
  tcase_add_test(tc, activities_refuse_bad_encryption);
  tcase_add_test(tc, create_again_compares_configurations);
  tcase_add_test(tc, update_changes_role_and_configurations);
  tcase_add_test(tc, refused_updates_change_nothing);
  tcase_add_test(tc, describe_for_execution_answers_what_it_ran);
  tcase_add_test(tc, revision_ids);
  tcase_add_test(tc, tags_on_machines);
  tcase_add_test(tc, tags_on_activities);
  tcase_add_test(tc, tag_limits_are_all_or_nothing);
  tcase_add_test(tc, tags_of_unknown_resources);
  tcase_add_test(tc, list_state_machines_pages);
  tcase_add_test(tc, bad_page_arguments);
  tcase_add_test(tc, list_executions_pages_newest_first);
  tcase_add_test(tc, list_executions_pages_past_dropped_executions);
  tcase_add_test(tc, list_activities_pages);
  tcase_add_test(tc, execution_history_pages);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
