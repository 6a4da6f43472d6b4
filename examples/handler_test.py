"""Unit-testing your own Lambda handler against an SQS flow, in-process on the manual clock."""
import unittest
from awsevents import Broker, create_function

def handler(event, context):  # your real handler, unchanged
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]}
                                  for r in event["Records"] if r["body"] == "bad"]}

class HandlerTest(unittest.TestCase):
    def test_only_the_failed_order_stays_on_the_queue(self):
        with Broker(clock="manual", workers=0) as b:
            create_function(b, "orders", handler)
            url = b.call("sqs", "CreateQueue", QueueName="orders")["QueueUrl"]
            for body in ("good", "bad"):
                b.call("sqs", "SendMessage", QueueUrl=url, MessageBody=body)
            b.call("lambda", "CreateEventSourceMapping", FunctionName="orders",
                   EventSourceArn="arn:aws:sqs:us-east-1:000000000000:orders",
                   FunctionResponseTypes=["ReportBatchItemFailures"])
            b.advance(30000)  # "bad" failed, came back after its visibility timeout, failed again
            n = b.call("sqs", "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual((n["ApproximateNumberOfMessages"], n["ApproximateNumberOfMessagesNotVisible"]), ("0", "1"))

if __name__ == "__main__":
    unittest.main()
