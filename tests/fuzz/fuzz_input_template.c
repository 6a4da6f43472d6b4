/* libFuzzer target for InputTransformer templates: the input's first line
 * is an InputTemplate, the rest an event; a template that compiles must
 * render against any JSON event without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  size_t tlen = nl ? (size_t)(nl - data) : size;
  json_t *tr = json_pack("{s:s%,s:{s:s,s:s,s:s}}", "InputTemplate", (const char *)data,
                         tlen, "InputPathsMap", "a", "$.detail.a", "b",
                         "$.detail", "c", "$.resources[0]");
  if (!tr) return 0;
  aev__template *t;
  const aev__target_at at = {"targets.1.member"};
  if (aev__template_compile(tr, "t", &at, &t) == AEV_OK) {
    json_t *ev = nl ? json_loadb((const char *)nl + 1, size - tlen - 1, 0, NULL) : NULL;
    if (!ev) ev = json_pack("{s:s,s:{s:i}}", "id", "x", "detail", "a", 1);
    aev__target target = {.rule_arn = "arn:aws:events:us-east-1:0:rule/r",
                          .rule_name = "r"};
    char *out;
    size_t len;
    if (ev && aev__template_render(t, ev, &target, 1704067200123, &out, &len) == AEV_OK)
      free(out);
    json_decref(ev);
    aev__template_free(t);
  }
  json_decref(tr);
  return 0;
}
