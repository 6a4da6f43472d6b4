/* The benchmark harness: interleaved timed runs, median and spread per case,
 * ratio to the group's baseline, and the ROW lines bench/run collects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

enum { MAX_RUNS = 101, NOTE_CAP = 160 };

int bench_runs(void) {
  const char *env = getenv("AEV_BENCH_RUNS");
  int runs = env ? atoi(env) : 7;
  if (runs < 5) runs = 5;
  if (runs > MAX_RUNS) runs = MAX_RUNS;
  return runs;
}

uint64_t bench_fnv(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3u;
  }
  return h;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Cases share one process, so a case's timed run can inherit the heap the
 * run before it (often another case) left. glibc keeps small freed chunks
 * unmerged in its fast bins until some allocation finds no fitting chunk;
 * that allocation first merges them all (malloc_consolidate). A floor that
 * freed 100,000 list nodes in its check thus made the next case, whichever
 * it was, pay for walking them inside its clock. A request of glibc's
 * large-bin sizes does that merge here, untimed, before every run of every
 * case; the volatile keeps the compiler from dropping the malloc/free pair. */
static void settle_heap(void) {
  void *volatile p = malloc(4096);
  free(p);
}

/* One run of one case: ns per operation, or -1 when its check failed. */
static double run_once(const bench_case *c, size_t ops, char *note) {
  if (c->prepare) c->prepare(c->ctx);
  settle_heap();
  int64_t t0 = now_ns();
  c->run(c->ctx);
  int64_t t1 = now_ns();
  int bad = c->check(c->ctx, note, NOTE_CAP);
  if (c->cleanup) c->cleanup(c->ctx);
  return bad ? -1 : (double)(t1 - t0) / (double)ops;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void fmt_ns(char *out, size_t cap, double ns) {
  snprintf(out, cap, ns < 100 ? "%.1f" : "%.0f", ns);
}

int bench_group_run(const bench_group *g, int runs) {
  return bench_group_run_ops(g, NULL, runs);
}

int bench_group_run_ops(const bench_group *g, const size_t *ops, int runs) {
  double(*t)[MAX_RUNS] = calloc(g->ncases, sizeof *t);
  char(*notes)[NOTE_CAP] = calloc(g->ncases, sizeof *notes);
  int *failed = calloc(g->ncases, sizeof *failed);
  if (!t || !notes || !failed) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  size_t *n = calloc(g->ncases, sizeof *n);
  if (!n) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  for (size_t c = 0; c < g->ncases; c++) {
    n[c] = ops && ops[c] ? ops[c] : g->ops;
    failed[c] = run_once(&g->cases[c], n[c], notes[c]) < 0;
  }
  for (int r = 0; r < runs; r++)
    for (size_t c = 0; c < g->ncases; c++) {
      t[c][r] = run_once(&g->cases[c], n[c], notes[c]);
      if (t[c][r] < 0) failed[c] = 1;
    }
  double base = 0;
  for (size_t c = 0; c < g->ncases; c++) {
    qsort(t[c], (size_t)runs, sizeof t[c][0], cmp_double);
    if (c == g->baseline) base = t[c][runs / 2];
  }
  int nfailed = 0;
  for (size_t c = 0; c < g->ncases; c++) {
    const bench_case *k = &g->cases[c];
    char med[32], lo[32], hi[32], ratio[32];
    fmt_ns(med, sizeof med, t[c][runs / 2]);
    fmt_ns(lo, sizeof lo, t[c][0]);
    fmt_ns(hi, sizeof hi, t[c][runs - 1]);
    if (c == g->baseline)
      snprintf(ratio, sizeof ratio, "1.00 (baseline)");
    else
      /* Small ratios (ours against a slow peer) keep their digits. */
      snprintf(ratio, sizeof ratio, t[c][runs / 2] / base < 0.1 ? "%.4f" : "%.2f",
               t[c][runs / 2] / base);
    nfailed += failed[c];
    printf("ROW | %s | %s | %s | %d | %s | %zu | %s | %s–%s | %s | %s%s |\n",
           g->name, k->label, k->what, g->threads, g->payload, n[c], med, lo,
           hi, ratio, failed[c] ? "FAILED: " : "", notes[c]);
  }
  fflush(stdout);
  free(t);
  free(notes);
  free(failed);
  free(n);
  return nfailed;
}
