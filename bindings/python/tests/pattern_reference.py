"""A brute-force reference for event patterns, written from the rules, not
from the library, and a generator of random patterns and events over a
few paths and values, so that they meet; the tests that compare the
library with it (test_pattern_reference, test_filter_policy_reference)
share it.

The rules:
- an event is flattened to (path, value, arrays) for each leaf value, keys
  joined with dots (so "o.x" and {"o": {"x": ...}} name the same path), and
  an array's elements, nested arrays too, each remember their array and
  index;
- a pattern is a set of branches ($or at any depth multiplies them out);
  a branch matches when each of its fields can take one of the event's
  values at its path that passes one of its matchers, the chosen values
  never sitting in different elements of one array (array consistency);
- exists:false holds when the path has no leaf value anywhere in the event;
- anything-but holds for any value, of any type, that it does not exclude
  (AWS's recorded answers: null and numbers pass a string anything-but);
- numbers compare as numbers (2 equals 2.0), strings only as strings;
- a cidr block holds the strings that Python's ipaddress reads as an
  address inside it.
"""
import ipaddress
import json
import random
import re

from awsevents import Pattern

STRINGS = ["ab", "Ab", "abc", "b", "", "xab", "AB"]
NUMBERS = [1, 2, 2.0, -1, 3.5, 10, 0, -0.0, 1e2, 100]
IPS = ["10.1.2.3", "10.2.0.1", "11.0.0.1", "2001:db8::1", "2001:db8:0:1::5", "2001:db9::1"]
BLOCKS = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32", "0.0.0.0/0", "2001:db8::/32",
          "2001:db8:0:1::/64"]
PATHS = ["a", "b", "o", "o.x", "o.y", "arr.p", "arr.q", "m.n", "m.n.k"]


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def flatten(event):
    """(path, value, ((array, index), ...)) for each leaf value."""
    fields, arrays = [], [0]

    def walk(v, path, trail):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, path + "." + k if path else k, trail)
        elif isinstance(v, list):
            arrays[0] += 1
            array = arrays[0]
            for i, x in enumerate(v):
                walk(x, path, trail + ((array, i),))
        else:
            fields.append((path, v, trail))
    walk(event, "", ())
    return fields


def consistent(t, u):
    index = dict(t)
    return all(index.get(array, i) == i for array, i in u)


def wildcard_regex(w):
    return ".*".join(re.escape(part) for part in w.split("*"))


def passes(m, v):
    if not isinstance(m, dict):
        if m is None or isinstance(m, bool):
            return v is m
        if isinstance(m, str):
            return isinstance(v, str) and v == m
        return is_number(v) and v == m
    (op, arg), = m.items()
    if op in ("prefix", "suffix") and isinstance(arg, dict):
        return isinstance(v, str) and passes({op: arg["equals-ignore-case"].lower()}, v.lower())
    if op == "prefix":
        return isinstance(v, str) and v.startswith(arg)
    if op == "suffix":
        return isinstance(v, str) and v.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(v, str) and v.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(v, str) and re.fullmatch(wildcard_regex(arg), v, re.S) is not None
    if op == "cidr":
        if not isinstance(v, str):
            return False
        try:
            return ipaddress.ip_address(v) in ipaddress.ip_network(arg)
        except ValueError:
            return False
    if op == "exists":
        return True  # exists:false is the branch's, see branch_matches()
    if op == "numeric":
        tests = {"<": lambda n: v < n, "<=": lambda n: v <= n, "=": lambda n: v == n,
                 ">": lambda n: v > n, ">=": lambda n: v >= n}
        return is_number(v) and all(tests[arg[i]](arg[i + 1]) for i in range(0, len(arg), 2))
    if op == "anything-but":
        if isinstance(arg, dict):  # {"prefix": ...} and the like: strings only
            (kind, xs), = arg.items()
            xs = xs if isinstance(xs, list) else [xs]
            return not (isinstance(v, str) and any(passes({kind: x}, v) for x in xs))
        xs = arg if isinstance(arg, list) else [arg]
        return not any(passes(x, v) for x in xs)
    raise ValueError(op)


def branches(pattern, prefix=""):
    """The pattern's branches, each a list of (path, matchers)."""
    result = [[]]
    for k, v in pattern.items():
        if k == "$or":
            alternatives = [b for sub in v for b in branches(sub, prefix)]
        elif isinstance(v, dict):
            alternatives = branches(v, prefix + k + ".")
        else:
            alternatives = [[(prefix + k, v)]]
        result = [r + a for r in result for a in alternatives]
    return result


ABSENT = [{"exists": False}]


def branch_matches(branch, fields):
    if any(f[0] == p for p, ms in branch if ms == ABSENT for f in fields):
        return False
    wanted = [(p, ms) for p, ms in branch if ms != ABSENT]

    def choose(i, trails):
        if i == len(wanted):
            return True
        path, matchers = wanted[i]
        return any(p == path and any(passes(m, v) for m in matchers)
                   and all(consistent(t, u) for u in trails) and choose(i + 1, trails + [t])
                   for p, v, t in fields)
    return choose(0, [])


def reference_matches(pattern, event):
    fields = flatten(event)
    return any(branch_matches(b, fields) for b in branches(pattern))


class Generator:
    """Events and patterns over a few paths and values, so that they meet."""

    # How often a nested path is written as one dotted key instead.
    DOTTED = 0.2

    def __init__(self, seed):
        self.r = random.Random(seed)

    def scalar(self):
        x = self.r.random()
        if x < 0.12:
            return self.r.choice(IPS)
        if x < 0.5:
            return self.r.choice(STRINGS)
        if x < 0.85:
            return self.r.choice(NUMBERS)
        return self.r.choice([None, True, False])

    def value(self):
        if self.r.random() < 0.3:
            return [self.scalar() for _ in range(self.r.randint(0, 3))]
        return self.scalar()

    def event(self):
        r, e = self.r, {}
        if r.random() < 0.8:
            e["a"] = self.value()
        if r.random() < 0.6:
            e["b"] = self.value()
        x = r.random()
        if x < 0.4:
            e["o"] = self.xy()
        elif x < 0.6:
            e["o"] = [self.xy() for _ in range(r.randint(0, 3))]
        elif x < 0.7:
            e["o"] = self.scalar()
        if r.random() < 0.15 and self.DOTTED:
            e["o.x"] = self.value()
        if r.random() < 0.7:
            e["arr"] = [self.element() for _ in range(r.randint(0, 3))]
        if r.random() < 0.4:
            e["m"] = {"n": {"k": self.value()}} if r.random() < 0.8 else {"n": self.scalar()}
        return e

    def xy(self):
        o = {}
        if self.r.random() < 0.7:
            o["x"] = self.value()
        if self.r.random() < 0.5:
            o["y"] = self.value()
        return o

    def element(self):
        el = {}
        if self.r.random() < 0.7:
            el["p"] = self.value()
        if self.r.random() < 0.7:
            el["q"] = self.value()
        return el if self.r.random() < 0.8 else [el, {"p": self.scalar()}]

    def matcher(self):
        r, x = self.r, self.r.random()
        if x < 0.3:
            return r.choice(STRINGS)
        if x < 0.45:
            return r.choice(NUMBERS)
        if x < 0.55:
            return {"prefix": r.choice(["a", "ab", "x", ""])}
        if x < 0.62:
            return {"suffix": r.choice(["b", "ab", "c"])}
        if x < 0.72:
            return {"equals-ignore-case": r.choice(["ab", "AB", "abc", "B"])}
        if x < 0.82:
            lo = r.choice([-2, 0, 1, 2])
            return {"numeric": r.choice([[">", lo], [">=", lo, "<", lo + 3], ["=", lo], ["<=", lo]])}
        if x < 0.88:
            return {"anything-but": r.choice([
                r.choice(STRINGS[:4]), STRINGS[:2], [1, 2], 2, {"prefix": "a"}, {"suffix": "b"},
                {"equals-ignore-case": ["AB", "x"]}, {"wildcard": "*b*"}, {"prefix": ["x", "A"]}])}
        if x < 0.92:
            return {r.choice(["prefix", "suffix"]): {"equals-ignore-case": r.choice(["A", "aB", "B"])}}
        if x < 0.93:
            return {"wildcard": r.choice(["a*", "*b", "*", "a*b", "*a*", "x*b"])}
        if x < 0.96:
            return {"cidr": r.choice(BLOCKS)}
        if x < 0.98:
            return r.choice([None, True, False])
        return {"exists": True}

    def leaf(self):
        if self.r.random() < 0.12:
            return [{"exists": self.r.random() < 0.5}]
        leaf = []
        for _ in range(self.r.randint(1, 3)):
            m = self.matcher()
            if m not in leaf:
                leaf.append(m)
        return leaf

    def pattern(self):
        while True:
            try:
                return self.try_pattern(PATHS, top=True)
            except ValueError:  # two paths that cannot share one object
                pass

    def try_pattern(self, paths, top):
        r, pool = self.r, list(paths)
        r.shuffle(pool)
        n = r.randint(1, min(5 if top else 3, len(pool)))
        mine, rest = pool[:n], pool[n:]
        pattern = {}
        for path in mine:
            self.put(pattern, path, self.leaf())
        if top and rest and r.random() < 0.3:
            pattern["$or"] = [self.try_pattern(rest, False) for _ in range(r.randint(2, 3))]
        elif top and not any(p.startswith("o") for p in mine) and r.random() < 0.2:
            pattern["o"] = {"$or": [{"x": self.leaf()}, {"y": self.leaf()}]}
        return pattern

    def put(self, pattern, path, leaf):
        """Nested objects, or sometimes the dotted key itself."""
        parts = path.split(".")
        if len(parts) > 1 and self.r.random() < self.DOTTED and path not in pattern:
            pattern[path] = leaf
            return
        for part in parts[:-1]:
            pattern = pattern.setdefault(part, {})
            if not isinstance(pattern, dict):
                raise ValueError(path)
        if parts[-1] in pattern:
            raise ValueError(path)
        pattern[parts[-1]] = leaf


class Agreement:
    """For a unittest.TestCase: a PatternSet and single Patterns compared
    with the reference. want(pattern, event) is the reference's answer for
    an event as the library takes it."""

    def agree(self, patterns, singles, ps, events, want=reference_matches):
        """The set, one event at a time and in batches (one of every event,
        walked together in chunks, and PutEvents' ten at a time), and
        every seventh single pattern answer as the reference does; returns
        how many (pattern, event) pairs match."""
        matched = 0
        whole = ps.match_batch(events)
        tens = [ids for k in range(0, len(events), 10) for ids in ps.match_batch(events[k:k + 10])]
        for e, in_whole, in_tens in zip(events, whole, tens):
            wanted = [i for i, p in enumerate(patterns) if p is not None and want(p, e)]
            matched += len(wanted)
            for how, got in (("alone", ps.match(e)), ("in one batch", in_whole),
                             ("in batches of ten", in_tens)):
                if got != wanted:
                    i = sorted(set(got) ^ set(wanted))[0] if set(got) != set(wanted) else None
                    self.fail(f"{how}: pattern {i} on event {json.dumps(e)}: the set says {got}, "
                              f"the reference {wanted}" + (f"; pattern {i} is {json.dumps(patterns[i])}"
                                                           if i is not None else ""))
            for i in range(1, len(patterns), 7):
                if patterns[i] is not None:
                    self.assertEqual(singles[i].matches(e), i in wanted,
                                     f"{json.dumps(patterns[i])} on {json.dumps(e)}")
        return matched

    def churn(self, draw, patterns, singles, ps, profile="eventbridge"):
        """Every fifth pattern removed, every tenth added again, and every
        ninth from the fourth replaced in place by a new one from draw(),
        alike in the set and in patterns and singles (None: removed)."""
        for i in range(0, len(patterns), 5):
            ps.remove(i)
            patterns[i] = None
        for i in range(0, len(patterns), 10):
            patterns[i] = draw()
            ps.add(i, patterns[i])
            singles[i] = Pattern(patterns[i], profile)
        for i in range(3, len(patterns), 9):
            if patterns[i] is not None:
                patterns[i] = draw()
                ps.add(i, patterns[i])
                singles[i] = Pattern(patterns[i], profile)
