/* InvokeWithResponseStream through aev_call and the handler's stream
 * (aev_invocation_stream_write): chunks in order, a buffered handler's
 * result as one chunk, function errors, timeouts and oversized responses
 * in InvokeComplete, qualifiers, recursion, DryRun, LogType Tail (Invoke's too), and
 * the refusals it shares with Invoke. */
#include <pthread.h>
#include <sched.h>

#include "aevtest.h"
#include "api/api.h"
#include "function/function.h"
#include "function_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* What the streaming handler does: writes chunks[0..n), then ends with
 * last (NULL: succeed with nothing more), fails, or holds the context. */
typedef struct st_state {
  const char *chunks[4];
  int n;
  const char *last;
  int fail, hold;
  int calls;
  aev_invocation *held;
} st_state;

static void stream_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)event;
  (void)len;
  st_state *s = user;
  s->calls++;
  for (int i = 0; i < s->n; i++)
    ck_assert_int_eq(aev_invocation_stream_write(ctx, s->chunks[i], strlen(s->chunks[i])),
                     AEV_OK);
  if (s->hold) s->held = ctx;
  else if (s->fail) aev_invocation_fail(ctx, "Boom", "it broke");
  else aev_invocation_succeed(ctx, s->last, s->last ? strlen(s->last) : 0);
}

static aev_function *st_function(const char *name, st_state *s) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, name, NULL, stream_handler, s, NULL, &f), AEV_OK);
  return f;
}

/* The decoded Payload of event i, which must be a PayloadChunk. */
static char *chunk_at(json_t *resp, size_t i) {
  json_t *ev = json_array_get(json_object_get(resp, "EventStream"), i);
  const char *b64 = json_string_value(json_object_get(json_object_get(ev, "PayloadChunk"), "Payload"));
  ck_assert_msg(b64 != NULL, "event %zu is no PayloadChunk", i);
  unsigned char *out;
  size_t n;
  ck_assert_int_eq(aev__base64_decode(b64, strlen(b64), &out, &n), AEV_OK);
  char *s = malloc(n + 1);
  memcpy(s, out, n);
  s[n] = '\0';
  aev_free(out);
  return s;
}

static void assert_chunk(json_t *resp, size_t i, const char *want) {
  char *got = chunk_at(resp, i);
  ck_assert_str_eq(got, want);
  free(got);
}

static size_t n_events(json_t *resp) {
  return json_array_size(json_object_get(resp, "EventStream"));
}

/* The InvokeComplete event, which must be the last one. */
static json_t *complete_of(json_t *resp) {
  json_t *list = json_object_get(resp, "EventStream");
  json_t *c = json_object_get(json_array_get(list, json_array_size(list) - 1), "InvokeComplete");
  ck_assert_ptr_nonnull(c);
  return c;
}

static const char *member(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

START_TEST(buffered_handler_answers_one_chunk) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "echo", NULL, &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream",
                      "{\"FunctionName\":\"echo\",\"Payload\":\"{\\\"a\\\":1}\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 200);
  ck_assert_str_eq(member(r, "ExecutedVersion"), "$LATEST");
  ck_assert_str_eq(member(r, "ResponseStreamContentType"), "application/json");
  ck_assert_uint_eq(n_events(r), 2);
  assert_chunk(r, 0, "{\"a\":1}");
  ck_assert_uint_eq(json_object_size(complete_of(r)), 0);
  ck_assert_int_eq(s.calls, 1);
  json_decref(r);
  aev_function_release(f);
}
END_TEST

START_TEST(streamed_chunks_arrive_in_order) {
  st_state s = {.chunks = {"Hello", "serverless", "world"}, .n = 3};
  aev_function *f = st_function("words", &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"words\"}");
  ck_assert_str_eq(member(r, "ResponseStreamContentType"), "application/octet-stream");
  ck_assert_uint_eq(n_events(r), 4);
  assert_chunk(r, 0, "Hello");
  assert_chunk(r, 1, "serverless");
  assert_chunk(r, 2, "world");
  ck_assert_uint_eq(json_object_size(complete_of(r)), 0);
  json_decref(r);
  /* Invoke buffers the same stream into one result. */
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"words\"}");
  ck_assert_str_eq(member(r, "Payload"), "Helloserverlessworld");
  ck_assert_ptr_null(json_object_get(r, "FunctionError"));
  json_decref(r);
  aev_function_release(f);
}
END_TEST

START_TEST(succeed_after_streaming_sends_a_last_chunk) {
  st_state s = {.chunks = {"a"}, .n = 1, .last = "b"};
  aev_function *f = st_function("tail", &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"tail\"}");
  ck_assert_uint_eq(n_events(r), 3);
  assert_chunk(r, 0, "a");
  assert_chunk(r, 1, "b");
  json_decref(r);
  aev_function_release(f);
}
END_TEST

START_TEST(function_error_shows_in_invoke_complete) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "boom", NULL, &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"boom\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 200);
  ck_assert_uint_eq(n_events(r), 1);
  json_t *c = complete_of(r);
  ck_assert_str_eq(member(c, "ErrorCode"), "Boom");
  ck_assert_str_eq(member(c, "ErrorDetails"), "it broke");
  ck_assert_ptr_null(json_object_get(c, "LogResult"));
  ck_assert_int_eq(ft_metric(f, "Errors"), 1);
  json_decref(r);
  aev_function_release(f);
}
END_TEST

START_TEST(unhandled_error_keeps_the_chunks_sent) {
  st_state s = {.chunks = {"part"}, .n = 1, .fail = 1};
  aev_function *f = st_function("half", &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"half\"}");
  ck_assert_uint_eq(n_events(r), 2);
  assert_chunk(r, 0, "part");
  ck_assert_str_eq(member(complete_of(r), "ErrorCode"), "Boom");
  json_decref(r);
  /* Invoke answers the error object alone, as for any failure. */
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"half\"}");
  ck_assert_str_eq(member(r, "FunctionError"), "Unhandled");
  ck_assert_ptr_nonnull(strstr(member(r, "Payload"), "\"errorType\":\"Boom\""));
  json_decref(r);
  aev_function_release(f);
}
END_TEST

static void *advance_thread(void *arg) {
  /* Advances past the timeout once the invoker armed it. */
  int64_t t;
  while (aev_broker_next_deadline(arg, &t) != AEV_OK) sched_yield();
  aev_broker_advance(arg, 3000);
  return NULL;
}

START_TEST(timeout_ends_the_stream_with_sandbox_timedout) {
  st_state s = {.chunks = {"started"}, .n = 1, .hold = 1};
  aev_function *f = st_function("slow", &s);
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, advance_thread, b), 0);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"slow\"}");
  pthread_join(t, NULL);
  ck_assert_uint_eq(n_events(r), 2);
  assert_chunk(r, 0, "started");
  json_t *c = complete_of(r);
  ck_assert_str_eq(member(c, "ErrorCode"), "Sandbox.Timedout");
  ck_assert_ptr_nonnull(strstr(member(c, "ErrorDetails"), "Task timed out after 3.00 seconds"));
  json_decref(r);
  /* The late handler can stream no more. */
  ft_assert_error(aev_invocation_stream_write(s.held, "late", 4), AEV_ERR_STATE,
                  "InvalidStateException", "discarded");
  ck_assert_int_eq(aev_invocation_succeed(s.held, NULL, 0), AEV_ERR_STATE);
  aev_function_release(f);
}
END_TEST

START_TEST(qualifier_runs_the_version_or_alias) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "v", NULL, &s);
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_create_alias(f, "live", "1", NULL, NULL, NULL), AEV_OK);
  json_t *r = ft_call(b, "InvokeWithResponseStream",
                      "{\"FunctionName\":\"v\",\"Qualifier\":\"live\",\"Payload\":\"1\"}");
  ck_assert_str_eq(member(r, "ExecutedVersion"), "1");
  assert_chunk(r, 0, "1");
  json_decref(r);
  r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"v:1\"}");
  ck_assert_str_eq(member(r, "ExecutedVersion"), "1");
  json_decref(r);
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"v\",\"Qualifier\":\"9\"}",
              "ResourceNotFoundException",
              "Function not found: arn:aws:lambda:us-east-1:000000000000:function:v:9");
  ck_assert_int_eq(s.calls, 2);
  aev_function_release(f);
}
END_TEST

START_TEST(dry_run_validates_and_runs_nothing) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "dry", NULL, &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream",
                      "{\"FunctionName\":\"dry\",\"InvocationType\":\"DryRun\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 204);
  ck_assert_uint_eq(n_events(r), 0);
  json_decref(r);
  ck_assert_int_eq(s.calls, 0);
  ft_call_err(b, "InvokeWithResponseStream",
              "{\"FunctionName\":\"dry\",\"InvocationType\":\"DryRun\",\"Qualifier\":\"3\"}",
              "ResourceNotFoundException", "function:dry:3");
  ft_call_err(b, "InvokeWithResponseStream",
              "{\"FunctionName\":\"dry\",\"InvocationType\":\"DryRun\",\"Payload\":\"{\"}",
              "InvalidRequestContentException", "Could not parse request body into json");
  ck_assert_int_eq(ft_metric(f, "Invocations"), 0);
  aev_function_release(f);
}
END_TEST

/* Also Invoke's LogType Tail, which shares the tail. */
START_TEST(log_type_tail_returns_the_log_tail) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "logged", "{\"MemorySize\":256}", &s);
  json_t *r = ft_call(b, "InvokeWithResponseStream",
                      "{\"FunctionName\":\"logged\",\"LogType\":\"Tail\"}");
  const char *b64 = member(complete_of(r), "LogResult");
  ck_assert_ptr_nonnull(b64);
  unsigned char *log;
  size_t n;
  ck_assert_int_eq(aev__base64_decode(b64, strlen(b64), &log, &n), AEV_OK);
  char text[1024];
  snprintf(text, sizeof text, "%.*s", (int)n, (char *)log);
  aev_free(log);
  ck_assert_msg(strncmp(text, "START RequestId: ", 17) == 0, "%s", text);
  ck_assert_ptr_nonnull(strstr(text, " Version: $LATEST\nEND RequestId: "));
  ck_assert_ptr_nonnull(strstr(text, "\nREPORT RequestId: "));
  ck_assert_ptr_nonnull(strstr(text, "\tMemory Size: 256 MB\t"));
  json_decref(r);
  r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"logged\",\"LogType\":\"None\"}");
  ck_assert_ptr_null(json_object_get(complete_of(r), "LogResult"));
  json_decref(r);
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"logged\",\"LogType\":\"Full\"}",
              "InvalidParameterValueException",
              "Value 'Full' at 'logType' failed to satisfy constraint: Member must satisfy "
              "enum value set: [None, Tail]");
  /* Invoke answers the same tail as its LogResult. */
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"logged\",\"LogType\":\"Tail\"}");
  b64 = member(r, "LogResult");
  ck_assert_ptr_nonnull(b64);
  ck_assert_int_eq(aev__base64_decode(b64, strlen(b64), &log, &n), AEV_OK);
  ck_assert_int_eq(strncmp((char *)log, "START RequestId: ", 17), 0);
  aev_free(log);
  json_decref(r);
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"logged\"}");
  ck_assert_ptr_null(json_object_get(r, "LogResult"));
  json_decref(r);
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"logged\",\"LogType\":\"Full\"}",
              "InvalidParameterValueException", "Member must satisfy enum value set: [None, Tail]");
  ck_assert_int_eq(ft_metric(f, "Invocations"), 4);
  aev_function_release(f);
}
END_TEST

START_TEST(refusals_shared_with_invoke) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "r", NULL, &s);
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"missing\"}",
              "ResourceNotFoundException",
              "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing:$LATEST");
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"r\",\"InvocationType\":\"Event\"}",
              "InvalidParameterValueException",
              "Value 'Event' at 'invocationType' failed to satisfy constraint: Member must "
              "satisfy enum value set: [RequestResponse, DryRun]");
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"r\",\"Payload\":\"{nope\"}",
              "InvalidRequestContentException", "Could not parse request body into json");
  ft_call_err(b, "InvokeWithResponseStream", "{}", "InvalidParameterValueException",
              "Value null at 'functionName' failed to satisfy constraint");
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"bad name\"}",
              "ValidationException", "functionName");
  /* A payload over Invoke's 6 MB. */
  size_t big = 6291456 + 1;
  char *req = malloc(big + 64);
  ck_assert_ptr_nonnull(req);
  int at = sprintf(req, "{\"FunctionName\":\"r\",\"Payload\":\"\\\"");
  memset(req + at, 'x', big);
  strcpy(req + at + big, "\\\"\"}");
  ft_call_err(b, "InvokeWithResponseStream", req, "RequestEntityTooLargeException",
              "Request must be smaller than 6291456 bytes");
  free(req);
  /* Reserved concurrency 0 throttles it as it throttles Invoke. */
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 0), AEV_OK);
  ft_call_err(b, "InvokeWithResponseStream", "{\"FunctionName\":\"r\"}",
              "TooManyRequestsException", "Rate Exceeded");
  ck_assert_int_eq(s.calls, 0);
  aev_function_release(f);
}
END_TEST

/* A handler that streams its own invocation again, in the same chain. */
typedef struct self_state {
  int calls, stopped;
} self_state;

static void self_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)event;
  (void)len;
  self_state *s = user;
  s->calls++;
  char *out = NULL;
  if (aev_call(b, "lambda", "InvokeWithResponseStream", "{\"FunctionName\":\"self\"}", &out) !=
          AEV_OK &&
      strstr(out, "\"RecursiveInvocationException\""))
    s->stopped++;
  aev_free(out);
  aev_invocation_succeed(ctx, "{}", 2);
}

/* Lambda's recursive loop detection stops the chain at its 17th run, as
 * for Invoke. */
START_TEST(recursion_is_stopped_as_for_invoke) {
  self_state s = {0};
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "self", NULL, self_handler, &s, NULL, &f), AEV_OK);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"self\"}");
  json_decref(r);
  ck_assert_int_eq(s.calls, 16);
  ck_assert_int_eq(s.stopped, 1);
  ck_assert_int_eq(ft_metric(f, "RecursiveInvocationsDropped"), 1);
  aev_function_release(f);
}
END_TEST

/* Writes len bytes of 'x' in chunks of 1 MB. */
typedef struct big_state {
  size_t len;
  int rc_last;
} big_state;

static void big_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)event;
  (void)len;
  big_state *s = user;
  size_t mb = 1 << 20;
  char *chunk = malloc(mb);
  memset(chunk, 'x', mb);
  int rc = AEV_OK;
  for (size_t sent = 0; sent < s->len && rc == AEV_OK; sent += mb)
    rc = aev_invocation_stream_write(ctx, chunk, s->len - sent < mb ? s->len - sent : mb);
  free(chunk);
  s->rc_last = rc;
  if (rc == AEV_OK) aev_invocation_succeed(ctx, NULL, 0);
}

START_TEST(a_stream_may_outgrow_the_buffered_limit) {
  big_state s = {.len = 7u << 20};
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "big", NULL, big_handler, &s, NULL, &f), AEV_OK);
  json_t *r = ft_call(b, "InvokeWithResponseStream", "{\"FunctionName\":\"big\"}");
  ck_assert_int_eq(s.rc_last, AEV_OK);
  ck_assert_uint_eq(n_events(r), 8);
  ck_assert_uint_eq(json_object_size(complete_of(r)), 0);
  json_decref(r);
  /* Invoke buffers it: past 6 MB the write fails and so does the call. */
  r = ft_call(b, "Invoke", "{\"FunctionName\":\"big\"}");
  ck_assert_int_eq(s.rc_last, AEV_ERR_LIMIT);
  ck_assert_str_eq(member(r, "FunctionError"), "Unhandled");
  ck_assert_ptr_nonnull(strstr(member(r, "Payload"), "Function.ResponseSizeTooLarge"));
  ck_assert_ptr_nonnull(strstr(member(r, "Payload"), "(6291556 bytes)"));
  json_decref(r);
  aev_function_release(f);
}
END_TEST

static void ignore(void *user, const aev__invoke_result *r) {
  (void)user;
  (void)r;
}

START_TEST(stream_write_refuses_bad_arguments) {
  ck_assert_int_eq(aev_invocation_stream_write(NULL, "x", 1), AEV_ERR_INVALID);
  st_state s = {.hold = 1};
  aev_function *f = st_function("args", &s);
  aev_function *g;
  ck_assert_int_eq(aev__function_find(b, "args", &g), AEV_OK);
  ck_assert_int_eq(aev__function_call(g, NULL, "{}", 2, ignore, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_ptr_nonnull(s.held);
  ck_assert_int_eq(aev_invocation_stream_write(s.held, NULL, 1), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_invocation_stream_write(s.held, NULL, 0), AEV_OK);
  ck_assert_int_eq(aev_invocation_succeed(s.held, NULL, 0), AEV_OK);
  aev_function_release(g);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("function_stream");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, buffered_handler_answers_one_chunk);
  tcase_add_test(tc, streamed_chunks_arrive_in_order);
  tcase_add_test(tc, succeed_after_streaming_sends_a_last_chunk);
  tcase_add_test(tc, function_error_shows_in_invoke_complete);
  tcase_add_test(tc, unhandled_error_keeps_the_chunks_sent);
  tcase_add_test(tc, timeout_ends_the_stream_with_sandbox_timedout);
  tcase_add_test(tc, qualifier_runs_the_version_or_alias);
  tcase_add_test(tc, dry_run_validates_and_runs_nothing);
  tcase_add_test(tc, log_type_tail_returns_the_log_tail);
  tcase_add_test(tc, refusals_shared_with_invoke);
  tcase_add_test(tc, recursion_is_stopped_as_for_invoke);
  tcase_add_test(tc, a_stream_may_outgrow_the_buffered_limit);
  tcase_add_test(tc, stream_write_refuses_bad_arguments);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
