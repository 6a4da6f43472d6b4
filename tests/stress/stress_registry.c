/* Stress (run under ThreadSanitizer in CI): four threads add, find (by name,
 * ARN and queue URL), remove and list resources from a small shared pool of
 * names; afterwards every resource was destroyed exactly once and every one
 * that was registered was shut down exactly once. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/broker.h"
#include "core/ids.h"
#include "core/registry.h"

#define THREADS 4
#define OPS 20000
#define NAMES 32

static atomic_int created, added, shutdowns, destroys;

typedef struct thing {
  aev__resource hdr;
  atomic_int shut; /* shutdown calls on this resource */
} thing;

static void thing_destroy(aev__resource *r) {
  thing *t = (thing *)r;
  ck_assert_int_le(atomic_load(&t->shut), 1);
  atomic_fetch_add(&destroys, 1);
  free(t);
}

static void thing_shutdown(aev__resource *r) {
  atomic_fetch_add(&((thing *)r)->shut, 1);
  atomic_fetch_add(&shutdowns, 1);
}

typedef struct worker {
  aev_broker *b;
  uint64_t seed;
} worker;

static void add_one(aev_broker *b, aev__kind kind, const char *name) {
  thing *t = calloc(1, sizeof *t);
  ck_assert_ptr_nonnull(t);
  ck_assert_int_eq(
      aev__resource_init(&t->hdr, b, kind, name, thing_destroy, thing_shutdown),
      AEV_OK);
  atomic_fetch_add(&created, 1);
  aev__resource *existing = NULL;
  int rc = aev__registry_add(b, &t->hdr, &existing);
  if (rc == AEV_OK) {
    atomic_fetch_add(&added, 1);
  } else {
    ck_assert_int_eq(rc, AEV_ERR_EXISTS);
    ck_assert_str_eq(existing->name, name);
    aev__resource_unref(existing);
  }
  aev__resource_unref(&t->hdr);
}

static void *work(void *arg) {
  worker *w = arg;
  aev__rng rng;
  aev__rng_seed(&rng, w->seed);
  char name[32], key[160];
  for (int i = 0; i < OPS; i++) {
    aev__kind kind = aev__rng_below(&rng, 2) ? AEV__KIND_QUEUE : AEV__KIND_BUS;
    snprintf(name, sizeof name, "n%02d", (int)aev__rng_below(&rng, NAMES));
    switch (aev__rng_below(&rng, 5)) {
      case 0:
        add_one(w->b, kind, name);
        break;
      case 1: { /* find by name, then by its ARN (and URL for queues) */
        aev__resource *r = aev__registry_find(w->b, kind, name);
        if (!r) break;
        ck_assert_str_eq(r->name, name);
        snprintf(key, sizeof key, "%s", r->arn);
        aev__resource *again = aev__registry_find(w->b, kind, key);
        ck_assert(again == NULL || again->kind == kind);
        aev__resource_unref(again);
        if (kind == AEV__KIND_QUEUE) {
          char *url = aev__queue_url(w->b, name);
          aev__resource_unref(aev__registry_find(w->b, kind, url));
          free(url);
        }
        aev__resource_unref(r);
        break;
      }
      case 2:
      case 3: { /* remove whatever is there now; racing removers may lose */
        aev__resource *r = aev__registry_find(w->b, kind, name);
        if (!r) break;
        int rc = aev__registry_remove(w->b, r);
        ck_assert(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND);
        ck_assert_int_eq(r->deleted, 1);
        aev__resource_unref(r);
        break;
      }
      default: {
        aev__resource **list;
        size_t n;
        ck_assert_int_eq(aev__registry_list(w->b, kind, "n1", &list, &n),
                         AEV_OK);
        for (size_t k = 1; k < n; k++)
          ck_assert_int_lt(strcmp(list[k - 1]->name, list[k]->name), 0);
        aev__registry_list_free(list, n);
      }
    }
  }
  return NULL;
}

START_TEST(add_find_remove_list_race) {
  aev_broker_options *o;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_workers(o, 0), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);

  pthread_t th[THREADS];
  worker w[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){b, 1000 + (uint64_t)i};
    ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
  }
  for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
  ck_assert_int_gt(atomic_load(&added), NAMES);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(atomic_load(&destroys), atomic_load(&created));
  ck_assert_int_eq(atomic_load(&shutdowns), atomic_load(&added));
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_registry");
  TCase *tc = tcase_create("race");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, add_find_remove_list_race);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
