"""EventBridge buses from Python: rules, queue targets with input
transformers, Python callables as targets (with retries and a dead-letter
queue), PutEvents per-entry results and EventBridge's error codes."""
import datetime
import json
import unittest

from awsevents import Broker, Bus, ClientError


class Buses(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)
        self.bus = self.b.get_bus()

    def tearDown(self):
        self.bus.close()
        self.b.close()

    def test_default_and_custom_buses(self):
        self.assertIsInstance(self.bus, Bus)
        self.assertEqual(self.bus.arn,
                         "arn:aws:events:us-east-1:000000000000:event-bus/default")
        orders = self.b.create_bus("orders")
        self.assertEqual(orders.name, "orders")
        with self.assertRaises(ClientError) as cm:
            self.b.create_bus("orders")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceAlreadyExistsException")
        orders.delete()
        with self.assertRaises(ClientError) as cm:
            self.b.get_bus("orders")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Event bus orders does not exist.")
        orders.close()

    def test_update_and_describe(self):
        dlq = "arn:aws:sqs:us-east-1:000000000000:dlq"
        self.assertEqual(self.bus.update(description="Mine", dead_letter_arn=dlq),
                         {"Name": "default", "Arn": self.bus.arn,
                          "Description": "Mine", "DeadLetterConfig": {"Arn": dlq}})
        self.bus.update(description="")
        described = self.bus.describe()
        self.assertNotIn("Description", described)
        self.assertEqual(described["DeadLetterConfig"], {"Arn": dlq})
        with self.assertRaises(ClientError) as cm:
            self.bus.update(kms_key_identifier="no spaces")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")

    def test_rule_to_queue_with_transformer(self):
        q = self.b.create_queue("sink")
        arn = self.bus.put_rule("orders", event_pattern={"source": ["shop"]})
        self.assertEqual(arn["RuleArn"],
                         "arn:aws:events:us-east-1:000000000000:rule/orders")
        self.assertEqual(self.bus.describe_rule("orders")["State"], "ENABLED")
        self.bus.put_targets("orders", [{
            "Id": "q", "Arn": q.arn,
            "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.id"},
                "InputTemplate": '{"order": <id>, "note": "order <id>"}'}}])
        out = self.bus.put_events([
            {"Source": "shop", "DetailType": "Order", "Detail": {"id": 7}},
            {"Source": "shop", "DetailType": "Order"}])
        self.assertEqual(out["FailedEntryCount"], 1)
        self.assertRegex(out["Entries"][0]["EventId"], r"^[0-9a-f-]{36}$")
        self.assertEqual(out["Entries"][1]["ErrorCode"], "InvalidArgument")
        self.b.advance(1000)
        [m] = q.receive(max=10)
        self.assertEqual(json.loads(m.text), {"order": 7, "note": "order 7"})
        self.assertEqual(
            self.bus.list_targets_by_rule("orders")["Targets"][0]["Id"], "q")
        with self.assertRaises(ClientError) as cm:
            self.bus.delete_rule("orders")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Rule can't be deleted since it has targets.")
        self.bus.remove_targets("orders", ["q"])
        self.bus.delete_rule("orders")
        self.assertEqual(self.bus.list_rules()["Rules"], [])
        q.close()

    def test_rules_and_targets_page_by_limit_and_token(self):
        q = self.b.create_queue("paged")
        for name in ("r1", "r2", "r3"):
            self.bus.put_rule(name, event_pattern={"source": ["shop"]})
        self.bus.put_targets("r1", [{"Id": f"t{i}", "Arn": q.arn}
                                    for i in range(3)])
        first = self.bus.list_rules(limit=2)
        self.assertEqual([r["Name"] for r in first["Rules"]], ["r1", "r2"])
        rest = self.bus.list_rules(limit=2, next_token=first["NextToken"])
        self.assertEqual([r["Name"] for r in rest["Rules"]], ["r3"])
        self.assertNotIn("NextToken", rest)
        page = self.bus.list_targets_by_rule("r1", limit=2)
        self.assertEqual([t["Id"] for t in page["Targets"]], ["t0", "t1"])
        page = self.bus.list_targets_by_rule("r1",
                                             next_token=page["NextToken"])
        self.assertEqual([t["Id"] for t in page["Targets"]], ["t2"])
        with self.assertRaises(ClientError) as cm:
            self.bus.list_rules(next_token="not-a-token")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.bus.remove_targets("r1", ["t0", "t1", "t2"])
        q.close()

    def test_python_callable_target(self):
        got = []
        self.bus.put_rule("r", event_pattern='{"source": ["app"]}')
        self.bus.add_callback_target("r", "py", got.append,
                                     InputPath="$.detail")
        event_id = self.bus.put_event("app", "Thing", {"n": 1})
        self.assertRegex(event_id, r"^[0-9a-f-]{36}$")
        self.b.drain()
        self.assertEqual([json.loads(t) for t in got], [{"n": 1}])

    def test_failing_callable_retries_then_dead_letters(self):
        dlq = self.b.create_queue("dlq")
        calls = []

        def boom(text):
            calls.append(text)
            raise RuntimeError("target down")

        self.bus.put_rule("r", event_pattern={"source": ["app"]})
        self.bus.add_callback_target(
            "r", "py", boom, RetryPolicy={"MaximumRetryAttempts": 2},
            DeadLetterConfig={"Arn": dlq.arn})
        self.bus.put_event("app", "Thing", {})
        self.b.advance(60 * 1000)
        self.assertEqual(len(calls), 3)
        [m] = dlq.receive(max=10)
        self.assertEqual(m.message_attributes["RETRY_ATTEMPTS"]["StringValue"],
                         "2")
        self.assertEqual(
            m.message_attributes["EXHAUSTED_RETRY_CONDITION"]["StringValue"],
            "MaximumRetryAttempts")
        dlq.close()

    def test_system_exit_or_keyboard_interrupt_fails_the_attempt(self):
        # Not a delivery: left to ctypes, they counted as one.
        dlq = self.b.create_queue("dlq")
        raised = [SystemExit(1), KeyboardInterrupt()]

        def stop(text):
            raise raised.pop(0)

        self.bus.put_rule("r", event_pattern={"source": ["app"]})
        self.bus.add_callback_target(
            "r", "py", stop, RetryPolicy={"MaximumRetryAttempts": 1},
            DeadLetterConfig={"Arn": dlq.arn})
        self.bus.put_event("app", "Thing", {})
        self.b.advance(60 * 1000)
        self.assertEqual(raised, [])
        self.assertEqual(len(dlq.receive(max=10)), 1)
        dlq.close()

    def test_schedule(self):
        ticks = []
        self.bus.put_rule("tick", schedule_expression="rate(1 minute)")
        self.bus.add_callback_target("tick", "py", ticks.append)
        self.b.advance(5 * 60 * 1000)
        self.assertEqual(len(ticks), 5)
        self.assertEqual(json.loads(ticks[0])["detail-type"], "Scheduled Event")
        with self.assertRaises(ClientError) as cm:
            self.bus.put_rule("bad", schedule_expression="rate(1 minutes)")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")

    def test_archive_and_replay(self):
        got = []
        self.bus.put_rule("r", event_pattern={"source": ["app"]})
        self.bus.add_callback_target("r", "py", got.append)
        arn = self.bus.create_archive("all", retention_days=1)["ArchiveArn"]
        t0 = self.b.now_ms // 1000
        self.bus.put_event("app", "Thing", {"n": 1})
        self.b.advance(120 * 1000)
        self.assertEqual(self.b.describe_archive("all")["EventCount"], 1)
        got.clear()
        out = self.b.start_replay(
            ReplayName="again", EventSourceArn=arn, EventStartTime=t0,
            EventEndTime=t0 + 60, Destination={"Arn": self.bus.arn})
        self.assertEqual(out["State"], "STARTING")
        # A replay takes broker time: STARTING for a minute, then done.
        self.b.drain()
        self.assertEqual(self.b.describe_replay("again")["State"], "STARTING")
        self.assertEqual(got, [])
        self.b.advance(60 * 1000)
        self.assertEqual(self.b.describe_replay("again")["State"], "COMPLETED")
        self.assertEqual(json.loads(got[0])["replay-name"], "again")
        with self.assertRaises(ClientError) as cm:
            self.b.cancel_replay("again")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "IllegalStatusException")

    def test_update_archive(self):
        self.bus.create_archive("arch", event_pattern={"source": ["shop"]})
        self.bus.put_event("other", "Thing", {"n": 1})
        self.assertEqual(self.b.describe_archive("arch")["EventCount"], 0)
        self.b.update_archive("arch", event_pattern={"source": ["other"]},
                              retention_days=2, description="others")
        self.bus.put_event("other", "Thing", {"n": 2})
        got = self.b.describe_archive("arch")
        self.assertEqual(got["EventCount"], 1)
        self.assertEqual(got["RetentionDays"], 2)
        self.assertEqual(got["Description"], "others")
        self.assertEqual(json.loads(got["EventPattern"]), {"source": ["other"]})
        with self.assertRaises(ClientError) as cm:
            self.b.update_archive("nope", retention_days=1)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")

    def test_rule_quota_per_broker(self):
        orders = self.b.create_bus("orders")
        for i in range(300):
            orders.put_rule("r%d" % i, event_pattern={"source": ["a"]})
        with self.assertRaises(ClientError) as cm:
            orders.put_rule("more", event_pattern={"source": ["a"]})
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "LimitExceededException")
        with self.assertRaises(ClientError) as cm:
            self.b.set_rule_quota(299)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Event bus orders has 300 rules, more than the quota 299.")
        self.b.set_rule_quota(301)
        orders.put_rule("more", event_pattern={"source": ["a"]})
        orders.close()

    def test_list_paging(self):
        for name in ("c", "a", "b"):
            self.bus.put_rule(name, event_pattern={"source": ["a"]})
        first = self.b.call("events", "ListRules", Limit=2)
        self.assertEqual([r["Name"] for r in first["Rules"]], ["a", "b"])
        rest = self.b.call("events", "ListRules", Limit=2,
                           NextToken=first["NextToken"])
        self.assertEqual([r["Name"] for r in rest["Rules"]], ["c"])
        self.assertNotIn("NextToken", rest)

    def test_aws_call_shapes(self):
        out = self.b.call("events", "CreateEventBus", Name="x")
        self.assertEqual(out["EventBusArn"],
                         "arn:aws:events:us-east-1:000000000000:event-bus/x")
        names = [e["Name"] for e in
                 self.b.call("events", "ListEventBuses")["EventBuses"]]
        self.assertEqual(names, ["default", "x"])

    def test_tags_and_permissions_through_call(self):
        arn = self.b.call("events", "PutRule", Name="tagged",
                          EventPattern='{"source": ["a"]}',
                          Tags=[{"Key": "team", "Value": "shop"}])["RuleArn"]
        self.b.call("events", "TagResource", ResourceARN=arn,
                    Tags=[{"Key": "team", "Value": "ops"},
                          {"Key": "tier", "Value": "1"}])
        self.b.call("events", "UntagResource", ResourceARN=arn,
                    TagKeys=["tier"])
        self.assertEqual(
            self.b.call("events", "ListTagsForResource",
                        ResourceARN=arn)["Tags"],
            [{"Key": "team", "Value": "ops"}])
        with self.assertRaises(ClientError) as cm:
            self.b.call("events", "ListTagsForResource",
                        ResourceARN=arn + "-gone")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")
        self.b.call("events", "PutPermission", Action="events:PutEvents",
                    Principal="111122223333", StatementId="partner")
        policy = json.loads(self.b.call("events", "DescribeEventBus")["Policy"])
        self.assertEqual(policy["Statement"][0]["Principal"],
                         {"AWS": "arn:aws:iam::111122223333:root"})
        self.b.call("events", "RemovePermission", StatementId="partner")
        self.assertNotIn("Policy", self.b.call("events", "DescribeEventBus"))

    def test_remove_one_target_id_as_a_string(self):
        q = self.b.create_queue("rt")
        self.bus.put_rule("r", event_pattern={"source": ["a"]})
        self.bus.put_targets("r", [{"Id": "t1", "Arn": q.arn},
                                   {"Id": "t2", "Arn": q.arn}])
        out = self.bus.remove_targets("r", "t1")
        self.assertEqual(out["FailedEntryCount"], 0)
        self.assertEqual([t["Id"] for t in
                          self.bus.list_targets_by_rule("r")["Targets"]],
                         ["t2"])

    def test_put_rule_refuses_an_unknown_state_as_aws_does(self):
        """state="disabled" used to make an ENABLED rule, silently."""
        with self.assertRaises(ClientError) as direct:
            self.bus.put_rule("r", event_pattern={"source": ["a"]},
                              state="disabled")
        with self.assertRaises(ClientError) as via_call:
            self.b.call("events", "PutRule", Name="r", State="disabled",
                        EventPattern='{"source": ["a"]}')
        self.assertEqual(direct.exception.response["Error"],
                         via_call.exception.response["Error"])
        with self.assertRaises(ClientError):
            self.bus.describe_rule("r")
        self.bus.put_rule("r", event_pattern={"source": ["a"]},
                          state="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        self.assertEqual(self.bus.describe_rule("r")["State"],
                         "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        self.b.call("events", "PutRule", Name="via-call",
                    EventPattern='{"source": ["a"]}', EventBusName=self.bus.name,
                    State="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        self.assertEqual(self.bus.describe_rule("via-call")["State"],
                         "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        self.bus.put_rule("r", event_pattern={"source": ["a"]},
                          state="DISABLED")
        self.assertEqual(self.bus.describe_rule("r")["State"], "DISABLED")

    def test_closed_bus_refuses_a_callback_target(self):
        bus = self.b.create_bus("closing")
        bus.put_rule("r", event_pattern={"source": ["a"]})
        bus.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            bus.add_callback_target("r", "t", lambda text: None)

    def test_update_archive_refuses_a_negative_retention(self):
        """retention_days=-1 is the C call's "keep it": it silently kept
        the old retention, where UpdateArchive refuses it."""
        self.bus.create_archive("kept", retention_days=5)
        with self.assertRaises(ClientError) as direct:
            self.b.update_archive("kept", retention_days=-1)
        with self.assertRaises(ClientError) as via_call:
            self.b.call("events", "UpdateArchive", ArchiveName="kept",
                        RetentionDays=-1)
        self.assertEqual(direct.exception.response["Error"],
                         via_call.exception.response["Error"])
        self.assertEqual(self.b.describe_archive("kept")["RetentionDays"], 5)

    def test_put_events_and_replay_take_datetimes(self):
        """Time, EventStartTime and EventEndTime are timestamps, which
        boto3 takes as datetimes; they raised TypeError here."""
        got = []
        self.bus.put_rule("r", event_pattern={"source": ["app"]})
        self.bus.add_callback_target("r", "py", got.append)
        arn = self.bus.create_archive("dt")["ArchiveArn"]
        when = datetime.datetime(2020, 9, 13, 12, 26, 40,
                                 tzinfo=datetime.timezone.utc)
        self.b.put_events([{"Source": "app", "DetailType": "T",
                            "Detail": {}, "Time": when}])
        self.b.drain()
        self.assertEqual(json.loads(got[0])["time"], "2020-09-13T12:26:40Z")
        end = datetime.datetime(2024, 1, 1)   # the manual clock's now
        self.b.start_replay(ReplayName="dt", EventSourceArn=arn,
                            EventStartTime=end - datetime.timedelta(hours=1),
                            EventEndTime=end,
                            Destination={"Arn": self.bus.arn})
        self.b.advance(60 * 1000)
        self.assertEqual(self.b.describe_replay("dt")["State"], "COMPLETED")

    def test_a_target_that_is_not_callable_is_refused_at_once(self):
        """A str target failed every delivery silently (retries, then
        dropped)."""
        self.bus.put_rule("r", event_pattern={"source": ["a"]})
        with self.assertRaisesRegex(TypeError, "callable"):
            self.bus.add_callback_target("r", "t", "arn:aws:sqs:x")
        self.assertEqual(self.bus.list_targets_by_rule("r")["Targets"], [])

    def test_integer_parameters_take_whole_floats_only(self):
        """limit=1.5 or retention_days=1.5 raised ctypes.ArgumentError;
        a whole float is its int, anything else a TypeError naming the
        parameter."""
        self.bus.put_rule("r1", event_pattern={"source": ["a"]})
        self.bus.put_rule("r2", event_pattern={"source": ["b"]})
        self.assertEqual(len(self.bus.list_rules(limit=1.0)["Rules"]), 1)
        self.bus.create_archive("kept", retention_days=7.0)
        self.assertEqual(self.b.describe_archive("kept")["RetentionDays"], 7)
        for call, name in (
                (lambda: self.bus.list_rules(limit=1.5), "limit"),
                (lambda: self.bus.create_archive("a", retention_days=1.5),
                 "retention_days"),
                (lambda: self.b.update_archive("kept", retention_days="3"),
                 "retention_days"),
                (lambda: self.b.set_rule_quota(500.5), "max_rules")):
            with self.assertRaisesRegex(TypeError,
                                        "^%s must be an integer" % name):
                call()


if __name__ == "__main__":
    unittest.main()
