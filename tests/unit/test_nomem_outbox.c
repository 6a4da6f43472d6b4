/* SNS's outbox when memory runs out (nomem.h): each allocation of a
 * Publish to a phone number, of an email subscription with its
 * confirmation, and of reading the outbox fails in turn. A call then
 * answers AEV_ERR_NOMEM with the outbox and the subscriptions as they were,
 * or succeeds whole: one delivery recorded per publish, a confirmation per
 * subscription, a read that hands back and clears every delivery. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "aevtest.h"
#include "nomem.h"

typedef struct ctx {
  aev_broker *b;
  const char *action, *req;
  int read; /* the call is aev_sns_outbox_read */
  char *resp;
} ctx;

static void ok_call(aev_broker *b, const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, "sns", action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, out ? out : "");
  aev_free(out);
}

static void fresh(void *p) {
  ctx *c = p;
  c->b = aev_test_manual_broker(5);
  c->resp = NULL;
  ok_call(c->b, "CreateTopic", "{\"Name\":\"t\"}");
  if (c->read) {
    ok_call(c->b, "Publish", "{\"PhoneNumber\":\"+15550001\",\"Message\":\"a\"}");
    ok_call(c->b, "Publish", "{\"PhoneNumber\":\"+15550002\",\"Message\":\"b\"}");
    aev_broker_drain(c->b);
  }
}

/* The outbox (kept) and the topic's subscriptions. */
static json_t *state(void *p) {
  ctx *c = p;
  char *text = NULL, *subs = NULL;
  aev_sns_outbox_read(c->b, 1, &text);
  aev_call(c->b, "sns", "ListSubscriptions", "{}", &subs);
  json_t *s = json_pack("{s:o,s:o}", "outbox", json_loads(text, 0, NULL), "subs",
                        json_loads(subs, 0, NULL));
  aev_free(text);
  aev_free(subs);
  return s;
}

static int call(void *p) {
  ctx *c = p;
  if (c->read) return aev_sns_outbox_read(c->b, 0, &c->resp);
  return aev_call(c->b, "sns", c->action, c->req, &c->resp);
}

static void after(void *p) { aev_broker_drain(((ctx *)p)->b); }

static void succeeded(void *p, const nomem_attempt *a) {
  ctx *c = p;
  json_t *d = json_object_get(json_object_get(a->now, "outbox"), "Deliveries");
  if (c->read) {
    json_t *got = json_loads(c->resp, 0, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(got, "Deliveries")), 2);
    json_decref(got);
    ck_assert_int_eq(json_array_size(d), 0);
  } else {
    /* One delivery: the text, or the email's confirmation. */
    ck_assert_msg(json_array_size(d) == 1, "allocation %ld: %zu deliveries", a->k,
                  json_array_size(d));
  }
}

static void end(void *p) {
  ctx *c = p;
  aev_free(c->resp);
  aev_broker_destroy(c->b);
}

static void sweep(ctx *c, const char *what) {
  /* The read allocates only through jansson, which the sweep does not
   * reach: it must never fail. */
  const nomem_case nc = {.what = what, .fresh = fresh, .state = state, .call = call,
                         .after = after, .succeeded = succeeded, .end = end,
                         .expect = c->read ? NOMEM_NEVER_FAILS : NOMEM_FAILS_SOME};
  nomem_sweep(&nc, c);
}

START_TEST(publish_to_a_phone_number) {
  ctx c = {.action = "Publish",
           .req = "{\"PhoneNumber\":\"+15551234567\",\"Message\":\"m\",\"MessageAttributes\":"
                  "{\"AWS.SNS.SMS.SMSType\":{\"DataType\":\"String\",\"StringValue\":"
                  "\"Transactional\"}}}"};
  sweep(&c, "Publish PhoneNumber");
}
END_TEST

START_TEST(email_subscription) {
  ctx c = {.action = "Subscribe",
           .req = "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\",\"Protocol\":\"email\","
                  "\"Endpoint\":\"a@example.com\"}"};
  sweep(&c, "Subscribe email");
}
END_TEST

START_TEST(read_the_outbox) {
  ctx c = {.read = 1};
  sweep(&c, "aev_sns_outbox_read");
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_outbox");
  TCase *tc = tcase_create("outbox");
  tcase_add_test(tc, publish_to_a_phone_number);
  tcase_add_test(tc, email_subscription);
  tcase_add_test(tc, read_the_outbox);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
