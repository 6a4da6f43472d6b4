/* libFuzzer target for the topic's parsers, through the sns service of
 * aev_call on a fresh broker with a standard and a FIFO topic, raw and
 * enveloped queue subscriptions: the first byte picks the request (Publish
 * to either topic, PublishBatch, Subscribe attributes, one subscription or
 * topic attribute: FilterPolicy, DeliveryPolicy, RedrivePolicy...), the
 * rest is the request's JSON or attribute text. Every call answers a
 * response or an AWS error with a code, and deliveries drain cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sub_attrs[] = {"FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                                        "RedrivePolicy", "DeliveryPolicy"};
static const char *const topic_attrs[] = {"DeliveryPolicy", "DisplayName", "MaximumMessageSize",
                                          "ContentBasedDeduplication", "FifoThroughputScope"};

static void expect_answer(int rc, char *out) {
  if (rc == AEV_OK ? out == NULL : aev_errcode()[0] == '\0') abort();
  aev_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  aev_broker_options *o;
  aev_broker *b;
  aev_broker_options_new(&o);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, 1);
  if (aev_broker_new(o, &b) != AEV_OK) abort();
  aev_broker_options_free(o);
  aev_topic *t, *f;
  aev_queue *q, *fq;
  char *sub, *fsub;
  if (aev_topic_create(b, "t", NULL, &t) || aev_queue_create(b, "q", NULL, &q) ||
      aev_topic_create(b, "f.fifo", "{\"FifoTopic\":\"true\"}", &f) ||
      aev_queue_create(b, "q.fifo", "{\"FifoQueue\":\"true\"}", &fq) ||
      aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"RawMessageDelivery\":\"true\"}", &sub) ||
      aev_topic_subscribe(f, "sqs", aev_queue_arn(fq), NULL, &fsub))
    abort();
  unsigned pick = data[0];
  char *out = NULL;
  int rc;
  switch (pick % 5) {
  case 0:
  case 1: {
    rc = aev_call(b, "sns", pick % 5 ? "PublishBatch" : "Publish", text, &out);
    expect_answer(rc, out);
    out = NULL;
    /* The same text as a message and as its attributes, typed API. */
    aev_publish_options *po;
    aev_publish_options_new(&po);
    aev_publish_options_set_attributes(po, text);
    aev_publish_options_set_group_id(po, "g");
    aev_publish_options_set_deduplication_id(po, "d");
    aev_publish_options_set_structure_json(po, (pick >> 4) & 1);
    aev_topic_publish(pick & 8 ? f : t, text, strlen(text), po, NULL, NULL);
    aev_publish_options_free(po);
    break;
  }
  case 2:
    rc = aev_topic_subscribe(t, "sqs", aev_queue_arn(q), text, &out);
    expect_answer(rc, out);
    break;
  case 3:
    aev_subscription_set_attribute(b, (pick & 8) ? fsub : sub, sub_attrs[(pick >> 4) % 5], text);
    break;
  default:
    aev_topic_set_attribute((pick & 8) ? f : t, topic_attrs[(pick >> 4) % 5], text);
    break;
  }
  aev_topic_publish(t, "{\"a\":1}", 7, NULL, NULL, NULL);
  if (aev_broker_advance(b, 60000) != AEV_OK) abort();
  aev_free(sub);
  aev_free(fsub);
  aev_queue_release(q);
  aev_queue_release(fq);
  aev_topic_release(t);
  aev_topic_release(f);
  aev_broker_destroy(b);
  free(text);
  return 0;
}
