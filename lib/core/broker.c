/* The broker: creation from options, the reference count that handles hold,
 * shutdown, the clock entry points and the seeded id generator. */
#include <stdlib.h>
#include <string.h>

#include "core/broker_impl.h"
#include "core/status.h"

int aev_broker_new(aev_broker_options *opts, aev_broker **out) {
  if (!out)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "aev_broker_new needs somewhere to store the broker.");
  aev_broker_options *defaults = NULL;
  if (!opts) {
    int rc = aev_broker_options_new(&defaults);
    if (rc) return rc;
    opts = defaults;
  }
  if (opts->has_start && opts->clock_mode == AEV_CLOCK_REAL)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "A start time is for a manual clock only: a real clock "
                     "shows the wall clock. Choose AEV_CLOCK_MANUAL or leave "
                     "the start time unset.");
  aev_broker *b = calloc(1, sizeof *b);
  int rc = b ? AEV_OK : aev__nomem();
  if (rc == AEV_OK) {
    b->refs = 1;
    memcpy(b->region, opts->region, sizeof b->region);
    memcpy(b->account, opts->account, sizeof b->account);
    aev__clock_init(&b->clock, opts->clock_mode, opts->start_ms);
    aev__rng_seed(&b->rng, opts->has_seed ? opts->seed : aev__rng_os_seed());
    pthread_mutex_init(&b->rng_mu, NULL);
    pthread_mutex_init(&b->quota_mu, NULL);
    pthread_mutex_init(&b->log_mu, NULL);
    pthread_cond_init(&b->log_idle, NULL);
    rc = aev__registry_new(&b->registry);
    if (rc == AEV_OK) rc = aev__sched_new(&b->clock, opts->workers, &b->sched);
    if (rc == AEV_OK) rc = aev__endpoints_new(&b->endpoints);
    if (rc != AEV_OK) {
      aev__broker_unref(b);
      b = NULL;
    }
  }
  if (rc == AEV_OK) {
    /* The broker takes over the log registration (and its release). */
    b->log = opts->log;
    memset(&opts->log, 0, sizeof opts->log);
    *out = b;
  }
  aev_broker_options_free(defaults);
  return rc;
}

void aev__broker_ref(aev_broker *b) { b->refs++; }

void aev__broker_unref(aev_broker *b) {
  if (--b->refs > 0) return;
  if (b->sched) {
    aev__sched_shutdown(b->sched);
    aev__sched_free(b->sched);
  }
  if (b->registry) aev__registry_free(b->registry);
  aev__endpoints_free(b->endpoints);
  pthread_mutex_destroy(&b->rng_mu);
  pthread_mutex_destroy(&b->quota_mu);
  pthread_mutex_destroy(&b->log_mu);
  pthread_cond_destroy(&b->log_idle);
  free(b);
}

int aev_broker_destroy(aev_broker *b) {
  if (!b) return AEV_OK;
  if (aev__sched_in_task(b->sched) || aev__log_in_callback(b))
    return aev__fail(AEV_ERR_BUSY, "InvalidState",
                     "aev_broker_destroy cannot be called from inside a "
                     "library callback.");
  int already = b->closed;
  b->closed = 1;
  if (already) return AEV_OK;
  /* Resources cancel their timers and wake blocked callers first, so the
   * scheduler's shutdown only waits for handlers already running. */
  aev__registry_shutdown(b->registry);
  aev__sched_shutdown(b->sched);
  aev__endpoints_close(b->endpoints);
  aev__log_close(b);
  aev__broker_unref(b);
  return AEV_OK;
}

int aev__broker_check_open(aev_broker *b) {
  if (!b->closed) return AEV_OK;
  return aev__fail(AEV_ERR_CLOSED, "ServiceUnavailable",
                   "The broker has been destroyed.");
}

aev__clock *aev__broker_clock(aev_broker *b) { return &b->clock; }
aev__sched *aev__broker_sched(aev_broker *b) { return b->sched; }
aev__registry *aev__broker_registry(aev_broker *b) { return b->registry; }

const char *aev_broker_region(const aev_broker *b) { return b ? b->region : NULL; }
const char *aev_broker_account(const aev_broker *b) { return b ? b->account : NULL; }
int aev_broker_clock_mode(const aev_broker *b) { return b ? b->clock.mode : -1; }
int64_t aev_broker_now_ms(const aev_broker *b) {
  return b ? aev__clock_now_ms(&b->clock) : 0;
}

static int no_broker(const char *call) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "%s needs a broker.", call);
}

int aev_broker_advance(aev_broker *b, int64_t ms) {
  if (!b) return no_broker("aev_broker_advance");
  int rc = aev__broker_check_open(b);
  return rc ? rc : aev__sched_advance(b->sched, ms);
}

int aev_broker_drain(aev_broker *b) {
  if (!b) return no_broker("aev_broker_drain");
  int rc = aev__broker_check_open(b);
  return rc ? rc : aev__sched_drain(b->sched);
}

int aev_broker_next_deadline(aev_broker *b, int64_t *out_epoch_ms) {
  if (!b || !out_epoch_ms)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "aev_broker_next_deadline needs a broker and somewhere to "
                     "store the deadline.");
  int64_t deadline;
  int rc = aev__broker_check_open(b);
  if (rc == AEV_OK) rc = aev__sched_next_deadline(b->sched, &deadline);
  if (rc == AEV_OK) *out_epoch_ms = aev__clock_mono_to_epoch(&b->clock, deadline);
  return rc;
}

void aev__broker_uuid(aev_broker *b, char out[AEV_UUID_LEN + 1]) {
  pthread_mutex_lock(&b->rng_mu);
  aev__uuid4(&b->rng, out);
  pthread_mutex_unlock(&b->rng_mu);
}

void aev__broker_token(aev_broker *b, char *out, size_t len) {
  pthread_mutex_lock(&b->rng_mu);
  aev__token_hex(&b->rng, out, len);
  pthread_mutex_unlock(&b->rng_mu);
}

uint64_t aev__broker_random(aev_broker *b) {
  pthread_mutex_lock(&b->rng_mu);
  uint64_t v = aev__rng_next(&b->rng);
  pthread_mutex_unlock(&b->rng_mu);
  return v;
}

void aev__broker_quota_lock(aev_broker *b) { pthread_mutex_lock(&b->quota_mu); }

void aev__broker_quota_unlock(aev_broker *b) { pthread_mutex_unlock(&b->quota_mu); }
