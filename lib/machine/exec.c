/* Running an execution's states on its strand: entering a state, the
 * JSONPath pipeline (InputPath, Parameters, ResultSelector, ResultPath,
 * OutputPath, Assign), Pass / Choice / Wait / Succeed / Fail, Retry with
 * backoff timers, Catch, and the end of the execution. A run loops over
 * synchronous states (no recursion per transition); Waits and retries are
 * timers, so a waiting execution holds no thread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "machine/exec_int.h"
#include "machine/probe.h"
#include "machine/jq.h"

static const char *const entered[] = {"TaskStateEntered", "PassStateEntered", "ChoiceStateEntered",
                                      "WaitStateEntered", "SucceedStateEntered", "FailStateEntered",
                                      "ParallelStateEntered", "MapStateEntered"};
static const char *const exited[] = {"TaskStateExited", "PassStateExited", "ChoiceStateExited",
                                     "WaitStateExited", "SucceedStateExited", "FailStateExited",
                                     "ParallelStateExited", "MapStateExited"};

const m_state *aev__run_state(const m_run *r) { return &r->g->states[r->cur]; }

int aev__run_dead(const m_run *r) {
  for (; r; r = r->parent) {
    if (r->finished_run || r->e->finished) return 1;
    if (r->parent && r->spawn_gen != r->parent->gen) return 1;
  }
  return 0;
}

m_run *aev__run_new(aev_execution *e, m_run *parent, const m_graph *g) {
  m_run *r = calloc(1, sizeof *r);
  if (r) r->vars = parent ? aev__json_copy(parent->vars) : json_object();
  if (!r || !r->vars) { /* never a scope that lost its outer variables */
    free(r);
    return NULL;
  }
  if (e->nruns == e->capruns) {
    size_t cap = e->capruns ? e->capruns * 2 : 4;
    m_run **runs = realloc(e->runs, cap * sizeof *runs);
    if (!runs) {
      json_decref(r->vars);
      free(r);
      return NULL;
    }
    e->runs = runs;
    e->capruns = cap;
  }
  e->runs[e->nruns++] = r;
  r->e = e;
  r->parent = parent;
  r->g = g;
  r->prev_event = parent ? parent->prev_event : 0;
  return r;
}

static void run_free(m_run *r) {
  json_decref(r->input);
  json_decref(r->vars);
  json_decref(r->assigned);
  json_decref(r->effective);
  json_decref(r->items);
  json_decref(r->results);
  free(r->retries);
  free(r->token);
  free(r->kid_error);
  free(r->kid_cause);
  free(r);
}

void aev__exec_free_runs(aev_execution *e) {
  for (size_t i = 0; i < e->nruns; i++) run_free(e->runs[i]);
  free(e->runs);
  e->runs = NULL;
  e->nruns = e->capruns = 0;
  pthread_mutex_lock(&e->mu);
  e->nopen = 0; /* the runs they named are gone */
  pthread_mutex_unlock(&e->mu);
}

/* ---- posting ---- */

typedef struct posted {
  m_run *r;
  void (*fn)(m_run *r);
} posted;

static void posted_run(void *arg, int cancelled) {
  posted *p = arg;
  aev_execution *e = p->r->e;
  if (!cancelled && !aev__run_dead(p->r)) p->fn(p->r);
  free(p);
  aev__execution_unref(e);
}

void aev__run_post(m_run *r, void (*fn)(m_run *r)) {
  posted *p = malloc(sizeof *p);
  if (!p) {
    aev__run_oom(r);
    return;
  }
  p->r = r;
  p->fn = fn;
  r->e->refs++;
  int rc = aev__sched_post(aev__broker_sched(r->e->b), r->e->strand, posted_run, p);
  if (rc) {
    r->e->refs--;
    free(p);
    /* Not run: fails, or the run would wait for it for ever (a closing
     * broker runs nothing more anyway). */
    if (rc == AEV_ERR_NOMEM) aev__run_oom(r);
  }
}

/* ---- events and context ---- */

int64_t aev__run_event(m_run *r, const char *type, const char *dkey, json_t *details) {
  r->prev_event = aev__hist_add(r->e, type, r->prev_event, dkey, details);
  return r->prev_event;
}

/* A state's Entered (its input) or Exited (its output, and the variables
 * its Assign set) event. */
static int64_t state_event(m_run *r, int entered_event, json_t *data) {
  const m_state *s = aev__run_state(r);
  json_t *assigned = r->assigned;
  r->assigned = NULL;
  if (entered_event) json_decref(assigned); /* a failed attempt's */
  r->prev_event = aev__hist_state(r->e, entered_event ? entered[s->type] : exited[s->type],
                                  r->prev_event, s->name, entered_event, data, entered_event ? NULL : assigned);
  return r->prev_event;
}

/* $$.State; -1 when out of memory. */
static int set_state_context(m_run *r) {
  aev_execution *e = r->e;
  if (!e->context || aev__probe_fixed_context(e)) return 0;
  const m_state *s = aev__run_state(r);
  char ts[32];
  aev__iso8601_format(r->entered_ms, ts);
  return aev__ctx_set(e, "State",
                      s->nretry ? json_pack("{s:s,s:s,s:i}", "Name", s->name, "EnteredTime", ts,
                                            "RetryCount", r->retry_count)
                                : json_pack("{s:s,s:s}", "Name", s->name, "EnteredTime", ts));
}

/* Values made from "$$" (Parameters {"c.$": "$$"}) share the context object
 * and must keep what they saw, in the data flow and in the history alike:
 * a change replaces the top-level object (a shallow copy) instead of
 * changing it in place. */
int aev__ctx_set(aev_execution *e, const char *key, json_t *v) {
  json_t *c = e->context && v ? aev__json_copy(e->context) : NULL;
  if (!c || json_object_set_new(c, key, v)) {
    if (!c) json_decref(v); /* set_new took v either way */
    json_decref(c);
    return -1;
  }
  json_decref(e->context);
  e->context = c;
  return 0;
}

int aev__ctx_del(aev_execution *e, const char *key) {
  json_t *c = e->context ? aev__json_copy(e->context) : NULL;
  if (!c) return -1;
  json_object_del(c, key);
  json_decref(e->context);
  e->context = c;
  return 0;
}

static uint64_t draw(void *arg) { return aev__broker_random(arg); }

void aev__run_env(m_run *r, aev__jenv *env, json_t *input) {
  env->input = input;
  env->context = r->e->context;
  env->vars = r->vars;
  env->random = draw;
  env->random_arg = r->e->b;
  env->error = NULL;
  env->cause[0] = 0;
  env->location = NULL;
}

int aev__run_vars_update(m_run *r, json_t *a) {
  /* "Assign": {} assigns nothing, and AWS records no assignedVariables. */
  if (!json_object_size(a)) return 0;
  json_t *vars = aev__json_copy(r->vars);
  /* A recorded state's Exited event names what it assigned (AWS's
   * assignedVariables; a Choice rule's and the state's own together). */
  json_t *assigned = !r->e->history ? NULL : r->assigned ? aev__json_copy(r->assigned) : json_object();
  if (!vars || json_object_update(vars, a) || (r->e->history && (!assigned || json_object_update(assigned, a)))) {
    json_decref(vars);
    json_decref(assigned);
    return -1;
  }
  json_decref(r->assigned);
  r->assigned = assigned;
  json_decref(r->vars);
  r->vars = vars;
  aev__probe_note(r, P_VARIABLES, vars);
  return 0;
}

/* ---- failing ---- */

/* heartbeat, over_limit: the failure is a missed heartbeat, a task's
 * result over the data limit (m_run's flags); task: a Task state's. */
static int error_matches(json_t *names, const char *error, int heartbeat, int over_limit, int task) {
  if (!error) error = "";
  /* AWS: States.ALL matches every error but States.DataLimitExceeded
   * (save a task's result over the limit) and States.Runtime. */
  int wildcard = (strcmp(error, "States.DataLimitExceeded") || over_limit) && strcmp(error, "States.Runtime");
  for (size_t i = 0; i < json_array_size(names); i++) {
    const char *n = json_string_value(json_array_get(names, i));
    if (!strcmp(n, error)) return 1;
    if (heartbeat && !strcmp(n, "States.HeartbeatTimeout")) return 1;
    if (!strcmp(n, "States.ALL") && wildcard) return 1;
    /* AWS's guide ("Error names"): in a Task state's Retry or Catch,
     * States.TaskFailed is a wildcard for any error but States.Timeout
     * (an integration's Sqs.QueueDoesNotExistException, a function's
     * own error). */
    if (task && !strcmp(n, "States.TaskFailed") && wildcard && strcmp(error, "States.Timeout")) return 1;
  }
  return 0;
}

static void retry_fire(m_run *r);

static void retry_timer(void *arg, int cancelled) {
  m_run *r = arg;
  aev_execution *e = r->e;
  r->timer_armed = 0;
  if (!cancelled && !aev__run_dead(r)) retry_fire(r);
  aev__execution_unref(e);
}

static void run_body(m_run *r);

static void retry_fire(m_run *r) { run_body(r); }

static void finish_run(m_run *r, json_t *output, int failed, const char *error, const char *cause);

void aev__run_oom(m_run *r) { aev__run_fail(r, "States.Runtime", "Out of memory", 1); }

static void fail_at(m_run *r, const char *error, const char *cause, int wrap, const char *location);

void aev__run_fail_env(m_run *r, const aev__jenv *env) {
  if (env->error) fail_at(r, env->error, env->cause, 1, env->location);
  else aev__run_oom(r);
}

void aev__run_fail(m_run *r, const char *error, const char *cause, int wrap) {
  fail_at(r, error, cause, wrap, NULL);
}

/* A JSONata expression of the state that failed (location: its field,
 * when known): AWS records EvaluationFailed before the state's failure
 * (LocalStack's snapshots, recorded against AWS: test_undefined_reference,
 * test_wait_timestamp_jsonata, test_map_state_items_*). It follows the
 * event that the state's Entered event follows, but a Wait's follows its
 * Entered event. */
static void evaluation_failed(m_run *r, const char *error, const char *cause, const char *location) {
  const m_state *s = aev__run_state(r);
  json_t *d = aev__json_present("error", error, "cause", cause),
         *more = aev__json_present("location", location, "state", s->name);
  d = aev__json_whole(d, d && more && !json_object_update(d, more));
  json_decref(more);
  r->prev_event = aev__hist_add(r->e, "EvaluationFailed", s->type == ST_WAIT ? r->entered_id : r->entered_prev,
                                "evaluationFailedEventDetails", d);
}

static void fail_at(m_run *r, const char *error, const char *cause, int wrap, const char *location) {
  const m_state *s = aev__run_state(r);
  const char *failed_event = r->failed_event;
  const int heartbeat = r->heartbeat_missed, over_limit = r->task_result_over_limit;
  r->failed_event = NULL;
  r->heartbeat_missed = r->task_result_over_limit = 0;
  char *full = NULL;
  if (wrap && cause) {
    size_t n = strlen(cause) + strlen(s->name) + 128;
    full = malloc(n);
    if (full)
      snprintf(full, n, "An error occurred while executing the state '%s' (entered at the event id #%lld). %s",
               s->name, (long long)r->entered_id, cause);
    cause = full ? full : cause;
  }
  /* No counters (they could not be allocated): no retry. */
  for (size_t i = 0; r->retries && i < s->nretry; i++) {
    const m_retrier *t = &s->retry[i];
    if (!error_matches(t->errors, error, heartbeat, over_limit, s->type == ST_TASK)) continue;
    if (r->retries[i] >= t->max_attempts) {
      aev__probe_retry(r, i, -1, error, cause);
      break;
    }
    double delay = t->interval * pow(t->backoff, r->retries[i]) * 1000.0;
    if (t->max_delay_ms && delay > (double)t->max_delay_ms) delay = (double)t->max_delay_ms;
    if (t->jitter_full) delay = (double)(aev__broker_random(r->e->b) % ((uint64_t)delay + 1));
    if (aev__probe_retry(r, i, delay, error, cause)) {
      free(full);
      return;
    }
    r->retries[i]++;
    r->retry_count++;
    aev__timer_init(&r->timer, retry_timer, r, r->e->strand);
    r->e->refs++;
    aev__sched *sc = aev__broker_sched(r->e->b);
    if (aev__timer_arm(sc, &r->timer, aev__clock_mono_ms(aev__broker_clock(r->e->b)) + (int64_t)delay)) {
      /* The retry cannot be timed: this attempt fails as States.Runtime
       * (counted, so that it ends), not with a retry skipped. */
      r->e->refs--;
      free(full);
      aev__run_oom(r);
      return;
    }
    r->timer_armed = 1;
    free(full);
    return;
  }
  /* wrap: the state's own failure, not one a child of a Map or Parallel
   * passed up (which recorded its own EvaluationFailed); a Map's is
   * followed by MapStateFailed (recorded: test_map_state_items_*) */
  if (wrap && error && !strcmp(error, "States.QueryEvaluationError")) {
    evaluation_failed(r, error, cause, location);
    if (s->type == ST_MAP) failed_event = "MapStateFailed";
  }
  if (failed_event) aev__run_event(r, failed_event, NULL, NULL);
  for (size_t i = 0; i < s->ncatch; i++) {
    const m_catcher *c = &s->catches[i];
    if (!error_matches(c->errors, error, heartbeat, over_limit, s->type == ST_TASK)) continue;
    aev__probe_caught(r, i, error, cause);
    json_t *eo = json_pack("{s:s,s:s}", "Error", error ? error : "", "Cause", cause ? cause : "");
    free(full);
    if (!eo) {
      aev__run_oom(r); /* never a Catch without its error output */
      return;
    }
    if (s->jsonata) {
      aev__jq_catch(r, c, eo);
      return;
    }
    aev__jenv env;
    aev__run_env(r, &env, eo);
    json_t *out;
    if (c->result_null) {
      out = json_incref(r->input);
      json_decref(eo);
    } else if (c->result_path) {
      json_incref(eo);
      out = aev__jpath_put(c->result_path, r->input, eo, &env);
      if (!out) {
        json_decref(eo);
        aev__run_fail_env(r, &env);
        return;
      }
      json_decref(eo);
    } else {
      out = eo;
    }
    if (c->assign) {
      aev__run_env(r, &env, out);
      json_t *a = aev__tmpl_eval(c->assign, &env);
      int lost = a && aev__run_vars_update(r, a);
      json_decref(a);
      if (!a || lost) {
        json_decref(out);
        if (lost) aev__run_oom(r);
        else aev__run_fail_env(r, &env);
        return;
      }
    }
    state_event(r, 0, out);
    aev__run_enter(r, c->next, out);
    return;
  }
  finish_run(r, NULL, 1, error, cause);
  free(full);
}

/* ---- finishing ---- */

/* What an execution ends with when a copy of its error or cause cannot be
 * made: static, so never freed (aev__exec_reason_free). */
static char oom_error[] = "States.Runtime", oom_cause[] = "Out of memory";

void aev__exec_reason_free(char *s) {
  if (s != oom_error && s != oom_cause) free(s);
}

/* Copies *error and *cause for the execution to keep. When either copy
 * cannot be made, both become the static out-of-memory pair, in the
 * execution and its history alike: it never ends without its error. */
static void reason_copy(const char **error, const char **cause, char **err_copy,
                        char **cause_copy) {
  *err_copy = *error ? strdup(*error) : NULL;
  *cause_copy = *cause ? strdup(*cause) : NULL;
  if ((*error && !*err_copy) || (*cause && !*cause_copy)) {
    free(*err_copy);
    free(*cause_copy);
    *error = *err_copy = oom_error;
    *cause = *cause_copy = oom_cause;
  }
}

/* The terminal event of each status but RUNNING. */
static const struct {
  const char *type, *dkey;
} terminal[] = {
    [AEV_EXECUTION_SUCCEEDED] = {"ExecutionSucceeded", "executionSucceededEventDetails"},
    [AEV_EXECUTION_FAILED] = {"ExecutionFailed", "executionFailedEventDetails"},
    [AEV_EXECUTION_TIMED_OUT] = {"ExecutionTimedOut", "executionTimedOutEventDetails"},
    [AEV_EXECUTION_ABORTED] = {"ExecutionAborted", "executionAbortedEventDetails"},
};

/* Why an execution that could not record one of its events failed. */
static const char lost_event_cause[] =
    "Out of memory: an event of the execution history could not be built.";

void aev__exec_end(aev_execution *e, int status, json_t *output, const char *error,
                   const char *cause, int64_t prev) {
  char *out = output ? aev__json_dumps(output, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  if (output && !out && status == AEV_EXECUTION_SUCCEEDED) {
    /* Never a success without its output. */
    status = AEV_EXECUTION_FAILED;
    error = "States.Runtime";
    cause = "Out of memory";
  } else if (aev__hist_lost(e) && status != AEV_EXECUTION_ABORTED) {
    /* An event it could not record: it fails, never ends as if whole. */
    free(out);
    out = NULL;
    status = AEV_EXECUTION_FAILED;
    error = "States.Runtime";
    cause = lost_event_cause;
  } else if (out && strlen(out) > M_MAX_PAYLOAD) {
    free(out);
    out = NULL;
    status = AEV_EXECUTION_FAILED;
    error = "States.DataLimitExceeded";
    cause = "The state/task returned a result with a size exceeding the maximum number of bytes "
            "service limit.";
  }
  char *err_copy, *cause_copy;
  reason_copy(&error, &cause, &err_copy, &cause_copy);
  aev__hist_end(e, terminal[status].type, prev, terminal[status].dkey,
                status == AEV_EXECUTION_SUCCEEDED ? out : NULL, err_copy, cause_copy);
  aev__map_runs_close(e);
  pthread_mutex_lock(&e->mu);
  e->finished = 1;
  e->status = status;
  e->output = out;
  aev__exec_reason_free(e->error);
  aev__exec_reason_free(e->cause);
  e->error = err_copy;
  e->cause = cause_copy;
  e->stop_ms = aev__clock_now_ms(aev__broker_clock(e->b));
  pthread_cond_broadcast(&e->done_cv);
  void (*watch)(aev_execution *, void *) = e->watch;
  e->watch = NULL;
  int64_t stop_ms = e->stop_ms;
  pthread_mutex_unlock(&e->mu);
  if (e->type == AEV_MACHINE_STANDARD) aev__machine_finished(e->m, stop_ms);
  aev__exec_status_event(e);
  if (watch) watch(e, e->watch_user);
  aev__sched *sc = aev__broker_sched(e->b);
  for (size_t i = 0; i < e->nruns; i++) {
    m_run *r = e->runs[i];
    aev__task_withdraw(r);
    if (r->timer_armed && aev__timer_cancel(sc, &r->timer)) {
      r->timer_armed = 0;
      aev__execution_unref(e);
    }
    if (r->hb_armed && aev__timer_cancel(sc, &r->hb_timer)) {
      r->hb_armed = 0;
      aev__execution_unref(e);
    }
  }
  if (aev__timer_cancel(sc, &e->timeout)) aev__execution_unref(e);
}

static void finish_run(m_run *r, json_t *output, int failed, const char *error, const char *cause) {
  r->finished_run = 1;
  if (r->parent) {
    aev__flow_child_done(r, output, failed, error, cause);
    return;
  }
  aev__exec_end(r->e, failed ? AEV_EXECUTION_FAILED : AEV_EXECUTION_SUCCEEDED, output, error, cause,
           r->prev_event);
  json_decref(output);
}

void aev__exec_abort(aev_execution *e, const char *error, const char *cause) {
  if (e->finished) return;
  /* Its running Map Runs are aborted with it (AWS's MapRunAborted). Only
   * this strand changes their status. */
  for (size_t i = 0; i < e->nmap_runs; i++)
    if (e->map_runs[i]->status == MR_RUNNING) aev__run_event(e->map_runs[i]->run, "MapRunAborted", NULL, NULL);
  /* No event led to it: AWS records StopExecution's ExecutionAborted with
   * previousEventId 0 (LocalStack's recorded test_stop_execution). */
  aev__exec_end(e, AEV_EXECUTION_ABORTED, NULL, error, cause, 0);
}

/* ---- the pipeline ---- */

static json_t *apply_path(m_run *r, const aev__jpath *p, int is_null, json_t *v) {
  if (is_null) return json_object();
  if (!p) return json_incref(v);
  aev__jenv env;
  aev__run_env(r, &env, v);
  json_t *out = aev__jpath_eval(p, &env);
  if (!out) aev__run_fail_env(r, &env);
  return out;
}

/* Counts the bytes of a JSON text as the library writes it, and stops the
 * writing once they pass max. */
typedef struct text_count {
  size_t n, max;
} text_count;

static int count_text(const char *buf, size_t size, void *arg) {
  (void)buf;
  text_count *c = arg;
  c->n += size;
  return c->n > c->max ? -1 : 0;
}

int aev__data_limit_cause(json_t *v, const char *who, char *cause, size_t n) {
  text_count c = {0, M_MAX_PAYLOAD};
  aev__json_dump_callback(v, count_text, &c, JSON_ENCODE_ANY);
  if (c.n <= M_MAX_PAYLOAD) return 0;
  snprintf(cause, n,
           "The state/task '%s' returned a result with a size exceeding the maximum number of bytes "
           "service limit.",
           who);
  return 1;
}

int aev__run_data_limit(m_run *r, json_t *v, const char *who) {
  char cause[512];
  if (!aev__data_limit_cause(v, who, cause, sizeof cause)) return 0;
  json_decref(v);
  aev__run_fail(r, "States.DataLimitExceeded", cause, 0);
  return 1;
}

void aev__run_exit_to(m_run *r, json_t *output, int next) {
  if (aev__run_data_limit(r, output, aev__run_state(r)->name)) return;
  state_event(r, 0, output);
  aev__run_enter(r, next, output);
}

void aev__run_transition(m_run *r, json_t *output) {
  const m_state *s = aev__run_state(r);
  if (aev__run_data_limit(r, output, s->name)) return;
  state_event(r, 0, output);
  if (s->type == ST_SUCCEED || (s->next < 0 && s->type != ST_CHOICE)) {
    finish_run(r, output, 0, NULL, NULL);
    return;
  }
  aev__run_enter(r, s->next, output);
}

static int assign(m_run *r, const aev__tmpl *t, json_t *v) {
  if (!t) return 0;
  aev__jenv env;
  aev__run_env(r, &env, v);
  json_t *a = aev__tmpl_eval(t, &env);
  if (!a) {
    aev__run_fail_env(r, &env);
    return -1;
  }
  int lost = aev__run_vars_update(r, a);
  json_decref(a);
  if (lost) aev__run_oom(r);
  return lost;
}

void aev__run_result(m_run *r, json_t *result) {
  const m_state *s = aev__run_state(r);
  if (s->jsonata) {
    aev__jq_result(r, result);
    return;
  }
  /* TestState shows the raw result of a Task, and of a Pass's Result. */
  if (s->type == ST_TASK || (s->type == ST_PASS && s->result)) aev__probe_note(r, P_RESULT, result);
  aev__jenv env;
  if (s->result_selector) {
    aev__run_env(r, &env, result);
    json_t *sel = aev__tmpl_eval(s->result_selector, &env);
    json_decref(result);
    if (!sel) {
      aev__run_fail_env(r, &env);
      return;
    }
    result = sel;
  }
  aev__probe_note(r, P_AFTER_RESULT_SELECTOR, result);
  /* Assign reads the state's result, before ResultPath and OutputPath. */
  json_t *old_vars = s->assign ? aev__json_copy(r->vars) : NULL;
  if (s->assign && !old_vars) {
    json_decref(result);
    aev__run_oom(r);
    return;
  }
  json_t *combined;
  if (s->result_null) {
    combined = json_incref(r->input);
    json_t *keep = result;
    result = NULL;
    if (s->assign) {
      json_t *saved = r->vars;
      r->vars = old_vars;
      aev__run_env(r, &env, keep);
      json_t *a = aev__tmpl_eval(s->assign, &env);
      r->vars = saved;
      json_decref(keep);
      json_decref(old_vars);
      if (!a) {
        json_decref(combined);
        aev__run_fail_env(r, &env);
        return;
      }
      int lost = aev__run_vars_update(r, a);
      json_decref(a);
      old_vars = NULL;
      if (lost) {
        json_decref(combined);
        aev__run_oom(r);
        return;
      }
    } else {
      json_decref(keep);
    }
  } else {
    if (s->assign) {
      aev__run_env(r, &env, result);
      json_t *a = aev__tmpl_eval(s->assign, &env);
      if (!a) {
        json_decref(result);
        json_decref(old_vars);
        aev__run_fail_env(r, &env);
        return;
      }
      json_decref(old_vars);
      old_vars = a; /* applied after the output is computed */
    }
    if (s->result_path) {
      aev__run_env(r, &env, r->input);
      combined = aev__jpath_put(s->result_path, r->input, result, &env);
      if (!combined) {
        json_decref(old_vars);
        aev__run_fail_env(r, &env);
        return;
      }
    } else {
      combined = result;
    }
  }
  aev__probe_note(r, P_AFTER_RESULT_PATH, combined);
  json_t *out = apply_path(r, s->output_path, s->output_null, combined);
  json_decref(combined);
  if (!out) {
    json_decref(old_vars);
    return;
  }
  int lost = old_vars && aev__run_vars_update(r, old_vars);
  json_decref(old_vars);
  if (lost) {
    json_decref(out);
    aev__run_oom(r);
    return;
  }
  aev__run_transition(r, out);
}

/* Choice, Wait and Succeed pass their effective input through OutputPath. */
static void pass_through(m_run *r, json_t *effective, const aev__tmpl *assign_t) {
  const m_state *s = aev__run_state(r);
  json_t *out = apply_path(r, s->output_path, s->output_null, effective);
  if (!out) return;
  if (assign(r, assign_t ? assign_t : s->assign, effective)) {
    json_decref(out);
    return;
  }
  aev__run_transition(r, out);
}

static void do_choice(m_run *r, json_t *effective) {
  const m_state *s = aev__run_state(r);
  aev__jenv env;
  aev__run_env(r, &env, effective);
  for (size_t i = 0; i < s->nchoices; i++) {
    int m = aev__choice_eval(s->choices[i], &env);
    if (m < 0) {
      aev__run_fail_env(r, &env);
      return;
    }
    if (m) {
      json_t *out = apply_path(r, s->output_path, s->output_null, effective);
      if (!out) return;
      /* The state's Assign, then the rule's, which wins (recorded: the
       * matched rule's value in assignedVariables, not the state's) */
      if (assign(r, s->assign, effective) || assign(r, s->choices[i]->assign, effective)) {
        json_decref(out);
        return;
      }
      state_event(r, 0, out);
      aev__run_enter(r, s->choices[i]->next, out);
      return;
    }
  }
  if (s->deflt < 0) {
    aev__run_fail(r, "States.NoChoiceMatched", "No Matches!", 0);
    return;
  }
  json_t *out = apply_path(r, s->output_path, s->output_null, effective);
  if (!out) return;
  if (assign(r, s->assign, effective)) {
    json_decref(out);
    return;
  }
  state_event(r, 0, out);
  aev__run_enter(r, s->deflt, out);
}

static void wait_done(m_run *r) {
  json_t *eff = r->effective;
  r->effective = NULL;
  if (aev__run_state(r)->jsonata) aev__jq_result(r, NULL);
  else pass_through(r, eff, NULL);
  json_decref(eff);
}

static void wait_timer(void *arg, int cancelled) {
  m_run *r = arg;
  aev_execution *e = r->e;
  r->timer_armed = 0;
  if (!cancelled && !aev__run_dead(r)) wait_done(r);
  aev__execution_unref(e);
}

static void do_wait(m_run *r, json_t *effective) {
  const m_state *s = aev__run_state(r);
  aev__clock *clk = aev__broker_clock(r->e->b);
  int64_t now = aev__clock_now_ms(clk), until = now;
  aev__jenv env;
  aev__run_env(r, &env, effective);
  if (s->has_seconds) {
    until = now + s->seconds * 1000;
  } else if (s->has_timestamp) {
    until = s->timestamp_ms;
  } else if (s->seconds_path) {
    json_t *v = aev__jpath_eval(s->seconds_path, &env);
    if (!v) {
      aev__run_fail_env(r, &env);
      return;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
      char *t = aev__json_text(v);
      char msg[512];
      snprintf(msg, sizeof msg, json_is_integer(v) ? "The SecondsPath parameter references a negative value: %s == %s"
                                                   : "The SecondsPath parameter does not reference a valid integer: %s == %s",
               aev__jpath_text(s->seconds_path), t ? t : "");
      free(t);
      json_decref(v);
      aev__run_fail(r, "States.Runtime", msg, 1);
      return;
    }
    until = now + json_integer_value(v) * 1000;
    json_decref(v);
  } else {
    json_t *v = aev__jpath_eval(s->timestamp_path, &env);
    if (!v) {
      aev__run_fail_env(r, &env);
      return;
    }
    if (!json_is_string(v) || aev__iso8601_parse(json_string_value(v), &until)) {
      char *t = aev__json_text(v);
      char msg[512];
      snprintf(msg, sizeof msg,
               "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
               "date-time format string: %s == %s",
               aev__jpath_text(s->timestamp_path), t ? t : "");
      free(t);
      json_decref(v);
      aev__run_fail(r, "States.Runtime", msg, 1);
      return;
    }
    json_decref(v);
  }
  aev__run_wait_until(r, effective, until);
}

void aev__run_wait_until(m_run *r, json_t *effective, int64_t until) {
  aev__clock *clk = aev__broker_clock(r->e->b);
  int64_t now = aev__clock_now_ms(clk);
  json_decref(r->effective);
  r->effective = json_incref(effective);
  if (until <= now) {
    wait_done(r);
    return;
  }
  aev__timer_init(&r->timer, wait_timer, r, r->e->strand);
  r->e->refs++;
  int rc = aev__timer_arm(aev__broker_sched(r->e->b), &r->timer,
                          aev__clock_mono_ms(clk) + (until - now));
  if (rc) {
    r->e->refs--;
    if (rc == AEV_ERR_NOMEM) aev__run_oom(r); /* else the broker is closing */
    return;
  }
  r->timer_armed = 1;
}

static void do_fail(m_run *r, json_t *effective) {
  const m_state *s = aev__run_state(r);
  aev__jenv env;
  aev__run_env(r, &env, effective);
  json_t *ev = NULL, *cv = NULL;
  if (s->error_path.t && !(ev = aev__tmpl_eval(s->error_path.t, &env))) {
    aev__run_fail_env(r, &env);
    return;
  }
  if (s->cause_path.t && !(cv = aev__tmpl_eval(s->cause_path.t, &env))) {
    json_decref(ev);
    aev__run_fail_env(r, &env);
    return;
  }
  const char *error = ev ? json_string_value(json_object_get(ev, "x")) : s->error;
  const char *cause = cv ? json_string_value(json_object_get(cv, "x")) : s->cause;
  /* AWS records no FailStateExited: the run fails at once. */
  aev__run_fail(r, error, cause, 0);
  json_decref(ev);
  json_decref(cv);
}

/* The state's body: everything after StateEntered (retries come back here). */
static void run_body(m_run *r) {
  const m_state *s = aev__run_state(r);
  if (set_state_context(r) || (s->type == ST_TASK && aev__task_prepare(r))) {
    aev__run_oom(r); /* never a stale $$, nor a token lost */
    return;
  }
  aev__probe_note(r, P_INPUT, r->input);
  if (s->jsonata) {
    aev__jq_body(r);
    return;
  }
  json_t *effective = apply_path(r, s->input_path, s->input_null, r->input);
  if (!effective) return;
  aev__jenv env;
  json_t *params = NULL;
  if (s->parameters && s->type != ST_MAP) {
    aev__run_env(r, &env, effective);
    params = aev__tmpl_eval(s->parameters, &env);
    if (!params) {
      json_decref(effective);
      aev__run_fail_env(r, &env);
      return;
    }
  }
  /* As AWS's TestState records them: a Pass with a Result shows neither,
   * and only Pass, Task and Parallel evaluate Parameters. */
  if (s->type != ST_PASS || !s->result) {
    aev__probe_note(r, P_AFTER_INPUT_PATH, effective);
    if (s->type == ST_PASS || s->type == ST_TASK || s->type == ST_PARALLEL)
      aev__probe_note(r, P_AFTER_PARAMETERS, params ? params : effective);
  }
  switch (s->type) {
  case ST_PASS:
    if (s->result) {
      json_decref(params);
      params = json_deep_copy(s->result); /* the definition is shared: copy */
      if (!params) {
        aev__run_oom(r); /* never the input in the Result's place */
        break;
      }
    }
    aev__run_result(r, params ? params : json_incref(effective));
    break;
  case ST_CHOICE: do_choice(r, effective); break;
  case ST_WAIT: do_wait(r, effective); break;
  case ST_SUCCEED: pass_through(r, effective, NULL); break;
  case ST_FAIL: do_fail(r, effective); break;
  case ST_PARALLEL: aev__flow_parallel(r, params ? params : json_incref(effective)); break;
  case ST_MAP: aev__flow_map(r, effective); break;
  case ST_TASK: aev__task_start(r, params ? params : json_incref(effective)); break;
  }
  json_decref(effective);
}

static void enter_now(m_run *r) {
  const m_state *s = aev__run_state(r);
  r->entered_ms = aev__clock_now_ms(aev__broker_clock(r->e->b));
  r->entered_prev = r->prev_event;
  r->entered_id = state_event(r, 1, r->input);
  free(r->retries);
  r->retries = s->nretry ? calloc(s->nretry, sizeof *r->retries) : NULL;
  r->retry_count = 0;
  if (s->nretry && !r->retries) {
    aev__run_oom(r);
    return;
  }
  aev__probe_retries(r);
  run_body(r);
}

int aev__run_history_full(m_run *r) {
  const char *cause;
  /* AWS's cut, measured on a Choice looping forever: event 24,999 is the
   * last state's exit and 25,000 the ExecutionFailed that takes the place
   * of the next entry. */
  if (r->e->events >= M_MAX_EVENTS - 1)
    cause = "The execution reached the maximum number of history events (25000).";
  else if (aev__hist_short(r->e))
    cause = "Out of memory: the execution history could not grow.";
  else if (aev__hist_lost(r->e))
    cause = lost_event_cause;
  else
    return 0;
  aev__exec_end(r->e, AEV_EXECUTION_FAILED, NULL, "States.Runtime", cause, r->prev_event);
  return 1;
}

/* Runs r's transitions in a loop, so a long chain of states uses constant
 * stack: a transition made while r is driving only marks it ready. */
void aev__run_enter(m_run *r, int idx, json_t *input) {
  if (r->e->probe && aev__probe_enter(r, idx, input)) return;
  json_decref(r->input);
  r->input = input;
  r->cur = idx;
  r->ready = 1;
  if (r->driving) return;
  r->driving = 1;
  while (r->ready && !aev__run_dead(r)) {
    r->ready = 0;
    if (aev__run_history_full(r)) break;
    enter_now(r);
  }
  r->driving = 0;
}

void aev__run_redrive(m_run *r, int64_t prev) {
  r->finished_run = 0;
  r->prev_event = prev;
  if (!r->entered_id) { /* a child whose first state never started */
    json_t *in = r->input;
    r->input = NULL;
    aev__run_enter(r, r->g->start, in);
    return;
  }
  const m_state *s = aev__run_state(r);
  /* A Parallel or Map that failed after its children (its output over
   * the size limit, a ResultSelector) has no results left, and runs again
   * whole, as AWS runs it after States.DataLimitExceeded. */
  if ((s->type == ST_PARALLEL || s->type == ST_MAP) && r->results) {
    aev__flow_redrive(r);
    return;
  }
  aev__run_enter(r, r->cur, json_incref(r->input));
}

void aev__exec_watch(aev_execution *e, void (*fn)(aev_execution *e, void *user), void *user) {
  pthread_mutex_lock(&e->mu);
  int done = e->finished;
  if (!done) {
    e->watch = fn;
    e->watch_user = user;
  }
  pthread_mutex_unlock(&e->mu);
  if (done) fn(e, user);
}
