/* Pattern sets (ids, replace, remove, rebuild, concurrent matching) and the
 * SNS filter-policy profiles (MessageAttributes and MessageBody scopes). */
#include <arpa/inet.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/pattern.h"

static aev_pattern_set *new_set(int profile) {
  aev_pattern_set *s = NULL;
  ck_assert_int_eq(aev_pattern_set_new(profile, &s), AEV_OK);
  return s;
}

static void add(aev_pattern_set *s, uint64_t id, const char *p) {
  ck_assert_msg(aev_pattern_set_add(s, id, p, strlen(p)) == AEV_OK, "%s: %s", p, aev_errmsg());
}

/* Ids as "1,2,3". */
static char *id_list(const uint64_t *ids, size_t n) {
  char *out = calloc(1, 24 * (n + 1));
  for (size_t i = 0; i < n; i++)
    sprintf(out + strlen(out), "%s%llu", i ? "," : "", (unsigned long long)ids[i]);
  if (!n) ck_assert_ptr_null(ids);
  return out;
}

/* What a batch of n events (n <= 64) matches, each as id_list(). */
static void match_batch(aev_pattern_set *s, const char *const *events, size_t n,
                        char **out) {
  size_t lens[64] = {0}, ends[64];
  uint64_t *ids = (uint64_t *)1;
  ck_assert_uint_le(n, 64);
  for (size_t i = 0; i < n; i++) lens[i] = strlen(events[i]);
  ck_assert_msg(aev_pattern_set_match_batch(s, events, lens, n, &ids, ends) == AEV_OK, "%s",
                aev_errmsg());
  for (size_t i = 0; i < n; i++) {
    const size_t from = i ? ends[i - 1] : 0;
    ck_assert_uint_le(from, ends[i]);
    out[i] = id_list(ends[i] > from ? ids + from : NULL, ends[i] - from);
  }
  if (n && !ends[n - 1]) ck_assert_ptr_null(ids);
  aev_free(ids);
}

/* Events (texts of up to 511 bytes) matched in batches of the given sizes
 * in turn (each at most 64), each event's ids as "1,2,3" equal to want's. */
static void check_batches(aev_pattern_set *s, char (*events)[512], size_t ne,
                          char *const *want, const size_t *sizes, size_t nsizes) {
  for (size_t k = 0, at = 0; at < ne; k++) {
    size_t n = sizes[k % nsizes];
    if (n > ne - at) n = ne - at;
    const char *batch[64];
    char *got[64];
    for (size_t i = 0; i < n; i++) batch[i] = events[at + i];
    match_batch(s, batch, n, got);
    for (size_t i = 0; i < n; i++) {
      ck_assert_msg(!strcmp(got[i], want[at + i]), "%s in a batch of %zu: got %s want %s",
                    batch[i], n, got[i], want[at + i]);
      free(got[i]);
    }
    at += n;
  }
}

/* The matched ids as "1,2,3"; a batch of three copies of the event must
 * find the same for each, each walk kept apart from the others. */
static char *match(aev_pattern_set *s, const char *event) {
  uint64_t *ids = (uint64_t *)1;
  size_t n = 99;
  ck_assert_int_eq(aev_pattern_set_match(s, event, strlen(event), &ids, &n), AEV_OK);
  char *out = id_list(ids, n), *copies[3];
  aev_free(ids);
  const char *three[3] = {event, event, event};
  match_batch(s, three, 3, copies);
  for (int i = 0; i < 3; i++) {
    ck_assert_msg(!strcmp(copies[i], out), "batch copy %d of %s: %s, alone: %s", i, event,
                  copies[i], out);
    free(copies[i]);
  }
  return out;
}

#define ck_match(s, ev, want)      \
  do {                             \
    char *got_ = match((s), (ev)); \
    ck_assert_str_eq(got_, want);  \
    free(got_);                    \
  } while (0)

START_TEST(set_returns_sorted_unique_ids) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  add(s, 30, "{\"source\":[\"a\"]}");
  add(s, 10, "{\"source\":[\"a\"],\"detail\":{\"n\":[{\"numeric\":[\">\",1]}]}}");
  add(s, 20, "{\"source\":[\"b\"]}");
  add(s, 40, "{\"$or\":[{\"source\":[\"a\"]},{\"detail\":{\"n\":[5]}}]}");
  add(s, UINT64_MAX, "{\"detail\":{\"n\":[{\"exists\":true}]}}");
  ck_assert_uint_eq(aev_pattern_set_count(s), 5);
  ck_match(s, "{\"source\":\"a\",\"detail\":{\"n\":5}}", "10,30,40,18446744073709551615");
  ck_match(s, "{\"source\":\"b\"}", "20");
  ck_match(s, "{\"source\":\"c\"}", "");
  ck_assert_uint_gt(aev_pattern_set_memory(s), 0);
  aev_pattern_set_free(s);
  aev_pattern_set_free(NULL);
}
END_TEST

/* A pattern that ends on a state another pattern later leads on from, or
 * also ends on, or shares a value with: the automaton's shortcut for
 * values that end a pattern (a leaf) must follow each change. */
START_TEST(set_leaf_states_change) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  add(s, 1, "{\"a\":[\"x\"]}");
  ck_match(s, "{\"a\":\"x\"}", "1");
  add(s, 2, "{\"a\":[\"x\"],\"b\":[\"y\"]}");
  ck_match(s, "{\"a\":\"x\"}", "1");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\"}", "1,2");
  add(s, 3, "{\"a\":[\"x\"],\"b\":[\"y\"]}");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\"}", "1,2,3");
  add(s, 4, "{\"a\":[\"x\",\"z\"]}");
  ck_match(s, "{\"a\":\"x\"}", "1,4");
  ck_match(s, "{\"a\":\"z\"}", "4");
  add(s, 5, "{\"a\":[\"z\"],\"c\":[{\"exists\":false}]}");
  ck_match(s, "{\"a\":\"z\"}", "4,5");
  ck_match(s, "{\"a\":\"z\",\"c\":1}", "4");
  add(s, 6, "{\"a\":[7],\"b\":[\"y\"]}");
  add(s, 7, "{\"a\":[7.0]}");
  ck_match(s, "{\"a\":7,\"b\":\"y\"}", "6,7");
  ck_assert_int_eq(aev_pattern_set_remove(s, 2), AEV_OK);
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\"}", "1,3,4");
  aev_pattern_set_free(s);
}
END_TEST

/* Field paths the automaton's path table tells apart by their first and
 * last 8 bytes and their length, or beyond 16 bytes by the bytes between:
 * paths that differ only in the middle, only in length, or are prefixes of
 * one another each find their own patterns. */
START_TEST(set_paths_long_and_alike) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  add(s, 1, "{\"detail\":{\"cfgAAAA-long-value\":[1]}}");
  add(s, 2, "{\"detail\":{\"cfgBBBB-long-value\":[1]}}");
  add(s, 3, "{\"detail\":{\"config-value\":[1]}}");
  add(s, 4, "{\"detail\":{\"cfgAAAA-long-value-x\":[1]}}");
  add(s, 5, "{\"abcdefgh\":[1],\"abcdefghabcdefgh\":[2]}");
  add(s, 6, "{\"ab\":[1],\"abc\":[2],\"abcd\":[3]}");
  ck_match(s, "{\"detail\":{\"cfgAAAA-long-value\":1}}", "1");
  ck_match(s, "{\"detail\":{\"cfgBBBB-long-value\":1}}", "2");
  ck_match(s, "{\"detail\":{\"cfgCCCC-long-value\":1,\"config-value\":1}}", "3");
  ck_match(s, "{\"detail\":{\"cfgAAAA-long-value-x\":1,\"cfgAAAA-long-value\":2}}", "4");
  ck_match(s, "{\"abcdefgh\":1,\"abcdefghabcdefgh\":2}", "5");
  ck_match(s, "{\"abcdefgh\":1,\"abcdefghabcdefg\":2}", "");
  ck_match(s, "{\"ab\":1,\"abc\":2,\"abcd\":3,\"a\":1}", "6");
  ck_match(s, "{\"ab\":1,\"abc\":2,\"abce\":3}", "");
  aev_pattern_set_free(s);
}
END_TEST

/* A value that ends many patterns (its slots copied beside the automaton,
 * the copy moving as it grows) and then leads on to another field: the
 * copy is no longer used, and removed patterns stay out. */
START_TEST(set_leaf_lists_grow_and_change) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char want[256] = "";
  for (int i = 1; i <= 20; i++) {
    add(s, (uint64_t)i, "{\"a\":[\"x\"],\"b\":[\"y\"]}");
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", i > 1 ? "," : "", i);
    ck_match(s, "{\"a\":\"x\",\"b\":\"y\"}", want);
  }
  add(s, 100, "{\"a\":[\"x\"],\"b\":[\"y\"],\"c\":[\"z\"]}");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\",\"c\":\"z\"}", strcat(want, ",100"));
  for (int i = 1; i <= 19; i++) ck_assert_int_eq(aev_pattern_set_remove(s, (uint64_t)i), AEV_OK);
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\"}", "20");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\",\"c\":\"z\"}", "20,100");
  aev_pattern_set_free(s);
}
END_TEST

/* A state that only leads on through exact values is matched without
 * being loaded; each change that ends that (a pattern ending there, a
 * prefix, an exists:false step from it) must show. And a set with many
 * values (its key filter rebuilt many times as it grows) finds them all. */
START_TEST(set_plain_states_change_and_filter_grows) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  add(s, 1, "{\"a\":[\"x\"],\"b\":[\"y\"]}");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\",\"c\":\"pq\"}", "1");
  add(s, 2, "{\"a\":[\"x\"]}");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\",\"c\":\"pq\"}", "1,2");
  add(s, 3, "{\"a\":[\"x\"],\"c\":[{\"prefix\":\"p\"}]}");
  ck_match(s, "{\"a\":\"x\",\"b\":\"y\",\"c\":\"pq\"}", "1,2,3");
  add(s, 4, "{\"a\":[\"w\"],\"b\":[\"y\"]}");
  add(s, 5, "{\"a\":[\"w\"],\"d\":[{\"exists\":false}]}");
  ck_match(s, "{\"a\":\"w\",\"b\":\"y\"}", "4,5");
  add(s, 6, "{\"a\":[\"v\"],\"b\":[\"y\"]}");
  add(s, 7, "{\"a\":[\"v\"],\"b\":[{\"prefix\":\"y\"}]}");
  ck_match(s, "{\"a\":\"v\",\"b\":\"yz\"}", "7");
  ck_match(s, "{\"a\":\"v\",\"b\":\"y\"}", "6,7");
  char p[96], ev[96];
  for (int i = 0; i < 3000; i++) {
    snprintf(p, sizeof p, "{\"a\":[\"k%d\"],\"b\":[%d]}", i % 100, i);
    add(s, 100 + (uint64_t)i, p);
  }
  for (int i = 0; i < 3000; i += 7) {
    snprintf(ev, sizeof ev, "{\"a\":\"k%d\",\"b\":%d}", i % 100, i);
    snprintf(p, sizeof p, "%d", 100 + i);
    ck_match(s, ev, p);
    snprintf(ev, sizeof ev, "{\"a\":\"k%d\",\"b\":%d}", (i + 1) % 100, i);
    ck_match(s, ev, "");
  }
  aev_pattern_set_free(s);
}
END_TEST

/* Many matches (sorted past the small-count fast path) and events with
 * many named fields (grouped past the inline buffers): ids still come back
 * ascending, once each, whatever order they were added in. */
START_TEST(set_many_matches_and_fields) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[64], want[1024] = "", ev[1024] = "{\"a\":[";
  for (int i = 0; i < 50; i++) {
    int id = (i * 37) % 50; /* a scrambled order */
    snprintf(p, sizeof p, "{\"a\":[%d],\"b\":[\"x\"]}", id);
    add(s, (uint64_t)id * 3, p);
    add(s, 1000 + (uint64_t)id, "{\"b\":[\"x\"]}");
    snprintf(ev + strlen(ev), sizeof ev - strlen(ev), "%s%d", i ? "," : "", i);
  }
  strcat(ev, "],\"b\":\"x\"}");
  for (int i = 0; i < 50; i++) snprintf(want + strlen(want), sizeof want - strlen(want), "%d,", i * 3);
  for (int i = 0; i < 50; i++)
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", i ? "," : "", 1000 + i);
  ck_match(s, ev, want);
  ck_match(s, "{\"a\":[7,7,7],\"b\":[\"x\",\"x\"],\"c\":1}",
           "21,1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,1011,1012,1013,1014,1015,"
           "1016,1017,1018,1019,1020,1021,1022,1023,1024,1025,1026,1027,1028,1029,1030,1031,1032,"
           "1033,1034,1035,1036,1037,1038,1039,1040,1041,1042,1043,1044,1045,1046,1047,1048,1049");
  aev_pattern_set_free(s);
}
END_TEST

/* exists:false steps from many states of one automaton (each state keeps
 * its own list, beside the state), among conditions on source, top-level
 * and nested fields that the automaton orders source first: each pattern
 * answers as it would alone. */
START_TEST(set_absent_steps_on_many_states) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[160], ev[160], want[16];
  for (int i = 0; i < 40; i++) {
    snprintf(p, sizeof p,
             "{\"source\":[\"s%d\"],\"detail-type\":[\"t\"],\"detail\":{\"gone%d\":[{\"exists\":"
             "false}],\"k\":[%d]}}",
             i % 8, i % 3, i);
    add(s, (uint64_t)i, p);
  }
  add(s, 100, "{\"detail\":{\"gone0\":[{\"exists\":false}]},\"source\":[\"s1\"]}");
  add(s, 101, "{\"detail\":{\"gone0\":[{\"exists\":false}]},\"source\":[\"s1\"]}");
  add(s, 102, "{\"detail\":{\"gone0\":[{\"exists\":false}]},\"source\":[\"s1\"]}");
  for (int i = 0; i < 40; i++) {
    snprintf(ev, sizeof ev, "{\"source\":\"s%d\",\"detail-type\":\"t\",\"detail\":{\"k\":%d}}",
             i % 8, i);
    snprintf(want, sizeof want, "%d%s", i, i % 8 == 1 ? ",100,101,102" : "");
    ck_match(s, ev, want);
    snprintf(ev, sizeof ev,
             "{\"source\":\"s%d\",\"detail-type\":\"t\",\"detail\":{\"k\":%d,\"gone%d\":0}}",
             i % 8, i, i % 3);
    ck_match(s, ev, i % 8 == 1 && i % 3 ? "100,101,102" : "");
  }
  ck_match(s, "{\"source\":\"s1\",\"detail\":{\"gone1\":1}}", "100,101,102");
  aev_pattern_set_free(s);
}
END_TEST

START_TEST(set_replace_and_remove) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  add(s, 1, "{\"a\":[\"x\"]}");
  add(s, 2, "{\"a\":[\"x\"]}");
  add(s, 1, "{\"a\":[\"y\"]}");
  ck_assert_uint_eq(aev_pattern_set_count(s), 2);
  ck_match(s, "{\"a\":\"x\"}", "2");
  ck_match(s, "{\"a\":\"y\"}", "1");
  ck_assert_int_eq(aev_pattern_set_remove(s, 2), AEV_OK);
  ck_match(s, "{\"a\":\"x\"}", "");
  ck_assert_int_eq(aev_pattern_set_remove(s, 2), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "ResourceNotFoundException");
  ck_assert_int_eq(aev_pattern_set_remove(s, 77), AEV_ERR_NOT_FOUND);
  add(s, 2, "{\"a\":[\"x\"]}");
  ck_match(s, "{\"a\":\"x\"}", "2");
  /* A pattern that fails to compile leaves the set as it was. */
  ck_assert_int_eq(aev_pattern_set_add(s, 2, "{\"a\":[]}", 8), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidEventPatternException");
  ck_match(s, "{\"a\":\"x\"}", "2");
  ck_assert_uint_eq(aev_pattern_set_count(s), 2);
  /* The largest id is an id like any other, live or removed. */
  add(s, UINT64_MAX, "{\"a\":[\"z\"]}");
  ck_match(s, "{\"a\":\"z\"}", "18446744073709551615");
  ck_assert_int_eq(aev_pattern_set_remove(s, UINT64_MAX), AEV_OK);
  ck_match(s, "{\"a\":\"z\"}", "");
  aev_pattern_set_free(s);
}
END_TEST

/* The automaton keeps ids below 2^30 themselves, and larger ones as slot
 * numbers: both kinds on one state, replaced (the same tag again on the
 * same state), removed one entry per branch (two branches may end on one
 * state), and through rebuilds, which renumber the slots. */
START_TEST(set_ids_in_and_out_of_the_automaton) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  const char *x = "{\"a\":[\"x\"]}", *ev = "{\"a\":\"x\",\"b\":\"y\"}";
  add(s, 5, x);
  add(s, (1u << 30) - 1, x);
  add(s, 1u << 30, x);
  add(s, (1u << 30) + 1, x);
  add(s, UINT64_MAX, x);
  ck_match(s, ev, "5,1073741823,1073741824,1073741825,18446744073709551615");
  ck_assert_int_eq(aev_pattern_set_remove(s, 1u << 30), AEV_OK);
  ck_match(s, ev, "5,1073741823,1073741825,18446744073709551615");
  add(s, 5, x);
  add(s, (1u << 30) + 1, x);
  ck_match(s, ev, "5,1073741823,1073741825,18446744073709551615");
  ck_assert_int_eq(aev_pattern_set_remove(s, 5), AEV_OK);
  ck_assert_int_eq(aev_pattern_set_remove(s, (1u << 30) + 1), AEV_OK);
  ck_match(s, ev, "1073741823,18446744073709551615");
  add(s, 8, "{\"$or\":[{\"a\":[\"x\"]},{\"a\":[\"x\"],\"c\":[{\"exists\":false}]}]}");
  add(s, 1ull << 40, "{\"$or\":[{\"b\":[\"y\"]},{\"a\":[\"x\"]}]}");
  ck_match(s, ev, "8,1073741823,1099511627776,18446744073709551615");
  ck_assert_int_eq(aev_pattern_set_remove(s, 8), AEV_OK);
  ck_assert_int_eq(aev_pattern_set_remove(s, 1ull << 40), AEV_OK);
  ck_match(s, ev, "1073741823,18446744073709551615");
  ck_match(s, "{\"b\":\"y\"}", "");
  char p[64];
  for (uint64_t i = 0; i < 300; i++) {
    snprintf(p, sizeof p, "{\"a\":[\"x\"],\"n\":[%llu]}", (unsigned long long)i);
    add(s, i % 2 ? i : (1ull << 40) + i, p);
  }
  for (uint64_t i = 0; i < 300; i++)
    if (i % 100 != 1 && i % 100 != 2)
      ck_assert_int_eq(aev_pattern_set_remove(s, i % 2 ? i : (1ull << 40) + i), AEV_OK);
  ck_assert_uint_eq(aev_pattern_set_count(s), 8);
  ck_match(s, "{\"a\":\"x\",\"n\":101}", "101,1073741823,18446744073709551615");
  ck_match(s, "{\"a\":\"x\",\"n\":202}",
           "1073741823,1099511627978,18446744073709551615");
  ck_match(s, "{\"a\":\"x\",\"n\":3}", "1073741823,18446744073709551615");
  aev_pattern_set_free(s);
}
END_TEST

/* A plain state keeps a signature of its paths (path id modulo 30) in the
 * values entries that lead to it, and a match looks up only the event's
 * fields whose bit is set: a path sharing a bit is still looked up (and
 * found absent), and a path added to the state later shows. */
START_TEST(set_plain_state_signatures) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[64];
  for (int i = 0; i < 40; i++) { /* paths k00..k39 get ids 0..39 */
    snprintf(p, sizeof p, "{\"k%02d\":[%d]}", i, 1000 + i);
    add(s, 1000 + (uint64_t)i, p);
  }
  add(s, 100, "{\"source\":[\"x\"],\"k05\":[1]}");
  ck_match(s, "{\"source\":\"x\",\"k05\":1}", "100");
  ck_match(s, "{\"source\":\"x\",\"k35\":1}", "");
  ck_match(s, "{\"source\":\"x\",\"k12\":2}", "");
  add(s, 101, "{\"source\":[\"x\"],\"k12\":[2]}");
  ck_match(s, "{\"source\":\"x\",\"k12\":2}", "101");
  ck_match(s, "{\"source\":\"x\",\"k12\":2,\"k05\":1,\"k35\":1}", "100,101");
  add(s, 102, "{\"source\":[\"x\"],\"k35\":[1]}");
  ck_match(s, "{\"source\":\"x\",\"k35\":1}", "102");
  ck_match(s, "{\"source\":\"x\",\"k05\":1,\"k35\":1,\"k36\":1036}", "100,102,1036");
  add(s, 103, "{\"source\":[\"x\"]}"); /* the state accepts: no longer plain */
  ck_match(s, "{\"source\":\"x\",\"k05\":1}", "100,103");
  ck_assert_int_eq(aev_pattern_set_remove(s, 103), AEV_OK); /* plain again */
  ck_match(s, "{\"source\":\"x\",\"k05\":1,\"k12\":2}", "100,101");
  aev_pattern_set_free(s);
}
END_TEST

/* Removing most patterns rebuilds the automaton; what is left still
 * matches, and memory shrinks back. */
START_TEST(set_rebuilds_after_many_removals) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[128], ev[128];
  for (int i = 0; i < 2000; i++) {
    snprintf(p, sizeof p, "{\"k%d\":[\"v%d\"],\"s\":[{\"prefix\":\"p%d\"}]}", i % 50, i, i);
    add(s, (uint64_t)i, p);
  }
  size_t full = aev_pattern_set_memory(s);
  for (int i = 0; i < 2000; i++)
    if (i % 100) ck_assert_int_eq(aev_pattern_set_remove(s, (uint64_t)i), AEV_OK);
  ck_assert_uint_eq(aev_pattern_set_count(s), 20);
  ck_assert_uint_lt(aev_pattern_set_memory(s), full / 4);
  for (int i = 0; i < 2000; i += 50) {
    snprintf(ev, sizeof ev, "{\"k%d\":\"v%d\",\"s\":\"p%dq\"}", i % 50, i, i);
    char want[16] = "";
    if (i % 100 == 0) snprintf(want, sizeof want, "%d", i);
    ck_match(s, ev, want);
  }
  aev_pattern_set_free(s);
}
END_TEST

/* Ids anywhere in 64 bits, thousands of them (the ids map and the
 * transition-field map grow several times), removed, replaced and added
 * again: each id keeps exactly its latest pattern. */
static uint64_t spread_id(int i) {
  return i == 0 ? 0 : i == 1 ? UINT64_MAX : (uint64_t)i * 0x9e3779b97f4a7c15ULL;
}

START_TEST(set_ids_across_growth) {
  enum { N = 5000 };
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[128], ev[128];
  for (int i = 0; i < N; i++) {
    snprintf(p, sizeof p, "{\"k%d\":[{\"prefix\":\"a%d\"}],\"j\":[\"x\"]}", i, i);
    add(s, spread_id(i), p);
  }
  for (int i = 0; i < N; i += 3) ck_assert_int_eq(aev_pattern_set_remove(s, spread_id(i)), AEV_OK);
  for (int i = 1; i < N; i += 3) {
    snprintf(p, sizeof p, "{\"k%d\":[{\"prefix\":\"b%d\"}],\"j\":[\"x\"]}", i, i);
    add(s, spread_id(i), p); /* replaces */
  }
  for (int i = 0; i < N; i += 6) {
    snprintf(p, sizeof p, "{\"k%d\":[\"c%d\"]}", i, i);
    add(s, spread_id(i), p); /* back after removal */
  }
  ck_assert_uint_eq(aev_pattern_set_count(s), N - (N + 2) / 3 + (N + 5) / 6);
  for (int i = 0; i < N; i += 7) {
    char want[32] = "", got[3][32];
    const char *v[3] = {"a", "b", "c"};
    for (int k = 0; k < 3; k++) {
      snprintf(ev, sizeof ev, "{\"k%d\":\"%s%d\",\"j\":\"x\"}", i, v[k], i);
      char *m = match(s, ev);
      snprintf(got[k], sizeof got[k], "%s", m);
      free(m);
    }
    int live = i % 3 == 2 ? 0 : i % 3 == 1 ? 1 : i % 6 == 0 ? 2 : -1;
    for (int k = 0; k < 3; k++) {
      snprintf(want, sizeof want, "%llu", (unsigned long long)spread_id(i));
      ck_assert_str_eq(got[k], k == live ? want : "");
    }
    if (live < 0)
      ck_assert_int_eq(aev_pattern_set_remove(s, spread_id(i)), AEV_ERR_NOT_FOUND);
  }
  aev_pattern_set_free(s);
}
END_TEST

START_TEST(set_bad_arguments) {
  aev_pattern_set *s = NULL;
  ck_assert_int_eq(aev_pattern_set_new(9, &s), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_new(0, NULL), AEV_ERR_INVALID);
  s = new_set(AEV_PATTERN_EVENTBRIDGE);
  uint64_t *ids;
  size_t n;
  ck_assert_int_eq(aev_pattern_set_match(s, "nope", 4, &ids, &n), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_match(s, NULL, 0, &ids, &n), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_add(NULL, 1, "{}", 2), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_remove(NULL, 1), AEV_ERR_INVALID);
  ck_assert_uint_eq(aev_pattern_set_count(NULL), 0);
  ck_assert_uint_eq(aev_pattern_set_memory(NULL), 0);
  aev_pattern_set_free(s);
}
END_TEST

/* A batch with an event that is not a JSON object fails as a whole,
 * naming that event, and returns no ids for any; other bad arguments are
 * refused before anything is matched; an empty batch matches nothing. */
START_TEST(set_batch_errors) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  add(s, 1, "{\"a\":[\"x\"]}");
  const char *ev[40];
  size_t lens[40], ends[40];
  uint64_t *ids = (uint64_t *)1;
  for (int i = 0; i < 40; i++) ev[i] = "{\"a\":\"x\"}";
  ev[20] = "[\"a\",\"x\"]"; /* in the batch's second chunk of 16 */
  for (int i = 0; i < 40; i++) {
    lens[i] = strlen(ev[i]);
    ends[i] = 99;
  }
  ck_assert_int_eq(aev_pattern_set_match_batch(s, ev, lens, 40, &ids, ends), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "Event 20 of the batch: Parameter Event is not valid.");
  ck_assert_ptr_null(ids);
  for (int i = 0; i < 40; i++) ck_assert_uint_eq(ends[i], 0);
  ev[20] = NULL;
  ids = (uint64_t *)1;
  for (int i = 0; i < 40; i++) ends[i] = 99;
  ck_assert_int_eq(aev_pattern_set_match_batch(s, ev, lens, 40, &ids, ends), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_str_eq(aev_errmsg(), "Event 20 of the batch is NULL.");
  ck_assert_ptr_null(ids);
  for (int i = 0; i < 40; i++) ck_assert_uint_eq(ends[i], 0);
  ck_assert_int_eq(aev_pattern_set_match_batch(NULL, ev, lens, 1, &ids, ends), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_match_batch(s, ev, NULL, 1, &ids, ends), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_match_batch(s, ev, lens, 1, NULL, ends), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_match_batch(s, ev, lens, 1, &ids, NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_pattern_set_match_batch(s, NULL, NULL, 0, NULL, NULL), AEV_OK);
  /* The set still answers: event i's one id ends at i + 1. */
  ev[20] = "{\"a\":[\"y\",\"x\"]}";
  lens[20] = strlen(ev[20]);
  ck_assert_int_eq(aev_pattern_set_match_batch(s, ev, lens, 40, &ids, ends), AEV_OK);
  for (int i = 0; i < 40; i++) {
    ck_assert_uint_eq(ends[i], (size_t)i + 1);
    ck_assert_uint_eq(ids[i], 1);
  }
  aev_free(ids);
  aev_pattern_set_free(s);
}
END_TEST

/* The SNS profiles in a batch: a message body that is not a JSON object
 * matches no body policy and is no error; attributes are converted per
 * message. */
START_TEST(set_batch_sns_profiles) {
  aev_pattern_set *b = new_set(AEV_PATTERN_SNS_BODY);
  add(b, 7, "{\"order\":[{\"exists\":false}]}");
  add(b, 8, "{\"state\":[\"paid\"]}");
  const char *bodies[4] = {"{\"state\":\"paid\"}", "plain text", "{\"order\":1}", "{}"};
  char *got[4];
  match_batch(b, bodies, 4, got);
  const char *want[4] = {"7,8", "", "", "7"};
  for (int i = 0; i < 4; i++) {
    ck_assert_str_eq(got[i], want[i]);
    free(got[i]);
  }
  aev_pattern_set_free(b);
  aev_pattern_set *a = new_set(AEV_PATTERN_SNS_ATTRIBUTES);
  add(a, 1, "{\"color\":[\"red\"]}");
  add(a, 2, "{\"size\":[{\"numeric\":[\">\",3]}]}");
  const char *attrs[3] = {
      "{\"color\":{\"DataType\":\"String\",\"StringValue\":\"red\"}}",
      ("{\"size\":{\"DataType\":\"Number\",\"StringValue\":\"4\"},"
       "\"color\":{\"DataType\":\"String\",\"StringValue\":\"red\"}}"),
      "{\"size\":{\"DataType\":\"Number\",\"StringValue\":\"2\"}}"};
  char *agot[3];
  match_batch(a, attrs, 3, agot);
  const char *awant[3] = {"1", "1,2", ""};
  for (int i = 0; i < 3; i++) {
    ck_assert_str_eq(agot[i], awant[i]);
    free(agot[i]);
  }
  aev_pattern_set_free(a);
}
END_TEST

typedef struct shared {
  aev_pattern_set *s;
  int errors;
} shared;

static void *reader(void *arg) {
  shared *sh = arg;
  for (int i = 0; i < 2000; i++) {
    uint64_t *ids;
    size_t n;
    const char *ev = "{\"a\":\"x\",\"b\":3}";
    if (aev_pattern_set_match(sh->s, ev, strlen(ev), &ids, &n) || n < 1 || ids[0] != 0)
      __atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
    aev_free(ids);
  }
  return NULL;
}

/* Matches run while another thread adds and removes patterns. */
START_TEST(set_concurrent_readers_and_writer) {
  shared sh = {new_set(AEV_PATTERN_EVENTBRIDGE), 0};
  add(sh.s, 0, "{\"a\":[\"x\"]}");
  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, reader, &sh);
  char p[64];
  for (int i = 1; i < 600; i++) {
    snprintf(p, sizeof p, "{\"b\":[{\"numeric\":[\">\",%d]}]}", i);
    add(sh.s, (uint64_t)i, p);
    if (i % 3 == 0) ck_assert_int_eq(aev_pattern_set_remove(sh.s, (uint64_t)i), AEV_OK);
  }
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  ck_assert_int_eq(sh.errors, 0);
  ck_match(sh.s, "{\"b\":3}", "1,2");
  aev_pattern_set_free(sh.s);
}
END_TEST

/* ---- SNS profiles ---- */

static int sns_match(int profile, const char *policy, const char *msg) {
  aev_pattern *p = NULL;
  int rc = aev_pattern_compile_profile(policy, strlen(policy), profile, &p);
  ck_assert_msg(rc == AEV_OK, "%s: %s", policy, aev_errmsg());
  int m = -1;
  ck_assert_int_eq(aev_pattern_matches(p, msg, strlen(msg), &m), AEV_OK);
  aev_pattern_free(p);
  return m;
}

#define ATTR(name, type, value) "\"" name "\":{\"DataType\":\"" type "\",\"StringValue\":" value "}"

START_TEST(sns_message_attributes) {
  const int A = AEV_PATTERN_SNS_ATTRIBUTES;
  ck_assert_int_eq(sns_match(A, "{\"color\":[\"red\"]}", "{" ATTR("color", "String", "\"red\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"color\":[\"red\"]}", "{" ATTR("color", "String", "\"blue\"") "}"), 0);
  /* The notification's {"Type", "Value"} shape is accepted too. */
  ck_assert_int_eq(sns_match(A, "{\"color\":[\"red\"]}",
                             "{\"color\":{\"Type\":\"String\",\"Value\":\"red\"}}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"price\":[{\"numeric\":[\">=\",100]}]}",
                             "{" ATTR("price", "Number", "\"150.5\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"price\":[100]}", "{" ATTR("price", "Number", "\"100.0\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"price\":[{\"numeric\":[\">=\",100]}]}",
                             "{" ATTR("price", "String", "\"150\"") "}"), 0);
  ck_assert_int_eq(sns_match(A, "{\"sizes\":[\"M\"]}",
                             "{" ATTR("sizes", "String.Array", "\"[\\\"S\\\",\\\"M\\\"]\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"sizes\":[\"L\"]}",
                             "{" ATTR("sizes", "String.Array", "\"[\\\"S\\\",\\\"M\\\"]\"") "}"), 0);
  /* Binary attributes never match a value condition. */
  ck_assert_int_eq(sns_match(A, "{\"b\":[{\"exists\":true}]}",
                             "{\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAE=\"}}"), 0);
  ck_assert_int_eq(sns_match(A, "{\"color\":[{\"exists\":false}]}", "{}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"color\":[{\"prefix\":\"r\"}],\"n\":[{\"anything-but\":[1]}]}",
                             "{" ATTR("color", "String", "\"red\"") "," ATTR("n", "Number", "\"2\"") "}"), 1);
}
END_TEST

START_TEST(sns_message_body) {
  const int B = AEV_PATTERN_SNS_BODY;
  ck_assert_int_eq(sns_match(B, "{\"order\":{\"state\":[\"paid\"]}}", "{\"order\":{\"state\":\"paid\"}}"), 1);
  ck_assert_int_eq(sns_match(B, "{\"order\":{\"state\":[\"paid\"]}}", "{\"order\":{\"state\":\"new\"}}"), 0);
  /* A body that is not a JSON object matches nothing, without an error. */
  ck_assert_int_eq(sns_match(B, "{\"order\":[{\"exists\":false}]}", "plain text"), 0);
}
END_TEST

static void sns_error(int profile, const char *policy, const char *message) {
  aev_pattern *p = NULL;
  ck_assert_int_eq(aev_pattern_compile_profile(policy, strlen(policy), profile, &p),
                   AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameter");
  ck_assert_str_eq(aev_errmsg(), message);
}

#define F "Invalid parameter: FilterPolicy: "
#define V10 "0,1,2,3,4,5,6,7,8,9"
START_TEST(sns_limits_and_errors) {
  const int A = AEV_PATTERN_SNS_ATTRIBUTES, B = AEV_PATTERN_SNS_BODY;
  /* SNS words this one without the "FilterPolicy: " lead-in. */
  sns_error(A, "{\"a\":{\"b\":[1]}}",
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested "
            "filter policy");
  /* ...once the policy is otherwise valid: a nested value that is neither
   * an array nor an object is worded first (recorded against AWS:
   * test_validate_policy_string_operators). */
  sns_error(A, "{\"key\":{\"suffix\":\"value\"}}", F "\"suffix\" must be an object or an array");
  sns_error(A, "{\"a\":{\"b\":[1]},\"c\":7}", F "\"c\" must be an object or an array");
  sns_error(B, "{\"a\":[1],\"b\":[1],\"c\":[1],\"d\":[1],\"e\":[1],\"f\":[1]}",
            F "Filter policy can not have more than 5 keys");
  sns_error(A, "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13],\"b\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
            F "Filter policy is too complex");
  sns_error(A, "{\"a\":[{\"numeric\":[\">\",1000000001]}]}",
            F "Numeric values must be between -1.0E9 and 1.0E9, inclusive");
  sns_error(A, "{\"a\":[1.000001]}",
            F "Numeric values must have at most 5 digits after the decimal point");
  sns_error(A, "{\"a\":[]}", F "Empty arrays are not allowed");
  /* At the limits: 5 keys, 150 combinations, 1e9 and five decimals. */
  aev_pattern *p = NULL;
  const char *ok = "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],\"b\":[1,2,3,4,5,6,7,8,9,10],"
                   "\"c\":[-1000000000],\"d\":[1.00001],\"e\":[\"x\"]}";
  ck_assert_int_eq(aev_pattern_compile_profile(ok, strlen(ok), A, &p), AEV_OK);
  aev_pattern_free(p);
  /* The same policy is fine for EventBridge, which has no such limits. */
  const char *big = "{\"a\":[{\"numeric\":[\">\",1e12]}],\"b\":[1.0000001]}";
  ck_assert_int_eq(aev_pattern_compile(big, strlen(big), &p), AEV_OK);
  aev_pattern_free(p);
  /* Negative numbers: -1e9 is the inclusive bound. */
  sns_error(B, "{\"a\":[{\"numeric\":[\">=\",-1000000000.5]}]}",
            F "Numeric values must be between -1.0E9 and 1.0E9, inclusive");
  sns_error(B, "{\"a\":[{\"anything-but\":[1,1000000001]}]}",
            F "Numeric values must be between -1.0E9 and 1.0E9, inclusive");
  /* $or branches add up: 100 + 51 combinations is too many, 100 + 50 not. */
  sns_error(B, "{\"$or\":[{\"a\":[" V10 "," V10 "," V10 "," V10 "," V10 "," V10 "," V10 "," V10
            "," V10 "," V10 "]},{\"b\":[" V10 "," V10 "," V10 "," V10 "," V10 ",1]}]}",
            F "Filter policy is too complex");
  const char *or150 = "{\"$or\":[{\"a\":[" V10 "," V10 "," V10 "," V10 "," V10 "," V10 "," V10
                      "," V10 "," V10 "," V10 "]},{\"b\":[" V10 "," V10 "," V10 "," V10 "," V10
                      "]}]}";
  ck_assert_int_eq(aev_pattern_compile_profile(or150, strlen(or150), B, &p), AEV_OK);
  aev_pattern_free(p);
  /* MessageAttributes that are not a JSON object. */
  ck_assert_int_eq(aev_pattern_compile_profile("{\"a\":[1]}", 9, A, &p), AEV_OK);
  int m;
  ck_assert_int_eq(aev_pattern_matches(p, "[]", 2, &m), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameter");
  aev_pattern_free(p);
}
END_TEST

/* Nested MessageBody policies: keys count at their leaves, and a key's
 * values count once per level of nesting (SNS's 3 x 4 x 2 x 3 = 72). */
START_TEST(sns_nested_body_limits) {
  const int B = AEV_PATTERN_SNS_BODY;
  aev_pattern *p = NULL;
  const char *seventy_two =
      "{\"key_a\":{\"key_b\":{\"key_c\":[1,2,3,4]}},\"key_d\":{\"key_e\":[1,2,3]}}";
  ck_assert_int_eq(aev_pattern_compile_profile(seventy_two, strlen(seventy_two), B, &p), AEV_OK);
  aev_pattern_free(p);
  /* 13 values three levels down and 2 at the top: 13 x 3 x 2 = 78 is fine,
   * 13 x 3 x 4 x 2 = 312 (the 4 two levels down) is not. */
  const char *flat_ok = "{\"a\":{\"b\":{\"c\":[" V10 ",10,11,12]}},\"d\":[1,2]}";
  ck_assert_int_eq(aev_pattern_compile_profile(flat_ok, strlen(flat_ok), B, &p), AEV_OK);
  aev_pattern_free(p);
  sns_error(B, "{\"a\":{\"b\":{\"c\":[" V10 ",10,11,12]}},\"d\":{\"e\":[1,2,3,4]}}",
            F "Filter policy is too complex");
  /* Six leaves under one parent are six keys; an object-valued key is not one. */
  sns_error(B, "{\"p\":{\"a\":[1],\"b\":[1],\"c\":[1],\"d\":[1],\"e\":[1],\"f\":[1]}}",
            F "Filter policy can not have more than 5 keys");
  const char *five = "{\"p\":{\"a\":[1],\"b\":[1],\"q\":{\"c\":[1],\"d\":[1]}},\"e\":[1]}";
  ck_assert_int_eq(aev_pattern_compile_profile(five, strlen(five), B, &p), AEV_OK);
  aev_pattern_free(p);
}
END_TEST

/* The operators SNS does not have, refused with SNS's messages; the ones it
 * has work in both scopes. */
START_TEST(sns_operator_subset) {
  const int A = AEV_PATTERN_SNS_ATTRIBUTES, B = AEV_PATTERN_SNS_BODY;
  sns_error(B, "{\"a\":[{\"wildcard\":\"x*\"}]}", F "Unrecognized match type wildcard");
  sns_error(A, "{\"a\":[{\"anything-but\":{\"suffix\":\"x\"}}]}",
            F "Unsupported anything-but pattern: suffix");
  /* Recorded against AWS (test_validate_policy_nested_anything_but_operator);
   * EventBridge says "prefix/suffix" here. */
  sns_error(A, "{\"a\":[{\"anything-but\":{\"prefix\":false}}]}", F "prefix match pattern must be a string");
  sns_error(B, "{\"a\":[{\"anything-but\":{\"equals-ignore-case\":\"x\"}}]}",
            F "Unsupported anything-but pattern: equals-ignore-case");
  sns_error(B, "{\"a\":[{\"anything-but\":{\"wildcard\":\"x*\"}}]}",
            F "Unsupported anything-but pattern: wildcard");
  sns_error(A, "{\"a\":[{\"prefix\":{\"equals-ignore-case\":\"x\"}}]}",
            F "prefix match pattern must be a string");
  sns_error(B, "{\"a\":[{\"suffix\":{\"equals-ignore-case\":\"x\"}}]}",
            F "suffix match pattern must be a string");
  sns_error(B, "{\"a\":[{\"cidr\":\"10.0.0.0/33\"}]}",
            F "Malformed CIDR, mask bits must be between 0 and 32");
  sns_error(B, "{\"a\":[{\"exists\":1}]}", F "exists match pattern must be either true or false.");
  sns_error(B, "{\"a\":\"x\"}", F "\"a\" must be an object or an array");
  /* Supported: anything-but prefix, suffix, equals-ignore-case, cidr. */
  ck_assert_int_eq(sns_match(B, "{\"a\":[{\"anything-but\":{\"prefix\":\"in\"}}]}", "{\"a\":\"out\"}"), 1);
  ck_assert_int_eq(sns_match(B, "{\"a\":[{\"anything-but\":{\"prefix\":\"in\"}}]}", "{\"a\":\"inx\"}"), 0);
  ck_assert_int_eq(sns_match(A, "{\"a\":[{\"suffix\":\"ball\"}]}", "{" ATTR("a", "String", "\"baseball\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"a\":[{\"equals-ignore-case\":\"RED\"}]}", "{" ATTR("a", "String", "\"red\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "{" ATTR("ip", "String", "\"10.0.0.7\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"ip\":[{\"cidr\":\"10.0.0.0/24\"}]}", "{" ATTR("ip", "String", "\"10.0.1.7\"") "}"), 0);
}
END_TEST

/* Typed MessageAttributes: String.Array elements of any JSON type, Number
 * in any spelling, Binary ignored (so exists:false holds for it). */
START_TEST(sns_typed_attributes) {
  const int A = AEV_PATTERN_SNS_ATTRIBUTES;
  const char *arr = "{" ATTR("n", "String.Array", "\"[1,\\\"two\\\",true,null]\"") "}";
  ck_assert_int_eq(sns_match(A, "{\"n\":[1]}", arr), 1);
  ck_assert_int_eq(sns_match(A, "{\"n\":[\"two\"]}", arr), 1);
  ck_assert_int_eq(sns_match(A, "{\"n\":[true]}", arr), 1);
  ck_assert_int_eq(sns_match(A, "{\"n\":[\"1\"]}", arr), 0);
  ck_assert_int_eq(sns_match(A, "{\"n\":[{\"numeric\":[\">\",0]}]}", arr), 1);
  ck_assert_int_eq(sns_match(A, "{\"n\":[{\"numeric\":[\">\",5]}]}", arr), 0);
  ck_assert_int_eq(sns_match(A, "{\"n\":[1000]}", "{" ATTR("n", "Number", "\"1e3\"") "}"), 1);
  ck_assert_int_eq(sns_match(A, "{\"n\":[\"1e3\"]}", "{" ATTR("n", "Number", "\"1e3\"") "}"), 0);
  ck_assert_int_eq(sns_match(A, "{\"n\":[{\"numeric\":[\"<\",0]}]}",
                             "{" ATTR("n", "Number.float", "\"-2.5\"") "}"), 1);
  const char *bin = "{\"b\":{\"DataType\":\"Binary\",\"BinaryValue\":\"AAE=\"}}";
  ck_assert_int_eq(sns_match(A, "{\"b\":[{\"exists\":false}]}", bin), 1);
  ck_assert_int_eq(sns_match(A, "{\"b\":[{\"anything-but\":\"x\"}]}", bin), 0);
  ck_assert_int_eq(sns_match(A, "{\"b\":[\"AAE=\"]}", bin), 0);
}
END_TEST

/* A seeded generator for the differential test. */
static uint64_t diff_next(uint64_t *x) {
  *x ^= *x >> 12;
  *x ^= *x << 25;
  *x ^= *x >> 27;
  return *x * 0x2545f4914f6cdd1dULL;
}

/* A random scalar: one of a few strings (short, 8-byte and long, which
 * the automaton keeps in and out of its entries), numbers (300 and 300.0
 * alike) and literals. */
static const char *diff_value(uint64_t *x) {
  static const char *const v[] = {"\"a\"", "\"bb\"", "\"12345678\"",
                                  "\"a value longer than sixteen bytes\"",
                                  "300", "300.0", "-1", "true", "false", "null"};
  return v[diff_next(x) % (sizeof v / sizeof *v)];
}

/* A big set against each of its patterns compiled alone: random exact
 * patterns over a few top-level and nested paths (one to three
 * conditions, some with two values), and random events, arrays among
 * them; then again after removing every third pattern. Each field of an
 * event is hashed once and looked up from many states, so any slip in
 * that shows as a difference here. */
START_TEST(set_matches_as_patterns_alone) {
  enum { NP = 600, NE = 300 };
  /* Then with half the ids at or above 2^30, which the automaton keeps as
   * slot numbers rather than themselves. */
  uint64_t base = _i ? (1u << 30) - NP / 2 : 0;
  static const char *const paths[][2] = {{"source", NULL}, {"detail-type", NULL},
                                         {"detail", "x"}, {"detail", "y"},
                                         {"region", NULL}, {"detail", "z"}};
  uint64_t rng = 0x5eed;
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  aev_pattern **alone = calloc(NP, sizeof *alone);
  char buf[512];
  for (int i = 0; i < NP; i++) {
    int n = 1 + (int)(diff_next(&rng) % 3), used = 0, len = 0, nested = 0;
    len += snprintf(buf + len, sizeof buf - (size_t)len, "{");
    for (int k = 0; k < n; k++) {
      int pth;
      do pth = (int)(diff_next(&rng) % 6);
      while (used >> pth & 1);
      used |= 1 << pth;
    }
    int first = 1;
    for (int pth = 0; pth < 6; pth++) {
      if (!(used >> pth & 1) || paths[pth][1]) continue;
      len += snprintf(buf + len, sizeof buf - (size_t)len, "%s\"%s\":[%s", first ? "" : ",",
                      paths[pth][0], diff_value(&rng));
      if (diff_next(&rng) % 4 == 0)
        len += snprintf(buf + len, sizeof buf - (size_t)len, ",%s", diff_value(&rng));
      len += snprintf(buf + len, sizeof buf - (size_t)len, "]");
      first = 0;
    }
    for (int pth = 0; pth < 6; pth++) {
      if (!(used >> pth & 1) || !paths[pth][1]) continue;
      len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s\"%s\":[%s",
                      nested ? "," : first ? "\"detail\":{" : ",\"detail\":{", "",
                      paths[pth][1], diff_value(&rng));
      len += snprintf(buf + len, sizeof buf - (size_t)len, "]");
      nested = 1;
    }
    snprintf(buf + len, sizeof buf - (size_t)len, "%s}", nested ? "}" : "");
    add(s, base + (uint64_t)i, buf);
    ck_assert_msg(aev_pattern_compile(buf, strlen(buf), &alone[i]) == AEV_OK, "%s", buf);
  }
  static char events[NE][512], *alone_got[NE];
  for (int round = 0; round < 2; round++) {
    for (int e = 0; e < NE; e++) {
      char *ev = events[e];
      int len = snprintf(ev, sizeof events[e],
                         "{\"source\":%s,\"detail-type\":%s,\"region\":[%s,%s],"
                         "\"detail\":{\"x\":%s,\"y\":[%s,%s],\"z\":%s}}",
                         diff_value(&rng), diff_value(&rng), diff_value(&rng),
                         diff_value(&rng), diff_value(&rng), diff_value(&rng),
                         diff_value(&rng), diff_value(&rng));
      char want[16384] = "";
      for (int i = 0; i < NP; i++) {
        int m = 0;
        if (!alone[i]) continue;
        ck_assert_int_eq(aev_pattern_matches(alone[i], ev, (size_t)len, &m), AEV_OK);
        if (m)
          snprintf(want + strlen(want), sizeof want - strlen(want), "%s%llu", *want ? "," : "",
                   (unsigned long long)(base + (uint64_t)i));
      }
      char *got = match(s, ev);
      ck_assert_msg(!strcmp(got, want), "%s: got %s want %s", ev, got, want);
      alone_got[e] = got;
    }
    /* All the round's events in batches, distinct events walked together
     * (the library's own chunks of 16 and their remainders among them). */
    static const size_t sizes[] = {1, 2, 15, 16, 17, 33, 64};
    check_batches(s, events, NE, alone_got, sizes, sizeof sizes / sizeof *sizes);
    for (int e = 0; e < NE; e++) free(alone_got[e]);
    for (int i = 0; i < NP; i += 3) {
      if (!alone[i]) continue;
      ck_assert_int_eq(aev_pattern_set_remove(s, base + (uint64_t)i), AEV_OK);
      aev_pattern_free(alone[i]);
      alone[i] = NULL;
    }
  }
  for (int i = 0; i < NP; i++) aev_pattern_free(alone[i]);
  free(alone);
  aev_pattern_set_free(s);
}
END_TEST

/* Events with more than 64 named groups and more fields than the inline
 * buffers: a match keeps one bit per group, for the first 32, of what a
 * path of steps consumed; no later group may be hidden from a state that
 * still looks it up. */
START_TEST(set_more_than_64_groups) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[2048] = "{", ev[2048] = "{";
  /* First, so that path kNN gets id NN and the event's group NN is kNN. */
  for (int i = 0; i < 70; i++) {
    snprintf(ev + strlen(ev), sizeof ev - strlen(ev), "%s\"k%02d\":%d", i ? "," : "", i, i);
    snprintf(p + strlen(p), sizeof p - strlen(p), "%s\"k%02d\":[%d]", i ? "," : "", i, i);
  }
  strcat(ev, "}");
  strcat(p, "}");
  add(s, 200, p);
  for (int i = 0; i < 6; i++) {
    snprintf(p, sizeof p, "{\"k%02d\":[%d],\"k%02d\":[%d]}", i, i, 64 + i, 64 + i);
    add(s, (uint64_t)i, p);
  }
  add(s, 100, "{\"k00\":[0],\"k64\":[64],\"k65\":[65],\"k01\":[1]}");
  ck_match(s, ev, "0,1,2,3,4,5,100,200");
  ck_match(s, "{\"k00\":0,\"k64\":64}", "0");
  ck_match(s, "{\"k00\":0,\"k64\":65}", "");
  aev_pattern_set_free(s);
}
END_TEST

/* A match skips the event's groups that the steps up to a state consumed
 * (a bit each for the first 32 groups; later ones are looked up again, in
 * vain). Consumed groups before and after the 32nd, arrays (a group of
 * several fields, consumed as one) and plain states whose signature
 * covers the consumed path: the set answers as its patterns alone do. */
/* An event with up to 16 groups keeps them in the order read (flatten.c),
 * from 17 on they are sorted: around that count, a state on fewer paths
 * than the event has groups finds the one it leads on wherever the event
 * put it, and a repeated path (an array) is still one group. */
START_TEST(set_events_around_few_groups) {
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[128];
  /* k00 gets path id 0: the start state leads on it alone. */
  for (int i = 1; i < 24; i++) {
    snprintf(p, sizeof p, "{\"k00\":[\"x\"],\"k%02d\":[\"y\"]}", i);
    add(s, (uint64_t)i, p);
  }
  add(s, 100, "{\"k00\":[\"x\"],\"k01\":[\"z\"]}");
  for (int n = 12; n <= 20; n++)
    for (int at = 0; at < n; at++)
      for (int array = 0; array < 2; array++) {
        /* Fields k(n-1)..k01 in reverse, with k00 put at place at; with
         * array, k01 is ["z","y"], a repeated path. */
        char ev[1024] = "{", want[256] = "";
        for (int k = n - 1, place = 0; k >= 0; k--, place++) {
          if (place == at) strcat(ev, "\"k00\":\"x\",");
          if (k == 0) continue;
          if (k == 1 && array)
            strcat(ev, "\"k01\":[\"z\",\"y\"],");
          else
            snprintf(ev + strlen(ev), sizeof ev - strlen(ev), "\"k%02d\":\"y\",", k);
        }
        ev[strlen(ev) - 1] = '}';
        for (int k = 1; k < n; k++)
          snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", k > 1 ? "," : "", k);
        if (array) strcat(want, ",100");
        ck_match(s, ev, want);
      }
  aev_pattern_set_free(s);
}
END_TEST

START_TEST(set_skips_consumed_groups) {
  enum { NP = 8 };
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  char p[128];
  for (int i = 0; i < 40; i++) { /* paths k00..k39 get ids 0..39 */
    snprintf(p, sizeof p, "{\"k%02d\":[%d]}", i, 1000 + i);
    add(s, 1000 + (uint64_t)i, p);
  }
  static const char *const pats[NP] = {
      "{\"source\":[\"x\"],\"k05\":[1]}",
      "{\"source\":[\"x\"],\"k35\":[1]}",
      "{\"source\":[\"x\",\"y\"],\"k00\":[1],\"k30\":[1]}",
      "{\"source\":[\"x\"],\"tags\":[\"a\"],\"k36\":[1]}",
      "{\"tags\":[\"a\"],\"k10\":[1]}",
      "{\"tags\":[\"b\"],\"k10\":[1],\"k39\":[{\"exists\":false}]}",
      "{\"source\":[\"y\"],\"tags\":[\"a\",\"b\"]}",
      "{\"l\":{\"m\":[\"a\"],\"n\":[1]}}"};
  aev_pattern *alone[NP];
  for (int i = 0; i < NP; i++) {
    add(s, (uint64_t)i, pats[i]);
    ck_assert_int_eq(aev_pattern_compile(pats[i], strlen(pats[i]), &alone[i]), AEV_OK);
  }
  char all[1024] = "";
  /* Groups 0..39 (no kNN pattern matches 1); source, tags and l.* after. */
  for (int i = 0; i < 40; i++)
    snprintf(all + strlen(all), sizeof all - strlen(all), "\"k%02d\":1,", i);
  static const char *const tails[] = {
      "\"source\":\"x\"",
      "\"source\":[\"x\",\"y\"],\"tags\":[\"a\",\"b\"]",
      "\"source\":[\"y\",\"x\"],\"tags\":[\"b\",\"a\",\"a\"]",
      "\"source\":\"y\",\"tags\":\"b\"",
      "\"l\":[{\"m\":\"a\",\"n\":2},{\"m\":\"b\",\"n\":1},{\"m\":\"a\",\"n\":1}]",
      "\"l\":[{\"m\":\"a\",\"n\":2},{\"m\":\"b\",\"n\":1}]"};
  for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
    for (int many = 0; many < 2; many++) {
      char ev[1200];
      snprintf(ev, sizeof ev, "{%s%s}", many ? all : "\"k05\":1,\"k10\":1,\"k35\":1,",
               tails[t]);
      char want[4096] = "";
      for (int i = 0; i < NP; i++) {
        int m = 0;
        ck_assert_int_eq(aev_pattern_matches(alone[i], ev, strlen(ev), &m), AEV_OK);
        if (m)
          snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", *want ? "," : "", i);
      }
      ck_match(s, ev, want);
    }
  }
  ck_match(s, "{\"source\":\"x\",\"k05\":1,\"k35\":1,\"tags\":[\"a\"],\"k36\":1}",
           "0,1,3");
  for (int i = 0; i < NP; i++) aev_pattern_free(alone[i]);
  aev_pattern_set_free(s);
}
END_TEST

/* Batches of distinct events walked together, against patterns using
 * every operator (value machines, exists:false steps, arrays whose
 * elements must agree, $or, leaf lists past the four slots a result
 * copies at once): each event of a batch must find what each pattern,
 * compiled alone, says of it. */
static const char *const batch_patterns[] = {
    "{\"source\":[\"app\"]}",
    "{\"source\":[\"app\"]}",
    "{\"source\":[\"app\"]}",
    "{\"source\":[\"app\"]}",
    "{\"source\":[\"app\"]}",
    "{\"source\":[\"app\"]}",
    "{\"source\":[{\"prefix\":\"aws.\"}],\"detail\":{\"n\":[{\"numeric\":[\">\",0,\"<=\",9]}]}}",
    "{\"source\":[{\"suffix\":{\"equals-ignore-case\":\".PNG\"}}]}",
    "{\"source\":[{\"equals-ignore-case\":\"APP\"}],\"detail\":{\"color\":[\"red\"]}}",
    "{\"detail\":{\"color\":[{\"anything-but\":[\"red\",\"blue\"]}]}}",
    "{\"detail\":{\"color\":[{\"anything-but\":{\"prefix\":\"bl\"}}],\"n\":[5]}}",
    "{\"detail\":{\"m\":[{\"exists\":false}],\"d\":[true]}}",
    "{\"detail\":{\"m\":[{\"exists\":true}]},\"source\":[\"app\"]}",
    "{\"detail\":{\"ip\":[{\"cidr\":\"10.0.0.0/8\"}]}}",
    "{\"source\":[{\"wildcard\":\"a*p\"}],\"detail\":{\"n\":[1,5]}}",
    "{\"detail\":{\"items\":{\"k\":[\"a\"],\"v\":[1]}}}",
    "{\"detail\":{\"items\":{\"k\":[\"b\"],\"v\":[{\"numeric\":[\">=\",2]}]}}}",
    "{\"$or\":[{\"source\":[\"aws.ec2\"]},{\"detail\":{\"d\":[false],\"n\":[1]}}]}",
    "{\"$or\":[{\"detail\":{\"color\":[\"blue\"]}},{\"detail\":{\"m\":[{\"exists\":false}]}}]}",
};
#define NBP (sizeof batch_patterns / sizeof *batch_patterns)

START_TEST(set_batches_of_operators_match_as_alone) {
  static const char *const sources[] = {"\"app\"", "\"aws.ec2\"", "\"App.png\"", "\"APP\"",
                                        "\"asp\""};
  static const char *const colors[] = {"\"red\"", "\"blue\"", "\"black\"", "\"green\""};
  static const char *const ips[] = {"\"10.1.2.3\"", "\"192.168.0.1\"", "\"10.255.0.0\""};
  static const char *const items[] = {"[]", "[{\"k\":\"a\",\"v\":1}]",
                                      "[{\"k\":\"a\",\"v\":2},{\"k\":\"b\",\"v\":1}]",
                                      "[{\"k\":\"b\",\"v\":3},{\"k\":\"a\",\"v\":1}]"};
  enum { NE = 200 };
  uint64_t rng = 0xba7c4;
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  aev_pattern *alone[NBP];
  for (size_t i = 0; i < NBP; i++) {
    add(s, i, batch_patterns[i]);
    ck_assert_int_eq(aev_pattern_compile(batch_patterns[i], strlen(batch_patterns[i]), &alone[i]),
                     AEV_OK);
  }
  static char events[NE][512], *want[NE];
#define PICK(a) a[diff_next(&rng) % (sizeof a / sizeof *a)]
  for (int e = 0; e < NE; e++) {
    char *ev = events[e];
    int n = snprintf(ev, sizeof events[e], "{\"source\":%s,\"detail\":{\"n\":%d,\"color\":%s,",
                     PICK(sources), (int)(diff_next(&rng) % 12) - 1, PICK(colors));
    if (diff_next(&rng) % 2) n += snprintf(ev + n, sizeof events[e] - (size_t)n, "\"m\":1,");
    snprintf(ev + n, sizeof events[e] - (size_t)n, "\"d\":%s,\"ip\":%s,\"items\":%s}}",
             diff_next(&rng) % 2 ? "true" : "false", PICK(ips), PICK(items));
    char list[256] = "";
    for (size_t i = 0; i < NBP; i++) {
      int m = 0;
      ck_assert_int_eq(aev_pattern_matches(alone[i], ev, strlen(ev), &m), AEV_OK);
      if (m) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%zu", *list ? "," : "", i);
    }
    want[e] = strdup(list);
  }
#undef PICK
  static const size_t sizes[] = {2, 7, 16, 23, 1};
  check_batches(s, events, NE, want, sizes, sizeof sizes / sizeof *sizes);
  int matched = 0;
  for (int e = 0; e < NE; e++) {
    matched += *want[e] != 0;
    free(want[e]);
  }
  ck_assert_int_gt(matched, NE / 2); /* the events do exercise the patterns */
  for (size_t i = 0; i < NBP; i++) aev_pattern_free(alone[i]);
  aev_pattern_set_free(s);
}
END_TEST

static int cmp_id(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Matches that find each id once, or twice (both branches of its $or
 * match), in scrambled order: the ids come back sorted and unique, from a
 * handful up to past the sort's small-count limit. */
#define NCOUNTS 11
START_TEST(set_sorts_and_dedups_many_ids) {
  /* 1 to 140 tags, either side of each size the sort ranks at once (16,
   * 32 and 64 tags). */
  static const size_t counts[NCOUNTS] = {1, 2, 5, 8, 9, 16, 17, 31, 32, 33, 70};
  size_t count = counts[_i % NCOUNTS];
  const int twice = _i >= NCOUNTS;
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  uint64_t ids[70];
  for (size_t i = 0; i < count; i++) {
    /* Small ids, big ones and ids that differ only in high bits. */
    ids[i] = i % 3 == 0 ? (i * 7919) % 1000 : i % 3 == 1 ? UINT64_MAX - i * 13 : (uint64_t)i << 40;
    char p[128];
    if (twice)
      snprintf(p, sizeof p, "{\"$or\":[{\"source\":[\"a\"]},{\"detail\":{\"n%zu\":[5]}}]}", i % 4);
    else
      snprintf(p, sizeof p, "{\"detail\":{\"n%zu\":[5]}}", i % 4);
    add(s, ids[i], p);
  }
  qsort(ids, count, sizeof *ids, cmp_id);
  char want[70 * 24] = "";
  for (size_t i = 0; i < count; i++)
    sprintf(want + strlen(want), "%s%llu", i ? "," : "", (unsigned long long)ids[i]);
  ck_match(s, "{\"source\":\"a\",\"detail\":{\"n0\":5,\"n1\":5,\"n2\":5,\"n3\":5}}", want);
  aev_pattern_set_free(s);
}
END_TEST

/* Many numeric ranges on one field from one state (an interval tree, not a
 * list): every bound form, open and closed, ranges that share bounds,
 * repeats of one range under other ids, two ranges in one condition, and
 * values on and between the bounds, alone and in arrays. Each event's ids
 * must be those whose ranges hold one of its values, worked out here from
 * the ranges themselves. */
typedef struct test_range {
  double lo, hi;
  int lo_open, hi_open, has_lo, has_hi;
} test_range;

static int test_range_holds(const test_range *r, double x) {
  if (r->has_lo && (r->lo_open ? !(x > r->lo) : !(x >= r->lo))) return 0;
  if (r->has_hi && (r->hi_open ? !(x < r->hi) : !(x <= r->hi))) return 0;
  return 1;
}

/* A random range over bounds -10..10 in halves, as a numeric operand list. */
static test_range random_range(uint64_t *rng, char *json, size_t cap) {
  test_range r = {0};
  double a = (double)((int)(diff_next(rng) % 41) - 20) / 2,
         b = a + (double)(1 + (int)(diff_next(rng) % 12)) / 2;
  switch (diff_next(rng) % 5) {
    case 0:
      r = (test_range){a, a, 0, 0, 1, 1};
      snprintf(json, cap, "[\"=\",%g]", a);
      break;
    case 1:
      r = (test_range){a, 0, (int)(diff_next(rng) % 2), 0, 1, 0};
      snprintf(json, cap, "[\"%s\",%g]", r.lo_open ? ">" : ">=", a);
      break;
    case 2:
      r = (test_range){0, b, 0, (int)(diff_next(rng) % 2), 0, 1};
      snprintf(json, cap, "[\"%s\",%g]", r.hi_open ? "<" : "<=", b);
      break;
    default:
      r = (test_range){a, b, (int)(diff_next(rng) % 2), (int)(diff_next(rng) % 2), 1, 1};
      snprintf(json, cap, "[\"%s\",%g,\"%s\",%g]", r.lo_open ? ">" : ">=", a,
               r.hi_open ? "<" : "<=", b);
  }
  return r;
}

START_TEST(set_many_ranges_on_one_field) {
  enum { NP = 400, NE = 300 };
  uint64_t rng = 0x4a11ce;
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  static test_range range[NP][2];
  static char pattern[NP][256];
  for (int i = 0; i < NP; i++) {
    char a[64], b[64];
    if (i % 10 == 9) { /* an earlier pattern again, under another id */
      int j = (int)(diff_next(&rng) % (uint64_t)i);
      memcpy(range[i], range[j], sizeof range[i]);
      memcpy(pattern[i], pattern[j], sizeof pattern[i]);
    } else if (i % 7 == 3) {
      range[i][0] = random_range(&rng, a, sizeof a);
      range[i][1] = random_range(&rng, b, sizeof b);
      snprintf(pattern[i], sizeof pattern[i],
               "{\"source\":[\"s\"],\"detail\":{\"n\":[{\"numeric\":%s},{\"numeric\":%s}]}}", a, b);
    } else {
      range[i][0] = random_range(&rng, a, sizeof a);
      range[i][1] = (test_range){1, 0, 0, 0, 1, 1}; /* holds nothing */
      snprintf(pattern[i], sizeof pattern[i],
               "{\"source\":[\"s\"],\"detail\":{\"n\":[{\"numeric\":%s}]}}", a);
    }
    add(s, (uint64_t)i, pattern[i]);
  }
  add(s, NP, "{\"source\":[\"t\"],\"detail\":{\"n\":[{\"numeric\":[\">\",-100]}]}}");
  static char events[NE][512], *want[NE];
  size_t total = 0;
  for (int e = 0; e < NE; e++) {
    double x[2];
    int nx = 1 + (int)(diff_next(&rng) % 2);
    for (int k = 0; k < nx; k++) x[k] = (double)((int)(diff_next(&rng) % 49) - 24) / 2;
    if (nx == 1)
      snprintf(events[e], sizeof events[e], "{\"source\":\"s\",\"detail\":{\"n\":%g}}", x[0]);
    else
      snprintf(events[e], sizeof events[e], "{\"source\":\"s\",\"detail\":{\"n\":[%g,%g]}}",
               x[0], x[1]);
    char list[4096] = "";
    for (int i = 0; i < NP; i++) {
      int m = 0;
      for (int k = 0; k < nx; k++)
        m |= test_range_holds(&range[i][0], x[k]) || test_range_holds(&range[i][1], x[k]);
      if (m) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", *list ? "," : "", i);
      total += (size_t)m;
    }
    want[e] = strdup(list);
  }
  for (int e = 0; e < NE; e += 37) ck_match(s, events[e], want[e]);
  static const size_t sizes[] = {1, 10, 16, 3};
  check_batches(s, events, NE, want, sizes, sizeof sizes / sizeof *sizes);
  ck_match(s, "{\"source\":\"s\",\"detail\":{\"n\":\"5\"}}", ""); /* a string is no number */
  ck_match(s, "{\"source\":\"t\",\"detail\":{\"n\":0}}", "400");
  for (int e = 0; e < NE; e++) free(want[e]);
  /* Most events find some ranges and most ranges hold some value. */
  ck_assert_uint_gt(total, (size_t)NE * NP / 10);
  ck_assert_uint_lt(total, (size_t)NE * NP * 9 / 10);
  aev_pattern_set_free(s);
}
END_TEST

/* Many wildcards on one field from one state, filed by their literal
 * beginnings: beginnings of every length (none, a star first; longer than
 * the value; an escaped star, where filing stops), stars anywhere. Each
 * event must find what each wildcard, compiled alone, says of it. */
static void random_glob(uint64_t *rng, char *out, int escapes) {
  static const char *const piece[] = {"a", "b", "c", "*", "\\\\*"};
  int n = 1 + (int)(diff_next(rng) % 6), star = 0;
  *out = 0;
  for (int i = 0; i < n; i++) {
    int k = (int)(diff_next(rng) % (escapes ? 5u : 4u));
    if (k == 3 && star) k = 0; /* no consecutive stars */
    star = k == 3;
    strcat(out, piece[k]);
  }
}

START_TEST(set_many_wildcards_on_one_field) {
  enum { NP = 300, NE = 300 };
  uint64_t rng = 0x91b0b;
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  static aev_pattern *alone[NP];
  for (int i = 0; i < NP; i++) {
    char glob[64], p[160];
    random_glob(&rng, glob, 1);
    snprintf(p, sizeof p, "{\"source\":[\"s\"],\"detail\":{\"w\":[{\"wildcard\":\"%s\"}]}}",
             glob);
    ck_assert_msg(aev_pattern_compile(p, strlen(p), &alone[i]) == AEV_OK, "%s: %s", p,
                  aev_errmsg());
    add(s, (uint64_t)i, p);
  }
  static char events[NE][512], *want[NE];
  int found = 0;
  for (int e = 0; e < NE; e++) {
    char a[64], b[64];
    random_glob(&rng, a, 0);
    random_glob(&rng, b, 0);
    if (e % 3)
      snprintf(events[e], sizeof events[e], "{\"source\":\"s\",\"detail\":{\"w\":\"%s\"}}", a);
    else
      snprintf(events[e], sizeof events[e],
               "{\"source\":\"s\",\"detail\":{\"w\":[\"%s\",\"%s\",\"\"]}}", a, b);
    char list[2048] = "";
    for (int i = 0; i < NP; i++) {
      int m = 0;
      ck_assert_int_eq(aev_pattern_matches(alone[i], events[e], strlen(events[e]), &m), AEV_OK);
      if (m) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", *list ? "," : "", i);
    }
    found += *list != 0;
    want[e] = strdup(list);
  }
  for (int e = 0; e < NE; e += 29) ck_match(s, events[e], want[e]);
  static const size_t sizes[] = {1, 10, 16, 3};
  check_batches(s, events, NE, want, sizes, sizeof sizes / sizeof *sizes);
  ck_assert_int_gt(found, NE / 2);
  for (int e = 0; e < NE; e++) free(want[e]);
  for (int i = 0; i < NP; i++) aev_pattern_free(alone[i]);
  aev_pattern_set_free(s);
}
END_TEST

/* Many CIDR blocks on one field from one state, filed by their masked
 * address: IPv4 and IPv6, every kind of mask (none, byte-aligned, not,
 * whole address), blocks inside blocks, the same block under other ids;
 * addresses in and out of them, of the other family, and strings that are
 * no address. Each event's ids must be those whose blocks hold one of its
 * addresses, worked out here bit by bit. */
typedef struct test_block {
  int family, bits;
  unsigned char ip[16];
} test_block;

static int block_holds(const test_block *b, const char *addr) {
  unsigned char ip[16] = {0};
  int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
  if (inet_pton(family, addr, ip) != 1 || (family == AF_INET6 ? 6 : 4) != b->family) return 0;
  for (int i = 0; i < b->bits; i++)
    if ((ip[i / 8] ^ b->ip[i / 8]) >> (7 - i % 8) & 1) return 0;
  return 1;
}

static void random_address(uint64_t *rng, int v6, char *out, size_t cap) {
  if (v6)
    snprintf(out, cap, "2001:db8:%x:%x::%x", (unsigned)(diff_next(rng) % 3),
             (unsigned)(diff_next(rng) % 0x300), (unsigned)(diff_next(rng) % 4));
  else
    snprintf(out, cap, "10.%u.%u.%u", (unsigned)(diff_next(rng) % 3),
             (unsigned)(diff_next(rng) % 40), (unsigned)(diff_next(rng) % 256));
}

START_TEST(set_many_cidr_blocks_on_one_field) {
  enum { NP = 300, NE = 300 };
  static const int bits4[] = {0, 8, 12, 16, 18, 24, 27, 32}, bits6[] = {0, 32, 40, 47, 64, 128};
  uint64_t rng = 0xc1d7;
  aev_pattern_set *s = new_set(AEV_PATTERN_EVENTBRIDGE);
  static test_block block[NP];
  for (int i = 0; i < NP; i++) {
    char addr[64], p[192];
    if (i % 10 == 9) {
      block[i] = block[diff_next(&rng) % (uint64_t)i]; /* the same block, another id */
    } else {
      int v6 = diff_next(&rng) % 3 == 0;
      random_address(&rng, v6, addr, sizeof addr);
      block[i].family = v6 ? 6 : 4;
      block[i].bits = v6 ? bits6[diff_next(&rng) % 6] : bits4[diff_next(&rng) % 8];
      memset(block[i].ip, 0, sizeof block[i].ip);
      ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, addr, block[i].ip), 1);
    }
    char text[64];
    inet_ntop(block[i].family == 6 ? AF_INET6 : AF_INET, block[i].ip, text, sizeof text);
    snprintf(p, sizeof p, "{\"source\":[\"s\"],\"detail\":{\"ip\":[{\"cidr\":\"%s/%d\"}]}}", text,
             block[i].bits);
    add(s, (uint64_t)i, p);
  }
  static char events[NE][512], *want[NE];
  size_t total = 0;
  for (int e = 0; e < NE; e++) {
    char a[64], b[64];
    random_address(&rng, diff_next(&rng) % 3 == 0, a, sizeof a);
    random_address(&rng, diff_next(&rng) % 3 == 0, b, sizeof b);
    if (e % 4 == 3) strcpy(b, "not an address");
    snprintf(events[e], sizeof events[e], "{\"source\":\"s\",\"detail\":{\"ip\":[\"%s\",\"%s\",7]}}",
             a, b);
    char list[4096] = "";
    for (int i = 0; i < NP; i++)
      if (block_holds(&block[i], a) || block_holds(&block[i], b)) {
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", *list ? "," : "", i);
        total++;
      }
    want[e] = strdup(list);
  }
  for (int e = 0; e < NE; e += 31) ck_match(s, events[e], want[e]);
  static const size_t sizes[] = {1, 10, 16, 3};
  check_batches(s, events, NE, want, sizes, sizeof sizes / sizeof *sizes);
  for (int e = 0; e < NE; e++) free(want[e]);
  /* Most events are in some blocks, and most blocks hold few of them. */
  ck_assert_uint_gt(total, (size_t)NE * 2);
  ck_assert_uint_lt(total, (size_t)NE * NP / 2);
  aev_pattern_set_free(s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pattern_set");
  TCase *tc = tcase_create("set");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, set_returns_sorted_unique_ids);
  tcase_add_test(tc, set_leaf_states_change);
  tcase_add_test(tc, set_paths_long_and_alike);
  tcase_add_test(tc, set_leaf_lists_grow_and_change);
  tcase_add_test(tc, set_plain_states_change_and_filter_grows);
  tcase_add_test(tc, set_many_matches_and_fields);
  tcase_add_test(tc, set_absent_steps_on_many_states);
  tcase_add_test(tc, set_replace_and_remove);
  tcase_add_test(tc, set_ids_in_and_out_of_the_automaton);
  tcase_add_test(tc, set_plain_state_signatures);
  tcase_add_test(tc, set_rebuilds_after_many_removals);
  tcase_add_test(tc, set_ids_across_growth);
  tcase_add_test(tc, set_bad_arguments);
  tcase_add_test(tc, set_batch_errors);
  tcase_add_test(tc, set_concurrent_readers_and_writer);
  tcase_add_loop_test(tc, set_matches_as_patterns_alone, 0, 2);
  tcase_add_test(tc, set_batches_of_operators_match_as_alone);
  tcase_add_test(tc, set_many_ranges_on_one_field);
  tcase_add_test(tc, set_many_wildcards_on_one_field);
  tcase_add_test(tc, set_many_cidr_blocks_on_one_field);
  tcase_add_test(tc, set_more_than_64_groups);
  tcase_add_test(tc, set_skips_consumed_groups);
  tcase_add_test(tc, set_events_around_few_groups);
  tcase_add_loop_test(tc, set_sorts_and_dedups_many_ids, 0, 2 * NCOUNTS);
  suite_add_tcase(s, tc);
  TCase *sns = tcase_create("sns");
  tcase_add_test(sns, sns_message_attributes);
  tcase_add_test(sns, sns_message_body);
  tcase_add_test(sns, set_batch_sns_profiles);
  tcase_add_test(sns, sns_limits_and_errors);
  tcase_add_test(sns, sns_nested_body_limits);
  tcase_add_test(sns, sns_operator_subset);
  tcase_add_test(sns, sns_typed_attributes);
  suite_add_tcase(s, sns);
  return aev_test_run(s);
}
