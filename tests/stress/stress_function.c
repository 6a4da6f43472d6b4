/* Stress (run under ThreadSanitizer in CI): a real-clock broker with 2
 * workers; 4 threads invoke one function synchronously and with Event
 * invocations while a queue mapping feeds it batches, its reserved
 * concurrency changes under load, and a quarter of the handlers complete
 * from a thread of their own. At the end every sync call got its own result
 * or a throttle, every Event ran, every queued message reached the handler
 * (at least once) and the queue is empty. 40,000 operations per thread
 * (4,000 with CI set). Then a queue mapping outlives its function, deleted
 * and created again over and over while 3 threads send and another reads
 * the mapping: every message reaches a function once one stays. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define THREADS 4

static int per_thread;
static _Atomic long handled, events_seen, bodies_seen;

typedef struct later {
  aev_invocation *ctx;
  size_t len;
  char event[];
} later;

/* Completes with the event, from a thread of its own. */
static void *finish(void *arg) {
  later *l = arg;
  aev_invocation_succeed(l->ctx, l->event, l->len);
  free(l);
  return NULL;
}

static void handler(void *user, aev_invocation *ctx, const char *event,
                    size_t len) {
  (void)user;
  long n = ++handled;
  if (strstr(event, "\"Records\"")) {
    for (const char *p = event; (p = strstr(p, "\"body\":")); p += 7)
      bodies_seen++;
  } else if (strstr(event, "\"event\"")) {
    events_seen++;
  }
  later *l = n % 4 == 0 ? malloc(sizeof *l + len + 1) : NULL;
  if (l) {
    l->ctx = ctx;
    l->len = len;
    memcpy(l->event, event, len + 1);
    pthread_t t;
    if (pthread_create(&t, NULL, finish, l) == 0) {
      pthread_detach(t);
      return;
    }
    free(l);
  }
  aev_invocation_succeed(ctx, event, len);
}

typedef struct worker {
  aev_function *f;
  aev_queue *q;
  int id;
  long ok, throttled, wrong;
} worker;

static void *run(void *arg) {
  worker *w = arg;
  char payload[64];
  for (int i = 0; i < per_thread; i++) {
    int kind = i % 3;
    if (kind == 0) {
      int n = snprintf(payload, sizeof payload, "{\"sync\":%d,\"t\":%d}", i, w->id);
      char *out;
      int rc = aev_function_invoke(w->f, payload, (size_t)n, &out, NULL, NULL);
      if (rc == AEV_OK) {
        w->ok++;
        w->wrong += strcmp(out, payload) != 0;
        aev_free(out);
      } else if (rc == AEV_ERR_THROTTLED) {
        w->throttled++;
      } else {
        w->wrong++;
      }
    } else if (kind == 1) {
      int n = snprintf(payload, sizeof payload, "{\"event\":%d}", i);
      w->wrong += aev_function_invoke_event(w->f, payload, (size_t)n, NULL) != AEV_OK;
    } else {
      int n = snprintf(payload, sizeof payload, "m%d-%d", w->id, i);
      w->wrong += aev_queue_send(w->q, payload, (size_t)n, NULL, NULL, NULL) != AEV_OK;
    }
    if (w->id == 0 && i % 500 == 0)
      aev_function_set_reserved_concurrency(w->f, (i / 500) % 2 ? 50 : -1);
  }
  return NULL;
}

START_TEST(invocations_under_load) {
  per_thread = getenv("CI") ? 4000 : 40000;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  aev_function *f;
  /* Timeout within the queue's visibility, as Lambda requires of a mapping. */
  ck_assert_int_eq(aev_function_create(b, "busy", "{\"Timeout\":1}", handler, NULL, NULL, &f), AEV_OK);
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "load", "{\"VisibilityTimeout\":\"1\"}", &q), AEV_OK);
  char req[256];
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"busy\"}", aev_queue_arn(q));
  ck_assert_int_eq(aev_event_source_mapping_create(b, req, NULL), AEV_OK);
  worker w[THREADS];
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){.f = f, .q = q, .id = i};
    ck_assert_int_eq(pthread_create(&t[i], NULL, run, &w[i]), 0);
  }
  long ok = 0, wrong = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    ok += w[i].ok;
    wrong += w[i].wrong;
  }
  ck_assert_int_eq(wrong, 0);
  ck_assert_int_gt(ok, 0);
  aev_function_set_reserved_concurrency(f, -1);
  /* Event invocations throttled under the limit retry with backoff (1 s, 2 s,
   * ...); messages of throttled batches come back after 1 s. Wait for all. */
  long sends = 0, events = 0;
  for (int i = 0; i < per_thread; i++) {
    if (i % 3 == 1) events++;
    if (i % 3 == 2) sends++;
  }
  events *= THREADS;
  sends *= THREADS;
  for (int s = 0; s < 600 && (events_seen < events || bodies_seen < sends); s++) {
    struct timespec tick = {0, 100000000};
    nanosleep(&tick, NULL);
  }
  ck_assert_int_eq(events_seen, events);
  ck_assert_int_ge(bodies_seen, sends);
  aev_queue_release(q);
  aev_function_release(f);
  aev_broker_destroy(b);
}
END_TEST

/* Counts the bodies of a batch (the mapping's function while it exists). */
static void counter(void *user, aev_invocation *ctx, const char *event,
                    size_t len) {
  _Atomic long *seen = user;
  for (const char *p = event; (p = strstr(p, "\"body\":")); p += 7) (*seen)++;
  aev_invocation_succeed(ctx, "{}", 2);
  (void)len;
}

typedef struct churn {
  aev_broker *b;
  aev_queue *q;
  char uuid[37];
  _Atomic long *seen;
  _Atomic int senders_done, done;
  _Atomic long wrong;
} churn;

static void *send_some(void *arg) {
  churn *c = arg;
  for (int i = 0; i < per_thread / 4; i++)
    c->wrong += aev_queue_send(c->q, "m", 1, NULL, NULL, NULL) != AEV_OK;
  c->senders_done++;
  return NULL;
}

static void *read_mapping(void *arg) {
  churn *c = arg;
  while (!c->done) {
    char *out = NULL;
    c->wrong += aev_event_source_mapping_get(c->b, c->uuid, &out) != AEV_OK;
    aev_free(out);
    c->wrong += aev_event_source_mapping_list(c->b, "phoenix", NULL, &out) != AEV_OK;
    aev_free(out);
  }
  return NULL;
}

START_TEST(mapping_outlives_its_function_under_load) {
  per_thread = getenv("CI") ? 4000 : 40000;
  _Atomic long seen = 0;
  churn c = {.seen = &seen};
  ck_assert_int_eq(aev_broker_new(NULL, &c.b), AEV_OK);
  aev_function *f;
  ck_assert_int_eq(aev_function_create(c.b, "phoenix", "{\"Timeout\":1}", counter, &seen, NULL, &f), AEV_OK);
  ck_assert_int_eq(aev_queue_create(c.b, "churn", "{\"VisibilityTimeout\":\"1\"}", &c.q), AEV_OK);
  char req[256], *out = NULL;
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"phoenix\"}",
           aev_queue_arn(c.q));
  ck_assert_int_eq(aev_event_source_mapping_create(c.b, req, &out), AEV_OK);
  memcpy(c.uuid, strstr(out, "\"UUID\":\"") + 8, 36);
  aev_free(out);
  pthread_t senders[3], reader;
  for (int i = 0; i < 3; i++) ck_assert_int_eq(pthread_create(&senders[i], NULL, send_some, &c), 0);
  ck_assert_int_eq(pthread_create(&reader, NULL, read_mapping, &c), 0);
  /* Gone for a millisecond, back for one, while the senders send. */
  struct timespec ms = {0, 1000000};
  for (int i = 0; i < 50 || c.senders_done < 3; i++) {
    ck_assert_int_eq(aev_function_delete(f), AEV_OK);
    aev_function_release(f);
    nanosleep(&ms, NULL);
    ck_assert_int_eq(aev_function_create(c.b, "phoenix", "{\"Timeout\":1}", counter, &seen, NULL, &f), AEV_OK);
    nanosleep(&ms, NULL);
  }
  for (int i = 0; i < 3; i++) pthread_join(senders[i], NULL);
  c.done = 1;
  pthread_join(reader, NULL);
  ck_assert_int_eq(c.wrong, 0);
  /* Batches that failed while the function was gone come back after 1 s. */
  long sends = 3L * (per_thread / 4);
  for (int s = 0; s < 600 && seen < sends; s++) {
    struct timespec tick = {0, 100000000};
    nanosleep(&tick, NULL);
  }
  ck_assert_int_ge(seen, sends);
  aev_queue_release(c.q);
  aev_function_release(f);
  aev_broker_destroy(c.b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_function");
  TCase *tc = tcase_create("stress");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, invocations_under_load);
  tcase_add_test(tc, mapping_outlives_its_function_under_load);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
