/* API layer benchmark: one aev_call-shaped round trip (parse the request
 * text, find service and action, read members through the helpers, build
 * and serialize the response) beside a floor doing the same JSON work with
 * bare jansson calls (DESIGN §7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/ids.h"
#include "harness.h"
#include "support.h"

enum { N = 10000, BODY = 100 };
#define SEED 20240101u

typedef struct abench {
  char *requests[N]; /* distinct SendMessage-shaped requests */
  char *responses[N];
  uint64_t expect; /* checksum of the floor's responses */
  int failures;
} abench;

/* A SendMessage-shaped action: the member reads a primitive would make, and
 * a response built from them. */
static int send_like(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp) {
  const char *url, *body;
  int64_t delay = 0;
  int rc = aev__api_req_string(svc, req, "QueueUrl", &url);
  if (!rc) rc = aev__api_req_string(svc, req, "MessageBody", &body);
  if (!rc) rc = aev__api_opt_int(svc, req, "DelaySeconds", 0, 900, &delay);
  if (rc) return rc;
  *resp = json_pack("{s:s, s:I, s:I}", "QueueUrl", url, "Length",
                    (json_int_t)strlen(body), "DelaySeconds",
                    (json_int_t)delay);
  return *resp ? AEV_OK : AEV_ERR_NOMEM;
}

static const aev__api_action actions[] = {
    {"ReceiveMessage", send_like}, {"DeleteMessage", send_like},
    {"ChangeMessageVisibility", send_like}, {"SendMessage", send_like}};
static const aev__api_service bench_sqs = {
    .name = "sqs", .missing_code = "MissingParameter", .invalid_code = "InvalidParameterValue",
    .actions = actions, .n_actions = 4, .style = AEV_API_STYLE_QUERY};
static const aev__api_service *const table[] = {&bench_sqs};

static void requests_init(abench *a) {
  aev__rng r;
  aev__rng_seed(&r, SEED);
  for (size_t i = 0; i < N; i++) {
    char body[BODY + 1];
    aev__token(&r, body, BODY);
    json_t *req = json_pack(
        "{s:s, s:s, s:I}", "QueueUrl", "", "MessageBody", body,
        "DelaySeconds", (json_int_t)(aev__rng_below(&r, 901)));
    char url[96];
    snprintf(url, sizeof url,
             "https://sqs.us-east-1.amazonaws.com/000000000000/q%zu", i);
    json_object_set_new(req, "QueueUrl", json_string(url));
    a->requests[i] = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!a->requests[i]) exit(1);
  }
}

static void free_responses(void *ctx) {
  abench *a = ctx;
  for (size_t i = 0; i < N; i++) {
    free(a->responses[i]);
    a->responses[i] = NULL;
  }
}

static void ours_run(void *ctx) {
  abench *a = ctx;
  for (size_t i = 0; i < N; i++)
    if (aev__api_dispatch(table, 1, NULL, "sqs", "SendMessage",
                          a->requests[i], &a->responses[i]) != AEV_OK)
      a->failures++;
}

static void floor_run(void *ctx) {
  abench *a = ctx;
  for (size_t i = 0; i < N; i++) {
    json_t *req = json_loads(a->requests[i], 0, NULL);
    json_t *url = json_object_get(req, "QueueUrl");
    json_t *body = json_object_get(req, "MessageBody");
    json_t *delay = json_object_get(req, "DelaySeconds");
    if (!json_is_string(url) || !json_is_string(body) ||
        !json_is_integer(delay)) {
      a->failures++;
      json_decref(req);
      continue;
    }
    json_t *resp = json_pack("{s:s, s:I, s:I}", "QueueUrl",
                             json_string_value(url), "Length",
                             (json_int_t)json_string_length(body),
                             "DelaySeconds", json_integer_value(delay));
    a->responses[i] = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    json_decref(req);
  }
}

static uint64_t responses_sum(abench *a) {
  uint64_t h = BENCH_FNV_INIT;
  for (size_t i = 0; i < N; i++)
    if (a->responses[i])
      h = bench_fnv(h, a->responses[i], strlen(a->responses[i]));
  return h;
}

static int check(void *ctx, char *note, size_t cap) {
  abench *a = ctx;
  uint64_t sum = responses_sum(a);
  snprintf(note, cap, "%d responses, fnv %016llx", N,
           (unsigned long long)sum);
  int ok = sum == a->expect && a->failures == 0;
  free_responses(a);
  return ok ? 0 : 1;
}

int main(void) {
  int runs = bench_runs();
  abench *a = bench_calloc(1, sizeof *a);
  requests_init(a);
  floor_run(a);
  a->expect = responses_sum(a);
  free_responses(a);
  const bench_case cases[] = {
      {"ours", "aev__api_dispatch: parse, find sqs/SendMessage (4th of 4), "
               "member helpers, build + serialize the response",
       NULL, ours_run, check, free_responses, a},
      {"floor", "json_loads, 3 json_object_get + type checks, json_pack, "
                "json_dumps",
       NULL, floor_run, check, free_responses, a},
  };
  bench_group g = {"API round trip (JSON in/out)", 1,
                   "~205 B distinct SendMessage requests", N, 1, cases,
                   sizeof cases / sizeof cases[0]};
  int failed = bench_group_run(&g, runs);
  for (size_t i = 0; i < N; i++) free(a->requests[i]);
  free(a);
  if (failed) fprintf(stderr, "api_bench: %d checks failed\n", failed);
  return failed ? 1 : 0;
}
