"""Queues from Python: Queue and Message objects over the typed C API,
errors with boto3's codes, several threads, and a blocked receive that does
not hold the GIL."""
import hashlib
import threading
import time
import unittest

from awsevents import Broker, ClientError, Message, Queue


class ManualClockQueues(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=1)

    def tearDown(self):
        self.b.close()

    def test_send_receive_delete(self):
        q = self.b.create_queue("jobs")
        self.assertIsInstance(q, Queue)
        self.assertEqual(q.arn, "arn:aws:sqs:us-east-1:000000000000:jobs")
        sent = q.send("héllo", attributes={
            "kind": {"DataType": "String", "StringValue": "greeting"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        self.assertRegex(sent["MessageId"], r"^[0-9a-f-]{36}$")
        [m] = q.receive(max=10)
        self.assertIsInstance(m, Message)
        self.assertEqual(m.id, sent["MessageId"])
        self.assertEqual(m.body, "héllo".encode())
        self.assertEqual(m.text, "héllo")
        self.assertEqual(m.md5, hashlib.md5("héllo".encode()).hexdigest())
        self.assertEqual(m.message_attributes["kind"],
                         {"DataType": "String", "StringValue": "greeting"})
        self.assertEqual(m.message_attributes["raw"]["BinaryValue"],
                         b"\x00\x01")
        self.assertEqual(len(m.md5_of_attributes), 32)
        self.assertEqual(m.attributes["ApproximateReceiveCount"], "1")
        self.assertEqual(m.attributes["SentTimestamp"], "1704067200000")
        self.assertEqual(m.attributes["SenderId"], "000000000000")
        m.delete()
        self.assertEqual(q.receive(), [])
        self.assertEqual(q.attributes(["ApproximateNumberOfMessages"]),
                         {"ApproximateNumberOfMessages": "0"})

    def test_visibility_and_change_visibility(self):
        q = self.b.create_queue("q", attributes={"VisibilityTimeout": "10"})
        q.send(b"\xf0\x9f\x98\x80")
        [m] = q.receive(visibility=5)
        self.assertEqual(q.receive(), [])
        self.b.advance(5000)
        [again] = q.receive()
        self.assertNotEqual(again.receipt_handle, m.receipt_handle)
        self.assertEqual(again.attributes["ApproximateReceiveCount"], "2")
        again.change_visibility(0)
        [third] = q.receive()
        third.change_visibility(100)
        self.b.advance(99000)
        self.assertEqual(q.receive(), [])

    def test_send_batch(self):
        q = self.b.create_queue("q", {"MaximumMessageSize": "1024"})
        out = q.send_batch(["a", "b", {"Id": "x", "MessageBody": "c" * 1025,
                                       "DelaySeconds": 0}])
        self.assertEqual([s["Id"] for s in out["Successful"]], ["0", "1"])
        self.assertEqual(out["Failed"][0]["Id"], "x")
        self.assertEqual(out["Failed"][0]["Code"], "InvalidParameterValue")
        self.assertTrue(out["Failed"][0]["SenderFault"])
        bodies = sorted(m.text for m in q.receive(max=10))
        self.assertEqual(bodies, ["a", "b"])
        with self.assertRaises(ClientError) as cm:
            q.send_batch([])
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.EmptyBatchRequest")

    def test_fifo(self):
        q = self.b.create_queue("o.fifo", attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})
        first = q.send("1", group_id="g")
        self.assertIn("SequenceNumber", first)
        q.send("2", group_id="g")
        self.assertEqual(q.send("1", group_id="g")["MessageId"],
                         first["MessageId"])
        ms = q.receive(max=10)
        self.assertEqual([m.text for m in ms], ["1", "2"])
        self.assertEqual(ms[0].attributes["MessageGroupId"], "g")
        self.assertIn("SequenceNumber", ms[0].attributes)

    def test_errors_carry_boto3_codes(self):
        with self.assertRaises(ClientError) as cm:
            self.b.get_queue("missing")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.NonExistentQueue")
        q = self.b.create_queue("q")
        with self.assertRaises(ClientError) as cm:
            q.delete_message("garbage")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ReceiptHandleIsInvalid")
        self.assertEqual(cm.exception.operation_name, "DeleteMessage")
        with self.assertRaises(ClientError) as cm:
            q.receive(max=11)
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidParameterValue")
        q.delete()
        with self.assertRaises(ClientError) as cm:
            q.send("x")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.NonExistentQueue")
        with self.assertRaises(ClientError) as cm:
            self.b.create_queue("q")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.QueueDeletedRecently")

    def test_get_queue_url_of_another_account_is_not_found(self):
        """GetQueueUrl's QueueOwnerAWSAccountId names the account that
        created the queue: the broker's own finds it, another account, which
        owns no queue in this broker, does not."""
        q = self.b.create_queue("owned")
        r = self.b.call("sqs", "GetQueueUrl", QueueName="owned",
                        QueueOwnerAWSAccountId=self.b.account)
        self.assertEqual(r["QueueUrl"], q.url)
        with self.assertRaises(ClientError) as cm:
            self.b.call("sqs", "GetQueueUrl", QueueName="owned",
                        QueueOwnerAWSAccountId="111111111111")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "AWS.SimpleQueueService.NonExistentQueue")

    def test_get_queue_by_url_and_dlq(self):
        dlq = self.b.create_queue("dead")
        q = self.b.create_queue("work", attributes={
            "RedrivePolicy": '{"deadLetterTargetArn":"%s",'
                             '"maxReceiveCount":1}' % dlq.arn})
        self.assertEqual(self.b.get_queue(q.url).arn, q.arn)
        q.send("poison")
        q.receive(visibility=0)
        self.assertEqual(q.receive(), [])
        [m] = dlq.receive()
        self.assertEqual(m.attributes["DeadLetterQueueSourceArn"], q.arn)

    def test_handle_outlives_broker(self):
        b = Broker(clock="manual", workers=0)
        q = b.create_queue("q")
        b.close()
        with self.assertRaises(ClientError):
            q.send("x")
        q.close()
        q.close()

    def test_a_with_block_closes_the_handle(self):
        """Every handle class closes at the end of a with block, as Pattern
        and PatternSet did; the queue itself stays."""
        with self.b.create_queue("scoped") as q:
            q.send("x")
        with self.assertRaisesRegex(ValueError, "Queue handle is closed"):
            q.send("y")
        self.assertEqual(len(self.b.get_queue("scoped").receive()), 1)

    def test_one_attribute_name_as_a_string(self):
        """A str where a list of names goes is that one name, not a list of
        its characters (which selected nothing, or named "V")."""
        q = self.b.create_queue("named", {"VisibilityTimeout": "45"})
        self.assertEqual(q.attributes("VisibilityTimeout"),
                         {"VisibilityTimeout": "45"})
        q.send("x", attributes={"a": {"DataType": "String",
                                      "StringValue": "v"}})
        [m] = q.receive(attribute_names="All")
        self.assertEqual(m.message_attributes,
                         {"a": {"DataType": "String", "StringValue": "v"}})

    def test_send_batch_carries_the_trace_header(self):
        """SendMessageBatch entries take MessageSystemAttributes'
        AWSTraceHeader, as send(trace_header=...) does."""
        q = self.b.create_queue("traced")
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
        out = q.send_batch([{"Id": "a", "MessageBody": "x",
                             "MessageSystemAttributes": {"AWSTraceHeader": {
                                 "DataType": "String",
                                 "StringValue": trace}}}])
        self.assertEqual(out["Failed"], [])
        [m] = q.receive()
        self.assertEqual(m.attributes["AWSTraceHeader"], trace)

    def test_negative_wait_is_refused_as_aws_does(self):
        """receive(wait=-5) silently used the queue's own wait time (the C
        call's "default" for a negative wait); ReceiveMessage refuses it."""
        q = self.b.create_queue("waits")
        with self.assertRaises(ClientError) as direct:
            q.receive(wait=-5)
        with self.assertRaises(ClientError) as via_call:
            self.b.call("sqs", "ReceiveMessage", QueueUrl=q.url,
                        WaitTimeSeconds=-5)
        self.assertEqual(direct.exception.response["Error"],
                         via_call.exception.response["Error"])

    def test_integer_parameters_take_whole_floats_only(self):
        """delay=1.5, max=2.5, visibility=0.5 raised ctypes.ArgumentError
        "wrong type"; as boto3's validation does, the error now names the
        parameter and says it takes an integer, and 2.0 is 2."""
        q = self.b.create_queue("counted")
        q.send("a", delay=0.0)
        q.send_batch([{"Id": "b", "MessageBody": "b", "DelaySeconds": 0.0}])
        got = q.receive(max=2.0, visibility=30.0)
        self.assertEqual(sorted(m.text for m in got), ["a", "b"])
        got[0].change_visibility(0.0)
        for call, message in (
                (lambda: q.send("x", delay=1.5),
                 "delay must be an integer, got 1.5"),
                (lambda: q.send_batch([{"Id": "c", "MessageBody": "c",
                                        "DelaySeconds": "5"}]),
                 "DelaySeconds must be an integer, got '5'"),
                (lambda: q.receive(max=2.5), "max must be an integer"),
                (lambda: q.receive(visibility=0.5),
                 "visibility must be an integer"),
                (lambda: got[1].change_visibility(None),
                 "seconds must be an integer, got None")):
            with self.assertRaisesRegex(TypeError, "^%s" % message):
                call()


class RealClockQueues(unittest.TestCase):
    def test_blocked_receive_releases_the_gil(self):
        with Broker() as b:
            q = b.create_queue("q")
            got = []
            receiver = threading.Thread(
                target=lambda: got.extend(q.receive(wait=10)))
            start = time.monotonic()
            receiver.start()
            # The sender is Python code: it runs only if the blocked receive
            # let go of the GIL.
            time.sleep(0.2)
            q.send("wake up")
            receiver.join(5)
            self.assertFalse(receiver.is_alive())
            self.assertEqual([m.text for m in got], ["wake up"])
            self.assertLess(time.monotonic() - start, 5)

    def test_many_threads(self):
        with Broker() as b:
            q = b.create_queue("q")
            n_threads, per = 4, 250
            received = []
            lock = threading.Lock()

            def produce(t):
                for i in range(per):
                    q.send("%d-%d" % (t, i))

            def consume():
                while True:
                    ms = q.receive(max=10, wait=0.2)
                    if not ms:
                        return
                    for m in ms:
                        m.delete()
                    with lock:
                        received.extend(m.text for m in ms)

            producers = [threading.Thread(target=produce, args=(t,))
                         for t in range(n_threads)]
            for t in producers:
                t.start()
            for t in producers:
                t.join()
            consumers = [threading.Thread(target=consume)
                         for _ in range(n_threads)]
            for t in consumers:
                t.start()
            for t in consumers:
                t.join()
            self.assertEqual(sorted(received), sorted(
                "%d-%d" % (t, i) for t in range(n_threads)
                for i in range(per)))


if __name__ == "__main__":
    unittest.main()
