"""EventBridge event patterns and SNS filter policies (ctypes).

    Pattern('{"source": ["app"]}').matches({"source": "app"})  -> True

    s = PatternSet()
    s.add(1, {"detail": {"n": [{"numeric": [">", 5]}]}})
    s.match('{"detail": {"n": 9}}')                            -> [1]
    s.match_batch(['{"detail": {"n": 9}}', '{"detail": {}}'])  -> [[1], []]

Patterns and events are JSON text (str or bytes) or Python objects, which
are serialized with json.dumps. A pattern AWS would refuse raises
ClientError with AWS's code (InvalidEventPatternException; InvalidParameter
for SNS filter policies) and message. profile is "eventbridge" (the
default), "sns:MessageAttributes" (the event is a message's
MessageAttributes map, as Publish takes it: AWS's shape or the plain
values Topic.publish takes) or "sns:MessageBody".
"""
import json
from ctypes import (POINTER, byref, c_char_p, c_int, c_size_t, c_uint64,
                    c_void_p)

from . import _lib, _shapes
from ._handle import Handle, Owned
from .errors import ClientError, error_response

lib = _lib.lib

PROFILES = {"eventbridge": 0, "sns:MessageAttributes": 1,
            "sns:MessageBody": 2}
_SERVICE = {0: "events", 1: "sns", 2: "sns"}
# The AWS call that checks a pattern of each profile: SNS has no test
# call, and takes a filter policy in SetSubscriptionAttributes (or
# Subscribe).
_CHECKED_BY = {0: "TestEventPattern", 1: "SetSubscriptionAttributes",
               2: "SetSubscriptionAttributes"}
_MAX_ID = 2 ** 64 - 1
_ERR_NOT_FOUND = 2


def _text(value):
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return json.dumps(value).encode()


def _event_text(profile, event):
    """The event as JSON text; an sns:MessageAttributes map may hold the
    plain values Topic.publish takes ({"color": "red", "n": 12}), shaped
    as publish shapes them."""
    if profile == PROFILES["sns:MessageAttributes"] and \
            isinstance(event, dict):
        event = _shapes.sns_attributes(event)
    return _text(event)


def _profile(name):
    try:
        return PROFILES[name]
    except (KeyError, TypeError):
        raise ValueError("profile must be one of %s, not %r"
                         % (", ".join(sorted(PROFILES)), name)) from None


def _check_id(pattern_id):
    if isinstance(pattern_id, bool) or not isinstance(pattern_id, int):
        raise TypeError("a pattern id is an int, not %s"
                        % type(pattern_id).__name__)
    if not 0 <= pattern_id <= _MAX_ID:
        raise ValueError("a pattern id is within 0 .. 2**64-1, not %d"
                         % pattern_id)


def _raise(profile, operation):
    code = lib.aev_errcode().decode()
    message = lib.aev_errmsg().decode("utf-8", "replace")
    raise ClientError(error_response(_SERVICE[profile], code, message),
                      operation)


class Pattern(Owned):
    """One compiled pattern: Pattern(pattern, profile="eventbridge").
    Immutable; matches() may run from many threads at once."""

    def __init__(self, pattern, profile="eventbridge"):
        self.profile = profile
        self._profile = _profile(profile)
        text = _text(pattern)
        out = c_void_p()
        if lib.aev_pattern_compile_profile(text, len(text), self._profile,
                                           byref(out)):
            _raise(self._profile, _CHECKED_BY[self._profile])
        self._handle = Handle(out, lib.aev_pattern_free, "Pattern")

    def matches(self, event):
        """True when the event (JSON text or an object) matches. An event
        that is not a JSON object raises ClientError (ValidationException);
        an SNS MessageBody that is not one simply does not match."""
        text = _event_text(self._profile, event)
        result = c_int()
        with self._handle as handle:
            if lib.aev_pattern_matches(handle, text, len(text),
                                       byref(result)):
                _raise(self._profile, _CHECKED_BY[self._profile])
        return bool(result.value)


class PatternSet(Owned):
    """Many patterns under int ids (0 .. 2**64-1), all of one profile;
    match(event) answers the ids of every pattern that matches, ascending.
    Its cost per event does not grow with the number of patterns."""

    def __init__(self, profile="eventbridge"):
        self.profile = profile
        self._profile = _profile(profile)
        out = c_void_p()
        if lib.aev_pattern_set_new(self._profile, byref(out)):
            _raise(self._profile, "CreatePatternSet")
        self._handle = Handle(out, lib.aev_pattern_set_free, "PatternSet")

    def _call(self, operation, fn, *args):
        with self._handle as handle:
            if fn(handle, *args):
                _raise(self._profile, operation)

    def add(self, pattern_id, pattern):
        """Compiles pattern and stores it under pattern_id, replacing what
        that id had. On ClientError the set is unchanged."""
        _check_id(pattern_id)
        text = _text(pattern)
        self._call("AddPattern", lib.aev_pattern_set_add, pattern_id, text,
                   len(text))

    def remove(self, pattern_id):
        """Removes the pattern under pattern_id; KeyError if there is none."""
        _check_id(pattern_id)
        with self._handle as handle:
            rc = lib.aev_pattern_set_remove(handle, pattern_id)
        if rc == _ERR_NOT_FOUND:
            raise KeyError(pattern_id)
        if rc:
            _raise(self._profile, "RemovePattern")

    def match(self, event):
        """The ids of every pattern matching event, ascending, each once."""
        text = _event_text(self._profile, event)
        ids = POINTER(c_uint64)()
        n = c_size_t()
        self._call("MatchPatterns", lib.aev_pattern_set_match, text,
                   len(text), byref(ids), byref(n))
        try:
            return [ids[i] for i in range(n.value)]
        finally:
            lib.aev_free(ids)

    def match_batch(self, events):
        """match() of each event of a list, in one call: [ids, ...] in
        the events' order. The events are walked through the set
        together, so that their memory loads overlap: a set too big for
        the CPU's caches answers more events a second this way. One
        event that is not a JSON object raises ClientError
        (ValidationException naming its index) for the whole batch."""
        texts = [_event_text(self._profile, e) for e in events]
        n = len(texts)
        ids = POINTER(c_uint64)()
        ends = (c_size_t * n)()
        self._call("MatchPatterns", lib.aev_pattern_set_match_batch,
                   (c_char_p * n)(*texts),
                   (c_size_t * n)(*map(len, texts)), n, byref(ids), ends)
        try:
            return [ids[ends[k - 1] if k else 0:ends[k]] for k in range(n)]
        finally:
            lib.aev_free(ids)

    def __len__(self):
        with self._handle as handle:
            return lib.aev_pattern_set_count(handle)

    @property
    def memory(self):
        """Approximate bytes used by the set's patterns and automaton."""
        with self._handle as handle:
            return lib.aev_pattern_set_memory(handle)
