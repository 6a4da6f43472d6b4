/* PutFunctionScalingConfig and GetFunctionScalingConfig: the minimum and
 * maximum execution environments of a published version that runs on a
 * capacity provider, kept per version under the function's settings
 * ("scaling"). Nothing runs on instances here, so the requested
 * configuration is applied at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/verrors.h"
#include "function/capacity.h"

#define ENVS_MAX 15000
#define QUALIFIER_MAX 128
#define QUALIFIER_PATTERN "(\\$LATEST\\.PUBLISHED|[0-9]+)"
/* Our choice: what a version has before any Put, the defaults the AWS SAM
 * FunctionScalingConfig property documents (3 and 3). */
#define ENVS_DEFAULT 3

/* Qualifier: required, 1-128 characters, a version number or
 * $LATEST.PUBLISHED (PublishedFunctionQualifier). */
static int qualifier_of(const aev__api_service *svc, json_t *req, const char **q) {
  json_t *v = json_object_get(req, "Qualifier");
  if (!v || json_is_null(v))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value null at 'qualifier' failed to satisfy "
                     "constraint: Member must not be null");
  int rc = aev__api_req_string(svc, req, "Qualifier", q);
  if (rc != AEV_OK) return rc;
  size_t n = strlen(*q);
  if (n < 1 || n > QUALIFIER_MAX) return aev__fail_length(*q, "qualifier", n, 1, QUALIFIER_MAX);
  if (strcmp(*q, "$LATEST.PUBLISHED") && strspn(*q, "0123456789") != n)
    return aev__fail_validation(
        *q, "qualifier", "Member must satisfy regular expression pattern: " QUALIFIER_PATTERN);
  return AEV_OK;
}

/* The function and the version the request names, which must run on a
 * capacity provider; *conf is the version's snapshot (counted). No
 * $LATEST.PUBLISHED version is ever published here, so it names none. */
static int version_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                      aev_function **f, const char **q, aev__fconf **conf) {
  char buf[512];
  const char *named;
  int rc = qualifier_of(svc, req, q);
  if (rc == AEV_OK) rc = aev__fn_api_target(b, svc, req, f, &named, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  if (strcmp(*q, "$LATEST.PUBLISHED") == 0)
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Function not found: %s:%s",
                   aev_function_arn(*f), *q);
  else rc = aev__fn_conf_of(*f, *q, conf);
  if (rc == AEV_OK && !aev__cap_arn_of((*conf)->doc)) {
    aev__fconf_unref(*conf);
    rc = aev__fn_invalid("Function scaling configurations apply only to versions of functions "
                         "that use a capacity provider; %s:%s does not.",
                         aev_function_arn(*f), *q);
  }
  if (rc != AEV_OK) aev_function_release(*f);
  return rc;
}

/* One member of FunctionScalingConfig: absent keeps *out. */
static int envs_member(aev__verrors *e, json_t *sc, const char *name, const char *member,
                       long long *out) {
  json_t *v = json_object_get(sc, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_integer(v)) return aev__fn_invalid("%s must be an integer.", name);
  long long n = json_integer_value(v);
  char shown[32];
  snprintf(shown, sizeof shown, "%lld", n);
  if (n < 0)
    aev__verrors_add(e, shown, member, "Member must have value greater than or equal to 0");
  else if (n > ENVS_MAX)
    aev__verrors_add(e, shown, member, "Member must have value less than or equal to 15000");
  *out = n;
  return AEV_OK;
}

static json_t *envs_json(long long min, long long max) {
  return json_pack("{sIsI}", "MinExecutionEnvironments", (json_int_t)min,
                   "MaxExecutionEnvironments", (json_int_t)max);
}

AEV__FN_API_ACTION(aev__fn_api_put_scaling_config) {
  aev_function *f;
  aev__fconf *conf;
  const char *q;
  json_t *sc = NULL;
  int rc = aev__api_opt_object(svc, req, "FunctionScalingConfig", &sc);
  if (rc == AEV_OK) rc = version_of(b, svc, req, &f, &q, &conf);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  json_t *kept = json_object_get(json_object_get(f->settings, "scaling"), q);
  long long min = kept ? json_integer_value(json_object_get(kept, "MinExecutionEnvironments"))
                       : ENVS_DEFAULT;
  long long max = kept ? json_integer_value(json_object_get(kept, "MaxExecutionEnvironments"))
                       : ENVS_DEFAULT;
  pthread_mutex_unlock(&f->mu);
  aev__verrors e = {0};
  rc = envs_member(&e, sc, "MinExecutionEnvironments",
                   "functionScalingConfig.minExecutionEnvironments", &min);
  if (rc == AEV_OK)
    rc = envs_member(&e, sc, "MaxExecutionEnvironments",
                     "functionScalingConfig.maxExecutionEnvironments", &max);
  if (rc == AEV_OK) rc = aev__verrors_fail(&e);
  if (rc == AEV_OK && min > max)
    rc = aev__fn_invalid("MinExecutionEnvironments (%lld) must not be greater than "
                         "MaxExecutionEnvironments (%lld).",
                         min, max);
  json_t *next = rc == AEV_OK ? envs_json(min, max) : NULL;
  if (rc == AEV_OK && !next) rc = aev__nomem();
  if (rc == AEV_OK) {
    pthread_mutex_lock(&f->mu);
    json_t *all = aev__fn_settings_locked(f, "scaling");
    rc = aev__fn_check(f);
    if (rc == AEV_OK && (!all || json_object_set(all, q, next))) rc = aev__nomem();
    pthread_mutex_unlock(&f->mu);
  }
  json_decref(next);
  if (rc == AEV_OK)
    *resp = json_pack("{ss}", "FunctionState",
                      aev__cap_version_state(b, aev__cap_arn_of(conf->doc)));
  if (rc == AEV_OK && !*resp) rc = aev__nomem();
  aev__fconf_unref(conf);
  aev_function_release(f);
  return rc;
}

/* Applied: what the version runs with (the defaults before any Put);
 * Requested: what a Put asked for, absent before one. */
AEV__FN_API_ACTION(aev__fn_api_get_scaling_config) {
  aev_function *f;
  aev__fconf *conf;
  const char *q;
  int rc = version_of(b, svc, req, &f, &q, &conf);
  if (rc != AEV_OK) return rc;
  aev__fconf_unref(conf);
  pthread_mutex_lock(&f->mu);
  json_t *kept = json_deep_copy(json_object_get(json_object_get(f->settings, "scaling"), q));
  pthread_mutex_unlock(&f->mu);
  json_t *applied = kept ? json_incref(kept) : envs_json(ENVS_DEFAULT, ENVS_DEFAULT);
  char *arn = aev__function_qualified_arn(f, q);
  *resp = arn && applied ? json_pack("{sssO}", "FunctionArn", arn, "AppliedFunctionScalingConfig",
                                     applied)
                         : NULL;
  if (kept) aev__fn_put(resp, "RequestedFunctionScalingConfig", json_incref(kept));
  free(arn);
  json_decref(applied);
  json_decref(kept);
  aev_function_release(f);
  return *resp ? AEV_OK : aev__nomem();
}
