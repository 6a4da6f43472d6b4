/* Rolling 24-hour counts for the changes AWS allows a resource only so
 * many times a day (Kinesis' UpdateShardCount, UpdateStreamMode and new
 * keys, Firehose's encryption calls): the times of the last n changes in
 * n slots. */
#include "core/window.h"

#define DAY_MS (24 * 3600 * 1000LL)

int aev__day_count(const int64_t *times, int n, int64_t now_ms) {
  int recent = 0;
  for (int i = 0; i < n; i++)
    recent += times[i] && now_ms - times[i] < DAY_MS;
  return recent;
}

void aev__day_note(int64_t *times, int n, int64_t at_ms) {
  int oldest = 0;
  for (int i = 1; i < n; i++)
    if (times[i] < times[oldest]) oldest = i;
  times[oldest] = at_ms;
}
