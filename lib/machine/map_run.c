/* Map Runs: what a Distributed Map state's run of its children is to
 * ListMapRuns, DescribeMapRun and UpdateMapRun (AWS's "Examining Map
 * Runs"), and its labelled machine, whose executions the children are
 * (started and awaited in exec_map_run.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/status.h"
#include "machine/exec_int.h"

static const char *const status_names[MR_N] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};

/* v with key set to the date ms, or NULL (v released) out of memory. */
static json_t *with_date(json_t *v, const char *key, int64_t ms) {
  if (v && json_object_set_new(v, key, json_real((double)ms / 1000.0))) {
    json_decref(v);
    return NULL;
  }
  return v;
}

static int64_t now_ms(aev_execution *e) { return aev__clock_now_ms(aev__broker_clock(e->b)); }

/* The children's definition: the Map state's ItemProcessor as a machine
 * of its own, in the query language its states inherit (the parent
 * machine's). A new text, or NULL out of memory. */
static char *children_definition(const m_run *r) {
  const m_state *s = aev__run_state(r);
  json_t *def = json_deep_copy(s->processor_json), *ql = json_object_get(r->e->def->json, "QueryLanguage");
  int lost = !def || json_object_del(def, "ProcessorConfig") || (ql && json_object_set(def, "QueryLanguage", ql));
  char *text = lost ? NULL : aev__json_dumps(def, JSON_COMPACT);
  json_decref(def);
  return text;
}

static void map_run_free(m_map_run *mr) {
  for (size_t i = 0; mr->kids && i < mr->execs; i++) free(mr->kids[i].arn);
  free(mr->kids);
  /* A run's own labelled machine goes with it (when its execution is
   * deleted or leaves its retention), as its children do; a Label's
   * machine is shared, and goes with the parent machine. */
  if (mr->own_machine && mr->machine) aev__registry_remove(mr->machine->res.broker, &mr->machine->res);
  aev_machine_release(mr->machine);
  free(mr->arn);
  free(mr);
}

int aev__map_run_new(m_run *r, const char *label, size_t execs, size_t items, m_map_run **out) {
  aev_execution *e = r->e;
  char id[AEV_UUID_LEN + 1], generated[AEV_UUID_LEN + 1];
  aev__broker_uuid(e->b, id);
  /* Without a Label, AWS labels the run with a UUID ("{MapRunLabel or
   * UUID}" in the Map Run page). */
  const int own = !label;
  if (own) {
    aev__broker_uuid(e->b, generated);
    label = generated;
  }
  const char *arn = e->m->res.arn, *tail = strstr(arn, ":stateMachine:");
  m_map_run *mr = tail ? calloc(1, sizeof *mr) : NULL;
  if (!mr) return aev__nomem();
  size_t n = strlen(arn) + strlen(label) + sizeof id + 16;
  mr->arn = malloc(n);
  mr->kids = calloc(execs ? execs : 1, sizeof *mr->kids);
  mr->execs = execs;
  mr->own_machine = own;
  char *def = children_definition(r);
  if (!mr->arn || !mr->kids || !def) {
    free(def);
    map_run_free(mr);
    return aev__nomem();
  }
  snprintf(mr->arn, n, "%.*s:mapRun:%s/%s:%s", (int)(tail - arn), arn, tail + 14, label, id);
  const int type = aev__run_state(r)->express_children ? AEV_MACHINE_EXPRESS : AEV_MACHINE_STANDARD;
  int rc = aev__map_machine(e, label, def, strlen(def), type, &mr->machine);
  free(def);
  if (rc) {
    map_run_free(mr);
    return rc;
  }
  pthread_mutex_lock(&e->mu);
  if (e->nmap_runs == e->capmap_runs) {
    size_t cap = e->capmap_runs ? 2 * e->capmap_runs : 4;
    m_map_run **v = realloc(e->map_runs, cap * sizeof *v);
    if (v) {
      e->map_runs = v;
      e->capmap_runs = cap;
    }
  }
  const int room = e->nmap_runs < e->capmap_runs;
  if (room) {
    mr->status = MR_RUNNING;
    mr->start_ms = now_ms(e);
    mr->items = items;
    mr->run = r;
    e->map_runs[e->nmap_runs++] = mr;
  }
  pthread_mutex_unlock(&e->mu);
  if (!room) {
    map_run_free(mr);
    return aev__nomem();
  }
  *out = mr;
  return AEV_OK;
}

void aev__map_run_child(aev_execution *e, m_map_run *mr, size_t items, int from, int to) {
  pthread_mutex_lock(&e->mu);
  if (from >= 0) {
    mr->exec_n[from]--;
    mr->item_n[from] -= items;
  }
  mr->exec_n[to]++;
  mr->item_n[to] += items;
  pthread_mutex_unlock(&e->mu);
}

/* Under e->mu: the run ends with status. */
static void end_locked(aev_execution *e, m_map_run *mr, int status) {
  mr->status = status;
  mr->stop_ms = now_ms(e);
  if (status == MR_SUCCEEDED) return;
  /* AWS's "aborted": children "stopped ... by Step Functions because the
   * Map Run failed" (or was aborted); the pending ones never start. */
  mr->exec_n[MR_ABORTED] += mr->exec_n[MR_RUNNING];
  mr->item_n[MR_ABORTED] += mr->item_n[MR_RUNNING];
  mr->exec_n[MR_RUNNING] = mr->item_n[MR_RUNNING] = 0;
}

/* Stops the children of mr that have not ended (as AWS aborts them when
 * the run fails or is aborted): whatever they answer then is not waited
 * for. The ARNs are copied under e->mu, the children stopped outside it. */
static void stop_children(aev_execution *e, m_map_run *mr) {
  pthread_mutex_lock(&e->mu);
  size_t n = 0;
  char **arns = malloc((mr->execs ? mr->execs : 1) * sizeof *arns);
  for (size_t i = 0; arns && i < mr->execs; i++)
    if (mr->kids[i].arn && !mr->kids[i].ok && (arns[n] = strdup(mr->kids[i].arn))) n++;
  pthread_mutex_unlock(&e->mu);
  for (size_t i = 0; i < n; i++) {
    aev_execution *kid;
    if (!aev__execution_find(e->b, arns[i], &kid)) {
      if (aev_execution_status(kid) == AEV_EXECUTION_RUNNING) aev_execution_stop(kid, NULL, NULL);
      aev_execution_release(kid);
    }
    free(arns[i]);
  }
  free(arns);
}

void aev__map_run_end(aev_execution *e, m_map_run *mr, int status) {
  pthread_mutex_lock(&e->mu);
  end_locked(e, mr, status);
  pthread_mutex_unlock(&e->mu);
  if (status != MR_SUCCEEDED) stop_children(e, mr);
}

void aev__map_run_redriven(aev_execution *e, m_map_run *mr) {
  pthread_mutex_lock(&e->mu);
  mr->status = MR_RUNNING;
  mr->stop_ms = 0;
  mr->redrives++;
  mr->redrive_ms = now_ms(e);
  /* The children that did not succeed pend again. */
  for (int k = MR_RUNNING; k < MR_N; k++)
    if (k != MR_SUCCEEDED) mr->exec_n[k] = mr->item_n[k] = 0;
  pthread_mutex_unlock(&e->mu);
}

void aev__map_runs_close(aev_execution *e) {
  for (size_t i = 0; i < e->nmap_runs; i++)
    if (e->map_runs[i]->status == MR_RUNNING) aev__map_run_end(e, e->map_runs[i], MR_ABORTED);
}

void aev__map_runs_free(aev_execution *e) {
  for (size_t i = 0; i < e->nmap_runs; i++) map_run_free(e->map_runs[i]);
  free(e->map_runs);
}

static int not_found(void) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFound", "Request references a resource that does not exist.");
}

int aev__map_run_find(aev_broker *b, const char *arn, aev_execution **out, m_map_run **mr) {
  /* arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID, MACHINE itself
   * labelled (MACHINE/LABEL) for a run inside a child. */
  const char *p = strstr(arn, ":mapRun:"), *id = strrchr(arn, ':'), *slash = NULL;
  for (const char *q = p ? p + 8 : NULL; q && q < id; q++)
    if (*q == '/') slash = q;
  if (!slash) return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: '%s'", arn);
  char name[256];
  snprintf(name, sizeof name, "%.*s", (int)(slash - (p + 8)), p + 8);
  aev_machine *m =
      (aev_machine *)aev__registry_find(b, strchr(name, '/') ? AEV__KIND_MAP_MACHINE : AEV__KIND_MACHINE, name);
  if (!m) return not_found();
  aev_execution **list;
  size_t n;
  int rc = aev__machine_executions(m, &list, &n);
  aev_machine_release(m);
  if (rc) return rc;
  *out = NULL;
  for (size_t i = 0; i < n; i++) {
    aev_execution *e = list[i];
    pthread_mutex_lock(&e->mu);
    for (size_t k = 0; !*out && k < e->nmap_runs; k++)
      if (!strcmp(e->map_runs[k]->arn, arn)) {
        *out = e;
        *mr = e->map_runs[k];
      }
    pthread_mutex_unlock(&e->mu);
    if (*out != e) aev_execution_release(e);
  }
  free(list);
  return *out ? AEV_OK : not_found();
}

static json_t *counts(const m_map_run *mr, size_t total, const size_t *n) {
  size_t done = 0;
  for (int k = 0; k < MR_N; k++) done += n[k];
  /* Results are written when the run succeeds (AWS recorded resultsWritten
   * equal to total without a ResultWriter); a run that did not succeed
   * leaves those that did not succeed to a redrive. */
  const size_t written = mr->status == MR_SUCCEEDED ? total : 0;
  const size_t redrive = mr->status == MR_FAILED || mr->status == MR_ABORTED ? total - n[MR_SUCCEEDED] : 0;
  return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "pending", (json_int_t)(total - done),
                   "running", (json_int_t)n[MR_RUNNING], "succeeded", (json_int_t)n[MR_SUCCEEDED],
                   "failed", (json_int_t)n[MR_FAILED], "timedOut", (json_int_t)n[MR_TIMED_OUT], "aborted",
                   (json_int_t)n[MR_ABORTED], "total", (json_int_t)total, "resultsWritten",
                   (json_int_t)written, "failuresNotRedrivable", (json_int_t)0, "pendingRedrive",
                   (json_int_t)redrive);
}

json_t *aev__map_run_json(aev_execution *e, m_map_run *mr) {
  pthread_mutex_lock(&e->mu);
  json_t *v = json_pack("{s:s,s:s,s:s,s:f,s:I,s:f,s:I,s:o,s:o,s:i}", "mapRunArn", mr->arn, "executionArn",
                        e->arn, "status", status_names[mr->status], "startDate",
                        (double)mr->start_ms / 1000.0, "maxConcurrency", (json_int_t)mr->max_concurrency,
                        "toleratedFailurePercentage", mr->tolerated_pct, "toleratedFailureCount",
                        (json_int_t)mr->tolerated_count, "itemCounts", counts(mr, mr->items, mr->item_n),
                        "executionCounts", counts(mr, mr->execs, mr->exec_n), "redriveCount", mr->redrives);
  if (mr->status != MR_RUNNING) v = with_date(v, "stopDate", mr->stop_ms);
  if (mr->redrives) v = with_date(v, "redriveDate", mr->redrive_ms);
  pthread_mutex_unlock(&e->mu);
  return v;
}

json_t *aev__map_run_item(aev_execution *e, m_map_run *mr) {
  pthread_mutex_lock(&e->mu);
  json_t *v = json_pack("{s:s,s:s,s:s,s:f}", "executionArn", e->arn, "mapRunArn", mr->arn, "stateMachineArn",
                        mr->machine->res.arn, "startDate", (double)mr->start_ms / 1000.0);
  if (mr->status != MR_RUNNING) v = with_date(v, "stopDate", mr->stop_ms);
  pthread_mutex_unlock(&e->mu);
  return v;
}

typedef struct update {
  aev_execution *e;
  m_map_run *mr;
} update;

/* On the parent's strand, where only the run's own Map state (still
 * running it) takes the new values. */
static void updated(void *arg, int cancelled) {
  update *u = arg;
  m_run *r = u->mr->run;
  if (!cancelled && !aev__run_dead(r) && r->mr == u->mr && u->mr->status == MR_RUNNING)
    aev__flow_map_updated(r);
  aev__execution_unref(u->e);
  free(u);
}

int aev__map_run_update(aev_execution *e, m_map_run *mr, const int64_t *max_concurrency,
                        const double *tolerated_pct, const int64_t *tolerated_count) {
  update *u = malloc(sizeof *u);
  if (!u) return aev__nomem();
  pthread_mutex_lock(&e->mu);
  const int status = mr->status, running = status == MR_RUNNING;
  if (running) {
    if (max_concurrency) mr->max_concurrency = *max_concurrency;
    if (tolerated_pct) mr->tolerated_pct = *tolerated_pct;
    if (tolerated_count) mr->tolerated_count = *tolerated_count;
  }
  pthread_mutex_unlock(&e->mu);
  if (!running) {
    free(u);
    /* The API model's reason CANNOT_UPDATE_COMPLETED_MAP_RUN: "Updates an
     * in-progress Map Run's configuration". */
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "Map Run %s is %s and cannot be updated.",
                     mr->arn, status_names[status]);
  }
  /* The run takes the new values on its strand, where it starts children. */
  *u = (update){e, mr};
  e->refs++;
  int rc = aev__sched_post(aev__broker_sched(e->b), e->strand, updated, u);
  if (rc) {
    e->refs--;
    free(u);
  }
  return rc;
}
