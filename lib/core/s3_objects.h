/* Internal: the broker's stand-in for Amazon S3. There is no S3 service
 * here; instead the object KEY of bucket NAME is the file ./NAME/KEY,
 * relative to the working directory (a bucket is a directory that exists,
 * a key a regular file under it, "/" separating its directories). Firehose
 * delivers there (delivery.h), Lambda reads Code.S3Bucket / S3Key there,
 * Step Functions' Distributed Map reads its ItemReader's objects and
 * writes its ResultWriter's files there.
 *
 * Failures answer S3's error codes and messages (aev_errcode() /
 * aev_errmsg()): AEV_ERR_NOT_FOUND with NoSuchBucket ("The specified bucket
 * does not exist") or NoSuchKey ("The specified key does not exist."). A
 * key with a ".." segment names no object (it would leave the bucket). */
#ifndef AEV_CORE_S3_OBJECTS_H
#define AEV_CORE_S3_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

/* S3's messages for its two "not found" codes, for callers that word
 * them into their own service's error. */
#define AEV__S3_NO_SUCH_BUCKET "The specified bucket does not exist"
#define AEV__S3_NO_SUCH_KEY "The specified key does not exist."

/* The object's bytes: *data a new buffer of *len bytes plus a NUL (not
 * counted), freed with free(). An object of more than limit bytes is not
 * read: AEV_ERR_LIMIT (EntityTooLarge) with *len its size. */
int aev__s3_get(const char *bucket, const char *key, size_t limit, char **data, size_t *len);

/* AEV_OK when the bucket exists, else NoSuchBucket. */
int aev__s3_bucket(const char *bucket);

/* Writes data as the file DIR/KEY, making the directories of that path, and
 * atomically (a temporary file renamed into place), so that a reader never
 * sees half an object: 0, or -1 with errno set. The file's modification
 * time, which lists as the object's LastModified, is modified_ms (epoch
 * milliseconds: the broker clock's now). For writers that own their
 * directory (a Firehose stream's, which may be its LocalDirectory). */
int aev__s3_write_file(const char *dir, const char *key, const void *data, size_t len,
                       int64_t modified_ms);

/* Writes the object (replacing one of that key) with aev__s3_write_file;
 * the bucket must exist (NoSuchBucket). A key that is
 * empty, ends with "/" or has a ".." segment is refused (AEV_ERR_INVALID,
 * InvalidArgument). */
int aev__s3_put(const char *bucket, const char *key, const void *data, size_t len,
                int64_t modified_ms);

/* One object as ListObjectsV2 lists it. */
typedef struct aev__s3_entry {
  char *key;
  int64_t size;
  int64_t modified_ms;
  char etag[35]; /* the object's MD5 in hex, in double quotes, as S3 gives a single-part object's */
} aev__s3_entry;

/* The object's size, LastModified and ETag (out->key is left NULL), as
 * ListObjectsV2 lists them: NoSuchBucket, or NoSuchKey when there is no
 * such object. */
int aev__s3_head(const char *bucket, const char *key, aev__s3_entry *out);

/* Deletes the object, and the directories its key made that hold no other
 * object (S3 has none); a key it does not have, or with a ".." segment, is
 * deleted as S3 deletes an absent key: nothing happens, AEV_OK. A bucket
 * that does not exist: NoSuchBucket. */
int aev__s3_delete(const char *bucket, const char *key);

/* ETag of data put whole: its MD5 in hex, in double quotes. */
void aev__s3_etag(const void *data, size_t len, char out[35]);

/* The bucket's objects whose keys start with prefix (NULL: all), in S3's
 * order (keys compared as UTF-8 bytes): *out a new array of *n entries,
 * freed with aev__s3_entries_free. */
int aev__s3_list(const char *bucket, const char *prefix, aev__s3_entry **out, size_t *n);
void aev__s3_entries_free(aev__s3_entry *v, size_t n);

#endif
