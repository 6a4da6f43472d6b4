/* The code signing actions of the "lambda" service: configurations
 * (Create, Get, Update, Delete, ListCodeSigningConfigs) and the one a
 * function uses (Put, Get, DeleteFunctionCodeSigningConfig,
 * ListFunctionsByCodeSigningConfig). Members are checked as Lambda's API
 * reference constrains them, before any lookup, then handed to csc.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "function/csc.h"

#define PUBLISHERS_MAX 20 /* SigningProfileVersionArns: 1-20 ARNs */
#define DESCRIPTION_MAX 256
#define LIST_MAX_ITEMS 10000
#define PUBLISHERS_MEMBER "allowedPublishers.signingProfileVersionArns"

static const char *const policies[] = {"Warn", "Enforce", NULL};

static int not_null(json_t *v, const char *member) {
  if (v && !json_is_null(v)) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value null at '%s' failed to satisfy "
                   "constraint: Member must not be null",
                   member);
}

/* AllowedPublishers: SigningProfileVersionArns, 1-20 ARNs of signing
 * profile versions, each matching the ARN pattern of Lambda's API model;
 * the list is shown as Lambda's front end shows one, "[a, b]". */
static int publishers_check(json_t *ap) {
  if (!json_is_object(ap))
    return aev__fn_invalid("AllowedPublishers must be an object with SigningProfileVersionArns.");
  json_t *arns = json_object_get(ap, "SigningProfileVersionArns"), *v;
  int rc = not_null(arns, PUBLISHERS_MEMBER);
  if (rc == AEV_OK && !json_is_array(arns))
    rc = aev__fn_invalid("SigningProfileVersionArns must be a list of ARNs.");
  if (rc != AEV_OK) return rc;
  char shown[8192] = "[";
  size_t i;
  int ok = 1;
  json_array_foreach(arns, i, v) {
    const char *s = json_string_value(v);
    ok = ok && s && aev__fn_pattern_ok(AEV__FN_PAT_SOURCE_ARN, s);
    snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%s", i ? ", " : "",
             s ? s : "null");
  }
  snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "]");
  const size_t n = json_array_size(arns);
  if (n < 1 || n > PUBLISHERS_MAX)
    return aev__fail_length(shown, PUBLISHERS_MEMBER, n, 1, PUBLISHERS_MAX);
  if (!ok)
    return aev__fail_validation(shown, PUBLISHERS_MEMBER,
                                "Member must satisfy constraint: [Member must satisfy regular "
                                "expression pattern: " AEV__FN_SOURCE_ARN_PATTERN
                                ", Member must not be null]");
  return AEV_OK;
}

/* The members a create or an update gives (each NULL when absent). */
typedef struct csc_members {
  json_t *publishers, *tags;
  const char *policy, *description;
} csc_members;

static int members_of(const aev__api_service *svc, json_t *req, int create, csc_members *m) {
  *m = (csc_members){0};
  json_t *ap = json_object_get(req, "AllowedPublishers"), *cp = NULL;
  if (json_is_null(ap)) ap = NULL;
  int rc = create ? not_null(ap, "allowedPublishers") : AEV_OK;
  if (rc == AEV_OK && ap) rc = publishers_check(ap);
  m->publishers = ap;
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "CodeSigningPolicies", &cp);
  if (rc == AEV_OK && cp)
    rc = aev__fn_enum(svc, cp, "UntrustedArtifactOnDeployment",
                      "codeSigningPolicies.untrustedArtifactOnDeployment", policies, &m->policy);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "Description", &m->description);
  if (rc == AEV_OK && m->description && strlen(m->description) > DESCRIPTION_MAX)
    rc = aev__fail_length(m->description, "description", strlen(m->description), 0,
                          DESCRIPTION_MAX);
  /* Tags: on a create only, checked before anything is stored. */
  if (rc == AEV_OK && create) rc = aev__api_opt_object(svc, req, "Tags", &m->tags);
  if (rc == AEV_OK && m->tags) rc = aev__fn_tags_check(m->tags);
  return rc;
}

/* CodeSigningConfigArn, required and checked against its pattern. */
static int arn_of(const aev__api_service *svc, json_t *req, const char **arn) {
  int rc = not_null(json_object_get(req, "CodeSigningConfigArn"), "codeSigningConfigArn");
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "CodeSigningConfigArn", arn);
  if (rc == AEV_OK) rc = aev__csc_arn_check(*arn);
  return rc;
}

static int wrapped(int rc, json_t *conf, json_t **resp) {
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{so}", "CodeSigningConfig", conf);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__FN_API_ACTION(aev__fn_api_create_csc) {
  csc_members m;
  json_t *conf = NULL;
  int rc = members_of(svc, req, 1, &m);
  if (rc == AEV_OK) rc = aev__csc_create(b, m.publishers, m.policy, m.description, m.tags, &conf);
  return wrapped(rc, conf, resp);
}

AEV__FN_API_ACTION(aev__fn_api_get_csc) {
  const char *arn;
  json_t *conf = NULL;
  int rc = arn_of(svc, req, &arn);
  if (rc == AEV_OK) rc = aev__csc_get(b, arn, &conf);
  return wrapped(rc, conf, resp);
}

AEV__FN_API_ACTION(aev__fn_api_update_csc) {
  const char *arn;
  csc_members m;
  json_t *conf = NULL;
  int rc = arn_of(svc, req, &arn);
  if (rc == AEV_OK) rc = members_of(svc, req, 0, &m);
  if (rc == AEV_OK) rc = aev__csc_update(b, arn, m.publishers, m.policy, m.description, &conf);
  return wrapped(rc, conf, resp);
}

AEV__FN_API_ACTION(aev__fn_api_delete_csc) {
  const char *arn;
  int rc = arn_of(svc, req, &arn);
  if (rc == AEV_OK) rc = aev__csc_delete(b, arn);
  if (rc == AEV_OK && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

AEV__FN_API_ACTION(aev__fn_api_list_cscs) {
  size_t from;
  int64_t max;
  json_t *all = NULL;
  int rc = aev__fn_paging(svc, req, LIST_MAX_ITEMS, &from, &max);
  if (rc == AEV_OK) rc = aev__csc_all(b, &all);
  return rc == AEV_OK ? aev__fn_page(all, "CodeSigningConfigs", from, max, resp) : rc;
}

AEV__FN_API_ACTION(aev__fn_api_list_functions_by_csc) {
  const char *arn;
  size_t from;
  int64_t max;
  json_t *all = NULL;
  int rc = arn_of(svc, req, &arn);
  if (rc == AEV_OK) rc = aev__fn_paging(svc, req, LIST_MAX_ITEMS, &from, &max);
  if (rc == AEV_OK) rc = aev__csc_functions(b, arn, &all);
  return rc == AEV_OK ? aev__fn_page(all, "FunctionArns", from, max, resp) : rc;
}

/* The answer of Put and Get: the configuration and the function's name. */
static int function_answer(aev_function *f, const char *arn, json_t **resp) {
  *resp = json_pack("{ssss}", "CodeSigningConfigArn", arn, "FunctionName", f->res.name);
  return *resp ? AEV_OK : aev__nomem();
}

/* Recorded (test_code_signing_not_found_excs): the configuration is looked
 * up before the function, so a request naming neither that exists is
 * answered CodeSigningConfigNotFoundException. */
AEV__FN_API_ACTION(aev__fn_api_put_function_csc) {
  const char *arn;
  aev_function *f;
  int rc = arn_of(svc, req, &arn);
  if (rc == AEV_OK) rc = aev__csc_deploy_check(b, arn, NULL, 0, 0, 0, NULL);
  if (rc == AEV_OK) rc = aev__fn_api_function(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev__csc_attach(f, arn);
  if (rc == AEV_OK) rc = function_answer(f, arn, resp);
  aev_function_release(f);
  return rc;
}

/* Recorded: a function without one is answered {}. */
AEV__FN_API_ACTION(aev__fn_api_get_function_csc) {
  aev_function *f;
  char *arn = NULL;
  int rc = aev__fn_api_function(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev__csc_used(f, &arn);
  if (rc == AEV_OK && arn) rc = function_answer(f, arn, resp);
  else if (rc == AEV_OK && !(*resp = json_object())) rc = aev__nomem();
  free(arn);
  aev_function_release(f);
  return rc;
}

/* Recorded: a function without one is no error. */
AEV__FN_API_ACTION(aev__fn_api_delete_function_csc) {
  aev_function *f;
  char *arn = NULL;
  int rc = aev__fn_api_function(b, svc, req, &f);
  if (rc != AEV_OK) return rc;
  rc = aev__csc_used(f, &arn);
  if (rc == AEV_OK) rc = aev__fn_check(f);
  if (rc == AEV_OK) aev__csc_detach(f);
  free(arn);
  aev_function_release(f);
  if (rc == AEV_OK && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}
