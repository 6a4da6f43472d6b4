/* Clickstream: page views go into a Kinesis stream; a Firehose delivery
 * stream reads the stream and writes them, buffered by time, as S3-style
 * objects under a directory; a consumer reads the stream's shards too.
 * Runs on the manual clock, so the 60-second buffer passes at once.
 *
 *   build/examples/clickstream [DIRECTORY]   (default: a fresh /tmp dir) */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

static int show(const char *path, const struct stat *st, int flag,
                struct FTW *f) {
  if (flag == FTW_F) printf("object: %s (%lld bytes)\n", path, (long long)st->st_size);
  return 0;
}

static int fail(const char *what) {
  fprintf(stderr, "%s: %s: %s\n", what, aev_errcode(), aev_errmsg());
  return 1;
}

int main(int argc, char **argv) {
  char dir[256] = "/tmp/clickstream-XXXXXX";
  if (argc > 1)
    snprintf(dir, sizeof dir, "%s", argv[1]);
  else if (!mkdtemp(dir))
    return 1;

  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker *b;
  if (aev_broker_new(o, &b)) return fail("broker");
  aev_broker_options_free(o);

  aev_stream *clicks;
  if (aev_stream_create(b, "clicks", 2, &clicks)) return fail("CreateStream");

  /* Firehose reads the stream and buffers 60 s (or 1 MiB) per object. */
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"DeliveryStreamType\":\"KinesisStreamAsSource\","
           "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\"%s\"},"
           "\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::clicks\","
           "\"LocalDirectory\":\"%s\",\"Prefix\":\"views/\","
           "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}}",
           aev_stream_arn(clicks), dir);
  aev_delivery *archive;
  if (aev_delivery_create(b, "clicks-archive", cfg, &archive)) return fail("CreateDeliveryStream");

  const char *users[] = {"ana", "bo", "cy", "di"};
  for (int i = 0; i < 8; i++) {
    char view[96], shard[AEV_SHARD_ID_SIZE], seq[AEV_STREAM_SEQUENCE_SIZE];
    int n = snprintf(view, sizeof view, "{\"user\":\"%s\",\"page\":\"/p/%d\"}\n",
                     users[i % 4], i);
    if (aev_stream_put(clicks, view, (size_t)n, users[i % 4], NULL, NULL, shard, seq))
      return fail("PutRecord");
    printf("put %s -> %s\n", users[i % 4], shard);
  }

  /* A consumer reads each shard from the start: a user's views in order. */
  for (int sh = 0; sh < 2; sh++) {
    char id[AEV_SHARD_ID_SIZE], *it;
    snprintf(id, sizeof id, "shardId-%012d", sh);
    if (aev_stream_iterator(clicks, id, "TRIM_HORIZON", NULL, 0, &it)) return fail("GetShardIterator");
    aev_records *r;
    if (aev_stream_get_records(b, it, 100, &r)) return fail("GetRecords");
    printf("%s: %zu records\n", id, aev_records_count(r));
    aev_records_free(r);
    aev_free(it);
  }

  aev_broker_advance(b, 60 * 1000); /* the buffering interval passes */
  nftw(dir, show, 8, FTW_PHYS);
  char *m;
  aev_delivery_metrics(archive, &m);
  printf("metrics: %s\n", m);
  int ok = strstr(m, "\"DeliveredRecords\":8") != NULL;
  aev_free(m);

  aev_delivery_release(archive);
  aev_stream_release(clicks);
  aev_broker_destroy(b);
  return ok ? 0 : 1;
}
