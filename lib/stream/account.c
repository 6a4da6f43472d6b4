/* Kinesis's account-wide settings: the minimum throughput billing
 * commitment (On-demand Advantage). One registry resource per broker,
 * made by the first call that needs it. AWS's rules (the API reference's
 * MinimumThroughputBillingCommitmentInput): a commitment lasts at least
 * 24 hours; a disable asked before EarliestAllowedEndAt is scheduled for
 * then (ENABLED_UNTIL_EARLIEST_ALLOWED_END), and an enable before then
 * cancels it. The status is a function of the broker clock, computed when
 * read: nothing waits on the scheduled end, so no timer is kept. */
#include <pthread.h>
#include <stdlib.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/registry.h"
#include "core/status.h"
#include "stream/account.h"
#include "stream/stream_impl.h"

#define COMMITMENT_MIN_MS (24 * 3600 * 1000LL)

/* The last commitment: when it started (0: never), the earliest it may
 * end, and when it ended or is scheduled to end (0: not asked to). */
typedef struct commitment {
  int64_t started_ms, earliest_end_ms, ended_ms;
} commitment;

typedef struct kin_account {
  aev__resource res; /* first: the registry's view */
  pthread_mutex_t mu;
  commitment c; /* guarded by mu */
} kin_account;

static void account_destroy(aev__resource *r) {
  kin_account *a = (kin_account *)r;
  pthread_mutex_destroy(&a->mu);
  free(a);
}

static int account_new(aev_broker *b, aev__resource **out) {
  kin_account *a = calloc(1, sizeof *a);
  if (!a) return aev__nomem();
  if (pthread_mutex_init(&a->mu, NULL)) {
    free(a);
    return aev__nomem();
  }
  int rc = aev__resource_init(&a->res, b, AEV__KIND_KINESIS_ACCOUNT, "kinesis",
                              account_destroy, NULL);
  if (rc != AEV_OK) {
    pthread_mutex_destroy(&a->mu);
    free(a);
    return rc;
  }
  *out = &a->res;
  return AEV_OK;
}

/* The broker's account (a new reference). */
static int account_get(aev_broker *b, kin_account **out) {
  aev__resource *r = NULL;
  int rc = aev__broker_check_open(b);
  if (rc == AEV_OK)
    rc = aev__registry_singleton(b, AEV__KIND_KINESIS_ACCOUNT, "kinesis", account_new, &r);
  *out = (kin_account *)r;
  return rc;
}

enum { DISABLED, ENABLED, ENDING };

/* The commitment's state at now. */
static int state_at(const commitment *a, int64_t now) {
  if (!a->started_ms || (a->ended_ms && a->ended_ms <= now)) return DISABLED;
  return a->ended_ms ? ENDING : ENABLED;
}

int aev__kin_commitment(aev_broker *b, int64_t *started_ms) {
  kin_account *a;
  int rc = account_get(b, &a);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&a->mu);
  *started_ms = state_at(&a->c, aev_broker_now_ms(b)) == DISABLED ? 0 : a->c.started_ms;
  pthread_mutex_unlock(&a->mu);
  aev__resource_unref(&a->res);
  return AEV_OK;
}

static int set_time(json_t *j, const char *member, int64_t ms) {
  return json_object_set_new(j, member, json_integer((json_int_t)(ms / 1000)));
}

/* The answer both actions give: a commitment in force shows when it
 * started and may end; an ended one when it started and ended. */
static int settings_json(const commitment *a, int64_t now, json_t **out) {
  static const char *const names[] = {"DISABLED", "ENABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END"};
  int state = state_at(a, now);
  json_t *c = json_pack("{s:s}", "Status", names[state]);
  int failed = !c;
  if (!failed && a->started_ms) failed |= set_time(c, "StartedAt", a->started_ms);
  if (!failed && state != DISABLED)
    failed |= set_time(c, "EarliestAllowedEndAt", a->earliest_end_ms);
  if (!failed && state == DISABLED && a->ended_ms)
    failed |= set_time(c, "EndedAt", a->ended_ms);
  if (failed) {
    json_decref(c);
    return aev__nomem();
  }
  *out = json_pack("{s:o}", "MinimumThroughputBillingCommitment", c);
  return *out ? AEV_OK : aev__nomem();
}

int aev__kin_account_json(aev_broker *b, json_t **out) {
  kin_account *a;
  int rc = account_get(b, &a);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&a->mu);
  rc = settings_json(&a->c, aev_broker_now_ms(b), out);
  pthread_mutex_unlock(&a->mu);
  aev__resource_unref(&a->res);
  return rc;
}

/* The change. Enabling what is enabled, or disabling what is disabled or
 * already ending, changes nothing. */
static void update(commitment *a, int enable, int64_t now) {
  int state = state_at(a, now);
  if (enable && state == DISABLED) {
    a->started_ms = now;
    a->earliest_end_ms = now + COMMITMENT_MIN_MS;
    a->ended_ms = 0;
  } else if (enable && state == ENDING) {
    a->ended_ms = 0;
  } else if (!enable && state == ENABLED) {
    a->ended_ms = now > a->earliest_end_ms ? now : a->earliest_end_ms;
  }
}

/* The answer of a call that gave rc, as text in *out. */
static int dumped(int rc, json_t *j, char **out) {
  if (rc != AEV_OK) return rc;
  *out = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *out ? AEV_OK : aev__nomem();
}

/* The change, answered as JSON (out) and/or text (text), either may be
 * NULL. The answer is made first: out of memory, nothing changes. */
static int account_update(aev_broker *b, int enable, json_t **out, char **text) {
  kin_account *a;
  int rc = account_get(b, &a);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&a->mu);
  int64_t now = aev_broker_now_ms(b);
  commitment after = a->c;
  update(&after, enable, now);
  json_t *j = NULL;
  if (out || text) rc = settings_json(&after, now, &j);
  if (text) rc = dumped(rc, j, text);
  else if (out && rc == AEV_OK) *out = j;
  if (rc == AEV_OK) a->c = after;
  pthread_mutex_unlock(&a->mu);
  aev__resource_unref(&a->res);
  return rc;
}

int aev__kin_account_update(aev_broker *b, int enable, json_t **out) {
  return account_update(b, enable, out, NULL);
}

int aev_stream_describe_account_settings(aev_broker *b, char **response_json) {
  if (!b || !response_json) return aev__kin_invalid("Missing argument.");
  json_t *j = NULL;
  int rc = aev__kin_account_json(b, &j);
  return dumped(rc, j, response_json);
}

int aev_stream_update_account_settings(aev_broker *b, int enabled, char **response_json) {
  if (!b) return aev__kin_invalid("Missing argument.");
  return account_update(b, enabled != 0, NULL, response_json);
}
