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
 * within 60 seconds is States.Http.Socket (the quotas' HTTP Task duration);
 * a result over 256 KiB is States.DataLimitExceeded, as any task's. The
 * fields are checked when the task runs (States.Runtime): no AWS source
 * says which of them CreateStateMachine checks, nor in what words. Under
 * TestState the call notes the request and response for inspectionData. */
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
#include "machine/probe.h"

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
  m_probe *probe; /* TestState's, or NULL */
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

/* The task's own fields, checked. */
typedef struct spec {
  const char *url, *arn, *method;
  array_format fmt;
  int form; /* Transform's URL_ENCODED */
  json_t *query;
} spec;

static int spec_of(json_t *p, spec *s, failure *f) {
  s->url = json_string_value(json_object_get(p, "ApiEndpoint"));
  s->arn = json_string_value(json_object_get(json_object_get(p, "Authentication"), "ConnectionArn"));
  int m = index_of(json_string_value(json_object_get(p, "Method")), METHODS, 7);
  if (!s->url || !s->arn || m < 0)
    return fail(f, "States.Runtime",
                "An HTTP Task needs ApiEndpoint (a URL), Method (GET, POST, PUT, DELETE, PATCH, OPTIONS or "
                "HEAD) and Authentication.ConnectionArn (an EventBridge connection's ARN).%s%s",
                "", "");
  s->method = METHODS[m];
  json_t *t = json_object_get(p, "Transform");
  json_t *enc = json_object_get(t, "RequestBodyEncoding");
  json_t *af = json_object_get(json_object_get(t, "RequestEncodingOptions"), "ArrayFormat");
  int e = enc ? index_of(json_string_value(enc), (const char *const[]){"NONE", "URL_ENCODED"}, 2) : 0;
  int fmt = af ? index_of(json_string_value(af), ARRAY_FORMATS, 4) : INDICES;
  if (e < 0 || fmt < 0)
    return fail(f, "States.Runtime",
                "The HTTP Task's Transform.RequestBodyEncoding must be NONE or URL_ENCODED, and "
                "RequestEncodingOptions.ArrayFormat INDICES, REPEAT, COMMAS or BRACKETS.%s%s",
                "", "");
  s->fmt = (array_format)fmt;
  s->form = e == 1;
  s->query = json_object_get(p, "QueryParameters");
  if (s->query && !json_is_object(s->query))
    return fail(f, "States.Runtime", "The HTTP Task's QueryParameters must be an object of keys and values.%s%s", "",
                "");
  return AEV_OK;
}

/* The URL: ApiEndpoint and the query string. NULL when out of memory. */
static char *url_of(const spec *s, json_t *query) {
  aev__tbuf u = {0}, qs = {0};
  int first = 1;
  aev__tbuf_puts(&u, s->url);
  aev__tbuf_puts(&qs, "");
  put_form(&qs, &first, NULL, query, s->fmt);
  if (!first) aev__tbuf_puts(&u, strchr(s->url, '?') ? "&" : "?");
  size_t n = 0;
  char *qtext = aev__tbuf_take(&qs, &n);
  if (qtext) aev__tbuf_put(&u, qtext, n);
  u.failed |= !qtext;
  free(qtext);
  return aev__tbuf_take(&u, NULL);
}

/* The request from the task's fields and the connection's parts (ch, cq,
 * cb: its headers, query and body parameters). */
static int compose(http_job *j, const spec *s, json_t *ch, json_t *cq, json_t *cb, request *q, failure *f) {
  json_t *p = j->params, *body = NULL, *h = NULL, *query = NULL;
  q->method = s->method;
  int rc = body_of(json_object_get(p, "RequestBody"), cb, &body, f);
  /* the connection's query parameters win over the task's */
  if (!rc && (!(query = s->query ? json_deep_copy(s->query) : json_object()) || json_object_update(query, cq)))
    rc = aev__nomem();
  if (!rc) rc = headers_of(json_object_get(p, "Headers"), ch, aev_broker_region(j->b), body != NULL, s->form, &h, f);
  if (!rc) {
    q->url = url_of(s, query);
    if (body && s->form && json_is_object(body)) {
      aev__tbuf fb = {0};
      int first = 1;
      aev__tbuf_puts(&fb, "");
      put_form(&fb, &first, NULL, body, s->fmt);
      q->body = aev__tbuf_take(&fb, &q->len);
    } else {
      q->body = body ? text_of(body) : strdup("");
      q->len = q->body ? strlen(q->body) : 0;
    }
    q->headers = aev__json_dumps(h, JSON_COMPACT);
    if (!q->url || !q->body || !q->headers) rc = aev__nomem();
  }
  json_decref(body);
  json_decref(h);
  json_decref(query);
  return rc;
}

/* The request to send (q) and, when shown is not NULL, the one TestState
 * shows without revealSecrets: without what the connection adds (the
 * API reference's revealSecrets). */
static int build(http_job *j, request *q, request *shown, failure *f) {
  spec s;
  json_t *ch = NULL, *cq = NULL, *cb = NULL;
  int rc = spec_of(j->params, &s, f);
  if (!rc) rc = connection(j->b, s.arn, &ch, &cq, &cb, f);
  if (!rc) rc = compose(j, &s, ch, cq, cb, q, f);
  if (!rc && shown) {
    json_t *none = json_object();
    rc = none ? compose(j, &s, none, none, none, shown, f) : aev__nomem();
    json_decref(none);
  }
  json_decref(ch);
  json_decref(cq);
  json_decref(cb);
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

/* A body as a JSON string; one that is not UTF-8 read as Java reads it,
 * its malformed bytes U+FFFD. NULL when out of memory. */
static json_t *body_text(const char *s, size_t n) {
  if (aev__utf8_valid(s, n)) return json_stringn(s, n);
  aev__tbuf t = {0};
  aev__tbuf_put_utf8_lossy(&t, s, n);
  size_t len;
  char *p = aev__tbuf_take(&t, &len);
  json_t *v = p ? json_stringn(p, len) : NULL;
  free(p);
  return v;
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
  if (!body) body = body_text(res->body ? res->body : "", res->len);
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
                 : "The endpoint %s did not answer (an HTTP Task waits 60 seconds at most).",
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

/* ---- TestState's inspection data ---- */

/* Headers (a JSON object's text) as "[Name: value, Name: value]". */
static char *header_list(json_t *h) {
  aev__tbuf t = {0};
  const char *k;
  json_t *v;
  int first = 1;
  aev__tbuf_puts(&t, "[");
  json_object_foreach(h, k, v) {
    if (!first) aev__tbuf_puts(&t, ", ");
    first = 0;
    aev__tbuf_puts(&t, k);
    aev__tbuf_puts(&t, ": ");
    aev__tbuf_puts(&t, json_is_string(v) ? json_string_value(v) : "");
  }
  aev__tbuf_puts(&t, "]");
  return aev__tbuf_take(&t, NULL);
}

static const char *protocol_of(const char *url) { return strncmp(url, "http://", 7) ? "https" : "http"; }

/* Keeps inspectionData's request (InspectionDataRequest: protocol, method,
 * url, headers, body, all strings) in the probe; *slot as JSON text. */
static void note(m_probe *p, char **slot, json_t *o) {
  *slot = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  p->lost |= !*slot;
  json_decref(o);
}

static void note_request(m_probe *p, const request *q) {
  json_t *h = NULL;
  aev__json_parse_str(q->headers, 0, &h);
  char *list = h ? header_list(h) : NULL;
  json_decref(h);
  p->lost |= !list;
  if (list)
    note(p, &p->http_request, json_pack("{s:s,s:s,s:s,s:s,s:s%}", "protocol", protocol_of(q->url), "method", q->method,
                                     "url", q->url, "headers", list, "body", q->body, q->len));
  free(list);
}

/* InspectionDataResponse: protocol, statusCode, statusMessage, headers,
 * body, all strings. */
static void note_response(m_probe *p, const aev__http_result *res, const char *url) {
  if (res->status < 100) return; /* nothing answered */
  char code[16];
  snprintf(code, sizeof code, "%d", res->status);
  char *list = res->headers ? header_list(res->headers) : strdup("[]");
  json_t *body = body_text(res->body ? res->body : "", res->body ? res->len : 0);
  p->lost |= !list || !body;
  if (list && body)
    note(p, &p->http_response, json_pack("{s:s,s:s,s:s,s:s,s:O}", "protocol", protocol_of(url), "statusCode", code,
                                      "statusMessage", reason(res->status), "headers", list, "body", body));
  json_decref(body);
  free(list);
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
  request q = {0}, shown = {0};
  failure f = {0};
  int reveal = j->probe && j->probe->reveal_secrets;
  int rc = build(j, &q, j->probe && !reveal ? &shown : NULL, &f);
  if (rc < 0) {
    aev__task_done_post(j->done, NULL, strdup(f.error), strdup(f.cause));
  } else if (rc) {
    aev__task_done_post(j->done, NULL, NULL, NULL);
  } else {
    if (j->probe) note_request(j->probe, reveal ? &q : &shown);
    aev__http_result res = {0};
    rc = aev__http_call(j->b, q.method, q.url, q.headers, q.body, q.len, &res);
    if (!rc && j->probe) note_response(j->probe, &res, q.url);
    if (rc)
      aev__task_done_post(j->done, NULL, NULL, NULL);
    else
      answered(j, &res, q.url);
    aev__http_result_free(&res);
  }
  request_free(&q);
  request_free(&shown);
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
  j->probe = aev__task_done_probe(done);
  int rc = aev__sched_post_handler(aev__broker_sched(b), job_run, j);
  if (rc) job_free(j);
  return rc;
}
