/* libFuzzer target for the TZif reader (lib/scheduler/tz.c): any bytes are
 * read within their bounds; a zone it accepts answers offsets within a day
 * of UTC for any instant, and a wall-clock time it maps to an instant maps
 * back to that wall-clock time, or is reported as skipped. */
#include <stdint.h>
#include <stdlib.h>

#include "scheduler/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aev__tz *tz;
  if (aev__tz_parse(data, size, &tz) != 0) return 0;
  static const int64_t probes[] = {-4102444800LL, 0, 1704067200LL, 1710054000LL,
                                   2145916800LL, 4102444800LL, 7258118400LL};
  for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
    int32_t off = aev__tz_offset(tz, probes[i]);
    if (off <= -7 * 24 * 3600 || off >= 7 * 24 * 3600) abort();
    int64_t utc;
    if (aev__tz_to_utc(tz, probes[i], &utc) && utc + aev__tz_offset(tz, utc) != probes[i])
      abort();
  }
  aev__tz_free(tz);
  return 0;
}
