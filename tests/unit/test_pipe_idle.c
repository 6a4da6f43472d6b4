/* Pipes on a real-clock broker with worker threads: a pipe wakes the moment
 * a message reaches its queue or a record its stream (no polling), and
 * DESIGN §7's idle test: with an SQS pipe and a Kinesis pipe waiting on
 * their sources, and a failed batch invisible for 12 hours, the process
 * uses < 1% CPU over a second. */
#include <pthread.h>
#include <time.h>

#include "aevtest.h"
#include "function_support.h"

#define ROLE "arn:aws:iam::000000000000:role/r"
#define FN "arn:aws:lambda:us-east-1:000000000000:function:fn"

START_TEST(pipes_wake_on_sources_and_idle) {
  aev_broker *b;
  ck_assert_int_eq(aev_broker_new(NULL, &b), AEV_OK);
  signal_state s = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, signalling_handler, &s, NULL, &f), AEV_OK);
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "src", "{\"VisibilityTimeout\":\"43200\"}", &q), AEV_OK);
  aev_stream *st;
  ck_assert_int_eq(aev_stream_create(b, "ks", 1, &st), AEV_OK);
  ck_assert_int_eq(aev_pipe_create(b,
                                   "{\"Name\":\"q\",\"RoleArn\":\"" ROLE "\",\"Source\":"
                                   "\"arn:aws:sqs:us-east-1:000000000000:src\",\"Target\":\"" FN "\"}",
                                   NULL),
                   AEV_OK);
  ck_assert_int_eq(aev_pipe_create(b,
                                   "{\"Name\":\"k\",\"RoleArn\":\"" ROLE "\",\"Source\":"
                                   "\"arn:aws:kinesis:us-east-1:000000000000:stream/ks\",\"Target\":\"" FN
                                   "\",\"SourceParameters\":{\"KinesisStreamParameters\":"
                                   "{\"StartingPosition\":\"LATEST\"}}}",
                                   NULL),
                   AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, "one", 3, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(wait_calls(&s, 1), 1);
  ck_assert_int_eq(aev_stream_put(st, "r", 1, "k", NULL, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(wait_calls(&s, 2), 2);
  /* A failing batch: its message comes back in 12 hours. */
  s.fail = 1;
  ck_assert_int_eq(aev_queue_send(q, "two", 3, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(wait_calls(&s, 3), 3);
  s.fail = 0;

  double used = aev_test_idle_cpu_seconds();
  ck_assert_msg(used < AEV_TEST_IDLE_CPU_LIMIT, "idle pipes used %.4f s of CPU in a 1 s sleep", used);
  ck_assert_int_eq(wait_calls(&s, 3), 3);
  aev_stream_release(st);
  aev_queue_release(q);
  aev_function_release(f);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pipe_idle");
  TCase *tc = tcase_create("idle");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, pipes_wake_on_sources_and_idle);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
