"""`awsevents jsonata --expression E [--input J] [--bindings B]` (issue 10):
the result as one line of JSON (exit 0), nothing when undefined (exit 0),
{"__type": CODE, "message": ..., "position": N} on stderr (exit 1), usage
errors (exit 2), file:// input and the limit options. The binary is
$AWSEVENTS."""
import json
import os
import subprocess
import tempfile
import unittest

EXE = os.environ.get("AWSEVENTS", "awsevents")


def run(*args):
    p = subprocess.run([EXE, "jsonata", *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class JsonataCli(unittest.TestCase):
    def test_result_on_one_line(self):
        self.assertEqual(run("--expression", "a.b", "--input", '{"a": {"b": [1, {"c": 2}]}}'),
                         (0, '[1,{"c":2}]\n', ""))
        self.assertEqual(run("--expression", "1/3"), (0, "0.3333333333333333\n", ""))

    def test_undefined_prints_nothing(self):
        self.assertEqual(run("--expression", "nothing", "--input", "{}"), (0, "", ""))
        self.assertEqual(run("--expression", "$"), (0, "", ""))
        self.assertEqual(run("--expression", "$", "--input", "null"), (0, "null\n", ""))

    def test_bindings_and_file_input(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"n": 40}, f)
        try:
            self.assertEqual(run("--expression", "n + $k", "--input", "file://" + f.name,
                                 "--bindings", '{"k": 2}'), (0, "42\n", ""))
        finally:
            os.unlink(f.name)

    def test_jsonata_error(self):
        code, out, err = run("--expression", '1 + "a"')
        self.assertEqual((code, out), (1, ""))
        body = json.loads(err)
        self.assertEqual(body["__type"], "T2002")
        self.assertEqual(body["position"], 3)
        self.assertIn("right side", body["message"])
        code, _, err = run("--expression", "(")
        self.assertEqual((code, json.loads(err)["__type"]), (1, "S0207"))

    def test_limits(self):
        deep = "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(200))"
        self.assertEqual(run("--expression", deep)[:2], (0, "200\n"))
        code, _, err = run("--expression", deep, "--max-depth", "100")
        self.assertEqual((code, json.loads(err)["__type"]), (1, "U1001"))
        code, _, err = run("--expression", "($f := function() { $f() }; $f())",
                           "--timeout-ms", "50")
        self.assertEqual((code, json.loads(err)["__type"]), (1, "U1001"))

    def test_usage_errors(self):
        self.assertEqual(run()[0], 2)
        self.assertEqual(run("--expression")[0], 2)
        self.assertEqual(run("--expression", "1", "--bogus")[0], 2)
        self.assertEqual(run("--expression", "1", "--input", "{bad")[0], 1)


if __name__ == "__main__":
    unittest.main()
