/* EventBridge Pipes' API through aev_call("pipes", ...): CreatePipe,
 * DescribePipe, UpdatePipe, StartPipe, StopPipe, DeletePipe, ListPipes and
 * tags, their answers' shapes and states, and the refusals (with the
 * Pipes API reference's error names) that change nothing. */
#include "aevtest.h"

#define ROLE "arn:aws:iam::000000000000:role/pipe-role"
#define SRC "arn:aws:sqs:us-east-1:000000000000:src"
#define DST "arn:aws:sqs:us-east-1:000000000000:dst"
#define PIPE_ARN "arn:aws:pipes:us-east-1:000000000000:pipe/p1"

static aev_broker *b;

static void setup(void) {
  b = aev_test_manual_broker(7);
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"src\"}", AEV_OK));
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"dst\"}", AEV_OK));
}

static void teardown(void) { aev_broker_destroy(b); }

static json_t *create(const char *name, const char *extra_fmt_json) {
  json_t *req = json_pack("{ssssssss}", "Name", name, "RoleArn", ROLE, "Source", SRC,
                          "Target", DST);
  if (extra_fmt_json) {
    json_t *extra = json_loads(extra_fmt_json, 0, NULL);
    ck_assert_ptr_nonnull(extra);
    json_object_update(req, extra);
    json_decref(extra);
  }
  return aev_test_call_req(b, "pipes", "CreatePipe", req, AEV_OK);
}

static const char *str(json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

static json_t *describe(const char *name) {
  char req[128];
  snprintf(req, sizeof req, "{\"Name\":\"%s\"}", name);
  return aev_test_call(b, "pipes", "DescribePipe", req, AEV_OK);
}

START_TEST(create_answers_creating_then_runs) {
  json_t *r = create("p1", "{\"Description\":\"d\",\"Tags\":{\"team\":\"a\"}}");
  ck_assert_str_eq(str(r, "Arn"), PIPE_ARN);
  ck_assert_str_eq(str(r, "Name"), "p1");
  ck_assert_str_eq(str(r, "CurrentState"), "CREATING");
  ck_assert_str_eq(str(r, "DesiredState"), "RUNNING");
  ck_assert(json_is_number(json_object_get(r, "CreationTime")));
  ck_assert(json_is_number(json_object_get(r, "LastModifiedTime")));
  ck_assert_int_eq(json_object_size(r), 6);
  json_decref(r);
  json_t *d = describe("p1");
  ck_assert_str_eq(str(d, "CurrentState"), "RUNNING");
  ck_assert_str_eq(str(d, "Source"), SRC);
  ck_assert_str_eq(str(d, "Target"), DST);
  ck_assert_str_eq(str(d, "RoleArn"), ROLE);
  ck_assert_str_eq(str(d, "Description"), "d");
  ck_assert_str_eq(str(json_object_get(d, "Tags"), "team"), "a");
  json_decref(d);
}
END_TEST

START_TEST(created_stopped_stays_stopped) {
  json_decref(create("p1", "{\"DesiredState\":\"STOPPED\"}"));
  json_t *d = describe("p1");
  ck_assert_str_eq(str(d, "CurrentState"), "STOPPED");
  ck_assert_str_eq(str(d, "DesiredState"), "STOPPED");
  json_decref(d);
}
END_TEST

START_TEST(stop_and_start) {
  json_decref(create("p1", NULL));
  aev_broker_advance(b, 5000);
  json_t *r = aev_test_call(b, "pipes", "StopPipe", "{\"Name\":\"p1\"}", AEV_OK);
  ck_assert_str_eq(str(r, "CurrentState"), "STOPPING");
  ck_assert_str_eq(str(r, "DesiredState"), "STOPPED");
  ck_assert(json_real_value(json_object_get(r, "LastModifiedTime")) >
            json_real_value(json_object_get(r, "CreationTime")));
  json_decref(r);
  json_t *d = describe("p1");
  ck_assert_str_eq(str(d, "CurrentState"), "STOPPED");
  json_decref(d);
  r = aev_test_call(b, "pipes", "StartPipe", "{\"Name\":\"p1\"}", AEV_OK);
  ck_assert_str_eq(str(r, "CurrentState"), "STARTING");
  ck_assert_str_eq(str(r, "DesiredState"), "RUNNING");
  json_decref(r);
  d = describe("p1");
  ck_assert_str_eq(str(d, "CurrentState"), "RUNNING");
  json_decref(d);
}
END_TEST

START_TEST(update_merges_members) {
  json_decref(create("p1", "{\"Description\":\"old\",\"SourceParameters\":"
                           "{\"SqsQueueParameters\":{\"BatchSize\":5}}}"));
  json_t *r = aev_test_call(b, "pipes", "UpdatePipe",
                            "{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"Description\":\"new\","
                            "\"TargetParameters\":{\"InputTemplate\":\"x\"}}",
                            AEV_OK);
  ck_assert_str_eq(str(r, "CurrentState"), "UPDATING");
  json_decref(r);
  json_t *d = describe("p1");
  ck_assert_str_eq(str(d, "Description"), "new");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
                       json_object_get(d, "SourceParameters"), "SqsQueueParameters"),
                                                      "BatchSize")),
                   5);
  ck_assert_str_eq(str(json_object_get(d, "TargetParameters"), "InputTemplate"), "x");
  json_decref(d);
}
END_TEST

START_TEST(update_cannot_change_source) {
  json_decref(create("p1", NULL));
  aev_test_call_fails(b, "pipes", "UpdatePipe",
                      "{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" DST "\"}",
                      AEV_ERR_INVALID, "ValidationException", NULL);
  json_t *d = describe("p1");
  ck_assert_str_eq(str(d, "Source"), SRC);
  json_decref(d);
}
END_TEST

START_TEST(delete_answers_deleting) {
  json_decref(create("p1", NULL));
  json_t *r = aev_test_call(b, "pipes", "DeletePipe", "{\"Name\":\"p1\"}", AEV_OK);
  ck_assert_str_eq(str(r, "CurrentState"), "DELETING");
  json_decref(r);
  aev_test_call_fails(b, "pipes", "DescribePipe", "{\"Name\":\"p1\"}", AEV_ERR_NOT_FOUND,
                      "NotFoundException", "Pipe p1 does not exist.");
  aev_test_call_fails(b, "pipes", "DeletePipe", "{\"Name\":\"p1\"}", AEV_ERR_NOT_FOUND,
                      "NotFoundException", "Pipe p1 does not exist.");
  /* The name is free again. */
  json_decref(create("p1", NULL));
}
END_TEST

/* A NULL broker was dereferenced; every pipe call refuses it as the other
 * services' typed calls do, and nothing is created. */
START_TEST(null_broker_is_refused) {
  char *json = NULL;
  const char *req = "{\"Name\":\"p\"}";
  int rcs[] = {aev_pipe_create(NULL, req, &json), aev_pipe_update(NULL, req, &json),
               aev_pipe_describe(NULL, "p", &json), aev_pipe_delete(NULL, "p", &json),
               aev_pipe_start(NULL, "p", &json), aev_pipe_stop(NULL, "p", &json),
               aev_pipe_list(NULL, NULL, &json)};
  for (size_t i = 0; i < sizeof rcs / sizeof rcs[0]; i++) ck_assert_int_eq(rcs[i], AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
  ck_assert_ptr_null(json);
}
END_TEST

START_TEST(list_filters_and_pages) {
  json_decref(create("a1", NULL));
  json_decref(create("a2", "{\"DesiredState\":\"STOPPED\"}"));
  json_decref(create("b1", NULL));
  json_t *r = aev_test_call(b, "pipes", "ListPipes", "{}", AEV_OK);
  json_t *pipes = json_object_get(r, "Pipes");
  ck_assert_int_eq(json_array_size(pipes), 3);
  ck_assert_str_eq(str(json_array_get(pipes, 0), "Name"), "a1");
  ck_assert_str_eq(str(json_array_get(pipes, 0), "Source"), SRC);
  ck_assert_ptr_null(json_object_get(r, "NextToken"));
  json_decref(r);
  r = aev_test_call(b, "pipes", "ListPipes", "{\"NamePrefix\":\"a\",\"CurrentState\":\"STOPPED\"}",
                    AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(r, "Pipes")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(r, "Pipes"), 0), "Name"), "a2");
  json_decref(r);
  r = aev_test_call(b, "pipes", "ListPipes", "{\"Limit\":2}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(r, "Pipes")), 2);
  ck_assert_str_eq(str(r, "NextToken"), "a2");
  json_decref(r);
  r = aev_test_call(b, "pipes", "ListPipes", "{\"Limit\":2,\"NextToken\":\"a2\"}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(r, "Pipes")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(r, "Pipes"), 0), "Name"), "b1");
  json_decref(r);
  aev_test_call_fails(b, "pipes", "ListPipes", "{\"Limit\":101}", AEV_ERR_INVALID,
                      "ValidationException", NULL);
}
END_TEST

START_TEST(tags) {
  json_decref(create("p1", "{\"Tags\":{\"a\":\"1\"}}"));
  json_decref(aev_test_call(b, "pipes", "TagResource",
                            "{\"resourceArn\":\"" PIPE_ARN "\",\"tags\":{\"b\":\"2\"}}", AEV_OK));
  json_decref(aev_test_call(b, "pipes", "UntagResource",
                            "{\"resourceArn\":\"" PIPE_ARN "\",\"tagKeys\":[\"a\"]}", AEV_OK));
  json_t *r = aev_test_call(b, "pipes", "ListTagsForResource",
                            "{\"resourceArn\":\"" PIPE_ARN "\"}", AEV_OK);
  json_t *t = json_object_get(r, "tags");
  ck_assert_int_eq(json_object_size(t), 1);
  ck_assert_str_eq(str(t, "b"), "2");
  json_decref(r);
  aev_test_call_fails(b, "pipes", "ListTagsForResource",
                      "{\"resourceArn\":\"arn:aws:pipes:us-east-1:000000000000:pipe/none\"}",
                      AEV_ERR_NOT_FOUND, "NotFoundException", "Pipe none does not exist.");
}
END_TEST

/* Each refusal names what was wrong, and nothing is made. */
START_TEST(create_refusals_change_nothing) {
  json_decref(create("p1", NULL));
  static const struct {
    const char *req, *code, *message;
    int status;
  } cases[] = {
      {"{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST "\"}",
       "ConflictException", "Pipe p1 already exists.", AEV_ERR_EXISTS},
      {"{\"Name\":\"p 2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST "\"}",
       "ValidationException",
       "1 validation error detected: Value 'p 2' at 'name' failed to satisfy constraint: "
       "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
       AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"Source\":\"" SRC "\",\"Target\":\"" DST "\"}", "ValidationException",
       "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member "
       "must not be null",
       AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"nope\",\"Source\":\"" SRC "\",\"Target\":\"" DST "\"}",
       "ValidationException", NULL, AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\"}", "ValidationException",
       NULL, AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"arn:aws:sqs:us-east-1:000000000000:"
       "none\",\"Target\":\"" DST "\"}",
       "ValidationException", "Source arn:aws:sqs:us-east-1:000000000000:none does not exist.",
       AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST
       "\",\"DesiredState\":\"PAUSED\"}",
       "ValidationException",
       "1 validation error detected: Value 'PAUSED' at 'desiredState' failed to satisfy "
       "constraint: Member must satisfy enum value set: [RUNNING, STOPPED]",
       AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST
       "\",\"SourceParameters\":{\"SqsQueueParameters\":{\"BatchSize\":10001}}}",
       "ValidationException",
       "1 validation error detected: Value '10001' at "
       "'sourceParameters.sqsQueueParameters.batchSize' failed to satisfy constraint: Member "
       "must have value less than or equal to 10000",
       AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST
       "\",\"SourceParameters\":{\"SqsQueueParameters\":{\"BatchSize\":20}}}",
       "ValidationException", NULL, AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST
       "\",\"SourceParameters\":{\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{bad\"}]}}}",
       "ValidationException", NULL, AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC
       "\",\"Target\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\"}",
       "ValidationException", NULL, AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC
       "\",\"Target\":\"arn:aws:ec2:us-east-1:000000000000:instance/i\"}",
       "ValidationException", NULL, AEV_ERR_INVALID},
      {"{\"Name\":\"p2\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC "\",\"Target\":\"" DST
       "\",\"TargetParameters\":{\"LambdaFunctionParameters\":{\"InvocationType\":\"X\"}}}",
       "ValidationException", NULL, AEV_ERR_INVALID},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    aev_test_call_fails(b, "pipes", "CreatePipe", cases[i].req, cases[i].status, cases[i].code,
                        cases[i].message);
  json_t *r = aev_test_call(b, "pipes", "ListPipes", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(r, "Pipes")), 1);
  json_decref(r);
}
END_TEST

START_TEST(unknown_pipe) {
  aev_test_call_fails(b, "pipes", "StartPipe", "{\"Name\":\"x\"}", AEV_ERR_NOT_FOUND,
                      "NotFoundException", "Pipe x does not exist.");
  aev_test_call_fails(b, "pipes", "StopPipe", "{\"Name\":\"x\"}", AEV_ERR_NOT_FOUND,
                      "NotFoundException", "Pipe x does not exist.");
  aev_test_call_fails(b, "pipes", "UpdatePipe", "{\"Name\":\"x\",\"RoleArn\":\"" ROLE "\"}",
                      AEV_ERR_NOT_FOUND, "NotFoundException", "Pipe x does not exist.");
}
END_TEST

/* The C API answers as aev_call does. */
START_TEST(c_api) {
  char *out = NULL;
  ck_assert_int_eq(aev_pipe_create(b,
                                   "{\"Name\":\"c\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" SRC
                                   "\",\"Target\":\"" DST "\"}",
                                   &out),
                   AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"CREATING\""));
  aev_free(out);
  ck_assert_int_eq(aev_pipe_describe(b, "c", &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"RUNNING\""));
  aev_free(out);
  ck_assert_int_eq(aev_pipe_list(b, NULL, &out), AEV_OK);
  ck_assert_ptr_nonnull(strstr(out, "\"c\""));
  aev_free(out);
  ck_assert_int_eq(aev_pipe_delete(b, "c", NULL), AEV_OK);
  ck_assert_int_eq(aev_pipe_describe(b, "c", &out), AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(aev_errcode(), "NotFoundException");
}
END_TEST

int main(void) {
  Suite *s = suite_create("pipe");
  TCase *tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_answers_creating_then_runs);
  tcase_add_test(tc, created_stopped_stays_stopped);
  tcase_add_test(tc, stop_and_start);
  tcase_add_test(tc, update_merges_members);
  tcase_add_test(tc, update_cannot_change_source);
  tcase_add_test(tc, delete_answers_deleting);
  tcase_add_test(tc, null_broker_is_refused);
  tcase_add_test(tc, list_filters_and_pages);
  tcase_add_test(tc, tags);
  tcase_add_test(tc, create_refusals_change_nothing);
  tcase_add_test(tc, unknown_pipe);
  tcase_add_test(tc, c_api);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
