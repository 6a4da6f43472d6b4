/* Internal: the broker clock. Timestamps are epoch milliseconds; deadlines
 * are on the clock's own timeline (CLOCK_MONOTONIC ms for a real clock,
 * virtual epoch ms for a manual one) so the wall clock jumping never fires
 * or delays a timer. */
#ifndef AEV_CORE_CLOCK_H
#define AEV_CORE_CLOCK_H

#include <stdint.h>

typedef struct aev__clock {
  int mode;                  /* AEV_CLOCK_REAL or AEV_CLOCK_MANUAL */
  _Atomic int64_t manual_ms; /* manual clock: "now" in epoch ms */
  _Atomic int64_t wall_step_ms; /* real clock: added to the system's wall clock */
} aev__clock;

/* The latest time a manual clock may show: 9999-12-31T23:59:59.999Z, the
 * last instant AWS's ISO 8601 timestamps (four-digit years) can write. */
#define AEV__CLOCK_MAX_MS 253402300799999LL

void aev__clock_init(aev__clock *c, int mode, int64_t start_ms);

/* Epoch milliseconds ("now" for timestamps). */
int64_t aev__clock_now_ms(const aev__clock *c);

/* "Now" on the deadline timeline. */
int64_t aev__clock_mono_ms(const aev__clock *c);

/* Converts a deadline to epoch ms (for aev_broker_next_deadline). */
int64_t aev__clock_mono_to_epoch(const aev__clock *c, int64_t mono_ms);

/* The deadline at which "now" (aev__clock_now_ms) has reached epoch_ms: for
 * timers that fire at a wall-clock instant (a schedule's next time, a Wait
 * state's Timestamp) and check on firing that it has come. */
int64_t aev__clock_epoch_to_mono(const aev__clock *c, int64_t epoch_ms);

/* Real clock only: moves the wall clock by delta_ms (either way), as NTP
 * stepping the system clock would, for tests of what must survive that. */
void aev__clock_step_wall(aev__clock *c, int64_t delta_ms);

/* Manual clock only: sets now (never backwards). */
void aev__clock_set_manual(aev__clock *c, int64_t ms);

/* The proleptic Gregorian calendar, shared by every date reader and writer
 * (HTTP dates, ASL timestamps, JSONata's date functions, time zones). */
/* Days in month mo (1..12) of year y. */
int aev__days_in_month(int64_t y, int mo);
/* Non-zero when y-mo-d is a date (February 29 in leap years only). */
int aev__civil_date_ok(int64_t y, int mo, int d);
/* Days from 1970-01-01 to y-mo-d (negative before 1970). */
int64_t aev__civil_days(int64_t y, int mo, int d);
/* The date of a day counted from 1970-01-01: the inverse of the above. */
void aev__civil_from_days(int64_t days, int64_t *y, int *mo, int *d);
/* ISO-8601 UTC with milliseconds ("2024-01-01T00:00:00.000Z"), as SNS
 * writes Timestamp and Pipes an event's ingestion time. */
void aev__iso_ms(int64_t ms, char out[32]);
/* Strict ISO-8601 with 'T' and a zone ("2016-03-14T01:59:00Z", fractions
 * up to nanoseconds), as ASL timestamps and SNS's ReplayPolicy points take
 * it. -1 when text is not one. The _ns form also gives the nanoseconds
 * within the millisecond. */
int aev__iso8601_parse(const char *text, int64_t *out_ms);
int aev__iso8601_parse_ns(const char *text, int64_t *out_ms, int32_t *sub_ns);

/* Raw CLOCK_MONOTONIC in nanoseconds and milliseconds. */
int64_t aev__mono_ns(void);

#endif
