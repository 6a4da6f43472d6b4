/* A pipe's flow for one batch from its poller: the records (Lambda's SQS
 * record shape, which the Pipes User Guide documents for SQS sources; for
 * Kinesis, Lambda's record made flat, as it documents those) go
 * to the enrichment as one JSON array, each record first reshaped by
 * EnrichmentParameters.InputTemplate; the enrichment's answer (an array:
 * its items, or one value) becomes the events for the target. The batch
 * succeeds when the target took every event; otherwise the poller leaves
 * its messages on the queue. Runs on the scheduler, never under a lock. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/sched.h"
#include "core/status.h"
#include "function/function.h"
#include "pipe/pipe_impl.h"

typedef struct run {
  aev__task_node node;
  aev__pipe *p; /* counted */
  aev__pipe_conf *c; /* counted, once the task runs */
  aev__pipe_vars v;
  char *event;
  size_t len;
  aev__invoke_done_fn done;
  void *done_user;
} run;

/* The poller reads a Lambda target's batchItemFailures from response, as
 * the Pipes User Guide documents partial batch failures. */
static void finish(void *arg, int ok, const char *response, size_t len) {
  run *r = arg;
  aev__invoke_result res = {.payload = response ? response : "{}", .len = response ? len : 2,
                            .function_error = ok ? NULL : "Error"};
  r->done(r->done_user, &res);
  aev__pipe_conf_unref(r->c);
  aev__pipe_release(r->p);
  free(r->event);
  free(r);
}

/* An empty answer: "", {} or [] (the Pipes User Guide's "Filtering events
 * using enrichment"), or null. */
static int empty(json_t *x) {
  return json_is_null(x) || (json_is_array(x) && !json_array_size(x)) ||
         (json_is_object(x) && !json_object_size(x)) ||
         (json_is_string(x) && !json_string_length(x));
}

/* The enrichment's answer (ok: it succeeded): its events for the target. */
static void enriched(void *arg, int ok, const char *payload, size_t len) {
  run *r = arg;
  json_t *out = NULL, *events = NULL;
  if (ok && !len) out = json_null();
  else if (!ok || aev__json_parse(payload, len, JSON_DECODE_ANY, &out, NULL) != AEV_OK) {
    finish(r, 0, NULL, 0);
    return;
  }
  /* An empty answer leaves nothing for the target: the batch is done. */
  if (empty(out)) {
    json_decref(out);
    finish(r, 1, NULL, 0);
    return;
  }
  events = json_is_array(out) ? json_incref(out) : json_pack("[O]", out);
  json_decref(out);
  if (!events) {
    finish(r, 0, NULL, 0);
    return;
  }
  aev__pipe_deliver(r->p->res.broker, r->c, &r->v, events, finish, r);
  json_decref(events);
}

/* Each event through template (NULL: as it is), as a new array. */
json_t *aev__pipe_reshape(json_t *events, const char *tmpl, const aev__pipe_vars *v) {
  json_t *out = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    json_t *x = NULL;
    if (!out) break;
    int rc = tmpl ? aev__pipe_render(tmpl, e, v, &x) : AEV_OK;
    if (!tmpl) x = json_incref(e);
    if (rc || json_array_append_new(out, x)) {
      json_decref(out);
      out = NULL;
    }
  }
  return out;
}

static void lambda_enriched(void *arg, const aev__invoke_result *res) {
  enriched(arg, !res->function_error, res->payload, res->len);
}

static int call_function(aev_broker *b, const char *arn, const char *payload, run *r) {
  aev_function *f = NULL;
  const char *qualifier = NULL;
  char buf[512];
  int rc = aev__function_find_qualified(b, arn, &f, &qualifier, buf, sizeof buf);
  if (!rc) rc = aev__function_call(f, qualifier, payload, strlen(payload), lambda_enriched, r);
  aev_function_release(f);
  return rc;
}

/* The batch to the enrichment, which EventBridge invokes synchronously (the
 * Pipes User Guide's "Event enrichment"): a Lambda function or an EXPRESS
 * state machine gets it as one JSON array; an API destination, which takes
 * no batch, each event on its own (http.c). */
static void enrich(run *r, json_t *records) {
  const aev__pipe_conf *c = r->c;
  aev_broker *b = r->p->res.broker;
  json_t *input = aev__pipe_reshape(records, json_string_value(c->enrich_template), &r->v);
  json_t *http = json_object_get(json_object_get(c->spec, "EnrichmentParameters"), "HttpParameters");
  int api = c->enrich_kind == PIPE_API;
  char *payload = input && !api ? aev__json_dumps(input, 0) : NULL;
  int rc = !input || (!api && !payload) ? AEV_ERR_NOMEM
           : api ? aev__pipe_http_call(b, c->enrichment, http, r->v.pipe_name, records, input, 1,
                                       enriched, r)
           : c->enrich_kind == PIPE_STATES ? aev__pipe_states_call(b, c->enrichment, payload, enriched, r)
                                           : call_function(b, c->enrichment, payload, r);
  json_decref(input);
  free(payload);
  if (rc) finish(r, 0, NULL, 0);
}

/* Kinesis records as Pipes shows them: Lambda's record with the members
 * of its "kinesis" object brought up beside eventSource & co., and the
 * pipe's role as invokeIdentityArn (the Pipes User Guide's Kinesis
 * example). Non-zero when out of memory. */
static int flatten(json_t *records, const char *role) {
  size_t i;
  json_t *rec;
  json_array_foreach(records, i, rec) {
    json_t *k = json_incref(json_object_get(rec, "kinesis"));
    int fail = json_object_del(rec, "kinesis") || json_object_update(rec, k) ||
               json_object_set_new(rec, "invokeIdentityArn", json_string(role));
    json_decref(k);
    if (fail) return 1;
  }
  return 0;
}

static void run_task(void *arg, int cancelled) {
  run *r = arg;
  json_t *ev = NULL;
  if (cancelled || aev__json_parse(r->event, r->len, 0, &ev, NULL) != AEV_OK) {
    finish(r, 0, NULL, 0);
    return;
  }
  aev__pipe *p = r->p;
  pthread_mutex_lock(&p->mu);
  r->c = p->conf;
  r->c->refs++;
  pthread_mutex_unlock(&p->mu);
  r->v = (aev__pipe_vars){.pipe_arn = p->res.arn, .pipe_name = p->res.name,
                          .source_arn = r->c->source, .enrichment_arn = r->c->enrichment,
                          .target_arn = r->c->target,
                          .ingestion_ms = aev_broker_now_ms(p->res.broker)};
  json_t *records = json_object_get(ev, "Records");
  if (r->c->stream_source && flatten(records, json_string_value(json_object_get(r->c->spec, "RoleArn")))) {
    json_decref(ev);
    finish(r, 0, NULL, 0);
    return;
  }
  if (r->c->enrichment) enrich(r, records);
  else aev__pipe_deliver(p->res.broker, r->c, &r->v, records, finish, r);
  json_decref(ev);
}

/* The poller's sink: the batch continues on the scheduler, where it may
 * take the pipe's lock (the poller may call this with its queue watch
 * just made, under that lock). */
int aev__pipe_sink(void *user, char *event, size_t len, aev__invoke_done_fn done,
                   void *done_user) {
  aev__pipe *p = user;
  run *r = calloc(1, sizeof *r);
  if (!r) return aev__nomem();
  aev__resource_ref(&p->res);
  *r = (run){.p = p, .event = event, .len = len, .done = done, .done_user = done_user};
  int rc = aev__sched_post_node(aev__broker_sched(p->res.broker), NULL, &r->node,
                                run_task, r);
  if (rc) {
    aev__pipe_release(p);
    free(r); /* the event stays the poller's */
  }
  return rc;
}

