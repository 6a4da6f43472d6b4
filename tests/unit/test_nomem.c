/* Bus (retries too), pattern, Kinesis resharding and timer calls that fail for want of memory
 * (nomem.h): each allocation of the call fails in turn, and the call must
 * then answer AEV_ERR_NOMEM and leave what was stored as it was, or
 * succeed whole. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "bus_support.h"
#include "core/clock.h"
#include "core/sched.h"
#include "nomem.h"

static int archive_exists(aev_broker *b, const char *name) {
  char *text = NULL;
  int rc = aev_bus_describe_archive(b, name, &text);
  aev_free(text);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "describe: %d %s", rc, aev_errmsg());
  return rc == AEV_OK;
}

/* A fresh broker and its default bus for each attempt, so that a table
 * one attempt grew cannot spare the next one an allocation. */
typedef struct fresh_bus {
  aev_broker *b;
  aev_bus *def;
  int change; /* PutRule: change rule "keep" rather than create "new" */
  char *arn;
} fresh_bus;

static void fresh_bus_new(void *ctx) {
  fresh_bus *f = ctx;
  f->b = bt_broker();
  bt_ok(aev_bus_get(f->b, "default", &f->def));
}

static void fresh_bus_free(void *ctx) {
  fresh_bus *f = ctx;
  aev_bus_release(f->def);
  aev_broker_destroy(f->b);
}

/* CreateArchive (with a pattern, which goes into the bus's pattern set):
 * an archive that answers out-of-memory was not created; one that is
 * created hands back its ARN. */
static int create_archive(void *ctx) {
  fresh_bus *f = ctx;
  f->arn = NULL;
  return aev_bus_create_archive(f->def, "a", "{\"source\":[\"shop\"]}", 0, NULL, &f->arn);
}

static void archive_created(void *ctx, const nomem_attempt *a) {
  fresh_bus *f = ctx;
  ck_assert_ptr_nonnull(f->arn);
  ck_assert(strstr(f->arn, ":archive/a") != NULL);
  aev_free(f->arn);
  ck_assert_msg(archive_exists(f->b, "a"), "allocation %ld failed: archive missing", a->k);
}

static void archive_not_created(void *ctx, const nomem_attempt *a) {
  fresh_bus *f = ctx;
  ck_assert_ptr_null(f->arn);
  ck_assert_msg(!archive_exists(f->b, "a"), "allocation %ld failed: archive stored", a->k);
}

START_TEST(create_archive_whole_or_not_at_all) {
  static const nomem_case c = {.what = "CreateArchive", .fresh = fresh_bus_new,
                               .call = create_archive, .succeeded = archive_created,
                               .failed = archive_not_created, .end = fresh_bus_free};
  fresh_bus f;
  nomem_sweep(&c, &f);
}
END_TEST

/* A rule's DescribeRule answer as "pattern|state|schedule", or "" when
 * there is no such rule. */
static void rule_as(aev_bus *bus, const char *name, char *out, size_t cap) {
  char *text = NULL;
  int rc = aev_bus_describe_rule(bus, name, &text);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_NOT_FOUND, "describe: %d %s", rc, aev_errmsg());
  *out = 0;
  if (rc == AEV_OK) {
    json_t *j = json_loads(text, 0, NULL);
    const char *p = json_string_value(json_object_get(j, "EventPattern")),
               *st = json_string_value(json_object_get(j, "State")),
               *sc = json_string_value(json_object_get(j, "ScheduleExpression"));
    snprintf(out, cap, "%s|%s|%s", p ? p : "", st ? st : "", sc ? sc : "");
    json_decref(j);
  }
  aev_free(text);
}

/* PutRule, creating a rule and changing one (pattern, state and a
 * schedule): out of memory, the rule is as it was (or absent); else it
 * is as put and the caller has its ARN. */
static const char *const RULE_WAS = "{\"source\":[\"a\"]}",
                         *const RULE_PUT = "{\"source\":[\"x\",{\"prefix\":\"y\"}]}";

static const char *rule_name(const fresh_bus *f) { return f->change ? "keep" : "new"; }

static void rule_to_change(void *ctx) {
  fresh_bus *f = ctx;
  if (f->change) bt_ok(aev_bus_put_rule(f->def, rule_name(f), RULE_WAS, NULL, 1, NULL));
}

static json_t *rule_state(void *ctx) {
  fresh_bus *f = ctx;
  char text[256];
  rule_as(f->def, rule_name(f), text, sizeof text);
  return json_string(text);
}

static int put_rule(void *ctx) {
  fresh_bus *f = ctx;
  f->arn = NULL;
  return aev_bus_put_rule(f->def, rule_name(f), RULE_PUT, f->change ? "rate(5 minutes)" : NULL,
                          !f->change, &f->arn);
}

static void rule_put(void *ctx, const nomem_attempt *a) {
  fresh_bus *f = ctx;
  char want[256];
  snprintf(want, sizeof want, "%s|%s|%s", RULE_PUT, f->change ? "DISABLED" : "ENABLED",
           f->change ? "rate(5 minutes)" : "");
  ck_assert_ptr_nonnull(f->arn);
  aev_free(f->arn);
  const char *now = json_string_value(a->now);
  ck_assert_msg(!strcmp(now, want), "allocation %ld: %s, want %s", a->k, now, want);
}

static void rule_not_put(void *ctx, const nomem_attempt *a) {
  ck_assert_ptr_null(((fresh_bus *)ctx)->arn);
}

START_TEST(put_rule_whole_or_not_at_all) {
  static const nomem_case c = {.what = "PutRule", .fresh = fresh_bus_new, .setup = rule_to_change,
                               .state = rule_state, .call = put_rule, .succeeded = rule_put,
                               .failed = rule_not_put, .end = fresh_bus_free};
  for (int change = 0; change < 2; change++) {
    fresh_bus f = {.change = change};
    nomem_sweep(&c, &f);
  }
}
END_TEST

/* ---- bus calls against a small world: one rule with a queue target, an
 * archive of every event, a replay of it ---- */

typedef struct world {
  aev_broker *b;
  aev_bus *def;
  aev_queue *q;
  const char *what;
  int (*op)(struct world *w); /* the call under test */
  json_t *want;               /* what the world answers after a success */
} world;

static void world_new(void *ctx) {
  world *w = ctx;
  w->b = bt_broker();
  bt_ok(aev_bus_get(w->b, "default", &w->def));
  w->q = bt_queue(w->b, "q", NULL);
  bt_rule(w->def, "r", "shop", bt_queue_target(w->q, "t1", NULL));
  bt_ok(aev_bus_create_archive(w->def, "arc", NULL, 0, NULL, NULL));
  bt_put(w->def, "shop", "{\"n\":1}");
  bt_ok(aev_broker_advance(w->b, 60000));
}

static void world_free(void *ctx) {
  world *w = ctx;
  aev_queue_release(w->q);
  aev_bus_release(w->def);
  aev_broker_destroy(w->b);
}

/* What the world's API answers: buses, rules, targets, archives, replays
 * and the queue's message count, in one text. */
static char *snapshot(world *w) {
  static const char *const calls[][3] = {
      {"events", "ListEventBuses", "{}"},
      {"events", "ListRules", "{}"},
      {"events", "ListTargetsByRule", "{\"Rule\":\"r\"}"},
      {"events", "ListArchives", "{}"},
      {"events", "ListReplays", "{}"},
      {"sqs", "GetQueueAttributes",
       "{\"QueueUrl\":\"q\",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}"}};
  size_t cap = 1 << 16, len = 0;
  char *all = calloc(1, cap);
  for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
    char *out = NULL;
    int rc = aev_call(w->b, calls[i][0], calls[i][1], calls[i][2], &out);
    len += (size_t)snprintf(all + len, cap - len, "%s %d %s\n", calls[i][1], rc, out ? out : "");
    aev_free(out);
  }
  return all;
}

static json_t *world_state(void *ctx) {
  char *text = snapshot(ctx);
  json_t *j = json_string(text);
  free(text);
  return j;
}

static int world_call(void *ctx) {
  world *w = ctx;
  return w->op(w);
}

/* A target that failed for want of memory gets the event on a retry. */
static void hour_later(void *ctx) { bt_ok(aev_broker_advance(((world *)ctx)->b, 3600000)); }

/* The reference run (no allocation failing) must change the world; it
 * sets what every other success must leave. */
static void world_as_reference(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  if (a->k < 0) {
    ck_assert_msg(!json_equal(a->was, a->now), "%s changed nothing", w->what);
    w->want = json_incref(a->now);
    return;
  }
  ck_assert_msg(json_equal(a->now, w->want), "%s, allocation %ld failed: \n%s\nwant\n%s", w->what,
                a->k, json_string_value(a->now), json_string_value(w->want));
}

/* Sweeps one call over a fresh world each time, after a reference run:
 * out of memory, the world must answer as before; else, an hour on, as
 * after the reference run. allocates: the call allocates something whose
 * failure fails it (else its allocations, if any, are only jansson's,
 * which are not wrapped, or tolerated). */
static void sweep_world(const char *what, int (*op)(world *), int allocates) {
  const nomem_case c = {.what = what, .fresh = world_new, .state = world_state, .call = world_call,
                        .after = hour_later, .succeeded = world_as_reference, .end = world_free,
                        .expect = allocates ? NOMEM_FAILS_SOME : NOMEM_ANY};
  world w = {.what = what, .op = op};
  nomem_tally reference = {0, 0};
  nomem_attempt_once(&c, &w, -1, &reference);
  ck_assert_msg(reference.failures == 0, "%s: %s", what, aev_errmsg());
  nomem_sweep(&c, &w);
  json_decref(w.want);
}

static int call_create_bus(world *w) {
  aev_bus *bus = NULL;
  int rc = aev_bus_create(w->b, "second", &bus);
  aev_bus_release(bus);
  return rc;
}

static int call_put_targets(world *w) {
  char *failed = NULL;
  int rc =
      aev_bus_put_targets(w->def, "r", bt_queue_target(w->q, "t2", "\"Input\":\"{}\""), &failed);
  aev_free(failed);
  return rc;
}

static int call_remove_targets(world *w) {
  char *failed = NULL;
  int rc = aev_bus_remove_targets(w->def, "r", "[\"t1\"]", &failed);
  aev_free(failed);
  return rc;
}

static int call_disable_rule(world *w) { return aev_bus_enable_rule(w->def, "r", 0); }

/* PutEvents answers an entry it could not take with that entry's error
 * (AWS's InternalFailure), not with a failed call: that entry must have
 * gone nowhere. */
static int call_put_events(world *w) {
  char *result = NULL;
  int rc = aev_bus_put_events(
      w->b, "[{\"Source\":\"shop\",\"DetailType\":\"t\",\"Detail\":\"{}\"}]", &result);
  if (rc == AEV_OK) {
    json_t *j = json_loads(result, 0, NULL);
    const char *code = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "Entries"), 0), "ErrorCode"));
    if (code) {
      ck_assert_str_eq(code, "InternalFailure");
      ck_assert_int_eq(json_integer_value(json_object_get(j, "FailedEntryCount")), 1);
      rc = AEV_ERR_NOMEM;
    }
    json_decref(j);
  }
  aev_free(result);
  return rc;
}

static int call_update_archive(world *w) {
  return aev_bus_update_archive(w->b, "arc", "{\"source\":[\"shop\"]}", 7, "kept");
}

static int call_start_replay(world *w) {
  char req[512], *out = NULL;
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"rp\",\"EventSourceArn\":\"%s\",\"EventStartTime\":0,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           "arn:aws:events:us-east-1:123456789012:archive/arc",
           (long long)(aev_broker_now_ms(w->b) / 1000), aev_bus_arn(w->def));
  int rc = aev_bus_start_replay(w->b, req, &out);
  aev_free(out);
  return rc;
}

static int call_put_event(world *w) {
  char id[37];
  return aev_bus_put_event(w->def, "shop", "t", "{\"n\":2}", 7, id);
}

static int call_delete_rule(world *w) { return aev_bus_delete_rule(w->def, "r", 1); }

static int call_delete_archive(world *w) { return aev_bus_delete_archive(w->b, "arc"); }

static int call_put_rule_api(world *w) {
  char *out = NULL;
  int rc = aev_call(w->b, "events", "PutRule",
                    "{\"Name\":\"r2\",\"EventPattern\":\"{\\\"source\\\":[\\\"shop\\\"]}\","
                    "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
                    &out);
  aev_free(out);
  return rc;
}

static const struct {
  const char *what;
  int (*call)(world *);
  int allocates;
} bus_calls[] = {
    {"CreateEventBus", call_create_bus, 1},    {"PutTargets", call_put_targets, 1},
    {"RemoveTargets", call_remove_targets, 0}, {"DisableRule", call_disable_rule, 0},
    {"PutEvents", call_put_events, 1},         {"UpdateArchive", call_update_archive, 1},
    {"StartReplay", call_start_replay, 1},     {"PutEvent (typed)", call_put_event, 1},
    {"DeleteRule", call_delete_rule, 0},       {"DeleteArchive", call_delete_archive, 0},
    {"PutRule (API)", call_put_rule_api, 1}};
#define N_BUS_CALLS (int)(sizeof bus_calls / sizeof *bus_calls)

START_TEST(bus_calls_whole_or_not_at_all) {
  sweep_world(bus_calls[_i].what, bus_calls[_i].call, bus_calls[_i].allocates);
}
END_TEST

/* The ids a set matches for event, as a bit mask of ids below 64. */
static uint64_t matched(aev_pattern_set *s, const char *event) {
  uint64_t *ids, mask = 0;
  size_t n;
  bt_ok(aev_pattern_set_match(s, event, strlen(event), &ids, &n));
  for (size_t i = 0; i < n; i++) mask |= 1ull << ids[i];
  aev_free(ids);
  return mask;
}

/* A pattern set under test and the events it is asked about. */
typedef struct set_ctx {
  aev_pattern_set *s;
  const char *const *events;
  size_t n_events;
} set_ctx;

static void set_free(void *ctx) { aev_pattern_set_free(((set_ctx *)ctx)->s); }

/* The set's count and, for each event, the ids it matches. */
static json_t *set_state(void *ctx) {
  set_ctx *c = ctx;
  json_t *st = json_pack("[I]", (json_int_t)aev_pattern_set_count(c->s));
  for (size_t e = 0; e < c->n_events; e++)
    json_array_append_new(st, json_integer((json_int_t)matched(c->s, c->events[e])));
  return st;
}

/* aev_pattern_set_add: on failure the set is unchanged (its count and
 * what it matches), on success the pattern is in. Among the patterns
 * already in the set: exact values, a prefix and a numeric range, so that
 * adding reaches the automaton's every kind of table. The pattern added
 * has a wildcard (whose check allocates: running out there is no fault of
 * the pattern) before a numeric range, so an add can fail after the
 * wildcard's step is in the automaton: matching then must not reach the
 * failed pattern's freed matchers. */
static const char *const ADD_EVENTS[] = {"{\"source\":\"a\",\"detail\":{\"n\":2}}",
                                         "{\"source\":\"bb\",\"detail\":{\"n\":9}}",
                                         "{\"source\":\"c\",\"detail\":{\"n\":3,\"m\":\"x\"}}"};

static void set_of_three(void *ctx) {
  static const char *const before[] = {"{\"source\":[\"a\"],\"detail\":{\"n\":[1,2]}}",
                                       "{\"source\":[{\"prefix\":\"b\"}]}",
                                       "{\"detail\":{\"n\":[{\"numeric\":[\">\",5]}]}}"};
  set_ctx *c = ctx;
  bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &c->s));
  for (int i = 0; i < 3; i++)
    bt_ok(aev_pattern_set_add(c->s, (uint64_t)i, before[i], strlen(before[i])));
  ck_assert_uint_eq(aev_pattern_set_count(c->s), 3);
}

static int set_add(void *ctx) {
  const char *added = "{\"source\":[\"c\"],\"detail\":{\"m\":[{\"wildcard\":\"x*\"}],\"n\":[{\"numeric\":[\">\",1]}]}}";
  return aev_pattern_set_add(((set_ctx *)ctx)->s, 9, added, strlen(added));
}

static void set_added(void *ctx, const nomem_attempt *a) {
  ck_assert_int_eq(json_integer_value(json_array_get(a->now, 0)), 4);
  for (size_t e = 0; e < 3; e++)
    ck_assert_msg(json_integer_value(json_array_get(a->now, e + 1)) ==
                      (json_integer_value(json_array_get(a->was, e + 1)) | (e == 2 ? 1 << 9 : 0)),
                  "allocation %ld: event %zu", a->k, e);
}

START_TEST(pattern_set_add_whole_or_not_at_all) {
  static const nomem_case c = {.what = "aev_pattern_set_add", .fresh = set_of_three,
                               .state = set_state, .call = set_add, .succeeded = set_added,
                               .end = set_free};
  set_ctx s = {.events = ADD_EVENTS, .n_events = 3};
  nomem_sweep(&c, &s);
}
END_TEST

/* aev_pattern_set_remove cannot fail; the removal that makes removed
 * patterns outnumber live ones rebuilds the automaton, and a rebuild that
 * runs out of memory keeps the old one: the set still answers right. */
static void set_of_200_less_132(void *ctx) {
  set_ctx *c = ctx;
  bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &c->s));
  char p[64];
  for (int i = 0; i < 200; i++) {
    snprintf(p, sizeof p, "{\"n\":[%d]}", i);
    bt_ok(aev_pattern_set_add(c->s, (uint64_t)i, p, strlen(p)));
  }
  for (int i = 0; i < 132; i++) bt_ok(aev_pattern_set_remove(c->s, (uint64_t)i));
}

/* The 133rd: 133 > 67 + 64. */
static int set_remove(void *ctx) { return aev_pattern_set_remove(((set_ctx *)ctx)->s, 132); }

static void set_removed(void *ctx, const nomem_attempt *a) {
  aev_pattern_set *s = ((set_ctx *)ctx)->s;
  ck_assert_uint_eq(aev_pattern_set_count(s), 67);
  ck_assert_uint_eq(matched(s, "{\"n\":132}"), 0);
  ck_assert_uint_eq(matched(s, "{\"n\":[5,40,63]}"), 0);
  uint64_t *ids;
  size_t n;
  const char *later = "{\"n\":[5,150,199]}";
  bt_ok(aev_pattern_set_match(s, later, strlen(later), &ids, &n));
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(ids[0], 150);
  ck_assert_uint_eq(ids[1], 199);
  aev_free(ids);
  bt_ok(aev_pattern_set_add(s, 5, "{\"n\":[5]}", 9));
  ck_assert_uint_eq(matched(s, "{\"n\":5}"), 1ull << 5);
}

START_TEST(pattern_set_remove_rebuilds_or_not) {
  static const nomem_case c = {.what = "aev_pattern_set_remove", .fresh = set_of_200_less_132,
                               .call = set_remove, .succeeded = set_removed, .end = set_free,
                               .expect = NOMEM_NEVER_FAILS};
  set_ctx s = {0};
  /* The rebuild allocates; removing alone does not. */
  ck_assert_int_gt(nomem_sweep(&c, &s).injected, 9);
}
END_TEST

/* aev_pattern_set_match_batch: out of memory, no event of the batch gets
 * ids (and nothing leaks: the sanitizer builds run this suite). One set
 * for every attempt. */
typedef struct batch_ctx {
  aev_pattern_set *s;
  const char *ev[20];
  size_t n, lens[20], ends[20];
  uint64_t *ids;
  char text[20][64];
} batch_ctx;

static int match_batch(void *ctx) {
  batch_ctx *c = ctx;
  return aev_pattern_set_match_batch(c->s, c->ev, c->lens, c->n, &c->ids, c->ends);
}

static void batch_matched(void *ctx, const nomem_attempt *a) {
  batch_ctx *c = ctx;
  for (int i = 0; i < 20; i++) ck_assert_uint_eq(c->ends[i], 4 * (size_t)(i + 1));
  aev_free(c->ids);
}

static void batch_not_matched(void *ctx, const nomem_attempt *a) {
  batch_ctx *c = ctx;
  ck_assert_ptr_null(c->ids);
  for (size_t i = 0; i < c->n; i++) ck_assert_uint_eq(c->ends[i], 0);
}

START_TEST(pattern_set_match_batch_all_or_nothing) {
  static const nomem_case c = {.what = "aev_pattern_set_match_batch", .call = match_batch,
                               .succeeded = batch_matched, .failed = batch_not_matched};
  batch_ctx b = {.n = 20};
  bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &b.s));
  for (int i = 0; i < 40; i++) {
    char p[64];
    snprintf(p, sizeof p, "{\"n\":[%d],\"s\":[{\"prefix\":\"x\"}]}", i % 20);
    bt_ok(aev_pattern_set_add(b.s, (uint64_t)i, p, strlen(p)));
  }
  for (int i = 0; i < 20; i++) {
    snprintf(b.text[i], sizeof b.text[i], "{\"n\":[%d,%d],\"s\":\"xy\"}", i, (i + 1) % 20);
    b.ev[i] = b.text[i];
    b.lens[i] = strlen(b.ev[i]);
  }
  nomem_sweep(&c, &b);
  aev_pattern_set_free(b.s);
}
END_TEST

/* The same through the walk of exact values only (lib/pattern/exact.c),
 * with every one of its buffers outgrowing its place on the stack: 16
 * events of 32 named fields, 77 ids each, hundreds of steps and lookups a
 * level, a state that accepts 40 patterns and leads on, a leaf of 6 and
 * one of 2. */
static void exact_matched(void *ctx, const nomem_attempt *a) {
  batch_ctx *c = ctx;
  for (int i = 0; i < 16; i++) {
    ck_assert_msg(c->ends[i] == 77 * (size_t)(i + 1), "allocation %ld: event %d ends at %zu",
                  a->k, i, c->ends[i]);
    const uint64_t *id = c->ids + 77 * i;
    ck_assert(id[0] == 0 && id[28] == 28 && id[29] == 100 && id[68] == 139 && id[69] == 200 &&
              id[74] == 205 && id[75] == 300 && id[76] == 301);
  }
  aev_free(c->ids);
}

START_TEST(pattern_set_match_batch_exact_all_or_nothing) {
  static const nomem_case c = {.what = "aev_pattern_set_match_batch, exact values",
                               .call = match_batch, .succeeded = exact_matched,
                               .failed = batch_not_matched};
  batch_ctx x = {.n = 16};
  char text[400];
  bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &x.s));
  char p[96];
  for (uint64_t i = 0; i < 40; i++) {
    const char *a = "{\"a\":[\"v\"]}";
    bt_ok(aev_pattern_set_add(x.s, 100 + i, a, strlen(a)));
    snprintf(p, sizeof p, "{\"a\":[\"v\"],\"b%d\":[\"v\"]}", (int)i);
    bt_ok(aev_pattern_set_add(x.s, i, p, strlen(p)));
    snprintf(p, sizeof p, "{\"a\":[\"v\"],\"b%d\":[\"v\"],\"c\":[\"v\"]}", (int)i);
    bt_ok(aev_pattern_set_add(x.s, 1000 + i, p, strlen(p)));
  }
  for (uint64_t i = 0; i < 8; i++) {
    snprintf(p, sizeof p, "{\"a\":[\"v\"],\"%s\":[\"v\"]}", i < 6 ? "e" : "f");
    bt_ok(aev_pattern_set_add(x.s, i < 6 ? 200 + i : 294 + i, p, strlen(p)));
  }
  strcpy(text, "{\"a\":\"v\",\"e\":\"v\",\"f\":\"v\"");
  for (int i = 0; i < 29; i++) snprintf(text + strlen(text), 16, ",\"b%d\":\"v\"", i);
  strcat(text, "}");
  for (int i = 0; i < 16; i++) {
    x.ev[i] = text;
    x.lens[i] = strlen(text);
  }
  nomem_sweep(&c, &x);
  /* And with memory enough, it matches: the walk's buffers grow. */
  bt_ok(match_batch(&x));
  exact_matched(&x, &(nomem_attempt){.k = -1});
  aev_pattern_set_free(x.s);
}
END_TEST

/* aev_pattern_set_match: out of memory, the answer is AEV_ERR_NOMEM, never
 * a wrong list of ids. The value is long enough (over 256 bytes) that
 * folding it for equals-ignore-case allocates, in a value machine's
 * lookups and in each anything-but test. */
typedef struct fold_ctx {
  aev_pattern_set *s;
  char event[400];
  uint64_t *ids;
  size_t n;
} fold_ctx;

static int match_folded(void *ctx) {
  fold_ctx *c = ctx;
  return aev_pattern_set_match(c->s, c->event, strlen(c->event), &c->ids, &c->n);
}

static void fold_matched(void *ctx, const nomem_attempt *a) {
  fold_ctx *c = ctx;
  ck_assert_msg(c->n == 4 && c->ids[0] == 0 && c->ids[3] == 3, "allocation %ld: %zu ids", a->k,
                c->n);
  aev_free(c->ids);
}

START_TEST(pattern_set_match_right_or_nomem) {
  static const nomem_case c = {.what = "aev_pattern_set_match", .call = match_folded,
                               .succeeded = fold_matched, .expect = NOMEM_ALLOCATES};
  static const char *const patterns[] = {
      "{\"v\":[{\"anything-but\":{\"equals-ignore-case\":[\"x\",\"y\"]}}]}",
      "{\"v\":[{\"anything-but\":{\"equals-ignore-case\":\"z\"}}]}",
      "{\"v\":[{\"prefix\":{\"equals-ignore-case\":\"LONG\"}}]}",
      "{\"v\":[{\"anything-but\":{\"equals-ignore-case\":\"long\"}}],\"w\":[1]}"};
  fold_ctx f;
  bt_ok(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &f.s));
  for (int i = 0; i < 4; i++)
    bt_ok(aev_pattern_set_add(f.s, (uint64_t)i, patterns[i], strlen(patterns[i])));
  snprintf(f.event, sizeof f.event, "{\"v\":\"Long%0300d\",\"w\":1}", 0);
  ck_assert_int_gt(nomem_sweep(&c, &f).injected, 0);
  aev_pattern_set_free(f.s);
}
END_TEST

/* ---- EventBridge retries ----------------------------------------------- */

/* A callback target whose first attempt fails, with a dead-letter queue:
 * each attempt of a sweep runs on a fresh broker. */
typedef struct retry_world {
  aev_broker *b;
  aev_bus *def;
  aev_queue *dlq;
  int calls, delivered;
} retry_world;

static int fails_first(void *user, const char *in, size_t len) {
  retry_world *w = user;
  (void)in;
  (void)len;
  if (w->calls++ == 0) return 7;
  w->delivered++;
  return 0;
}

static void retry_world_new(void *ctx) {
  retry_world *w = ctx;
  *w = (retry_world){.b = bt_broker()};
  bt_ok(aev_bus_get(w->b, "default", &w->def));
  w->dlq = bt_queue(w->b, "dlq", NULL);
  bt_ok(aev_bus_put_rule(w->def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
  char spec[256];
  snprintf(spec, sizeof spec, "{\"Id\":\"cb\",\"DeadLetterConfig\":{\"Arn\":\"%s\"}}",
           aev_queue_arn(w->dlq));
  bt_ok(aev_bus_put_callback_target(w->def, "r", spec, fails_first, w, NULL));
}

static void retry_world_free(void *ctx) {
  retry_world *w = ctx;
  aev_queue_release(w->dlq);
  aev_bus_release(w->def);
  aev_broker_destroy(w->b);
}

static int put_and_drain(void *ctx) {
  retry_world *w = ctx;
  int rc = aev_bus_put_event(w->def, "a", "t", "{}", 2, NULL);
  return rc ? rc : aev_broker_drain(w->b);
}

/* The first attempt failed: its retry is due within a second. */
static void first_attempt_failed(void *ctx) {
  retry_world *w = ctx;
  bt_ok(put_and_drain(w));
  ck_assert_int_eq(w->calls, 1);
}

static int advance_a_second(void *ctx) { return aev_broker_advance(((retry_world *)ctx)->b, 1000); }

/* An event the bus took is delivered once (retries later) or is in the
 * dead-letter queue: never gone. One it refused was never delivered. */
static void delivered_or_dead_lettered(void *ctx, const nomem_attempt *a) {
  retry_world *w = ctx;
  bt_delivered_or_dead_lettered(w->b, w->dlq, &w->delivered, a->rc != 0, a->k);
}

/* PutEvents to a target whose first attempt fails, then the retry a
 * second later, each allocation failing in turn: a delivery that cannot
 * begin, a retry that cannot be armed and one that cannot be posted end
 * in the dead-letter queue (or stay due), never gone. */
START_TEST(bus_retry_never_drops_the_event) {
  static const nomem_case put = {
      .what = "PutEvents whose first attempt fails", .fresh = retry_world_new,
      .call = put_and_drain, .succeeded = delivered_or_dead_lettered,
      .failed = delivered_or_dead_lettered, .end = retry_world_free, .expect = NOMEM_ANY};
  static const nomem_case retry = {
      .what = "the retry", .fresh = retry_world_new, .setup = first_attempt_failed,
      .call = advance_a_second, .succeeded = delivered_or_dead_lettered,
      .failed = delivered_or_dead_lettered, .end = retry_world_free,
      .expect = NOMEM_NEVER_FAILS};
  retry_world w;
  ck_assert_int_gt(nomem_sweep(&put, &w).injected, 0);
  ck_assert_int_gt(nomem_sweep(&retry, &w).injected, 0);
}
END_TEST

/* ---- Kinesis resharding ------------------------------------------------ */

static json_int_t open_shards(aev_stream *s) {
  char *text;
  bt_ok(aev_stream_describe_summary(s, &text));
  json_t *j = json_loads(text, 0, NULL);
  json_int_t n = json_integer_value(json_object_get(j, "OpenShardCount"));
  json_decref(j);
  aev_free(text);
  return n;
}

/* UpdateShardCount counts against its ten per rolling 24 hours only when
 * the change runs: ten that memory stopped (the change reserves its
 * shards when it runs, at the drain) leave all ten for later. */
START_TEST(update_shard_count_counts_only_what_ran) {
  aev_broker *b = bt_broker();
  aev_stream *s;
  bt_ok(aev_stream_create(b, "s", 2, &s));
  for (int i = 0; i < 10; i++) {
    bt_ok(aev_stream_update_shard_count(s, 4));
    nomem_arm(0);
    bt_ok(aev_broker_drain(b));
    ck_assert_msg(nomem_disarm(), "the change allocated nothing");
    ck_assert_int_eq(open_shards(s), 2);
  }
  for (int i = 0; i < 10; i++) {
    json_int_t want = i % 2 ? 2 : 4;
    int rc = aev_stream_update_shard_count(s, (int)want);
    ck_assert_msg(rc == AEV_OK, "scaling %d: %s %s", i + 1, aev_errcode(), aev_errmsg());
    bt_ok(aev_broker_drain(b));
    ck_assert_int_eq(open_shards(s), want);
  }
  ck_assert_int_eq(aev_stream_update_shard_count(s, 4), AEV_ERR_LIMIT);
  aev_stream_release(s);
  aev_broker_destroy(b);
}
END_TEST

/* Arming a timer allocates nothing, so it cannot fail for want of memory
 * (a timer that could not be re-armed would have lost its old arming). */
enum { TIMERS = 300 };

typedef struct timer_world {
  aev__clock clock;
  aev__sched *sched;
  aev__timer t[TIMERS];
  int fired;
} timer_world;

static void count_firing(void *arg, int cancelled) {
  if (!cancelled) ((timer_world *)arg)->fired++;
}

static void timer_world_new(void *ctx) {
  timer_world *w = ctx;
  aev__clock_init(&w->clock, AEV_CLOCK_MANUAL, AEV_MANUAL_CLOCK_DEFAULT_START_MS);
  bt_ok(aev__sched_new(&w->clock, 0, &w->sched));
  for (int i = 0; i < TIMERS; i++) aev__timer_init(&w->t[i], count_firing, w, NULL);
  w->fired = 0;
}

/* Each timer armed, then armed again earlier. */
static int arm_all(void *ctx) {
  timer_world *w = ctx;
  int64_t now = aev__clock_mono_ms(&w->clock);
  for (int i = 0; i < TIMERS; i++) {
    int rc = aev__timer_arm(w->sched, &w->t[i], now + 1000 + (i * 7919) % TIMERS);
    if (!rc) rc = aev__timer_arm(w->sched, &w->t[i], now + 1 + (i * 7919) % TIMERS);
    if (rc) return rc;
  }
  return AEV_OK;
}

static void all_fire(void *ctx, const nomem_attempt *a) {
  timer_world *w = ctx;
  bt_ok(aev__sched_advance(w->sched, TIMERS));
  ck_assert_msg(w->fired == TIMERS, "allocation %ld: %d of %d timers fired", a->k, w->fired,
                TIMERS);
}

static void timer_world_free(void *ctx) {
  timer_world *w = ctx;
  aev__sched_shutdown(w->sched);
  aev__sched_free(w->sched);
}

START_TEST(arming_timers_never_fails) {
  static const nomem_case c = {.what = "aev__timer_arm", .fresh = timer_world_new,
                               .call = arm_all, .succeeded = all_fire, .end = timer_world_free,
                               .expect = NOMEM_NEVER_FAILS};
  timer_world w;
  nomem_sweep(&c, &w);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem");
  TCase *tc = tcase_create("nomem");
  /* A sweep makes a call once per allocation it makes, each on a fresh
   * world: seconds, and a minute under the sanitizers. */
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, create_archive_whole_or_not_at_all);
  tcase_add_test(tc, put_rule_whole_or_not_at_all);
  tcase_add_loop_test(tc, bus_calls_whole_or_not_at_all, 0, N_BUS_CALLS);
  tcase_add_test(tc, pattern_set_add_whole_or_not_at_all);
  tcase_add_test(tc, pattern_set_remove_rebuilds_or_not);
  tcase_add_test(tc, pattern_set_match_batch_all_or_nothing);
  tcase_add_test(tc, pattern_set_match_batch_exact_all_or_nothing);
  tcase_add_test(tc, pattern_set_match_right_or_nomem);
  tcase_add_test(tc, bus_retry_never_drops_the_event);
  tcase_add_test(tc, update_shard_count_counts_only_what_ran);
  tcase_add_test(tc, arming_timers_never_fails);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
