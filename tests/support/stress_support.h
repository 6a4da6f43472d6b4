/* Stress tests' shared pieces: the first error any of their threads meets,
 * kept for the assertion at the end (Check's assertions must stay on the
 * main thread), and a short sleep. */
#ifndef AEV_STRESS_SUPPORT_H
#define AEV_STRESS_SUPPORT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "awsevents/awsevents.h"

static atomic_int errors;
static char first_error[256];
static pthread_mutex_t first_error_mu = PTHREAD_MUTEX_INITIALIZER;

/* Counts an error; the first one's text is kept in first_error. */
static inline __attribute__((format(printf, 1, 2))) void report(const char *fmt, ...) {
  if (atomic_fetch_add(&errors, 1) != 0) return;
  va_list ap;
  va_start(ap, fmt);
  pthread_mutex_lock(&first_error_mu);
  vsnprintf(first_error, sizeof first_error, fmt, ap);
  pthread_mutex_unlock(&first_error_mu);
  va_end(ap);
}

/* The DeliveredRecords metric of a delivery stream (-1 when unreadable). */
static inline long long delivered_records(aev_delivery *d) {
  char *m;
  if (aev_delivery_metrics(d, &m) != AEV_OK) return -1;
  json_t *j = json_loads(m, 0, NULL);
  aev_free(m);
  long long n = json_integer_value(json_object_get(j, "DeliveredRecords"));
  json_decref(j);
  return n;
}

static inline void pause_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

#endif
