/* LogType Tail of Invoke and InvokeWithResponseStream: LogResult, "the
 * last 4 KB of the execution log, which is base64-encoded". */
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "core/status.h"
#include "function/api_fnconf.h"
#include "function/function.h"

const char *const aev__fn_log_types[] = {"None", "Tail", NULL};

/* Lambda writes START, END and REPORT lines for every invocation (Lambda
 * developer guide, "Working with Lambda function logs"); the handler's
 * own output is not captured here, nor the memory it used, so those are
 * left out. */
json_t *aev__fn_api_log_result(const aev__sync_result *r) {
  char log[512];
  long long ms = (long long)r->duration_ms;
  int n = snprintf(log, sizeof log,
                   "START RequestId: %s Version: %s\nEND RequestId: %s\n"
                   "REPORT RequestId: %s\tDuration: %lld.00 ms\tBilled Duration: %lld ms\t"
                   "Memory Size: %d MB\t\n",
                   r->request_id, r->executed_version, r->request_id, r->request_id, ms,
                   ms > 0 ? ms : 1, r->memory_mb);
  /* Three lines, well under the 4 KB kept. */
  size_t len = n < 0 ? 0 : (size_t)n < sizeof log ? (size_t)n : sizeof log - 1;
  char *b64 = NULL;
  json_t *s = aev__base64_encode(log, len, &b64) == AEV_OK ? json_string(b64) : NULL;
  free(b64);
  return s;
}
