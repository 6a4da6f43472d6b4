"""awsevents.jsonata(expr).evaluate(data, bindings=...): results, no input
vs null, undefined, bindings, JsonataError codes and positions, limits."""
import gc
import sys
import threading
import unittest

import awsevents


class JsonataTest(unittest.TestCase):
    def test_results(self):
        expr = awsevents.jsonata("$sum(items.price)")
        self.assertEqual(
            expr.evaluate({"items": [{"price": 1}, {"price": 2.5}]}), 3.5)
        self.assertEqual(awsevents.jsonata("a.b").evaluate(
            {"a": [{"b": 1}, {"b": [2, 3]}]}), [1, 2, 3])
        self.assertEqual(awsevents.jsonata('{"n": $uppercase(name)}')
                         .evaluate({"name": "x"}), {"n": "X"})

    def test_no_input_null_and_undefined(self):
        expr = awsevents.jsonata("$exists($)")
        self.assertIs(expr.evaluate(), False)
        self.assertIs(expr.evaluate(None), True)
        missing = awsevents.jsonata("nothing.here")
        self.assertIsNone(missing.evaluate({}))
        self.assertEqual(missing.evaluate({}, undefined="UNDEF"), "UNDEF")

    def test_bindings(self):
        expr = awsevents.jsonata("$states.input.n + $k")
        self.assertEqual(expr.evaluate(
            bindings={"states": {"input": {"n": 40}}, "k": 2}), 42)

    def test_errors(self):
        with self.assertRaises(awsevents.JsonataError) as cm:
            awsevents.jsonata("a.(b")
        self.assertEqual(cm.exception.code, "S0203")
        self.assertEqual(cm.exception.position, 4)
        with self.assertRaises(awsevents.JsonataError) as cm:
            awsevents.jsonata('1 + "a"').evaluate()
        self.assertEqual(cm.exception.code, "T2002")
        with self.assertRaises(awsevents.JsonataError) as cm:
            awsevents.jsonata('$error("custom")').evaluate()
        self.assertEqual(cm.exception.code, "D3137")
        self.assertEqual(cm.exception.message, "custom")

    def test_failed_compile_cleans_up_quietly(self):
        # An expression that fails to compile is collected without an
        # "Exception ignored in __del__" (it had no handle to free).
        ignored = []
        previous, sys.unraisablehook = sys.unraisablehook, ignored.append
        try:
            with self.assertRaises(awsevents.JsonataError):
                awsevents.jsonata("a.(b")
            gc.collect()
        finally:
            sys.unraisablehook = previous
        self.assertEqual(ignored, [])

    def test_limits(self):
        expr = awsevents.jsonata(
            "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(300))",
            max_depth=100)
        with self.assertRaises(awsevents.JsonataError) as cm:
            expr.evaluate()
        self.assertEqual(cm.exception.code, "U1001")

    def test_max_string(self):
        expr = awsevents.jsonata("$length($fromMillis(0, '[Y,' & w & ']'))",
                                 max_string=1000)
        self.assertEqual(expr.evaluate({"w": 1000}), 1000)
        with self.assertRaises(awsevents.JsonataError) as cm:
            expr.evaluate({"w": 1001})
        self.assertEqual(cm.exception.code, "U1001")
        self.assertIn("at most 1000 bytes", cm.exception.message)
        with self.assertRaises(awsevents.JsonataError):
            awsevents.jsonata("1", max_string=2**29)

    def test_threads_share_one_expression(self):
        expr = awsevents.jsonata("$string($count(xs))")
        results = []

        def work(n):
            results.append(expr.evaluate({"xs": list(range(n))}) == str(n))

        threads = [threading.Thread(target=work, args=(i,))
                   for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, [True] * 8)

    def test_closed_expression_says_so(self):
        """evaluate() after close() raised JsonataError
        "InvalidParameterValue: An expression is required (position -1)"."""
        expr = awsevents.jsonata("1 + 1")
        expr.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            expr.evaluate()
        expr.close()


if __name__ == "__main__":
    unittest.main()
