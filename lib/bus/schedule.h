/* Internal: schedule expressions, rate() and cron() (lib/bus/schedule.c),
 * shared by EventBridge scheduled rules and EventBridge Scheduler. */
#ifndef AEV_BUS_SCHEDULE_H
#define AEV_BUS_SCHEDULE_H

#include <stdint.h>

typedef struct aev__schedule aev__schedule;

/* Scheduler's rate(): "minute" / "minutes" (hour, day) whatever N is. */
#define AEV__SCHEDULE_EITHER_NUMBER 1

/* "rate(...)" or "cron(...)" as EventBridge rules take them. On failure a
 * ValidationException ("Parameter ScheduleExpression is not valid.") or
 * out of memory. */
int aev__schedule_parse(const char *text, aev__schedule **out);
/* The same with AEV__SCHEDULE_* flags. */
int aev__schedule_parse_flags(const char *text, int flags, aev__schedule **out);
void aev__schedule_free(aev__schedule *s);

/* A rate()'s period in ms, 0 for cron(). */
int64_t aev__schedule_rate_ms(const aev__schedule *s);

/* Next fire time strictly after after_ms (epoch ms), or -1 if none. rate()
 * counts periods from start_ms. cron() reads after_ms's fields as UTC and
 * answers in the same frame, so a caller that passes wall-clock time of
 * some zone as if it were UTC gets that zone's wall-clock answer. */
int64_t aev__schedule_next(const aev__schedule *s, int64_t after_ms,
                           int64_t start_ms);

#endif
