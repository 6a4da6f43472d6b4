/* libFuzzer target for pattern compilation, in all three profiles
 * (EventBridge, SNS MessageAttributes, SNS MessageBody). Input: one profile
 * byte, then the pattern text. A pattern that compiles must behave the same
 * alone and inside a set, against a few fixed events; one that fails must
 * leave an AWS error code and message and no pattern behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const events[] = {
    "{\"source\":\"app\",\"detail\":{\"n\":5,\"s\":\"us-east-1\",\"ip\":\"10.0.0.1\"}}",
    "{\"a\":[{\"b\":1,\"c\":\"x\"},{\"b\":2,\"c\":null}],\"d\":true,\"a.b\":3}",
    ("{\"color\":{\"DataType\":\"String\",\"StringValue\":\"red\"},"
     "\"n\":{\"DataType\":\"Number\",\"StringValue\":\"1.5\"}}"),
    "{}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int profile = data[0] % 3;
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  aev_pattern *p = NULL;
  if (aev_pattern_compile_profile(text, len, profile, &p) != AEV_OK) {
    const char *code = aev_errcode(), *msg = aev_errmsg();
    if (p || !code || !*code || !msg || !*msg) abort();
    return 0;
  }
  aev_pattern_set *set = NULL;
  if (aev_pattern_set_new(profile, &set) != AEV_OK) abort();
  if (aev_pattern_set_add(set, 7, text, len) != AEV_OK) abort();
  for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
    int alone = 0;
    int rc = aev_pattern_matches(p, events[i], strlen(events[i]), &alone);
    uint64_t *ids = NULL;
    size_t n = 0;
    int rc2 = aev_pattern_set_match(set, events[i], strlen(events[i]), &ids, &n);
    if (rc != rc2) abort();
    if (rc == AEV_OK && (size_t)alone != n) abort();
    if (n && ids[0] != 7) abort();
    aev_free(ids);
  }
  if (aev_pattern_set_remove(set, 7) != AEV_OK || aev_pattern_set_count(set) != 0) abort();
  aev_pattern_set_free(set);
  aev_pattern_free(p);
  return 0;
}
