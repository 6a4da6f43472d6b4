"""SNS message data protection through Broker.call: Put / GetDataProtectionPolicy,
an inbound Deny refusing a Publish with AuthorizationError, an inbound mask in
what an SQS subscriber receives, and a refused policy as ClientError."""
import json
import unittest

from awsevents import Broker, ClientError

CARD_ARN = "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"


def _policy(operation):
    return json.dumps({
        "Name": "pii", "Version": "2021-06-01",
        "Statement": [{"DataDirection": "Inbound", "Principal": ["*"],
                       "DataIdentifier": [CARD_ARN], "Operation": operation}]})


class TopicDataProtectionTest(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.topic = self.b.call("sns", "CreateTopic", Name="pii")["TopicArn"]
        self.url = self.b.call("sqs", "CreateQueue", QueueName="inbox")["QueueUrl"]
        arn = self.b.call("sqs", "GetQueueAttributes", QueueUrl=self.url,
                          AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.b.call("sns", "Subscribe", TopicArn=self.topic, Protocol="sqs", Endpoint=arn,
                    Attributes={"RawMessageDelivery": "true"})

    def tearDown(self):
        self.b.close()

    def _bodies(self):
        msgs = self.b.call("sqs", "ReceiveMessage", QueueUrl=self.url,
                           MaxNumberOfMessages=10).get("Messages", [])
        return [m["Body"] for m in msgs]

    def test_put_get_and_deny(self):
        policy = _policy({"Deny": {}})
        self.b.call("sns", "PutDataProtectionPolicy", ResourceArn=self.topic,
                    DataProtectionPolicy=policy)
        got = self.b.call("sns", "GetDataProtectionPolicy", ResourceArn=self.topic)
        self.assertEqual(got["DataProtectionPolicy"], policy)
        with self.assertRaises(ClientError) as cm:
            self.b.call("sns", "Publish", TopicArn=self.topic,
                        Message="my credit card is 4539894458086459")
        self.assertEqual(cm.exception.response["Error"]["Code"], "AuthorizationError")
        self.assertEqual(self._bodies(), [])

    def test_mask(self):
        self.b.call("sns", "PutDataProtectionPolicy", ResourceArn=self.topic,
                    DataProtectionPolicy=_policy(
                        {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}))
        self.b.call("sns", "Publish", TopicArn=self.topic,
                    Message="my credit card is 4539894458086459")
        self.assertEqual(self._bodies(), ["my credit card is ################"])

    def test_refused_policy(self):
        with self.assertRaises(ClientError) as cm:
            self.b.call("sns", "PutDataProtectionPolicy", ResourceArn=self.topic,
                        DataProtectionPolicy=_policy({"Deny": {}, "Audit": {}}))
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
        self.assertIn("exactly one of Audit, Deidentify and Deny",
                      cm.exception.response["Error"]["Message"])
        got = self.b.call("sns", "GetDataProtectionPolicy", ResourceArn=self.topic)
        self.assertEqual(got["DataProtectionPolicy"], "")


if __name__ == "__main__":
    unittest.main()
