/* Topics: CreateTopic (idempotent, name rules, FIFO), attributes, tags,
 * AddPermission / RemovePermission, DeleteTopic, ListTopics paging, and
 * their SNS errors. */
#include "aevtest.h"
#include "topic_support.h"

static aev_broker *b;

static void setup(void) { b = qt_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static json_t *attrs_of(aev_topic *t) {
  char *a;
  ck_assert_int_eq(aev_topic_get_attributes(t, &a), AEV_OK);
  json_t *j = json_loads(a, 0, NULL);
  aev_free(a);
  return j;
}

static const char *attr(json_t *j, const char *k) {
  return json_string_value(json_object_get(j, k));
}

START_TEST(create_is_idempotent) {
  aev_topic *a = tt_topic(b, "orders", "{\"DisplayName\":\"Orders\"}");
  ck_assert_str_eq(aev_topic_arn(a), "arn:aws:sns:us-east-1:000000000000:orders");
  aev_topic *c = tt_topic(b, "orders", "{\"DisplayName\":\"Orders\"}");
  ck_assert_ptr_eq(a, c);
  aev_topic *d = tt_topic(b, "orders", NULL);
  ck_assert_ptr_eq(a, d);
  aev_topic *e;
  tt_assert_error(aev_topic_create(b, "orders", "{\"DisplayName\":\"Other\"}", &e),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Attributes Reason: Topic already exists "
                  "with different attributes");
  aev_topic_release(a);
  aev_topic_release(c);
  aev_topic_release(d);
}
END_TEST

START_TEST(names_are_checked) {
  aev_topic *t;
  tt_assert_error(aev_topic_create(b, "bad name", NULL, &t), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Topic Name");
  tt_assert_error(aev_topic_create(b, "", NULL, &t), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Topic Name");
  char longname[300];
  memset(longname, 'a', 257);
  longname[257] = '\0';
  tt_assert_error(aev_topic_create(b, longname, NULL, &t), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Topic Name");
  /* A .fifo name needs FifoTopic, and FifoTopic needs a .fifo name. */
  tt_assert_error(aev_topic_create(b, "x.fifo", NULL, &t), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Topic Name");
  ck_assert_int_eq(aev_topic_create(b, "x", "{\"FifoTopic\":\"true\"}", &t),
                   AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "Fifo Topic names must end with .fifo"));
  memset(longname, 'a', 256);
  longname[256] = '\0';
  t = tt_topic(b, longname, NULL);
  aev_topic_release(t);
}
END_TEST

START_TEST(fifo_attributes) {
  aev_topic *t = tt_topic(b, "t.fifo", "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\"}");
  json_t *j = attrs_of(t);
  ck_assert_str_eq(attr(j, "FifoTopic"), "true");
  ck_assert_str_eq(attr(j, "ContentBasedDeduplication"), "true");
  /* In effect (Topic) but not shown until set, as AWS answers
   * (recorded: test_create_topic_with_attributes). */
  ck_assert_ptr_null(json_object_get(j, "FifoThroughputScope"));
  json_decref(j);
  ck_assert_int_eq(aev_topic_set_attribute(t, "FifoThroughputScope", "MessageGroup"), AEV_OK);
  j = attrs_of(t);
  ck_assert_str_eq(attr(j, "FifoThroughputScope"), "MessageGroup");
  json_decref(j);
  tt_assert_error(aev_topic_set_attribute(t, "FifoThroughputScope", "Queue"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: FifoThroughputScope: Invalid value "
                  "[Queue]. Must be Topic or MessageGroup.");
  tt_assert_error(aev_topic_set_attribute(t, "FifoTopic", "false"), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: AttributeName");
  aev_topic *s = tt_topic(b, "std", NULL);
  tt_assert_error(aev_topic_set_attribute(s, "ContentBasedDeduplication", "true"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: ContentBasedDeduplication Reason: Content "
                  "based deduplication can only be set for FIFO topics");
  j = attrs_of(s);
  ck_assert_ptr_null(json_object_get(j, "FifoTopic"));
  json_decref(j);
  aev_topic_release(s);
  aev_topic_release(t);
}
END_TEST

START_TEST(default_attributes) {
  aev_topic *t = tt_topic(b, "t", NULL);
  json_t *j = attrs_of(t);
  ck_assert_str_eq(attr(j, "TopicArn"), aev_topic_arn(t));
  ck_assert_str_eq(attr(j, "Owner"), "000000000000");
  ck_assert_str_eq(attr(j, "DisplayName"), "");
  ck_assert_str_eq(attr(j, "SubscriptionsConfirmed"), "0");
  ck_assert_str_eq(attr(j, "SubscriptionsPending"), "0");
  ck_assert_str_eq(attr(j, "SubscriptionsDeleted"), "0");
  json_t *p = json_loads(attr(j, "Policy"), 0, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(p, "Id")), "__default_policy_ID");
  json_decref(p);
  json_t *e = json_loads(attr(j, "EffectiveDeliveryPolicy"), 0, NULL);
  json_t *h = json_object_get(json_object_get(e, "http"), "defaultHealthyRetryPolicy");
  ck_assert_int_eq(json_integer_value(json_object_get(h, "numRetries")), 3);
  ck_assert_int_eq(json_integer_value(json_object_get(h, "minDelayTarget")), 20);
  ck_assert_str_eq(json_string_value(json_object_get(h, "backoffFunction")), "linear");
  json_decref(e);
  json_decref(j);
  aev_topic_release(t);
}
END_TEST

START_TEST(set_attributes_checked) {
  aev_topic *t = tt_topic(b, "t", NULL);
  ck_assert_int_eq(aev_topic_set_attribute(t, "DisplayName", "Hello"), AEV_OK);
  ck_assert_int_eq(aev_topic_set_attribute(t, "MaximumMessageSize", "1048576"), AEV_OK);
  tt_assert_error(aev_topic_set_attribute(t, "MaximumMessageSize", "1048577"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: MaximumMessageSize: Invalid value "
                  "[1048577]. Must be between 1024 and 1048576.");
  tt_assert_error(aev_topic_set_attribute(t, "Nope", "x"), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: AttributeName");
  char longname[128];
  memset(longname, 'd', 101);
  longname[101] = '\0';
  tt_assert_error(aev_topic_set_attribute(t, "DisplayName", longname), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: DisplayName Reason: must be at most 100 characters long");
  tt_assert_error(aev_topic_set_attribute(t, "Policy", "[1]"), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: Policy Error: null");
  tt_assert_error(aev_topic_set_attribute(t, "SignatureVersion", "3"), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: SignatureVersion: Invalid value [3]. Must be 1 or 2.");
  tt_assert_error(aev_topic_set_attribute(t, "TracingConfig", "On"), AEV_ERR_INVALID,
                  "InvalidParameter",
                  "Invalid parameter: Attributes Reason: TracingConfig: Invalid value [On]. "
                  "Must be PassThrough or Active.");
  tt_assert_error(aev_topic_set_attribute(t, "DeliveryPolicy", "{\"http\":{\"defaultHealthyRetryPolicy\":"
                                             "{\"minDelayTarget\":30,\"maxDelayTarget\":10}}}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: DeliveryPolicy: minDelayTarget must be less than or equal "
                  "to maxDelayTarget");
  tt_assert_error(aev_topic_set_attribute(t, "DeliveryPolicy", "{\"http\":{\"defaultHealthyRetryPolicy\":"
                                             "{\"backoffFunction\":\"cubic\"}}}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: DeliveryPolicy: backoffFunction must be linear, arithmetic, "
                  "geometric or exponential");
  tt_assert_error(aev_topic_set_attribute(t, "DeliveryPolicy", "not json"), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: DeliveryPolicy: failed to parse JSON");
  tt_assert_error(aev_topic_set_attribute(t, "DeliveryPolicy", "{\"http\":{\"defaultHealthyRetryPolicy\":{\"numRetries\":101}}}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: DeliveryPolicy: numRetries must be an "
                  "integer between 0 and 100");
  tt_assert_error(aev_topic_set_attribute(t, "DeliveryPolicy", "{\"http\":{\"defaultHealthyRetryPolicy\":{\"numRetries\":50,\"minDelayTarget\":100,\"maxDelayTarget\":100}}}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: DeliveryPolicy: the total policy retry "
                  "time cannot be greater than 3600 seconds");
  ck_assert_int_eq(aev_topic_set_attribute(t, "DeliveryPolicy", "{\"http\":{\"defaultHealthyRetryPolicy\":{\"numRetries\":5,\"minDelayTarget\":1,\"maxDelayTarget\":10,\"backoffFunction\":\"exponential\"}}}"), AEV_OK);
  json_t *j = attrs_of(t);
  ck_assert_str_eq(attr(j, "DisplayName"), "Hello");
  ck_assert_str_eq(attr(j, "MaximumMessageSize"), "1048576");
  ck_assert_ptr_nonnull(strstr(attr(j, "EffectiveDeliveryPolicy"), "\"backoffFunction\":\"exponential\""));
  json_decref(j);
  aev_topic_release(t);
}
END_TEST

/* The DeliveryPolicy as AWS shows it back and the EffectiveDeliveryPolicy
 * it makes (recorded: test_topic_delivery_policy_crud): "http" gains
 * disableSubscriptionOverrides, a null member is left out, and the
 * defaultRequestPolicy set is the effective one. */
START_TEST(delivery_policy_as_aws_keeps_it) {
  aev_topic *t = tt_topic(b, "t", "{\"DeliveryPolicy\":\"{\\\"http\\\":{\\\"defaultRequestPolicy\\\":"
                                  "{\\\"headerContentType\\\":\\\"application/json\\\"}}}\"}");
  json_t *j = attrs_of(t);
  ck_assert_str_eq(attr(j, "DeliveryPolicy"),
                   "{\"http\":{\"disableSubscriptionOverrides\":false,"
                   "\"defaultRequestPolicy\":{\"headerContentType\":\"application/json\"}}}");
  ck_assert_str_eq(attr(j, "EffectiveDeliveryPolicy"),
                   "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,"
                   "\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,"
                   "\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":false,"
                   "\"defaultRequestPolicy\":{\"headerContentType\":\"application/json\"}}}");
  json_decref(j);
  ck_assert_int_eq(aev_topic_set_attribute(t, "DeliveryPolicy",
                                           "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":5,"
                                           "\"maxDelayTarget\":6,\"numRetries\":1}}}"),
                   AEV_OK);
  j = attrs_of(t);
  ck_assert_str_eq(attr(j, "DeliveryPolicy"),
                   "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":5,\"maxDelayTarget\":6,"
                   "\"numRetries\":1},\"disableSubscriptionOverrides\":false}}");
  ck_assert_ptr_nonnull(strstr(attr(j, "EffectiveDeliveryPolicy"),
                               "\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"}"));
  ck_assert_ptr_nonnull(strstr(attr(j, "EffectiveDeliveryPolicy"), "\"minDelayTarget\":5,\"maxDelayTarget\":6"));
  json_decref(j);
  ck_assert_int_eq(aev_topic_set_attribute(t, "DeliveryPolicy", "{\"http\":{\"defaultHealthyRetryPolicy\":null}}"),
                   AEV_OK);
  j = attrs_of(t);
  ck_assert_str_eq(attr(j, "DeliveryPolicy"), "{\"http\":{\"disableSubscriptionOverrides\":false}}");
  ck_assert_ptr_nonnull(strstr(attr(j, "EffectiveDeliveryPolicy"), "\"minDelayTarget\":20,\"maxDelayTarget\":20"));
  json_decref(j);
  ck_assert_int_eq(aev_topic_set_attribute(t, "DeliveryPolicy", ""), AEV_OK);
  j = attrs_of(t);
  ck_assert_ptr_null(json_object_get(j, "DeliveryPolicy"));
  json_decref(j);
  aev_topic_release(t);
}
END_TEST

/* Delivery status logging: kept and shown as AWS does (recorded:
 * test_delivery_lambda), shown only once set, cleared by "". */
START_TEST(delivery_status_logging_attributes) {
  aev_topic *t = tt_topic(b, "t", "{\"SQSFailureFeedbackRoleArn\":\"arn:aws:iam::000000000000:role/f\"}");
  json_t *j = attrs_of(t);
  ck_assert_ptr_null(json_object_get(j, "LambdaSuccessFeedbackRoleArn"));
  ck_assert_str_eq(attr(j, "SQSFailureFeedbackRoleArn"), "arn:aws:iam::000000000000:role/f");
  json_decref(j);
  ck_assert_int_eq(aev_topic_set_attribute(t, "LambdaSuccessFeedbackRoleArn", "arn:aws:iam::000000000000:role/r"),
                   AEV_OK);
  ck_assert_int_eq(aev_topic_set_attribute(t, "LambdaSuccessFeedbackSampleRate", "100"), AEV_OK);
  ck_assert_int_eq(aev_topic_set_attribute(t, "SQSFailureFeedbackRoleArn", ""), AEV_OK);
  j = attrs_of(t);
  ck_assert_str_eq(attr(j, "LambdaSuccessFeedbackRoleArn"), "arn:aws:iam::000000000000:role/r");
  ck_assert_str_eq(attr(j, "LambdaSuccessFeedbackSampleRate"), "100");
  ck_assert_ptr_null(json_object_get(j, "SQSFailureFeedbackRoleArn"));
  json_decref(j);
  aev_topic_release(t);
}
END_TEST

/* A NULL out pointer is named as what it is, not as an AWS member the
 * caller did give ("Invalid parameter: SubscriptionArn" for a NULL
 * subscription_arn or attributes_json, "PublishBatchRequestEntries" for a
 * NULL response_json), and the failed call stores and sends nothing. */
START_TEST(null_out_pointers_are_named) {
  aev_topic *t = tt_topic(b, "t", NULL);
  aev_queue *q = qt_queue(b, "q", NULL);
  const char *missing = "Invalid parameter: missing argument";
  tt_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), NULL, NULL), AEV_ERR_INVALID,
                  "InvalidParameter", missing);
  char *sub = tt_sub(t, q, NULL);
  tt_assert_error(aev_subscription_get_attributes(b, sub, NULL), AEV_ERR_INVALID,
                  "InvalidParameter", missing);
  tt_assert_error(aev_topic_publish_batch(t, "[{\"Id\":\"1\",\"Message\":\"m\"}]", NULL),
                  AEV_ERR_INVALID, "InvalidParameter", missing);
  ck_assert_int_eq(tt_counter(t, "NumberOfMessagesPublished"), 0);
  ck_assert_int_eq(tt_depth(q), 0);
  char *list;
  ck_assert_int_eq(aev_subscription_list(b, t, NULL, &list), AEV_OK);
  ck_assert_ptr_nonnull(strstr(list, sub));
  ck_assert_ptr_null(strstr(strstr(list, sub) + 1, "SubscriptionArn")); /* one subscription */
  aev_free(list);
  aev_free(sub);
  aev_queue_release(q);
  aev_topic_release(t);
}
END_TEST

START_TEST(tags) {
  aev_topic *t = tt_topic(b, "t", NULL);
  ck_assert_int_eq(aev_topic_tag(t, "{\"env\":\"prod\",\"team\":\"a\"}"), AEV_OK);
  ck_assert_int_eq(aev_topic_untag(t, "[\"team\"]"), AEV_OK);
  char *s;
  ck_assert_int_eq(aev_topic_list_tags(t, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"env\":\"prod\"}");
  aev_free(s);
  char big[4096] = "{";
  for (int i = 0; i < 51; i++)
    snprintf(big + strlen(big), sizeof big - strlen(big), "%s\"k%d\":\"v\"", i ? "," : "", i);
  strcat(big, "}");
  tt_assert_error(aev_topic_tag(t, big), AEV_ERR_LIMIT, "TagLimitExceeded", NULL);
  ck_assert_int_eq(aev_topic_list_tags(t, &s), AEV_OK);
  ck_assert_str_eq(s, "{\"env\":\"prod\"}");
  aev_free(s);
  aev_topic_release(t);
}
END_TEST

/* Through the API, as recorded against AWS (LocalStack's test_tags and
 * test_create_duplicate_topic_with_more_tags): a key twice is refused, and
 * creating a topic again may name its tags or some of them, no others. */
START_TEST(api_tags_duplicated_or_different) {
#define TOPIC "arn:aws:sns:us-east-1:000000000000:tagged"
  json_decref(aev_test_call(b, "sns", "CreateTopic",
                            "{\"Name\":\"tagged\",\"Tags\":[{\"Key\":\"k1\",\"Value\":\"v1\"},"
                            "{\"Key\":\"k2\",\"Value\":\"v2\"}]}",
                            AEV_OK));
  aev_test_call_fails(b, "sns", "TagResource",
                      "{\"ResourceArn\":\"" TOPIC "\",\"Tags\":[{\"Key\":\"k3\",\"Value\":\"v3\"},"
                      "{\"Key\":\"k3\",\"Value\":\"v3\"}]}",
                      AEV_ERR_INVALID, "InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.");
  static const char *const again[] = {"[]", "[{\"Key\":\"k2\",\"Value\":\"v2\"}]",
                                      "[{\"Key\":\"k1\",\"Value\":\"v1\"},{\"Key\":\"k2\",\"Value\":\"v2\"}]"};
  char req[256];
  for (size_t i = 0; i < sizeof again / sizeof *again; i++) {
    snprintf(req, sizeof req, "{\"Name\":\"tagged\",\"Tags\":%s}", again[i]);
    json_t *r = aev_test_call(b, "sns", "CreateTopic", req, AEV_OK);
    ck_assert_str_eq(json_string_value(json_object_get(r, "TopicArn")), TOPIC);
    json_decref(r);
  }
  static const char *const different[] = {"[{\"Key\":\"k1\",\"Value\":\"other\"}]",
                                          "[{\"Key\":\"k9\",\"Value\":\"v9\"}]"};
  for (size_t i = 0; i < sizeof different / sizeof *different; i++) {
    snprintf(req, sizeof req, "{\"Name\":\"tagged\",\"Tags\":%s}", different[i]);
    aev_test_call_fails(b, "sns", "CreateTopic", req, AEV_ERR_INVALID, "InvalidParameter",
                        "Invalid parameter: Tags Reason: Topic already exists with different tags");
  }
  json_t *listed = aev_test_call(b, "sns", "ListTagsForResource", "{\"ResourceArn\":\"" TOPIC "\"}", AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(listed, "Tags")), 2);
  json_decref(listed);
#undef TOPIC
}
END_TEST

/* Tag keys hold 128 characters and values 256 (the Tag API reference's
 * length constraints), not UTF-8 bytes; they come back unchanged. */
START_TEST(tag_lengths_count_characters) {
  aev_topic *t = tt_topic(b, "t", NULL);
  char key[129 * 3 + 1], value[257 * 4 + 1], req[2048];
  aev_test_repeat(key, "\xe6\xbc\xa2", 128);
  aev_test_repeat(value, "\xf0\x9f\x98\x80", 256);
  snprintf(req, sizeof req, "{\"%s\":\"%s\"}", key, value);
  ck_assert_int_eq(aev_topic_tag(t, req), AEV_OK);
  char *s;
  ck_assert_int_eq(aev_topic_list_tags(t, &s), AEV_OK);
  ck_assert_ptr_nonnull(strstr(s, key));
  ck_assert_ptr_nonnull(strstr(s, value));
  aev_free(s);
  const char *const limit = "Invalid parameter: Tags Reason: keys must be 1 to 128 characters "
                            "and values at most 256";
  snprintf(req, sizeof req, "{\"%s\":\"v\"}", aev_test_repeat(key, "\xe6\xbc\xa2", 129));
  tt_assert_error(aev_topic_tag(t, req), AEV_ERR_INVALID, "InvalidParameter", limit);
  snprintf(req, sizeof req, "{\"k\":\"%s\"}", aev_test_repeat(value, "\xf0\x9f\x98\x80", 257));
  tt_assert_error(aev_topic_tag(t, req), AEV_ERR_INVALID, "InvalidParameter", limit);
  aev_topic_release(t);
}
END_TEST

START_TEST(delete_leaves_handle) {
  aev_topic *t = tt_topic(b, "t", NULL);
  ck_assert_int_eq(aev_topic_delete(t), AEV_OK);
  tt_assert_error(aev_topic_publish(t, "x", 1, NULL, NULL, NULL), AEV_ERR_NOT_FOUND,
                  "NotFound", "Topic does not exist");
  aev_topic *g;
  tt_assert_error(aev_topic_get(b, "t", &g), AEV_ERR_NOT_FOUND, "NotFound",
                  "Topic does not exist");
  aev_topic_release(t);
}
END_TEST

/* ARN members, idempotent deletes and confirmation tokens through the API,
 * as recorded against AWS (LocalStack's test_sns snapshots:
 * test_publish_wrong_arn_format, test_subscribe_with_invalid_topic,
 * test_unsubscribe_wrong_arn_format, test_delete_topic_idempotency,
 * test_unsubscribe_idempotency, test_publish_non_existent_target,
 * test_sns_confirm_subscription_wrong_token). */
START_TEST(api_arns_and_idempotence) {
  static const struct {
    const char *action, *req, *message;
  } refused[] = {
      {"Publish", "{\"Message\":\"m\",\"TopicArn\":\"randomstring\"}",
       "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"},
      {"Publish", "{\"Message\":\"m\",\"TopicArn\":\"randomstring:1\"}",
       "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2"},
      {"Publish", "{\"Message\":\"m\",\"TopicArn\":\"\"}",
       "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"},
      {"Publish", "{\"Message\":\"m\",\"TopicArn\":\"a:b:c:d:e::\"}", /* Java's split */
       "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"},
      {"Publish", "{\"Message\":\"m\"}",
       "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
      {"Publish",
       "{\"Message\":\"m\",\"TargetArn\":\"arn:aws:sns:us-east-1:000000000000:endpoint/APNS/app/"
       "0f7d5971-aa8b-4bd5-b585-0826e9f93a66\"}",
       "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"},
      {"Subscribe", "{\"TopicArn\":\"arn:aws:sns:us-east-1:random\",\"Protocol\":\"sqs\"}",
       "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"},
      {"GetTopicAttributes", "{\"TopicArn\":\"test-topic\"}",
       "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"},
      {"Unsubscribe", "{\"SubscriptionArn\":\"arn:aws:sns:us-east-1:random\"}",
       "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5"},
      {"Unsubscribe", "{\"SubscriptionArn\":\"arn:aws:sns:us-east-1:000000000000:random\"}",
       "Invalid parameter: SubscriptionId"},
      {"Unsubscribe", "{}", "Invalid parameter: SubscriptionArn Reason: no value for required parameter"},
      {"ConfirmSubscription", "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:none\",\"Token\":\"51b2ff3e\"}",
       "Invalid parameter: Token"},
      {"ConfirmSubscription", "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:none\",\"Token\":\"randomtoken\"}",
       "Invalid token"},
  };
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
    aev_test_call_fails(b, "sns", refused[i].action, refused[i].req, AEV_ERR_INVALID, "InvalidParameter",
                        refused[i].message);
  /* A topic of another region, existing or not, is refused before it is
   * looked up (recorded: test_cross_region_access,
   * test_topic_publish_another_region): even DeleteTopic fails. */
  json_decref(aev_test_call(b, "sns", "CreateTopic", "{\"Name\":\"here\"}", AEV_OK));
  static const struct {
    const char *action, *req;
  } elsewhere[] = {
      {"Publish", "{\"Message\":\"m\",\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\"}"},
      {"PublishBatch", "{\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\","
                       "\"PublishBatchRequestEntries\":[{\"Id\":\"1\",\"Message\":\"m\"}]}"},
      {"GetTopicAttributes", "{\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\"}"},
      {"SetTopicAttributes", "{\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\","
                             "\"AttributeName\":\"DisplayName\",\"AttributeValue\":\"d\"}"},
      {"Subscribe", "{\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\",\"Protocol\":\"sqs\","
                    "\"Endpoint\":\"arn:aws:sqs:us-east-1:000000000000:q\"}"},
      {"ListSubscriptionsByTopic", "{\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\"}"},
      {"DeleteTopic", "{\"TopicArn\":\"arn:aws:sns:us-west-2:000000000000:here\"}"},
      {"DeleteTopic", "{\"TopicArn\":\"arn:aws:sns:eu-central-1:000000000000:never\"}"},
  };
  for (size_t i = 0; i < sizeof elsewhere / sizeof *elsewhere; i++)
    aev_test_call_fails(b, "sns", elsewhere[i].action, elsewhere[i].req, AEV_ERR_INVALID, "InvalidParameter",
                        "Invalid parameter: TopicArn");
  json_decref(aev_test_call(b, "sns", "GetTopicAttributes",
                            "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:here\"}", AEV_OK));
  /* A well-formed ARN of nothing is NotFound where something is read... */
  aev_test_call_fails(b, "sns", "Publish",
                      "{\"Message\":\"m\",\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:none\"}",
                      AEV_ERR_NOT_FOUND, "NotFound", "Topic does not exist");
  /* ...and gone already where it is deleted. */
  json_t *sub = aev_test_call(b, "sns", "CreateTopic", "{\"Name\":\"idem\"}", AEV_OK);
  json_decref(sub);
  char *q = NULL;
  aev_queue *queue = qt_queue(b, "idem-q", NULL);
  ck_assert_int_ne(asprintf(&q, "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:idem\",\"Protocol\":\"sqs\","
                               "\"Endpoint\":\"%s\"}", aev_queue_arn(queue)), -1);
  sub = aev_test_call(b, "sns", "Subscribe", q, AEV_OK);
  char *unsub = NULL;
  ck_assert_int_ne(asprintf(&unsub, "{\"SubscriptionArn\":\"%s\"}",
                            json_string_value(json_object_get(sub, "SubscriptionArn"))), -1);
  for (int i = 0; i < 2; i++) json_decref(aev_test_call(b, "sns", "Unsubscribe", unsub, AEV_OK));
  for (int i = 0; i < 2; i++)
    json_decref(aev_test_call(b, "sns", "DeleteTopic", "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:idem\"}",
                              AEV_OK));
  json_decref(aev_test_call(b, "sns", "DeleteTopic", "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:never\"}",
                            AEV_OK));
  json_decref(sub);
  free(q);
  free(unsub);
  aev_queue_release(queue);
}
END_TEST

START_TEST(list_pages_by_100) {
  char name[32];
  for (int i = 0; i < 205; i++) {
    snprintf(name, sizeof name, "t%03d", i);
    aev_topic_release(tt_topic(b, name, NULL));
  }
  char *token = NULL;
  int total = 0, pages = 0;
  do {
    char *resp;
    ck_assert_int_eq(aev_topic_list(b, token, &resp), AEV_OK);
    json_t *j = json_loads(resp, 0, NULL);
    aev_free(resp);
    json_t *topics = json_object_get(j, "Topics");
    if (total == 0)
      ck_assert_str_eq(json_string_value(json_object_get(json_array_get(topics, 0), "TopicArn")),
                       "arn:aws:sns:us-east-1:000000000000:t000");
    total += (int)json_array_size(topics);
    pages++;
    free(token);
    const char *next = json_string_value(json_object_get(j, "NextToken"));
    /* Opaque base64, as AWS's (recorded: test_subscription_paging,
     * test_list_subscriptions_by_topic_pagination): the first page's
     * names its last topic, t099. */
    if (pages == 1)
      ck_assert_str_eq(next, "YXJuOmF3czpzbnM6dXMtZWFzdC0xOjAwMDAwMDAwMDAwMDp0MDk5");
    token = next ? strdup(next) : NULL;
    json_decref(j);
  } while (token);
  ck_assert_int_eq(total, 205);
  ck_assert_int_eq(pages, 3);
  char *resp;
  tt_assert_error(aev_topic_list(b, "garbage", &resp), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: NextToken");
  tt_assert_error(aev_topic_list(b, "arn:aws:sns:us-east-1:000000000000:t099", &resp), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: NextToken");
}
END_TEST

/* AddPermission / RemovePermission: labelled statements of the topic's
 * Policy, starting from the default policy. */
#define ARN "arn:aws:sns:us-east-1:000000000000:perm"

/* The topic's Policy statements, by Sid, as a new object. */
static json_t *statements_by_sid(aev_topic *t) {
  json_t *a = attrs_of(t), *policy = json_loads(attr(a, "Policy"), 0, NULL), *by = json_object();
  ck_assert_ptr_nonnull(policy);
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(policy, "Statement"), i, s)
      json_object_set(by, json_string_value(json_object_get(s, "Sid")), s);
  json_decref(policy);
  json_decref(a);
  return by;
}

static json_t *dumped(const char *text) {
  json_t *j = json_loads(text, 0, NULL);
  ck_assert_ptr_nonnull(j);
  return j;
}

START_TEST(permissions_are_labelled_statements) {
  aev_topic *t = tt_topic(b, "perm", NULL);
  json_decref(aev_test_call(b, "sns", "AddPermission",
                            "{\"TopicArn\":\"" ARN "\",\"Label\":\"one\","
                            "\"AWSAccountId\":[\"111122223333\"],\"ActionName\":[\"Publish\"]}",
                            AEV_OK));
  json_decref(aev_test_call(b, "sns", "AddPermission",
                            "{\"TopicArn\":\"" ARN "\",\"Label\":\"two\",\"AWSAccountId\":"
                            "[\"111122223333\",\"444455556666\"],\"ActionName\":[\"Subscribe\","
                            "\"Receive\"]}",
                            AEV_OK));
  json_t *by = statements_by_sid(t);
  ck_assert_int_eq(json_object_size(by), 3);
  ck_assert_ptr_nonnull(json_object_get(by, "__default_statement_ID"));
  json_t *one = dumped("{\"Sid\":\"one\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                       "\"arn:aws:iam::111122223333:root\"},\"Action\":\"SNS:Publish\","
                       "\"Resource\":\"" ARN "\"}");
  json_t *two = dumped("{\"Sid\":\"two\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
                       "\"arn:aws:iam::111122223333:root\",\"arn:aws:iam::444455556666:root\"]},"
                       "\"Action\":[\"SNS:Subscribe\",\"SNS:Receive\"],\"Resource\":\"" ARN "\"}");
  ck_assert(json_equal(json_object_get(by, "one"), one));
  ck_assert(json_equal(json_object_get(by, "two"), two));
  json_decref(by);

  json_decref(aev_test_call(b, "sns", "RemovePermission",
                            "{\"TopicArn\":\"" ARN "\",\"Label\":\"one\"}", AEV_OK));
  by = statements_by_sid(t);
  ck_assert_int_eq(json_object_size(by), 2);
  ck_assert_ptr_null(json_object_get(by, "one"));
  ck_assert(json_equal(json_object_get(by, "two"), two));
  json_decref(by);
  json_decref(one);
  json_decref(two);
  aev_topic_release(t);
}
END_TEST

/* Refused grants change nothing; a label no statement has is removed
 * without complaint, as moto has it (AWS's answer is not documented). */
START_TEST(permission_errors_change_nothing) {
  aev_topic *t = tt_topic(b, "perm", NULL);
  json_decref(aev_test_call(b, "sns", "AddPermission",
                            "{\"TopicArn\":\"" ARN "\",\"Label\":\"one\","
                            "\"AWSAccountId\":[\"111122223333\"],\"ActionName\":[\"Publish\"]}",
                            AEV_OK));
  json_t *before = attrs_of(t);
  aev_test_call_fails(b, "sns", "AddPermission",
                      "{\"TopicArn\":\"" ARN "\",\"Label\":\"one\","
                      "\"AWSAccountId\":[\"111122223333\"],\"ActionName\":[\"DeleteTopic\"]}",
                      AEV_ERR_INVALID, "InvalidParameter",
                      "Invalid parameter: Statement already exists");
  /* aws-cli#3143: subscription actions are not a topic's to grant. */
  aev_test_call_fails(b, "sns", "AddPermission",
                      "{\"TopicArn\":\"" ARN "\",\"Label\":\"two\",\"AWSAccountId\":"
                      "[\"111122223333\"],\"ActionName\":[\"Publish\","
                      "\"SetSubscriptionAttributes\"]}",
                      AEV_ERR_INVALID, "InvalidParameter",
                      "Invalid parameter: Policy statement action out of service scope!");
  aev_test_call_fails(b, "sns", "AddPermission",
                      "{\"TopicArn\":\"" ARN "\",\"Label\":\"two\",\"AWSAccountId\":[],"
                      "\"ActionName\":[\"Publish\"]}",
                      AEV_ERR_INVALID, "InvalidParameter", "Invalid parameter: AWSAccountId");
  aev_test_call_fails(b, "sns", "AddPermission",
                      "{\"TopicArn\":\"" ARN "\",\"Label\":\"two\",\"AWSAccountId\":"
                      "[\"111122223333\"]}",
                      AEV_ERR_INVALID, "InvalidParameter", NULL);
  aev_test_call_fails(b, "sns", "AddPermission",
                      "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:none\",\"Label\":"
                      "\"two\",\"AWSAccountId\":[\"111122223333\"],\"ActionName\":[\"Publish\"]}",
                      AEV_ERR_NOT_FOUND, "NotFound", NULL);
  json_decref(aev_test_call(b, "sns", "RemovePermission",
                            "{\"TopicArn\":\"" ARN "\",\"Label\":\"never\"}", AEV_OK));
  json_t *after = attrs_of(t);
  ck_assert_str_eq(attr(after, "Policy"), attr(before, "Policy"));
  json_decref(before);
  json_decref(after);
  aev_topic_release(t);
}
END_TEST

/* A Policy set by SetTopicAttributes is the one a grant joins. */
START_TEST(permission_joins_a_set_policy) {
  aev_topic *t = tt_topic(b, "perm", NULL);
  ck_assert_int_eq(aev_topic_set_attribute(t, "Policy",
                                           "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":"
                                           "\"mine\",\"Effect\":\"Deny\",\"Principal\":\"*\","
                                           "\"Action\":\"SNS:Publish\",\"Resource\":\"" ARN "\"}}"),
                   AEV_OK);
  json_decref(aev_test_call(b, "sns", "AddPermission",
                            "{\"TopicArn\":\"" ARN "\",\"Label\":\"one\","
                            "\"AWSAccountId\":[\"111122223333\"],\"ActionName\":[\"*\"]}",
                            AEV_OK));
  json_t *by = statements_by_sid(t);
  ck_assert_int_eq(json_object_size(by), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(by, "mine"), "Effect")),
                   "Deny");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(by, "one"), "Action")),
                   "SNS:*");
  json_decref(by);
  aev_test_call_fails(b, "sns", "AddPermission",
                      "{\"TopicArn\":\"" ARN "\",\"Label\":\"mine\","
                      "\"AWSAccountId\":[\"111122223333\"],\"ActionName\":[\"Publish\"]}",
                      AEV_ERR_INVALID, "InvalidParameter",
                      "Invalid parameter: Statement already exists");
  aev_topic_release(t);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_admin");
  TCase *tc = tcase_create("admin");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_is_idempotent);
  tcase_add_test(tc, names_are_checked);
  tcase_add_test(tc, fifo_attributes);
  tcase_add_test(tc, default_attributes);
  tcase_add_test(tc, set_attributes_checked);
  tcase_add_test(tc, delivery_policy_as_aws_keeps_it);
  tcase_add_test(tc, delivery_status_logging_attributes);
  tcase_add_test(tc, tags);
  tcase_add_test(tc, null_out_pointers_are_named);
  tcase_add_test(tc, tag_lengths_count_characters);
  tcase_add_test(tc, api_tags_duplicated_or_different);
  tcase_add_test(tc, delete_leaves_handle);
  tcase_add_test(tc, api_arns_and_idempotence);
  tcase_add_test(tc, list_pages_by_100);
  tcase_add_test(tc, permissions_are_labelled_statements);
  tcase_add_test(tc, permission_errors_change_nothing);
  tcase_add_test(tc, permission_joins_a_set_policy);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
