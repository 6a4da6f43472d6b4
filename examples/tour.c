/* The tour: a readable trace of a flow through the primitives that exist,
 * on the manual clock, each hop printed with its virtual timestamp. */
#include <stdio.h>
#include <time.h>

#include "awsevents/awsevents.h"

static aev_broker *broker;

/* Prints one hop: the virtual time as ISO-8601, then what happened. */
static void hop(const char *what, const char *detail) {
  int64_t ms = aev_broker_now_ms(broker);
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  printf("%s.%03dZ  %-28s %s\n", stamp, (int)(ms % 1000), what, detail);
}

/* One AWS API call, printed with its answer. Returns the call's status. */
static int call(const char *service, const char *action, const char *request) {
  char *response = NULL;
  int rc = aev_call(broker, service, action, request, &response);
  char label[64];
  snprintf(label, sizeof label, "%s %s", service, action);
  hop(label, response ? response : aev_errmsg());
  aev_free(response);
  return rc;
}

/* An SQS queue whose messages move to a dead-letter queue after two
 * receives that did not delete them. */
static int queue_with_dead_letters(void) {
  aev_queue *dlq, *jobs;
  char attrs[256], id[AEV_MESSAGE_ID_SIZE], note[160];
  aev_queue_create(broker, "jobs-dlq", NULL, &dlq);
  snprintf(attrs, sizeof attrs,
           "{\"VisibilityTimeout\": \"30\", \"RedrivePolicy\": "
           "\"{\\\"deadLetterTargetArn\\\": \\\"%s\\\", "
           "\\\"maxReceiveCount\\\": 2}\"}",
           aev_queue_arn(dlq));
  aev_queue_create(broker, "jobs", attrs, &jobs);
  hop("queue created", aev_queue_url(jobs));
  aev_queue_send(jobs, "poison pill", 11, NULL, id, NULL);
  hop("sent", id);
  for (int attempt = 1; attempt <= 3; attempt++) {
    aev_message *m;
    size_t n;
    aev_queue_receive(jobs, 1, 0, NULL, &m, &n);
    if (n) {
      snprintf(note, sizeof note, "receive #%s, not deleted: back in 30 s",
               aev_message_system_attribute(m, "ApproximateReceiveCount"));
      hop("received", note);
      aev_message_free(m);
    } else {
      hop("received", "nothing: past maxReceiveCount, moved to jobs-dlq");
    }
    aev_broker_advance(broker, 30 * 1000);
  }
  aev_message *dead;
  size_t n;
  aev_queue_receive(dlq, 1, 0, NULL, &dead, &n);
  if (n) {
    snprintf(note, sizeof note, "\"%s\" from %s",
             (const char *)aev_message_body(dead, NULL),
             aev_message_system_attribute(dead, "DeadLetterQueueSourceArn"));
    hop("in the dead-letter queue", note);
    aev_message_free(dead);
  }
  aev_queue_release(jobs);
  aev_queue_release(dlq);
  return n == 1 ? 0 : 1;
}

int main(void) {
  aev_broker_options *opts;
  if (aev_broker_options_new(&opts) != AEV_OK) return 1;
  aev_broker_options_set_clock(opts, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(opts, 0);
  aev_broker_options_set_seed(opts, 2024);
  if (aev_broker_new(opts, &broker) != AEV_OK) return 1;
  aev_broker_options_free(opts);

  printf("libawsevents %s: a broker for %s in account %s, manual clock\n\n",
         aev_version_string(), aev_broker_region(broker),
         aev_broker_account(broker));
  hop("broker created", "virtual time starts at 2024-01-01T00:00:00Z");
  call("sqs", "NoSuchAction", "{}");
  aev_broker_advance(broker, 90 * 1000);
  hop("advanced 90 s", "no CPU was spent waiting");
  int rc = queue_with_dead_letters();
  aev_broker_destroy(broker);
  return rc;
}
