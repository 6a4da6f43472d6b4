"""The Python binding of the pattern engine: Pattern.matches and PatternSet
with str, bytes and dict inputs, AWS errors as ClientError, the SNS
profiles, bad arguments, concurrent use and closing."""
import threading
import unittest

import awsevents
from awsevents import ClientError, Pattern, PatternSet

EVENT = {"id": "1", "source": "app", "detail-type": "order", "account": "1",
         "region": "us-east-1", "time": "2024-01-01T00:00:00Z",
         "resources": [], "detail": {"n": 7, "state": "paid"}}


class PatternTest(unittest.TestCase):
    def test_exported(self):
        self.assertIs(awsevents.Pattern, Pattern)
        self.assertIn("PatternSet", awsevents.__all__)

    def test_matches_str_dict_and_bytes(self):
        p = Pattern('{"source": ["app"], "detail": {"n": [{"numeric": [">", 5]}]}}')
        self.assertIs(p.matches(EVENT), True)
        self.assertIs(p.matches('{"source": "app", "detail": {"n": 3}}'), False)
        self.assertIs(p.matches(b'{"source": "app", "detail": {"n": 6}}'), True)
        d = Pattern({"detail": {"state": [{"anything-but": "paid"}]}})
        self.assertFalse(d.matches(EVENT))
        self.assertTrue(d.matches({"detail": {"state": "new"}}))

    def test_invalid_pattern_is_client_error(self):
        with self.assertRaises(ClientError) as cm:
            Pattern({"source": []})
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "InvalidEventPatternException")
        self.assertEqual(cm.exception.operation_name, "TestEventPattern")
        self.assertEqual(err["Message"], "Event pattern is not valid. Reason: "
                                         "Empty arrays are not allowed")
        with self.assertRaises(ClientError) as cm:
            Pattern('{"a": ["x"')
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidEventPatternException")

    def test_invalid_event_is_client_error(self):
        p = Pattern({"a": [1]})
        for bad in ("[1]", "not json", '{"a": 1'):
            with self.assertRaises(ClientError) as cm:
                p.matches(bad)
            self.assertEqual(cm.exception.response["Error"],
                             {"Code": "ValidationException",
                              "Message": "Parameter Event is not valid."})

    def test_sns_profiles(self):
        attrs = Pattern({"color": ["red"], "n": [{"numeric": [">=", 10]}]},
                        profile="sns:MessageAttributes")
        self.assertTrue(attrs.matches({
            "color": {"DataType": "String", "StringValue": "red"},
            "n": {"DataType": "Number", "StringValue": "12"}}))
        self.assertFalse(attrs.matches({
            "color": {"DataType": "String", "StringValue": "red"},
            "n": {"DataType": "String", "StringValue": "12"}}))
        body = Pattern({"order": {"state": ["paid"]}}, profile="sns:MessageBody")
        self.assertTrue(body.matches({"order": {"state": "paid"}}))
        self.assertFalse(body.matches("plain text"))
        with self.assertRaises(ClientError) as cm:
            Pattern({"a": {"b": [1]}}, profile="sns:MessageAttributes")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
        # SNS checks a filter policy where it is set: no EventBridge call
        # is named (it said TestEventPattern).
        self.assertEqual(cm.exception.operation_name, "SetSubscriptionAttributes")
        with self.assertRaises(ClientError) as cm:
            Pattern({k: [1] for k in "abcdef"}, profile="sns:MessageBody")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Invalid parameter: FilterPolicy: Filter policy can not "
                         "have more than 5 keys")
        with self.assertRaises(ValueError):
            Pattern({"a": [1]}, profile="sns")

    def test_close(self):
        with Pattern({"a": [1]}) as p:
            self.assertTrue(p.matches({"a": 1}))
        with self.assertRaises(ValueError):
            p.matches({"a": 1})
        p.close()


class PatternSetTest(unittest.TestCase):
    def test_add_match_remove(self):
        s = PatternSet()
        s.add(3, {"source": ["app"]})
        s.add(1, '{"detail": {"n": [{"numeric": [">", 5]}]}}')
        s.add(2, {"source": ["other"]})
        s.add(2 ** 64 - 1, {"detail": {"state": [{"prefix": "pa"}]}})
        self.assertEqual(len(s), 4)
        self.assertEqual(s.match(EVENT), [1, 3, 2 ** 64 - 1])
        self.assertEqual(s.match('{"source": "nothing"}'), [])
        s.remove(3)
        self.assertEqual(s.match(EVENT), [1, 2 ** 64 - 1])
        s.add(1, {"source": ["other"]})  # replaces id 1
        self.assertEqual(s.match(EVENT), [2 ** 64 - 1])
        with self.assertRaises(KeyError):
            s.remove(3)
        self.assertGreater(s.memory, 0)
        s.close()
        with self.assertRaises(ValueError):
            s.match(EVENT)

    def test_match_batch(self):
        s = PatternSet()
        s.add(1, {"source": ["app"]})
        s.add(2, {"detail": {"n": [{"numeric": [">", 5]}]}})
        events = [EVENT, '{"source": "other"}', b'{"detail": {"n": 9}}'] * 7
        self.assertEqual(s.match_batch(events),
                         [s.match(e) for e in events])
        self.assertEqual(s.match_batch(events)[:3], [[1, 2], [], [2]])
        self.assertEqual(s.match_batch([]), [])
        with self.assertRaises(ClientError) as cm:
            s.match_batch([EVENT, "[]"])
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Event 1 of the batch: Parameter Event is not valid.")
        body = PatternSet("sns:MessageBody")
        body.add(5, {"state": ["paid"]})
        self.assertEqual(body.match_batch(['{"state": "paid"}', "plain text"]),
                         [[5], []])

    def test_bad_pattern_leaves_the_set_unchanged(self):
        s = PatternSet()
        s.add(1, {"source": ["app"]})
        with self.assertRaises(ClientError) as cm:
            s.add(1, {"source": "app"})
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         'Event pattern is not valid. Reason: "source" must be '
                         'an object or an array')
        self.assertEqual(s.match(EVENT), [1])
        with self.assertRaises(ClientError):
            s.match("[]")

    def test_bad_ids(self):
        s = PatternSet()
        for bad, exc in (("1", TypeError), (1.0, TypeError), (True, TypeError),
                         (-1, ValueError), (2 ** 64, ValueError)):
            with self.assertRaises(exc):
                s.add(bad, {"a": [1]})
            with self.assertRaises(exc):
                s.remove(bad)
        self.assertEqual(len(s), 0)

    def test_sns_set(self):
        with PatternSet(profile="sns:MessageAttributes") as s:
            s.add(1, {"sizes": ["M"]})
            s.add(2, {"sizes": [{"exists": False}]})
            msg = {"sizes": {"DataType": "String.Array", "StringValue": '["S", "M"]'}}
            self.assertEqual(s.match(msg), [1])
            self.assertEqual(s.match({}), [2])

    def test_sns_attributes_in_publishs_shorthand(self):
        """The attributes dict given to Topic.publish ({"color": "red",
        "n": 12, ...}) must test as publish delivers it; it silently
        matched nothing."""
        policy = {"color": ["red"], "n": [{"numeric": [">=", 10]}],
                  "sizes": ["M"]}
        attrs = {"color": "red", "n": 12, "sizes": ["S", "M"]}
        self.assertTrue(Pattern(policy, "sns:MessageAttributes")
                        .matches(attrs))
        with PatternSet(profile="sns:MessageAttributes") as s:
            s.add(1, policy)
            self.assertEqual(s.match(attrs), [1])
            self.assertEqual(s.match(dict(attrs, n="12")), [])

    def test_concurrent_matches_and_updates(self):
        s = PatternSet()
        for i in range(50):
            s.add(i, {"detail": {"n": [i]}})
        errors = []

        def reader():
            try:
                for i in range(200):
                    got = s.match({"detail": {"n": i % 50}})
                    if got != [i % 50]:
                        errors.append(got)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for i in range(50, 100):
            s.add(i, {"detail": {"m": [i]}})
            s.remove(i)
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(s), 50)


if __name__ == "__main__":
    unittest.main()
