/* The scheduler: timer order and ties, cancellation, re-arming inside an
 * advance window, drain, strands, the handler pool, the real-mode timer
 * thread and shutdown. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "awsevents/broker.h"
#include "core/clock.h"
#include "core/clock_watch.h"
#include "core/sched.h"
#include "aevtest.h"

#define START 1704067200000LL

typedef struct fixture {
  aev__clock clock;
  aev__sched *sched;
} fixture;

static void setup(fixture *f, int mode, int workers) {
  aev__clock_init(&f->clock, mode, START);
  ck_assert_int_eq(aev__sched_new(&f->clock, workers, &f->sched), AEV_OK);
}

static void teardown(fixture *f) {
  aev__sched_shutdown(f->sched);
  aev__sched_free(f->sched);
}

/* A log of what ran: which id, at what clock time, and whether cancelled. */
typedef struct record {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int ids[256];
  int64_t at[256];
  int cancelled[256];
  int n;
} record;

static record rec;

static void rec_reset(void) {
  memset(&rec, 0, sizeof rec);
  pthread_mutex_init(&rec.mu, NULL);
  pthread_cond_init(&rec.cv, NULL);
}

typedef struct probe {
  fixture *f;
  int id;
  aev__timer timer;
  int rearm_left; /* re-arm this many times, 100 ms apart */
} probe;

static void note(probe *p, int cancelled) {
  pthread_mutex_lock(&rec.mu);
  rec.ids[rec.n] = p->id;
  rec.at[rec.n] = aev__clock_now_ms(&p->f->clock);
  rec.cancelled[rec.n] = cancelled;
  rec.n++;
  pthread_cond_broadcast(&rec.cv);
  pthread_mutex_unlock(&rec.mu);
}

static void probe_fire(void *arg, int cancelled) {
  probe *p = arg;
  note(p, cancelled);
  if (!cancelled && p->rearm_left-- > 0)
    aev__timer_arm(p->f->sched, &p->timer,
                   aev__clock_mono_ms(&p->f->clock) + 100);
}

static void probe_init(probe *p, fixture *f, int id) {
  memset(p, 0, sizeof *p);
  p->f = f;
  p->id = id;
  aev__timer_init(&p->timer, probe_fire, p, NULL);
}

START_TEST(timers_fire_in_deadline_order_at_their_deadline) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  probe p[5];
  int64_t delays[5] = {500, 100, 400, 200, 300};
  for (int i = 0; i < 5; i++) {
    probe_init(&p[i], &f, i);
    ck_assert_int_eq(aev__timer_arm(f.sched, &p[i].timer, START + delays[i]),
                     AEV_OK);
  }
  int64_t next;
  ck_assert_int_eq(aev__sched_next_deadline(f.sched, &next), AEV_OK);
  ck_assert_int_eq(next, START + 100);
  ck_assert_int_eq(aev__sched_advance(f.sched, 350), AEV_OK);
  ck_assert_int_eq(rec.n, 3);
  int want[3] = {1, 3, 4};
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(rec.ids[i], want[i]);
    ck_assert_int_eq(rec.at[i], START + delays[want[i]]);
  }
  ck_assert_int_eq(aev__clock_now_ms(&f.clock), START + 350);
  ck_assert_int_eq(aev__sched_advance(f.sched, 1000), AEV_OK);
  ck_assert_int_eq(rec.n, 5);
  ck_assert_int_eq(rec.ids[3], 2);
  ck_assert_int_eq(rec.ids[4], 0);
  ck_assert_int_eq(aev__sched_next_deadline(f.sched, &next), AEV_ERR_NOT_FOUND);
  teardown(&f);
}
END_TEST

START_TEST(equal_deadlines_fire_in_arming_order) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  probe p[4];
  for (int i = 0; i < 4; i++) {
    probe_init(&p[i], &f, i);
    aev__timer_arm(f.sched, &p[i].timer, START + 10);
  }
  /* Re-arming takes a new place in line, as if armed now. */
  aev__timer_arm(f.sched, &p[1].timer, START + 10);
  aev__sched_advance(f.sched, 10);
  int want[4] = {0, 2, 3, 1};
  ck_assert_int_eq(rec.n, 4);
  for (int i = 0; i < 4; i++) ck_assert_int_eq(rec.ids[i], want[i]);
  teardown(&f);
}
END_TEST

/* Many timers armed, re-armed and cancelled in a scrambled order: the
 * ones left fire once each, by deadline, ties in the order of their last
 * arming; the heap's links live in the timers, so none of this fails. */
enum { SCRAMBLED = 3000 };

typedef struct scrambled {
  aev__timer timer;
  int64_t deadline;
  uint64_t armed_at; /* order of its last arming */
  int live, fired;
} scrambled;

static scrambled *fired_last;
static int out_of_order, fired_total;

static void scrambled_fire(void *arg, int cancelled) {
  scrambled *t = arg;
  if (cancelled) return;
  t->fired++;
  fired_total++;
  if (fired_last && (fired_last->deadline > t->deadline ||
                     (fired_last->deadline == t->deadline && fired_last->armed_at > t->armed_at)))
    out_of_order++;
  fired_last = t;
}

START_TEST(scrambled_arming_fires_in_order) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  static scrambled t[SCRAMBLED];
  uint64_t seed = 0x9e3779b97f4a7c15ULL, order = 0;
  fired_last = NULL;
  out_of_order = fired_total = 0;
  for (int i = 0; i < SCRAMBLED; i++) aev__timer_init(&t[i].timer, scrambled_fire, &t[i], NULL);
  for (int step = 0; step < 4 * SCRAMBLED; step++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    scrambled *x = &t[(seed >> 33) % SCRAMBLED];
    if ((seed >> 20) % 5 == 0) {
      ck_assert_int_eq(aev__timer_cancel(f.sched, &x->timer), x->live);
      x->live = 0;
      continue;
    }
    x->deadline = START + (int64_t)((seed >> 40) % 500); /* many ties */
    x->armed_at = order++;
    x->live = 1;
    ck_assert_int_eq(aev__timer_arm(f.sched, &x->timer, x->deadline), AEV_OK);
  }
  int live = 0;
  for (int i = 0; i < SCRAMBLED; i++) live += t[i].live;
  ck_assert_int_eq(aev__sched_advance(f.sched, 1000), AEV_OK);
  ck_assert_int_eq(fired_total, live);
  ck_assert_int_eq(out_of_order, 0);
  for (int i = 0; i < SCRAMBLED; i++) ck_assert_int_eq(t[i].fired, t[i].live);
  teardown(&f);
}
END_TEST

START_TEST(cancel_disarms_only_pending_timers) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  probe a, b;
  probe_init(&a, &f, 1);
  probe_init(&b, &f, 2);
  aev__timer_arm(f.sched, &a.timer, START + 10);
  aev__timer_arm(f.sched, &b.timer, START + 20);
  ck_assert_int_eq(aev__timer_cancel(f.sched, &a.timer), 1);
  ck_assert_int_eq(aev__timer_cancel(f.sched, &a.timer), 0);
  aev__sched_advance(f.sched, 100);
  ck_assert_int_eq(rec.n, 1);
  ck_assert_int_eq(rec.ids[0], 2);
  ck_assert_int_eq(aev__timer_cancel(f.sched, &b.timer), 0);
  teardown(&f);
}
END_TEST

START_TEST(timers_rearmed_inside_the_window_fire_too) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  probe p;
  probe_init(&p, &f, 7);
  p.rearm_left = 100;
  aev__timer_arm(f.sched, &p.timer, START + 100);
  ck_assert_int_eq(aev__sched_advance(f.sched, 1050), AEV_OK);
  ck_assert_int_eq(rec.n, 10);
  for (int i = 0; i < 10; i++) ck_assert_int_eq(rec.at[i], START + 100 * (i + 1));
  int64_t next;
  aev__sched_next_deadline(f.sched, &next);
  ck_assert_int_eq(next, START + 1100);
  teardown(&f);
}
END_TEST

/* A task that posts a chain of further tasks. */
typedef struct chain {
  aev__sched *sched;
  int left;
  int ran;
} chain;

static void chain_step(void *arg, int cancelled) {
  chain *c = arg;
  if (cancelled) return;
  c->ran++;
  if (c->left-- > 0) aev__sched_post(c->sched, NULL, chain_step, c);
}

START_TEST(drain_runs_work_posted_by_work) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  chain c = {f.sched, 9, 0};
  aev__sched_post(f.sched, NULL, chain_step, &c);
  ck_assert_int_eq(c.ran, 0); /* workers = 0: nothing runs by itself */
  ck_assert_int_eq(aev__sched_drain(f.sched), AEV_OK);
  ck_assert_int_eq(c.ran, 10);
  ck_assert_int_eq(aev__clock_now_ms(&f.clock), START);
  teardown(&f);
}
END_TEST

START_TEST(drain_fires_timers_already_due_without_moving_time) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  probe p;
  probe_init(&p, &f, 3);
  aev__timer_arm(f.sched, &p.timer, START);
  aev__sched_drain(f.sched);
  ck_assert_int_eq(rec.n, 1);
  ck_assert_int_eq(aev__clock_now_ms(&f.clock), START);
  teardown(&f);
}
END_TEST

static int busy_seen[2];

static void try_reentry(void *arg, int cancelled) {
  aev__sched *s = arg;
  if (cancelled) return;
  busy_seen[0] = aev__sched_drain(s);
  busy_seen[1] = aev__sched_advance(s, 10);
}

START_TEST(drain_and_advance_inside_a_task_are_busy) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  aev__sched_post(f.sched, NULL, try_reentry, f.sched);
  aev__sched_drain(f.sched);
  ck_assert_int_eq(busy_seen[0], AEV_ERR_BUSY);
  ck_assert_int_eq(busy_seen[1], AEV_ERR_BUSY);
  ck_assert_str_eq(aev_errcode(), "InvalidState");
  ck_assert_int_eq(aev__sched_in_task(f.sched), 0);
  teardown(&f);
}
END_TEST

START_TEST(advance_needs_a_manual_clock_and_a_positive_step) {
  fixture f;
  setup(&f, AEV_CLOCK_REAL, 0);
  ck_assert_int_eq(aev__sched_advance(f.sched, 10), AEV_ERR_INVALID);
  teardown(&f);
  setup(&f, AEV_CLOCK_MANUAL, 0);
  ck_assert_int_eq(aev__sched_advance(f.sched, -1), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_int_eq(aev__clock_now_ms(&f.clock), START);
  /* Up to the last instant a timestamp can show, not a millisecond past
   * it, and never by overflowing. */
  ck_assert_int_eq(aev__sched_advance(f.sched, INT64_MAX), AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "9999-12-31T23:59:59.999Z"));
  ck_assert_int_eq(aev__sched_advance(f.sched, AEV__CLOCK_MAX_MS - START + 1), AEV_ERR_INVALID);
  ck_assert_int_eq(aev__clock_now_ms(&f.clock), START);
  ck_assert_int_eq(aev__sched_advance(f.sched, AEV__CLOCK_MAX_MS - START), AEV_OK);
  ck_assert_int_eq(aev__clock_now_ms(&f.clock), AEV__CLOCK_MAX_MS);
  ck_assert_int_eq(aev__sched_advance(f.sched, 0), AEV_OK);
  ck_assert_int_eq(aev__sched_advance(f.sched, 1), AEV_ERR_INVALID);
  teardown(&f);
}
END_TEST

/* Strand items: check no two items of one lane overlap and order holds. */
typedef struct lane_item {
  int lane;
  int seq;
} lane_item;

static pthread_mutex_t lane_mu = PTHREAD_MUTEX_INITIALIZER;
static int lane_running[4];
static int lane_last[4];
static int lane_violations;

static void lane_step(void *arg, int cancelled) {
  lane_item *it = arg;
  if (cancelled) return;
  pthread_mutex_lock(&lane_mu);
  if (lane_running[it->lane]++ != 0) lane_violations++;
  if (lane_last[it->lane] != it->seq - 1) lane_violations++;
  lane_last[it->lane] = it->seq;
  pthread_mutex_unlock(&lane_mu);
  for (volatile int spin = 0; spin < 2000; spin++) {
  }
  pthread_mutex_lock(&lane_mu);
  lane_running[it->lane]--;
  pthread_mutex_unlock(&lane_mu);
}

START_TEST(strands_run_one_item_at_a_time_in_order) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 4);
  aev__strand *lanes[4];
  static lane_item items[4][500];
  for (int l = 0; l < 4; l++) {
    lanes[l] = aev__strand_new(f.sched);
    lane_last[l] = 0;
  }
  for (int i = 0; i < 500; i++)
    for (int l = 0; l < 4; l++) {
      items[l][i] = (lane_item){l, i + 1};
      ck_assert_int_eq(aev__sched_post(f.sched, lanes[l], lane_step, &items[l][i]),
                       AEV_OK);
    }
  ck_assert_int_eq(aev__sched_drain(f.sched), AEV_OK);
  for (int l = 0; l < 4; l++) {
    ck_assert_int_eq(lane_last[l], 500);
    aev__strand_release(lanes[l]);
  }
  ck_assert_int_eq(lane_violations, 0);
  teardown(&f);
}
END_TEST

START_TEST(timers_on_a_strand_join_its_lane) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  aev__strand *st = aev__strand_new(f.sched);
  probe p;
  probe_init(&p, &f, 9);
  aev__timer_init(&p.timer, probe_fire, &p, st);
  aev__timer_arm(f.sched, &p.timer, START + 5);
  aev__sched_advance(f.sched, 5);
  ck_assert_int_eq(rec.n, 1);
  aev__strand_release(st);
  teardown(&f);
}
END_TEST

static int wait_for_records(int n, int timeout_ms) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += timeout_ms / 1000;
  until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&rec.mu);
  while (rec.n < n)
    if (pthread_cond_timedwait(&rec.cv, &rec.mu, &until)) break;
  int got = rec.n;
  pthread_mutex_unlock(&rec.mu);
  return got;
}

START_TEST(real_timer_thread_fires_on_time) {
  fixture f;
  setup(&f, AEV_CLOCK_REAL, 2);
  rec_reset();
  probe early, late;
  probe_init(&early, &f, 1);
  probe_init(&late, &f, 2);
  int64_t armed = aev__clock_mono_ms(&f.clock);
  aev__timer_arm(f.sched, &late.timer, armed + 3600 * 1000);
  aev__timer_arm(f.sched, &early.timer, armed + 50);
  /* An event wait, not a sleep: it returns the moment the timer fires. */
  ck_assert_int_eq(wait_for_records(1, 5000), 1);
  int64_t fired = aev__clock_mono_ms(&f.clock);
  ck_assert_int_eq(rec.ids[0], 1);
  ck_assert_int_ge(fired - armed, 50);
  teardown(&f);
  /* The hour-away timer was cancelled by the shutdown. */
  ck_assert_int_eq(rec.n, 2);
  ck_assert_int_eq(rec.ids[1], 2);
  ck_assert_int_eq(rec.cancelled[1], 1);
}
END_TEST

/* Timers armed for wall-clock instants follow the wall clock when it is
 * set (here stepped an hour forward, as after an hour's suspend or an NTP
 * step): they fire at once, where their deadlines, worked out before the
 * step, are still an hour away on the monotonic clock. Timers armed for a
 * deadline stay where they are. Forty of each, armed in turns, so that
 * moving the wall ones goes over a heap with many children and siblings. */
START_TEST(wall_timers_follow_the_wall_clock_when_it_is_set) {
  fixture f;
  setup(&f, AEV_CLOCK_REAL, 2);
  rec_reset();
  enum { EACH = 40 };
  static probe p[2 * EACH];
  const int64_t wall = aev__clock_now_ms(&f.clock), mono = aev__clock_mono_ms(&f.clock);
  for (int i = 0; i < 2 * EACH; i++) {
    probe_init(&p[i], &f, i);
    const int64_t hour_on = 3600 * 1000 + i * 10;
    if (i % 2)
      ck_assert_int_eq(aev__timer_arm(f.sched, &p[i].timer, mono + hour_on), AEV_OK);
    else
      ck_assert_int_eq(aev__timer_arm_wall(f.sched, &p[i].timer, wall + hour_on), AEV_OK);
  }
  aev__clock_step_wall(&f.clock, 3600 * 1000 + 2 * EACH * 10);
  aev__sched_wall_set(f.sched);
  ck_assert_int_eq(wait_for_records(EACH, 5000), EACH);
  pthread_mutex_lock(&rec.mu);
  for (int k = 0; k < EACH; k++) {
    ck_assert_int_eq(rec.ids[k] % 2, 0);
    ck_assert_int_eq(rec.cancelled[k], 0);
  }
  pthread_mutex_unlock(&rec.mu);
  teardown(&f);
  /* The deadline timers were an hour away still: cancelled by the shutdown. */
  ck_assert_int_eq(rec.n, 2 * EACH);
  for (int k = EACH; k < 2 * EACH; k++) {
    ck_assert_int_eq(rec.ids[k] % 2, 1);
    ck_assert_int_eq(rec.cancelled[k], 1);
  }
}
END_TEST

/* Sets the system's wall clock, which the kernel reports to every clock
 * watch, to about what it reads: 10 microseconds on, more than the set
 * takes, so that the clock is never stepped back. Needs CAP_SYS_TIME (CI
 * runs as root): 0 when the set was made, else the errno, which the
 * caller reports as a skip. */
static int set_wall_clock(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  now.tv_nsec += 10000;
  if (now.tv_nsec >= 1000000000) {
    now.tv_sec++;
    now.tv_nsec -= 1000000000;
  }
  return clock_settime(CLOCK_REALTIME, &now) ? errno : 0;
}

static int skipped(const char *test, int err) {
  if (!err) return 0;
  fprintf(stderr, "SKIPPED %s: setting the wall clock failed (%s); it needs CAP_SYS_TIME\n",
          test, strerror(err));
  return 1;
}

/* A watch without a thread answers, when asked, whether the wall clock
 * was set since it last answered yes. */
START_TEST(an_opened_watch_reports_each_set_of_the_wall_clock_once) {
  aev__clock_watch *w;
  ck_assert_int_eq(aev__clock_watch_open(&w), AEV_OK);
  ck_assert_int_eq(aev__clock_watch_was_set(w), 0);
  if (skipped("an_opened_watch_reports_each_set_of_the_wall_clock_once", set_wall_clock())) {
    aev__clock_watch_stop(w);
    return;
  }
  ck_assert_int_eq(aev__clock_watch_was_set(w), 1);
  ck_assert_int_eq(aev__clock_watch_was_set(w), 0);
  ck_assert_int_eq(set_wall_clock(), 0);
  ck_assert_int_eq(aev__clock_watch_was_set(w), 1);
  aev__clock_watch_stop(w);
}
END_TEST

/* A real-clock scheduler without workers fires timers only when drained:
 * the drain takes the watch's news of a set first, so a timer armed for a
 * wall-clock instant the clock was set past fires in it. The test clock's
 * wall is stepped past the instant; the kernel's set is the notice. */
START_TEST(drain_without_workers_follows_a_set_of_the_wall_clock) {
  fixture f;
  setup(&f, AEV_CLOCK_REAL, 0);
  rec_reset();
  ck_assert_int_eq(aev__sched_thread_count(f.sched), 0);
  probe p;
  probe_init(&p, &f, 1);
  const int64_t hour = 3600 * 1000;
  ck_assert_int_eq(aev__timer_arm_wall(f.sched, &p.timer, aev__clock_now_ms(&f.clock) + hour),
                   AEV_OK);
  aev__clock_step_wall(&f.clock, hour + 10);
  /* No notice yet: the deadline worked out when armed is an hour away. */
  ck_assert_int_eq(aev__sched_drain(f.sched), AEV_OK);
  ck_assert_int_eq(rec.n, 0);
  if (skipped("drain_without_workers_follows_a_set_of_the_wall_clock", set_wall_clock())) {
    teardown(&f);
    return;
  }
  ck_assert_int_eq(aev__sched_drain(f.sched), AEV_OK);
  ck_assert_int_eq(rec.n, 1);
  ck_assert_int_eq(rec.ids[0], 1);
  ck_assert_int_eq(rec.cancelled[0], 0);
  teardown(&f);
}
END_TEST

/* A handler that blocks until the test lets it go. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static void blocking_handler(void *arg, int cancelled) {
  (void)arg;
  if (cancelled) return;
  pthread_mutex_lock(&gate_mu);
  gate_entered++;
  pthread_cond_broadcast(&gate_cv);
  while (!gate_open) pthread_cond_wait(&gate_cv, &gate_mu);
  pthread_mutex_unlock(&gate_mu);
}

START_TEST(a_stuck_handler_does_not_stall_timers_or_other_handlers) {
  fixture f;
  setup(&f, AEV_CLOCK_REAL, 1);
  rec_reset();
  gate_open = gate_entered = 0;
  aev__sched_post_handler(f.sched, blocking_handler, NULL);
  aev__sched_post_handler(f.sched, blocking_handler, NULL);
  pthread_mutex_lock(&gate_mu);
  while (gate_entered < 2) pthread_cond_wait(&gate_cv, &gate_mu);
  pthread_mutex_unlock(&gate_mu);
  probe p;
  probe_init(&p, &f, 4);
  aev__timer_arm(f.sched, &p.timer, aev__clock_mono_ms(&f.clock) + 10);
  ck_assert_int_eq(wait_for_records(1, 5000), 1);
  ck_assert_int_ge(aev__sched_thread_count(f.sched), 4); /* timer, worker, 2 handlers */
  pthread_mutex_lock(&gate_mu);
  gate_open = 1;
  pthread_cond_broadcast(&gate_cv);
  pthread_mutex_unlock(&gate_mu);
  ck_assert_int_eq(aev__sched_drain(f.sched), AEV_OK);
  teardown(&f);
}
END_TEST

static int cancelled_tasks, real_tasks;

static void count_task(void *arg, int cancelled) {
  (void)arg;
  if (cancelled)
    cancelled_tasks++;
  else
    real_tasks++;
}

START_TEST(shutdown_cancels_queued_work_and_refuses_new_work) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  cancelled_tasks = real_tasks = 0;
  aev__strand *st = aev__strand_new(f.sched);
  aev__sched_post(f.sched, NULL, count_task, NULL);
  aev__sched_post(f.sched, st, count_task, NULL);
  aev__sched_post(f.sched, st, count_task, NULL);
  aev__sched_post_handler(f.sched, count_task, NULL);
  probe p;
  probe_init(&p, &f, 5);
  aev__timer_arm(f.sched, &p.timer, START + 1000);
  aev__sched_shutdown(f.sched);
  ck_assert_int_eq(cancelled_tasks, 4);
  ck_assert_int_eq(real_tasks, 0);
  ck_assert_int_eq(rec.n, 1);
  ck_assert_int_eq(rec.cancelled[0], 1);
  ck_assert_int_eq(aev__sched_post(f.sched, NULL, count_task, NULL), AEV_ERR_CLOSED);
  ck_assert_int_eq(aev__timer_arm(f.sched, &p.timer, START + 5), AEV_ERR_CLOSED);
  ck_assert_int_eq(aev__timer_cancel(f.sched, &p.timer), 0);
  aev__strand_release(st); /* safe after shutdown, before free */
  aev__sched_free(f.sched);
  ck_assert_int_eq(cancelled_tasks, 4);
}
END_TEST

/* A post carrying its own node, freed by its task (as a completion is). */
typedef struct carried {
  aev__task_node node;
  int id;
} carried;

static void carried_run(void *arg, int cancelled) {
  carried *c = arg;
  pthread_mutex_lock(&rec.mu);
  rec.ids[rec.n] = c->id;
  rec.cancelled[rec.n] = cancelled;
  rec.n++;
  pthread_mutex_unlock(&rec.mu);
  free(c);
}

static carried *carried_new(int id) {
  carried *c = calloc(1, sizeof *c);
  ck_assert_ptr_nonnull(c);
  c->id = id;
  return c;
}

/* Posts that bring their node take their turn among the others, may free
 * it when they run or are cancelled, and are refused only once closed. */
START_TEST(posts_with_their_own_node_keep_order_and_are_cancelled_at_shutdown) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 0);
  rec_reset();
  aev__strand *st = aev__strand_new(f.sched);
  probe p;
  probe_init(&p, &f, 2);
  carried *one = carried_new(1), *three = carried_new(3);
  ck_assert_int_eq(aev__sched_post_node(f.sched, st, &one->node, carried_run, one), AEV_OK);
  ck_assert_int_eq(aev__sched_post(f.sched, st, probe_fire, &p), AEV_OK);
  ck_assert_int_eq(aev__sched_post_node(f.sched, NULL, &three->node, carried_run, three), AEV_OK);
  ck_assert_int_eq(aev__sched_drain(f.sched), AEV_OK);
  ck_assert_int_eq(rec.n, 3);
  ck_assert_int_eq(rec.ids[0], 1);
  ck_assert_int_eq(rec.ids[1], 3); /* the strand's next item goes to the back */
  ck_assert_int_eq(rec.ids[2], 2);
  carried *queued = carried_new(4), *late = carried_new(5);
  ck_assert_int_eq(aev__sched_post_node(f.sched, st, &queued->node, carried_run, queued), AEV_OK);
  aev__sched_shutdown(f.sched);
  ck_assert_int_eq(rec.n, 4);
  ck_assert_int_eq(rec.ids[3], 4);
  ck_assert_int_eq(rec.cancelled[3], 1);
  ck_assert_int_eq(aev__sched_post_node(f.sched, NULL, &late->node, carried_run, late),
                   AEV_ERR_CLOSED);
  ck_assert_int_eq(rec.n, 4);
  free(late);
  aev__strand_release(st);
  aev__sched_free(f.sched);
}
END_TEST

START_TEST(manual_clock_with_workers_drains_to_quiescence) {
  fixture f;
  setup(&f, AEV_CLOCK_MANUAL, 2);
  rec_reset();
  chain c = {f.sched, 999, 0};
  aev__sched_post(f.sched, NULL, chain_step, &c);
  probe p;
  probe_init(&p, &f, 1);
  p.rearm_left = 4;
  aev__timer_arm(f.sched, &p.timer, START + 100);
  ck_assert_int_eq(aev__sched_advance(f.sched, 1000), AEV_OK);
  ck_assert_int_eq(c.ran, 1000);
  ck_assert_int_eq(rec.n, 5);
  ck_assert_int_eq(rec.at[4], START + 500);
  teardown(&f);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sched");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, timers_fire_in_deadline_order_at_their_deadline);
  tcase_add_test(tc, equal_deadlines_fire_in_arming_order);
  tcase_add_test(tc, scrambled_arming_fires_in_order);
  tcase_add_test(tc, cancel_disarms_only_pending_timers);
  tcase_add_test(tc, timers_rearmed_inside_the_window_fire_too);
  tcase_add_test(tc, drain_runs_work_posted_by_work);
  tcase_add_test(tc, drain_fires_timers_already_due_without_moving_time);
  tcase_add_test(tc, drain_and_advance_inside_a_task_are_busy);
  tcase_add_test(tc, advance_needs_a_manual_clock_and_a_positive_step);
  tcase_add_test(tc, strands_run_one_item_at_a_time_in_order);
  tcase_add_test(tc, timers_on_a_strand_join_its_lane);
  tcase_add_test(tc, real_timer_thread_fires_on_time);
  tcase_add_test(tc, wall_timers_follow_the_wall_clock_when_it_is_set);
  tcase_add_test(tc, an_opened_watch_reports_each_set_of_the_wall_clock_once);
  tcase_add_test(tc, drain_without_workers_follows_a_set_of_the_wall_clock);
  tcase_add_test(tc, a_stuck_handler_does_not_stall_timers_or_other_handlers);
  tcase_add_test(tc, shutdown_cancels_queued_work_and_refuses_new_work);
  tcase_add_test(tc, manual_clock_with_workers_drains_to_quiescence);
  tcase_add_test(tc, posts_with_their_own_node_keep_order_and_are_cancelled_at_shutdown);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
