/* The exact-value index (see tuples.h): pair ids, signatures, and the one
 * table of keys, for adding, removing and matching. */
#include "pattern/tuples.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

static int is_exact(int kind) {
  return kind == PM_EXACT_STR || kind == PM_EXACT_NUM || kind == PM_LITERAL;
}

int aev__pm_tuples_fits(const pm_branch *br) {
  if (!br->n || br->n > PM_TUPLE_PATHS) return 0;
  size_t combos = 1;
  for (size_t i = 0; i < br->n; i++) {
    const pm_cond *k = br->c[i];
    for (size_t j = 0; j < k->nm; j++)
      if (!is_exact(k->m[j].kind)) return 0;
    combos *= k->nm;
    if (!combos || combos > PM_TUPLE_COMBOS) return 0;
  }
  return 1;
}

static int grow(void **mem, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return AEV_OK;
  size_t c = *cap ? *cap * 2 : 8;
  while (c < need) c *= 2;
  void *b = realloc(*mem, c * elem);
  if (!b) return AEV_ERR_NOMEM;
  memset((char *)b + *cap * elem, 0, (c - *cap) * elem);
  *mem = b;
  *cap = c;
  return AEV_OK;
}

/* ---- keys and the table ---- */

static inline uint32_t key_hash(const uint32_t *q, size_t n) {
  uint64_t h = n * 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ q[i]) * 0xd6e8feb86659fd93ULL;
    h ^= h >> 29;
  }
  return (uint32_t)(h >> 32);
}

/* A key as an entry keeps it inline: up to three pairs, the rest 0. */
static inline void inline_key(const uint32_t *q, size_t n, uint32_t out[3]) {
  out[0] = q[0];
  out[1] = n > 1 ? q[1] : 0;
  out[2] = n > 2 ? q[2] : 0;
}

static inline int same_key(const pm_tuples *t, const pm_tentry *e, const uint32_t *q, size_t n,
                           const uint32_t k3[3], uint32_t h) {
  if (n <= 3) return e->p[0] == k3[0] && e->p[1] == k3[1] && e->p[2] == k3[2];
  if (!(e->p[0] & PM_TUPLE_EXT) || e->p[1] != h) return 0;
  const uint32_t *x = t->ext.v + (e->p[0] & ~PM_TUPLE_EXT);
  return x[0] == n && memcmp(x + 1, q, n * sizeof *q) == 0;
}

static inline pm_tentry *find(const pm_tuples *t, const uint32_t *q, size_t n, uint32_t h) {
  uint32_t k3[3];
  inline_key(q, n, k3);
  size_t mask = t->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    pm_tentry *e = &t->e[i];
    if (!e->p[0]) return NULL;
    if (same_key(t, e, q, n, k3, h)) return e;
  }
}

static uint32_t entry_hash(const pm_tuples *t, const pm_tentry *e) {
  if (e->p[0] & PM_TUPLE_EXT) return e->p[1];
  return key_hash(e->p, e->p[2] ? 3 : e->p[1] ? 2 : 1);
}

static int grow_table(pm_tuples *t) {
  size_t cap = t->cap ? t->cap * 2 : 16;
  pm_tentry *e = aev__pm_zalloc(cap * sizeof *e);
  if (!e) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->e[i].p[0]) continue;
    size_t j = entry_hash(t, &t->e[i]) & (cap - 1);
    while (e[j].p[0]) j = (j + 1) & (cap - 1);
    e[j] = t->e[i];
  }
  free(t->e);
  t->e = e;
  t->cap = cap;
  return AEV_OK;
}

/* The entry of key q (n pairs), added (accepting nothing) if absent. */
static pm_tentry *put(pm_tuples *t, const uint32_t *q, size_t n) {
  uint32_t h = key_hash(q, n);
  pm_tentry *e = t->cap ? find(t, q, n, h) : NULL;
  if (e) return e;
  if ((t->n + 1) * 4 > t->cap * 3 && grow_table(t)) return NULL;
  uint32_t p[3];
  if (n <= 3) {
    inline_key(q, n, p);
  } else {
    size_t off = t->ext.n;
    if (off + 1 + n >= PM_TUPLE_EXT || aev__pm_u32_push(&t->ext, (uint32_t)n)) return NULL;
    for (size_t i = 0; i < n; i++)
      if (aev__pm_u32_push(&t->ext, q[i])) return NULL;
    p[0] = PM_TUPLE_EXT | (uint32_t)off;
    p[1] = h;
    p[2] = 0;
  }
  size_t mask = t->cap - 1, i = h & mask;
  while (t->e[i].p[0]) i = (i + 1) & mask;
  t->e[i] = (pm_tentry){{p[0], p[1], p[2]}, 0};
  t->n++;
  return &t->e[i];
}

/* ---- what a key accepts ---- */

static int accept_add(pm_tuples *t, pm_tentry *e, uint32_t slot) {
  if (!e->acc) {
    e->acc = slot + 1;
    return AEV_OK;
  }
  uint32_t n = 1, cap = 0, first = e->acc - 1;
  const uint32_t *old = &first;
  if (e->acc & PM_TUPLE_LIST) {
    old = t->lists.v + (e->acc & ~PM_TUPLE_LIST);
    n = old[0];
    cap = old[1];
    if (n < cap) {
      t->lists.v[(e->acc & ~PM_TUPLE_LIST) + 2 + n] = slot;
      t->lists.v[e->acc & ~PM_TUPLE_LIST]++;
      return AEV_OK;
    }
    old += 2;
  }
  /* A new place, twice as big; the old one is left behind. */
  size_t at = t->lists.n, grown = cap ? 2 * (size_t)cap : 4;
  if (at + 2 + grown >= PM_TUPLE_LIST ||
      grow((void **)&t->lists.v, &t->lists.cap, at + 2 + grown, sizeof *t->lists.v))
    return AEV_ERR_NOMEM;
  if (e->acc & PM_TUPLE_LIST) old = t->lists.v + (e->acc & ~PM_TUPLE_LIST) + 2;
  uint32_t *l = t->lists.v + at;
  memmove(l + 2, old, n * sizeof *l);
  l[0] = n + 1;
  l[1] = (uint32_t)grown;
  l[2 + n] = slot;
  t->lists.n = at + 2 + grown;
  e->acc = PM_TUPLE_LIST | (uint32_t)at;
  return AEV_OK;
}

/* One entry a branch's combination: another branch may accept the same. */
static void accept_remove(pm_tuples *t, pm_tentry *e, uint32_t slot) {
  if (e->acc == slot + 1) {
    e->acc = 0;
    return;
  }
  uint32_t *l = t->lists.v + (e->acc & ~PM_TUPLE_LIST);
  uint32_t k = 0;
  while (l[2 + k] != slot) k++;
  l[2 + k] = l[2 + --l[0]];
}

/* ---- signatures ---- */

static pm_tpath *path_of(pm_tuples *t, uint32_t path) {
  if (grow((void **)&t->path, &t->cpath, (size_t)path + 1, sizeof *t->path)) return NULL;
  return &t->path[path];
}

static void unlist(pm_u32vec *v, uint32_t x) {
  size_t k = 0;
  while (v->v[k] != x) k++;
  v->v[k] = v->v[--v->n];
}

/* A signature is looked for under the path that the fewest signatures
 * name: a match then tries it only for events that have that path, and an
 * event's common paths (source, detail-type) bring no crowd of
 * signatures with them. */
static uint32_t best_path(const pm_tuples *t, const uint32_t *p, uint32_t n) {
  uint32_t best = p[0];
  for (uint32_t i = 1; i < n; i++)
    if (t->path[p[i]].member.n <= t->path[best].member.n) best = p[i];
  return best;
}

/* Moves signature s to its best path now; if that fails it stays where it
 * was, which is only slower. */
static void reanchor(pm_tuples *t, uint32_t s) {
  pm_tsig *g = &t->sig[s];
  uint32_t best = best_path(t, g->p, g->n);
  if (best == g->anchor || aev__pm_u32_push(&t->path[best].anchored, s)) return;
  unlist(&t->path[g->anchor].anchored, s);
  g->anchor = best;
}

/* The signature of sorted paths p[0..n), added if new. As paths gain
 * signatures (each time a path's count doubles), the signatures naming
 * them choose their paths again, so early choices do not stick. */
static int signature(pm_tuples *t, const uint32_t *p, size_t n, uint32_t *out) {
  const uint32_t *known = aev__pmap_get(&t->sigs, 0, (uint32_t)n, p, n * sizeof *p);
  if (known) {
    *out = *known;
    return AEV_OK;
  }
  uint32_t s = (uint32_t)t->nsig, *v;
  size_t members = 0;
  int added;
  if (grow((void **)&t->sig, &t->csig, t->nsig + 1, sizeof *t->sig)) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    if (!path_of(t, p[i])) return AEV_ERR_NOMEM;
  for (; members < n; members++)
    if (aev__pm_u32_push(&t->path[p[members]].member, s)) goto undo;
  uint32_t best = best_path(t, p, (uint32_t)n);
  if (aev__pm_u32_push(&t->path[best].anchored, s)) goto undo;
  if (aev__pmap_put(&t->sigs, 0, (uint32_t)n, p, n * sizeof *p, s, &v, &added)) {
    t->path[best].anchored.n--;
    goto undo;
  }
  t->sig[s] = (pm_tsig){(uint32_t)n, best, {0}};
  memcpy(t->sig[s].p, p, n * sizeof *p);
  t->nsig++;
  for (size_t i = 0; i < n; i++) {
    const pm_u32vec *m = &t->path[p[i]].member;
    if (m->n < 4 || (m->n & (m->n - 1))) continue;
    for (size_t j = 0; j < m->n; j++) reanchor(t, m->v[j]);
  }
  *out = s;
  return AEV_OK;
undo:
  while (members--) t->path[p[members]].member.n--;
  return AEV_ERR_NOMEM;
}

/* ---- adding and removing branches ---- */

/* Goes through the first limit value combinations of br under slot,
 * adding or removing them; returns how many it went through (fewer than
 * limit only when adding failed, with *rc set). */
static size_t combos(pm_tuples *t, const pm_branch *br, const uint32_t *paths, uint32_t slot,
                     int adding, size_t limit, int *rc) {
  size_t n = br->n, ord[PM_TUPLE_PATHS];
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    for (; j > 0 && paths[ord[j - 1]] > paths[i]; j--) ord[j] = ord[j - 1];
    ord[j] = i;
  }
  uint32_t sp[PM_TUPLE_PATHS], pair[PM_TUPLE_PATHS][PM_TUPLE_COMBOS];
  size_t nm[PM_TUPLE_PATHS], at[PM_TUPLE_PATHS] = {0};
  for (size_t i = 0; i < n; i++) {
    const pm_cond *k = br->c[ord[i]];
    sp[i] = paths[ord[i]];
    nm[i] = k->nm;
    for (size_t j = 0; j < k->nm; j++) {
      unsigned char num[8];
      const void *key;
      size_t klen;
      uint32_t *v;
      int added = 0;
      aev__pm_matcher_key(&k->m[j], num, &key, &klen);
      if (adding) {
        if (t->npairs + 1 >= PM_TUPLE_EXT ||
            aev__pmap_put(&t->pairs, sp[i], (uint32_t)k->m[j].kind, key, klen, t->npairs + 1,
                          &v, &added)) {
          *rc = AEV_ERR_NOMEM;
          return 0;
        }
      } else {
        v = aev__pmap_get(&t->pairs, sp[i], (uint32_t)k->m[j].kind, key, klen);
      }
      t->npairs += (uint32_t)added;
      pair[i][j] = *v;
    }
  }
  uint32_t sig;
  if (adding && signature(t, sp, n, &sig)) {
    *rc = AEV_ERR_NOMEM;
    return 0;
  }
  size_t done = 0;
  for (; done < limit; done++) {
    uint32_t q[PM_TUPLE_PATHS] = {0};
    for (size_t i = 0; i < n; i++) q[i] = pair[i][at[i]];
    if (adding) {
      pm_tentry *e = put(t, q, n);
      if (!e || accept_add(t, e, slot)) {
        *rc = AEV_ERR_NOMEM;
        return done;
      }
    } else {
      accept_remove(t, find(t, q, n, key_hash(q, n)), slot);
    }
    size_t i = 0; /* the next combination, the last path's values fastest */
    while (i < n && ++at[n - 1 - i] == nm[n - 1 - i]) at[n - 1 - i++] = 0;
    if (i == n) return done + 1;
  }
  return done;
}

int aev__pm_tuples_add(pm_tuples *t, const pm_branch *br, const uint32_t *paths,
                       uint32_t slot) {
  int rc = AEV_OK;
  size_t done = combos(t, br, paths, slot, 1, SIZE_MAX, &rc);
  if (rc && done) combos(t, br, paths, slot, 0, done, &rc);
  return rc;
}

void aev__pm_tuples_remove(pm_tuples *t, const pm_branch *br, const uint32_t *paths,
                           uint32_t slot) {
  int rc = AEV_OK;
  combos(t, br, paths, slot, 0, SIZE_MAX, &rc);
}

/* ---- matching ---- */

/* Fields of different elements of one array never combine. */
static int agree(const pm_event *ev, const pm_field *f, const pm_field *g) {
  const uint32_t *t = ev->trails + f->trail, *u = ev->trails + g->trail;
  for (uint32_t x = 0; x < f->ntrail; x++)
    for (uint32_t y = 0; y < g->ntrail; y++)
      if (t[2 * x] == u[2 * y] && t[2 * x + 1] != u[2 * y + 1]) return 0;
  return 1;
}

/* A key to probe. */
typedef struct probe {
  uint32_t h, n;
  uint32_t q[PM_TUPLE_PATHS];
} probe;

#define PROBES 64
/* An event of up to GROUPS_HASHED groups finds its fields' pairs by path
 * in a small table of GTAB places: the pair id of a path's one field (when
 * it has one, outside arrays of objects), else SEVERAL | its group index.
 * A bigger event finds its groups by binary search. */
#define GTAB 64
#define GROUPS_HASHED 32
#define SEVERAL 0x80000000u

typedef struct gplace {
  uint32_t path1; /* path + 1; 0 empty */
  uint32_t v;
} gplace;

typedef struct matcher {
  const pm_tuples *t;
  const pm_event *ev;
  const uint32_t *pid; /* per field: its pair id, or 0 */
  pm_slots *out;
  size_t np;
  int rc;
  gplace gtab[GTAB];
  probe pr[PROBES];
} matcher;

static inline size_t gtab_place(uint32_t path) { return (path * 0x9e3779b1u) >> 26; }

/* The first field of group k with a pair, or NONE. */
#define NONE UINT32_MAX
static uint32_t first_paired(const matcher *w, uint32_t k, uint32_t from) {
  const pm_group *g = &w->ev->g[k];
  for (uint32_t i = from; i < g->first + g->n; i++)
    if (w->pid[i]) return i;
  return NONE;
}

/* What the event has on path for the index: see GTAB; 0 for nothing. */
static uint32_t on_path(const matcher *w, uint32_t path) {
  const pm_event *ev = w->ev;
  if (ev->ng <= GROUPS_HASHED) {
    for (size_t i = gtab_place(path); w->gtab[i].path1; i = (i + 1) & (GTAB - 1))
      if (w->gtab[i].path1 == path + 1) return w->gtab[i].v;
    return 0;
  }
  size_t lo = 0, hi = ev->ng;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ev->g[mid].path == path)
      return first_paired(w, (uint32_t)mid, ev->g[mid].first) == NONE ? 0
                                                                      : SEVERAL | (uint32_t)mid;
    if (ev->g[mid].path < path) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/* What group k puts in the index. */
static uint32_t group_value(const matcher *w, uint32_t k) {
  const pm_group *g = &w->ev->g[k];
  uint32_t f = first_paired(w, k, g->first);
  if (f == NONE) return 0;
  return g->n == 1 && !w->ev->f[f].ntrail ? w->pid[f] : SEVERAL | k;
}

static void out_add(matcher *w, const uint32_t *v, size_t n) {
  pm_slots *o = w->out;
  if (o->n + n > o->cap) {
    size_t cap = o->cap * 2 > o->n + n ? o->cap * 2 : o->n + n;
    uint32_t *b = o->v == o->in ? malloc(cap * sizeof *b) : realloc(o->v, cap * sizeof *b);
    if (!b) {
      w->rc = AEV_ERR_NOMEM;
      return;
    }
    if (o->v == o->in) memcpy(b, o->in, o->n * sizeof *b);
    o->v = b;
    o->cap = cap;
  }
  for (size_t i = 0; i < n; i++) o->v[o->n + i] = v[i];
  o->n += n;
}

/* Probes the queued keys; their buckets were prefetched when queued. */
static void flush(matcher *w) {
  const pm_tuples *t = w->t;
  for (size_t i = 0; i < w->np && !w->rc; i++) {
    const probe *p = &w->pr[i];
    const pm_tentry *e = find(t, p->q, p->n, p->h);
    if (!e || !e->acc) continue;
    if (!(e->acc & PM_TUPLE_LIST)) {
      uint32_t slot = e->acc - 1;
      out_add(w, &slot, 1);
    } else {
      const uint32_t *l = t->lists.v + (e->acc & ~PM_TUPLE_LIST);
      out_add(w, l + 2, l[0]);
    }
  }
  w->np = 0;
}

static inline void queue(matcher *w, const uint32_t q[PM_TUPLE_PATHS], size_t n) {
  if (w->np == PROBES) flush(w);
  probe *p = &w->pr[w->np++];
  p->h = key_hash(q, n);
  p->n = (uint32_t)n;
  memcpy(p->q, q, sizeof p->q);
  __builtin_prefetch(&w->t->e[p->h & (w->t->cap - 1)]);
}

/* Queues every key that one field with a pair from each group gi[0..n)
 * forms, the fields in agreement about arrays. */
static void combinations(matcher *w, const uint32_t *gi, uint32_t n) {
  const pm_event *ev = w->ev;
  uint32_t at[PM_TUPLE_PATHS], q[PM_TUPLE_PATHS] = {0};
  for (uint32_t i = 0; i < n; i++) at[i] = first_paired(w, gi[i], ev->g[gi[i]].first);
  for (;;) {
    int ok = 1;
    for (uint32_t i = 0; i < n; i++) q[i] = w->pid[at[i]];
    for (uint32_t i = 0; ok && i < n; i++)
      for (uint32_t j = i + 1; ok && j < n; j++) ok = agree(ev, &ev->f[at[i]], &ev->f[at[j]]);
    if (ok) queue(w, q, n);
    uint32_t i = 0; /* the next combination, the last group's fields fastest */
    for (; i < n; i++) {
      uint32_t k = n - 1 - i;
      at[k] = first_paired(w, gi[k], at[k] + 1);
      if (at[k] != NONE) break;
      at[k] = first_paired(w, gi[k], ev->g[gi[k]].first);
    }
    if (i == n) return;
  }
}

/* Queues the keys of signature s that the event's fields form: mostly
 * each of its paths has one field, outside arrays of objects, so one key. */
static inline void try_signature(matcher *w, const pm_tsig *sg) {
  uint32_t q[PM_TUPLE_PATHS] = {0}, several = 0;
  for (uint32_t i = 0; i < sg->n; i++) {
    if (!(q[i] = on_path(w, sg->p[i]))) return;
    several |= q[i];
  }
  if (!(several & SEVERAL)) {
    queue(w, q, sg->n);
    return;
  }
  uint32_t gi[PM_TUPLE_PATHS];
  for (uint32_t i = 0; i < sg->n; i++) {
    uint32_t k = q[i] & SEVERAL ? q[i] & ~SEVERAL : NONE;
    for (uint32_t j = 0; k == NONE; j++) /* a one-field group: find it */
      if (w->ev->g[j].path == sg->p[i]) k = j;
    gi[i] = k;
  }
  combinations(w, gi, sg->n);
}

int aev__pm_tuples_match(const pm_tuples *t, const pm_event *ev, pm_slots *out) {
  if (!t->n || !ev->nf) return AEV_OK;
  uint32_t pid_in[PM_INLINE], hash_in[PM_INLINE];
  uint32_t *pid = pid_in, *hash = hash_in;
  if (ev->nf > PM_INLINE) {
    pid = malloc(ev->nf * sizeof *pid);
    hash = malloc(ev->nf * sizeof *hash);
    if (!pid || !hash) {
      free(pid);
      free(hash);
      return AEV_ERR_NOMEM;
    }
  }
  /* Every field's pair: hashed and its bucket started first, then read. */
  for (size_t i = 0; i < ev->nf; i++) {
    const char *p;
    size_t n;
    int kind = aev__pm_exact_key(&ev->f[i].v, &p, &n);
    hash[i] = aev__pmap_hash(ev->f[i].path, (uint32_t)kind, p, n);
    aev__pmap_prefetch(&t->pairs, hash[i]);
  }
  for (size_t i = 0; i < ev->nf; i++) {
    const char *p;
    size_t n;
    int kind = aev__pm_exact_key(&ev->f[i].v, &p, &n);
    const uint32_t *v = aev__pmap_get_h(&t->pairs, hash[i], ev->f[i].path, (uint32_t)kind, p, n);
    pid[i] = v ? *v : 0;
  }
  matcher w;
  w.t = t;
  w.ev = ev;
  w.pid = pid;
  w.out = out;
  w.np = 0;
  w.rc = AEV_OK;
  if (ev->ng <= GROUPS_HASHED) {
    memset(w.gtab, 0, sizeof w.gtab);
    for (uint32_t k = 0; k < ev->ng; k++) {
      uint32_t v = group_value(&w, k);
      if (!v) continue;
      size_t x = gtab_place(ev->g[k].path);
      while (w.gtab[x].path1) x = (x + 1) & (GTAB - 1);
      w.gtab[x] = (gplace){ev->g[k].path + 1, v};
    }
  }
  for (uint32_t k = 0; k < ev->ng; k++) {
    uint32_t path = ev->g[k].path;
    if (path >= t->cpath || !t->path[path].anchored.n || !group_value(&w, k)) continue;
    const pm_u32vec *a = &t->path[path].anchored;
    for (size_t j = 0; j < a->n; j++) try_signature(&w, &t->sig[a->v[j]]);
  }
  flush(&w);
  if (pid != pid_in) {
    free(pid);
    free(hash);
  }
  return w.rc;
}

/* ---- the rest ---- */

void aev__pm_tuples_free(pm_tuples *t) {
  aev__pmap_free(&t->pairs);
  aev__pmap_free(&t->sigs);
  free(t->sig);
  for (size_t i = 0; i < t->cpath; i++) {
    free(t->path[i].anchored.v);
    free(t->path[i].member.v);
  }
  free(t->path);
  free(t->e);
  free(t->ext.v);
  free(t->lists.v);
}

size_t aev__pm_tuples_memory(const pm_tuples *t) {
  size_t total = aev__pmap_memory(&t->pairs) + aev__pmap_memory(&t->sigs) +
                 t->csig * sizeof *t->sig + t->cpath * sizeof *t->path +
                 t->cap * sizeof *t->e +
                 (t->ext.cap + t->lists.cap) * sizeof(uint32_t);
  for (size_t i = 0; i < t->cpath; i++)
    total += (t->path[i].anchored.cap + t->path[i].member.cap) * sizeof(uint32_t);
  return total;
}
