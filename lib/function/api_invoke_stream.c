/* InvokeWithResponseStream through aev_call(): Invoke's synchronous run
 * (aev__function_invoke_sync) answered as AWS's event stream. AWS keeps an
 * HTTP event stream open while the handler writes; a request/response call
 * answers once the invocation is over, with the events in the order Lambda
 * sent them: {"StatusCode": 200, "ExecutedVersion", "ResponseStreamContentType",
 * "EventStream": [{"PayloadChunk": {"Payload": BASE64}}, ...,
 * {"InvokeComplete": {...}}]}, the list boto3 iterates over (as
 * SubscribeToShard answers its events); Payload is a blob, base64 as the
 * JSON protocol carries blobs, since a chunk may end inside a character. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/api_fnconf.h"
#include "function/function.h"

static json_t *chunk_event(const char *data, size_t len) {
  char *b64 = NULL;
  json_t *o = aev__base64_encode(data, len, &b64) == AEV_OK
                  ? json_pack("{s{ss}}", "PayloadChunk", "Payload", b64)
                  : NULL;
  free(b64);
  return o;
}

/* InvokeComplete: a function error (the handler failed, timed out, or
 * its response outgrew the limit) shows here as ErrorCode (its errorType)
 * and ErrorDetails (its errorMessage), not as an HTTP error: the stream
 * had begun (InvokeWithResponseStreamCompleteEvent). */
static json_t *complete_event(const aev__sync_result *r, int tail) {
  json_t *o = json_object();
  if (r->function_error) {
    json_t *err = NULL;
    if (aev__json_parse(r->payload, r->len, 0, &err, NULL) == AEV_ERR_NOMEM) {
      json_decref(o);
      return NULL;
    }
    const char *type = json_string_value(json_object_get(err, "errorType"));
    const char *msg = json_string_value(json_object_get(err, "errorMessage"));
    aev__fn_put(&o, "ErrorCode", json_string(type ? type : r->function_error));
    aev__fn_put(&o, "ErrorDetails", msg ? json_string(msg) : json_stringn(r->payload, r->len));
    json_decref(err);
  }
  if (tail) aev__fn_put(&o, "LogResult", aev__fn_api_log_result(r));
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
  static const char *const types[] = {"RequestResponse", "DryRun", NULL};
  int rc = aev__fn_api_enum(svc, req, "InvocationType", "invocationType", types, &type);
  if (rc == AEV_OK) rc = aev__fn_api_enum(svc, req, "LogType", "logType", aev__fn_log_types, &log);
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
    rc = aev__function_invoke_sync(f, q, NULL, payload, len, 1, &r);
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
