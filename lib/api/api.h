/* Internal: the AWS API layer. aev_call() parses the request, finds the
 * service's action in the dispatch table and calls it; each primitive
 * defines one aev__api_service listing its actions (lib/api/services.c
 * names them all). Helpers read request members and fail with the service's
 * own error names (SQS MissingParameter / InvalidParameterValue, Kinesis
 * InvalidArgumentException, Lambda InvalidParameterValueException, ...). */
#ifndef AEV_API_API_H
#define AEV_API_API_H

#include <jansson.h>
#include <stdint.h>

#include "awsevents/broker.h"

struct aev__api_service;

/* An action: reads req (borrowed), on success stores a new reference in
 * *resp; on failure returns the status from aev__fail(). */
typedef int (*aev__api_fn)(aev_broker *b, const struct aev__api_service *svc,
                           json_t *req, json_t **resp);

typedef struct aev__api_action {
  const char *name;
  aev__api_fn fn;
} aev__api_action;

/* How a service words a validation failure (the member helpers use it).
 * QUERY: SQS and SNS, services that began on AWS's query protocol:
 *   "The request must contain the parameter QueueUrl."
 *   "Value 901 for parameter DelaySeconds is invalid. Reason: Must be
 *    between 0 and 900."
 * JSON: services born on the JSON protocol (Kinesis, Lambda, Step Functions,
 * EventBridge, Firehose), whose front end reports constraint violations as
 *   "1 validation error detected: Value '0' at 'limit' failed to satisfy
 *    constraint: Member must have value greater than or equal to 1" */
#define AEV_API_STYLE_QUERY 0
#define AEV_API_STYLE_JSON 1

typedef struct aev__api_service {
  const char *name;         /* "sqs" */
  const char *missing_code; /* error name for a missing required member */
  const char *invalid_code; /* error name for a member of the wrong type */
  const aev__api_action *actions;
  size_t n_actions;
  int style; /* AEV_API_STYLE_* */
  const char *alias; /* boto3's and the AWS CLI's name where it is not name
                        ("stepfunctions" for "states"), or NULL */
  /* The members whose text may hold U+0000, as paths of member names from
   * the request (array elements skipped, "*" for any one name), ended by
   * NULL; or NULL for none. Their actions read them with their length and
   * answer the service's own error for the character (SQS
   * InvalidMessageContents, ...). aev_call refuses U+0000 in every other
   * string, see aev__api_refuse_nul. */
  const char *const *nul_members;
} aev__api_service;

/* One service per primitive, each defined in its own folder
 * (lib/queue/api_sqs.c, ...). lib/api/services.c lists the ones that have
 * landed; the others are known by name and have no actions yet. */
extern const aev__api_service aev__api_sqs;
extern const aev__api_service aev__api_sns;
extern const aev__api_service aev__api_kinesis;
extern const aev__api_service aev__api_firehose;
extern const aev__api_service aev__api_events;
extern const aev__api_service aev__api_states;
extern const aev__api_service aev__api_lambda;
extern const aev__api_service aev__api_scheduler;
extern const aev__api_service aev__api_pipes;

/* The table aev_call() dispatches through (services.c). */
extern const aev__api_service *const aev__api_services[];
extern const size_t aev__api_n_services;

/* aev_call() over an explicit service table, so tests can dispatch to
 * actions of their own. Same contract as aev_call(). */
int aev__api_dispatch(const aev__api_service *const *services, size_t n,
                      aev_broker *b, const char *service, const char *action,
                      const char *request_json, char **response_json);

/* Requests are parsed with JSON_ALLOW_NUL, so that a member AWS checks
 * character by character answers the service's own error for U+0000
 * rather than SerializationException; but a C string would end at the
 * character. So before the action runs, every string of req (values, not
 * names: jansson refuses U+0000 in those) that holds U+0000 and is not one
 * of svc->nul_members fails with svc->invalid_code naming its member path
 * ("MessageAttributes.a.DataType"). */
int aev__api_refuse_nul(const aev__api_service *svc, json_t *req);

/* Member helpers. A member that is absent or JSON null counts as absent.
 * req_* fail with svc->missing_code when the member is absent; every helper
 * fails with svc->invalid_code when it has the wrong type or is out of
 * range, worded in the service's style. Pointers stored in *out are
 * borrowed from req. opt_* leave *out untouched when the member is absent,
 * so the caller presets the default. */
int aev__api_has(json_t *req, const char *name);

/* A string never holding U+0000: one that does fails as
 * aev__api_refuse_nul fails it, so no caller sees a string cut short. */
int aev__api_req_string(const aev__api_service *svc, json_t *req,
                        const char *name, const char **out);
int aev__api_opt_string(const aev__api_service *svc, json_t *req,
                        const char *name, const char **out);

/* An optional string that must be one of names (NULL-terminated), else
 * "1 validation error detected: Value 'X' at 'PATH' failed to satisfy
 * constraint: Member must satisfy enum value set: [A, B]", PATH being path
 * (a nested member's, "mock.fieldValidationMode") or else name. */
int aev__api_opt_enum(const aev__api_service *svc, json_t *req, const char *name,
                      const char *path, const char *const *names, const char **out);

/* A string with its length in bytes, which may hold U+0000: for the
 * members of svc->nul_members. opt_text leaves *out and *len untouched when
 * the member is absent. */
int aev__api_req_text(const aev__api_service *svc, json_t *req,
                      const char *name, const char **out, size_t *len);
int aev__api_opt_text(const aev__api_service *svc, json_t *req,
                      const char *name, const char **out, size_t *len);

/* An integer within [min, max]. */
int aev__api_req_int(const aev__api_service *svc, json_t *req,
                     const char *name, int64_t min, int64_t max,
                     int64_t *out);
int aev__api_opt_int(const aev__api_service *svc, json_t *req,
                     const char *name, int64_t min, int64_t max,
                     int64_t *out);

/* *out is 1 for true, 0 for false. */
int aev__api_opt_bool(const aev__api_service *svc, json_t *req,
                      const char *name, int *out);

int aev__api_req_object(const aev__api_service *svc, json_t *req,
                        const char *name, json_t **out);
int aev__api_opt_object(const aev__api_service *svc, json_t *req,
                        const char *name, json_t **out);

int aev__api_req_array(const aev__api_service *svc, json_t *req,
                       const char *name, json_t **out);
/* A required array whose elements must all be strings. */
int aev__api_req_strings(const aev__api_service *svc, json_t *req,
                         const char *name, json_t **out);
int aev__api_opt_array(const aev__api_service *svc, json_t *req,
                       const char *name, json_t **out);

/* A blob member: a base64 string (DESIGN §2), decoded into a new buffer
 * (free with free(); NUL-terminated past *len for convenience). opt_blob
 * leaves *out NULL and *len 0 when absent. */
int aev__api_req_blob(const aev__api_service *svc, json_t *req,
                      const char *name, unsigned char **out, size_t *len);
int aev__api_opt_blob(const aev__api_service *svc, json_t *req,
                      const char *name, unsigned char **out, size_t *len);

/* Standard base64 (RFC 4648 §4) with padding. encode: *out is a new
 * NUL-terminated string. decode: *out is a new buffer of *out_len bytes
 * plus a NUL; input must be padded canonical base64 without whitespace,
 * else AEV_ERR_INVALID with a SerializationException. */
int aev__base64_encode(const void *data, size_t len, char **out);
int aev__base64_decode(const char *text, size_t text_len, unsigned char **out,
                       size_t *out_len);

#endif
