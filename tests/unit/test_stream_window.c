/* Tumbling windows on stream mappings (TumblingWindowInSeconds), on the
 * manual clock: batches stay inside one window and carry the state the
 * function returned; the window's end brings a final invocation with no
 * records and isFinalInvokeForWindow; a backlog spanning windows closes
 * each window before the next; a failed final invocation holds the shard
 * until it succeeds; a response without state is a failed invocation; a
 * state over 1 MB ends the window early; and the setting's checks. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

static aev_broker *b;

/* Each invocation as "R<records>/<state n>@<window start time>" or
 * "F/<state n>@..." for a final one ("!" when the window ended early),
 * separated by '|'. The function counts records in state {"n": N}. */
static char seen[4096];
static int fail_final, stateless, huge;
static json_t *last_event;

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  json_t *ev = json_loads(event, 0, NULL);
  json_decref(last_event);
  last_event = json_incref(ev);
  size_t nrec = json_array_size(json_object_get(ev, "Records"));
  json_int_t n = json_integer_value(json_object_get(json_object_get(ev, "state"), "n"));
  int final = json_is_true(json_object_get(ev, "isFinalInvokeForWindow"));
  int early = json_is_true(json_object_get(ev, "isWindowTerminatedEarly"));
  const char *start = json_string_value(json_object_get(json_object_get(ev, "window"), "start"));
  char line[96];
  if (final)
    snprintf(line, sizeof line, "F/%lld@%.8s%s|", (long long)n, start ? start + 11 : "?", early ? "!" : "");
  else
    snprintf(line, sizeof line, "R%zu/%lld@%.8s|", nrec, (long long)n, start ? start + 11 : "?");
  strcat(seen, line);
  json_decref(ev);
  if (final && fail_final) {
    fail_final--;
    aev_invocation_fail(ctx, "Busy", "the final step failed");
    return;
  }
  if (!final && stateless) {
    stateless--;
    aev_invocation_succeed(ctx, "{}", 2);
    return;
  }
  json_t *state = json_pack("{s:I}", "n", n + (json_int_t)nrec);
  if (!final && huge) {
    huge--;
    char *pad = malloc((1 << 20) + 10);
    memset(pad, 'x', (1 << 20) + 9);
    pad[(1 << 20) + 9] = '\0';
    json_object_set_new(state, "pad", json_string(pad));
    free(pad);
  }
  json_t *resp = json_pack("{s:o, s:[]}", "state", state, "batchItemFailures");
  char *text = json_dumps(resp, JSON_COMPACT);
  json_decref(resp);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
}

static void setup(void) {
  b = st_broker();
  seen[0] = '\0';
  fail_final = stateless = huge = 0;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, NULL), AEV_OK);
}

static void teardown(void) {
  aev_broker_destroy(b);
  json_decref(last_event);
  last_event = NULL;
}

static int map_request(aev_stream *s, const char *extra, char **out) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"StartingPosition\":\"TRIM_HORIZON\"%s}",
           aev_stream_arn(s), extra);
  *out = NULL;
  return aev_event_source_mapping_create(b, req, out);
}

static void map(aev_stream *s, const char *extra) {
  char *out;
  int rc = map_request(s, extra, &out);
  ck_assert_msg(rc == AEV_OK, "mapping: %s %s", aev_errcode(), aev_errmsg());
  ck_assert_ptr_nonnull(strstr(out, "\"TumblingWindowInSeconds\":60"));
  aev_free(out);
}

START_TEST(state_carries_until_the_final_invocation) {
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "a", NULL);
  st_put(s, "k", "b", NULL);
  map(s, ",\"TumblingWindowInSeconds\":60,\"BatchSize\":10");
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R2/0@00:00:00|");
  /* Lambda's KinesisTimeWindowEvent members. */
  json_t *w = json_object_get(last_event, "window");
  ck_assert_str_eq(json_string_value(json_object_get(w, "start")), "2024-01-01T00:00:00Z");
  ck_assert_str_eq(json_string_value(json_object_get(w, "end")), "2024-01-01T00:01:00Z");
  ck_assert_str_eq(json_string_value(json_object_get(last_event, "shardId")), "shardId-000000000000");
  ck_assert_str_eq(json_string_value(json_object_get(last_event, "eventSourceARN")), aev_stream_arn(s));
  ck_assert(json_is_false(json_object_get(last_event, "isFinalInvokeForWindow")));
  ck_assert(json_is_false(json_object_get(last_event, "isWindowTerminatedEarly")));
  aev_broker_advance(b, 10000);
  st_put(s, "k", "c", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R2/0@00:00:00|R1/2@00:00:00|");
  /* Nothing happens before the window's end; at it, the final call. */
  aev_broker_advance(b, 49999);
  ck_assert_str_eq(seen, "R2/0@00:00:00|R1/2@00:00:00|");
  aev_broker_advance(b, 1);
  ck_assert_str_eq(seen, "R2/0@00:00:00|R1/2@00:00:00|F/3@00:00:00|");
  ck_assert_uint_eq(json_array_size(json_object_get(last_event, "Records")), 0);
  /* The next window starts with a fresh state. */
  st_put(s, "k", "d", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R2/0@00:00:00|R1/2@00:00:00|F/3@00:00:00|R1/0@00:01:00|");
  aev_stream_release(s);
}
END_TEST

/* A backlog over three windows: each window's records, then its final
 * invocation, before the next window's records; a failed final
 * invocation is retried and holds the later windows back. */
START_TEST(backlog_closes_each_window_in_order) {
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "a", NULL);
  aev_broker_advance(b, 30000);
  st_put(s, "k", "b", NULL);
  aev_broker_advance(b, 40000); /* 70 s: the second window */
  st_put(s, "k", "c", NULL);
  aev_broker_advance(b, 60000); /* 130 s: the third */
  st_put(s, "k", "d", NULL);
  fail_final = 1;
  map(s, ",\"TumblingWindowInSeconds\":60,\"BatchSize\":10");
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R2/0@00:00:00|F/2@00:00:00|");
  aev_broker_advance(b, 1000);
  ck_assert_str_eq(seen, "R2/0@00:00:00|F/2@00:00:00|F/2@00:00:00|"
                         "R1/0@00:01:00|F/1@00:01:00|R1/0@00:02:00|");
  aev_broker_advance(b, 49000); /* 180 s: the third window ends */
  ck_assert_str_eq(seen, "R2/0@00:00:00|F/2@00:00:00|F/2@00:00:00|"
                         "R1/0@00:01:00|F/1@00:01:00|R1/0@00:02:00|F/1@00:02:00|");
  aev_stream_release(s);
}
END_TEST

/* A response without "state" fails the invocation: the batch comes back
 * with the old state. A state over 1 MB ends the window early: a final
 * invocation flagged isWindowTerminatedEarly, then the same window goes
 * on with a fresh state. */
START_TEST(missing_state_fails_and_big_state_ends_early) {
  aev_stream *s = st_stream(b, "s", 1);
  stateless = 1;
  map(s, ",\"TumblingWindowInSeconds\":60,\"BatchSize\":10");
  st_put(s, "k", "a", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R1/0@00:00:00|");
  aev_broker_advance(b, 1000);
  ck_assert_str_eq(seen, "R1/0@00:00:00|R1/0@00:00:00|");
  huge = 1;
  st_put(s, "k", "b", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R1/0@00:00:00|R1/0@00:00:00|R1/1@00:00:00|F/2@00:00:00!|");
  ck_assert_ptr_nonnull(json_object_get(json_object_get(last_event, "state"), "pad"));
  st_put(s, "k", "c", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R1/0@00:00:00|R1/0@00:00:00|R1/1@00:00:00|F/2@00:00:00!|R1/0@00:00:00|");
  aev_broker_advance(b, 59000);
  ck_assert_str_eq(seen, "R1/0@00:00:00|R1/0@00:00:00|R1/1@00:00:00|F/2@00:00:00!|R1/0@00:00:00|F/1@00:00:00|");
  aev_stream_release(s);
}
END_TEST

START_TEST(checks) {
  aev_stream *s = st_stream(b, "s", 1);
  char *out;
  ck_assert_int_eq(map_request(s, ",\"TumblingWindowInSeconds\":901", &out), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900");
  ck_assert_int_eq(map_request(s, ",\"TumblingWindowInSeconds\":-1", &out), AEV_ERR_INVALID);
  /* 0 is no window: plain events without the window members. */
  ck_assert_int_eq(map_request(s, ",\"TumblingWindowInSeconds\":0", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"TumblingWindowInSeconds\":0"));
  aev_free(out);
  st_put(s, "k", "a", NULL);
  aev_broker_drain(b);
  ck_assert_ptr_null(json_object_get(last_event, "window"));
  ck_assert_ptr_null(json_object_get(last_event, "isFinalInvokeForWindow"));
  aev_stream_release(s);
}
END_TEST

/* UpdateEventSourceMapping sets or clears the window length; an open
 * window is dropped with its state and the next records start afresh. */
START_TEST(update_changes_the_window) {
  aev_stream *s = st_stream(b, "s", 1);
  char *out;
  ck_assert_int_eq(map_request(s, ",\"BatchSize\":10", &out), AEV_OK);
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  char req[256];
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"TumblingWindowInSeconds\":60}",
           json_string_value(json_object_get(d, "UUID")));
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"TumblingWindowInSeconds\":60"));
  aev_free(out);
  aev_broker_drain(b);
  st_put(s, "k", "a", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "R1/0@00:00:00|");
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"TumblingWindowInSeconds\":901}",
           json_string_value(json_object_get(d, "UUID")));
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_ERR_INVALID);
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"TumblingWindowInSeconds\":0}",
           json_string_value(json_object_get(d, "UUID")));
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &out), AEV_OK);
  aev_free(out);
  aev_broker_drain(b);
  st_put(s, "k", "b", NULL);
  aev_broker_advance(b, 60000);
  /* No window any more: no final invocation, no window members. */
  ck_assert_str_eq(seen, "R1/0@00:00:00|R1/0@?|");
  ck_assert_ptr_null(json_object_get(last_event, "window"));
  json_decref(d);
  aev_stream_release(s);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_window");
  TCase *tc = tcase_create("window");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, state_carries_until_the_final_invocation);
  tcase_add_test(tc, backlog_closes_each_window_in_order);
  tcase_add_test(tc, missing_state_fails_and_big_state_ends_early);
  tcase_add_test(tc, checks);
  tcase_add_test(tc, update_changes_the_window);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
