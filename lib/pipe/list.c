/* ListPipes: the broker's pipes in name order, filtered by NamePrefix,
 * SourcePrefix, TargetPrefix, DesiredState and CurrentState, Limit (1..100)
 * a page, NextToken the name the next page starts after. */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "pipe/pipe_impl.h"

static int prefixed(const char *s, const char *prefix) {
  return !prefix || (s && !strncmp(s, prefix, strlen(prefix)));
}

/* The summary ListPipes shows for p, or NULL when a filter leaves it out
 * (*nomem set when memory ran out). */
static json_t *entry(aev__pipe *p, json_t *req, int *nomem) {
  const char *source = json_string_value(json_object_get(req, "SourcePrefix"));
  const char *target = json_string_value(json_object_get(req, "TargetPrefix"));
  const char *desired = json_string_value(json_object_get(req, "DesiredState"));
  const char *current = json_string_value(json_object_get(req, "CurrentState"));
  pthread_mutex_lock(&p->mu);
  const aev__pipe_conf *c = p->conf;
  json_t *o = NULL;
  if (prefixed(c->source, source) && prefixed(c->target, target) &&
      (!desired || !strcmp(desired, p->desired)) && (!current || !strcmp(current, p->current))) {
    o = aev__pipe_summary_locked(p, p->current);
    if (!o || json_object_set_new(o, "Source", json_string(c->source)) ||
        json_object_set_new(o, "Target", json_string(c->target)) ||
        (c->enrichment && json_object_set_new(o, "Enrichment", json_string(c->enrichment)))) {
      json_decref(o);
      o = NULL;
      *nomem = 1;
    }
  }
  pthread_mutex_unlock(&p->mu);
  return o;
}

int aev_pipe_list(aev_broker *b, const char *request_json, char **json) {
  json_t *req = NULL;
  int rc = aev__pipe_broker_open(b);
  if (rc) return rc;
  rc = aev__json_parse_str(request_json ? request_json : "{}", 0, &req);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc || !json_is_object(req)) {
    json_decref(req);
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The request must be a JSON object.");
  }
  json_t *lim = json_object_get(req, "Limit");
  json_int_t limit = json_is_integer(lim) ? json_integer_value(lim) : 100;
  if (lim && !json_is_null(lim) && (!json_is_integer(lim) || limit < 1 || limit > 100)) {
    json_decref(req);
    return aev__fail_range((long long)limit, "limit", 1, 100);
  }
  const char *name_prefix = json_string_value(json_object_get(req, "NamePrefix"));
  const char *after = json_string_value(json_object_get(req, "NextToken"));
  aev__resource **all = NULL;
  size_t n = 0;
  rc = aev__registry_list(b, AEV__KIND_PIPE, name_prefix, &all, &n);
  json_t *pipes = rc ? NULL : json_array(), *out = NULL;
  int nomem = rc || !pipes;
  const char *last = NULL;
  for (size_t i = 0; !nomem && i < n; i++) {
    if (after && strcmp(all[i]->name, after) <= 0) continue;
    if ((json_int_t)json_array_size(pipes) == limit) {
      last = json_string_value(json_object_get(json_array_get(pipes, (size_t)limit - 1), "Name"));
      break;
    }
    json_t *o = entry((aev__pipe *)all[i], req, &nomem);
    if (o && json_array_append_new(pipes, o)) nomem = 1;
  }
  if (!nomem && !(out = json_pack("{sO}", "Pipes", pipes))) nomem = 1;
  if (!nomem && last && json_object_set_new(out, "NextToken", json_string(last))) nomem = 1;
  char *text = nomem || !json ? NULL : aev__json_dumps(out, 0);
  if (json && !text) nomem = 1;
  json_decref(out);
  json_decref(pipes);
  json_decref(req);
  aev__registry_list_free(all, n);
  if (nomem) {
    free(text);
    return aev__nomem();
  }
  if (json) *json = text;
  return AEV_OK;
}
