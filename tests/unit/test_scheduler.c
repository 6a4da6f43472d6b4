/* EventBridge Scheduler's API: schedules and schedule groups created, read,
 * updated, listed and deleted through aev_call and the C API, with AWS's
 * defaults, ARNs, error names and messages; refused calls change nothing. */
#include <check.h>

#include "aevtest.h"

#define ROLE "arn:aws:iam::000000000000:role/r"
#define QUEUE "arn:aws:sqs:us-east-1:000000000000:q"

static const char *create_req(const char *name, const char *expr) {
  static char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"Name\":\"%s\",\"ScheduleExpression\":\"%s\",\"FlexibleTimeWindow\":{\"Mode\":"
           "\"OFF\"},\"Target\":{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"" ROLE "\"}}",
           name, expr);
  return buf;
}

static json_t *get(aev_broker *b, const char *name) {
  char req[256];
  snprintf(req, sizeof req, "{\"Name\":\"%s\"}", name);
  return aev_test_call(b, "scheduler", "GetSchedule", req, AEV_OK);
}

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

START_TEST(create_get_defaults) {
  aev_broker *b = aev_test_manual_broker(1);
  json_t *r = aev_test_call(b, "scheduler", "CreateSchedule", create_req("s1", "rate(5 minutes)"),
                            AEV_OK);
  ck_assert_str_eq(str(r, "ScheduleArn"),
                   "arn:aws:scheduler:us-east-1:000000000000:schedule/default/s1");
  json_decref(r);
  json_t *g = get(b, "s1");
  /* The defaults AWS fills in (LocalStack's recorded GetSchedule). */
  ck_assert_str_eq(str(g, "State"), "ENABLED");
  ck_assert_str_eq(str(g, "ActionAfterCompletion"), "NONE");
  ck_assert_str_eq(str(g, "ScheduleExpressionTimezone"), "UTC");
  ck_assert_str_eq(str(g, "GroupName"), "default");
  json_t *policy = json_object_get(json_object_get(g, "Target"), "RetryPolicy");
  ck_assert_int_eq(json_integer_value(json_object_get(policy, "MaximumEventAgeInSeconds")), 86400);
  ck_assert_int_eq(json_integer_value(json_object_get(policy, "MaximumRetryAttempts")), 185);
  ck_assert_int_eq(json_integer_value(json_object_get(g, "CreationDate")), 1704067200);
  ck_assert_ptr_null(json_object_get(g, "Description"));
  json_decref(g);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(expressions_validated) {
  aev_broker *b = aev_test_manual_broker(1);
  /* LocalStack's recorded AWS answers: each is "Invalid Schedule Expression X." */
  const char *bad[] = {"cron(0 1 * * * *)", "cron(7 20 * * NOT *)", "cron(INVALID)",
                       "cron(0 dummy ? * MON-FRI *)", "cron(71 8 1 * ? *)", "cron()",
                       "rate(10 seconds)", "rate(10 years)", "rate()", "rate(10)",
                       "rate(10 minutess)", "rate(foo minutes)", "rate(-10 minutes)",
                       "rate( 10 minutes )", " rate(10 minutes)", "at(2021-12-31T23:59:59Z)",
                       "at(2021-12-31)", "at(2021-02-30T00:00:00)"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char msg[128];
    snprintf(msg, sizeof msg, "Invalid Schedule Expression %s.", bad[i]);
    aev_test_call_fails(b, "scheduler", "CreateSchedule", create_req("s", bad[i]),
                        AEV_ERR_INVALID, "ValidationException", msg);
  }
  /* Scheduler takes rate(2 minute) (AWS answered it in LocalStack's
   * recorded update test), unlike EventBridge rules. */
  /* Ranges with steps and one-value ranges AWS takes (localstack#13572). */
  const char *good[] = {"rate(2 minute)", "rate(1 minutes)", "rate(1 day)", "cron(0 9 ? * MON-FRI *)",
                        "at(2030-01-01T00:00:00)", "cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
                        "cron(30-30 13-13 ? * 2,4,6 *)", "cron(1-31/30 1-1 ? * 1,7 *)"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    char name[8];
    snprintf(name, sizeof name, "g%zu", i);
    json_decref(aev_test_call(b, "scheduler", "CreateSchedule", create_req(name, good[i]), AEV_OK));
  }
  json_t *l = aev_test_call(b, "scheduler", "ListSchedules", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Schedules")), 8);
  json_decref(l);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(members_validated) {
  aev_broker *b = aev_test_manual_broker(1);
  const char *base = "\"ScheduleExpression\":\"rate(1 hour)\",\"Target\":{\"Arn\":\"" QUEUE
                     "\",\"RoleArn\":\"" ROLE "\"}";
  char req[1024];
  snprintf(req, sizeof req, "{\"Name\":\"s\",%s}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException",
                      "1 validation error detected: Value null at 'flexibleTimeWindow' failed to "
                      "satisfy constraint: Member must not be null");
  snprintf(req, sizeof req, "{\"Name\":\"s\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"FLEXIBLE\"}}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException", NULL);
  snprintf(req, sizeof req,
           "{\"Name\":\"s\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"FLEXIBLE\",\"MaximumWindowInMinutes\":1441}}",
           base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException",
                      "1 validation error detected: Value '1441' at "
                      "'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: "
                      "Member must have value less than or equal to 1440");
  snprintf(req, sizeof req,
           "{\"Name\":\"bad name\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"}}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException",
                      "1 validation error detected: Value 'bad name' at 'name' failed to satisfy "
                      "constraint: Member must satisfy regular expression pattern: "
                      "^[0-9a-zA-Z-_.]+$");
  snprintf(req, sizeof req,
           "{\"Name\":\"s\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"State\":\"PAUSED\"}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException",
                      "1 validation error detected: Value 'PAUSED' at 'state' failed to satisfy "
                      "constraint: Member must satisfy enum value set: [ENABLED, DISABLED]");
  snprintf(req, sizeof req,
           "{\"Name\":\"s\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},"
           "\"ScheduleExpressionTimezone\":\"Europe/Atlantis\"}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException", "Invalid time zone Europe/Atlantis.");
  snprintf(req, sizeof req,
           "{\"Name\":\"s\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},"
           "\"ScheduleExpressionTimezone\":\"../../etc/passwd\"}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException", NULL);
  snprintf(req, sizeof req,
           "{\"Name\":\"s\",%s,\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},"
           "\"StartDate\":1800000000,\"EndDate\":1700000000}", base);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                      "ValidationException", "The EndDate must be after the StartDate.");
  aev_test_call_fails(b, "scheduler", "CreateSchedule",
                      "{\"Name\":\"s\",\"ScheduleExpression\":\"rate(1 hour)\",\"FlexibleTimeWindow\":"
                      "{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":\"arn:aws:ecs:us-east-1:000000000000:"
                      "cluster/c\",\"RoleArn\":\"" ROLE "\"}}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
  aev_test_call_fails(b, "scheduler", "CreateSchedule",
                      "{\"Name\":\"s\",\"ScheduleExpression\":\"rate(1 hour)\",\"FlexibleTimeWindow\":"
                      "{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"" ROLE
                      "\",\"RetryPolicy\":{\"MaximumRetryAttempts\":186}}}",
                      AEV_ERR_INVALID, "ValidationException",
                      "1 validation error detected: Value '186' at "
                      "'target.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: "
                      "Member must have value less than or equal to 185");
  /* A RoleArn that is no IAM role's ARN (API Reference, Target: its pattern). */
  aev_test_call_fails(b, "scheduler", "CreateSchedule",
                      "{\"Name\":\"s\",\"ScheduleExpression\":\"rate(1 hour)\",\"FlexibleTimeWindow\":"
                      "{\"Mode\":\"OFF\"},\"Target\":{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"r\"}}",
                      AEV_ERR_INVALID, "ValidationException",
                      "1 validation error detected: Value 'r' at 'target.roleArn' failed to satisfy "
                      "constraint: Member must satisfy regular expression pattern: "
                      "^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$");
  const char *targets[] = {
      /* a role ARN of another service, of an account that is not 12 digits */
      "{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"arn:aws:sqs:us-east-1:000000000000:role/r\"}",
      "{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"arn:aws:iam::0:role/r\"}",
      /* a universal target of a service the broker does not run */
      "{\"Arn\":\"arn:aws:scheduler:::aws-sdk:dynamodb:putItem\",\"RoleArn\":\"" ROLE "\"}",
      /* an event bus without EventBridgeParameters, a stream without KinesisParameters */
      "{\"Arn\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\",\"RoleArn\":\"" ROLE "\"}",
      "{\"Arn\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\",\"RoleArn\":\"" ROLE "\"}",
      /* a dead-letter queue that is no queue */
      "{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"" ROLE "\",\"DeadLetterConfig\":{\"Arn\":"
      "\"arn:aws:sns:us-east-1:000000000000:t\"}}",
      /* no RoleArn */
      "{\"Arn\":\"" QUEUE "\"}"};
  for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
    snprintf(req, sizeof req,
             "{\"Name\":\"s\",\"ScheduleExpression\":\"rate(1 hour)\",\"FlexibleTimeWindow\":"
             "{\"Mode\":\"OFF\"},\"Target\":%s}", targets[i]);
    aev_test_call_fails(b, "scheduler", "CreateSchedule", req, AEV_ERR_INVALID,
                        "ValidationException", NULL);
  }
  /* Nothing of it was kept. */
  json_t *l = aev_test_call(b, "scheduler", "ListSchedules", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Schedules")), 0);
  json_decref(l);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(conflict_update_delete) {
  aev_broker *b = aev_test_manual_broker(1);
  json_decref(aev_test_call(b, "scheduler", "CreateSchedule", create_req("s1", "rate(1 hour)"), AEV_OK));
  aev_test_call_fails(b, "scheduler", "CreateSchedule", create_req("s1", "rate(2 hours)"),
                      AEV_ERR_EXISTS, "ConflictException", "Schedule s1 already exists.");
  aev_test_call_fails(b, "scheduler", "UpdateSchedule", create_req("s2", "rate(2 hours)"),
                      AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Schedule s2 does not exist.");
  /* A refused update keeps what was there. */
  aev_test_call_fails(b, "scheduler", "UpdateSchedule", create_req("s1", "rate(2 weeks)"),
                      AEV_ERR_INVALID, "ValidationException",
                      "Invalid Schedule Expression rate(2 weeks).");
  json_t *g = get(b, "s1");
  ck_assert_str_eq(str(g, "ScheduleExpression"), "rate(1 hour)");
  json_decref(g);
  aev_broker_advance(b, 60000);
  json_decref(aev_test_call(b, "scheduler", "UpdateSchedule",
                            "{\"Name\":\"s1\",\"ScheduleExpression\":\"rate(2 hours)\","
                            "\"Description\":\"d\",\"State\":\"DISABLED\",\"FlexibleTimeWindow\":"
                            "{\"Mode\":\"FLEXIBLE\",\"MaximumWindowInMinutes\":60},\"Target\":"
                            "{\"Arn\":\"" QUEUE "\",\"RoleArn\":\"" ROLE "\"}}",
                            AEV_OK));
  g = get(b, "s1");
  ck_assert_str_eq(str(g, "ScheduleExpression"), "rate(2 hours)");
  ck_assert_str_eq(str(g, "State"), "DISABLED");
  ck_assert_str_eq(str(g, "Description"), "d");
  ck_assert_int_eq(json_integer_value(json_object_get(
                       json_object_get(g, "FlexibleTimeWindow"), "MaximumWindowInMinutes")), 60);
  ck_assert_int_eq(json_integer_value(json_object_get(g, "LastModificationDate")), 1704067260);
  ck_assert_int_eq(json_integer_value(json_object_get(g, "CreationDate")), 1704067200);
  json_decref(g);
  /* LocalStack's recorded answer for a schedule that is not there. */
  aev_test_call_fails(b, "scheduler", "DeleteSchedule", "{\"Name\":\"not-existing-schedule-name\"}",
                      AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                      "Schedule not-existing-schedule-name does not exist.");
  json_decref(aev_test_call(b, "scheduler", "DeleteSchedule", "{\"Name\":\"s1\"}", AEV_OK));
  aev_test_call_fails(b, "scheduler", "GetSchedule", "{\"Name\":\"s1\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Schedule s1 does not exist.");
  aev_broker_destroy(b);
}
END_TEST

START_TEST(groups_own_schedules) {
  aev_broker *b = aev_test_manual_broker(1);
  json_t *r = aev_test_call(b, "scheduler", "CreateScheduleGroup", "{\"Name\":\"g1\"}", AEV_OK);
  ck_assert_str_eq(str(r, "ScheduleGroupArn"),
                   "arn:aws:scheduler:us-east-1:000000000000:schedule-group/g1");
  json_decref(r);
  aev_test_call_fails(b, "scheduler", "CreateScheduleGroup", "{\"Name\":\"g1\"}", AEV_ERR_EXISTS,
                      "ConflictException", "Schedule group g1 already exists.");
  aev_test_call_fails(b, "scheduler", "CreateScheduleGroup", "{\"Name\":\"default\"}",
                      AEV_ERR_EXISTS, "ConflictException", "Schedule group default already exists.");
  json_t *req = json_loads(create_req("s1", "rate(1 hour)"), 0, NULL);
  json_object_set_new(req, "GroupName", json_string("g1"));
  char *text = json_dumps(req, JSON_COMPACT);
  r = aev_test_call(b, "scheduler", "CreateSchedule", text, AEV_OK);
  ck_assert_str_eq(str(r, "ScheduleArn"), "arn:aws:scheduler:us-east-1:000000000000:schedule/g1/s1");
  json_decref(r);
  json_object_set_new(req, "GroupName", json_string("g2"));
  free(text);
  text = json_dumps(req, JSON_COMPACT);
  aev_test_call_fails(b, "scheduler", "CreateSchedule", text, AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Schedule group g2 does not exist.");
  free(text);
  json_decref(req);
  /* The same name in another group is another schedule. */
  json_decref(aev_test_call(b, "scheduler", "CreateSchedule", create_req("s1", "rate(1 hour)"), AEV_OK));
  json_t *l = aev_test_call(b, "scheduler", "ListSchedules", "{\"GroupName\":\"g1\"}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Schedules")), 1);
  json_decref(l);
  l = aev_test_call(b, "scheduler", "ListScheduleGroups", "{}", AEV_OK);
  json_t *groups = json_object_get(l, "ScheduleGroups");
  ck_assert_int_eq(json_array_size(groups), 2);
  ck_assert_str_eq(str(json_array_get(groups, 0), "Name"), "default");
  ck_assert_str_eq(str(json_array_get(groups, 1), "State"), "ACTIVE");
  json_decref(l);
  aev_test_call_fails(b, "scheduler", "DeleteScheduleGroup", "{\"Name\":\"default\"}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
  json_decref(aev_test_call(b, "scheduler", "DeleteScheduleGroup", "{\"Name\":\"g1\"}", AEV_OK));
  aev_test_call_fails(b, "scheduler", "GetScheduleGroup", "{\"Name\":\"g1\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Schedule group g1 does not exist.");
  /* Its schedules went with it; a group made again under its name is empty. */
  json_decref(aev_test_call(b, "scheduler", "CreateScheduleGroup", "{\"Name\":\"g1\"}", AEV_OK));
  aev_test_call_fails(b, "scheduler", "GetSchedule", "{\"Name\":\"s1\",\"GroupName\":\"g1\"}",
                      AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Schedule s1 does not exist.");
  l = aev_test_call(b, "scheduler", "ListSchedules", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Schedules")), 1);
  json_decref(l);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(tags_on_groups) {
  aev_broker *b = aev_test_manual_broker(1);
  json_decref(aev_test_call(b, "scheduler", "CreateScheduleGroup",
                            "{\"Name\":\"g\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"}]}", AEV_OK));
  const char *arn = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/g";
  char req[256];
  snprintf(req, sizeof req, "{\"ResourceArn\":\"%s\",\"Tags\":[{\"Key\":\"TagKey\",\"Value\":\"TagValue\"}]}", arn);
  json_decref(aev_test_call(b, "scheduler", "TagResource", req, AEV_OK));
  snprintf(req, sizeof req, "{\"ResourceArn\":\"%s\"}", arn);
  json_t *t = aev_test_call(b, "scheduler", "ListTagsForResource", req, AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(t, "Tags")), 2);
  json_decref(t);
  snprintf(req, sizeof req, "{\"ResourceArn\":\"%s\",\"TagKeys\":[\"a\",\"TagKey\"]}", arn);
  json_decref(aev_test_call(b, "scheduler", "UntagResource", req, AEV_OK));
  snprintf(req, sizeof req, "{\"ResourceArn\":\"%s\"}", arn);
  t = aev_test_call(b, "scheduler", "ListTagsForResource", req, AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(t, "Tags")), 0); /* {"Tags": []}, as recorded */
  json_decref(t);
  aev_test_call_fails(b, "scheduler", "ListTagsForResource",
                      "{\"ResourceArn\":\"arn:aws:scheduler:us-east-1:000000000000:schedule-group/x\"}",
                      AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(list_pages_and_filters) {
  aev_broker *b = aev_test_manual_broker(1);
  for (int i = 0; i < 5; i++) {
    char name[8];
    snprintf(name, sizeof name, "p%d", i);
    json_decref(aev_test_call(b, "scheduler", "CreateSchedule", create_req(name, "rate(1 hour)"), AEV_OK));
  }
  json_decref(aev_test_call(b, "scheduler", "CreateSchedule", create_req("x", "rate(1 hour)"), AEV_OK));
  json_t *l = aev_test_call(b, "scheduler", "ListSchedules", "{\"NamePrefix\":\"p\",\"MaxResults\":2}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Schedules")), 2);
  ck_assert_str_eq(str(json_array_get(json_object_get(l, "Schedules"), 0), "Name"), "p0");
  char req[128];
  snprintf(req, sizeof req, "{\"NamePrefix\":\"p\",\"MaxResults\":2,\"NextToken\":\"%s\"}", str(l, "NextToken"));
  json_decref(l);
  l = aev_test_call(b, "scheduler", "ListSchedules", req, AEV_OK);
  ck_assert_str_eq(str(json_array_get(json_object_get(l, "Schedules"), 0), "Name"), "p2");
  json_decref(l);
  l = aev_test_call(b, "scheduler", "ListSchedules", "{\"State\":\"DISABLED\"}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Schedules")), 0);
  ck_assert_ptr_null(json_object_get(l, "NextToken"));
  json_decref(l);
  aev_test_call_fails(b, "scheduler", "ListSchedules", "{\"MaxResults\":0}", AEV_ERR_INVALID,
                      "ValidationException", NULL);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(c_api) {
  aev_broker *b = aev_test_manual_broker(1);
  char *out = NULL, *arn = NULL;
  ck_assert_int_eq(aev_scheduler_create_group(b, "g", "[{\"Key\":\"k\",\"Value\":\"v\"}]", &arn), AEV_OK);
  ck_assert_str_eq(arn, "arn:aws:scheduler:us-east-1:000000000000:schedule-group/g");
  aev_free(arn);
  ck_assert_int_eq(aev_scheduler_create_schedule(b, create_req("c", "rate(1 day)"), &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_scheduler_get_schedule(b, "c", NULL, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"rate(1 day)\""));
  aev_free(out);
  ck_assert_int_eq(aev_scheduler_update_schedule(b, create_req("c", "rate(2 days)"), NULL), AEV_OK);
  ck_assert_int_eq(aev_scheduler_list_schedules(b, NULL, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"Name\":\"c\""));
  aev_free(out);
  ck_assert_int_eq(aev_scheduler_get_group(b, "g", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"State\":\"ACTIVE\""));
  aev_free(out);
  ck_assert_int_eq(aev_scheduler_list_groups(b, "{\"NamePrefix\":\"g\"}", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "schedule-group/g\""));
  aev_free(out);
  ck_assert_int_eq(aev_scheduler_create_schedule(b, "[1]", NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_int_eq(aev_scheduler_delete_schedule(b, "c", NULL), AEV_OK);
  ck_assert_int_eq(aev_scheduler_delete_schedule(b, "c", NULL), AEV_ERR_NOT_FOUND);
  ck_assert_int_eq(aev_scheduler_delete_group(b, "g"), AEV_OK);
  ck_assert_int_eq(aev_scheduler_delete_group(b, "g"), AEV_ERR_NOT_FOUND);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("scheduler");
  TCase *tc = tcase_create("api");
  tcase_add_test(tc, create_get_defaults);
  tcase_add_test(tc, expressions_validated);
  tcase_add_test(tc, members_validated);
  tcase_add_test(tc, conflict_update_delete);
  tcase_add_test(tc, groups_own_schedules);
  tcase_add_test(tc, tags_on_groups);
  tcase_add_test(tc, list_pages_and_filters);
  tcase_add_test(tc, c_api);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
