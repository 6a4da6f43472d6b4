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
  int read;     /* the call is aev_sns_outbox_read */
  int push;     /* the topic has an application subscription: the call publishes to it */
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
  ok_call(c->b, "CreatePlatformApplication",
          "{\"Name\":\"app\",\"Platform\":\"GCM\",\"Attributes\":{}}");
  if (c->push) {
    char *out = NULL;
    ck_assert_int_eq(aev_call(c->b, "sns", "CreatePlatformEndpoint",
                              "{\"PlatformApplicationArn\":\"arn:aws:sns:us-east-1:000000000000:"
                              "app/GCM/app\",\"Token\":\"tok\"}", &out), AEV_OK);
    json_t *r = json_loads(out, 0, NULL);
    json_t *sub = json_pack("{s:s,s:s,s:O}", "TopicArn", "arn:aws:sns:us-east-1:000000000000:t",
                            "Protocol", "application", "Endpoint", json_object_get(r, "EndpointArn"));
    char *req = json_dumps(sub, JSON_COMPACT);
    ok_call(c->b, "Subscribe", req);
    free(req);
    json_decref(sub);
    json_decref(r);
    aev_free(out);
  }
  if (c->read) {
    ok_call(c->b, "Publish", "{\"PhoneNumber\":\"+15550001\",\"Message\":\"a\"}");
    ok_call(c->b, "Publish", "{\"PhoneNumber\":\"+15550002\",\"Message\":\"b\"}");
    aev_broker_drain(c->b);
  }
}

/* The outbox (kept), the subscriptions, the SMS sandbox's numbers and the
 * application's endpoints. */
static json_t *state(void *p) {
  ctx *c = p;
  char *text = NULL, *subs = NULL, *sandbox = NULL, *endpoints = NULL;
  aev_sns_outbox_read(c->b, 1, &text);
  aev_call(c->b, "sns", "ListSubscriptions", "{}", &subs);
  aev_call(c->b, "sns", "ListSMSSandboxPhoneNumbers", "{}", &sandbox);
  aev_call(c->b, "sns", "ListEndpointsByPlatformApplication",
           "{\"PlatformApplicationArn\":\"arn:aws:sns:us-east-1:000000000000:app/GCM/app\"}",
           &endpoints);
  json_t *s = json_pack("{s:o,s:o,s:o,s:o}", "outbox", json_loads(text, 0, NULL), "subs",
                        json_loads(subs, 0, NULL), "sandbox", json_loads(sandbox, 0, NULL),
                        "endpoints", json_loads(endpoints, 0, NULL));
  aev_free(text);
  aev_free(subs);
  aev_free(sandbox);
  aev_free(endpoints);
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
    /* One delivery: the text, the email's confirmation or the sandbox
     * code. A publish to a topic succeeds whatever its deliveries do: a
     * push that ran out of memory counts as failed. */
    size_t want = 1;
    if (c->push) {
      aev_topic *t;
      int64_t failed = 0;
      ck_assert_int_eq(aev_topic_get(c->b, "t", &t), AEV_OK);
      aev_topic_counter(t, "NumberOfNotificationsFailed", &failed);
      aev_topic_release(t);
      want = 1 - (size_t)failed;
    }
    ck_assert_msg(json_array_size(d) == want, "allocation %ld: %zu deliveries", a->k,
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
   * reach: it must never fail. A topic's publish may answer either way. */
  const nomem_case nc = {.what = what, .fresh = fresh, .state = state, .call = call,
                         .after = after, .succeeded = succeeded, .end = end,
                         .expect = c->read ? NOMEM_NEVER_FAILS : c->push ? NOMEM_ALLOCATES
                                                                         : NOMEM_FAILS_SOME};
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

START_TEST(sandbox_number) {
  ctx c = {.action = "CreateSMSSandboxPhoneNumber", .req = "{\"PhoneNumber\":\"+15551234567\"}"};
  sweep(&c, "CreateSMSSandboxPhoneNumber");
}
END_TEST

START_TEST(application_subscription) {
  ctx c = {.action = "Publish", .push = 1,
           .req = "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\",\"Message\":\"m\"}"};
  sweep(&c, "Publish to a topic with an application subscription");
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
  tcase_add_test(tc, sandbox_number);
  tcase_add_test(tc, application_subscription);
  tcase_add_test(tc, read_the_outbox);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
