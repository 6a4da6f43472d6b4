/* Lambda's recursive loop detection on the manual clock (Lambda developer
 * guide, "Use Lambda recursive loop detection to prevent infinite loops"):
 * a function invoked about 16 times in one chain of requests through SNS,
 * SQS or Lambda itself is stopped at the next invocation, which is handled
 * as a failure (the async event to the on-failure destination or DLQ, the
 * SQS message back to its queue until redrive takes it to the DLQ, Invoke
 * answering RecursiveInvocationException); counts are per function;
 * RecursiveLoop Allow turns it off; the chain shows in no event or
 * received message. Each looping handler stops on its own
 * after LOOP_CAP runs, so that a loop nobody stops still ends. */
#include <jansson.h>

#include "aevtest.h"
#include "function_support.h"

#define LOOP_CAP 40
#define ARN(kind, name) "arn:aws:" kind ":us-east-1:000000000000:" name

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* How a looping handler passes its work on, each run until its own cap
 * (stop_after runs; 0: LOOP_CAP). */
enum { VIA_TOPIC, VIA_QUEUE, VIA_EVENT, VIA_INVOKE, VIA_NONE };

typedef struct loop_state {
  int via;
  int stop_after;
  int fail_after; /* fails every run after this many (0: never) */
  _Atomic int calls; /* runs may be on different handler-pool threads */
  aev_topic *t;
  aev_queue *q;
  aev_function *self;
  int nested_rc; /* VIA_INVOKE: the first failed nested Invoke's status */
  char nested_code[64];
} loop_state;

static void loop_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)len;
  loop_state *s = user;
  /* The chain travels beside the event, never in it. */
  char own[80];
  snprintf(own, sizeof own, "%s=", aev_invocation_function_name(ctx));
  ck_assert_ptr_null(strstr(event, own));
  int run = ++s->calls;
  int cap = s->stop_after ? s->stop_after : LOOP_CAP;
  char body[64];
  snprintf(body, sizeof body, "{\"run\":%d}", run);
  if (run < cap) {
    if (s->via == VIA_TOPIC)
      ck_assert_int_eq(aev_topic_publish(s->t, body, strlen(body), NULL, NULL, NULL), AEV_OK);
    else if (s->via == VIA_QUEUE)
      ck_assert_int_eq(aev_queue_send(s->q, body, strlen(body), NULL, NULL, NULL), AEV_OK);
    else if (s->via == VIA_EVENT)
      ck_assert_int_eq(aev_function_invoke_event(s->self, body, strlen(body), NULL), AEV_OK);
    else if (s->via == VIA_INVOKE) {
      char *out = NULL;
      int rc = aev_function_invoke(s->self, body, strlen(body), &out, NULL, NULL);
      if (rc != AEV_OK && !s->nested_rc) {
        s->nested_rc = rc;
        snprintf(s->nested_code, sizeof s->nested_code, "%s", aev_errcode());
      }
      aev_free(out);
    }
  }
  if (s->fail_after && run > s->fail_after) aev_invocation_fail(ctx, "Done", "enough");
  else aev_invocation_succeed(ctx, body, strlen(body));
}

static aev_function *looper(const char *name, loop_state *s) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, name, NULL, loop_handler, s, NULL, &f), AEV_OK);
  s->self = f;
  return f;
}

static aev_topic *topic_to(const char *name, const char *protocol, const char *endpoint) {
  aev_topic *t;
  ck_assert_int_eq(aev_topic_create(b, name, NULL, &t), AEV_OK);
  char *sub;
  ck_assert_int_eq(aev_topic_subscribe(t, protocol, endpoint, NULL, &sub), AEV_OK);
  aev_free(sub);
  return t;
}

static void map_queue(aev_queue *q, const char *function) {
  char req[512], *out = NULL;
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"}",
           aev_queue_arn(q), function);
  ck_assert_msg(aev_event_source_mapping_create(b, req, &out) == AEV_OK, "%s", aev_errmsg());
  aev_free(out);
}

/* A queue whose redrive policy moves a message to dlq after max receives. */
static aev_queue *queue_with_dlq(const char *name, aev_queue *dlq, int max) {
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\","
           "\\\"maxReceiveCount\\\":%d}\"}",
           aev_queue_arn(dlq), max);
  return qt_queue(b, name, attrs);
}

static void on_failure_to(aev_function *f, const char *arn) {
  char conf[256];
  snprintf(conf, sizeof conf, "{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"%s\"}}}",
           arn);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f, conf), AEV_OK);
}

static void recursion_config(const char *function, const char *mode) {
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\",\"RecursiveLoop\":\"%s\"}", function, mode);
  json_decref(ft_call(b, "PutFunctionRecursionConfig", req));
}

/* The queue's one message as parsed JSON, deleted (the queue then holds no
 * other). */
static json_t *only_message(aev_queue *q) {
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  json_t *o = json_loads(qt_body(m), 0, NULL);
  ck_assert_ptr_nonnull(o);
  ck_assert_int_eq(aev_queue_delete_message(q, aev_message_receipt_handle(m)), AEV_OK);
  aev_message_free(m);
  aev_message *more = qt_recv1(q);
  ck_assert_ptr_null(more);
  return o;
}

START_TEST(sns_loop_stops_after_16_and_the_event_goes_to_on_failure) {
  loop_state s = {.via = VIA_TOPIC};
  aev_function *f = looper("looper", &s);
  aev_queue *failed = qt_queue(b, "failed", NULL);
  on_failure_to(f, aev_queue_arn(failed));
  s.t = topic_to("loop", "lambda", aev_function_arn(f));
  ck_assert_int_eq(aev_topic_publish(s.t, "{}", 2, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_int_eq(ft_metric(f, "Invocations"), 16);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 1);
  /* The stopped event, the 16th run's notification, never ran. */
  json_t *rec = only_message(failed);
  json_t *ctx = json_object_get(rec, "requestContext");
  ck_assert_str_eq(json_string_value(json_object_get(ctx, "condition")),
                   "RecursiveInvocationException");
  ck_assert_int_eq(json_integer_value(json_object_get(ctx, "approximateInvokeCount")), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(
                       json_object_get(rec, "responseContext"), "statusCode")),
                   400);
  json_t *sns = json_object_get(
      json_array_get(json_object_get(json_object_get(rec, "requestPayload"), "Records"), 0),
      "Sns");
  ck_assert_str_eq(json_string_value(json_object_get(sns, "Message")), "{\"run\":16}");
  json_decref(rec);
  /* Another trigger starts a chain of its own. */
  s.stop_after = 1;
  ck_assert_int_eq(aev_topic_publish(s.t, "{}", 2, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 17);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 1);
  aev_topic_release(s.t);
  aev_queue_release(failed);
  aev_function_release(f);
}
END_TEST

START_TEST(sqs_loop_stops_and_redrive_takes_the_message_to_the_dlq) {
  loop_state s = {.via = VIA_QUEUE};
  aev_function *f = looper("looper", &s);
  aev_queue *dlq = qt_queue(b, "work-dlq", NULL);
  s.q = queue_with_dlq("work", dlq, 2);
  map_queue(s.q, "looper");
  qt_send(s.q, "{\"run\":0}");
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 16);
  /* "Lambda continues to retry the message, and continues to block
   * function invocations, until Amazon SQS determines that the
   * maxReceiveCount is exceeded": one stop per receive. */
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 2);
  ck_assert_ptr_null(qt_recv1(s.q));
  /* ReceiveMessage shows no trace of the chain: no AWSTraceHeader, no
   * attribute of ours. */
  char req[512], *seen = NULL;
  snprintf(req, sizeof req,
           "{\"QueueUrl\":\"%s\",\"MessageSystemAttributeNames\":[\"All\"],"
           "\"MessageAttributeNames\":[\"All\"],\"VisibilityTimeout\":0}",
           aev_queue_url(dlq));
  ck_assert_int_eq(aev_call(b, "sqs", "ReceiveMessage", req, &seen), AEV_OK);
  json_t *got = json_loads(seen, 0, NULL);
  json_t *msg = json_array_get(json_object_get(got, "Messages"), 0);
  ck_assert_ptr_null(json_object_get(msg, "MessageAttributes"));
  json_t *sys = json_object_get(msg, "Attributes");
  ck_assert_int_eq(json_object_size(sys), 5);
  ck_assert_ptr_nonnull(json_object_get(sys, "DeadLetterQueueSourceArn"));
  ck_assert_ptr_null(strstr(seen, "looper="));
  json_decref(got);
  aev_free(seen);
  json_t *m = only_message(dlq);
  ck_assert_int_eq(json_integer_value(json_object_get(m, "run")), 16);
  json_decref(m);
  aev_queue_release(s.q);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

START_TEST(sns_to_sqs_to_the_same_function_is_one_chain) {
  loop_state s = {.via = VIA_TOPIC};
  aev_function *f = looper("looper", &s);
  aev_queue *dlq = qt_queue(b, "inbox-dlq", NULL);
  aev_queue *inbox = queue_with_dlq("inbox", dlq, 1);
  s.t = topic_to("fan", "sqs", aev_queue_arn(inbox));
  map_queue(inbox, "looper");
  ck_assert_int_eq(aev_topic_publish(s.t, "{}", 2, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_ptr_null(qt_recv1(inbox));
  json_t *env = only_message(dlq); /* the SNS envelope of the 16th run */
  ck_assert_str_eq(json_string_value(json_object_get(env, "Message")), "{\"run\":16}");
  json_decref(env);
  aev_topic_release(s.t);
  aev_queue_release(inbox);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

START_TEST(allow_lets_the_loop_run) {
  loop_state s = {.via = VIA_TOPIC, .stop_after = 30};
  aev_function *f = looper("looper", &s);
  aev_queue *failed = qt_queue(b, "failed", NULL);
  on_failure_to(f, aev_queue_arn(failed));
  recursion_config("looper", "Allow");
  s.t = topic_to("loop", "lambda", aev_function_arn(f));
  ck_assert_int_eq(aev_topic_publish(s.t, "{}", 2, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 30);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 0);
  ck_assert_ptr_null(qt_recv1(failed));
  /* Terminate again: the next chain is stopped. */
  recursion_config("looper", "Terminate");
  s.calls = 0;
  s.stop_after = 0;
  ck_assert_int_eq(aev_topic_publish(s.t, "{}", 2, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 1);
  aev_topic_release(s.t);
  aev_queue_release(failed);
  aev_function_release(f);
}
END_TEST

/* A → SNS → B, B → SQS → A: each function's count is its own, so the chain
 * runs past 16 invocations in all, and stops at A's 17th. */
START_TEST(counts_are_per_function) {
  loop_state a = {.via = VIA_TOPIC}, bs = {.via = VIA_QUEUE};
  aev_function *fa = looper("a", &a), *fb = looper("b", &bs);
  aev_queue *dlq = qt_queue(b, "to-a-dlq", NULL);
  bs.q = a.q = queue_with_dlq("to-a", dlq, 1);
  a.t = topic_to("to-b", "lambda", aev_function_arn(fb));
  map_queue(a.q, "a");
  qt_send(a.q, "{}");
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(a.calls, 16);
  ck_assert_int_eq(bs.calls, 16);
  ck_assert_int_eq(ft_metric(fa, "RecursiveInvocationsDropped"), 1);
  ck_assert_int_eq(ft_metric(fb, "RecursiveInvocationsDropped"), 0);
  json_t *m = only_message(dlq); /* B's 16th send, which A did not run */
  ck_assert_int_eq(json_integer_value(json_object_get(m, "run")), 16);
  json_decref(m);
  /* A chain shorter than the limit is not touched. */
  a.calls = bs.calls = 0;
  a.stop_after = 10;
  qt_send(a.q, "{}");
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(a.calls, 10);
  ck_assert_int_eq(bs.calls, 9);
  ck_assert_int_eq(ft_metric(fa, "RecursiveInvocationsDropped"), 1);
  ck_assert_ptr_null(qt_recv1(dlq));
  aev_topic_release(a.t);
  aev_queue_release(a.q);
  aev_queue_release(dlq);
  aev_function_release(fa);
  aev_function_release(fb);
}
END_TEST

START_TEST(async_self_invocation_stops_into_the_dead_letter_queue) {
  loop_state s = {.via = VIA_EVENT};
  aev_function *f = looper("looper", &s);
  aev_queue *dlq = qt_queue(b, "fn-dlq", NULL);
  ck_assert_int_eq(aev_function_set_dead_letter_target(f, aev_queue_arn(dlq)), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 16);
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "{\"run\":16}");
  char *attrs = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(attrs, "\"ErrorCode\":{\"DataType\":\"Number\",\"StringValue\":\"400\"}"));
  ck_assert_ptr_nonnull(strstr(attrs, "recursive loop"));
  aev_free(attrs);
  aev_message_free(m);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

START_TEST(sync_self_invocation_answers_recursive_invocation_exception) {
  loop_state s = {.via = VIA_INVOKE};
  aev_function *f = looper("looper", &s);
  char *out = NULL;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_int_eq(s.nested_rc, AEV_ERR_LIMIT);
  ck_assert_str_eq(s.nested_code, "RecursiveInvocationException");
  /* The caller itself is in no chain: its next Invoke runs. */
  s.stop_after = 1;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(s.calls, 17);
  aev_function_release(f);
}
END_TEST

/* "If you send events to the same resource that invokes your function,
 * then you can create another recursive loop and this loop will also be
 * terminated": here two functions are each other's OnSuccess destination
 * (a function cannot be its own). */
START_TEST(destinations_that_invoke_each_other_are_a_loop_too) {
  loop_state s = {.via = VIA_NONE, .fail_after = LOOP_CAP}, peer = s;
  aev_function *f = looper("ping", &s), *g = looper("pong", &peer);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":\"" ARN("lambda", "function:pong") "\"}}}"),
                   AEV_OK);
  ck_assert_int_eq(aev_function_put_event_invoke_config(g,
      "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":\"" ARN("lambda", "function:ping") "\"}}}"),
                   AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 600000), AEV_OK);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_int_eq(peer.calls, 16);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 1);
  aev_function_release(f);
  aev_function_release(g);
}
END_TEST

/* With worker threads each run may be on another handler-pool thread: the
 * chain still follows. The stopped event's record is waited for with a long
 * poll, which wakes when it arrives. */
START_TEST(loop_stops_on_the_real_clock_with_workers) {
  aev_broker_destroy(b);
  b = aev_test_real_broker(2);
  loop_state s = {.via = VIA_TOPIC};
  aev_function *f = looper("looper", &s);
  aev_queue *failed = qt_queue(b, "failed", NULL);
  on_failure_to(f, aev_queue_arn(failed));
  s.t = topic_to("loop", "lambda", aev_function_arn(f));
  ck_assert_int_eq(aev_topic_publish(s.t, "{}", 2, NULL, NULL, NULL), AEV_OK);
  aev_message *m[1];
  size_t n = 0;
  ck_assert_int_eq(aev_queue_receive(failed, 1, 3000, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_ptr_nonnull(strstr(qt_body(m[0]), "\"condition\":\"RecursiveInvocationException\""));
  aev_message_free(m[0]);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 1);
  /* The 16th run may still be publishing through s.t: the broker waits
   * for it before the handles go. */
  aev_broker_destroy(b);
  b = NULL;
  aev_topic_release(s.t);
  aev_queue_release(failed);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_recursion");
  TCase *tc = tcase_create("recursion");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, sns_loop_stops_after_16_and_the_event_goes_to_on_failure);
  tcase_add_test(tc, sqs_loop_stops_and_redrive_takes_the_message_to_the_dlq);
  tcase_add_test(tc, sns_to_sqs_to_the_same_function_is_one_chain);
  tcase_add_test(tc, allow_lets_the_loop_run);
  tcase_add_test(tc, counts_are_per_function);
  tcase_add_test(tc, async_self_invocation_stops_into_the_dead_letter_queue);
  tcase_add_test(tc, sync_self_invocation_answers_recursive_invocation_exception);
  tcase_add_test(tc, destinations_that_invoke_each_other_are_a_loop_too);
  tcase_add_test(tc, loop_stops_on_the_real_clock_with_workers);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
