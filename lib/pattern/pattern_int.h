/* Internal: the compiled form of event patterns (rules of ANDed conditions
 * after $or expansion), the flattened event, and the automaton over both. */
#ifndef AEV_PATTERN_PATTERN_INT_H
#define AEV_PATTERN_PATTERN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pattern/pmap.h"

/* Value kinds of a flattened event field. */
enum { PV_STR, PV_NUM, PV_TRUE, PV_FALSE, PV_NULL };

/* Matcher kinds. The first group is answered by hash lookups in the
 * automaton; the rest are tested one by one. */
enum {
  PM_EXACT_STR,  /* s */
  PM_EXACT_NUM,  /* num */
  PM_LITERAL,    /* s = "true" / "false" / "null" */
  PM_EIC,        /* s folded */
  PM_PREFIX,     /* s */
  PM_PREFIX_EIC, /* s folded */
  PM_SUFFIX,     /* s */
  PM_SUFFIX_EIC, /* s folded */
  PM_N_HASHED,
  PM_EXISTS = PM_N_HASHED, /* exists: true */
  PM_ABSENT,                /* exists: false */
  PM_NUMERIC,               /* lo/hi */
  PM_CIDR,                  /* ip/bits */
  PM_WILDCARD,              /* s (escapes kept) */
  PM_AB_STR,                /* anything-but strings: strs */
  PM_AB_NUM,                /* anything-but numbers: nums */
  PM_AB_EIC,                /* anything-but equals-ignore-case: strs folded */
  PM_AB_PREFIX,             /* strs */
  PM_AB_SUFFIX,             /* strs */
  PM_AB_WILDCARD            /* strs */
};

typedef struct pm_str {
  char *s;
  size_t len;
} pm_str;

/* A matcher holds only what its kind uses (see the kinds above): a big
 * set keeps one for every value its patterns name, so they share room. */
typedef struct pm_matcher {
  int kind;
  union {
    pm_str s;
    double num;
    struct { /* numeric: lo/hi bounds, open means strict */
      double lo, hi;
      unsigned char has_lo, has_hi, lo_open, hi_open;
    };
    struct { /* cidr: 16 bytes (IPv4 mapped into the first 4), family 4 or 6 */
      unsigned char ip[16];
      unsigned char family, bits;
    };
    struct { /* anything-but lists */
      pm_str *strs;
      double *nums;
      size_t n;
    };
  };
} pm_matcher;
_Static_assert(sizeof(pm_matcher) == 32, "a matcher is half a cache line");

/* One field condition: the values at path must satisfy one of the matchers. */
typedef struct pm_cond {
  pm_str path;
  pm_matcher *m;
  size_t nm;
  unsigned depth; /* nesting level of its key in the pattern, top 1 */
} pm_cond;

/* A conjunction of conditions on distinct paths, cheapest first, then by
 * path. Branches share conditions, which the rule's pool owns. */
typedef struct pm_branch {
  pm_cond **c;
  size_t n;
} pm_branch;

/* A compiled pattern: its $or branches. */
typedef struct pm_rule {
  pm_branch *b;
  size_t n, cap;
  pm_cond **pool;
  size_t npool, poolcap;
} pm_rule;

/* Parses and validates pattern text into *out (profile AEV_PATTERN_*). */
int aev__pm_compile(const char *json, size_t len, int profile, pm_rule **out);
void aev__pm_rule_free(pm_rule *r);
size_t aev__pm_rule_memory(const pm_rule *r);

/* The lower-casing equals-ignore-case compares (matcher.c) of len bytes
 * of UTF-8 text, which keeps their length: into a new NUL-terminated
 * buffer; or into local (cap bytes) when they fit, else a new buffer,
 * returning the one used (the caller frees it unless it is local) or NULL
 * when out of memory. */
int aev__pm_fold(const char *s, size_t len, pm_str *out);
char *aev__pm_fold_into(const char *s, size_t len, char *local, size_t cap);

/* Tests a matcher that the automaton does not answer by hashing: 1 when
 * the value passes it, 0 when not, -1 when out of memory. */
typedef struct pm_value {
  int type;
  const char *s;
  size_t len;
  double num;
} pm_value;
int aev__pm_matcher_test(const pm_matcher *m, const pm_value *v);

/* Wildcard: validates (AWS's messages) and matches. */
int aev__pm_wildcard_check(const char *s, size_t len);
int aev__pm_wildcard_match(const char *pat, size_t plen, const char *s,
                           size_t len);

/* CIDR: parses "addr/bits" into m (AWS's messages); tests an address. */
int aev__pm_cidr_parse(const char *s, size_t len, pm_matcher *m);
int aev__pm_cidr_test(const pm_matcher *m, const char *s, size_t len);
/* Parses an IPv4/IPv6 address into 16 bytes; returns 4, 6 or 0. */
int aev__pm_ip_parse(const char *s, size_t len, unsigned char ip[16]);
/* A CIDR block's key in a set's automaton, or an address's for a
 * (family, bits): the family, the bits and the address's first bits (the
 * rest zero), in key; returns its length. Equal keys: the block holds the
 * address. */
size_t aev__pm_cidr_key(int family, int bits, const unsigned char ip[16], unsigned char key[18]);

/* A field's exact-lookup key, worked out as the field is read: a big set
 * looks a field up from several states. */
typedef struct pm_fkey {
  uint64_t digest; /* aev__pmap_digest() of b and the bytes */
  uint64_t key;    /* aev__pmap_key() of bytes that live as long as the event */
  uint32_t b, n;   /* path << 3 | kind, length */
} pm_fkey;

/* A flattened event: its leaves on paths some pattern names, grouped. */
typedef struct pm_field {
  uint32_t path;   /* path id */
  uint32_t trail;  /* offset in trails[] of (array id, index) pairs */
  uint32_t ntrail; /* number of pairs */
  pm_value v;
  pm_fkey k;
} pm_field;

/* A plain state's signature has bit path % PM_SIG_BITS of each path it
 * leads on (see machine.c); a group keeps its path's bit at hand. */
#define PM_SIG_BITS 30
#define PM_SIG_ALL ((1u << PM_SIG_BITS) - 1)
typedef struct pm_group {
  uint32_t path, first, n;
  uint32_t sig; /* 1u << path % PM_SIG_BITS */
} pm_group;

/* Most events fit the inline buffers, so flattening one allocates nothing. */
#define PM_INLINE 32
/* An event's groups are sorted by path when there are more than these,
 * else only when a path repeats (a match then finds one by scanning). */
#define PM_FEW_GROUPS 16
_Static_assert(PM_FEW_GROUPS <= PM_INLINE, "a few groups fit the inline ones");
typedef struct pm_event {
  pm_field *f;
  size_t nf, cf;
  uint32_t *trails; /* pairs */
  size_t nt, ct;
  char *arena; /* unescaped strings */
  size_t na, ca;
  pm_group *g;
  size_t ng;
  uint32_t members; /* of the top-level object */
  uint32_t singles; /* each path once: group k is field k alone */
  char *path; /* an escaped key, unescaped */
  size_t pcap;
  pm_field f_in[PM_INLINE];
  pm_group g_in[PM_INLINE];
  uint32_t t_in[PM_INLINE];
  char p_in[8 * PM_INLINE];
} pm_event;

/* A path's value in the path table (paths.h): 0 when no pattern names it
 * or a longer path under it; else PM_PATH_PREFIX and/or (path id + 1) in
 * the low bits. */
#define PM_PATH_PREFIX 0x80000000u
typedef struct pm_paths pm_paths;

/* Events nest at most this deep unless a caller asks for less. */
#define PM_MAX_DEPTH 1100

/* Flattens JSON text into ev (uninitialized); fields on paths the table
 * does not name are skipped. Returns AEV_OK or AEV_ERR_INVALID (not a
 * JSON object, or objects and arrays nested deeper than max_depth, the top
 * one counting as 1); either way ev must then be released with
 * aev__pm_event_free(). */
int aev__pm_flatten(const char *json, size_t len, int max_depth,
                    const pm_paths *paths, pm_event *ev);
void aev__pm_event_free(pm_event *ev);

/* The automaton. Slots are 31-bit tags its owner gives the patterns it
 * adds, and gets back from a match. */
typedef struct pm_machine pm_machine;
int aev__pm_machine_new(pm_machine **out);
void aev__pm_machine_free(pm_machine *m);
/* On failure the machine accepts nothing more than before (it may keep
 * states that accept nothing). */
int aev__pm_machine_add(pm_machine *m, const pm_rule *r, uint32_t slot);
/* Takes back what adding r under slot (which succeeded) added to the
 * accepted slots; the states stay until the owner rebuilds. Allocates
 * nothing, so it cannot fail. */
void aev__pm_machine_remove(pm_machine *m, const pm_rule *r, uint32_t slot);
const pm_paths *aev__pm_machine_paths(const pm_machine *m);
typedef struct pm_u32vec {
  uint32_t *v;
  size_t n, cap;
} pm_u32vec;
int aev__pm_u32_push(pm_u32vec *v, uint32_t x);
/* The slots a match found: in place up to 32 (a match allocates nothing
 * for them), then on the heap. */
typedef struct pm_slots {
  uint32_t *v;
  size_t n, cap;
  uint32_t in[32];
} pm_slots;
void aev__pm_slots_init(pm_slots *s);
void aev__pm_slots_free(pm_slots *s);
/* Appends the slots matching ev to *slots (may repeat). */
int aev__pm_machine_match(const pm_machine *m, const pm_event *ev, pm_slots *slots);
/* Appends the slots matching each ev[i] to *slots[i], walking the
 * automaton for all n events level by level together, so that one walk's
 * cache misses overlap the others' work. */
int aev__pm_machine_match_many(const pm_machine *m, const pm_event *const *ev, size_t n,
                               pm_slots *const *slots);
size_t aev__pm_machine_memory(const pm_machine *m);

#endif
