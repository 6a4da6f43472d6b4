"""`awsevents run-state-machine` and `validate-state-machine-definition`
against DESIGN §6 and issue 8: StartSyncExecution's shape on stdout, exit 0
when the execution succeeded and 3 when it failed, timed out or was
aborted, InvalidDefinition on stderr (exit 1), usage errors (exit 2), Waits
jumped over on the virtual clock, --history, file:// arguments. The binary
is $AWSEVENTS."""
import json
import os
import subprocess
import tempfile
import time
import unittest

EXE = os.environ.get("AWSEVENTS", "awsevents")
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$.n"},
                                                    "End": True}}})


def run(command, *args):
    p = subprocess.run([EXE, command, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class RunStateMachine(unittest.TestCase):
    def test_succeeded(self):
        code, out, err = run("run-state-machine", "--definition", PASS, "--input", '{"n": 7}')
        self.assertEqual((code, err), (0, ""))
        r = json.loads(out)
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"v": 7})
        self.assertTrue(r["executionArn"].startswith(
            "arn:aws:states:us-east-1:000000000000:execution:run-state-machine:"))
        self.assertEqual(r["startDate"], 1704067200.0)
        self.assertIn("stopDate", r)
        # StartSyncExecution's reference: whether input and output are in
        # the answer (they are, being within its size limit)
        self.assertEqual((r["inputDetails"], r["outputDetails"]), ({"included": True}, {"included": True}))

    def test_failed_exits_3_with_the_result(self):
        fail = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E",
                                                            "Cause": "C"}}})
        code, out, err = run("run-state-machine", "--definition", fail, "--type", "EXPRESS")
        self.assertEqual((code, err), (3, ""))
        r = json.loads(out)
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "E", "C"))
        timeout = json.dumps({"TimeoutSeconds": 1, "StartAt": "W",
                              "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}})
        code, out, _ = run("run-state-machine", "--definition", timeout)
        self.assertEqual((code, json.loads(out)["status"]), (3, "TIMED_OUT"))

    def test_waits_take_no_time(self):
        year = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait",
                                                            "Seconds": 31536000, "End": True}}})
        t0 = time.monotonic()
        code, out, _ = run("run-state-machine", "--definition", year, "--history")
        self.assertLess(time.monotonic() - t0, 10)
        r = json.loads(out)
        self.assertEqual(code, 0)
        self.assertEqual(r["stopDate"] - r["startDate"], 31536000)
        self.assertEqual([e["type"] for e in r["history"]],
                         ["ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                          "ExecutionSucceeded"])

    def test_invalid_definition_is_an_aws_error(self):
        code, out, err = run("run-state-machine", "--definition", '{"StartAt": "X", "States": {}}')
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(json.loads(err)["__type"], "InvalidDefinition")
        code, out, err = run("run-state-machine", "--definition", PASS, "--input", "{bad")
        self.assertEqual((code, out, json.loads(err)["__type"]), (1, "", "InvalidExecutionInput"))

    def test_usage_errors(self):
        for args in ([], ["--input", "{}"], ["--definition"], ["--bogus"],
                     ["--definition", PASS, "--type", "NEITHER"],
                     ["--definition", PASS, "--type", "EXPRESS", "--history"]):
            code, out, err = run("run-state-machine", *args)
            self.assertEqual((code, out), (2, ""), args)
            self.assertIn("usage: awsevents run-state-machine", err)

    def test_file_arguments(self):
        with tempfile.TemporaryDirectory() as d:
            dp, ip = os.path.join(d, "d.json"), os.path.join(d, "i.json")
            with open(dp, "w") as f:
                f.write(PASS)
            with open(ip, "w") as f:
                f.write('{"n": "file"}')
            code, out, _ = run("run-state-machine", "--definition", "file://" + dp,
                               "--input", "file://" + ip)
            self.assertEqual((code, json.loads(json.loads(out)["output"])), (0, {"v": "file"}))


class Functions(unittest.TestCase):
    TASK = json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "double", "Payload.$": "$"},
        "OutputPath": "$.Payload", "End": True}}})

    def test_function_bound_to_a_command(self):
        code, out, err = run("run-state-machine", "--definition", self.TASK, "--input", '{"n": 21}',
                             "--function", "double=python3 -c 'import json,sys; "
                             "print(json.dumps({\"n\": json.load(sys.stdin)[\"n\"] * 2}))'")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(json.loads(json.loads(out)["output"]), {"n": 42})

    def test_function_error_fails_the_task(self):
        legacy = json.dumps({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:bad",
            "End": True}}})
        code, out, _ = run("run-state-machine", "--definition", legacy, "--function",
                           'bad=echo \'{"errorType": "Boom", "errorMessage": "no"}\'; exit 1')
        r = json.loads(out)
        self.assertEqual((code, r["status"], r["error"]), (3, "FAILED", "Boom"))
        self.assertEqual(json.loads(r["cause"]), {"errorType": "Boom", "errorMessage": "no"})
        code, out, _ = run("run-state-machine", "--definition", self.TASK)
        self.assertEqual((code, json.loads(out)["error"]), (3, "Lambda.ResourceNotFoundException"))


class ValidateDefinition(unittest.TestCase):
    def test_ok_and_fail(self):
        code, out, _ = run("validate-state-machine-definition", "--definition", PASS)
        self.assertEqual((code, json.loads(out)),
                         (0, {"result": "OK", "diagnostics": [], "truncated": False}))
        code, out, _ = run("validate-state-machine-definition", "--definition", '{"States": {}}')
        r = json.loads(out)
        self.assertEqual((code, r["result"]), (0, "FAIL"))
        self.assertEqual(r["diagnostics"][0], {
            "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [StartAt]", "location": "/"})

    def test_usage(self):
        code, out, err = run("validate-state-machine-definition")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("usage: awsevents validate-state-machine-definition", err)


if __name__ == "__main__":
    unittest.main()
