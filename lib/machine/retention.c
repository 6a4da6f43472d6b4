/* Retention of finished STANDARD executions. AWS keeps a closed execution
 * for 90 days, then DescribeExecution answers ExecutionDoesNotExist and
 * ListExecutions leaves it out. Expiry is computed lazily on the broker
 * clock: every start, lookup or listing first drops the executions whose
 * retention has passed, so memory stays bounded by the executions started
 * within one retention period. m->prune_at (the earliest expiry known) keeps
 * the common case a single comparison. */
#include <stdint.h>
#include <stdlib.h>

#include "core/status.h"
#include "machine/machine_int.h"

#define DEFAULT_RETENTION_MS (90LL * 24 * 3600 * 1000)

static int64_t expiry(int64_t stop_ms, int64_t retention_ms) {
  return stop_ms > INT64_MAX - retention_ms ? INT64_MAX : stop_ms + retention_ms;
}

void aev__machine_retention_init(aev_machine *m) {
  m->retention_ms = DEFAULT_RETENTION_MS;
  m->prune_at = INT64_MAX; /* nothing finished yet */
}

int aev_machine_set_retention(aev_machine *m, int64_t ms) {
  if (!m || ms < 0)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The retention of finished executions must be 0 or more milliseconds.");
  if (m->res.deleted) return aev__machine_gone(m);
  pthread_mutex_lock(&m->mu);
  m->retention_ms = ms;
  m->prune_at = INT64_MIN; /* rescan with the new period */
  pthread_mutex_unlock(&m->mu);
  return AEV_OK;
}

void aev__machine_finished(aev_machine *m, int64_t stop_ms) {
  pthread_mutex_lock(&m->mu);
  int64_t at = expiry(stop_ms, m->retention_ms);
  if (at < m->prune_at) m->prune_at = at;
  pthread_mutex_unlock(&m->mu);
}

void aev__machine_prune(aev_machine *m) {
  int64_t now = aev__clock_now_ms(aev__broker_clock(m->res.broker));
  pthread_mutex_lock(&m->mu);
  if (now < m->prune_at) {
    pthread_mutex_unlock(&m->mu);
    return;
  }
  aev_execution **dead = malloc((m->nexecs + 1) * sizeof *dead);
  size_t ndead = 0, kept = 0;
  int64_t next = INT64_MAX;
  for (size_t i = 0; i < m->nexecs; i++) {
    aev_execution *e = m->execs[i];
    pthread_mutex_lock(&e->mu);
    int finished = aev__exec_closed(e);
    int64_t at = expiry(e->stop_ms, m->retention_ms);
    pthread_mutex_unlock(&e->mu);
    if (dead && finished && at <= now) {
      dead[ndead++] = e;
      aev__index_del(&m->by_name, e);
      continue;
    }
    if (finished && at < next) next = at;
    m->execs[kept++] = e;
  }
  m->nexecs = kept;
  m->prune_at = dead ? next : now; /* out of memory: try again next time */
  pthread_mutex_unlock(&m->mu);
  /* The list's references, dropped without the machine's lock held. */
  for (size_t i = 0; i < ndead; i++) aev__execution_unref(dead[i]);
  free(dead);
}
