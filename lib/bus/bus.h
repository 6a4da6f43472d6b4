/* Internal: what other primitives use of a bus, below the public API:
 * putting one event that an AWS service emits (Lambda's destination
 * records, "Lambda Function Invocation Result - Success/Failure"), whose
 * "aws."-style source PutEvents would refuse from a user. */
#ifndef AEV_BUS_BUS_H
#define AEV_BUS_BUS_H

#include <jansson.h>
#include <stddef.h>

#include "awsevents/bus.h"
#include "core/broker.h"

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

/* What the EventBridge connection whose ARN is conn_arn adds to a request
 * (an HTTP Task's, Step Functions' "Merging EventBridge connection and HTTP
 * Task definition data"): *headers, its InvocationHttpParameters' headers
 * and its authorization ({name: value}: Authorization for BASIC and OAuth,
 * the key's own header for API_KEY); *query and *body, its query string and
 * body parameters ({key: value}); all three the caller's. AEV_ERR_NOT_FOUND
 * when no connection has that ARN; AEV_ERR_STATE when it is not AUTHORIZED,
 * *state then its ConnectionState (a static string). Runs no callback. */
int aev__conn_request_parts(aev_broker *b, const char *conn_arn, json_t **headers, json_t **query,
                            json_t **body, const char **state);

/* One invocation of an API destination. */
typedef struct aev__http_outcome {
  int failed, retryable;
  int64_t wait_ms; /* > 0: over the rate limit, try again then */
  int64_t retry_after_ms; /* > 0: the endpoint's Retry-After */
  char code[48];
  char msg[256];
} aev__http_outcome;
/* Sends input (len bytes) to the API destination arn names, as EventBridge
 * builds the request (invoke_http.c): http is the caller's HttpParameters
 * (PathParameterValues, HeaderParameters, QueryStringParameters; NULL:
 * none), merged with the connection's, whose values win; event: the event
 * (parsed) their JSON paths read, or NULL when they hold none; who names
 * the caller in messages (a rule target's Id, a pipe's name). paced: the
 * attempt holds a slot of the rate limit already. answer (may be NULL)
 * receives the endpoint's answer when it was reached (the caller frees it
 * with aev__http_result_free). Runs the endpoint callback: call it on the
 * handler pool, with no lock held. */
void aev__apidest_send(aev_broker *b, const char *arn, json_t *http, const char *who,
                       json_t *event, const char *input, size_t len, int paced,
                       aev__http_outcome *out, aev__http_result *answer);

#endif
