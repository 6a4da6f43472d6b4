/* Shared by the Task integration suites: definitions written with ' for "
 * and one execution run to its end, with what the tests read of it. */
#ifndef AEV_TEST_MACHINE_SUPPORT_H
#define AEV_TEST_MACHINE_SUPPORT_H

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

/* JSON written with ' for " (none of these texts holds a '). */
static inline char *dq(const char *s) {
  char *t = strdup(s);
  for (char *p = t; *p; p++)
    if (*p == '\'') *p = '"';
  return t;
}

/* An execution at its end: its status, DescribeExecution, its output and
 * its history's events. */
typedef struct result {
  int status;
  json_t *desc, *output, *history;
} result;

static inline void result_free(result *r) {
  json_decref(r->desc);
  json_decref(r->output);
  json_decref(r->history);
}

static inline const char *error_of(result *r) {
  return json_string_value(json_object_get(r->desc, "error"));
}

static inline const char *cause_of(result *r) {
  return json_string_value(json_object_get(r->desc, "cause"));
}

/* Starts m on input (JSON) and waits for the execution's end. */
static inline result run_machine(aev_machine *m, const char *input) {
  aev_execution *e = NULL;
  ck_assert_int_eq(aev_machine_start(m, NULL, input, strlen(input), &e), AEV_OK);
  ck_assert_int_eq(aev_execution_wait(e), AEV_OK);
  result r;
  char *t = NULL;
  r.status = aev_execution_status(e);
  ck_assert_int_eq(aev_execution_describe(e, &t), AEV_OK);
  r.desc = json_loads(t, 0, NULL);
  aev_free(t);
  const char *out = json_string_value(json_object_get(r.desc, "output"));
  r.output = out ? json_loads(out, JSON_DECODE_ANY, NULL) : NULL;
  ck_assert_int_eq(aev_execution_history(e, &t), AEV_OK);
  json_t *h = json_loads(t, 0, NULL);
  r.history = json_incref(json_object_get(h, "events"));
  json_decref(h);
  aev_free(t);
  aev_execution_release(e);
  return r;
}

/* Creates a STANDARD machine of the definition (written with ') on broker
 * on, runs it once on input (JSON) and deletes it. */
static inline result run_def(aev_broker *on, const char *def_q, const char *input) {
  char *def = dq(def_q);
  aev_machine *m = NULL;
  int rc = aev_machine_create(on, "m", def, strlen(def), AEV_MACHINE_STANDARD, &m);
  ck_assert_msg(rc == AEV_OK, "create: %s %s", aev_errcode(), aev_errmsg());
  free(def);
  result r = run_machine(m, input);
  aev_machine_delete(m);
  aev_machine_release(m);
  return r;
}

/* An execution's history as its event types on one line ("ExecutionStarted
 * MapStateEntered ..."), which must be want. */
static inline void assert_history(aev_broker *on, const char *exec_arn, const char *want) {
  json_t *v = aev_test_call_req(on, "states", "GetExecutionHistory",
                                json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
  char got[1024] = "";
  size_t i;
  json_t *ev;
  json_array_foreach(json_object_get(v, "events"), i, ev) {
    if (i) strcat(got, " ");
    strcat(got, json_string_value(json_object_get(ev, "type")));
  }
  ck_assert_str_eq(got, want);
  json_decref(v);
}

#endif
