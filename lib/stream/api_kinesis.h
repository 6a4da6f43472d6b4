/* Internal to lib/stream: the Kinesis actions of the API layer (JSON
 * request shapes mapped onto the typed stream API). */
#ifndef AEV_STREAM_API_KINESIS_H
#define AEV_STREAM_API_KINESIS_H

#include "api/api.h"
#include "stream/stream.h"

#define AEV__KIN_ACTION(name)                                              \
  int aev__kin_##name(aev_broker *b, const aev__api_service *svc, json_t *req, \
                      json_t **resp)

/* The stream a request names by StreamName or StreamARN (a new handle). */
int aev__kin_stream_of(aev_broker *b, const aev__api_service *svc,
                       json_t *req, aev_stream **out);

/* StreamModeDetails' StreamMode: *on_demand 1 for ON_DEMAND, 0 for
 * PROVISIONED; ValidationException for anything else. */
int aev__kin_stream_mode(const char *mode, int *on_demand);
/* The stream of a consumer ARN ("<stream ARN>/consumer/...", which the
 * caller has checked holds "/consumer/"): a new handle. */
int aev__kin_consumer_stream(aev_broker *b, const char *consumer_arn,
                             aev_stream **out);

AEV__KIN_ACTION(put_record);
AEV__KIN_ACTION(put_records);
AEV__KIN_ACTION(get_shard_iterator);
AEV__KIN_ACTION(get_records);
AEV__KIN_ACTION(subscribe_to_shard);

/* api_kinesis_admin.c */
AEV__KIN_ACTION(update_max_record_size);
AEV__KIN_ACTION(tag_resource);
AEV__KIN_ACTION(untag_resource);
AEV__KIN_ACTION(list_tags_for_resource);
AEV__KIN_ACTION(put_resource_policy);
AEV__KIN_ACTION(get_resource_policy);
AEV__KIN_ACTION(delete_resource_policy);
AEV__KIN_ACTION(start_encryption);
AEV__KIN_ACTION(stop_encryption);
AEV__KIN_ACTION(enable_monitoring);
AEV__KIN_ACTION(disable_monitoring);
AEV__KIN_ACTION(describe_limits);
AEV__KIN_ACTION(update_stream_mode);
AEV__KIN_ACTION(update_stream_warm_throughput);
AEV__KIN_ACTION(describe_account_settings);
AEV__KIN_ACTION(update_account_settings);

#endif
