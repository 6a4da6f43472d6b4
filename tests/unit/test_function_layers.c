/* Lambda layers through aev_call: PublishLayerVersion (ZipFile, the
 * answer's shape, numbers never reused), GetLayerVersion(ByArn),
 * ListLayers / ListLayerVersions (filters, paging), DeleteLayerVersion,
 * the layer version policy actions, and functions' Layers
 * (CreateFunction, UpdateFunctionConfiguration, published versions).
 * Every refused request is checked to change nothing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aevtest.h"
#include "function_support.h"

/* A one-entry archive (python/lib.py) and its CodeSha256 / CodeSize. */
#define ZIP                                                                                   \
  "UEsDBBQAAAAAAAAAIVg+YMYlBAAAAAQAAAANAAAAcHl0aG9uL2xpYi5weVg9MQpQSwECFAMUAAAAAAAAACFYPmDGJQQ" \
  "AAAAEAAAADQAAAAAAAAAAAAAAgAEAAAAAcHl0aG9uL2xpYi5weVBLBQYAAAAAAQABADsAAAAvAAAAAAA="
#define SHA "67mmUwqFpU90xwez/pePLyQbwFFN71F+9vNjRXZpoyQ="
#define SIZE 128
#define LAYER_ARN "arn:aws:lambda:us-east-1:000000000000:layer:"
/* One-entry archives whose entry claims 140000000 and 130000000 bytes
 * unzipped: each within the 262144000-byte limit, not both together. */
#define ZIP_140M                                                                              \
  "UEsDBBQAAAAAAAAAIViDFtyMAQAAAAEAAAADAAAAYmlneFBLAQIUAxQAAAAAAAAAIViDFtyMAQAAAAA7WAgDAAAAAAAA" \
  "AAAAAACAAQAAAABiaWdQSwUGAAAAAAEAAQAxAAAAIgAAAAAA"
#define ZIP_130M                                                                              \
  "UEsDBBQAAAAAAAAAIViDFtyMAQAAAAEAAAADAAAAYmlneFBLAQIUAxQAAAAAAAAAIViDFtyMAQAAAICkvwcDAAAAAAAA" \
  "AAAAAACAAQAAAABiaWdQSwUGAAAAAAEAAQAxAAAAIgAAAAAA"
#define TOO_BIG                                                                    \
  "Function code combined with layers exceeds the maximum allowed size of 262144000 " \
  "bytes. The actual size is 270000000 bytes."

static aev_broker *b;
static ft_state st;

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
}
static void teardown(void) { aev_broker_destroy(b); }

/* Publishes a version of name with extra members; answers its number. */
static int publish(const char *name, const char *extra) {
  char req[1024];
  snprintf(req, sizeof req, "{\"LayerName\":\"%s\",\"Content\":{\"ZipFile\":\"" ZIP "\"}%s%s}", name,
           *extra ? "," : "", extra);
  json_t *o = ft_call(b, "PublishLayerVersion", req);
  int v = (int)json_integer_value(json_object_get(o, "Version"));
  json_decref(o);
  return v;
}

/* The number of versions ListLayerVersions lists for name. */
static size_t count_versions(const char *name) {
  char req[256];
  snprintf(req, sizeof req, "{\"LayerName\":\"%s\"}", name);
  json_t *o = ft_call(b, "ListLayerVersions", req);
  size_t n = json_array_size(json_object_get(o, "LayerVersions"));
  json_decref(o);
  return n;
}

START_TEST(publish_answers_the_version) {
  json_t *o = ft_call(b, "PublishLayerVersion",
                   "{\"LayerName\":\"deps\",\"Content\":{\"ZipFile\":\"" ZIP "\"},"
                   "\"Description\":\"d\",\"LicenseInfo\":\"MIT\","
                   "\"CompatibleRuntimes\":[\"python3.12\",\"python3.11\"],"
                   "\"CompatibleArchitectures\":[\"arm64\",\"x86_64\"]}");
  json_t *c = json_object_get(o, "Content");
  ck_assert_str_eq(json_string_value(json_object_get(c, "CodeSha256")), SHA);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "CodeSize")), SIZE);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(c, "Location")), "https://"));
  ck_assert_str_eq(json_string_value(json_object_get(o, "LayerArn")), LAYER_ARN "deps");
  ck_assert_str_eq(json_string_value(json_object_get(o, "LayerVersionArn")), LAYER_ARN "deps:1");
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Version")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(o, "CreatedDate")),
                   "2024-01-01T00:00:00.000+0000");
  ck_assert_str_eq(json_string_value(json_object_get(o, "Description")), "d");
  ck_assert_str_eq(json_string_value(json_object_get(o, "LicenseInfo")), "MIT");
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "CompatibleRuntimes"), 1)),
                   "python3.11");
  ck_assert_int_eq(json_array_size(json_object_get(o, "CompatibleArchitectures")), 2);
  json_decref(o);
  /* GetLayerVersion and GetLayerVersionByArn answer the same. */
  o = ft_call(b, "GetLayerVersion", "{\"LayerName\":\"deps\",\"VersionNumber\":1}");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "Content"), "CodeSha256")),
                   SHA);
  json_decref(o);
  o = ft_call(b, "GetLayerVersionByArn", "{\"Arn\":\"" LAYER_ARN "deps:1\"}");
  ck_assert_str_eq(json_string_value(json_object_get(o, "LicenseInfo")), "MIT");
  json_decref(o);
  o = ft_call(b, "GetLayerVersion", "{\"LayerName\":\"" LAYER_ARN "deps\",\"VersionNumber\":1}");
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Version")), 1);
  json_decref(o);
}
END_TEST

/* Content from S3: S3Bucket NAME is the directory ./NAME, S3Key a file in
 * it, as for function code (recorded: test_layer_s3_content, whose answer
 * has no CompatibleRuntimes when none were given). */
START_TEST(s3_content_comes_from_the_bucket_directory) {
  char bucket[] = "layer-bucket-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(bucket));
  char path[128];
  snprintf(path, sizeof path, "%s/layer.zip", bucket);
  static const unsigned char zip[] = { /* ZIP decoded */
      0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x21, 0x58, 0x3e, 0x60, 0xc6, 0x25, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x70, 0x79, 0x74, 0x68, 0x6f, 0x6e,
      0x2f, 0x6c, 0x69, 0x62, 0x2e, 0x70, 0x79, 0x58, 0x3d, 0x31, 0x0a, 0x50,
      0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x21, 0x58, 0x3e, 0x60, 0xc6, 0x25, 0x04, 0x00, 0x00, 0x00, 0x04,
      0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x70, 0x79, 0x74,
      0x68, 0x6f, 0x6e, 0x2f, 0x6c, 0x69, 0x62, 0x2e, 0x70, 0x79, 0x50, 0x4b,
      0x05, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x3b, 0x00,
      0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  FILE *fp = fopen(path, "wb");
  ck_assert_int_eq(fwrite(zip, 1, sizeof zip, fp), sizeof zip);
  fclose(fp);
  char req[512];
  snprintf(req, sizeof req,
           "{\"LayerName\":\"s3\",\"Content\":{\"S3Bucket\":\"%s\",\"S3Key\":\"layer.zip\"}}", bucket);
  json_t *o = ft_call(b, "PublishLayerVersion", req);
  json_t *c = json_object_get(o, "Content");
  ck_assert_str_eq(json_string_value(json_object_get(c, "CodeSha256")), SHA);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "CodeSize")), SIZE);
  ck_assert_ptr_null(json_object_get(o, "CompatibleRuntimes"));
  json_decref(o);
  snprintf(req, sizeof req,
           "{\"LayerName\":\"s3\",\"Content\":{\"S3Bucket\":\"%s\",\"S3Key\":\"gone.zip\"}}", bucket);
  ft_call_err(b, "PublishLayerVersion", req, "InvalidParameterValueException",
           "S3 Error Code: NoSuchKey");
  ck_assert_uint_eq(count_versions("s3"), 1);
  unlink(path);
  rmdir(bucket);
}
END_TEST

START_TEST(versions_grow_and_are_never_reused) {
  ck_assert_int_eq(publish("l", ""), 1);
  ck_assert_int_eq(publish("l", ""), 2);
  json_decref(ft_call(b, "DeleteLayerVersion", "{\"LayerName\":\"l\",\"VersionNumber\":1}"));
  json_decref(ft_call(b, "DeleteLayerVersion", "{\"LayerName\":\"l\",\"VersionNumber\":2}"));
  ck_assert_uint_eq(count_versions("l"), 0);
  /* Recorded (test_layer_lifecycle): the next one is 3. */
  ck_assert_int_eq(publish("l", ""), 3);
  ft_call_err(b, "GetLayerVersion", "{\"LayerName\":\"l\",\"VersionNumber\":1}",
           "ResourceNotFoundException", "The resource you requested does not exist.");
  /* Deleting what does not exist is no error. */
  json_decref(ft_call(b, "DeleteLayerVersion", "{\"LayerName\":\"l\",\"VersionNumber\":1}"));
  json_decref(ft_call(b, "DeleteLayerVersion", "{\"LayerName\":\"none\",\"VersionNumber\":1}"));
  ck_assert_uint_eq(count_versions("l"), 1);
}
END_TEST

START_TEST(bad_requests_change_nothing) {
  ck_assert_int_eq(publish("l", ""), 1);
  ft_call_err(b, "PublishLayerVersion",
           "{\"LayerName\":\"l\",\"Content\":{\"ZipFile\":\"" ZIP "\"},"
           "\"CompatibleRuntimes\":[\"nope\"],\"CompatibleArchitectures\":[\"nope\"]}",
           "ValidationException", "2 validation errors detected: Value '[nope]' at 'compatibleRuntimes'");
  ft_call_err(b, "PublishLayerVersion",
           "{\"LayerName\":\"l\",\"Content\":{\"ZipFile\":\"" ZIP "\"},"
           "\"CompatibleArchitectures\":[\"x86_64\",\"arm64\",\"x86_64\"]}",
           "ValidationException", "Member must have length less than or equal to 2");
  ft_call_err(b, "PublishLayerVersion", "{\"LayerName\":\"l\",\"Content\":{}}",
           "InvalidParameterValueException", "Please provide a source for function code.");
  ft_call_err(b, "PublishLayerVersion", "{\"LayerName\":\"l\",\"Content\":{\"ZipFile\":\"AAAA\"}}",
           "InvalidParameterValueException", "");
  ft_call_err(b, "PublishLayerVersion", "{\"LayerName\":\"bad name\",\"Content\":{\"ZipFile\":\"" ZIP "\"}}",
           "ValidationException", "at 'layerName' failed to satisfy constraint");
  ft_call_err(b, "PublishLayerVersion", "{\"LayerName\":\"l\"}", "InvalidParameterValueException",
           "Value null at 'content'");
  ft_call_err(b, "GetLayerVersion", "{\"LayerName\":\"l\",\"VersionNumber\":0}",
           "InvalidParameterValueException", "Layer Version Cannot be less than 1");
  ft_call_err(b, "DeleteLayerVersion", "{\"LayerName\":\"l\",\"VersionNumber\":-1}",
           "InvalidParameterValueException", "Layer Version Cannot be less than 1");
  ft_call_err(b, "GetLayerVersionByArn", "{\"Arn\":\"" LAYER_ARN "l\"}", "ValidationException",
           "at 'arn' failed to satisfy constraint");
  ft_call_err(b, "GetLayerVersionByArn", "{\"Arn\":\"" LAYER_ARN "l:2\"}", "ResourceNotFoundException",
           "The resource you requested does not exist.");
  ft_call_err(b, "ListLayers", "{\"CompatibleRuntime\":\"nope\"}", "ValidationException",
           "at 'compatibleRuntime' failed to satisfy constraint");
  ft_call_err(b, "ListLayers", "{\"CompatibleArchitecture\":\"nope\"}", "ValidationException",
           "Member must satisfy enum value set: [x86_64, arm64]");
  ck_assert_uint_eq(count_versions("l"), 1);
  /* The next number is still 2: nothing was published. */
  ck_assert_int_eq(publish("l", ""), 2);
}
END_TEST

START_TEST(lists_filter_and_page) {
  publish("a", "\"CompatibleRuntimes\":[\"python3.12\"],\"CompatibleArchitectures\":[\"arm64\"]");
  publish("a", "\"CompatibleRuntimes\":[\"nodejs20.x\"]");
  publish("b", "\"CompatibleRuntimes\":[\"python3.12\"]");
  publish("c", "");
  json_t *o = ft_call(b, "ListLayers", "{}");
  json_t *l = json_object_get(o, "Layers");
  ck_assert_uint_eq(json_array_size(l), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "LayerName")), "a");
  json_t *latest = json_object_get(json_array_get(l, 0), "LatestMatchingVersion");
  ck_assert_int_eq(json_integer_value(json_object_get(latest, "Version")), 2);
  ck_assert_ptr_null(json_object_get(latest, "Content"));
  json_decref(o);
  /* The newest version that matches, per layer. */
  o = ft_call(b, "ListLayers", "{\"CompatibleRuntime\":\"python3.12\"}");
  l = json_object_get(o, "Layers");
  ck_assert_uint_eq(json_array_size(l), 2);
  latest = json_object_get(json_array_get(l, 0), "LatestMatchingVersion");
  ck_assert_int_eq(json_integer_value(json_object_get(latest, "Version")), 1);
  json_decref(o);
  o = ft_call(b, "ListLayers", "{\"CompatibleArchitecture\":\"arm64\"}");
  ck_assert_uint_eq(json_array_size(json_object_get(o, "Layers")), 1);
  json_decref(o);
  /* Paging: MaxItems, then NextMarker as Marker. */
  o = ft_call(b, "ListLayers", "{\"MaxItems\":2}");
  ck_assert_uint_eq(json_array_size(json_object_get(o, "Layers")), 2);
  char req[256];
  snprintf(req, sizeof req, "{\"MaxItems\":2,\"Marker\":\"%s\"}",
           json_string_value(json_object_get(o, "NextMarker")));
  json_decref(o);
  o = ft_call(b, "ListLayers", req);
  l = json_object_get(o, "Layers");
  ck_assert_uint_eq(json_array_size(l), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "LayerName")), "c");
  ck_assert_ptr_null(json_object_get(o, "NextMarker"));
  json_decref(o);
  /* ListLayerVersions: newest first, paged and filtered the same way. */
  o = ft_call(b, "ListLayerVersions", "{\"LayerName\":\"a\",\"MaxItems\":1}");
  l = json_object_get(o, "LayerVersions");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l, 0), "Version")), 2);
  snprintf(req, sizeof req, "{\"LayerName\":\"a\",\"Marker\":\"%s\"}",
           json_string_value(json_object_get(o, "NextMarker")));
  json_decref(o);
  o = ft_call(b, "ListLayerVersions", req);
  l = json_object_get(o, "LayerVersions");
  ck_assert_uint_eq(json_array_size(l), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l, 0), "Version")), 1);
  json_decref(o);
  o = ft_call(b, "ListLayerVersions", "{\"LayerName\":\"a\",\"CompatibleRuntime\":\"nodejs20.x\"}");
  ck_assert_uint_eq(json_array_size(json_object_get(o, "LayerVersions")), 1);
  json_decref(o);
  /* A layer that does not exist lists nothing (recorded: test_layer_exceptions). */
  ck_assert_uint_eq(count_versions("none"), 0);
}
END_TEST

START_TEST(policy_statements_are_recorded) {
  publish("l", "");
  ft_call_err(b, "GetLayerVersionPolicy", "{\"LayerName\":\"l\",\"VersionNumber\":1}",
           "ResourceNotFoundException", "No policy is associated with the given resource.");
  json_t *o = ft_call(b, "AddLayerVersionPermission",
                   "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s1\","
                   "\"Action\":\"lambda:GetLayerVersion\",\"Principal\":\"*\"}");
  json_t *s = json_loads(json_string_value(json_object_get(o, "Statement")), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(s, "Resource")), LAYER_ARN "l:1");
  ck_assert_str_eq(json_string_value(json_object_get(s, "Principal")), "*");
  json_decref(s);
  char rev[64];
  snprintf(rev, sizeof rev, "%s", json_string_value(json_object_get(o, "RevisionId")));
  json_decref(o);
  ft_call_err(b, "AddLayerVersionPermission",
           "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s1\","
           "\"Action\":\"lambda:GetLayerVersion\",\"Principal\":\"*\"}",
           "ResourceConflictException", "The statement id (s1) provided already exists.");
  ft_call_err(b, "AddLayerVersionPermission",
           "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s2\","
           "\"Action\":\"*\",\"Principal\":\"*\"}",
           "ValidationException", "at 'action' failed to satisfy constraint");
  ft_call_err(b, "AddLayerVersionPermission",
           "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s2\","
           "\"Action\":\"lambda:GetLayerVersion\",\"Principal\":\"*\",\"RevisionId\":\"wrong\"}",
           "PreconditionFailedException", "does not match the latest Revision Id");
  ft_call_err(b, "AddLayerVersionPermission",
           "{\"LayerName\":\"l\",\"VersionNumber\":2,\"StatementId\":\"s2\","
           "\"Action\":\"lambda:GetLayerVersion\",\"Principal\":\"*\"}",
           "ResourceNotFoundException", "Layer version " LAYER_ARN "l:2 does not exist.");
  ft_call_err(b, "RemoveLayerVersionPermission",
           "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"nope\"}",
           "ResourceNotFoundException", "Statement nope is not found in resource policy.");
  ft_call_err(b, "RemoveLayerVersionPermission",
           "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s1\",\"RevisionId\":\"wrong\"}",
           "PreconditionFailedException", "does not match the latest Revision Id");
  /* An account is written as its root ARN. */
  char req[512];
  snprintf(req, sizeof req,
           "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s2\",\"RevisionId\":\"%s\","
           "\"Action\":\"lambda:GetLayerVersion\",\"Principal\":\"123456789012\"}",
           rev);
  json_decref(ft_call(b, "AddLayerVersionPermission", req));
  o = ft_call(b, "GetLayerVersionPolicy", "{\"LayerName\":\"l\",\"VersionNumber\":1}");
  json_t *p = json_loads(json_string_value(json_object_get(o, "Policy")), 0, NULL);
  json_t *sts = json_object_get(p, "Statement");
  ck_assert_uint_eq(json_array_size(sts), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(sts, 1), "Principal")),
                   "arn:aws:iam::123456789012:root");
  json_decref(p);
  json_decref(o);
  json_decref(ft_call(b, "RemoveLayerVersionPermission",
                   "{\"LayerName\":\"l\",\"VersionNumber\":1,\"StatementId\":\"s1\"}"));
  o = ft_call(b, "GetLayerVersionPolicy", "{\"LayerName\":\"l\",\"VersionNumber\":1}");
  p = json_loads(json_string_value(json_object_get(o, "Policy")), 0, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(p, "Statement")), 1);
  json_decref(p);
  json_decref(o);
}
END_TEST

/* $LATEST's Layers. */
static json_t *layers_of(const char *fn) {
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\"}", fn);
  json_t *o = ft_call(b, "GetFunctionConfiguration", req);
  json_t *l = json_incref(json_object_get(o, "Layers"));
  json_decref(o);
  return l;
}

START_TEST(functions_reference_layers) {
  publish("l", "");
  publish("l", "");
  publish("m", "");
  json_t *o = ft_call(b, "CreateFunction",
                   "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\","
                   "\"Layers\":[\"" LAYER_ARN "l:1\"]}");
  json_t *l = json_object_get(o, "Layers");
  ck_assert_uint_eq(json_array_size(l), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "Arn")), LAYER_ARN "l:1");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l, 0), "CodeSize")), SIZE);
  json_decref(o);
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"f\"}"));
  o = ft_call(b, "UpdateFunctionConfiguration",
           "{\"FunctionName\":\"f\",\"Layers\":[\"" LAYER_ARN "l:2\",\"" LAYER_ARN "m:1\"]}");
  ck_assert_uint_eq(json_array_size(json_object_get(o, "Layers")), 2);
  json_decref(o);
  /* Version 1 keeps the layers it was published with. */
  o = ft_call(b, "GetFunctionConfiguration", "{\"FunctionName\":\"f\",\"Qualifier\":\"1\"}");
  l = json_object_get(o, "Layers");
  ck_assert_uint_eq(json_array_size(l), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "Arn")), LAYER_ARN "l:1");
  json_decref(o);
  /* Deleting a layer version leaves the functions that use it as they
   * are (recorded: test_layer_lifecycle). */
  json_decref(ft_call(b, "DeleteLayerVersion", "{\"LayerName\":\"m\",\"VersionNumber\":1}"));
  l = layers_of("f");
  ck_assert_uint_eq(json_array_size(l), 2);
  json_decref(l);
  /* Layers [] removes them. */
  json_decref(ft_call(b, "UpdateFunctionConfiguration", "{\"FunctionName\":\"f\",\"Layers\":[]}"));
  l = layers_of("f");
  ck_assert_ptr_null(l);
}
END_TEST

/* GetAccountSettings' AccountUsage: the functions, and the bytes of every
 * package ($LATEST's and each published version's) and layer version. */
static void assert_usage(int functions, int bytes) {
  json_t *o = ft_call(b, "GetAccountSettings", "{}");
  json_t *u = json_object_get(o, "AccountUsage");
  ck_assert_int_eq(json_integer_value(json_object_get(u, "FunctionCount")), functions);
  ck_assert_int_eq(json_integer_value(json_object_get(u, "TotalCodeSize")), bytes);
  json_t *l = json_object_get(o, "AccountLimit");
  ck_assert_int_eq(json_integer_value(json_object_get(l, "CodeSizeZipped")), 52428800);
  ck_assert_int_eq(json_integer_value(json_object_get(l, "CodeSizeUnzipped")), 262144000);
  ck_assert_int_eq(json_integer_value(json_object_get(l, "TotalCodeSize")), 80530636800LL);
  json_decref(o);
}

START_TEST(account_usage_counts_packages_and_layers) {
  assert_usage(0, 0);
  publish("deps", "");
  assert_usage(0, SIZE);
  json_decref(ft_call(b, "CreateFunction",
                      "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\","
                      "\"Role\":\"arn:aws:iam::000000000000:role/r\",\"Code\":{\"ZipFile\":\"" ZIP "\"}}"));
  assert_usage(1, 2 * SIZE);
  json_decref(ft_call(b, "PublishVersion", "{\"FunctionName\":\"f\"}"));
  assert_usage(1, 3 * SIZE);
  json_decref(ft_call(b, "DeleteLayerVersion", "{\"LayerName\":\"deps\",\"VersionNumber\":1}"));
  assert_usage(1, 2 * SIZE);
}
END_TEST

START_TEST(bad_layers_change_nothing) {
  publish("l", "");
  publish("l", "");
  for (int i = 0; i < 6; i++) publish("q", "");
  json_decref(ft_call(b, "CreateFunction",
                   "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\","
                   "\"Layers\":[\"" LAYER_ARN "l:1\"]}"));
  const char *bad[][3] = {
      {"[\"" LAYER_ARN "l:1\",\"" LAYER_ARN "l:2\"]", "InvalidParameterValueException",
       "Two different versions of the same layer are not allowed to be referenced in the same "
       "function. " LAYER_ARN "l:1 and " LAYER_ARN "l:2 are versions of the same layer."},
      {"[\"" LAYER_ARN "l:1\",\"" LAYER_ARN "l:1\"]", "InvalidParameterValueException",
       LAYER_ARN "l:1 and " LAYER_ARN "l:1 are versions of the same layer."},
      {"[\"" LAYER_ARN "l:9\"]", "InvalidParameterValueException",
       "Layer version " LAYER_ARN "l:9 does not exist."},
      {"[\"" LAYER_ARN "nope:1\"]", "InvalidParameterValueException",
       "Layer version " LAYER_ARN "nope:1 does not exist."},
      {"[\"" LAYER_ARN "l\"]", "ValidationException",
       "Value '[" LAYER_ARN "l]' at 'layers' failed to satisfy constraint"},
      {"[\"arn:aws:lambda:eu-west-1:000000000000:layer:l:1\"]", "InvalidParameterValueException",
       "Layers are not in the same region as the function."},
      {"[\"" LAYER_ARN "q:1\",\"" LAYER_ARN "q:2\",\"" LAYER_ARN "q:3\",\"" LAYER_ARN
       "q:4\",\"" LAYER_ARN "q:5\",\"" LAYER_ARN "q:6\"]",
       "InvalidParameterValueException", "Cannot reference more than 5 layers."},
  };
  char req[1024];
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"Layers\":%s}", bad[i][0]);
    ft_call_err(b, "UpdateFunctionConfiguration", req, bad[i][1], bad[i][2]);
    snprintf(req, sizeof req,
             "{\"FunctionName\":\"g\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\","
             "\"Layers\":%s}",
             bad[i][0]);
    ft_call_err(b, "CreateFunction", req, bad[i][1], bad[i][2]);
  }
  json_t *l = layers_of("f");
  ck_assert_uint_eq(json_array_size(l), 1);
  json_decref(l);
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"g\"}", "ResourceNotFoundException", "");
}
END_TEST

START_TEST(c_api_publishes_and_lists) {
  char *out = NULL;
  ck_assert_int_eq(aev_function_publish_layer_version(
                       b, "{\"LayerName\":\"c\",\"Content\":{\"ZipFile\":\"" ZIP "\"}}", &out),
                   AEV_OK);
  json_t *o = json_loads(out, 0, NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Version")), 1);
  json_decref(o);
  aev_free(out);
  ft_assert_error(aev_function_publish_layer_version(b, "{\"LayerName\":\"c\"}", NULL),
                  AEV_ERR_INVALID, "InvalidParameterValueException", "at 'content'");
  ft_assert_error(aev_function_publish_layer_version(b, "[1]", NULL), AEV_ERR_INVALID,
                  "InvalidParameterValueException", "JSON object");
  ck_assert_int_eq(aev_function_list_layer_versions(b, "c", &out), AEV_OK);
  o = json_loads(out, 0, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(o, "LayerVersions")), 1);
  json_decref(o);
  aev_free(out);
  ck_assert_int_eq(aev_function_list_layer_versions(b, NULL, &out), AEV_OK);
  o = json_loads(out, 0, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(o, "Layers")), 1);
  json_decref(o);
  aev_free(out);
}
END_TEST

/* Function code and its layers unzip to at most 262144000 bytes together
 * (AccountLimit's CodeSizeUnzipped), on CreateFunction,
 * UpdateFunctionConfiguration's Layers and UpdateFunctionCode alike; a
 * refused request changes nothing. */
START_TEST(code_and_layers_share_the_unzipped_limit) {
  json_decref(ft_call(b, "PublishLayerVersion",
                      "{\"LayerName\":\"big\",\"Content\":{\"ZipFile\":\"" ZIP_140M "\"}}"));
  publish("small", "");
  ft_call_err(b, "CreateFunction",
              "{\"FunctionName\":\"g\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\","
              "\"Code\":{\"ZipFile\":\"" ZIP_130M "\"},\"Layers\":[\"" LAYER_ARN "big:1\"]}",
              "InvalidParameterValueException", TOO_BIG);
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"g\"}", "ResourceNotFoundException", "");
  json_decref(ft_call(b, "CreateFunction",
                      "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\",\"Runtime\":"
                      "\"python3.12\",\"Code\":{\"ZipFile\":\"" ZIP_130M "\"},\"Layers\":[\""
                      LAYER_ARN "small:1\"]}"));
  ft_call_err(b, "UpdateFunctionConfiguration",
              "{\"FunctionName\":\"f\",\"Layers\":[\"" LAYER_ARN "big:1\"]}",
              "InvalidParameterValueException", TOO_BIG);
  json_t *l = layers_of("f");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "Arn")),
                   LAYER_ARN "small:1");
  json_decref(l);
  /* The small package in: now the big layer fits, and the big package not. */
  json_decref(ft_call(b, "UpdateFunctionCode",
                      "{\"FunctionName\":\"f\",\"ZipFile\":\"" ZIP "\"}"));
  json_decref(ft_call(b, "UpdateFunctionConfiguration",
                      "{\"FunctionName\":\"f\",\"Layers\":[\"" LAYER_ARN "big:1\"]}"));
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"f\",\"ZipFile\":\"" ZIP_130M "\"}",
              "InvalidParameterValueException", TOO_BIG);
  json_t *o = ft_call(b, "GetFunctionConfiguration", "{\"FunctionName\":\"f\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(o, "CodeSize")), SIZE);
  json_decref(o);
  /* Another change of configuration keeps counting the layers. */
  json_decref(ft_call(b, "UpdateFunctionConfiguration", "{\"FunctionName\":\"f\",\"Timeout\":9}"));
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"f\",\"ZipFile\":\"" ZIP_130M "\"}",
              "InvalidParameterValueException", TOO_BIG);
}
END_TEST

/* aev_function_create's and aev_function_update_configuration's Layers are
 * checked and reported as CreateFunction's are: one code path. */
START_TEST(c_api_layers_are_checked_like_the_api) {
  publish("l", "");
  aev_function *f;
  ft_assert_error(aev_function_create(b, "c", "{\"Layers\":[\"" LAYER_ARN "l:9\"]}", ft_handler,
                                      &st, NULL, &f),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "Layer version " LAYER_ARN "l:9 does not exist.");
  ft_assert_error(aev_function_create(b, "c", "{\"Layers\":[\"" LAYER_ARN "l\"]}", ft_handler, &st,
                                      NULL, &f),
                  AEV_ERR_INVALID, "ValidationException",
                  "Value '[" LAYER_ARN "l]' at 'layers' failed to satisfy constraint");
  ft_call_err(b, "GetFunction", "{\"FunctionName\":\"c\"}", "ResourceNotFoundException", "");
  f = ft_function(b, "c", "{\"Layers\":[\"" LAYER_ARN "l:1\"]}", &st);
  json_t *l = layers_of("c");
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(l, 0), "CodeSize")), SIZE);
  json_decref(l);
  ft_assert_error(aev_function_update_configuration(f, "{\"Layers\":[\"" LAYER_ARN "nope:1\"]}"),
                  AEV_ERR_INVALID, "InvalidParameterValueException",
                  "Layer version " LAYER_ARN "nope:1 does not exist.");
  l = layers_of("c");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(l, 0), "Arn")), LAYER_ARN "l:1");
  json_decref(l);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("function_layers");
  TCase *tc = tcase_create("layers");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, publish_answers_the_version);
  tcase_add_test(tc, s3_content_comes_from_the_bucket_directory);
  tcase_add_test(tc, versions_grow_and_are_never_reused);
  tcase_add_test(tc, bad_requests_change_nothing);
  tcase_add_test(tc, lists_filter_and_page);
  tcase_add_test(tc, policy_statements_are_recorded);
  tcase_add_test(tc, functions_reference_layers);
  tcase_add_test(tc, bad_layers_change_nothing);
  tcase_add_test(tc, c_api_publishes_and_lists);
  tcase_add_test(tc, code_and_layers_share_the_unzipped_limit);
  tcase_add_test(tc, c_api_layers_are_checked_like_the_api);
  tcase_add_test(tc, account_usage_counts_packages_and_layers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
