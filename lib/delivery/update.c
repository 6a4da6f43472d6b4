/* UpdateDestination: a new configuration for the delivery stream's one
 * destination, on the VersionId the caller last described (a stale one is
 * a ConcurrentModificationException; each update adds one). An update of
 * the destination's own type is merged into its configuration: members
 * given replace the current ones (an object such as BufferingHints as a
 * whole), members left out keep their values. An update of another type
 * replaces the destination, and must be complete (AWS API reference,
 * UpdateDestination). Checked as CreateDeliveryStream checks (destination.c);
 * a refused update changes nothing.
 *
 * AWS documents only that updates are "usually effective within a few
 * minutes"; here they apply at once: the next record buffered is measured
 * against the new SizeInMBs, the next buffer started waits the new
 * IntervalInSeconds (the one running keeps its deadline), and each later
 * delivery attempt, of a batch sealed before or after, reads the new
 * destination, prefixes, processing and retry settings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "delivery/delivery.h"

/* The update members this library takes, each with the configuration
 * member of its destination (aev__fh_dest_members, in the same order):
 * S3DestinationUpdate and ExtendedS3DestinationUpdate both update an S3
 * destination, as in AWS. */
static const char *const update_members[4] = {
    "ExtendedS3DestinationUpdate", "S3DestinationUpdate",
    "SqsDestinationUpdate", "SnsDestinationUpdate"};

static int is_s3(size_t kind) { return kind < 2; }

/* The one update member of req into *kind; any other ...DestinationUpdate
 * names a destination this library does not deliver to. */
static int update_kind(json_t *req, size_t *kind) {
  const char *key;
  json_t *v;
  int given = 0;
  json_object_foreach(req, key, v) {
    size_t n = strlen(key), k = 0;
    if (n < 17 || strcmp(key + n - 17, "DestinationUpdate")) continue;
    while (k < 4 && strcmp(key, update_members[k])) k++;
    if (k == 4)
      return aev__fh_invalid("%s is not supported: this library updates "
                             "ExtendedS3DestinationUpdate, "
                             "S3DestinationUpdate, SqsDestinationUpdate or "
                             "SnsDestinationUpdate destinations.",
                             key);
    if (!json_is_object(v)) {
      char path[32]; /* AWS's member path: extendedS3DestinationUpdate */
      snprintf(path, sizeof path, "%c%s", tolower((unsigned char)key[0]), key + 1);
      return aev__fh_validation(NULL, path, "Member must be a structure");
    }
    *kind = k;
    given++;
  }
  if (given == 1) return AEV_OK;
  return aev__fh_invalid(given ? "Exactly one destination update must be "
                                 "given."
                               : "A destination update is required: "
                                 "ExtendedS3DestinationUpdate, "
                                 "S3DestinationUpdate, SqsDestinationUpdate "
                                 "or SnsDestinationUpdate.");
}

/* Applies a copy of the update to config (a copy of the current
 * configuration), so that the configuration shares no JSON value with the
 * caller's request; -1 when out of memory. */
static int apply_update(json_t *config, size_t kind, json_t *update) {
  json_t *copy = json_deep_copy(update);
  if (!copy) return -1;
  for (size_t k = 0; k < 4; k++) {
    json_t *current = json_object_get(config, aev__fh_dest_members[k]);
    if (!current) continue;
    if (k == kind || (is_s3(k) && is_s3(kind))) { /* the same type: merged */
      int rc = json_object_update(current, copy);
      json_decref(copy);
      return rc;
    }
    json_object_del(config, aev__fh_dest_members[k]); /* another: replaced */
  }
  return json_object_set_new(config, aev__fh_dest_members[kind], copy);
}

/* Whether config's S3 destination has dynamic partitioning enabled (*on);
 * ValidationException for an Enabled that is not a boolean. */
static int partitioning_of(json_t *config, int *on) {
  *on = 0;
  for (size_t k = 0; k < 2; k++) {
    json_t *dp = json_object_get(json_object_get(config, aev__fh_dest_members[k]),
                                 "DynamicPartitioningConfiguration");
    int enabled;
    int rc = aev__fh_bool_member(dp, "Enabled", "dynamicPartitioningConfiguration.enabled",
                                 &enabled);
    if (rc != AEV_OK) return rc;
    *on |= enabled;
  }
  return AEV_OK;
}

/* CurrentDeliveryStreamVersionId is 1 to 50 digits, DestinationId 1 to 100
 * of [a-zA-Z0-9-] (AWS API reference, UpdateDestination). */
static int check_ids(const char *version, const char *dest_id) {
  size_t n = strlen(version);
  if (n < 1 || n > 50 || strspn(version, "0123456789") != n)
    return aev__fh_validation(version, "currentDeliveryStreamVersionId",
                              "Member must satisfy regular expression "
                              "pattern: [0-9]+ and have length between 1 "
                              "and 50");
  n = strlen(dest_id);
  if (n < 1 || n > 100 ||
      strspn(dest_id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-") != n)
    return aev__fh_validation(dest_id, "destinationId",
                              "Member must satisfy regular expression "
                              "pattern: [a-zA-Z0-9-]+ and have length "
                              "between 1 and 100");
  return AEV_OK;
}

int aev__delivery_update_json(aev_delivery *d, const char *version,
                              const char *dest_id, json_t *req) {
  int rc = check_ids(version, dest_id);
  if (rc == AEV_OK) rc = aev__fh_check(d);
  size_t kind = 0;
  if (rc == AEV_OK) rc = update_kind(req, &kind);
  if (rc != AEV_OK) return rc;
  if (d->sink)
    return aev__fh_invalid("Firehose %s delivers to the application's "
                           "callback: its destination cannot be updated.",
                           d->res.name);
  if (strcmp(dest_id, AEV__FH_DESTINATION_ID))
    return aev__fh_invalid("Destination %s is not a destination of Firehose "
                           "%s: its destination is %s.",
                           dest_id, d->res.name, AEV__FH_DESTINATION_ID);
  pthread_mutex_lock(&d->mu);
  json_t *next = json_deep_copy(d->config); /* no tree shared between threads */
  pthread_mutex_unlock(&d->mu);
  if (!next || apply_update(next, kind, json_object_get(req, update_members[kind]))) {
    json_decref(next);
    return aev__nomem();
  }
  int was = d->partitioned, now;
  aev__fh_settings set = {0};
  /* Firehose's guide: "You can enable dynamic partitioning only when you
   * create a new Firehose stream", and "Once you enable dynamic
   * partitioning on a Firehose stream, it cannot be disabled". */
  rc = partitioning_of(next, &now);
  if (rc == AEV_OK && now != was)
    rc = aev__fh_invalid(was ? "Dynamic partitioning cannot be disabled on Firehose %s: once "
                               "enabled, it stays enabled."
                             : "Dynamic partitioning cannot be enabled on Firehose %s: it can "
                               "only be enabled when the Firehose stream is created.",
                         d->res.name);
  else if (rc == AEV_OK)
    rc = aev__fh_settings_read(&set, next, 0, "Update");
  if (rc != AEV_OK) {
    aev__fh_settings_free(&set);
    json_decref(next);
    return rc;
  }
  /* The version is checked where the update is applied, so of two updates
   * on the same version one wins and the other is refused. */
  pthread_mutex_lock(&d->mu);
  char current[16];
  snprintf(current, sizeof current, "%d", d->version);
  int stale = strcmp(current, version) != 0, gone = d->res.deleted;
  /* An update that changes nothing keeps the version (the Floci project's
   * captures of AWS: empty and identical updates leave VersionId as is). */
  if (!stale && !gone && !json_equal(next, d->config)) {
    aev__fh_settings old = d->set;
    d->set = set;
    set = old;
    json_t *config = d->config;
    d->config = next;
    next = config;
    d->version++;
  }
  pthread_mutex_unlock(&d->mu);
  aev__fh_settings_free(&set);
  json_decref(next);
  if (gone) return aev__fh_not_found(d->res.broker, d->res.name);
  if (stale)
    return aev__fail(AEV_ERR_STATE, "ConcurrentModificationException",
                     "Firehose %s is at version %s, not %s: another "
                     "modification has already happened. Fetch VersionId "
                     "again and use it to update the destination.",
                     d->res.name, current, version);
  return AEV_OK;
}
