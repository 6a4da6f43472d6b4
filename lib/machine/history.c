/* Execution history: events numbered from 1 as AWS numbers them (failure
 * causes quote "entered at the event id #N"), with previousEventId,
 * timestamps as the JSON protocol carries them (epoch seconds) and AWS's
 * detail members. EXPRESS executions count ids without recording.
 *
 * Recording is on every transition of a STANDARD execution, reading is
 * rare, so events are stored as compact records and turned into AWS's JSON
 * only when the history is read: a state's Entered / Exited event keeps a
 * reference to the state's input or output (values are never changed once
 * made: ResultPath, Parameters and the context object copy on write) and
 * its text is dumped then, byte for byte what an eager dump would give. */
#include <stdlib.h>
#include <string.h>

#include "core/json_build.h"
#include "core/json_dump.h"
#include "machine/machine_int.h"

typedef struct m_event {
  int64_t id, prev, ms;
  const char *type;
  /* Either built details under dkey, or a state event: the state's name
   * (borrowed from the execution's definition) and its input (entered) or
   * output (exited), or the execution's end (end set): its output, or its
   * error and cause, borrowed from the execution, which keeps them until a
   * redrive hands them over (owned set). */
  const char *dkey;
  json_t *details;
  const char *state;
  json_t *data;
  json_t *assigned; /* an Exited event's assignedVariables: name -> value */
  int entered;
  int end, owned;
  const char *output, *error, *cause;
} m_event;

struct m_history {
  m_event *ev;
  size_t n, cap;
  int short_of_room; /* it could not grow: the execution must end */
  int lost_event;    /* an event's details could not be built: likewise */
};

/* Room for the first events from the start: ExecutionStarted, recorded
 * once StartExecution has listed the execution, cannot fail for memory. */
#define FIRST_EVENTS 32

/* Room kept free beyond the events recorded. When the history cannot grow
 * to keep it, the execution ends at its next state or Map iteration
 * (aev__run_history_full), and what it records until then, its end
 * included, still fits: AWS never loses an event. */
#define HEADROOM 16

m_history *aev__hist_new(void) {
  m_history *h = calloc(1, sizeof *h);
  if (h && !(h->ev = malloc(FIRST_EVENTS * sizeof *h->ev))) {
    free(h);
    return NULL;
  }
  if (h) h->cap = FIRST_EVENTS;
  return h;
}

void aev__hist_free(m_history *h) {
  if (!h) return;
  for (size_t i = 0; i < h->n; i++) {
    json_decref(h->ev[i].details);
    json_decref(h->ev[i].data);
    json_decref(h->ev[i].assigned);
    if (h->ev[i].owned) {
      free((char *)h->ev[i].output);
      aev__exec_reason_free((char *)h->ev[i].error);
      aev__exec_reason_free((char *)h->ev[i].cause);
    }
  }
  free(h->ev);
  free(h);
}

int aev__hist_take_end(m_history *h) {
  for (size_t i = h ? h->n : 0; i-- > 0;) {
    if (!h->ev[i].end) continue;
    /* Owned already: an earlier attempt's, this one's end was not kept. */
    if (h->ev[i].owned) return 0;
    h->ev[i].owned = 1;
    return 1;
  }
  return 0;
}

/* Keeps HEADROOM free slots, or notes that it cannot. */
static void keep_headroom(m_history *h) {
  if (h->short_of_room || h->n + HEADROOM < h->cap) return;
  m_event *grown = realloc(h->ev, h->cap * 2 * sizeof *grown);
  if (!grown) {
    h->short_of_room = 1;
    return;
  }
  h->ev = grown;
  h->cap *= 2;
}

/* Appends ev under e's lock (readers take it too); 0 on success. */
static int push(aev_execution *e, const m_event *ev) {
  m_history *h = e->history;
  pthread_mutex_lock(&e->mu);
  keep_headroom(h);
  int full = h->n == h->cap; /* the headroom used up: not expected */
  if (!full) h->ev[h->n++] = *ev;
  pthread_mutex_unlock(&e->mu);
  return full ? -1 : 0;
}

int aev__hist_short(aev_execution *e) {
  if (!e->history) return 0;
  pthread_mutex_lock(&e->mu);
  int short_of_room = e->history->short_of_room;
  pthread_mutex_unlock(&e->mu);
  return short_of_room;
}

int aev__hist_lost(aev_execution *e) {
  if (!e->history) return 0;
  pthread_mutex_lock(&e->mu);
  int lost = e->history->lost_event;
  pthread_mutex_unlock(&e->mu);
  return lost;
}

static void record(aev_execution *e, m_event *ev) {
  ev->ms = aev__clock_now_ms(aev__broker_clock(e->b));
  if (push(e, ev)) {
    json_decref(ev->details);
    json_decref(ev->data);
    json_decref(ev->assigned);
  }
}

int64_t aev__hist_add(aev_execution *e, const char *type, int64_t previous, const char *dkey,
                      json_t *details) {
  if (e->history && dkey && !details) {
    /* Never an event without its details: none, and the execution ends
     * (aev__run_history_full, aev__exec_end). */
    pthread_mutex_lock(&e->mu);
    e->history->lost_event = 1;
    pthread_mutex_unlock(&e->mu);
    return previous;
  }
  int64_t id = ++e->events;
  if (!e->history || !dkey) {
    json_decref(details);
    details = NULL;
  }
  if (!e->history) return id;
  m_event ev = {.id = id, .prev = previous, .type = type, .dkey = dkey, .details = details};
  record(e, &ev);
  return id;
}

int64_t aev__hist_end(aev_execution *e, const char *type, int64_t previous, const char *dkey,
                      const char *output, const char *error, const char *cause) {
  int64_t id = ++e->events;
  if (!e->history) return id;
  m_event ev = {.id = id, .prev = previous, .type = type, .dkey = dkey, .end = 1,
                .output = output, .error = error, .cause = cause};
  record(e, &ev);
  return id;
}

int64_t aev__hist_state(aev_execution *e, const char *type, int64_t previous, const char *state,
                        int entered, json_t *data, json_t *assigned) {
  int64_t id = ++e->events;
  if (!e->history) {
    json_decref(assigned);
    return id;
  }
  m_event ev = {.id = id, .prev = previous, .type = type, .state = state, .entered = entered,
                .data = json_incref(data), .assigned = assigned};
  record(e, &ev);
  return id;
}

/* A value as an event's text: jansson's own output, valid UTF-8 already,
 * so it is not scanned again. NULL out of memory. */
static json_t *text_of(json_t *v) {
  char *t = aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  json_t *s = t ? json_string_nocheck(t) : NULL;
  free(t);
  return s;
}

/* assignedVariables: each variable's value as its JSON text, as AWS
 * records them ({"x": "42", "s": "\"text\""}). NULL out of memory. */
static json_t *assigned_details(json_t *assigned) {
  json_t *o = json_object(), *v;
  const char *k;
  int lost = !o;
  json_object_foreach(assigned, k, v) lost = lost || json_object_set_new(o, k, text_of(v));
  return aev__json_whole(o, !lost);
}

/* A state event's details: {"name", "input"|"output": text,
 * "inputDetails"|"outputDetails": {"truncated": false}}, and an Exited
 * event's assignedVariables with their details. NULL out of memory
 * (set_new answers -1 for a NULL object or value, so one check covers
 * each member). */
static json_t *state_details(const m_event *ev) {
  json_t *d = json_object();
  int lost = json_object_set_new_nocheck(d, "name", json_string(ev->state));
  lost |= json_object_set_new_nocheck(d, ev->entered ? "input" : "output", text_of(ev->data));
  lost |= json_object_set_new_nocheck(d, ev->entered ? "inputDetails" : "outputDetails",
                                      json_pack("{s:b}", "truncated", 0));
  if (ev->assigned) {
    lost |= json_object_set_new_nocheck(d, "assignedVariables", assigned_details(ev->assigned));
    lost |= json_object_set_new_nocheck(d, "assignedVariablesDetails", json_pack("{s:b}", "truncated", 0));
  }
  if (lost) {
    json_decref(d);
    return NULL;
  }
  return d;
}

/* The execution's end event's details: its output (a success), or its
 * error and cause. NULL out of memory. */
static json_t *end_details(const m_event *ev) {
  if (ev->output)
    return json_pack("{s:s,s:{s:b}}", "output", ev->output, "outputDetails", "truncated", 0);
  return aev__json_present("error", ev->error, "cause", ev->cause);
}

/* The event as AWS lists it; NULL out of memory. */
static json_t *event_json(const m_event *ev) {
  json_t *o = json_object();
  int lost = json_object_set_new_nocheck(o, "timestamp", json_real((double)ev->ms / 1000.0));
  lost |= json_object_set_new_nocheck(o, "type", json_string_nocheck(ev->type));
  lost |= json_object_set_new_nocheck(o, "id", json_integer(ev->id));
  lost |= json_object_set_new_nocheck(o, "previousEventId", json_integer(ev->prev));
  if (ev->state)
    lost |= json_object_set_new_nocheck(
        o, ev->entered ? "stateEnteredEventDetails" : "stateExitedEventDetails", state_details(ev));
  else if (ev->end)
    lost |= json_object_set_new_nocheck(o, ev->dkey, end_details(ev));
  else if (ev->details)
    lost |= json_object_set_new_nocheck(o, ev->dkey, json_incref(ev->details));
  if (lost) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *aev__hist_json(aev_execution *e) {
  json_t *events = json_array();
  if (!events) return NULL;
  pthread_mutex_lock(&e->mu);
  m_history *h = e->history;
  for (size_t i = 0; i < h->n; i++) {
    json_t *ev = event_json(&h->ev[i]);
    if (!ev || json_array_append_new(events, ev)) {
      pthread_mutex_unlock(&e->mu);
      json_decref(events);
      return NULL;
    }
  }
  pthread_mutex_unlock(&e->mu);
  return events;
}
