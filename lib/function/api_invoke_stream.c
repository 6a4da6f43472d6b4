/* InvokeWithResponseStream through aev_call(): Invoke's synchronous run
 * (aev__function_invoke_sync) answered as AWS's event stream. AWS keeps an
 * HTTP event stream open while the handler writes; a request/response call
 * answers once the invocation is over, with the events in the order Lambda
 * sent them: {"StatusCode": 200, "ExecutedVersion", "ResponseStreamContentType",
 * "EventStream": [{"PayloadChunk": {"Payload": BASE64}}, ...,
 * {"InvokeComplete": {...}}]}, the list boto3 iterates over (as
 * SubscribeToShard answers its events); Payload is a blob, base64 as the
 * JSON protocol carries blobs, since a chunk may end inside a character. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/api_fnconf.h"
#include "function/function.h"

/* An optional enum member of this action's model, refused in the words
 * Invoke refuses its InvocationType (InvalidParameterValueException). */
static int enum_member(const aev__api_service *svc, json_t *req, const char *name,
                       const char *member, const char *first, const char *second,
                       const char **out) {
  int rc = aev__api_opt_string(svc, req, name, out);
  if (rc != AEV_OK || !strcmp(*out, first) || !strcmp(*out, second)) return rc;
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                   "constraint: Member must satisfy enum value set: [%s, %s]",
                   *out, member, first, second);
}

static json_t *chunk_event(const char *data, size_t len) {
  char *b64 = NULL;
  json_t *o = aev__base64_encode(data, len, &b64) == AEV_OK
                  ? json_pack("{s{ss}}", "PayloadChunk", "Payload", b64)
                  : NULL;
  free(b64);
  return o;
}

/* LogType Tail: the last 4 KB of the execution log, base64. Lambda writes
 * START, END and REPORT lines for every invocation (Lambda developer
 * guide, "Working with Lambda function logs"); the handler's own output
 * is not captured here, nor the memory it used, so those are left out. */
static json_t *log_result(const aev__sync_result *r) {
  char log[512];
  long long ms = (long long)r->duration_ms;
  int n = snprintf(log, sizeof log,
                   "START RequestId: %s Version: %s\nEND RequestId: %s\n"
                   "REPORT RequestId: %s\tDuration: %lld.00 ms\tBilled Duration: %lld ms\t"
                   "Memory Size: %d MB\t\n",
                   r->request_id, r->executed_version, r->request_id, r->request_id, ms,
                   ms > 0 ? ms : 1, r->memory_mb);
  size_t len = n < 0 ? 0 : (size_t)n < sizeof log ? (size_t)n : sizeof log - 1;
  size_t from = len > 4096 ? len - 4096 : 0;
  char *b64 = NULL;
  json_t *s = aev__base64_encode(log + from, len - from, &b64) == AEV_OK ? json_string(b64) : NULL;
  free(b64);
  return s;
}

/* InvokeComplete: a function error (the handler failed, timed out, or
 * its response outgrew the limit) shows here as ErrorCode (its errorType)
 * and ErrorDetails (its errorMessage), not as an HTTP error: the stream
 * had begun (InvokeWithResponseStreamCompleteEvent). */
static json_t *complete_event(const aev__sync_result *r, int tail) {
  json_t *o = json_object();
  if (r->function_error) {
    json_t *err = NULL;
    aev__json_parse(r->payload, r->len, 0, &err, NULL);
    const char *type = json_string_value(json_object_get(err, "errorType"));
    const char *msg = json_string_value(json_object_get(err, "errorMessage"));
    aev__fn_put(&o, "ErrorCode", json_string(type ? type : r->function_error));
    aev__fn_put(&o, "ErrorDetails", msg ? json_string(msg) : json_stringn(r->payload, r->len));
    json_decref(err);
  }
  if (tail) aev__fn_put(&o, "LogResult", log_result(r));
  return o ? json_pack("{so}", "InvokeComplete", o) : NULL;
}

/* The events: each chunk the handler streamed; a handler that did not
 * stream answers its whole result as one chunk, as Lambda streams a
 * buffered function's response; then InvokeComplete. */
static json_t *event_stream(const aev__sync_result *r, int tail) {
  json_t *list = json_array();
  const char *data = r->stream ? r->stream : r->payload;
  size_t from = 0;
  for (size_t i = 0; i < r->n_chunks; i++) {
    aev__fn_put(&list, NULL, chunk_event(data + from, r->chunk_ends[i] - from));
    from = r->chunk_ends[i];
  }
  if (!r->n_chunks && !r->function_error)
    aev__fn_put(&list, NULL, chunk_event(r->payload, r->len));
  aev__fn_put(&list, NULL, complete_event(r, tail));
  return list;
}

AEV__FN_API_ACTION(aev__fn_api_invoke_stream) {
  const char *type = "RequestResponse", *log = "None", *payload, *q;
  size_t len;
  char *owned = NULL, buf[512];
  aev_function *f;
  /* Only RequestResponse and DryRun: a stream has no asynchronous
   * (Event) form (ResponseStreamingInvocationType). */
  int rc = enum_member(svc, req, "InvocationType", "invocationType", "RequestResponse",
                       "DryRun", &type);
  if (rc == AEV_OK) rc = enum_member(svc, req, "LogType", "logType", "None", "Tail", &log);
  if (rc == AEV_OK) rc = aev__fn_api_invoked(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_api_payload(req, &payload, &len, &owned);
  if (rc == AEV_OK && !strcmp(type, "DryRun")) {
    /* "For the DryRun invocation type, this status code is 204"; nothing
     * runs, so nothing is streamed. */
    rc = aev__function_dry_run(f, q, payload, len);
    if (rc == AEV_OK && !(*resp = json_pack("{sis[]}", "StatusCode", 204, "EventStream")))
      rc = aev__nomem();
  } else if (rc == AEV_OK) {
    aev__sync_result r;
    rc = aev__function_invoke_sync(f, q, payload, len, 1, &r);
    if (rc == AEV_OK) {
      /* The Node.js runtime streams application/octet-stream unless the
       * handler sets another type; a buffered result is JSON. */
      *resp = json_pack("{sissssso}", "StatusCode", 200, "ExecutedVersion", r.executed_version,
                        "ResponseStreamContentType",
                        r.n_chunks ? "application/octet-stream" : "application/json",
                        "EventStream", event_stream(&r, !strcmp(log, "Tail")));
      aev__sync_result_free(&r);
      if (!*resp) rc = aev__nomem();
    }
  }
  free(owned);
  aev_function_release(f);
  return rc;
}
