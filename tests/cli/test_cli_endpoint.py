"""`--endpoint URL_PREFIX=COMMAND` on `call` and `script`: the command stands
for the HTTP endpoints whose URLs start with the prefix (the longest wins),
reads the request as JSON on stdin, and answers a status on its first line
and the body after it (else 200 with stdout as body; a non-zero exit answers
500). Drives a rule -> API destination flow on the manual clock. The binary
is $AWSEVENTS."""
import json
import tempfile
import unittest

from cli_support import run, script as _script


def script(lines, *specs):
    return _script(lines, "--endpoint", *specs)


def call(action, request):
    return {"service": "events", "action": action, "request": request}


CONNECTION = call("CreateConnection", {
    "Name": "c", "AuthorizationType": "API_KEY",
    "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                "ApiKeyValue": "s3cr3t"}}})


class Script(unittest.TestCase):
    def flow(self, command):
        """A rule whose target is an API destination on https://api.example/,
        one event put, and the dead-letter queue read after a minute."""
        head = [{"service": "sqs", "action": "CreateQueue",
                 "request": {"QueueName": "dlq"}}, CONNECTION]
        conn_arn = script(head)[1]["ConnectionArn"]
        lines = head + [
            call("CreateApiDestination", {
                "Name": "d", "ConnectionArn": conn_arn, "HttpMethod": "POST",
                "InvocationEndpoint": "https://api.example/orders/*"}),
            call("PutRule", {"Name": "r", "EventPattern": '{"source":["shop"]}'}),
        ]
        dest_arn = script(lines)[2]["ApiDestinationArn"]
        lines += [
            call("PutTargets", {"Rule": "r", "Targets": [{
                "Id": "t", "Arn": dest_arn,
                "HttpParameters": {"PathParameterValues": ["$.detail.id"]},
                "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}}]}),
            call("PutEvents", {"Entries": [{"Source": "shop", "DetailType": "order",
                                            "Detail": '{"id":"o7"}'}]}),
            {"advance_ms": 60000},
            {"service": "sqs", "action": "ReceiveMessage", "request": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/dlq",
                "MessageAttributeNames": ["All"]}},
        ]
        return script(lines, "https://api.example/=" + command)

    def test_request_on_stdin_status_and_body_on_stdout(self):
        with tempfile.NamedTemporaryFile("r") as f:
            out = self.flow(f"cat > {f.name}; echo 201; echo created")
            req = json.load(f)
        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["url"], "https://api.example/orders/o7")
        self.assertEqual(req["headers"]["x-api-key"], "s3cr3t")
        self.assertEqual(req["headers"]["User-Agent"], "Amazon/EventBridge/ApiDestinations")
        self.assertEqual(json.loads(req["body"])["detail"], {"id": "o7"})
        self.assertEqual(out[-1], {})  # delivered: nothing dead-lettered

    def test_client_error_goes_to_the_dead_letter_queue(self):
        out = self.flow("cat > /dev/null; echo 404")
        msgs = out[-1]["Messages"]
        self.assertEqual(len(msgs), 1)
        attrs = msgs[0]["MessageAttributes"]
        self.assertEqual(attrs["ERROR_CODE"]["StringValue"], "ERROR_FROM_TARGET")
        self.assertEqual(attrs["RETRY_ATTEMPTS"]["StringValue"], "0")

    def test_plain_stdout_answers_200(self):
        self.assertEqual(self.flow("cat > /dev/null; echo fine")[-1], {})


class Usage(unittest.TestCase):
    def test_bad_binding_is_usage(self):
        for args in (["--endpoint"], ["--endpoint", "nocommand"],
                     ["--endpoint", "=cat"]):
            code, _, err = run("call", "events", "ListConnections", *args)
            self.assertEqual(code, 2, args)
            self.assertIn("--endpoint", err)

    def test_help_documents_it(self):
        for cmd in ("call", "script"):
            _, out, err = run(cmd, "--help")
            self.assertIn("--endpoint URL_PREFIX=COMMAND", out + err)


if __name__ == "__main__":
    unittest.main()
