/* The "lambda" service of aev_call(): function actions with the shapes
 * boto3 hands its users (Invoke answers {StatusCode, FunctionError,
 * ExecutedVersion, Payload} with Payload the JSON text as a string).
 * Resource policies (AddPermission, ...) are kept and reported as Lambda
 * writes them but not enforced: one account, and handlers run whoever
 * invokes them. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "core/text.h"
#include "function/api_fnconf.h"
#include "function/capacity.h"
#include "function/csc.h"
#include "function/durable.h"
#include "function/function_impl.h"
#include "function/layers.h"

/* Lambda's API reference for FunctionName: 1-170 characters matching this
 * pattern (so ASCII only); anything else is refused before any lookup. */
#define NAME_PATTERN                                                                        \
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?" \
  "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
#define NAME_MAX_LEN 170

/* TagResource's Resource: 1-256 characters matching this pattern. */
#define RESOURCE_PATTERN                                                                 \
  "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"     \
  "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|" \
  "event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|" \
  "capacity-provider:[a-zA-Z0-9-_]+)"
#define RESOURCE_MAX_LEN 256

static int check_function_name(const char *name) {
  size_t n = strlen(name);
  if (n > NAME_MAX_LEN)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                     "constraint: Member must have length less than or equal to %d",
                     name, NAME_MAX_LEN);
  if (!aev__fn_pattern_ok(AEV__FN_PAT_NAME, name))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                     "constraint: Member must satisfy regular expression pattern: " NAME_PATTERN,
                     name);
  return AEV_OK;
}

/* FunctionName in any of Lambda's forms (aev__function_parse_qualified);
 * Qualifier may name the qualifier instead. buf receives the unqualified
 * name or ARN; *qualifier is NULL for $LATEST, else a pointer into buf or
 * req. */
static int name_q(aev_broker *b, const aev__api_service *svc, json_t *req,
                  const char **qualifier, char *buf, size_t size) {
  const char *name, *q = NULL, *derived = NULL;
  int rc = aev__api_req_string(svc, req, "FunctionName", &name);
  if (rc == AEV_OK) rc = check_function_name(name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Qualifier", &q);
  if (rc == AEV_OK) rc = aev__function_parse_qualified(b, name, &derived, buf, size);
  if (rc != AEV_OK) return rc;
  /* Lambda refuses a name whose qualifier differs from Qualifier. */
  if (derived && q && strcmp(q, derived))
    return aev__fn_invalid("The derived qualifier from the function name "
                           "does not match the specified qualifier.");
  if (derived) q = derived;
  *qualifier = q && strcmp(q, "$LATEST") != 0 ? q : NULL;
  return AEV_OK;
}

/* The function FunctionName names (see name_q). */
static int function_q(aev_broker *b, const aev__api_service *svc, json_t *req,
                      aev_function **out, const char **qualifier,
                      char *buf, size_t size) {
  int rc = name_q(b, svc, req, qualifier, buf, size);
  return rc == AEV_OK ? aev__function_find(b, buf, out) : rc;
}

/* Actions on the function itself, which take no qualifier but $LATEST. */
static int function_of(aev_broker *b, const aev__api_service *svc,
                       json_t *req, aev_function **out) {
  char buf[512];
  const char *q;
  int rc = function_q(b, svc, req, out, &q, buf, sizeof buf);
  if (rc != AEV_OK || !q) return rc;
  rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                 "Function not found: %s:%s", aev_function_arn(*out), q);
  aev_function_release(*out);
  return rc;
}

int aev__fn_api_target(aev_broker *b, const aev__api_service *svc, json_t *req,
                       aev_function **out, const char **qualifier, char *buf,
                       size_t size) {
  return function_q(b, svc, req, out, qualifier, buf, size);
}

int aev__fn_api_function(aev_broker *b, const aev__api_service *svc, json_t *req,
                         aev_function **out) {
  return function_of(b, svc, req, out);
}

/* The answer to a CreateFunction or an UpdateFunctionConfiguration says
 * the change is under way, as AWS answers: State Pending (create) or
 * LastUpdateStatus InProgress (update), "The function is being created."
 * (recorded: test_function_lifecycle). Here the change takes no time: the
 * function is Active and its update Successful from the next call on. */
static void under_way(json_t **o, int created) {
  if (created) json_object_del(*o, "LastUpdateStatus");
  aev__fn_put(o, created ? "State" : "LastUpdateStatus",
              json_string(created ? "Pending" : "InProgress"));
  aev__fn_put(o, created ? "StateReason" : "LastUpdateStatusReason",
              json_string("The function is being created."));
  aev__fn_put(o, created ? "StateReasonCode" : "LastUpdateStatusReasonCode",
              json_string("Creating"));
}

/* The request without the members that are not configuration (Code is
 * the package, which a create parses with the configuration). */
static json_t *config_members(json_t *req) {
  json_t *c = json_deep_copy(req);
  json_object_del(c, "FunctionName");
  json_object_del(c, "Publish");
  json_object_del(c, "DeadLetterConfig");
  json_object_del(c, "Tags");
  return c;
}

static int apply_dlq(const aev__api_service *svc, aev_function *f,
                     json_t *req) {
  json_t *d;
  int rc = aev__api_opt_object(svc, req, "DeadLetterConfig", (d = NULL, &d));
  /* Only TargetArn changes it, "" removing it: recorded
   * (test_dead_letter_queue), DeadLetterConfig {} keeps the target. */
  json_t *t = d ? json_object_get(d, "TargetArn") : NULL;
  if (rc != AEV_OK || !t) return rc;
  const char *arn = json_string_value(t);
  return aev_function_set_dead_letter_target(f, arn && *arn ? arn : NULL);
}

/* CreateFunction's answer: $LATEST; with Publish, version 1 (published
 * here), which AWS describes under the function's unqualified ARN
 * (recorded: test_publish_version_on_create, Version "1"). */
static int created(aev_function *f, int publish, json_t **resp) {
  char *text = NULL;
  int rc = publish ? aev__fn_publish(f, NULL, NULL, NULL, &text) : AEV_OK;
  if (rc == AEV_OK && publish) rc = aev__json_parse_str(text, 0, resp);
  else if (rc == AEV_OK) *resp = aev__function_config_json(f);
  free(text);
  if (rc != AEV_OK) return rc;
  if (publish) aev__fn_put(resp, "FunctionArn", json_string(aev_function_arn(f)));
  under_way(resp, 1);
  return *resp ? AEV_OK : aev__nomem();
}

/* The registration a created function runs: Handler, or for an image
 * (which Lambda creates without one) the handler its ImageConfig.Command
 * names first, as the image's runtime interface client reads it. */
static int handler_of(const aev__api_service *svc, json_t *req, const char **handler) {
  json_t *command = json_object_get(json_object_get(req, "ImageConfig"), "Command");
  const char *type = json_string_value(json_object_get(req, "PackageType"));
  *handler = json_string_value(json_array_get(command, 0));
  if (json_object_get(req, "Handler") || !type || strcmp(type, "Image") || !*handler)
    return aev__api_req_string(svc, req, "Handler", handler);
  return AEV_OK;
}

static int create_function(aev_broker *b, const aev__api_service *svc,
                           json_t *req, json_t **resp) {
  const char *name, *handler;
  json_t *tags = NULL;
  int publish = 0;
  int rc = aev__api_req_string(svc, req, "FunctionName", &name);
  if (rc == AEV_OK) rc = handler_of(svc, req, &handler);
  if (rc == AEV_OK) rc = aev__api_opt_bool(svc, req, "Publish", &publish);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Tags", &tags);
  /* Checked before the function exists, so bad tags create nothing. */
  if (rc == AEV_OK && tags) rc = aev__fn_tags_check(tags);
  if (rc != AEV_OK) return rc;
  json_t *conf = config_members(req);
  aev_function *f;
  rc = conf ? aev__fn_create_registered(b, name, handler, conf, &f) : aev__nomem();
  json_decref(conf);
  if (rc != AEV_OK) return rc;
  rc = apply_dlq(svc, f, req);
  if (rc == AEV_OK && tags) rc = aev__fn_tags_put(f, tags);
  if (rc == AEV_OK) rc = created(f, publish, resp);
  if (rc != AEV_OK) aev_function_delete(f);
  aev_function_release(f);
  return rc;
}

/* 1 when the request names $LATEST itself, by Qualifier or by a
 * ":$LATEST" suffix, which AddPermission and DeleteFunction refuse. */
static int names_latest(json_t *req) {
  const char *q = json_string_value(json_object_get(req, "Qualifier"));
  const char *n = json_string_value(json_object_get(req, "FunctionName"));
  size_t len = n ? strlen(n) : 0;
  return (q && strcmp(q, "$LATEST") == 0) ||
         (len > 8 && strcmp(n + len - 8, ":$LATEST") == 0);
}

/* rc; or, for a function that does not exist ("Function not found: ARN"),
 * the answer Lambda gives when the request named a version or alias of it:
 * "Function not found: ARN:QUALIFIER", or for an alias of the provisioned
 * concurrency actions "Cannot find alias arn: ARN:QUALIFIER" (recorded:
 * test_ops_with_arn_qualifier_mismatch, test_notfound_and_invalid_routingconfigs,
 * test_provisioned_concurrency_exceptions, test_function_concurrency_exceptions). */
static int missing_function(int rc, const char *qualifier, int as_alias) {
  const char *msg = aev_errmsg();
  if (rc != AEV_ERR_NOT_FOUND || strncmp(msg, "Function not found: ", 20)) return rc;
  char arn[512];
  snprintf(arn, sizeof arn, "%s", msg + 20);
  if (as_alias)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Cannot find alias arn: %s:%s", arn, qualifier);
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Function not found: %s:%s", arn, qualifier);
}

/* GetFunction and GetFunctionConfiguration name $LATEST in their answer
 * for a missing function when the request named it; DeleteFunction does
 * not. */
static int latest_not_found(int rc, json_t *req) {
  return names_latest(req) ? missing_function(rc, "$LATEST", 0) : rc;
}

/* The configuration GetFunction and GetFunctionConfiguration answer: of
 * $LATEST, of a version or of an alias (aev__fn_config_of). */
static int config_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **conf, aev_function **f) {
  char buf[512];
  const char *q;
  int rc = function_q(b, svc, req, f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return latest_not_found(rc, req);
  rc = aev__fn_config_of(*f, q ? q : names_latest(req) ? "$LATEST" : NULL, conf);
  if (rc != AEV_OK) aev_function_release(*f);
  return rc;
}

static int get_function_configuration(aev_broker *b,
                                      const aev__api_service *svc, json_t *req,
                                      json_t **resp) {
  aev_function *f;
  int rc = config_of(b, svc, req, resp, &f);
  if (rc == AEV_OK) aev_function_release(f);
  return rc;
}

static int get_function(aev_broker *b, const aev__api_service *svc,
                        json_t *req, json_t **resp) {
  aev_function *f;
  json_t *conf;
  int rc = config_of(b, svc, req, &conf, &f);
  if (rc != AEV_OK) return rc;
  /* Code: the package of the version the configuration describes (an
   * alias's own version, without routing). */
  aev__fconf *c;
  rc = aev__fn_conf_of(f, json_string_value(json_object_get(conf, "Version")), &c);
  if (rc != AEV_OK) {
    json_decref(conf);
    aev_function_release(f);
    return rc;
  }
  *resp = json_pack("{soso}", "Configuration", conf, "Code", aev__fn_code_location(f, &c->code));
  aev__fconf_unref(c);
  int reserved = aev_function_reserved_concurrency(f);
  if (reserved >= 0)
    aev__fn_put(resp, "Concurrency",
                json_pack("{si}", "ReservedConcurrentExecutions", reserved));
  json_t *tags = aev__fn_tags_json(f);
  if (!tags || json_object_size(tags)) aev__fn_put(resp, "Tags", tags);
  else json_decref(tags);
  aev_function_release(f);
  return *resp ? AEV_OK : aev__nomem();
}

static int update_function_configuration(aev_broker *b,
                                         const aev__api_service *svc,
                                         json_t *req, json_t **resp) {
  aev_function *f;
  int rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  json_t *conf = config_members(req);
  char *text = conf ? aev__json_dumps(conf, JSON_COMPACT) : NULL;
  json_decref(conf);
  rc = text ? aev_function_update_configuration(f, text) : aev__nomem();
  free(text);
  if (rc == AEV_OK) rc = apply_dlq(svc, f, req);
  if (rc == AEV_OK && (*resp = aev__function_config_json(f))) under_way(resp, 0);
  aev_function_release(f);
  return rc;
}

static int list_functions(aev_broker *b, const aev__api_service *svc,
                          json_t *req, json_t **resp) {
  int64_t max = 50;
  const char *marker = NULL;
  int rc = aev__api_opt_int(svc, req, "MaxItems", 1, 10000, &max);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Marker", &marker);
  aev__resource **list;
  size_t n;
  if (rc == AEV_OK)
    rc = aev__registry_list(b, AEV__KIND_FUNCTION, NULL, &list, &n);
  if (rc != AEV_OK) return rc;
  json_t *fns = json_array();
  *resp = json_object();
  int64_t taken = 0;
  for (size_t i = 0; i < n; i++) {
    if (aev__fn_hidden(list[i]->name)) continue;
    if (marker && strcmp(list[i]->name, marker) <= 0) continue;
    if (taken == max) {
      aev__fn_put(resp, "NextMarker", json_string(list[i - 1]->name));
      break;
    }
    aev__fn_put(&fns, NULL, aev__function_config_json((aev_function *)list[i]));
    taken++;
  }
  aev__registry_list_free(list, n);
  aev__fn_put(resp, "Functions", fns); /* NULL: out of memory */
  return AEV_OK;
}

/* DeleteFunction with a Qualifier deletes that version
 * (aev_function_delete_version): Lambda refuses $LATEST, answers a missing
 * function without the qualifier and a version that does not exist as
 * deleted. An alias's name (any other qualifier) is refused before the
 * function is looked up, in the words LocalStack's provider answers and
 * Floci's measurements of the live service report; no AWS page or recorded
 * answer gives them. */
static int delete_function(aev_broker *b, const aev__api_service *svc,
                           json_t *req, json_t **resp) {
  aev_function *f;
  char buf[512];
  const char *q;
  int rc = name_q(b, svc, req, &q, buf, sizeof buf);
  if (rc == AEV_OK && names_latest(req))
    rc = aev__fn_invalid("$LATEST version cannot be deleted without deleting the function.");
  else if (rc == AEV_OK && q && strspn(q, "0123456789") != strlen(q))
    rc = aev__fn_invalid("Deletion of aliases is not currently supported.");
  if (rc == AEV_OK) rc = aev__function_find(b, buf, &f);
  if (rc != AEV_OK) return rc;
  if (!q) {
    rc = aev_function_delete(f);
  } else {
    const long n = strtol(q, NULL, 10); /* more digits than any version: none */
    rc = n >= 1 && n <= INT_MAX ? aev_function_delete_version(f, (int)n) : AEV_OK;
  }
  aev_function_release(f);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

int aev__fn_api_invoked(aev_broker *b, const aev__api_service *svc, json_t *req,
                        aev_function **out, const char **qualifier, char *buf, size_t size) {
  *qualifier = NULL;
  /* Recorded (test_invoke_exceptions): Invoke names a missing function
   * with the version it would have run, $LATEST when none was given. */
  int rc = function_q(b, svc, req, out, qualifier, buf, size);
  return missing_function(rc, *qualifier ? *qualifier : "$LATEST", 0);
}

int aev__fn_api_payload(json_t *req, const char **text, size_t *len, char **owned) {
  json_t *p = json_object_get(req, "Payload");
  *owned = NULL;
  if (!p || json_is_null(p)) {
    *text = "";
    *len = 0;
    return AEV_OK;
  }
  if (json_is_string(p)) {
    *text = json_string_value(p);
    *len = json_string_length(p);
    return AEV_OK;
  }
  if (!(*owned = aev__json_dumps(p, JSON_COMPACT | JSON_ENCODE_ANY)))
    return aev__nomem();
  *text = *owned;
  *len = strlen(*owned);
  return AEV_OK;
}

int aev__fn_api_enum(const aev__api_service *svc, json_t *req, const char *name,
                     const char *member, const char *const *names, const char **out) {
  int rc = aev__api_opt_string(svc, req, name, out);
  if (rc != AEV_OK) return rc;
  char set[128] = "";
  size_t at = 0;
  for (size_t i = 0; names[i]; i++) {
    if (!strcmp(*out, names[i])) return AEV_OK;
    at += (size_t)snprintf(set + at, sizeof set - at, "%s%s", i ? ", " : "", names[i]);
  }
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy "
                   "constraint: Member must satisfy enum value set: [%s]",
                   *out, member, set);
}

static int invoke(aev_broker *b, const aev__api_service *svc, json_t *req,
                  json_t **resp) {
  static const char *const types[] = {"Event", "RequestResponse", "DryRun", NULL};
  const char *type = "RequestResponse", *log = "None", *payload = "";
  size_t len = 0;
  char *owned = NULL;
  aev_function *f;
  int rc = aev__fn_api_enum(svc, req, "InvocationType", "invocationType", types, &type);
  /* LogType Tail adds LogResult to a RequestResponse's answer. */
  if (rc == AEV_OK) rc = aev__fn_api_enum(svc, req, "LogType", "logType", aev__fn_log_types, &log);
  if (rc != AEV_OK) return rc;
  char buf[512];
  const char *q = NULL;
  if (rc == AEV_OK) rc = aev__fn_api_invoked(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_api_payload(req, &payload, &len, &owned);
  /* A durable function's Invoke starts a durable execution (durable.c),
   * whose Event answer comes at once and RequestResponse's at its close. */
  const char *durable_name = NULL;
  json_t *durable = NULL;
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "DurableExecutionName", &durable_name);
  /* RequestResponse learns it in the invocation itself (no extra lock). */
  int is_durable = rc == AEV_OK && strcmp(type, "DryRun") &&
                   (durable_name || !strcmp(type, "Event")) && aev__fn_durable(f);
  if (rc == AEV_OK && strcmp(type, "DryRun"))
    rc = aev__durable_name_check(durable_name, is_durable);
  if (rc == AEV_OK && is_durable && !strcmp(type, "Event"))
    rc = aev__durable_event(f, q, durable_name, payload, len, &durable);
  if (rc == AEV_OK && durable) {
    *resp = durable;
  } else if (rc == AEV_OK && strcmp(type, "Event") == 0) {
    rc = aev_function_invoke_event_qualified(f, q, payload, len, NULL);
    if (rc == AEV_OK)
      *resp = json_pack("{siss}", "StatusCode", 202, "Payload", "");
  } else if (rc == AEV_OK && strcmp(type, "DryRun") == 0) {
    rc = aev__function_dry_run(f, q, payload, len);
    if (rc == AEV_OK)
      *resp = json_pack("{siss}", "StatusCode", 204, "Payload", "");
  } else if (rc == AEV_OK) {
    aev__sync_result r;
    rc = aev__function_invoke_sync(f, q, durable_name, payload, len, 0, &r);
    if (rc == AEV_OK) {
      /* Lambda's Payload is a blob; here it is text, so a result that is
       * not UTF-8 (a Python runtime passes bytes through) is shown with
       * '?' for each byte that begins no character. */
      json_t *text = json_stringn(r.payload, r.len);
      if (!text) {
        aev__utf8_scrub_n(r.payload, r.len);
        text = json_stringn(r.payload, r.len);
      }
      *resp = json_pack("{sissso}", "StatusCode", 200, "ExecutedVersion",
                        r.executed_version, "Payload", text);
      if (r.function_error) aev__fn_put(resp, "FunctionError", json_string(r.function_error));
      if (r.durable_arn) aev__fn_put(resp, "DurableExecutionArn", json_string(r.durable_arn));
      if (!strcmp(log, "Tail")) aev__fn_put(resp, "LogResult", aev__fn_api_log_result(&r));
      if (!*resp) rc = aev__nomem();
      aev__sync_result_free(&r);
    }
  }
  free(owned);
  aev_function_release(f);
  return rc;
}

/* InvokeAsync (deprecated, still in Lambda's API): an Invoke of
 * InvocationType Event whose Payload is InvokeArgs, so it runs exactly as
 * an asynchronous Invoke does (retries, destinations, dead-letter queue);
 * Lambda answers it {"Status": 202}. */
static int invoke_async(aev_broker *b, const aev__api_service *svc, json_t *req,
                        json_t **resp) {
  json_t *args = json_object_get(req, "InvokeArgs"), *answer = NULL;
  int rc = args && !json_is_null(args)
               ? AEV_OK
               : aev__fail(AEV_ERR_INVALID, "ValidationException",
                           "1 validation error detected: Value null at 'invokeArgs' failed to "
                           "satisfy constraint: Member must not be null");
  /* Only these members: InvokeAsync takes no Qualifier nor InvocationType. */
  json_t *name = json_object_get(req, "FunctionName");
  json_t *event = rc == AEV_OK ? json_object() : NULL;
  if (event && name) aev__fn_put(&event, "FunctionName", json_incref(name));
  if (event) aev__fn_put(&event, "Payload", json_incref(args));
  if (event) aev__fn_put(&event, "InvocationType", json_string("Event"));
  if (rc == AEV_OK) rc = event ? invoke(b, svc, event, &answer) : aev__nomem();
  json_decref(event);
  json_decref(answer);
  if (rc == AEV_OK && !(*resp = json_pack("{si}", "Status", 202))) rc = aev__nomem();
  return rc;
}

static int put_function_concurrency(aev_broker *b, const aev__api_service *svc,
                                    json_t *req, json_t **resp) {
  int64_t n;
  aev_function *f;
  char buf[512];
  const char *q;
  int rc = aev__api_req_int(svc, req, "ReservedConcurrentExecutions", 0,
                            INT32_MAX, &n);
  if (rc == AEV_OK) rc = name_q(b, svc, req, &q, buf, sizeof buf);
  /* Recorded (test_function_concurrency_exceptions): a qualified ARN, even
   * ARN:$LATEST, is refused; a missing function is named with :$LATEST. */
  if (rc == AEV_OK && (q || names_latest(req)))
    rc = aev__fn_invalid("This operation is permitted on Lambda functions only. Aliases and "
                         "versions do not support this operation. Please specify either a "
                         "function name or an unqualified function ARN.");
  if (rc == AEV_OK) rc = missing_function(aev__function_find(b, buf, &f), "$LATEST", 0);
  if (rc != AEV_OK) return rc;
  rc = aev_function_set_reserved_concurrency(f, (int)n);
  if (rc == AEV_OK)
    *resp = json_pack("{sI}", "ReservedConcurrentExecutions", (json_int_t)n);
  aev_function_release(f);
  return rc;
}

static int get_function_concurrency(aev_broker *b, const aev__api_service *svc,
                                    json_t *req, json_t **resp) {
  aev_function *f;
  int rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  int n = aev_function_reserved_concurrency(f);
  *resp = n >= 0 ? json_pack("{si}", "ReservedConcurrentExecutions", n)
                 : json_object();
  aev_function_release(f);
  return AEV_OK;
}

static int delete_function_concurrency(aev_broker *b,
                                       const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  aev_function *f;
  int rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev_function_set_reserved_concurrency(f, -1);
  if (rc == AEV_OK) *resp = json_object();
  aev_function_release(f);
  return rc;
}

/* A page of items (borrowed): those after the one whose member key is
 * marker (NULL: from the first), at most max, as {list: [...]} with
 * NextMarker, the key of the last answered, when more remain. */
static int page(json_t *items, const char *key, const char *marker, int64_t max,
                const char *list, json_t **resp) {
  json_t *kept = json_array(), *item;
  size_t i;
  int past = !marker;
  *resp = json_object();
  json_array_foreach(items, i, item) {
    if (!past) {
      const char *k = json_string_value(json_object_get(item, key));
      past = k && strcmp(k, marker) == 0;
      continue;
    }
    if ((int64_t)json_array_size(kept) == max) {
      json_t *last = json_array_get(kept, json_array_size(kept) - 1);
      aev__fn_put(resp, "NextMarker", json_incref(json_object_get(last, key)));
      break;
    }
    aev__fn_put(&kept, NULL, json_incref(item));
  }
  aev__fn_put(resp, list, kept);
  return *resp ? AEV_OK : aev__nomem();
}

/* The function and version or alias (NULL: $LATEST) an event invoke
 * config action names; Lambda answers "The function doesn't exist." for a
 * function, version or alias that does not (recorded:
 * test_lambda_eventinvokeconfig_exceptions). */
static int econf_target(aev_broker *b, const aev__api_service *svc, json_t *req,
                        aev_function **f, const char **q, char *buf, size_t size) {
  int rc = function_q(b, svc, req, f, q, buf, size);
  if (rc == AEV_OK && *q && (rc = aev__function_check_qualifier(*f, *q)) != AEV_OK)
    aev_function_release(*f);
  if (rc == AEV_ERR_NOT_FOUND && strncmp(aev_errmsg(), "Function not found: ", 20) == 0)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "The function doesn't exist.");
  return rc;
}

static int event_invoke_config(aev_broker *b, const aev__api_service *svc,
                               json_t *req, json_t **resp, int update) {
  /* The front end's (recorded: put_functionname_nootherargs). */
  if (!update && !json_object_get(req, "MaximumRetryAttempts") &&
      !json_object_get(req, "MaximumEventAgeInSeconds") &&
      !json_object_get(req, "DestinationConfig"))
    return aev__fn_invalid("You must specify at least one of error handling or destination setting.");
  aev_function *f;
  const char *q;
  char buf[512];
  int rc = econf_target(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  json_t *conf = json_deep_copy(req);
  json_object_del(conf, "FunctionName");
  json_object_del(conf, "Qualifier");
  rc = conf ? aev__econf_put(f, q, conf, update) : aev__nomem();
  json_decref(conf);
  if (rc == AEV_OK && !(*resp = aev__econf_json(f, q))) rc = aev__nomem();
  aev_function_release(f);
  return rc;
}

static int put_function_event_invoke_config(aev_broker *b,
                                            const aev__api_service *svc,
                                            json_t *req, json_t **resp) {
  return event_invoke_config(b, svc, req, resp, 0);
}

static int update_function_event_invoke_config(aev_broker *b,
                                               const aev__api_service *svc,
                                               json_t *req, json_t **resp) {
  return event_invoke_config(b, svc, req, resp, 1);
}

/* Lambda answers a function, version or alias that does not exist as one
 * without a configuration, named ARN:QUALIFIER (ARN:$LATEST without). */
static int no_event_invoke_config(aev_broker *b, const char *name,
                                  const char *q) {
  int arn = strncmp(name, "arn:", 4) == 0;
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "The function %s%s%s%s%s%s:%s doesn't have an EventInvokeConfig",
                   arn ? "" : "arn:aws:lambda:", arn ? "" : aev_broker_region(b),
                   arn ? "" : ":", arn ? "" : aev_broker_account(b),
                   arn ? "" : ":function:", name, q ? q : "$LATEST");
}

/* The function and qualifier of Get and Delete, which answer a missing
 * one as one without a configuration (recorded: get_function_doesnotexist,
 * get_qualifier_doesnotexist, delete_function_doesnotexist). */
static int econf_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                    aev_function **f, const char **q, char *buf, size_t size) {
  int rc = name_q(b, svc, req, q, buf, size);
  if (rc == AEV_OK) rc = aev__function_find(b, buf, f);
  if (rc == AEV_OK && *q && (rc = aev__function_check_qualifier(*f, *q)) != AEV_OK)
    aev_function_release(*f);
  return rc == AEV_ERR_NOT_FOUND && strncmp(aev_errmsg(), "Function not found: ", 20) == 0
             ? no_event_invoke_config(b, buf, *q)
             : rc;
}

static int get_function_event_invoke_config(aev_broker *b,
                                            const aev__api_service *svc,
                                            json_t *req, json_t **resp) {
  aev_function *f;
  char buf[512];
  const char *q;
  int rc = econf_of(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  if (!(*resp = aev__econf_json(f, q))) rc = no_event_invoke_config(b, buf, q);
  aev_function_release(f);
  return rc;
}

static int delete_function_event_invoke_config(aev_broker *b,
                                               const aev__api_service *svc,
                                               json_t *req, json_t **resp) {
  aev_function *f;
  char buf[512];
  const char *q;
  int rc = econf_of(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__econf_delete(f, q);
  if (rc == AEV_OK) *resp = json_object();
  aev_function_release(f);
  return rc;
}

static int list_function_event_invoke_configs(aev_broker *b,
                                              const aev__api_service *svc,
                                              json_t *req, json_t **resp) {
  aev_function *f;
  const char *q;
  char buf[512];
  const char *marker = NULL;
  int64_t max = 50;
  json_t *all = NULL;
  int rc = aev__api_opt_string(svc, req, "Marker", &marker);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "MaxItems", 1, 50, &max);
  if (rc == AEV_OK) rc = econf_target(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__econf_list(f, &all);
  aev_function_release(f);
  /* MaxItems and Marker page (recorded: the test pages 1 then the rest). */
  if (rc == AEV_OK)
    rc = page(json_object_get(all, "FunctionEventInvokeConfigs"), "FunctionArn", marker, max,
              "FunctionEventInvokeConfigs", resp);
  json_decref(all);
  return rc;
}

/* ---- versions and aliases ---- */

static int json_result(int rc, char *text, json_t **resp) {
  if (rc == AEV_OK) rc = aev__json_parse_str(text, 0, resp);
  free(text);
  return rc;
}

static int update_function_code(aev_broker *b, const aev__api_service *svc,
                                json_t *req, json_t **resp) {
  aev_function *f;
  int rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  char *out = NULL;
  rc = aev__fn_update_code(f, req, &out);
  aev_function_release(f);
  rc = json_result(rc, out, resp);
  /* With Publish, Lambda answers the new version as being created
   * (recorded: test_publish_with_update, update_function_code_result); a
   * DryRun starts nothing. */
  if (rc == AEV_OK && !json_is_true(json_object_get(req, "DryRun")))
    under_way(resp, json_is_true(json_object_get(req, "Publish")));
  return rc == AEV_OK && !*resp ? aev__nomem() : rc;
}

static int publish_version(aev_broker *b, const aev__api_service *svc,
                           json_t *req, json_t **resp) {
  aev_function *f;
  const char *d = NULL, *revision = NULL;
  char *out = NULL;
  const char *sha = NULL;
  int rc = aev__api_opt_string(svc, req, "Description", &d);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RevisionId", &revision);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "CodeSha256", &sha);
  if (rc == AEV_OK) rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_publish(f, d, revision, sha, &out);
  aev_function_release(f);
  return json_result(rc, out, resp);
}

static int list_versions_by_function(aev_broker *b,
                                     const aev__api_service *svc, json_t *req,
                                     json_t **resp) {
  aev_function *f;
  char *out = NULL;
  int rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev_function_list_versions(f, &out);
  aev_function_release(f);
  return json_result(rc, out, resp);
}

/* A weight as Java's Double.toString prints it in AWS's messages: "2.0",
 * "-1.0", "0.5". */
static void java_double(double v, char *out, size_t size) {
  for (int p = 1; p <= 17; p++) {
    snprintf(out, size, "%.*g", p, v);
    if (strtod(out, NULL) == v) break;
  }
  if (!strpbrk(out, ".eEn")) snprintf(out + strlen(out), size - strlen(out), ".0");
}

#define WEIGHTS_MEMBER "routingConfig.additionalVersionWeights"

/* AdditionalVersionWeights as Lambda's front end checks it, before the
 * function is looked up: keys are version numbers, values weights within
 * 0.0..1.0, and the message shows the map as Java prints it, "{2=2.0}"
 * (recorded: test_notfound_and_invalid_routingconfigs). The rest (one
 * entry, published versions) is the alias's to judge. */
static int weights_check(json_t *w) {
  int keys_ok = 1, values_ok = 1;
  char shown[512] = "{", num[32];
  const char *k;
  json_t *v;
  json_object_foreach(w, k, v) {
    size_t n = strlen(k), used = strlen(shown);
    keys_ok &= n >= 1 && n <= 1024 && strspn(k, "0123456789") == n;
    values_ok &= json_is_number(v) && json_number_value(v) >= 0 &&
                 json_number_value(v) <= 1;
    if (json_is_number(v)) java_double(json_number_value(v), num, sizeof num);
    else snprintf(num, sizeof num, "null");
    snprintf(shown + used, sizeof shown - used, "%s%s=%s", used > 1 ? ", " : "", k, num);
  }
  snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "}");
  if (!keys_ok)
    return aev__fail_validation(shown, WEIGHTS_MEMBER,
                                "Map keys must satisfy constraint: [Member must have length "
                                "less than or equal to 1024, Member must have length greater "
                                "than or equal to 1, Member must satisfy regular expression "
                                "pattern: [0-9]+, Member must not be null]");
  if (!values_ok)
    return aev__fail_validation(shown, WEIGHTS_MEMBER,
                                "Map value must satisfy constraint: [Member must have value "
                                "less than or equal to 1.0, Member must have value greater "
                                "than or equal to 0.0, Member must not be null]");
  return AEV_OK;
}

/* RoutingConfig member as text (NULL when absent). */
static int routing_of(const aev__api_service *svc, json_t *req, char **out) {
  json_t *r = NULL;
  *out = NULL;
  int rc = aev__api_opt_object(svc, req, "RoutingConfig", &r);
  json_t *w = r ? json_object_get(r, "AdditionalVersionWeights") : NULL;
  if (rc == AEV_OK && json_is_object(w)) rc = weights_check(w);
  if (rc == AEV_OK && r && !(*out = aev__json_dumps(r, JSON_COMPACT)))
    rc = aev__nomem();
  return rc;
}

static int create_alias(aev_broker *b, const aev__api_service *svc,
                        json_t *req, json_t **resp) {
  const char *name, *version, *d = NULL;
  char *routing = NULL, *out = NULL;
  aev_function *f;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "FunctionVersion", &version);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Description", &d);
  if (rc == AEV_OK) rc = routing_of(svc, req, &routing);
  /* A missing function is named with the version the alias was to point to. */
  if (rc == AEV_OK) rc = missing_function(function_of(b, svc, req, &f), version, 0);
  if (rc == AEV_OK) {
    rc = aev_function_create_alias(f, name, version, d, routing, &out);
    aev_function_release(f);
  }
  free(routing);
  return json_result(rc, out, resp);
}

static int update_alias(aev_broker *b, const aev__api_service *svc,
                        json_t *req, json_t **resp) {
  const char *name, *version = NULL, *revision = NULL, *d = NULL;
  char *routing = NULL, *out = NULL;
  aev_function *f;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "FunctionVersion", &version);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Description", &d);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RevisionId", &revision);
  if (rc == AEV_OK) rc = routing_of(svc, req, &routing);
  if (rc == AEV_OK) rc = function_of(b, svc, req, &f);
  if (rc == AEV_OK) {
    rc = aev__fn_update_alias(f, name, version, d, routing, revision, &out);
    aev_function_release(f);
  }
  free(routing);
  return json_result(rc, out, resp);
}

static int get_alias(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp) {
  const char *name;
  char *out = NULL;
  aev_function *f;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev_function_get_alias(f, name, &out);
  aev_function_release(f);
  return json_result(rc, out, resp);
}

static int delete_alias(aev_broker *b, const aev__api_service *svc,
                        json_t *req, json_t **resp) {
  const char *name;
  aev_function *f;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev_function_delete_alias(f, name);
  aev_function_release(f);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

/* ListAliases' FunctionVersion keeps the aliases that point to it;
 * MaxItems and Marker page through the rest (recorded:
 * test_alias_lifecycle pages one at a time and lists version 1's). */
static int list_aliases(aev_broker *b, const aev__api_service *svc,
                        json_t *req, json_t **resp) {
  aev_function *f;
  char *out = NULL;
  const char *version = NULL, *marker = NULL;
  int64_t max = 50;
  int rc = aev__api_opt_string(svc, req, "FunctionVersion", &version);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Marker", &marker);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "MaxItems", 1, 10000, &max);
  if (rc == AEV_OK) rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev_function_list_aliases(f, &out);
  aev_function_release(f);
  json_t *all;
  if ((rc = json_result(rc, out, &all)) != AEV_OK) return rc;
  json_t *aliases = json_object_get(all, "Aliases");
  size_t i = json_array_size(aliases);
  while (version && i-- > 0) {
    const char *v = json_string_value(json_object_get(json_array_get(aliases, i), "FunctionVersion"));
    if (!v || strcmp(v, version)) json_array_remove(aliases, i);
  }
  rc = page(aliases, "Name", marker, max, "Aliases", resp);
  json_decref(all);
  return rc;
}

/* Mapping actions hand the request text to the typed API, which reads
 * AWS's member names itself. */

/* Tags given to a new mapping: checked before it is made, set after; a
 * mapping whose tags cannot be kept is deleted again. */
static int tag_new_mapping(aev_broker *b, json_t *tags, json_t *created) {
  const char *uuid = json_string_value(json_object_get(created, "UUID"));
  int rc = uuid ? aev__esm_tags_put(b, uuid, tags) : aev__nomem();
  if (rc != AEV_OK && uuid) {
    char *gone = NULL;
    aev_event_source_mapping_delete(b, uuid, &gone);
    aev_free(gone);
  }
  return rc;
}

static int create_event_source_mapping(aev_broker *b,
                                       const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  const char *s;
  json_t *tags = NULL;
  int rc = aev__api_req_string(svc, req, "EventSourceArn", &s);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "FunctionName", &s);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Tags", &tags);
  if (rc == AEV_OK && tags) rc = aev__fn_tags_check(tags);
  char *text = rc == AEV_OK ? aev__json_dumps(req, JSON_COMPACT) : NULL;
  char *out = NULL;
  if (rc == AEV_OK)
    rc = text ? aev_event_source_mapping_create(b, text, &out) : aev__nomem();
  free(text);
  rc = json_result(rc, out, resp);
  if (rc == AEV_OK && tags && (rc = tag_new_mapping(b, tags, *resp)) != AEV_OK) {
    json_decref(*resp);
    *resp = NULL;
  }
  return rc;
}

static int update_event_source_mapping(aev_broker *b,
                                       const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  const char *uuid;
  int rc = aev__api_req_string(svc, req, "UUID", &uuid);
  char *text = rc == AEV_OK ? aev__json_dumps(req, JSON_COMPACT) : NULL;
  char *out = NULL;
  if (rc == AEV_OK)
    rc = text ? aev_event_source_mapping_update(b, text, &out) : aev__nomem();
  free(text);
  return json_result(rc, out, resp);
}

static int get_event_source_mapping(aev_broker *b, const aev__api_service *svc,
                                    json_t *req, json_t **resp) {
  const char *uuid;
  char *out = NULL;
  int rc = aev__api_req_string(svc, req, "UUID", &uuid);
  if (rc == AEV_OK) rc = aev_event_source_mapping_get(b, uuid, &out);
  return json_result(rc, out, resp);
}

static int delete_event_source_mapping(aev_broker *b,
                                       const aev__api_service *svc,
                                       json_t *req, json_t **resp) {
  const char *uuid;
  char *out = NULL;
  int rc = aev__api_req_string(svc, req, "UUID", &uuid);
  if (rc == AEV_OK) rc = aev_event_source_mapping_delete(b, uuid, &out);
  return json_result(rc, out, resp);
}

static int get_account_settings(aev_broker *b, const aev__api_service *svc,
                                json_t *req, json_t **resp) {
  (void)svc;
  (void)req;
  char *out = NULL;
  int rc = aev_function_account_settings(b, &out);
  return json_result(rc, out, resp);
}

/* The function and Qualifier of the provisioned concurrency actions
 * ($LATEST when none, which they refuse). A missing function is answered
 * by the version or alias named (recorded:
 * test_provisioned_concurrency_exceptions): "Function not found: ARN:1",
 * "Cannot find alias arn: ARN:NAME". */
static int provisioned_of(aev_broker *b, const aev__api_service *svc,
                          json_t *req, aev_function **f, const char **q,
                          char *buf, size_t size) {
  *q = NULL;
  int rc = name_q(b, svc, req, q, buf, size);
  if (rc == AEV_OK) rc = aev__function_find(b, buf, f);
  if (*q) rc = missing_function(rc, *q, strspn(*q, "0123456789") != strlen(*q));
  if (rc == AEV_OK && !*q) *q = "$LATEST";
  return rc;
}

static int put_provisioned_concurrency_config(aev_broker *b,
                                             const aev__api_service *svc,
                                             json_t *req, json_t **resp) {
  aev_function *f;
  const char *q;
  char buf[512], *out = NULL;
  int64_t n;
  int rc = aev__api_req_int(svc, req, "ProvisionedConcurrentExecutions", INT32_MIN,
                            INT32_MAX, &n);
  /* The front end's ValidationException, before the function is looked up. */
  if (rc == AEV_OK) rc = aev__fn_range("provisionedConcurrentExecutions", n, 1, INT32_MAX);
  if (rc == AEV_OK) rc = provisioned_of(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev_function_put_provisioned_concurrency(f, q, (int)n);
  if (rc == AEV_OK) rc = aev_function_provisioned_concurrency(f, q, &out);
  aev_function_release(f);
  return json_result(rc, out, resp);
}

static int get_provisioned_concurrency_config(aev_broker *b,
                                             const aev__api_service *svc,
                                             json_t *req, json_t **resp) {
  aev_function *f;
  const char *q;
  char buf[512], *out = NULL;
  int rc = provisioned_of(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev_function_provisioned_concurrency(f, q, &out);
  aev_function_release(f);
  return json_result(rc, out, resp);
}

static int delete_provisioned_concurrency_config(aev_broker *b,
                                                 const aev__api_service *svc,
                                                 json_t *req, json_t **resp) {
  aev_function *f;
  const char *q;
  char buf[512];
  int rc = provisioned_of(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev_function_delete_provisioned_concurrency(f, q);
  if (rc == AEV_OK) *resp = json_object();
  aev_function_release(f);
  return rc;
}

static int list_provisioned_concurrency_configs(aev_broker *b,
                                                const aev__api_service *svc,
                                                json_t *req, json_t **resp) {
  aev_function *f;
  int rc = function_of(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_provisioned_list(f, resp);
  aev_function_release(f);
  return rc;
}

static int list_event_source_mappings(aev_broker *b,
                                      const aev__api_service *svc,
                                      json_t *req, json_t **resp) {
  const char *fn = NULL, *arn = NULL;
  char *out = NULL;
  int rc = aev__api_opt_string(svc, req, "FunctionName", &fn);
  /* Only a filter (no such function may exist any more), but checked as
   * Lambda's front end checks every FunctionName. */
  if (rc == AEV_OK && fn) rc = check_function_name(fn);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "EventSourceArn", &arn);
  if (rc == AEV_OK) rc = aev_event_source_mapping_list(b, fn, arn, &out);
  return json_result(rc, out, resp);
}

/* ---- resource policies (recorded, not enforced) and tags ---- */

static int permission_of(const aev__api_service *svc, json_t *req,
                         aev__permission *p) {
  *p = (aev__permission){0};
  int rc = aev__api_req_string(svc, req, "StatementId", &p->sid);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Action", &p->action);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Principal", &p->principal);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "SourceArn", &p->source_arn);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "SourceAccount", &p->source_account);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "EventSourceToken", &p->event_source_token);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "PrincipalOrgID", &p->org_id);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "FunctionUrlAuthType", &p->url_auth_type);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RevisionId", &p->revision);
  return rc;
}

/* The Qualifier of the permission actions against the member's pattern
 * in Lambda's API model, before the function is looked up (recorded:
 * test_permission_exceptions, add_permission_fn_qualifier_invalid; that
 * 2023 answer quotes the older pattern "(|[a-zA-Z0-9$_-]+)"). */
static int qualifier_check(json_t *req) {
  const char *q = json_string_value(json_object_get(req, "Qualifier"));
  size_t n = q ? strlen(q) : 0;
  if (!q || (n >= 1 && n <= 128 &&
             (strcmp(q, "$LATEST.PUBLISHED") == 0 ||
              strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_$") == n)))
    return AEV_OK;
  return aev__fail_validation(q, "qualifier",
                              "Member must satisfy regular expression pattern: "
                              "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+");
}

static int add_permission(aev_broker *b, const aev__api_service *svc,
                          json_t *req, json_t **resp) {
  aev__permission perm;
  int rc = permission_of(svc, req, &perm);
  if (rc == AEV_OK) rc = aev__permission_check(&perm);
  if (rc == AEV_OK) rc = qualifier_check(req);
  if (rc == AEV_OK && names_latest(req))
    rc = aev__fn_invalid("We currently do not support adding policies for $LATEST.");
  aev_function *f;
  const char *q;
  char buf[512];
  if (rc == AEV_OK) rc = function_q(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__policy_add(f, q, &perm, resp);
  aev_function_release(f);
  return rc;
}

static int remove_permission(aev_broker *b, const aev__api_service *svc,
                             json_t *req, json_t **resp) {
  const char *sid, *revision = NULL, *q;
  aev_function *f;
  char buf[512];
  int rc = aev__api_req_string(svc, req, "StatementId", &sid);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RevisionId", &revision);
  if (rc == AEV_OK) rc = qualifier_check(req);
  if (rc == AEV_OK) rc = function_q(b, svc, req, &f, &q, buf, sizeof buf);
  /* Recorded (test_permission_exceptions, remove_permission_fn_doesnotexist). */
  if (rc == AEV_ERR_NOT_FOUND && strncmp(aev_errmsg(), "Function not found: ", 20) == 0) {
    char arn[512];
    snprintf(arn, sizeof arn, "%s", aev_errmsg() + 20);
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "No policy found for: %s", arn);
  }
  if (rc != AEV_OK) return rc;
  rc = aev__policy_remove(f, q, sid, revision);
  aev_function_release(f);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int get_policy(aev_broker *b, const aev__api_service *svc, json_t *req,
                      json_t **resp) {
  aev_function *f;
  const char *q;
  char buf[512];
  int rc = function_q(b, svc, req, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__policy_get(f, q, resp);
  aev_function_release(f);
  return rc;
}

/* What a tagging action's Resource names, checked to exist: an
 * unqualified function (f; Lambda keeps no tags on versions and aliases),
 * an event-source mapping (uuid), a code signing configuration (csc) or a
 * capacity provider (cap). */
typedef struct tag_target {
  aev_function *f;
  const char *uuid, *csc, *cap;
} tag_target;

static int tagged(aev_broker *b, const aev__api_service *svc, json_t *req, tag_target *t) {
  const char *arn, *esm;
  *t = (tag_target){0};
  int rc = aev__api_req_string(svc, req, "Resource", &arn);
  if (rc != AEV_OK) return rc;
  if (strlen(arn) > RESOURCE_MAX_LEN)
    return aev__fail_validation(arn, "resource",
                                "Member must have length less than or equal to 256");
  if (!aev__fn_pattern_ok(AEV__FN_PAT_RESOURCE, arn))
    return aev__fail_validation(arn, "resource",
                                "Member must satisfy regular expression pattern: " RESOURCE_PATTERN);
  if ((esm = strstr(arn, ":event-source-mapping:"))) {
    char *out = NULL;
    t->uuid = esm + strlen(":event-source-mapping:");
    rc = aev_event_source_mapping_get(b, t->uuid, &out);
    aev_free(out);
    return rc;
  }
  if (strstr(arn, ":capacity-provider:")) {
    json_t *cp = NULL;
    t->cap = arn;
    rc = aev__cap_get(b, arn, &cp);
    json_decref(cp);
    return rc;
  }
  if (strstr(arn, ":code-signing-config:")) {
    json_t *conf = NULL;
    t->csc = arn;
    rc = aev__csc_get(b, arn, &conf);
    json_decref(conf);
    return rc;
  }
  if (strchr(strstr(arn, ":function:") + 10, ':'))
    return aev__fn_invalid("Tags on function aliases and versions are not "
                           "supported. Please specify a function ARN.");
  return aev__function_find(b, arn, &t->f);
}

static int tag_resource(aev_broker *b, const aev__api_service *svc,
                        json_t *req, json_t **resp) {
  tag_target t;
  json_t *tags;
  int rc = aev__api_req_object(svc, req, "Tags", &tags);
  if (rc == AEV_OK) rc = tagged(b, svc, req, &t);
  /* Recorded (test_tag_exceptions, tag_empty_tags). */
  if (rc == AEV_OK && json_object_size(tags) == 0) {
    aev_function_release(t.f);
    rc = aev__fn_invalid("An error occurred and the request cannot be processed.");
  }
  if (rc != AEV_OK) return rc;
  rc = t.f     ? aev__fn_tags_put(t.f, tags)
       : t.csc ? aev__csc_tags_put(b, t.csc, tags)
       : t.cap ? aev__cap_tags_put(b, t.cap, tags)
               : aev__esm_tags_put(b, t.uuid, tags);
  aev_function_release(t.f);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int untag_resource(aev_broker *b, const aev__api_service *svc,
                          json_t *req, json_t **resp) {
  tag_target t;
  json_t *keys = json_object_get(req, "TagKeys");
  /* An empty list never reaches Lambda: its REST API receives TagKeys in
   * the query string, so the front end sees none (recorded:
   * test_tag_exceptions, untag_empty_keys). */
  int rc = !keys || (json_is_array(keys) && json_array_size(keys) == 0)
               ? aev__fail(AEV_ERR_INVALID, "ValidationException",
                           "1 validation error detected: Value null at 'tagKeys' failed to "
                           "satisfy constraint: Member must not be null")
               : aev__api_req_array(svc, req, "TagKeys", &keys);
  if (rc == AEV_OK) rc = tagged(b, svc, req, &t);
  if (rc != AEV_OK) return rc;
  rc = t.f     ? aev__fn_tags_remove(t.f, keys)
       : t.csc ? aev__csc_tags_remove(b, t.csc, keys)
       : t.cap ? aev__cap_tags_remove(b, t.cap, keys)
               : aev__esm_tags_remove(b, t.uuid, keys);
  aev_function_release(t.f);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int list_tags(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp) {
  tag_target t;
  int rc = tagged(b, svc, req, &t);
  if (rc == AEV_OK && t.f) rc = aev__fn_check(t.f);
  json_t *tags = rc != AEV_OK ? NULL
                 : t.f        ? aev__fn_tags_json(t.f)
                 : t.csc      ? aev__csc_tags_get(b, t.csc)
                 : t.cap      ? aev__cap_tags_get(b, t.cap)
                              : aev__esm_tags_get(b, t.uuid);
  aev_function_release(t.f);
  if (rc != AEV_OK) return rc;
  if (!tags || !(*resp = json_pack("{so}", "Tags", tags))) return aev__nomem();
  return AEV_OK;
}

static const aev__api_action actions[] = {
    {"AddLayerVersionPermission", aev__api_add_layer_version_permission},
    {"AddPermission", add_permission},
    {"CheckpointDurableExecution", aev__fn_api_checkpoint_durable},
    {"CreateAlias", create_alias},
    {"CreateCapacityProvider", aev__fn_api_create_capacity_provider},
    {"CreateCodeSigningConfig", aev__fn_api_create_csc},
    {"CreateEventSourceMapping", create_event_source_mapping},
    {"CreateFunction", create_function},
    {"CreateFunctionUrlConfig", aev__fn_api_create_url_config},
    {"DeleteAlias", delete_alias},
    {"DeleteCapacityProvider", aev__fn_api_delete_capacity_provider},
    {"DeleteCodeSigningConfig", aev__fn_api_delete_csc},
    {"DeleteEventSourceMapping", delete_event_source_mapping},
    {"DeleteFunction", delete_function},
    {"DeleteFunctionCodeSigningConfig", aev__fn_api_delete_function_csc},
    {"DeleteFunctionConcurrency", delete_function_concurrency},
    {"DeleteFunctionEventInvokeConfig", delete_function_event_invoke_config},
    {"DeleteFunctionUrlConfig", aev__fn_api_delete_url_config},
    {"DeleteLayerVersion", aev__api_delete_layer_version},
    {"DeleteProvisionedConcurrencyConfig",
     delete_provisioned_concurrency_config},
    {"GetAccountSettings", get_account_settings},
    {"GetAlias", get_alias},
    {"GetCapacityProvider", aev__fn_api_get_capacity_provider},
    {"GetCodeSigningConfig", aev__fn_api_get_csc},
    {"GetDurableExecution", aev__fn_api_get_durable},
    {"GetDurableExecutionHistory", aev__fn_api_get_durable_history},
    {"GetDurableExecutionState", aev__fn_api_get_durable_state},
    {"GetEventSourceMapping", get_event_source_mapping},
    {"GetFunction", get_function},
    {"GetFunctionCodeSigningConfig", aev__fn_api_get_function_csc},
    {"GetFunctionConcurrency", get_function_concurrency},
    {"GetFunctionConfiguration", get_function_configuration},
    {"GetFunctionEventInvokeConfig", get_function_event_invoke_config},
    {"GetFunctionRecursionConfig", aev__fn_api_get_recursion_config},
    {"GetFunctionScalingConfig", aev__fn_api_get_scaling_config},
    {"GetFunctionUrlConfig", aev__fn_api_get_url_config},
    {"GetLayerVersion", aev__api_get_layer_version},
    {"GetLayerVersionByArn", aev__api_get_layer_version_by_arn},
    {"GetLayerVersionPolicy", aev__api_get_layer_version_policy},
    {"GetPolicy", get_policy},
    {"GetProvisionedConcurrencyConfig", get_provisioned_concurrency_config},
    {"GetRuntimeManagementConfig", aev__fn_api_get_runtime_management},
    {"Invoke", invoke},
    {"InvokeAsync", invoke_async},
    {"InvokeWithResponseStream", aev__fn_api_invoke_stream},
    {"ListAliases", list_aliases},
    {"ListCapacityProviders", aev__fn_api_list_capacity_providers},
    {"ListCodeSigningConfigs", aev__fn_api_list_cscs},
    {"ListDurableExecutionsByFunction", aev__fn_api_list_durable},
    {"ListEventSourceMappings", list_event_source_mappings},
    {"ListFunctionEventInvokeConfigs", list_function_event_invoke_configs},
    {"ListFunctionUrlConfigs", aev__fn_api_list_url_configs},
    {"ListFunctionVersionsByCapacityProvider", aev__fn_api_list_versions_by_capacity_provider},
    {"ListFunctions", list_functions},
    {"ListFunctionsByCodeSigningConfig", aev__fn_api_list_functions_by_csc},
    {"ListLayerVersions", aev__api_list_layer_versions},
    {"ListLayers", aev__api_list_layers},
    {"ListProvisionedConcurrencyConfigs", list_provisioned_concurrency_configs},
    {"ListTags", list_tags},
    {"ListVersionsByFunction", list_versions_by_function},
    {"PublishLayerVersion", aev__api_publish_layer_version},
    {"PublishVersion", publish_version},
    {"PutFunctionCodeSigningConfig", aev__fn_api_put_function_csc},
    {"PutFunctionConcurrency", put_function_concurrency},
    {"PutFunctionEventInvokeConfig", put_function_event_invoke_config},
    {"PutFunctionRecursionConfig", aev__fn_api_put_recursion_config},
    {"PutFunctionScalingConfig", aev__fn_api_put_scaling_config},
    {"PutProvisionedConcurrencyConfig", put_provisioned_concurrency_config},
    {"PutRuntimeManagementConfig", aev__fn_api_put_runtime_management},
    {"RemoveLayerVersionPermission", aev__api_remove_layer_version_permission},
    {"RemovePermission", remove_permission},
    {"SendDurableExecutionCallbackFailure", aev__fn_api_durable_callback_failure},
    {"SendDurableExecutionCallbackHeartbeat", aev__fn_api_durable_callback_heartbeat},
    {"SendDurableExecutionCallbackSuccess", aev__fn_api_durable_callback_success},
    {"StopDurableExecution", aev__fn_api_stop_durable},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"UpdateAlias", update_alias},
    {"UpdateCapacityProvider", aev__fn_api_update_capacity_provider},
    {"UpdateCodeSigningConfig", aev__fn_api_update_csc},
    {"UpdateEventSourceMapping", update_event_source_mapping},
    {"UpdateFunctionCode", update_function_code},
    {"UpdateFunctionConfiguration", update_function_configuration},
    {"UpdateFunctionEventInvokeConfig", update_function_event_invoke_config},
    {"UpdateFunctionUrlConfig", aev__fn_api_update_url_config},
};

/* Invoke's Payload, JSON text which U+0000 leaves invalid: it answers
 * what other invalid JSON answers (InvalidRequestContentException). */
static const char *const nul_members[] = {"Payload", NULL};

const aev__api_service aev__api_lambda = {
    .name = "lambda",
    .missing_code = "InvalidParameterValueException",
    .invalid_code = "InvalidParameterValueException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
    .nul_members = nul_members,
};
