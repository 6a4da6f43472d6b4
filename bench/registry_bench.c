/* Registry lookups: finding one of 10,000 queues by name, ARN and queue URL
 * (what every aev_call that names a QueueUrl does first), beside a floor of
 * a plain unlocked hash lookup by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/broker.h"
#include "core/ids.h"
#include "core/registry.h"
#include "harness.h"
#include "support.h"

enum { N = 10000, FLOOR_BUCKETS = 1 << 15 };
#define SEED 20240102u

typedef struct queue {
  aev__resource hdr;
  uint32_t index;
} queue;

enum { BY_NAME, BY_ARN, BY_URL, KEY_KINDS };

typedef struct rbench {
  aev_broker *b;
  queue *queues[N];
  char *keys[KEY_KINDS][N]; /* query i looks up queue want[i] */
  uint32_t want[N];
  uint32_t got[N];
  uint64_t expect;
  /* The floor's table: chained by index, heads hold index + 1. */
  uint32_t head[FLOOR_BUCKETS];
  uint32_t next[N];
} rbench;

/* A case's context: the shared bench and which key it looks up by. */
typedef struct lookup {
  rbench *r;
  int key;
} lookup;

static void queue_destroy(aev__resource *res) { free(res); }

static void rbench_init(rbench *r) {
  r->b = bench_broker(SEED);
  aev__rng rng;
  aev__rng_seed(&rng, SEED);
  for (uint32_t i = 0; i < N; i++) {
    char name[64];
    snprintf(name, sizeof name, "orders-%05u-%012llx", i,
             (unsigned long long)(aev__rng_next(&rng) >> 16));
    queue *q = bench_calloc(1, sizeof *q);
    q->index = i;
    if (aev__resource_init(&q->hdr, r->b, AEV__KIND_QUEUE, name, queue_destroy,
                           NULL) ||
        aev__registry_add(r->b, &q->hdr, NULL))
      exit(1);
    r->queues[i] = q;
    uint32_t h = (uint32_t)bench_fnv(BENCH_FNV_INIT, name, strlen(name)) &
                 (FLOOR_BUCKETS - 1);
    r->next[i] = r->head[h];
    r->head[h] = i + 1;
  }
  /* Queries visit every queue once, in a seeded shuffled order. */
  for (uint32_t i = 0; i < N; i++) r->want[i] = i;
  for (uint32_t i = N - 1; i > 0; i--) {
    uint32_t j = (uint32_t)aev__rng_below(&rng, i + 1), x = r->want[i];
    r->want[i] = r->want[j];
    r->want[j] = x;
  }
  for (uint32_t i = 0; i < N; i++) {
    aev__resource *res = &r->queues[r->want[i]]->hdr;
    r->keys[BY_NAME][i] = strdup(res->name);
    r->keys[BY_ARN][i] = strdup(res->arn);
    r->keys[BY_URL][i] = aev__queue_url(r->b, res->name);
  }
  r->expect = bench_fnv(BENCH_FNV_INIT, r->want, sizeof r->want);
}

static void rbench_free(rbench *r) {
  for (int k = 0; k < KEY_KINDS; k++)
    for (uint32_t i = 0; i < N; i++) free(r->keys[k][i]);
  for (uint32_t i = 0; i < N; i++) aev__resource_unref(&r->queues[i]->hdr);
  aev_broker_destroy(r->b);
}

static void ours_run(void *ctx) {
  lookup *l = ctx;
  rbench *r = l->r;
  for (uint32_t i = 0; i < N; i++) {
    aev__resource *res =
        aev__registry_find(r->b, AEV__KIND_QUEUE, r->keys[l->key][i]);
    r->got[i] = res ? ((queue *)res)->index : UINT32_MAX;
    aev__resource_unref(res);
  }
}

static void floor_run(void *ctx) {
  rbench *r = ((lookup *)ctx)->r;
  for (uint32_t i = 0; i < N; i++) {
    const char *key = r->keys[BY_NAME][i];
    uint32_t h = (uint32_t)bench_fnv(BENCH_FNV_INIT, key, strlen(key)) &
                 (FLOOR_BUCKETS - 1);
    uint32_t j = r->head[h];
    while (j && strcmp(r->queues[j - 1]->hdr.name, key) != 0)
      j = r->next[j - 1];
    r->got[i] = j ? j - 1 : UINT32_MAX;
  }
}

static int lookup_check(void *ctx, char *note, size_t cap) {
  rbench *r = ((lookup *)ctx)->r;
  size_t right = 0;
  for (uint32_t i = 0; i < N; i++) right += r->got[i] == r->want[i];
  uint64_t sum = bench_fnv(BENCH_FNV_INIT, r->got, sizeof r->got);
  snprintf(note, cap, "%zu of %d found, fnv %08x", right, N,
           (unsigned)(sum >> 32));
  memset(r->got, 0xff, sizeof r->got); /* the next run must fill it again */
  return right != N || sum != r->expect;
}

int main(void) {
  rbench *r = bench_calloc(1, sizeof *r);
  rbench_init(r);
  lookup by_name = {r, BY_NAME}, by_arn = {r, BY_ARN}, by_url = {r, BY_URL};
  const bench_case cases[] = {
      {"ours: by name", "aev__registry_find (read lock, new reference) + unref",
       NULL, ours_run, lookup_check, NULL, &by_name},
      {"ours: by ARN", "aev__registry_find by arn:aws:sqs:... + unref", NULL,
       ours_run, lookup_check, NULL, &by_arn},
      {"ours: by queue URL",
       "aev__registry_find by https://sqs.../ACCOUNT/NAME (parse, account "
       "check) + unref",
       NULL, ours_run, lookup_check, NULL, &by_url},
      {"floor", "FNV-1a + chained bucket walk + strcmp by name, no lock", NULL,
       floor_run, lookup_check, NULL, &by_name},
  };
  bench_group g = {"registry lookup",
                   1,
                   "1 of 10,000 queues, 25-char names",
                   N,
                   3,
                   cases,
                   sizeof cases / sizeof cases[0]};
  int failed = bench_group_run(&g, bench_runs());
  rbench_free(r);
  free(r);
  if (failed) fprintf(stderr, "registry_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
