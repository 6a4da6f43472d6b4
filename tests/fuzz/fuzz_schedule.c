/* libFuzzer target for schedule expressions: any text through the rate() /
 * cron() parser; an accepted expression must give next fire times that
 * move strictly forward and land on whole minutes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  aev__schedule *s;
  if (aev__schedule_parse(text, &s) == AEV_OK) {
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
