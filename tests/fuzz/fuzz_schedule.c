/* libFuzzer target for schedule expressions: any text through the rate() /
 * cron() parser, as EventBridge rules and as Scheduler (which takes
 * rate(2 minute)) read it; an accepted expression must give next fire
 * times that move strictly forward and land on whole minutes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/common.h"
#include "bus/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  aev__schedule *s;
  for (int flags = 0; flags <= AEV__SCHEDULE_EITHER_NUMBER; flags++) {
    if (aev__schedule_parse_flags(text, flags, &s) != AEV_OK) continue;
    const int64_t start = 1704067200000; /* 2024-01-01T00:00:00Z */
    int64_t t = start;
    for (int i = 0; i < 8 && t >= 0; i++) {
      int64_t n = aev__schedule_next(s, t, start);
      if (n >= 0 && (n <= t || n % 60000)) abort();
      t = n;
    }
    aev__schedule_free(s);
  }
  free(text);
  return 0;
}
