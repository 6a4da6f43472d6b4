/* The opaque broker options object and its validating setters. */
#include <stdlib.h>
#include <string.h>

#include "core/broker_impl.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"

/* A NULL options object or out-pointer, refused as every typed call
 * refuses a missing argument. */
static int no_options(void) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "Missing argument.");
}

int aev_broker_options_new(aev_broker_options **out) {
  if (!out) return no_options();
  aev_broker_options *o = calloc(1, sizeof *o);
  if (!o) return aev__nomem();
  strcpy(o->region, "us-east-1");
  strcpy(o->account, "000000000000");
  o->clock_mode = AEV_CLOCK_REAL;
  o->start_ms = AEV_MANUAL_CLOCK_DEFAULT_START_MS;
  o->workers = 2;
  o->log.max_level = AEV_LOG_INFO;
  *out = o;
  return AEV_OK;
}

static void release_sink(aev__log_sink *sink) {
  if (sink->release) sink->release(sink->user);
  memset(sink, 0, sizeof *sink);
}

void aev_broker_options_free(aev_broker_options *o) {
  if (!o) return;
  release_sink(&o->log);
  free(o);
}

static int invalid(const char *param, const char *value, const char *reason) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "Value %s for parameter %s is invalid. Reason: %s", value,
                   param, reason);
}

int aev_broker_options_set_region(aev_broker_options *o, const char *region) {
  if (!o) return no_options();
  size_t n = region ? strlen(region) : 0;
  if (n == 0 || n > 32 || strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
    return invalid("Region", region ? region : "(null)",
                   "Must be 1 to 32 lower-case letters, digits and dashes.");
  memcpy(o->region, region, n + 1);
  return AEV_OK;
}

int aev_broker_options_set_account(aev_broker_options *o, const char *account) {
  if (!o) return no_options();
  if (!account || strlen(account) != 12 || strspn(account, "0123456789") != 12)
    return invalid("Account", account ? account : "(null)",
                   "Must be a 12-digit AWS account id.");
  memcpy(o->account, account, 13);
  return AEV_OK;
}

int aev_broker_options_set_clock(aev_broker_options *o, int mode) {
  if (!o) return no_options();
  if (mode != AEV_CLOCK_REAL && mode != AEV_CLOCK_MANUAL)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %d for parameter ClockMode is invalid. Reason: "
                     "Must be AEV_CLOCK_REAL (0) or AEV_CLOCK_MANUAL (1).",
                     mode);
  o->clock_mode = mode;
  return AEV_OK;
}

int aev_broker_options_set_start_time_ms(aev_broker_options *o,
                                         int64_t epoch_ms) {
  if (!o) return no_options();
  if (epoch_ms < 0 || epoch_ms > AEV__CLOCK_MAX_MS)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %lld for parameter StartTime is invalid. Reason: "
                     "Must be 0 to %lld epoch milliseconds "
                     "(9999-12-31T23:59:59.999Z).",
                     (long long)epoch_ms, AEV__CLOCK_MAX_MS);
  o->start_ms = epoch_ms;
  o->has_start = 1;
  return AEV_OK;
}

int aev_broker_options_set_workers(aev_broker_options *o, int workers) {
  if (!o) return no_options();
  if (workers < 0 || workers > 64)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %d for parameter Workers is invalid. Reason: Must "
                     "be between 0 and 64.",
                     workers);
  o->workers = workers;
  return AEV_OK;
}

int aev_broker_options_set_seed(aev_broker_options *o, uint64_t seed) {
  if (!o) return no_options();
  o->seed = seed;
  o->has_seed = 1;
  return AEV_OK;
}

int aev_broker_options_set_log(aev_broker_options *o, aev_log_fn fn,
                               int max_level, void *user,
                               aev_release_fn release) {
  if (!o) return no_options();
  if (max_level < AEV_LOG_ERROR || max_level > AEV_LOG_DEBUG)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %d for parameter LogLevel is invalid. Reason: "
                     "Must be between AEV_LOG_ERROR (0) and AEV_LOG_DEBUG (3).",
                     max_level);
  release_sink(&o->log);
  o->log = (aev__log_sink){fn, max_level, user, release};
  return AEV_OK;
}
