/* aev_call(b, "events", "TestEventPattern", ...): AWS's request and response
 * shapes, the envelope check, and the error shapes. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/broker.h"

static aev_broker *broker;

static void setup(void) {
  aev_broker_options *o;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_new(o, &broker), AEV_OK);
  aev_broker_options_free(o);
}

static void teardown(void) { aev_broker_destroy(broker); }

#define EVENT                                                                               \
  "{\"id\":\"1\",\"account\":\"123456789012\",\"source\":\"app\",\"time\":\"2024-01-01T00:00:" \
  "00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail-type\":\"t\",\"detail\":{\"n\":5}}"

/* Calls TestEventPattern; returns the status and stores the response or
 * the error object's text. */
static int call(const char *pattern, const char *event, char **out) {
  json_t *req = json_object();
  if (pattern) json_object_set_new(req, "EventPattern", json_string(pattern));
  if (event) json_object_set_new(req, "Event", json_string(event));
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  int rc = aev_call(broker, "events", "TestEventPattern", text, out);
  free(text);
  return rc;
}

static void expect(const char *pattern, const char *event, int rc, const char *want) {
  char *out = NULL;
  ck_assert_int_eq(call(pattern, event, &out), rc);
  ck_assert_str_eq(out, want);
  aev_free(out);
}

START_TEST(result_true_and_false) {
  expect("{\"source\":[\"app\"],\"detail\":{\"n\":[{\"numeric\":[\">\",1]}]}}", EVENT, AEV_OK,
         "{\"Result\":true}");
  expect("{\"source\":[\"other\"]}", EVENT, AEV_OK, "{\"Result\":false}");
}
END_TEST

START_TEST(invalid_pattern) {
  expect("{\"source\":\"app\"}", EVENT, AEV_ERR_INVALID,
         "{\"__type\":\"InvalidEventPatternException\",\"message\":\"Event pattern is not "
         "valid. Reason: \\\"source\\\" must be an object or an array\"}");
}
END_TEST

/* AWS requires id, account, source, time, region and detail-type; it lets
 * resources be missing though its reference lists it. */
START_TEST(envelope_fields_are_required) {
  static const char *const fields[] = {"id", "account", "source", "time", "region",
                                       "detail-type"};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    json_t *ev = json_loads(EVENT, 0, NULL);
    json_object_del(ev, fields[i]);
    char *text = json_dumps(ev, JSON_COMPACT);
    expect("{\"a\":[1]}", text, AEV_ERR_INVALID,
           "{\"__type\":\"ValidationException\",\"message\":\"Parameter Event is not valid.\"}");
    free(text);
    json_decref(ev);
  }
  json_t *ev = json_loads(EVENT, 0, NULL);
  json_object_del(ev, "resources");
  char *text = json_dumps(ev, JSON_COMPACT);
  expect("{\"source\":[\"app\"]}", text, AEV_OK, "{\"Result\":true}");
  free(text);
  json_decref(ev);
  expect("{\"a\":[1]}", "not json", AEV_ERR_INVALID,
         "{\"__type\":\"ValidationException\",\"message\":\"Parameter Event is not valid.\"}");
}
END_TEST

START_TEST(members_are_required) {
  expect(NULL, EVENT, AEV_ERR_INVALID,
         "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
         "Value null at 'eventPattern' failed to satisfy constraint: Member must not be "
         "null\"}");
  expect("{\"a\":[1]}", NULL, AEV_ERR_INVALID,
         "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
         "Value null at 'event' failed to satisfy constraint: Member must not be null\"}");
}
END_TEST

int main(void) {
  Suite *s = suite_create("pattern_api");
  TCase *tc = tcase_create("TestEventPattern");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, result_true_and_false);
  tcase_add_test(tc, invalid_pattern);
  tcase_add_test(tc, envelope_fields_are_required);
  tcase_add_test(tc, members_are_required);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
