"""SNS message archiving and replay for FIFO topics through the Python
binding: ArchivePolicy and BeginningArchiveTime on Topic, ReplayPolicy and
ReplayStatus on Subscription, replayed envelopes, expiry on the manual
clock, and the errors as ClientError."""
import json
import unittest

from awsevents import Broker, ClientError, Topic

DAY_MS = 24 * 3600 * 1000
T0 = "2024-01-01T00:00:00.000Z"


class _Queue:
    """A queue made through aev_call; .arn is all Topic.subscribe needs."""

    def __init__(self, broker, name):
        self.broker = broker
        self.url = broker.call("sqs", "CreateQueue", QueueName=name)["QueueUrl"]
        self.arn = broker.call("sqs", "GetQueueAttributes", QueueUrl=self.url,
                               AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def envelopes(self):
        out = []
        while True:
            msgs = self.broker.call("sqs", "ReceiveMessage", QueueUrl=self.url,
                                    MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                return out
            for m in msgs:
                self.broker.call("sqs", "DeleteMessage", QueueUrl=self.url,
                                 ReceiptHandle=m["ReceiptHandle"])
                out.append(json.loads(m["Body"]))


def _replay(start, end=None):
    policy = {"PointType": "Timestamp", "StartingPoint": start}
    if end:
        policy["EndingPoint"] = end
    return policy


class TopicArchiveTest(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)
        self.t = Topic.create(self.b, "orders.fifo", {
            "FifoTopic": "true", "ContentBasedDeduplication": "true",
            "ArchivePolicy": json.dumps({"MessageRetentionPeriod": "1"})})

    def tearDown(self):
        self.b.close()

    def test_archive_policy_attributes(self):
        a = self.t.attributes()
        self.assertEqual(json.loads(a["ArchivePolicy"]), {"MessageRetentionPeriod": "1"})
        self.assertEqual(a["BeginningArchiveTime"], T0)
        self.b.advance(2 * DAY_MS)
        self.assertEqual(self.t.attributes()["BeginningArchiveTime"],
                         "2024-01-02T00:00:00.000Z")
        with self.assertRaises(ClientError) as cm:
            self.t.delete()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidState")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.t.set_attribute("ArchivePolicy", {})
        self.assertNotIn("ArchivePolicy", self.t.attributes())
        self.assertNotIn("BeginningArchiveTime", self.t.attributes())
        self.t.delete()

    def test_bad_policies_are_client_errors(self):
        with self.assertRaises(ClientError) as cm:
            self.t.set_attribute("ArchivePolicy", {"MessageRetentionPeriod": "366"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
        self.assertEqual(json.loads(self.t.attributes()["ArchivePolicy"]),
                         {"MessageRetentionPeriod": "1"})
        plain = Topic.create(self.b, "plain")
        with self.assertRaises(ClientError) as cm:
            plain.set_attribute("ArchivePolicy", {"MessageRetentionPeriod": "1"})
        self.assertIn("only available for FIFO topics", str(cm.exception))

    def test_replay_to_a_new_subscription(self):
        ids = [self.t.publish("m%d" % i, group_id="g")["MessageId"] for i in range(3)]
        q = _Queue(self.b, "late")
        sub = self.t.subscribe(q, attributes={"ReplayPolicy": json.dumps(_replay(T0))})
        self.assertEqual(sub.attributes()["ReplayStatus"], "Pending")
        self.b.drain()
        self.assertEqual(sub.attributes()["ReplayStatus"], "Completed")
        envs = q.envelopes()
        self.assertEqual([e["Message"] for e in envs], ["m0", "m1", "m2"])
        self.assertEqual([e["MessageId"] for e in envs], ids)
        self.assertTrue(all(e["Replayed"] is True for e in envs))
        self.t.publish("live", group_id="g")
        self.b.drain()
        [env] = q.envelopes()
        self.assertNotIn("Replayed", env)

    def test_ending_point_pauses_and_errors_keep_the_policy(self):
        q = _Queue(self.b, "q")
        sub = self.t.subscribe(q)
        self.t.publish("a", group_id="g")
        self.b.advance(60000)
        self.t.publish("b", group_id="g")
        self.b.drain()
        q.envelopes()
        sub.set_attribute("ReplayPolicy", _replay(T0, "2024-01-01T00:00:30.000Z"))
        self.t.publish("c", group_id="g")
        self.b.drain()
        self.assertEqual([e["Message"] for e in q.envelopes()], ["a"])
        with self.assertRaises(ClientError) as cm:
            sub.set_attribute("ReplayPolicy", _replay("2023-12-31T00:00:00Z"))
        self.assertIn("BeginningArchiveTime", str(cm.exception))
        self.assertEqual(json.loads(sub.attributes()["ReplayPolicy"])["EndingPoint"],
                         "2024-01-01T00:00:30.000Z")

    def test_messages_expire_after_the_retention_period(self):
        q = _Queue(self.b, "q")
        sub = self.t.subscribe(q)
        self.t.publish("old", group_id="g")
        self.b.advance(DAY_MS)
        self.t.publish("new", group_id="g")
        self.b.drain()
        q.envelopes()
        sub.set_attribute("ReplayPolicy", _replay(T0))
        self.b.drain()
        self.assertEqual([e["Message"] for e in q.envelopes()], ["new"])


if __name__ == "__main__":
    unittest.main()
