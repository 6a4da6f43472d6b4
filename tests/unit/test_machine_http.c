/* Step Functions' HTTP Task (arn:aws:states:::http:invoke) through
 * EventBridge connections and the broker's endpoint callbacks: the request
 * each auth type builds, the guide's merge rules (the connection's
 * headers, query and body parameters win), URL-encoded bodies in each
 * ArrayFormat, the result's shape, States.Http.StatusCode.NNN caught and
 * retried by name, unreachable endpoints, connection errors, refused
 * headers, the history's events, JSONata Arguments and a real clock. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/machine.h"
#include "machine_support.h"

static aev_broker *b;

/* What the endpoint saw, and what it answers. */
static int calls;
static char last_url[1024], last_method[16], last_body[2048];
static json_t *last_headers;
static int statuses[8];
static const char *answer_type, *answer_body;

static void endpoint(void *user, aev_http_request *r) {
  (void)user;
  int i = calls < 8 ? calls : 7;
  calls++;
  snprintf(last_url, sizeof last_url, "%s", aev_http_request_url(r));
  snprintf(last_method, sizeof last_method, "%s", aev_http_request_method(r));
  size_t len;
  const char *body = aev_http_request_body(r, &len);
  snprintf(last_body, sizeof last_body, "%.*s", (int)len, body ? body : "");
  json_decref(last_headers);
  last_headers = json_loads(aev_http_request_headers(r), 0, NULL);
  if (answer_type) aev_http_request_set_response_header(r, "Content-Type", answer_type);
  aev_http_request_respond(r, statuses[i], answer_body, strlen(answer_body));
}

/* An endpoint that returns without answering. */
static void silent(void *user, aev_http_request *r) {
  (void)user;
  (void)r;
  calls++;
}

static void token_endpoint(void *user, aev_http_request *r) {
  (void)user;
  static const char tok[] = "{\"access_token\":\"tok123\"}";
  aev_http_request_respond(r, 200, tok, strlen(tok));
}

static void setup(void) {
  b = aev_test_manual_broker(5);
  calls = 0;
  for (int i = 0; i < 8; i++) statuses[i] = 200;
  answer_type = "application/json";
  answer_body = "{\"ok\":true}";
  last_headers = NULL;
  ck_assert_int_eq(aev_endpoint_register(b, "https://api.example.com/", endpoint, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_endpoint_register(b, "https://auth.example.com/", token_endpoint, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_endpoint_register(b, "https://silent.example.com/", silent, NULL, NULL), AEV_OK);
}

static void teardown(void) {
  aev_broker_destroy(b);
  json_decref(last_headers);
}

/* A connection from its request (written with '); its ARN (static). */
static const char *connection(const char *req_q) {
  static char arn[256];
  char *req = dq(req_q);
  json_t *c = aev_test_call(b, "events", "CreateConnection", req, AEV_OK);
  free(req);
  snprintf(arn, sizeof arn, "%s", json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
  aev_broker_drain(b); /* an OAuth connection's token request */
  return arn;
}

static const char BASIC[] =
    "{'Name':'basic','AuthorizationType':'BASIC','AuthParameters':{'BasicAuthParameters':"
    "{'Username':'user','Password':'pass'},'InvocationHttpParameters':{"
    "'HeaderParameters':[{'Key':'X-Conn','Value':'conn'},{'Key':'x-both','Value':'from-connection'}],"
    "'QueryStringParameters':[{'Key':'both','Value':'conn'},{'Key':'cq','Value':'a b'}],"
    "'BodyParameters':[{'Key':'both','Value':'conn'},{'Key':'cb','Value':'c'}]}}}";

/* Runs a one-state machine whose state is an HTTP Task with this
 * Parameters (written with ', "%s" standing for the connection's ARN) and
 * extra fields. */
static result run_task(const char *params_q, const char *conn_arn, const char *extra_q) {
  char params[2048], def[4096];
  snprintf(params, sizeof params, params_q, conn_arn);
  snprintf(def, sizeof def,
           "{'StartAt':'H','States':{'H':{'Type':'Task','Resource':'arn:aws:states:::http:invoke',"
           "'Parameters':%s%s}%s}}",
           params, extra_q ? extra_q : ",'End':true", "");
  return run_def(b, def, "{}");
}

static const char *header(const char *name) { return json_string_value(json_object_get(last_headers, name)); }

static void assert_json(const char *text, const char *expected_q) {
  char *e = dq(expected_q);
  json_t *a = json_loads(text, JSON_DECODE_ANY, NULL), *x = json_loads(e, JSON_DECODE_ANY, NULL);
  ck_assert_msg(a && x && json_equal(a, x), "got %s, want %s", text, e);
  json_decref(a);
  json_decref(x);
  free(e);
}

START_TEST(basic_auth_and_merge_rules) {
  const char *arn = connection(BASIC);
  result r = run_task("{'ApiEndpoint':'https://api.example.com/orders','Method':'POST',"
                      "'Authentication':{'ConnectionArn':'%s'},"
                      "'Headers':{'X-Both':'from-task','X-Task':'t'},"
                      "'QueryParameters':{'both':'task','tq':'1'},"
                      "'RequestBody':{'both':'task','tb':1}}",
                      arn, NULL);
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(last_method, "POST");
  /* the connection's query parameter wins; all URL-encoded */
  ck_assert_str_eq(last_url, "https://api.example.com/orders?both=conn&tq=1&cq=a%20b");
  ck_assert_str_eq(header("Authorization"), "Basic dXNlcjpwYXNz");
  ck_assert_str_eq(header("x-both"), "from-connection");
  ck_assert_ptr_null(json_object_get(last_headers, "X-Both"));
  ck_assert_str_eq(header("X-Task"), "t");
  ck_assert_str_eq(header("X-Conn"), "conn");
  ck_assert_str_eq(header("Content-Type"), "application/json; charset=UTF-8");
  ck_assert_str_eq(header("User-Agent"), "Amazon|StepFunctions|HttpInvoke|us-east-1");
  ck_assert_str_eq(header("Range"), "bytes=0-262144");
  assert_json(last_body, "{'both':'conn','tb':1,'cb':'c'}");
  /* the result: StatusCode, StatusText, Headers as lists, a JSON body parsed */
  ck_assert_int_eq(json_integer_value(json_object_get(r.output, "StatusCode")), 200);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "StatusText")), "OK");
  ck_assert(json_is_true(json_object_get(json_object_get(r.output, "ResponseBody"), "ok")));
  json_t *ct = json_object_get(json_object_get(r.output, "Headers"), "Content-Type");
  ck_assert_str_eq(json_string_value(json_array_get(ct, 0)), "application/json");
  /* the history names the integration http / invoke */
  size_t i;
  json_t *ev;
  int scheduled = 0;
  json_array_foreach(r.history, i, ev) {
    json_t *d = json_object_get(ev, "taskScheduledEventDetails");
    if (!d) continue;
    scheduled++;
    ck_assert_str_eq(json_string_value(json_object_get(d, "resourceType")), "http");
    ck_assert_str_eq(json_string_value(json_object_get(d, "resource")), "invoke");
  }
  ck_assert_int_eq(scheduled, 1);
  result_free(&r);
}
END_TEST

START_TEST(api_key_and_oauth) {
  const char *arn = connection("{'Name':'k','AuthorizationType':'API_KEY','AuthParameters':{'ApiKeyAuthParameters':"
                               "{'ApiKeyName':'x-api-key','ApiKeyValue':'secret'}}}");
  answer_type = "text/plain";
  answer_body = "plain answer";
  result r = run_task("{'ApiEndpoint':'https://api.example.com/k?fixed=1','Method':'GET',"
                      "'Authentication':{'ConnectionArn':'%s'},'QueryParameters':{'q':'v'}}",
                      arn, NULL);
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  ck_assert_str_eq(header("x-api-key"), "secret");
  ck_assert_str_eq(last_url, "https://api.example.com/k?fixed=1&q=v");
  ck_assert_ptr_null(json_object_get(last_headers, "Content-Type")); /* no body, none */
  ck_assert_str_eq(last_body, "");
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "ResponseBody")), "plain answer");
  result_free(&r);

  arn = connection("{'Name':'o','AuthorizationType':'OAUTH_CLIENT_CREDENTIALS','AuthParameters':{"
                   "'OAuthParameters':{'ClientParameters':{'ClientID':'id','ClientSecret':'s'},"
                   "'AuthorizationEndpoint':'https://auth.example.com/token','HttpMethod':'POST'}}}");
  r = run_task("{'ApiEndpoint':'https://api.example.com/o','Method':'DELETE','Authentication':{'ConnectionArn':'%s'}}",
               arn, NULL);
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  ck_assert_str_eq(last_method, "DELETE");
  ck_assert_str_eq(header("Authorization"), "Bearer tok123");
  result_free(&r);
}
END_TEST

START_TEST(request_bodies) {
  char plain[256];
  snprintf(plain, sizeof plain, "%s", connection("{'Name':'p','AuthorizationType':'API_KEY','AuthParameters':{'ApiKeyAuthParameters':"
                                 "{'ApiKeyName':'k','ApiKeyValue':'v'}}}"));
  /* a string body is sent as it is */
  result r = run_task("{'ApiEndpoint':'https://api.example.com/s','Method':'PUT',"
                      "'Authentication':{'ConnectionArn':'%s'},'RequestBody':'raw text'}",
                      plain, NULL);
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(last_body, "raw text");
  result_free(&r);
  /* but cannot take the connection's body parameters */
  const char *arn = connection(BASIC);
  calls = 0;
  r = run_task("{'ApiEndpoint':'https://api.example.com/s','Method':'POST',"
               "'Authentication':{'ConnectionArn':'%s'},'RequestBody':'raw text'}",
               arn, NULL);
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "States.Runtime");
  ck_assert_int_eq(calls, 0);
  result_free(&r);
  /* URL-encoded, in each ArrayFormat */
  static const char *const formats[][2] = {
      {"", "a%5B0%5D=x&a%5B1%5D=y&n%5Bk%5D=v%20w"},
      {",'RequestEncodingOptions':{'ArrayFormat':'INDICES'}", "a%5B0%5D=x&a%5B1%5D=y&n%5Bk%5D=v%20w"},
      {",'RequestEncodingOptions':{'ArrayFormat':'REPEAT'}", "a=x&a=y&n%5Bk%5D=v%20w"},
      {",'RequestEncodingOptions':{'ArrayFormat':'COMMAS'}", "a=x%2Cy&n%5Bk%5D=v%20w"},
      {",'RequestEncodingOptions':{'ArrayFormat':'BRACKETS'}", "a%5B%5D=x&a%5B%5D=y&n%5Bk%5D=v%20w"},
  };
  for (size_t i = 0; i < 5; i++) {
    char params[1024];
    snprintf(params, sizeof params,
             "{'ApiEndpoint':'https://api.example.com/f','Method':'POST','Authentication':{'ConnectionArn':'%%s'},"
             "'RequestBody':{'a':['x','y'],'n':{'k':'v w'}},'Transform':{'RequestBodyEncoding':'URL_ENCODED'%s}}",
             formats[i][0]);
    r = run_task(params, plain, NULL);
    ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
    ck_assert_str_eq(last_body, formats[i][1]);
    ck_assert_str_eq(header("Content-Type"), "application/x-www-form-urlencoded");
    result_free(&r);
  }
  r = run_task("{'ApiEndpoint':'https://api.example.com/f','Method':'POST','Authentication':{'ConnectionArn':'%s'},"
               "'RequestBody':{},'Transform':{'RequestBodyEncoding':'GZIP'}}",
               plain, NULL);
  ck_assert_str_eq(error_of(&r), "States.Runtime");
  result_free(&r);
}
END_TEST

START_TEST(status_errors_caught_and_retried) {
  const char *arn = connection(BASIC);
  statuses[0] = 404;
  answer_body = "{\"message\":\"no such order\"}";
  result r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
                      arn,
                      ",'Catch':[{'ErrorEquals':['States.Http.StatusCode.404'],'ResultPath':'$.err','Next':'C'}],"
                      "'End':true},'C':{'Type':'Pass','End':true");
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  json_t *err = json_object_get(r.output, "err");
  ck_assert_str_eq(json_string_value(json_object_get(err, "Error")), "States.Http.StatusCode.404");
  json_t *cause = json_loads(json_string_value(json_object_get(err, "Cause")), 0, NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(cause, "StatusCode")), 404);
  ck_assert_str_eq(json_string_value(json_object_get(cause, "StatusText")), "Not Found");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(cause, "ResponseBody"), "message")),
                   "no such order");
  json_decref(cause);
  result_free(&r);

  /* a 503 retried by name, then answered */
  calls = 0;
  statuses[0] = 503;
  r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               arn, ",'Retry':[{'ErrorEquals':['States.Http.StatusCode.503'],'IntervalSeconds':1}],'End':true");
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  ck_assert_int_eq(calls, 2);
  result_free(&r);

  /* uncaught: the execution fails with it */
  calls = 0;
  statuses[0] = 500;
  r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               arn, NULL);
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "States.Http.StatusCode.500");
  result_free(&r);
}
END_TEST

START_TEST(unreachable_and_connection_errors) {
  const char *arn = connection(BASIC);
  result r = run_task("{'ApiEndpoint':'https://nowhere.example.com/','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
                      arn, ",'Catch':[{'ErrorEquals':['States.Http.Socket'],'Next':'C'}],'End':true},"
                           "'C':{'Type':'Pass','End':true");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "Error")), "States.Http.Socket");
  result_free(&r);

  /* an endpoint that never answers: the same error, after its timeout */
  r = run_task("{'ApiEndpoint':'https://silent.example.com/','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               arn, NULL);
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "States.Http.Socket");
  ck_assert_ptr_nonnull(strstr(cause_of(&r), "60 seconds"));
  result_free(&r);

  r = run_task("{'ApiEndpoint':'https://api.example.com/','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               "arn:aws:events:us-east-1:000000000000:connection/none/00000000-0000-0000-0000-000000000000", NULL);
  ck_assert_str_eq(error_of(&r), "Events.ConnectionResource.ResourceNotFound");
  result_free(&r);

  json_decref(aev_test_call(b, "events", "DeauthorizeConnection", "{\"Name\":\"basic\"}", AEV_OK));
  calls = 0;
  r = run_task("{'ApiEndpoint':'https://api.example.com/','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               arn, NULL);
  ck_assert_str_eq(error_of(&r), "Events.ConnectionResource.InvalidConnectionState");
  ck_assert_int_eq(calls, 0);
  result_free(&r);
}
END_TEST

/* The task's result is bounded like any task's: 256 KiB as UTF-8 (the
 * quotas' "Maximum input or output size for a task"), so an endpoint that
 * ignores the Range header and answers more fails the task with
 * States.DataLimitExceeded ("Reported due to ... Output of a connector is
 * larger than payload size quota", the guide's error names), which a
 * task's Catch on States.ALL catches, as for any task's result. */
START_TEST(oversized_answer_exceeds_the_data_limit) {
  const char *arn = connection(BASIC);
  size_t n = 256 * 1024;
  char *big = malloc(n + 1);
  memset(big, 'a', n);
  big[n] = '\0';
  answer_type = "text/plain";
  answer_body = big;
  result r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
                      arn, NULL);
  ck_assert_int_eq(calls, 1);
  ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
  ck_assert_str_eq(error_of(&r), "States.DataLimitExceeded");
  ck_assert_str_eq(cause_of(&r), "The state/task 'http' returned a result with a size exceeding the maximum "
                                 "number of bytes service limit.");
  result_free(&r);
  r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               arn, ",'Catch':[{'ErrorEquals':['States.ALL'],'Next':'C'}],'End':true},"
                    "'C':{'Type':'Pass','End':true");
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "Error")), "States.DataLimitExceeded");
  result_free(&r);
  /* One that fits is the result. */
  big[n - 1024] = '\0';
  r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
               arn, NULL);
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_uint_eq(json_string_length(json_object_get(r.output, "ResponseBody")), n - 1024);
  result_free(&r);
  free(big);
}
END_TEST

START_TEST(refused_parameters) {
  const char *arn = connection(BASIC);
  static const char *const bad[] = {
      "{'ApiEndpoint':'https://api.example.com/','Method':'GET','Authentication':{'ConnectionArn':'%s'},"
      "'Headers':{'Host':'evil'}}",
      "{'ApiEndpoint':'https://api.example.com/','Method':'GET','Authentication':{'ConnectionArn':'%s'},"
      "'Headers':{'X-Amz-Date':'x'}}",
      "{'ApiEndpoint':'https://api.example.com/','Method':'FETCH','Authentication':{'ConnectionArn':'%s'}}",
      "{'ApiEndpoint':'https://api.example.com/','Method':'GET','Authentication':{},'X':'%s'}",
  };
  for (size_t i = 0; i < 4; i++) {
    result r = run_task(bad[i], arn, NULL);
    ck_assert_int_eq(r.status, AEV_EXECUTION_FAILED);
    ck_assert_str_eq(error_of(&r), "States.Runtime");
    result_free(&r);
  }
  ck_assert_int_eq(calls, 0);
}
END_TEST

START_TEST(jsonata_arguments) {
  const char *arn = connection(BASIC);
  char def[2048];
  snprintf(def, sizeof def,
           "{'QueryLanguage':'JSONata','StartAt':'H','States':{'H':{'Type':'Task',"
           "'Resource':'arn:aws:states:::http:invoke','Arguments':{'ApiEndpoint':'{%% \\\"https://api.example.com/\\\" & "
           "$states.input.id %%}','Method':'GET','Authentication':{'ConnectionArn':'%s'}},"
           "'Output':'{%% $states.result.StatusCode %%}','End':true}}}",
           arn);
  result r = run_def(b, def, "{\"id\":\"o-7\"}");
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  ck_assert_str_eq(last_url, "https://api.example.com/o-7?both=conn&cq=a%20b");
  ck_assert_int_eq(json_integer_value(r.output), 200);
  result_free(&r);
}
END_TEST

START_TEST(real_clock_workers) {
  aev_broker *rb = aev_test_real_broker(2);
  ck_assert_int_eq(aev_endpoint_register(rb, "https://api.example.com/", endpoint, NULL, NULL), AEV_OK);
  char *req = dq("{'Name':'k','AuthorizationType':'API_KEY','AuthParameters':{'ApiKeyAuthParameters':"
                 "{'ApiKeyName':'x-api-key','ApiKeyValue':'secret'}}}");
  json_t *c = aev_test_call(rb, "events", "CreateConnection", req, AEV_OK);
  free(req);
  char def[1024];
  snprintf(def, sizeof def,
           "{'StartAt':'H','States':{'H':{'Type':'Task','Resource':'arn:aws:states:::http:invoke',"
           "'Parameters':{'ApiEndpoint':'https://api.example.com/rt','Method':'GET','Authentication':"
           "{'ConnectionArn':'%s'}},'OutputPath':'$.StatusCode','End':true}}}",
           json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
  result r = run_def(rb, def, "{}");
  ck_assert_msg(r.status == AEV_EXECUTION_SUCCEEDED, "%s %s", error_of(&r), cause_of(&r));
  ck_assert_int_eq(json_integer_value(r.output), 200);
  result_free(&r);
  aev_broker_destroy(rb);
}
END_TEST


/* TestState of an HTTP Task: TRACE adds inspectionData's request and
 * response (all strings); without revealSecrets the request shows nothing
 * the connection adds (TestState's revealSecrets, API reference). */
static json_t *test_state(const char *arn, const char *extra) {
  char req[2048], *out = NULL;
  snprintf(req, sizeof req,
           "{\"definition\":\"{\\\"Type\\\":\\\"Task\\\",\\\"Resource\\\":\\\"arn:aws:states:::http:invoke\\\","
           "\\\"Parameters\\\":{\\\"ApiEndpoint\\\":\\\"https://api.example.com/t\\\",\\\"Method\\\":\\\"POST\\\","
           "\\\"RequestBody\\\":{\\\"a\\\":1},"
           "\\\"Authentication\\\":{\\\"ConnectionArn\\\":\\\"%s\\\"}},\\\"End\\\":true}\","
           "\"roleArn\":\"arn:aws:iam::000000000000:role/r\",\"input\":\"{}\"%s}",
           arn, extra);
  int rc = aev_machine_test_state(b, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s %s", aev_errcode(), aev_errmsg());
  json_t *o = json_loads(out, 0, NULL);
  aev_free(out);
  return o;
}

START_TEST(test_state_inspection) {
  const char *arn = connection(BASIC);
  answer_body = "{\"ok\":1}";
  json_t *o = test_state(arn, ",\"inspectionLevel\":\"TRACE\"");
  ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "SUCCEEDED");
  json_t *d = json_object_get(o, "inspectionData");
  json_t *rq = json_object_get(d, "request"), *rs = json_object_get(d, "response");
  ck_assert_str_eq(json_string_value(json_object_get(rq, "protocol")), "https");
  ck_assert_str_eq(json_string_value(json_object_get(rq, "method")), "POST");
  ck_assert_str_eq(json_string_value(json_object_get(rq, "url")), "https://api.example.com/t");
  ck_assert_str_eq(json_string_value(json_object_get(rq, "body")), "{\"a\":1}");
  ck_assert_ptr_null(strstr(json_string_value(json_object_get(rq, "headers")), "Authorization"));
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rq, "headers")), "User-Agent: Amazon|StepFunctions"));
  ck_assert_str_eq(json_string_value(json_object_get(rs, "statusCode")), "200");
  ck_assert_str_eq(json_string_value(json_object_get(rs, "statusMessage")), "OK");
  ck_assert_str_eq(json_string_value(json_object_get(rs, "body")), "{\"ok\":1}");
  ck_assert_str_eq(json_string_value(json_object_get(rs, "headers")), "[Content-Type: application/json]");
  /* what was sent carried the connection's parts all the same */
  ck_assert_str_eq(header("Authorization"), "Basic dXNlcjpwYXNz");
  json_decref(o);

  o = test_state(arn, ",\"inspectionLevel\":\"TRACE\",\"revealSecrets\":true");
  rq = json_object_get(json_object_get(o, "inspectionData"), "request");
  ck_assert_str_eq(json_string_value(json_object_get(rq, "url")), "https://api.example.com/t?both=conn&cq=a%20b");
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rq, "headers")), "Authorization: Basic dXNlcjpwYXNz"));
  assert_json(json_string_value(json_object_get(rq, "body")), "{'a':1,'both':'conn','cb':'c'}");
  json_decref(o);

  /* DEBUG: no request or response */
  o = test_state(arn, ",\"inspectionLevel\":\"DEBUG\"");
  ck_assert_ptr_null(json_object_get(json_object_get(o, "inspectionData"), "request"));
  json_decref(o);
}
END_TEST

/* A body that is not UTF-8 reads as Java decodes it: each malformed byte
 * U+FFFD, in the result and in TestState's inspection data alike. */
START_TEST(non_utf8_answer_read_lossily) {
  const char *arn = connection(BASIC);
  answer_type = "application/octet-stream";
  answer_body = "\xff\xfe" "ab\xc3";
  result r = run_task("{'ApiEndpoint':'https://api.example.com/x','Method':'GET','Authentication':{'ConnectionArn':'%s'}}",
                      arn, NULL);
  ck_assert_int_eq(r.status, AEV_EXECUTION_SUCCEEDED);
  ck_assert_str_eq(json_string_value(json_object_get(r.output, "ResponseBody")),
                   "\xef\xbf\xbd\xef\xbf\xbd" "ab\xef\xbf\xbd");
  result_free(&r);
  json_t *o = test_state(arn, ",\"inspectionLevel\":\"TRACE\"");
  ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "SUCCEEDED");
  json_t *rs = json_object_get(json_object_get(o, "inspectionData"), "response");
  ck_assert_str_eq(json_string_value(json_object_get(rs, "body")),
                   "\xef\xbf\xbd\xef\xbf\xbd" "ab\xef\xbf\xbd");
  json_decref(o);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_http");
  TCase *tc = tcase_create("http");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, basic_auth_and_merge_rules);
  tcase_add_test(tc, api_key_and_oauth);
  tcase_add_test(tc, request_bodies);
  tcase_add_test(tc, status_errors_caught_and_retried);
  tcase_add_test(tc, unreachable_and_connection_errors);
  tcase_add_test(tc, oversized_answer_exceeds_the_data_limit);
  tcase_add_test(tc, non_utf8_answer_read_lossily);
  tcase_add_test(tc, refused_parameters);
  tcase_add_test(tc, jsonata_arguments);
  tcase_add_test(tc, test_state_inspection);
  tcase_add_test(tc, real_clock_workers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
