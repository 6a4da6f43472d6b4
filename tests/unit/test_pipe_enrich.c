/* EventBridge Pipes' synchronous enrichments and targets on the manual
 * clock. Step Functions: an EXPRESS state machine as enrichment and as a
 * REQUEST_RESPONSE target, the batch held (not a thread) while the
 * execution waits, failed executions failing the batch, a target's
 * batchItemFailures, and what CreatePipe / UpdatePipe refuse (STANDARD
 * machines, missing ones). API destinations: the request built with the
 * pipe's HttpParameters and the connection's, one per event, the answer as
 * the enrichment's output, failed answers failing the batch, and the
 * refusals (a missing destination, a batch, bad HttpParameters). */
#include "aevtest.h"
#include "machine_support.h"
#include "pipe_support.h"

static aev_broker *b;

static void setup(void) {
  b = aev_test_manual_broker(11);
  pipe_queues(b);
}

static void teardown(void) { aev_broker_destroy(b); }

/* A state machine of type (STANDARD / EXPRESS) with definition def. */
static void machine_def(const char *name, const char *type, const char *def) {
  json_decref(aev_test_call_req(b, "states", "CreateStateMachine",
                                json_pack("{ssssssss}", "name", name, "roleArn", ROLE,
                                          "definition", def, "type", type),
                                AEV_OK));
}

/* The same with def written with ' for ". */
static void machine(const char *name, const char *type, const char *def) {
  char *d = dq(def);
  machine_def(name, type, d);
  free(d);
}

/* Waits 5 s, then answers how many records it got, and the first body. */
#define WAIT_COUNT                                                                        \
  "{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':5,'Next':'P'},"                  \
  "'P':{'Type':'Pass','Parameters':{'n.$':'States.ArrayLength($)','first.$':'$[0].body'}," \
  "'End':true}}}"
#define FAILS "{'StartAt':'F','States':{'F':{'Type':'Fail','Error':'Nope','Cause':'no'}}}"

START_TEST(express_enrichment_waits_for_clock) {
  machine("en", "EXPRESS", WAIT_COUNT);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:en") "\"}");
  send_body(b, URL("src"), "one");
  send_body(b, URL("src"), "two");
  aev_broker_advance(b, 1000);
  /* The execution waits on the clock; the batch is in flight. */
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 2);
  aev_broker_advance(b, 5000);
  assert_only_body(b, URL("dst"), "{\"n\":2,\"first\":\"one\"}");
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
}
END_TEST

/* A pipe deleted while its enrichment waits: the batch in flight ends as
 * it began, with the configuration it started with, its pipe and poller
 * kept alive until then. */
START_TEST(deleted_while_enrichment_waits) {
  machine("en", "EXPRESS", WAIT_COUNT);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:en") "\"}");
  send_body(b, URL("src"), "one");
  aev_broker_advance(b, 1000);
  json_decref(aev_test_call(b, "pipes", "DeletePipe", "{\"Name\":\"p1\"}", AEV_OK));
  aev_broker_advance(b, 5000);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 1);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
}
END_TEST

/* The broker closed while an execution holds a batch: the batch is
 * dropped (its message stays on the queue) and everything is freed. */
START_TEST(closed_while_enrichment_waits) {
  machine("en", "EXPRESS", WAIT_COUNT);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:en") "\"}");
  send_body(b, URL("src"), "one");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
}
END_TEST

/* A version or an alias of an EXPRESS machine serves as well. */
START_TEST(enrichment_through_alias) {
  machine("en", "EXPRESS",
          "{'StartAt':'P','States':{'P':{'Type':'Pass','Result':[{'via':'alias'}],'End':true}}}");
  json_t *v = aev_test_call(b, "states", "PublishStateMachineVersion",
                            "{\"stateMachineArn\":\"" ARN("states", "stateMachine:en") "\"}", AEV_OK);
  json_decref(aev_test_call_req(
      b, "states", "CreateStateMachineAlias",
      json_pack("{sss[{sOsi}]}", "name", "live", "routingConfiguration", "stateMachineVersionArn",
                json_object_get(v, "stateMachineVersionArn"), "weight", 100),
      AEV_OK));
  json_decref(v);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:en:live") "\"}");
  send_body(b, URL("src"), "x");
  aev_broker_advance(b, 1000);
  assert_only_body(b, URL("dst"), "{\"via\":\"alias\"}");
}
END_TEST

/* A failed execution fails the batch as a failed Lambda enrichment does:
 * the message stays on the queue for its visibility timeout and comes
 * back. */
START_TEST(failed_enrichment_leaves_batch) {
  machine("en", "EXPRESS", FAILS);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:en") "\"}");
  send_body(b, URL("src"), "x");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  json_decref(aev_test_call(b, "pipes", "StopPipe", "{\"Name\":\"p1\"}", AEV_OK));
  aev_broker_advance(b, 30000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 1);
}
END_TEST

/* A REQUEST_RESPONSE target (the default) holds the batch until its
 * execution ends. */
START_TEST(request_response_target_waits) {
  machine("t", "EXPRESS", WAIT_COUNT);
  pipe_to(b, ARN("states", "stateMachine:t"), NULL);
  send_body(b, URL("src"), "a");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  aev_broker_advance(b, 5000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
}
END_TEST

START_TEST(failed_target_execution_fails_batch) {
  machine("t", "EXPRESS", FAILS);
  pipe_to(b, ARN("states", "stateMachine:t"),
          "{\"TargetParameters\":{\"StepFunctionStateMachineParameters\":"
          "{\"InvocationType\":\"REQUEST_RESPONSE\"}}}");
  send_body(b, URL("src"), "a");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
}
END_TEST

/* The output's batchItemFailures fail only the records it names, as a
 * Lambda target's do (the Pipes User Guide's partial batch failures). */
START_TEST(target_partial_failure) {
  machine_def("t", "EXPRESS",
              "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"P\",\"States\":{\"P\":{"
              "\"Type\":\"Pass\",\"Output\":{\"batchItemFailures\":\"{% [$states.input"
              "[body='bad'].{'itemIdentifier': messageId}] %}\"},\"End\":true}}}");
  pipe_to(b, ARN("states", "stateMachine:t"), NULL);
  send_body(b, URL("src"), "good");
  send_body(b, URL("src"), "bad");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  json_decref(aev_test_call(b, "pipes", "StopPipe", "{\"Name\":\"p1\"}", AEV_OK));
  aev_broker_advance(b, 30000);
  assert_only_body(b, URL("src"), "bad");
}
END_TEST

/* A Kinesis batch whose EXPRESS enrichment fails is retried, then
 * dead-lettered, as after a failed Lambda enrichment. */
START_TEST(kinesis_failed_enrichment_dead_letters) {
  machine("en", "EXPRESS", FAILS);
  json_decref(aev_test_call(b, "kinesis", "CreateStream", "{\"StreamName\":\"ks\",\"ShardCount\":1}",
                            AEV_OK));
  json_decref(aev_test_call(
      b, "pipes", "CreatePipe",
      "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" ARN("kinesis", "stream/ks")
      "\",\"Target\":\"" ARN("sqs", "dst") "\",\"Enrichment\":\"" ARN("states", "stateMachine:en")
      "\",\"SourceParameters\":{\"KinesisStreamParameters\":{\"StartingPosition\":\"TRIM_HORIZON\","
      "\"MaximumRetryAttempts\":1,\"DeadLetterConfig\":{\"Arn\":\"" ARN("sqs", "src") "\"}}}}",
      AEV_OK));
  aev_stream *s;
  ck_assert_int_eq(aev_stream_get(b, "ks", &s), AEV_OK);
  ck_assert_int_eq(aev_stream_put(s, "k1", 2, "pk", NULL, NULL, NULL, NULL), AEV_OK);
  aev_stream_release(s);
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 1);
}
END_TEST

/* What CreatePipe and UpdatePipe refuse, leaving nothing changed. */
START_TEST(refusals) {
  machine("std", "STANDARD", FAILS);
  machine("exp", "EXPRESS", FAILS);
  json_t *e = pipe_create(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:std") "\"}",
                          AEV_ERR_INVALID);
  ck_assert_str_eq(json_string_value(json_object_get(e, "__type")), "ValidationException");
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(e, "message")), "Express workflows"));
  json_decref(e);
  e = pipe_create(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:gone") "\"}",
                  AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(json_string_value(json_object_get(e, "__type")), "NotFoundException");
  json_decref(e);
  e = pipe_create(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("states", "stateMachine:exp:9") "\"}",
                  AEV_ERR_NOT_FOUND);
  json_decref(e);
  /* A STANDARD target: FIRE_AND_FORGET only; REQUEST_RESPONSE is the
   * default. */
  e = pipe_create(b, ARN("states", "stateMachine:std"), NULL, AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(e, "message")), "REQUEST_RESPONSE"));
  json_decref(e);
  e = pipe_create(b, ARN("states", "stateMachine:gone"),
                  "{\"TargetParameters\":{\"StepFunctionStateMachineParameters\":"
                  "{\"InvocationType\":\"REQUEST_RESPONSE\"}}}",
                  AEV_ERR_NOT_FOUND);
  json_decref(e);
  json_decref(aev_test_call(b, "pipes", "ListPipes", "{}", AEV_OK));
  pipe_to(b, ARN("states", "stateMachine:std"),
          "{\"Enrichment\":\"" ARN("states", "stateMachine:exp") "\",\"TargetParameters\":"
          "{\"StepFunctionStateMachineParameters\":{\"InvocationType\":\"FIRE_AND_FORGET\"}}}");
  /* An update to a STANDARD enrichment is refused; the pipe keeps its. */
  aev_test_call_fails(b, "pipes", "UpdatePipe",
                      "{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"Enrichment\":\"" ARN(
                          "states", "stateMachine:std") "\"}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
  aev_test_call_fails(b, "pipes", "UpdatePipe",
                      "{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"TargetParameters\":"
                      "{\"StepFunctionStateMachineParameters\":{\"InvocationType\":\"REQUEST_RESPONSE\"}}}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
  json_t *d = aev_test_call(b, "pipes", "DescribePipe", "{\"Name\":\"p1\"}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(d, "Enrichment")), ARN("states", "stateMachine:exp"));
  ck_assert_str_eq(json_string_value(json_object_get(
                       json_object_get(json_object_get(d, "TargetParameters"),
                                       "StepFunctionStateMachineParameters"),
                       "InvocationType")),
                   "FIRE_AND_FORGET");
  json_decref(d);
}
END_TEST

/* ---- API destinations ---------------------------------------------------- */

/* What the endpoint saw, and what it answers. */
static int calls;
static char last_url[512], last_body[2048];
static json_t *last_headers;
static int status = 200;
static const char *answer = "ok";

static void endpoint(void *user, aev_http_request *r) {
  (void)user;
  calls++;
  snprintf(last_url, sizeof last_url, "%s", aev_http_request_url(r));
  size_t len;
  const char *body = aev_http_request_body(r, &len);
  snprintf(last_body, sizeof last_body, "%.*s", (int)len, body);
  json_decref(last_headers);
  last_headers = json_loads(aev_http_request_headers(r), 0, NULL);
  aev_http_request_respond(r, status, answer, strlen(answer));
}

static const char *header(const char *name) {
  return json_string_value(json_object_get(last_headers, name));
}

static char dest_arn[256];

/* An API_KEY connection with a header of its own, and the API destination
 * "d" on it for https://api.example/orders/<wildcard>. */
static void api_setup(void) {
  setup();
  calls = 0;
  status = 200;
  answer = "ok";
  last_headers = NULL;
  ck_assert_int_eq(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL), AEV_OK);
  json_t *c = aev_test_call(
      b, "events", "CreateConnection",
      "{\"Name\":\"c\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":{"
      "\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"x-api-key\",\"ApiKeyValue\":\"k1\"},"
      "\"InvocationHttpParameters\":{\"HeaderParameters\":[{\"Key\":\"X-Conn\",\"Value\":"
      "\"connection\"}]}}}",
      AEV_OK);
  json_t *d = aev_test_call_req(
      b, "events", "CreateApiDestination",
      json_pack("{sssOssss}", "Name", "d", "ConnectionArn", json_object_get(c, "ConnectionArn"),
                "HttpMethod", "POST", "InvocationEndpoint", "https://api.example/orders/*"),
      AEV_OK);
  snprintf(dest_arn, sizeof dest_arn, "%s", json_string_value(json_object_get(d, "ApiDestinationArn")));
  json_decref(d);
  json_decref(c);
}

static void api_teardown(void) {
  teardown();
  json_decref(last_headers);
  last_headers = NULL;
}

/* The pipe's HttpParameters, with JSON paths into the SQS record; the
 * connection's header wins over the pipe's of the same name. */
#define TARGET_HTTP                                                                          \
  "{\"TargetParameters\":{\"InputTemplate\":\"{\\\"order\\\": \\\"<$.body.id>\\\"}\","    \
  "\"HttpParameters\":{\"PathParameterValues\":[\"$.body.id\"],\"HeaderParameters\":"      \
  "{\"X-Pipe\":\"p1\",\"X-Conn\":\"pipe\"},\"QueryStringParameters\":{\"src\":"        \
  "\"$.eventSource\"}}}}"

START_TEST(api_destination_target) {
  pipe_to(b, dest_arn, TARGET_HTTP);
  send_body(b, URL("src"), "{\"id\":\"42\"}");
  send_body(b, URL("src"), "{\"id\":\"43\"}");
  aev_broker_advance(b, 1000);
  /* No batch: one request per event. */
  ck_assert_int_eq(calls, 2);
  ck_assert_str_eq(last_url, "https://api.example/orders/43?src=aws%3Asqs");
  ck_assert_str_eq(last_body, "{\"order\":\"43\"}");
  ck_assert_str_eq(header("X-Pipe"), "p1");
  ck_assert_str_eq(header("X-Conn"), "connection");
  ck_assert_str_eq(header("x-api-key"), "k1");
  ck_assert_str_eq(header("User-Agent"), "Amazon/EventBridge/ApiDestinations");
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
}
END_TEST

/* An answer outside 2xx fails the batch: the message stays on its queue
 * and comes back after its visibility timeout. */
START_TEST(api_destination_failure_leaves_batch) {
  status = 500;
  pipe_to(b, dest_arn, TARGET_HTTP);
  send_body(b, URL("src"), "{\"id\":\"1\"}");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 1);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  status = 404;
  aev_broker_advance(b, 30000);
  ck_assert_int_eq(calls, 2);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  status = 204;
  aev_broker_advance(b, 30000);
  ck_assert_int_eq(calls, 3);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
}
END_TEST

/* A path parameter that picks nothing fails the batch before any
 * request; a header that picks nothing is left out. */
START_TEST(api_destination_missing_paths) {
  pipe_to(b, dest_arn,
          "{\"TargetParameters\":{\"HttpParameters\":{\"PathParameterValues\":[\"$.body.id\"],"
          "\"HeaderParameters\":{\"X-Gone\":\"$.body.nope\",\"X-Kept\":\"$.body.id\"}}}}");
  send_body(b, URL("src"), "no id");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  send_body(b, URL("src"), "{\"id\":7}");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(last_url, "https://api.example/orders/7");
  ck_assert_str_eq(header("X-Kept"), "7");
  ck_assert_ptr_null(header("X-Gone"));
}
END_TEST

/* The answer's body is the enrichment's output; an empty one ({}) leaves
 * nothing for the target, and the batch is done. */
START_TEST(api_destination_enrichment) {
  answer = "{\"enriched\":true}";
  char extra[512];
  snprintf(extra, sizeof extra,
           "{\"Enrichment\":\"%s\",\"EnrichmentParameters\":{\"HttpParameters\":"
           "{\"PathParameterValues\":[\"e\"]}}}",
           dest_arn);
  pipe_to(b, ARN("sqs", "dst"), extra);
  send_body(b, URL("src"), "x");
  aev_broker_advance(b, 1000);
  ck_assert_str_eq(last_url, "https://api.example/orders/e");
  json_t *sent = json_loads(last_body, 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(sent, "body")), "x");
  json_decref(sent);
  assert_only_body(b, URL("dst"), "{\"enriched\":true}");
  answer = "{}";
  send_body(b, URL("src"), "y");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 2);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 1);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
}
END_TEST

/* Two events for a destination paced to one request a second: the first
 * sent at once, the second waiting for its slot. */
static void two_paced_requests(void) {
  json_decref(aev_test_call(b, "events", "UpdateApiDestination",
                            "{\"Name\":\"d\",\"InvocationRateLimitPerSecond\":1}", AEV_OK));
  pipe_to(b, dest_arn, TARGET_HTTP);
  send_body(b, URL("src"), "{\"id\":\"1\"}");
  send_body(b, URL("src"), "{\"id\":\"2\"}");
  aev_broker_advance(b, 100);
  ck_assert_int_eq(calls, 1);
}

/* The destination's InvocationRateLimitPerSecond paces the pipe's
 * requests too: one over the rate waits for its slot. */
START_TEST(api_destination_rate_limit) {
  two_paced_requests();
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(calls, 2);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
}
END_TEST

/* The broker closed while a request waits for its slot. */
START_TEST(api_destination_closed_while_paced) {
  two_paced_requests();
}
END_TEST

/* A Kinesis source reads batches of one record for an API destination. */
START_TEST(api_destination_kinesis_source) {
  json_decref(aev_test_call(b, "kinesis", "CreateStream", "{\"StreamName\":\"ks\",\"ShardCount\":1}",
                            AEV_OK));
  json_decref(aev_test_call_req(
      b, "pipes", "CreatePipe",
      json_pack("{sssssssss{s{ss}}s{s{s[s]}}}", "Name", "kp", "RoleArn", ROLE, "Source",
                ARN("kinesis", "stream/ks"), "Target", dest_arn, "SourceParameters",
                "KinesisStreamParameters", "StartingPosition", "TRIM_HORIZON", "TargetParameters",
                "HttpParameters", "PathParameterValues", "$.partitionKey"),
      AEV_OK));
  aev_stream *st;
  ck_assert_int_eq(aev_stream_get(b, "ks", &st), AEV_OK);
  ck_assert_int_eq(aev_stream_put(st, "a", 1, "k1", NULL, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_stream_put(st, "b", 1, "k2", NULL, NULL, NULL, NULL), AEV_OK);
  aev_stream_release(st);
  aev_broker_advance(b, 5000);
  ck_assert_int_eq(calls, 2);
  ck_assert_str_eq(last_url, "https://api.example/orders/k2");
}
END_TEST

START_TEST(api_destination_refusals) {
  const char *gone = "arn:aws:events:us-east-1:000000000000:api-destination/gone/0000";
  aev_test_call_req_fails(b, "pipes", "CreatePipe",
                          json_pack("{ssssssss}", "Name", "p1", "RoleArn", ROLE, "Source",
                                    ARN("sqs", "src"), "Target", gone),
                          AEV_ERR_NOT_FOUND, "NotFoundException", NULL);
  aev_test_call_req_fails(b, "pipes", "CreatePipe",
                          json_pack("{ssssssssss}", "Name", "p1", "RoleArn", ROLE, "Source",
                                    ARN("sqs", "src"), "Target", ARN("sqs", "dst"), "Enrichment",
                                    gone),
                          AEV_ERR_NOT_FOUND, "NotFoundException", NULL);
  /* API destinations take no batch. */
  json_decref(pipe_create(b, dest_arn,
                          "{\"SourceParameters\":{\"SqsQueueParameters\":{\"BatchSize\":5}}}",
                          AEV_ERR_INVALID));
  json_decref(pipe_create(b, dest_arn,
                          "{\"TargetParameters\":{\"HttpParameters\":{\"HeaderParameters\":"
                          "{\"bad name\":\"v\"}}}}",
                          AEV_ERR_INVALID));
  json_decref(pipe_create(b, dest_arn,
                          "{\"TargetParameters\":{\"HttpParameters\":{\"PathParameterValues\":"
                          "[\" \"]}}}",
                          AEV_ERR_INVALID));
  json_t *l = aev_test_call(b, "pipes", "ListPipes", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "Pipes")), 0);
  json_decref(l);
  /* An update that adds a batch to an API destination pipe is refused. */
  pipe_to(b, dest_arn, NULL);
  aev_test_call_fails(b, "pipes", "UpdatePipe",
                      "{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"SourceParameters\":"
                      "{\"SqsQueueParameters\":{\"BatchSize\":10}}}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pipe_enrich");
  TCase *tc = tcase_create("states");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, express_enrichment_waits_for_clock);
  tcase_add_test(tc, deleted_while_enrichment_waits);
  tcase_add_test(tc, closed_while_enrichment_waits);
  tcase_add_test(tc, enrichment_through_alias);
  tcase_add_test(tc, failed_enrichment_leaves_batch);
  tcase_add_test(tc, request_response_target_waits);
  tcase_add_test(tc, failed_target_execution_fails_batch);
  tcase_add_test(tc, target_partial_failure);
  tcase_add_test(tc, kinesis_failed_enrichment_dead_letters);
  tcase_add_test(tc, refusals);
  suite_add_tcase(s, tc);
  TCase *api = tcase_create("api");
  tcase_add_checked_fixture(api, api_setup, api_teardown);
  tcase_add_test(api, api_destination_target);
  tcase_add_test(api, api_destination_failure_leaves_batch);
  tcase_add_test(api, api_destination_enrichment);
  tcase_add_test(api, api_destination_missing_paths);
  tcase_add_test(api, api_destination_rate_limit);
  tcase_add_test(api, api_destination_closed_while_paced);
  tcase_add_test(api, api_destination_kinesis_source);
  tcase_add_test(api, api_destination_refusals);
  suite_add_tcase(s, api);
  return aev_test_run(s);
}
