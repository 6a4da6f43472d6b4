/* The AWS SDK integrations aws-sdk:s3:ACTION that workflows call on
 * objects (getObject, putObject, headObject, copyObject, deleteObject,
 * deleteObjects, listObjects, listObjectsV2, headBucket) on the broker's S3
 * stand-in (core/s3_objects.h): the object KEY of bucket NAME is the file
 * ./NAME/KEY. Members and answers are the S3 API reference's; what AWS was
 * recorded answering (LocalStack's test_aws_sdk_task_service,
 * test_s3_put_object / test_s3_get_object): PutObject stores its Body
 * serialized as JSON, a string with its quotes ("text data" is the 11 bytes
 * "\"text data\""), and answers {ETag, ServerSideEncryption}; GetObject
 * answers the object's bytes as the Body text with AcceptRanges,
 * ContentLength, ContentType binary/octet-stream, ETag, LastModified,
 * Metadata and ServerSideEncryption; S3's errors are S3.NoSuchBucketException
 * / S3.NoSuchKeyException (sdk_error.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/digest.h"
#include "core/json_dump.h"
#include "core/s3_objects.h"
#include "core/status.h"
#include "machine/exec_int.h"

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

/* *bucket and *key from the request's Bucket and Key. */
static int bucket_key(json_t *req, const char **bucket, const char **key) {
  *bucket = required(req, "Bucket");
  *key = *bucket ? required(req, "Key") : NULL;
  return *key ? AEV_OK : AEV_ERR_INVALID;
}

static int put_object(aev_broker *b, json_t *req, json_t **out) {
  const char *bucket, *key;
  if (bucket_key(req, &bucket, &key)) return AEV_ERR_INVALID;
  json_t *body = json_object_get(req, "Body");
  char *text = body ? aev__json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
  if (!text) return aev__nomem();
  char etag[35];
  aev__s3_etag(text, strlen(text), etag);
  int rc = aev__s3_put(bucket, key, text, strlen(text), aev_broker_now_ms(b));
  free(text);
  if (!rc && !(*out = json_pack("{s:s,s:s}", "ETag", etag, "ServerSideEncryption", "AES256"))) rc = aev__nomem();
  return rc;
}

/* The object's metadata as GetObject and HeadObject answer it. */
static json_t *object_meta(const aev__s3_entry *e) {
  return json_pack("{s:s,s:I,s:s,s:s,s:o,s:{},s:s}", "AcceptRanges", "bytes", "ContentLength", (json_int_t)e->size,
                   "ContentType", "binary/octet-stream", "ETag", e->etag, "LastModified", date(e->modified_ms),
                   "Metadata", "ServerSideEncryption", "AES256");
}

static int get_object(aev_broker *b, json_t *req, json_t **out) {
  (void)b;
  const char *bucket, *key;
  if (bucket_key(req, &bucket, &key)) return AEV_ERR_INVALID;
  char *data;
  size_t len;
  aev__s3_entry e;
  int rc = aev__s3_get(bucket, key, (size_t)-2, &data, &len);
  if (!rc && (rc = aev__s3_head(bucket, key, &e))) free(data);
  if (rc) return rc;
  /* Bytes that are no UTF-8 text come as base64, as other blobs do. */
  json_t *body = json_stringn(data, len);
  char *b64 = NULL;
  if (!body && !aev__base64_encode(data, len, &b64)) body = json_string(b64);
  free(b64);
  free(data);
  *out = object_meta(&e);
  if (*out && json_object_set_new(*out, "Body", body)) {
    json_decref(*out);
    *out = NULL;
  }
  return *out ? AEV_OK : aev__nomem();
}

/* HeadObject: GetObject's answer without the Body. S3 answers a HEAD that
 * finds nothing with a bare 404, which the Java SDK v2 (its S3
 * ExceptionTranslationInterceptor) reports as NoSuchKeyException, "The
 * specified key does not exist.", whether the key or the bucket is
 * missing. */
static int head_object(aev_broker *b, json_t *req, json_t **out) {
  (void)b;
  const char *bucket, *key;
  if (bucket_key(req, &bucket, &key)) return AEV_ERR_INVALID;
  aev__s3_entry e;
  int rc = aev__s3_head(bucket, key, &e);
  if (rc == AEV_ERR_NOT_FOUND) return aev__fail(AEV_ERR_NOT_FOUND, "NoSuchKey", AEV__S3_NO_SUCH_KEY);
  if (rc) return rc;
  return (*out = object_meta(&e)) ? AEV_OK : aev__nomem();
}

/* HeadBucket: the bucket's region; a missing bucket's bare 404 is the Java
 * SDK v2's NoSuchBucketException, worded by the SDK with a full stop. */
static int head_bucket(aev_broker *b, json_t *req, json_t **out) {
  const char *bucket = required(req, "Bucket");
  if (!bucket) return AEV_ERR_INVALID;
  int rc = aev__s3_bucket(bucket);
  if (rc == AEV_ERR_NOT_FOUND) return aev__fail(rc, "NoSuchBucket", AEV__S3_NO_SUCH_BUCKET ".");
  if (rc) return rc;
  *out = json_pack("{s:b,s:s}", "AccessPointAlias", 0, "BucketRegion", aev_broker_region(b));
  return *out ? AEV_OK : aev__nomem();
}

/* DeleteObject: {} (an unversioned bucket answers no DeleteMarker), for a
 * key the bucket has or not. */
static int delete_object(aev_broker *b, json_t *req, json_t **out) {
  (void)b;
  const char *bucket, *key;
  if (bucket_key(req, &bucket, &key)) return AEV_ERR_INVALID;
  int rc = aev__s3_delete(bucket, key);
  if (!rc && !(*out = json_object())) rc = aev__nomem();
  return rc;
}

/* Sets the member to v (taken) when v is not NULL and, for an array, not
 * empty (S3 leaves out an empty list); -1 when out of memory. */
static int set_if(json_t *o, const char *member, json_t *v) {
  if (!v || (json_is_array(v) && !json_array_size(v))) {
    json_decref(v);
    return 0;
  }
  return json_object_set_new(o, member, v);
}

/* DeleteObjects: Delete.Objects, 1 to 1,000 {Key} (S3 refuses others as
 * MalformedXML, deleting none); answers Deleted [{Key}] (none when Quiet)
 * and Errors [{Key, Code, Message}] for the keys it could not delete. */
#define DELETE_MAX 1000
static int delete_objects(aev_broker *b, json_t *req, json_t **out) {
  (void)b;
  const char *bucket = required(req, "Bucket");
  if (!bucket) return AEV_ERR_INVALID;
  json_t *del = json_object_get(req, "Delete"), *objects = json_object_get(del, "Objects"), *o;
  if (!json_is_object(del))
    return aev__fail(AEV_ERR_INVALID, "InvalidRequest", "Missing required parameter in input: \"Delete\"");
  size_t i, n = json_array_size(objects);
  int ok = json_is_array(objects) && n >= 1 && n <= DELETE_MAX;
  json_array_foreach(objects, i, o) ok = ok && json_is_string(json_object_get(o, "Key"));
  if (!ok)
    return aev__fail(AEV_ERR_INVALID, "MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our published schema "
                     "(Delete.Objects: 1 to %d objects, each with a Key)",
                     DELETE_MAX);
  int rc = aev__s3_bucket(bucket);
  if (rc) return rc;
  const int quiet = json_is_true(json_object_get(del, "Quiet"));
  json_t *deleted = json_array(), *errors = json_array();
  json_array_foreach(objects, i, o) {
    const char *key = json_string_value(json_object_get(o, "Key"));
    json_t *row = (rc = aev__s3_delete(bucket, key)) == AEV_ERR_NOMEM ? NULL
                  : rc ? json_pack("{s:s,s:s,s:s}", "Key", key, "Code", aev_errcode(), "Message", aev_errmsg())
                       : json_pack("{s:s}", "Key", key);
    if (!row || json_array_append_new(rc ? errors : deleted, row)) break;
    rc = AEV_OK;
  }
  *out = rc == AEV_ERR_NOMEM || i < n ? NULL : json_object();
  if (*out && (set_if(*out, "Deleted", quiet ? NULL : json_incref(deleted)) ||
               set_if(*out, "Errors", json_incref(errors)))) {
    json_decref(*out);
    *out = NULL;
  }
  json_decref(deleted);
  json_decref(errors);
  return *out ? AEV_OK : aev__nomem();
}

/* CopySource "bucket/key" (a leading "/" and a "?versionId=" allowed),
 * URL-encoded as the API reference asks: *bucket and *key point into
 * *buf, a new string. */
static int copy_source(const char *source, char **buf, char **bucket, char **key) {
  char *s = malloc(strlen(source) + 1), *w = s;
  if (!s) return aev__nomem();
  for (const char *p = source + (*source == '/'); *p && strncmp(p, "?versionId=", 11); p++) {
    if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
      const char hex[3] = {p[1], p[2], 0};
      *w++ = (char)strtol(hex, NULL, 16);
      p += 2;
    } else {
      *w++ = *p;
    }
  }
  *w = 0;
  char *slash = strchr(s, '/');
  if (!slash || slash == s || !slash[1]) {
    free(s);
    return aev__fail(AEV_ERR_INVALID, "InvalidArgument",
                     "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  }
  *slash = 0;
  *buf = s;
  *bucket = s;
  *key = slash + 1;
  return AEV_OK;
}

/* CopyObject: {CopyObjectResult {ETag, LastModified}, ServerSideEncryption};
 * the copy is modified at the broker clock's now. An object copied onto
 * itself must change something (MetadataDirective REPLACE here): S3's
 * InvalidRequest otherwise. */
static int copy_object(aev_broker *b, json_t *req, json_t **out) {
  const char *bucket, *key, *source = NULL;
  if (bucket_key(req, &bucket, &key) || !(source = required(req, "CopySource"))) return AEV_ERR_INVALID;
  char *buf = NULL, *from_bucket = NULL, *from_key = NULL, *data = NULL, etag[35];
  size_t len;
  int rc = copy_source(source, &buf, &from_bucket, &from_key);
  if (rc) return rc;
  const char *directive = json_string_value(json_object_get(req, "MetadataDirective"));
  if (!strcmp(bucket, from_bucket) && !strcmp(key, from_key) && !(directive && !strcmp(directive, "REPLACE")))
    rc = aev__fail(AEV_ERR_INVALID, "InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to itself without changing "
                   "the object's metadata, storage class, website redirect location or encryption attributes.");
  if (!rc) rc = aev__s3_get(from_bucket, from_key, (size_t)-2, &data, &len);
  free(buf);
  if (rc) return rc;
  const int64_t now = aev_broker_now_ms(b);
  aev__s3_etag(data, len, etag);
  rc = aev__s3_put(bucket, key, data, len, now);
  free(data);
  if (rc) return rc;
  *out = json_pack("{s:{s:s,s:o},s:s}", "CopyObjectResult", "ETag", etag, "LastModified", date(now),
                   "ServerSideEncryption", "AES256");
  return *out ? AEV_OK : aev__nomem();
}

/* ---- ListObjects and ListObjectsV2 ---- */

/* A page of a listing: up to max keys and common prefixes (each counts one,
 * as S3 counts them) after the marks. With a Delimiter, the keys whose
 * rest after the Prefix holds it roll up into one CommonPrefixes entry: the
 * key up to that first delimiter. */
typedef struct page {
  json_t *contents, *prefixes;
  json_int_t listed;
  int truncated;
  char *last; /* the last key or common prefix listed: where the next page starts */
} page;

/* Whether the entry (its key, rolled up into group when group is not
 * NULL) is at or before mark, which a page starts after: a common prefix
 * that was a page's last entry leaves out all its keys on the next. */
static int passed(const char *key, const char *group, const char *mark) {
  return mark && (strcmp(key, mark) <= 0 || (group && strcmp(group, mark) <= 0));
}

static int page_of(const aev__s3_entry *v, size_t n, const char *prefix, const char *delim, const char *const marks[2],
                   json_int_t max, page *pg) {
  const size_t plen = prefix ? strlen(prefix) : 0, dlen = delim ? strlen(delim) : 0;
  pg->contents = json_array();
  pg->prefixes = json_array();
  if (!pg->contents || !pg->prefixes) return aev__nomem();
  for (size_t i = 0; i < n; i++) {
    const char *cut = dlen ? strstr(v[i].key + plen, delim) : NULL;
    char *group = cut ? strndup(v[i].key, (size_t)(cut - v[i].key) + dlen) : NULL;
    if (cut && !group) return aev__nomem();
    int rc = AEV_OK;
    if (passed(v[i].key, group, marks[0]) || passed(v[i].key, group, marks[1]) ||
        (group && pg->last && !strcmp(group, pg->last))) {
      free(group);
      continue;
    }
    if (pg->listed == max) {
      pg->truncated = 1;
      free(group);
      break;
    }
    json_t *row = group ? json_pack("{s:s}", "Prefix", group)
                        : json_pack("{s:s,s:s,s:o,s:I,s:s}", "ETag", v[i].etag, "Key", v[i].key, "LastModified",
                                    date(v[i].modified_ms), "Size", (json_int_t)v[i].size, "StorageClass",
                                    "STANDARD");
    free(pg->last);
    pg->last = group ? group : strdup(v[i].key);
    if (!row || !pg->last || json_array_append_new(group ? pg->prefixes : pg->contents, row)) rc = aev__nomem();
    if (rc) return rc;
    pg->listed++;
  }
  return AEV_OK;
}

/* ListObjects (v1: Marker, NextMarker only with a Delimiter, as the API
 * reference says) or ListObjectsV2 (StartAfter, ContinuationToken: this
 * broker's, the last entry listed in base64, and KeyCount): up to MaxKeys
 * (default and at most 1,000) entries. */
static int list_objects(json_t *req, int v2, json_t **out) {
  const char *bucket = required(req, "Bucket"), *prefix = json_string_value(json_object_get(req, "Prefix")),
             *delim = json_string_value(json_object_get(req, "Delimiter")),
             *marker = json_string_value(json_object_get(req, v2 ? "StartAfter" : "Marker")),
             *token = v2 ? json_string_value(json_object_get(req, "ContinuationToken")) : NULL;
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
  aev__s3_entry *v = NULL;
  size_t n = 0;
  page pg = {0};
  const char *const marks[2] = {marker, from};
  int rc = aev__s3_list(bucket, prefix, &v, &n);
  if (!rc) rc = page_of(v, n, prefix, delim && *delim ? delim : NULL, marks, max, &pg);
  char *next = NULL;
  if (!rc && v2 && pg.truncated && pg.last && aev__base64_encode(pg.last, strlen(pg.last), &next)) rc = AEV_ERR_NOMEM;
  *out = rc ? NULL
         : v2 ? json_pack("{s:b,s:I,s:I,s:s,s:s}", "IsTruncated", pg.truncated, "KeyCount", pg.listed, "MaxKeys", max,
                          "Name", bucket, "Prefix", prefix ? prefix : "")
              : json_pack("{s:b,s:s,s:I,s:s,s:s}", "IsTruncated", pg.truncated, "Marker", marker ? marker : "",
                          "MaxKeys", max, "Name", bucket, "Prefix", prefix ? prefix : "");
  if (*out &&
      (set_if(*out, "Contents", json_incref(pg.contents)) || set_if(*out, "CommonPrefixes", json_incref(pg.prefixes)) ||
       set_if(*out, "Delimiter", delim ? json_string(delim) : NULL) ||
       set_if(*out, "ContinuationToken", token ? json_string(token) : NULL) ||
       set_if(*out, "StartAfter", v2 && marker ? json_string(marker) : NULL) ||
       set_if(*out, "NextContinuationToken", next ? json_string(next) : NULL) ||
       set_if(*out, "NextMarker", !v2 && delim && pg.truncated && pg.last ? json_string(pg.last) : NULL))) {
    json_decref(*out);
    *out = NULL;
  }
  json_decref(pg.contents);
  json_decref(pg.prefixes);
  free(pg.last);
  free(next);
  free(from);
  aev__s3_entries_free(v, n);
  if (rc) return rc;
  return *out ? AEV_OK : aev__nomem();
}

static int list_v1(aev_broker *b, json_t *req, json_t **out) {
  (void)b;
  return list_objects(req, 0, out);
}

static int list_v2(aev_broker *b, json_t *req, json_t **out) {
  (void)b;
  return list_objects(req, 1, out);
}

static const struct {
  const char *name;
  int (*run)(aev_broker *b, json_t *req, json_t **out);
} actions[] = {
    {"GetObject", get_object},       {"PutObject", put_object},         {"HeadObject", head_object},
    {"CopyObject", copy_object},     {"DeleteObject", delete_object},   {"DeleteObjects", delete_objects},
    {"ListObjects", list_v1},        {"ListObjectsV2", list_v2},        {"HeadBucket", head_bucket},
};

static size_t action_index(const char *action) {
  size_t i = 0;
  while (i < sizeof actions / sizeof actions[0] && strcmp(actions[i].name, action)) i++;
  return i;
}

int aev__sdk_s3_has(const char *action) { return action_index(action) < sizeof actions / sizeof actions[0]; }

int aev__sdk_s3(aev_broker *b, const char *action, const char *request, char **answer) {
  json_t *req = json_loads(request, 0, NULL), *out = NULL;
  if (!req) return aev__nomem(); /* the request was ours, made from JSON */
  int rc = actions[action_index(action)].run(b, req, &out);
  json_decref(req);
  if (!rc && !(*answer = aev__json_dumps(out, JSON_COMPACT))) rc = aev__nomem();
  json_decref(out);
  return rc;
}
