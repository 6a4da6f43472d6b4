/* libFuzzer target for SNS message data protection: the input's first
 * line is a DataProtectionPolicy, the rest a message. A policy is either
 * refused with InvalidParameter, leaving none, or stored and answered back
 * as given; the message is then published (an answer or AuthorizationError
 * / InvalidParameter) to a topic with raw and enveloped queue
 * subscriptions, and deliveries drain cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the topic answers a DataProtectionPolicy attribute. */
static int has_policy(aev_topic *t) {
  char *a = NULL;
  if (aev_topic_get_attributes(t, &a) != AEV_OK) abort();
  int has = strstr(a, "\"DataProtectionPolicy\":") != NULL;
  aev_free(a);
  return has;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  char *nl = memchr(text, '\n', size);
  const char *message = nl ? nl + 1 : "card 4539894458086459 to ana@example.com";
  if (nl) *nl = '\0';
  aev_broker_options *o;
  aev_broker *b;
  aev_broker_options_new(&o);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, 1);
  if (aev_broker_new(o, &b) != AEV_OK) abort();
  aev_broker_options_free(o);
  aev_topic *t;
  aev_queue *q, *e;
  char *raw, *env;
  if (aev_topic_create(b, "t", NULL, &t) || aev_queue_create(b, "q", NULL, &q) ||
      aev_queue_create(b, "e", NULL, &e) ||
      aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"RawMessageDelivery\":\"true\"}", &raw) ||
      aev_topic_subscribe(t, "sqs", aev_queue_arn(e), NULL, &env))
    abort();
  int rc = aev_topic_set_attribute(t, "DataProtectionPolicy", text);
  int shown = has_policy(t);
  if (rc != AEV_OK ? strcmp(aev_errcode(), "InvalidParameter") || shown : shown != (*text != '\0'))
    abort();
  rc = aev_topic_publish(t, message, strlen(message), NULL, NULL, NULL);
  if (rc != AEV_OK && strcmp(aev_errcode(), "AuthorizationError") &&
      strcmp(aev_errcode(), "InvalidParameter"))
    abort();
  if (aev_broker_advance(b, 60000) != AEV_OK) abort();
  aev_free(raw);
  aev_free(env);
  aev_queue_release(q);
  aev_queue_release(e);
  aev_topic_release(t);
  aev_broker_destroy(b);
  free(text);
  return 0;
}
