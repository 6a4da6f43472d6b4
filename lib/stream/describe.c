/* Streams and shards in AWS's shapes: Shard, ChildShards,
 * StreamDescription(Summary), ListStreams and ListShards with their
 * filters and paging, and the typed API's JSON-returning calls. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/status.h"
#include "stream/account.h"
#include "stream/stream.h"
#include "stream/warm.h"

static json_t *u128_json(aev__u128 v) {
  char buf[40];
  aev__u128_format(v, buf);
  return json_string(buf);
}

static json_t *shard_id_json(int64_t id) {
  char buf[AEV_SHARD_ID_SIZE];
  aev__shard_id_format((uint32_t)id, buf);
  return json_string(buf);
}

json_t *aev__shard_json(const aev_stream *s, const aev__shard *sh) {
  char seq[AEV_STREAM_SEQUENCE_SIZE];
  json_t *j = json_object();
  int whole = !json_object_set_new(j, "ShardId", shard_id_json(sh->id));
  if (sh->parent >= 0)
    whole &= !json_object_set_new(j, "ParentShardId", shard_id_json(sh->parent));
  if (sh->adjacent >= 0)
    whole &= !json_object_set_new(j, "AdjacentParentShardId", shard_id_json(sh->adjacent));
  whole &= !json_object_set_new(j, "HashKeyRange",
                                json_pack("{s:o, s:o}", "StartingHashKey",
                                          u128_json(sh->start), "EndingHashKey",
                                          u128_json(sh->end)));
  json_t *range = json_object();
  aev__shard_start_seq(s, sh, seq);
  whole &= !json_object_set_new(range, "StartingSequenceNumber", json_string(seq));
  if (sh->closed) {
    aev__shard_end_seq(s, sh, seq);
    whole &= !json_object_set_new(range, "EndingSequenceNumber", json_string(seq));
  }
  whole &= !json_object_set_new(j, "SequenceNumberRange", range);
  return aev__json_whole(j, whole);
}

/* A child shard's ParentShards. */
static json_t *parents_json(const aev__shard *c) {
  json_t *parents = json_array();
  int whole = !json_array_append_new(parents, shard_id_json(c->parent));
  if (c->adjacent >= 0)
    whole &= !json_array_append_new(parents, shard_id_json(c->adjacent));
  return aev__json_whole(parents, whole);
}

json_t *aev__child_shards_json(const aev_stream *s, const aev__shard *sh) {
  json_t *list = json_array();
  int whole = list != NULL;
  for (size_t i = 0; whole && i < s->nshards; i++) {
    const aev__shard *c = &s->shards[i];
    if (c->parent != sh->id && c->adjacent != sh->id) continue;
    whole = !json_array_append_new(
        list, json_pack("{s:o, s:o, s:{s:o, s:o}}", "ShardId",
                        shard_id_json(c->id), "ParentShards", parents_json(c),
                        "HashKeyRange", "StartingHashKey", u128_json(c->start),
                        "EndingHashKey", u128_json(c->end)));
  }
  return aev__json_whole(list, whole);
}

static const char *status_name(const aev_stream *s) {
  return s->status == AEV__STATUS_UPDATING ? "UPDATING" : "ACTIVE";
}

/* A stream as ListStreams' StreamSummaries list it (mu held). */
static json_t *summary_json(aev_stream *s) {
  return json_pack("{s:s, s:s, s:s, s:{s:s}, s:I}", "StreamName",
                   s->res.name, "StreamARN", s->res.arn, "StreamStatus",
                   status_name(s), "StreamModeDetails", "StreamMode",
                   s->on_demand ? "ON_DEMAND" : "PROVISIONED",
                   "StreamCreationTimestamp",
                   (json_int_t)(s->created_ms / 1000));
}

/* The members DescribeStream and DescribeStreamSummary share (mu held):
 * the summary and the stream's settings. */
static json_t *common_json(aev_stream *s) {
  json_t *j = summary_json(s);
  int whole = j != NULL;
  whole &= !json_object_set_new(j, "RetentionPeriodHours",
                                json_integer(s->retention_h));
  whole &= !json_object_set_new(
      j, "EnhancedMonitoring",
      json_pack("[{s:o}]", "ShardLevelMetrics",
                aev__metrics_json(s->metrics)));
  whole &= !json_object_set_new(j, "EncryptionType",
                                json_string(s->kms_key ? "KMS" : "NONE"));
  if (s->kms_key)
    whole &= !json_object_set_new(j, "KeyId", json_string(s->kms_key));
  return aev__json_whole(j, whole);
}

int aev__stream_describe_json(aev_stream *s, int summary, size_t limit, const char *after,
                              json_t **out) {
  int rc = aev__stream_check(s);
  int64_t commitment = 0;
  if (rc == AEV_OK && summary) rc = aev__kin_commitment(s->res.broker, &commitment);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  json_t *j = common_json(s);
  int whole = j != NULL;
  if (summary) {
    whole &= !json_object_set_new(j, "OpenShardCount", json_integer((json_int_t)s->nopen));
    whole &= !json_object_set_new(j, "ConsumerCount", json_integer(s->nconsumers));
    size_t max = atomic_load_explicit(&s->max_record, memory_order_relaxed);
    whole &= !json_object_set_new(j, "MaxRecordSizeInKiB",
                                  json_integer((json_int_t)(max / 1024)));
    if (s->on_demand && commitment)
      whole &= !json_object_set_new(j, "WarmThroughput", aev__warm_json(s, commitment));
  } else {
    /* Shard ids are fixed-width, so their text orders them as created. */
    json_t *shards = json_array();
    int listed = shards != NULL, more = 0;
    for (size_t i = 0; listed && !more && i < s->nshards; i++) {
      const aev__shard *sh = &s->shards[i];
      if (aev__shard_expired(s, sh, now) || (after && strcmp(sh->id_text, after) <= 0)) continue;
      more = limit && json_array_size(shards) == limit;
      if (!more) listed = !json_array_append_new(shards, aev__shard_json(s, sh));
    }
    whole &= !json_object_set_new(j, "Shards", aev__json_whole(shards, listed));
    whole &= !json_object_set_new(j, "HasMoreShards", json_boolean(more));
  }
  pthread_mutex_unlock(&s->mu);
  *out = aev__json_whole(j, whole);
  return *out ? AEV_OK : aev__nomem();
}

/* ListShards' ShardFilter: which shards a filter keeps (mu held). */
typedef struct shard_filter {
  int type; /* 0 none, 1 AFTER_SHARD_ID, 2 AT_TRIM_HORIZON,
               3 FROM_TRIM_HORIZON, 4 AT_LATEST, 5 AT_TIMESTAMP,
               6 FROM_TIMESTAMP */
  int64_t after;
  int64_t at_ms;
} shard_filter;

static const char *const filter_names[] = {
    "", "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
    "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"};

static int keeps(const aev_stream *s, const aev__shard *sh,
                 const shard_filter *f, int64_t now) {
  if (aev__shard_expired(s, sh, now)) return 0;
  int64_t born = sh->created_s * 1000;
  switch (f->type) {
  case 1: return sh->id > f->after;
  case 2: /* open at the trim horizon */
  case 5: { /* open at the timestamp */
    /* The trim horizon is the oldest record kept: a stream younger than its
     * retention period has trimmed nothing, so its horizon is its start. */
    int64_t horizon = aev__stream_horizon(s, now);
    if (horizon < s->created_ms) horizon = s->created_ms;
    int64_t t = f->type == 2 ? horizon : f->at_ms;
    return born <= t && (!sh->closed || sh->closed_ms > t);
  }
  case 4: return !sh->closed;
  case 6: return !sh->closed || sh->closed_ms > f->at_ms;
  default: return 1;
  }
}

static int parse_filter(json_t *jf, shard_filter *f) {
  const char *type = json_string_value(json_object_get(jf, "Type"));
  if (!type)
    return aev__kin_validation(NULL, "shardFilter.type",
                               "Member must not be null");
  for (int i = 1; i < 7; i++)
    if (!strcmp(type, filter_names[i])) f->type = i;
  if (!f->type)
    return aev__kin_validation(type, "shardFilter.type",
                               "Member must satisfy enum value set: "
                               "[AFTER_SHARD_ID, AT_TRIM_HORIZON, "
                               "FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, "
                               "FROM_TIMESTAMP]");
  if (f->type == 1) {
    const char *id = json_string_value(json_object_get(jf, "ShardId"));
    if (!id || strlen(id) != 20 || strncmp(id, "shardId-", 8))
      return aev__kin_invalid("ShardId must be given as shardId-NNNNNNNNNNNN "
                              "with the AFTER_SHARD_ID filter.");
    f->after = strtoll(id + 8, NULL, 10);
  }
  if (f->type >= 5) {
    json_t *ts = json_object_get(jf, "Timestamp");
    if (!json_is_number(ts))
      return aev__kin_invalid("Timestamp must be given with the %s filter.",
                              type);
    f->at_ms = (int64_t)(json_number_value(ts) * 1000.0);
  }
  return AEV_OK;
}

/* NextToken: "<next shard id>.<filter>.<filter value>.<stream name>" in
 * base64, so a page carries its filter as AWS's tokens do. */
static char *page_token(const aev_stream *s, size_t next,
                        const shard_filter *f) {
  char *raw = NULL, *tok = NULL;
  if (asprintf(&raw, "%zu.%d.%lld.%s", next, f->type,
               (long long)(f->type == 1 ? f->after : f->at_ms),
               s->res.name) < 0)
    return NULL;
  aev__base64_encode(raw, strlen(raw), &tok);
  free(raw);
  return tok;
}

static int read_token(const aev_stream *s, const char *tok, size_t *next,
                      shard_filter *f) {
  unsigned char *raw = NULL;
  size_t n;
  if (aev__base64_decode(tok, strlen(tok), &raw, &n) != AEV_OK)
    return aev__kin_invalid("Invalid NextToken.");
  long long v;
  int used = 0;
  int ok = sscanf((char *)raw, "%zu.%d.%lld.%n", next, &f->type, &v, &used) == 3 &&
           used > 0 && !strcmp((char *)raw + used, s->res.name) &&
           f->type >= 0 && f->type < 7;
  free(raw);
  if (!ok) return aev__kin_invalid("Invalid NextToken.");
  if (f->type == 1)
    f->after = v;
  else
    f->at_ms = v;
  return AEV_OK;
}

int aev__stream_list_shards_json(aev_stream *s, json_t *req, json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  shard_filter f = {0};
  size_t next = 0;
  json_int_t max = 1000;
  json_t *jmax = json_object_get(req, "MaxResults");
  if (jmax) {
    max = json_integer_value(jmax);
    if (!json_is_integer(jmax) || max < 1 || max > 10000)
      return aev__fail_range(max, "maxResults", 1, 10000);
  }
  const char *tok = json_string_value(json_object_get(req, "NextToken"));
  json_t *jf = json_object_get(req, "ShardFilter");
  const char *excl =
      json_string_value(json_object_get(req, "ExclusiveStartShardId"));
  if (tok) {
    rc = read_token(s, tok, &next, &f);
  } else {
    if (jf) rc = parse_filter(jf, &f);
    if (rc == AEV_OK && excl) {
      if (strlen(excl) != 20 || strncmp(excl, "shardId-", 8))
        return aev__kin_invalid("ExclusiveStartShardId %s is not a shard id.",
                                excl);
      next = (size_t)strtoull(excl + 8, NULL, 10) + 1;
    }
  }
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  json_t *list = json_array();
  int whole = list != NULL;
  size_t i = next;
  for (; whole && i < s->nshards && json_array_size(list) < (size_t)max; i++)
    if (keeps(s, &s->shards[i], &f, now))
      whole = !json_array_append_new(list, aev__shard_json(s, &s->shards[i]));
  /* A token only when a kept shard remains beyond this page. */
  size_t more = i;
  while (more < s->nshards && !keeps(s, &s->shards[more], &f, now)) more++;
  int paged = more < s->nshards;
  char *token = paged ? page_token(s, i, &f) : NULL;
  pthread_mutex_unlock(&s->mu);
  json_t *resp = json_pack("{s:o}", "Shards", aev__json_whole(list, whole));
  whole = resp != NULL;
  if (paged) whole &= !json_object_set_new(resp, "NextToken", json_string(token));
  free(token);
  *out = aev__json_whole(resp, whole);
  return *out ? AEV_OK : aev__nomem();
}

int aev__stream_list_json(aev_broker *b, int limit, const char *exclusive,
                          const char *next_token, json_t **out) {
  if (limit < 0 || limit > 10000) return aev__fail_range(limit, "limit", 1, 10000);
  if (!limit) limit = 100;
  /* NextToken is the last name of the previous page, as is
   * ExclusiveStartStreamName. */
  const char *after = next_token ? next_token : exclusive;
  aev__resource **all;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_STREAM, NULL, &all, &n);
  if (rc != AEV_OK) return rc;
  json_t *names = json_array(), *sums = json_array();
  int whole = names && sums;
  size_t i = 0, taken = 0;
  while (i < n && after && strcmp(all[i]->name, after) <= 0) i++;
  const char *last = NULL;
  for (; whole && i < n && taken < (size_t)limit; i++, taken++) {
    aev_stream *s = (aev_stream *)all[i];
    whole = !json_array_append_new(names, json_string(s->res.name));
    pthread_mutex_lock(&s->mu);
    json_t *j = summary_json(s);
    pthread_mutex_unlock(&s->mu);
    whole &= !json_array_append_new(sums, j);
    last = s->res.name;
  }
  json_t *resp = json_pack("{s:o, s:o, s:b}", "StreamNames", aev__json_whole(names, whole),
                           "StreamSummaries", aev__json_whole(sums, whole),
                           "HasMoreStreams", i < n);
  whole = resp != NULL;
  if (i < n && last) whole &= !json_object_set_new(resp, "NextToken", json_string(last));
  aev__registry_list_free(all, n);
  *out = aev__json_whole(resp, whole);
  return *out ? AEV_OK : aev__nomem();
}

static int dump(json_t *j, char **out) {
  *out = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *out ? AEV_OK : aev__nomem();
}

int aev_stream_describe(aev_stream *s, char **json) {
  if (!json) return aev__kin_invalid("Missing argument.");
  json_t *j;
  int rc = aev__stream_describe_json(s, 0, 0, NULL, &j);
  return rc != AEV_OK ? rc : dump(j, json);
}

int aev_stream_describe_summary(aev_stream *s, char **json) {
  if (!json) return aev__kin_invalid("Missing argument.");
  json_t *j;
  int rc = aev__stream_describe_json(s, 1, 0, NULL, &j);
  return rc != AEV_OK ? rc : dump(j, json);
}

int aev_stream_list(aev_broker *b, int limit,
                    const char *exclusive_start_stream_name,
                    const char *next_token, char **response_json) {
  if (!b || !response_json) return aev__kin_invalid("Missing argument.");
  json_t *j;
  int rc = aev__stream_list_json(b, limit, exclusive_start_stream_name,
                                 next_token, &j);
  return rc != AEV_OK ? rc : dump(j, response_json);
}

int aev_stream_list_shards(aev_stream *s, const char *request_json,
                           char **response_json) {
  if (!response_json) return aev__kin_invalid("Missing argument.");
  json_t *req = NULL;
  int rc = request_json ? aev__json_parse_str(request_json, 0, &req)
           : (req = json_object()) ? AEV_OK : aev__nomem();
  if (rc == AEV_ERR_NOMEM) return rc;
  if (!json_is_object(req)) {
    json_decref(req);
    return aev__kin_invalid("The ListShards request must be a JSON object.");
  }
  json_t *j;
  rc = aev__stream_list_shards_json(s, req, &j);
  json_decref(req);
  return rc != AEV_OK ? rc : dump(j, response_json);
}
