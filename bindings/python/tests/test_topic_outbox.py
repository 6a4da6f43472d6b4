"""SNS's SMS, email and mobile push deliveries from Python: what would have
left AWS is recorded in the broker's outbox, which Broker.sns_outbox()
hands back as a list of dicts (and empties unless keep=True)."""
import json
import unittest

from awsevents import Broker, ClientError


class Outbox(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=4)
        self.topic = self.b.call("sns", "CreateTopic", Name="alerts")["TopicArn"]

    def tearDown(self):
        self.b.close()

    def test_sms_publish_is_recorded_on_the_scheduler(self):
        msg_id = self.b.call("sns", "Publish", PhoneNumber="+15551234567",
                             Message="code 42", MessageAttributes={
                                 "AWS.SNS.SMS.SMSType": {
                                     "DataType": "String",
                                     "StringValue": "Transactional"}})["MessageId"]
        self.assertEqual(self.b.sns_outbox(keep=True), [])
        self.b.drain()
        [sms] = self.b.sns_outbox(keep=True)
        self.assertEqual(sms["Protocol"], "sms")
        self.assertEqual(sms["Destination"], "+15551234567")
        self.assertEqual(sms["Message"], "code 42")
        self.assertEqual(sms["MessageId"], msg_id)
        self.assertEqual(sms["SMSType"], "Transactional")
        self.assertEqual(sms["Timestamp"], "2024-01-01T00:00:00.000Z")
        self.assertEqual(len(self.b.sns_outbox()), 1)
        self.assertEqual(self.b.sns_outbox(), [])

    def test_bad_number(self):
        with self.assertRaises(ClientError) as e:
            self.b.call("sns", "Publish", PhoneNumber="12-34", Message="m")
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameter")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Invalid parameter: PhoneNumber Reason: 12-34 is not "
                         "valid to publish to")

    def test_opted_out_number_gets_nothing(self):
        self.b.sns_opt_out("+15550001111")
        self.assertTrue(self.b.call("sns", "CheckIfPhoneNumberIsOptedOut",
                                    phoneNumber="+15550001111")["isOptedOut"])
        self.b.call("sns", "Publish", PhoneNumber="+15550001111", Message="m")
        self.b.drain()
        self.assertEqual(self.b.sns_outbox(), [])
        with self.assertRaises(ClientError) as e:
            self.b.sns_opt_out("nope")
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameter")

    def test_email_confirmation_then_notifications(self):
        r = self.b.call("sns", "Subscribe", TopicArn=self.topic, Protocol="email",
                        Endpoint="ops@example.com")
        self.assertEqual(r["SubscriptionArn"], "pending confirmation")
        self.b.drain()
        [confirmation] = self.b.sns_outbox()
        self.assertEqual(confirmation["Type"], "SubscriptionConfirmation")
        self.b.call("sns", "ConfirmSubscription", TopicArn=self.topic,
                    Token=confirmation["Token"])
        self.b.call("sns", "Publish", TopicArn=self.topic, Message="disk full",
                    Subject="Alarm")
        self.b.drain()
        [mail] = self.b.sns_outbox()
        self.assertEqual((mail["Protocol"], mail["Destination"], mail["Subject"],
                          mail["Message"]),
                         ("email", "ops@example.com", "Alarm", "disk full"))

    def test_email_json_gets_the_envelope(self):
        self.b.call("sns", "Subscribe", TopicArn=self.topic, Protocol="email-json",
                    Endpoint="bot@example.com")
        self.b.drain()
        token = self.b.sns_outbox()[0]["Token"]
        self.b.call("sns", "ConfirmSubscription", TopicArn=self.topic, Token=token)
        self.b.call("sns", "Publish", TopicArn=self.topic, Message="m")
        self.b.drain()
        envelope = json.loads(self.b.sns_outbox()[0]["Message"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["Message"], "m")
        self.assertEqual(envelope["TopicArn"], self.topic)

    def test_sms_sandbox(self):
        self.assertFalse(self.b.call("sns", "GetSMSSandboxAccountStatus")["IsInSandbox"])
        self.b.call("sns", "CreateSMSSandboxPhoneNumber", PhoneNumber="+15550009999")
        self.b.drain()
        [code] = self.b.sns_outbox()
        self.assertEqual(code["Type"], "SandboxVerification")
        self.b.call("sns", "VerifySMSSandboxPhoneNumber", PhoneNumber="+15550009999",
                    OneTimePassword=code["OneTimePassword"])
        numbers = self.b.call("sns", "ListSMSSandboxPhoneNumbers")["PhoneNumbers"]
        self.assertEqual(numbers, [{"PhoneNumber": "+15550009999", "Status": "Verified"}])
        self.b.call("sns", "DeleteSMSSandboxPhoneNumber", PhoneNumber="+15550009999")
        with self.assertRaises(ClientError) as e:
            self.b.call("sns", "DeleteSMSSandboxPhoneNumber", PhoneNumber="+15550009999")
        self.assertEqual(e.exception.response["Error"]["Code"], "ResourceNotFound")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_push_to_an_endpoint(self):
        app = self.b.call("sns", "CreatePlatformApplication", Name="app",
                          Platform="GCM",
                          Attributes={"PlatformCredential": "k"})["PlatformApplicationArn"]
        endpoint = self.b.call("sns", "CreatePlatformEndpoint",
                               PlatformApplicationArn=app, Token="t1")["EndpointArn"]
        self.b.call("sns", "Publish", TargetArn=endpoint, MessageStructure="json",
                    Message=json.dumps({"default": "d", "GCM": "g"}))
        self.b.drain()
        [push] = self.b.sns_outbox()
        self.assertEqual((push["Protocol"], push["Platform"], push["Message"],
                          push["Token"]), ("application", "GCM", "g", "t1"))
        self.b.call("sns", "SetEndpointAttributes", EndpointArn=endpoint,
                    Attributes={"Enabled": "false"})
        with self.assertRaises(ClientError) as e:
            self.b.call("sns", "Publish", TargetArn=endpoint, Message="m")
        self.assertEqual(e.exception.response["Error"]["Code"], "EndpointDisabled")

    def test_topic_subscribe_takes_numbers_and_endpoints(self):
        topic = self.b.get_topic(self.topic)
        app = self.b.call("sns", "CreatePlatformApplication", Name="app",
                          Platform="APNS", Attributes={})["PlatformApplicationArn"]
        endpoint = self.b.call("sns", "CreatePlatformEndpoint",
                               PlatformApplicationArn=app, Token="t")["EndpointArn"]
        topic.subscribe("+15557654321", protocol="sms")
        push = topic.subscribe(endpoint)
        self.assertEqual(push.attributes()["Protocol"], "application")
        topic.publish("hello")
        self.b.drain()
        self.assertEqual(sorted(d["Protocol"] for d in self.b.sns_outbox()),
                         ["application", "sms"])
        topic.close()


if __name__ == "__main__":
    unittest.main()
