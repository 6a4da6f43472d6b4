/* The broker's S3 objects: the files under ./BUCKET (s3_objects.h). */
#include "core/s3_objects.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/status.h"

static int no_bucket(void) { return aev__fail(AEV_ERR_NOT_FOUND, "NoSuchBucket", AEV__S3_NO_SUCH_BUCKET); }
static int no_key(void) { return aev__fail(AEV_ERR_NOT_FOUND, "NoSuchKey", AEV__S3_NO_SUCH_KEY); }

/* A ".." segment: the key would leave its bucket's directory. */
static int escapes(const char *key) {
  const size_t n = strlen(key);
  return !strcmp(key, "..") || !strncmp(key, "../", 3) || strstr(key, "/../") ||
         (n >= 3 && !strcmp(key + n - 3, "/.."));
}

/* *dir: "./bucket", a new string, when that is a directory; NoSuchBucket
 * otherwise. */
static int bucket_dir(const char *bucket, char **dir) {
  if (!*bucket || strchr(bucket, '/') || !strcmp(bucket, "..") || !strcmp(bucket, ".")) return no_bucket();
  char *path = malloc(strlen(bucket) + 3);
  if (!path) return aev__nomem();
  sprintf(path, "./%s", bucket);
  struct stat st;
  if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
    free(path);
    return no_bucket();
  }
  *dir = path;
  return AEV_OK;
}

/* dir + "/" + key: a new string, or NULL out of memory. */
static char *join(const char *dir, const char *key) {
  char *p = malloc(strlen(dir) + strlen(key) + 2);
  if (p) sprintf(p, "%s/%s", dir, key);
  else aev__nomem();
  return p;
}

/* The digest as S3's ETag of an object put whole: its MD5 in hex, in
 * double quotes. */
static void etag_format(const uint8_t d[16], char out[35]) {
  out[0] = '"';
  for (int i = 0; i < 16; i++) sprintf(out + 1 + 2 * i, "%02x", d[i]);
  out[33] = '"';
  out[34] = 0;
}

void aev__s3_etag(const void *data, size_t len, char out[35]) {
  aev__md5 c;
  aev__md5_init(&c);
  aev__md5_update(&c, data, len);
  uint8_t d[16];
  aev__md5_final(&c, d);
  etag_format(d, out);
}

/* The ETag of the file's bytes. */
static int etag_of(const char *path, char out[35]) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  aev__md5 c;
  aev__md5_init(&c);
  unsigned char buf[8192];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, fp)) > 0) aev__md5_update(&c, buf, got);
  fclose(fp);
  uint8_t d[16];
  aev__md5_final(&c, d);
  etag_format(d, out);
  return 0;
}

/* The object at path (stat st) as S3 describes it, but its key: its size,
 * LastModified (the file's modification time) and ETag; -1 when it went
 * away meanwhile. */
static int describe(const char *path, const struct stat *st, aev__s3_entry *e) {
  *e = (aev__s3_entry){.size = st->st_size,
                       .modified_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000};
  return etag_of(path, e->etag);
}

/* *path: "./bucket/key", a new string; NoSuchBucket when the bucket is
 * none, NoSuchKey when the key names no object it could hold (empty, or
 * with a ".." segment that would leave the bucket's directory). Whether
 * the file is there is the caller's to check. */
static int object_path(const char *bucket, const char *key, char **path) {
  char *dir;
  int rc = bucket_dir(bucket, &dir);
  if (rc) return rc;
  if (!*key || escapes(key)) {
    free(dir);
    return no_key();
  }
  *path = join(dir, key);
  free(dir);
  return *path ? AEV_OK : AEV_ERR_NOMEM;
}

int aev__s3_get(const char *bucket, const char *key, size_t limit, char **data, size_t *len) {
  char *path;
  int rc = object_path(bucket, key, &path);
  if (rc) return rc;
  struct stat st;
  FILE *fp = NULL;
  rc = stat(path, &st) || !S_ISREG(st.st_mode) || !(fp = fopen(path, "rb")) ? no_key() : AEV_OK;
  free(path);
  if (rc) return rc;
  const size_t n = (size_t)st.st_size;
  char *buf = NULL;
  *len = n;
  if (n > limit) rc = aev__fail(AEV_ERR_LIMIT, "EntityTooLarge", "The object is %zu bytes, more than %zu", n, limit);
  else if (!(buf = malloc(n + 1))) rc = aev__nomem();
  else if (fread(buf, 1, n, fp) != n) rc = no_key(); /* gone while read */
  fclose(fp);
  if (rc) {
    free(buf);
    return rc;
  }
  buf[n] = 0;
  *data = buf;
  return AEV_OK;
}

int aev__s3_head(const char *bucket, const char *key, aev__s3_entry *out) {
  char *path;
  int rc = object_path(bucket, key, &path);
  if (rc) return rc;
  struct stat st;
  rc = stat(path, &st) || !S_ISREG(st.st_mode) || describe(path, &st, out) ? no_key() : AEV_OK;
  free(path);
  return rc;
}

int aev__s3_bucket(const char *bucket) {
  char *dir;
  int rc = bucket_dir(bucket, &dir);
  free(rc ? NULL : dir);
  return rc;
}

int aev__s3_delete(const char *bucket, const char *key) {
  char *path;
  int rc = object_path(bucket, key, &path);
  if (rc == AEV_ERR_NOT_FOUND && !strcmp(aev_errcode(), "NoSuchKey")) return AEV_OK; /* names no object */
  if (rc) return rc;
  struct stat st;
  if (stat(path, &st) || !S_ISREG(st.st_mode)) {
    free(path);
    return AEV_OK; /* S3 deletes a key it does not have without complaint */
  }
  if (unlink(path) && errno != ENOENT)
    rc = aev__fail(AEV_ERR_INVALID, "InternalError", "The object '%s' could not be deleted: %s", key,
                   strerror(errno));
  /* S3 has no directories: the ones the key's "/"s made go with their
   * last object (rmdir leaves one that holds another), never the bucket's. */
  char *const top = path + strlen(bucket) + 3, *slash;
  while (!rc && (slash = strrchr(top, '/')) && slash > top) {
    *slash = 0;
    if (rmdir(path)) break;
  }
  free(path);
  return rc;
}

/* Makes the directories of path (up to its last "/") that do not exist. */
static int make_parents(char *path, size_t from) {
  for (char *p = path + from; (p = strchr(p, '/')); p++) {
    *p = 0;
    const int failed = mkdir(path, 0777) && errno != EEXIST;
    *p = '/';
    if (failed) return -1;
  }
  return 0;
}

int aev__s3_write_file(const char *dir, const char *key, const void *data, size_t len,
                       int64_t modified_ms) {
  char *path = NULL, *tmp = NULL;
  int rc = -1;
  if (asprintf(&path, "%s/%s", dir, key) < 0) return -1;
  if (asprintf(&tmp, "%s.part", path) < 0) {
    free(path);
    return -1;
  }
  if (make_parents(path, 1) == 0) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd >= 0) {
      const char *p = data;
      size_t left = len;
      while (left) {
        ssize_t w = write(fd, p, left);
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
      }
      /* The object's LastModified is the broker clock's, so that what a
       * flow writes lists the same on every run of a manual clock. */
      const struct timespec when[2] = {{modified_ms / 1000, modified_ms % 1000 * 1000000},
                                       {modified_ms / 1000, modified_ms % 1000 * 1000000}};
      const int stamped = futimens(fd, when) == 0;
      rc = close(fd) == 0 && left == 0 && stamped && rename(tmp, path) == 0 ? 0 : -1;
      if (rc) unlink(tmp);
    }
  }
  free(tmp);
  free(path);
  return rc;
}

int aev__s3_put(const char *bucket, const char *key, const void *data, size_t len,
                int64_t modified_ms) {
  const size_t kl = strlen(key);
  char *dir;
  int rc = bucket_dir(bucket, &dir);
  if (rc) return rc;
  if (!kl || key[kl - 1] == '/' || escapes(key)) {
    free(dir);
    return aev__fail(AEV_ERR_INVALID, "InvalidArgument", "The key '%s' names no object of bucket '%s'", key,
                     bucket);
  }
  rc = aev__s3_write_file(dir, key, data, len, modified_ms);
  free(dir);
  if (rc && errno == ENOMEM) return aev__nomem();
  if (rc) rc = aev__fail(AEV_ERR_INVALID, "InternalError", "The object '%s' could not be written: %s", key,
                         strerror(errno));
  return rc;
}

typedef struct listing {
  const char *prefix;
  size_t plen;
  aev__s3_entry *v;
  size_t n, cap;
} listing;

/* The file at path, whose key is key, listed when the key has the prefix. */
static int add(listing *l, const char *path, const char *key, const struct stat *st) {
  if (strncmp(key, l->prefix, l->plen)) return AEV_OK;
  aev__s3_entry e;
  if (describe(path, st, &e)) return AEV_OK; /* gone meanwhile */
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    aev__s3_entry *v = realloc(l->v, cap * sizeof *v);
    if (!v) return aev__nomem();
    l->v = v;
    l->cap = cap;
  }
  if (!(e.key = strdup(key))) return aev__nomem();
  l->v[l->n++] = e;
  return AEV_OK;
}

/* Lists the files under dir, whose keys start with key_base ("" at the
 * bucket's top, else "a/b/"). */
static int walk(listing *l, const char *dir, const char *key_base) {
  DIR *d = opendir(dir);
  if (!d) return AEV_OK;
  int rc = AEV_OK;
  struct dirent *de;
  while (!rc && (de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char *path = join(dir, de->d_name), *key = malloc(strlen(key_base) + strlen(de->d_name) + 2);
    struct stat st;
    if (!path || !key) rc = aev__nomem();
    else if (sprintf(key, "%s%s", key_base, de->d_name), stat(path, &st)) rc = AEV_OK;
    else if (S_ISREG(st.st_mode)) rc = add(l, path, key, &st);
    else if (S_ISDIR(st.st_mode)) {
      strcat(key, "/");
      /* A directory none of whose keys can have the prefix is not read. */
      const size_t kl = strlen(key), cmp = kl < l->plen ? kl : l->plen;
      if (!strncmp(key, l->prefix, cmp)) rc = walk(l, path, key);
    }
    free(path);
    free(key);
  }
  closedir(d);
  return rc;
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const aev__s3_entry *)a)->key, ((const aev__s3_entry *)b)->key);
}

int aev__s3_list(const char *bucket, const char *prefix, aev__s3_entry **out, size_t *n) {
  char *dir;
  int rc = bucket_dir(bucket, &dir);
  if (rc) return rc;
  listing l = {.prefix = prefix ? prefix : "", .plen = prefix ? strlen(prefix) : 0};
  rc = walk(&l, dir, "");
  free(dir);
  if (rc) {
    aev__s3_entries_free(l.v, l.n);
    return rc;
  }
  /* strcmp orders as unsigned bytes: UTF-8's binary order, S3's. */
  if (l.n) qsort(l.v, l.n, sizeof *l.v, by_key);
  *out = l.v;
  *n = l.n;
  return AEV_OK;
}

void aev__s3_entries_free(aev__s3_entry *v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i].key);
  free(v);
}
