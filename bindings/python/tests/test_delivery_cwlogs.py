"""Firehose's Decompression and CloudWatchLogProcessing processors from
Python: gzip'd CloudWatch Logs records (as a subscription filter sends
them) delivered as their log messages to an S3-style directory, a
CONTROL_MESSAGE dropped, a record that is not GZIP under the
decompression-failed error output, and the processor check through
Broker.call."""
import base64
import gzip
import json
import os
import shutil
import tempfile
import unittest

from awsevents import Broker, ClientError


def cloudwatch_logs(*messages):
    return gzip.compress(json.dumps({
        "messageType": "DATA_MESSAGE", "owner": "111111111111", "logGroup": "app",
        "logStream": "s1", "subscriptionFilters": ["to-firehose"],
        "logEvents": [{"id": str(i), "timestamp": 1700000000000 + i, "message": m}
                      for i, m in enumerate(messages)]}).encode())


CONTROL = gzip.compress(json.dumps({
    "messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
    "logStream": "", "subscriptionFilters": [],
    "logEvents": [{"id": "", "timestamp": 1700000000000,
                   "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}).encode())

PROCESSORS = [
    {"Type": "Decompression", "Parameters": [{"ParameterName": "CompressionFormat", "ParameterValue": "GZIP"}]},
    {"Type": "CloudWatchLogProcessing",
     "Parameters": [{"ParameterName": "DataMessageExtraction", "ParameterValue": "true"}]},
    {"Type": "AppendDelimiterToRecord"}]


class CloudWatchLogsRecords(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        self.b.close()
        shutil.rmtree(self.dir)

    def destination(self, processors):
        return {"BucketARN": "arn:aws:s3:::b", "LocalDirectory": self.dir,
                "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60}, "Prefix": "logs/",
                "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
                "ProcessingConfiguration": {"Enabled": True, "Processors": processors}}

    def objects(self, under):
        out = []
        for root, _, names in os.walk(os.path.join(self.dir, under)):
            for n in names:
                with open(os.path.join(root, n), "rb") as f:
                    out.append(f.read())
        return out

    def test_messages_delivered_and_bad_records_to_the_error_output(self):
        d = self.b.create_delivery_stream("cwl", {"ExtendedS3DestinationConfiguration":
                                                  self.destination(PROCESSORS)})
        d.put_batch([cloudwatch_logs('{"level":"info"}', '{"level":"warn"}'), CONTROL,
                     b"not gzip", cloudwatch_logs("third")])
        self.b.advance(60000)
        self.assertEqual(self.objects("logs"), [b'{"level":"info"}\n{"level":"warn"}\nthird'])
        [line] = self.objects("errors/decompression-failed")
        error = json.loads(line)
        self.assertEqual(error["errorCode"], "Decompression.Failed")
        self.assertEqual(base64.b64decode(error["rawData"]), b"not gzip")
        m = d.metrics()
        self.assertEqual((m["IncomingRecords"], m["DeliveredRecords"], m["DroppedRecords"], m["FailedRecords"]),
                         (4, 2, 1, 1))

    def test_cloudwatch_log_processing_needs_decompression(self):
        with self.assertRaises(ClientError) as e:
            self.b.call("firehose", "CreateDeliveryStream", DeliveryStreamName="x",
                        ExtendedS3DestinationConfiguration=self.destination(PROCESSORS[1:]))
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidArgumentException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "CloudWatchLogProcessingProcessor can only be enabled with DecompressionProcessor")
        self.assertEqual(self.b.call("firehose", "ListDeliveryStreams")["DeliveryStreamNames"], [])


if __name__ == "__main__":
    unittest.main()
