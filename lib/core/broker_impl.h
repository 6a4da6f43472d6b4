/* Internal: the broker's fields, shared by broker.c, options.c and log.c
 * only. Primitives use the functions of core/broker.h instead. */
#ifndef AEV_CORE_BROKER_IMPL_H
#define AEV_CORE_BROKER_IMPL_H

#include <pthread.h>

#include "core/broker.h"
#include "core/registry.h"

typedef struct aev__log_sink {
  aev_log_fn fn;
  int max_level;
  void *user;
  aev_release_fn release;
} aev__log_sink;

struct aev_broker_options {
  char region[33];
  char account[13];
  int clock_mode;
  int64_t start_ms;
  int has_start; /* start_ms was set (a manual clock's option only) */
  int workers;
  int has_seed;
  uint64_t seed;
  aev__log_sink log;
};

struct aev_broker {
  _Atomic long refs; /* the user's, one per resource, one per handle */
  _Atomic int closed;
  char region[33];
  char account[13];
  aev__clock clock;
  aev__sched *sched;
  aev__registry *registry;
  pthread_mutex_t rng_mu;
  aev__rng rng;
  pthread_mutex_t quota_mu; /* see aev__broker_quota_lock() */
  pthread_mutex_t log_mu;
  pthread_cond_t log_idle; /* no log callback is running */
  int log_running;
  aev__log_sink log;
  aev__endpoints *endpoints; /* endpoint.c */
};

/* Stops logging: waits for running log callbacks, then calls the sink's
 * release once. */
void aev__log_close(aev_broker *b);

/* Non-zero while the calling thread runs b's log callback. */
int aev__log_in_callback(const aev_broker *b);

#endif
