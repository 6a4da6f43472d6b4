/* EventBridge Pipes calls that fail for want of memory (nomem.h): each
 * allocation of the call fails in turn; the call answers AEV_ERR_NOMEM and
 * leaves every pipe as it was, or succeeds whole. A batch whose flow runs
 * out of memory is never lost: it is delivered or stays on its queue. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "nomem.h"

#define ROLE "arn:aws:iam::000000000000:role/r"
#define SRC "arn:aws:sqs:us-east-1:000000000000:src"
#define DST "arn:aws:sqs:us-east-1:000000000000:dst"
#define URL(name) "https://sqs.us-east-1.amazonaws.com/000000000000/" name
#define CREATE                                                                        \
  "{\"Name\":\"p\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST \
  "\",\"Tags\":{\"a\":\"b\"},\"SourceParameters\":{\"FilterCriteria\":{\"Filters\":"  \
  "[{\"Pattern\":\"{\\\"body\\\":[{\\\"prefix\\\":\\\"\\\"}]}\"}]}},"                  \
  "\"TargetParameters\":{\"InputTemplate\":\"{\\\"b\\\": \\\"<$.body>\\\"}\"}}"

/* An EXPRESS machine handing its input on, as enrichment and target. */
#define MACHINE "arn:aws:states:us-east-1:000000000000:stateMachine:m"
#define CREATE_STATES                                                                       \
  "{\"Name\":\"p\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST \
  "\",\"Enrichment\":\"" MACHINE "\"}"
#define CREATE_STATES_TARGET                                                                \
  "{\"Name\":\"p\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" MACHINE \
  "\",\"Enrichment\":\"" MACHINE "\"}"

typedef struct world {
  aev_broker *b;
  const char *service, *action, *req;
  int with_pipe;
  const char *create; /* the pipe's CreatePipe (NULL: CREATE) */
  int api;            /* the pipe enriched by an API destination instead */
} world;

static void call_ok(aev_broker *b, const char *svc, const char *action, const char *req) {
  char *out = NULL;
  int rc = aev_call(b, svc, action, req, &out);
  ck_assert_msg(rc == AEV_OK, "%s %s: %s", action, req, out ? out : "");
  aev_free(out);
}

/* The API destination's endpoint: its answer enriches the event. */
static void endpoint(void *user, aev_http_request *r) {
  (void)user;
  aev_http_request_respond(r, 200, "{\"e\":1}", 7);
}

/* A pipe from src to dst enriched by an API destination. */
static void api_pipe(aev_broker *b) {
  char *out = NULL, req[1024];
  ck_assert_int_eq(aev_endpoint_register(b, "https://api.example/", endpoint, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_call(b, "events", "CreateConnection",
                            "{\"Name\":\"c\",\"AuthorizationType\":\"API_KEY\",\"AuthParameters\":"
                            "{\"ApiKeyAuthParameters\":{\"ApiKeyName\":\"k\",\"ApiKeyValue\":\"v\"}}}",
                            &out),
                   AEV_OK);
  json_t *c = json_loads(out, 0, NULL);
  aev_free(out);
  snprintf(req, sizeof req,
           "{\"Name\":\"d\",\"ConnectionArn\":\"%s\",\"HttpMethod\":\"POST\","
           "\"InvocationEndpoint\":\"https://api.example/x\"}",
           json_string_value(json_object_get(c, "ConnectionArn")));
  json_decref(c);
  ck_assert_int_eq(aev_call(b, "events", "CreateApiDestination", req, &out), AEV_OK);
  json_t *d = json_loads(out, 0, NULL);
  aev_free(out);
  snprintf(req, sizeof req,
           "{\"Name\":\"p\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST
           "\",\"Enrichment\":\"%s\",\"EnrichmentParameters\":{\"HttpParameters\":"
           "{\"HeaderParameters\":{\"X-Id\":\"$.messageId\"}}}}",
           json_string_value(json_object_get(d, "ApiDestinationArn")));
  json_decref(d);
  call_ok(b, "pipes", "CreatePipe", req);
}


static void fresh(void *ctx) {
  world *w = ctx;
  w->b = aev_test_manual_broker(3);
  call_ok(w->b, "sqs", "CreateQueue", "{\"QueueName\":\"src\"}");
  call_ok(w->b, "sqs", "CreateQueue", "{\"QueueName\":\"dst\"}");
  call_ok(w->b, "states", "CreateStateMachine",
          "{\"name\":\"m\",\"type\":\"EXPRESS\",\"roleArn\":\"" ROLE "\",\"definition\":"
          "\"{\\\"StartAt\\\":\\\"P\\\",\\\"States\\\":{\\\"P\\\":{\\\"Type\\\":"
          "\\\"Pass\\\",\\\"End\\\":true}}}\"}");
  if (w->api) api_pipe(w->b);
  else if (w->with_pipe) call_ok(w->b, "pipes", "CreatePipe", w->create ? w->create : CREATE);
}

static void end(void *ctx) { aev_broker_destroy(((world *)ctx)->b); }

/* Every pipe as Describe shows it, with its tags. */
static json_t *state(void *ctx) {
  world *w = ctx;
  char *out = NULL;
  json_t *all = json_object();
  ck_assert_int_eq(aev_pipe_list(w->b, NULL, &out), AEV_OK);
  json_t *l = json_loads(out, 0, NULL);
  aev_free(out);
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(l, "Pipes"), i, p) {
    const char *name = json_string_value(json_object_get(p, "Name"));
    ck_assert_int_eq(aev_pipe_describe(w->b, name, &out), AEV_OK);
    json_object_set_new(all, name, json_loads(out, 0, NULL));
    aev_free(out);
  }
  json_decref(l);
  return all;
}

static int call(void *ctx) {
  world *w = ctx;
  char *out = NULL;
  int rc = aev_call(w->b, w->service, w->action, w->req, &out);
  aev_free(out);
  return rc;
}

/* Calls whose allocations are all jansson's (not wrapped) may never fail:
 * NOMEM_ANY. */
static const struct {
  const char *service, *action, *req;
  int with_pipe;
  nomem_expect expect;
} CALLS[] = {
    {"pipes", "CreatePipe", CREATE, 0, NOMEM_FAILS_SOME},
    {"pipes", "CreatePipe", CREATE_STATES_TARGET, 0, NOMEM_FAILS_SOME},
    {"pipes", "UpdatePipe",
     "{\"Name\":\"p\",\"RoleArn\":\"" ROLE "\",\"Description\":\"d\",\"SourceParameters\":"
     "{\"SqsQueueParameters\":{\"BatchSize\":5}}}",
     1, NOMEM_FAILS_SOME},
    {"pipes", "StopPipe", "{\"Name\":\"p\"}", 1, NOMEM_ANY},
    {"pipes", "StartPipe", "{\"Name\":\"p\"}", 1, NOMEM_ANY},
    {"pipes", "DeletePipe", "{\"Name\":\"p\"}", 1, NOMEM_ANY},
    {"pipes", "DescribePipe", "{\"Name\":\"p\"}", 1, NOMEM_ANY},
    {"pipes", "ListPipes", "{}", 1, NOMEM_FAILS_SOME},
    {"pipes", "TagResource",
     "{\"resourceArn\":\"arn:aws:pipes:us-east-1:000000000000:pipe/p\",\"tags\":{\"c\":\"d\"}}", 1,
     NOMEM_ANY},
};

START_TEST(pipe_calls) {
  nomem_case c = {.what = CALLS[_i].action, .fresh = fresh, .state = state, .call = call,
                  .end = end, .errcode = "InternalFailure", .expect = CALLS[_i].expect};
  world w = {.service = CALLS[_i].service, .action = CALLS[_i].action, .req = CALLS[_i].req,
             .with_pipe = CALLS[_i].with_pipe};
  nomem_sweep(&c, &w);
}
END_TEST

/* The flow: a message sent to the pipe's source runs the filter, the
 * template and the target with each allocation failing in turn. */
static long count(aev_broker *b, const char *url, const char *attr) {
  char req[256], *out = NULL;
  snprintf(req, sizeof req, "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", url);
  ck_assert_int_eq(aev_call(b, "sqs", "GetQueueAttributes", req, &out), AEV_OK);
  json_t *r = json_loads(out, 0, NULL);
  aev_free(out);
  long n = atol(json_string_value(json_object_get(json_object_get(r, "Attributes"), attr)));
  json_decref(r);
  return n;
}

static void sent(void *ctx) {
  call_ok(((world *)ctx)->b, "sqs", "SendMessage",
          "{\"QueueUrl\":\"" URL("src") "\",\"MessageBody\":\"m\"}");
}

static int drain(void *ctx) { return aev_broker_drain(((world *)ctx)->b); }

static void never_lost(void *ctx, const nomem_attempt *a) {
  world *w = ctx;
  (void)a;
  /* Past its visibility timeout, a batch that failed is read again. */
  ck_assert_int_eq(aev_broker_advance(w->b, 31000), AEV_OK);
  long delivered = count(w->b, URL("dst"), "ApproximateNumberOfMessages");
  long waiting = count(w->b, URL("src"), "ApproximateNumberOfMessages") +
                 count(w->b, URL("src"), "ApproximateNumberOfMessagesNotVisible");
  ck_assert_msg(delivered >= 1 || waiting == 1, "delivered %ld, waiting %ld", delivered,
                waiting);
}

START_TEST(pipe_flow) {
  nomem_case c = {.what = "flow", .fresh = fresh, .setup = sent, .call = drain,
                  .succeeded = never_lost, .failed = never_lost, .end = end,
                  .expect = NOMEM_ANY};
  world w = {.with_pipe = 1, .create = _i == 1 ? CREATE_STATES : NULL, .api = _i == 2};
  nomem_tally t = nomem_sweep(&c, &w);
  ck_assert_int_gt(t.injected, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nomem_pipe");
  TCase *tc = tcase_create("pipes");
  tcase_set_timeout(tc, 600);
  tcase_add_loop_test(tc, pipe_calls, 0, sizeof CALLS / sizeof CALLS[0]);
  /* A plain pipe; one with an EXPRESS enrichment; one with an API
   * destination enrichment. */
  tcase_add_loop_test(tc, pipe_flow, 0, 3);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
