/* Soak (run under ThreadSanitizer in CI): a pattern set churns through many
 * rounds of adding and removing hundreds of patterns of every kind while a
 * reader thread matches events against it. The standing patterns always
 * match, the churned ones match while present, nothing is left behind: the
 * set's own accounting and (outside sanitizer builds, whose allocators keep
 * freed memory) the process's resident memory stay flat from round to
 * round. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/pattern.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define STANDING 10
#define PER_ROUND 400
#define WARM 5

static aev_pattern_set *set;
static atomic_int done, reader_errors, reader_matches;

static size_t rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * 4096;
}

/* The standing pattern i matches {"k": "base<i>"}. */
static void *reader(void *arg) {
  (void)arg;
  char ev[64];
  for (unsigned i = 0; !atomic_load(&done); i++) {
    snprintf(ev, sizeof ev, "{\"k\":\"base%u\",\"n\":%u}", i % STANDING, i % 1000);
    uint64_t *ids = NULL;
    size_t n = 0, len = strlen(ev);
    /* Every other event is matched in a batch, as the only one: the end of
     * its ids in the batch's array is their count. */
    const char *evs[1] = {ev};
    int rc = i % 2 ? aev_pattern_set_match_batch(set, evs, &len, 1, &ids, &n)
                   : aev_pattern_set_match(set, ev, len, &ids, &n);
    if (rc != AEV_OK || n < 1 || ids[0] != i % STANDING)
      atomic_fetch_add(&reader_errors, 1);
    atomic_fetch_add(&reader_matches, 1);
    aev_free(ids);
  }
  return NULL;
}

/* Pattern j of a round, in one of six forms, and an event it matches;
 * fixed-width values, so every round's patterns take the same memory. */
static void churn_pattern(unsigned round, unsigned j, char *p, size_t cap, char *ev,
                          size_t ecap) {
  unsigned v = round * PER_ROUND + j;
  switch (j % 6) {
    case 0:
      snprintf(p, cap, "{\"c\":[\"v%06u\"],\"d\":{\"e\":[%u]}}", v, j);
      snprintf(ev, ecap, "{\"c\":\"v%06u\",\"d\":{\"e\":%u}}", v, j);
      break;
    case 1:
      snprintf(p, cap, "{\"c\":[{\"prefix\":\"p%06u-\"}]}", v);
      snprintf(ev, ecap, "{\"c\":\"p%06u-x\"}", v);
      break;
    case 2:
      snprintf(p, cap, "{\"w\":[\"%06u\"],\"n\":[{\"numeric\":[\">\",%u,\"<=\",%u]}]}", v, j, j + 5);
      snprintf(ev, ecap, "{\"w\":\"%06u\",\"n\":%u}", v, j + 1);
      break;
    case 3:
      snprintf(p, cap, "{\"w\":[\"%06u\"],\"c\":[{\"anything-but\":[\"a\",\"b\"]}]}", v);
      snprintf(ev, ecap, "{\"w\":\"%06u\",\"c\":\"z\"}", v);
      break;
    case 4:
      snprintf(p, cap, "{\"c\":[{\"wildcard\":\"w%06u*x*\"}]}", v);
      snprintf(ev, ecap, "{\"c\":\"w%06u-x-\"}", v);
      break;
    default:
      snprintf(p, cap, "{\"$or\":[{\"c\":[\"o%06u\"]},{\"d\":{\"f\":[{\"exists\":true}]},\"w\":[\"%06u\"]}]}",
               v, v);
      snprintf(ev, ecap, "{\"d\":{\"f\":null},\"w\":\"%06u\"}", v);
  }
}

START_TEST(add_remove_rounds_stay_flat) {
  const int rounds = getenv("CI") ? 25 : 150;
  ck_assert_int_eq(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &set), AEV_OK);
  char p[256], ev[128];
  for (unsigned i = 0; i < STANDING; i++) {
    snprintf(p, sizeof p, "{\"k\":[\"base%u\"]}", i);
    ck_assert_int_eq(aev_pattern_set_add(set, i, p, strlen(p)), AEV_OK);
  }
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, reader, NULL), 0);
  size_t mem_warm = 0, rss_warm = 0, mem_max = 0;
  for (int r = 0; r < rounds; r++) {
    for (unsigned j = 0; j < PER_ROUND; j++) {
      churn_pattern((unsigned)r, j, p, sizeof p, ev, sizeof ev);
      uint64_t id = 1000 + (uint64_t)r * PER_ROUND + j;
      ck_assert_msg(aev_pattern_set_add(set, id, p, strlen(p)) == AEV_OK, "%s: %s", p,
                    aev_errmsg());
    }
    for (unsigned j = 0; j < PER_ROUND; j += 37) { /* a sample matches while present */
      churn_pattern((unsigned)r, j, p, sizeof p, ev, sizeof ev);
      uint64_t *ids = NULL;
      size_t n = 0;
      ck_assert_int_eq(aev_pattern_set_match(set, ev, strlen(ev), &ids, &n), AEV_OK);
      int found = 0;
      for (size_t k = 0; k < n; k++) found |= ids[k] == 1000 + (uint64_t)r * PER_ROUND + j;
      ck_assert_msg(found, "round %d: %s does not match %s", r, p, ev);
      aev_free(ids);
    }
    for (unsigned j = 0; j < PER_ROUND; j++)
      ck_assert_int_eq(aev_pattern_set_remove(set, 1000 + (uint64_t)r * PER_ROUND + j), AEV_OK);
    ck_assert_uint_eq(aev_pattern_set_count(set), STANDING);
    size_t mem = aev_pattern_set_memory(set);
    if (r < WARM) {
      if (mem > mem_warm) mem_warm = mem;
      rss_warm = rss_bytes();
    } else if (mem > mem_max) {
      mem_max = mem;
    }
  }
  atomic_store(&done, 1);
  pthread_join(th, NULL);
  ck_assert_int_eq(atomic_load(&reader_errors), 0);
  ck_assert_int_gt(atomic_load(&reader_matches), 0);
  /* Removed patterns leave nothing behind in the set ... */
  ck_assert_msg(mem_max <= mem_warm, "set memory grew: %zu after warm-up, %zu later",
                mem_warm, mem_max);
  /* ... nor in the process. */
  size_t rss = rss_bytes();
  if (!SANITIZED)
    ck_assert_msg(rss <= rss_warm + (8u << 20), "RSS grew from %zu to %zu bytes", rss_warm,
                  rss);
  aev_pattern_set_free(set);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_pattern");
  TCase *tc = tcase_create("soak");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, add_remove_rounds_stay_flat);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
