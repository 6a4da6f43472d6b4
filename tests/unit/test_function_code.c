/* Deployment packages: CreateFunction's Code (ZipFile, S3 from ./BUCKET,
 * ImageUri), CodeSha256 / CodeSize in every configuration, GetFunction's
 * Code member, UpdateFunctionCode (RevisionId, DryRun, Publish,
 * Architectures) through aev_call and aev_function_update_code, and
 * PublishVersion's CodeSha256 precondition and its rule that only a change
 * publishes. Every refused request is checked to change nothing. */
#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aevtest.h"
#include "function_support.h"

/* Two one-entry archives (index.py "v1\n" and "v2\n", 117 bytes each) and
 * the base64 of their SHA-256, as Lambda reports CodeSha256. */
#define ZIP_V1                                                                        \
  "UEsDBBQAAAAAAAAAIVhcI7WJAwAAAAMAAAAIAAAAaW5kZXgucHl2MQpQSwECFAMUAAAAAAAAACFYXCO1iQMA" \
  "AAADAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXgucHlQSwUGAAAAAAEAAQA2AAAAKQAAAAAA"
#define SHA_V1 "h7OzaB+mFUwaaaAiD/FKOp7DY1wUMzIL4zLKmzi+7DQ="
#define ZIP_V2                                                                        \
  "UEsDBBQAAAAAAAAAIVifcJiiAwAAAAMAAAAIAAAAaW5kZXgucHl2MgpQSwECFAMUAAAAAAAAACFYn3CYogMA" \
  "AAADAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXgucHlQSwUGAAAAAAEAAQA2AAAAKQAAAAAA"
#define SHA_V2 "jLs8MVSK6SvNENgxFplT/1cYjzxnLzl36N4uosJjrRw="
/* An archive whose entry claims 262144000 bytes unzipped. */
#define ZIP_HUGE                                                                      \
  "UEsDBBQAAAAAAAAAIViDFtyMAQAAAAEAAAADAAAAYmlneFBLAQIUAxQAAAAAAAAAIViDFtyMAQAAAAAAoA8D" \
  "AAAAAAAAAAAAAACAAQAAAABiaWdQSwUGAAAAAAEAAQAxAAAAIgAAAAAA"
/* The 22-byte archive without entries. */
#define ZIP_EMPTY "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="
#define SHA_NONE "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
#define IMAGE "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:latest"

static aev_broker *b;
static ft_state st;

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
}
static void teardown(void) { aev_broker_destroy(b); }

static const char *str(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  ck_assert_msg(s != NULL, "no %s", k);
  return s;
}

static void create(const char *name, const char *extra) {
  char req[1024];
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"%s\",\"Handler\":\"app.handler\",\"Runtime\":\"python3.12\"%s%s}",
           name, *extra ? "," : "", extra);
  json_decref(ft_call(b, "CreateFunction", req));
}

/* $LATEST's configuration. */
static json_t *config(const char *name) {
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"%s\"}", name);
  return ft_call(b, "GetFunctionConfiguration", req);
}

/* Asserts $LATEST's CodeSha256 and RevisionId are what they were. */
static void unchanged(const char *name, const char *sha, const char *revision) {
  json_t *c = config(name);
  ck_assert_str_eq(str(c, "CodeSha256"), sha);
  ck_assert_str_eq(str(c, "RevisionId"), revision);
  json_decref(c);
}

START_TEST(zipfile_on_create_is_reported_everywhere) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"},\"Publish\":true");
  json_t *c = config("fn");
  ck_assert_str_eq(str(c, "CodeSha256"), SHA_V1);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "CodeSize")), 117);
  ck_assert_str_eq(str(c, "PackageType"), "Zip");
  json_decref(c);
  json_t *g = ft_call(b, "GetFunction", "{\"FunctionName\":\"fn\"}");
  json_t *code = json_object_get(g, "Code");
  ck_assert_str_eq(str(code, "RepositoryType"), "S3");
  ck_assert_ptr_nonnull(strstr(str(code, "Location"), "https://awslambda-us-east-1-tasks.s3."));
  ck_assert_str_eq(str(json_object_get(g, "Configuration"), "CodeSha256"), SHA_V1);
  json_decref(g);
  json_t *l = ft_call(b, "ListFunctions", "{}");
  ck_assert_str_eq(str(json_array_get(json_object_get(l, "Functions"), 0), "CodeSha256"), SHA_V1);
  json_decref(l);
  json_t *v = ft_call(b, "ListVersionsByFunction", "{\"FunctionName\":\"fn\"}");
  json_t *versions = json_object_get(v, "Versions");
  ck_assert_int_eq(json_array_size(versions), 2);
  ck_assert_str_eq(str(json_array_get(versions, 1), "CodeSha256"), SHA_V1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(versions, 1), "CodeSize")), 117);
  json_decref(v);
}
END_TEST

/* A function created without Code (the handler is its code) has the
 * empty package. */
START_TEST(no_code_is_the_empty_package) {
  create("fn", "");
  json_t *c = config("fn");
  ck_assert_str_eq(str(c, "CodeSha256"), SHA_NONE);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "CodeSize")), 0);
  json_decref(c);
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "typed", NULL, ft_handler, &st, NULL, &f), AEV_OK);
  char *text;
  ck_assert_int_eq(aev_function_configuration(f, &text), AEV_OK);
  ck_assert_ptr_nonnull(strstr(text, "\"CodeSha256\":\"" SHA_NONE "\""));
  aev_free(text);
  aev_function_release(f);
}
END_TEST

START_TEST(bad_packages_create_nothing) {
  static const char *const cases[][3] = {
      {"\"Code\":{\"ZipFile\":\"dGhpcyBpcyBub3QgYSB6aXBmaWxl\"}", "InvalidParameterValueException",
       "Could not unzip uploaded file. Please check your file, then try to upload again."},
      {"\"Code\":{\"ZipFile\":\"\"}", "InvalidParameterValueException", "Could not unzip uploaded file."},
      {"\"Code\":{\"ZipFile\":\"" ZIP_EMPTY "\"}", "InvalidParameterValueException",
       "Uploaded file must be a non-empty zip"},
      {"\"Code\":{\"ZipFile\":\"" ZIP_HUGE "\"}", "InvalidParameterValueException",
       "Unzipped size must be smaller than 262144000 bytes"},
      {"\"Code\":{\"ZipFile\":\"" ZIP_V1 "\",\"S3Bucket\":\"b\",\"S3Key\":\"k\"}",
       "InvalidParameterValueException", "either ZipFile or S3Bucket and S3Key"},
      {"\"Code\":{\"S3Bucket\":\"b\"}", "InvalidParameterValueException", "both S3Bucket and S3Key"},
      {"\"Code\":{\"ImageUri\":\"" IMAGE "\"}", "InvalidParameterValueException",
       "Please don't provide ImageUri when PackageType is Zip."},
      {"\"PackageType\":\"Image\",\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}",
       "InvalidParameterValueException", "Please provide ImageUri when PackageType is Image."},
      {"\"PackageType\":\"Image\",\"Code\":{\"ImageUri\":\"docker.io/library/repo:latest\"}",
       "InvalidParameterValueException",
       "Source image docker.io/library/repo:latest is not valid. Provide a valid source image."},
      {"\"PackageType\":\"Jar\"", "ValidationException",
       "Value 'Jar' at 'packageType' failed to satisfy constraint: Member must satisfy enum value "
       "set: [Image, Zip]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char req[1024];
    snprintf(req, sizeof req, "{\"FunctionName\":\"fn\",\"Handler\":\"app.handler\",%s}", cases[i][0]);
    ft_call_err(b, "CreateFunction", req, cases[i][1], cases[i][2]);
    ft_call_err(b, "GetFunction", "{\"FunctionName\":\"fn\"}", "ResourceNotFoundException",
             "Function not found");
  }
}
END_TEST

/* UpdateFunctionCode {FunctionName fn, ZipFile: n bytes of base64 text}:
 * AEV_ERR_LIMIT with message want, and nothing changed. */
static void too_large(size_t n, const char *want) {
  json_t *c = config("fn");
  char *revision = strdup(str(c, "RevisionId"));
  json_decref(c);
  static const char head[] = "{\"FunctionName\":\"fn\",\"ZipFile\":\"";
  char *text = malloc(sizeof head + n + 2);
  memcpy(text, head, sizeof head - 1);
  memset(text + sizeof head - 1, 'A', n);
  memcpy(text + sizeof head - 1 + n, "\"}", 3);
  char *r = NULL;
  ck_assert_int_eq(aev_call(b, "lambda", "UpdateFunctionCode", text, &r), AEV_ERR_LIMIT);
  free(text);
  ck_assert_str_eq(r, want);
  aev_free(r);
  unchanged("fn", SHA_V1, revision);
  free(revision);
}

/* A direct upload is at most 50 MB of package, in a request Lambda
 * measures too. */
START_TEST(direct_upload_over_50_mb) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}");
  /* 52428804 bytes of package, a request within the limit. */
  too_large(69905072, "{\"__type\":\"RequestEntityTooLargeException\",\"message\":\"Zipped size "
                      "must be smaller than 52428800 bytes\"}");
  too_large(70167212, "{\"__type\":\"RequestEntityTooLargeException\",\"message\":\"Request must "
                      "be smaller than 70167211 bytes for the UpdateFunctionCode operation\"}");
}
END_TEST

START_TEST(update_code_answers_in_progress_and_keeps_the_handler) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}");
  json_t *before = config("fn");
  aev_broker_advance(b, 1500);
  json_t *u = ft_call(b, "UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP_V2 "\"}");
  /* Recorded (test_function_lifecycle, update_code_response). */
  ck_assert_str_eq(str(u, "LastUpdateStatus"), "InProgress");
  ck_assert_str_eq(str(u, "LastUpdateStatusReason"), "The function is being created.");
  ck_assert_str_eq(str(u, "LastUpdateStatusReasonCode"), "Creating");
  ck_assert_str_eq(str(u, "State"), "Active");
  ck_assert_str_eq(str(u, "CodeSha256"), SHA_V2);
  ck_assert_str_ne(str(u, "RevisionId"), str(before, "RevisionId"));
  ck_assert_str_eq(str(u, "LastModified"), "2024-01-01T00:00:01.500+0000");
  ck_assert_str_ne(str(u, "LastModified"), str(before, "LastModified"));
  json_t *after = config("fn");
  ck_assert_str_eq(str(after, "LastUpdateStatus"), "Successful");
  ck_assert_str_eq(str(after, "RevisionId"), str(u, "RevisionId"));
  ck_assert_str_eq(str(after, "Handler"), "app.handler");
  json_decref(before);
  json_decref(after);
  json_decref(u);
  json_t *inv = ft_call(b, "Invoke", "{\"FunctionName\":\"fn\",\"Payload\":\"{\\\"k\\\":1}\"}");
  ck_assert_str_eq(str(inv, "Payload"), "{\"k\":1}");
  ck_assert_int_eq(st.calls, 1);
  json_decref(inv);
}
END_TEST

START_TEST(refused_updates_change_nothing) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}");
  json_t *c = config("fn");
  char *revision = strdup(str(c, "RevisionId"));
  json_decref(c);
  static const char *const cases[][3] = {
      {"", "InvalidParameterValueException", "Please provide a source for function code."},
      {",\"ZipFile\":\"bm90IGEgemlw\"", "InvalidParameterValueException",
       "Could not unzip uploaded file."},
      {",\"ZipFile\":\"" ZIP_V2 "\",\"RevisionId\":\"00000000-0000-0000-0000-000000000000\"",
       "PreconditionFailedException",
       "The Revision Id provided does not match the latest Revision Id. Call the "
       "GetFunction/GetAlias API to retrieve the latest Revision Id"},
      {",\"ImageUri\":\"" IMAGE "\"", "InvalidParameterValueException",
       "Please don't provide ImageUri when updating a function with packageType Zip."},
      {",\"ZipFile\":\"" ZIP_V2 "\",\"Architectures\":[\"x86_64\",\"arm64\"]", "ValidationException",
       "Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have "
       "length less than or equal to 1"},
      {",\"ZipFile\":\"" ZIP_V2 "\",\"Architectures\":[\"X86_64\"]", "ValidationException",
       "Member must satisfy enum value set: [x86_64, arm64]"},
      {",\"S3Bucket\":\"no-such-bucket-here\",\"S3Key\":\"fn.zip\"", "InvalidParameterValueException",
       "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
       "specified bucket does not exist"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char req[1024];
    snprintf(req, sizeof req, "{\"FunctionName\":\"fn\"%s}", cases[i][0]);
    ft_call_err(b, "UpdateFunctionCode", req, cases[i][1], cases[i][2]);
    unchanged("fn", SHA_V1, revision);
  }
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"nope\",\"ZipFile\":\"" ZIP_V2 "\"}",
           "ResourceNotFoundException",
           "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  /* The RevisionId it names is $LATEST's: the update goes through. */
  char req[512];
  snprintf(req, sizeof req,
           "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP_V2 "\",\"RevisionId\":\"%s\","
           "\"Architectures\":[\"arm64\"]}",
           revision);
  json_t *u = ft_call(b, "UpdateFunctionCode", req);
  ck_assert_str_eq(str(u, "CodeSha256"), SHA_V2);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(u, "Architectures"), 0)), "arm64");
  json_decref(u);
  free(revision);
}
END_TEST

START_TEST(dry_run_checks_and_changes_nothing) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}");
  json_t *c = config("fn");
  char *revision = strdup(str(c, "RevisionId"));
  json_decref(c);
  json_t *d = ft_call(b, "UpdateFunctionCode",
                   "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP_V2 "\",\"DryRun\":true}");
  ck_assert_str_eq(str(d, "CodeSha256"), SHA_V2);
  ck_assert_str_eq(str(d, "RevisionId"), revision);
  ck_assert_str_eq(str(d, "LastUpdateStatus"), "Successful"); /* nothing started */
  json_decref(d);
  unchanged("fn", SHA_V1, revision);
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP_EMPTY "\",\"DryRun\":true}",
           "InvalidParameterValueException", "Uploaded file must be a non-empty zip");
  free(revision);
}
END_TEST

/* PublishVersion publishes when the code changed, and only then; Publish
 * on UpdateFunctionCode answers the version it made. */
START_TEST(a_code_change_is_what_publishes) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}");
  json_t *v1 = ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}");
  ck_assert_str_eq(str(v1, "Version"), "1");
  json_decref(v1);
  /* The same package again changes nothing to publish. */
  json_decref(ft_call(b, "UpdateFunctionCode", "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP_V1 "\"}"));
  json_t *again = ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\"}");
  ck_assert_str_eq(str(again, "Version"), "1");
  json_decref(again);
  json_t *u = ft_call(b, "UpdateFunctionCode",
                   "{\"FunctionName\":\"fn\",\"ZipFile\":\"" ZIP_V2 "\",\"Publish\":true}");
  ck_assert_str_eq(str(u, "Version"), "2");
  ck_assert_str_eq(str(u, "FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn:2");
  ck_assert_str_eq(str(u, "CodeSha256"), SHA_V2);
  /* Answered as a version being created (recorded: test_publish_with_update). */
  ck_assert_str_eq(str(u, "State"), "Pending");
  ck_assert_str_eq(str(u, "StateReasonCode"), "Creating");
  ck_assert_ptr_null(json_object_get(u, "LastUpdateStatus"));
  json_decref(u);
  /* Each version keeps the code it was published with. */
  json_t *g = ft_call(b, "GetFunction", "{\"FunctionName\":\"fn\",\"Qualifier\":\"1\"}");
  ck_assert_str_eq(str(json_object_get(g, "Configuration"), "CodeSha256"), SHA_V1);
  json_decref(g);
  /* An alias answers the code of the version it points to. */
  json_decref(ft_call(b, "CreateAlias", "{\"FunctionName\":\"fn\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  g = ft_call(b, "GetFunction", "{\"FunctionName\":\"fn:live\"}");
  ck_assert_str_eq(str(json_object_get(g, "Configuration"), "CodeSha256"), SHA_V1);
  ck_assert_str_eq(str(json_object_get(g, "Code"), "RepositoryType"), "S3");
  json_decref(g);
  json_t *l = ft_call(b, "ListVersionsByFunction", "{\"FunctionName\":\"fn\"}");
  ck_assert_int_eq(json_array_size(json_object_get(l, "Versions")), 3);
  json_decref(l);
}
END_TEST

START_TEST(publish_version_code_sha256_precondition) {
  create("fn", "\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}");
  ft_call_err(b, "PublishVersion", "{\"FunctionName\":\"fn\",\"CodeSha256\":\"" SHA_V2 "\"}",
           "InvalidParameterValueException",
           "CodeSHA256 (" SHA_V2 ") is different from current CodeSHA256 in $LATEST (" SHA_V1
           "). Please try again with the CodeSHA256 in $LATEST.");
  json_t *l = ft_call(b, "ListVersionsByFunction", "{\"FunctionName\":\"fn\"}");
  ck_assert_int_eq(json_array_size(json_object_get(l, "Versions")), 1);
  json_decref(l);
  json_t *v = ft_call(b, "PublishVersion", "{\"FunctionName\":\"fn\",\"CodeSha256\":\"" SHA_V1 "\"}");
  ck_assert_str_eq(str(v, "Version"), "1");
  json_decref(v);
}
END_TEST

/* S3Bucket NAME is the directory ./NAME, S3Key a file in it. */
START_TEST(s3_packages_come_from_the_bucket_directory) {
  char bucket[] = "code-bucket-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(bucket));
  char path[128];
  snprintf(path, sizeof path, "%s/fn.zip", bucket);
  static const unsigned char v2[] = { /* ZIP_V2 decoded */
      0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x21, 0x58, 0x9f, 0x70, 0x98, 0xa2, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00,
      0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x69, 0x6e, 0x64, 0x65, 0x78, 0x2e,
      0x70, 0x79, 0x76, 0x32, 0x0a, 0x50, 0x4b, 0x01, 0x02, 0x14, 0x03, 0x14,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x58, 0x9f, 0x70, 0x98,
      0xa2, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00,
      0x00, 0x00, 0x00, 0x69, 0x6e, 0x64, 0x65, 0x78, 0x2e, 0x70, 0x79, 0x50,
      0x4b, 0x05, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x36,
      0x00, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  FILE *fp = fopen(path, "wb");
  ck_assert_int_eq(fwrite(v2, 1, sizeof v2, fp), sizeof v2);
  fclose(fp);
  char req[512];
  snprintf(req, sizeof req, "\"Code\":{\"S3Bucket\":\"%s\",\"S3Key\":\"fn.zip\"}", bucket);
  create("fn", req);
  json_t *c = config("fn");
  ck_assert_str_eq(str(c, "CodeSha256"), SHA_V2);
  ck_assert_int_eq(json_integer_value(json_object_get(c, "CodeSize")), 117);
  char *revision = strdup(str(c, "RevisionId"));
  json_decref(c);
  snprintf(req, sizeof req, "{\"FunctionName\":\"fn\",\"S3Bucket\":\"%s\",\"S3Key\":\"gone.zip\"}",
           bucket);
  ft_call_err(b, "UpdateFunctionCode", req, "InvalidParameterValueException",
           "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
           "specified key does not exist.");
  snprintf(req, sizeof req, "{\"FunctionName\":\"fn\",\"S3Bucket\":\"%s\",\"S3Key\":\"../%s/fn.zip\"}",
           bucket, bucket);
  ft_call_err(b, "UpdateFunctionCode", req, "InvalidParameterValueException", "NoSuchKey");
  unchanged("fn", SHA_V2, revision);
  free(revision);
  unlink(path);
  rmdir(bucket);
}
END_TEST

START_TEST(image_packages) {
  create("img", "\"PackageType\":\"Image\",\"Code\":{\"ImageUri\":\"" IMAGE "\"}");
  json_t *g = ft_call(b, "GetFunction", "{\"FunctionName\":\"img\"}");
  json_t *code = json_object_get(g, "Code"), *conf = json_object_get(g, "Configuration");
  ck_assert_str_eq(str(code, "RepositoryType"), "ECR");
  ck_assert_str_eq(str(code, "ImageUri"), IMAGE);
  const char *resolved = str(code, "ResolvedImageUri");
  ck_assert_int_eq(strncmp(resolved, "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo@sha256:", 57), 0);
  ck_assert_str_eq(resolved + 57, str(conf, "CodeSha256"));
  ck_assert_str_eq(str(conf, "PackageType"), "Image");
  ck_assert_int_eq(json_integer_value(json_object_get(conf, "CodeSize")), 0);
  char *revision = strdup(str(conf, "RevisionId")), *sha = strdup(str(conf, "CodeSha256"));
  json_decref(g);
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"img\",\"ZipFile\":\"" ZIP_V1 "\"}",
           "InvalidParameterValueException",
           "Please provide ImageUri when updating a function with packageType Image.");
  ft_call_err(b, "UpdateFunctionCode", "{\"FunctionName\":\"img\",\"ImageUri\":\"repo:latest\"}",
           "InvalidParameterValueException", "Source image repo:latest is not valid.");
  unchanged("img", sha, revision);
  /* ImageConfig is answered as ImageConfigResponse, and bounded. */
  json_t *ic = ft_call(b, "UpdateFunctionConfiguration",
                    "{\"FunctionName\":\"img\",\"ImageConfig\":{\"Command\":[\"app.handler\"],"
                    "\"WorkingDirectory\":\"/var/task\"}}");
  ck_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(json_object_get(json_object_get(ic, "ImageConfigResponse"),
                                                       "ImageConfig"),
                                       "Command"),
                       0)),
                   "app.handler");
  ck_assert_ptr_null(json_object_get(ic, "ImageConfig"));
  free(revision);
  revision = strdup(str(ic, "RevisionId"));
  json_decref(ic);
  char big[1100];
  memset(big, 'd', 1001);
  big[1001] = '\0';
  char req[1300];
  snprintf(req, sizeof req, "{\"FunctionName\":\"img\",\"ImageConfig\":{\"WorkingDirectory\":\"%s\"}}", big);
  ft_call_err(b, "UpdateFunctionConfiguration", req, "ValidationException",
           "at 'imageConfig.workingDirectory' failed to satisfy constraint: Member must have length "
           "less than or equal to 1000");
  unchanged("img", sha, revision);
  /* A digest is kept as given. */
  static const char digest[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  json_t *u = ft_call(b, "UpdateFunctionCode",
                   "{\"FunctionName\":\"img\",\"ImageUri\":\"123456789012.dkr.ecr.us-east-1."
                   "amazonaws.com/repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}");
  ck_assert_str_eq(str(u, "CodeSha256"), digest);
  json_decref(u);
  free(revision);
  free(sha);
}
END_TEST

/* An image function is created as Lambda creates one, without Handler:
 * it runs the registration its ImageConfig.Command names first. */
START_TEST(image_function_runs_its_command) {
  json_t *c = ft_call(b, "CreateFunction",
                   "{\"FunctionName\":\"img\",\"PackageType\":\"Image\",\"Code\":{\"ImageUri\":\"" IMAGE
                   "\"},\"ImageConfig\":{\"Command\":[\"app.handler\"]}}");
  ck_assert_ptr_null(json_object_get(c, "Handler"));
  ck_assert_ptr_null(json_object_get(c, "Runtime"));
  json_decref(c);
  json_t *inv = ft_call(b, "Invoke", "{\"FunctionName\":\"img\",\"Payload\":\"{}\"}");
  ck_assert_str_eq(str(inv, "Payload"), "{}");
  ck_assert_int_eq(st.calls, 1);
  json_decref(inv);
  ft_call_err(b, "CreateFunction",
           "{\"FunctionName\":\"img2\",\"PackageType\":\"Image\",\"Code\":{\"ImageUri\":\"" IMAGE "\"}}",
           "InvalidParameterValueException",
           "1 validation error detected: Value null at 'handler' failed to satisfy constraint: "
           "Member must not be null");
}
END_TEST

/* The C API: aev_function_update_code on a function made with
 * aev_function_create, whose handler stays bound. */
START_TEST(typed_update_code) {
  aev_function *f = ft_function(b, "typed", "{\"Code\":{\"ZipFile\":\"" ZIP_V1 "\"}}", &st);
  char *text = NULL;
  ck_assert_int_eq(aev_function_update_code(f, "{\"ZipFile\":\"" ZIP_V2 "\"}", &text), AEV_OK);
  ck_assert_ptr_nonnull(strstr(text, "\"CodeSha256\":\"" SHA_V2 "\""));
  aev_free(text);
  ck_assert_int_eq(aev_function_update_code(f, "{\"ZipFile\":\"" ZIP_EMPTY "\"}", NULL), AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValueException");
  ck_assert_int_eq(aev_function_update_code(f, "not json", NULL), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_function_configuration(f, &text), AEV_OK);
  ck_assert_ptr_nonnull(strstr(text, "\"CodeSha256\":\"" SHA_V2 "\""));
  aev_free(text);
  char *out;
  const char *ferr;
  ck_assert_int_eq(aev_function_invoke(f, "{}", 2, &out, NULL, &ferr), AEV_OK);
  ck_assert_str_eq(out, "{}");
  aev_free(out);
  ck_assert_int_eq(aev_function_delete(f), AEV_OK);
  ck_assert_int_eq(aev_function_update_code(f, "{\"ZipFile\":\"" ZIP_V1 "\"}", NULL), AEV_ERR_NOT_FOUND);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_code");
  TCase *tc = tcase_create("code");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, zipfile_on_create_is_reported_everywhere);
  tcase_add_test(tc, no_code_is_the_empty_package);
  tcase_add_test(tc, bad_packages_create_nothing);
  tcase_add_test(tc, direct_upload_over_50_mb);
  tcase_add_test(tc, update_code_answers_in_progress_and_keeps_the_handler);
  tcase_add_test(tc, refused_updates_change_nothing);
  tcase_add_test(tc, dry_run_checks_and_changes_nothing);
  tcase_add_test(tc, a_code_change_is_what_publishes);
  tcase_add_test(tc, publish_version_code_sha256_precondition);
  tcase_add_test(tc, s3_packages_come_from_the_bucket_directory);
  tcase_add_test(tc, image_packages);
  tcase_add_test(tc, image_function_runs_its_command);
  tcase_add_test(tc, typed_update_code);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
