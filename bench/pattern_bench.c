/* Pattern benchmarks: events matched per second, one at a time and in
 * batches, against sets of 10, 1,000 and 100,000 exact-match patterns and
 * mixed sets of 1,000 and 10,000 (prefix, numeric, anything-but, wildcard,
 * $or), and patterns compiled per second, each beside the floor jansson's
 * json_loads of the same texts; then the 100,000-pattern set beside the
 * 10-pattern one (issue 4, DESIGN §7), and a 100,000-pattern set that
 * matches only what the 10-pattern one does beside it.
 * Inputs are 10,000 distinct seeded EventBridge events of 300-400 bytes; the
 * matched ids are copied out as a caller would read them, then counted and
 * hashed after the clock stops, and compared with answers computed
 * independently from the generator's own records. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/pattern.h"
#include "harness.h"

enum { NEV = 10000, NATTR = 6, SOURCES = 200, TYPES = 50, REGIONS = 10, STATES = 8,
       ATTRS = 200, VALUES = 50, NCOMPILE = 10000 };

static const char *const region_names[REGIONS] = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
    "eu-west-2", "eu-central-1", "ap-south-1", "ap-northeast-1", "sa-east-1"};
static const char *const state_names[STATES] = {"pending", "running", "stopping", "stopped",
                                                "shutting-down", "terminated", "rebooting",
                                                "hibernated"};

static uint64_t rng = 0x2024010100000001ULL;
static uint64_t next(void) { /* xorshift64* */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dULL;
}
static int pick(int n) { return (int)(next() % (uint64_t)n); }

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  return p;
}

typedef struct evt {
  int src, type, region, account, state, amount;
  int attr[NATTR], val[NATTR];
  uint32_t instance;
  char *json;
  size_t len;
} evt;

static evt ev[NEV];

static void make_events(void) {
  size_t lo = SIZE_MAX, hi = 0;
  for (int i = 0; i < NEV; i++) {
    evt *e = &ev[i];
    e->src = pick(SOURCES);
    e->type = pick(TYPES);
    e->region = pick(REGIONS);
    e->account = pick(20);
    e->state = pick(STATES);
    e->amount = pick(100000);
    e->instance = (uint32_t)next();
    for (int j = 0; j < NATTR; j++) {
      int a, dup;
      do {
        a = pick(ATTRS);
        dup = 0;
        for (int k = 0; k < j; k++) dup |= e->attr[k] == a;
      } while (dup);
      e->attr[j] = a;
      e->val[j] = pick(VALUES);
    }
    char buf[1024];
    int n = snprintf(
        buf, sizeof buf,
        "{\"version\":\"0\",\"id\":\"%08x-%04x-4%03x-8%03x-%012llx\",\"detail-type\":"
        "\"Type %02d\",\"source\":\"com.example.svc%03d\",\"account\":\"1000000000%02d\","
        "\"time\":\"2024-01-01T%02d:%02d:%02dZ\",\"region\":\"%s\",\"resources\":"
        "[\"arn:aws:ec2:%s:1000000000%02d:instance/i-%08x\"],\"detail\":{\"state\":\"%s\","
        "\"amount\":%d",
        (unsigned)next(), (unsigned)(next() & 0xffff), (unsigned)(next() & 0xfff),
        (unsigned)(next() & 0xfff), (unsigned long long)(next() & 0xffffffffffffULL), e->type,
        e->src, e->account, i / 3600 % 24, i / 60 % 60, i % 60, region_names[e->region],
        region_names[e->region], e->account, e->instance, state_names[e->state], e->amount);
    for (int j = 0; j < NATTR; j++)
      n += snprintf(buf + n, sizeof buf - (size_t)n, ",\"a%03d\":\"v%02d\"", e->attr[j],
                    e->val[j]);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "}}");
    e->json = xmalloc((size_t)n + 1);
    memcpy(e->json, buf, (size_t)n + 1);
    e->len = (size_t)n;
    if (e->len < lo) lo = e->len;
    if (e->len > hi) hi = e->len;
  }
  fprintf(stderr, "pattern_bench: %d events of %zu-%zu bytes\n", NEV, lo, hi);
}

static int attr_is(const evt *e, int a, int v) {
  for (int j = 0; j < NATTR; j++)
    if (e->attr[j] == a) return e->val[j] == v;
  return 0;
}

/* ---- pattern sets and their independent answers ---- */

typedef struct pat {
  int kind; /* 0 exact; mixed: 1 prefix, 2 numeric, 3 anything-but, 4 wildcard, 5 $or */
  int src, type, attr, val, region, state, state2, lo, hex;
  char *json;
} pat;

static void render(pat *p) {
  char b[512];
  switch (p->kind) {
    case 0:
      if (p->type >= 0)
        snprintf(b, sizeof b,
                 "{\"source\":[\"com.example.svc%03d\"],\"detail-type\":[\"Type %02d\"],"
                 "\"detail\":{\"a%03d\":[\"v%02d\"]}}",
                 p->src, p->type, p->attr, p->val);
      else
        snprintf(b, sizeof b,
                 "{\"source\":[\"com.example.svc%03d\"],\"detail\":{\"a%03d\":[\"v%02d\"]}}",
                 p->src, p->attr, p->val);
      break;
    case 1:
      snprintf(b, sizeof b,
               "{\"source\":[{\"prefix\":\"com.example.svc%02d\"}],\"detail\":{\"state\":[\"%s\"]}}",
               p->src, state_names[p->state]);
      break;
    case 2:
      snprintf(b, sizeof b,
               "{\"region\":[\"%s\"],\"detail\":{\"amount\":[{\"numeric\":[\">\",%d,\"<=\",%d]}]}}",
               region_names[p->region], p->lo, p->lo + 2000);
      break;
    case 3:
      snprintf(b, sizeof b,
               "{\"source\":[\"com.example.svc%03d\"],\"detail\":{\"state\":[{\"anything-but\":"
               "[\"%s\",\"%s\"]}]}}",
               p->src, state_names[p->state], state_names[p->state2]);
      break;
    case 4:
      snprintf(b, sizeof b,
               "{\"detail-type\":[\"Type %02d\"],\"resources\":[{\"wildcard\":"
               "\"arn:aws:ec2:%s:*:instance/i-%x*\"}]}",
               p->type, region_names[p->region], p->hex);
      break;
    default:
      snprintf(b, sizeof b,
               "{\"$or\":[{\"source\":[\"com.example.svc%03d\"],\"detail-type\":[\"Type %02d\"]},"
               "{\"detail\":{\"a%03d\":[\"v%02d\"]}}]}",
               p->src, p->type, p->attr, p->val);
  }
  p->json = xmalloc(strlen(b) + 1);
  strcpy(p->json, b);
}

static int pat_matches(const pat *p, const evt *e) {
  switch (p->kind) {
    case 0:
      return e->src == p->src && (p->type < 0 || e->type == p->type) && attr_is(e, p->attr, p->val);
    case 1:
      return e->src / 10 == p->src && e->state == p->state;
    case 2:
      return e->region == p->region && e->amount > p->lo && e->amount <= p->lo + 2000;
    case 3:
      return e->src == p->src && e->state != p->state && e->state != p->state2;
    case 4:
      return e->type == p->type && e->region == p->region && (int)(e->instance >> 28) == p->hex;
    default:
      return (e->src == p->src && e->type == p->type) || attr_is(e, p->attr, p->val);
  }
}

/* Exact patterns are drawn from events, so each matches at least one. */
static pat make_pattern(int mixed) {
  const evt *e = &ev[pick(NEV)];
  int j = pick(NATTR);
  pat p = {.kind = mixed ? 1 + pick(5) : 0, .src = e->src, .type = pick(3) ? -1 : e->type,
           .attr = e->attr[j], .val = e->val[j], .region = e->region, .state = e->state,
           .state2 = pick(STATES), .lo = pick(98000), .hex = (int)(e->instance >> 28)};
  if (p.kind == 1) p.src /= 10;
  if (p.kind == 3) p.state = pick(STATES);
  if (p.kind == 4 || p.kind == 5) p.type = e->type;
  render(&p);
  return p;
}

/* An exact pattern of an event's source, type and attribute, but with a
 * value no event carries (the generator's are below VALUES): it walks
 * the automaton as far as a matching one would, and never matches. */
static pat make_decoy(void) {
  pat p = make_pattern(0);
  p.val += VALUES;
  free(p.json);
  render(&p);
  return p;
}

typedef struct mbench {
  aev_pattern_set *set;
  pat *p;
  size_t np;
  uint64_t want_hash, want_count;
  /* What a timed run read: every event's ids, one after another, with
   * their counts; got holds room for the right answer's count. */
  uint64_t *got;
  size_t ngot[NEV], total;
  int overflow;
  char extra[64];
} mbench;

/* base (may be NULL): its patterns come first, under the same ids, and
 * the rest are decoys, so the set matches what base matches. */
static void build_set(mbench *m, size_t np, int mixed, const mbench *base) {
  m->p = xmalloc(np * sizeof *m->p);
  m->np = np;
  if (aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &m->set)) exit(1);
  for (size_t i = 0; i < np; i++) {
    if (base && i < base->np) {
      m->p[i] = base->p[i];
      m->p[i].json = xmalloc(strlen(base->p[i].json) + 1);
      strcpy(m->p[i].json, base->p[i].json);
    } else {
      m->p[i] = base ? make_decoy() : make_pattern(mixed);
    }
    if (aev_pattern_set_add(m->set, i, m->p[i].json, strlen(m->p[i].json))) {
      fprintf(stderr, "bench: %s: %s\n", m->p[i].json, aev_errmsg());
      exit(1);
    }
  }
  /* The expected answer, by brute force over the generator's records; exact
   * patterns are bucketed by source to keep this quick. */
  size_t *order = xmalloc(np * sizeof *order), *start = xmalloc((SOURCES + 2) * sizeof *start);
  memset(start, 0, (SOURCES + 2) * sizeof *start);
  for (size_t i = 0; i < np; i++) start[(mixed ? 0 : m->p[i].src) + 2]++;
  for (int s = 2; s < SOURCES + 2; s++) start[s] += start[s - 1];
  for (size_t i = 0; i < np; i++) order[start[(mixed ? 0 : m->p[i].src) + 1]++] = i;
  m->want_hash = BENCH_FNV_INIT;
  m->want_count = 0;
  uint64_t *ids = xmalloc(np * sizeof *ids);
  for (int i = 0; i < NEV; i++) {
    size_t lo = mixed ? 0 : start[ev[i].src], hi = mixed ? np : start[ev[i].src + 1], n = 0;
    for (size_t k = lo; k < hi; k++)
      if (pat_matches(&m->p[order[k]], &ev[i])) ids[n++] = order[k];
    for (size_t a = 1; a < n; a++) /* ids ascending, as the set answers */
      for (size_t b = a; b > 0 && ids[b - 1] > ids[b]; b--) {
        uint64_t t = ids[b];
        ids[b] = ids[b - 1];
        ids[b - 1] = t;
      }
    m->want_hash = bench_fnv(m->want_hash, ids, n * sizeof *ids);
    m->want_count += n;
  }
  free(ids);
  free(order);
  free(start);
  m->got = xmalloc(m->want_count * sizeof *m->got);
  snprintf(m->extra, sizeof m->extra, ", %zu B/pattern",
           aev_pattern_set_memory(m->set) / aev_pattern_set_count(m->set));
}

/* Reads one event's n ids as a caller would, by a copy: hashing them in
 * the timed run would charge the checksum to the sets that match most. */
static void copy_out(mbench *m, int event, const uint64_t *ids, size_t n) {
  m->ngot[event] = n;
  if (m->total + n <= m->want_count) memcpy(m->got + m->total, ids, n * sizeof *ids);
  else m->overflow = 1;
  m->total += n;
}

/* copy_out() of an array of the event's own, then aev_free(). */
static void take(mbench *m, int event, uint64_t *ids, size_t n) {
  copy_out(m, event, ids, n);
  aev_free(ids);
}

static void match_run(void *ctx) {
  mbench *m = ctx;
  m->total = 0;
  m->overflow = 0;
  for (int i = 0; i < NEV; i++) {
    uint64_t *ids;
    size_t n;
    if (aev_pattern_set_match(m->set, ev[i].json, ev[i].len, &ids, &n)) exit(1);
    take(m, i, ids, n);
  }
}

/* Untimed, before each timed run: one pass over the events, so that a run
 * times matching against a set the caches hold, as a bus or topic matching
 * a stream of events keeps its own. Runs of different cases interleave,
 * and while the others run (the floor's take ~55 ms) a 100,000-pattern
 * set's tables (about 5 MB, read at random) leave the caches of a shared
 * machine: a run would otherwise also time fetching them back, a cost of
 * where it sits in the order, not of an event. */
static void match_warm(void *ctx) {
  mbench *m = ctx;
  for (int i = 0; i < NEV; i++) {
    uint64_t *ids;
    size_t n;
    if (aev_pattern_set_match(m->set, ev[i].json, ev[i].len, &ids, &n)) exit(1);
    aev_free(ids);
  }
}

/* Events in batches of BATCH, as PutEvents, SNS PublishBatch and an event
 * source's filter hand them over (up to 10 at a time). */
#define BATCH 10
static const char *ev_text[NEV];
static size_t ev_len[NEV];

static void match_batch_run(void *ctx) {
  mbench *m = ctx;
  m->total = 0;
  m->overflow = 0;
  for (int i = 0; i < NEV; i += BATCH) {
    uint64_t *ids;
    size_t ends[BATCH], b = NEV - i < BATCH ? (size_t)(NEV - i) : BATCH;
    if (aev_pattern_set_match_batch(m->set, ev_text + i, ev_len + i, b, &ids, ends)) exit(1);
    for (size_t k = 0; k < b; k++) {
      const size_t from = k ? ends[k - 1] : 0;
      copy_out(m, i + (int)k, ids + from, ends[k] - from);
    }
    aev_free(ids);
  }
}

/* After the clock: the ids counted and hashed event by event. */
static int match_check(void *ctx, char *note, size_t cap) {
  mbench *m = ctx;
  uint64_t hash = BENCH_FNV_INIT;
  if (!m->overflow)
    for (size_t i = 0, at = 0; i < NEV; at += m->ngot[i++])
      hash = bench_fnv(hash, m->got + at, m->ngot[i] * sizeof *m->got);
  snprintf(note, cap, "%zu matches, fnv %016llx%s", m->total, (unsigned long long)hash,
           m->extra);
  return m->overflow || m->total != m->want_count || hash != m->want_hash;
}

/* ---- the floor: json_loads of the same texts ---- */

typedef struct floor_ctx {
  const char *const *text;
  const size_t *len;
  size_t n;
  uint64_t members, want;
} floor_ctx;

static void floor_run(void *ctx) {
  floor_ctx *f = ctx;
  f->members = 0;
  for (size_t i = 0; i < f->n; i++) {
    json_t *j = json_loadb(f->text[i], f->len[i], 0, NULL);
    if (!j) exit(1);
    f->members += json_object_size(j);
    json_decref(j);
  }
}

static int floor_check(void *ctx, char *note, size_t cap) {
  floor_ctx *f = ctx;
  snprintf(note, cap, "%zu objects, %llu top-level members", f->n,
           (unsigned long long)f->members);
  return f->members != f->want;
}

/* ---- compiling ---- */

typedef struct cbench {
  char **text;
  size_t *len;
  size_t n, ok;
  aev_pattern_set *set;
} cbench;

static void compile_run(void *ctx) {
  cbench *c = ctx;
  c->ok = 0;
  for (size_t i = 0; i < c->n; i++) {
    aev_pattern *p;
    if (aev_pattern_compile(c->text[i], c->len[i], &p) == AEV_OK) c->ok++;
    aev_pattern_free(p);
  }
}

static void add_prepare(void *ctx) {
  cbench *c = ctx;
  if (aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &c->set)) exit(1);
}

static void add_run(void *ctx) {
  cbench *c = ctx;
  for (size_t i = 0; i < c->n; i++) aev_pattern_set_add(c->set, i, c->text[i], c->len[i]);
}

static int compile_check(void *ctx, char *note, size_t cap) {
  cbench *c = ctx;
  if (c->set) c->ok = aev_pattern_set_count(c->set);
  snprintf(note, cap, "%zu of %zu compiled", c->ok, c->n);
  return c->ok != c->n;
}

static void add_cleanup(void *ctx) {
  cbench *c = ctx;
  aev_pattern_set_free(c->set);
  c->set = NULL;
}

int main(void) {
  make_events();
  int runs = bench_runs(), failed = 0;
  for (int i = 0; i < NEV; i++) ev_text[i] = ev[i].json, ev_len[i] = ev[i].len;
  floor_ctx fl = {ev_text, ev_len, NEV, 0, 0};
  floor_run(&fl);
  fl.want = fl.members;

  /* Exact sets of three sizes, then mixed ones of two: a mixed set's
   * numeric ranges, anything-but lists and wildcards are not all hash
   * lookups, and the second size shows what more of them cost. */
  enum { NSETS = 5 };
  static const size_t sizes[NSETS] = {10, 1000, 100000, 1000, 10000};
  static char names[NSETS][64], whats[NSETS][128], batch_what[128];
  snprintf(batch_what, sizeof batch_what,
           "aev_pattern_set_match_batch of %d events (one ids array), per event, ids copied out",
           BATCH);
  mbench sets[NSETS] = {0};
  for (int g = 0; g < NSETS; g++) {
    int mixed = g >= 3;
    build_set(&sets[g], sizes[g], mixed, NULL);
    snprintf(names[g], sizeof names[g], "event match, %zu %s patterns",
             sets[g].np, mixed ? "mixed" : "exact");
    snprintf(whats[g], sizeof whats[g],
             "aev_pattern_set_match of one event against %zu %s patterns, ids copied out",
             sets[g].np, mixed ? "prefix/numeric/anything-but/wildcard/$or" : "exact-match");
    bench_case cases[] = {
        {"floor: jansson json_loads", "json_loadb + json_decref of one event", NULL, floor_run,
         floor_check, NULL, &fl},
        {"ours: pattern set", whats[g], match_warm, match_run, match_check, NULL, &sets[g]},
        {"ours: pattern set, batches", batch_what, match_warm, match_batch_run, match_check,
         NULL, &sets[g]},
    };
    bench_group grp = {names[g], 1, "300-400 B event", NEV, 0, cases, 3};
    failed += bench_group_run(&grp, runs);
  }

  /* A second 100,000-pattern set: the 10-pattern set's patterns and
   * 99,990 decoys (built on a saved generator state, so that the inputs
   * of the groups after it do not change). Its events match what they
   * match against 10 patterns, where the first set's match about ten
   * each: beside it, this shows what the number of patterns costs apart
   * from the number of matches. */
  static mbench same;
  const uint64_t saved = rng;
  build_set(&same, 100000, 0, &sets[0]);
  rng = saved;
  static char same_what[128];
  snprintf(same_what, sizeof same_what,
           "the 10 patterns and 99990 exact-match decoys that never match, ids copied out");

  /* The second target, match time at 100,000 exact patterns
   * within 2x of that at 10: both sets in one group, their runs
   * interleaved, so that the ratio column is that target's figure. Then
   * the same against the set with the 10-pattern set's matches. */
  for (int g = 0; g < 4; g++) {
    const int batched = g & 1, equal = g >= 2;
    void (*run)(void *) = batched ? match_batch_run : match_run;
    bench_case cases[] = {
        {"ours: 10 exact patterns", batched ? batch_what : whats[0], match_warm, run,
         match_check, NULL, &sets[0]},
        {equal ? "ours: 100000 exact patterns, 10 of them matching" : "ours: 100000 exact patterns",
         batched ? batch_what : equal ? same_what : whats[2], match_warm, run, match_check, NULL,
         equal ? &same : &sets[2]},
    };
    static const char *const vs_names[4] = {
        "event match, 100000 vs 10 exact patterns",
        "event match, 100000 vs 10 exact patterns, batches",
        "event match, 100000 vs 10 exact patterns, equal matches",
        "event match, 100000 vs 10 exact patterns, equal matches, batches"};
    bench_group grp = {vs_names[g], 1, "300-400 B event", NEV, 0, cases, 2};
    failed += bench_group_run(&grp, runs);
  }

  /* Compiling: 10,000 distinct mixed patterns. */
  cbench cb = {xmalloc(NCOMPILE * sizeof(char *)), xmalloc(NCOMPILE * sizeof(size_t)), NCOMPILE,
               0, NULL};
  for (size_t i = 0; i < NCOMPILE; i++) {
    pat p = make_pattern(i % 2);
    cb.text[i] = p.json;
    cb.len[i] = strlen(p.json);
  }
  cbench add = cb;
  floor_ctx pf = {(const char *const *)cb.text, cb.len, NCOMPILE, 0, 0};
  floor_run(&pf);
  pf.want = pf.members;
  bench_case ccases[] = {
      {"floor: jansson json_loads", "json_loadb + json_decref of one pattern", NULL, floor_run,
       floor_check, NULL, &pf},
      {"ours: aev_pattern_compile", "compile + free one pattern", NULL, compile_run,
       compile_check, NULL, &cb},
      {"ours: aev_pattern_set_add", "add one pattern to a growing set (set freed untimed)",
       add_prepare, add_run, compile_check, add_cleanup, &add},
  };
  bench_group cg = {"pattern compile", 1, "60-200 B pattern", NCOMPILE, 0, ccases, 3};
  failed += bench_group_run(&cg, runs);

  aev_pattern_set_free(same.set);
  for (size_t i = 0; i < same.np; i++) free(same.p[i].json);
  free(same.p);
  free(same.got);
  for (int g = 0; g < NSETS; g++) {
    aev_pattern_set_free(sets[g].set);
    for (size_t i = 0; i < sets[g].np; i++) free(sets[g].p[i].json);
    free(sets[g].p);
    free(sets[g].got);
  }
  for (size_t i = 0; i < NCOMPILE; i++) free(cb.text[i]);
  free(cb.text);
  free(cb.len);
  for (int i = 0; i < NEV; i++) free(ev[i].json);
  return failed ? 1 : 0;
}
