/* Targets: parsing and validating PutTargets' Target objects (kind by ARN,
 * input options, RetryPolicy, DeadLetterConfig, SqsParameters), and
 * PutTargets / RemoveTargets / ListTargetsByRule on a rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"

/* EventBridge's defaults: 24 hours and 185 attempts. */
#define DEFAULT_RETRIES 185
#define DEFAULT_AGE_S 86400

void aev__target_ref(aev__target *t) { t->refs++; }

void aev__target_unref(aev__target *t) {
  if (!t || --t->refs) return;
  if (t->release) t->release(t->user);
  aev_queue_release(t->queue);
  free(t->id);
  free(t->arn);
  free(t->rule_name);
  free(t->rule_arn);
  json_decref(t->spec);
  free(t->input);
  free(t->input_path);
  aev__template_free(t->tmpl);
  free(t->group_id);
  free(t->partition_path);
  free(t->dlq_arn);
  json_decref(t->http);
  free(t);
}

const char *aev__target_member(const aev__target_at *at, const char *name,
                               char out[AEV__MEMBER_MAX]) {
  snprintf(out, AEV__MEMBER_MAX, "%s.%s", at->s, name);
  return out;
}

static int invalid(const char *fmt, const char *a, const char *b) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException", fmt, a, b);
}

/* The service part of arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. */
static int arn_service(const char *arn, char *out, size_t cap) {
  if (strncmp(arn, "arn:", 4)) return 0;
  const char *p = strchr(arn + 4, ':');
  if (!p) return 0;
  const char *e = strchr(p + 1, ':');
  if (!e || (size_t)(e - p - 1) >= cap) return 0;
  memcpy(out, p + 1, (size_t)(e - p - 1));
  out[e - p - 1] = 0;
  return 1;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

static int kind_of(const char *id, const char *arn, int *kind) {
  char svc[32];
  if (!arn_service(arn, svc, sizeof svc))
    return invalid("Parameter %s is not valid for target %s: it is not an ARN.",
                   arn, id);
  if (!strcmp(svc, "sqs")) {
    *kind = AEV__TARGET_QUEUE;
    return AEV_OK;
  }
  if (!strcmp(svc, "events") && strstr(arn, ":event-bus/")) {
    *kind = AEV__TARGET_BUS;
    return AEV_OK;
  }
  if (!strcmp(svc, "events") && strstr(arn, ":api-destination/")) {
    *kind = AEV__TARGET_API_DESTINATION;
    return AEV_OK;
  }
  if (!strcmp(svc, "lambda") && strstr(arn, ":function:")) {
    *kind = AEV__TARGET_FUNCTION;
    return AEV_OK;
  }
  static const struct {
    const char *svc, *part;
    int kind;
  } kinds[] = {
      {"sns", ":", AEV__TARGET_TOPIC},
      {"kinesis", ":stream/", AEV__TARGET_STREAM},
      {"firehose", ":deliverystream/", AEV__TARGET_FIREHOSE},
      {"states", ":stateMachine:", AEV__TARGET_MACHINE},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (!strcmp(svc, kinds[i].svc) && strstr(arn, kinds[i].part)) {
      *kind = kinds[i].kind;
      return AEV_OK;
    }
  return invalid("Target %s: targets of service %s are not supported by "
                 "libawsevents yet (supported: SQS queues, SNS topics, Lambda "
                 "functions, Kinesis streams, Firehose delivery streams, Step "
                 "Functions state machines, event buses, API destinations and "
                 "application callbacks).",
                 id, svc);
}

static int opt_str(json_t *o, const char *key, const char **out) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_string(v))
    return invalid("Parameter %s%s must be a string.", key, "");
  *out = json_string_value(v);
  return AEV_OK;
}

/* One RetryPolicy member, into *out (-1 when absent). AWS's validation
 * message names the value it refused and the bound it breaks ("Value '200'
 * at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy
 * constraint: Member must have value less than or equal to 185"). */
static int retry_bound(json_t *n, const char *member, int64_t lo, int64_t hi,
                       const aev__target_at *at, int64_t *out) {
  *out = -1;
  if (!n || json_is_null(n)) return AEV_OK;
  int64_t v = json_is_integer(n) ? (int64_t)json_integer_value(n) : 0;
  if (json_is_integer(n) && v >= lo && v <= hi) {
    *out = v;
    return AEV_OK;
  }
  char *text = json_is_string(n) ? strdup(json_string_value(n))
                                 : aev__json_dumps(n, JSON_ENCODE_ANY | JSON_COMPACT);
  char constraint[64];
  if (!json_is_integer(n))
    snprintf(constraint, sizeof constraint, "Member must be a number");
  else
    snprintf(constraint, sizeof constraint, "Member must have value %s %lld",
             v < lo ? "greater than or equal to" : "less than or equal to",
             (long long)(v < lo ? lo : hi));
  int rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at "
                     "'%s.retryPolicy.%s' failed to satisfy constraint: %s",
                     text ? text : "", at->s, member, constraint);
  free(text);
  return rc;
}

static int parse_retry(json_t *spec, aev__target *t, const aev__target_at *at) {
  t->max_retries = DEFAULT_RETRIES;
  t->max_age_ms = DEFAULT_AGE_S * 1000LL;
  json_t *rp = json_object_get(spec, "RetryPolicy");
  if (!rp || json_is_null(rp)) return AEV_OK;
  if (!json_is_object(rp))
    return invalid("Parameter RetryPolicy of target %s must be an object.%s",
                   t->id, "");
  int64_t v;
  int rc = retry_bound(json_object_get(rp, "MaximumRetryAttempts"),
                       "maximumRetryAttempts", 0, 185, at, &v);
  if (rc == AEV_OK && v >= 0) t->max_retries = (int)v;
  if (rc == AEV_OK)
    rc = retry_bound(json_object_get(rp, "MaximumEventAgeInSeconds"),
                     "maximumEventAgeInSeconds", 60, 86400, at, &v);
  if (rc == AEV_OK && v >= 0) t->max_age_ms = v * 1000;
  return rc;
}

int aev__dlq_arn_ok(const char *arn) {
  char svc[32];
  return arn_service(arn, svc, sizeof svc) && !strcmp(svc, "sqs") &&
         !ends_with(arn, ".fifo");
}

static int parse_dlq(json_t *spec, aev__target *t) {
  json_t *d = json_object_get(spec, "DeadLetterConfig");
  if (!d || json_is_null(d)) return AEV_OK;
  const char *arn;
  int rc = json_is_object(d) ? opt_str(d, "Arn", &arn) : AEV_ERR_INVALID;
  if (rc || !arn)
    return invalid("DeadLetterConfig of target %s needs an Arn.%s", t->id, "");
  if (!aev__dlq_arn_ok(arn))
    return invalid("DeadLetterConfig of target %s: %s is not a standard SQS "
                   "queue ARN; only standard queues are supported.",
                   t->id, arn);
  return (t->dlq_arn = strdup(arn)) ? AEV_OK : aev__nomem();
}

static int parse_input(json_t *spec, aev__target *t, const aev__target_at *at) {
  const char *input, *path;
  char m[AEV__MEMBER_MAX];
  json_t *tr = json_object_get(spec, "InputTransformer");
  if (tr && json_is_null(tr)) tr = NULL;
  int rc = opt_str(spec, "Input", &input);
  if (!rc) rc = opt_str(spec, "InputPath", &path);
  if (!rc) rc = aev__bus_check_length(aev__target_member(at, "input", m), input, 8192);
  if (!rc) rc = aev__bus_check_length(aev__target_member(at, "inputPath", m), path, 256);
  if (rc) return rc;
  if ((input != NULL) + (path != NULL) + (tr != NULL) > 1)
    return invalid("Only one of Input, InputPath, or InputTransformer must be "
                   "provided for target %s.%s",
                   t->id, "");
  if (input) {
    json_t *j;
    rc = aev__json_parse_str(input, JSON_DECODE_ANY, &j);
    json_decref(j);
    if (rc == AEV_ERR_INVALID)
      return invalid("Input for target %s is not valid JSON text.%s", t->id, "");
    if (rc) return rc;
    t->input_mode = AEV__INPUT_CONST;
    return (t->input = strdup(input)) ? AEV_OK : aev__nomem();
  }
  if (path) {
    if ((rc = aev__path_check(path, "InputPath"))) return rc;
    t->input_mode = AEV__INPUT_PATH;
    return (t->input_path = strdup(path)) ? AEV_OK : aev__nomem();
  }
  if (tr) {
    t->input_mode = AEV__INPUT_TEMPLATE;
    return aev__template_compile(tr, t->id, at, &t->tmpl);
  }
  t->input_mode = AEV__INPUT_EVENT;
  return AEV_OK;
}

static int parse_sqs(json_t *spec, aev__target *t, const aev__target_at *at) {
  json_t *p = json_object_get(spec, "SqsParameters");
  const char *group = NULL;
  char m[AEV__MEMBER_MAX];
  if (p && json_is_object(p) && opt_str(p, "MessageGroupId", &group))
    return AEV_ERR_INVALID;
  int rc = aev__bus_check_length(aev__target_member(at, "sqsParameters.messageGroupId", m),
                                 group, 100);
  if (rc) return rc;
  if (t->kind != AEV__TARGET_QUEUE && t->kind != AEV__TARGET_TOPIC)
    return AEV_OK;
  t->fifo = ends_with(t->arn, ".fifo");
  if (t->fifo && !group)
    return invalid("Parameter(s) SqsParameters must be specified for target: "
                   "%s.%s",
                   t->id, "");
  if (group && !(t->group_id = strdup(group))) return aev__nomem();
  return AEV_OK;
}

/* KinesisParameters.PartitionKeyPath: a JSON path into the event (AWS's
 * default partition key is the event id). */
static int parse_kinesis(json_t *spec, aev__target *t, const aev__target_at *at) {
  json_t *p = json_object_get(spec, "KinesisParameters");
  const char *path = NULL;
  char m[AEV__MEMBER_MAX];
  if (p && json_is_object(p) && opt_str(p, "PartitionKeyPath", &path))
    return AEV_ERR_INVALID;
  if (!path) return AEV_OK;
  int rc = aev__bus_check_length(aev__target_member(at, "kinesisParameters.partitionKeyPath", m),
                                 path, 256);
  if (!rc) rc = aev__path_check(path, "KinesisParameters.PartitionKeyPath");
  if (!rc && !(t->partition_path = strdup(path))) rc = aev__nomem();
  return rc;
}

int aev__target_parse(aev_bus *bus, const aev__rule *r, json_t *spec, size_t pos,
                      aev_bus_target_fn fn, void *user,
                      aev_release_fn release, aev__target **out) {
  if (!json_is_object(spec))
    return invalid("Each target must be an object.%s%s", "", "");
  aev__target_at at;
  char m[AEV__MEMBER_MAX];
  snprintf(at.s, sizeof at.s, "targets.%zu.member", pos);
  const char *id, *arn;
  int rc = opt_str(spec, "Id", &id);
  if (!rc) rc = opt_str(spec, "Arn", &arn);
  if (rc) return rc;
  if (!id)
    return invalid("1 validation error detected: Value null at "
                   "'%s.id' failed to satisfy constraint: "
                   "Member must not be null%s",
                   at.s, "");
  if ((rc = aev__bus_check_name(aev__target_member(&at, "id", m), id, 64))) return rc;
  aev_broker *b = bus->res.broker;
  char cb_arn[160];
  int kind = AEV__TARGET_CALLBACK;
  if (fn) {
    snprintf(cb_arn, sizeof cb_arn, "arn:aws:events:%s:%s:callback/%s",
             aev_broker_region(b), aev_broker_account(b), id);
    arn = cb_arn;
  } else if (!arn) {
    return invalid("1 validation error detected: Value null at "
                   "'%s.arn' failed to satisfy constraint: "
                   "Member must not be null%s",
                   at.s, "");
  } else if ((rc = kind_of(id, arn, &kind))) {
    return rc;
  }
  aev__target *t = aev__line_calloc(sizeof *t);
  if (!t) return aev__nomem();
  t->refs = 1;
  t->broker = b;
  t->kind = kind;
  t->spec = json_deep_copy(spec);
  if (!(t->id = strdup(id)) || !(t->arn = strdup(arn)) ||
      !(t->rule_name = strdup(r->name)) || !(t->rule_arn = strdup(r->arn)) ||
      !t->spec)
    rc = aev__nomem();
  if (!rc) rc = json_object_set_new(t->spec, "Arn", json_string(arn)) ? aev__nomem() : AEV_OK;
  if (!rc) rc = parse_input(spec, t, &at);
  if (!rc) rc = parse_retry(spec, t, &at);
  if (!rc) rc = parse_dlq(spec, t);
  if (!rc) rc = parse_sqs(spec, t, &at);
  if (!rc) rc = parse_kinesis(spec, t, &at);
  if (!rc) rc = aev__target_parse_http(spec, t, &at);
  if (rc) {
    aev__target_unref(t);
    return rc;
  }
  /* The release runs only once the target exists for real. */
  t->fn = fn;
  t->user = user;
  t->release = release;
  *out = t;
  return AEV_OK;
}

static json_t *result(void) {
  return json_pack("{s:i,s:[]}", "FailedEntryCount", 0, "FailedEntries");
}

static int dump(json_t *o, char **out) {
  if (!out) {
    json_decref(o);
    return AEV_OK;
  }
  *out = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *out ? AEV_OK : aev__nomem();
}

/* Installs parsed targets on rule name: same ids replace, new ids append,
 * the total at most AEV_BUS_MAX_TARGETS. Takes ts[] (unref'd on failure). */
static int install(aev_bus *bus, const char *name, aev__target **ts, size_t n) {
  pthread_rwlock_wrlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, name);
  int rc = r ? AEV_OK : aev__bus_no_rule(bus, name);
  aev__route *rt = r ? &bus->routes[r->id] : NULL;
  size_t total = rt ? rt->n_targets : 0;
  for (size_t i = 0; !rc && i < n; i++) {
    int found = 0;
    for (size_t j = 0; j < rt->n_targets && !found; j++)
      found = !strcmp(rt->targets[j]->id, ts[i]->id);
    for (size_t j = 0; j < i && !found; j++) found = !strcmp(ts[j]->id, ts[i]->id);
    if (!found) total++;
  }
  if (!rc && total > AEV_BUS_MAX_TARGETS)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "The requested resource exceeds the maximum number "
                   "allowed.");
  aev__target *old[AEV_BUS_MAX_TARGETS * 2];
  size_t n_old = 0, k = 0;
  if (!rc) {
    aev__target **v = rt->targets;
    k = rt->n_targets;
    for (size_t i = 0; i < n; i++) {
      size_t j = 0;
      while (j < k && strcmp(v[j]->id, ts[i]->id)) j++;
      if (j < k) old[n_old++] = v[j];
      else k++;
      v[j] = ts[i];
    }
    rt->n_targets = k;
  }
  pthread_rwlock_unlock(&bus->lock);
  for (size_t i = 0; i < n_old; i++) aev__target_unref(old[i]);
  if (rc)
    for (size_t i = 0; i < n; i++) aev__target_unref(ts[i]);
  return rc;
}

/* Parses targets against the rule's current name and ARN. */
static int parse_all(aev_bus *bus, const char *rule, json_t *list,
                     aev_bus_target_fn fn, void *user, aev_release_fn release,
                     aev__target **ts) {
  pthread_rwlock_rdlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, rule);
  if (r) aev__rule_ref(r);
  pthread_rwlock_unlock(&bus->lock);
  if (!r) return aev__bus_no_rule(bus, rule);
  int rc = AEV_OK;
  size_t i = 0;
  for (; !rc && i < json_array_size(list); i++)
    rc = aev__target_parse(bus, r, json_array_get(list, i), i + 1, fn, user, release,
                           &ts[i]);
  aev__rule_unref(r);
  if (rc)
    while (i-- > 1) aev__target_unref(ts[i - 1]);
  return rc;
}

int aev__put_targets(aev_bus *bus, const char *rule, json_t *list,
                     json_t **resp) {
  size_t n = json_array_size(list);
  if (!json_is_array(list) || n < 1 || n > 10)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at 'targets' failed "
                     "to satisfy constraint: Member must have length between "
                     "1 and 10");
  aev__target *ts[10];
  int rc = parse_all(bus, rule, list, NULL, NULL, NULL, ts);
  if (!rc) rc = install(bus, rule, ts, n);
  if (!rc) *resp = result();
  return rc ? rc : *resp ? AEV_OK : aev__nomem();
}

int aev_bus_put_targets(aev_bus *bus, const char *rule, const char *targets_json,
                        char **result_json) {
  if (!bus || !rule || !targets_json)
    return invalid("bus, rule and targets_json are required.%s%s", "", "");
  json_t *list, *resp;
  if (aev__json_parse_str(targets_json, 0, &list) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int rc = aev__put_targets(bus, rule, list, &resp);
  json_decref(list);
  return rc ? rc : dump(resp, result_json);
}

int aev_bus_put_callback_target(aev_bus *bus, const char *rule,
                                const char *target_json, aev_bus_target_fn fn,
                                void *user, aev_release_fn release) {
  if (!bus || !rule || !target_json || !fn)
    return invalid("bus, rule, target_json and fn are required.%s%s", "", "");
  json_t *spec;
  if (aev__json_parse_str(target_json, 0, &spec) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!spec) return invalid("target_json is not a JSON object.%s%s", "", "");
  json_t *list = json_array();
  aev__target *t;
  int rc = json_array_append_new(list, spec) ? aev__nomem()
                                             : parse_all(bus, rule, list, fn, user, release, &t);
  json_decref(list);
  if (rc) return rc;
  /* On failure install() drops t, whose release must not run. */
  aev_release_fn keep = t->release;
  t->release = NULL;
  aev__target_ref(t);
  rc = install(bus, rule, &t, 1);
  if (!rc) t->release = keep;
  aev__target_unref(t);
  return rc;
}

int aev__remove_targets(aev_bus *bus, const char *rule, json_t *ids,
                        json_t **resp) {
  size_t n = json_array_size(ids);
  if (!json_is_array(ids) || n < 1 || n > 100)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at 'ids' failed to "
                     "satisfy constraint: Member must have length between 1 "
                     "and 100");
  pthread_rwlock_wrlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, rule);
  aev__target *gone[AEV_BUS_MAX_TARGETS];
  size_t n_gone = 0;
  if (r) {
    aev__route *rt = &bus->routes[r->id];
    size_t k = 0;
    for (size_t j = 0; j < rt->n_targets; j++) {
      int drop = 0;
      for (size_t i = 0; i < n && !drop; i++)
        drop = json_is_string(json_array_get(ids, i)) &&
               !strcmp(json_string_value(json_array_get(ids, i)),
                       rt->targets[j]->id);
      if (drop) gone[n_gone++] = rt->targets[j];
      else rt->targets[k++] = rt->targets[j];
    }
    rt->n_targets = k;
  }
  pthread_rwlock_unlock(&bus->lock);
  for (size_t i = 0; i < n_gone; i++) aev__target_unref(gone[i]);
  if (!r) return aev__bus_no_rule(bus, rule);
  return (*resp = result()) ? AEV_OK : aev__nomem();
}

int aev_bus_remove_targets(aev_bus *bus, const char *rule, const char *ids_json,
                           char **result_json) {
  if (!bus || !rule || !ids_json)
    return invalid("bus, rule and ids_json are required.%s%s", "", "");
  json_t *ids, *resp;
  if (aev__json_parse_str(ids_json, 0, &ids) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int rc = aev__remove_targets(bus, rule, ids, &resp);
  json_decref(ids);
  return rc ? rc : dump(resp, result_json);
}

int aev_bus_list_targets(aev_bus *bus, const char *rule, char **json_out) {
  if (!bus || !rule || !json_out)
    return invalid("bus, rule and json_out are required.%s%s", "", "");
  json_t *list = json_array();
  int whole = list != NULL;
  pthread_rwlock_rdlock(&bus->lock);
  aev__rule *r = aev__rmap_get(&bus->rules, rule);
  const aev__route *rt = r ? &bus->routes[r->id] : NULL;
  for (size_t j = 0; rt && whole && j < rt->n_targets; j++)
    whole = !json_array_append(list, rt->targets[j]->spec);
  pthread_rwlock_unlock(&bus->lock);
  list = aev__json_whole(list, whole);
  if (!r) {
    json_decref(list);
    return aev__bus_no_rule(bus, rule);
  }
  return dump(list ? json_pack("{s:o}", "Targets", list) : NULL, json_out);
}
