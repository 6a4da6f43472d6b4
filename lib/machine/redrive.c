/* RedriveExecution: a FAILED, ABORTED or TIMED_OUT STANDARD execution runs
 * again under the same ARN, its history continued after an
 * ExecutionRedriven event, from the states it did not leave (AWS: "it
 * continues the failed execution from the unsuccessful step and uses the
 * same input"; exec.c and exec_flow.c resume the runs). Also why an
 * execution cannot be redriven, which DescribeExecution answers too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "machine/exec_int.h"

#define DAY_MS (24LL * 3600 * 1000)
/* AWS's redrivable period, counted from the end of the execution. */
#define REDRIVABLE_MS (14 * DAY_MS)
/* AWS's maximum open time of an execution, counted from its start. */
#define MAX_OPEN_MS (365 * DAY_MS)
/* RedriveExecution's launch, 2023-11-15T00:00:00Z: AWS redrives no
 * execution started before it (a broker clock may start earlier). */
#define LAUNCH_MS 1700006400000LL
/* How long AWS answers a client token again. */
#define TOKEN_MS (15LL * 60 * 1000)

const char *aev__exec_not_redrivable(const aev_execution *e, int64_t now_ms) {
  if (e->m->res.deleted) return "State machine is in DELETING status";
  if (e->status == AEV_EXECUTION_RUNNING) return "Execution is RUNNING and cannot be redriven";
  if (e->status == AEV_EXECUTION_SUCCEEDED) return "Execution is SUCCEEDED and cannot be redriven";
  if (e->start_ms < LAUNCH_MS) return "Execution was started before the launch of RedriveExecution";
  /* Room for ExecutionRedriven and one more event within the 25,000. */
  if (e->events >= M_MAX_EVENTS - 1) return "Execution history event limit exceeded";
  if (now_ms - e->start_ms > MAX_OPEN_MS) return "Execution has exceeded the max execution time";
  if (now_ms - e->stop_ms > REDRIVABLE_MS) return "Execution redrivable period exceeded";
  return NULL;
}

int aev__redrive_token_check(const char *t) {
  int rc = aev__check_length(t, "clientToken", 1, 64);
  for (const char *c = t; !rc && *c; c++)
    if (*c < '!' || *c > '~')
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "1 validation error detected: Value '%s' at 'clientToken' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: [!-~]+",
                       t);
  return rc;
}

/* The redrive a client token was used for within the last 15 minutes, or
 * NULL. Under e->mu. */
static const m_redrive_token *token_used(const aev_execution *e, const char *t, int64_t now_ms) {
  for (size_t i = 0; t && e->tokens && i < M_REDRIVE_TOKENS; i++)
    if (!strcmp(e->tokens[i].token, t) && now_ms - e->tokens[i].redrive_ms <= TOKEN_MS)
      return &e->tokens[i];
  return NULL;
}

/* Remembers a redrive's client token in place of the oldest. Under e->mu. */
static void token_keep(aev_execution *e, const char *t, int64_t redrive_ms) {
  m_redrive_token *oldest = &e->tokens[0];
  for (size_t i = 1; i < M_REDRIVE_TOKENS; i++)
    if (e->tokens[i].redrive_ms < oldest->redrive_ms) oldest = &e->tokens[i];
  snprintf(oldest->token, sizeof oldest->token, "%s", t);
  oldest->redrive_ms = redrive_ms;
}

/* $$.Execution.RedriveCount and RedriveTime (AWS's context object: the
 * latter "is only available if you've redriven an execution"). -1 when out
 * of memory. */
static int context_redriven(aev_execution *e) {
  if (!e->context) return 0;
  char ts[32];
  aev__iso8601_format(e->redrive_ms, ts);
  json_t *x = json_deep_copy(json_object_get(e->context, "Execution"));
  if (!x || json_object_set_new(x, "RedriveCount", json_integer(e->redrives)) ||
      json_object_set_new(x, "RedriveTime", json_string(ts))) {
    json_decref(x);
    return -1;
  }
  return aev__ctx_set(e, "Execution", x);
}

static m_run *top_run(aev_execution *e) {
  for (size_t i = 0; i < e->nruns; i++)
    if (!e->runs[i]->parent) return e->runs[i];
  return NULL;
}

/* On the strand, after whatever the ended attempt left queued there (it
 * saw the execution finished and did nothing): the execution resumes. */
static void resume(void *arg, int cancelled) {
  aev_execution *e = arg;
  m_run *top = top_run(e);
  if (!cancelled && top) {
    pthread_mutex_lock(&e->mu);
    e->finished = 0;
    pthread_mutex_unlock(&e->mu);
    int64_t prev = aev__hist_add(e, "ExecutionRedriven", e->events, "executionRedrivenEventDetails",
                                 json_pack("{s:i}", "redriveCount", e->redrives));
    aev__exec_status_event(e);
    /* AWS: "the state machine level timeout, if defined, is reset". */
    aev__sched *sc = aev__broker_sched(e->b);
    if (e->def->timeout_s) {
      e->refs++;
      if (aev__timer_arm(sc, &e->timeout, aev__clock_mono_ms(aev__broker_clock(e->b)) + e->def->timeout_s * 1000))
        e->refs--;
    }
    if (context_redriven(e)) aev__exec_end(e, AEV_EXECUTION_FAILED, NULL, "States.Runtime",
                                           "Out of memory: the context object could not be updated.", prev);
    else aev__run_redrive(top, prev);
  }
  aev__execution_unref(e);
}

static int redrive(aev_execution *e, const char *client_token, int64_t *redrive_ms);

int aev_execution_redrive(aev_execution *e, const char *client_token, int64_t *redrive_ms) {
  if (!e) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No execution given.");
  int rc = client_token ? aev__redrive_token_check(client_token) : AEV_OK;
  if (rc) return rc;
  /* AWS: "To redrive a workflow that includes a Distributed Map state whose
   * Map Run failed, you must redrive the parent workflow" (its children
   * are REDRIVABLE_BY_MAP_RUN). The wording is ours. */
  if (e->map_run_arn)
    return aev__fail(AEV_ERR_STATE, "ExecutionNotRedrivable",
                     "Execution was started by Map Run %s: redrive the execution that runs it instead",
                     e->map_run_arn);
  return redrive(e, client_token, redrive_ms);
}

int aev__execution_redrive_child(aev_execution *e) { return redrive(e, NULL, NULL); }

static int redrive(aev_execution *e, const char *client_token, int64_t *redrive_ms) {
  int rc;
  if (e->type != AEV_MACHINE_STANDARD)
    return aev__fail(AEV_ERR_UNSUPPORTED, "StateMachineTypeNotSupported",
                     "This operation is not supported by this type of state machine");
  const int64_t now = aev_broker_now_ms(e->b);
  pthread_mutex_lock(&e->mu);
  const m_redrive_token *used = token_used(e, client_token, now);
  const char *why = used ? NULL : aev__exec_not_redrivable(e, now);
  if (!used && !why && client_token && !e->tokens &&
      !(e->tokens = calloc(M_REDRIVE_TOKENS, sizeof *e->tokens))) {
    pthread_mutex_unlock(&e->mu);
    return aev__nomem();
  }
  if (used || why) {
    int64_t at = used ? used->redrive_ms : 0;
    pthread_mutex_unlock(&e->mu);
    if (why) return aev__fail(AEV_ERR_STATE, "ExecutionNotRedrivable", "%s", why);
    if (redrive_ms) *redrive_ms = at;
    return AEV_OK;
  }
  /* Posted under the lock (the strand takes it only after, and nothing
   * takes it while posting), so nothing sees a redrive that then fails. */
  e->refs++;
  rc = aev__sched_post(aev__broker_sched(e->b), e->strand, resume, e);
  if (rc) {
    e->refs--;
    pthread_mutex_unlock(&e->mu);
    return rc;
  }
  /* The ended attempt's answer goes at once (a StopExecution may give a
   * new error before the strand resumes), to its end event in the history,
   * which quotes it. */
  if (!aev__hist_take_end(e->history)) {
    free(e->output);
    aev__exec_reason_free(e->error);
    aev__exec_reason_free(e->cause);
  }
  e->output = e->error = e->cause = NULL;
  e->status = AEV_EXECUTION_RUNNING;
  e->redrives++;
  e->redrive_ms = now;
  e->stopping = 0;
  if (client_token) token_keep(e, client_token, now);
  pthread_mutex_unlock(&e->mu);
  if (redrive_ms) *redrive_ms = now;
  return AEV_OK;
}
