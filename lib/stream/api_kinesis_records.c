/* The "kinesis" service's record actions: PutRecord, PutRecords,
 * GetShardIterator and GetRecords, with Data as base64 and timestamps as
 * epoch seconds, as AWS's JSON protocol carries them. */
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "stream/api_kinesis.h"

AEV__KIN_ACTION(put_record) {
  const char *key, *hash = NULL, *order = NULL;
  unsigned char *data = NULL;
  size_t len = 0;
  int rc = aev__api_req_string(svc, req, "PartitionKey", &key);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "ExplicitHashKey", &hash);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "SequenceNumberForOrdering", &order);
  if (rc == AEV_OK) rc = aev__api_req_blob(svc, req, "Data", &data, &len);
  aev_stream *s = NULL;
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  char shard[AEV_SHARD_ID_SIZE], seq[AEV_STREAM_SEQUENCE_SIZE];
  if (rc == AEV_OK) rc = aev_stream_put(s, data, len, key, hash, order, shard, seq);
  free(data);
  if (rc == AEV_OK)
    *resp = json_pack("{s:s, s:s, s:s}", "ShardId", shard, "SequenceNumber",
                      seq, "EncryptionType", aev__stream_encryption_type(s));
  aev_stream_release(s);
  return rc;
}

/* A record of PutRecords without a required member: AWS names it by its
 * path, record numbers counting from 1 ("records.2.member.partitionKey"). */
static int record_member_missing(size_t i, const char *member) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value null at 'records.%zu.member.%s' failed "
                   "to satisfy constraint: Member must not be null",
                   i + 1, member);
}

AEV__KIN_ACTION(put_records) {
  json_t *recs;
  int rc = aev__api_req_array(svc, req, "Records", &recs);
  if (rc != AEV_OK) return rc;
  size_t n = json_array_size(recs);
  if (n < 1 || n > 500)
    return aev__kin_validation(NULL, "records",
                               n < 1 ? "Member must have length greater than "
                                       "or equal to 1"
                                     : "Member must have length less than or "
                                       "equal to 500");
  unsigned char **data = calloc(n, sizeof *data);
  size_t *lens = calloc(n, sizeof *lens);
  const char **keys = calloc(n, sizeof *keys), **hashes = calloc(n, sizeof *hashes);
  if (!data || !lens || !keys || !hashes) rc = aev__nomem();
  for (size_t i = 0; i < n && rc == AEV_OK; i++) {
    json_t *e = json_array_get(recs, i);
    if (!json_is_object(e)) {
      rc = aev__kin_validation(NULL, "records", "Member must be a structure");
      break;
    }
    if (!json_object_get(e, "PartitionKey")) rc = record_member_missing(i, "partitionKey");
    else if (!json_object_get(e, "Data")) rc = record_member_missing(i, "data");
    if (rc == AEV_OK) rc = aev__api_req_string(svc, e, "PartitionKey", &keys[i]);
    if (rc == AEV_OK) rc = aev__api_opt_string(svc, e, "ExplicitHashKey", &hashes[i]);
    if (rc == AEV_OK) rc = aev__api_req_blob(svc, e, "Data", &data[i], &lens[i]);
  }
  aev_stream *s = NULL;
  aev_put_result *r = NULL;
  if (rc == AEV_OK) rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc == AEV_OK)
    rc = aev_stream_put_records(s, n, (const void *const *)data, lens, keys,
                                hashes, &r);
  for (size_t i = 0; data && i < n; i++) free(data[i]);
  free(data);
  free(lens);
  free(keys);
  free(hashes);
  const char *encryption = rc == AEV_OK ? aev__stream_encryption_type(s) : NULL;
  aev_stream_release(s);
  if (rc != AEV_OK) return rc;
  /* Whole or not at all: answers go by position, so one left out would
   * give every later record another's. */
  json_t *list = json_array();
  int whole = list != NULL;
  for (size_t i = 0; whole && i < n; i++) {
    const char *seq = aev_put_result_sequence_number(r, i);
    json_t *e = seq ? json_pack("{s:s, s:s}", "SequenceNumber", seq, "ShardId",
                                aev_put_result_shard_id(r, i))
                    : json_pack("{s:s, s:s}", "ErrorCode", aev_put_result_error_code(r, i),
                                "ErrorMessage", aev_put_result_error_message(r, i));
    whole = !json_array_append_new(list, e);
  }
  if (whole)
    *resp = json_pack("{s:I, s:o, s:s}", "FailedRecordCount",
                      (json_int_t)aev_put_result_failed_count(r), "Records", list,
                      "EncryptionType", encryption);
  else
    json_decref(list);
  aev_put_result_free(r);
  return whole && *resp ? AEV_OK : aev__nomem();
}

AEV__KIN_ACTION(get_shard_iterator) {
  const char *shard, *type, *seq = NULL;
  int rc = aev__api_req_string(svc, req, "ShardId", &shard);
  if (rc == AEV_OK) rc = aev__stream_name_check("shardId", shard);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "ShardIteratorType", &type);
  if (rc == AEV_OK)
    rc = aev__api_opt_string(svc, req, "StartingSequenceNumber", &seq);
  if (rc == AEV_OK && seq)
    rc = aev__kin_check_string("startingSequenceNumber", seq, aev__kin_sequence_number_ok,
                               "0|([1-9]\\d{0,128})", 0, 0);
  if (rc != AEV_OK) return rc;
  json_t *ts = json_object_get(req, "Timestamp");
  if (!strcmp(type, "AT_TIMESTAMP") && !json_is_number(ts))
    return aev__kin_invalid("Must specify timestampInMillis parameter for iterator of type "
                            "AT_TIMESTAMP. Current request has no timestamp parameter.");
  aev_stream *s;
  rc = aev__kin_stream_of(b, svc, req, &s);
  if (rc == AEV_ERR_NOT_FOUND) { /* AWS names the shard asked for */
    const char *arn = json_string_value(json_object_get(req, "StreamARN"));
    const char *name = arn ? arn : json_string_value(json_object_get(req, "StreamName"));
    return aev__kin_no_shard_in(b, aev__stream_name_of(name), shard);
  }
  if (rc != AEV_OK) return rc;
  char *it = NULL;
  rc = aev_stream_iterator(s, shard, type, seq,
                           (int64_t)(json_number_value(ts) * 1000.0 + 0.5), &it);
  aev_stream_release(s);
  if (rc == AEV_OK) *resp = json_pack("{s:s}", "ShardIterator", it);
  aev_free(it);
  return rc;
}

/* A batch as GetRecords' output and SubscribeToShardEvent share it:
 * Records, MillisBehindLatest and, at the end of a closed shard,
 * ChildShards. */
static int batch_json(const aev_records *r, json_t **out) {
  json_t *list = json_array();
  int rc = list ? AEV_OK : aev__nomem();
  for (size_t i = 0; i < aev_records_count(r) && rc == AEV_OK; i++) {
    size_t len;
    const void *d = aev_records_data(r, i, &len);
    char *b64 = NULL;
    rc = aev__base64_encode(d, len, &b64);
    if (rc != AEV_OK) break;
    /* A record left out would be skipped for good: the next iterator is
     * past it. AWS gives a record an EncryptionType only when it was
     * encrypted (KMS); a plain record has none. */
    const char *kms = aev_records_encryption_type(r, i);
    if (json_array_append_new(
            list,
            json_pack("{s:s, s:f, s:s, s:s, s:s*}", "SequenceNumber",
                      aev_records_sequence_number(r, i),
                      "ApproximateArrivalTimestamp",
                      (double)aev_records_arrival_ms(r, i) / 1000.0, "Data", b64,
                      "PartitionKey", aev_records_partition_key(r, i),
                      "EncryptionType", strcmp(kms, "KMS") ? NULL : kms)))
      rc = aev__nomem();
    free(b64);
  }
  if (rc != AEV_OK) {
    json_decref(list);
    return rc;
  }
  json_t *o = json_pack("{s:o, s:I}", "Records", list, "MillisBehindLatest",
                        (json_int_t)aev_records_millis_behind(r));
  const char *children = aev_records_child_shards(r);
  json_t *kids = NULL;
  rc = children ? aev__json_parse_str(children, 0, &kids) : AEV_OK;
  if (!rc && (!o || (kids && json_object_set_new(o, "ChildShards", kids)))) rc = aev__nomem();
  if (rc) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return AEV_OK;
}

AEV__KIN_ACTION(get_records) {
  const char *it;
  int64_t limit = 0;
  int rc = aev__api_req_string(svc, req, "ShardIterator", &it);
  if (rc == AEV_OK) rc = aev__kin_check_string("shardIterator", it, NULL, NULL, 1, 512);
  if (rc == AEV_OK) rc = aev__api_opt_int(svc, req, "Limit", 1, 10000, &limit);
  aev_records *r;
  if (rc == AEV_OK) rc = aev_stream_get_records(b, it, (int)limit, &r);
  if (rc != AEV_OK) return rc;
  json_t *o = NULL;
  rc = batch_json(r, &o);
  const char *next = aev_records_next_iterator(r);
  if (rc == AEV_OK &&
      json_object_set_new(o, "NextShardIterator", next ? json_string(next) : json_null())) {
    json_decref(o);
    rc = aev__nomem();
  }
  if (rc == AEV_OK) *resp = o;
  aev_records_free(r);
  return rc;
}

/* SubscribeToShard: AWS answers with an HTTP/2 event stream that stays
 * open for 5 minutes; a request/response call cannot carry pushes that
 * come later. Here it answers {"EventStream": [{"SubscribeToShardEvent":
 * {...}}, ...]}, the list boto3 iterates over, holding the events the
 * subscription delivers at once (every record from StartingPosition to
 * the tip, at least one event), and the subscription ends there, as if
 * the client closed the stream. Resume with AFTER_SEQUENCE_NUMBER and the
 * last ContinuationSequenceNumber; for pushes as records arrive use
 * aev_stream_subscribe(). */
AEV__KIN_ACTION(subscribe_to_shard) {
  const char *arn, *shard, *type, *seq = NULL;
  json_t *pos;
  int rc = aev__api_req_string(svc, req, "ConsumerARN", &arn);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "ShardId", &shard);
  if (rc == AEV_OK) rc = aev__api_req_object(svc, req, "StartingPosition", &pos);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, pos, "Type", &type);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, pos, "SequenceNumber", &seq);
  if (rc != AEV_OK) return rc;
  json_t *ts = json_object_get(pos, "Timestamp");
  if (!strcmp(type, "AT_TIMESTAMP") && !json_is_number(ts))
    return aev__kin_invalid("The timestamp parameter must be specified for "
                            "StartingPosition type AT_TIMESTAMP.");
  aev_records **ev = NULL;
  size_t n = 0;
  rc = aev__fanout_snapshot(b, arn, shard, type, seq,
                            (int64_t)(json_number_value(ts) * 1000.0 + 0.5),
                            &ev, &n);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  if (!list) rc = aev__nomem();
  for (size_t i = 0; i < n; i++) {
    json_t *o = NULL;
    if (rc == AEV_OK) rc = batch_json(ev[i], &o);
    const char *cont = aev_records_continuation(ev[i]);
    if (rc == AEV_OK && cont &&
        json_object_set_new(o, "ContinuationSequenceNumber", json_string(cont))) {
      json_decref(o);
      rc = aev__nomem();
    }
    if (rc == AEV_OK &&
        json_array_append_new(list, json_pack("{s:o}", "SubscribeToShardEvent", o)))
      rc = aev__nomem();
    aev_records_free(ev[i]);
  }
  free(ev);
  if (rc != AEV_OK) {
    json_decref(list);
    return rc;
  }
  *resp = json_pack("{s:o}", "EventStream", list);
  return *resp ? AEV_OK : aev__nomem();
}
