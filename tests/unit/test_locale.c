/* Numbers under a host locale whose decimal point is a comma (de_DE): a
 * program embedding the library may call setlocale(LC_ALL, ""), and then
 * event patterns, JSONata, SQS/SNS Number attributes and Step Functions
 * must still read "1.5" as 1.5 and write 1.5 as "1.5". Likewise under
 * tr_TR, where the C library's tolower('I') is not 'i', AWS's names still
 * compare without case, and dates in AWS's messages stay English under
 * de_DE's day and month names. The locales are built
 * from Debian's `locales` sources into a temporary directory (LOCPATH),
 * so no root and no installed locale is needed. */
#include <check.h>
#include <ctype.h>
#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aevtest.h"
#include "tree.h"
#include "awsevents/awsevents.h"

#define COMMA_LOCALE "de_DE.UTF-8"
#define DOTLESS_I_LOCALE "tr_TR.UTF-8"

static char locale_dir[] = "/tmp/aev-locale-XXXXXX";
static aev_broker *b;

/* Builds de_DE.UTF-8 and tr_TR.UTF-8 under locale_dir; 0 on success. */
static int make_locales(void) {
  if (!mkdtemp(locale_dir)) return -1;
  char cmd[256];
  /* localedef may exit non-zero over warnings: whether setlocale takes the
   * result is what counts, and that is checked in use_locale(). */
  snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 %s/" COMMA_LOCALE " >/dev/null 2>&1", locale_dir);
  (void)system(cmd);
  snprintf(cmd, sizeof cmd, "localedef -i tr_TR -f UTF-8 %s/" DOTLESS_I_LOCALE " >/dev/null 2>&1",
           locale_dir);
  (void)system(cmd);
  return setenv("LOCPATH", locale_dir, 1);
}

static void remove_locales(void) {
  aev_test_remove_tree(locale_dir);
}

/* Each test runs under a locale as a host program would set it (glibc
 * reads LOCPATH when setlocale is called), with a broker of its own. */
static void use_locale(const char *name) {
  ck_assert_msg(setlocale(LC_ALL, name) != NULL,
                "cannot load the %s locale built with localedef into %s: install Debian's "
                "`locales` package (localedef and /usr/share/i18n/locales; "
                "scripts/install-deps does)",
                name, locale_dir);
  aev_broker_options *o;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
}

static void comma_locale(void) {
  use_locale(COMMA_LOCALE);
  ck_assert_str_eq(localeconv()->decimal_point, ",");
}

static void dotless_i_locale(void) {
  use_locale(DOTLESS_I_LOCALE);
  ck_assert_int_ne(tolower('I'), 'i');
}

static void c_locale(void) {
  aev_broker_destroy(b);
  b = NULL;
  setlocale(LC_ALL, "C");
}

/* 1 when pattern matches event, 0 when not. */
static int matches(const char *pattern, const char *event) {
  aev_pattern *p = NULL;
  int m = -1;
  ck_assert_msg(aev_pattern_compile(pattern, strlen(pattern), &p) == AEV_OK, "%s: %s", pattern,
                aev_errmsg());
  ck_assert_int_eq(aev_pattern_matches(p, event, strlen(event), &m), AEV_OK);
  aev_pattern_free(p);
  return m;
}

START_TEST(pattern_numbers) {
  const char *over = "{\"n\":[{\"numeric\":[\">\",1.25]}]}";
  ck_assert_int_eq(matches(over, "{\"n\":1.5}"), 1);
  ck_assert_int_eq(matches(over, "{\"n\":1.2}"), 0);
  /* More than 15 significant digits: read by strtod, not the fast path. */
  ck_assert_int_eq(matches(over, "{\"n\":1.50000000000000001}"), 1);
  ck_assert_int_eq(matches(over, "{\"n\":1.20000000000000001}"), 0);
  /* The number quoted in an error is written with a point. */
  aev_pattern *p = NULL;
  const char *bad = "{\"n\":[{\"numeric\":[1.5]}]}";
  ck_assert_int_eq(aev_pattern_compile(bad, strlen(bad), &p), AEV_ERR_INVALID);
  ck_assert_msg(strstr(aev_errmsg(), "Invalid member in numeric match: 1.5"), "%s", aev_errmsg());
}
END_TEST

/* expr evaluated with no input: its JSON text, or "<error CODE: MESSAGE>". */
static char *jsonata(const char *expr) {
  aev_jsonata *x = NULL;
  char *out = NULL, buf[256];
  int rc = aev_jsonata_compile(expr, strlen(expr), &x);
  if (rc == AEV_OK) rc = aev_jsonata_evaluate(x, NULL, NULL, &out);
  aev_jsonata_free(x);
  if (rc != AEV_OK) {
    snprintf(buf, sizeof buf, "<error %s: %s>", aev_errcode(), aev_errmsg());
    return strdup(buf);
  }
  char *r = strdup(out ? out : "<undefined>");
  aev_free(out);
  return r;
}

#define JSONATA_IS(expr, want)                                               \
  do {                                                                       \
    char *got_ = jsonata(expr);                                              \
    ck_assert_msg(strcmp(got_, want) == 0, "%s => %s, want %s", expr, got_, want); \
    free(got_);                                                              \
  } while (0)

START_TEST(jsonata_numbers) {
  JSONATA_IS("1.5 + 1", "2.5");
  JSONATA_IS("$string(0.1)", "\"0.1\"");
  JSONATA_IS("$number(\"2.75\")", "2.75");
  JSONATA_IS("$round(3.14159, 2)", "3.14");
  JSONATA_IS("$formatNumber(1.5, '#0.00')", "\"1.50\"");
  JSONATA_IS("$sqrt(-1.5)",
             "<error D3060: The sqrt function cannot be applied to a negative number: -1.5>");
}
END_TEST

/* Sends a message with Number attribute value v through SQS and SNS;
 * returns AEV_OK when both take it, else the status both gave. */
static int number_attribute(const char *v) {
  char *out = NULL, req[512];
  ck_assert_int_eq(aev_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"q\"}", &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "sns", "CreateTopic", "{\"Name\":\"t\"}", &out), AEV_OK);
  aev_free(out);
  snprintf(req, sizeof req,
           "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/000000000000/q\",\"MessageBody\":\"x\","
           "\"MessageAttributes\":{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"%s\"}}}",
           v);
  int sqs = aev_call(b, "sqs", "SendMessage", req, &out);
  aev_free(out);
  snprintf(req, sizeof req,
           "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\",\"Message\":\"x\","
           "\"MessageAttributes\":{\"n\":{\"DataType\":\"Number\",\"StringValue\":\"%s\"}}}",
           v);
  int sns = aev_call(b, "sns", "Publish", req, &out);
  aev_free(out);
  ck_assert_msg(sqs == sns, "%s: SQS %d, SNS %d", v, sqs, sns);
  return sqs;
}

START_TEST(number_attributes) {
  ck_assert_int_eq(number_attribute("1.5"), AEV_OK);
  ck_assert_int_eq(number_attribute("1.5e127"), AEV_ERR_INVALID);
  ck_assert_int_eq(number_attribute("1e129"), AEV_ERR_INVALID);
}
END_TEST

/* Runs an EXPRESS machine to its end: StartSyncExecution's response. */
static json_t *run(const char *definition, const char *input) {
  aev_machine *m = NULL;
  char *out = NULL;
  ck_assert_msg(aev_machine_create(b, "m", definition, strlen(definition), AEV_MACHINE_EXPRESS, &m) == AEV_OK,
                "%s", aev_errmsg());
  ck_assert_int_eq(aev_machine_start_sync(m, NULL, input, strlen(input), &out), AEV_OK);
  json_t *r = json_loads(out, 0, NULL);
  aev_free(out);
  aev_machine_delete(m);
  aev_machine_release(m);
  return r;
}

static void output_is(const char *definition, const char *input, const char *want) {
  json_t *r = run(definition, input);
  const char *status = json_string_value(json_object_get(r, "status"));
  ck_assert_msg(status && !strcmp(status, "SUCCEEDED"), "%s: %s %s", definition, status,
                json_string_value(json_object_get(r, "cause")));
  ck_assert_str_eq(json_string_value(json_object_get(r, "output")), want);
  json_decref(r);
}

#define PASS(fields) "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\"," fields ",\"End\":true}}}"

START_TEST(states_numbers) {
  output_is(PASS("\"InputPath\":\"$.items[?(@.v > 1.5)]\""),
            "{\"items\":[{\"v\":1.25},{\"v\":1.75},{\"v\":2}]}", "[{\"v\":1.75},{\"v\":2}]");
  output_is(PASS("\"Parameters\":{\"a.$\":\"States.Array(2.5, 1)\"}"), "{}", "{\"a\":[2.5,1]}");
  /* A tolerance held in a string, read as Java reads a float. */
  output_is("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":\"$.i\","
            "\"ToleratedFailurePercentagePath\":\"$.p\",\"ItemProcessor\":{\"StartAt\":\"I\","
            "\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}",
            "{\"i\":[0],\"p\":\"12.5\"}", "[0]");
}
END_TEST

/* Cron's day and month names compare without ASCII case, FRI as fri. */
START_TEST(schedule_names_without_case) {
  char *out = NULL;
  int rc = aev_call(b, "events", "PutRule",
                    "{\"Name\":\"r\",\"ScheduleExpression\":\"cron(0 12 ? jan-dec fri *)\"}", &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s", aev_errcode(), aev_errmsg());
  aev_free(out);
}
END_TEST

/* Kinesis's expired-iterator message writes dates as Java does, in
 * English, whatever day and month names the host's locale has. */
START_TEST(iterator_dates_in_english) {
  setlocale(LC_TIME, COMMA_LOCALE);
  char *out = NULL, req[1024];
  ck_assert_int_eq(aev_call(b, "kinesis", "CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}",
                            &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "kinesis", "GetShardIterator",
                            "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                            "\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                            &out), AEV_OK);
  json_t *it = json_loads(out, 0, NULL);
  aev_free(out);
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}",
           json_string_value(json_object_get(it, "ShardIterator")));
  json_decref(it);
  aev_broker_advance(b, 300001);
  ck_assert_int_eq(aev_call(b, "kinesis", "GetRecords", req, &out), AEV_ERR_INVALID);
  aev_free(out);
  ck_assert_msg(strstr(aev_errmsg(), "created at time Mon Jan 01 00:00:00 UTC 2024"), "%s",
                aev_errmsg());
}
END_TEST

static Suite *locale_suite(void) {
  Suite *s = suite_create("locale");
  TCase *tc = tcase_create("comma decimal point");
  tcase_add_checked_fixture(tc, comma_locale, c_locale);
  tcase_add_test(tc, pattern_numbers);
  tcase_add_test(tc, jsonata_numbers);
  tcase_add_test(tc, number_attributes);
  tcase_add_test(tc, states_numbers);
  suite_add_tcase(s, tc);
  tc = tcase_create("dotless i");
  tcase_add_checked_fixture(tc, dotless_i_locale, c_locale);
  tcase_add_test(tc, schedule_names_without_case);
  tcase_add_test(tc, iterator_dates_in_english);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  if (make_locales()) {
    perror("cannot make a temporary locale directory");
    return EXIT_FAILURE;
  }
  int rc = aev_test_run(locale_suite());
  remove_locales();
  return rc;
}
