/* Core benchmarks: timer arm + fire through the scheduler, UUIDv4 strings,
 * and MD5 / SHA-256 hex of 100-byte bodies, each beside its floor, its
 * baseline and a peer where one is installed (DESIGN §7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/broker.h"
#include "core/broker.h"
#include "core/clock.h"
#include "core/digest.h"
#include "core/ids.h"
#include "core/sched.h"
#include "harness.h"

#ifdef HAVE_LIBUUID
#include <uuid/uuid.h>
#endif
#ifdef HAVE_OPENSSL
#include <openssl/evp.h>
#endif

enum { N = 10000, BODY = 100 };
#define SEED 20240101u

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (!p) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  return p;
}

/* --- timers: arm N distinct deadlines, then fire them all ---------------- */

typedef struct tbench tbench;

typedef struct item {
  aev__timer timer; /* ours */
  tbench *owner;
  uint32_t index;
} item;

/* The floor's heap node: the key and a function pointer, by value. */
typedef struct node {
  int64_t deadline;
  uint64_t seq;
  void (*fn)(void *arg);
  void *arg;
} node;

struct tbench {
  int64_t offset[N]; /* distinct deadlines, ms after now, shuffled */
  int64_t span;
  item items[N];
  uint32_t fired[N]; /* item indices in firing order */
  size_t nfired;
  uint64_t expect; /* checksum of the indices sorted by deadline */
  int failures;
  aev__clock clock;
  aev__sched *sched;
  node *heap;
  size_t heap_len;
};

static void note_fired(tbench *t, uint32_t index) {
  if (t->nfired < N) t->fired[t->nfired] = index;
  t->nfired++;
}

static void on_timer(void *arg, int cancelled) {
  item *it = arg;
  if (cancelled) it->owner->failures++;
  else note_fired(it->owner, it->index);
}

static void on_floor(void *arg) {
  item *it = arg;
  note_fired(it->owner, it->index);
}

static void timers_init(tbench *t) {
  aev__rng r;
  aev__rng_seed(&r, SEED);
  for (uint32_t i = 0; i < N; i++) t->offset[i] = 1 + 7 * (int64_t)i;
  for (uint32_t i = N - 1; i > 0; i--) {
    uint32_t j = (uint32_t)aev__rng_below(&r, i + 1);
    int64_t x = t->offset[i];
    t->offset[i] = t->offset[j];
    t->offset[j] = x;
  }
  t->span = 7 * (int64_t)N;
  uint32_t *order = xcalloc(N, sizeof *order);
  for (uint32_t i = 0; i < N; i++) {
    order[(t->offset[i] - 1) / 7] = i;
    t->items[i].owner = t;
    t->items[i].index = i;
  }
  t->expect = bench_fnv(BENCH_FNV_INIT, order, N * sizeof *order);
  free(order);
  t->heap = xcalloc(N, sizeof *t->heap);
}

static void ours_timer_prepare(void *ctx) {
  tbench *t = ctx;
  t->nfired = 0;
  t->failures = 0;
  aev__clock_init(&t->clock, AEV_CLOCK_MANUAL, AEV_MANUAL_CLOCK_DEFAULT_START_MS);
  if (aev__sched_new(&t->clock, 0, &t->sched) != AEV_OK) exit(1);
  for (uint32_t i = 0; i < N; i++)
    aev__timer_init(&t->items[i].timer, on_timer, &t->items[i], NULL);
}

static void ours_timer_run(void *ctx) {
  tbench *t = ctx;
  int64_t now = aev__clock_mono_ms(&t->clock);
  for (uint32_t i = 0; i < N; i++)
    t->failures +=
        aev__timer_arm(t->sched, &t->items[i].timer, now + t->offset[i]) != 0;
  t->failures += aev__sched_advance(t->sched, t->span) != 0;
}

static void ours_timer_cleanup(void *ctx) {
  tbench *t = ctx;
  aev__sched_shutdown(t->sched);
  aev__sched_free(t->sched);
}

static void floor_timer_prepare(void *ctx) {
  tbench *t = ctx;
  t->nfired = 0;
  t->failures = 0;
  t->heap_len = 0;
}

static int node_less(const node *a, const node *b) {
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_push(tbench *t, node n) {
  size_t i = t->heap_len++;
  while (i > 0 && node_less(&n, &t->heap[(i - 1) / 2])) {
    t->heap[i] = t->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  t->heap[i] = n;
}

static node heap_pop(tbench *t) {
  node top = t->heap[0], last = t->heap[--t->heap_len];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= t->heap_len) break;
    if (c + 1 < t->heap_len && node_less(&t->heap[c + 1], &t->heap[c])) c++;
    if (!node_less(&t->heap[c], &last)) break;
    t->heap[i] = t->heap[c];
    i = c;
  }
  t->heap[i] = last;
  return top;
}

static void floor_timer_run(void *ctx) {
  tbench *t = ctx;
  uint64_t seq = 0;
  for (uint32_t i = 0; i < N; i++)
    heap_push(t, (node){AEV_MANUAL_CLOCK_DEFAULT_START_MS + t->offset[i],
                        seq++, on_floor, &t->items[i]});
  while (t->heap_len) {
    node n = heap_pop(t);
    n.fn(n.arg);
  }
}

static int timer_check(void *ctx, char *note, size_t cap) {
  tbench *t = ctx;
  uint64_t sum = bench_fnv(BENCH_FNV_INIT, t->fired, N * sizeof t->fired[0]);
  snprintf(note, cap, "%zu fired in deadline order, fnv %08x", t->nfired,
           (unsigned)(sum >> 32));
  return t->nfired != N || t->failures || sum != t->expect;
}

/* --- UUIDv4 strings ------------------------------------------------------ */

typedef struct ubench {
  char out[N][AEV_UUID_LEN + 1];
  aev__rng rng;
  aev_broker *broker;
  uint64_t expect; /* checksum of the seeded sequence (floor's output) */
} ubench;

static void seeded_prepare(void *ctx) {
  ubench *u = ctx;
  aev__rng_seed(&u->rng, SEED);
}

static void ours_uuid_run(void *ctx) {
  ubench *u = ctx;
  for (size_t i = 0; i < N; i++) aev__uuid4(&u->rng, u->out[i]);
}

static void broker_uuid_prepare(void *ctx) {
  ubench *u = ctx;
  aev_broker_options *o;
  if (aev_broker_options_new(&o) || aev_broker_options_set_seed(o, SEED) ||
      aev_broker_options_set_workers(o, 0) ||
      aev_broker_new(o, &u->broker) != AEV_OK)
    exit(1);
  aev_broker_options_free(o);
}

static void broker_uuid_run(void *ctx) {
  ubench *u = ctx;
  for (size_t i = 0; i < N; i++) aev__broker_uuid(u->broker, u->out[i]);
}

static void broker_uuid_cleanup(void *ctx) {
  aev_broker_destroy(((ubench *)ctx)->broker);
}

/* The floor: two bare generator draws, the version and variant bits, and
 * each byte written as two digits from a 256-entry table. */
static char byte_hex[256][2];

static void byte_hex_init(void) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 256; i++) {
    byte_hex[i][0] = digits[i >> 4];
    byte_hex[i][1] = digits[i & 15];
  }
}

static void floor_uuid_run(void *ctx) {
  /* Where each of the 16 bytes goes in 8-4-4-4-12. */
  static const uint8_t at[16] = {0,  2,  4,  6,  9,  11, 14, 16,
                                 19, 21, 24, 26, 28, 30, 32, 34};
  ubench *u = ctx;
  for (size_t i = 0; i < N; i++) {
    uint64_t hi = aev__rng_next(&u->rng), lo = aev__rng_next(&u->rng);
    hi = (hi & ~0xf000ull) | 0x4000u;
    lo = (lo & ~(3ull << 62)) | (2ull << 62);
    char *s = u->out[i];
    for (int k = 0; k < 8; k++) {
      memcpy(s + at[k], byte_hex[(hi >> (56 - 8 * k)) & 255], 2);
      memcpy(s + at[8 + k], byte_hex[(lo >> (56 - 8 * k)) & 255], 2);
    }
    s[8] = s[13] = s[18] = s[23] = '-';
    s[AEV_UUID_LEN] = 0;
  }
}

static int uuid_valid(const char *s) {
  for (int k = 0; k < AEV_UUID_LEN; k++) {
    int dash = k == 8 || k == 13 || k == 18 || k == 23;
    int hexc = (s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f');
    if (dash ? s[k] != '-' : !hexc) return 0;
  }
  return s[AEV_UUID_LEN] == 0 && s[14] == '4' && strchr("89ab", s[19]);
}

static uint64_t uuid_sum(ubench *u, size_t *valid) {
  *valid = 0;
  for (size_t i = 0; i < N; i++) *valid += (size_t)uuid_valid(u->out[i]);
  return bench_fnv(BENCH_FNV_INIT, u->out, sizeof u->out);
}

/* Seeded generators must reproduce the floor's exact strings. */
static int seeded_uuid_check(void *ctx, char *note, size_t cap) {
  ubench *u = ctx;
  size_t valid;
  uint64_t sum = uuid_sum(u, &valid);
  snprintf(note, cap, "%zu valid v4, fnv %08x (= floor)", valid,
           (unsigned)(sum >> 32));
  memset(u->out, 0, sizeof u->out); /* the next run must write them again */
  return valid != N || sum != u->expect;
}

#ifdef HAVE_LIBUUID
static void libuuid_run(void *ctx) {
  ubench *u = ctx;
  for (size_t i = 0; i < N; i++) {
    uuid_t id;
    uuid_generate_random(id);
    uuid_unparse_lower(id, u->out[i]);
  }
}

static int cmp_uuid(const void *a, const void *b) {
  return memcmp(a, b, AEV_UUID_LEN);
}

/* libuuid is not seeded: check format and that no id repeats. */
static int libuuid_check(void *ctx, char *note, size_t cap) {
  ubench *u = ctx;
  size_t valid, distinct = 1;
  uuid_sum(u, &valid);
  qsort(u->out, N, sizeof u->out[0], cmp_uuid);
  for (size_t i = 1; i < N; i++)
    distinct += memcmp(u->out[i - 1], u->out[i], AEV_UUID_LEN) != 0;
  snprintf(note, cap, "%zu valid v4, %zu distinct", valid, distinct);
  memset(u->out, 0, sizeof u->out);
  return valid != N || distinct != N;
}
#endif

/* --- MD5 and SHA-256 hex of distinct 100-byte bodies ----------------------- */

typedef struct dbench {
  int sha; /* 0: MD5, 1: SHA-256 */
  uint8_t body[N][BODY];
  char hex[N][65];
  uint64_t expect;
#ifdef HAVE_OPENSSL
  EVP_MD *md;
  EVP_MD_CTX *ctx;
#endif
} dbench;

static void bodies_init(dbench *d) {
  aev__rng r;
  aev__rng_seed(&r, SEED ^ 0x5a5a);
  for (size_t i = 0; i < N; i++) {
    /* A distinct prefix, then seeded printable text like a JSON body. */
    int n = snprintf((char *)d->body[i], BODY, "{\"n\":%zu,\"t\":\"", i);
    for (size_t k = (size_t)n; k < BODY; k++)
      d->body[i][k] = (uint8_t)(' ' + 1 + aev__rng_below(&r, 94));
  }
}

static void ours_digest_run(void *ctx) {
  dbench *d = ctx;
  if (d->sha)
    for (size_t i = 0; i < N; i++) aev__sha256_hex(d->body[i], BODY, d->hex[i]);
  else
    for (size_t i = 0; i < N; i++) aev__md5_hex(d->body[i], BODY, d->hex[i]);
}

static uint64_t digest_sum(dbench *d, size_t *valid) {
  size_t want = d->sha ? 64 : 32;
  *valid = 0;
  uint64_t h = BENCH_FNV_INIT;
  for (size_t i = 0; i < N; i++) {
    *valid += strlen(d->hex[i]) == want;
    h = bench_fnv(h, d->hex[i], want);
  }
  return h;
}

static int digest_check(void *ctx, char *note, size_t cap) {
  dbench *d = ctx;
  size_t valid;
  uint64_t sum = digest_sum(d, &valid);
  snprintf(note, cap, "%zu digests, fnv %08x%s", valid, (unsigned)(sum >> 32),
#ifdef HAVE_OPENSSL
           " (= OpenSSL)"
#else
           ""
#endif
  );
  int bad = valid != N || sum != d->expect;
  memset(d->hex, 0, sizeof d->hex); /* the next run must write them again */
  return bad;
}

#ifdef HAVE_OPENSSL
static void openssl_digest_run(void *ctx) {
  dbench *d = ctx;
  for (size_t i = 0; i < N; i++) {
    uint8_t out[32];
    unsigned len = 0;
    EVP_DigestInit_ex2(d->ctx, d->md, NULL);
    EVP_DigestUpdate(d->ctx, d->body[i], BODY);
    EVP_DigestFinal_ex(d->ctx, out, &len);
    aev__hex(out, len, d->hex[i]);
  }
}
#endif

/* --- main ------------------------------------------------------------------ */

static int bench_timers(int runs) {
  tbench *t = xcalloc(1, sizeof *t);
  timers_init(t);
  const bench_case cases[] = {
      {"ours", "aev__timer_arm each + one aev__sched_advance firing all "
               "(manual clock, workers 0)",
       ours_timer_prepare, ours_timer_run, timer_check, ours_timer_cleanup, t},
      {"floor", "array min-heap push each, then pop all + fn-pointer call",
       floor_timer_prepare, floor_timer_run, timer_check, NULL, t},
  };
  bench_group g = {"timer arm + fire", 1, "10,000 distinct deadlines", N, 1,
                   cases, sizeof cases / sizeof cases[0]};
  int failed = bench_group_run(&g, runs);
  free(t->heap);
  free(t);
  return failed;
}

static int bench_uuids(int runs) {
  ubench *u = xcalloc(1, sizeof *u);
  byte_hex_init();
  seeded_prepare(u);
  floor_uuid_run(u);
  size_t valid;
  u->expect = uuid_sum(u, &valid);
  const bench_case cases[] = {
      {"ours", "aev__uuid4 (xoshiro256**, RFC 4122 v4 string)", seeded_prepare,
       ours_uuid_run, seeded_uuid_check, NULL, u},
      {"ours, via broker", "aev__broker_uuid (the broker's locked generator)",
       broker_uuid_prepare, broker_uuid_run, seeded_uuid_check,
       broker_uuid_cleanup, u},
      {"floor", "bare xoshiro256** draws + byte-table hex formatting",
       seeded_prepare, floor_uuid_run, seeded_uuid_check, NULL, u},
#ifdef HAVE_LIBUUID
      {"peer: libuuid", "uuid_generate_random + uuid_unparse_lower", NULL,
       libuuid_run, libuuid_check, NULL, u},
#endif
  };
  bench_group g = {"UUIDv4 string", 1, "36-char id", N, 2, cases,
                   sizeof cases / sizeof cases[0]};
  int failed = bench_group_run(&g, runs);
  free(u);
  return failed;
}

static int bench_digest(int runs, int sha) {
  dbench *d = xcalloc(1, sizeof *d);
  d->sha = sha;
  bodies_init(d);
#ifdef HAVE_OPENSSL
  d->md = EVP_MD_fetch(NULL, sha ? "SHA256" : "MD5", NULL);
  d->ctx = EVP_MD_CTX_new();
  if (!d->md || !d->ctx) exit(1);
  openssl_digest_run(d); /* OpenSSL's digests are the reference */
#else
  ours_digest_run(d);
#endif
  size_t valid;
  d->expect = digest_sum(d, &valid);
  const bench_case cases[] = {
      {"ours", sha ? "aev__sha256_hex (FIPS 180-4, self-contained)"
                   : "aev__md5_hex (RFC 1321, self-contained)",
       NULL, ours_digest_run, digest_check, NULL, d},
#ifdef HAVE_OPENSSL
      {"baseline: OpenSSL EVP",
       "EVP_DigestInit_ex2/Update/Final_ex, digest fetched once, context "
       "reused, + hex",
       NULL, openssl_digest_run, digest_check, NULL, d},
#endif
  };
  size_t n = sizeof cases / sizeof cases[0];
  bench_group g = {sha ? "SHA-256 hex" : "MD5 hex", 1, "100 B distinct bodies",
                   N, n - 1, cases, n};
  int failed = bench_group_run(&g, runs);
#ifdef HAVE_OPENSSL
  EVP_MD_CTX_free(d->ctx);
  EVP_MD_free(d->md);
#endif
  free(d);
  return failed;
}

int main(void) {
  int runs = bench_runs();
  int failed = bench_timers(runs) + bench_uuids(runs) + bench_digest(runs, 0) +
               bench_digest(runs, 1);
  if (failed) fprintf(stderr, "core_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
