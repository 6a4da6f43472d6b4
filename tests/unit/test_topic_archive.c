/* SNS message archiving and replay for FIFO topics: ArchivePolicy and
 * BeginningArchiveTime, retention expiry on the broker clock, ReplayPolicy
 * and ReplayStatus, replayed deliveries (order, ids, the Replayed mark,
 * filter policies), EndingPoint pausing a subscription, a replay replaced,
 * and the errors of each. */
#include "aevtest.h"
#include "topic_support.h"

#define T0 "2024-01-01T00:00:00.000Z"
#define DAY (24LL * 3600 * 1000)
#define ARCHIVED                                                                      \
  "{\"FifoTopic\":\"true\",\"ContentBasedDeduplication\":\"true\",\"ArchivePolicy\":" \
  "\"{\\\"MessageRetentionPeriod\\\":\\\"1\\\"}\"}"

static aev_broker *b;
static aev_topic *t;
static aev_queue *live;

static void setup(void) {
  b = qt_broker();
  t = tt_topic(b, "orders.fifo", ARCHIVED);
  live = qt_queue(b, "live", NULL);
}

static void teardown(void) {
  aev_queue_release(live);
  aev_topic_release(t);
  aev_broker_destroy(b);
}

static json_t *topic_attrs(void) {
  char *a;
  ck_assert_int_eq(aev_topic_get_attributes(t, &a), AEV_OK);
  json_t *j = json_loads(a, 0, NULL);
  aev_free(a);
  return j;
}

static json_t *sub_attrs(const char *arn) {
  char *a;
  ck_assert_int_eq(aev_subscription_get_attributes(b, arn, &a), AEV_OK);
  json_t *j = json_loads(a, 0, NULL);
  aev_free(a);
  return j;
}

/* The attribute k of j as a new string ("" when absent), j dropped. */
static char *take(json_t *j, const char *k) {
  const char *v = json_string_value(json_object_get(j, k));
  char *s = strdup(v ? v : "");
  json_decref(j);
  return s;
}

static void assert_topic_attr(const char *k, const char *want) {
  char *v = take(topic_attrs(), k);
  ck_assert_str_eq(v, want);
  free(v);
}

static void assert_sub_attr(const char *arn, const char *k, const char *want) {
  char *v = take(sub_attrs(arn), k);
  ck_assert_str_eq(v, want);
  free(v);
}

/* Publishes msg to the FIFO topic in group g; id receives its MessageId. */
static void fpub(const char *msg, const char *attrs, char *id) {
  aev_publish_options *o;
  ck_assert_int_eq(aev_publish_options_new(&o), AEV_OK);
  aev_publish_options_set_group_id(o, "g");
  if (attrs) aev_publish_options_set_attributes(o, attrs);
  int rc = aev_topic_publish(t, msg, strlen(msg), o, id, NULL);
  aev_publish_options_free(o);
  ck_assert_msg(rc == AEV_OK, "publish: %s %s", aev_errcode(), aev_errmsg());
}

static char *replay_policy(const char *start, const char *end) {
  char *p;
  if (end)
    ck_assert_int_ge(asprintf(&p, "{\"PointType\":\"Timestamp\",\"StartingPoint\":\"%s\","
                                  "\"EndingPoint\":\"%s\"}", start, end), 0);
  else
    ck_assert_int_ge(asprintf(&p, "{\"PointType\":\"Timestamp\",\"StartingPoint\":\"%s\"}",
                              start), 0);
  return p;
}

static void set_replay(const char *arn, const char *start, const char *end) {
  char *p = replay_policy(start, end);
  int rc = aev_subscription_set_attribute(b, arn, "ReplayPolicy", p);
  ck_assert_msg(rc == AEV_OK, "ReplayPolicy: %s %s", aev_errcode(), aev_errmsg());
  free(p);
}

/* The Message of the next envelope in q, checking whether it is marked
 * replayed; NULL when q is empty. */
static char *next_message(aev_queue *q, int replayed) {
  aev_message *m = qt_recv1(q);
  if (!m) return NULL;
  json_t *j = json_loads(qt_body(m), 0, NULL);
  aev_queue_delete_message(q, aev_message_receipt_handle(m));
  aev_message_free(m);
  ck_assert_ptr_nonnull(j);
  json_t *mark = json_object_get(j, "Replayed");
  ck_assert_int_eq(replayed, json_is_true(mark));
  ck_assert_int_eq(!replayed, mark == NULL);
  return take(j, "Message");
}

static void assert_next(aev_queue *q, const char *want, int replayed) {
  char *m = next_message(q, replayed);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(m, want);
  free(m);
}

static void assert_empty(aev_queue *q) { ck_assert_ptr_null(qt_recv1(q)); }

START_TEST(archive_policy_and_beginning_time) {
  assert_topic_attr("ArchivePolicy", "{\"MessageRetentionPeriod\":\"1\"}");
  /* A new archive begins when the policy was set... */
  assert_topic_attr("BeginningArchiveTime", T0);
  aev_broker_advance(b, 2 * DAY + 5);
  /* ...and then retention bounds it. */
  assert_topic_attr("BeginningArchiveTime", "2024-01-02T00:00:00.005Z");
  ck_assert_int_eq(aev_topic_set_attribute(t, "ArchivePolicy", "{\"MessageRetentionPeriod\":30}"),
                   AEV_OK);
  assert_topic_attr("ArchivePolicy", "{\"MessageRetentionPeriod\":\"30\"}");
  assert_topic_attr("BeginningArchiveTime", T0);
  /* An empty policy turns archiving off. */
  ck_assert_int_eq(aev_topic_set_attribute(t, "ArchivePolicy", "{}"), AEV_OK);
  assert_topic_attr("ArchivePolicy", "");
  assert_topic_attr("BeginningArchiveTime", "");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(aev_topic_set_attribute(t, "ArchivePolicy",
                                           "{\"MessageRetentionPeriod\":\"365\"}"), AEV_OK);
  assert_topic_attr("BeginningArchiveTime", "2024-01-03T00:00:01.005Z");
  ck_assert_int_eq(aev_topic_set_attribute(t, "ArchivePolicy", ""), AEV_OK);
  assert_topic_attr("ArchivePolicy", "");
}
END_TEST

START_TEST(standard_topics_have_no_archive) {
  aev_topic *s;
  tt_assert_error(aev_topic_create(b, "plain", "{\"ArchivePolicy\":"
                                   "\"{\\\"MessageRetentionPeriod\\\":\\\"1\\\"}\"}", &s),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: ArchivePolicy Reason: Message archiving is only available "
                  "for FIFO topics");
  s = tt_topic(b, "plain", NULL);
  tt_assert_error(aev_topic_set_attribute(s, "ArchivePolicy", "{\"MessageRetentionPeriod\":\"1\"}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: ArchivePolicy Reason: Message archiving is only available "
                  "for FIFO topics");
  char *a;
  ck_assert_int_eq(aev_topic_get_attributes(s, &a), AEV_OK);
  ck_assert_ptr_null(strstr(a, "Archive"));
  aev_free(a);
  aev_topic_release(s);
}
END_TEST

START_TEST(bad_archive_policies_change_nothing) {
  static const char *const bad[] = {
      "{\"MessageRetentionPeriod\":\"0\"}", "{\"MessageRetentionPeriod\":\"366\"}",
      "{\"MessageRetentionPeriod\":\"7d\"}", "{\"MessageRetentionPeriod\":\"\"}",
      "{\"MessageRetentionPeriod\":true}",  "{\"MessageRetentionPeriod\":-3}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    tt_assert_error(aev_topic_set_attribute(t, "ArchivePolicy", bad[i]), AEV_ERR_INVALID,
                    "InvalidParameter",
                    "Invalid parameter: ArchivePolicy Reason: MessageRetentionPeriod must be a "
                    "number of days from 1 to 365");
  tt_assert_error(aev_topic_set_attribute(t, "ArchivePolicy", "[1]"), AEV_ERR_INVALID,
                  "InvalidParameter", "Invalid parameter: ArchivePolicy Reason: failed to parse JSON");
  tt_assert_error(aev_topic_set_attribute(t, "ArchivePolicy", "{\"Days\":\"3\"}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: ArchivePolicy Reason: Unknown key Days");
  assert_topic_attr("ArchivePolicy", "{\"MessageRetentionPeriod\":\"1\"}");
  assert_topic_attr("BeginningArchiveTime", T0);
  /* CreateTopic refuses them too. */
  aev_topic *x;
  tt_assert_error(aev_topic_create(b, "x.fifo", "{\"FifoTopic\":\"true\",\"ArchivePolicy\":"
                                   "\"{\\\"MessageRetentionPeriod\\\":\\\"400\\\"}\"}", &x),
                  AEV_ERR_INVALID, "InvalidParameter", NULL);
  /* Creating the topic again with other attributes is a different topic. */
  tt_assert_error(aev_topic_create(b, "orders.fifo", "{\"FifoTopic\":\"true\",\"ArchivePolicy\":"
                                   "\"{\\\"MessageRetentionPeriod\\\":\\\"2\\\"}\"}", &x),
                  AEV_ERR_INVALID, "InvalidParameter", NULL);
}
END_TEST

START_TEST(replay_redelivers_in_order_with_original_ids) {
  char *live_arn = tt_sub(t, live, NULL);
  char ids[3][AEV_TOPIC_MESSAGE_ID_SIZE];
  char stamps[3][32];
  for (int i = 0; i < 3; i++) {
    char m[8];
    snprintf(m, sizeof m, "m%d", i);
    fpub(m, NULL, ids[i]);
    aev_broker_advance(b, 1000);
  }
  aev_broker_drain(b);
  for (int i = 0; i < 3; i++) {
    json_t *e = tt_envelope(live);
    ck_assert_ptr_null(json_object_get(e, "Replayed"));
    snprintf(stamps[i], sizeof stamps[i], "%s", json_string_value(json_object_get(e, "Timestamp")));
    json_decref(e);
  }
  aev_queue *late = qt_queue(b, "late", NULL);
  char *p = replay_policy(T0, NULL);
  json_t *ja = json_pack("{s:s}", "ReplayPolicy", p);
  char *attrs = json_dumps(ja, 0);
  json_decref(ja);
  char *arn = tt_sub(t, late, attrs);
  /* Subscribe starts the replay: Pending until the scheduler runs it. */
  assert_sub_attr(arn, "ReplayStatus", "Pending");
  assert_sub_attr(arn, "ReplayPolicy", p);
  aev_broker_drain(b);
  assert_sub_attr(arn, "ReplayStatus", "Completed");
  for (int i = 0; i < 3; i++) {
    json_t *e = tt_envelope(late);
    ck_assert(json_is_true(json_object_get(e, "Replayed")));
    ck_assert_str_eq(json_string_value(json_object_get(e, "MessageId")), ids[i]);
    ck_assert_str_eq(json_string_value(json_object_get(e, "Timestamp")), stamps[i]);
    char m[8];
    snprintf(m, sizeof m, "m%d", i);
    ck_assert_str_eq(json_string_value(json_object_get(e, "Message")), m);
    json_decref(e);
  }
  assert_empty(late);
  /* The live subscription got no replay; new messages reach both, live. */
  assert_empty(live);
  fpub("m3", NULL, NULL);
  aev_broker_drain(b);
  assert_next(late, "m3", 0);
  assert_next(live, "m3", 0);
  free(p);
  free(attrs);
  aev_free(arn);
  aev_free(live_arn);
  aev_queue_release(late);
}
END_TEST

START_TEST(raw_replay_delivers_the_bare_message) {
  char *arn = tt_sub(t, live, "{\"RawMessageDelivery\":\"true\"}");
  fpub("bare", NULL, NULL);
  aev_broker_drain(b);
  aev_message *m = qt_recv1(live);
  ck_assert_str_eq(qt_body(m), "bare");
  aev_queue_delete_message(live, aev_message_receipt_handle(m));
  aev_message_free(m);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  m = qt_recv1(live);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "bare");
  aev_message_free(m);
  aev_free(arn);
}
END_TEST

START_TEST(messages_published_during_a_pending_replay_arrive_once) {
  char *arn = tt_sub(t, live, NULL);
  fpub("a", NULL, NULL);
  fpub("b", NULL, NULL);
  aev_broker_drain(b);
  assert_next(live, "a", 0);
  assert_next(live, "b", 0);
  set_replay(arn, T0, NULL);
  fpub("c", NULL, NULL);
  aev_broker_drain(b);
  /* The archive up to the policy, then what came after, live. */
  assert_next(live, "a", 1);
  assert_next(live, "b", 1);
  assert_next(live, "c", 0);
  assert_empty(live);
  aev_free(arn);
}
END_TEST

START_TEST(retention_expires_on_the_broker_clock) {
  char *arn = tt_sub(t, live, NULL);
  fpub("old", NULL, NULL);
  aev_broker_advance(b, DAY / 2);
  fpub("new", NULL, NULL);
  aev_broker_drain(b);
  assert_next(live, "old", 0);
  assert_next(live, "new", 0);
  /* One millisecond before its retention ends the first message is still
   * there... */
  aev_broker_advance(b, DAY / 2 - 1);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  assert_next(live, "old", 1);
  assert_next(live, "new", 1);
  /* ...and at the end of it the expiry timer drops it, with nothing else
   * happening: the replay from the same point gets the second alone. */
  aev_broker_advance(b, 1);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  assert_next(live, "new", 1);
  assert_empty(live);
  /* The next timer is the second message's expiry, then there is none. */
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_OK);
  aev_broker_advance(b, DAY);
  assert_topic_attr("BeginningArchiveTime", "2024-01-02T00:00:00.000Z");
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_ERR_NOT_FOUND);
  aev_free(arn);
}
END_TEST

START_TEST(ending_point_replays_a_window_then_pauses) {
  char *arn = tt_sub(t, live, NULL);
  fpub("m0", NULL, NULL);
  aev_broker_advance(b, 60000);
  fpub("m1", NULL, NULL);
  aev_broker_advance(b, 60000);
  fpub("m2", NULL, NULL);
  aev_broker_drain(b);
  for (int i = 0; i < 3; i++) free(next_message(live, 0));
  set_replay(arn, T0, "2024-01-01T00:01:00.000Z");
  aev_broker_drain(b);
  assert_next(live, "m0", 1);
  assert_next(live, "m1", 1);
  assert_empty(live);
  assert_sub_attr(arn, "ReplayStatus", "Completed");
  /* Paused: newly published messages are not delivered. */
  fpub("m3", NULL, NULL);
  aev_broker_drain(b);
  assert_empty(live);
  /* A replay without an EndingPoint catches up and resumes live. */
  set_replay(arn, "2024-01-01T00:02:00.000Z", NULL);
  fpub("m4", NULL, NULL);
  aev_broker_drain(b);
  assert_next(live, "m2", 1);
  assert_next(live, "m3", 1);
  assert_next(live, "m4", 0);
  assert_empty(live);
  aev_free(arn);
}
END_TEST

START_TEST(filter_policies_apply_to_replayed_messages) {
  char *arn = tt_sub(t, live, "{\"FilterPolicy\":\"{\\\"k\\\":[\\\"yes\\\"]}\"}");
  fpub("one", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"yes\"}}", NULL);
  fpub("two", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"no\"}}", NULL);
  fpub("three", NULL, NULL);
  fpub("four", "{\"k\":{\"DataType\":\"String\",\"StringValue\":\"yes\"}}", NULL);
  aev_broker_drain(b);
  assert_next(live, "one", 0);
  assert_next(live, "four", 0);
  assert_empty(live);
  /* The filter in force when the replay runs decides, by body too. */
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "FilterPolicyScope", "MessageBody"),
                   AEV_OK);
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "FilterPolicy", ""), AEV_OK);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  for (int i = 0; i < 4; i++) free(next_message(live, 1));
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "FilterPolicy",
                                                  "{\"k\":[{\"exists\":true}]}"), AEV_OK);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  assert_empty(live);
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "FilterPolicyScope",
                                                  "MessageAttributes"), AEV_OK);
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "FilterPolicy",
                                                  "{\"k\":[\"no\"]}"), AEV_OK);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  assert_next(live, "two", 1);
  assert_empty(live);
  aev_free(arn);
}
END_TEST

START_TEST(a_new_replay_replaces_the_one_in_progress) {
  char *arn = tt_sub(t, live, NULL);
  fpub("early", NULL, NULL);
  aev_broker_advance(b, 60000);
  fpub("late", NULL, NULL);
  aev_broker_drain(b);
  free(next_message(live, 0));
  free(next_message(live, 0));
  set_replay(arn, T0, NULL);
  assert_sub_attr(arn, "ReplayStatus", "Pending");
  set_replay(arn, "2024-01-01T00:01:00.000Z", NULL);
  aev_broker_drain(b);
  assert_next(live, "late", 1);
  assert_empty(live);
  assert_sub_attr(arn, "ReplayStatus", "Completed");
  assert_sub_attr(arn, "ReplayPolicy",
                  "{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2024-01-01T00:01:00.000Z\"}");
  aev_free(arn);
}
END_TEST

START_TEST(an_empty_policy_stops_replay_and_resumes_live) {
  char *arn = tt_sub(t, live, NULL);
  fpub("a", NULL, NULL);
  aev_broker_drain(b);
  free(next_message(live, 0));
  set_replay(arn, T0, T0);
  ck_assert_int_eq(aev_subscription_set_attribute(b, arn, "ReplayPolicy", ""), AEV_OK);
  aev_broker_drain(b);
  assert_empty(live);
  json_t *j = sub_attrs(arn);
  ck_assert_ptr_null(json_object_get(j, "ReplayPolicy"));
  ck_assert_ptr_null(json_object_get(j, "ReplayStatus"));
  json_decref(j);
  fpub("b", NULL, NULL);
  aev_broker_drain(b);
  assert_next(live, "b", 0);
  aev_free(arn);
}
END_TEST

START_TEST(a_removed_archive_fails_a_pending_replay) {
  char *arn = tt_sub(t, live, NULL);
  fpub("a", NULL, NULL);
  aev_broker_drain(b);
  free(next_message(live, 0));
  set_replay(arn, T0, NULL);
  /* Turning archiving off deletes the archived messages. */
  ck_assert_int_eq(aev_topic_set_attribute(t, "ArchivePolicy", "{}"), AEV_OK);
  aev_broker_drain(b);
  assert_empty(live);
  assert_sub_attr(arn, "ReplayStatus", "Failed");
  aev_free(arn);
}
END_TEST

START_TEST(replay_policy_errors_change_nothing) {
  char *arn = tt_sub(t, live, NULL);
  set_replay(arn, "2024-01-01T00:00:00Z", NULL);
  aev_broker_drain(b);
  const char *stored = "{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2024-01-01T00:00:00Z\"}";
  static const struct {
    const char *value, *msg;
  } bad[] = {
      {"{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2023-12-31T23:59:59.999Z\"}",
       "Invalid parameter: ReplayPolicy: StartingPoint must not be earlier than the topic's "
       "BeginningArchiveTime 2024-01-01T00:00:00.000Z"},
      {"{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2024-01-01T00:00:10Z\","
       "\"EndingPoint\":\"2024-01-01T00:00:09Z\"}",
       "Invalid parameter: ReplayPolicy: EndingPoint must not be earlier than StartingPoint"},
      {"{\"PointType\":\"SequenceNumber\",\"StartingPoint\":\"2024-01-01T00:00:10Z\"}",
       "Invalid parameter: ReplayPolicy: PointType must be Timestamp"},
      {"{\"StartingPoint\":\"2024-01-01T00:00:10Z\"}",
       "Invalid parameter: ReplayPolicy: PointType must be Timestamp"},
      {"{\"PointType\":\"Timestamp\"}",
       "Invalid parameter: ReplayPolicy: StartingPoint must be an ISO 8601 timestamp such as "
       "2024-01-01T00:00:00.000Z"},
      {"{\"PointType\":\"Timestamp\",\"StartingPoint\":\"yesterday\"}",
       "Invalid parameter: ReplayPolicy: StartingPoint must be an ISO 8601 timestamp such as "
       "2024-01-01T00:00:00.000Z"},
      {"{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2024-01-01T00:00:10Z\","
       "\"EndingPoint\":12}",
       "Invalid parameter: ReplayPolicy: EndingPoint must be an ISO 8601 timestamp such as "
       "2024-01-01T00:00:00.000Z"},
      {"{\"PointType\":\"Timestamp\",\"StartingPoint\":\"2024-01-01T00:00:10Z\",\"Speed\":2}",
       "Invalid parameter: ReplayPolicy: Unknown key Speed"},
      {"[]", "Invalid parameter: ReplayPolicy: failed to parse JSON."},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tt_assert_error(aev_subscription_set_attribute(b, arn, "ReplayPolicy", bad[i].value),
                    AEV_ERR_INVALID, "InvalidParameter", bad[i].msg);
    assert_sub_attr(arn, "ReplayPolicy", stored);
    assert_sub_attr(arn, "ReplayStatus", "Completed");
  }
  /* Subscribe words them with its Attributes prefix and subscribes nothing. */
  aev_queue *other = qt_queue(b, "other", NULL);
  char *none = NULL;
  tt_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(other),
                                      "{\"ReplayPolicy\":\"{\\\"PointType\\\":\\\"x\\\"}\"}",
                                      &none),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: Attributes Reason: ReplayPolicy: PointType must be "
                  "Timestamp");
  char *list;
  ck_assert_int_eq(aev_subscription_list(b, t, NULL, &list), AEV_OK);
  ck_assert_ptr_null(strstr(list, "other"));
  aev_free(list);
  aev_queue_release(other);
  aev_free(arn);
}
END_TEST

START_TEST(replay_needs_an_archived_fifo_topic) {
  aev_topic *plain = tt_topic(b, "plain", NULL);
  char *arn = tt_sub(plain, live, NULL);
  tt_assert_error(aev_subscription_set_attribute(b, arn, "ReplayPolicy",
                                                 "{\"PointType\":\"Timestamp\","
                                                 "\"StartingPoint\":\"" T0 "\"}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: ReplayPolicy: Message replay is only available for "
                  "subscriptions to FIFO topics");
  assert_sub_attr(arn, "ReplayPolicy", "");
  aev_free(arn);
  aev_topic_release(plain);
  aev_topic *bare = tt_topic(b, "bare.fifo", "{\"FifoTopic\":\"true\"}");
  arn = tt_sub(bare, live, NULL);
  tt_assert_error(aev_subscription_set_attribute(b, arn, "ReplayPolicy",
                                                 "{\"PointType\":\"Timestamp\","
                                                 "\"StartingPoint\":\"" T0 "\"}"),
                  AEV_ERR_INVALID, "InvalidParameter",
                  "Invalid parameter: ReplayPolicy: The topic has no ArchivePolicy, so it has "
                  "no archived messages to replay");
  aev_free(arn);
  aev_topic_release(bare);
}
END_TEST

START_TEST(fifo_queues_get_the_group_and_sequence) {
  aev_queue *fq = qt_queue(b, "q.fifo", "{\"FifoQueue\":\"true\"}");
  char *arn = tt_sub(t, fq, NULL);
  fpub("x", NULL, NULL);
  aev_broker_drain(b);
  free(next_message(fq, 0));
  /* The queue deduplicates for 5 minutes, as SQS does; after that the
   * replayed copy arrives with the original SequenceNumber. */
  aev_broker_advance(b, 5 * 60000 + 1);
  set_replay(arn, T0, NULL);
  aev_broker_drain(b);
  aev_message *m = qt_recv1(fq);
  ck_assert_ptr_nonnull(m);
  json_t *e = json_loads(qt_body(m), 0, NULL);
  ck_assert(json_is_true(json_object_get(e, "Replayed")));
  ck_assert_str_eq(json_string_value(json_object_get(e, "SequenceNumber")),
                   "10000000000000000000");
  json_decref(e);
  aev_message_free(m);
  aev_free(arn);
  aev_queue_release(fq);
}
END_TEST

START_TEST(a_topic_with_an_archive_policy_is_not_deleted) {
  char *arn = tt_sub(t, live, NULL);
  fpub("a", NULL, NULL);
  aev_broker_drain(b);
  tt_assert_error(aev_topic_delete(t), AEV_ERR_STATE, "InvalidState",
                  "Invalid state: Cannot delete a topic with an ArchivePolicy");
  assert_topic_attr("ArchivePolicy", "{\"MessageRetentionPeriod\":\"1\"}");
  /* Turning archiving off drops the archive and its expiry timer; then the
   * topic goes. */
  int64_t next;
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_OK);
  ck_assert_int_eq(aev_topic_set_attribute(t, "ArchivePolicy", "{}"), AEV_OK);
  ck_assert_int_eq(aev_broker_next_deadline(b, &next), AEV_ERR_NOT_FOUND);
  ck_assert_int_eq(aev_topic_delete(t), AEV_OK);
  aev_free(arn);
}
END_TEST

START_TEST(the_archive_keeps_at_most_64_mib) {
  ck_assert_int_eq(aev_topic_set_attribute(t, "MaximumMessageSize", "1048576"), AEV_OK);
  size_t len = 1000000;
  char *big = malloc(len + 1);
  memset(big, 'x', len);
  big[len] = '\0';
  /* 67 such messages fit in 64 MiB; the 68th, 69th and 70th push the
   * oldest three out, and BeginningArchiveTime moves past them. */
  for (int i = 0; i < 70; i++) {
    snprintf(big, 8, "%06d", i);
    big[6] = 'x';
    fpub(big, NULL, NULL);
    aev_broker_advance(b, 1000);
  }
  free(big);
  assert_topic_attr("BeginningArchiveTime", "2024-01-01T00:00:02.001Z");
  char *arn = tt_sub(t, live, NULL);
  tt_assert_error(aev_subscription_set_attribute(b, arn, "ReplayPolicy",
                                                 "{\"PointType\":\"Timestamp\","
                                                 "\"StartingPoint\":\"2024-01-01T00:00:02Z\"}"),
                  AEV_ERR_INVALID, "InvalidParameter", NULL);
  aev_free(arn);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topic_archive");
  TCase *tc = tcase_create("archive");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, archive_policy_and_beginning_time);
  tcase_add_test(tc, standard_topics_have_no_archive);
  tcase_add_test(tc, bad_archive_policies_change_nothing);
  tcase_add_test(tc, replay_redelivers_in_order_with_original_ids);
  tcase_add_test(tc, raw_replay_delivers_the_bare_message);
  tcase_add_test(tc, messages_published_during_a_pending_replay_arrive_once);
  tcase_add_test(tc, retention_expires_on_the_broker_clock);
  tcase_add_test(tc, ending_point_replays_a_window_then_pauses);
  tcase_add_test(tc, filter_policies_apply_to_replayed_messages);
  tcase_add_test(tc, a_new_replay_replaces_the_one_in_progress);
  tcase_add_test(tc, an_empty_policy_stops_replay_and_resumes_live);
  tcase_add_test(tc, a_removed_archive_fails_a_pending_replay);
  tcase_add_test(tc, replay_policy_errors_change_nothing);
  tcase_add_test(tc, replay_needs_an_archived_fifo_topic);
  tcase_add_test(tc, fifo_queues_get_the_group_and_sequence);
  tcase_add_test(tc, a_topic_with_an_archive_policy_is_not_deleted);
  tcase_add_test(tc, the_archive_keeps_at_most_64_mib);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
