/* Deployment packages: the Code of CreateFunction and the members of
 * UpdateFunctionCode checked as Lambda checks them (a .zip archive with at
 * least one entry, 50 MB as a direct upload, 250 MB unzipped; an ECR image
 * URI), CodeSha256 / CodeSize, and GetFunction's Code member. The handler
 * registered for the function is what runs, so no bytes are kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/digest.h"
#include "core/s3_objects.h"
#include "core/status.h"
#include "function/function_impl.h"

/* Lambda's quotas: a direct upload is at most 50 MB zipped ("Zipped size
 * must be smaller than 52428800 bytes", recorded: TestLambdaSizeLimits,
 * test_oversized_zipped_create_lambda), in a request of at most 70167211
 * bytes ("Request must be smaller than 70167211 bytes for the
 * UpdateFunctionCode operation", as its users report it), measured here
 * as the ZipFile member's base64 text; a package unzips to less than
 * 250 MB. */
#define ZIPFILE_B64_MAX 70167211
#define ZIPPED_MAX 52428800
#define UNZIPPED_MAX 262144000LL

/* Lambda's wording for a package that is no .zip archive, and for one
 * without entries (the 22-byte empty archive), as its users report it. */
#define NOT_A_ZIP "Could not unzip uploaded file. Please check your file, then try to upload again."
#define EMPTY_ZIP "Uploaded file must be a non-empty zip"

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) {
  return le16(p) | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walks the archive's central directory (not its compressed data): the
 * end record within the last 64 KB + 22 bytes, every entry's header and
 * local header in place, and the sum of their uncompressed sizes. */
int aev__fn_zip_check(const unsigned char *z, size_t n, int64_t *unzipped_out) {
  size_t eocd = n;
  for (size_t i = n >= 22 ? n - 22 : 0; n >= 22; i--) {
    if (le32(z + i) == 0x06054b50 && i + 22 + le16(z + i + 20) <= n) {
      eocd = i;
      break;
    }
    if (i == 0 || n - i >= 22 + 0xffff) break;
  }
  if (eocd == n) return aev__fn_invalid(NOT_A_ZIP);
  const uint32_t entries = le16(z + eocd + 10), cd_size = le32(z + eocd + 12),
                 cd_at = le32(z + eocd + 16);
  if ((uint64_t)cd_at + cd_size > eocd) return aev__fn_invalid(NOT_A_ZIP);
  if (entries == 0) return aev__fn_invalid(EMPTY_ZIP);
  long long unzipped = 0;
  size_t at = cd_at;
  for (uint32_t k = 0; k < entries; k++) {
    if (at + 46 > (size_t)cd_at + cd_size || le32(z + at) != 0x02014b50)
      return aev__fn_invalid(NOT_A_ZIP);
    const uint32_t local = le32(z + at + 42);
    if ((uint64_t)local + 30 > cd_at || le32(z + local) != 0x04034b50)
      return aev__fn_invalid(NOT_A_ZIP);
    unzipped += le32(z + at + 24);
    at += 46 + le16(z + at + 28) + le16(z + at + 30) + le16(z + at + 32);
  }
  if (unzipped >= UNZIPPED_MAX)
    return aev__fn_invalid("Unzipped size must be smaller than %lld bytes", UNZIPPED_MAX);
  if (unzipped_out) *unzipped_out = unzipped;
  return AEV_OK;
}

/* AccountLimit's CodeSizeUnzipped, "the maximum size of a function's
 * deployment package and layers when they're extracted" (API reference):
 * the sizes their entries unzip to, added up. Lambda's words and error
 * (InvalidParameterValueException) as its users report them; no AWS page
 * gives them. */
int aev__fn_code_fits(const aev__fcode *code, int64_t layers_unzipped) {
  const long long total = (long long)(code->unzipped + layers_unzipped);
  if (total <= UNZIPPED_MAX) return AEV_OK;
  return aev__fn_invalid("Function code combined with layers exceeds the maximum allowed size "
                         "of %lld bytes. The actual size is %lld bytes.",
                         UNZIPPED_MAX, total);
}

static int digest_b64(const void *data, size_t n, char out[65]) {
  aev__sha256 c;
  uint8_t d[32];
  aev__sha256_init(&c);
  aev__sha256_update(&c, data, n);
  aev__sha256_final(&c, d);
  char *b64;
  if (aev__base64_encode(d, sizeof d, &b64) != AEV_OK) return aev__nomem();
  snprintf(out, 65, "%s", b64);
  free(b64);
  return AEV_OK;
}

/* CodeSha256 of no bytes: base64 of SHA-256(""). */
void aev__fn_code_empty(aev__fcode *out) {
  *out = (aev__fcode){0};
  snprintf(out->sha256, sizeof out->sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

void aev__fn_code_free(aev__fcode *c) {
  free(c->image_uri);
  free(c->resolved);
  c->image_uri = c->resolved = NULL;
}

int aev__fn_code_copy(const aev__fcode *from, aev__fcode *to) {
  *to = *from;
  to->image_uri = from->image_uri ? strdup(from->image_uri) : NULL;
  to->resolved = from->resolved ? strdup(from->resolved) : NULL;
  if ((from->image_uri && !to->image_uri) || (from->resolved && !to->resolved)) {
    aev__fn_code_free(to);
    return aev__nomem();
  }
  return AEV_OK;
}

static int zip_package(const unsigned char *z, size_t n, aev__fcode *out) {
  int64_t unzipped;
  int rc = aev__fn_zip_check(z, n, &unzipped);
  if (rc != AEV_OK) return rc;
  *out = (aev__fcode){.size = (int64_t)n, .unzipped = unzipped};
  return digest_b64(z, n, out->sha256);
}

static int from_zipfile(json_t *zip, const char *op, aev__fcode *out) {
  if (!json_is_string(zip))
    return aev__fn_invalid("ZipFile must be the package's bytes in base64.");
  if (json_string_length(zip) > ZIPFILE_B64_MAX)
    return aev__fail(AEV_ERR_LIMIT, "RequestEntityTooLargeException",
                     "Request must be smaller than %d bytes for the %s operation",
                     ZIPFILE_B64_MAX, op);
  unsigned char *z;
  size_t n;
  int rc = aev__base64_decode(json_string_value(zip), json_string_length(zip), &z, &n);
  if (rc != AEV_OK) return rc;
  if (n > ZIPPED_MAX) {
    free(z);
    return aev__fail(AEV_ERR_LIMIT, "RequestEntityTooLargeException",
                     "Zipped size must be smaller than %d bytes", ZIPPED_MAX);
  }
  rc = zip_package(z, n, out);
  free(z);
  return rc;
}

/* S3's errors as Lambda passes them on. */
static int get_object_failed(const char *code, const char *message) {
  return aev__fn_invalid("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s",
                         code, message);
}

/* The object KEY of bucket NAME is the file ./NAME/KEY (core/s3_objects.h),
 * where a Firehose bucket delivers too (delivery.h). */
static int from_s3(const char *bucket, const char *key, aev__fcode *out) {
  char *z = NULL;
  size_t n = 0;
  int rc = aev__s3_get(bucket, key, UNZIPPED_MAX - 1, &z, &n);
  if (rc == AEV_ERR_LIMIT) return aev__fn_invalid("Unzipped size must be smaller than %lld bytes", UNZIPPED_MAX);
  if (rc == AEV_ERR_NOT_FOUND) { /* copied: the error about to be set overwrites them */
    char code[32], msg[64];
    snprintf(code, sizeof code, "%s", aev_errcode());
    snprintf(msg, sizeof msg, "%s", aev_errmsg());
    return get_object_failed(code, msg);
  }
  if (rc) return rc;
  rc = zip_package((unsigned char *)z, n, out);
  free(z);
  return rc;
}

/* ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG|@sha256:DIGEST],
 * an image in Amazon ECR, the only registry Lambda takes images from. */
static int image_uri_ok(const char *u) {
  if (strspn(u, "0123456789") != 12 || strncmp(u + 12, ".dkr.ecr.", 9)) return 0;
  const char *host_end = strchr(u, '/');
  const char *suffix = strstr(u, ".amazonaws.com/");
  if (!host_end || !suffix || suffix + 14 != host_end || suffix <= u + 21) return 0;
  const char *repo = host_end + 1;
  const char *digest = strstr(repo, "@sha256:");
  if (digest)
    return digest > repo && strlen(digest + 8) == 64 &&
           strspn(digest + 8, "0123456789abcdef") == 64;
  size_t rl = strcspn(repo, ":");
  return rl > 0 && strspn(repo, "abcdefghijklmnopqrstuvwxyz0123456789._-/") == rl &&
         (!repo[rl] || (repo[rl + 1] && strspn(repo + rl + 1,
                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                               "0123456789._-") == strlen(repo + rl + 1)));
}

/* Lambda resolves a tag to the image's digest when the function is
 * created or updated. No registry is here: the digest of a tagged URI is
 * the SHA-256 of the URI's text, stable for the same URI. CodeSha256 is
 * the digest in hex, as Lambda reports an image's. */
static int from_image(const char *uri, aev__fcode *out) {
  if (!image_uri_ok(uri))
    return aev__fn_invalid("Source image %s is not valid. Provide a valid source image.", uri);
  const char *repo = strchr(uri, '/') + 1, *digest = strstr(uri, "@sha256:");
  char hex[65];
  if (digest) memcpy(hex, digest + 8, 65);
  else aev__sha256_hex(uri, strlen(uri), hex);
  size_t upto = digest ? (size_t)(digest - uri) : (size_t)(repo - uri) + strcspn(repo, ":");
  *out = (aev__fcode){0};
  memcpy(out->sha256, hex, sizeof hex);
  out->image_uri = strdup(uri);
  out->resolved = malloc(upto + 8 + 65);
  if (!out->image_uri || !out->resolved) {
    aev__fn_code_free(out);
    return aev__nomem();
  }
  sprintf(out->resolved, "%.*s@sha256:%s", (int)upto, uri, hex);
  return AEV_OK;
}

static int str_member(json_t *src, const char *name, const char **out) {
  json_t *v = json_object_get(src, name);
  *out = NULL;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_string(v)) return aev__fn_invalid("%s must be a string.", name);
  *out = json_string_value(v);
  return AEV_OK;
}

int aev__fn_code_parse(json_t *src, int image, int empty_ok, const char *op,
                       aev__fcode *out) {
  if (src && !json_is_object(src))
    return aev__fn_invalid("Code must be an object with ZipFile, S3Bucket and S3Key, or ImageUri.");
  const char *bucket, *key, *version, *uri;
  json_t *zip = src ? json_object_get(src, "ZipFile") : NULL;
  if (json_is_null(zip)) zip = NULL;
  int rc = str_member(src, "S3Bucket", &bucket);
  if (rc == AEV_OK) rc = str_member(src, "S3Key", &key);
  if (rc == AEV_OK) rc = str_member(src, "S3ObjectVersion", &version);
  if (rc == AEV_OK) rc = str_member(src, "ImageUri", &uri);
  if (rc != AEV_OK) return rc;
  const int update = strcmp(op, "UpdateFunctionCode") == 0;
  /* Lambda's wording for the package types (recorded by LocalStack's
   * provider, which its validated image tests exercise). */
  if (image && (zip || bucket || key || !uri))
    return aev__fn_invalid(update ? "Please provide ImageUri when updating a function with packageType Image."
                                  : "Please provide ImageUri when PackageType is Image.");
  if (!image && uri)
    return aev__fn_invalid(update ? "Please don't provide ImageUri when updating a function with packageType Zip."
                                  : "Please don't provide ImageUri when PackageType is Zip.");
  if (image) return from_image(uri, out);
  /* Not recorded: Lambda's wording when both or half an S3 location are
   * given; these say what is allowed. */
  if (zip && (bucket || key))
    return aev__fn_invalid("Please provide either ZipFile or S3Bucket and S3Key, not both.");
  if (!bucket != !key) return aev__fn_invalid("Please provide both S3Bucket and S3Key.");
  if (zip) return from_zipfile(zip, op, out);
  if (bucket) return from_s3(bucket, key, out);
  if (!empty_ok) return aev__fn_invalid("Please provide a source for function code.");
  aev__fn_code_empty(out);
  return AEV_OK;
}

/* ImageConfig as Lambda's API reference bounds it: Command and EntryPoint
 * lists of at most 1500 strings, WorkingDirectory at most 1000
 * characters. */
int aev__fn_image_config_check(json_t *ic) {
  if (!json_is_object(ic))
    return aev__fn_invalid("ImageConfig must be an object with EntryPoint, Command and WorkingDirectory.");
  static const char *const lists[][2] = {{"Command", "imageConfig.command"},
                                         {"EntryPoint", "imageConfig.entryPoint"}};
  for (size_t i = 0; i < 2; i++) {
    json_t *l = json_object_get(ic, lists[i][0]), *v;
    size_t k;
    if (!l || json_is_null(l)) continue;
    if (!json_is_array(l)) return aev__fn_invalid("ImageConfig.%s must be a list of strings.", lists[i][0]);
    json_array_foreach(l, k, v) {
      if (!json_is_string(v))
        return aev__fn_invalid("ImageConfig.%s must be a list of strings.", lists[i][0]);
    }
    if (json_array_size(l) > 1500)
      return aev__fail_length(NULL, lists[i][1], json_array_size(l), 0, 1500);
  }
  json_t *w = json_object_get(ic, "WorkingDirectory");
  if (w && !json_is_null(w) && !json_is_string(w))
    return aev__fn_invalid("ImageConfig.WorkingDirectory must be a string.");
  if (json_is_string(w) && json_string_length(w) > 1000)
    return aev__fail_length(json_string_value(w), "imageConfig.workingDirectory",
                            json_string_length(w), 0, 1000);
  return AEV_OK;
}

/* Lambda answers a Location, a presigned URL of its own bucket valid for
 * ten minutes; no package is kept here, so this one names the package
 * (by its digest) but serves nothing. An image is answered by its URIs
 * (RepositoryType ECR). */
json_t *aev__fn_code_location(aev_function *f, const aev__fcode *c) {
  if (c->image_uri)
    return json_pack("{ssssss}", "RepositoryType", "ECR", "ImageUri", c->image_uri,
                     "ResolvedImageUri", c->resolved);
  char hex[65], url[512];
  aev__sha256_hex(c->sha256, strlen(c->sha256), hex);
  const char *region = aev_broker_region(f->res.broker);
  snprintf(url, sizeof url,
           "https://awslambda-%s-tasks.s3.%s.amazonaws.com/snapshots/%s/%s-%.36s", region,
           region, aev_broker_account(f->res.broker), f->res.name, hex);
  return json_pack("{ssss}", "RepositoryType", "S3", "Location", url);
}
