/* The tour: a readable trace of flows through the primitives (queues, a bus,
 * a topic, a function, a state machine, a queue -> function mapping),
 * on the manual clock, each hop printed with its virtual timestamp. */
#include <stdio.h>
#include <string.h>
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

/* A Lambda-style function written in C: prints the order it was given and
 * answers with a receipt. Handlers complete through their context. */
static void receipt(void *user, aev_invocation *ctx, const char *event,
                    size_t len) {
  (void)user;
  char note[200];
  snprintf(note, sizeof note, "%.*s", (int)(len < 150 ? len : 150), event);
  hop("function receipt invoked", note);
  const char *answer = "{\"receipt\": \"R-1\"}";
  aev_invocation_succeed(ctx, answer, strlen(answer));
}

/* An order's path: events on the default bus match a rule whose target is
 * an SNS topic; the topic delivers to a queue only the orders over 100 (a
 * filter policy on the body). Then a state machine settles the order: a
 * one-day Wait, then a Task that calls the C function. Virtual time makes
 * the day pass at once. */
static int order_flow(void) {
  aev_function_create(broker, "receipt", NULL, receipt, NULL, NULL, NULL);
  call("sqs", "CreateQueue", "{\"QueueName\": \"big-orders\"}");
  call("sns", "CreateTopic", "{\"Name\": \"orders\"}");
  call("sns", "Subscribe",
       "{\"TopicArn\": \"arn:aws:sns:us-east-1:000000000000:orders\", "
       "\"Protocol\": \"sqs\", "
       "\"Endpoint\": \"arn:aws:sqs:us-east-1:000000000000:big-orders\", "
       "\"Attributes\": {\"RawMessageDelivery\": \"true\", "
       "\"FilterPolicyScope\": \"MessageBody\", "
       "\"FilterPolicy\": \"{\\\"total\\\": [{\\\"numeric\\\": [\\\">\\\", 100]}]}\"}}");
  call("events", "PutRule",
       "{\"Name\": \"orders\", \"EventPattern\": "
       "\"{\\\"source\\\": [\\\"shop\\\"]}\"}");
  call("events", "PutTargets",
       "{\"Rule\": \"orders\", \"Targets\": [{\"Id\": \"topic\", "
       "\"Arn\": \"arn:aws:sns:us-east-1:000000000000:orders\", "
       "\"InputPath\": \"$.detail\"}]}");
  call("events", "PutEvents",
       "{\"Entries\": ["
       "{\"Source\": \"shop\", \"DetailType\": \"order\", \"Detail\": \"{\\\"total\\\": 250}\"},"
       "{\"Source\": \"shop\", \"DetailType\": \"order\", \"Detail\": \"{\\\"total\\\": 20}\"}]}");
  aev_broker_advance(broker, 1000);
  int rc = call("sqs", "ReceiveMessage",
                "{\"QueueUrl\": \"https://sqs.us-east-1.amazonaws.com/000000000000/big-orders\", "
                "\"MaxNumberOfMessages\": 10}");

  const char *definition =
      "{\"StartAt\": \"Settle\", \"States\": {"
      "\"Settle\": {\"Type\": \"Wait\", \"Seconds\": 86400, \"Next\": \"Receipt\"},"
      "\"Receipt\": {\"Type\": \"Task\", \"Resource\": "
      "\"arn:aws:lambda:us-east-1:000000000000:function:receipt\", \"End\": true}}}";
  aev_machine *machine;
  aev_execution *execution;
  aev_machine_create(broker, "fulfil", definition, strlen(definition),
                     AEV_MACHINE_STANDARD, &machine);
  aev_machine_start(machine, "order-250", "{\"total\": 250}", 14, &execution);
  hop("execution started", aev_execution_arn(execution));
  aev_broker_advance(broker, 86400 * 1000);
  char *output = NULL;
  aev_execution_output(execution, &output);
  hop("execution ended a day later", output ? output : aev_errmsg());
  if (aev_execution_status(execution) != AEV_EXECUTION_SUCCEEDED) rc = 1;
  aev_free(output);
  aev_execution_release(execution);
  aev_machine_release(machine);
  return rc;
}

/* A queue -> function event-source mapping: the mapping waits on the queue
 * (it never polls), gathers sends for up to its batching window on the
 * virtual clock, then invokes the function once with an SQS event of the
 * batch and deletes what succeeded. */
static int queue_to_function(void) {
  call("sqs", "CreateQueue", "{\"QueueName\": \"receipts\"}");
  int rc = call("lambda", "CreateEventSourceMapping",
                "{\"EventSourceArn\": \"arn:aws:sqs:us-east-1:000000000000:receipts\", "
                "\"FunctionName\": \"receipt\", \"BatchSize\": 10, "
                "\"MaximumBatchingWindowInSeconds\": 5}");
  for (int i = 1; i <= 3; i++) {
    char request[160];
    snprintf(request, sizeof request,
             "{\"QueueUrl\": \"https://sqs.us-east-1.amazonaws.com/000000000000/receipts\", "
             "\"MessageBody\": \"order %d\"}", i);
    call("sqs", "SendMessage", request);
  }
  aev_broker_advance(broker, 5 * 1000);
  hop("advanced 5 s", "the batching window closed: one invocation for 3 messages");
  aev_queue *receipts;
  aev_queue_get(broker, "receipts", &receipts);
  char *counts = NULL;
  aev_queue_get_attributes(receipts, "[\"ApproximateNumberOfMessages\", "
                           "\"ApproximateNumberOfMessagesNotVisible\"]", &counts);
  hop("receipts queue", counts);
  /* The invocation succeeded, so the mapping deleted the whole batch. */
  if (!counts || strcmp(counts, "{\"ApproximateNumberOfMessages\":\"0\","
                                "\"ApproximateNumberOfMessagesNotVisible\":\"0\"}"))
    rc = 1;
  aev_free(counts);
  aev_queue_release(receipts);
  return rc;
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
  if (order_flow() != 0) rc = 1;
  if (queue_to_function() != 0) rc = 1;
  aev_broker_destroy(broker);
  return rc;
}
