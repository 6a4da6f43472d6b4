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
 * .waitForTaskToken are supported, .sync is not. */
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
};

/* A parsed resource: its service and action (the API's PascalCase name). */
typedef struct sdk_ref {
  const sdk_target *target; /* NULL: a service this broker does not run */
  const aev__api_service *api;
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
  if (!ref->target) return 1;
  ref->api = api_named(ref->target->api);
  return api_has(ref->api, ref->action) ? 1 : -1;
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
 * (to_lower) or upper-case letter, at every depth. NULL when out of
 * memory. */
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
    if (name && name[0]) name[0] = (char)(to_lower ? tolower((unsigned char)name[0]) : toupper((unsigned char)name[0]));
    if (!o || !name || !y || json_object_set_new(o, name, y)) {
      if (!y || !o || !name) json_decref(y);
      free(name);
      json_decref(o);
      return NULL;
    }
    free(name);
  }
  return o;
}

/* Members the API takes as text that tasks may give as any JSON: AWS
 * serializes them (LocalStack's recorded
 * test_sfn_start_execution_implicit_json_serialisation: an object as
 * StartExecution's Input starts the child with that object). Lambda's
 * Payload likewise, being the function's event. */
static const struct {
  const char *api, *action, *member;
} text_members[] = {
    {"states", "StartExecution", "Input"},   {"states", "StartSyncExecution", "Input"},
    {"states", "SendTaskSuccess", "Output"}, {"lambda", "Invoke", "Payload"},
    {"lambda", "InvokeAsync", "InvokeArgs"},
};

/* The request text for ref from the task's parameters; NULL when out of
 * memory. */
static char *request_text(const sdk_ref *ref, json_t *params) {
  json_t *req = json_is_object(params) ? json_deep_copy(params) : json_object();
  for (size_t i = 0; req && i < sizeof text_members / sizeof text_members[0]; i++) {
    if (strcmp(text_members[i].api, ref->target->api) || strcmp(text_members[i].action, ref->action)) continue;
    json_t *m = json_object_get(req, text_members[i].member);
    if (!m || json_is_string(m) || json_is_null(m)) continue;
    char *t = aev__json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t || json_object_set_new(req, text_members[i].member, json_string(t))) {
      json_decref(req);
      req = NULL;
    }
    free(t);
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
 * with Step Functions' members in PascalCase. NULL when out of memory. */
static char *result_text(const sdk_ref *ref, char *answer) {
  if (!ref->target->camel_wire || !answer) return answer;
  json_t *v = NULL;
  char *text = NULL;
  if (!aev__json_parse_str(answer, 0, &v)) {
    json_t *p = recase(v, 0);
    text = p ? aev__json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    json_decref(v);
  }
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
