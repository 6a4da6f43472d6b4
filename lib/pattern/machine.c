/* The automaton over flattened events (after aws/event-ruler's design, our
 * own code): name states linked by per-field value machines. A branch's
 * conditions, in compile.c's canonical order, are a walk through the states; branches that
 * share leading conditions share states. Exact values, equals-ignore-case,
 * prefixes and suffixes are answered by hash lookups, so matching cost
 * depends on the event's fields, not on the number of patterns. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "pattern/paths.h"
#include "pattern/pattern_int.h"

/* A short list of u32 kept in place up to two entries, so a typical state
 * (one next field, one accepted pattern) is 32 bytes: half a cache line. */
typedef struct svec {
  uint32_t n;
  uint8_t lg;    /* 0: the entries are in place; else 1 << lg on the heap */
  uint8_t flags; /* bits its owner may keep here (a state's ST_* flags) */
  union {
    uint32_t in[2];
    uint32_t *v;
  } u;
} svec;

static const uint32_t *sv_data(const svec *s) { return s->lg ? s->u.v : s->u.in; }

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

/* A state's flags, in paths.flags: some transition needs its value
 * machine; it has exists:false steps (rare, so kept out of the state, in
 * the machine's absent map). */
enum { ST_COMPLEX = 1, ST_ABSENT = 2 };

typedef struct mstate {
  svec paths;  /* fields with transitions out of this state */
  svec accept; /* slots that match on reaching this state */
} mstate;
_Static_assert(sizeof(mstate) == 32, "two states to a cache line");

/* How a state is reached: the condition (owned by its rule, which outlives
 * the machine) on path that leads to it from parent. Read only while
 * building, to find the values entries that name the state. */
typedef struct origin {
  const pm_cond *k; /* NULL for the start state */
  uint32_t parent, path;
  uint32_t list; /* its accepted slots' copy in leaves, or NO_LIST */
} origin;

typedef struct slow {
  const pm_matcher *m; /* owned by the rule, which outlives the machine */
  uint32_t next;
} slow;

enum { L_PREFIX, L_PREFIX_EIC, L_SUFFIX, L_SUFFIX_EIC, L_N };

/* The value machine of one (state, field) with more than exact values:
 * which hashed kinds it has, prefix/suffix lengths to try, and the matchers
 * tested one by one. Exact values need none of this. */
typedef struct vmach {
  unsigned kinds;
  pm_u32vec len[L_N];
  slow *slow;
  size_t ns, cs;
} vmach;

/* Values-map entries name their single next state directly when they have
 * one (the common case), else a target list in tg. A direct entry whose
 * state is a leaf (no field onward) also keeps in its owner's word what
 * the leaf accepts, so a match accepts it without loading the state: in a
 * big set nearly every match ends on a leaf, each a cache miss of its own
 * (and a second one for a list of slots on the heap). The word is one
 * slot + 1, or LIST | the offset in leaves of a copy of the slots, kept
 * as (count, capacity, slots...) so that one cache line usually holds it
 * all. A state that is plain (fields onward, all of them exact, nothing
 * accepted, no exists:false step) is marked PLAIN | its paths' signature
 * (bit path % PM_SIG_BITS of each) there: the match need not load it, and
 * looks up from it only the event's fields whose bit is set, through the
 * filter alone. trans maps to NO_VM when a field has exact values only. */
#define DIRECT 0x80000000u
#define LIST 0x80000000u
#define PLAIN 0xc0000000u
#define NO_LIST UINT32_MAX
/* Slots a match copies from a leaf list without a branch on how many: a
 * list has room for at least these. */
#define LIST_FAST 4
#define NO_VM UINT32_MAX

/* A growing byte buffer (a condition's key). */
typedef struct buf {
  char *p;
  size_t n, cap;
} buf;

struct pm_machine {
  mstate *st;
  origin *org; /* per state */
  size_t nst, cst;
  vmach *vm;
  size_t nvm, cvm;
  pm_u32vec *tg;
  size_t ntg, ctg;
  svec *ab; /* (path, next) pairs of exists:false steps, per state in absent */
  size_t nab, cab;
  uint32_t *leaves; /* copies of leaves' accept lists; a copy that outgrows
                       its capacity moves, leaving garbage a rebuild drops */
  size_t nleaves, cleaves;
  uint32_t npaths;
  pm_paths paths; /* path -> PM_PATH_PREFIX | id + 1 */
  pm_imap trans; /* state << 32 | path -> (1, value machine or NO_VM) */
  pmap conds;  /* (state, path, condition bytes) -> next state */
  pmap values; /* (state, path << 3 | kind, value bytes) -> next state(s) */
  pmap absent; /* state -> index in ab */
  /* A blocked Bloom filter of the values map's keys (by their hashes),
   * 8 to 16 bits a key, so a lookup of a value no pattern names from that
   * state is mostly turned away without touching the map, which in a big
   * set is far bigger than the caches. fwords is a power of two (one empty
   * word at first). */
  uint64_t *filter;
  size_t fwords;
  /* Condition keys are built here: once every added condition's key has
   * fit, finding a branch's states again to remove it allocates nothing. */
  buf key;
};

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
  if (m) m->filter = calloc(1, sizeof *m->filter);
  if (!m || !m->filter || new_state(m, &start)) {
    if (m) free(m->filter);
    free(m);
    return AEV_ERR_NOMEM;
  }
  m->fwords = 1;
  m->conds.dense = 1; /* only adding and removing find states by condition */
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
    free(m->vm[i].slow);
  }
  for (size_t i = 0; i < m->ntg; i++) free(m->tg[i].v);
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
    total += m->vm[i].cs * sizeof(slow);
    for (int j = 0; j < L_N; j++) total += m->vm[i].len[j].cap * 4;
  }
  for (size_t i = 0; i < m->ntg; i++) total += m->tg[i].cap * 4;
  return total + aev__pm_paths_memory(&m->paths) + aev__pm_imap_memory(&m->trans) +
         aev__pmap_memory(&m->conds) + aev__pmap_memory(&m->values);
}

const pm_paths *aev__pm_machine_paths(const pm_machine *m) { return &m->paths; }

/* 1 << i, read from a table: the three variable shifts of a filter probe
 * would each need the one shift-count register. */
#define B4(i) 1ull << (i), 1ull << (i + 1), 1ull << (i + 2), 1ull << (i + 3)
#define B16(i) B4(i), B4(i + 4), B4(i + 8), B4(i + 12)
static const uint64_t filter_bit[64] = {B16(0), B16(16), B16(32), B16(48)};
#undef B16
#undef B4

/* The filter's word for a values-map hash, and the three bits in it. */
static inline uint64_t filter_bits(uint32_t h, size_t fwords, size_t *word) {
  uint64_t x = h * 0x9e3779b97f4a7c15ULL;
  *word = (size_t)(x >> 32) & (fwords - 1);
  return filter_bit[x & 63] | filter_bit[x >> 6 & 63] | filter_bit[x >> 12 & 63];
}

static inline int filter_may_have(const pm_machine *m, uint32_t h) {
  size_t word;
  uint64_t bits = filter_bits(h, m->fwords, &word);
  return (m->filter[word] & bits) == bits;
}

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
  *key = x->s.s;
  *klen = x->s.len;
  if (x->kind == PM_EXACT_NUM) {
    num_key(x->num, num);
    *key = num;
    *klen = 8;
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

/* The value machine of a state's transition field (trans's entry's second
 * word; the first only marks the entry taken), or NULL when it has none. */
static const uint32_t *trans_vm(const pm_machine *m, uint32_t state, uint32_t path) {
  const uint32_t *t = aev__pm_imap_get(&m->trans, (uint64_t)state << 32 | path);
  return t ? t + 1 : NULL;
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
  if (grow((void **)&v->slow, &v->cs, v->ns + 1, sizeof *v->slow)) return AEV_ERR_NOMEM;
  v->slow[v->ns++] = (slow){x, next};
  return AEV_OK;
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

/* ---- matching ---- */

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

/* A field's exact-lookup key, worked out once a match: a big set looks
 * a field up from several states. */
typedef struct fkey {
  uint64_t digest; /* aev__pmap_digest() of b and the bytes */
  uint64_t key;    /* aev__pmap_key() of bytes that outlive the match */
  uint32_t b, n;   /* path << 3 | kind, length */
} fkey;

/* One exact-value lookup of a level. */
typedef struct cand {
  const pm_field *f;
  const fkey *fk;
  uint32_t h; /* 0: no exact lookup */
  uint32_t item, group, vm;
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
  fkey *fk;         /* every event's fields, one after another */
  size_t *fk_first; /* per event: its first field's place in fk */
  size_t lo, hi;    /* the items of the level being walked */
  int rc;
  /* Most matches fit these, so matching allocates nothing of its own. */
  item it_in[32];
  cand c_in[64];
  fkey fk_in[2 * PM_INLINE];
  size_t first_in[16];
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

static const pm_group *group_of(const pm_event *ev, uint32_t path) {
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

/* What the steps up to a lookup's item consumed, with its own field. */
static uint32_t done_after(const walker *w, const cand *c) {
  return w->it[c->item].done | (c->group < 32 ? 1u << c->group : 0);
}

/* Room in o for n more slots. */
static inline int slot_room(walker *w, pm_slots *o, size_t n) {
  if (o->n + n <= o->cap) return 1;
  uint32_t *v = walk_room(w, o->v, o->in, &o->cap, o->n + n, sizeof *v);
  if (!v) return 0;
  o->v = v;
  return 1;
}

/* Appends n slots to o. */
static inline void accept(walker *w, pm_slots *o, const uint32_t *slot, size_t n) {
  if (!slot_room(w, o, n)) return;
  for (size_t i = 0; i < n; i++) o->v[o->n++] = slot[i];
}

/* yes ? a : b, for pointers a branch predictor cannot foresee: with a
 * mask, which compilers do not turn back into a branch. */
static inline const void *pick(int yes, const void *a, const void *b) {
  uintptr_t x = (uintptr_t)a, y = (uintptr_t)b, mask = -(uintptr_t)(yes != 0);
  return (const void *)(y ^ ((x ^ y) & mask));
}

/* An empty leaf list, for the results that are not one. */
static const uint32_t no_list[2 + LIST_FAST];

/* Where a lookup's result leads. Nearly every result of a big set is a
 * plain state, one slot or a list of slots, as random as the events: they
 * are told apart without branches. */
static inline __attribute__((always_inline)) void follow(walker *w, const cand *c) {
  const uint32_t t0 = c->tg[0], t1 = c->tg[1];
  const item *from = &w->it[c->item];
  const uint32_t event = from->event;
  if (__builtin_expect((t0 & DIRECT) && t1, 1)) {
    pm_slots *o = w->out[event];
    if (!slot_room(w, o, LIST_FAST + 1) || !item_room(w)) return;
    const uint32_t kind = t1 >> 30; /* 3: PLAIN, 2: LIST, else one slot + 1 */
    const uint32_t *l =
        pick(kind == 2, (const char *)w->m->leaves + 4 * (size_t)(t1 & ~PLAIN), no_list);
    const size_t n = l[0];
    if (__builtin_expect(n > LIST_FAST, 0)) {
      accept(w, o, l + 2, n);
      return;
    }
    /* Room was made for a whole copy and one slot, counted as they apply. */
    uint32_t *v = o->v + o->n;
    memcpy(v, l + 2, LIST_FAST * sizeof *v);
    v[n] = t1 - 1;
    o->n += n + (kind < 2);
    w->it[w->nit] =
        (item){t0 & ~DIRECT, (int32_t)c->item, c->f, t1 & ~PLAIN, done_after(w, c), event};
    w->nit += kind == 3;
    return;
  }
  if (t0 & DIRECT) {
    reach(w, t0 & ~DIRECT, (int32_t)c->item, c->f, done_after(w, c), 0, event);
    return;
  }
  const pm_u32vec *t = &w->m->tg[t0];
  for (size_t i = 0; i < t->n && !w->rc; i++)
    reach(w, t->v[i], (int32_t)c->item, c->f, done_after(w, c), 0, event);
}

/* A lookup try_complex() makes at once (prefix, suffix, equals-ignore-case). */
static void lookup(walker *w, const cand *c, int kind, const char *p, size_t n) {
  cand x = *c;
  x.tg = aev__pmap_get(&w->m->values, w->it[c->item].state, c->f->path << 3 | (uint32_t)kind, p, n);
  if (x.tg) follow(w, &x);
}

static void affixes(walker *w, const cand *c, const pm_u32vec *lens, int kind, const char *s,
                    size_t n, int suffix) {
  for (size_t i = 0; i < lens->n; i++)
    if (lens->v[i] <= n) lookup(w, c, kind, suffix ? s + n - lens->v[i] : s, lens->v[i]);
}

/* Everything a value machine adds to the exact lookup. */
static void try_complex(walker *w, const cand *c, const vmach *v) {
  const pm_value *x = &c->f->v;
  if (x->type == PV_STR) {
    affixes(w, c, &v->len[L_PREFIX], PM_PREFIX, x->s, x->len, 0);
    affixes(w, c, &v->len[L_SUFFIX], PM_SUFFIX, x->s, x->len, 1);
    if (v->kinds & (1u << PM_EIC | 1u << PM_PREFIX_EIC | 1u << PM_SUFFIX_EIC)) {
      char local[256];
      pm_str folded = {x->len < sizeof local ? local : malloc(x->len), x->len};
      if (!folded.s) {
        w->rc = AEV_ERR_NOMEM;
        return;
      }
      aev__pm_fold_to(x->s, x->len, folded.s);
      if (v->kinds & (1u << PM_EIC)) lookup(w, c, PM_EIC, folded.s, folded.len);
      affixes(w, c, &v->len[L_PREFIX_EIC], PM_PREFIX_EIC, folded.s, folded.len, 0);
      affixes(w, c, &v->len[L_SUFFIX_EIC], PM_SUFFIX_EIC, folded.s, folded.len, 1);
      if (folded.s != local) free(folded.s);
    }
  }
  for (size_t i = 0; i < v->ns && !w->rc; i++)
    if (aev__pm_matcher_test(v->slow[i].m, x))
      reach(w, v->slow[i].next, (int32_t)c->item, c->f, done_after(w, c), 0,
            w->it[c->item].event);
}

static const char *const literal[] = {[PV_TRUE] = "true", [PV_FALSE] = "false",
                                      [PV_NULL] = "null"};
static const unsigned char literal_len[] = {[PV_TRUE] = 4, [PV_FALSE] = 5, [PV_NULL] = 4};
static const double zero = 0;

/* The exact-lookup key of a value: its kind, and in *p, *n its bytes,
 * which live as long as the event (a number's are its double, with -0
 * read as 0 so that they hash alike, as num_key() does). */
static inline int exact_key(const pm_value *x, const char **p, size_t *n) {
  if (x->type == PV_STR) {
    *p = x->s;
    *n = x->len;
    return PM_EXACT_STR;
  }
  if (x->type == PV_NUM) {
    *p = (const char *)(x->num == 0 ? &zero : &x->num);
    *n = 8;
    return PM_EXACT_NUM;
  }
  *p = literal[x->type];
  *n = literal_len[x->type];
  return PM_LITERAL;
}

/* What the lookups from one item share, worked out once. */
typedef struct from {
  uint32_t item, state;
  const pm_event *ev;
  const fkey *fk; /* the key of the event's first field */
} from;

/* Queues the lookups of group k's fields from an item's state, whose value
 * machine for them is vm (NO_VM: exact values only), and starts loading
 * the buckets of those the filter lets through. A lookup with a value
 * machine is queued either way (h = 0: no exact lookup). The filter's
 * answer, as random as the events, takes no branch. visit() made room
 * for every field of the event. */
static inline __attribute__((always_inline)) void queue(walker *w, const from *o, uint32_t k,
                                                     uint32_t vm) {
  const pm_machine *m = w->m;
  const pm_group *g = &o->ev->g[k];
  const pm_field *f = o->ev->f + g->first;
  const fkey *fk = o->fk + g->first;
  cand *c = w->c;
  size_t nc = w->nc;
  for (uint32_t j = 0; j < g->n; j++, f++, fk++) {
    if (f->ntrail && !consistent(w, (int32_t)o->item, f)) continue;
    uint32_t h = aev__pmap_mix(o->state, fk->digest);
    const int may = filter_may_have(m, h);
    aev__pmap_prefetch(&m->values, h);
    c[nc] = (cand){f, fk, may ? h : 0, o->item, k, vm, NULL};
    nc += may | (vm != NO_VM);
  }
  w->nc = nc;
}

/* Whether a step up to item i consumed a field of group k (see item). */
static inline int consumed(uint32_t done, size_t k) { return k < 32 && done >> k & 1; }

/* The lookups from a state with a value machine on some field: each field
 * it has a transition on. */
static void queue_complex(walker *w, const from *o, size_t k) {
  const uint32_t *t = trans_vm(w->m, o->state, o->ev->g[k].path);
  if (t) queue(w, o, (uint32_t)k, *t);
}

/* One state of a level: its accepts and exists:false steps, and the
 * lookups for the event's fields it has transitions on, found through the
 * state's own list when it is the shorter, else through the event's. */
static void visit(walker *w, uint32_t i) {
  const item *it = &w->it[i];
  const uint32_t event = it->event;
  const pm_event *ev = w->ev[event];
  const uint32_t done = it->done, sig = it->plain;
  const from o = {i, it->state, ev, w->fk + w->fk_first[event]};
  if (w->nc + ev->nf > w->cc) { /* each field is looked up once at most */
    cand *c = walk_room(w, w->c, w->c_in, &w->cc, w->nc + ev->nf, sizeof *c);
    if (!c) return;
    w->c = c;
  }
  if (sig) {
    /* A path sharing a signature bit gets past here in vain, rarely. The
     * first 32 groups are picked without branches, as a mask: which of
     * them a state leads on is as random as the events. */
    const size_t ng = ev->ng < 32 ? ev->ng : 32;
    uint32_t want = 0;
    for (size_t k = 0; k < ng; k++) want |= (uint32_t)((sig & ev->g[k].sig) != 0) << k;
    for (want &= ~done; want; want &= want - 1) queue(w, &o, (uint32_t)__builtin_ctz(want), NO_VM);
    for (size_t k = 32; k < ev->ng; k++)
      if (sig & ev->g[k].sig) queue(w, &o, (uint32_t)k, NO_VM);
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
      if (!group_of(ev, abs[k])) reach(w, abs[k + 1], (int32_t)i, NULL, done, 0, event);
  }
  if (s->paths.n <= ev->ng) {
    for (size_t k = 0; k < s->paths.n && !w->rc; k++) {
      const pm_group *g = group_of(ev, paths[k]);
      if (!g) continue;
      if (complex) queue_complex(w, &o, (size_t)(g - ev->g));
      else queue(w, &o, (uint32_t)(g - ev->g), NO_VM);
    }
  } else {
    for (size_t k = 0; k < ev->ng && !w->rc; k++) {
      if (consumed(done, k)) continue;
      if (complex) queue_complex(w, &o, k);
      else queue(w, &o, (uint32_t)k, NO_VM);
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

/* Every event's fields' lookup keys (in w->fk), or w->rc set. */
static void field_keys(walker *w) {
  size_t total = 0;
  w->fk = w->fk_in;
  w->fk_first = w->first_in;
  if (w->nev > sizeof w->first_in / sizeof *w->first_in &&
      !(w->fk_first = malloc(w->nev * sizeof *w->fk_first))) {
    w->fk_first = w->first_in;
    w->rc = AEV_ERR_NOMEM;
    return;
  }
  for (size_t e = 0; e < w->nev; e++) {
    w->fk_first[e] = total;
    total += w->ev[e]->nf;
  }
  if (total > sizeof w->fk_in / sizeof *w->fk_in && !(w->fk = malloc(total * sizeof *w->fk))) {
    w->fk = w->fk_in;
    w->rc = AEV_ERR_NOMEM;
    return;
  }
  fkey *fk = w->fk;
  for (size_t e = 0; e < w->nev; e++) {
    const pm_event *ev = w->ev[e];
    for (size_t i = 0; i < ev->nf; i++) {
      const char *p;
      size_t n;
      uint32_t b = ev->f[i].path << 3 | (uint32_t)exact_key(&ev->f[i].v, &p, &n);
      uint64_t last = aev__pmap_word(p, n);
      *fk++ = (fkey){aev__pmap_digest(b, p, n, last), aev__pmap_key(p, n, last), b,
                     (uint32_t)n};
    }
  }
}

/* A level, in three passes over all the events' items and lookups, each
 * ending on loads the next one uses: the states' lookups queued (their
 * buckets loading), the lookups made (the slot lists they lead to
 * loading), and what they found followed. */
static void walk_level(walker *w) {
  const pm_machine *m = w->m;
  w->hi = w->nit;
  w->nc = 0;
  for (size_t i = w->lo; i < w->hi && !w->rc; i++) visit(w, (uint32_t)i);
  for (size_t k = 0; k < w->nc; k++) {
    cand *c = &w->c[k];
    if (!c->h) continue;
    const fkey *fk = c->fk;
    const uint32_t *tg =
        aev__pmap_get_k(&m->values, c->h, w->it[c->item].state, fk->b, fk->key, fk->n);
    c->tg = tg;
    if (!tg) continue;
    /* What the result leads to, loading: a list of slots, or a state that
     * must be loaded (which is rare in a big set); picked without a branch. */
    const void *next =
        pick((tg[1] & PLAIN) == LIST, (const char *)m->leaves + 4 * (size_t)(tg[1] & ~PLAIN), tg);
    if (__builtin_expect(!tg[1] && (*tg & DIRECT), 0)) next = &m->st[*tg & ~DIRECT];
    __builtin_prefetch(next);
  }
  for (size_t k = 0; k < w->nc && !w->rc; k++) {
    if (w->c[k].tg) follow(w, &w->c[k]);
    if (!w->rc && w->c[k].vm != NO_VM) try_complex(w, &w->c[k], &w->m->vm[w->c[k].vm]);
  }
  w->lo = w->hi;
}

int aev__pm_machine_match(const pm_machine *m, const pm_event *ev, pm_slots *slots) {
  return aev__pm_machine_match_many(m, &ev, 1, &slots);
}

int aev__pm_machine_match_many(const pm_machine *m, const pm_event *const *ev, size_t n,
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
  field_keys(&w);
  for (size_t e = 0; e < n && !w.rc; e++) reach(&w, 0, -1, NULL, 0, 0, (uint32_t)e);
  while (w.lo < w.nit && !w.rc) walk_level(&w);
  if (w.it != w.it_in) free(w.it);
  if (w.c != w.c_in) free(w.c);
  if (w.fk != w.fk_in) free(w.fk);
  if (w.fk_first != w.first_in) free(w.fk_first);
  return w.rc ? aev__nomem() : AEV_OK;
}
