"""A Task state calling this broker's own API through an AWS SDK integration
(arn:aws:states:::aws-sdk:SERVICE:action), from Python: the call's answer as
the task's result, an SDK error caught by name, the events it records, and a
resource AWS does not recognize refused with AWS's words."""
import hashlib
import json
import os
import tempfile
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


# Moves an object when it is there (headObject as the existence check,
# copyObject then deleteObject), and says "absent" when headObject fails.
MOVE_IF_PRESENT = {
    "StartAt": "Exists",
    "States": {
        "Exists": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
                   "Parameters": {"Bucket": "inbox", "Key.$": "$.key"},
                   "ResultSelector": {"size.$": "$.ContentLength", "etag.$": "$.ETag"},
                   "ResultPath": "$.head", "Next": "Copy",
                   "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.err",
                              "Next": "Absent"}]},
        "Copy": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:copyObject",
                 "Parameters": {"Bucket": "done", "Key.$": "$.key",
                                "CopySource.$": "States.Format('inbox/{}', $.key)"},
                 "ResultPath": "$.copy", "Next": "Delete"},
        "Delete": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:deleteObject",
                   "Parameters": {"Bucket": "inbox", "Key.$": "$.key"},
                   "ResultPath": None, "End": True},
        "Absent": {"Type": "Pass", "Result": "absent", "ResultPath": "$.moved", "End": True},
    },
}


class AwsSdkS3Tasks(unittest.TestCase):
    """aws-sdk:s3 on the broker's S3 stand-in: bucket NAME is the
    directory ./NAME, object KEY the file ./NAME/KEY."""

    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.cwd = os.getcwd()
        self.work = tempfile.TemporaryDirectory()
        os.chdir(self.work.name)
        os.makedirs("inbox/2024")
        os.makedirs("done")
        with open("inbox/2024/report.csv", "w") as f:
            f.write("a,b\n")

    def tearDown(self):
        os.chdir(self.cwd)
        self.work.cleanup()
        self.b.close()

    def test_move_an_object_and_miss_one(self):
        m = self.b.create_state_machine("move", MOVE_IF_PRESENT)
        e = m.start({"key": "2024/report.csv"})
        self.assertEqual(e.wait(), "SUCCEEDED")
        out = e.output
        etag = '"%s"' % hashlib.md5(b"a,b\n").hexdigest()
        self.assertEqual(out["head"], {"size": 4, "etag": etag})
        self.assertEqual(out["copy"]["CopyObjectResult"]["ETag"], etag)
        with open("done/2024/report.csv") as f:
            self.assertEqual(f.read(), "a,b\n")
        self.assertFalse(os.path.exists("inbox/2024"))  # the key's directory went with it
        self.assertTrue(os.path.isdir("inbox"))
        e = m.start({"key": "2024/report.csv"})
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output["moved"], "absent")
        self.assertEqual(e.output["err"]["Error"], "S3.NoSuchKeyException")
        self.assertRegex(e.output["err"]["Cause"],
                         r"^The specified key does not exist\. \(Service: S3, Status Code: 404, "
                         r"Request ID: [0-9a-f-]{36}\)$")

    def test_list_with_a_delimiter_then_delete_what_it_listed(self):
        with open("inbox/top.txt", "w") as f:
            f.write("t")
        m = self.b.create_state_machine("clean", {
            "StartAt": "List",
            "States": {
                "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjects",
                         "Parameters": {"Bucket": "inbox", "Delimiter": "/"},
                         "ResultPath": "$.list", "Next": "Delete"},
                "Delete": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:deleteObjects",
                           "Parameters": {"Bucket": "inbox",
                                          "Delete": {"Objects.$": "$.list.Contents"}},
                           "ResultPath": "$.deleted", "End": True}}})
        e = m.start({})
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output["list"]["CommonPrefixes"], [{"Prefix": "2024/"}])
        self.assertEqual(e.output["deleted"], {"Deleted": [{"Key": "top.txt"}]})
        self.assertFalse(os.path.exists("inbox/top.txt"))
        self.assertTrue(os.path.exists("inbox/2024/report.csv"))


if __name__ == "__main__":
    unittest.main()
