/* A bus's own attributes, as CreateEventBus and UpdateEventBus set them and
 * DescribeEventBus and ListEventBuses answer them: Description,
 * KmsKeyIdentifier, DeadLetterConfig, LogConfig, CreationTime,
 * LastModifiedTime, and the Policy that PutPermission makes. */
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/status.h"

/* AWS's model: KmsKeyIdentifier is 0-2048 of [a-zA-Z0-9_\-/:]; a
 * DeadLetterConfig Arn 1-1600 characters. */
#define MAX_KMS_KEY 2048
#define MAX_DLQ_ARN 1600

static int check_kms_key(const char *v) {
  int rc = aev__bus_check_length("kmsKeyIdentifier", v, MAX_KMS_KEY);
  if (rc || !v) return rc;
  const char *chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/:";
  if (strspn(v, chars) == strlen(v)) return AEV_OK;
  return aev__fail_validation(v, "kmsKeyIdentifier",
                              "Member must satisfy regular expression pattern: "
                              "[a-zA-Z0-9_\\-/:]*");
}

static int check_dlq(const char *arn) {
  int rc = aev__bus_check_length("deadLetterConfig.arn", arn, MAX_DLQ_ARN);
  if (rc || !arn || !*arn || aev__dlq_arn_ok(arn)) return rc;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "DeadLetterConfig: %s is not a standard SQS queue ARN; only "
                   "standard queues are supported.",
                   arn);
}

/* AWS's ValidationException unless v (NULL and "": none) is one of the
 * enum's values, listed as AWS lists them. */
static int check_enum(const char *member, const char *v, const char *const *values) {
  if (!v || !*v) return AEV_OK;
  char set[96] = "";
  for (size_t i = 0; values[i]; i++) {
    if (!strcmp(v, values[i])) return AEV_OK;
    strcat(set, i ? ", " : "Member must satisfy enum value set: [");
    strcat(set, values[i]);
  }
  strcat(set, "]");
  return aev__fail_validation(v, member, set);
}

int aev__bus_attrs_check(const aev__bus_attrs *a) {
  static const char *const levels[] = {"OFF", "ERROR", "INFO", "TRACE", NULL};
  static const char *const details[] = {"NONE", "FULL", NULL};
  int rc = aev__bus_check_length("description", a->description, AEV__MAX_DESCRIPTION);
  if (!rc) rc = check_kms_key(a->kms_key);
  if (!rc) rc = check_dlq(a->dlq_arn);
  if (!rc) rc = check_enum("logConfig.includeDetail", a->log_detail, details);
  if (!rc) rc = check_enum("logConfig.level", a->log_level, levels);
  return rc;
}

/* A malloc'd copy of v in *out, NULL for none (v NULL or ""). */
static int copy_or_none(const char *v, char **out) {
  *out = v && *v ? strdup(v) : NULL;
  return *out || !v || !*v ? AEV_OK : aev__nomem();
}

int aev__bus_attrs_copy(const aev__bus_attrs *a, aev__bus_attrs *out) {
  memset(out, 0, sizeof *out);
  int rc = copy_or_none(a->description, &out->description);
  if (!rc) rc = copy_or_none(a->kms_key, &out->kms_key);
  if (!rc) rc = copy_or_none(a->dlq_arn, &out->dlq_arn);
  if (!rc) rc = copy_or_none(a->log_level, &out->log_level);
  if (!rc) rc = copy_or_none(a->log_detail, &out->log_detail);
  if (rc) aev__bus_attrs_free(out);
  return rc;
}

void aev__bus_attrs_free(aev__bus_attrs *a) {
  free(a->description);
  free(a->kms_key);
  free(a->dlq_arn);
  free(a->log_level);
  free(a->log_detail);
}

/* Swaps *field with *copy when the request set the member (given non-NULL),
 * leaving the old value in *copy to be freed. */
static void swap_if_given(const char *given, char **field, char **copy) {
  if (!given) return;
  char *old = *field;
  *field = *copy;
  *copy = old;
}

int aev__bus_update(aev_bus *bus, const aev__bus_attrs *given) {
  aev__bus_attrs copy;
  int rc = aev__bus_attrs_check(given);
  if (rc || (rc = aev__bus_attrs_copy(given, &copy))) return rc;
  pthread_rwlock_wrlock(&bus->lock);
  if (bus->res.deleted) {
    rc = aev__bus_gone(bus);
  } else {
    swap_if_given(given->description, &bus->attrs.description, &copy.description);
    swap_if_given(given->kms_key, &bus->attrs.kms_key, &copy.kms_key);
    swap_if_given(given->dlq_arn, &bus->attrs.dlq_arn, &copy.dlq_arn);
    swap_if_given(given->log_level, &bus->attrs.log_level, &copy.log_level);
    swap_if_given(given->log_detail, &bus->attrs.log_detail, &copy.log_detail);
    bus->modified_s = aev_broker_now_ms(bus->res.broker) / 1000;
  }
  pthread_rwlock_unlock(&bus->lock);
  aev__bus_attrs_free(&copy);
  return rc;
}

int aev_bus_update(aev_bus *bus, const char *description,
                   const char *kms_key_identifier, const char *dead_letter_arn,
                   char **json_out) {
  if (!bus)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "bus is NULL.");
  aev__bus_attrs given = {(char *)description, (char *)kms_key_identifier,
                          (char *)dead_letter_arn, NULL, NULL};
  int rc = aev__bus_update(bus, &given);
  if (rc || !json_out) return rc;
  return aev__bus_dump(aev__bus_json(bus, AEV__BUS_UPDATED), json_out);
}

int aev_bus_describe(aev_bus *bus, char **json_out) {
  if (!bus || !json_out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "bus and json_out are required.");
  if (bus->res.deleted) return aev__bus_gone(bus);
  return aev__bus_dump(aev__bus_json(bus, AEV__BUS_DESCRIBED), json_out);
}

/* Sets o[key] to v when v is set; 0 when out of memory. */
static int set_if(json_t *o, const char *key, const char *v) {
  return !v || !json_object_set_new(o, key, json_string(v));
}

static int set_dlq(json_t *o, const char *arn) {
  return !arn || !json_object_set_new(o, "DeadLetterConfig", json_pack("{s:s}", "Arn", arn));
}

/* LogConfig with the members set, when either is. */
static int set_log(json_t *o, const char *level, const char *detail) {
  if (!level && !detail) return 1;
  json_t *log = json_object();
  int whole = log && set_if(log, "IncludeDetail", detail) && set_if(log, "Level", level);
  return aev__json_whole(log, whole) && !json_object_set_new(o, "LogConfig", log);
}

/* AWS answers the policy document as JSON text. */
static int set_policy(json_t *o, const json_t *policy) {
  if (!policy) return 1;
  char *text = aev__json_dumps(policy, 0);
  int ok = text && !json_object_set_new(o, "Policy", json_string(text));
  free(text);
  return ok;
}

/* What each answer holds, as AWS's shapes have it. */
json_t *aev__bus_json(aev_bus *bus, int shape) {
  json_t *o = shape == AEV__BUS_CREATED
                  ? json_pack("{s:s}", "EventBusArn", bus->res.arn)
                  : json_pack("{s:s,s:s}", "Name", bus->res.name, "Arn", bus->res.arn);
  int whole = o != NULL;
  pthread_rwlock_rdlock(&bus->lock);
  whole = whole && set_if(o, "Description", bus->attrs.description);
  if (shape != AEV__BUS_LISTED) {
    whole = whole && set_if(o, "KmsKeyIdentifier", bus->attrs.kms_key);
    whole = whole && set_dlq(o, bus->attrs.dlq_arn);
    whole = whole && set_log(o, bus->attrs.log_level, bus->attrs.log_detail);
  }
  if (shape == AEV__BUS_DESCRIBED || shape == AEV__BUS_LISTED) {
    whole = whole && set_policy(o, bus->policy);
    whole = whole && !json_object_set_new(o, "CreationTime", json_integer(bus->created_s));
    whole = whole && !json_object_set_new(o, "LastModifiedTime", json_integer(bus->modified_s));
  }
  pthread_rwlock_unlock(&bus->lock);
  return aev__json_whole(o, whole);
}
