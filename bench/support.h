/* Helpers the bench programs share: allocation that exits on failure, a
 * seeded broker, and the checks every UUID row runs after the clock stops. */
#ifndef AEV_BENCH_SUPPORT_H
#define AEV_BENCH_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "awsevents/broker.h"
#include "core/ids.h"

/* calloc, exiting the program when memory runs out. */
void *bench_calloc(size_t n, size_t size);

/* A broker on the manual clock with no workers and the given seed; exits on
 * failure. */
aev_broker *bench_broker(uint64_t seed);

typedef char bench_uuid[AEV_UUID_LEN + 1];

/* How many of ids[0..n) are lower-case RFC 4122 version-4 UUID strings. */
size_t bench_uuids_valid(bench_uuid *ids, size_t n);

/* How many distinct ids there are; sorts ids. */
size_t bench_uuids_distinct(bench_uuid *ids, size_t n);

#endif
