/* libFuzzer target for the JSONata parser and evaluator: the input's first
 * line is an expression, the rest (if any) the input document. Compiles,
 * and when that succeeds evaluates with tight depth/time limits; when the
 * fuzz input is valid UTF-8 a result must be valid JSON text. Evaluates
 * again through the jansson entry point Step Functions uses (with its
 * shortcuts), which must agree with the text API: the same value, or the
 * same error, unless a limit (U1001) stopped one of them or the expression
 * may read the clock or random state. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/jsonata.h"
#include "jsonata/jsonata.h"
#include "../support/json_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* strict UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), as jansson reads it back */
static int valid_utf8(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = s[i];
    int extra = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
    if (extra < 0 || i + (size_t)extra >= n + (extra ? 0 : 1)) return 0;
    for (int k = 1; k <= extra; k++)
      if ((s[i + (size_t)k] & 0xC0) != 0x80) return 0;
    uint8_t c1 = extra ? s[i + 1] : 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
      return 0;
    i += (size_t)extra + 1;
  }
  return 1;
}

static const char bindings_text[] = "{\"v\": [1, \"a\", {\"k\": null}], \"s\": {\"x\": {\"y\": 2.0}}}";

/* names whose results differ between two evaluations */
static int nondeterministic(const uint8_t *e, size_t n) {
  static const char *const words[] = {"now", "millis", "random", "uuid"};
  for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
    size_t wl = strlen(words[w]);
    for (size_t i = 0; i + wl <= n; i++)
      if (!memcmp(e + i, words[w], wl)) return 1;
  }
  return 0;
}

/* The text API gave rc/text (text NULL = undefined); the json_t entry point
 * must agree. */
static void compare_json_entry(const aev_jsonata *x, const char *input, int rc, const char *text, const char *code) {
  json_t *in = input ? json_loads(input, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
  if (input && !in) return; /* the text API refused the input: nothing to compare */
  json_t *b = json_loads(bindings_text, 0, NULL), *out = NULL;
  char jcode[8] = "", msg[256];
  int pos;
  int jrc = aev__jsonata_eval_json(x, in, b, &out, jcode, msg, sizeof msg, &pos);
  if (rc == AEV_OK && jrc == AEV_OK) {
    json_t *want = text ? json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
    if (!text != !out) abort();
    if (want && !json_same(want, out)) abort();
    json_decref(want);
  } else if (strcmp(code, "U1001") && strcmp(jcode, "U1001") && (rc != jrc || strcmp(code, jcode))) {
    abort();
  }
  json_decref(out);
  json_decref(b);
  json_decref(in);
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
  /* A 512 MB string (a date picture of width 500000000) is valid, but the
   * text result, its json_loads and the second evaluation hold several
   * copies: past libFuzzer's 2 GB limit. */
  aev_jsonata_set_max_string(x, 1 << 20);
  char *out = NULL;
  int rc = aev_jsonata_evaluate(x, input, bindings_text, &out);
  char code[16] = "";
  if (rc != AEV_OK) snprintf(code, sizeof code, "%s", aev_errcode());
  if (rc == AEV_OK && out && valid_utf8(data, size)) {
    json_error_t je;
    json_t *j = json_loads(out, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    /* The result must be JSON. jansson cannot hold a NUL in an object key
     * even with JSON_ALLOW_NUL, nor an integer beyond 64 bits (a JS number
     * such as 55555555555555560000), so those (valid JSON) are not
     * failures. */
    if (!j && !strstr(je.text, "NUL") && !strstr(je.text, "too big")) abort();
    json_decref(j);
  }
  if (valid_utf8(data, size) && !nondeterministic(data, elen)) compare_json_entry(x, input, rc, out, code);
  aev_free(out);
  free(input);
  aev_jsonata_free(x);
  return 0;
}
