/* Parallel and Map states: child runs per branch or item on the execution's
 * strand (a Distributed Map's children are executions: exec_map_run.c;
 * its ItemReader and ResultWriter: item_reader.c, result_writer.c),
 * results gathered in order, MaxConcurrency[Path], ItemsPath,
 * ItemSelector with $$.Map.Item, ItemBatcher, ToleratedFailureCount /
 * Percentage[Path], and the Parallel/Map/MapIteration and MapRun history
 * events. A failed child fails the state with the child's error (States.
 * ExceedToleratedFailureThreshold past a Map's tolerance). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "machine/exec_int.h"
#include "machine/probe.h"

static int recording(const m_run *r) { return r->e->history != NULL; }

static void child_start(m_run *c) {
  json_t *in = c->input;
  c->input = NULL;
  aev__run_enter(c, c->g->start, in);
}

/* Starts a child of p; out of memory, p's state fails (its other children
 * stop) rather than wait for ever for the child. */
static int spawn(m_run *p, const m_graph *g, size_t slot, json_t *input) {
  m_run *c = aev__run_new(p->e, p, g);
  if (!c) {
    json_decref(input);
    p->gen++;
    aev__tokens_close_dead(p->e);
    aev__run_oom(p);
    return -1;
  }
  c->slot = slot;
  c->spawn_gen = p->gen;
  c->input = input;
  aev__run_post(c, child_start);
  /* A post that could not be made fails the child at once, and with it
   * p's state attempt, which then starts no more children. */
  return c->spawn_gen == p->gen ? 0 : -1;
}

/* n nulls: the slots the children's results fill; NULL out of memory. */
static json_t *result_slots(size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++) {
    if (json_array_append_new(a, json_null())) {
      json_decref(a);
      a = NULL;
    }
  }
  return a;
}

/* The Map Run of r's last Parallel or Map state, if any, is not this
 * one's: given up if it was still running (a retry's new attempt). */
static void map_run_drop(m_run *r) {
  if (r->mr && r->mr->status == MR_RUNNING) aev__map_run_end(r->e, r->mr, MR_ABORTED);
  r->mr = NULL;
}

void aev__flow_parallel(m_run *r, json_t *input) {
  const m_state *s = aev__run_state(r);
  map_run_drop(r);
  if (r->e->probe) { /* TestState runs a Parallel only with a mock */
    json_decref(input);
    aev__probe_mocked_flow(r);
    return;
  }
  r->results_gen = ++r->gen;
  json_decref(r->results);
  if (!(r->results = result_slots(s->nbranches))) {
    json_decref(input);
    aev__run_oom(r);
    return;
  }
  r->nkids = s->nbranches;
  r->started = r->finished = r->failed = r->running = 0;
  aev__run_event(r, "ParallelStateStarted", NULL, NULL);
  for (size_t i = 0; i < s->nbranches; i++)
    if (spawn(r, &s->branches[i], i, json_incref(input))) break;
  json_decref(input);
}

/* A runtime failure: States.Runtime under JSONPath, States.
 * QueryEvaluationError under JSONata (as AWS names them). */
static int runtime(m_run *r, const char *fmt, const char *a, const char *b) {
  char msg[512];
  snprintf(msg, sizeof msg, fmt, a, b);
  aev__run_fail(r, aev__run_state(r)->jsonata ? "States.QueryEvaluationError" : "States.Runtime", msg, 1);
  return -1;
}

int aev__flow_path_number(m_run *r, const aev__jpath *p, json_t *effective, const char *field, int want_float,
                          double *out) {
  aev__jenv env;
  aev__run_env(r, &env, effective);
  json_t *v = aev__jpath_eval(p, &env);
  if (!v) {
    aev__run_fail_env(r, &env);
    return -1;
  }
  /* AWS parses the value as Java does: numbers, or strings holding one. */
  int ok = want_float ? json_is_number(v) : json_is_integer(v);
  if (ok) *out = json_number_value(v);
  if (json_is_string(v)) {
    const char *t = json_string_value(v);
    char *end;
    if (want_float) *out = aev__strtod(t, &end);
    else *out = (double)strtoll(t, &end, 10);
    ok = *t && !*end;
  }
  if (!ok || *out < 0) {
    char *t = aev__json_text(v);
    char fmt[256];
    snprintf(fmt, sizeof fmt, "The %s field refers to value \"%%s\" which is not a valid %s: %%s",
             field, want_float ? "float" : "integer");
    runtime(r, fmt, t ? t : "", aev__jpath_text(p));
    free(t);
    json_decref(v);
    return -1;
  }
  json_decref(v);
  return 0;
}

/* A Map iteration's event: the Map state's name and the item's index. A
 * Distributed Map's parent records none for its children, which are
 * executions of their own: it counts them in its Map Run instead
 * (outcome: MR_*; from: what it was, -1 pending). */
static int64_t iteration_event(m_run *r, const char *type, const char *dkey, size_t index, int from,
                               int outcome) {
  if (r->mr) {
    aev__map_run_child(r->e, r->mr, aev__map_run_slot_items(r, index), from, outcome);
    return r->prev_event;
  }
  return aev__run_event(
      r, type, dkey,
      recording(r) ? json_pack("{s:s,s:I}", "name", aev__run_state(r)->name, "index", (json_int_t)index) : NULL);
}

json_t *aev__flow_item_input(m_run *r, json_t *item, size_t i) {
  const m_state *s = aev__run_state(r);
  json_t *input;
  if (s->jsonata) {
    aev__jenv env;
    aev__run_env(r, &env, r->effective);
    if (!(input = aev__jq_item(r, item, i, &env))) aev__run_fail_env(r, &env);
    return input;
  }
  if (!s->item_selector) return json_incref(item);
  aev__jenv env;
  if (r->e->context &&
      aev__ctx_set(r->e, "Map", json_pack("{s:{s:I,s:O}}", "Item", "Index", (json_int_t)i, "Value", item))) {
    aev__run_oom(r);
    return NULL;
  }
  aev__run_env(r, &env, r->effective);
  input = aev__tmpl_eval(s->item_selector, &env);
  if (r->e->context && aev__ctx_del(r->e, "Map")) { /* never a stale $$.Map */
    json_decref(input);
    aev__run_oom(r);
    return NULL;
  }
  if (!input) aev__run_fail_env(r, &env);
  return input;
}

json_t *aev__flow_child_input(m_run *r, size_t i) {
  json_t *item = json_array_get(r->items, i);
  /* A batch's items went through ItemSelector as it was made. */
  return aev__run_state(r)->item_batcher ? json_incref(item) : aev__flow_item_input(r, item, i);
}

static int start_item(m_run *r, size_t i) {
  const m_state *s = aev__run_state(r);
  if (aev__run_history_full(r)) return -1;
  json_t *input = aev__flow_child_input(r, i);
  if (!input) return -1;
  iteration_event(r, "MapIterationStarted", "mapIterationStartedEventDetails", i, -1, MR_RUNNING);
  r->started++;
  r->running++;
  return r->mr ? aev__map_run_spawn(r, i, input) : spawn(r, s->processor, i, input);
}

/* Every child succeeded: the state's result, the children's in order.
 * AWS links the state's Succeeded and Exited events both to the event
 * that ended it: MapRunSucceeded, the last iteration's end, or the last
 * branch's last event (LocalStack's recorded test_base_scenarios). */
static void map_run_fails(m_run *p, const char *error, const char *cause);

static void succeed(m_run *p, int map) {
  json_t *res = p->results;
  p->results = NULL;
  if (p->mr && aev__run_state(p)->has_writer) {
    json_t *written;
    char *cause;
    const int rc = aev__writer_result(p, res, &written, &cause);
    json_decref(res);
    if (rc > 0 && !cause) aev__run_oom(p);
    if (rc > 0 && cause) map_run_fails(p, "States.ResultWriterFailed", cause);
    free(cause);
    if (rc) return;
    res = written;
  }
  if (p->mr) {
    aev__map_run_end(p->e, p->mr, MR_SUCCEEDED);
    aev__run_event(p, "MapRunSucceeded", NULL, NULL);
  }
  const int64_t done = p->prev_event;
  aev__run_event(p, map ? "MapStateSucceeded" : "ParallelStateSucceeded", NULL, NULL);
  p->prev_event = done;
  aev__run_result(p, res);
}

/* Starts Map items while MaxConcurrency allows (0: no limit). */
static void start_items(m_run *r) {
  const unsigned gen = r->gen;
  /* r->started, not a count of our own: an item that ends at once (its
   * post failed, tolerated) starts the next one itself. */
  while (r->started < r->nkids && (!r->max_conc || r->running < r->max_conc) && r->gen == gen)
    if (start_item(r, r->started)) return;
}

static int tolerated(const m_run *p);

static const char threshold_error[] = "States.ExceedToleratedFailureThreshold",
                  threshold_cause[] = "The specified tolerated failure threshold was exceeded";

/* A Distributed Map's run of children, as it starts: its ARN in the
 * parent's history (MapRunStarted, after MapStateStarted, as AWS records
 * them), and with no tolerance given, none: one failed child fails it.
 * -1 when it could not start (r failed). */
static int map_run_start(m_run *r, size_t items) {
  int rc = aev__map_run_new(r, aev__run_state(r)->label, r->nkids, items, &r->mr);
  if (rc) {
    aev__run_start_failed(r, rc);
    return -1;
  }
  pthread_mutex_lock(&r->e->mu);
  r->mr->max_concurrency = (int64_t)r->max_conc;
  r->mr->tolerated_count = r->tolerated_count;
  r->mr->tolerated_pct = r->tolerated_pct > 0 ? r->tolerated_pct : 0;
  pthread_mutex_unlock(&r->e->mu);
  r->has_tolerance = 1;
  aev__run_event(r, "MapRunStarted", "mapRunStartedEventDetails",
                 recording(r) ? json_pack("{s:s}", "mapRunArn", r->mr->arn) : NULL);
  return 0;
}

/* The run failed (more children failed than it tolerates, its items
 * could not be read, its results not written): MapRunFailed, with the
 * error the Map state then fails with. */
static void map_run_failed(m_run *p, const char *error, const char *cause) {
  aev__map_run_end(p->e, p->mr, MR_FAILED);
  aev__run_event(p, "MapRunFailed", "mapRunFailedEventDetails",
                 recording(p) ? json_pack("{s:s,s:s}", "error", error, "cause", cause) : NULL);
}

/* The run failed on its own (its items could not be read, its results
 * not written): MapRunFailed, then the Map state fails with the same. */
static void map_run_fails(m_run *p, const char *error, const char *cause) {
  map_run_failed(p, error, cause);
  p->failed_event = "MapStateFailed";
  aev__run_fail(p, error, cause, 0);
}

void aev__flow_map_updated(m_run *r) {
  pthread_mutex_lock(&r->e->mu);
  r->max_conc = (size_t)r->mr->max_concurrency;
  r->tolerated_count = r->mr->tolerated_count;
  r->tolerated_pct = r->mr->tolerated_pct;
  pthread_mutex_unlock(&r->e->mu);
  start_items(r);
}

/* AWS's error when more children failed than a Map tolerates (recorded by
 * TestState; a Distributed Map tolerates none unless told). */
static void threshold_exceeded(m_run *r) { aev__run_fail(r, threshold_error, threshold_cause, 0); }

/* TestState runs a Map only with a mock, which stands for its iterations'
 * results: mapIterationFailureCount of them failed (only a Map with a
 * tolerance checks it, as AWS was recorded doing). */
static void mocked_map(m_run *r, json_t *items) {
  const m_state *s = aev__run_state(r);
  m_probe *p = r->e->probe;
  if (!s->jsonata) aev__probe_note(r, P_AFTER_ITEMS_PATH, items);
  p->map_seen = 1;
  p->max_concurrency = (int64_t)r->max_conc;
  p->has_tolerated_count = s->has_tolerated_count || s->tolerated_count_path || s->j_tolerated_count;
  p->tolerated_count = r->tolerated_count;
  p->has_tolerated_pct = s->has_tolerated_pct || s->tolerated_pct_path || s->j_tolerated_pct;
  p->tolerated_pct = r->tolerated_pct;
  r->nkids = json_array_size(items);
  r->failed = p->map_failures > 0 ? (size_t)p->map_failures : 0;
  if (!p->mock_error && r->failed && r->has_tolerance && !tolerated(r)) {
    threshold_exceeded(r);
    return;
  }
  aev__probe_mocked_flow(r);
}

/* The value of a Map field given by its Path (JSONPath) or expression
 * (JSONata), from 0 to max: 1 with it in *v, 0 when the field has
 * neither, -1 when that value fails r. */
static int dynamic(m_run *r, json_t *effective, const aev__jpath *path, const char *path_field, const m_jt *expr,
                   int integral, double max, double *v) {
  if (path) return aev__flow_path_number(r, path, effective, path_field, !integral, v) ? -1 : 1;
  if (expr) return aev__jq_number(r, expr, integral, 0, max, v) ? -1 : 1;
  return 0;
}

/* A Map's MaxConcurrency, as given or as dynamic() gives it; -1 when that
 * fails r. */
static int map_concurrency(m_run *r, const m_state *s, json_t *effective) {
  double v = 0;
  int got = dynamic(r, effective, s->max_concurrency_path, "MaxConcurrencyPath", s->j_max_concurrency, 1,
                    INT32_MAX, &v);
  if (got < 0) return -1;
  r->max_conc = got ? (size_t)v : (size_t)s->max_concurrency;
  return 0;
}

/* A Map's tolerances, likewise: AWS reads them after MapStateStarted, and
 * its concurrency before (recorded: test_map_state_tolerated_failure_*_path,
 * test_max_concurrency_path). */
static int map_tolerance(m_run *r, const m_state *s, json_t *effective) {
  double v = 0;
  r->has_tolerance = s->has_tolerated_count || s->has_tolerated_pct;
  r->tolerated_count = s->tolerated_count;
  r->tolerated_pct = s->has_tolerated_pct ? s->tolerated_pct : -1;
  int got = dynamic(r, effective, s->tolerated_count_path, "ToleratedFailureCountPath", s->j_tolerated_count, 1,
                INT32_MAX, &v);
  if (got < 0) return -1;
  if (got) {
    r->tolerated_count = (int64_t)v;
    r->has_tolerance = 1;
  }
  got = dynamic(r, effective, s->tolerated_pct_path, "ToleratedFailurePercentagePath", s->j_tolerated_pct, 0, 100,
                &v);
  if (got < 0) return -1;
  if (got && v > 100) { /* only a path's: an expression's range is checked */
    runtime(r, "The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid float: %s",
            "", aev__jpath_text(s->tolerated_pct_path));
    return -1;
  }
  if (got) {
    r->tolerated_pct = v;
    r->has_tolerance = 1;
  }
  return 0;
}

void aev__flow_map(m_run *r, json_t *effective) {
  const m_state *s = aev__run_state(r);
  map_run_drop(r);
  r->results_gen = ++r->gen;
  json_decref(r->results); /* none until this attempt's children start */
  r->results = NULL;
  json_decref(r->effective);
  r->effective = json_incref(effective);
  json_t *items = effective;
  /* An ItemReader's failure fails the Map Run once it started (AWS
   * records MapRunStarted, then MapRunFailed): until then, no items. */
  char *reader_cause = NULL;
  if (s->item_reader) {
    const int got = aev__reader_items(r, effective, &items, &reader_cause);
    if (got < 0) return;
    if (got && !reader_cause) {
      aev__run_oom(r);
      return;
    }
    if (got && !(items = json_array())) {
      free(reader_cause);
      aev__run_oom(r);
      return;
    }
  } else if (s->items_path) {
    aev__jenv env;
    aev__run_env(r, &env, effective);
    if (!(items = aev__jpath_eval(s->items_path, &env))) {
      aev__run_fail_env(r, &env);
      return;
    }
  } else {
    json_incref(items);
  }
  if (!json_is_array(items)) {
    char *t = aev__json_text(items);
    runtime(r, "Map state input must be an array but was: %s%s", t ? t : "", "");
    free(t);
    json_decref(items);
    return;
  }
  if (map_concurrency(r, s, effective)) {
    json_decref(items);
    free(reader_cause);
    return;
  }
  const size_t nitems = json_array_size(items);
  if (s->item_batcher) {
    json_t *b = aev__flow_batches(r, items, effective);
    json_decref(items);
    if (!b) {
      free(reader_cause);
      return;
    }
    items = b;
  }
  if (r->e->probe && reader_cause) {
    json_decref(items);
    aev__run_fail(r, "States.ItemReaderFailed", reader_cause, 0);
    free(reader_cause);
    return;
  }
  if (r->e->probe) {
    if (!map_tolerance(r, s, effective)) mocked_map(r, items);
    json_decref(items);
    return;
  }
  json_decref(r->items);
  r->items = items;
  r->nkids = json_array_size(items);
  r->started = r->finished = r->failed = r->running = 0;
  if (!items || !(r->results = result_slots(r->nkids))) {
    free(reader_cause);
    aev__run_oom(r);
    return;
  }
  /* With an ItemReader, AWS records the length as 0: the items are the
   * Map Run's to read (recorded: test_map_item_reader_*). */
  aev__run_event(r, "MapStateStarted", "mapStateStartedEventDetails",
                 recording(r) ? json_pack("{s:I}", "length", (json_int_t)(s->item_reader ? 0 : r->nkids)) : NULL);
  if (map_tolerance(r, s, effective) || (s->distributed && map_run_start(r, nitems))) {
    free(reader_cause);
    return;
  }
  if (reader_cause) {
    map_run_fails(r, "States.ItemReaderFailed", reader_cause);
    free(reader_cause);
    return;
  }
  if (r->nkids == 0) {
    succeed(r, 1);
    return;
  }
  start_items(r);
}

static int tolerated(const m_run *p) {
  if (!p->has_tolerance) return 0;
  if (p->tolerated_count && (int64_t)p->failed <= p->tolerated_count) return 1;
  if (p->tolerated_pct >= 0 && (double)p->failed * 100.0 <= p->tolerated_pct * (double)p->nkids)
    return 1;
  return 0;
}

void aev__flow_child_done(m_run *c, json_t *output, int failed, const char *error,
                          const char *cause) {
  aev__flow_child_end(c->parent, c->slot, c->spawn_gen, &c->succeeded, output,
                      failed ? MR_FAILED : MR_SUCCEEDED, error, cause, c->prev_event);
}

/* The events a child's end causes follow its last event, as AWS records
 * them (LocalStack's test_base_scenarios): its MapIteration{Succeeded,
 * Failed}, the next iteration's MapIterationStarted, and the state's
 * failure; the state's success follows the last iteration's end. */
void aev__flow_child_end(m_run *p, size_t slot, unsigned spawn_gen, int *succeeded, json_t *output,
                         int outcome, const char *error, const char *cause, int64_t last) {
  const m_state *s = aev__run_state(p);
  if (spawn_gen != p->gen || p->finished_run || p->e->finished) {
    json_decref(output);
    return;
  }
  int map = s->type == ST_MAP;
  const int64_t caused_by = last ? last : p->prev_event;
  int64_t ended = caused_by; /* the iteration's end event */
  p->finished++;
  p->running--;
  p->prev_event = caused_by;
  if (outcome != MR_SUCCEEDED) {
    p->failed++;
    if (map)
      ended = iteration_event(p, "MapIterationFailed", "mapIterationFailedEventDetails", slot, MR_RUNNING, outcome);
    if (!map || !tolerated(p)) {
      p->gen++; /* the other children stop */
      aev__tokens_close_dead(p->e);
      p->prev_event = caused_by;
      if (p->mr) map_run_failed(p, threshold_error, threshold_cause);
      p->failed_event = map ? "MapStateFailed" : "ParallelStateFailed";
      if (map && p->has_tolerance) threshold_exceeded(p);
      else aev__run_fail(p, error, cause, 0);
      return;
    }
    if (json_array_set_new(p->results, slot, json_pack("{s:s?,s:s?}", "Error", error, "Cause", cause))) {
      p->gen++; /* never a tolerated failure left out of the results */
      aev__tokens_close_dead(p->e);
      aev__run_oom(p);
      return;
    }
  } else {
    if (map)
      ended = iteration_event(p, "MapIterationSucceeded", "mapIterationSucceededEventDetails", slot, MR_RUNNING,
                              MR_SUCCEEDED);
    json_array_set_new(p->results, slot, output);
    *succeeded = 1;
  }
  p->prev_event = caused_by;
  if (map && p->started < p->nkids && start_item(p, p->started)) return;
  p->prev_event = ended;
  if (p->finished == p->nkids) succeed(p, map);
}

static void redrive_child(m_run *c) { aev__run_redrive(c, c->parent->prev_event); }

/* A Distributed Map's redrive (MapRunRedriven): its children that did not
 * succeed run again, the ones not yet started start as MaxConcurrency
 * allows. */
static void redrive_map_run(m_run *p) {
  aev__map_run_redriven(p->e, p->mr);
  aev__run_event(p, "MapRunRedriven", "mapRunRedrivenEventDetails",
                 recording(p) ? json_pack("{s:s,s:i}", "mapRunArn", p->mr->arn, "redriveCount", p->mr->redrives)
                              : NULL);
  const unsigned gen = p->gen;
  for (size_t slot = 0; slot < p->started && p->gen == gen; slot++) {
    if (p->mr->kids[slot].ok) {
      p->finished++;
      continue;
    }
    p->running++;
    iteration_event(p, NULL, NULL, slot, -1, MR_RUNNING);
    if (aev__map_run_respawn(p, slot)) return;
  }
  if (p->gen != gen) return;
  start_items(p);
  if (p->finished == p->nkids) succeed(p, 1);
}

void aev__flow_redrive(m_run *p) {
  const int map = aev__run_state(p)->type == ST_MAP;
  const unsigned attempt = p->results_gen;
  p->results_gen = ++p->gen;
  p->finished = p->failed = p->running = 0;
  if (p->mr) {
    redrive_map_run(p);
    return;
  }
  /* Posted, as spawn() posts a new child: runs added meanwhile are not
   * this attempt's. */
  const size_t n = p->e->nruns;
  for (size_t i = 0; i < n; i++) {
    m_run *c = p->e->runs[i];
    if (c->parent != p || c->spawn_gen != attempt) continue;
    c->spawn_gen = p->gen;
    if (c->succeeded) {
      p->finished++;
      continue;
    }
    c->finished_run = 0; /* alive again, for its post to run */
    p->running++;
    if (map)
      iteration_event(p, "MapIterationStarted", "mapIterationStartedEventDetails", c->slot, -1, MR_RUNNING);
    aev__run_post(c, redrive_child);
  }
  if (map) start_items(p);
  if (p->finished == p->nkids) succeed(p, map);
}
