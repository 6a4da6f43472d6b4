/* Step Functions' HTTP Task (arn:aws:states:::http:invoke): the request
 * built from the task's ApiEndpoint, Method, Headers, QueryParameters,
 * RequestBody and Transform merged with what its EventBridge connection
 * adds, sent to the broker's endpoint callbacks on the handler pool, and
 * the answer as the task's result or its States.Http.* error.
 *
 * AWS's guide ("Call HTTPS APIs in Step Functions workflows"): fields
 * ApiEndpoint, Method and Authentication.ConnectionArn are required; on a
 * key both give, the connection's header, query parameter or body
 * parameter wins; a string RequestBody cannot take the connection's body
 * parameters (States.Runtime); Transform URL-encodes the body with an
 * ArrayFormat of INDICES (default), REPEAT, COMMAS or BRACKETS; Step
 * Functions adds Content-Type, User-Agent and Range and refuses a set of
 * headers; a non-2xx answer fails as States.Http.StatusCode.NNN; no answer
 * within 60 seconds is States.Http.Socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/sched.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/exec_int.h"

static const char *const METHODS[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"};

/* The headers an HTTP Task may not set (the guide's Headers field). */
static const char *const FORBIDDEN[] = {
    "A-IM", "Accept-Charset", "Accept-Datetime", "Accept-Encoding", "Cache-Control", "Connection",
    "Content-Encoding", "Content-MD5", "Date", "Expect", "Forwarded", "From", "Host", "HTTP2-Settings",
    "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards",
    "Origin", "Pragma", "Proxy-Authorization", "Referer", "Server", "TE", "Trailer", "Transfer-Encoding",
    "Upgrade", "Via", "Warning"};
static const char *const FORBIDDEN_PREFIXES[] = {"x-forwarded-", "x-amz-", "x-amzn-"};

typedef enum { INDICES, REPEAT, COMMAS, BRACKETS } array_format;
static const char *const ARRAY_FORMATS[] = {"INDICES", "REPEAT", "COMMAS", "BRACKETS"};

/* The index of s in names (n of them), or -1. */
static int index_of(const char *s, const char *const *names, size_t n) {
  for (size_t i = 0; s && i < n; i++)
    if (!strcmp(s, names[i])) return (int)i;
  return -1;
}

static int same_name(const char *a, const char *b) {
  return strlen(a) == strlen(b) && aev__ascii_ncaseeq(a, b, strlen(b));
}

static int forbidden(const char *name) {
  for (size_t i = 0; i < sizeof FORBIDDEN / sizeof FORBIDDEN[0]; i++)
    if (same_name(name, FORBIDDEN[i])) return 1;
  for (size_t i = 0; i < sizeof FORBIDDEN_PREFIXES / sizeof FORBIDDEN_PREFIXES[0]; i++)
    if (strlen(name) >= strlen(FORBIDDEN_PREFIXES[i]) &&
        aev__ascii_ncaseeq(name, FORBIDDEN_PREFIXES[i], strlen(FORBIDDEN_PREFIXES[i])))
      return 1;
  return 0;
}

/* A value's text: a string itself, anything else its JSON (null: none).
 * NULL when out of memory. */
static char *text_of(json_t *v) {
  if (json_is_string(v)) return strdup(json_string_value(v));
  if (json_is_null(v)) return strdup("");
  return aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Sets header name in h to v (taken), replacing one of the same name in
 * any case (HTTP's names are not case-sensitive). 0 when out of memory. */
static int set_header(json_t *h, const char *name, json_t *v) {
  const char *k;
  json_t *x;
  void *tmp;
  json_object_foreach_safe(h, tmp, k, x) if (same_name(k, name)) json_object_del(h, k);
  return v && !json_object_set_new(h, name, v);
}

static int has_header(json_t *h, const char *name) {
  const char *k;
  json_t *x;
  json_object_foreach(h, k, x) if (same_name(k, name)) return 1;
  return 0;
}

/* ---- URL encoding (query strings, Transform's form bodies) ---- */

/* The name of a member (k) or an element (index i, k NULL) of the value
 * named key (NULL at the top): key[k], key[i], key[] or key as fmt says. */
static void sub_key(aev__tbuf *sub, const char *key, const char *k, size_t i, array_format fmt) {
  sub->n = 0;
  aev__tbuf_puts(sub, key ? key : "");
  if (k && key) {
    aev__tbuf_puts(sub, "[");
    aev__tbuf_puts(sub, k);
    aev__tbuf_puts(sub, "]");
  } else if (k) {
    aev__tbuf_puts(sub, k);
  } else if (fmt == INDICES) {
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    aev__tbuf_puts(sub, idx);
  } else if (fmt == BRACKETS) {
    aev__tbuf_puts(sub, "[]");
  }
}

/* An array's elements' texts joined with commas (ArrayFormat COMMAS);
 * NULL when out of memory. */
static char *joined(json_t *v) {
  aev__tbuf j = {0};
  json_t *x;
  size_t i;
  aev__tbuf_puts(&j, "");
  json_array_foreach(v, i, x) {
    char *t = text_of(x);
    if (i) aev__tbuf_puts(&j, ",");
    if (t) aev__tbuf_puts(&j, t);
    j.failed |= !t;
    free(t);
  }
  return aev__tbuf_take(&j, NULL);
}

/* key=value pairs for v named key (NULL at the top, where v is an
 * object), URL-encoded: an object's members as key[member], an array's
 * elements as ArrayFormat says, a scalar as its text. */
static void put_form(aev__tbuf *u, int *first, const char *key, json_t *v, array_format fmt) {
  if (json_is_object(v) || (json_is_array(v) && fmt != COMMAS)) {
    aev__tbuf sub = {0};
    json_t *x;
    size_t i;
    const char *k;
    if (json_is_object(v)) {
      json_object_foreach(v, k, x) {
        sub_key(&sub, key, k, 0, fmt);
        if (!sub.failed) put_form(u, first, sub.p, x, fmt);
      }
    } else {
      json_array_foreach(v, i, x) {
        sub_key(&sub, key, NULL, i, fmt);
        if (!sub.failed) put_form(u, first, sub.p, x, fmt);
      }
    }
    u->failed |= sub.failed;
    free(sub.p);
    return;
  }
  if (!key) return;
  char *text = json_is_array(v) ? joined(v) : text_of(v);
  if (!text) {
    u->failed = 1;
    return;
  }
  if (!*first) aev__tbuf_puts(u, "&");
  *first = 0;
  aev__tbuf_put_url_encoded(u, key);
  aev__tbuf_puts(u, "=");
  aev__tbuf_put_url_encoded(u, text);
  free(text);
}

/* ---- the request ---- */

typedef struct http_job {
  aev_broker *b;
  json_t *params;
  aev__task_done *done;
} http_job;

typedef struct request {
  const char *method;
  char *url, *headers, *body;
  size_t len;
} request;

static void request_free(request *q) {
  free(q->url);
  free(q->headers);
  free(q->body);
}

/* Why the task failed before it sent anything. */
typedef struct failure {
  const char *error;
  char cause[768];
} failure;

static int fail(failure *f, const char *error, const char *fmt, const char *a, const char *b) {
  f->error = error;
  snprintf(f->cause, sizeof f->cause, fmt, a, b);
  return -1;
}

/* The connection's parts, or its error (Step Functions' guide, "Connection
 * errors": Events.ConnectionResource.*). */
static int connection(aev_broker *b, const char *arn, json_t **h, json_t **q, json_t **body, failure *f) {
  const char *state = NULL;
  int rc = aev__conn_request_parts(b, arn, h, q, body, &state);
  if (rc == AEV_ERR_NOT_FOUND)
    return fail(f, "Events.ConnectionResource.ResourceNotFound", "The connection %s does not exist.%s", arn, "");
  if (rc == AEV_ERR_STATE && !strcmp(state, "AUTHORIZING"))
    return fail(f, "Events.ConnectionResource.AuthInProgress",
                "The connection %s is AUTHORIZING: its OAuth token is not there yet.%s", arn, "");
  if (rc == AEV_ERR_STATE)
    return fail(f, "Events.ConnectionResource.InvalidConnectionState",
                "The connection %s is %s: only an AUTHORIZED connection can be used.", arn, state);
  return rc;
}

/* The task's Headers with the connection's on top (theirs win), then the
 * ones Step Functions sets. */
static int headers_of(json_t *task, json_t *conn, const char *region, int has_body, int form, json_t **out,
                      failure *f) {
  if (task && !json_is_object(task))
    return fail(f, "States.Runtime", "The HTTP Task's Headers must be an object of header names and values.%s%s",
                "", "");
  json_t *h = json_object(), *v;
  const char *k;
  int ok = h != NULL;
  json_object_foreach(task, k, v) {
    if (forbidden(k)) {
      json_decref(h);
      return fail(f, "States.Runtime",
                  "The header '%s' cannot be set by an HTTP Task (Step Functions refuses it, and x-amz-*, "
                  "x-amzn-* and x-forwarded-* headers).%s",
                  k, "");
    }
    char *t = text_of(v);
    ok = ok && t && set_header(h, k, json_string(t));
    free(t);
  }
  json_object_foreach(conn, k, v) ok = ok && set_header(h, k, json_incref(v));
  if (has_body && !has_header(h, "Content-Type"))
    ok = ok && set_header(h, "Content-Type",
                          json_string(form ? "application/x-www-form-urlencoded" : "application/json; charset=UTF-8"));
  char agent[96];
  snprintf(agent, sizeof agent, "Amazon|StepFunctions|HttpInvoke|%s", region);
  ok = ok && set_header(h, "User-Agent", json_string(agent));
  ok = ok && set_header(h, "Range", json_string("bytes=0-262144"));
  if (!ok) {
    json_decref(h);
    return aev__nomem();
  }
  *out = h;
  return AEV_OK;
}

/* The RequestBody with the connection's body parameters merged in, or
 * NULL (*out) for none. */
static int body_of(json_t *task, json_t *conn, json_t **out, failure *f) {
  json_t *given = task && !json_is_null(task) ? task : NULL;
  *out = NULL;
  if (!json_object_size(conn)) {
    *out = json_incref(given);
    return AEV_OK;
  }
  if (given && !json_is_object(given))
    return fail(f, "States.Runtime",
                "The HTTP Task's RequestBody is %s and cannot be merged with the connection's body "
                "parameters: only an object can.%s",
                json_is_string(given) ? "a string" : "not an object", "");
  json_t *o = given ? json_deep_copy(given) : json_object();
  if (!o || json_object_update(o, conn)) { /* the connection's win */
    json_decref(o);
    return aev__nomem();
  }
  *out = o;
  return AEV_OK;
}

static int build(http_job *j, request *q, failure *f) {
  json_t *p = j->params;
  const char *url = json_string_value(json_object_get(p, "ApiEndpoint"));
  const char *method = json_string_value(json_object_get(p, "Method"));
  const char *arn = json_string_value(json_object_get(json_object_get(p, "Authentication"), "ConnectionArn"));
  if (!url || !arn || index_of(method, METHODS, 7) < 0)
    return fail(f, "States.Runtime",
                "An HTTP Task needs ApiEndpoint (a URL), Method (GET, POST, PUT, DELETE, PATCH, OPTIONS or "
                "HEAD) and Authentication.ConnectionArn (an EventBridge connection's ARN).%s%s",
                "", "");
  q->method = METHODS[index_of(method, METHODS, 7)];
  json_t *t = json_object_get(p, "Transform");
  json_t *enc = json_object_get(t, "RequestBodyEncoding");
  json_t *af = json_object_get(json_object_get(t, "RequestEncodingOptions"), "ArrayFormat");
  int fmt = af ? index_of(json_string_value(af), ARRAY_FORMATS, 4) : INDICES;
  if ((enc && strcmp(json_string_value(enc) ? json_string_value(enc) : "", "NONE") &&
       strcmp(json_string_value(enc) ? json_string_value(enc) : "", "URL_ENCODED")) ||
      fmt < 0)
    return fail(f, "States.Runtime",
                "The HTTP Task's Transform.RequestBodyEncoding must be NONE or URL_ENCODED, and "
                "RequestEncodingOptions.ArrayFormat INDICES, REPEAT, COMMAS or BRACKETS.%s%s",
                "", "");
  int form = enc && !strcmp(json_string_value(enc), "URL_ENCODED");
  json_t *tq = json_object_get(p, "QueryParameters");
  if (tq && !json_is_object(tq))
    return fail(f, "States.Runtime", "The HTTP Task's QueryParameters must be an object of keys and values.%s%s", "",
                "");
  json_t *ch = NULL, *cq = NULL, *cb = NULL, *body = NULL, *h = NULL, *query = NULL;
  int rc = connection(j->b, arn, &ch, &cq, &cb, f);
  if (!rc) rc = body_of(json_object_get(p, "RequestBody"), cb, &body, f);
  /* the connection's query parameters win over the task's */
  if (!rc && (!(query = tq ? json_deep_copy(tq) : json_object()) || json_object_update(query, cq)))
    rc = aev__nomem();
  if (!rc) rc = headers_of(json_object_get(p, "Headers"), ch, aev_broker_region(j->b), body != NULL, form, &h, f);
  if (!rc) {
    aev__tbuf u = {0};
    int first = 1;
    aev__tbuf_puts(&u, url);
    aev__tbuf qs = {0};
    aev__tbuf_puts(&qs, "");
    put_form(&qs, &first, NULL, query, (array_format)fmt);
    if (!first) aev__tbuf_puts(&u, strchr(url, '?') ? "&" : "?");
    size_t n = 0;
    char *qtext = aev__tbuf_take(&qs, &n);
    if (qtext) aev__tbuf_put(&u, qtext, n);
    u.failed |= !qtext;
    free(qtext);
    q->url = aev__tbuf_take(&u, NULL);
    if (body && form && json_is_object(body)) {
      aev__tbuf fb = {0};
      first = 1;
      aev__tbuf_puts(&fb, "");
      put_form(&fb, &first, NULL, body, (array_format)fmt);
      q->body = aev__tbuf_take(&fb, &q->len);
    } else if (body) {
      q->body = text_of(body);
      q->len = q->body ? strlen(q->body) : 0;
    } else {
      q->body = strdup("");
    }
    q->headers = aev__json_dumps(h, JSON_COMPACT);
    if (!q->url || !q->body || !q->headers) rc = aev__nomem();
  }
  json_decref(ch);
  json_decref(cq);
  json_decref(cb);
  json_decref(body);
  json_decref(h);
  json_decref(query);
  return rc;
}

/* ---- the answer ---- */

static const struct {
  int code;
  const char *text;
} REASONS[] = {{200, "OK"}, {201, "Created"}, {202, "Accepted"}, {203, "Non-Authoritative Information"},
               {204, "No Content"}, {206, "Partial Content"}, {301, "Moved Permanently"}, {302, "Found"},
               {303, "See Other"}, {304, "Not Modified"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"},
               {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
               {405, "Method Not Allowed"}, {406, "Not Acceptable"}, {408, "Request Timeout"}, {409, "Conflict"},
               {410, "Gone"}, {413, "Payload Too Large"}, {415, "Unsupported Media Type"},
               {422, "Unprocessable Entity"}, {429, "Too Many Requests"}, {500, "Internal Server Error"},
               {501, "Not Implemented"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
               {504, "Gateway Timeout"}};

static const char *reason(int code) {
  for (size_t i = 0; i < sizeof REASONS / sizeof REASONS[0]; i++)
    if (REASONS[i].code == code) return REASONS[i].text;
  return "";
}

/* The task's result from an answer: StatusCode, StatusText, Headers (each
 * name with the list of its values) and ResponseBody (a JSON answer's
 * value, else its text). NULL when out of memory. */
static json_t *result_of(const aev__http_result *res) {
  json_t *h = json_object(), *v, *body = NULL;
  const char *k, *type = NULL;
  int ok = h != NULL;
  json_object_foreach(res->headers, k, v) {
    ok = ok && !json_object_set_new(h, k, json_pack("[O]", v));
    if (same_name(k, "Content-Type")) type = json_string_value(v);
  }
  if (type && strstr(type, "json")) aev__json_parse(res->body, res->len, JSON_DECODE_ANY, &body, NULL);
  if (!body) body = json_stringn(res->body ? res->body : "", res->len);
  json_t *o = ok && body ? json_pack("{s:o,s:o,s:i,s:s}", "Headers", h, "ResponseBody", body, "StatusCode",
                                     res->status, "StatusText", reason(res->status))
                         : NULL;
  if (!o) {
    json_decref(h);
    json_decref(body);
  }
  return o;
}

/* Posts what the endpoint answered as the task's outcome. */
static void answered(http_job *j, const aev__http_result *res, const char *url) {
  if (res->status == AEV__HTTP_UNREACHABLE || res->status == AEV__HTTP_NO_RESPONSE) {
    char cause[768];
    snprintf(cause, sizeof cause,
             res->status == AEV__HTTP_UNREACHABLE
                 ? "The endpoint %s could not be reached: no endpoint callback stands for it."
                 : "The endpoint %s did not answer within 60 seconds.",
             url);
    aev__task_done_post(j->done, NULL, strdup("States.Http.Socket"), strdup(cause));
    return;
  }
  json_t *o = result_of(res);
  char *text = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!text || (res->status >= 200 && res->status <= 299)) {
    aev__task_done_post(j->done, text, NULL, NULL);
    return;
  }
  /* the whole answer as the cause, as a Catch's ResultPath shows it */
  char error[40];
  snprintf(error, sizeof error, "States.Http.StatusCode.%d", res->status);
  aev__task_done_post(j->done, NULL, strdup(error), text);
}

/* ---- the call, on the handler pool ---- */

static void job_free(http_job *j) {
  json_decref(j->params);
  free(j);
}

static void job_run(void *arg, int cancelled) {
  http_job *j = arg;
  if (cancelled) {
    aev__task_done_drop(j->done);
    job_free(j);
    return;
  }
  request q = {0};
  failure f = {0};
  int rc = build(j, &q, &f);
  if (rc < 0) {
    aev__task_done_post(j->done, NULL, strdup(f.error), strdup(f.cause));
  } else if (rc) {
    aev__task_done_post(j->done, NULL, NULL, NULL);
  } else {
    aev__http_result res = {0};
    if (aev__http_call(j->b, q.method, q.url, q.headers, q.body, q.len, &res))
      aev__task_done_post(j->done, NULL, NULL, NULL);
    else
      answered(j, &res, q.url);
    aev__http_result_free(&res);
  }
  request_free(&q);
  job_free(j);
}

int aev__http_task_call(aev_broker *b, const char *resource, json_t *params, aev__task_done *done) {
  (void)resource;
  http_job *j = calloc(1, sizeof *j);
  if (!j || !(j->params = json_is_object(params) ? json_deep_copy(params) : json_object())) {
    free(j);
    return aev__nomem();
  }
  j->b = b;
  j->done = done;
  int rc = aev__sched_post_handler(aev__broker_sched(b), job_run, j);
  if (rc) job_free(j);
  return rc;
}
