/* Internal to lib/machine: a run (the top level of an execution, a Parallel
 * branch or a Map iteration) and the steps that drive it on the
 * execution's strand (exec.c, exec_flow.c, exec_task.c). */
#ifndef AEV_MACHINE_EXEC_INT_H
#define AEV_MACHINE_EXEC_INT_H

#include "machine/machine_int.h"

struct m_run {
  aev_execution *e;
  m_run *parent; /* NULL: the top level */
  const m_graph *g;
  int cur;
  json_t *input; /* the current state's raw input */
  json_t *vars;  /* variables of this scope (outer ones copied in) */
  json_t *assigned; /* what the current state's Assign set, for its Exited event (STANDARD), or NULL */
  int64_t prev_event;
  int64_t entered_id, entered_prev; /* its state's Entered event, and the one that event follows */
  /* MapStateFailed / ParallelStateFailed, which the state records as it
   * fails unless a retrier runs it again (AWS records none between
   * attempts), else NULL */
  const char *failed_event;
  /* The failure being reported is a missed heartbeat: AWS reports it as
   * States.Timeout, which States.HeartbeatTimeout also catches. */
  int heartbeat_missed;
  /* The failure being reported is a task's result over the data limit:
   * unlike other States.DataLimitExceeded failures, States.ALL catches it
   * (LocalStack's test_states_errors catch_state_all cases, validated
   * against AWS 2024-03-21). */
  int task_result_over_limit;
  int64_t entered_ms;
  int *retries; /* per retrier of the current state */
  int retry_count;
  aev__timer timer;
  int timer_armed;
  /* As a child: its slot in the parent's results, and whether its output
   * is there (a redrive runs the others again). */
  size_t slot;
  int succeeded;
  /* As a Parallel or Map: its children. */
  json_t *effective; /* the state's effective input (after InputPath) */
  json_t *items;     /* Map items, Parallel: NULL */
  json_t *results;
  size_t nkids, started, finished, failed, running;
  size_t max_conc;
  int64_t tolerated_count;
  double tolerated_pct;
  int has_tolerance;
  char *kid_error, *kid_cause;
  m_map_run *mr; /* a Distributed Map's run of this attempt, or NULL */
  int finished_run;
  int driving, ready; /* aev__run_enter's loop */
  unsigned gen;       /* a parent: bumped per start, so children of an
                       * abandoned attempt stop */
  unsigned spawn_gen; /* a child: its parent's gen when spawned */
  unsigned results_gen; /* a parent: the gen whose children fill results */
  /* Task: the attempt's number (late completions of an earlier attempt
   * are dropped), its token with .waitForTaskToken, the heartbeat timer. */
  unsigned task_seq;
  char *token;
  const char *queued_on; /* the activity the token's task is queued on */
  aev__timer hb_timer;
  int hb_armed;
  int64_t hb_seconds;
};

/* Non-zero when r or an ancestor has ended or been abandoned. */
int aev__run_dead(const m_run *r);


/* Posts fn(r) on the execution's strand, holding an execution reference. */
void aev__run_post(m_run *r, void (*fn)(m_run *r));

/* Ends the execution (FAILED, States.Runtime) when its history can take
 * no more: AWS's 25,000 events, or no memory to grow it. 1 when it did.
 * Checked before each state and Map iteration starts. */
int aev__run_history_full(m_run *r);

/* Enters state idx of r's graph with input (reference stolen). */
void aev__run_enter(m_run *r, int idx, json_t *input);

/* The current state produced result (reference stolen): ResultSelector,
 * ResultPath, OutputPath, Assign, then the transition. */
void aev__run_result(m_run *r, json_t *result);

/* The current state failed: Retry, Catch, or the run fails. wrap: prefix
 * the cause with "An error occurred while executing the state ..." as AWS
 * does for runtime failures. */
void aev__run_fail(m_run *r, const char *error, const char *cause, int wrap);
/* AWS's 256 KiB (UTF-8 bytes of its JSON text) for a state's output or a
 * task's result: 0 when v is within it; else 1, with v released and r
 * failed with States.DataLimitExceeded naming who returned it. */
int aev__run_data_limit(m_run *r, json_t *v, const char *who);
/* 1 when v passes the limit, with AWS's cause naming who written to cause
 * (n bytes); else 0. */
int aev__data_limit_cause(json_t *v, const char *who, char *cause, size_t n);
/* The same for out of memory: States.Runtime. */
void aev__run_oom(m_run *r);
/* The same for an evaluation that failed in env: with the error it
 * recorded, or, when it recorded none (it ran out of memory), as
 * States.Runtime. */
void aev__run_fail_env(m_run *r, const aev__jenv *env);

/* The environment for evaluating paths of the current state on input. */
void aev__run_env(m_run *r, aev__jenv *env, json_t *input);

/* Sets (v stolen) or removes key of the context object $$ without
 * changing the object values already hold (copy on write). -1 when out of
 * memory (v NULL: it could not be built): $$ is then as it was, which the
 * run must not go on with (aev__run_oom). */
int aev__ctx_set(aev_execution *e, const char *key, json_t *v);
int aev__ctx_del(aev_execution *e, const char *key);

/* Assigns a's variables (borrowed) in r's scope, all or none (the scope is
 * replaced by an updated copy: values that hold it keep what they saw).
 * -1 when out of memory. */
int aev__run_vars_update(m_run *r, json_t *a);

/* Events for the current state. */
int64_t aev__run_event(m_run *r, const char *type, const char *dkey, json_t *details);

/* Records StateExited with output (stolen) and moves on: the next state,
 * or the end of the run. */
void aev__run_transition(m_run *r, json_t *output);
/* Records StateExited with output (stolen) and enters state next. */
void aev__run_exit_to(m_run *r, json_t *output, int next);

/* Wait until epoch ms `until` (a timer), then finish the state. */
void aev__run_wait_until(m_run *r, json_t *effective, int64_t until);

/* The JSONata query language (exec_jq.c): a state's body; its result
 * (NULL: none, as for Pass) through Output and Assign; a Catch. */
void aev__jq_body(m_run *r);
void aev__jq_result(m_run *r, json_t *result);
void aev__jq_catch(m_run *r, const m_catcher *c, json_t *error_output);
/* A JSONata field of the current state on its input; NULL when r failed. */
json_t *aev__jq_value(m_run *r, const m_jt *t);
/* A numeric field of the current state given as a JSONata expression t,
 * evaluated on its input: from min to max, an integer when integral; -1
 * when it is not one (r failed with States.QueryEvaluationError). */
int aev__jq_number(m_run *r, const m_jt *t, int integral, double min, double max, double *out);
/* A JSONata Map's item input ($states.context.Map.Item). */
json_t *aev__jq_item(m_run *r, json_t *item, size_t index, aev__jenv *env);

/* A Distributed Map's ItemReader (item_reader.c): its items, read on
 * effective, into *items (a new array). Returns 0; -1 when r failed (a
 * path or expression of the state failed); 1 when the reader failed, with
 * *cause the States.ItemReaderFailed cause (a new string; NULL: out of
 * memory). */
int aev__reader_items(m_run *r, json_t *effective, json_t **items, char **cause);

/* A Distributed Map's ResultWriter (result_writer.c), once its run
 * succeeded: the state's result for the children's results (borrowed)
 * into *out. Returns 0; -1 when r failed (its Parameters / Arguments); 1
 * when the export failed, with *cause the States.ResultWriterFailed cause
 * (a new string; NULL: out of memory). */
int aev__writer_result(m_run *p, json_t *results, json_t **out, char **cause);

/* exec_task.c: the open task tokens of runs that died since (a Parallel
 * branch or Map iteration whose sibling failed) are answered no more; to
 * call (on the strand) once a parent stops its children. */
void aev__tokens_close_dead(aev_execution *e);

/* aws-sdk:s3 (sdk_s3.c): whether action (PascalCase) is one this broker
 * answers, and the call on b's S3 stand-in (at the broker clock's now: a
 * written object's LastModified): *answer a new JSON text, or S3's error
 * code and message (aev_errcode / aev_errmsg). */
int aev__sdk_s3_has(const char *action);
int aev__sdk_s3(aev_broker *b, const char *action, const char *request, char **answer);

/* Parallel and Map (exec_flow.c). */
void aev__flow_parallel(m_run *r, json_t *effective);
void aev__flow_map(m_run *r, json_t *effective);
/* A child of p in slot, spawned at p's gen spawn_gen, ended (outcome
 * MR_SUCCEEDED with output, stolen, or MR_FAILED / MR_TIMED_OUT /
 * MR_ABORTED with error and cause, either may be NULL) with last its last
 * event (0: none in p's history, a Map Run's child); *succeeded is set
 * when it counts. */
void aev__flow_child_end(m_run *p, size_t slot, unsigned spawn_gen, int *succeeded, json_t *output,
                         int outcome, const char *error, const char *cause, int64_t last);
/* A *Path field's value on effective: an integer (or a float when
 * want_float), not negative; -1 when it is not one (r failed, with AWS's
 * "The X field refers to value ... which is not a valid integer"). */
int aev__flow_path_number(m_run *r, const aev__jpath *p, json_t *effective, const char *field, int want_float,
                          double *out);
/* Map item i (its ItemSelector's, with $$.Map.Item); NULL when r failed. */
json_t *aev__flow_item_input(m_run *r, json_t *item, size_t i);
/* The input of r's child i: its item's, or its batch; NULL when r failed. */
json_t *aev__flow_child_input(m_run *r, size_t i);
/* ItemBatcher (exec_batch.c): the items, each through ItemSelector, in
 * batches; NULL when r failed. */
json_t *aev__flow_batches(m_run *r, json_t *items, json_t *effective);
/* UpdateMapRun changed r's Map Run: its values apply from now on. */
void aev__flow_map_updated(m_run *r);

/* A Distributed Map's children (exec_map_run.c), on the parent's strand:
 * how many items slot's child gets; its child execution started on input
 * (stolen); a redrive's, of a child that did not succeed (the execution
 * redriven, or started anew when it cannot be). -1 when r failed. */
size_t aev__map_run_slot_items(const m_run *r, size_t slot);
int aev__map_run_spawn(m_run *r, size_t slot, json_t *input);
int aev__map_run_respawn(m_run *r, size_t slot);
/* r's state failed to start what it runs with rc: out of memory, or
 * States.Runtime with the error's message. */
void aev__run_start_failed(m_run *r, int rc);
/* A redrive of r at a Parallel or Map state whose children were started:
 * those that did not succeed run again, and the rest keep their results. */
void aev__flow_redrive(m_run *r);
/* A child run ended: with output (stolen), or failed with error / cause
 * (either may be NULL, as a Fail state without them gives). */
void aev__flow_child_done(m_run *child, json_t *output, int failed, const char *error,
                          const char *cause);

/* Task (exec_task.c): a new attempt (and $$.Task.Token for
 * .waitForTaskToken) before Parameters are evaluated; then the start on
 * params (stolen). */
int aev__task_prepare(m_run *r); /* -1: out of memory */
/* Whether a Task of resource waits for someone else's answer: an
 * activity's, a callback's (.waitForTaskToken), a .sync's. */
int aev__task_waits(const char *resource);
void aev__task_start(m_run *r, json_t *params);
/* The run's activity task, if no worker took it, leaves the activity's
 * queue (a new attempt, the end of the execution). */
void aev__task_withdraw(m_run *r);

/* A task attempt's outcome made on another thread (exec_task.c): new for
 * r's current attempt, holding an execution reference (NULL when out of
 * memory); post hands it to the execution's strand, which frees it. There,
 * a late one (a later attempt, a run that ended) is dropped. answer: the
 * call's answer, JSON text; else error and cause; all three taken (NULL,
 * NULL, NULL: out of memory, failing the task as States.Runtime). drop
 * frees one that will not be posted. Safe from any thread. */
typedef struct completion aev__task_done;
aev__task_done *aev__task_done_new(m_run *r);
void aev__task_done_post(aev__task_done *d, char *answer, char *error, char *cause);
void aev__task_done_drop(aev__task_done *d);
/* The TestState probe d's run is under, or NULL; call it before posting. */
struct m_probe *aev__task_done_probe(const aev__task_done *d);

/* AWS SDK integrations (exec_sdk.c; aev__sdk_check in machine_int.h).
 * runs: 1 when this broker runs resource. call: calls it with params
 * (borrowed) on the handler pool, its outcome posted through done
 * (AEV_OK), or fails (AEV_ERR_NOMEM, AEV_ERR_CLOSED) leaving done alone. */
int aev__sdk_runs(const char *resource);
int aev__sdk_call(aev_broker *b, const char *resource, json_t *params, aev__task_done *done);

/* The HTTP Task (exec_http.c): calls arn:aws:states:::http:invoke with
 * params (borrowed) on the handler pool, as aev__sdk_call does. */
int aev__http_task_call(aev_broker *b, const char *resource, json_t *params, aev__task_done *done);

const m_state *aev__run_state(const m_run *r);

/* RedriveExecution (redrive.c resumes the top run): r, which did not end
 * well, runs again from the state it did not leave, with that state's
 * input, retries counted from 0; its events follow event prev. */
void aev__run_redrive(m_run *r, int64_t prev);

m_run *aev__run_new(aev_execution *e, m_run *parent, const m_graph *g);

#endif
