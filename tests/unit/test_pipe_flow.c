/* EventBridge Pipes at work on the manual clock: an SQS source read by the
 * queue mappings' poller, FilterCriteria deleting what does not match,
 * InputTemplate, a Lambda enrichment, the targets (SQS with a FIFO group,
 * SNS, Lambda, Step Functions, an event bus, Kinesis, Firehose), the batch
 * sent whole to functions, failed batches left on the queue to reappear and
 * follow its redrive policy, the batching window, and stopped pipes. */
#include "aevtest.h"
#include "function_support.h"
#include "pipe_support.h"

static aev_broker *b;

static void setup(void) {
  b = aev_test_manual_broker(11);
  pipe_queues(b);
}

static void teardown(void) { aev_broker_destroy(b); }


START_TEST(filter_and_template_to_queue) {
  pipe_to(b, ARN("sqs", "dst"),
          "{\"SourceParameters\":{\"FilterCriteria\":{\"Filters\":[{\"Pattern\":"
          "\"{\\\"body\\\":{\\\"k\\\":[\\\"yes\\\"]}}\"}]}},"
          "\"TargetParameters\":{\"InputTemplate\":\"{\\\"v\\\": <$.body.k>, \\\"pipe\\\": "
          "\\\"<aws.pipes.pipe-name>\\\", \\\"src\\\": \\\"<aws.pipes.source-arn>\\\", "
          "\\\"n\\\": <$.body.n>}\"}}");
  send_body(b, URL("src"), "{\"k\":\"yes\",\"n\":[1,2]}");
  send_body(b, URL("src"), "{\"k\":\"no\"}");
  send_body(b, URL("src"), "not json");
  aev_broker_advance(b, 1000);
  json_t *got = bodies(b, URL("dst"));
  ck_assert_int_eq(json_array_size(got), 1);
  json_t *e = json_loads(json_string_value(json_array_get(got, 0)), 0, NULL);
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(json_string_value(json_object_get(e, "v")), "yes");
  ck_assert_str_eq(json_string_value(json_object_get(e, "pipe")), "p1");
  ck_assert_str_eq(json_string_value(json_object_get(e, "src")), ARN("sqs", "src"));
  ck_assert_int_eq(json_array_size(json_object_get(e, "n")), 2);
  json_decref(e);
  json_decref(got);
  /* What the filter rejected is deleted, as for Lambda's SQS filters. */
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
}
END_TEST

/* Without a template the target receives the SQS record as Pipes
 * documents it. */
START_TEST(record_shape) {
  pipe_to(b, ARN("sqs", "dst"), NULL);
  send_body(b, URL("src"), "hello");
  aev_broker_advance(b, 1000);
  json_t *got = bodies(b, URL("dst"));
  ck_assert_int_eq(json_array_size(got), 1);
  json_t *r = json_loads(json_string_value(json_array_get(got, 0)), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(r, "body")), "hello");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSource")), "aws:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSourceARN")), ARN("sqs", "src"));
  ck_assert_str_eq(json_string_value(json_object_get(r, "awsRegion")), "us-east-1");
  ck_assert(json_is_string(json_object_get(r, "messageId")));
  ck_assert(json_is_string(json_object_get(r, "receiptHandle")));
  ck_assert(json_is_string(json_object_get(r, "md5OfBody")));
  ck_assert(json_is_object(json_object_get(r, "attributes")));
  json_decref(r);
  json_decref(got);
}
END_TEST

START_TEST(free_text_template) {
  pipe_to(b, ARN("sqs", "dst"),
          "{\"TargetParameters\":{\"InputTemplate\":\"Hello, <$.body.who>!\"}}");
  send_body(b, URL("src"), "{\"who\":\"world\"}");
  aev_broker_advance(b, 1000);
  assert_only_body(b, URL("dst"), "Hello, world!");
}
END_TEST

/* Lambda targets get the whole batch as one JSON array; a failure leaves
 * the batch on the queue, to come back after the visibility timeout and
 * reach the dead-letter queue after maxReceiveCount. */
START_TEST(lambda_target_batch_and_failure) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "fn", "{\"Timeout\":3}", &s);
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"dlq\"}", AEV_OK));
  json_decref(aev_test_call(
      b, "sqs", "SetQueueAttributes",
      "{\"QueueUrl\":\"" URL("src") "\",\"Attributes\":{\"RedrivePolicy\":"
      "\"{\\\"deadLetterTargetArn\\\":\\\"" ARN("sqs", "dlq") "\\\",\\\"maxReceiveCount\\\":2}\"}}",
      AEV_OK));
  pipe_to(b, ARN("lambda", "function:fn"), NULL);
  send_body(b, URL("src"), "a");
  send_body(b, URL("src"), "b");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(s.calls, 1);
  json_t *ev = json_loads(s.last_event, 0, NULL);
  ck_assert(json_is_array(ev));
  ck_assert_int_eq(json_array_size(ev), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ev, 0), "body")), "a");
  json_decref(ev);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 2);
  aev_broker_advance(b, 31000); /* visibility timeout: received again */
  ck_assert_int_eq(s.calls, 2);
  aev_broker_advance(b, 31000); /* a third receive moves them to the DLQ */
  ck_assert_int_eq(attr(b, URL("dlq"), "ApproximateNumberOfMessages"), 2);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  /* A succeeding function: the batch is deleted. */
  s.mode = FT_ECHO;
  send_body(b, URL("src"), "c");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  aev_function_release(f);
}
END_TEST

static void enrich_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  json_t *in = json_loadb(event, len, 0, NULL);
  json_t *out = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(in, i, e)
      json_array_append_new(out, json_pack("{sOsb}", "seen", json_object_get(e, "b"), "enriched", 1));
  char *text = json_dumps(out, JSON_COMPACT);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(out);
  json_decref(in);
}

START_TEST(lambda_enrichment) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "enrich", NULL, enrich_handler, NULL, NULL, &f), AEV_OK);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("lambda", "function:enrich") "\","
                             "\"EnrichmentParameters\":{\"InputTemplate\":\"{\\\"b\\\": "
                             "\\\"<$.body>\\\"}\"}}");
  send_body(b, URL("src"), "one");
  send_body(b, URL("src"), "two");
  aev_broker_advance(b, 1000);
  json_t *got = bodies(b, URL("dst"));
  ck_assert_int_eq(json_array_size(got), 2);
  ck_assert_str_eq(json_string_value(json_array_get(got, 0)), "{\"seen\":\"one\",\"enriched\":true}");
  json_decref(got);
  aev_function_release(f);
}
END_TEST

START_TEST(failing_enrichment_leaves_batch) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "enrich", NULL, &s);
  pipe_to(b, ARN("sqs", "dst"), "{\"Enrichment\":\"" ARN("lambda", "function:enrich") "\"}");
  send_body(b, URL("src"), "x");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  aev_function_release(f);
}
END_TEST

START_TEST(fifo_target_group_from_path) {
  json_decref(aev_test_call(b, "sqs", "CreateQueue",
                            "{\"QueueName\":\"out.fifo\",\"Attributes\":{\"FifoQueue\":\"true\","
                            "\"ContentBasedDeduplication\":\"true\"}}",
                            AEV_OK));
  pipe_to(b, ARN("sqs", "out.fifo"),
          "{\"TargetParameters\":{\"SqsQueueParameters\":{\"MessageGroupId\":\"$.body.g\"}}}");
  send_body(b, URL("src"), "{\"g\":\"g1\"}");
  aev_broker_advance(b, 1000);
  json_t *r = aev_test_call(b, "sqs", "ReceiveMessage",
                            "{\"QueueUrl\":\"" URL("out.fifo") "\",\"MessageSystemAttributeNames\":"
                            "[\"MessageGroupId\"]}",
                            AEV_OK);
  json_t *m = json_array_get(json_object_get(r, "Messages"), 0);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "Attributes"),
                                                     "MessageGroupId")),
                   "g1");
  json_decref(r);
}
END_TEST

START_TEST(bus_target) {
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"seen\"}", AEV_OK));
  json_decref(aev_test_call(b, "events", "PutRule",
                            "{\"Name\":\"all\",\"EventPattern\":\"{\\\"source\\\":[{\\\"prefix\\\":"
                            "\\\"\\\"}]}\"}",
                            AEV_OK));
  json_decref(aev_test_call(b, "events", "PutTargets",
                            "{\"Rule\":\"all\",\"Targets\":[{\"Id\":\"q\",\"Arn\":\"" ARN(
                                "sqs", "seen") "\"}]}",
                            AEV_OK));
  pipe_to(b, ARN("events", "event-bus/default"), NULL);
  send_body(b, URL("src"), "{\"a\":1}");
  aev_broker_advance(b, 1000);
  json_t *got = bodies(b, URL("seen"));
  ck_assert_int_eq(json_array_size(got), 1);
  json_t *e = json_loads(json_string_value(json_array_get(got, 0)), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(e, "source")), "Pipe p1");
  ck_assert_str_eq(json_string_value(json_object_get(e, "detail-type")), "Event from aws:sqs");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e, "detail"), "body")),
                   "{\"a\":1}");
  json_decref(e);
  json_decref(got);
}
END_TEST

START_TEST(topic_target) {
  json_decref(aev_test_call(b, "sns", "CreateTopic", "{\"Name\":\"t\"}", AEV_OK));
  json_decref(aev_test_call(b, "sns", "Subscribe",
                            "{\"TopicArn\":\"" ARN("sns", "t") "\",\"Protocol\":\"sqs\","
                            "\"Endpoint\":\"" ARN("sqs", "dst") "\",\"Attributes\":"
                            "{\"RawMessageDelivery\":\"true\"}}",
                            AEV_OK));
  pipe_to(b, ARN("sns", "t"), "{\"TargetParameters\":{\"InputTemplate\":\"<$.body>\"}}");
  send_body(b, URL("src"), "via sns");
  aev_broker_advance(b, 1000);
  assert_only_body(b, URL("dst"), "via sns");
}
END_TEST

START_TEST(stream_target) {
  json_decref(aev_test_call(b, "kinesis", "CreateStream",
                            "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  pipe_to(b, ARN("kinesis", "stream/s"),
          "{\"TargetParameters\":{\"KinesisStreamParameters\":{\"PartitionKey\":\"$.body\"}}}");
  send_body(b, URL("src"), "k1");
  aev_broker_advance(b, 1000);
  json_t *it = aev_test_call(b, "kinesis", "GetShardIterator",
                             "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                             "\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                             AEV_OK);
  json_t *recs = aev_test_call_req(
      b, "kinesis", "GetRecords",
      json_pack("{sO}", "ShardIterator", json_object_get(it, "ShardIterator")), AEV_OK);
  json_t *r = json_array_get(json_object_get(recs, "Records"), 0);
  ck_assert_ptr_nonnull(r);
  ck_assert_str_eq(json_string_value(json_object_get(r, "PartitionKey")), "k1");
  json_decref(recs);
  json_decref(it);
}
END_TEST

START_TEST(state_machine_target) {
  json_decref(aev_test_call(b, "states", "CreateStateMachine",
                            "{\"name\":\"m\",\"roleArn\":\"" ROLE "\",\"definition\":"
                            "\"{\\\"StartAt\\\":\\\"P\\\",\\\"States\\\":{\\\"P\\\":{\\\"Type\\\":"
                            "\\\"Pass\\\",\\\"End\\\":true}}}\"}",
                            AEV_OK));
  pipe_to(b, ARN("states", "stateMachine:m"),
          "{\"TargetParameters\":{\"StepFunctionStateMachineParameters\":"
          "{\"InvocationType\":\"FIRE_AND_FORGET\"}}}");
  send_body(b, URL("src"), "s1");
  aev_broker_advance(b, 1000);
  json_t *l = aev_test_call(b, "states", "ListExecutions",
                            "{\"stateMachineArn\":\"" ARN("states", "stateMachine:m") "\"}", AEV_OK);
  json_t *x = json_array_get(json_object_get(l, "executions"), 0);
  ck_assert_ptr_nonnull(x);
  json_t *d = aev_test_call_req(b, "states", "DescribeExecution",
                                json_pack("{sO}", "executionArn", json_object_get(x, "executionArn")),
                                AEV_OK);
  json_t *input = json_loads(json_string_value(json_object_get(d, "input")), 0, NULL);
  ck_assert(json_is_array(input));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(input, 0), "body")), "s1");
  json_decref(input);
  json_decref(d);
  json_decref(l);
}
END_TEST

START_TEST(batching_window) {
  pipe_to(b, ARN("lambda", "function:fn"),
          "{\"SourceParameters\":{\"SqsQueueParameters\":{\"BatchSize\":20,"
          "\"MaximumBatchingWindowInSeconds\":5}}}");
  ft_state s = {.mode = FT_ECHO};
  aev_function *f = ft_function(b, "fn", NULL, &s);
  for (int i = 0; i < 3; i++) send_body(b, URL("src"), "w");
  aev_broker_advance(b, 4000);
  ck_assert_int_eq(s.calls, 0);
  aev_broker_advance(b, 1500);
  ck_assert_int_eq(s.calls, 1); /* all three in one batch */
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 0);
  aev_function_release(f);
}
END_TEST

START_TEST(stopped_pipe_leaves_messages) {
  pipe_to(b, ARN("sqs", "dst"), "{\"DesiredState\":\"STOPPED\"}");
  send_body(b, URL("src"), "wait");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 1);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 0);
  json_decref(aev_test_call(b, "pipes", "StartPipe", "{\"Name\":\"p1\"}", AEV_OK));
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 0);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 1);
  json_decref(aev_test_call(b, "pipes", "DeletePipe", "{\"Name\":\"p1\"}", AEV_OK));
  send_body(b, URL("src"), "after");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessages"), 1);
}
END_TEST

/* An update takes effect for the next batch: a new template. */
START_TEST(update_applies) {
  pipe_to(b, ARN("sqs", "dst"), NULL);
  json_decref(aev_test_call(b, "pipes", "UpdatePipe",
                            "{\"Name\":\"p1\",\"RoleArn\":\"" ROLE "\",\"TargetParameters\":"
                            "{\"InputTemplate\":\"<aws.pipes.pipe-arn>\"}}",
                            AEV_OK));
  send_body(b, URL("src"), "u");
  aev_broker_advance(b, 1000);
  assert_only_body(b, URL("dst"), ARN("pipes", "pipe/p1"));
}
END_TEST

/* A Lambda target that names the records whose body is "bad" in
 * batchItemFailures (their messageId, or for Kinesis their sequenceNumber). */
static int partial_calls, partial_last_n;
static void partial_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  partial_calls++;
  json_t *in = json_loadb(event, len, 0, NULL), *fails = json_array();
  partial_last_n = (int)json_array_size(in);
  size_t i;
  json_t *e;
  json_array_foreach(in, i, e) {
    json_t *id = json_object_get(e, "messageId");
    if (!id) id = json_object_get(e, "sequenceNumber");
    const char *body = json_string_value(json_object_get(e, "body"));
    const char *data = json_string_value(json_object_get(e, "data"));
    if ((body && !strcmp(body, "bad")) || (data && !strcmp(data, "YmFk")))
      json_array_append_new(fails, json_pack("{sO}", "itemIdentifier", id));
  }
  json_t *out = json_pack("{so}", "batchItemFailures", fails);
  char *text = json_dumps(out, JSON_COMPACT);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(out);
  json_decref(in);
}

/* Partial batch failures: only the records a Lambda target names are
 * left on the queue. */
START_TEST(lambda_target_partial_failure) {
  aev_function *f;
  partial_calls = 0;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, partial_handler, NULL, NULL, &f), AEV_OK);
  pipe_to(b, ARN("lambda", "function:fn"), NULL);
  send_body(b, URL("src"), "good");
  send_body(b, URL("src"), "bad");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(partial_calls, 1);
  ck_assert_int_eq(attr(b, URL("src"), "ApproximateNumberOfMessagesNotVisible"), 1);
  json_decref(aev_test_call(b, "pipes", "StopPipe", "{\"Name\":\"p1\"}", AEV_OK));
  aev_broker_advance(b, 30000);
  assert_only_body(b, URL("src"), "bad");
  aev_function_release(f);
}
END_TEST

/* Kinesis sources: a stream "ks" with one shard, records put with a
 * partition key and data given as text. */
static void stream_ks(void) {
  json_decref(aev_test_call(b, "kinesis", "CreateStream", "{\"StreamName\":\"ks\",\"ShardCount\":1}",
                            AEV_OK));
}

static void put_record(const char *key, const char *data) {
  aev_stream *s;
  ck_assert_int_eq(aev_stream_get(b, "ks", &s), AEV_OK);
  ck_assert_int_eq(aev_stream_put(s, data, strlen(data), key, NULL, NULL, NULL, NULL), AEV_OK);
  aev_stream_release(s);
}

static void stream_pipe(const char *target, const char *source_params, const char *extra) {
  char text[2048];
  snprintf(text, sizeof text,
           "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" ARN("kinesis", "stream/ks")
           "\",\"Target\":\"%s\",\"SourceParameters\":%s%s}",
           target, source_params, extra ? extra : "");
  json_decref(aev_test_call(b, "pipes", "CreatePipe", text, AEV_OK));
}

START_TEST(kinesis_source_filter_and_template) {
  stream_ks();
  stream_pipe(ARN("sqs", "dst"),
              "{\"KinesisStreamParameters\":{\"StartingPosition\":\"TRIM_HORIZON\"},"
              "\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{\\\"data\\\":{\\\"k\\\":[\\\"yes\\\"]}}\"}]}}",
              ",\"TargetParameters\":{\"InputTemplate\":\"{\\\"k\\\": <$.data.k>, \\\"pk\\\": "
              "\\\"<$.partitionKey>\\\"}\"}");
  put_record("p1", "{\"k\":\"yes\"}");
  put_record("p2", "{\"k\":\"no\"}");
  aev_broker_advance(b, 2000);
  assert_only_body(b, URL("dst"), "{\"k\":\"yes\",\"pk\":\"p1\"}");
}
END_TEST

/* The record as the Pipes User Guide shows a Kinesis source's: flat. */
START_TEST(kinesis_record_shape) {
  stream_ks();
  stream_pipe(ARN("sqs", "dst"), "{\"KinesisStreamParameters\":{\"StartingPosition\":\"TRIM_HORIZON\"}}",
              NULL);
  put_record("key", "hi");
  aev_broker_advance(b, 2000);
  json_t *got = bodies(b, URL("dst"));
  ck_assert_int_eq(json_array_size(got), 1);
  json_t *r = json_loads(json_string_value(json_array_get(got, 0)), 0, NULL);
  ck_assert_ptr_null(json_object_get(r, "kinesis"));
  ck_assert_str_eq(json_string_value(json_object_get(r, "partitionKey")), "key");
  ck_assert_str_eq(json_string_value(json_object_get(r, "data")), "aGk=");
  ck_assert_str_eq(json_string_value(json_object_get(r, "kinesisSchemaVersion")), "1.0");
  ck_assert(json_is_string(json_object_get(r, "sequenceNumber")));
  ck_assert(json_is_number(json_object_get(r, "approximateArrivalTimestamp")));
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSource")), "aws:kinesis");
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventName")), "aws:kinesis:record");
  ck_assert_str_eq(json_string_value(json_object_get(r, "invokeIdentityArn")), ROLE);
  ck_assert_str_eq(json_string_value(json_object_get(r, "eventSourceARN")), ARN("kinesis", "stream/ks"));
  json_decref(r);
  json_decref(got);
}
END_TEST

/* A stopped stream pipe keeps its place: started again, it reads on from
 * there, each record once. */
START_TEST(kinesis_stop_start_resumes) {
  stream_ks();
  stream_pipe(ARN("sqs", "dst"), "{\"KinesisStreamParameters\":{\"StartingPosition\":\"LATEST\"}}",
              ",\"TargetParameters\":{\"InputTemplate\":\"<$.partitionKey>\"}");
  put_record("a", "1");
  aev_broker_advance(b, 2000);
  json_decref(aev_test_call(b, "pipes", "StopPipe", "{\"Name\":\"kp\"}", AEV_OK));
  put_record("b", "2");
  aev_broker_advance(b, 2000);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 1);
  json_decref(aev_test_call(b, "pipes", "StartPipe", "{\"Name\":\"kp\"}", AEV_OK));
  aev_broker_advance(b, 2000);
  json_t *got = bodies(b, URL("dst"));
  ck_assert_int_eq(json_array_size(got), 2);
  ck_assert_str_eq(json_string_value(json_array_get(got, 0)), "a");
  ck_assert_str_eq(json_string_value(json_array_get(got, 1)), "b");
  json_decref(got);
}
END_TEST

/* UpdatePipe's KinesisStreamParameters (UpdatePipeSourceKinesisStreamParameters)
 * have no StartingPosition: a stream pipe keeps the one it was created with. */
START_TEST(kinesis_update_keeps_starting_position) {
  stream_ks();
  stream_pipe(ARN("sqs", "dst"), "{\"KinesisStreamParameters\":{\"StartingPosition\":\"TRIM_HORIZON\"}}",
              NULL);
  json_decref(aev_test_call(b, "pipes", "UpdatePipe",
                            "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"SourceParameters\":"
                            "{\"KinesisStreamParameters\":{\"BatchSize\":5}}}",
                            AEV_OK));
  json_t *d = aev_test_call(b, "pipes", "DescribePipe", "{\"Name\":\"kp\"}", AEV_OK);
  json_t *kp = json_object_get(json_object_get(d, "SourceParameters"), "KinesisStreamParameters");
  ck_assert_str_eq(json_string_value(json_object_get(kp, "StartingPosition")), "TRIM_HORIZON");
  ck_assert_int_eq(json_integer_value(json_object_get(kp, "BatchSize")), 5);
  json_decref(d);
  /* A bad value is named as such, and the pipe keeps what it had. */
  aev_test_call_fails(b, "pipes", "UpdatePipe",
                      "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"SourceParameters\":"
                      "{\"KinesisStreamParameters\":{\"BatchSize\":0}}}",
                      AEV_ERR_INVALID, "ValidationException",
                      "1 validation error detected: Value '0' at "
                      "'sourceParameters.kinesisStreamParameters.batchSize' failed to satisfy "
                      "constraint: Member must have value greater than or equal to 1");
  d = aev_test_call(b, "pipes", "DescribePipe", "{\"Name\":\"kp\"}", AEV_OK);
  kp = json_object_get(json_object_get(d, "SourceParameters"), "KinesisStreamParameters");
  ck_assert_int_eq(json_integer_value(json_object_get(kp, "BatchSize")), 5);
  json_decref(d);
  put_record("k", "x");
  aev_broker_advance(b, 2000);
  ck_assert_int_eq(attr(b, URL("dst"), "ApproximateNumberOfMessages"), 1);
}
END_TEST

/* A failing target: retried MaximumRetryAttempts times, then the batch
 * goes to the DeadLetterConfig queue and the pipe reads on. */
START_TEST(kinesis_retries_then_dead_letter) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "fn", NULL, &s);
  json_decref(aev_test_call(b, "sqs", "CreateQueue", "{\"QueueName\":\"dlq\"}", AEV_OK));
  stream_ks();
  stream_pipe(ARN("lambda", "function:fn"),
              "{\"KinesisStreamParameters\":{\"StartingPosition\":\"TRIM_HORIZON\","
              "\"MaximumRetryAttempts\":1,\"DeadLetterConfig\":{\"Arn\":\"" ARN("sqs", "dlq") "\"}}}",
              NULL);
  put_record("k", "x");
  aev_broker_advance(b, 120000);
  ck_assert_int_eq(s.calls, 2);
  json_t *got = bodies(b, URL("dlq"));
  ck_assert_int_eq(json_array_size(got), 1);
  json_t *rec = json_loads(json_string_value(json_array_get(got, 0)), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "requestContext"), "condition")),
                   "RetryAttemptsExhausted");
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rec, "KinesisBatchInfo"), "batchSize")),
                   1);
  json_decref(rec);
  json_decref(got);
  aev_function_release(f);
}
END_TEST

/* A Kinesis batch whose Lambda target names a record: the records before
 * it are checkpointed and the batch is retried from it. */
START_TEST(kinesis_partial_failure) {
  aev_function *f;
  partial_calls = 0;
  ck_assert_int_eq(aev_function_create(b, "fn", NULL, partial_handler, NULL, NULL, &f), AEV_OK);
  stream_ks();
  stream_pipe(ARN("lambda", "function:fn"),
              "{\"KinesisStreamParameters\":{\"StartingPosition\":\"TRIM_HORIZON\","
              "\"MaximumRetryAttempts\":1}}",
              NULL);
  put_record("k", "ok");
  put_record("k", "bad");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(partial_calls, 1);
  ck_assert_int_eq(partial_last_n, 2);
  /* The retry holds the failed record alone; it fails again and, with no
   * retries left, is passed over. */
  aev_broker_advance(b, 10000);
  ck_assert_int_eq(partial_calls, 2);
  ck_assert_int_eq(partial_last_n, 1);
  put_record("k", "later");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(partial_calls, 3);
  ck_assert_int_eq(partial_last_n, 1);
  aev_function_release(f);
}
END_TEST

START_TEST(kinesis_source_refusals) {
  stream_ks();
  aev_test_call_fails(b, "pipes", "CreatePipe",
                      "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" ARN("kinesis", "stream/ks")
                      "\",\"Target\":\"" ARN("sqs", "dst") "\"}",
                      AEV_ERR_INVALID, "ValidationException",
                      "1 validation error detected: Value at "
                      "'sourceParameters.kinesisStreamParameters.startingPosition' failed to satisfy "
                      "constraint: Member must not be null");
  aev_test_call_fails(b, "pipes", "CreatePipe",
                      "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" ARN("kinesis", "stream/ks")
                      "\",\"Target\":\"" ARN("sqs", "dst") "\",\"SourceParameters\":{\"KinesisStreamParameters\":"
                      "{\"StartingPosition\":\"LATEST\",\"ParallelizationFactor\":11}}}",
                      AEV_ERR_INVALID, "ValidationException",
                      "1 validation error detected: Value '11' at "
                      "'sourceParameters.kinesisStreamParameters.parallelizationFactor' failed to "
                      "satisfy constraint: Member must have value less than or equal to 10");
  aev_test_call_fails(b, "pipes", "CreatePipe",
                      "{\"Name\":\"kp\",\"RoleArn\":\"" ROLE "\",\"Source\":\"" ARN("kinesis", "stream/none")
                      "\",\"Target\":\"" ARN("sqs", "dst") "\",\"SourceParameters\":{\"KinesisStreamParameters\":"
                      "{\"StartingPosition\":\"LATEST\"}}}",
                      AEV_ERR_INVALID, "ValidationException",
                      "Source " ARN("kinesis", "stream/none") " does not exist.");
  json_t *r = aev_test_call(b, "pipes", "ListPipes", "{}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(r, "Pipes")), 0);
  json_decref(r);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pipe_flow");
  TCase *tc = tcase_create("flow");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, filter_and_template_to_queue);
  tcase_add_test(tc, record_shape);
  tcase_add_test(tc, free_text_template);
  tcase_add_test(tc, lambda_target_batch_and_failure);
  tcase_add_test(tc, lambda_enrichment);
  tcase_add_test(tc, failing_enrichment_leaves_batch);
  tcase_add_test(tc, fifo_target_group_from_path);
  tcase_add_test(tc, bus_target);
  tcase_add_test(tc, topic_target);
  tcase_add_test(tc, stream_target);
  tcase_add_test(tc, state_machine_target);
  tcase_add_test(tc, batching_window);
  tcase_add_test(tc, stopped_pipe_leaves_messages);
  tcase_add_test(tc, update_applies);
  tcase_add_test(tc, kinesis_source_filter_and_template);
  tcase_add_test(tc, kinesis_record_shape);
  tcase_add_test(tc, kinesis_stop_start_resumes);
  tcase_add_test(tc, kinesis_update_keeps_starting_position);
  tcase_add_test(tc, kinesis_retries_then_dead_letter);
  tcase_add_test(tc, kinesis_source_refusals);
  tcase_add_test(tc, lambda_target_partial_failure);
  tcase_add_test(tc, kinesis_partial_failure);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
