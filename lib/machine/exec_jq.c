/* States under the JSONata query language: Arguments, Output and Assign
 * evaluated with $states {input, result, errorOutput, context} and the
 * variables; Choice Conditions; Wait Seconds / Timestamp; Fail Error /
 * Cause; Map Items and ItemSelector; numeric fields; Catch Output /
 * Assign. Failures are States.QueryEvaluationError with AWS's causes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/exec_int.h"
#include "machine/probe.h"

/* Evaluates t (NULL: dflt, a new reference) for the current state. */
static json_t *eval(m_run *r, const m_jt *t, json_t *result, json_t *error_output, json_t *dflt) {
  if (!t) return json_incref(dflt);
  json_t *b = aev__jq_bindings(r->vars, r->input, result, error_output, r->e->context);
  aev__jenv env;
  aev__run_env(r, &env, r->input);
  json_t *v = b ? aev__jt_eval(t, r->input, b, &env) : NULL; /* no b: out of memory */
  json_decref(b);
  if (!v) aev__run_fail_env(r, &env);
  return v;
}

json_t *aev__jq_value(m_run *r, const m_jt *t) { return eval(r, t, NULL, NULL, NULL); }

int aev__jq_number(m_run *r, const m_jt *t, int integral, double min, double max, double *out) {
  json_t *v = eval(r, t, NULL, NULL, NULL);
  if (!v) return -1;
  aev__jenv env;
  aev__run_env(r, &env, r->input);
  int rc = aev__jt_number(t, v, integral, min, max, &env, out);
  json_decref(v);
  if (rc) aev__run_fail_env(r, &env);
  return rc;
}

/* Assign: every value is evaluated before any variable changes. */
static int assign(m_run *r, const m_jt *t, json_t *result, json_t *error_output) {
  if (!t) return 0;
  json_t *a = eval(r, t, result, error_output, NULL);
  if (!a) return -1;
  int lost = aev__run_vars_update(r, a);
  json_decref(a);
  if (lost) aev__run_oom(r);
  return lost;
}

/* $$.State; -1 when out of memory. */
static int set_state_context(m_run *r) {
  if (aev__probe_fixed_context(r->e)) return 0;
  const m_state *s = aev__run_state(r);
  char ts[32];
  aev__iso8601_format(r->entered_ms, ts);
  return aev__ctx_set(r->e, "State", json_pack("{s:s,s:s,s:i}", "Name", s->name, "EnteredTime",
                                               ts, "RetryCount", r->retry_count));
}

void aev__jq_result(m_run *r, json_t *result) {
  const m_state *s = aev__run_state(r);
  if (s->type == ST_TASK) aev__probe_note(r, P_RESULT, result);
  json_t *out = eval(r, s->j_output, result, NULL, result ? result : r->input);
  if (out && assign(r, s->j_assign, result, NULL)) {
    json_decref(out);
    out = NULL;
  }
  json_decref(result);
  if (out) aev__run_transition(r, out);
}

void aev__jq_catch(m_run *r, const m_catcher *c, json_t *error_output) {
  json_t *out = eval(r, c->j_output, NULL, error_output, error_output);
  if (out && assign(r, c->j_assign, NULL, error_output)) {
    json_decref(out);
    out = NULL;
  }
  json_decref(error_output);
  if (!out) return;
  aev__run_exit_to(r, out, c->next);
}

static void choice(m_run *r) {
  const m_state *s = aev__run_state(r);
  for (size_t i = 0; i < s->nchoices; i++) {
    const m_rule *rule = s->choices[i];
    json_t *v = eval(r, rule->j_condition, NULL, NULL, NULL);
    if (!v) return;
    int yes = json_is_true(v);
    if (!json_is_boolean(v)) {
      json_decref(v);
      aev__run_fail(r, "States.QueryEvaluationError",
                    "The Condition of a Choice Rule must evaluate to a boolean.", 1);
      return;
    }
    json_decref(v);
    if (!yes) continue;
    json_t *out = eval(r, rule->j_output ? rule->j_output : s->j_output, NULL, NULL, r->input);
    if (!out) return;
    /* the state's Assign, then the rule's, which wins (as exec.c's) */
    if (assign(r, s->j_assign, NULL, NULL) || assign(r, rule->j_assign, NULL, NULL)) {
      json_decref(out);
      return;
    }
    aev__run_exit_to(r, out, rule->next);
    return;
  }
  if (s->deflt < 0) {
    aev__run_fail(r, "States.NoChoiceMatched", "No Matches!", 0);
    return;
  }
  json_t *out = eval(r, s->j_output, NULL, NULL, r->input);
  if (!out) return;
  if (assign(r, s->j_assign, NULL, NULL)) {
    json_decref(out);
    return;
  }
  aev__run_exit_to(r, out, s->deflt);
}

static void wait(m_run *r) {
  const m_state *s = aev__run_state(r);
  int64_t now = aev__clock_now_ms(aev__broker_clock(r->e->b)), until = now;
  if (s->has_seconds) until = now + s->seconds * 1000;
  else if (s->has_timestamp) until = s->timestamp_ms;
  else {
    json_t *v = eval(r, s->j_seconds ? s->j_seconds : s->j_timestamp, NULL, NULL, NULL);
    if (!v) return;
    int ok = s->j_seconds ? json_is_integer(v) && json_integer_value(v) >= 0
                          : json_is_string(v) && !aev__iso8601_parse(json_string_value(v), &until);
    if (ok && s->j_seconds) until = now + json_integer_value(v) * 1000;
    if (!ok) {
      char *t = aev__json_text(v);
      char msg[512];
      if (s->j_seconds)
        snprintf(msg, sizeof msg, "The Seconds field must evaluate to a non-negative integer: %s", t ? t : "");
      else
        snprintf(msg, sizeof msg,
                 "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                 "format string: %s",
                 t ? t : "");
      free(t);
      json_decref(v);
      aev__jenv env;
      aev__run_env(r, &env, r->input);
      aev__jenv_fail(&env, "States.QueryEvaluationError", "%s", msg);
      env.location = s->j_seconds ? "Seconds" : "Timestamp";
      aev__run_fail_env(r, &env);
      return;
    }
    json_decref(v);
  }
  aev__run_wait_until(r, r->input, until);
}

static void fail(m_run *r) {
  const m_state *s = aev__run_state(r);
  json_t *e = s->j_error ? eval(r, s->j_error, NULL, NULL, NULL) : NULL;
  if (s->j_error && !e) return;
  json_t *c = s->j_cause ? eval(r, s->j_cause, NULL, NULL, NULL) : NULL;
  if (s->j_cause && !c) {
    json_decref(e);
    return;
  }
  char *et = e ? aev__json_text(e) : NULL, *ct = c ? aev__json_text(c) : NULL;
  aev__run_fail(r, et, ct, 0);
  free(et);
  free(ct);
  json_decref(e);
  json_decref(c);
}

json_t *aev__jq_item(m_run *r, json_t *item, size_t index, aev__jenv *env) {
  const m_state *s = aev__run_state(r);
  if (!s->j_selector) return json_incref(item);
  if (aev__ctx_set(r->e, "Map", json_pack("{s:{s:I,s:O}}", "Item", "Index", (json_int_t)index, "Value", item)))
    return NULL; /* out of memory: env holds no error */
  json_t *b = aev__jq_bindings(r->vars, r->input, NULL, NULL, r->e->context);
  env->context = r->e->context;
  json_t *v = b ? aev__jt_eval(s->j_selector, r->input, b, env) : NULL; /* no b: out of memory */
  json_decref(b);
  if (aev__ctx_del(r->e, "Map")) { /* never a stale $$.Map */
    json_decref(v);
    env->error = NULL; /* out of memory, whatever the evaluation said */
    return NULL;
  }
  return v;
}

void aev__jq_body(m_run *r) {
  const m_state *s = aev__run_state(r);
  if (set_state_context(r)) {
    aev__run_oom(r);
    return;
  }
  switch (s->type) {
  case ST_PASS:
  case ST_SUCCEED: aev__jq_result(r, NULL); break;
  case ST_CHOICE: choice(r); break;
  case ST_WAIT: wait(r); break;
  case ST_FAIL: fail(r); break;
  case ST_TASK:
  case ST_PARALLEL: {
    json_t *args = eval(r, s->j_args, NULL, NULL, r->input);
    if (!args) return;
    aev__probe_note(r, P_AFTER_ARGUMENTS, args);
    if (s->type == ST_TASK) aev__task_start(r, args);
    else aev__flow_parallel(r, args);
    break;
  }
  case ST_MAP: {
    json_t *items = eval(r, s->j_items, NULL, NULL, r->input);
    if (!items) return;
    if (s->j_items) {
      aev__jenv env;
      aev__run_env(r, &env, r->input);
      if (aev__jt_array(s->j_items, items, &env)) {
        json_decref(items);
        aev__run_fail_env(r, &env);
        return;
      }
    }
    aev__flow_map(r, items);
    json_decref(items);
    break;
  }
  }
}
