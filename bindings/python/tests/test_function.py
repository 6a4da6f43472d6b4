"""Python handlers as Lambda functions: invocation through the API and the
handle, exceptions as Lambda errors, the context object, a queue mapped to
a handler with AWS's SQS event shape, Event invocations with retries on
the manual clock, provisioned concurrency, and recursive loop detection."""
import base64
import datetime
import decimal
import gc
import hashlib
import io
import json
import sys
import unittest
import zipfile

from awsevents import (Broker, ClientError, Function, create_function,
                       register_handler, set_account_concurrency)

URL = "https://sqs.us-east-1.amazonaws.com/000000000000/"


class Handlers(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=5)

    def tearDown(self):
        self.b.close()

    def test_invoke_returns_the_handler_result(self):
        fn = create_function(self.b, "add", lambda e, c: {"sum": e["a"] + e["b"]})
        r = self.b.call("lambda", "Invoke", FunctionName="add",
                        Payload=json.dumps({"a": 2, "b": 3}))
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(json.loads(r["Payload"]), {"sum": 5})
        self.assertNotIn("FunctionError", r)
        self.assertEqual(fn.invoke({"a": 1, "b": 1}), ({"sum": 2}, None, "$LATEST"))
        self.assertEqual(fn.metrics()["Invocations"], 2)

    def test_invoke_with_response_stream_through_call(self):
        """Each chunk the handler writes is one PayloadChunk (bytes, as
        boto3 gives them), then InvokeComplete; a handler error ends the
        stream with ErrorCode and ErrorDetails."""
        def words(event, context):
            for w in event["words"]:
                context.stream_write(w)
        create_function(self.b, "words", words)
        r = self.b.call("lambda", "InvokeWithResponseStream", FunctionName="words",
                        Payload=json.dumps({"words": ["Hello", "serverless", "world"]}))
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["ResponseStreamContentType"], "application/octet-stream")
        self.assertEqual(r["EventStream"], [
            {"PayloadChunk": {"Payload": b"Hello"}},
            {"PayloadChunk": {"Payload": b"serverless"}},
            {"PayloadChunk": {"Payload": b"world"}},
            {"InvokeComplete": {}}])
        self.assertEqual(self.b.call("lambda", "Invoke", FunctionName="words",
                                     Payload=json.dumps({"words": ["a", "b"]}))
                         ["Payload"].read(), b"ab")

        def boom(event, context):
            context.stream_write(b"part")
            raise ValueError("no more")
        create_function(self.b, "boom", boom)
        r = self.b.call("lambda", "InvokeWithResponseStream", FunctionName="boom")
        self.assertEqual(r["EventStream"], [
            {"PayloadChunk": {"Payload": b"part"}},
            {"InvokeComplete": {"ErrorCode": "ValueError",
                                "ErrorDetails": "no more"}}])
        with self.assertRaises(ClientError) as e:
            self.b.call("lambda", "InvokeWithResponseStream", FunctionName="boom",
                        InvocationType="Event")
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")

    def test_a_result_as_lambdas_python_runtime_marshals_it(self):
        # awslambdaric: bytes are the payload as they are; a Decimal (what
        # boto3 reads from DynamoDB) is written as its own digits, NaN as
        # NaN. Before, both were Runtime.MarshalError.
        item = {"n": decimal.Decimal("1.10"), "s": "x",
                "big": [decimal.Decimal("12345678901234567890")],
                "nan": decimal.Decimal("NaN")}
        create_function(self.b, "item", lambda e, c: item)
        r = self.b.call("lambda", "Invoke", FunctionName="item", Payload="{}")
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["Payload"],
                         '{"n": 1.10, "s": "x", "big": [12345678901234567890], '
                         '"nan": NaN}')
        raw = create_function(self.b, "raw", lambda e, c: b"plain text")
        r = self.b.call("lambda", "Invoke", FunctionName="raw", Payload="{}")
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["Payload"], "plain text")
        self.assertEqual(raw.invoke({}), (b"plain text", None, "$LATEST"))
        # Bytes that are not UTF-8: Invoke's Payload (text here, where
        # Lambda's is a blob) shows '?' for the byte that begins no
        # character; the typed call gives the bytes themselves.
        odd = create_function(self.b, "odd", lambda e, c: b"\xff\x00ok\xc3\xa9")
        r = self.b.call("lambda", "Invoke", FunctionName="odd", Payload="{}")
        self.assertEqual(r["Payload"], "?\x00ok\u00e9")
        self.assertEqual(odd.invoke({})[0], b"\xff\x00ok\xc3\xa9")

    def test_invoke_payload_as_boto3_sends_and_reads_it(self):
        """boto3 sends Invoke's Payload as bytes (the HTTP body) and answers
        a stream: call() base64-encoded the bytes (the JSON protocol's way
        with blobs), which Lambda refused as unparsable, and answered a str
        without read()."""
        create_function(self.b, "echo", lambda e, c: {"got": e})
        for payload in (b'{"a": 1}', bytearray(b'{"a": 1}'),
                        io.BytesIO(b'{"a": 1}'), '{"a": 1}'):
            r = self.b.call("lambda", "Invoke", FunctionName="echo",
                            Payload=payload)
            self.assertEqual(json.loads(r["Payload"].read()),
                             {"got": {"a": 1}})
            self.assertEqual(r["Payload"].read(), b"")
            self.assertEqual(json.loads(r["Payload"]), {"got": {"a": 1}})
        r = self.b.call("lambda", "Invoke", FunctionName="echo",
                        Payload=b'{"a": 1}')
        self.assertEqual(r["Payload"].read(3), b'{"g')

    def test_account_concurrency_limit(self):
        settings = self.b.call("lambda", "GetAccountSettings")
        limit = settings["AccountLimit"]
        self.assertEqual(limit["ConcurrentExecutions"], 1000)
        self.assertEqual(limit["UnreservedConcurrentExecutions"], 1000)
        self.assertEqual(limit["CodeSizeZipped"], 52428800)
        self.assertEqual(settings["AccountUsage"],
                         {"FunctionCount": 0, "TotalCodeSize": 0})
        set_account_concurrency(self.b, 3000)
        create_function(self.b, "big", lambda e, c: e)
        self.b.call("lambda", "PutFunctionConcurrency", FunctionName="big",
                    ReservedConcurrentExecutions=2900)
        limit = self.b.call("lambda", "GetAccountSettings")["AccountLimit"]
        self.assertEqual(limit["UnreservedConcurrentExecutions"], 100)
        with self.assertRaises(ClientError) as e:
            set_account_concurrency(self.b, 2999)
        self.assertEqual(e.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")

    def test_exception_becomes_lambda_error(self):
        def handler(event, context):
            raise ValueError("bad input %s" % event["x"])
        create_function(self.b, "boom", handler)
        r = self.b.call("lambda", "Invoke", FunctionName="boom",
                        Payload='{"x": 7}')
        self.assertEqual(r["FunctionError"], "Unhandled")
        err = json.loads(r["Payload"])
        self.assertEqual(err["errorType"], "ValueError")
        self.assertEqual(err["errorMessage"], "bad input 7")
        self.assertEqual(len(err["requestId"]), 36)
        self.assertTrue(any("raise ValueError" in line
                            for line in err["stackTrace"]))

    def test_context_fields(self):
        seen = {}

        def handler(event, context):
            seen.update(name=context.function_name,
                        version=context.function_version,
                        arn=context.invoked_function_arn,
                        memory=context.memory_limit_in_mb,
                        group=context.log_group_name,
                        remaining=context.get_remaining_time_in_millis(),
                        stage=context.env("STAGE"))
            return None
        create_function(self.b, "ctx", handler, Timeout=9, MemorySize=256,
                        Environment={"Variables": {"STAGE": "dev"}})
        self.b.call("lambda", "Invoke", FunctionName="ctx")
        self.assertEqual(seen, {
            "name": "ctx", "version": "$LATEST",
            "arn": "arn:aws:lambda:us-east-1:000000000000:function:ctx",
            "memory": 256, "group": "/aws/lambda/ctx", "remaining": 9000,
            "stage": "dev"})

    def test_create_function_through_call(self):
        register_handler(self.b, "app.handler", lambda e, c: "hi " + e)
        self.b.call("lambda", "CreateFunction", FunctionName="greet",
                    Handler="app.handler", Runtime="python3.12")
        r = self.b.call("lambda", "Invoke", FunctionName="greet",
                        Payload='"ann"')
        self.assertEqual(r["Payload"], '"hi ann"')
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "CreateFunction", FunctionName="x",
                        Handler="missing")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")

    def test_update_function_code_through_call_and_the_handle(self):
        # Lambda reports the package's SHA-256 in base64 and its size; the
        # handler stays the code that runs.
        def package(text):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("index.py", text)
            return buf.getvalue()

        def sha(data):
            return base64.b64encode(hashlib.sha256(data).digest()).decode()

        v1, v2, v3 = package("v1"), package("v2"), package("v3")
        register_handler(self.b, "app.handler", lambda e, c: "hi " + e)
        created = self.b.call("lambda", "CreateFunction", FunctionName="greet",
                              Handler="app.handler", Runtime="python3.12",
                              Code={"ZipFile": v1})
        self.assertEqual(created["CodeSha256"], sha(v1))
        self.assertEqual(created["CodeSize"], len(v1))
        r = self.b.call("lambda", "UpdateFunctionCode", FunctionName="greet",
                        ZipFile=v2, Publish=True)
        self.assertEqual((r["CodeSha256"], r["Version"]), (sha(v2), "1"))
        self.assertEqual(r["State"], "Pending")  # a version being created
        got = self.b.call("lambda", "GetFunction", FunctionName="greet")
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        self.assertEqual(got["Configuration"]["CodeSize"], len(v2))
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "UpdateFunctionCode", FunctionName="greet",
                        ZipFile=b"not a zip")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Could not unzip uploaded file. Please check your "
                         "file, then try to upload again.")
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "PublishVersion", FunctionName="greet",
                        CodeSha256=sha(v1))
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")
        fn = create_function(self.b, "typed", lambda e, c: "typed " + e)
        conf = fn.update_code(ZipFile=v3)
        self.assertEqual(conf["CodeSha256"], sha(v3))
        self.assertEqual(fn.invoke("x")[0], "typed x")
        with self.assertRaises(ClientError) as cm:
            fn.update_code(ZipFile=v3, RevisionId="stale")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "PreconditionFailedException")
        self.assertEqual(fn.update_code(ZipFile=v1, DryRun=True)["CodeSha256"], sha(v1))
        self.assertEqual(self.b.call("lambda", "GetFunctionConfiguration",
                                     FunctionName=fn.name)["CodeSha256"], sha(v3))
        fn.close()

    def test_queue_mapped_to_a_handler(self):
        batches = []

        def handler(event, context):
            batches.append(event)
            return {"batchItemFailures": []}
        create_function(self.b, "consumer", handler)
        q = self.b.call("sqs", "CreateQueue", QueueName="orders")["QueueUrl"]
        self.b.call("lambda", "CreateEventSourceMapping",
                    EventSourceArn="arn:aws:sqs:us-east-1:000000000000:orders",
                    FunctionName="consumer",
                    FunctionResponseTypes=["ReportBatchItemFailures"])
        sent = self.b.call("sqs", "SendMessage", QueueUrl=q,
                           MessageBody="order 1")
        self.b.drain()
        self.assertEqual(len(batches), 1)
        rec = batches[0]["Records"][0]
        self.assertEqual(sorted(rec), sorted([
            "messageId", "receiptHandle", "body", "attributes",
            "messageAttributes", "md5OfMessageAttributes", "md5OfBody",
            "eventSource", "eventSourceARN", "awsRegion"]))
        self.assertEqual(rec["messageId"], sent["MessageId"])
        self.assertEqual(rec["body"], "order 1")
        self.assertEqual(rec["eventSource"], "aws:sqs")
        self.assertEqual(rec["attributes"]["ApproximateReceiveCount"], "1")
        self.assertIsNone(rec["md5OfMessageAttributes"])
        self.b.advance(60000)
        self.assertNotIn("Messages",
                         self.b.call("sqs", "ReceiveMessage", QueueUrl=q))

    def test_queue_mapping_outlives_its_function(self):
        # Lambda keeps a mapping when its function is deleted: listed under
        # the function's name, its batches failing until a function of
        # that name exists again, then deleted on its own.
        create_function(self.b, "worker", lambda e, c: None)
        q = self.b.call("sqs", "CreateQueue", QueueName="jobs")["QueueUrl"]
        uuid = self.b.call("lambda", "CreateEventSourceMapping",
                           EventSourceArn="arn:aws:sqs:us-east-1:000000000000:jobs",
                           FunctionName="worker")["UUID"]
        self.b.call("lambda", "DeleteFunction", FunctionName="worker")
        listed = self.b.call("lambda", "ListEventSourceMappings",
                             FunctionName="worker")["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in listed], [uuid])
        self.b.call("sqs", "SendMessage", QueueUrl=q, MessageBody="job 1")
        self.b.drain()
        got = self.b.call("lambda", "GetEventSourceMapping", UUID=uuid)
        self.assertEqual(got["State"], "Enabled")
        self.assertEqual(got["LastProcessingResult"],
                         "PROBLEM: Function not found.")
        bodies = []
        create_function(self.b, "worker",
                        lambda e, c: bodies.extend(r["body"] for r in e["Records"]))
        self.b.advance(30000)
        self.assertEqual(bodies, ["job 1"])
        self.assertEqual(self.b.call("lambda", "DeleteEventSourceMapping",
                                     UUID=uuid)["State"], "Deleting")
        self.assertEqual(self.b.call("lambda", "ListEventSourceMappings",
                                     FunctionName="worker")["EventSourceMappings"], [])

    def test_queue_mapping_refuses_a_stream_member(self):
        # Lambda scopes MaximumRetryAttempts to streams and refuses it on a
        # queue mapping, on Create and on Update; the mapping stays as it was.
        create_function(self.b, "worker", lambda e, c: None)
        self.b.call("sqs", "CreateQueue", QueueName="jobs")
        arn = "arn:aws:sqs:us-east-1:000000000000:jobs"
        msg = ("Unsupported 'maximumRetryAttempts' parameter for given "
               "event source mapping type.")
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "CreateEventSourceMapping",
                        EventSourceArn=arn, FunctionName="worker",
                        MaximumRetryAttempts=2)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")
        self.assertEqual(cm.exception.response["Error"]["Message"], msg)
        self.assertEqual(self.b.call("lambda", "ListEventSourceMappings",
                                     FunctionName="worker")["EventSourceMappings"], [])
        uuid = self.b.call("lambda", "CreateEventSourceMapping",
                           EventSourceArn=arn, FunctionName="worker",
                           BatchSize=5)["UUID"]
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "UpdateEventSourceMapping", UUID=uuid,
                        BatchSize=7, MaximumRetryAttempts=2)
        self.assertEqual(cm.exception.response["Error"]["Message"], msg)
        self.assertEqual(self.b.call("lambda", "GetEventSourceMapping",
                                     UUID=uuid)["BatchSize"], 5)

    def test_stream_mapping_parallelization_factor_update(self):
        seen = []
        create_function(self.b, "reader", lambda e, c: seen.extend(
            (r["kinesis"]["partitionKey"], r["kinesis"]["data"])
            for r in e["Records"]))
        self.b.call("kinesis", "CreateStream", StreamName="s", ShardCount=1)
        arn = self.b.call("kinesis", "DescribeStreamSummary", StreamName="s")[
            "StreamDescriptionSummary"]["StreamARN"]
        uuid = self.b.call("lambda", "CreateEventSourceMapping",
                           EventSourceArn=arn, FunctionName="reader",
                           StartingPosition="TRIM_HORIZON")["UUID"]
        self.b.drain()
        r = self.b.call("lambda", "UpdateEventSourceMapping", UUID=uuid,
                        ParallelizationFactor=4)
        self.assertEqual(r["ParallelizationFactor"], 4)
        for v in ("YQ==", "Yg==", "Yw=="):  # base64, as on the wire
            for k in ("x", "y"):
                self.b.call("kinesis", "PutRecord", StreamName="s",
                            PartitionKey=k, Data=v)
        self.b.drain()
        for k in ("x", "y"):
            self.assertEqual([d for key, d in seen if key == k],
                             ["YQ==", "Yg==", "Yw=="])
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "UpdateEventSourceMapping", UUID=uuid,
                        ParallelizationFactor=11)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(self.b.call("lambda", "GetEventSourceMapping",
                                     UUID=uuid)["ParallelizationFactor"], 4)

    def test_stream_mapping_through_a_consumer(self):
        """EventSourceArn may be an enhanced fan-out consumer's ARN (as
        CDK's KinesisConsumerEventSource sends it): the mapping reads the
        stream through it and answers that ARN; it was "Stream not found"."""
        seen = []
        create_function(self.b, "reader", lambda e, c: seen.extend(
            e["Records"]))
        self.b.call("kinesis", "CreateStream", StreamName="s", ShardCount=1)
        arn = self.b.call("kinesis", "DescribeStreamSummary", StreamName="s")[
            "StreamDescriptionSummary"]["StreamARN"]
        consumer = self.b.call("kinesis", "RegisterStreamConsumer",
                               StreamARN=arn, ConsumerName="c")["Consumer"]
        carn = consumer["ConsumerARN"]
        with self.assertRaises(ClientError) as cm:  # still CREATING
            self.b.call("lambda", "CreateEventSourceMapping",
                        EventSourceArn=carn, FunctionName="reader",
                        StartingPosition="TRIM_HORIZON")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")
        self.b.drain()
        with self.assertRaises(ClientError) as cm:
            self.b.call("lambda", "CreateEventSourceMapping",
                        EventSourceArn=arn + "/consumer/nobody:1",
                        FunctionName="reader", StartingPosition="LATEST")
        self.assertIn("consumer/nobody:1",
                      cm.exception.response["Error"]["Message"])
        m = self.b.call("lambda", "CreateEventSourceMapping",
                        EventSourceArn=carn, FunctionName="reader",
                        StartingPosition="LATEST", BatchSize=5)
        self.assertEqual(m["EventSourceArn"], carn)
        self.b.drain()
        self.b.call("kinesis", "PutRecord", StreamName="s", PartitionKey="k",
                    Data="YQ==")
        self.b.drain()
        [rec] = seen
        self.assertEqual(rec["kinesis"]["data"], "YQ==")
        self.assertEqual(rec["eventSourceARN"], arn)
        [listed] = self.b.call("lambda", "ListEventSourceMappings",
                               EventSourceArn=carn)["EventSourceMappings"]
        self.assertEqual(listed["UUID"], m["UUID"])
        self.assertEqual(listed["LastProcessingResult"], "OK")
        self.b.call("kinesis", "DeregisterStreamConsumer", ConsumerARN=carn)
        self.b.call("kinesis", "PutRecord", StreamName="s", PartitionKey="k",
                    Data="Yg==")
        self.b.advance(60000)
        self.assertEqual(len(seen), 1)
        self.assertEqual(self.b.call("lambda", "GetEventSourceMapping",
                                     UUID=m["UUID"])["LastProcessingResult"],
                         "PROBLEM: Stream consumer not found.")

    def test_a_recursive_loop_through_sns_is_stopped(self):
        # Lambda's recursive loop detection: a handler that publishes to the
        # topic invoking it runs 16 times in one chain; the stopped event
        # goes to the on-failure destination. RecursiveLoop Allow lets the
        # loop run (the handler ends it itself after `cap` runs).
        runs, cap = [], [40]
        topic = self.b.call("sns", "CreateTopic", Name="loop")["TopicArn"]

        def handler(event, context):
            runs.append(event["Records"][0]["Sns"]["Message"])
            if len(runs) < cap[0]:
                self.b.call("sns", "Publish", TopicArn=topic,
                            Message="run %d" % len(runs))
        fn = create_function(self.b, "looper", handler)
        failed = self.b.call("sqs", "CreateQueue", QueueName="failed")["QueueUrl"]
        self.b.call("lambda", "PutFunctionEventInvokeConfig", FunctionName="looper",
                    DestinationConfig={"OnFailure": {
                        "Destination": "arn:aws:sqs:us-east-1:000000000000:failed"}})
        self.b.call("sns", "Subscribe", TopicArn=topic, Protocol="lambda",
                    Endpoint="arn:aws:lambda:us-east-1:000000000000:function:looper")
        self.b.call("sns", "Publish", TopicArn=topic, Message="start")
        self.b.advance(600000)
        self.assertEqual(len(runs), 16)
        self.assertEqual(fn.metrics()["RecursiveInvocationsDropped"], 1)
        got = self.b.call("sqs", "ReceiveMessage", QueueUrl=failed)["Messages"]
        record = json.loads(got[0]["Body"])
        self.assertEqual(record["requestContext"]["condition"],
                         "RecursiveInvocationException")
        self.assertEqual(
            record["requestPayload"]["Records"][0]["Sns"]["Message"], "run 16")

        self.b.call("lambda", "PutFunctionRecursionConfig", FunctionName="looper",
                    RecursiveLoop="Allow")
        runs.clear()
        cap[0] = 30
        self.b.call("sns", "Publish", TopicArn=topic, Message="start")
        self.b.advance(600000)
        self.assertEqual(len(runs), 30)
        self.assertEqual(fn.metrics()["RecursiveInvocationsDropped"], 1)

    def test_versions_and_aliases(self):
        fn = create_function(self.b, "v", lambda e, c: c.function_version)
        self.b.call("lambda", "PublishVersion", FunctionName="v")
        self.b.call("lambda", "CreateAlias", FunctionName="v", Name="prod",
                    FunctionVersion="1")
        self.assertEqual(fn.invoke({}, "prod"), ("1", None, "1"))
        r = self.b.call("lambda", "Invoke", FunctionName="v:prod")
        self.assertEqual((r["ExecutedVersion"], r["Payload"]), ("1", '"1"'))
        with self.assertRaises(ClientError) as cm:
            fn.invoke({}, "nope")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ResourceNotFoundException")

    def test_event_invoke_configs_of_an_alias_are_listed_as_boto3_gives_them(self):
        """ListFunctionEventInvokeConfigs was an unknown operation, and a
        configuration of an alias was refused; boto3 gives LastModified
        as a datetime."""
        create_function(self.b, "cfg", lambda e, c: e)
        self.b.call("lambda", "PublishVersion", FunctionName="cfg")
        self.b.call("lambda", "CreateAlias", FunctionName="cfg", Name="live",
                    FunctionVersion="1")
        self.b.call("lambda", "PutFunctionEventInvokeConfig",
                    FunctionName="cfg", MaximumRetryAttempts=0)
        put = self.b.call("lambda", "PutFunctionEventInvokeConfig",
                          FunctionName="cfg", Qualifier="live",
                          MaximumRetryAttempts=1)
        self.assertTrue(put["FunctionArn"].endswith(":function:cfg:live"))
        configs = self.b.call("lambda", "ListFunctionEventInvokeConfigs",
                              FunctionName="cfg")["FunctionEventInvokeConfigs"]
        self.assertEqual([c["MaximumRetryAttempts"] for c in configs], [0, 1])
        self.assertTrue(all(isinstance(c["LastModified"], datetime.datetime)
                            for c in configs))

    def test_provisioned_concurrency(self):
        fn = create_function(self.b, "warm", lambda e, c: c.function_version)
        self.b.call("lambda", "PublishVersion", FunctionName="warm")
        fn.put_provisioned_concurrency("1", 2)
        self.assertEqual(fn.provisioned_concurrency("1")["Status"], "IN_PROGRESS")
        self.b.advance(60000)
        cfg = fn.provisioned_concurrency("1")
        self.assertEqual((cfg["Status"], cfg["AllocatedProvisionedConcurrentExecutions"]),
                         ("READY", 2))
        self.assertEqual(fn.invoke({}, "1"), ("1", None, "1"))
        self.assertEqual(fn.metrics()["ColdStarts"], 0)
        # It comes out of the unreserved pool, which keeps 100.
        with self.assertRaises(ClientError) as cm:
            fn.put_provisioned_concurrency("1", 901)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "InvalidParameterValueException")
        self.assertIn("decreases account's UnreservedConcurrentExecution below "
                      "its minimum value of [100]", err["Message"])
        self.assertEqual(fn.provisioned_concurrency("1")[
            "RequestedProvisionedConcurrentExecutions"], 2)
        fn.delete_provisioned_concurrency("1")
        with self.assertRaises(ClientError) as cm:
            fn.provisioned_concurrency("1")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ProvisionedConcurrencyConfigNotFoundException")
        with self.assertRaises(ClientError) as cm:
            fn.put_provisioned_concurrency("$LATEST", 1)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValueException")

    def test_event_invocation_retries_on_the_clock(self):
        times = []

        def handler(event, context):
            times.append(self.b.now_ms)
            raise RuntimeError("again")
        create_function(self.b, "flaky", handler)
        r = self.b.call("lambda", "Invoke", FunctionName="flaky",
                        InvocationType="Event", Payload="{}")
        self.assertEqual(r["StatusCode"], 202)
        self.b.advance(600000)
        start = times[0]
        self.assertEqual([t - start for t in times], [0, 60000, 180000])

    def test_a_released_function_raises_instead_of_crashing(self):
        fn = create_function(self.b, "gone", lambda e, c: e)
        fn.release()
        for use in (lambda: fn.name, lambda: fn.arn, lambda: fn.invoke({}),
                    fn.metrics, lambda: fn.provisioned_concurrency("1")):
            with self.assertRaisesRegex(ValueError, "released"):
                use()
        fn.release()  # twice is fine

    def test_handle_errors_have_lambdas_status_as_call_does(self):
        fn = create_function(self.b, "one", lambda e, c: e)
        with self.assertRaises(ClientError) as direct:
            fn.invoke({}, qualifier="nope")
        with self.assertRaises(ClientError) as via_call:
            self.b.call("lambda", "Invoke", FunctionName="one",
                        Qualifier="nope")
        for e in (direct.exception, via_call.exception):
            self.assertEqual(e.response["Error"]["Code"],
                             "ResourceNotFoundException")
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"],
                             404)

    def test_a_refused_construction_is_collected_quietly(self):
        """Function(broker, "f") raises TypeError; collecting the half-made
        object must not print an AttributeError from __del__."""
        unraisable = []
        old, sys.unraisablehook = sys.unraisablehook, unraisable.append
        try:
            with self.assertRaises(TypeError):
                Function(self.b, "f")
            gc.collect()
        finally:
            sys.unraisablehook = old
        self.assertEqual(unraisable, [])

    def test_a_handler_that_is_not_callable_is_refused_at_once(self):
        """create_function(b, "f", "index.handler") made a function whose
        every invocation failed with "'str' object is not callable"."""
        with self.assertRaisesRegex(TypeError, "callable"):
            create_function(self.b, "named", "index.handler")
        with self.assertRaises(ClientError):
            self.b.call("lambda", "GetFunction", FunctionName="named")
        with self.assertRaisesRegex(TypeError, "callable"):
            register_handler(self.b, "index.handler", None)

    def test_integer_parameters_take_whole_floats_only(self):
        """put_provisioned_concurrency("1", 1.5) quietly asked for 1 and
        set_account_concurrency(b, "2000") passed a str on; a whole float
        is its int, anything else a TypeError naming the parameter."""
        fn = create_function(self.b, "counted", lambda e, c: e)
        self.b.call("lambda", "PublishVersion", FunctionName="counted")
        fn.put_provisioned_concurrency("1", 2.0)
        self.assertEqual(fn.provisioned_concurrency("1")[
            "RequestedProvisionedConcurrentExecutions"], 2)
        with self.assertRaisesRegex(TypeError, "^n must be an integer"):
            fn.put_provisioned_concurrency("1", 1.5)
        with self.assertRaisesRegex(TypeError, "^limit must be an integer"):
            set_account_concurrency(self.b, "2000")


class QualifiedTargets(unittest.TestCase):
    """SNS subscriptions, EventBridge targets, Lambda destinations, Kinesis
    mappings' OnFailure and Pipes' FIRE_AND_FORGET targets name a function
    by ARN, and a version's or an alias's ARN (function:NAME:QUALIFIER)
    runs that version or alias (Lambda developer guide, "Using Lambda
    aliases in event sources and permissions policies": event sources keep
    a mapping naming the function, and an alias there follows the version
    it points to). These were invoked never (SNS, EventBridge,
    destinations, OnFailure) or as $LATEST (Pipes)."""

    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)
        self.invoked = []
        register_handler(self.b, "app.h",
                         lambda e, c: self.invoked.append(c.invoked_function_arn))
        arn = self.b.call("lambda", "CreateFunction", FunctionName="fn",
                          Handler="app.h")["FunctionArn"]
        self.b.call("lambda", "PublishVersion", FunctionName="fn")
        self.alias = self.b.call("lambda", "CreateAlias", FunctionName="fn",
                                 Name="live", FunctionVersion="1")["AliasArn"]
        self.version = arn + ":1"

    def tearDown(self):
        self.b.close()

    def test_sns_and_eventbridge_invoke_the_version_or_alias(self):
        topic = self.b.call("sns", "CreateTopic", Name="t")["TopicArn"]
        for endpoint in (self.alias, self.version):
            self.b.call("sns", "Subscribe", TopicArn=topic, Protocol="lambda",
                        Endpoint=endpoint)
        self.b.call("sns", "Publish", TopicArn=topic, Message="m")
        self.b.call("events", "PutRule", Name="r",
                    EventPattern=json.dumps({"source": ["s"]}))
        self.b.call("events", "PutTargets", Rule="r", Targets=[
            {"Id": "a", "Arn": self.alias}, {"Id": "v", "Arn": self.version}])
        self.b.call("events", "PutEvents", Entries=[
            {"Source": "s", "DetailType": "d", "Detail": "{}"}])
        self.b.advance(1000)
        self.assertEqual(sorted(self.invoked),
                         sorted([self.alias, self.version] * 2))

    def test_destinations_and_stream_failures_reach_the_alias(self):
        self.b.call("lambda", "CreateFunction", FunctionName="src",
                    Handler="app.h")
        self.b.call("lambda", "PutFunctionEventInvokeConfig", FunctionName="src",
                    DestinationConfig={"OnSuccess": {"Destination": self.alias}})
        self.b.call("lambda", "Invoke", FunctionName="src",
                    InvocationType="Event", Payload="{}")
        self.b.advance(1000)
        self.assertEqual(self.invoked[-1], self.alias)

        def fail(event, context):
            raise RuntimeError("no")
        register_handler(self.b, "app.fail", fail)
        self.b.call("lambda", "CreateFunction", FunctionName="bad",
                    Handler="app.fail")
        self.b.call("kinesis", "CreateStream", StreamName="s", ShardCount=1)
        stream = self.b.call("kinesis", "DescribeStreamSummary", StreamName="s")[
            "StreamDescriptionSummary"]["StreamARN"]
        self.b.call("lambda", "CreateEventSourceMapping", EventSourceArn=stream,
                    FunctionName="bad", StartingPosition="TRIM_HORIZON",
                    MaximumRetryAttempts=0,
                    DestinationConfig={"OnFailure": {"Destination": self.version}})
        self.b.call("kinesis", "PutRecord", StreamName="s", Data=b"x",
                    PartitionKey="k")
        self.b.advance(1000)
        self.assertEqual(self.invoked[-1], self.version)

    def test_a_pipe_fires_and_forgets_to_the_alias(self):
        queue = self.b.call("sqs", "CreateQueue", QueueName="q")["QueueUrl"]
        self.b.call("pipes", "CreatePipe", Name="p",
                    RoleArn="arn:aws:iam::000000000000:role/r",
                    Source="arn:aws:sqs:us-east-1:000000000000:q",
                    Target=self.alias, TargetParameters={
                        "LambdaFunctionParameters": {"InvocationType": "FIRE_AND_FORGET"}})
        self.b.call("sqs", "SendMessage", QueueUrl=queue, MessageBody="m")
        self.b.advance(1000)
        self.assertEqual(self.invoked, [self.alias])



class HandlerErrorsOnWorkerThreads(unittest.TestCase):
    """Errors as Lambda's Python runtime reports them, with handlers called
    from the library's worker threads on the real clock."""

    def setUp(self):
        self.b = Broker(clock="real", workers=2)

    def tearDown(self):
        self.b.close()

    def invoke(self, name, handler):
        # A generous Timeout: an error must end the call, not the timeout.
        create_function(self.b, name, handler, Timeout=60)
        r = self.b.call("lambda", "Invoke", FunctionName=name, Payload="{}")
        self.assertEqual(r["FunctionError"], "Unhandled")
        return json.loads(r["Payload"])

    def test_the_stack_trace_starts_at_the_handler(self):
        def handler(event, context):
            raise KeyError("id")
        err = self.invoke("boom", handler)
        self.assertEqual(err["errorType"], "KeyError")
        self.assertEqual(err["errorMessage"], "'id'")
        self.assertEqual(len(err["stackTrace"]), 1)
        self.assertIn("in handler", err["stackTrace"][0])
        self.assertIn('raise KeyError("id")', err["stackTrace"][0])

    def test_a_result_json_cannot_encode_is_a_marshal_error(self):
        err = self.invoke("sets", lambda event, context: {"ids": {1, 2}})
        self.assertEqual(err["errorType"], "Runtime.MarshalError")
        self.assertEqual(err["errorMessage"],
                         "Unable to marshal response: Object of type set is "
                         "not JSON serializable")
        self.assertEqual(err["stackTrace"], [])
        self.assertEqual(len(err["requestId"]), 36)

    def test_sys_exit_and_keyboard_interrupt_end_the_call(self):
        # The runtime's process ends: Lambda answers Runtime.ExitError at
        # once (without the fix the call waited for its Timeout).
        def exit_3(event, context):
            sys.exit(3)

        def interrupted(event, context):
            raise KeyboardInterrupt

        for name, handler, reason in [
                ("exit3", exit_3, "Runtime exited with error: exit status 3"),
                ("exit0", lambda e, c: sys.exit(),
                 "Runtime exited without providing a reason"),
                ("ctrlc", interrupted,
                 "Runtime exited with error: signal: interrupt")]:
            err = self.invoke(name, handler)
            self.assertEqual(set(err), {"errorType", "errorMessage"})
            self.assertEqual(err["errorType"], "Runtime.ExitError")
            self.assertRegex(err["errorMessage"],
                             "^RequestId: [0-9a-f-]{36} Error: %s$" % reason)


if __name__ == "__main__":
    unittest.main()
