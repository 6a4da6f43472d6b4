/* libFuzzer target for lib/json's parsers: the first line is a path, an
 * intrinsic call or a payload template, the rest a JSON document it is
 * evaluated on; ResultPath writes must leave the document unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

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
  json_t *ctx = json_pack("{s:{s:s}}", "Execution", "Id", "x"), *vars = json_pack("{s:i}", "v", 1);
  aev__jenv env = {.input = doc, .context = ctx, .vars = vars};
  char err[256];
  aev__jpath *p = NULL;
  if (aev__jpath_compile(text, &p, err, sizeof err) == 0) {
    json_decref(aev__jpath_eval(p, &env));
    if (aev__jpath_is_reference(p)) {
      char *before = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
      json_decref(aev__jpath_put(p, doc, json_integer(1), &env));
      char *after = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
      if (strcmp(before, after)) abort();
      free(before);
      free(after);
    }
    aev__jpath_free(p);
  }
  aev__intrinsic *f = NULL;
  if (aev__intrinsic_compile(text, &f, err, sizeof err) == 0) {
    json_decref(aev__intrinsic_eval(f, &env));
    aev__intrinsic_free(f);
  }
  json_t *tmpl = json_loads(text, 0, NULL);
  aev__tmpl *t = NULL;
  if (tmpl && aev__tmpl_compile(tmpl, &t, err, sizeof err) == 0) {
    json_decref(aev__tmpl_eval(t, &env));
    aev__tmpl_free(t);
  }
  json_decref(tmpl);
  json_decref(doc);
  json_decref(ctx);
  json_decref(vars);
  free(text);
  return 0;
}
