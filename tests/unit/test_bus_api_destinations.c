/* EventBridge connections and API destinations, and rule targets that
 * invoke them through the broker's endpoint callbacks, on the manual clock:
 * the request AWS sends, which statuses are retried and which go straight
 * to the dead-letter queue, OAuth token requests, deauthorized connections,
 * InvocationRateLimitPerSecond pacing, and AWS's validation errors. */
#include <check.h>

#include "aevtest.h"
#include "bus/http_impl.h"
#include "bus_support.h"

static aev_broker *b;
static aev_bus *def;
static aev_queue *dlq;

/* What the endpoint callback saw, and what it answers. */
static int calls, releases;
static int64_t call_at[16];
static char last_url[512], last_method[16], last_body[2048];
static json_t *last_headers;
static int statuses[16]; /* answer i; 0: no answer */
static const char *retry_after; /* a Retry-After header for the answers */
static const char *token_body;

/* Records the request; the index of its answer. */
static int record(aev_http_request *r) {
  int i = calls < 16 ? calls : 15;
  call_at[i] = aev_broker_now_ms(b);
  snprintf(last_url, sizeof last_url, "%s", aev_http_request_url(r));
  snprintf(last_method, sizeof last_method, "%s", aev_http_request_method(r));
  size_t len;
  const char *body = aev_http_request_body(r, &len);
  snprintf(last_body, sizeof last_body, "%.*s", (int)len, body);
  json_decref(last_headers);
  last_headers = json_loads(aev_http_request_headers(r), 0, NULL);
  calls++;
  return i;
}

static void endpoint(void *user, aev_http_request *r) {
  (void)user;
  int i = record(r);
  if (retry_after) bt_ok(aev_http_request_set_response_header(r, "retry-after", retry_after));
  if (statuses[i]) aev_http_request_respond(r, statuses[i], "ok", 2);
}

static void token_endpoint(void *user, aev_http_request *r) {
  (void)user;
  record(r);
  aev_http_request_respond(r, 200, token_body, strlen(token_body));
}

static void count_release(void *user) {
  (void)user;
  releases++;
}

static void setup(void) {
  b = bt_broker();
  bt_ok(aev_bus_get(b, "default", &def));
  dlq = bt_queue(b, "dlq", NULL);
  calls = releases = 0;
  retry_after = NULL;
  memset(statuses, 0, sizeof statuses);
  for (int i = 0; i < 16; i++) statuses[i] = 200;
  last_headers = NULL;
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
}

static void teardown(void) {
  aev_queue_release(dlq);
  aev_bus_release(def);
  aev_broker_destroy(b);
  json_decref(last_headers);
}

static json_t *call(const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, "events", action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, out);
  json_t *o = json_loads(out, 0, NULL);
  aev_free(out);
  return o;
}

static void call_fails(const char *action, const char *req, const char *code, const char *msg) {
  char *out = NULL;
  ck_assert_int_ne(aev_call(b, "events", action, req, &out), AEV_OK);
  aev_free(out);
  ck_assert_str_eq(aev_errcode(), code);
  if (msg) ck_assert_str_eq(aev_errmsg(), msg);
}

static const char BASIC[] =
    "{\"Name\":\"c\",\"AuthorizationType\":\"BASIC\",\"AuthParameters\":{\"BasicAuthParameters\":"
    "{\"Username\":\"user\",\"Password\":\"pass\"},\"InvocationHttpParameters\":{"
    "\"HeaderParameters\":[{\"Key\":\"X-Conn\",\"Value\":\"conn\"},"
    "{\"Key\":\"X-Both\",\"Value\":\"from-connection\"},"
    "{\"Key\":\"X-Secret\",\"Value\":\"hidden\",\"IsValueSecret\":true}],"
    "\"QueryStringParameters\":[{\"Key\":\"cq\",\"Value\":\"1 2\"}]}}}";

/* A connection from req, and an API destination d on it for endpoint. */
static char *destination(const char *conn_req, const char *endpoint_url, int rate) {
  json_t *c = call("CreateConnection", conn_req);
  char req[1024];
  snprintf(req, sizeof req,
           "{\"Name\":\"d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"POST\","
           "\"InvocationEndpoint\":\"%s\"%s}",
           json_string_value(json_object_get(c, "ConnectionArn")), endpoint_url,
           rate ? ",\"InvocationRateLimitPerSecond\":1" : "");
  json_decref(c);
  json_t *d = call("CreateApiDestination", req);
  char *arn = strdup(json_string_value(json_object_get(d, "ApiDestinationArn")));
  json_decref(d);
  return arn;
}

static void target(const char *arn, const char *extra) {
  char spec[1024];
  snprintf(spec, sizeof spec,
           "[{\"Id\":\"t\",\"Arn\":\"%s\",\"DeadLetterConfig\":{\"Arn\":\"%s\"}%s%s}]", arn,
           aev_queue_arn(dlq), extra ? "," : "", extra ? extra : "");
  bt_ok(aev_bus_put_targets(def, "r", spec, NULL));
}

static const char *attr(json_t *attrs, const char *name) {
  return json_string_value(json_object_get(json_object_get(attrs, name), "StringValue"));
}

/* The DLQ's one message's attributes (caller frees), or NULL when empty. */
static json_t *dead_letter(void) {
  aev_message *m[1];
  size_t n;
  bt_ok(aev_queue_receive(dlq, 1, 0, NULL, m, &n));
  if (!n) return NULL;
  char *a = aev_message_attributes_json(m[0]);
  json_t *attrs = json_loads(a, 0, NULL);
  aev_free(a);
  bt_ok(aev_queue_delete_message(dlq, aev_message_receipt_handle(m[0])));
  aev_message_free(m[0]);
  return attrs;
}

START_TEST(endpoint_prefixes_longest_wins_and_release_once) {
  bt_ok(aev_endpoint_register(b, "https://a.example/", endpoint, NULL, count_release));
  bt_ok(aev_endpoint_register(b, "https://a.example/v2/", token_endpoint, NULL, count_release));
  /* Replacing a prefix releases the callback it replaces. */
  bt_ok(aev_endpoint_register(b, "https://a.example/", endpoint, NULL, count_release));
  ck_assert_int_eq(releases, 1);
  bt_fails(aev_endpoint_remove(b, "https://nowhere/"), AEV_ERR_NOT_FOUND, "NotFound", NULL);
  bt_fails(aev_endpoint_register(b, "", endpoint, NULL, count_release), AEV_ERR_INVALID,
           "InvalidParameter", NULL);
  ck_assert_int_eq(releases, 1);
  token_body = "{\"access_token\":\"tok\"}";
  char *arn = destination(BASIC, "https://a.example/v2/orders", 0);
  target(arn, NULL);
  free(arn);
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(last_url, "https://a.example/v2/orders?cq=1%202");
  bt_ok(aev_endpoint_remove(b, "https://a.example/v2/"));
  ck_assert_int_eq(releases, 2);
  aev_broker_destroy(b);
  b = NULL;
  ck_assert_int_eq(releases, 3);
  aev_queue_release(dlq);
  aev_bus_release(def);
  dlq = NULL;
  def = NULL;
}
END_TEST

START_TEST(connection_shapes_hide_secrets) {
  json_t *c = call("CreateConnection", BASIC);
  ck_assert_str_eq(json_string_value(json_object_get(c, "ConnectionState")), "AUTHORIZED");
  ck_assert_ptr_null(json_object_get(c, "LastAuthorizedTime"));
  const char *arn = json_string_value(json_object_get(c, "ConnectionArn"));
  ck_assert_int_eq(strncmp(arn, "arn:aws:events:us-east-1:000000000000:connection/c/", 51), 0);
  ck_assert_uint_eq(strlen(arn), 51 + 36);
  json_t *d = call("DescribeConnection", "{\"Name\":\"c\"}");
  char *text = json_dumps(d, JSON_COMPACT);
  ck_assert_ptr_null(strstr(text, "pass"));
  ck_assert_ptr_null(strstr(text, "hidden"));
  ck_assert_ptr_nonnull(strstr(text, "\"Username\":\"user\""));
  ck_assert_ptr_nonnull(strstr(text, "\"X-Conn\""));
  ck_assert_ptr_nonnull(strstr(text, "secretsmanager:us-east-1:000000000000:secret:events!connection/c/"));
  free(text);
  json_decref(d);
  call_fails("CreateConnection", BASIC, "ResourceAlreadyExistsException",
             "Connection 'c' already exists.");
  call_fails("CreateConnection",
             "{\"Name\":\"Invalid Name With Spaces!\",\"AuthorizationType\":\"API_KEY\","
             "\"AuthParameters\":{}}",
             "ValidationException",
             "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to "
             "satisfy constraint: Member must satisfy regular expression pattern: "
             "[\\.\\-_A-Za-z0-9]+");
  call_fails("CreateConnection",
             "{\"Name\":\"x\",\"AuthorizationType\":\"INVALID_AUTH_TYPE\",\"AuthParameters\":{}}",
             "ValidationException",
             "1 validation error detected: Value 'INVALID_AUTH_TYPE' at 'authorizationType' "
             "failed to satisfy constraint: Member must satisfy enum value set: [BASIC, "
             "OAUTH_CLIENT_CREDENTIALS, API_KEY]");
  call_fails("CreateConnection",
             "{\"Name\":\"x\",\"AuthorizationType\":\"BASIC\",\"AuthParameters\":{"
             "\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\",\"ApiKeyValue\":\"v\"}}}",
             "ValidationException", NULL);
  /* Refused requests stored nothing. */
  json_t *l = call("ListConnections", "{}");
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Connections")), 1);
  json_decref(l);
  json_t *del = call("DeleteConnection", "{\"Name\":\"c\"}");
  ck_assert_str_eq(json_string_value(json_object_get(del, "ConnectionState")), "DELETING");
  json_decref(del);
  call_fails("DescribeConnection", "{\"Name\":\"c\"}", "ResourceNotFoundException",
             "Failed to describe the connection(s). Connection 'c' does not exist.");
  json_decref(c);
}
END_TEST

START_TEST(api_destination_crud_and_validation) {
  call_fails("CreateApiDestination",
             "{\"Name\":\"d\",\"ConnectionArn\":\"invalid-connection-arn\",\"HttpMethod\":"
             "\"INVALID_METHOD\",\"InvocationEndpoint\":\"invalid-endpoint\"}",
             "ValidationException",
             "2 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' "
             "failed to satisfy constraint: Member must satisfy regular expression pattern: "
             "^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/"
             "[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$; Value 'INVALID_METHOD' at 'httpMethod' "
             "failed to satisfy constraint: Member must satisfy enum value set: [HEAD, POST, "
             "PATCH, DELETE, PUT, GET, OPTIONS]");
  char *arn = destination(BASIC, "https://api.example/items", 0);
  ck_assert_ptr_nonnull(strstr(arn, ":api-destination/d/"));
  json_t *d = call("DescribeApiDestination", "{\"Name\":\"d\"}");
  ck_assert_str_eq(json_string_value(json_object_get(d, "ApiDestinationState")), "ACTIVE");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "InvocationRateLimitPerSecond")), 300);
  ck_assert_str_eq(json_string_value(json_object_get(d, "HttpMethod")), "POST");
  json_decref(d);
  call_fails("UpdateApiDestination", "{\"Name\":\"d\",\"InvocationRateLimitPerSecond\":0}",
             "ValidationException", NULL);
  call_fails("UpdateApiDestination",
             "{\"Name\":\"d\",\"HttpMethod\":\"GET\",\"ConnectionArn\":\"arn:aws:events:"
             "us-east-1:000000000000:connection/gone/abc\"}",
             "ResourceNotFoundException", "Connection 'gone' does not exist.");
  call_fails("UpdateApiDestination", "{\"Name\":\"nope\",\"HttpMethod\":\"GET\"}",
             "ResourceNotFoundException",
             "Failed to update the api-destination(s). An api-destination 'nope' does not exist.");
  /* The user guide: an API destination's URL must use HTTPS. */
  call_fails("UpdateApiDestination",
             "{\"Name\":\"d\",\"HttpMethod\":\"GET\","
             "\"InvocationEndpoint\":\"http://api.example/items\"}",
             "ValidationException",
             "Invalid InvocationEndpoint 'http://api.example/items': an API destination's "
             "endpoint must use HTTPS.");
  /* Refused updates changed nothing. */
  d = call("DescribeApiDestination", "{\"Name\":\"d\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(d, "InvocationRateLimitPerSecond")), 300);
  ck_assert_str_eq(json_string_value(json_object_get(d, "HttpMethod")), "POST");
  ck_assert_str_eq(json_string_value(json_object_get(d, "InvocationEndpoint")),
                   "https://api.example/items");
  json_decref(d);
  json_decref(call("UpdateApiDestination", "{\"Name\":\"d\",\"HttpMethod\":\"PUT\"}"));
  json_t *l = call("ListApiDestinations", "{\"NamePrefix\":\"d\"}");
  json_t *e = json_array_get(json_object_get(l, "ApiDestinations"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(e, "HttpMethod")), "PUT");
  json_decref(l);
  call_fails("CreateApiDestination",
             "{\"Name\":\"e\",\"ConnectionArn\":\"arn:aws:events:us-east-1:000000000000:"
             "connection/nope/abc\",\"HttpMethod\":\"GET\",\"InvocationEndpoint\":\"https://x\"}",
             "ResourceNotFoundException", "Connection 'nope' does not exist.");
  call_fails("CreateApiDestination",
             "{\"Name\":\"e\",\"ConnectionArn\":\"arn:aws:events:us-east-1:000000000000:"
             "connection/nope/abc\",\"HttpMethod\":\"GET\","
             "\"InvocationEndpoint\":\"http://x\"}",
             "ValidationException",
             "Invalid InvocationEndpoint 'http://x': an API destination's endpoint must use "
             "HTTPS.");
  call_fails("DescribeApiDestination", "{\"Name\":\"e\"}", "ResourceNotFoundException", NULL);
  json_t *gone = call("DeleteApiDestination", "{\"Name\":\"d\"}");
  json_decref(gone);
  call_fails("DescribeApiDestination", "{\"Name\":\"d\"}", "ResourceNotFoundException",
             "Failed to describe the api-destination(s). An api-destination 'd' does not exist.");
  free(arn);
}
END_TEST

/* The request AWS sends: the method, the endpoint with path parameters put
 * in and query parameters appended (the connection's winning a conflict),
 * headers with the connection's authorization and AWS's fixed ones, and
 * the event as the body. */
START_TEST(request_has_aws_shape) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/orders/*/items/*", 0);
  target(arn,
         "\"HttpParameters\":{\"PathParameterValues\":[\"o1\",\"$.detail.item\"],"
         "\"HeaderParameters\":{\"X-Both\":\"from-target\",\"X-Target\":\"$.detail.item\"},"
         "\"QueryStringParameters\":{\"cq\":\"lost\",\"tq\":\"t\"}}");
  free(arn);
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", "{\"item\":\"i9\"}", 13, id));
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(last_method, "POST");
  ck_assert_str_eq(last_url, "https://api.example/orders/o1/items/i9?cq=1%202&tq=t");
  ck_assert_ptr_nonnull(strstr(last_body, id));
  const char *h[][2] = {{"Authorization", "Basic dXNlcjpwYXNz"},
                        {"User-Agent", "Amazon/EventBridge/ApiDestinations"},
                        {"Content-Type", "application/json; charset=utf-8"},
                        {"Range", "bytes=0-1048575"},
                        {"Accept-Encoding", "gzip,deflate"},
                        {"Connection", "close"},
                        {"Host", "api.example"},
                        {"X-Conn", "conn"},
                        {"X-Both", "from-connection"},
                        {"X-Secret", "hidden"},
                        {"X-Target", "i9"}};
  for (size_t i = 0; i < sizeof h / sizeof *h; i++)
    ck_assert_str_eq(json_string_value(json_object_get(last_headers, h[i][0])), h[i][1]);
  char n[16];
  snprintf(n, sizeof n, "%zu", strlen(last_body));
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Content-Length")), n);
  ck_assert_ptr_null(dead_letter());
}
END_TEST

/* 429 and 5xx are retried under the RetryPolicy; 400 goes straight to the
 * dead-letter queue with AWS's attributes. */
START_TEST(retried_statuses_and_dead_letters) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/x", 0);
  target(arn, "\"RetryPolicy\":{\"MaximumRetryAttempts\":5}");
  statuses[0] = 429;
  statuses[1] = 503;
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 3);
  ck_assert_int_ge(call_at[1] - call_at[0], 500);
  ck_assert_ptr_null(dead_letter());
  calls = 0;
  statuses[0] = 400;
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  json_t *attrs = dead_letter();
  ck_assert_ptr_nonnull(attrs);
  ck_assert_str_eq(attr(attrs, "TARGET_ARN"), arn);
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "ERROR_FROM_TARGET");
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "0");
  ck_assert_ptr_nonnull(strstr(attr(attrs, "ERROR_MESSAGE"), "400"));
  json_decref(attrs);
  /* No callback stands for the URL: unreachable, retried until the limit. */
  bt_ok(aev_endpoint_remove(b, "https://api.example/"));
  calls = 0;
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 3600 * 1000);
  attrs = dead_letter();
  ck_assert_ptr_nonnull(attrs);
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "CONNECTION_FAILURE");
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "5");
  ck_assert_str_eq(attr(attrs, "EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");
  json_decref(attrs);
  free(arn);
}
END_TEST

/* A 401 deauthorizes a BASIC connection: the retry finds it DEAUTHORIZED
 * and the event goes to the dead-letter queue. */
START_TEST(unauthorized_deauthorizes_basic) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/x", 0);
  target(arn, NULL);
  free(arn);
  statuses[0] = 401;
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  json_t *d = call("DescribeConnection", "{\"Name\":\"c\"}");
  ck_assert_str_eq(json_string_value(json_object_get(d, "ConnectionState")), "DEAUTHORIZED");
  json_decref(d);
  json_t *attrs = dead_letter();
  ck_assert_ptr_nonnull(attrs);
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "NO_PERMISSIONS");
  json_decref(attrs);
  /* New credentials authorize it again. */
  json_decref(call("UpdateConnection",
                   "{\"Name\":\"c\",\"AuthParameters\":{\"BasicAuthParameters\":{"
                   "\"Password\":\"new\"}}}"));
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 2);
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Authorization")),
                   "Basic dXNlcjpuZXc=");
}
END_TEST

/* Retry-After: the longer of it and the backoff; negative stops retrying. */
START_TEST(retry_after_header) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/x", 0);
  target(arn, NULL);
  free(arn);
  statuses[0] = 503;
  retry_after = "120";
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 119 * 1000);
  ck_assert_int_eq(calls, 1);
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 2);
  ck_assert_int_eq(call_at[1] - call_at[0], 120 * 1000);
  ck_assert_ptr_null(dead_letter());
  calls = 0;
  statuses[0] = 429;
  retry_after = "-1";
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 3600 * 1000);
  ck_assert_int_eq(calls, 1);
  json_t *attrs = dead_letter();
  ck_assert_ptr_nonnull(attrs);
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "0");
  ck_assert_ptr_nonnull(strstr(attr(attrs, "ERROR_MESSAGE"), "negative Retry-After"));
  json_decref(attrs);
}
END_TEST

/* Retry-After as an HTTP date (RFC 9110: IMF-fixdate, and the obsolete
 * RFC 850 and asctime forms), measured against the broker's clock; a date
 * already past or one that is no date leaves the backoff alone. */
START_TEST(retry_after_http_date) {
  static const char *const forms[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                      "%a %b %e %H:%M:%S %Y"};
  static const int waits[] = {120, 90, 200};
  static char date[64];
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/x", 0);
  target(arn, NULL);
  free(arn);
  retry_after = date;
  for (int i = 0; i < 5; i++) {
    /* i 3: a date ten seconds past; i 4: February 30th. */
    time_t at = (time_t)(aev_broker_now_ms(b) / 1000) + (i < 3 ? waits[i] : -10);
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(date, sizeof date, forms[i < 3 ? i : 0], &tm);
    if (i == 4) snprintf(date, sizeof date, "Fri, 30 Feb 2024 00:00:00 GMT");
    calls = 0;
    statuses[0] = 503;
    bt_put(def, "a", "{}");
    aev_broker_advance(b, 300 * 1000);
    ck_assert_int_eq(calls, 2);
    if (i < 3) ck_assert_int_eq(call_at[1] - call_at[0], waits[i] * 1000);
    else ck_assert_int_lt(call_at[1] - call_at[0], 5000);
  }
  ck_assert_ptr_null(dead_letter());
}
END_TEST

/* The three HTTP-date forms name the same instant; RFC 850's two-digit
 * year more than 50 years ahead is the century before; anything else is
 * no date. */
START_TEST(http_date_forms) {
  const int64_t now = 1704067200000LL; /* 2024-01-01T00:00:00Z */
  const int64_t at = 784111777000LL;   /* 1994-11-06T08:49:37Z */
  static const char *const same[] = {"Sun, 06 Nov 1994 08:49:37 GMT",
                                     "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"};
  for (size_t i = 0; i < 3; i++) {
    int64_t ms = 0;
    ck_assert_int_eq(aev__http_date_parse(same[i], now, &ms), AEV_OK);
    ck_assert_int_eq(ms, at);
  }
  int64_t ms = 0;
  ck_assert_int_eq(aev__http_date_parse("Monday, 01-Jan-74 00:00:00 GMT", now, &ms), AEV_OK);
  ck_assert_int_eq(ms, 3281990400000LL); /* 2074: 50 years ahead at most */
  ck_assert_int_eq(aev__http_date_parse("Wednesday, 01-Jan-75 00:00:00 GMT", now, &ms), AEV_OK);
  ck_assert_int_eq(ms, 157766400000LL); /* 1975, not 2075 */
  ck_assert_int_eq(aev__http_date_parse("Thu, 29 Feb 2024 23:59:59 GMT", now, &ms), AEV_OK);
  static const char *const bad[] = {"",
                                    "120s",
                                    "Sun, 06 Nov 1994 08:49:37",
                                    "Sun, 06 Nov 1994 08:49:37 UTC",
                                    "Sun, 06 Nov 1994 08:49:37 GMT ",
                                    "Sun, 6 Nov 1994 08:49:37 GMT",
                                    "Xyz, 06 Nov 1994 08:49:37 GMT",
                                    "Sun, 06 Foo 1994 08:49:37 GMT",
                                    "Sun, 06 Nov 1994 24:00:00 GMT",
                                    "Wed, 29 Feb 2023 00:00:00 GMT",
                                    "Sun, 06-Nov-94 08:49:37 GMT",
                                    "Sunday, 06 Nov 1994 08:49:37 GMT",
                                    "Sun Nov 6 08:49:37 1994"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    ck_assert_msg(aev__http_date_parse(bad[i], now, &ms) == AEV_ERR_INVALID, "took '%s'", bad[i]);
}
END_TEST

START_TEST(rate_limit_delays_not_drops) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/x", 1);
  target(arn, NULL);
  free(arn);
  int64_t t0 = aev_broker_now_ms(b);
  for (int i = 0; i < 3; i++) bt_put(def, "a", "{}");
  aev_broker_advance(b, 5000);
  ck_assert_int_eq(calls, 3);
  for (int i = 0; i < 3; i++) ck_assert_int_eq(call_at[i] - t0, i * 1000);
  ck_assert_ptr_null(dead_letter());
}
END_TEST

static const char OAUTH[] =
    "{\"Name\":\"c\",\"AuthorizationType\":\"OAUTH_CLIENT_CREDENTIALS\",\"AuthParameters\":{"
    "\"OAuthParameters\":{\"AuthorizationEndpoint\":\"https://auth.example/token\","
    "\"HttpMethod\":\"POST\",\"ClientParameters\":{\"ClientID\":\"id\",\"ClientSecret\":\"sec\"},"
    "\"OAuthHttpParameters\":{\"BodyParameters\":[{\"Key\":\"scope\",\"Value\":\"all\"}]}}}}";

START_TEST(oauth_token_then_bearer_and_deauthorize) {
  bt_ok(aev_endpoint_register(b, "https://auth.example/", token_endpoint, NULL, NULL));
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  token_body = "{\"access_token\":\"T0K\",\"token_type\":\"Bearer\"}";
  json_t *c = call("CreateConnection", OAUTH);
  ck_assert_str_eq(json_string_value(json_object_get(c, "ConnectionState")), "AUTHORIZING");
  char early[512];
  snprintf(early, sizeof early,
           "{\"Name\":\"d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"POST\","
           "\"InvocationEndpoint\":\"https://x\"}",
           json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
  /* AWS's recordings: made on an AUTHORIZING connection, it is INACTIVE. */
  json_t *d = call("CreateApiDestination", early);
  ck_assert_str_eq(json_string_value(json_object_get(d, "ApiDestinationState")), "INACTIVE");
  json_decref(d);
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(last_url, "https://auth.example/token");
  ck_assert_str_eq(last_body, "grant_type=client_credentials&scope=all");
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Authorization")),
                   "Basic aWQ6c2Vj");
  json_t *desc = call("DescribeConnection", "{\"Name\":\"c\"}");
  ck_assert_str_eq(json_string_value(json_object_get(desc, "ConnectionState")), "AUTHORIZED");
  char *text = json_dumps(desc, 0);
  ck_assert_ptr_null(strstr(text, "sec\""));
  free(text);
  const char *carn = json_string_value(json_object_get(desc, "ConnectionArn"));
  char req[512];
  snprintf(req, sizeof req,
           "{\"Name\":\"api\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"PUT\","
           "\"InvocationEndpoint\":\"https://api.example/p\"}",
           carn);
  json_t *api = call("CreateApiDestination", req);
  ck_assert_str_eq(json_string_value(json_object_get(api, "ApiDestinationState")), "ACTIVE");
  target(json_string_value(json_object_get(api, "ApiDestinationArn")), NULL);
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 2);
  ck_assert_str_eq(last_method, "PUT");
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Authorization")),
                   "Bearer T0K");
  /* Deauthorized, its invocations go to the dead-letter queue unretried. */
  json_t *de = call("DeauthorizeConnection", "{\"Name\":\"c\"}");
  ck_assert_str_eq(json_string_value(json_object_get(de, "ConnectionState")), "DEAUTHORIZING");
  json_decref(de);
  json_decref(desc);
  desc = call("DescribeApiDestination", "{\"Name\":\"api\"}");
  ck_assert_str_eq(json_string_value(json_object_get(desc, "ApiDestinationState")), "INACTIVE");
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 2);
  json_t *attrs = dead_letter();
  ck_assert_ptr_nonnull(attrs);
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "NO_PERMISSIONS");
  json_decref(attrs);
  json_decref(desc);
  json_decref(api);
}
END_TEST

/* A 401 makes an OAuth connection ask for a new token; the retry carries
 * it. UpdateConnection authorizes a deauthorized connection again. */
START_TEST(oauth_401_refreshes_and_update_reauthorizes) {
  bt_ok(aev_endpoint_register(b, "https://auth.example/", token_endpoint, NULL, NULL));
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  token_body = "{\"access_token\":\"first\"}";
  char *arn = destination(OAUTH, "https://api.example/x", 0);
  target(arn, NULL);
  free(arn);
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 1); /* the token request */
  token_body = "{\"access_token\":\"second\"}";
  statuses[1] = 401;
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 60000);
  /* the 401, a second token request, the retry with the new token */
  ck_assert_int_eq(calls, 4);
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Authorization")),
                   "Bearer second");
  ck_assert_ptr_null(dead_letter());
  json_decref(call("DeauthorizeConnection", "{\"Name\":\"c\"}"));
  /* A refused update changes nothing. */
  call_fails("UpdateConnection",
             "{\"Name\":\"c\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{}}",
             "ValidationException", NULL);
  json_t *d = call("DescribeConnection", "{\"Name\":\"c\"}");
  ck_assert_str_eq(json_string_value(json_object_get(d, "ConnectionState")), "DEAUTHORIZED");
  ck_assert_str_eq(json_string_value(json_object_get(d, "AuthorizationType")),
                   "OAUTH_CLIENT_CREDENTIALS");
  json_decref(d);
  token_body = "{\"access_token\":\"third\"}";
  json_t *u = call("UpdateConnection",
                   "{\"Name\":\"c\",\"AuthParameters\":{\"OAuthParameters\":{"
                   "\"ClientParameters\":{\"ClientSecret\":\"new\"}}}}");
  ck_assert_str_eq(json_string_value(json_object_get(u, "ConnectionState")), "AUTHORIZING");
  json_decref(u);
  aev_broker_drain(b);
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Authorization")),
                   "Basic aWQ6bmV3");
  bt_put(def, "a", "{}");
  aev_broker_drain(b);
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Authorization")),
                   "Bearer third");
}
END_TEST

/* Input transformers shape the body as for any target; HttpParameters are
 * checked when the target is put. */
START_TEST(input_transformer_and_http_parameters_checks) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(BASIC, "https://api.example/x", 0);
  target(arn, "\"InputTransformer\":{\"InputPathsMap\":{\"id\":\"$.detail.id\"},"
              "\"InputTemplate\":\"{\\\"order\\\": <id>}\"}");
  bt_put(def, "a", "{\"id\":\"o1\"}");
  aev_broker_drain(b);
  ck_assert_str_eq(last_body, "{\"order\": \"o1\"}");
  char spec[512];
  snprintf(spec, sizeof spec,
           "[{\"Id\":\"t\",\"Arn\":\"%s\",\"HttpParameters\":{\"HeaderParameters\":"
           "{\"h\":1}}}]",
           arn);
  bt_fails(aev_bus_put_targets(def, "r", spec, NULL), AEV_ERR_INVALID, "ValidationException",
           NULL);
  /* The target put before is still there. */
  char *list = NULL;
  bt_ok(aev_bus_list_targets(def, "r", &list));
  ck_assert_ptr_nonnull(strstr(list, "InputTransformer"));
  aev_free(list);
  free(arn);
}
END_TEST

/* The connection's BodyParameters go into a JSON object body, theirs
 * winning a member of the same name, secret ones too; a body that is not
 * an object is sent as it is. */
START_TEST(connection_body_parameters) {
  bt_ok(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL));
  char *arn = destination(
      "{\"Name\":\"c\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{"
      "\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"x-api-key\",\"ApiKeyValue\":\"k\"},"
      "\"InvocationHttpParameters\":{\"BodyParameters\":["
      "{\"Key\":\"tenant\",\"Value\":\"t1\"},"
      "{\"Key\":\"source\",\"Value\":\"from-connection\"},"
      "{\"Key\":\"token\",\"Value\":\"s3cret\",\"IsValueSecret\":true}]}}}",
      "https://api.example/x", 0);
  target(arn, NULL);
  bt_put(def, "a", "{\"n\":1}");
  aev_broker_drain(b);
  ck_assert_int_eq(calls, 1);
  json_t *sent = json_loads(last_body, 0, NULL);
  ck_assert_ptr_nonnull(sent);
  ck_assert_str_eq(json_string_value(json_object_get(sent, "tenant")), "t1");
  ck_assert_str_eq(json_string_value(json_object_get(sent, "source")), "from-connection");
  ck_assert_str_eq(json_string_value(json_object_get(sent, "token")), "s3cret");
  ck_assert_str_eq(json_string_value(json_object_get(sent, "detail-type")), "test");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(sent, "detail"), "n")), 1);
  json_decref(sent);
  char n[16];
  snprintf(n, sizeof n, "%zu", strlen(last_body));
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Content-Length")), n);
  /* DescribeConnection never shows the secret value. */
  json_t *d = call("DescribeConnection", "{\"Name\":\"c\"}");
  char *text = json_dumps(d, JSON_COMPACT);
  ck_assert_ptr_null(strstr(text, "s3cret"));
  ck_assert_ptr_nonnull(strstr(text, "\"Value\":\"t1\""));
  free(text);
  json_decref(d);
  /* An input transformer's text body is sent unchanged. */
  target(arn, "\"InputTransformer\":{\"InputPathsMap\":{\"n\":\"$.detail.n\"},"
              "\"InputTemplate\":\"count <n>\"}");
  bt_put(def, "a", "{\"n\":2}");
  aev_broker_advance(b, 1000); /* the rate limit spaces the two */
  ck_assert_int_eq(calls, 2);
  ck_assert_str_eq(last_body, "count 2");
  ck_assert_str_eq(json_string_value(json_object_get(last_headers, "Content-Length")), "7");
  free(arn);
}
END_TEST

/* AWS's default quotas: 3,000 connections and 3,000 API destinations. */
START_TEST(quotas) {
  char req[512], arn[256] = "";
  for (int i = 0; i < 3000; i++) {
    snprintf(req, sizeof req,
             "{\"Name\":\"c%d\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{"
             "\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\",\"ApiKeyValue\":\"v\"}}}",
             i);
    char *out = NULL;
    bt_ok(aev_bus_create_connection(b, req, i ? NULL : &out));
    if (out) {
      json_t *o = json_loads(out, 0, NULL);
      snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(o, "ConnectionArn")));
      json_decref(o);
      aev_free(out);
    }
  }
  snprintf(req, sizeof req,
           "{\"Name\":\"one-more\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{"
           "\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\",\"ApiKeyValue\":\"v\"}}}");
  bt_fails(aev_bus_create_connection(b, req, NULL), AEV_ERR_LIMIT, "LimitExceededException",
           NULL);
  for (int i = 0; i < 3000; i++) {
    snprintf(req, sizeof req,
             "{\"Name\":\"d%d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"GET\","
             "\"InvocationEndpoint\":\"https://x\"}",
             i, arn);
    bt_ok(aev_bus_create_api_destination(b, req, NULL));
  }
  snprintf(req, sizeof req,
           "{\"Name\":\"one-more\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"GET\","
           "\"InvocationEndpoint\":\"https://x\"}",
           arn);
  bt_fails(aev_bus_create_api_destination(b, req, NULL), AEV_ERR_LIMIT,
           "LimitExceededException", NULL);
  /* Listed by name, paged. */
  char *out = NULL;
  bt_ok(aev_bus_list_api_destinations(b, "{\"NamePrefix\":\"d1\",\"Limit\":2}", &out));
  json_t *l = json_loads(out, 0, NULL);
  aev_free(out);
  json_t *page = json_object_get(l, "ApiDestinations");
  ck_assert_uint_eq(json_array_size(page), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(page, 0), "Name")), "d1");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(page, 1), "Name")), "d10");
  ck_assert_ptr_nonnull(json_object_get(l, "NextToken"));
  json_decref(l);
}
END_TEST

START_TEST(oauth_refused_token_deauthorizes) {
  bt_ok(aev_endpoint_register(b, "https://auth.example/", token_endpoint, NULL, NULL));
  token_body = "{\"error\":\"invalid_client\"}";
  json_decref(call("CreateConnection", OAUTH));
  aev_broker_drain(b);
  json_t *desc = call("DescribeConnection", "{\"Name\":\"c\"}");
  ck_assert_str_eq(json_string_value(json_object_get(desc, "ConnectionState")), "DEAUTHORIZED");
  json_decref(desc);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_api_destinations");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, endpoint_prefixes_longest_wins_and_release_once);
  tcase_add_test(tc, connection_shapes_hide_secrets);
  tcase_add_test(tc, api_destination_crud_and_validation);
  tcase_add_test(tc, request_has_aws_shape);
  tcase_add_test(tc, retried_statuses_and_dead_letters);
  tcase_add_test(tc, retry_after_header);
  tcase_add_test(tc, retry_after_http_date);
  tcase_add_test(tc, http_date_forms);
  tcase_add_test(tc, unauthorized_deauthorizes_basic);
  tcase_add_test(tc, rate_limit_delays_not_drops);
  tcase_add_test(tc, oauth_token_then_bearer_and_deauthorize);
  tcase_add_test(tc, oauth_refused_token_deauthorizes);
  tcase_add_test(tc, oauth_401_refreshes_and_update_reauthorizes);
  tcase_add_test(tc, input_transformer_and_http_parameters_checks);
  tcase_add_test(tc, connection_body_parameters);
  tcase_add_test(tc, quotas);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
