/* HTTP endpoints as application callbacks: the broker's table of URL
 * prefixes (longest wins) and the synchronous call that primitives make
 * from the handler pool, as AWS services call a real endpoint over the
 * network (EventBridge API destinations and their OAuth token endpoints). */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker_impl.h"
#include "core/status.h"

typedef struct endpoint {
  struct endpoint *next;
  long refs; /* under the table's mu: the table's one, one per running call */
  char *prefix;
  size_t plen;
  aev_endpoint_fn fn;
  void *user;
  aev_release_fn release;
} endpoint;

struct aev__endpoints {
  pthread_mutex_t mu;
  int closed;
  endpoint *list;
};

struct aev_http_request {
  const char *method, *url, *headers, *body;
  size_t len;
  int status; /* 0 until answered */
  char *response;
  size_t response_len;
  json_t *response_headers; /* NULL until one is set */
};

int aev__endpoints_new(aev__endpoints **out) {
  aev__endpoints *t = calloc(1, sizeof *t);
  if (!t) return aev__nomem();
  pthread_mutex_init(&t->mu, NULL);
  *out = t;
  return AEV_OK;
}

static void endpoint_free(endpoint *e) {
  if (e->release) e->release(e->user);
  free(e->prefix);
  free(e);
}

/* Drops a reference (mu held); the entry to free, with its release to run
 * once mu is let go, when that was the last. */
static endpoint *drop(endpoint *e) { return --e->refs ? NULL : e; }

/* Unlinks the entry for prefix (mu held), returning it, or NULL. */
static endpoint *unlink_prefix(aev__endpoints *t, const char *prefix) {
  for (endpoint **p = &t->list; *p; p = &(*p)->next)
    if (!strcmp((*p)->prefix, prefix)) {
      endpoint *e = *p;
      *p = e->next;
      return e;
    }
  return NULL;
}

void aev__endpoints_close(aev__endpoints *t) {
  pthread_mutex_lock(&t->mu);
  t->closed = 1;
  endpoint *list = t->list, *gone = NULL;
  t->list = NULL;
  while (list) {
    endpoint *e = list;
    list = e->next;
    if (drop(e)) {
      e->next = gone;
      gone = e;
    }
  }
  pthread_mutex_unlock(&t->mu);
  while (gone) {
    endpoint *e = gone;
    gone = e->next;
    endpoint_free(e);
  }
}

void aev__endpoints_free(aev__endpoints *t) {
  if (!t) return;
  aev__endpoints_close(t);
  pthread_mutex_destroy(&t->mu);
  free(t);
}

int aev_endpoint_register(aev_broker *b, const char *url_prefix, aev_endpoint_fn fn,
                          void *user, aev_release_fn release) {
  if (!b || !url_prefix || !*url_prefix || !fn)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "aev_endpoint_register needs a broker, a non-empty URL prefix "
                     "and a callback.");
  int rc = aev__broker_check_open(b);
  if (rc) return rc;
  endpoint *e = calloc(1, sizeof *e);
  if (!e || !(e->prefix = strdup(url_prefix))) {
    free(e);
    return aev__nomem();
  }
  e->refs = 1;
  e->plen = strlen(url_prefix);
  e->fn = fn;
  e->user = user;
  aev__endpoints *t = b->endpoints;
  pthread_mutex_lock(&t->mu);
  endpoint *old = NULL;
  if (t->closed) {
    rc = aev__broker_check_open(b);
  } else {
    old = unlink_prefix(t, url_prefix);
    if (old) old = drop(old);
    e->next = t->list;
    t->list = e;
  }
  pthread_mutex_unlock(&t->mu);
  if (rc) {
    endpoint_free(e);
    return rc;
  }
  /* Set only now: a registration that failed never releases. */
  e->release = release;
  if (old) endpoint_free(old);
  return AEV_OK;
}

int aev_endpoint_remove(aev_broker *b, const char *url_prefix) {
  if (!b || !url_prefix)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "aev_endpoint_remove needs a broker and a URL prefix.");
  aev__endpoints *t = b->endpoints;
  pthread_mutex_lock(&t->mu);
  endpoint *e = unlink_prefix(t, url_prefix);
  endpoint *gone = e ? drop(e) : NULL;
  pthread_mutex_unlock(&t->mu);
  if (!e)
    return aev__fail(AEV_ERR_NOT_FOUND, "NotFound",
                     "No endpoint callback is registered for URL prefix '%s'.",
                     url_prefix);
  if (gone) endpoint_free(gone);
  return AEV_OK;
}

const char *aev_http_request_method(const aev_http_request *r) { return r ? r->method : NULL; }
const char *aev_http_request_url(const aev_http_request *r) { return r ? r->url : NULL; }
const char *aev_http_request_headers(const aev_http_request *r) { return r ? r->headers : NULL; }

const char *aev_http_request_body(const aev_http_request *r, size_t *len) {
  if (len) *len = r ? r->len : 0;
  return r ? r->body : NULL;
}

int aev_http_request_respond(aev_http_request *r, int status, const char *body,
                             size_t len) {
  if (!r || status < 100 || status > 599 || (!body && len))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "An HTTP response needs a status from 100 to 599 (got %d) "
                     "and a body for its length.",
                     status);
  if (r->status)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "This request was answered already (status %d).", r->status);
  /* The status counts even when the body cannot be kept: the request was
   * answered, and answering it again would not be what the endpoint did. */
  r->status = status;
  char *copy = malloc(len + 1);
  if (!copy) return aev__nomem();
  if (len) memcpy(copy, body, len);
  copy[len] = 0;
  r->response = copy;
  r->response_len = len;
  return AEV_OK;
}

int aev_http_request_set_response_header(aev_http_request *r, const char *name,
                                         const char *value) {
  if (!r || !name || !*name || !value)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "A response header needs a name and a value.");
  if (r->status)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "This request was answered already (status %d): set headers first.",
                     r->status);
  if (!r->response_headers && !(r->response_headers = json_object())) return aev__nomem();
  return json_object_set_new(r->response_headers, name, json_string(value)) ? aev__nomem()
                                                                             : AEV_OK;
}

/* The entry whose prefix is the longest that url starts with, a reference
 * taken; NULL when none is. */
static endpoint *find(aev__endpoints *t, const char *url) {
  endpoint *best = NULL;
  pthread_mutex_lock(&t->mu);
  for (endpoint *e = t->list; e; e = e->next)
    if (!strncmp(url, e->prefix, e->plen) && (!best || e->plen > best->plen)) best = e;
  if (best) best->refs++;
  pthread_mutex_unlock(&t->mu);
  return best;
}

void aev__http_result_free(aev__http_result *r) {
  free(r->body);
  json_decref(r->headers);
  r->body = NULL;
  r->headers = NULL;
}

int aev__http_call(aev_broker *b, const char *method, const char *url,
                   const char *headers_json, const char *body, size_t len,
                   aev__http_result *out) {
  *out = (aev__http_result){AEV__HTTP_UNREACHABLE, NULL, 0, NULL};
  aev__endpoints *t = b->endpoints;
  endpoint *e = find(t, url);
  if (!e) return AEV_OK;
  aev_http_request req = {method, url, headers_json, body ? body : "", body ? len : 0, 0,
                          NULL, 0, NULL};
  e->fn(e->user, &req);
  pthread_mutex_lock(&t->mu);
  endpoint *gone = drop(e);
  pthread_mutex_unlock(&t->mu);
  if (gone) endpoint_free(gone);
  out->status = req.status ? req.status : AEV__HTTP_NO_RESPONSE;
  out->body = req.response;
  out->len = req.response_len;
  /* Headers count only with an answer. */
  if (req.status) out->headers = req.response_headers;
  else json_decref(req.response_headers);
  return AEV_OK;
}
