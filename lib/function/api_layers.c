/* The layer actions of the "lambda" service: their members checked as
 * Lambda's API reference constrains them (ValidationException from its
 * front end, before any lookup), then handed to layers.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "function/layers.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
#define LAYER_NAME_PATTERN \
  "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
/* GetLayerVersionByArn's Arn, as its error quotes it (recorded:
 * test_layer_exceptions, get_layer_version_by_arn_exc_invalidarn). */
#define LAYER_VERSION_ARN_PATTERN                                                  \
  "arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:" \
  "[a-zA-Z0-9-_]+:[0-9]+"

/* The runtime identifiers Lambda's front end takes as a layer's
 * runtimes, in the order its ListLayers error quotes them (recorded:
 * test_layer_exceptions, list_layers_exc_compatibleruntime_invalid), and
 * then the runtimes released after that recording. */
static const char *const runtimes[] = {
    "ruby2.6",        "dotnetcore1.0", "python3.7",  "nodejs8.10",    "nasa",
    "ruby2.7",        "python2.7-greengrass",        "dotnetcore2.0", "python3.8",
    "java21",         "dotnet6",       "dotnetcore2.1", "python3.9",  "java11",
    "nodejs6.10",     "provided",      "dotnetcore3.1", "dotnet8",    "java17",
    "nodejs",         "nodejs4.3",     "java8.al2",     "go1.x",      "nodejs20.x",
    "go1.9",          "byol",          "nodejs10.x",    "provided.al2023", "python3.10",
    "java8",          "nodejs12.x",    "python3.11",    "nodejs8.x",  "python3.12",
    "nodejs14.x",     "nodejs8.9",     "python3.13",    "nodejs16.x", "provided.al2",
    "nodejs4.3-edge", "nodejs18.x",    "ruby3.2",       "python3.4",  "ruby3.3",
    "ruby2.5",        "python3.6",     "python2.7",     "nodejs22.x", "ruby3.4",
    NULL};
/* The set PublishLayerVersion's error quotes for CompatibleRuntimes
 * (recorded: test_layer_exceptions, publish_layer_version_exc_*); it
 * takes every runtime above all the same (recorded:
 * test_layer_compatibilities publishes nodejs12.x, go1.x, ...). */
#define PUBLISHED_RUNTIMES                                                                      \
  "[nodejs20.x, provided.al2023, python3.12, java17, nodejs16.x, dotnet8, python3.10, java11, " \
  "python3.11, dotnet6, java21, nodejs18.x, provided.al2, java8.al2, ruby3.2, python3.8, "      \
  "python3.9]"
static const char *const architectures[] = {"x86_64", "arm64", NULL};

static int in_set(const char *s, const char *const *set) {
  for (size_t i = 0; s && set[i]; i++)
    if (strcmp(s, set[i]) == 0) return 1;
  return 0;
}

/* "[a, b, ...]" of set, for the enum constraint in an error. */
static void set_text(const char *const *set, char *out, size_t size) {
  size_t n = (size_t)snprintf(out, size, "[");
  for (size_t i = 0; set[i] && n < size; i++)
    n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", set[i]);
  if (n < size) snprintf(out + n, size - n, "]");
}

/* LayerName: 1-140 characters, a name or a layer ARN. */
static int layer_name(const aev__api_service *svc, json_t *req, const char **name) {
  int rc = aev__api_req_string(svc, req, "LayerName", name);
  if (rc != AEV_OK) return rc;
  const size_t n = strlen(*name);
  if (n < 1 || n > 140) return aev__fail_length(*name, "layerName", n, 1, 140);
  const char *p = strstr(*name, ":layer:");
  const int arn_ok = p && strncmp(*name, "arn:", 4) == 0 && p[7] &&
                     strspn(p + 7, NAME_CHARS) == strlen(p + 7);
  if (!arn_ok && strspn(*name, NAME_CHARS) != n)
    return aev__fail_validation(*name, "layerName",
                                "Member must satisfy regular expression pattern: " LAYER_NAME_PATTERN);
  return AEV_OK;
}

/* VersionNumber: Lambda refuses one below 1 as a bad value, not as
 * missing (recorded: test_layer_exceptions, versions -1 and 0). */
static int version_number(const aev__api_service *svc, json_t *req, int64_t *v) {
  int rc = aev__api_req_int(svc, req, "VersionNumber", INT64_MIN, INT64_MAX, v);
  if (rc == AEV_OK && *v < 1) rc = aev__fn_invalid("Layer Version Cannot be less than 1");
  return rc;
}

/* A list member whose entries must come from set, with at most max of
 * them: ValidationException text appended to errs (count in *n), the
 * enum constraint worded as constraint words it. */
static void check_list(json_t *list, const char *member, const char *const *set, size_t max,
                       const char *constraint, char *errs, size_t size, int *n) {
  if (!list || json_is_null(list)) return;
  char shown[1024] = "[";
  size_t i;
  json_t *v;
  int ok = json_is_array(list);
  json_array_foreach(list, i, v) {
    ok = ok && in_set(json_string_value(v), set);
    snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%s", i ? ", " : "",
             json_is_string(v) ? json_string_value(v) : "null");
  }
  snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "]");
  size_t at = strlen(errs);
  if (!ok)
    snprintf(errs + at, size - at, "%sValue '%s' at '%s' failed to satisfy constraint: %s",
             *n ? "; " : "", shown, member, constraint);
  else if (json_array_size(list) > max)
    snprintf(errs + at, size - at,
             "%sValue '%s' at '%s' failed to satisfy constraint: Member must have length less "
             "than or equal to %zu",
             *n ? "; " : "", shown, member, max);
  else
    return;
  (*n)++;
}

/* A string member of at most max characters (ValidationException). */
static int short_string(const aev__api_service *svc, json_t *req, const char *name,
                        const char *member, size_t max) {
  const char *s = NULL;
  int rc = aev__api_opt_string(svc, req, name, &s);
  if (rc == AEV_OK && s && strlen(s) > max) rc = aev__fail_length(s, member, strlen(s), 0, max);
  return rc;
}

int aev__api_publish_layer_version(aev_broker *b, const aev__api_service *svc, json_t *req,
                                   json_t **resp) {
  const char *name;
  json_t *content;
  int rc = layer_name(svc, req, &name);
  if (rc == AEV_OK) rc = aev__api_req_object(svc, req, "Content", &content);
  if (rc == AEV_OK) rc = short_string(svc, req, "Description", "description", 256);
  if (rc == AEV_OK) rc = short_string(svc, req, "LicenseInfo", "licenseInfo", 512);
  if (rc != AEV_OK) return rc;
  /* Both lists are checked and reported together, as Lambda's front end
   * reports every member that fails (recorded: test_layer_exceptions). */
  char errs[8192] = "";
  int n = 0;
  check_list(json_object_get(req, "CompatibleRuntimes"), "compatibleRuntimes", runtimes, 15,
             "Member must satisfy enum value set: " PUBLISHED_RUNTIMES, errs, sizeof errs, &n);
  check_list(json_object_get(req, "CompatibleArchitectures"), "compatibleArchitectures",
             architectures, 2,
             "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
             errs, sizeof errs, &n);
  if (n)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "%d validation error%s detected: %s",
                     n, n > 1 ? "s" : "", errs);
  return aev__layer_publish(b, req, resp);
}

int aev__api_get_layer_version(aev_broker *b, const aev__api_service *svc, json_t *req,
                               json_t **resp) {
  const char *name;
  int64_t v;
  int rc = layer_name(svc, req, &name);
  if (rc == AEV_OK) rc = version_number(svc, req, &v);
  return rc == AEV_OK ? aev__layer_get(b, name, v, resp) : rc;
}

int aev__api_get_layer_version_by_arn(aev_broker *b, const aev__api_service *svc, json_t *req,
                                      json_t **resp) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "Arn", &arn);
  if (rc != AEV_OK) return rc;
  const size_t n = strlen(arn);
  if (n < 1 || n > 140) return aev__fail_length(arn, "arn", n, 1, 140);
  const char *colon = strrchr(arn, ':'), *layer = strstr(arn, ":layer:");
  if (!layer || strncmp(arn, "arn:", 4) || colon <= layer + 7 || !colon[1] ||
      strspn(colon + 1, "0123456789") != strlen(colon + 1))
    return aev__fail_validation(arn, "arn",
                                "Member must satisfy regular expression pattern: "
                                LAYER_VERSION_ARN_PATTERN);
  char name[512];
  snprintf(name, sizeof name, "%.*s", (int)(colon - arn), arn);
  return aev__layer_get(b, name, strtoll(colon + 1, NULL, 10), resp);
}

int aev__api_delete_layer_version(aev_broker *b, const aev__api_service *svc, json_t *req,
                                  json_t **resp) {
  const char *name;
  int64_t v;
  int rc = layer_name(svc, req, &name);
  if (rc == AEV_OK) rc = version_number(svc, req, &v);
  if (rc == AEV_OK) rc = aev__layer_delete(b, name, v);
  if (rc == AEV_OK && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

/* A filter member that must come from set: Lambda's front end refuses
 * another value with a ValidationException. */
static int filter(const aev__api_service *svc, json_t *req, const char *name, const char *member,
                  const char *const *set, const char **out) {
  int rc = aev__api_opt_string(svc, req, name, out);
  if (rc != AEV_OK || !*out || in_set(*out, set)) return rc;
  char allowed[1024], constraint[1100];
  set_text(set, allowed, sizeof allowed);
  snprintf(constraint, sizeof constraint, "Member must satisfy enum value set: %s", allowed);
  return aev__fail_validation(*out, member, constraint);
}

/* ListLayers' and ListLayerVersions' filters and paging. */
static int list(aev_broker *b, const aev__api_service *svc, json_t *req, const char *name,
                json_t **resp) {
  const char *runtime = NULL, *arch = NULL, *marker = NULL;
  int64_t max = 50;
  int rc = filter(svc, req, "CompatibleRuntime", "compatibleRuntime", runtimes, &runtime);
  if (rc == AEV_OK)
    rc = filter(svc, req, "CompatibleArchitecture", "compatibleArchitecture", architectures,
                &arch);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Marker", &marker);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "MaxItems", 1, 50, &max);
  return rc == AEV_OK ? aev__layer_list(b, name, runtime, arch, marker, max, resp) : rc;
}

int aev__api_list_layers(aev_broker *b, const aev__api_service *svc, json_t *req,
                         json_t **resp) {
  return list(b, svc, req, NULL, resp);
}

int aev__api_list_layer_versions(aev_broker *b, const aev__api_service *svc, json_t *req,
                                 json_t **resp) {
  const char *name;
  int rc = layer_name(svc, req, &name);
  return rc == AEV_OK ? list(b, svc, req, name, resp) : rc;
}

/* Principal: an account ID, "*" or an account's root ARN; the statement
 * names an account by its root ARN. */
static int principal_of(const char *p, char *out, size_t size) {
  const size_t n = strlen(p);
  if (strcmp(p, "*") == 0) {
    snprintf(out, size, "*");
    return AEV_OK;
  }
  if (n == 12 && strspn(p, "0123456789") == 12) {
    snprintf(out, size, "arn:aws:iam::%s:root", p);
    return AEV_OK;
  }
  if (strncmp(p, "arn:aws:iam::", 13) == 0 && strspn(p + 13, "0123456789") == 12 &&
      strcmp(p + 25, ":root") == 0) {
    snprintf(out, size, "%s", p);
    return AEV_OK;
  }
  return aev__fail_validation(p, "principal",
                              "Member must satisfy regular expression pattern: "
                              "\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root");
}

int aev__api_add_layer_version_permission(aev_broker *b, const aev__api_service *svc,
                                          json_t *req, json_t **resp) {
  const char *name, *sid, *action, *principal, *org = NULL, *revision = NULL;
  int64_t v;
  char who[64];
  int rc = layer_name(svc, req, &name);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "StatementId", &sid);
  if (rc == AEV_OK && (strlen(sid) < 1 || strlen(sid) > 100))
    rc = aev__fail_length(sid, "statementId", strlen(sid), 1, 100);
  if (rc == AEV_OK && strspn(sid, NAME_CHARS) != strlen(sid))
    rc = aev__fail_validation(sid, "statementId",
                              "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Action", &action);
  /* The one action a layer version policy grants. */
  if (rc == AEV_OK && strcmp(action, "lambda:GetLayerVersion"))
    rc = aev__fail_validation(action, "action",
                              "Member must satisfy regular expression pattern: lambda:GetLayerVersion");
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Principal", &principal);
  if (rc == AEV_OK) rc = principal_of(principal, who, sizeof who);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "OrganizationId", &org);
  if (rc == AEV_OK && org && (strncmp(org, "o-", 2) || strlen(org) < 12 || strlen(org) > 34 ||
                              strspn(org + 2, "abcdefghijklmnopqrstuvwxyz0123456789") !=
                                  strlen(org + 2)))
    rc = aev__fail_validation(org, "organizationId",
                              "Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}");
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RevisionId", &revision);
  if (rc == AEV_OK) rc = version_number(svc, req, &v);
  if (rc != AEV_OK) return rc;
  return aev__layer_policy_add(b, name, v, sid, who, org, revision, resp);
}

int aev__api_remove_layer_version_permission(aev_broker *b, const aev__api_service *svc,
                                             json_t *req, json_t **resp) {
  const char *name, *sid, *revision = NULL;
  int64_t v;
  int rc = layer_name(svc, req, &name);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "StatementId", &sid);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RevisionId", &revision);
  if (rc == AEV_OK) rc = version_number(svc, req, &v);
  if (rc == AEV_OK) rc = aev__layer_policy_remove(b, name, v, sid, revision);
  if (rc == AEV_OK && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

int aev__api_get_layer_version_policy(aev_broker *b, const aev__api_service *svc, json_t *req,
                                      json_t **resp) {
  const char *name;
  int64_t v;
  int rc = layer_name(svc, req, &name);
  if (rc == AEV_OK) rc = version_number(svc, req, &v);
  return rc == AEV_OK ? aev__layer_policy_get(b, name, v, resp) : rc;
}

/* The C API: the request text, checked as the action checks it. */
static int call_json(aev_broker *b, aev__api_fn fn, json_t *req, char **json) {
  json_t *resp = NULL;
  int rc = fn(b, &aev__api_lambda, req, &resp);
  json_decref(req);
  if (rc == AEV_OK) rc = json ? aev__fn_dump(resp, json) : (json_decref(resp), AEV_OK);
  return rc;
}

int aev_function_publish_layer_version(aev_broker *b, const char *request_json, char **json) {
  json_t *req = NULL;
  if (!b) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException", "No broker.");
  int rc = aev__json_parse_str(request_json ? request_json : "{}", 0, &req);
  if (rc == AEV_ERR_INVALID || (rc == AEV_OK && !json_is_object(req))) {
    json_decref(req);
    return aev__fn_invalid("The request must be a JSON object of PublishLayerVersion's members.");
  }
  return rc == AEV_OK ? call_json(b, aev__api_publish_layer_version, req, json) : rc;
}

int aev_function_list_layer_versions(aev_broker *b, const char *layer_name, char **json) {
  if (!b) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException", "No broker.");
  json_t *req = layer_name ? json_pack("{ss}", "LayerName", layer_name) : json_object();
  if (!req) return aev__nomem();
  return call_json(b, layer_name ? aev__api_list_layer_versions : aev__api_list_layers, req, json);
}
