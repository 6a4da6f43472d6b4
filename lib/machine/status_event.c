/* Execution status-change events on the default bus, as Step Functions
 * emits them for STANDARD executions: source "aws.states", detail-type
 * "Step Functions Execution Status Change", the execution's ARN as the
 * resource, and DescribeExecution-like detail with dates in epoch ms. */
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "core/json_dump.h"
#include "machine/machine_int.h"

void aev__exec_status_event(aev_execution *e) {
  if (e->type != AEV_MACHINE_STANDARD) return;
  /* The event (with the execution's input and output) is built only when a
   * rule or an archive of the default bus could see it. */
  if (!aev__bus_listening(e->b, "default")) return;
  pthread_mutex_lock(&e->mu);
  json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:{s:b}}", "executionArn", e->arn, "stateMachineArn",
                        e->m->res.arn, "name", e->name, "status", aev__exec_status_name(e->status),
                        "startDate", (json_int_t)e->start_ms, "input", e->input, "inputDetails",
                        "included", 1);
  /* set_new answers -1 for a NULL object or value: one check a member. */
  int lost = json_object_set_new(d, "stopDate", aev__exec_closed(e) ? json_integer(e->stop_ms) : json_null());
  lost |= json_object_set_new(d, "output", e->output ? json_string(e->output) : json_null());
  lost |= json_object_set_new(d, "outputDetails", e->output ? json_pack("{s:b}", "included", 1) : json_null());
  lost |= json_object_set_new(d, "error", e->error ? json_string(e->error) : json_null());
  lost |= json_object_set_new(d, "cause", e->cause ? json_string(e->cause) : json_null());
  json_t *res = json_pack("[s]", e->arn);
  pthread_mutex_unlock(&e->mu);
  /* Out of memory, no event rather than one with a member left out. */
  char *detail = lost ? NULL : aev__json_dumps(d, JSON_COMPACT);
  char *resources = detail ? aev__json_dumps(res, JSON_COMPACT) : NULL;
  if (detail && resources)
    aev__bus_put_service_event(e->b, "default", "aws.states", "Step Functions Execution Status Change",
                               detail, strlen(detail), resources, NULL);
  free(detail);
  free(resources);
  json_decref(d);
  json_decref(res);
}
