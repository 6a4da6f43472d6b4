/* Function URL configurations (CreateFunctionUrlConfig, Get, Update,
 * Delete, ListFunctionUrlConfigs): stored and answered as Lambda answers
 * them, one per function or per alias, never for a version. The URL
 * (https://<url-id>.lambda-url.<region>.on.aws/, as Lambda's "Lambda
 * function URLs" guide gives it) is not served: there is no HTTP server
 * here, so nothing ever arrives through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/api_fnconf.h"

/* The Qualifier of the URL actions: an alias name, never $LATEST nor a
 * version number, refused before the function is looked up with the
 * pattern Lambda quotes for each (LocalStack's provider, validated against
 * AWS in test_url_config_exceptions, *_qualifier_version). */
#define URL_QUALIFIER_PATTERN "(^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))"
#define URL_LATEST_PATTERN "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
#define CORS_ITEMS_MAX 100
#define CORS_MAX_AGE 86400
#define LIST_MAX_ITEMS 50

static const char *const auth_types[] = {"NONE", "AWS_IAM", NULL};
static const char *const invoke_modes[] = {"BUFFERED", "RESPONSE_STREAM", NULL};

static int qualifier_check(const char *q) {
  size_t n = strlen(q);
  if (strcmp(q, "$LATEST") == 0)
    return aev__fail_validation(q, "qualifier",
                                "Member must satisfy regular expression pattern: " URL_LATEST_PATTERN);
  if (n >= 1 && n <= 128 && strspn(q, "0123456789") != n &&
      strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n)
    return AEV_OK;
  return aev__fail_validation(q, "qualifier",
                              "Member must satisfy regular expression pattern: " URL_QUALIFIER_PATTERN);
}

/* What Lambda answers for a missing function or alias: Create, Update and
 * List say "Function does not exist", Get and Delete that the resource
 * does not exist (LocalStack's provider, validated against AWS in
 * test_url_config_exceptions). */
#define NO_FUNCTION "Function does not exist"
#define NO_RESOURCE "The resource you requested does not exist."

static int missing(const char *message) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "%s", message);
}

/* The function and alias (*key: "" for the function itself) a URL action
 * names; absent answers with the message for a missing one. */
static int url_target(aev_broker *b, const aev__api_service *svc, json_t *req,
                      const char *absent, aev_function **f, const char **key, char *buf,
                      size_t size) {
  const char *q = NULL, *name = json_string_value(json_object_get(req, "FunctionName"));
  int rc = aev__api_opt_string(svc, req, "Qualifier", &q);
  if (rc == AEV_OK && q) rc = qualifier_check(q);
  /* The qualifier an ARN carries, checked the same way. */
  if (rc == AEV_OK && name && aev__function_parse_qualified(b, name, &q, buf, size) == AEV_OK && q)
    rc = qualifier_check(q);
  if (rc == AEV_OK) rc = aev__fn_api_target(b, svc, req, f, &q, buf, size);
  if (rc == AEV_ERR_NOT_FOUND) return missing(absent);
  if (rc != AEV_OK) return rc;
  if (q && aev__function_check_qualifier(*f, q) != AEV_OK) {
    aev_function_release(*f);
    return missing(absent);
  }
  *key = q ? q : "";
  return AEV_OK;
}

static int strings_check(json_t *cors, const char *name, size_t item_max) {
  json_t *a = json_object_get(cors, name), *v;
  size_t i;
  if (!a) return AEV_OK;
  if (!json_is_array(a))
    return aev__fn_invalid("Cors.%s must be a list of strings.", name);
  if (json_array_size(a) > CORS_ITEMS_MAX)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at 'cors.%c%s' failed to satisfy "
                     "constraint: Member must have length less than or equal to %d",
                     name[0] + 32, name + 1, CORS_ITEMS_MAX);
  json_array_foreach(a, i, v) {
    if (!json_is_string(v))
      return aev__fn_invalid("Cors.%s must be a list of strings.", name);
    if (json_string_length(v) > item_max)
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "1 validation error detected: Value '%s' at 'cors.%c%s.%zu.member' failed "
                       "to satisfy constraint: Member must have length less than or equal to %zu",
                       json_string_value(v), name[0] + 32, name + 1, i + 1, item_max);
  }
  return AEV_OK;
}

/* Cors as Lambda's API reference bounds it: at most 100 items in each
 * list, headers of at most 1024 characters, methods of at most 6, origins
 * of at most 253, MaxAge 0-86400 seconds. Unknown members are refused. */
static int cors_check(json_t *cors) {
  static const char *const known[] = {"AllowCredentials", "AllowHeaders", "AllowMethods",
                                      "AllowOrigins", "ExposeHeaders", "MaxAge", NULL};
  const char *k;
  json_t *v;
  json_object_foreach(cors, k, v) {
    int found = 0;
    for (const char *const *n = known; *n && !found; n++) found = strcmp(*n, k) == 0;
    if (!found) return aev__fn_invalid("Unknown member Cors.%s.", k);
  }
  json_t *cred = json_object_get(cors, "AllowCredentials"), *age = json_object_get(cors, "MaxAge");
  if (cred && !json_is_boolean(cred))
    return aev__fn_invalid("Cors.AllowCredentials must be a boolean.");
  if (age && !json_is_integer(age)) return aev__fn_invalid("Cors.MaxAge must be an integer.");
  int rc = age ? aev__fn_range("cors.maxAge", json_integer_value(age), 0, CORS_MAX_AGE) : AEV_OK;
  if (rc == AEV_OK) rc = strings_check(cors, "AllowHeaders", 1024);
  if (rc == AEV_OK) rc = strings_check(cors, "AllowMethods", 6);
  if (rc == AEV_OK) rc = strings_check(cors, "AllowOrigins", 253);
  if (rc == AEV_OK) rc = strings_check(cors, "ExposeHeaders", 1024);
  return rc;
}

/* The members a create or an update gives (each NULL when absent). */
typedef struct url_members {
  const char *auth, *mode;
  json_t *cors;
} url_members;

static int members_of(const aev__api_service *svc, json_t *req, int create, url_members *m) {
  *m = (url_members){0};
  /* AuthType is required by CreateFunctionUrlConfig only. */
  json_t *auth = json_object_get(req, "AuthType");
  if (create && (!auth || json_is_null(auth)))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value null at 'authType' failed to satisfy "
                     "constraint: Member must not be null");
  int rc = aev__fn_enum(svc, req, "AuthType", "authType", auth_types, &m->auth);
  if (rc == AEV_OK)
    rc = aev__fn_enum(svc, req, "InvokeMode", "invokeMode", invoke_modes, &m->mode);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Cors", &m->cors);
  if (rc == AEV_OK && m->cors) rc = cors_check(m->cors);
  return rc;
}

static void now_text(aev_function *f, char out[40]) {
  aev__fn_iso_time(aev__fn_now_ms(f), out, 40, 1);
}

/* https://<url-id>.lambda-url.<region>.on.aws/: a 32-character id, drawn
 * from the broker's generator so that a seeded broker repeats it. */
static json_t *new_url(aev_function *f) {
  char uuid[AEV_UUID_LEN + 1], id[33], region[32] = "";
  size_t n = 0;
  aev__broker_uuid(f->res.broker, uuid);
  for (const char *c = uuid; *c; c++)
    if (*c != '-') id[n++] = *c;
  id[n] = '\0';
  /* arn:aws:lambda:REGION:ACCOUNT:function:NAME */
  sscanf(f->res.arn, "arn:%*[^:]:lambda:%31[^:]", region);
  return json_sprintf("https://%s.lambda-url.%s.on.aws/", id, region);
}

/* The stored configuration projected on keys (NULL-terminated), the
 * members it lacks left out (new reference; NULL: out of memory). */
static json_t *project(json_t *conf, const char *const *keys) {
  json_t *o = json_object();
  for (; o && *keys; keys++) {
    json_t *v = json_object_get(conf, *keys);
    if (v) aev__fn_put(&o, *keys, json_deep_copy(v));
  }
  return o;
}

static const char *const created_keys[] = {"FunctionUrl", "FunctionArn", "AuthType", "Cors",
                                           "CreationTime", "InvokeMode", NULL};
static const char *const full_keys[] = {"FunctionUrl", "FunctionArn", "AuthType", "Cors",
                                        "CreationTime", "LastModifiedTime", "InvokeMode", NULL};

AEV__FN_API_ACTION(aev__fn_api_create_url_config) {
  url_members m;
  aev_function *f;
  const char *key;
  char buf[512], when[40];
  int rc = members_of(svc, req, 1, &m);
  if (rc == AEV_OK) rc = url_target(b, svc, req, NO_FUNCTION, &f, &key, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  char *arn = aev__function_qualified_arn(f, *key ? key : NULL);
  now_text(f, when);
  json_t *conf = json_pack("{s:o,s:s?,s:s,s:s,s:s,s:s}", "FunctionUrl", new_url(f),
                           "FunctionArn", arn, "AuthType", m.auth, "CreationTime", when,
                           "LastModifiedTime", when, "InvokeMode", m.mode ? m.mode : "BUFFERED");
  if (conf && m.cors) aev__fn_put(&conf, "Cors", json_deep_copy(m.cors));
  json_t *answer = conf ? project(conf, created_keys) : NULL;
  pthread_mutex_lock(&f->mu);
  json_t *urls = aev__fn_settings_locked(f, "urls");
  rc = !answer || !urls || !arn ? aev__nomem() : aev__fn_check(f);
  /* As LocalStack's provider words it (test_url_config_lifecycle,
   * failed_duplication). */
  if (rc == AEV_OK && json_object_get(urls, key))
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                   "Failed to create function url config for [functionArn = %s]. Error "
                   "message:  FunctionUrlConfig exists for this Lambda function",
                   arn);
  if (rc == AEV_OK && json_object_set(urls, key, conf)) rc = aev__nomem();
  pthread_mutex_unlock(&f->mu);
  if (rc == AEV_OK) *resp = answer;
  else json_decref(answer);
  json_decref(conf);
  free(arn);
  aev_function_release(f);
  return rc;
}

/* The stored configuration of the target (mu held), or NULL. */
static json_t *config_locked(aev_function *f, const char *key) {
  json_t *urls = aev__fn_settings_locked(f, "urls");
  return urls ? json_object_get(urls, key) : NULL;
}

AEV__FN_API_ACTION(aev__fn_api_get_url_config) {
  aev_function *f;
  const char *key;
  char buf[512];
  int rc = url_target(b, svc, req, NO_RESOURCE, &f, &key, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  json_t *conf = config_locked(f, key);
  *resp = conf ? project(conf, full_keys) : NULL;
  pthread_mutex_unlock(&f->mu);
  aev_function_release(f);
  if (!conf) return missing(NO_RESOURCE);
  return *resp ? AEV_OK : aev__nomem();
}

/* Only the members given change; LastModifiedTime moves. */
AEV__FN_API_ACTION(aev__fn_api_update_url_config) {
  url_members m;
  aev_function *f;
  const char *key;
  char buf[512], when[40];
  int rc = members_of(svc, req, 0, &m);
  if (rc == AEV_OK) rc = url_target(b, svc, req, NO_FUNCTION, &f, &key, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  now_text(f, when);
  pthread_mutex_lock(&f->mu);
  json_t *conf = config_locked(f, key);
  json_t *next = conf ? json_deep_copy(conf) : NULL;
  if (next && m.auth) aev__fn_put(&next, "AuthType", json_string(m.auth));
  if (next && m.mode) aev__fn_put(&next, "InvokeMode", json_string(m.mode));
  if (next && m.cors) aev__fn_put(&next, "Cors", json_deep_copy(m.cors));
  if (next) aev__fn_put(&next, "LastModifiedTime", json_string(when));
  json_t *answer = next ? project(next, full_keys) : NULL;
  rc = !conf ? missing(NO_RESOURCE) : !answer ? aev__nomem() : AEV_OK;
  if (rc == AEV_OK && json_object_set(aev__fn_settings_locked(f, "urls"), key, next))
    rc = aev__nomem();
  pthread_mutex_unlock(&f->mu);
  if (rc == AEV_OK) *resp = answer;
  else json_decref(answer);
  json_decref(next);
  aev_function_release(f);
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_delete_url_config) {
  aev_function *f;
  const char *key;
  char buf[512];
  int rc = url_target(b, svc, req, NO_RESOURCE, &f, &key, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  int found = config_locked(f, key) != NULL;
  if (found) aev__fn_url_drop_locked(f, key);
  pthread_mutex_unlock(&f->mu);
  aev_function_release(f);
  if (!found) return missing(NO_RESOURCE);
  *resp = json_object();
  return *resp ? AEV_OK : aev__nomem();
}

void aev__fn_url_drop_locked(aev_function *f, const char *qualifier) {
  json_object_del(json_object_get(f->settings, "urls"), qualifier);
}

/* The function's first, then its aliases' in the order they were made.
 * Marker is the position of the next one, as the previous page's
 * NextMarker gave it. */
AEV__FN_API_ACTION(aev__fn_api_list_url_configs) {
  aev_function *f;
  int64_t max;
  size_t from;
  int rc = aev__fn_paging(svc, req, LIST_MAX_ITEMS, &from, &max);
  if (rc == AEV_OK) rc = aev__fn_api_function(b, svc, req, &f);
  if (rc == AEV_ERR_NOT_FOUND) return missing(NO_FUNCTION);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array(), *conf;
  const char *key;
  size_t i = 0, next = 0;
  pthread_mutex_lock(&f->mu);
  json_t *urls = aev__fn_settings_locked(f, "urls");
  json_object_foreach(urls, key, conf) {
    if (i >= from && i < from + (size_t)max) aev__fn_put(&list, NULL, project(conf, full_keys));
    else if (i == from + (size_t)max) next = i;
    i++;
  }
  pthread_mutex_unlock(&f->mu);
  aev_function_release(f);
  *resp = list ? json_pack("{so}", "FunctionUrlConfigs", list) : NULL;
  if (*resp && next) aev__fn_put(resp, "NextMarker", json_sprintf("%zu", next));
  return *resp ? AEV_OK : aev__nomem();
}
