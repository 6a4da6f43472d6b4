/* Internal: the automaton's own types, shared by its building (machine.c)
 * and its matching (match.c). */
#ifndef AEV_PATTERN_MACHINE_INT_H
#define AEV_PATTERN_MACHINE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pattern/paths.h"
#include "pattern/pattern_int.h"
#include "pattern/ranges.h"

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

static inline const uint32_t *sv_data(const svec *s) { return s->lg ? s->u.v : s->u.in; }

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

/* Matchers tested one by one. */
typedef struct slows {
  slow *v;
  size_t n, cap;
} slows;

enum { L_PREFIX, L_PREFIX_EIC, L_SUFFIX, L_SUFFIX_EIC, L_N };

/* The value machine of one (state, field) with more than exact values:
 * which hashed kinds it has, prefix/suffix lengths to try, its numeric
 * ranges, the lengths of its wildcards' literal beginnings and the
 * (family, bits) of its CIDR blocks (see filed in pm_machine), and the
 * matchers tested one by one. Exact values need none of this. */
typedef struct vmach {
  unsigned kinds;
  pm_u32vec len[L_N];
  pm_ranges num;
  pm_u32vec wild_len, cidr_len; /* cidr_len: family << 8 | bits */
  slows slow;
} vmach;

/* How matchers are filed (see filed in pm_machine). */
enum { FILED_WILDCARD, FILED_CIDR };

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
/* leaves begins with an empty list, at offset 0, which a match reads for
 * the results that are not lists; the leaves' own lists start after it. */
#define LISTS_START (2 + LIST_FAST)
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
  /* Matchers filed under a key a value's own key must equal for them to
   * match: wildcards under what they begin with (up to the first star or
   * escape), CIDR blocks under their masked address. (state, path << 1 |
   * FILED_*, key) -> index in fl, the matchers filed there. A value looks
   * up one key for each length (each family and bits) in its value
   * machine's wild_len (cidr_len) and tests only the matchers found. */
  pmap filed;
  slows *fl;
  size_t nfl, cfl;
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

/* The value machine of a state's transition field (trans's entry's second
 * word; the first only marks the entry taken), or NULL when it has none. */
static inline const uint32_t *trans_vm(const pm_machine *m, uint32_t state, uint32_t path) {
  const uint32_t *t = aev__pm_imap_get(&m->trans, (uint64_t)state << 32 | path);
  return t ? t + 1 : NULL;
}

#endif
