/* Functions on the manual clock: create/get/delete and configuration,
 * RequestResponse with success, function errors and timeouts, DryRun, the
 * context's fields, reserved-concurrency throttling, cold and warm
 * environments, and the non-blocking call other primitives use. */
#include <pthread.h>
#include <sched.h>

#include "aevtest.h"
#include "function/function.h"
#include "function_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

START_TEST(create_get_delete) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "orders", NULL, &s), *g;
  ck_assert_str_eq(aev_function_name(f), "orders");
  ck_assert_str_eq(aev_function_arn(f),
                   "arn:aws:lambda:us-east-1:000000000000:function:orders");
  ck_assert_int_eq(aev_function_get(b, "orders", &g), AEV_OK);
  ck_assert_ptr_eq(g, f);
  aev_function_release(g);
  ck_assert_int_eq(aev_function_get(b, "arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST", &g), AEV_OK);
  aev_function_release(g);
  ft_assert_error(aev_function_create(b, "orders", NULL, ft_handler, &s, NULL, &g),
                  AEV_ERR_EXISTS, "ResourceConflictException",
                  "Function already exist: orders");
  ft_assert_error(aev_function_create(b, "bad name", NULL, ft_handler, &s, NULL, &g),
                  AEV_ERR_INVALID, "ValidationException", "functionName");
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  ft_assert_error(aev_function_get(b, "orders", &g), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException",
                  "Function not found: arn:aws:lambda:us-east-1:000000000000:function:orders");
  char *out;
  ft_assert_error(aev_function_invoke(f, "{}", 2, &out, NULL, NULL),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "orders");
  aev_function_release(f);
}
END_TEST

static int released;
static void on_release(void *user) { released += *(int *)user; }

/* function.h: release runs once "after the function is deleted or the
 * broker destroyed and its last invocation returned", whether or not the
 * caller still holds a handle (it waited for the last handle). */
START_TEST(release_runs_once_after_delete) {
  int one = 1;
  released = 0;
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "r", NULL, ft_handler, &one, on_release, &f), AEV_OK);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  ck_assert_int_eq(released, 1);
  aev_function_release(f);
  ck_assert_int_eq(released, 1);
}
END_TEST

START_TEST(release_runs_at_broker_destroy_with_handle_held) {
  int one = 1;
  released = 0;
  aev_broker *own = qt_broker();
  aev_function *f;
  ck_assert_int_eq(aev_function_create(own, "r", NULL, ft_handler, &one, on_release, &f), AEV_OK);
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  ck_assert_int_eq(released, 1);
  aev_function_release(f);
  ck_assert_int_eq(released, 1);
}
END_TEST

/* A handler that deletes its own function: the release waits for it to
 * return. */
static aev_function *self;
static int released_in_handler;
static void delete_self(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  ck_assert_int_eq(aev_function_delete(self), AEV_OK);
  released_in_handler = released;
  aev_invocation_succeed(ctx, event, len);
}

START_TEST(release_waits_for_the_running_handler) {
  int one = 1;
  released = 0;
  ck_assert_int_eq(aev_function_create(b, "d", NULL, delete_self, &one, on_release, &self), AEV_OK);
  char *res = NULL;
  ck_assert_int_eq(aev_function_invoke(self, "{}", 2, &res, NULL, NULL), AEV_OK);
  aev_free(res);
  ck_assert_int_eq(released_in_handler, 0);
  ck_assert_int_eq(released, 1);
  aev_function_release(self);
  ck_assert_int_eq(released, 1);
}
END_TEST

/* broker.h: the handles held after aev_broker_destroy() answer
 * AEV_ERR_CLOSED; a RequestResponse call on one used to run the handler. */
START_TEST(destroyed_broker_closes_held_function) {
  aev_broker *own = qt_broker();
  ft_state s = {0};
  aev_function *f = ft_function(own, "late", NULL, &s);
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  char *res = NULL;
  ft_assert_error(aev_function_invoke(f, "{}", 2, &res, NULL, NULL), AEV_ERR_CLOSED,
                  "ServiceUnavailable", "The broker has been destroyed.");
  ck_assert_ptr_null(res);
  char id[37];
  ft_assert_error(aev_function_invoke_event(f, "{}", 2, id), AEV_ERR_CLOSED,
                  "ServiceUnavailable", "The broker has been destroyed.");
  ck_assert_int_eq(s.calls, 0);
  aev_function_release(f);
}
END_TEST

/* A NULL broker or out pointer is refused as the other services' typed
 * calls refuse it (they crashed). */
START_TEST(null_broker_or_out_is_refused) {
  aev_function *f = NULL;
  char *json = NULL;
  ft_assert_error(aev_function_create(NULL, "f", NULL, ft_handler, NULL, NULL, &f), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Missing argument.");
  ft_assert_error(aev_function_get(NULL, "f", &f), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Missing argument.");
  ft_state s = {0};
  aev_function_release(ft_function(b, "f", NULL, &s));
  ft_assert_error(aev_function_get(b, "f", NULL), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Missing argument.");
  ft_assert_error(aev_handler_register(NULL, "h", ft_handler, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "needs a broker");
  ft_assert_error(aev_function_set_account_concurrency(NULL, 500), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Missing argument.");
  ft_assert_error(aev_function_account_settings(NULL, &json), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Missing argument.");
  ck_assert_ptr_null(f);
  ck_assert_ptr_null(json);
}
END_TEST

/* A NULL result pointer was written through after the handler ran; it is
 * refused before anything runs. */
START_TEST(null_result_is_refused_before_the_handler_runs) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "nores", NULL, &s);
  ft_assert_error(aev_function_invoke(f, "{}", 2, NULL, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "Missing argument.");
  ft_assert_error(aev_function_invoke_qualified(f, "$LATEST", "{}", 2, NULL, NULL, NULL, NULL),
                  AEV_ERR_INVALID, "InvalidParameterValueException", "Missing argument.");
  ck_assert_int_eq(s.calls, 0);
  aev_function_release(f);
}
END_TEST

/* A NULL function handle, broker or invocation was dereferenced by these
 * calls; each is refused as aev_function_create() refuses a NULL broker. */
static void missing(int rc) {
  ft_assert_error(rc, AEV_ERR_INVALID, "InvalidParameterValueException", "Missing argument.");
}

START_TEST(null_handles_are_refused) {
  char *json = NULL;
  missing(aev_function_configuration(NULL, &json));
  missing(aev_function_update_configuration(NULL, "{}"));
  missing(aev_function_update_code(NULL, "{}", &json));
  missing(aev_function_set_reserved_concurrency(NULL, 1));
  missing(aev_function_event_invoke_config(NULL, &json));
  missing(aev_function_metrics(NULL, &json));
  missing(aev_function_invoke_event(NULL, "{}", 2, NULL));
  missing(aev_function_invoke_dry_run(NULL, "{}", 2));
  missing(aev_function_delete(NULL));
  missing(aev_function_set_idle_reclaim_ms(NULL, 1));
  missing(aev_function_set_init(NULL, NULL));
  missing(aev_function_publish_version(NULL, NULL, &json));
  missing(aev_event_source_mapping_get(NULL, "u", &json));
  missing(aev_event_source_mapping_update(NULL, "{}", &json));
  missing(aev_event_source_mapping_delete(NULL, "u", &json));
  missing(aev_event_source_mapping_list(NULL, NULL, NULL, &json));
  missing(aev_invocation_succeed(NULL, "{}", 2));
  missing(aev_invocation_fail(NULL, "E", "m"));
  missing(aev_invocation_fail_json(NULL, "{}", 2));
  ck_assert_int_eq(aev_function_reserved_concurrency(NULL), -1);
  ft_state s = {0};
  aev_function *f = ft_function(b, "metrics", NULL, &s);
  missing(aev_function_metrics(f, NULL));
  aev_function_release(f);
  ck_assert_ptr_null(json);
}
END_TEST

START_TEST(configuration_defaults_and_updates) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "cfg", "{\"Timeout\":10,\"MemorySize\":512,"
                                "\"Description\":\"d\",\"Runtime\":\"python3.12\","
                                "\"Environment\":{\"Variables\":{\"STAGE\":\"prod\"}}}", &s);
  char *c;
  ck_assert_int_eq(aev_function_configuration(f, &c), AEV_OK);
  ck_assert_ptr_nonnull(strstr(c, "\"Timeout\":10"));
  ck_assert_ptr_nonnull(strstr(c, "\"MemorySize\":512"));
  ck_assert_ptr_nonnull(strstr(c, "\"Runtime\":\"python3.12\""));
  ck_assert_ptr_nonnull(strstr(c, "\"Environment\":{\"Variables\":{\"STAGE\":\"prod\"}}"));
  ck_assert_ptr_nonnull(strstr(c, "\"LastModified\":\"2024-01-01T00:00:00.000+0000\""));
  aev_free(c);
  ck_assert_int_eq(aev_function_update_configuration(f, "{\"Timeout\":20}"), AEV_OK);
  ck_assert_int_eq(aev_function_configuration(f, &c), AEV_OK);
  ck_assert_ptr_nonnull(strstr(c, "\"Timeout\":20"));
  ck_assert_ptr_nonnull(strstr(c, "\"MemorySize\":512"));
  aev_free(c);
  ft_assert_error(aev_function_update_configuration(f, "{\"Timeout\":901}"),
                  AEV_ERR_INVALID, "ValidationException",
                  "1 validation error detected: Value '901' at 'timeout' failed to "
                  "satisfy constraint: Member must have value less than or equal to 900");
  ft_assert_error(aev_function_update_configuration(f, "{\"MemorySize\":127}"),
                  AEV_ERR_INVALID, "ValidationException",
                  "greater than or equal to 128");
  ft_assert_error(aev_function_update_configuration(f, "{\"Environment\":{\"Variables\":{\"AWS_REGION\":\"x\"}}}"),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "Reserved keys used in this request: AWS_REGION");
  /* 4 KB of variables, measured as their compact JSON in bytes: at the
   * limit they are taken, one byte past it refused, quoting the text. */
  char vars[4200], cfg[4300];
  /* {"V":"..."} is 8 bytes around the value: 2044 two-byte 'é' make 4096 */
  size_t n = 0;
  for (int i = 0; i < 2044; i++) n += (size_t)snprintf(vars + n, sizeof vars - n, "\xc3\xa9");
  snprintf(cfg, sizeof cfg, "{\"Environment\":{\"Variables\":{\"V\":\"%s\"}}}", vars);
  ck_assert_int_eq(aev_function_update_configuration(f, cfg), AEV_OK);
  snprintf(cfg, sizeof cfg, "{\"Timeout\":30,\"Environment\":{\"Variables\":{\"V\":\"%sx\"}}}", vars);
  ft_assert_error(aev_function_update_configuration(f, cfg), AEV_ERR_INVALID, "InvalidParameterValueException",
                  "Lambda was unable to configure your environment variables because the environment "
                  "variables you have provided exceeded the 4KB limit. String measured: {\"V\":\"\xc3\xa9");
  ck_assert_int_eq(aev_function_configuration(f, &c), AEV_OK);
  ck_assert_ptr_nonnull(strstr(c, "\"Timeout\":20")); /* unchanged */
  aev_free(c);
  aev_function *g = ft_function(b, "dflt", NULL, &s);
  ck_assert_int_eq(aev_function_configuration(g, &c), AEV_OK);
  ck_assert_ptr_nonnull(strstr(c, "\"Timeout\":3"));
  ck_assert_ptr_nonnull(strstr(c, "\"MemorySize\":128"));
  aev_free(c);
  aev_function_release(g);
  aev_function_release(f);
}
END_TEST

/* Fails with text that is not UTF-8 (Latin-1 'é'): through
 * aev_invocation_fail, or (user set) aev_invocation_fail_json. */
static void latin1_failure(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)event;
  (void)len;
  if (user) aev_invocation_fail_json(ctx, "caf\xe9", 4);
  else aev_invocation_fail(ctx, "Erreur\xe9", "caf\xe9 \xe6\xbc\xa2");
}

/* A handler's error text that is not UTF-8 reaches the caller with its
 * bad bytes as '?' (valid characters kept), not as out of memory. */
START_TEST(failure_text_not_utf8) {
  aev_function *f, *g;
  ck_assert_int_eq(aev_function_create(b, "latin1", NULL, latin1_failure, NULL, NULL, &f), AEV_OK);
  ck_assert_int_eq(aev_function_create(b, "latin1json", NULL, latin1_failure, b, NULL, &g), AEV_OK);
  char *out;
  const char *ferr = NULL;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, &ferr), AEV_OK);
  ck_assert_str_eq(ferr, "Unhandled");
  ck_assert_str_eq(out, "{\"errorMessage\":\"caf? \xe6\xbc\xa2\",\"errorType\":\"Erreur?\"}");
  aev_free(out);
  ck_assert_int_eq(aev_function_invoke(g, "{}", 2, &out, NULL, &ferr), AEV_OK);
  ck_assert_str_eq(out, "{\"errorMessage\":\"caf?\",\"errorType\":\"Unhandled\"}");
  aev_free(out);
  aev_function_release(f);
  aev_function_release(g);
}
END_TEST

START_TEST(request_response_success_and_error) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "echo", NULL, &s);
  char *out;
  size_t len;
  const char *ferr = "x";
  ck_assert_int_eq(aev_function_invoke(f, "{\"a\":1}", 7, &out, &len, &ferr), AEV_OK);
  ck_assert_str_eq(out, "{\"a\":1}");
  ck_assert_uint_eq(len, 7);
  ck_assert_ptr_null(ferr);
  aev_free(out);
  /* No payload: the event is {} */
  ck_assert_int_eq(aev_function_invoke(f, NULL, 0, &out, NULL, NULL), AEV_OK);
  ck_assert_str_eq(out, "{}");
  aev_free(out);
  s.mode = FT_FAIL;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, &ferr), AEV_OK);
  ck_assert_str_eq(ferr, "Unhandled");
  ck_assert_str_eq(out, "{\"errorMessage\":\"it broke\",\"errorType\":\"Boom\"}");
  aev_free(out);
  ck_assert_int_eq(ft_metric(f, "Invocations"), 3);
  ck_assert_int_eq(ft_metric(f, "Errors"), 1);
  ft_assert_error(aev_function_invoke(f, "{nope", 5, &out, NULL, NULL), AEV_ERR_INVALID,
                  "InvalidRequestContentException", "Could not parse request body into json");
  ck_assert_int_eq(ft_metric(f, "Invocations"), 3);
  aev_function_release(f);
}
END_TEST

static void fail_json_handler(void *user, aev_invocation *ctx, const char *e, size_t n) {
  (void)user; (void)e; (void)n;
  const char *err = "{\"errorType\":\"ValueError\",\"errorMessage\":\"bad\",\"stackTrace\":[\"  File x\"]}";
  aev_invocation_fail_json(ctx, err, strlen(err));
  /* A second completion is refused. */
  ck_assert_int_eq(aev_invocation_succeed(ctx, "1", 1), AEV_ERR_STATE);
}

START_TEST(fail_json_keeps_stack_trace) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "fj", NULL, fail_json_handler, NULL, NULL, &f), AEV_OK);
  char *out;
  const char *ferr;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, &ferr), AEV_OK);
  ck_assert_str_eq(ferr, "Unhandled");
  ck_assert_str_eq(out, "{\"errorType\":\"ValueError\",\"errorMessage\":\"bad\",\"stackTrace\":[\"  File x\"]}");
  aev_free(out);
  aev_function_release(f);
}
END_TEST

START_TEST(payload_limits_and_dry_run) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "lim", NULL, &s);
  size_t n = 6291457;
  char *big = malloc(n);
  ck_assert_ptr_nonnull(big);
  memset(big, ' ', n);
  big[0] = '1';
  char *out;
  ft_assert_error(aev_function_invoke(f, big, n, &out, NULL, NULL), AEV_ERR_LIMIT,
                  "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes");
  ft_assert_error(aev_function_invoke_event(f, big, 1048577, NULL), AEV_ERR_LIMIT,
                  "RequestEntityTooLargeException", "1048576");
  free(big);
  ck_assert_int_eq(aev_function_invoke_dry_run(f, "{}", 2), AEV_OK);
  ft_assert_error(aev_function_invoke_dry_run(f, "{", 1), AEV_ERR_INVALID,
                  "InvalidRequestContentException", "json");
  ck_assert_int_eq(s.calls, 0);
  ck_assert_int_eq(ft_metric(f, "Invocations"), 0);
  aev_function_release(f);
}
END_TEST

/* Succeeds with a JSON string of as many 'a's as the event's number. */
static void sized_handler(void *user, aev_invocation *ctx, const char *e, size_t n) {
  (void)user; (void)n;
  size_t len = (size_t)atol(e) + 2;
  char *r = malloc(len);
  ck_assert_ptr_nonnull(r);
  memset(r, 'a', len);
  r[0] = r[len - 1] = '"';
  aev_invocation_succeed(ctx, r, len);
  free(r);
}

/* Recorded (test_lambda_large_response, test_lambda_too_large_response):
 * a result of 6 MB + 100 bytes comes back; a larger one is a function
 * error, and the function still runs the next invocation. */
START_TEST(response_size_limit) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "sized", NULL, sized_handler, NULL, NULL, &f), AEV_OK);
  char *out, ev[16];
  size_t len;
  const char *ferr;
  snprintf(ev, sizeof ev, "%d", 6291556 - 2);
  ck_assert_int_eq(aev_function_invoke(f, ev, strlen(ev), &out, &len, &ferr), AEV_OK);
  ck_assert_ptr_null(ferr);
  ck_assert_uint_eq(len, 6291556);
  aev_free(out);
  for (int i = 0; i < 2; i++) {
    snprintf(ev, sizeof ev, "%d", 6291556 - 1);
    ck_assert_int_eq(aev_function_invoke(f, ev, strlen(ev), &out, &len, &ferr), AEV_OK);
    ck_assert_str_eq(ferr, "Unhandled");
    ck_assert_str_eq(out, "{\"errorMessage\":\"Response payload size exceeded maximum allowed "
                          "payload size (6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}");
    aev_free(out);
  }
  aev_function_release(f);
}
END_TEST

typedef struct ctx_seen {
  char name[80], version[16], arn[128], req[40], group[100], stream[100], env[20];
  int memory;
  int64_t remaining;
} ctx_seen;

static void ctx_handler(void *user, aev_invocation *ctx, const char *e, size_t n) {
  ctx_seen *s = user;
  (void)e; (void)n;
  snprintf(s->name, sizeof s->name, "%s", aev_invocation_function_name(ctx));
  snprintf(s->version, sizeof s->version, "%s", aev_invocation_function_version(ctx));
  snprintf(s->arn, sizeof s->arn, "%s", aev_invocation_function_arn(ctx));
  snprintf(s->req, sizeof s->req, "%s", aev_invocation_request_id(ctx));
  snprintf(s->group, sizeof s->group, "%s", aev_invocation_log_group(ctx));
  snprintf(s->stream, sizeof s->stream, "%s", aev_invocation_log_stream(ctx));
  const char *v = aev_invocation_env(ctx, "STAGE");
  snprintf(s->env, sizeof s->env, "%s", v ? v : "(null)");
  s->memory = aev_invocation_memory_mb(ctx);
  s->remaining = aev_invocation_remaining_ms(ctx);
  aev_invocation_succeed(ctx, "null", 4);
}

START_TEST(context_fields) {
  ctx_seen s = {0};
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "ctx", "{\"Timeout\":7,\"MemorySize\":256,"
                   "\"Environment\":{\"Variables\":{\"STAGE\":\"beta\"}}}",
                   ctx_handler, &s, NULL, &f), AEV_OK);
  char *out;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_OK);
  ck_assert_str_eq(out, "null");
  aev_free(out);
  ck_assert_str_eq(s.name, "ctx");
  ck_assert_str_eq(s.version, "$LATEST");
  ck_assert_str_eq(s.arn, "arn:aws:lambda:us-east-1:000000000000:function:ctx");
  ck_assert_uint_eq(strlen(s.req), 36);
  ck_assert_str_eq(s.group, "/aws/lambda/ctx");
  ck_assert_msg(strncmp(s.stream, "2024/01/01/[$LATEST]", 20) == 0 && strlen(s.stream) == 52,
                "log stream %s", s.stream);
  ck_assert_str_eq(s.env, "beta");
  ck_assert_int_eq(s.memory, 256);
  ck_assert_int_eq(s.remaining, 7000);
  /* A version or alias invoked is named in the ARN, as Lambda's context
   * gives the ARN the invoker used. */
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_create_alias(f, "live", "1", NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_qualified(f, "live", "{}", 2, &out, NULL, NULL, NULL), AEV_OK);
  aev_free(out);
  ck_assert_str_eq(s.arn, "arn:aws:lambda:us-east-1:000000000000:function:ctx:live");
  ck_assert_str_eq(s.version, "1");
  ck_assert_int_eq(aev_function_invoke_qualified(f, "1", "{}", 2, &out, NULL, NULL, NULL), AEV_OK);
  aev_free(out);
  ck_assert_str_eq(s.arn, "arn:aws:lambda:us-east-1:000000000000:function:ctx:1");
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_OK);
  aev_free(out);
  ck_assert_str_eq(s.arn, "arn:aws:lambda:us-east-1:000000000000:function:ctx");
  aev_function_release(f);
}
END_TEST

/* Completes the held invocation from another thread after it timed out. */
static void *complete_later(void *arg) {
  aev_invocation_succeed(arg, "\"late\"", 6);
  return NULL;
}

static void *advance_thread(void *arg) {
  /* Advances past the timeout once the invoker armed it (the handler has
   * returned: the deadline is armed just after, so this waits briefly). */
  int64_t t;
  while (aev_broker_next_deadline(arg, &t) != AEV_OK) sched_yield();
  aev_broker_advance(arg, 3000);
  return NULL;
}

START_TEST(timeout_reports_task_timed_out) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "slow", NULL, &s);
  /* The non-blocking call: the outcome arrives when time passes 3 s. */
  aev_function *g;
  ck_assert_int_eq(aev__function_find(b, "slow", &g), AEV_OK);
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, advance_thread, b), 0);
  char *out;
  const char *ferr;
  /* The caller blocks until the other thread's advance fires the timeout. */
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, &ferr), AEV_OK);
  pthread_join(t, NULL);
  ck_assert_str_eq(ferr, "Unhandled");
  ck_assert_ptr_nonnull(strstr(out, "\"errorType\":\"Sandbox.Timedout\""));
  ck_assert_ptr_nonnull(strstr(out, "Task timed out after 3.00 seconds"));
  aev_free(out);
  ck_assert_int_eq(s.nheld, 1);
  ck_assert_int_eq(ft_metric(f, "ConcurrentExecutions"), 0);
  /* The late result is discarded. */
  ck_assert_int_eq(pthread_create(&t, NULL, complete_later, s.held[0]), 0);
  pthread_join(t, NULL);
  aev_function_release(g);
  aev_function_release(f);
}
END_TEST

START_TEST(call_runs_on_handler_pool_and_times_out) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "pool", "{\"Timeout\":5}", &s);
  ft_outcome o = {0};
  ck_assert_int_eq(aev__function_call(f, NULL, "{\"k\":2}", 7, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(s.calls, 0); /* nothing runs before drain */
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_str_eq(s.last_event, "{\"k\":2}");
  ck_assert_int_eq(o.n, 0);
  ck_assert_int_eq(aev_broker_advance(b, 4999), AEV_OK);
  ck_assert_int_eq(o.n, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(o.n, 1);
  ck_assert_str_eq(o.ferr, "Unhandled");
  ck_assert_ptr_nonnull(strstr(o.payload, "Task timed out after 5.00 seconds"));
  ck_assert_int_eq(aev_invocation_succeed(s.held[0], "1", 1), AEV_ERR_STATE);
  ck_assert_int_eq(o.n, 1);
  /* Completed in time: the result, and the timer never fires. */
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  ck_assert_int_eq(aev_invocation_succeed(s.held[1], "{\"ok\":true}", 11), AEV_OK);
  ck_assert_int_eq(o.n, 2);
  ck_assert_str_eq(o.payload, "{\"ok\":true}");
  ck_assert_ptr_null(o.ferr);
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  ck_assert_int_eq(o.n, 2);
  aev_function_release(f);
}
END_TEST

START_TEST(reserved_concurrency_throttles) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "thr", NULL, &s);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 2), AEV_OK);
  ck_assert_int_eq(aev_function_reserved_concurrency(f), 2);
  ft_outcome o = {0};
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ft_assert_error(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  char *out;
  ft_assert_error(aev_function_invoke(f, "{}", 2, &out, NULL, NULL), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  ck_assert_int_eq(ft_metric(f, "Throttles"), 2);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "ConcurrentExecutions"), 2);
  aev_invocation_succeed(s.held[0], "1", 1);
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  aev_invocation_succeed(s.held[1], "1", 1);
  aev_invocation_succeed(s.held[2], "1", 1);
  ck_assert_int_eq(o.n, 3);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 0), AEV_OK);
  ft_assert_error(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_ERR_THROTTLED,
                  "TooManyRequestsException", "Rate Exceeded.");
  ft_assert_error(aev_function_set_reserved_concurrency(f, 901), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "decreases account's UnreservedConcurrentExecution below its minimum value of [100].");
  ck_assert_int_eq(aev_function_reserved_concurrency(f), 0);
  ft_assert_error(aev_function_set_reserved_concurrency(f, -2), AEV_ERR_INVALID,
                  "ValidationException", "reservedConcurrentExecutions");
  aev_function_release(f);
}
END_TEST

START_TEST(cold_and_warm_environments) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "env", NULL, &s);
  ck_assert_int_eq(aev_function_set_init(f, ft_init), AEV_OK);
  ft_outcome o = {0};
  /* Three concurrent invocations: three environments, three cold starts. */
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.inits, 3);
  for (int i = 0; i < 3; i++) aev_invocation_succeed(s.held[i], "1", 1);
  ck_assert_int_eq(ft_metric(f, "Environments"), 3);
  /* Two more: warm, no init. */
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.inits, 3);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 3);
  aev_invocation_succeed(s.held[3], "1", 1);
  aev_invocation_succeed(s.held[4], "1", 1);
  /* Idle past the reclaim time: environments are gone, the next is cold. */
  ck_assert_int_eq(aev_function_set_idle_reclaim_ms(f, 60000), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "Environments"), 0);
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.inits, 4);
  aev_invocation_succeed(s.held[5], "1", 1);
  ck_assert_int_eq(ft_metric(f, "ColdStarts"), 4);
  ck_assert_int_eq(ft_metric(f, "Invocations"), 6);
  aev_function_release(f);
}
END_TEST

START_TEST(destroy_with_held_invocation) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "held", NULL, &s);
  ft_outcome o = {0};
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev__function_call(f, NULL, "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  aev_invocation_succeed(s.held[0], "1", 1);
  aev_function_release(f);
  aev_broker_destroy(b); /* the held invocation's timer is cancelled */
  ck_assert_int_eq(o.n, 2);
  aev_invocation_succeed(s.held[1], "1", 1); /* late: discarded, freed */
  b = qt_broker();
}
END_TEST

START_TEST(payload_syntax_check) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "syn", NULL, &s);
  const char *good[] = {"{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\n\"", "true",
                        " { \"a\" : [1, {\"b\": null}], \"c\": false } ",
                        "\"\xc3\xa9\""};
  const char *bad[] = {"{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "\"\\x\"",
                       "\"\\u12g4\"", "{} {}", "{\"a\" 1}", "[1 2]", "\"\x01\"",
                       "nul", "{1:2}", "\"open"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    ck_assert_msg(aev_function_invoke_dry_run(f, good[i], strlen(good[i])) == AEV_OK,
                  "rejected %s", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    ck_assert_msg(aev_function_invoke_dry_run(f, bad[i], strlen(bad[i])) == AEV_ERR_INVALID,
                  "accepted %s", bad[i]);
  /* Nesting deeper than 512 is refused rather than recursed into. */
  char deep[1200];
  memset(deep, '[', 600);
  memset(deep + 600, ']', 600);
  ck_assert_int_eq(aev_function_invoke_dry_run(f, deep, 1200), AEV_ERR_INVALID);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_invoke");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_get_delete);
  tcase_add_test(tc, release_runs_once_after_delete);
  tcase_add_test(tc, release_runs_at_broker_destroy_with_handle_held);
  tcase_add_test(tc, release_waits_for_the_running_handler);
  tcase_add_test(tc, destroyed_broker_closes_held_function);
  tcase_add_test(tc, null_broker_or_out_is_refused);
  tcase_add_test(tc, null_result_is_refused_before_the_handler_runs);
  tcase_add_test(tc, null_handles_are_refused);
  tcase_add_test(tc, configuration_defaults_and_updates);
  tcase_add_test(tc, request_response_success_and_error);
  tcase_add_test(tc, failure_text_not_utf8);
  tcase_add_test(tc, fail_json_keeps_stack_trace);
  tcase_add_test(tc, payload_limits_and_dry_run);
  tcase_add_test(tc, response_size_limit);
  tcase_add_test(tc, context_fields);
  tcase_add_test(tc, timeout_reports_task_timed_out);
  tcase_add_test(tc, call_runs_on_handler_pool_and_times_out);
  tcase_add_test(tc, reserved_concurrency_throttles);
  tcase_add_test(tc, cold_and_warm_environments);
  tcase_add_test(tc, destroy_with_held_invocation);
  tcase_add_test(tc, payload_syntax_check);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
