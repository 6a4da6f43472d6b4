/* The "firehose" service of aev_call(): CreateDeliveryStream (the request
 * shape itself is the configuration), Delete/Describe/ListDeliveryStreams,
 * UpdateDestination, PutRecord and PutRecordBatch with base64 Data, tags
 * and server-side encryption settings. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/status.h"
#include "delivery/delivery.h"

#define ACTION(name)                                                       \
  static int name(aev_broker *b, const aev__api_service *svc, json_t *req, \
                  json_t **resp)

static int delivery_of(aev_broker *b, const aev__api_service *svc,
                       json_t *req, aev_delivery **out) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "DeliveryStreamName", &name);
  if (!rc) rc = aev__delivery_check_name(name);
  return rc != AEV_OK ? rc : aev__delivery_find(b, name, out);
}

ACTION(create_delivery_stream) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "DeliveryStreamName", &name);
  if (rc != AEV_OK) return rc;
  json_t *cfg = json_deep_copy(req);
  json_object_del(cfg, "DeliveryStreamName");
  aev_delivery *d;
  rc = aev__delivery_create(b, name, cfg, NULL, NULL, NULL, &d);
  json_decref(cfg);
  if (rc != AEV_OK) return rc;
  *resp = json_pack("{s:s}", "DeliveryStreamARN", aev_delivery_arn(d));
  aev_delivery_release(d);
  return AEV_OK;
}

ACTION(delete_delivery_stream) {
  aev_delivery *d;
  int rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev_delivery_delete(d);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

ACTION(describe_delivery_stream) {
  aev_delivery *d;
  /* A stream has one destination, so Limit pages nothing, but AWS still
   * refuses one outside 1..10000. */
  int64_t limit;
  int rc = aev__api_opt_int(svc, req, "Limit", 1, 10000, &limit);
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  json_t *j;
  rc = aev__delivery_describe_json(d, &j);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_pack("{s:o}", "DeliveryStreamDescription", j);
  return rc;
}

ACTION(list_delivery_streams) {
  int64_t limit = 10;
  const char *type = NULL, *start = NULL;
  int rc = aev__api_opt_int(svc, req, "Limit", 1, 10000, &limit);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "DeliveryStreamType", &type);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "ExclusiveStartDeliveryStreamName", &start);
  return rc != AEV_OK ? rc : aev__delivery_list_json(b, (int)limit, type, start, resp);
}

ACTION(put_record) {
  json_t *rec;
  int rc = aev__api_req_object(svc, req, "Record", &rec);
  unsigned char *data = NULL;
  size_t len = 0;
  if (rc == AEV_OK) rc = aev__api_req_blob(svc, rec, "Data", &data, &len);
  aev_delivery *d = NULL;
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  char id[AEV_RECORD_ID_SIZE];
  if (rc == AEV_OK) rc = aev_delivery_put(d, data, len, id);
  free(data);
  if (rc == AEV_OK)
    *resp = json_pack("{s:s, s:b}", "RecordId", id, "Encrypted", aev__fh_encrypted(d));
  aev_delivery_release(d);
  return rc;
}

ACTION(put_record_batch) {
  json_t *recs;
  int rc = aev__api_req_array(svc, req, "Records", &recs);
  if (rc != AEV_OK) return rc;
  size_t n = json_array_size(recs);
  if (n < 1 || n > 500)
    return aev__fh_validation(NULL, "records",
                              n < 1 ? "Member must have length greater than "
                                      "or equal to 1"
                                    : "Member must have length less than or "
                                      "equal to 500");
  unsigned char **data = calloc(n, sizeof *data);
  size_t *lens = calloc(n, sizeof *lens);
  char **ids = calloc(n, sizeof *ids);
  char *idbuf = calloc(n, AEV_RECORD_ID_SIZE);
  if (!data || !lens || !ids || !idbuf) rc = aev__nomem();
  for (size_t i = 0; i < n && rc == AEV_OK; i++) {
    ids[i] = idbuf + i * AEV_RECORD_ID_SIZE;
    json_t *e = json_array_get(recs, i);
    rc = json_is_object(e) ? aev__api_req_blob(svc, e, "Data", &data[i], &lens[i])
                           : aev__fh_validation(NULL, "records", "Member must be a structure");
  }
  aev_delivery *d = NULL;
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc == AEV_OK)
    rc = aev_delivery_put_batch(d, n, (const void *const *)data, lens, ids);
  if (rc == AEV_OK) {
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(list, json_pack("{s:s}", "RecordId", ids[i]));
    *resp = json_pack("{s:i, s:b, s:o}", "FailedPutCount", 0, "Encrypted",
                      aev__fh_encrypted(d), "RequestResponses", list);
  }
  for (size_t i = 0; data && i < n; i++) free(data[i]);
  free(data);
  free(lens);
  free(ids);
  free(idbuf);
  aev_delivery_release(d);
  return rc;
}

ACTION(tag_delivery_stream) {
  json_t *tags;
  aev_delivery *d;
  int rc = aev__api_req_array(svc, req, "Tags", &tags);
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev__delivery_tag_json(d, tags);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

ACTION(untag_delivery_stream) {
  json_t *keys;
  aev_delivery *d;
  int rc = aev__api_req_array(svc, req, "TagKeys", &keys);
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev__delivery_untag_json(d, keys);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

ACTION(list_tags_for_delivery_stream) {
  int64_t limit = 50;
  const char *exclusive = NULL;
  aev_delivery *d;
  int rc = aev__api_opt_int(svc, req, "Limit", 1, 50, &limit);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "ExclusiveStartTagKey", &exclusive);
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev__delivery_tags_json(d, exclusive, (int)limit, resp);
  aev_delivery_release(d);
  return rc;
}

ACTION(update_destination) {
  const char *version, *dest_id;
  aev_delivery *d;
  int rc = aev__api_req_string(svc, req, "CurrentDeliveryStreamVersionId", &version);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "DestinationId", &dest_id);
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev__delivery_update_json(d, version, dest_id, req);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

ACTION(start_encryption) {
  json_t *in = NULL;
  const char *type = "AWS_OWNED_CMK", *arn = NULL;
  int rc = aev__api_opt_object(svc, req, "DeliveryStreamEncryptionConfigurationInput", &in);
  if (rc == AEV_OK && in) rc = aev__api_req_string(svc, in, "KeyType", &type);
  if (rc == AEV_OK && in) rc = aev__api_opt_string(svc, in, "KeyARN", &arn);
  aev_delivery *d;
  if (rc == AEV_OK) rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev_delivery_start_encryption(d, type, arn);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

ACTION(stop_encryption) {
  aev_delivery *d;
  int rc = delivery_of(b, svc, req, &d);
  if (rc != AEV_OK) return rc;
  rc = aev_delivery_stop_encryption(d);
  aev_delivery_release(d);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

static const aev__api_action actions[] = {
    {"CreateDeliveryStream", create_delivery_stream},
    {"DeleteDeliveryStream", delete_delivery_stream},
    {"DescribeDeliveryStream", describe_delivery_stream},
    {"ListDeliveryStreams", list_delivery_streams},
    {"ListTagsForDeliveryStream", list_tags_for_delivery_stream},
    {"PutRecord", put_record},
    {"PutRecordBatch", put_record_batch},
    {"StartDeliveryStreamEncryption", start_encryption},
    {"StopDeliveryStreamEncryption", stop_encryption},
    {"TagDeliveryStream", tag_delivery_stream},
    {"UntagDeliveryStream", untag_delivery_stream},
    {"UpdateDestination", update_destination},
};

const aev__api_service aev__api_firehose = {
    .name = "firehose",
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
};
