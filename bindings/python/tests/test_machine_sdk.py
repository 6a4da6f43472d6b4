"""A Task state calling this broker's own API through an AWS SDK integration
(arn:aws:states:::aws-sdk:SERVICE:action), from Python: the call's answer as
the task's result, an SDK error caught by name, the events it records, and a
resource AWS does not recognize refused with AWS's words."""
import json
import unittest

from awsevents import Broker, ClientError

SEND_THEN_FAIL = {
    "StartAt": "Send",
    "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                 "Parameters": {"QueueUrl.$": "$.url", "MessageBody": "from a task"},
                 "ResultPath": "$.sent", "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                    "Parameters": {"QueueName": "nope"},
                    "Catch": [{"ErrorEquals": ["Sqs.QueueDoesNotExistException"],
                               "ResultPath": "$.err", "Next": "Done"}],
                    "End": True},
        "Done": {"Type": "Pass", "End": True},
    },
}


class AwsSdkTasks(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)

    def tearDown(self):
        self.b.close()

    def test_a_task_calls_the_broker_and_catches_its_error(self):
        q = self.b.create_queue("work")
        m = self.b.create_state_machine("sdk", SEND_THEN_FAIL)
        e = m.start({"url": q.url})
        self.assertEqual(e.wait(), "SUCCEEDED")
        out = e.output
        self.assertIn("MessageId", out["sent"])
        self.assertEqual(out["err"]["Error"], "Sqs.QueueDoesNotExistException")
        self.assertRegex(out["err"]["Cause"],
                         r"^The specified queue does not exist\. \(Service: Sqs, Status Code: 400, "
                         r"Request ID: [0-9a-f-]{36}\)$")
        [msg] = q.receive()
        self.assertEqual(msg.body, b"from a task")
        scheduled = [ev for ev in e.history if ev["type"] == "TaskScheduled"][0]
        details = scheduled["taskScheduledEventDetails"]
        self.assertEqual(details["resourceType"], "aws-sdk:sqs")
        self.assertEqual(details["resource"], "sendMessage")
        self.assertEqual(json.loads(details["parameters"]),
                         {"QueueUrl": q.url, "MessageBody": "from a task"})

    def test_an_unsupported_pattern_is_refused(self):
        bad = {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage.sync",
            "End": True}}}
        with self.assertRaises(ClientError) as cm:
            self.b.create_state_machine("bad", bad)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidDefinition")
        self.assertIn("SCHEMA_VALIDATION_FAILED: The resource provided "
                      "arn:aws:states:::aws-sdk:sqs:sendMessage.sync is not recognized.",
                      cm.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
