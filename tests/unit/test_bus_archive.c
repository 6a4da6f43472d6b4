/* Archives and replays on the manual clock: what an archive keeps (all or
 * by pattern, retention), UpdateArchive, replaying an event-time window to all or chosen
 * rules with "replay-name", the replay states, cancelling, and the errors. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

static aev_broker *b;
static aev_bus *def;
static aev_queue *qa, *qb;
static int64_t t0;

static void setup(void) {
  b = bt_broker();
  bt_ok(aev_bus_get(b, "default", &def));
  qa = bt_queue(b, "qa", NULL);
  qb = bt_queue(b, "qb", NULL);
  bt_rule(def, "ra", "shop", bt_queue_target(qa, "a", NULL));
  bt_rule(def, "rb", "shop", bt_queue_target(qb, "b", NULL));
  t0 = aev_broker_now_ms(b);
}

static void teardown(void) {
  aev_queue_release(qa);
  aev_queue_release(qb);
  aev_bus_release(def);
  aev_broker_destroy(b);
}

static json_t *describe(int (*fn)(aev_broker *, const char *, char **), const char *name) {
  char *text;
  bt_ok(fn(b, name, &text));
  json_t *j = json_loads(text, 0, NULL);
  aev_free(text);
  return j;
}

static int64_t count_of(const char *archive) {
  json_t *j = describe(aev_bus_describe_archive, archive);
  int64_t n = json_integer_value(json_object_get(j, "EventCount"));
  json_decref(j);
  return n;
}

static const char *state_of(json_t *j) {
  return json_string_value(json_object_get(j, "State"));
}

/* Drains the queue: how many messages, and whether all carry replay-name,
 * between region and resources as AWS's replayed events do. */
static int drain_queue(aev_queue *q, int *replayed) {
  int n = 0;
  char *body;
  *replayed = 1;
  while ((body = bt_take(q))) {
    n++;
    if (!strstr(body, "\"region\":\"us-east-1\",\"replay-name\":\"rp\",\"resources\":["))
      *replayed = 0;
    free(body);
  }
  return n;
}

/* Three events, at t0, t0 + 90 s and t0 + 200 s; then the clock moves on. */
static void three_events(void) {
  bt_put(def, "shop", "{\"n\":1}");
  aev_broker_advance(b, 90000);
  bt_put(def, "shop", "{\"n\":2}");
  aev_broker_advance(b, 110000);
  bt_put(def, "other", "{\"n\":3}");
  aev_broker_advance(b, 100000);
  int r;
  drain_queue(qa, &r);
  drain_queue(qb, &r);
}

static void start(const char *window_filters, int64_t from_s, int64_t to_s) {
  char req[1024], *out;
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"rp\",\"EventSourceArn\":\"arn:aws:events:us-east-1:"
           "000000000000:archive/all\",\"EventStartTime\":%lld,\"EventEndTime\":%lld,"
           "\"Destination\":{\"Arn\":\"%s\"%s}}",
           (long long)from_s, (long long)to_s, aev_bus_arn(def), window_filters);
  bt_ok(aev_bus_start_replay(b, req, &out));
  json_t *j = json_loads(out, 0, NULL);
  ck_assert_str_eq(state_of(j), "STARTING");
  ck_assert_str_eq(json_string_value(json_object_get(j, "ReplayArn")),
                   "arn:aws:events:us-east-1:000000000000:replay/rp");
  json_decref(j);
  aev_free(out);
}

START_TEST(archive_keeps_events_by_pattern) {
  char *arn;
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, "everything", &arn));
  ck_assert_str_eq(arn, "arn:aws:events:us-east-1:000000000000:archive/all");
  aev_free(arn);
  bt_ok(aev_bus_create_archive(def, "shop-only", "{\"source\":[\"shop\"]}", 0, NULL, NULL));
  three_events();
  ck_assert_int_eq(count_of("all"), 3);
  ck_assert_int_eq(count_of("shop-only"), 2);
  char *list;
  bt_ok(aev_bus_list_archives(b, "shop", &list));
  ck_assert_ptr_nonnull(strstr(list, "\"ArchiveName\":\"shop-only\""));
  ck_assert_ptr_null(strstr(list, "\"ArchiveName\":\"all\""));
  aev_free(list);
  bt_fails(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL), AEV_ERR_EXISTS,
           "ResourceAlreadyExistsException", "Archive all already exists.");
  bt_ok(aev_bus_delete_archive(b, "shop-only"));
  bt_fails(aev_bus_describe_archive(b, "shop-only", &list), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException", "Archive shop-only does not exist.");
  /* Its pattern left the set: events still route, "all" still archives. */
  bt_put(def, "shop", "{}");
  aev_broker_drain(b);
  ck_assert_int_eq(count_of("all"), 4);
}
END_TEST

START_TEST(retention_prunes_old_events) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 1, NULL, NULL));
  bt_put(def, "shop", "{}");
  aev_broker_advance(b, 2 * 86400000LL);
  bt_put(def, "shop", "{}");
  ck_assert_int_eq(count_of("all"), 1);
}
END_TEST

/* The replay's state, and whether DescribeReplay shows a ReplayEndTime. */
static const char *replay_state(const char *name, int *ended) {
  static char state[16];
  json_t *j = describe(aev_bus_describe_replay, name);
  snprintf(state, sizeof state, "%s", state_of(j));
  *ended = json_object_get(j, "ReplayEndTime") != NULL;
  json_decref(j);
  return state;
}

START_TEST(replay_a_window_to_all_rules) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  three_events();
  /* Event time [t0 + 60 s, t0 + 180 s): only the second event. */
  start("", t0 / 1000 + 60, t0 / 1000 + 180);
  int64_t started = aev_broker_now_ms(b);
  /* Nothing happens at once: a replay is STARTING for a minute. */
  aev_broker_drain(b);
  int replayed, ended;
  ck_assert_str_eq(replay_state("rp", &ended), "STARTING");
  aev_broker_advance(b, 59999);
  ck_assert_str_eq(replay_state("rp", &ended), "STARTING");
  ck_assert_int_eq(drain_queue(qa, &replayed), 0);
  /* Then it replays the first minute with events, and goes on a second
   * later. */
  aev_broker_advance(b, 1);
  ck_assert_str_eq(replay_state("rp", &ended), "RUNNING");
  ck_assert(!ended);
  ck_assert_int_eq(drain_queue(qa, &replayed), 1);
  ck_assert(replayed);
  ck_assert_int_eq(drain_queue(qb, &replayed), 1);
  aev_broker_advance(b, 1000);
  json_t *j = describe(aev_bus_describe_replay, "rp");
  ck_assert_str_eq(state_of(j), "COMPLETED");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "EventLastReplayedTime")),
                   t0 / 1000 + 90);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "ReplayEndTime")),
                   started / 1000 + 61);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "Destination"), "Arn")),
                   aev_bus_arn(def));
  json_decref(j);
  ck_assert_int_eq(drain_queue(qa, &replayed), 0);
  /* Replayed events are not archived again. */
  ck_assert_int_eq(count_of("all"), 3);
}
END_TEST

START_TEST(replay_to_chosen_rules) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  three_events();
  start(",\"FilterArns\":[\"arn:aws:events:us-east-1:000000000000:rule/rb\"]",
        t0 / 1000, t0 / 1000 + 300);
  /* A minute STARTING, then the three minutes with events a second each. */
  aev_broker_advance(b, 63000);
  int replayed, ended;
  ck_assert_str_eq(replay_state("rp", &ended), "COMPLETED");
  ck_assert_int_eq(drain_queue(qa, &replayed), 0);
  ck_assert_int_eq(drain_queue(qb, &replayed), 2);
  ck_assert(replayed);
}
END_TEST

/* CancelReplay answers CANCELLING; the replay stops at its next step, a
 * second later at the most, CANCELLED, and replays nothing more (AWS's
 * cancel-replay and describe-replay-canceled snapshots). */
START_TEST(cancel_a_replay) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  three_events();
  start("", t0 / 1000, t0 / 1000 + 300);
  aev_broker_advance(b, 60000);
  int replayed, ended;
  ck_assert_str_eq(replay_state("rp", &ended), "RUNNING");
  ck_assert_int_eq(drain_queue(qa, &replayed), 1);
  char *out;
  bt_ok(aev_bus_cancel_replay(b, "rp", &out));
  bt_json_eq(out, "{\"ReplayArn\":\"arn:aws:events:us-east-1:000000000000:replay/rp\","
                  "\"State\":\"CANCELLING\"}");
  aev_free(out);
  aev_broker_drain(b);
  ck_assert_str_eq(replay_state("rp", &ended), "CANCELLING");
  ck_assert(!ended);
  aev_broker_advance(b, 1000);
  ck_assert_str_eq(replay_state("rp", &ended), "CANCELLED");
  ck_assert(ended);
  aev_broker_advance(b, 600000);
  ck_assert_int_eq(drain_queue(qa, &replayed), 0);
  bt_fails(aev_bus_cancel_replay(b, "rp", &out), AEV_ERR_STATE, "IllegalStatusException",
           "Replay rp is not in a valid state for this operation.");
  bt_ok(aev_bus_list_replays(b, NULL, &out));
  ck_assert_ptr_nonnull(strstr(out, "\"ReplayName\":\"rp\""));
  aev_free(out);
}
END_TEST

START_TEST(replay_errors) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  aev_broker_advance(b, 600000);
  char req[1024], *out;
  const char *arch = "arn:aws:events:us-east-1:000000000000:archive/all";
  long long now_s = aev_broker_now_ms(b) / 1000;
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"x\",\"EventSourceArn\":\"%s\",\"EventStartTime\":%lld,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           arch, now_s - 10, now_s - 20, aev_bus_arn(def));
  /* AWS names EventEndTime (its start-replay-invalid-end-time-error
   * snapshot), for an end before the start as for one equal to it. */
  bt_fails(aev_bus_start_replay(b, req, &out), AEV_ERR_INVALID, "ValidationException",
           "Parameter EventEndTime is not valid. Reason: EventStartTime must be "
           "before EventEndTime.");
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"x\",\"EventSourceArn\":\"%s\",\"EventStartTime\":%lld,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           arch, now_s - 10, now_s - 10, aev_bus_arn(def));
  bt_fails(aev_bus_start_replay(b, req, &out), AEV_ERR_INVALID, "ValidationException",
           "Parameter EventEndTime is not valid. Reason: EventStartTime must be "
           "before EventEndTime.");
  /* A destination bus that does not exist is named before the cross-bus
   * check (AWS's start-replay-unknown-event-bus-error snapshot). */
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"x\",\"EventSourceArn\":\"%s\",\"EventStartTime\":%lld,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           arch, now_s - 100, now_s - 20, "arn:aws:events:us-east-1:000000000000:event-bus/other");
  bt_fails(aev_bus_start_replay(b, req, &out), AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
           "Event bus other does not exist.");
  aev_bus *other;
  bt_ok(aev_bus_create(b, "other", &other));
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"x\",\"EventSourceArn\":\"%s\",\"EventStartTime\":%lld,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           arch, now_s - 100, now_s - 20, aev_bus_arn(other));
  bt_fails(aev_bus_start_replay(b, req, &out), AEV_ERR_INVALID, "ValidationException",
           "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is "
           "not permitted.");
  aev_bus_release(other);
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"x\",\"EventSourceArn\":\"%s\",\"EventStartTime\":%lld,"
           "\"EventEndTime\":%lld,\"Destination\":{\"Arn\":\"%s\"}}",
           "arn:aws:events:us-east-1:000000000000:archive/nope", now_s - 100, now_s - 20,
           aev_bus_arn(def));
  /* An unknown archive is a bad EventSourceArn (AWS's
   * start-replay-unknown-archive-error snapshot). */
  bt_fails(aev_bus_start_replay(b, req, &out), AEV_ERR_INVALID, "ValidationException",
           "Parameter EventSourceArn is not valid. Reason: Archive nope does not exist.");
  bt_fails(aev_bus_describe_replay(b, "x", &out), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException", "Replay x does not exist.");
  ck_assert_int_eq(aev_bus_create_archive(def, "bad name", NULL, 0, NULL, NULL),
                   AEV_ERR_INVALID);
}
END_TEST

/* StartReplay of replay name of archive on bus, of the minute before now. */
static int start_on_rc(aev_bus *bus, const char *archive, const char *name) {
  char req[1024], *out = NULL;
  long long now_s = aev_broker_now_ms(b) / 1000;
  snprintf(req, sizeof req,
           "{\"ReplayName\":\"%s\",\"EventSourceArn\":\"arn:aws:events:us-east-1:"
           "000000000000:archive/%s\",\"EventStartTime\":%lld,\"EventEndTime\":%lld,"
           "\"Destination\":{\"Arn\":\"%s\"}}",
           name, archive, now_s - 60, now_s, aev_bus_arn(bus));
  int rc = aev_bus_start_replay(b, req, &out);
  aev_free(out);
  return rc;
}

static void start_on(aev_bus *bus, const char *archive, const char *name) {
  bt_ok(start_on_rc(bus, archive, name));
}

/* An EventEndTime in the future is taken, as AWS took one (its
 * list-replays-with-prefix recording): the replay replays a minute only
 * once it has passed, so it is RUNNING until the end time and replays the
 * events archived meanwhile too. */
START_TEST(replay_until_a_future_end) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  aev_broker_advance(b, 60000);
  int64_t now_s = aev_broker_now_ms(b) / 1000;
  start("", now_s - 60, now_s + 120);
  aev_broker_advance(b, 10000);
  bt_put(def, "shop", "{\"n\":1}");
  aev_broker_advance(b, 80000);
  int replayed, ended;
  ck_assert_int_eq(drain_queue(qa, &replayed), 2); /* the event, and its replay */
  ck_assert_str_eq(replay_state("rp", &ended), "RUNNING");
  bt_put(def, "shop", "{\"n\":2}");
  aev_broker_advance(b, 29999);
  ck_assert_int_eq(drain_queue(qa, &replayed), 1);
  ck_assert(!replayed);
  ck_assert_str_eq(replay_state("rp", &ended), "RUNNING");
  aev_broker_advance(b, 1);
  ck_assert_int_eq(drain_queue(qa, &replayed), 1);
  ck_assert(replayed);
  json_t *j = describe(aev_bus_describe_replay, "rp");
  ck_assert_str_eq(state_of(j), "COMPLETED");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "ReplayEndTime")), now_s + 120);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "EventLastReplayedTime")),
                   now_s + 90);
  json_decref(j);
  bt_put(def, "shop", "{\"n\":3}");
  aev_broker_advance(b, 600000);
  ck_assert_int_eq(drain_queue(qa, &replayed), 1);
  ck_assert(!replayed);
}
END_TEST

/* A replay waiting for a distant end time sleeps until then (no timer a
 * minute, DESIGN: idle means zero CPU); an event archived meanwhile wakes
 * it at the end of that event's minute, and it sleeps again after. */
START_TEST(replay_waits_without_a_timer_a_minute) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  aev_broker_advance(b, 60000);
  const int64_t from_s = aev_broker_now_ms(b) / 1000 - 60, to_s = from_s + 86400;
  start("", from_s, to_s);
  aev_broker_advance(b, 60000); /* STARTING for a minute, then waiting */
  int64_t next;
  int ended;
  bt_ok(aev_broker_next_deadline(b, &next));
  ck_assert_int_eq(next, to_s * 1000);
  ck_assert_str_eq(replay_state("rp", &ended), "RUNNING");

  aev_broker_advance(b, 3 * 3600 * 1000 + 30000);
  const int64_t put_ms = aev_broker_now_ms(b);
  bt_put(def, "shop", "{\"n\":1}");
  int r;
  ck_assert_int_eq(drain_queue(qa, &r), 1);
  bt_ok(aev_broker_next_deadline(b, &next));
  ck_assert_int_eq(next, from_s * 1000 + ((put_ms - from_s * 1000) / 60000 + 1) * 60000);
  aev_broker_advance(b, next - aev_broker_now_ms(b) - 1);
  ck_assert_int_eq(drain_queue(qa, &r), 0);
  aev_broker_advance(b, 1);
  ck_assert_int_eq(drain_queue(qa, &r), 1);
  ck_assert(r);
  aev_broker_advance(b, 1000); /* its step after a minute replayed */
  bt_ok(aev_broker_next_deadline(b, &next));
  ck_assert_int_eq(next, to_s * 1000);
  ck_assert_str_eq(replay_state("rp", &ended), "RUNNING");
}
END_TEST

/* An event it read whose time lies ahead (PutEvents' Time) is waited for
 * at the end of its minute, not a minute at a time. */
START_TEST(replay_waits_for_an_event_ahead) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  aev_broker_advance(b, 60000);
  const int64_t from_s = aev_broker_now_ms(b) / 1000 - 60, to_s = from_s + 86400;
  const int64_t ahead_s = from_s + 7200 + 30;
  char req[256], *resp;
  snprintf(req, sizeof req,
           "[{\"Source\":\"shop\",\"DetailType\":\"t\",\"Detail\":\"{}\",\"Time\":%lld}]",
           (long long)ahead_s);
  bt_ok(aev_bus_put_events(b, req, &resp));
  aev_free(resp);
  int r;
  ck_assert_int_eq(drain_queue(qa, &r), 1);
  start("", from_s, to_s);
  aev_broker_advance(b, 60000);
  int64_t next;
  bt_ok(aev_broker_next_deadline(b, &next));
  ck_assert_int_eq(next, (from_s + 7200 + 60) * 1000);
  aev_broker_advance(b, next - aev_broker_now_ms(b));
  ck_assert_int_eq(drain_queue(qa, &r), 1);
  ck_assert(r);
}
END_TEST

/* AWS allows 10 active replays per account and Region: an 11th, on any
 * bus, is refused (its tests_concurrency_error_too_many_active_replays
 * recording) until one has ended; one CANCELLING has not. */
START_TEST(ten_active_replays_at_most) {
  aev_bus *orders;
  bt_ok(aev_bus_create(b, "orders", &orders));
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  bt_ok(aev_bus_create_archive(orders, "theirs", NULL, 0, NULL, NULL));
  aev_broker_advance(b, 60000);
  char name[16], *out;
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "d%d", i);
    start_on(def, "all", name);
    snprintf(name, sizeof name, "o%d", i);
    start_on(orders, "theirs", name);
  }
  const char *too_many = "The requested resource exceeds the maximum number allowed.";
  bt_fails(start_on_rc(def, "all", "d5"), AEV_ERR_LIMIT, "LimitExceededException", too_many);
  bt_fails(start_on_rc(orders, "theirs", "o5"), AEV_ERR_LIMIT, "LimitExceededException",
           too_many);
  bt_ok(aev_bus_cancel_replay(b, "o0", &out));
  aev_free(out);
  bt_fails(start_on_rc(def, "all", "d5"), AEV_ERR_LIMIT, "LimitExceededException", too_many);
  aev_broker_advance(b, 1000);
  start_on(def, "all", "d5");
  bt_fails(start_on_rc(def, "all", "d6"), AEV_ERR_LIMIT, "LimitExceededException", too_many);
  /* Done, they leave room for ten more. */
  aev_broker_advance(b, 120000);
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "n%d", i);
    start_on(i % 2 ? def : orders, i % 2 ? "all" : "theirs", name);
  }
  aev_bus_release(orders);
}
END_TEST

/* Cancelled while STARTING, a replay replays nothing (AWS's cancel-replay
 * snapshot: CANCELLING at once). */
START_TEST(cancel_a_starting_replay) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  three_events();
  start("", t0 / 1000, t0 / 1000 + 300);
  char *out;
  bt_ok(aev_bus_cancel_replay(b, "rp", &out));
  aev_free(out);
  int replayed, ended;
  ck_assert_str_eq(replay_state("rp", &ended), "CANCELLING");
  aev_broker_advance(b, 600000);
  ck_assert_str_eq(replay_state("rp", &ended), "CANCELLED");
  ck_assert_int_eq(drain_queue(qa, &replayed), 0);
}
END_TEST

/* A replay whose archive is deleted before it reads it fails. */
START_TEST(replay_of_a_deleted_archive_fails) {
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  three_events();
  start("", t0 / 1000, t0 / 1000 + 300);
  bt_ok(aev_bus_delete_archive(b, "all"));
  aev_broker_advance(b, 60000);
  int replayed, ended;
  ck_assert_str_eq(replay_state("rp", &ended), "FAILED");
  ck_assert(ended);
  ck_assert_int_eq(drain_queue(qa, &replayed), 0);
}
END_TEST

/* The names in a ListReplays response, comma-separated, and its NextToken
 * ("" when none). */
static void replay_names(const char *text, char *names, size_t size, char *token) {
  json_t *j = json_loads(text, 0, NULL), *v;
  size_t i, len = 0;
  names[0] = 0;
  json_array_foreach(json_object_get(j, "Replays"), i, v)
    len += (size_t)snprintf(names + len, size - len, "%s%s", i ? "," : "",
                            json_string_value(json_object_get(v, "ReplayName")));
  const char *next = json_string_value(json_object_get(j, "NextToken"));
  snprintf(token, 64, "%s", next ? next : "");
  json_decref(j);
}

/* ListReplays answers oldest first, whatever the names and buses (AWS's
 * list-replays-with-limit snapshot: replays 0, 1, 2, then 3, 4, 5). */
START_TEST(replays_list_oldest_first) {
  aev_bus *orders;
  bt_ok(aev_bus_create(b, "orders", &orders));
  bt_ok(aev_bus_create_archive(def, "all", NULL, 0, NULL, NULL));
  bt_ok(aev_bus_create_archive(orders, "theirs", NULL, 0, NULL, NULL));
  aev_broker_advance(b, 60000);
  start_on(orders, "theirs", "z1");
  start_on(def, "all", "a2");
  start_on(orders, "theirs", "m3");
  char *out, names[256], token[64];
  bt_ok(aev_bus_list_replays(b, NULL, &out));
  replay_names(out, names, sizeof names, token);
  aev_free(out);
  ck_assert_str_eq(names, "z1,a2,m3");
  bt_ok(aev_bus_list_replays_page(b, NULL, 2, NULL, &out));
  replay_names(out, names, sizeof names, token);
  aev_free(out);
  ck_assert_str_eq(names, "z1,a2");
  bt_ok(aev_bus_list_replays_page(b, NULL, 2, token, &out));
  replay_names(out, names, sizeof names, token);
  aev_free(out);
  ck_assert_str_eq(names, "m3");
  ck_assert_str_eq(token, "");
  aev_bus_release(orders);
}
END_TEST

/* UpdateArchive replaces what it is given: a new pattern decides what is
 * archived from then on, a shorter retention drops older events at once;
 * a bad pattern or retention changes nothing. */
START_TEST(update_archive) {
  bt_ok(aev_bus_create_archive(def, "arch", "{\"source\":[\"shop\"]}", 0, "first", NULL));
  bt_put(def, "shop", "{\"n\":1}");
  bt_put(def, "other", "{\"n\":2}");
  ck_assert_int_eq(count_of("arch"), 1);
  bt_ok(aev_bus_update_archive(b, "arch", "{\"source\":[\"other\"]}", -1, NULL));
  bt_put(def, "shop", "{\"n\":3}");
  bt_put(def, "other", "{\"n\":4}");
  ck_assert_int_eq(count_of("arch"), 2);
  json_t *j = describe(aev_bus_describe_archive, "arch");
  ck_assert_str_eq(json_string_value(json_object_get(j, "EventPattern")),
                   "{\"source\":[\"other\"]}");
  ck_assert_str_eq(json_string_value(json_object_get(j, "Description")), "first");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "RetentionDays")), 0);
  json_decref(j);
  /* Two days on, a one-day retention drops all four days-old events. */
  aev_broker_advance(b, 2 * 86400 * 1000LL);
  bt_ok(aev_bus_update_archive(b, "arch", NULL, 1, "second"));
  ck_assert_int_eq(count_of("arch"), 0);
  j = describe(aev_bus_describe_archive, "arch");
  ck_assert_str_eq(json_string_value(json_object_get(j, "Description")), "second");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "RetentionDays")), 1);
  json_decref(j);
  bt_fails(aev_bus_update_archive(b, "arch", "{\"source\":\"x\"}", -1, "third"),
           AEV_ERR_INVALID, "InvalidEventPatternException", NULL);
  bt_fails(aev_bus_update_archive(b, "arch", NULL, -5, "third"), AEV_ERR_INVALID,
           "ValidationException",
           "1 validation error detected: Value '-5' at 'retentionDays' failed to "
           "satisfy constraint: Member must have value greater than or equal to 0");
  bt_fails(aev_bus_update_archive(b, "nope", NULL, 3, NULL), AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException", "Archive nope does not exist.");
  bt_fails(aev_bus_update_archive(b, "bad name", NULL, 3, NULL), AEV_ERR_INVALID,
           "ValidationException", NULL);
  j = describe(aev_bus_describe_archive, "arch");
  ck_assert_str_eq(json_string_value(json_object_get(j, "EventPattern")),
                   "{\"source\":[\"other\"]}");
  ck_assert_str_eq(json_string_value(json_object_get(j, "Description")), "second");
  json_decref(j);
  bt_put(def, "other", "{\"n\":5}");
  ck_assert_int_eq(count_of("arch"), 1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_archive");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, archive_keeps_events_by_pattern);
  tcase_add_test(tc, retention_prunes_old_events);
  tcase_add_test(tc, replay_a_window_to_all_rules);
  tcase_add_test(tc, replay_to_chosen_rules);
  tcase_add_test(tc, cancel_a_replay);
  tcase_add_test(tc, replay_errors);
  tcase_add_test(tc, replays_list_oldest_first);
  tcase_add_test(tc, replay_until_a_future_end);
  tcase_add_test(tc, replay_waits_without_a_timer_a_minute);
  tcase_add_test(tc, replay_waits_for_an_event_ahead);
  tcase_add_test(tc, ten_active_replays_at_most);
  tcase_add_test(tc, cancel_a_starting_replay);
  tcase_add_test(tc, replay_of_a_deleted_archive_fails);
  tcase_add_test(tc, update_archive);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
