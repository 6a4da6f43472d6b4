"""Broker: one AWS region and account inside this process (ctypes)."""
import atexit
import contextlib
import itertools
import json
import threading
import weakref
from ctypes import byref, c_int64, c_uint64, c_void_p, string_at

from . import _lib
from . import bus as _bus
from . import queue as _queue
from . import topic as _topic
from . import machine as _machine
from ._shapes import decode_response as _decode_response, encode as _encode, \
    encode_request as _encode_request, success_status as _success_status
from .errors import (ClientError, checker, error_response,
                     response_metadata)

lib = _lib.lib

LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG = 0, 1, 2, 3
_CLOCKS = {"real": 0, "manual": 1}
_ERR_NOT_FOUND = 2
_sns_check = checker("sns")

# Log callbacks registered with the library, by the key passed as `user`.
# Each stays here, alive, until the library calls its release function.
_callbacks = {}
_keys = itertools.count(1)


def _release(user):
    _callbacks.pop(user, None)


# One release trampoline for every registration; it is never freed, so the
# library may call it at any time (including from a broker's destroy).
_release_fn = _lib.RELEASE_FN(_release)


def _log_thunk(fn):
    def thunk(user, level, message):
        fn(level, message.decode("utf-8", "replace"))
    return _lib.LOG_FN(thunk)


_check = checker(None)


_open_brokers = weakref.WeakSet()


@atexit.register
def _close_all():
    for broker in list(_open_brokers):
        broker.close()


class Broker:
    """An in-process AWS region+account: Broker(region="us-east-1",
    account="000000000000", clock="real"|"manual", start_time_ms=None,
    workers=None (2), seed=None, log=None, log_level=LOG_INFO).

    start_time_ms is for the manual clock only (ClientError
    InvalidParameterValue with a real one, which shows the wall clock).
    log, if given, is called as log(level, message) from whichever thread
    logs, never with a library lock held.
    """

    def __init__(self, region=None, account=None, clock="real",
                 start_time_ms=None, workers=None, seed=None, log=None,
                 log_level=LOG_INFO):
        if clock not in _CLOCKS:
            raise ValueError("clock must be 'real' or 'manual', not %r"
                             % (clock,))
        self._handle = None
        self._cond = threading.Condition()
        self._inflight = 0
        self._local = threading.local()
        opts = c_void_p()
        _check(lib.aev_broker_options_new(byref(opts)), "CreateBroker")
        try:
            self._configure(opts, region, account, clock, start_time_ms,
                            workers, seed, log, log_level)
            handle = c_void_p()
            _check(lib.aev_broker_new(opts, byref(handle)), "CreateBroker")
        finally:
            lib.aev_broker_options_free(opts)
        self._handle = handle
        _open_brokers.add(self)

    @staticmethod
    def _configure(opts, region, account, clock, start_time_ms, workers,
                   seed, log, log_level):
        op = "CreateBroker"
        if region is not None:
            region = _lib.string(region, "region")
            _check(lib.aev_broker_options_set_region(opts, region.encode()),
                   op)
        if account is not None:
            account = _lib.string(account, "account")
            _check(lib.aev_broker_options_set_account(opts, account.encode()),
                   op)
        _check(lib.aev_broker_options_set_clock(opts, _CLOCKS[clock]), op)
        if start_time_ms is not None:
            _check(lib.aev_broker_options_set_start_time_ms(
                opts, _lib.integer(start_time_ms, "start_time_ms",
                                   "milliseconds", c_int64)), op)
        if workers is not None:
            _check(lib.aev_broker_options_set_workers(
                opts, _lib.integer(workers, "workers")), op)
        if seed is not None:
            _check(lib.aev_broker_options_set_seed(
                opts, _lib.integer(seed, "seed", ctype=c_uint64)), op)
        if log is not None:
            key = next(_keys)
            _callbacks[key] = _log_thunk(_lib.callback(log,
                                                       "log(level, message)"))
            rc = lib.aev_broker_options_set_log(opts, _callbacks[key],
                                                log_level, key, _release_fn)
            if rc != 0:
                # A failed registration never calls release.
                _callbacks.pop(key, None)
                _check(rc, op)

    # Calls in flight keep the handle alive: close() waits for them, so the
    # C broker is never destroyed under a running call.
    def _enter(self):
        with self._cond:
            if self._handle is None:
                raise ValueError("the broker is closed")
            self._inflight += 1
            self._local.depth = getattr(self._local, "depth", 0) + 1
            return self._handle

    def _exit(self):
        with self._cond:
            self._inflight -= 1
            self._local.depth -= 1
            self._cond.notify_all()

    @contextlib.contextmanager
    def _entered(self):
        """The library's broker handle, for calls that close() waits for."""
        handle = self._enter()
        try:
            yield handle
        finally:
            self._exit()

    def _out(self, check, operation, fn, *args):
        """The handle (or buffer) fn(broker, *args, &out) returns; check(rc,
        operation) raises when the call failed."""
        out = c_void_p()
        with self._entered() as handle:
            check(fn(handle, *args, byref(out)), operation)
        return out

    def _run(self, operation, fn, *args):
        with self._entered() as handle:
            _check(fn(handle, *args), operation)

    def close(self):
        """Destroys the broker (see aev_broker_destroy). Closing twice is a
        no-op. From inside a library callback it raises ClientError, as the
        library refuses to destroy a broker from its own callbacks."""
        with self._cond:
            if self._handle is None:
                return
            if getattr(self._local, "depth", 0):
                # What aev_broker_destroy answers from inside a callback.
                raise ClientError(error_response(
                    None, "InvalidState",
                    "aev_broker_destroy cannot be called from inside a "
                    "library callback."), "CloseBroker")
            while self._inflight:
                self._cond.wait()
            handle, self._handle = self._handle, None
        _open_brokers.discard(self)
        rc = lib.aev_broker_destroy(handle)
        if rc != 0:
            # Refused on one of the library's own threads (a handler or
            # callback): the broker stays open, as it still is.
            with self._cond:
                self._handle = handle
            _open_brokers.add(self)
            _check(rc, "CloseBroker")

    def __del__(self):
        if getattr(self, "_handle", None) is None:
            return
        try:
            self.close()
        except ClientError:
            # Collected on a library thread, which cannot destroy the
            # broker: a thread of its own does, once that callback returns.
            handle, self._handle = self._handle, None
            _open_brokers.discard(self)
            threading.Thread(target=lib.aev_broker_destroy,
                             args=(handle,)).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def closed(self):
        return self._handle is None

    def _read(self, fn):
        with self._entered() as handle:
            return fn(handle)

    @property
    def region(self):
        return self._read(lib.aev_broker_region).decode()

    @property
    def account(self):
        return self._read(lib.aev_broker_account).decode()

    @property
    def clock(self):
        mode = self._read(lib.aev_broker_clock_mode)
        return "manual" if mode == _CLOCKS["manual"] else "real"

    @property
    def now_ms(self):
        """Now in epoch milliseconds (the manual clock, or the wall clock)."""
        return self._read(lib.aev_broker_now_ms)

    def advance(self, ms):
        """Manual clock: runs ready work, then every timer due within the
        next ms milliseconds in deadline order, and moves now by ms (an int,
        or a float holding a whole number such as 2.5 * 60_000)."""
        self._run("Advance", lib.aev_broker_advance,
                  _lib.integer(ms, "ms", "milliseconds", c_int64))

    def drain(self):
        """Runs ready work to quiescence without moving the clock."""
        self._run("Drain", lib.aev_broker_drain)

    def next_deadline(self):
        """The earliest pending timer deadline (epoch ms), or None."""
        out = c_int64()
        with self._entered() as handle:
            rc = lib.aev_broker_next_deadline(handle, byref(out))
        if rc == _ERR_NOT_FOUND:
            return None
        _check(rc, "NextDeadline")
        return out.value

    def call(self, service, action, **params):
        """One AWS API call: call("sqs", "SendMessage", QueueUrl=...,
        MessageBody=...) returns the response dict or raises ClientError
        with the code boto3 would show. bytes values are sent as base64,
        datetimes as epoch seconds, as boto3 sends them; in the response,
        timestamps (startDate, CreationTime, ApproximateArrivalTimestamp...)
        are aware datetimes in UTC and blobs (a Binary message attribute's
        BinaryValue, a Kinesis record's Data) are bytes, as boto3 gives
        them. Lambda Invoke's Payload goes as boto3 sends it (bytes, text
        or a readable object) and comes back as text that also has
        boto3's read(). Every answer has boto3's ResponseMetadata (its
        HTTPStatusCode AWS's: 200, or 201, 202, 204 where AWS answers so)."""
        request = json.dumps(_encode_request(service, action, params),
                             default=_encode).encode()
        out = c_void_p()
        with self._entered() as handle:
            rc = lib.aev_call(handle, service.encode(), action.encode(),
                              request, byref(out))
            code = lib.aev_errcode().decode() if rc else None
        try:
            text = string_at(out.value).decode() if out.value else None
        finally:
            lib.aev_free(out)
        if rc == 0:
            response = _decode_response(service, action, json.loads(text))
            response["ResponseMetadata"] = response_metadata(
                _success_status(service, action, response))
            return response
        err = json.loads(text) if text else {"__type": code, "message": ""}
        raise ClientError(error_response(service, err["__type"],
                                         err["message"]), action)

    def sns_outbox(self, keep=False):
        """What SNS sent out of AWS, recorded instead (see
        aev_sns_outbox_read): a list of dicts, oldest first, one per SMS,
        email or mobile push delivery (Protocol, Destination, Type,
        Message, MessageId, Timestamp, and Subject, MessageAttributes,
        TopicArn, SubscriptionArn, Token, SMSType, SenderID, MaxPrice,
        Platform where they apply). keep=False empties the outbox."""
        out = self._out(_sns_check, "ReadSnsOutbox", lib.aev_sns_outbox_read,
                        1 if keep else 0)
        try:
            text = string_at(out.value).decode()
        finally:
            lib.aev_free(out)
        return json.loads(text)["Deliveries"]

    def sns_opt_out(self, phone_number):
        """What a recipient's STOP reply does: phone_number opts out of the
        account's SMS until OptInPhoneNumber (see aev_sns_phone_opt_out)."""
        with self._entered() as handle:
            _sns_check(lib.aev_sns_phone_opt_out(handle, phone_number.encode()),
                       "OptOutPhoneNumber")

    def create_queue(self, name, attributes=None):
        """CreateQueue: a Queue (see awsevents.queue). attributes is AWS's
        Attributes map, e.g. {"FifoQueue": "true"}."""
        return _queue.create_queue(self, name, attributes)

    def get_queue(self, name_url_or_arn):
        """The Queue with this name, URL or ARN (ClientError
        AWS.SimpleQueueService.NonExistentQueue otherwise)."""
        return _queue.get_queue(self, name_url_or_arn)

    def create_topic(self, name, attributes=None):
        """CreateTopic: a Topic (see awsevents.topic). attributes is AWS's
        Attributes map, e.g. {"FifoTopic": "true"}."""
        return _topic.Topic.create(self, name, attributes)

    def get_topic(self, name_or_arn):
        """The Topic with this name or ARN (ClientError NotFound
        otherwise)."""
        return _topic.Topic.get(self, name_or_arn)

    def create_stream(self, name, shards=1):
        """CreateStream: a Stream (see awsevents.stream); shards=0 makes an
        on-demand stream."""
        from . import stream
        return stream.create_stream(self, name, shards)

    def get_stream(self, name_or_arn):
        """The Stream with this name or ARN (ResourceNotFoundException
        otherwise)."""
        from . import stream
        return stream.get_stream(self, name_or_arn)

    def register_endpoint(self, url_prefix, fn):
        """A Python callable standing for the HTTP endpoints whose URLs
        start with url_prefix (the longest prefix wins): fn(request) ->
        status | (status, body). See awsevents.endpoint."""
        from . import endpoint
        endpoint.register_endpoint(self, url_prefix, fn)

    def remove_endpoint(self, url_prefix):
        """Removes the callable registered for exactly url_prefix: its URLs
        become unreachable."""
        from . import endpoint
        endpoint.remove_endpoint(self, url_prefix)

    def create_delivery_stream(self, name, config=None, sink=None,
                               transform=None):
        """CreateDeliveryStream: a DeliveryStream (see awsevents.delivery);
        sink and transform may be Python callables."""
        from . import delivery
        return delivery.create_delivery_stream(self, name, config, sink,
                                               transform)

    def create_state_machine(self, name, definition, type="STANDARD",
                             role_arn=None):
        """CreateStateMachine: a Machine (see awsevents.machine).
        definition is ASL as JSON text or a dict; type STANDARD|EXPRESS;
        role_arn the IAM role it runs as (ClientError InvalidArn when it is
        not a role's ARN; None: arn:aws:iam::000000000000:role/awsevents),
        which DescribeStateMachine answers."""
        return _machine.create_state_machine(self, name, definition, type,
                                             role_arn)

    def get_state_machine(self, name_or_arn):
        """The Machine with this name or ARN (ClientError
        StateMachineDoesNotExist otherwise)."""
        return _machine.get_state_machine(self, name_or_arn)

    def test_state(self, definition, **request):
        """TestState: runs one state on its own (see
        awsevents.machine.test_state); AWS's response dict."""
        return _machine.test_state(self, definition, **request)

    def send_task_success(self, token, output):
        """SendTaskSuccess for a .waitForTaskToken task."""
        _machine.send_task_success(self, token, output)

    def send_task_failure(self, token, error=None, cause=None):
        """SendTaskFailure for a .waitForTaskToken task."""
        _machine.send_task_failure(self, token, error, cause)

    def send_task_heartbeat(self, token):
        """SendTaskHeartbeat for a .waitForTaskToken task."""
        _machine.send_task_heartbeat(self, token)

    def create_activity(self, name):
        """CreateActivity: an Activity (see awsevents.machine)."""
        return _machine.create_activity(self, name)

    def get_activity(self, name_or_arn):
        """The Activity with this name or ARN (ClientError
        ActivityDoesNotExist otherwise)."""
        return _machine.get_activity(self, name_or_arn)

    def create_bus(self, name):
        """CreateEventBus: a Bus (see awsevents.bus)."""
        return _bus.create_bus(self, name)

    def get_bus(self, name_or_arn="default"):
        """The Bus with this name or ARN ("default" always exists)."""
        return _bus.get_bus(self, name_or_arn)

    def put_events(self, entries, _bus_name=None):
        """PutEvents with AWS's Entries (Detail may be a dict): the
        response dict, {"FailedEntryCount": n, "Entries": [...]}."""
        return _bus.put_events(self, entries, _bus_name)

    def describe_archive(self, name):
        """DescribeArchive's response (archives: Bus.create_archive)."""
        return _bus.describe_archive(self, name)

    def update_archive(self, name, event_pattern=None, retention_days=None,
                       description=None):
        """UpdateArchive: what is given replaces the archive's own."""
        _bus.update_archive(self, name, event_pattern, retention_days,
                            description)

    def set_rule_quota(self, max_rules):
        """Raises the quota of rules per event bus (AWS's default is 300)
        for every bus of this broker."""
        _bus.set_rule_quota(self, max_rules)

    def start_replay(self, **request):
        """StartReplay with AWS's members (ReplayName, EventSourceArn,
        EventStartTime / EventEndTime in epoch seconds, Destination)."""
        return _bus.start_replay(self, request)

    def describe_replay(self, name):
        return _bus.describe_replay(self, name)

    def cancel_replay(self, name):
        return _bus.cancel_replay(self, name)
