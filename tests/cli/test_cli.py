"""The awsevents tool against DESIGN §6's contract: stdout/stderr/exit code
for success, AWS errors (1) and usage errors (2); `script` answers each
input line with one flushed line. The binary is $AWSEVENTS."""
import json
import os
import select
import subprocess
import tempfile
import unittest

EXE = os.environ.get("AWSEVENTS", "awsevents")
DEFAULT_START_MS = 1704067200000  # 2024-01-01T00:00:00Z


def run(*args, stdin=""):
    p = subprocess.run([EXE, *args], input=stdin, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def lines(text):
    return [json.loads(l) for l in text.splitlines()]


class Top(unittest.TestCase):
    def test_version(self):
        code, out, err = run("--version")
        self.assertEqual((code, err), (0, ""))
        self.assertRegex(out, r"^awsevents \d+\.\d+\.\d+\n$")

    def test_help_lists_commands(self):
        code, out, err = run("--help")
        self.assertEqual((code, err), (0, ""))
        self.assertIn("call", out)
        self.assertIn("script", out)

    def test_no_command_is_usage(self):
        code, out, err = run()
        self.assertEqual((code, out), (2, ""))
        self.assertIn("usage: awsevents", err)

    def test_unknown_command_is_usage(self):
        code, out, err = run("frobnicate")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("unknown command 'frobnicate'", err)
        self.assertIn("usage: awsevents", err)

    def test_command_help(self):
        for name in ("call", "script"):
            code, out, err = run(name, "--help")
            self.assertEqual((code, err), (0, ""))
            self.assertTrue(out.startswith("usage: awsevents " + name), out)


class Call(unittest.TestCase):
    def assert_aws_error(self, result, code):
        status, out, err = result
        self.assertEqual((status, out), (1, ""))
        self.assertTrue(err.endswith("\n"))
        body = json.loads(err)
        self.assertEqual(set(body), {"__type", "message"})
        self.assertEqual(body["__type"], code)
        return body["message"]

    def test_unknown_action(self):
        msg = self.assert_aws_error(run("call", "sqs", "NoSuchAction", "{}"),
                                    "UnknownOperationException")
        self.assertIn("NoSuchAction", msg)

    def test_unknown_service(self):
        self.assert_aws_error(run("call", "s3", "PutObject"),
                              "UnknownOperationException")

    def test_malformed_request(self):
        msg = self.assert_aws_error(
            run("call", "sqs", "SendMessage", '{"QueueUrl":'),
            "SerializationException")
        self.assertIn("Could not parse request body", msg)

    def test_file_argument_is_loaded(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write("[1, 2]")
            f.flush()
            msg = self.assert_aws_error(
                run("call", "sqs", "SendMessage", "file://" + f.name),
                "SerializationException")
        self.assertIn("must be a JSON object", msg)

    def test_missing_file_is_usage(self):
        code, out, err = run("call", "sqs", "SendMessage",
                             "file:///nonexistent/request.json")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("Unable to load paramfile "
                      "file:///nonexistent/request.json", err)
        self.assertIn("usage: awsevents call", err)

    def test_usage_errors(self):
        for args in (["call"], ["call", "sqs"],
                     ["call", "sqs", "A", "{}", "extra"],
                     ["call", "--region", "eu-west-1", "sqs", "A"]):
            code, out, err = run(*args)
            self.assertEqual((code, out), (2, ""), args)
            self.assertIn("usage: awsevents call", err)


class Script(unittest.TestCase):
    def test_advance_moves_the_clock_from_the_default_start(self):
        code, out, err = run("script", stdin='{"advance_ms":1000}\n'
                             '{"advance_ms": 0}\n{"advance_ms":500}\n')
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(lines(out), [{"now_ms": DEFAULT_START_MS + 1000},
                                      {"now_ms": DEFAULT_START_MS + 1000},
                                      {"now_ms": DEFAULT_START_MS + 1500}])

    def test_one_line_out_per_line_in_and_errors_do_not_end_it(self):
        stdin = "\n".join([
            '{"service":"sqs","action":"NoSuchAction","request":{}}',
            "",
            "   ",
            "this is not json",
            '{"service":"sqs"}',
            '{"service":"sqs","action":"X","request":[]}',
            '{"advance_ms":-5}',
            '{"advance_ms":"10"}',
            '{"advance_ms":10,"service":"sqs"}',
            '{"service":"nope","action":"X"}',
            '{"advance_ms":10}',
        ]) + "\n"
        code, out, err = run("script", stdin=stdin)
        self.assertEqual((code, err), (0, ""))
        got = lines(out)
        types = [g.get("__type") for g in got]
        # advance_ms -5 is refused by the broker with its own error name.
        self.assertTrue(types[4])
        types[4] = "refused"
        self.assertEqual(types, [
            "UnknownOperationException", "SerializationException",
            "SerializationException", "SerializationException", "refused",
            "SerializationException", "SerializationException",
            "UnknownOperationException", None])
        self.assertEqual(got[-1], {"now_ms": DEFAULT_START_MS + 10})

    def test_nul_in_a_request_reaches_the_service(self):
        queue = '{"service":"sqs","action":"CreateQueue","request":%s}'
        stdin = "\n".join([
            queue % '{"QueueName":"a\\u0000"}',
            queue % '{"QueueName":"q"}',
            '{"service":"sqs","action":"SendMessage","request":'
            '{"QueueUrl":"q","MessageBody":"a\\u0000b"}}',
            '{"service":"sqs","action":"ListQueues","request":{}}',
        ]) + "\n"
        code, out, err = run("script", stdin=stdin)
        self.assertEqual((code, err), (0, ""))
        got = lines(out)
        self.assertEqual(got[0], {
            "__type": "InvalidParameterValue",
            "message": "Value for parameter QueueName is invalid. Reason: "
                       "Must not contain the character U+0000."})
        self.assertEqual(got[2]["__type"], "InvalidMessageContents")
        self.assertEqual([u.rsplit("/", 1)[1] for u in got[3]["QueueUrls"]],
                         ["q"])

    def test_nul_in_service_or_action_is_refused(self):
        stdin = ('{"service":"sqs\\u0000x","action":"ListQueues"}\n'
                 '{"service":"sqs","action":"ListQueues\\u0000"}\n')
        code, out, err = run("script", stdin=stdin)
        self.assertEqual((code, err), (0, ""))
        refused = {"__type": "SerializationException",
                   "message": "The service and action must not contain the "
                              "character U+0000."}
        self.assertEqual(lines(out), [refused, refused])

    def test_a_nul_byte_is_not_json_and_gets_its_line(self):
        code, out, err = run("script",
                             stdin='{"advance_ms":1}\0 tail\n\0\n')
        self.assertEqual((code, err), (0, ""))
        self.assertEqual([g["__type"] for g in lines(out)],
                         ["SerializationException"] * 2)

    def test_start_time_epoch_ms_and_iso(self):
        for arg, start in (("1000", 1000),
                           ("2025-03-01T12:00:00Z", 1740830400000),
                           ("2025-03-01T12:00:00.250Z", 1740830400250),
                           ("2025-03-01T12:00:00+00:00", 1740830400000)):
            code, out, err = run("script", "--start-time", arg,
                                 stdin='{"advance_ms":1}\n')
            self.assertEqual((code, err), (0, ""), arg)
            self.assertEqual(lines(out), [{"now_ms": start + 1}], arg)

    def test_file_argument_and_seed(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as f:
            f.write('{"advance_ms":2000}\n')
            f.flush()
            code, out, err = run("script", f.name, "--seed", "42")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(lines(out), [{"now_ms": DEFAULT_START_MS + 2000}])

    def test_usage_errors(self):
        for args in (["--seed"], ["--seed", "-1"], ["--seed", "x"],
                     ["--start-time", "yesterday"],
                     ["--start-time", "2024-02-30T00:00:00Z"],
                     ["--start-time", "2024-01-01T00:00:00"],
                     ["--bogus"], ["a.jsonl", "b.jsonl"],
                     ["/nonexistent/session.jsonl"]):
            code, out, err = run("script", *args)
            self.assertEqual((code, out), (2, ""), args)
            self.assertIn("usage: awsevents script", err, args)

    def test_each_answer_is_flushed_before_the_next_line(self):
        p = subprocess.Popen([EXE, "script"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        try:
            for i in (1, 2):
                p.stdin.write('{"advance_ms":1}\n')
                p.stdin.flush()
                # The answer must arrive while stdin is still open.
                ready, _, _ = select.select([p.stdout], [], [], 30)
                self.assertTrue(ready, "no answer while the session is open")
                self.assertEqual(json.loads(p.stdout.readline()),
                                 {"now_ms": DEFAULT_START_MS + i})
        finally:
            p.stdin.close()
            self.assertEqual(p.wait(timeout=60), 0)
            p.stdout.close()


if __name__ == "__main__":
    unittest.main()
