/* Firehose's error table: names and wording of the delivery module. */
#include <stdarg.h>
#include <stdio.h>

#include "core/status.h"
#include "delivery/delivery_impl.h"

int aev__fh_not_found(const aev_broker *b, const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Firehose %s under account %s not found.",
                   name ? name : "", aev_broker_account(b));
}

int aev__fh_invalid(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return aev__fail(AEV_ERR_INVALID, "InvalidArgumentException", "%s", msg);
}

int aev__fh_validation(const char *value, const char *member,
                       const char *constraint) {
  return aev__fail_validation(value, member, constraint);
}
