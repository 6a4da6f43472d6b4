/* Tumbling windows on stream mappings (TumblingWindowInSeconds, Lambda's
 * "stateful processing"): each record belongs to the window
 * [floor(arrival / W) * W, + W) of its ApproximateArrivalTimestamp; a
 * batch never spans two windows; the state the function returns is handed
 * to its next invocation in the same window; once the window has ended
 * (the broker clock passed its end, or a record of a later window is
 * next) a final invocation with no records and isFinalInvokeForWindow
 * true gets the state, and a failed final invocation holds the partition
 * until it succeeds. A response without a "state" object is a failed
 * invocation, and a state over 1 MB ends the window early
 * (isWindowTerminatedEarly), after which the window goes on with a fresh
 * state, as Lambda documents. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "stream/mapping_impl.h"

#define STATE_MAX (1 << 20)

int64_t aev__window_of(const aev__mapping *m, int64_t arrival_ms) {
  int64_t w = (int64_t)m->tumbling_s * 1000;
  return arrival_ms - arrival_ms % w;
}

int64_t aev__window_end(const aev__mapping *m, int64_t start_ms) {
  return start_ms + (int64_t)m->tumbling_s * 1000;
}

json_t *aev__window_state(const char *payload) {
  json_t *resp; /* not JSON, or out of memory: the call failed, to be retried */
  if (aev__json_parse_str(payload, 0, &resp)) return NULL;
  json_t *state = json_incref(json_object_get(resp, "state"));
  json_decref(resp);
  if (json_is_object(state)) return state;
  json_decref(state);
  return NULL;
}

void aev__window_keep(aev__mpart *part, int64_t win_start, json_t *state) {
  json_decref(part->state);
  part->state = state;
  part->win_start = win_start;
  part->win_open = 1;
  char *text = aev__json_dumps(state, JSON_COMPACT);
  part->early = !text || strlen(text) > STATE_MAX;
  free(text);
}

void aev__window_final_done(aev__mpart *part, int ok, int64_t mnow) {
  if (!ok) {
    /* Processing of the shard waits for the final invocation. */
    int64_t wait = 1000LL << (part->attempts < 6 ? part->attempts : 6);
    part->attempts++;
    part->retry_at = mnow + (wait > 60000 ? 60000 : wait);
    return;
  }
  json_decref(part->state);
  part->state = NULL;
  part->attempts = 0;
  /* Ended early, the same window goes on with a fresh state. */
  if (part->early)
    part->early = 0;
  else
    part->win_open = 0;
}
