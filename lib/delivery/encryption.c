/* Server-side encryption settings of a delivery stream:
 * StartDeliveryStreamEncryption (an AWS-owned key or a customer-managed
 * KeyARN; DirectPut streams only), StopDeliveryStreamEncryption, at most
 * 25 of them together in a rolling 24 hours, and
 * CreateDeliveryStream's DeliveryStreamEncryptionConfigurationInput.
 * Status goes ENABLING then ENABLED (DISABLING then DISABLED) when the
 * broker runs the change; puts answer Encrypted true while ENABLED.
 * Nothing is encrypted in-process and no KMS key is checked or used. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "core/window.h"
#include "delivery/delivery.h"

static const char *const status_names[] = {"DISABLED", "ENABLING", "ENABLED",
                                           "DISABLING"};

/* KeyType and KeyARN, as AWS pairs them. */
static int check_key(const char *type, const char *arn, int *customer) {
  if (!type)
    return aev__fh_validation(NULL,
                              "deliveryStreamEncryptionConfigurationInput."
                              "keyType",
                              "Member must not be null");
  *customer = !strcmp(type, "CUSTOMER_MANAGED_CMK");
  if (!*customer && strcmp(type, "AWS_OWNED_CMK"))
    return aev__fh_validation(type,
                              "deliveryStreamEncryptionConfigurationInput."
                              "keyType",
                              "Member must satisfy enum value set: "
                              "[AWS_OWNED_CMK, CUSTOMER_MANAGED_CMK]");
  if (*customer && !arn)
    return aev__fh_invalid("KeyARN is required when KeyType is "
                           "CUSTOMER_MANAGED_CMK.");
  if (!*customer && arn)
    return aev__fh_invalid("KeyARN must not be given when KeyType is "
                           "AWS_OWNED_CMK.");
  if (arn && (strncmp(arn, "arn:", 4) || !strstr(arn, ":kms:") ||
              strlen(arn) > 512))
    return aev__fh_validation(arn,
                              "deliveryStreamEncryptionConfigurationInput."
                              "keyARN",
                              "Member must satisfy regular expression "
                              "pattern: arn:.*:kms:[a-zA-Z0-9\\-]+:\\d{12}:"
                              "(key|alias)/[a-zA-Z_0-9+=,.@\\-_/]+");
  return AEV_OK;
}

static int not_direct_put(const aev_delivery *d) {
  return aev__fh_invalid("Firehose %s under account %s has a Kinesis data "
                         "stream as its source: server-side encryption can "
                         "only be enabled for DirectPut sources.",
                         d->res.name, aev_broker_account(d->res.broker));
}

int aev__fh_encryption_init(aev_delivery *d, json_t *input) {
  if (!input) return AEV_OK;
  if (!json_is_object(input))
    return aev__fh_validation(NULL, "deliveryStreamEncryptionConfigurationInput",
                              "Member must be a structure");
  const char *type = json_string_value(json_object_get(input, "KeyType"));
  const char *arn = json_string_value(json_object_get(input, "KeyARN"));
  int customer;
  int rc = check_key(type, arn, &customer);
  if (rc == AEV_OK && d->from_stream) rc = not_direct_put(d);
  if (rc == AEV_OK && arn && !(d->sse_key = strdup(arn))) rc = aev__nomem();
  if (rc != AEV_OK) return rc;
  d->sse_customer = customer;
  d->sse = AEV__SSE_ENABLED;
  return AEV_OK;
}

static void settle_task(void *arg, int cancelled) {
  aev_delivery *d = arg;
  if (!cancelled) {
    pthread_mutex_lock(&d->mu);
    if (d->sse == AEV__SSE_ENABLING) d->sse = AEV__SSE_ENABLED;
    if (d->sse == AEV__SSE_DISABLING) d->sse = AEV__SSE_DISABLED;
    pthread_mutex_unlock(&d->mu);
  }
  aev__resource_unref(&d->res);
}

/* Moves to ENABLING (key taken over) or, with enable 0, DISABLING, after
 * AWS's checks; the broker finishes the change. */
static int change(aev_delivery *d, int enable, int customer, char *key) {
  int rc = aev__fh_check(d);
  if (rc != AEV_OK) {
    free(key);
    return rc;
  }
  pthread_mutex_lock(&d->mu);
  int64_t now = aev__fh_now_ms(d);
  if (enable && d->from_stream) {
    rc = not_direct_put(d);
  } else if (d->sse == AEV__SSE_ENABLING || d->sse == AEV__SSE_DISABLING) {
    rc = aev__fail(AEV_ERR_STATE, "ResourceInUseException",
                   "Firehose %s under account %s is not in a state that "
                   "allows this operation: encryption is %s.",
                   d->res.name, aev_broker_account(d->res.broker),
                   status_names[d->sse]);
  } else if (aev__day_count(d->sse_calls, AEV__FH_SSE_CALLS_PER_DAY, now) >=
             AEV__FH_SSE_CALLS_PER_DAY) {
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Firehose %s under account %s has already been called "
                   "StartDeliveryStreamEncryption and "
                   "StopDeliveryStreamEncryption %d times in the last 24 "
                   "hours.",
                   d->res.name, aev_broker_account(d->res.broker),
                   AEV__FH_SSE_CALLS_PER_DAY);
  } else {
    aev__resource_ref(&d->res);
    rc = aev__sched_post(aev__broker_sched(d->res.broker), NULL, settle_task, d);
    if (rc != AEV_OK) aev__resource_unref(&d->res);
  }
  if (rc == AEV_OK) {
    aev__day_note(d->sse_calls, AEV__FH_SSE_CALLS_PER_DAY, now);
    d->sse = enable ? AEV__SSE_ENABLING : AEV__SSE_DISABLING;
    if (enable) {
      char *old = d->sse_key;
      d->sse_key = key;
      d->sse_customer = customer;
      key = old;
    }
  }
  pthread_mutex_unlock(&d->mu);
  free(key);
  return rc;
}

int aev_delivery_start_encryption(aev_delivery *d, const char *key_type,
                                  const char *key_arn) {
  int customer;
  int rc = check_key(key_type ? key_type : "AWS_OWNED_CMK", key_arn, &customer);
  if (rc != AEV_OK) return rc;
  char *key = key_arn ? strdup(key_arn) : NULL;
  if (key_arn && !key) return aev__nomem();
  return change(d, 1, customer, key);
}

int aev_delivery_stop_encryption(aev_delivery *d) {
  return change(d, 0, 0, NULL);
}

json_t *aev__fh_encryption_json(const aev_delivery *d) {
  json_t *j = json_pack("{s:s}", "Status", status_names[d->sse]);
  int whole = j != NULL;
  if (d->sse != AEV__SSE_DISABLED)
    whole &= !json_object_set_new(
        j, "KeyType",
        json_string(d->sse_customer ? "CUSTOMER_MANAGED_CMK" : "AWS_OWNED_CMK"));
  if (d->sse != AEV__SSE_DISABLED && d->sse_key)
    whole &= !json_object_set_new(j, "KeyARN", json_string(d->sse_key));
  if (!whole) json_decref(j);
  return whole ? j : NULL;
}

int aev__fh_encrypted(aev_delivery *d) {
  pthread_mutex_lock(&d->mu);
  int on = d->sse == AEV__SSE_ENABLED;
  pthread_mutex_unlock(&d->mu);
  return on;
}
