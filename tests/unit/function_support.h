/* Shared by the function suites: a manual-clock broker without workers,
 * handlers with recorded calls, and helpers for invoking and checking
 * Lambda errors. */
#ifndef AEV_TEST_FUNCTION_SUPPORT_H
#define AEV_TEST_FUNCTION_SUPPORT_H

#include <check.h>
#include <pthread.h>
#include <time.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"
#include "function/function.h"
#include "queue_support.h"

/* What a test handler does with each invocation. */
#define FT_ECHO 0  /* succeeds with the event */
#define FT_FAIL 1  /* fails with errorType "Boom" */
#define FT_HOLD 2  /* keeps the context in held[] for the test to complete */

typedef struct ft_state {
  int mode;
  int calls, inits;
  int64_t call_ms[16]; /* broker time of each call */
  aev_invocation *held[64];
  int nheld;
  char last_event[1024];
  aev_broker *b;
} ft_state;

static inline void ft_handler(void *user, aev_invocation *ctx,
                              const char *event, size_t len) {
  ft_state *s = user;
  if (s->calls < 16) s->call_ms[s->calls] = aev_broker_now_ms(s->b);
  s->calls++;
  snprintf(s->last_event, sizeof s->last_event, "%s", event);
  if (s->mode == FT_ECHO) aev_invocation_succeed(ctx, event, len);
  else if (s->mode == FT_FAIL) aev_invocation_fail(ctx, "Boom", "it broke");
  else s->held[s->nheld++] = ctx;
}

static inline void ft_init(void *user, const aev_invocation *ctx) {
  (void)ctx;
  ((ft_state *)user)->inits++;
}

static inline aev_function *ft_function(aev_broker *b, const char *name,
                                        const char *config, ft_state *s) {
  s->b = b;
  aev_function *f;
  int rc = aev_function_create(b, name, config, ft_handler, s, NULL, &f);
  ck_assert_msg(rc == AEV_OK, "create %s: %s %s", name, aev_errcode(),
                aev_errmsg());
  return f;
}

static inline void ft_assert_error(int rc, int status, const char *code,
                                   const char *msg_part) {
  ck_assert_int_eq(rc, status);
  ck_assert_str_eq(aev_errcode(), code);
  ck_assert_msg(strstr(aev_errmsg(), msg_part), "message '%s' lacks '%s'",
                aev_errmsg(), msg_part);
}

/* A metric of f from aev_function_metrics. */
static inline long long ft_metric(aev_function *f, const char *name) {
  char *m;
  ck_assert_int_eq(aev_function_metrics(f, &m), AEV_OK);
  char key[64];
  snprintf(key, sizeof key, "\"%s\":", name);
  const char *p = strstr(m, key);
  ck_assert_ptr_nonnull(p);
  long long v = atoll(p + strlen(key));
  aev_free(m);
  return v;
}

/* lambda ACTION's answer on b, parsed (json_decref() it); it must succeed. */
static inline json_t *ft_call(aev_broker *b, const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, r ? r : "");
  json_t *o = json_loads(r, 0, NULL);
  aev_free(r);
  ck_assert_ptr_nonnull(o);
  return o;
}

/* lambda ACTION on b must fail with AWS error code and a message holding
 * msg. */
static inline void ft_call_err(aev_broker *b, const char *action, const char *req,
                               const char *code, const char *msg) {
  char *r = NULL;
  ck_assert_int_ne(aev_call(b, "lambda", action, req, &r), AEV_OK);
  json_t *o = json_loads(r, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(o, "__type")), code);
  ck_assert_msg(strstr(json_string_value(json_object_get(o, "message")), msg), "%s: %s", action, r);
  json_decref(o);
  aev_free(r);
}

/* A handler on a real-clock broker's workers that counts its calls
 * (failing them when fail is set), and a wait for the count: for the idle
 * tests' handlers completing on other threads. */
typedef struct signal_state {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int calls;
  int fail;
} signal_state;

static inline void signalling_handler(void *user, aev_invocation *ctx,
                               const char *event, size_t len) {
  signal_state *s = user;
  (void)event;
  (void)len;
  if (s->fail) aev_invocation_fail(ctx, "Boom", "x");
  else aev_invocation_succeed(ctx, "{}", 2);
  pthread_mutex_lock(&s->mu);
  s->calls++;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

/* Waits (up to 10 s) until the handler ran n times. */
static inline int wait_calls(signal_state *s, int n) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 10;
  pthread_mutex_lock(&s->mu);
  while (s->calls < n &&
         pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0) {
  }
  int got = s->calls;
  pthread_mutex_unlock(&s->mu);
  return got;
}

/* The outcome of a synchronous call (aev__function_call): how many came,
 * and the last one's payload and function error. */
typedef struct ft_outcome {
  int n;
  char payload[256];
  const char *ferr;
} ft_outcome;

static inline void ft_outcome_done(void *user, const aev__invoke_result *r) {
  ft_outcome *o = user;
  o->n++;
  snprintf(o->payload, sizeof o->payload, "%.*s", (int)r->len, r->payload);
  o->ferr = r->function_error;
}

#endif
