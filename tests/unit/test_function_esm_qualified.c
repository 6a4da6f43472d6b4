/* Event-source mappings of a version or an alias, as Lambda keeps them:
 * FunctionName in its qualified forms, the qualifier checked, answered as
 * FunctionArn and invoked (an alias routed as Invoke routes it);
 * UpdateEventSourceMapping's FunctionName moving a mapping (to another
 * version, alias or function); ListEventSourceMappings filtering by
 * function and qualifier; a deleted alias or function failing invocations
 * and one created again under its name taking them. Queue and stream
 * (Kinesis) mappings alike. */
#include <jansson.h>

#include "aevtest.h"
#include "function_support.h"

#define ARN "arn:aws:lambda:us-east-1:000000000000:function:"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* Each invocation appends the environment variable V of the version that
 * ran (its frozen configuration) and ';' to the log. */
typedef struct ran {
  int calls;
  char log[256];
} ran;

static void version_handler(void *user, aev_invocation *ctx, const char *event,
                            size_t len) {
  (void)event;
  (void)len;
  ran *r = user;
  const char *v = aev_invocation_env(ctx, "V");
  size_t n = strlen(r->log);
  snprintf(r->log + n, sizeof r->log - n, "%s;", v ? v : "?");
  r->calls++;
  aev_invocation_succeed(ctx, "{}", 2);
}

/* Publishes version n of f with V = n; $LATEST then has V = "latest". */
static void publish(aev_function *f, int n) {
  char conf[128];
  snprintf(conf, sizeof conf, "{\"Environment\":{\"Variables\":{\"V\":\"%d\"}}}", n);
  ck_assert_int_eq(aev_function_update_configuration(f, conf), AEV_OK);
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_update_configuration(
                       f, "{\"Environment\":{\"Variables\":{\"V\":\"latest\"}}}"),
                   AEV_OK);
}

/* A function with versions 1 and 2 and the alias "live" on version 1. */
static aev_function *versioned(const char *name, ran *r) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, name, NULL, version_handler, r, NULL, &f), AEV_OK);
  publish(f, 1);
  publish(f, 2);
  ck_assert_int_eq(aev_function_create_alias(f, "live", "1", NULL, NULL, NULL), AEV_OK);
  return f;
}

/* Create (source: a queue or stream ARN); the answer parsed. */
static json_t *create(const char *source, const char *fn) {
  char req[512], *out = NULL;
  snprintf(req, sizeof req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"%s\"%s}", source, fn,
           strstr(source, ":kinesis:") ? ",\"StartingPosition\":\"TRIM_HORIZON\"" : "");
  int rc = aev_event_source_mapping_create(b, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s %s", req, aev_errcode(), aev_errmsg());
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  return j;
}

static int update(const char *uuid, const char *fn, json_t **answer) {
  char req[512], *out = NULL;
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"FunctionName\":\"%s\"}", uuid, fn);
  int rc = aev_event_source_mapping_update(b, req, &out);
  if (answer) *answer = rc == AEV_OK ? json_loads(out, 0, NULL) : NULL;
  aev_free(out);
  return rc;
}

static const char *member(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* FunctionArn of the mapping as Get answers it. */
static void assert_function_arn(const char *uuid, const char *want) {
  char *out = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &out), AEV_OK);
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_str_eq(member(j, "FunctionArn"), want);
  json_decref(j);
}

/* The UUIDs ListEventSourceMappings answers for fn, joined by ';'. */
static int listed(const char *fn, char *uuids, size_t size) {
  char *out = NULL;
  int rc = aev_event_source_mapping_list(b, fn, NULL, &out);
  if (rc != AEV_OK) return rc;
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  uuids[0] = '\0';
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(j, "EventSourceMappings"), i, m) {
    size_t n = strlen(uuids);
    snprintf(uuids + n, size - n, "%s;", member(m, "UUID"));
  }
  json_decref(j);
  return AEV_OK;
}

/* The recorded case: a mapping created on version 1 answers its ARN and
 * invokes version 1; updated to version 2's ARN, it answers and invokes
 * version 2. */
START_TEST(queue_mapping_invokes_its_version) {
  ran r = {0};
  aev_function *f = versioned("vf", &r);
  aev_queue *q = qt_queue(b, "vq", NULL);
  json_t *d = create(aev_queue_arn(q), "vf:1");
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "vf:1");
  char uuid[37];
  snprintf(uuid, sizeof uuid, "%s", member(d, "UUID"));
  json_decref(d);
  qt_send(q, "a");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "1;");
  ck_assert_int_eq(update(uuid, ARN "vf:2", &d), AEV_OK);
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "vf:2");
  ck_assert_str_eq(member(d, "State"), "Updating");
  json_decref(d);
  assert_function_arn(uuid, ARN "vf:2");
  qt_send(q, "b");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "1;2;");
  /* $LATEST is the unqualified function. */
  ck_assert_int_eq(update(uuid, "vf:$LATEST", &d), AEV_OK);
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "vf");
  json_decref(d);
  qt_send(q, "c");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "1;2;latest;");
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* An alias mapping answers the alias's ARN and invokes what the alias
 * points at when each batch runs; through aev_call with a partial ARN. */
START_TEST(queue_mapping_follows_its_alias) {
  ran r = {0};
  aev_function *f = versioned("af", &r);
  aev_queue *q = qt_queue(b, "aq", NULL);
  char req[256], *out = NULL;
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"000000000000:function:af:live\"}",
           aev_queue_arn(q));
  ck_assert_int_eq(aev_call(b, "lambda", "CreateEventSourceMapping", req, &out), AEV_OK);
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "af:live");
  json_decref(d);
  qt_send(q, "a");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_function_update_alias(f, "live", "2", NULL, NULL), AEV_OK);
  qt_send(q, "b");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "1;2;");
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* A version or alias that does not exist is not found, as Invoke answers
 * it, on Create and Update; a refused update changes nothing. List only
 * filters by it (Lambda lists a deleted function's mappings by its name),
 * so it finds none. */
START_TEST(qualifier_must_exist) {
  ran r = {0};
  aev_function *f = versioned("nf", &r);
  aev_queue *q = qt_queue(b, "nq", NULL);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "ns", 1, &st), AEV_OK);
  char req[512], *out = NULL;
  const char *sources[] = {aev_queue_arn(q), aev_stream_arn(st)};
  for (int i = 0; i < 2; i++) {
    snprintf(req, sizeof req,
             "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"nf:9\",\"StartingPosition\":%s}",
             sources[i], i ? "\"LATEST\"" : "null");
    ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_NOT_FOUND,
                    "ResourceNotFoundException", "Function not found: " ARN "nf:9");
    snprintf(req, sizeof req,
             "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"" ARN "nf:gone\",\"StartingPosition\":%s}",
             sources[i], i ? "\"LATEST\"" : "null");
    ft_assert_error(aev_event_source_mapping_create(b, req, &out), AEV_ERR_NOT_FOUND,
                    "ResourceNotFoundException", "Function not found: " ARN "nf:gone");
    json_t *d = create(sources[i], "nf:live");
    ft_assert_error(update(member(d, "UUID"), "nf:0", NULL), AEV_ERR_NOT_FOUND,
                    "ResourceNotFoundException", "Function not found: " ARN "nf:0");
    assert_function_arn(member(d, "UUID"), ARN "nf:live");
    json_decref(d);
  }
  char uuids[256];
  ck_assert_int_eq(listed("nf:3", uuids, sizeof uuids), AEV_OK);
  ck_assert_str_eq(uuids, "");
  aev_stream_release(st);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* ListEventSourceMappings lists the mappings of the function, version or
 * alias FunctionName names, queue and stream ones alike. */
START_TEST(list_filters_by_qualifier) {
  ran r = {0};
  aev_function *f = versioned("lf", &r);
  aev_queue *q1 = qt_queue(b, "l1", NULL), *q2 = qt_queue(b, "l2", NULL);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "ls", 1, &st), AEV_OK);
  json_t *plain = create(aev_queue_arn(q1), "lf");
  json_t *v1 = create(aev_queue_arn(q2), ARN "lf:1");
  json_t *kv1 = create(aev_stream_arn(st), "lf:1");
  json_t *alias = create(aev_queue_arn(q1), "lf:live");
  char want[256], got[256];
  ck_assert_int_eq(listed("lf", got, sizeof got), AEV_OK);
  snprintf(want, sizeof want, "%s;", member(plain, "UUID"));
  ck_assert_str_eq(got, want);
  ck_assert_int_eq(listed(ARN "lf:$LATEST", got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, want);
  ck_assert_int_eq(listed("lf:1", got, sizeof got), AEV_OK);
  snprintf(want, sizeof want, "%s;%s;", member(v1, "UUID"), member(kv1, "UUID"));
  ck_assert_str_eq(got, want);
  ck_assert_int_eq(listed(ARN "lf:live", got, sizeof got), AEV_OK);
  snprintf(want, sizeof want, "%s;", member(alias, "UUID"));
  ck_assert_str_eq(got, want);
  ck_assert_int_eq(listed("lf:2", got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, "");
  json_decref(plain);
  json_decref(v1);
  json_decref(kv1);
  json_decref(alias);
  aev_stream_release(st);
  aev_queue_release(q1);
  aev_queue_release(q2);
  aev_function_release(f);
}
END_TEST

/* UpdateEventSourceMapping's FunctionName moves a queue mapping to another
 * function: it is listed and invoked there, and outlives both its old
 * function and its new one, as Lambda's mappings do. A move onto a
 * function that maps the same queue (and qualifier) already conflicts and
 * changes nothing. */
START_TEST(update_moves_to_another_function) {
  ran ra = {0}, rb = {0};
  aev_function *fa = versioned("fa", &ra), *fb = versioned("fb", &rb);
  aev_queue *q = qt_queue(b, "mq", NULL), *q2 = qt_queue(b, "mq2", NULL);
  json_t *d = create(aev_queue_arn(q), "fa");
  char uuid[37], got[256], want[64];
  snprintf(uuid, sizeof uuid, "%s", member(d, "UUID"));
  json_decref(d);
  ck_assert_int_eq(update(uuid, "fb:2", &d), AEV_OK);
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "fb:2");
  json_decref(d);
  ck_assert_int_eq(listed("fa", got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, "");
  ck_assert_int_eq(listed("fb:2", got, sizeof got), AEV_OK);
  snprintf(want, sizeof want, "%s;", uuid);
  ck_assert_str_eq(got, want);
  qt_send(q, "x");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(ra.log, "");
  ck_assert_str_eq(rb.log, "2;");
  /* fb maps q2 unqualified; fa's mapping of q2 cannot move onto it. */
  json_t *other = create(aev_queue_arn(q2), "fb");
  json_t *mine = create(aev_queue_arn(q2), "fa");
  ft_assert_error(update(member(mine, "UUID"), "fb", NULL), AEV_ERR_EXISTS,
                  "ResourceConflictException", member(other, "UUID"));
  assert_function_arn(member(mine, "UUID"), ARN "fa");
  ck_assert_int_eq(update(member(mine, "UUID"), "fb:live", NULL), AEV_OK);
  json_decref(other);
  json_decref(mine);
  /* The moved mapping stays through both functions' deletion. */
  ck_assert_int_eq(aev_function_delete(fa), AEV_OK);
  assert_function_arn(uuid, ARN "fb:2");
  ck_assert_int_eq(aev_function_delete(fb), AEV_OK);
  assert_function_arn(uuid, ARN "fb:2");
  ck_assert_int_eq(listed("fb:2", got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, want);
  aev_queue_release(q);
  aev_queue_release(q2);
  aev_function_release(fa);
  aev_function_release(fb);
}
END_TEST

/* An alias deleted under its mappings fails their invocations as it fails
 * Invoke: the queue's message stays, the stream's batch is retried, both
 * report "PROBLEM: Function not found." and can still be read and
 * deleted. */
START_TEST(deleted_alias_fails_invocations) {
  ran r = {0};
  aev_function *f = versioned("df", &r);
  aev_queue *q = qt_queue(b, "dq", NULL);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "ds", 1, &st), AEV_OK);
  json_t *qm = create(aev_queue_arn(q), "df:live");
  json_t *sm = create(aev_stream_arn(st), "df:live");
  ck_assert_int_eq(aev_function_delete_alias(f, "live"), AEV_OK);
  qt_send(q, "kept");
  ck_assert_int_eq(aev_stream_put(st, "eA==", 4, "k", NULL, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 5000), AEV_OK);
  ck_assert_int_eq(r.calls, 0);
  char *out = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, member(sm, "UUID"), &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "PROBLEM: Function not found."));
  aev_free(out);
  ck_assert_int_eq(aev_event_source_mapping_get(b, member(qm, "UUID"), &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"LastProcessingResult\":\"PROBLEM: Function not found.\""));
  aev_free(out);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, member(qm, "UUID"), &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, member(sm, "UUID"), &out), AEV_OK);
  aev_free(out);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "kept");
  aev_message_free(m);
  json_decref(qm);
  json_decref(sm);
  aev_stream_release(st);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* A queue mapping resolves its version or alias for each batch: an alias
 * created again takes the batch that failed while it was gone (once its
 * visibility timeout ends), and so does a version of a function deleted
 * and created again under the same name. */
START_TEST(qualifier_created_again_takes_the_batches) {
  ran r = {0};
  aev_function *f = versioned("rf", &r);
  aev_queue *q = qt_queue(b, "rq", "{\"VisibilityTimeout\":\"30\"}");
  json_t *alias = create(aev_queue_arn(q), "rf:live");
  ck_assert_int_eq(aev_function_delete_alias(f, "live"), AEV_OK);
  qt_send(q, "a");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(r.calls, 0);
  ck_assert_int_eq(aev_function_create_alias(f, "live", "2", NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 29999), AEV_OK);
  ck_assert_int_eq(r.calls, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_str_eq(r.log, "2;");
  char *out = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, member(alias, "UUID"), &out), AEV_OK);
  ck_assert_ptr_null(strstr(out, "LastProcessingResult"));
  aev_free(out);
  ck_assert_int_eq(aev_event_source_mapping_delete(b, member(alias, "UUID"), &out), AEV_OK);
  aev_free(out);
  /* Version 1 of a function that goes and comes back. */
  json_t *v1 = create(aev_queue_arn(q), "rf:1");
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  aev_function_release(f);
  qt_send(q, "b");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "2;");
  ran again = {0};
  ck_assert_int_eq(aev_function_create(b, "rf", NULL, version_handler, &again, NULL, &f), AEV_OK);
  publish(f, 1);
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  ck_assert_str_eq(again.log, "1;");
  assert_function_arn(member(v1, "UUID"), ARN "rf:1");
  json_decref(alias);
  json_decref(v1);
  aev_queue_release(q);
  aev_function_release(f);
}
END_TEST

/* A stream mapping of a version invokes that version, answers its ARN,
 * and moves with UpdateEventSourceMapping's FunctionName. */
START_TEST(stream_mapping_invokes_its_version) {
  ran r = {0};
  aev_function *f = versioned("sf", &r);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "vs", 1, &st), AEV_OK);
  json_t *d = create(aev_stream_arn(st), ARN "sf:1");
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "sf:1");
  char uuid[37];
  snprintf(uuid, sizeof uuid, "%s", member(d, "UUID"));
  json_decref(d);
  ck_assert_int_eq(aev_stream_put(st, "eA==", 4, "k", NULL, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "1;");
  ck_assert_int_eq(update(uuid, "sf:live", &d), AEV_OK);
  ck_assert_str_eq(member(d, "FunctionArn"), ARN "sf:live");
  json_decref(d);
  ck_assert_int_eq(aev_function_update_alias(f, "live", "2", NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  assert_function_arn(uuid, ARN "sf:live");
  ck_assert_int_eq(aev_stream_put(st, "eA==", 4, "k", NULL, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_str_eq(r.log, "1;2;");
  aev_stream_release(st);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_esm_qualified");
  TCase *tc = tcase_create("qualified");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, queue_mapping_invokes_its_version);
  tcase_add_test(tc, queue_mapping_follows_its_alias);
  tcase_add_test(tc, qualifier_must_exist);
  tcase_add_test(tc, list_filters_by_qualifier);
  tcase_add_test(tc, update_moves_to_another_function);
  tcase_add_test(tc, deleted_alias_fails_invocations);
  tcase_add_test(tc, qualifier_created_again_takes_the_batches);
  tcase_add_test(tc, stream_mapping_invokes_its_version);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
