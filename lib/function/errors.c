/* Lambda's error names and wording: ResourceNotFoundException,
 * InvalidParameterValueException, PreconditionFailedException,
 * TooManyRequestsException and the JSON front end's ValidationException
 * for out-of-range members. */
#include <stdarg.h>
#include <stdio.h>

#include "core/status.h"
#include "function/function_impl.h"

int aev__fn_not_found(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Function not found: %s", name);
}

int aev__fn_invalid(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException", "%s",
                   msg);
}

/* A RevisionId that is not the function's current one. */
int aev__fn_stale_revision(void) {
  return aev__fail(AEV_ERR_STATE, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest "
                   "Revision Id. Call the GetFunction/GetAlias API to "
                   "retrieve the latest Revision Id");
}

/* Reserved concurrency reached (Reason
 * ReservedFunctionConcurrentInvocationLimitExceeded). */
int aev__fn_throttled(void) {
  return aev__fail(AEV_ERR_THROTTLED, "TooManyRequestsException",
                   "Rate Exceeded.");
}

int aev__fn_recursive(void) {
  return aev__fail(AEV_ERR_LIMIT, "RecursiveInvocationException", "%s", AEV__FN_RECURSIVE_MSG);
}

int aev__fn_range(const char *member, long long v, long long min,
                  long long max) {
  if (v >= min && v <= max) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%lld' at '%s' failed "
                   "to satisfy constraint: Member must have value %s %lld",
                   v, member,
                   v < min ? "greater than or equal to" : "less than or equal to",
                   v < min ? min : max);
}
