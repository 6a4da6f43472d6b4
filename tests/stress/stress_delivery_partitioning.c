/* Stress (run under ThreadSanitizer in CI): a real-clock broker with
 * workers; 2 producer threads put 10,000 JSON records (2,000 when CI is
 * set) into a dynamically partitioned delivery stream whose Lambda
 * processor (a function of the broker, on the handler pool) returns a
 * partition key beside the jq query's, while a flusher thread seals the
 * partitions every millisecond or so. Transforms, routing into partitions,
 * partition seals and deliveries all run at once. At the end every record
 * is in exactly one object, under the prefix its keys name. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "tree.h"
#include "stress_support.h"
#include "awsevents/awsevents.h"

#define PRODUCERS 2

static int total;
static aev_broker *b;
static aev_delivery *d;
static char dir[] = "/tmp/aev-stress-fhdp-XXXXXX";
static atomic_int producing = PRODUCERS;

/* Returns each record as it came, with partition key "l": "L" then its
 * "i" modulo 3. */
static void transform(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  json_t *in = json_loadb(event, len, 0, NULL), *out = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(in, "records"), i, r) {
    /* The data is {"k":N,"i":M} in base64; the key needs no decoding:
     * the record's place in the batch is enough to spread them. */
    char key[8];
    snprintf(key, sizeof key, "L%zu", i % 3);
    json_array_append_new(out, json_pack("{s:O, s:s, s:O, s:{s:{s:s}}}", "recordId",
                                         json_object_get(r, "recordId"), "result", "Ok", "data",
                                         json_object_get(r, "data"), "metadata", "partitionKeys",
                                         "l", key));
  }
  json_t *resp = json_pack("{s:o}", "records", out);
  char *text = json_dumps(resp, JSON_COMPACT);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(resp);
  json_decref(in);
}

static void *producer(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = id; i < total; i += PRODUCERS) {
    char data[64];
    int n = snprintf(data, sizeof data, "{\"k\":%d,\"i\":%d}", i % 40, i);
    if (aev_delivery_put(d, data, (size_t)n, NULL) != AEV_OK) report("put: %s", aev_errmsg());
  }
  atomic_fetch_sub(&producing, 1);
  return NULL;
}

static void *flusher(void *arg) {
  (void)arg;
  while (producing > 0) {
    if (aev_delivery_flush(d) != AEV_OK) report("flush: %s", aev_errmsg());
    pause_ms(1);
  }
  return NULL;
}

static long long records;
static int misplaced;

/* Counts the records of an object, each of whose k must match its
 * directory k=N. */
static int count_records(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st, (void)f;
  if (flag != FTW_F) return 0;
  const char *k = strstr(p, "/k=");
  int want = k ? atoi(k + 3) : -1;
  FILE *fp = fopen(p, "rb");
  if (!fp) return 0;
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  fclose(fp);
  for (char *at = strstr(buf, "{\"k\":"); at; at = strstr(at + 1, "{\"k\":")) {
    records++;
    misplaced += atoi(at + 5) != want;
  }
  return 0;
}

START_TEST(partitions_while_transforming) {
  total = getenv("CI") ? 2000 : 10000;
  ck_assert_ptr_nonnull(mkdtemp(dir));
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_workers(o, 2);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  ck_assert_int_eq(aev_function_create(b, "keys", NULL, transform, NULL, NULL, NULL), AEV_OK);
  char cfg[2048];
  snprintf(cfg, sizeof cfg,
           "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\","
           "\"LocalDirectory\":\"%s\",\"BufferingHints\":{\"SizeInMBs\":64,\"IntervalInSeconds\":60},"
           "\"DynamicPartitioningConfiguration\":{\"Enabled\":true},"
           "\"Prefix\":\"!{partitionKeyFromLambda:l}/k=!{partitionKeyFromQuery:k}/\","
           "\"ErrorOutputPrefix\":\"err/!{firehose:error-output-type}/\","
           "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":["
           "{\"Type\":\"Lambda\",\"Parameters\":[{\"ParameterName\":\"LambdaArn\",\"ParameterValue\":"
           "\"arn:aws:lambda:us-east-1:000000000000:function:keys\"},{\"ParameterName\":"
           "\"BufferIntervalInSeconds\",\"ParameterValue\":\"0\"}]},"
           "{\"Type\":\"MetadataExtraction\",\"Parameters\":[{\"ParameterName\":"
           "\"MetadataExtractionQuery\",\"ParameterValue\":\"{k: .k | tostring}\"},"
           "{\"ParameterName\":\"JsonParsingEngine\",\"ParameterValue\":\"JQ-1.6\"}]},"
           "{\"Type\":\"AppendDelimiterToRecord\"}]}}}",
           dir);
  ck_assert_int_eq(aev_delivery_create(b, "d", cfg, &d), AEV_OK);

  pthread_t prod[PRODUCERS], flush;
  for (int i = 0; i < PRODUCERS; i++) pthread_create(&prod[i], NULL, producer, (void *)(intptr_t)i);
  pthread_create(&flush, NULL, flusher, NULL);
  for (int i = 0; i < PRODUCERS; i++) pthread_join(prod[i], NULL);
  pthread_join(flush, NULL);
  /* The last records may still be in the transform: flush until all are
   * delivered. */
  for (int waited = 0; waited < 60000 && delivered_records(d) < total; waited += 10) {
    aev_delivery_flush(d);
    pause_ms(10);
  }

  ck_assert_msg(errors == 0, "%d errors, first: %s", errors, first_error);
  ck_assert_int_eq(delivered_records(d), total);
  nftw(dir, count_records, 16, FTW_PHYS);
  ck_assert_int_eq(records, total);
  ck_assert_int_eq(misplaced, 0);
  aev_delivery_release(d);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  aev_test_remove_tree(dir);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("stress_delivery_partitioning");
  TCase *tc = tcase_create("delivery_partitioning");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, partitions_while_transforming);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
