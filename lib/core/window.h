/* Rolling 24-hour counts of the changes AWS allows a resource only so
 * many times a day. */
#ifndef AEV_CORE_WINDOW_H
#define AEV_CORE_WINDOW_H

#include <stdint.h>

/* How many of times[0..n) (epoch ms, 0 = unused) fall in the 24 hours
 * before now_ms. */
int aev__day_count(const int64_t *times, int n, int64_t now_ms);
/* Notes a change at at_ms in the oldest of the n slots. */
void aev__day_note(int64_t *times, int n, int64_t at_ms);

#endif
