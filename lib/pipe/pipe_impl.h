/* Internal to lib/pipe: a pipe (a registry resource), its configuration as
 * the request gave it, its states, and the pieces of its flow. */
#ifndef AEV_PIPE_PIPE_IMPL_H
#define AEV_PIPE_PIPE_IMPL_H

#include <jansson.h>
#include <pthread.h>

#include "awsevents/pattern.h"
#include "awsevents/pipe.h"
#include "core/registry.h"
#include "function/function.h"

struct aev__esm;
struct aev__mapping;

/* The target kinds a pipe delivers to, by the service of its ARN. */
typedef enum pipe_kind {
  PIPE_SQS,
  PIPE_SNS,
  PIPE_LAMBDA,
  PIPE_STATES,
  PIPE_EVENTS,
  PIPE_KINESIS,
  PIPE_FIREHOSE,
  PIPE_API, /* an EventBridge API destination */
} pipe_kind;

/* What one configuration holds; immutable once made (an update makes a new
 * one), so a batch in flight keeps the one it started with. */
typedef struct aev__pipe_conf {
  _Atomic long refs;
  json_t *spec; /* Source, Target, Enrichment, *Parameters, RoleArn,
                   Description, as given */
  const char *source, *target, *enrichment; /* borrowed from spec */
  pipe_kind kind;
  pipe_kind enrich_kind; /* PIPE_LAMBDA, PIPE_STATES or PIPE_API */
  int states_sync; /* a Step Functions target invoked REQUEST_RESPONSE */
  int no_batch; /* an API destination enrichment or target: batches of 1 */
  int stream_source; /* a Kinesis stream; else an SQS queue */
  int batch_size, window_s;
  json_t *enrich_template, *target_template; /* InputTemplate strings */
} aev__pipe_conf;

typedef struct aev__pipe {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  aev__pipe_conf *conf;  /* mu */
  json_t *tags;          /* mu; {key: value} */
  const char *desired;   /* mu; "RUNNING" | "STOPPED" */
  const char *current;   /* mu */
  int64_t created_ms, modified_ms;
  struct aev__esm *poller; /* mu; an SQS source's, while RUNNING */
  struct aev__mapping *stream_poller; /* mu; a Kinesis source's, paused when STOPPED */
} aev__pipe;

/* Pollers taken off a pipe, to free with no lock held. */
typedef struct aev__pipe_pollers {
  struct aev__esm *queue;
  struct aev__mapping *stream;
} aev__pipe_pollers;

void aev__pipe_conf_unref(aev__pipe_conf *c);

/* check.c: a Create or Update request checked as Pipes checks it, made into
 * a configuration over base (Update: the current one; Create: NULL).
 * ValidationException otherwise. */
int aev__pipe_conf_make(aev_broker *b, json_t *req, const aev__pipe_conf *base,
                        aev__pipe_conf **out);
/* The Name member: 1..64 of [.\-_A-Za-z0-9]. */
int aev__pipe_check_name(const char *name);
/* NotFoundException for a pipe that does not exist. */
int aev__pipe_not_found(const char *name);
/* AEV_OK for a live broker; a NULL one is a missing argument
 * (ValidationException), a destroyed one AEV_ERR_CLOSED. */
int aev__pipe_broker_open(aev_broker *b);
/* FilterCriteria of a configuration compiled (at most 5 patterns). */
int aev__pipe_patterns(const aev__pipe_conf *c, aev_pattern *out[5], int *n);

/* pipe.c */
/* Tags of CreatePipe and TagResource: a {key: value} map within AWS's
 * usual limits; ValidationException otherwise. */
int aev__pipe_check_tags(json_t *tags);
int aev__pipe_find(aev_broker *b, const char *name, aev__pipe **out);
void aev__pipe_release(aev__pipe *p);
/* The short answer of Create / Update / Start / Stop / Delete, with
 * current as CurrentState (mu held). */
json_t *aev__pipe_summary_locked(const aev__pipe *p, const char *current);
/* Every member Describe answers. */
json_t *aev__pipe_describe_json(aev__pipe *p);

/* template.c: an InputTemplate applied to one event: placeholders <$.path>
 * (a JSON path into event; an SQS body holding JSON is read as JSON) and
 * the reserved <aws.pipes.*> variables, as JSON outside string literals and
 * as text inside them. *out is the result as JSON (a string when the
 * result is not JSON text). */
typedef struct aev__pipe_vars {
  const char *pipe_arn, *pipe_name, *source_arn, *enrichment_arn, *target_arn;
  int64_t ingestion_ms;
} aev__pipe_vars;
int aev__pipe_render(const char *tmpl, json_t *event, const aev__pipe_vars *v,
                     json_t **out);
/* Each of events through tmpl (NULL: as it is), as a new array; NULL when
 * out of memory. */
json_t *aev__pipe_reshape(json_t *events, const char *tmpl, const aev__pipe_vars *v);
/* A JSON path of the template's syntax ($.a.b[2]) read from event, or
 * NULL; an SQS body that holds JSON text is read as JSON. */
json_t *aev__pipe_path(json_t *event, const char *path);

/* source.c: starts (or resumes) reading the source (mu held); pauses it
 * (STOPPED); or takes the pollers off (update, delete) into drop, to free
 * with aev__pipe_pollers_free once mu is released. */
int aev__pipe_poll_locked(aev__pipe *p);
void aev__pipe_pause_locked(aev__pipe *p, aev__pipe_pollers *drop);
void aev__pipe_unpoll_locked(aev__pipe *p, aev__pipe_pollers *drop);
void aev__pipe_pollers_free(aev__pipe_pollers *drop);

/* flow.c: the pollers' sink (aev__esm_sink_fn): the batch's flow through
 * enrichment and target, on the scheduler. */
int aev__pipe_sink(void *user, char *event, size_t len, aev__invoke_done_fn done,
                   void *done_user);

/* How a batch ended: ok, and the target's response (a Lambda target's,
 * whose batchItemFailures the poller reads; NULL for none). */
typedef void (*aev__pipe_finish_fn)(void *arg, int ok, const char *response, size_t len);

/* target.c: sends the events (an array) to the configuration's target;
 * calls finish exactly once. */
void aev__pipe_deliver(aev_broker *b, const aev__pipe_conf *c, const aev__pipe_vars *v,
                       json_t *events, aev__pipe_finish_fn finish, void *arg);

/* states.c: an EXPRESS state machine (arn: a machine, version or alias)
 * started synchronously on input (JSON text) without a wait: done(arg,
 * ok, output, len) follows at the execution's end, ok and its output when
 * it SUCCEEDED. Fails at once as StartSyncExecution fails, and done is then
 * never called. */
int aev__pipe_states_call(aev_broker *b, const char *arn, const char *input,
                          aev__pipe_finish_fn done, void *arg);
/* arn names an EXPRESS machine, for member ("Enrichment" or "Target", a
 * REQUEST_RESPONSE one): NotFoundException when it does not exist,
 * ValidationException when it is STANDARD. */
int aev__pipe_states_check(aev_broker *b, const char *member, const char *arn);

/* http.c: each of inputs (the events' request bodies: a string as its
 * text, else JSON) sent in order to the API destination arn, with
 * HttpParameters http (NULL: none) reading the JSON paths of the matching
 * one of events; who names the pipe in messages. done(arg, ok, answers,
 * len) follows the last (answers: with enrich, the 2xx answers as the
 * enrichment's events, one JSON array; else NULL); the first failure ends
 * the batch, not ok. Fails at once only for want of memory or a closing
 * broker, and done is then never called. */
int aev__pipe_http_call(aev_broker *b, const char *arn, json_t *http, const char *who,
                        json_t *events, json_t *inputs, int enrich, aev__pipe_finish_fn done,
                        void *arg);
/* arn names an API destination that exists (NotFoundException). */
int aev__pipe_http_check(aev_broker *b, const char *member, const char *arn);

#endif
