/* Pipes as resources of the broker: CreatePipe, UpdatePipe, DeletePipe,
 * StartPipe, StopPipe and their answers. A pipe's transitions
 * (CREATING → RUNNING, STOPPING → STOPPED, ...) are answered by the call
 * that starts them, as AWS answers them, and complete at once: Describe
 * then shows RUNNING or STOPPED, as it does once AWS has finished. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/tags.h"
#include "function/function.h"
#include "pipe/pipe_impl.h"
#include "awsevents/stream.h"
#include "queue/queue.h"

static void pipe_destroy(aev__resource *r) {
  aev__pipe *p = (aev__pipe *)r;
  aev__pipe_conf_unref(p->conf);
  json_decref(p->tags);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

/* Deletion and broker shutdown: stop reading the source. */
static void pipe_shutdown(aev__resource *r) {
  aev__pipe *p = (aev__pipe *)r;
  aev__pipe_pollers drop = {0};
  pthread_mutex_lock(&p->mu);
  aev__pipe_unpoll_locked(p, &drop);
  pthread_mutex_unlock(&p->mu);
  aev__pipe_pollers_free(&drop);
}

int aev__pipe_broker_open(aev_broker *b) {
  if (!b) return aev__fail(AEV_ERR_INVALID, "ValidationException", "Missing argument.");
  return aev__broker_check_open(b);
}

int aev__pipe_find(aev_broker *b, const char *name, aev__pipe **out) {
  int rc = aev__pipe_broker_open(b);
  if (!rc) rc = aev__pipe_check_name(name);
  if (rc) return rc;
  aev__resource *r = aev__registry_find(b, AEV__KIND_PIPE, name);
  if (!r) return aev__pipe_not_found(name);
  *out = (aev__pipe *)r;
  return AEV_OK;
}

void aev__pipe_release(aev__pipe *p) {
  if (p) aev__resource_unref(&p->res);
}

static double seconds(int64_t ms) { return (double)ms / 1000.0; }

json_t *aev__pipe_summary_locked(const aev__pipe *p, const char *current) {
  return json_pack("{sssssssssfsf}", "Arn", p->res.arn, "Name", p->res.name,
                   "DesiredState", p->desired, "CurrentState", current,
                   "CreationTime", seconds(p->created_ms), "LastModifiedTime",
                   seconds(p->modified_ms));
}

json_t *aev__pipe_describe_json(aev__pipe *p) {
  pthread_mutex_lock(&p->mu);
  json_t *o = aev__pipe_summary_locked(p, p->current);
  if (o && json_object_update(o, p->conf->spec)) {
    json_decref(o);
    o = NULL;
  }
  if (o && json_object_set_new(o, "Tags", p->tags ? json_incref(p->tags) : json_object())) {
    json_decref(o);
    o = NULL;
  }
  pthread_mutex_unlock(&p->mu);
  return o;
}

static int answer(json_t *o, char **out) {
  if (!o) return aev__nomem();
  int rc = AEV_OK;
  if (out && !(*out = aev__json_dumps(o, 0))) rc = aev__nomem();
  json_decref(o);
  return rc;
}

/* A call's answer made ahead (text: NULL only when rc says why): to *out
 * when the call succeeded and the caller wants it, else freed. */
static int hand_over(int rc, char *text, char **out) {
  if (!rc && out) *out = text;
  else free(text);
  return rc;
}

static int parse_request(const char *request_json, json_t **req) {
  int rc = aev__json_parse_str(request_json ? request_json : "{}", 0, req);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc || !json_is_object(*req)) {
    json_decref(*req);
    *req = NULL;
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The request must be a JSON object.");
  }
  return AEV_OK;
}

/* DesiredState of a request: RUNNING or STOPPED (a static string), or
 * *out untouched when absent. */
static int desired_state(json_t *req, const char **out) {
  json_t *v = json_object_get(req, "DesiredState");
  if (!v || json_is_null(v)) return AEV_OK;
  const char *s = json_string_value(v);
  if (s && !strcmp(s, "RUNNING")) *out = "RUNNING";
  else if (s && !strcmp(s, "STOPPED")) *out = "STOPPED";
  else
    return aev__fail_validation(s ? s : "", "desiredState",
                                "Member must satisfy enum value set: [RUNNING, STOPPED]");
  return AEV_OK;
}

int aev__pipe_check_tags(json_t *tags) {
  if (!json_is_object(tags))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Tags must be a map of string keys to string values.");
  const char *k;
  json_t *v;
  json_object_foreach(tags, k, v) {
    if (!json_is_string(v) || !aev__tag_fits(k, v))
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "1 validation error detected: Value at 'tags' failed to "
                       "satisfy constraint: Map keys must have length 1..128 and "
                       "values length 0..256");
  }
  if (json_object_size(tags) > AEV__TAGS_MAX)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value at 'tags' failed to "
                     "satisfy constraint: Member must have length less than or "
                     "equal to 50");
  return AEV_OK;
}

/* The source must be a queue or a stream of this broker. */
static int source_exists(aev_broker *b, const aev__pipe_conf *c) {
  aev_queue *q = NULL;
  aev_stream *s = NULL;
  int rc = c->stream_source ? aev_stream_get(b, c->source, &s) : aev__queue_find(b, c->source, &q);
  aev_queue_release(q);
  aev_stream_release(s);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Source %s does not exist.", c->source);
  return AEV_OK;
}

/* Moves p toward desired (mu held): starts or pauses its poller; drop
 * receives what to free once mu is released. */
static int settle_locked(aev__pipe *p, const char *desired, aev__pipe_pollers *drop) {
  if (!strcmp(desired, "RUNNING")) {
    int rc = aev__pipe_poll_locked(p);
    if (rc) return rc;
  } else {
    aev__pipe_pause_locked(p, drop);
  }
  p->desired = desired;
  p->current = desired;
  return AEV_OK;
}

int aev_pipe_create(aev_broker *b, const char *request_json, char **response_json) {
  json_t *req = NULL, *tags = NULL;
  const char *desired = "RUNNING";
  aev__pipe_conf *c = NULL;
  int rc = aev__pipe_broker_open(b);
  if (!rc) rc = parse_request(request_json, &req);
  const char *name = json_string_value(json_object_get(req, "Name"));
  if (!rc) rc = aev__pipe_check_name(name);
  if (!rc) rc = desired_state(req, &desired);
  if (!rc && (tags = json_object_get(req, "Tags")) && !json_is_null(tags))
    rc = aev__pipe_check_tags(tags);
  if (!rc) rc = aev__pipe_conf_make(b, req, NULL, &c);
  if (!rc) rc = source_exists(b, c);
  aev__pipe *p = NULL;
  if (!rc && !(p = calloc(1, sizeof *p))) rc = aev__nomem();
  if (!rc && (rc = aev__resource_init(&p->res, b, AEV__KIND_PIPE, name, pipe_destroy,
                                      pipe_shutdown))) {
    free(p);
    p = NULL;
  }
  if (rc) {
    aev__pipe_conf_unref(c);
    json_decref(req);
    return rc;
  }
  pthread_mutex_init(&p->mu, NULL);
  p->conf = c;
  int tags_given = json_is_object(tags); /* tags is req's, which goes next */
  p->tags = tags_given ? json_deep_copy(tags) : NULL;
  p->created_ms = p->modified_ms = aev_broker_now_ms(b);
  p->desired = desired;
  json_decref(req);
  json_t *o = aev__pipe_summary_locked(p, "CREATING");
  char *text = o ? aev__json_dumps(o, 0) : NULL;
  json_decref(o);
  aev__resource *existing = NULL;
  rc = !text || (tags_given && !p->tags) ? aev__nomem()
                                                   : aev__registry_add(b, &p->res, &existing);
  if (rc == AEV_ERR_EXISTS) {
    aev__resource_unref(existing);
    rc = aev__fail(AEV_ERR_EXISTS, "ConflictException", "Pipe %s already exists.", p->res.name);
  }
  aev__pipe_pollers drop = {0};
  if (!rc) {
    pthread_mutex_lock(&p->mu);
    rc = settle_locked(p, desired, &drop);
    pthread_mutex_unlock(&p->mu);
    if (rc) aev__registry_remove(b, &p->res);
  }
  aev__resource_unref(&p->res);
  return hand_over(rc, text, response_json);
}

int aev_pipe_update(aev_broker *b, const char *request_json, char **response_json) {
  json_t *req = NULL;
  aev__pipe *p = NULL;
  aev__pipe_conf *c = NULL;
  int rc = aev__pipe_broker_open(b);
  if (!rc) rc = parse_request(request_json, &req);
  const char *name = json_string_value(json_object_get(req, "Name"));
  if (!rc) rc = aev__pipe_check_name(name);
  const char *desired = NULL;
  if (!rc) rc = desired_state(req, &desired);
  if (!rc) rc = aev__pipe_find(b, name, &p);
  if (!rc) {
    pthread_mutex_lock(&p->mu);
    aev__pipe_conf *base = p->conf;
    base->refs++;
    pthread_mutex_unlock(&p->mu);
    rc = aev__pipe_conf_make(b, req, base, &c);
    aev__pipe_conf_unref(base);
  }
  json_decref(req);
  if (rc) {
    aev__pipe_release(p);
    return rc;
  }
  /* The new configuration takes over with a new poller (its batch size
   * and filters); batches in flight finish with the old one. A stream
   * source whose SourceParameters did not change keeps its poller and so
   * its checkpoints. */
  aev__pipe_pollers drop = {0};
  pthread_mutex_lock(&p->mu);
  aev__pipe_conf *old = p->conf;
  const char *was = p->desired;
  if (!json_equal(json_object_get(old->spec, "SourceParameters"),
                  json_object_get(c->spec, "SourceParameters")) ||
      !c->stream_source)
    aev__pipe_unpoll_locked(p, &drop);
  p->conf = c;
  rc = settle_locked(p, desired ? desired : was, &drop);
  if (rc) {
    /* Out of memory: the old configuration stays, read as before. */
    p->conf = old;
    old = c;
    settle_locked(p, was, &drop);
  } else {
    p->modified_ms = aev_broker_now_ms(b);
  }
  json_t *o = rc ? NULL : aev__pipe_summary_locked(p, "UPDATING");
  pthread_mutex_unlock(&p->mu);
  aev__pipe_pollers_free(&drop);
  aev__pipe_conf_unref(old); /* the one that is no longer the pipe's */
  aev__pipe_release(p);
  return rc ? rc : answer(o, response_json);
}

/* StartPipe / StopPipe. */
static int set_desired(aev_broker *b, const char *name, const char *desired,
                       const char *transition, char **response_json) {
  aev__pipe *p = NULL;
  int rc = aev__pipe_find(b, name, &p);
  if (rc) return rc;
  aev__pipe_pollers drop = {0};
  pthread_mutex_lock(&p->mu);
  int changed = strcmp(p->desired, desired) != 0;
  rc = settle_locked(p, desired, &drop);
  if (!rc && changed) p->modified_ms = aev_broker_now_ms(b);
  json_t *o = rc ? NULL : aev__pipe_summary_locked(p, transition);
  pthread_mutex_unlock(&p->mu);
  aev__pipe_pollers_free(&drop);
  aev__pipe_release(p);
  return rc ? rc : answer(o, response_json);
}

int aev_pipe_start(aev_broker *b, const char *name, char **response_json) {
  return set_desired(b, name, "RUNNING", "STARTING", response_json);
}

int aev_pipe_stop(aev_broker *b, const char *name, char **response_json) {
  return set_desired(b, name, "STOPPED", "STOPPING", response_json);
}

int aev_pipe_delete(aev_broker *b, const char *name, char **response_json) {
  aev__pipe *p = NULL;
  int rc = aev__pipe_find(b, name, &p);
  if (rc) return rc;
  pthread_mutex_lock(&p->mu);
  json_t *o = aev__pipe_summary_locked(p, "DELETING");
  pthread_mutex_unlock(&p->mu);
  char *text = o ? aev__json_dumps(o, 0) : NULL;
  json_decref(o);
  if (!text) rc = aev__nomem();
  else if (aev__registry_remove(b, &p->res) != AEV_OK)
    rc = aev__pipe_not_found(name); /* deleted meanwhile */
  aev__pipe_release(p);
  return hand_over(rc, text, response_json);
}

int aev_pipe_describe(aev_broker *b, const char *name, char **json) {
  aev__pipe *p = NULL;
  int rc = aev__pipe_find(b, name, &p);
  if (rc) return rc;
  json_t *o = aev__pipe_describe_json(p);
  aev__pipe_release(p);
  return answer(o, json);
}
