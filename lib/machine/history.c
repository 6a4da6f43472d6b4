/* Execution history: events numbered from 1 as AWS numbers them (failure
 * causes quote "entered at the event id #N"), with previousEventId,
 * timestamps as the JSON protocol carries them (epoch seconds) and AWS's
 * detail members. EXPRESS executions count ids without recording. */
#include <stdlib.h>

#include "machine/machine_int.h"

int64_t aev__hist_add(aev_execution *e, const char *type, int64_t previous, const char *dkey,
                      json_t *details) {
  int64_t id = ++e->events;
  if (!e->history) {
    json_decref(details);
    return id;
  }
  double ts = (double)aev__clock_now_ms(aev__broker_clock(e->b)) / 1000.0;
  /* Member by member (no format parsing, no key validation): one event per
   * transition of every STANDARD execution. */
  json_t *ev = json_object();
  json_object_set_new_nocheck(ev, "timestamp", json_real(ts));
  json_object_set_new_nocheck(ev, "type", json_string_nocheck(type));
  json_object_set_new_nocheck(ev, "id", json_integer(id));
  json_object_set_new_nocheck(ev, "previousEventId", json_integer(previous));
  if (dkey && details) json_object_set_new_nocheck(ev, dkey, details);
  else json_decref(details);
  pthread_mutex_lock(&e->mu);
  json_array_append_new(e->history, ev);
  pthread_mutex_unlock(&e->mu);
  return id;
}
