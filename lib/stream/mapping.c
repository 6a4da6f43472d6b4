/* Event-source mappings from streams, read directly or through an
 * enhanced fan-out consumer: CreateEventSourceMapping's checks as
 * Lambda applies them to Kinesis sources (StartingPosition, BatchSize
 * 1..10,000, MaximumBatchingWindowInSeconds 0..300, ParallelizationFactor
 * 1..10, MaximumRetryAttempts -1..10,000, MaximumRecordAgeInSeconds -1 or
 * 60..604,800, TumblingWindowInSeconds 0..900, at most 5 filters, an
 * OnFailure destination, no queue-only member: function/esm_params.c),
 * the mapping's description, lookup by UUID, deletion, and the tap that
 * wakes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"
#include "function/function.h"
#include "stream/mapping.h"
#include "stream/mapping_impl.h"

static int invalid(const char *fmt, const char *a) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException", fmt, a);
}

int aev__mapping_range(json_t *req, const char *name, const char *member,
                       long long min, long long max, int *out) {
  json_t *v = json_object_get(req, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_integer(v)) return invalid("%s must be an integer.", name);
  int rc = aev__fn_range(member, json_integer_value(v), min, max);
  if (rc == AEV_OK) *out = (int)json_integer_value(v);
  return rc;
}

/* Lambda's words for an age between 0 and 60 (quoted from AWS in
 * hashicorp/terraform-provider-aws#16113). */
int aev__mapping_record_age_check(int age_s) {
  if (age_s >= 0 && age_s < 60)
    return invalid("%s", "MaximumRecordAgeInSeconds must be either -1 "
                         "(forever) or between 60 and 604800 (inclusive)");
  return AEV_OK;
}

int aev__mapping_flag(json_t *req, const char *name, int *out) {
  json_t *v = json_object_get(req, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_boolean(v)) return invalid("%s must be a boolean.", name);
  *out = json_is_true(v);
  return AEV_OK;
}

int aev__mapping_response_types(json_t *req, int *report_failures) {
  json_t *v = json_object_get(req, "FunctionResponseTypes");
  if (!v) return AEV_OK;
  if (!json_is_null(v) && !json_is_array(v))
    return invalid("%s", "FunctionResponseTypes must be a list: "
                         "[\"ReportBatchItemFailures\"] or [].");
  int report = 0;
  size_t i;
  json_t *t;
  json_array_foreach(v, i, t) {
    if (!json_is_string(t) || strcmp(json_string_value(t), "ReportBatchItemFailures"))
      return invalid("%s", "FunctionResponseTypes accepts only "
                           "ReportBatchItemFailures.");
    report = 1;
  }
  *report_failures = report;
  return AEV_OK;
}

void aev__mapping_unref(aev__mapping *m) {
  if (--m->refs) return;
  if (m->sink.release) m->sink.release(m->sink.user);
  aev__timer_cancel(aev__broker_sched(m->b), &m->timer);
  for (int i = 0; i < m->npatterns; i++) aev_pattern_free(m->patterns[i]);
  for (size_t i = 0; i < m->nshards; i++) {
    for (int p = 0; m->shards[i].parts && p < m->shards[i].nparts; p++)
      json_decref(m->shards[i].parts[p].state);
    free(m->shards[i].parts);
    free(m->shards[i].seen);
  }
  free(m->shards);
  json_decref(m->filters);
  free(m->consumer_arn);
  free(m->function_arn);
  free(m->on_failure);
  free(m->starting);
  if (m->strand) aev__strand_release(m->strand);
  aev_stream_release(m->s);
  free(m);
}

const char *aev__mapping_source_arn(const aev__mapping *m) {
  return m->consumer_arn ? m->consumer_arn : aev_stream_arn(m->s);
}

int aev__mapping_wake(aev__mapping *m) {
  if (m->deleted || m->pump_posted) return AEV_OK;
  m->pump_posted = 1;
  m->refs++;
  int rc = aev__sched_post(aev__broker_sched(m->b), m->strand, aev__mapping_pump, m);
  if (rc != AEV_OK) {
    m->pump_posted = 0;
    aev__mapping_unref(m);
  }
  return rc;
}

static void tap_record(void *arg, const char *shard, const char *seq,
                       const char *key, const void *data, size_t len,
                       int64_t arrival_ms, void *prepared) {
  aev__mapping_wake(arg);
}

static void tap_drop(void *arg) { aev__mapping_unref(arg); }

static int parse_filters(aev__mapping *m, json_t *fc) {
  if (!fc || json_is_null(fc)) return AEV_OK;
  int rc = aev__fn_filter_criteria(fc, m->patterns, &m->npatterns);
  if (rc == AEV_OK) m->filters = json_incref(fc);
  return rc;
}

static int parse(aev__mapping *m, json_t *req) {
  const char *start = json_string_value(json_object_get(req, "StartingPosition"));
  if (!start)
    return invalid("%s", "StartingPosition is required for Kinesis event "
                         "sources: TRIM_HORIZON, LATEST or AT_TIMESTAMP.");
  /* Its value was checked by Lambda's front end (function/esm.c). */
  json_t *ts = json_object_get(req, "StartingPositionTimestamp");
  if (strcmp(start, "AT_TIMESTAMP") && ts && !json_is_null(ts))
    return invalid("%s", "Timestamp only valid with StartingPosition "
                         "AT_TIMESTAMP");
  if (!strcmp(start, "AT_TIMESTAMP") && !json_is_number(ts))
    return invalid("%s", "StartingPositionTimestamp is required with "
                         "StartingPosition AT_TIMESTAMP.");
  /* Lambda's Java front end cannot read a time before 1970. */
  if (json_number_value(ts) < 0)
    return invalid("%s", "Received Exception while reading from provided "
                         "stream. class java.lang.Long can not be converted "
                         "to a Timestamp");
  m->start_ts_ms = (int64_t)(json_number_value(ts) * 1000.0);
  if (!(m->starting = strdup(start))) return aev__nomem();
  m->batch_size = 100;
  m->max_retries = -1;
  m->max_age_s = -1;
  m->factor = 1;
  int rc = aev__mapping_range(req, "BatchSize", "batchSize", 1, 10000, &m->batch_size);
  if (rc == AEV_OK) rc = aev__mapping_range(req, "MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300, &m->window_s);
  if (rc == AEV_OK) rc = aev__mapping_range(req, "ParallelizationFactor", "parallelizationFactor", 1, 10, &m->factor);
  if (rc == AEV_OK) rc = aev__mapping_range(req, "MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000, &m->max_retries);
  if (rc == AEV_OK) rc = aev__mapping_range(req, "MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800, &m->max_age_s);
  if (rc == AEV_OK) rc = aev__mapping_range(req, "TumblingWindowInSeconds", "tumblingWindowInSeconds", 0, 900, &m->tumbling_s);
  if (rc != AEV_OK) return rc;
  if ((rc = aev__mapping_record_age_check(m->max_age_s))) return rc;
  int enabled = 1;
  if ((rc = aev__mapping_flag(req, "BisectBatchOnFunctionError", &m->bisect)) ||
      (rc = aev__mapping_flag(req, "Enabled", &enabled)) ||
      (rc = aev__mapping_response_types(req, &m->report_failures)))
    return rc;
  m->disabled = !enabled;
  const char *dest = json_string_value(json_object_get(
      json_object_get(json_object_get(req, "DestinationConfig"), "OnFailure"),
      "Destination"));
  if (dest) {
    if ((rc = aev__mapping_check_destination(dest))) return rc;
    if (!(m->on_failure = strdup(dest))) return aev__nomem();
  }
  return parse_filters(m, json_object_get(req, "FilterCriteria"));
}

/* Stream sources take an SQS queue or an SNS topic as their OnFailure
 * destination for discarded records (Lambda's Kinesis parameters,
 * DestinationConfig); a function of this broker is accepted as well. */
int aev__mapping_check_destination(const char *dest) {
  if (strncmp(dest, "arn:aws:sqs:", 12) && strncmp(dest, "arn:aws:sns:", 12) &&
      strncmp(dest, "arn:aws:lambda:", 15))
    return invalid("The OnFailure destination %s must be a queue, a topic "
                   "or a function of this broker.", dest);
  return AEV_OK;
}

json_t *aev__mapping_response_types_json(int report_failures) {
  return report_failures ? json_pack("[s]", "ReportBatchItemFailures") : json_array();
}

json_t *aev__mapping_destination_json(const char *on_failure) {
  return on_failure ? json_pack("{s:{s:s}}", "OnFailure", "Destination", on_failure)
                    : json_pack("{s:{}}", "OnFailure");
}

/* state: what the answer says instead of the mapping's own State, or
 * NULL. */
static json_t *describe(aev__mapping *m, const char *state) {
  json_t *j = json_pack(
      "{s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:f, s:s, s:s, s:s, s:i, s:b, s:i, s:i}",
      "UUID", m->uuid, "StartingPosition", m->starting, "BatchSize",
      m->batch_size, "MaximumBatchingWindowInSeconds", m->window_s,
      "ParallelizationFactor", m->factor, "EventSourceArn", aev__mapping_source_arn(m),
      "FunctionArn", m->function_arn, "LastModified",
      (double)m->modified_ms / 1000.0, "LastProcessingResult",
      m->last_result[0] ? m->last_result : "No records processed", "State",
      state         ? state
      : m->deleted  ? "Deleting"
      : m->disabled ? "Disabled"
                    : "Enabled",
      "StateTransitionReason",
      "User action", "MaximumRecordAgeInSeconds", m->max_age_s,
      "BisectBatchOnFunctionError", m->bisect, "MaximumRetryAttempts",
      m->max_retries, "TumblingWindowInSeconds", m->tumbling_s);
  int whole = j != NULL;
  if (!strcmp(m->starting, "AT_TIMESTAMP"))
    whole &= !json_object_set_new(j, "StartingPositionTimestamp",
                                  json_real((double)m->start_ts_ms / 1000.0));
  whole &= !json_object_set_new(j, "FunctionResponseTypes",
                                aev__mapping_response_types_json(m->report_failures));
  whole &= !json_object_set_new(j, "DestinationConfig",
                                aev__mapping_destination_json(m->on_failure));
  whole &= !json_object_set_new(j, "EventSourceMappingArn",
                                aev__esm_arn_json(m->function_arn, m->uuid));
  if (m->filters) whole &= !json_object_set(j, "FilterCriteria", m->filters);
  return aev__json_whole(j, whole);
}

/* Lambda refuses a second mapping of an event source (a stream, or one of
 * its consumers) to the same function, version or alias
 * (ResourceConflictException, worded as AWS words it for streams).
 * Checked before the new mapping reads anything: two creates at once may
 * still both succeed. */
static int no_twin(aev_stream *s, const char *consumer_arn, const char *function_arn) {
  pthread_mutex_lock(&s->mu);
  aev__mapping *x = s->mappings;
  while (x && (x->deleted || strcmp(x->function_arn, function_arn) ||
               strcmp(x->consumer_arn ? x->consumer_arn : "",
                      consumer_arn ? consumer_arn : "")))
    x = x->next;
  int rc = AEV_OK;
  if (x) {
    const char *name = strstr(function_arn, ":function:");
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                   "The event source arn (\" %s \") and function (\" %s \") "
                   "provided mapping already exists. Please update or delete "
                   "the existing mapping with UUID %s",
                   consumer_arn ? consumer_arn : aev_stream_arn(s),
                   name ? name + 10 : function_arn, x->uuid);
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

/* A mapping of s (a counted handle it takes), read through consumer_arn
 * (taken; NULL: none), to function_arn (taken) or to sink, reading from
 * req's settings; *out holds the caller's reference. */
static int start(aev_broker *b, aev_stream *s, char *consumer_arn, json_t *req,
                 char *function_arn, const aev__stream_sink *sink, aev__mapping **out) {
  aev__mapping *m = calloc(1, sizeof *m);
  if (!m) {
    free(consumer_arn);
    free(function_arn);
    aev_stream_release(s);
    return aev__nomem();
  }
  m->refs = 1;
  m->b = b;
  m->s = s;
  m->consumer_arn = consumer_arn;
  m->function_arn = function_arn;
  m->modified_ms = aev_broker_now_ms(b);
  aev__broker_uuid(b, m->uuid);
  aev__timer_init(&m->timer, aev__mapping_pump, m, NULL);
  if (sink) m->sink = *sink;
  int rc = parse(m, req);
  if (rc == AEV_OK && !(m->strand = aev__strand_new(aev__broker_sched(b))))
    rc = aev__nomem();
  if (rc == AEV_OK) {
    pthread_mutex_lock(&s->mu);
    if (aev__mapping_sync(m, s, aev__stream_now_ms(s))) rc = aev__nomem();
    pthread_mutex_unlock(&s->mu);
  }
  if (rc == AEV_OK) {
    m->timer.strand = m->strand;
    m->refs++; /* the tap's */
    rc = aev__stream_tap_add(s, tap_record, NULL, m, tap_drop, &m->tap);
    if (rc != AEV_OK) m->refs--;
  }
  /* A backlog (TRIM_HORIZON, AT_TIMESTAMP) starts at once; a mapping that
   * cannot start it is not created. */
  if (rc == AEV_OK && (rc = aev__mapping_wake(m)) != AEV_OK) {
    m->deleted = 1;
    aev__stream_tap_remove(s, m->tap);
  }
  if (rc != AEV_OK) {
    m->sink.release = NULL; /* the user stays the caller's */
    aev__mapping_unref(m);
    return rc;
  }
  *out = m;
  return AEV_OK;
}

/* The stream an EventSourceArn names (*s, counted). Lambda also reads a
 * stream through one of its enhanced fan-out consumers, named by the
 * consumer's ARN (stream/NAME/consumer/CONSUMER:TIMESTAMP; Lambda
 * developer guide, "Using Lambda with Kinesis"), which must be ACTIVE;
 * *consumer_arn is then a copy of it, else NULL. Lambda reports a missing
 * source as a bad parameter. */
static int find_source(aev_broker *b, const char *src, aev_stream **s,
                       char **consumer_arn) {
  *consumer_arn = NULL;
  const char *cut = strstr(src, "/consumer/");
  if (!cut) {
    int rc = aev__stream_find(b, src, s);
    return rc == AEV_ERR_NOT_FOUND ? invalid("Stream not found: %s", src) : rc;
  }
  char *stream_arn = strndup(src, (size_t)(cut - src));
  if (!stream_arn) return aev__nomem();
  int rc = aev__stream_find(b, stream_arn, s);
  free(stream_arn);
  if (rc == AEV_ERR_NOT_FOUND) return invalid("Stream consumer not found: %s", src);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&(*s)->mu);
  aev__consumer *c = aev__consumer_by_arn(*s, src);
  int active = c && c->active;
  pthread_mutex_unlock(&(*s)->mu);
  if (!c) rc = invalid("Stream consumer not found: %s", src);
  else if (!active)
    rc = invalid("Stream consumer %s is not ACTIVE yet: map it once "
                 "DescribeStreamConsumer shows ConsumerStatus ACTIVE.", src);
  else if (!(*consumer_arn = strdup(src)))
    rc = aev__nomem();
  if (rc != AEV_OK) aev_stream_release(*s);
  return rc;
}

int aev__stream_mapping_create(aev_broker *b, json_t *req, json_t **out) {
  const char *src = json_string_value(json_object_get(req, "EventSourceArn"));
  const char *fn = json_string_value(json_object_get(req, "FunctionName"));
  if (!src || !fn)
    return invalid("%s", "EventSourceArn and FunctionName are required.");
  aev_stream *s;
  char *consumer_arn;
  int rc = find_source(b, src, &s, &consumer_arn);
  if (rc != AEV_OK) return rc;
  char *function_arn = NULL;
  /* Lambda maps a stream to a function, a version or an alias, and
   * keeps the ARN FunctionName names, which FunctionArn shows. */
  rc = aev__function_target_arn(b, fn, &function_arn);
  if (rc == AEV_OK) rc = no_twin(s, consumer_arn, function_arn);
  /* ScalingConfig is a queue's, and a stream has no OnSuccess destination. */
  if (rc == AEV_OK) rc = aev__esm_params_check(req, AEV__ESM_STREAM, 0);
  if (rc != AEV_OK) {
    free(consumer_arn);
    free(function_arn);
    aev_stream_release(s);
    return rc;
  }
  aev__mapping *m;
  if ((rc = start(b, s, consumer_arn, req, function_arn, NULL, &m)) != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  m->next = s->mappings;
  s->mappings = m;
  m->refs++; /* the stream list's */
  /* as Lambda answers a new mapping, or one created disabled */
  *out = describe(m, m->disabled ? "Disabled" : "Creating");
  pthread_mutex_unlock(&s->mu);
  aev__mapping_unref(m);
  return AEV_OK;
}

int aev__stream_mapping_sink_new(aev_broker *b, const char *stream_arn, json_t *req,
                                 const aev__stream_sink *sink, aev__mapping **out) {
  aev_stream *s;
  int rc = aev__stream_find(b, stream_arn, &s);
  return rc ? rc : start(b, s, NULL, req, NULL, sink, out);
}

int aev__mapping_not_found(const char *uuid) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "The resource you requested does not exist. (Service: "
                   "Lambda, Status Code: 404, Request ID: %s)",
                   uuid ? uuid : "");
}

/* Finds a mapping by UUID: *out counted, or with unlink taken off its
 * stream's list (the list's reference passes to the caller). */
static int find(aev_broker *b, const char *uuid, int unlink, aev__mapping **out) {
  aev__resource **all;
  size_t n;
  aev__mapping *hit = NULL;
  if (!uuid) return aev__mapping_not_found(uuid);
  int rc = aev__registry_list(b, AEV__KIND_STREAM, NULL, &all, &n);
  if (rc != AEV_OK) return rc;
  for (size_t i = 0; i < n && !hit; i++) {
    aev_stream *s = (aev_stream *)all[i];
    pthread_mutex_lock(&s->mu);
    for (aev__mapping **pp = &s->mappings; *pp; pp = &(*pp)->next) {
      if (strcmp((*pp)->uuid, uuid)) continue;
      hit = *pp;
      if (unlink)
        *pp = hit->next;
      else
        hit->refs++;
      break;
    }
    pthread_mutex_unlock(&s->mu);
  }
  aev__registry_list_free(all, n);
  if (!hit) return aev__mapping_not_found(uuid);
  *out = hit;
  return AEV_OK;
}

int aev__stream_mapping_get(aev_broker *b, const char *uuid, json_t **out) {
  aev__mapping *m;
  int rc = find(b, uuid, 0, &m);
  if (rc != AEV_OK) return rc;
  *out = describe(m, NULL);
  aev__mapping_unref(m);
  return *out ? AEV_OK : aev__nomem();
}

/* Stops a mapping taken off its stream's list: no more batches start;
 * one in flight finishes and is discarded. */
static void stop(aev__mapping *m) {
  m->deleted = 1;
  aev__stream_tap_remove(m->s, m->tap);
  if (aev__timer_cancel(aev__broker_sched(m->b), &m->timer)) aev__mapping_unref(m);
  aev__mapping_unref(m);
}

void aev__stream_mapping_sink_free(aev__mapping *m) {
  if (m) stop(m);
}

void aev__stream_mapping_sink_enable(aev__mapping *m, int on) {
  m->disabled = !on;
  if (on) aev__mapping_wake(m);
}

int aev__stream_mapping_delete(aev_broker *b, const char *uuid, json_t **out) {
  aev__mapping *m;
  int rc = find(b, uuid, 1, &m);
  if (rc != AEV_OK) return rc;
  m->deleted = 1;
  *out = describe(m, NULL);
  stop(m);
  return AEV_OK;
}

void aev__stream_mappings_stop(aev_stream *s) {
  pthread_mutex_lock(&s->mu);
  aev__mapping *list = s->mappings;
  s->mappings = NULL;
  pthread_mutex_unlock(&s->mu);
  while (list) {
    aev__mapping *m = list;
    list = m->next;
    aev__esm_tags_drop(m->b, m->uuid);
    stop(m);
  }
}
