/* EventBridge Scheduler when memory runs out (nomem.h): each allocation of
 * CreateSchedule, UpdateSchedule, CreateScheduleGroup and of a schedule's
 * firing fails in turn. A call then answers AEV_ERR_NOMEM with nothing
 * stored, or with its effect whole (aev_call serializes its answer after
 * the action, the gap test_nomem_json.c describes), never a validation
 * error or half a schedule; a firing that runs out is retried and the
 * schedule goes on firing. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "aevtest.h"
#include "nomem.h"

#define CREATE                                                                              \
  "{\"Name\":\"s\",\"ScheduleExpression\":\"cron(0/1 * * * ? *)\",\"ScheduleExpressionTimezone\":" \
  "\"Europe/Paris\",\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Description\":\"d\",\"Target\":" \
  "{\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"RoleArn\":\"arn:aws:iam::000000000000:role/r\","    \
  "\"Input\":"                                                                            \
  "\"<aws.scheduler.scheduled-time>\",\"DeadLetterConfig\":{\"Arn\":"                        \
  "\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}}"

typedef struct ctx {
  aev_broker *b;
  const char *action, *req;
  int preset; /* the schedule exists before the call */
  char *resp;
} ctx;

static char *call_text(aev_broker *b, const char *service, const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, service, action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, out ? out : "");
  return out;
}

static void fresh(void *p) {
  ctx *c = p;
  c->b = aev_test_manual_broker(3);
  c->resp = NULL;
  aev_free(call_text(c->b, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}"));
  aev_free(call_text(c->b, "sqs", "CreateQueue", "{\"QueueName\":\"dlq\"}"));
  if (c->preset) aev_free(call_text(c->b, "scheduler", "CreateSchedule", CREATE));
}

static int call(void *p) {
  ctx *c = p;
  return aev_call(c->b, "scheduler", c->action, c->req, &c->resp);
}

/* The schedule as GetSchedule shows it, or NULL. */
static json_t *schedule(ctx *c) {
  char *out = NULL;
  if (aev_call(c->b, "scheduler", "GetSchedule", "{\"Name\":\"s\"}", &out)) {
    aev_free(out);
    return NULL;
  }
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  return j;
}

/* How many messages queue q holds. */
static int messages(ctx *c) {
  char *out = call_text(c->b, "sqs", "GetQueueAttributes",
                        "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/q\","
                        "\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}");
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  int n = atoi(json_string_value(json_object_get(json_object_get(j, "Attributes"),
                                                 "ApproximateNumberOfMessages")));
  json_decref(j);
  return n;
}

static void ended(void *p, const nomem_attempt *a) {
  ctx *c = p;
  json_t *s = schedule(c);
  const char *expr = json_string_value(json_object_get(s, "ScheduleExpression"));
  if (!strcmp(c->action, "CreateSchedule")) {
    ck_assert_msg(a->rc != AEV_OK || s, "allocation %ld: created, not stored", a->k);
  } else if (!strcmp(c->action, "UpdateSchedule")) {
    /* The old configuration or the new one, whole. */
    ck_assert_msg(a->rc != AEV_OK || !strcmp(expr, "rate(2 hours)"), "allocation %ld", a->k);
    ck_assert_msg(!strcmp(expr, "rate(2 hours)") ? json_object_get(s, "Description") == NULL
                                                 : json_object_get(s, "Description") != NULL,
                  "allocation %ld: half an update", a->k);
  }
  if (s) {
    /* Whatever is stored fires: the clock runs unarmed now. */
    int before = messages(c);
    aev_broker_advance(c->b, 4 * 3600000LL);
    ck_assert_msg(messages(c) > before, "allocation %ld: the schedule stopped", a->k);
    ck_assert_ptr_nonnull(json_object_get(json_object_get(s, "Target"), "RetryPolicy"));
  }
  json_decref(s);
}

static void end(void *p) {
  ctx *c = p;
  aev_free(c->resp);
  aev_broker_destroy(c->b);
}

static void sweep(ctx *c, const char *what) {
  const nomem_case nc = {.what = what, .fresh = fresh, .call = call, .succeeded = ended,
                         .failed = ended, .end = end, .expect = NOMEM_FAILS_SOME};
  nomem_tally t = nomem_sweep(&nc, c);
  ck_assert_int_eq(t.failures, t.injected); /* nothing half-done answered OK */
}

START_TEST(create_schedule) {
  ctx c = {.action = "CreateSchedule", .req = CREATE};
  sweep(&c, "CreateSchedule");
}
END_TEST

START_TEST(update_schedule) {
  ctx c = {.action = "UpdateSchedule",
           .req = "{\"Name\":\"s\",\"ScheduleExpression\":\"rate(2 hours)\",\"FlexibleTimeWindow\":"
                  "{\"Mode\":\"FLEXIBLE\",\"MaximumWindowInMinutes\":5},\"Target\":{\"Arn\":"
                  "\"arn:aws:sqs:us-east-1:000000000000:q\",\"RoleArn\":\"arn:aws:iam::000000000000:role/r\"}}",
           .preset = 1};
  sweep(&c, "UpdateSchedule");
}
END_TEST

START_TEST(create_group) {
  ctx c = {.action = "CreateScheduleGroup",
           .req = "{\"Name\":\"g\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}"};
  sweep(&c, "CreateScheduleGroup");
}
END_TEST

/* A firing: the advance that runs it fails each allocation in turn. */
static int fire(void *p) {
  ctx *c = p;
  aev_broker_advance(c->b, 60000);
  return AEV_OK;
}

START_TEST(firing) {
  ctx c = {.preset = 1, .action = "fire"};
  const nomem_case nc = {.what = "firing", .fresh = fresh, .call = fire, .succeeded = ended,
                         .failed = ended, .end = end, .expect = NOMEM_ANY};
  nomem_tally t = nomem_sweep(&nc, &c);
  ck_assert_int_gt(t.injected, 5);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_scheduler");
  TCase *tc = tcase_create("nomem");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, create_schedule);
  tcase_add_test(tc, update_schedule);
  tcase_add_test(tc, create_group);
  tcase_add_test(tc, firing);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
