/* Stress (run under ThreadSanitizer in CI): 4 producer and 4 consumer
 * threads on a real-clock broker, ≥ 200,000 messages (20,000 when CI is set
 * in the environment); consumers abandon 1% of what they receive (no delete,
 * so it reappears when its visibility timeout ends).
 * - Standard queue with a DLQ (maxReceiveCount 2): at the end every message
 *   was deleted at least once or sits in the DLQ, the source is empty, and
 *   nothing unknown was ever delivered.
 * - FIFO queue, 1,000 groups: each group's messages arrive in order, a
 *   deleted message never comes back, and a message is delivered again only
 *   if it was abandoned or its visibility timeout (1 s) had passed. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "stress_support.h"
#include "awsevents/awsevents.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define GROUPS 1000
#define VISIBILITY_MS 1000

static int total; /* messages to send */

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- shared bookkeeping ---- */

typedef struct track {
  atomic_int received, deleted, abandoned;
  /* The newest delivery checked: its ApproximateReceiveCount (low 6 bits,
   * at most 63) and the mono ms taken just before its receive call. */
  atomic_llong last_rx;
  atomic_llong deleted_at; /* mono ms when its first delete returned; 0 before */
} track;

static track *tr;
static atomic_int stop, abandons, redeliveries;

/* xorshift per thread: which 1% to abandon. */
static int one_in_100(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s % 100 == 0;
}

/* Bodies are "m<index>" (standard) or "g<group>:<seq>:<index>" (FIFO). */
static int index_of(const aev_message *m, int fifo, int *group, int *seq) {
  size_t len;
  const char *body = aev_message_body(m, &len);
  int g = -1, s = -1, i = -1;
  int ok = fifo ? sscanf(body, "g%d:%d:%d", &g, &s, &i) == 3
                : sscanf(body, "m%d", &i) == 1;
  if (!ok || i < 0 || i >= total) return -1;
  if (group) *group = g;
  if (seq) *seq = s;
  return i;
}

/* ---- producers ---- */

typedef struct producer {
  aev_queue *q;
  int id;
  int fifo;
} producer;

/* FIFO: producer p owns groups p, p+4, ...; message k of producer p goes to
 * its group k % (GROUPS/PRODUCERS), with that group's next sequence. */
static void *produce(void *arg) {
  producer *p = arg;
  int per = total / PRODUCERS, groups = GROUPS / PRODUCERS;
  int *next = calloc((size_t)groups, sizeof *next);
  aev_send_options *o = NULL;
  aev_send_options_new(&o);
  char body[64], group[16];
  for (int k = 0; k < per; k++) {
    int index = p->id * per + k;
    if (p->fifo) {
      int g = p->id + PRODUCERS * (k % groups);
      snprintf(body, sizeof body, "g%d:%d:%d", g, next[k % groups]++, index);
      snprintf(group, sizeof group, "%d", g);
      aev_send_options_set_group_id(o, group);
      aev_send_options_set_deduplication_id(o, body);
    } else {
      snprintf(body, sizeof body, "m%d", index);
    }
    if (aev_queue_send(p->q, body, strlen(body), p->fifo ? o : NULL, NULL,
                       NULL) != AEV_OK)
      report("%s (message %d)", aev_errmsg(), index);
  }
  aev_send_options_free(o);
  free(next);
  return NULL;
}

/* ---- consumers ---- */

typedef struct consumer {
  aev_queue *q;
  uint64_t seed;
  int fifo;
} consumer;

/* FIFO group state: the index of each group's sequence numbers, so a
 * receive can check that the message before it was deleted. */
static int *fifo_index; /* [group * per_group + seq] -> message index */
static int per_group;

/* The FIFO message before (g, s) was deleted. Its deleter sets the flag
 * just after its delete returns, so give it a moment. */
static int previous_deleted(int g, int s) {
  if (s == 0) return 1;
  int prev = fifo_index[g * per_group + s - 1];
  int64_t until = mono_ms() + 5000;
  while (!atomic_load(&tr[prev].deleted))
    if (mono_ms() > until) return 0;
    else pause_ms(1);
  return 1;
}

/* Records delivery number count of message i (its receive began at
 * before), unless a later one was recorded first. */
static void note_delivery(int i, long long count, int64_t before) {
  long long v = atomic_load(&tr[i].last_rx), mine = before * 64 + count;
  while ((v & 63) < count && !atomic_compare_exchange_weak(&tr[i].last_rx, &v, mine)) {
  }
}

static void check_fifo_delivery(int i, int g, int s, long long count,
                                int64_t before, int *last_g, int *last_s) {
  /* Only a delete that returned before this receive began proves a bug: a
   * consumer descheduled between its receive and this check may see the
   * delete of a later receiver that got the message after its timeout. */
  long long deleted_at = atomic_load(&tr[i].deleted_at);
  if (deleted_at && deleted_at < before) report("deleted message delivered again (message %d)", i);
  /* Compared with the delivery just before this one only: a consumer
   * descheduled after its receive may check its copy after the next
   * delivery (once its timeout ended) was recorded. */
  long long prev = atomic_load(&tr[i].last_rx);
  if (count > 1 && (prev & 63) == count - 1 && !atomic_load(&tr[i].abandoned) &&
      mono_ms() - prev / 64 < VISIBILITY_MS)
    report("delivered twice within its visibility timeout (message %d)", i);
  /* Within one receive a group's messages are consecutive; the first one
   * follows the group's last deleted message. */
  if (g == *last_g) {
    if (s != *last_s + 1) report("group out of order within a receive (message %d)", i);
  } else if (!previous_deleted(g, s)) {
    report("group out of order: previous message not deleted (message %d)", i);
  }
  *last_g = g;
  *last_s = s;
  note_delivery(i, count, before);
}

static void *consume(void *arg) {
  consumer *c = arg;
  aev_message *m[10];
  uint64_t rng = c->seed;
  while (!atomic_load(&stop)) {
    size_t n = 0;
    int64_t before = mono_ms();
    if (aev_queue_receive(c->q, 10, 100, NULL, m, &n) != AEV_OK) {
      report("%s (message %d)", aev_errmsg(), -1);
      break;
    }
    int last_g = -1, last_s = -1, skip_group = -1;
    for (size_t k = 0; k < n; k++) {
      int g, s, i = index_of(m[k], c->fifo, &g, &s);
      if (i < 0) {
        report("unknown body (message %d)", -1);
        aev_message_free(m[k]);
        continue;
      }
      int seen = atomic_fetch_add(&tr[i].received, 1);
      if (seen) atomic_fetch_add(&redeliveries, 1);
      if (c->fifo) {
        long long count = atoll(aev_message_system_attribute(m[k], "ApproximateReceiveCount"));
        check_fifo_delivery(i, g, s, count < 63 ? count : 63, before, &last_g, &last_s);
      }
      /* FIFO: after abandoning one, the rest of its group in this receive
       * is left too, or the worker would process the group out of order. */
      if (g == skip_group && c->fifo) {
        aev_message_free(m[k]);
        continue;
      }
      if (one_in_100(&rng)) {
        atomic_store(&tr[i].abandoned, 1);
        atomic_fetch_add(&abandons, 1);
        skip_group = g;
      } else if (aev_queue_delete_message(c->q, aev_message_receipt_handle(m[k])) == AEV_OK) {
        long long none = 0;
        atomic_compare_exchange_strong(&tr[i].deleted_at, &none, (long long)mono_ms());
        atomic_fetch_add(&tr[i].deleted, 1);
      } else if (c->fifo) {
        /* Only a FIFO handle whose timeout ended fails: it comes back. */
        skip_group = g;
      } else {
        report("%s (message %d)", aev_errmsg(), i);
      }
      aev_message_free(m[k]);
    }
  }
  return NULL;
}

/* ---- the runs ---- */

static aev_broker *real_broker(void) {
  aev_broker_options *o;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_REAL);
  aev_broker_options_set_seed(o, 7);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  return b;
}

static long long attr(aev_queue *q, const char *name) {
  char names[96], *out;
  snprintf(names, sizeof names, "[\"%s\"]", name);
  ck_assert_int_eq(aev_queue_get_attributes(q, names, &out), AEV_OK);
  long long v = -1;
  const char *at = strstr(out, "\":\"");
  if (at) v = atoll(at + 3);
  aev_free(out);
  return v;
}

static long long stored(aev_queue *q) {
  return attr(q, "ApproximateNumberOfMessages") +
         attr(q, "ApproximateNumberOfMessagesNotVisible") +
         attr(q, "ApproximateNumberOfMessagesDelayed");
}

static void run(aev_queue *q, int fifo) {
  tr = calloc((size_t)total, sizeof *tr);
  ck_assert_ptr_nonnull(tr);
  atomic_store(&stop, 0);
  atomic_store(&abandons, 0);
  atomic_store(&redeliveries, 0);
  pthread_t pt[PRODUCERS], ct[CONSUMERS];
  producer p[PRODUCERS];
  consumer c[CONSUMERS];
  for (int i = 0; i < CONSUMERS; i++) {
    c[i] = (consumer){q, 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1), fifo};
    ck_assert_int_eq(pthread_create(&ct[i], NULL, consume, &c[i]), 0);
  }
  for (int i = 0; i < PRODUCERS; i++) {
    p[i] = (producer){q, i, fifo};
    ck_assert_int_eq(pthread_create(&pt[i], NULL, produce, &p[i]), 0);
  }
  for (int i = 0; i < PRODUCERS; i++) pthread_join(pt[i], NULL);
  /* Done when the queue holds nothing: every message deleted or moved. */
  int64_t deadline = mono_ms() + 600000;
  while (stored(q) > 0 && mono_ms() < deadline && !atomic_load(&errors))
    pause_ms(50);
  atomic_store(&stop, 1);
  for (int i = 0; i < CONSUMERS; i++) pthread_join(ct[i], NULL);
  ck_assert_msg(atomic_load(&errors) == 0, "%d errors, first: %s",
                atomic_load(&errors), first_error);
  ck_assert_int_eq(stored(q), 0);
  ck_assert_int_gt(atomic_load(&abandons), total / 200);
  ck_assert_int_ge(atomic_load(&redeliveries), atomic_load(&abandons) / 2);
}

START_TEST(standard_none_lost) {
  total = getenv("CI") ? 20000 : 200000;
  aev_broker *b = real_broker();
  aev_queue *dlq, *q;
  ck_assert_int_eq(aev_queue_create(b, "dlq", NULL, &dlq), AEV_OK);
  char attrs[256];
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\":\"1\",\"RedrivePolicy\":"
           "\"{\\\"deadLetterTargetArn\\\":\\\"%s\\\",\\\"maxReceiveCount\\\":2}\"}",
           aev_queue_arn(dlq));
  ck_assert_int_eq(aev_queue_create(b, "work", attrs, &q), AEV_OK);
  run(q, 0);
  /* Whatever was not deleted sits in the DLQ, marked with its source. */
  int in_dlq = 0;
  aev_message *m[10];
  size_t n;
  do {
    ck_assert_int_eq(aev_queue_receive(dlq, 10, 0, NULL, m, &n), AEV_OK);
    for (size_t k = 0; k < n; k++) {
      int i = index_of(m[k], 0, NULL, NULL);
      ck_assert_int_ge(i, 0);
      /* Received past maxReceiveCount: abandoned, or (rarely) so slow to
       * delete that its visibility timeout ended. */
      ck_assert_int_ge(atomic_load(&tr[i].received), 2);
      ck_assert_str_eq(aev_message_system_attribute(m[k], "DeadLetterQueueSourceArn"),
                       aev_queue_arn(q));
      atomic_fetch_add(&tr[i].deleted, 1);
      in_dlq++;
      aev_message_free(m[k]);
    }
  } while (n);
  for (int i = 0; i < total; i++)
    ck_assert_msg(atomic_load(&tr[i].deleted) >= 1, "message %d lost", i);
  printf("standard: %d messages, %d abandoned, %d redelivered, %d in the DLQ\n",
         total, atomic_load(&abandons), atomic_load(&redeliveries), in_dlq);
  free(tr);
  aev_queue_release(q);
  aev_queue_release(dlq);
  aev_broker_destroy(b);
}
END_TEST

START_TEST(fifo_order_and_no_duplicates) {
  total = getenv("CI") ? 20000 : 200000;
  per_group = total / GROUPS;
  fifo_index = malloc((size_t)total * sizeof *fifo_index);
  ck_assert_ptr_nonnull(fifo_index);
  /* The producers' layout (see produce()), so checks can find a group's
   * previous message. */
  int per = total / PRODUCERS, groups = GROUPS / PRODUCERS;
  for (int p = 0; p < PRODUCERS; p++)
    for (int k = 0; k < per; k++) {
      int g = p + PRODUCERS * (k % groups);
      fifo_index[g * per_group + k / groups] = p * per + k;
    }
  aev_broker *b = real_broker();
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "work.fifo",
                                    "{\"FifoQueue\":\"true\",\"VisibilityTimeout\":\"1\"}",
                                    &q),
                   AEV_OK);
  run(q, 1);
  for (int i = 0; i < total; i++)
    ck_assert_msg(atomic_load(&tr[i].deleted) == 1,
                  "message %d deleted %d times", i, atomic_load(&tr[i].deleted));
  printf("fifo: %d messages in %d groups, %d abandoned, %d redelivered\n",
         total, GROUPS, atomic_load(&abandons), atomic_load(&redeliveries));
  free(tr);
  free(fifo_index);
  aev_queue_release(q);
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stress_queue");
  TCase *tc = tcase_create("queue");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, standard_none_lost);
  tcase_add_test(tc, fifo_order_and_no_duplicates);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
