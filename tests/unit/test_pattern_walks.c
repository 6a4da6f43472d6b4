/* The automaton's two walks (lib/pattern/walk.h) agree: random sets of
 * exact patterns (values of every type, nested and dotted paths, $or,
 * overlapping value lists that lead one value to several states, a leaf
 * with more slots than a match copies without a loop, patterns that end
 * where others go on), in half of them a few with a prefix, a numeric
 * range or exists:false, against random array-free events (repeated keys
 * too), in batches, give the same slots through the exact walk as through
 * the walk of any machine, or are given back untouched by the exact walk
 * where they reach one of those few. And the exact walk is taken exactly
 * where it applies. */
#include "aevtest.h"
#include "pattern/walk.h"

static uint64_t rng;

static unsigned pick(unsigned n) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (unsigned)((rng * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

/* Paths as a pattern names them (nested objects); an event nests them the
 * same way, except "k.l", which events give as {"k":{"l":...}}. */
static const char *const paths[] = {"a", "b", "c.d", "c.e", "f.g.h", "k.l"};
enum { NPATHS = sizeof paths / sizeof *paths };
/* Values as JSON texts; an event's 300.0 is the patterns' 300. */
static const char *const values[] = {"\"s0\"", "\"s1\"", "\"s2\"", "\"\"", "1", "2.5", "300",
                                     "true", "false", "null",
                                     "\"a value longer than eight bytes\""};
enum { NVALUES = sizeof values / sizeof *values };

/* Appends "path": <inner> to b, opening the path's objects. */
static void nest(char *b, size_t cap, const char *path, const char *inner, int dotted) {
  char seg[32];
  const char *p = path, *dot;
  int depth = 0;
  while (!dotted && (dot = strchr(p, '.'))) {
    snprintf(seg, sizeof seg, "%.*s", (int)(dot - p), p);
    snprintf(b + strlen(b), cap - strlen(b), "\"%s\":{", seg);
    p = dot + 1;
    depth++;
  }
  snprintf(b + strlen(b), cap - strlen(b), "\"%s\":%s", p, inner);
  while (depth--) snprintf(b + strlen(b), cap - strlen(b), "}");
}

/* What the exact walk gives back to the other. */
static const char *const others[] = {"[{\"prefix\":\"s\"}]", "[{\"exists\":false}]",
                                     "[{\"numeric\":[\">\",1]}]", "[{\"anything-but\":\"s\"}]"};
enum { NOTHERS = sizeof others / sizeof *others };

/* One branch: 1 to 3 distinct paths, each with 1 or 2 values, or (with
 * odd set, one time in 40) one of others. */
static void branch(char *b, size_t cap, int odd) {
  unsigned used = 0, n = 1 + pick(3);
  snprintf(b + strlen(b), cap - strlen(b), "{");
  for (unsigned i = 0; i < n; i++) {
    unsigned p = pick(NPATHS);
    if (used & 1u << p) continue;
    char list[128];
    if (odd && pick(40) == 0)
      snprintf(list, sizeof list, "%s", others[pick(NOTHERS)]);
    else if (pick(3) == 0)
      snprintf(list, sizeof list, "[%s,%s]", values[pick(NVALUES)], values[pick(NVALUES)]);
    else
      snprintf(list, sizeof list, "[%s]", values[pick(NVALUES)]);
    if (used) strcat(b, ",");
    used |= 1u << p;
    nest(b, cap, paths[p], list, !strcmp(paths[p], "k.l"));
  }
  strcat(b, "}");
}

static void pattern(char *b, size_t cap, int odd) {
  b[0] = 0;
  if (pick(5)) {
    branch(b, cap, odd);
    return;
  }
  strcat(b, "{\"$or\":[");
  branch(b, cap, odd);
  strcat(b, ",");
  branch(b, cap, odd);
  strcat(b, "]}");
}

/* An event of 0 to 5 fields, a key sometimes given twice. */
static void event(char *b, size_t cap) {
  snprintf(b, cap, "{\"id\":\"x\"");
  unsigned n = pick(6);
  for (unsigned i = 0; i < n; i++) {
    const char *v = values[pick(NVALUES)];
    if (!strcmp(v, "300") && pick(2)) v = "300.0";
    strcat(b, ",");
    nest(b, cap, paths[pick(NPATHS)], v, 0);
  }
  strcat(b, "}");
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
  return (a > c) - (a < c);
}

static void sorted(pm_slots *s) { qsort(s->v, s->n, sizeof *s->v, cmp_u32); }

typedef struct set {
  pm_machine *m;
  pm_rule *r[7 * 64]; /* up to 64 patterns, each at most 7 times */
  size_t n;
} set;

static void add(set *s, const char *text, uint32_t slot) {
  ck_assert_msg(aev__pm_compile(text, strlen(text), AEV_PATTERN_EVENTBRIDGE, &s->r[s->n]) == AEV_OK,
                "%s", text);
  ck_assert_int_eq(aev__pm_machine_add(s->m, s->r[s->n++], slot), AEV_OK);
}

static void set_free(set *s) {
  aev__pm_machine_free(s->m);
  for (size_t i = 0; i < s->n; i++) aev__pm_rule_free(s->r[i]);
}

static void flatten(const set *s, const char *text, pm_event *ev) {
  ck_assert_msg(aev__pm_flatten(text, strlen(text), PM_MAX_DEPTH, aev__pm_machine_paths(s->m),
                                ev) == AEV_OK, "%s", text);
}

/* A new set of 40 patterns, {<lead>"fI":["s"]} under slot I, and in e
 * the event {<first>,"f0":"s",...} with the first n of their fields. */
static void forty(set *s, const char *lead, const char *first, int n, char *e, size_t cap) {
  ck_assert_int_eq(aev__pm_machine_new(&s->m), AEV_OK);
  snprintf(e, cap, "{%s", first);
  char p[64];
  for (int i = 0; i < 40; i++) {
    snprintf(p, sizeof p, "{%s\"f%d\":[\"s\"]}", lead, i);
    add(s, p, (uint32_t)i);
    if (i < n) snprintf(e + strlen(e), cap - strlen(e), ",\"f%d\":\"s\"", i);
  }
  strcat(e, "}");
}

enum { BATCH = 16, ROUNDS = 40, EVENTS = 96 };

START_TEST(walks_agree) {
  rng = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
  size_t matched = 0, repeated = 0, batches = 0, given_back = 0, kept = 0;
  for (int round = 0; round < ROUNDS; round++) {
    set s = {0};
    ck_assert_int_eq(aev__pm_machine_new(&s.m), AEV_OK);
    char text[1024];
    uint32_t slot = 0;
    for (unsigned i = 0, np = 5 + pick(59); i < np; i++) {
      pattern(text, sizeof text, round % 2);
      add(&s, text, slot++);
      /* The same pattern again under more slots: a leaf list longer than
       * LIST_FAST. */
      for (unsigned copies = pick(12) == 0 ? 6 : 0; copies; copies--) add(&s, text, slot++);
    }
    for (int at = 0; at < EVENTS; at += BATCH, batches++) {
      pm_event ev[BATCH];
      const pm_event *evp[BATCH];
      pm_slots exact[BATCH], any[BATCH];
      pm_slots *pe[BATCH], *pa[BATCH];
      char texts[BATCH][512];
      for (int i = 0; i < BATCH; i++) {
        event(texts[i], sizeof texts[i]);
        flatten(&s, texts[i], &ev[i]);
        repeated += ev[i].ng != ev[i].nf;
        evp[i] = &ev[i];
        aev__pm_slots_init(&exact[i]);
        aev__pm_slots_init(&any[i]);
        pe[i] = &exact[i];
        pa[i] = &any[i];
      }
      /* Slots from before the match, which a batch given back keeps. */
      for (int i = 0; i < BATCH; i++) exact[i].v[exact[i].n++] = any[i].v[any[i].n++] = 7777;
      /* Only a start state beyond exact values keeps the exact walk out. */
      const int applies = aev__pm_exact_applies(s.m, evp, BATCH);
      ck_assert(applies == !s.m->st[0].paths.flags);
      int rc = applies ? aev__pm_exact_match(s.m, evp, BATCH, pe) : AEV_PM_EXACT_GIVEN_BACK;
      kept += round % 2 && rc == AEV_OK;
      given_back += applies && rc == AEV_PM_EXACT_GIVEN_BACK;
      if (rc == AEV_PM_EXACT_GIVEN_BACK) {
        for (int i = 0; i < BATCH; i++) ck_assert(exact[i].n == 1 && exact[i].v[0] == 7777);
        rc = aev__pm_machine_match_many(s.m, evp, BATCH, pe);
      }
      ck_assert_int_eq(rc, AEV_OK);
      ck_assert_int_eq(aev__pm_walk_match(s.m, evp, BATCH, pa), AEV_OK);
      for (int i = 0; i < BATCH; i++) {
        sorted(&exact[i]);
        sorted(&any[i]);
        ck_assert_msg(exact[i].n == any[i].n, "%s: %zu slots, the other walk %zu", texts[i],
                      exact[i].n, any[i].n);
        for (size_t k = 0; k < any[i].n; k++)
          ck_assert_msg(exact[i].v[k] == any[i].v[k], "%s: slot %u, the other walk %u", texts[i],
                        exact[i].v[k], any[i].v[k]);
        matched += any[i].n;
        aev__pm_slots_free(&exact[i]);
        aev__pm_slots_free(&any[i]);
        aev__pm_event_free(&ev[i]);
      }
    }
    set_free(&s);
  }
  /* Not vacuous: the events matched, some named a path twice, and of the
   * sets with a few patterns beyond exact values some batches were given
   * back and some kept. */
  ck_assert_uint_gt(matched, batches * BATCH / 4);
  ck_assert_uint_gt(repeated, 0);
  ck_assert_uint_gt(given_back, 0);
  ck_assert_uint_gt(kept, 0);
}
END_TEST

/* The one slot a match finds for text through the exact walk (which must
 * take it), or -1 when that walk gives it back: then with slots as they
 * were, and the match through the other walk must then find want (-1:
 * none). */
static int exact_slot(const set *s, const char *text, int want) {
  pm_event ev;
  flatten(s, text, &ev);
  const pm_event *evp = &ev;
  pm_slots got, *pg = &got;
  aev__pm_slots_init(&got);
  got.v[got.n++] = 7777;
  ck_assert(aev__pm_exact_applies(s->m, &evp, 1));
  int rc = aev__pm_exact_match(s->m, &evp, 1, &pg), slot = -1;
  if (rc == AEV_OK) {
    ck_assert_uint_eq(got.n, 2);
    slot = (int)got.v[1];
  } else {
    ck_assert_int_eq(rc, AEV_PM_EXACT_GIVEN_BACK);
    ck_assert(got.n == 1 && got.v[0] == 7777);
    got.n = 0;
    ck_assert_int_eq(aev__pm_machine_match(s->m, &ev, &got), AEV_OK);
    ck_assert_uint_eq(got.n, want >= 0);
    if (want >= 0) ck_assert_int_eq((int)got.v[0], want);
  }
  aev__pm_slots_free(&got);
  aev__pm_event_free(&ev);
  return slot;
}

/* Where the exact walk applies: the events that reach a value machine or
 * an exists:false step are given back, others of the same set not; sets
 * with one on their start state, and events with arrays or more than 32
 * groups, are left to the other walk. */
START_TEST(exact_walk_applies) {
  for (size_t i = 0; i < NOTHERS; i++) {
    set s = {0};
    char p[96];
    ck_assert_int_eq(aev__pm_machine_new(&s.m), AEV_OK);
    add(&s, "{\"b\":[\"s\"]}", 0);
    snprintf(p, sizeof p, "{\"c\":[\"t\"],\"a\":%s}", others[i]);
    add(&s, p, 1);
    ck_assert_int_eq(exact_slot(&s, "{\"a\":\"u\",\"b\":\"s\"}", 0), 0);
    /* Only anything-but "s" passes "u". */
    ck_assert_int_eq(exact_slot(&s, "{\"a\":\"u\",\"c\":\"t\"}", i == 3 ? 1 : -1), -1);
    /* From the start state, the same would give every batch back: the
     * exact walk is not tried. */
    snprintf(p, sizeof p, "{\"a\":%s}", others[i]);
    add(&s, p, 2);
    pm_event ev;
    flatten(&s, "{\"b\":\"s\"}", &ev);
    const pm_event *evp = &ev;
    ck_assert(!aev__pm_exact_applies(s.m, &evp, 1));
    aev__pm_event_free(&ev);
    set_free(&s);
  }
  set s = {0};
  char e[2048];
  forty(&s, "", "\"z\":0", 40, e, sizeof e);
  pm_event ev[3];
  flatten(&s, "{\"f1\":\"s\"}", &ev[0]);
  flatten(&s, "{\"f1\":[\"s\"]}", &ev[1]);
  flatten(&s, e, &ev[2]);
  const pm_event *evp[3] = {&ev[0], &ev[1], &ev[2]};
  ck_assert(aev__pm_exact_applies(s.m, evp, 1));
  ck_assert(!aev__pm_exact_applies(s.m, evp, 2));   /* an array */
  ck_assert(!aev__pm_exact_applies(s.m, evp + 2, 1)); /* 40 groups */
  /* Either way, the public match finds all 40 for the wide event. */
  pm_slots slots;
  aev__pm_slots_init(&slots);
  ck_assert_int_eq(aev__pm_machine_match(s.m, &ev[2], &slots), AEV_OK);
  ck_assert_uint_eq(slots.n, 40);
  aev__pm_slots_free(&slots);
  for (int i = 0; i < 3; i++) aev__pm_event_free(&ev[i]);
  set_free(&s);
}
END_TEST

/* A state that leads on more paths than its signature has bits lets every
 * group of an event through: with 31 of its 40 fields and the one before
 * them (32 groups, as many as the exact walk takes), both walks find the
 * 31 patterns. */
START_TEST(state_on_many_paths) {
  set s = {0};
  char e[2048];
  forty(&s, "\"a\":[\"s\"],", "\"a\":\"s\"", 31, e, sizeof e);
  pm_event ev;
  flatten(&s, e, &ev);
  const pm_event *evp = &ev;
  pm_slots exact, any, *pe = &exact, *pa = &any;
  aev__pm_slots_init(&exact);
  aev__pm_slots_init(&any);
  ck_assert(aev__pm_exact_applies(s.m, &evp, 1));
  ck_assert_int_eq(aev__pm_exact_match(s.m, &evp, 1, &pe), AEV_OK);
  ck_assert_int_eq(aev__pm_walk_match(s.m, &evp, 1, &pa), AEV_OK);
  sorted(&exact);
  ck_assert_uint_eq(exact.n, 31);
  ck_assert_uint_eq(any.n, 31);
  for (uint32_t k = 0; k < 31; k++) ck_assert_uint_eq(exact.v[k], k);
  aev__pm_slots_free(&exact);
  aev__pm_slots_free(&any);
  aev__pm_event_free(&ev);
  set_free(&s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pattern_walks");
  TCase *tc = tcase_create("walks");
  tcase_add_loop_test(tc, walks_agree, 0, 8);
  tcase_add_test(tc, exact_walk_applies);
  tcase_add_test(tc, state_on_many_paths);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
