/* A function's settings kept and answered as Lambda answers them: its
 * recursive loop detection (Put/GetFunctionRecursionConfig: RecursiveLoop
 * Terminate, Lambda's default, which stops a recursive loop (lineage.h,
 * invoke.c), or Allow, which lets it run) and its runtime update mode per
 * version (Put/GetRuntimeManagementConfig: UpdateRuntimeOn Auto, Lambda's
 * default, FunctionUpdate, or Manual with a RuntimeVersionArn), which
 * changes nothing here: handlers run in-process, so no runtime is changed.
 * The function URL configurations (url_config.c) are kept here too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "function/api_fnconf.h"

json_t *aev__fn_settings_locked(aev_function *f, const char *kind) {
  if (!f->settings && !(f->settings = json_object())) return NULL;
  json_t *o = json_object_get(f->settings, kind);
  if (!o && (o = json_object()) && json_object_set_new(f->settings, kind, o)) o = NULL;
  return o;
}

int aev__fn_enum(const aev__api_service *svc, json_t *req, const char *name,
                 const char *member, const char *const *names, const char **out) {
  const char *v = NULL;
  int rc = aev__api_opt_string(svc, req, name, &v);
  if (rc != AEV_OK || !v) return rc;
  char set[256] = "";
  for (size_t i = 0; names[i]; i++) {
    if (strcmp(v, names[i]) == 0) {
      *out = v;
      return AEV_OK;
    }
    snprintf(set + strlen(set), sizeof set - strlen(set), "%s%s", i ? ", " : "", names[i]);
  }
  char constraint[300];
  snprintf(constraint, sizeof constraint, "Member must satisfy enum value set: [%s]", set);
  return aev__fail_validation(v, member, constraint);
}

int aev__fn_paging(const aev__api_service *svc, json_t *req, int64_t limit, size_t *from,
                   int64_t *max) {
  const char *marker = NULL;
  *from = 0;
  *max = 50;
  int rc = aev__api_opt_int(svc, req, "MaxItems", INT32_MIN, INT32_MAX, max);
  if (rc == AEV_OK && json_object_get(req, "MaxItems"))
    rc = aev__fn_range("maxItems", *max, 1, limit);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Marker", &marker);
  if (rc == AEV_OK && marker) {
    char *end = NULL;
    *from = strtoul(marker, &end, 10);
    if (!*marker || *end || *marker == '-' || *marker == '+')
      rc = aev__fn_invalid("Invalid marker: %s", marker);
  }
  return rc;
}

/* {member: the page of all (consumed) from from, at most max} with
 * NextMarker when more remain. */
int aev__fn_page(json_t *all, const char *member, size_t from, int64_t max, json_t **resp) {
  json_t *items = json_array();
  const size_t n = json_array_size(all);
  for (size_t i = from; i < n && i < from + (size_t)max; i++)
    aev__fn_put(&items, NULL, json_incref(json_array_get(all, i)));
  *resp = items ? json_pack("{so}", member, items) : NULL;
  if (*resp && from + (size_t)max < n)
    aev__fn_put(resp, "NextMarker", json_sprintf("%zu", from + (size_t)max));
  json_decref(all);
  return *resp ? AEV_OK : aev__nomem();
}

static int required(json_t *req, const char *name, const char *member) {
  json_t *v = json_object_get(req, name);
  if (v && !json_is_null(v)) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value null at '%s' failed to satisfy "
                   "constraint: Member must not be null",
                   member);
}

/* ---- recursive loop detection ---- */

static const char *const loop_modes[] = {"Allow", "Terminate", NULL};

int aev__fn_loop_allowed_locked(const aev_function *f) {
  const char *mode = json_string_value(
      json_object_get(json_object_get(f->settings, "recursion"), "RecursiveLoop"));
  return mode && strcmp(mode, "Allow") == 0;
}

/* The function's RecursiveLoop answer (new reference), after setting it
 * to set (NULL: unchanged); the answer is built before anything is
 * stored. */
static int recursion_answer(aev_function *f, const char *set, json_t **resp) {
  pthread_mutex_lock(&f->mu);
  json_t *o = aev__fn_settings_locked(f, "recursion");
  const char *mode = set ? set : json_string_value(json_object_get(o, "RecursiveLoop"));
  json_t *answer = json_pack("{ss}", "RecursiveLoop", mode ? mode : "Terminate");
  int rc = !o || !answer ? aev__nomem() : aev__fn_check(f);
  if (rc == AEV_OK && set && json_object_set_new(o, "RecursiveLoop", json_string(set)))
    rc = aev__nomem();
  pthread_mutex_unlock(&f->mu);
  if (rc == AEV_OK) *resp = answer;
  else json_decref(answer);
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_get_recursion_config) {
  aev_function *f;
  int rc = aev__fn_api_function(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = recursion_answer(f, NULL, resp);
  aev_function_release(f);
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_put_recursion_config) {
  aev_function *f;
  const char *mode = NULL;
  int rc = required(req, "RecursiveLoop", "recursiveLoop");
  if (rc == AEV_OK)
    rc = aev__fn_enum(svc, req, "RecursiveLoop", "recursiveLoop", loop_modes, &mode);
  if (rc == AEV_OK) rc = aev__fn_api_function(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = recursion_answer(f, mode, resp);
  aev_function_release(f);
  return rc;
}

/* ---- runtime management ---- */

static const char *const update_modes[] = {"Auto", "Manual", "FunctionUpdate", NULL};
#define RUNTIME_ARN_PATTERN \
  "^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}::runtime:.+$"

/* RuntimeVersionArn against its length (26-2048) and pattern in Lambda's
 * API reference: arn:PARTITION:lambda:REGION::runtime:ID. */
static int runtime_arn_check(const char *arn) {
  size_t n = strlen(arn);
  if (n < 26 || n > 2048)
    return aev__fail_length(arn, "runtimeVersionArn", n, 26, 2048);
  const char *p = strncmp(arn, "arn:aws", 7) == 0 ? strchr(arn + 4, ':') : NULL;
  const char *region = p && strncmp(p, ":lambda:", 8) == 0 ? p + 8 : NULL;
  const char *rest = region ? strstr(region, "::runtime:") : NULL;
  if (rest && rest[10] && rest - region >= 6 && strspn(region, "abcdefghijklmnopqrstuvwxyz-0123456789") ==
                                                  (size_t)(rest - region))
    return AEV_OK;
  return aev__fail_validation(arn, "runtimeVersionArn",
                              "Member must satisfy regular expression pattern: " RUNTIME_ARN_PATTERN);
}

/* The version a runtime management action names: $LATEST or a published
 * version, as Lambda's API reference allows (an alias is refused). */
static int runtime_target(aev_broker *b, const aev__api_service *svc, json_t *req,
                          aev_function **f, const char **version, char *buf, size_t size) {
  const char *q;
  int rc = aev__fn_api_target(b, svc, req, f, &q, buf, size);
  if (rc != AEV_OK) return rc;
  if (q) rc = aev__function_check_qualifier(*f, q);
  if (rc == AEV_OK && q && strspn(q, "0123456789") != strlen(q))
    rc = aev__fn_invalid("The runtime management configuration applies to $LATEST or a "
                         "published version, not to the alias %s.", q);
  if (rc != AEV_OK) aev_function_release(*f);
  *version = q ? q : "$LATEST";
  return rc;
}

/* The answer: UpdateRuntimeOn, FunctionArn (the version's, none for
 * $LATEST) and, in Manual mode only, RuntimeVersionArn. */
static json_t *runtime_answer(aev_function *f, const char *version, json_t *conf) {
  char *arn = aev__function_qualified_arn(f, strcmp(version, "$LATEST") ? version : NULL);
  const char *mode = json_string_value(json_object_get(conf, "UpdateRuntimeOn"));
  json_t *o = arn ? json_pack("{ssss}", "UpdateRuntimeOn", mode ? mode : "Auto",
                              "FunctionArn", arn)
                  : NULL;
  json_t *rv = json_object_get(conf, "RuntimeVersionArn");
  if (o && rv) aev__fn_put(&o, "RuntimeVersionArn", json_incref(rv));
  free(arn);
  return o;
}

AEV__FN_API_ACTION(aev__fn_api_get_runtime_management) {
  aev_function *f;
  const char *version;
  char buf[512];
  int rc = runtime_target(b, svc, req, &f, &version, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  json_t *all = aev__fn_settings_locked(f, "runtime");
  json_t *conf = json_deep_copy(json_object_get(all, version));
  pthread_mutex_unlock(&f->mu);
  *resp = all ? runtime_answer(f, version, conf) : NULL;
  json_decref(conf);
  aev_function_release(f);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__FN_API_ACTION(aev__fn_api_put_runtime_management) {
  aev_function *f;
  const char *mode = NULL, *arn = NULL, *version;
  char buf[512];
  int rc = required(req, "UpdateRuntimeOn", "updateRuntimeOn");
  if (rc == AEV_OK)
    rc = aev__fn_enum(svc, req, "UpdateRuntimeOn", "updateRuntimeOn", update_modes, &mode);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "RuntimeVersionArn", &arn);
  if (rc == AEV_OK && arn) rc = runtime_arn_check(arn);
  /* Lambda's runtime updates guide: only Manual mode pins a runtime
   * version, and it needs one. */
  if (rc == AEV_OK && strcmp(mode, "Manual") == 0 && !arn)
    rc = aev__fn_invalid("UpdateRuntimeOn Manual requires a RuntimeVersionArn.");
  if (rc == AEV_OK && strcmp(mode, "Manual") && arn)
    rc = aev__fn_invalid("RuntimeVersionArn can be given only with UpdateRuntimeOn Manual, "
                         "not %s.", mode);
  if (rc == AEV_OK) rc = runtime_target(b, svc, req, &f, &version, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  json_t *conf = arn ? json_pack("{ssss}", "UpdateRuntimeOn", mode, "RuntimeVersionArn", arn)
                     : json_pack("{ss}", "UpdateRuntimeOn", mode);
  /* The answer is built first, so that storing is the last step. */
  json_t *answer = conf ? runtime_answer(f, version, conf) : NULL;
  pthread_mutex_lock(&f->mu);
  json_t *all = aev__fn_settings_locked(f, "runtime");
  rc = !all || !answer ? aev__nomem() : aev__fn_check(f);
  if (rc == AEV_OK && json_object_set(all, version, conf)) rc = aev__nomem();
  pthread_mutex_unlock(&f->mu);
  if (rc == AEV_OK) *resp = answer;
  else json_decref(answer);
  json_decref(conf);
  aev_function_release(f);
  return rc;
}
