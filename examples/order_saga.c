/* An order saga on Step Functions: reserve stock -> charge the card -> ship,
 * each step a Lambda-style function written in C. A step that fails is
 * caught and the steps already done are undone in reverse (refund the
 * charge, release the stock) before the execution fails with OrderFailed.
 * A transient PaymentTimeout is retried after 2 s; the manual clock jumps
 * over the wait, so the program finishes at once.
 *
 *   Reserve -> Charge -> Ship -> (SUCCEEDED)
 *                 |        \-> Refund -> Release -> OrderFailed
 *                 \-> Release -> OrderFailed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

#define FN "arn:aws:lambda:us-east-1:000000000000:function:"

static const char *saga =
    "{\"Comment\":\"reserve, charge, ship; compensate on failure\",\"StartAt\":\"Reserve\",\"States\":{"
    "\"Reserve\":{\"Type\":\"Task\",\"Resource\":\"" FN "reserve\",\"ResultPath\":\"$.reservation\",\"Next\":\"Charge\"},"
    "\"Charge\":{\"Type\":\"Task\",\"Resource\":\"" FN "charge\",\"ResultPath\":\"$.payment\","
    "\"Retry\":[{\"ErrorEquals\":[\"PaymentTimeout\"],\"IntervalSeconds\":2,\"MaxAttempts\":2}],"
    "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Release\"}],\"Next\":\"Ship\"},"
    "\"Ship\":{\"Type\":\"Task\",\"Resource\":\"" FN "ship\",\"ResultPath\":\"$.shipment\","
    "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Refund\"}],\"End\":true},"
    "\"Refund\":{\"Type\":\"Task\",\"Resource\":\"" FN "refund\",\"ResultPath\":null,\"Next\":\"Release\"},"
    "\"Release\":{\"Type\":\"Task\",\"Resource\":\"" FN "release\",\"ResultPath\":null,\"Next\":\"Failed\"},"
    "\"Failed\":{\"Type\":\"Fail\",\"Error\":\"OrderFailed\",\"Cause\":\"the order was rolled back\"}}}";

static void check(int rc, const char *what) {
  if (rc != AEV_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, aev_errcode(), aev_errmsg());
    exit(1);
  }
}

/* The shop's services: what each step does with the order. */
typedef struct shop {
  const char *step;
  int charge_attempts; /* the card processor times out on the first try */
} shop;

static int has(const char *event, const char *text) { return strstr(event, text) != NULL; }

static void step(void *user, aev_invocation *ctx, const char *event, size_t len) {
  shop *s = user;
  (void)len;
  printf("  %-8s %s\n", s->step, event);
  if (!strcmp(s->step, "reserve")) {
    aev_invocation_succeed(ctx, "{\"held\":true}", 13);
  } else if (!strcmp(s->step, "charge")) {
    if (has(event, "\"card\":\"flaky\"") && s->charge_attempts++ == 0)
      aev_invocation_fail(ctx, "PaymentTimeout", "the card processor did not answer");
    else if (has(event, "\"card\":\"declined\""))
      aev_invocation_fail(ctx, "CardDeclined", "insufficient funds");
    else
      aev_invocation_succeed(ctx, "{\"charged\":true}", 16);
  } else if (!strcmp(s->step, "ship")) {
    if (has(event, "\"country\":\"AQ\""))
      aev_invocation_fail(ctx, "NoCourier", "no courier delivers to AQ");
    else
      aev_invocation_succeed(ctx, "{\"tracking\":\"TRK-1\"}", 20);
  } else { /* refund, release: compensations always succeed */
    aev_invocation_succeed(ctx, "{}", 2);
  }
}

/* Runs one order and checks how it ended and which compensations ran. */
static void order(aev_machine *m, const char *input, int want, const char *want_error, int refunded,
                  int released) {
  printf("order %s\n", input);
  aev_execution *e;
  check(aev_machine_start(m, NULL, input, strlen(input), &e), "start");
  check(aev_execution_wait(e), "wait");
  char *d;
  check(aev_execution_describe(e, &d), "describe");
  int status = aev_execution_status(e);
  printf("  -> %s\n", status == AEV_EXECUTION_SUCCEEDED ? "SUCCEEDED" : "FAILED");
  char *h;
  check(aev_execution_history(e, &h), "history");
  if (status != want || !strstr(d, want_error) || !!strstr(h, "\"name\":\"Refund\"") != refunded ||
      !!strstr(h, "\"name\":\"Release\"") != released) {
    fprintf(stderr, "unexpected end: %s\n%s\n", d, h);
    exit(1);
  }
  aev_free(h);
  aev_free(d);
  aev_execution_release(e);
}

int main(void) {
  aev_broker_options *o;
  check(aev_broker_options_new(&o), "options");
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker *b;
  check(aev_broker_new(o, &b), "broker");
  aev_broker_options_free(o);

  static shop steps[] = {{"reserve", 0}, {"charge", 0}, {"ship", 0}, {"refund", 0}, {"release", 0}};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    check(aev_function_create(b, steps[i].step, NULL, step, &steps[i], NULL, NULL), "function");
  aev_machine *m;
  check(aev_machine_create(b, "order-saga", saga, strlen(saga), AEV_MACHINE_STANDARD, &m), "machine");

  int64_t t0 = aev_broker_now_ms(b);
  order(m, "{\"id\":\"o1\",\"card\":\"flaky\",\"country\":\"DE\"}", AEV_EXECUTION_SUCCEEDED, "TRK-1", 0, 0);
  printf("  (the retry waited %lld s of broker time)\n", (long long)(aev_broker_now_ms(b) - t0) / 1000);
  order(m, "{\"id\":\"o2\",\"card\":\"declined\",\"country\":\"DE\"}", AEV_EXECUTION_FAILED, "OrderFailed", 0, 1);
  order(m, "{\"id\":\"o3\",\"card\":\"ok\",\"country\":\"AQ\"}", AEV_EXECUTION_FAILED, "OrderFailed", 1, 1);

  aev_machine_release(m);
  check(aev_broker_destroy(b), "destroy");
  return 0;
}
