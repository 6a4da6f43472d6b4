/* Internal to lib/function: the aev_call() actions of function URL
 * configurations (url_config.c), of the recursion and runtime management
 * settings (fn_settings.c) and InvokeWithResponseStream
 * (api_invoke_stream.c), and what they borrow from api_lambda.c. */
#ifndef AEV_FUNCTION_API_FNCONF_H
#define AEV_FUNCTION_API_FNCONF_H

#include <jansson.h>

#include "api/api.h"
#include "function/function_impl.h"

/* api_lambda.c: the function FunctionName (and Qualifier) name, checked
 * as every Lambda action checks them; *qualifier is NULL for $LATEST. */
int aev__fn_api_target(aev_broker *b, const aev__api_service *svc, json_t *req,
                       aev_function **out, const char **qualifier, char *buf,
                       size_t size);
/* api_lambda.c: the function Invoke names, as aev__fn_api_target, with
 * Invoke's answer for a missing one ("Function not found: ARN:VERSION",
 * $LATEST when the request named none). */
int aev__fn_api_invoked(aev_broker *b, const aev__api_service *svc, json_t *req,
                        aev_function **out, const char **qualifier, char *buf, size_t size);
/* api_lambda.c: Invoke's Payload, the JSON text as a string (DESIGN §2);
 * a JSON value given directly is accepted too; absent or null is empty.
 * *owned is what the caller frees. */
int aev__fn_api_payload(json_t *req, const char **text, size_t *len, char **owned);
/* api_lambda.c: an optional string member name that must be one of
 * names (NULL-terminated), else InvalidParameterValueException "1
 * validation error detected: Value 'X' at 'member' failed to satisfy
 * constraint: Member must satisfy enum value set: [A, B]", as Invoke
 * refuses its InvocationType. */
int aev__fn_api_enum(const aev__api_service *svc, json_t *req, const char *name,
                     const char *member, const char *const *names, const char **out);
/* api_log_tail.c: LogType's values, and the LogResult of a synchronous
 * run (a new reference; NULL when out of memory). */
extern const char *const aev__fn_log_types[];
json_t *aev__fn_api_log_result(const aev__sync_result *r);
/* The same for the actions that take only the unqualified function. */
int aev__fn_api_function(aev_broker *b, const aev__api_service *svc, json_t *req,
                         aev_function **out);

/* fn_settings.c (mu held): the object f keeps for kind ("urls",
 * "runtime", ...) under f->settings, created empty on first use; NULL
 * when out of memory. */
json_t *aev__fn_settings_locked(aev_function *f, const char *kind);

/* fn_settings.c: an optional string member name that must be one of
 * names (NULL-terminated), else the front end's ValidationException
 * "Value 'X' at 'member' failed to satisfy constraint: Member must
 * satisfy enum value set: [A, B]" (Lambda's, unlike svc's default). */
int aev__fn_enum(const aev__api_service *svc, json_t *req, const char *name,
                 const char *member, const char *const *names, const char **out);

/* fn_settings.c: Marker and MaxItems of a list action that pages by
 * position: *from is the position of the first item to answer (Marker,
 * as the previous page's NextMarker gave it; 0 without), *max the page's
 * size (MaxItems within 1..limit, 50 without); ValidationException or
 * InvalidParameterValueException "Invalid marker: M" otherwise. */
int aev__fn_paging(const aev__api_service *svc, json_t *req, int64_t limit, size_t *from,
                   int64_t *max);

/* fn_settings.c: {member: the page of all (an array, consumed) from
 * position from, at most max items} in *resp, with NextMarker when more
 * remain. */
int aev__fn_page(json_t *all, const char *member, size_t from, int64_t max, json_t **resp);

#define AEV__FN_API_ACTION(name) \
  int name(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp)
AEV__FN_API_ACTION(aev__fn_api_create_url_config);
AEV__FN_API_ACTION(aev__fn_api_get_url_config);
AEV__FN_API_ACTION(aev__fn_api_update_url_config);
AEV__FN_API_ACTION(aev__fn_api_delete_url_config);
AEV__FN_API_ACTION(aev__fn_api_list_url_configs);
AEV__FN_API_ACTION(aev__fn_api_get_recursion_config);
AEV__FN_API_ACTION(aev__fn_api_put_recursion_config);
AEV__FN_API_ACTION(aev__fn_api_get_runtime_management);
AEV__FN_API_ACTION(aev__fn_api_put_runtime_management);
AEV__FN_API_ACTION(aev__fn_api_invoke_stream);
/* api_durable.c */
AEV__FN_API_ACTION(aev__fn_api_checkpoint_durable);
AEV__FN_API_ACTION(aev__fn_api_get_durable);
AEV__FN_API_ACTION(aev__fn_api_get_durable_state);
AEV__FN_API_ACTION(aev__fn_api_get_durable_history);
AEV__FN_API_ACTION(aev__fn_api_stop_durable);
AEV__FN_API_ACTION(aev__fn_api_durable_callback_success);
AEV__FN_API_ACTION(aev__fn_api_durable_callback_failure);
AEV__FN_API_ACTION(aev__fn_api_durable_callback_heartbeat);
AEV__FN_API_ACTION(aev__fn_api_list_durable);

#endif
