/* The HTTP requests EventBridge sends: an API destination target's
 * invocation (method, URL with path and query parameters, the connection's
 * authorization, AWS's fixed headers, the input as body with the
 * connection's body parameters in it) paced by its
 * InvocationRateLimitPerSecond, and an OAuth connection's token request.
 * Both go to the broker's endpoint callbacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "bus/bus.h"
#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/status.h"
#include "core/text.h"

/* "Headers included in requests to API destinations" (user guide). */
static const char USER_AGENT[] = "Amazon/EventBridge/ApiDestinations";
static const char CONTENT_TYPE[] = "application/json; charset=utf-8";

/* Appends key=value pairs to u, the first after sep ('?' or '&'). */
static void put_pair(aev__tbuf *u, char *sep, const char *k, const char *v) {
  aev__tbuf_put(u, sep, 1);
  *sep = '&';
  aev__tbuf_put_url_encoded(u, k);
  aev__tbuf_put(u, "=", 1);
  aev__tbuf_put_url_encoded(u, v);
}

/* Request headers being built: a JSON object of strings, and whether
 * every one was set (none is silently left out for want of memory). */
typedef struct header_set {
  json_t *h;
  int whole;
} header_set;

/* HTTP's header names are not case-sensitive. */
static int same_name(const char *a, const char *b) {
  return strlen(a) == strlen(b) && aev__ascii_ncaseeq(a, b, strlen(b));
}

/* The value of header name in h (any case), or NULL. */
static const char *header(json_t *h, const char *name) {
  const char *k;
  json_t *v;
  json_object_foreach(h, k, v) if (same_name(k, name)) return json_string_value(v);
  return NULL;
}

/* Sets a header, replacing one of the same name in any case. */
static void set_header(header_set *hd, const char *name, const char *value) {
  const char *k;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(hd->h, tmp, k, v) if (same_name(k, name)) json_object_del(hd->h, k);
  hd->whole = hd->whole && !json_object_set_new(hd->h, name, json_string(value));
}

/* The headers as JSON text (malloc'd), or NULL when one could not be set. */
static char *headers_text(header_set *hd) {
  char *t = hd->whole ? aev__json_dumps(hd->h, JSON_COMPACT) : NULL;
  json_decref(hd->h);
  return t;
}

/* "Basic " + base64(user:password), malloc'd, or NULL. */
static char *basic(const char *user, const char *password) {
  size_t n = strlen(user) + strlen(password) + 2;
  char *pair = malloc(n), *b64 = NULL, *out = NULL;
  if (!pair) return NULL;
  snprintf(pair, n, "%s:%s", user, password);
  if (!aev__base64_encode(pair, n - 1, &b64) && (out = malloc(strlen(b64) + 7)))
    sprintf(out, "Basic %s", b64);
  free(pair);
  free(b64);
  return out;
}

static const char *str(json_t *o, const char *k) {
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "";
}

/* The Host header: the URL's authority. */
static void set_host(header_set *h, const char *url) {
  const char *a = strstr(url, "://");
  a = a ? a + 3 : url;
  char host[256];
  snprintf(host, sizeof host, "%.*s", (int)strcspn(a, "/?#"), a);
  set_header(h, "Host", host);
}

/* ---- OAuth ------------------------------------------------------------ */

typedef struct oauth_job {
  aev_bus *bus; /* referenced: keeps the store alive */
  char *name;
  uint64_t gen;
} oauth_job;

/* What the token request needs, copied from the connection under mu. */
typedef struct oauth_req {
  char *method, *url, *headers, *body;
} oauth_req;

static void oauth_req_free(oauth_req *r) {
  free(r->method);
  free(r->url);
  free(r->headers);
  free(r->body);
}

/* Client credentials as HTTP Basic authorization, the grant type and
 * OAuthHttpParameters' BodyParameters as a form, its QueryStringParameters
 * on the URL and its HeaderParameters as headers (mu held). */
static int oauth_request(aev__conn *c, oauth_req *r) {
  json_t *p = json_object_get(c->auth, "OAuthParameters");
  json_t *client = json_object_get(p, "ClientParameters");
  json_t *extra = json_object_get(p, "OAuthHttpParameters");
  aev__tbuf url = {0}, body = {0};
  char sep = strchr(str(p, "AuthorizationEndpoint"), '?') ? '&' : '?';
  aev__tbuf_puts(&url, str(p, "AuthorizationEndpoint"));
  aev__tbuf_puts(&body, "grant_type=client_credentials");
  char bsep = '&';
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(extra, "QueryStringParameters"), i, e)
      put_pair(&url, &sep, str(e, "Key"), str(e, "Value"));
  json_array_foreach(json_object_get(extra, "BodyParameters"), i, e)
      put_pair(&body, &bsep, str(e, "Key"), str(e, "Value"));
  header_set h = {json_object(), 1};
  h.whole = h.h != NULL;
  json_array_foreach(json_object_get(extra, "HeaderParameters"), i, e)
      set_header(&h, str(e, "Key"), str(e, "Value"));
  char *auth = basic(str(client, "ClientID"), str(client, "ClientSecret"));
  if (auth) set_header(&h, "Authorization", auth);
  h.whole = h.whole && auth;
  free(auth);
  set_header(&h, "Content-Type", "application/x-www-form-urlencoded");
  set_header(&h, "User-Agent", USER_AGENT);
  r->url = aev__tbuf_take(&url, NULL);
  set_host(&h, r->url ? r->url : "");
  r->body = aev__tbuf_take(&body, NULL);
  r->headers = headers_text(&h);
  r->method = strdup(str(p, "HttpMethod"));
  return r->url && r->body && r->headers && r->method ? AEV_OK : AEV_ERR_NOMEM;
}

/* The access token of a 2xx answer holding a JSON object with a string
 * "access_token", or NULL. */
static char *token_of(const aev__http_result *res) {
  if (res->status < 200 || res->status > 299) return NULL;
  json_t *o;
  if (aev__json_parse(res->body, res->len, 0, &o, NULL)) return NULL;
  const char *t = json_string_value(json_object_get(o, "access_token"));
  char *copy = t && *t ? strdup(t) : NULL;
  json_decref(o);
  return copy;
}

/* Leaves the connection AUTHORIZED with token, or DEAUTHORIZED when there
 * is none, unless it changed since the request began. */
static void oauth_settle(oauth_job *j, char *token) {
  aev__http_store *s = j->bus->http;
  pthread_mutex_lock(&s->mu);
  aev__conn *c = aev__conn_find(s, j->name);
  if (c && c->gen == j->gen) {
    c->state = token ? "AUTHORIZED" : "DEAUTHORIZED";
    c->authorized_ms = aev_broker_now_ms(j->bus->res.broker);
    free(c->token);
    c->token = token;
    token = NULL;
  }
  pthread_mutex_unlock(&s->mu);
  free(token);
}

static void oauth_job_free(oauth_job *j) {
  aev_bus_release(j->bus);
  free(j->name);
  free(j);
}

static void oauth_task(void *arg, int cancelled) {
  oauth_job *j = arg;
  if (cancelled) {
    oauth_job_free(j);
    return;
  }
  aev__http_store *s = j->bus->http;
  oauth_req r = {0};
  pthread_mutex_lock(&s->mu);
  aev__conn *c = aev__conn_find(s, j->name);
  int rc = c && c->gen == j->gen ? oauth_request(c, &r) : AEV_ERR_NOT_FOUND;
  pthread_mutex_unlock(&s->mu);
  aev__http_result res = {0};
  if (!rc)
    rc = aev__http_call(j->bus->res.broker, r.method, r.url, r.headers, r.body, strlen(r.body),
                        &res);
  if (rc != AEV_ERR_NOT_FOUND) oauth_settle(j, rc ? NULL : token_of(&res));
  aev__http_result_free(&res);
  oauth_req_free(&r);
  oauth_job_free(j);
}

void aev__conn_request_token(aev_bus *bus, aev__conn *c) {
  oauth_job *j = calloc(1, sizeof *j);
  if (j && (j->name = strdup(c->name))) {
    aev__resource_ref(&bus->res);
    j->bus = bus;
    j->gen = c->gen;
    if (aev__sched_post_handler(aev__broker_sched(bus->res.broker), oauth_task, j) == AEV_OK)
      return;
    oauth_job_free(j);
    j = NULL;
  }
  if (j) free(j);
  c->state = "DEAUTHORIZED";
}

/* ---- invocation --------------------------------------------------------- */

/* A parameter value: a JSON path into the event ("$.detail.id") picks
 * from it, anything else is the value itself (HttpParameters reference).
 * NULL when the path picks nothing; *owned is set when allocated. */
static const char *param_value(json_t *v, json_t *event, char **owned) {
  const char *s = json_string_value(v);
  *owned = NULL;
  if (!s || !event || strncmp(s, "$.", 2)) return s;
  json_t *x = aev__path_get(event, s);
  if (json_is_string(x)) return json_string_value(x);
  return x ? (*owned = aev__json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY)) : NULL;
}

/* The endpoint with each '*' replaced by the next PathParameterValues. */
static int put_path(aev__tbuf *u, const char *endpoint, json_t *values, json_t *event) {
  size_t next = 0;
  for (const char *p = endpoint; *p; p++) {
    if (*p != '*') {
      aev__tbuf_put(u, p, 1);
      continue;
    }
    char *owned;
    const char *v = param_value(json_array_get(values, next++), event, &owned);
    if (!v) return 0;
    aev__tbuf_puts(u, v);
    free(owned);
  }
  return 1;
}

/* The connection's own headers on top of h: its InvocationHttpParameters'
 * HeaderParameters, then its authorization (Basic, the API key's header,
 * or OAuth's bearer token), each replacing a header of the same name. */
static void put_conn_headers(const aev__conn *c, header_set *h) {
  json_t *inv = json_object_get(c->auth, "InvocationHttpParameters"), *e, *p;
  size_t i;
  json_array_foreach(json_object_get(inv, "HeaderParameters"), i, e)
      set_header(h, str(e, "Key"), str(e, "Value"));
  if ((p = json_object_get(c->auth, "BasicAuthParameters"))) {
    char *a = basic(str(p, "Username"), str(p, "Password"));
    if (a) set_header(h, "Authorization", a);
    h->whole = h->whole && a;
    free(a);
  } else if ((p = json_object_get(c->auth, "ApiKeyAuthParameters"))) {
    set_header(h, str(p, "ApiKeyName"), str(p, "ApiKeyValue"));
  } else if (c->token) {
    char *bearer = malloc(strlen(c->token) + 8);
    if (bearer) {
      sprintf(bearer, "Bearer %s", c->token);
      set_header(h, "Authorization", bearer);
    }
    h->whole = h->whole && bearer;
    free(bearer);
  }
}

/* {Key: Value} of a list of {Key, Value} parameters; NULL when out of
 * memory. */
static json_t *pairs_object(json_t *list) {
  json_t *o = json_object(), *e;
  size_t i;
  json_array_foreach(list, i, e) if (o && json_object_set_new(o, str(e, "Key"), json_string(str(e, "Value")))) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

int aev__conn_request_parts(aev_broker *b, const char *conn_arn, json_t **headers, json_t **query,
                            json_t **body, const char **state) {
  *headers = *query = *body = NULL;
  *state = NULL;
  aev_bus *bus;
  aev__http_store *s;
  int rc = aev__http_store_get(b, &bus, &s);
  if (rc) return rc;
  pthread_mutex_lock(&s->mu);
  aev__conn *c = aev__conn_find(s, conn_arn);
  /* Only the ARN names a connection here (Authentication.ConnectionArn). */
  if (!c || strcmp(c->arn, conn_arn)) {
    rc = AEV_ERR_NOT_FOUND;
  } else if (strcmp(c->state, "AUTHORIZED")) {
    *state = c->state;
    rc = AEV_ERR_STATE;
  } else {
    json_t *inv = json_object_get(c->auth, "InvocationHttpParameters");
    header_set h = {json_object(), 1};
    h.whole = h.h != NULL;
    put_conn_headers(c, &h);
    *headers = h.whole ? h.h : NULL;
    if (!h.whole) json_decref(h.h);
    *query = pairs_object(json_object_get(inv, "QueryStringParameters"));
    *body = pairs_object(json_object_get(inv, "BodyParameters"));
    if (!*headers || !*query || !*body) rc = AEV_ERR_NOMEM;
  }
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  if (rc == AEV_ERR_NOMEM) {
    json_decref(*headers);
    json_decref(*query);
    json_decref(*body);
    *headers = *query = *body = NULL;
    return aev__nomem();
  }
  return rc;
}

/* The body with the connection's InvocationHttpParameters.BodyParameters
 * in it (mu held): the API reference has them "included in the body" and
 * the connection's values "taking precedence" (ConnectionBodyParameter,
 * HttpParameters), so each is set as a string member of a body that is a
 * JSON object, replacing the event's or the input transformer's member of
 * that name; a secret value (IsValueSecret) is sent like any other, it is
 * only kept out of DescribeConnection. No AWS source says what happens to
 * a body that is not a JSON object (an input transformer's text, an
 * array): it is sent as it is. *out malloc'd and *n set when the body
 * changed; 0 when out of memory. */
static int merged_body(const aev__conn *c, const char *input, size_t len, char **out, size_t *n) {
  json_t *list = json_object_get(json_object_get(c->auth, "InvocationHttpParameters"),
                                 "BodyParameters");
  json_t *body = NULL;
  *out = NULL;
  if (!json_array_size(list) || aev__json_parse(input, len, 0, &body, NULL)) return 1;
  json_t *conn = json_is_object(body) ? pairs_object(list) : NULL;
  int ok = !json_is_object(body) || (conn && !json_object_update(body, conn));
  if (ok && conn) ok = (*out = aev__json_dumps(body, JSON_COMPACT)) != NULL;
  if (*out) *n = strlen(*out);
  json_decref(conn);
  json_decref(body);
  return ok;
}

/* The request for destination d through connection c with the caller's
 * HttpParameters http (mu held): *url and *headers malloc'd. 0 when a path
 * parameter is missing. */
static int build(const aev__apidest *d, const aev__conn *c, json_t *http, json_t *event,
                 size_t len, char **url, char **headers) {
  json_t *inv = json_object_get(c->auth, "InvocationHttpParameters");
  json_t *conn_q = json_object_get(inv, "QueryStringParameters");
  json_t *tq = json_object_get(http, "QueryStringParameters");
  aev__tbuf u = {0};
  *url = *headers = NULL;
  if (!put_path(&u, d->endpoint, json_object_get(http, "PathParameterValues"), event)) {
    free(aev__tbuf_take(&u, NULL));
    return 0;
  }
  char sep = strchr(d->endpoint, '?') ? '&' : '?';
  size_t i;
  json_t *e;
  /* "In case of any conflicting keys, values from the Connection take
   * precedence" (HttpParameters reference): connection's first, then the
   * target's others. */
  json_array_foreach(conn_q, i, e) put_pair(&u, &sep, str(e, "Key"), str(e, "Value"));
  const char *k;
  json_t *v;
  json_object_foreach(tq, k, v) {
    int dup = 0;
    json_array_foreach(conn_q, i, e) dup |= !strcmp(str(e, "Key"), k);
    char *owned;
    const char *val = param_value(v, event, &owned);
    if (!dup && val) put_pair(&u, &sep, k, val);
    free(owned);
  }
  header_set h = {json_object(), 1};
  h.whole = h.h != NULL;
  json_object_foreach(json_object_get(http, "HeaderParameters"), k, v) {
    char *owned;
    const char *val = param_value(v, event, &owned);
    if (val) set_header(&h, k, val);
    free(owned);
  }
  put_conn_headers(c, &h);
  /* A Content-Type of the connection's or the target's replaces AWS's
   * default (API destinations' content type customization, 2024). */
  if (!header(h.h, "Content-Type")) set_header(&h, "Content-Type", CONTENT_TYPE);
  set_header(&h, "User-Agent", USER_AGENT);
  set_header(&h, "Range", "bytes=0-1048575");
  set_header(&h, "Accept-Encoding", "gzip,deflate");
  set_header(&h, "Connection", "close");
  char n[24];
  snprintf(n, sizeof n, "%zu", len);
  set_header(&h, "Content-Length", n);
  *url = aev__tbuf_take(&u, NULL);
  if (*url) set_host(&h, *url);
  *headers = headers_text(&h);
  return 1;
}

static void outcome(aev__http_outcome *o, int retryable, const char *code, const char *fmt,
                    const char *a, const char *b) {
  o->failed = 1;
  o->retryable = retryable;
  snprintf(o->code, sizeof o->code, "%s", code);
  snprintf(o->msg, sizeof o->msg, fmt, a, b);
}

/* Reserves the destination's next invocation slot: the rate limit spaces
 * invocations 1/rate seconds apart, and one over it waits for its slot
 * ("How invocation rate affects event delivery": events are delayed, not
 * dropped). The wait in ms, 0 when the slot is now. mu held. */
static int64_t reserve_slot(aev__apidest *d, aev_broker *b) {
  int64_t now_us = aev__clock_mono_ms(aev__broker_clock(b)) * 1000;
  int64_t slot = d->next_slot_us > now_us ? d->next_slot_us : now_us;
  d->next_slot_us = slot + 1000000 / d->rate;
  return (slot - now_us + 999) / 1000;
}

/* "EventBridge API destinations read the standard HTTP response header
 * Retry-After ... EventBridge chooses the more conservative value between
 * the defined retry policy and the Retry-After header. If Retry-After value
 * is negative, EventBridge stops retrying delivery for that event" (user
 * guide). The header is delay-seconds or an HTTP date (RFC 9110 10.2.3);
 * a date is measured against the broker's clock, and one already past asks
 * for no wait beyond the retry policy's. The guide does not say how AWS
 * reads a date: RFC 9110's rule is followed. */
static void retry_after(aev__http_outcome *o, json_t *response_headers, const char *st,
                        int64_t now_ms) {
  const char *v = header(response_headers, "Retry-After");
  if (!v) return;
  char *end;
  long long secs = strtoll(v, &end, 10);
  int64_t at;
  if (end == v || *end) {
    if (!aev__http_date_parse(v, now_ms, &at) && at > now_ms) o->retry_after_ms = at - now_ms;
    return;
  }
  if (secs < 0) {
    char code[sizeof o->code];
    memcpy(code, o->code, sizeof code);
    outcome(o, 0, code, "The API destination endpoint answered HTTP %s with a negative "
            "Retry-After (%s): not retried.", st, v);
  } else {
    o->retry_after_ms = secs * 1000;
  }
}

/* What the answer's status means: 2xx delivered; 401, 407, 409, 429 and
 * 5xx retried; 1xx, 3xx and other 4xx go to the dead-letter queue at once
 * ("API destination error codes", user guide). A 401 or 407 also refreshes
 * an OAuth connection's token (CreateConnection reference) or deauthorizes
 * another connection (unauthorized()). */
static void judge(aev__http_outcome *o, const aev__http_result *res, const char *url,
                  int64_t now_ms) {
  char st[16];
  snprintf(st, sizeof st, "%d", res->status);
  if (res->status == AEV__HTTP_UNREACHABLE) {
    outcome(o, 1, "CONNECTION_FAILURE",
            "The API destination endpoint %s could not be reached: no endpoint callback "
            "stands for it.%s", url, "");
  } else if (res->status == AEV__HTTP_NO_RESPONSE) {
    outcome(o, 1, "TIMEOUT",
            "The API destination endpoint %s did not answer within 5 seconds.%s", url, "");
  } else if (res->status < 200 || res->status > 299) {
    int s = res->status;
    int retry = s == 401 || s == 407 || s == 409 || s == 429 || s >= 500;
    outcome(o, retry, s == 429 ? "THROTTLING" : "ERROR_FROM_TARGET",
            "The API destination endpoint answered HTTP %s%s.", st,
            retry ? "" : ", which is not retried");
    if (retry) retry_after(o, res->headers, st, now_ms);
  }
}

/* After a 401 or 407 an OAuth connection asks for a new token; a BASIC or
 * API_KEY one is deauthorized until UpdateConnection gives it new
 * credentials ("De-authorizing connections", user guide). */
static void unauthorized(aev_broker *b, const char *conn_arn) {
  aev_bus *bus;
  aev__http_store *s;
  if (aev__http_store_get(b, &bus, &s)) return;
  pthread_mutex_lock(&s->mu);
  aev__conn *c = aev__conn_find(s, conn_arn);
  if (c && !strcmp(c->state, "AUTHORIZED")) {
    if (strcmp(c->type, "OAUTH_CLIENT_CREDENTIALS")) aev__conn_deauthorize(c);
    else aev__conn_authorize(bus, c, aev_broker_now_ms(b));
  }
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
}

void aev__apidest_send(aev_broker *b, const char *arn, json_t *http, const char *who,
                       json_t *event, const char *input, size_t len, int paced,
                       aev__http_outcome *o, aev__http_result *answer) {
  *o = (aev__http_outcome){0};
  aev_bus *bus;
  aev__http_store *s;
  if (aev__http_store_get(b, &bus, &s)) {
    outcome(o, 1, "INTERNAL_ERROR", "%s%s", aev_errmsg(), "");
    return;
  }
  char *url = NULL, *headers = NULL, *method = NULL, *conn_arn = NULL, *body = NULL;
  pthread_mutex_lock(&s->mu);
  aev__apidest *d = aev__apidest_find(s, arn);
  aev__conn *c = d ? aev__conn_find(s, d->conn_arn) : NULL;
  if (!d) {
    outcome(o, 0, "RESOURCE_NOT_FOUND", "API destination %s does not exist.%s", arn, "");
  } else if (!c) {
    outcome(o, 0, "RESOURCE_NOT_FOUND", "Connection %s does not exist.%s", d->conn_arn, "");
  } else if (!strcmp(c->state, "AUTHORIZING")) {
    /* The token is on its way: like a network error, retried. */
    outcome(o, 1, "CONNECTION_FAILURE", "Connection %s is %s: its OAuth token is not there yet.",
            c->name, c->state);
  } else if (strcmp(c->state, "AUTHORIZED")) {
    /* A deauthorized connection's secret is gone: nothing to retry with. */
    outcome(o, 0, "NO_PERMISSIONS",
            "Connection %s is %s: update it with new AuthParameters to authorize it again.",
            c->name, c->state);
  } else if (!paced && (o->wait_ms = reserve_slot(d, b)) > 0) {
    /* over the rate: wait for the slot reserved */
  } else if (!merged_body(c, input, len, &body, &len)) {
    outcome(o, 1, "INTERNAL_ERROR", "Out of memory building the request.%s%s", "", "");
  } else if (!build(d, c, http, event, len, &url, &headers)) {
    outcome(o, 0, "INVALID_PARAMETER",
            "HttpParameters.PathParameterValues of %s has fewer values than the "
            "endpoint %s has wildcards.",
            who, d->endpoint);
  } else if (!url || !headers || !(method = strdup(d->method)) ||
             !(conn_arn = strdup(d->conn_arn))) {
    outcome(o, 1, "INTERNAL_ERROR", "Out of memory building the request.%s%s", "", "");
  }
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  if (!o->failed && !o->wait_ms) {
    aev__http_result res;
    aev__http_call(b, method, url, headers, body ? body : input, len, &res);
    judge(o, &res, url, aev_broker_now_ms(b));
    if (res.status == 401 || res.status == 407) unauthorized(b, conn_arn);
    if (answer) *answer = res;
    else aev__http_result_free(&res);
  }
  free(url);
  free(headers);
  free(method);
  free(conn_arn);
  free(body);
}

/* ---- PutTargets' HttpParameters ------------------------------------------ */

static int is_path(json_t *v) { return !strncmp(json_string_value(v), "$.", 2); }

/* A {name: string} map of at most 100 entries, names and values at most
 * 512 characters; *paths is set when a value is a JSON path. */
static int check_map(json_t *m, const char *member, const aev__target_at *at, int *paths) {
  char path[AEV__MEMBER_MAX];
  aev__target_member(at, member, path);
  if (!json_is_object(m)) return aev__fail_validation(NULL, path, "Member must be a map");
  const char *k;
  json_t *v;
  json_object_foreach(m, k, v) {
    if (!json_is_string(v))
      return aev__fail_validation(NULL, path, "Member must be a map of strings");
    int rc = aev__bus_check_length(path, k, 512);
    if (!rc) rc = aev__bus_check_length(path, json_string_value(v), 512);
    if (rc) return rc;
    *paths |= is_path(v);
  }
  return AEV_OK;
}

int aev__target_parse_http(json_t *spec, aev__target *t, const aev__target_at *at) {
  json_t *p = json_object_get(spec, "HttpParameters");
  if (!p || json_is_null(p)) return AEV_OK;
  char path[AEV__MEMBER_MAX];
  if (!json_is_object(p))
    return aev__fail_validation(NULL, aev__target_member(at, "httpParameters", path),
                                "Member must be an object");
  json_t *v = json_object_get(p, "PathParameterValues");
  if (v) {
    aev__target_member(at, "httpParameters.pathParameterValues", path);
    if (!json_is_array(v) || json_array_size(v) > 100)
      return aev__fail_validation(NULL, path, "Member must be a list of at most 100 strings");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      if (!json_is_string(e) || !*json_string_value(e))
        return aev__fail_validation(NULL, path, "Member must be a list of non-empty strings");
      t->http_paths |= is_path(e);
    }
  }
  int rc = AEV_OK;
  if ((v = json_object_get(p, "HeaderParameters")))
    rc = check_map(v, "httpParameters.headerParameters", at, &t->http_paths);
  if (!rc && (v = json_object_get(p, "QueryStringParameters")))
    rc = check_map(v, "httpParameters.queryStringParameters", at, &t->http_paths);
  if (!rc && !(t->http = json_deep_copy(p))) rc = aev__nomem();
  return rc;
}
