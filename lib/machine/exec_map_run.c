/* A Distributed Map's children: each an execution of its Map Run's
 * labelled machine (<machine>/<label>), with a history of its own and none
 * of its events in the parent's, as AWS runs them. A child is started on
 * the parent's strand; its end comes back there, where exec_flow.c counts
 * it as an inline Map counts an iteration. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "machine/exec_int.h"

/* A started child, watched: where its end goes. */
typedef struct kid_link {
  aev_execution *e; /* the parent: a reference */
  m_run *r;         /* the Map state's run */
  unsigned gen;     /* r->gen when the child started */
  size_t slot;
  int outcome; /* MR_* */
  char *output, *error, *cause;
  aev__task_node node; /* its post back: an end that exists is never lost */
} kid_link;

static void link_free(kid_link *l) {
  free(l->output);
  free(l->error);
  free(l->cause);
  aev__execution_unref(l->e);
  free(l);
}

size_t aev__map_run_slot_items(const m_run *r, size_t slot) {
  if (!aev__run_state(r)->item_batcher) return 1;
  return json_array_size(json_object_get(json_array_get(r->items, slot), "Items"));
}

void aev__run_start_failed(m_run *r, int rc) {
  if (rc == AEV_ERR_NOMEM) aev__run_oom(r);
  else aev__run_fail(r, "States.Runtime", aev_errmsg(), 1);
}

/* On the parent's strand: the child's end, counted. */
static void kid_back(void *arg, int cancelled) {
  kid_link *l = arg;
  if (!cancelled && !aev__run_dead(l->r)) {
    json_t *out = NULL;
    if (l->outcome == MR_SUCCEEDED && aev__json_parse_str(l->output, JSON_DECODE_ANY, &out)) {
      aev__run_oom(l->r); /* never a success without its output */
    } else {
      aev__flow_child_end(l->r, l->slot, l->gen, &l->r->mr->kids[l->slot].ok, out, l->outcome, l->error,
                          l->cause, 0);
    }
  }
  link_free(l);
}

static char *copy(const char *s, int *lost) {
  char *c = s ? strdup(s) : NULL;
  *lost |= s && !c;
  return c;
}

/* On the child's strand (kid NULL: it was freed unfinished, as the broker
 * closed): what it ended with goes to the parent's. */
static void kid_ended(aev_execution *kid, void *user) {
  kid_link *l = user;
  if (!kid) {
    link_free(l);
    return;
  }
  int lost = 0;
  pthread_mutex_lock(&kid->mu);
  const int status = kid->status;
  l->output = copy(kid->output, &lost);
  l->error = copy(kid->error, &lost);
  l->cause = copy(kid->cause, &lost);
  pthread_mutex_unlock(&kid->mu);
  l->outcome = status == AEV_EXECUTION_SUCCEEDED   ? MR_SUCCEEDED
               : status == AEV_EXECUTION_TIMED_OUT ? MR_TIMED_OUT
               : status == AEV_EXECUTION_ABORTED   ? MR_ABORTED
                                                   : MR_FAILED;
  if (lost) { /* what it ended with could not be kept: a failure, never a success */
    free(l->error);
    free(l->cause);
    l->error = l->cause = NULL;
    l->outcome = MR_FAILED;
  }
  if (aev__sched_post_node(aev__broker_sched(l->e->b), l->e->strand, &l->node, kid_back, l)) link_free(l);
}

/* Watches kid, slot's child of r's current attempt. */
static void watch(m_run *r, size_t slot, aev_execution *kid, kid_link *l) {
  *l = (kid_link){.e = r->e, .r = r, .gen = r->gen, .slot = slot};
  r->e->refs++;
  aev__exec_watch(kid, kid_ended, l);
}

/* Starts slot's child on input (a JSON text, freed here; NULL: it could
 * not be made, out of memory), or fails r. */
static int start_kid(m_run *r, size_t slot, char *input) {
  m_map_run *mr = r->mr;
  kid_link *l = input ? malloc(sizeof *l) : NULL;
  aev_execution *kid = NULL;
  const size_t items = aev__map_run_slot_items(r, slot);
  int rc = l ? aev__machine_start_child(mr->machine, mr->arn, items, input, strlen(input), &kid) : aev__nomem();
  free(input);
  char *arn = rc ? NULL : strdup(kid->arn);
  if (!rc && !arn) { /* a child the run could not keep track of: stopped */
    aev_execution_stop(kid, NULL, NULL);
    aev_execution_release(kid);
    rc = aev__nomem();
  }
  if (rc) {
    free(l);
    r->gen++; /* the other children stop */
    aev__tokens_close_dead(r->e);
    aev__run_start_failed(r, rc);
    return -1;
  }
  pthread_mutex_lock(&r->e->mu);
  free(mr->kids[slot].arn);
  mr->kids[slot] = (m_kid){arn, 0};
  pthread_mutex_unlock(&r->e->mu);
  watch(r, slot, kid, l);
  aev_execution_release(kid);
  return 0;
}

int aev__map_run_spawn(m_run *r, size_t slot, json_t *input) {
  char *text = aev__json_dumps(input, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(input);
  return start_kid(r, slot, text);
}

int aev__map_run_respawn(m_run *r, size_t slot) {
  aev_execution *kid;
  const char *arn = r->mr->kids[slot].arn;
  if (!arn || aev__execution_find(r->e->b, arn, &kid)) {
    /* Never started (the run failed as it started it), or gone (its
     * machine's retention): started anew. */
    json_t *input = aev__flow_child_input(r, slot);
    return input ? aev__map_run_spawn(r, slot, input) : -1;
  }
  /* AWS redrives a STANDARD child (REDRIVABLE_BY_MAP_RUN) and starts an
   * EXPRESS one again, on the input it had. */
  kid_link *l = malloc(sizeof *l);
  if (l && kid->type == AEV_MACHINE_STANDARD && !aev__execution_redrive_child(kid)) {
    watch(r, slot, kid, l);
    aev_execution_release(kid);
    return 0;
  }
  free(l);
  char *input = strdup(kid->input);
  aev_execution_release(kid);
  return start_kid(r, slot, input);
}
