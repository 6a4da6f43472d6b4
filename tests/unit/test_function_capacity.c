/* Lambda Managed Instances through aev_call: capacity providers (Create,
 * Get, Update, Delete, List, ListFunctionVersionsByCapacityProvider, tags,
 * their states on the broker clock, the account quota), functions with a
 * CapacityProviderConfig (what they may be, their state while the capacity
 * is provided, the versions quota) and Put / GetFunctionScalingConfig.
 * Every refused request is checked to change nothing, and so is every
 * request that runs out of memory. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "aevtest.h"
#include "function_support.h"
#include "nomem.h"

#define ROLE "arn:aws:iam::000000000000:role/operator"
#define CP_ARN "arn:aws:lambda:us-east-1:000000000000:capacity-provider:"
#define FN_ARN "arn:aws:lambda:us-east-1:000000000000:function:"
#define VPC "\"VpcConfig\":{\"SubnetIds\":[\"subnet-1\"],\"SecurityGroupIds\":[\"sg-1\"]}"
#define PERMS "\"PermissionsConfig\":{\"CapacityProviderOperatorRoleArn\":\"" ROLE "\"}"
#define USES(name) \
  "\"CapacityProviderConfig\":{\"LambdaManagedInstancesCapacityProviderConfig\":" \
  "{\"CapacityProviderArn\":\"" CP_ARN name "\"}}"

static aev_broker *b;
static ft_state st;

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
}
static void teardown(void) { aev_broker_destroy(b); }

/* CreateCapacityProvider of name with extra members (may be ""). */
static json_t *create_provider(const char *name, const char *extra) {
  char req[2048];
  snprintf(req, sizeof req, "{\"CapacityProviderName\":\"%s\"," VPC "," PERMS "%s%s}", name,
           *extra ? "," : "", extra);
  return ft_call(b, "CreateCapacityProvider", req);
}

static json_t *get_provider(const char *name) {
  char req[256];
  snprintf(req, sizeof req, "{\"CapacityProviderName\":\"%s\"}", name);
  json_t *o = ft_call(b, "GetCapacityProvider", req);
  json_t *cp = json_incref(json_object_get(o, "CapacityProvider"));
  json_decref(o);
  return cp;
}

static const char *state(json_t *cp) { return json_string_value(json_object_get(cp, "State")); }

static void assert_state(const char *name, const char *want) {
  json_t *cp = get_provider(name);
  ck_assert_str_eq(state(cp), want);
  json_decref(cp);
}

/* A provider made Active. */
static void active_provider(const char *name) {
  json_decref(create_provider(name, ""));
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  assert_state(name, "Active");
}

static char *all_providers(void) {
  char *out = NULL;
  ck_assert_int_eq(aev_call(b, "lambda", "ListCapacityProviders", "{}", &out), AEV_OK);
  return out;
}

static size_t count_providers(void) {
  json_t *o = ft_call(b, "ListCapacityProviders", "{}");
  size_t n = json_array_size(json_object_get(o, "CapacityProviders"));
  json_decref(o);
  return n;
}

/* CreateFunction of name (running app.handler) with extra members. */
static int create_function(const char *name, const char *runtime, const char *extra) {
  char req[1024], *out = NULL;
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"%s\",\"Handler\":\"app.handler\",\"Runtime\":\"%s\","
           "\"Role\":\"arn:aws:iam::000000000000:role/r\"%s%s}",
           name, runtime, *extra ? "," : "", extra);
  int rc = aev_call(b, "lambda", "CreateFunction", req, &out);
  ck_assert_msg(rc == AEV_OK, "%s", out);
  aev_free(out);
  return rc;
}

static json_t *config_of(const char *name, const char *qualifier) {
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\"%s%s%s}", name,
           qualifier ? ",\"Qualifier\":\"" : "", qualifier ? qualifier : "",
           qualifier ? "\"" : "");
  return ft_call(b, "GetFunctionConfiguration", req);
}

static char *config_text(const char *name) {
  char req[128], *out = NULL;
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\"}", name);
  ck_assert_int_eq(aev_call(b, "lambda", "GetFunctionConfiguration", req, &out), AEV_OK);
  return out;
}

/* ---- capacity providers ---- */

START_TEST(create_answers_pending_then_active) {
  json_t *o = create_provider("cp1", "\"KmsKeyArn\":\"arn:aws:kms:us-east-1:000000000000:key/k\"");
  json_t *cp = json_object_get(o, "CapacityProvider");
  ck_assert_str_eq(json_string_value(json_object_get(cp, "CapacityProviderArn")), CP_ARN "cp1");
  ck_assert_str_eq(state(cp), "Pending");
  ck_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(json_object_get(cp, "VpcConfig"), "SubnetIds"), 0)),
                   "subnet-1");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(cp, "PermissionsConfig"),
                                                     "CapacityProviderOperatorRoleArn")),
                   ROLE);
  /* Our defaults for what the request leaves out. */
  ck_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(json_object_get(cp, "InstanceRequirements"),
                                       "Architectures"), 0)),
                   "x86_64");
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(cp, "CapacityProviderScalingConfig"), "ScalingMode")),
                   "Auto");
  ck_assert_str_eq(json_string_value(json_object_get(cp, "KmsKeyArn")),
                   "arn:aws:kms:us-east-1:000000000000:key/k");
  ck_assert_str_eq(json_string_value(json_object_get(cp, "LastModified")),
                   "2024-01-01T00:00:00.000+0000");
  /* Get by name and by ARN answers the same. */
  json_t *g = get_provider("cp1");
  ck_assert(json_equal(g, cp));
  json_decref(g);
  g = get_provider(CP_ARN "cp1");
  ck_assert(json_equal(g, cp));
  json_decref(g);
  json_decref(o);
  /* Pending for 60 s on the broker clock, then Active: one timer. */
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_OK);
  ck_assert_int_eq(next, aev_broker_now_ms(b) + 60000);
  ck_assert_int_eq(aev_broker_advance(b, 59999), AEV_OK);
  assert_state("cp1", "Pending");
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  assert_state("cp1", "Active");
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_ERR_NOT_FOUND);
}
END_TEST

START_TEST(create_members_as_given) {
  json_t *o = create_provider(
      "cp2",
      "\"InstanceRequirements\":{\"Architectures\":[\"arm64\"],"
      "\"AllowedInstanceTypes\":[\"m7g.large\",\"c7g.xlarge\"]},"
      "\"CapacityProviderScalingConfig\":{\"MaxVCpuCount\":64,\"ScalingMode\":\"Manual\","
      "\"ScalingPolicies\":[{\"PredefinedMetricType\":"
      "\"LambdaCapacityProviderAverageCPUUtilization\",\"TargetValue\":55.5}]}");
  json_t *cp = json_object_get(o, "CapacityProvider");
  json_t *ir = json_object_get(cp, "InstanceRequirements");
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ir, "Architectures"), 0)),
                   "arm64");
  ck_assert_int_eq(json_array_size(json_object_get(ir, "AllowedInstanceTypes")), 2);
  json_t *sc = json_object_get(cp, "CapacityProviderScalingConfig");
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "MaxVCpuCount")), 64);
  ck_assert_str_eq(json_string_value(json_object_get(sc, "ScalingMode")), "Manual");
  ck_assert(json_real_value(json_object_get(json_array_get(json_object_get(sc, "ScalingPolicies"),
                                                           0),
                                            "TargetValue")) == 55.5);
  ck_assert_ptr_null(json_object_get(cp, "KmsKeyArn"));
  json_decref(o);
  /* Named by its ARN, it is created under the name the ARN ends with. */
  json_decref(create_provider(CP_ARN "by-arn", ""));
  assert_state("by-arn", "Pending");
}
END_TEST

/* Lambda's front end reports every broken constraint at once. */
START_TEST(create_reports_every_broken_member) {
  ft_call_err(b, "CreateCapacityProvider", "{}", "ValidationException",
              "3 validation errors detected: Value null at 'capacityProviderName' failed to "
              "satisfy constraint: Member must not be null; Value null at 'vpcConfig' failed to "
              "satisfy constraint: Member must not be null; Value null at 'permissionsConfig' "
              "failed to satisfy constraint: Member must not be null");
  ft_call_err(b, "CreateCapacityProvider",
              "{\"CapacityProviderName\":\"bad name\",\"VpcConfig\":{\"SubnetIds\":[],"
              "\"SecurityGroupIds\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]},"
              "\"PermissionsConfig\":{\"CapacityProviderOperatorRoleArn\":\"role\"},"
              "\"CapacityProviderScalingConfig\":{\"MaxVCpuCount\":1,\"ScalingMode\":\"Often\"},"
              "\"KmsKeyArn\":\"key\"}",
              "ValidationException",
              "7 validation errors detected: Value 'bad name' at 'capacityProviderName' failed "
              "to satisfy constraint: Member must satisfy regular expression pattern: "
              "(arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
              "capacity-provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+; Value '[]' at "
              "'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length "
              "greater than or equal to 1; Value '[a, b, c, d, e, f]' at "
              "'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length "
              "less than or equal to 5; Value 'role' at "
              "'permissionsConfig.capacityProviderOperatorRoleArn' failed to satisfy constraint: "
              "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:"
              "role/?[a-zA-Z_0-9+=,.@\\-_/]+; Value '1' at "
              "'capacityProviderScalingConfig.maxVCpuCount' failed to satisfy constraint: Member "
              "must have value greater than or equal to 2; Value 'Often' at "
              "'capacityProviderScalingConfig.scalingMode' failed to satisfy constraint: Member "
              "must satisfy enum value set: [Auto, Manual]; Value 'key' at 'kmsKeyArn' failed to "
              "satisfy constraint: Member must satisfy regular expression pattern: "
              "arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*");
  ck_assert_int_eq(count_providers(), 0);
}
END_TEST

/* Each refusal alone, with the request's other members valid: the code
 * and a part of the message. */
START_TEST(create_refusals_store_nothing) {
  char long_name[160];
  memset(long_name, 'n', 141);
  long_name[141] = '\0';
  char long_type[40];
  memset(long_type, 't', 31);
  long_type[31] = '\0';
  char subnets[1024] = "[";
  for (int i = 0; i < 17; i++)
    snprintf(subnets + strlen(subnets), sizeof subnets - strlen(subnets), "%s\"s%d\"",
             i ? "," : "", i);
  strcat(subnets, "]");
  struct {
    const char *members, *code, *msg;
  } cases[] = {
      {"", "ValidationException", "Member must have length less than or equal to 140"},
      {"\"InstanceRequirements\":{\"Architectures\":[\"x86_64\",\"arm64\"]}",
       "ValidationException",
       "'instanceRequirements.architectures' failed to satisfy constraint: Member must have "
       "length less than or equal to 1"},
      {"\"InstanceRequirements\":{\"Architectures\":[\"sparc\"]}", "ValidationException",
       "Value 'sparc' at 'instanceRequirements.architectures.member' failed to satisfy "
       "constraint: Member must satisfy enum value set: [x86_64, arm64]"},
      {"\"InstanceRequirements\":{\"Architectures\":[]}", "ValidationException",
       "Member must have length greater than or equal to 1"},
      {"\"InstanceRequirements\":{\"ExcludedInstanceTypes\":[\"m5_large\"]}",
       "ValidationException",
       "Value '[m5_large]' at 'instanceRequirements.excludedInstanceTypes' failed to satisfy "
       "constraint: Member must satisfy constraint: [Member must have length less than or equal "
       "to 30"},
      {NULL, "ValidationException", "'instanceRequirements.allowedInstanceTypes'"},
      {"\"CapacityProviderScalingConfig\":{\"MaxVCpuCount\":15001}", "ValidationException",
       "Value '15001' at 'capacityProviderScalingConfig.maxVCpuCount' failed to satisfy "
       "constraint: Member must have value less than or equal to 15000"},
      {"\"CapacityProviderScalingConfig\":{\"ScalingMode\":\"Manual\",\"ScalingPolicies\":[]}",
       "ValidationException",
       "Value '[]' at 'capacityProviderScalingConfig.scalingPolicies' failed to satisfy "
       "constraint: Member must have length greater than or equal to 1"},
      {"\"CapacityProviderScalingConfig\":{\"ScalingMode\":\"Manual\",\"ScalingPolicies\":[{}]}",
       "ValidationException",
       "2 validation errors detected: Value null at "
       "'capacityProviderScalingConfig.scalingPolicies.member.predefinedMetricType'"},
      {"\"CapacityProviderScalingConfig\":{\"ScalingMode\":\"Manual\",\"ScalingPolicies\":"
       "[{\"PredefinedMetricType\":\"Memory\",\"TargetValue\":101}]}",
       "ValidationException",
       "Value 'Memory' at "
       "'capacityProviderScalingConfig.scalingPolicies.member.predefinedMetricType' failed to "
       "satisfy constraint: Member must satisfy enum value set: "
       "[LambdaCapacityProviderAverageCPUUtilization]; Value '101' at "
       "'capacityProviderScalingConfig.scalingPolicies.member.targetValue' failed to satisfy "
       "constraint: Member must have value less than or equal to 100.0"},
      {"\"CapacityProviderScalingConfig\":{\"ScalingMode\":\"Manual\"}",
       "InvalidParameterValueException",
       "ScalingPolicies are required when ScalingMode is Manual."},
      {"\"CapacityProviderScalingConfig\":{\"ScalingPolicies\":[{\"PredefinedMetricType\":"
       "\"LambdaCapacityProviderAverageCPUUtilization\",\"TargetValue\":50}]}",
       "InvalidParameterValueException",
       "ScalingPolicies can be given only when ScalingMode is Manual."},
      {"\"InstanceRequirements\":{\"AllowedInstanceTypes\":[\"m7g.large\"],"
       "\"ExcludedInstanceTypes\":[\"c7g.large\"]}",
       "InvalidParameterValueException",
       "AllowedInstanceTypes and ExcludedInstanceTypes cannot both be given."},
      {"\"Tags\":{\"aws:x\":\"y\"}", "InvalidParameterValueException",
       "Tag keys starting with aws: are reserved"},
      {"\"CapacityProviderScalingConfig\":{\"MaxVCpuCount\":\"8\"}",
       "InvalidParameterValueException", "MaxVCpuCount must be an integer."},
      {"\"InstanceRequirements\":{\"AllowedInstanceTypes\":[1]}",
       "InvalidParameterValueException", "Each member of AllowedInstanceTypes must be a string."},
  };
  char req[4096], extra[1024];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *members = cases[i].members;
    if (!members) {
      snprintf(extra, sizeof extra, "\"InstanceRequirements\":{\"AllowedInstanceTypes\":"
                                    "[\"%s\"]}", long_type);
      members = extra;
    }
    snprintf(req, sizeof req, "{\"CapacityProviderName\":\"%s\"," VPC "," PERMS "%s%s}",
             i == 0 ? long_name : "cp", *members ? "," : "", members);
    ft_call_err(b, "CreateCapacityProvider", req, cases[i].code, cases[i].msg);
  }
  snprintf(req, sizeof req,
           "{\"CapacityProviderName\":\"cp\",\"VpcConfig\":{\"SubnetIds\":%s,"
           "\"SecurityGroupIds\":[]}," PERMS "}",
           subnets);
  ft_call_err(b, "CreateCapacityProvider", req, "ValidationException",
              "'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less "
              "than or equal to 16");
  ft_call_err(b, "CreateCapacityProvider",
              "{\"CapacityProviderName\":\"cp\",\"VpcConfig\":{\"SubnetIds\":[\"s\"]}," PERMS "}",
              "ValidationException",
              "Value null at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member "
              "must not be null");
  ft_call_err(b, "CreateCapacityProvider",
              "{\"CapacityProviderName\":\"cp\"," VPC ",\"PermissionsConfig\":{}}",
              "ValidationException",
              "Value null at 'permissionsConfig.capacityProviderOperatorRoleArn'");
  ck_assert_int_eq(count_providers(), 0);
  /* The same request, valid, is taken. */
  json_decref(create_provider("cp", ""));
  ck_assert_int_eq(count_providers(), 1);
}
END_TEST

START_TEST(names_are_unique_and_arns_local) {
  json_decref(create_provider("cp", ""));
  char *before = all_providers();
  ft_call_err(b, "CreateCapacityProvider",
              "{\"CapacityProviderName\":\"cp\"," VPC "," PERMS
              ",\"InstanceRequirements\":{\"Architectures\":[\"arm64\"]}}",
              "ResourceConflictException", "Capacity provider cp already exists.");
  char *after = all_providers();
  ck_assert_str_eq(before, after);
  aev_free(before);
  aev_free(after);
  ft_call_err(b, "GetCapacityProvider", "{\"CapacityProviderName\":\"nope\"}",
              "ResourceNotFoundException", "Capacity provider not found: nope");
  ft_call_err(b, "GetCapacityProvider",
              "{\"CapacityProviderName\":\"arn:aws:lambda:us-west-2:000000000000:"
              "capacity-provider:cp\"}",
              "ResourceNotFoundException", "Capacity provider not found: arn:aws:lambda:us-west-2");
  ft_call_err(b, "GetCapacityProvider", "{\"CapacityProviderName\":\"c p\"}",
              "ValidationException", "Value 'c p' at 'capacityProviderName'");
  ft_call_err(b, "GetCapacityProvider", "{}", "ValidationException",
              "Value null at 'capacityProviderName'");
}
END_TEST

/* "Lambda Managed Instances quotas": 1,000 capacity providers an account. */
START_TEST(account_quota) {
  char name[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "cp%d", i);
    json_decref(create_provider(name, ""));
  }
  ft_call_err(b, "CreateCapacityProvider",
              "{\"CapacityProviderName\":\"one-more\"," VPC "," PERMS "}",
              "CapacityProviderLimitExceededException",
              "maximum number of capacity providers (1000)");
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  json_t *o = ft_call(b, "ListCapacityProviders", "{\"State\":\"Pending\"}");
  ck_assert_int_eq(json_array_size(json_object_get(o, "CapacityProviders")), 0);
  json_decref(o);
  ft_call_err(b, "GetCapacityProvider", "{\"CapacityProviderName\":\"one-more\"}",
              "ResourceNotFoundException", "one-more");
}
END_TEST

START_TEST(update_replaces_the_scaling_config) {
  json_decref(create_provider("cp", ""));
  const char *req =
      "{\"CapacityProviderName\":\"cp\",\"CapacityProviderScalingConfig\":{\"MaxVCpuCount\":"
      "32}}";
  ft_call_err(b, "UpdateCapacityProvider", req, "ResourceConflictException",
              "The capacity provider cp is Pending; it can be changed once it is Active.");
  ck_assert_int_eq(aev_broker_advance(b, 61500), AEV_OK);
  json_t *o = ft_call(b, "UpdateCapacityProvider", req);
  json_t *cp = json_object_get(o, "CapacityProvider");
  json_t *sc = json_object_get(cp, "CapacityProviderScalingConfig");
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "MaxVCpuCount")), 32);
  ck_assert_str_eq(json_string_value(json_object_get(sc, "ScalingMode")), "Auto");
  ck_assert_str_eq(state(cp), "Active");
  ck_assert_str_eq(json_string_value(json_object_get(cp, "LastModified")),
                   "2024-01-01T00:01:01.500+0000");
  json_t *g = get_provider("cp");
  ck_assert(json_equal(g, cp));
  json_decref(g);
  json_decref(o);
  /* Refused updates change nothing. */
  char *before = all_providers();
  ft_call_err(b, "UpdateCapacityProvider",
              "{\"CapacityProviderName\":\"cp\",\"CapacityProviderScalingConfig\":"
              "{\"MaxVCpuCount\":0,\"ScalingMode\":\"Never\"}}",
              "ValidationException", "2 validation errors detected");
  ft_call_err(b, "UpdateCapacityProvider",
              "{\"CapacityProviderName\":\"cp\",\"CapacityProviderScalingConfig\":{\"ScalingMode\":"
              "\"Manual\"}}",
              "InvalidParameterValueException", "ScalingPolicies are required");
  ft_call_err(b, "UpdateCapacityProvider", "{\"CapacityProviderName\":\"other\"}",
              "ResourceNotFoundException", "Capacity provider not found: other");
  char *after = all_providers();
  ck_assert_str_eq(before, after);
  aev_free(before);
  aev_free(after);
  /* Without a scaling config: only LastModified moves. */
  o = ft_call(b, "UpdateCapacityProvider", "{\"CapacityProviderName\":\"" CP_ARN "cp\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(
                       json_object_get(json_object_get(o, "CapacityProvider"),
                                       "CapacityProviderScalingConfig"),
                       "MaxVCpuCount")),
                   32);
  json_decref(o);
}
END_TEST

START_TEST(delete_shows_deleting_then_goes) {
  active_provider("cp");
  json_t *o = ft_call(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}");
  ck_assert_str_eq(state(json_object_get(o, "CapacityProvider")), "Deleting");
  json_decref(o);
  assert_state("cp", "Deleting");
  ft_call_err(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}",
              "ResourceConflictException", "The capacity provider cp is being deleted.");
  ft_call_err(b, "UpdateCapacityProvider", "{\"CapacityProviderName\":\"cp\"}",
              "ResourceConflictException", "is Deleting");
  ft_call_err(b, "CreateCapacityProvider", "{\"CapacityProviderName\":\"cp\"," VPC "," PERMS "}",
              "ResourceConflictException", "already exists");
  o = ft_call(b, "ListCapacityProviders", "{\"State\":\"Deleting\"}");
  ck_assert_int_eq(json_array_size(json_object_get(o, "CapacityProviders")), 1);
  json_decref(o);
  ck_assert_int_eq(aev_broker_advance(b, 29999), AEV_OK);
  assert_state("cp", "Deleting");
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ft_call_err(b, "GetCapacityProvider", "{\"CapacityProviderName\":\"cp\"}",
              "ResourceNotFoundException", "cp");
  ft_call_err(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}",
              "ResourceNotFoundException", "cp");
  ck_assert_int_eq(count_providers(), 0);
  /* The name is free again, and the new provider starts over. */
  json_decref(create_provider("cp", ""));
  assert_state("cp", "Pending");
}
END_TEST

/* A provider deleted while Pending never becomes Active. */
START_TEST(delete_while_pending) {
  json_decref(create_provider("cp", ""));
  ck_assert_int_eq(aev_broker_advance(b, 10000), AEV_OK);
  json_decref(ft_call(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}"));
  ck_assert_int_eq(aev_broker_advance(b, 29999), AEV_OK);
  assert_state("cp", "Deleting");
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(count_providers(), 0);
  /* A new provider of that name made after the delete is not touched by
   * the first one's change. */
  json_decref(create_provider("cp", ""));
  ck_assert_int_eq(aev_broker_advance(b, 59999), AEV_OK);
  assert_state("cp", "Pending");
}
END_TEST

START_TEST(list_filters_and_pages) {
  json_decref(create_provider("a", ""));
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  json_decref(create_provider("b", ""));
  json_decref(create_provider("c", ""));
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK); /* a is Active */
  json_t *o = ft_call(b, "ListCapacityProviders", "{\"MaxItems\":2}");
  json_t *list = json_object_get(o, "CapacityProviders");
  ck_assert_int_eq(json_array_size(list), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0),
                                                     "CapacityProviderArn")),
                   CP_ARN "a");
  ck_assert_str_eq(json_string_value(json_object_get(o, "NextMarker")), "2");
  json_decref(o);
  o = ft_call(b, "ListCapacityProviders", "{\"MaxItems\":2,\"Marker\":\"2\"}");
  list = json_object_get(o, "CapacityProviders");
  ck_assert_int_eq(json_array_size(list), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0),
                                                     "CapacityProviderArn")),
                   CP_ARN "c");
  ck_assert_ptr_null(json_object_get(o, "NextMarker"));
  json_decref(o);
  o = ft_call(b, "ListCapacityProviders", "{\"State\":\"Active\"}");
  list = json_object_get(o, "CapacityProviders");
  ck_assert_int_eq(json_array_size(list), 1);
  ck_assert_str_eq(state(json_array_get(list, 0)), "Active");
  json_decref(o);
  o = ft_call(b, "ListCapacityProviders", "{\"State\":\"Pending\"}");
  ck_assert_int_eq(json_array_size(json_object_get(o, "CapacityProviders")), 2);
  json_decref(o);
  ft_call_err(b, "ListCapacityProviders", "{\"State\":\"Ready\"}", "ValidationException",
              "Value 'Ready' at 'state' failed to satisfy constraint: Member must satisfy enum "
              "value set: [Pending, Active, Failed, Deleting]");
  ft_call_err(b, "ListCapacityProviders", "{\"MaxItems\":51}", "ValidationException",
              "Value '51' at 'maxItems'");
  ft_call_err(b, "ListCapacityProviders", "{\"MaxItems\":0}", "ValidationException",
              "Member must have value greater than or equal to 1");
  ft_call_err(b, "ListCapacityProviders", "{\"Marker\":\"x\"}", "InvalidParameterValueException",
              "Invalid marker: x");
}
END_TEST

START_TEST(tags_by_arn) {
  json_decref(create_provider("cp", "\"Tags\":{\"team\":\"a\"}"));
  json_t *o = ft_call(b, "ListTags", "{\"Resource\":\"" CP_ARN "cp\"}");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "Tags"), "team")), "a");
  json_decref(o);
  json_decref(
      ft_call(b, "TagResource", "{\"Resource\":\"" CP_ARN "cp\",\"Tags\":{\"env\":\"x\"}}"));
  json_decref(
      ft_call(b, "UntagResource", "{\"Resource\":\"" CP_ARN "cp\",\"TagKeys\":[\"team\"]}"));
  o = ft_call(b, "ListTags", "{\"Resource\":\"" CP_ARN "cp\"}");
  ck_assert_int_eq(json_object_size(json_object_get(o, "Tags")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "Tags"), "env")), "x");
  json_decref(o);
  ft_call_err(b, "TagResource", "{\"Resource\":\"" CP_ARN "cp\",\"Tags\":{\"aws:k\":\"v\"}}",
              "InvalidParameterValueException", "reserved");
  ft_call_err(b, "ListTags", "{\"Resource\":\"" CP_ARN "nope\"}", "ResourceNotFoundException",
              "Capacity provider not found");
  ft_call_err(b, "TagResource", "{\"Resource\":\"" CP_ARN "nope\",\"Tags\":{\"k\":\"v\"}}",
              "ResourceNotFoundException", "Capacity provider not found");
  /* A provider gone takes its tags; one of the same name starts without. */
  json_decref(ft_call(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}"));
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
  json_decref(create_provider("cp", ""));
  o = ft_call(b, "ListTags", "{\"Resource\":\"" CP_ARN "cp\"}");
  ck_assert_int_eq(json_object_size(json_object_get(o, "Tags")), 0);
  json_decref(o);
}
END_TEST

/* ---- functions on a capacity provider ---- */

START_TEST(function_state_follows_its_provider) {
  json_decref(create_provider("cp", ""));
  create_function("fn", "python3.13",
                  "\"CapacityProviderConfig\":{\"LambdaManagedInstancesCapacityProviderConfig\":"
                  "{\"CapacityProviderArn\":\"" CP_ARN "cp\","
                  "\"PerExecutionEnvironmentMaxConcurrency\":8,"
                  "\"ExecutionEnvironmentMemoryGiBPerVCpu\":4.0}}");
  json_t *c = config_of("fn", NULL);
  json_t *inner = json_object_get(json_object_get(c, "CapacityProviderConfig"),
                                  "LambdaManagedInstancesCapacityProviderConfig");
  ck_assert_str_eq(json_string_value(json_object_get(inner, "CapacityProviderArn")), CP_ARN "cp");
  ck_assert_int_eq(json_integer_value(json_object_get(inner,
                                                      "PerExecutionEnvironmentMaxConcurrency")),
                   8);
  ck_assert_str_eq(json_string_value(json_object_get(c, "State")), "Pending");
  ck_assert_str_eq(json_string_value(json_object_get(c, "StateReasonCode")), "Creating");
  /* The smallest size a function on a provider has, by default too. */
  ck_assert_int_eq(json_integer_value(json_object_get(c, "MemorySize")), 2048);
  json_decref(c);
  /* Only a published version runs on the provider, and not while its
   * capacity is provided. */
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"Payload\":\"{}\"}",
              "ResourceConflictException",
              "The operation cannot be performed at this time. The function is currently in the "
              "following state: Pending");
  ck_assert_int_eq(st.calls, 0);
  /* An event is kept and retried, as a throttled one, until it can run. */
  json_t *r = ft_call(b, "Invoke",
                      "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"InvocationType\":"
                      "\"Event\",\"Payload\":\"{}\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 202);
  json_decref(r);
  ck_assert_int_eq(aev_broker_advance(b, 59000), AEV_OK);
  ck_assert_int_eq(st.calls, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  c = config_of("fn", NULL);
  ck_assert_str_eq(json_string_value(json_object_get(c, "State")), "Active");
  ck_assert_ptr_null(json_object_get(c, "StateReasonCode"));
  json_decref(c);
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"fn\",\"Payload\":\"{}\"}",
              "NoPublishedVersionException", "The function has no published versions available.");
  ft_call_err(b, "Invoke", "{\"FunctionName\":\"fn:$LATEST\",\"Payload\":\"{}\"}",
              "NoPublishedVersionException", "The function has no published versions available.");
  ck_assert_int_eq(aev_broker_advance(b, 300000), AEV_OK);
  ck_assert_int_eq(st.calls, 1); /* the event */
  /* It runs on the broker's handler pool, as any function. */
  r = ft_call(b, "Invoke",
              "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"Payload\":\"{\\\"a\\\":1}\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(r, "StatusCode")), 200);
  ck_assert_int_eq(st.calls, 2);
  json_decref(r);
  /* The published version keeps the configuration. */
  c = config_of("fn", "1");
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(json_object_get(c, "CapacityProviderConfig"),
                                       "LambdaManagedInstancesCapacityProviderConfig"),
                       "CapacityProviderArn")),
                   CP_ARN "cp");
  json_decref(c);
  /* UpdateFunctionConfiguration may change the environment settings. */
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"fn\",\"CapacityProviderConfig\":{"
                      "\"LambdaManagedInstancesCapacityProviderConfig\":{\"CapacityProviderArn\":"
                      "\"" CP_ARN "cp\",\"PerExecutionEnvironmentMaxConcurrency\":16}}}"));
  c = config_of("fn", NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(
                       json_object_get(json_object_get(c, "CapacityProviderConfig"),
                                       "LambdaManagedInstancesCapacityProviderConfig"),
                       "PerExecutionEnvironmentMaxConcurrency")),
                   16);
  json_decref(c);
}
END_TEST

/* What CreateFunction refuses: nothing is created. */
START_TEST(function_refusals) {
  active_provider("cp");
  char req[1024];
  struct {
    const char *runtime, *config, *code, *msg;
  } cases[] = {
      {"python3.12", USES("cp"), "InvalidParameterValueException",
       "The runtime python3.12 does not support Lambda Managed Instances."},
      {"nodejs20.x", USES("cp"), "InvalidParameterValueException", "nodejs20.x"},
      {"java17", USES("cp"), "InvalidParameterValueException", "java17"},
      {"ruby3.3", USES("cp"), "InvalidParameterValueException", "ruby3.3"},
      {"python3.13", USES("cp") ",\"MemorySize\":1024", "InvalidParameterValueException",
       "MemorySize 1024 MB is below the minimum of 2048 MB for functions that use a capacity "
       "provider."},
      {"python3.13", USES("missing"), "ResourceNotFoundException",
       "Capacity provider not found: " CP_ARN "missing"},
      {"python3.13",
       "\"CapacityProviderConfig\":{\"LambdaManagedInstancesCapacityProviderConfig\":"
       "{\"CapacityProviderArn\":\"cp\",\"PerExecutionEnvironmentMaxConcurrency\":0,"
       "\"ExecutionEnvironmentMemoryGiBPerVCpu\":1.5}}",
       "ValidationException",
       "3 validation errors detected: Value 'cp' at "
       "'capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig."
       "capacityProviderArn' failed to satisfy constraint: Member must satisfy regular "
       "expression pattern: arn:aws[a-zA-Z-]*:lambda:"},
      {"python3.13", "\"CapacityProviderConfig\":{}", "ValidationException",
       "Value null at 'capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig'"},
      {"python3.13",
       "\"CapacityProviderConfig\":{\"LambdaManagedInstancesCapacityProviderConfig\":{}}",
       "ValidationException", "capacityProviderArn' failed to satisfy constraint: Member must "
                              "not be null"},
      {"python3.13",
       "\"CapacityProviderConfig\":{\"LambdaManagedInstancesCapacityProviderConfig\":"
       "{\"CapacityProviderArn\":\"" CP_ARN "cp\",\"PerExecutionEnvironmentMaxConcurrency\":1601}}",
       "ValidationException", "Member must have value less than or equal to 1600"},
      {"python3.13", USES("cp") ",\"Timeout\":5401", "ValidationException",
       "Value '5401' at 'timeout' failed to satisfy constraint: Member must have value less "
       "than or equal to 5400"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    snprintf(req, sizeof req,
             "{\"FunctionName\":\"fn\",\"Handler\":\"app.handler\",\"Runtime\":\"%s\","
             "\"Role\":\"arn:aws:iam::000000000000:role/r\",%s}",
             cases[i].runtime, cases[i].config);
    ft_call_err(b, "CreateFunction", req, cases[i].code, cases[i].msg);
    ft_call_err(b, "GetFunction", "{\"FunctionName\":\"fn\"}", "ResourceNotFoundException",
                "Function not found");
  }
  /* A provider being deleted takes no new function. */
  json_decref(ft_call(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}"));
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"fn\",\"Handler\":\"app.handler\",\"Runtime\":\"java21\","
           "\"Role\":\"arn:aws:iam::000000000000:role/r\"," USES("cp") "}");
  ft_call_err(b, "CreateFunction", req, "ResourceConflictException", "is being deleted");
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"fn\"}", "ResourceNotFoundException",
              "Function not found");
}
END_TEST

/* "For functions using AWS Lambda Managed Instances, asynchronous
 * invocations and event source mapping invocations ... support a maximum
 * allowed value of 5,400 seconds" (developer guide, "Configure Lambda
 * function timeout"); other functions keep 900. A synchronous invocation
 * of such a function still stops at 900 s (our reading of "asynchronous
 * ... and event source mapping invocations"). */
START_TEST(timeout_goes_to_90_minutes_on_a_provider) {
  active_provider("cp");
  create_function("fn", "python3.13", USES("cp") ",\"Timeout\":1800");
  json_t *c = config_of("fn", NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "Timeout")), 1800);
  json_decref(c);
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"fn\",\"Timeout\":5400}"));
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"fn\",\"Timeout\":1800}"));
  /* Without a provider, 900 is the most, on Create and on Update. */
  ft_call_err(b, "CreateFunction",
              "{\"FunctionName\":\"plain\",\"Handler\":\"app.handler\",\"Runtime\":"
              "\"python3.13\",\"Role\":\"arn:aws:iam::000000000000:role/r\",\"Timeout\":901}",
              "ValidationException",
              "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less "
              "than or equal to 900");
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"plain\"}", "ResourceNotFoundException",
              "Function not found");
  create_function("plain", "python3.13", "\"Timeout\":900");
  ft_call_err(b, "UpdateFunctionConfiguration", "{\"FunctionName\":\"plain\",\"Timeout\":1800}",
              "ValidationException", "Member must have value less than or equal to 900");
  c = config_of("plain", NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "Timeout")), 900);
  json_decref(c);

  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK); /* fn Active */
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  st.mode = FT_HOLD;
  /* Synchronous: stopped at 900 s. */
  aev_function *f;
  ck_assert_int_eq(aev__function_find(b, "fn", &f), AEV_OK);
  ft_outcome o = {0};
  ck_assert_int_eq(aev__function_call(f, "1", "{}", 2, ft_outcome_done, &o), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 1);
  ck_assert_int_eq(aev_broker_advance(b, 899999), AEV_OK);
  ck_assert_int_eq(o.n, 0);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(o.n, 1);
  ck_assert_ptr_nonnull(strstr(o.payload, "Task timed out after 900.00 seconds"));
  /* Asynchronous: runs its 1,800 s, then is retried a minute later. Had
   * it stopped at 900 s, the retry would have come at 960 s. */
  json_decref(ft_call(b, "Invoke",
                      "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"InvocationType\":"
                      "\"Event\",\"Payload\":\"{}\"}"));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 2);
  ck_assert_int_eq(aev_broker_advance(b, 1799999), AEV_OK);
  ck_assert_int_eq(st.calls, 2);
  ck_assert_int_eq(aev_broker_advance(b, 1 + 180000), AEV_OK);
  ck_assert_int_eq(st.calls, 3);
  /* A timed-out handler still completes its context; the late results go
   * nowhere. */
  for (int i = 0; i < st.nheld; i++)
    ck_assert_int_eq(aev_invocation_succeed(st.held[i], "{}", 2), i < 2 ? AEV_ERR_STATE : AEV_OK);
  aev_function_release(f);
}
END_TEST

/* Each supported runtime family at its first version (the guide's list). */
START_TEST(supported_runtimes) {
  active_provider("cp");
  const char *runtimes[] = {"java21",   "java25",     "python3.13",     "python3.14",
                            "nodejs22.x", "nodejs24.x", "dotnet8",      "dotnet10",
                            "provided.al2023"};
  for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes; i++) {
    char name[32];
    snprintf(name, sizeof name, "fn%zu", i);
    create_function(name, runtimes[i], USES("cp"));
  }
  json_t *o = ft_call(b, "ListFunctionVersionsByCapacityProvider",
                      "{\"CapacityProviderName\":\"cp\"}");
  ck_assert_int_eq(json_array_size(json_object_get(o, "FunctionVersions")), 9);
  json_decref(o);
}
END_TEST

/* Our choice: a function keeps the compute it was created with. */
START_TEST(update_keeps_the_compute) {
  active_provider("cp");
  active_provider("cp2");
  create_function("fn", "python3.13", USES("cp"));
  create_function("plain", "python3.12", "");
  char *before = config_text("fn"), *plain_before = config_text("plain");
  ft_call_err(b, "UpdateFunctionConfiguration", "{\"FunctionName\":\"fn\"," USES("cp2") "}",
              "InvalidParameterValueException",
              "The capacity provider of a function cannot be changed: it uses " CP_ARN "cp.");
  ft_call_err(b, "UpdateFunctionConfiguration",
              "{\"FunctionName\":\"fn\",\"CapacityProviderConfig\":null}",
              "InvalidParameterValueException", "cannot be removed");
  ft_call_err(b, "UpdateFunctionConfiguration",
              "{\"FunctionName\":\"fn\",\"Runtime\":\"python3.12\"}",
              "InvalidParameterValueException",
              "The runtime python3.12 does not support Lambda Managed Instances.");
  ft_call_err(b, "UpdateFunctionConfiguration", "{\"FunctionName\":\"fn\",\"MemorySize\":2047}",
              "InvalidParameterValueException", "MemorySize 2047 MB is below the minimum");
  ft_call_err(b, "UpdateFunctionConfiguration", "{\"FunctionName\":\"plain\"," USES("cp") "}",
              "InvalidParameterValueException",
              "A function created without a capacity provider cannot be moved to one.");
  char *after = config_text("fn"), *plain_after = config_text("plain");
  ck_assert_str_eq(before, after);
  ck_assert_str_eq(plain_before, plain_after);
  aev_free(before);
  aev_free(after);
  aev_free(plain_before);
  aev_free(plain_after);
  json_t *o = ft_call(b, "ListFunctionVersionsByCapacityProvider",
                      "{\"CapacityProviderName\":\"cp2\"}");
  ck_assert_int_eq(json_array_size(json_object_get(o, "FunctionVersions")), 0);
  json_decref(o);
}
END_TEST

START_TEST(delete_in_use_conflicts) {
  active_provider("cp");
  create_function("fn", "python3.13", USES("cp"));
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  char *before = all_providers();
  ft_call_err(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}",
              "ResourceConflictException",
              "The capacity provider cp is used by 2 function versions, such as " FN_ARN
              "fn:$LATEST.");
  char *after = all_providers();
  ck_assert_str_eq(before, after);
  aev_free(before);
  aev_free(after);
  /* Deleting version 1 alone leaves $LATEST on it. */
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}"));
  ft_call_err(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}",
              "ResourceConflictException", "is used by 1 function version, such as");
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"fn\"}"));
  json_t *o = ft_call(b, "DeleteCapacityProvider", "{\"CapacityProviderName\":\"cp\"}");
  ck_assert_str_eq(state(json_object_get(o, "CapacityProvider")), "Deleting");
  json_decref(o);
}
END_TEST

START_TEST(versions_by_provider_page) {
  json_decref(create_provider("cp", ""));
  create_function("a", "python3.13", USES("cp"));
  create_function("b", "java21", USES("cp"));
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"a\"}"));
  json_t *o = ft_call(b, "ListFunctionVersionsByCapacityProvider",
                      "{\"CapacityProviderName\":\"" CP_ARN "cp\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "CapacityProviderArn")), CP_ARN "cp");
  json_t *list = json_object_get(o, "FunctionVersions");
  ck_assert_int_eq(json_array_size(list), 3);
  ck_assert_str_eq(state(json_array_get(list, 0)), "Pending");
  json_decref(o);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  o = ft_call(b, "ListFunctionVersionsByCapacityProvider",
              "{\"CapacityProviderName\":\"cp\",\"MaxItems\":2}");
  list = json_object_get(o, "FunctionVersions");
  ck_assert_int_eq(json_array_size(list), 2);
  ck_assert_str_eq(state(json_array_get(list, 0)), "Active");
  ck_assert_str_eq(json_string_value(json_object_get(o, "NextMarker")), "2");
  json_t *seen = json_array();
  json_array_extend(seen, list);
  json_decref(o);
  o = ft_call(b, "ListFunctionVersionsByCapacityProvider",
              "{\"CapacityProviderName\":\"cp\",\"MaxItems\":2,\"Marker\":\"2\"}");
  list = json_object_get(o, "FunctionVersions");
  ck_assert_int_eq(json_array_size(list), 1);
  ck_assert_ptr_null(json_object_get(o, "NextMarker"));
  json_array_extend(seen, list);
  json_decref(o);
  int found[3] = {0};
  size_t i;
  json_t *v;
  json_array_foreach(seen, i, v) {
    const char *arn = json_string_value(json_object_get(v, "FunctionArn"));
    found[0] += strcmp(arn, FN_ARN "a:$LATEST") == 0;
    found[1] += strcmp(arn, FN_ARN "a:1") == 0;
    found[2] += strcmp(arn, FN_ARN "b:$LATEST") == 0;
  }
  ck_assert(found[0] == 1 && found[1] == 1 && found[2] == 1);
  json_decref(seen);
  ft_call_err(b, "ListFunctionVersionsByCapacityProvider", "{\"CapacityProviderName\":\"x\"}",
              "ResourceNotFoundException", "Capacity provider not found: x");
  ft_call_err(b, "ListFunctionVersionsByCapacityProvider",
              "{\"CapacityProviderName\":\"cp\",\"MaxItems\":51}", "ValidationException",
              "maxItems");
}
END_TEST

/* "Function versions per capacity provider: 100", $LATEST counted. */
START_TEST(versions_quota) {
  active_provider("cp");
  create_function("fn", "python3.13", USES("cp"));
  char req[128];
  for (int i = 1; i <= 99; i++) {
    snprintf(req, sizeof req, "{\"FunctionName\":\"fn\",\"Description\":\"v%d\"}", i);
    json_decref(ft_call(b, "UpdateFunctionConfiguration", req));
    json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  }
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"fn\",\"Description\":\"one more\"}"));
  ft_call_err(b, "PublishVersion", "{\"FunctionName\":\"fn\"}",
              "FunctionVersionsPerCapacityProviderLimitExceededException",
              "maximum number of function versions (100)");
  ft_call_err(b, "GetFunctionConfiguration", "{\"FunctionName\":\"fn\",\"Qualifier\":\"100\"}",
              "ResourceNotFoundException", "Function not found");
  char fn[512];
  snprintf(fn, sizeof fn,
           "{\"FunctionName\":\"other\",\"Handler\":\"app.handler\",\"Runtime\":\"java21\","
           "\"Role\":\"arn:aws:iam::000000000000:role/r\"," USES("cp") "}");
  ft_call_err(b, "CreateFunction", fn, "FunctionVersionsPerCapacityProviderLimitExceededException",
              "(100)");
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"other\"}", "ResourceNotFoundException",
              "Function not found");
  /* A version deleted makes room. */
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}"));
  json_t *o = ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "Version")), "100");
  json_decref(o);
}
END_TEST

/* ---- function scaling configurations ---- */

START_TEST(scaling_config_of_a_version) {
  active_provider("cp");
  create_function("fn", "python3.13", USES("cp"));
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  /* Before any Put: the defaults, applied; nothing requested. */
  json_t *o =
      ft_call(b, "GetFunctionScalingConfig", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "FunctionArn")), FN_ARN "fn:1");
  json_t *applied = json_object_get(o, "AppliedFunctionScalingConfig");
  ck_assert_int_eq(json_integer_value(json_object_get(applied, "MinExecutionEnvironments")), 3);
  ck_assert_int_eq(json_integer_value(json_object_get(applied, "MaxExecutionEnvironments")), 3);
  ck_assert_ptr_null(json_object_get(o, "RequestedFunctionScalingConfig"));
  json_decref(o);
  o = ft_call(b, "PutFunctionScalingConfig",
              "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"FunctionScalingConfig\":"
              "{\"MinExecutionEnvironments\":1,\"MaxExecutionEnvironments\":10}}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "FunctionState")), "Active");
  json_decref(o);
  /* A member not given keeps its value. */
  json_decref(ft_call(b, "PutFunctionScalingConfig",
                      "{\"FunctionName\":\"" FN_ARN "fn\",\"Qualifier\":\"1\","
                      "\"FunctionScalingConfig\":{\"MaxExecutionEnvironments\":20}}"));
  o = ft_call(b, "GetFunctionScalingConfig", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}");
  json_t *requested = json_object_get(o, "RequestedFunctionScalingConfig");
  ck_assert_int_eq(json_integer_value(json_object_get(requested, "MinExecutionEnvironments")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(requested, "MaxExecutionEnvironments")), 20);
  ck_assert(json_equal(requested, json_object_get(o, "AppliedFunctionScalingConfig")));
  char *kept = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  /* Refusals change nothing. */
  struct {
    const char *req, *code, *msg;
  } cases[] = {
      {"{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"FunctionScalingConfig\":"
       "{\"MinExecutionEnvironments\":30}}",
       "InvalidParameterValueException",
       "MinExecutionEnvironments (30) must not be greater than MaxExecutionEnvironments (20)."},
      {"{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"FunctionScalingConfig\":"
       "{\"MinExecutionEnvironments\":-1,\"MaxExecutionEnvironments\":15001}}",
       "ValidationException",
       "2 validation errors detected: Value '-1' at "
       "'functionScalingConfig.minExecutionEnvironments' failed to satisfy constraint: Member "
       "must have value greater than or equal to 0; Value '15001' at "
       "'functionScalingConfig.maxExecutionEnvironments' failed to satisfy constraint: Member "
       "must have value less than or equal to 15000"},
      {"{\"FunctionName\":\"fn\",\"Qualifier\":\"$LATEST\"}", "ValidationException",
       "Value '$LATEST' at 'qualifier' failed to satisfy constraint: Member must satisfy "
       "regular expression pattern: (\\$LATEST\\.PUBLISHED|[0-9]+)"},
      {"{\"FunctionName\":\"fn\"}", "ValidationException",
       "Value null at 'qualifier' failed to satisfy constraint: Member must not be null"},
      {"{\"FunctionName\":\"fn\",\"Qualifier\":\"$LATEST.PUBLISHED\"}",
       "ResourceNotFoundException", "Function not found: " FN_ARN "fn:$LATEST.PUBLISHED"},
      {"{\"FunctionName\":\"fn\",\"Qualifier\":\"7\"}", "ResourceNotFoundException",
       "Function not found: " FN_ARN "fn:7"},
      {"{\"FunctionName\":\"nope\",\"Qualifier\":\"1\"}", "ResourceNotFoundException",
       "Function not found"},
      {"{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"FunctionScalingConfig\":"
       "{\"MinExecutionEnvironments\":\"2\"}}",
       "InvalidParameterValueException", "MinExecutionEnvironments must be an integer."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    ft_call_err(b, "PutFunctionScalingConfig", cases[i].req, cases[i].code, cases[i].msg);
  ft_call_err(b, "GetFunctionScalingConfig", "{\"FunctionName\":\"fn\",\"Qualifier\":\"$LATEST\"}",
              "ValidationException", "Value '$LATEST' at 'qualifier'");
  o = ft_call(b, "GetFunctionScalingConfig", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}");
  char *now = json_dumps(o, JSON_COMPACT);
  ck_assert_str_eq(kept, now);
  free(kept);
  free(now);
  json_decref(o);
}
END_TEST

START_TEST(scaling_config_needs_a_provider) {
  json_decref(create_provider("cp", ""));
  create_function("plain", "python3.12", "");
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"plain\"}"));
  ft_call_err(b, "PutFunctionScalingConfig", "{\"FunctionName\":\"plain\",\"Qualifier\":\"1\"}",
              "InvalidParameterValueException",
              "Function scaling configurations apply only to versions of functions that use a "
              "capacity provider; " FN_ARN "plain:1 does not.");
  ft_call_err(b, "GetFunctionScalingConfig", "{\"FunctionName\":\"plain\",\"Qualifier\":\"1\"}",
              "InvalidParameterValueException", "apply only to versions");
  /* A version whose provider is still Pending answers that state. */
  create_function("fn", "python3.13", USES("cp"));
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  json_t *o = ft_call(b, "PutFunctionScalingConfig",
                      "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"FunctionScalingConfig\":{}}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "FunctionState")), "Pending");
  json_decref(o);
}
END_TEST

/* ---- out of memory ---- */

/* lambda ACTION's answer or error, parsed (the nomem cases' state). */
static json_t *answer(const char *action, const char *req) {
  char *text = NULL;
  aev_call(b, "lambda", action, req, &text);
  json_t *j = json_loads(text ? text : "null", JSON_DECODE_ANY, NULL);
  aev_free(text);
  ck_assert_ptr_nonnull(j);
  return j;
}

/* The providers, cp's tags, fn's configuration and version 1's scaling. */
static json_t *cap_state(void *ctx) {
  (void)ctx;
  return json_pack("{sosososo}", "providers", answer("ListCapacityProviders", "{}"), "tags",
                   answer("ListTags", "{\"Resource\":\"" CP_ARN "cp\"}"), "functions",
                   answer("ListFunctions", "{}"), "scaling",
                   answer("GetFunctionScalingConfig",
                          "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}"));
}

static int call_ok(const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, "lambda", action, req, &out);
  aev_free(out);
  return rc;
}

static int create_cp(void *ctx) {
  (void)ctx;
  return call_ok("CreateCapacityProvider", "{\"CapacityProviderName\":\"new\"," VPC "," PERMS
                                           ",\"Tags\":{\"k\":\"v\"}}");
}

/* A provider made: gone again (deleted, its 30 s over). */
static void cp_created(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  ck_assert_int_eq(json_array_size(json_object_get(json_object_get(a->now, "providers"),
                                                   "CapacityProviders")),
                   2);
  ck_assert_int_eq(call_ok("DeleteCapacityProvider", "{\"CapacityProviderName\":\"new\"}"),
                   AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 30000), AEV_OK);
}

static int update_cp(void *ctx) {
  (void)ctx;
  return call_ok("UpdateCapacityProvider",
                 "{\"CapacityProviderName\":\"cp\",\"CapacityProviderScalingConfig\":"
                 "{\"MaxVCpuCount\":12}}");
}

static int tag_cp(void *ctx) {
  (void)ctx;
  return call_ok("TagResource", "{\"Resource\":\"" CP_ARN "cp\",\"Tags\":{\"k\":\"v\"}}");
}

static int put_scaling(void *ctx) {
  (void)ctx;
  return call_ok("PutFunctionScalingConfig",
                 "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\",\"FunctionScalingConfig\":"
                 "{\"MaxExecutionEnvironments\":9}}");
}

static int create_fn_on_cp(void *ctx) {
  (void)ctx;
  return call_ok("CreateFunction",
                 "{\"FunctionName\":\"g\",\"Handler\":\"app.handler\",\"Runtime\":\"java21\","
                 "\"Role\":\"arn:aws:iam::000000000000:role/r\"," USES("cp") "}");
}

static void fn_created(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  (void)a;
  ck_assert_int_eq(call_ok("DeleteFunction", "{\"FunctionName\":\"g\"}"), AEV_OK);
}

START_TEST(out_of_memory_changes_nothing) {
  active_provider("cp");
  create_function("fn", "python3.13", USES("cp"));
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}"));
  const nomem_case cases[] = {
      {.what = "CreateCapacityProvider", .state = cap_state, .call = create_cp,
       .succeeded = cp_created, .expect = NOMEM_FAILS_SOME},
      {.what = "UpdateCapacityProvider", .state = cap_state, .call = update_cp,
       .expect = NOMEM_ANY},
      {.what = "TagResource", .state = cap_state, .call = tag_cp, .expect = NOMEM_ANY},
      {.what = "PutFunctionScalingConfig", .state = cap_state, .call = put_scaling,
       .expect = NOMEM_ANY},
      {.what = "CreateFunction", .state = cap_state, .call = create_fn_on_cp,
       .succeeded = fn_created, .expect = NOMEM_FAILS_SOME},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) nomem_sweep(&cases[i], NULL);
}
END_TEST

int main(void) {
  Suite *su = suite_create("function_capacity");
  TCase *tc = tcase_create("providers");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_answers_pending_then_active);
  tcase_add_test(tc, create_members_as_given);
  tcase_add_test(tc, create_reports_every_broken_member);
  tcase_add_test(tc, create_refusals_store_nothing);
  tcase_add_test(tc, names_are_unique_and_arns_local);
  tcase_add_test(tc, account_quota);
  tcase_add_test(tc, update_replaces_the_scaling_config);
  tcase_add_test(tc, delete_shows_deleting_then_goes);
  tcase_add_test(tc, delete_while_pending);
  tcase_add_test(tc, list_filters_and_pages);
  tcase_add_test(tc, tags_by_arn);
  suite_add_tcase(su, tc);
  tc = tcase_create("functions");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, function_state_follows_its_provider);
  tcase_add_test(tc, function_refusals);
  tcase_add_test(tc, supported_runtimes);
  tcase_add_test(tc, update_keeps_the_compute);
  tcase_add_test(tc, delete_in_use_conflicts);
  tcase_add_test(tc, versions_by_provider_page);
  tcase_add_test(tc, versions_quota);
  tcase_add_test(tc, scaling_config_of_a_version);
  tcase_add_test(tc, scaling_config_needs_a_provider);
  tcase_add_test(tc, timeout_goes_to_90_minutes_on_a_provider);
  suite_add_tcase(su, tc);
  tc = tcase_create("nomem");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, out_of_memory_changes_nothing);
  suite_add_tcase(su, tc);
  return aev_test_run(su);
}
