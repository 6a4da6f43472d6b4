/* Delivery-stream test support: a Firehose transform (Lambda record
 * processor) that the delivery suites share, and the directories their S3
 * destinations write (includers define _XOPEN_SOURCE 700 first, for
 * nftw). */
#ifndef AEV_DELIVERY_SUPPORT_H
#define AEV_DELIVERY_SUPPORT_H

#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"
#include "tree.h"

/* A transform: "drop" is Dropped, "fail" ProcessingFailed, others Ok with "a"
 * upper-cased; user is an int counting calls. */
static inline void fh_transform(void *user, aev_invocation *ctx, const char *event, size_t len) {
  int *calls = user;
  (*calls)++;
  json_t *in = json_loads(event, 0, NULL), *out = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(in, "records"), i, r) {
    const char *b64 = json_string_value(json_object_get(r, "data"));
    const char *res = !strcmp(b64, "ZHJvcA==") ? "Dropped" : !strcmp(b64, "ZmFpbA==") ? "ProcessingFailed" : "Ok";
    /* "a" (YQ==) becomes "A" (QQ==) */
    const char *data = !strcmp(b64, "YQ==") ? "QQ==" : b64;
    json_array_append_new(out, json_pack("{s:O, s:s, s:s}", "recordId", json_object_get(r, "recordId"), "result", res, "data", data));
  }
  json_t *resp = json_pack("{s:o}", "records", out);
  char *text = json_dumps(resp, JSON_COMPACT);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(resp);
  json_decref(in);
}

/* The path of the last file fh_last_file() walked past. */
static char fh_found[512];

static inline int fh_note_file(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st, (void)f;
  if (flag == FTW_F) snprintf(fh_found, sizeof fh_found, "%s", p);
  return 0;
}

/* Whether dir/sub holds a file (an object, under sub/YYYY/... by default):
 * fh_found then names the last one. */
static inline int fh_last_file(const char *dir, const char *sub) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  fh_found[0] = '\0';
  nftw(path, fh_note_file, 16, FTW_PHYS);
  return fh_found[0] != '\0';
}

/* The bytes of file path (*len of them, NUL after them); free() it. */
static inline unsigned char *fh_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  rewind(f);
  unsigned char *data = malloc(*len + 1);
  ck_assert_uint_eq(fread(data, 1, *len, f), *len);
  data[*len] = '\0';
  fclose(f);
  return data;
}

#endif
