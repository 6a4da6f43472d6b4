/* UUIDs from two threads at once: the broker's one locked generator against
 * a floor of one generator per thread, to show whether the lock contends
 * (DESIGN §3 derives per-thread streams only if contention shows). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/broker.h"
#include "core/broker.h"
#include "core/ids.h"
#include "harness.h"
#include "support.h"

enum { THREADS = 2, PER_THREAD = 50000, TOTAL = THREADS * PER_THREAD };
#define SEED 20240103u

typedef struct cbench {
  aev_broker *b;
  bench_uuid *out;
  void *(*part_fn)(void *);
} cbench;

typedef struct part {
  cbench *c;
  int t;
  aev__rng rng;
} part;

static void *broker_part(void *arg) {
  part *p = arg;
  bench_uuid *out = p->c->out + (size_t)p->t * PER_THREAD;
  for (size_t i = 0; i < PER_THREAD; i++) aev__broker_uuid(p->c->b, out[i]);
  return NULL;
}

static void *own_part(void *arg) {
  part *p = arg;
  bench_uuid *out = p->c->out + (size_t)p->t * PER_THREAD;
  for (size_t i = 0; i < PER_THREAD; i++) aev__uuid4(&p->rng, out[i]);
  return NULL;
}

static void broker_prepare(void *ctx) {
  ((cbench *)ctx)->b = bench_broker(SEED);
}

static void broker_cleanup(void *ctx) {
  aev_broker_destroy(((cbench *)ctx)->b);
}

/* Starts the threads, each drawing PER_THREAD ids, and joins them. */
static void spawn_run(void *ctx) {
  cbench *c = ctx;
  pthread_t th[THREADS];
  part p[THREADS];
  for (int t = 0; t < THREADS; t++) {
    p[t] = (part){.c = c, .t = t};
    aev__rng_seed(&p[t].rng, SEED + 1 + (uint64_t)t);
    if (pthread_create(&th[t], NULL, c->part_fn, &p[t])) exit(1);
  }
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
}

static int check(void *ctx, char *note, size_t cap) {
  cbench *c = ctx;
  size_t valid = bench_uuids_valid(c->out, TOTAL);
  size_t distinct = bench_uuids_distinct(c->out, TOTAL);
  snprintf(note, cap, "%zu valid v4, %zu distinct", valid, distinct);
  memset(c->out, 0, (size_t)TOTAL * sizeof c->out[0]);
  return valid != TOTAL || distinct != TOTAL;
}

int main(void) {
  cbench locked = {.part_fn = broker_part}, own = {.part_fn = own_part};
  locked.out = bench_calloc(TOTAL, sizeof *locked.out);
  own.out = bench_calloc(TOTAL, sizeof *own.out);
  const bench_case cases[] = {
      {"ours, via broker",
       "aev__broker_uuid on 2 threads sharing the broker's locked generator "
       "(+ thread start/join; wall time per id)",
       broker_prepare, spawn_run, check, broker_cleanup, &locked},
      {"floor",
       "aev__uuid4 on 2 threads, one generator each (+ thread start/join; wall "
       "time per id)",
       NULL, spawn_run, check, NULL, &own},
  };
  bench_group g = {
      "UUIDv4 string, 2 threads",    THREADS, "36-char id", TOTAL, 1, cases,
      sizeof cases / sizeof cases[0]};
  int failed = bench_group_run(&g, bench_runs());
  free(locked.out);
  free(own.out);
  if (failed) fprintf(stderr, "ids_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
