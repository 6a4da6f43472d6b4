/* The public pattern API: single compiled patterns and pattern sets (slots,
 * ids, the readers-writer lock, and rebuilding the automaton once removed
 * patterns outnumber live ones). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/pattern.h"
#include "core/status.h"
#include "pattern/pattern.h"
#include "pattern/pattern_int.h"
#include "pattern/rank.h"
#include "pattern/sns.h"

struct aev_pattern {
  int profile;
  pm_rule *rule;
  pm_machine *m;
};

typedef struct slot {
  uint64_t id;
  pm_rule *rule;
  int live;
} slot;

/* What the automaton accepts for a pattern: its id itself when the id is
 * below TAG_SLOT (the usual small ids), else TAG_SLOT | its slot index. So
 * a match finds most ids in the automaton's leaves, without one more
 * read (a cache miss in a big set) per id; removal takes a pattern's tags
 * out of the automaton, so whatever it accepts is live. */
#define TAG_SLOT (1u << 30)

static uint32_t tag_of(uint64_t id, size_t idx) {
  return id < TAG_SLOT ? (uint32_t)id : TAG_SLOT | (uint32_t)idx;
}

struct aev_pattern_set {
  int profile;
  pthread_rwlock_t lock;
  pm_machine *m;
  slot *s;
  size_t n, cap, live;
  pm_imap ids; /* id -> (1, slot index or NO_SLOT), see ids_put() */
};

/* The ids map: 16 bytes an id where a general map takes 32. An entry's
 * first word only marks it taken; a pointer to its second, the id's slot
 * index, stands for the entry. */
#define NO_SLOT UINT32_MAX

static uint32_t *ids_get(const pm_imap *ids, uint64_t id) {
  uint32_t *v = aev__pm_imap_get(ids, id);
  return v ? v + 1 : NULL;
}

/* The index of id (idx when it was absent) in **v. */
static int ids_put(pm_imap *ids, uint64_t id, uint32_t idx, uint32_t **v) {
  int added;
  if (aev__pm_imap_put(ids, id, 1, v, &added))
    return aev__nomem();
  if (added) (*v)[1] = idx;
  (*v)++;
  return AEV_OK;
}

/* ---- matching, shared by both ---- */

/* An event made ready for the automaton. */
typedef struct prepared {
  pm_event ev;
  char *converted; /* the JSON text of SNS message attributes */
  int flat;        /* ev is flattened (else it matches nothing) */
  int made;        /* ev needs aev__pm_event_free() */
} prepared;

/* Flattens event (after converting SNS message attributes to JSON);
 * *members (may be NULL): how many members its top-level object has. */
static int prepare(int profile, const pm_machine *m, const char *event, size_t len,
                   int max_depth, prepared *p, size_t *members) {
  p->converted = NULL;
  p->flat = p->made = 0;
  if (profile == AEV_PATTERN_SNS_ATTRIBUTES) {
    int rc = aev__pm_sns_attributes(event, len, &p->converted, &len);
    if (rc) return rc;
    event = p->converted;
  }
  int rc = aev__pm_flatten(event, len, max_depth, aev__pm_machine_paths(m), &p->ev);
  p->made = 1;
  if (members) *members = p->ev.members;
  if (rc == AEV_ERR_INVALID && profile == AEV_PATTERN_SNS_BODY) {
    /* SNS: a body that is not a JSON object matches no body policy. */
    return AEV_OK;
  }
  if (rc == AEV_ERR_INVALID)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "Parameter Event is not valid.");
  if (rc) return aev__nomem();
  p->flat = 1;
  return AEV_OK;
}

static void prepared_free(prepared *p) {
  if (p->made) aev__pm_event_free(&p->ev);
  free(p->converted);
}

/* *members (may be NULL) as prepare()'s. */
static int match_slots(int profile, const pm_machine *m, const char *event, size_t len,
                       int max_depth, pm_slots *slots, size_t *members) {
  prepared p;
  int rc = prepare(profile, m, event, len, max_depth, &p, members);
  if (!rc && p.flat) rc = aev__pm_machine_match(m, &p.ev, slots);
  prepared_free(&p);
  return rc;
}

/* ---- single patterns ---- */

int aev_pattern_compile_profile(const char *json, size_t len, int profile,
                                aev_pattern **out) {
  if (!out) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "out is NULL.");
  *out = NULL;
  aev_pattern *p = calloc(1, sizeof *p);
  if (!p) return aev__nomem();
  p->profile = profile;
  int rc = aev__pm_compile(json, len, profile, &p->rule);
  if (!rc) rc = aev__pm_machine_new(&p->m) ? aev__nomem() : AEV_OK;
  if (!rc) rc = aev__pm_machine_add(p->m, p->rule, 0);
  if (rc) {
    aev_pattern_free(p);
    return rc;
  }
  *out = p;
  return AEV_OK;
}

int aev_pattern_compile(const char *json, size_t len, aev_pattern **out) {
  return aev_pattern_compile_profile(json, len, AEV_PATTERN_EVENTBRIDGE, out);
}

void aev_pattern_free(aev_pattern *p) {
  if (!p) return;
  aev__pm_machine_free(p->m);
  aev__pm_rule_free(p->rule);
  free(p);
}

int aev_pattern_matches(const aev_pattern *p, const char *event, size_t len,
                        int *out_match) {
  if (!p || !event || !out_match)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "pattern, event and out_match are required.");
  pm_slots slots;
  aev__pm_slots_init(&slots);
  int rc = match_slots(p->profile, p->m, event, len, PM_MAX_DEPTH, &slots, NULL);
  if (!rc) *out_match = slots.n > 0;
  aev__pm_slots_free(&slots);
  return rc;
}

/* ---- sets ---- */

int aev_pattern_set_new(int profile, aev_pattern_set **out) {
  if (!out) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "out is NULL.");
  *out = NULL;
  if (profile < AEV_PATTERN_EVENTBRIDGE || profile > AEV_PATTERN_SNS_BODY)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Unknown pattern profile %d.", profile);
  aev_pattern_set *set = calloc(1, sizeof *set);
  if (!set) return aev__nomem();
  set->profile = profile;
  if (aev__pm_machine_new(&set->m)) {
    free(set);
    return aev__nomem();
  }
  pthread_rwlock_init(&set->lock, NULL);
  *out = set;
  return AEV_OK;
}

void aev_pattern_set_free(aev_pattern_set *set) {
  if (!set) return;
  aev__pm_machine_free(set->m);
  for (size_t i = 0; i < set->n; i++) aev__pm_rule_free(set->s[i].rule);
  free(set->s);
  aev__pm_imap_free(&set->ids);
  pthread_rwlock_destroy(&set->lock);
  free(set);
}

/* Builds a new automaton from the live slots, compacting them. On failure
 * nothing changes. */
static int rebuild(aev_pattern_set *set) {
  pm_machine *m;
  pm_imap ids = {0};
  slot *s = malloc((set->live ? set->live : 1) * sizeof *s);
  if (!s || aev__pm_machine_new(&m)) {
    free(s);
    return aev__nomem();
  }
  size_t n = 0;
  int rc = AEV_OK;
  uint32_t *v;
  for (size_t i = 0; i < set->n && !rc; i++) {
    if (!set->s[i].live) continue;
    rc = aev__pm_machine_add(m, set->s[i].rule, tag_of(set->s[i].id, n));
    if (!rc) rc = ids_put(&ids, set->s[i].id, (uint32_t)n, &v);
    s[n++] = set->s[i];
  }
  if (rc) {
    aev__pm_machine_free(m);
    aev__pm_imap_free(&ids);
    free(s);
    return rc;
  }
  for (size_t i = 0; i < set->n; i++)
    if (!set->s[i].live) aev__pm_rule_free(set->s[i].rule);
  aev__pm_machine_free(set->m);
  aev__pm_imap_free(&set->ids);
  free(set->s);
  set->m = m;
  set->ids = ids;
  set->s = s;
  set->n = set->cap = n;
  return AEV_OK;
}

static uint32_t *find_live(const aev_pattern_set *set, uint64_t id) {
  uint32_t *v = ids_get(&set->ids, id);
  return v && *v != NO_SLOT && set->s[*v].live ? v : NULL;
}

static void mark_dead(aev_pattern_set *set, uint32_t *v) {
  slot *s = &set->s[*v];
  aev__pm_machine_remove(set->m, s->rule, tag_of(s->id, *v));
  s->live = 0;
  *v = NO_SLOT;
  set->live--;
}

/* Rebuilds once removed patterns outnumber live ones, so removal costs
 * amortized O(1) and the automaton never keeps much garbage. A failed
 * rebuild leaves a correct (if larger) automaton. */
static void maybe_rebuild(aev_pattern_set *set) {
  if (set->n - set->live > set->live + 64) rebuild(set);
}

int aev_pattern_set_add(aev_pattern_set *set, uint64_t id, const char *pattern,
                        size_t len) {
  if (!set) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "set is NULL.");
  pm_rule *r;
  int rc = aev__pm_compile(pattern, len, set->profile, &r);
  if (rc) return rc;
  pthread_rwlock_wrlock(&set->lock);
  if (set->n == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 16;
    slot *s = cap < TAG_SLOT ? realloc(set->s, cap * sizeof *s) : NULL;
    if (!s) rc = aev__nomem();
    else set->s = s, set->cap = cap;
  }
  uint32_t idx = (uint32_t)set->n, *v = NULL;
  if (!rc) rc = ids_put(&set->ids, id, NO_SLOT, &v);
  if (!rc && (rc = aev__pm_machine_add(set->m, r, tag_of(id, idx)))) {
    /* The automaton may keep steps through r's matchers, to states that
     * accept nothing: r stays, as a dead slot, until a rebuild drops them. */
    set->s[set->n++] = (slot){id, r, 0};
    r = NULL;
  }
  if (rc) {
    pthread_rwlock_unlock(&set->lock);
    aev__pm_rule_free(r);
    return rc;
  }
  uint32_t *old = find_live(set, id);
  if (old) mark_dead(set, old);
  v = ids_get(&set->ids, id);
  set->s[idx] = (slot){id, r, 1};
  set->n++;
  set->live++;
  *v = idx;
  maybe_rebuild(set);
  pthread_rwlock_unlock(&set->lock);
  return AEV_OK;
}

int aev_pattern_set_remove(aev_pattern_set *set, uint64_t id) {
  if (!set) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "set is NULL.");
  pthread_rwlock_wrlock(&set->lock);
  uint32_t *v = find_live(set, id);
  if (v) {
    mark_dead(set, v);
    maybe_rebuild(set);
  }
  pthread_rwlock_unlock(&set->lock);
  if (!v)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Pattern %llu does not exist.", (unsigned long long)id);
  return AEV_OK;
}

size_t aev_pattern_set_count(const aev_pattern_set *set) {
  if (!set) return 0;
  pthread_rwlock_rdlock((pthread_rwlock_t *)&set->lock);
  size_t n = set->live;
  pthread_rwlock_unlock((pthread_rwlock_t *)&set->lock);
  return n;
}

size_t aev_pattern_set_memory(const aev_pattern_set *set) {
  if (!set) return 0;
  pthread_rwlock_rdlock((pthread_rwlock_t *)&set->lock);
  size_t total = sizeof *set + aev__pm_machine_memory(set->m) +
                 set->cap * sizeof *set->s +
                 aev__pm_imap_memory(&set->ids);
  for (size_t i = 0; i < set->n; i++) total += aev__pm_rule_memory(set->s[i].rule);
  pthread_rwlock_unlock((pthread_rwlock_t *)&set->lock);
  return total;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* A match's slots hold 32 in place and double from there (match.c): up
 * to PM_RANK_MAX of them, their room is a multiple of 16, as
 * aev__pm_rank_tags() reads. */
_Static_assert(sizeof((pm_slots *)0)->in / sizeof(uint32_t) == PM_RANK_MAX / 2,
               "a match's slots hold PM_RANK_MAX / 2 in place, then double");

int aev_pattern_set_match(aev_pattern_set *set, const char *event, size_t len,
                          uint64_t **ids, size_t *n) {
  if (!set || !event || !ids || !n)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "set, event, ids and n are required.");
  size_t members;
  return aev__pattern_set_match_event(set, event, len, PM_MAX_DEPTH, &members, ids, n);
}

/* The ids of the tags a match found, ascending, each once, into out (room
 * for slots->n): how many. */
static size_t ids_into(const aev_pattern_set *set, const pm_slots *slots, uint64_t *out) {
  size_t u;
  if (slots->n <= PM_RANK_MAX) {
    /* Tags of slots sort last (they are not below TAG_SLOT); their ids
     * follow the direct ones but in slot order: rare, so left to qsort. */
    size_t direct = u = aev__pm_rank_tags(slots->v, slots->n, aev__pm_count_below_best(), out);
    while (direct && out[direct - 1] & TAG_SLOT) direct--;
    for (size_t i = direct; i < u; i++) out[i] = set->s[out[i] & ~TAG_SLOT].id;
    if (u - direct > 1) qsort(out + direct, u - direct, sizeof *out, cmp_u64);
    return u;
  }
  for (size_t i = 0; i < slots->n; i++) {
    uint32_t t = slots->v[i];
    out[i] = t & TAG_SLOT ? set->s[t & ~TAG_SLOT].id : t;
  }
  qsort(out, slots->n, sizeof *out, cmp_u64);
  u = 1;
  for (size_t i = 1; i < slots->n; i++) { /* without branches: ids repeat unpredictably */
    out[u] = out[i];
    u += out[u - 1] != out[i];
  }
  return u;
}

/* ids_into() a new array: *ids NULL when there are none. */
static int ids_of(const aev_pattern_set *set, const pm_slots *slots, uint64_t **ids,
                  size_t *n) {
  *ids = NULL;
  *n = 0;
  if (!slots->n) return AEV_OK;
  uint64_t *out = malloc(slots->n * sizeof *out);
  if (!out) return aev__nomem();
  *n = ids_into(set, slots, out);
  *ids = out;
  return AEV_OK;
}

int aev__pattern_set_match_event(aev_pattern_set *set, const char *event, size_t len,
                                 int max_depth, size_t *members, uint64_t **ids,
                                 size_t *n) {
  *ids = NULL;
  *n = 0;
  pm_slots slots;
  pthread_rwlock_rdlock(&set->lock);
  aev__pm_slots_init(&slots);
  int rc = match_slots(set->profile, set->m, event, len, max_depth, &slots, members);
  if (!rc) rc = ids_of(set, &slots, ids, n);
  pthread_rwlock_unlock(&set->lock);
  aev__pm_slots_free(&slots);
  return rc;
}

/* Events walked together: enough for their cache misses to overlap, few
 * enough that their flattened fields are still cached when walked. */
#define CHUNK 16

typedef struct batch_item {
  prepared p;
  pm_slots slots;
} batch_item;

/* A batch's ids, one array for all its events, grown chunk by chunk. */
typedef struct batch_ids {
  uint64_t *v;
  size_t n, cap;
} batch_ids;

/* Room in out for need more ids. */
static int ids_room(batch_ids *out, size_t need) {
  if (out->n + need <= out->cap) return AEV_OK;
  size_t cap = out->cap ? out->cap : 64;
  while (cap < out->n + need) cap *= 2;
  uint64_t *v = realloc(out->v, cap * sizeof *v);
  if (!v) return aev__nomem();
  out->v = v;
  out->cap = cap;
  return AEV_OK;
}

/* Names the event of a batch whose error was just recorded. */
static int in_batch(size_t i) {
  char code[64], msg[512];
  snprintf(code, sizeof code, "%s", aev_errcode());
  snprintf(msg, sizeof msg, "%s", aev_errmsg());
  return aev__fail(AEV_ERR_INVALID, code, "Event %zu of the batch: %s", i, msg);
}

/* Up to CHUNK events of a batch, in b: flattened one after another, then
 * walked through the automaton together; their ids appended to out, and
 * where each event's end to ends. */
static int match_chunk(aev_pattern_set *set, batch_item *b, const char *const *events,
                       const size_t *lens, size_t n, size_t first, batch_ids *out,
                       size_t *ends) {
  const pm_event *flat[CHUNK];
  pm_slots *found[CHUNK];
  size_t made = 0, nflat = 0, found_n = 0;
  int rc = AEV_OK;
  for (; made < n && !rc; made++) {
    aev__pm_slots_init(&b[made].slots);
    rc = prepare(set->profile, set->m, events[made], lens[made], PM_MAX_DEPTH, &b[made].p,
                 NULL);
    if (rc == AEV_ERR_INVALID) rc = in_batch(first + made);
    if (!rc && b[made].p.flat) {
      flat[nflat] = &b[made].p.ev;
      found[nflat++] = &b[made].slots;
    }
  }
  if (!rc) rc = aev__pm_machine_match_many(set->m, flat, nflat, found);
  for (size_t i = 0; i < made; i++) found_n += b[i].slots.n;
  if (!rc && found_n) rc = ids_room(out, found_n);
  for (size_t i = 0; i < made; i++) {
    if (!rc && b[i].slots.n) out->n += ids_into(set, &b[i].slots, out->v + out->n);
    if (!rc) ends[i] = out->n;
    prepared_free(&b[i].p);
    aev__pm_slots_free(&b[i].slots);
  }
  return rc;
}

int aev_pattern_set_match_batch(aev_pattern_set *set, const char *const *events,
                                const size_t *lens, size_t n, uint64_t **ids,
                                size_t *ends) {
  if (!set || (n && (!events || !lens || !ids || !ends)))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "set, events, lens, ids and ends are required.");
  if (ids) *ids = NULL;
  for (size_t i = 0; i < n; i++) ends[i] = 0;
  for (size_t i = 0; i < n; i++)
    if (!events[i])
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "Event %zu of the batch is NULL.", i);
  if (!n) return AEV_OK;
  batch_item *b = malloc((n < CHUNK ? n : CHUNK) * sizeof *b);
  if (!b) return aev__nomem();
  batch_ids out = {0};
  int rc = AEV_OK;
  pthread_rwlock_rdlock(&set->lock);
  for (size_t at = 0; at < n && !rc; at += CHUNK)
    rc = match_chunk(set, b, events + at, lens + at, n - at < CHUNK ? n - at : CHUNK, at,
                     &out, ends + at);
  pthread_rwlock_unlock(&set->lock);
  free(b);
  if (rc || !out.n) {
    free(out.v);
    if (rc)
      for (size_t i = 0; i < n; i++) ends[i] = 0;
    return rc;
  }
  *ids = out.v;
  return AEV_OK;
}
