/* A pipe's API destination calls: an EventBridge API destination as its
 * enrichment or its target, sent with the bus's request builder and sender
 * (aev__apidest_send: the connection's authorization and parameters, whose
 * values win over the pipe's HttpParameters, as the Pipes API reference's
 * PipeEnrichmentHttpParameters says). API destinations take no batch (the
 * Pipes User Guide's "Batching and concurrency" lists only Lambda and Step
 * Functions as batch enrichments, and no API destination among batch
 * targets): each event is a request of its own, in order, on the handler
 * pool (the endpoint callback is user code). A 2xx answer takes the event;
 * any other answer, or none, fails the batch, which the source then
 * retries by its own rules (the guide's "Error handling": a logic error in
 * a synchronously invoked API destination is a customer invocation error).
 * An enrichment's answers, in order, become the events for the target. */
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "core/broker.h"
#include "core/clock.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/sched.h"
#include "core/status.h"
#include "pipe/pipe_impl.h"

typedef struct job {
  aev_broker *b;
  aev__timer timer; /* over the destination's rate limit: its slot */
  char *arn, *who;
  json_t *http;    /* HttpParameters, or NULL */
  json_t *events;  /* what HttpParameters' JSON paths read */
  json_t *inputs;  /* each request's body: a string as its text, else JSON */
  json_t *answers; /* an enrichment's: the answers so far; NULL for a target */
  size_t next;
  int paced;
  aev__pipe_finish_fn done;
  void *arg;
} job;

static void job_free(job *j) {
  free(j->arn);
  free(j->who);
  json_decref(j->http);
  json_decref(j->events);
  json_decref(j->inputs);
  json_decref(j->answers);
  free(j);
}

/* The batch's end: done(ok, an enrichment's answers as one JSON array). */
static void job_end(job *j, int ok) {
  char *out = ok && j->answers ? aev__json_dumps(j->answers, JSON_COMPACT) : NULL;
  if (ok && j->answers && !out) ok = 0;
  j->done(j->arg, ok, out, out ? strlen(out) : 0);
  free(out);
  job_free(j);
}

/* An answer's body as the enrichment's events: JSON text as its value (an
 * array's items each), other text as a string; an empty answer ("", {} or
 * [], the guide's "Filtering events using enrichment") adds none. 0 when
 * out of memory, here or where the answer's body was to be kept (the
 * endpoint's answer then has none at all). */
static int add_answer(json_t *answers, const aev__http_result *res) {
  json_t *v = NULL;
  if (!res->body) return 0;
  if (!res->len) return 1;
  if (aev__json_parse(res->body, res->len, JSON_DECODE_ANY, &v, NULL) != AEV_OK &&
      !(v = json_stringn(res->body, res->len)))
    return 0;
  int fail = 0;
  if (json_is_array(v)) fail = json_array_extend(answers, v);
  else if (!(json_is_object(v) && !json_object_size(v)) &&
           !(json_is_string(v) && !json_string_length(v)))
    fail = json_array_append(answers, v);
  json_decref(v);
  return !fail;
}

/* A parameter's value for event: a JSON path ("$.x", read as the pipe's
 * templates read it: an SQS body holding JSON is read as JSON) picks a
 * string as itself, other values as JSON text; anything else is the value
 * itself (the Pipes User Guide's "Dynamic path parameters"). A new
 * reference: null when the path picks nothing; NULL when out of memory. */
static json_t *value_for(json_t *v, json_t *event) {
  const char *s = json_string_value(v);
  if (!s || strncmp(s, "$.", 2)) return json_incref(v);
  json_t *x = aev__pipe_path(event, s);
  if (!x) return json_null();
  if (json_is_string(x)) return x;
  char *text = aev__json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(x);
  json_t *out = text ? json_string(text) : NULL;
  free(text);
  return out;
}

/* A map of HttpParameters for event: members whose path picks nothing
 * are left out. 0 when out of memory. */
static int resolve_map(json_t *http, const char *member, json_t *event, json_t *out) {
  json_t *m = json_object_get(http, member), *x = json_object();
  const char *k;
  json_t *v;
  int ok = x != NULL;
  json_object_foreach(m, k, v) {
    json_t *val = ok ? value_for(v, event) : NULL;
    ok = val && (json_is_null(val) || !json_object_set(x, k, val));
    json_decref(val);
  }
  ok = ok && (!m || !json_object_set(out, member, x));
  json_decref(x);
  return ok;
}

/* HttpParameters with their JSON paths resolved for event, a new object;
 * NULL when a path parameter picks nothing, or out of memory. */
static json_t *resolved(json_t *http, json_t *event) {
  json_t *out = json_object(), *values = json_array();
  size_t i;
  json_t *v;
  int ok = out && values;
  json_array_foreach(json_object_get(http, "PathParameterValues"), i, v) {
    json_t *val = ok ? value_for(v, event) : NULL;
    ok = ok && json_is_string(val) && !json_array_append(values, val);
    json_decref(val);
  }
  ok = ok && !json_object_set(out, "PathParameterValues", values) &&
       resolve_map(http, "HeaderParameters", event, out) &&
       resolve_map(http, "QueryStringParameters", event, out);
  json_decref(values);
  if (!ok) {
    json_decref(out);
    return NULL;
  }
  return out;
}

static void send_task(void *arg, int cancelled);

/* The rate limit's slot came: the request goes to the handler pool. */
static void slot_task(void *arg, int cancelled) {
  job *j = arg;
  if (cancelled || aev__sched_post_handler(aev__broker_sched(j->b), send_task, j))
    job_end(j, 0);
}

static void send_task(void *arg, int cancelled) {
  job *j = arg;
  if (cancelled) {
    job_end(j, 0);
    return;
  }
  for (; j->next < json_array_size(j->inputs); j->next++) {
    json_t *x = json_array_get(j->inputs, j->next);
    char *text = json_is_string(x) ? strdup(json_string_value(x))
                                   : aev__json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *http = resolved(j->http, json_array_get(j->events, j->next));
    aev__http_outcome o;
    aev__http_result res = {0};
    int sent = text && http; /* a path parameter that picks nothing fails the batch */
    if (sent)
      aev__apidest_send(j->b, j->arn, http, j->who, NULL, text, strlen(text), j->paced, &o, &res);
    json_decref(http);
    free(text);
    j->paced = 0;
    int ok = sent && !o.failed && (o.wait_ms > 0 || !j->answers || add_answer(j->answers, &res));
    aev__http_result_free(&res);
    if (ok && o.wait_ms > 0) {
      /* Over the destination's InvocationRateLimitPerSecond: this request
       * waits for the slot it reserved, as a rule target's does. */
      j->paced = 1;
      aev__timer_init(&j->timer, slot_task, j, NULL);
      if (aev__timer_arm(aev__broker_sched(j->b), &j->timer,
                         aev__clock_mono_ms(aev__broker_clock(j->b)) + o.wait_ms))
        job_end(j, 0);
      return;
    }
    if (!ok) {
      job_end(j, 0);
      return;
    }
  }
  job_end(j, 1);
}

int aev__pipe_http_call(aev_broker *b, const char *arn, json_t *http, const char *who,
                        json_t *events, json_t *inputs, int enrich, aev__pipe_finish_fn done,
                        void *arg) {
  job *j = calloc(1, sizeof *j);
  if (!j) return aev__nomem();
  *j = (job){.b = b, .arn = strdup(arn), .who = strdup(who), .http = json_incref(http),
             .events = json_incref(events), .inputs = json_incref(inputs),
             .answers = enrich ? json_array() : NULL, .done = done, .arg = arg};
  int rc = j->arn && j->who && (!enrich || j->answers) ? AEV_OK : aev__nomem();
  if (!rc) rc = aev__sched_post_handler(aev__broker_sched(b), send_task, j);
  if (rc) job_free(j);
  return rc;
}

/* DescribeApiDestination of the name in arn (...:api-destination/NAME/ID),
 * as a user would look it up, whose ARN must be arn. */
int aev__pipe_http_check(aev_broker *b, const char *member, const char *arn) {
  const char *name = strstr(arn, ":api-destination/");
  const char *end = name ? strchr(name + 17, '/') : NULL;
  if (!end)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "%s %s is not a valid API destination ARN "
                     "(arn:aws:events:REGION:ACCOUNT:api-destination/NAME/ID).",
                     member, arn);
  json_t *req = json_pack("{ss%}", "Name", name + 17, (size_t)(end - (name + 17)));
  char *text = req ? aev__json_dumps(req, JSON_COMPACT) : NULL, *out = NULL;
  json_decref(req);
  if (!text) return aev__nomem();
  int rc = aev_call(b, "events", "DescribeApiDestination", text, &out);
  free(text);
  json_t *d = NULL;
  if (!rc) rc = aev__json_parse_str(out, 0, &d);
  aev_free(out);
  const char *found = json_string_value(json_object_get(d, "ApiDestinationArn"));
  int same = !rc && found && !strcmp(arn, found);
  json_decref(d);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (!same)
    return aev__fail(AEV_ERR_NOT_FOUND, "NotFoundException", "The API destination %s does not exist.",
                     arn);
  return AEV_OK;
}
