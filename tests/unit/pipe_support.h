/* Shared by the pipe suites: ARNs and queue URLs of the test account, a
 * pipe from the queue "src", and reading what reached a queue. */
#ifndef AEV_TEST_PIPE_SUPPORT_H
#define AEV_TEST_PIPE_SUPPORT_H

#include <check.h>
#include <jansson.h>
#include <stdlib.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::000000000000:role/r"
#define ARN(svc, res) "arn:aws:" svc ":us-east-1:000000000000:" res
#define URL(name) "https://sqs.us-east-1.amazonaws.com/000000000000/" name

/* The queues "src" (a pipe's source) and "dst" (a target). */
static inline void pipe_queues(aev_broker *b) {
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"src\"}", AEV_OK));
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"dst\"}", AEV_OK));
}

/* CreatePipe p1 from src to target with extra members (JSON text or NULL),
 * answered with code (AEV_OK, or the error expected); the answer. */
static inline json_t *pipe_create(aev_broker *b, const char *target, const char *extra, int code) {
  json_t *req = json_pack("{ssssssss}", "Name", "p1", "RoleArn", ROLE, "Source",
                          ARN("sqs", "src"), "Target", target);
  if (extra) {
    json_t *x = json_loads(extra, 0, NULL);
    ck_assert_ptr_nonnull(x);
    json_object_update(req, x);
    json_decref(x);
  }
  return aev_test_call_req(b, "pipes", "CreatePipe", req, code);
}

static inline void pipe_to(aev_broker *b, const char *target, const char *extra) {
  json_decref(pipe_create(b, target, extra, AEV_OK));
}

static inline void send_body(aev_broker *b, const char *queue, const char *body) {
  json_decref(aev_test_call_req(b, "sqs", "SendMessage",
                                json_pack("{ssss}", "QueueUrl", queue, "MessageBody", body),
                                AEV_OK));
}

/* The bodies waiting in a queue (received with a visibility of 0), in a
 * new array. */
static inline json_t *bodies(aev_broker *b, const char *queue) {
  json_t *r = aev_test_call_req(b, "sqs", "ReceiveMessage",
                                json_pack("{sssisi}", "QueueUrl", queue, "MaxNumberOfMessages",
                                          10, "VisibilityTimeout", 0),
                                AEV_OK);
  json_t *out = json_array();
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(r, "Messages"), i, m)
      json_array_append(out, json_object_get(m, "Body"));
  json_decref(r);
  return out;
}

/* The queue holds exactly one message, whose body is want. */
static inline void assert_only_body(aev_broker *b, const char *queue, const char *want) {
  json_t *got = bodies(b, queue);
  ck_assert_int_eq(json_array_size(got), 1);
  ck_assert_str_eq(json_string_value(json_array_get(got, 0)), want);
  json_decref(got);
}

static inline long attr(aev_broker *b, const char *queue, const char *name) {
  json_t *r = aev_test_call_req(b, "sqs", "GetQueueAttributes",
                                json_pack("{sss[s]}", "QueueUrl", queue, "AttributeNames", "All"),
                                AEV_OK);
  long n = atol(json_string_value(json_object_get(json_object_get(r, "Attributes"), name)));
  json_decref(r);
  return n;
}

#endif
