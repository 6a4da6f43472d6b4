/* libFuzzer target for the stream and delivery parsers: the first byte
 * picks a kinesis or firehose action, the rest is its request, sent with
 * aev_call to a broker holding a stream with records and a delivery
 * stream (shard iterators, sequence numbers, hash keys, ListShards tokens,
 * consumer ARNs, Firehose prefixes and buffering hints). A successful
 * answer must be JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const actions[][2] = {
    {"kinesis", "GetRecords"},        {"kinesis", "GetShardIterator"},
    {"kinesis", "PutRecords"},        {"kinesis", "PutRecord"},
    {"kinesis", "ListShards"},        {"kinesis", "SplitShard"},
    {"kinesis", "MergeShards"},       {"kinesis", "UpdateShardCount"},
    {"kinesis", "CreateStream"},      {"kinesis", "AddTagsToStream"},
    {"kinesis", "DescribeStreamConsumer"},
    {"firehose", "CreateDeliveryStream"},
    {"firehose", "PutRecordBatch"},
};

static aev_broker *broker(void) {
  aev_broker_options *o;
  aev_broker_options_new(&o);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, 1);
  aev_broker *b = NULL;
  aev_broker_new(o, &b);
  aev_broker_options_free(o);
  aev_stream *s;
  if (aev_stream_create(b, "s", 2, &s) == AEV_OK) {
    aev_stream_put(s, "x", 1, "k", NULL, NULL, NULL, NULL);
    aev_stream_release(s);
  }
  char *out = NULL;
  aev_call(b, "firehose", "CreateDeliveryStream",
           "{\"DeliveryStreamName\":\"d\",\"ExtendedS3DestinationConfiguration\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"LocalDirectory\":\"/nonexistent\"}}",
           &out);
  aev_free(out);
  return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *const *a = actions[data[0] % (sizeof actions / sizeof actions[0])];
  char *req = malloc(size);
  if (!req) return 0;
  memcpy(req, data + 1, size - 1);
  req[size - 1] = '\0';
  aev_broker *b = broker();
  char *out = NULL;
  int rc = aev_call(b, a[0], a[1], req, &out);
  if (rc == AEV_OK) {
    json_t *j = json_loads(out, 0, NULL);
    if (!j) abort();
    json_decref(j);
  }
  aev_free(out);
  aev_broker_destroy(b);
  free(req);
  return 0;
}
