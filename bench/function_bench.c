/* Lambda-style functions (DESIGN §7, issue 6's bench rows): RequestResponse
 * invocations of a trivial C handler that completes inline, Event
 * invocations through the internal queue, and messages sent into a queue
 * reaching a C handler through an event-source mapping in batches of 10.
 * Each row sits beside a floor doing the mandatory work with the simplest
 * code; every event, result and body is checked after the clock stops. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"
#include "core/digest.h"
#include "core/ids.h"
#include "harness.h"
#include "support.h"

enum { N = 10000, BODY = 100, BATCH = 10 };
#define SEED 20240101u

/* Order-independent checksum of a set of texts. */
static uint64_t set_sum(uint64_t acc, const char *s, size_t n) {
  return acc + bench_fnv(BENCH_FNV_INIT, s, n);
}

/* ---- shared inputs ---- */

typedef struct inputs {
  char *events[N]; /* distinct JSON events */
  size_t lens[N];
  char *bodies[N]; /* distinct 100-byte bodies */
  uint64_t events_sum, bodies_sum;
} inputs;

static void inputs_init(inputs *in) {
  aev__rng r;
  aev__rng_seed(&r, SEED);
  for (size_t i = 0; i < N; i++) {
    char tok[17], body[BODY + 1];
    aev__token(&r, tok, 16);
    in->events[i] = bench_calloc(64, 1);
    in->lens[i] = (size_t)snprintf(in->events[i], 64,
                                   "{\"id\":%zu,\"k\":\"%s\"}", i, tok);
    in->events_sum = set_sum(in->events_sum, in->events[i], in->lens[i]);
    aev__token(&r, body, BODY);
    in->bodies[i] = strdup(body);
    in->bodies_sum = set_sum(in->bodies_sum, body, BODY);
  }
}

/* ---- sync invoke ---- */

typedef struct sync_ctx {
  inputs *in;
  aev_broker *b;
  aev_function *f;
  char *results[N];
  size_t rlens[N];
  int failures;
  aev__rng rng;
  pthread_mutex_t mu;
  uint64_t invocations;
} sync_ctx;

static void echo(void *user, aev_invocation *ctx, const char *event,
                 size_t len) {
  (void)user;
  aev_invocation_succeed(ctx, event, len);
}

static void sync_ours_prepare(void *p) {
  sync_ctx *c = p;
  c->b = bench_broker(SEED);
  if (aev_function_create(c->b, "echo", NULL, echo, NULL, NULL, &c->f)) exit(1);
  c->failures = 0;
}

static void sync_ours_run(void *p) {
  sync_ctx *c = p;
  for (size_t i = 0; i < N; i++) {
    const char *ferr;
    c->failures += aev_function_invoke(c->f, c->in->events[i], c->in->lens[i],
                                       &c->results[i], &c->rlens[i], &ferr) != 0;
  }
}

static int results_check(void *p, char *note, size_t cap) {
  sync_ctx *c = p;
  uint64_t sum = 0;
  for (size_t i = 0; i < N; i++) sum = set_sum(sum, c->results[i], c->rlens[i]);
  snprintf(note, cap, "%d results, sum %016llx", N, (unsigned long long)sum);
  return c->failures || sum != c->in->events_sum;
}

static void sync_ours_cleanup(void *p) {
  sync_ctx *c = p;
  for (size_t i = 0; i < N; i++) aev_free(c->results[i]);
  aev_function_release(c->f);
  aev_broker_destroy(c->b);
}

/* The floor: the handler called through a pointer, a request id, a counter
 * under a mutex and the result copied out, as an invocation must. */
typedef struct floor_call {
  const char *out;
  size_t len;
} floor_call;

static void floor_echo(floor_call *fc, const char *event, size_t len) {
  fc->out = event;
  fc->len = len;
}

static void sync_floor_prepare(void *p) {
  sync_ctx *c = p;
  aev__rng_seed(&c->rng, SEED);
  pthread_mutex_init(&c->mu, NULL);
  c->failures = 0;
}

static void sync_floor_run(void *p) {
  sync_ctx *c = p;
  void (*volatile handler)(floor_call *, const char *, size_t) = floor_echo;
  for (size_t i = 0; i < N; i++) {
    char id[AEV_UUID_LEN + 1];
    aev__uuid4(&c->rng, id);
    pthread_mutex_lock(&c->mu);
    c->invocations++;
    pthread_mutex_unlock(&c->mu);
    floor_call fc;
    handler(&fc, c->in->events[i], c->in->lens[i]);
    c->results[i] = malloc(fc.len + 1);
    memcpy(c->results[i], fc.out, fc.len);
    c->results[i][fc.len] = '\0';
    c->rlens[i] = fc.len;
  }
}

static void sync_floor_cleanup(void *p) {
  sync_ctx *c = p;
  for (size_t i = 0; i < N; i++) free(c->results[i]);
  pthread_mutex_destroy(&c->mu);
}

/* ---- async (Event) invoke ---- */

typedef struct async_ctx {
  inputs *in;
  aev_broker *b;
  aev_function *f;
  size_t seen;
  uint64_t sum;
  int failures;
  /* floor: a mutex FIFO of event copies */
  pthread_mutex_t mu;
  char **fifo;
  size_t head, tail;
} async_ctx;

static void count_handler(void *user, aev_invocation *ctx, const char *event,
                          size_t len) {
  async_ctx *c = user;
  c->seen++;
  c->sum = set_sum(c->sum, event, len);
  aev_invocation_succeed(ctx, "null", 4);
}

static void async_ours_prepare(void *p) {
  async_ctx *c = p;
  c->b = bench_broker(SEED);
  if (aev_function_create(c->b, "count", NULL, count_handler, c, NULL, &c->f))
    exit(1);
  c->seen = 0;
  c->sum = 0;
  c->failures = 0;
}

static void async_ours_run(void *p) {
  async_ctx *c = p;
  for (size_t i = 0; i < N; i++)
    c->failures += aev_function_invoke_event(c->f, c->in->events[i],
                                             c->in->lens[i], NULL) != 0;
  c->failures += aev_broker_drain(c->b) != 0;
}

static int async_check(void *p, char *note, size_t cap) {
  async_ctx *c = p;
  snprintf(note, cap, "%zu events, sum %016llx", c->seen,
           (unsigned long long)c->sum);
  return c->failures || c->seen != N || c->sum != c->in->events_sum;
}

static void async_ours_cleanup(void *p) {
  async_ctx *c = p;
  aev_function_release(c->f);
  aev_broker_destroy(c->b);
}

static void async_floor_prepare(void *p) {
  async_ctx *c = p;
  pthread_mutex_init(&c->mu, NULL);
  c->fifo = bench_calloc(N, sizeof *c->fifo);
  c->head = c->tail = 0;
  c->seen = 0;
  c->sum = 0;
  c->failures = 0;
}

static void async_floor_run(void *p) {
  async_ctx *c = p;
  for (size_t i = 0; i < N; i++) {
    char *copy = malloc(c->in->lens[i] + 1);
    memcpy(copy, c->in->events[i], c->in->lens[i] + 1);
    pthread_mutex_lock(&c->mu);
    c->fifo[c->tail++] = copy;
    pthread_mutex_unlock(&c->mu);
  }
  for (;;) {
    pthread_mutex_lock(&c->mu);
    char *e = c->head < c->tail ? c->fifo[c->head++] : NULL;
    pthread_mutex_unlock(&c->mu);
    if (!e) break;
    c->seen++;
    c->sum = set_sum(c->sum, e, strlen(e));
    free(e);
  }
}

static void async_floor_cleanup(void *p) {
  async_ctx *c = p;
  free(c->fifo);
  pthread_mutex_destroy(&c->mu);
}

/* ---- queue -> mapping -> handler ---- */

typedef struct e2e_ctx {
  inputs *in;
  aev_broker *b;
  aev_function *f;
  aev_queue *q;
  size_t seen, batches;
  uint64_t sum;
  int failures;
  /* floor */
  pthread_mutex_t mu;
  struct fmsg {
    char *body;
    uint8_t md5[16];
    char id[AEV_UUID_LEN + 1], handle[AEV_UUID_LEN + 1];
  } *fifo;
  size_t head, tail;
  aev__rng rng;
} e2e_ctx;

/* Finds each record's body in the event text (the bench's bodies need no
 * escaping) and checks it into the sum. */
static void batch_handler(void *user, aev_invocation *ctx, const char *event,
                          size_t len) {
  e2e_ctx *c = user;
  const char *p = event, *end = event + len;
  c->batches++;
  while ((p = strstr(p, "\"body\":\"")) && p < end) {
    p += 8;
    const char *q = strchr(p, '"');
    if (!q) break;
    c->seen++;
    c->sum = set_sum(c->sum, p, (size_t)(q - p));
    p = q;
  }
  aev_invocation_succeed(ctx, "{}", 2);
}

static void e2e_ours_prepare(void *p) {
  e2e_ctx *c = p;
  c->b = bench_broker(SEED);
  if (aev_function_create(c->b, "sink", NULL, batch_handler, c, NULL, &c->f) ||
      aev_queue_create(c->b, "source", NULL, &c->q))
    exit(1);
  char req[256];
  snprintf(req, sizeof req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"sink\","
           "\"BatchSize\":10}",
           aev_queue_arn(c->q));
  if (aev_event_source_mapping_create(c->b, req, NULL)) exit(1);
  aev_broker_drain(c->b);
  c->seen = c->batches = 0;
  c->sum = 0;
  c->failures = 0;
}

static void e2e_ours_run(void *p) {
  e2e_ctx *c = p;
  for (size_t i = 0; i < N; i++)
    c->failures +=
        aev_queue_send(c->q, c->in->bodies[i], BODY, NULL, NULL, NULL) != 0;
  c->failures += aev_broker_drain(c->b) != 0;
}

static int e2e_check(void *p, char *note, size_t cap) {
  e2e_ctx *c = p;
  snprintf(note, cap, "%zu bodies in %zu batches, sum %016llx", c->seen,
           c->batches, (unsigned long long)c->sum);
  return c->failures || c->seen != N || c->sum != c->in->bodies_sum;
}

static void e2e_ours_cleanup(void *p) {
  e2e_ctx *c = p;
  aev_queue_release(c->q);
  aev_function_release(c->f);
  aev_broker_destroy(c->b);
}

static void e2e_floor_prepare(void *p) {
  e2e_ctx *c = p;
  pthread_mutex_init(&c->mu, NULL);
  c->fifo = bench_calloc(N, sizeof *c->fifo);
  c->head = c->tail = 0;
  aev__rng_seed(&c->rng, SEED);
  c->seen = c->batches = 0;
  c->sum = 0;
  c->failures = 0;
}

/* The queue round-trip floor (mutex FIFO, body copy, MD5, two fast ids),
 * then the bodies handed to the handler's check ten at a time. */
static void e2e_floor_run(void *p) {
  e2e_ctx *c = p;
  for (size_t i = 0; i < N; i++) {
    struct fmsg m;
    m.body = malloc(BODY + 1);
    memcpy(m.body, c->in->bodies[i], BODY + 1);
    aev__md5 md;
    aev__md5_init(&md);
    aev__md5_update(&md, m.body, BODY);
    aev__md5_final(&md, m.md5);
    aev__uuid4(&c->rng, m.id);
    pthread_mutex_lock(&c->mu);
    c->fifo[c->tail++] = m;
    pthread_mutex_unlock(&c->mu);
  }
  for (;;) {
    struct fmsg batch[BATCH];
    size_t k = 0;
    pthread_mutex_lock(&c->mu);
    while (k < BATCH && c->head < c->tail) {
      batch[k] = c->fifo[c->head++];
      aev__uuid4(&c->rng, batch[k].handle);
      k++;
    }
    pthread_mutex_unlock(&c->mu);
    if (!k) break;
    c->batches++;
    for (size_t j = 0; j < k; j++) {
      c->seen++;
      c->sum = set_sum(c->sum, batch[j].body, BODY);
      free(batch[j].body);
    }
  }
}

static void e2e_floor_cleanup(void *p) {
  e2e_ctx *c = p;
  free(c->fifo);
  pthread_mutex_destroy(&c->mu);
}

int main(void) {
  static inputs in;
  inputs_init(&in);
  int runs = bench_runs(), failed = 0;

  static sync_ctx sc;
  sc.in = &in;
  const bench_case sync_cases[] = {
      {"floor", "call through a pointer, request id, counter under a mutex, "
                "result copied",
       sync_floor_prepare, sync_floor_run, results_check, sync_floor_cleanup,
       &sc},
      {"ours", "aev_function_invoke (RequestResponse), handler completes "
               "inline with the event",
       sync_ours_prepare, sync_ours_run, results_check, sync_ours_cleanup, &sc},
  };
  const bench_group sync_g = {"Lambda sync invoke", 1, "~40 B JSON", N, 0,
                              sync_cases, 2};
  failed += bench_group_run(&sync_g, runs);

  static async_ctx ac;
  ac.in = &in;
  const bench_case async_cases[] = {
      {"floor", "event copied into a mutex FIFO, popped, handler called",
       async_floor_prepare, async_floor_run, async_check, async_floor_cleanup,
       &ac},
      {"ours", "aev_function_invoke_event x N, then drain (handler pool, "
               "workers=0)",
       async_ours_prepare, async_ours_run, async_check, async_ours_cleanup,
       &ac},
  };
  const bench_group async_g = {"Lambda Event invoke", 1, "~40 B JSON", N, 0,
                               async_cases, 2};
  failed += bench_group_run(&async_g, runs);

  static e2e_ctx ec;
  ec.in = &in;
  const bench_case e2e_cases[] = {
      {"floor", "queue round trip (mutex FIFO, body copy, MD5, 2 ids), "
                "bodies checked 10 at a time",
       e2e_floor_prepare, e2e_floor_run, e2e_check, e2e_floor_cleanup, &ec},
      {"ours", "aev_queue_send x N + drain: mapping receives 10, builds the "
               "SQS event, invokes, deletes; handler checks every body",
       e2e_ours_prepare, e2e_ours_run, e2e_check, e2e_ours_cleanup, &ec},
  };
  const bench_group e2e_g = {"queue -> mapping -> C handler", 1, "100 B", N,
                             0, e2e_cases, 2};
  failed += bench_group_run(&e2e_g, runs);
  return failed ? 1 : 0;
}
