/* libFuzzer target for the JSONata parser and evaluator: the input's first
 * line is an expression, the rest (if any) the input document. Compiles,
 * and when that succeeds evaluates with tight depth/time limits; when the
 * fuzz input is valid UTF-8 a result must be valid JSON text. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/jsonata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_utf8(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n;) {
    int extra = s[i] < 0x80 ? 0 : (s[i] & 0xE0) == 0xC0 ? 1 : (s[i] & 0xF0) == 0xE0 ? 2 : (s[i] & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || i + (size_t)extra >= n + (extra ? 0 : 1)) return 0;
    for (int k = 1; k <= extra; k++)
      if ((s[i + (size_t)k] & 0xC0) != 0x80) return 0;
    i += (size_t)extra + 1;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  size_t elen = nl ? (size_t)(nl - data) : size;
  aev_jsonata *x = NULL;
  if (aev_jsonata_compile((const char *)data, elen, &x) != AEV_OK) return 0;
  char *input = NULL;
  if (nl) {
    size_t ilen = size - elen - 1;
    input = malloc(ilen + 1);
    if (!input) abort();
    memcpy(input, nl + 1, ilen);
    input[ilen] = 0;
  }
  aev_jsonata_set_limits(x, 200, 200);
  char *out = NULL;
  if (aev_jsonata_evaluate(x, input, "{\"v\": [1, \"a\", {\"k\": null}]}", &out) == AEV_OK && out &&
      valid_utf8(data, size)) {
    json_error_t je;
    json_t *j = json_loads(out, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    /* The result must be JSON. jansson cannot hold a NUL in an object key
     * even with JSON_ALLOW_NUL, so a key with \u0000 (valid JSON) is not a
     * failure. */
    if (!j && !strstr(je.text, "NUL")) abort();
    json_decref(j);
  }
  aev_free(out);
  free(input);
  aev_jsonata_free(x);
  return 0;
}
