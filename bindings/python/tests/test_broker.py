"""The Python binding: broker options, the manual clock, errors in
botocore's ClientError shape, lifetime, and the log callback."""
import datetime
import gc
import os
import subprocess
import sys
import unittest
import weakref

import awsevents
from awsevents import Broker, ClientError, create_function
from awsevents import broker as broker_module
from awsevents.errors import error_response

START_2024 = 1704067200000  # 2024-01-01T00:00:00Z


class Defaults(unittest.TestCase):
    def test_stepfunctions_is_boto3s_name_for_states(self):
        """boto3.client("stepfunctions") calls what call("states", ...)
        does; the name boto3 gives was an unknown service."""
        b = Broker(clock="manual", workers=0)
        try:
            created = b.call(
                "stepfunctions", "CreateStateMachine", name="m",
                roleArn="arn:aws:iam::123456789012:role/r",
                definition='{"StartAt": "P", "States": '
                           '{"P": {"Type": "Pass", "End": true}}}')
            listed = b.call("states", "ListStateMachines")
            self.assertEqual(listed["stateMachines"][0]["stateMachineArn"],
                             created["stateMachineArn"])
        finally:
            b.close()

    def test_defaults(self):
        with Broker() as b:
            self.assertEqual(b.region, "us-east-1")
            self.assertEqual(b.account, "000000000000")
            self.assertEqual(b.clock, "real")
            self.assertGreater(b.now_ms, START_2024)

    def test_options(self):
        with Broker(region="eu-west-1", account="123456789012",
                    clock="manual", start_time_ms=5000, workers=0,
                    seed=7) as b:
            self.assertEqual(b.region, "eu-west-1")
            self.assertEqual(b.account, "123456789012")
            self.assertEqual(b.clock, "manual")
            self.assertEqual(b.now_ms, 5000)

    def test_bad_options_raise_client_error(self):
        with self.assertRaises(ClientError) as cm:
            Broker(account="not-an-account")
        self.assertEqual(cm.exception.operation_name, "CreateBroker")
        self.assertTrue(cm.exception.response["Error"]["Code"])
        with self.assertRaises(ValueError):
            Broker(clock="sundial")
        with self.assertRaises(ValueError):
            Broker(seed=-1)
        with self.assertRaisesRegex(TypeError, "callable"):
            Broker(log="broker.log")

    def test_a_start_time_needs_the_manual_clock(self):
        # Broker's clock is "real" unless told: the start time was dropped
        # unseen and the broker showed the wall clock.
        with self.assertRaises(ClientError) as cm:
            Broker(start_time_ms=5000)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "InvalidParameterValue")
        self.assertIn("manual clock only", err["Message"])

    def test_start_time_from_arithmetic(self):
        """start_time_ms=time.time() * 1000 raised ctypes.ArgumentError."""
        with Broker(clock="manual", start_time_ms=86400 * 1000.0) as b:
            self.assertEqual(b.now_ms, 86400 * 1000)
        with self.assertRaisesRegex(TypeError, "start_time_ms .*milliseconds"):
            Broker(clock="manual", start_time_ms=1.5)

    def test_integer_options_take_whole_floats_only(self):
        """workers=1.5 or seed=2.5 raised ctypes.ArgumentError "wrong
        type"; a whole float is its int, anything else a TypeError naming
        the option."""
        with Broker(clock="manual", workers=0.0, seed=7.0) as b:
            b.advance(1.0)
        for options, name in (({"workers": 1.5}, "workers"),
                              ({"seed": "7"}, "seed")):
            with self.assertRaisesRegex(TypeError,
                                        "^%s must be an integer" % name):
                Broker(clock="manual", **options)

    def test_names_that_are_not_str_say_so(self):
        """create_queue(5), create_topic(None) and the like raised
        AttributeError "'int' object has no attribute 'encode'" from deep
        inside the binding; they are a TypeError naming the parameter."""
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                       "End": True}}}
        with Broker(clock="manual", workers=0) as b:
            q = b.create_queue("q")
            t = b.create_topic("t")
            calls = (
                (lambda: b.create_queue(5), "name", "int"),
                (lambda: b.get_queue(None), "name_url_or_arn", "NoneType"),
                (lambda: b.create_topic(None), "name", "NoneType"),
                (lambda: b.get_topic(b"t"), "name_or_arn", "bytes"),
                (lambda: b.create_bus(5), "name", "int"),
                (lambda: b.get_bus(5), "name_or_arn", "int"),
                (lambda: b.create_stream(5), "name", "int"),
                (lambda: b.create_delivery_stream(5), "name", "int"),
                (lambda: b.create_state_machine(5, definition), "name",
                 "int"),
                (lambda: b.create_activity(None), "name", "NoneType"),
                (lambda: awsevents.create_function(b, 5, lambda e, c: e),
                 "name", "int"),
                (lambda: b.get_bus().put_rule(5), "name", "int"),
                (lambda: t.set_attribute(5, "x"), "name", "int"),
                (lambda: q.attributes([5]), "names", "int"),
                (lambda: q.receive(attribute_names=5), "attribute_names",
                 "int"))
            for call, name, kind in calls:
                with self.assertRaisesRegex(
                        TypeError, "^%s must be a str, got %s$" % (name, kind)):
                    call()

    def test_blobs_in_responses_are_bytes_as_boto3_gives_them(self):
        """A Binary message attribute's BinaryValue and a Kinesis record's
        Data came back from call() as base64 text; boto3 (and the typed
        API) give bytes."""
        with Broker(clock="manual", workers=0) as b:
            q = b.create_queue("q")
            q.send("x", attributes={
                "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
                "str": {"DataType": "String", "StringValue": "AAE="}})
            [m] = b.call("sqs", "ReceiveMessage", QueueUrl=q.url,
                         MessageAttributeNames=["All"])["Messages"]
            self.assertEqual(m["MessageAttributes"], {
                "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
                "str": {"DataType": "String", "StringValue": "AAE="}})
            self.assertNotIn("Messages",
                             b.call("sqs", "ReceiveMessage", QueueUrl=q.url))
            s = b.create_stream("s")
            s.put(b"\xff\x00", "k")
            it = b.call("kinesis", "GetShardIterator", StreamName="s",
                        ShardId="shardId-000000000000",
                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = b.call("kinesis", "GetRecords",
                             ShardIterator=it)["Records"]
            self.assertEqual([r["Data"] for r in records], [b"\xff\x00"])

    def test_timestamps_in_responses_are_datetimes_as_boto3_gives_them(self):
        """call() gave epoch seconds (the wire's form) where boto3 gives
        aware datetimes: code moving to boto3 broke on every startDate."""
        start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        with Broker(clock="manual", workers=0) as b:
            created = b.call(
                "stepfunctions", "CreateStateMachine", name="m",
                roleArn="arn:aws:iam::123456789012:role/r",
                definition='{"StartAt": "W", "States": {"W": {"Type": '
                           '"Wait", "Seconds": 90, "End": true}}}')
            self.assertEqual(created["creationDate"], start)
            arn = b.call("states", "StartExecution",
                         stateMachineArn=created["stateMachineArn"],
                         )["executionArn"]
            b.advance(90_000)
            described = b.call("states", "DescribeExecution",
                               executionArn=arn)
            self.assertEqual(described["startDate"], start)
            self.assertEqual(described["stopDate"],
                             start + datetime.timedelta(seconds=90))
            events = b.call("states", "GetExecutionHistory",
                            executionArn=arn)["events"]
            self.assertTrue(all(isinstance(e["timestamp"], datetime.datetime)
                                for e in events))
            self.assertEqual(events[-1]["timestamp"], described["stopDate"])
            b.call("kinesis", "CreateStream", StreamName="s", ShardCount=1)
            summary = b.call("kinesis", "DescribeStreamSummary",
                             StreamName="s")["StreamDescriptionSummary"]
            self.assertEqual(summary["StreamCreationTimestamp"],
                             start + datetime.timedelta(seconds=90))
            archive = b.call(
                "events", "CreateArchive", ArchiveName="a",
                EventSourceArn="arn:aws:events:us-east-1:000000000000:"
                               "event-bus/default")
            self.assertEqual(archive["CreationTime"].tzinfo,
                             datetime.timezone.utc)
            self.assertEqual(b.call("events", "ListArchives")["Archives"][0]
                             ["CreationTime"], archive["CreationTime"])
            # SubscribeToShard's event stream: a list of its events here.
            arn = summary["StreamARN"]
            consumer = b.call("kinesis", "RegisterStreamConsumer",
                              StreamARN=arn, ConsumerName="c")["Consumer"]
            b.advance(10_000)
            b.call("kinesis", "PutRecord", StreamName="s", Data=b"\x00hi",
                   PartitionKey="k")
            [event] = b.call(
                "kinesis", "SubscribeToShard",
                ConsumerARN=consumer["ConsumerARN"],
                ShardId="shardId-000000000000",
                StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
            [record] = event["SubscribeToShardEvent"]["Records"]
            self.assertEqual(record["Data"], b"\x00hi")
            self.assertEqual(record["ApproximateArrivalTimestamp"],
                             start + datetime.timedelta(seconds=100))

    def test_answers_carry_boto3s_response_metadata(self):
        """boto3 adds ResponseMetadata to every answer, and code checks its
        HTTPStatusCode; call() added it to errors only."""
        with Broker(clock="manual", workers=0) as b:
            meta = b.call("sqs", "CreateQueue",
                          QueueName="q")["ResponseMetadata"]
            self.assertEqual(meta["HTTPStatusCode"], 200)
            self.assertEqual(sorted(meta), ["HTTPHeaders", "HTTPStatusCode",
                                            "RequestId", "RetryAttempts"])
            self.assertEqual(set(b.call("sqs", "ReceiveMessage",
                                        QueueUrl=b.get_queue("q").url)),
                             {"ResponseMetadata"})
            create_function(b, "f", lambda event, context: None)
            self.assertEqual(b.call("lambda", "GetFunction", FunctionName="f")
                             ["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertEqual(b.call("lambda", "Invoke", FunctionName="f",
                                    InvocationType="Event")
                             ["ResponseMetadata"]["HTTPStatusCode"], 202)
            self.assertEqual(b.call("lambda", "PublishVersion",
                                    FunctionName="f")
                             ["ResponseMetadata"]["HTTPStatusCode"], 201)

    def test_integers_beyond_what_c_takes_are_refused(self):
        """ctypes wrapped them silently: advance(2**64) advanced by 0 and
        send(delay=2**32) sent with no delay (AWS refuses a delay over
        900 s). They are a ValueError giving the range."""
        with Broker(clock="manual", workers=0) as b:
            now = b.now_ms
            with self.assertRaisesRegex(
                    ValueError, r"^ms must be in \[-2\*\*63, 2\*\*63\), "
                                r"got 18446744073709551616$"):
                b.advance(2 ** 64)
            self.assertEqual(b.now_ms, now)
            q = b.create_queue("q")
            with self.assertRaisesRegex(ValueError, r"^delay must be in "
                                                    r"\[-2\*\*31, 2\*\*31\)"):
                q.send("x", delay=2 ** 32)
            self.assertEqual(q.receive(), [])
        with self.assertRaisesRegex(ValueError, r"^seed must be in "
                                                r"\[0, 2\*\*64\)"):
            Broker(seed=2 ** 64)

    def test_library_version(self):
        self.assertRegex(awsevents.library_version(), r"^\d+\.\d+\.\d+$")


class ManualClock(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0)

    def tearDown(self):
        self.b.close()

    def test_starts_at_2024(self):
        self.assertEqual(self.b.now_ms, START_2024)

    def test_advance_and_drain(self):
        self.b.advance(1000)
        self.assertEqual(self.b.now_ms, START_2024 + 1000)
        self.b.drain()
        self.b.advance(0)
        self.assertEqual(self.b.now_ms, START_2024 + 1000)
        self.assertIsNone(self.b.next_deadline())

    def test_advance_errors(self):
        with self.assertRaises(ClientError) as cm:
            self.b.advance(-1)
        self.assertEqual(cm.exception.operation_name, "Advance")
        self.assertTrue(cm.exception.response["Error"]["Code"])
        self.assertTrue(cm.exception.response["Error"]["Message"])
        with Broker(clock="real", workers=0) as real:
            with self.assertRaises(ClientError):
                real.advance(10)

    def test_advance_by_a_computed_float(self):
        """advance(2.5 * 60_000) raised ctypes.ArgumentError "wrong type";
        a whole number of ms as a float is that many ms, anything else a
        TypeError that says what advance takes."""
        self.b.advance(2.5 * 60_000)
        self.assertEqual(self.b.now_ms, START_2024 + 150_000)
        for bad in (1.5, "10", None):
            with self.assertRaisesRegex(TypeError, "milliseconds"):
                self.b.advance(bad)
        self.assertEqual(self.b.now_ms, START_2024 + 150_000)


class Errors(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0)

    def tearDown(self):
        self.b.close()

    def test_unknown_operation(self):
        with self.assertRaises(ClientError) as cm:
            self.b.call("sqs", "NoSuchAction", QueueUrl="x")
        e = cm.exception
        self.assertEqual(e.operation_name, "NoSuchAction")
        err = e.response["Error"]
        self.assertEqual(err["Code"], "UnknownOperationException")
        self.assertIn("NoSuchAction", err["Message"])
        meta = e.response["ResponseMetadata"]
        self.assertEqual(meta["HTTPStatusCode"], 400)
        self.assertTrue(meta["RequestId"])
        self.assertEqual(str(e), "An error occurred (UnknownOperationException)"
                         " when calling the NoSuchAction operation: "
                         + err["Message"])

    def test_unknown_service(self):
        with self.assertRaises(ClientError) as cm:
            self.b.call("s3", "PutObject", Body=b"\x00\xff")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "UnknownOperationException")

    def test_bytes_are_sent_as_base64(self):
        self.assertEqual(broker_module._encode(b"\x00\xff"), "AP8=")
        self.assertEqual(broker_module._encode(bytearray(b"foobar")),
                         "Zm9vYmFy")
        with self.assertRaises(TypeError):
            self.b.call("sqs", "SendMessage", MessageBody=object())

    def test_datetimes_are_sent_as_epoch_seconds(self):
        """boto3 takes datetimes for timestamp members and sends epoch
        seconds over the JSON protocol; a naive one is UTC, as in botocore.
        call() raised "'datetime' is not JSON serializable"."""
        utc = datetime.timezone.utc
        plus_one = datetime.timezone(datetime.timedelta(hours=1))
        for when in (datetime.datetime(2024, 1, 1),
                     datetime.datetime(2024, 1, 1, tzinfo=utc),
                     datetime.datetime(2024, 1, 1, 1, tzinfo=plus_one)):
            self.assertEqual(broker_module._encode(when), START_2024 / 1000)
        self.b.call("kinesis", "CreateStream", StreamName="s", ShardCount=1)
        out = self.b.call("kinesis", "GetShardIterator", StreamName="s",
                          ShardId="shardId-000000000000",
                          ShardIteratorType="AT_TIMESTAMP",
                          Timestamp=datetime.datetime(2024, 1, 1))
        self.assertIn("ShardIterator", out)

    def test_sqs_codes_are_the_ones_boto3_shows(self):
        r = error_response("sqs", "QueueDoesNotExist", "gone")
        self.assertEqual(r["Error"], {
            "Code": "AWS.SimpleQueueService.NonExistentQueue",
            "Message": "gone", "QueryErrorCode": "QueueDoesNotExist",
            "Type": "Sender"})
        self.assertEqual(error_response("sqs", "QueueNameExists", "")
                         ["Error"]["Code"], "QueueAlreadyExists")
        self.assertEqual(error_response("sqs", "InvalidParameterValue", "")
                         ["Error"]["Code"], "InvalidParameterValue")
        # What AWS answered boto3 (LocalStack's recorded test_sqs.py
        # snapshots): the JSON protocol's type names these two differently.
        for shape, code, query_code in (
                ("InvalidParameterValue", "InvalidParameterValue",
                 "InvalidParameterValueException"),
                ("MissingParameter", "MissingParameter",
                 "MissingRequiredParameterException"),
                ("InvalidAttributeName", "InvalidAttributeName",
                 "InvalidAttributeName")):
            err = error_response("sqs", shape, "")["Error"]
            self.assertEqual((err["Code"], err["QueryErrorCode"]),
                             (code, query_code))
        url = self.b.call("sqs", "CreateQueue", QueueName="q")["QueueUrl"]
        with self.assertRaises(ClientError) as e:
            self.b.call("sqs", "ReceiveMessage", QueueUrl=url,
                        MaxNumberOfMessages=11)
        self.assertEqual(e.exception.response["Error"]["QueryErrorCode"],
                         "InvalidParameterValueException")
        self.assertEqual(error_response("sqs", "OverLimit", "")
                         ["ResponseMetadata"]["HTTPStatusCode"], 403)
        other = error_response("kinesis", "ResourceNotFoundException", "m")
        self.assertEqual(other["Error"], {
            "Code": "ResourceNotFoundException", "Message": "m"})
        self.assertEqual(error_response("lambda", "TooManyRequestsException",
                                        "")["ResponseMetadata"]
                         ["HTTPStatusCode"], 429)


class Lifetime(unittest.TestCase):
    def test_close_twice(self):
        b = Broker(clock="manual", workers=0)
        b.close()
        self.assertTrue(b.closed)
        b.close()

    def test_use_after_close(self):
        b = Broker(clock="manual", workers=0)
        b.close()
        for use in (lambda: b.now_ms, lambda: b.advance(1), b.drain,
                    b.next_deadline, lambda: b.call("sqs", "ListQueues")):
            with self.assertRaises(ValueError):
                use()

    def test_context_manager_closes(self):
        with Broker(clock="manual", workers=0) as b:
            self.assertFalse(b.closed)
        self.assertTrue(b.closed)
        with self.assertRaises(RuntimeError):
            with Broker(clock="manual", workers=0) as b2:
                raise RuntimeError("boom")
        self.assertTrue(b2.closed)

    def test_garbage_collected_broker_is_destroyed(self):
        b = Broker(clock="manual", workers=0)
        ref = weakref.ref(b)
        del b
        gc.collect()
        self.assertIsNone(ref())

    def test_open_brokers_are_closed_at_exit(self):
        # A child interpreter exits with a broker (and a log callback)
        # still open; atexit must destroy it cleanly.
        code = ("import awsevents\n"
                "msgs = []\n"
                "b = awsevents.Broker(clock='manual', workers=0,\n"
                "    log=lambda level, m: msgs.append(m), log_level=3)\n"
                "b.advance(5)\n"
                "print('open', b.now_ms, flush=True)\n")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.dirname(os.path.dirname(awsevents.__file__))] +
            [p for p in [env.get("PYTHONPATH")] if p])
        p = subprocess.run([sys.executable, "-c", code], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "open %d\n" % (START_2024 + 5))
        self.assertEqual(p.stderr, "")


class LogCallback(unittest.TestCase):
    def test_callback_lives_until_release(self):
        seen = []
        before = len(broker_module._callbacks)
        b = Broker(clock="manual", workers=0, log_level=awsevents.LOG_DEBUG,
                   log=lambda level, msg: seen.append((level, msg)))
        self.assertEqual(len(broker_module._callbacks), before + 1)
        gc.collect()  # the thunk must survive: the library holds it
        b.advance(10)
        b.close()
        # destroy called release: the registration is gone.
        self.assertEqual(len(broker_module._callbacks), before)
        for level, msg in seen:
            self.assertIn(level, range(4))
            self.assertIsInstance(msg, str)

    def test_failed_creation_releases_the_callback(self):
        before = len(broker_module._callbacks)
        with self.assertRaises(ClientError):
            Broker(account="bad", log=lambda level, msg: None)
        self.assertEqual(len(broker_module._callbacks), before)


if __name__ == "__main__":
    unittest.main()
