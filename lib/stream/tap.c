/* Taps on a stream's new records (Firehose sources). The list lives under
 * the stream's lock; a put takes a counted snapshot under the lock and
 * calls the taps after releasing it, so a tap removed meanwhile is freed
 * (and its drop run) only once its last call has returned. */
#include <stdlib.h>

#include "core/status.h"
#include "stream/stream.h"

struct aev__tap {
  aev__tap *next;
  aev__stream_tap_fn fn;
  aev__stream_tap_prep_fn prep;
  void *arg;
  void (*drop)(void *arg);
  long refs; /* the list's, and one per snapshot holding it (mu) */
};

/* t[k]'s prepared value for record i is prep[k * nrec + i]. */
struct aev__tap_set {
  size_t n, nrec;
  void **prep;
  aev__tap *t[];
};

int aev__stream_tap_add(aev_stream *s, aev__stream_tap_fn fn,
                        aev__stream_tap_prep_fn prep, void *arg,
                        void (*drop)(void *arg), aev__tap **out) {
  aev__tap *t = calloc(1, sizeof *t);
  if (!t) return aev__nomem();
  t->fn = fn;
  t->prep = prep;
  t->arg = arg;
  t->drop = drop;
  t->refs = 1;
  pthread_mutex_lock(&s->mu);
  t->next = s->taps;
  s->taps = t;
  pthread_mutex_unlock(&s->mu);
  *out = t;
  return AEV_OK;
}

/* mu held: drops one reference; returns t when it was the last. */
static aev__tap *unref_locked(aev__tap *t) { return --t->refs ? NULL : t; }

static void free_tap(aev__tap *t) {
  if (!t) return;
  if (t->drop) t->drop(t->arg);
  free(t);
}

void aev__stream_tap_remove(aev_stream *s, aev__tap *t) {
  pthread_mutex_lock(&s->mu);
  aev__tap **pp = &s->taps;
  while (*pp && *pp != t) pp = &(*pp)->next;
  aev__tap *gone = NULL;
  if (*pp) {
    *pp = t->next;
    gone = unref_locked(t);
  }
  pthread_mutex_unlock(&s->mu);
  free_tap(gone);
}

aev__tap_set *aev__taps_acquire(aev_stream *s, size_t nrec) {
  if (!s->taps) return NULL;
  size_t n = 0, preps = 0;
  for (aev__tap *t = s->taps; t; t = t->next) {
    n++;
    preps += t->prep != NULL;
  }
  aev__tap_set *set = malloc(sizeof *set + n * sizeof set->t[0]);
  void **prep = preps ? calloc(n * nrec, sizeof *prep) : NULL;
  if (!set || (preps && !prep)) {
    free(set);
    free(prep);
    return NULL;
  }
  set->n = 0;
  set->nrec = nrec;
  set->prep = prep;
  for (aev__tap *t = s->taps; t; t = t->next) {
    t->refs++;
    set->t[set->n++] = t;
  }
  return set;
}

int aev__taps_prepare(aev__tap_set *set, size_t i, const void *data,
                      size_t len) {
  for (size_t k = 0; set && k < set->n; k++) {
    aev__tap *t = set->t[k];
    if (t->prep && !(set->prep[k * set->nrec + i] = t->prep(t->arg, data, len)))
      return -1;
  }
  return 0;
}

void aev__taps_call(aev__tap_set *set, size_t i, const char *shard_id,
                    const char *seq, const char *key, const void *data,
                    size_t len, int64_t arrival_ms) {
  for (size_t k = 0; set && k < set->n; k++) {
    void *prepared = NULL;
    if (set->prep) {
      prepared = set->prep[k * set->nrec + i];
      set->prep[k * set->nrec + i] = NULL; /* the tap's now */
    }
    set->t[k]->fn(set->t[k]->arg, shard_id, seq, key, data, len, arrival_ms,
                  prepared);
  }
}

void aev__taps_release(aev_stream *s, aev__tap_set *set) {
  if (!set) return;
  pthread_mutex_lock(&s->mu);
  size_t gone = 0;
  for (size_t i = 0; i < set->n; i++)
    if (unref_locked(set->t[i])) set->t[gone++] = set->t[i];
  pthread_mutex_unlock(&s->mu);
  for (size_t i = 0; i < gone; i++) free_tap(set->t[i]);
  for (size_t i = 0; set->prep && i < set->n * set->nrec; i++)
    free(set->prep[i]);
  free(set->prep);
  free(set);
}
