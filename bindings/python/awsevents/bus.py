"""EventBridge buses over the typed C API (ctypes): Bus, rules, targets
(queues, functions, buses and Python callables) and PutEvents.

    bus = broker.get_bus()                      # the default bus
    bus.put_rule("orders", event_pattern={"source": ["shop"]})
    bus.put_targets("orders", [{"Id": "q", "Arn": queue.arn}])
    bus.add_callback_target("orders", "app", lambda text: print(text))
    bus.put_events([{"Source": "shop", "DetailType": "Order",
                     "Detail": {"id": 1}}])

Shapes are AWS's (boto3's EventBridge client): PutEvents entries, Targets,
and the dicts the calls answer. Errors raise ClientError with EventBridge's
codes (ResourceNotFoundException, ValidationException, ...).
"""
import functools
import itertools
import json
import threading
from ctypes import byref, c_void_p, create_string_buffer, string_at

from . import _lib, _shapes
from ._handle import Handle, Owned
from .errors import ClientError, checker, error_response, library_error

lib = _lib.lib

TARGET_FN = _lib.BUS_TARGET_FN

# Python callables registered as targets, by the key passed as `user`; each
# stays alive until the library calls release for it.
_targets = {}
_keys = itertools.count(1)
_lock = threading.Lock()


def _release(user):
    with _lock:
        _targets.pop(user, None)


_release_fn = _lib.RELEASE_FN(_release)


# PutRule's State values (in AWS's order, for its message), as the C
# call's AEV_RULE_* states; every one but DISABLED enables the rule.
_STATES = ("ENABLED", "DISABLED",
           "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
_STATE_CODES = dict(zip(_STATES, (1, 0, 2)))

_error = functools.partial(library_error, "events")
_check = checker("events")


def _invalid(operation, value, member, constraint):
    """The ValidationException AWS answers for a value the C call would
    read differently (it has no way to say the value is wrong)."""
    return ClientError(error_response(
        "events", "ValidationException",
        "1 validation error detected: Value '%s' at '%s' failed to satisfy "
        "constraint: %s" % (value, member, constraint)), operation)


def _take_json(ptr):
    """A library-allocated JSON string as a Python value, freed."""
    try:
        return json.loads(string_at(ptr.value).decode())
    finally:
        lib.aev_free(ptr)


def _text(value):
    """A pattern or detail given as a dict becomes its JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _page_args(limit, next_token):
    """Limit (0: no limit) and NextToken as the C page calls take them."""
    return (0 if limit is None else _lib.integer(limit, "limit"),
            next_token.encode() if next_token else None)


def _entries_json(entries, bus_name=None):
    out = []
    for e in entries:
        e = dict(e)
        if "Detail" in e:
            e["Detail"] = _text(e["Detail"])
        if bus_name is not None:
            e.setdefault("EventBusName", bus_name)
        out.append(e)
    return json.dumps(out, default=_shapes.encode).encode()


def _callback_thunk(fn):
    def thunk(user, data, length):
        try:
            fn(string_at(data, length).decode("utf-8", "replace"))
            return 0
        except BaseException:
            # A failed attempt: retried under RetryPolicy, then sent to the
            # dead-letter queue (the exception itself is not kept). SystemExit
            # and KeyboardInterrupt too: ctypes would print them and
            # return an undefined value.
            return 1
    return TARGET_FN(thunk)


class Bus(Owned):
    """An EventBridge bus of a Broker (Broker.create_bus / Broker.get_bus).
    The handle keeps the bus alive until close() or garbage collection."""

    def __init__(self, broker, ptr):
        self._broker = broker
        self._handle = Handle(ptr, lib.aev_bus_release, "Bus")
        with self._handle as b:
            self.name = lib.aev_bus_name(b).decode()
            self.arn = lib.aev_bus_arn(b).decode()

    @classmethod
    def _open(cls, broker, operation, fn, name):
        return cls(broker, broker._out(_check, operation, fn,
                                       name.encode() if name else None))

    def __repr__(self):
        return "Bus(%r)" % self.arn

    def _call(self, operation, fn, *args):
        with self._handle as b:
            _check(fn(b, *args), operation)

    def _json_call(self, operation, fn, *args):
        out = c_void_p()
        self._call(operation, fn, *args, byref(out))
        return _take_json(out)

    def delete(self):
        """DeleteEventBus."""
        self._call("DeleteEventBus", lib.aev_bus_delete)

    def describe(self):
        """DescribeEventBus's response."""
        return self._json_call("DescribeEventBus", lib.aev_bus_describe)

    def update(self, description=None, kms_key_identifier=None,
               dead_letter_arn=None):
        """UpdateEventBus: each member given replaces the bus's ("" clears
        it), None leaves it as it was. Returns UpdateEventBus's response."""
        members = [_lib.string(v, n).encode() if v is not None else None
                   for v, n in ((description, "description"),
                                (kms_key_identifier, "kms_key_identifier"),
                                (dead_letter_arn, "dead_letter_arn"))]
        return self._json_call("UpdateEventBus", lib.aev_bus_update, *members)

    # ---- rules ----

    def put_rule(self, name, event_pattern=None, schedule_expression=None,
                 state="ENABLED"):
        """PutRule: event_pattern as JSON text or a dict, and/or
        schedule_expression ("rate(5 minutes)", "cron(0 12 * * ? *)").
        state is ENABLED, DISABLED or
        ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. Returns
        {"RuleArn": ...}."""
        name = _lib.string(name, "name")
        if state not in _STATES:
            # The C call only takes enabled or not.
            raise _invalid("PutRule", state, "state",
                           "Member must satisfy enum value set: [%s]"
                           % ", ".join(_STATES))
        arn = c_void_p()
        pattern = _text(event_pattern)
        self._call("PutRule", lib.aev_bus_put_rule, name.encode(),
                   pattern.encode() if pattern else None,
                   schedule_expression.encode() if schedule_expression else None,
                   _STATE_CODES[state], byref(arn))
        try:
            return {"RuleArn": string_at(arn.value).decode()}
        finally:
            lib.aev_free(arn)

    def describe_rule(self, name):
        name = _lib.string(name, "name")
        return self._json_call("DescribeRule", lib.aev_bus_describe_rule,
                               name.encode())

    def list_rules(self, name_prefix=None, limit=None, next_token=None):
        """ListRules. With limit (1-100) or next_token, one page: pass the
        response's "NextToken" back to get the next one."""
        prefix = name_prefix.encode() if name_prefix else None
        if limit is None and next_token is None:
            return self._json_call("ListRules", lib.aev_bus_list_rules, prefix)
        return self._json_call("ListRules", lib.aev_bus_list_rules_page,
                               prefix, *_page_args(limit, next_token))

    def delete_rule(self, name, force=False):
        name = _lib.string(name, "name")
        self._call("DeleteRule", lib.aev_bus_delete_rule, name.encode(),
                   1 if force else 0)

    def enable_rule(self, name):
        name = _lib.string(name, "name")
        self._call("EnableRule", lib.aev_bus_enable_rule, name.encode(), 1)

    def disable_rule(self, name):
        name = _lib.string(name, "name")
        self._call("DisableRule", lib.aev_bus_enable_rule, name.encode(), 0)

    # ---- targets ----

    def put_targets(self, rule, targets):
        """PutTargets with AWS's Targets list."""
        rule = _lib.string(rule, "rule")
        return self._json_call("PutTargets", lib.aev_bus_put_targets,
                               rule.encode(), json.dumps(targets).encode())

    def remove_targets(self, rule, ids):
        """RemoveTargets: ids is a list of target ids, or one id."""
        rule = _lib.string(rule, "rule")
        return self._json_call("RemoveTargets", lib.aev_bus_remove_targets,
                               rule.encode(),
                               json.dumps(_shapes.names(ids, "ids")).encode())

    def list_targets_by_rule(self, rule, limit=None, next_token=None):
        """ListTargetsByRule, paged as list_rules."""
        rule = _lib.string(rule, "rule")
        if limit is None and next_token is None:
            return self._json_call("ListTargetsByRule",
                                   lib.aev_bus_list_targets, rule.encode())
        return self._json_call("ListTargetsByRule",
                               lib.aev_bus_list_targets_page, rule.encode(),
                               *_page_args(limit, next_token))

    def add_callback_target(self, rule, target_id, fn, **options):
        """A Python callable as target target_id of rule: fn(input_text) is
        called with the target's input (the event, or what Input /
        InputPath / InputTransformer make of it); an exception fails the
        attempt, which is retried under RetryPolicy and then sent to
        DeadLetterConfig. options are Target members (InputPath=...,
        RetryPolicy={...}, ...)."""
        rule = _lib.string(rule, "rule")
        spec = dict(options, Id=target_id)
        fn = _lib.callback(fn, "a callback target fn(input_text)")
        with self._handle as b:
            with _lock:
                key = next(_keys)
                _targets[key] = _callback_thunk(fn)
                thunk = _targets[key]
            rc = lib.aev_bus_put_callback_target(
                b, rule.encode(), json.dumps(spec).encode(), thunk, key,
                _release_fn)
        if rc != 0:
            # A failed registration never calls release.
            _release(key)
            raise _error("PutTargets")

    # ---- archives ----

    def create_archive(self, name, event_pattern=None, retention_days=0,
                       description=None):
        """CreateArchive of this bus's events (those matching event_pattern,
        JSON text or a dict; all when None), kept retention_days (0:
        indefinitely). Returns {"ArchiveArn": ...}."""
        name = _lib.string(name, "name")
        arn = c_void_p()
        pattern = _text(event_pattern)
        self._call("CreateArchive", lib.aev_bus_create_archive, name.encode(),
                   pattern.encode() if pattern else None,
                   _lib.integer(retention_days, "retention_days"),
                   description.encode() if description else None, byref(arn))
        try:
            return {"ArchiveArn": string_at(arn.value).decode()}
        finally:
            lib.aev_free(arn)

    # ---- events ----

    def put_events(self, entries):
        """PutEvents on this bus (entries without EventBusName go here)."""
        return self._broker.put_events(entries, _bus_name=self.arn)

    def put_event(self, source, detail_type, detail):
        """One event on the fast path: returns its EventId."""
        detail = _text(detail).encode()
        idbuf = create_string_buffer(37)
        self._call("PutEvents", lib.aev_bus_put_event, source.encode(),
                   detail_type.encode(), detail, len(detail), idbuf)
        return idbuf.value.decode()


def _broker_json(broker, operation, fn, *args):
    return _take_json(broker._out(_check, operation, fn, *args))


def describe_archive(broker, name):
    name = _lib.string(name, "name")
    return _broker_json(broker, "DescribeArchive", lib.aev_bus_describe_archive,
                        name.encode())


def update_archive(broker, name, event_pattern=None, retention_days=None,
                   description=None):
    """UpdateArchive: what is given replaces the archive's own."""
    name = _lib.string(name, "name")
    if retention_days is not None:
        retention_days = _lib.integer(retention_days, "retention_days")
        if retention_days < 0:
            # -1 is the C call's "keep the archive's own".
            raise _invalid("UpdateArchive", retention_days, "retentionDays",
                           "Member must have value greater than or equal "
                           "to 0")
    with broker._entered() as handle:
        pattern = _text(event_pattern)
        rc = lib.aev_bus_update_archive(
            handle, name.encode(), pattern.encode() if pattern else None,
            -1 if retention_days is None else retention_days,
            description.encode() if description is not None else None)
        if rc != 0:
            raise _error("UpdateArchive")


def set_rule_quota(broker, max_rules):
    """Raises the broker's quota of rules per bus (AWS's default is 300),
    for every bus, as AWS raises it per account and region."""
    with broker._entered() as handle:
        if lib.aev_bus_set_rule_quota(
                handle, _lib.integer(max_rules, "max_rules")) != 0:
            raise _error("SetRuleQuota")


def start_replay(broker, request):
    return _broker_json(broker, "StartReplay", lib.aev_bus_start_replay,
                        json.dumps(request, default=_shapes.encode).encode())


def describe_replay(broker, name):
    name = _lib.string(name, "name")
    return _broker_json(broker, "DescribeReplay", lib.aev_bus_describe_replay,
                        name.encode())


def cancel_replay(broker, name):
    name = _lib.string(name, "name")
    return _broker_json(broker, "CancelReplay", lib.aev_bus_cancel_replay,
                        name.encode())


def create_bus(broker, name):
    name = _lib.string(name, "name")
    return Bus._open(broker, "CreateEventBus", lib.aev_bus_create, name)


def get_bus(broker, name_or_arn=None):
    if name_or_arn is not None:
        name_or_arn = _lib.string(name_or_arn, "name_or_arn")
    return Bus._open(broker, "DescribeEventBus", lib.aev_bus_get, name_or_arn)


def put_events(broker, entries, bus_name=None):
    return _broker_json(broker, "PutEvents", lib.aev_bus_put_events,
                        _entries_json(entries, bus_name))


__all__ = ["Bus", "ClientError"]
