"""Python values in AWS's request shapes, as boto3 serializes them for the
JSON protocol: bytes as base64, datetimes as epoch seconds, one name where
a list of names goes."""
import base64
import datetime


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


def names(value):
    """A list of names (attribute names, tag keys, target ids) as a list;
    one name given as a str is that name, not the list of its characters."""
    return [value] if isinstance(value, str) else list(value)
