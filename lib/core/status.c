/* The per-thread AWS error code and message of the last failed call, and the
 * category names of aev_strerror. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "core/text.h"

static _Thread_local char last_code[64];
static _Thread_local char last_msg[AEV__MSG_MAX];

/* A message cut to the buffer may end inside a character: drop what is
 * left of it, so the message ends on whole text. */
static void drop_cut_character(char *s, size_t len) {
  size_t i = len;
  while (i > 0 && len - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
  if (i == 0) return;
  uint32_t cp;
  unsigned char lead = (unsigned char)s[i - 1];
  if (lead >= 0xC0 && !aev__utf8_next((const unsigned char *)s + i - 1, len - i + 1, &cp))
    s[i - 1] = 0;
}

int aev__fail(int status, const char *code, const char *fmt, ...) {
  snprintf(last_code, sizeof last_code, "%s", code ? code : "");
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(last_msg, sizeof last_msg, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof last_msg) drop_cut_character(last_msg, sizeof last_msg - 1);
  /* Every message ends up in a JSON error body. */
  aev__utf8_scrub(last_msg);
  return status;
}

int aev__nomem(void) {
  return aev__fail(AEV_ERR_NOMEM, "InternalFailure", "Out of memory.");
}

int aev__fail_validation(const char *value, const char *member,
                         const char *constraint) {
  if (!value)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at '%s' failed to "
                     "satisfy constraint: %s",
                     member, constraint);
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%s' at '%s' failed "
                   "to satisfy constraint: %s",
                   value, member, constraint);
}

int aev__fail_length(const char *value, const char *member, size_t n, size_t min, size_t max) {
  char constraint[80];
  snprintf(constraint, sizeof constraint, "Member must have length %s than or equal to %zu",
           n < min ? "greater" : "less", n < min ? min : max);
  return aev__fail_validation(value, member, constraint);
}

int aev__fail_range(long long v, const char *member, long long min, long long max) {
  char value[24], constraint[80];
  snprintf(value, sizeof value, "%lld", v);
  snprintf(constraint, sizeof constraint, "Member must have value %s than or equal to %lld",
           v > max ? "less" : "greater", v > max ? max : min);
  return aev__fail_validation(value, member, constraint);
}

const char *aev_errcode(void) { return last_code; }

const char *aev_errmsg(void) { return last_msg; }

const char *aev_strerror(int status) {
  static const char *const names[] = {
      [AEV_OK] = "success",
      [AEV_ERR_INVALID] = "invalid argument",
      [AEV_ERR_NOT_FOUND] = "not found",
      [AEV_ERR_EXISTS] = "already exists",
      [AEV_ERR_LIMIT] = "limit exceeded",
      [AEV_ERR_THROTTLED] = "throttled",
      [AEV_ERR_BUSY] = "busy",
      [AEV_ERR_NOMEM] = "out of memory",
      [AEV_ERR_STATE] = "invalid state",
      [AEV_ERR_UNSUPPORTED] = "unsupported",
      [AEV_ERR_CLOSED] = "broker closed",
      [AEV_ERR_INTERNAL] = "internal error",
  };
  if (status < 0 || (size_t)status >= sizeof names / sizeof names[0])
    return "unknown status";
  return names[status];
}
