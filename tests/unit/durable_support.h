/* Shared by the durable-function suites: one broker (b) and one handler
 * state (st) per test file; a handler "sdk" that plays the durable
 * execution SDK (reads InitialExecutionState, replays, checkpoints with
 * CheckpointDurableExecution) in the mode st.mode names, and helpers for
 * the lambda actions and the executions' reads. */
#ifndef AEV_TEST_DURABLE_SUPPORT_H
#define AEV_TEST_DURABLE_SUPPORT_H

#include <jansson.h>

#include "aevtest.h"
#include "function_support.h"

#define EXEC_ARN_RE                                                                       \
  "^arn:aws:lambda:us-east-1:000000000000:function:d:\\$LATEST/durable-execution/"       \
  "[a-zA-Z0-9_-]+/[0-9a-f-]{36}$"

/* What the handler does on each invocation. */
enum { STEP_WAIT, RETRY, CALLBACK, FOREVER, THROW, BAD_OUTPUT, NOTHING_PENDING, CLOSE_BY_CHECKPOINT,
       CHAINED };

typedef struct sdk {
  int mode;
  int calls;
  char arn[512];
  char token[128];
  char callback_id[1024];
  const char *target; /* CHAINED: the function invoked */
  int64_t callback_timeout; /* CallbackOptions.TimeoutSeconds */
  int64_t heartbeat;        /* HeartbeatTimeoutSeconds */
  json_t *last_state;       /* the last invocation's InitialExecutionState */
} sdk;

static aev_broker *b;
static sdk st;

static inline json_t *call(const char *action, json_t *req) {
  char *text = json_dumps(req, JSON_COMPACT), *r = NULL;
  json_decref(req);
  int rc = aev_call(b, "lambda", action, text, &r);
  ck_assert_msg(rc == AEV_OK, "%s %s: %s", action, text, r ? r : "");
  free(text);
  json_t *o = json_loads(r, 0, NULL);
  aev_free(r);
  ck_assert_ptr_nonnull(o);
  return o;
}

static inline void call_err(const char *action, json_t *req, const char *code, const char *msg) {
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  ft_call_err(b, action, text, code, msg);
  free(text);
}

static inline json_t *op_of(json_t *state, const char *id) {
  size_t i;
  json_t *op;
  json_array_foreach(json_object_get(state, "Operations"), i, op)
    if (!strcmp(json_string_value(json_object_get(op, "Id")), id)) return op;
  return NULL;
}

static inline const char *status_of(json_t *op) {
  return json_string_value(json_object_get(op, "Status"));
}

/* CheckpointDurableExecution as the SDK sends it; the new token kept. */
static inline json_t *checkpoint(json_t *updates) {
  json_t *r = call("CheckpointDurableExecution",
                   json_pack("{ssssso}", "DurableExecutionArn", st.arn, "CheckpointToken",
                             st.token, "Updates", updates));
  const char *t = json_string_value(json_object_get(r, "CheckpointToken"));
  if (t) snprintf(st.token, sizeof st.token, "%s", t);
  return r;
}

static inline json_t *update(const char *id, const char *type, const char *action) {
  return json_pack("{ssssss}", "Id", id, "Type", type, "Action", action);
}

static inline void finish(aev_invocation *ctx, const char *output) {
  aev_invocation_succeed(ctx, output, strlen(output));
}

/* Ends the execution as op ended: its Result, or its Error. */
static inline void finish_as(aev_invocation *ctx, json_t *op, const char *details) {
  json_t *d = json_object_get(op, details);
  json_t *out = !strcmp(status_of(op), "SUCCEEDED")
                    ? json_pack("{sssO}", "Status", "SUCCEEDED", "Result", json_object_get(d, "Result"))
                    : json_pack("{sssO}", "Status", "FAILED", "Error", json_object_get(d, "Error"));
  char *text = json_dumps(out, JSON_COMPACT);
  finish(ctx, text);
  free(text);
  json_decref(out);
}

/* A step "s1" then a wait "w1" of 10 s, then success. */
static inline void step_then_wait(aev_invocation *ctx, json_t *state) {
  if (!op_of(state, "s1")) {
    json_t *succeed = update("s1", "STEP", "SUCCEED");
    json_object_set_new(succeed, "Payload", json_string("\"one\""));
    json_decref(checkpoint(json_pack("[oo]", update("s1", "STEP", "START"), succeed)));
  }
  json_t *w = op_of(state, "w1");
  if (!w) {
    json_t *start = update("w1", "WAIT", "START");
    json_object_set_new(start, "WaitOptions", json_pack("{si}", "WaitSeconds", 10));
    json_decref(checkpoint(json_pack("[o]", start)));
    finish(ctx, "{\"Status\":\"PENDING\"}");
  } else {
    ck_assert_str_eq(status_of(w), "SUCCEEDED");
    finish(ctx, "{\"Status\":\"SUCCEEDED\",\"Result\":\"\\\"done\\\"\"}");
  }
}

/* A step "r" that fails once and is retried 5 s later. */
static inline void retried_step(aev_invocation *ctx, json_t *state) {
  json_t *r = op_of(state, "r");
  if (!r) {
    json_t *retry = update("r", "STEP", "RETRY");
    json_object_set_new(retry, "StepOptions", json_pack("{si}", "NextAttemptDelaySeconds", 5));
    json_object_set_new(retry, "Error", json_pack("{ss}", "ErrorType", "Flaky"));
    json_decref(checkpoint(json_pack("[oo]", update("r", "STEP", "START"), retry)));
    finish(ctx, "{\"Status\":\"PENDING\"}");
    return;
  }
  ck_assert_str_eq(status_of(r), "READY");
  json_t *succeed = update("r", "STEP", "SUCCEED");
  json_object_set_new(succeed, "Payload", json_string("2"));
  json_t *resp = checkpoint(json_pack("[oo]", update("r", "STEP", "START"), succeed));
  json_t *now = op_of(json_object_get(resp, "NewExecutionState"), "r");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(now, "StepDetails"),
                                                      "Attempt")),
                   2);
  json_decref(resp);
  finish(ctx, "{\"Status\":\"SUCCEEDED\",\"Result\":\"2\"}");
}

/* A callback "cb": its result is the execution's. */
static inline void awaits_callback(aev_invocation *ctx, json_t *state) {
  json_t *cb = op_of(state, "cb");
  if (!cb) {
    json_t *start = update("cb", "CALLBACK", "START");
    json_object_set_new(start, "CallbackOptions",
                        json_pack("{sIsI}", "TimeoutSeconds", (json_int_t)st.callback_timeout,
                                  "HeartbeatTimeoutSeconds", (json_int_t)st.heartbeat));
    json_t *resp = checkpoint(json_pack("[o]", start));
    json_t *op = op_of(json_object_get(resp, "NewExecutionState"), "cb");
    snprintf(st.callback_id, sizeof st.callback_id, "%s",
             json_string_value(json_object_get(json_object_get(op, "CallbackDetails"), "CallbackId")));
    json_decref(resp);
    finish(ctx, "{\"Status\":\"PENDING\"}");
    return;
  }
  finish_as(ctx, cb, "CallbackDetails");
}

/* A chained invoke "ci" of st.target: its outcome is the execution's. */
static inline void chains(aev_invocation *ctx, json_t *state) {
  json_t *ci = op_of(state, "ci");
  if (!ci) {
    json_t *start = update("ci", "CHAINED_INVOKE", "START");
    json_object_set_new(start, "ChainedInvokeOptions", json_pack("{ss}", "FunctionName", st.target));
    json_object_set_new(start, "Payload", json_string("{\"x\":1}"));
    json_decref(checkpoint(json_pack("[o]", start)));
    finish(ctx, "{\"Status\":\"PENDING\"}");
    return;
  }
  finish_as(ctx, ci, "ChainedInvokeDetails");
}

static inline void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  json_t *in = json_loadb(event, len, 0, NULL);
  ck_assert_ptr_nonnull(in);
  st.calls++;
  snprintf(st.arn, sizeof st.arn, "%s", json_string_value(json_object_get(in, "DurableExecutionArn")));
  snprintf(st.token, sizeof st.token, "%s", json_string_value(json_object_get(in, "CheckpointToken")));
  json_t *state = json_object_get(in, "InitialExecutionState");
  json_t *first = json_array_get(json_object_get(state, "Operations"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(first, "Type")), "EXECUTION");
  json_decref(st.last_state);
  st.last_state = json_incref(state);
  if (st.mode == STEP_WAIT) step_then_wait(ctx, state);
  else if (st.mode == RETRY) retried_step(ctx, state);
  else if (st.mode == CALLBACK) awaits_callback(ctx, state);
  else if (st.mode == CHAINED) chains(ctx, state);
  else if (st.mode == FOREVER) {
    if (!op_of(state, "w")) {
      json_t *start = update("w", "WAIT", "START");
      json_object_set_new(start, "WaitOptions", json_pack("{si}", "WaitSeconds", 100000));
      json_decref(checkpoint(json_pack("[o]", start)));
    }
    finish(ctx, "{\"Status\":\"PENDING\"}");
  } else if (st.mode == THROW) aev_invocation_fail(ctx, "Boom", "it broke");
  else if (st.mode == BAD_OUTPUT) finish(ctx, "42");
  else if (st.mode == NOTHING_PENDING) finish(ctx, "{\"Status\":\"PENDING\"}");
  else {
    json_t *done = update(json_string_value(json_object_get(first, "Id")), "EXECUTION", "SUCCEED");
    json_object_set_new(done, "Payload", json_string("\"big\""));
    json_t *r = checkpoint(json_pack("[o]", done));
    ck_assert_ptr_null(json_object_get(r, "CheckpointToken"));
    json_decref(r);
    finish(ctx, "{\"Status\":\"PENDING\"}");
  }
  json_decref(in);
}

static inline void create(const char *name, const char *durable) {
  char req[512];
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\",\"Handler\":\"sdk\"%s%s}", name,
           durable ? ",\"DurableConfig\":" : "", durable ? durable : "");
  json_decref(ft_call(b, "CreateFunction", req));
}

static inline void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.callback_timeout = 60;
  ck_assert_int_eq(aev_handler_register(b, "sdk", handler, NULL, NULL), AEV_OK);
  create("d", "{\"ExecutionTimeout\":600,\"RetentionPeriodInDays\":1}");
}

static inline void teardown(void) {
  aev_broker_destroy(b);
  json_decref(st.last_state);
}

/* Invoke of type Event; the DurableExecutionArn answered. */
static inline char *start_async(const char *extra) {
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"d\",\"InvocationType\":\"Event\",\"Payload\":\"{\\\"n\\\":1}\"%s}",
           extra ? extra : "");
  json_t *r = ft_call(b, "Invoke", req);
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 202);
  char *arn = strdup(json_string_value(json_object_get(r, "DurableExecutionArn")));
  json_decref(r);
  return arn;
}

/* An execution started in mode, its first invocation run. */
static inline char *started(int mode, const char *extra) {
  st.mode = mode;
  char *arn = start_async(extra);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  return arn;
}

/* The ErrorType of an object's Error member. */
static inline const char *error_type(json_t *o) {
  return json_string_value(json_object_get(json_object_get(o, "Error"), "ErrorType"));
}

static inline json_t *describe(const char *arn) {
  return call("GetDurableExecution", json_pack("{ss}", "DurableExecutionArn", arn));
}

static inline void assert_status(const char *arn, const char *status) {
  json_t *d = describe(arn);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Status")), status);
  json_decref(d);
}

static inline void advance_s(int s) { ck_assert_int_eq(aev_broker_advance(b, (int64_t)s * 1000), AEV_OK); }

/* The durable executions of function d, as ListDurableExecutionsByFunction
 * answers them. */
static inline json_t *executions_of_d(void) {
  json_t *r = call("ListDurableExecutionsByFunction", json_pack("{ss}", "FunctionName", "d"));
  json_t *list = json_incref(json_object_get(r, "DurableExecutions"));
  json_decref(r);
  return list;
}

#endif
