"""Kinesis streams from Python: Stream over the typed C API, Kinesis's
error codes, and the checkpointing StreamReader across a reshard."""
import datetime
import unittest

from awsevents import Broker, ClientError, Stream, StreamReader

HALF = 2 ** 127
UTC = datetime.timezone.utc


class Streams(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)

    def tearDown(self):
        self.b.close()

    def test_put_iterator_get(self):
        s = self.b.create_stream("clicks", shards=4)
        self.assertIsInstance(s, Stream)
        self.assertEqual(s.arn,
                         "arn:aws:kinesis:us-east-1:000000000000:stream/clicks")
        # MD5("a") is in the first quarter of the hash space, "b" the third
        self.assertEqual(s.put(b"1", "a")["ShardId"], "shardId-000000000000")
        out = s.put("2", "b")
        self.assertEqual(out["ShardId"], "shardId-000000000002")
        self.assertEqual(len(out["SequenceNumber"]), 56)
        it = s.iterator("shardId-000000000002", "AT_SEQUENCE_NUMBER",
                        out["SequenceNumber"])
        got = s.get_records(it)
        self.assertEqual([r["Data"] for r in got["Records"]], [b"2"])
        self.assertEqual(got["Records"][0]["PartitionKey"], "b")
        self.assertEqual(got["Records"][0]["ApproximateArrivalTimestamp"],
                         1704067200000)
        self.assertEqual(got["MillisBehindLatest"], 0)
        self.assertIsNotNone(got["NextShardIterator"])
        res = s.put_records([(b"x", "a"), {"Data": b"y", "PartitionKey": "z",
                                           "ExplicitHashKey": 2 ** 128 - 1}])
        self.assertEqual(res["FailedRecordCount"], 0)
        self.assertEqual(res["Records"][1]["ShardId"], "shardId-000000000003")
        self.assertEqual(s.summary()["OpenShardCount"], 4)

    def test_errors(self):
        with self.assertRaises(ClientError) as e:
            self.b.get_stream("nope")
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")
        s = self.b.create_stream("s", shards=1)
        with self.assertRaises(ClientError) as e:
            self.b.create_stream("s", shards=1)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ResourceInUseException")
        it = s.iterator("shardId-000000000000", "LATEST")
        self.b.advance(300001)
        with self.assertRaises(ClientError) as e:
            s.get_records(it)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ExpiredIteratorException")
        for _ in range(1000):
            s.put(b"x", "k")
        with self.assertRaises(ClientError) as e:
            s.put(b"x", "k")
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "ProvisionedThroughputExceededException")

    def test_reader_keeps_key_order_across_a_reshard(self):
        s = self.b.create_stream("s", shards=1)
        s.set_throttling(False)
        for i in range(3):
            s.put(str(i), "k")
        s.split("shardId-000000000000", HALF)
        self.b.drain()
        for i in range(3, 6):
            s.put(str(i), "k")
        reader = s.reader()
        self.assertIsInstance(reader, StreamReader)
        first = [r.data for r in reader]
        self.assertEqual(first, [b"0", b"1", b"2", b"3", b"4", b"5"])
        self.assertEqual(reader.checkpoints["shardId-000000000000"],
                         "SHARD_END")
        # Resuming from the checkpoints yields only what is new.
        s.put("6", "k")
        again = s.reader(reader.checkpoints)
        self.assertEqual([r.data for r in again], [b"6"])
        self.assertEqual(list(again), [])

    def test_reader_polls_within_aws_read_limits(self):
        """With AWS's per-shard limit of 5 GetRecords a second (on by
        default), a reader polled again in the same second raised
        ProvisionedThroughputExceededException: each pass read every shard
        twice more after reaching its tip."""
        s = self.b.create_stream("polled", shards=1)
        reader = s.reader()
        got = []
        for i in range(4):
            s.put(str(i), "k")
            got += [r.data for r in reader]
        self.assertEqual(got, [b"0", b"1", b"2", b"3"])
        # A full batch is not the tip, even when no time passed.
        self.b.advance(1000)
        paged = s.reader(limit=3)
        self.assertEqual([r.data for r in paged], got)

    def test_integer_parameters_take_whole_floats_only(self):
        """shards=2.0 or update_shard_count(1.5) raised
        ctypes.ArgumentError; a whole float is its int, anything else a
        TypeError naming the parameter."""
        s = self.b.create_stream("floats", shards=2.0)
        self.assertEqual(len(s.shards()), 2)
        s.increase_retention(48.0)
        self.assertEqual(s.summary()["RetentionPeriodHours"], 48)
        for call, name in ((lambda: s.update_shard_count(1.5), "target"),
                           (lambda: s.decrease_retention("24"), "hours"),
                           (lambda: s.get_records(
                               s.iterator("shardId-000000000000"), 2.5),
                            "limit"),
                           (lambda: self.b.create_stream("x", 0.5),
                            "shards")):
            with self.assertRaisesRegex(TypeError,
                                        "^%s must be an integer" % name):
                call()

    def test_resource_policy_through_call(self):
        """PutResourcePolicy keeps the text as given; GetResourcePolicy
        answers "{}" when none is set; a policy that is no JSON object is
        InvalidArgumentException and leaves the stored one."""
        s = self.b.create_stream("shared", shards=1)
        policy = '{"Version": "2012-10-17", "Statement": []}'
        self.assertEqual(self.b.call("kinesis", "GetResourcePolicy",
                                     ResourceARN=s.arn)["Policy"], "{}")
        self.b.call("kinesis", "PutResourcePolicy", ResourceARN=s.arn,
                    Policy=policy)
        with self.assertRaises(ClientError) as e:
            self.b.call("kinesis", "PutResourcePolicy", ResourceARN=s.arn,
                        Policy="not json")
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "InvalidArgumentException")
        self.assertEqual(self.b.call("kinesis", "GetResourcePolicy",
                                     ResourceARN=s.arn)["Policy"], policy)
        self.b.call("kinesis", "DeleteResourcePolicy", ResourceARN=s.arn)
        self.assertEqual(self.b.call("kinesis", "GetResourcePolicy",
                                     ResourceARN=s.arn)["Policy"], "{}")

    def test_warm_throughput_through_call(self):
        """UpdateAccountSettings enables the minimum throughput billing
        commitment (timestamps as boto3's datetimes); then an on-demand
        stream takes a warm throughput, UPDATING until the broker scales
        it; without the commitment it is InvalidArgumentException."""
        self.b.call("kinesis", "CreateStream", StreamName="od")
        with self.assertRaises(ClientError) as e:
            self.b.call("kinesis", "UpdateStreamWarmThroughput",
                        StreamName="od", WarmThroughputMiBps=8)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "InvalidArgumentException")
        c = self.b.call("kinesis", "UpdateAccountSettings",
                        MinimumThroughputBillingCommitment={
                            "Status": "ENABLED"})[
                                "MinimumThroughputBillingCommitment"]
        self.assertEqual(c["Status"], "ENABLED")
        self.assertEqual(c["StartedAt"],
                         datetime.datetime(2024, 1, 1, tzinfo=UTC))
        self.assertEqual(c["EarliestAllowedEndAt"],
                         datetime.datetime(2024, 1, 2, tzinfo=UTC))
        out = self.b.call("kinesis", "UpdateStreamWarmThroughput",
                          StreamName="od", WarmThroughputMiBps=8)
        self.assertEqual(out["WarmThroughput"],
                         {"CurrentMiBps": 4, "TargetMiBps": 8})

        def summary():
            return self.b.call("kinesis", "DescribeStreamSummary",
                               StreamName="od")["StreamDescriptionSummary"]
        self.assertEqual(summary()["StreamStatus"], "UPDATING")
        self.b.drain()
        self.assertEqual(summary()["WarmThroughput"],
                         {"CurrentMiBps": 8, "TargetMiBps": 8})
        self.assertEqual(summary()["OpenShardCount"], 8)


if __name__ == "__main__":
    unittest.main()
