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

AEV__KIN_ACTION(put_record);
AEV__KIN_ACTION(put_records);
AEV__KIN_ACTION(get_shard_iterator);
AEV__KIN_ACTION(get_records);
AEV__KIN_ACTION(subscribe_to_shard);

#endif
