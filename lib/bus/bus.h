/* Internal: what other primitives use of a bus, below the public API:
 * putting one event that an AWS service emits (Lambda's destination
 * records, "Lambda Function Invocation Result - Success/Failure"), whose
 * "aws."-style source PutEvents would refuse from a user. */
#ifndef AEV_BUS_BUS_H
#define AEV_BUS_BUS_H

#include <stddef.h>

#include "awsevents/bus.h"

/* Envelopes and routes one event on the bus named by name_or_arn: detail
 * is a JSON object of detail_len bytes; resources_json a JSON array of
 * strings or NULL. ResourceNotFoundException when the bus does not exist;
 * id_out (37 bytes, may be NULL) receives the event id. */
int aev__bus_put_service_event(aev_broker *b, const char *name_or_arn,
                               const char *source, const char *detail_type,
                               const char *detail, size_t detail_len,
                               const char *resources_json, char *id_out);

/* Non-zero when a rule or an archive of the bus named by name_or_arn
 * exists, i.e. an event put there could be seen (listening.c). */
int aev__bus_listening(aev_broker *b, const char *name_or_arn);

#endif
