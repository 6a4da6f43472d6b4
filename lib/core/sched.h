/* Internal: the broker's scheduler (DESIGN §3). One min-heap of timers
 * ordered by (deadline, arming sequence); a ready queue of tasks; serial
 * lanes (strands) for work AWS delivers in order; a growable pool for user
 * handlers. Real clock with workers > 0: one timer thread sleeping on a
 * CLOCK_MONOTONIC condition variable until the head deadline, a thread
 * watching for the wall clock being set (core/clock_watch.h), and `workers`
 * threads running ready tasks. Otherwise nothing runs until drain/advance,
 * which run everything on the caller's thread (workers = 0; a real clock's
 * drain first asks a watch without a thread whether the wall clock was set)
 * or wait for the workers to reach quiescence. No polling anywhere. */
#ifndef AEV_CORE_SCHED_H
#define AEV_CORE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"

typedef struct aev__sched aev__sched;
typedef struct aev__strand aev__strand;

/* A task. cancelled is 0 when it runs for real, 1 when the scheduler shuts
 * down before running it: the task must then only release what arg holds. */
typedef void (*aev__task_fn)(void *arg, int cancelled);

/* A queued task's node. aev__sched_post allocates one per post; a poster
 * that must not lose a post to out of memory embeds one in what it posts
 * (aev__sched_post_node). Its fields are the scheduler's. */
typedef struct aev__task_node {
  struct aev__task_node *next;
  aev__task_fn fn;
  void *arg;
  aev__strand *strand; /* set: this node runs the strand's next item */
  int embedded;        /* the poster's memory: the scheduler never frees it */
} aev__task_node;

/* An intrusive timer, embedded in its owner. When due it is disarmed and its
 * fn is posted as a task (to its strand if it has one). Cancelling a timer
 * that already fired does not recall the posted task: owners re-check their
 * state under their own lock when it runs. */
typedef struct aev__timer {
  int64_t deadline; /* on the clock's deadline timeline (aev__clock_mono_ms) */
  uint64_t seq;     /* arming order, breaks deadline ties */
  struct aev__timer *child, *next, *prev; /* the scheduler's heap links */
  struct aev__timer *scan; /* the scheduler's, while it goes over its timers */
  int armed;
  int wall;        /* armed by aev__timer_arm_wall, for wall_ms */
  int64_t wall_ms;
  aev__task_fn fn;
  void *arg;
  aev__strand *strand; /* NULL: any worker */
} aev__timer;

int aev__sched_new(aev__clock *clock, int workers, aev__sched **out);

/* Stops accepting work, waits for running tasks and handlers, joins the
 * threads, then calls every armed timer's fn and every queued task with
 * cancelled = 1. Timers, strands and the scheduler's memory stay valid (arm
 * and post answer AEV_ERR_CLOSED) until aev__sched_free, so objects that
 * outlive the shutdown can still cancel and release safely. */
void aev__sched_shutdown(aev__sched *s);
void aev__sched_free(aev__sched *s);

void aev__timer_init(aev__timer *t, aev__task_fn fn, void *arg,
                     aev__strand *strand);

/* Arms t for deadline, or moves it there if it is armed already. A deadline
 * in the past fires at the next opportunity. Allocates nothing: the only
 * failure is AEV_ERR_CLOSED after shutdown began (the timer is then
 * disarmed). */
int aev__timer_arm(aev__sched *s, aev__timer *t, int64_t deadline);

/* Arms t, as aev__timer_arm, for the deadline at which the clock's now
 * (aev__clock_now_ms) reaches epoch_ms: a schedule's next time, a replay's
 * next event. On a real clock that deadline is worked out again whenever
 * the system's wall clock is set (see aev__sched_wall_set), so that t
 * fires when the wall clock shows epoch_ms. The deadline worked out before
 * the set would come late by as much as the clock was stepped forward, or
 * by as long as the machine was suspended (the monotonic clock does not
 * count a suspend). Its fn must still check, when it runs, that the time
 * has come: a set may also step the clock back. */
int aev__timer_arm_wall(aev__sched *s, aev__timer *t, int64_t epoch_ms);

/* The real clock's wall time was set: every timer armed by
 * aev__timer_arm_wall moves to its instant's deadline as the clock now
 * reads. A real-clock scheduler watches the system's clock and calls this
 * itself: at once with workers, else at its next drain. Tests call it
 * after aev__clock_step_wall. */
void aev__sched_wall_set(aev__sched *s);

/* Disarms t. Returns 1 if it was armed (its fn will not run for that
 * arming), 0 otherwise. */
int aev__timer_cancel(aev__sched *s, aev__timer *t);

/* Posts fn(arg) to the ready queue, or to strand's lane when strand is not
 * NULL (at most one task of a strand runs at a time, in posting order).
 * AEV_ERR_CLOSED after shutdown began: fn is then never called. */
int aev__sched_post(aev__sched *s, aev__strand *strand, aev__task_fn fn,
                    void *arg);

/* As aev__sched_post, queued with node, which the caller owns and leaves
 * alone until fn runs (fn may free it): no allocation, so it answers only
 * AEV_ERR_CLOSED, after shutdown began. For posts that must arrive once
 * what they carry exists (a task's completion). */
int aev__sched_post_node(aev__sched *s, aev__strand *strand,
                         aev__task_node *node, aev__task_fn fn, void *arg);

/* Posts user code (a handler or callback that may block) to the handler
 * pool, which grows so a stuck handler never stalls timers or deliveries.
 * With workers = 0 it runs during drain on the caller's thread. */
int aev__sched_post_handler(aev__sched *s, aev__task_fn fn, void *arg);

/* A serial lane. Freed once released and idle. */
aev__strand *aev__strand_new(aev__sched *s);
void aev__strand_release(aev__strand *st);

/* DESIGN §3 drain and advance. AEV_ERR_BUSY when called from a task of this
 * scheduler; advance needs a manual clock (AEV_ERR_INVALID otherwise). */
int aev__sched_drain(aev__sched *s);
int aev__sched_advance(aev__sched *s, int64_t ms);

/* Earliest armed deadline (deadline timeline). AEV_ERR_NOT_FOUND if none. */
int aev__sched_next_deadline(aev__sched *s, int64_t *out);

/* Non-zero when the calling thread is running a task or handler of s. */
int aev__sched_in_task(const aev__sched *s);

/* The workers it was made with; 0: everything runs during drain. */
int aev__sched_workers(const aev__sched *s);

/* Number of threads the scheduler has started (timer, wall clock's watch,
 * workers, handlers). */
int aev__sched_thread_count(aev__sched *s);

#endif
