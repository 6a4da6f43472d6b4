"""`awsevents test-event-pattern` against DESIGN §6 and issue 4: the result
on stdout (exit 0), InvalidEventPatternException on stderr (exit 1), usage
errors (exit 2), file:// arguments and --require-envelope. The binary is
$AWSEVENTS."""
import json
import os
import subprocess
import tempfile
import unittest

EXE = os.environ.get("AWSEVENTS", "awsevents")
ENVELOPE = {"id": "1", "account": "123456789012", "source": "app", "time": "2024-01-01T00:00:00Z",
            "region": "us-east-1", "resources": [], "detail-type": "t", "detail": {"n": 5}}


def run(*args):
    p = subprocess.run([EXE, "test-event-pattern", *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


class TestEventPattern(unittest.TestCase):
    def test_match_and_no_match(self):
        self.assertEqual(run("--event-pattern", '{"a": [1]}', "--event", '{"a": 1}'),
                         (0, '{"Result": true}\n', ""))
        self.assertEqual(run("--event", '{"a": 2}', "--event-pattern", '{"a": [1]}'),
                         (0, '{"Result": false}\n', ""))

    def test_invalid_pattern_is_an_aws_error(self):
        code, out, err = run("--event-pattern", '{"a": []}', "--event", "{}")
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(json.loads(err), {
            "__type": "InvalidEventPatternException",
            "message": "Event pattern is not valid. Reason: Empty arrays are not allowed"})

    def test_invalid_event_is_an_aws_error(self):
        code, out, err = run("--event-pattern", '{"a": [1]}', "--event", "[1]")
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(json.loads(err)["__type"], "ValidationException")

    def test_usage_errors(self):
        for args in ([], ["--event", "{}"], ["--event-pattern"], ["--bogus"]):
            code, out, err = run(*args)
            self.assertEqual((code, out), (2, ""), args)
            self.assertIn("usage: awsevents test-event-pattern", err)

    def test_file_arguments(self):
        with tempfile.TemporaryDirectory() as d:
            p, e = os.path.join(d, "p.json"), os.path.join(d, "e.json")
            with open(p, "w") as f:
                f.write('{"detail": {"n": [{"numeric": [">", 1]}]}}')
            with open(e, "w") as f:
                json.dump(ENVELOPE, f)
            self.assertEqual(run("--event-pattern", "file://" + p, "--event", "file://" + e)[:2],
                             (0, '{"Result": true}\n'))
            self.assertEqual(run("--event-pattern", "file://" + d + "/missing", "--event", "{}")[0], 2)

    def test_require_envelope(self):
        pattern = '{"source": ["app"]}'
        code, out, err = run("--event-pattern", pattern, "--event", json.dumps(ENVELOPE),
                             "--require-envelope")
        self.assertEqual((code, json.loads(out), err), (0, {"Result": True}, ""))
        partial = dict(ENVELOPE)
        del partial["region"]
        self.assertEqual(run("--event-pattern", pattern, "--event", json.dumps(partial))[:2],
                         (0, '{"Result": true}\n'))
        code, out, err = run("--event-pattern", pattern, "--event", json.dumps(partial),
                             "--require-envelope")
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(json.loads(err), {"__type": "ValidationException",
                                           "message": "Parameter Event is not valid."})

    def test_help(self):
        p = subprocess.run([EXE, "--help"], capture_output=True, text=True)
        self.assertIn("test-event-pattern", p.stdout)


if __name__ == "__main__":
    unittest.main()
