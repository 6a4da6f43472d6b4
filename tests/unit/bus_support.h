/* Shared by the bus suites: a manual-clock broker with no workers, queues
 * to deliver into, and helpers to put events and read what arrived. */
#ifndef AEV_TEST_BUS_SUPPORT_H
#define AEV_TEST_BUS_SUPPORT_H

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

static inline aev_broker *bt_broker(void) {
  return aev_test_manual_broker(7);
}

#define bt_ok(expr)                                                      \
  do {                                                                   \
    int rc_ = (expr);                                                    \
    ck_assert_msg(rc_ == AEV_OK, "%s: %s %s", #expr, aev_errcode(),      \
                  aev_errmsg());                                         \
  } while (0)

#define bt_fails(expr, status, code, msg)                                \
  do {                                                                   \
    ck_assert_int_eq((expr), (status));                                  \
    ck_assert_str_eq(aev_errcode(), (code));                             \
    if (msg) ck_assert_str_eq(aev_errmsg(), (const char *)(msg));        \
  } while (0)

static inline aev_queue *bt_queue(aev_broker *b, const char *name,
                                  const char *attrs) {
  aev_queue *q;
  bt_ok(aev_queue_create(b, name, attrs, &q));
  return q;
}

/* A rule on bus matching source src, whose one target is targets_json. */
static inline void bt_rule(aev_bus *bus, const char *name, const char *src,
                           const char *targets_json) {
  char pattern[256];
  snprintf(pattern, sizeof pattern, "{\"source\":[\"%s\"]}", src);
  bt_ok(aev_bus_put_rule(bus, name, pattern, NULL, 1, NULL));
  if (targets_json) bt_ok(aev_bus_put_targets(bus, name, targets_json, NULL));
}

/* Targets JSON for one queue target. */
static inline char *bt_queue_target(aev_queue *q, const char *id,
                                    const char *extra) {
  static char buf[2048];
  snprintf(buf, sizeof buf, "[{\"Id\":\"%s\",\"Arn\":\"%s\"%s%s}]", id,
           aev_queue_arn(q), extra ? "," : "", extra ? extra : "");
  return buf;
}

static inline void bt_put(aev_bus *bus, const char *src, const char *detail) {
  bt_ok(aev_bus_put_event(bus, src, "test", detail, strlen(detail), NULL));
}

/* The body of the one message the queue holds (NULL when empty); the
 * message is deleted. Free with free(). */
static inline char *bt_take(aev_queue *q) {
  aev_message *m[1];
  size_t n = 0;
  bt_ok(aev_queue_receive(q, 1, 0, NULL, m, &n));
  if (!n) return NULL;
  size_t len;
  const char *body = aev_message_body(m[0], &len);
  char *copy = strndup(body, len);
  bt_ok(aev_queue_delete_message(q, aev_message_receipt_handle(m[0])));
  aev_message_free(m[0]);
  return copy;
}

/* After an attempt to put one event, of which `refused` says whether the
 * bus refused it (attempt k of an out-of-memory sweep): ten minutes on,
 * a taken event was delivered once (*delivered counts deliveries) or is in
 * dlq, never gone; a refused one was never delivered. */
static inline void bt_delivered_or_dead_lettered(aev_broker *b, aev_queue *dlq,
                                                 const int *deliveries, int refused, long k) {
  bt_ok(aev_broker_advance(b, 600000));
  const int delivered = *deliveries;
  char *dead = bt_take(dlq);
  if (refused) {
    ck_assert_msg(!delivered && !dead, "allocation %ld: refused, yet delivered", k);
  } else {
    ck_assert_msg(delivered + (dead != NULL) == 1,
                  "allocation %ld: delivered %d times, %s dead-lettered", k, delivered,
                  dead ? "and" : "not");
  }
  free(dead);
}

/* Compares JSON texts structurally. */
static inline void bt_json_eq(const char *got, const char *want) {
  json_t *g = json_loads(got, JSON_DECODE_ANY, NULL);
  json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
  ck_assert_msg(w != NULL, "bad expected JSON %s", want);
  ck_assert_msg(g && json_equal(g, w), "got %s, want %s", got, want);
  json_decref(g);
  json_decref(w);
}

#endif
