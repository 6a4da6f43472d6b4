/* Delivery streams in AWS's shapes: DeliveryStreamDescription (the
 * destination echoed from the create request as updated, with AWS's
 * defaults for the S3 settings it left out, VersionId),
 * ListDeliveryStreams, and the metrics counters. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/registry.h"
#include "core/status.h"
#include "delivery/delivery.h"

/* Sets member to value (stolen) unless c has it: 0 on success. */
static int fill(json_t *c, const char *member, json_t *value) {
  if (json_object_get(c, member)) {
    json_decref(value);
    return 0;
  }
  return json_object_set_new(c, member, value);
}

/* An S3 destination as AWS describes it: the settings the request left
 * out answer with their defaults (the model requires BufferingHints,
 * CompressionFormat and EncryptionConfiguration in the description; AWS
 * also answers logging off and, for an extended destination, S3 backup
 * Disabled). */
static int s3_defaults(json_t *c, int extended) {
  return fill(c, "BufferingHints", json_pack("{s:i, s:i}", "SizeInMBs", 5,
                                             "IntervalInSeconds", 300)) ||
         fill(c, "CompressionFormat", json_string("UNCOMPRESSED")) ||
         fill(c, "EncryptionConfiguration",
              json_pack("{s:s}", "NoEncryptionConfig", "NoEncryption")) ||
         fill(c, "CloudWatchLoggingOptions", json_pack("{s:b}", "Enabled", 0)) ||
         (extended && fill(c, "S3BackupMode", json_string("Disabled")));
}

/* AWS describes an extended S3 destination twice: whole, and beside it
 * as S3DestinationDescription with the members a plain S3 destination
 * has. Sets that view into dest: 0 on success. */
static int s3_view(json_t *extended, json_t *dest) {
  static const char *const members[] = {
      "RoleARN",           "BucketARN",         "Prefix",
      "ErrorOutputPrefix", "BufferingHints",    "CompressionFormat",
      "EncryptionConfiguration", "CloudWatchLoggingOptions"};
  json_t *v = json_object();
  int bad = !v;
  for (size_t i = 0; !bad && i < sizeof members / sizeof *members; i++) {
    json_t *m = json_object_get(extended, members[i]);
    bad = m && json_object_set(v, members[i], m);
  }
  if (bad) {
    json_decref(v);
    return -1;
  }
  return json_object_set_new(dest, "S3DestinationDescription", v);
}

int aev__delivery_describe_json(aev_delivery *d, json_t **out) {
  int rc = aev__fh_check(d);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&d->mu);
  json_t *config = json_deep_copy(d->config); /* no tree shared between threads */
  char version[16];
  snprintf(version, sizeof version, "%d", d->version);
  pthread_mutex_unlock(&d->mu);
  if (!config) return aev__nomem();
  json_t *dests = json_array(),
         *dest = json_pack("{s:s}", "DestinationId", AEV__FH_DESTINATION_ID);
  int whole = dests && dest;
  for (size_t i = 0; whole && i < 4; i++) {
    const char *member = aev__fh_dest_members[i];
    json_t *c = json_object_get(config, member);
    if (!c) continue;
    if (i < 2 && s3_defaults(c, i == 0)) whole = 0;
    char name[64];
    /* ...Configuration becomes ...Description, as AWS answers. */
    snprintf(name, sizeof name, "%.*sDescription",
             (int)(strlen(member) - strlen("Configuration")), member);
    if (json_object_set(dest, name, c) || (i == 0 && s3_view(c, dest))) whole = 0;
  }
  if (whole)
    whole = !json_array_append_new(dests, dest); /* dest is taken either way */
  else
    json_decref(dest);
  if (!whole) {
    json_decref(dests);
    json_decref(config);
    return aev__nomem();
  }
  json_t *j = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:b}", "DeliveryStreamName",
      d->res.name, "DeliveryStreamARN", d->res.arn, "DeliveryStreamStatus",
      "ACTIVE", "DeliveryStreamType",
      d->from_stream ? "KinesisStreamAsSource" : "DirectPut", "VersionId", version,
      "CreateTimestamp", (double)d->created_ms / 1000.0, "Destinations", dests,
      "HasMoreDestinations", 0);
  /* Server-side encryption is DirectPut's: AWS describes a Kinesis-sourced
   * stream without DeliveryStreamEncryptionConfiguration. */
  int bad = !j;
  if (!d->from_stream) {
    pthread_mutex_lock(&d->mu);
    json_t *sse = aev__fh_encryption_json(d);
    pthread_mutex_unlock(&d->mu);
    bad = json_object_set_new(j, "DeliveryStreamEncryptionConfiguration", sse) != 0;
  }
  if (bad) {
    json_decref(j);
    json_decref(config);
    return aev__nomem();
  }
  /* AWS echoes the source's stream and role. */
  json_t *src = json_object_get(config, "KinesisStreamSourceConfiguration");
  if (d->from_stream &&
      json_object_set_new(
          j, "Source",
          json_pack("{s:{s:O, s:O*, s:f}}", "KinesisStreamSourceDescription",
                    "KinesisStreamARN", json_object_get(src, "KinesisStreamARN"),
                    "RoleARN", json_object_get(src, "RoleARN"),
                    "DeliveryStartTimestamp", (double)d->created_ms / 1000.0))) {
    json_decref(j);
    j = NULL;
  }
  json_decref(config);
  *out = j;
  return j ? AEV_OK : aev__nomem();
}

int aev__delivery_list_json(aev_broker *b, int limit, const char *type,
                            const char *exclusive_start, json_t **out) {
  aev__resource **all;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_DELIVERY, NULL, &all, &n);
  if (rc != AEV_OK) return rc;
  json_t *names = json_array();
  size_t taken = 0, i = 0;
  int more = 0;
  for (; i < n; i++) {
    aev_delivery *d = (aev_delivery *)all[i];
    if (exclusive_start && strcmp(d->res.name, exclusive_start) <= 0) continue;
    if (type && strcmp(type, d->from_stream ? "KinesisStreamAsSource" : "DirectPut"))
      continue;
    if (taken == (size_t)limit) {
      more = 1;
      break;
    }
    json_array_append_new(names, json_string(d->res.name));
    taken++;
  }
  aev__registry_list_free(all, n);
  *out = json_pack("{s:o, s:b}", "DeliveryStreamNames", names,
                   "HasMoreDeliveryStreams", more);
  return AEV_OK;
}

int aev_delivery_describe(aev_delivery *d, char **json) {
  json_t *j;
  int rc = aev__delivery_describe_json(d, &j);
  if (rc != AEV_OK) return rc;
  *json = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *json ? AEV_OK : aev__nomem();
}

int aev_delivery_metrics(aev_delivery *d, char **json) {
  int rc = aev__fh_check(d);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&d->mu);
  json_t *j = json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "IncomingRecords",
      (json_int_t)d->m_in, "DeliveredRecords", (json_int_t)d->m_records,
      "DeliveredObjects", (json_int_t)d->m_objects, "DroppedRecords",
      (json_int_t)d->m_dropped, "FailedRecords", (json_int_t)d->m_failed,
      "DeliveryAttempts", (json_int_t)d->m_attempts, "BufferedRecords",
      (json_int_t)(d->n + aev__fh_parts_buffered(d)));
  pthread_mutex_unlock(&d->mu);
  *json = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *json ? AEV_OK : aev__nomem();
}
