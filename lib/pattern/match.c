/* Matching: a flattened event (or a batch of them) walked through the
 * automaton that machine.c builds, to the slots it accepts. Where the
 * events have no arrays and reach exact values only, exact.c walks it
 * instead, with less to keep track of. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "pattern/walk.h"

/* A match walks the automaton breadth first: every state reached by the
 * same number of steps is one level, and a level's hash lookups (and the
 * states they lead to) are all started before any is used, so their cache
 * misses overlap. A big set's automaton is far larger than the caches; one
 * miss after another would otherwise make up most of a match. The events
 * of a batch are walked as one: each level's states, lookups and results
 * are one list for all of them, gone over in one loop each, so how many
 * each event has (as random as the events) costs no branch mispredicted
 * per event and pass. */

/* A reached state, with the step that reached it: its parent and the field
 * it consumed (NULL for an exists:false step), whose enclosing array
 * elements the fields of later steps must agree with. */
typedef struct item {
  uint32_t state;
  int32_t parent;
  const pm_field *f;
  uint32_t plain; /* a PLAIN state's signature (never 0): it is not loaded */
  /* Bit k: a step up to here consumed a field of the event's group k (for
   * k < 32; later groups are never skipped, which is only slower). A
   * branch names each path once and the branches through a state share
   * its steps, so no state has a transition on such a path: looking its
   * fields up again (in a big set, a hash and a filter probe each, or a
   * cache miss) would find nothing. */
  uint32_t done;
  uint32_t event; /* which event of the walk */
} item;

/* One exact-value lookup of a level. */
typedef struct cand {
  const pm_field *f;
  /* The item, and its state, event and done (with this lookup's group
   * added), kept here so following a result reads no item; side by side,
   * the same for every lookup of a group, so they are stored together. */
  uint32_t item, state, event, done;
  uint32_t h; /* 0: no exact lookup */
  uint32_t vm;
  const uint32_t *tg; /* the lookup's result */
} cand;

typedef struct walker {
  const pm_machine *m;
  const pm_event *const *ev;
  pm_slots *const *out;
  size_t nev;
  item *it;
  size_t nit, cit;
  cand *c;
  size_t nc, cc;
  size_t lo, hi;    /* the items of the level being walked */
  int complex;      /* some lookup of the level has a value machine */
  int rc;
  /* A single event's match mostly fits these, allocating nothing of its
   * own; a batch's grow once or twice. */
  item it_in[32];
  cand c_in[64];
} walker;

/* Grows a walker buffer that starts as one of its inline arrays (inl) to
 * hold need (> *cap) elements, doubling its capacity as often as that
 * takes, in one allocation: the buffer to use from now on, or NULL (w->rc
 * set; mem and *cap are unchanged). Rarely needed, so kept out of the
 * inlined callers. */
static __attribute__((noinline)) void *walk_room(walker *w, void *mem, const void *inl,
                                                 size_t *cap, size_t need, size_t elem) {
  size_t grown = *cap;
  while (grown < need) grown *= 2;
  void *b = mem == inl ? malloc(grown * elem) : realloc(mem, grown * elem);
  if (!b) {
    w->rc = AEV_ERR_NOMEM;
    return NULL;
  }
  if (mem == inl) memcpy(b, inl, *cap * elem);
  *cap = grown;
  return b;
}

/* Scanned for among a few groups, which flattening leaves in the order
 * read (see PM_FEW_GROUPS), else searched for in their sorted array. */
const pm_group *aev__pm_group_of(const pm_event *ev, uint32_t path) {
  if (ev->ng <= PM_FEW_GROUPS) {
    for (size_t k = 0; k < ev->ng; k++)
      if (ev->g[k].path == path) return &ev->g[k];
    return NULL;
  }
  size_t lo = 0, hi = ev->ng;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ev->g[mid].path == path) return &ev->g[mid];
    if (ev->g[mid].path < path) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* Fields of different elements of one array never combine: f may follow
 * the steps up to item i only if it sits in the same element of every
 * array it shares with their fields. */
static int consistent(const walker *w, int32_t i, const pm_field *f) {
  const pm_event *ev = w->ev[w->it[i].event];
  const uint32_t *t = ev->trails + f->trail;
  for (; i >= 0; i = w->it[i].parent) {
    const pm_field *g = w->it[i].f;
    if (!g) continue;
    const uint32_t *u = ev->trails + g->trail;
    for (uint32_t x = 0; x < f->ntrail; x++)
      for (uint32_t y = 0; y < g->ntrail; y++)
        if (t[2 * x] == u[2 * y] && t[2 * x + 1] != u[2 * y + 1]) return 0;
  }
  return 1;
}

/* Room for one more item. */
static inline int item_room(walker *w) {
  if (w->nit < w->cit) return 1;
  item *it = walk_room(w, w->it, w->it_in, &w->cit, w->nit + 1, sizeof *it);
  if (!it) return 0;
  w->it = it;
  return 1;
}

static inline void reach(walker *w, uint32_t state, int32_t parent, const pm_field *f,
                         uint32_t done, uint32_t plain, uint32_t event) {
  if (item_room(w)) w->it[w->nit++] = (item){state, parent, f, plain, done, event};
}

/* Room in o for n more slots. */
static inline int slot_room(walker *w, pm_slots *o, size_t n) {
  if (!slots_room(o, n)) return 1;
  w->rc = AEV_ERR_NOMEM;
  return 0;
}

/* Appends n slots to o. */
static inline void accept(walker *w, pm_slots *o, const uint32_t *slot, size_t n) {
  if (!slot_room(w, o, n)) return;
  for (size_t i = 0; i < n; i++) o->v[o->n++] = slot[i];
}

/* Where a lookup's result leads. Nearly every result of a big set is a
 * plain state, one slot or a list of slots, as random as the events: they
 * are told apart without branches. */
static inline __attribute__((always_inline)) void follow(walker *w, const cand *c) {
  const uint32_t t0 = c->tg[0], t1 = c->tg[1];
  const uint32_t event = c->event;
  if (__builtin_expect((t0 & DIRECT) && t1, 1)) {
    pm_slots *o = w->out[event];
    if (!slot_room(w, o, LIST_FAST + 1) || !item_room(w)) return;
    const uint32_t *l = leaf_list(w->m->leaves, t1);
    if (__builtin_expect(l[0] > LIST_FAST, 0)) {
      accept(w, o, l + 2, l[0]);
      return;
    }
    accept_leaf(o, l, t1);
    w->it[w->nit] =
        (item){t0 & ~DIRECT, (int32_t)c->item, c->f, t1 & ~PLAIN, c->done, event};
    w->nit += (t1 & PLAIN) == PLAIN;
    return;
  }
  if (t0 & DIRECT) {
    reach(w, t0 & ~DIRECT, (int32_t)c->item, c->f, c->done, 0, event);
    return;
  }
  const pm_u32vec *t = &w->m->tg[t0];
  for (size_t i = 0; i < t->n && !w->rc; i++)
    reach(w, t->v[i], (int32_t)c->item, c->f, c->done, 0, event);
}

/* A lookup try_complex() makes at once (prefix, suffix, equals-ignore-case). */
static void lookup(walker *w, const cand *c, int kind, const char *p, size_t n) {
  cand x = *c;
  x.tg = aev__pmap_get(&w->m->values, c->state, c->f->path << 3 | (uint32_t)kind, p, n);
  if (x.tg) follow(w, &x);
}

static void affixes(walker *w, const cand *c, const pm_u32vec *lens, int kind, const char *s,
                    size_t n, int suffix) {
  for (size_t i = 0; i < lens->n; i++)
    if (lens->v[i] <= n) lookup(w, c, kind, suffix ? s + n - lens->v[i] : s, lens->v[i]);
}

/* A range found holding a lookup's number: a step to its state. */
typedef struct range_hit {
  walker *w;
  const cand *c;
} range_hit;

static int reach_range(void *ctx, uint32_t next) {
  const range_hit *r = ctx;
  reach(r->w, next, (int32_t)r->c->item, r->c->f, r->c->done, 0, r->c->event);
  return r->w->rc;
}

/* Steps for the matchers of s that the lookup's value passes (all of
 * them when passed is set: the value is known to pass them). */
static void test_slow(walker *w, const cand *c, const slows *s, int passed) {
  for (size_t i = 0; i < s->n && !w->rc; i++) {
    const int pass = passed ? 1 : aev__pm_matcher_test(s->v[i].m, &c->f->v);
    if (pass < 0) w->rc = AEV_ERR_NOMEM;
    else if (pass) reach(w, s->v[i].next, (int32_t)c->item, c->f, c->done, 0, c->event);
  }
}

/* The matchers filed under a key of the lookup's value. A CIDR block's key
 * equal to the address's holds it, so only wildcards are tested (which
 * would parse the address again for each block). */
static void filed(walker *w, const cand *c, int how, const void *key, size_t n) {
  const uint32_t *k =
      aev__pmap_get(&w->m->filed, c->state, c->f->path << 1 | (uint32_t)how, key, n);
  if (k) test_slow(w, c, &w->m->fl[*k], how == FILED_CIDR);
}

/* Everything a value machine adds to the exact lookup. */
static void try_complex(walker *w, const cand *c, const vmach *v) {
  const pm_value *x = &c->f->v;
  if (x->type == PV_NUM && v->num.n) {
    range_hit r = {w, c};
    aev__pm_ranges_find(&v->num, x->num, reach_range, &r);
  }
  if (x->type == PV_STR) {
    affixes(w, c, &v->len[L_PREFIX], PM_PREFIX, x->s, x->len, 0);
    affixes(w, c, &v->len[L_SUFFIX], PM_SUFFIX, x->s, x->len, 1);
    if (v->kinds & (1u << PM_EIC | 1u << PM_PREFIX_EIC | 1u << PM_SUFFIX_EIC)) {
      char local[256];
      pm_str folded = {aev__pm_fold_into(x->s, x->len, local, sizeof local), x->len};
      if (!folded.s) {
        w->rc = AEV_ERR_NOMEM;
        return;
      }
      if (v->kinds & (1u << PM_EIC)) lookup(w, c, PM_EIC, folded.s, folded.len);
      affixes(w, c, &v->len[L_PREFIX_EIC], PM_PREFIX_EIC, folded.s, folded.len, 0);
      affixes(w, c, &v->len[L_SUFFIX_EIC], PM_SUFFIX_EIC, folded.s, folded.len, 1);
      if (folded.s != local) free(folded.s);
    }
    for (size_t i = 0; i < v->wild_len.n && !w->rc; i++)
      if (v->wild_len.v[i] <= x->len) filed(w, c, FILED_WILDCARD, x->s, v->wild_len.v[i]);
    unsigned char ip[16], key[18];
    const int family = v->cidr_len.n ? aev__pm_ip_parse(x->s, x->len, ip) : 0;
    for (size_t i = 0; family && i < v->cidr_len.n && !w->rc; i++)
      if ((int)(v->cidr_len.v[i] >> 8) == family)
        filed(w, c, FILED_CIDR, key, aev__pm_cidr_key(family, v->cidr_len.v[i] & 0xff, ip, key));
  }
  test_slow(w, c, &v->slow, 0);
}

/* What the lookups from one item share, worked out once. */
typedef struct from {
  uint32_t item, state, event, done;
  const pm_event *ev;
} from;

/* Queues the lookups of group k's fields (n of them, from field first)
 * from an item's state, whose value machine for them is vm (NO_VM: exact
 * values only), and starts loading the buckets of those the filter lets
 * through. A lookup with a value machine is queued either way (h = 0: no
 * exact lookup). The filter's answer, as random as the events, takes no
 * branch. visit() made room for every field of the event. */
static inline __attribute__((always_inline)) void queue(walker *w, const from *o, uint32_t k,
                                                     uint32_t first, uint32_t n, uint32_t vm) {
  const pm_machine *m = w->m;
  const pm_field *f = o->ev->f + first;
  const uint32_t done = o->done | (k < 32 ? 1u << k : 0);
  cand *c = w->c;
  size_t nc = w->nc;
  for (uint32_t j = 0; j < n; j++, f++) {
    if (f->ntrail && !consistent(w, (int32_t)o->item, f)) continue;
    uint32_t h = aev__pmap_mix(o->state, f->k.digest);
    const int may = filter_has(m->filter, m->fwords - 1, h);
    aev__pmap_prefetch(&m->values, h);
    c[nc] = (cand){f, o->item, o->state, o->event, done, may ? h : 0, vm, NULL};
    nc += may | (vm != NO_VM);
  }
  w->nc = nc;
}

/* queue() for group k's fields. */
static inline __attribute__((always_inline)) void queue_group(walker *w, const from *o,
                                                              uint32_t k, uint32_t vm) {
  const pm_group *g = &o->ev->g[k];
  queue(w, o, k, g->first, g->n, vm);
}

/* Whether a step up to item i consumed a field of group k (see item). */
static inline int consumed(uint32_t done, size_t k) { return k < 32 && done >> k & 1; }

/* The lookups from a state with a value machine on some field: each field
 * it has a transition on. */
static void queue_complex(walker *w, const from *o, size_t k) {
  const uint32_t *t = trans_vm(w->m, o->state, o->ev->g[k].path);
  if (!t) return;
  w->complex |= *t != NO_VM;
  queue_group(w, o, (uint32_t)k, *t);
}

/* One state of a level: its accepts and exists:false steps, and the
 * lookups for the event's fields it has transitions on, found through the
 * state's own list when it is the shorter, else through the event's. */
static void visit(walker *w, uint32_t i) {
  const item *it = &w->it[i];
  const uint32_t event = it->event;
  const pm_event *ev = w->ev[event];
  const uint32_t done = it->done, sig = it->plain;
  const from o = {i, it->state, event, it->done, ev};
  if (w->nc + ev->nf > w->cc) { /* each field is looked up once at most */
    cand *c = walk_room(w, w->c, w->c_in, &w->cc, w->nc + ev->nf, sizeof *c);
    if (!c) return;
    w->c = c;
  }
  if (sig) {
    /* The first 32 groups as a mask; later ones one by one below. */
    uint32_t want = signature_groups(ev, sig, ev->ng < 32 ? ev->ng : 32);
    /* With no path repeated, group k is field k alone (flatten.c). */
    const int alone = ev->ng == ev->nf;
    for (want &= ~done; want; want &= want - 1) {
      const uint32_t k = (uint32_t)__builtin_ctz(want);
      if (alone) queue(w, &o, k, k, 1, NO_VM);
      else queue_group(w, &o, k, NO_VM);
    }
    for (size_t k = 32; k < ev->ng; k++)
      if (sig & ev->g[k].sig) queue_group(w, &o, (uint32_t)k, NO_VM);
    return;
  }
  const mstate *s = &w->m->st[o.state];
  const uint32_t *acc = sv_data(&s->accept), *paths = sv_data(&s->paths);
  const int complex = s->paths.flags & ST_COMPLEX;
  accept(w, w->out[event], acc, s->accept.n);
  if (s->paths.flags & ST_ABSENT) {
    const svec *a = &w->m->ab[*aev__pmap_get(&w->m->absent, o.state, 0, NULL, 0)];
    const uint32_t *abs = sv_data(a);
    for (size_t k = 0; k < a->n && !w->rc; k += 2)
      if (!aev__pm_group_of(ev, abs[k])) reach(w, abs[k + 1], (int32_t)i, NULL, done, 0, event);
  }
  if (s->paths.n <= ev->ng) {
    for (size_t k = 0; k < s->paths.n && !w->rc; k++) {
      const pm_group *g = aev__pm_group_of(ev, paths[k]);
      if (!g) continue;
      if (complex) queue_complex(w, &o, (size_t)(g - ev->g));
      else queue_group(w, &o, (uint32_t)(g - ev->g), NO_VM);
    }
  } else {
    for (size_t k = 0; k < ev->ng && !w->rc; k++) {
      if (consumed(done, k)) continue;
      if (complex) queue_complex(w, &o, k);
      else queue_group(w, &o, (uint32_t)k, NO_VM);
    }
  }
}

void aev__pm_slots_init(pm_slots *s) {
  s->v = s->in;
  s->n = 0;
  s->cap = sizeof s->in / sizeof *s->in;
}

void aev__pm_slots_free(pm_slots *s) {
  if (s->v != s->in) free(s->v);
}

int aev__pm_slots_grow(pm_slots *o, size_t n) {
  size_t cap = o->cap;
  while (cap < o->n + n) cap *= 2;
  uint32_t *v = o->v == o->in ? malloc(cap * sizeof *v) : realloc(o->v, cap * sizeof *v);
  if (!v) return -1;
  if (o->v == o->in) memcpy(v, o->in, o->n * sizeof *v);
  o->v = v;
  o->cap = cap;
  return 0;
}

/* A level, in three passes over all the events' items and lookups, each
 * ending on loads the next one uses: the states' lookups queued (their
 * buckets loading), the lookups made (the slot lists they lead to
 * loading), and what they found followed. */
static void walk_level(walker *w) {
  const pm_machine *m = w->m;
  w->hi = w->nit;
  w->nc = 0;
  w->complex = 0;
  for (size_t i = w->lo; i < w->hi && !w->rc; i++) visit(w, (uint32_t)i);
  for (size_t k = 0; k < w->nc; k++) {
    cand *c = &w->c[k];
    if (!c->h) continue;
    const pm_fkey *key = &c->f->k;
    const uint32_t *tg =
        aev__pmap_get_k(&m->values, c->h, c->state, key->b, key->key, key->n);
    c->tg = tg;
    if (!tg) continue;
    /* What the result leads to, loading: a list of slots, or a state that
     * must be loaded (which is rare in a big set). */
    const void *next = leaf_list(m->leaves, tg[1]);
    if (__builtin_expect(!tg[1] && (*tg & DIRECT), 0)) next = &m->st[*tg & ~DIRECT];
    __builtin_prefetch(next);
  }
  for (size_t k = 0; k < w->nc && !w->rc; k++) {
    if (w->c[k].tg) follow(w, &w->c[k]);
    if (w->complex && !w->rc && w->c[k].vm != NO_VM)
      try_complex(w, &w->c[k], &w->m->vm[w->c[k].vm]);
  }
  w->lo = w->hi;
}

int aev__pm_machine_match(const pm_machine *m, const pm_event *ev, pm_slots *slots) {
  return aev__pm_machine_match_many(m, &ev, 1, &slots);
}

int aev__pm_machine_match_many(const pm_machine *m, const pm_event *const *ev, size_t n,
                               pm_slots *const *slots) {
  if (aev__pm_exact_applies(m, ev, n)) {
    int rc = aev__pm_exact_match(m, ev, n, slots);
    if (rc != AEV_PM_EXACT_GIVEN_BACK) return rc;
  }
  return aev__pm_walk_match(m, ev, n, slots);
}

int aev__pm_walk_match(const pm_machine *m, const pm_event *const *ev, size_t n,
                       pm_slots *const *slots) {
  walker w;
  w.m = m;
  w.ev = ev;
  w.out = slots;
  w.nev = n;
  w.it = w.it_in;
  w.nit = 0;
  w.cit = sizeof w.it_in / sizeof *w.it_in;
  w.c = w.c_in;
  w.nc = 0;
  w.cc = sizeof w.c_in / sizeof *w.c_in;
  w.lo = 0;
  w.rc = AEV_OK;
  for (size_t e = 0; e < n && !w.rc; e++) reach(&w, 0, -1, NULL, 0, 0, (uint32_t)e);
  while (w.lo < w.nit && !w.rc) walk_level(&w);
  if (w.it != w.it_in) free(w.it);
  if (w.c != w.c_in) free(w.c);
  return w.rc ? aev__nomem() : AEV_OK;
}
