/* AWS SDK service integrations: Task states whose Resource is
 * arn:aws:states:::aws-sdk:SERVICE:apiAction[.waitForTaskToken], answered
 * by this broker's own API (aev_call) for the services it runs. The call
 * runs on the handler pool, away from the execution's strand (a Lambda
 * Invoke runs the function's handler, a ReceiveMessage may wait), and its
 * answer or error comes back to the strand as the task's outcome.
 *
 * AWS's guide ("Learning to use AWS service SDK integrations"): the action
 * is the API's in camelCase, its members PascalCase as in the API
 * reference, the result is the API's response; Request Response and
 * .waitForTaskToken are supported, .sync is not. S3's object actions
 * (getObject, putObject, headObject, copyObject, deleteObject(s),
 * listObjects(V2), headBucket) run on the broker's S3 stand-in (sdk_s3.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/sched.h"
#include "core/status.h"
#include "machine/exec_int.h"
#include "machine/sdk_error.h"

#define SDK_PREFIX "aws-sdk:"
#define WAIT_PATTERN ".waitForTaskToken"

/* The services this broker runs, by the names the AWS SDKs (and so
 * aws-sdk: resources) give them. Step Functions' own API names its members
 * in camelCase on the wire while Step Functions tasks name them in
 * PascalCase, as every other service's. */
typedef struct sdk_target {
  const char *sdk; /* "sfn" */
  const char *api; /* aev_call's "states" */
  int camel_wire;
} sdk_target;

static const sdk_target targets[] = {
    {"sqs", "sqs", 0},       {"sns", "sns", 0},           {"lambda", "lambda", 0}, {"kinesis", "kinesis", 0},
    {"firehose", "firehose", 0}, {"eventbridge", "events", 0}, {"sfn", "states", 1},
    {"scheduler", "scheduler", 0}, {"pipes", "pipes", 0},
    {"s3", "s3", 0}, /* no aev_call service: the broker's S3 stand-in (sdk_s3.c) */
};

static int is_s3(const sdk_target *t) { return !strcmp(t->api, "s3"); }

/* A parsed resource: its service and action (the API's PascalCase name). */
typedef struct sdk_ref {
  const sdk_target *target; /* NULL: a service this broker does not run */
  char action[64];
} sdk_ref;

static const aev__api_service *api_named(const char *name) {
  for (size_t i = 0; i < aev__api_n_services; i++)
    if (!strcmp(aev__api_services[i]->name, name)) return aev__api_services[i];
  return NULL;
}

static int api_has(const aev__api_service *svc, const char *action) {
  for (size_t i = 0; svc && i < svc->n_actions; i++)
    if (!strcmp(svc->actions[i].name, action)) return 1;
  return 0;
}

/* 1: resource is an aws-sdk: one, parsed into ref; 0: it is not; -1: it
 * is one AWS does not recognize (a pattern other than .waitForTaskToken,
 * a malformed name, an action the service does not have). */
static int parse(const char *resource, sdk_ref *ref) {
  memset(ref, 0, sizeof *ref);
  const char *p = strstr(resource ? resource : "", ":::");
  if (!p || strncmp(resource, "arn:", 4) || strncmp(p + 3, SDK_PREFIX, strlen(SDK_PREFIX))) return 0;
  const char *svc = p + 3 + strlen(SDK_PREFIX), *colon = strchr(svc, ':');
  if (!colon || colon == svc) return -1;
  for (const char *q = svc; q < colon; q++)
    if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q)) return -1;
  const char *action = colon + 1, *dot = strchr(action, '.');
  size_t len = dot ? (size_t)(dot - action) : strlen(action);
  if (dot && strcmp(dot, WAIT_PATTERN)) return -1; /* .sync: "Not supported" */
  if (!len || len >= sizeof ref->action || !islower((unsigned char)action[0])) return -1;
  for (size_t i = 0; i < len; i++)
    if (!isalnum((unsigned char)action[i])) return -1;
  memcpy(ref->action, action, len);
  ref->action[0] = (char)toupper((unsigned char)ref->action[0]);
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
    if (strlen(targets[i].sdk) == (size_t)(colon - svc) && !strncmp(targets[i].sdk, svc, (size_t)(colon - svc)))
      ref->target = &targets[i];
  /* S3's other actions are AWS's, not this broker's: accepted, and
   * failing when they run, as another service's. */
  if (ref->target && is_s3(ref->target) && !aev__sdk_s3_has(ref->action)) ref->target = NULL;
  return !ref->target || is_s3(ref->target) || api_has(api_named(ref->target->api), ref->action) ? 1 : -1;
}

int aev__sdk_check(const char *resource) {
  sdk_ref ref;
  return parse(resource, &ref) < 0 ? -1 : 0;
}

int aev__sdk_runs(const char *resource) {
  sdk_ref ref;
  return parse(resource, &ref) == 1 && ref.target;
}

/* ---- the request and the answer ---- */

/* A copy of v with every object member's name starting with a lower-case
 * (to_lower) or upper-case letter, at every depth (Step Functions' API has
 * no map keyed by the user's names that this broker answers). NULL when
 * out of memory. */
static json_t *recase(json_t *v, int to_lower) {
  if (json_is_array(v)) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < json_array_size(v); i++)
      if (json_array_append_new(a, recase(json_array_get(v, i), to_lower))) {
        json_decref(a);
        return NULL;
      }
    return a;
  }
  if (!json_is_object(v)) return json_incref(v);
  json_t *o = json_object(), *x;
  const char *k;
  json_object_foreach(v, k, x) {
    char *name = strdup(k);
    json_t *y = recase(x, to_lower);
    if (!o || !name || !y) {
      json_decref(y);
      free(name);
      json_decref(o);
      return NULL;
    }
    if (name[0]) name[0] = (char)(to_lower ? tolower((unsigned char)name[0]) : toupper((unsigned char)name[0]));
    int lost = json_object_set_new(o, name, y);
    free(name);
    if (lost) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

/* How members reach the API and come back. TEXT: a member the API takes
 * as text that a task may give as any JSON, which AWS serializes
 * (LocalStack's recorded test_sfn_start_execution_implicit_json_
 * serialisation: an object as StartExecution's Input starts the child with
 * that object; Lambda's Payload likewise, the function's event). BLOB: a
 * binary member, which Step Functions reads and writes as text, any JSON
 * given serialized (recorded test_s3_put_object: a Body of "text data", of
 * an object, a list, false or 0; test_s3_get_object: the object's bytes as
 * the Body text), while aev_call carries blobs as base64. Paths name
 * members from the request or the answer, "*" every element of a list or
 * value of a map. */
typedef enum conv { TEXT, BLOB } conv;

static const struct member_conv {
  const char *api, *action, *path;
  conv kind;
} in_members[] = {
    {"states", "StartExecution", "Input", TEXT},
    {"states", "StartSyncExecution", "Input", TEXT},
    {"states", "SendTaskSuccess", "Output", TEXT},
    {"lambda", "Invoke", "Payload", TEXT},
    {"kinesis", "PutRecord", "Data", BLOB},
    {"kinesis", "PutRecords", "Records.*.Data", BLOB},
    {"firehose", "PutRecord", "Record.Data", BLOB},
    {"firehose", "PutRecordBatch", "Records.*.Data", BLOB},
    {"sqs", "SendMessage", "MessageAttributes.*.BinaryValue", BLOB},
    {"sqs", "SendMessageBatch", "Entries.*.MessageAttributes.*.BinaryValue", BLOB},
    {"sns", "Publish", "MessageAttributes.*.BinaryValue", BLOB},
}, out_members[] = {
    {"kinesis", "GetRecords", "Records.*.Data", BLOB},
    {"sqs", "ReceiveMessage", "Messages.*.MessageAttributes.*.BinaryValue", BLOB},
};

/* fn(o, key) on each member at path in v; -1 when fn fails (out of memory). */
static int each_member(json_t *v, const char *path, int (*fn)(json_t *o, const char *key)) {
  const char *dot = strchr(path, '.');
  if (!dot) return json_object_get(v, path) && !json_is_null(json_object_get(v, path)) ? fn(v, path) : 0;
  if (dot - path == 1 && path[0] == '*') {
    json_t *x;
    const char *k;
    size_t i;
    if (json_is_array(v))
      json_array_foreach(v, i, x) if (each_member(x, dot + 1, fn)) return -1;
    if (json_is_object(v))
      json_object_foreach(v, k, x) if (each_member(x, dot + 1, fn)) return -1;
    return 0;
  }
  char key[64];
  if ((size_t)(dot - path) >= sizeof key) return 0;
  memcpy(key, path, (size_t)(dot - path));
  key[dot - path] = 0;
  json_t *x = json_object_get(v, key);
  return x ? each_member(x, dot + 1, fn) : 0;
}

/* The member's text: itself if a string, else its JSON. NULL when out of
 * memory. */
static char *text_of(json_t *m, size_t *len) {
  char *t = json_is_string(m) ? strndup(json_string_value(m), json_string_length(m))
                              : aev__json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY);
  if (t) *len = json_is_string(m) ? json_string_length(m) : strlen(t);
  return t;
}

static int to_text(json_t *o, const char *key) {
  json_t *m = json_object_get(o, key);
  if (json_is_string(m)) return 0;
  size_t len;
  char *t = text_of(m, &len);
  int rc = !t || json_object_set_new(o, key, json_stringn(t, len)) ? -1 : 0;
  free(t);
  return rc;
}

static int to_base64(json_t *o, const char *key) {
  size_t len = 0;
  char *t = text_of(json_object_get(o, key), &len), *b64 = NULL;
  int rc = !t || aev__base64_encode(t, len, &b64) || json_object_set_new(o, key, json_string(b64)) ? -1 : 0;
  free(t);
  free(b64);
  return rc;
}

/* Base64 back to text; bytes that are not UTF-8 text stay base64. */
static int from_base64(json_t *o, const char *key) {
  json_t *m = json_object_get(o, key);
  unsigned char *raw = NULL;
  size_t n = 0;
  if (!json_is_string(m)) return 0;
  int rc = aev__base64_decode(json_string_value(m), json_string_length(m), &raw, &n);
  if (rc == AEV_ERR_NOMEM) return -1;
  json_t *text = rc ? NULL : json_stringn((const char *)raw, n);
  free(raw);
  return text && json_object_set_new(o, key, text) ? -1 : 0;
}

/* Converts v's members listed for ref in table (n rows); -1 when out of
 * memory. */
static int convert(const sdk_ref *ref, const struct member_conv *table, size_t n, json_t *v, int in) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(table[i].api, ref->target->api) || strcmp(table[i].action, ref->action)) continue;
    if (each_member(v, table[i].path, table[i].kind == TEXT ? to_text : in ? to_base64 : from_base64)) return -1;
  }
  return 0;
}

/* The request text for ref from the task's parameters; NULL when out of
 * memory. */
static char *request_text(const sdk_ref *ref, json_t *params) {
  json_t *req = json_is_object(params) ? json_deep_copy(params) : json_object();
  if (req && convert(ref, in_members, sizeof in_members / sizeof in_members[0], req, 1)) {
    json_decref(req);
    req = NULL;
  }
  if (req && ref->target->camel_wire) {
    json_t *c = recase(req, 1);
    json_decref(req);
    req = c;
  }
  char *text = req ? aev__json_dumps(req, JSON_COMPACT) : NULL;
  json_decref(req);
  return text;
}

/* The task's result from the API's answer text (taken): the response
 * with Step Functions' members in PascalCase and blobs as text. NULL when
 * out of memory. */
static char *result_text(const sdk_ref *ref, char *answer) {
  json_t *v = NULL, *p = NULL;
  char *text = NULL;
  if (answer && !aev__json_parse_str(answer, 0, &v)) {
    p = ref->target->camel_wire ? recase(v, 0) : json_incref(v);
    if (p && !convert(ref, out_members, sizeof out_members / sizeof out_members[0], p, 0))
      text = aev__json_dumps(p, JSON_COMPACT);
  }
  json_decref(p);
  json_decref(v);
  aev_free(answer);
  return text;
}

/* ---- the call, on the handler pool ---- */

typedef struct sdk_job {
  aev_broker *b;
  sdk_ref ref;
  char *request;
  aev__task_done *done;
} sdk_job;

static void job_free(sdk_job *j) {
  free(j->request);
  free(j);
}

/* Posts the call's outcome and frees j: rc AEV_OK with its answer text
 * (taken), or the service's error code and message. */
static void job_done(sdk_job *j, int rc, char *answer, const char *code, const char *msg) {
  if (!rc) {
    aev__task_done_post(j->done, result_text(&j->ref, answer), NULL, NULL);
  } else if (rc == AEV_ERR_NOMEM) {
    aev_free(answer);
    aev__task_done_post(j->done, NULL, NULL, NULL); /* ours, not the service's */
  } else {
    char error[160], *cause = NULL;
    aev__sdk_v2_error(j->b, j->ref.target->api, code ? code : "InternalFailure", msg ? msg : "", error,
                      sizeof error, &cause);
    char *err = cause ? strdup(error) : NULL;
    if (!err) {
      free(cause);
      cause = NULL;
    }
    aev__task_done_post(j->done, NULL, err, cause);
    aev_free(answer);
  }
  job_free(j);
}

/* A StartSyncExecution's execution ended (on its strand): its answer is
 * the task's (e NULL: it was freed unfinished, as the broker closed). */
static void sync_ended(aev_execution *e, void *user) {
  sdk_job *j = user;
  if (!e) {
    aev__task_done_drop(j->done);
    job_free(j);
    return;
  }
  char *answer = NULL;
  int rc = aev__execution_sync_result(e, &answer);
  job_done(j, rc, answer, aev_errcode(), aev_errmsg());
}

static void job_run(void *arg, int cancelled) {
  sdk_job *j = arg;
  if (cancelled) {
    aev__task_done_drop(j->done);
    job_free(j);
    return;
  }
  /* StartSyncExecution waits for its execution's end, which this broker
   * reaches by draining, and no task may drain: it is watched instead. */
  if (j->ref.target->camel_wire && !strcmp(j->ref.action, "StartSyncExecution")) {
    json_t *req = NULL;
    int rc = aev__json_parse_str(j->request, 0, &req);
    if (!rc) rc = aev__states_start_sync_watched(j->b, req, sync_ended, j);
    json_decref(req);
    if (rc) job_done(j, rc, NULL, aev_errcode(), aev_errmsg());
    return;
  }
  char *answer = NULL;
  if (is_s3(j->ref.target)) {
    int rc = aev__sdk_s3(j->b, j->ref.action, j->request, &answer);
    job_done(j, rc, answer, aev_errcode(), aev_errmsg());
    return;
  }
  int rc = aev_call(j->b, j->ref.target->api, j->ref.action, j->request, &answer);
  json_t *e = NULL;
  if (rc && rc != AEV_ERR_NOMEM) aev__json_parse_str(answer ? answer : "{}", 0, &e);
  job_done(j, rc, answer, json_string_value(json_object_get(e, "__type")),
           json_string_value(json_object_get(e, "message")));
  json_decref(e);
}

int aev__sdk_call(aev_broker *b, const char *resource, json_t *params, aev__task_done *done) {
  sdk_job *j = calloc(1, sizeof *j);
  if (!j || parse(resource, &j->ref) != 1 || !j->ref.target || !(j->request = request_text(&j->ref, params))) {
    free(j);
    return aev__nomem();
  }
  j->b = b;
  j->done = done;
  int rc = aev__sched_post_handler(aev__broker_sched(b), job_run, j);
  if (rc) job_free(j);
  return rc;
}
