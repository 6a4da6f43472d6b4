"""Topics (Amazon SNS) over the typed C API: Topic.publish(...),
topic.subscribe(queue_or_callable, filter_policy=..., raw=...), the topic's
counters, and Python callables standing for http/https endpoints.

    with Broker(clock="manual", workers=0) as b:
        t = Topic.create(b, "orders")
        sub = t.subscribe(queue, filter_policy={"color": ["red"]}, raw=True)
        t.publish("hello", attributes={"color": "red"})
"""
import functools
import itertools
import json
import threading
from ctypes import byref, c_int64, c_void_p, create_string_buffer, string_at

from . import _lib, _shapes
from ._handle import Handle, Owned
from .errors import checker, library_error

lib = _lib.lib

COUNTERS = (
    "NumberOfMessagesPublished", "PublishSize",
    "NumberOfNotificationsDelivered", "NumberOfNotificationsFailed",
    "NumberOfNotificationsFilteredOut",
    "NumberOfNotificationsFilteredOut-MessageAttributes",
    "NumberOfNotificationsFilteredOut-MessageBody",
    "NumberOfNotificationsFilteredOut-NoMessageAttributes",
    "NumberOfNotificationsFilteredOut-InvalidAttributes",
    "NumberOfNotificationsRedrivenToDlq",
    "NumberOfNotificationsFailedToRedriveToDlq",
)

# Callables registered as endpoints: (thunk, callable's identity) by the
# key passed as `user`, each alive until the library calls its release
# function.
_endpoints = {}
# [endpoint id, registrations] by callable identity while any registration
# of the callable lives: subscribing it again names the same endpoint, and
# Subscribe is idempotent for one protocol + endpoint, as on AWS.
_endpoint_ids = {}
_keys = itertools.count(1)
_lock = threading.Lock()


def _identity(fn):
    """What makes two callables one endpoint: equality, so that
    obj.method (a new bound method each time it is read) is one endpoint;
    an unhashable callable is only itself."""
    try:
        hash(fn)
    except TypeError:
        return id(fn)
    return fn


def _register(fn, thunk):
    """A new key for thunk, standing for fn, and fn's endpoint id."""
    ident = _identity(fn)
    with _lock:
        key = next(_keys)
        _endpoints[key] = (thunk, ident)
        entry = _endpoint_ids.setdefault(ident, [key, 0])
        entry[1] += 1
        return key, entry[0]


def _release(user):
    with _lock:
        _, ident = _endpoints.pop(user)
        entry = _endpoint_ids[ident]
        entry[1] -= 1
        if not entry[1]:
            del _endpoint_ids[ident]


_release_fn = _lib.RELEASE_FN(_release)


_error = functools.partial(library_error, "sns")
_check = checker("sns")


def _take_string(ptr):
    try:
        return string_at(ptr.value).decode() if ptr.value else None
    finally:
        lib.aev_free(ptr)


def _attributes_json(attributes):
    if not attributes:
        return None
    return json.dumps(_shapes.sns_attributes(attributes)).encode()


class Subscription:
    """A subscription by ARN: attributes(), set_attribute(), unsubscribe()."""

    def __init__(self, topic, arn):
        self.topic = topic
        self.arn = arn

    def attributes(self):
        out = c_void_p()
        self.topic._broker_call("GetSubscriptionAttributes",
                                lib.aev_subscription_get_attributes,
                                self.arn.encode(), byref(out))
        return json.loads(_take_string(out))

    def set_attribute(self, name, value):
        name = _lib.string(name, "name")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        self.topic._broker_call("SetSubscriptionAttributes",
                                lib.aev_subscription_set_attribute,
                                self.arn.encode(), name.encode(),
                                str(value).encode())

    def unsubscribe(self):
        self.topic._broker_call("Unsubscribe",
                                lib.aev_subscription_unsubscribe,
                                self.arn.encode())

    def __repr__(self):
        return "Subscription(%r)" % self.arn


def _status(result):
    """The HTTP status a Python endpoint answers with its return value:
    None or True is 200, an int from 100 to 599 that status, and anything
    else (False, "ok", 2 ** 70, ...) 500, a failed delivery that the
    delivery policy retries."""
    if result is None or result is True:
        return 200
    if isinstance(result, int) and not isinstance(result, bool) and \
            100 <= result <= 599:
        return result
    return 500


def _endpoint_thunk(topic_ptr, fn, auto_confirm):
    """The C callback for a Python endpoint: fn(body, message_type)'s
    return value as _status reads it; an exception is a 500.
    SubscriptionConfirmation messages are confirmed here when auto_confirm."""
    def thunk(user, message_type, body, length):
        kind = message_type.decode()
        text = string_at(body, length).decode("utf-8", "replace")
        if kind == "SubscriptionConfirmation" and auto_confirm:
            token = json.loads(text)["Token"]
            out = c_void_p()
            rc = lib.aev_topic_confirm_subscription(topic_ptr, token.encode(),
                                                    byref(out))
            lib.aev_free(out)
            return 200 if rc == 0 else 500
        try:
            return _status(fn(text, kind))
        except BaseException:  # the endpoint failed: SNS sees a 500
            return 500
    return _lib.TOPIC_CALLBACK_FN(thunk)


def _protocol_of(arn):
    """The subscription protocol an endpoint ARN's service stands for (a
    platform endpoint's, application); sqs for anything else, which
    Subscribe then checks as a queue ARN."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "sns" and len(parts) > 5 and parts[5].startswith("endpoint/"):
        return "application"
    return service if service in ("lambda", "firehose") else "sqs"


class Topic(Owned):
    """An SNS topic. Topic.create(broker, name, attributes=None) or
    Topic.get(broker, name_or_arn); close() drops the handle once the calls
    in flight on it are done."""

    def __init__(self, broker, ptr):
        self._broker = broker
        self._handle = Handle(ptr, lib.aev_topic_release, "Topic")
        with self._handle as t:
            self.arn = lib.aev_topic_arn(t).decode()
            self.name = lib.aev_topic_name(t).decode()

    @classmethod
    def create(cls, broker, name, attributes=None):
        name = _lib.string(name, "name")
        attrs = json.dumps(attributes).encode() if attributes else None
        return cls(broker, broker._out(_check, "CreateTopic",
                                       lib.aev_topic_create, name.encode(),
                                       attrs))

    @classmethod
    def get(cls, broker, name_or_arn):
        name_or_arn = _lib.string(name_or_arn, "name_or_arn")
        return cls(broker, broker._out(_check, "GetTopicAttributes",
                                       lib.aev_topic_get,
                                       name_or_arn.encode()))

    def _broker_call(self, operation, fn, *args):
        """fn(the broker's handle, *args), a call the broker's close()
        waits for."""
        with self._broker._entered() as handle:
            _check(fn(handle, *args), operation)

    def _call(self, operation, fn, *args):
        with self._handle as t:
            _check(fn(t, *args), operation)

    def _json_call(self, operation, fn, *args):
        out = c_void_p()
        self._call(operation, fn, *args, byref(out))
        return json.loads(_take_string(out))

    def __repr__(self):
        return "Topic(%r)" % self.arn

    def delete(self):
        self._call("DeleteTopic", lib.aev_topic_delete)

    def attributes(self):
        return self._json_call("GetTopicAttributes",
                               lib.aev_topic_get_attributes)

    def set_attribute(self, name, value):
        name = _lib.string(name, "name")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        self._call("SetTopicAttributes", lib.aev_topic_set_attribute,
                   name.encode(), str(value).encode())

    def tag(self, tags):
        self._call("TagResource", lib.aev_topic_tag,
                   json.dumps(tags).encode())

    def untag(self, keys):
        """UntagResource: keys is a list of tag keys, or one key."""
        keys = json.dumps(_shapes.names(keys, "keys")).encode()
        self._call("UntagResource", lib.aev_topic_untag, keys)

    def tags(self):
        return self._json_call("ListTagsForResource",
                               lib.aev_topic_list_tags)

    def counters(self):
        """NumberOfMessagesPublished, NumberOfNotificationsDelivered, ... as
        a dict."""
        result = {}
        for name in COUNTERS:
            value = c_int64()
            self._call("GetMetricData", lib.aev_topic_counter, name.encode(),
                       byref(value))
            result[name] = value.value
        return result

    def publish(self, message, subject=None, attributes=None, group_id=None,
                dedup_id=None, structure_json=False):
        """Publish: returns {"MessageId": ...} (and "SequenceNumber" on FIFO
        topics). message is str or bytes (UTF-8); with structure_json a dict
        is accepted too."""
        if structure_json and isinstance(message, dict):
            message = json.dumps(message)
        data = message.encode() if isinstance(message, str) else bytes(message)
        opts = c_void_p()
        _check(lib.aev_publish_options_new(byref(opts)), "Publish")
        try:
            for setter, value in ((lib.aev_publish_options_set_subject, subject),
                                  (lib.aev_publish_options_set_group_id, group_id),
                                  (lib.aev_publish_options_set_deduplication_id,
                                   dedup_id)):
                if value is not None:
                    _check(setter(opts, value.encode()), "Publish")
            attrs = _attributes_json(attributes)
            if attrs:
                _check(lib.aev_publish_options_set_attributes(opts, attrs),
                       "Publish")
            if structure_json:
                _check(lib.aev_publish_options_set_structure_json(opts, 1),
                       "Publish")
            mid = create_string_buffer(37)
            seq = create_string_buffer(41)
            self._call("Publish", lib.aev_topic_publish, data, len(data),
                       opts, mid, seq)
        finally:
            lib.aev_publish_options_free(opts)
        result = {"MessageId": mid.value.decode()}
        if seq.value:
            result["SequenceNumber"] = seq.value.decode()
        return result

    def publish_batch(self, entries):
        """PublishBatch with AWS's entries (dicts with Id, Message, ...;
        MessageAttributes may use the Python shorthand of publish())."""
        shaped = []
        for e in entries:
            e = dict(e)
            if "MessageAttributes" in e:
                e["MessageAttributes"] = _shapes.sns_attributes(
                    e["MessageAttributes"])
            shaped.append(e)
        return self._json_call("PublishBatch", lib.aev_topic_publish_batch,
                               json.dumps(shaped).encode())

    def subscribe(self, target, filter_policy=None, raw=False, scope=None,
                  attributes=None, protocol=None, endpoint=None,
                  auto_confirm=True):
        """Subscribes a queue, function or delivery stream (an object with
        .arn, or its ARN; protocol sqs, lambda or firehose, from the ARN
        unless given), a platform endpoint's ARN (application), a phone
        number or an email address (protocol "sms", "email" or "email-json"
        given; their deliveries go to Broker.sns_outbox()) or a callable fn(body, message_type) standing for an
        http/https endpoint (protocol "https" unless given; endpoint, if
        given, is the URL its subscription shows). fn returns what the
        endpoint answers: None (or True) is a delivered message, an HTTP
        status (an int, 100 to 599) is that answer (2xx delivered, 4xx but
        429 dead-lettered without retries, others retried), and anything
        else (False, a str, ...) or an exception a failed delivery, retried
        under the DeliveryPolicy; subscribing fn again answers its
        subscription, as Subscribe does for an endpoint. filter_policy is a
        dict or JSON text; scope "MessageAttributes" or "MessageBody". A
        firehose subscription needs attributes={"SubscriptionRoleArn":
        ...}, as on AWS. A callable's subscription is confirmed as its
        SubscriptionConfirmation arrives (on the scheduler) unless
        auto_confirm is False, in which case fn receives it."""
        attrs = dict(attributes or {})
        if filter_policy is not None:
            attrs["FilterPolicy"] = (filter_policy if isinstance(filter_policy, str)
                                     else json.dumps(filter_policy))
        if scope is not None:
            attrs["FilterPolicyScope"] = scope
        if raw:
            attrs["RawMessageDelivery"] = "true"
        text = json.dumps(attrs).encode() if attrs else None
        out = c_void_p()
        if callable(target):
            protocol = protocol or "https"
            with self._handle as t:
                thunk = _endpoint_thunk(t, target, auto_confirm)
                key, endpoint_id = _register(target, thunk)
                url = endpoint or "%s://python.callback/%d" % (protocol,
                                                               endpoint_id)
                rc = lib.aev_topic_subscribe_callback(
                    t, protocol.encode(), url.encode(), thunk, key,
                    _release_fn, text, byref(out))
            if rc != 0:
                # A failed registration never calls release.
                _release(key)
                raise _error("Subscribe")
        else:
            if endpoint is not None:
                raise TypeError("endpoint is the URL of a callable target; "
                                "a queue, function or delivery stream is "
                                "its own endpoint")
            arn = target if isinstance(target, str) else \
                getattr(target, "arn", None)
            if not isinstance(arn, str):
                raise TypeError("subscribe takes a callable, or a queue, "
                                "function or delivery stream (or its arn), "
                                "not %r" % (target,))
            protocol = protocol or _protocol_of(arn)
            self._call("Subscribe", lib.aev_topic_subscribe,
                       protocol.encode(), arn.encode(), text, byref(out))
        return Subscription(self, _take_string(out))

    def confirm_subscription(self, token):
        out = c_void_p()
        self._call("ConfirmSubscription", lib.aev_topic_confirm_subscription,
                   token.encode(), byref(out))
        return _take_string(out)

    def subscriptions(self):
        """Every subscription of the topic (ListSubscriptionsByTopic, all
        pages)."""
        result, token = [], None
        while True:
            out = c_void_p()
            with self._handle as t:
                self._broker_call("ListSubscriptionsByTopic",
                                  lib.aev_subscription_list, t,
                                  token.encode() if token else None,
                                  byref(out))
            page = json.loads(_take_string(out))
            result.extend(page["Subscriptions"])
            token = page.get("NextToken")
            if not token:
                return result
