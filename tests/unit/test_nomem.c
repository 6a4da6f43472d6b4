/* Bus and pattern calls that fail for want of memory (nomem.h): each
 * allocation of the call fails in turn, and the call must then answer
 * AEV_ERR_NOMEM and leave what was stored as it was, or succeed whole. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_support.h"
#include "nomem.h"

static int archive_exists(aev_broker *b, const char *name) {
  char *text = NULL;
  int rc = aev_bus_describe_archive(b, name, &text);
  aev_free(text);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "describe: %d %s", rc, aev_errmsg());
  return rc == AEV_OK;
}

/* CreateArchive (with a pattern, which goes into the bus's pattern set):
 * an archive that answers out-of-memory was not created; one that is
 * created hands back its ARN. A fresh broker each time, so that a table
 * one attempt grew cannot spare the next one an allocation. */
START_TEST(create_archive_whole_or_not_at_all) {
  int reached = 1, failures = 0;
  for (long k = 0; reached; k++) {
    aev_broker *b = bt_broker();
    aev_bus *def;
    bt_ok(aev_bus_get(b, "default", &def));
    char *arn = NULL;
    nomem_arm(k);
    int rc = aev_bus_create_archive(def, "a", "{\"source\":[\"shop\"]}", 0, NULL, &arn);
    reached = nomem_disarm();
    if (rc == AEV_OK) {
      ck_assert_ptr_nonnull(arn);
      ck_assert(strstr(arn, ":archive/a") != NULL);
      aev_free(arn);
      ck_assert_msg(archive_exists(b, "a"), "allocation %ld failed: archive missing", k);
    } else {
      ck_assert_msg(rc == AEV_ERR_NOMEM, "allocation %ld: %d %s", k, rc, aev_errmsg());
      ck_assert_ptr_null(arn);
      ck_assert_msg(!archive_exists(b, "a"), "allocation %ld failed: archive stored", k);
      failures++;
    }
    aev_bus_release(def);
    aev_broker_destroy(b);
  }
  ck_assert_int_gt(failures, 0);
}
END_TEST

/* A rule's DescribeRule answer as "pattern|state|schedule", or "" when
 * there is no such rule. */
static void rule_as(aev_bus *bus, const char *name, char *out, size_t cap) {
  char *text = NULL;
  int rc = aev_bus_describe_rule(bus, name, &text);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "describe: %d %s", rc, aev_errmsg());
  *out = 0;
  if (rc == AEV_OK) {
    json_t *j = json_loads(text, 0, NULL);
    const char *p = json_string_value(json_object_get(j, "EventPattern")),
               *st = json_string_value(json_object_get(j, "State")),
               *sc = json_string_value(json_object_get(j, "ScheduleExpression"));
    snprintf(out, cap, "%s|%s|%s", p ? p : "", st ? st : "", sc ? sc : "");
    json_decref(j);
  }
  aev_free(text);
}

/* PutRule, creating a rule and changing one (pattern, state and a
 * schedule): out of memory, the rule is as it was (or absent); else it
 * is as put and the caller has its ARN. */
START_TEST(put_rule_whole_or_not_at_all) {
  const char *a = "{\"source\":[\"a\"]}", *x = "{\"source\":[\"x\",{\"prefix\":\"y\"}]}";
  char was[256], now[256], want[256];
  for (int change = 0; change < 2; change++) {
    const char *name = change ? "keep" : "new";
    int reached = 1, failures = 0;
    snprintf(want, sizeof want, "%s|%s|%s", x, change ? "DISABLED" : "ENABLED",
             change ? "rate(5 minutes)" : "");
    for (long k = 0; reached; k++) { /* a fresh broker each time, as above */
      aev_broker *b = bt_broker();
      aev_bus *def;
      bt_ok(aev_bus_get(b, "default", &def));
      if (change) bt_ok(aev_bus_put_rule(def, name, a, NULL, 1, NULL));
      rule_as(def, name, was, sizeof was);
      char *arn = NULL;
      nomem_arm(k);
      int rc = aev_bus_put_rule(def, name, x, change ? "rate(5 minutes)" : NULL, !change, &arn);
      reached = nomem_disarm();
      rule_as(def, name, now, sizeof now);
      if (rc) {
        ck_assert_msg(rc == AEV_ERR_NOMEM, "allocation %ld: %d %s", k, rc, aev_errmsg());
        ck_assert_ptr_null(arn);
        ck_assert_msg(!strcmp(now, was), "allocation %ld failed: %s became %s", k, was, now);
        failures++;
      } else {
        ck_assert_ptr_nonnull(arn);
        aev_free(arn);
        ck_assert_msg(!strcmp(now, want), "allocation %ld: %s, want %s", k, now, want);
      }
      aev_bus_release(def);
      aev_broker_destroy(b);
    }
    ck_assert_int_gt(failures, 0);
  }
}
END_TEST

/* ---- bus calls against a small world: one rule with a queue target, an
 * archive of every event, a replay of it ---- */

typedef struct world {
  aev_broker *b;
  aev_bus *def;
  aev_queue *q;
} world;

static void world_new(world *w) {
  w->b = bt_broker();
  bt_ok(aev_bus_get(w->b, "default", &w->def));
  w->q = bt_queue(w->b, "q", NULL);
  bt_rule(w->def, "r", "shop", bt_queue_target(w->q, "t1", NULL));
  bt_ok(aev_bus_create_archive(w->def, "arc", NULL, 0, NULL, NULL));
  bt_put(w->def, "shop", "{\"n\":1}");
  bt_ok(aev_broker_advance(w->b, 60000));
}

static void world_free(world *w) {
  aev_queue_release(w->q);
  aev_bus_release(w->def);
  aev_broker_destroy(w->b);
}

/* What the world's API answers: buses, rules, targets, archives, replays
 * and the queue's message count, in one text. */
static char *snapshot(world *w) {
  static const char *const calls[][3] = {
      {"events", "ListEventBuses", "{}"},
      {"events", "ListRules", "{}"},
      {"events", "ListTargetsByRule", "{\"Rule\":\"r\"}"},
      {"events", "ListArchives", "{}"},
      {"events", "ListReplays", "{}"},
      {"sqs", "GetQueueAttributes",
       "{\"QueueUrl\":\"q\",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}"}};
  size_t cap = 1 << 16, len = 0;
  char *all = calloc(1, cap);
  for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
    char *out = NULL;
    int rc = aev_call(w->b, calls[i][0], calls[i][1], calls[i][2], &out);
    len += (size_t)snprintf(all + len, cap - len, "%s %d %s\n", calls[i][1], rc, out ? out : "");
    aev_free(out);
  }
  return all;
}

/* Sweeps one call over a fresh world each time: out of memory, the world
 * must answer as before; else, an hour on, as after a successful call. allocates: the
 * call allocates something whose failure fails it (else its allocations,
 * if any, are only jansson's, which are not wrapped, or tolerated). */
static void sweep_world(const char *what, int (*call)(world *), int allocates) {
  char *want = NULL;
  int reached = 1, failures = 0;
  for (long k = -1; reached; k++) {
    world w;
    world_new(&w);
    char *before = snapshot(&w);
    if (k >= 0) nomem_arm(k);
    int rc = call(&w);
    reached = k < 0 || nomem_disarm();
    /* A target that failed for want of memory gets the event on a retry. */
    bt_ok(aev_broker_advance(w.b, 3600000));
    char *after = snapshot(&w);
    if (k < 0) { /* the reference run, no allocation failing */
      ck_assert_msg(rc == AEV_OK, "%s: %s", what, aev_errmsg());
      ck_assert_msg(strcmp(before, after), "%s changed nothing", what);
      want = after;
      after = NULL;
    } else if (rc) {
      ck_assert_msg(rc == AEV_ERR_NOMEM, "%s, allocation %ld: %d %s", what, k, rc, aev_errmsg());
      ck_assert_msg(!strcmp(after, before), "%s failed at allocation %ld but changed\n%s\ninto\n%s",
                    what, k, before, after);
      failures++;
    } else {
      ck_assert_msg(!strcmp(after, want), "%s, allocation %ld failed: \n%s\nwant\n%s", what, k,
                    after, want);
    }
    free(before);
    free(after);
    world_free(&w);
  }
  free(want);
  ck_assert_msg(!allocates || failures > 0, "%s: no allocation failed the call", what);
}

static int call_create_bus(world *w) {
  aev_bus *bus = NULL;
  int rc = aev_bus_create(w->b, "second", &bus);
  aev_bus_release(bus);
  return rc;
}

static int call_put_targets(world *w) {
  char *failed = NULL;
  int rc = aev_bus_put_targets(w->def, "r", bt_queue_target(w->q, "t2", "\"Input\":\"{}\""),
                               &failed);
  aev_free(failed);
  return rc;
}

static int call_remove_targets(world *w) {
  char *failed = NULL;
  int rc = aev_bus_remove_targets(w->def, "r", "[\"t1\"]", &failed);
  aev_free(failed);
  return rc;
}

static int call_disable_rule(world *w) { return aev_bus_enable_rule(w->def, "r", 0); }

/* PutEvents answers an entry it could not take with that entry's error
 * (AWS's InternalFailure), not with a failed call: that entry must have
 * gone nowhere. */
static int call_put_events(world *w) {
  char *result = NULL;
  int rc = aev_bus_put_events(w->b,
                              "[{\"Source\":\"shop\",\"DetailType\":\"t\",\"Detail\":\"{}\"}]",
                              &result);
  if (rc == AEV_OK) {
    json_t *j = json_loads(result, 0, NULL);
    const char *code = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "Entries"), 0), "ErrorCode"));
    if (code) {
      ck_assert_str_eq(code, "InternalFailure");
      ck_assert_int_eq(json_integer_value(json_object_get(j, "FailedEntryCount")), 1);
      rc = AEV_ERR_NOMEM;
    }
    json_decref(j);
  }
  aev_free(result);
  return rc;
}

static int call_update_archive(world *w) {
  return aev_bus_update_archive(w->b, "arc", "{\"source\":[\"shop\"]}", 7, "kept");
}

static int call_start_replay(world *w) {
  char req[512], *out = NULL;
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"rp\",\"EventSourceArn\":\"%s\",\"EventStartTime\":0,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           "arn:aws:events:us-east-1:123456789012:archive/arc",
           (long long)(aev_broker_now_ms(w->b) / 1000), aev_bus_arn(w->def));
  int rc = aev_bus_start_replay(w->b, req, &out);
  aev_free(out);
  return rc;
}

static int call_put_event(world *w) {
  char id[37];
  return aev_bus_put_event(w->def, "shop", "t", "{\"n\":2}", 7, id);
}

static int call_delete_rule(world *w) { return aev_bus_delete_rule(w->def, "r", 1); }

static int call_delete_archive(world *w) { return aev_bus_delete_archive(w->b, "arc"); }

static int call_put_rule_api(world *w) {
  char *out = NULL;
  int rc = aev_call(w->b, "events", "PutRule",
                    "{\"Name\":\"r2\",\"EventPattern\":\"{\\\"source\\\":[\\\"shop\\\"]}\","
                    "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
                    &out);
  aev_free(out);
  return rc;
}

static const struct {
  const char *what;
  int (*call)(world *);
  int allocates;
} bus_calls[] = {
    {"CreateEventBus", call_create_bus, 1},   {"PutTargets", call_put_targets, 1},
    {"RemoveTargets", call_remove_targets, 0}, {"DisableRule", call_disable_rule, 0},
    {"PutEvents", call_put_events, 1},        {"UpdateArchive", call_update_archive, 1},
    {"StartReplay", call_start_replay, 1},    {"PutEvent (typed)", call_put_event, 1},
    {"DeleteRule", call_delete_rule, 0},       {"DeleteArchive", call_delete_archive, 0},
    {"PutRule (API)", call_put_rule_api, 1}};
#define N_BUS_CALLS (int)(sizeof bus_calls / sizeof *bus_calls)

START_TEST(bus_calls_whole_or_not_at_all) {
  sweep_world(bus_calls[_i].what, bus_calls[_i].call, bus_calls[_i].allocates);
}
END_TEST

/* The ids a set matches for event, as a bit mask of ids below 64. */
static uint64_t matched(aev_pattern_set *s, const char *event) {
  uint64_t *ids, mask = 0;
  size_t n;
  bt_ok(aev_pattern_set_match(s, event, strlen(event), &ids, &n));
  for (size_t i = 0; i < n; i++) mask |= 1ull << ids[i];
  aev_free(ids);
  return mask;
}

/* aev_pattern_set_add: on failure the set is unchanged (its count and
 * what it matches), on success the pattern is in. Among the patterns
 * already in the set: exact values, a prefix and a numeric range, so that
 * adding reaches the automaton's every kind of table. */
START_TEST(pattern_set_add_whole_or_not_at_all) {
  static const char *const before[] = {
      "{\"source\":[\"a\"],\"detail\":{\"n\":[1,2]}}",
      "{\"source\":[{\"prefix\":\"b\"}]}",
      "{\"detail\":{\"n\":[{\"numeric\":[\">\",5]}]}}"};
  static const char *const events[] = {"{\"source\":\"a\",\"detail\":{\"n\":2}}",
                                       "{\"source\":\"bb\",\"detail\":{\"n\":9}}",
                                       "{\"source\":\"c\",\"detail\":{\"n\":3,\"m\":\"x\"}}"};
  const char *added = "{\"source\":[\"c\"],\"detail\":{\"m\":[{\"prefix\":\"x\"}]}}";
  int reached = 1, failures = 0;
  for (long k = 0; reached; k++) {
    aev_pattern_set *s;
    bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &s));
    for (int i = 0; i < 3; i++) bt_ok(aev_pattern_set_add(s, (uint64_t)i, before[i], strlen(before[i])));
    uint64_t was[3];
    for (int e = 0; e < 3; e++) was[e] = matched(s, events[e]);
    nomem_arm(k);
    int rc = aev_pattern_set_add(s, 9, added, strlen(added));
    reached = nomem_disarm();
    if (rc) {
      ck_assert_msg(rc == AEV_ERR_NOMEM, "allocation %ld: %d %s", k, rc, aev_errmsg());
      ck_assert_uint_eq(aev_pattern_set_count(s), 3);
      failures++;
    } else {
      ck_assert_uint_eq(aev_pattern_set_count(s), 4);
    }
    for (int e = 0; e < 3; e++)
      ck_assert_msg(matched(s, events[e]) == (was[e] | (!rc && e == 2 ? 1ull << 9 : 0)),
                    "allocation %ld (rc %d): event %d", k, rc, e);
    aev_pattern_set_free(s);
  }
  ck_assert_int_gt(failures, 0);
}
END_TEST

/* aev_pattern_set_remove cannot fail; the removal that makes removed
 * patterns outnumber live ones rebuilds the automaton, and a rebuild that
 * runs out of memory keeps the old one: the set still answers right. */
START_TEST(pattern_set_remove_rebuilds_or_not) {
  int reached = 1;
  long k = 0;
  for (; reached; k++) {
    aev_pattern_set *s;
    bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &s));
    char p[64];
    for (int i = 0; i < 200; i++) {
      snprintf(p, sizeof p, "{\"n\":[%d]}", i);
      bt_ok(aev_pattern_set_add(s, (uint64_t)i, p, strlen(p)));
    }
    for (int i = 0; i < 132; i++) bt_ok(aev_pattern_set_remove(s, (uint64_t)i));
    nomem_arm(k);
    int rc = aev_pattern_set_remove(s, 132); /* the 133rd: 133 > 67 + 64 */
    reached = nomem_disarm();
    ck_assert_int_eq(rc, AEV_OK);
    ck_assert_uint_eq(aev_pattern_set_count(s), 67);
    ck_assert_uint_eq(matched(s, "{\"n\":132}"), 0);
    ck_assert_uint_eq(matched(s, "{\"n\":[5,40,63]}"), 0);
    uint64_t *ids;
    size_t n;
    const char *later = "{\"n\":[5,150,199]}";
    bt_ok(aev_pattern_set_match(s, later, strlen(later), &ids, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ids[0], 150);
    ck_assert_uint_eq(ids[1], 199);
    aev_free(ids);
    bt_ok(aev_pattern_set_add(s, 5, "{\"n\":[5]}", 9));
    ck_assert_uint_eq(matched(s, "{\"n\":5}"), 1ull << 5);
    aev_pattern_set_free(s);
  }
  ck_assert_int_gt(k, 10); /* the rebuild allocates; removing alone does not */
}
END_TEST

/* aev_pattern_set_match_batch: out of memory, no event of the batch gets
 * ids (and nothing leaks: the sanitizer builds run this suite). */
START_TEST(pattern_set_match_batch_all_or_nothing) {
  aev_pattern_set *s;
  bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &s));
  for (int i = 0; i < 40; i++) {
    char p[64];
    snprintf(p, sizeof p, "{\"n\":[%d],\"s\":[{\"prefix\":\"x\"}]}", i % 20);
    bt_ok(aev_pattern_set_add(s, (uint64_t)i, p, strlen(p)));
  }
  const char *ev[20];
  size_t lens[20], n[20];
  uint64_t *ids[20];
  char text[20][64];
  for (int i = 0; i < 20; i++) {
    snprintf(text[i], sizeof text[i], "{\"n\":[%d,%d],\"s\":\"xy\"}", i, (i + 1) % 20);
    ev[i] = text[i];
    lens[i] = strlen(ev[i]);
  }
  int reached = 1, failures = 0;
  for (long k = 0; reached; k++) {
    nomem_arm(k);
    int rc = aev_pattern_set_match_batch(s, ev, lens, 20, ids, n);
    reached = nomem_disarm();
    for (int i = 0; i < 20; i++) {
      if (rc) {
        ck_assert_int_eq(rc, AEV_ERR_NOMEM);
        ck_assert_ptr_null(ids[i]);
        ck_assert_uint_eq(n[i], 0);
      } else {
        ck_assert_uint_eq(n[i], 4);
        aev_free(ids[i]);
      }
    }
    failures += rc != AEV_OK;
  }
  ck_assert_int_gt(failures, 0);
  aev_pattern_set_free(s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem");
  TCase *tc = tcase_create("nomem");
  /* A sweep makes a call once per allocation it makes, each on a fresh
   * world: seconds, and a minute under the sanitizers. */
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, create_archive_whole_or_not_at_all);
  tcase_add_test(tc, put_rule_whole_or_not_at_all);
  tcase_add_loop_test(tc, bus_calls_whole_or_not_at_all, 0, N_BUS_CALLS);
  tcase_add_test(tc, pattern_set_add_whole_or_not_at_all);
  tcase_add_test(tc, pattern_set_remove_rebuilds_or_not);
  tcase_add_test(tc, pattern_set_match_batch_all_or_nothing);
  suite_add_tcase(s, tc);
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
