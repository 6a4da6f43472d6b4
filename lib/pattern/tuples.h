/* Internal: the exact-value index beside the automaton. A branch whose
 * conditions all name exact values (strings, numbers, true, false, null) is
 * kept as one key: the ids of its (path, value) pairs, in path order. A
 * match looks each event field's pair up once, then each combination of
 * pairs that some branch's paths could form in one probe of one table, all
 * probes started before any is used: in a big set, one round of cache
 * misses an event where the automaton takes one a condition. */
#ifndef AEV_PATTERN_TUPLES_H
#define AEV_PATTERN_TUPLES_H

#include <stddef.h>
#include <stdint.h>

#include "pattern/pattern_int.h"
#include "pattern/pmap.h"

/* The most conditions, and value combinations, an indexed branch has;
 * bigger exact branches stay in the automaton. */
#define PM_TUPLE_PATHS 8
#define PM_TUPLE_COMBOS 32

/* A key of up to three pairs sits in its entry (unused places 0); a longer
 * one is p[0] = PM_TUPLE_EXT | its offset in ext, p[1] = its hash. acc is
 * what the key accepts: 0, one slot + 1, or PM_TUPLE_LIST | the offset in
 * lists of (count, capacity, slots...). */
#define PM_TUPLE_EXT 0x80000000u
#define PM_TUPLE_LIST 0x80000000u
typedef struct pm_tentry {
  uint32_t p[3];
  uint32_t acc;
} pm_tentry;

/* A distinct list of paths that some branch names (its signature), and
 * the one of them it is looked for under: the path fewest signatures name
 * (see anchor()). */
typedef struct pm_tsig {
  uint32_t n, anchor;
  uint32_t p[PM_TUPLE_PATHS];
} pm_tsig;

typedef struct pm_tpath {
  pm_u32vec anchored; /* signatures looked for under this path */
  pm_u32vec member;   /* signatures that name it */
} pm_tpath;

/* Pairs and signatures stay until the owner rebuilds (as the automaton's
 * states do); a removed branch only leaves its keys accepting less. */
typedef struct pm_tuples {
  pmap pairs; /* (path, kind, value bytes) -> pair id, from 1 */
  uint32_t npairs;
  pmap sigs; /* (0, count, path ids) -> signature index */
  pm_tsig *sig;
  size_t nsig, csig;
  pm_tpath *path;     /* by path id */
  size_t cpath;
  pm_tentry *e; /* open addressing, at most three quarters full */
  size_t cap, n;
  pm_u32vec ext;   /* long keys: (count, pair ids...) */
  pm_u32vec lists; /* accept lists; a list that outgrows its place moves */
} pm_tuples;

/* Whether a branch goes in the index rather than the automaton. */
int aev__pm_tuples_fits(const pm_branch *br);
/* paths[i]: the path id of br's condition i. On failure nothing of br is
 * accepted. */
int aev__pm_tuples_add(pm_tuples *t, const pm_branch *br, const uint32_t *paths,
                       uint32_t slot);
/* Takes back one add of br under slot (which succeeded). */
void aev__pm_tuples_remove(pm_tuples *t, const pm_branch *br, const uint32_t *paths,
                           uint32_t slot);
/* Appends the slots of the indexed branches ev matches (may repeat). */
int aev__pm_tuples_match(const pm_tuples *t, const pm_event *ev, pm_slots *out);
void aev__pm_tuples_free(pm_tuples *t);
size_t aev__pm_tuples_memory(const pm_tuples *t);

#endif
