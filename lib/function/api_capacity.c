/* The capacity provider actions of the "lambda" service (Create, Get,
 * Update, Delete, ListCapacityProviders, ListFunctionVersionsByCapacity-
 * Provider). Members are checked against the constraints of Lambda's API
 * reference (CapacityProvider and its member shapes), every broken one
 * reported at once as Lambda's front end does, before anything is looked
 * up; then handed to capacity.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/verrors.h"
#include "function/capacity.h"

#define NAME_MAX_LEN 140
#define NAME_PATTERN                                                                          \
  "(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-" \
  "provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
#define ROLE_PATTERN "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
#define KMS_PATTERN "arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*"
#define KMS_MAX 10000
#define INSTANCE_TYPE_PATTERN "[a-zA-Z0-9\\.\\-]+"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
#define LIST_MAX 50

static const char *const states[] = {"Pending", "Active", "Failed", "Deleting", NULL};
static const char *const architectures[] = {"x86_64", "arm64", NULL};
static const char *const modes[] = {"Auto", "Manual", NULL};
static const char *const metrics[] = {"LambdaCapacityProviderAverageCPUUtilization", NULL};

/* ---- the checks, each adding what is broken to e ---- */

static int is_null(json_t *v) { return !v || json_is_null(v); }

/* A list shown as Lambda's front end shows one: "[a, b]". */
static void shown_list(json_t *list, char *out, size_t size) {
  size_t i, at = 0;
  json_t *v;
  at += (size_t)snprintf(out, size, "[");
  json_array_foreach(list, i, v) {
    if (at < size)
      at += (size_t)snprintf(out + at, size - at, "%s%s", i ? ", " : "",
                             json_is_string(v) ? json_string_value(v) : "null");
  }
  if (at < size) snprintf(out + at, size - at, "]");
}

static void length_check(aev__verrors *e, const char *value, const char *member, size_t n,
                         size_t min, size_t max) {
  char constraint[96];
  if (n >= min && n <= max) return;
  snprintf(constraint, sizeof constraint, "Member must have length %s %zu",
           n < min ? "greater than or equal to" : "less than or equal to", n < min ? min : max);
  aev__verrors_add(e, value, member, constraint);
}

/* A list of strings of min..max items (wrong types: the service's
 * InvalidParameterValueException at once). */
static int list_check(const aev__api_service *svc, aev__verrors *e, json_t *o, const char *name,
                      const char *member, int required, size_t min, size_t max, json_t **out) {
  *out = NULL;
  json_t *v = json_object_get(o, name), *item;
  if (is_null(v)) {
    if (required) aev__verrors_add(e, NULL, member, "Member must not be null");
    return AEV_OK;
  }
  int rc = aev__api_opt_array(svc, o, name, out);
  size_t i;
  json_array_foreach(v, i, item) {
    if (rc == AEV_OK && !json_is_string(item))
      rc = aev__fn_invalid("Each member of %s must be a string.", name);
  }
  if (rc != AEV_OK) {
    *out = NULL;
    return rc;
  }
  char shown[4096];
  shown_list(v, shown, sizeof shown);
  length_check(e, shown, member, json_array_size(v), min, max);
  return AEV_OK;
}

static void enum_check(aev__verrors *e, const char *v, const char *member,
                       const char *const *names) {
  char constraint[200] = "Member must satisfy enum value set: [";
  for (size_t i = 0; names[i]; i++) {
    if (strcmp(v, names[i]) == 0) return;
    snprintf(constraint + strlen(constraint), sizeof constraint - strlen(constraint), "%s%s",
             i ? ", " : "", names[i]);
  }
  snprintf(constraint + strlen(constraint), sizeof constraint - strlen(constraint), "]");
  aev__verrors_add(e, v, member, constraint);
}

/* An optional (or required) object member; wrong type at once. */
static int object_of(const aev__api_service *svc, aev__verrors *e, json_t *o, const char *name,
                     const char *member, int required, json_t **out) {
  *out = NULL;
  if (required && is_null(json_object_get(o, name)))
    aev__verrors_add(e, NULL, member, "Member must not be null");
  return aev__api_opt_object(svc, o, name, out);
}

/* CapacityProviderName: a name or the provider's ARN. */
static int name_check(const aev__api_service *svc, aev__verrors *e, json_t *req,
                      const char **name) {
  *name = NULL;
  if (is_null(json_object_get(req, "CapacityProviderName"))) {
    aev__verrors_add(e, NULL, "capacityProviderName", "Member must not be null");
    return AEV_OK;
  }
  int rc = aev__api_opt_string(svc, req, "CapacityProviderName", name);
  if (rc != AEV_OK) return rc;
  size_t n = strlen(*name);
  if (n < 1 || n > NAME_MAX_LEN)
    length_check(e, *name, "capacityProviderName", n, 1, NAME_MAX_LEN);
  else if (strspn(*name, NAME_CHARS) != n &&
           !aev__fn_pattern_ok(AEV__FN_PAT_CAPACITY_ARN, *name))
    aev__verrors_add(e, *name, "capacityProviderName",
                     "Member must satisfy regular expression pattern: " NAME_PATTERN);
  return AEV_OK;
}

static int vpc_check(const aev__api_service *svc, aev__verrors *e, json_t *req) {
  json_t *vpc, *list;
  int rc = object_of(svc, e, req, "VpcConfig", "vpcConfig", 1, &vpc);
  if (rc == AEV_OK && vpc)
    rc = list_check(svc, e, vpc, "SubnetIds", "vpcConfig.subnetIds", 1, 1, 16, &list);
  if (rc == AEV_OK && vpc)
    rc = list_check(svc, e, vpc, "SecurityGroupIds", "vpcConfig.securityGroupIds", 1, 0, 5,
                    &list);
  return rc;
}

static int permissions_check(const aev__api_service *svc, aev__verrors *e, json_t *req) {
  json_t *perm;
  const char *role = NULL;
  int rc = object_of(svc, e, req, "PermissionsConfig", "permissionsConfig", 1, &perm);
  if (rc != AEV_OK || !perm) return rc;
  if (is_null(json_object_get(perm, "CapacityProviderOperatorRoleArn")))
    aev__verrors_add(e, NULL, "permissionsConfig.capacityProviderOperatorRoleArn",
                     "Member must not be null");
  else if ((rc = aev__api_opt_string(svc, perm, "CapacityProviderOperatorRoleArn", &role)) ==
               AEV_OK &&
           !aev__fn_pattern_ok(AEV__FN_PAT_ROLE, role))
    aev__verrors_add(e, role, "permissionsConfig.capacityProviderOperatorRoleArn",
                     "Member must satisfy regular expression pattern: " ROLE_PATTERN);
  return rc;
}

/* AllowedInstanceTypes or ExcludedInstanceTypes: 0-400 types of 1-30
 * characters of [a-zA-Z0-9.-]. */
static int instance_types_check(const aev__api_service *svc, aev__verrors *e, json_t *ir,
                                const char *name, const char *member) {
  json_t *list, *v;
  int rc = list_check(svc, e, ir, name, member, 0, 0, 400, &list);
  size_t i;
  json_array_foreach(list, i, v) {
    const char *t = json_string_value(v);
    size_t n = strlen(t);
    if (n < 1 || n > 30 ||
        strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n) {
      char shown[4096];
      shown_list(list, shown, sizeof shown);
      aev__verrors_add(e, shown, member,
                       "Member must satisfy constraint: [Member must have length less than or "
                       "equal to 30, Member must have length greater than or equal to 1, Member "
                       "must satisfy regular expression pattern: " INSTANCE_TYPE_PATTERN "]");
      break;
    }
  }
  return rc;
}

static int instance_requirements_check(const aev__api_service *svc, aev__verrors *e,
                                       json_t *req) {
  json_t *ir, *archs, *v;
  int rc = object_of(svc, e, req, "InstanceRequirements", "instanceRequirements", 0, &ir);
  if (rc != AEV_OK || !ir) return rc;
  rc = list_check(svc, e, ir, "Architectures", "instanceRequirements.architectures", 0, 1, 1,
                  &archs);
  size_t i;
  json_array_foreach(archs, i, v) {
    enum_check(e, json_string_value(v), "instanceRequirements.architectures.member",
               architectures);
  }
  if (rc == AEV_OK)
    rc = instance_types_check(svc, e, ir, "AllowedInstanceTypes",
                              "instanceRequirements.allowedInstanceTypes");
  if (rc == AEV_OK)
    rc = instance_types_check(svc, e, ir, "ExcludedInstanceTypes",
                              "instanceRequirements.excludedInstanceTypes");
  return rc;
}

static void number_check(aev__verrors *e, double v, const char *member, double min,
                         double max, int integer) {
  char shown[64], constraint[96];
  if (v >= min && v <= max) return;
  snprintf(shown, sizeof shown, integer ? "%.0f" : "%g", v);
  snprintf(constraint, sizeof constraint, integer ? "Member must have value %s %.0f"
                                                  : "Member must have value %s %.1f",
           v < min ? "greater than or equal to" : "less than or equal to", v < min ? min : max);
  aev__verrors_add(e, shown, member, constraint);
}

static int policy_check(aev__verrors *e, json_t *p) {
  if (!json_is_object(p)) return aev__fn_invalid("Each scaling policy must be an object.");
  json_t *metric = json_object_get(p, "PredefinedMetricType");
  json_t *target = json_object_get(p, "TargetValue");
  if (is_null(metric))
    aev__verrors_add(e, NULL, "capacityProviderScalingConfig.scalingPolicies.member."
                              "predefinedMetricType",
                     "Member must not be null");
  else if (!json_is_string(metric))
    return aev__fn_invalid("PredefinedMetricType must be a string.");
  else
    enum_check(e, json_string_value(metric),
               "capacityProviderScalingConfig.scalingPolicies.member.predefinedMetricType",
               metrics);
  if (is_null(target))
    aev__verrors_add(e, NULL, "capacityProviderScalingConfig.scalingPolicies.member.targetValue",
                     "Member must not be null");
  else if (!json_is_number(target))
    return aev__fn_invalid("TargetValue must be a number.");
  else
    number_check(e, json_number_value(target),
                 "capacityProviderScalingConfig.scalingPolicies.member.targetValue", 0.0, 100.0,
                 0);
  return AEV_OK;
}

static int scaling_check(const aev__api_service *svc, aev__verrors *e, json_t *req,
                         json_t **out) {
  json_t *sc, *policies = NULL, *p;
  const char *mode = NULL;
  int rc = object_of(svc, e, req, "CapacityProviderScalingConfig",
                     "capacityProviderScalingConfig", 0, &sc);
  *out = sc;
  if (rc != AEV_OK || !sc) return rc;
  json_t *max = json_object_get(sc, "MaxVCpuCount");
  if (!is_null(max) && !json_is_integer(max))
    return aev__fn_invalid("MaxVCpuCount must be an integer.");
  if (json_is_integer(max))
    number_check(e, (double)json_integer_value(max), "capacityProviderScalingConfig.maxVCpuCount",
                 2, 15000, 1);
  rc = aev__api_opt_string(svc, sc, "ScalingMode", &mode);
  if (rc == AEV_OK && mode) enum_check(e, mode, "capacityProviderScalingConfig.scalingMode", modes);
  if (rc == AEV_OK) rc = aev__api_opt_array(svc, sc, "ScalingPolicies", &policies);
  char *shown = policies ? json_dumps(policies, JSON_COMPACT) : NULL;
  if (rc == AEV_OK && policies)
    length_check(e, shown ? shown : "[...]", "capacityProviderScalingConfig.scalingPolicies",
                 json_array_size(policies), 1, 10);
  free(shown);
  size_t i;
  json_array_foreach(policies, i, p) {
    if (rc == AEV_OK) rc = policy_check(e, p);
  }
  return rc;
}

/* What the guide asks of a scaling configuration beyond each member's
 * constraint: Manual mode scales by the policies given, Auto by Lambda's
 * own, so policies come with Manual and only with it (our wording). */
static int scaling_rules(json_t *sc) {
  const char *mode = json_string_value(json_object_get(sc, "ScalingMode"));
  const int manual = mode && strcmp(mode, "Manual") == 0;
  const int policies = json_array_size(json_object_get(sc, "ScalingPolicies")) > 0;
  if (manual && !policies)
    return aev__fn_invalid("ScalingPolicies are required when ScalingMode is Manual.");
  if (!manual && policies)
    return aev__fn_invalid("ScalingPolicies can be given only when ScalingMode is Manual.");
  return AEV_OK;
}

static int kms_check(const aev__api_service *svc, aev__verrors *e, json_t *req,
                     const char **kms) {
  *kms = NULL;
  int rc = aev__api_opt_string(svc, req, "KmsKeyArn", kms);
  if (rc != AEV_OK || !*kms) return rc;
  size_t n = strlen(*kms);
  if (n > KMS_MAX) length_check(e, *kms, "kmsKeyArn", n, 0, KMS_MAX);
  else if (!aev__fn_pattern_ok(AEV__FN_PAT_KMS, *kms))
    aev__verrors_add(e, *kms, "kmsKeyArn",
                     "Member must satisfy regular expression pattern: " KMS_PATTERN);
  return AEV_OK;
}

/* CapacityProviderName of a request that names an existing provider. */
static int named(const aev__api_service *svc, json_t *req, const char **name) {
  aev__verrors e = {0};
  int rc = name_check(svc, &e, req, name);
  return rc == AEV_OK ? aev__verrors_fail(&e) : rc;
}

static int wrapped(int rc, json_t *cp, json_t **resp) {
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{so}", "CapacityProvider", cp);
  return *resp ? AEV_OK : aev__nomem();
}

/* The provider's members as it is stored and answered: what the request
 * gives, with the defaults Lambda reports for what it leaves out (our
 * choice: x86_64 instances, Auto scaling). */
static json_t *members_of(json_t *req, json_t *sc, const char *kms) {
  json_t *vpc = json_object_get(req, "VpcConfig");
  json_t *ir = json_object_get(req, "InstanceRequirements");
  json_t *groups = json_object_get(vpc, "SecurityGroupIds");
  json_t *o = json_pack("{s{sOso}sO}", "VpcConfig", "SubnetIds",
                        json_object_get(vpc, "SubnetIds"), "SecurityGroupIds",
                        groups && !json_is_null(groups) ? json_incref(groups) : json_array(),
                        "PermissionsConfig", json_object_get(req, "PermissionsConfig"));
  json_t *irc = json_is_object(ir) ? json_deep_copy(ir) : json_object();
  if (irc && !json_object_get(irc, "Architectures"))
    aev__fn_put(&irc, "Architectures", json_pack("[s]", "x86_64"));
  aev__fn_put(&o, "InstanceRequirements", irc);
  json_t *scc = sc ? json_deep_copy(sc) : json_object();
  if (scc && !json_object_get(scc, "ScalingMode"))
    aev__fn_put(&scc, "ScalingMode", json_string("Auto"));
  aev__fn_put(&o, "CapacityProviderScalingConfig", scc);
  if (kms) aev__fn_put(&o, "KmsKeyArn", json_string(kms));
  return o;
}

AEV__FN_API_ACTION(aev__fn_api_create_capacity_provider) {
  aev__verrors e = {0};
  const char *name, *kms;
  json_t *sc = NULL, *tags = NULL;
  int rc = name_check(svc, &e, req, &name);
  if (rc == AEV_OK) rc = vpc_check(svc, &e, req);
  if (rc == AEV_OK) rc = permissions_check(svc, &e, req);
  if (rc == AEV_OK) rc = instance_requirements_check(svc, &e, req);
  if (rc == AEV_OK) rc = scaling_check(svc, &e, req, &sc);
  if (rc == AEV_OK) rc = kms_check(svc, &e, req, &kms);
  if (rc == AEV_OK) rc = aev__verrors_fail(&e);
  if (rc == AEV_OK && sc) rc = scaling_rules(sc);
  json_t *ir = json_object_get(req, "InstanceRequirements");
  if (rc == AEV_OK && json_array_size(json_object_get(ir, "AllowedInstanceTypes")) &&
      json_array_size(json_object_get(ir, "ExcludedInstanceTypes")))
    rc = aev__fn_invalid("AllowedInstanceTypes and ExcludedInstanceTypes cannot both be given.");
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Tags", &tags);
  if (rc == AEV_OK && tags) rc = aev__fn_tags_check(tags);
  if (rc != AEV_OK) return rc;
  /* Named by its ARN, a provider is created under the name the ARN ends
   * with. */
  const char *part = strstr(name, ":capacity-provider:");
  if (part) name = part + strlen(":capacity-provider:");
  json_t *conf = members_of(req, sc, kms), *cp = NULL;
  rc = conf ? aev__cap_create(b, name, conf, tags, &cp) : aev__nomem();
  json_decref(conf);
  return wrapped(rc, cp, resp);
}

AEV__FN_API_ACTION(aev__fn_api_get_capacity_provider) {
  const char *name;
  json_t *cp = NULL;
  int rc = named(svc, req, &name);
  if (rc == AEV_OK) rc = aev__cap_get(b, name, &cp);
  return wrapped(rc, cp, resp);
}

AEV__FN_API_ACTION(aev__fn_api_update_capacity_provider) {
  aev__verrors e = {0};
  const char *name;
  json_t *sc = NULL, *cp = NULL;
  int rc = name_check(svc, &e, req, &name);
  if (rc == AEV_OK) rc = scaling_check(svc, &e, req, &sc);
  if (rc == AEV_OK) rc = aev__verrors_fail(&e);
  if (rc == AEV_OK && sc) rc = scaling_rules(sc);
  json_t *full = sc ? json_deep_copy(sc) : NULL;
  if (full && !json_object_get(full, "ScalingMode"))
    aev__fn_put(&full, "ScalingMode", json_string("Auto"));
  if (rc == AEV_OK && sc && !full) rc = aev__nomem();
  if (rc == AEV_OK) rc = aev__cap_update(b, name, full, &cp);
  json_decref(full);
  return wrapped(rc, cp, resp);
}

AEV__FN_API_ACTION(aev__fn_api_delete_capacity_provider) {
  const char *name;
  json_t *cp = NULL;
  int rc = named(svc, req, &name);
  if (rc == AEV_OK) rc = aev__cap_delete(b, name, &cp);
  return wrapped(rc, cp, resp);
}

AEV__FN_API_ACTION(aev__fn_api_list_capacity_providers) {
  const char *state = NULL;
  size_t from;
  int64_t max;
  json_t *all = NULL;
  int rc = aev__fn_enum(svc, req, "State", "state", states, &state);
  if (rc == AEV_OK) rc = aev__fn_paging(svc, req, LIST_MAX, &from, &max);
  if (rc == AEV_OK) rc = aev__cap_list(b, state, &all);
  return rc == AEV_OK ? aev__fn_page(all, "CapacityProviders", from, max, resp) : rc;
}

AEV__FN_API_ACTION(aev__fn_api_list_versions_by_capacity_provider) {
  const char *name;
  size_t from;
  int64_t max;
  json_t *found = NULL;
  int rc = named(svc, req, &name);
  if (rc == AEV_OK) rc = aev__fn_paging(svc, req, LIST_MAX, &from, &max);
  if (rc == AEV_OK) rc = aev__cap_versions(b, name, &found);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_page(json_incref(json_object_get(found, "FunctionVersions")), "FunctionVersions",
                    from, max, resp);
  if (rc == AEV_OK)
    aev__fn_put(resp, "CapacityProviderArn",
                json_incref(json_object_get(found, "CapacityProviderArn")));
  json_decref(found);
  return rc != AEV_OK ? rc : *resp ? AEV_OK : aev__nomem();
}
