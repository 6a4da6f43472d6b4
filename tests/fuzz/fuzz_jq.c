/* libFuzzer target for lib/delivery's jq subset (dynamic partitioning's
 * MetadataExtractionQuery): the first line is a query, the rest a JSON
 * document it is evaluated on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/jq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char *nl = strchr(text, '\n');
  const char *rest = nl ? nl + 1 : "{}";
  if (nl) *nl = 0;
  json_t *doc = json_loads(rest, JSON_DECODE_ANY, NULL);
  if (!doc) doc = json_object();
  char err[512];
  aev__jq *q = NULL;
  if (aev__jq_compile(text, &q, err, sizeof err) == 0) {
    json_t *out = NULL;
    if (aev__jq_eval(q, doc, &out, err, sizeof err) == 0) json_decref(out);
    const char *const *keys;
    size_t n;
    aev__jq_object_keys(q, &keys, &n);
    aev__jq_free(q);
  }
  json_decref(doc);
  free(text);
  return 0;
}
