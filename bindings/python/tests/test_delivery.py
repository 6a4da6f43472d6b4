"""Firehose delivery streams from Python: a Python sink, a Python
transform with each outcome, and S3-style objects in a directory, compressed
or not."""
import gzip
import os
import shutil
import tempfile
import unittest
import zipfile

from awsevents import Broker, ClientError, DeliveryStream, register_handler


class Deliveries(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        self.b.close()
        shutil.rmtree(self.dir)

    def test_python_sink_and_time_buffering(self):
        got = []
        d = self.b.create_delivery_stream(
            "cb", {"BufferingHints": {"SizeInMBs": 1,
                                      "IntervalInSeconds": 60}},
            sink=lambda key, data: got.append((key, data)))
        self.assertIsInstance(d, DeliveryStream)
        ids = d.put_batch([b"a", b"b"])
        self.assertEqual([len(i) for i in ids], [96, 96])
        self.b.advance(59999)
        self.assertEqual(got, [])
        self.b.advance(1)
        self.assertEqual(got[0][1], b"ab")
        self.assertTrue(got[0][0].startswith("2024/01/01/00/cb-1-2024-01-01-"))

    def test_a_sink_ending_with_keyboard_interrupt_is_retried(self):
        # A failed attempt, not a delivery: left to ctypes, it counted as one.
        got, raised = [], [KeyboardInterrupt(), SystemExit(2)]

        def sink(key, data):
            if raised:
                raise raised.pop(0)
            got.append(data)

        d = self.b.create_delivery_stream(
            "cb", {"BufferingHints": {"SizeInMBs": 1,
                                      "IntervalInSeconds": 60}}, sink=sink)
        d.put_batch([b"a", b"b"])
        self.b.advance(10 * 60 * 1000)
        self.assertEqual(raised, [])
        self.assertEqual(got, [b"ab"])

    def test_python_transform_into_a_directory(self):
        def transform(records):
            out = []
            for r in records:
                result = {b"drop": "Dropped", b"fail": "ProcessingFailed"} \
                    .get(r["data"], "Ok")
                out.append({"recordId": r["recordId"], "result": result,
                            "data": r["data"].upper()})
            return out
        d = self.b.create_delivery_stream(
            "t", {"ExtendedS3DestinationConfiguration": {
                "BucketARN": "arn:aws:s3:::b", "LocalDirectory": self.dir,
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}}},
            transform=transform)
        for word in (b"x", b"drop", b"fail", b"y"):
            d.put(word)
        self.b.advance(0)
        files = {}
        for root, _, names in os.walk(self.dir):
            for n in names:
                rel = os.path.relpath(os.path.join(root, n), self.dir)
                with open(os.path.join(root, n), "rb") as f:
                    files[rel] = f.read()
        ok = [v for k, v in files.items() if not k.startswith("processing")]
        failed = [v for k, v in files.items() if k.startswith("processing")]
        self.assertEqual(ok, [b"XY"])
        self.assertIn(b'"rawData":"ZmFpbA=="', failed[0])
        self.assertEqual(d.metrics()["DroppedRecords"], 1)

    def test_compressed_objects_open_with_the_standard_library(self):
        for fmt, ext in (("GZIP", ".gz"), ("ZIP", ".zip")):
            d = self.b.create_delivery_stream(
                "z" + fmt, {"ExtendedS3DestinationConfiguration": {
                    "BucketARN": "arn:aws:s3:::b", "LocalDirectory": self.dir,
                    "Prefix": fmt + "/", "CompressionFormat": fmt,
                    "ProcessingConfiguration": {"Enabled": True, "Processors": [
                        {"Type": "AppendDelimiterToRecord"}]},
                    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}}})
            d.put_batch([b'{"n":1}', b'{"n":2}'])
            self.b.advance(0)
            names = [os.path.join(r, n) for r, _, ns in os.walk(os.path.join(self.dir, fmt))
                     for n in ns]
            self.assertEqual(len(names), 1)
            self.assertTrue(names[0].endswith(ext), names[0])
            if fmt == "GZIP":
                with gzip.open(names[0]) as f:
                    body = f.read()
            else:
                with zipfile.ZipFile(names[0]) as z:
                    self.assertIsNone(z.testzip())
                    body = z.read(z.namelist()[0])
            self.assertEqual(body, b'{"n":1}\n{"n":2}')

    def test_a_stream_sources_transform_sees_each_records_kinesis_metadata(self):
        """Firehose hands a Lambda transform of a Kinesis-sourced stream the
        stream's ARN and, for each record, its kinesisRecordMetadata (AWS's
        sample event in the Powertools for AWS Lambda parser docs): that
        metadata was missing."""
        events = []

        def transform(event, context):
            events.append(event)
            return {"records": [{"recordId": r["recordId"], "result": "Ok",
                                 "data": r["data"]} for r in event["records"]]}
        register_handler(self.b, "fh.transform", transform)
        fn = self.b.call("lambda", "CreateFunction", FunctionName="fh",
                         Handler="fh.transform")["FunctionArn"]
        self.b.call("kinesis", "CreateStream", StreamName="s", ShardCount=1)
        arn = self.b.call("kinesis", "DescribeStreamSummary", StreamName="s")[
            "StreamDescriptionSummary"]["StreamARN"]
        self.b.call("firehose", "CreateDeliveryStream", DeliveryStreamName="d",
                    DeliveryStreamType="KinesisStreamAsSource",
                    KinesisStreamSourceConfiguration={"KinesisStreamARN": arn,
                                                      "RoleARN": "arn:aws:iam::000000000000:role/r"},
                    ExtendedS3DestinationConfiguration={
                        "BucketARN": "arn:aws:s3:::b", "LocalDirectory": self.dir,
                        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
                        "ProcessingConfiguration": {"Enabled": True, "Processors": [
                            {"Type": "Lambda", "Parameters": [
                                {"ParameterName": "LambdaArn", "ParameterValue": fn}]}]}})
        self.b.advance(1000)
        put = self.b.call("kinesis", "PutRecord", StreamName="s", Data=b"abc",
                          PartitionKey="pk")
        self.b.advance(0)
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["sourceKinesisStreamArn"], arn)
        record = events[0]["records"][0]
        self.assertEqual(record["data"], "YWJj")
        self.assertEqual(record["approximateArrivalTimestamp"], 1704067201000)
        self.assertEqual(record["kinesisRecordMetadata"], {
            "shardId": "shardId-000000000000", "partitionKey": "pk",
            "approximateArrivalTimestamp": 1704067201000,
            "sequenceNumber": put["SequenceNumber"], "subsequenceNumber": 0})

    def test_a_transform_named_by_an_alias_runs_that_alias(self):
        """A Lambda processor's LambdaArn may be a version's or an alias's
        ARN, which runs that version or alias as any event source naming an
        alias does (Lambda developer guide, "Using Lambda aliases in event
        sources and permissions policies"). A qualifier other than $LATEST
        failed every batch as if the function did not exist."""
        invoked = []

        def transform(event, context):
            invoked.append(context.invoked_function_arn)
            return {"records": [dict(r, result="Ok") for r in event["records"]]}
        register_handler(self.b, "fh.transform", transform)
        self.b.call("lambda", "CreateFunction", FunctionName="fh",
                    Handler="fh.transform")
        self.b.call("lambda", "PublishVersion", FunctionName="fh")
        alias = self.b.call("lambda", "CreateAlias", FunctionName="fh", Name="live",
                            FunctionVersion="1")["AliasArn"]
        self.b.call("firehose", "CreateDeliveryStream", DeliveryStreamName="d",
                    ExtendedS3DestinationConfiguration={
                        "BucketARN": "arn:aws:s3:::b", "LocalDirectory": self.dir,
                        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
                        "ProcessingConfiguration": {"Enabled": True, "Processors": [
                            {"Type": "Lambda", "Parameters": [
                                {"ParameterName": "LambdaArn", "ParameterValue": alias}]}]}})
        self.b.call("firehose", "PutRecord", DeliveryStreamName="d",
                    Record={"Data": b"abc"})
        self.b.advance(0)
        self.assertEqual(invoked, [alias])
        files = [os.path.join(r, n) for r, _, ns in os.walk(self.dir) for n in ns]
        self.assertEqual(len(files), 1)
        self.assertFalse(os.path.relpath(files[0], self.dir).startswith("processing"))

    def test_errors(self):
        with self.assertRaises(ClientError) as e:
            self.b.create_delivery_stream("x", {})
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "InvalidArgumentException")

    def test_a_refused_stream_leaves_no_transform_function(self):
        """The transform's function is made first; when the delivery
        stream is then refused, a corrected retry must not find the name
        taken (ResourceConflictException for "<name>-transform")."""
        upper = lambda records: [dict(r, result="Ok", data=r["data"].upper())
                                 for r in records]
        with self.assertRaises(ClientError) as e:
            self.b.create_delivery_stream("t", {"NoSuchDestination": {}},
                                          transform=upper)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "InvalidArgumentException")
        got = []
        d = self.b.create_delivery_stream(
            "t", sink=lambda key, data: got.append(data), transform=upper)
        d.put(b"a")
        d.flush()
        self.b.drain()
        self.assertEqual(got, [b"A"])

    def test_a_sink_or_transform_that_is_not_callable_is_refused(self):
        for kwargs in ({"sink": "out/"}, {"sink": print, "transform": "fn"}):
            with self.assertRaisesRegex(TypeError, "callable"):
                self.b.create_delivery_stream("nc", **kwargs)
        self.b.create_delivery_stream("nc", sink=print, transform=list)

    def test_a_taken_name_is_resource_in_use_with_a_transform_too(self):
        """Creating a delivery stream with a transform under a name in use
        failed on the transform's function instead (CreateFunction
        ResourceConflictException "Function already exist: d-transform")."""
        for transform in (None, list):
            self.b.create_delivery_stream("taken", sink=print,
                                          transform=list)
            with self.assertRaises(ClientError) as e:
                self.b.create_delivery_stream("taken", sink=print,
                                              transform=transform)
            self.assertEqual(e.exception.operation_name,
                             "CreateDeliveryStream")
            self.assertEqual(e.exception.response["Error"]["Code"],
                             "ResourceInUseException")
            self.b.call("firehose", "DeleteDeliveryStream",
                        DeliveryStreamName="taken")
            self.b.call("lambda", "DeleteFunction",
                        FunctionName="taken-transform")


if __name__ == "__main__":
    unittest.main()
