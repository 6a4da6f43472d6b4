/* A delivery stream's destination settings: one destination configuration
 * (S3, a queue, a topic or the application's callback) with its buffering
 * hints, processors (processors.c), retry options and dynamic
 * partitioning (partition_config.c), read with AWS's CreateDeliveryStream
 * checks; and the copy a delivery attempt reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/text.h"
#include "delivery/delivery_impl.h"

const char *const aev__fh_dest_members[4] = {
    "ExtendedS3DestinationConfiguration", "S3DestinationConfiguration",
    "SqsDestinationConfiguration", "SnsDestinationConfiguration"};

int aev__fh_int_member(json_t *o, const char *name, const char *path,
                       int64_t min, int64_t max, int64_t *out) {
  json_t *v = json_object_get(o, name);
  if (!v) return AEV_OK;
  char val[32];
  if (!json_is_integer(v))
    return aev__fh_validation(NULL, path, "Member must be an integer");
  int64_t x = json_integer_value(v);
  snprintf(val, sizeof val, "%lld", (long long)x);
  if (x < min || x > max) {
    char c[96];
    snprintf(c, sizeof c, "Member must have value %s than or equal to %lld",
             x < min ? "greater" : "less", (long long)(x < min ? min : max));
    return aev__fh_validation(val, path, c);
  }
  *out = x;
  return AEV_OK;
}

int aev__fh_bool_member(json_t *o, const char *name, const char *path, int *out) {
  json_t *v = json_object_get(o, name);
  if (v && !json_is_boolean(v)) return aev__fh_validation(NULL, path, "Member must be a boolean");
  *out = json_is_true(v);
  return AEV_OK;
}

/* BufferingHints: both members or neither (BC:firehose BufferingHints). */
static int read_hints(aev__fh_settings *s, json_t *dc) {
  json_t *h = json_object_get(dc, "BufferingHints");
  int64_t mb = 5, secs = 300;
  if (h) {
    if (!json_object_get(h, "SizeInMBs") != !json_object_get(h, "IntervalInSeconds"))
      return aev__fh_invalid("BufferingHints must specify both SizeInMBs and "
                             "IntervalInSeconds, or neither.");
    int rc = aev__fh_int_member(h, "SizeInMBs", "bufferingHints.sizeInMBs", 1, 128, &mb);
    if (rc == AEV_OK)
      rc = aev__fh_int_member(h, "IntervalInSeconds", "bufferingHints.intervalInSeconds",
                      0, 900, &secs);
    if (rc != AEV_OK) return rc;
  }
  s->size_bytes = (size_t)mb << 20;
  s->interval_ms = secs * 1000;
  return AEV_OK;
}

/* FileExtension: empty (the format's own) or a period and then 0-9 a-z
 * ! - _ . * ' ( ), at most 128 characters (Firehose's API reference). */
static int valid_extension(const char *e) {
  if (!*e) return 1;
  if (e[0] != '.' || !e[1] || strlen(e) > 128) return 0;
  for (const char *c = e + 1; *c; c++)
    if (!(*c >= '0' && *c <= '9') && !(*c >= 'a' && *c <= 'z') && !strchr("!-_.*'()", *c))
      return 0;
  return 1;
}

static int read_format(aev__fh_settings *s, json_t *dc, const char *shape) {
  char path[80];
  json_t *v = json_object_get(dc, "CompressionFormat");
  const char *format = json_string_value(v);
  s->compression = format ? aev__fh_compression_of(format) : AEV__FH_COMPRESS_NONE;
  if (s->compression < 0 || (v && !format)) {
    snprintf(path, sizeof path, "extendedS3Destination%s.compressionFormat", shape);
    return aev__fh_validation(format, path,
                              "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, "
                              "ZIP, Snappy, HADOOP_SNAPPY]");
  }
  v = json_object_get(dc, "FileExtension");
  const char *ext = json_string_value(v);
  if ((v && !ext) || (ext && !valid_extension(ext))) {
    snprintf(path, sizeof path, "extendedS3Destination%s.fileExtension", shape);
    return aev__fh_validation(ext, path,
                              "Member must satisfy regular expression pattern: "
                              "^$|\\.[0-9a-z!\\-_.*'()]+");
  }
  /* An empty one stands for the format's own. */
  if (ext && *ext && !(s->file_extension = strdup(ext))) return aev__nomem();
  return AEV_OK;
}

static int read_s3(aev__fh_settings *s, json_t *dc, const char *shape) {
  const char *bucket = json_string_value(json_object_get(dc, "BucketARN"));
  char path[64];
  snprintf(path, sizeof path, "extendedS3Destination%s.bucketARN", shape);
  if (!bucket || strncmp(bucket, "arn:aws:s3:::", 13) || !bucket[13])
    return aev__fh_validation(bucket, path,
                              "Member must satisfy regular expression "
                              "pattern: arn:.*:s3:::.+");
  const char *prefix = json_string_value(json_object_get(dc, "Prefix"));
  const char *eprefix = json_string_value(json_object_get(dc, "ErrorOutputPrefix"));
  int rc = aev__fh_check_prefixes(prefix, eprefix);
  if (rc == AEV_OK) rc = read_format(s, dc, shape);
  if (rc != AEV_OK) return rc;
  const char *dir = json_string_value(json_object_get(dc, "LocalDirectory"));
  if (dir)
    s->dir = strdup(dir);
  else if (asprintf(&s->dir, "./%s", bucket + 13) < 0)
    s->dir = NULL;
  s->prefix = strdup(prefix ? prefix : "");
  s->error_prefix = eprefix ? strdup(eprefix) : NULL;
  s->retry_ms = 24LL * 3600 * 1000;
  return s->dir && s->prefix && (!eprefix || s->error_prefix) ? AEV_OK
                                                              : aev__nomem();
}

static int read_retry(aev__fh_settings *s, json_t *dc) {
  int64_t secs = 300;
  int rc = aev__fh_int_member(json_object_get(dc, "RetryOptions"), "DurationInSeconds",
                      "retryOptions.durationInSeconds", 0, 7200, &secs);
  s->retry_ms = secs * 1000;
  return rc;
}

int aev__fh_settings_read(aev__fh_settings *s, json_t *cfg, int sink, const char *shape) {
  json_t *s3 = json_object_get(cfg, "ExtendedS3DestinationConfiguration");
  if (!s3) s3 = json_object_get(cfg, "S3DestinationConfiguration");
  json_t *sqs = json_object_get(cfg, "SqsDestinationConfiguration");
  json_t *sns = json_object_get(cfg, "SnsDestinationConfiguration");
  int given = (s3 != NULL) + (sqs != NULL) + (sns != NULL) + (sink != 0);
  if (given != 1)
    return aev__fh_invalid(given ? "Exactly one destination configuration "
                                   "must be given."
                                 : "A destination configuration is required: "
                                   "ExtendedS3DestinationConfiguration, "
                                   "SqsDestinationConfiguration or "
                                   "SnsDestinationConfiguration.");
  json_t *dc = s3 ? s3 : sqs ? sqs : sns ? sns : cfg;
  int rc;
  if (s3) {
    s->dest = AEV__DEST_S3;
    rc = read_s3(s, s3, shape);
  } else if (sqs) {
    s->dest = AEV__DEST_SQS;
    const char *q = json_string_value(json_object_get(sqs, "QueueARN"));
    if (!q) return aev__fh_invalid("SqsDestination%s needs QueueARN.", shape);
    s->queue_arn = strdup(q);
    rc = s->queue_arn ? read_retry(s, sqs) : aev__nomem();
  } else if (sns) {
    s->dest = AEV__DEST_SNS;
    const char *t = json_string_value(json_object_get(sns, "TopicARN"));
    if (!t) return aev__fh_invalid("SnsDestination%s needs TopicARN.", shape);
    s->topic_arn = strdup(t);
    rc = s->topic_arn ? read_retry(s, sns) : aev__nomem();
  } else {
    s->dest = AEV__DEST_SINK;
    rc = read_retry(s, cfg);
  }
  if (rc == AEV_OK) rc = read_hints(s, dc);
  if (rc == AEV_OK) rc = aev__fh_read_processors(s, dc);
  if (rc == AEV_OK) rc = aev__fh_read_partitioning(s, s3);
  return rc;
}

static int copy_str(const char *from, char **to) {
  *to = from ? strdup(from) : NULL;
  return from && !*to ? -1 : 0;
}

int aev__fh_settings_copy(const aev__fh_settings *from, aev__fh_settings *to) {
  *to = *from;
  to->dir = to->prefix = to->error_prefix = to->queue_arn = to->topic_arn =
      to->lambda_arn = to->file_extension = NULL;
  to->query = NULL;
  to->delimiter = NULL;
  to->delimiter_len = 0;
  if (copy_str(from->dir, &to->dir) || copy_str(from->prefix, &to->prefix) ||
      copy_str(from->file_extension, &to->file_extension) ||
      copy_str(from->error_prefix, &to->error_prefix) ||
      copy_str(from->queue_arn, &to->queue_arn) ||
      copy_str(from->topic_arn, &to->topic_arn) ||
      copy_str(from->lambda_arn, &to->lambda_arn)) {
    aev__fh_settings_free(to);
    return -1;
  }
  return 0;
}

void aev__fh_settings_free(aev__fh_settings *s) {
  free(s->dir);
  free(s->prefix);
  free(s->error_prefix);
  free(s->queue_arn);
  free(s->topic_arn);
  free(s->lambda_arn);
  free(s->file_extension);
  aev__jq_free(s->query);
  free(s->delimiter);
}
