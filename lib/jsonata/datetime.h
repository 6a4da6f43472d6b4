/* Internal to lib/jsonata: calendar arithmetic and the XPath picture-string
 * formatting/parsing behind $fromMillis/$now/$toMillis. */
#ifndef AEV_JSONATA_DATETIME_H
#define AEV_JSONATA_DATETIME_H

#include <math.h>

#include "jn.h"

/* JavaScript's Date holds ±8.64e15 ms (±100,000,000 days) around the epoch;
 * outside that (or NaN) jsonata-js has only an Invalid Date and throws a
 * RangeError. Times are clamped into that range before integer calendar
 * arithmetic, which would otherwise overflow. A fraction of a millisecond
 * is cut toward zero, as Date's TimeClip does: -2.5 is -2. */
static inline int64_t jn_time_ms(double ms) {
  if (!(ms >= -8.64e15)) return (int64_t)-8.64e15;
  if (ms > 8.64e15) return (int64_t)8.64e15;
  return (int64_t)trunc(ms);
}

jn_val *jn_iso_string(jn_ctx *c, double ms);
int jn_parse_iso(const char *s, size_t n, double *out);
/* picture may be NULL (ISO 8601); timezone like "+0100" or NULL (UTC) */
jn_val *jn_format_datetime(jn_ctx *c, double ms, const jn_val *picture, const jn_val *timezone);
jn_val *jn_parse_datetime(jn_ctx *c, const jn_val *text, const jn_val *picture);

#endif
