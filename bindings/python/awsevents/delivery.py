"""Firehose delivery streams over the typed C API (ctypes).

    d = broker.create_delivery_stream(
        "events", {"ExtendedS3DestinationConfiguration": {
            "BucketARN": "arn:aws:s3:::logs", "LocalDirectory": "/tmp/logs"}},
        transform=lambda records: [dict(r, result="Ok",
                                        data=r["data"].upper())
                                   for r in records])
    d.put(b"hello\\n")

sink=callable(key, data) delivers each batch to Python instead of a
destination (an exception fails the attempt, which is retried).
transform=callable(records) is Firehose's Lambda transform written in
Python: it gets [{"recordId", "data" (bytes), "approximateArrivalTimestamp"}]
and returns [{"recordId", "result": "Ok"|"Dropped"|"ProcessingFailed",
"data" (bytes)}]; it runs as a function of this broker named
"<stream>-transform".
"""
import functools
import base64
import json
from ctypes import (byref, c_char_p, c_size_t, c_void_p, cast,
                    create_string_buffer, string_at)

from . import _lib
from ._handle import Handle, Owned
from .broker import _callbacks, _keys, _release_fn
from .errors import ClientError, checker, error_response, library_error

lib = _lib.lib

_RECORD_ID_SIZE = 97


_error = functools.partial(library_error, "firehose")
_check = checker("firehose")


def _bytes(data):
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _sink_thunk(fn):
    def call(user, key, data, length):
        try:
            fn(key.decode(), string_at(data, length))
            return 0
        except BaseException:  # a failed attempt: the library retries it
            # (SystemExit and KeyboardInterrupt too, whose return ctypes leaves
            # undefined)
            return -1
    return _lib.DELIVERY_SINK_FN(call)


def _transform_thunk(fn):
    def call(user, ctx, event, length):
        try:
            req = json.loads(string_at(event, length))
            records = [dict(r, data=base64.b64decode(r["data"]))
                       for r in req["records"]]
            out = [dict(r, data=base64.b64encode(_bytes(r.get("data", b"")))
                        .decode()) for r in fn(records)]
            text = json.dumps({"records": out}).encode()
            lib.aev_invocation_succeed(ctx, text, len(text))
        except BaseException as e:  # else the call waits for its timeout
            lib.aev_invocation_fail(ctx, type(e).__name__.encode(),
                                    str(e).encode())
    return _lib.HANDLER_FN(call)


def _register(thunk):
    key = next(_keys)
    _callbacks[key] = thunk
    return key


class DeliveryStream(Owned):
    """A Firehose delivery stream of a Broker."""

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.aev_delivery_release, "DeliveryStream")
        with self._handle as d:
            self.name = lib.aev_delivery_name(d).decode()
            self.arn = lib.aev_delivery_arn(d).decode()

    def _json(self, operation, fn):
        out = c_void_p()
        with self._handle as d:
            _check(fn(d, byref(out)), operation)
        try:
            return json.loads(string_at(out.value).decode())
        finally:
            lib.aev_free(out.value)

    def put(self, data):
        """PutRecord: the RecordId."""
        data = _bytes(data)
        rid = create_string_buffer(_RECORD_ID_SIZE)
        with self._handle as d:
            _check(lib.aev_delivery_put(d, data, len(data), rid), "PutRecord")
        return rid.value.decode()

    def put_batch(self, records):
        """PutRecordBatch (at most 500 records, 4 MiB): the RecordIds."""
        datas = [_bytes(r) for r in records]
        n = len(datas)
        bufs = [create_string_buffer(_RECORD_ID_SIZE) for _ in datas]
        ids = (c_char_p * max(n, 1))(*[cast(b, c_char_p) for b in bufs])
        with self._handle as d:
            _check(lib.aev_delivery_put_batch(
                d, n, (c_char_p * max(n, 1))(*datas),
                (c_size_t * max(n, 1))(*[len(x) for x in datas]), ids),
                "PutRecordBatch")
        return [b.value.decode() for b in bufs]

    def flush(self):
        """Delivers what is buffered now."""
        with self._handle as d:
            _check(lib.aev_delivery_flush(d), "Flush")

    def describe(self):
        return self._json("DescribeDeliveryStream", lib.aev_delivery_describe)

    def metrics(self):
        return self._json("Metrics", lib.aev_delivery_metrics)

    def delete(self):
        with self._handle as d:
            _check(lib.aev_delivery_delete(d), "DeleteDeliveryStream")


def _create_transform(broker, fn_name, transform):
    """The function running a Python transform: its handle, released by
    the caller."""
    key = _register(_transform_thunk(transform))
    out = c_void_p()
    with broker._entered() as handle:
        rc = lib.aev_function_create(handle, fn_name.encode(), None,
                                     _callbacks[key], key, _release_fn,
                                     byref(out))
    if rc != 0:
        _callbacks.pop(key, None)
        raise library_error("lambda", "CreateFunction")
    return out


def _exists(broker, name):
    out = c_void_p()
    with broker._entered() as handle:
        found = lib.aev_delivery_get(handle, name.encode(), byref(out)) == 0
    lib.aev_delivery_release(out)
    return found


def _with_processing(config, fn_name):
    """config with the transform function as its destination's processor."""
    processing = {"Enabled": True, "Processors": [{
        "Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": fn_name}]}]}
    target = config
    for member in ("ExtendedS3DestinationConfiguration",
                   "SqsDestinationConfiguration",
                   "SnsDestinationConfiguration"):
        if member in config:
            target = config[member] = dict(config[member])
    target["ProcessingConfiguration"] = processing
    return config


def _create(broker, name, config, sink):
    out = c_void_p()
    text = json.dumps(config).encode()
    with broker._entered() as handle:
        if sink is None:
            rc = lib.aev_delivery_create(handle, name.encode(), text,
                                         byref(out))
        else:
            key = _register(_sink_thunk(sink))
            rc = lib.aev_delivery_create_with_sink(
                handle, name.encode(), text, _callbacks[key], key,
                _release_fn, byref(out))
            if rc != 0:
                _callbacks.pop(key, None)
        if rc != 0:
            raise _error("CreateDeliveryStream")
    return DeliveryStream(out)


def create_delivery_stream(broker, name, config=None, sink=None,
                           transform=None):
    name = _lib.string(name, "name")
    config = dict(config or {})
    if sink is not None:
        _lib.callback(sink, "sink(key, data)")
    if transform is None:
        return _create(broker, name, config, sink)
    _lib.callback(transform, "transform(records)")
    if _exists(broker, name):
        # Its own transform function would hold the name below and answer
        # for it; this is CreateDeliveryStream's answer.
        raise ClientError(error_response(
            "firehose", "ResourceInUseException",
            "Firehose %s under account %s already exists."
            % (name, broker.account)), "CreateDeliveryStream")
    fn_name = name + "-transform"
    fn = _create_transform(broker, fn_name, transform)
    try:
        return _create(broker, name, _with_processing(config, fn_name), sink)
    except BaseException:
        # A refused stream must not leave its function holding the name.
        lib.aev_function_delete(fn)
        raise
    finally:
        lib.aev_function_release(fn)


__all__ = ["DeliveryStream"]
