/* Function URL configurations (Create/Get/Update/Delete/
 * ListFunctionUrlConfigs), recursive loop detection
 * (Put/GetFunctionRecursionConfig) and runtime management
 * (Put/GetRuntimeManagementConfig) through aev_call: Lambda's shapes,
 * qualifier rules, paging, and that a refused call leaves everything as
 * it was. */
#include <jansson.h>
#include <regex.h>

#include "aevtest.h"
#include "function_support.h"
#include "nomem.h"

#define ARN "arn:aws:lambda:us-east-1:000000000000:function:f"
#define NO_FUNCTION "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Function does not exist\"}"
#define NO_RESOURCE                                                                  \
  "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The resource you requested " \
  "does not exist.\"}"

static aev_broker *b;
static ft_state st;

static char *call_ok(const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  ck_assert_msg(rc == AEV_OK, "%s %s: %s", action, req, r ? r : "");
  return r;
}

static void call_err(const char *action, const char *req, int status, const char *want) {
  char *r = NULL;
  ck_assert_int_eq(aev_call(b, "lambda", action, req, &r), status);
  ck_assert_msg(strstr(r, want), "%s %s: %s lacks %s", action, req, r, want);
  aev_free(r);
}

/* The member `name` of the JSON object text r, as compact JSON text
 * ("" when absent; caller frees). */
static char *member(const char *r, const char *name) {
  json_t *o = json_loads(r, 0, NULL);
  ck_assert_ptr_nonnull(o);
  json_t *v = json_object_get(o, name);
  char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
  json_decref(o);
  return text;
}

static void assert_member(const char *r, const char *name, const char *want) {
  char *v = member(r, name);
  ck_assert_msg(strcmp(v, want) == 0, "%s in %s: %s, not %s", name, r, v, want);
  free(v);
}

/* Calls action and checks that its answer is the text want. */
static void answers(const char *action, const char *req, const char *want) {
  char *r = call_ok(action, req);
  ck_assert_str_eq(r, want);
  aev_free(r);
}

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}"));
  aev_free(call_ok("PublishVersion", "{\"FunctionName\":\"f\"}"));
  aev_free(call_ok("CreateAlias", "{\"FunctionName\":\"f\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
}
static void teardown(void) { aev_broker_destroy(b); }

START_TEST(url_lifecycle) {
  char *r = call_ok("CreateFunctionUrlConfig", "{\"FunctionName\":\"f\",\"AuthType\":\"NONE\"}");
  char *url = member(r, "FunctionUrl");
  regex_t re;
  ck_assert_int_eq(regcomp(&re, "^\"https://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.on\\.aws/\"$",
                           REG_EXTENDED | REG_NOSUB), 0);
  ck_assert_msg(regexec(&re, url, 0, NULL, 0) == 0, "%s", url);
  regfree(&re);
  assert_member(r, "FunctionArn", "\"" ARN "\"");
  assert_member(r, "AuthType", "\"NONE\"");
  assert_member(r, "InvokeMode", "\"BUFFERED\"");
  assert_member(r, "CreationTime", "\"2024-01-01T00:00:00.000Z\"");
  assert_member(r, "LastModifiedTime", "");
  assert_member(r, "Cors", "");
  aev_free(r);
  call_err("CreateFunctionUrlConfig", "{\"FunctionName\":\"f\",\"AuthType\":\"AWS_IAM\"}",
           AEV_ERR_EXISTS,
           "\"message\":\"Failed to create function url config for [functionArn = " ARN
           "]. Error message:  FunctionUrlConfig exists for this Lambda function\"");
  r = call_ok("GetFunctionUrlConfig", "{\"FunctionName\":\"" ARN "\"}");
  assert_member(r, "FunctionUrl", url);
  assert_member(r, "AuthType", "\"NONE\"");
  assert_member(r, "LastModifiedTime", "\"2024-01-01T00:00:00.000Z\"");
  aev_free(r);
  aev_broker_advance(b, 1500);
  r = call_ok("UpdateFunctionUrlConfig",
              "{\"FunctionName\":\"f\",\"AuthType\":\"AWS_IAM\",\"InvokeMode\":\"RESPONSE_STREAM\","
              "\"Cors\":{\"AllowOrigins\":[\"*\"],\"MaxAge\":300}}");
  assert_member(r, "FunctionUrl", url);
  assert_member(r, "AuthType", "\"AWS_IAM\"");
  assert_member(r, "InvokeMode", "\"RESPONSE_STREAM\"");
  assert_member(r, "Cors", "{\"AllowOrigins\":[\"*\"],\"MaxAge\":300}");
  assert_member(r, "CreationTime", "\"2024-01-01T00:00:00.000Z\"");
  assert_member(r, "LastModifiedTime", "\"2024-01-01T00:00:01.500Z\"");
  aev_free(r);
  /* Only what an update names changes. */
  r = call_ok("UpdateFunctionUrlConfig", "{\"FunctionName\":\"f\"}");
  assert_member(r, "AuthType", "\"AWS_IAM\"");
  assert_member(r, "InvokeMode", "\"RESPONSE_STREAM\"");
  assert_member(r, "Cors", "{\"AllowOrigins\":[\"*\"],\"MaxAge\":300}");
  aev_free(r);
  answers("DeleteFunctionUrlConfig", "{\"FunctionName\":\"f\"}", "{}");
  call_err("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_NOT_FOUND, NO_RESOURCE);
  call_err("DeleteFunctionUrlConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_NOT_FOUND, NO_RESOURCE);
  call_err("UpdateFunctionUrlConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_NOT_FOUND, NO_RESOURCE);
  free(url);
}
END_TEST

/* A URL is for the function or one of its aliases, never a version nor
 * $LATEST; each has its own, and deleting the alias deletes its URL. */
START_TEST(url_qualifiers) {
  char *r = call_ok("CreateFunctionUrlConfig",
                    "{\"FunctionName\":\"f\",\"Qualifier\":\"live\",\"AuthType\":\"AWS_IAM\"}");
  assert_member(r, "FunctionArn", "\"" ARN ":live\"");
  char *alias_url = member(r, "FunctionUrl");
  aev_free(r);
  r = call_ok("CreateFunctionUrlConfig", "{\"FunctionName\":\"f\",\"AuthType\":\"NONE\"}");
  char *fn_url = member(r, "FunctionUrl");
  ck_assert_str_ne(alias_url, fn_url);
  aev_free(r);
  r = call_ok("GetFunctionUrlConfig", "{\"FunctionName\":\"" ARN ":live\"}");
  assert_member(r, "FunctionUrl", alias_url);
  assert_member(r, "AuthType", "\"AWS_IAM\"");
  aev_free(r);
  static const char *const refused[] = {"CreateFunctionUrlConfig", "GetFunctionUrlConfig",
                                        "UpdateFunctionUrlConfig", "DeleteFunctionUrlConfig"};
  for (int i = 0; i < 4; i++) {
    const char *a = refused[i];
    int keeps = i == 0 || i == 2; /* Create and Update say "Function does not exist" */
    call_err(a, "{\"FunctionName\":\"f\",\"Qualifier\":\"1\",\"AuthType\":\"NONE\"}",
             AEV_ERR_INVALID,
             "\"message\":\"1 validation error detected: Value '1' at 'qualifier' failed to "
             "satisfy constraint: Member must satisfy regular expression pattern: "
             "(^\\\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))\"");
    call_err(a, "{\"FunctionName\":\"" ARN ":1\",\"AuthType\":\"NONE\"}", AEV_ERR_INVALID,
             "Value '1' at 'qualifier'");
    call_err(a, "{\"FunctionName\":\"f\",\"Qualifier\":\"$LATEST\",\"AuthType\":\"NONE\"}",
             AEV_ERR_INVALID,
             "Value '$LATEST' at 'qualifier' failed to satisfy constraint: Member must satisfy "
             "regular expression pattern: ((?!^\\\\d+$)^[0-9a-zA-Z-_]+$)");
    call_err(a, "{\"FunctionName\":\"f\",\"Qualifier\":\"nope\",\"AuthType\":\"NONE\"}",
             AEV_ERR_NOT_FOUND, keeps ? NO_FUNCTION : NO_RESOURCE);
    call_err(a, "{\"FunctionName\":\"g\",\"AuthType\":\"NONE\"}", AEV_ERR_NOT_FOUND,
             keeps ? NO_FUNCTION : NO_RESOURCE);
  }
  aev_free(call_ok("DeleteAlias", "{\"FunctionName\":\"f\",\"Name\":\"live\"}"));
  aev_free(call_ok("CreateAlias", "{\"FunctionName\":\"f\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  call_err("GetFunctionUrlConfig", "{\"FunctionName\":\"f\",\"Qualifier\":\"live\"}",
           AEV_ERR_NOT_FOUND, NO_RESOURCE);
  r = call_ok("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}");
  assert_member(r, "FunctionUrl", fn_url);
  aev_free(r);
  free(alias_url);
  free(fn_url);
}
END_TEST

/* Every refused create or update leaves the stored configuration as it
 * was. */
START_TEST(url_validation_changes_nothing) {
  static const char *const bad[][2] = {
      {"{\"FunctionName\":\"f\"}", "Value null at 'authType'"},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"OPEN\"}",
       "Value 'OPEN' at 'authType' failed to satisfy constraint: Member must satisfy enum value "
       "set: [NONE, AWS_IAM]"},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"InvokeMode\":\"STREAM\"}",
       "Value 'STREAM' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum "
       "value set: [BUFFERED, RESPONSE_STREAM]"},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"Cors\":{\"MaxAge\":86401}}",
       "Value '86401' at 'cors.maxAge' failed to satisfy constraint: Member must have value "
       "less than or equal to 86400"},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"Cors\":{\"AllowMethods\":[\"GET\",\"OPTIONSX\"]}}",
       "Value 'OPTIONSX' at 'cors.allowMethods.2.member'"},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"Cors\":{\"AllowOrigin\":[\"*\"]}}",
       "Unknown member Cors.AllowOrigin."},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"Cors\":{\"AllowCredentials\":\"yes\"}}",
       "Cors.AllowCredentials must be a boolean."},
      {"{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"Cors\":{\"ExposeHeaders\":[1]}}",
       "Cors.ExposeHeaders must be a list of strings."},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    call_err("CreateFunctionUrlConfig", bad[i][0], AEV_ERR_INVALID, bad[i][1]);
  call_err("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_NOT_FOUND, NO_RESOURCE);
  char *before = call_ok("CreateFunctionUrlConfig",
                         "{\"FunctionName\":\"f\",\"AuthType\":\"NONE\",\"Cors\":{\"MaxAge\":5}}");
  aev_free(before);
  before = call_ok("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}");
  aev_broker_advance(b, 1000);
  for (size_t i = 1; i < sizeof bad / sizeof *bad; i++)
    call_err("UpdateFunctionUrlConfig", bad[i][0], AEV_ERR_INVALID, bad[i][1]);
  answers("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}", before);
  aev_free(before);
}
END_TEST

START_TEST(url_list_pages) {
  answers("ListFunctionUrlConfigs", "{\"FunctionName\":\"f\"}", "{\"FunctionUrlConfigs\":[]}");
  aev_free(call_ok("CreateAlias", "{\"FunctionName\":\"f\",\"Name\":\"beta\",\"FunctionVersion\":\"1\"}"));
  aev_free(call_ok("CreateFunctionUrlConfig", "{\"FunctionName\":\"f\",\"AuthType\":\"NONE\"}"));
  aev_free(call_ok("CreateFunctionUrlConfig",
                   "{\"FunctionName\":\"f\",\"Qualifier\":\"live\",\"AuthType\":\"NONE\"}"));
  aev_free(call_ok("CreateFunctionUrlConfig",
                   "{\"FunctionName\":\"f\",\"Qualifier\":\"beta\",\"AuthType\":\"NONE\"}"));
  char *r = call_ok("ListFunctionUrlConfigs", "{\"FunctionName\":\"f\"}");
  json_t *o = json_loads(r, 0, NULL);
  json_t *list = json_object_get(o, "FunctionUrlConfigs");
  ck_assert_int_eq(json_array_size(list), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 2), "FunctionArn")),
                   ARN ":beta");
  ck_assert_ptr_nonnull(json_object_get(json_array_get(list, 0), "LastModifiedTime"));
  ck_assert_ptr_null(json_object_get(o, "NextMarker"));
  json_decref(o);
  aev_free(r);
  /* One at a time, in the same order, through NextMarker. */
  static const char *const arns[] = {"\"" ARN "\"", "\"" ARN ":live\"", "\"" ARN ":beta\""};
  char req[256], *marker = NULL;
  for (int i = 0; i < 3; i++) {
    if (marker)
      snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"MaxItems\":1,\"Marker\":%s}", marker);
    else
      snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"MaxItems\":1}");
    free(marker);
    r = call_ok("ListFunctionUrlConfigs", req);
    o = json_loads(r, 0, NULL);
    list = json_object_get(o, "FunctionUrlConfigs");
    ck_assert_int_eq(json_array_size(list), 1);
    char *arn = json_dumps(json_object_get(json_array_get(list, 0), "FunctionArn"), JSON_ENCODE_ANY);
    ck_assert_str_eq(arn, arns[i]);
    free(arn);
    marker = member(r, "NextMarker");
    ck_assert_int_eq(*marker == '\0', i == 2);
    json_decref(o);
    aev_free(r);
  }
  free(marker);
  call_err("ListFunctionUrlConfigs", "{\"FunctionName\":\"f\",\"MaxItems\":0}", AEV_ERR_INVALID,
           "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater "
           "than or equal to 1");
  call_err("ListFunctionUrlConfigs", "{\"FunctionName\":\"f\",\"MaxItems\":51}", AEV_ERR_INVALID,
           "Member must have value less than or equal to 50");
  call_err("ListFunctionUrlConfigs", "{\"FunctionName\":\"f\",\"Marker\":\"x\"}", AEV_ERR_INVALID,
           "Invalid marker: x");
  call_err("ListFunctionUrlConfigs", "{\"FunctionName\":\"g\"}", AEV_ERR_NOT_FOUND, NO_FUNCTION);
}
END_TEST

/* A function deleted and created again under the same name starts with
 * no URL and Lambda's default settings. */
START_TEST(delete_function_drops_everything) {
  aev_free(call_ok("CreateFunctionUrlConfig", "{\"FunctionName\":\"f\",\"AuthType\":\"NONE\"}"));
  aev_free(call_ok("PutFunctionRecursionConfig", "{\"FunctionName\":\"f\",\"RecursiveLoop\":\"Allow\"}"));
  aev_free(call_ok("PutRuntimeManagementConfig",
                   "{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"FunctionUpdate\"}"));
  aev_free(call_ok("DeleteFunction", "{\"FunctionName\":\"f\"}"));
  call_err("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_NOT_FOUND, NO_RESOURCE);
  call_err("GetFunctionRecursionConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_NOT_FOUND,
           "Function not found: " ARN);
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}"));
  answers("ListFunctionUrlConfigs", "{\"FunctionName\":\"f\"}", "{\"FunctionUrlConfigs\":[]}");
  answers("GetFunctionRecursionConfig", "{\"FunctionName\":\"f\"}", "{\"RecursiveLoop\":\"Terminate\"}");
  answers("GetRuntimeManagementConfig", "{\"FunctionName\":\"f\"}",
          "{\"UpdateRuntimeOn\":\"Auto\",\"FunctionArn\":\"" ARN "\"}");
}
END_TEST

START_TEST(recursion_config) {
  answers("GetFunctionRecursionConfig", "{\"FunctionName\":\"f\"}", "{\"RecursiveLoop\":\"Terminate\"}");
  answers("PutFunctionRecursionConfig", "{\"FunctionName\":\"f\",\"RecursiveLoop\":\"Allow\"}",
          "{\"RecursiveLoop\":\"Allow\"}");
  answers("GetFunctionRecursionConfig", "{\"FunctionName\":\"" ARN "\"}", "{\"RecursiveLoop\":\"Allow\"}");
  call_err("PutFunctionRecursionConfig", "{\"FunctionName\":\"f\",\"RecursiveLoop\":\"Deny\"}",
           AEV_ERR_INVALID,
           "Value 'Deny' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum "
           "value set: [Allow, Terminate]");
  call_err("PutFunctionRecursionConfig", "{\"FunctionName\":\"f\"}", AEV_ERR_INVALID,
           "Value null at 'recursiveLoop' failed to satisfy constraint: Member must not be null");
  call_err("PutFunctionRecursionConfig", "{\"FunctionName\":\"f:live\",\"RecursiveLoop\":\"Terminate\"}",
           AEV_ERR_NOT_FOUND, "Function not found: " ARN ":live");
  call_err("PutFunctionRecursionConfig", "{\"FunctionName\":\"g\",\"RecursiveLoop\":\"Terminate\"}",
           AEV_ERR_NOT_FOUND, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:g");
  answers("GetFunctionRecursionConfig", "{\"FunctionName\":\"f\"}", "{\"RecursiveLoop\":\"Allow\"}");
  answers("PutFunctionRecursionConfig", "{\"FunctionName\":\"f\",\"RecursiveLoop\":\"Terminate\"}",
          "{\"RecursiveLoop\":\"Terminate\"}");
}
END_TEST

#define RUNTIME "arn:aws:lambda:us-east-1::runtime:0cdcfbdefbc5e7d3343f73c2e2dd3cba17d61dea0686b404502a0c9ce83931b9"

START_TEST(runtime_management_config) {
  answers("GetRuntimeManagementConfig", "{\"FunctionName\":\"f\"}",
          "{\"UpdateRuntimeOn\":\"Auto\",\"FunctionArn\":\"" ARN "\"}");
  answers("PutRuntimeManagementConfig",
          "{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Manual\",\"RuntimeVersionArn\":\"" RUNTIME "\"}",
          "{\"UpdateRuntimeOn\":\"Manual\",\"FunctionArn\":\"" ARN "\",\"RuntimeVersionArn\":\"" RUNTIME "\"}");
  /* Each version has its own. */
  answers("GetRuntimeManagementConfig", "{\"FunctionName\":\"f\",\"Qualifier\":\"1\"}",
          "{\"UpdateRuntimeOn\":\"Auto\",\"FunctionArn\":\"" ARN ":1\"}");
  answers("PutRuntimeManagementConfig",
          "{\"FunctionName\":\"f\",\"Qualifier\":\"1\",\"UpdateRuntimeOn\":\"FunctionUpdate\"}",
          "{\"UpdateRuntimeOn\":\"FunctionUpdate\",\"FunctionArn\":\"" ARN ":1\"}");
  static const char *const bad[][3] = {
      {"{\"FunctionName\":\"f\"}", "ValidationException", "Value null at 'updateRuntimeOn'"},
      {"{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Never\"}", "ValidationException",
       "Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]"},
      {"{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Manual\"}", "InvalidParameterValueException",
       "UpdateRuntimeOn Manual requires a RuntimeVersionArn."},
      {"{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Auto\",\"RuntimeVersionArn\":\"" RUNTIME "\"}",
       "InvalidParameterValueException", "RuntimeVersionArn can be given only with UpdateRuntimeOn Manual"},
      {"{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Manual\",\"RuntimeVersionArn\":"
       "\"arn:aws:lambda:us-east-1:000000000000:function:f\"}",
       "ValidationException", "at 'runtimeVersionArn' failed to satisfy constraint"},
      {"{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Manual\",\"RuntimeVersionArn\":\"arn:aws\"}",
       "ValidationException", "Member must have length greater than or equal to 26"},
      {"{\"FunctionName\":\"f\",\"Qualifier\":\"live\",\"UpdateRuntimeOn\":\"Auto\"}",
       "InvalidParameterValueException", "not to the alias live."},
      {"{\"FunctionName\":\"f\",\"Qualifier\":\"7\",\"UpdateRuntimeOn\":\"Auto\"}",
       "ResourceNotFoundException", "Function not found: " ARN ":7"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *r = NULL;
    ck_assert_int_ne(aev_call(b, "lambda", "PutRuntimeManagementConfig", bad[i][0], &r), AEV_OK);
    ck_assert_msg(strstr(r, bad[i][1]) && strstr(r, bad[i][2]), "%s: %s", bad[i][0], r);
    aev_free(r);
  }
  answers("GetRuntimeManagementConfig", "{\"FunctionName\":\"f\",\"Qualifier\":\"$LATEST\"}",
          "{\"UpdateRuntimeOn\":\"Manual\",\"FunctionArn\":\"" ARN "\",\"RuntimeVersionArn\":\"" RUNTIME "\"}");
  answers("GetRuntimeManagementConfig", "{\"FunctionName\":\"f:1\"}",
          "{\"UpdateRuntimeOn\":\"FunctionUpdate\",\"FunctionArn\":\"" ARN ":1\"}");
  /* Leaving Manual drops the pinned version. */
  answers("PutRuntimeManagementConfig", "{\"FunctionName\":\"f\",\"UpdateRuntimeOn\":\"Auto\"}",
          "{\"UpdateRuntimeOn\":\"Auto\",\"FunctionArn\":\"" ARN "\"}");
  call_err("GetRuntimeManagementConfig", "{\"FunctionName\":\"g\"}", AEV_ERR_NOT_FOUND,
           "Function not found: arn:aws:lambda:us-east-1:000000000000:function:g");
}
END_TEST

/* ---- out of memory (nomem.h): each call answers whole or changes nothing ---- */

static json_t *parsed(char *text) {
  json_t *j = json_loads(text, 0, NULL);
  ck_assert_ptr_nonnull(j);
  aev_free(text);
  return j;
}

/* Every URL configuration and setting of f (or the errors they answer). */
static json_t *settings_state(void *ctx) {
  (void)ctx;
  char *u = NULL, *r = NULL, *l = NULL, *v = NULL;
  aev_call(b, "lambda", "ListFunctionUrlConfigs", "{\"FunctionName\":\"f\"}", &u);
  aev_call(b, "lambda", "GetFunctionRecursionConfig", "{\"FunctionName\":\"f\"}", &r);
  aev_call(b, "lambda", "GetRuntimeManagementConfig", "{\"FunctionName\":\"f\"}", &l);
  aev_call(b, "lambda", "GetRuntimeManagementConfig", "{\"FunctionName\":\"f:1\"}", &v);
  return json_pack("{sosososo}", "urls", parsed(u), "recursion", parsed(r), "latest", parsed(l),
                   "v1", parsed(v));
}

static int lambda_call(const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  aev_free(r);
  return rc;
}

static int create_url(void *ctx) {
  (void)ctx;
  return lambda_call("CreateFunctionUrlConfig",
                     "{\"FunctionName\":\"f\",\"Qualifier\":\"live\",\"AuthType\":\"NONE\","
                     "\"Cors\":{\"AllowOrigins\":[\"*\"]}}");
}

static void url_created(void *ctx, const nomem_attempt *a) {
  (void)ctx;
  ck_assert_int_eq(json_array_size(json_object_get(json_object_get(a->now, "urls"),
                                                   "FunctionUrlConfigs")), 1);
  ck_assert_int_eq(lambda_call("DeleteFunctionUrlConfig",
                               "{\"FunctionName\":\"f\",\"Qualifier\":\"live\"}"), AEV_OK);
}

static void url_exists(void *ctx) {
  (void)ctx;
  if (lambda_call("GetFunctionUrlConfig", "{\"FunctionName\":\"f\"}") != AEV_OK)
    ck_assert_int_eq(lambda_call("CreateFunctionUrlConfig",
                                 "{\"FunctionName\":\"f\",\"AuthType\":\"NONE\"}"), AEV_OK);
}

static int update_url(void *ctx) {
  (void)ctx;
  return lambda_call("UpdateFunctionUrlConfig",
                     "{\"FunctionName\":\"f\",\"AuthType\":\"AWS_IAM\",\"InvokeMode\":\"RESPONSE_STREAM\"}");
}

static int put_runtime(void *ctx) {
  (void)ctx;
  return lambda_call("PutRuntimeManagementConfig",
                     "{\"FunctionName\":\"f:1\",\"UpdateRuntimeOn\":\"Manual\","
                     "\"RuntimeVersionArn\":\"" RUNTIME "\"}");
}

static int put_recursion(void *ctx) {
  (void)ctx;
  return lambda_call("PutFunctionRecursionConfig",
                     "{\"FunctionName\":\"f\",\"RecursiveLoop\":\"Allow\"}");
}

START_TEST(out_of_memory_changes_nothing) {
  const nomem_case cases[] = {
      {.what = "CreateFunctionUrlConfig", .state = settings_state, .call = create_url,
       .succeeded = url_created, .expect = NOMEM_ANY},
      {.what = "UpdateFunctionUrlConfig", .setup = url_exists, .state = settings_state,
       .call = update_url, .expect = NOMEM_ANY},
      {.what = "PutRuntimeManagementConfig", .state = settings_state, .call = put_runtime,
       .expect = NOMEM_ANY},
      {.what = "PutFunctionRecursionConfig", .state = settings_state, .call = put_recursion,
       .expect = NOMEM_ANY},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) nomem_sweep(&cases[i], NULL);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_urls");
  TCase *tc = tcase_create("urls");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, url_lifecycle);
  tcase_add_test(tc, url_qualifiers);
  tcase_add_test(tc, url_validation_changes_nothing);
  tcase_add_test(tc, url_list_pages);
  tcase_add_test(tc, delete_function_drops_everything);
  suite_add_tcase(su, tc);
  tc = tcase_create("settings");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, recursion_config);
  tcase_add_test(tc, runtime_management_config);
  suite_add_tcase(su, tc);
  tc = tcase_create("nomem");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, out_of_memory_changes_nothing);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
