"""SQS queues over the typed C API (ctypes): Queue and Message.

    q = broker.create_queue("jobs", attributes={"VisibilityTimeout": "30"})
    q.send("hello")
    for m in q.receive(max=10, wait=20):
        handle(m.text)
        m.delete()

Every call may come from any Python thread. ctypes releases the GIL for
the duration of each C call, so a receive blocked in a long poll lets other
threads run (and send the message that wakes it). Errors raise ClientError
with the code boto3 shows for SQS.
"""
import functools
import base64
import json
from ctypes import (byref, c_char_p, c_size_t, c_void_p,
                    create_string_buffer, string_at)

from . import _lib, _shapes
from ._handle import Handle, Owned
from .errors import ClientError, checker, error_response, library_error

lib = _lib.lib

_ID_SIZE = 37
_SEQ_SIZE = 41
# The system attributes a receive returns, by boto3's names.
_SYSTEM_ATTRIBUTES = (
    "SenderId", "SentTimestamp", "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp", "MessageGroupId",
    "MessageDeduplicationId", "SequenceNumber", "AWSTraceHeader",
    "DeadLetterQueueSourceArn")


_error = functools.partial(library_error, "sqs")
_check = checker("sqs")


def _take_string(ptr):
    """A library-allocated C string as str, freed."""
    if not ptr:
        return None
    try:
        return string_at(ptr).decode()
    finally:
        lib.aev_free(ptr)


def _bytes(body):
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def _attributes_json(attributes):
    """MessageAttributes in AWS's shape; BinaryValue may be bytes."""
    return json.dumps(attributes, default=_shapes.encode).encode()


def _trace_header(system_attributes):
    """AWSTraceHeader's StringValue from MessageSystemAttributes, if any."""
    header = (system_attributes or {}).get("AWSTraceHeader")
    return header.get("StringValue") if header else None


def _decode_attributes(text):
    """The library's attributes JSON as boto3 returns it (bytes for
    BinaryValue)."""
    attrs = json.loads(text)
    for value in attrs.values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return attrs


class _SendOptions:
    """aev_send_options for one message; None when nothing is set.
    delay_name is the caller's name for delay, for its errors."""

    def __init__(self, attributes=None, delay=None, group_id=None,
                 dedup_id=None, trace_header=None, delay_name="delay"):
        self.ptr = None
        if (attributes is None and delay is None and group_id is None
                and dedup_id is None and trace_header is None):
            return
        ptr = c_void_p()
        _check(lib.aev_send_options_new(byref(ptr)), "SendMessage")
        self.ptr = ptr
        try:
            self._set(ptr, attributes, delay, delay_name, group_id,
                      dedup_id, trace_header)
        except BaseException:
            self.free()
            raise

    @staticmethod
    def _set(ptr, attributes, delay, delay_name, group_id, dedup_id,
             trace_header):
        op = "SendMessage"
        if attributes:
            _check(lib.aev_send_options_set_attributes(
                ptr, _attributes_json(attributes)), op)
        if delay is not None:
            _check(lib.aev_send_options_set_delay(
                ptr, _lib.integer(delay, delay_name)), op)
        if group_id is not None:
            _check(lib.aev_send_options_set_group_id(ptr, group_id.encode()),
                   op)
        if dedup_id is not None:
            _check(lib.aev_send_options_set_deduplication_id(
                ptr, dedup_id.encode()), op)
        if trace_header is not None:
            _check(lib.aev_send_options_set_trace_header(
                ptr, trace_header.encode()), op)

    def free(self):
        lib.aev_send_options_free(self.ptr)
        self.ptr = None


class Message:
    """A received message: a plain copy, so it outlives nothing.

    body (bytes), text (body decoded as UTF-8), id, receipt_handle, md5
    (MD5OfBody), md5_of_attributes, attributes (system attributes by boto3's
    names, values as strings), message_attributes (boto3's shape).
    """

    def __init__(self, queue, ptr):
        self.queue = queue
        size = c_size_t()
        body = lib.aev_message_body(ptr, byref(size))
        self.body = string_at(body, size.value)
        self.id = lib.aev_message_id(ptr).decode()
        self.receipt_handle = lib.aev_message_receipt_handle(ptr).decode()
        self.md5 = lib.aev_message_md5_of_body(ptr).decode()
        md5_attrs = lib.aev_message_md5_of_attributes(ptr)
        self.md5_of_attributes = md5_attrs.decode() if md5_attrs else None
        text = _take_string(lib.aev_message_attributes_json(ptr))
        if text is None:
            raise _error("ReceiveMessage")
        self.message_attributes = _decode_attributes(text)
        self.attributes = {}
        for name in _SYSTEM_ATTRIBUTES:
            value = lib.aev_message_system_attribute(ptr, name.encode())
            if value is not None:
                self.attributes[name] = value.decode()

    @property
    def text(self):
        return self.body.decode("utf-8")

    def delete(self):
        """DeleteMessage with this message's receipt handle."""
        self.queue.delete_message(self.receipt_handle)

    def change_visibility(self, seconds):
        """ChangeMessageVisibility: visible again `seconds` from now."""
        self.queue.change_visibility(self.receipt_handle, seconds)

    def __repr__(self):
        return "Message(id=%r, body=%r)" % (self.id, self.body)


class Queue(Owned):
    """An SQS queue of a Broker (Broker.create_queue / Broker.get_queue).

    The handle keeps the library's queue (and broker) alive until close()
    or garbage collection. After the queue is deleted, calls raise
    ClientError AWS.SimpleQueueService.NonExistentQueue.
    """

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.aev_queue_release, "Queue")
        with self._handle as q:
            self.name = lib.aev_queue_name(q).decode()
            self.url = lib.aev_queue_url(q).decode()
            self.arn = lib.aev_queue_arn(q).decode()

    @classmethod
    def _open(cls, broker, operation, fn, *args):
        return cls(broker._out(_check, operation, fn, *args))

    def __repr__(self):
        return "Queue(%r)" % self.url

    # ---- administration ----

    def delete(self):
        """DeleteQueue."""
        with self._handle as q:
            _check(lib.aev_queue_delete(q), "DeleteQueue")

    def purge(self):
        """PurgeQueue (at most once per 60 s)."""
        with self._handle as q:
            _check(lib.aev_queue_purge(q), "PurgeQueue")

    def attributes(self, names=None):
        """GetQueueAttributes: a dict of strings (names: a list of names,
        or one name; None means All)."""
        out = c_void_p()
        names_json = (json.dumps(_shapes.names(names, "names")).encode()
                      if names else None)
        with self._handle as q:
            _check(lib.aev_queue_get_attributes(q, names_json, byref(out)),
                   "GetQueueAttributes")
        return json.loads(_take_string(out.value))

    def set_attributes(self, attributes):
        """SetQueueAttributes with AWS's Attributes map."""
        with self._handle as q:
            _check(lib.aev_queue_set_attributes(
                q, json.dumps(attributes).encode()), "SetQueueAttributes")

    # ---- sending ----

    def send(self, body, attributes=None, delay=None, group_id=None,
             dedup_id=None, trace_header=None):
        """SendMessage. body is str (sent as UTF-8) or bytes; attributes is
        MessageAttributes in AWS's shape. Returns {"MessageId": ...} plus
        "SequenceNumber" on FIFO queues."""
        data = _bytes(body)
        opts = _SendOptions(attributes, delay, group_id, dedup_id,
                            trace_header)
        mid = create_string_buffer(_ID_SIZE)
        seq = create_string_buffer(_SEQ_SIZE)
        try:
            with self._handle as q:
                _check(lib.aev_queue_send(q, data, len(data), opts.ptr, mid,
                                          seq), "SendMessage")
        finally:
            opts.free()
        out = {"MessageId": mid.value.decode()}
        if seq.value:
            out["SequenceNumber"] = seq.value.decode()
        return out

    def send_batch(self, entries):
        """SendMessageBatch. entries: bodies (ids "0", "1", ... are given),
        or dicts with Id, MessageBody and optionally MessageAttributes,
        DelaySeconds, MessageGroupId, MessageDeduplicationId and
        MessageSystemAttributes (its AWSTraceHeader). Returns
        {"Successful": [...], "Failed": [...]} as boto3 does."""
        entries = [e if isinstance(e, dict) else
                   {"Id": str(i), "MessageBody": e}
                   for i, e in enumerate(entries)]
        n = len(entries)
        ids = (c_char_p * max(n, 1))(*[e["Id"].encode() for e in entries])
        datas = [_bytes(e["MessageBody"]) for e in entries]
        bodies = (c_char_p * max(n, 1))(*datas)
        lens = (c_size_t * max(n, 1))(*[len(d) for d in datas])
        opts = []
        out = c_void_p()
        try:
            for e in entries:
                opts.append(_SendOptions(
                    e.get("MessageAttributes"), e.get("DelaySeconds"),
                    e.get("MessageGroupId"), e.get("MessageDeduplicationId"),
                    _trace_header(e.get("MessageSystemAttributes")),
                    delay_name="DelaySeconds"))
            opt_array = (c_void_p * max(n, 1))(*[o.ptr for o in opts])
            with self._handle as q:
                _check(lib.aev_queue_send_batch(q, n, ids, bodies, lens,
                                                opt_array, byref(out)),
                       "SendMessageBatch")
        finally:
            for o in opts:
                o.free()
        return _batch_result(out, sent=True)

    # ---- receiving and settling ----

    def receive(self, max=1, wait=None, visibility=None,
                attribute_names=None, attempt_id=None):
        """ReceiveMessage: a list of up to max (1..10) Messages. wait is
        the long-poll time in seconds (None: the queue's
        ReceiveMessageWaitTimeSeconds); visibility overrides the queue's
        VisibilityTimeout for these messages; attribute_names (a list, or
        one name) selects message attributes (default: all). A real-clock
        receive blocks without holding the GIL."""
        if wait is not None and wait < 0:
            # The C call reads a negative wait as "the queue's own".
            raise ClientError(error_response(
                "sqs", "InvalidParameterValue",
                "Value %s for parameter WaitTimeSeconds is invalid. Reason: "
                "Must be >= 0 and <= 20, if provided." % (wait,)),
                "ReceiveMessage")
        wait_ms = -1 if wait is None else int(wait * 1000)
        max = _lib.integer(max, "max")
        if visibility is not None:
            visibility = _lib.integer(visibility, "visibility")
        ropts = c_void_p()
        if visibility is not None or attribute_names is not None or \
                attempt_id is not None:
            _check(lib.aev_receive_options_new(byref(ropts)),
                   "ReceiveMessage")
        try:
            if visibility is not None:
                _check(lib.aev_receive_options_set_visibility(ropts,
                                                              visibility),
                       "ReceiveMessage")
            if attribute_names is not None:
                _check(lib.aev_receive_options_set_attribute_names(
                    ropts, json.dumps(_shapes.names(
                        attribute_names, "attribute_names")).encode()),
                    "ReceiveMessage")
            if attempt_id is not None:
                _check(lib.aev_receive_options_set_attempt_id(
                    ropts, attempt_id.encode()), "ReceiveMessage")
            out = (c_void_p * 10)()
            n = c_size_t()
            with self._handle as q:
                rc = lib.aev_queue_receive(q, max, wait_ms, ropts, out,
                                           byref(n))
                if rc != 0:
                    raise _error("ReceiveMessage")
        finally:
            lib.aev_receive_options_free(ropts)
        messages = []
        try:
            for i in range(n.value):
                messages.append(Message(self, out[i]))
        finally:
            for i in range(n.value):
                lib.aev_message_free(out[i])
        return messages

    def delete_message(self, receipt_handle):
        """DeleteMessage."""
        with self._handle as q:
            _check(lib.aev_queue_delete_message(q, receipt_handle.encode()),
                   "DeleteMessage")

    def change_visibility(self, receipt_handle, seconds):
        """ChangeMessageVisibility."""
        with self._handle as q:
            _check(lib.aev_queue_change_visibility(
                q, receipt_handle.encode(),
                _lib.integer(seconds, "seconds")),
                "ChangeMessageVisibility")


def _batch_result(ptr, sent):
    """aev_batch_result as boto3's Successful / Failed lists, freed."""
    result = {"Successful": [], "Failed": []}
    try:
        for i in range(lib.aev_batch_result_count(ptr)):
            entry_id = lib.aev_batch_result_id(ptr, i).decode()
            if lib.aev_batch_result_status(ptr, i) != 0:
                code = lib.aev_batch_result_code(ptr, i).decode()
                result["Failed"].append({
                    "Id": entry_id, "SenderFault": True,
                    "Code": error_response("sqs", code, "")["Error"]["Code"],
                    "Message": lib.aev_batch_result_message(ptr, i).decode()})
                continue
            entry = {"Id": entry_id}
            if sent:
                entry["MessageId"] = \
                    lib.aev_batch_result_message_id(ptr, i).decode()
                entry["MD5OfMessageBody"] = \
                    lib.aev_batch_result_md5_of_body(ptr, i).decode()
                md5 = lib.aev_batch_result_md5_of_attributes(ptr, i)
                if md5:
                    entry["MD5OfMessageAttributes"] = md5.decode()
                seq = lib.aev_batch_result_sequence_number(ptr, i)
                if seq:
                    entry["SequenceNumber"] = seq.decode()
            result["Successful"].append(entry)
    finally:
        lib.aev_batch_result_free(ptr)
    return result


def create_queue(broker, name, attributes=None):
    name = _lib.string(name, "name")
    attrs = json.dumps(attributes).encode() if attributes else None
    return Queue._open(broker, "CreateQueue", lib.aev_queue_create,
                       name.encode(), attrs)


def get_queue(broker, name_url_or_arn):
    name_url_or_arn = _lib.string(name_url_or_arn, "name_url_or_arn")
    return Queue._open(broker, "GetQueueUrl", lib.aev_queue_get,
                       name_url_or_arn.encode())


__all__ = ["Queue", "Message", "ClientError"]
