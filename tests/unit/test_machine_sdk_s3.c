/* Step Functions' aws-sdk:s3 object actions on the broker's S3 stand-in
 * (the object KEY of bucket NAME is the file ./NAME/KEY): headObject,
 * deleteObject, deleteObjects, copyObject, listObjects (v1), listObjectsV2's
 * Delimiter and headBucket, each through a Task state and TestState, with
 * the members the S3 API reference documents and the errors the Java SDK v2
 * names; a key never reaches outside its bucket's directory. Each test
 * runs in a directory of its own holding the buckets "bkt" and "other" and
 * the file "secret" beside them, which no key may name. */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aevtest.h"
#include "machine_support.h"
#include "tree.h"

static aev_broker *b;
static char work[64], home[4096];

/* Writes the file path (under the test's directory) holding body. */
static void put(const char *path, const char *body) {
  char p[256];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
    *s = 0;
    mkdir(p, 0777);
    *s = '/';
  }
  FILE *fp = fopen(p, "wb");
  ck_assert_ptr_nonnull(fp);
  fputs(body, fp);
  fclose(fp);
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* The file's text (static storage), "" when there is none. */
static const char *text_of(const char *path) {
  static char text[4096];
  text[0] = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return text;
  text[fread(text, 1, sizeof text - 1, fp)] = 0;
  fclose(fp);
  return text;
}

static void setup(void) {
  b = aev_test_manual_broker(7);
  ck_assert_ptr_nonnull(getcwd(home, sizeof home));
  snprintf(work, sizeof work, "s3sdk-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(work));
  ck_assert_int_eq(chdir(work), 0);
  mkdir("bkt", 0777);
  mkdir("other", 0777);
  put("secret", "keep me");
}

static void teardown(void) {
  aev_broker_destroy(b);
  ck_assert_int_eq(chdir(home), 0);
  aev_test_remove_tree(work);
}

/* Runs one Task state on aws-sdk:s3:action with Parameters (written with
 * ' for ", printf-style), which catches every error as its output. */
__attribute__((format(printf, 2, 3))) static result task(const char *action, const char *params, ...) {
  char *p = NULL, *def = NULL;
  va_list ap;
  va_start(ap, params);
  ck_assert_int_ge(vasprintf(&p, params, ap), 0);
  va_end(ap);
  ck_assert_int_ge(asprintf(&def,
                            "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:s3:%s',"
                            "'Parameters':%s,'Catch':[{'ErrorEquals':['States.ALL'],'Next':'C'}],'End':true},"
                            "'C':{'Type':'Pass','End':true}}}",
                            action, p),
                   0);
  result r = run_def(b, def, "{}");
  free(p);
  free(def);
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "status %d", r.status);
  return r;
}

static const char *str(json_t *v, const char *key) { return json_string_value(json_object_get(v, key)); }

/* The caught error is error with message and the SDK's status. */
static void caught(result *r, const char *error, const char *message, int status) {
  ck_assert_msg(str(r->output, "Error"), "no error: %s", json_dumps(r->output, 0));
  ck_assert_str_eq(str(r->output, "Error"), error);
  char want[1024];
  snprintf(want, sizeof want, "%s (Service: S3, Status Code: %d, Request ID: ", message, status);
  const char *cause = str(r->output, "Cause");
  ck_assert_msg(!strncmp(cause, want, strlen(want)), "cause: %s", cause);
}

/* The task answered (no error), its answer the output. */
static json_t *answered(result *r) {
  ck_assert_msg(!str(r->output, "Error"), "%s: %s", str(r->output, "Error"), str(r->output, "Cause"));
  return r->output;
}

#define NO_KEY "The specified key does not exist."
#define NO_BUCKET "The specified bucket does not exist"
#define MALFORMED                                                                                             \
  "The XML you provided was not well-formed or did not validate against our published schema (Delete.Objects: " \
  "1 to 1000 objects, each with a Key)"

/* HeadObject: GetObject's metadata without a Body (API reference:
 * AcceptRanges, ContentLength, ContentType, ETag, LastModified, Metadata,
 * ServerSideEncryption); any 404 is S3.NoSuchKeyException, as the Java SDK
 * v2 names a bare 404 of a HEAD object request. */
START_TEST(head_object) {
  result r = task("putObject", "{'Bucket':'bkt','Key':'dir/k.json','Body':{'a':1}}");
  answered(&r);
  result_free(&r);
  r = task("headObject", "{'Bucket':'bkt','Key':'dir/k.json'}");
  json_t *out = answered(&r);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ContentLength")), 7);
  ck_assert_str_eq(str(out, "ETag"), "\"bb6cb5c68df4652941caf652a366f2d8\"");
  ck_assert_str_eq(str(out, "ContentType"), "binary/octet-stream");
  ck_assert_str_eq(str(out, "AcceptRanges"), "bytes");
  ck_assert_str_eq(str(out, "LastModified"), "2024-01-01T00:00:00.000Z");
  ck_assert_str_eq(str(out, "ServerSideEncryption"), "AES256");
  ck_assert(json_is_object(json_object_get(out, "Metadata")));
  ck_assert_ptr_null(json_object_get(out, "Body"));
  result_free(&r);
  r = task("headObject", "{'Bucket':'bkt','Key':'nothing'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  r = task("headObject", "{'Bucket':'no-such-bucket','Key':'k'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  /* a key does not leave its bucket */
  r = task("headObject", "{'Bucket':'bkt','Key':'../secret'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  r = task("headObject", "{'Bucket':'bkt','Key':'dir/../../secret'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  r = task("headObject", "{'Bucket':'..','Key':'secret'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
}
END_TEST

START_TEST(head_object_etag_is_get_objects) {
  put("bkt/a.txt", "hello");
  result g = task("getObject", "{'Bucket':'bkt','Key':'a.txt'}");
  result h = task("headObject", "{'Bucket':'bkt','Key':'a.txt'}");
  ck_assert_str_eq(str(answered(&h), "ETag"), "\"5d41402abc4b2a76b9719d911017c592\"");
  ck_assert_str_eq(str(answered(&g), "ETag"), str(h.output, "ETag"));
  ck_assert_str_eq(str(g.output, "LastModified"), str(h.output, "LastModified"));
  ck_assert_int_eq(json_integer_value(json_object_get(h.output, "ContentLength")), 5);
  result_free(&g);
  result_free(&h);
}
END_TEST

/* DeleteObject answers {} whether the bucket had the key or not (S3 deletes
 * an absent key without complaint); the directories the key made go with
 * it; a missing bucket is S3.NoSuchBucketException. */
START_TEST(delete_object) {
  put("bkt/d/e/k.txt", "x");
  put("bkt/d/keep.txt", "y");
  result r = task("deleteObject", "{'Bucket':'bkt','Key':'d/e/k.txt'}");
  ck_assert_uint_eq(json_object_size(answered(&r)), 0);
  result_free(&r);
  ck_assert(!exists("bkt/d/e/k.txt"));
  ck_assert(!exists("bkt/d/e"));
  ck_assert(exists("bkt/d/keep.txt"));
  r = task("deleteObject", "{'Bucket':'bkt','Key':'d/keep.txt'}");
  result_free(&r);
  ck_assert(!exists("bkt/d"));
  ck_assert(exists("bkt"));
  r = task("deleteObject", "{'Bucket':'bkt','Key':'never-there'}");
  ck_assert_ptr_null(json_object_get(answered(&r), "Error"));
  result_free(&r);
  r = task("deleteObject", "{'Bucket':'no-such-bucket','Key':'k'}");
  caught(&r, "S3.NoSuchBucketException", NO_BUCKET, 404);
  result_free(&r);
  r = task("deleteObject", "{'Bucket':'bkt'}");
  ck_assert_str_eq(str(r.output, "Error"), "S3.InvalidRequestException");
  result_free(&r);
}
END_TEST

/* A key with a ".." segment or an absolute path deletes nothing outside
 * its bucket (it names no object: nothing to delete), nor the bucket. */
START_TEST(delete_object_stays_in_its_bucket) {
  const char *keys[] = {"../secret", "x/../../secret", "..", "/secret", "../other/o", "./"};
  put("other/o", "o");
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    result r = task("deleteObject", "{'Bucket':'bkt','Key':'%s'}", keys[i]);
    answered(&r);
    result_free(&r);
  }
  ck_assert_str_eq(text_of("secret"), "keep me");
  ck_assert_str_eq(text_of("other/o"), "o");
  ck_assert(exists("bkt"));
  /* a key "/x" is the bucket's own file "bkt//x", not "/x" */
  put("bkt/secret", "mine");
  result r = task("deleteObject", "{'Bucket':'bkt','Key':'/secret'}");
  result_free(&r);
  ck_assert(!exists("bkt/secret"));
  ck_assert(exists("bkt"));
  ck_assert_str_eq(text_of("secret"), "keep me");
}
END_TEST

/* DeleteObjects: Deleted [{Key}] for each key (absent ones too), none when
 * Quiet; 0 or more than 1,000 keys, or one without a Key, are S3's
 * MalformedXML (S3.S3Exception to the SDK: no action models it) and delete
 * nothing. */
START_TEST(delete_objects) {
  put("bkt/a", "1");
  put("bkt/p/b", "2");
  put("bkt/c", "3");
  result r = task("deleteObjects",
                  "{'Bucket':'bkt','Delete':{'Objects':[{'Key':'a'},{'Key':'p/b'},{'Key':'absent'},"
                  "{'Key':'../secret'}]}}");
  json_t *out = answered(&r), *deleted = json_object_get(out, "Deleted");
  ck_assert_uint_eq(json_array_size(deleted), 4);
  ck_assert_str_eq(str(json_array_get(deleted, 0), "Key"), "a");
  ck_assert_str_eq(str(json_array_get(deleted, 1), "Key"), "p/b");
  ck_assert_str_eq(str(json_array_get(deleted, 2), "Key"), "absent");
  ck_assert_ptr_null(json_object_get(out, "Errors"));
  result_free(&r);
  ck_assert(!exists("bkt/a") && !exists("bkt/p/b") && exists("bkt/c"));
  ck_assert_str_eq(text_of("secret"), "keep me");
  /* Quiet: only the errors */
  r = task("deleteObjects", "{'Bucket':'bkt','Delete':{'Objects':[{'Key':'c'}],'Quiet':true}}");
  ck_assert_uint_eq(json_object_size(answered(&r)), 0);
  result_free(&r);
  ck_assert(!exists("bkt/c"));
  /* refused whole: nothing deleted */
  put("bkt/stay", "s");
  char many[32 * 1024] = "";
  for (int i = 0; i < 1001; i++) strcat(many, i ? ",{'Key':'stay'}" : "{'Key':'stay'}");
  r = task("deleteObjects", "{'Bucket':'bkt','Delete':{'Objects':[%s]}}", many);
  caught(&r, "S3.S3Exception", MALFORMED, 400);
  result_free(&r);
  r = task("deleteObjects", "{'Bucket':'bkt','Delete':{'Objects':[]}}");
  caught(&r, "S3.S3Exception", MALFORMED, 400);
  result_free(&r);
  r = task("deleteObjects", "{'Bucket':'bkt','Delete':{'Objects':[{'Key':'stay'},{'VersionId':'v'}]}}");
  caught(&r, "S3.S3Exception", MALFORMED, 400);
  result_free(&r);
  ck_assert(exists("bkt/stay"));
  r = task("deleteObjects", "{'Bucket':'bkt'}");
  ck_assert_str_eq(str(r.output, "Error"), "S3.InvalidRequestException");
  result_free(&r);
  r = task("deleteObjects", "{'Bucket':'no-such-bucket','Delete':{'Objects':[{'Key':'k'}]}}");
  caught(&r, "S3.NoSuchBucketException", NO_BUCKET, 404);
  result_free(&r);
  /* 1,000 keys is the most it takes */
  many[0] = 0;
  for (int i = 0; i < 1000; i++) strcat(many, i ? ",{'Key':'stay'}" : "{'Key':'stay'}");
  r = task("deleteObjects", "{'Bucket':'bkt','Delete':{'Objects':[%s],'Quiet':true}}", many);
  answered(&r);
  result_free(&r);
  ck_assert(!exists("bkt/stay"));
}
END_TEST

/* CopyObject: CopySource "bucket/key" (URL-encoded, a leading "/"
 * allowed) to Bucket / Key; answers CopyObjectResult {ETag, LastModified}
 * (the broker clock's now) and ServerSideEncryption. */
START_TEST(copy_object) {
  put("bkt/in/a b.txt", "hello");
  ck_assert_int_eq(aev_broker_advance(b, 5000), AEV_OK);
  result r = task("copyObject", "{'Bucket':'other','Key':'out/a.txt','CopySource':'/bkt/in/a%%20b.txt'}");
  json_t *res = json_object_get(answered(&r), "CopyObjectResult");
  ck_assert_str_eq(str(res, "ETag"), "\"5d41402abc4b2a76b9719d911017c592\"");
  ck_assert_str_eq(str(res, "LastModified"), "2024-01-01T00:00:05.000Z");
  ck_assert_str_eq(str(r.output, "ServerSideEncryption"), "AES256");
  result_free(&r);
  ck_assert_str_eq(text_of("other/out/a.txt"), "hello");
  ck_assert_str_eq(text_of("bkt/in/a b.txt"), "hello");
  /* the copy lists with the copy's LastModified */
  r = task("headObject", "{'Bucket':'other','Key':'out/a.txt'}");
  ck_assert_str_eq(str(answered(&r), "LastModified"), "2024-01-01T00:00:05.000Z");
  result_free(&r);
  /* the move pattern: copy, then delete the source */
  r = task("copyObject", "{'Bucket':'bkt','Key':'moved','CopySource':'bkt/in/a b.txt'}");
  answered(&r);
  result_free(&r);
  ck_assert_str_eq(text_of("bkt/moved"), "hello");
}
END_TEST

START_TEST(copy_object_errors) {
  put("bkt/a", "a");
  result r = task("copyObject", "{'Bucket':'bkt','Key':'b','CopySource':'bkt/absent'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'bkt','Key':'b','CopySource':'no-such-bucket/a'}");
  caught(&r, "S3.NoSuchBucketException", NO_BUCKET, 404);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'no-such-bucket','Key':'b','CopySource':'bkt/a'}");
  caught(&r, "S3.NoSuchBucketException", NO_BUCKET, 404);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'bkt','Key':'b','CopySource':'bkt'}");
  caught(&r, "S3.S3Exception", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", 400);
  result_free(&r);
  /* onto itself: S3 wants something changed */
  r = task("copyObject", "{'Bucket':'bkt','Key':'a','CopySource':'bkt/a'}");
  caught(&r, "S3.InvalidRequestException",
         "This copy request is illegal because it is trying to copy an object to itself without changing the "
         "object's metadata, storage class, website redirect location or encryption attributes.",
         400);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'bkt','Key':'a','CopySource':'bkt/a','MetadataDirective':'REPLACE'}");
  answered(&r);
  result_free(&r);
  ck_assert_str_eq(text_of("bkt/a"), "a");
  ck_assert(!exists("bkt/b"));
  /* neither end leaves its bucket: a source outside names no object, a
   * destination outside is refused and nothing is written */
  r = task("copyObject", "{'Bucket':'bkt','Key':'b','CopySource':'bkt/../secret'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'bkt','Key':'b','CopySource':'bkt/%%2E%%2E/secret'}");
  caught(&r, "S3.NoSuchKeyException", NO_KEY, 404);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'bkt','Key':'../secret','CopySource':'bkt/a'}");
  caught(&r, "S3.S3Exception", "The key '../secret' names no object of bucket 'bkt'", 400);
  result_free(&r);
  r = task("copyObject", "{'Bucket':'bkt','Key':'x/../../other/a','CopySource':'bkt/a'}");
  ck_assert_str_eq(str(r.output, "Error"), "S3.S3Exception");
  result_free(&r);
  ck_assert_str_eq(text_of("secret"), "keep me");
  ck_assert(!exists("other/a"));
}
END_TEST

/* ListObjects (v1): Contents, Marker (echoed, "" when none), IsTruncated,
 * MaxKeys, Name, Prefix; the next page starts after the last key given as
 * Marker; NextMarker only with a Delimiter (API reference). */
START_TEST(list_objects_v1) {
  put("bkt/a", "1");
  put("bkt/b", "22");
  put("bkt/c", "333");
  result r = task("listObjects", "{'Bucket':'bkt','MaxKeys':2}");
  json_t *out = answered(&r), *contents = json_object_get(out, "Contents");
  ck_assert(json_is_true(json_object_get(out, "IsTruncated")));
  ck_assert_str_eq(str(out, "Marker"), "");
  ck_assert_str_eq(str(out, "Name"), "bkt");
  ck_assert_str_eq(str(out, "Prefix"), "");
  ck_assert_int_eq(json_integer_value(json_object_get(out, "MaxKeys")), 2);
  ck_assert_ptr_null(json_object_get(out, "NextMarker"));
  ck_assert_ptr_null(json_object_get(out, "KeyCount"));
  ck_assert_uint_eq(json_array_size(contents), 2);
  json_t *c1 = json_array_get(contents, 1);
  ck_assert_str_eq(str(c1, "Key"), "b");
  ck_assert_int_eq(json_integer_value(json_object_get(c1, "Size")), 2);
  ck_assert_str_eq(str(c1, "StorageClass"), "STANDARD");
  ck_assert_str_eq(str(c1, "ETag"), "\"b6d767d2f8ed5d21a44b0e5886680cb9\"");
  result_free(&r);
  r = task("listObjects", "{'Bucket':'bkt','MaxKeys':2,'Marker':'b'}");
  out = answered(&r);
  ck_assert(json_is_false(json_object_get(out, "IsTruncated")));
  ck_assert_str_eq(str(out, "Marker"), "b");
  ck_assert_uint_eq(json_array_size(json_object_get(out, "Contents")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "Contents"), 0), "Key"), "c");
  result_free(&r);
  r = task("listObjects", "{'Bucket':'bkt','Prefix':'zzz'}");
  out = answered(&r);
  ck_assert_ptr_null(json_object_get(out, "Contents"));
  ck_assert(json_is_false(json_object_get(out, "IsTruncated")));
  result_free(&r);
  r = task("listObjects", "{'Bucket':'no-such-bucket'}");
  caught(&r, "S3.NoSuchBucketException", NO_BUCKET, 404);
  result_free(&r);
}
END_TEST

/* With a Delimiter, keys whose rest after the Prefix holds it roll up into
 * CommonPrefixes [{Prefix}], each counting one toward MaxKeys; the page's
 * NextMarker (v1) or NextContinuationToken (v2) resumes after a common
 * prefix without listing it again. */
START_TEST(list_delimiter) {
  put("bkt/photos/2006/jan/a.jpg", "1");
  put("bkt/photos/2006/feb/b.jpg", "1");
  put("bkt/photos/2007/c.jpg", "1");
  put("bkt/photos/index.html", "1");
  put("bkt/top.txt", "1");
  result r = task("listObjectsV2", "{'Bucket':'bkt','Prefix':'photos/','Delimiter':'/'}");
  json_t *out = answered(&r), *cp = json_object_get(out, "CommonPrefixes");
  ck_assert_uint_eq(json_array_size(cp), 2);
  ck_assert_str_eq(str(json_array_get(cp, 0), "Prefix"), "photos/2006/");
  ck_assert_str_eq(str(json_array_get(cp, 1), "Prefix"), "photos/2007/");
  ck_assert_uint_eq(json_array_size(json_object_get(out, "Contents")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "Contents"), 0), "Key"), "photos/index.html");
  ck_assert_int_eq(json_integer_value(json_object_get(out, "KeyCount")), 3);
  ck_assert_str_eq(str(out, "Delimiter"), "/");
  result_free(&r);
  /* a page at a time, v2 */
  r = task("listObjectsV2", "{'Bucket':'bkt','Prefix':'photos/','Delimiter':'/','MaxKeys':1}");
  out = answered(&r);
  ck_assert(json_is_true(json_object_get(out, "IsTruncated")));
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "CommonPrefixes"), 0), "Prefix"), "photos/2006/");
  char token[256];
  snprintf(token, sizeof token, "%s", str(out, "NextContinuationToken"));
  result_free(&r);
  r = task("listObjectsV2", "{'Bucket':'bkt','Prefix':'photos/','Delimiter':'/','MaxKeys':1,'ContinuationToken':'%s'}",
           token);
  out = answered(&r);
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "CommonPrefixes"), 0), "Prefix"), "photos/2007/");
  ck_assert_str_eq(str(out, "ContinuationToken"), token);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "KeyCount")), 1);
  result_free(&r);
  /* v1: NextMarker is the last entry, a common prefix here */
  r = task("listObjects", "{'Bucket':'bkt','Delimiter':'/','MaxKeys':1}");
  out = answered(&r);
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "CommonPrefixes"), 0), "Prefix"), "photos/");
  ck_assert_str_eq(str(out, "NextMarker"), "photos/");
  result_free(&r);
  r = task("listObjects", "{'Bucket':'bkt','Delimiter':'/','Marker':'photos/'}");
  out = answered(&r);
  ck_assert_ptr_null(json_object_get(out, "CommonPrefixes"));
  ck_assert_uint_eq(json_array_size(json_object_get(out, "Contents")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "Contents"), 0), "Key"), "top.txt");
  ck_assert(json_is_false(json_object_get(out, "IsTruncated")));
  ck_assert_ptr_null(json_object_get(out, "NextMarker"));
  result_free(&r);
  /* StartAfter is echoed, and starts after a key */
  r = task("listObjectsV2", "{'Bucket':'bkt','StartAfter':'photos/index.html'}");
  out = answered(&r);
  ck_assert_str_eq(str(out, "StartAfter"), "photos/index.html");
  ck_assert_uint_eq(json_array_size(json_object_get(out, "Contents")), 1);
  result_free(&r);
}
END_TEST

/* HeadBucket: {AccessPointAlias, BucketRegion}; a missing bucket is the
 * SDK's NoSuchBucketException, worded with a full stop. */
START_TEST(head_bucket) {
  result r = task("headBucket", "{'Bucket':'bkt'}");
  json_t *out = answered(&r);
  ck_assert_str_eq(str(out, "BucketRegion"), "us-east-1");
  ck_assert(json_is_false(json_object_get(out, "AccessPointAlias")));
  result_free(&r);
  r = task("headBucket", "{'Bucket':'no-such-bucket'}");
  caught(&r, "S3.NoSuchBucketException", "The specified bucket does not exist.", 404);
  result_free(&r);
  r = task("headBucket", "{'Bucket':'..'}");
  caught(&r, "S3.NoSuchBucketException", "The specified bucket does not exist.", 404);
  result_free(&r);
}
END_TEST

/* TestState runs the same actions on the same objects. */
static json_t *test_state(const char *action, const char *params) {
  char def[1024];
  snprintf(def, sizeof def,
           "{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:s3:%s','Parameters':%s,'End':true}", action, params);
  char *d = dq(def);
  json_t *req = json_pack("{s:s,s:s,s:s}", "definition", d, "roleArn", "arn:aws:iam::000000000000:role/r", "input",
                          "{}");
  free(d);
  return aev_test_call_req(b, "states", "TestState", req, AEV_OK);
}

START_TEST(through_test_state) {
  put("bkt/a", "hello");
  json_t *a = test_state("headObject", "{'Bucket':'bkt','Key':'a'}");
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  json_t *out = json_loads(str(a, "output"), 0, NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ContentLength")), 5);
  json_decref(out);
  json_decref(a);
  a = test_state("copyObject", "{'Bucket':'other','Key':'c','CopySource':'bkt/a'}");
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  json_decref(a);
  ck_assert_str_eq(text_of("other/c"), "hello");
  a = test_state("deleteObjects", "{'Bucket':'bkt','Delete':{'Objects':[{'Key':'a'}]}}");
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  json_decref(a);
  ck_assert(!exists("bkt/a"));
  a = test_state("headObject", "{'Bucket':'bkt','Key':'a'}");
  ck_assert_str_eq(str(a, "status"), "FAILED");
  ck_assert_str_eq(str(a, "error"), "S3.NoSuchKeyException");
  json_decref(a);
  a = test_state("listObjects", "{'Bucket':'other','Prefix':'c'}");
  out = json_loads(str(a, "output"), 0, NULL);
  ck_assert_str_eq(str(json_array_get(json_object_get(out, "Contents"), 0), "Key"), "c");
  json_decref(out);
  json_decref(a);
  a = test_state("deleteObject", "{'Bucket':'other','Key':'../secret'}");
  ck_assert_str_eq(str(a, "status"), "SUCCEEDED");
  json_decref(a);
  ck_assert_str_eq(text_of("secret"), "keep me");
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_sdk_s3");
  TCase *tc = tcase_create("s3");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, head_object);
  tcase_add_test(tc, head_object_etag_is_get_objects);
  tcase_add_test(tc, delete_object);
  tcase_add_test(tc, delete_object_stays_in_its_bucket);
  tcase_add_test(tc, delete_objects);
  tcase_add_test(tc, copy_object);
  tcase_add_test(tc, copy_object_errors);
  tcase_add_test(tc, list_objects_v1);
  tcase_add_test(tc, list_delimiter);
  tcase_add_test(tc, head_bucket);
  tcase_add_test(tc, through_test_state);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
