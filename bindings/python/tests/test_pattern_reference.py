"""The pattern automaton against the brute-force reference in
pattern_reference: random EventBridge patterns and events from fixed seeds,
every event's matching ids from a PatternSet (alone and in batches; after
adds, replacements and removals) and a sample of single Patterns compared
with what the reference works out by trying every combination of the
event's values.
"""
import unittest

from awsevents import Pattern, PatternSet
from pattern_reference import Agreement, Generator, reference_matches


class ReferenceTest(Agreement, unittest.TestCase):
    PATTERNS = 200
    EVENTS = 200

    def run_seed(self, seed):
        g = Generator(seed)
        patterns = [g.pattern() for _ in range(self.PATTERNS)]
        events = [g.event() for _ in range(self.EVENTS)]
        ps, singles = PatternSet(), [Pattern(p) for p in patterns]
        for i, p in enumerate(patterns):
            ps.add(i, p)
        matched = self.agree(patterns, singles, ps, events)
        # About one pair in twenty-five matches: neither side can agree by
        # answering no throughout.
        self.assertGreater(matched, self.PATTERNS * self.EVENTS // 50)
        self.churn(g.pattern, patterns, singles, ps)
        self.agree(patterns, singles, ps, events)

    def test_seed_1(self):
        self.run_seed(1)

    def test_seed_2(self):
        self.run_seed(2)

    def test_reference_sees_array_consistency(self):
        # Values from different elements of one array never combine.
        p = {"arr": {"p": ["ab"], "q": [1]}}
        self.assertTrue(reference_matches(p, {"arr": [{"p": "ab", "q": 1}]}))
        self.assertFalse(reference_matches(p, {"arr": [{"p": "ab"}, {"q": 1}]}))
        self.assertFalse(Pattern(p).matches({"arr": [{"p": "ab"}, {"q": 1}]}))


if __name__ == "__main__":
    unittest.main()
