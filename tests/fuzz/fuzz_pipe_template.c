/* libFuzzer target for EventBridge Pipes' InputTemplate: the input's first
 * line is a template, the rest an event; any template must render against
 * any JSON event (and a default SQS-like record) without crashing, and a
 * template that starts like JSON renders to a value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipe/pipe_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  size_t tlen = nl ? (size_t)(nl - data) : size;
  char *tmpl = strndup((const char *)data, tlen);
  if (!tmpl) return 0;
  json_t *ev = nl ? json_loadb((const char *)nl + 1, size - tlen - 1, 0, NULL) : NULL;
  if (!ev)
    ev = json_pack("{s:s,s:s,s:s}", "messageId", "m", "body", "{\"a\":[1,{\"b\":\"c\"}]}",
                   "data", "eyJuIjoxfQ==");
  aev__pipe_vars v = {.pipe_arn = "arn:aws:pipes:us-east-1:0:pipe/p", .pipe_name = "p",
                      .source_arn = "arn:aws:sqs:us-east-1:0:q", .target_arn = "t",
                      .ingestion_ms = 1704067200123};
  json_t *out = NULL;
  if (ev && aev__pipe_render(tmpl, ev, &v, &out) == AEV_OK) json_decref(out);
  json_decref(ev);
  free(tmpl);
  return 0;
}
