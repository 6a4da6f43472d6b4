"""libawsevents for Python: AWS's event-driven services in-process.

    from awsevents import Broker, ClientError
    with Broker(clock="manual", workers=0) as b:
        b.advance(1000)
"""
from . import _lib
from .broker import LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_WARN, Broker
from .errors import ClientError
from .jsonata import JsonataError, jsonata

__all__ = ["Broker", "ClientError", "LOG_ERROR", "LOG_WARN", "LOG_INFO",
           "LOG_DEBUG", "library_version", "jsonata", "JsonataError"]


def library_version():
    """The version string of the libawsevents actually loaded."""
    return _lib.lib.aev_version_string().decode()
