/* EventBridge global endpoints through aev_call on the manual clock: the
 * shapes AWS answers, states that settle on the broker's clock (CREATING,
 * UPDATING and DELETING two seconds on), CREATE_FAILED and UPDATE_FAILED
 * when the primary Region's bus is missing, ListEndpoints' NamePrefix,
 * HomeRegion and paging, PutEvents' EndpointId, and every refusal, which
 * stores and changes nothing. The broker is us-east-1, account
 * 000000000000. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

static aev_broker *b;

#define HC "arn:aws:route53:::healthcheck/7f4243fa-ce7e-493b-b3de-4d2058e52ce7"
#define ROLE "arn:aws:iam::000000000000:role/service-role/replication"
#define BUS(region, name) "arn:aws:events:" region ":000000000000:event-bus/" name

static void setup(void) {
  b = bt_broker();
  json_decref(aev_test_call(b, "events", "CreateEventBus", "{\"Name\":\"prod\"}", AEV_OK));
}

static void teardown(void) {
  aev_broker_destroy(b);
}

/* A CreateEndpoint request for name: buses named bus in us-east-1 and
 * us-east-2, routing to us-east-2, replication on with a role; a member of
 * extra (stolen; NULL: none) replaces or adds to those, a JSON null drops it. */
static json_t *request(const char *name, const char *bus, json_t *extra) {
  char primary[128], secondary[128];
  snprintf(primary, sizeof primary, BUS("us-east-1", "%s"), bus);
  snprintf(secondary, sizeof secondary, BUS("us-east-2", "%s"), bus);
  json_t *r = json_pack("{s:s,s:{s:{s:{s:s},s:{s:s}}},s:[{s:s},{s:s}],s:s}", "Name", name,
                        "RoutingConfig", "FailoverConfig", "Primary", "HealthCheck", HC,
                        "Secondary", "Route", "us-east-2", "EventBuses", "EventBusArn", primary,
                        "EventBusArn", secondary, "RoleArn", ROLE);
  const char *k;
  json_t *v;
  json_object_foreach(extra, k, v) {
    if (json_is_null(v)) json_object_del(r, k);
    else json_object_set(r, k, v);
  }
  json_decref(extra);
  return r;
}

static json_t *create(const char *name, const char *bus) {
  return aev_test_call_req(b, "events", "CreateEndpoint", request(name, bus, NULL), AEV_OK);
}

static json_t *describe(const char *name) {
  json_t *r = json_pack("{s:s}", "Name", name);
  return aev_test_call_req(b, "events", "DescribeEndpoint", r, AEV_OK);
}

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void assert_state(const char *name, const char *state) {
  json_t *d = describe(name);
  ck_assert_str_eq(str(d, "State"), state);
  json_decref(d);
}

static size_t listed(void) {
  json_t *l = aev_test_call(b, "events", "ListEndpoints", "{}", AEV_OK);
  size_t n = json_array_size(json_object_get(l, "Endpoints"));
  json_decref(l);
  return n;
}

START_TEST(create_answers_creating_then_active_two_seconds_on) {
  json_t *c = create("ep", "prod");
  /* CreateEndpoint's answer (the AWS CLI's create-endpoint example): the
   * configuration and State, no EndpointId nor times. */
  char *text = json_dumps(c, JSON_COMPACT);
  bt_json_eq(text,
             "{\"Name\":\"ep\",\"Arn\":\"arn:aws:events:us-east-1:000000000000:endpoint/ep\","
             "\"RoutingConfig\":{\"FailoverConfig\":{\"Primary\":{\"HealthCheck\":\"" HC "\"},"
             "\"Secondary\":{\"Route\":\"us-east-2\"}}},\"ReplicationConfig\":{\"State\":"
             "\"ENABLED\"},\"EventBuses\":[{\"EventBusArn\":\"" BUS("us-east-1", "prod") "\"},"
             "{\"EventBusArn\":\"" BUS("us-east-2", "prod") "\"}],\"RoleArn\":\"" ROLE "\","
             "\"State\":\"CREATING\"}");
  free(text);
  json_decref(c);

  json_t *d = describe("ep");
  const char *id = str(d, "EndpointId");
  ck_assert_uint_eq(strlen(id), 14);
  ck_assert_uint_eq(strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789"), 10);
  ck_assert_str_eq(id + 10, ".veo");
  char url[128];
  snprintf(url, sizeof url, "https://%s.endpoint.events.amazonaws.com", id);
  ck_assert_str_eq(str(d, "EndpointUrl"), url);
  ck_assert_str_eq(str(d, "State"), "CREATING");
  ck_assert_ptr_null(json_object_get(d, "StateReason"));
  int64_t created = json_integer_value(json_object_get(d, "CreationTime"));
  ck_assert_int_eq(created, aev_broker_now_ms(b) / 1000);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "LastModifiedTime")), created);

  bt_ok(aev_broker_advance(b, 1999));
  assert_state("ep", "CREATING");
  bt_ok(aev_broker_advance(b, 1));
  json_t *a = describe("ep");
  ck_assert_str_eq(str(a, "State"), "ACTIVE");
  ck_assert_str_eq(str(a, "EndpointId"), id);
  ck_assert_int_eq(json_integer_value(json_object_get(a, "CreationTime")), created);
  ck_assert_int_eq(json_integer_value(json_object_get(a, "LastModifiedTime")), created + 2);
  json_decref(a);
  json_decref(d);
}
END_TEST

/* A refused CreateEndpoint: request(name "ep", bus "prod", extra) fails with
 * code and message, and no endpoint is stored. */
static void refused(json_t *extra, const char *code, const char *message) {
  aev_test_call_req_fails(b, "events", "CreateEndpoint", request("ep", "prod", extra),
                          AEV_ERR_INVALID, code, message);
  ck_assert_uint_eq(listed(), 0);
}

#define V1 "1 validation error detected: "

START_TEST(model_constraints_refuse_and_store_nothing) {
  refused(json_pack("{s:n,s:n}", "RoutingConfig", "EventBuses"), "ValidationException",
          "2 validation errors detected: Value null at 'routingConfig' failed to satisfy "
          "constraint: Member must not be null; Value null at 'eventBuses' failed to satisfy "
          "constraint: Member must not be null");
  refused(json_pack("{s:s}", "Name", "e p"), "ValidationException",
          V1 "Value 'e p' at 'name' failed to satisfy constraint: Member must satisfy regular "
             "expression pattern: [\\.\\-_A-Za-z0-9]+");
  char long_name[70];
  memset(long_name, 'n', 65);
  long_name[65] = 0;
  char msg[400];
  snprintf(msg, sizeof msg,
           V1 "Value '%s' at 'name' failed to satisfy constraint: Member must have length less "
              "than or equal to 64",
           long_name);
  refused(json_pack("{s:s}", "Name", long_name), "ValidationException", msg);
  char description[514];
  memset(description, 'd', 513);
  description[513] = 0;
  refused(json_pack("{s:s}", "Description", description), "ValidationException", NULL);
  refused(json_pack("{s:{s:{s:{s:s},s:{s:s}}}}", "RoutingConfig", "FailoverConfig", "Primary",
                    "HealthCheck", "arn:aws:route53:::hc/x", "Secondary", "Route",
                    "us-east-2-and-far-away"),
          "ValidationException",
          "2 validation errors detected: Value 'arn:aws:route53:::hc/x' at "
          "'routingConfig.failoverConfig.primary.healthCheck' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: "
          "^arn:aws([a-z]|\\-)*:route53:::healthcheck/[\\-a-z0-9]+$; Value "
          "'us-east-2-and-far-away' at 'routingConfig.failoverConfig.secondary.route' failed to "
          "satisfy constraint: Member must have length less than or equal to 20");
  refused(json_pack("{s:{s:{s:{}}}}", "RoutingConfig", "FailoverConfig", "Primary"),
          "ValidationException",
          "2 validation errors detected: Value null at "
          "'routingConfig.failoverConfig.primary.healthCheck' failed to satisfy constraint: "
          "Member must not be null; Value null at 'routingConfig.failoverConfig.secondary' "
          "failed to satisfy constraint: Member must not be null");
  refused(json_pack("{s:{s:s}}", "ReplicationConfig", "State", "ON"), "ValidationException",
          V1 "Value 'ON' at 'replicationConfig.state' failed to satisfy constraint: Member must "
             "satisfy enum value set: [ENABLED, DISABLED]");
  refused(json_pack("{s:[{s:s}]}", "EventBuses", "EventBusArn", BUS("us-east-1", "prod")),
          "ValidationException", NULL);
  refused(json_pack("{s:[{s:s},{s:s},{s:s}]}", "EventBuses", "EventBusArn",
                    BUS("us-east-1", "prod"), "EventBusArn", BUS("us-east-2", "prod"),
                    "EventBusArn", BUS("us-west-2", "prod")),
          "ValidationException", NULL);
  refused(json_pack("{s:[{s:s},{}]}", "EventBuses", "EventBusArn", "prod"), "ValidationException",
          "2 validation errors detected: Value 'prod' at 'eventBuses.1.member.eventBusArn' "
          "failed to satisfy constraint: Member must satisfy regular expression pattern: "
          "^arn:aws[a-z-]*:events:[a-z]+-[a-z-]+-\\d+:\\d{12}:event-bus/[\\w.-]+$; Value null "
          "at 'eventBuses.2.member.eventBusArn' failed to satisfy constraint: Member must not "
          "be null");
  refused(json_pack("{s:s}", "RoleArn", "arn:aws:iam::1:role/r"), "ValidationException",
          V1 "Value 'arn:aws:iam::1:role/r' at 'roleArn' failed to satisfy constraint: Member "
             "must satisfy regular expression pattern: "
             "^arn:aws[a-z-]*:iam::\\d{12}:role\\/[\\w+=,.@/-]+$");
  refused(json_pack("{s:s}", "RoutingConfig", "x"), "ValidationException",
          V1 "Value at 'routingConfig' failed to satisfy constraint: Member must be an object");
}
END_TEST

/* An EventBuses pair for the refusals below. */
static json_t *buses(const char *a, const char *b2) {
  return json_pack("{s:[{s:s},{s:s}]}", "EventBuses", "EventBusArn", a, "EventBusArn", b2);
}

START_TEST(what_an_endpoint_is_refuses_and_stores_nothing) {
  refused(buses(BUS("us-east-1", "prod"), BUS("us-east-1", "prod")), "ValidationException",
          "EventBuses must be in two different Regions: both are in us-east-1.");
  refused(buses(BUS("us-east-1", "prod"), BUS("us-east-2", "other")), "ValidationException",
          "EventBuses must have the same name in both Regions: prod and other differ.");
  refused(buses(BUS("us-east-1", "prod"), "arn:aws:events:us-east-2:111111111111:event-bus/prod"),
          "ValidationException", "EventBuses must be in this account, 000000000000.");
  refused(buses(BUS("us-west-2", "prod"), BUS("us-east-2", "prod")), "ValidationException",
          "One of the EventBuses must be in the endpoint's primary Region, us-east-1.");
  refused(json_pack("{s:{s:{s:{s:s},s:{s:s}}}}", "RoutingConfig", "FailoverConfig", "Primary",
                    "HealthCheck", HC, "Secondary", "Route", "us-west-2"),
          "ValidationException",
          "Secondary Route us-west-2 must be the Region of the other event bus, us-east-2.");
  const char *no_role = "RoleArn is required when event replication is ENABLED (the default): "
                        "give a RoleArn, or set ReplicationConfig State to DISABLED.";
  refused(json_pack("{s:n}", "RoleArn"), "ValidationException", no_role);
  refused(json_pack("{s:n,s:{s:s}}", "RoleArn", "ReplicationConfig", "State", "ENABLED"),
          "ValidationException", no_role);
}
END_TEST

START_TEST(replication_disabled_needs_no_role) {
  json_t *c = aev_test_call_req(
      b, "events", "CreateEndpoint",
      request("ep", "prod",
              json_pack("{s:n,s:{s:s},s:s}", "RoleArn", "ReplicationConfig", "State", "DISABLED",
                        "Description", "no replication")),
      AEV_OK);
  ck_assert_str_eq(str(json_object_get(c, "ReplicationConfig"), "State"), "DISABLED");
  ck_assert_ptr_null(json_object_get(c, "RoleArn"));
  ck_assert_ptr_null(json_object_get(c, "Description"));
  json_decref(c);
  json_t *d = describe("ep");
  ck_assert_str_eq(str(d, "Description"), "no replication");
  json_decref(d);
}
END_TEST

START_TEST(same_name_already_exists_and_changes_nothing) {
  json_decref(create("ep", "prod"));
  json_t *before = describe("ep");
  aev_test_call_req_fails(b, "events", "CreateEndpoint",
                          request("ep", "prod", json_pack("{s:s}", "Description", "second")),
                          AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                          "Endpoint ep already exists.");
  json_t *after = describe("ep");
  ck_assert(json_equal(before, after));
  ck_assert_uint_eq(listed(), 1);
  json_decref(before);
  json_decref(after);
}
END_TEST

START_TEST(missing_primary_bus_fails_creation_then_update_mends_it) {
  json_decref(create("ep", "orders"));
  bt_ok(aev_broker_advance(b, 2000));
  json_t *d = describe("ep");
  ck_assert_str_eq(str(d, "State"), "CREATE_FAILED");
  ck_assert_str_eq(str(d, "StateReason"), "Event bus orders does not exist.");
  char put[256];
  snprintf(put, sizeof put,
           "{\"EndpointId\":\"%s\",\"Entries\":[{\"Source\":\"a\",\"DetailType\":\"t\","
           "\"Detail\":\"{}\"}]}",
           str(d, "EndpointId"));
  aev_test_call_fails(b, "events", "PutEvents", put, AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", NULL);
  json_decref(d);

  json_decref(aev_test_call(b, "events", "CreateEventBus", "{\"Name\":\"orders\"}", AEV_OK));
  /* A failed endpoint's update is a new attempt, Description alone too. */
  json_t *u = aev_test_call(b, "events", "UpdateEndpoint",
                            "{\"Name\":\"ep\",\"Description\":\"again\"}", AEV_OK);
  ck_assert_str_eq(str(u, "State"), "UPDATING");
  json_decref(u);
  bt_ok(aev_broker_advance(b, 2000));
  json_t *a = describe("ep");
  ck_assert_str_eq(str(a, "State"), "ACTIVE");
  ck_assert_ptr_null(json_object_get(a, "StateReason"));
  json_decref(a);
  json_decref(aev_test_call(b, "events", "PutEvents", put, AEV_OK));
}
END_TEST

START_TEST(updates_settle_on_the_clock) {
  json_decref(create("ep", "prod"));
  aev_test_call_fails(b, "events", "UpdateEndpoint", "{\"Name\":\"ep\",\"Description\":\"x\"}",
                      AEV_ERR_STATE, "ConcurrentModificationException",
                      "Endpoint ep is CREATING: another change can start once it has ended.");
  bt_ok(aev_broker_advance(b, 5000));

  /* The Description alone: still ACTIVE (the AWS CLI's update-endpoint
   * example), with UpdateEndpoint's shape. */
  json_t *u = aev_test_call(b, "events", "UpdateEndpoint",
                            "{\"Name\":\"ep\",\"Description\":\"test endpoint\"}", AEV_OK);
  ck_assert_str_eq(str(u, "State"), "ACTIVE");
  ck_assert_ptr_nonnull(json_object_get(u, "EndpointId"));
  ck_assert_ptr_nonnull(json_object_get(u, "EndpointUrl"));
  ck_assert_ptr_null(json_object_get(u, "Description"));
  ck_assert_ptr_null(json_object_get(u, "CreationTime"));
  json_decref(u);
  json_t *d = describe("ep");
  ck_assert_str_eq(str(d, "Description"), "test endpoint");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "LastModifiedTime")),
                   aev_broker_now_ms(b) / 1000);
  json_decref(d);

  /* A refused update changes nothing: a Route that is not the other bus's
   * Region, then a bad HealthCheck. */
  json_t *before = describe("ep");
  aev_test_call_fails(
      b, "events", "UpdateEndpoint",
      "{\"Name\":\"ep\",\"RoutingConfig\":{\"FailoverConfig\":{\"Primary\":{\"HealthCheck\":\"" HC
      "\"},\"Secondary\":{\"Route\":\"us-west-2\"}}}}",
      AEV_ERR_INVALID, "ValidationException",
      "Secondary Route us-west-2 must be the Region of the other event bus, us-east-2.");
  aev_test_call_fails(b, "events", "UpdateEndpoint",
                      "{\"Name\":\"ep\",\"Description\":\"y\",\"RoutingConfig\":{"
                      "\"FailoverConfig\":{\"Primary\":{\"HealthCheck\":\"hc\"},\"Secondary\":{"
                      "\"Route\":\"us-west-2\"}}}}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
  json_t *after = describe("ep");
  ck_assert(json_equal(before, after));
  json_decref(before);
  json_decref(after);

  /* Moving the secondary Region: UPDATING, then ACTIVE with the new one. */
  u = aev_test_call(
      b, "events", "UpdateEndpoint",
      "{\"Name\":\"ep\",\"RoutingConfig\":{\"FailoverConfig\":{\"Primary\":{\"HealthCheck\":\"" HC
      "\"},\"Secondary\":{\"Route\":\"us-west-2\"}}},\"EventBuses\":[{\"EventBusArn\":\"" BUS(
          "us-east-1", "prod") "\"},{\"EventBusArn\":\"" BUS("us-west-2", "prod") "\"}]}",
      AEV_OK);
  ck_assert_str_eq(str(u, "State"), "UPDATING");
  json_decref(u);
  aev_test_call_fails(b, "events", "DeleteEndpoint", "{\"Name\":\"ep\"}", AEV_ERR_STATE,
                      "ConcurrentModificationException",
                      "Endpoint ep is UPDATING: another change can start once it has ended.");
  bt_ok(aev_broker_advance(b, 2000));
  d = describe("ep");
  ck_assert_str_eq(str(d, "State"), "ACTIVE");
  ck_assert_str_eq(
      str(json_object_get(json_object_get(json_object_get(d, "RoutingConfig"), "FailoverConfig"),
                          "Secondary"),
          "Route"),
      "us-west-2");
  ck_assert_str_eq(str(d, "Description"), "test endpoint");
  json_decref(d);

  aev_test_call_fails(b, "events", "UpdateEndpoint", "{\"Name\":\"nope\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Endpoint nope does not exist.");
  aev_test_call_fails(b, "events", "UpdateEndpoint", "{}", AEV_ERR_INVALID, "ValidationException",
                      V1 "Value null at 'name' failed to satisfy constraint: Member must not be "
                         "null");
}
END_TEST

START_TEST(update_to_a_missing_bus_fails_and_keeps_taking_events) {
  json_decref(create("ep", "prod"));
  bt_ok(aev_broker_advance(b, 2000));
  json_decref(aev_test_call(b, "events", "DeleteEventBus", "{\"Name\":\"prod\"}", AEV_OK));
  json_decref(aev_test_call(b, "events", "UpdateEndpoint",
                            "{\"Name\":\"ep\",\"ReplicationConfig\":{\"State\":\"DISABLED\"}}",
                            AEV_OK));
  bt_ok(aev_broker_advance(b, 2000));
  json_t *d = describe("ep");
  ck_assert_str_eq(str(d, "State"), "UPDATE_FAILED");
  ck_assert_str_eq(str(d, "StateReason"), "Event bus prod does not exist.");
  char put[256];
  snprintf(put, sizeof put,
           "{\"EndpointId\":\"%s\",\"Entries\":[{\"Source\":\"a\",\"DetailType\":\"t\","
           "\"Detail\":\"{}\"}]}",
           str(d, "EndpointId"));
  json_decref(aev_test_call(b, "events", "PutEvents", put, AEV_OK));
  json_decref(d);
}
END_TEST

START_TEST(delete_goes_deleting_then_gone) {
  json_decref(create("ep", "prod"));
  bt_ok(aev_broker_advance(b, 2000));
  json_t *d = describe("ep");
  char id[64];
  snprintf(id, sizeof id, "%s", str(d, "EndpointId"));
  json_decref(d);
  json_t *r = aev_test_call(b, "events", "DeleteEndpoint", "{\"Name\":\"ep\"}", AEV_OK);
  ck_assert_uint_eq(json_object_size(r), 0);
  json_decref(r);
  assert_state("ep", "DELETING");
  ck_assert_uint_eq(listed(), 1);
  aev_test_call_fails(b, "events", "DeleteEndpoint", "{\"Name\":\"ep\"}", AEV_ERR_STATE,
                      "ConcurrentModificationException", NULL);
  aev_test_call_req_fails(b, "events", "CreateEndpoint", request("ep", "prod", NULL),
                          AEV_ERR_EXISTS, "ResourceAlreadyExistsException", NULL);
  char put[256];
  snprintf(put, sizeof put,
           "{\"EndpointId\":\"%s\",\"Entries\":[{\"Source\":\"a\",\"DetailType\":\"t\","
           "\"Detail\":\"{}\"}]}",
           id);
  aev_test_call_fails(b, "events", "PutEvents", put, AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", NULL);

  bt_ok(aev_broker_advance(b, 2000));
  aev_test_call_fails(b, "events", "DescribeEndpoint", "{\"Name\":\"ep\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Endpoint ep does not exist.");
  aev_test_call_fails(b, "events", "DeleteEndpoint", "{\"Name\":\"ep\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Endpoint ep does not exist.");
  ck_assert_uint_eq(listed(), 0);
  json_decref(create("ep", "prod"));
  d = describe("ep");
  ck_assert_str_ne(str(d, "EndpointId"), id);
  json_decref(d);
}
END_TEST

START_TEST(describe_home_region) {
  json_decref(create("ep", "prod"));
  json_decref(aev_test_call(b, "events", "DescribeEndpoint",
                            "{\"Name\":\"ep\",\"HomeRegion\":\"us-east-1\"}", AEV_OK));
  aev_test_call_fails(b, "events", "DescribeEndpoint",
                      "{\"Name\":\"ep\",\"HomeRegion\":\"us-west-2\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Endpoint ep does not exist.");
  aev_test_call_fails(b, "events", "DescribeEndpoint", "{\"Name\":\"ep\",\"HomeRegion\":\"us\"}",
                      AEV_ERR_INVALID, "ValidationException",
                      V1 "Value 'us' at 'homeRegion' failed to satisfy constraint: Member must "
                         "have length greater than or equal to 9");
  aev_test_call_fails(b, "events", "DescribeEndpoint", "{\"Name\":\"e p\"}", AEV_ERR_INVALID,
                      "ValidationException", NULL);
}
END_TEST

static json_t *list(const char *req) {
  return aev_test_call(b, "events", "ListEndpoints", req, AEV_OK);
}

static const char *name_at(json_t *l, size_t i) {
  return str(json_array_get(json_object_get(l, "Endpoints"), i), "Name");
}

START_TEST(list_by_prefix_home_region_and_pages) {
  json_decref(create("b1", "prod"));
  json_decref(create("a2", "prod"));
  json_decref(create("a1", "prod"));
  json_t *l = list("{\"NamePrefix\":\"a\"}");
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Endpoints")), 2);
  ck_assert_str_eq(name_at(l, 0), "a1");
  ck_assert_str_eq(name_at(l, 1), "a2");
  ck_assert_str_eq(str(json_array_get(json_object_get(l, "Endpoints"), 0), "State"), "CREATING");
  json_decref(l);
  l = list("{\"HomeRegion\":\"us-west-2\"}");
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Endpoints")), 0);
  json_decref(l);

  l = list("{\"MaxResults\":2,\"HomeRegion\":\"us-east-1\"}");
  ck_assert_str_eq(name_at(l, 1), "a2");
  char next[200];
  snprintf(next, sizeof next, "{\"MaxResults\":2,\"NextToken\":\"%s\"}", str(l, "NextToken"));
  json_decref(l);
  l = list(next);
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Endpoints")), 1);
  ck_assert_str_eq(name_at(l, 0), "b1");
  ck_assert_ptr_null(json_object_get(l, "NextToken"));
  json_decref(l);

  aev_test_call_fails(b, "events", "ListEndpoints", "{\"MaxResults\":0}", AEV_ERR_INVALID,
                      "ValidationException",
                      V1 "Value '0' at 'maxResults' failed to satisfy constraint: Member must "
                         "have value greater than or equal to 1");
  aev_test_call_fails(b, "events", "ListEndpoints", "{\"NextToken\":\"bogus\"}", AEV_ERR_INVALID,
                      "ValidationException", "The NextToken provided is invalid or has expired.");
  aev_test_call_fails(b, "events", "ListEndpoints", "{\"NamePrefix\":\"a b\"}", AEV_ERR_INVALID,
                      "ValidationException", NULL);
}
END_TEST

START_TEST(put_events_through_an_endpoint) {
  aev_bus *prod;
  bt_ok(aev_bus_get(b, "prod", &prod));
  aev_queue *q = bt_queue(b, "q", NULL);
  bt_rule(prod, "r", "orders", bt_queue_target(q, "t", NULL));
  json_decref(create("ep", "prod"));
  json_t *d = describe("ep");
  char id[64], put[300];
  snprintf(id, sizeof id, "%s", str(d, "EndpointId"));
  json_decref(d);
  snprintf(put, sizeof put,
           "{\"EndpointId\":\"%s\",\"Entries\":[{\"Source\":\"orders\",\"DetailType\":\"t\","
           "\"Detail\":\"{\\\"n\\\":1}\",\"EventBusName\":\"prod\"}]}",
           id);
  /* Not yet: an endpoint takes events once it is ACTIVE. */
  char msg[200];
  snprintf(msg, sizeof msg, "Endpoint ep (EndpointId %s) is CREATING: it takes events once ACTIVE.",
           id);
  aev_test_call_fails(b, "events", "PutEvents", put, AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", msg);
  bt_ok(aev_broker_advance(b, 2000));
  ck_assert_ptr_null(bt_take(q));

  json_t *r = aev_test_call(b, "events", "PutEvents", put, AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(r, "FailedEntryCount")), 0);
  json_decref(r);
  bt_ok(aev_broker_advance(b, 1000));
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(body);
  json_t *event = json_loads(body, 0, NULL);
  ck_assert_str_eq(str(event, "source"), "orders");
  ck_assert_str_eq(str(event, "region"), "us-east-1");
  json_decref(event);
  free(body);

  aev_test_call_fails(b, "events", "PutEvents",
                      "{\"EndpointId\":\"abcde.veo\",\"Entries\":[{\"Source\":\"orders\","
                      "\"DetailType\":\"t\",\"Detail\":\"{}\",\"EventBusName\":\"prod\"}]}",
                      AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                      "No endpoint has the EndpointId abcde.veo.");
  aev_test_call_fails(b, "events", "PutEvents",
                      "{\"EndpointId\":\"abcde\",\"Entries\":[{\"Source\":\"orders\","
                      "\"DetailType\":\"t\",\"Detail\":\"{}\",\"EventBusName\":\"prod\"}]}",
                      AEV_ERR_INVALID, "ValidationException",
                      V1 "Value 'abcde' at 'endpointId' failed to satisfy constraint: Member "
                         "must satisfy regular expression pattern: "
                         "^[A-Za-z0-9\\-]+[\\.][A-Za-z0-9\\-]+$");
  bt_ok(aev_broker_advance(b, 1000));
  ck_assert_ptr_null(bt_take(q));
  aev_queue_release(q);
  aev_bus_release(prod);
}
END_TEST

/* In China the partition is aws-cn and endpoints end in amazonaws.com.cn;
 * the broker's own account and Region are the endpoint's. */
START_TEST(china_partition_and_another_account) {
  aev_broker_options *o;
  aev_broker *cn;
  bt_ok(aev_broker_options_new(&o));
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  bt_ok(aev_broker_options_set_region(o, "cn-north-1"));
  bt_ok(aev_broker_options_set_account(o, "123456789012"));
  bt_ok(aev_broker_new(o, &cn));
  aev_broker_options_free(o);
  json_t *c = aev_test_call(
      cn, "events", "CreateEndpoint",
      "{\"Name\":\"ep\",\"RoutingConfig\":{\"FailoverConfig\":{\"Primary\":{\"HealthCheck\":"
      "\"arn:aws-cn:route53:::healthcheck/abc\"},\"Secondary\":{\"Route\":\"cn-northwest-1\"}}},"
      "\"EventBuses\":[{\"EventBusArn\":\"arn:aws-cn:events:cn-northwest-1:123456789012:event-bus/"
      "default\"},{\"EventBusArn\":\"arn:aws-cn:events:cn-north-1:123456789012:event-bus/default\"}"
      "],\"ReplicationConfig\":{\"State\":\"DISABLED\"}}",
      AEV_OK);
  ck_assert_str_eq(str(c, "Arn"), "arn:aws-cn:events:cn-north-1:123456789012:endpoint/ep");
  json_decref(c);
  json_t *d = aev_test_call(cn, "events", "DescribeEndpoint", "{\"Name\":\"ep\"}", AEV_OK);
  const char *url = str(d, "EndpointUrl");
  ck_assert_str_eq(url + strlen(url) - strlen(".endpoint.events.amazonaws.com.cn"),
                   ".endpoint.events.amazonaws.com.cn");
  json_decref(d);
  aev_broker_destroy(cn);
}
END_TEST

START_TEST(members_of_the_wrong_type) {
  refused(json_pack("{s:s}", "EventBuses", "prod"), "ValidationException",
          V1 "Value at 'eventBuses' failed to satisfy constraint: Member must be a list");
  refused(json_pack("{s:[s,s]}", "EventBuses", "a", "b"), "ValidationException",
          V1 "Value at 'eventBuses.1.member' failed to satisfy constraint: Member must be an "
             "object");
  refused(json_pack("{s:{s:i}}", "ReplicationConfig", "State", 1), "ValidationException",
          V1 "Value at 'replicationConfig.state' failed to satisfy constraint: Member must be a "
             "string");
  refused(json_pack("{s:i}", "Name", 7), "ValidationException", NULL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_endpoints");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_answers_creating_then_active_two_seconds_on);
  tcase_add_test(tc, model_constraints_refuse_and_store_nothing);
  tcase_add_test(tc, what_an_endpoint_is_refuses_and_stores_nothing);
  tcase_add_test(tc, replication_disabled_needs_no_role);
  tcase_add_test(tc, same_name_already_exists_and_changes_nothing);
  tcase_add_test(tc, missing_primary_bus_fails_creation_then_update_mends_it);
  tcase_add_test(tc, updates_settle_on_the_clock);
  tcase_add_test(tc, update_to_a_missing_bus_fails_and_keeps_taking_events);
  tcase_add_test(tc, delete_goes_deleting_then_gone);
  tcase_add_test(tc, describe_home_region);
  tcase_add_test(tc, list_by_prefix_home_region_and_pages);
  tcase_add_test(tc, put_events_through_an_endpoint);
  tcase_add_test(tc, china_partition_and_another_account);
  tcase_add_test(tc, members_of_the_wrong_type);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
