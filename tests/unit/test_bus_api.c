/* The "events" service of aev_call(): AWS's request and response shapes
 * for buses, rules, targets (ListRuleNamesByTarget too), archives (UpdateArchive too) and replays,
 * paging of the List* actions by Limit and NextToken, and its errors. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

static aev_broker *b;

static void setup(void) { b = bt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* Calls action and compares the answer (JSON) with want (NULL: the status
 * alone). */
static void call_eq(const char *action, const char *req, int want_rc,
                    const char *want) {
  char *out = NULL;
  int rc = aev_call(b, "events", action, req, &out);
  ck_assert_msg(rc == want_rc, "%s: rc %d (%s)", action, rc, out ? out : "");
  if (want) bt_json_eq(out, want);
  aev_free(out);
}

START_TEST(buses) {
  call_eq("CreateEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"EventBusArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/orders\"}");
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"arn:aws:events:us-east-1:000000000000:"
          "event-bus/orders\",\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}");
  call_eq("ListEventBuses", "{\"NamePrefix\":\"ord\"}", AEV_OK,
          "{\"EventBuses\":[{\"Name\":\"orders\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/orders\",\"CreationTime\":1704067200,"
          "\"LastModifiedTime\":1704067200}]}");
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
  /* A replay takes broker time: STARTING for a minute, then done. */
  aev_broker_drain(b);
  call_eq("ListReplays", "{}", AEV_OK,
          "{\"Replays\":[{\"ReplayName\":\"rp\",\"EventSourceArn\":\"arn:aws:events:"
          "us-east-1:000000000000:archive/a\",\"State\":\"STARTING\",\"EventStartTime\":"
          "1704067200,\"EventEndTime\":1704067260,\"ReplayStartTime\":1704067320}]}");
  aev_broker_advance(b, 60000);
  call_eq("ListReplays", "{}", AEV_OK,
          "{\"Replays\":[{\"ReplayName\":\"rp\",\"EventSourceArn\":\"arn:aws:events:"
          "us-east-1:000000000000:archive/a\",\"State\":\"COMPLETED\",\"EventStartTime\":"
          "1704067200,\"EventEndTime\":1704067260,\"ReplayStartTime\":1704067320,"
          "\"ReplayEndTime\":1704067380}]}");
  call_eq("CancelReplay", "{\"ReplayName\":\"rp\"}", AEV_ERR_STATE,
          "{\"__type\":\"IllegalStatusException\",\"message\":\"Replay rp is not in a "
          "valid state for this operation.\"}");
  call_eq("DeleteArchive", "{\"ArchiveName\":\"a\"}", AEV_OK, "{}");
  call_eq("DescribeArchive", "{\"ArchiveName\":\"a\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Archive a does not exist.\"}");
}
END_TEST

/* ListArchives' EventSourceArn lists that bus's archives, and one that
 * names no bus is an error (AWS's list-archives-unknown-event-bus-error
 * snapshot), not an empty list. */
START_TEST(list_archives_by_source) {
  call_eq("CreateEventBus", "{\"Name\":\"orders\"}", AEV_OK, NULL);
  call_eq("CreateArchive", "{\"ArchiveName\":\"a\",\"EventSourceArn\":\"default\"}",
          AEV_OK, NULL);
  call_eq("CreateArchive", "{\"ArchiveName\":\"b\",\"EventSourceArn\":\"orders\"}",
          AEV_OK, NULL);
  call_eq("ListArchives",
          "{\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/orders\"}",
          AEV_OK,
          "{\"Archives\":[{\"ArchiveName\":\"b\",\"EventSourceArn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/orders\",\"State\":\"ENABLED\","
          "\"RetentionDays\":0,\"SizeBytes\":0,\"EventCount\":0,\"CreationTime\":1704067200}]}");
  call_eq("ListArchives",
          "{\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:event-bus/nope\"}",
          AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus nope does not "
          "exist.\"}");
}
END_TEST

/* ListArchives' and ListReplays' State filters, and their one filter at
 * most ("Filter parameters are exclusive", their API reference). */
START_TEST(list_filters_are_exclusive) {
  call_eq("CreateArchive", "{\"ArchiveName\":\"a\",\"EventSourceArn\":\"default\"}", AEV_OK, NULL);
  call_eq("ListArchives", "{\"State\":\"DISABLED\"}", AEV_OK, "{\"Archives\":[]}");
  json_t *r = aev_test_call(b, "events", "ListArchives", "{\"State\":\"ENABLED\"}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(r, "Archives")), 1);
  json_decref(r);
  call_eq("ListArchives", "{\"State\":\"ENABLED\",\"NamePrefix\":\"a\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"At most one filter is allowed for "
          "ListArchives. Use either : State, EventSourceArn, or NamePrefix.\"}");
  call_eq("ListArchives", "{\"State\":\"ON\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value 'ON' "
          "at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, "
          "DISABLED, CREATING, UPDATING, CREATE_FAILED, UPDATE_FAILED]\"}");
  call_eq("StartReplay",
          "{\"ReplayName\":\"r\",\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:archive/a\","
          "\"EventStartTime\":1704067100,\"EventEndTime\":1704067160,\"Destination\":{\"Arn\":"
          "\"arn:aws:events:us-east-1:000000000000:event-bus/default\"}}",
          AEV_OK, NULL);
  call_eq("ListReplays", "{\"State\":\"COMPLETED\"}", AEV_OK, "{\"Replays\":[]}");
  call_eq("ListReplays", "{\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:archive/b\"}", AEV_OK,
          "{\"Replays\":[]}");
  static const char *const one[] = {"{\"State\":\"STARTING\"}",
                                    "{\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:archive/a\"}"};
  for (size_t i = 0; i < 2; i++) {
    r = aev_test_call(b, "events", "ListReplays", one[i], AEV_OK);
    ck_assert_int_eq(json_array_size(json_object_get(r, "Replays")), 1);
    json_decref(r);
  }
  call_eq("ListReplays", "{\"State\":\"STARTING\",\"NamePrefix\":\"r\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"At most one filter is allowed for "
          "ListReplays. Use either : State, EventSourceArn, or NamePrefix.\"}");
}
END_TEST

START_TEST(update_archive) {
  call_eq("CreateArchive",
          "{\"ArchiveName\":\"a\",\"EventSourceArn\":\"default\"}", AEV_OK, NULL);
  aev_broker_advance(b, 60000);
  call_eq("UpdateArchive",
          "{\"ArchiveName\":\"a\",\"RetentionDays\":3,\"Description\":\"d\","
          "\"EventPattern\":\"{\\\"source\\\":[\\\"x\\\"]}\"}",
          AEV_OK,
          "{\"ArchiveArn\":\"arn:aws:events:us-east-1:000000000000:archive/a\","
          "\"State\":\"ENABLED\",\"CreationTime\":1704067260}");
  call_eq("DescribeArchive", "{\"ArchiveName\":\"a\"}", AEV_OK,
          "{\"ArchiveName\":\"a\",\"ArchiveArn\":\"arn:aws:events:us-east-1:"
          "000000000000:archive/a\",\"EventSourceArn\":\"arn:aws:events:us-east-1:"
          "000000000000:event-bus/default\",\"EventPattern\":\"{\\\"source\\\":"
          "[\\\"x\\\"]}\",\"Description\":\"d\",\"State\":\"ENABLED\","
          "\"RetentionDays\":3,\"SizeBytes\":0,\"EventCount\":0,"
          "\"CreationTime\":1704067200}");
  call_eq("UpdateArchive", "{}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value null at 'archiveName' failed to satisfy constraint: "
          "Member must not be null\"}");
  call_eq("UpdateArchive", "{\"ArchiveName\":\"a\",\"RetentionDays\":-1}",
          AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value '-1' at 'retentionDays' failed to satisfy constraint: "
          "Member must have value greater than or equal to 0\"}");
  call_eq("UpdateArchive", "{\"ArchiveName\":\"b\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Archive b does "
          "not exist.\"}");
}
END_TEST

/* Names of the array member key of a List* answer, joined by commas, and
 * its NextToken (or ""). */
static void page(const char *action, const char *req, const char *key,
                 const char *name_key, char *names, size_t cap, char *token) {
  char *out = NULL;
  int rc = aev_call(b, "events", action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s %s: %s", action, req, out ? out : "");
  json_t *j = json_loads(out, 0, NULL), *arr = json_object_get(j, key);
  names[0] = 0;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    const char *n = json_string_value(json_object_get(json_array_get(arr, i), name_key));
    snprintf(names + strlen(names), cap - strlen(names), "%s%s", i ? "," : "", n);
  }
  const char *t = json_string_value(json_object_get(j, "NextToken"));
  snprintf(token, 64, "%s", t ? t : "");
  json_decref(j);
  aev_free(out);
}

/* Walks every page of a List* action two at a time: all names, in order. */
static void all_pages(const char *action, const char *extra, const char *key,
                      const char *name_key, const char *want) {
  char names[512] = "", got[256], token[64] = "", req[512];
  int pages = 0;
  do {
    snprintf(req, sizeof req, "{%s\"Limit\":2%s%s%s}", extra, *token ? ",\"NextToken\":\"" : "",
             token, *token ? "\"" : "");
    page(action, req, key, name_key, got, sizeof got, token);
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", pages ? "," : "", got);
    ck_assert_int_le(++pages, 5);
  } while (*token);
  ck_assert_str_eq(names, want);
  ck_assert_int_eq(pages, 3);
}

START_TEST(list_actions_page) {
  const char *names[] = {"e", "a", "d", "b", "c"};
  char req[512];
  for (int i = 0; i < 5; i++) {
    snprintf(req, sizeof req, "{\"Name\":\"%s\"}", names[i]);
    call_eq("CreateEventBus", req, AEV_OK, NULL);
    snprintf(req, sizeof req, "{\"Name\":\"r%s\",\"EventPattern\":\"{\\\"source\\\":[\\\"s\\\"]}\"}",
             names[i]);
    call_eq("PutRule", req, AEV_OK, NULL);
    snprintf(req, sizeof req, "{\"ArchiveName\":\"ar%s\",\"EventSourceArn\":\"%s\"}",
             names[i], names[i]);
    call_eq("CreateArchive", req, AEV_OK, NULL);
    snprintf(req, sizeof req,
             "{\"ReplayName\":\"rp%s\",\"EventSourceArn\":\"arn:aws:events:us-east-1:"
             "000000000000:archive/ar%s\",\"EventStartTime\":1704067000,\"EventEndTime\":"
             "1704067100,\"Destination\":{\"Arn\":\"arn:aws:events:us-east-1:"
             "000000000000:event-bus/%s\"}}",
             names[i], names[i], names[i]);
    call_eq("StartReplay", req, AEV_OK, NULL);
  }
  call_eq("PutTargets",
          "{\"Rule\":\"ra\",\"Targets\":[{\"Id\":\"t1\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/a\"},{\"Id\":\"t2\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/b\"},{\"Id\":\"t3\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/c\"},{\"Id\":\"t4\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/d\"},{\"Id\":\"t5\",\"Arn\":\"arn:aws:events:"
          "us-east-1:000000000000:event-bus/e\"}]}",
          AEV_OK, NULL);
  all_pages("ListEventBuses", "", "EventBuses", "Name", "a,b,c,d,default,e");
  all_pages("ListRules", "", "Rules", "Name", "ra,rb,rc,rd,re");
  all_pages("ListTargetsByRule", "\"Rule\":\"ra\",", "Targets", "Id", "t1,t2,t3,t4,t5");
  all_pages("ListArchives", "", "Archives", "ArchiveName", "ara,arb,arc,ard,are");
  /* Replays are listed oldest first, as AWS lists them. */
  all_pages("ListReplays", "", "Replays", "ReplayName", "rpe,rpa,rpd,rpb,rpc");
  /* No Limit: everything, and no NextToken. */
  char got[256], token[64];
  page("ListRules", "{}", "Rules", "Name", got, sizeof got, token);
  ck_assert_str_eq(got, "ra,rb,rc,rd,re");
  ck_assert_str_eq(token, "");
  call_eq("ListRules", "{\"NextToken\":\"not-a-token\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"The NextToken "
          "provided is invalid or has expired.\"}");
  call_eq("ListArchives", "{\"Limit\":0}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value '0' at 'limit' failed to satisfy constraint: Member must "
          "have value greater than or equal to 1\"}");
  call_eq("ListReplays", "{\"Limit\":101}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value '101' at 'limit' failed to satisfy constraint: Member must "
          "have value less than or equal to 100\"}");
}
END_TEST

/* ListRuleNamesByTarget: the rules (sorted by name) with a target of that
 * ARN on the bus asked about, paged like the other lists. */
START_TEST(rule_names_by_target) {
  const char *names[] = {"rc", "ra", "rd", "rb"};
  char req[512];
  for (int i = 0; i < 4; i++) {
    snprintf(req, sizeof req, "{\"Name\":\"%s\",\"EventPattern\":\"{\\\"source\\\":[\\\"s\\\"]}\"}",
             names[i]);
    call_eq("PutRule", req, AEV_OK, NULL);
    /* rd's target is another queue. */
    snprintf(req, sizeof req,
             "{\"Rule\":\"%s\",\"Targets\":[{\"Id\":\"t\",\"Arn\":\"arn:aws:sqs:us-east-1:"
             "000000000000:%s\"}]}",
             names[i], strcmp(names[i], "rd") ? "q" : "other");
    call_eq("PutTargets", req, AEV_OK, NULL);
  }
  call_eq("ListRuleNamesByTarget", "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\"}",
          AEV_OK, "{\"RuleNames\":[\"ra\",\"rb\",\"rc\"]}");
  char *out = NULL;
  ck_assert_int_eq(aev_call(b, "events", "ListRuleNamesByTarget",
                            "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"Limit\":2}", &out),
                   AEV_OK);
  json_t *first = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_int_eq(json_array_size(json_object_get(first, "RuleNames")), 2);
  snprintf(req, sizeof req,
           "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"Limit\":2,\"NextToken\":\"%s\"}",
           json_string_value(json_object_get(first, "NextToken")));
  json_decref(first);
  call_eq("ListRuleNamesByTarget", req, AEV_OK, "{\"RuleNames\":[\"rc\"]}");
  call_eq("ListRuleNamesByTarget", "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:none\"}",
          AEV_OK, "{\"RuleNames\":[]}");
  call_eq("ListRuleNamesByTarget", "{}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error "
          "detected: Value null at 'targetArn' failed to satisfy constraint: Member "
          "must not be null\"}");
  call_eq("ListRuleNamesByTarget",
          "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"EventBusName\":\"nope\"}",
          AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus nope does not exist.\"}");
}
END_TEST

/* n copies of the UTF-8 character c, for limits AWS counts in characters. */
static char *repeat(const char *c, size_t n) {
  size_t k = strlen(c);
  char *s = malloc(n * k + 1);
  for (size_t i = 0; i < n; i++) memcpy(s + i * k, c, k);
  s[n * k] = 0;
  return s;
}

/* Calls action with req (taken), which json_pack built; the answer in *out
 * (NULL on failure). */
static int call_json(const char *action, json_t *req, json_t **out) {
  ck_assert_ptr_nonnull(req);
  char *text = json_dumps(req, JSON_COMPACT), *answer = NULL;
  json_decref(req);
  int rc = aev_call(b, "events", action, text, &answer);
  free(text);
  *out = rc ? NULL : json_loads(answer, 0, NULL);
  aev_free(answer);
  return rc;
}

/* member of the object action answers for req (taken), which must be a
 * string equal to want. */
static void member_is(const char *action, json_t *req, const char *member, const char *want) {
  json_t *out;
  ck_assert_int_eq(call_json(action, req, &out), AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(out, member)), want);
  json_decref(out);
}

static void refused_as_too_long(const char *action, json_t *req, const char *member, int max) {
  json_t *out;
  ck_assert_int_eq(call_json(action, req, &out), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  char want[160];
  snprintf(want, sizeof want,
           "1 validation error detected: Value at '%s' failed to satisfy constraint: "
           "Member must have length less than or equal to %d",
           member, max);
  ck_assert_str_eq(aev_errmsg(), want);
}

/* Rule, archive and replay descriptions: AWS's 512 is characters, so 512
 * two- or three-byte characters pass unchanged and one more is refused,
 * leaving what was stored as it was. */
START_TEST(descriptions_count_characters) {
  char *at = repeat("\xc3\xa9", 512), *over = repeat("\xe6\xbc\xa2", 513);
  const char *pattern = "{\"source\":[\"s\"]}", *bus = "arn:aws:events:us-east-1:000000000000:event-bus/default";
  json_t *out;
  ck_assert_int_eq(call_json("PutRule", json_pack("{s:s,s:s,s:s}", "Name", "r", "EventPattern", pattern,
                                                  "Description", at), &out), AEV_OK);
  json_decref(out);
  refused_as_too_long("PutRule", json_pack("{s:s,s:s,s:s}", "Name", "r", "EventPattern", pattern,
                                           "Description", over), "description", 512);
  member_is("DescribeRule", json_pack("{s:s}", "Name", "r"), "Description", at);
  /* A ScheduleExpression is at most 256 characters, refused as such. */
  char *schedule = repeat(" ", 257);
  memcpy(schedule, "rate(5 minutes)", 15);
  refused_as_too_long("PutRule", json_pack("{s:s,s:s}", "Name", "r", "ScheduleExpression", schedule),
                      "scheduleExpression", 256);
  free(schedule);

  ck_assert_int_eq(call_json("CreateArchive", json_pack("{s:s,s:s,s:s}", "ArchiveName", "a",
                                                        "EventSourceArn", bus, "Description", at), &out),
                   AEV_OK);
  json_decref(out);
  refused_as_too_long("UpdateArchive", json_pack("{s:s,s:s}", "ArchiveName", "a", "Description", over),
                      "description", 512);
  member_is("DescribeArchive", json_pack("{s:s}", "ArchiveName", "a"), "Description", at);
  refused_as_too_long("CreateArchive", json_pack("{s:s,s:s,s:s}", "ArchiveName", "b",
                                                 "EventSourceArn", bus, "Description", over),
                      "description", 512);
  call_eq("DescribeArchive", "{\"ArchiveName\":\"b\"}", AEV_ERR_NOT_FOUND, NULL);

  aev_broker_advance(b, 120000);
  const char *archive = "arn:aws:events:us-east-1:000000000000:archive/a";
  refused_as_too_long("StartReplay",
                      json_pack("{s:s,s:s,s:i,s:i,s:{s:s},s:s}", "ReplayName", "rp", "EventSourceArn",
                                archive, "EventStartTime", 1704067200, "EventEndTime", 1704067260,
                                "Destination", "Arn", bus, "Description", over),
                      "description", 512);
  call_eq("DescribeReplay", "{\"ReplayName\":\"rp\"}", AEV_ERR_NOT_FOUND, NULL);
  ck_assert_int_eq(call_json("StartReplay",
                             json_pack("{s:s,s:s,s:i,s:i,s:{s:s},s:s}", "ReplayName", "rp",
                                       "EventSourceArn", archive, "EventStartTime", 1704067200,
                                       "EventEndTime", 1704067260, "Destination", "Arn", bus,
                                       "Description", at), &out),
                   AEV_OK);
  json_decref(out);
  member_is("DescribeReplay", json_pack("{s:s}", "ReplayName", "rp"), "Description", at);
  free(at);
  free(over);
}
END_TEST

/* Every rule action checks the rule's name as AWS's model has it, before
 * looking the rule up. */
START_TEST(rule_actions_check_names) {
  const char *actions[] = {"DescribeRule", "DeleteRule", "EnableRule", "DisableRule",
                           "ListTargetsByRule", "RemoveTargets"};
  const char *members[] = {"Name", "Name", "Name", "Name", "Rule", "Rule"};
  for (int i = 0; i < 6; i++) {
    char req[128], want[256];
    snprintf(req, sizeof req, "{\"%s\":\"r\xc3\xa9\",\"Ids\":[\"t\"]}", members[i]);
    snprintf(want, sizeof want,
             "1 validation error detected: Value 'r\xc3\xa9' at '%s' failed to satisfy "
             "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
             i < 4 ? "name" : "rule");
    char *out = NULL;
    ck_assert_int_eq(aev_call(b, "events", actions[i], req, &out), AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "ValidationException");
    ck_assert_str_eq(aev_errmsg(), want);
    aev_free(out);
  }
}
END_TEST

/* Bus names or ARNs are checked as AWS's model has them before any lookup:
 * at most 1600 characters, a name of [/.\-_A-Za-z0-9] (no '/' in
 * PutEvents) after an optional event-bus ARN. */
START_TEST(bus_names_checked_before_lookup) {
  const char *pattern = "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?";
  char want[512];
  snprintf(want, sizeof want,
           "1 validation error detected: Value 'b\xc3\xa9' at 'name' failed to satisfy "
           "constraint: Member must satisfy regular expression pattern: %s[/\\.\\-_A-Za-z0-9]+",
           pattern);
  json_t *out;
  ck_assert_int_eq(call_json("DescribeEventBus", json_pack("{s:s}", "Name", "b\xc3\xa9"), &out),
                   AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), want);
  char *longest = repeat("b", 1601);
  refused_as_too_long("ListRules", json_pack("{s:s}", "EventBusName", longest), "eventBusName", 1600);
  free(longest);
  call_eq("DescribeEventBus", "{\"Name\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\"}",
          AEV_OK, NULL);
  ck_assert_int_eq(call_json("PutEvents",
                             json_pack("{s:[{s:s,s:s,s:s},{s:s,s:s,s:s,s:s}]}", "Entries", "Source",
                                       "s", "DetailType", "t", "Detail", "{}", "Source", "s",
                                       "DetailType", "t", "Detail", "{}", "EventBusName", "a/b"),
                             &out),
                   AEV_ERR_INVALID);
  snprintf(want, sizeof want,
           "1 validation error detected: Value 'a/b' at 'entries.2.member.eventBusName' failed to "
           "satisfy constraint: Member must satisfy regular expression pattern: "
           "%s[\\.\\-_A-Za-z0-9]+",
           pattern);
  ck_assert_str_eq(aev_errmsg(), want);
  ck_assert_int_eq(call_json("PutEvents",
                             json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "Entries", "Source", "s",
                                       "DetailType", "t", "Detail", "{}", "EventBusName",
                                       "arn:aws:events:us-east-1:000000000000:event-bus/default"),
                             &out),
                   AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "FailedEntryCount")), 0);
  json_decref(out);
}
END_TEST

/* Replay names are 1 to 64 of [.\-_A-Za-z0-9], as rule names are. */
START_TEST(replay_names_follow_aws_rules) {
  call_eq("CreateArchive", "{\"ArchiveName\":\"a\",\"EventSourceArn\":\"default\"}", AEV_OK, NULL);
  aev_broker_advance(b, 120000);
  char *longest = repeat("r", 64), *longer = repeat("r", 65);
  const char *names[] = {"r\xc3\xa9", longer, longest};
  const char *want[] = {
      "1 validation error detected: Value 'r\xc3\xa9' at 'replayName' failed to satisfy "
      "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
      "Member must have length less than or equal to 64", NULL};
  for (int i = 0; i < 3; i++) {
    json_t *out;
    int rc = call_json("StartReplay",
                       json_pack("{s:s,s:s,s:i,s:i,s:{s:s}}", "ReplayName", names[i], "EventSourceArn",
                                 "arn:aws:events:us-east-1:000000000000:archive/a",
                                 "EventStartTime", 1704067200, "EventEndTime", 1704067260,
                                 "Destination", "Arn", "default"),
                       &out);
    json_decref(out);
    if (!want[i]) {
      ck_assert_int_eq(rc, AEV_OK);
      continue;
    }
    ck_assert_int_eq(rc, AEV_ERR_INVALID);
    ck_assert_str_eq(aev_errcode(), "ValidationException");
    ck_assert_ptr_nonnull(strstr(aev_errmsg(), want[i]));
  }
  free(longest);
  free(longer);
}
END_TEST

#define ORDERS_ARN "arn:aws:events:us-east-1:000000000000:event-bus/orders"
#define DLQ_ARN "arn:aws:sqs:us-east-1:000000000000:dlq"
#define DLQ2_ARN "arn:aws:sqs:us-east-1:000000000000:dlq2"

/* Every member CreateEventBus takes comes back where AWS's shapes have it:
 * CreateEventBus's and UpdateEventBus's responses and DescribeEventBus all
 * of them, ListEventBuses only Description; unset members are absent. */
START_TEST(bus_attributes_round_trip) {
  call_eq("CreateEventBus",
          "{\"Name\":\"orders\",\"Description\":\"Orders\",\"KmsKeyIdentifier\":"
          "\"alias/orders\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ_ARN "\"},"
          "\"Tags\":[{\"Key\":\"team\",\"Value\":\"shop\"}]}",
          AEV_OK,
          "{\"EventBusArn\":\"" ORDERS_ARN "\",\"Description\":\"Orders\","
          "\"KmsKeyIdentifier\":\"alias/orders\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ_ARN "\"}}");
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"Orders\","
          "\"KmsKeyIdentifier\":\"alias/orders\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ_ARN "\"},"
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}");
  call_eq("ListEventBuses", "{\"NamePrefix\":\"ord\"}", AEV_OK,
          "{\"EventBuses\":[{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":"
          "\"Orders\",\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}]}");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  /* Members the update leaves out stay as they were. */
  call_eq("UpdateEventBus", "{\"Name\":\"orders\",\"Description\":\"New\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"New\","
          "\"KmsKeyIdentifier\":\"alias/orders\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ_ARN "\"}}");
  call_eq("UpdateEventBus",
          "{\"Name\":\"orders\",\"KmsKeyIdentifier\":\"key-2\","
          "\"DeadLetterConfig\":{\"Arn\":\"" DLQ2_ARN "\"}}",
          AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"New\","
          "\"KmsKeyIdentifier\":\"key-2\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ2_ARN "\"}}");
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"New\","
          "\"KmsKeyIdentifier\":\"key-2\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ2_ARN "\"},"
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067260}");
  /* An empty Description or KmsKeyIdentifier, a DeadLetterConfig without
   * an Arn, clear them. */
  call_eq("UpdateEventBus",
          "{\"Name\":\"orders\",\"Description\":\"\",\"KmsKeyIdentifier\":\"\","
          "\"DeadLetterConfig\":{}}",
          AEV_OK, "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\"}");
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\","
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067260}");
}
END_TEST

/* UpdateEventBus's Name is a name (AWS's EventBusName), where
 * DescribeEventBus also takes an ARN: an ARN is refused and changes nothing. */
START_TEST(update_takes_a_name_only) {
  call_eq("CreateEventBus", "{\"Name\":\"orders\",\"Description\":\"Orders\"}", AEV_OK, NULL);
  call_eq("UpdateEventBus", "{\"Name\":\"" ORDERS_ARN "\",\"Description\":\"New\"}",
          AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
          "Value '" ORDERS_ARN "' at 'name' failed to satisfy constraint: Member must satisfy "
          "regular expression pattern: [/\\\\.\\\\-_A-Za-z0-9]+\"}");
  call_eq("UpdateEventBus", "{\"Name\":\"\",\"Description\":\"New\"}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
          "Value '' at 'name' failed to satisfy constraint: Member must have length greater "
          "than or equal to 1\"}");
  call_eq("DescribeEventBus", "{\"Name\":\"" ORDERS_ARN "\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"Orders\","
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}");
}
END_TEST

/* LogConfig is kept as given (the broker writes no logs), answered by
 * CreateEventBus, UpdateEventBus and DescribeEventBus but not in
 * ListEventBuses, replaced whole by an update and left as it was by one
 * without it; values outside AWS's enums are refused. */
START_TEST(log_config_kept) {
  call_eq("CreateEventBus",
          "{\"Name\":\"orders\",\"LogConfig\":{\"IncludeDetail\":\"FULL\",\"Level\":\"TRACE\"}}",
          AEV_OK,
          "{\"EventBusArn\":\"" ORDERS_ARN "\",\"LogConfig\":{\"IncludeDetail\":\"FULL\","
          "\"Level\":\"TRACE\"}}");
  call_eq("ListEventBuses", "{\"NamePrefix\":\"ord\"}", AEV_OK,
          "{\"EventBuses\":[{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\","
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}]}");
  call_eq("UpdateEventBus", "{\"Name\":\"orders\",\"Description\":\"d\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"d\","
          "\"LogConfig\":{\"IncludeDetail\":\"FULL\",\"Level\":\"TRACE\"}}");
  call_eq("UpdateEventBus", "{\"Name\":\"orders\",\"LogConfig\":{\"Level\":\"ERROR\"}}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"d\","
          "\"LogConfig\":{\"Level\":\"ERROR\"}}");
  call_eq("UpdateEventBus", "{\"Name\":\"orders\",\"LogConfig\":{\"Level\":\"DEBUG\"}}",
          AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
          "Value 'DEBUG' at 'logConfig.level' failed to satisfy constraint: Member must satisfy "
          "enum value set: [OFF, ERROR, INFO, TRACE]\"}");
  call_eq("CreateEventBus",
          "{\"Name\":\"other\",\"LogConfig\":{\"IncludeDetail\":\"SOME\"}}", AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
          "Value 'SOME' at 'logConfig.includeDetail' failed to satisfy constraint: Member must "
          "satisfy enum value set: [NONE, FULL]\"}");
  call_eq("DescribeEventBus", "{\"Name\":\"other\"}", AEV_ERR_NOT_FOUND, NULL);
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"d\","
          "\"LogConfig\":{\"Level\":\"ERROR\"},"
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}");
  call_eq("UpdateEventBus", "{\"Name\":\"orders\",\"LogConfig\":{}}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"d\"}");
}
END_TEST

/* UpdateEventBus without a Name updates the default bus, as AWS does. */
START_TEST(default_bus_updates) {
  call_eq("UpdateEventBus", "{\"Description\":\"The account's bus\"}", AEV_OK,
          "{\"Name\":\"default\",\"Arn\":\"arn:aws:events:us-east-1:000000000000:"
          "event-bus/default\",\"Description\":\"The account's bus\"}");
  call_eq("DescribeEventBus", "{}", AEV_OK,
          "{\"Name\":\"default\",\"Arn\":\"arn:aws:events:us-east-1:000000000000:"
          "event-bus/default\",\"Description\":\"The account's bus\","
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}");
}
END_TEST

START_TEST(update_of_missing_bus) {
  call_eq("UpdateEventBus", "{\"Name\":\"nope\",\"Description\":\"d\"}", AEV_ERR_NOT_FOUND,
          "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Event bus nope does not exist.\"}");
  aev_bus *bus;
  ck_assert_int_eq(aev_bus_create_with(b, "gone", "d", NULL, NULL, &bus), AEV_OK);
  ck_assert_int_eq(aev_bus_delete(bus), AEV_OK);
  ck_assert_int_eq(aev_bus_update(bus, "e", NULL, NULL, NULL), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errmsg(), "Event bus gone does not exist.");
  char *out = NULL;
  ck_assert_int_eq(aev_bus_describe(bus, &out), AEV_ERR_NOT_FOUND);
  aev_bus_release(bus);
}
END_TEST

/* One invalid member: CreateEventBus creates nothing and UpdateEventBus
 * changes nothing, both failing with message. */
static void refused(const char *members, const char *message) {
  char req[4096], want[4096];
  snprintf(want, sizeof want, "{\"__type\":\"ValidationException\",\"message\":\"%s\"}", message);
  snprintf(req, sizeof req, "{\"Name\":\"other\",%s}", members);
  call_eq("CreateEventBus", req, AEV_ERR_INVALID, want);
  call_eq("DescribeEventBus", "{\"Name\":\"other\"}", AEV_ERR_NOT_FOUND, NULL);
  snprintf(req, sizeof req, "{\"Name\":\"orders\",%s}", members);
  call_eq("UpdateEventBus", req, AEV_ERR_INVALID, want);
  /* Checked before the bus is looked up. */
  snprintf(req, sizeof req, "{\"Name\":\"nope\",%s}", members);
  call_eq("UpdateEventBus", req, AEV_ERR_INVALID, want);
  call_eq("DescribeEventBus", "{\"Name\":\"orders\"}", AEV_OK,
          "{\"Name\":\"orders\",\"Arn\":\"" ORDERS_ARN "\",\"Description\":\"Orders\","
          "\"KmsKeyIdentifier\":\"k\",\"DeadLetterConfig\":{\"Arn\":\"" DLQ_ARN "\"},"
          "\"CreationTime\":1704067200,\"LastModifiedTime\":1704067200}");
}

START_TEST(bus_attributes_validated) {
  call_eq("CreateEventBus",
          "{\"Name\":\"orders\",\"Description\":\"Orders\",\"KmsKeyIdentifier\":\"k\","
          "\"DeadLetterConfig\":{\"Arn\":\"" DLQ_ARN "\"}}",
          AEV_OK, NULL);
  char *at = repeat("\xc3\xa9", 512), *over = repeat("x", 513), members[3000];
  snprintf(members, sizeof members, "\"Description\":\"%s\"", over);
  refused(members, "1 validation error detected: Value at 'description' failed to satisfy "
                   "constraint: Member must have length less than or equal to 512");
  free(over);
  over = repeat("k", 2049);
  snprintf(members, sizeof members, "\"KmsKeyIdentifier\":\"%s\"", over);
  refused(members, "1 validation error detected: Value at 'kmsKeyIdentifier' failed to "
                   "satisfy constraint: Member must have length less than or equal to 2048");
  free(over);
  refused("\"KmsKeyIdentifier\":\"alias/my key\"",
          "1 validation error detected: Value 'alias/my key' at 'kmsKeyIdentifier' failed "
          "to satisfy constraint: Member must satisfy regular expression pattern: "
          "[a-zA-Z0-9_\\\\-/:]*");
  over = repeat("q", 1601 - strlen("arn:aws:sqs:us-east-1:000000000000:"));
  snprintf(members, sizeof members,
           "\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:%s\"}", over);
  refused(members, "1 validation error detected: Value at 'deadLetterConfig.arn' failed to "
                   "satisfy constraint: Member must have length less than or equal to 1600");
  free(over);
  refused("\"DeadLetterConfig\":{\"Arn\":\"\"}",
          "1 validation error detected: Value at 'deadLetterConfig.arn' failed to "
          "satisfy constraint: Member must have length greater than or equal to 1");
  refused("\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:q.fifo\"}",
          "DeadLetterConfig: arn:aws:sqs:us-east-1:000000000000:q.fifo "
          "is not a standard SQS queue ARN; only standard queues are supported.");
  over = repeat("n", 257);
  snprintf(members, sizeof members, "{\"Name\":\"%s\",\"Description\":\"d\"}", over);
  call_eq("UpdateEventBus", members, AEV_ERR_INVALID,
          "{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: "
          "Value at 'name' failed to satisfy constraint: Member must have length less than "
          "or equal to 256\"}");
  free(over);
  /* 512 characters of two bytes each pass: AWS counts characters. */
  snprintf(members, sizeof members, "{\"Name\":\"orders\",\"Description\":\"%s\"}", at);
  call_eq("UpdateEventBus", members, AEV_OK, NULL);
  free(at);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_api");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, buses);
  tcase_add_test(tc, rules_and_targets);
  tcase_add_test(tc, archives_and_replays);
  tcase_add_test(tc, list_archives_by_source);
  tcase_add_test(tc, list_filters_are_exclusive);
  tcase_add_test(tc, update_archive);
  tcase_add_test(tc, list_actions_page);
  tcase_add_test(tc, rule_names_by_target);
  tcase_add_test(tc, descriptions_count_characters);
  tcase_add_test(tc, replay_names_follow_aws_rules);
  tcase_add_test(tc, rule_actions_check_names);
  tcase_add_test(tc, bus_names_checked_before_lookup);
  tcase_add_test(tc, bus_attributes_round_trip);
  tcase_add_test(tc, default_bus_updates);
  tcase_add_test(tc, update_takes_a_name_only);
  tcase_add_test(tc, log_config_kept);
  tcase_add_test(tc, update_of_missing_bus);
  tcase_add_test(tc, bus_attributes_validated);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
