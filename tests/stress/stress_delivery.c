/* Stress (run under ThreadSanitizer in CI): a real-clock broker with
 * workers; 2 producer threads put 40,000 records (4,000 when CI is set)
 * into a delivery stream that seals a batch as soon as it has one
 * (IntervalInSeconds 0), while 2 updater threads call UpdateDestination
 * every millisecond or so until the producers are done, switching it between an S3 directory (a new prefix each
 * time) and a queue (a new retry duration each time: an update that
 * changes nothing keeps the version), on the VersionId each last described. Delivery
 * attempts on the handler pool read the settings meanwhile. At the end
 * every record reached the directory or the queue exactly once, the
 * updates that won each moved VersionId by one, and the losers were
 * ConcurrentModificationException. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aevtest.h"
#include "tree.h"
#include "stress_support.h"
#include "awsevents/awsevents.h"

#define PRODUCERS 2
#define UPDATERS 2

static int total;
static aev_broker *b;
static aev_delivery *d;
static aev_queue *q;
static char dir[] = "/tmp/aev-stress-delivery-XXXXXX";
static atomic_int producing = PRODUCERS, tries, updated, conflicts, serial;

static void *producer(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = id; i < total; i += PRODUCERS) {
    char data[32];
    int n = snprintf(data, sizeof data, "%d\n", i);
    if (aev_delivery_put(d, data, (size_t)n, NULL) != AEV_OK) report("%s", aev_errmsg());
    if (i % (20 * PRODUCERS) == id) pause_ms(1); /* spread over the updates */
  }
  atomic_fetch_sub(&producing, 1);
  return NULL;
}

/* VersionId as DescribeDeliveryStream answers it. */
static int version_of(void) {
  char *out = NULL;
  if (aev_call(b, "firehose", "DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\"}",
               &out) != AEV_OK) {
    report("%s", out ? out : "describe");
    aev_free(out);
    return 0;
  }
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  int v = atoi(json_string_value(
      json_object_get(json_object_get(j, "DeliveryStreamDescription"), "VersionId")));
  json_decref(j);
  return v;
}

static void *updater(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; producing > 0 || i < 10; i++) {
    char req[1024], *out = NULL;
    atomic_fetch_add(&tries, 1);
    int n = snprintf(req, sizeof req,
                     "{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"%d\","
                     "\"DestinationId\":\"destinationId-000000000001\",",
                     version_of());
    if (i % 2)
      snprintf(req + n, sizeof req - (size_t)n,
               "\"SqsDestinationUpdate\":{\"QueueARN\":\"%s\",\"BufferingHints\":"
               "{\"SizeInMBs\":1,\"IntervalInSeconds\":0},\"RetryOptions\":"
               "{\"DurationInSeconds\":%d}}}",
               aev_queue_arn(q), atomic_fetch_add(&serial, 1) % 7200);
    else
      snprintf(req + n, sizeof req - (size_t)n,
               "\"ExtendedS3DestinationUpdate\":{\"BucketARN\":\"arn:aws:s3:::b\","
               "\"LocalDirectory\":\"%s\",\"Prefix\":\"u%d-%d/\",\"BufferingHints\":"
               "{\"SizeInMBs\":1,\"IntervalInSeconds\":0}}}",
               dir, id, i);
    int rc = aev_call(b, "firehose", "UpdateDestination", req, &out);
    if (rc == AEV_OK)
      atomic_fetch_add(&updated, 1);
    else if (rc == AEV_ERR_STATE && strstr(out, "ConcurrentModificationException"))
      atomic_fetch_add(&conflicts, 1);
    else
      report("%s", out ? out : "update");
    aev_free(out);
    pause_ms(1);
  }
  return NULL;
}

static long long lines;

static int count_lines(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st, (void)f;
  if (flag != FTW_F) return 0;
  FILE *fp = fopen(p, "rb");
  if (!fp) return 0;
  for (int c; (c = fgetc(fp)) != EOF;) lines += c == '\n';
  fclose(fp);
  return 0;
}

START_TEST(updates_while_delivering) {
  total = getenv("CI") ? 4000 : 40000;
  ck_assert_ptr_nonnull(mkdtemp(dir));
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  ck_assert_int_eq(aev_queue_create(b, "out", NULL, &q), AEV_OK);
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\","
           "\"LocalDirectory\":\"%s\",\"BufferingHints\":{\"SizeInMBs\":1,"
           "\"IntervalInSeconds\":0}}}",
           dir);
  ck_assert_int_eq(aev_delivery_create(b, "d", cfg, &d), AEV_OK);

  pthread_t prod[PRODUCERS], upd[UPDATERS];
  for (int i = 0; i < PRODUCERS; i++) pthread_create(&prod[i], NULL, producer, (void *)(intptr_t)i);
  for (int i = 0; i < UPDATERS; i++) pthread_create(&upd[i], NULL, updater, (void *)(intptr_t)i);
  for (int i = 0; i < PRODUCERS; i++) pthread_join(prod[i], NULL);
  for (int i = 0; i < UPDATERS; i++) pthread_join(upd[i], NULL);
  aev_delivery_flush(d);
  for (int waited = 0; waited < 60000 && delivered_records(d) < total; waited += 10)
    pause_ms(10);

  ck_assert_msg(errors == 0, "%d errors, first: %s", errors, first_error);
  ck_assert_int_eq(delivered_records(d), total);
  ck_assert_int_eq(updated + conflicts, tries);
  ck_assert_int_gt(updated, 0);
  ck_assert_int_eq(version_of(), 1 + updated);
  nftw(dir, count_lines, 16, FTW_PHYS);
  long long received = 0;
  for (;;) {
    aev_message *m[10];
    size_t n;
    ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
    if (!n) break;
    received += (long long)n;
    for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
  }
  ck_assert_int_eq(lines + received, total);
  aev_delivery_release(d);
  aev_queue_release(q);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  aev_test_remove_tree(dir);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("stress_delivery");
  TCase *tc = tcase_create("delivery");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, updates_while_delivering);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
