/* Lambda code signing configurations through aev_call (Create, Get,
 * Update, Delete, List; Put/Get/DeleteFunctionCodeSigningConfig,
 * ListFunctionsByCodeSigningConfig, CreateFunction's CodeSigningConfigArn,
 * tags), what Warn and Enforce let a function deploy, and InvokeAsync running
 * as an asynchronous Invoke. Every refused request is checked to change
 * nothing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "aevtest.h"
#include "function_support.h"
#include "nomem.h"

#define PROFILE "arn:aws:signer:us-east-1:000000000000:/signing-profiles/test"
#define CSC_PREFIX "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-"
#define MISSING CSC_PREFIX "0123456789abcdef0"
#define FN_ARN "arn:aws:lambda:us-east-1:000000000000:function:"
#define ZIP                                                                                   \
  "UEsDBBQAAAAAAAAAIVg+YMYlBAAAAAQAAAANAAAAcHl0aG9uL2xpYi5weVg9MQpQSwECFAMUAAAAAAAAACFYPmDGJQQ" \
  "AAAAEAAAADQAAAAAAAAAAAAAAgAEAAAAAcHl0aG9uL2xpYi5weVBLBQYAAAAAAQABADsAAAAvAAAAAAA="
#define BLOCKED                                                                         \
  "Lambda cannot deploy the function. The function or layer might be signed using a " \
  "signature that the client is not configured to accept."

static aev_broker *b;
static ft_state st;

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
}
static void teardown(void) { aev_broker_destroy(b); }

/* A new configuration with policy (NULL: none given); its ARN in arn. */
static void create(const char *policy, char arn[128]) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE "\"]}%s%s%s}",
           policy ? ",\"CodeSigningPolicies\":{\"UntrustedArtifactOnDeployment\":\"" : "",
           policy ? policy : "", policy ? "\"}" : "");
  json_t *o = ft_call(b, "CreateCodeSigningConfig", req);
  snprintf(arn, 128, "%s",
           json_string_value(json_object_get(json_object_get(o, "CodeSigningConfig"),
                                             "CodeSigningConfigArn")));
  json_decref(o);
}

static size_t count_configs(void) {
  json_t *o = ft_call(b, "ListCodeSigningConfigs", "{}");
  size_t n = json_array_size(json_object_get(o, "CodeSigningConfigs"));
  json_decref(o);
  return n;
}

/* CreateFunction of name (running app.handler) with extra members. */
static char *create_function(const char *name, const char *extra) {
  char req[1024], *out = NULL;
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"%s\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\","
           "\"Role\":\"arn:aws:iam::000000000000:role/r\"%s%s}",
           name, *extra ? "," : "", extra);
  aev_call(b, "lambda", "CreateFunction", req, &out);
  return out;
}

static int function_exists(const char *name) {
  char req[128], *out = NULL;
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\"}", name);
  int rc = aev_call(b, "lambda", "GetFunction", req, &out);
  aev_free(out);
  return rc == AEV_OK;
}

static void put_function_csc(const char *fn, const char *arn) {
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\",\"CodeSigningConfigArn\":\"%s\"}", fn, arn);
  json_decref(ft_call(b, "PutFunctionCodeSigningConfig", req));
}

START_TEST(create_answers_the_configuration) {
  json_t *o = ft_call(b, "CreateCodeSigningConfig",
                      "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE "\"]},"
                      "\"CodeSigningPolicies\":{\"UntrustedArtifactOnDeployment\":\"Enforce\"},"
                      "\"Description\":\"Testing CodeSigning Config\"}");
  json_t *c = json_object_get(o, "CodeSigningConfig");
  const char *id = json_string_value(json_object_get(c, "CodeSigningConfigId"));
  ck_assert_int_eq(strlen(id), 21);
  ck_assert_int_eq(strncmp(id, "csc-", 4), 0);
  ck_assert_int_eq(strspn(id + 4, "abcdefghijklmnopqrstuvwxyz0123456789"), 17);
  char arn[128];
  snprintf(arn, sizeof arn, "arn:aws:lambda:us-east-1:000000000000:code-signing-config:%s", id);
  ck_assert_str_eq(json_string_value(json_object_get(c, "CodeSigningConfigArn")), arn);
  ck_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(json_object_get(c, "AllowedPublishers"),
                                       "SigningProfileVersionArns"), 0)),
                   PROFILE);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "CodeSigningPolicies"),
                                                     "UntrustedArtifactOnDeployment")),
                   "Enforce");
  ck_assert_str_eq(json_string_value(json_object_get(c, "Description")),
                   "Testing CodeSigning Config");
  ck_assert_str_eq(json_string_value(json_object_get(c, "LastModified")),
                   "2024-01-01T00:00:00.000+0000");
  /* Get answers the same. */
  char req[256];
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  json_t *g = ft_call(b, "GetCodeSigningConfig", req);
  ck_assert(json_equal(g, o));
  json_decref(g);
  json_decref(o);
}
END_TEST

/* The API reference: UntrustedArtifactOnDeployment defaults to Warn. */
START_TEST(policy_defaults_to_warn) {
  char arn[128], req[256];
  create(NULL, arn);
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  json_t *o = ft_call(b, "GetCodeSigningConfig", req);
  json_t *c = json_object_get(o, "CodeSigningConfig");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "CodeSigningPolicies"),
                                                     "UntrustedArtifactOnDeployment")),
                   "Warn");
  ck_assert_str_eq(json_string_value(json_object_get(c, "Description")), "");
  json_decref(o);
}
END_TEST

START_TEST(update_changes_what_is_given) {
  char arn[128], req[512];
  create("Enforce", arn);
  aev_broker_advance(b, 1500);
  snprintf(req, sizeof req,
           "{\"CodeSigningConfigArn\":\"%s\",\"CodeSigningPolicies\":"
           "{\"UntrustedArtifactOnDeployment\":\"Warn\"},\"Description\":\"new\"}",
           arn);
  json_t *o = ft_call(b, "UpdateCodeSigningConfig", req);
  json_t *c = json_object_get(o, "CodeSigningConfig");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "CodeSigningPolicies"),
                                                     "UntrustedArtifactOnDeployment")),
                   "Warn");
  ck_assert_str_eq(json_string_value(json_object_get(c, "Description")), "new");
  ck_assert_str_eq(json_string_value(json_object_get(c, "LastModified")),
                   "2024-01-01T00:00:01.500+0000");
  ck_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(json_object_get(c, "AllowedPublishers"),
                                       "SigningProfileVersionArns"), 0)),
                   PROFILE);
  json_decref(o);
  /* Recorded (update_csc_noupdate_response): no members, no change. */
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  o = ft_call(b, "UpdateCodeSigningConfig", req);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(
                       o, "CodeSigningConfig"), "CodeSigningPolicies"),
                       "UntrustedArtifactOnDeployment")),
                   "Warn");
  json_decref(o);
}
END_TEST

START_TEST(create_refusals_store_nothing) {
  ft_call_err(b, "CreateCodeSigningConfig", "{}", "ValidationException",
              "Value null at 'allowedPublishers' failed to satisfy constraint: Member must not "
              "be null");
  ft_call_err(b, "CreateCodeSigningConfig", "{\"AllowedPublishers\":{}}", "ValidationException",
              "Value null at 'allowedPublishers.signingProfileVersionArns'");
  ft_call_err(b, "CreateCodeSigningConfig",
              "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[]}}", "ValidationException",
              "Value '[]' at 'allowedPublishers.signingProfileVersionArns' failed to satisfy "
              "constraint: Member must have length greater than or equal to 1");
  char many[4096] = "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[";
  for (int i = 0; i < 21; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"" PROFILE "%d\"",
             i ? "," : "", i);
  strcat(many, "]}}");
  ft_call_err(b, "CreateCodeSigningConfig", many, "ValidationException",
              "Member must have length less than or equal to 20");
  ft_call_err(b, "CreateCodeSigningConfig",
              "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"profile\"]}}",
              "ValidationException",
              "Value '[profile]' at 'allowedPublishers.signingProfileVersionArns' failed to "
              "satisfy constraint: Member must satisfy constraint: [Member must satisfy regular "
              "expression pattern: arn:(aws[a-zA-Z0-9-]*)");
  ft_call_err(b, "CreateCodeSigningConfig",
              "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE "\"]},"
              "\"CodeSigningPolicies\":{\"UntrustedArtifactOnDeployment\":\"Block\"}}",
              "ValidationException",
              "Value 'Block' at 'codeSigningPolicies.untrustedArtifactOnDeployment' failed to "
              "satisfy constraint: Member must satisfy enum value set: [Warn, Enforce]");
  char desc[400] = "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE
                   "\"]},\"Description\":\"";
  memset(desc + strlen(desc), 'd', 257);
  strcat(desc, "\"}");
  ft_call_err(b, "CreateCodeSigningConfig", desc, "ValidationException",
              "Member must have length less than or equal to 256");
  ft_call_err(b, "CreateCodeSigningConfig",
              "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE "\"]},"
              "\"Tags\":{\"aws:k\":\"v\"}}",
              "InvalidParameterValueException", "Tag keys starting with aws: are reserved");
  ck_assert_int_eq(count_configs(), 0);
}
END_TEST

START_TEST(missing_and_malformed_arns) {
  const char *actions[] = {"GetCodeSigningConfig", "UpdateCodeSigningConfig",
                           "DeleteCodeSigningConfig", "ListFunctionsByCodeSigningConfig"};
  for (size_t i = 0; i < 4; i++) {
    ft_call_err(b, actions[i], "{\"CodeSigningConfigArn\":\"" MISSING "\"}",
                "ResourceNotFoundException",
                "The Lambda code signing configuration " MISSING " can not be found.");
    ft_call_err(b, actions[i], "{\"CodeSigningConfigArn\":\"" CSC_PREFIX "short\"}",
                "ValidationException",
                "at 'codeSigningConfigArn' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:");
    ft_call_err(b, actions[i], "{}", "ValidationException",
                "Value null at 'codeSigningConfigArn'");
  }
}
END_TEST

START_TEST(refused_update_changes_nothing) {
  char arn[128], req[512];
  create("Enforce", arn);
  snprintf(req, sizeof req,
           "{\"CodeSigningConfigArn\":\"%s\",\"Description\":\"x\",\"AllowedPublishers\":"
           "{\"SigningProfileVersionArns\":[]}}",
           arn);
  ft_call_err(b, "UpdateCodeSigningConfig", req, "ValidationException",
              "Member must have length greater than or equal to 1");
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  json_t *o = ft_call(b, "GetCodeSigningConfig", req);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "CodeSigningConfig"),
                                                     "Description")),
                   "");
  json_decref(o);
}
END_TEST

/* The "Using tags on code signing configurations" guide: tags on create,
 * TagResource, UntagResource, ListTags by the configuration's ARN. */
START_TEST(configurations_carry_tags) {
  json_t *o = ft_call(b, "CreateCodeSigningConfig",
                      "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE "\"]},"
                      "\"Tags\":{\"team\":\"a\"}}");
  json_t *c = json_object_get(o, "CodeSigningConfig");
  ck_assert_ptr_null(json_object_get(c, "Tags"));
  char arn[128], req[512];
  snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(c, "CodeSigningConfigArn")));
  json_decref(o);
  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"Tags\":{\"env\":\"prod\"}}", arn);
  json_decref(ft_call(b, "TagResource", req));
  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"TagKeys\":[\"team\"]}", arn);
  json_decref(ft_call(b, "UntagResource", req));
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", arn);
  o = ft_call(b, "ListTags", req);
  json_t *want = json_pack("{s{ss}}", "Tags", "env", "prod");
  ck_assert(json_equal(o, want));
  json_decref(want);
  json_decref(o);
  /* A refused tag changes nothing. */
  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"Tags\":{\"aws:x\":\"1\",\"b\":\"2\"}}", arn);
  ft_call_err(b, "TagResource", req, "InvalidParameterValueException", "reserved");
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", arn);
  o = ft_call(b, "ListTags", req);
  ck_assert_int_eq(json_object_size(json_object_get(o, "Tags")), 1);
  json_decref(o);
  /* A configuration that does not exist, or no longer. */
  ft_call_err(b, "ListTags", "{\"Resource\":\"" MISSING "\"}", "ResourceNotFoundException",
              "The Lambda code signing configuration " MISSING " can not be found.");
  ft_call_err(b, "TagResource", "{\"Resource\":\"" MISSING "\",\"Tags\":{\"a\":\"b\"}}",
              "ResourceNotFoundException", "can not be found");
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  json_decref(ft_call(b, "DeleteCodeSigningConfig", req));
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", arn);
  ft_call_err(b, "ListTags", req, "ResourceNotFoundException", "can not be found");
}
END_TEST

/* Marker and MaxItems page through the configurations in the order they
 * were made. */
START_TEST(list_pages) {
  char a[128], c[128], d[128];
  create(NULL, a);
  create("Warn", c);
  create("Enforce", d);
  json_t *o = ft_call(b, "ListCodeSigningConfigs", "{\"MaxItems\":2}");
  json_t *list = json_object_get(o, "CodeSigningConfigs");
  ck_assert_int_eq(json_array_size(list), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0),
                                                     "CodeSigningConfigArn")), a);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1),
                                                     "CodeSigningConfigArn")), c);
  char req[128];
  snprintf(req, sizeof req, "{\"Marker\":\"%s\"}",
           json_string_value(json_object_get(o, "NextMarker")));
  json_decref(o);
  o = ft_call(b, "ListCodeSigningConfigs", req);
  list = json_object_get(o, "CodeSigningConfigs");
  ck_assert_int_eq(json_array_size(list), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0),
                                                     "CodeSigningConfigArn")), d);
  ck_assert_ptr_null(json_object_get(o, "NextMarker"));
  json_decref(o);
  ft_call_err(b, "ListCodeSigningConfigs", "{\"MaxItems\":0}", "ValidationException",
              "maxItems");
  ft_call_err(b, "ListCodeSigningConfigs", "{\"Marker\":\"x\"}",
              "InvalidParameterValueException", "Invalid marker: x");
}
END_TEST

/* Recorded (test_function_code_signing_config). */
START_TEST(function_uses_a_configuration) {
  char arn[128], req[256];
  create("Enforce", arn);
  aev_free(create_function("fn", ""));
  put_function_csc("fn", arn);
  json_t *o = ft_call(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "CodeSigningConfigArn")), arn);
  ck_assert_str_eq(json_string_value(json_object_get(o, "FunctionName")), "fn");
  json_decref(o);
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  o = ft_call(b, "ListFunctionsByCodeSigningConfig", req);
  json_t *fns = json_object_get(o, "FunctionArns");
  ck_assert_int_eq(json_array_size(fns), 1);
  ck_assert_str_eq(json_string_value(json_array_get(fns, 0)), FN_ARN "fn");
  json_decref(o);
  json_decref(ft_call(b, "DeleteFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}"));
  o = ft_call(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}");
  ck_assert_int_eq(json_object_size(o), 0);
  json_decref(o);
  /* Recorded (nothing_to_delete_response). */
  json_decref(ft_call(b, "DeleteFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}"));
  o = ft_call(b, "ListFunctionsByCodeSigningConfig", req);
  ck_assert_int_eq(json_array_size(json_object_get(o, "FunctionArns")), 0);
  json_decref(o);
  json_decref(ft_call(b, "DeleteCodeSigningConfig", req));
  ck_assert_int_eq(count_configs(), 0);
}
END_TEST

/* Recorded (test_code_signing_not_found_excs). */
START_TEST(function_actions_refusals) {
  char arn[128], req[256];
  create("Enforce", arn);
  aev_free(create_function("fn", ""));
  const char *gone = "Function not found: " FN_ARN "csc-test-doesnotexist";
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"csc-test-doesnotexist\",\"CodeSigningConfigArn\":\"%s\"}", arn);
  ft_call_err(b, "PutFunctionCodeSigningConfig", req, "ResourceNotFoundException", gone);
  ft_call_err(b, "PutFunctionCodeSigningConfig",
              "{\"FunctionName\":\"fn\",\"CodeSigningConfigArn\":\"" MISSING "\"}",
              "CodeSigningConfigNotFoundException",
              "The code signing configuration cannot be found. Check that the provided "
              "configuration is not deleted: " MISSING ".");
  ft_call_err(b, "PutFunctionCodeSigningConfig",
              "{\"FunctionName\":\"csc-test-doesnotexist\",\"CodeSigningConfigArn\":\"" MISSING
              "\"}",
              "CodeSigningConfigNotFoundException", "is not deleted: " MISSING);
  ft_call_err(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"csc-test-doesnotexist\"}",
              "ResourceNotFoundException", gone);
  ft_call_err(b, "DeleteFunctionCodeSigningConfig",
              "{\"FunctionName\":\"csc-test-doesnotexist\"}", "ResourceNotFoundException", gone);
  json_t *o = ft_call(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}");
  ck_assert_int_eq(json_object_size(o), 0);
  json_decref(o);
}
END_TEST

/* DeleteCodeSigningConfig: "You can delete the code signing configuration
 * only if no function is using it." */
START_TEST(delete_in_use_conflicts) {
  char arn[128], req[256];
  create(NULL, arn);
  aev_free(create_function("fn", ""));
  put_function_csc("fn", arn);
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  ft_call_err(b, "DeleteCodeSigningConfig", req, "ResourceConflictException",
              "1 function uses it");
  ck_assert_int_eq(count_configs(), 1);
  json_t *o = ft_call(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "CodeSigningConfigArn")), arn);
  json_decref(o);
  /* A deleted function uses nothing any more. */
  json_decref(ft_call(b, "DeleteFunction", "{\"FunctionName\":\"fn\"}"));
  json_decref(ft_call(b, "DeleteCodeSigningConfig", req));
  ck_assert_int_eq(count_configs(), 0);
}
END_TEST

START_TEST(create_function_with_a_configuration) {
  char warn[128], enforce[128], extra[512];
  create("Warn", warn);
  create("Enforce", enforce);
  /* Warn: the unsigned package is deployed. */
  snprintf(extra, sizeof extra,
           "\"CodeSigningConfigArn\":\"%s\",\"Code\":{\"ZipFile\":\"" ZIP "\"}", warn);
  char *out = create_function("warned", extra);
  ck_assert_msg(strstr(out, "\"FunctionName\":\"warned\""), "%s", out);
  aev_free(out);
  json_t *o = ft_call(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"warned\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "CodeSigningConfigArn")), warn);
  json_decref(o);
  aev_function *f;
  ck_assert_int_eq(aev_function_get(b, "warned", &f), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "SignatureValidationErrors"), 1);
  aev_function_release(f);
  /* Enforce: the unsigned package is blocked; nothing is created. */
  snprintf(extra, sizeof extra,
           "\"CodeSigningConfigArn\":\"%s\",\"Code\":{\"ZipFile\":\"" ZIP "\"}", enforce);
  out = create_function("blocked", extra);
  ck_assert_msg(strstr(out, "CodeVerificationFailedException") && strstr(out, BLOCKED), "%s", out);
  aev_free(out);
  ck_assert(!function_exists("blocked"));
  /* Nor without a package, when it adds layers. */
  snprintf(extra, sizeof extra,
           "\"CodeSigningConfigArn\":\"%s\",\"Layers\":"
           "[\"arn:aws:lambda:us-east-1:000000000000:layer:deps:1\"]",
           enforce);
  out = create_function("layered", extra);
  ck_assert_msg(strstr(out, "CodeVerificationFailedException"), "%s", out);
  aev_free(out);
  ck_assert(!function_exists("layered"));
  /* A function created without a package deploys nothing to verify. */
  snprintf(extra, sizeof extra, "\"CodeSigningConfigArn\":\"%s\"", enforce);
  aev_free(create_function("bare", extra));
  ck_assert(function_exists("bare"));
  /* A configuration that does not exist, and a malformed ARN. */
  out = create_function("orphan", "\"CodeSigningConfigArn\":\"" MISSING "\"");
  ck_assert_msg(strstr(out, "CodeSigningConfigNotFoundException"), "%s", out);
  aev_free(out);
  out = create_function("orphan", "\"CodeSigningConfigArn\":\"csc-1\"");
  ck_assert_msg(strstr(out, "ValidationException"), "%s", out);
  aev_free(out);
  ck_assert(!function_exists("orphan"));
  /* The code signing guide: container images are not signed. */
  snprintf(extra, sizeof extra,
           "\"CodeSigningConfigArn\":\"%s\",\"PackageType\":\"Image\",\"Code\":{\"ImageUri\":"
           "\"000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest\"}",
           warn);
  out = create_function("image", extra);
  ck_assert_msg(strstr(out, "Code signing is not supported for functions created with "
                            "container images."), "%s", out);
  aev_free(out);
  ck_assert(!function_exists("image"));
}
END_TEST

/* aev_function_create takes CodeSigningConfigArn as CreateFunction does. */
START_TEST(c_api_create_uses_a_configuration) {
  char enforce[128], warn[128], config[512];
  create("Enforce", enforce);
  create("Warn", warn);
  aev_function *f = NULL;
  snprintf(config, sizeof config,
           "{\"CodeSigningConfigArn\":\"%s\",\"Code\":{\"ZipFile\":\"" ZIP "\"}}", enforce);
  ft_assert_error(aev_function_create(b, "capi", config, ft_handler, &st, NULL, &f),
                  AEV_ERR_INVALID, "CodeVerificationFailedException",
                  BLOCKED " Check the provided signature for capi.");
  ck_assert(!function_exists("capi"));
  ft_assert_error(aev_function_create(b, "capi", "{\"CodeSigningConfigArn\":7}", ft_handler, &st,
                                      NULL, &f),
                  AEV_ERR_INVALID, "InvalidParameterValueException", "CodeSigningConfigArn");
  snprintf(config, sizeof config,
           "{\"CodeSigningConfigArn\":\"%s\",\"Code\":{\"ZipFile\":\"" ZIP "\"}}", warn);
  ck_assert_int_eq(aev_function_create(b, "capi", config, ft_handler, &st, NULL, &f), AEV_OK);
  json_t *o = ft_call(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"capi\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "CodeSigningConfigArn")), warn);
  json_decref(o);
  aev_function_release(f);
}
END_TEST

START_TEST(enforce_blocks_code_updates) {
  char enforce[128], warn[128];
  create("Enforce", enforce);
  create("Warn", warn);
  aev_free(create_function("fn", ""));
  put_function_csc("fn", enforce);
  json_t *before = ft_call(b, "GetFunctionConfiguration", "{\"FunctionName\":\"fn\"}");
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP "\"}",
              "CodeVerificationFailedException", BLOCKED " Check the provided signature for fn.");
  ft_call_err(b, "UpdateFunctionConfiguration",
              "{\"FunctionName\":\"fn\",\"Layers\":"
              "[\"arn:aws:lambda:us-east-1:000000000000:layer:deps:1\"]}",
              "CodeVerificationFailedException", BLOCKED);
  json_t *after = ft_call(b, "GetFunctionConfiguration", "{\"FunctionName\":\"fn\"}");
  ck_assert(json_equal(before, after));
  json_decref(after);
  /* Other configuration changes deploy no code. */
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"fn\",\"Description\":\"d\"}"));
  /* The C API checks the same. */
  aev_function *f;
  ck_assert_int_eq(aev_function_get(b, "fn", &f), AEV_OK);
  ft_assert_error(aev_function_update_configuration(
                      f, "{\"Layers\":[\"arn:aws:lambda:us-east-1:000000000000:layer:deps:1\"]}"),
                  AEV_ERR_INVALID, "CodeVerificationFailedException", BLOCKED);
  ft_assert_error(aev_function_update_code(f, "{\"ZipFile\":\"" ZIP "\"}", NULL), AEV_ERR_INVALID,
                  "CodeVerificationFailedException", BLOCKED);
  ck_assert_int_eq(ft_metric(f, "SignatureValidationErrors"), 0);
  /* Under Warn the package and layers are deployed, and counted in
   * SignatureValidationErrors (Lambda's deployment metric). */
  put_function_csc("fn", warn);
  json_t *o = ft_call(b, "UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP "\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(o, "CodeSize")), 128);
  json_decref(o);
  ck_assert_int_eq(ft_metric(f, "SignatureValidationErrors"), 1);
  json_decref(ft_call(b, "PublishLayerVersion",
                      "{\"LayerName\":\"deps\",\"Content\":{\"ZipFile\":\"" ZIP "\"}}"));
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"fn\",\"Layers\":"
                      "[\"arn:aws:lambda:us-east-1:000000000000:layer:deps:1\"]}"));
  ck_assert_int_eq(ft_metric(f, "SignatureValidationErrors"), 2);
  /* A deployment refused for another reason counts nothing. */
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"bm90IGEgemlw\"}",
              "InvalidParameterValueException", "");
  ck_assert_int_eq(ft_metric(f, "SignatureValidationErrors"), 2);
  aev_function_release(f);
  json_decref(before);
}
END_TEST

START_TEST(image_functions_are_not_signed) {
  char arn[128], req[256];
  create(NULL, arn);
  aev_free(create_function("image", "\"PackageType\":\"Image\",\"Code\":{\"ImageUri\":"
                                    "\"000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest\"}"));
  ck_assert(function_exists("image"));
  snprintf(req, sizeof req, "{\"FunctionName\":\"image\",\"CodeSigningConfigArn\":\"%s\"}", arn);
  const char *msg = "Code signing is not supported for functions created with container images.";
  ft_call_err(b, "PutFunctionCodeSigningConfig", req, "InvalidParameterValueException", msg);
  ft_call_err(b, "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"image\"}",
              "InvalidParameterValueException", msg);
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}", arn);
  json_t *o = ft_call(b, "ListFunctionsByCodeSigningConfig", req);
  ck_assert_int_eq(json_array_size(json_object_get(o, "FunctionArns")), 0);
  json_decref(o);
}
END_TEST

/* InvokeAsync runs as an asynchronous Invoke: its retries, then its
 * OnFailure destination with the request's payload. */
START_TEST(invoke_async_reaches_the_failure_destination) {
  aev_queue *q = qt_queue(b, "dest", NULL);
  aev_free(create_function("fn", ""));
  json_decref(ft_call(b, "PutFunctionEventInvokeConfig",
                      "{\"FunctionName\":\"fn\",\"MaximumRetryAttempts\":1,\"DestinationConfig\":"
                      "{\"OnFailure\":{\"Destination\":"
                      "\"arn:aws:sqs:us-east-1:000000000000:dest\"}}}"));
  st.mode = FT_FAIL;
  json_t *o = ft_call(b, "InvokeAsync", "{\"FunctionName\":\"fn\",\"InvokeArgs\":\"{\\\"n\\\":7}\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Status")), 202);
  ck_assert_int_eq(json_object_size(o), 1);
  json_decref(o);
  aev_broker_advance(b, 10 * 60 * 1000);
  ck_assert_int_eq(st.calls, 2);
  ck_assert_str_eq(st.last_event, "{\"n\":7}");
  aev_message *m = qt_recv1(q);
  ck_assert_ptr_nonnull(m);
  const char *rec = qt_body(m);
  ck_assert_msg(strstr(rec, "\"condition\":\"RetriesExhausted\",\"approximateInvokeCount\":2"),
                "%s", rec);
  ck_assert_msg(strstr(rec, "\"requestPayload\":{\"n\":7}"), "%s", rec);
  aev_message_free(m);
  aev_queue_release(q);
}
END_TEST

START_TEST(invoke_async_refusals) {
  aev_free(create_function("fn", ""));
  ft_call_err(b, "InvokeAsync", "{\"FunctionName\":\"fn\"}", "ValidationException",
              "Value null at 'invokeArgs'");
  ft_call_err(b, "InvokeAsync", "{\"FunctionName\":\"nope\",\"InvokeArgs\":\"{}\"}",
              "ResourceNotFoundException", "Function not found: " FN_ARN "nope");
  ft_call_err(b, "InvokeAsync", "{\"FunctionName\":\"fn\",\"InvokeArgs\":\"{not json\"}",
              "InvalidRequestContentException", "");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(st.calls, 0);
}
END_TEST

/* ---- out of memory (nomem.h): each call answers whole or changes nothing ---- */

static json_t *parsed(char *text) {
  json_t *j = json_loads(text, 0, NULL);
  ck_assert_ptr_nonnull(j);
  aev_free(text);
  return j;
}

static char kept[128]; /* the configuration the cases start from */

/* The configurations, the one fn uses, fn's package and the functions. */
static json_t *csc_state(void *ctx) {
  (void)ctx;
  char *l = NULL, *g = NULL, *c = NULL, *f = NULL, *t = NULL, req[256];
  snprintf(req, sizeof req, "{\"Resource\":\"%s\"}", kept);
  aev_call(b, "lambda", "ListTags", req, &t);
  aev_call(b, "lambda", "ListCodeSigningConfigs", "{}", &l);
  aev_call(b, "lambda", "GetFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}", &g);
  aev_call(b, "lambda", "GetFunctionConfiguration", "{\"FunctionName\":\"fn\"}", &c);
  aev_call(b, "lambda", "ListFunctions", "{}", &f);
  return json_pack("{sososososo}", "configs", parsed(l), "fn", parsed(g), "code", parsed(c),
                   "functions", parsed(f), "tags", parsed(t));
}

static int lambda_call(const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  aev_free(r);
  return rc;
}

static int create_csc(void *ctx) {
  (void)ctx;
  return lambda_call("CreateCodeSigningConfig",
                     "{\"AllowedPublishers\":{\"SigningProfileVersionArns\":[\"" PROFILE "\"]},"
                     "\"Tags\":{\"k\":\"v\"}}");
}

static int tag_csc(void *ctx) {
  (void)ctx;
  char req[256];
  snprintf(req, sizeof req, "{\"Resource\":\"%s\",\"Tags\":{\"k\":\"v\"}}", kept);
  return lambda_call("TagResource", req);
}

static void csc_created(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  json_t *list = json_object_get(json_object_get(a->now, "configs"), "CodeSigningConfigs");
  ck_assert_int_eq(json_array_size(list), 2);
  char req[256];
  snprintf(req, sizeof req, "{\"CodeSigningConfigArn\":\"%s\"}",
           json_string_value(json_object_get(json_array_get(list, 1), "CodeSigningConfigArn")));
  ck_assert_int_eq(lambda_call("DeleteCodeSigningConfig", req), AEV_OK);
}

static int update_csc(void *ctx) {
  (void)ctx;
  char req[512];
  snprintf(req, sizeof req,
           "{\"CodeSigningConfigArn\":\"%s\",\"Description\":\"d\",\"CodeSigningPolicies\":"
           "{\"UntrustedArtifactOnDeployment\":\"Warn\"}}",
           kept);
  return lambda_call("UpdateCodeSigningConfig", req);
}

static int put_fn_csc(void *ctx) {
  (void)ctx;
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"fn\",\"CodeSigningConfigArn\":\"%s\"}", kept);
  return lambda_call("PutFunctionCodeSigningConfig", req);
}

static void fn_uses_none(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  (void)a;
  ck_assert_int_eq(lambda_call("DeleteFunctionCodeSigningConfig", "{\"FunctionName\":\"fn\"}"),
                   AEV_OK);
}

static int create_fn_with_csc(void *ctx) {
  (void)ctx;
  char req[512];
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"g\",\"Handler\":\"app.handler\",\"CodeSigningConfigArn\":\"%s\"}",
           kept);
  return lambda_call("CreateFunction", req);
}

static void fn_created(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  (void)a;
  ck_assert_int_eq(lambda_call("DeleteFunction", "{\"FunctionName\":\"g\"}"), AEV_OK);
}

static int update_code(void *ctx) {
  (void)ctx;
  return lambda_call("UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP "\"}");
}

START_TEST(out_of_memory_changes_nothing) {
  create(NULL, kept);
  aev_free(create_function("fn", ""));
  const nomem_case cases[] = {
      {.what = "CreateCodeSigningConfig", .state = csc_state, .call = create_csc,
       .succeeded = csc_created, .expect = NOMEM_ANY},
      {.what = "UpdateCodeSigningConfig", .state = csc_state, .call = update_csc,
       .expect = NOMEM_ANY},
      {.what = "TagResource", .state = csc_state, .call = tag_csc, .expect = NOMEM_ANY},
      {.what = "PutFunctionCodeSigningConfig", .state = csc_state, .call = put_fn_csc,
       .succeeded = fn_uses_none, .expect = NOMEM_ANY},
      {.what = "CreateFunction", .state = csc_state, .call = create_fn_with_csc,
       .succeeded = fn_created, .expect = NOMEM_ANY},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) nomem_sweep(&cases[i], NULL);
  /* A package deployed under the function's configuration (Warn). */
  put_fn_csc(NULL);
  const nomem_case deploy = {.what = "UpdateFunctionCode", .state = csc_state,
                             .call = update_code, .expect = NOMEM_ANY};
  nomem_sweep(&deploy, NULL);
}
END_TEST

int main(void) {
  Suite *su = suite_create("function_csc");
  TCase *tc = tcase_create("csc");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_answers_the_configuration);
  tcase_add_test(tc, policy_defaults_to_warn);
  tcase_add_test(tc, update_changes_what_is_given);
  tcase_add_test(tc, create_refusals_store_nothing);
  tcase_add_test(tc, missing_and_malformed_arns);
  tcase_add_test(tc, refused_update_changes_nothing);
  tcase_add_test(tc, configurations_carry_tags);
  tcase_add_test(tc, list_pages);
  tcase_add_test(tc, function_uses_a_configuration);
  tcase_add_test(tc, function_actions_refusals);
  tcase_add_test(tc, delete_in_use_conflicts);
  tcase_add_test(tc, create_function_with_a_configuration);
  tcase_add_test(tc, c_api_create_uses_a_configuration);
  tcase_add_test(tc, enforce_blocks_code_updates);
  tcase_add_test(tc, image_functions_are_not_signed);
  tcase_add_test(tc, invoke_async_reaches_the_failure_destination);
  tcase_add_test(tc, invoke_async_refusals);
  suite_add_tcase(su, tc);
  tc = tcase_create("nomem");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, out_of_memory_changes_nothing);
  suite_add_tcase(su, tc);
  return aev_test_run(su);
}
