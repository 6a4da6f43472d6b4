/* SQS queues against a floor and ZeroMQ (DESIGN §7, issue 3's bench rows):
 * send+receive+delete round trips of 100-B messages on one thread, one at a
 * time and in batches of 10; 1 producer + 1 consumer thread and 4 + 4
 * threads with batches; memory per stored message for 1,000,000 queued
 * messages. The floor does the mandatory work with the simplest code: a
 * mutex FIFO that copies the body, computes its MD5 and draws two fast ids
 * (message id, receipt handle). ZeroMQ inproc PUSH/PULL runs where libzmq
 * was found. Bodies are 100,000 distinct seeded values; every received
 * body, id, receipt handle and MD5OfBody is read and checked after the
 * clock stops. */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_ZMQ
#include <zmq.h>
#endif

#include "awsevents/awsevents.h"
#include "core/digest.h"
#include "core/ids.h"
#include "harness.h"
#include "support.h"

enum { N = 100000, BODY = 100, BATCH = 10, MEM_N = 1000000 };
#define SEED 20240301u

static char (*bodies)[BODY + 1]; /* "<index>:" + seeded letters */
static char (*body_md5)[33];

static void make_bodies(void) {
  bodies = bench_calloc(N, sizeof *bodies);
  body_md5 = bench_calloc(N, sizeof *body_md5);
  aev__rng rng;
  aev__rng_seed(&rng, SEED);
  for (size_t i = 0; i < N; i++) {
    int k = snprintf(bodies[i], BODY + 1, "%zu:", i);
    for (; k < BODY; k++) bodies[i][k] = (char)('a' + aev__rng_below(&rng, 26));
    aev__md5_hex(bodies[i], BODY, body_md5[i]);
  }
}

/* ---- the floor: a mutex FIFO, body copy, MD5, two fast ids ---- */

typedef struct fnode {
  struct fnode *next;
  uint8_t md5[16];
  uint64_t id[2];
  size_t len;
  char body[];
} fnode;

typedef struct ffifo {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  fnode *head, *tail;
  int waiters, closed;
  aev__rng rng;
} ffifo;

typedef struct fmsg {
  fnode *node; /* the receipt: delete frees it */
  char id[37];
  char handle[33];
  char md5[33];
  size_t len;
  char body[];
} fmsg;

static ffifo *floor_new(void) {
  ffifo *f = bench_calloc(1, sizeof *f);
  pthread_mutex_init(&f->mu, NULL);
  pthread_cond_init(&f->cv, NULL);
  aev__rng_seed(&f->rng, SEED);
  return f;
}

static void floor_send(ffifo *f, const char *const *b, const size_t *lens,
                       size_t n) {
  fnode *first = NULL, *last = NULL;
  for (size_t i = 0; i < n; i++) {
    fnode *x = malloc(sizeof *x + lens[i]);
    if (!x) exit(1);
    memcpy(x->body, b[i], lens[i]);
    x->len = lens[i];
    aev__md5 c;
    aev__md5_init(&c);
    aev__md5_update(&c, b[i], lens[i]);
    aev__md5_final(&c, x->md5);
    x->next = NULL;
    if (last) last->next = x;
    else first = x;
    last = x;
  }
  pthread_mutex_lock(&f->mu);
  for (fnode *x = first; x; x = x->next) {
    x->id[0] = aev__rng_next(&f->rng);
    x->id[1] = aev__rng_next(&f->rng);
  }
  if (f->tail) f->tail->next = first;
  else f->head = first;
  f->tail = last;
  if (f->waiters) pthread_cond_signal(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

static void uuid_fmt(const uint64_t id[2], char *out) {
  uint8_t b[16];
  memcpy(b, id, 16);
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
  static const char hex[] = "0123456789abcdef";
  char *p = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    *p++ = hex[b[i] >> 4];
    *p++ = hex[b[i] & 15];
  }
  *p = '\0';
}

/* Up to max messages; blocks while empty when wait is set (until closed). */
static size_t floor_receive(ffifo *f, size_t max, int wait, fmsg **out) {
  fnode *got[BATCH];
  uint64_t nonce[BATCH];
  size_t n = 0;
  pthread_mutex_lock(&f->mu);
  while (wait && !f->head && !f->closed) {
    f->waiters++;
    pthread_cond_wait(&f->cv, &f->mu);
    f->waiters--;
  }
  while (n < max && f->head) {
    got[n] = f->head;
    f->head = f->head->next;
    if (!f->head) f->tail = NULL;
    nonce[n++] = aev__rng_next(&f->rng);
  }
  pthread_mutex_unlock(&f->mu);
  for (size_t i = 0; i < n; i++) {
    fnode *x = got[i];
    fmsg *m = malloc(sizeof *m + x->len + 1);
    if (!m) exit(1);
    m->node = x;
    memcpy(m->body, x->body, x->len);
    m->body[x->len] = '\0';
    m->len = x->len;
    uuid_fmt(x->id, m->id);
    aev__hex((const uint8_t *)&nonce[i], 8, m->handle);
    aev__hex((const uint8_t *)&x->id[0], 8, m->handle + 16);
    aev__hex(x->md5, 16, m->md5);
    out[i] = m;
  }
  return n;
}

static void floor_close(ffifo *f) {
  pthread_mutex_lock(&f->mu);
  f->closed = 1;
  pthread_cond_broadcast(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

static void floor_free(ffifo *f) {
  while (f->head) {
    fnode *x = f->head;
    f->head = x->next;
    free(x);
  }
  pthread_mutex_destroy(&f->mu);
  pthread_cond_destroy(&f->cv);
  free(f);
}

/* ---- contexts ---- */

enum { OURS, FLOOR, ZMQ };

typedef struct qb {
  int kind, batch, producers, consumers;
  aev_broker *b;
  aev_queue *q;
  ffifo *f;
  void *zctx, *zpush, *zpull;
  void **out; /* received messages: aev_message*, fmsg* or 100-B copies */
  atomic_size_t nout;
  atomic_int done;
} qb;

static const char *entry_ids[BATCH] = {"0", "1", "2", "3", "4",
                                       "5", "6", "7", "8", "9"};

static aev_broker *real_broker(void) {
  aev_broker_options *o;
  aev_broker *b;
  if (aev_broker_options_new(&o) != AEV_OK) exit(1);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, SEED);
  if (aev_broker_new(o, &b) != AEV_OK) exit(1);
  aev_broker_options_free(o);
  return b;
}

static void prepare(void *ctx) {
  qb *c = ctx;
  c->out = bench_calloc(N, sizeof *c->out);
  atomic_store(&c->nout, 0);
  atomic_store(&c->done, 0);
  if (c->kind == OURS) {
    /* One thread: the manual clock (receives never block). Threads: the
     * real clock, so idle consumers sleep in long polls. */
    c->b = c->producers ? real_broker() : bench_broker(SEED);
    if (aev_queue_create(c->b, "bench", NULL, &c->q) != AEV_OK) exit(1);
  } else if (c->kind == FLOOR) {
    c->f = floor_new();
  }
#ifdef HAVE_ZMQ
  if (c->kind == ZMQ) {
    int hwm = 0; /* no high-water mark: like a queue, never drop or block */
    c->zctx = zmq_ctx_new();
    c->zpull = zmq_socket(c->zctx, ZMQ_PULL);
    c->zpush = zmq_socket(c->zctx, ZMQ_PUSH);
    zmq_setsockopt(c->zpull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(c->zpush, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(c->zpull, "inproc://bench") || zmq_connect(c->zpush, "inproc://bench"))
      exit(1);
  }
#endif
}

static void keep(qb *c, void *m) {
  c->out[atomic_fetch_add(&c->nout, 1)] = m;
}

/* ---- one thread: send + receive + delete ---- */

static void ours_round_trips(qb *c) {
  aev_message *m[BATCH];
  const char *handles[BATCH];
  const void *b[BATCH];
  size_t lens[BATCH], k;
  for (size_t i = 0; i < N; i += (size_t)c->batch) {
    if (c->batch == 1) {
      if (aev_queue_send(c->q, bodies[i], BODY, NULL, NULL, NULL) != AEV_OK) exit(1);
      if (aev_queue_receive(c->q, 1, 0, NULL, m, &k) != AEV_OK || k != 1) exit(1);
      if (aev_queue_delete_message(c->q, aev_message_receipt_handle(m[0])) != AEV_OK)
        exit(1);
      keep(c, m[0]);
      continue;
    }
    aev_batch_result *r;
    for (int j = 0; j < BATCH; j++) b[j] = bodies[i + (size_t)j], lens[j] = BODY;
    if (aev_queue_send_batch(c->q, BATCH, entry_ids, b, lens, NULL, &r) != AEV_OK) exit(1);
    aev_batch_result_free(r);
    if (aev_queue_receive(c->q, BATCH, 0, NULL, m, &k) != AEV_OK || k != BATCH) exit(1);
    for (int j = 0; j < BATCH; j++) handles[j] = aev_message_receipt_handle(m[j]);
    if (aev_queue_delete_message_batch(c->q, BATCH, entry_ids, handles, &r) != AEV_OK)
      exit(1);
    aev_batch_result_free(r);
    for (int j = 0; j < BATCH; j++) keep(c, m[j]);
  }
}

static void floor_round_trips(qb *c) {
  fmsg *m[BATCH];
  const char *b[BATCH];
  size_t lens[BATCH];
  for (size_t i = 0; i < N; i += (size_t)c->batch) {
    for (int j = 0; j < c->batch; j++) b[j] = bodies[i + (size_t)j], lens[j] = BODY;
    floor_send(c->f, b, lens, (size_t)c->batch);
    size_t k = floor_receive(c->f, (size_t)c->batch, 0, m);
    for (size_t j = 0; j < k; j++) {
      free(m[j]->node); /* delete */
      m[j]->node = NULL;
      keep(c, m[j]);
    }
  }
}

static void run_one_thread(void *ctx) {
  qb *c = ctx;
  if (c->kind == OURS) ours_round_trips(c);
  else floor_round_trips(c);
}

/* ---- producer and consumer threads ---- */

typedef struct part {
  qb *c;
  int t;
} part;

static void *producer(void *arg) {
  part *p = arg;
  qb *c = p->c;
  size_t per = N / (size_t)c->producers, from = (size_t)p->t * per;
  const void *b[BATCH];
  const char *fb[BATCH];
  size_t lens[BATCH];
  for (size_t i = from; i < from + per; i += BATCH) {
    for (int j = 0; j < BATCH; j++)
      b[j] = fb[j] = bodies[i + (size_t)j], lens[j] = BODY;
    if (c->kind == OURS) {
      aev_batch_result *r;
      if (aev_queue_send_batch(c->q, BATCH, entry_ids, b, lens, NULL, &r) != AEV_OK)
        exit(1);
      aev_batch_result_free(r);
    } else if (c->kind == FLOOR) {
      floor_send(c->f, fb, lens, BATCH);
    }
#ifdef HAVE_ZMQ
    else {
      for (int j = 0; j < BATCH; j++)
        if (zmq_send(c->zpush, b[j], BODY, 0) != BODY) exit(1);
    }
#endif
  }
  return NULL;
}

/* After the last message is counted, the consumer that counted it wakes
 * the others: ours deletes the queue (which wakes every long poll at once),
 * the floor closes. */
static void counted(qb *c) {
  if (atomic_load(&c->nout) < N || atomic_exchange(&c->done, 1)) return;
  if (c->kind == OURS) aev_queue_delete(c->q);
  if (c->kind == FLOOR) floor_close(c->f);
}

static void *consumer(void *arg) {
  qb *c = ((part *)arg)->c;
  while (!atomic_load(&c->done)) {
    if (c->kind == OURS) {
      aev_message *m[BATCH];
      const char *handles[BATCH];
      size_t k;
      if (aev_queue_receive(c->q, BATCH, 1000, NULL, m, &k) != AEV_OK) {
        if (atomic_load(&c->done)) break;
        exit(1);
      }
      for (size_t j = 0; j < k; j++) handles[j] = aev_message_receipt_handle(m[j]);
      aev_batch_result *r;
      if (k && aev_queue_delete_message_batch(c->q, k, entry_ids, handles, &r) == AEV_OK)
        aev_batch_result_free(r);
      for (size_t j = 0; j < k; j++) keep(c, m[j]);
      counted(c);
    } else if (c->kind == FLOOR) {
      fmsg *m[BATCH];
      size_t k = floor_receive(c->f, BATCH, 1, m);
      for (size_t j = 0; j < k; j++) {
        free(m[j]->node);
        m[j]->node = NULL;
        keep(c, m[j]);
      }
      counted(c);
    }
#ifdef HAVE_ZMQ
    else {
      char *buf = malloc(BODY + 1);
      if (!buf || zmq_recv(c->zpull, buf, BODY, 0) != BODY) exit(1);
      buf[BODY] = '\0';
      keep(c, buf);
      if (atomic_load(&c->nout) == N) atomic_store(&c->done, 1);
    }
#endif
  }
  return NULL;
}

static void run_threads(void *ctx) {
  qb *c = ctx;
  pthread_t pt[4], ct[4];
  part pp[4], cp[4];
  for (int i = 0; i < c->consumers; i++) {
    cp[i] = (part){c, i};
    if (pthread_create(&ct[i], NULL, consumer, &cp[i])) exit(1);
  }
  for (int i = 0; i < c->producers; i++) {
    pp[i] = (part){c, i};
    if (pthread_create(&pt[i], NULL, producer, &pp[i])) exit(1);
  }
  for (int i = 0; i < c->producers; i++) pthread_join(pt[i], NULL);
  for (int i = 0; i < c->consumers; i++) pthread_join(ct[i], NULL);
}

/* ---- checks (after the clock stops) ---- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every body exactly once, each with its MD5; ids valid v4 UUIDs and
 * distinct; receipt handles distinct. */
static int check(void *ctx, char *note, size_t cap) {
  qb *c = ctx;
  size_t n = atomic_load(&c->nout), bad = 0;
  unsigned char *seen = bench_calloc(N, 1);
  bench_uuid *ids = bench_calloc(n ? n : 1, sizeof *ids);
  const char **handles = bench_calloc(n ? n : 1, sizeof *handles);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    const char *body, *md5 = NULL, *id = NULL, *handle = NULL;
    size_t len = BODY;
    if (c->kind == OURS) {
      aev_message *m = c->out[i];
      body = aev_message_body(m, &len);
      md5 = aev_message_md5_of_body(m);
      id = aev_message_id(m);
      handle = aev_message_receipt_handle(m);
    } else if (c->kind == FLOOR) {
      fmsg *m = c->out[i];
      body = m->body, len = m->len, md5 = m->md5, id = m->id, handle = m->handle;
    } else {
      body = c->out[i];
    }
    size_t idx = strtoul(body, NULL, 10);
    if (len != BODY || idx >= N || memcmp(body, bodies[idx], BODY) || seen[idx]++ ||
        (md5 && strcmp(md5, body_md5[idx]))) {
      bad++;
      continue;
    }
    sum += bench_fnv(BENCH_FNV_INIT, body, len);
    if (id) snprintf(ids[i], sizeof ids[i], "%s", id);
    handles[i] = handle;
  }
  size_t valid = n, distinct = n, hdistinct = n;
  if (c->kind != ZMQ) {
    valid = bench_uuids_valid(ids, n);
    distinct = bench_uuids_distinct(ids, n);
    qsort(handles, n, sizeof *handles, cmp_str);
    for (size_t i = 1; i < n; i++)
      if (!handles[i] || !strcmp(handles[i], handles[i - 1])) hdistinct--;
  }
  snprintf(note, cap, "%zu bodies (fnv %016llx), %zu bad%s", n,
           (unsigned long long)sum, bad,
           c->kind == ZMQ ? "" : ", ids valid+distinct, handles distinct");
  free(seen);
  free(ids);
  free(handles);
  return n != N || bad || valid != n || distinct != n || hdistinct != n;
}

static void cleanup(void *ctx) {
  qb *c = ctx;
  size_t n = atomic_load(&c->nout);
  for (size_t i = 0; i < n; i++) {
    if (c->kind == OURS) aev_message_free(c->out[i]);
    else free(c->out[i]);
  }
  free(c->out);
  if (c->kind == OURS) {
    aev_queue_release(c->q);
    aev_broker_destroy(c->b);
  } else if (c->kind == FLOOR) {
    floor_free(c->f);
  }
#ifdef HAVE_ZMQ
  if (c->kind == ZMQ) {
    zmq_close(c->zpush);
    zmq_close(c->zpull);
    zmq_ctx_term(c->zctx);
  }
#endif
}

/* ---- memory: 1,000,000 queued 100-B messages, measured in a child ---- */

static long rss_kb(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Fills a queue (or the floor) with MEM_N messages; reports malloc'd bytes
 * and RSS growth per message, and the child's peak RSS. */
static void measure_memory(int kind, double out[3]) {
  int fd[2];
  if (pipe(fd)) exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    char body[BODY + 1];
    memset(body, 'x', BODY);
    body[BODY] = '\0';
    aev_broker *b = bench_broker(SEED);
    aev_queue *q = NULL;
    ffifo *f = NULL;
    struct mallinfo2 m0 = mallinfo2();
    long r0 = rss_kb();
    if (kind == OURS && aev_queue_create(b, "mem", NULL, &q) != AEV_OK) _exit(1);
    if (kind == FLOOR) f = floor_new();
    for (size_t i = 0; i < MEM_N; i++) {
      snprintf(body, sizeof body, "%zu:", i);
      body[strlen(body)] = 'x';
      const char *bp = body;
      size_t len = BODY;
      if (kind == OURS) {
        if (aev_queue_send(q, body, BODY, NULL, NULL, NULL) != AEV_OK) _exit(1);
      } else {
        floor_send(f, &bp, &len, 1);
      }
    }
    struct mallinfo2 m1 = mallinfo2();
    long r1 = rss_kb();
    char *count = NULL;
    if (q) aev_queue_get_attributes(q, "[\"ApproximateNumberOfMessages\"]", &count);
    int ok = !q || (count && strstr(count, "\"1000000\""));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double res[3] = {ok ? (double)(m1.uordblks - m0.uordblks) / MEM_N - BODY : -1,
                     (double)(r1 - r0) * 1024 / MEM_N - BODY,
                     (double)ru.ru_maxrss / 1024};
    if (write(fd[1], res, sizeof res) != sizeof res) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  if (read(fd[0], out, 3 * sizeof *out) != 3 * (ssize_t)sizeof *out) out[0] = -1;
  close(fd[0]);
  waitpid(pid, NULL, 0);
}

static void memory_rows(void) {
  double ours[3], flo[3];
  measure_memory(OURS, ours);
  measure_memory(FLOOR, flo);
  const char *group = "SQS memory, 1,000,000 queued";
  printf("ROW | %s | ours | malloc'd bytes per stored message beyond its 100-B "
         "body (mallinfo2 before/after 1,000,000 sends; B/msg, not ns) | 1 | "
         "100 B | %d | %.0f B | RSS growth %.0f B/msg beyond body | %.2f | "
         "%s; peak RSS %.0f MiB |\n",
         group, MEM_N, ours[0], ours[1], ours[0] / flo[0],
         ours[0] < 0 ? "FAILED: count" : "ApproximateNumberOfMessages 1000000",
         ours[2]);
  printf("ROW | %s | floor | same, mutex FIFO node (body, MD5, id) | 1 | 100 B | "
         "%d | %.0f B | RSS growth %.0f B/msg beyond body | 1.00 (baseline) | "
         "peak RSS %.0f MiB |\n",
         group, MEM_N, flo[0], flo[1], flo[2]);
  fflush(stdout);
}

int main(void) {
  make_bodies();
  int runs = bench_runs(), failed = 0;
  qb rt_ours = {.kind = OURS, .batch = 1, .producers = 0, .consumers = 0}, rt_floor = {.kind = FLOOR, .batch = 1, .producers = 0, .consumers = 0};
  const bench_case rt[] = {
      {"ours", "aev_queue_send + aev_queue_receive(max 1) + aev_queue_delete_message",
       prepare, run_one_thread, check, cleanup, &rt_ours},
      {"floor", "mutex FIFO: copy body, MD5, 2 fast ids; pop, copy out, free",
       prepare, run_one_thread, check, cleanup, &rt_floor},
  };
  bench_group g1 = {"SQS round trip, one at a time", 1, "100 B", N, 1, rt, 2};
  failed += bench_group_run(&g1, runs);

  qb b10_ours = {.kind = OURS, .batch = BATCH, .producers = 0, .consumers = 0}, b10_floor = {.kind = FLOOR, .batch = BATCH, .producers = 0, .consumers = 0};
  const bench_case b10[] = {
      {"ours", "send_batch(10) + receive(max 10) + delete_message_batch(10); per message",
       prepare, run_one_thread, check, cleanup, &b10_ours},
      {"floor", "mutex FIFO, 10 per lock; per message",
       prepare, run_one_thread, check, cleanup, &b10_floor},
  };
  bench_group g2 = {"SQS round trip, batches of 10", 1, "100 B", N, 1, b10, 2};
  failed += bench_group_run(&g2, runs);

  qb p1_ours = {.kind = OURS, .batch = BATCH, .producers = 1, .consumers = 1}, p1_floor = {.kind = FLOOR, .batch = BATCH, .producers = 1, .consumers = 1};
  qb p1_zmq = {.kind = ZMQ, .batch = 1, .producers = 1, .consumers = 1};
  const bench_case p1[] = {
      {"ours", "producer send_batch(10); consumer receive(10, long poll) + "
               "delete_message_batch; wall time per message",
       prepare, run_threads, check, cleanup, &p1_ours},
      {"floor", "mutex+condvar FIFO, 10 per lock; wall time per message",
       prepare, run_threads, check, cleanup, &p1_floor},
#ifdef HAVE_ZMQ
      {"peer: ZeroMQ", "inproc PUSH/PULL, zmq_send/zmq_recv per message; wall time per message",
       prepare, run_threads, check, cleanup, &p1_zmq},
#endif
  };
  bench_group g3 = {"SQS 1 producer + 1 consumer", 2, "100 B", N, 1, p1,
                    sizeof p1 / sizeof p1[0]};
  failed += bench_group_run(&g3, runs);

  qb p4_ours = {.kind = OURS, .batch = BATCH, .producers = 4, .consumers = 4}, p4_floor = {.kind = FLOOR, .batch = BATCH, .producers = 4, .consumers = 4};
  const bench_case p4[] = {
      {"ours", "4 producers send_batch(10); 4 consumers receive(10, long poll) + "
               "delete_message_batch; wall time per message",
       prepare, run_threads, check, cleanup, &p4_ours},
      {"floor", "mutex+condvar FIFO, 10 per lock; wall time per message",
       prepare, run_threads, check, cleanup, &p4_floor},
  };
  bench_group g4 = {"SQS 4 producers + 4 consumers", 8, "100 B", N, 1, p4, 2};
  failed += bench_group_run(&g4, runs);

  memory_rows();
  (void)p1_zmq;
  free(bodies);
  free(body_md5);
  if (failed) fprintf(stderr, "queue_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
