/* The "kinesis" service of aev_call(): stream administration actions and
 * the action table (records and SubscribeToShard, whose event stream comes
 * back as a list of the events available at the call, in
 * api_kinesis_records.c). */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "stream/api_kinesis.h"
#include "stream/warm.h"

int aev__kin_stream_of(aev_broker *b, const aev__api_service *svc,
                       json_t *req, aev_stream **out) {
  const char *name = NULL, *arn = NULL;
  int rc = aev__api_opt_string(svc, req, "StreamName", &name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "StreamARN", &arn);
  if (rc == AEV_OK && arn)
    rc = aev__kin_check_string("streamARN", arn, aev__kin_stream_arn_ok,
                               "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", 1, 2048);
  if (rc != AEV_OK) return rc;
  if (!name && !arn)
    return aev__kin_invalid("Either StreamName or StreamARN should be "
                            "provided.");
  /* A name that no stream could have is refused before any lookup. */
  if (name && (rc = aev__stream_name_check("streamName", name))) return rc;
  return aev__stream_find(b, arn ? arn : name, out);
}

/* Runs fn on the stream the request names, answering {} on success. */
static int on_stream(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp, int (*fn)(aev_stream *, json_t *)) {
  aev_stream *s;
  int rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = fn(s, req);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

int aev__kin_stream_mode(const char *mode, int *on_demand) {
  *on_demand = !strcmp(mode, "ON_DEMAND");
  if (*on_demand || !strcmp(mode, "PROVISIONED")) return AEV_OK;
  return aev__kin_validation(mode, "streamModeDetails.streamMode",
                             "Member must satisfy enum value set: "
                             "[PROVISIONED, ON_DEMAND]");
}

/* CreateStream's WarmThroughputMiBps, checked before the stream exists:
 * ON_DEMAND streams only, as UpdateStreamMode takes it only for a switch
 * to ON_DEMAND. */
static int create_warm_check(aev_broker *b, const char *name, int on_demand, int64_t warm) {
  int64_t commitment;
  if (!on_demand)
    return aev__kin_invalid("WarmThroughputMiBps is not supported for streams in PROVISIONED "
                            "mode.");
  return aev__warm_allowed(b, name, (int)warm, &commitment);
}

/* What CreateStream sets beyond the shards: Tags, MaxRecordSizeInKiB and
 * the warm throughput (the stream is UPDATING until the broker has warmed
 * it, as AWS's is CREATING). */
static int create_settings(aev_stream *s, json_t *req, int64_t kib, int64_t warm) {
  json_t *tags = json_object_get(req, "Tags");
  int rc = tags ? aev__stream_tag_json(s, NULL, tags) : AEV_OK;
  if (rc == AEV_OK && kib >= 0) rc = aev_stream_set_max_record_size(s, (size_t)kib * 1024);
  if (rc == AEV_OK && warm >= 0) rc = aev_stream_update_warm_throughput(s, (int)warm);
  return rc;
}

static AEV__KIN_ACTION(create_stream) {
  const char *name;
  int64_t count = -1, kib = -1, warm = -1;
  json_t *mode = NULL;
  int rc = aev__api_req_string(svc, req, "StreamName", &name);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "ShardCount", 1, 10000, &count);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "StreamModeDetails", &mode);
  if (rc == AEV_OK)
    rc = aev__api_opt_int(svc, req, "MaxRecordSizeInKiB", AEV__MIN_RECORD_KIB,
                          AEV__MAX_RECORD_KIB, &kib);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "WarmThroughputMiBps", 0, INT32_MAX, &warm);
  if (rc != AEV_OK) return rc;
  const char *m = json_string_value(json_object_get(mode, "StreamMode"));
  /* With neither a ShardCount nor a mode, AWS creates an on-demand
   * stream: it answers with the 4 shards on-demand starts with. */
  int on_demand = !m && count < 0;
  if (m && (rc = aev__kin_stream_mode(m, &on_demand))) return rc;
  if (!on_demand && count < 0)
    return aev__kin_invalid("ShardCount is required for streams in "
                            "PROVISIONED mode.");
  if (on_demand && count >= 0)
    return aev__kin_invalid("ShardCount is not supported for streams in "
                            "ON_DEMAND mode.");
  if (warm >= 0 && (rc = create_warm_check(b, name, on_demand, warm))) return rc;
  aev_stream *s;
  rc = aev__stream_create(b, name, on_demand ? AEV_STREAM_ON_DEMAND
                                             : (int)count, &s);
  if (rc != AEV_OK) return rc;
  /* A setting refused takes the new stream with it: nothing is stored. */
  rc = create_settings(s, req, kib, warm);
  if (rc != AEV_OK) aev_stream_delete(s, 1);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static int delete_fn(aev_stream *s, json_t *req) {
  return aev_stream_delete(
      s, json_is_true(json_object_get(req, "EnforceConsumerDeletion")));
}

static AEV__KIN_ACTION(delete_stream) {
  return on_stream(b, svc, req, resp, delete_fn);
}

/* DescribeStream returns at most 100 shards a call, whatever its Limit
 * (1 to 10000) asks for. */
#define DESCRIBE_MAX_SHARDS 100

static int describe(aev_broker *b, const aev__api_service *svc, json_t *req,
                    json_t **resp, int summary) {
  int64_t limit = DESCRIBE_MAX_SHARDS;
  const char *after = NULL;
  int rc = AEV_OK;
  if (!summary) {
    rc = aev__api_opt_int(svc, req, "Limit", 1, 10000, &limit);
    if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "ExclusiveStartShardId", &after);
    if (rc == AEV_OK && after) rc = aev__stream_name_check("exclusiveStartShardId", after);
    if (rc != AEV_OK) return rc;
  }
  aev_stream *s;
  rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  json_t *d;
  rc = aev__stream_describe_json(s, summary,
                                 (size_t)(limit < DESCRIBE_MAX_SHARDS ? limit : DESCRIBE_MAX_SHARDS),
                                 after, &d);
  aev_stream_release(s);
  if (rc == AEV_OK &&
      !(*resp = json_pack("{s:o}", summary ? "StreamDescriptionSummary" : "StreamDescription", d)))
    rc = aev__nomem();
  return rc;
}

static AEV__KIN_ACTION(describe_stream) { return describe(b, svc, req, resp, 0); }

static AEV__KIN_ACTION(describe_stream_summary) {
  return describe(b, svc, req, resp, 1);
}

static AEV__KIN_ACTION(list_streams) {
  int64_t limit = 0;
  const char *excl = NULL, *tok = NULL;
  int rc = aev__api_opt_int(svc, req, "Limit", 1, 10000, &limit);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "ExclusiveStartStreamName", &excl);
  if (rc == AEV_OK && excl) rc = aev__stream_name_check("exclusiveStartStreamName", excl);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "NextToken", &tok);
  if (rc == AEV_OK && tok) rc = aev__kin_check_string("nextToken", tok, NULL, NULL, 1, 1048576);
  return rc != AEV_OK ? rc : aev__stream_list_json(b, (int)limit, excl, tok, resp);
}

static AEV__KIN_ACTION(list_shards) {
  if (json_object_get(req, "NextToken") &&
      (json_object_get(req, "StreamName") || json_object_get(req, "StreamARN")))
    return aev__kin_invalid("NextToken and StreamName cannot be provided "
                            "together.");
  const char *excl = NULL;
  int rc = aev__api_opt_string(svc, req, "ExclusiveStartShardId", &excl);
  if (rc == AEV_OK && excl) rc = aev__stream_name_check("exclusiveStartShardId", excl);
  const char *tok = NULL;
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "NextToken", &tok);
  if (rc == AEV_OK && tok) rc = aev__kin_check_string("nextToken", tok, NULL, NULL, 1, 1048576);
  if (rc != AEV_OK) return rc;
  aev_stream *s;
  if (tok) {
    /* The token names its stream (describe.c). */
    char *name = NULL;
    unsigned char *raw = NULL;
    size_t n;
    if (aev__base64_decode(tok, strlen(tok), &raw, &n) != AEV_OK)
      return aev__kin_invalid("Invalid NextToken.");
    char *p = (char *)raw;
    for (int dots = 0; *p && dots < 3; p++) dots += *p == '.';
    name = p;
    rc = aev__stream_find(b, name, &s);
    free(raw);
  } else {
    rc = aev__kin_stream_of(b, svc, req, &s);
  }
  if (rc != AEV_OK) return rc;
  rc = aev__stream_list_shards_json(s, req, resp);
  aev_stream_release(s);
  return rc;
}

static int retention(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp, int increase) {
  int64_t hours;
  int rc = aev__api_req_int(svc, req, "RetentionPeriodHours", INT32_MIN,
                            INT32_MAX, &hours);
  aev_stream *s;
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = increase ? aev_stream_increase_retention(s, (int)hours)
                : aev_stream_decrease_retention(s, (int)hours);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static AEV__KIN_ACTION(increase_retention) {
  return retention(b, svc, req, resp, 1);
}

static AEV__KIN_ACTION(decrease_retention) {
  return retention(b, svc, req, resp, 0);
}

static int split_fn(aev_stream *s, json_t *req) {
  return aev_stream_split_shard(
      s, json_string_value(json_object_get(req, "ShardToSplit")),
      json_string_value(json_object_get(req, "NewStartingHashKey")));
}

static AEV__KIN_ACTION(split_shard) {
  const char *x;
  int rc = aev__api_req_string(svc, req, "ShardToSplit", &x);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "NewStartingHashKey", &x);
  return rc != AEV_OK ? rc : on_stream(b, svc, req, resp, split_fn);
}

static int merge_fn(aev_stream *s, json_t *req) {
  return aev_stream_merge_shards(
      s, json_string_value(json_object_get(req, "ShardToMerge")),
      json_string_value(json_object_get(req, "AdjacentShardToMerge")));
}

static AEV__KIN_ACTION(merge_shards) {
  const char *x;
  int rc = aev__api_req_string(svc, req, "ShardToMerge", &x);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "AdjacentShardToMerge", &x);
  return rc != AEV_OK ? rc : on_stream(b, svc, req, resp, merge_fn);
}

static AEV__KIN_ACTION(update_shard_count) {
  int64_t target;
  const char *type;
  int rc = aev__api_req_int(svc, req, "TargetShardCount", INT32_MIN,
                            INT32_MAX, &target);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "ScalingType", &type);
  if (rc != AEV_OK) return rc;
  if (strcmp(type, "UNIFORM_SCALING"))
    return aev__kin_validation(type, "scalingType",
                               "Member must satisfy enum value set: "
                               "[UNIFORM_SCALING]");
  aev_stream *s;
  rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  int current = 0;
  pthread_mutex_lock(&s->mu);
  current = (int)s->nopen;
  pthread_mutex_unlock(&s->mu);
  rc = aev_stream_update_shard_count(s, (int)target);
  if (rc == AEV_OK)
    *resp = json_pack("{s:s, s:s, s:i, s:I}", "StreamName", s->res.name,
                      "StreamARN", s->res.arn, "CurrentShardCount", current,
                      "TargetShardCount", (json_int_t)target);
  aev_stream_release(s);
  return rc;
}

static int tag_fn(aev_stream *s, json_t *req) {
  return aev__stream_tag_json(s, NULL, json_object_get(req, "Tags"));
}

static AEV__KIN_ACTION(add_tags) {
  json_t *t;
  int rc = aev__api_req_object(svc, req, "Tags", &t);
  return rc != AEV_OK ? rc : on_stream(b, svc, req, resp, tag_fn);
}

static int untag_fn(aev_stream *s, json_t *req) {
  return aev__stream_untag_json(s, NULL, json_object_get(req, "TagKeys"));
}

static AEV__KIN_ACTION(remove_tags) {
  json_t *t;
  int rc = aev__api_req_array(svc, req, "TagKeys", &t);
  return rc != AEV_OK ? rc : on_stream(b, svc, req, resp, untag_fn);
}

static AEV__KIN_ACTION(list_tags) {
  aev_stream *s;
  int64_t limit = 50;
  const char *exclusive = NULL;
  int rc = aev__api_opt_int(svc, req, "Limit", 1, 50, &limit);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "ExclusiveStartTagKey", &exclusive);
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_list_tags_json(s, exclusive, (int)limit, resp);
  aev_stream_release(s);
  return rc;
}

static AEV__KIN_ACTION(register_consumer) {
  const char *arn, *name;
  int rc = aev__api_req_string(svc, req, "StreamARN", &arn);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "ConsumerName", &name);
  aev_stream *s;
  if (rc == AEV_OK) rc = aev__stream_find(b, arn, &s);
  if (rc != AEV_OK) return rc;
  char *carn = NULL;
  rc = aev_stream_register_consumer(s, name, &carn);
  json_t *d = NULL;
  if (rc == AEV_OK) rc = aev__stream_consumer_json(s, name, NULL, &d);
  aev_stream_release(s);
  aev_free(carn);
  if (rc == AEV_OK) {
    json_object_del(d, "StreamARN");
    *resp = json_pack("{s:o}", "Consumer", d);
  }
  return rc;
}

int aev__kin_consumer_stream(aev_broker *b, const char *consumer_arn,
                             aev_stream **out) {
  const char *c = strstr(consumer_arn, "/consumer/");
  char *stream_arn = strndup(consumer_arn, (size_t)(c - consumer_arn));
  int rc = stream_arn ? aev__stream_find(b, stream_arn, out) : aev__nomem();
  free(stream_arn);
  return rc;
}

/* Deregister and Describe name a consumer by StreamARN + ConsumerName or
 * by ConsumerARN alone. */
static int consumer_of(aev_broker *b, const aev__api_service *svc,
                       json_t *req, aev_stream **s, const char **name,
                       const char **carn) {
  const char *arn = NULL;
  *name = *carn = NULL;
  int rc = aev__api_opt_string(svc, req, "StreamARN", &arn);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "ConsumerName", name);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "ConsumerARN", carn);
  if (rc != AEV_OK) return rc;
  if (*carn) {
    if (!strstr(*carn, "/consumer/"))
      return aev__kin_invalid("Invalid ConsumerARN %s.", *carn);
    return aev__kin_consumer_stream(b, *carn, s);
  }
  if (!arn || !*name)
    return aev__kin_invalid("Either ConsumerARN or both StreamARN and "
                            "ConsumerName should be provided.");
  rc = aev__stream_name_check("consumerName", *name);
  return rc ? rc : aev__stream_find(b, arn, s);
}

static AEV__KIN_ACTION(describe_consumer) {
  aev_stream *s;
  const char *name, *carn;
  int rc = consumer_of(b, svc, req, &s, &name, &carn);
  if (rc != AEV_OK) return rc;
  json_t *d;
  rc = aev__stream_consumer_json(s, name, carn, &d);
  aev_stream_release(s);
  if (rc == AEV_OK && !(*resp = json_pack("{s:o}", "ConsumerDescription", d)))
    rc = aev__nomem();
  return rc;
}

static AEV__KIN_ACTION(deregister_consumer) {
  aev_stream *s;
  const char *name, *carn;
  int rc = consumer_of(b, svc, req, &s, &name, &carn);
  if (rc != AEV_OK) return rc;
  json_t *d = NULL;
  rc = aev__stream_consumer_json(s, name, carn, &d);
  if (rc == AEV_OK)
    rc = aev_stream_deregister_consumer(
        s, json_string_value(json_object_get(d, "ConsumerName")));
  json_decref(d);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static AEV__KIN_ACTION(list_consumers) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "StreamARN", &arn);
  aev_stream *s;
  if (rc == AEV_OK) rc = aev__stream_find(b, arn, &s);
  if (rc != AEV_OK) return rc;
  rc = aev__stream_consumers_json(s, resp);
  aev_stream_release(s);
  return rc;
}

static const aev__api_action actions[] = {
    {"AddTagsToStream", aev__kin_add_tags},
    {"CreateStream", aev__kin_create_stream},
    {"DecreaseStreamRetentionPeriod", aev__kin_decrease_retention},
    {"DeleteResourcePolicy", aev__kin_delete_resource_policy},
    {"DeleteStream", aev__kin_delete_stream},
    {"DeregisterStreamConsumer", aev__kin_deregister_consumer},
    {"DescribeAccountSettings", aev__kin_describe_account_settings},
    {"DescribeLimits", aev__kin_describe_limits},
    {"DescribeStream", aev__kin_describe_stream},
    {"DescribeStreamConsumer", aev__kin_describe_consumer},
    {"DescribeStreamSummary", aev__kin_describe_stream_summary},
    {"DisableEnhancedMonitoring", aev__kin_disable_monitoring},
    {"EnableEnhancedMonitoring", aev__kin_enable_monitoring},
    {"GetRecords", aev__kin_get_records},
    {"GetResourcePolicy", aev__kin_get_resource_policy},
    {"GetShardIterator", aev__kin_get_shard_iterator},
    {"IncreaseStreamRetentionPeriod", aev__kin_increase_retention},
    {"ListShards", aev__kin_list_shards},
    {"ListStreamConsumers", aev__kin_list_consumers},
    {"ListStreams", aev__kin_list_streams},
    {"ListTagsForResource", aev__kin_list_tags_for_resource},
    {"ListTagsForStream", aev__kin_list_tags},
    {"MergeShards", aev__kin_merge_shards},
    {"PutRecord", aev__kin_put_record},
    {"PutRecords", aev__kin_put_records},
    {"PutResourcePolicy", aev__kin_put_resource_policy},
    {"RegisterStreamConsumer", aev__kin_register_consumer},
    {"RemoveTagsFromStream", aev__kin_remove_tags},
    {"SplitShard", aev__kin_split_shard},
    {"StartStreamEncryption", aev__kin_start_encryption},
    {"StopStreamEncryption", aev__kin_stop_encryption},
    {"SubscribeToShard", aev__kin_subscribe_to_shard},
    {"TagResource", aev__kin_tag_resource},
    {"UntagResource", aev__kin_untag_resource},
    {"UpdateAccountSettings", aev__kin_update_account_settings},
    {"UpdateMaxRecordSize", aev__kin_update_max_record_size},
    {"UpdateShardCount", aev__kin_update_shard_count},
    {"UpdateStreamMode", aev__kin_update_stream_mode},
    {"UpdateStreamWarmThroughput", aev__kin_update_stream_warm_throughput},
};

const aev__api_service aev__api_kinesis = {
    .name = "kinesis",
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
};
