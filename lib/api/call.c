/* aev_call(): one AWS API call with JSON in and out. Parses the request,
 * dispatches to the service's action, serializes the response or AWS's
 * error shape {"__type": CODE, "message": TEXT}. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"

/* Serializes an error shape from this thread's last error. Returns NULL
 * only when memory is exhausted. */
static char *error_json(void) {
  const char *code = aev_errcode();
  json_t *err = json_pack("{s:s, s:s}", "__type",
                          code[0] ? code : "InternalFailure", "message",
                          aev_errmsg());
  if (!err)
    return NULL;
  char *text = aev__json_dumps(err, JSON_COMPACT);
  json_decref(err);
  return text;
}

static const aev__api_service *find_service(
    const aev__api_service *const *services, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(services[i]->name, name) == 0 ||
        (services[i]->alias && strcmp(services[i]->alias, name) == 0))
      return services[i];
  return NULL;
}

static const aev__api_action *find_action(const aev__api_service *svc,
                                          const char *name) {
  for (size_t i = 0; i < svc->n_actions; i++)
    if (strcmp(svc->actions[i].name, name) == 0)
      return &svc->actions[i];
  return NULL;
}

/* AWS's JSON front ends answer a body that is not a JSON object with
 * SerializationException before looking at the operation. U+0000 in a
 * string is JSON: the action's service judges it (aev__api_refuse_nul). */
static int parse_request(const char *request_json, json_t **out) {
  if (!request_json || !request_json[0]) {
    *out = json_object();
    return *out ? AEV_OK : aev__nomem();
  }
  json_error_t jerr;
  json_t *req;
  int rc = aev__json_parse(request_json, strlen(request_json),
                           JSON_DECODE_ANY | JSON_ALLOW_NUL, &req, &jerr);
  if (rc == AEV_ERR_INVALID)
    return aev__fail(AEV_ERR_INVALID, "SerializationException",
                     "Could not parse request body into json: %s (line %d, "
                     "column %d)",
                     jerr.text, jerr.line, jerr.column);
  if (rc)
    return rc;
  if (!json_is_object(req)) {
    json_decref(req);
    return aev__fail(AEV_ERR_INVALID, "SerializationException",
                     "Start of list or scalar found where a structure was "
                     "expected: the request must be a JSON object.");
  }
  *out = req;
  return AEV_OK;
}

static int run(const aev__api_service *const *services, size_t n,
               aev_broker *b, const char *service, const char *action,
               const char *request_json, json_t **resp) {
  json_t *req;
  int rc = parse_request(request_json, &req);
  if (rc)
    return rc;
  const aev__api_service *svc =
      service ? find_service(services, n, service) : NULL;
  const aev__api_action *act =
      svc && action ? find_action(svc, action) : NULL;
  if (!svc)
    rc = aev__fail(AEV_ERR_UNSUPPORTED, "UnknownOperationException",
                   "Unknown service %s: the services are sqs, sns, kinesis, "
                   "firehose, events, states (or stepfunctions), lambda, "
                   "scheduler and pipes.",
                   service ? service : "(null)");
  else if (!act)
    rc = aev__fail(AEV_ERR_UNSUPPORTED, "UnknownOperationException",
                   "The operation %s is not supported by the %s service.",
                   action ? action : "(null)", svc->name);
  else if ((rc = aev__api_refuse_nul(svc, req)) == AEV_OK)
    rc = act->fn(b, svc, req, resp);
  json_decref(req);
  return rc;
}

int aev__api_dispatch(const aev__api_service *const *services, size_t n,
                      aev_broker *b, const char *service, const char *action,
                      const char *request_json, char **response_json) {
  if (!response_json)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "aev_call needs somewhere to store the response.");
  json_t *resp = NULL;
  int rc = run(services, n, b, service, action, request_json, &resp);
  if (rc == AEV_OK) {
    *response_json = aev__json_dumps(resp, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(resp);
    if (*response_json)
      return AEV_OK;
    rc = aev__nomem();
  }
  *response_json = error_json();
  return rc;
}

int aev_call(aev_broker *b, const char *service, const char *action,
             const char *request_json, char **response_json) {
  int rc = b ? aev__broker_check_open(b)
             : aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                         "aev_call needs a broker.");
  if (rc) {
    if (response_json)
      *response_json = error_json();
    return rc;
  }
  return aev__api_dispatch(aev__api_services, aev__api_n_services, b,
                           service, action, request_json, response_json);
}
