/* Event-source mappings that read a stream through an enhanced fan-out
 * consumer (EventSourceArn = the consumer's ARN, as the Lambda developer
 * guide's "Using Lambda with Kinesis" and CDK's KinesisConsumerEventSource
 * make them): records delivered as a stream mapping delivers them, the
 * consumer's ARN answered and listed as EventSourceArn, a missing, not yet
 * ACTIVE or other stream's consumer refused with nothing stored, a queue's
 * members refused, and a
 * consumer deregistered, or its stream deleted, under a running mapping. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

static aev_broker *b;
static char seen[1024];
static json_t *last_event;

static void handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  json_t *ev = json_loads(event, 0, NULL);
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(ev, "Records"), i, r) {
    strcat(seen, json_string_value(json_object_get(json_object_get(r, "kinesis"), "data")));
    strcat(seen, ",");
  }
  strcat(seen, "|");
  json_decref(last_event);
  last_event = ev;
  aev_invocation_succeed(ctx, "{}", 2);
}

static void setup(void) {
  b = st_broker();
  seen[0] = '\0';
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, handler, NULL, NULL, NULL), AEV_OK);
}

static void teardown(void) {
  aev_broker_destroy(b);
  json_decref(last_event);
  last_event = NULL;
}

/* A consumer of s, ACTIVE once the broker has run its registration. */
static char *consumer(aev_stream *s, const char *name) {
  char *arn = NULL;
  ck_assert_int_eq(aev_stream_register_consumer(s, name, &arn), AEV_OK);
  aev_broker_drain(b);
  return arn;
}

static int map(const char *source, json_t **out) {
  char req[1024], *text = NULL;
  snprintf(req, sizeof req,
           "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\","
           "\"StartingPosition\":\"TRIM_HORIZON\",\"BatchSize\":10}",
           source);
  int rc = aev_event_source_mapping_create(b, req, &text);
  *out = text ? json_loads(text, 0, NULL) : NULL;
  aev_free(text);
  return rc;
}

static json_t *get(const char *uuid) {
  char *text = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &text), AEV_OK);
  json_t *j = json_loads(text, 0, NULL);
  aev_free(text);
  return j;
}

/* How many mappings ListEventSourceMappings shows for source (NULL: all). */
static size_t listed(const char *source) {
  char *text = NULL;
  ck_assert_int_eq(aev_event_source_mapping_list(b, NULL, source, &text), AEV_OK);
  json_t *j = json_loads(text, 0, NULL);
  aev_free(text);
  size_t n = json_array_size(json_object_get(j, "EventSourceMappings"));
  json_decref(j);
  return n;
}

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* A mapping of source that must be created: its UUID (free() it). */
static char *mapped(const char *source) {
  json_t *m;
  ck_assert_int_eq(map(source, &m), AEV_OK);
  char *uuid = strdup(str(m, "UUID"));
  json_decref(m);
  return uuid;
}

START_TEST(records_reach_the_function_through_the_consumer) {
  aev_stream *s = st_stream(b, "s", 1);
  char *c = consumer(s, "c");
  char seq[AEV_STREAM_SEQUENCE_SIZE];
  st_put(s, "k", "a", seq);
  json_t *m;
  ck_assert_int_eq(map(c, &m), AEV_OK);
  /* The mapping answers the consumer's ARN it was given. */
  ck_assert_str_eq(str(m, "EventSourceArn"), c);
  ck_assert_str_eq(str(m, "State"), "Creating");
  ck_assert_str_eq(str(m, "StartingPosition"), "TRIM_HORIZON");
  ck_assert_int_eq(json_integer_value(json_object_get(m, "BatchSize")), 10);
  char *uuid = strdup(str(m, "UUID"));
  json_decref(m);
  aev_broker_drain(b);
  st_put(s, "k", "b", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "YQ==,|Yg==,|");
  /* Lambda's Kinesis record, its eventSourceARN the stream's (the
   * guide's sample event; the records are the stream's). */
  json_t *r = json_array_get(json_object_get(last_event, "Records"), 0);
  ck_assert_str_eq(str(r, "eventSource"), "aws:kinesis");
  ck_assert_str_eq(str(r, "eventName"), "aws:kinesis:record");
  ck_assert_str_eq(str(r, "eventSourceARN"), aev_stream_arn(s));
  ck_assert_str_eq(str(json_object_get(r, "kinesis"), "partitionKey"), "k");
  json_t *g = get(uuid);
  ck_assert_str_eq(str(g, "EventSourceArn"), c);
  ck_assert_str_eq(str(g, "State"), "Enabled");
  ck_assert_str_eq(str(g, "LastProcessingResult"), "OK");
  json_decref(g);
  /* Listed by the consumer's ARN, not by the stream's. */
  ck_assert_uint_eq(listed(c), 1);
  ck_assert_uint_eq(listed(aev_stream_arn(s)), 0);
  free(uuid);
  aev_free(c);
  aev_stream_release(s);
}
END_TEST

/* One mapping per source and function: the same consumer again is a
 * conflict naming it; the stream itself is another source. */
START_TEST(one_mapping_per_consumer_and_function) {
  aev_stream *s = st_stream(b, "s", 1);
  char *c = consumer(s, "c");
  json_t *m;
  ck_assert_int_eq(map(c, &m), AEV_OK);
  json_decref(m);
  ck_assert_int_eq(map(c, &m), AEV_ERR_EXISTS);
  ck_assert_str_eq(aev_errcode(), "ResourceConflictException");
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), c));
  ck_assert_int_eq(map(aev_stream_arn(s), &m), AEV_OK);
  json_decref(m);
  ck_assert_uint_eq(listed(NULL), 2);
  aev_free(c);
  aev_stream_release(s);
}
END_TEST

#define assert_refused(source, what)                                       \
  do {                                                                     \
    json_t *m_;                                                            \
    ck_assert_int_eq(map((source), &m_), AEV_ERR_INVALID);                 \
    ck_assert_ptr_null(m_);                                                \
    ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");     \
    ck_assert_msg(strstr(aev_errmsg(), (what)) && strstr(aev_errmsg(), (source)), \
                  "message: %s", aev_errmsg());                            \
  } while (0)

START_TEST(a_missing_consumer_is_refused_and_nothing_stored) {
  aev_stream *s = st_stream(b, "s", 1);
  char arn[512];
  snprintf(arn, sizeof arn, "%s/consumer/nobody:1704067200", aev_stream_arn(s));
  assert_refused(arn, "Stream consumer not found");
  /* A consumer of a stream that does not exist either. */
  snprintf(arn, sizeof arn, "%s-gone/consumer/c:1704067200", aev_stream_arn(s));
  assert_refused(arn, "Stream consumer not found");
  /* Registered, but still CREATING. */
  char *c = NULL;
  ck_assert_int_eq(aev_stream_register_consumer(s, "c", &c), AEV_OK);
  assert_refused(c, "not ACTIVE");
  ck_assert_uint_eq(listed(NULL), 0);
  aev_broker_drain(b);
  json_t *m;
  ck_assert_int_eq(map(c, &m), AEV_OK);
  json_decref(m);
  aev_free(c);
  aev_stream_release(s);
}
END_TEST

/* A mapping read through a consumer is a stream mapping: a queue's
 * ScalingConfig is refused on Create and Update, with nothing stored or
 * changed. */
START_TEST(a_consumer_mapping_refuses_queue_members) {
  aev_stream *s = st_stream(b, "s", 1);
  char *c = consumer(s, "c");
  const char *msg = "Unsupported 'scalingConfig' parameter for given event source mapping type.";
  char req[1024], *text = NULL;
  snprintf(req, sizeof req, "{\"EventSourceArn\":\"%s\",\"FunctionName\":\"fn\",\"StartingPosition\":"
           "\"LATEST\",\"ScalingConfig\":{\"MaximumConcurrency\":2}}", c);
  ck_assert_int_eq(aev_event_source_mapping_create(b, req, &text), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), msg);
  ck_assert_uint_eq(listed(NULL), 0);
  json_t *m;
  ck_assert_int_eq(map(c, &m), AEV_OK);
  const char *uuid = json_string_value(json_object_get(m, "UUID"));
  snprintf(req, sizeof req, "{\"UUID\":\"%s\",\"BatchSize\":3,\"ScalingConfig\":{\"MaximumConcurrency\":2}}", uuid);
  ck_assert_int_eq(aev_event_source_mapping_update(b, req, &text), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errmsg(), msg);
  aev_broker_drain(b);
  json_t *g = get(uuid);
  ck_assert_int_eq(json_integer_value(json_object_get(g, "BatchSize")), 10);
  json_decref(g);
  json_decref(m);
  aev_free(c);
  aev_stream_release(s);
}
END_TEST

/* A consumer's ARN names its own stream: another stream's consumer name
 * under this stream's ARN is no consumer of this stream. */
START_TEST(a_consumer_of_another_stream_is_not_this_streams) {
  aev_stream *mine = st_stream(b, "mine", 1), *other = st_stream(b, "other", 1);
  char *c = consumer(other, "c");
  char arn[512];
  snprintf(arn, sizeof arn, "%s%s", aev_stream_arn(mine), strstr(c, "/consumer/"));
  assert_refused(arn, "Stream consumer not found");
  ck_assert_uint_eq(listed(NULL), 0);
  aev_free(c);
  aev_stream_release(mine);
  aev_stream_release(other);
}
END_TEST

/* DeregisterStreamConsumer under a running mapping: the mapping stays
 * but starts no batch, and LastProcessingResult says why. */
START_TEST(deregistering_the_consumer_stops_its_batches) {
  aev_stream *s = st_stream(b, "s", 1);
  char *c = consumer(s, "c");
  char *uuid = mapped(c);
  st_put(s, "k", "a", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(seen, "YQ==,|");
  ck_assert_int_eq(aev_stream_deregister_consumer(s, "c"), AEV_OK);
  st_put(s, "k", "b", NULL);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(seen, "YQ==,|");
  json_t *g = get(uuid);
  ck_assert_str_eq(str(g, "EventSourceArn"), c);
  ck_assert_str_eq(str(g, "LastProcessingResult"), "PROBLEM: Stream consumer not found.");
  json_decref(g);
  free(uuid);
  aev_free(c);
  aev_stream_release(s);
}
END_TEST

/* DeleteStream (EnforceConsumerDeletion) under a consumer's mapping ends
 * it as it ends the stream's own mappings: GetEventSourceMapping and
 * ListEventSourceMappings no longer find it. */
START_TEST(deleting_the_stream_ends_the_mapping) {
  aev_stream *s = st_stream(b, "s", 1);
  char *c = consumer(s, "c");
  char *uuid = mapped(c);
  aev_broker_drain(b);
  ck_assert_int_eq(aev_stream_delete(s, 1), AEV_OK);
  aev_broker_advance(b, 60000);
  char *text = NULL;
  ck_assert_int_eq(aev_event_source_mapping_get(b, uuid, &text), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "ResourceNotFoundException");
  ck_assert_uint_eq(listed(c), 0);
  free(uuid);
  aev_free(c);
  aev_stream_release(s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stream_mapping_consumer");
  TCase *tc = tcase_create("consumer");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, records_reach_the_function_through_the_consumer);
  tcase_add_test(tc, one_mapping_per_consumer_and_function);
  tcase_add_test(tc, a_missing_consumer_is_refused_and_nothing_stored);
  tcase_add_test(tc, a_consumer_mapping_refuses_queue_members);
  tcase_add_test(tc, a_consumer_of_another_stream_is_not_this_streams);
  tcase_add_test(tc, deregistering_the_consumer_stops_its_batches);
  tcase_add_test(tc, deleting_the_stream_ends_the_mapping);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
