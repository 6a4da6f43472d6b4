/* The answers of the durable execution reads: GetDurableExecution,
 * ListDurableExecutionsByFunction's items, the operations of
 * GetDurableExecutionState and of the invocation input, and
 * GetDurableExecutionHistory's events, in the Lambda API reference's
 * shapes (timestamps as epoch seconds). */
#include <stdlib.h>
#include <string.h>

#include "function/durable.h"

/* mu held: the members a summary and a description share. */
static json_t *summary_locked(aev__dexec *e) {
  json_t *o = json_pack("{sssssssssO}", "DurableExecutionArn", e->arn, "DurableExecutionName",
                        e->name, "FunctionArn", e->function_arn, "Status",
                        aev__dx_status_name(e->status), "StartTimestamp",
                        json_object_get(e->ops[0].o, "StartTimestamp"));
  if (e->status != AEV__DX_RUNNING) aev__fn_put(&o, "EndTimestamp", aev__dx_time(e->end_ms));
  return o;
}

json_t *aev__durable_summary(aev__dexec *e) {
  pthread_mutex_lock(&e->mu);
  json_t *o = summary_locked(e);
  pthread_mutex_unlock(&e->mu);
  return o;
}

json_t *aev__durable_describe(aev__dexec *e) {
  pthread_mutex_lock(&e->mu);
  json_t *o = summary_locked(e);
  aev__fn_put(&o, "InputPayload", json_string(e->input));
  aev__fn_put(&o, "Version", json_string(e->version));
  if (e->result) aev__fn_put(&o, "Result", json_incref(e->result));
  if (e->error) aev__fn_put(&o, "Error", json_incref(e->error));
  pthread_mutex_unlock(&e->mu);
  return o;
}

/* mu held: which operations a replay leaves out (1 in the array answered,
 * NULL when out of memory): the API reference ("Completed operations with
 * children don't include child operation details since they don't need
 * to be replayed"), unless the completed ancestor's
 * ContextDetails.ReplayChildren is true. One pass: an operation's parent
 * starts before it. */
static unsigned char *replay_free_locked(aev__dexec *e) {
  unsigned char *hidden = calloc(e->nops ? e->nops : 1, 1);
  json_t *at = json_object(); /* id -> position */
  int ok = hidden && at;
  for (size_t i = 0; ok && i < e->nops; i++) {
    json_t *o = e->ops[i].o;
    const char *parent = json_string_value(json_object_get(o, "ParentId"));
    json_t *k = parent ? json_object_get(at, parent) : NULL;
    if (k) {
      const json_t *p = e->ops[json_integer_value(k)].o;
      const char *status = json_string_value(json_object_get(p, "Status"));
      const int open = !status || !strcmp(status, "STARTED") || !strcmp(status, "PENDING") ||
                       !strcmp(status, "READY");
      json_t *replay = json_object_get(json_object_get(p, "ContextDetails"), "ReplayChildren");
      hidden[i] = hidden[json_integer_value(k)] || (!open && !json_is_true(replay));
    }
    ok = !json_object_set_new(at, json_string_value(json_object_get(o, "Id")),
                              json_integer((json_int_t)i));
  }
  json_decref(at);
  if (!ok) free(hidden);
  return ok ? hidden : NULL;
}

json_t *aev__durable_ops_page_locked(aev__dexec *e, size_t from, size_t max) {
  unsigned char *hidden = replay_free_locked(e);
  json_t *ops = hidden ? json_array() : NULL;
  size_t i = from, n = 0;
  for (; ops && i < e->nops && n < max; i++)
    if (!hidden[i]) {
      aev__fn_put(&ops, NULL, json_deep_copy(e->ops[i].o));
      n++;
    }
  free(hidden);
  json_t *page = json_pack("{so}", "Operations", ops);
  if (page && i < e->nops) aev__fn_put(&page, "NextMarker", json_sprintf("%zu", i));
  return page;
}

/* Drops the data members of an event's details (Input, Result, Error). */
static void strip_data(json_t *ev) {
  const char *k;
  json_t *v;
  json_object_foreach(ev, k, v) {
    if (!json_is_object(v)) continue;
    json_object_del(v, "Input");
    json_object_del(v, "Result");
    json_object_del(v, "Error");
  }
}

json_t *aev__durable_history(aev__dexec *e, int data, int reverse, size_t from,
                             size_t max, size_t *total) {
  json_t *events = json_array();
  pthread_mutex_lock(&e->mu);
  size_t n = json_array_size(e->events);
  *total = n;
  for (size_t i = from; events && i < n && i < from + max; i++) {
    json_t *ev = json_deep_copy(json_array_get(e->events, reverse ? n - 1 - i : i));
    if (ev && !data) strip_data(ev);
    aev__fn_put(&events, NULL, ev);
  }
  pthread_mutex_unlock(&e->mu);
  return events;
}
