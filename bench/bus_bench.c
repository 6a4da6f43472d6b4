/* Bus benchmarks (issue 7, DESIGN §7): PutEvents events/s on one thread
 * through a bus with 100 and with 10,000 rules (the rule quota raised for
 * the run), exactly one rule matching each event and delivering the
 * enveloped event to a queue, beside the floor jansson json_loads +
 * json_dumps of the same events. Inputs are 10,000 distinct seeded events;
 * after the clock stops every delivered message is received and its
 * detail's sequence number summed and checked against the inputs. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"
#include "harness.h"
#include "support.h"

enum { NEV = 10000, SOURCES = 200, FIELDS = 50 };

static uint64_t rng = 0x2024120200000007ULL;
static uint64_t next(void) { /* xorshift64* */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dULL;
}

typedef struct evt {
  char source[32];
  char detail[256];
  size_t detail_len;
  char envelope[512]; /* the same event enveloped, for the floor */
} evt;

static evt *ev;

/* Event i is routed by rule i % rules: its source and one detail field
 * carry that rule's values; the other fields are noise no rule asks for. */
static void make_events(int rules) {
  for (int i = 0; i < NEV; i++) {
    evt *e = &ev[i];
    int r = i % rules;
    snprintf(e->source, sizeof e->source, "com.example.svc%03d", r % SOURCES);
    e->detail_len = (size_t)snprintf(
        e->detail, sizeof e->detail,
        "{\"seq\":%d,\"f%02d\":\"v%05d\",\"noise\":\"%016llx\",\"amount\":%u,"
        "\"tags\":[\"t%u\",\"t%u\"]}",
        i, r % FIELDS, r, (unsigned long long)next(), (unsigned)(next() % 100000),
        (unsigned)(next() % 100), (unsigned)(next() % 100));
    snprintf(e->envelope, sizeof e->envelope,
             "{\"version\":\"0\",\"id\":\"%08x-0000-4000-8000-%012x\",\"detail-type\":"
             "\"Bench\",\"source\":\"%s\",\"account\":\"000000000000\",\"time\":"
             "\"2024-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],"
             "\"detail\":%s}",
             (unsigned)next(), i, e->source, e->detail);
  }
}

typedef struct bus_ctx {
  aev_broker *b;
  aev_bus *bus;
  aev_queue *q;
  int rules;
  uint64_t want_sum;
} bus_ctx;

static void bus_setup(bus_ctx *c, int rules) {
  c->b = bench_broker(7);
  c->rules = rules;
  if (aev_bus_create(c->b, "bench", &c->bus) ||
      aev_queue_create(c->b, "sink", NULL, &c->q) ||
      aev_bus_set_rule_quota(c->b, rules)) {
    fprintf(stderr, "bus_bench: setup: %s\n", aev_errmsg());
    exit(1);
  }
  char targets[256];
  snprintf(targets, sizeof targets, "[{\"Id\":\"sink\",\"Arn\":\"%s\"}]",
           aev_queue_arn(c->q));
  for (int r = 0; r < rules; r++) {
    char name[32], pattern[160];
    snprintf(name, sizeof name, "rule-%05d", r);
    snprintf(pattern, sizeof pattern,
             "{\"source\":[\"com.example.svc%03d\"],\"detail\":{\"f%02d\":[\"v%05d\"]}}",
             r % SOURCES, r % FIELDS, r);
    if (aev_bus_put_rule(c->bus, name, pattern, NULL, 1, NULL) ||
        aev_bus_put_targets(c->bus, name, targets, NULL)) {
      fprintf(stderr, "bus_bench: rule %d: %s\n", r, aev_errmsg());
      exit(1);
    }
  }
  c->want_sum = (uint64_t)NEV * (NEV - 1) / 2;
}

static void bus_run(void *ctx) {
  bus_ctx *c = ctx;
  for (int i = 0; i < NEV; i++) {
    if (aev_bus_put_event(c->bus, ev[i].source, "Bench", ev[i].detail,
                          ev[i].detail_len, NULL)) {
      fprintf(stderr, "bus_bench: put: %s\n", aev_errmsg());
      exit(1);
    }
    if (i % 256 == 255) aev_broker_drain(c->b);
  }
  aev_broker_drain(c->b);
}

/* Receives everything delivered: one message per event, each an envelope
 * whose detail.seq values sum to the inputs'. */
static int bus_check(void *ctx, char *note, size_t cap) {
  bus_ctx *c = ctx;
  size_t got = 0;
  uint64_t sum = 0, h = BENCH_FNV_INIT;
  for (;;) {
    aev_message *m[10];
    size_t n = 0;
    if (aev_queue_receive(c->q, 10, 0, NULL, m, &n) || n == 0) break;
    for (size_t i = 0; i < n; i++) {
      size_t len;
      const char *body = aev_message_body(m[i], &len);
      json_t *j = json_loadb(body, len, 0, NULL);
      json_t *seq = json_object_get(json_object_get(j, "detail"), "seq");
      if (seq && !strcmp(json_string_value(json_object_get(j, "detail-type")), "Bench")) {
        sum += (uint64_t)json_integer_value(seq);
        got++;
      }
      h = bench_fnv(h, aev_message_md5_of_body(m[i]), 32);
      json_decref(j);
      aev_queue_delete_message(c->q, aev_message_receipt_handle(m[i]));
      aev_message_free(m[i]);
    }
  }
  snprintf(note, cap, "%zu msgs, seq sum %llu, md5s %016llx", got,
           (unsigned long long)sum, (unsigned long long)h);
  return got == NEV && sum == c->want_sum ? 0 : 1;
}

static void bus_teardown(bus_ctx *c) {
  aev_queue_release(c->q);
  aev_bus_release(c->bus);
  aev_broker_destroy(c->b);
}

typedef struct floor_ctx {
  uint64_t sum;
} floor_ctx;

static void floor_run(void *ctx) {
  floor_ctx *f = ctx;
  uint64_t h = BENCH_FNV_INIT;
  for (int i = 0; i < NEV; i++) {
    json_t *j = json_loads(ev[i].envelope, 0, NULL);
    char *s = json_dumps(j, JSON_COMPACT);
    h = bench_fnv(h, s, strlen(s));
    free(s);
    json_decref(j);
  }
  f->sum = h;
}

static int floor_check(void *ctx, char *note, size_t cap) {
  floor_ctx *f = ctx;
  snprintf(note, cap, "%d events, dumps %016llx", NEV, (unsigned long long)f->sum);
  return f->sum == BENCH_FNV_INIT;
}

int main(void) {
  ev = bench_calloc(NEV, sizeof *ev);
  int runs = bench_runs(), failed = 0;
  static const int sizes[] = {100, 10000};
  for (size_t g = 0; g < 2; g++) {
    make_events(sizes[g]);
    bus_ctx c;
    bus_setup(&c, sizes[g]);
    floor_ctx f = {0};
    char name[64], what[160];
    snprintf(name, sizeof name, "PutEvents, %d rules (1 matching)", sizes[g]);
    snprintf(what, sizeof what,
             "aev_bus_put_event + envelope + route through %d rules + delivery "
             "to a queue (drained every 256)",
             sizes[g]);
    bench_case cases[] = {
        {"floor: jansson loads+dumps", "json_loads + json_dumps of the enveloped event",
         NULL, floor_run, floor_check, NULL, &f},
        {"ours: bus", what, NULL, bus_run, bus_check, NULL, &c},
    };
    bench_group grp = {name, 1, "~330 B event", NEV, 0, cases, 2};
    failed += bench_group_run(&grp, runs);
    bus_teardown(&c);
  }
  free(ev);
  return failed ? 1 : 0;
}
