/* Shared by the queue suites: a manual-clock broker with no workers and a
 * few helpers for sending, receiving and checking SQS errors. */
#ifndef AEV_TEST_QUEUE_SUPPORT_H
#define AEV_TEST_QUEUE_SUPPORT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

static inline aev_broker *qt_broker(void) {
  return aev_test_manual_broker(42);
}

static inline aev_queue *qt_queue(aev_broker *b, const char *name,
                                  const char *attrs) {
  aev_queue *q;
  int rc = aev_queue_create(b, name, attrs, &q);
  ck_assert_msg(rc == AEV_OK, "create %s: %s %s", name, aev_errcode(),
                aev_errmsg());
  return q;
}

static inline void qt_send(aev_queue *q, const char *body) {
  int rc = aev_queue_send(q, body, strlen(body), NULL, NULL, NULL);
  ck_assert_msg(rc == AEV_OK, "send: %s %s", aev_errcode(), aev_errmsg());
}

/* Receives at most one message (no wait); NULL when none. */
static inline aev_message *qt_recv1(aev_queue *q) {
  aev_message *m[1];
  size_t n = 0;
  int rc = aev_queue_receive(q, 1, 0, NULL, m, &n);
  ck_assert_msg(rc == AEV_OK, "receive: %s %s", aev_errcode(), aev_errmsg());
  return n ? m[0] : NULL;
}

static inline const char *qt_body(const aev_message *m) {
  return (const char *)aev_message_body(m, NULL);
}

/* msg NULL: only the code is checked. */
static inline void qt_check_msg(const char *msg) {
  if (msg) ck_assert_str_eq(aev_errmsg(), msg);
}

#define qt_assert_error(expr, status, code, msg) \
  do {                                           \
    ck_assert_int_eq((expr), (status));          \
    ck_assert_str_eq(aev_errcode(), (code));     \
    qt_check_msg(msg);                           \
  } while (0)

/* Fetches one queue attribute as a malloc'd string (NULL if absent). */
static inline char *qt_attr(aev_queue *q, const char *name) {
  char names[128], *out;
  snprintf(names, sizeof names, "[\"%s\"]", name);
  ck_assert_int_eq(aev_queue_get_attributes(q, names, &out), AEV_OK);
  const char *k = strstr(out, name);
  char *v = NULL;
  if (k) {
    const char *s = strchr(k + strlen(name) + 2, '"') + 1;
    v = strndup(s, (size_t)(strchr(s, '"') - s));
  }
  aev_free(out);
  return v;
}

static inline void qt_assert_attr(aev_queue *q, const char *name,
                                  const char *want) {
  char *v = qt_attr(q, name);
  ck_assert_msg(v && !strcmp(v, want), "%s: %s != %s", name, v ? v : "(none)",
                want);
  free(v);
}

#endif
