"""SNS http/https subscriptions from Python: a subscription made through
Broker.call posts to the callable registered for its URL
(Broker.register_endpoint): the SubscriptionConfirmation whose Token
ConfirmSubscription takes, then notifications, with SNS's x-amz-sns-*
headers."""
import json
import unittest

from awsevents import Broker


class HttpSubscriptions(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=9)
        self.posts = []
        self.status = 200

        def hook(request):
            self.posts.append(request)
            return self.status

        self.b.register_endpoint("https://hooks.example.com/", hook)
        self.topic = self.b.call("sns", "CreateTopic", Name="orders")["TopicArn"]

    def tearDown(self):
        self.b.close()

    def subscribe(self, **attributes):
        arn = self.b.call("sns", "Subscribe", TopicArn=self.topic, Protocol="https",
                          Endpoint="https://hooks.example.com/sns",
                          Attributes=attributes,
                          ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.b.drain()
        confirmation = self.posts[-1]
        self.assertEqual(confirmation.headers["x-amz-sns-message-type"],
                         "SubscriptionConfirmation")
        token = json.loads(confirmation.body)["Token"]
        self.b.call("sns", "ConfirmSubscription", TopicArn=self.topic, Token=token)
        return arn

    def test_confirmation_then_notification(self):
        arn = self.subscribe()
        sent = self.b.call("sns", "Publish", TopicArn=self.topic, Message="hello",
                           Subject="greeting")
        self.b.drain()
        self.assertEqual(len(self.posts), 2)
        note = self.posts[1]
        self.assertEqual(note.method, "POST")
        self.assertEqual(note.url, "https://hooks.example.com/sns")
        self.assertEqual(note.headers["x-amz-sns-message-type"], "Notification")
        self.assertEqual(note.headers["x-amz-sns-message-id"], sent["MessageId"])
        self.assertEqual(note.headers["x-amz-sns-topic-arn"], self.topic)
        self.assertEqual(note.headers["x-amz-sns-subscription-arn"], arn)
        self.assertEqual(note.headers["Content-Type"], "text/plain; charset=UTF-8")
        body = json.loads(note.body)
        self.assertEqual((body["Type"], body["Message"], body["Subject"]),
                         ("Notification", "hello", "greeting"))

    def test_raw_delivery_and_refusal(self):
        self.subscribe(RawMessageDelivery="true")
        self.status = 400  # the endpoint's own error: not retried
        self.b.call("sns", "Publish", TopicArn=self.topic, Message="bare")
        self.b.drain()
        self.b.advance(60_000)
        self.assertEqual(len(self.posts), 2)
        self.assertEqual(self.posts[1].body, "bare")
        self.assertEqual(self.posts[1].headers["x-amz-sns-rawdelivery"], "true")


if __name__ == "__main__":
    unittest.main()
