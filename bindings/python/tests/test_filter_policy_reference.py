"""SNS filter policies against the brute-force reference in
pattern_reference, in both scopes: random policies using SNS's operators
and random messages from fixed seeds, compared as test_pattern_reference
compares EventBridge patterns, and every policy SNS would refuse for its
limits refused with SNS's message.

MessageAttributes are typed, and these rules, from SNS's documentation,
turn a map into the plain object the reference matches:
- a String value (or String.<custom>) is the string;
- a Number value (or Number.<custom>) is the number it spells, so "100.0"
  equals 100;
- a String.Array value is the JSON array it spells, each element matched
  alone;
- a Binary value is not looked at (SNS filters on String, String.Array and
  Number attributes), so exists:false holds for it.
The maps come in both of the library's conversions: the shapes it reads
in one scan (ASCII strings, integer Numbers, Publish's member names) and
the ones it hands to a JSON parser (escapes, raw UTF-8, decimals and
exponents, String.Array, custom types, a notification's Type and Value).

SNS's limits: at most 5 keys (leaf paths) and 150 combinations, where each
branch multiplies, per key, its number of values by its nesting depth,
and $or branches add up.
"""
import collections
import json
import math
import random
import unittest

from awsevents import ClientError, Pattern, PatternSet
from pattern_reference import (BLOCKS, IPS, NUMBERS, STRINGS, Agreement, Generator,
                               branches, reference_matches)

NAMES = ["color", "size", "n", "tags", "ip", "blob"]
# Non-ASCII (whose lower case keeps its length, as equals-ignore-case's
# fold wants), escapes and control characters: the parser's way.
WIDE = ["é", "Ünïcode", "ünïcode", 'quo"te', "back\\slash", "tab\tsep"]
MAX_KEYS, MAX_COMBINATIONS = 5, 150


def message_attributes(attributes):
    """A MessageAttributes map (dict, or its JSON text) as the plain object
    SNS matches."""
    if isinstance(attributes, str):
        attributes = json.loads(attributes)
    plain = {}
    for name, a in attributes.items():
        kind = a.get("DataType", a.get("Type"))
        text = a.get("StringValue", a.get("Value"))
        if kind.startswith("Number"):
            plain[name] = float(text)
        elif kind == "String.Array":
            plain[name] = json.loads(text)
        elif kind.startswith("String"):
            plain[name] = text
    return plain


def limits(policy):
    """(keys, combinations) as SNS counts them."""
    bs = branches(policy)
    keys = {path for b in bs for path, _ in b}
    combinations = sum(math.prod(len(ms) * (path.count(".") + 1) for path, ms in b) for b in bs)
    return len(keys), combinations


def refusal(policy):
    """SNS's message for a policy over its limits, or None."""
    keys, combinations = limits(policy)
    if keys > MAX_KEYS:
        return "Filter policy can not have more than 5 keys"
    if combinations > MAX_COMBINATIONS:
        return "Filter policy is too complex"
    return None


def sns_matcher(r):
    """One of SNS's matchers, over values the messages use."""
    x = r.random()
    if x < 0.3:
        return r.choice(STRINGS + WIDE)
    if x < 0.45:
        return r.choice(NUMBERS)
    if x < 0.53:
        return {"prefix": r.choice(["a", "ab", "x", "", "Ü"])}
    if x < 0.6:
        return {"suffix": r.choice(["b", "ab", "c", "te"])}
    if x < 0.7:
        return {"equals-ignore-case": r.choice(["ab", "AB", "abc", "B", "ÜNÏCODE", "É"])}
    if x < 0.8:
        lo = r.choice([-2, 0, 1, 2, 2.5])
        return {"numeric": r.choice([[">", lo], [">=", lo, "<", lo + 3], ["=", lo], ["<=", lo]])}
    if x < 0.9:
        return {"anything-but": r.choice([
            r.choice(STRINGS[:4]), STRINGS[:2], [1, 2], 2, {"prefix": "a"}, {"prefix": ["x", "A"]},
            ["é", "Ünïcode"], [100, 2.5]])}
    if x < 0.95:
        return {"cidr": r.choice(BLOCKS)}
    return r.choice([None, True, False])


def sns_leaf(r):
    if r.random() < 0.12:
        return [{"exists": r.random() < 0.5}]
    leaf = []
    for _ in range(r.randint(1, 3)):
        m = sns_matcher(r)
        if m not in leaf:
            leaf.append(m)
    return leaf


class AttributeGenerator:
    """Attribute maps over a few names, and flat policies on them."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def attribute(self):
        r, x = self.r, self.r.random()
        if x < 0.35:
            kind, text = "String", r.choice(STRINGS + IPS + WIDE)
        elif x < 0.6:
            kind, text = "Number", r.choice(["2", "-1", "10", "0", "100", "2.0", "3.5", "-0.0",
                                              "1e2", "100.0", "2.50000"])
        elif x < 0.85:
            kind = "String.Array"
            text = json.dumps([r.choice(STRINGS + NUMBERS + WIDE + [True, False, None])
                               for _ in range(r.randint(0, 3))])
        else:
            return {"DataType": "Binary", "BinaryValue": r.choice(["AAE=", "YWI="])}
        if r.random() < 0.1:
            kind += r.choice([".custom", ".float"]) if kind != "String.Array" else ""
        if r.random() < 0.15:  # a notification's member names
            return {"Type": kind, "Value": text}
        return {"DataType": kind, "StringValue": text}

    def event(self):
        names = self.r.sample(NAMES, self.r.randint(0, 4))
        attributes = {name: self.attribute() for name in names}
        x = self.r.random()
        if x < 0.2:  # raw UTF-8, compact
            return json.dumps(attributes, ensure_ascii=False, separators=(",", ":"))
        return attributes

    def pattern(self):
        r = self.r
        names = r.sample(NAMES, r.randint(1, 3))
        policy = {name: sns_leaf(r) for name in names}
        if r.random() < 0.25:
            rest = [n for n in NAMES if n not in names]
            policy = {names[0]: policy[names[0]],
                      "$or": [{n: sns_leaf(r) for n in r.sample(rest, r.randint(1, 2))}
                              for _ in range(2)]}
        return policy


class BodyGenerator(Generator):
    """The EventBridge generator's nested events and patterns, with SNS's
    matchers, and no dotted keys (whose meaning in a message body SNS does
    not document)."""
    DOTTED = 0

    def matcher(self):
        return sns_matcher(self.r)

    def leaf(self):
        return sns_leaf(self.r)


class FilterPolicyReferenceTest(Agreement, unittest.TestCase):
    POLICIES = 150
    MESSAGES = 200

    def policy(self, g, profile):
        """A policy SNS takes; every one it refuses on the way must be
        refused with SNS's message (counted, by message, in self.refused)."""
        while True:
            p = g.pattern()
            why = refusal(p)
            if why is None:
                return p
            self.refused[why] += 1
            with self.assertRaises(ClientError, msg=json.dumps(p)) as caught:
                Pattern(p, profile)
            self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidParameter")
            self.assertIn(why, caught.exception.response["Error"]["Message"])

    def run_scope(self, g, profile, want):
        self.refused = collections.Counter()
        policies = [self.policy(g, profile) for _ in range(self.POLICIES)]
        events = [g.event() for _ in range(self.MESSAGES)]
        ps, singles = PatternSet(profile), [Pattern(p, profile) for p in policies]
        for i, p in enumerate(policies):
            ps.add(i, p)
        matched = self.agree(policies, singles, ps, events, want)
        self.assertGreater(matched, self.POLICIES * self.MESSAGES // 50)
        self.churn(lambda: self.policy(g, profile), policies, singles, ps, profile)
        self.agree(policies, singles, ps, events, want)
        return self.refused

    def test_message_attributes(self):
        for seed in (1, 2):
            self.run_scope(AttributeGenerator(seed), "sns:MessageAttributes",
                           lambda p, e: reference_matches(p, message_attributes(e)))

    def test_message_body(self):
        refused = sum((self.run_scope(BodyGenerator(seed), "sns:MessageBody", reference_matches)
                       for seed in (1, 2)), collections.Counter())
        # The generator's bigger policies cross both limits.
        self.assertEqual(set(refused), {"Filter policy can not have more than 5 keys",
                                        "Filter policy is too complex"})

    def test_conversion_rules(self):
        attributes = {"n": {"DataType": "Number", "StringValue": "1e2"},
                      "a": {"Type": "String.Array", "Value": "[1, \"x\", null]"},
                      "s": {"DataType": "String.custom", "StringValue": "x"},
                      "b": {"DataType": "Binary", "BinaryValue": "AAE="}}
        self.assertEqual(message_attributes(attributes), {"n": 100.0, "a": [1, "x", None], "s": "x"})
        for policy, want in (({"n": [100]}, True), ({"a": ["x"]}, True), ({"s": ["x"]}, True),
                             ({"b": [{"exists": False}]}, True), ({"b": [{"exists": True}]}, False),
                             ({"n": ["1e2"]}, False)):
            self.assertEqual(Pattern(policy, "sns:MessageAttributes").matches(attributes), want,
                             json.dumps(policy))

    def test_limits_as_counted(self):
        # SNS's worked example: 4 values three levels down and 3 values two
        # levels down make 3 x 4 x 2 x 3 = 72 combinations.
        self.assertEqual(limits({"a": {"b": {"c": [1, 2, 3, 4]}}, "d": {"e": [1, 2, 3]}}), (2, 72))
        self.assertEqual(limits({"$or": [{"a": [1, 2]}, {"b": [1], "c": [1, 2, 3]}]}), (3, 5))


if __name__ == "__main__":
    unittest.main()
