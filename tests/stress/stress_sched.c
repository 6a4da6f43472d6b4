/* Stress (run under ThreadSanitizer in CI): producers on several threads
 * post plain tasks, strand items and short timers to a real-mode scheduler
 * with workers, while another thread cancels timers; every task runs
 * exactly once and each lane keeps its order. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "aevtest.h"
#include "awsevents/broker.h"
#include "core/clock.h"
#include "core/sched.h"

#define PRODUCERS 4
#define PER_PRODUCER 20000
#define LANES 4
#define TIMERS 512

typedef struct lane {
  aev__strand *strand;
  int last[PRODUCERS]; /* touched only by the lane's own items */
  int disorder;
} lane;

typedef struct item {
  lane *lane;
  int producer;
  int seq;
} item;

static aev__clock clock_;
static aev__sched *sched;
static lane lanes[LANES];
static atomic_int plain_ran, lane_ran, timer_fired;
static aev__timer timers[PRODUCERS][TIMERS];

static void plain_task(void *arg, int cancelled) {
  (void)arg;
  if (!cancelled) atomic_fetch_add(&plain_ran, 1);
}

static void lane_task(void *arg, int cancelled) {
  item *it = arg;
  if (!cancelled) {
    if (it->lane->last[it->producer] >= it->seq) it->lane->disorder++;
    it->lane->last[it->producer] = it->seq;
    atomic_fetch_add(&lane_ran, 1);
  }
  free(it);
}

static void timer_task(void *arg, int cancelled) {
  (void)arg;
  if (!cancelled) atomic_fetch_add(&timer_fired, 1);
}

static void *producer(void *arg) {
  int p = (int)(intptr_t)arg;
  unsigned seed = (unsigned)p * 7919u + 1;
  for (int i = 0; i < PER_PRODUCER; i++) {
    if (i % 2) {
      aev__sched_post(sched, NULL, plain_task, NULL);
    } else {
      item *it = malloc(sizeof *it);
      *it = (item){&lanes[rand_r(&seed) % LANES], p, i};
      aev__sched_post(sched, it->lane->strand, lane_task, it);
    }
    if (i % 40 == 0) {
      aev__timer *t = &timers[p][(i / 40) % TIMERS];
      aev__timer_arm(sched, t, aev__clock_mono_ms(&clock_) + rand_r(&seed) % 3);
    }
  }
  return NULL;
}

static void *canceller(void *arg) {
  (void)arg;
  for (int round = 0; round < 20; round++)
    for (int p = 0; p < PRODUCERS; p++)
      for (int i = 0; i < TIMERS; i += 7) aev__timer_cancel(sched, &timers[p][i]);
  return NULL;
}

START_TEST(concurrent_posts_timers_and_cancels) {
  aev__clock_init(&clock_, AEV_CLOCK_REAL, 0);
  ck_assert_int_eq(aev__sched_new(&clock_, 2, &sched), AEV_OK);
  for (int l = 0; l < LANES; l++) {
    lanes[l].strand = aev__strand_new(sched);
    for (int p = 0; p < PRODUCERS; p++) lanes[l].last[p] = -1;
  }
  for (int p = 0; p < PRODUCERS; p++)
    for (int i = 0; i < TIMERS; i++)
      aev__timer_init(&timers[p][i], timer_task, NULL, NULL);
  pthread_t threads[PRODUCERS + 1];
  for (int p = 0; p < PRODUCERS; p++)
    pthread_create(&threads[p], NULL, producer, (void *)(intptr_t)p);
  pthread_create(&threads[PRODUCERS], NULL, canceller, NULL);
  for (int p = 0; p <= PRODUCERS; p++) pthread_join(threads[p], NULL);
  ck_assert_int_eq(aev__sched_drain(sched), AEV_OK);
  ck_assert_int_eq(atomic_load(&plain_ran), PRODUCERS * PER_PRODUCER / 2);
  ck_assert_int_eq(atomic_load(&lane_ran), PRODUCERS * PER_PRODUCER / 2);
  for (int l = 0; l < LANES; l++) {
    ck_assert_int_eq(lanes[l].disorder, 0);
    aev__strand_release(lanes[l].strand);
  }
  aev__sched_shutdown(sched);
  ck_assert_int_gt(atomic_load(&timer_fired), 0);
  aev__sched_free(sched);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_sched");
  TCase *tc = tcase_create("stress");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, concurrent_posts_timers_and_cancels);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
