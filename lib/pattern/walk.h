/* Internal: what the two walks of the automaton share. match.c walks any
 * machine; exact.c walks, with less to keep track of, the exact values of
 * one over events without arrays (the common case of a big set). */
#ifndef AEV_PATTERN_WALK_H
#define AEV_PATTERN_WALK_H

#include <string.h>

#include "pattern/machine_int.h"

/* Grows o's room to at least n more slots: 0, or -1 when out of memory
 * (o unchanged). Rarely needed, so out of line. */
int aev__pm_slots_grow(pm_slots *o, size_t n);

static inline int slots_room(pm_slots *o, size_t n) {
  return o->n + n <= o->cap ? 0 : aev__pm_slots_grow(o, n);
}

/* The first ng (at most 32) groups of ev a PLAIN state with signature sig
 * may lead on, as a mask: those whose path's bit sig has, or all of them
 * for a state on every bit. A path sharing a bit gets past in vain,
 * rarely. Which groups they are is as random as the events: no branch. */
static inline uint32_t signature_groups(const pm_event *ev, uint32_t sig, size_t ng) {
  if (sig == PM_SIG_ALL) return (uint32_t)(((uint64_t)1 << ng) - 1);
  uint32_t want = 0;
  for (size_t k = 0; k < ng; k++) want |= (uint32_t)((sig & ev->g[k].sig) != 0) << k;
  return want;
}

/* The group of a path in ev, or NULL. */
const pm_group *aev__pm_group_of(const pm_event *ev, uint32_t path);

/* The leaf list a result's word t1 names (LIST | its offset in leaves),
 * else the empty list at offset 0. Which it is is as random as the
 * events: the offset is picked with a mask, which compilers do not turn
 * into a branch. */
static inline const uint32_t *leaf_list(const uint32_t *leaves, uint32_t t1) {
  return leaves + (t1 & ~PLAIN & -(uint32_t)((t1 & PLAIN) == LIST));
}

/* Appends to o what a direct result accepts: its leaf list l (leaf_list()
 * of t1) of at most LIST_FAST slots, or the one slot t1 names, or nothing
 * (a PLAIN t1). Nearly every result of a big set is one of these, as
 * random as the events: they are told apart without branches. o has room
 * for LIST_FAST + 1 more slots, which are written whatever is counted. */
static inline void accept_leaf(pm_slots *o, const uint32_t *l, uint32_t t1) {
  uint32_t *v = o->v + o->n;
  const uint32_t n = l[0];
  memcpy(v, l + 2, LIST_FAST * sizeof *v);
  v[n] = t1 - 1;
  o->n += n + (t1 >> 30 < 2); /* t1 >> 30: 3 PLAIN, 2 LIST, else one slot + 1 */
}

/* Whether the filter (fwords - 1 = fmask) may hold values-map hash h. */
static inline int filter_has(const uint64_t *filter, size_t fmask, uint32_t h) {
  size_t word;
  uint64_t bits = filter_bits(h, fmask + 1, &word);
  return (filter[word] & bits) == bits;
}

/* The walk of any machine (match.c), as aev__pm_machine_match_many(),
 * which takes the exact walk (exact.c) instead where it applies. */
int aev__pm_walk_match(const pm_machine *m, const pm_event *const *ev, size_t n,
                       pm_slots *const *slots);
/* Whether the exact walk can match these events against m, and the
 * match: AEV_OK, AEV_ERR_NOMEM, or AEV_PM_EXACT_GIVEN_BACK when the
 * events reach a state it does not walk (slots as they were). */
#define AEV_PM_EXACT_GIVEN_BACK (-2)
int aev__pm_exact_applies(const pm_machine *m, const pm_event *const *ev, size_t n);
int aev__pm_exact_match(const pm_machine *m, const pm_event *const *ev, size_t n,
                        pm_slots *const *slots);

#endif
