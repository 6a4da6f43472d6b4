/* The "events" service of aev_call(): AWS's request and response shapes
 * for buses, rules, targets, archives and replays, and its errors. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

static aev_broker *b;

static void setup(void) { b = bt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* Calls action and compares the answer (JSON) with want. */
static void call_eq(const char *action, const char *req, int want_rc,
                    const char *want) {
  char *out = NULL;
  int rc = aev_call(b, "events", action, req, &out);
  ck_assert_msg(rc == want_rc, "%s: rc %d (%s)", action, rc, out ? out : "");
  bt_json_eq(out, want);
  aev_free(out);
}

START_TEST(buses) {
  call_eq("CreateEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"EventBusArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/orders\"}");
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"arn:aws:events:us-east-1:000000000000:"
          "event-bus/orders\",\"CreationTime\":1704067200}");
  call_eq("ListEventBuses", "{\"NamePrefix\":\"ord\"}", AEV_OK,
          "{\"EventBuses\":[{\"Name\":\"orders\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/orders\"}]}");
  call_eq("CreateEventBus", "{}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value null at 'name' failed to satisfy constraint: Member "
          "must not be null\"}");
  call_eq("DeleteEventBus", "{\"Name\":\"default\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"Cannot delete event bus default.\"}");
  call_eq("DeleteEventBus", "{\"Name\":\"orders\"}", AEV_OK, "{}");
  call_eq("DeleteEventBus", "{\"Name\":\"orders\"}", AEV_OK, "{}");
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus orders does not exist.\"}");
}
END_TEST

START_TEST(rules_and_targets) {
  call_eq("PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"a\\\"]}\","
                     "\"State\":\"DISABLED\",\"Description\":\"d\"}",
          AEV_OK, "{\"RuleArn\":\"arn:aws:events:us-east-1:000000000000:rule/r\"}");
  call_eq("DescribeRule", "{\"Name\":\"r\"}", AEV_OK,
          "{\"Name\":\"r\",\"Arn\":\"arn:aws:events:us-east-1:000000000000:rule/r\","
          "\"State\":\"DISABLED\",\"EventBusName\":\"default\",\"CreatedBy\":"
          "\"000000000000\",\"EventPattern\":\"{\\\"source\\\":[\\\"a\\\"]}\","
          "\"Description\":\"d\"}");
  call_eq("PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{}\",\"State\":\"ON\"}",
          AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value 'ON' at 'state' failed to satisfy constraint: Member "
          "must satisfy enum value set: [ENABLED, DISABLED, "
          "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]\"}");
  call_eq("EnableRule", "{\"Name\":\"r\"}", AEV_OK, "{}");
  call_eq("ListRules", "{\"EventBusName\":\"nope\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus nope does not exist.\"}");
  call_eq("PutTargets",
          "{\"Rule\":\"r\",\"Targets\":[{\"Id\":\"t\",\"Arn\":\"arn:aws:sqs:us-east-1:"
          "000000000000:q\",\"Input\":\"{}\"}]}",
          AEV_OK, "{\"FailedEntryCount\":0,\"FailedEntries\":[]}");
  call_eq("ListTargetsByRule", "{\"Rule\":\"r\"}", AEV_OK,
          "{\"Targets\":[{\"Id\":\"t\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:q\","
          "\"Input\":\"{}\"}]}");
  call_eq("DeleteRule", "{\"Name\":\"r\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"Rule can't be deleted "
          "since it has targets.\"}");
  call_eq("RemoveTargets", "{\"Rule\":\"r\",\"Ids\":[\"t\"]}", AEV_OK,
          "{\"FailedEntryCount\":0,\"FailedEntries\":[]}");
  call_eq("DeleteRule", "{\"Name\":\"r\"}", AEV_OK, "{}");
  call_eq("DisableRule", "{\"Name\":\"r\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Rule r does not "
          "exist on EventBus default.\"}");
}
END_TEST

START_TEST(archives_and_replays) {
  call_eq("CreateArchive",
          "{\"ArchiveName\":\"a\",\"EventSourceArn\":\"arn:aws:events:us-east-1:"
          "000000000000:event-bus/default\",\"RetentionDays\":7}",
          AEV_OK,
          "{\"ArchiveArn\":\"arn:aws:events:us-east-1:000000000000:archive/a\","
          "\"State\":\"ENABLED\",\"CreationTime\":1704067200}");
  call_eq("ListArchives", "{}", AEV_OK,
          "{\"Archives\":[{\"ArchiveName\":\"a\",\"EventSourceArn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/default\",\"State\":\"ENABLED\","
          "\"RetentionDays\":7,\"SizeBytes\":0,\"EventCount\":0,\"CreationTime\":1704067200}]}");
  aev_broker_advance(b, 120000);
  call_eq("StartReplay",
          "{\"ReplayName\":\"rp\",\"EventSourceArn\":\"arn:aws:events:us-east-1:"
          "000000000000:archive/a\",\"EventStartTime\":1704067200,\"EventEndTime\":"
          "1704067260,\"Destination\":{\"Arn\":\"arn:aws:events:us-east-1:000000000000:"
          "event-bus/default\"}}",
          AEV_OK,
          "{\"ReplayArn\":\"arn:aws:events:us-east-1:000000000000:replay/rp\","
          "\"State\":\"STARTING\",\"ReplayStartTime\":1704067320}");
  aev_broker_drain(b);
  call_eq("ListReplays", "{}", AEV_OK,
          "{\"Replays\":[{\"ReplayName\":\"rp\",\"EventSourceArn\":\"arn:aws:events:"
          "us-east-1:000000000000:archive/a\",\"State\":\"COMPLETED\",\"EventStartTime\":"
          "1704067200,\"EventEndTime\":1704067260,\"ReplayStartTime\":1704067320,"
          "\"ReplayEndTime\":1704067320}]}");
  call_eq("CancelReplay", "{\"ReplayName\":\"rp\"}", AEV_ERR_STATE,
          "{\"__type\":\"IllegalStatusException\",\"message\":\"Replay rp is not in a "
          "valid state for this operation.\"}");
  call_eq("DeleteArchive", "{\"ArchiveName\":\"a\"}", AEV_OK, "{}");
  call_eq("DescribeArchive", "{\"ArchiveName\":\"a\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Archive a does not exist.\"}");
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_api");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, buses);
  tcase_add_test(tc, rules_and_targets);
  tcase_add_test(tc, archives_and_replays);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
