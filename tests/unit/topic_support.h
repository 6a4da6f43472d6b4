/* Shared by the topic suites: a manual-clock broker with no workers, topic
 * and queue helpers, and SNS error checks. */
#ifndef AEV_TEST_TOPIC_SUPPORT_H
#define AEV_TEST_TOPIC_SUPPORT_H

#include <jansson.h>

#include "queue_support.h"

static inline aev_topic *tt_topic(aev_broker *b, const char *name,
                                  const char *attrs) {
  aev_topic *t;
  int rc = aev_topic_create(b, name, attrs, &t);
  ck_assert_msg(rc == AEV_OK, "create %s: %s %s", name, aev_errcode(), aev_errmsg());
  return t;
}

/* Subscribes a queue; returns the subscription ARN (aev_free it). */
static inline char *tt_sub(aev_topic *t, aev_queue *q, const char *attrs) {
  char *arn;
  int rc = aev_topic_subscribe(t, "sqs", aev_queue_arn(q), attrs, &arn);
  ck_assert_msg(rc == AEV_OK, "subscribe: %s %s", aev_errcode(), aev_errmsg());
  return arn;
}

static inline void tt_publish(aev_topic *t, const char *msg, const char *attrs) {
  aev_publish_options *o = NULL;
  if (attrs) {
    aev_publish_options_new(&o);
    aev_publish_options_set_attributes(o, attrs);
  }
  int rc = aev_topic_publish(t, msg, strlen(msg), o, NULL, NULL);
  aev_publish_options_free(o);
  ck_assert_msg(rc == AEV_OK, "publish: %s %s", aev_errcode(), aev_errmsg());
}

static inline int64_t tt_counter(aev_topic *t, const char *name) {
  int64_t v = -1;
  ck_assert_int_eq(aev_topic_counter(t, name, &v), AEV_OK);
  return v;
}

/* The number of messages waiting in q. */
static inline int tt_depth(aev_queue *q) {
  char *a;
  ck_assert_int_eq(aev_queue_get_attributes(q, "[\"ApproximateNumberOfMessages\"]", &a), AEV_OK);
  json_t *j = json_loads(a, 0, NULL);
  int n = atoi(json_string_value(json_object_get(j, "ApproximateNumberOfMessages")));
  json_decref(j);
  aev_free(a);
  return n;
}

/* Receives one message and parses its body as JSON (the envelope). */
static inline json_t *tt_envelope(aev_queue *q) {
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  json_t *j = json_loads(qt_body(m), 0, NULL);
  ck_assert_ptr_nonnull(j);
  aev_message_free(m);
  return j;
}

#define tt_assert_error(expr, status, code, msg)         \
  do {                                                   \
    ck_assert_int_eq((expr), (status));                  \
    ck_assert_str_eq(aev_errcode(), (code));             \
    if (msg) ck_assert_str_eq(aev_errmsg(), (char *)(msg)); \
  } while (0)

#endif
