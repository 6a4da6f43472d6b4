/* Calls that parse JSON when jansson itself runs out of memory (nomem.h):
 * jansson's allocations go through the wrapped malloc too, so each
 * allocation of a call, the library's or jansson's, fails in turn. Good
 * input must then answer AEV_ERR_NOMEM with nothing stored, or succeed
 * whole: never a validation error. Every attempt starts from a fresh
 * manual-clock broker with no workers. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "bus_support.h"
#include "function_support.h"
#include "nomem.h"

/* jansson's allocator: the test's malloc is the wrapped one (ld --wrap
 * reaches this file's calls too). jansson 2.14's lexer ignores a failed
 * growth of its token buffer: it drops the byte, and a dropped closing
 * quote makes it write past the buffer. That buffer grows to powers of two
 * from 32 bytes up, so allocations of those sizes never fail here. */
void *__real_malloc(size_t n);

/* Set while no text is parsed, so that jansson's sizes of every kind fail. */
static int every_size_fails;

static void *json_malloc(size_t n) {
  if (!every_size_fails && n >= 32 && !(n & (n - 1))) return __real_malloc(n);
  return malloc(n);
}

static void json_free(void *p) { free(p); }

/* ---- the sweep ---------------------------------------------------------- */

typedef struct jcase jcase;

typedef struct ctx {
  const jcase *jc;
  aev_broker *b;
  aev_queue *q;
  aev_topic *t;
  aev_bus *bus;
  aev_function *f;
  aev_machine *m;
  aev_execution *e;
  aev_stream *s;
  aev_jsonata *x;
  ft_state fs;
  char *resp; /* aev_call's answer */
  char *out;  /* a typed call's output (an ARN) */
  char req[2048];
  const char *what; /* the call, and the allocation that failed, for messages */
  long k;
} ctx;

/* An assertion on a call's effect, naming the attempt. */
#define expect(c, cond) \
  ck_assert_msg((cond), "%s: allocation %ld: %s", (c)->what, (c)->k, #cond)

/* What check() is told of an attempt: it succeeded (DONE), it answered
 * out of memory (NOT_DONE), or it answered out of memory but may have
 * had its effect first (EITHER; see jcase). */
enum { EITHER = -1, NOT_DONE = 0, DONE = 1 };

/* One call under test. setup() builds what the call needs on c->b; call()
 * makes the call, with no Check assertion (Check allocates); check()
 * finds whether the call's effect is there, asserts that it is whole when
 * it is, and passes that to expect_done(). answered_after_effect: aev_call
 * builds and serializes its answer after the action took effect, so out
 * of memory there answers AEV_ERR_NOMEM with the effect whole (a known
 * gap, not this suite's subject: it checks that no attempt answers a
 * validation error, and none leaves a partial effect). */
struct jcase {
  const char *what;
  void (*setup)(ctx *c);
  int (*call)(ctx *c);
  void (*check)(ctx *c, int done);
  int answered_after_effect;
};

static void expect_done(const ctx *c, int done, int present) {
  ck_assert_msg(done == EITHER || present == done, "%s: allocation %ld: the effect is %s",
                c->what, c->k, present ? "there" : "missing");
}

/* A jcase as nomem_sweep()'s hooks: a fresh manual-clock broker each
 * attempt, and the case's check told how the attempt ended. */
static void case_fresh(void *p) {
  ctx *c = p;
  const jcase *jc = c->jc;
  memset(c, 0, sizeof *c);
  c->jc = jc;
  c->what = jc->what;
  c->b = bt_broker();
}

static void case_setup(void *p) {
  ctx *c = p;
  c->jc->setup(c);
}

static int case_call(void *p) {
  ctx *c = p;
  return c->jc->call(c);
}

static void case_ended(void *p, const nomem_attempt *a) {
  ctx *c = p;
  c->k = a->k;
  c->jc->check(c, a->rc == AEV_OK ? DONE : c->jc->answered_after_effect ? EITHER : NOT_DONE);
}

static void case_end(void *p) {
  ctx *c = p;
  aev_free(c->resp);
  aev_free(c->out);
  aev_queue_release(c->q);
  aev_topic_release(c->t);
  aev_bus_release(c->bus);
  aev_function_release(c->f);
  aev_machine_release(c->m);
  aev_execution_release(c->e);
  aev_stream_release(c->s);
  aev_jsonata_free(c->x);
  aev_broker_destroy(c->b);
}

/* Fails allocation k = 0, 1, ... of the call until it makes no more; an
 * out-of-memory answer must say InternalFailure. expect: what the sweep
 * must find (nomem.h). */
static void sweep_expecting(const jcase *jc, nomem_expect expect) {
  const nomem_case nc = {.what = jc->what, .fresh = case_fresh, .setup = case_setup,
                         .call = case_call, .succeeded = case_ended, .failed = case_ended,
                         .end = case_end, .errcode = "InternalFailure", .expect = expect};
  ctx c = {.jc = jc};
  nomem_sweep(&nc, &c);
}

/* ... where some allocation fails the call. */
static void sweep(const jcase *jc) { sweep_expecting(jc, NOMEM_FAILS_SOME); }

static json_t *parsed(const char *text) {
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  ck_assert_msg(j != NULL, "not JSON: %s", text);
  return j;
}

/* The member's string value in a JSON text ("" when absent). */
static char *member(const char *text, const char *key) {
  json_t *j = parsed(text);
  const char *v = json_string_value(json_object_get(j, key));
  char *copy = strdup(v ? v : "");
  json_decref(j);
  return copy;
}

/* The body of the one message q holds, or NULL; more is an error. */
static char *only_message(aev_queue *q) {
  char *body = bt_take(q), *more = bt_take(q);
  ck_assert_msg(more == NULL, "a second message: %s", more);
  return body;
}

/* ---- SQS ------------------------------------------------------------------ */

static void sqs_queue(ctx *c) { c->q = bt_queue(c->b, "q", NULL); }

static int sqs_send_call(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"QueueUrl\":\"%s\",\"MessageBody\":\"a body long enough to grow buffers\","
           "\"MessageAttributes\":{\"colour\":{\"DataType\":\"String\","
           "\"StringValue\":\"blue\"}}}",
           aev_queue_url(c->q));
  return aev_call(c->b, "sqs", "SendMessage", c->req, &c->resp);
}

static void sqs_sent(ctx *c, int done) {
  aev_message *m[2];
  size_t n = 0;
  bt_ok(aev_queue_receive(c->q, 2, 0, NULL, m, &n));
  expect(c, n <= 1);
  expect_done(c, done, n == 1);
  if (!n) return;
  if (done == DONE) {
    char *id = member(c->resp, "MessageId");
    ck_assert_str_eq(id, aev_message_id(m[0]));
    free(id);
  }
  ck_assert_str_eq(aev_message_body(m[0], NULL), "a body long enough to grow buffers");
  char *attrs = aev_message_attributes_json(m[0]);
  bt_json_eq(attrs, "{\"colour\":{\"DataType\":\"String\",\"StringValue\":\"blue\"}}");
  aev_free(attrs);
  aev_message_free(m[0]);
}

/* The typed CreateQueue with Attributes naming a dead-letter queue whose
 * RedriveAllowPolicy (stored text, parsed again) allows it. */
static void sqs_dlq(ctx *c) {
  c->q = bt_queue(c->b, "dlq", "{\"RedriveAllowPolicy\":\"{\\\"redrivePermission\\\":\\\"allowAll\\\"}\"}");
}

static int sqs_create_typed(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"VisibilityTimeout\":\"45\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":"
           "\\\"%s\\\",\\\"maxReceiveCount\\\":3}\"}",
           aev_queue_arn(c->q));
  aev_queue *q = NULL;
  int rc = aev_queue_create(c->b, "main", c->req, &q);
  aev_queue_release(q);
  return rc;
}

static void sqs_created(ctx *c, int done) {
  aev_queue *q = NULL;
  int rc = aev_queue_get(c->b, "main", &q);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  if (rc) return;
  char *attrs;
  bt_ok(aev_queue_get_attributes(q, "[\"VisibilityTimeout\",\"RedrivePolicy\"]", &attrs));
  json_t *a = parsed(attrs);
  ck_assert_str_eq(json_string_value(json_object_get(a, "VisibilityTimeout")), "45");
  json_t *p = parsed(json_string_value(json_object_get(a, "RedrivePolicy")));
  ck_assert_str_eq(json_string_value(json_object_get(p, "deadLetterTargetArn")),
                   aev_queue_arn(c->q));
  json_decref(p);
  json_decref(a);
  aev_free(attrs);
  aev_queue_release(q);
}

START_TEST(sqs_send_message_call) {
  static const jcase jc = {"SendMessage", sqs_queue, sqs_send_call, sqs_sent, 1};
  sweep(&jc);
}
END_TEST

START_TEST(sqs_create_queue_typed) {
  static const jcase jc = {"aev_queue_create", sqs_dlq, sqs_create_typed, sqs_created, 0};
  sweep(&jc);
}
END_TEST

/* ---- SNS ------------------------------------------------------------------ */

static void sns_topic(ctx *c) {
  c->q = bt_queue(c->b, "q", NULL);
  bt_ok(aev_topic_create(c->b, "t", NULL, &c->t));
}

static void sns_subscribed(ctx *c) {
  sns_topic(c);
  char *arn;
  bt_ok(aev_topic_subscribe(c->t, "sqs", aev_queue_arn(c->q), "{\"RawMessageDelivery\":\"true\"}",
                            &arn));
  aev_free(arn);
}

static int sns_publish_call(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"TopicArn\":\"%s\",\"Message\":\"a message long enough to grow buffers\","
           "\"MessageAttributes\":{\"colour\":{\"DataType\":\"String\","
           "\"StringValue\":\"blue\"}}}",
           aev_topic_arn(c->t));
  return aev_call(c->b, "sns", "Publish", c->req, &c->resp);
}

static void sns_published(ctx *c, int done) {
  bt_ok(aev_broker_advance(c->b, 1000));
  char *body = only_message(c->q);
  expect_done(c, done, body != NULL);
  if (body) ck_assert_str_eq(body, "a message long enough to grow buffers");
  free(body);
}

/* Subscribe's Attributes and the RedrivePolicy in them are JSON. */
static void sns_topic_dlq(ctx *c) {
  sns_topic(c);
  aev_queue *dlq = bt_queue(c->b, "dlq", NULL);
  snprintf(c->req, sizeof c->req,
           "{\"RawMessageDelivery\":\"true\",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\"}\"}",
           aev_queue_arn(dlq));
  aev_queue_release(dlq);
}

static int sns_subscribe_redrive(ctx *c) {
  return aev_topic_subscribe(c->t, "sqs", aev_queue_arn(c->q), c->req, &c->out);
}

/* The subscription exists with its attributes, or there is none. */
static void sns_subscription(ctx *c, int done) {
  char *list;
  bt_ok(aev_subscription_list(c->b, c->t, NULL, &list));
  json_t *l = parsed(list), *subs = json_object_get(l, "Subscriptions");
  expect(c, json_array_size(subs) <= 1);
  expect_done(c, done, json_array_size(subs) == 1);
  if (json_array_size(subs)) {
    const char *arn = json_string_value(json_object_get(json_array_get(subs, 0), "SubscriptionArn"));
    ck_assert_str_eq(arn, c->out);
    char *attrs;
    bt_ok(aev_subscription_get_attributes(c->b, arn, &attrs));
    json_t *a = parsed(attrs);
    ck_assert_str_eq(json_string_value(json_object_get(a, "RawMessageDelivery")), "true");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(a, "RedrivePolicy")), ":dlq"));
    json_decref(a);
    aev_free(attrs);
  }
  json_decref(l);
  aev_free(list);
}

/* A FilterPolicy is compiled by lib/pattern. */
static void sns_topic_policy(ctx *c) {
  sns_topic(c);
  snprintf(c->req, sizeof c->req, "%s",
           "{\"RawMessageDelivery\":\"true\",\"FilterPolicy\":"
           "\"{\\\"price\\\":[{\\\"numeric\\\":[\\\">\\\",10]}]}\"}");
}

static void sns_filtered(ctx *c, int done) {
  char *list;
  bt_ok(aev_subscription_list(c->b, c->t, NULL, &list));
  json_t *l = parsed(list), *subs = json_object_get(l, "Subscriptions");
  expect(c, json_array_size(subs) <= 1);
  expect_done(c, done, json_array_size(subs) == 1);
  if (json_array_size(subs)) {
    char *attrs;
    bt_ok(aev_subscription_get_attributes(c->b, c->out, &attrs));
    char *policy = member(attrs, "FilterPolicy");
    bt_json_eq(policy, "{\"price\":[{\"numeric\":[\">\",10]}]}");
    free(policy);
    aev_free(attrs);
  }
  json_decref(l);
  aev_free(list);
}

/* The subscription's filter compares the price as a number: a decimal
 * number attribute is converted through jansson, and read as a string
 * for want of memory it would be filtered out with Publish answering OK. */
static void sns_filter_subscribed(ctx *c) {
  sns_topic_policy(c);
  char *arn;
  bt_ok(aev_topic_subscribe(c->t, "sqs", aev_queue_arn(c->q), c->req, &arn));
  aev_free(arn);
}

static int sns_publish_priced_call(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"TopicArn\":\"%s\",\"Message\":\"a message long enough to grow buffers\","
           "\"MessageAttributes\":{\"price\":{\"DataType\":\"Number\","
           "\"StringValue\":\"12.5\"}}}",
           aev_topic_arn(c->t));
  return aev_call(c->b, "sns", "Publish", c->req, &c->resp);
}

START_TEST(sns_subscribe_with_filter_policy) {
  static const jcase jc = {"aev_topic_subscribe", sns_topic_policy, sns_subscribe_redrive,
                           sns_filtered, 0};
  sweep(&jc);
}
END_TEST

START_TEST(sns_publish_to_a_filter) {
  static const jcase jc = {"Publish", sns_filter_subscribed, sns_publish_priced_call,
                           sns_published, 1};
  sweep(&jc);
}
END_TEST

START_TEST(sns_publish_call_with_attributes) {
  static const jcase jc = {"Publish", sns_subscribed, sns_publish_call, sns_published, 1};
  sweep(&jc);
}
END_TEST

START_TEST(sns_subscribe_with_redrive_policy) {
  static const jcase jc = {"aev_topic_subscribe", sns_topic_dlq, sns_subscribe_redrive,
                           sns_subscription, 0};
  sweep(&jc);
}
END_TEST

/* ---- EventBridge ------------------------------------------------------------ */

static void events_rule(ctx *c) {
  c->q = bt_queue(c->b, "q", NULL);
  bt_ok(aev_bus_get(c->b, "default", &c->bus));
  bt_rule(c->bus, "r", "shop", bt_queue_target(c->q, "t", "\"InputPath\":\"$.detail\""));
}

static int events_put_call(ctx *c) {
  return aev_call(c->b, "events", "PutEvents",
                  "{\"Entries\":[{\"Source\":\"shop\",\"DetailType\":\"order\","
                  "\"Detail\":\"{\\\"total\\\":250,\\\"note\\\":\\\"long enough to grow\\\"}\"}]}",
                  &c->resp);
}

/* An entry PutEvents answers as failed (InternalFailure, as AWS answers
 * an entry it could not take) was not put. */
static void events_put(ctx *c, int done) {
  if (done == DONE) {
    json_t *r = parsed(c->resp);
    if (json_integer_value(json_object_get(r, "FailedEntryCount")) == 1) {
      json_t *e = json_array_get(json_object_get(r, "Entries"), 0);
      ck_assert_str_eq(json_string_value(json_object_get(e, "ErrorCode")), "InternalFailure");
      done = NOT_DONE;
    }
    json_decref(r);
  }
  bt_ok(aev_broker_advance(c->b, 1000));
  char *body = only_message(c->q);
  expect_done(c, done, body != NULL);
  if (body) bt_json_eq(body, "{\"total\":250,\"note\":\"long enough to grow\"}");
  free(body);
}

/* A partner event source, its partner bus, and a rule to q on it. */
static void events_partner_rule(ctx *c) {
  c->q = bt_queue(c->b, "q", NULL);
  char *out = NULL;
  bt_ok(aev_call(c->b, "events", "CreatePartnerEventSource",
                 "{\"Name\":\"aws.partner/example.com/t/shop\",\"Account\":\"000000000000\"}",
                 &out));
  aev_free(out);
  bt_ok(aev_call(c->b, "events", "CreateEventBus",
                 "{\"Name\":\"aws.partner/example.com/t/shop\","
                 "\"EventSourceName\":\"aws.partner/example.com/t/shop\"}",
                 &out));
  aev_free(out);
  bt_ok(aev_bus_get(c->b, "aws.partner/example.com/t/shop", &c->bus));
  bt_rule(c->bus, "r", "aws.partner/example.com/t/shop",
          bt_queue_target(c->q, "t", "\"InputPath\":\"$.detail\""));
}

static int events_put_partner_call(ctx *c) {
  return aev_call(c->b, "events", "PutPartnerEvents",
                  "{\"Entries\":[{\"Source\":\"aws.partner/example.com/t/shop\","
                  "\"DetailType\":\"order\","
                  "\"Detail\":\"{\\\"total\\\":250,\\\"note\\\":\\\"long enough to grow\\\"}\"}]}",
                  &c->resp);
}

/* req holds the request's JSON text (built before the sweep arms). */
static void request(ctx *c, json_t *req) {
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  ck_assert_ptr_nonnull(text);
  snprintf(c->req, sizeof c->req, "%s", text);
  free(text);
}

/* A scheduled rule. */
static void events_bus(ctx *c) {
  bt_ok(aev_bus_get(c->b, "default", &c->bus));
  request(c, json_pack("{s:s,s:s,s:s,s:s}", "Name", "big", "ScheduleExpression",
                       "rate(5 minutes)", "State", "DISABLED", "Description",
                       "a description long enough"));
}

static int events_put_rule_call(ctx *c) {
  return aev_call(c->b, "events", "PutRule", c->req, &c->resp);
}

static void events_rule_put(ctx *c, int done) {
  char *text = NULL;
  int rc = aev_bus_describe_rule(c->bus, "big", &text);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  if (rc == AEV_OK) {
    char *s = member(text, "ScheduleExpression"), *st = member(text, "State"),
         *d = member(text, "Description");
    ck_assert_str_eq(s, "rate(5 minutes)");
    ck_assert_str_eq(st, "DISABLED");
    ck_assert_str_eq(d, "a description long enough");
    free(s);
    free(st);
    free(d);
  }
  aev_free(text);
}

/* A rule with an EventPattern, which lib/pattern compiles. */
static const char total_over_100[] = "{\"source\":[\"shop\"],\"detail\":{\"total\":"
                                     "[{\"numeric\":[\">\",100]}]}}";

static void events_bus_pattern(ctx *c) {
  bt_ok(aev_bus_get(c->b, "default", &c->bus));
  request(c, json_pack("{s:s,s:s}", "Name", "big", "EventPattern", total_over_100));
}

static void events_pattern_rule_put(ctx *c, int done) {
  char *text = NULL;
  int rc = aev_bus_describe_rule(c->bus, "big", &text);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  if (rc == AEV_OK) {
    char *pattern = member(text, "EventPattern");
    bt_json_eq(pattern, total_over_100);
    free(pattern);
  }
  aev_free(text);
}

START_TEST(events_put_rule_with_pattern) {
  static const jcase jc = {"PutRule", events_bus_pattern, events_put_rule_call,
                           events_pattern_rule_put, 1};
  sweep(&jc);
}
END_TEST

START_TEST(events_put_events_call) {
  static const jcase jc = {"PutEvents", events_rule, events_put_call, events_put, 1};
  sweep(&jc);
}
END_TEST

START_TEST(events_put_partner_events_call) {
  static const jcase jc = {"PutPartnerEvents", events_partner_rule, events_put_partner_call,
                           events_put, 1};
  sweep(&jc);
}
END_TEST

START_TEST(events_put_rule_scheduled) {
  static const jcase jc = {"PutRule", events_bus, events_put_rule_call, events_rule_put, 1};
  sweep(&jc);
}
END_TEST

/* ---- Lambda ------------------------------------------------------------------ */

static void lambda_function(ctx *c) { c->f = ft_function(c->b, "fn", NULL, &c->fs); }

static int lambda_invoke_call(ctx *c) {
  return aev_call(c->b, "lambda", "Invoke",
                  "{\"FunctionName\":\"fn\",\"Payload\":\"{\\\"order\\\":\\\"a long enough id\\\","
                  "\\\"n\\\":[1,2.5,true,null]}\"}",
                  &c->resp);
}

static void lambda_invoked(ctx *c, int done) {
  expect(c, c->fs.calls <= 1);
  expect_done(c, done, c->fs.calls == 1);
  if (!c->fs.calls) return;
  bt_json_eq(c->fs.last_event, "{\"order\":\"a long enough id\",\"n\":[1,2.5,true,null]}");
  if (done != DONE) return;
  char *payload = member(c->resp, "Payload");
  bt_json_eq(payload, c->fs.last_event);
  free(payload);
}

START_TEST(lambda_invoke_payload) {
  static const jcase jc = {"Invoke", lambda_function, lambda_invoke_call, lambda_invoked, 1};
  sweep(&jc);
}
END_TEST

/* ---- Step Functions ---------------------------------------------------------- */

static const char pass_definition[] =
    "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
    "\"Result\":{\"greeting\":\"hello there\"},\"End\":true}}}";

static void states_request(ctx *c) {
  request(c, json_pack("{s:s,s:s,s:s}", "name", "sm", "definition", pass_definition, "roleArn",
                       "arn:aws:iam::123456789012:role/r"));
}

static int states_create_call(ctx *c) {
  return aev_call(c->b, "states", "CreateStateMachine", c->req, &c->resp);
}

static void states_created(ctx *c, int done) {
  aev_machine *m = NULL;
  int rc = aev_machine_get(c->b, "sm", &m);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  if (done == DONE) {
    char *arn = member(c->resp, "stateMachineArn");
    ck_assert_str_eq(arn, aev_machine_arn(m));
    free(arn);
  }
  aev_machine_release(m);
}

static void states_machine(ctx *c) {
  bt_ok(aev_machine_create(c->b, "sm", pass_definition, strlen(pass_definition),
                           AEV_MACHINE_STANDARD, &c->m));
}

static int states_start_call(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"stateMachineArn\":\"%s\",\"name\":\"run\","
           "\"input\":\"{\\\"order\\\":\\\"a long enough id\\\"}\"}",
           aev_machine_arn(c->m));
  return aev_call(c->b, "states", "StartExecution", c->req, &c->resp);
}

static void states_started(ctx *c, int done) {
  char req[512];
  snprintf(req, sizeof req, "{\"stateMachineArn\":\"%s\"}", aev_machine_arn(c->m));
  bt_ok(aev_broker_advance(c->b, 1000));
  char *list;
  bt_ok(aev_call(c->b, "states", "ListExecutions", req, &list));
  json_t *l = parsed(list);
  json_t *runs = json_object_get(l, "executions");
  expect(c, json_array_size(runs) <= 1);
  expect_done(c, done, json_array_size(runs) == 1);
  if (json_array_size(runs)) {
    snprintf(req, sizeof req, "{\"executionArn\":\"%s\"}",
             json_string_value(json_object_get(json_array_get(runs, 0), "executionArn")));
    char *d;
    bt_ok(aev_call(c->b, "states", "DescribeExecution", req, &d));
    char *output = member(d, "output");
    bt_json_eq(output, "{\"greeting\":\"hello there\"}");
    free(output);
    aev_free(d);
  }
  json_decref(l);
  aev_free(list);
}

START_TEST(states_create_state_machine) {
  static const jcase jc = {"CreateStateMachine", states_request, states_create_call,
                           states_created, 1};
  sweep(&jc);
}
END_TEST

START_TEST(states_start_execution) {
  static const jcase jc = {"StartExecution", states_machine, states_start_call, states_started, 1};
  sweep(&jc);
}
END_TEST

/* A run's intrinsic functions (jansson builds their results): out of
 * memory, the execution fails as States.Runtime, where it used to fail
 * with no error name. */
static const char intrinsic_definition[] =
    "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":{"
    "\"text.$\":\"States.JsonToString($.items)\","
    "\"back.$\":\"States.StringToJson(States.JsonToString($.items))\"},\"End\":true}}}";

static void states_running(ctx *c) {
  bt_ok(aev_machine_create(c->b, "sm", intrinsic_definition, strlen(intrinsic_definition),
                           AEV_MACHINE_STANDARD, &c->m));
  bt_ok(aev_machine_start(c->m, "run", "{\"items\":[1,2,3]}", 17, &c->e));
}

static int states_drain(ctx *c) { return aev_broker_drain(c->b); }

static void states_ran(ctx *c, int done) {
  (void)done;
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  char *status = member(text, "status"), *error = member(text, "error");
  if (!strcmp(status, "SUCCEEDED")) {
    char *output = member(text, "output");
    bt_json_eq(output, "{\"text\":\"[1,2,3]\",\"back\":[1,2,3]}");
    free(output);
  } else {
    expect(c, !strcmp(status, "FAILED"));
    ck_assert_msg(!strcmp(error, "States.Runtime"), "%s: allocation %ld: error \"%s\"", c->what,
                  c->k, error);
  }
  free(status);
  free(error);
  aev_free(text);
}

START_TEST(states_run_with_intrinsics) {
  static const jcase jc = {"the run", states_running, states_drain, states_ran, 0};
  sweep_expecting(&jc, NOMEM_ALLOCATES); /* the call only runs what was posted */
}
END_TEST

/* ---- Kinesis ------------------------------------------------------------------- */

static void kinesis_stream(ctx *c) { bt_ok(aev_stream_create(c->b, "s", 1, &c->s)); }

static int kinesis_tag(ctx *c) {
  return aev_stream_tag(c->s, "{\"team\":\"payments and billing\",\"tier\":\"gold\"}");
}

static void kinesis_tagged(ctx *c, int done) {
  char *text;
  bt_ok(aev_stream_list_tags(c->s, &text));
  bt_json_eq(text, done == DONE ? "{\"Tags\":[{\"Key\":\"team\",\"Value\":\"payments and billing\"},"
                          "{\"Key\":\"tier\",\"Value\":\"gold\"}],\"HasMoreTags\":false}"
                        : "{\"Tags\":[],\"HasMoreTags\":false}");
  aev_free(text);
}

static int kinesis_put_record_call(ctx *c) {
  return aev_call(c->b, "kinesis", "PutRecord",
                  "{\"StreamName\":\"s\",\"Data\":\"aGVsbG8gdGhlcmU=\","
                  "\"PartitionKey\":\"a key long enough\"}",
                  &c->resp);
}

static void kinesis_put(ctx *c, int done) {
  char *it, *records;
  bt_ok(aev_call(c->b, "kinesis", "GetShardIterator",
                 "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                 "\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                 &it));
  char *iterator = member(it, "ShardIterator"), req[1024];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}", iterator);
  bt_ok(aev_call(c->b, "kinesis", "GetRecords", req, &records));
  json_t *r = parsed(records), *list = json_object_get(r, "Records");
  expect(c, json_array_size(list) <= 1);
  expect_done(c, done, json_array_size(list) == 1);
  if (json_array_size(list))
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "Data")),
                     "aGVsbG8gdGhlcmU=");
  json_decref(r);
  free(iterator);
  aev_free(it);
  aev_free(records);
}

START_TEST(kinesis_tag_stream_typed) {
  static const jcase jc = {"aev_stream_tag", kinesis_stream, kinesis_tag, kinesis_tagged, 0};
  sweep(&jc);
}
END_TEST

START_TEST(kinesis_put_record) {
  static const jcase jc = {"PutRecord", kinesis_stream, kinesis_put_record_call, kinesis_put, 1};
  sweep(&jc);
}
END_TEST

/* ---- JSONata -------------------------------------------------------------------- */

/* Outgrows an evaluation's stack arena, so its chunks are allocated while
 * it runs; and $eval texts whose parse and whose evaluation allocate
 * chunks too. Out of memory in any of them used to abort the process. */
static const char grow_expr[] =
    "a[2] + $sum($eval(\"[\" & $join([1..3000].$string(), \",\") & \"]\")) + "
    "$count($eval(\"$map([1..3000], function($v) { $string($v) & 'x' })\"))";

static void jsonata_nothing(ctx *c) { (void)c; }

static int jsonata_compile_call(ctx *c) {
  return aev_jsonata_compile(grow_expr, strlen(grow_expr), &c->x);
}

static void jsonata_compiled(ctx *c, int done) { expect_done(c, done, c->x != NULL); }

static void jsonata_expression(ctx *c) { bt_ok(jsonata_compile_call(c)); }

static int jsonata_evaluate_call(ctx *c) {
  return aev_jsonata_evaluate(c->x, "{\"a\":[1,2,3]}", NULL, &c->out);
}

static void jsonata_evaluated(ctx *c, int done) {
  expect_done(c, done, c->out != NULL);
  if (c->out) ck_assert_str_eq(c->out, "4504503");
}

START_TEST(jsonata_compile) {
  static const jcase jc = {"aev_jsonata_compile", jsonata_nothing, jsonata_compile_call,
                           jsonata_compiled, 0};
  sweep(&jc);
}
END_TEST

START_TEST(jsonata_evaluate) {
  static const jcase jc = {"aev_jsonata_evaluate", jsonata_expression, jsonata_evaluate_call,
                           jsonata_evaluated, 0};
  sweep(&jc);
}
END_TEST

/* ---- the parse itself ------------------------------------------------------------ */

/* Text jansson accepts: out of memory it answers AEV_ERR_NOMEM, never
 * AEV_ERR_INVALID, and a parse that succeeds is the whole document. */
START_TEST(parse_good_text_never_invalid) {
  static const char *const good[] = {
      "{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\ud83d\\ude00 caf\xc3\xa9\"],\"b\":{}}",
      "[\"a string that is long enough to make jansson grow its buffer\"]",
      "  {\"nested\":{\"deeper\":{\"deepest\":[[[]]]}}}  ",
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    json_t *want = json_loads(good[i], 0, NULL);
    ck_assert_ptr_nonnull(want);
    int reached = 1, failures = 0;
    for (long k = 0; reached; k++) {
      json_t *got;
      nomem_arm(k);
      int rc = aev__json_parse(good[i], strlen(good[i]), 0, &got, NULL);
      reached = nomem_disarm();
      ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOMEM, "%s: allocation %ld: %d", good[i], k, rc);
      if (rc == AEV_OK) ck_assert(json_equal(got, want));
      else ck_assert_ptr_null(got);
      failures += rc == AEV_ERR_NOMEM;
      json_decref(got);
    }
    ck_assert_int_gt(failures, 0);
    json_decref(want);
  }
}
END_TEST

/* Text jansson rejects stays AEV_ERR_INVALID with nothing recorded,
 * whichever allocation fails. */
START_TEST(parse_bad_text_always_invalid) {
  static const char *const bad[] = {
      "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "{\"a\":tru}", "[\"\\ud800\"]", "[\"\\udc00x\"]",
      "[\"\xc3(\"]", "[\"\xed\xa0\x80\"]", "\"scalar\"", "[01]", "[1.]", "[] []", "",
      "[\"tab\there\"]", "[\"\\x\"]",
  };
  aev_broker *b = bt_broker();
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    int reached = 1;
    for (long k = 0; reached; k++) {
      json_t *got;
      aev_queue *none;
      ck_assert_int_eq(aev_queue_get(b, "none", &none), AEV_ERR_NOT_FOUND);
      nomem_arm(k);
      int rc = aev__json_parse(bad[i], strlen(bad[i]), 0, &got, NULL);
      reached = nomem_disarm();
      ck_assert_msg(rc == AEV_ERR_INVALID, "%s: allocation %ld: %d", bad[i], k, rc);
      ck_assert_ptr_null(got);
      ck_assert_str_eq(aev_errcode(), "QueueDoesNotExist");
    }
  }
  aev_broker_destroy(b);
}
END_TEST

/* What only jansson checks in well-formed text is still invalid; NULL is. */
START_TEST(parse_what_only_jansson_rejects) {
  json_t *got;
  const char dup[] = "{\"a\":1,\"a\":2}", nul[] = "[\"\\u0000\"]", big[] = "[1e999]";
  ck_assert_int_eq(aev__json_parse(dup, strlen(dup), JSON_REJECT_DUPLICATES, &got, NULL),
                   AEV_ERR_INVALID);
  ck_assert_int_eq(aev__json_parse(nul, strlen(nul), 0, &got, NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev__json_parse(nul, strlen(nul), JSON_ALLOW_NUL, &got, NULL), AEV_OK);
  json_decref(got);
  ck_assert_int_eq(aev__json_parse(big, strlen(big), 0, &got, NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev__json_parse_str(NULL, 0, &got), AEV_ERR_INVALID);
  ck_assert_ptr_null(got);
  ck_assert_int_eq(aev__json_parse_str("7", JSON_DECODE_ANY, &got), AEV_OK);
  ck_assert_int_eq(json_integer_value(got), 7);
  json_decref(got);
}
END_TEST

/* Every allocation of a serialization fails in turn (the buffer's and
 * jansson's own): the text is whole or there is none. jansson's
 * json_dumps() answers text such as {":1,... when its write of a key
 * fails. */
START_TEST(dumps_whole_or_nothing) {
  json_t *v = json_pack("{s:i, s:{s:s, s:[i, s, b]}, s:s}", "alpha", 1, "beta", "gamma",
                        "a value long enough to need the buffer to grow", "delta", 2, "three",
                        1, "a second key of some length", "and its value, also long");
  ck_assert_ptr_nonnull(v);
  char *want = json_dumps(v, JSON_COMPACT);
  ck_assert_ptr_nonnull(want);
  int failures = 0, reached = 1;
  every_size_fails = 1;
  for (long k = 0; reached; k++) {
    nomem_arm(k);
    char *got = aev__json_dumps(v, JSON_COMPACT);
    reached = nomem_disarm();
    if (got) ck_assert_str_eq(got, want);
    else failures++;
    free(got);
  }
  every_size_fails = 0;
  ck_assert_int_gt(failures, 2);
  free(want);
  json_decref(v);
}
END_TEST

/* ---- Step Functions under jansson's out of memory (h-machine-oom) ---------------- */

/* A definition every compiler of which makes jansson values too (filter
 * and intrinsic literals, the diagnostics the parse keeps): CreateStateMachine
 * out of memory used to answer InvalidDefinition. The filter's || chain
 * has more terms than its node first makes room for. */
static const char compiled_definition[] =
    "{\"StartAt\":\"Shape\",\"States\":{"
    "\"Shape\":{\"Type\":\"Pass\",\"Parameters\":{"
    "\"label.$\":\"States.Format('order {} of {}', $.id, 'a long enough literal')\","
    "\"list.$\":\"States.Array(1, 2.5, 'three', true, null)\","
    "\"cheap.$\":\"$.items[?(@.price < 10.5 && @.kind == 'book' || @.a || @.b || @.c || "
    "@.d)].name\"},"
    "\"Next\":\"Route\"},"
    "\"Route\":{\"Type\":\"Choice\",\"Choices\":[{\"Not\":{\"Variable\":\"$.label\","
    "\"StringEquals\":\"none\"},\"Next\":\"Done\"}],\"Default\":\"Done\"},"
    "\"Done\":{\"Type\":\"Succeed\"}}}";

static int states_create_compiled_call(ctx *c) {
  return aev_machine_create(c->b, "sm", compiled_definition, strlen(compiled_definition),
                            AEV_MACHINE_STANDARD, &c->m);
}

static void states_compiled(ctx *c, int done) {
  aev_machine *m = NULL;
  int rc = aev_machine_get(c->b, "sm", &m);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  aev_machine_release(m);
}

START_TEST(states_create_compiled_definition) {
  static const jcase jc = {"CreateStateMachine (compiled)", jsonata_nothing,
                           states_create_compiled_call, states_compiled, 0};
  sweep(&jc);
}
END_TEST

/* A JSONata state whose Output is nested objects, arrays and made
 * strings: the result's conversion to jansson went unchecked, so out of
 * memory left parts out of a SUCCEEDED output, or failed the state with
 * States.QueryEvaluationError. It must succeed whole or fail as
 * States.Runtime. */
static const char jsonata_definition[] =
    "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\","
    "\"Output\":\"{% {'order': $states.input.id & '-x', "
    "'lines': [1, 2, 3].{'n': $, 'label': 'line ' & $string($)}, "
    "'nested': {'deep': [[1, 'a'], {'b': true}]}} %}\",\"End\":true}}}";

/* A run of definition on input, started (the sweep's call runs it). */
static void states_running_on(ctx *c, const char *definition, const char *input) {
  bt_ok(aev_machine_create(c->b, "sm", definition, strlen(definition), AEV_MACHINE_STANDARD,
                           &c->m));
  bt_ok(aev_machine_start(c->m, "run", input, strlen(input), &c->e));
}

/* The run SUCCEEDED with output, or FAILED as States.Runtime. */
static void states_succeeded_with(ctx *c, const char *output) {
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  char *status = member(text, "status"), *error = member(text, "error");
  if (!strcmp(status, "SUCCEEDED")) {
    char *got = member(text, "output");
    bt_json_eq(got, output);
    free(got);
  } else {
    ck_assert_msg(!strcmp(status, "FAILED") && !strcmp(error, "States.Runtime"),
                  "%s: allocation %ld: %s \"%s\"", c->what, c->k, status, error);
  }
  free(status);
  free(error);
  aev_free(text);
}

static void states_jsonata_running(ctx *c) {
  states_running_on(c, jsonata_definition, "{\"id\":\"A1\"}");
}

static void states_jsonata_ran(ctx *c, int done) {
  (void)done;
  states_succeeded_with(c, "{\"order\":\"A1-x\",\"lines\":[{\"n\":1,\"label\":\"line 1\"},"
                           "{\"n\":2,\"label\":\"line 2\"},{\"n\":3,\"label\":\"line 3\"}],"
                           "\"nested\":{\"deep\":[[1,\"a\"],{\"b\":true}]}}");
}

START_TEST(states_run_jsonata_output) {
  static const jcase jc = {"the JSONata run", states_jsonata_running, states_drain,
                           states_jsonata_ran, 0};
  sweep_expecting(&jc, NOMEM_ALLOCATES); /* the call only runs what was posted */
}
END_TEST

/* DescribeExecution and GetExecutionHistory of an ended run: whole, or
 * out of memory (a member jansson could not add used to be left out of a
 * success; jansson's json_dumps answered text that is not JSON when its
 * write of a key failed). */
static json_t *dumped(ctx *c) { return c->out ? parsed(c->out) : NULL; }

static void states_ended(ctx *c) {
  bt_ok(aev_machine_create(c->b, "sm", pass_definition, strlen(pass_definition),
                           AEV_MACHINE_STANDARD, &c->m));
  static const char input[] = "{\"order\":\"a long enough id\"}";
  bt_ok(aev_machine_start(c->m, "run", input, strlen(input), &c->e));
  bt_ok(aev_broker_drain(c->b));
}

static int states_describe_call(ctx *c) { return aev_execution_describe(c->e, &c->out); }

static void states_described(ctx *c, int done) {
  expect_done(c, done, c->out != NULL);
  json_t *d = dumped(c);
  if (!d) return;
  ck_assert_str_eq(json_string_value(json_object_get(d, "status")), "SUCCEEDED");
  ck_assert_str_eq(json_string_value(json_object_get(d, "output")),
                   "{\"greeting\":\"hello there\"}");
  expect(c, json_object_get(d, "outputDetails") && json_object_get(d, "stopDate") &&
                json_object_get(d, "redriveCount"));
  json_decref(d);
}

static int states_history_call(ctx *c) { return aev_execution_history(c->e, &c->out); }

static void states_history_read(ctx *c, int done) {
  expect_done(c, done, c->out != NULL);
  json_t *h = dumped(c), *events = json_object_get(h, "events"), *ev;
  if (!h) return;
  static const char *const details[] = {"executionStartedEventDetails", "stateEnteredEventDetails",
                                        "stateExitedEventDetails",
                                        "executionSucceededEventDetails"};
  ck_assert_uint_eq(json_array_size(events), 4);
  size_t i;
  json_array_foreach(events, i, ev) {
    expect(c, json_object_get(ev, "timestamp") && json_object_get(ev, "type") &&
                  json_object_get(ev, "id") && json_object_get(ev, "previousEventId"));
    ck_assert_msg(json_object_get(ev, details[i]) != NULL, "%s: allocation %ld: event %zu lacks %s",
                  c->what, c->k, i, details[i]);
  }
  json_t *entered = json_object_get(json_array_get(events, 1), details[1]);
  ck_assert_str_eq(json_string_value(json_object_get(entered, "input")),
                   "{\"order\":\"a long enough id\"}");
  expect(c, json_object_get(entered, "name") && json_object_get(entered, "inputDetails"));
  json_decref(h);
}

START_TEST(states_describe_and_history) {
  static const jcase describe = {"DescribeExecution", states_ended, states_describe_call,
                                 states_described, 0};
  static const jcase history = {"GetExecutionHistory", states_ended, states_history_call,
                                states_history_read, 0};
  sweep(&describe);
  sweep(&history);
}
END_TEST

/* A run through Parallel and Map (jansson builds their results): it
 * succeeds whole or fails as States.Runtime. */
static const char flows_definition[] =
    "{\"StartAt\":\"Par\",\"States\":{"
    "\"Par\":{\"Type\":\"Parallel\",\"Branches\":["
    "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":\"one\",\"End\":true}}},"
    "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Result\":\"two\",\"End\":true}}}],"
    "\"Next\":\"Each\"},"
    "\"Each\":{\"Type\":\"Map\",\"ItemProcessor\":{\"StartAt\":\"I\","
    "\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";

static void states_flows_running(ctx *c) { states_running_on(c, flows_definition, "{}"); }

static void states_flows_ran(ctx *c, int done) {
  (void)done;
  states_succeeded_with(c, "[\"one\",\"two\"]");
}

START_TEST(states_run_parallel_and_map) {
  static const jcase jc = {"the Parallel and Map run", states_flows_running, states_drain,
                           states_flows_ran, 0};
  sweep_expecting(&jc, NOMEM_ALLOCATES); /* the call only runs what was posted */
}
END_TEST

/* ---- batch answers: every entry, and nothing taken on an error -------------- */

/* A batch of three entries a, b, c with bodies A, B, C. */
static const char *const BATCH_IDS[3] = {"a", "b", "c"};

/* Which entries the answer lists under ok_key (succeeded) and which under
 * failed_key: each exactly once. */
static void batch_listed(const ctx *c, const char *ok_key, const char *failed_key, int ok[3]) {
  json_t *r = parsed(c->resp);
  int seen[3] = {0, 0, 0};
  for (int side = 0; side < 2; side++) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, side ? failed_key : ok_key), i, e) {
      const char *id = json_string_value(json_object_get(e, "Id"));
      for (int k = 0; k < 3; k++)
        if (id && !strcmp(id, BATCH_IDS[k])) {
          seen[k]++;
          ok[k] = !side;
        }
      if (side) expect(c, json_string_value(json_object_get(e, "Code")) != NULL);
    }
  }
  json_decref(r);
  for (int k = 0; k < 3; k++)
    ck_assert_msg(seen[k] == 1, "%s: allocation %ld: entry %s listed %d times: %s", c->what, c->k,
                  BATCH_IDS[k], seen[k], c->resp);
}

/* The bodies entries a, b, c carry to the queue. */
static const char *const LETTERS[3] = {"A", "B", "C"};

/* The bodies q holds (taken), as a set: held[k] for bodies[k]. */
static void bodies_held(aev_queue *q, const char *const bodies[3], int held[3]) {
  held[0] = held[1] = held[2] = 0;
  for (char *body; (body = bt_take(q)) != NULL; free(body)) {
    int k = 0;
    while (k < 3 && strcmp(body, bodies[k])) k++;
    ck_assert_msg(k < 3, "body %s", body);
    held[k]++;
  }
}

/* q holds exactly the entries ok[] says succeeded when the call answered
 * (done: DONE), none when it answered out of memory before its effect
 * (NOT_DONE), any when its answer was lost after it (EITHER). */
static void held_as_answered(const ctx *c, int done, aev_queue *q, const char *const bodies[3],
                             const int ok[3]) {
  int held[3];
  bodies_held(q, bodies, held);
  for (int k = 0; k < 3 && done != EITHER; k++)
    ck_assert_msg(held[k] == (done == DONE && ok[k]), "%s: allocation %ld: entry %s %s, held %d times",
                  c->what, c->k, BATCH_IDS[k], done == DONE && ok[k] ? "succeeded" : "did not",
                  held[k]);
}

/* A batch that answered lists every entry, and q holds exactly the ones
 * it lists as succeeded. */
static void batch_held(ctx *c, int done, aev_queue *q, const char *ok_key,
                       const char *failed_key) {
  int ok[3] = {0, 0, 0};
  if (done == DONE) batch_listed(c, ok_key, failed_key, ok);
  held_as_answered(c, done, q, LETTERS, ok);
}

/* SNS PublishBatch to a raw SQS subscriber. */
static const char sns_batch[] = "[{\"Id\":\"a\",\"Message\":\"A\"},{\"Id\":\"b\",\"Message\":\"B\"},"
                                "{\"Id\":\"c\",\"Message\":\"C\"}]";

static int sns_publish_batch_typed(ctx *c) {
  return aev_topic_publish_batch(c->t, sns_batch, &c->resp);
}

static int sns_publish_batch_call(ctx *c) {
  snprintf(c->req, sizeof c->req, "{\"TopicArn\":\"%s\",\"PublishBatchRequestEntries\":%s}",
           aev_topic_arn(c->t), sns_batch);
  return aev_call(c->b, "sns", "PublishBatch", c->req, &c->resp);
}

static void sns_batch_published(ctx *c, int done) {
  bt_ok(aev_broker_advance(c->b, 60000)); /* deliveries retried */
  batch_held(c, done, c->q, "Successful", "Failed");
}

START_TEST(sns_publish_batch_typed_answers_every_entry) {
  static const jcase jc = {"aev_topic_publish_batch", sns_subscribed, sns_publish_batch_typed,
                           sns_batch_published, 0};
  sweep(&jc);
}
END_TEST

START_TEST(sns_publish_batch_answers_every_entry) {
  static const jcase jc = {"sns PublishBatch", sns_subscribed, sns_publish_batch_call,
                           sns_batch_published, 1};
  sweep(&jc);
}
END_TEST

/* SQS SendMessageBatch and DeleteMessageBatch through aev_call. */
static int sqs_send_batch_call(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"QueueUrl\":\"%s\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"A\"},"
           "{\"Id\":\"b\",\"MessageBody\":\"B\",\"MessageAttributes\":{\"k\":{\"DataType\":"
           "\"String\",\"StringValue\":\"v\"}}},{\"Id\":\"c\",\"MessageBody\":\"C\"}]}",
           aev_queue_url(c->q));
  return aev_call(c->b, "sqs", "SendMessageBatch", c->req, &c->resp);
}

static void sqs_batch_sent(ctx *c, int done) { batch_held(c, done, c->q, "Successful", "Failed"); }

START_TEST(sqs_send_message_batch_answers_every_entry) {
  static const jcase jc = {"sqs SendMessageBatch", sqs_queue, sqs_send_batch_call, sqs_batch_sent,
                           1};
  sweep(&jc);
}
END_TEST

/* Three messages in flight (bodies A, B, C); the batch deletes A and C
 * and names a handle that is not valid for b. */
static void sqs_three_in_flight(ctx *c) {
  sqs_queue(c);
  const char *bodies[3] = {"A", "B", "C"};
  for (int i = 0; i < 3; i++) bt_ok(aev_queue_send(c->q, bodies[i], 1, NULL, NULL, NULL));
  aev_message *m[3];
  size_t n = 0;
  bt_ok(aev_queue_receive(c->q, 3, 0, NULL, m, &n));
  ck_assert_uint_eq(n, 3);
  char *at = c->req + snprintf(c->req, sizeof c->req, "{\"QueueUrl\":\"%s\",\"Entries\":[",
                               aev_queue_url(c->q));
  for (size_t i = 0; i < n; i++) {
    const char *body = aev_message_body(m[i], NULL);
    at += snprintf(at, sizeof c->req - (size_t)(at - c->req),
                   "%s{\"Id\":\"%c\",\"ReceiptHandle\":\"%s\"}", i ? "," : "", body[0] - 'A' + 'a',
                   body[0] == 'B' ? "not-a-handle" : aev_message_receipt_handle(m[i]));
    aev_message_free(m[i]);
  }
  snprintf(at, sizeof c->req - (size_t)(at - c->req), "]}");
}

static int sqs_delete_batch_call(ctx *c) {
  return aev_call(c->b, "sqs", "DeleteMessageBatch", c->req, &c->resp);
}

/* Every entry listed; a and c deleted (B alone comes back). */
static void sqs_batch_deleted(ctx *c, int done) {
  int ok[3];
  if (done == DONE) {
    batch_listed(c, "Successful", "Failed", ok);
    expect(c, ok[0] && !ok[1] && ok[2]);
  }
  bt_ok(aev_broker_advance(c->b, 60000));
  int held[3];
  bodies_held(c->q, LETTERS, held);
  expect(c, held[1] == 1);
  if (done != EITHER) expect(c, held[0] == !done && held[2] == !done);
}

START_TEST(sqs_delete_message_batch_answers_every_entry) {
  static const jcase jc = {"sqs DeleteMessageBatch", sqs_three_in_flight, sqs_delete_batch_call,
                           sqs_batch_deleted, 1};
  sweep(&jc);
}
END_TEST

/* EventBridge PutEvents of three entries to a rule whose queue target
 * gets each event's detail.n (0, 1, 2); the answer lists them in order. */
static const char events_batch[] =
    "[{\"Source\":\"shop\",\"DetailType\":\"o\",\"Detail\":\"{\\\"n\\\":0}\"},"
    "{\"Source\":\"shop\",\"DetailType\":\"o\",\"Detail\":\"{\\\"n\\\":1}\"},"
    "{\"Source\":\"shop\",\"DetailType\":\"o\",\"Detail\":\"{\\\"n\\\":2}\"}]";

static void events_rule_n(ctx *c) {
  c->q = bt_queue(c->b, "q", NULL);
  bt_ok(aev_bus_get(c->b, "default", &c->bus));
  bt_rule(c->bus, "r", "shop", bt_queue_target(c->q, "t", "\"InputPath\":\"$.detail.n\""));
}

static int events_put_batch_typed(ctx *c) {
  return aev_bus_put_events(c->b, events_batch, &c->resp);
}

static int events_put_batch_call(ctx *c) {
  snprintf(c->req, sizeof c->req, "{\"Entries\":%s}", events_batch);
  return aev_call(c->b, "events", "PutEvents", c->req, &c->resp);
}

/* Every entry answered, in order, FailedEntryCount counting the failed;
 * the queue holds the events of the entries that succeeded. */
static void events_batch_put(ctx *c, int done) {
  static const char *const ns[3] = {"0", "1", "2"};
  int ok[3] = {0, 0, 0};
  if (done == DONE) {
    json_t *r = parsed(c->resp), *entries = json_object_get(r, "Entries");
    ck_assert_msg(json_array_size(entries) == 3, "%s: allocation %ld: %s", c->what, c->k, c->resp);
    json_int_t failed = 0;
    for (size_t k = 0; k < 3; k++) {
      json_t *e = json_array_get(entries, k);
      ok[k] = json_object_get(e, "EventId") != NULL;
      failed += !ok[k];
      expect(c, ok[k] != (json_object_get(e, "ErrorCode") != NULL));
    }
    expect(c, json_integer_value(json_object_get(r, "FailedEntryCount")) == failed);
    json_decref(r);
  }
  bt_ok(aev_broker_advance(c->b, 600000)); /* deliveries retried */
  held_as_answered(c, done, c->q, ns, ok);
}

START_TEST(events_put_events_typed_answers_every_entry) {
  static const jcase jc = {"aev_bus_put_events", events_rule_n, events_put_batch_typed,
                           events_batch_put, 0};
  sweep(&jc);
}
END_TEST

START_TEST(events_put_events_answers_every_entry) {
  static const jcase jc = {"events PutEvents", events_rule_n, events_put_batch_call,
                           events_batch_put, 1};
  sweep(&jc);
}
END_TEST

/* Kinesis GetRecords over three records through aev_call: its answer
 * lists all three and the next iterator (one left out would be skipped for
 * good, the next iterator being past it); out of memory, the same
 * iterator reads them all again. */
static void kinesis_three_records(ctx *c) {
  kinesis_stream(c);
  for (int i = 0; i < 3; i++) bt_ok(aev_stream_put(c->s, LETTERS[i], 1, "k", NULL, NULL, NULL, NULL));
  char *it;
  bt_ok(aev_call(c->b, "kinesis", "GetShardIterator",
                 "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                 "\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                 &it));
  char *iterator = member(it, "ShardIterator");
  snprintf(c->req, sizeof c->req, "{\"ShardIterator\":\"%s\"}", iterator);
  free(iterator);
  aev_free(it);
}

static int kinesis_get_records_call(ctx *c) {
  return aev_call(c->b, "kinesis", "GetRecords", c->req, &c->resp);
}

static void kinesis_got_three(ctx *c, int done) {
  if (done != DONE) {
    aev_free(c->resp);
    c->resp = NULL;
    bt_ok(kinesis_get_records_call(c));
  }
  json_t *r = parsed(c->resp), *list = json_object_get(r, "Records");
  ck_assert_msg(json_array_size(list) == 3, "%s: allocation %ld: %zu records", c->what, c->k,
                json_array_size(list));
  expect(c, json_is_string(json_object_get(r, "NextShardIterator")));
  json_decref(r);
}

START_TEST(kinesis_get_records_answers_every_record) {
  static const jcase jc = {"GetRecords", kinesis_three_records, kinesis_get_records_call,
                           kinesis_got_three, 0};
  sweep(&jc);
}
END_TEST

/* SQS ReceiveMessage through aev_call: an answer that says success
 * carries the message whole (a message received but left out of it would
 * count a receive its consumer never saw). */
static void sqs_one_message(ctx *c) {
  sqs_queue(c);
  aev_send_options *o;
  bt_ok(aev_send_options_new(&o));
  bt_ok(aev_send_options_set_attributes(
      o, "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"},"
         "\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AQID\"}}"));
  bt_ok(aev_queue_send(c->q, "A", 1, o, NULL, NULL));
  aev_send_options_free(o);
  snprintf(c->req, sizeof c->req,
           "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"],\"MessageAttributeNames\":[\"All\"]}",
           aev_queue_url(c->q));
}

static int sqs_receive_call(ctx *c) {
  return aev_call(c->b, "sqs", "ReceiveMessage", c->req, &c->resp);
}

static void sqs_received_whole(ctx *c, int done) {
  if (done != DONE) return;
  json_t *r = parsed(c->resp), *m = json_array_get(json_object_get(r, "Messages"), 0);
  ck_assert_msg(m != NULL, "%s: allocation %ld: %s", c->what, c->k, c->resp);
  static const char *const members[] = {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"};
  for (size_t i = 0; i < 4; i++)
    ck_assert_msg(json_is_string(json_object_get(m, members[i])), "%s: allocation %ld: no %s",
                  c->what, c->k, members[i]);
  json_t *attrs = json_object_get(m, "Attributes");
  expect(c, json_object_get(attrs, "SentTimestamp") && json_object_get(attrs, "SenderId") &&
                json_object_get(attrs, "ApproximateReceiveCount"));
  json_t *ma = json_object_get(m, "MessageAttributes");
  ck_assert_msg(json_object_size(ma) == 2 &&
                    json_object_get(json_object_get(ma, "b"), "BinaryValue"),
                "%s: allocation %ld: %s", c->what, c->k, c->resp);
  json_decref(r);
}

START_TEST(sqs_receive_message_answers_whole) {
  static const jcase jc = {"sqs ReceiveMessage", sqs_one_message, sqs_receive_call,
                           sqs_received_whole, 1};
  sweep_expecting(&jc, NOMEM_ALLOCATES);
}
END_TEST

/* SNS Publish to a FIFO topic through aev_call: an answer that says
 * success carries the SequenceNumber. */
static void sns_fifo_topic(ctx *c) {
  bt_ok(aev_topic_create(c->b, "t.fifo",
                         "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}", &c->t));
  snprintf(c->req, sizeof c->req, "{\"TopicArn\":\"%s\",\"Message\":\"m\",\"MessageGroupId\":\"g\"}",
           aev_topic_arn(c->t));
}

static int sns_publish_fifo_call(ctx *c) {
  return aev_call(c->b, "sns", "Publish", c->req, &c->resp);
}

static void sns_fifo_published(ctx *c, int done) {
  if (done != DONE) return;
  char *seq = member(c->resp, "SequenceNumber");
  ck_assert_msg(strlen(seq) == 20, "%s: allocation %ld: %s", c->what, c->k, c->resp);
  free(seq);
}

START_TEST(sns_publish_fifo_answers_sequence_number) {
  static const jcase jc = {"sns Publish (FIFO)", sns_fifo_topic, sns_publish_fifo_call,
                           sns_fifo_published, 1};
  sweep(&jc);
}
END_TEST

/* Kinesis PutRecords of three records through aev_call: an answer that
 * says success has a result for each, in order. */
static int kinesis_put_records_call(ctx *c) {
  return aev_call(c->b, "kinesis", "PutRecords",
                  "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"QQ==\",\"PartitionKey\":\"k\"},"
                  "{\"Data\":\"Qg==\",\"PartitionKey\":\"k\"},{\"Data\":\"Qw==\",\"PartitionKey\":\"k\"}]}",
                  &c->resp);
}

static void kinesis_records_put(ctx *c, int done) {
  if (done != DONE) return;
  json_t *r = parsed(c->resp);
  ck_assert_msg(json_array_size(json_object_get(r, "Records")) == 3, "%s: allocation %ld: %s",
                c->what, c->k, c->resp);
  json_decref(r);
}

START_TEST(kinesis_put_records_answers_every_record) {
  static const jcase jc = {"PutRecords", kinesis_stream, kinesis_put_records_call,
                           kinesis_records_put, 1};
  sweep(&jc);
}
END_TEST

/* A Kinesis event-source mapping's run, jansson failing too: the
 * function gets every record (an event built with one left out would have
 * the mapping's checkpoint pass it: skipped for good). The handler notes
 * the records it sees (A, B, C: "QQ==", "Qg==", "Qw==") without
 * allocating. */
static int mapped_calls, mapped_seen[3];

static void count_records(void *user, aev_invocation *inv, const char *event, size_t len) {
  static const char *const data[3] = {"\"QQ==\"", "\"Qg==\"", "\"Qw==\""};
  (void)user;
  (void)len;
  mapped_calls++;
  for (int k = 0; k < 3; k++) mapped_seen[k] |= strstr(event, data[k]) != NULL;
  aev_invocation_succeed(inv, "{}", 2);
}

static void kinesis_mapped(ctx *c) {
  kinesis_stream(c);
  for (int i = 0; i < 3; i++) bt_ok(aev_stream_put(c->s, LETTERS[i], 1, "k", NULL, NULL, NULL, NULL));
  bt_ok(aev_function_create(c->b, "fn", NULL, count_records, NULL, NULL, &c->f));
  snprintf(c->req, sizeof c->req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"StartingPosition\":\"TRIM_HORIZON\","
           "\"BatchSize\":10}",
           aev_stream_arn(c->s));
  bt_ok(aev_event_source_mapping_create(c->b, c->req, &c->out));
  mapped_calls = mapped_seen[0] = mapped_seen[1] = mapped_seen[2] = 0;
}

static int mapping_drain(ctx *c) { return aev_broker_drain(c->b); }

static void mapping_got_three(ctx *c, int done) {
  (void)done;
  bt_ok(aev_broker_advance(c->b, 60000));
  ck_assert_msg(mapped_seen[0] && mapped_seen[1] && mapped_seen[2],
                "%s: allocation %ld: %d calls saw A %d, B %d, C %d", c->what, c->k, mapped_calls,
                mapped_seen[0], mapped_seen[1], mapped_seen[2]);
}

START_TEST(kinesis_mapping_event_carries_every_record) {
  static const jcase jc = {"Kinesis event-source mapping run", kinesis_mapped, mapping_drain,
                           mapping_got_three, 0};
  sweep_expecting(&jc, NOMEM_NEVER_FAILS);
}
END_TEST

/* A tumbling window's state goes from one invocation to the next whole:
 * the function returns three members, and every invocation sees none (the
 * window's start) or all three. */
static int window_calls, window_partial;

static void window_state(void *user, aev_invocation *inv, const char *event, size_t len) {
  (void)user;
  json_t *ev = json_loadb(event, len, 0, NULL);
  size_t members = json_object_size(json_object_get(ev, "state"));
  json_decref(ev);
  window_calls++;
  window_partial += members != 0 && members != 3;
  static const char resp[] = "{\"state\":{\"a\":1,\"b\":\"two\",\"c\":[3]}}";
  aev_invocation_succeed(inv, resp, sizeof resp - 1);
}

static void kinesis_windowed(ctx *c) {
  kinesis_stream(c);
  bt_ok(aev_function_create(c->b, "win", NULL, window_state, NULL, NULL, &c->f));
  snprintf(c->req, sizeof c->req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"win\",\"StartingPosition\":"
           "\"TRIM_HORIZON\",\"TumblingWindowInSeconds\":60}",
           aev_stream_arn(c->s));
  bt_ok(aev_event_source_mapping_create(c->b, c->req, &c->out));
  bt_ok(aev_stream_put(c->s, "A", 1, "k", NULL, NULL, NULL, NULL));
  bt_ok(aev_broker_drain(c->b));
  window_calls = window_partial = 0;
}

static int window_next_batch(ctx *c) {
  int rc = aev_stream_put(c->s, "B", 1, "k", NULL, NULL, NULL, NULL);
  return rc ? rc : aev_broker_drain(c->b);
}

static void window_state_whole(ctx *c, int done) {
  (void)done;
  bt_ok(aev_broker_advance(c->b, 1000));
  ck_assert_msg(!window_partial, "%s: allocation %ld: %d of %d invocations saw part of the state",
                c->what, c->k, window_partial, window_calls);
}

START_TEST(kinesis_window_state_whole) {
  static const jcase jc = {"a tumbling window's next batch", kinesis_windowed, window_next_batch,
                           window_state_whole, 0};
  sweep_expecting(&jc, NOMEM_ANY);
}
END_TEST

/* ---- EventBridge dead-letter attributes ------------------------------------ */

static int always_fails(void *user, const char *in, size_t len) {
  (void)user;
  (void)in;
  (void)len;
  return 7;
}

/* A rule whose callback target always fails and is not retried, with a
 * dead-letter queue (c->q). */
static void events_failing_target(ctx *c) {
  bt_ok(aev_bus_get(c->b, "default", &c->bus));
  c->q = bt_queue(c->b, "dlq", NULL);
  bt_ok(aev_bus_put_rule(c->bus, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  snprintf(c->req, sizeof c->req,
           "{\"Id\":\"cb\",\"RetryPolicy\":{\"MaximumRetryAttempts\":0},"
           "\"DeadLetterConfig\":{\"Arn\":\"%s\"}}",
           aev_queue_arn(c->q));
  bt_ok(aev_bus_put_callback_target(c->bus, "r", c->req, always_fails, NULL, NULL));
}

static int events_put_and_deliver(ctx *c) {
  char id[37];
  int rc = aev_bus_put_event(c->bus, "a", "t", "{}", 2, id);
  return rc ? rc : aev_broker_drain(c->b);
}

/* A dead-lettered event carries every attribute AWS sets, or is not in
 * the queue at all (dropped and logged, as when the queue refuses it). */
static void events_dead_lettered_whole(ctx *c, int done) {
  aev_message *m[2];
  size_t n = 0;
  bt_ok(aev_queue_receive(c->q, 2, 0, NULL, m, &n));
  expect(c, n <= 1);
  if (done == NOT_DONE) expect(c, n == 0);
  if (!n) return;
  char *text = aev_message_attributes_json(m[0]);
  json_t *attrs = parsed(text);
  static const char *const always[] = {"RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE",
                                       "RETRY_ATTEMPTS"};
  for (size_t i = 0; i < sizeof always / sizeof *always; i++)
    ck_assert_msg(json_object_get(attrs, always[i]), "%s: allocation %ld: no %s in %s", c->what,
                  c->k, always[i], text);
  json_decref(attrs);
  aev_free(text);
  aev_message_free(m[0]);
}

START_TEST(events_dead_letter_carries_every_attribute) {
  static const jcase jc = {"PutEvents to a failing target with a dead-letter queue",
                           events_failing_target, events_put_and_deliver,
                           events_dead_lettered_whole, 0};
  sweep_expecting(&jc, NOMEM_ANY);
}
END_TEST

/* ---- Answers compared with a failure-free call's --------------------------- */

/* A listing or attribute map that is missing an entry because jansson had
 * no memory for it is a wrong answer: these calls answer the whole of it,
 * or out of memory. Each setup keeps the whole answer (the call's, with
 * nothing failing) in c->out. */
static void expect_whole_answer(ctx *c) {
  bt_ok(c->jc->call(c));
  c->out = c->resp;
  c->resp = NULL;
}

static void answered_whole(ctx *c, int done) {
  if (done != DONE) return;
  ck_assert_msg(c->resp && !strcmp(c->resp, c->out), "%s: allocation %ld: answered %s, whole: %s",
                c->what, c->k, c->resp, c->out);
}

/* ---- Read-only calls answer whole ------------------------------------------- */

/* What the reads below look at: an EventBridge bus with rules, a target,
 * an archive and a replay; a resharded Kinesis stream with a consumer,
 * tags and an event-source mapping, and a second stream. Made through
 * aev_call, as a user would. */
static const char *const world_calls[][3] = {
    {"sqs", "CreateQueue", "{\"QueueName\":\"q\"}"},
    {"events", "CreateEventBus", "{\"Name\":\"orders\"}"},
    {"events", "PutRule",
     "{\"Name\":\"r1\",\"EventBusName\":\"orders\",\"EventPattern\":\"{\\\"source\\\":"
     "[\\\"shop\\\"]}\",\"Description\":\"orders from the shop\"}"},
    {"events", "PutRule",
     "{\"Name\":\"r2\",\"EventBusName\":\"orders\",\"EventPattern\":\"{\\\"detail\\\":"
     "{\\\"n\\\":[{\\\"numeric\\\":[\\\">\\\",1]}]}}\",\"State\":\"DISABLED\"}"},
    {"events", "PutTargets",
     "{\"Rule\":\"r1\",\"EventBusName\":\"orders\",\"Targets\":[{\"Id\":\"t1\",\"Arn\":"
     "\"arn:aws:sqs:us-east-1:000000000000:q\",\"InputPath\":\"$.detail\"}]}"},
    {"events", "CreateArchive",
     "{\"ArchiveName\":\"arch\",\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:"
     "event-bus/orders\",\"Description\":\"all of it\",\"RetentionDays\":3}"},
    {"events", "StartReplay",
     "{\"ReplayName\":\"rp\",\"EventSourceArn\":\"arn:aws:events:us-east-1:000000000000:"
     "archive/arch\",\"EventStartTime\":1700000000,\"EventEndTime\":1700000100,"
     "\"Destination\":{\"Arn\":\"arn:aws:events:us-east-1:000000000000:event-bus/orders\"}}"},
    {"kinesis", "CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":2}"},
    {"kinesis", "UpdateShardCount",
     "{\"StreamName\":\"s\",\"TargetShardCount\":4,\"ScalingType\":\"UNIFORM_SCALING\"}"},
    {"kinesis", "RegisterStreamConsumer",
     "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\","
     "\"ConsumerName\":\"c1\"}"},
    {"kinesis", "AddTagsToStream",
     "{\"StreamName\":\"s\",\"Tags\":{\"team\":\"orders\",\"tier\":\"gold\"}}"},
    {"kinesis", "CreateStream", "{\"StreamName\":\"t\",\"ShardCount\":1}"},
    {"lambda", "CreateEventSourceMapping",
     "{\"FunctionName\":\"fn\",\"EventSourceArn\":\"arn:aws:kinesis:us-east-1:000000000000:"
     "stream/s\",\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":7}"},
    {"lambda", "CreateEventSourceMapping",
     "{\"FunctionName\":\"fn\",\"EventSourceArn\":\"arn:aws:sqs:us-east-1:000000000000:q\","
     "\"BatchSize\":3}"},
};

static const char *const reads[][3] = {
    {"events", "ListEventBuses", "{}"},
    {"events", "DescribeEventBus", "{\"Name\":\"orders\"}"},
    {"events", "ListRules", "{\"EventBusName\":\"orders\"}"},
    {"events", "DescribeRule", "{\"Name\":\"r1\",\"EventBusName\":\"orders\"}"},
    {"events", "ListTargetsByRule", "{\"Rule\":\"r1\",\"EventBusName\":\"orders\"}"},
    {"events", "ListRuleNamesByTarget",
     "{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"EventBusName\":\"orders\"}"},
    {"events", "ListArchives", "{}"},
    {"events", "DescribeArchive", "{\"ArchiveName\":\"arch\"}"},
    {"events", "ListReplays", "{}"},
    {"events", "DescribeReplay", "{\"ReplayName\":\"rp\"}"},
    {"kinesis", "DescribeStream", "{\"StreamName\":\"s\"}"},
    {"kinesis", "DescribeStreamSummary", "{\"StreamName\":\"s\"}"},
    {"kinesis", "ListShards", "{\"StreamName\":\"s\"}"},
    {"kinesis", "ListStreams", "{}"},
    {"kinesis", "ListStreamConsumers",
     "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\"}"},
    {"kinesis", "DescribeStreamConsumer",
     "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\","
     "\"ConsumerName\":\"c1\"}"},
    {"lambda", "ListEventSourceMappings", "{\"FunctionName\":\"fn\"}"},
    {"kinesis", "ListTagsForStream", "{\"StreamName\":\"s\"}"},
    /* A first page, whose NextToken belongs to the answer too. */
    {"events", "ListRules", "{\"EventBusName\":\"orders\",\"Limit\":1}"},
    {"kinesis", "ListShards", "{\"StreamName\":\"s\",\"MaxResults\":1}"},
    {"kinesis", "ListStreams", "{\"Limit\":1}"},
};
enum { N_READS = sizeof reads / sizeof *reads };

static int read_index;

static void read_world(ctx *c) {
  c->f = ft_function(c->b, "fn", NULL, &c->fs);
  for (size_t i = 0; i < sizeof world_calls / sizeof *world_calls; i++) {
    char *out = NULL;
    int rc = aev_call(c->b, world_calls[i][0], world_calls[i][1], world_calls[i][2], &out);
    ck_assert_msg(rc == AEV_OK, "%s: %s", world_calls[i][1], out ? out : aev_errmsg());
    aev_free(out);
  }
  c->what = reads[read_index][1];
  expect_whole_answer(c);
}

static int read_call(ctx *c) {
  return aev_call(c->b, reads[read_index][0], reads[read_index][1], reads[read_index][2],
                  &c->resp);
}

START_TEST(reads_answer_whole) {
  read_index = _i;
  const jcase jc = {reads[_i][1], read_world, read_call, answered_whole, 0};
  sweep(&jc);
}
END_TEST

/* ---- SQS and SNS listings and attribute maps: whole or out of memory ---- */

/* The typed call under sweep_listing(); it parses no text, so jansson's
 * allocations of every size may fail. */
static int (*typed_listing)(ctx *c);

static int typed_listing_call(ctx *c) {
  every_size_fails = 1;
  int rc = typed_listing(c);
  every_size_fails = 0;
  return rc;
}

static void sweep_listing(const char *what, void (*setup)(ctx *c), int (*call)(ctx *c)) {
  typed_listing = call;
  const jcase jc = {what, setup, typed_listing_call, answered_whole, 0};
  sweep(&jc);
}

/* Queues "a", "b" and "c", the last two with "dlq" as dead-letter queue,
 * which has a policy, a KMS key, a message and a move task back to them;
 * c->q is "dlq". */
static void three_queues(ctx *c) {
  c->q = bt_queue(c->b, "dlq", "{\"Policy\":\"{}\",\"KmsMasterKeyId\":\"k\"}");
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\","
           "\\\"maxReceiveCount\\\":3}\"}",
           aev_queue_arn(c->q));
  aev_queue_release(bt_queue(c->b, "a", NULL));
  aev_queue_release(bt_queue(c->b, "b", attrs));
  aev_queue_release(bt_queue(c->b, "c", attrs));
  bt_ok(aev_queue_send(c->q, "m", 1, NULL, NULL, NULL));
  char *handle;
  bt_ok(aev_queue_start_move_task(c->b, aev_queue_arn(c->q), NULL, 0, &handle));
  aev_free(handle);
}

static void three_queues_listed(ctx *c) {
  three_queues(c);
  expect_whole_answer(c);
}

static int list_queues(ctx *c) { return aev_queue_list(c->b, NULL, 0, NULL, &c->resp); }

static int list_dlq_sources(ctx *c) {
  return aev_queue_list_dead_letter_sources(c->q, 0, NULL, &c->resp);
}

static int list_move_tasks(ctx *c) {
  return aev_queue_list_move_tasks(c->b, aev_queue_arn(c->q), 10, &c->resp);
}

static int dlq_attributes(ctx *c) { return aev_queue_get_attributes(c->q, NULL, &c->resp); }

/* The same through aev_call, whose answers wrap the maps. */
static int sqs_get_attributes_call(ctx *c) {
  snprintf(c->req, sizeof c->req, "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}",
           aev_queue_url(c->q));
  return aev_call(c->b, "sqs", "GetQueueAttributes", c->req, &c->resp);
}

static void tagged_queue_listed(ctx *c) {
  c->q = bt_queue(c->b, "q", "{\"DelaySeconds\":\"5\"}");
  bt_ok(aev_queue_tag(c->q, "{\"team\":\"a\",\"cost\":\"b\",\"env\":\"c\"}"));
  expect_whole_answer(c);
}

static int sqs_list_tags_call(ctx *c) {
  snprintf(c->req, sizeof c->req, "{\"QueueUrl\":\"%s\"}", aev_queue_url(c->q));
  return aev_call(c->b, "sqs", "ListQueueTags", c->req, &c->resp);
}

START_TEST(sqs_get_queue_attributes_call_whole) {
  static const jcase jc = {"sqs GetQueueAttributes", tagged_queue_listed, sqs_get_attributes_call,
                           answered_whole, 0};
  sweep(&jc);
}
END_TEST

START_TEST(sqs_list_queue_tags_call_whole) {
  static const jcase jc = {"sqs ListQueueTags", tagged_queue_listed, sqs_list_tags_call,
                           answered_whole, 0};
  sweep(&jc);
}
END_TEST

/* CreateQueue of an existing queue with the same attributes: the queue,
 * or out of memory, never QueueNameExists. */
static const char same_queue_attrs[] = "{\"VisibilityTimeout\":\"45\",\"Policy\":\"{}\"}";

static void queue_to_create_again(ctx *c) { c->q = bt_queue(c->b, "q", same_queue_attrs); }

static int create_queue_again(ctx *c) {
  aev_queue *q = NULL;
  int rc = aev_queue_create(c->b, "q", same_queue_attrs, &q);
  aev_queue_release(q);
  return rc;
}

static void nothing_else(ctx *c, int done) {
  (void)c;
  (void)done;
}

START_TEST(sqs_create_existing_queue_same_attributes) {
  static const jcase jc = {"aev_queue_create (exists)", queue_to_create_again,
                           create_queue_again, nothing_else, 0};
  sweep(&jc);
}
END_TEST

/* Topics "t1".."t3" (c->t is "t1"; each with a display name), each with
 * a subscription of queue "q" (RawMessageDelivery; c->req is t1's ARN of
 * it) and one pending confirmation. */
static void three_topics(ctx *c) {
  c->q = bt_queue(c->b, "q", NULL);
  for (int i = 1; i <= 3; i++) {
    char name[8];
    aev_topic *t;
    snprintf(name, sizeof name, "t%d", i);
    bt_ok(aev_topic_create(c->b, name, "{\"DisplayName\":\"shown\"}", &t));
    char *arn;
    bt_ok(aev_topic_subscribe(t, "sqs", aev_queue_arn(c->q), "{\"RawMessageDelivery\":\"true\"}",
                              &arn));
    if (i == 1) snprintf(c->req, sizeof c->req, "%s", arn);
    aev_free(arn);
    bt_ok(aev_topic_subscribe(t, "http", "http://example.com/a", NULL, &arn));
    aev_free(arn);
    if (i == 1) c->t = t;
    else aev_topic_release(t);
  }
}

static void three_topics_listed(ctx *c) {
  three_topics(c);
  expect_whole_answer(c);
}

static int list_topics(ctx *c) { return aev_topic_list(c->b, NULL, &c->resp); }

static int list_subscriptions(ctx *c) { return aev_subscription_list(c->b, NULL, NULL, &c->resp); }

static int topic_attributes(ctx *c) { return aev_topic_get_attributes(c->t, &c->resp); }

static int subscription_attributes(ctx *c) {
  return aev_subscription_get_attributes(c->b, c->req, &c->resp);
}

/* The typed listings and attribute maps, each swept by typed_listings_whole. */
static const struct {
  const char *what;
  void (*setup)(ctx *c);
  int (*call)(ctx *c);
} typed_listings[] = {
    {"aev_queue_list", three_queues_listed, list_queues},
    {"aev_queue_list_dead_letter_sources", three_queues_listed, list_dlq_sources},
    {"aev_queue_list_move_tasks", three_queues_listed, list_move_tasks},
    {"aev_queue_get_attributes", three_queues_listed, dlq_attributes},
    {"aev_topic_list", three_topics_listed, list_topics},
    {"aev_subscription_list", three_topics_listed, list_subscriptions},
    {"aev_topic_get_attributes", three_topics_listed, topic_attributes},
    {"aev_subscription_get_attributes", three_topics_listed, subscription_attributes},
};
enum { N_TYPED_LISTINGS = sizeof typed_listings / sizeof *typed_listings };

START_TEST(typed_listings_whole) {
  sweep_listing(typed_listings[_i].what, typed_listings[_i].setup, typed_listings[_i].call);
}
END_TEST

/* CreateTopic and Subscribe again with the same attributes: the existing
 * one, or out of memory, never InvalidParameter. */
static int create_topic_again(ctx *c) {
  aev_topic *t = NULL;
  int rc = aev_topic_create(c->b, "t1", "{\"DisplayName\":\"shown\"}", &t);
  aev_topic_release(t);
  return rc;
}

static int subscribe_again(ctx *c) {
  char *arn = NULL;
  int rc = aev_topic_subscribe(c->t, "sqs", aev_queue_arn(c->q), "{\"RawMessageDelivery\":\"true\"}",
                               &arn);
  aev_free(arn);
  return rc;
}

START_TEST(sns_create_existing_topic_same_attributes) {
  static const jcase jc = {"aev_topic_create (exists)", three_topics, create_topic_again,
                           nothing_else, 0};
  sweep(&jc);
}
END_TEST

START_TEST(sns_subscribe_again_same_attributes) {
  static const jcase jc = {"aev_topic_subscribe (exists)", three_topics, subscribe_again,
                           nothing_else, 0};
  sweep(&jc);
}
END_TEST

/* sns TagResource with three tags: all of them, or none. */
static int sns_tag_call(ctx *c) {
  snprintf(c->req, sizeof c->req,
           "{\"ResourceArn\":\"%s\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"},"
           "{\"Key\":\"cost\",\"Value\":\"b\"},{\"Key\":\"env\",\"Value\":\"c\"}]}",
           aev_topic_arn(c->t));
  return aev_call(c->b, "sns", "TagResource", c->req, &c->resp);
}

static void sns_tagged(ctx *c, int done) {
  char *tags;
  bt_ok(aev_topic_list_tags(c->t, &tags));
  json_t *j = parsed(tags);
  aev_free(tags);
  expect(c, json_object_size(j) == 0 || json_object_size(j) == 3);
  expect_done(c, done, json_object_size(j) == 3);
  json_decref(j);
}

static int sns_list_tags_call(ctx *c) {
  snprintf(c->req, sizeof c->req, "{\"ResourceArn\":\"%s\"}", aev_topic_arn(c->t));
  return aev_call(c->b, "sns", "ListTagsForResource", c->req, &c->resp);
}

static void tagged_topic_listed(ctx *c) {
  three_topics(c);
  bt_ok(aev_topic_tag(c->t, "{\"team\":\"a\",\"cost\":\"b\",\"env\":\"c\"}"));
  expect_whole_answer(c);
}

START_TEST(sns_tag_resource_all_or_none) {
  static const jcase jc = {"sns TagResource", three_topics, sns_tag_call, sns_tagged, 1};
  sweep(&jc);
}
END_TEST

START_TEST(sns_list_tags_for_resource_whole) {
  static const jcase jc = {"sns ListTagsForResource", tagged_topic_listed, sns_list_tags_call,
                           answered_whole, 0};
  sweep(&jc);
}
END_TEST

/* An http subscription's SubscriptionConfirmation: all of its members, or
 * no subscription. The callback keeps the body without allocating. */
static char confirmation_body[4096];
static int confirmations;

static int keep_confirmation(void *user, const char *type, const char *body, size_t len) {
  (void)user;
  (void)type;
  snprintf(confirmation_body, sizeof confirmation_body, "%.*s", (int)len, body);
  confirmations++;
  return 200;
}

static void topic_to_subscribe(ctx *c) {
  bt_ok(aev_topic_create(c->b, "t", NULL, &c->t));
  confirmations = 0;
}

static int subscribe_http_call(ctx *c) {
  return aev_topic_subscribe_callback(c->t, "http", "http://example.com/a", keep_confirmation, NULL,
                                      NULL, NULL, &c->out);
}

/* A post that failed is retried by the http delivery policy (20 s). */
static void confirmation_whole(ctx *c, int done) {
  bt_ok(aev_broker_advance(c->b, 60000));
  expect_done(c, done, confirmations == 1);
  if (!confirmations) return;
  json_t *j = parsed(confirmation_body);
  ck_assert_msg(json_object_size(j) == 10, "%s: allocation %ld: %s", c->what, c->k,
                confirmation_body);
  json_decref(j);
}

START_TEST(sns_subscription_confirmation_whole) {
  static const jcase jc = {"aev_topic_subscribe_callback", topic_to_subscribe, subscribe_http_call,
                           confirmation_whole, 0};
  sweep(&jc);
}
END_TEST

/* sqs CreateQueue with tags: the queue with all of its tags, or no queue
 * (aev_call may still answer out of memory once the queue is made). */
static void no_queue_yet(ctx *c) { (void)c; }

static int sqs_create_tagged_call(ctx *c) {
  snprintf(c->req, sizeof c->req, "%s",
           "{\"QueueName\":\"q\",\"tags\":{\"team\":\"a\",\"cost\":\"b\",\"env\":\"c\"}}");
  return aev_call(c->b, "sqs", "CreateQueue", c->req, &c->resp);
}

static void sqs_created_tagged(ctx *c, int done) {
  int rc = aev_queue_get(c->b, "q", &c->q);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  if (rc) return;
  char *tags;
  bt_ok(aev_queue_list_tags(c->q, &tags));
  json_t *j = parsed(tags);
  aev_free(tags);
  expect(c, json_object_size(j) == 3);
  json_decref(j);
}

START_TEST(sqs_create_queue_with_tags_whole) {
  static const jcase jc = {"sqs CreateQueue (tags)", no_queue_yet, sqs_create_tagged_call,
                           sqs_created_tagged, 1};
  sweep(&jc);
}
END_TEST

/* ---- Step Functions runs under out of memory: whole or States.Runtime ---- */

/* The history type's details member, as AWS names it. */
static void details_key(const char *type, char *key, size_t size) {
  size_t n = strlen(type);
  if (n > 12 && !strcmp(type + n - 12, "StateEntered")) snprintf(key, size, "stateEnteredEventDetails");
  else if (n > 11 && !strcmp(type + n - 11, "StateExited")) snprintf(key, size, "stateExitedEventDetails");
  else snprintf(key, size, "%c%sEventDetails", type[0] - 'A' + 'a', type + 1);
}

/* Events AWS lists without details. */
static int detail_less(const char *type) {
  static const char *const types[] = {"ParallelStateStarted", "ParallelStateSucceeded",
                                      "ParallelStateFailed", "MapStateSucceeded", "MapStateFailed",
                                      "LambdaFunctionStarted"};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(type, types[i])) return 1;
  return 0;
}

/* Every event of the run's history is whole: numbered without a gap, with
 * its details (an error in a failure's, an output in a success's), and
 * the last is the end the execution reports. */
static void history_whole(ctx *c, const char *status) {
  char *text;
  bt_ok(aev_execution_history(c->e, &text));
  json_t *h = parsed(text), *events = json_object_get(h, "events"), *ev;
  size_t i;
  json_array_foreach(events, i, ev) {
    const char *type = json_string_value(json_object_get(ev, "type"));
    ck_assert_msg(json_integer_value(json_object_get(ev, "id")) == (json_int_t)i + 1,
                  "%s: allocation %ld: event %zu (%s) is numbered %lld", c->what, c->k, i, type,
                  (long long)json_integer_value(json_object_get(ev, "id")));
    if (detail_less(type)) continue;
    char key[96];
    details_key(type, key, sizeof key);
    json_t *d = json_object_get(ev, key);
    ck_assert_msg(json_is_object(d), "%s: allocation %ld: %s without %s", c->what, c->k, type, key);
    size_t n = strlen(type);
    if (!strncmp(type, "MapIteration", 12)) continue; /* its name and index */
    if (n > 6 && !strcmp(type + n - 6, "Failed"))
      ck_assert_msg(json_object_get(d, "error") != NULL, "%s: allocation %ld: %s without its error",
                    c->what, c->k, type);
    if (n > 9 && !strcmp(type + n - 9, "Succeeded"))
      ck_assert_msg(json_is_string(json_object_get(d, "output")),
                    "%s: allocation %ld: %s without its output", c->what, c->k, type);
  }
  const char *last = json_string_value(json_object_get(json_array_get(events, i - 1), "type"));
  ck_assert_msg(!strcmp(last, !strcmp(status, "SUCCEEDED") ? "ExecutionSucceeded" : "ExecutionFailed"),
                "%s: allocation %ld: %s ends with %s", c->what, c->k, status, last);
  json_decref(h);
  aev_free(text);
}

/* The run ended SUCCEEDED with output, FAILED with error (when not NULL),
 * or FAILED as States.Runtime for want of memory; its history whole. */
static void states_ended_as(ctx *c, const char *output, const char *error) {
  bt_ok(aev_broker_advance(c->b, 60 * 60 * 1000));
  char *text;
  bt_ok(aev_execution_describe(c->e, &text));
  char *status = member(text, "status"), *got = member(text, "error"), *cause = member(text, "cause");
  if (output && !strcmp(status, "SUCCEEDED")) {
    char *out = member(text, "output");
    bt_json_eq(out, output);
    free(out);
  } else {
    ck_assert_msg(!strcmp(status, "FAILED") &&
                      ((error && !strcmp(got, error)) ||
                       (!strcmp(got, "States.Runtime") && strstr(cause, "Out of memory"))),
                  "%s: allocation %ld: %s %s: %s", c->what, c->k, status, got, cause);
  }
  history_whole(c, status);
  free(status);
  free(got);
  free(cause);
  aev_free(text);
}

/* A Lambda function that fails, called as a Lambda ARN and through
 * lambda:invoke: its error, or States.Runtime. Out of memory used to turn
 * its error object into "{}", and the task failed as Lambda.Unknown; a
 * history event whose details could not be built was kept without them. */
static void refuses(void *user, aev_invocation *inv, const char *event, size_t len) {
  (void)user, (void)event, (void)len;
  aev_invocation_fail(inv, "Custom.Refused", "not today, nor tomorrow");
}

static const char lambda_arn_definition[] =
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
    "\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:refuses\",\"End\":true}}}";
static const char lambda_invoke_definition[] =
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
    "\"Resource\":\"arn:aws:states:::lambda:invoke\",\"Parameters\":{\"FunctionName\":\"refuses\","
    "\"Payload.$\":\"$\"},\"End\":true}}}";

static void states_calling(ctx *c, const char *definition) {
  bt_ok(aev_function_create(c->b, "refuses", NULL, refuses, NULL, NULL, &c->f));
  states_running_on(c, definition, "{\"order\":\"a long enough id\"}");
}

static void states_calling_arn(ctx *c) { states_calling(c, lambda_arn_definition); }
static void states_calling_invoke(ctx *c) { states_calling(c, lambda_invoke_definition); }

static void states_refused(ctx *c, int done) {
  (void)done;
  states_ended_as(c, NULL, "Custom.Refused");
}

START_TEST(states_run_lambda_error_kept) {
  static const jcase arn = {"a run calling a Lambda ARN", states_calling_arn, states_drain,
                            states_refused, 0};
  static const jcase invoke = {"a run calling lambda:invoke", states_calling_invoke, states_drain,
                               states_refused, 0};
  sweep_expecting(&arn, NOMEM_ALLOCATES); /* the call only runs what was posted */
  sweep_expecting(&invoke, NOMEM_ALLOCATES);
}
END_TEST

/* $$, variables (Assign, a Catch's Assign), ResultPath into objects and
 * arrays, ItemBatcher and ItemSelector: out of memory used to leave $$
 * as the previous state's, drop variables, batch part of the items and
 * answer States.ResultPathMatchFailure. */
static const char scoped_definition[] =
    "{\"StartAt\":\"First\",\"States\":{"
    "\"First\":{\"Type\":\"Pass\",\"Parameters\":{\"name.$\":\"$$.State.Name\",\"items\":[1,2,3]},"
    "\"Assign\":{\"x\":1,\"y\":\"two\"},\"Next\":\"Second\"},"
    "\"Second\":{\"Type\":\"Pass\",\"Parameters\":{\"name.$\":\"$$.State.Name\",\"x.$\":\"$x\","
    "\"y.$\":\"$y\",\"items.$\":\"$.items\"},\"ResultPath\":\"$.second\",\"Next\":\"Batches\"},"
    "\"Batches\":{\"Type\":\"Map\",\"ItemsPath\":\"$.second.items\",\"ItemBatcher\":{"
    "\"MaxItemsPerBatch\":2,\"BatchInput\":{\"tag\":\"b\"}},\"ItemProcessor\":{\"StartAt\":\"B\","
    "\"States\":{\"B\":{\"Type\":\"Pass\",\"End\":true}}},\"ResultPath\":\"$.batches\","
    "\"Next\":\"Indexed\"},"
    "\"Indexed\":{\"Type\":\"Map\",\"ItemsPath\":\"$.second.items\",\"ItemSelector\":{"
    "\"i.$\":\"$$.Map.Item.Index\",\"v.$\":\"$$.Map.Item.Value\"},\"ItemProcessor\":{"
    "\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},"
    "\"ResultPath\":\"$.indexed\",\"Next\":\"Guard\"},"
    "\"Guard\":{\"Type\":\"Parallel\",\"Branches\":[{\"StartAt\":\"F\",\"States\":{\"F\":{"
    "\"Type\":\"Fail\",\"Error\":\"Custom.Oops\",\"Cause\":\"why\"}}}],\"Catch\":[{"
    "\"ErrorEquals\":[\"Custom.Oops\"],\"ResultPath\":\"$.caught\","
    "\"Assign\":{\"oops.$\":\"$.caught.Error\"},\"Next\":\"Last\"}],\"End\":true},"
    "\"Last\":{\"Type\":\"Pass\",\"Parameters\":{\"name.$\":\"$$.State.Name\",\"second.$\":\"$.second\","
    "\"batches.$\":\"$.batches\",\"indexed.$\":\"$.indexed\",\"x.$\":\"$x\",\"oops.$\":\"$oops\"},"
    "\"Next\":\"Slot\"},"
    "\"Slot\":{\"Type\":\"Pass\",\"Result\":\"z\",\"ResultPath\":\"$.batches[0].Items[1]\",\"End\":true}}}";

static void states_scoped_running(ctx *c) { states_running_on(c, scoped_definition, "{}"); }

static void states_scoped_ran(ctx *c, int done) {
  (void)done;
  states_ended_as(c,
                  "{\"name\":\"Last\",\"second\":{\"name\":\"Second\",\"x\":1,\"y\":\"two\","
                  "\"items\":[1,2,3]},\"batches\":[{\"BatchInput\":{\"tag\":\"b\"},\"Items\":[1,\"z\"]},"
                  "{\"BatchInput\":{\"tag\":\"b\"},\"Items\":[3]}],\"indexed\":[{\"i\":0,\"v\":1},"
                  "{\"i\":1,\"v\":2},{\"i\":2,\"v\":3}],\"x\":1,\"oops\":\"Custom.Oops\"}",
                  NULL);
}

START_TEST(states_run_keeps_context_and_variables) {
  static const jcase jc = {"a run of $$, variables and batches", states_scoped_running, states_drain,
                           states_scoped_ran, 0};
  sweep_expecting(&jc, NOMEM_ALLOCATES); /* the call only runs what was posted */
}
END_TEST

/* ---- Lambda descriptions: whole or out of memory ---------------------------- */

/* A function with variables, a version and a queue mapped to it: the
 * descriptions built of many members (a member jansson could not add was
 * left out; a list could skip a function's mappings). */
static void lambda_described(ctx *c) {
  c->f = ft_function(c->b, "fn",
                     "{\"Timeout\":30,\"Description\":\"a function\",\"Environment\":{"
                     "\"Variables\":{\"A\":\"one\",\"B\":\"two\"}}}",
                     &c->fs);
  char *text;
  bt_ok(aev_function_publish_version(c->f, "first", &text));
  aev_free(text);
  bt_ok(aev_function_update_configuration(c->f, "{\"Timeout\":29}"));
  bt_ok(aev_function_publish_version(c->f, "second", &text));
  aev_free(text);
  bt_ok(aev_function_create_alias(c->f, "live", "1", "the live one",
                                  "{\"AdditionalVersionWeights\":{\"2\":0.25}}", &text));
  aev_free(text);
  bt_ok(aev_function_set_reserved_concurrency(c->f, 5));
  c->q = bt_queue(c->b, "jobs", NULL);
  snprintf(c->req, sizeof c->req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"BatchSize\":5,"
           "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"],"
           "\"ScalingConfig\":{\"MaximumConcurrency\":4}}",
           aev_queue_arn(c->q));
  bt_ok(aev_event_source_mapping_create(c->b, c->req, &text));
  aev_free(text);
}

static int lambda_configuration(ctx *c) { return aev_function_configuration(c->f, &c->out); }
static int lambda_versions(ctx *c) { return aev_function_list_versions(c->f, &c->out); }
static int lambda_mappings(ctx *c) {
  return aev_event_source_mapping_list(c->b, "fn", NULL, &c->out);
}
static int lambda_aliases(ctx *c) { return aev_function_list_aliases(c->f, &c->out); }
static int lambda_get_call(ctx *c) {
  return aev_call(c->b, "lambda", "GetFunction", "{\"FunctionName\":\"fn\"}", &c->resp);
}
static int lambda_list_call(ctx *c) {
  return aev_call(c->b, "lambda", "ListFunctions", "{}", &c->resp);
}

/* What the call answered (its output or aev_call's answer) is what it
 * answers with memory to spare. */
static void lambda_answered_whole(ctx *c, int done) {
  if (done != DONE) { /* aev_call answers its error, a typed call nothing */
    expect(c, c->out == NULL);
    return;
  }
  char **answer = c->resp ? &c->resp : &c->out;
  char *got = *answer;
  *answer = NULL;
  bt_ok(c->jc->call(c));
  bt_json_eq(got, *answer);
  aev_free(got);
}

START_TEST(lambda_descriptions_whole) {
  static const jcase configuration = {"GetFunctionConfiguration", lambda_described,
                                      lambda_configuration, lambda_answered_whole, 0};
  static const jcase versions = {"ListVersionsByFunction", lambda_described, lambda_versions,
                                 lambda_answered_whole, 0};
  static const jcase mappings = {"ListEventSourceMappings", lambda_described, lambda_mappings,
                                 lambda_answered_whole, 0};
  static const jcase aliases = {"ListAliases", lambda_described, lambda_aliases,
                                lambda_answered_whole, 0};
  static const jcase get = {"GetFunction", lambda_described, lambda_get_call,
                            lambda_answered_whole, 0};
  static const jcase list = {"ListFunctions", lambda_described, lambda_list_call,
                             lambda_answered_whole, 0};
  sweep(&configuration);
  sweep(&versions);
  sweep(&mappings);
  sweep(&aliases);
  sweep(&get);
  sweep(&list);
}
END_TEST

/* UpdateFunctionConfiguration of members kept as given: all of them, or
 * out of memory with the configuration as it was (one jansson could not
 * add was left out of a success). */
static int lambda_update(ctx *c) {
  return aev_function_update_configuration(c->f, "{\"Description\":\"new words\","
                                                 "\"Runtime\":\"python3.12\",\"Handler\":\"app.main\","
                                                 "\"Role\":\"arn:aws:iam::000000000000:role/r\"}");
}

static void lambda_updated(ctx *c, int done) {
  char *text;
  bt_ok(aev_function_configuration(c->f, &text));
  json_t *conf = parsed(text);
  const char *runtime = json_string_value(json_object_get(conf, "Runtime"));
  expect_done(c, done, runtime && !strcmp(runtime, "python3.12"));
  if (done == DONE)
    expect(c, json_object_get(conf, "Description") && json_object_get(conf, "Handler") &&
                  json_object_get(conf, "Role"));
  else
    expect(c, !json_object_get(conf, "Handler") && !json_object_get(conf, "Role"));
  json_decref(conf);
  aev_free(text);
}

START_TEST(lambda_update_configuration_whole) {
  static const jcase jc = {"UpdateFunctionConfiguration", lambda_function, lambda_update,
                           lambda_updated, 0};
  sweep(&jc);
}
END_TEST

/* PublishVersion: published with its answer, or out of memory with no
 * new version (one was published, yet the call answered out of memory). */
static void lambda_changed(ctx *c) {
  lambda_function(c);
  bt_ok(aev_function_update_configuration(c->f, "{\"Description\":\"the one to publish\"}"));
}

static int lambda_publish(ctx *c) { return aev_function_publish_version(c->f, "v1", &c->out); }

static void lambda_published(ctx *c, int done) {
  char *text;
  bt_ok(aev_function_list_versions(c->f, &text));
  json_t *l = parsed(text);
  expect_done(c, done, json_array_size(json_object_get(l, "Versions")) == 2);
  if (done == DONE) {
    char *version = member(c->out, "Version");
    ck_assert_str_eq(version, "1");
    free(version);
  }
  json_decref(l);
  aev_free(text);
}

START_TEST(lambda_publish_version_whole) {
  static const jcase jc = {"PublishVersion", lambda_changed, lambda_publish, lambda_published, 0};
  sweep(&jc);
}
END_TEST

/* CreateEventSourceMapping of a queue: made with its answer, or out of
 * memory with no mapping (one was made, yet the call answered out of
 * memory). */
static void lambda_and_queue(ctx *c) {
  lambda_function(c);
  c->q = bt_queue(c->b, "jobs", NULL);
  snprintf(c->req, sizeof c->req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"BatchSize\":5}",
           aev_queue_arn(c->q));
}

static int lambda_map(ctx *c) { return aev_event_source_mapping_create(c->b, c->req, &c->out); }

static void lambda_mapped(ctx *c, int done) {
  char *text;
  bt_ok(aev_event_source_mapping_list(c->b, "fn", NULL, &text));
  json_t *l = parsed(text);
  expect_done(c, done, json_array_size(json_object_get(l, "EventSourceMappings")) == 1);
  if (done == DONE) {
    char *uuid = member(c->out, "UUID");
    ck_assert_str_eq(uuid, json_string_value(json_object_get(
                               json_array_get(json_object_get(l, "EventSourceMappings"), 0), "UUID")));
    free(uuid);
  }
  json_decref(l);
  aev_free(text);
}

START_TEST(lambda_create_mapping_whole) {
  static const jcase jc = {"CreateEventSourceMapping", lambda_and_queue, lambda_map, lambda_mapped, 0};
  sweep(&jc);
}
END_TEST

/* CreateAlias: made with its answer, or out of memory with no alias. */
static void lambda_published_two(ctx *c) {
  lambda_function(c);
  char *text;
  bt_ok(aev_function_publish_version(c->f, "first", &text));
  aev_free(text);
  bt_ok(aev_function_update_configuration(c->f, "{\"Timeout\":31}"));
  bt_ok(aev_function_publish_version(c->f, "second", &text));
  aev_free(text);
}

static int lambda_alias(ctx *c) {
  return aev_function_create_alias(c->f, "live", "1", "the live one",
                                   "{\"AdditionalVersionWeights\":{\"2\":0.25}}", &c->out);
}

static void lambda_aliased(ctx *c, int done) {
  char *text = NULL;
  int rc = aev_function_get_alias(c->f, "live", &text);
  expect(c, rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
  expect_done(c, done, rc == AEV_OK);
  if (done == DONE) bt_json_eq(c->out, text);
  if (text) {
    json_t *a = parsed(text);
    ck_assert_str_eq(json_string_value(json_object_get(a, "Description")), "the live one");
    json_decref(a);
  }
  aev_free(text);
}

START_TEST(lambda_create_alias_whole) {
  static const jcase jc = {"CreateAlias", lambda_published_two, lambda_alias, lambda_aliased, 0};
  sweep(&jc);
}
END_TEST

/* UpdateAlias: moved with its answer, or out of memory with the alias as
 * it was. */
static void lambda_aliased_one(ctx *c) {
  lambda_published_two(c);
  char *text;
  bt_ok(aev_function_create_alias(c->f, "live", "1", NULL, NULL, &text));
  aev_free(text);
}

static int lambda_move_alias(ctx *c) {
  return aev_function_update_alias(c->f, "live", "2", NULL, &c->out);
}

static void lambda_alias_moved(ctx *c, int done) {
  char *text;
  bt_ok(aev_function_get_alias(c->f, "live", &text));
  char *version = member(text, "FunctionVersion");
  expect_done(c, done, !strcmp(version, "2"));
  if (done == DONE) bt_json_eq(c->out, text);
  free(version);
  aev_free(text);
}

START_TEST(lambda_update_alias_whole) {
  static const jcase jc = {"UpdateAlias", lambda_aliased_one, lambda_move_alias,
                           lambda_alias_moved, 0};
  sweep(&jc);
}
END_TEST

/* An Event invocation that fails, with an OnFailure queue: the record it
 * gets names the function's error (one whose error object could not be
 * built carried "{}" as if the function had answered it). */
static void lambda_failing_event(ctx *c) {
  c->f = ft_function(c->b, "fn", NULL, &c->fs);
  c->fs.mode = FT_FAIL;
  c->q = bt_queue(c->b, "failures", NULL);
  snprintf(c->req, sizeof c->req,
           "{\"MaximumRetryAttempts\":0,\"DestinationConfig\":{\"OnFailure\":{"
           "\"Destination\":\"%s\"}}}",
           aev_queue_arn(c->q));
  bt_ok(aev_function_put_event_invoke_config(c->f, c->req));
  bt_ok(aev_function_invoke_event(c->f, "{\"n\":1}", 7, NULL));
}

static void lambda_failure_recorded(ctx *c, int done) {
  (void)done;
  bt_ok(aev_broker_advance(c->b, 60000));
  char *body = only_message(c->q);
  if (!body) return; /* out of memory: no record rather than a wrong one */
  json_t *rec = parsed(body);
  const char *type =
      json_string_value(json_object_get(json_object_get(rec, "responsePayload"), "errorType"));
  ck_assert_msg(type && !strcmp(type, "Boom"), "%s: allocation %ld: %s", c->what, c->k, body);
  json_decref(rec);
  free(body);
}

START_TEST(lambda_event_failure_record_whole) {
  static const jcase jc = {"an Event invocation that fails", lambda_failing_event,
                           states_drain, lambda_failure_recorded, 0};
  sweep_expecting(&jc, NOMEM_ALLOCATES); /* the call only runs what was posted */
}
END_TEST

/* An SQS mapping's event carries each message's attributes whole (one
 * jansson could not add a member to went out without it). */
static void lambda_mapped_message(ctx *c) {
  lambda_described(c);
  snprintf(c->req, sizeof c->req,
           "{\"QueueUrl\":\"%s\",\"MessageBody\":\"a body\",\"MessageAttributes\":{\"colour\":{"
           "\"DataType\":\"String\",\"StringValue\":\"blue\"}}}",
           aev_queue_url(c->q));
  bt_ok(aev_call(c->b, "sqs", "SendMessage", c->req, &c->resp));
  aev_free(c->resp);
  c->resp = NULL;
}

static int lambda_mapping_drain(ctx *c) { return aev_broker_drain(c->b); }

static void lambda_got_attributes(ctx *c, int done) {
  (void)done;
  bt_ok(aev_broker_advance(c->b, 120000)); /* a batch not sent is received again */
  ck_assert_msg(c->fs.calls >= 1, "%s: allocation %ld: no call", c->what, c->k);
  json_t *ev = parsed(c->fs.last_event);
  json_t *attrs = json_object_get(json_array_get(json_object_get(ev, "Records"), 0),
                                  "messageAttributes");
  char *got = json_dumps(json_object_get(attrs, "colour"), JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_msg(got && !strcmp(got, "{\"binaryListValues\":[],\"dataType\":\"String\","
                                    "\"stringListValues\":[],\"stringValue\":\"blue\"}"),
                "%s: allocation %ld: %s", c->what, c->k, got ? got : "(none)");
  free(got);
  json_decref(ev);
}

START_TEST(lambda_mapping_event_attributes_whole) {
  static const jcase jc = {"an SQS mapping's poll", lambda_mapped_message, lambda_mapping_drain,
                           lambda_got_attributes, 0};
  sweep_expecting(&jc, NOMEM_ALLOCATES); /* the call only runs what was posted */
}
END_TEST

int main(void) {
  json_set_alloc_funcs(json_malloc, json_free);
  Suite *s = suite_create("nomem_json");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, parse_good_text_never_invalid);
  tcase_add_test(tc, parse_bad_text_always_invalid);
  tcase_add_test(tc, parse_what_only_jansson_rejects);
  tcase_add_test(tc, dumps_whole_or_nothing);
  suite_add_tcase(s, tc);
  tc = tcase_create("services");
  tcase_add_test(tc, sqs_send_message_call);
  tcase_add_test(tc, sqs_create_queue_typed);
  tcase_add_test(tc, sns_publish_call_with_attributes);
  tcase_add_test(tc, sns_subscribe_with_redrive_policy);
  tcase_add_test(tc, sns_subscribe_with_filter_policy);
  tcase_add_test(tc, sns_publish_to_a_filter);
  tcase_add_test(tc, events_put_events_call);
  tcase_add_test(tc, events_put_partner_events_call);
  tcase_add_test(tc, events_put_rule_scheduled);
  tcase_add_test(tc, events_put_rule_with_pattern);
  tcase_add_test(tc, lambda_invoke_payload);
  tcase_add_test(tc, states_create_state_machine);
  tcase_add_test(tc, states_start_execution);
  tcase_add_test(tc, states_run_with_intrinsics);
  tcase_add_test(tc, kinesis_tag_stream_typed);
  tcase_add_test(tc, kinesis_put_record);
  tcase_add_test(tc, jsonata_compile);
  tcase_add_test(tc, jsonata_evaluate);
  tcase_add_test(tc, states_create_compiled_definition);
  tcase_add_test(tc, states_run_jsonata_output);
  tcase_add_test(tc, states_describe_and_history);
  tcase_add_test(tc, states_run_parallel_and_map);
  tcase_add_test(tc, sns_publish_batch_typed_answers_every_entry);
  tcase_add_test(tc, sns_publish_batch_answers_every_entry);
  tcase_add_test(tc, sqs_send_message_batch_answers_every_entry);
  tcase_add_test(tc, sqs_delete_message_batch_answers_every_entry);
  tcase_add_test(tc, events_put_events_typed_answers_every_entry);
  tcase_add_test(tc, events_put_events_answers_every_entry);
  tcase_add_test(tc, kinesis_get_records_answers_every_record);
  tcase_add_test(tc, sqs_receive_message_answers_whole);
  tcase_add_test(tc, sns_publish_fifo_answers_sequence_number);
  tcase_add_test(tc, kinesis_put_records_answers_every_record);
  tcase_add_test(tc, kinesis_mapping_event_carries_every_record);
  tcase_add_test(tc, kinesis_window_state_whole);
  tcase_add_test(tc, events_dead_letter_carries_every_attribute);
  tcase_add_loop_test(tc, reads_answer_whole, 0, N_READS);
  tcase_add_loop_test(tc, typed_listings_whole, 0, N_TYPED_LISTINGS);
  tcase_add_test(tc, sqs_get_queue_attributes_call_whole);
  tcase_add_test(tc, sqs_list_queue_tags_call_whole);
  tcase_add_test(tc, sqs_create_existing_queue_same_attributes);
  tcase_add_test(tc, sns_create_existing_topic_same_attributes);
  tcase_add_test(tc, sns_subscribe_again_same_attributes);
  tcase_add_test(tc, sns_tag_resource_all_or_none);
  tcase_add_test(tc, sns_list_tags_for_resource_whole);
  tcase_add_test(tc, sns_subscription_confirmation_whole);
  tcase_add_test(tc, sqs_create_queue_with_tags_whole);
  tcase_add_test(tc, states_run_lambda_error_kept);
  tcase_add_test(tc, states_run_keeps_context_and_variables);
  tcase_add_test(tc, lambda_descriptions_whole);
  tcase_add_test(tc, lambda_mapping_event_attributes_whole);
  tcase_add_test(tc, lambda_update_configuration_whole);
  tcase_add_test(tc, lambda_event_failure_record_whole);
  tcase_add_test(tc, lambda_publish_version_whole);
  tcase_add_test(tc, lambda_create_mapping_whole);
  tcase_add_test(tc, lambda_create_alias_whole);
  tcase_add_test(tc, lambda_update_alias_whole);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
