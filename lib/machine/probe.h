/* Internal to lib/machine: TestState's probe. test_state.c runs the state
 * under test as the only state of a hidden EXPRESS machine, and the engine
 * reports to the probe what AWS's TestState answers: the data at each step
 * of the state's data flow, where it would go next, and what Retry or
 * Catch would do with an error, without retrying or going on. */
#ifndef AEV_MACHINE_PROBE_H
#define AEV_MACHINE_PROBE_H

#include <stdint.h>

#include "machine/exec_int.h"

/* inspectionData members, in the order AWS's API reference lists them. */
enum {
  P_INPUT,
  P_AFTER_ARGUMENTS,
  P_AFTER_INPUT_PATH,
  P_AFTER_PARAMETERS,
  P_RESULT,
  P_AFTER_RESULT_SELECTOR,
  P_AFTER_RESULT_PATH,
  P_VARIABLES,
  P_AFTER_ITEMS_PATH,
  P_N
};

/* The run and the caller share no JSON value (jansson's reference counts
 * are not for threads): the run takes the values it is given, copies the
 * mock, and the probe keeps JSON texts. */
struct m_probe {
  /* What the request asked. */
  json_t *mock_result;           /* mock.result, parsed; NULL: none */
  char *mock_error, *mock_cause; /* mock.errorOutput; error NULL: none */
  int64_t retrier_retry_count;   /* stateConfiguration */
  int64_t map_failures;          /* -1: mapIterationFailureCount not given */
  char *reader_data;             /* mapItemReaderData, or NULL */
  json_t *context;               /* the context object given ($$ as is), or NULL: the run takes it */
  int fixed_context;             /* one was given */
  json_t *vars;                  /* the variables given, or NULL: the run takes them */
  const char *role_arn;          /* roleArn, or NULL */
  int reveal_secrets;            /* revealSecrets */
  /* What the run reported. */
  int entered;
  int lost; /* a note could not be kept (out of memory) */
  char *seen[P_N]; /* the JSON texts of the values noted */
  const char *next; /* the state it would go to (the definition outlives it) */
  int retriable, caught;
  int64_t retry_index, backoff_s, catch_index; /* -1: none */
  char *caught_error, *caught_cause;
  int map_seen;
  int64_t max_concurrency;
  int has_tolerated_count, has_tolerated_pct;
  int64_t tolerated_count;
  double tolerated_pct;
  /* An HTTP Task's request and response (inspectionData's, TRACE): JSON
   * texts written by the task's call on the handler pool before its
   * outcome is posted, so read safely once the test has ended. */
  char *http_request, *http_response;
};

/* Every hook below does nothing unless r runs under a probe. */

/* Keeps the JSON text of v as member what. */
void aev__probe_note(m_run *r, int what, json_t *v);
/* Called as r enters state idx with input: the first entry goes on; any
 * later one is where the tested state would go, so the test ends there
 * (1, input released). */
int aev__probe_enter(m_run *r, int idx, json_t *input);
/* On entering the state: its retriers have been used
 * stateConfiguration.retrierRetryCount times. */
void aev__probe_retries(m_run *r);
/* Retrier i matched error: with attempts left (delay_ms >= 0) the test
 * ends RETRIABLE (1); with none (delay_ms < 0) it is only noted (0), and
 * Catch goes on. */
int aev__probe_retry(m_run *r, size_t i, double delay_ms, const char *error, const char *cause);
/* Catcher i matched error: the transition that follows ends the test
 * CAUGHT_ERROR. */
void aev__probe_caught(m_run *r, size_t i, const char *error, const char *cause);
/* A mocked state's outcome: 1 with *result (a new reference) or *error and
 * *cause (borrowed) set; 0 when r's state is not mocked. */
int aev__probe_mock(m_run *r, json_t **result, const char **error, const char **cause);
/* A mocked Map or Parallel: its result or error, and Retry / Catch. */
void aev__probe_mocked_flow(m_run *r);
/* The probe r runs under, or NULL (an HTTP Task's call keeps it to note
 * its request and response). */
m_probe *aev__probe_of(const m_run *r);
/* Whether e's context object was given whole: $$.State is then not set. */
int aev__probe_fixed_context(const aev_execution *e);

#endif
