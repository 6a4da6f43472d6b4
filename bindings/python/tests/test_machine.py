"""State machines from Python: Machine and Execution over the typed C API,
waits on the manual clock, history, validation, Step Functions' error codes,
task tokens, and the states service through Broker.call."""
import datetime
import gzip
import json
import os
import tempfile
import unittest

from awsevents import Broker, ClientError, Execution, Machine
from awsevents.machine import validate_definition

WAIT_THEN_PASS = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
        "P": {"Type": "Pass", "Parameters": {"got.$": "$.n",
                                             "sum.$": "States.MathAdd($.n, 1)"},
              "End": True},
    },
}


class ManualClockMachines(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=3)

    def tearDown(self):
        self.b.close()

    def test_run_to_end(self):
        m = self.b.create_state_machine("m", WAIT_THEN_PASS)
        self.assertIsInstance(m, Machine)
        self.assertEqual(m.arn, "arn:aws:states:us-east-1:000000000000:stateMachine:m")
        e = m.start({"n": 41}, name="first")
        self.assertIsInstance(e, Execution)
        self.assertEqual(e.status, "RUNNING")
        # the hour-long Wait is a timer: nothing happens until the clock moves
        self.b.drain()
        self.assertEqual(e.status, "RUNNING")
        self.assertEqual(self.b.next_deadline(), self.b.now_ms + 3600 * 1000)
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output, {"got": 41, "sum": 42})
        types = [ev["type"] for ev in e.history]
        self.assertEqual(types, ["ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                                 "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
        self.assertEqual([ev["id"] for ev in e.history], [1, 2, 3, 4, 5, 6])
        self.assertEqual(self.b.get_state_machine("m").arn, m.arn)

    def test_retention(self):
        m = self.b.create_state_machine("r", {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "End": True}}})
        with self.assertRaises(ClientError) as cm:
            m.set_retention(-1)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        m.set_retention(60 * 1000)
        e = m.start(name="old")
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.b.advance(60 * 1000)
        arn = e.arn
        self.assertEqual(self.b.call("states", "ListExecutions",
                                     stateMachineArn=m.arn)["executions"], [])
        with self.assertRaises(ClientError) as cm:
            self.b.call("states", "DescribeExecution", executionArn=arn)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ExecutionDoesNotExist")
        self.assertEqual(e.output, {})  # the handle outlives the retention

    def test_failure_and_errors(self):
        m = self.b.create_state_machine("f", {"StartAt": "F", "States": {
            "F": {"Type": "Fail", "Error": "Oops", "Cause": "broken"}}})
        e = m.start()
        self.assertEqual(e.wait(), "FAILED")
        self.assertEqual((e.error, e.cause), ("Oops", "broken"))
        self.assertIsNone(e.output)
        with self.assertRaises(ClientError) as ctx:
            self.b.create_state_machine("bad", {"StartAt": "X", "States": {}})
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidDefinition")
        with self.assertRaises(ClientError) as ctx:
            self.b.get_state_machine("nope")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "StateMachineDoesNotExist")
        with self.assertRaises(ClientError) as ctx:
            m.start({"a": 1}, name="dup")
            m.start({"a": 2}, name="dup")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ExecutionAlreadyExists")

    def test_validate(self):
        ok = validate_definition(WAIT_THEN_PASS)
        self.assertEqual(ok, {"result": "OK", "diagnostics": [], "truncated": False})
        bad = validate_definition('{"States": {}}')
        self.assertEqual(bad["result"], "FAIL")
        self.assertEqual(bad["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED")

    def test_express_sync_and_stop(self):
        m = self.b.create_state_machine("x", {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Result": [1, 2], "End": True}}}, type="EXPRESS")
        r = m.start_sync({"in": True})
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), [1, 2])
        s = self.b.create_state_machine("s", WAIT_THEN_PASS)
        e = s.start({"n": 1})
        self.b.advance(1000)
        e.stop(error="Manual", cause="test")
        self.b.drain()
        self.assertEqual(e.status, "ABORTED")
        self.assertEqual(e.error, "Manual")

    def test_task_token(self):
        q = self.b.create_queue("tokens")
        m = self.b.create_state_machine("t", {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": q.url, "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True}}})
        e = m.start()
        self.b.drain()
        [msg] = q.receive()
        token = json.loads(msg.text)["token"]
        self.b.send_task_heartbeat(token)
        self.b.send_task_success(token, {"approved": True})
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output, {"approved": True})
        with self.assertRaises(ClientError) as ctx:
            self.b.send_task_success("not-a-token", {})
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidToken")

    def test_states_service(self):
        created = self.b.call("states", "CreateStateMachine", name="api",
                              roleArn="arn:aws:iam::123456789012:role/r",
                              definition=json.dumps(WAIT_THEN_PASS))
        started = self.b.call("states", "StartExecution",
                              stateMachineArn=created["stateMachineArn"],
                              input='{"n": 2}')
        self.b.advance(3600 * 1000)
        d = self.b.call("states", "DescribeExecution", executionArn=started["executionArn"])
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"got": 2, "sum": 3})

    def test_distributed_map_run(self):
        """A Distributed Map's Map Run through the states service: listed
        with the execution, described with its counts and dates (datetimes,
        as boto3 gives them), updated while it runs, and its children
        listed and described as the executions they are."""
        m = self.b.create_state_machine("dist", {
            "StartAt": "M",
            "States": {"M": {
                "Type": "Map", "Label": "batch", "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "W",
                    "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}},
                "End": True}}})
        e = m.start([1, 2, 3])
        self.b.advance(1000)
        runs = self.b.call("states", "ListMapRuns", executionArn=e.arn)["mapRuns"]
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0]["stateMachineArn"], m.arn + "/batch")
        arn = runs[0]["mapRunArn"]
        d = self.b.call("states", "DescribeMapRun", mapRunArn=arn)
        self.assertEqual(d["status"], "RUNNING")
        self.assertIsInstance(d["startDate"], datetime.datetime)
        self.assertEqual((d["itemCounts"]["running"], d["itemCounts"]["pending"]), (1, 2))
        self.b.call("states", "UpdateMapRun", mapRunArn=arn, maxConcurrency=3)
        self.b.drain()
        d = self.b.call("states", "DescribeMapRun", mapRunArn=arn)
        self.assertEqual(d["itemCounts"]["running"], 3)
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output, [1, 2, 3])
        kids = self.b.call("states", "ListExecutions", mapRunArn=arn)["executions"]
        self.assertEqual([k["status"] for k in kids], ["SUCCEEDED"] * 3)
        self.assertEqual({k["stateMachineArn"] for k in kids}, {m.arn + "/batch"})
        child = self.b.call("states", "DescribeExecution", executionArn=kids[-1]["executionArn"])
        self.assertEqual((child["input"], child["output"], child["mapRunArn"]), ("1", "1", arn))
        self.assertEqual([ev["type"] for ev in e.history][2:6],
                         ["MapStateStarted", "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded"])
        d = self.b.call("states", "DescribeMapRun", mapRunArn=arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertIsInstance(d["stopDate"], datetime.datetime)
        with self.assertRaises(ClientError) as ctx:
            self.b.call("states", "DescribeMapRun", mapRunArn=arn + "0")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFound")

    def test_item_reader_and_result_writer(self):
        """A Distributed Map reads its items from an object of the broker's
        S3 stand-in (bucket NAME is the directory ./NAME) and writes its
        results there: the manifest and SUCCEEDED_0.json read back."""
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as work:
            os.chdir(work)
            try:
                os.makedirs("data/in")
                with open("data/in/rows.csv", "w") as f:
                    f.write("id,name\n1,one\n2,two\n")
                m = self.b.create_state_machine("reader", {
                    "StartAt": "M",
                    "States": {"M": {
                        "Type": "Map",
                        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                       "ReaderConfig": {"InputType": "CSV",
                                                        "CSVHeaderLocation": "FIRST_ROW"},
                                       "Parameters": {"Bucket": "data", "Key.$": "$.key"}},
                        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                         "Parameters": {"Bucket": "data", "Prefix": "out"}},
                        "ItemProcessor": {
                            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                            "StartAt": "P",
                            "States": {"P": {"Type": "Pass", "End": True}}},
                        "End": True}}})
                e = m.start({"key": "in/rows.csv"})
                self.assertEqual(e.wait(), "SUCCEEDED")
                details = e.output["ResultWriterDetails"]
                self.assertEqual(details["Bucket"], "data")
                with open(os.path.join("data", details["Key"])) as f:
                    manifest = json.load(f)
                self.assertEqual(manifest["MapRunArn"], e.output["MapRunArn"])
                ok = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
                with open(os.path.join("data", ok)) as f:
                    records = json.load(f)
                self.assertEqual([json.loads(r["Output"]) for r in records],
                                 [{"id": "1", "name": "one"}, {"id": "2", "name": "two"}])
                e = m.start({"key": "in/missing.csv"})
                self.assertEqual(e.wait(), "FAILED")
                d = self.b.call("states", "DescribeExecution", executionArn=e.arn)
                self.assertEqual(d["error"], "States.ItemReaderFailed")
                self.assertTrue(d["cause"].startswith("The specified key does not exist."))
            finally:
                os.chdir(cwd)

    def test_item_reader_s3_inventory_manifest(self):
        """InputType MANIFEST: the ItemReader's Key names an S3 inventory's
        manifest.json; each row of the CSV inventory files it lists (gzipped
        as S3 delivers them, in its destinationBucket) is an item of the
        fileSchema's columns, values strings."""
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as work:
            os.chdir(work)
            try:
                os.makedirs("inventory/src/daily/data")
                os.makedirs("inventory/src/daily/2022-11-16T00-00Z")
                with gzip.open("inventory/src/daily/data/part-0.csv.gz", "wt") as f:
                    f.write('"src","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n'
                            '"src","imageDataset/dog.jpg","27034","2022-11-15T20:02:16.000Z"\n')
                with open("inventory/src/daily/2022-11-16T00-00Z/manifest.json", "w") as f:
                    json.dump({"sourceBucket": "src",
                               "destinationBucket": "arn:aws:s3:::inventory",
                               "version": "2016-11-30", "creationTimestamp": "1668560400000",
                               "fileFormat": "CSV",
                               "fileSchema": "Bucket, Key, Size, LastModifiedDate",
                               "files": [{"key": "src/daily/data/part-0.csv.gz", "size": 120,
                                          "MD5checksum": "a7ff4a1d4164c3cd55851055ec8f6b20"}]}, f)
                m = self.b.create_state_machine("inventory", {
                    "StartAt": "M",
                    "States": {"M": {
                        "Type": "Map",
                        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                       "ReaderConfig": {"InputType": "MANIFEST"},
                                       "Parameters": {"Bucket": "inventory", "Key.$": "$.manifest"}},
                        "ItemProcessor": {
                            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                            "StartAt": "P",
                            "States": {"P": {"Type": "Pass", "End": True}}},
                        "End": True}}})
                e = m.start({"manifest": "src/daily/2022-11-16T00-00Z/manifest.json"})
                self.assertEqual(e.wait(), "SUCCEEDED")
                self.assertEqual(e.output, [
                    {"LastModifiedDate": "2022-11-16T00:29:32.000Z", "Bucket": "src",
                     "Size": "3399671", "Key": "csvDataset/titles.csv"},
                    {"LastModifiedDate": "2022-11-15T20:02:16.000Z", "Bucket": "src",
                     "Size": "27034", "Key": "imageDataset/dog.jpg"}])
                # members in the order AWS shows them
                self.assertEqual(list(e.output[0]), ["LastModifiedDate", "Bucket", "Size", "Key"])
                e = m.start({"manifest": "src/daily/missing/manifest.json"})
                self.assertEqual(e.wait(), "FAILED")
                d = self.b.call("states", "DescribeExecution", executionArn=e.arn)
                self.assertEqual(d["error"], "States.ItemReaderFailed")
                self.assertTrue(d["cause"].startswith("The specified key does not exist."))
            finally:
                os.chdir(cwd)

    def test_alias_through_the_states_service(self):
        created = self.b.call("states", "CreateStateMachine", name="aliased", publish=True,
                              roleArn="arn:aws:iam::123456789012:role/r",
                              definition=json.dumps(WAIT_THEN_PASS))
        alias = self.b.call("states", "CreateStateMachineAlias", name="live", routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}])
        d = self.b.call("states", "DescribeStateMachineAlias",
                        stateMachineAliasArn=alias["stateMachineAliasArn"])
        self.assertEqual(d["routingConfiguration"][0]["weight"], 100)
        self.assertIsInstance(d["creationDate"], datetime.datetime)  # as boto3 parses it
        started = self.b.call("states", "StartExecution", stateMachineArn=alias["stateMachineAliasArn"])
        d = self.b.call("states", "DescribeExecution", executionArn=started["executionArn"])
        self.assertEqual((d["stateMachineAliasArn"], d["stateMachineVersionArn"]),
                         (alias["stateMachineAliasArn"], created["stateMachineVersionArn"]))
        with self.assertRaises(ClientError) as ctx:
            self.b.call("states", "DeleteStateMachineVersion",
                        stateMachineVersionArn=created["stateMachineVersionArn"])
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ConflictException")

    def test_closed_handles_name_their_kind(self):
        """Every shared handle said "the queue handle is closed"."""
        m = self.b.create_state_machine("closing", WAIT_THEN_PASS)
        e = m.start({"n": 1})
        e.close()
        with self.assertRaisesRegex(ValueError, "Execution handle is closed"):
            e.status
        m.close()
        with self.assertRaisesRegex(ValueError, "Machine handle is closed"):
            m.start({})


if __name__ == "__main__":
    unittest.main()
