/* Long polling with a real clock: a blocked receiver wakes on a send from
 * another thread, at the end of a delay, at the end of a visibility timeout,
 * and when its queue is deleted. The test waits for the receiver to be
 * blocked (spinning on the waiter count, never sleeping) before it acts, so
 * each case fails if the wake-up is missing rather than by timing. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "queue/queue.h"
#include "queue_support.h"

static aev_broker *b;

static aev_broker *real_broker(void) {
  aev_broker_options *o;
  aev_broker *rb;
  aev_broker_options_new(&o);
  aev_broker_options_set_clock(o, AEV_CLOCK_REAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_new(o, &rb), AEV_OK);
  aev_broker_options_free(o);
  return rb;
}

static void setup(void) { b = real_broker(); }

static void teardown(void) { aev_broker_destroy(b); }

typedef struct receiver {
  pthread_t t;
  aev_queue *q;
  int64_t wait_ms;
  int max;
  int rc;
  size_t n;
  aev_message *m[10];
  char code[64];
} receiver;

static void *receive_main(void *arg) {
  receiver *r = arg;
  r->rc = aev_queue_receive(r->q, r->max, r->wait_ms, NULL, r->m, &r->n);
  strcpy(r->code, aev_errcode());
  return NULL;
}

/* Starts a receiver taking at most max messages and returns once it is
 * the queue's waiters-th blocked receiver. */
static void start_max(receiver *r, aev_queue *q, int64_t wait_ms, int max,
                      int waiters) {
  memset(r, 0, sizeof *r);
  r->q = q;
  r->wait_ms = wait_ms;
  r->max = max;
  pthread_create(&r->t, NULL, receive_main, r);
  while (aev__queue_waiters(q) < waiters) sched_yield();
}

static void start(receiver *r, aev_queue *q, int64_t wait_ms) {
  start_max(r, q, wait_ms, 10, 1);
}

static void finish(receiver *r) {
  pthread_join(r->t, NULL);
  for (size_t i = 0; i < r->n; i++) aev_message_free(r->m[i]);
}

START_TEST(send_wakes_a_blocked_receiver) {
  aev_queue *q = qt_queue(b, "q", NULL);
  receiver r;
  start(&r, q, 20000);
  qt_send(q, "hello");
  pthread_join(r.t, NULL);
  ck_assert_int_eq(r.rc, AEV_OK);
  ck_assert_uint_eq(r.n, 1);
  ck_assert_str_eq(qt_body(r.m[0]), "hello");
  aev_message_free(r.m[0]);
  aev_queue_release(q);
}
END_TEST

/* A send wakes one receiver on a standard queue; one that leaves messages
 * behind passes the wake-up on, so two receivers of one message each both
 * get theirs from one batch of two long before their 20-s wait ends. */
START_TEST(batch_wakes_as_many_receivers_as_it_feeds) {
  aev_queue *q = qt_queue(b, "q", NULL);
  receiver r[2];
  start_max(&r[0], q, 20000, 1, 1);
  start_max(&r[1], q, 20000, 1, 2);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const char *ids[2] = {"a", "b"};
  const void *bodies[2] = {"one", "two"};
  size_t lens[2] = {3, 3};
  aev_batch_result *res;
  ck_assert_int_eq(aev_queue_send_batch(q, 2, ids, bodies, lens, NULL, &res),
                   AEV_OK);
  aev_batch_result_free(res);
  pthread_join(r[0].t, NULL);
  pthread_join(r[1].t, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10);
  ck_assert_int_eq(r[0].rc, AEV_OK);
  ck_assert_int_eq(r[1].rc, AEV_OK);
  ck_assert_uint_eq(r[0].n, 1);
  ck_assert_uint_eq(r[1].n, 1);
  ck_assert_str_ne(qt_body(r[0].m[0]), qt_body(r[1].m[0]));
  for (int i = 0; i < 2; i++) aev_message_free(r[i].m[0]);
  aev_queue_release(q);
}
END_TEST

START_TEST(delay_end_wakes_a_blocked_receiver) {
  aev_queue *q = qt_queue(b, "q", NULL);
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_delay(o, 1);
  receiver r;
  start(&r, q, 20000);
  ck_assert_int_eq(aev_queue_send(q, "later", 5, o, NULL, NULL), AEV_OK);
  finish(&r);
  ck_assert_int_eq(r.rc, AEV_OK);
  ck_assert_uint_eq(r.n, 1);
  aev_send_options_free(o);
  aev_queue_release(q);
}
END_TEST

START_TEST(visibility_end_wakes_a_blocked_receiver) {
  aev_queue *q = qt_queue(b, "q", "{\"VisibilityTimeout\":\"1\"}");
  qt_send(q, "again");
  aev_message *first = qt_recv1(q);
  ck_assert_ptr_nonnull(first);
  receiver r;
  start(&r, q, 20000);
  finish(&r);
  ck_assert_uint_eq(r.n, 1);
  aev_message_free(first);
  aev_queue_release(q);
}
END_TEST

START_TEST(delete_queue_wakes_a_blocked_receiver) {
  aev_queue *q = qt_queue(b, "q", NULL);
  receiver r;
  start(&r, q, 20000);
  ck_assert_int_eq(aev_queue_delete(q), AEV_OK);
  finish(&r);
  ck_assert_int_eq(r.rc, AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(r.code, "QueueDoesNotExist");
  aev_queue_release(q);
}
END_TEST

/* broker.h: after aev_broker_destroy() the handles still held answer
 * AEV_ERR_CLOSED; a receive blocked through the destroy does too, not
 * QueueDoesNotExist (nobody deleted the queue). */
START_TEST(broker_destroy_wakes_a_blocked_receiver_closed) {
  aev_broker *own = real_broker();
  aev_queue *q = qt_queue(own, "q", NULL);
  receiver r;
  start(&r, q, 20000);
  ck_assert_int_eq(aev_broker_destroy(own), AEV_OK);
  finish(&r);
  ck_assert_int_eq(r.rc, AEV_ERR_CLOSED);
  ck_assert_str_eq(r.code, "ServiceUnavailable");
  aev_queue_release(q);
}
END_TEST

START_TEST(queue_wait_time_is_the_default) {
  aev_queue *q = qt_queue(b, "q", "{\"ReceiveMessageWaitTimeSeconds\":\"20\"}");
  receiver r;
  start(&r, q, -1);
  qt_send(q, "x");
  finish(&r);
  ck_assert_uint_eq(r.n, 1);
  aev_queue_release(q);
}
END_TEST

/* FIFO: the group's head is in flight and blocks the message behind it;
 * the receiver wakes when the head's timeout ends and gets the head. */
START_TEST(fifo_head_timeout_wakes_a_blocked_receiver) {
  aev_queue *q = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\",\"VisibilityTimeout\":\"1\"}");
  aev_send_options *o;
  aev_send_options_new(&o);
  aev_send_options_set_group_id(o, "g");
  ck_assert_int_eq(aev_queue_send(q, "head", 4, o, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, "next", 4, o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
  aev_message *first = qt_recv1(q);
  ck_assert_str_eq(qt_body(first), "head");
  receiver r;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  start(&r, q, 20000);
  pthread_join(r.t, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  /* Woken at the 1 s timeout, not at the end of the 20 s wait. */
  ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10);
  ck_assert_int_eq(r.rc, AEV_OK);
  ck_assert_uint_eq(r.n, 2); /* the head again, then the one behind it */
  ck_assert_str_eq(qt_body(r.m[0]), "head");
  ck_assert_str_eq(qt_body(r.m[1]), "next");
  for (size_t i = 0; i < r.n; i++) aev_message_free(r.m[i]);
  aev_message_free(first);
  aev_queue_release(q);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("queue_longpoll");
  TCase *t = tcase_create("longpoll");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 30);
  tcase_add_test(t, send_wakes_a_blocked_receiver);
  tcase_add_test(t, batch_wakes_as_many_receivers_as_it_feeds);
  tcase_add_test(t, delay_end_wakes_a_blocked_receiver);
  tcase_add_test(t, visibility_end_wakes_a_blocked_receiver);
  tcase_add_test(t, fifo_head_timeout_wakes_a_blocked_receiver);
  tcase_add_test(t, delete_queue_wakes_a_blocked_receiver);
  tcase_add_test(t, broker_destroy_wakes_a_blocked_receiver_closed);
  tcase_add_test(t, queue_wait_time_is_the_default);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return aev_test_run(suite()); }
