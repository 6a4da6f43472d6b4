"""`--function NAME=COMMAND` on `call` and `script` (DESIGN §6): the command
runs per invocation with the event on stdin and its stdout as the result; a
non-zero exit is a function error from a JSON object on stdout, else
Unhandled with stderr; Event invocations, retries and queue mappings work
from a script on the manual clock. The binary is $AWSEVENTS."""
import json
import unittest

from cli_support import run, script as _script


def script(lines, *specs):
    return _script(lines, "--function", *specs)


class Call(unittest.TestCase):
    def invoke(self, command, payload='{"x":"hi"}'):
        code, out, err = run("call", "lambda", "Invoke",
                             json.dumps({"FunctionName": "f", "Payload": payload}),
                             "--function", "f=" + command)
        self.assertEqual((code, err), (0, ""))
        return json.loads(out)

    def test_stdout_is_the_result(self):
        r = self.invoke("tr a-z A-Z")
        self.assertEqual(r, {"StatusCode": 200, "ExecutedVersion": "$LATEST",
                             "Payload": '{"X":"HI"}'})

    def test_nonzero_exit_with_json_object(self):
        r = self.invoke('echo \'{"errorType":"ValueError","errorMessage":"no"}\'; exit 1')
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(r["Payload"]),
                         {"errorType": "ValueError", "errorMessage": "no"})

    def test_nonzero_exit_without_json_uses_stderr(self):
        r = self.invoke("cat >/dev/null; echo 'went wrong' >&2; exit 3")
        self.assertEqual(json.loads(r["Payload"]),
                         {"errorMessage": "went wrong", "errorType": "Unhandled"})

    def test_default_configuration(self):
        code, out, err = run("call", "lambda", "GetFunction",
                             '{"FunctionName":"f"}', "--function", "f=cat")
        self.assertEqual(code, 0, err)
        conf = json.loads(out)["Configuration"]
        self.assertEqual((conf["Timeout"], conf["MemorySize"]), (3, 128))

    def test_bad_binding_is_usage(self):
        for arg in (["--function"], ["--function", "noequals"], ["--function", "=cmd"]):
            code, out, err = run("call", "lambda", "ListFunctions", *arg)
            self.assertEqual((code, out), (2, ""), arg)
            self.assertIn("usage: awsevents call", err)


class Script(unittest.TestCase):
    def test_event_retries_and_failure_destination(self):
        out = script([
            {"service": "sqs", "action": "CreateQueue", "request": {"QueueName": "failed"}},
            {"service": "lambda", "action": "PutFunctionEventInvokeConfig", "request": {
                "FunctionName": "boom", "MaximumRetryAttempts": 1,
                "DestinationConfig": {"OnFailure": {
                    "Destination": "arn:aws:sqs:us-east-1:000000000000:failed"}}}},
            {"service": "lambda", "action": "Invoke", "request": {
                "FunctionName": "boom", "InvocationType": "Event", "Payload": '{"n":1}'}},
            {"advance_ms": 59999},
            {"service": "sqs", "action": "ReceiveMessage", "request": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/failed"}},
            {"advance_ms": 1},
            {"service": "sqs", "action": "ReceiveMessage", "request": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/failed"}},
        ], "boom=exit 1")
        self.assertEqual(out[2], {"StatusCode": 202, "Payload": ""})
        self.assertEqual(out[4], {})
        record = json.loads(out[6]["Messages"][0]["Body"])
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(record["requestPayload"], {"n": 1})
        self.assertEqual(record["timestamp"], "2024-01-01T00:01:00.000Z")

    def test_queue_mapping_feeds_the_command(self):
        out = script([
            {"service": "sqs", "action": "CreateQueue", "request": {"QueueName": "in"}},
            {"service": "sqs", "action": "CreateQueue", "request": {"QueueName": "out"}},
            {"service": "lambda", "action": "CreateEventSourceMapping", "request": {
                "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:in",
                "FunctionName": "count"}},
            {"service": "sqs", "action": "SendMessage", "request": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/in",
                "MessageBody": "a"}},
            {"service": "lambda", "action": "Invoke", "request": {
                "FunctionName": "count", "Payload": '{"Records":[1,2,3]}'}},
            {"advance_ms": 60000},
            {"service": "sqs", "action": "ReceiveMessage", "request": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/in"}},
        ], "count=python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"Records\"]))'")
        self.assertEqual(out[2]["State"], "Creating")
        self.assertEqual(out[4]["Payload"], "3")
        self.assertEqual(out[6], {})  # the mapping's batch succeeded: deleted

    def test_create_function_with_bound_handler(self):
        out = script([
            {"service": "lambda", "action": "CreateFunction", "request": {
                "FunctionName": "copy", "Handler": "up", "Timeout": 10}},
            {"service": "lambda", "action": "Invoke", "request": {
                "FunctionName": "copy", "Payload": '"abc"'}},
        ], "up=tr a-z A-Z")
        self.assertEqual(out[0]["Timeout"], 10)
        self.assertEqual(out[1]["Payload"], '"ABC"')


if __name__ == "__main__":
    unittest.main()
