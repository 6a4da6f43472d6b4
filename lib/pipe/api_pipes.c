/* The "pipes" service of aev_call(): EventBridge Pipes' actions over the
 * C API of awsevents/pipe.h, and TagResource / UntagResource /
 * ListTagsForResource by a pipe's ARN (the API reference's resourceArn,
 * tags and tagKeys members). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/tags.h"
#include "pipe/pipe_impl.h"

#define ACTION(name) \
  static int name(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp)

/* An answer of the C API as the response object. */
static int parsed(int rc, char *text, json_t **resp) {
  if (rc) return rc;
  rc = aev__json_parse_str(text, 0, resp);
  aev_free(text);
  return rc ? aev__nomem() : AEV_OK;
}

/* The request passed on whole (CreatePipe, UpdatePipe, ListPipes). */
static int whole(aev_broker *b, json_t *req, json_t **resp,
                 int (*fn)(aev_broker *, const char *, char **)) {
  char *in = aev__json_dumps(req, 0), *out = NULL;
  if (!in) return aev__nomem();
  int rc = fn(b, in, &out);
  free(in);
  return parsed(rc, out, resp);
}

/* The Name member passed on (Describe, Delete, Start, Stop). */
static int by_name(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp,
                   int (*fn)(aev_broker *, const char *, char **)) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  char *out = NULL;
  if (!rc) rc = fn(b, name, &out);
  return parsed(rc, out, resp);
}

ACTION(create_pipe) { (void)svc; return whole(b, req, resp, aev_pipe_create); }
ACTION(update_pipe) { (void)svc; return whole(b, req, resp, aev_pipe_update); }
ACTION(list_pipes) { (void)svc; return whole(b, req, resp, aev_pipe_list); }
ACTION(describe_pipe) { return by_name(b, svc, req, resp, aev_pipe_describe); }
ACTION(delete_pipe) { return by_name(b, svc, req, resp, aev_pipe_delete); }
ACTION(start_pipe) { return by_name(b, svc, req, resp, aev_pipe_start); }
ACTION(stop_pipe) { return by_name(b, svc, req, resp, aev_pipe_stop); }

/* The pipe resourceArn names; NotFoundException when there is none. */
static int tagged(aev_broker *b, const aev__api_service *svc, json_t *req, aev__pipe **out) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "resourceArn", &arn);
  if (rc) return rc;
  const char *slash = strrchr(arn, '/');
  aev__resource *r = strstr(arn, ":pipes:") && slash
                         ? aev__registry_find(b, AEV__KIND_PIPE, arn)
                         : NULL;
  if (!r) return aev__pipe_not_found(slash ? slash + 1 : arn);
  *out = (aev__pipe *)r;
  return AEV_OK;
}

ACTION(tag_resource) {
  aev__pipe *p = NULL;
  json_t *tags, *merged = NULL;
  int rc = aev__api_req_object(svc, req, "tags", &tags);
  if (!rc) rc = aev__pipe_check_tags(tags);
  if (!rc) rc = tagged(b, svc, req, &p);
  if (rc) return rc;
  pthread_mutex_lock(&p->mu);
  rc = aev__tags_merged(p->tags, tags, AEV__TAGS_MAX, &merged);
  if (!rc) {
    json_decref(p->tags);
    p->tags = merged;
  }
  pthread_mutex_unlock(&p->mu);
  aev__pipe_release(p);
  if (rc == AEV_ERR_LIMIT)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "A pipe can have at most 50 tags.");
  if (rc) return aev__nomem();
  return (*resp = json_object()) ? AEV_OK : aev__nomem();
}

ACTION(untag_resource) {
  aev__pipe *p = NULL;
  json_t *keys, *k;
  int rc = aev__api_req_strings(svc, req, "tagKeys", &keys);
  if (!rc) rc = tagged(b, svc, req, &p);
  if (rc) return rc;
  json_t *ok = json_object();
  if (!ok) {
    aev__pipe_release(p);
    return aev__nomem();
  }
  size_t i;
  pthread_mutex_lock(&p->mu);
  json_array_foreach(keys, i, k) json_object_del(p->tags, json_string_value(k));
  pthread_mutex_unlock(&p->mu);
  aev__pipe_release(p);
  *resp = ok;
  return AEV_OK;
}

ACTION(list_tags_for_resource) {
  aev__pipe *p = NULL;
  int rc = tagged(b, svc, req, &p);
  if (rc) return rc;
  pthread_mutex_lock(&p->mu);
  *resp = json_pack("{so}", "tags", p->tags ? json_deep_copy(p->tags) : json_object());
  pthread_mutex_unlock(&p->mu);
  aev__pipe_release(p);
  return *resp ? AEV_OK : aev__nomem();
}

static const aev__api_action actions[] = {
    {"CreatePipe", create_pipe},
    {"DeletePipe", delete_pipe},
    {"DescribePipe", describe_pipe},
    {"ListPipes", list_pipes},
    {"ListTagsForResource", list_tags_for_resource},
    {"StartPipe", start_pipe},
    {"StopPipe", stop_pipe},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"UpdatePipe", update_pipe},
};

const aev__api_service aev__api_pipes = {
    .name = "pipes",
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
};
