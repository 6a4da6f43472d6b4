/* libFuzzer target for the API layer's parsers: request text through
 * aev__api_dispatch to an action that reads every kind of member, and the
 * base64 decoder (a decoded blob must survive encode + decode unchanged). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_all(aev_broker *b, const aev__api_service *svc, json_t *req,
                    json_t **resp) {
  const char *s = NULL;
  int64_t n = 0;
  int flag = 0;
  json_t *o = NULL, *a = NULL;
  unsigned char *blob = NULL;
  size_t len = 0;
  int rc = aev__api_req_string(svc, req, "QueueUrl", &s);
  if (!rc) rc = aev__api_opt_int(svc, req, "DelaySeconds", 0, 900, &n);
  if (!rc) rc = aev__api_opt_bool(svc, req, "Flag", &flag);
  if (!rc) rc = aev__api_opt_object(svc, req, "Attributes", &o);
  if (!rc) rc = aev__api_opt_array(svc, req, "Entries", &a);
  if (!rc) rc = aev__api_opt_blob(svc, req, "Data", &blob, &len);
  free(blob);
  if (rc) return rc;
  *resp = json_pack("{s:s, s:I, s:b, s:I}", "QueueUrl", s, "DelaySeconds",
                    (json_int_t)n, "Flag", flag, "DataLength",
                    (json_int_t)len);
  return *resp ? AEV_OK : AEV_ERR_NOMEM;
}

static const aev__api_action actions[] = {{"ReadAll", read_all}};
static const aev__api_service query = {
    .name = "sqs", .missing_code = "MissingParameter", .invalid_code = "InvalidParameterValue",
    .actions = actions, .n_actions = 1, .style = AEV_API_STYLE_QUERY};
static const aev__api_service json = {
    .name = "kinesis", .missing_code = "ValidationException",
    .invalid_code = "InvalidArgumentException", .actions = actions, .n_actions = 1,
    .style = AEV_API_STYLE_JSON};
static const aev__api_service *const table[] = {&query, &json};

static void base64_round_trip(const char *text, size_t len) {
  unsigned char *raw = NULL;
  size_t n = 0;
  if (aev__base64_decode(text, len, &raw, &n) != AEV_OK) return;
  char *again = NULL;
  if (aev__base64_encode(raw, n, &again) != AEV_OK) abort();
  unsigned char *raw2 = NULL;
  size_t n2 = 0;
  if (aev__base64_decode(again, strlen(again), &raw2, &n2) != AEV_OK ||
      n2 != n || memcmp(raw, raw2, n) != 0)
    abort();
  free(raw);
  free(raw2);
  free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  char *text = malloc(size);
  if (!text) return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = 0;
  if (data[0] & 1) {
    base64_round_trip(text, size - 1);
  } else {
    char *resp = NULL;
    const char *service = data[0] & 2 ? "kinesis" : "sqs";
    aev__api_dispatch(table, 2, NULL, service, "ReadAll", text, &resp);
    if (!resp) abort(); /* a response is always set, barring no memory */
    json_t *parsed = json_loads(resp, 0, NULL);
    if (!json_is_object(parsed)) abort();
    json_decref(parsed);
    free(resp);
  }
  free(text);
  return 0;
}
