"""EventBridge partner event sources from Python through Broker.call: a
partner's source offered to the broker's account, the customer's partner
event bus, PutPartnerEvents reaching a rule's queue, and the states boto3
callers read (CreationTime as a datetime)."""
import datetime
import json
import unittest

from awsevents import Broker, ClientError

SOURCE = "aws.partner/example.com/tenant1/orders"


class PartnerEventSources(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.account = "000000000000"  # the broker's account

    def tearDown(self):
        self.b.close()

    def state(self):
        return self.b.call("events", "DescribeEventSource",
                           Name=SOURCE)["State"]

    def test_partner_events_reach_the_partner_bus(self):
        arn = self.b.call("events", "CreatePartnerEventSource", Name=SOURCE,
                          Account=self.account)["EventSourceArn"]
        self.assertEqual(arn, "arn:aws:events:us-east-1::event-source/" + SOURCE)
        listed = self.b.call("events", "ListEventSources")["EventSources"]
        self.assertEqual([s["Name"] for s in listed], [SOURCE])
        self.assertIsInstance(listed[0]["CreationTime"], datetime.datetime)
        self.assertEqual(self.state(), "PENDING")

        self.b.call("events", "CreateEventBus", Name=SOURCE,
                    EventSourceName=SOURCE)
        self.assertEqual(self.state(), "ACTIVE")
        q = self.b.create_queue("partner-events")
        bus = self.b.get_bus(SOURCE)
        bus.put_rule("all", event_pattern={"source": [SOURCE]})
        bus.put_targets("all", [{"Id": "q", "Arn": q.arn}])
        out = self.b.call("events", "PutPartnerEvents", Entries=[
            {"Source": SOURCE, "DetailType": "Order", "Detail": '{"id": 7}'}])
        self.assertEqual(out["FailedEntryCount"], 0)
        self.b.advance(1000)
        (m,) = q.receive(max=10, wait=0)
        event = json.loads(m.text)
        self.assertEqual(event["source"], SOURCE)
        self.assertEqual(event["id"], out["Entries"][0]["EventId"])
        self.assertEqual(event["detail"], {"id": 7})

    def test_errors(self):
        with self.assertRaises(ClientError) as e:
            self.b.call("events", "CreateEventBus", Name=SOURCE,
                        EventSourceName=SOURCE)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")
        with self.assertRaises(ClientError) as e:
            self.b.call("events", "CreatePartnerEventSource",
                        Name="aws.partner/only-one", Account=self.account)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ValidationException")
        out = self.b.call("events", "PutPartnerEvents", Entries=[
            {"Source": SOURCE, "DetailType": "Order", "Detail": "{}"}])
        self.assertEqual(out["Entries"][0]["ErrorCode"],
                         "NotAuthorizedForSourceException")


if __name__ == "__main__":
    unittest.main()
