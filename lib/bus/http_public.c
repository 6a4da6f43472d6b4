/* The C API of EventBridge connections and API destinations (bus.h): each
 * function is its aev_call action, with the request as JSON text. */
#include <string.h>

#include "bus/http_impl.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"

/* Runs action on request_json (NULL: {}), answering in *response_json
 * (may be NULL when not wanted). */
static int run(aev_broker *b, aev__api_fn action, const char *request_json,
               char **response_json) {
  if (response_json) *response_json = NULL;
  if (!b)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker is required.");
  json_t *req, *resp = NULL;
  int rc = request_json ? aev__json_parse_str(request_json, 0, &req) : AEV_OK;
  if (!request_json && !(req = json_object())) rc = aev__nomem();
  if (rc == AEV_ERR_INVALID)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The request is not a JSON object.");
  if (rc) return rc;
  if (!json_is_object(req)) {
    json_decref(req);
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The request is not a JSON object.");
  }
  rc = action(b, &aev__api_events, req, &resp);
  json_decref(req);
  if (rc) return rc;
  if (response_json && !(*response_json = aev__json_dumps(resp, JSON_COMPACT))) rc = aev__nomem();
  json_decref(resp);
  return rc;
}

/* Runs action on {"Name": name}. */
static int named(aev_broker *b, aev__api_fn action, const char *name, char **response_json) {
  if (!name) {
    if (response_json) *response_json = NULL;
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value null at 'name' failed to satisfy "
                     "constraint: Member must not be null");
  }
  json_t *req = json_pack("{s:s}", "Name", name);
  char *text = req ? aev__json_dumps(req, JSON_COMPACT) : NULL;
  json_decref(req);
  if (!text) return aev__nomem();
  int rc = run(b, action, text, response_json);
  aev_free(text);
  return rc;
}

int aev_bus_create_connection(aev_broker *b, const char *request_json, char **response_json) {
  return run(b, aev__events_create_connection, request_json, response_json);
}
int aev_bus_update_connection(aev_broker *b, const char *request_json, char **response_json) {
  return run(b, aev__events_update_connection, request_json, response_json);
}
int aev_bus_describe_connection(aev_broker *b, const char *name, char **json_out) {
  return named(b, aev__events_describe_connection, name, json_out);
}
int aev_bus_delete_connection(aev_broker *b, const char *name, char **response_json) {
  return named(b, aev__events_delete_connection, name, response_json);
}
int aev_bus_deauthorize_connection(aev_broker *b, const char *name, char **response_json) {
  return named(b, aev__events_deauthorize_connection, name, response_json);
}
int aev_bus_list_connections(aev_broker *b, const char *request_json, char **json_out) {
  return run(b, aev__events_list_connections, request_json, json_out);
}
int aev_bus_create_api_destination(aev_broker *b, const char *request_json,
                                   char **response_json) {
  return run(b, aev__events_create_api_destination, request_json, response_json);
}
int aev_bus_update_api_destination(aev_broker *b, const char *request_json,
                                   char **response_json) {
  return run(b, aev__events_update_api_destination, request_json, response_json);
}
int aev_bus_describe_api_destination(aev_broker *b, const char *name, char **json_out) {
  return named(b, aev__events_describe_api_destination, name, json_out);
}
int aev_bus_delete_api_destination(aev_broker *b, const char *name) {
  return named(b, aev__events_delete_api_destination, name, NULL);
}
int aev_bus_list_api_destinations(aev_broker *b, const char *request_json, char **json_out) {
  return run(b, aev__events_list_api_destinations, request_json, json_out);
}
