/* State machine versions through aev_call, as AWS's "State machine
 * versions in Step Functions workflows" describes them: numbers from 1
 * never reused, idempotent publishing of a revision, publish on Create and
 * Update, Describe / Start / ListExecutions of a version ARN, paging,
 * deletion. And aliases routing executions to one version or two by
 * weight, with AWS's answers as LocalStack's recorded aliasing tests show
 * them. Every refused request leaves what was stored as it was. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::123456789012:role/sfn"
#define SM "arn:aws:states:us-east-1:000000000000:stateMachine:m"
#define RESULT(r) "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":\"" r "\",\"End\":true}}}"

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(11); }

static void teardown(void) { aev_broker_destroy(b); }

/* One call with a request built by json_pack (stolen); its answer. */
static json_t *call(const char *action, json_t *req, int want) {
  return aev_test_call_req(b, "states", action, req, want);
}

static void refused(const char *action, json_t *req, int want, const char *code, const char *msg) {
  aev_test_call_req_fails(b, "states", action, req, want, code, msg);
}

static void ok(const char *action, json_t *req) { json_decref(call(action, req, AEV_OK)); }

static void create(const char *type, const char *def) {
  ok("CreateStateMachine",
     json_pack("{s:s,s:s,s:s,s:s}", "name", "m", "definition", def, "roleArn", ROLE, "type", type));
}

static void update(const char *def) {
  ok("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM, "definition", def));
}

/* PublishStateMachineVersion's stateMachineVersionArn (a static buffer). */
static const char *publish(const char *description) {
  static char arn[160];
  json_t *req = json_pack("{s:s}", "stateMachineArn", SM);
  if (description) json_object_set_new(req, "description", json_string(description));
  json_t *v = call("PublishStateMachineVersion", req, AEV_OK);
  ck_assert_ptr_nonnull(json_object_get(v, "creationDate"));
  snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(v, "stateMachineVersionArn")));
  json_decref(v);
  return arn;
}

/* The qualifiers of the ARNs (arn_member) a listing (action, its list
 * member) of the machine answers, joined by spaces (a static buffer). */
static char *qualifiers(const char *action, const char *list, const char *arn_member) {
  static char out[512];
  json_t *v = call(action, json_pack("{s:s}", "stateMachineArn", SM), AEV_OK);
  json_t *item;
  size_t i;
  out[0] = 0;
  json_array_foreach(json_object_get(v, list), i, item) {
    const char *arn = json_string_value(json_object_get(item, arn_member));
    ck_assert_ptr_nonnull(json_object_get(item, "creationDate"));
    snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", strrchr(arn, ':') + 1);
  }
  json_decref(v);
  return out;
}

/* The versions ListStateMachineVersions answers, newest first. */
static char *versions(void) {
  return qualifiers("ListStateMachineVersions", "stateMachineVersions", "stateMachineVersionArn");
}

static json_t *describe(const char *arn) {
  return call("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", arn), AEV_OK);
}

static const char *member(json_t *v, const char *key) { return json_string_value(json_object_get(v, key)); }

START_TEST(numbers_count_from_one_and_are_never_reused) {
  create("STANDARD", RESULT("a"));
  ck_assert_str_eq(publish(NULL), SM ":1");
  ck_assert_str_eq(publish(NULL), SM ":1"); /* the same revision: the same version */
  update(RESULT("b"));
  ck_assert_str_eq(publish(NULL), SM ":2");
  ok("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM ":2"));
  update(RESULT("c"));
  ck_assert_str_eq(publish(NULL), SM ":3");
  ck_assert_str_eq(versions(), "3 1");
}
END_TEST

START_TEST(revision_id_and_description_must_match) {
  create("STANDARD", RESULT("a"));
  refused("PublishStateMachineVersion", json_pack("{s:s,s:s}", "stateMachineArn", SM, "revisionId", "nope"),
          AEV_ERR_STATE, "ConflictException", NULL);
  ck_assert_str_eq(versions(), "");
  json_t *v = call("PublishStateMachineVersion",
                   json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM, "revisionId", "INITIAL", "description", "one"),
                   AEV_OK);
  ck_assert_str_eq(member(v, "stateMachineVersionArn"), SM ":1");
  json_decref(v);
  ck_assert_str_eq(publish("one"), SM ":1");
  refused("PublishStateMachineVersion", json_pack("{s:s,s:s}", "stateMachineArn", SM, "description", "two"),
          AEV_ERR_EXISTS, "ConflictException", NULL);
  json_t *u = call("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM, "definition", RESULT("b")),
                   AEV_OK);
  /* AWS's wording, as LocalStack's recorded test_publish_state_machine_version shows it. */
  char stale[200];
  snprintf(stale, sizeof stale,
           "Failed to publish the State Machine version for revision INITIAL. The current State Machine "
           "revision is %s.",
           member(u, "revisionId"));
  refused("PublishStateMachineVersion", json_pack("{s:s,s:s}", "stateMachineArn", SM, "revisionId", "INITIAL"),
          AEV_ERR_STATE, "ConflictException", stale);
  v = call("PublishStateMachineVersion",
           json_pack("{s:s,s:s}", "stateMachineArn", SM, "revisionId", member(u, "revisionId")), AEV_OK);
  ck_assert_str_eq(member(v, "stateMachineVersionArn"), SM ":2");
  json_decref(v);
  json_decref(u);
  char longer[300];
  refused("PublishStateMachineVersion",
          json_pack("{s:s,s:s}", "stateMachineArn", SM, "description", aev_test_repeat(longer, "d", 257)),
          AEV_ERR_INVALID, "ValidationException", NULL);
  refused("PublishStateMachineVersion", json_pack("{s:s}", "stateMachineArn", SM ":1"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
  ck_assert_str_eq(versions(), "2 1");
}
END_TEST

START_TEST(a_thousand_versions_at_most) {
  create("STANDARD", RESULT("0"));
  char def[128];
  for (int i = 1; i <= 1000; i++) {
    snprintf(def, sizeof def, RESULT("%d"), i);
    json_decref(call("UpdateStateMachine",
                     json_pack("{s:s,s:s,s:b}", "stateMachineArn", SM, "definition", def, "publish", 1), AEV_OK));
  }
  update(RESULT("last"));
  refused("PublishStateMachineVersion", json_pack("{s:s}", "stateMachineArn", SM), AEV_ERR_LIMIT,
          "ServiceQuotaExceededException", NULL);
  refused("UpdateStateMachine", json_pack("{s:s,s:s,s:b}", "stateMachineArn", SM, "definition", RESULT("x"), "publish", 1),
          AEV_ERR_LIMIT, "ServiceQuotaExceededException", NULL);
  ok("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM ":1"));
  ck_assert_str_eq(publish(NULL), SM ":1001");
}
END_TEST

START_TEST(create_and_update_publish) {
  refused("CreateStateMachine",
          json_pack("{s:s,s:s,s:s,s:s}", "name", "m", "definition", RESULT("a"), "roleArn", ROLE,
                    "versionDescription", "d"),
          AEV_ERR_INVALID, "ValidationException", "Version description can only be set when publish is true");
  char longer[300];
  refused("CreateStateMachine",
          json_pack("{s:s,s:s,s:s,s:b,s:s}", "name", "m", "definition", RESULT("a"), "roleArn", ROLE, "publish", 1,
                    "versionDescription", aev_test_repeat(longer, "d", 257)),
          AEV_ERR_INVALID, "ValidationException", NULL);
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
  json_t *v = call("CreateStateMachine",
                   json_pack("{s:s,s:s,s:s,s:b,s:s}", "name", "m", "definition", RESULT("a"), "roleArn", ROLE,
                             "publish", 1, "versionDescription", "first"),
                   AEV_OK);
  ck_assert_str_eq(member(v, "stateMachineVersionArn"), SM ":1");
  json_decref(v);
  v = describe(SM ":1");
  ck_assert_str_eq(member(v, "description"), "first");
  json_decref(v);
  refused("UpdateStateMachine",
          json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM, "definition", RESULT("b"), "versionDescription", "d"),
          AEV_ERR_INVALID, "ValidationException", "Version description can only be set when publish is true");
  v = describe(SM);
  ck_assert_str_eq(member(v, "definition"), RESULT("a"));
  json_decref(v);
  v = call("UpdateStateMachine",
           json_pack("{s:s,s:s,s:b}", "stateMachineArn", SM, "definition", RESULT("b"), "publish", 1), AEV_OK);
  ck_assert_str_eq(member(v, "stateMachineVersionArn"), SM ":2");
  ck_assert_ptr_nonnull(member(v, "revisionId"));
  json_decref(v);
  v = call("UpdateStateMachine", json_pack("{s:s,s:s}", "stateMachineArn", SM, "definition", RESULT("c")), AEV_OK);
  ck_assert_ptr_null(json_object_get(v, "stateMachineVersionArn"));
  json_decref(v);
  ck_assert_str_eq(versions(), "2 1");
}
END_TEST

/* An update that changes nothing keeps the revision: no revisionId while it
 * is Create's, the same one after a real update, and publishing answers the
 * version already holding it (LocalStack's recorded
 * test_empty_revision_with_publish_and_no_publish_on_creation and
 * test_create_update_state_machine_same_parameters). */
START_TEST(unchanged_update_keeps_the_revision) {
  create("STANDARD", RESULT("a"));
  json_t *v = call("UpdateStateMachine",
                   json_pack("{s:s,s:s,s:b}", "stateMachineArn", SM, "definition", RESULT("a"), "publish", 1), AEV_OK);
  ck_assert_ptr_null(json_object_get(v, "revisionId"));
  ck_assert_ptr_nonnull(json_object_get(v, "updateDate"));
  ck_assert_str_eq(member(v, "stateMachineVersionArn"), SM ":1");
  json_decref(v);
  v = call("UpdateStateMachine",
           json_pack("{s:s,s:s,s:b}", "stateMachineArn", SM, "definition", RESULT("a"), "publish", 1), AEV_OK);
  ck_assert_ptr_null(json_object_get(v, "revisionId"));
  ck_assert_str_eq(member(v, "stateMachineVersionArn"), SM ":1");
  json_decref(v);
  ck_assert_str_eq(versions(), "1");
  json_t *u = call("UpdateStateMachine",
                   json_pack("{s:s,s:s}", "stateMachineArn", SM, "roleArn", ROLE "2"), AEV_OK);
  ck_assert_ptr_nonnull(member(u, "revisionId"));
  v = call("UpdateStateMachine",
           json_pack("{s:s,s:s,s:s}", "stateMachineArn", SM, "definition", RESULT("a"), "roleArn", ROLE "2"), AEV_OK);
  ck_assert_str_eq(member(v, "revisionId"), member(u, "revisionId"));
  json_decref(v);
  v = describe(SM);
  ck_assert_str_eq(member(v, "revisionId"), member(u, "revisionId"));
  ck_assert_str_eq(member(v, "roleArn"), ROLE "2");
  json_decref(v);
  json_decref(u);
}
END_TEST

START_TEST(describe_answers_the_version) {
  create("STANDARD", RESULT("a"));
  aev_broker_advance(b, 5000);
  publish("v1");
  update(RESULT("b"));
  json_t *v = describe(SM ":1"), *m = describe(SM);
  ck_assert_str_eq(member(v, "stateMachineArn"), SM ":1");
  ck_assert_str_eq(member(v, "name"), "m");
  ck_assert_str_eq(member(v, "definition"), RESULT("a"));
  ck_assert_str_eq(member(v, "roleArn"), ROLE);
  ck_assert_str_eq(member(v, "description"), "v1");
  ck_assert_str_eq(member(v, "type"), "STANDARD");
  ck_assert_double_eq(json_real_value(json_object_get(v, "creationDate")),
                      json_real_value(json_object_get(m, "creationDate")) + 5.0);
  ck_assert_str_eq(member(m, "definition"), RESULT("b"));
  json_decref(v);
  json_decref(m);
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", SM ":7"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", "State Machine Does Not Exist: '" SM ":7'");
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", SM ":PROD"), AEV_ERR_INVALID,
          "InvalidArn", NULL); /* an alias's ARN names no definition of its own */
}
END_TEST

static const char *started(const char *arn, const char *name) {
  static char out[200];
  json_t *v = call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", arn, "name", name), AEV_OK);
  snprintf(out, sizeof out, "%s", member(v, "executionArn"));
  json_decref(v);
  return out;
}

START_TEST(executions_of_a_version_run_its_revision) {
  create("STANDARD", RESULT("a"));
  publish(NULL);
  update(RESULT("b"));
  char by_version[200];
  snprintf(by_version, sizeof by_version, "%s", started(SM ":1", "x1"));
  started(SM, "x2");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *d = call("DescribeExecution", json_pack("{s:s}", "executionArn", by_version), AEV_OK);
  ck_assert_str_eq(member(d, "output"), "\"a\"");
  ck_assert_str_eq(member(d, "stateMachineVersionArn"), SM ":1");
  ck_assert_str_eq(member(d, "stateMachineArn"), SM);
  json_decref(d);
  json_t *l = call("ListExecutions", json_pack("{s:s}", "stateMachineArn", SM ":1"), AEV_OK);
  json_t *items = json_object_get(l, "executions");
  ck_assert_uint_eq(json_array_size(items), 1);
  ck_assert_str_eq(member(json_array_get(items, 0), "name"), "x1");
  ck_assert_str_eq(member(json_array_get(items, 0), "stateMachineVersionArn"), SM ":1");
  json_decref(l);
  l = call("ListExecutions", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK);
  items = json_object_get(l, "executions");
  ck_assert_uint_eq(json_array_size(items), 2);
  ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "stateMachineVersionArn"));
  json_decref(l);
  refused("ListExecutions", json_pack("{s:s}", "stateMachineArn", SM ":9"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
  refused("StartExecution", json_pack("{s:s}", "stateMachineArn", SM ":9"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
}
END_TEST

START_TEST(sync_executions_of_a_version) {
  create("EXPRESS", RESULT("a"));
  publish(NULL);
  update(RESULT("b"));
  json_t *v = call("StartSyncExecution", json_pack("{s:s}", "stateMachineArn", SM ":1"), AEV_OK);
  ck_assert_str_eq(member(v, "output"), "\"a\"");
  ck_assert_ptr_null(json_object_get(v, "stateMachineVersionArn")); /* not in AWS's answer */
  json_decref(v);
  refused("StartSyncExecution", json_pack("{s:s}", "stateMachineArn", SM ":2"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
}
END_TEST

START_TEST(deleting_versions) {
  create("STANDARD", RESULT("a"));
  publish(NULL);
  refused("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM), AEV_ERR_INVALID,
          "InvalidArn", "Invalid Arn: '" SM "'");
  ok("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM ":5"));
  ok("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM "other:1"));
  refused("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM "other"), AEV_ERR_INVALID,
          "InvalidArn", NULL);
  ck_assert_str_eq(versions(), "1");
  ok("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM ":1"));
  ck_assert_str_eq(versions(), "");
  refused("StartExecution", json_pack("{s:s}", "stateMachineArn", SM ":1"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
}
END_TEST

START_TEST(deleting_the_machine_deletes_its_versions) {
  create("STANDARD", RESULT("a"));
  publish(NULL);
  ok("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM));
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", SM ":1"), AEV_ERR_NOT_FOUND,
          "StateMachineDoesNotExist", NULL);
  create("STANDARD", RESULT("b"));
  ck_assert_str_eq(versions(), "");
  ck_assert_str_eq(publish(NULL), SM ":1");
}
END_TEST

START_TEST(versions_are_listed_in_pages) {
  create("STANDARD", RESULT("a"));
  publish(NULL);
  update(RESULT("b"));
  publish(NULL);
  update(RESULT("c"));
  publish(NULL);
  json_t *p1 = call("ListStateMachineVersions", json_pack("{s:s,s:i}", "stateMachineArn", SM, "maxResults", 2), AEV_OK);
  json_t *items = json_object_get(p1, "stateMachineVersions");
  ck_assert_uint_eq(json_array_size(items), 2);
  ck_assert_str_eq(member(json_array_get(items, 0), "stateMachineVersionArn"), SM ":3");
  ck_assert_str_eq(member(json_array_get(items, 1), "stateMachineVersionArn"), SM ":2");
  ck_assert_ptr_nonnull(member(p1, "nextToken"));
  json_t *p2 = call("ListStateMachineVersions",
                    json_pack("{s:s,s:i,s:s}", "stateMachineArn", SM, "maxResults", 2, "nextToken", member(p1, "nextToken")),
                    AEV_OK);
  items = json_object_get(p2, "stateMachineVersions");
  ck_assert_uint_eq(json_array_size(items), 1);
  ck_assert_str_eq(member(json_array_get(items, 0), "stateMachineVersionArn"), SM ":1");
  ck_assert_ptr_null(json_object_get(p2, "nextToken"));
  json_decref(p1);
  json_decref(p2);
  refused("ListStateMachineVersions", json_pack("{s:s,s:s}", "stateMachineArn", SM, "nextToken", "bogus"),
          AEV_ERR_INVALID, "InvalidToken", NULL);
}
END_TEST

/* ---- aliases ---- */

#define ROUTE(n, w) "{\"stateMachineVersionArn\":\"" SM ":" #n "\",\"weight\":" #w "}"

/* CreateStateMachineAlias name with the routing configuration's JSON. */
static json_t *alias_request(const char *name, const char *routes) {
  json_t *req = json_pack("{s:s,s:o}", "name", name, "routingConfiguration", json_loads(routes, 0, NULL));
  ck_assert_ptr_nonnull(req);
  return req;
}

/* Two versions, "a" and "b". */
static void two_versions(void) {
  create("STANDARD", RESULT("a"));
  publish(NULL);
  update(RESULT("b"));
  publish(NULL);
}

/* The aliases ListStateMachineAliases answers, by name. */
static char *alias_names(void) {
  return qualifiers("ListStateMachineAliases", "stateMachineAliases", "stateMachineAliasArn");
}

START_TEST(alias_lifecycle) {
  two_versions();
  ck_assert_str_eq(alias_names(), "");
  json_t *req = alias_request("live", "[" ROUTE(1, 100) "]");
  json_object_set_new(req, "description", json_string("first"));
  json_t *v = call("CreateStateMachineAlias", json_incref(req), AEV_OK);
  ck_assert_str_eq(member(v, "stateMachineAliasArn"), SM ":live");
  ck_assert_ptr_nonnull(json_object_get(v, "creationDate"));
  json_decref(v);
  ok("CreateStateMachineAlias", req); /* the same again: idempotent */
  static const char conflict[] =
      "Failed to create alias because an alias with the same name and a different routing configuration "
      "already exists.";
  refused("CreateStateMachineAlias", alias_request("live", "[" ROUTE(2, 100) "]"), AEV_ERR_EXISTS,
          "ConflictException", conflict);
  refused("CreateStateMachineAlias", alias_request("live", "[" ROUTE(1, 100) "]"), AEV_ERR_EXISTS,
          "ConflictException", conflict); /* another description */
  /* Refused updates leave the alias as it was. */
  refused("UpdateStateMachineAlias",
          json_pack("{s:s,s:o}", "stateMachineAliasArn", SM ":live", "routingConfiguration",
                    json_loads("[" ROUTE(1, 60) "," ROUTE(2, 30) "]", 0, NULL)),
          AEV_ERR_INVALID, "ValidationException", "Sum of routing configuration weights must equal 100. Received: [60, 30]");
  v = call("DescribeStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":live"), AEV_OK);
  ck_assert_str_eq(member(v, "description"), "first");
  json_t *want = json_loads("[" ROUTE(1, 100) "]", 0, NULL);
  ck_assert(json_equal(json_object_get(v, "routingConfiguration"), want));
  json_decref(want);
  json_decref(v);
  ok("CreateStateMachineAlias", alias_request("canary", "[" ROUTE(1, 90) "," ROUTE(2, 10) "]"));
  ck_assert_str_eq(alias_names(), "canary live");
  json_t *p1 = call("ListStateMachineAliases", json_pack("{s:s,s:i}", "stateMachineArn", SM, "maxResults", 1), AEV_OK);
  ck_assert_str_eq(member(json_array_get(json_object_get(p1, "stateMachineAliases"), 0), "stateMachineAliasArn"),
                   SM ":canary");
  json_t *p2 = call("ListStateMachineAliases", json_pack("{s:s,s:s}", "stateMachineArn", SM, "nextToken",
                                                         member(p1, "nextToken")), AEV_OK);
  ck_assert_str_eq(member(json_array_get(json_object_get(p2, "stateMachineAliases"), 0), "stateMachineAliasArn"),
                   SM ":live");
  ck_assert_ptr_null(json_object_get(p2, "nextToken"));
  json_decref(p1);
  json_decref(p2);
  v = call("DescribeStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":canary"), AEV_OK);
  want = json_loads("[" ROUTE(1, 90) "," ROUTE(2, 10) "]", 0, NULL);
  ck_assert(json_equal(json_object_get(v, "routingConfiguration"), want));
  ck_assert_str_eq(member(v, "name"), "canary");
  ck_assert_ptr_null(json_object_get(v, "description"));
  ck_assert_ptr_nonnull(json_object_get(v, "updateDate"));
  json_decref(v);
  json_decref(want);
  refused("UpdateStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":live"), AEV_ERR_INVALID,
          "ValidationException", NULL);
  ok("UpdateStateMachineAlias", json_pack("{s:s,s:s}", "stateMachineAliasArn", SM ":live", "description", "new"));
  req = json_pack("{s:s,s:o}", "stateMachineAliasArn", SM ":live", "routingConfiguration",
                  json_loads("[" ROUTE(2, 100) "]", 0, NULL));
  ok("UpdateStateMachineAlias", req);
  v = call("DescribeStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":live"), AEV_OK);
  ck_assert_str_eq(member(v, "description"), "new");
  ck_assert_str_eq(member(json_array_get(json_object_get(v, "routingConfiguration"), 0), "stateMachineVersionArn"),
                   SM ":2");
  json_decref(v);
  ok("DeleteStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":live"));
  ok("DeleteStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":live")); /* gone: still ok */
  ck_assert_str_eq(alias_names(), "canary");
  static const char missing[] = "Request references a resource that does not exist.";
  refused("UpdateStateMachineAlias", json_pack("{s:s,s:s}", "stateMachineAliasArn", SM ":live", "description", "x"),
          AEV_ERR_NOT_FOUND, "ResourceNotFound", missing);
  refused("DescribeStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":live"), AEV_ERR_NOT_FOUND,
          "ResourceNotFound", missing);
  refused("DescribeStateMachine", json_pack("{s:s}", "stateMachineArn", SM ":canary"), AEV_ERR_INVALID,
          "InvalidArn", "Invalid Arn: '" SM ":canary'");
  ok("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM));
  refused("DescribeStateMachineAlias", json_pack("{s:s}", "stateMachineAliasArn", SM ":canary"), AEV_ERR_NOT_FOUND,
          "ResourceNotFound", missing);
}
END_TEST

START_TEST(alias_routing_rules) {
  two_versions();
  static const char pattern[] =
      "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
      "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$";
  const char *bad_names[] = {"123", "INVALID ALIAS", "!INVALID", "ALIAS@"};
  for (size_t i = 0; i < 4; i++) {
    char msg[300];
    snprintf(msg, sizeof msg, "1 validation error detected: Value '%s%s", bad_names[i], pattern);
    refused("CreateStateMachineAlias", alias_request(bad_names[i], "[" ROUTE(1, 100) "]"), AEV_ERR_INVALID,
            "ValidationException", msg);
  }
  refused("CreateStateMachineAlias", alias_request("", "[" ROUTE(1, 100) "]"), AEV_ERR_INVALID,
          "ValidationException", NULL);
  refused("CreateStateMachineAlias", alias_request("x", "[" ROUTE(1, 70) "," ROUTE(2, 29) "]"), AEV_ERR_INVALID,
          "ValidationException", "Sum of routing configuration weights must equal 100. Received: [70, 29]");
  refused("CreateStateMachineAlias", alias_request("x", "[" ROUTE(1, 50) "," ROUTE(1, 50) "]"), AEV_ERR_INVALID,
          "ValidationException",
          "Routing configuration must contain distinct state machine version ARNs. Received: [" SM ":1, " SM ":1]");
  refused("CreateStateMachineAlias",
          alias_request("x", "[{\"stateMachineVersionArn\":\"" SM "\",\"weight\":50}," ROUTE(2, 50) "]"),
          AEV_ERR_INVALID, "ValidationException",
          "Routing configuration must contain state machine version ARNs. Received: [" SM ", " SM ":2]");
  refused("CreateStateMachineAlias", alias_request("x", "[" ROUTE(1, 101) "]"), AEV_ERR_INVALID,
          "ValidationException",
          "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy "
          "constraint: Member must have value less than or equal to 100");
  refused("CreateStateMachineAlias", alias_request("x", "[" ROUTE(1, -1) "]"), AEV_ERR_INVALID,
          "ValidationException", NULL);
  refused("CreateStateMachineAlias", alias_request("x", "[]"), AEV_ERR_INVALID, "ValidationException", NULL);
  refused("CreateStateMachineAlias", alias_request("x", "[" ROUTE(1, 50) "," ROUTE(2, 30) "," ROUTE(3, 20) "]"),
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=" SM
          ":1, weight=50), RoutingConfigurationListItem(stateMachineVersionArn=" SM
          ":2, weight=30), RoutingConfigurationListItem(stateMachineVersionArn=" SM
          ":3, weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less "
          "than or equal to 2");
  refused("CreateStateMachineAlias", alias_request("x", "[" ROUTE(9, 100) "]"), AEV_ERR_NOT_FOUND,
          "ResourceNotFound", NULL);
  ck_assert_str_eq(alias_names(), "");
}
END_TEST

/* Executions through an alias run the versions it routes to, in its
 * proportions (the broker's seeded generator draws them), and record it. */
START_TEST(executions_through_an_alias) {
  two_versions();
  ok("CreateStateMachineAlias", alias_request("split", "[" ROUTE(1, 70) "," ROUTE(2, 30) "]"));
  int on_first = 0;
  for (int i = 0; i < 1000; i++) {
    char name[16];
    snprintf(name, sizeof name, "r%d", i);
    json_t *d = call("DescribeExecution", json_pack("{s:s}", "executionArn", started(SM ":split", name)), AEV_OK);
    ck_assert_str_eq(member(d, "stateMachineAliasArn"), SM ":split");
    on_first += !strcmp(member(d, "stateMachineVersionArn"), SM ":1");
    json_decref(d);
  }
  ck_assert_msg(on_first > 640 && on_first < 760, "%d of 1000 on version 1", on_first);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  started(SM, "plain");
  json_t *l = call("ListExecutions", json_pack("{s:s,s:i}", "stateMachineArn", SM ":split", "maxResults", 1000),
                   AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(l, "executions")), 1000);
  ck_assert_str_eq(member(json_array_get(json_object_get(l, "executions"), 0), "stateMachineAliasArn"),
                   SM ":split");
  json_decref(l);
  refused("StartExecution", json_pack("{s:s}", "stateMachineArn", SM ":nope"), AEV_ERR_NOT_FOUND,
          "ResourceNotFound", NULL);
  /* A version an alias routes to cannot be deleted until it no longer does. */
  refused("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM ":1"), AEV_ERR_EXISTS,
          "ConflictException",
          "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this "
          "version: [split]");
  ok("UpdateStateMachineAlias", json_pack("{s:s,s:o}", "stateMachineAliasArn", SM ":split", "routingConfiguration",
                                          json_loads("[" ROUTE(2, 100) "]", 0, NULL)));
  ok("DeleteStateMachineVersion", json_pack("{s:s}", "stateMachineVersionArn", SM ":1"));
  ck_assert_str_eq(versions(), "2");
}
END_TEST

/* An EventBridge rule whose target is a version or an alias starts that
 * version (EventBridge calls StartExecution with the target's ARN). */
START_TEST(rule_targets_a_version_or_an_alias) {
  two_versions();
  ok("CreateStateMachineAlias", alias_request("live", "[" ROUTE(1, 100) "]"));
  json_decref(aev_test_call(b, "events", "PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"app\\\"]}\"}",
                            AEV_OK));
  json_decref(aev_test_call(b, "events", "PutTargets",
                            "{\"Rule\":\"r\",\"Targets\":[{\"Id\":\"a\",\"Arn\":\"" SM ":live\"},"
                            "{\"Id\":\"v\",\"Arn\":\"" SM ":2\"}]}",
                            AEV_OK));
  json_decref(aev_test_call(b, "events", "PutEvents",
                            "{\"Entries\":[{\"Source\":\"app\",\"DetailType\":\"t\",\"Detail\":\"{}\"}]}", AEV_OK));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  json_t *l = call("ListExecutions", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK);
  json_t *list = json_object_get(l, "executions");
  ck_assert_uint_eq(json_array_size(list), 2);
  int via_alias = 0, on_two = 0;
  for (size_t i = 0; i < 2; i++) {
    json_t *d = call("DescribeExecution",
                     json_pack("{s:s}", "executionArn", member(json_array_get(list, i), "executionArn")), AEV_OK);
    if (json_object_get(d, "stateMachineAliasArn")) {
      ck_assert_str_eq(member(d, "stateMachineAliasArn"), SM ":live");
      ck_assert_str_eq(member(d, "stateMachineVersionArn"), SM ":1");
      ck_assert_str_eq(member(d, "output"), "\"a\"");
      via_alias++;
    } else {
      ck_assert_str_eq(member(d, "stateMachineVersionArn"), SM ":2");
      ck_assert_str_eq(member(d, "output"), "\"b\"");
      on_two++;
    }
    json_decref(d);
  }
  ck_assert_int_eq(via_alias + 10 * on_two, 11);
  json_decref(l);
  /* the typed call EventBridge's target makes */
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start_arn(b, SM ":0", NULL, NULL, 0, &e), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidArn");
  ck_assert_int_eq(aev_machine_start_arn(b, SM "x:1", NULL, NULL, 0, &e), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "StateMachineDoesNotExist");
  ck_assert_int_eq(aev_machine_start_arn(b, SM ":2", "typed", NULL, 0, &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  char *out = NULL;
  ck_assert_int_eq(aev_execution_output(e, &out), AEV_OK);
  ck_assert_str_eq(out, "\"b\"");
  aev_free(out);
  aev_execution_release(e);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_versions");
  TCase *tc = tcase_create("versions");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, numbers_count_from_one_and_are_never_reused);
  tcase_add_test(tc, revision_id_and_description_must_match);
  tcase_add_test(tc, a_thousand_versions_at_most);
  tcase_add_test(tc, create_and_update_publish);
  tcase_add_test(tc, unchanged_update_keeps_the_revision);
  tcase_add_test(tc, describe_answers_the_version);
  tcase_add_test(tc, executions_of_a_version_run_its_revision);
  tcase_add_test(tc, sync_executions_of_a_version);
  tcase_add_test(tc, deleting_versions);
  tcase_add_test(tc, deleting_the_machine_deletes_its_versions);
  tcase_add_test(tc, versions_are_listed_in_pages);
  tcase_add_test(tc, alias_lifecycle);
  tcase_add_test(tc, alias_routing_rules);
  tcase_add_test(tc, executions_through_an_alias);
  tcase_add_test(tc, rule_targets_a_version_or_an_alias);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
