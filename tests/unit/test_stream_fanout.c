/* Enhanced fan-out: consumers (CREATING then ACTIVE, the limit of 20),
 * SubscribeToShard pushing events in order as records arrive, the
 * continuation sequence number, the 5-minute lifetime, the 5-second
 * takeover rule, the end of a closed shard, cancel and deregistration
 * (release exactly once), a real-mode push, and the idle property. */
#include <pthread.h>
#include <time.h>

#include "aevtest.h"
#include "stream_support.h"

#define SHARD0 "shardId-000000000000"

static aev_broker *b;

static void setup(void) { b = st_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

typedef struct sink {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char got[512];
  int events, released, ended_with_children;
  char continuation[AEV_STREAM_SEQUENCE_SIZE];
} sink;

static void sink_init(sink *k) {
  memset(k, 0, sizeof *k);
  pthread_mutex_init(&k->mu, NULL);
  pthread_cond_init(&k->cv, NULL);
}

static void on_event(void *user, const aev_records *ev) {
  sink *k = user;
  pthread_mutex_lock(&k->mu);
  k->events++;
  for (size_t i = 0; i < aev_records_count(ev); i++) {
    strcat(k->got, st_data(ev, i));
    strcat(k->got, ",");
  }
  const char *c = aev_records_continuation(ev);
  if (c) snprintf(k->continuation, sizeof k->continuation, "%s", c);
  if (aev_records_child_shards(ev)) k->ended_with_children = 1;
  pthread_cond_broadcast(&k->cv);
  pthread_mutex_unlock(&k->mu);
}

static void on_release(void *user) {
  sink *k = user;
  pthread_mutex_lock(&k->mu);
  k->released++;
  pthread_cond_broadcast(&k->cv);
  pthread_mutex_unlock(&k->mu);
}

static char *consumer(aev_stream *s, const char *name) {
  char *arn;
  ck_assert_int_eq(aev_stream_register_consumer(s, name, &arn), AEV_OK);
  return arn;
}

static aev_subscription *subscribe(const char *arn, const char *type,
                                   const char *seq, sink *k) {
  aev_subscription *sub;
  int rc = aev_stream_subscribe(b, arn, SHARD0, type, seq, 0, on_event, k,
                                on_release, &sub);
  ck_assert_msg(rc == AEV_OK, "subscribe: %s %s", aev_errcode(), aev_errmsg());
  return sub;
}

START_TEST(push_in_order_as_records_arrive) {
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "old", NULL);
  char *arn = consumer(s, "app");
  sink k;
  sink_init(&k);
  aev_subscription *sub;
  st_assert_error(aev_stream_subscribe(b, arn, SHARD0, "LATEST", NULL, 0,
                                       on_event, &k, on_release, &sub),
                  AEV_ERR_STATE, "ResourceInUseException");
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  sub = subscribe(arn, "LATEST", NULL, &k);
  /* Nothing arrives: nothing is pushed, nothing polls. */
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(k.events, 0);
  char seq[AEV_STREAM_SEQUENCE_SIZE];
  st_put(s, "k", "a", NULL);
  st_put(s, "k", "b", seq);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(k.events, 1);
  ck_assert_str_eq(k.got, "a,b,");
  ck_assert_str_eq(k.continuation, seq);
  st_put(s, "k", "c", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(k.got, "a,b,c,");
  ck_assert_int_eq(k.released, 0);
  /* After 5 minutes the subscription ends; later records are not pushed. */
  aev_broker_advance(b, 240000);
  ck_assert_int_eq(k.released, 1);
  st_put(s, "k", "d", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(k.got, "a,b,c,");
  aev_subscription_free(sub);
  /* Resubscribing after the continuation picks up where it left off. */
  sink k2;
  sink_init(&k2);
  sub = subscribe(arn, "AFTER_SEQUENCE_NUMBER", k.continuation, &k2);
  aev_broker_drain(b);
  ck_assert_str_eq(k2.got, "d,");
  aev_subscription_cancel(sub);
  aev_subscription_cancel(sub);
  aev_broker_drain(b);
  ck_assert_int_eq(k2.released, 1);
  aev_subscription_free(sub);
  aev_free(arn);
  aev_stream_release(s);
}
END_TEST

START_TEST(takeover_after_five_seconds) {
  aev_stream *s = st_stream(b, "s", 1);
  char *arn = consumer(s, "app");
  aev_broker_drain(b);
  sink k1, k2;
  sink_init(&k1);
  sink_init(&k2);
  aev_subscription *one = subscribe(arn, "TRIM_HORIZON", NULL, &k1), *two;
  aev_broker_advance(b, 4999);
  st_assert_error(aev_stream_subscribe(b, arn, SHARD0, "LATEST", NULL, 0,
                                       on_event, &k2, on_release, &two),
                  AEV_ERR_STATE, "ResourceInUseException");
  aev_broker_advance(b, 1);
  two = subscribe(arn, "LATEST", NULL, &k2);
  aev_broker_drain(b);
  ck_assert_int_eq(k1.released, 1);
  st_put(s, "k", "x", NULL);
  aev_broker_drain(b);
  ck_assert_str_eq(k1.got, "");
  ck_assert_str_eq(k2.got, "x,");
  /* Deregistering the consumer ends its subscription. */
  ck_assert_int_eq(aev_stream_deregister_consumer(s, "app"), AEV_OK);
  aev_broker_drain(b);
  ck_assert_int_eq(k2.released, 1);
  st_assert_error(aev_stream_deregister_consumer(s, "app"), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException");
  aev_subscription_free(one);
  aev_subscription_free(two);
  aev_free(arn);
  aev_stream_release(s);
}
END_TEST

START_TEST(closed_shard_ends_with_children) {
  aev_stream *s = st_stream(b, "s", 1);
  char *arn = consumer(s, "app");
  aev_broker_drain(b);
  sink k;
  sink_init(&k);
  aev_subscription *sub = subscribe(arn, "TRIM_HORIZON", NULL, &k);
  st_put(s, "k", "1", NULL);
  ck_assert_int_eq(aev_stream_split_shard(s, SHARD0, "1000"), AEV_OK);
  aev_broker_drain(b);
  ck_assert_str_eq(k.got, "1,");
  ck_assert_int_eq(k.ended_with_children, 1);
  ck_assert_int_eq(k.released, 1);
  aev_subscription_free(sub);
  aev_free(arn);
  aev_stream_release(s);
}
END_TEST

START_TEST(consumer_limits_and_errors) {
  aev_stream *s = st_stream(b, "s", 1);
  for (int i = 0; i < 20; i++) {
    char name[8];
    snprintf(name, sizeof name, "c%d", i);
    aev_free(consumer(s, name));
  }
  char *arn;
  st_assert_error(aev_stream_register_consumer(s, "c20", &arn), AEV_ERR_LIMIT,
                  "LimitExceededException");
  st_assert_error(aev_stream_register_consumer(s, "c1", &arn), AEV_ERR_EXISTS,
                  "ResourceInUseException");
  st_assert_error(aev_stream_register_consumer(s, "bad name", &arn),
                  AEV_ERR_INVALID, "ValidationException");
  sink k;
  sink_init(&k);
  aev_subscription *sub;
  st_assert_error(aev_stream_subscribe(b, "arn:nope", SHARD0, "LATEST", NULL, 0,
                                       on_event, &k, on_release, &sub),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_stream_subscribe(b, "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/zz:1",
                                       SHARD0, "LATEST", NULL, 0, on_event, &k,
                                       on_release, &sub),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  ck_assert_int_eq(k.released, 0);
  /* Deleting the stream needs EnforceConsumerDeletion. */
  st_assert_error(aev_stream_delete(s, 0), AEV_ERR_STATE, "ResourceInUseException");
  ck_assert_int_eq(aev_stream_delete(s, 1), AEV_OK);
  aev_stream_release(s);
}
END_TEST

static void wait_for(sink *k, int events) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 10;
  pthread_mutex_lock(&k->mu);
  while (k->events < events &&
         pthread_cond_timedwait(&k->cv, &k->mu, &until) == 0) {
  }
  pthread_mutex_unlock(&k->mu);
}

/* Real clock and workers: a put wakes the subscriber at once, and a
 * broker holding a stream and a waiting subscription uses < 1% of a core
 * over one second. */
START_TEST(real_mode_push_and_idle) {
  aev_broker *rb;
  ck_assert_int_eq(aev_broker_new(NULL, &rb), AEV_OK);
  aev_stream *s = st_stream(rb, "s", 2);
  char *arn;
  ck_assert_int_eq(aev_stream_register_consumer(s, "app", &arn), AEV_OK);
  aev_broker_drain(rb);
  sink k;
  sink_init(&k);
  aev_subscription *sub;
  ck_assert_int_eq(aev_stream_subscribe(rb, arn, SHARD0, "LATEST", NULL, 0,
                                        on_event, &k, on_release, &sub),
                   AEV_OK);
  st_put(s, "a", "x", NULL);
  wait_for(&k, 1);
  ck_assert_str_eq(k.got, "x,");
  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "idle stream used %.4f s of CPU in a 1 s sleep", used);
  aev_subscription_free(sub);
  aev_free(arn);
  aev_stream_release(s);
  aev_broker_destroy(rb);
  ck_assert_int_eq(k.released, 1);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_fanout");
  TCase *tc = tcase_create("fanout");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, push_in_order_as_records_arrive);
  tcase_add_test(tc, takeover_after_five_seconds);
  tcase_add_test(tc, closed_shard_ends_with_children);
  tcase_add_test(tc, consumer_limits_and_errors);
  tcase_add_test(tc, real_mode_push_and_idle);
  tcase_set_timeout(tc, 30);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
