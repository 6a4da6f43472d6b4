/* A queue worker to copy: long-poll for up to 10 messages, handle each,
 * delete what succeeded, and leave what failed so SQS's visibility timeout
 * brings it back; after 3 failed receives a message moves to the
 * dead-letter queue. A producer thread sends the jobs while the worker
 * runs (real clock). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "awsevents/awsevents.h"

#define JOBS 20

/* The work itself: 0 on success. Job 13 always fails. */
static int handle(const char *body, size_t len) {
  (void)len;
  return strcmp(body, "job 13") == 0 ? -1 : 0;
}

static void *produce(void *arg) {
  aev_queue *q = arg;
  char body[32];
  for (int i = 0; i < JOBS; i++) {
    int len = snprintf(body, sizeof body, "job %d", i);
    if (aev_queue_send(q, body, (size_t)len, NULL, NULL, NULL) != AEV_OK)
      fprintf(stderr, "send: %s: %s\n", aev_errcode(), aev_errmsg());
  }
  return NULL;
}

/* Runs until a long poll of wait_ms finds nothing. Returns the number of
 * messages handled and deleted, or -1 on an error. */
static int work(aev_queue *q, int64_t wait_ms) {
  int done = 0;
  for (;;) {
    aev_message *msgs[10];
    size_t n;
    if (aev_queue_receive(q, 10, wait_ms, NULL, msgs, &n) != AEV_OK) {
      fprintf(stderr, "receive: %s: %s\n", aev_errcode(), aev_errmsg());
      return -1;
    }
    if (n == 0) return done;
    for (size_t i = 0; i < n; i++) {
      size_t len;
      const char *body = aev_message_body(msgs[i], &len);
      if (handle(body, len) == 0) {
        /* Delete only after the work succeeded: at-least-once. */
        if (aev_queue_delete_message(q, aev_message_receipt_handle(msgs[i])) == AEV_OK)
          done++;
      } else {
        printf("failed %s (receive #%s), it will come back\n", body,
               aev_message_system_attribute(msgs[i], "ApproximateReceiveCount"));
      }
      aev_message_free(msgs[i]);
    }
  }
}

int main(void) {
  aev_broker *b;
  aev_queue *dlq, *q;
  if (aev_broker_new(NULL, &b) != AEV_OK) return 1;
  char attrs[256];
  if (aev_queue_create(b, "jobs-dlq", NULL, &dlq) != AEV_OK) return 1;
  /* A failed message is back after 1 s; the 4th receive moves it. */
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\": \"1\", \"RedrivePolicy\": "
           "\"{\\\"deadLetterTargetArn\\\": \\\"%s\\\", "
           "\\\"maxReceiveCount\\\": 3}\"}",
           aev_queue_arn(dlq));
  if (aev_queue_create(b, "jobs", attrs, &q) != AEV_OK) {
    fprintf(stderr, "%s: %s\n", aev_errcode(), aev_errmsg());
    return 1;
  }
  pthread_t producer;
  pthread_create(&producer, NULL, produce, q);
  int done = work(q, 2000);
  pthread_join(producer, NULL);

  aev_message *dead;
  size_t n = 0;
  aev_queue_receive(dlq, 1, 0, NULL, &dead, &n);
  printf("handled %d jobs; in the dead-letter queue: %s\n", done,
         n ? (const char *)aev_message_body(dead, NULL) : "nothing");
  int ok = done == JOBS - 1 && n == 1 &&
           strcmp(aev_message_body(dead, NULL), "job 13") == 0;
  if (n) aev_message_free(dead);
  aev_queue_release(q);
  aev_queue_release(dlq);
  aev_broker_destroy(b);
  return ok ? 0 : 1;
}
