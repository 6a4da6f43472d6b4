/* Shared by the outbox suites (SMS, email, mobile push): a manual-clock
 * broker, aev_call shorthands and the outbox read back as JSON. */
#ifndef AEV_TEST_OUTBOX_SUPPORT_H
#define AEV_TEST_OUTBOX_SUPPORT_H

#include <jansson.h>

#include "topic_support.h"

/* The outbox's bound in deliveries (topic.h, aev_sns_outbox_read). */
#define AEV__TEST_OUTBOX_MAX 10000

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* An sns call that must succeed: its answer (json_decref it). */
static json_t *sns(const char *action, json_t *req) {
  return aev_test_call_req(b, "sns", action, req, AEV_OK);
}

/* An sns call that must fail with code and (unless NULL) message. */
static void sns_fails(const char *action, json_t *req, const char *code, const char *message) {
  char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  char *out = NULL;
  ck_assert_int_ne(aev_call(b, "sns", action, text, &out), AEV_OK);
  json_t *e = json_loads(out, 0, NULL);
  ck_assert_msg(!strcmp(json_string_value(json_object_get(e, "__type")), code), "%s: %s", action, out);
  if (message) ck_assert_str_eq(json_string_value(json_object_get(e, "message")), message);
  json_decref(e);
  aev_free(out);
  free(text);
}

/* A string member of an answer, copied into buf. */
static const char *str_of(json_t *j, const char *name, char *buf, size_t n) {
  const char *v = json_string_value(json_object_get(j, name));
  ck_assert_msg(v != NULL, "no %s", name);
  snprintf(buf, n, "%s", v);
  return buf;
}

/* The outbox's deliveries (json_decref them); keep as aev_sns_outbox_read. */
static json_t *outbox(int keep) {
  char *text = NULL;
  ck_assert_int_eq(aev_sns_outbox_read(b, keep, &text), AEV_OK);
  json_t *o = json_loads(text, 0, NULL);
  aev_free(text);
  ck_assert_ptr_nonnull(o);
  json_t *d = json_incref(json_object_get(o, "Deliveries"));
  json_decref(o);
  return d;
}

static const char *field(json_t *deliveries, size_t i, const char *name) {
  return json_string_value(json_object_get(json_array_get(deliveries, i), name));
}

/* CreateTopic: its ARN into arn. */
static void topic(const char *name, char arn[256]) {
  json_t *t = sns("CreateTopic", json_pack("{s:s}", "Name", name));
  str_of(t, "TopicArn", arn, 256);
  json_decref(t);
}

#endif
