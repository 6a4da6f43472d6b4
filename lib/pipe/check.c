/* CreatePipe's and UpdatePipe's checks, as the Pipes API reference states
 * them (Name 1..64 of [.\-_A-Za-z0-9]; ARNs up to 1600 characters;
 * SqsQueueParameters BatchSize 1..10000 and MaximumBatchingWindowInSeconds
 * 0..300; KinesisStreamParameters with a StartingPosition; at most 5 filters; InputTemplate up to 8192 characters;
 * HttpParameters' maps of up to 512 characters), the enrichment and target
 * they name (an EXPRESS state machine where one runs synchronously, an API
 * destination, each existing), and the configuration they make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "pipe/pipe_impl.h"

#define ARN_MAX 1600
#define TEMPLATE_MAX 8192
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"

void aev__pipe_conf_unref(aev__pipe_conf *c) {
  if (!c || --c->refs) return;
  json_decref(c->spec);
  free(c);
}

int aev__pipe_check_name(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (!name)
    return aev__fail_validation(NULL, "name", "Member must not be null");
  if (n < 1 || n > 64) return aev__fail_length(name, "name", n, 1, 64);
  if (strspn(name, NAME_CHARS) != n)
    return aev__fail_validation(name, "name",
                                "Member must satisfy regular expression "
                                "pattern: [\\.\\-_A-Za-z0-9]+");
  return AEV_OK;
}

int aev__pipe_not_found(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "NotFoundException",
                   "Pipe %s does not exist.", name);
}

/* ValidationException with a message worded by fmt. */
#define invalid(...) aev__fail(AEV_ERR_INVALID, "ValidationException", __VA_ARGS__)

/* 1 when arn is arn:aws*:SERVICE:REGION:ACCOUNT:RESOURCE... with resource
 * (may be "") starting its last field and something after it. */
static int arn_of(const char *arn, const char *service, const char *resource) {
  if (!arn || strncmp(arn, "arn:aws", 7) != 0) return 0;
  const char *p = strchr(arn + 4, ':');
  size_t n = strlen(service);
  if (!p || strncmp(p + 1, service, n) != 0 || p[1 + n] != ':') return 0;
  p += 1 + n;
  for (int i = 0; i < 2 && p; i++) p = strchr(p + 1, ':'); /* past region, account */
  return p && strncmp(p + 1, resource, strlen(resource)) == 0 &&
         strlen(p + 1) > strlen(resource);
}

static int check_arn(const char *member, const char *arn) {
  size_t n = strlen(arn);
  if (n < 1 || n > ARN_MAX) return aev__fail_length(arn, member, n, 1, ARN_MAX);
  return AEV_OK;
}

static const struct {
  const char *service, *resource;
  pipe_kind kind;
} kinds[] = {
    {"sqs", "", PIPE_SQS},
    {"sns", "", PIPE_SNS},
    {"lambda", "function:", PIPE_LAMBDA},
    {"states", "stateMachine:", PIPE_STATES},
    {"events", "event-bus/", PIPE_EVENTS},
    {"events", "api-destination/", PIPE_API},
    {"kinesis", "stream/", PIPE_KINESIS},
    {"firehose", "deliverystream/", PIPE_FIREHOSE},
};

static int target_kind(const char *arn, pipe_kind *out) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (arn_of(arn, kinds[i].service, kinds[i].resource)) {
      *out = kinds[i].kind;
      return AEV_OK;
    }
  return invalid("Target %s is not supported. Supported targets: SQS queues, SNS "
                 "topics, Lambda functions, Step Functions state machines, event "
                 "buses, API destinations, Kinesis streams and Firehose delivery streams.",
                 arn);
}

/* An integer member of obj within min..max, or absent (*out untouched). */
static int opt_int(json_t *obj, const char *name, const char *path, int min,
                   int max, int *out) {
  json_t *v = json_object_get(obj, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_integer(v))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at '%s' failed to "
                     "satisfy constraint: Member must be an integer",
                     path);
  json_int_t n = json_integer_value(v);
  if (n < min || n > max) return aev__fail_range((long long)n, path, min, max);
  *out = (int)n;
  return AEV_OK;
}

static int opt_string(json_t *obj, const char *name, const char *path,
                      const char **out) {
  json_t *v = json_object_get(obj, name);
  *out = NULL;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_string(v))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at '%s' failed to "
                     "satisfy constraint: Member must be a string",
                     path);
  *out = json_string_value(v);
  return AEV_OK;
}

static int opt_object(json_t *obj, const char *name, const char *path, json_t **out) {
  json_t *v = json_object_get(obj, name);
  *out = NULL;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_object(v))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at '%s' failed to "
                     "satisfy constraint: Member must be an object",
                     path);
  *out = v;
  return AEV_OK;
}

static int check_template(json_t *params, const char *path, json_t **out) {
  const char *t;
  int rc = opt_string(params, "InputTemplate", path, &t);
  if (rc || !t) return rc;
  size_t n = strlen(t);
  if (n > TEMPLATE_MAX) return aev__fail_length(t, path, n, 0, TEMPLATE_MAX);
  *out = json_object_get(params, "InputTemplate");
  return AEV_OK;
}

static int invocation_type(json_t *tp, const char *member, const char *path) {
  json_t *o;
  const char *t;
  int rc = opt_object(tp, member, path, &o);
  if (!rc && o) rc = opt_string(o, "InvocationType", path, &t);
  if (rc || !o) return rc;
  if (!t || (strcmp(t, "REQUEST_RESPONSE") && strcmp(t, "FIRE_AND_FORGET")))
    return aev__fail_validation(t ? t : "null", path,
                                "Member must satisfy enum value set: "
                                "[REQUEST_RESPONSE, FIRE_AND_FORGET]");
  return AEV_OK;
}

int aev__pipe_patterns(const aev__pipe_conf *c, aev_pattern *out[5], int *n) {
  json_t *fc = json_object_get(json_object_get(c->spec, "SourceParameters"),
                               "FilterCriteria");
  json_t *filters = json_object_get(fc, "Filters");
  *n = 0;
  if (fc && !json_is_object(fc))
    return invalid("FilterCriteria must be an object.");
  if (filters && !json_is_array(filters))
    return invalid("FilterCriteria.Filters must be a list.");
  if (json_array_size(filters) > 5)
    return aev__fail_length(NULL, "sourceParameters.filterCriteria.filters",
                            json_array_size(filters), 0, 5);
  size_t i;
  json_t *f;
  json_array_foreach(filters, i, f) {
    const char *text = json_string_value(json_object_get(f, "Pattern"));
    if (!text) return invalid("Each filter needs a Pattern.");
    int rc = aev_pattern_compile(text, strlen(text), &out[*n]);
    if (rc == AEV_ERR_NOMEM) return rc;
    if (rc != AEV_OK) {
      char why[512]; /* aev_errmsg() is the buffer aev__fail writes */
      snprintf(why, sizeof why, "%s", aev_errmsg());
      return invalid("Invalid filter pattern definition. %s", why);
    }
    (*n)++;
  }
  return AEV_OK;
}

/* A {name: string} map of HttpParameters: names and values up to 512
 * characters (PipeEnrichmentHttpParameters / PipeTargetHttpParameters);
 * header names HTTP tokens, or JSON paths. */
static int check_http_map(json_t *m, const char *path, int header) {
  if (!m || json_is_null(m)) return AEV_OK;
  if (!json_is_object(m))
    return aev__fail_validation(NULL, path, "Member must be a map of strings");
  const char *k;
  json_t *v;
  json_object_foreach(m, k, v) {
    const char *s = json_string_value(v);
    if (!s) return aev__fail_validation(NULL, path, "Member must be a map of strings");
    if (strlen(k) > 512) return aev__fail_length(k, path, strlen(k), 0, 512);
    if (strlen(s) > 512) return aev__fail_length(s, path, strlen(s), 0, 512);
    if (header && strncmp(k, "$.", 2) && strspn(k, NAME_CHARS "!#$%&'*+^`|~") != strlen(k))
      return aev__fail_validation(k, path,
                                  "Member must satisfy regular expression pattern: "
                                  "[!#$%&'*+-.^_`|~0-9a-zA-Z]+|(\\$(\\.[\\w/_-]+(\\[(\\d+|\\*)\\])*)*)");
  }
  return AEV_OK;
}

/* EnrichmentParameters' or TargetParameters' HttpParameters (path: its
 * member name in messages). */
static int check_http(json_t *params, const char *path) {
  json_t *h;
  char p[96];
  snprintf(p, sizeof p, "%s.httpParameters", path);
  int rc = opt_object(params, "HttpParameters", p, &h);
  if (rc || !h) return rc;
  json_t *values = json_object_get(h, "PathParameterValues");
  snprintf(p, sizeof p, "%s.httpParameters.pathParameterValues", path);
  if (values && !json_is_array(values))
    return aev__fail_validation(NULL, p, "Member must be a list of strings");
  size_t i;
  json_t *v;
  json_array_foreach(values, i, v) {
    const char *s = json_string_value(v);
    if (!s || strspn(s, " \t\r\n") == strlen(s))
      return aev__fail_validation(s ? s : "null", p,
                                  "Member must satisfy regular expression pattern: "
                                  "(?!\\s*$).+|(\\$(\\.[\\w/_-]+(\\[(\\d+|\\*)\\])*)*)");
  }
  snprintf(p, sizeof p, "%s.httpParameters.headerParameters", path);
  rc = check_http_map(json_object_get(h, "HeaderParameters"), p, 1);
  snprintf(p, sizeof p, "%s.httpParameters.queryStringParameters", path);
  if (!rc) rc = check_http_map(json_object_get(h, "QueryStringParameters"), p, 0);
  return rc;
}

/* The target's own parameters, as the target needs them. */
static int check_target_params(aev_broker *b, aev__pipe_conf *c) {
  json_t *tp = json_object_get(c->spec, "TargetParameters"), *o;
  int rc = tp && !json_is_object(tp)
               ? invalid("TargetParameters must be an object.")
               : AEV_OK;
  if (!rc) rc = check_template(tp, "targetParameters.inputTemplate", &c->target_template);
  if (!rc) rc = check_http(tp, "targetParameters");
  if (!rc && c->kind == PIPE_API) rc = aev__pipe_http_check(b, "Target", c->target);
  if (!rc)
    rc = invocation_type(tp, "LambdaFunctionParameters",
                         "targetParameters.lambdaFunctionParameters.invocationType");
  if (!rc)
    rc = invocation_type(tp, "StepFunctionStateMachineParameters",
                         "targetParameters.stepFunctionStateMachineParameters."
                         "invocationType");
  if (!rc) rc = opt_object(tp, "KinesisStreamParameters", "targetParameters.kinesisStreamParameters", &o);
  if (!rc && c->kind == PIPE_KINESIS &&
      !json_is_string(json_object_get(o, "PartitionKey")))
    rc = invalid("PartitionKey is required for a Kinesis stream target (%s).",
                 c->target);
  /* Step Functions targets: REQUEST_RESPONSE is the default, and needs an
   * EXPRESS machine (the API reference's PipeTargetStateMachineParameters);
   * a STANDARD one runs only FIRE_AND_FORGET. */
  if (!rc && c->kind == PIPE_STATES) {
    const char *t = json_string_value(json_object_get(
        json_object_get(tp, "StepFunctionStateMachineParameters"), "InvocationType"));
    c->states_sync = !t || !strcmp(t, "REQUEST_RESPONSE");
    if (c->states_sync) rc = aev__pipe_states_check(b, "Target", c->target);
  }
  return rc;
}

/* KinesisStreamParameters (StartingPosition required), checked as the
 * API reference bounds them. */
static int check_stream_params(json_t *sp) {
  json_t *kp = NULL;
  const char *start = NULL, *bisect = NULL;
  int ignored = 0;
  int rc = opt_object(sp, "KinesisStreamParameters", "sourceParameters.kinesisStreamParameters", &kp);
  if (!rc) rc = opt_string(kp, "StartingPosition", "sourceParameters.kinesisStreamParameters.startingPosition", &start);
  if (!rc && !start)
    rc = aev__fail_validation(NULL, "sourceParameters.kinesisStreamParameters.startingPosition",
                              "Member must not be null");
  if (!rc && strcmp(start, "TRIM_HORIZON") && strcmp(start, "LATEST") && strcmp(start, "AT_TIMESTAMP"))
    rc = aev__fail_validation(start, "sourceParameters.kinesisStreamParameters.startingPosition",
                              "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
  if (!rc && !strcmp(start, "AT_TIMESTAMP") &&
      !json_is_number(json_object_get(kp, "StartingPositionTimestamp")))
    rc = invalid("StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP.");
  static const struct {
    const char *name, *path;
    int min, max;
  } ints[] = {
      {"BatchSize", "batchSize", 1, 10000},
      {"MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300},
      {"MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800},
      {"MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000},
      {"ParallelizationFactor", "parallelizationFactor", 1, 10},
  };
  for (size_t i = 0; !rc && i < sizeof ints / sizeof ints[0]; i++) {
    char path[128];
    snprintf(path, sizeof path, "sourceParameters.kinesisStreamParameters.%s", ints[i].path);
    rc = opt_int(kp, ints[i].name, path, ints[i].min, ints[i].max, &ignored);
  }
  /* As for Lambda's stream mappings: -1 (forever) or at least a minute. */
  json_t *age = json_object_get(kp, "MaximumRecordAgeInSeconds");
  if (!rc && json_is_integer(age) && json_integer_value(age) >= 0 && json_integer_value(age) < 60)
    rc = invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.");
  if (!rc) rc = opt_string(kp, "OnPartialBatchItemFailure",
                           "sourceParameters.kinesisStreamParameters.onPartialBatchItemFailure", &bisect);
  if (!rc && bisect && strcmp(bisect, "AUTOMATIC_BISECT"))
    rc = aev__fail_validation(bisect, "sourceParameters.kinesisStreamParameters.onPartialBatchItemFailure",
                              "Member must satisfy enum value set: [AUTOMATIC_BISECT]");
  const char *dlq = json_string_value(json_object_get(json_object_get(kp, "DeadLetterConfig"), "Arn"));
  if (!rc && dlq && !arn_of(dlq, "sqs", "") && !arn_of(dlq, "sns", ""))
    rc = invalid("DeadLetterConfig %s must be an SQS queue or an SNS topic.", dlq);
  return rc;
}

static int check_queue_params(aev__pipe_conf *c, json_t *sp) {
  json_t *sq = NULL;
  int rc = opt_object(sp, "SqsQueueParameters", "sourceParameters.sqsQueueParameters", &sq);
  if (!rc)
    rc = opt_int(sq, "BatchSize", "sourceParameters.sqsQueueParameters.batchSize", 1,
                 10000, &c->batch_size);
  if (!rc)
    rc = opt_int(sq, "MaximumBatchingWindowInSeconds",
                 "sourceParameters.sqsQueueParameters.maximumBatchingWindowInSeconds",
                 0, 300, &c->window_s);
  size_t n = strlen(c->source);
  int fifo = n > 5 && strcmp(c->source + n - 5, ".fifo") == 0;
  /* As for Lambda's SQS mappings: batches over 10 need a window; FIFO
   * queues take at most 10 and no window. */
  if (!rc && fifo && (c->batch_size > 10 || c->window_s > 0))
    rc = invalid("FIFO queue sources take a BatchSize of at most 10 and no "
                 "MaximumBatchingWindowInSeconds.");
  if (!rc && c->batch_size > 10 && c->window_s < 1)
    rc = invalid("MaximumBatchingWindowInSeconds must be greater than 0 when "
                 "BatchSize is greater than 10.");
  return rc;
}

/* API destinations take no batch: "If you configure a pipe with an
 * enrichment or target that doesn't support batching, you won't be able to
 * activate batching on the source" (the Pipes User Guide's "Batching and
 * concurrency"). So BatchSize is 1, and a larger one is refused. */
static int check_no_batch(aev__pipe_conf *c, json_t *sp) {
  json_t *n = json_object_get(
      json_object_get(sp, c->stream_source ? "KinesisStreamParameters" : "SqsQueueParameters"),
      "BatchSize");
  if (json_is_integer(n) && json_integer_value(n) > 1)
    return invalid("BatchSize %lld is not supported: an API destination enrichment or target "
                   "takes no batch, so the source's BatchSize must be 1.",
                   (long long)json_integer_value(n));
  c->batch_size = 1;
  return AEV_OK;
}

static int check_source_params(aev__pipe_conf *c) {
  json_t *sp = json_object_get(c->spec, "SourceParameters");
  int rc = sp && !json_is_object(sp)
               ? invalid("SourceParameters must be an object.")
               : AEV_OK;
  if (!rc && c->no_batch) rc = check_no_batch(c, sp);
  if (!rc) rc = c->stream_source ? check_stream_params(sp) : check_queue_params(c, sp);
  if (!rc) {
    aev_pattern *pats[5];
    int np = 0;
    rc = aev__pipe_patterns(c, pats, &np);
    for (int i = 0; i < np; i++) aev_pattern_free(pats[i]);
  }
  return rc;
}

/* The Enrichment: a Lambda function, or an EXPRESS state machine that
 * exists (the Pipes User Guide's enrichments). */
static int check_enrichment(aev_broker *b, aev__pipe_conf *c) {
  if (arn_of(c->enrichment, "lambda", "function:")) {
    c->enrich_kind = PIPE_LAMBDA;
    return AEV_OK;
  }
  if (arn_of(c->enrichment, "states", "stateMachine:")) {
    c->enrich_kind = PIPE_STATES;
    return aev__pipe_states_check(b, "Enrichment", c->enrichment);
  }
  if (arn_of(c->enrichment, "events", "api-destination/")) {
    c->enrich_kind = PIPE_API;
    return aev__pipe_http_check(b, "Enrichment", c->enrichment);
  }
  return invalid("Enrichment %s is not supported. Supported enrichments: Lambda "
                 "functions, Step Functions state machines (EXPRESS) and API "
                 "destinations.",
                 c->enrichment);
}

/* Members of an Update over the current spec: top-level members replace,
 * and within SourceParameters, EnrichmentParameters and TargetParameters
 * each given object replaces its namesake as one (the API reference:
 * "EventBridge updates the fields in these objects atomically as one"). */
static int merged_spec(json_t *req, const aev__pipe_conf *base, json_t **out) {
  static const char *const members[] = {"Source", "Target", "Enrichment", "RoleArn",
                                        "Description", "SourceParameters",
                                        "EnrichmentParameters", "TargetParameters",
                                        "LogConfiguration", "KmsKeyIdentifier"};
  json_t *spec = base ? json_deep_copy(base->spec) : json_object();
  if (!spec) return aev__nomem();
  for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
    json_t *v = json_object_get(req, members[i]);
    if (!v) continue;
    json_t *have = json_object_get(spec, members[i]);
    int fail = base && json_is_object(v) && json_is_object(have)
                   ? json_object_update(have, v)
                   : json_object_set(spec, members[i], v);
    if (fail) {
      json_decref(spec);
      return aev__nomem();
    }
  }
  /* UpdatePipeSourceKinesisStreamParameters has no StartingPosition: a
   * stream source keeps the position it was created with. */
  json_t *sp = json_object_get(spec, "SourceParameters");
  json_t *kp = json_object_get(sp, "KinesisStreamParameters");
  json_t *was = base ? json_object_get(json_object_get(base->spec, "SourceParameters"),
                                       "KinesisStreamParameters")
                     : NULL;
  if (json_is_object(kp) && json_is_object(was)) {
    static const char *const fixed[] = {"StartingPosition", "StartingPositionTimestamp"};
    json_t *kept = json_copy(kp);
    for (size_t i = 0; kept && i < 2; i++) {
      json_t *v = json_object_get(was, fixed[i]);
      if (!v) {
        json_object_del(kept, fixed[i]);
      } else if (json_object_set(kept, fixed[i], v)) {
        json_decref(kept);
        kept = NULL;
      }
    }
    /* json_object_set_new frees kept when it fails. */
    if (!kept || json_object_set_new(sp, "KinesisStreamParameters", kept)) {
      json_decref(spec);
      return aev__nomem();
    }
  }
  *out = spec;
  return AEV_OK;
}

int aev__pipe_conf_make(aev_broker *b, json_t *req, const aev__pipe_conf *base,
                        aev__pipe_conf **out) {
  const char *role, *source, *target, *enrichment, *desc;
  int rc = opt_string(req, "RoleArn", "roleArn", &role);
  if (!rc && !role) rc = aev__fail_validation(NULL, "roleArn", "Member must not be null");
  if (!rc) rc = opt_string(req, "Source", "source", &source);
  if (!rc && base && source && strcmp(source, base->source))
    rc = invalid("The Source of a pipe cannot be changed (%s).", base->source);
  if (!rc && !base && !source)
    rc = aev__fail_validation(NULL, "source", "Member must not be null");
  if (!rc) rc = opt_string(req, "Target", "target", &target);
  if (!rc && !base && !target)
    rc = aev__fail_validation(NULL, "target", "Member must not be null");
  if (!rc) rc = opt_string(req, "Enrichment", "enrichment", &enrichment);
  if (!rc) rc = opt_string(req, "Description", "description", &desc);
  if (!rc && desc && strlen(desc) > 512)
    rc = aev__fail_length(desc, "description", strlen(desc), 0, 512);
  if (!rc) rc = check_arn("roleArn", role);
  if (!rc && (!arn_of(role, "iam", "role/")))
    rc = aev__fail_validation(role, "roleArn",
                              "Member must satisfy regular expression pattern: "
                              "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z0-9+=,.@\\-_/]+");
  if (rc) return rc;
  aev__pipe_conf *c = calloc(1, sizeof *c);
  if (!c) return aev__nomem();
  c->refs = 1;
  c->batch_size = 10; /* SqsQueueParameters.BatchSize's default */
  if ((rc = merged_spec(req, base, &c->spec)) != AEV_OK) {
    free(c);
    return rc;
  }
  c->source = json_string_value(json_object_get(c->spec, "Source"));
  c->target = json_string_value(json_object_get(c->spec, "Target"));
  c->enrichment = json_string_value(json_object_get(c->spec, "Enrichment"));
  if (c->enrichment && !*c->enrichment) c->enrichment = NULL; /* "" removes it */
  rc = check_arn("source", c->source);
  if (!rc) rc = check_arn("target", c->target);
  c->stream_source = arn_of(c->source, "kinesis", "stream/");
  if (!rc && !c->stream_source && !arn_of(c->source, "sqs", ""))
    rc = invalid("Source %s is not supported. Supported sources: SQS queues and "
                 "Kinesis streams.", c->source);
  if (!rc) rc = target_kind(c->target, &c->kind);
  if (!rc && c->enrichment) rc = check_enrichment(b, c);
  json_t *ep = json_object_get(c->spec, "EnrichmentParameters");
  if (!rc && ep && !json_is_object(ep))
    rc = invalid("EnrichmentParameters must be an object.");
  if (!rc) rc = check_template(ep, "enrichmentParameters.inputTemplate", &c->enrich_template);
  if (!rc) rc = check_http(ep, "enrichmentParameters");
  c->no_batch = c->kind == PIPE_API || (c->enrichment && c->enrich_kind == PIPE_API);
  if (!rc) rc = check_source_params(c);
  if (!rc) rc = check_target_params(b, c);
  if (rc) {
    aev__pipe_conf_unref(c);
    return rc;
  }
  *out = c;
  return AEV_OK;
}
