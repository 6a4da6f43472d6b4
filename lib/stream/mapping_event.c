/* What a stream mapping hands its function and its failure destination:
 * Lambda's Kinesis event ({"Records": [{"kinesis": {...}, "eventSource":
 * "aws:kinesis", "eventID": "shardId-...:<seq>", ...}]}, with the window
 * members of a KinesisTimeWindowEvent under tumbling windows), the filter
 * document of a record (its metadata and its data parsed as JSON), and the
 * failure record with KinesisBatchInfo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "stream/mapping_impl.h"

static void iso(int64_t ms, char *out, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

/* Window bounds as Lambda writes them: whole seconds, "...T07:04:00Z". */
static void iso_s(int64_t ms, char *out, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Sets key to v (taken); 0 when it could not. */
static int set(json_t *o, const char *key, json_t *v) { return !json_object_set_new(o, key, v); }

/* One record as Lambda's Kinesis event carries it (NULL: out of memory). */
static json_t *record_json(const aev__mapping *m, const char *shard, const char *role,
                           const aev__mrec *r) {
  char *b64 = NULL, id[AEV_SHARD_ID_SIZE + AEV_STREAM_SEQUENCE_SIZE + 1];
  if (aev__base64_encode(r->data, r->len, &b64) != AEV_OK) return NULL;
  snprintf(id, sizeof id, "%s:%s", shard, r->seq);
  json_t *j = json_pack("{s:{s:s, s:s, s:s, s:s, s:f}, s:s, s:s, s:s, s:s, s:s, "
                        "s:s, s:s}",
                        "kinesis", "kinesisSchemaVersion", "1.0", "partitionKey", r->key,
                        "sequenceNumber", r->seq, "data", b64, "approximateArrivalTimestamp",
                        (double)r->arrival_ms / 1000.0, "eventSource", "aws:kinesis",
                        "eventVersion", "1.0", "eventID", id, "eventName", "aws:kinesis:record",
                        "invokeIdentityArn", role, "awsRegion", aev_broker_region(m->b),
                        "eventSourceARN", aev_stream_arn(m->s));
  free(b64);
  return j;
}

/* The event, with every record of the batch, or NULL when out of memory
 * (the batch is then tried again: a record left out would be skipped). */
char *aev__mapping_event(const aev__mapping *m, const aev__mbatch *bt) {
  char shard[AEV_SHARD_ID_SIZE], fallback[128];
  aev__shard_id_format(bt->shard, shard);
  /* invokeIdentityArn: the function's execution role, which the mapping
   * reads the stream as; a function made without one gets a stand-in. */
  char *owned = m->function_arn ? aev__function_role(m->b, m->function_arn) : NULL;
  snprintf(fallback, sizeof fallback, "arn:aws:iam::%s:role/lambda-role",
           aev_broker_account(m->b));
  const char *role = owned ? owned : fallback;
  json_t *recs = json_array();
  int whole = recs != NULL;
  for (size_t i = 0; whole && i < bt->n; i++)
    whole = !json_array_append_new(recs, record_json(m, shard, role, &bt->r[i]));
  json_t *ev = whole ? json_pack("{s:O}", "Records", recs) : NULL;
  json_decref(recs);
  if (ev && m->tumbling_s) {
    /* KinesisTimeWindowEvent: the window, the state so far ({} at its
     * start) and the flags of Lambda's tumbling windows. */
    char start[40], end[40];
    iso_s(bt->win_start, start, sizeof start);
    iso_s(aev__window_end(m, bt->win_start), end, sizeof end);
    whole = set(ev, "window", json_pack("{s:s, s:s}", "start", start, "end", end)) &&
            set(ev, "state", bt->state ? aev__json_copy(bt->state) : json_object()) &&
            set(ev, "shardId", json_string(shard)) &&
            set(ev, "eventSourceARN", json_string(aev_stream_arn(m->s))) &&
            set(ev, "isFinalInvokeForWindow", json_boolean(bt->final)) &&
            set(ev, "isWindowTerminatedEarly", json_boolean(bt->early));
  }
  char *text = ev && whole ? aev__json_dumps(ev, JSON_COMPACT) : NULL;
  json_decref(ev);
  free(owned);
  return text;
}

int aev__mapping_passes(const aev__mapping *m, const aev__mrec *r) {
  if (!m->npatterns) return 1;
  /* The filter sees the record's metadata, and "data" when the data is
   * JSON: a data pattern never matches other data (Lambda drops it). */
  json_t *doc = json_pack("{s:s, s:s}", "partitionKey", r->key,
                          "sequenceNumber", r->seq);
  json_t *data;
  if (aev__json_parse((const char *)r->data, r->len, JSON_DECODE_ANY, &data, NULL) == AEV_ERR_NOMEM) {
    json_decref(doc);
    return -1;
  }
  /* Without its data the document would not match a data pattern, and
   * the record would be dropped as filtered out. */
  if (data && json_object_set_new(doc, "data", data)) {
    json_decref(doc);
    return -1;
  }
  char *text = aev__json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  if (!text) return -1;
  int pass = 0;
  for (int i = 0; i < m->npatterns && !pass; i++) {
    int hit = 0;
    if (aev_pattern_matches(m->patterns[i], text, strlen(text), &hit) == AEV_OK)
      pass = hit;
  }
  free(text);
  return pass;
}

char *aev__mapping_failure(const aev__mapping *m, const aev__mbatch *bt,
                           const char *condition, int invokes,
                           const char *function_error) {
  char shard[AEV_SHARD_ID_SIZE], now[40], first[40], last[40];
  char request_id[AEV_UUID_LEN + 1];
  aev__shard_id_format(bt->shard, shard);
  aev__broker_uuid(m->b, request_id);
  iso(aev_broker_now_ms(m->b), now, sizeof now);
  iso(bt->r[0].arrival_ms, first, sizeof first);
  iso(bt->r[bt->n - 1].arrival_ms, last, sizeof last);
  /* A pipe's poller has no function: functionArn is then null. */
  json_t *j = json_pack(
      "{s:{s:s, s:s?, s:s, s:i}, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, "
      "s:I, s:s}}",
      "requestContext", "requestId", request_id, "functionArn",
      m->function_arn, "condition", condition, "approximateInvokeCount",
      invokes, "version", "1.0", "timestamp", now,
      "KinesisBatchInfo", "shardId", shard, "startSequenceNumber",
      bt->r[0].seq, "endSequenceNumber", bt->r[bt->n - 1].seq,
      "approximateArrivalOfFirstRecord", first,
      "approximateArrivalOfLastRecord", last, "batchSize", (json_int_t)bt->n,
      "streamArn", aev_stream_arn(m->s));
  /* The last invocation's outcome, for a batch that had one (records that
   * aged out unread have none): functionError is null when the function
   * returned but its batch still failed (reported item failures, or an
   * unreadable report), as AWS records it. */
  if (j && invokes > 0 &&
      json_object_set_new(
          j, "responseContext",
          json_pack("{s:i, s:s, s:o}", "statusCode", 200, "executedVersion",
                    "$LATEST", "functionError",
                    function_error ? json_string(function_error) : json_null()))) {
    json_decref(j);
    j = NULL;
  }
  char *text = j ? aev__json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  return text;
}
