/* The benchmark harness shared by every bench program: interleaved runs of
 * a group's cases, medians with their spread, a ratio to the group's
 * baseline, and one "ROW | ... |" line per case for bench/run to collect. */
#ifndef AEV_BENCH_HARNESS_H
#define AEV_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* One contender. prepare, check and cleanup are untimed; run is timed.
 * check reads what run produced, as a user would, and writes a short
 * summary (count + checksum) to note; it returns 0 when the output is right.
 * prepare and cleanup may be NULL. */
typedef struct bench_case {
  const char *label; /* "ours: aev__uuid4", "floor: ...", "peer: ..." */
  const char *what;  /* what exactly is timed */
  void (*prepare)(void *ctx);
  void (*run)(void *ctx);
  int (*check)(void *ctx, char *note, size_t cap);
  void (*cleanup)(void *ctx);
  void *ctx;
} bench_case;

typedef struct bench_group {
  const char *name;    /* row prefix, e.g. "MD5 hex" */
  int threads;         /* threads doing the timed work */
  const char *payload; /* e.g. "100 B" */
  size_t ops;          /* operations per run: figures are ns per operation */
  size_t baseline;     /* index of the case the ratio column divides by */
  const bench_case *cases;
  size_t ncases;
} bench_group;

/* Runs from AEV_BENCH_RUNS (default 7, never fewer than 5). */
int bench_runs(void);

/* One untimed warm-up round, then runs rounds of every case in turn (A, B,
 * A, B, ...). Prints one ROW line per case. Returns the number of cases
 * whose check failed in any run. */
int bench_group_run(const bench_group *g, int runs);

/* The same with operations per run set per case: ops[c] for case c (0 =
 * the group's ops). For a peer too slow for the group's count, while ours
 * runs enough operations for a stable figure; ns per operation stay
 * comparable. */
int bench_group_run_ops(const bench_group *g, const size_t *ops, int runs);

/* FNV-1a, for checksums of outputs. */
uint64_t bench_fnv(uint64_t h, const void *data, size_t n);
#define BENCH_FNV_INIT 0xcbf29ce484222325u

#endif
