/* CheckpointDurableExecution: the checkpoint token checked and consumed,
 * the Updates applied in order and all or nothing (Lambda API reference:
 * "Updates are applied atomically as part of the checkpoint operation"),
 * and the service's own changes when they fall due (a wait's end, a step's
 * next attempt, a callback's timeouts). Transitions by Type and Action:
 * START of a STEP, WAIT, CALLBACK, CONTEXT or CHAINED_INVOKE (a STEP again
 * when READY for its next attempt); SUCCEED and FAIL of a STEP, a CONTEXT or the
 * EXECUTION; RETRY of a STEP; CANCEL of a WAIT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/status.h"
#include "function/durable.h"

#define SECONDS_MAX 31622400

static int bad(int i, const char *member, const char *fmt, const char *value) {
  char why[160];
  snprintf(why, sizeof why, fmt, value);
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   "1 validation error detected: Value at 'updates.%d.member.%s' failed to "
                   "satisfy constraint: %s",
                   i + 1, member, why);
}

static int refuse(const char *fmt, const char *a, const char *b) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException", fmt, a, b);
}

int aev__durable_error_check(json_t *o, const char *member) {
  if (!o || json_is_null(o)) return AEV_OK;
  const char *k;
  json_t *v;
  size_t size = 0;
  if (!json_is_object(o))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                     "%s must be an object.", member);
  json_object_foreach(o, k, v) {
    int trace = !strcmp(k, "StackTrace");
    if (!trace && strcmp(k, "ErrorMessage") && strcmp(k, "ErrorType") && strcmp(k, "ErrorData"))
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                       "Unknown member %s.%s.", member, k);
    size_t i;
    json_t *line;
    if (!trace && !json_is_string(v))
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                       "%s.%s must be a string.", member, k);
    if (!trace) size += json_string_length(v);
    if (trace && !json_is_array(v))
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                       "%s.StackTrace must be a list of strings.", member);
    json_array_foreach(trace ? v : NULL, i, line) {
      if (!json_is_string(line))
        return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                         "%s.StackTrace must be a list of strings.", member);
      size += json_string_length(line);
    }
  }
  /* API reference: "The combined size of all error fields is limited to
   * 256 KB." */
  if (size > AEV__DURABLE_ERROR_MAX)
    return aev__fail(AEV_ERR_LIMIT, "InvalidParameterValueException",
                     "The combined size of all error fields of %s is %zu bytes, more than "
                     "%d bytes.",
                     member, size, AEV__DURABLE_ERROR_MAX);
  return AEV_OK;
}

static int enum_member(json_t *u, int i, const char *name, const char *member,
                       const char *const *names, const char *set, int *out) {
  const char *v = json_string_value(json_object_get(u, name));
  for (int k = 0; v && names[k]; k++)
    if (!strcmp(v, names[k])) return *out = k, AEV_OK;
  char why[160];
  snprintf(why, sizeof why, "Member must satisfy enum value set: [%s]", set);
  return bad(i, member, "%s", why);
}

static int opt_seconds(json_t *options, const char *name, int64_t min, int64_t *out) {
  json_t *v = json_object_get(options, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > SECONDS_MAX)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                     "%s must be an integer from %lld to %d.", name, (long long)min,
                     SECONDS_MAX);
  *out = json_integer_value(v);
  return AEV_OK;
}

enum { T_EXECUTION, T_CONTEXT, T_STEP, T_WAIT, T_CALLBACK, T_CHAINED };
enum { A_START, A_SUCCEED, A_FAIL, A_RETRY, A_CANCEL };
static const char *const types[] = {"EXECUTION", "CONTEXT", "STEP", "WAIT",
                                    "CALLBACK", "CHAINED_INVOKE", NULL};
static const char *const actions[] = {"START", "SUCCEED", "FAIL", "RETRY", "CANCEL", NULL};
/* The history's name of each type's events. */
static const char *const event_prefix[] = {"Execution", "Context", "Step", "Wait",
                                           "Callback", "ChainedInvoke"};

static const char *status_of(const aev__dop *op) {
  return json_string_value(json_object_get(op->o, "Status"));
}

static void set_status(aev__dop *op, const char *status, aev__dexec *e, int ends) {
  aev__fn_put(&op->o, "Status", json_string(status));
  if (ends) aev__fn_put(&op->o, "EndTimestamp", aev__dx_time(aev__dexec_now_ms(e)));
}

static void event(aev__dexec *e, int type, const char *what, aev__dop *op, json_t *details) {
  char name[48];
  snprintf(name, sizeof name, "%s%s", event_prefix[type], what);
  aev__dexec_event_locked(e, name, op->o, details);
}

/* The details member of op's type ("StepDetails"), created when absent. */
static json_t *details_of(aev__dop *op, int type) {
  static const char *const keys[] = {NULL, "ContextDetails", "StepDetails", "WaitDetails",
                                     "CallbackDetails", "ChainedInvokeDetails"};
  json_t *d = json_object_get(op->o, keys[type]);
  if (!d && json_object_set_new(op->o, keys[type], json_object()) == 0)
    d = json_object_get(op->o, keys[type]);
  return d;
}

static json_t *event_payload(const char *key, json_t *v) {
  return json_pack("{s{sO}}", key, "Payload", v ? v : json_null());
}

/* A new operation from update u (START, or a first SUCCEED / FAIL / RETRY
 * of a STEP or CONTEXT that was never started). */
static aev__dop *open_op(aev__dexec *e, json_t *u, int type) {
  json_t *o = json_pack("{sOsssoss}", "Id", json_object_get(u, "Id"), "Type", types[type],
                        "StartTimestamp", aev__dx_time(aev__dexec_now_ms(e)), "Status",
                        "STARTED");
  static const char *const copied[] = {"ParentId", "Name", "SubType"};
  for (size_t i = 0; o && i < 3; i++) {
    json_t *v = json_object_get(u, copied[i]);
    if (v && !json_is_null(v)) json_object_set(o, copied[i], v);
  }
  aev__dop *op = aev__dexec_add_op_locked(e, o);
  if (op && type == T_STEP) json_object_set_new(details_of(op, type), "Attempt", json_integer(1));
  return op;
}

/* A CHAINED_INVOKE's start: the function is invoked once the checkpoint
 * is applied (*launch gets {Id, FunctionName, Payload}). */
static int start_chained(aev__dexec *e, json_t *u, json_t *launch) {
  const char *id = json_string_value(json_object_get(u, "Id"));
  json_t *options = json_object_get(u, "ChainedInvokeOptions");
  const char *fn = json_string_value(json_object_get(options, "FunctionName"));
  if (!fn || !*fn || strlen(fn) > 256)
    return refuse("CHAINED_INVOKE operation %s%s needs ChainedInvokeOptions.FunctionName "
                  "(1 to 256 characters).",
                  id, "");
  const char *payload = json_string_value(json_object_get(u, "Payload"));
  aev__dop *op = open_op(e, u, T_CHAINED);
  if (!op) return aev__nomem();
  event(e, T_CHAINED, "Started", op,
        json_pack("{sss{ss}}", "FunctionName", fn, "Input", "Payload", payload ? payload : ""));
  return json_array_append_new(launch, json_pack("{ssssss?}", "Id", id, "FunctionName", fn,
                                                 "Payload", payload))
             ? aev__nomem()
             : AEV_OK;
}

static int start_op(aev__dexec *e, json_t *u, int type, aev__dop *op, json_t *launch) {
  const char *id = json_string_value(json_object_get(u, "Id"));
  if (type == T_EXECUTION)
    return refuse("The EXECUTION operation %s%s is started by Lambda.", id, "");
  if (type == T_CHAINED && !op) return start_chained(e, u, launch);
  if (op && (type != T_STEP || strcmp(status_of(op), "READY")))
    return refuse("Operation %s is %s: it cannot be started again.", id, status_of(op));
  json_t *wopts = json_object_get(u, "WaitOptions"), *copts = json_object_get(u, "CallbackOptions");
  int64_t wait = 0, timeout = 0, hb = 0;
  int rc = opt_seconds(wopts, "WaitSeconds", 1, &wait);
  if (rc == AEV_OK) rc = opt_seconds(copts, "TimeoutSeconds", 0, &timeout);
  if (rc == AEV_OK) rc = opt_seconds(copts, "HeartbeatTimeoutSeconds", 0, &hb);
  if (rc == AEV_OK && type == T_WAIT && !wait)
    rc = refuse("WAIT operation %s%s needs WaitOptions.WaitSeconds.", id, "");
  if (rc != AEV_OK) return rc;
  if (op) { /* a STEP's next attempt */
    json_t *d = details_of(op, type);
    json_object_set_new(d, "Attempt", json_integer(json_integer_value(json_object_get(d, "Attempt")) + 1));
    json_object_del(d, "NextAttemptTimestamp");
    set_status(op, "STARTED", e, 0);
  } else if (!(op = open_op(e, u, type))) {
    return aev__nomem();
  }
  json_t *details = json_object();
  int64_t now = aev__dexec_mono(e);
  if (type == T_WAIT) {
    int64_t end = aev__dexec_now_ms(e) + wait * 1000;
    op->due = now + wait * 1000;
    json_object_set_new(details_of(op, type), "ScheduledEndTimestamp", aev__dx_time(end));
    json_object_set_new(details, "Duration", json_integer(wait));
    json_object_set_new(details, "ScheduledEndTimestamp", aev__dx_time(end));
  } else if (type == T_CALLBACK) {
    char *raw = malloc(strlen(e->arn) + strlen(id) + 2), *cb = NULL;
    if (raw) sprintf(raw, "%s\n%s", e->arn, id);
    if (!raw || aev__base64_encode(raw, strlen(raw), &cb) != AEV_OK) {
      free(raw);
      json_decref(details);
      return aev__nomem();
    }
    free(raw);
    json_object_set_new(details_of(op, type), "CallbackId", json_string(cb));
    json_object_set_new(details, "CallbackId", json_string(cb));
    free(cb);
    /* CallbackOptions: 0 (or absent) is no timeout. */
    op->due = timeout ? now + timeout * 1000 : -1;
    op->hb_s = hb;
    op->hb_due = hb ? now + hb * 1000 : -1;
    if (timeout) json_object_set_new(details, "Timeout", json_integer(timeout));
    if (hb) json_object_set_new(details, "HeartbeatTimeout", json_integer(hb));
  }
  event(e, type, "Started", op, details);
  return AEV_OK;
}

static json_t *retry_details(aev__dop *op, int64_t delay) {
  json_t *r = json_pack("{sO}", "CurrentAttempt",
                        json_object_get(json_object_get(op->o, "StepDetails"), "Attempt"));
  if (r && delay >= 0) json_object_set_new(r, "NextAttemptDelaySeconds", json_integer(delay));
  return r;
}

/* SUCCEED, FAIL or RETRY of a STEP or CONTEXT; EXECUTION's are closes
 * (*close: the status to close with once every update applied). */
static int finish_op(aev__dexec *e, json_t *u, int type, int action, aev__dop *op,
                     int *close) {
  const char *id = json_string_value(json_object_get(u, "Id"));
  if (type == T_EXECUTION && action != A_RETRY) {
    *close = action == A_SUCCEED ? AEV__DX_SUCCEEDED : AEV__DX_FAILED;
    return AEV_OK;
  }
  if ((type != T_STEP && type != T_CONTEXT) || (action == A_RETRY && type != T_STEP))
    return refuse("%s of a %s operation is not allowed: the service completes it.",
                  actions[action], types[type]);
  if (op && strcmp(status_of(op), "STARTED") && strcmp(status_of(op), "READY"))
    return refuse("Operation %s is %s: it is not running.", id, status_of(op));
  if (!op && !(op = open_op(e, u, type))) return aev__nomem();
  json_t *d = details_of(op, type), *payload = json_object_get(u, "Payload"),
         *error = json_object_get(u, "Error");
  if (!d) return aev__nomem();
  if (action == A_SUCCEED) {
    if (payload) json_object_set(d, "Result", payload);
    set_status(op, "SUCCEEDED", e, 1);
    event(e, type, "Succeeded", op,
          type == T_STEP ? json_pack("{s{sO}so}", "Result", "Payload",
                                     payload ? payload : json_null(), "RetryDetails",
                                     retry_details(op, -1))
                         : event_payload("Result", payload));
  } else if (action == A_FAIL) {
    if (error) json_object_set(d, "Error", error);
    set_status(op, "FAILED", e, 1);
    event(e, type, "Failed", op,
          type == T_STEP ? json_pack("{s{so}so}", "Error", "Payload",
                                     error ? json_incref(error) : json_object(), "RetryDetails",
                                     retry_details(op, -1))
                         : event_payload("Error", error));
  } else {
    int64_t delay = 0;
    int rc = opt_seconds(json_object_get(u, "StepOptions"), "NextAttemptDelaySeconds", 1, &delay);
    if (rc != AEV_OK) return rc;
    if (error) json_object_set(d, "Error", error);
    json_object_set_new(d, "NextAttemptTimestamp",
                        aev__dx_time(aev__dexec_now_ms(e) + delay * 1000));
    op->due = aev__dexec_mono(e) + delay * 1000;
    set_status(op, "PENDING", e, 0);
    event(e, type, "Failed", op,
          json_pack("{s{so}so}", "Error", "Payload", error ? json_incref(error) : json_object(),
                    "RetryDetails", retry_details(op, delay)));
  }
  return AEV_OK;
}

static int check_update(json_t *u, int i, int *type, int *action) {
  if (!json_is_object(u)) return bad(i, "", "%s", "Member must be an OperationUpdate object");
  const char *id = json_string_value(json_object_get(u, "Id"));
  size_t n = id ? strlen(id) : 0;
  if (!id || !n || n > 64 || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_") != n)
    return bad(i, "id", "%s",
               "Member must have length between 1 and 64 and satisfy regular expression "
               "pattern: [a-zA-Z0-9-_]+");
  int rc = enum_member(u, i, "Type", "type", types,
                       "EXECUTION, CONTEXT, STEP, WAIT, CALLBACK, CHAINED_INVOKE", type);
  if (rc == AEV_OK)
    rc = enum_member(u, i, "Action", "action", actions, "START, SUCCEED, FAIL, RETRY, CANCEL",
                     action);
  json_t *p = json_object_get(u, "Payload");
  if (rc == AEV_OK && p && !json_is_null(p) &&
      (!json_is_string(p) || json_string_length(p) > AEV__DURABLE_PAYLOAD_MAX))
    rc = bad(i, "payload", "%s",
             "Member must be a string of length less than or equal to 6291456");
  if (rc == AEV_OK) rc = aev__durable_error_check(json_object_get(u, "Error"), "Error");
  return rc;
}

/* A CONTEXT update's ContextOptions.ReplayChildren, kept in its
 * ContextDetails: once the context completes, its children's state is
 * left out of the invocation input and GetDurableExecutionState unless
 * it is true (API reference, ContextOptions and ContextDetails). */
static int replay_children(aev__dexec *e, json_t *u, const char *id) {
  json_t *v = json_object_get(json_object_get(u, "ContextOptions"), "ReplayChildren");
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_boolean(v))
    return refuse("ContextOptions.ReplayChildren of operation %s must be a boolean.%s", id, "");
  json_t *d = details_of(aev__dexec_op_locked(e, id), T_CONTEXT);
  return d && !json_object_set(d, "ReplayChildren", v) ? AEV_OK : aev__nomem();
}

static int apply(aev__dexec *e, json_t *u, int i, json_t *touched, json_t *launch,
                 int *close) {
  int type, action;
  int rc = check_update(u, i, &type, &action);
  if (rc != AEV_OK) return rc;
  const char *id = json_string_value(json_object_get(u, "Id"));
  const char *parent = json_string_value(json_object_get(u, "ParentId"));
  aev__dop *op = aev__dexec_op_locked(e, id);
  if (op && strcmp(json_string_value(json_object_get(op->o, "Type")), types[type]))
    return refuse("Operation %s is not of type %s.", id, types[type]);
  if (parent && !aev__dexec_op_locked(e, parent))
    return refuse("ParentId %s of operation %s names no operation.", parent, id);
  if (action == A_START) rc = start_op(e, u, type, op, launch);
  else if (action == A_CANCEL && type == T_WAIT && op && !strcmp(status_of(op), "STARTED")) {
    op->due = -1;
    set_status(op, "CANCELLED", e, 1);
    event(e, type, "Cancelled", op, json_object());
  } else if (action == A_CANCEL) rc = refuse("Operation %s cannot be cancelled%s.", id,
                                            type == T_WAIT ? ": it is not a started WAIT" : "");
  else rc = finish_op(e, u, type, action, op, close);
  if (rc == AEV_OK && type == T_CONTEXT) rc = replay_children(e, u, id);
  if (rc == AEV_OK && type != T_EXECUTION) json_array_append_new(touched, json_string(id));
  return rc;
}

/* The state before a checkpoint, to put back when an update is refused. */
typedef struct saved {
  aev__dop *ops;
  size_t nops, nevents;
} saved;

static int save(aev__dexec *e, saved *s) {
  s->nops = e->nops;
  s->nevents = json_array_size(e->events);
  s->ops = malloc((e->nops ? e->nops : 1) * sizeof *s->ops);
  for (size_t i = 0; s->ops && i < e->nops; i++) {
    s->ops[i] = e->ops[i];
    s->ops[i].o = json_deep_copy(e->ops[i].o);
  }
  return s->ops ? AEV_OK : aev__nomem();
}

static void restore(aev__dexec *e, saved *s, int back) {
  for (size_t i = 0; i < (back ? e->nops : s->nops); i++) json_decref(back ? e->ops[i].o : s->ops[i].o);
  if (back) {
    memcpy(e->ops, s->ops, s->nops * sizeof *s->ops);
    e->nops = s->nops;
    while (json_array_size(e->events) > s->nevents)
      json_array_remove(e->events, json_array_size(e->events) - 1);
  }
  free(s->ops);
}

/* The operations answered: those the checkpoint touched, then those the
 * service changed since the handler last heard. */
static json_t *new_state(aev__dexec *e, json_t *touched) {
  json_t *ops = json_array();
  json_array_extend(touched, e->news);
  json_array_clear(e->news);
  size_t i;
  json_t *id;
  json_array_foreach(touched, i, id) {
    int seen = 0;
    for (size_t k = 0; k < i; k++) seen |= json_equal(json_array_get(touched, k), id);
    aev__dop *op = seen ? NULL : aev__dexec_op_locked(e, json_string_value(id));
    if (op) aev__fn_put(&ops, NULL, json_deep_copy(op->o));
  }
  return json_pack("{so}", "Operations", ops);
}

#define CLIENT_TOKEN_MS 900000 /* "within a 15-minute window" (API reference) */

/* mu held: 1 when this is a retry of the last checkpoint (its ClientToken
 * and the CheckpointToken it consumed), answered again in *resp. */
static int retried_locked(aev__dexec *e, const char *token, const char *client, json_t **resp) {
  if (!client || !e->client_token || strcmp(client, e->client_token) ||
      strcmp(token, e->client_used) || aev__dexec_mono(e) - e->client_at > CLIENT_TOKEN_MS)
    return 0;
  *resp = json_deep_copy(e->client_answer);
  return 1;
}

/* mu held: remembers the answer to a checkpoint with a ClientToken. */
static void remember_locked(aev__dexec *e, const char *token, const char *client, json_t *resp) {
  if (!client) return;
  char *copy = strdup(client);
  json_t *answer = json_deep_copy(resp);
  if (!copy || !answer) { /* out of memory: a retry is then refused as stale */
    free(copy);
    json_decref(answer);
    return;
  }
  free(e->client_token);
  json_decref(e->client_answer);
  e->client_token = copy;
  e->client_answer = answer;
  snprintf(e->client_used, sizeof e->client_used, "%s", token);
  e->client_at = aev__dexec_mono(e);
}

int aev__durable_checkpoint(aev__dexec *e, const char *token, const char *client,
                            json_t *updates, json_t **resp) {
  json_t *touched = json_array(), *launch = json_array();
  pthread_mutex_lock(&e->mu);
  int rc = touched && launch ? AEV_OK : aev__nomem();
  if (rc == AEV_OK && retried_locked(e, token, client, resp)) {
    pthread_mutex_unlock(&e->mu);
    json_decref(touched);
    json_decref(launch);
    return *resp ? AEV_OK : aev__nomem();
  }
  if (rc == AEV_OK && (!e->token[0] || strcmp(token, e->token)))
    rc = aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   e->status == AEV__DX_RUNNING
                       ? "Invalid checkpoint token: it is not the execution's current token."
                       : "Invalid checkpoint token: the durable execution is no longer running.");
  saved s = {0};
  if (rc == AEV_OK) rc = save(e, &s);
  int close = -1;
  size_t i;
  json_t *u;
  json_array_foreach(rc == AEV_OK ? updates : NULL, i, u) {
    rc = apply(e, u, (int)i, touched, launch, &close);
    if (rc != AEV_OK) break;
  }
  if (s.ops) restore(e, &s, rc != AEV_OK);
  if (rc == AEV_OK && close >= 0) {
    json_t *last = NULL; /* the last EXECUTION update decides */
    json_array_foreach(updates, i, u)
      if (!strcmp(json_string_value(json_object_get(u, "Type")), "EXECUTION")) last = u;
    json_t *v = json_object_get(last, close == AEV__DX_SUCCEEDED ? "Payload" : "Error");
    if (close == AEV__DX_SUCCEEDED)
      aev__dexec_close_locked(e, close, v ? json_incref(v) : NULL, NULL);
    else
      aev__dexec_close_locked(e, close, NULL, v ? json_incref(v) : json_object());
  }
  if (rc == AEV_OK) {
    aev__dexec_rearm_locked(e);
    if (e->status == AEV__DX_RUNNING) aev__broker_token(e->b, e->token, 48);
    *resp = json_pack("{ssso}", "CheckpointToken", e->token, "NewExecutionState",
                      new_state(e, touched));
    if (e->status != AEV__DX_RUNNING) json_object_del(*resp, "CheckpointToken");
    if (!*resp) rc = aev__nomem();
    else remember_locked(e, token, client, *resp);
  }
  int running = e->status == AEV__DX_RUNNING;
  pthread_mutex_unlock(&e->mu);
  json_decref(touched);
  json_t *l;
  json_array_foreach(rc == AEV_OK && running ? launch : NULL, i, l)
    aev__durable_chain(e, json_string_value(json_object_get(l, "Id")),
                       json_string_value(json_object_get(l, "FunctionName")),
                       json_object_get(l, "Payload")
                           ? json_string_value(json_object_get(l, "Payload"))
                           : "");
  json_decref(launch);
  return rc;
}

int aev__durable_due_locked(aev__dexec *e) {
  int64_t now = aev__dexec_mono(e);
  int changed = 0;
  for (size_t i = 1; i < e->nops; i++) {
    aev__dop *op = &e->ops[i];
    int timed_out = op->hb_due >= 0 && op->hb_due <= now;
    if (!timed_out && (op->due < 0 || op->due > now)) continue;
    const char *type = json_string_value(json_object_get(op->o, "Type"));
    op->due = op->hb_due = -1;
    if (!strcmp(type, "WAIT")) {
      set_status(op, "SUCCEEDED", e, 1);
      aev__dexec_event_locked(e, "WaitSucceeded", op->o, json_object());
    } else if (!strcmp(type, "STEP")) {
      set_status(op, "READY", e, 0);
    } else {
      json_t *err = json_pack("{ssss}", "ErrorType", "Callback.Timeout", "ErrorMessage",
                              timed_out ? "The callback's heartbeat timed out."
                                        : "The callback timed out.");
      json_object_set(details_of(op, T_CALLBACK), "Error", err);
      set_status(op, "TIMED_OUT", e, 1);
      aev__dexec_event_locked(e, "CallbackTimedOut", op->o, event_payload("Error", err));
      json_decref(err);
    }
    json_array_append_new(e->news, json_incref(json_object_get(op->o, "Id")));
    changed = 1;
  }
  return changed;
}
