/* Event-source mappings from queues: CreateEventSourceMapping's checks as
 * AWS applies them (BatchSize 1..10,000 on standard queues, above 10 only
 * with a batching window of at least 1 s; at most 10 and no window on FIFO
 * queues; at most 5 filters; MaximumConcurrency 2..1000; none of the
 * stream-only members, esm_params.c), Get, Update,
 * Delete, List and their response shape. A mapping invokes a function, or
 * one of its versions or aliases (FunctionName's qualifier, kept and
 * answered in FunctionArn); Update's FunctionName retargets it. Mappings
 * live in the broker's store (esm_store.c), not in their function, and
 * outlive it as Lambda's do. Stream (Kinesis) mappings are the stream
 * primitive's, reached through stream/mapping.h for Create, Get, Update,
 * Delete and List. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "queue/queue.h"
#include "stream/mapping.h"

#define BUF_MAX 10000

/* The settings a request gives, over the current ones. */
typedef struct settings {
  int batch_size, window_s, report_failures, max_concurrency, enabled;
  json_t *filters; /* borrowed */
  int filters_given;
  aev_pattern *patterns[5];
  int npatterns;
} settings;

static int parse_filters(json_t *fc, settings *s) {
  int rc = aev__fn_filter_criteria(fc, s->patterns, &s->npatterns);
  if (rc != AEV_OK) return rc;
  s->filters = fc;
  s->filters_given = 1;
  return AEV_OK;
}

static int parse(json_t *req, int fifo, settings *s) {
  json_t *v;
  int rc = aev__fn_opt_int(req, "BatchSize", "batchSize", 1, 10000, &s->batch_size);
  if (rc == AEV_OK)
    rc = aev__fn_opt_int(req, "MaximumBatchingWindowInSeconds",
                 "maximumBatchingWindowInSeconds", 0, 300, &s->window_s);
  if (rc == AEV_OK && (v = json_object_get(req, "Enabled")) && !json_is_null(v)) {
    if (!json_is_boolean(v)) rc = aev__fn_invalid("Enabled must be a boolean.");
    else s->enabled = json_is_true(v);
  }
  if (rc == AEV_OK && (v = json_object_get(req, "FunctionResponseTypes")) &&
      !json_is_null(v) && !json_is_array(v))
    rc = aev__fn_invalid("FunctionResponseTypes must be a list: "
                         "[\"ReportBatchItemFailures\"] or [].");
  if (rc == AEV_OK && (v = json_object_get(req, "FunctionResponseTypes"))) {
    s->report_failures = 0;
    size_t i;
    json_t *t;
    json_array_foreach(v, i, t) {
      if (json_is_string(t) &&
          strcmp(json_string_value(t), "ReportBatchItemFailures") == 0)
        s->report_failures = 1;
      else
        rc = aev__fn_invalid("1 validation error detected: Value at "
                             "'functionResponseTypes' failed to satisfy "
                             "constraint: Member must satisfy enum value "
                             "set: [ReportBatchItemFailures]");
    }
  }
  json_t *sc = json_object_get(req, "ScalingConfig");
  if (rc == AEV_OK && json_is_object(sc))
    rc = aev__fn_opt_int(sc, "MaximumConcurrency", "maximumConcurrency", 2, 1000,
                 &s->max_concurrency);
  if (rc == AEV_OK && (v = json_object_get(req, "FilterCriteria")) &&
      !json_is_null(v))
    rc = parse_filters(v, s);
  if (rc != AEV_OK) return rc;
  /* Lambda's words: the FIFO window refusal as CloudFormation relays it
   * ("Invalid request provided: Batching window is not supported for FIFO
   * queues (Service: Lambda, ...)", aws/aws-lambda-dotnet#1758, answered
   * to BatchSize 100 with a 5 s window: the window is checked first), the
   * batch cap as Lambda worded it when every queue's was 10
   * (pulumi/pulumi-aws-serverless#20). */
  if (fifo && s->window_s > 0)
    return aev__fn_invalid("Batching window is not supported for FIFO "
                           "queues");
  if (fifo && s->batch_size > 10)
    return aev__fn_invalid("Maximum batch size must be between 1 and 10 "
                           "inclusive");
  if (s->batch_size > 10 && s->window_s < 1)
    return aev__fn_invalid("Maximum batch window in seconds must be greater "
                           "than 0 if maximum batch size is greater than 10");
  return AEV_OK;
}

static void settings_drop(settings *s) {
  for (int i = 0; i < s->npatterns; i++) aev_pattern_free(s->patterns[i]);
  s->npatterns = 0;
}

/* mu held. */
static void apply_locked(aev__esm *m, settings *s, int64_t now_ms) {
  m->batch_size = s->batch_size;
  m->window_s = s->window_s;
  m->report_failures = s->report_failures;
  m->max_concurrency = s->max_concurrency;
  m->enabled = s->enabled;
  if (s->filters_given) {
    for (int i = 0; i < m->npatterns; i++) aev_pattern_free(m->patterns[i]);
    memcpy(m->patterns, s->patterns, sizeof s->patterns);
    m->npatterns = s->npatterns;
    s->npatterns = 0;
    json_decref(m->filters);
    m->filters = json_array_size(json_object_get(s->filters, "Filters"))
                     ? json_deep_copy(s->filters)
                     : NULL;
  }
  m->modified_ms = now_ms;
}

json_t *aev__esm_arn_json(const char *function_arn, const char *uuid) {
  const char *resource = strstr(function_arn, ":function:");
  int prefix = resource ? (int)(resource - function_arn) : (int)strlen(function_arn);
  return json_sprintf("%.*s:event-source-mapping:%s", prefix, function_arn, uuid);
}

static json_t *describe(aev__esm *m, const char *state) {
  pthread_mutex_lock(&m->mu);
  /* FunctionArn: the version's or alias's ARN for a qualified mapping. */
  json_t *o = json_pack(
      "{sssisisssssfssss}", "UUID", m->uuid, "BatchSize", m->batch_size,
      "MaximumBatchingWindowInSeconds", m->window_s, "EventSourceArn",
      m->source_arn, "FunctionArn", m->function_arn, "LastModified",
      (double)m->modified_ms / 1000.0, "State",
      state ? state : m->enabled ? "Enabled" : "Disabled",
      "StateTransitionReason", "USER_INITIATED");
  json_t *types = json_array();
  if (m->report_failures)
    aev__fn_put(&types, NULL, json_string("ReportBatchItemFailures"));
  aev__fn_put(&o, "FunctionResponseTypes", types);
  aev__fn_put(&o, "EventSourceMappingArn", aev__esm_arn_json(m->function_arn, m->uuid));
  /* Only once a batch met a problem: Lambda's answers for a working queue
   * mapping carry no LastProcessingResult. */
  if (m->last_result[0])
    aev__fn_put(&o, "LastProcessingResult", json_string(m->last_result));
  if (m->filters) aev__fn_put(&o, "FilterCriteria", json_incref(m->filters));
  if (m->max_concurrency < AEV__FN_CONCURRENCY_MAX)
    aev__fn_put(&o, "ScalingConfig",
                json_pack("{si}", "MaximumConcurrency", m->max_concurrency));
  pthread_mutex_unlock(&m->mu);
  return o;
}

static int find_queue(aev_broker *b, const char *arn, aev_queue **q) {
  if (!arn || strncmp(arn, "arn:", 4) != 0 || !strstr(arn, ":sqs:"))
    return aev__fn_invalid("Unsupported event source type: %s. This library "
                           "maps queues (SQS ARNs).",
                           arn ? arn : "");
  if (aev__queue_find(b, arn, q) != AEV_OK)
    return aev__fn_invalid("Error occurred while ReceiveMessage. SQS Error "
                           "Code: AWS.SimpleQueueService.NonExistentQueue. "
                           "SQS Error Message: The specified queue does not "
                           "exist.");
  return AEV_OK;
}

/* Lambda refuses a mapping whose queue would show a message again before
 * the function (the version or alias fname names) could be done with it:
 * "Queue visibility timeout: 30 seconds is less than Function timeout: 60
 * seconds" (InvalidParameterValueException, as users of Terraform and the
 * CDK report it, e.g. hashicorp/terraform-provider-aws#18099). */
static int visibility_covers_timeout(aev_broker *b, const char *fname, aev_queue *q) {
  aev_function *f;
  const char *qualifier;
  char buf[512], version[16];
  aev__fconf *c = NULL;
  int rc = aev__function_find_qualified(b, fname, &f, &qualifier, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_resolve(f, qualifier, &c, version);
  aev_function_release(f);
  if (rc != AEV_OK) return rc;
  const int timeout = c->timeout;
  aev__fconf_unref(c);
  json_t *names = json_pack("[s]", "VisibilityTimeout"), *attrs = NULL;
  rc = names ? aev__queue_get_attributes(q, names, &attrs) : aev__nomem();
  json_decref(names);
  if (rc != AEV_OK) return rc;
  const char *v = json_string_value(json_object_get(attrs, "VisibilityTimeout"));
  const long long visibility = v ? atoll(v) : 0;
  json_decref(attrs);
  if (visibility >= timeout) return AEV_OK;
  return aev__fn_invalid("Queue visibility timeout: %lld seconds is less than Function "
                         "timeout: %d seconds",
                         visibility, timeout);
}

/* StartingPosition as Lambda's request model checks it before anything
 * else: one of its three values, whatever the source. */
static int starting_position(json_t *req) {
  json_t *v = json_object_get(req, "StartingPosition");
  const char *p = json_string_value(v);
  if (!v || json_is_null(v) ||
      (p && (!strcmp(p, "LATEST") || !strcmp(p, "AT_TIMESTAMP") ||
             !strcmp(p, "TRIM_HORIZON"))))
    return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%s' at "
                   "'startingPosition' failed to satisfy constraint: Member "
                   "must satisfy enum value set: [LATEST, AT_TIMESTAMP, "
                   "TRIM_HORIZON]",
                   p ? p : "");
}


int aev_event_source_mapping_create(aev_broker *b, const char *request_json,
                                    char **json) {
  json_t *req;
  if (aev__json_parse_str(request_json, 0, &req) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_object(req)) {
    json_decref(req);
    return aev__fn_invalid("The request must be a JSON object.");
  }
  const char *arn = json_string_value(json_object_get(req, "EventSourceArn"));
  int rc0 = starting_position(req);
  if (rc0 != AEV_OK) {
    json_decref(req);
    return rc0;
  }
  if (arn && strncmp(arn, "arn:aws:kinesis:", 16) == 0) {
    /* Kinesis sources are read by the stream primitive's own pollers. */
    json_t *desc = NULL;
    int rc = aev__stream_mapping_create(b, req, &desc);
    json_decref(req);
    return rc == AEV_OK ? aev__fn_dump(desc, json) : rc;
  }
  const char *fname = json_string_value(json_object_get(req, "FunctionName"));
  char *function_arn = NULL;
  aev_queue *q = NULL;
  settings s = {.batch_size = 10, .enabled = 1,
                .max_concurrency = AEV__FN_CONCURRENCY_MAX};
  int rc = fname ? AEV_OK
                 : aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                             "1 validation error detected: Value null at "
                             "'functionName' failed to satisfy constraint: "
                             "Member must not be null");
  /* The function, version or alias must exist now (it may go later). */
  if (rc == AEV_OK) rc = aev__function_target_arn(b, fname, &function_arn);
  if (rc == AEV_OK) rc = find_queue(b, arn, &q);
  /* A queue is read from wherever its messages are: no starting
   * position, and none of the streams' other members. */
  if (rc == AEV_OK) rc = aev__esm_params_check(req, AEV__ESM_QUEUE, 0);
  if (rc == AEV_OK) rc = visibility_covers_timeout(b, fname, q);
  int fifo = 0;
  if (rc == AEV_OK) {
    size_t n = strlen(arn);
    fifo = n > 5 && strcmp(arn + n - 5, ".fifo") == 0;
    rc = parse(req, fifo, &s);
  }
  aev__esm *m = NULL;
  if (rc == AEV_OK && (!(m = calloc(1, sizeof *m)) ||
                       !(m->buf = calloc(BUF_MAX, sizeof *m->buf)) ||
                       !(m->source_arn = strdup(aev_queue_arn(q))))) {
    if (m) free(m->buf);
    free(m);
    m = NULL;
    rc = aev__nomem();
  }
  if (rc != AEV_OK) {
    settings_drop(&s);
    aev_queue_release(q);
    free(function_arn);
    json_decref(req);
    return rc;
  }
  m->refs = 1; /* the creator's */
  m->backlog_since = -1;
  m->b = b;
  m->function_arn = function_arn;
  m->q = q;
  m->fifo = fifo;
  pthread_mutex_init(&m->mu, NULL);
  aev__broker_uuid(b, m->uuid);
  apply_locked(m, &s, aev_broker_now_ms(b));
  json_decref(req);
  /* The answer is made before the mapping is listed: out of memory then
   * leaves nothing made. Lambda answers State "Creating", or "Disabled"
   * for a mapping created with Enabled false. */
  char *answer = NULL;
  rc = json ? aev__fn_dump(describe(m, m->enabled ? "Creating" : "Disabled"),
                           &answer)
            : AEV_OK;
  if (rc == AEV_OK) rc = aev__esm_store_add(b, m);
  if (rc == AEV_OK && (rc = aev__esm_start(m)) != AEV_OK) {
    /* Not started: off the list again. */
    aev__esm *listed;
    if (aev__esm_store_find(b, m->uuid, 1, &listed) == AEV_OK)
      aev__esm_unref(listed);
  }
  aev__esm_unref(m);
  if (rc != AEV_OK) {
    free(answer);
    return rc;
  }
  if (json) *json = answer;
  return AEV_OK;
}

/* A mapping that is not a queue's may be a stream's: Get or Delete it
 * there (ResourceNotFoundException when neither has it). */
static int stream_mapping(aev_broker *b, const char *uuid, int delete,
                          char **json) {
  json_t *desc = NULL;
  int rc = delete ? aev__stream_mapping_delete(b, uuid, &desc)
                  : aev__stream_mapping_get(b, uuid, &desc);
  return rc == AEV_OK ? aev__fn_dump(desc, json) : rc;
}

int aev_event_source_mapping_get(aev_broker *b, const char *uuid,
                                 char **json) {
  if (!b) return aev__fn_invalid("Missing argument.");
  aev__esm *m;
  int rc = aev__esm_store_find(b, uuid, 0, &m);
  if (rc == AEV_ERR_NOT_FOUND) return stream_mapping(b, uuid, 0, json);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_dump(describe(m, NULL), json);
  aev__esm_unref(m);
  return rc;
}

int aev_event_source_mapping_update(aev_broker *b, const char *request_json,
                                    char **json) {
  if (!b) return aev__fn_invalid("Missing argument.");
  json_t *req;
  if (aev__json_parse_str(request_json, 0, &req) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  aev__esm *m;
  int rc = aev__esm_store_find(b, json_string_value(json_object_get(req, "UUID")), 0, &m);
  if (rc == AEV_ERR_NOT_FOUND) { /* a stream's mapping, or none */
    json_t *desc = NULL;
    rc = aev__stream_mapping_update(b, req, &desc);
    json_decref(req);
    return rc == AEV_OK ? aev__fn_dump(desc, json) : rc;
  }
  if (rc != AEV_OK) {
    json_decref(req);
    return rc;
  }
  pthread_mutex_lock(&m->mu);
  settings s = {.batch_size = m->batch_size, .window_s = m->window_s,
                .report_failures = m->report_failures,
                .max_concurrency = m->max_concurrency, .enabled = m->enabled};
  pthread_mutex_unlock(&m->mu);
  int was_enabled = s.enabled;
  /* UpdateEventSourceMapping's FunctionName: Lambda makes the mapping
   * invoke that function, version or alias from then on. */
  const char *fname = json_string_value(json_object_get(req, "FunctionName"));
  char *to = NULL;
  rc = fname ? aev__function_target_arn(b, fname, &to) : AEV_OK;
  if (rc == AEV_OK && fname) rc = visibility_covers_timeout(b, fname, m->q);
  if (rc == AEV_OK) rc = aev__esm_params_check(req, AEV__ESM_QUEUE, 1);
  if (rc == AEV_OK) rc = parse(req, m->fifo, &s);
  /* Checked whole first: a refused update changes nothing. */
  if (rc == AEV_OK && to) {
    rc = aev__esm_store_retarget(b, m, to);
    to = NULL;
  }
  free(to);
  if (rc == AEV_OK) {
    pthread_mutex_lock(&m->mu);
    apply_locked(m, &s, aev_broker_now_ms(b));
    pthread_mutex_unlock(&m->mu);
    aev__esm_pump(m); /* enabled again, or room for more batches */
    /* Lambda answers the transition it starts: "Enabling" or "Disabling"
     * when Enabled flips, else "Updating". */
    rc = aev__fn_dump(describe(m, s.enabled == was_enabled ? "Updating"
                                  : s.enabled            ? "Enabling"
                                                         : "Disabling"),
                      json);
  }
  settings_drop(&s);
  json_decref(req);
  aev__esm_unref(m);
  return rc;
}

/* DeleteEventSourceMapping, whether or not its function still exists. */
int aev_event_source_mapping_delete(aev_broker *b, const char *uuid,
                                    char **json) {
  if (!b) return aev__fn_invalid("Missing argument.");
  aev__esm *m;
  int rc = aev__esm_store_find(b, uuid, 1, &m);
  if (rc == AEV_ERR_NOT_FOUND) {
    rc = stream_mapping(b, uuid, 1, json);
    if (rc == AEV_OK) aev__esm_tags_drop(b, uuid);
    return rc;
  }
  if (rc != AEV_OK) return rc;
  aev__esm_tags_drop(b, uuid);
  aev__esm_stop(m);
  rc = aev__fn_dump(describe(m, "Deleting"), json);
  aev__esm_unref(m);
  return rc;
}

/* Lambda lists the mappings of the function, version or alias FunctionName
 * names (a qualified name those of that qualifier, an unqualified one those
 * of the unqualified function) by its ARN, whether or not it exists: a
 * deleted function's mappings are still there to be found and deleted. */
int aev_event_source_mapping_list(aev_broker *b, const char *function_name,
                                  const char *event_source_arn, char **json) {
  if (!b) return aev__fn_invalid("Missing argument.");
  char *only_arn = NULL;
  int rc = function_name ? aev__function_arn_of(b, function_name, &only_arn)
                         : AEV_OK;
  aev__esm **ms = NULL;
  size_t n = 0;
  if (rc == AEV_OK)
    rc = aev__esm_store_list(b, only_arn, event_source_arn, &ms, &n);
  json_t *out = rc == AEV_OK ? json_array() : NULL;
  for (size_t i = 0; i < n; i++) {
    if (out) aev__fn_put(&out, NULL, describe(ms[i], NULL));
    aev__esm_unref(ms[i]);
  }
  free(ms);
  /* Then the streams' mappings, which the stream primitive keeps. */
  if (rc == AEV_OK)
    rc = out ? aev__stream_mapping_list(b, only_arn, event_source_arn, out)
             : aev__nomem();
  free(only_arn);
  if (rc != AEV_OK) {
    json_decref(out);
    return rc;
  }
  return aev__fn_dump(json_pack("{so}", "EventSourceMappings", out), json);
}
