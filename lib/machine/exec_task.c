/* Task states: TimeoutSeconds[Path] / HeartbeatSeconds[Path] (checked
 * before anything is called, then timers), the Task* and LambdaFunction*
 * history events, and the integrations: functions of this broker (a Lambda
 * ARN, or arn:aws:states:::lambda:invoke with its Payload / StatusCode
 * response), arn:aws:states:::sqs:sendMessage through lib/queue, and the
 * arn:aws:states:::sns:publish and events:putEvents through those primitives'
 * public API, arn:aws:states:::states:startExecution (.sync and .sync:2:
 * the nested execution's end completes the task), AWS SDK integrations
 * (aws-sdk:SERVICE:action, called by exec_sdk.c), and the
 * .waitForTaskToken pattern completed by SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat. Completions from other threads come back to the
 * execution's strand; a late completion (after a timeout) is dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "function/function.h"
#include "machine/exec_int.h"
#include "machine/probe.h"
#include "machine/sdk_error.h"
#include "queue/msgattr.h"
#include "queue/queue.h"
#include "awsevents/bus.h"
#include "awsevents/topic.h"

#define WAIT_SUFFIX ".waitForTaskToken"

static int recording(const m_run *r) { return r->e->history != NULL; }

/* What the running task is, for its events. */
typedef struct task_kind {
  int legacy_lambda; /* arn:aws:lambda:...: LambdaFunction* events */
  int activity;      /* arn:aws:states:...:activity:...: Activity* events */
  int sdk;           /* arn:aws:states:::aws-sdk:SERVICE:action */
  const char *type;  /* resourceType: "lambda", "sqs", "aws-sdk:sqs" (then sdk_type) */
  char resource[64]; /* "invoke", "sendMessage.waitForTaskToken" */
  char sdk_type[48];
} task_kind;

static int is_activity(const char *res) {
  return !strncmp(res, "arn:", 4) && strstr(res, ":states:") && strstr(res, ":activity:");
}

static void kind_of(const char *res, task_kind *k) {
  memset(k, 0, sizeof *k);
  if (is_activity(res)) {
    k->activity = 1;
    k->type = "activity";
    return;
  }
  if (!strncmp(res, "arn:aws:lambda:", 15) || !strncmp(res, "arn:aws-cn:lambda:", 18)) {
    k->legacy_lambda = 1;
    k->type = "lambda";
    return;
  }
  const char *svc = strstr(res, ":::");
  const char *colon = svc ? strchr(svc + 3, ':') : NULL;
  if (!colon) {
    k->type = "unknown";
    return;
  }
  /* An AWS SDK integration's resourceType names the service, its resource
   * the action (LocalStack's recorded test_aws_sdk_task_service:
   * "resourceType": "aws-sdk:sfn", "resource": "startExecution"). */
  if (!strncmp(svc + 3, "aws-sdk:", 8)) {
    const char *action = strchr(svc + 11, ':');
    if (action) {
      k->sdk = 1;
      snprintf(k->sdk_type, sizeof k->sdk_type, "%.*s", (int)(action - svc - 3), svc + 3);
      k->type = k->sdk_type;
      snprintf(k->resource, sizeof k->resource, "%s", action + 1);
      return;
    }
  }
  static const char *const types[] = {"lambda", "sqs", "sns", "events", "states", "http"};
  k->type = "other";
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (!strncmp(svc + 3, types[i], strlen(types[i])) && svc[3 + strlen(types[i])] == ':') k->type = types[i];
  snprintf(k->resource, sizeof k->resource, "%s", colon + 1);
}

static json_t *detail(const m_run *r, const task_kind *k, json_t *extra) {
  if (!recording(r)) {
    json_decref(extra);
    return NULL;
  }
  if (k->legacy_lambda || k->activity) return extra ? extra : json_object();
  json_t *d = json_pack("{s:s,s:s}", "resourceType", k->type, "resource", k->resource);
  if (d && extra && json_object_update(d, extra)) {
    json_decref(d);
    d = NULL; /* never partial details: none, and the history notes it */
  }
  json_decref(extra);
  return d;
}

/* A task's events by integration kind (legacy Lambda, activity, service
 * task): static names, since the history keeps the pointers. */
enum { EV_SCHEDULED, EV_STARTED, EV_SUCCEEDED, EV_FAILED, EV_TIMED_OUT, EV_KINDS };
#define EVENT_NAMES(p, s) {p "Scheduled" s, p "Started" s, p "Succeeded" s, p "Failed" s, p "TimedOut" s}
static const char *const event_types[3][EV_KINDS] = {
    EVENT_NAMES("LambdaFunction", ""), EVENT_NAMES("Activity", ""), EVENT_NAMES("Task", "")};
static const char *const event_keys[3][EV_KINDS] = {EVENT_NAMES("lambdaFunction", "EventDetails"),
                                                    EVENT_NAMES("activity", "EventDetails"),
                                                    EVENT_NAMES("task", "EventDetails")};

/* extra: the event's own details; NULL only for a Started event of a
 * Lambda or service task, which has none (elsewhere NULL is details that
 * could not be built, and no event is recorded). */
static void event(m_run *r, const task_kind *k, int what, json_t *extra) {
  int kind = k->legacy_lambda ? 0 : k->activity ? 1 : 2;
  /* AWS's LambdaFunctionStarted carries no details. */
  const char *key = what == EV_STARTED && k->legacy_lambda ? NULL : event_keys[kind][what];
  int own = what != EV_STARTED || k->activity;
  aev__run_event(r, event_types[kind][what], key, own && !extra ? NULL : detail(r, k, extra));
}

static void cancel_timers(m_run *r) {
  aev__sched *sc = aev__broker_sched(r->e->b);
  if (r->timer_armed && aev__timer_cancel(sc, &r->timer)) {
    r->timer_armed = 0;
    aev__execution_unref(r->e);
  }
  if (r->hb_armed && aev__timer_cancel(sc, &r->hb_timer)) {
    r->hb_armed = 0;
    aev__execution_unref(r->e);
  }
}

/* ---- open task tokens ---- */

static size_t run_index(const m_run *r) {
  size_t idx = 0;
  while (idx < r->e->nruns && r->e->runs[idx] != r) idx++;
  return idx;
}

static uint64_t token_key(size_t run_idx, unsigned seq) { return (uint64_t)run_idx << 32 | seq; }

/* Where key is among e's open tokens (mu held), or nopen. */
static size_t open_find(const aev_execution *e, uint64_t key) {
  size_t i = 0;
  while (i < e->nopen && e->open_tokens[i] != key) i++;
  return i;
}

/* r's current task gives out a token: it may be answered. -1 when out of
 * memory. */
static int token_open(m_run *r) {
  aev_execution *e = r->e;
  const uint64_t key = token_key(run_index(r), r->task_seq);
  pthread_mutex_lock(&e->mu);
  if (e->nopen == e->capopen) {
    size_t cap = e->capopen ? e->capopen * 2 : 4;
    uint64_t *v = realloc(e->open_tokens, cap * sizeof *v);
    if (!v) {
      pthread_mutex_unlock(&e->mu);
      return -1;
    }
    e->open_tokens = v;
    e->capopen = cap;
  }
  e->open_tokens[e->nopen++] = key;
  pthread_mutex_unlock(&e->mu);
  return 0;
}

/* r's current task ends (before its seq moves on): its token, if it gave
 * one out, is answered no more ("Provided task does not exist anymore"). */
static void token_close(m_run *r) {
  aev_execution *e = r->e;
  if (!r->token) return;
  const uint64_t key = token_key(run_index(r), r->task_seq);
  pthread_mutex_lock(&e->mu);
  size_t i = open_find(e, key);
  if (i < e->nopen) e->open_tokens[i] = e->open_tokens[--e->nopen];
  pthread_mutex_unlock(&e->mu);
}

void aev__tokens_close_dead(aev_execution *e) {
  pthread_mutex_lock(&e->mu);
  for (size_t i = 0; i < e->nopen;) {
    const size_t idx = (size_t)(e->open_tokens[i] >> 32);
    if (idx < e->nruns && aev__run_dead(e->runs[idx])) e->open_tokens[i] = e->open_tokens[--e->nopen];
    else i++;
  }
  pthread_mutex_unlock(&e->mu);
}

static void task_failed(m_run *r, const char *error, const char *cause) {
  task_kind k;
  kind_of(aev__run_state(r)->resource, &k);
  cancel_timers(r);
  token_close(r);
  r->task_seq++;
  event(r, &k, EV_FAILED, aev__json_present("error", error, "cause", cause));
  aev__run_fail(r, error, cause, 0);
}

static void task_succeeded(m_run *r, json_t *out) {
  task_kind k;
  kind_of(aev__run_state(r)->resource, &k);
  /* A result over the limit fails the task (TaskFailed or
   * LambdaFunctionFailed recorded) and names a service integration by its
   * type, "The state/task 'lambda' returned a result ...", a Lambda ARN
   * resource by its ARN (LocalStack's test_states_errors, validated
   * against AWS). */
  char cause[512];
  if (aev__data_limit_cause(out, k.legacy_lambda || k.activity ? aev__run_state(r)->resource : k.type, cause,
                            sizeof cause)) {
    json_decref(out);
    r->task_result_over_limit = 1;
    task_failed(r, "States.DataLimitExceeded", cause);
    return;
  }
  cancel_timers(r);
  token_close(r);
  r->task_seq++;
  char *t = recording(r) ? aev__json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  event(r, &k, EV_SUCCEEDED, t ? json_pack("{s:s,s:{s:b}}", "output", t, "outputDetails", "truncated", 0) : NULL);
  free(t);
  aev__run_result(r, out);
}

/* A task's output (stolen) built by this broker: NULL when out of memory,
 * which fails the task as States.Runtime, never succeeds it empty. */
static void task_output(m_run *r, json_t *out) {
  if (out) task_succeeded(r, out);
  else task_failed(r, "States.Runtime", "Out of memory");
}

/* A task that waits (.waitForTaskToken, .sync) made its call: AWS records
 * the call's answer (out, stolen) in a TaskSubmitted event and goes on
 * waiting (LocalStack's recorded test_callback: TaskStarted, then
 * TaskSubmitted with SendMessage's answer, then TaskSucceeded with the
 * token's output). */
static void task_submitted(m_run *r, json_t *out) {
  if (!out) {
    task_failed(r, "States.Runtime", "Out of memory");
    return;
  }
  task_kind k;
  kind_of(aev__run_state(r)->resource, &k);
  char *t = recording(r) ? aev__json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  json_decref(out);
  json_t *extra = t ? json_pack("{s:s,s:{s:b}}", "output", t, "outputDetails", "truncated", 0) : NULL;
  free(t);
  /* NULL (not recording, or out of memory): no event, never a partial
   * one; the task still waits */
  if (extra) aev__run_event(r, "TaskSubmitted", "taskSubmittedEventDetails", detail(r, &k, extra));
}

/* The answer of a service call: the task's output, or, for a task that
 * waits, its TaskSubmitted event. */
static void task_answer(m_run *r, json_t *out, int waits) {
  if (waits) task_submitted(r, out);
  else task_output(r, out);
}

/* Adds key: value (stolen) to o, or frees o: NULL when out of memory. */
static json_t *with(json_t *o, const char *key, json_t *value) {
  if (o && !json_object_set_new(o, key, value)) return o;
  if (!o) json_decref(value);
  json_decref(o);
  return NULL;
}

/* An HTTP Date header's value (RFC 1123) of epoch ms. */
static void http_date(int64_t ms, char out[40]) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  static const char days[] = "SunMonTueWedThuFriSat", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  snprintf(out, 40, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT", days + 3 * tm.tm_wday, tm.tm_mday,
           months + 3 * tm.tm_mon, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The length of epoch ms as seconds in Java's Double.toString: from 10^7
 * on, d.ddd...E9 with the trailing zeros of the digits dropped (one kept
 * after the point); below, d.ddd with at least one decimal. */
static size_t java_seconds_len(int64_t ms) {
  if (ms == 0) return 3; /* 0.0 */
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%lld", (long long)(ms < 0 ? -ms : ms));
  int kept = n;
  while (kept > 1 && digits[kept - 1] == '0') kept--;
  const size_t sign = ms < 0;
  if (ms >= 10000000000LL || ms <= -10000000000LL) /* "d." + rest (or "0") + "E" + exponent */
    return sign + 2 + (size_t)(kept > 1 ? kept - 1 : 1) + 1 + (n - 4 >= 10 ? 2 : 1);
  int whole = n > 3 ? n - 3 : 1, frac = kept > n - 3 ? kept - (n - 3) : 0;
  return sign + (size_t)whole + 1 + (size_t)(frac > 0 ? frac : 1);
}

/* The headers every recorded response has beside the request id and the
 * date: its content type and the length of the service's own body, and
 * keep-alive (under the name the service writes it with, or NULL: none).
 * NULL when out of memory. */
static json_t *response_headers(const char *type, size_t body_len, const char *connection) {
  char len[24];
  snprintf(len, sizeof len, "%zu", body_len);
  json_t *h = json_pack("{s:s,s:s}", "Content-Type", type, "Content-Length", len);
  if (h && connection && json_object_set_new(h, connection, json_string("keep-alive"))) {
    json_decref(h);
    return NULL;
  }
  return h;
}

/* The response metadata AWS's Java SDK leaves on an optimized
 * integration's output, as recorded for sqs:sendMessage, sns:publish,
 * states:startExecution and lambda:invoke: the HTTP status; the
 * response's headers (the service's own, headers, stolen, with the
 * request id and the date added), also each as a one-element list in
 * AllHttpHeaders; and the request id again. NULL when out of memory (out
 * is released). */
static json_t *with_sdk_metadata(m_run *r, json_t *out, json_t *headers) {
  char id[AEV_UUID_LEN + 1], date[40];
  aev__broker_uuid(r->e->b, id);
  http_date(aev__clock_now_ms(aev__broker_clock(r->e->b)), date);
  json_t *all = json_object(), *meta = NULL, *v;
  const char *k;
  int lost = !headers || !all || json_object_set_new(headers, "x-amzn-RequestId", json_string(id)) ||
             json_object_set_new(headers, "Date", json_string(date));
  json_object_foreach(headers, k, v) lost = lost || json_object_set_new(all, k, json_pack("[O]", v));
  if (!lost)
    meta = json_pack("{s:O,s:O,s:i}", "AllHttpHeaders", all, "HttpHeaders", headers, "HttpStatusCode", 200);
  json_decref(headers);
  json_decref(all);
  if (!meta) {
    json_decref(out);
    return NULL;
  }
  out = with(out, "SdkHttpMetadata", meta);
  return with(out, "SdkResponseMetadata", json_pack("{s:s}", "RequestId", id));
}

/* ---- timeouts and heartbeats ---- */

static void timed_out(m_run *r, const char *error) {
  task_kind k;
  kind_of(aev__run_state(r)->resource, &k);
  cancel_timers(r);
  aev__task_withdraw(r); /* no worker may take it any more */
  token_close(r);
  r->task_seq++;
  event(r, &k, EV_TIMED_OUT, json_pack("{s:s}", "error", error));
  aev__run_fail(r, error, NULL, 0);
}

static void timeout_fired(void *arg, int cancelled) {
  m_run *r = arg;
  aev_execution *e = r->e;
  r->timer_armed = 0;
  if (!cancelled && !aev__run_dead(r)) timed_out(r, "States.Timeout");
  aev__execution_unref(e);
}

/* A missed heartbeat is reported as States.Timeout (LocalStack's
 * test_heartbeats snapshots, recorded against AWS in 2024: TaskTimedOut
 * and ExecutionFailed with States.Timeout); a retrier or catcher of
 * States.HeartbeatTimeout takes it too, as AWS documents. */
static void heartbeat_fired(void *arg, int cancelled) {
  m_run *r = arg;
  aev_execution *e = r->e;
  r->hb_armed = 0;
  if (!cancelled && !aev__run_dead(r)) {
    r->heartbeat_missed = 1;
    timed_out(r, "States.Timeout");
  }
  aev__execution_unref(e);
}

static void arm(m_run *r, aev__timer *t, int *armed, aev__task_fn fn, int64_t seconds) {
  aev__sched *sc = aev__broker_sched(r->e->b);
  if (*armed && aev__timer_cancel(sc, t)) aev__execution_unref(r->e);
  *armed = 0;
  aev__timer_init(t, fn, r, r->e->strand);
  r->e->refs++;
  if (aev__timer_arm(sc, t, aev__clock_mono_ms(aev__broker_clock(r->e->b)) + seconds * 1000)) {
    r->e->refs--;
    return;
  }
  *armed = 1;
}

/* TimeoutSeconds / HeartbeatSeconds: the number given, or the positive
 * integer that the Path (JSONPath) or the expression (JSONata) gives. */
static int seconds_of(m_run *r, const aev__jpath *p, const m_jt *expr, int64_t fixed, json_t *effective,
                      const char *field, int64_t *out) {
  *out = fixed;
  if (expr) {
    double v;
    if (aev__jq_number(r, expr, 1, 1, 99999999, &v)) return -1;
    *out = (int64_t)v;
    return 0;
  }
  if (!p) return 0;
  aev__jenv env;
  aev__run_env(r, &env, effective);
  json_t *v = aev__jpath_eval(p, &env);
  if (!v) {
    aev__run_fail_env(r, &env);
    return -1;
  }
  if (!json_is_integer(v) || json_integer_value(v) <= 0) {
    char *t = aev__json_text(v);
    char msg[512];
    snprintf(msg, sizeof msg, "The %s field refers to value \"%s\" which is not a valid positive integer: %s",
             field, t ? t : "", aev__jpath_text(p));
    free(t);
    json_decref(v);
    aev__run_fail(r, "States.Runtime", msg, 1);
    return -1;
  }
  *out = json_integer_value(v);
  json_decref(v);
  return 0;
}

/* ---- task tokens ---- */

/* A token names its execution and run: base64 of
 * "MACHINE\nEXECUTION\nRUN\nSEQ\nNONCE", so no table is needed to find
 * them; whether its task still waits for it is in the execution's open
 * tokens. */
static char *token_new(m_run *r) {
  char raw[512];
  snprintf(raw, sizeof raw, "%s\n%s\n%zu\n%u\n%llx", r->e->m->res.name, r->e->name, run_index(r),
           r->task_seq, (unsigned long long)aev__broker_random(r->e->b));
  char *t = NULL;
  aev__base64_encode(raw, strlen(raw), &t);
  return t;
}

void aev__task_withdraw(m_run *r) {
  if (r->queued_on && r->token) aev__activity_withdraw(r->e->b, r->queued_on, r->token);
  r->queued_on = NULL;
}

/* An activity's or a callback's task: it waits for a task token. */
static int takes_token(const char *res) {
  size_t n = strlen(res), w = strlen(WAIT_SUFFIX);
  return is_activity(res) || (n >= w && !strcmp(res + n - w, WAIT_SUFFIX));
}

int aev__task_waits(const char *resource) {
  return takes_token(resource) || strstr(resource, ".sync") != NULL;
}

int aev__task_prepare(m_run *r) {
  const m_state *s = aev__run_state(r);
  token_close(r);
  r->task_seq++;
  aev__task_withdraw(r);
  free(r->token);
  r->token = NULL;
  if (!takes_token(s->resource)) return 0;
  r->token = token_new(r);
  if (r->token && token_open(r)) {
    free(r->token);
    r->token = NULL;
  }
  if (!r->token) return -1; /* never a task that waits for no token */
  return r->e->context ? aev__ctx_set(r->e, "Task", json_pack("{s:s}", "Token", r->token)) : 0;
}

/* ---- completions that arrive from other threads ---- */

typedef struct completion {
  aev__task_node node; /* its post to the strand: one that cannot fail */
  aev_execution *e; /* a counted reference */
  m_run *r;         /* NULL: resolve run_idx on the strand */
  size_t run_idx;
  unsigned seq;
  int ok, heartbeat, from_token;
  int started; /* an activity worker took the task: payload is its name */
  int json_output; /* .sync:2 */
  int nomem;       /* the outcome could not be copied: States.Runtime */
  char *payload; /* result JSON, or Lambda's error object */
  char *error, *cause;
  char version[32]; /* the function version that ran (lambda:invoke) */
} completion;

static void completion_free(completion *c) {
  free(c->payload);
  free(c->error);
  free(c->cause);
  free(c);
}

/* An X-Ray trace header as Lambda's responses carry it (seen from AWS:
 * "Root=1-6951d70a-3f43...;Parent=4891...;Sampled=0;Lineage=1:ddf3d3e0:0"):
 * the epoch seconds in hex and digits from the broker's generator. */
static void trace_id(m_run *r, char out[128]) {
  char a[AEV_UUID_LEN + 1], b[AEV_UUID_LEN + 1], hex[64];
  aev__broker_uuid(r->e->b, a);
  aev__broker_uuid(r->e->b, b);
  size_t n = 0;
  for (const char *p = a; *p; p++) {
    if (*p != '-') hex[n++] = *p;
  }
  for (const char *p = b; *p && n < sizeof hex - 1; p++) {
    if (*p != '-') hex[n++] = *p;
  }
  hex[n] = 0;
  snprintf(out, 128, "Root=1-%08llx-%.24s;Parent=%.16s;Sampled=0;Lineage=1:%.8s:0",
           (unsigned long long)(aev__clock_now_ms(aev__broker_clock(r->e->b)) / 1000), hex, hex + 24, hex + 40);
}

/* lambda:invoke's output (Invoke's answer, as seen from AWS): the function's
 * payload (len bytes of text), the version that ran, and Lambda's response
 * headers beside the SDK's metadata. */
static json_t *lambda_output(m_run *r, const task_kind *k, json_t *payload, size_t len,
                             const char *version) {
  if (k->legacy_lambda) return payload;
  char trace[128];
  trace_id(r, trace);
  json_t *out = json_pack("{s:s,s:o,s:i}", "ExecutedVersion", version, "Payload", payload, "StatusCode", 200);
  json_t *h = response_headers("application/json", len, "Connection");
  if (h && json_object_update_new(h, json_pack("{s:s,s:s,s:s}", "X-Amz-Executed-Version", version,
                                               "x-amzn-Remapped-Content-Length", "0", "X-Amzn-Trace-Id", trace))) {
    json_decref(h);
    h = NULL;
  }
  return with_sdk_metadata(r, out, h);
}

static void completion_run(void *arg, int cancelled) {
  completion *c = arg;
  aev_execution *e = c->e;
  m_run *r = c->r ? c->r : c->run_idx < e->nruns ? e->runs[c->run_idx] : NULL;
  if (cancelled || !r || aev__run_dead(r) || c->seq != r->task_seq) goto out;
  if (c->started) {
    task_kind k;
    kind_of(aev__run_state(r)->resource, &k);
    event(r, &k, EV_STARTED, aev__json_present("workerName", c->payload, NULL, NULL));
    goto out;
  }
  if (c->heartbeat) {
    if (r->hb_armed && r->hb_seconds)
      arm(r, &r->hb_timer, &r->hb_armed, heartbeat_fired, r->hb_seconds);
    goto out;
  }
  if (c->nomem) {
    task_failed(r, "States.Runtime", "Out of memory");
    goto out;
  }
  if (!c->ok) {
    task_failed(r, c->error, c->cause);
    goto out;
  }
  json_t *v = json_null();
  int rc = c->payload ? aev__json_parse_str(c->payload, JSON_DECODE_ANY, &v) : AEV_OK;
  if (rc) {
    task_failed(r, "States.Runtime", rc == AEV_ERR_NOMEM ? "Out of memory"
                : "The task returned output that is not valid JSON.");
    goto out;
  }
  task_kind k;
  kind_of(aev__run_state(r)->resource, &k);
  /* With .waitForTaskToken the token, not the call, completes the task:
   * the call's answer is only submitted; a failed call still fails it. */
  if (c->from_token) task_output(r, v);
  else task_answer(r, !strcmp(k.type, "lambda") ? lambda_output(r, &k, v, c->payload ? strlen(c->payload) : 0, c->version) : v,
                   r->token != NULL);
out:
  completion_free(c);
  aev__execution_unref(e);
}

/* Frees c unposted, with its execution reference. */
static void completion_drop(completion *c) {
  aev_execution *e = c->e;
  completion_free(c);
  aev__execution_unref(e);
}

/* A completion for r's current attempt, holding an execution reference;
 * NULL when out of memory. */
static completion *completion_new(m_run *r) {
  completion *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->e = r->e;
  c->r = r;
  c->seq = r->task_seq;
  r->e->refs++;
  return c;
}

/* Posts c (holding its execution reference) to the strand. It needs no
 * memory, so an outcome that exists is never lost; it fails only when the
 * broker is closing, which runs nothing more. */
static int post_completion(completion *c) {
  int rc = aev__sched_post_node(aev__broker_sched(c->e->b), c->e->strand, &c->node, completion_run, c);
  if (rc) completion_drop(c);
  return rc;
}

aev__task_done *aev__task_done_new(m_run *r) {
  return completion_new(r);
}

void aev__task_done_post(aev__task_done *c, char *answer, char *error, char *cause) {
  c->ok = answer != NULL;
  c->payload = answer;
  c->error = error;
  c->cause = cause;
  c->nomem = !answer && (!error || !cause); /* never a failure without its error */
  post_completion(c);
}

m_probe *aev__task_done_probe(const aev__task_done *c) {
  return c->r ? aev__probe_of(c->r) : NULL;
}

void aev__task_done_drop(aev__task_done *c) {
  completion_drop(c);
}

/* From the handler that ran the function: copy the outcome and post it. */
static void lambda_done(void *user, const aev__invoke_result *res) {
  completion *c = user;
  c->ok = res->function_error == NULL;
  snprintf(c->version, sizeof c->version, "%s",
           res->executed_version ? res->executed_version : "$LATEST");
  if (c->ok) {
    c->payload = strndup(res->payload ? res->payload : "null", res->payload ? res->len : 4);
    c->nomem = !c->payload; /* never a null result in the payload's place */
  } else {
    /* AWS: the error is the function's errorType, the cause its whole
     * error object. */
    json_t *err = NULL;
    int rc = res->payload ? aev__json_parse(res->payload, res->len, 0, &err, NULL) : AEV_ERR_INVALID;
    const char *type = json_string_value(json_object_get(err, "errorType"));
    c->error = strdup(type ? type : "Lambda.Unknown");
    c->cause = res->payload ? strndup(res->payload, res->len) : NULL;
    /* never an error lost, nor named for what it is not */
    c->nomem = res->nomem || rc == AEV_ERR_NOMEM || !c->error || (res->payload && !c->cause);
    json_decref(err);
  }
  post_completion(c);
}

/* ---- integrations ---- */

/* The service's AWS error code and message as the task's failure. */
static void service_error(m_run *r, const char *service, const char *code, const char *message) {
  char error[160], *cause = NULL;
  aev__sdk_error(r->e->b, service, code, message, error, sizeof error, &cause);
  if (cause) task_failed(r, error, cause);
  else task_failed(r, "States.Runtime", "Out of memory");
  free(cause);
}

/* The service's error that the failed call recorded (aev_errcode /
 * aev_errmsg) as the task's failure. */
static void service_failed(m_run *r, const char *service) {
  service_error(r, service, aev_errcode(), aev_errmsg());
}

static void sqs_send(m_run *r, json_t *params, int waits) {
  const char *url = json_string_value(json_object_get(params, "QueueUrl"));
  json_t *body = json_object_get(params, "MessageBody");
  /* A null MessageBody is sent as none (AWS: MissingParameter). */
  if (!body || json_is_null(body)) {
    service_error(r, "SQS", "MissingParameter", "The request must contain the parameter MessageBody.");
    return;
  }
  if (!url) {
    service_error(r, "SQS", "MissingParameter", "The request must contain the parameter QueueUrl.");
    return;
  }
  aev_queue *q = NULL;
  if (aev__queue_find(r->e->b, url, &q)) {
    service_error(r, "SQS", "QueueDoesNotExist", "The specified queue does not exist.");
    return;
  }
  aev__attrs attrs = {0};
  int rc = aev__attrs_parse(json_object_get(params, "MessageAttributes"), &attrs);
  char *text = rc ? NULL : aev__json_text(body);
  if (!rc && !text) rc = aev__nomem();
  aev__send_req req = {.body = text, .len = text ? strlen(text) : 0, .attrs = &attrs, .delay = -1};
  json_t *d = json_object_get(params, "DelaySeconds");
  if (json_is_integer(d)) req.delay = (int)json_integer_value(d);
  req.group = json_string_value(json_object_get(params, "MessageGroupId"));
  req.dedup = json_string_value(json_object_get(params, "MessageDeduplicationId"));
  aev__sent sent;
  if (!rc) rc = aev__queue_send(q, &req, &sent);
  free(text);
  aev__attrs_free(&attrs);
  aev_queue_release(q);
  if (rc == AEV_ERR_NOMEM) {
    task_failed(r, "States.Runtime", "Out of memory"); /* ours, not SQS's */
    return;
  }
  if (rc) {
    service_failed(r, "SQS");
    return;
  }
  /* SendMessage's answer: MD5OfMessageAttributes when the message has
   * attributes (LocalStack's test_send_message_attributes, recorded
   * against AWS: 166 bytes). */
  json_t *out = json_pack("{s:s,s:s}", "MD5OfMessageBody", sent.md5_body, "MessageId", sent.id);
  if (sent.md5_attrs[0]) out = with(out, "MD5OfMessageAttributes", json_string(sent.md5_attrs));
  if (sent.seq[0]) out = with(out, "SequenceNumber", json_string(sent.seq));
  /* SendMessage's JSON response holds these members alone. */
  char *answer = out ? aev__json_dumps(out, JSON_COMPACT) : NULL;
  if (answer)
    out = with_sdk_metadata(r, out, response_headers("application/x-amz-json-1.0", strlen(answer), "connection"));
  else json_decref(out);
  task_answer(r, answer ? out : NULL, waits);
  free(answer);
}

/* sns:publish: TopicArn, Message (non-strings sent as JSON text), Subject,
 * MessageAttributes, MessageGroupId, MessageDeduplicationId. */
static void sns_publish(m_run *r, json_t *params, int waits) {
  const char *arn = json_string_value(json_object_get(params, "TopicArn"));
  json_t *msg = json_object_get(params, "Message");
  if (!arn || !msg) {
    task_failed(r, "SNS.InvalidParameterException",
                "The request must contain the parameters TopicArn and Message.");
    return;
  }
  aev_topic *t = NULL;
  aev_publish_options *o = NULL;
  char *text = aev__json_text(msg), *attrs = NULL;
  char id[64] = "", seq[64] = "";
  int rc = aev_topic_get(r->e->b, arn, &t);
  if (!rc) rc = aev_publish_options_new(&o);
  const char *subject = json_string_value(json_object_get(params, "Subject"));
  const char *group = json_string_value(json_object_get(params, "MessageGroupId"));
  const char *dedup = json_string_value(json_object_get(params, "MessageDeduplicationId"));
  json_t *ma = json_object_get(params, "MessageAttributes");
  if (!rc && subject) rc = aev_publish_options_set_subject(o, subject);
  if (!rc && group) rc = aev_publish_options_set_group_id(o, group);
  if (!rc && dedup) rc = aev_publish_options_set_deduplication_id(o, dedup);
  if (!rc && ma && (attrs = aev__json_dumps(ma, JSON_COMPACT))) rc = aev_publish_options_set_attributes(o, attrs);
  if (!rc) rc = aev_topic_publish(t, text, text ? strlen(text) : 0, o, id, seq);
  free(text);
  free(attrs);
  aev_publish_options_free(o);
  aev_topic_release(t);
  if (rc) {
    service_failed(r, "SNS");
    return;
  }
  json_t *out = json_pack("{s:s}", "MessageId", id);
  if (seq[0]) out = with(out, "SequenceNumber", json_string(seq));
  /* Publish's XML response: 222 bytes around the message id and the
   * request id, and a line for a FIFO topic's sequence number; keep-alive
   * since 2024 (LocalStack's snapshots recorded against AWS in 2024-02:
   * test_fifo_message_attribute, test_sns_publish_wait_for_task_token;
   * those of 2023 had none). */
  size_t body = 222 + strlen(id) + AEV_UUID_LEN + (seq[0] ? 38 + strlen(seq) : 0);
  task_answer(r, with_sdk_metadata(r, out, response_headers("text/xml", body, "connection")), waits);
}

/* events:putEvents: Entries as PutEvents takes them; Detail may be an
 * object (AWS serialises it). */
/* Entries as the execution sends them (NULL when out of memory): each
 * Detail that is not a string serialised, and the state machine's and the
 * execution's ARNs appended to each entry's Resources (AWS's documented
 * optimized integration; LocalStack's recorded test_put_events_base:
 * resources [given..., machine ARN, execution ARN]). */
static json_t *entries_to_send(const m_run *r, json_t *given) {
  json_t *entries = json_deep_copy(given);
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    if (!json_is_object(e)) continue; /* PutEvents words what is wrong with it */
    json_t *d = json_object_get(e, "Detail");
    if (d && !json_is_string(d)) {
      char *t = aev__json_dumps(d, JSON_COMPACT);
      int lost = !t || json_object_set_new(e, "Detail", json_string(t));
      free(t);
      if (lost) goto nomem;
    }
    json_t *res = json_object_get(e, "Resources");
    if (!json_is_array(res) && json_object_set_new(e, "Resources", res = json_array())) goto nomem;
    if (!res || json_array_append_new(res, json_string(r->e->m->res.arn)) ||
        json_array_append_new(res, json_string(aev_execution_arn(r->e))))
      goto nomem;
  }
  return entries;
nomem:
  json_decref(entries);
  return NULL;
}

static void events_put(m_run *r, json_t *params, int waits) {
  json_t *given = json_object_get(params, "Entries");
  if (!json_is_array(given)) {
    task_failed(r, "EventBridge.ValidationException", "Entries must be an array.");
    return;
  }
  json_t *entries = entries_to_send(r, given);
  char *text = entries ? aev__json_dumps(entries, JSON_COMPACT) : NULL, *resp = NULL;
  json_decref(entries);
  int rc = text ? aev_bus_put_events(r->e->b, text, &resp) : aev__nomem();
  free(text);
  if (rc == AEV_ERR_NOMEM) {
    task_failed(r, "States.Runtime", "Out of memory"); /* ours, not EventBridge's */
    return;
  }
  if (rc) {
    service_failed(r, "EventBridge");
    return;
  }
  json_t *out;
  rc = aev__json_parse_str(resp, 0, &out);
  aev_free(resp);
  if (rc) {
    task_failed(r, "States.Runtime", "Out of memory");
    return;
  }
  if (json_integer_value(json_object_get(out, "FailedEntryCount")) > 0) {
    char *t = aev__json_dumps(out, JSON_COMPACT);
    json_decref(out);
    /* AWS fails the task when an entry failed. */
    task_failed(r, "EventBridge.FailedEntry", t ? t : "");
    free(t);
    return;
  }
  task_answer(r, out, waits);
}

/* The response of states:startExecution (.sync: DescribeExecution's shape
 * with Output as text; .sync:2: Output as JSON). */
static void nested_done(aev_execution *child, void *user);

/* StateMachineArn may name a version or an alias, as StartExecution's
 * does. */
static void states_start(m_run *r, const task_kind *k, json_t *params, int waits) {
  const char *arn = json_string_value(json_object_get(params, "StateMachineArn"));
  const char *name = json_string_value(json_object_get(params, "Name"));
  json_t *in = json_object_get(params, "Input");
  if (!arn) {
    task_failed(r, "StepFunctions.StateMachineDoesNotExistException",
                "The request must contain the parameter StateMachineArn.");
    return;
  }
  /* A null Input is sent as none: the child's input is {} (LocalStack's
   * recorded test_start_execution_sync_delegate_failure). */
  char *text = in && !json_is_null(in)
                   ? (json_is_string(in) ? strdup(json_string_value(in))
                                         : aev__json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY))
                   : strdup("{}");
  aev_execution *child = NULL;
  int rc = text ? aev_machine_start_arn(r->e->b, arn, name, text, strlen(text), &child) : aev__nomem();
  free(text);
  if (rc == AEV_ERR_NOMEM) {
    task_failed(r, "States.Runtime", "Out of memory"); /* ours, not the child's */
    return;
  }
  if (rc) {
    service_failed(r, "StepFunctions");
    return;
  }
  int sync = strstr(k->resource, ".sync") != NULL;
  if (sync) {
    completion *c = completion_new(r);
    if (!c) {
      aev_execution_release(child);
      task_failed(r, "States.Runtime", "Out of memory");
      return;
    }
    c->json_output = strstr(k->resource, ".sync:2") != NULL;
    aev__exec_watch(child, nested_done, c);
  }
  /* StartExecution's JSON response: the ARN, and the date as Java writes
   * a double of epoch seconds (1.7040672E9). */
  const size_t answer_len = strlen("{\"executionArn\":\"\",\"startDate\":}") +
                            strlen(aev_execution_arn(child)) + java_seconds_len(child->start_ms);
  json_t *out = json_pack("{s:s,s:f}", "ExecutionArn", aev_execution_arn(child), "StartDate",
                          (double)child->start_ms / 1000.0);
  aev_execution_release(child);
  json_t *headers = response_headers("application/x-amz-json-1.0", answer_len, "connection");
  task_answer(r, with_sdk_metadata(r, out, headers), waits || sync);
}

static void lambda_call(m_run *r, const task_kind *k, json_t *params) {
  const m_state *s = aev__run_state(r);
  const char *name = s->resource;
  json_t *payload = params;
  if (!k->legacy_lambda) {
    name = json_string_value(json_object_get(params, "FunctionName"));
    payload = json_object_get(params, "Payload");
    if (!name) {
      task_failed(r, "States.Runtime", "The field 'FunctionName' is required by lambda:invoke.");
      return;
    }
  }
  /* A version or an alias, in the name or the ARN, runs that version or
   * alias, as Lambda's Invoke does. */
  aev_function *f = NULL;
  const char *qualifier;
  char buf[512];
  if (aev__function_find_qualified(r->e->b, name, &f, &qualifier, buf, sizeof buf)) {
    service_failed(r, "Lambda");
    return;
  }
  char *text = payload ? aev__json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("{}");
  completion *c = text ? completion_new(r) : NULL;
  int rc = !c ? aev__nomem() : aev__function_call(f, qualifier, text, strlen(text), lambda_done, c);
  aev_function_release(f);
  free(text);
  if (rc && c) completion_drop(c);
  if (rc == AEV_ERR_NOMEM) task_failed(r, "States.Runtime", "Out of memory"); /* ours, not the function's */
  else if (rc) service_failed(r, "Lambda");
}

/* A call run on the handler pool (an AWS SDK integration's, an HTTP
 * Task's): its outcome comes back as a completion. */
static void pool_call(m_run *r, json_t *params,
                      int (*call)(aev_broker *, const char *, json_t *, aev__task_done *)) {
  completion *c = completion_new(r);
  if (c && !call(r->e->b, aev__run_state(r)->resource, params, c)) return;
  if (c) completion_drop(c);
  task_failed(r, "States.Runtime", "Out of memory");
}

/* An activity that does not exist (any more) fails the state before it
 * is scheduled (LocalStack's test_activity_task_on_deleted, recorded
 * against AWS: ExecutionFailed right after TaskStateEntered). Returns 1
 * when it failed the run. */
static int activity_gone(m_run *r, const char *arn) {
  aev_activity *a = NULL;
  if (aev_activity_get(r->e->b, arn, &a) != AEV_ERR_NOT_FOUND) {
    aev_activity_release(a);
    return 0;
  }
  char cause[600];
  snprintf(cause, sizeof cause, "The activity %s does not exist.", arn);
  aev__run_fail(r, "States.Runtime", cause, 1);
  return 1;
}

/* Queues the task for the activity's workers: they end it with the
 * token. */
static void activity_call(m_run *r, json_t *params) {
  char *input = aev__json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY);
  const char *arn = aev__run_state(r)->resource;
  int rc = input && r->token ? aev__activity_schedule(r->e->b, arn, r->token, input) : aev__nomem();
  free(input);
  if (rc) task_failed(r, "States.Runtime", aev_errmsg());
  else r->queued_on = arn;
}

void aev__task_start(m_run *r, json_t *params) {
  const m_state *s = aev__run_state(r);
  json_t *effective = r->input;
  int64_t timeout, heartbeat;
  if (seconds_of(r, s->timeout_path, s->j_timeout, s->timeout_s, effective, "TimeoutSecondsPath", &timeout) ||
      seconds_of(r, s->heartbeat_path, s->j_heartbeat, s->heartbeat_s, effective, "HeartbeatSecondsPath",
                 &heartbeat)) {
    json_decref(params);
    return;
  }
  task_kind k;
  kind_of(s->resource, &k);
  json_t *mocked;
  const char *mock_error, *mock_cause;
  if (aev__probe_mock(r, &mocked, &mock_error, &mock_cause)) { /* TestState's mock */
    json_decref(params);
    if (mocked) task_succeeded(r, mocked);
    else task_failed(r, mock_error, mock_cause);
    return;
  }
  if (k.activity && activity_gone(r, s->resource)) {
    json_decref(params);
    return;
  }
  int waits = r->token != NULL;
  /* NULL details (not recording, or out of memory) record no event. */
  char *t = recording(r) ? aev__json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  if (k.legacy_lambda || k.activity) {
    json_t *d = t ? json_pack("{s:s,s:s,s:{s:b}}", "resource", s->resource, "input", t,
                              "inputDetails", "truncated", 0)
                  : NULL;
    /* AWS's LambdaFunctionScheduled details have no heartbeat */
    if (timeout) d = with(d, "timeoutInSeconds", json_integer(timeout));
    if (k.activity && heartbeat) d = with(d, "heartbeatInSeconds", json_integer(heartbeat));
    event(r, &k, EV_SCHEDULED, d);
  } else {
    /* TaskScheduled names the timeouts given (LocalStack's recorded
     * test_base_task: "timeoutInSeconds": 1 on a lambda:invoke) */
    json_t *d = t ? json_pack("{s:s,s:s}", "region", aev_broker_region(r->e->b), "parameters", t) : NULL;
    if (timeout) d = with(d, "timeoutInSeconds", json_integer(timeout));
    if (heartbeat) d = with(d, "heartbeatInSeconds", json_integer(heartbeat));
    event(r, &k, EV_SCHEDULED, d);
  }
  free(t);
  if (!k.activity) event(r, &k, EV_STARTED, NULL); /* an activity's: when a worker takes it */
  if (timeout) arm(r, &r->timer, &r->timer_armed, timeout_fired, timeout);
  r->hb_seconds = heartbeat;
  if (heartbeat) arm(r, &r->hb_timer, &r->hb_armed, heartbeat_fired, heartbeat);
  if (k.activity) {
    activity_call(r, params);
  } else if (!strcmp(k.type, "sqs") && !strncmp(k.resource, "sendMessage", 11)) {
    sqs_send(r, params, waits);
  } else if (!strcmp(k.type, "lambda") && (k.legacy_lambda || !strncmp(k.resource, "invoke", 6))) {
    lambda_call(r, &k, params);
  } else if (!strcmp(k.type, "sns") && !strncmp(k.resource, "publish", 7)) {
    sns_publish(r, params, waits);
  } else if (!strcmp(k.type, "events") && !strncmp(k.resource, "putEvents", 9)) {
    events_put(r, params, waits);
  } else if (!strcmp(k.type, "states") && !strncmp(k.resource, "startExecution", 14)) {
    states_start(r, &k, params, waits);
  } else if (k.sdk && aev__sdk_runs(s->resource)) {
    pool_call(r, params, aev__sdk_call);
  } else if (!strcmp(k.type, "http") && !strcmp(k.resource, "invoke")) {
    pool_call(r, params, aev__http_task_call);
  } else {
    char cause[512];
    snprintf(cause, sizeof cause, "The resource '%s' is not supported by this broker.", s->resource);
    task_failed(r, "States.Runtime", cause);
  }
  json_decref(params);
}

/* ---- SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat ---- */

/* AWS's words (LocalStack's recorded test_sfn_send_task_outcome_with_no_
 * such_token: "Invalid Token: 'Invalid token'"). */
static int bad_token(void) {
  return aev__fail(AEV_ERR_INVALID, "InvalidToken", "Invalid Token: 'Invalid token'");
}

/* A token whose task ended or was answered already (as users report it). */
static int task_gone(void) {
  return aev__fail(AEV_ERR_STATE, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
}

/* Decodes token into a completion for its execution (not yet posted). */
static int token_completion(aev_broker *b, const char *token, completion **out) {
  unsigned char *raw = NULL;
  size_t n = 0;
  int rc = token ? aev__base64_decode(token, strlen(token), &raw, &n) : AEV_ERR_INVALID;
  if (rc == AEV_ERR_NOMEM) return rc; /* no verdict on the token */
  if (rc) return bad_token();
  char *parts[5] = {0}, *save = NULL, *p = strtok_r((char *)raw, "\n", &save);
  int k = 0;
  for (; p && k < 5; k++, p = strtok_r(NULL, "\n", &save)) parts[k] = p;
  if (k != 5) {
    free(raw);
    return bad_token();
  }
  char arn[512];
  aev_machine *m = NULL;
  rc = aev_machine_get(b, parts[0], &m);
  aev_execution *e = NULL;
  if (!rc) {
    snprintf(arn, sizeof arn, "%.*s:execution:%s:%s", (int)(strstr(m->res.arn, ":stateMachine:") - m->res.arn),
             m->res.arn, parts[0], parts[1]);
    rc = aev__execution_find(b, arn, &e);
    aev_machine_release(m);
  }
  if (rc) {
    free(raw);
    return bad_token();
  }
  const size_t run_idx = (size_t)strtoull(parts[2], NULL, 10);
  const unsigned seq = (unsigned)strtoul(parts[3], NULL, 10);
  free(raw);
  pthread_mutex_lock(&e->mu);
  const int open = open_find(e, token_key(run_idx, seq)) < e->nopen;
  pthread_mutex_unlock(&e->mu);
  if (!open || aev_execution_status(e) != AEV_EXECUTION_RUNNING) {
    aev__execution_unref(e);
    return task_gone();
  }
  completion *c = calloc(1, sizeof *c);
  if (!c) {
    aev__execution_unref(e);
    return aev__nomem();
  }
  c->e = e;
  c->run_idx = run_idx;
  c->seq = seq;
  c->from_token = 1;
  *out = c;
  return AEV_OK;
}

/* A success or failure answers its token: it is answered no more (AWS:
 * "Provided task does not exist anymore"). Then c is posted; when another
 * answer came first, c is dropped and the caller told. */
static int post_answer(completion *c) {
  aev_execution *e = c->e;
  pthread_mutex_lock(&e->mu);
  size_t i = open_find(e, token_key(c->run_idx, c->seq));
  const int open = i < e->nopen;
  if (open) e->open_tokens[i] = e->open_tokens[--e->nopen];
  pthread_mutex_unlock(&e->mu);
  if (!open) {
    completion_drop(c);
    return task_gone();
  }
  return post_completion(c);
}

int aev_machine_send_task_success(aev_broker *b, const char *token, const char *output, size_t len) {
  if (!b || !output) return aev__fail(AEV_ERR_INVALID, "ValidationException", "A token and an output are required.");
  /* The token is judged first: AWS answers InvalidToken for a bad token
   * with an output that is not JSON (recorded
   * test_sfn_send_task_outcome_with_no_such_token). */
  completion *c;
  int rc = token_completion(b, token, &c);
  if (rc) return rc;
  json_t *v;
  rc = aev__json_parse(output, len, JSON_DECODE_ANY, &v, NULL);
  if (!rc) json_decref(v);
  if (rc == AEV_ERR_INVALID) rc = aev__fail(AEV_ERR_INVALID, "InvalidOutput", "Invalid State Machine Execution Output");
  else if (!rc && len > M_MAX_PAYLOAD)
    rc = aev__fail(AEV_ERR_INVALID, "InvalidOutput", "The output exceeds the maximum size of 262144 bytes.");
  if (rc) {
    completion_drop(c);
    return rc;
  }
  c->ok = 1;
  c->payload = strndup(output, len);
  if (!c->payload) {
    completion_drop(c); /* its execution reference with it */
    return aev__nomem();
  }
  return post_answer(c);
}

int aev_machine_send_task_failure(aev_broker *b, const char *token, const char *error, const char *cause) {
  if (!b) return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker is required.");
  int rc = aev__machine_check_reason(error, cause);
  if (rc) return rc;
  completion *c;
  if ((rc = token_completion(b, token, &c))) return rc;
  c->error = error ? strdup(error) : NULL;
  c->cause = cause ? strdup(cause) : NULL;
  if ((error && !c->error) || (cause && !c->cause)) {
    completion_drop(c);
    return aev__nomem(); /* never a failure without its error */
  }
  return post_answer(c);
}

int aev_machine_send_task_heartbeat(aev_broker *b, const char *token) {
  if (!b) return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker is required.");
  completion *c;
  int rc = token_completion(b, token, &c);
  if (rc) return rc;
  c->heartbeat = 1;
  return post_completion(c);
}

int aev__task_started(aev_broker *b, const char *token, const char *worker_name) {
  completion *c;
  int rc = token_completion(b, token, &c);
  if (rc) return rc;
  c->started = 1;
  if (worker_name && !(c->payload = strdup(worker_name))) {
    completion_drop(c);
    return aev__nomem();
  }
  return post_completion(c);
}

/* The nested execution of a .sync task ended (on its strand): the parent's
 * task completes with the child's description, or fails with it as the
 * cause (States.TaskFailed). */
/* The child's DescribeExecution text d as AWS hands it to a .sync task
 * (LocalStack's recorded test_callback): the Java SDK's member names
 * (ExecutionArn, Input, InputDetails, Name, Output, OutputDetails,
 * StartDate, StateMachineArn, Status, StopDate, and Error and Cause of a
 * failed child), no redrive members, dates as epoch milliseconds, and
 * Input and Output parsed for .sync:2. NULL when out of memory. */
static char *sync_output(const char *d, int json_output) {
  static const char *const names[][2] = {
      {"executionArn", "ExecutionArn"}, {"input", "Input"},   {"inputDetails", "InputDetails"},
      {"name", "Name"},                 {"output", "Output"}, {"outputDetails", "OutputDetails"},
      {"startDate", "StartDate"},       {"stateMachineArn", "StateMachineArn"},
      {"status", "Status"},             {"stopDate", "StopDate"},
      {"error", "Error"},               {"cause", "Cause"}};
  json_t *v, *o = json_object();
  if (!o || aev__json_parse_str(d, 0, &v)) {
    json_decref(o);
    return NULL;
  }
  int lost = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !lost; i++) {
    json_t *x = json_object_get(v, names[i][0]), *y = NULL;
    if (!x) continue;
    if (json_is_number(x)) {
      y = json_integer((json_int_t)(json_number_value(x) * 1000.0 + 0.5));
    } else if (json_is_object(x)) {
      y = json_pack("{s:O}", "Included", json_object_get(x, "included"));
    } else if (json_output && (!strcmp(names[i][0], "input") || !strcmp(names[i][0], "output"))) {
      if (aev__json_parse_str(json_string_value(x), JSON_DECODE_ANY, &y) == AEV_ERR_NOMEM) y = NULL;
      else if (!y) y = json_null();
    } else {
      y = json_incref(x);
    }
    lost = !y || json_object_set_new(o, names[i][1], y);
  }
  char *text = lost ? NULL : aev__json_dumps(o, JSON_COMPACT);
  json_decref(v);
  json_decref(o);
  return text;
}

static void nested_done(aev_execution *child, void *user) {
  completion *c = user;
  int json_output = c->json_output;
  char *d = NULL;
  if (!child || aev_execution_describe(child, &d)) {
    c->error = strdup("States.Runtime");
    c->cause = strdup("The nested execution could not be described.");
  } else if (aev_execution_status(child) == AEV_EXECUTION_SUCCEEDED) {
    c->payload = sync_output(d, json_output);
    c->ok = c->payload != NULL;
    if (!c->ok) {
      c->error = strdup("States.Runtime");
      c->cause = strdup("Out of memory");
    }
  } else {
    c->error = strdup("States.TaskFailed");
    c->cause = sync_output(d, json_output);
  }
  /* never a failure without its error or cause */
  c->nomem = !c->ok && (!c->error || !c->cause);
  aev_free(d);
  post_completion(c);
}
