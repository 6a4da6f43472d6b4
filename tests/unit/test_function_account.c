/* The account's concurrency pool: Lambda's default 1,000 concurrent
 * executions shared by every function of a broker without reserved
 * concurrency, reservations set aside from it (never leaving fewer than
 * 100 unreserved), TooManyRequestsException for sync calls and throttle
 * retries for Event ones once the pool is full, a deleted function's
 * reservation given back, a limit raised per broker, and provisioned
 * concurrency taken from the unreserved pool. */
#include <jansson.h>
#include "aevtest.h"
#include "function/function.h"
#include "function_support.h"

#define MAX_HELD 1200

typedef struct holder {
  aev_invocation *held[MAX_HELD];
  int n;
} holder;

static aev_broker *b;
static holder h;

static void setup(void) {
  b = qt_broker();
  h.n = 0;
}
static void teardown(void) { aev_broker_destroy(b); }

static void hold(void *user, aev_invocation *ctx, const char *event,
                 size_t len) {
  (void)event;
  (void)len;
  holder *x = user;
  ck_assert_int_lt(x->n, MAX_HELD);
  x->held[x->n++] = ctx;
}

static aev_function *holding(const char *name) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, name, NULL, hold, &h, NULL, &f), AEV_OK);
  return f;
}

static void on_done(void *user, const aev__invoke_result *r) {
  (void)r;
  (*(int *)user)++;
}

/* Starts n held invocations of f; all must be accepted. */
static void start(aev_function *f, int n, int *done) {
  for (int i = 0; i < n; i++)
    ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, on_done, done), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
}

static void assert_settings(int limit, int unreserved) {
  char *s;
  ck_assert_int_eq(aev_function_account_settings(b, &s), AEV_OK);
  json_t *o = json_loads(s, 0, NULL), *l = json_object_get(o, "AccountLimit");
  ck_assert_int_eq(json_integer_value(json_object_get(l, "ConcurrentExecutions")), limit);
  ck_assert_int_eq(json_integer_value(json_object_get(l, "UnreservedConcurrentExecutions")),
                   unreserved);
  json_decref(o);
  aev_free(s);
}

START_TEST(reservations_leave_at_least_100_unreserved) {
  assert_settings(1000, 1000);
  aev_function *r = holding("reserved"), *o = holding("other");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(r, 900), AEV_OK);
  assert_settings(1000, 100);
  ft_assert_error(aev_function_set_reserved_concurrency(o, 1), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "Specified ReservedConcurrentExecutions for function decreases "
                  "account's UnreservedConcurrentExecution below its minimum value of [100].");
  ck_assert_int_eq(aev_function_reserved_concurrency(o), -1);
  assert_settings(1000, 100);
  /* Lowering a reservation frees room; 0 reserves nothing. */
  ck_assert_int_eq(aev_function_set_reserved_concurrency(r, 850), AEV_OK);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(o, 50), AEV_OK);
  assert_settings(1000, 100);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(o, 0), AEV_OK);
  assert_settings(1000, 150);
  /* Deleting a function gives its reservation back. */
  ck_assert_int_eq(aev_function_delete(r), AEV_OK);
  assert_settings(1000, 1000);
  ck_assert_int_eq(aev_function_reserved_concurrency(r), -1); /* function.h */
  aev_function_release(r);
  aev_function_release(o);
}
END_TEST

START_TEST(unreserved_pool_is_shared_by_all_functions) {
  aev_function *r = holding("r"), *x = holding("x"), *y = holding("y");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(r, 900), AEV_OK);
  int done = 0;
  start(x, 60, &done);
  start(y, 40, &done);
  ft_assert_error(aev__function_call(x, NULL, "{}", 2, on_done, &done), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  char *out;
  ft_assert_error(aev_function_invoke(y, "{}", 2, &out, NULL, NULL), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  ck_assert_int_eq(ft_metric(x, "Throttles"), 1);
  ck_assert_int_eq(ft_metric(y, "Throttles"), 1);
  /* The reservation is r's own: the full unreserved pool does not touch it. */
  start(r, 900, &done);
  ft_assert_error(aev__function_call(r, NULL, "{}", 2, on_done, &done), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  /* One of x's completes: its slot serves y. */
  ck_assert_int_eq(aev_invocation_succeed(h.held[0], "1", 1), AEV_OK);
  ck_assert_int_eq(done, 1);
  start(y, 1, &done);
  ck_assert_int_eq(ft_metric(y, "ConcurrentExecutions"), 41);
  for (int i = 1; i < h.n; i++)
    ck_assert_int_eq(aev_invocation_succeed(h.held[i], "1", 1), AEV_OK);
  ck_assert_int_eq(done, h.n);
  aev_function_release(r);
  aev_function_release(x);
  aev_function_release(y);
}
END_TEST

START_TEST(event_invocations_retry_when_the_pool_is_full) {
  aev_function *r = holding("r"), *x = holding("x");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(r, 900), AEV_OK);
  int done = 0;
  start(x, 100, &done);
  ck_assert_int_eq(aev_function_invoke_event(x, "{\"late\":1}", 10, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(h.n, 100);
  ck_assert_int_eq(ft_metric(x, "Throttles"), 1);
  ck_assert_int_eq(aev_invocation_succeed(h.held[0], "1", 1), AEV_OK);
  /* The first throttle retry comes 1 s later and now finds a slot. */
  ck_assert_int_eq(aev_broker_advance(b, 999), AEV_OK);
  ck_assert_int_eq(h.n, 100);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(h.n, 101);
  for (int i = 1; i < h.n; i++)
    ck_assert_int_eq(aev_invocation_succeed(h.held[i], "1", 1), AEV_OK);
  aev_function_release(r);
  aev_function_release(x);
}
END_TEST

START_TEST(limit_raised_per_broker) {
  aev_function *r = holding("r"), *x = holding("x");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(r, 900), AEV_OK);
  ft_assert_error(aev_function_set_account_concurrency(b, 999), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "at least 1000");
  assert_settings(1000, 100);
  ck_assert_int_eq(aev_function_set_account_concurrency(b, 2000), AEV_OK);
  assert_settings(2000, 1100);
  int done = 0;
  start(x, 1100, &done);
  ft_assert_error(aev__function_call(x, NULL, "{}", 2, on_done, &done), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(r, 1900), AEV_OK);
  for (int i = 0; i < h.n; i++)
    ck_assert_int_eq(aev_invocation_succeed(h.held[i], "1", 1), AEV_OK);
  /* Another broker keeps AWS's default. */
  aev_broker *other = qt_broker();
  char *s;
  ck_assert_int_eq(aev_function_account_settings(other, &s), AEV_OK);
  ck_assert_ptr_nonnull(strstr(s, "\"ConcurrentExecutions\":1000,"));
  aev_free(s);
  aev_broker_destroy(other);
  aev_function_release(r);
  aev_function_release(x);
}
END_TEST

static void publish(aev_function *f) {
  char *v;
  ck_assert_int_eq(aev_function_publish_version(f, NULL, &v), AEV_OK);
  aev_free(v);
}

static int requested(aev_function *f, const char *q) {
  char *j;
  ck_assert_int_eq(aev_function_provisioned_concurrency(f, q, &j), AEV_OK);
  int n = -1;
  const char *p = strstr(j, "\"RequestedProvisionedConcurrentExecutions\":");
  if (p) n = atoi(p + 43);
  aev_free(j);
  return n;
}

/* An unreserved function's provisioned concurrency comes out of the
 * unreserved pool, as Lambda takes it: the pool can't drop below 100,
 * invocations on provisioned environments don't take pool slots, and
 * deleting the configuration or the function gives it back. */
START_TEST(provisioned_concurrency_comes_out_of_the_unreserved_pool) {
  aev_function *p = holding("p"), *g = holding("g");
  /* Held past the 60 s allocation, not timed out meanwhile. */
  ck_assert_int_eq(aev_function_update_configuration(g, "{\"Timeout\":900}"), AEV_OK);
  publish(p);
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(p, "1", 900), AEV_OK);
  ft_assert_error(aev_function_put_provisioned_concurrency(p, "1", 901),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "Specified ConcurrentExecutions for function decreases "
                  "account's UnreservedConcurrentExecution below its minimum value of [100].");
  ck_assert_int_eq(requested(p, "1"), 900); /* nothing changed */
  ft_assert_error(aev_function_set_reserved_concurrency(g, 1), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "Specified ReservedConcurrentExecutions for function decreases "
                  "account's UnreservedConcurrentExecution below its minimum value of [100].");
  ft_assert_error(aev_function_set_account_concurrency(b, 999), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "at least 1000");
  /* 100 on-demand slots are left for every unreserved function. */
  int done = 0;
  start(g, 100, &done);
  ft_assert_error(aev__function_call(g, NULL, "{}", 2, on_done, &done), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  /* Once READY, the 900 provisioned environments run outside that pool. */
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  for (int i = 0; i < 900; i++)
    ck_assert_int_eq(aev_function_invoke_event_qualified(p, "1", "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(h.n, 1000);
  ck_assert_int_eq(ft_metric(p, "Throttles"), 0);
  ck_assert_int_eq(ft_metric(p, "ColdStarts"), 0);
  /* The 901st needs an on-demand slot, and the pool is full. */
  ck_assert_int_eq(aev_function_invoke_event_qualified(p, "1", "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(h.n, 1000);
  ck_assert_int_eq(ft_metric(p, "Throttles"), 1);
  for (int i = 0; i < h.n; i++)
    ck_assert_int_eq(aev_invocation_succeed(h.held[i], "1", 1), AEV_OK);
  h.n = 0;
  /* Deleting the configuration gives the 900 back. */
  ck_assert_int_eq(aev_function_delete_provisioned_concurrency(p, "1"), AEV_OK);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(g, 900), AEV_OK);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(g, -1), AEV_OK);
  /* With a reservation, provisioned concurrency is part of it instead. */
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(p, "1", 5), AEV_OK);
  ft_assert_error(aev_function_set_reserved_concurrency(p, 4), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "should not be lower");
  /* Recorded (test_reserved_provisioned_overlap), spacing included. */
  ck_assert_str_eq(aev_errmsg(), " ReservedConcurrentExecutions  4 should not be lower than "
                                 "function's total provisioned concurrency [5].");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(p, 10), AEV_OK);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(g, 890), AEV_OK);
  ft_assert_error(aev_function_put_provisioned_concurrency(p, "1", 11),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "should not be greater than the reservedConcurrentExecution");
  /* Dropping p's reservation puts its 5 back on the pool: 105 left. */
  ck_assert_int_eq(aev_function_set_reserved_concurrency(p, -1), AEV_OK);
  ft_assert_error(aev_function_set_reserved_concurrency(g, 896), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "minimum value of [100]");
  ck_assert_int_eq(aev_function_set_reserved_concurrency(g, 895), AEV_OK);
  /* Deleting the function gives its provisioned concurrency back. */
  ck_assert_int_eq(aev_function_delete(p), AEV_OK);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(g, 900), AEV_OK);
  aev_function_release(p);
  aev_function_release(g);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_account");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, reservations_leave_at_least_100_unreserved);
  tcase_add_test(tc, unreserved_pool_is_shared_by_all_functions);
  tcase_add_test(tc, event_invocations_retry_when_the_pool_is_full);
  tcase_add_test(tc, limit_raised_per_broker);
  tcase_add_test(tc, provisioned_concurrency_comes_out_of_the_unreserved_pool);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
