/* Delivery-stream test support: a Firehose transform (Lambda record
 * processor) that the delivery suites share. */
#ifndef AEV_DELIVERY_SUPPORT_H
#define AEV_DELIVERY_SUPPORT_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"

/* A transform: "drop" is Dropped, "fail" ProcessingFailed, others Ok with "a"
 * upper-cased; user is an int counting calls. */
static inline void fh_transform(void *user, aev_invocation *ctx, const char *event, size_t len) {
  int *calls = user;
  (*calls)++;
  json_t *in = json_loads(event, 0, NULL), *out = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(in, "records"), i, r) {
    const char *b64 = json_string_value(json_object_get(r, "data"));
    const char *res = !strcmp(b64, "ZHJvcA==") ? "Dropped" : !strcmp(b64, "ZmFpbA==") ? "ProcessingFailed" : "Ok";
    /* "a" (YQ==) becomes "A" (QQ==) */
    const char *data = !strcmp(b64, "YQ==") ? "QQ==" : b64;
    json_array_append_new(out, json_pack("{s:O, s:s, s:s}", "recordId", json_object_get(r, "recordId"), "result", res, "data", data));
  }
  json_t *resp = json_pack("{s:o}", "records", out);
  char *text = json_dumps(resp, JSON_COMPACT);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(resp);
  json_decref(in);
}

#endif
