/* The "kinesis" service's control-plane settings: UpdateMaxRecordSize,
 * TagResource / UntagResource / ListTagsForResource and
 * Put / Get / DeleteResourcePolicy (streams and consumers by ARN), Start/StopStreamEncryption,
 * Enable/DisableEnhancedMonitoring, DescribeLimits, UpdateStreamMode,
 * UpdateStreamWarmThroughput and Describe / UpdateAccountSettings. */
#include <string.h>

#include "core/status.h"
#include "stream/account.h"
#include "stream/api_kinesis.h"
#include "stream/warm.h"

/* The stream of an action that names it by StreamARN alone. */
static int stream_by_arn(aev_broker *b, const aev__api_service *svc,
                         json_t *req, aev_stream **out) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "StreamARN", &arn);
  return rc != AEV_OK ? rc : aev__stream_find(b, arn, out);
}

AEV__KIN_ACTION(update_max_record_size) {
  int64_t kib;
  int rc = aev__api_req_int(svc, req, "MaxRecordSizeInKiB",
                            AEV__MIN_RECORD_KIB, AEV__MAX_RECORD_KIB, &kib);
  aev_stream *s;
  if (rc == AEV_OK) rc = stream_by_arn(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = aev_stream_set_max_record_size(s, (size_t)kib * 1024);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

/* TagResource's and the resource policies' ResourceARN: a stream's ARN, or a consumer's
 * ("<stream ARN>/consumer/<name>:<timestamp>"), whose ARN *consumer_arn
 * then is (borrowed from req). */
static int resource_of(aev_broker *b, const aev__api_service *svc,
                       json_t *req, aev_stream **s,
                       const char **consumer_arn) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "ResourceARN", &arn);
  if (rc != AEV_OK) return rc;
  if (strncmp(arn, "arn:aws", 7) || !strstr(arn, ":kinesis:") ||
      !strstr(arn, ":stream/"))
    return aev__kin_validation(arn, "resourceARN",
                               "Member must satisfy regular expression "
                               "pattern: arn:aws.*:kinesis:.*:\\d{12}:.*"
                               "stream/\\S+");
  *consumer_arn = strstr(arn, "/consumer/") ? arn : NULL;
  return *consumer_arn ? aev__kin_consumer_stream(b, arn, s)
                       : aev__stream_find(b, arn, s);
}

AEV__KIN_ACTION(tag_resource) {
  json_t *tags;
  aev_stream *s;
  const char *carn;
  int rc = aev__api_req_object(svc, req, "Tags", &tags);
  if (rc == AEV_OK) rc = resource_of(b, svc, req, &s, &carn);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_tag_json(s, carn, tags);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__KIN_ACTION(untag_resource) {
  json_t *keys;
  aev_stream *s;
  const char *carn;
  int rc = aev__api_req_array(svc, req, "TagKeys", &keys);
  if (rc == AEV_OK) rc = resource_of(b, svc, req, &s, &carn);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_untag_json(s, carn, keys);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__KIN_ACTION(list_tags_for_resource) {
  aev_stream *s;
  const char *carn;
  int rc = resource_of(b, svc, req, &s, &carn);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_tags_json(s, carn, resp);
  aev_stream_release(s);
  return rc;
}

AEV__KIN_ACTION(put_resource_policy) {
  const char *policy;
  aev_stream *s;
  const char *carn;
  int rc = aev__api_req_string(svc, req, "Policy", &policy);
  if (rc == AEV_OK) rc = resource_of(b, svc, req, &s, &carn);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_put_policy(s, carn, policy);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__KIN_ACTION(get_resource_policy) {
  aev_stream *s;
  const char *carn;
  int rc = resource_of(b, svc, req, &s, &carn);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_policy_json(s, carn, resp);
  aev_stream_release(s);
  return rc;
}

AEV__KIN_ACTION(delete_resource_policy) {
  aev_stream *s;
  const char *carn;
  int rc = resource_of(b, svc, req, &s, &carn);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_delete_policy(s, carn);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int encryption(aev_broker *b, const aev__api_service *svc,
                      json_t *req, json_t **resp, int start) {
  const char *type, *key;
  int rc = aev__api_req_string(svc, req, "EncryptionType", &type);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "KeyId", &key);
  aev_stream *s;
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = start ? aev_stream_start_encryption(s, type, key)
             : aev_stream_stop_encryption(s, type, key);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__KIN_ACTION(start_encryption) { return encryption(b, svc, req, resp, 1); }

AEV__KIN_ACTION(stop_encryption) { return encryption(b, svc, req, resp, 0); }

static int monitoring(aev_broker *b, const aev__api_service *svc,
                      json_t *req, json_t **resp, int enable) {
  json_t *metrics;
  int rc = aev__api_req_array(svc, req, "ShardLevelMetrics", &metrics);
  aev_stream *s;
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_monitoring_json(s, metrics, enable, resp);
  aev_stream_release(s);
  return rc;
}

AEV__KIN_ACTION(enable_monitoring) { return monitoring(b, svc, req, resp, 1); }

AEV__KIN_ACTION(disable_monitoring) {
  return monitoring(b, svc, req, resp, 0);
}

AEV__KIN_ACTION(describe_limits) { return aev__stream_limits_json(b, resp); }

/* WarmThroughputMiBps: NaturalIntegerObject, at least 0 (-1 when absent). */
static int warm_member(const aev__api_service *svc, json_t *req, int required, int64_t *mibps) {
  *mibps = -1;
  return (required ? aev__api_req_int : aev__api_opt_int)(svc, req, "WarmThroughputMiBps", 0,
                                                          INT32_MAX, mibps);
}

AEV__KIN_ACTION(update_stream_mode) {
  json_t *details;
  const char *mode;
  int64_t warm;
  int rc = aev__api_req_object(svc, req, "StreamModeDetails", &details);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, details, "StreamMode", &mode);
  int on_demand;
  if (rc == AEV_OK) rc = aev__kin_stream_mode(mode, &on_demand);
  if (rc == AEV_OK) rc = warm_member(svc, req, 0, &warm);
  if (rc != AEV_OK) return rc;
  aev_stream *s;
  rc = stream_by_arn(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_update_mode(s, on_demand, (int)warm);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

/* Answers the stream's name, ARN and WarmThroughput as they are when the
 * request is taken: the target asked, the capacity not yet scaled. */
AEV__KIN_ACTION(update_stream_warm_throughput) {
  int64_t warm;
  int rc = warm_member(svc, req, 1, &warm);
  aev_stream *s;
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = aev_stream_update_warm_throughput(s, (int)warm);
  int64_t commitment = 0;
  if (rc == AEV_OK) rc = aev__kin_commitment(b, &commitment);
  if (rc == AEV_OK) {
    pthread_mutex_lock(&s->mu);
    *resp = json_pack("{s:s, s:s, s:o}", "StreamName", s->res.name, "StreamARN", s->res.arn,
                      "WarmThroughput", aev__warm_json(s, commitment));
    pthread_mutex_unlock(&s->mu);
    if (!*resp) rc = aev__nomem();
  }
  aev_stream_release(s);
  return rc;
}

AEV__KIN_ACTION(describe_account_settings) { return aev__kin_account_json(b, resp); }

AEV__KIN_ACTION(update_account_settings) {
  json_t *commitment;
  const char *status;
  int rc = aev__api_req_object(svc, req, "MinimumThroughputBillingCommitment", &commitment);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, commitment, "Status", &status);
  if (rc != AEV_OK) return rc;
  int enable = !strcmp(status, "ENABLED");
  if (!enable && strcmp(status, "DISABLED"))
    return aev__kin_validation(status, "minimumThroughputBillingCommitment.status",
                               "Member must satisfy enum value set: [ENABLED, DISABLED]");
  return aev__kin_account_update(b, enable, resp);
}
