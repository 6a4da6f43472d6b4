"""libawsevents for Python: AWS's event-driven services in-process.

    from awsevents import Broker, ClientError
    with Broker(clock="manual", workers=0) as b:
        b.advance(1000)
"""
from . import _lib
from .broker import LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_WARN, Broker
from .errors import ClientError
from .queue import Message, Queue
from .pattern import Pattern, PatternSet
from .topic import Subscription, Topic
from .function import (Context, Function, create_function, register_handler,
                       set_account_concurrency)
from .stream import Record, Stream, StreamReader
from .delivery import DeliveryStream
from .machine import Activity, Execution, Machine
from .jsonata import JsonataError, jsonata
from .bus import Bus
from .endpoint import HttpRequest

# One line per primitive, so each can add its names on its own line.
__all__ = ["Broker", "ClientError", "LOG_ERROR", "LOG_WARN", "LOG_INFO", "LOG_DEBUG",
           "library_version"]
__all__ += ["Queue", "Message"]
__all__ += ["Pattern", "PatternSet"]
__all__ += ["Subscription", "Topic"]
__all__ += ["Context", "Function", "create_function", "register_handler",
            "set_account_concurrency"]
__all__ += ["Stream", "StreamReader", "Record", "DeliveryStream"]
__all__ += ["Machine", "Execution", "Activity"]
__all__ += ["jsonata", "JsonataError"]
__all__ += ["Bus"]
__all__ += ["HttpRequest"]


def library_version():
    """The version string of the libawsevents actually loaded."""
    return _lib.lib.aev_version_string().decode()
