/* The walk of the exact values of a machine over events whose named fields
 * sit in no array: match.c's walk, level by level in three passes over a
 * batch's events, without what only other states and events need. A step
 * keeps no parent and no field (nothing to check array elements against),
 * a lookup has no value machine to try, and the hot tables are held in
 * locals rather than read again through the machine after every store. A
 * big set of exact patterns, the common case, matches an event in fewer
 * instructions. A batch that reaches a state with a value machine or an
 * exists:false step (a prefix, a numeric range, ...) is given back, as it
 * was, to match.c's walk: a set with a few such patterns keeps this walk
 * for the events that do not reach them. */
#include <stddef.h>
#include <stdlib.h>

#include "core/status.h"
#include "pattern/walk.h"

/* A reached state: its signature when it is PLAIN (never 0; it is then not
 * loaded), the groups its steps consumed (see match.c's item) and which
 * event of the batch reached it. */
typedef struct step {
  uint32_t state, sig, done, event;
} step;

/* One exact-value lookup. Pass 1 queues it with its field; pass 2 keeps
 * what it found in its place: the values entry's words (t0, t1) and their
 * leaf list, or NULL. Its first four words are laid out as a step's, so
 * that pass 3 makes the step it leads to with one mask. */
typedef struct lookup {
  uint32_t h, state; /* then t0, t1 */
  uint32_t done, event;
  const void *p; /* the field, then the leaf list */
} lookup;
_Static_assert(offsetof(lookup, done) == offsetof(step, done) &&
                   offsetof(lookup, event) == offsetof(step, event) && sizeof(step) == 16,
               "a lookup begins as a step");
typedef uint32_t u32x4 __attribute__((vector_size(16)));

/* A buffer that starts as an array on the stack. */
typedef struct room {
  void *v, *in;
  size_t cap;
} room;

/* Makes r hold need elements: 0, or -1 when out of memory. */
static __attribute__((noinline)) int grow(room *r, size_t need, size_t elem) {
  size_t cap = r->cap;
  while (cap < need) cap *= 2;
  void *v = r->v == r->in ? malloc(cap * elem) : realloc(r->v, cap * elem);
  if (!v) return -1;
  if (r->v == r->in) memcpy(v, r->in, r->cap * elem);
  r->v = v;
  r->cap = cap;
  return 0;
}

static inline int room_for(room *r, size_t need, size_t elem) {
  return need <= r->cap ? 0 : grow(r, need, elem);
}

int aev__pm_exact_applies(const pm_machine *m, const pm_event *const *ev, size_t n) {
  /* A start state with a value machine or an exists:false step would give
   * every batch back at once. */
  if (!m->values.cap || m->st[0].paths.flags) return 0;
  for (size_t e = 0; e < n; e++)
    if (ev[e]->nt || ev[e]->ng > 32) return 0; /* done has a bit for each group */
  return 1;
}

/* The groups of ev a state leads on: a PLAIN state's by its signature,
 * else by its paths (all groups when it has more paths than ev groups:
 * looking up a field it has no transition on only finds nothing). */
static uint32_t wanted(const pm_machine *m, const pm_event *ev, const step *x) {
  if (x->sig) return signature_groups(ev, x->sig, ev->ng);
  const mstate *s = &m->st[x->state];
  if (s->paths.n > ev->ng) return signature_groups(ev, PM_SIG_ALL, ev->ng);
  const uint32_t *paths = sv_data(&s->paths);
  uint32_t want = 0;
  for (size_t k = 0; k < s->paths.n; k++) {
    const pm_group *g = aev__pm_group_of(ev, paths[k]);
    if (g) want |= 1u << (g - ev->g);
  }
  return want;
}

/* Writes at l the lookup of field f from step x (done: the groups it has
 * consumed then), its bucket loading; returns whether the filter lets it
 * through (1: l counts). No branch on the filter's answer. */
static inline __attribute__((always_inline)) size_t queue(lookup *l, const step *x, uint32_t done,
                                                          const pm_field *f,
                                                          const pmap_entry *table, size_t mask,
                                                          const uint64_t *filter, size_t fmask) {
  const uint32_t h = aev__pmap_mix(x->state, f->k.digest);
  __builtin_prefetch(&table[h & mask]);
  *l = (lookup){h, x->state, done, x->event, f};
  return (size_t)filter_has(filter, fmask, h);
}

int aev__pm_exact_match(const pm_machine *m, const pm_event *const *ev, size_t n,
                        pm_slots *const *out) {
  /* Ten events of the bench's 100,000-pattern set look up some seventy
   * fields a level, each leading to at most one step: both fit here. */
  step step_in[128];
  lookup lookup_in[128];
  size_t had_in[16]; /* each event's slots before the walk, to give a batch back */
  room sr = {step_in, step_in, 128}, lr = {lookup_in, lookup_in, 128},
       hr = {had_in, had_in, 16};
  const uint64_t *filter = m->filter;
  const size_t fmask = m->fwords - 1;
  pmap_entry *table = m->values.e;
  const size_t mask = m->values.cap - 1;
  const char *keys = m->values.keys;
  const uint32_t *leaves = m->leaves;
  int rc = room_for(&sr, n, sizeof(step));
  if (!rc) rc = room_for(&hr, n, sizeof(size_t));
  size_t ns = 0; /* the level's steps */
  for (size_t e = 0; e < n && !rc; e++) {
    ((step *)sr.v)[ns++] = (step){0, 0, 0, (uint32_t)e};
    ((size_t *)hr.v)[e] = out[e]->n;
  }
  while (ns && !rc) {
    size_t nl = 0;
    /* Pass 1: each state's accepted slots, and the lookups of the fields
     * it leads on, their buckets loading. The filter's answer takes no
     * branch: a lookup it turns away is written and not counted. */
    for (size_t i = 0; i < ns && !rc; i++) {
      const step x = ((const step *)sr.v)[i];
      const pm_event *e = ev[x.event];
      if (!x.sig) {
        if (m->st[x.state].paths.flags) { /* ST_COMPLEX or ST_ABSENT */
          rc = AEV_PM_EXACT_GIVEN_BACK;
          break;
        }
        const svec *acc = &m->st[x.state].accept;
        pm_slots *o = out[x.event];
        if (acc->n && !(rc = slots_room(o, acc->n))) {
          memcpy(o->v + o->n, sv_data(acc), acc->n * sizeof *o->v);
          o->n += acc->n;
        }
      }
      if (rc || (rc = room_for(&lr, nl + e->nf, sizeof(lookup)))) break;
      lookup *l = lr.v;
      const uint32_t want = wanted(m, e, &x) & ~x.done;
      if (e->singles) { /* the common event: group k is field k, its group not read */
        for (uint32_t w = want; w; w &= w - 1) {
          const uint32_t k = (uint32_t)__builtin_ctz(w);
          nl += queue(&l[nl], &x, x.done | 1u << k, e->f + k, table, mask, filter, fmask);
        }
      } else {
        for (uint32_t w = want; w; w &= w - 1) {
          const uint32_t k = (uint32_t)__builtin_ctz(w), done = x.done | 1u << k;
          const pm_field *f = e->f + e->g[k].first, *end = f + e->g[k].n;
          for (; f < end; f++) nl += queue(&l[nl], &x, done, f, table, mask, filter, fmask);
        }
      }
    }
    if (rc) break;
    /* Pass 2: the lookups made, what they lead to loading. */
    lookup *l = lr.v;
    for (size_t k = 0; k < nl; k++) {
      const pm_fkey *key = &((const pm_field *)l[k].p)->k;
      const uint32_t *tg =
          aev__pmap_probe(table, mask, keys, l[k].h, l[k].state, key->b, key->key, key->n);
      l[k].p = NULL;
      if (!tg) continue;
      const uint32_t t0 = tg[0], t1 = tg[1];
      const uint32_t *list = leaf_list(leaves, t1);
      l[k].h = t0;
      l[k].state = t1;
      l[k].p = list;
      const void *next = list;
      /* A state that must be loaded is rare in a big set. */
      if (__builtin_expect(!t1 && (t0 & DIRECT), 0)) next = &m->st[t0 & ~DIRECT];
      __builtin_prefetch(next);
    }
    /* Pass 3: what they found followed into the next level's steps, which
     * take the place of this one's: each direct result to at most one
     * step, for which room is made first. */
    ns = 0;
    if ((rc = room_for(&sr, nl, sizeof(step)))) break;
    step *s = sr.v;
    for (size_t k = 0; k < nl && !rc; k++) {
      const uint32_t *list = l[k].p;
      if (!list) continue;
      const uint32_t t0 = l[k].h, t1 = l[k].state, done = l[k].done, event = l[k].event;
      if (__builtin_expect((t0 & DIRECT) && t1, 1)) {
        pm_slots *o = out[event];
        const uint32_t many = list[0] > LIST_FAST ? list[0] : 0;
        if ((rc = slots_room(o, LIST_FAST + 1 + many))) break;
        if (__builtin_expect(many, 0)) {
          memcpy(o->v + o->n, list + 2, many * sizeof *o->v);
          o->n += many;
          continue;
        }
        accept_leaf(o, list, t1);
        u32x4 next;
        memcpy(&next, &l[k], sizeof next);
        next &= (u32x4){~DIRECT, ~PLAIN, ~0u, ~0u};
        memcpy(&s[ns], &next, sizeof next);
        ns += (t1 & PLAIN) == PLAIN;
      } else if (t0 & DIRECT) {
        s[ns++] = (step){t0 & ~DIRECT, 0, done, event};
      } else {
        const pm_u32vec *t = &m->tg[t0];
        if ((rc = room_for(&sr, ns + t->n + nl - k, sizeof(step)))) break;
        s = sr.v;
        for (size_t q = 0; q < t->n; q++) s[ns++] = (step){t->v[q], 0, done, event};
      }
    }
  }
  if (rc == AEV_PM_EXACT_GIVEN_BACK)
    for (size_t e = 0; e < n; e++) out[e]->n = ((const size_t *)hr.v)[e];
  if (sr.v != sr.in) free(sr.v);
  if (lr.v != lr.in) free(lr.v);
  if (hr.v != hr.in) free(hr.v);
  if (rc == AEV_PM_EXACT_GIVEN_BACK) return rc;
  return rc ? aev__nomem() : AEV_OK;
}
