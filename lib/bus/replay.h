/* Internal to lib/bus's replays: a replay as StartReplay makes it and the
 * replay APIs show it (replay.c), and as it runs on the broker clock
 * (replay_run.c). Every field is under its bus's amu. */
#ifndef AEV_BUS_REPLAY_H
#define AEV_BUS_REPLAY_H

#include "bus/bus_impl.h"

/* Replay states, as AWS names them (in replay.c's state_names); a replay
 * has ended once its state is AEV__REPLAY_CANCELLED or later. */
enum {
  AEV__REPLAY_STARTING,
  AEV__REPLAY_RUNNING,
  AEV__REPLAY_CANCELLING,
  AEV__REPLAY_CANCELLED,
  AEV__REPLAY_COMPLETED,
  AEV__REPLAY_FAILED
};

struct aev__replay {
  aev__replay *next;
  aev_bus *bus;        /* its bus: a counted reference until it ends */
  aev__timer timer;    /* its next step */
  char *name, *arn, *description, *archive_arn;
  const char *archive; /* the archive's name, in archive_arn */
  json_t *filter_arns; /* as given, for DescribeReplay */
  uint64_t *rules;     /* their rule ids */
  size_t n_rules;
  int state;
  uint64_t seq; /* the broker's replays started before it */
  int64_t from_ms, to_ms, cursor_ms, last_ms; /* event time */
  int64_t started_s, ended_s;
  /* The archive's events from the cursor on, by time, as read at read_ms
   * (NULL: not read yet). */
  aev__event **events;
  size_t n, next_event;
  int64_t read_ms;
  /* Set while it waits for a minute to pass: for the minute of the first
   * event it read and has not replayed, or for to_ms (wake_ms, epoch). */
  int waiting;
  int64_t wake_ms;
};

/* Sets a new replay going: it is STARTING until its first step, a minute
 * from now (amu held). Fails only once the broker is shutting down. */
int aev__replay_begin(aev__replay *r);

/* CancelReplay of a STARTING or RUNNING replay (amu held): it is
 * CANCELLING until its next step, at most a second away, ends it. */
void aev__replay_cancel(aev__replay *r);

/* An event its archive just kept (amu held): a replay waiting past that
 * event's minute wakes at its end instead. */
void aev__replay_archived(aev__replay *r, const aev__event *ev);

/* Drops the events it read and has not replayed yet (amu held). */
void aev__replay_drop_events(aev__replay *r);

#endif
