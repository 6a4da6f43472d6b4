/* How a started replay runs on the broker clock, one timer at a time (no
 * polling). AWS replays an archive one minute of event time at a time,
 * oldest first, and takes minutes to do it (LocalStack's AWS-validated
 * tests wait up to six for a one-minute window). Here a replay is STARTING
 * for a minute, then RUNNING: it replays one minute of event time a second,
 * minutes without events taking no time, and a minute only once it has
 * passed on the broker clock (an EventEndTime in the future keeps it
 * RUNNING until then, and events archived meanwhile are replayed too); then
 * COMPLETED. A cancelled replay stops at its next step: CANCELLED. While
 * it waits for a minute to pass it sleeps until the minute of the next
 * event it knows of, or the end time; an event archived meanwhile wakes
 * it sooner (aev__replay_archived), so a replay waiting for a distant end
 * time costs nothing until then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/replay.h"
#include "core/broker.h"
#include "core/status.h"

#define START_MS 60000  /* how long a replay is STARTING */
#define STEP_MS 1000    /* broker time from one minute replayed to the next */
#define MINUTE_MS 60000 /* the event time one step replays */

static void step(void *arg, int cancelled);

/* Arms r's next step at epoch ms when. */
static int arm(aev__replay *r, int64_t when) {
  aev_broker *b = r->bus->res.broker;
  r->waiting = 0;
  return aev__timer_arm_wall(aev__broker_sched(b), &r->timer, when);
}

/* The end of the minute (counted from the cursor) that holds event time t,
 * or to_ms if sooner. */
static int64_t minute_end_of(const aev__replay *r, int64_t t) {
  int64_t end = r->cursor_ms + ((t - r->cursor_ms) / MINUTE_MS + 1) * MINUTE_MS;
  return end < r->to_ms ? end : r->to_ms;
}

/* Arms r to wake once the minute it waits for has passed. */
static int wait_for(aev__replay *r, int64_t when) {
  int rc = arm(r, when);
  r->waiting = !rc;
  r->wake_ms = when;
  return rc;
}

int aev__replay_begin(aev__replay *r) {
  aev__timer_init(&r->timer, step, r, NULL);
  r->state = AEV__REPLAY_STARTING;
  return arm(r, aev_broker_now_ms(r->bus->res.broker) + START_MS);
}

void aev__replay_drop_events(aev__replay *r) {
  for (size_t i = r->next_event; i < r->n; i++) aev__event_unref(r->events[i]);
  free(r->events);
  r->events = NULL;
  r->n = r->next_event = 0;
}

static void finish(aev__replay *r, int state, int64_t now) {
  r->state = state;
  r->waiting = 0;
  r->ended_s = now / 1000;
  aev__replay_drop_events(r);
}

void aev__replay_cancel(aev__replay *r) {
  aev_broker *b = r->bus->res.broker;
  r->state = AEV__REPLAY_CANCELLING;
  /* A step already due sees the state; otherwise the next one comes
   * sooner. The broker shutting down, nothing is to come: it ends now (the
   * caller's reference keeps the bus). */
  if (aev__timer_cancel(aev__broker_sched(b), &r->timer) &&
      arm(r, aev_broker_now_ms(b) + STEP_MS)) {
    finish(r, AEV__REPLAY_CANCELLED, aev_broker_now_ms(b));
    aev_bus_release(r->bus);
  }
}

void aev__replay_archived(aev__replay *r, const aev__event *ev) {
  if (!r->waiting || ev->time_ms < r->cursor_ms || ev->time_ms >= r->to_ms) return;
  int64_t when = minute_end_of(r, ev->time_ms);
  aev_broker *b = r->bus->res.broker;
  /* Only a step still to come moves: one already due reads the archive. */
  if (when >= r->wake_ms || !aev__timer_cancel(aev__broker_sched(b), &r->timer)) return;
  if (wait_for(r, when)) {
    /* The broker is shutting down: as in aev__replay_cancel, it ends now
     * (the caller's reference keeps the bus). */
    finish(r, AEV__REPLAY_CANCELLED, aev_broker_now_ms(b));
    aev_bus_release(r->bus);
  }
}


/* Reads the archive's events from the cursor on, in place of what was read
 * before. A deleted archive fails the replay. */
static int read_archive(aev__replay *r, int64_t now) {
  aev__archive *a = aev__archive_named(r->bus, r->archive);
  aev__event **v;
  size_t n;
  int rc = a ? aev__archive_events(a, r->cursor_ms, r->to_ms, &v, &n) : AEV_ERR_NOT_FOUND;
  if (rc) return rc;
  aev__replay_drop_events(r);
  r->events = v;
  r->n = n;
  r->read_ms = now;
  return AEV_OK;
}

/* Moves the cursor over the minutes that what was read shows empty: those
 * that ended before the next event and before it was read. */
static void skip_empty(aev__replay *r) {
  int64_t next = r->next_event < r->n ? r->events[r->next_event]->time_ms : r->to_ms;
  int64_t known = next < r->read_ms ? next : r->read_ms;
  if (known <= r->cursor_ms) return;
  if (known >= r->to_ms) r->cursor_ms = r->to_ms;
  else r->cursor_ms += (known - r->cursor_ms) / MINUTE_MS * MINUTE_MS;
}

/* A step of a RUNNING replay at now: replays the next minute with events,
 * whose events it moves to *batch (*k of them), and arms the next step; or
 * waits for that minute to pass; or ends the replay. */
static void run(aev__replay *r, int64_t now, aev__event ***batch, size_t *k) {
  if (!r->events && read_archive(r, now)) {
    finish(r, AEV__REPLAY_FAILED, now);
    return;
  }
  skip_empty(r);
  int64_t end = minute_end_of(r, r->cursor_ms);
  /* What was read before this minute ended may lack some of its events. */
  if (r->cursor_ms < r->to_ms && end <= now && end > r->read_ms) {
    if (read_archive(r, now)) {
      finish(r, AEV__REPLAY_FAILED, now);
      return;
    }
    skip_empty(r);
    end = minute_end_of(r, r->cursor_ms);
  }
  if (r->cursor_ms >= r->to_ms) {
    finish(r, AEV__REPLAY_COMPLETED, now);
    return;
  }
  if (end > now) {
    int64_t when = r->next_event < r->n ? minute_end_of(r, r->events[r->next_event]->time_ms)
                                        : r->to_ms;
    if (wait_for(r, when)) finish(r, AEV__REPLAY_CANCELLED, now);
    return;
  }
  size_t from = r->next_event;
  while (r->next_event < r->n && r->events[r->next_event]->time_ms < end) r->next_event++;
  *k = r->next_event - from;
  if (*k && !(*batch = malloc(*k * sizeof **batch))) {
    r->next_event = from;
    *k = 0;
    finish(r, AEV__REPLAY_FAILED, now);
    return;
  }
  if (*k) {
    memcpy(*batch, r->events + from, *k * sizeof **batch);
    r->last_ms = (*batch)[*k - 1]->time_ms;
  }
  r->cursor_ms = end;
  if (r->cursor_ms >= r->to_ms) finish(r, AEV__REPLAY_COMPLETED, now);
  else if (arm(r, now + STEP_MS)) finish(r, AEV__REPLAY_CANCELLED, now);
}

/* The archived event with "replay-name" added where AWS puts it: after
 * "region", before "resources" (the recorded replay-messages of
 * test_start_list_describe_canceled_replay). Quotes inside the envelope's
 * strings are escaped, so the first ,"resources":[ is its member. */
static aev__event *replayed(const aev__event *ev, const char *name) {
  char member[160];
  int h = snprintf(member, sizeof member, ",\"replay-name\":\"%s\"", name);
  size_t before = (size_t)(strstr(ev->text, ",\"resources\":[") - ev->text);
  aev__event *r = aev__event_new((size_t)h + ev->len);
  if (!r) return NULL;
  memcpy(r->text, ev->text, before);
  memcpy(r->text + before, member, (size_t)h);
  memcpy(r->text + before + (size_t)h, ev->text + before, ev->len - before);
  r->ingest_ms = ev->ingest_ms;
  r->time_ms = ev->time_ms;
  r->replayed = 1;
  memcpy(r->id, ev->id, sizeof r->id);
  return r;
}

static void step(void *arg, int cancelled) {
  aev__replay *r = arg;
  aev_bus *bus = r->bus;
  aev__event **batch = NULL;
  size_t k = 0;
  pthread_mutex_lock(&bus->amu);
  /* The step's own reference: a later step may end the replay (and drop
   * its reference) while this one still routes. */
  aev__resource_ref(&bus->res);
  int64_t now = aev_broker_now_ms(bus->res.broker);
  if (cancelled || r->state == AEV__REPLAY_CANCELLING) {
    finish(r, AEV__REPLAY_CANCELLED, now);
  } else {
    r->state = AEV__REPLAY_RUNNING;
    run(r, now, &batch, &k);
  }
  int ended = r->state >= AEV__REPLAY_CANCELLED;
  pthread_mutex_unlock(&bus->amu);
  for (size_t i = 0; i < k; i++) {
    aev__event *e = replayed(batch[i], r->name);
    if (e) aev__bus_route_replay(bus, e, r->rules, r->n_rules);
    aev__event_unref(e);
    aev__event_unref(batch[i]);
  }
  free(batch);
  if (ended) aev_bus_release(bus);
  aev_bus_release(bus);
}
