/* Shared by the Check suites: runs a suite and turns its result into the
 * process exit code. */
#ifndef AEV_TEST_SUPPORT_H
#define AEV_TEST_SUPPORT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "awsevents/awsevents.h"

static inline int aev_test_run(Suite *s) {
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A broker on the manual clock with no workers (everything runs inside
 * advance and drain), its ids seeded: what most suites test flows on. */
static inline aev_broker *aev_test_manual_broker(uint64_t seed) {
  aev_broker_options *o;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, seed);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  return b;
}

/* A broker on the real clock with workers threads: a flow's calls and
 * completions then cross threads, as they do in an application. */
static inline aev_broker *aev_test_real_broker(int workers) {
  aev_broker_options *o;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_workers(o, workers);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  return b;
}

/* Calls service's action with req through aev_call, checks that it
 * answers status want, and returns the answer parsed (the error object when
 * it failed): json_decref() it. */
static inline json_t *aev_test_call(aev_broker *b, const char *service, const char *action,
                                    const char *req, int want) {
  char *out = NULL;
  int rc = aev_call(b, service, action, req, &out);
  ck_assert_msg(rc == want, "%s %s: %d %s", action, req, rc, out ? out : "");
  json_t *j = json_loads(out, 0, NULL);
  ck_assert_ptr_nonnull(j);
  aev_free(out);
  return j;
}

/* The same call, which must fail with status, AWS error code and (unless
 * NULL) message. */
static inline void aev_test_call_fails(aev_broker *b, const char *service, const char *action,
                                       const char *req, int status, const char *code,
                                       const char *message) {
  json_t *e = aev_test_call(b, service, action, req, status);
  ck_assert_str_eq(json_string_value(json_object_get(e, "__type")), code);
  if (message)
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), message);
  json_decref(e);
}

/* The same two with the request built by json_pack (stolen). */
static inline json_t *aev_test_call_req(aev_broker *b, const char *service, const char *action,
                                        json_t *req, int want) {
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  json_t *v = aev_test_call(b, service, action, text, want);
  free(text);
  return v;
}

static inline void aev_test_call_req_fails(aev_broker *b, const char *service, const char *action,
                                           json_t *req, int status, const char *code,
                                           const char *message) {
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  aev_test_call_fails(b, service, action, text, status, code, message);
  free(text);
}

/* DESIGN §7's idle check: the least CPU time (seconds) the whole process
 * used over a one-second sleep, taking up to three sleeps until one stays
 * under AEV_TEST_IDLE_CPU_LIMIT. A polling loop shows in every window; a
 * one-off stray (a worker finishing the call made just before, a
 * sanitizer's bookkeeping on a loaded two-core CI machine) in one. */
#define AEV_TEST_IDLE_CPU_LIMIT 0.01

static inline double aev_test_cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double aev_test_idle_cpu_seconds(void) {
  double least = 1e9;
  for (int i = 0; i < 3 && least >= AEV_TEST_IDLE_CPU_LIMIT; i++) {
    double before = aev_test_cpu_seconds();
    struct timespec one_second = {1, 0};
    nanosleep(&one_second, NULL);
    double used = aev_test_cpu_seconds() - before;
    if (used < least) least = used;
  }
  return least;
}

/* Resident set size in kB (soak tests), -1 when unknown. */
static inline long aev_test_rss_kb(void) {
  long pages = 0, resident = -1;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* count copies of the character c (its UTF-8 bytes) into out, which has
 * room for them and a NUL: text at a limit counted in characters. */
static inline char *aev_test_repeat(char *out, const char *c, size_t count) {
  size_t cl = strlen(c);
  for (size_t i = 0; i < count; i++) memcpy(out + i * cl, c, cl);
  out[count * cl] = '\0';
  return out;
}

/* before, count copies of the character c, then after, in a new buffer
 * the caller frees: a request with text at a limit counted in characters. */
static inline char *aev_test_repeat_between(const char *before, const char *c, size_t count,
                                            const char *after) {
  size_t a = strlen(before), cl = strlen(c);
  char *s = malloc(a + count * cl + strlen(after) + 1);
  if (!s) abort();
  memcpy(s, before, a);
  aev_test_repeat(s + a, c, count);
  strcpy(s + a + count * cl, after);
  return s;
}

/* What a delivery stream's application sink (aev_delivery_create_with_sink,
 * user = an aev_test_sunk) was given: how many objects, and the last. */
typedef struct aev_test_sunk {
  int n;
  char last[256];
} aev_test_sunk;

static inline int aev_test_sink(void *user, const char *key, const void *data, size_t len) {
  aev_test_sunk *s = user;
  (void)key;
  s->n++;
  snprintf(s->last, sizeof s->last, "%.*s", (int)len, (const char *)data);
  return 0;
}

#endif
