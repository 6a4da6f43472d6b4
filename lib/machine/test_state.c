/* TestState: one state run on its own, as AWS's TestState API runs it.
 * The state (a single state's definition, or stateName's in a whole
 * machine) becomes the only real state of a hidden EXPRESS machine whose
 * other states are stand-ins for the names it may go to; the engine runs
 * it under a probe (probe.h) that stops at its first transition and
 * reports what AWS answers: the output, where it would go, what Retry or
 * Catch would do with an error, and the data at each step of its data
 * flow. Sources: AWS's API reference for TestState and the answers
 * LocalStack recorded against AWS (tests/aws/services/stepfunctions/v2/
 * test_state/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/mock_schema.h"
#include "machine/probe.h"

/* The name of the state under test: AWS's $$.State.Name in TestState
 * (recorded), whatever stateName says. */
#define TESTED "StateName"
/* AWS's TestState runs for at most five minutes, then fails States.Timeout. */
#define TEST_TIMEOUT_S 300

static const aev__api_service *const svc = &aev__api_states;

static int invalid(const char *code, const char *msg) {
  return aev__fail(AEV_ERR_INVALID, code, "%s", msg);
}

static const char *const levels[] = {"INFO", "DEBUG", "TRACE", NULL};
static const char *const field_modes[] = {"STRICT", "PRESENT", "NONE", NULL};

/* A member holding JSON text, parsed (NULL when absent). */
static int json_member(json_t *req, const char *name, const char *what_bad, json_t **out) {
  const char *t = NULL;
  size_t len = 0;
  *out = NULL;
  int rc = aev__api_opt_text(svc, req, name, &t, &len);
  if (rc || !t) return rc;
  if (len > 262144)
    return aev__fail_length(t, name, aev__utf8_chars(t, len), 0, 262144);
  json_error_t err;
  rc = aev__json_parse(t, len, JSON_DECODE_ANY, out, &err);
  if (rc == AEV_ERR_INVALID) return invalid("ValidationException", what_bad);
  return rc;
}

/* The context object a mock may come with, checked as AWS checks it. */
static const char *const context_fields[][8] = {
    {"Execution", "Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"},
    {"State", "Name", "EnteredTime", "RetryCount"},
    {"StateMachine", "Id", "Name"},
    {"Task", "Token"},
};

static int context_bad(const char *fmt, const char *a) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, a);
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "Invalid Context object provided: %s", msg);
}

static int context_check(json_t *c, int callback_task) {
  if (!json_is_object(c)) return context_bad("%s", "it must be a JSON object");
  const char *k;
  json_t *v;
  json_object_foreach(c, k, v) {
    if (!strcmp(k, "Map")) return context_bad("'%s' field is not supported when mocking a Context object", k);
    size_t g = 0, n = sizeof context_fields / sizeof *context_fields;
    while (g < n && strcmp(context_fields[g][0], k)) g++;
    if (g == n) return context_bad("Field '%s' is not allowed", k);
    if (!strcmp(k, "Task") && !callback_task)
      return context_bad("%s", "Context object contains 'Task' when state is not a Task state with a "
                               "'.sync' or '.waitForTaskToken' service integration pattern");
    if (!json_is_object(v)) return context_bad("%s must be an object", k);
    const char *f;
    json_t *x;
    json_object_foreach(v, f, x) {
      size_t i = 1;
      while (i < 8 && context_fields[g][i] && strcmp(context_fields[g][i], f)) i++;
      if (i == 8 || !context_fields[g][i]) return context_bad("Field '%s' is not allowed", f);
      char path[64];
      snprintf(path, sizeof path, "%s.%s", k, f);
      int counts = !strcmp(f, "RetryCount") || !strcmp(f, "RedriveCount");
      if (counts && !json_is_integer(x)) return context_bad("%s must be an integer", path);
      if (!counts && strcmp(f, "Input") && !json_is_string(x)) return context_bad("%s must be a string", path);
    }
  }
  return AEV_OK;
}

/* The state named name among states (an object of states) or the states
 * of their Parallel branches and Map processors, or NULL. */
static json_t *find_state(json_t *states, const char *name) {
  json_t *s = json_object_get(states, name);
  if (s) return s;
  const char *k;
  json_t *v;
  json_object_foreach(states, k, v) {
    json_t *b = json_object_get(v, "Branches");
    for (size_t i = 0; i < json_array_size(b) && !s; i++)
      s = find_state(json_object_get(json_array_get(b, i), "States"), name);
    const char *inner[] = {"ItemProcessor", "Iterator"};
    for (size_t i = 0; i < 2 && !s; i++) s = find_state(json_object_get(json_object_get(v, inner[i]), "States"), name);
    if (s) return s;
  }
  return NULL;
}

/* Adds a stand-in for each state that state may go to (a single state's
 * Next may name states that are not there, as AWS allows). */
static int stand_in(json_t *states, json_t *name) {
  const char *n = json_string_value(name);
  if (!n || json_object_get(states, n)) return 0;
  return json_object_set_new(states, n, json_pack("{s:s}", "Type", "Succeed"));
}

static int add_stand_ins(json_t *states, json_t *state) {
  int lost = stand_in(states, json_object_get(state, "Next")) ||
             stand_in(states, json_object_get(state, "Default"));
  const char *lists[] = {"Choices", "Catch"};
  for (size_t l = 0; l < 2 && !lost; l++) {
    json_t *a = json_object_get(state, lists[l]);
    for (size_t i = 0; i < json_array_size(a) && !lost; i++)
      lost = stand_in(states, json_object_get(json_array_get(a, i), "Next"));
  }
  return lost ? aev__nomem() : AEV_OK;
}

/* The hidden machine's definition: state as TESTED, and stand-ins. */
static int wrapper(json_t *state, const char *query_language, char **out) {
  json_t *states = json_object(), *w = json_object();
  int lost = !states || !w || json_object_set(states, TESTED, state) ||
             json_object_set_new(w, "StartAt", json_string(TESTED)) ||
             json_object_set_new(w, "TimeoutSeconds", json_integer(TEST_TIMEOUT_S));
  if (!lost && query_language) lost = json_object_set_new(w, "QueryLanguage", json_string(query_language));
  int rc = lost ? aev__nomem() : add_stand_ins(states, state);
  if (!rc && json_object_set(w, "States", states)) rc = aev__nomem();
  *out = rc ? NULL : aev__json_dumps(w, JSON_COMPACT);
  if (!rc && !*out) rc = aev__nomem();
  json_decref(states);
  json_decref(w);
  return rc;
}

/* What AWS refuses before running the state. */
static int state_check(json_t *state, const m_probe *p, int mocked, const char *mode, const char *role_arn) {
  const char *type = json_string_value(json_object_get(state, "Type"));
  if (!type) return AEV_OK; /* the definition's own check words it */
  int flow = !strcmp(type, "Map") || !strcmp(type, "Parallel");
  if (mocked && !flow && strcmp(type, "Task"))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "State type '%s' is not supported when a mock is specified", type);
  if (flow && !mocked)
    return invalid("InvalidDefinition", "TestState API does not support Map or Parallel states. "
                                        "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]");
  const char *res = json_string_value(json_object_get(state, "Resource"));
  const int waits = !strcmp(type, "Task") && res && aev__task_waits(res);
  if (!strcmp(type, "Task") && !mocked) {
    if (!role_arn) return invalid("ValidationException", "RoleArn must be specified when testing a Task state");
    if (waits)
      return invalid("InvalidDefinition", "TestState API does not support Activity tasks, .sync or "
                                          ".waitForTaskToken service integration patterns unless a mock is "
                                          "specified.");
  }
  if (!strcmp(type, "Map") && p->mock_result) {
    int writer = json_object_get(state, "ResultWriter") != NULL;
    if (writer && !json_is_object(p->mock_result)) return invalid("ValidationException", "Mocked result must be a JSON object.");
    if (!writer && !json_is_array(p->mock_result)) return invalid("ValidationException", "Mocked result must be an array.");
  }
  if (!strcmp(type, "Parallel") && p->mock_result && !json_is_array(p->mock_result))
    return invalid("ValidationException", "Mocked result must be an array.");
  if (!strcmp(type, "Task") && p->mock_result) {
    int rc = aev__mock_check(res, p->mock_result, mode);
    if (rc) return rc;
  }
  return p->context ? context_check(p->context, waits) : AEV_OK;
}

/* mock and stateConfiguration into p; *mocked when a mock was given, and
 * its fieldValidationMode in *mode. */
static int mock_read(json_t *req, m_probe *p, int reveal, int *mocked, const char **mode) {
  json_t *mock = NULL, *conf = NULL, *eo = NULL;
  int rc = aev__api_opt_object(svc, req, "mock", &mock);
  if (!rc) rc = aev__api_opt_object(svc, req, "stateConfiguration", &conf);
  if (rc) return rc;
  *mocked = mock != NULL;
  if (conf) {
    rc = aev__api_opt_int(svc, conf, "retrierRetryCount", 0, INT32_MAX, &p->retrier_retry_count);
    if (!rc) rc = aev__api_opt_int(svc, conf, "mapIterationFailureCount", 0, INT32_MAX, &p->map_failures);
    const char *by = NULL, *data = NULL;
    if (!rc) rc = aev__api_opt_string(svc, conf, "errorCausedByState", &by);
    if (!rc && by) rc = aev__check_length(by, "errorCausedByState", 1, 80);
    if (!rc) rc = aev__api_opt_string(svc, conf, "mapItemReaderData", &data);
    if (!rc && data) rc = aev__check_length(data, "mapItemReaderData", 0, 262144);
    if (!rc && data && !(p->reader_data = strdup(data))) rc = aev__nomem();
    if (rc) return rc;
  }
  if (!mock) return AEV_OK;
  const char *error = NULL, *cause = NULL;
  rc = aev__api_opt_enum(svc, mock, "fieldValidationMode", "mock.fieldValidationMode", field_modes, mode);
  if (!rc) rc = aev__api_opt_object(svc, mock, "errorOutput", &eo);
  if (rc) return rc;
  int has_result = aev__api_has(mock, "result");
  if (has_result == !!eo)
    return invalid("ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].");
  if (reveal) return invalid("ValidationException", "TestState does not support RevealSecrets when a mock is specified.");
  if (eo) {
    rc = aev__api_opt_string(svc, eo, "error", &error);
    if (!rc) rc = aev__api_opt_string(svc, eo, "cause", &cause);
    if (!rc && error) rc = aev__check_length(error, "mock.errorOutput.error", 0, 256);
    if (!rc && cause) rc = aev__check_length(cause, "mock.errorOutput.cause", 0, 32768);
    if (rc) return rc;
    p->mock_error = strdup(error ? error : "");
    p->mock_cause = cause ? strdup(cause) : NULL;
    return p->mock_error && (!cause || p->mock_cause) ? AEV_OK : aev__nomem();
  }
  return json_member(mock, "result", "Mocked result must be valid JSON", &p->mock_result);
}

static void probe_free(m_probe *p) {
  json_decref(p->mock_result);
  free(p->mock_error);
  free(p->mock_cause);
  free(p->reader_data);
  json_decref(p->context);
  json_decref(p->vars);
  for (size_t i = 0; i < P_N; i++) free(p->seen[i]);
  free(p->caught_error);
  free(p->caught_cause);
  free(p->http_request);
  free(p->http_response);
}

static const char *const seen_names[P_N] = {
    "input",  "afterArguments", "afterInputPath", "afterParameters", "result", "afterResultSelector",
    "afterResultPath", "variables", "afterItemsPath"};

/* An HTTP Task's request or response as noted (a JSON object's text). */
static int set_http(json_t *d, const char *key, const char *text) {
  json_t *v = NULL;
  if (!text) return 0;
  return aev__json_parse_str(text, 0, &v) || json_object_set_new(d, key, v);
}

/* inspectionData (DEBUG and TRACE: AWS's TRACE adds only an HTTP Task's
 * request and response). */
static json_t *inspection(const m_probe *p, int trace) {
  json_t *d = json_object();
  int lost = !d;
  for (size_t i = 0; i < P_N && !lost; i++) {
    /* Variables only when there are some, as AWS answers. */
    if (!p->seen[i] || (i == P_VARIABLES && !strcmp(p->seen[i], "{}"))) continue;
    lost = json_object_set_new(d, seen_names[i], json_string(p->seen[i]));
  }
  if (!lost && (p->retry_index >= 0 || p->catch_index >= 0)) {
    json_t *ed = json_object();
    lost = json_object_set_new(d, "errorDetails", ed);
    if (!lost && p->catch_index >= 0) lost = json_object_set_new(ed, "catchIndex", json_integer(p->catch_index));
    if (!lost && p->retry_index >= 0) lost = json_object_set_new(ed, "retryIndex", json_integer(p->retry_index));
    if (!lost && p->retriable)
      lost = json_object_set_new(ed, "retryBackoffIntervalSeconds", json_integer(p->backoff_s));
  }
  if (!lost && p->map_seen) {
    lost = json_object_set_new(d, "maxConcurrency", json_integer(p->max_concurrency));
    if (!lost && p->has_tolerated_count)
      lost = json_object_set_new(d, "toleratedFailureCount", json_integer(p->tolerated_count));
    if (!lost && p->has_tolerated_pct)
      lost = json_object_set_new(d, "toleratedFailurePercentage", json_real(p->tolerated_pct));
  }
  if (!lost && trace) lost = set_http(d, "request", p->http_request) || set_http(d, "response", p->http_response);
  if (lost) {
    json_decref(d);
    return NULL;
  }
  return d;
}

static int set_text(json_t *o, const char *k, const char *v) {
  return v ? json_object_set_new(o, k, json_string(v)) : 0;
}

/* TestState's response from the ended execution and its probe. */
static json_t *response(aev_execution *e, const m_probe *p, int inspect, int trace) {
  json_t *o = json_object();
  if (!o) return NULL;
  pthread_mutex_lock(&e->mu);
  const int ok = e->status == AEV_EXECUTION_SUCCEEDED;
  const char *status = p->retriable ? "RETRIABLE" : ok && p->caught ? "CAUGHT_ERROR" : ok ? "SUCCEEDED" : "FAILED";
  int lost = json_object_set_new(o, "status", json_string(status));
  if (ok) {
    json_t *out = json_string(e->output);
    lost |= json_object_set_new(o, "output", out);
    lost |= set_text(o, "nextState", p->next);
    lost |= set_text(o, "error", p->caught ? p->caught_error : NULL);
    lost |= set_text(o, "cause", p->caught ? p->caught_cause : NULL);
  } else {
    lost |= set_text(o, "error", e->error);
    lost |= set_text(o, "cause", e->cause);
  }
  pthread_mutex_unlock(&e->mu);
  if (!lost && inspect) lost = json_object_set_new(o, "inspectionData", inspection(p, trace));
  if (lost) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* The state to test, as an object of its own (a reference), and the query
 * language its machine gives it. */
static int state_of(const char *def, size_t len, const char *state_name, const char *role_arn,
                    aev_broker *b, json_t **state, const char **ql, json_t **doc) {
  json_error_t err;
  *state = NULL;
  int rc = aev__json_parse(def, len, 0, doc, &err);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (!rc && !state_name) {
    *state = json_incref(*doc);
    return AEV_OK;
  }
  /* A whole machine, or text that is no JSON: checked as a machine, which
   * words what is wrong as CreateStateMachine does. */
  aev_machine *m = NULL;
  rc = aev__machine_hidden(b, "TestState", def, len, role_arn, &m);
  aev_machine_release(m);
  if (rc) return rc;
  *state = json_incref(find_state(json_object_get(*doc, "States"), state_name));
  if (!*state) return invalid("ValidationException", "State not found in definition");
  *ql = json_string_value(json_object_get(*doc, "QueryLanguage"));
  return AEV_OK;
}

static int run(aev_broker *b, json_t *req, json_t **resp) {
  const char *def = NULL, *role_arn = NULL, *input = NULL, *level = "INFO", *state_name = NULL;
  size_t len = 0, input_len = 0;
  int reveal = 0, mocked = 0;
  const char *mode = "STRICT";
  m_probe p = {.map_failures = -1, .retry_index = -1, .catch_index = -1};
  json_t *vars = NULL, *state = NULL, *doc = NULL;
  aev_machine *m = NULL;
  aev_execution *e = NULL;
  char *wrapped = NULL;
  int rc = aev__api_req_text(svc, req, "definition", &def, &len);
  if (!rc && aev__utf8_chars(def, len) > 1048576)
    rc = invalid("InvalidDefinition", "Definition size exceeds 1048576 bytes.");
  if (!rc) rc = aev__api_opt_string(svc, req, "roleArn", &role_arn);
  if (!rc && role_arn) rc = aev__setup_check(&(m_setup){.role_arn = role_arn});
  if (!rc) rc = aev__api_opt_text(svc, req, "input", &input, &input_len);
  if (!rc) rc = aev__api_opt_enum(svc, req, "inspectionLevel", NULL, levels, &level);
  if (!rc) rc = aev__api_opt_bool(svc, req, "revealSecrets", &reveal);
  if (!rc) rc = aev__api_opt_string(svc, req, "stateName", &state_name);
  if (!rc && state_name) rc = aev__check_length(state_name, "stateName", 1, 80);
  if (!rc) rc = json_member(req, "variables", "The variables must be a JSON object.", &vars);
  if (!rc && vars && !json_is_object(vars)) rc = invalid("ValidationException", "The variables must be a JSON object.");
  if (!rc) rc = mock_read(req, &p, reveal, &mocked, &mode);
  if (!rc) rc = json_member(req, "context", "Invalid Context object provided: it must be valid JSON", &p.context);
  if (!rc && p.context && !mocked)
    rc = invalid("ValidationException", "A context object may only be specified together with a mock.");
  const char *ql = NULL;
  if (!rc) rc = state_of(def, len, state_name, role_arn, b, &state, &ql, &doc);
  if (!rc) rc = state_check(state, &p, mocked, mode, role_arn);
  if (!rc) rc = wrapper(state, ql, &wrapped);
  if (!rc) rc = aev__machine_hidden(b, "TestState", wrapped, strlen(wrapped), role_arn, &m);
  p.role_arn = role_arn;
  p.reveal_secrets = reveal;
  p.fixed_context = p.context != NULL;
  if (!rc && vars && !(p.seen[P_VARIABLES] = aev__json_dumps(vars, JSON_COMPACT))) rc = aev__nomem();
  p.vars = vars;
  vars = NULL;
  if (!rc) rc = aev__machine_start_probe(m, input, input_len, &p, &e);
  if (!rc) rc = aev_execution_wait(e);
  if (!rc && (p.lost || !(*resp = response(e, &p, strcmp(level, "INFO") != 0, !strcmp(level, "TRACE"))))) rc = aev__nomem();
  aev_execution_release(e);
  aev_machine_release(m);
  free(wrapped);
  json_decref(state);
  json_decref(doc);
  probe_free(&p);
  return rc;
}

int aev_machine_test_state(aev_broker *b, const char *request_json, char **result_json) {
  if (!b || !request_json || !result_json)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker, a request and an out pointer are required.");
  *result_json = NULL;
  json_t *req, *resp = NULL;
  int rc = aev__json_parse_str(request_json, 0, &req);
  if (rc == AEV_ERR_INVALID)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "The request must be a JSON object.");
  if (rc) return rc;
  rc = json_is_object(req) ? run(b, req, &resp)
                           : aev__fail(AEV_ERR_INVALID, "ValidationException", "The request must be a JSON object.");
  json_decref(req);
  if (rc) return rc;
  *result_json = aev__json_dumps(resp, JSON_COMPACT);
  json_decref(resp);
  return *result_json ? AEV_OK : aev__nomem();
}
