/* Event (asynchronous) invocations: Lambda's internal queue (each attempt
 * a handler-pool task, each retry first a timer). Function errors are retried MaximumRetryAttempts times, one
 * minute and then two minutes after the failure; throttles are retried
 * with backoff from 1 s doubling up to 5 min; an event older than
 * MaximumEventAgeInSeconds is given up (EventAgeExceeded). Outcomes go to
 * the destinations (dest.c). */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/durable.h"
#include "function/function_impl.h"
#include "function/lineage.h"

#define RETRY_STEP_MS 60000     /* 1 min, then 2 min */
#define THROTTLE_FIRST_MS 1000  /* backoff start */
#define THROTTLE_MAX_MS 300000  /* backoff cap */

static void attempt(void *arg, int cancelled);

/* An attempt runs the handler, so it goes to the handler pool. */
static int post_attempt(aev__event *ev) {
  return aev__sched_post_handler(aev__broker_sched(ev->f->res.broker),
                                 attempt, ev);
}

static void event_free(aev__event *ev) {
  aev__resource_unref(&ev->f->res);
  free(ev);
}

static void retry_due(void *arg, int cancelled) {
  aev__event *ev = arg;
  if (cancelled || post_attempt(ev) != AEV_OK) event_free(ev);
}

static void arm(aev__event *ev, int64_t deadline) {
  if (aev__timer_arm(aev__broker_sched(ev->f->res.broker), &ev->timer,
                     deadline) != AEV_OK)
    event_free(ev);
}

static void econf_snapshot(aev__event *ev, int *max_retries, int *max_age,
                           int *reserved) {
  aev_function *f = ev->f;
  pthread_mutex_lock(&f->mu);
  const aev__econf *e = aev__econf_for_locked(f, ev->qualifier);
  *max_retries = e->max_retries;
  *max_age = e->max_age;
  *reserved = f->reserved;
  pthread_mutex_unlock(&f->mu);
}

static void give_up(aev__event *ev, const char *condition,
                    const aev__invoke_result *r) {
  aev__dest_failure(ev, condition, r);
  event_free(ev);
}

static void event_done(void *user, const aev__invoke_result *r) {
  aev__event *ev = user;
  ev->attempts++;
  if (!r->function_error) {
    aev__dest_success(ev, r);
    event_free(ev);
    return;
  }
  int max_retries, max_age, reserved;
  econf_snapshot(ev, &max_retries, &max_age, &reserved);
  if (ev->attempts > max_retries) {
    give_up(ev, "RetriesExhausted", r);
    return;
  }
  /* A retry due when the event reaches its maximum age is not made
   * (recorded, test_maxeventage: MaximumEventAgeInSeconds 60 fails at once
   * with EventAgeExceeded, approximateInvokeCount 1). On AWS the attempt's
   * own running time always puts that retry past the age; here the
   * attempt may take no time on the manual clock. */
  int64_t next = aev__fn_now(ev->f) + (int64_t)RETRY_STEP_MS * ev->attempts;
  if (next - ev->enqueued >= (int64_t)max_age * 1000) {
    give_up(ev, "EventAgeExceeded", r);
    return;
  }
  arm(ev, next);
}

static void attempt(void *arg, int cancelled) {
  aev__event *ev = arg;
  aev_function *f = ev->f;
  if (cancelled || f->res.deleted) {
    event_free(ev);
    return;
  }
  int max_retries, max_age, reserved;
  econf_snapshot(ev, &max_retries, &max_age, &reserved);
  int64_t now = aev__fn_now(f);
  if (now - ev->enqueued > (int64_t)max_age * 1000) {
    give_up(ev, "EventAgeExceeded", NULL);
    return;
  }
  /* Checked when it was queued; this task runs on the handler pool, so the
   * handler runs right here. */
  aev_invocation *c;
  int rc = aev__inv_start(f, ev->qualifier, ev->lineage, ev->payload, ev->len,
                          AEV__CALL_HANDLER, event_done, ev, &c);
  if (rc == AEV_OK) {
    aev__inv_run(c);
    return;
  }
  /* A recursive loop stopped: "If you have an on-failure destination or
   * dead-letter queue configured for your function, then Lambda also sends
   * the event from the stopped invocation to your destination or
   * dead-letter queue" (developer guide). AWS documents no condition for
   * its record; this one is named after Invoke's error. */
  if (rc == AEV_ERR_LIMIT) {
    give_up(ev, "RecursiveInvocationException", NULL);
    return;
  }
  /* Out of memory, the attempt waits as a throttled one does: Lambda
   * keeps an event it accepted until it runs or ages out. */
  if (rc != AEV_ERR_THROTTLED && rc != AEV_ERR_NOMEM) {
    event_free(ev);
    return;
  }
  /* Reserved concurrency 0: Lambda sends the event straight to the
   * failure destination or DLQ, with its own condition (recorded,
   * test_reserved_concurrency: "ZeroReservedConcurrency",
   * approximateInvokeCount 0). */
  if (rc == AEV_ERR_THROTTLED && reserved == 0) {
    give_up(ev, "ZeroReservedConcurrency", NULL);
    return;
  }
  int64_t delay = (int64_t)THROTTLE_FIRST_MS << (ev->throttles < 9 ? ev->throttles : 9);
  if (delay > THROTTLE_MAX_MS) delay = THROTTLE_MAX_MS;
  ev->throttles++;
  arm(ev, now + delay);
}

int aev__function_event_to(aev_broker *b, const char *name_or_arn,
                           const void *payload, size_t len) {
  aev_function *f;
  const char *qualifier;
  char buf[512];
  int rc = aev__function_find_qualified(b, name_or_arn, &f, &qualifier, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev_function_invoke_event_qualified(f, qualifier, payload, len, NULL);
  aev_function_release(f);
  return rc;
}

int aev_function_invoke_event_qualified(aev_function *f,
                                        const char *qualifier,
                                        const char *payload, size_t len,
                                        char *request_id) {
  int rc = aev__fn_check(f), durable = 0;
  if (rc == AEV_OK && qualifier && *qualifier) {
    /* An unknown qualifier fails the Invoke call itself. */
    aev__fconf *conf;
    char version[16];
    rc = aev__fn_resolve(f, qualifier, &conf, version);
    if (rc == AEV_OK) {
      durable = conf->durable;
      aev__fconf_unref(conf);
    }
    if (rc == AEV_OK && strlen(qualifier) >= sizeof ((aev__event *)0)->qualifier)
      rc = aev__fn_invalid("The qualifier %s is too long.", qualifier);
  }
  if (rc == AEV_OK)
    rc = aev__fn_check_payload(payload, len, AEV__FN_ASYNC_PAYLOAD_MAX);
  if (rc != AEV_OK) return rc;
  /* A durable function's asynchronous invocation starts a durable
   * execution, whoever makes it: an EventBridge rule, an SNS
   * subscription, a destination, a pipe, the typed API (Lambda developer
   * guide, "Invoking durable Lambda functions": the same invocation
   * methods as other functions). */
  if (!qualifier || !*qualifier) durable = aev__fn_durable(f);
  if (durable) {
    json_t *answer;
    rc = aev__durable_event(f, qualifier, NULL, payload, len, &answer);
    json_decref(answer);
    if (rc == AEV_OK && request_id) aev__broker_uuid(f->res.broker, request_id);
    return rc;
  }
  if (len == 0) {
    payload = "{}";
    len = 2;
  }
  /* Invoked from a handler, the event continues the handler's chain. */
  const char *lineage = aev__lineage_current();
  size_t lsize = lineage ? strlen(lineage) + 1 : 0;
  aev__event *ev = calloc(1, sizeof *ev + len + 1 + lsize);
  if (!ev) return aev__nomem();
  if (lineage) ev->lineage = memcpy(ev->payload + len + 1, lineage, lsize);
  aev__resource_ref(&f->res);
  ev->f = f;
  ev->enqueued = aev__fn_now(f);
  ev->enqueued_ms = aev__fn_now_ms(f);
  aev__broker_uuid(f->res.broker, ev->request_id);
  if (qualifier) strcpy(ev->qualifier, qualifier);
  ev->len = len;
  memcpy(ev->payload, payload, len);
  aev__timer_init(&ev->timer, retry_due, ev, NULL);
  /* A copy: once posted, the event may run and be freed at once. */
  char id[sizeof ev->request_id];
  memcpy(id, ev->request_id, sizeof id);
  /* The first attempt is due now: straight to the handler pool, not
   * through the timer heap (only retries wait on a timer). */
  rc = post_attempt(ev);
  if (rc != AEV_OK) {
    event_free(ev);
    return rc; /* out of memory, or the broker closed */
  }
  if (request_id) memcpy(request_id, id, sizeof id);
  return AEV_OK;
}

int aev_function_invoke_event(aev_function *f, const char *payload, size_t len,
                              char *request_id) {
  return aev_function_invoke_event_qualified(f, NULL, payload, len,
                                             request_id);
}
