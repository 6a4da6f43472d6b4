/* The automaton over flattened events (after aws/event-ruler's design, our
 * own code): name states linked by per-field value machines. A branch's
 * conditions, in compile.c's canonical order, are a walk through the
 * states; branches that share leading conditions share states. Exact
 * values, equals-ignore-case, prefixes and suffixes are answered by hash
 * lookups, so matching cost depends on the event's fields, not on the
 * number of patterns. This file builds it; match.c walks it. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "pattern/machine_int.h"
#include "pattern/paths.h"

static int sv_push(svec *s, uint32_t x) {
  if (s->n == 2 && !s->lg) {
    uint32_t *v = malloc(4 * sizeof *v);
    if (!v) return AEV_ERR_NOMEM;
    memcpy(v, s->u.in, sizeof s->u.in);
    s->u.v = v;
    s->lg = 2;
  } else if (s->lg && s->n == 1u << s->lg) {
    uint32_t *v = realloc(s->u.v, ((size_t)2 << s->lg) * sizeof *v);
    if (!v) return AEV_ERR_NOMEM;
    s->u.v = v;
    s->lg++;
  }
  (s->lg ? s->u.v : s->u.in)[s->n++] = x;
  return AEV_OK;
}

static void sv_free(svec *s) {
  if (s->lg) free(s->u.v);
}

int aev__pm_u32_push(pm_u32vec *v, uint32_t x) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 2;
    uint32_t *p = realloc(v->v, cap * sizeof *p);
    if (!p) return AEV_ERR_NOMEM;
    v->v = p;
    v->cap = cap;
  }
  v->v[v->n++] = x;
  return AEV_OK;
}

static int grow(void **mem, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return AEV_OK;
  size_t c = *cap ? *cap * 2 : 16;
  while (c < need) c *= 2;
  void *b = realloc(*mem, c * elem);
  if (!b) return AEV_ERR_NOMEM;
  memset((char *)b + *cap * elem, 0, (c - *cap) * elem);
  *mem = b;
  *cap = c;
  return AEV_OK;
}

/* States are reached at random, like the hash tables' entries, so a big
 * array of them goes in huge pages too (aev__pm_zalloc). */
static int new_state(pm_machine *m, uint32_t *out) {
  if (m->nst == m->cst) {
    size_t c = m->cst ? m->cst * 2 : 16;
    mstate *st = aev__pm_zalloc(c * sizeof *st);
    origin *org = st ? realloc(m->org, c * sizeof *org) : NULL;
    if (!org) {
      free(st);
      return AEV_ERR_NOMEM;
    }
    m->org = org;
    if (m->nst) memcpy(st, m->st, m->nst * sizeof *st);
    free(m->st);
    m->st = st;
    m->cst = c;
  }
  m->org[m->nst] = (origin){NULL, 0, 0, NO_LIST};
  *out = (uint32_t)m->nst++;
  return AEV_OK;
}

int aev__pm_machine_new(pm_machine **out) {
  pm_machine *m = calloc(1, sizeof *m);
  uint32_t start;
  if (m) {
    m->filter = calloc(1, sizeof *m->filter);
    m->leaves = calloc(LISTS_START, sizeof *m->leaves);
  }
  if (!m || !m->filter || !m->leaves || new_state(m, &start)) {
    if (m) {
      free(m->filter);
      free(m->leaves);
    }
    free(m);
    return AEV_ERR_NOMEM;
  }
  m->nleaves = m->cleaves = LISTS_START;
  m->fwords = 1;
  m->conds.dense = 1; /* only adding and removing find states by condition */
  /* Matches reach the values map at random, each lookup of a batch having
   * prefetched the one cache line its probe starts on. At most half full,
   * a probe goes on past that line (to a miss of its own) less often:
   * bench/pattern_bench's 100,000-pattern batches ran about 5 % faster so
   * than with the map filled to three quarters, whose smaller table more
   * of the caches would hold. */
  m->values.dense = 0;
  *out = m;
  return AEV_OK;
}

void aev__pm_machine_free(pm_machine *m) {
  if (!m) return;
  for (size_t i = 0; i < m->nst; i++) {
    sv_free(&m->st[i].paths);
    sv_free(&m->st[i].accept);
  }
  for (size_t i = 0; i < m->nab; i++) sv_free(&m->ab[i]);
  free(m->ab);
  free(m->leaves);
  aev__pmap_free(&m->absent);
  for (size_t i = 0; i < m->nvm; i++) {
    for (int j = 0; j < L_N; j++) free(m->vm[i].len[j].v);
    aev__pm_ranges_free(&m->vm[i].num);
    free(m->vm[i].wild_len.v);
    free(m->vm[i].cidr_len.v);
    free(m->vm[i].slow.v);
  }
  for (size_t i = 0; i < m->ntg; i++) free(m->tg[i].v);
  for (size_t i = 0; i < m->nfl; i++) free(m->fl[i].v);
  free(m->fl);
  aev__pmap_free(&m->filed);
  free(m->st);
  free(m->org);
  free(m->vm);
  free(m->tg);
  aev__pm_paths_free(&m->paths);
  aev__pm_imap_free(&m->trans);
  aev__pmap_free(&m->conds);
  aev__pmap_free(&m->values);
  free(m->filter);
  free(m->key.p);
  free(m);
}

static size_t sv_memory(const svec *s) { return s->lg ? (size_t)4 << s->lg : 0; }

size_t aev__pm_machine_memory(const pm_machine *m) {
  size_t total = sizeof *m + m->cst * (sizeof *m->st + sizeof *m->org) + m->cvm * sizeof *m->vm +
                 m->ctg * sizeof *m->tg + m->cleaves * sizeof *m->leaves +
                 m->fwords * sizeof *m->filter;
  for (size_t i = 0; i < m->nst; i++)
    total += sv_memory(&m->st[i].paths) + sv_memory(&m->st[i].accept);
  total += m->cab * sizeof *m->ab + aev__pmap_memory(&m->absent);
  for (size_t i = 0; i < m->nab; i++) total += sv_memory(&m->ab[i]);
  for (size_t i = 0; i < m->nvm; i++) {
    total += m->vm[i].slow.cap * sizeof(slow) + aev__pm_ranges_memory(&m->vm[i].num) +
             (m->vm[i].wild_len.cap + m->vm[i].cidr_len.cap) * 4;
    for (int j = 0; j < L_N; j++) total += m->vm[i].len[j].cap * 4;
  }
  for (size_t i = 0; i < m->ntg; i++) total += m->tg[i].cap * 4;
  total += m->cfl * sizeof *m->fl + aev__pmap_memory(&m->filed);
  for (size_t i = 0; i < m->nfl; i++) total += m->fl[i].cap * sizeof(slow);
  return total + aev__pm_paths_memory(&m->paths) + aev__pm_imap_memory(&m->trans) +
         aev__pmap_memory(&m->conds) + aev__pmap_memory(&m->values);
}

const pm_paths *aev__pm_machine_paths(const pm_machine *m) { return &m->paths; }

static void filter_add(uint64_t *filter, size_t fwords, uint32_t h) {
  size_t word;
  uint64_t bits = filter_bits(h, fwords, &word);
  filter[word] |= bits;
}

/* Adds a values-map key (before the map has it), first rebuilding the
 * filter at twice the size once it would hold fewer than 8 bits a key. If
 * that fails, the smaller filter stays: correct, only less selective. */
static void filter_put(pm_machine *m, uint32_t h) {
  if (m->values.n >= m->fwords * 8) {
    size_t words = m->fwords;
    while (words * 8 <= m->values.n) words *= 2;
    uint64_t *f = calloc(words, sizeof *f);
    if (f) {
      for (size_t i = 0; i < m->values.cap; i++)
        if (m->values.e[i].h) filter_add(f, words, m->values.e[i].h);
      free(m->filter);
      m->filter = f;
      m->fwords = words;
    }
  }
  filter_add(m->filter, m->fwords, h);
}

/* Interns a path and marks each dot-separated prefix of it, so the
 * flattener knows which objects to enter. */
static int intern_path(pm_machine *m, const pm_str *path, uint32_t *id) {
  uint32_t *slot;
  for (size_t i = 0; i < path->len; i++) {
    if (path->s[i] != '.') continue;
    if (!(slot = aev__pm_paths_put(&m->paths, path->s, i))) return AEV_ERR_NOMEM;
    *slot |= PM_PATH_PREFIX;
  }
  if (!(slot = aev__pm_paths_put(&m->paths, path->s, path->len))) return AEV_ERR_NOMEM;
  if (!(*slot & ~PM_PATH_PREFIX)) *slot |= ++m->npaths;
  *id = (*slot & ~PM_PATH_PREFIX) - 1;
  return AEV_OK;
}

/* ---- building ---- */

static int put(buf *b, const void *p, size_t n) {
  if (grow((void **)&b->p, &b->cap, b->n + n, 1)) return AEV_ERR_NOMEM;
  memcpy(b->p + b->n, p, n);
  b->n += n;
  return AEV_OK;
}

static int put_str(buf *b, const pm_str *s) {
  uint32_t n = (uint32_t)s->len;
  return put(b, &n, 4) || put(b, s->s, s->len);
}

/* A normalized double, so 300 and 300.0 (and -0 and 0) hash alike. */
static void num_key(double d, unsigned char out[8]) {
  if (d == 0) d = 0;
  memcpy(out, &d, 8);
}

/* A condition's identity: two branches with the same condition from the
 * same state share the next state. */
static int cond_key(const pm_cond *k, buf *b) {
  int rc = 0;
  for (size_t i = 0; i < k->nm && !rc; i++) {
    const pm_matcher *m = &k->m[i];
    unsigned char kind = (unsigned char)m->kind, num[8];
    rc |= put(b, &kind, 1);
    switch (m->kind) {
      case PM_EXACT_NUM:
        num_key(m->num, num);
        rc |= put(b, num, 8);
        break;
      case PM_NUMERIC: {
        unsigned char flags[4] = {m->has_lo, m->has_hi, m->lo_open, m->hi_open};
        rc |= put(b, flags, 4) || put(b, &m->lo, 8) || put(b, &m->hi, 8);
        break;
      }
      case PM_CIDR:
        rc |= put(b, &m->family, sizeof m->family) || put(b, &m->bits, sizeof m->bits) ||
              put(b, m->ip, 16);
        break;
      case PM_AB_NUM:
        rc |= put(b, &m->n, sizeof m->n) || put(b, m->nums, m->n * sizeof *m->nums);
        break;
      case PM_AB_STR:
      case PM_AB_EIC:
      case PM_AB_PREFIX:
      case PM_AB_SUFFIX:
      case PM_AB_WILDCARD:
        rc |= put(b, &m->n, sizeof m->n);
        for (size_t j = 0; j < m->n && !rc; j++) rc |= put_str(b, &m->strs[j]);
        break;
      case PM_EXISTS:
      case PM_ABSENT:
        break;
      default:
        rc |= put_str(b, &m->s);
    }
  }
  return rc ? AEV_ERR_NOMEM : AEV_OK;
}

/* A hashed matcher's values-map key: kind and bytes. */
static uint32_t value_key(uint32_t path, const pm_matcher *x, unsigned char num[8],
                          const void **key, size_t *klen) {
  if (x->kind == PM_EXACT_NUM) {
    num_key(x->num, num);
    *key = num;
    *klen = 8;
  } else {
    *key = x->s.s;
    *klen = x->s.len;
  }
  return path << 3 | (uint32_t)x->kind;
}

/* Copies a leaf's accept list into leaves: LIST | its offset, or 0 when
 * out of memory or offsets (then matches load the state instead). Offsets
 * stay below PLAIN & ~LIST, so the two words never look alike. */
static uint32_t leaf_list(pm_machine *m, uint32_t state) {
  origin *o = &m->org[state];
  const svec *a = &m->st[state].accept;
  if (o->list == NO_LIST || m->leaves[o->list + 1] < a->n) {
    size_t cap = a->n < 2 ? LIST_FAST : 2 * (size_t)a->n, at = m->nleaves;
    if (at + 2 + cap >= (PLAIN & ~LIST) ||
        grow((void **)&m->leaves, &m->cleaves, at + 2 + cap, sizeof *m->leaves))
      return 0;
    o->list = (uint32_t)at;
    m->leaves[at + 1] = (uint32_t)cap;
    m->nleaves = at + 2 + cap;
  }
  m->leaves[o->list] = a->n;
  memcpy(m->leaves + o->list + 2, sv_data(a), a->n * sizeof *m->leaves);
  return LIST | o->list;
}

/* Sets or clears the leaf word of the values entries leading to state,
 * after a change to what it accepts or where it leads. */
static void mark_leaf(pm_machine *m, uint32_t state) {
  const origin *o = &m->org[state];
  const mstate *s = &m->st[state];
  if (!o->k) return;
  uint32_t leaf = 0;
  if (!s->paths.flags && !s->accept.n && s->paths.n) {
    const uint32_t *paths = sv_data(&s->paths);
    leaf = PLAIN;
    for (uint32_t i = 0; i < s->paths.n; i++) leaf |= 1u << paths[i] % PM_SIG_BITS;
  } else if (!s->paths.n && !(s->paths.flags & ST_ABSENT) && s->accept.n) {
    uint32_t first = sv_data(&s->accept)[0];
    leaf = s->accept.n == 1 && first + 1 < LIST ? first + 1 : leaf_list(m, state);
  }
  for (size_t j = 0; j < o->k->nm; j++) {
    const pm_matcher *x = &o->k->m[j];
    if (x->kind >= PM_N_HASHED) continue;
    unsigned char num[8];
    const void *key;
    size_t klen;
    uint32_t b = value_key(o->path, x, num, &key, &klen);
    uint32_t *v = aev__pmap_get(&m->values, o->parent, b, key, klen);
    if (v && v[0] == (DIRECT | state)) v[1] = leaf;
  }
}

static int add_len(pm_u32vec *v, uint32_t len) {
  for (size_t i = 0; i < v->n; i++)
    if (v->v[i] == len) return AEV_OK;
  return aev__pm_u32_push(v, len);
}

/* Registers a transition field of a state; with complex set, also gives
 * it a value machine (*vm). */
static int transition(pm_machine *m, uint32_t state, uint32_t path, int complex,
                      uint32_t *vm) {
  uint64_t key = (uint64_t)state << 32 | path;
  uint32_t *slot;
  int added;
  if (aev__pm_imap_put(&m->trans, key, 1, &slot, &added)) return AEV_ERR_NOMEM;
  if (added) slot[1] = NO_VM;
  slot++;
  if (added && sv_push(&m->st[state].paths, path)) return AEV_ERR_NOMEM;
  if (complex && *slot == NO_VM) {
    if (grow((void **)&m->vm, &m->cvm, m->nvm + 1, sizeof *m->vm)) return AEV_ERR_NOMEM;
    *slot = (uint32_t)m->nvm++;
    m->st[state].paths.flags |= ST_COMPLEX;
    added = 1;
  }
  if (added) mark_leaf(m, state);
  *vm = *slot;
  return AEV_OK;
}

/* Adds next to the targets of a values-map entry. */
static int add_target(pm_machine *m, uint32_t *slot, int added, uint32_t next) {
  if (added || *slot == (DIRECT | next)) {
    *slot = DIRECT | next;
    return AEV_OK;
  }
  if (*slot & DIRECT) {
    if (grow((void **)&m->tg, &m->ctg, m->ntg + 1, sizeof *m->tg) ||
        aev__pm_u32_push(&m->tg[m->ntg], *slot & ~DIRECT))
      return AEV_ERR_NOMEM;
    *slot = (uint32_t)m->ntg++;
    slot[1] = 0; /* lists name states only */
  }
  pm_u32vec *t = &m->tg[*slot];
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i] == next) return AEV_OK;
  return aev__pm_u32_push(t, next);
}

static int is_plain(int kind) {
  return kind == PM_EXACT_STR || kind == PM_EXACT_NUM || kind == PM_LITERAL;
}

static int add_hashed(pm_machine *m, uint32_t state, uint32_t path, const pm_matcher *x,
                      uint32_t next) {
  uint32_t vm;
  if (transition(m, state, path, !is_plain(x->kind), &vm)) return AEV_ERR_NOMEM;
  unsigned char num[8];
  const void *key;
  size_t klen;
  uint32_t b = value_key(path, x, num, &key, &klen);
  uint32_t *slot;
  int added;
  filter_put(m, aev__pmap_hash(state, b, key, klen));
  if (aev__pmap_put(&m->values, state, b, key, klen, DIRECT | next, &slot, &added) ||
      add_target(m, slot, added, next))
    return AEV_ERR_NOMEM;
  if (vm == NO_VM) return AEV_OK;
  vmach *v = &m->vm[vm];
  v->kinds |= 1u << x->kind;
  switch (x->kind) {
    case PM_PREFIX: return add_len(&v->len[L_PREFIX], (uint32_t)klen);
    case PM_PREFIX_EIC: return add_len(&v->len[L_PREFIX_EIC], (uint32_t)klen);
    case PM_SUFFIX: return add_len(&v->len[L_SUFFIX], (uint32_t)klen);
    case PM_SUFFIX_EIC: return add_len(&v->len[L_SUFFIX_EIC], (uint32_t)klen);
    default: return AEV_OK;
  }
}

static int add_slow(slows *s, const pm_matcher *x, uint32_t next) {
  if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v)) return AEV_ERR_NOMEM;
  s->v[s->n++] = (slow){x, next};
  return AEV_OK;
}

/* Files a matcher under key (see filed in pm_machine), the length (code)
 * of which goes in lens. */
static int add_filed(pm_machine *m, uint32_t state, uint32_t path, int how, pm_u32vec *lens,
                     uint32_t code, const void *key, size_t n, const pm_matcher *x,
                     uint32_t next) {
  uint32_t *slot;
  int added;
  /* Room for a new list first: the map must never name one not there. */
  if (add_len(lens, code) || grow((void **)&m->fl, &m->cfl, m->nfl + 1, sizeof *m->fl) ||
      aev__pmap_put(&m->filed, state, path << 1 | (uint32_t)how, key, n, (uint32_t)m->nfl, &slot,
                    &added))
    return AEV_ERR_NOMEM;
  if (added) m->nfl++;
  return add_slow(&m->fl[*slot], x, next);
}

static int add_wildcard(pm_machine *m, uint32_t state, uint32_t path, vmach *v,
                        const pm_matcher *x, uint32_t next) {
  size_t lit = 0;
  while (lit < x->s.len && x->s.s[lit] != '*' && x->s.s[lit] != '\\') lit++;
  return add_filed(m, state, path, FILED_WILDCARD, &v->wild_len, (uint32_t)lit, x->s.s, lit, x,
                   next);
}

static int add_cidr(pm_machine *m, uint32_t state, uint32_t path, vmach *v,
                    const pm_matcher *x, uint32_t next) {
  unsigned char key[18];
  size_t n = aev__pm_cidr_key(x->family, x->bits, x->ip, key);
  return add_filed(m, state, path, FILED_CIDR, &v->cidr_len,
                   (uint32_t)(x->family << 8 | x->bits), key, n, x, next);
}

static int add_matcher(pm_machine *m, uint32_t state, uint32_t path, const pm_matcher *x,
                       uint32_t next) {
  if (x->kind == PM_ABSENT) {
    uint32_t *slot;
    int added;
    if (aev__pmap_put(&m->absent, state, 0, NULL, 0, (uint32_t)m->nab, &slot, &added) ||
        (added && grow((void **)&m->ab, &m->cab, m->nab + 1, sizeof *m->ab)))
      return AEV_ERR_NOMEM;
    if (added) m->nab++;
    m->st[state].paths.flags |= ST_ABSENT;
    mark_leaf(m, state);
    svec *a = &m->ab[*slot];
    return sv_push(a, path) || sv_push(a, next) ? AEV_ERR_NOMEM : AEV_OK;
  }
  if (x->kind < PM_N_HASHED) return add_hashed(m, state, path, x, next);
  uint32_t vm;
  if (transition(m, state, path, 1, &vm)) return AEV_ERR_NOMEM;
  vmach *v = &m->vm[vm];
  if (x->kind == PM_NUMERIC) return aev__pm_ranges_add(&v->num, x, next);
  if (x->kind == PM_WILDCARD) return add_wildcard(m, state, path, v, x, next);
  if (x->kind == PM_CIDR) return add_cidr(m, state, path, v, x, next);
  return add_slow(&v->slow, x, next);
}

/* Adds one branch. On failure the machine may hold states that accept
 * nothing (it stays correct). */
static int add_branch(pm_machine *m, const pm_branch *br, uint32_t slot, buf *b) {
  uint32_t state = 0;
  for (size_t i = 0; i < br->n; i++) {
    const pm_cond *k = br->c[i];
    uint32_t path, *next, fresh;
    int added;
    b->n = 0;
    if (intern_path(m, &k->path, &path) || cond_key(k, b)) return AEV_ERR_NOMEM;
    if (new_state(m, &fresh)) return AEV_ERR_NOMEM;
    if (aev__pmap_put(&m->conds, state, path, b->p, b->n, fresh, &next, &added))
      return AEV_ERR_NOMEM;
    if (!added) {
      m->nst--; /* the condition is known: reuse its state */
      state = *next;
      continue;
    }
    m->org[fresh] = (origin){k, state, path, NO_LIST};
    for (size_t j = 0; j < k->nm; j++)
      if (add_matcher(m, state, path, &k->m[j], fresh)) return AEV_ERR_NOMEM;
    state = fresh;
  }
  if (sv_push(&m->st[state].accept, slot)) return AEV_ERR_NOMEM;
  mark_leaf(m, state);
  return AEV_OK;
}

/* The state a branch's conditions lead to. The branch was added, so its
 * paths, conditions and key buffer space are all there. */
static uint32_t branch_end(pm_machine *m, const pm_branch *br) {
  uint32_t state = 0;
  for (size_t i = 0; i < br->n; i++) {
    const pm_cond *k = br->c[i];
    uint32_t path = aev__pm_paths_get(&m->paths, k->path.s, k->path.len) & ~PM_PATH_PREFIX;
    m->key.n = 0;
    cond_key(k, &m->key);
    state = *aev__pmap_get(&m->conds, state, path - 1, m->key.p, m->key.n);
  }
  return state;
}

/* Takes one entry of slot out of the states a branch accepts at. */
static void remove_branch(pm_machine *m, const pm_branch *br, uint32_t slot) {
  uint32_t state = branch_end(m, br);
  svec *a = &m->st[state].accept;
  uint32_t *v = a->lg ? a->u.v : a->u.in;
  size_t k = 0;
  while (v[k] != slot) k++;
  v[k] = v[--a->n]; /* one entry a branch: another branch may end here too */
  mark_leaf(m, state);
}

/* A branch accepts its slot only as its last step, so a failed add takes
 * back the branches before it and leaves only states that accept nothing. */
int aev__pm_machine_add(pm_machine *m, const pm_rule *r, uint32_t slot) {
  for (size_t i = 0; i < r->n; i++) {
    if (add_branch(m, &r->b[i], slot, &m->key)) {
      while (i--) remove_branch(m, &r->b[i], slot);
      return aev__nomem();
    }
  }
  return AEV_OK;
}

void aev__pm_machine_remove(pm_machine *m, const pm_rule *r, uint32_t slot) {
  for (size_t i = 0; i < r->n; i++) remove_branch(m, &r->b[i], slot);
}
