/* A dead-letter move that fails, and what other calls on the source queue
 * see while it is under way: the message's place stays held until the move
 * settles (aev__hold in lib/queue/queue_impl.h).
 * - Deterministic: the library's strdup is wrapped at link time, and the
 *   move's copy of the source queue's ARN (made with the DLQ's lock held
 *   and the source's released) runs calls on the source right then, and
 *   fails, so the move fails and the message goes back.
 * - Threads (run under ThreadSanitizer in CI): receivers race on a FIFO
 *   queue whose DLQ is gone, so every move fails.
 * Either way no later message of the group is delivered while its head is
 * away, no message is lost, and none a purge removed comes back. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/queue_support.h"
#include "aevtest.h"

#define FIFO_ATTRS "\"FifoQueue\":\"true\",\"ContentBasedDeduplication\":\"true\""

/* ---- the link-time hooks (-Wl,--wrap=strdup,--wrap=realloc) ---- */

char *__real_strdup(const char *s);
void *__real_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void *__wrap_realloc(void *p, size_t n);

/* Set by a deterministic case before its call, never while threads run. */
static const char *hook_arn;  /* the strdup of this text ... */
static void (*hook)(void);    /* ... runs this once, then fails */
static atomic_int fail_realloc; /* the next realloc fails */

char *__wrap_strdup(const char *s) {
  if (hook && !strcmp(s, hook_arn)) {
    void (*h)(void) = hook;
    hook = NULL;
    h();
    return NULL;
  }
  return __real_strdup(s);
}

void *__wrap_realloc(void *p, size_t n) {
  return atomic_exchange(&fail_realloc, 0) ? NULL : __real_realloc(p, n);
}

/* ---- helpers ---- */

static aev_queue *fifo_with_dlq(aev_broker *b, const char *name, aev_queue *dlq) {
  char attrs[512];
  snprintf(attrs, sizeof attrs,
           "{" FIFO_ATTRS ",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":1}\"}",
           aev_queue_arn(dlq));
  return qt_queue(b, name, attrs);
}

static void send_in(aev_queue *q, const char *group, const char *body) {
  aev_send_options *o;
  ck_assert_int_eq(aev_send_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_send_options_set_group_id(o, group), AEV_OK);
  ck_assert_int_eq(aev_queue_send(q, body, strlen(body), o, NULL, NULL), AEV_OK);
  aev_send_options_free(o);
}

/* Receives up to max with visibility 0 and frees them; their bodies go to
 * out, comma-separated. Returns the call's status. */
static int receive_bodies(aev_queue *q, int max, char *out, size_t cap) {
  aev_receive_options *o;
  ck_assert_int_eq(aev_receive_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_receive_options_set_visibility(o, 0), AEV_OK);
  aev_message *m[10];
  size_t n = 0;
  int rc = aev_queue_receive(q, max, 0, o, m, &n);
  aev_receive_options_free(o);
  *out = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s%s", len ? "," : "", qt_body(m[i]));
    aev_message_free(m[i]);
  }
  return rc;
}

static long long stored(aev_queue *q) {
  long long total = 0;
  const char *names[] = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                         "ApproximateNumberOfMessagesDelayed"};
  for (int i = 0; i < 3; i++) {
    char *v = qt_attr(q, names[i]);
    total += atoll(v);
    aev_free(v);
  }
  return total;
}

/* ---- deterministic: calls made while the move is under way ---- */

static aev_queue *src;
static char during[256];

/* m1 is the dead-letter queue's one message; the world is then freed. */
static void m1_dead_lettered_then_end(aev_broker *b, aev_queue *dlq) {
  aev_message *d = qt_recv1(dlq);
  ck_assert_str_eq(qt_body(d), "m1");
  aev_message_free(d);
  aev_queue_release(src);
  aev_queue_release(dlq);
  aev_broker_destroy(b);
}

static void receive_during_move(void) { receive_bodies(src, 10, during, sizeof during); }

START_TEST(group_held_while_its_head_moves) {
  aev_broker *b = qt_broker();
  aev_queue *dlq = qt_queue(b, "dlq.fifo", "{" FIFO_ATTRS "}");
  src = fifo_with_dlq(b, "src.fifo", dlq);
  send_in(src, "g", "m1");
  send_in(src, "g", "m2");
  char got[256];
  ck_assert_int_eq(receive_bodies(src, 1, got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, "m1");
  /* m1 is past maxReceiveCount: the next receive moves it, and the move
   * fails after another receive ran. */
  hook_arn = aev_queue_arn(src);
  hook = receive_during_move;
  ck_assert_int_eq(receive_bodies(src, 10, got, sizeof got), AEV_ERR_NOMEM);
  ck_assert(hook == NULL);
  ck_assert_msg(!strcmp(during, ""), "%s delivered while m1 was on its way to the DLQ", during);
  ck_assert_int_eq(stored(src), 2);
  /* The next move succeeds; m2 then comes, after m1. */
  ck_assert_int_eq(receive_bodies(src, 10, got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, "");
  ck_assert_int_eq(receive_bodies(src, 10, got, sizeof got), AEV_OK);
  ck_assert_str_eq(got, "m2");
  m1_dead_lettered_then_end(b, dlq);
}
END_TEST

/* A send into the queue while m1 is away, then memory runs short: the
 * send does not take m1's slot, so putting m1 back needs no memory. */
static void send_during_move(void) {
  send_in(src, "h", "new");
  atomic_store(&fail_realloc, 1);
}

START_TEST(slot_held_while_its_message_moves) {
  aev_broker *b = qt_broker();
  aev_queue *dlq = qt_queue(b, "dlq.fifo", "{" FIFO_ATTRS "}");
  src = fifo_with_dlq(b, "src.fifo", dlq);
  send_in(src, "g", "m1");
  /* 64 messages, each in a group of its own: every slot of the queue's
   * first table is taken. All are received (in flight for 300 s), then m1
   * made visible again, so that only m1 is eligible and must move. */
  for (int i = 0; i < 63; i++) {
    char group[16];
    snprintf(group, sizeof group, "f%d", i);
    send_in(src, group, group);
  }
  aev_receive_options *o;
  ck_assert_int_eq(aev_receive_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_receive_options_set_visibility(o, 300), AEV_OK);
  char handle[512] = "";
  aev_message *m[10];
  size_t n;
  do {
    ck_assert_int_eq(aev_queue_receive(src, 10, 0, o, m, &n), AEV_OK);
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(qt_body(m[i]), "m1"))
        snprintf(handle, sizeof handle, "%s", aev_message_receipt_handle(m[i]));
      aev_message_free(m[i]);
    }
  } while (n);
  aev_receive_options_free(o);
  ck_assert_int_eq(aev_queue_change_visibility(src, handle, 0), AEV_OK);
  hook_arn = aev_queue_arn(src);
  hook = send_during_move;
  char got[256];
  ck_assert_int_eq(receive_bodies(src, 10, got, sizeof got), AEV_ERR_NOMEM);
  atomic_store(&fail_realloc, 0);
  ck_assert(hook == NULL);
  ck_assert_int_eq(stored(src), 65);
  ck_assert_int_eq(receive_bodies(src, 10, got, sizeof got), AEV_OK); /* m1 moves */
  m1_dead_lettered_then_end(b, dlq);
}
END_TEST

/* A purge while m1 is away: the failed move does not bring it back. */
static void purge_during_move(void) { ck_assert_int_eq(aev_queue_purge(src), AEV_OK); }

START_TEST(purged_while_its_message_moves) {
  aev_broker *b = qt_broker();
  aev_queue *dlq = qt_queue(b, "dlq.fifo", "{" FIFO_ATTRS "}");
  src = fifo_with_dlq(b, "src.fifo", dlq);
  send_in(src, "g", "m1");
  char got[256];
  ck_assert_int_eq(receive_bodies(src, 1, got, sizeof got), AEV_OK);
  hook_arn = aev_queue_arn(src);
  hook = purge_during_move;
  ck_assert_int_eq(receive_bodies(src, 10, got, sizeof got), AEV_ERR_NOMEM);
  ck_assert(hook == NULL);
  ck_assert_int_eq(stored(src), 0);
  ck_assert_int_eq(stored(dlq), 0);
  aev_queue_release(src);
  aev_queue_release(dlq);
  aev_broker_destroy(b);
}
END_TEST

/* ---- threads: receivers racing while every move fails ---- */

#define RECEIVERS 4
#define GROUPS 50
#define ROUNDS 2000

static atomic_int heads, violations;

static void *receiver(void *arg) {
  aev_queue *q = arg;
  aev_receive_options *o;
  aev_receive_options_new(&o);
  aev_receive_options_set_visibility(o, 0);
  for (int r = 0; r < ROUNDS; r++) {
    aev_message *m[1];
    size_t n = 0;
    /* One at a time: a receive may take a head and what follows it. */
    aev_queue_receive(q, 1, 0, o, m, &n);
    for (size_t i = 0; i < n; i++) {
      /* Bodies are "<group>:<seq>": only seq 0 may ever come, once. */
      const char *colon = strchr(qt_body(m[i]), ':');
      atomic_fetch_add(colon && !strcmp(colon, ":0") ? &heads : &violations, 1);
      aev_message_free(m[i]);
    }
  }
  aev_receive_options_free(o);
  return NULL;
}

START_TEST(receivers_race_failing_moves) {
  aev_broker_options *bo;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&bo), AEV_OK);
  aev_broker_options_set_clock(bo, AEV_CLOCK_REAL);
  ck_assert_int_eq(aev_broker_new(bo, &b), AEV_OK);
  aev_broker_options_free(bo);
  aev_queue *dlq = qt_queue(b, "dlq.fifo", "{" FIFO_ATTRS "}");
  aev_queue *q = fifo_with_dlq(b, "src.fifo", dlq);
  ck_assert_int_eq(aev_queue_delete(dlq), AEV_OK);
  for (int g = 0; g < GROUPS; g++)
    for (int s = 0; s < 2; s++) {
      char group[16], body[32];
      snprintf(group, sizeof group, "g%d", g);
      snprintf(body, sizeof body, "g%d:%d", g, s);
      send_in(q, group, body);
    }
  pthread_t t[RECEIVERS];
  for (int i = 0; i < RECEIVERS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, receiver, q), 0);
  for (int i = 0; i < RECEIVERS; i++) pthread_join(t[i], NULL);
  int behind_heads = atomic_load(&violations), delivered_heads = atomic_load(&heads);
  ck_assert_msg(behind_heads == 0, "%d messages delivered while their group's head was away",
                behind_heads);
  ck_assert_int_eq(delivered_heads, GROUPS);
  ck_assert_int_eq(stored(q), 2 * GROUPS);
  aev_queue_release(q);
  aev_queue_release(dlq);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_queue_move");
  TCase *t = tcase_create("move");
  tcase_set_timeout(t, 600);
  tcase_add_test(t, group_held_while_its_head_moves);
  tcase_add_test(t, slot_held_while_its_message_moves);
  tcase_add_test(t, purged_while_its_message_moves);
  tcase_add_test(t, receivers_race_failing_moves);
  suite_add_tcase(s, t);
  return aev_test_run(s);
}
