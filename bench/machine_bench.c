/* Step Functions benchmark (issue 8, DESIGN §7): state transitions/s of a
 * 10-state Pass/Choice machine as EXPRESS and as STANDARD with history
 * recorded, and executions/s of a 3-state machine, each beside a floor that
 * does the same JSON work with bare jansson (parse the input, apply the
 * states' changes, serialize the output). Inputs are 10,000 distinct seeded
 * ~1 KiB documents; outputs (and STANDARD histories) are checked after the
 * clock stops. The peer, aws-local-stepfunctions over Node.js, runs the
 * same 3-state definition on the same inputs when it is installed
 *   cd bench && npm install --no-save aws-local-stepfunctions@3.0.0
 * (with --no-save npm removes packages it did not install in the same
 * command: install the jsonata peer alongside, `npm install --no-save
 * jsonata@2.0.6 aws-local-stepfunctions@3.0.0`; or point AEV_SFN_NODE_PATH
 * at a node_modules holding it). It lives in one Node.js process for the
 * whole run (bench/machine_peer.js), so its start-up is never timed, and
 * runs each execution as a user does: one StateMachine built once and
 * reused (the target row), and, in a second group, a new StateMachine per
 * execution. Its outputs must hash to ours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "awsevents/machine.h"
#include "core/ids.h"
#include "harness.h"
#include "node_peer.h"
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

/* ---- the peer: aws-local-stepfunctions over Node.js (machine_peer.js) ---- */

static bench_node peer;

typedef struct peer_ctx {
  mbench *m;
  const char *mode; /* "reuse" or "new" */
  size_t count;
  uint64_t expect; /* fnv of the floor's outputs for inputs 0..count-1 */
} peer_ctx;

static void peer_run(void *ctx) {
  peer_ctx *p = ctx;
  char cmd[64], reply[64];
  snprintf(cmd, sizeof cmd, "%s %zu", p->mode, p->count);
  if (bench_node_cmd(&peer, cmd, reply, sizeof reply) || strcmp(reply, "done")) {
    fprintf(stderr, "machine_bench: the Node.js peer failed (%s)\n", reply);
    exit(1);
  }
}

/* The peer's outputs must be ours, byte for byte (the same compact JSON). */
static int peer_check(void *ctx, char *note, size_t cap) {
  peer_ctx *p = ctx;
  char reply[128];
  if (bench_node_cmd(&peer, "check", reply, sizeof reply)) return 1;
  size_t n = 0;
  unsigned long long h = 0;
  int ok = sscanf(reply, "%zu %llx", &n, &h) == 2 && n == p->count && h == p->expect;
  snprintf(note, cap, "%zu outputs, fnv %016llx", n, h);
  return ok ? 0 : 1;
}

/* Ours on the peer's inputs: the 3-state machine built once and reused. */
static void ours_peer_reuse(void *ctx) {
  peer_ctx *p = ctx;
  run_machine(p->m, p->m->x3, p->count, 0);
}

/* One creation + validation + execution + deletion per op. */
static void ours_peer_new(void *ctx) {
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

static int check_peer_ours(void *ctx, char *note, size_t cap) {
  peer_ctx *p = ctx;
  int rc = check_outputs(p->m, p->count, p->expect, note, cap);
  free_outputs(p->m);
  return rc;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0) exit(1);
  fclose(f);
}

/* The peer groups. Ours is the baseline, so the peer's ratio is how many
 * times our executions/s its are (the target: >= 1,000). */
static int peer_groups(mbench *m, int runs) {
  const char *mods = getenv("AEV_SFN_NODE_PATH");
  if (!mods) mods = "bench/node_modules";
  if (bench_node_start(&peer, "bench/machine_peer.js", mods, "aws-local-stepfunctions")) {
    printf("ROW | SFN executions vs aws-local-stepfunctions | peer | not run: Node.js or "
           "bench/node_modules/aws-local-stepfunctions missing (cd bench && npm install --no-save "
           "aws-local-stepfunctions@3.0.0) | 1 | - | - | - | - | - | - |\n");
    return 0;
  }
  char def_file[64], in_file[64], cmd[160], reply[64];
  snprintf(def_file, sizeof def_file, "/tmp/aev_sfn_def3_%d.json", (int)getpid());
  snprintf(in_file, sizeof in_file, "/tmp/aev_sfn_inputs_%d.jsonl", (int)getpid());
  write_file(def_file, DEF3);
  FILE *f = fopen(in_file, "w");
  for (size_t i = 0; f && i < NPEER; i++) fprintf(f, "%s\n", m->inputs[i]);
  if (f) fclose(f);
  snprintf(cmd, sizeof cmd, "load %s %s", def_file, in_file);
  int failed = 0;
  if (bench_node_cmd(&peer, cmd, reply, sizeof reply) || strncmp(reply, "ok ", 3)) {
    fprintf(stderr, "machine_bench: the Node.js peer did not load (%s)\n", reply);
    failed = 1;
  } else {
    char label[96];
    snprintf(label, sizeof label, "peer: aws-local-stepfunctions %s", reply + 3);
    uint64_t sums[2];
    size_t counts[2] = {NPEER, NNEW};
    for (int k = 0; k < 2; k++) {
      floor_run(m, counts[k], 0);
      sums[k] = outputs_sum(m, counts[k]);
      free_outputs(m);
    }
    peer_ctx ours_reuse = {m, "reuse", NPEER, sums[0]}, peer_reuse = ours_reuse;
    peer_ctx ours_new = {m, "new", NNEW, sums[1]}, peer_new = ours_new;
    const bench_case reuse[] = {
        {"ours: EXPRESS", "aev_machine_start + aev_broker_drain + aev_execution_output, machine "
                          "created once",
         NULL, ours_peer_reuse, check_peer_ours, NULL, &ours_reuse},
        {label, "JSON.parse(input text), await sm.run(input).result, JSON.stringify: one "
                "StateMachine built once (Node.js)",
         NULL, peer_run, peer_check, NULL, &peer_reuse},
    };
    bench_group g1 = {"SFN executions, 3-state machine, vs aws-local-stepfunctions", 1,
                      "~1 KiB distinct inputs", NPEER, 0, reuse, 2};
    failed += bench_group_run(&g1, runs);
    const bench_case fresh[] = {
        {"ours: EXPRESS, new machine each time", "aev_machine_create (validation) + start + drain + "
                                                 "output + delete per execution",
         NULL, ours_peer_new, check_peer_ours, NULL, &ours_new},
        {label, "new StateMachine(definition) (validation) + parse, run, stringify per execution",
         NULL, peer_run, peer_check, NULL, &peer_new},
    };
    bench_group g2 = {"SFN executions incl. machine creation, vs aws-local-stepfunctions", 1,
                      "~1 KiB distinct inputs", NNEW, 0, fresh, 2};
    failed += bench_group_run(&g2, runs);
  }
  bench_node_stop(&peer);
  remove(def_file);
  remove(in_file);
  return failed;
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

  failed += peer_groups(m, runs);
  aev_machine_release(m->x10);
  aev_machine_release(m->x3);
  aev_broker_destroy(m->b);
  for (size_t i = 0; i < N; i++) free(m->inputs[i]);
  free(m->def10);
  free(m);
  if (failed) fprintf(stderr, "machine_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
