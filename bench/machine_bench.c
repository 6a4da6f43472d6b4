/* Step Functions benchmark (issue 8, DESIGN §7): state transitions/s of a
 * 10-state Pass/Choice machine as EXPRESS and as STANDARD with history
 * recorded, and executions/s of a 3-state machine, each beside a floor that
 * does the same JSON work with bare jansson (parse the input, apply the
 * states' changes, serialize the output). Inputs are 10,000 distinct seeded
 * ~1 KiB documents; outputs (and STANDARD histories) are checked after the
 * clock stops. The peer, aws-local-stepfunctions over Node.js, runs the
 * same definitions and inputs when its package is installed:
 *   npm install --prefix build-bench aws-local-stepfunctions@3.0.0
 * (or AEV_SFN_PEER=/path/to/node_modules/aws-local-stepfunctions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "awsevents/machine.h"
#include "core/ids.h"
#include "harness.h"
#include "support.h"

enum { N = 10000, NSTD = 2000, NPEER = 1000, NNEW = 5, DATA = 960 };
#define SEED 20240108u

/* P0 -> C1 -> P2 -> C3 -> P4 -> C5 -> P6 -> C7 -> P8 -> S9: each Pass adds
 * "pK": K at ResultPath $.pK, each Choice tests $.n against K * 1000 with
 * both branches leading on. Ten transitions per execution. */
static char *def10(void) {
  json_t *states = json_object();
  for (int k = 0; k < 10; k++) {
    char name[8], next[8], rp[8];
    snprintf(name, sizeof name, "%c%d", k == 9 ? 'S' : k % 2 ? 'C' : 'P', k);
    snprintf(next, sizeof next, "%c%d", k + 1 == 9 ? 'S' : (k + 1) % 2 ? 'C' : 'P', k + 1);
    snprintf(rp, sizeof rp, "$.p%d", k);
    json_t *st;
    if (k == 9)
      st = json_pack("{s:s}", "Type", "Succeed");
    else if (k % 2)
      st = json_pack("{s:s,s:[{s:s,s:i,s:s}],s:s}", "Type", "Choice", "Choices", "Variable", "$.n",
                     "NumericGreaterThan", k * 1000, "Next", next, "Default", next);
    else
      st = json_pack("{s:s,s:i,s:s,s:s}", "Type", "Pass", "Result", k, "ResultPath", rp, "Next", next);
    json_object_set_new(states, name, st);
  }
  json_t *d = json_pack("{s:s,s:o}", "StartAt", "P0", "States", states);
  char *t = json_dumps(d, JSON_COMPACT);
  json_decref(d);
  return t;
}

/* P -> C -> S: Pass adds "seen": true, Choice on $.n, Succeed. */
static const char DEF3[] =
    "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":true,\"ResultPath\":"
    "\"$.seen\",\"Next\":\"C\"},\"C\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.n\","
    "\"NumericGreaterThan\":5000,\"Next\":\"S\"}],\"Default\":\"S\"},\"S\":{\"Type\":\"Succeed\"}}}";

typedef struct mbench {
  aev_broker *b;
  aev_machine *x10, *x3, *std10;
  char *def10;
  char *inputs[N];
  size_t lens[N];
  char *outputs[N];
  aev_execution *execs[NSTD];
  size_t n;            /* executions per run in the current group */
  uint64_t expect[3];  /* floor checksums: 10-state (N), 10-state (NSTD), 3-state */
  int which;           /* index into expect */
  int failures;
  unsigned std_serial;
  const char *peer;    /* aws-local-stepfunctions' ESM entry, or NULL */
  char peer_file[256]; /* inputs for the peer */
  uint64_t peer_sum;
} mbench;

static void inputs_init(mbench *m) {
  aev__rng r;
  aev__rng_seed(&r, SEED);
  for (size_t i = 0; i < N; i++) {
    char data[DATA + 1], id[AEV_UUID_LEN + 1];
    aev__token(&r, data, DATA);
    aev__uuid4(&r, id);
    json_t *in = json_pack("{s:I,s:s,s:s}", "n", (json_int_t)aev__rng_below(&r, 10000), "id", id,
                           "data", data);
    m->inputs[i] = json_dumps(in, JSON_COMPACT);
    m->lens[i] = strlen(m->inputs[i]);
    json_decref(in);
  }
}

static uint64_t outputs_sum(mbench *m, size_t n) {
  uint64_t h = BENCH_FNV_INIT;
  for (size_t i = 0; i < n; i++)
    if (m->outputs[i]) h = bench_fnv(h, m->outputs[i], strlen(m->outputs[i]));
  return h;
}

static void free_outputs(void *ctx) {
  mbench *m = ctx;
  for (size_t i = 0; i < N; i++) {
    free(m->outputs[i]);
    m->outputs[i] = NULL;
  }
}

/* ---- ours ---- */

static void run_machine(mbench *m, aev_machine *mc, size_t n, int keep) {
  for (size_t i = 0; i < n; i++) {
    aev_execution *e = NULL;
    char *out = NULL;
    if (aev_machine_start(mc, NULL, m->inputs[i], m->lens[i], &e) || aev_broker_drain(m->b) ||
        aev_execution_output(e, &out) || !out)
      m->failures++;
    m->outputs[i] = out;
    if (keep) m->execs[i] = e;
    else aev_execution_release(e);
  }
}

static void ours_x10(void *ctx) {
  mbench *m = ctx;
  run_machine(m, m->x10, N, 0);
}

static void ours_x3(void *ctx) {
  mbench *m = ctx;
  run_machine(m, m->x3, N, 0);
}

/* STANDARD machines keep their executions (and histories): a fresh machine
 * per run, deleted after the check. */
static void std_prepare(void *ctx) {
  mbench *m = ctx;
  char name[32];
  snprintf(name, sizeof name, "std%u", m->std_serial++);
  if (aev_machine_create(m->b, name, m->def10, strlen(m->def10), AEV_MACHINE_STANDARD, &m->std10))
    exit(1);
}

static void ours_std10(void *ctx) {
  mbench *m = ctx;
  run_machine(m, m->std10, NSTD, 1);
}

static void std_cleanup(void *ctx) {
  mbench *m = ctx;
  for (size_t i = 0; i < NSTD; i++) {
    aev_execution_release(m->execs[i]);
    m->execs[i] = NULL;
  }
  aev_machine_delete(m->std10);
  aev_machine_release(m->std10);
  m->std10 = NULL;
  free_outputs(m);
}

/* ---- floors: the same JSON work in plain jansson ---- */

static char *floor_one(const char *in, size_t len, int states10) {
  json_t *doc = json_loadb(in, len, 0, NULL);
  if (!doc) return NULL;
  json_int_t n = json_integer_value(json_object_get(doc, "n"));
  if (states10) {
    for (int k = 0; k < 9; k++) {
      if (k % 2 == 0) {
        char key[8];
        snprintf(key, sizeof key, "p%d", k);
        json_t *copy = json_copy(doc);
        json_object_set_new(copy, key, json_integer(k));
        json_decref(doc);
        doc = copy;
      } else if (n > k * 1000) {
        n = json_integer_value(json_object_get(doc, "n"));
      }
    }
  } else {
    json_t *copy = json_copy(doc);
    json_object_set_new(copy, "seen", json_true());
    json_decref(doc);
    doc = copy;
    if (n > 5000) n = json_integer_value(json_object_get(doc, "n"));
  }
  char *out = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(doc);
  return out;
}

static void floor_run(mbench *m, size_t n, int states10) {
  for (size_t i = 0; i < n; i++) {
    m->outputs[i] = floor_one(m->inputs[i], m->lens[i], states10);
    if (!m->outputs[i]) m->failures++;
  }
}

static void floor_x10(void *ctx) { floor_run(ctx, N, 1); }
static void floor_std10(void *ctx) { floor_run(ctx, NSTD, 1); }
static void floor_x3(void *ctx) { floor_run(ctx, N, 0); }

/* ---- checks ---- */

static int check_outputs(mbench *m, size_t n, uint64_t expect, char *note, size_t cap) {
  uint64_t sum = outputs_sum(m, n);
  snprintf(note, cap, "%zu outputs, fnv %016llx", n, (unsigned long long)sum);
  int ok = sum == expect && m->failures == 0;
  m->failures = 0;
  return ok ? 0 : 1;
}

static int check_x10(void *ctx, char *note, size_t cap) {
  mbench *m = ctx;
  int rc = check_outputs(m, N, m->expect[0], note, cap);
  free_outputs(m);
  return rc;
}

static int check_x3(void *ctx, char *note, size_t cap) {
  mbench *m = ctx;
  int rc = check_outputs(m, N, m->expect[2], note, cap);
  free_outputs(m);
  return rc;
}

/* STANDARD: outputs, and every history holds AWS's 22 events. */
static int check_std10(void *ctx, char *note, size_t cap) {
  mbench *m = ctx;
  int rc = check_outputs(m, NSTD, m->expect[1], note, cap);
  if (!m->execs[0]) return rc; /* the floor's run */
  size_t events = 0;
  for (size_t i = 0; i < NSTD; i++) {
    char *h = NULL;
    if (aev_execution_history(m->execs[i], &h)) return 1;
    json_t *v = json_loads(h, 0, NULL);
    events += json_array_size(json_object_get(v, "events"));
    json_decref(v);
    aev_free(h);
  }
  size_t used = strlen(note);
  snprintf(note + used, cap - used, ", %zu events", events);
  return rc || events != (size_t)NSTD * 22;
}

static void floor_std_cleanup(void *ctx) { free_outputs(ctx); }

/* ---- the peer: aws-local-stepfunctions over Node.js ---- */

static const char PEER_JS[] =
    "const [mod, defPath, inPath, mode, count] = process.argv.slice(2);\n"
    "const { StateMachine } = await import(mod);\n"
    "const fs = await import('fs'), crypto = await import('crypto');\n"
    "const def = JSON.parse(fs.readFileSync(defPath, 'utf8'));\n"
    "const inputs = fs.readFileSync(inPath, 'utf8').split('\\n').slice(0, +count).map(JSON.parse);\n"
    "const shared = new StateMachine(def);\n"
    "const h = crypto.createHash('sha256');\n"
    "for (const input of inputs) {\n"
    "  const sm = mode === 'new' ? new StateMachine(def) : shared;\n"
    "  h.update(JSON.stringify(await sm.run(input).result));\n"
    "}\n"
    "console.log(inputs.length + ' ' + h.digest('hex'));\n";

typedef struct peer_ctx {
  mbench *m;
  const char *mode; /* "reuse" or "new" */
  size_t count;
  char result[128];
} peer_ctx;

static char js_file[256], def3_file[256];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0) exit(1);
  fclose(f);
}

static const char *peer_module(void) {
  static char path[512];
  const char *dir = getenv("AEV_SFN_PEER");
  if (dir) snprintf(path, sizeof path, "%s/build/main.node.esm.js", dir);
  else snprintf(path, sizeof path, "%s", "node_modules/aws-local-stepfunctions/build/main.node.esm.js");
  struct stat st;
  if (stat(path, &st) != 0 || system("node --version >/dev/null 2>&1") != 0) return NULL;
  if (path[0] != '/') {
    static char abs[600];
    char *cwd = realpath(".", NULL);
    snprintf(abs, sizeof abs, "%s/%s", cwd ? cwd : ".", path);
    free(cwd);
    return abs;
  }
  return path;
}

static void peer_run(void *ctx) {
  peer_ctx *p = ctx;
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "node %s %s %s %s %s %zu", js_file, p->m->peer, def3_file,
           p->m->peer_file, p->mode, p->count);
  FILE *f = popen(cmd, "r");
  p->result[0] = 0;
  if (f) {
    if (!fgets(p->result, sizeof p->result, f)) p->result[0] = 0;
    pclose(f);
  }
}

static int peer_check(void *ctx, char *note, size_t cap) {
  peer_ctx *p = ctx;
  size_t n = 0;
  char hex[80] = "";
  int ok = sscanf(p->result, "%zu %79s", &n, hex) == 2 && n == p->count;
  snprintf(note, cap, "%zu outputs, sha256 %.16s", n, hex);
  return ok ? 0 : 1;
}

/* One creation + validation + execution per op (what the issue's ~170 ms
 * per small execution measures for the peer). */
static void ours_new(void *ctx) {
  peer_ctx *p = ctx;
  mbench *m = p->m;
  for (size_t i = 0; i < p->count; i++) {
    aev_machine *mc = NULL;
    if (aev_machine_create(m->b, "fresh", DEF3, strlen(DEF3), AEV_MACHINE_EXPRESS, &mc)) {
      m->failures++;
      continue;
    }
    aev_execution *e = NULL;
    char *out = NULL;
    if (aev_machine_start(mc, NULL, m->inputs[i], m->lens[i], &e) || aev_broker_drain(m->b) ||
        aev_execution_output(e, &out) || !out)
      m->failures++;
    m->outputs[i] = out;
    aev_execution_release(e);
    aev_machine_delete(mc);
    aev_machine_release(mc);
  }
}

static int check_new(void *ctx, char *note, size_t cap) {
  peer_ctx *p = ctx;
  mbench *m = p->m;
  uint64_t h = BENCH_FNV_INIT;
  size_t n = 0;
  for (size_t i = 0; i < p->count; i++) {
    char *want = floor_one(m->inputs[i], m->lens[i], 0);
    n += want && m->outputs[i] && !strcmp(want, m->outputs[i]);
    if (m->outputs[i]) h = bench_fnv(h, m->outputs[i], strlen(m->outputs[i]));
    free(want);
  }
  snprintf(note, cap, "%zu outputs, fnv %016llx", n, (unsigned long long)h);
  free_outputs(m);
  int ok = n == p->count && m->failures == 0;
  m->failures = 0;
  return ok ? 0 : 1;
}

int main(void) {
  int runs = bench_runs();
  mbench *m = bench_calloc(1, sizeof *m);
  m->b = bench_broker(SEED);
  m->def10 = def10();
  inputs_init(m);
  if (aev_machine_create(m->b, "x10", m->def10, strlen(m->def10), AEV_MACHINE_EXPRESS, &m->x10) ||
      aev_machine_create(m->b, "x3", DEF3, strlen(DEF3), AEV_MACHINE_EXPRESS, &m->x3))
    return 1;
  floor_run(m, N, 1);
  m->expect[0] = outputs_sum(m, N);
  m->expect[1] = outputs_sum(m, NSTD);
  free_outputs(m);
  floor_run(m, N, 0);
  m->expect[2] = outputs_sum(m, N);
  free_outputs(m);
  int failed = 0;

  const bench_case x10[] = {
      {"ours: EXPRESS", "aev_machine_start + aev_broker_drain + aev_execution_output per execution "
                        "(10 transitions each)",
       NULL, ours_x10, check_x10, free_outputs, m},
      {"floor", "json_loads, 5 json_copy + set (the Pass states), 4 integer compares, json_dumps",
       NULL, floor_x10, check_x10, free_outputs, m},
  };
  bench_group g1 = {"SFN transitions, 10-state Pass/Choice, EXPRESS", 1, "~1 KiB distinct inputs",
                    (size_t)N * 10, 1, x10, 2};
  failed += bench_group_run(&g1, runs);

  const bench_case s10[] = {
      {"ours: STANDARD + history", "as EXPRESS, recording the 22 history events of each execution",
       std_prepare, ours_std10, check_std10, std_cleanup, m},
      {"floor", "json_loads, 5 json_copy + set, 4 integer compares, json_dumps", NULL, floor_std10,
       check_std10, floor_std_cleanup, m},
  };
  bench_group g2 = {"SFN transitions, 10-state Pass/Choice, STANDARD", 1, "~1 KiB distinct inputs",
                    (size_t)NSTD * 10, 1, s10, 2};
  failed += bench_group_run(&g2, runs);

  const bench_case x3[] = {
      {"ours: EXPRESS", "aev_machine_start + aev_broker_drain + aev_execution_output (Pass, Choice, "
                        "Succeed)",
       NULL, ours_x3, check_x3, free_outputs, m},
      {"floor", "json_loads, json_copy + set, one compare, json_dumps", NULL, floor_x3, check_x3,
       free_outputs, m},
  };
  bench_group g3 = {"SFN executions, 3-state machine", 1, "~1 KiB distinct inputs", N, 1, x3, 2};
  failed += bench_group_run(&g3, runs);

  m->peer = peer_module();
  if (!m->peer) {
    printf("ROW | SFN executions vs aws-local-stepfunctions | peer | not run: Node.js or the npm "
           "package aws-local-stepfunctions is missing (see bench/machine_bench.c) | 1 | - | - | - "
           "| - | - | - |\n");
  } else {
    snprintf(js_file, sizeof js_file, "/tmp/aev_sfn_peer_%d.mjs", (int)getpid());
    snprintf(def3_file, sizeof def3_file, "/tmp/aev_sfn_def3_%d.json", (int)getpid());
    snprintf(m->peer_file, sizeof m->peer_file, "/tmp/aev_sfn_inputs_%d.jsonl", (int)getpid());
    write_file(js_file, PEER_JS);
    write_file(def3_file, DEF3);
    FILE *f = fopen(m->peer_file, "w");
    for (size_t i = 0; f && i < NPEER; i++) fprintf(f, "%s%s", i ? "\n" : "", m->inputs[i]);
    if (f) fclose(f);
    peer_ctx reuse = {m, "reuse", NPEER, ""}, fresh = {m, "new", NNEW, ""};
    peer_ctx ours_fresh = {m, "new", NNEW, ""};
    const bench_case p2[] = {
        {"ours: EXPRESS, new machine each time", "aev_machine_create (validation) + start + drain + "
                                                 "output + delete per execution",
         NULL, ours_new, check_new, NULL, &ours_fresh},
        {"peer: aws-local-stepfunctions 3.0.0", "new StateMachine (validation) + run per execution "
                                                "(Node.js start-up included, once per run)",
         NULL, peer_run, peer_check, NULL, &fresh},
    };
    bench_group g5 = {"SFN executions incl. machine creation vs aws-local-stepfunctions", 1,
                      "~1 KiB distinct inputs", NNEW, 1, p2, 2};
    failed += bench_group_run(&g5, runs);
    const bench_case p3[] = {
        {"peer: aws-local-stepfunctions 3.0.0", "one StateMachine, run(input).result per execution "
                                                "(Node.js start-up included, once per run)",
         NULL, peer_run, peer_check, NULL, &reuse},
    };
    /* Compare with the "SFN executions, 3-state machine" group above. */
    bench_group g6 = {"SFN executions, 3-state machine (peer, reused machine)", 1,
                      "~1 KiB distinct inputs", NPEER, 0, p3, 1};
    failed += bench_group_run(&g6, runs);
    remove(js_file);
    remove(def3_file);
    remove(m->peer_file);
  }
  aev_machine_release(m->x10);
  aev_machine_release(m->x3);
  aev_broker_destroy(m->b);
  for (size_t i = 0; i < N; i++) free(m->inputs[i]);
  free(m->def10);
  free(m);
  if (failed) fprintf(stderr, "machine_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
