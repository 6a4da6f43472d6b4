/* Firing on the broker clock: each enabled schedule keeps exactly one
 * timer, for its next scheduled time (plus, in a FLEXIBLE window, a delay
 * drawn from the broker's seeded generator below MaximumWindowInMinutes).
 * When it fires the target is invoked and the timer set for the next time;
 * after the last, ActionAfterCompletion DELETE deletes the schedule. */
#include <stdlib.h>

#include "core/broker.h"
#include "scheduler/scheduler_impl.h"

#define MINUTE_MS 60000LL

static void fire(void *arg, int cancelled);

static aev_broker *broker_of(aev__sch *s) { return s->group->res.broker; }

/* The completed schedule's deletion, as ActionAfterCompletion DELETE asks
 * (the group's lock held). */
static void complete(aev__sch *s) {
  if (s->conf->delete_after && aev__sch_unlink(s)) aev__sch_unref(s); /* the list's */
}

/* Sets s's (disarmed) timer for the wall-clock instant s->fire_ms (the
 * group's lock held); while armed, the timer holds a reference. */
static void set_timer(aev__sch *s) {
  aev_broker *b = broker_of(s);
  aev__timer_init(&s->timer, fire, s, NULL);
  aev__sch_ref(s);
  if (aev__timer_arm_wall(aev__broker_sched(b), &s->timer, s->fire_ms)) {
    s->due_ms = -1;
    aev__sch_unref(s);
  }
}

void aev__sch_arm(aev__sch *s, int64_t after_ms) {
  aev__sconf *c = s->conf;
  /* A task of the timer's last firing may run after an update armed it
   * again (with worker threads): the timer is then armed, and must be
   * cancelled before it is set anew. */
  aev__sch_disarm(s);
  if (s->dead || !c->enabled) return;
  int64_t due = aev__sconf_next(c, after_ms, s->anchor_ms);
  if (due < 0) {
    /* Nothing left to run: a schedule that ran its last invocation, or one
     * made with none ahead (an at() in the past). */
    if (s->last_ms >= 0) complete(s);
    return;
  }
  aev_broker *b = broker_of(s);
  int64_t jitter = c->flex_minutes
                       ? (int64_t)(aev__broker_random(b) % (uint64_t)(c->flex_minutes * MINUTE_MS))
                       : 0;
  s->due_ms = due;
  s->fire_ms = due + jitter;
  set_timer(s);
}

void aev__sch_disarm(aev__sch *s) {
  s->due_ms = -1;
  if (aev__timer_cancel(aev__broker_sched(broker_of(s)), &s->timer)) aev__sch_unref(s);
}

static void fire(void *arg, int cancelled) {
  aev__sch *s = arg;
  aev__sgroup *g = s->group;
  aev_broker *b = broker_of(s);
  pthread_mutex_lock(&g->mu);
  int64_t due = s->due_ms;
  /* A stale task (disarmed after this timer fired) finds its time gone. */
  const int live = !cancelled && !s->dead && due >= 0;
  const int run = live && s->fire_ms <= aev_broker_now_ms(b);
  aev__sconf *c = NULL;
  if (run) {
    c = s->conf;
    c->refs++;
    s->last_ms = due;
    aev__sch_arm(s, due);
  } else if (live) {
    /* The time is still to come: the wall clock was stepped back (as NTP
     * may) since the timer was set on the monotonic clock, or this is a
     * task of an earlier firing and the timer has been set again. Either
     * way the timer is set anew for it, or the schedule would never run
     * again. */
    if (aev__timer_cancel(aev__broker_sched(b), &s->timer)) aev__sch_unref(s);
    set_timer(s);
  }
  pthread_mutex_unlock(&g->mu);
  if (run) aev__sch_invoke(b, s->arn, c, due);
  aev__sch_unref(s);
}
