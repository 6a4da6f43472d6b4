/* JSONata benchmarks (issue 10): evaluations per second of typical Step
 * Functions expressions (field access, $states.input reshaping, $map over
 * 100 items, string building), each compiled once. Per expression:
 *  - floor: the same transformation hand-written against jansson;
 *  - ours, json_t in/out: aev__jsonata_eval_json on the already-parsed
 *    document with $states.input bound, giving a json_t (what a Step
 *    Functions state does, lib/machine/jq.c): like for like with the peer;
 *  - ours, text in/out: the public aev_jsonata_evaluate, which also parses
 *    the document and bindings from JSON text and writes the result as text;
 *  - peer: jsonata-js 2.0.6 over Node.js on the already-parsed JS object
 *    with the same bindings, giving a JS value (no JSON.parse/stringify in
 *    its timed loop), driven in the same run through a pipe
 *    (bench/jsonata_peer.js; install it with `npm install jsonata@2.0.6` in
 *    bench/, or point AEV_JSONATA_NODE_PATH at a node_modules holding it).
 * Inputs: 10,000 distinct seeded orders per group, the same documents for
 * every contender; outputs are counted and hashed (FNV-1a of the compact
 * JSON text) after the clock stops, and every contender's hash must equal
 * the floor's. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "awsevents/jsonata.h"
#include "harness.h"
#include "jsonata/jsonata.h"

enum { NDOC = 10000, POOL = NDOC + 100, NGROUP = 4 };

static uint64_t rng = 0x2024010100000010ULL;
static uint64_t next(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dULL;
}

static json_t *item_pool[POOL];

static json_t *make_item(int j) {
  char sku[32], name[32];
  snprintf(sku, sizeof sku, "sku-%05d-%02d", j, (int)(next() % 100));
  snprintf(name, sizeof name, "item %d", (int)(next() % 100000));
  return json_pack("{s:s,s:s,s:i,s:i}", "sku", sku, "name", name, "price", (int)(next() % 10000),
                   "qty", 1 + (int)(next() % 9));
}

/* doc i of a group: items is a window of `nitems` pool items at offset i */
static json_t *make_doc(int i, int nitems) {
  char id[32], cname[32], cid[32];
  snprintf(id, sizeof id, "ord-%06d-%04d", i, (int)(next() % 10000));
  snprintf(cname, sizeof cname, "customer %d", (int)(next() % 100000));
  snprintf(cid, sizeof cid, "c-%06d", (int)(next() % 1000000));
  json_t *items = json_array();
  for (int k = 0; k < nitems; k++) json_array_append(items, item_pool[(i + k) % POOL]);
  return json_pack("{s:s,s:{s:s,s:s},s:o}", "id", id, "customer", "id", cid, "name", cname, "items", items);
}

typedef struct grp {
  const char *name, *expr, *payload;
  int nitems;
  json_t *docs[NDOC], *bind[NDOC];
  aev_jsonata *x;
  json_t *out[NDOC];
  char *text_in[NDOC], *text_bind[NDOC], *text_out[NDOC]; /* the text row's */
  int which; /* floor flavour */
} grp;

static grp groups[NGROUP] = {
    {.name = "JSONata field access", .expr = "$states.input.customer.id", .payload = "order, 3 items", .nitems = 3},
    {.name = "JSONata $states.input reshaping",
     .expr = "{\"order\": $states.input.id, \"customer\": $states.input.customer.name, \"total\": "
     "$sum($states.input.items.(price * qty)), \"skus\": $states.input.items.sku}",
     .payload = "order, 5 items", .nitems = 5},
    {.name = "JSONata $map over 100 items",
     .expr = "$map($states.input.items, function($v) { {\"sku\": $v.sku, \"cost\": $v.price * $v.qty} })",
     .payload = "order, 100 items", .nitems = 100},
    {.name = "JSONata string building",
     .expr = "\"Order \" & $states.input.id & \" for \" & $uppercase($states.input.customer.name) & \": \" & "
     "$join($states.input.items.sku, \",\")",
     .payload = "order, 5 items", .nitems = 5},
};

static uint64_t hash_outputs(json_t **out, int *count) {
  uint64_t h = BENCH_FNV_INIT;
  *count = 0;
  for (int i = 0; i < NDOC; i++) {
    if (!out[i]) continue;
    char *t = json_dumps(out[i], JSON_COMPACT | JSON_ENCODE_ANY);
    h = bench_fnv(h, t, strlen(t));
    free(t);
    (*count)++;
    json_decref(out[i]);
    out[i] = NULL;
  }
  return h;
}

static uint64_t want_hash[NGROUP];
static int want_count[NGROUP];

/* ---- ours, json_t in/out ---- */
static void ours_run(void *ctx) {
  grp *g = ctx;
  char code[8], msg[256];
  int pos;
  for (int i = 0; i < NDOC; i++)
    if (aev__jsonata_eval_json(g->x, g->docs[i], g->bind[i], &g->out[i], code, msg, sizeof msg, &pos)) {
      fprintf(stderr, "jsonata_bench: %s %s\n", code, msg);
      exit(1);
    }
}

static int check_against_want(grp *g, char *note, size_t cap) {
  int count;
  uint64_t h = hash_outputs(g->out, &count);
  int gi = (int)(g - groups);
  snprintf(note, cap, "%d results, fnv %016llx", count, (unsigned long long)h);
  if (!want_count[gi]) {
    want_count[gi] = count;
    want_hash[gi] = h;
  }
  return count == NDOC && count == want_count[gi] && h == want_hash[gi] ? 0 : 1;
}

static int ours_check(void *ctx, char *note, size_t cap) { return check_against_want(ctx, note, cap); }

/* ---- ours, text in/out (the public API) ---- */
static void text_run(void *ctx) {
  grp *g = ctx;
  for (int i = 0; i < NDOC; i++)
    if (aev_jsonata_evaluate(g->x, g->text_in[i], g->text_bind[i], &g->text_out[i])) {
      fprintf(stderr, "jsonata_bench: %s %s\n", aev_errcode(), aev_errmsg());
      exit(1);
    }
}

/* the text results, parsed back, hashed like the others */
static int text_check(void *ctx, char *note, size_t cap) {
  grp *g = ctx;
  for (int i = 0; i < NDOC; i++) {
    g->out[i] = g->text_out[i] ? json_loads(g->text_out[i], JSON_DECODE_ANY, NULL) : NULL;
    aev_free(g->text_out[i]);
    g->text_out[i] = NULL;
  }
  return check_against_want(g, note, cap);
}

/* ---- floor: the same transformation written against jansson ---- */
static void floor_run(void *ctx) {
  grp *g = ctx;
  int gi = (int)(g - groups);
  for (int i = 0; i < NDOC; i++) {
    json_t *in = json_object_get(json_object_get(g->bind[i], "states"), "input");
    json_t *items = json_object_get(in, "items"), *r = NULL;
    size_t k;
    json_t *it;
    if (gi == 0) {
      r = json_incref(json_object_get(json_object_get(in, "customer"), "id"));
    } else if (gi == 1) {
      json_int_t total = 0;
      json_t *skus = json_array();
      json_array_foreach(items, k, it) {
        total += json_integer_value(json_object_get(it, "price")) * json_integer_value(json_object_get(it, "qty"));
        json_array_append(skus, json_object_get(it, "sku"));
      }
      r = json_pack("{s:O,s:O,s:I,s:o}", "order", json_object_get(in, "id"), "customer",
                    json_object_get(json_object_get(in, "customer"), "name"), "total", total, "skus", skus);
    } else if (gi == 2) {
      r = json_array();
      json_array_foreach(items, k, it) {
        json_array_append_new(r, json_pack("{s:O,s:I}", "sku", json_object_get(it, "sku"), "cost",
                                           json_integer_value(json_object_get(it, "price")) *
                                               json_integer_value(json_object_get(it, "qty"))));
      }
    } else {
      char buf[1024];
      const char *name = json_string_value(json_object_get(json_object_get(in, "customer"), "name"));
      int n = snprintf(buf, sizeof buf, "Order %s for ", json_string_value(json_object_get(in, "id")));
      for (const char *p = name; *p && n < 900; p++) buf[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
      n += snprintf(buf + n, sizeof buf - (size_t)n, ": ");
      json_array_foreach(items, k, it) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%s", k ? "," : "", json_string_value(json_object_get(it, "sku")));
      }
      r = json_string(buf);
    }
    g->out[i] = r;
  }
}

/* ---- peer: jsonata-js over Node.js ---- */
static FILE *peer_in, *peer_out;
static pid_t peer_pid;

static int peer_start(void) {
  const char *mods = getenv("AEV_JSONATA_NODE_PATH");
  if (!mods) mods = "bench/node_modules";
  char probe[1024];
  snprintf(probe, sizeof probe, "%s/jsonata/package.json", mods);
  if (access(probe, R_OK) != 0 || access("bench/jsonata_peer.js", R_OK) != 0) return -1;
  int to_child[2], from_child[2];
  if (pipe(to_child) || pipe(from_child)) return -1;
  peer_pid = fork();
  if (peer_pid < 0) return -1;
  if (peer_pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    setenv("NODE_PATH", mods, 1);
    execlp("node", "node", "bench/jsonata_peer.js", (char *)NULL);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  peer_in = fdopen(to_child[1], "w");
  peer_out = fdopen(from_child[0], "r");
  return 0;
}

static int peer_cmd(const char *cmd, char *reply, size_t cap) {
  fprintf(peer_in, "%s\n", cmd);
  fflush(peer_in);
  if (!fgets(reply, (int)cap, peer_out)) return -1;
  reply[strcspn(reply, "\n")] = 0;
  return 0;
}

static void peer_run(void *ctx) {
  char cmd[32], reply[64];
  snprintf(cmd, sizeof cmd, "run %d", (int)((grp *)ctx - groups));
  if (peer_cmd(cmd, reply, sizeof reply) || strcmp(reply, "done")) {
    fprintf(stderr, "jsonata_bench: the Node.js peer failed\n");
    exit(1);
  }
}

static int peer_check(void *ctx, char *note, size_t cap) {
  grp *g = ctx;
  int gi = (int)(g - groups);
  char cmd[32], reply[64];
  snprintf(cmd, sizeof cmd, "check %d", gi);
  if (peer_cmd(cmd, reply, sizeof reply)) return 1;
  int count = 0;
  unsigned long long h = 0;
  sscanf(reply, "%d %llx", &count, &h);
  snprintf(note, cap, "%d results, fnv %016llx", count, h);
  return count == want_count[gi] && h == want_hash[gi] ? 0 : 1;
}

int main(void) {
  for (int j = 0; j < POOL; j++) item_pool[j] = make_item(j);
  int have_peer = peer_start() == 0;
  int runs = bench_runs(), failed = 0;
  for (int gi = 0; gi < NGROUP; gi++) {
    grp *g = &groups[gi];
    json_t *all = json_array();
    for (int i = 0; i < NDOC; i++) {
      g->docs[i] = make_doc(i, g->nitems);
      g->bind[i] = json_pack("{s:{s:O}}", "states", "input", g->docs[i]);
      g->text_in[i] = json_dumps(g->docs[i], JSON_COMPACT);
      g->text_bind[i] = json_dumps(g->bind[i], JSON_COMPACT);
      json_array_append(all, g->docs[i]);
    }
    if (aev_jsonata_compile(g->expr, strlen(g->expr), &g->x)) {
      fprintf(stderr, "jsonata_bench: %s %s\n", aev_errcode(), aev_errmsg());
      return 1;
    }
    /* the expected outputs, from the floor's hand-written code */
    floor_run(g);
    want_count[gi] = 0;
    char note[128];
    check_against_want(g, note, sizeof note);
    int peer_ok = 0;
    if (have_peer) {
      char path[] = "/tmp/aev_jsonata_bench_XXXXXX";
      int fd = mkstemp(path);
      if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        json_dumpf(all, f, JSON_COMPACT);
        fclose(f);
        char cmd[1024], reply[64];
        snprintf(cmd, sizeof cmd, "load %d %s %s", gi, path, g->expr);
        peer_ok = peer_cmd(cmd, reply, sizeof reply) == 0 && !strncmp(reply, "ok", 2);
        unlink(path);
      }
    }
    json_decref(all);
    static char whats[NGROUP][256], text_whats[NGROUP][256];
    snprintf(whats[gi], sizeof whats[gi],
             "aev__jsonata_eval_json of `%.60s%s` on the parsed doc with $states.input bound, json_t result",
             g->expr, strlen(g->expr) > 60 ? "..." : "");
    snprintf(text_whats[gi], sizeof text_whats[gi],
             "aev_jsonata_evaluate: parse doc + bindings JSON text, evaluate, write the result as JSON text");
    bench_case cases[4] = {
        {"floor: hand-written jansson", "the same transformation coded in C on json_t", NULL, floor_run, ours_check,
         NULL, g},
        {"ours: json_t in/out (the Step Functions path)", whats[gi], NULL, ours_run, ours_check, NULL, g},
        {"ours: text in/out (public C API)", text_whats[gi], NULL, text_run, text_check, NULL, g},
        {"peer: jsonata-js 2.0.6 (Node.js)",
         "await expr.evaluate(doc, {states: {input: doc}}) on the parsed JS object, JS value result, same docs", NULL,
         peer_run, peer_check, NULL, g},
    };
    bench_group bg = {g->name, 1, g->payload, NDOC, peer_ok ? 3 : 0, cases, peer_ok ? 4 : 3};
    failed += bench_group_run(&bg, runs);
    for (int i = 0; i < NDOC; i++) {
      json_decref(g->docs[i]);
      json_decref(g->bind[i]);
      free(g->text_in[i]);
      free(g->text_bind[i]);
    }
    aev_jsonata_free(g->x);
  }
  if (!have_peer)
    printf("ROW | JSONata | peer: jsonata-js | not run: Node.js or bench/node_modules/jsonata missing "
           "(npm install jsonata@2.0.6 in bench/) | | | | | | | |\n");
  if (have_peer) {
    fclose(peer_in);
    fclose(peer_out);
    waitpid(peer_pid, NULL, 0);
  }
  for (int j = 0; j < POOL; j++) json_decref(item_pool[j]);
  return failed ? 1 : 0;
}
