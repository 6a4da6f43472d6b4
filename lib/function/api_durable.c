/* The durable execution actions of the "lambda" service (Lambda API
 * reference, 2025-12-01 paths): CheckpointDurableExecution,
 * GetDurableExecution, GetDurableExecutionState, GetDurableExecutionHistory,
 * ListDurableExecutionsByFunction, StopDurableExecution and
 * SendDurableExecutionCallbackSuccess / Failure / Heartbeat. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "function/api_fnconf.h"
#include "function/durable.h"

#define ARN_PATTERN                                                                     \
  "arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):"      \
  "(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"
#define ARN_POSIX                                                                          \
  "^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:[0-9]{12}:function:[a-zA-Z0-9_-]+:"             \
  "(\\$LATEST(\\.PUBLISHED)?|[0-9]+)/durable-execution/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+$"
#define DEFAULT_PAGE 100 /* "The default is 100 and the maximum allowed is 1000." */

static int pattern_ok(const char *posix, const char *s) {
  regex_t re;
  if (regcomp(&re, posix, REG_EXTENDED | REG_NOSUB)) return 0;
  int ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

static int invalid_member(const char *value, const char *member, const char *why) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                   "constraint: %s",
                   value, member, why);
}

/* The execution DurableExecutionArn names. */
static int execution(aev_broker *b, const aev__api_service *svc, json_t *req, aev__dexec **out) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "DurableExecutionArn", &arn);
  if (rc != AEV_OK) return rc;
  if (strlen(arn) > 1024 || !pattern_ok(ARN_POSIX, arn))
    return invalid_member(arn, "durableExecutionArn",
                          "Member must satisfy regular expression pattern: " ARN_PATTERN);
  return aev__durable_find(b, arn, out);
}

/* A CheckpointToken or CallbackId: 1..max characters of base64. */
static int token_member(const aev__api_service *svc, json_t *req, const char *name,
                        const char *member, size_t max, const char **out) {
  int rc = aev__api_req_string(svc, req, name, out);
  if (rc != AEV_OK) return rc;
  size_t n = strlen(*out);
  if (!n || n > max || !pattern_ok("^[A-Za-z0-9+/]+={0,2}$", *out))
    return invalid_member(*out, member,
                          max == 2048 ? "Member must satisfy regular expression pattern: "
                                        "[A-Za-z0-9+/]+={0,2} with length from 1 to 2048"
                                      : "Member must satisfy regular expression pattern: "
                                        "[A-Za-z0-9+/]+={0,2} with length from 1 to 1024");
  return AEV_OK;
}

/* Marker (a position) and MaxItems (0..1000, 0 the default of 100). */
static int paging(const aev__api_service *svc, json_t *req, size_t *from, size_t *max) {
  json_t *m = json_object_get(req, "MaxItems");
  if (json_is_integer(m) && json_integer_value(m) == 0) json_object_del(req, "MaxItems");
  int64_t n;
  int rc = aev__fn_paging(svc, req, 1000, from, &n);
  *max = json_object_get(req, "MaxItems") ? (size_t)n : DEFAULT_PAGE;
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_checkpoint_durable) {
  aev__dexec *e;
  const char *token, *client = NULL;
  json_t *updates = NULL;
  int rc = token_member(svc, req, "CheckpointToken", "checkpointToken", 2048, &token);
  if (rc == AEV_OK) rc = aev__api_opt_array(svc, req, "Updates", &updates);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "ClientToken", &client);
  size_t n = client ? strlen(client) : 1;
  if (rc == AEV_OK && (!n || n > 64 || (client && !pattern_ok("^[!-~]+$", client))))
    rc = invalid_member(client, "clientToken",
                        "Member must satisfy regular expression pattern: [\\x21-\\x7E]+ with "
                        "length from 1 to 64");
  if (rc == AEV_OK) rc = execution(b, svc, req, &e);
  if (rc != AEV_OK) return rc;
  rc = aev__durable_checkpoint(e, token, client, updates, resp);
  aev__dexec_unref(e);
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_get_durable) {
  aev__dexec *e;
  int rc = execution(b, svc, req, &e);
  if (rc != AEV_OK) return rc;
  *resp = aev__durable_describe(e);
  aev__dexec_unref(e);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__FN_API_ACTION(aev__fn_api_get_durable_state) {
  aev__dexec *e;
  const char *token;
  size_t from, max;
  int rc = token_member(svc, req, "CheckpointToken", "checkpointToken", 2048, &token);
  if (rc == AEV_OK) rc = paging(svc, req, &from, &max);
  if (rc == AEV_OK) rc = execution(b, svc, req, &e);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&e->mu);
  /* The state is the running invocation's to read: its current token. */
  if (!e->token[0] || strcmp(token, e->token))
    rc = aev__fn_invalid("Invalid checkpoint token: it is not the execution's current token.");
  else if (!(*resp = aev__durable_ops_page_locked(e, from, max)))
    rc = aev__nomem();
  pthread_mutex_unlock(&e->mu);
  aev__dexec_unref(e);
  return rc;
}

static json_t *paged(json_t *items, const char *key, size_t next, size_t total) {
  json_t *o = json_pack("{so}", key, items);
  if (o && next < total) aev__fn_put(&o, "NextMarker", json_sprintf("%zu", next));
  return o;
}

AEV__FN_API_ACTION(aev__fn_api_get_durable_history) {
  aev__dexec *e;
  int data = 1, reverse = 0;
  size_t from, max, total;
  int rc = aev__api_opt_bool(svc, req, "IncludeExecutionData", &data);
  if (rc == AEV_OK) rc = aev__api_opt_bool(svc, req, "ReverseOrder", &reverse);
  if (rc == AEV_OK) rc = paging(svc, req, &from, &max);
  if (rc == AEV_OK) rc = execution(b, svc, req, &e);
  if (rc != AEV_OK) return rc;
  json_t *events = aev__durable_history(e, data, reverse, from, max, &total);
  aev__dexec_unref(e);
  *resp = events ? paged(events, "Events", from + json_array_size(events), total) : NULL;
  return *resp ? AEV_OK : aev__nomem();
}

AEV__FN_API_ACTION(aev__fn_api_stop_durable) {
  aev__dexec *e;
  json_t *error = NULL;
  int rc = aev__api_opt_object(svc, req, "Error", &error);
  if (rc == AEV_OK) rc = aev__durable_error_check(error, "Error");
  if (rc == AEV_OK) rc = execution(b, svc, req, &e);
  if (rc != AEV_OK) return rc;
  int64_t when;
  rc = aev__durable_stop(e, error, &when);
  aev__dexec_unref(e);
  if (rc == AEV_OK && !(*resp = json_pack("{so}", "StopTimestamp", aev__dx_time(when))))
    rc = aev__nomem();
  return rc;
}

/* Result is the request's whole body (a REST payload, as Invoke's Payload
 * is), so it is carried as its text, not as base64 (DESIGN §2). */
static int callback(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp,
                    int kind) {
  const char *id, *text = "";
  json_t *error = NULL;
  int rc = token_member(svc, req, "CallbackId", "callbackId", 1024, &id);
  if (rc == AEV_OK && kind == 0) rc = aev__api_opt_string(svc, req, "Result", &text);
  if (rc == AEV_OK && strlen(text) > AEV__DURABLE_ERROR_MAX)
    rc = aev__fail(AEV_ERR_LIMIT, "InvalidParameterValueException",
                   "1 validation error detected: Value at 'result' failed to satisfy "
                   "constraint: Member must have length less than or equal to %d",
                   AEV__DURABLE_ERROR_MAX);
  if (rc == AEV_OK && kind == 1) rc = aev__api_opt_object(svc, req, "Error", &error);
  if (rc == AEV_OK) rc = aev__durable_error_check(error, "Error");
  json_t *result = rc == AEV_OK && kind == 0 ? json_string(text) : NULL;
  json_t *err = rc == AEV_OK && kind == 1 ? (error ? json_incref(error) : json_object()) : NULL;
  if (rc == AEV_OK && ((kind == 0 && !result) || (kind == 1 && !err))) rc = aev__nomem();
  if (rc == AEV_OK) rc = aev__durable_callback(b, id, kind, result, err);
  json_decref(result);
  json_decref(err);
  if (rc == AEV_OK && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_durable_callback_success) { return callback(b, svc, req, resp, 0); }
AEV__FN_API_ACTION(aev__fn_api_durable_callback_failure) { return callback(b, svc, req, resp, 1); }
AEV__FN_API_ACTION(aev__fn_api_durable_callback_heartbeat) { return callback(b, svc, req, resp, 2); }

static const char *const statuses[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"};

/* 1 when e passes ListDurableExecutionsByFunction's filters. */
static int listed(aev__dexec *e, const char *name, json_t *wanted, double after, double before) {
  int ok = !name || !strcmp(e->name, name);
  pthread_mutex_lock(&e->mu);
  const char *status = aev__dx_status_name(e->status);
  pthread_mutex_unlock(&e->mu);
  if (wanted) {
    int in = 0;
    size_t i;
    json_t *s;
    json_array_foreach(wanted, i, s) in |= !strcmp(json_string_value(s), status);
    ok &= in;
  }
  double start = (double)e->start_ms / 1000.0;
  return ok && (after < 0 || start > after) && (before < 0 || start < before);
}

static int opt_time(json_t *req, const char *name, double *out) {
  json_t *v = json_object_get(req, name);
  *out = -1;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_number(v))
    return aev__fn_invalid("%s must be a timestamp (epoch seconds).", name);
  *out = json_number_value(v);
  return AEV_OK;
}

static int list_filters(const aev__api_service *svc, json_t *req, const char **name,
                        json_t **wanted, double *after, double *before) {
  int rc = aev__api_opt_string(svc, req, "DurableExecutionName", name);
  if (rc == AEV_OK) rc = aev__api_opt_array(svc, req, "Statuses", wanted);
  size_t n = *wanted ? json_array_size(*wanted) : 1, i;
  json_t *s;
  if (rc == AEV_OK && (n < 1 || n > 10))
    rc = invalid_member("", "statuses",
                        "Member must have length less than or equal to 10 and greater than "
                        "or equal to 1");
  json_array_foreach(rc == AEV_OK ? *wanted : NULL, i, s) {
    int known = 0;
    for (size_t k = 0; k < 5; k++) known |= json_is_string(s) && !strcmp(json_string_value(s), statuses[k]);
    if (!known)
      return invalid_member(json_is_string(s) ? json_string_value(s) : "", "statuses",
                            "Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, "
                            "TIMED_OUT, STOPPED]");
  }
  if (rc == AEV_OK) rc = opt_time(req, "StartedAfter", after);
  if (rc == AEV_OK) rc = opt_time(req, "StartedBefore", before);
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_list_durable) {
  aev_function *f;
  const char *q, *name = NULL;
  json_t *wanted = NULL;
  double after, before;
  int reverse = 0;
  size_t from, max;
  char buf[512], version[16] = "";
  int rc = list_filters(svc, req, &name, &wanted, &after, &before);
  if (rc == AEV_OK) rc = aev__api_opt_bool(svc, req, "ReverseOrder", &reverse);
  if (rc == AEV_OK) rc = paging(svc, req, &from, &max);
  if (rc == AEV_OK) rc = aev__fn_api_target(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  const char *explicit_latest = json_string_value(json_object_get(req, "Qualifier"));
  if (q) {
    aev__fconf *c;
    rc = aev__fn_resolve(f, q, &c, version);
    if (rc == AEV_OK) aev__fconf_unref(c);
  } else if (explicit_latest || strstr(json_string_value(json_object_get(req, "FunctionName")), ":$LATEST")) {
    strcpy(version, "$LATEST");
  }
  aev__dexec **list = NULL;
  size_t n = 0;
  if (rc == AEV_OK) rc = aev__durable_list(b, f->res.name, version[0] ? version : NULL, &list, &n);
  aev_function_release(f);
  if (rc != AEV_OK) return rc;
  json_t *items = json_array();
  size_t matched = 0;
  for (size_t i = 0; i < n; i++) {
    aev__dexec *e = list[reverse ? n - 1 - i : i];
    if (listed(e, name, wanted, after, before) && matched++ >= from && matched <= from + max)
      aev__fn_put(&items, NULL, aev__durable_summary(e));
  }
  for (size_t i = 0; i < n; i++) aev__dexec_unref(list[i]);
  free(list);
  *resp = items ? paged(items, "DurableExecutions", from + json_array_size(items), matched) : NULL;
  return *resp ? AEV_OK : aev__nomem();
}
