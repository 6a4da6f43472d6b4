"""Python values in AWS's request shapes, as boto3 serializes them for the
JSON protocol: bytes as base64, datetimes as epoch seconds, one name where
a list of names goes, and SNS message attributes from plain values; and
the timestamps and blobs of responses as datetimes and bytes, as boto3
parses them (_response_shapes says which members they are)."""
import base64
import datetime
import json

from . import _lib, _response_shapes


def encode(value):
    """json.dumps's default= for what boto3 takes beyond JSON: blobs
    (bytes) as base64 text, timestamps (datetime) as epoch seconds, a
    naive datetime being UTC as botocore reads it."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    raise TypeError("%r is not JSON serializable" % type(value).__name__)


def names(value, what):
    """A list of names (attribute names, tag keys, target ids), the
    parameter what, as a list; one name given as a str is that name, not
    the list of its characters."""
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        items = [value]  # one name that is not a str: refused below
    return [_lib.string(item, what) for item in items]


def _sns_attribute(value):
    """One message attribute in Publish's shape from a Python value: str,
    int/float (Number), bytes (Binary), list (String.Array), or AWS's own
    {"DataType": ..., ...} dict (its BinaryValue bytes, as boto3 takes
    it, or base64 text)."""
    if isinstance(value, dict):
        binary = value.get("BinaryValue")
        if isinstance(binary, (bytes, bytearray, memoryview)):
            return dict(value, BinaryValue=encode(binary))
        return value
    if isinstance(value, bool):
        raise TypeError("message attributes cannot be bool")
    if isinstance(value, (int, float)):
        return {"DataType": "Number", "StringValue": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"DataType": "Binary", "BinaryValue": encode(value)}
    if isinstance(value, (list, tuple)):
        return {"DataType": "String.Array",
                "StringValue": json.dumps(list(value))}
    return {"DataType": "String", "StringValue": str(value)}


def sns_attributes(attributes):
    """A MessageAttributes map in Publish's shape, each value as
    _sns_attribute makes it."""
    return {k: _sns_attribute(v) for k, v in attributes.items()}


def _timestamp(value):
    """A timestamp member as boto3 parses it: an aware datetime. The JSON
    protocols carry epoch seconds; ISO 8601 text is read too."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)


def _convert_at(node, path, convert):
    head, rest = path[0], path[1:]
    if head == "*":
        keys = list(node) if isinstance(node, dict) else range(len(node))
    else:
        keys = [head] if isinstance(node, dict) and head in node else []
    for key in keys:
        if rest:
            _convert_at(node[key], rest, convert)
        elif node[key] is not None:
            node[key] = convert(node[key])


class Body(str):
    """A REST operation's body in a response (Lambda Invoke's Payload): the
    JSON text, which also reads as boto3's StreamingBody does: read() gives
    its bytes, then b"" once they are all read."""

    def read(self, amt=None):
        data = self.encode()
        start = getattr(self, "_at", 0)
        self._at = len(data) if amt is None else min(len(data), start + amt)
        return data[start:self._at]

    def close(self):
        pass


def _key(service, action):
    return ("states" if service == "stepfunctions" else service, action)


def encode_request(service, action, params):
    """params with a REST operation's body (Lambda Invoke's Payload) as
    text: boto3 sends bytes or a readable object there as they are, where
    a blob elsewhere goes as base64."""
    for member, _ in _response_shapes.PAYLOADS.get(_key(service, action), ()):
        value = params.get(member)
        if hasattr(value, "read"):
            value = value.read()
        if isinstance(value, (bytes, bytearray, memoryview)):
            params = dict(params)
            params[member] = bytes(value).decode("utf-8")
    return params


def decode_response(service, action, response):
    """response, the parsed JSON of a call, with its timestamps as
    datetimes, its blobs as bytes and a REST body as a Body, as boto3 gives
    them."""
    key = _key(service, action)
    for path in _response_shapes.TIMESTAMPS.get(key, ()):
        _convert_at(response, path, _timestamp)
    for path in _response_shapes.BLOBS.get(key, ()):
        _convert_at(response, path, base64.b64decode)
    for _, member in _response_shapes.PAYLOADS.get(key, ()):
        if isinstance(response.get(member), str):
            response[member] = Body(response[member])
    return response


def success_status(service, action, response):
    """The HTTP status AWS answers a success of action with (201 for a
    Lambda CreateFunction, 202 for an asynchronous Invoke...)."""
    status = _response_shapes.STATUSES.get(_key(service, action), 200)
    if isinstance(status, tuple):
        member, default = status
        return response.get(member, default)
    return status
