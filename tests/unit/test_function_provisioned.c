/* Provisioned concurrency on the manual clock: only published versions and
 * aliases, IN_PROGRESS until allocation (60 s) then READY with the init
 * hook run once per environment ahead of any invocation, invocations of
 * that version within it warm (no cold start) and beyond it cold, the
 * reserved-concurrency bound, Delete, and the lambda API actions. */
#include "aevtest.h"
#include "function/function.h"
#include "function_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static void on_done(void *user, const aev__invoke_result *r) {
  (void)r;
  (*(int *)user)++;
}

/* A version-qualified Event invocation (runs at the next drain). */
static void call_version(aev_function *f, const char *qualifier) {
  ck_assert_int_eq(aev_function_invoke_event_qualified(f, qualifier, "{}", 2, NULL),
                   AEV_OK);
}

static char *config(aev_function *f, const char *q) {
  char *j = NULL;
  ck_assert_int_eq(aev_function_provisioned_concurrency(f, q, &j), AEV_OK);
  return j;
}

START_TEST(allocation_makes_invocations_warm) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "pc", NULL, &s);
  ck_assert_int_eq(aev_function_set_init(f, ft_init), AEV_OK);
  char *v;
  ck_assert_int_eq(aev_function_publish_version(f, NULL, &v), AEV_OK);
  aev_free(v);
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(f, "1", 2), AEV_OK);
  char *j = config(f, "1");
  ck_assert_str_eq(j, "{\"RequestedProvisionedConcurrentExecutions\":2,"
                      "\"AvailableProvisionedConcurrentExecutions\":0,"
                      "\"AllocatedProvisionedConcurrentExecutions\":0,"
                      "\"Status\":\"IN_PROGRESS\","
                      "\"LastModified\":\"2024-01-01T00:00:00.000+0000\"}");
  aev_free(j);
  ck_assert_int_eq(aev_broker_advance(b, 59999), AEV_OK);
  ck_assert_int_eq(s.inits, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  /* Initialised ahead: the init hook ran for each environment. */
  ck_assert_int_eq(s.inits, 2);
  j = config(f, "1");
  ck_assert_ptr_nonnull(strstr(j, "\"AllocatedProvisionedConcurrentExecutions\":2,"
                                  "\"Status\":\"READY\""));
  aev_free(j);
  int done = 0;
  call_version(f, "1");
  call_version(f, "1");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.nheld, 2);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 0);
  ck_assert_int_eq(s.inits, 2);
  /* Beyond the provisioned two: a cold start. So is $LATEST. */
  call_version(f, "1");
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, on_done, &done), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 2);
  ck_assert_int_eq(s.inits, 4);
  for (int i = 0; i < s.nheld; i++)
    ck_assert_int_eq(aev_invocation_succeed(s.held[i], "1", 1), AEV_OK);
  /* Provisioned environments stay however long they idle. */
  ck_assert_int_eq(aev_function_set_idle_reclaim_ms(f, 1000), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 3600000), AEV_OK);
  s.nheld = 0;
  call_version(f, "1");
  call_version(f, "1");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 2);
  for (int i = 0; i < s.nheld; i++)
    ck_assert_int_eq(aev_invocation_succeed(s.held[i], "1", 1), AEV_OK);
  /* Deleted: the next invocation of version 1 starts cold. */
  ck_assert_int_eq(aev_function_delete_provisioned_concurrency(f, "1"), AEV_OK);
  ft_assert_error(aev_function_provisioned_concurrency(f, "1", &j), AEV_ERR_NOT_FOUND,
                  "ProvisionedConcurrencyConfigNotFoundException",
                  "No Provisioned Concurrency Config found for this function");
  s.nheld = 0;
  call_version(f, "1");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 3);
  ck_assert_int_eq(aev_invocation_succeed(s.held[0], "1", 1), AEV_OK);
  aev_function_release(f);
}
END_TEST

START_TEST(alias_and_errors) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "pa", NULL, &s);
  ck_assert_int_eq(aev_function_set_init(f, ft_init), AEV_OK);
  char *v;
  ck_assert_int_eq(aev_function_publish_version(f, NULL, &v), AEV_OK);
  aev_free(v);
  ck_assert_int_eq(aev_function_create_alias(f, "live", "1", NULL, NULL, &v), AEV_OK);
  aev_free(v);
  ft_assert_error(aev_function_put_provisioned_concurrency(f, "$LATEST", 1), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  ft_assert_error(aev_function_put_provisioned_concurrency(f, "7", 1), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "");
  ft_assert_error(aev_function_put_provisioned_concurrency(f, "live", 0), AEV_ERR_INVALID,
                  "ValidationException", "greater than or equal to 1");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 1), AEV_OK);
  ft_assert_error(aev_function_put_provisioned_concurrency(f, "live", 2), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "should not be greater than the reservedConcurrentExecution");
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(f, "live", 1), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.inits, 1);
  /* Through the alias, the provisioned version runs warm. */
  char *out;
  ck_assert_int_eq(aev_function_invoke_qualified(f, "live", "{}", 2, &out, NULL, NULL, NULL),
                   AEV_OK);
  aev_free(out);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 0);
  /* A second Put replaces the first (allocated again). */
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, -1), AEV_OK);
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(f, "live", 3), AEV_OK);
  char *j = config(f, "live");
  ck_assert_ptr_nonnull(strstr(j, "\"Status\":\"IN_PROGRESS\""));
  aev_free(j);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.inits, 4);
  aev_function_release(f);
}
END_TEST

/* Recorded (test_lambda_concurrency_block, test_reserved_provisioned_overlap):
 * provisioned concurrency takes its part of the reservation, so with all of
 * it provisioned for version 1, $LATEST is throttled while version 1 runs;
 * with one of two provisioned, one invocation of $LATEST runs beside a
 * provisioned one of version 1. */
START_TEST(provisioned_part_of_reservation) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "block", NULL, &s);
  char *v;
  ck_assert_int_eq(aev_function_publish_version(f, NULL, &v), AEV_OK);
  aev_free(v);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 1), AEV_OK);
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(f, "1", 1), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  s.mode = FT_ECHO;
  char *out;
  ft_assert_error(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  ck_assert_int_eq(aev_function_invoke_qualified(f, "1", "{}", 2, &out, NULL, NULL, NULL), AEV_OK);
  aev_free(out);
  ft_assert_error(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 2), AEV_OK);
  s.mode = FT_HOLD;
  ck_assert_int_eq(aev_function_invoke_event_qualified(f, "1", "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.nheld, 1);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.nheld, 2);
  s.mode = FT_ECHO;
  ft_assert_error(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  for (int i = 0; i < s.nheld; i++) ck_assert_int_eq(aev_invocation_succeed(s.held[i], "{}", 2), AEV_OK);
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_OK);
  aev_free(out);
  aev_function_release(f);
}
END_TEST

START_TEST(api_actions) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "api", NULL, &s);
  char *out;
  ck_assert_int_eq(aev_call(b, "lambda", "PublishVersion", "{\"FunctionName\":\"api\"}", &out),
                   AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "PutProvisionedConcurrencyConfig",
                            "{\"FunctionName\":\"api\",\"Qualifier\":\"1\","
                            "\"ProvisionedConcurrentExecutions\":4}", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"RequestedProvisionedConcurrentExecutions\":4"));
  aev_free(out);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_call(b, "lambda", "GetProvisionedConcurrencyConfig",
                            "{\"FunctionName\":\"api\",\"Qualifier\":\"1\"}", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"AvailableProvisionedConcurrentExecutions\":4"));
  ck_assert_ptr_nonnull(strstr(out, "\"Status\":\"READY\""));
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteProvisionedConcurrencyConfig",
                            "{\"FunctionName\":\"api\",\"Qualifier\":\"1\"}", &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "GetProvisionedConcurrencyConfig",
                            "{\"FunctionName\":\"api\",\"Qualifier\":\"1\"}", &out),
                   AEV_ERR_NOT_FOUND);
  aev_free(out);
  /* Deleting the function with a pending allocation frees everything. */
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(f, "1", 2), AEV_OK);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  aev_function_release(f);
}
END_TEST

/* The provisioned concurrency actions' errors as Lambda answers them
 * (recorded: test_provisioned_concurrency_exceptions). */
START_TEST(api_errors) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "pe", NULL, &s);
  aev_function_release(f);
  char *out;
  ck_assert_int_eq(aev_call(b, "lambda", "PublishVersion", "{\"FunctionName\":\"pe\"}", &out), AEV_OK);
  aev_free(out);
  const char *arn = "arn:aws:lambda:us-east-1:000000000000:function:";
  struct { const char *action, *req; int status; const char *code, *msg; } cases[] = {
      {"GetProvisionedConcurrencyConfig", "{\"FunctionName\":\"pe\",\"Qualifier\":\"1\"}", AEV_ERR_NOT_FOUND,
       "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function"},
      {"GetProvisionedConcurrencyConfig", "{\"FunctionName\":\"nope\",\"Qualifier\":\"noalias\"}", AEV_ERR_NOT_FOUND,
       "ResourceNotFoundException", "Cannot find alias arn: %snope:noalias"},
      {"GetProvisionedConcurrencyConfig", "{\"FunctionName\":\"pe\",\"Qualifier\":\"noalias\"}", AEV_ERR_NOT_FOUND,
       "ResourceNotFoundException", "Cannot find alias arn: %spe:noalias"},
      {"GetProvisionedConcurrencyConfig", "{\"FunctionName\":\"pe\",\"Qualifier\":\"10\"}", AEV_ERR_NOT_FOUND,
       "ResourceNotFoundException", "Function not found: %spe:10"},
      {"GetProvisionedConcurrencyConfig", "{\"FunctionName\":\"pe\",\"Qualifier\":\"$LATEST\"}", AEV_ERR_INVALID,
       "InvalidParameterValueException", "The function resource provided must be an alias or a published version."},
      {"DeleteProvisionedConcurrencyConfig", "{\"FunctionName\":\"nope\",\"Qualifier\":\"1\"}", AEV_ERR_NOT_FOUND,
       "ResourceNotFoundException", "Function not found: %snope:1"},
      {"DeleteProvisionedConcurrencyConfig", "{\"FunctionName\":\"pe\",\"Qualifier\":\"$LATEST\"}", AEV_ERR_INVALID,
       "InvalidParameterValueException", "The function resource provided must be an alias or a published version."},
      {"PutProvisionedConcurrencyConfig", "{\"FunctionName\":\"nope\",\"Qualifier\":\"1\","
       "\"ProvisionedConcurrentExecutions\":0}", AEV_ERR_INVALID, "ValidationException",
       "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: "
       "Member must have value greater than or equal to 1"},
      {"PutProvisionedConcurrencyConfig", "{\"FunctionName\":\"pe\",\"Qualifier\":\"doesnotexist\","
       "\"ProvisionedConcurrentExecutions\":1}", AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
       "Cannot find alias arn: %spe:doesnotexist"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char want[200];
    snprintf(want, sizeof want, cases[i].msg, arn);
    ck_assert_int_eq(aev_call(b, "lambda", cases[i].action, cases[i].req, &out), cases[i].status);
    ck_assert_msg(strstr(out, cases[i].code) && strstr(out, want), "%s %s: %s", cases[i].action, cases[i].req, out);
    aev_free(out);
  }
  /* Deleting a configuration that was never made succeeds. */
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteProvisionedConcurrencyConfig",
                            "{\"FunctionName\":\"pe\",\"Qualifier\":\"1\"}", &out), AEV_OK);
  aev_free(out);
}
END_TEST

/* A version is provisioned by itself or through an alias, not both;
 * DeleteAlias takes the alias's configuration with it; the list names
 * each by its qualified ARN (recorded: test_lambda_provisioned_lifecycle). */
START_TEST(api_version_alias_conflicts_and_list) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "pl", NULL, &s);
  aev_function_release(f);
  char *out;
  ck_assert_int_eq(aev_call(b, "lambda", "PublishVersion", "{\"FunctionName\":\"pl\"}", &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "CreateAlias",
                            "{\"FunctionName\":\"pl\",\"Name\":\"al\",\"FunctionVersion\":\"1\"}", &out), AEV_OK);
  aev_free(out);
  const char *on_version = "{\"FunctionName\":\"pl\",\"Qualifier\":\"1\",\"ProvisionedConcurrentExecutions\":1}";
  const char *on_alias = "{\"FunctionName\":\"pl\",\"Qualifier\":\"al\",\"ProvisionedConcurrentExecutions\":1}";
  ck_assert_int_eq(aev_call(b, "lambda", "PutProvisionedConcurrencyConfig", on_version, &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "PutProvisionedConcurrencyConfig", on_alias, &out), AEV_ERR_EXISTS);
  ck_assert_msg(strstr(out, "ResourceConflictException") &&
                strstr(out, "Alias can't be used for Provisioned Concurrency configuration on an already "
                            "Provisioned version"), "%s", out);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "ListProvisionedConcurrencyConfigs", "{\"FunctionName\":\"pl\"}", &out),
                   AEV_OK);
  ck_assert_msg(strstr(out, "\"FunctionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:pl:1\"") &&
                strstr(out, "\"Status\":\"IN_PROGRESS\""), "%s", out);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteProvisionedConcurrencyConfig",
                            "{\"FunctionName\":\"pl\",\"Qualifier\":\"1\"}", &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "PutProvisionedConcurrencyConfig", on_alias, &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "PutProvisionedConcurrencyConfig", on_version, &out), AEV_ERR_EXISTS);
  ck_assert_msg(strstr(out, "Version is pointed by a Provisioned Concurrency alias"), "%s", out);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteAlias", "{\"FunctionName\":\"pl\",\"Name\":\"al\"}", &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "ListProvisionedConcurrencyConfigs", "{\"FunctionName\":\"pl\"}", &out),
                   AEV_OK);
  ck_assert_str_eq(out, "{\"ProvisionedConcurrencyConfigs\":[]}");
  aev_free(out);
  /* The alias's concurrency went back to the account's unreserved pool. */
  ck_assert_int_eq(aev_call(b, "lambda", "GetAccountSettings", "{}", &out), AEV_OK);
  ck_assert_msg(strstr(out, "\"UnreservedConcurrentExecutions\":1000"), "%s", out);
  aev_free(out);
  ck_assert_int_eq(aev_call(b, "lambda", "ListProvisionedConcurrencyConfigs", "{\"FunctionName\":\"nope\"}", &out),
                   AEV_ERR_NOT_FOUND);
  aev_free(out);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_provisioned");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, allocation_makes_invocations_warm);
  tcase_add_test(tc, alias_and_errors);
  tcase_add_test(tc, provisioned_part_of_reservation);
  tcase_add_test(tc, api_actions);
  tcase_add_test(tc, api_errors);
  tcase_add_test(tc, api_version_alias_conflicts_and_list);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
