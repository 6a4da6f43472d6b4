/* SNS's error wording in one place: InvalidParameter ("Invalid parameter:
 * ..."), NotFound and the missing-member message of its query API. */
#include <stdarg.h>
#include <stdio.h>

#include "core/status.h"
#include "topic/topic_impl.h"

int aev__sns_invalid(const char *fmt, ...) {
  char msg[AEV__MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return aev__fail(AEV_ERR_INVALID, "InvalidParameter", "%s", msg);
}

int aev__sns_not_found(const char *what) {
  return aev__fail(AEV_ERR_NOT_FOUND, "NotFound", "%s does not exist", what);
}

int aev__sns_missing(const char *param) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                   "Invalid parameter: %s", param);
}
