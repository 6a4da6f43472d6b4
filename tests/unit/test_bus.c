/* Buses and rules: the default bus, custom buses, PutRule / DescribeRule /
 * ListRules / DeleteRule / EnableRule / DisableRule, the broker's rule
 * quota, Detail checks, the envelope's strings, the typed listings' pages,
 * and every validation error with AWS's wording. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

static aev_broker *b;
static aev_bus *def;

static void setup(void) {
  b = bt_broker();
  bt_ok(aev_bus_get(b, "default", &def));
}

static void teardown(void) {
  aev_bus_release(def);
  aev_broker_destroy(b);
}

START_TEST(default_bus_exists_and_cannot_go) {
  ck_assert_str_eq(aev_bus_arn(def),
                   "arn:aws:events:us-east-1:000000000000:event-bus/default");
  aev_bus *again;
  bt_ok(aev_bus_get(b, NULL, &again));
  ck_assert_ptr_eq(again, def);
  aev_bus_release(again);
  bt_fails(aev_bus_delete(def), AEV_ERR_INVALID, "ValidationException",
           "Cannot delete event bus default.");
  bt_fails(aev_bus_create(b, "default", &again), AEV_ERR_EXISTS,
           "ResourceAlreadyExistsException",
           "Event bus default already exists.");
  /* Another account's or region's default bus is not this account's. */
  bt_ok(aev_bus_get(b, "arn:aws:events:us-east-1:000000000000:event-bus/default", &again));
  ck_assert_ptr_eq(again, def);
  aev_bus_release(again);
  bt_fails(aev_bus_get(b, "arn:aws:events:us-east-1:111111111111:event-bus/default", &again),
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Event bus default does not exist.");
  bt_fails(aev_bus_get(b, "arn:aws:events:eu-west-1:000000000000:event-bus/default", &again),
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Event bus default does not exist.");
}
END_TEST

START_TEST(custom_buses) {
  aev_bus *bus, *same;
  bt_ok(aev_bus_create(b, "orders", &bus));
  ck_assert_str_eq(aev_bus_name(bus), "orders");
  bt_ok(aev_bus_get(b, "arn:aws:events:us-east-1:000000000000:event-bus/orders",
                    &same));
  ck_assert_ptr_eq(same, bus);
  aev_bus_release(same);
  bt_fails(aev_bus_create(b, "orders", &same), AEV_ERR_EXISTS,
           "ResourceAlreadyExistsException", "Event bus orders already exists.");
  bt_fails(aev_bus_create(b, "bad name", &same), AEV_ERR_INVALID,
           "ValidationException",
           "1 validation error detected: Value 'bad name' at 'name' failed to "
           "satisfy constraint: Member must satisfy regular expression "
           "pattern: [/\\.\\-_A-Za-z0-9]+");
  /* AWS: custom event bus names can't contain '/' (only partner buses). */
  bt_fails(aev_bus_create(b, "team/orders", &same), AEV_ERR_INVALID,
           "ValidationException", "Event bus name must not contain '/'.");
  bt_fails(aev_bus_get(b, "team/orders", &same), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException", "Event bus team/orders does not exist.");
  bt_ok(aev_bus_delete(bus));
  bt_fails(aev_bus_put_rule(bus, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
           "Event bus orders does not exist.");
  aev_bus_release(bus);
  bt_fails(aev_bus_get(b, "orders", &same), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException", "Event bus orders does not exist.");
}
END_TEST

/* DESIGN §4 and bus.h: after DeleteEventBus "the bus and its rules and
 * targets go" and every call on a handle still held answers
 * ResourceNotFoundException, as aev_call's do (they served the deleted
 * bus's rules and took targets for them); after aev_broker_destroy() they
 * answer AEV_ERR_CLOSED (PutEvents on the default bus was still taken). */
START_TEST(deleted_bus_handle_serves_nothing) {
  aev_bus *bus;
  bt_ok(aev_bus_create(b, "orders", &bus));
  bt_ok(aev_bus_put_rule(bus, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_delete(bus));
  const char *gone = "Event bus orders does not exist.";
  char *json = NULL;
  bt_fails(aev_bus_put_targets(bus, "r", "[{\"Id\":\"q\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:q\"}]",
                               &json), AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  bt_fails(aev_bus_list_targets(bus, "r", &json), AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  bt_fails(aev_bus_list_rules(bus, NULL, &json), AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  bt_fails(aev_bus_describe_rule(bus, "r", &json), AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  bt_fails(aev_bus_enable_rule(bus, "r", 0), AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  bt_fails(aev_bus_delete_rule(bus, "r", 1), AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  ck_assert_ptr_null(json);
  aev_bus_release(bus);

  aev_broker *own = bt_broker();
  aev_bus *def_kept;
  bt_ok(aev_bus_get(own, "default", &def_kept));
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  const char *closed = "The broker has been destroyed.";
  bt_fails(aev_bus_put_event(def_kept, "a", "t", "{}", 2, NULL), AEV_ERR_CLOSED, "ServiceUnavailable", closed);
  bt_fails(aev_bus_describe(def_kept, &json), AEV_ERR_CLOSED, "ServiceUnavailable", closed);
  bt_fails(aev_bus_list_rules(def_kept, NULL, &json), AEV_ERR_CLOSED, "ServiceUnavailable", closed);
  aev_bus_release(def_kept);
}
END_TEST

START_TEST(put_describe_list_rules) {
  char *arn, *json;
  bt_ok(aev_bus_put_rule(def, "r1", "{\"source\":[\"a\"]}", NULL, 1, &arn));
  ck_assert_str_eq(arn, "arn:aws:events:us-east-1:000000000000:rule/r1");
  aev_free(arn);
  bt_ok(aev_bus_describe_rule(def, "r1", &json));
  bt_json_eq(json, "{\"Name\":\"r1\",\"Arn\":\"arn:aws:events:us-east-1:"
                   "000000000000:rule/r1\",\"State\":\"ENABLED\","
                   "\"EventBusName\":\"default\",\"CreatedBy\":\"000000000000\","
                   "\"EventPattern\":\"{\\\"source\\\":[\\\"a\\\"]}\"}");
  aev_free(json);
  aev_bus *bus;
  bt_ok(aev_bus_create(b, "custom", &bus));
  bt_ok(aev_bus_put_rule(bus, "r2", "{\"source\":[\"a\"]}", NULL, 0, &arn));
  ck_assert_str_eq(arn, "arn:aws:events:us-east-1:000000000000:rule/custom/r2");
  aev_free(arn);
  bt_ok(aev_bus_put_rule(bus, "a0", "{\"source\":[\"b\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_list_rules(bus, NULL, &json));
  json_t *j = json_loads(json, 0, NULL);
  json_t *rules = json_object_get(j, "Rules");
  ck_assert_int_eq(json_array_size(rules), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 0), "Name")), "a0");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 1), "State")), "DISABLED");
  json_decref(j);
  aev_free(json);
  /* A ListRules entry is the API's Rule shape: no CreatedBy, which only
   * DescribeRule answers (AWS's list-rules snapshot). */
  bt_ok(aev_bus_list_rules(bus, "r", &json));
  bt_json_eq(json, "{\"Rules\":[{\"Name\":\"r2\",\"Arn\":\"arn:aws:events:us-east-1:"
                   "000000000000:rule/custom/r2\",\"State\":\"DISABLED\","
                   "\"EventBusName\":\"custom\",\"EventPattern\":"
                   "\"{\\\"source\\\":[\\\"a\\\"]}\"}]}");
  aev_free(json);
  aev_bus_release(bus);
}
END_TEST

/* PutRule's third state enables the rule and is reported as given;
 * DisableRule and EnableRule then make it DISABLED and ENABLED. */
static const char *rule_state(const char *name) {
  static char state[64];
  char *json;
  bt_ok(aev_bus_describe_rule(def, name, &json));
  json_t *j = json_loads(json, 0, NULL);
  snprintf(state, sizeof state, "%s", json_string_value(json_object_get(j, "State")));
  json_decref(j);
  aev_free(json);
  return state;
}

START_TEST(rule_state_with_cloudtrail_events) {
  bt_ok(aev_bus_put_rule(def, "ct", "{\"source\":[\"a\"]}", NULL,
                         AEV_RULE_ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, NULL));
  ck_assert_str_eq(rule_state("ct"), "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
  char *json;
  bt_ok(aev_bus_list_rules(def, "ct", &json));
  ck_assert_ptr_nonnull(strstr(json, "\"State\":\"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\""));
  aev_free(json);
  bt_ok(aev_bus_enable_rule(def, "ct", 0));
  ck_assert_str_eq(rule_state("ct"), "DISABLED");
  bt_ok(aev_bus_enable_rule(def, "ct", 1));
  ck_assert_str_eq(rule_state("ct"), "ENABLED");
}
END_TEST

START_TEST(rule_errors) {
  bt_fails(aev_bus_put_rule(def, "r", NULL, NULL, 1, NULL), AEV_ERR_INVALID,
           "ValidationException",
           "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  bt_fails(aev_bus_put_rule(def, "bad/name", "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_INVALID, "ValidationException",
           "1 validation error detected: Value 'bad/name' at 'name' failed to "
           "satisfy constraint: Member must satisfy regular expression "
           "pattern: [\\.\\-_A-Za-z0-9]+");
  char long_name[80];
  memset(long_name, 'n', 65);
  long_name[65] = 0;
  bt_fails(aev_bus_put_rule(def, long_name, "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_INVALID, "ValidationException", NULL);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "less than or equal to 64"));
  ck_assert_int_eq(aev_bus_put_rule(def, "r", "{\"source\":\"a\"}", NULL, 1, NULL),
                   AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidEventPatternException");
  bt_fails(aev_bus_put_rule(def, "r", NULL, "rate(1 minutes)", 1, NULL),
           AEV_ERR_INVALID, "ValidationException",
           "Parameter ScheduleExpression is not valid.");
  aev_bus *bus;
  bt_ok(aev_bus_create(b, "custom", &bus));
  bt_fails(aev_bus_put_rule(bus, "r", NULL, "rate(1 minute)", 1, NULL),
           AEV_ERR_INVALID, "ValidationException",
           "ScheduleExpression is supported only on the default event bus.");
  aev_bus_release(bus);
  char *json;
  bt_fails(aev_bus_describe_rule(def, "nope", &json), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException",
           "Rule nope does not exist on EventBus default.");
  bt_fails(aev_bus_enable_rule(def, "nope", 1), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException",
           "Rule nope does not exist on EventBus default.");
  /* Nothing was stored by the failures. */
  bt_ok(aev_bus_list_rules(def, NULL, &json));
  bt_json_eq(json, "{\"Rules\":[]}");
  aev_free(json);
}
END_TEST

START_TEST(update_keeps_rule_on_bad_pattern) {
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  ck_assert_int_eq(aev_bus_put_rule(def, "r", "{\"source\":[]}", NULL, 1, NULL),
                   AEV_ERR_INVALID);
  char *json;
  bt_ok(aev_bus_describe_rule(def, "r", &json));
  ck_assert_ptr_nonnull(strstr(json, "[\\\"a\\\"]"));
  aev_free(json);
}
END_TEST

START_TEST(delete_needs_targets_removed) {
  aev_queue *q = bt_queue(b, "q", NULL);
  bt_rule(def, "r", "a", bt_queue_target(q, "t1", NULL));
  bt_fails(aev_bus_delete_rule(def, "r", 0), AEV_ERR_INVALID,
           "ValidationException", "Rule can't be deleted since it has targets.");
  bt_ok(aev_bus_remove_targets(def, "r", "[\"t1\"]", NULL));
  bt_ok(aev_bus_delete_rule(def, "r", 0));
  bt_ok(aev_bus_delete_rule(def, "r", 0)); /* gone already: still fine */
  bt_rule(def, "r2", "a", bt_queue_target(q, "t1", NULL));
  bt_ok(aev_bus_delete_rule(def, "r2", 1)); /* Force */
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  ck_assert_ptr_null(bt_take(q));
  aev_queue_release(q);
}
END_TEST

START_TEST(enable_disable_routes) {
  aev_queue *q = bt_queue(b, "q", NULL);
  bt_rule(def, "r", "a", bt_queue_target(q, "t1", NULL));
  bt_ok(aev_bus_enable_rule(def, "r", 0));
  char *json;
  bt_ok(aev_bus_describe_rule(def, "r", &json));
  ck_assert_ptr_nonnull(strstr(json, "\"DISABLED\""));
  aev_free(json);
  bt_put(def, "a", "{\"n\":1}");
  aev_broker_drain(b);
  ck_assert_ptr_null(bt_take(q));
  bt_ok(aev_bus_enable_rule(def, "r", 1));
  bt_put(def, "a", "{\"n\":2}");
  aev_broker_drain(b);
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(strstr(body, "\"detail\":{\"n\":2}"));
  free(body);
  aev_queue_release(q);
}
END_TEST

/* AWS's 300 rules per bus, raised per broker (DESIGN §2): the raise holds
 * for every bus, those made later included. */
START_TEST(rule_quota_is_raisable_per_broker) {
  aev_bus *bus, *later;
  bt_ok(aev_bus_create(b, "q", &bus));
  char name[32];
  for (int i = 0; i < AEV_BUS_DEFAULT_RULE_QUOTA; i++) {
    snprintf(name, sizeof name, "r%d", i);
    bt_ok(aev_bus_put_rule(bus, name, "{\"source\":[\"a\"]}", NULL, 1, NULL));
  }
  bt_fails(aev_bus_put_rule(bus, "one-more", "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_LIMIT, "LimitExceededException",
           "The requested resource exceeds the maximum number allowed.");
  /* Updating an existing rule is not a new one. */
  bt_ok(aev_bus_put_rule(bus, "r0", "{\"source\":[\"b\"]}", NULL, 1, NULL));
  bt_fails(aev_bus_set_rule_quota(b, 10), AEV_ERR_LIMIT, "LimitExceededException",
           "Event bus q has 300 rules, more than the quota 10.");
  bt_fails(aev_bus_set_rule_quota(b, 0), AEV_ERR_INVALID, "ValidationException",
           "The rule quota must be at least 1.");
  bt_fails(aev_bus_set_rule_quota(NULL, 400), AEV_ERR_INVALID, "ValidationException",
           "The rule quota must be at least 1.");
  bt_ok(aev_bus_set_rule_quota(b, 301));
  bt_ok(aev_bus_put_rule(bus, "one-more", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  bt_fails(aev_bus_put_rule(bus, "two-more", "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_LIMIT, "LimitExceededException",
           "The requested resource exceeds the maximum number allowed.");
  bt_ok(aev_bus_create(b, "later", &later));
  for (int i = 0; i < 301; i++) {
    snprintf(name, sizeof name, "r%d", i);
    bt_ok(aev_bus_put_rule(later, name, "{\"source\":[\"a\"]}", NULL, 1, NULL));
    bt_ok(aev_bus_put_rule(def, name, "{\"source\":[\"a\"]}", NULL, 1, NULL));
  }
  bt_fails(aev_bus_put_rule(later, "one-more", "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_LIMIT, "LimitExceededException", NULL);
  bt_fails(aev_bus_put_rule(def, "one-more", "{\"source\":[\"a\"]}", NULL, 1, NULL),
           AEV_ERR_LIMIT, "LimitExceededException", NULL);
  aev_bus_release(later);
  aev_bus_release(bus);
}
END_TEST

/* Detail must be one JSON object nested at most 1,000 deep; anything else
 * is MalformedDetail and goes nowhere, through the typed call (whose check
 * routing finishes) and PutEvents alike. Some malformed details make a
 * well-formed envelope: {},"x":1 would add a member to it. */
START_TEST(detail_must_be_a_json_object) {
  static const char *bad[] = {
      "[1]", "\"x\"", "{", "{\"a\":1}x", "{\"a\":1,}", "{\"a\":\"\\q\"}",
      "{\"a\":\"\x01\"}", "{\"a\":01}", "{\"a\":tru}", "{\"a\" 1}", "{\"a\":[1,]}",
      "{},\"x\":1", "{\"a\":1},\"detail\":{}", "{\"a\":1}}", "{\"a\":{}",
      /* the envelope drops whitespace between tokens, never inside one */
      "{\"a\":1 2}", "{\"a\":t rue}", "{\"a\":1 .5}", "{\"a\":- 1}", " ", ""};
  aev_queue *q = bt_queue(b, "sink", NULL);
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"q\",\"Arn\":\"%s\"}]", aev_queue_arn(q));
  bt_ok(aev_bus_put_rule(def, "all", "{\"source\":[\"app\"]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_targets(def, "all", targets, NULL));
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    bt_fails(aev_bus_put_event(def, "app", "T", bad[i], strlen(bad[i]), NULL),
             AEV_ERR_INVALID, i < 20 ? "MalformedDetail" : "InvalidArgument", NULL);
    json_t *entries = json_pack("[{s:s,s:s,s:s}]", "Source", "app", "DetailType", "T",
                                "Detail", bad[i]);
    char *req = json_dumps(entries, JSON_COMPACT), *resp;
    json_decref(entries);
    bt_ok(aev_bus_put_events(b, req, &resp));
    ck_assert_msg(strstr(resp, i < 20 ? "\"MalformedDetail\"" : "\"InvalidArgument\""),
                  "%s: %s", bad[i], resp);
    free(req);
    aev_free(resp);
  }
  char *body = bt_take(q);
  ck_assert_msg(body == NULL, "delivered %s", body);
  aev_queue_release(q);
  const char *good = " {\"a\":[1,-2.5e3,true,null,{\"b\":\"\\u00e9\\n\"}],\"c\":{}} ";
  bt_ok(aev_bus_put_event(def, "app", "T", good, strlen(good), NULL));
  /* 1,000 nested objects pass; 1,001 do not. */
  static char deep[1001 * 6 + 1];
  for (int levels = 1000; levels <= 1001; levels++) {
    size_t n = 0;
    for (int i = 0; i < levels - 1; i++, n += 5) memcpy(deep + n, "{\"a\":", 5);
    deep[n++] = '{';
    for (int i = 0; i < levels; i++) deep[n++] = '}';
    if (levels == 1000)
      bt_ok(aev_bus_put_event(def, "app", "T", deep, n, NULL));
    else
      bt_fails(aev_bus_put_event(def, "app", "T", deep, n, NULL), AEV_ERR_INVALID,
               "MalformedDetail", "Detail is malformed.");
  }
}
END_TEST

/* Source and DetailType go into the envelope as JSON strings: quotes,
 * backslashes and control characters escaped wherever they fall (before,
 * inside and after 8-byte words), UTF-8 kept as it is. */
START_TEST(envelope_escapes_strings) {
  static const char *names[] = {
      "plain", "a\"b", "\\", "0123456\"", "01234567\\x", "0123456789abcde\x01",
      "\x1f" "0123456789abcdef\"", "caf\xc3\xa9 \xe2\x82\xac 0123456789 \"q\" \\b\\",
      "01234567" "89abcdef" "\t" "tail", "abc\\efgh01234567", "abcdefg\"01234567",
      "\x7f\xc3\xa9" "bcde\x1f" "01234567"};
  aev_queue *q = bt_queue(b, "sink", NULL);
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"q\",\"Arn\":\"%s\"}]", aev_queue_arn(q));
  bt_ok(aev_bus_put_rule(def, "all", "{\"detail\":{\"k\":[\"v\"]}}", NULL, 1, NULL));
  bt_ok(aev_bus_put_targets(def, "all", targets, NULL));
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const char *detail = "{\"k\":\"v\"}";
    bt_ok(aev_bus_put_event(def, names[i], names[i], detail, strlen(detail), NULL));
    char *body = bt_take(q);
    ck_assert_msg(body != NULL, "%zu: not delivered", i);
    json_t *ev = json_loads(body, 0, NULL);
    ck_assert_msg(ev != NULL, "%zu: %s", i, body);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "source")), names[i]);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "detail-type")), names[i]);
    json_decref(ev);
    free(body);
  }
  aev_queue_release(q);
}
END_TEST

/* The typed call vets what PutEvents' JSON would: text that is not UTF-8
 * is refused (a detail as MalformedDetail), an entry of 256 KB as AWS
 * counts it (Source + DetailType + Detail bytes) is refused whole, and
 * neither goes anywhere; 2-, 3- and 4-byte characters pass unchanged. */
START_TEST(typed_put_vets_text_and_size) {
  aev_queue *q = bt_queue(b, "sink", NULL);
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"q\",\"Arn\":\"%s\"}]", aev_queue_arn(q));
  bt_ok(aev_bus_put_rule(def, "all", "{\"detail-type\":[{\"prefix\":\"\"}]}", NULL, 1, NULL));
  bt_ok(aev_bus_put_targets(def, "all", targets, NULL));
  const char *bad_detail = "{\"a\":\"caf\xc3\"}";
  bt_fails(aev_bus_put_event(def, "app", "T", bad_detail, strlen(bad_detail), NULL),
           AEV_ERR_INVALID, "MalformedDetail", "Detail is malformed.");
  bt_fails(aev_bus_put_event(def, "app\xff", "T", "{}", 2, NULL), AEV_ERR_INVALID,
           "InvalidArgument", "Parameter Source is not valid. Reason: Source is not UTF-8 text.");
  bt_fails(aev_bus_put_event(def, "app", "\xed\xa0\x80", "{}", 2, NULL), AEV_ERR_INVALID,
           "InvalidArgument",
           "Parameter DetailType is not valid. Reason: DetailType is not UTF-8 text.");
  size_t big = 256 * 1024 - 1 - 1 - 2;
  char *detail = malloc(big + 1);
  memset(detail, ' ', big);
  const char *start = "{\"k\":\"\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80\"}";
  memcpy(detail, start, strlen(start));
  detail[big] = 0;
  bt_fails(aev_bus_put_event(def, "a", "xxx", detail, big, NULL), AEV_ERR_INVALID,
           "ValidationException", "Total size of the entries in the request is over the limit.");
  ck_assert_ptr_null(bt_take(q));
  bt_ok(aev_bus_put_event(def, "\xc3\xa9", "x", detail, big, NULL));
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(body);
  json_t *ev = json_loads(body, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "source")), "\xc3\xa9");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "detail"), "k")),
                   "\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80");
  json_decref(ev);
  free(body);
  free(detail);
  aev_queue_release(q);
}
END_TEST

/* The number of entries in listing key of json, and its NextToken (copied
 * into token, "" when there is none). */
static size_t page_of(char *json, const char *key, char token[64]) {
  json_t *o = json_loads(json, 0, NULL);
  ck_assert_msg(o != NULL, "%s", json);
  const char *t = json_string_value(json_object_get(o, "NextToken"));
  snprintf(token, 64, "%s", t ? t : "");
  size_t n = json_array_size(json_object_get(o, key));
  json_decref(o);
  aev_free(json);
  return n;
}

/* The typed List* calls page as their actions do: Limit entries at a time,
 * a NextToken while some remain, a foreign token or limit refused. */
START_TEST(typed_listings_page) {
  char name[16], *out, token[64];
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "r%d", i);
    bt_ok(aev_bus_put_rule(def, name, "{\"source\":[\"a\"]}", NULL, 1, NULL));
  }
  size_t seen = 0, pages = 0;
  token[0] = 0;
  do {
    bt_ok(aev_bus_list_rules_page(def, "r", 2, *token ? token : NULL, &out));
    seen += page_of(out, "Rules", token);
    pages++;
  } while (*token);
  ck_assert_uint_eq(seen, 5);
  ck_assert_uint_eq(pages, 3);
  bt_ok(aev_bus_list_rules_page(def, NULL, 0, NULL, &out));
  ck_assert_uint_eq(page_of(out, "Rules", token), 5);
  ck_assert_str_eq(token, "");
  bt_fails(aev_bus_list_rules_page(def, NULL, 2, "not-a-token", &out), AEV_ERR_INVALID,
           "ValidationException", NULL);
  bt_fails(aev_bus_list_rules_page(def, NULL, 101, NULL, &out), AEV_ERR_INVALID,
           "ValidationException",
           "1 validation error detected: Value '101' at 'limit' failed to satisfy "
           "constraint: Member must have value less than or equal to 100");
  bt_fails(aev_bus_list_rules_page(def, NULL, -1, NULL, &out), AEV_ERR_INVALID,
           "ValidationException",
           "1 validation error detected: Value '-1' at 'limit' failed to satisfy "
           "constraint: Member must have value greater than or equal to 1");
  bt_ok(aev_bus_put_targets(def, "r0",
                            "[{\"Id\":\"a\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:a\"},"
                            "{\"Id\":\"b\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:b\"},"
                            "{\"Id\":\"c\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:c\"}]",
                            NULL));
  bt_ok(aev_bus_list_targets_page(def, "r0", 2, NULL, &out));
  ck_assert_uint_eq(page_of(out, "Targets", token), 2);
  bt_ok(aev_bus_list_targets_page(def, "r0", 2, token, &out));
  ck_assert_uint_eq(page_of(out, "Targets", token), 1);
  ck_assert_str_eq(token, "");
  bt_fails(aev_bus_list_targets_page(def, "nope", 2, NULL, &out), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException", NULL);
  for (int i = 0; i < 3; i++) {
    snprintf(name, sizeof name, "arch%d", i);
    bt_ok(aev_bus_create_archive(def, name, NULL, 0, NULL, NULL));
  }
  bt_ok(aev_bus_list_archives_page(b, "arch", 2, NULL, &out));
  ck_assert_uint_eq(page_of(out, "Archives", token), 2);
  bt_ok(aev_bus_list_archives_page(b, "arch", 2, token, &out));
  ck_assert_uint_eq(page_of(out, "Archives", token), 1);
  ck_assert_str_eq(token, "");
  bt_ok(aev_bus_list_replays_page(b, NULL, 1, NULL, &out));
  ck_assert_uint_eq(page_of(out, "Replays", token), 0);
  ck_assert_str_eq(token, "");
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, default_bus_exists_and_cannot_go);
  tcase_add_test(tc, custom_buses);
  tcase_add_test(tc, deleted_bus_handle_serves_nothing);
  tcase_add_test(tc, put_describe_list_rules);
  tcase_add_test(tc, rule_state_with_cloudtrail_events);
  tcase_add_test(tc, rule_errors);
  tcase_add_test(tc, update_keeps_rule_on_bad_pattern);
  tcase_add_test(tc, delete_needs_targets_removed);
  tcase_add_test(tc, enable_disable_routes);
  tcase_add_test(tc, rule_quota_is_raisable_per_broker);
  tcase_add_test(tc, detail_must_be_a_json_object);
  tcase_add_test(tc, envelope_escapes_strings);
  tcase_add_test(tc, typed_put_vets_text_and_size);
  tcase_add_test(tc, typed_listings_page);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
