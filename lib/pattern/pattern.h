/* Internal: what other parts of the library use of lib/pattern below its
 * public API (awsevents/pattern.h). */
#ifndef AEV_PATTERN_PATTERN_H
#define AEV_PATTERN_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "awsevents/pattern.h"

/* Non-zero when json (len bytes) is one well-formed JSON object (RFC 8259,
 * surrounding white space allowed) with objects and arrays nested at most
 * max_depth deep, the object itself counting as 1. It runs the event
 * flattener's scanner, which tests 16 bytes of a string at a time, and
 * allocates nothing. */
int aev__pm_json_object_check(const char *json, size_t len, int max_depth);

/* aev_pattern_set_match() for a caller that also needs the event checked:
 * AEV_ERR_INVALID (ValidationException recorded) unless event is one JSON
 * object nested at most max_depth deep (the object counting as 1), and
 * *members receives how many members that object has, so one pass over
 * the event both checks it and matches it. */
int aev__pattern_set_match_event(aev_pattern_set *set, const char *event, size_t len,
                                 int max_depth, size_t *members, uint64_t **ids,
                                 size_t *n);

#endif
