"""EventBridge global endpoints from Python through Broker.call: an
endpoint made in the broker's Region goes CREATING then ACTIVE on the
broker clock, its times are datetimes as boto3 gives them, PutEvents with
its EndpointId reaches the primary Region's bus, and a refusal is a
ClientError with AWS's code."""
import datetime
import json
import unittest

from awsevents import Broker, ClientError

ACCOUNT = "000000000000"  # the broker's account; its Region is us-east-1


def bus_arn(region, name):
    return "arn:aws:events:%s:%s:event-bus/%s" % (region, ACCOUNT, name)


class GlobalEndpoints(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)

    def tearDown(self):
        self.b.close()

    def create(self, **extra):
        request = dict(
            Name="orders-endpoint",
            RoutingConfig={"FailoverConfig": {
                "Primary": {"HealthCheck":
                            "arn:aws:route53:::healthcheck/0123456789abc"},
                "Secondary": {"Route": "us-west-2"}}},
            EventBuses=[{"EventBusArn": bus_arn("us-east-1", "orders")},
                        {"EventBusArn": bus_arn("us-west-2", "orders")}],
            ReplicationConfig={"State": "DISABLED"})
        request.update(extra)
        return self.b.call("events", "CreateEndpoint", **request)

    def test_endpoint_settles_and_takes_events(self):
        self.b.call("events", "CreateEventBus", Name="orders")
        q = self.b.create_queue("orders")
        bus = self.b.get_bus("orders")
        bus.put_rule("all", event_pattern={"source": ["shop"]})
        bus.put_targets("all", [{"Id": "q", "Arn": q.arn}])

        self.assertEqual(self.create()["State"], "CREATING")
        self.b.advance(2000)
        d = self.b.call("events", "DescribeEndpoint", Name="orders-endpoint")
        self.assertEqual(d["State"], "ACTIVE")
        self.assertIsInstance(d["CreationTime"], datetime.datetime)
        self.assertIsInstance(d["LastModifiedTime"], datetime.datetime)
        self.assertTrue(d["EndpointUrl"].startswith(
            "https://" + d["EndpointId"] + ".endpoint.events."))
        listed = self.b.call("events", "ListEndpoints", NamePrefix="orders")
        self.assertEqual([e["Name"] for e in listed["Endpoints"]],
                         ["orders-endpoint"])

        out = self.b.call("events", "PutEvents", EndpointId=d["EndpointId"],
                          Entries=[{"Source": "shop", "DetailType": "Order",
                                    "Detail": '{"id": 7}',
                                    "EventBusName": "orders"}])
        self.assertEqual(out["FailedEntryCount"], 0)
        self.b.advance(1000)
        (m,) = q.receive(max=10, wait=0)
        self.assertEqual(json.loads(m.text)["detail"], {"id": 7})

    def test_refusals(self):
        with self.assertRaises(ClientError) as e:
            self.create(ReplicationConfig={"State": "ENABLED"})
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ValidationException")
        self.create()
        with self.assertRaises(ClientError) as e:
            self.create()
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ResourceAlreadyExistsException")
        with self.assertRaises(ClientError) as e:
            self.b.call("events", "DescribeEndpoint", Name="nope")
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main()
