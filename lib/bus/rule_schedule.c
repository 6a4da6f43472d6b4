/* Scheduled rules on the broker clock: each keeps exactly one timer, for
 * its next fire time; when it fires the rule's targets get AWS's
 * "Scheduled Event" and the timer is set for the next one. No polling. */
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "core/broker.h"

static void fire(void *arg, int cancelled);

static aev_broker *broker_of(aev__rule *r) { return r->bus->res.broker; }

/* Arms r's timer for r->next_fire_ms (r->mu held; the timer holds a rule
 * reference while armed or while its task is pending). */
static void arm(aev__rule *r) {
  aev_broker *b = broker_of(r);
  aev__timer_init(&r->timer, fire, r, NULL);
  aev__rule_ref(r);
  if (aev__timer_arm_wall(aev__broker_sched(b), &r->timer, r->next_fire_ms)) {
    r->next_fire_ms = -1;
    aev__rule_unref(r);
  }
}

void aev__rule_schedule_start(aev__rule *r, int64_t from_ms) {
  aev__rule_schedule_stop(r, 0);
  pthread_mutex_lock(&r->mu);
  if (!r->dead && r->expr) {
    r->start_ms = from_ms;
    r->next_fire_ms = aev__schedule_next(r->expr, from_ms, from_ms);
    if (r->next_fire_ms >= 0) arm(r);
  }
  pthread_mutex_unlock(&r->mu);
}

void aev__rule_schedule_stop(aev__rule *r, int kill) {
  pthread_mutex_lock(&r->mu);
  if (kill) r->dead = 1;
  int cancelled = r->bus && aev__timer_cancel(aev__broker_sched(broker_of(r)),
                                              &r->timer);
  r->next_fire_ms = -1;
  pthread_mutex_unlock(&r->mu);
  if (cancelled) aev__rule_unref(r);
}

/* AWS's scheduled event: source aws.events, the rule in resources. */
static aev__event *scheduled_event(aev__rule *r, int64_t when) {
  json_t *res = json_pack("[s]", r->arn);
  aev__event *ev = res ? aev__envelope(broker_of(r), "aws.events",
                                       "Scheduled Event", "{}", 2, res, when)
                       : NULL;
  json_decref(res);
  return ev;
}

static void fire(void *arg, int cancelled) {
  aev__rule *r = arg;
  pthread_mutex_lock(&r->mu);
  int64_t when = r->next_fire_ms;
  /* A stale task (the schedule stopped after this timer fired, or fired
   * already) finds its fire time gone. */
  const int live = !cancelled && !r->dead && when >= 0 && when != r->fired_ms;
  const int due = live && when <= aev_broker_now_ms(broker_of(r));
  aev_bus *bus = NULL;
  if (due) {
    r->fired_ms = when;
    bus = r->bus;
    aev__resource_ref(&bus->res);
    r->next_fire_ms = aev__schedule_next(r->expr, when, r->start_ms);
    if (r->next_fire_ms >= 0) arm(r);
  } else if (live) {
    /* The time is still to come: the wall clock was stepped back (as NTP
     * may) since the timer was set, or the schedule restarted after this
     * timer fired. The timer is set anew for it, or the rule would never
     * fire again. */
    if (aev__timer_cancel(aev__broker_sched(broker_of(r)), &r->timer)) aev__rule_unref(r);
    arm(r);
  }
  pthread_mutex_unlock(&r->mu);
  if (due) {
    aev__event *ev = scheduled_event(r, when);
    if (ev) aev__rule_deliver(bus, r, ev);
    aev__event_unref(ev);
    aev__resource_unref(&bus->res);
  }
  aev__rule_unref(r);
}
