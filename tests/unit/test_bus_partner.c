/* EventBridge partner event sources through aev_call: the partner's
 * Create / Describe / List / DeletePartnerEventSource,
 * ListPartnerEventSourceAccounts and PutPartnerEvents; the customer's
 * Describe / ListEventSources, Activate / DeactivateEventSource and
 * CreateEventBus with EventSourceName; the states (PENDING, ACTIVE,
 * DELETED) that follow from them; and each call's errors, which change
 * nothing stored. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

#define ACCOUNT "000000000000"
#define OTHER "111122223333"
#define SRC "aws.partner/example.com/tenant1/orders"
#define SRC_ARN "arn:aws:events:us-east-1::event-source/" SRC

static aev_broker *b;

static void setup(void) { b = bt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static json_t *call(const char *action, const char *req) {
  return aev_test_call(b, "events", action, req, AEV_OK);
}

static void ok(const char *action, const char *req) { json_decref(call(action, req)); }

static void fails(const char *action, const char *req, int status, const char *code,
                  const char *message) {
  aev_test_call_fails(b, "events", action, req, status, code, message);
}

static void make_source(const char *name, const char *account) {
  char req[512];
  snprintf(req, sizeof req, "{\"Name\":\"%s\",\"Account\":\"%s\"}", name, account);
  json_t *r = call("CreatePartnerEventSource", req);
  char want[512];
  snprintf(want, sizeof want, "arn:aws:events:us-east-1::event-source/%s", name);
  ck_assert_str_eq(json_string_value(json_object_get(r, "EventSourceArn")), want);
  json_decref(r);
}

/* DescribeEventSource's State of SRC. */
static void assert_state(const char *want) {
  json_t *r = call("DescribeEventSource", "{\"Name\":\"" SRC "\"}");
  ck_assert_str_eq(json_string_value(json_object_get(r, "State")), want);
  json_decref(r);
}

static void make_bus(void) {
  ok("CreateEventBus", "{\"Name\":\"" SRC "\",\"EventSourceName\":\"" SRC "\"}");
}

/* A queue that receives every event of SRC's partner bus. */
static aev_queue *listen(void) {
  aev_queue *q = bt_queue(b, "q", NULL);
  aev_bus *bus;
  bt_ok(aev_bus_get(b, SRC, &bus));
  bt_rule(bus, "all", SRC, bt_queue_target(q, "q", NULL));
  aev_bus_release(bus);
  return q;
}

/* PutPartnerEvents of one entry of SRC; the answer's entry. */
static json_t *put_partner(const char *source) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"Entries\":[{\"Source\":\"%s\",\"DetailType\":\"Order\","
           "\"Detail\":\"{\\\"id\\\":7}\",\"Resources\":[\"r1\"]}]}",
           source);
  json_t *r = call("PutPartnerEvents", req);
  json_t *e = json_incref(json_array_get(json_object_get(r, "Entries"), 0));
  json_decref(r);
  return e;
}

START_TEST(source_lifecycle) {
  make_source(SRC, ACCOUNT);
  json_t *d = call("DescribePartnerEventSource", "{\"Name\":\"" SRC "\"}");
  char *text = json_dumps(d, JSON_COMPACT);
  bt_json_eq(text, "{\"Arn\":\"" SRC_ARN "\",\"Name\":\"" SRC "\"}");
  free(text);
  json_decref(d);
  d = call("DescribeEventSource", "{\"Name\":\"" SRC "\"}");
  ck_assert_str_eq(json_string_value(json_object_get(d, "CreatedBy")), "example.com");
  ck_assert_str_eq(json_string_value(json_object_get(d, "State")), "PENDING");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "CreationTime")), 1704067200);
  json_decref(d);

  make_bus();
  assert_state("ACTIVE");
  json_t *acc = call("ListPartnerEventSourceAccounts", "{\"EventSourceName\":\"" SRC "\"}");
  json_t *one = json_array_get(json_object_get(acc, "PartnerEventSourceAccounts"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(one, "Account")), ACCOUNT);
  ck_assert_str_eq(json_string_value(json_object_get(one, "State")), "ACTIVE");
  json_decref(acc);

  ok("DeactivateEventSource", "{\"Name\":\"" SRC "\"}");
  assert_state("PENDING");
  ok("ActivateEventSource", "{\"Name\":\"" SRC "\"}");
  assert_state("ACTIVE");

  /* The partner deletes the source: the customer's bus stays, DELETED. */
  ok("DeletePartnerEventSource", "{\"Name\":\"" SRC "\",\"Account\":\"" ACCOUNT "\"}");
  assert_state("DELETED");
  fails("DescribePartnerEventSource", "{\"Name\":\"" SRC "\"}", AEV_ERR_NOT_FOUND,
        "ResourceNotFoundException", "Event source " SRC " does not exist.");
  /* Made anew, it meets its bus again. */
  make_source(SRC, ACCOUNT);
  assert_state("ACTIVE");
  /* Deleting the bus makes it PENDING. */
  ok("DeleteEventBus", "{\"Name\":\"" SRC "\"}");
  assert_state("PENDING");
}
END_TEST

START_TEST(partner_events_reach_the_active_bus) {
  make_source(SRC, ACCOUNT);
  /* PENDING: taken, not delivered. */
  json_t *e = put_partner(SRC);
  ck_assert_ptr_nonnull(json_object_get(e, "EventId"));
  json_decref(e);
  make_bus();
  aev_queue *q = listen();
  e = put_partner(SRC);
  const char *id = json_string_value(json_object_get(e, "EventId"));
  ck_assert_ptr_nonnull(id);
  bt_ok(aev_broker_advance(b, 1000));
  char *body = bt_take(q);
  ck_assert_ptr_nonnull(body);
  json_t *ev = json_loads(body, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "id")), id);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "source")), SRC);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "account")), ACCOUNT);
  ck_assert_str_eq(json_string_value(json_object_get(ev, "detail-type")), "Order");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ev, "detail"), "id")), 7);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ev, "resources"), 0)), "r1");
  json_decref(ev);
  free(body);
  json_decref(e);
  ck_assert_ptr_null(bt_take(q)); /* the PENDING one never arrives */

  /* Deactivated: taken, not delivered. */
  ok("DeactivateEventSource", "{\"Name\":\"" SRC "\"}");
  json_decref(put_partner(SRC));
  bt_ok(aev_broker_advance(b, 1000));
  ck_assert_ptr_null(bt_take(q));

  /* A source that is not there, or a customer's own source name. */
  e = put_partner("aws.partner/example.com/tenant1/nope");
  ck_assert_str_eq(json_string_value(json_object_get(e, "ErrorCode")),
                   "NotAuthorizedForSourceException");
  json_decref(e);
  e = put_partner("shop");
  ck_assert_str_eq(json_string_value(json_object_get(e, "ErrorCode")),
                   "NotAuthorizedForSourceException");
  json_decref(e);
  aev_queue_release(q);
}
END_TEST

/* A PutPartnerEvents request of n entries of SRC, in req. */
static void entries_of(char *req, size_t cap, int n) {
  int at = snprintf(req, cap, "{\"Entries\":[");
  for (int i = 0; i < n; i++)
    at += snprintf(req + at, cap - (size_t)at,
                   "%s{\"Source\":\"" SRC "\",\"DetailType\":\"t\",\"Detail\":\"{}\"}",
                   i ? "," : "");
  snprintf(req + at, cap - (size_t)at, "]}");
}

START_TEST(partner_entries_are_checked) {
  make_source(SRC, ACCOUNT);
  /* Up to 20 entries, not PutEvents' 10. */
  char req[8192];
  entries_of(req, sizeof req, 21);
  aev_test_call_fails(b, "events", "PutPartnerEvents", req, AEV_ERR_INVALID,
                      "ValidationException", NULL);
  entries_of(req, sizeof req, 20);
  json_t *r = call("PutPartnerEvents", req);
  ck_assert_int_eq(json_integer_value(json_object_get(r, "FailedEntryCount")), 0);
  ck_assert_int_eq((int)json_array_size(json_object_get(r, "Entries")), 20);
  json_decref(r);
  r = call("PutPartnerEvents",
           "{\"Entries\":[{\"Source\":\"" SRC "\",\"DetailType\":\"t\",\"Detail\":\"[\"},"
           "{\"Source\":\"" SRC "\",\"Detail\":\"{}\"}]}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "FailedEntryCount")), 2);
  json_t *e0 = json_array_get(json_object_get(r, "Entries"), 0),
         *e1 = json_array_get(json_object_get(r, "Entries"), 1);
  ck_assert_str_eq(json_string_value(json_object_get(e0, "ErrorCode")), "MalformedDetail");
  ck_assert_str_eq(json_string_value(json_object_get(e1, "ErrorCode")), "InvalidArgument");
  json_decref(r);
}
END_TEST

START_TEST(customer_sees_only_its_sources) {
  make_source(SRC, ACCOUNT);
  make_source("aws.partner/example.com/tenant2/orders", OTHER);
  json_t *l = call("ListEventSources", "{}");
  json_t *list = json_object_get(l, "EventSources");
  ck_assert_int_eq((int)json_array_size(list), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "Name")), SRC);
  json_decref(l);
  l = call("ListPartnerEventSources", "{\"NamePrefix\":\"aws.partner/example.com\"}");
  ck_assert_int_eq((int)json_array_size(json_object_get(l, "PartnerEventSources")), 2);
  json_decref(l);
  l = call("ListPartnerEventSources",
           "{\"NamePrefix\":\"aws.partner/example.com\",\"Limit\":1}");
  ck_assert_int_eq((int)json_array_size(json_object_get(l, "PartnerEventSources")), 1);
  ck_assert_ptr_nonnull(json_object_get(l, "NextToken"));
  json_decref(l);
  fails("DescribeEventSource", "{\"Name\":\"aws.partner/example.com/tenant2/orders\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
        "Event source aws.partner/example.com/tenant2/orders does not exist.");
  /* Another account's source makes no bus here. */
  fails("CreateEventBus",
        "{\"Name\":\"aws.partner/example.com/tenant2/orders\","
        "\"EventSourceName\":\"aws.partner/example.com/tenant2/orders\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
}
END_TEST

START_TEST(errors_change_nothing) {
  make_source(SRC, ACCOUNT);
  fails("CreatePartnerEventSource", "{\"Name\":\"" SRC "\",\"Account\":\"" OTHER "\"}",
        AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
        "Event source " SRC " already exists.");
  fails("CreatePartnerEventSource", "{\"Name\":\"aws.partner/one\",\"Account\":\"" ACCOUNT "\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("CreatePartnerEventSource", "{\"Name\":\"partner/a/b\",\"Account\":\"" ACCOUNT "\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("CreatePartnerEventSource",
        "{\"Name\":\"aws.partner/a/b c\",\"Account\":\"" ACCOUNT "\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("CreatePartnerEventSource", "{\"Name\":\"aws.partner/a/b\",\"Account\":\"12\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("CreatePartnerEventSource", "{\"Name\":\"aws.partner/a/b\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  /* A partner bus named otherwise than its source; an unknown source; a
   * custom bus of a reserved name. */
  fails("CreateEventBus", "{\"Name\":\"mine\",\"EventSourceName\":\"" SRC "\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("CreateEventBus",
        "{\"Name\":\"aws.partner/x/y/z\",\"EventSourceName\":\"aws.partner/x/y/z\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("CreateEventBus", "{\"Name\":\"" SRC "\"}", AEV_ERR_INVALID, "ValidationException",
        NULL);
  /* Nothing to activate without a bus; the state stays. */
  fails("ActivateEventSource", "{\"Name\":\"" SRC "\"}", AEV_ERR_INVALID,
        "InvalidStateException", NULL);
  assert_state("PENDING");
  make_bus();
  ok("DeactivateEventSource", "{\"Name\":\"" SRC "\"}");
  fails("CreateEventBus", "{\"Name\":\"" SRC "\",\"EventSourceName\":\"" SRC "\"}",
        AEV_ERR_EXISTS, "ResourceAlreadyExistsException", NULL);
  assert_state("PENDING"); /* the failed create did not activate it */
  /* Deleting for another account, or twice, is no error and deletes
   * nothing of this account's. */
  ok("DeletePartnerEventSource", "{\"Name\":\"" SRC "\",\"Account\":\"" OTHER "\"}");
  assert_state("PENDING");
  ok("DeletePartnerEventSource", "{\"Name\":\"aws.partner/a/b\",\"Account\":\"" ACCOUNT "\"}");
  fails("ListPartnerEventSourceAccounts", "{\"EventSourceName\":\"aws.partner/a/b\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("ListPartnerEventSources", "{}", AEV_ERR_INVALID, "ValidationException", NULL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_partner");
  TCase *tc = tcase_create("partner");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, source_lifecycle);
  tcase_add_test(tc, partner_events_reach_the_active_bus);
  tcase_add_test(tc, partner_entries_are_checked);
  tcase_add_test(tc, customer_sees_only_its_sources);
  tcase_add_test(tc, errors_change_nothing);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
