"""EventBridge Pipes through Broker.call("pipes", ...): a pipe from a queue
to a queue with a filter and an input template, its states, and Pipes'
error codes."""
import datetime
import json
import unittest

from awsevents import Broker, ClientError

ROLE = "arn:aws:iam::000000000000:role/pipes"
SRC = "arn:aws:sqs:us-east-1:000000000000:src"
DST = "arn:aws:sqs:us-east-1:000000000000:dst"


class Pipes(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.src = self.b.call("sqs", "CreateQueue", QueueName="src")["QueueUrl"]
        self.dst = self.b.call("sqs", "CreateQueue", QueueName="dst")["QueueUrl"]

    def tearDown(self):
        self.b.close()

    def test_queue_to_queue(self):
        r = self.b.call(
            "pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC, Target=DST,
            SourceParameters={"FilterCriteria": {"Filters": [
                {"Pattern": json.dumps({"body": {"kind": ["order"]}})}]}},
            TargetParameters={"InputTemplate": '{"id": <$.body.id>}'})
        self.assertEqual(r["CurrentState"], "CREATING")
        self.assertEqual(r["Arn"], "arn:aws:pipes:us-east-1:000000000000:pipe/p")
        self.assertIsInstance(r["CreationTime"], datetime.datetime)
        self.assertEqual(self.b.call("pipes", "DescribePipe", Name="p")["CurrentState"],
                         "RUNNING")
        for body in ({"kind": "order", "id": 7}, {"kind": "other", "id": 8}):
            self.b.call("sqs", "SendMessage", QueueUrl=self.src,
                        MessageBody=json.dumps(body))
        self.b.advance(1000)
        got = self.b.call("sqs", "ReceiveMessage", QueueUrl=self.dst,
                          MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([json.loads(m["Body"]) for m in got], [{"id": 7}])

    def test_stop_start_and_errors(self):
        self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC, Target=DST)
        self.assertEqual(self.b.call("pipes", "StopPipe", Name="p")["CurrentState"],
                         "STOPPING")
        listed = self.b.call("pipes", "ListPipes", DesiredState="STOPPED")["Pipes"]
        self.assertEqual([p["Name"] for p in listed], ["p"])
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC,
                        Target=DST)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ConflictException")
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "DescribePipe", Name="nope")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFoundException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Pipe nope does not exist.")
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="q", RoleArn=ROLE, Source=SRC,
                        Target=DST, DesiredState="PAUSED")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(self.b.call("pipes", "DeletePipe", Name="p")["CurrentState"],
                         "DELETING")
        self.assertEqual(self.b.call("pipes", "ListPipes")["Pipes"], [])

    def test_kinesis_source(self):
        self.b.call("kinesis", "CreateStream", StreamName="ks", ShardCount=1)
        self.b.call(
            "pipes", "CreatePipe", Name="k", RoleArn=ROLE,
            Source="arn:aws:kinesis:us-east-1:000000000000:stream/ks", Target=DST,
            SourceParameters={"KinesisStreamParameters": {"StartingPosition": "TRIM_HORIZON"}},
            TargetParameters={"InputTemplate": '{"n": <$.data.n>, "key": "<$.partitionKey>"}'})
        self.b.call("kinesis", "PutRecord", StreamName="ks", PartitionKey="pk",
                    Data=json.dumps({"n": 3}).encode())
        self.b.advance(2000)
        got = self.b.call("sqs", "ReceiveMessage", QueueUrl=self.dst)["Messages"]
        self.assertEqual([json.loads(m["Body"]) for m in got], [{"n": 3, "key": "pk"}])

    def machine(self, name, kind, definition):
        return self.b.call("states", "CreateStateMachine", name=name, roleArn=ROLE,
                           type=kind, definition=json.dumps(definition))["stateMachineArn"]

    def test_state_machine_enrichment_and_target(self):
        waits = self.machine("en", "EXPRESS", {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"bodies.$": "$[*].body"}, "End": True}}})
        target = self.machine("t", "EXPRESS", {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "End": True}}})
        self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC, Target=DST,
                    Enrichment=waits)
        self.b.call("sqs", "SendMessage", QueueUrl=self.src, MessageBody="a")
        self.b.advance(1000)
        self.assertNotIn("Messages", self.b.call("sqs", "ReceiveMessage", QueueUrl=self.dst))
        self.b.advance(5000)
        got = self.b.call("sqs", "ReceiveMessage", QueueUrl=self.dst)["Messages"]
        self.assertEqual([json.loads(m["Body"]) for m in got], [{"bodies": ["a"]}])
        # A REQUEST_RESPONSE target (the default) ends the batch with its run.
        self.b.call("pipes", "CreatePipe", Name="q", RoleArn=ROLE, Source=SRC,
                    Target=target)
        self.b.call("pipes", "DeletePipe", Name="p")
        self.b.call("sqs", "SendMessage", QueueUrl=self.src, MessageBody="b")
        self.b.advance(1000)
        attrs = self.b.call("sqs", "GetQueueAttributes", QueueUrl=self.src,
                            AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_state_machine_refusals(self):
        standard = self.machine("std", "STANDARD", {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "End": True}}})
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC,
                        Target=DST, Enrichment=standard)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC,
                        Target=standard)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC,
                        Target=DST, Enrichment=standard + "-gone")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFoundException")
        self.b.call("pipes", "CreatePipe", Name="p", RoleArn=ROLE, Source=SRC, Target=standard,
                    TargetParameters={"StepFunctionStateMachineParameters": {
                        "InvocationType": "FIRE_AND_FORGET"}})
        self.assertEqual(self.b.call("pipes", "ListPipes")["Pipes"][0]["Name"], "p")

    def api_destination(self, serve):
        self.b.register_endpoint("https://api.example/", serve)
        conn = self.b.call("events", "CreateConnection", Name="c", AuthorizationType="API_KEY",
                           AuthParameters={"ApiKeyAuthParameters": {
                               "ApiKeyName": "x-api-key", "ApiKeyValue": "k"}})
        return self.b.call("events", "CreateApiDestination", Name="d",
                           ConnectionArn=conn["ConnectionArn"], HttpMethod="POST",
                           InvocationEndpoint="https://api.example/items/*")["ApiDestinationArn"]

    def test_api_destination_enrichment_and_target(self):
        requests = []

        def serve(request):
            requests.append(request)
            if "/enrich" in request.url:
                return 200, {"item": json.loads(request.body)["body"], "price": 3}
            return 500 if "fail" in request.body else 200
        dest = self.api_destination(serve)
        self.b.call("pipes", "CreatePipe", Name="e", RoleArn=ROLE, Source=SRC, Target=DST,
                    Enrichment=dest, EnrichmentParameters={
                        "HttpParameters": {"PathParameterValues": ["enrich"]}})
        self.b.call("sqs", "SendMessage", QueueUrl=self.src, MessageBody="pen")
        self.b.advance(1000)
        got = self.b.call("sqs", "ReceiveMessage", QueueUrl=self.dst)["Messages"]
        self.assertEqual([json.loads(m["Body"]) for m in got], [{"item": "pen", "price": 3}])
        self.assertEqual(requests[0].headers["x-api-key"], "k")
        self.b.call("pipes", "DeletePipe", Name="e")
        # As a target: one request per event; a 500 fails the batch.
        self.b.call("pipes", "CreatePipe", Name="t", RoleArn=ROLE, Source=SRC, Target=dest,
                    TargetParameters={"HttpParameters": {
                        "PathParameterValues": ["$.body.sku"],
                        "QueryStringParameters": {"q": "$.body.n"}}})
        for body in ({"sku": "a1", "n": 1}, {"sku": "fail", "n": 2}):
            self.b.call("sqs", "SendMessage", QueueUrl=self.src, MessageBody=json.dumps(body))
        self.b.advance(1000)
        urls = sorted(r.url for r in requests[1:])
        self.assertEqual(urls, ["https://api.example/items/a1?q=1",
                                "https://api.example/items/fail?q=2"])
        attrs = self.b.call("sqs", "GetQueueAttributes", QueueUrl=self.src,
                            AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "1")
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="b", RoleArn=ROLE, Source=SRC, Target=dest,
                        SourceParameters={"SqsQueueParameters": {"BatchSize": 10}})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        with self.assertRaises(ClientError) as cm:
            self.b.call("pipes", "CreatePipe", Name="b", RoleArn=ROLE, Source=SRC,
                        Target=dest + "x")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NotFoundException")


if __name__ == "__main__":
    unittest.main()
