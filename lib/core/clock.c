/* The broker clock: wall-clock or manual epoch milliseconds for timestamps,
 * and a monotonic (or virtual) timeline for deadlines. */
#include <time.h>

#include "awsevents/broker.h"
#include "core/clock.h"

static int64_t read_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t aev__mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void aev__clock_init(aev__clock *c, int mode, int64_t start_ms) {
  c->mode = mode;
  c->manual_ms = start_ms;
}

int64_t aev__clock_now_ms(const aev__clock *c) {
  return c->mode == AEV_CLOCK_MANUAL ? c->manual_ms : read_ms(CLOCK_REALTIME);
}

int64_t aev__clock_mono_ms(const aev__clock *c) {
  return c->mode == AEV_CLOCK_MANUAL ? c->manual_ms : read_ms(CLOCK_MONOTONIC);
}

int64_t aev__clock_mono_to_epoch(const aev__clock *c, int64_t mono_ms) {
  if (c->mode == AEV_CLOCK_MANUAL) return mono_ms;
  return mono_ms - read_ms(CLOCK_MONOTONIC) + read_ms(CLOCK_REALTIME);
}

void aev__clock_set_manual(aev__clock *c, int64_t ms) {
  if (ms > c->manual_ms) c->manual_ms = ms;
}

int aev__civil_date_ok(int y, int mo, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] + (mo == 2 && leap);
}

/* Howard Hinnant's days-from-civil algorithm. */
int64_t aev__civil_days(int y, int mo, int d) {
  int yy = y - (mo <= 2);
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int64_t)era * 146097 + doe - 719468;
}
