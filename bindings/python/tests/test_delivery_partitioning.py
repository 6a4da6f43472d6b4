"""Firehose dynamic partitioning from Python: inline parsing with jq into
S3-style prefixes in a directory, a Python transform returning
metadata.partitionKeys, the error output, and AWS's errors through
Broker.call."""
import json
import os
import shutil
import tempfile
import unittest

from awsevents import Broker, ClientError

HINTS = {"SizeInMBs": 64, "IntervalInSeconds": 60}


def metadata_extraction(query):
    return {"Type": "MetadataExtraction", "Parameters": [
        {"ParameterName": "MetadataExtractionQuery", "ParameterValue": query},
        {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}


class Partitioning(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        self.b.close()
        shutil.rmtree(self.dir)

    def destination(self, prefix, processors):
        return {"BucketARN": "arn:aws:s3:::b", "LocalDirectory": self.dir,
                "BufferingHints": HINTS, "Prefix": prefix,
                "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
                "DynamicPartitioningConfiguration": {"Enabled": True},
                "ProcessingConfiguration": {"Enabled": True, "Processors": processors}}

    def objects(self):
        """{relative directory: [object bodies]} of everything delivered."""
        out = {}
        for root, _, names in os.walk(self.dir):
            for n in names:
                with open(os.path.join(root, n), "rb") as f:
                    out.setdefault(os.path.relpath(root, self.dir), []).append(f.read())
        return out

    def test_inline_parsing(self):
        d = self.b.create_delivery_stream("guide", {"ExtendedS3DestinationConfiguration": self.destination(
            "device=!{partitionKeyFromQuery:device}/year=!{partitionKeyFromQuery:year}/",
            [metadata_extraction('{device: .type.device, year: .ts | strftime("%Y")}'),
             {"Type": "AppendDelimiterToRecord"}])})
        d.put_batch([json.dumps({"type": {"device": d_}, "ts": 1565382027}).encode()
                     for d_ in ("mobile", "desktop", "mobile")])
        d.put(b"not json")
        self.b.advance(60000)
        got = self.objects()
        self.assertEqual(got["device=mobile/year=2019"],
                         [b'{"type": {"device": "mobile"}, "ts": 1565382027}\n'
                          b'{"type": {"device": "mobile"}, "ts": 1565382027}'])
        self.assertEqual(len(got["device=desktop/year=2019"]), 1)
        [error] = [json.loads(body) for k, v in got.items()
                   if k.startswith("errors/metadata-extraction-failed") for body in v]
        self.assertEqual(error["errorCode"], "DynamicPartitioning.MetadataExtractionFailed")
        self.assertEqual(error["errorMessage"], "Non JSON record provided")
        self.assertEqual(error["rawData"], "bm90IGpzb24=")
        self.assertEqual(d.metrics()["FailedRecords"], 1)

    def test_python_transform_gives_partition_keys(self):
        def transform(records):
            return [{"recordId": r["recordId"], "result": "Ok", "data": r["data"],
                     "metadata": {"partitionKeys": {"who": json.loads(r["data"])["who"]}}}
                    for r in records]
        d = self.b.create_delivery_stream("lam", {"ExtendedS3DestinationConfiguration": self.destination(
            "who=!{partitionKeyFromLambda:who}/", [])}, transform=transform)
        d.put_batch([b'{"who":"ann"}', b'{"who":"bob"}'])
        self.b.advance(120000)
        self.assertEqual(self.objects(), {"who=ann": [b'{"who":"ann"}'], "who=bob": [b'{"who":"bob"}']})

    def test_errors_through_call(self):
        dest = self.destination("k=!{partitionKeyFromQuery:k}/", [metadata_extraction("{k: .k}")])
        del dest["DynamicPartitioningConfiguration"]
        with self.assertRaises(ClientError) as e:
            self.b.call("firehose", "CreateDeliveryStream", DeliveryStreamName="x",
                        ExtendedS3DestinationConfiguration=dest)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidArgumentException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Dynamic Partitioning Namespaces can only be part of a prefix expression "
                         "when Dynamic Partitioning is enabled.")
        dest["DynamicPartitioningConfiguration"] = {"Enabled": True}
        dest["ProcessingConfiguration"]["Processors"] = [metadata_extraction("{k: .k[]}")]
        with self.assertRaises(ClientError) as e:
            self.b.call("firehose", "CreateDeliveryStream", DeliveryStreamName="x",
                        ExtendedS3DestinationConfiguration=dest)
        self.assertIn("jq 1.6 subset supports", e.exception.response["Error"]["Message"])
        self.assertEqual(self.b.call("firehose", "ListDeliveryStreams")["DeliveryStreamNames"], [])


if __name__ == "__main__":
    unittest.main()
