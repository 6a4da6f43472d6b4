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
 * created hands back its ARN (some allocations may fail without failing
 * the call: then it is deleted again, to fail the next one). */
START_TEST(create_archive_whole_or_not_at_all) {
  aev_broker *b = bt_broker();
  aev_bus *def;
  bt_ok(aev_bus_get(b, "default", &def));
  int reached = 1, failures = 0;
  for (long k = 0; reached; k++) {
    char *arn = NULL;
    nomem_arm(k);
    int rc = aev_bus_create_archive(def, "a", "{\"source\":[\"shop\"]}", 0, NULL, &arn);
    reached = nomem_disarm();
    if (rc == AEV_OK) {
      ck_assert_ptr_nonnull(arn);
      ck_assert(strstr(arn, ":archive/a") != NULL);
      aev_free(arn);
      ck_assert_msg(archive_exists(b, "a"), "allocation %ld failed: archive missing", k);
      bt_ok(aev_bus_delete_archive(b, "a"));
    } else {
      ck_assert_msg(rc == AEV_ERR_NOMEM, "allocation %ld: %d %s", k, rc, aev_errmsg());
      ck_assert_ptr_null(arn);
      ck_assert_msg(!archive_exists(b, "a"), "allocation %ld failed: archive stored", k);
      failures++;
    }
  }
  ck_assert_int_gt(failures, 0);
  aev_bus_release(def);
  aev_broker_destroy(b);
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
  aev_broker *b = bt_broker();
  aev_bus *def;
  bt_ok(aev_bus_get(b, "default", &def));
  const char *a = "{\"source\":[\"a\"]}", *x = "{\"source\":[\"x\",{\"prefix\":\"y\"}]}";
  char was[256], now[256], want[256];
  for (int change = 0; change < 2; change++) {
    const char *name = change ? "keep" : "new";
    int reached = 1, failures = 0;
    snprintf(want, sizeof want, "%s|%s|%s", x, change ? "DISABLED" : "ENABLED",
             change ? "rate(5 minutes)" : "");
    for (long k = 0; reached; k++) {
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
        bt_ok(aev_bus_delete_rule(def, name, 1));
      }
    }
    ck_assert_int_gt(failures, 0);
  }
  aev_bus_release(def);
  aev_broker_destroy(b);
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
  tcase_add_test(tc, create_archive_whole_or_not_at_all);
  tcase_add_test(tc, put_rule_whole_or_not_at_all);
  tcase_add_test(tc, pattern_set_add_whole_or_not_at_all);
  tcase_add_test(tc, pattern_set_match_batch_all_or_nothing);
  suite_add_tcase(s, tc);
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
