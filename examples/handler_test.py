"""Unit-testing your own Lambda handler against an SQS flow, in-process on the manual clock."""
import unittest
from awsevents import Broker, create_function

def handler(event, context):  # your real handler, unchanged
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]}
                                  for r in event["Records"] if r["body"] == "bad"]}

class HandlerTest(unittest.TestCase):
    def test_failed_order_comes_back_after_its_visibility_timeout(self):
        with Broker(clock="manual", workers=0) as b:
            create_function(b, "orders", handler)
            url = b.call("sqs", "CreateQueue", QueueName="orders")["QueueUrl"]
            b.call("lambda", "CreateEventSourceMapping", FunctionName="orders",
                   EventSourceArn="arn:aws:sqs:us-east-1:000000000000:orders",
                   FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False)
            for body in ("good", "bad"):
                b.call("sqs", "SendMessage", QueueUrl=url, MessageBody=body)
            uuid = b.call("lambda", "ListEventSourceMappings")["EventSourceMappings"][0]["UUID"]
            b.call("lambda", "UpdateEventSourceMapping", UUID=uuid, Enabled=True)
            b.advance(0)  # one batch: "good" is deleted, "bad" stays in flight
            b.call("lambda", "UpdateEventSourceMapping", UUID=uuid, Enabled=False)
            b.advance(30000)  # the queue's default visibility timeout
            msgs = b.call("sqs", "ReceiveMessage", QueueUrl=url, MaxNumberOfMessages=10)
            self.assertEqual([m["Body"] for m in msgs["Messages"]], ["bad"])

if __name__ == "__main__":
    unittest.main()
