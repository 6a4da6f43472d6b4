/* Internal: what the primitives use of a broker: its clock, scheduler, id
 * generator, registry, log, and the reference count that handles hold. */
#ifndef AEV_CORE_BROKER_H
#define AEV_CORE_BROKER_H

#include <stdint.h>

#include "awsevents/broker.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/sched.h"

void aev__broker_ref(aev_broker *b);
void aev__broker_unref(aev_broker *b);

/* AEV_OK, or AEV_ERR_CLOSED (with an error recorded) once destroy began. */
int aev__broker_check_open(aev_broker *b);

aev__clock *aev__broker_clock(aev_broker *b);
aev__sched *aev__broker_sched(aev_broker *b);

/* Draws from the broker's seeded generator (thread-safe): a UUID, and a
 * token of len hex digits (aev__token_hex()). */
void aev__broker_uuid(aev_broker *b, char out[AEV_UUID_LEN + 1]);
void aev__broker_token(aev_broker *b, char *out, size_t len);
uint64_t aev__broker_random(aev_broker *b);

/* Held by a request from its check of an account-wide quota until what it
 * asked for counts in that quota's usage (Kinesis's shards and on-demand
 * streams), so that two requests at once never both pass it. Taken before
 * any resource's own lock. */
void aev__broker_quota_lock(aev_broker *b);
void aev__broker_quota_unlock(aev_broker *b);

/* Sends a printf-formatted line to the log callback if level is enabled.
 * Never call it with a lock held. */
void aev__log(aev_broker *b, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
