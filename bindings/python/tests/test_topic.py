"""Topics through the Python binding: publish with attributes, queue
subscriptions with filter policies and raw delivery, a Python callable as an
http endpoint (confirmation, retries on the manual clock, dead-lettering),
counters, FIFO topics and errors."""
import json
import sys
import unittest

from awsevents import Broker, ClientError, Function, Queue, Topic, create_function


class _Queue:
    """A queue made through aev_call (the binding's queue class may not be
    there); .arn is all Topic.subscribe needs."""

    def __init__(self, broker, name, attributes=None):
        self.broker = broker
        req = {"QueueName": name}
        if attributes:
            req["Attributes"] = attributes
        self.url = broker.call("sqs", "CreateQueue", **req)["QueueUrl"]
        self.arn = broker.call("sqs", "GetQueueAttributes", QueueUrl=self.url,
                               AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def receive_all(self):
        out = []
        while True:
            r = self.broker.call("sqs", "ReceiveMessage", QueueUrl=self.url,
                                 MaxNumberOfMessages=10,
                                 MessageAttributeNames=["All"],
                                 MessageSystemAttributeNames=["All"])
            msgs = r.get("Messages", [])
            if not msgs:
                return out
            for m in msgs:
                self.broker.call("sqs", "DeleteMessage", QueueUrl=self.url,
                                 ReceiptHandle=m["ReceiptHandle"])
            out.extend(msgs)


class TopicTest(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=1)

    def tearDown(self):
        self.b.close()

    def test_publish_fans_out_with_filters(self):
        t = Topic.create(self.b, "orders")
        everything, red = _Queue(self.b, "all"), _Queue(self.b, "red")
        t.subscribe(everything)
        sub = t.subscribe(red, filter_policy={"color": ["red"]}, raw=True)
        out = t.publish("hello", subject="Greeting",
                        attributes={"color": "red", "size": 3, "blob": b"\x00\x01",
                                    "tags": ["a", "b"]})
        t.publish("other", attributes={"color": "blue"})
        envs = [json.loads(m["Body"]) for m in everything.receive_all()]
        self.assertEqual([e["Message"] for e in envs], ["hello", "other"])
        self.assertEqual(envs[0]["MessageId"], out["MessageId"])
        self.assertEqual(envs[0]["Subject"], "Greeting")
        self.assertEqual(envs[0]["MessageAttributes"]["size"],
                         {"Type": "Number", "Value": "3"})
        self.assertEqual(envs[0]["MessageAttributes"]["blob"],
                         {"Type": "Binary", "Value": "AAE="})
        raw = red.receive_all()
        self.assertEqual([m["Body"] for m in raw], ["hello"])
        self.assertEqual(raw[0]["MessageAttributes"]["color"],
                         {"StringValue": "red", "DataType": "String"})
        attrs = sub.attributes()
        self.assertEqual(attrs["RawMessageDelivery"], "true")
        self.assertEqual(json.loads(attrs["FilterPolicy"]), {"color": ["red"]})
        c = t.counters()
        self.assertEqual(c["NumberOfMessagesPublished"], 2)
        self.assertEqual(c["NumberOfNotificationsDelivered"], 3)
        self.assertEqual(c["NumberOfNotificationsFilteredOut"], 1)
        self.assertEqual(len(t.subscriptions()), 2)
        sub.unsubscribe()
        self.assertEqual(len(t.subscriptions()), 1)
        t.close()

    def test_callable_endpoint_confirmed_and_retried(self):
        t = Topic.create(self.b, "hooks")
        dlq = _Queue(self.b, "dlq")
        seen = []

        def endpoint(body, kind):
            seen.append((self.b.now_ms, kind, json.loads(body)["Message"]))
            return 503

        sub = t.subscribe(endpoint, attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn})})
        self.assertEqual(sub.attributes()["PendingConfirmation"], "true")
        self.b.drain()
        self.assertEqual(sub.attributes()["PendingConfirmation"], "false")
        start = self.b.now_ms
        t.publish("ping")
        self.b.advance(120000)
        self.assertEqual([(at - start, kind) for at, kind, _ in seen],
                         [(0, "Notification"), (20000, "Notification"),
                          (40000, "Notification"), (60000, "Notification")])
        dead = dlq.receive_all()
        self.assertEqual(json.loads(dead[0]["Body"])["Message"], "ping")
        self.assertEqual(t.counters()["NumberOfNotificationsRedrivenToDlq"], 1)
        t.close()

    def test_callable_exceptions_are_server_errors(self):
        t = Topic.create(self.b, "boom")
        calls = []

        def endpoint(body, kind):
            calls.append(kind)
            raise RuntimeError("down")

        t.subscribe(endpoint, attributes={"DeliveryPolicy": json.dumps(
            {"healthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 5,
                                    "maxDelayTarget": 5}})})
        self.b.drain()
        t.publish("x")
        self.b.advance(10000)
        self.assertEqual(calls, ["Notification", "Notification"])
        self.assertEqual(t.counters()["NumberOfNotificationsFailed"], 1)
        t.close()

    def test_fifo_topic(self):
        t = Topic.create(self.b, "t.fifo", {"FifoTopic": "true",
                                            "ContentBasedDeduplication": "true"})
        q = _Queue(self.b, "q.fifo", {"FifoQueue": "true"})
        t.subscribe(q, raw=True)
        first = t.publish("one", group_id="g")
        self.assertIn("SequenceNumber", first)
        self.assertEqual(t.publish("one", group_id="g")["MessageId"],
                         first["MessageId"])
        t.publish("two", group_id="g")
        self.b.drain()
        got = q.receive_all()
        self.assertEqual([m["Body"] for m in got], ["one", "two"])
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "g")
        with self.assertRaises(ClientError) as cm:
            t.publish("three")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
        t.close()

    def test_errors_and_deleted_topic(self):
        t = Topic.create(self.b, "gone")
        with self.assertRaises(ClientError) as cm:
            t.subscribe("arn:aws:sqs:us-east-1:000000000000:q",
                        attributes={"RawMessageDelivery": "maybe"})
        self.assertIn("RawMessageDelivery", cm.exception.response["Error"]["Message"])
        t.delete()
        with self.assertRaises(ClientError) as cm:
            t.publish("x")
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "NotFound")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        t.close()

    def test_function_and_delivery_stream_subscriptions(self):
        """Objects with .arn (or their ARNs) subscribe with the protocol of
        their service; firehose needs its IAM role, as on AWS."""
        t = Topic.create(self.b, "events")
        events, records = [], []
        fn = create_function(self.b, "on-event",
                             lambda event, context: events.append(event))
        sub = t.subscribe(fn)
        self.assertEqual(sub.attributes()["Protocol"], "lambda")
        d = self.b.create_delivery_stream(
            "archive", {"BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}},
            sink=lambda key, data: records.append(data))
        with self.assertRaises(ClientError) as cm:
            t.subscribe(d, raw=True)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "InvalidParameter")
        self.assertIn("SubscriptionRoleArn is required", err["Message"])
        role = "arn:aws:iam::000000000000:role/sns-firehose"
        sub = t.subscribe(d.arn, raw=True, attributes={"SubscriptionRoleArn": role})
        attrs = sub.attributes()
        self.assertEqual((attrs["Protocol"], attrs["SubscriptionRoleArn"]), ("firehose", role))
        t.publish("hello")
        self.b.drain()
        self.assertEqual([e["Records"][0]["Sns"]["Message"] for e in events], ["hello"])
        self.b.advance(60000)
        self.assertEqual(records, [b"hello"])
        t.close()

    def test_handles_come_from_create_calls(self):
        """A name where a handle belongs would reach C as a pointer: it is a
        TypeError that says how such objects are made."""
        for make in (lambda: Topic(self.b, "news"), lambda: Queue("q"),
                     lambda: Function(self.b, "f")):
            with self.assertRaises(TypeError) as cm:
                make()
            self.assertIn("come from create calls", str(cm.exception))

    def test_batch_and_tags(self):
        t = Topic.create(self.b, "batch")
        q = _Queue(self.b, "q")
        t.subscribe(q, raw=True)
        r = t.publish_batch([{"Id": "1", "Message": "a"},
                             {"Id": "2", "Message": "b",
                              "MessageAttributes": {"n": 1}}])
        self.assertEqual([s["Id"] for s in r["Successful"]], ["1", "2"])
        self.assertEqual(sorted(m["Body"] for m in q.receive_all()), ["a", "b"])
        t.tag({"env": "test"})
        self.assertEqual(t.tags(), {"env": "test"})
        t.untag(["env"])
        self.assertEqual(t.tags(), {})
        t.close()

    def test_untag_one_key_as_a_string(self):
        t = Topic.create(self.b, "tagged")
        t.tag({"env": "test", "team": "a"})
        t.untag("env")
        self.assertEqual(t.tags(), {"team": "a"})

    def test_binary_attribute_in_aws_shape_takes_bytes(self):
        """AWS's own attribute dict with BinaryValue as bytes, as boto3
        takes it (and Queue.send does), for publish and publish_batch."""
        t = Topic.create(self.b, "bin")
        q = _Queue(self.b, "binq")
        t.subscribe(q)
        blob = {"DataType": "Binary", "BinaryValue": b"\x00\x01"}
        t.publish("one", attributes={"blob": blob})
        t.publish_batch([{"Id": "1", "Message": "two",
                          "MessageAttributes": {"blob": blob}}])
        envs = [json.loads(m["Body"]) for m in q.receive_all()]
        self.assertEqual([e["MessageAttributes"]["blob"] for e in envs],
                         [{"Type": "Binary", "Value": "AAE="}] * 2)

    def test_closed_topic_and_bad_targets_say_what_is_wrong(self):
        """A closed handle raised ClientError InvalidParameter "TopicArn";
        a target that is neither callable nor has an ARN, AttributeError."""
        t = Topic.create(self.b, "closing")
        for target in (123, None, object()):
            with self.assertRaisesRegex(TypeError, "arn"):
                t.subscribe(target)
        t.close()
        for use in (lambda: t.publish("x"), t.attributes, t.counters,
                    lambda: t.subscribe(lambda body, kind: None)):
            with self.assertRaisesRegex(ValueError, "closed"):
                use()

    def test_endpoint_names_a_callables_url_and_nothing_else(self):
        """endpoint= beside a queue was ignored: the queue was subscribed
        whatever endpoint said."""
        t = Topic.create(self.b, "urls")
        q = _Queue(self.b, "urlq")
        with self.assertRaisesRegex(TypeError, "endpoint"):
            t.subscribe(q, endpoint="https://example.com/hook")
        self.assertEqual(t.subscriptions(), [])
        sub = t.subscribe(lambda body, kind: None,
                          endpoint="https://example.com/hook")
        self.assertEqual(sub.attributes()["Endpoint"],
                         "https://example.com/hook")


    def test_a_callable_subscribed_again_is_the_same_subscription(self):
        """Each subscribe of a callable invented a new endpoint URL, so the
        same callable subscribed twice made two subscriptions and ran twice
        per publish; Subscribe is idempotent for one protocol + endpoint,
        so it now answers the first subscription (a bound method, a new
        object each time it is read, included)."""
        t = Topic.create(self.b, "again")
        calls = []

        class Handler:
            def on_message(self, body, kind):
                calls.append(("method", kind))

        def endpoint(body, kind):
            calls.append(("function", kind))

        handler = Handler()
        first = t.subscribe(endpoint)
        self.assertEqual(t.subscribe(endpoint).arn, first.arn)
        by_method = t.subscribe(handler.on_message)
        self.assertEqual(t.subscribe(handler.on_message).arn, by_method.arn)
        self.assertNotEqual(by_method.arn, first.arn)
        self.assertEqual(len(t.subscriptions()), 2)
        self.b.drain()  # their confirmations
        t.publish("x")
        self.b.drain()
        self.assertEqual(sorted(calls), [("function", "Notification"),
                                         ("method", "Notification")])
        # Another topic is another subscription; after an unsubscribe the
        # callable subscribes anew.
        other = Topic.create(self.b, "other")
        self.assertNotEqual(other.subscribe(endpoint).arn, first.arn)
        first.unsubscribe()
        again = t.subscribe(endpoint)
        self.assertNotEqual(again.arn, first.arn)
        self.assertEqual(t.subscribe(endpoint).arn, again.arn)
        t.close()
        other.close()


    def test_a_callable_answering_no_status(self):
        """A callable returning a str (or anything but None, a bool or an
        HTTP status) printed a ctypes traceback ("invalid literal for
        int()") on every delivery; None is a delivered message, anything
        else not a status a failed one, retried by the delivery policy."""
        answers = {"none": None, "text": "ok", "list": [200],
                   "huge": 2 ** 70}
        calls = {name: [] for name in answers}
        topics = {}
        unraisable = []
        old, sys.unraisablehook = sys.unraisablehook, unraisable.append
        try:
            for name, answer in answers.items():
                def endpoint(body, kind, name=name, answer=answer):
                    calls[name].append(kind)
                    return answer
                topics[name] = Topic.create(self.b, name)
                topics[name].subscribe(endpoint, attributes={
                    "DeliveryPolicy": json.dumps({"healthyRetryPolicy": {
                        "numRetries": 1, "minDelayTarget": 5,
                        "maxDelayTarget": 5}})})
            self.b.drain()
            for t in topics.values():
                t.publish("x")
            self.b.advance(10000)
        finally:
            sys.unraisablehook = old
        self.assertEqual(unraisable, [])
        self.assertEqual(calls["none"], ["Notification"])
        self.assertEqual(
            topics["none"].counters()["NumberOfNotificationsDelivered"], 1)
        for name in ("text", "list", "huge"):
            self.assertEqual(calls[name], ["Notification"] * 2, name)
            self.assertEqual(
                topics[name].counters()["NumberOfNotificationsFailed"], 1)
        for t in topics.values():
            t.close()


if __name__ == "__main__":
    unittest.main()
