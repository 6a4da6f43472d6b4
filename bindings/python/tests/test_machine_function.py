"""Task states whose Resource is a Python function (create_function): the
handler is called with the state's input, its return value is the state's
result, and an exception it raises reaches Catch under Lambda's errorType
(the exception's class name), with Lambda's error object as the Cause."""
import datetime
import json
import unittest

from awsevents import Broker, ClientError, create_function


class OutOfStock(Exception):
    pass


class PythonTaskTest(unittest.TestCase):
    def setUp(self):
        self.b = Broker(clock="manual", workers=0, seed=9)
        self.calls = []

    def tearDown(self):
        self.b.close()

    def test_handler_called_and_exception_caught(self):
        def reserve(event, context):
            self.calls.append(("reserve", event))
            if event["qty"] > 3:
                raise OutOfStock("only 3 left of %s" % event["sku"])
            return {"reserved": event["qty"]}

        def release(event, context):
            self.calls.append(("release", event))
            return "released"

        fn = create_function(self.b, "reserve", reserve)
        create_function(self.b, "release", release)
        m = self.b.create_state_machine("orders", {
            "StartAt": "Reserve",
            "States": {
                "Reserve": {"Type": "Task", "Resource": fn.arn,
                            "ResultPath": "$.reservation",
                            "Catch": [{"ErrorEquals": ["OutOfStock"],
                                       "ResultPath": "$.error", "Next": "Release"}],
                            "End": True},
                "Release": {"Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "release",
                                           "Payload.$": "$.error"},
                            "OutputPath": "$.Payload",
                            "End": True}}})
        ok = m.start({"sku": "tea", "qty": 2})
        self.assertEqual(ok.wait(), "SUCCEEDED")
        self.assertEqual(ok.output, {"sku": "tea", "qty": 2, "reservation": {"reserved": 2}})
        self.assertEqual(self.calls, [("reserve", {"sku": "tea", "qty": 2})])

        caught = m.start({"sku": "tea", "qty": 5})
        self.assertEqual(caught.wait(), "SUCCEEDED")
        self.assertEqual(caught.output, "released")
        name, error = self.calls[-1]
        self.assertEqual(name, "release")
        self.assertEqual(error["Error"], "OutOfStock")
        cause = json.loads(error["Cause"])
        self.assertEqual(cause["errorType"], "OutOfStock")
        self.assertEqual(cause["errorMessage"], "only 3 left of tea")
        types = [ev["type"] for ev in caught.history]
        self.assertIn("LambdaFunctionFailed", types)

    def test_state_runs_one_task(self):
        """TestState, typed and through the states service: the Task calls
        the Python function and shows its data flow; a Catch that takes
        its error answers CAUGHT_ERROR and the catcher's Next; a mocked
        error a retrier matches answers RETRIABLE, calling nothing."""
        def reserve(event, context):
            self.calls.append(event)
            if event["qty"] > 3:
                raise OutOfStock("only 3 left")
            return {"reserved": event["qty"]}

        fn = create_function(self.b, "reserve", reserve)
        task = {"Type": "Task", "Resource": fn.arn, "ResultPath": "$.r",
                "Retry": [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 2}],
                "Catch": [{"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error",
                           "Next": "Refund"}],
                "Next": "Ship"}
        role = "arn:aws:iam::000000000000:role/test"
        got = self.b.test_state(task, input={"qty": 2}, roleArn=role,
                                inspectionLevel="DEBUG")
        self.assertEqual(got["status"], "SUCCEEDED")
        self.assertEqual(got["nextState"], "Ship")
        self.assertEqual(json.loads(got["output"]), {"qty": 2, "r": {"reserved": 2}})
        self.assertEqual(json.loads(got["inspectionData"]["result"]), {"reserved": 2})
        got = self.b.call("states", "TestState", definition=json.dumps(task),
                          input='{"qty": 5}', roleArn=role)
        self.assertEqual(got["status"], "CAUGHT_ERROR")
        self.assertEqual(got["error"], "OutOfStock")
        self.assertEqual(got["nextState"], "Refund")
        self.assertEqual(json.loads(got["output"])["error"]["Error"], "OutOfStock")
        self.assertEqual(self.calls, [{"qty": 2}, {"qty": 5}])
        got = self.b.test_state(task, mock={"errorOutput": {"error": "Throttled"}},
                                stateConfiguration={"retrierRetryCount": 1},
                                inspectionLevel="DEBUG")
        self.assertEqual(got["status"], "RETRIABLE")
        self.assertEqual(got["inspectionData"]["errorDetails"],
                         {"retryIndex": 0, "retryBackoffIntervalSeconds": 4})
        self.assertEqual(len(self.calls), 2)
        with self.assertRaises(ClientError) as cm:
            self.b.test_state(task, input={"qty": 1})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    def test_a_version_or_alias_runs_that_version_or_alias(self):
        """lambda:invoke's FunctionName and a Task's Resource may name a
        version or an alias, in the name ("fn:1") or the ARN: its
        parameters are Invoke's, whose FunctionName takes any of its formats
        with a version or alias appended, and whose ExecutedVersion is the
        version an alias resolved to (Lambda API reference, Invoke). They
        failed as Lambda.ResourceNotFoundException, and ExecutedVersion was
        always $LATEST."""
        def handler(event, context):
            self.calls.append(context.invoked_function_arn)
            return {"version": context.function_version}

        fn = create_function(self.b, "fn", handler)
        self.b.call("lambda", "PublishVersion", FunctionName="fn")
        alias = self.b.call("lambda", "CreateAlias", FunctionName="fn", Name="live",
                            FunctionVersion="1")["AliasArn"]
        m = self.b.create_state_machine("m", {
            "StartAt": "ByArn",
            "States": {
                "ByArn": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                          "Parameters": {"FunctionName": alias, "Payload": {}},
                          "ResultSelector": {"v.$": "$.ExecutedVersion"},
                          "ResultPath": "$.a", "Next": "ByName"},
                "ByName": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": "fn:1", "Payload": {}},
                           "ResultSelector": {"v.$": "$.ExecutedVersion"},
                           "ResultPath": "$.b", "Next": "Legacy"},
                "Legacy": {"Type": "Task", "Resource": alias, "ResultPath": "$.c",
                           "Next": "Missing"},
                "Missing": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "fn:nope", "Payload": {}},
                            "Catch": [{"ErrorEquals": ["States.ALL"],
                                       "ResultPath": "$.error", "Next": "Done"}],
                            "End": True},
                "Done": {"Type": "Pass", "End": True}}})
        e = m.start({})
        self.b.advance(1000)
        self.assertEqual(e.status, "SUCCEEDED")
        out = e.output
        self.assertEqual([out["a"], out["b"], out["c"]],
                         [{"v": "1"}, {"v": "1"}, {"version": "1"}])
        self.assertEqual(out["error"]["Error"], "Lambda.ResourceNotFoundException")
        self.assertEqual(self.calls, [alias, fn.arn + ":1", alias])

    def test_redrive_runs_what_failed_again(self):
        """RedriveExecution, typed and through the states service: the
        Parallel branch that failed runs again, the one that succeeded
        keeps its result, and the history goes on after ExecutionRedriven."""
        down = [True]

        def ship(event, context):
            self.calls.append(("ship", event))
            if down[0]:
                raise OutOfStock("the courier is down")
            return "shipped"

        fn = create_function(self.b, "ship", ship)
        m = self.b.create_state_machine("redriven", {
            "StartAt": "Both",
            "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Bill", "States": {"Bill": {"Type": "Pass", "Result": "billed", "End": True}}},
                {"StartAt": "Ship", "States": {"Ship": {"Type": "Task", "Resource": fn.arn, "End": True}}}]}}})
        e = m.start({"order": 7})
        self.assertEqual(e.wait(), "FAILED")
        self.assertEqual(e.describe()["redriveStatus"], "REDRIVABLE")
        down[0] = False
        self.assertEqual(e.redrive(), self.b.now_ms)
        self.assertEqual(e.status, "RUNNING")
        self.assertEqual(e.wait(), "SUCCEEDED")
        self.assertEqual(e.output, ["billed", "shipped"])
        types = [ev["type"] for ev in e.history]
        self.assertEqual(types.count("ExecutionRedriven"), 1)
        self.assertEqual(types.count("PassStateEntered"), 1)
        self.assertEqual(len(self.calls), 2)

        with self.assertRaises(ClientError) as ctx:
            self.b.call("states", "RedriveExecution", executionArn=e.arn)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ExecutionNotRedrivable")
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Execution is SUCCEEDED and cannot be redriven")
        d = self.b.call("states", "DescribeExecution", executionArn=e.arn)
        self.assertEqual((d["redriveCount"], d["redriveStatusReason"]),
                         (1, "Execution is SUCCEEDED and cannot be redriven"))
        self.assertIsInstance(d["redriveDate"], datetime.datetime)  # as boto3 parses it


if __name__ == "__main__":
    unittest.main()
