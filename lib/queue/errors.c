/* SQS's error table: the error names and message wording the queue module
 * reports (AWS's JSON-protocol names; the API layer maps nothing). */
#include "api/api.h"
#include "core/status.h"
#include "queue/queue_impl.h"

int aev__sqs_no_queue(void) {
  return aev__fail(AEV_ERR_NOT_FOUND, "QueueDoesNotExist",
                   "The specified queue does not exist.");
}

/* A NULL where the typed API needs a handle, an array or an out-pointer. */
int aev__sqs_no_argument(void) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "Missing argument.");
}

int aev__sqs_invalid_value(const char *param, const char *value,
                           const char *reason) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "Value %s for parameter %s is invalid. Reason: %s", value,
                   param, reason);
}

int aev__sqs_invalid_int(const char *param, long long value,
                         const char *reason) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "Value %lld for parameter %s is invalid. Reason: %s", value,
                   param, reason);
}

int aev__sqs_missing(const char *param) {
  return aev__fail(AEV_ERR_INVALID, "MissingParameter",
                   "The request must contain the parameter %s.", param);
}

int aev__sqs_bad_handle(const char *handle) {
  return aev__fail(AEV_ERR_INVALID, "ReceiptHandleIsInvalid",
                   "The input receipt handle \"%s\" is not a valid receipt "
                   "handle.",
                   handle ? handle : "");
}

int aev__sqs_refuse_nul(const char *member, json_t *v) {
  json_t *req = json_pack("{s:O}", member, v);
  if (!req) return aev__nomem();
  int rc = aev__api_refuse_nul(&aev__api_sqs, req);
  json_decref(req);
  return rc;
}
