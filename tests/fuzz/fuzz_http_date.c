/* libFuzzer target for the HTTP-date reader of Retry-After
 * (lib/bus/http_date.c): any text is read within its bounds, and a date it
 * accepts is a real one: printed back as an IMF-fixdate and read again, it
 * is the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/http_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  /* 2024-01-01T00:00:00Z, where RFC 850's two-digit years are placed. */
  const int64_t now = 1704067200000;
  int64_t ms;
  if (aev__http_date_parse(s, now, &ms) == 0) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char again[64];
    if (ms % 1000 || !gmtime_r(&t, &tm) ||
        !strftime(again, sizeof again, "%a, %d %b %Y %H:%M:%S GMT", &tm))
      abort();
    int64_t back;
    if (tm.tm_year + 1900 >= 1000 && tm.tm_year + 1900 <= 9999 &&
        (aev__http_date_parse(again, now, &back) != 0 || back != ms))
      abort();
  }
  free(s);
  return 0;
}
