/* Server-side encryption settings: StartStreamEncryption (a KMS key, at
 * most 25 new keys in a rolling 24 hours) and StopStreamEncryption. The
 * stream is UPDATING until the broker runs the change; records written
 * once it has run answer EncryptionType KMS, until a stop has run in turn
 * (stream_impl.h: encrypting). Nothing is encrypted
 * in-process and the key is not checked against any KMS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "stream/stream.h"

static int key_check(const char *key_id) {
  size_t n = key_id ? strlen(key_id) : 0;
  if (!key_id)
    return aev__kin_validation(NULL, "keyId", "Member must not be null");
  if (n < 1 || n > 2048)
    return aev__kin_validation(key_id, "keyId",
                               n < 1 ? "Member must have length greater "
                                       "than or equal to 1"
                                     : "Member must have length less than "
                                       "or equal to 2048");
  return AEV_OK;
}

/* Sets the key (NULL: none) once the stream is ACTIVE and the change is
 * queued; key is taken over either way. */
static int set_key(aev_stream *s, char *key) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) {
    free(key);
    return rc;
  }
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  if (s->status != AEV__STATUS_ACTIVE)
    rc = aev__kin_in_use(s);
  else if (key && aev__day_count(s->key_changes, AEV__KEY_CHANGES_PER_DAY,
                                 now) >= AEV__KEY_CHANGES_PER_DAY)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Stream %s under account %s has already applied %d new "
                   "encryption keys in the last 24 hours.",
                   s->res.name, aev_broker_account(s->res.broker),
                   AEV__KEY_CHANGES_PER_DAY);
  else
    rc = aev__stream_updating(s);
  if (rc == AEV_OK) {
    char *old = s->kms_key;
    s->kms_key = key;
    key = old;
    if (s->kms_key)
      aev__day_note(s->key_changes, AEV__KEY_CHANGES_PER_DAY, now);
  }
  pthread_mutex_unlock(&s->mu);
  free(key);
  return rc;
}

static int type_check(const char *type) {
  if (type && !strcmp(type, "KMS")) return AEV_OK;
  if (type && !strcmp(type, "NONE"))
    return aev__kin_invalid("Encryption type NONE is not supported: the "
                            "only valid value is KMS.");
  return aev__kin_validation(type, "encryptionType",
                             type ? "Member must satisfy enum value set: "
                                    "[KMS, NONE]"
                                  : "Member must not be null");
}

int aev_stream_start_encryption(aev_stream *s, const char *encryption_type,
                                const char *key_id) {
  int rc = type_check(encryption_type);
  if (rc == AEV_OK) rc = key_check(key_id);
  if (rc != AEV_OK) return rc;
  char *key = strdup(key_id);
  return key ? set_key(s, key) : aev__nomem();
}

int aev_stream_stop_encryption(aev_stream *s, const char *encryption_type,
                               const char *key_id) {
  int rc = type_check(encryption_type);
  if (rc == AEV_OK) rc = key_check(key_id);
  return rc != AEV_OK ? rc : set_key(s, NULL);
}

const char *aev__stream_encryption_type(aev_stream *s) {
  pthread_mutex_lock(&s->mu);
  const char *type = s->encrypting ? "KMS" : "NONE";
  pthread_mutex_unlock(&s->mu);
  return type;
}
