/* Internal: what other parts of the library use of lib/pattern below its
 * public API (awsevents/pattern.h). */
#ifndef AEV_PATTERN_PATTERN_H
#define AEV_PATTERN_PATTERN_H

#include <stddef.h>

/* Non-zero when json (len bytes) is one well-formed JSON object (RFC 8259,
 * surrounding white space allowed) with objects and arrays nested at most
 * max_depth deep, the object itself counting as 1. It runs the event
 * flattener's scanner, which tests 16 bytes of a string at a time, and
 * allocates nothing. */
int aev__pm_json_object_check(const char *json, size_t len, int max_depth);

#endif
