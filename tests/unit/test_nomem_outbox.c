/* SNS's outbox when memory runs out (nomem.h): each allocation of a
 * Publish to a phone number, of an email subscription with its
 * confirmation, and of reading the outbox fails in turn. A call then
 * answers AEV_ERR_NOMEM with the outbox and the subscriptions as they were,
 * or succeeds whole: one delivery recorded per publish, a confirmation per
 * subscription, a read that hands back and clears every delivery. The
 * typed calls (topic.h: aev_sns_publish_sms, aev_sns_publish_to_endpoint,
 * aev_sns_platform_*) are swept the same way. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "aevtest.h"
#include "nomem.h"

#define APP "arn:aws:sns:us-east-1:000000000000:app/GCM/app"

typedef struct ctx {
  aev_broker *b;
  const char *action, *req;
  int read;     /* the call is aev_sns_outbox_read */
  int push;     /* the topic has an application subscription: the call publishes to it */
  int endpoint; /* the application has an endpoint (ep), without a subscription */
  int quiet;    /* the call records no delivery */
  int (*typed)(struct ctx *c); /* the call, a typed one, instead of action */
  nomem_expect expect;         /* unless NOMEM_FAILS_SOME: what the sweep must find */
  aev_publish_options *opts;   /* made before the call, for typed publishes */
  char ep[256];
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
  if (c->push || c->endpoint) {
    char *out = NULL;
    ck_assert_int_eq(aev_call(c->b, "sns", "CreatePlatformEndpoint",
                              "{\"PlatformApplicationArn\":\"arn:aws:sns:us-east-1:000000000000:"
                              "app/GCM/app\",\"Token\":\"tok\"}", &out), AEV_OK);
    json_t *r = json_loads(out, 0, NULL);
    snprintf(c->ep, sizeof c->ep, "%s", json_string_value(json_object_get(r, "EndpointArn")));
    json_decref(r);
    aev_free(out);
  }
  if (c->push) {
    json_t *sub = json_pack("{s:s,s:s,s:s}", "TopicArn", "arn:aws:sns:us-east-1:000000000000:t",
                            "Protocol", "application", "Endpoint", c->ep);
    char *req = json_dumps(sub, JSON_COMPACT);
    ok_call(c->b, "Subscribe", req);
    free(req);
    json_decref(sub);
  }
  c->opts = NULL;
  if (c->typed) {
    ck_assert_int_eq(aev_publish_options_new(&c->opts), AEV_OK);
    ck_assert_int_eq(aev_publish_options_set_attributes(
                         c->opts, "{\"AWS.SNS.SMS.SMSType\":{\"DataType\":\"String\","
                                  "\"StringValue\":\"Transactional\"}}"), AEV_OK);
  }
  if (c->read) {
    ok_call(c->b, "Publish", "{\"PhoneNumber\":\"+15550001\",\"Message\":\"a\"}");
    ok_call(c->b, "Publish", "{\"PhoneNumber\":\"+15550002\",\"Message\":\"b\"}");
    aev_broker_drain(c->b);
  }
}

/* The outbox (kept), the subscriptions, the SMS sandbox's numbers, the
 * applications and the first one's endpoints. */
static json_t *state(void *p) {
  ctx *c = p;
  char *text = NULL, *subs = NULL, *sandbox = NULL, *endpoints = NULL, *apps = NULL;
  aev_sns_outbox_read(c->b, 1, &text);
  aev_call(c->b, "sns", "ListSubscriptions", "{}", &subs);
  aev_call(c->b, "sns", "ListSMSSandboxPhoneNumbers", "{}", &sandbox);
  aev_call(c->b, "sns", "ListEndpointsByPlatformApplication",
           "{\"PlatformApplicationArn\":\"arn:aws:sns:us-east-1:000000000000:app/GCM/app\"}",
           &endpoints);
  aev_call(c->b, "sns", "ListPlatformApplications", "{}", &apps);
  json_t *s = json_pack("{s:o,s:o,s:o,s:o,s:o}", "outbox", json_loads(text, 0, NULL), "subs",
                        json_loads(subs, 0, NULL), "sandbox", json_loads(sandbox, 0, NULL),
                        "endpoints", json_loads(endpoints, 0, NULL), "apps",
                        json_loads(apps, 0, NULL));
  aev_free(apps);
  aev_free(text);
  aev_free(subs);
  aev_free(sandbox);
  aev_free(endpoints);
  return s;
}

static int call(void *p) {
  ctx *c = p;
  if (c->read) return aev_sns_outbox_read(c->b, 0, &c->resp);
  if (c->typed) return c->typed(c);
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
    size_t want = !c->quiet;
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
  aev_publish_options_free(c->opts);
  aev_broker_destroy(c->b);
}

static void sweep(ctx *c, const char *what) {
  /* The read allocates only through jansson, which the sweep does not
   * reach: it must never fail. A topic's publish may answer either way. */
  const nomem_case nc = {.what = what, .fresh = fresh, .state = state, .call = call,
                         .after = after, .succeeded = succeeded, .end = end,
                         .expect = c->expect ? c->expect
                                   : c->read ? NOMEM_NEVER_FAILS
                                   : c->push ? NOMEM_ALLOCATES
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

static int typed_sms(ctx *c) {
  char id[AEV_TOPIC_MESSAGE_ID_SIZE];
  return aev_sns_publish_sms(c->b, "+15551234567", "m", 1, c->opts, id);
}

START_TEST(typed_publish_to_a_phone_number) {
  ctx c = {.typed = typed_sms};
  sweep(&c, "aev_sns_publish_sms");
}
END_TEST

static int typed_push(ctx *c) {
  char id[AEV_TOPIC_MESSAGE_ID_SIZE];
  return aev_sns_publish_to_endpoint(c->b, c->ep, "m", 1, c->opts, id);
}

START_TEST(typed_publish_to_an_endpoint) {
  ctx c = {.typed = typed_push, .endpoint = 1};
  sweep(&c, "aev_sns_publish_to_endpoint");
}
END_TEST

static int typed_app(ctx *c) {
  return aev_sns_platform_application_create(c->b, "app2", "APNS",
                                             "{\"PlatformCredential\":\"k\"}", &c->resp);
}

static int typed_endpoint(ctx *c) {
  return aev_sns_platform_endpoint_create(c->b, APP, "tok2", "u", "{\"Enabled\":\"false\"}",
                                          &c->resp);
}

static int typed_set(ctx *c) {
  return aev_sns_platform_endpoint_set_attributes(c->b, c->ep, "{\"CustomUserData\":\"x\"}");
}

static int typed_get(ctx *c) {
  return aev_sns_platform_endpoint_get_attributes(c->b, c->ep, &c->resp);
}

static int typed_list(ctx *c) { return aev_sns_platform_endpoint_list(c->b, APP, NULL, &c->resp); }

static int typed_endpoint_again(ctx *c) {
  return aev_sns_platform_endpoint_create(c->b, APP, "tok", NULL, NULL, &c->resp);
}

/* Creating, setting and reading allocate only through jansson and libc
 * (asprintf), which the sweep does not reach: they never fail under it.
 * An endpoint created again and a list do reach it. */
START_TEST(typed_platform_calls) {
  ctx app = {.typed = typed_app, .quiet = 1, .expect = NOMEM_NEVER_FAILS};
  sweep(&app, "aev_sns_platform_application_create");
  ctx ep = {.typed = typed_endpoint, .quiet = 1, .expect = NOMEM_NEVER_FAILS};
  sweep(&ep, "aev_sns_platform_endpoint_create");
  ctx again = {.typed = typed_endpoint_again, .endpoint = 1, .quiet = 1};
  sweep(&again, "aev_sns_platform_endpoint_create, the same token again");
  ctx set = {.typed = typed_set, .endpoint = 1, .quiet = 1, .expect = NOMEM_NEVER_FAILS};
  sweep(&set, "aev_sns_platform_endpoint_set_attributes");
  ctx get = {.typed = typed_get, .endpoint = 1, .quiet = 1, .expect = NOMEM_NEVER_FAILS};
  sweep(&get, "aev_sns_platform_endpoint_get_attributes");
  ctx list = {.typed = typed_list, .endpoint = 1, .quiet = 1};
  sweep(&list, "aev_sns_platform_endpoint_list");
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
  tcase_add_test(tc, typed_publish_to_a_phone_number);
  tcase_add_test(tc, typed_publish_to_an_endpoint);
  tcase_add_test(tc, typed_platform_calls);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
