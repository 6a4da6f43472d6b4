/* TestState's probe (probe.h): what the engine reports while it runs the
 * state under test. The test runs on the execution's strand, one state of
 * a top-level run, so these hooks need no lock of their own. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "machine/probe.h"

static m_probe *probe_of(const m_run *r) { return r->parent ? NULL : r->e->probe; }

m_probe *aev__probe_of(const m_run *r) { return probe_of(r); }

void aev__probe_note(m_run *r, int what, json_t *v) {
  m_probe *p = probe_of(r);
  if (!p || !v) return;
  free(p->seen[what]);
  p->seen[what] = aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  p->lost |= !p->seen[what];
}

int aev__probe_enter(m_run *r, int idx, json_t *input) {
  m_probe *p = probe_of(r);
  if (!p) return 0;
  if (!p->entered) {
    p->entered = 1;
    return 0;
  }
  p->next = r->g->states[idx].name;
  aev__exec_end(r->e, AEV_EXECUTION_SUCCEEDED, input, NULL, NULL, r->prev_event);
  json_decref(input);
  return 1;
}

void aev__probe_retries(m_run *r) {
  m_probe *p = probe_of(r);
  if (!p || !r->retries) return;
  const m_state *s = aev__run_state(r);
  for (size_t i = 0; i < s->nretry; i++)
    r->retries[i] = p->retrier_retry_count > INT32_MAX ? INT32_MAX : (int)p->retrier_retry_count;
  r->retry_count = s->nretry ? r->retries[0] : 0;
}

int aev__probe_retry(m_run *r, size_t i, double delay_ms, const char *error, const char *cause) {
  m_probe *p = probe_of(r);
  if (!p) return 0;
  p->retry_index = (int64_t)i;
  if (delay_ms < 0) return 0;
  /* AWS: IntervalSeconds x BackoffRate ^ retrierRetryCount (recorded: 16
   * for 1 x 2^4), within MaxDelaySeconds. */
  p->backoff_s = (int64_t)(delay_ms / 1000.0);
  p->retriable = 1;
  aev__exec_end(r->e, AEV_EXECUTION_FAILED, NULL, error, cause, r->prev_event);
  return 1;
}

void aev__probe_caught(m_run *r, size_t i, const char *error, const char *cause) {
  m_probe *p = probe_of(r);
  if (!p) return;
  p->caught = 1;
  p->catch_index = (int64_t)i;
  free(p->caught_error);
  free(p->caught_cause);
  p->caught_error = error ? strdup(error) : NULL;
  p->caught_cause = cause ? strdup(cause) : NULL;
  p->lost |= (error && !p->caught_error) || (cause && !p->caught_cause);
}

int aev__probe_mock(m_run *r, json_t **result, const char **error, const char **cause) {
  m_probe *p = probe_of(r);
  *result = NULL;
  if (!p || (!p->mock_result && !p->mock_error)) return 0;
  if (p->mock_error) {
    *error = p->mock_error;
    *cause = p->mock_cause;
    return 1;
  }
  /* A copy: the data flow may keep parts of it, and the probe its own. */
  *result = json_deep_copy(p->mock_result);
  if (!*result) {
    *error = "States.Runtime";
    *cause = "Out of memory";
  }
  return 1;
}

void aev__probe_mocked_flow(m_run *r) {
  json_t *result;
  const char *error = NULL, *cause = NULL;
  aev__probe_mock(r, &result, &error, &cause);
  if (result) aev__run_result(r, result);
  else aev__run_fail(r, error, cause, 0);
}

int aev__probe_fixed_context(const aev_execution *e) { return e->probe && e->probe->fixed_context; }
