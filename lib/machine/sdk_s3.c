/* The AWS SDK integrations aws-sdk:s3:getObject, putObject and
 * listObjectsV2, on the broker's S3 stand-in (core/s3_objects.h): the
 * object KEY of bucket NAME is the file ./NAME/KEY. What AWS was recorded
 * answering (LocalStack's test_aws_sdk_task_service, test_s3_put_object /
 * test_s3_get_object): PutObject stores its Body serialized as JSON, a
 * string with its quotes ("text data" is the 11 bytes "\"text data\""),
 * and answers {ETag, ServerSideEncryption}; GetObject answers the object's
 * bytes as the Body text with AcceptRanges, ContentLength, ContentType
 * binary/octet-stream, ETag, LastModified, Metadata and
 * ServerSideEncryption; S3's errors are S3.NoSuchBucketException /
 * S3.NoSuchKeyException (sdk_error.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "core/digest.h"
#include "core/json_dump.h"
#include "core/s3_objects.h"
#include "core/status.h"
#include "machine/exec_int.h"

static const char *const actions[] = {"GetObject", "PutObject", "ListObjectsV2", NULL};

int aev__sdk_s3_has(const char *action) {
  for (size_t i = 0; actions[i]; i++)
    if (!strcmp(actions[i], action)) return 1;
  return 0;
}

static json_t *date(int64_t ms) {
  char t[32];
  aev__iso8601_format(ms, t);
  return json_string(t);
}

/* A request member that must be a string: S3's MissingParameter else. */
static const char *required(json_t *req, const char *member) {
  const char *v = json_string_value(json_object_get(req, member));
  if (!v) aev__fail(AEV_ERR_INVALID, "InvalidRequest", "Missing required parameter in input: \"%s\"", member);
  return v;
}

static int put_object(json_t *req, int64_t now_ms, json_t **out) {
  const char *bucket = required(req, "Bucket"), *key = bucket ? required(req, "Key") : NULL;
  if (!key) return AEV_ERR_INVALID;
  json_t *body = json_object_get(req, "Body");
  char *text = body ? aev__json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
  if (!text) return aev__nomem();
  int rc = aev__s3_put(bucket, key, text, strlen(text), now_ms);
  char etag[35] = "\"";
  aev__md5_hex(text, strlen(text), etag + 1);
  strcat(etag, "\"");
  free(text);
  if (!rc && !(*out = json_pack("{s:s,s:s}", "ETag", etag, "ServerSideEncryption", "AES256"))) rc = aev__nomem();
  return rc;
}

static int get_object(json_t *req, json_t **out) {
  const char *bucket = required(req, "Bucket"), *key = bucket ? required(req, "Key") : NULL;
  if (!key) return AEV_ERR_INVALID;
  char *data, path[4096], etag[35] = "\"";
  size_t len;
  int rc = aev__s3_get(bucket, key, (size_t)-2, &data, &len);
  if (rc) return rc;
  struct stat st;
  snprintf(path, sizeof path, "./%s/%s", bucket, key);
  const int64_t modified = stat(path, &st) ? 0 : (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
  aev__md5_hex(data, len, etag + 1);
  strcat(etag, "\"");
  /* Bytes that are no UTF-8 text come as base64, as other blobs do. */
  json_t *body = json_stringn(data, len);
  char *b64 = NULL;
  if (!body && !aev__base64_encode(data, len, &b64)) body = json_string(b64);
  free(b64);
  free(data);
  *out = json_pack("{s:s,s:I,s:s,s:s,s:o,s:{},s:s,s:o}", "AcceptRanges", "bytes", "ContentLength", (json_int_t)len,
                   "ContentType", "binary/octet-stream", "ETag", etag, "LastModified", date(modified), "Metadata",
                   "ServerSideEncryption", "AES256", "Body", body);
  return *out ? AEV_OK : aev__nomem();
}

/* ListObjectsV2: up to MaxKeys (default and at most 1,000) keys after
 * StartAfter or the ContinuationToken (this broker's: the last key listed,
 * in base64). */
static int list_objects(json_t *req, json_t **out) {
  const char *bucket = required(req, "Bucket"), *prefix = json_string_value(json_object_get(req, "Prefix")),
             *after = json_string_value(json_object_get(req, "StartAfter")),
             *token = json_string_value(json_object_get(req, "ContinuationToken"));
  if (!bucket) return AEV_ERR_INVALID;
  json_t *mk = json_object_get(req, "MaxKeys");
  const json_int_t max = json_is_integer(mk) && json_integer_value(mk) >= 0 && json_integer_value(mk) < 1000
                             ? json_integer_value(mk)
                             : 1000;
  unsigned char *raw = NULL;
  size_t raw_len = 0;
  if (token && aev__base64_decode(token, strlen(token), &raw, &raw_len))
    return aev__fail(AEV_ERR_INVALID, "InvalidArgument", "The continuation token provided is incorrect");
  char *from = raw ? strndup((const char *)raw, raw_len) : NULL;
  free(raw);
  if (raw && !from) return aev__nomem();
  aev__s3_entry *v;
  size_t n;
  int rc = aev__s3_list(bucket, prefix, &v, &n);
  if (rc) {
    free(from);
    return rc;
  }
  json_t *contents = json_array();
  size_t i = 0, listed = 0;
  while (i < n && ((after && strcmp(v[i].key, after) <= 0) || (from && strcmp(v[i].key, from) <= 0))) i++;
  for (; contents && i < n && (json_int_t)listed < max; i++, listed++)
    if (json_array_append_new(contents, json_pack("{s:s,s:s,s:o,s:I,s:s}", "ETag", v[i].etag, "Key", v[i].key,
                                                  "LastModified", date(v[i].modified_ms), "Size",
                                                  (json_int_t)v[i].size, "StorageClass", "STANDARD"))) {
      json_decref(contents);
      contents = NULL;
    }
  char *next = NULL;
  const int truncated = i < n;
  if (contents && truncated && listed) aev__base64_encode(v[i - 1].key, strlen(v[i - 1].key), &next);
  *out = contents ? json_pack("{s:b,s:I,s:I,s:s,s:s}", "IsTruncated", truncated, "KeyCount", (json_int_t)listed,
                              "MaxKeys", max, "Name", bucket, "Prefix", prefix ? prefix : "")
                  : NULL;
  if (*out && listed && json_object_set(*out, "Contents", contents)) {
    json_decref(*out);
    *out = NULL;
  }
  if (*out && next && json_object_set_new(*out, "NextContinuationToken", json_string(next))) {
    json_decref(*out);
    *out = NULL;
  }
  json_decref(contents);
  free(next);
  free(from);
  aev__s3_entries_free(v, n);
  return *out ? AEV_OK : aev__nomem();
}

int aev__sdk_s3(const char *action, const char *request, int64_t now_ms, char **answer) {
  json_t *req = json_loads(request, 0, NULL), *out = NULL;
  if (!req) return aev__nomem(); /* the request was ours, made from JSON */
  int rc = !strcmp(action, "GetObject")   ? get_object(req, &out)
           : !strcmp(action, "PutObject") ? put_object(req, now_ms, &out)
                                          : list_objects(req, &out);
  json_decref(req);
  if (!rc && !(*answer = aev__json_dumps(out, JSON_COMPACT))) rc = aev__nomem();
  json_decref(out);
  return rc;
}
