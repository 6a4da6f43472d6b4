/* Internal: setting the thread-local AWS error code and message. */
#ifndef AEV_CORE_STATUS_H
#define AEV_CORE_STATUS_H

#include "awsevents/common.h"

/* The room of aev_errmsg()'s text, its NUL included: enough for AWS's
 * messages that quote a caller's value at its longest (a name of 256
 * four-byte characters, say) with the text around it. */
#define AEV__MSG_MAX 4096

/* Records code (an AWS error name, copied) and a printf-formatted message as
 * this thread's last error and returns status, so callers can write
 * `return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "...", ...);` */
int aev__fail(int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns AEV_ERR_NOMEM after recording the generic out-of-memory error. */
int aev__nomem(void);

/* AEV_ERR_INVALID with ValidationException worded as the front end of
 * AWS's JSON-protocol services (Kinesis, Firehose, ...) words a constraint
 * violation: "1 validation error detected: Value 'V' at 'member' failed to
 * satisfy constraint: C" (without the value when value is NULL). */
int aev__fail_validation(const char *value, const char *member,
                         const char *constraint);
/* The same for a length n outside min..max (characters, bytes or items, as
 * the member counts): "Member must have length greater than or equal to
 * min" below it, "less than or equal to max" above. */
int aev__fail_length(const char *value, const char *member, size_t n, size_t min, size_t max);
/* The same for a number v outside min..max, shown as the value: "Member
 * must have value less than or equal to max" above max, "greater than or
 * equal to min" otherwise (for callers that also allow a value below min,
 * such as 0 for "the default"). */
int aev__fail_range(long long v, const char *member, long long min, long long max);

#endif
