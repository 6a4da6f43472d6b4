/* EventBridge Scheduler firing on the manual clock: rate() from creation,
 * at() once (and ActionAfterCompletion DELETE), cron() in a time zone,
 * State, StartDate / EndDate, the FLEXIBLE window's seeded delay, context
 * attributes in Input, every templated target kind and a universal target,
 * and RetryPolicy with the dead-letter queue. */
#include <check.h>
#include <time.h>

#include "aevtest.h"
#include "core/broker.h"
#include "function_support.h"

#define ROLE "arn:aws:iam::000000000000:role/r"
#define ACCT "us-east-1:000000000000"
#define QURL "https://sqs.us-east-1.amazonaws.com/000000000000/"

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(7); }
static void teardown(void) { aev_broker_destroy(b); }

static void call_ok(const char *service, const char *action, const char *req) {
  json_decref(aev_test_call(b, service, action, req, AEV_OK));
}

static void queue(const char *name) {
  char req[256];
  snprintf(req, sizeof req, "{\"QueueName\":\"%s\"%s}", name,
           strstr(name, ".fifo") ? ",\"Attributes\":{\"FifoQueue\":\"true\"}" : "");
  call_ok("sqs", "CreateQueue", req);
}

/* Every message in queue name (received and deleted), as a list. */
static json_t *drain_queue(const char *name) {
  json_t *all = json_array();
  for (;;) {
    char req[256];
    snprintf(req, sizeof req,
             "{\"QueueUrl\":\"" QURL "%s\",\"MaxNumberOfMessages\":10,\"MessageAttributeNames\":"
             "[\"All\"],\"MessageSystemAttributeNames\":[\"All\"]}", name);
    json_t *r = aev_test_call(b, "sqs", "ReceiveMessage", req, AEV_OK);
    json_t *msgs = json_object_get(r, "Messages");
    if (!json_array_size(msgs)) {
      json_decref(r);
      return all;
    }
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m) {
      snprintf(req, sizeof req, "{\"QueueUrl\":\"" QURL "%s\",\"ReceiptHandle\":\"%s\"}", name,
               json_string_value(json_object_get(m, "ReceiptHandle")));
      call_ok("sqs", "DeleteMessage", req);
      json_array_append(all, m);
    }
    json_decref(r);
  }
}

static const char *body(json_t *msgs, size_t i) {
  return json_string_value(json_object_get(json_array_get(msgs, i), "Body"));
}

/* CreateSchedule with extra members (JSON text without braces). */
static void schedule(const char *name, const char *expr, const char *target, const char *extra) {
  char req[2048];
  snprintf(req, sizeof req,
           "{\"Name\":\"%s\",\"ScheduleExpression\":\"%s\",\"FlexibleTimeWindow\":{\"Mode\":"
           "\"OFF\"},\"Target\":{\"RoleArn\":\"" ROLE "\",%s}%s%s}",
           name, expr, target, extra ? "," : "", extra ? extra : "");
  call_ok("scheduler", "CreateSchedule", req);
}

START_TEST(rate_fires_from_creation_with_context) {
  queue("q");
  schedule("every5", "rate(5 minutes)",
           "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"<aws.scheduler.schedule-arn> "
           "<aws.scheduler.scheduled-time> #<aws.scheduler.attempt-number> "
           "<aws.scheduler.execution-id>\"", NULL);
  aev_broker_advance(b, 10 * 60000);
  json_t *m = drain_queue("q");
  /* The first at once (no StartDate), then every 5 minutes. */
  ck_assert_int_eq(json_array_size(m), 3);
  char want[256];
  snprintf(want, sizeof want,
           "arn:aws:scheduler:" ACCT ":schedule/default/every5 2024-01-01T00:05:00Z #1 ");
  ck_assert_int_eq(strncmp(body(m, 1), want, strlen(want)), 0);
  ck_assert_int_eq(strlen(body(m, 1)), strlen(want) + 16); /* a 16-digit execution id */
  json_decref(m);
}
END_TEST

START_TEST(at_fires_once_and_deletes) {
  queue("q");
  schedule("once", "at(2024-01-01T00:30:00)", "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"x\"",
           "\"ActionAfterCompletion\":\"DELETE\"");
  schedule("kept", "at(2024-01-01T00:30:00)", "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"y\"",
           NULL);
  aev_broker_advance(b, 29 * 60000);
  json_t *m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 0);
  json_decref(m);
  aev_broker_advance(b, 24 * 3600000LL);
  m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 2);
  json_decref(m);
  aev_test_call_fails(b, "scheduler", "GetSchedule", "{\"Name\":\"once\"}", AEV_ERR_NOT_FOUND,
                      "ResourceNotFoundException", "Schedule once does not exist.");
  call_ok("scheduler", "GetSchedule", "{\"Name\":\"kept\"}");
  /* Nothing is left armed. */
  int64_t t;
  ck_assert_int_ne(aev_broker_next_deadline(b, &t), AEV_OK);
}
END_TEST

START_TEST(cron_in_a_time_zone) {
  queue("q");
  /* 09:00 in New York: 14:00 UTC in winter, 13:00 UTC in summer. */
  schedule("nine", "cron(0 9 * * ? *)",
           "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"<aws.scheduler.scheduled-time>\"",
           "\"ScheduleExpressionTimezone\":\"America/New_York\"");
  aev_broker_advance(b, 2 * 86400000LL);
  json_t *m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 2);
  ck_assert_str_eq(body(m, 0), "2024-01-01T14:00:00Z");
  ck_assert_str_eq(body(m, 1), "2024-01-02T14:00:00Z");
  json_decref(m);
  /* Jump to just before the spring change: 2024-03-10 is 09:00 EDT. */
  int64_t now = aev_broker_now_ms(b);
  aev_broker_advance(b, 1710046800000LL - now); /* 2024-03-10T05:00:00Z */
  json_decref(drain_queue("q"));
  aev_broker_advance(b, 86400000LL);
  m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(body(m, 0), "2024-03-10T13:00:00Z");
  json_decref(m);
}
END_TEST

START_TEST(state_and_dates) {
  queue("q");
  schedule("off", "rate(1 minute)", "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"off\"",
           "\"State\":\"DISABLED\"");
  /* StartDate 10 minutes on, EndDate 12: three firings, none after. */
  schedule("window", "rate(1 minute)", "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"w\"",
           "\"StartDate\":1704067800,\"EndDate\":1704067920");
  aev_broker_advance(b, 60 * 60000);
  json_t *m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 3);
  for (size_t i = 0; i < 3; i++) ck_assert_str_eq(body(m, i), "w");
  json_decref(m);
  /* Enabled by an update (at 01:01:30, no whole period since it was
   * made): it fires at once, a period counted from the update. */
  aev_broker_advance(b, 90000);
  call_ok("scheduler", "UpdateSchedule",
          "{\"Name\":\"off\",\"ScheduleExpression\":\"rate(1 hour)\",\"FlexibleTimeWindow\":{\"Mode\":"
          "\"OFF\"},\"Target\":{\"RoleArn\":\"" ROLE "\",\"Arn\":\"arn:aws:sqs:" ACCT
          ":q\",\"Input\":\"on\"}}");
  aev_broker_advance(b, 0);
  m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(body(m, 0), "on");
  json_decref(m);
  /* Deleting stops it. */
  call_ok("scheduler", "DeleteSchedule", "{\"Name\":\"off\"}");
  aev_broker_advance(b, 3 * 3600000LL);
  m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 0);
  json_decref(m);
}
END_TEST

/* The first fire time of a FLEXIBLE rate(1 hour) schedule on a broker
 * seeded seed. */
static int64_t flexible_first(uint64_t seed) {
  aev_broker *o = aev_test_manual_broker(seed);
  json_decref(aev_test_call(o, "scheduler", "CreateSchedule",
                            "{\"Name\":\"f\",\"ScheduleExpression\":\"rate(1 hour)\","
                            "\"FlexibleTimeWindow\":{\"Mode\":\"FLEXIBLE\",\"MaximumWindowInMinutes\":15},"
                            "\"Target\":{\"RoleArn\":\"" ROLE "\",\"Arn\":\"arn:aws:sqs:" ACCT ":q\"}}",
                            AEV_OK));
  int64_t t = -1;
  ck_assert_int_eq(aev_broker_next_deadline(o, &t), AEV_OK);
  int64_t start = aev_broker_now_ms(o);
  aev_broker_destroy(o);
  return t - start;
}

START_TEST(flexible_window_is_seeded) {
  int64_t a = flexible_first(11), b2 = flexible_first(11), c = flexible_first(12);
  ck_assert_int_eq(a, b2);
  ck_assert(a >= 0 && a < 15 * 60000);
  ck_assert(c >= 0 && c < 15 * 60000);
  ck_assert_int_ne(a, c);
}
END_TEST

START_TEST(templated_targets) {
  queue("f.fifo");
  queue("via-sns");
  queue("via-bus");
  queue("q");
  schedule("fifo", "rate(1 hour)",
           "\"Arn\":\"arn:aws:sqs:" ACCT ":f.fifo\",\"Input\":\"ff\",\"SqsParameters\":"
           "{\"MessageGroupId\":\"g1\"}", NULL);
  call_ok("sns", "CreateTopic", "{\"Name\":\"t\"}");
  call_ok("sns", "Subscribe", "{\"TopicArn\":\"arn:aws:sns:" ACCT ":t\",\"Protocol\":\"sqs\","
                              "\"Endpoint\":\"arn:aws:sqs:" ACCT ":via-sns\",\"Attributes\":"
                              "{\"RawMessageDelivery\":\"true\"}}");
  schedule("sns", "rate(1 hour)", "\"Arn\":\"arn:aws:sns:" ACCT ":t\",\"Input\":\"to sns\"", NULL);
  call_ok("events", "PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"my.app\\\"]}\"}");
  call_ok("events", "PutTargets", "{\"Rule\":\"r\",\"Targets\":[{\"Id\":\"1\",\"Arn\":"
                                  "\"arn:aws:sqs:" ACCT ":via-bus\",\"InputPath\":\"$.detail\"}]}");
  schedule("bus", "rate(1 hour)",
           "\"Arn\":\"arn:aws:events:" ACCT ":event-bus/default\",\"Input\":\"{\\\"k\\\":1}\","
           "\"EventBridgeParameters\":{\"DetailType\":\"tick\",\"Source\":\"my.app\"}", NULL);
  call_ok("kinesis", "CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}");
  schedule("kin", "rate(1 hour)",
           "\"Arn\":\"arn:aws:kinesis:" ACCT ":stream/s\",\"Input\":\"rec\","
           "\"KinesisParameters\":{\"PartitionKey\":\"pk\"}", NULL);
  aev_machine *mach;
  const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}";
  ck_assert_int_eq(aev_machine_create(b, "m", def, strlen(def), AEV_MACHINE_STANDARD, &mach), AEV_OK);
  schedule("sfn", "rate(1 hour)",
           "\"Arn\":\"arn:aws:states:" ACCT ":stateMachine:m\",\"Input\":\"{\\\"n\\\":2}\"", NULL);
  ft_state st = {0};
  aev_function *fn = ft_function(b, "fn", NULL, &st);
  schedule("lambda", "rate(1 hour)",
           "\"Arn\":\"arn:aws:lambda:" ACCT ":function:fn\",\"Input\":\"{\\\"t\\\":\\\"<aws.scheduler.scheduled-time>\\\"}\"",
           NULL);
  schedule("universal", "rate(1 hour)",
           "\"Arn\":\"arn:aws:scheduler:::aws-sdk:sqs:sendMessage\",\"Input\":\"{\\\"QueueUrl\\\":"
           "\\\"" QURL "q\\\",\\\"MessageBody\\\":\\\"<aws.scheduler.scheduled-time>\\\"}\"", NULL);
  aev_broker_advance(b, 1000);

  json_t *m = drain_queue("f.fifo");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(json_array_get(m, 0), "Attributes"), "MessageGroupId")), "g1");
  json_decref(m);
  m = drain_queue("via-sns");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(body(m, 0), "to sns");
  json_decref(m);
  m = drain_queue("via-bus");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(body(m, 0), "{\"k\":1}");
  json_decref(m);
  m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(body(m, 0), "2024-01-01T00:00:00Z");
  json_decref(m);
  json_t *it = aev_test_call(b, "kinesis", "GetShardIterator",
                             "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                             "\"ShardIteratorType\":\"TRIM_HORIZON\"}", AEV_OK);
  char req[1024];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}",
           json_string_value(json_object_get(it, "ShardIterator")));
  json_decref(it);
  json_t *recs = aev_test_call(b, "kinesis", "GetRecords", req, AEV_OK);
  json_t *rec = json_array_get(json_object_get(recs, "Records"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(rec, "Data")), "cmVj"); /* "rec" */
  ck_assert_str_eq(json_string_value(json_object_get(rec, "PartitionKey")), "pk");
  json_decref(recs);
  json_t *ex = aev_test_call(b, "states", "ListExecutions",
                             "{\"stateMachineArn\":\"arn:aws:states:" ACCT ":stateMachine:m\"}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(ex, "executions")), 1);
  json_decref(ex);
  ck_assert_int_eq(st.calls, 1);
  ck_assert_str_eq(st.last_event, "{\"t\":\"2024-01-01T00:00:00Z\"}");
  aev_function_release(fn);
  aev_machine_release(mach);
}
END_TEST

/* The delivery stream outlives the test (the broker's teardown ends it). */
static aev_test_sunk sunk;

START_TEST(firehose_target) {
  aev_delivery *f;
  sunk = (aev_test_sunk){0};
  ck_assert_int_eq(aev_delivery_create_with_sink(
                       b, "fh", "{\"BufferingHints\":{\"IntervalInSeconds\":60,\"SizeInMBs\":1}}",
                       aev_test_sink, &sunk, NULL, &f), AEV_OK);
  schedule("fh", "at(2024-01-01T00:00:00)",
           "\"Arn\":\"arn:aws:firehose:" ACCT ":deliverystream/fh\",\"Input\":\"{\\\"fixed\\\":1}\"",
           NULL);
  aev_broker_advance(b, 61000); /* the buffer's interval */
  ck_assert_int_eq(sunk.n, 1);
  ck_assert_str_eq(sunk.last, "{\"fixed\":1}");
  aev_delivery_release(f);
}
END_TEST

static const char *attr(json_t *msg, const char *key) {
  return json_string_value(json_object_get(
      json_object_get(json_object_get(msg, "MessageAttributes"), key), "StringValue"));
}

START_TEST(retries_then_dead_letter_queue) {
  queue("dlq");
  /* The target queue does not exist: retried twice, then dead-lettered. */
  schedule("lost", "at(2024-01-01T00:01:00)",
           "\"Arn\":\"arn:aws:sqs:" ACCT ":missing\",\"Input\":\"payload\",\"RetryPolicy\":"
           "{\"MaximumRetryAttempts\":2},\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:" ACCT ":dlq\"}",
           NULL);
  aev_broker_advance(b, 60000 + 2000);
  json_t *m = drain_queue("dlq");
  ck_assert_int_eq(json_array_size(m), 0); /* the second retry waits 2 s after the first's 1 s */
  json_decref(m);
  aev_broker_advance(b, 2000);
  m = drain_queue("dlq");
  ck_assert_int_eq(json_array_size(m), 1);
  json_t *msg = json_array_get(m, 0);
  ck_assert_str_eq(body(m, 0), "payload");
  ck_assert_str_eq(attr(msg, "EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");
  ck_assert_str_eq(attr(msg, "RETRY_ATTEMPTS"), "2");
  ck_assert_str_eq(attr(msg, "SCHEDULE_ARN"), "arn:aws:scheduler:" ACCT ":schedule/default/lost");
  ck_assert_str_eq(attr(msg, "TARGET_ARN"), "arn:aws:sqs:" ACCT ":missing");
  ck_assert_ptr_nonnull(attr(msg, "ERROR_CODE"));
  ck_assert_ptr_nonnull(attr(msg, "ERROR_MESSAGE"));
  json_decref(m);
  /* MaximumEventAgeInSeconds 60: backoff reaches past a minute first. */
  schedule("aged", "at(2024-01-01T01:00:00)",
           "\"Arn\":\"arn:aws:sqs:" ACCT ":missing\",\"RetryPolicy\":"
           "{\"MaximumEventAgeInSeconds\":60},\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:" ACCT ":dlq\"}",
           NULL);
  aev_broker_advance(b, 2 * 3600000LL);
  m = drain_queue("dlq");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(attr(json_array_get(m, 0), "EXHAUSTED_RETRY_CONDITION"), "MaximumEventAgeInSeconds");
  ck_assert_str_eq(attr(json_array_get(m, 0), "RETRY_ATTEMPTS"), "5"); /* 1+2+4+8+16 s, then 32 > 60 */
  json_decref(m);
  /* An invalid request is not retried: a universal target whose Input is
   * no object. */
  schedule("bad", "at(2024-01-01T04:00:00)",
           "\"Arn\":\"arn:aws:scheduler:::aws-sdk:sqs:sendMessage\",\"Input\":\"[1]\","
           "\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:" ACCT ":dlq\"}", NULL);
  aev_broker_advance(b, 2 * 3600000LL);
  m = drain_queue("dlq");
  ck_assert_int_eq(json_array_size(m), 1);
  ck_assert_str_eq(attr(json_array_get(m, 0), "RETRY_ATTEMPTS"), "0");
  ck_assert_str_eq(attr(json_array_get(m, 0), "ERROR_CODE"), "ValidationException");
  ck_assert_ptr_null(attr(json_array_get(m, 0), "EXHAUSTED_RETRY_CONDITION"));
  json_decref(m);
}
END_TEST

START_TEST(group_deletion_stops_its_schedules) {
  queue("q");
  call_ok("scheduler", "CreateScheduleGroup", "{\"Name\":\"g\"}");
  call_ok("scheduler", "CreateSchedule",
          "{\"Name\":\"s\",\"GroupName\":\"g\",\"ScheduleExpression\":\"rate(1 minute)\","
          "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"RoleArn\":\"" ROLE "\",\"Arn\":"
          "\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"g\"}}");
  aev_broker_advance(b, 60000);
  json_t *m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 2);
  json_decref(m);
  call_ok("scheduler", "DeleteScheduleGroup", "{\"Name\":\"g\"}");
  aev_broker_advance(b, 10 * 60000);
  m = drain_queue("q");
  ck_assert_int_eq(json_array_size(m), 0);
  json_decref(m);
  int64_t t;
  ck_assert_int_ne(aev_broker_next_deadline(b, &t), AEV_OK);
}
END_TEST

/* DESIGN §7's idle test, on a real-clock broker with workers: schedules
 * whose next times are far away use no CPU; one due now is delivered by
 * the worker threads (a long poll wakes on it). */
START_TEST(real_clock_idle_and_firing) {
  aev_broker *r = aev_test_real_broker(2);
  json_decref(aev_test_call(r, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}", AEV_OK));
  const char *far[] = {"cron(0 0 1 1 ? *)", "rate(1 day)", "at(2199-01-01T00:00:00)"};
  for (int i = 0; i < 3; i++) {
    char req[512];
    snprintf(req, sizeof req,
             "{\"Name\":\"far%d\",\"ScheduleExpression\":\"%s\",\"StartDate\":7258118400,"
             "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"RoleArn\":\"" ROLE "\",\"Arn\":"
             "\"arn:aws:sqs:" ACCT ":q\"}}", i, far[i]);
    json_decref(aev_test_call(r, "scheduler", "CreateSchedule", req, AEV_OK));
  }
  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "idle schedules used %.4f s of CPU in a 1 s sleep", used);
  json_decref(aev_test_call(r, "scheduler", "CreateSchedule",
                            "{\"Name\":\"now\",\"ScheduleExpression\":\"rate(1 hour)\","
                            "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},\"Target\":{\"RoleArn\":\"" ROLE "\","
                            "\"Arn\":\"arn:aws:sqs:" ACCT ":q\",\"Input\":\"now\"}}", AEV_OK));
  json_t *m = aev_test_call(r, "sqs", "ReceiveMessage",
                            "{\"QueueUrl\":\"" QURL "q\",\"WaitTimeSeconds\":5}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_array_get(json_object_get(m, "Messages"), 0), "Body")), "now");
  json_decref(m);
  aev_broker_destroy(r);
}
END_TEST

/* A real-clock broker with a queue q and an at() schedule "once" for
 * seconds from now, which sends "once" to q. */
static aev_broker *at_schedule_in(int seconds) {
  aev_broker *r = aev_test_real_broker(2);
  json_decref(aev_test_call(r, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}", AEV_OK));
  const time_t at = (time_t)(aev_broker_now_ms(r) / 1000 + seconds);
  char when[32], req[512];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", gmtime(&at));
  snprintf(req, sizeof req,
           "{\"Name\":\"once\",\"ScheduleExpression\":\"at(%s)\",\"FlexibleTimeWindow\":"
           "{\"Mode\":\"OFF\"},\"Target\":{\"RoleArn\":\"" ROLE "\",\"Arn\":\"arn:aws:sqs:" ACCT
           ":q\",\"Input\":\"once\"}}", when);
  json_decref(aev_test_call(r, "scheduler", "CreateSchedule", req, AEV_OK));
  return r;
}

/* The at() schedule's one message arrives on q within wait seconds. */
static void expect_once(aev_broker *r, int wait, const char *failure) {
  char req[256];
  snprintf(req, sizeof req, "{\"QueueUrl\":\"" QURL "q\",\"WaitTimeSeconds\":%d}", wait);
  json_t *m = aev_test_call(r, "sqs", "ReceiveMessage", req, AEV_OK);
  json_t *msgs = json_object_get(m, "Messages");
  ck_assert_msg(json_array_size(msgs) == 1, "%s", failure);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 0), "Body")), "once");
  json_decref(m);
}

/* A schedule's timer runs on the monotonic clock toward a wall-clock time.
 * The wall clock stepped back after it was set (as NTP may), the timer
 * comes early: the schedule must still run once its time has come, not
 * be taken for a stale timer and dropped. */
START_TEST(real_clock_stepped_back) {
  aev_broker *r = at_schedule_in(2);
  aev__clock_step_wall(aev__broker_clock(r), -2000);
  expect_once(r, 15, "the at() schedule did not run");
  aev_broker_destroy(r);
}
END_TEST

/* The wall clock set forward (an NTP step, or a resume from suspend, which
 * the monotonic clock does not count) past a schedule's time: the schedule
 * runs at once, not when its timer's monotonic deadline, worked out
 * before, comes two minutes later. The scheduler's clock watch calls
 * aev__sched_wall_set on such a set; a test cannot set the system's
 * clock, so it calls it after moving the broker's wall clock. */
START_TEST(real_clock_stepped_forward) {
  aev_broker *r = at_schedule_in(120);
  aev__clock_step_wall(aev__broker_clock(r), 121 * 1000);
  aev__sched_wall_set(aev__broker_sched(r));
  expect_once(r, 10, "the at() schedule did not run once its time came");
  aev_broker_destroy(r);
}
END_TEST

int main(void) {
  Suite *s = suite_create("scheduler_fire");
  TCase *tc = tcase_create("fire");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, rate_fires_from_creation_with_context);
  tcase_add_test(tc, at_fires_once_and_deletes);
  tcase_add_test(tc, cron_in_a_time_zone);
  tcase_add_test(tc, state_and_dates);
  tcase_add_test(tc, flexible_window_is_seeded);
  tcase_add_test(tc, templated_targets);
  tcase_add_test(tc, firehose_target);
  tcase_add_test(tc, retries_then_dead_letter_queue);
  tcase_add_test(tc, group_deletion_stops_its_schedules);
  suite_add_tcase(s, tc);
  TCase *real = tcase_create("real");
  tcase_add_test(real, real_clock_idle_and_firing);
  tcase_add_test(real, real_clock_stepped_back);
  tcase_add_test(real, real_clock_stepped_forward);
  suite_add_tcase(s, real);
  return aev_test_run(s);
}
