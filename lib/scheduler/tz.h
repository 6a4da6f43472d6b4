/* Internal: IANA time zones read from the system's tz database (TZif files,
 * RFC 8536) with a parser of our own, so that no process-global state
 * (TZ, localtime) is touched: each zone is an immutable object. */
#ifndef AEV_SCHEDULER_TZ_H
#define AEV_SCHEDULER_TZ_H

#include <stddef.h>
#include <stdint.h>

typedef struct aev__tz aev__tz;

/* Where the zone files live (Debian's tzdata). */
#define AEV__TZ_DIR "/usr/share/zoneinfo"

/* Parses one TZif file (version 1 to 4): its transitions and, for instants
 * past the last, the POSIX TZ rule of its footer. AEV_ERR_INVALID (no error
 * recorded) when data is not such a file; AEV_ERR_NOMEM. */
int aev__tz_parse(const unsigned char *data, size_t len, aev__tz **out);

/* Loads zone name ("America/New_York", "UTC") from dir. AEV_ERR_NOT_FOUND
 * (no error recorded) for a name that is not a zone: one with characters
 * outside [A-Za-z0-9_+-/], a "." segment, or no readable TZif file. */
int aev__tz_load(const char *dir, const char *name, aev__tz **out);
void aev__tz_free(aev__tz *tz);

/* Offset from UTC in seconds at instant utc_s (epoch seconds). */
int32_t aev__tz_offset(const aev__tz *tz, int64_t utc_s);

/* The instant at which wall-clock time local_s (epoch seconds read as the
 * zone's local time) happens: when it happens twice (clocks set back) the
 * first; when never (clocks set forward past it) returns 0 and *utc_s is
 * the instant local_s would be with the offset before the change. */
int aev__tz_to_utc(const aev__tz *tz, int64_t local_s, int64_t *utc_s);

#endif
